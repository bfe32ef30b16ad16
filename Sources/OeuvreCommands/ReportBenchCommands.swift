import ArgumentParser
import Formats
import Foundation
import OeuvreCore

extension ReportCommand {
    /// `oeuvre report gen-dsr` (hidden): a seeded DSR flat file of a given size, for benchmarks.
    struct GenerateDSR: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "gen-dsr",
            abstract: "Write a seeded synthetic DSR flat file (Basic Audio Profile 1.2, multi-record blocks) for benchmarks.",
            shouldDisplay: false
        )

        @Option(help: "Output file.") var out: String
        @Option(name: .customLong("size-mb"), help: "Approximate size in MiB.") var sizeMB: Int = 64
        @Option(help: "Random seed.") var seed: UInt64 = 1
        @Option(help: "Number of sales contexts (summary records).") var contexts: Int = 8

        func run() async throws {
            try await runReporting {
                guard sizeMB > 0, contexts > 0, contexts <= 64 else { throw OeuvreError(.usage, "--size-mb must be > 0 and --contexts 1…64") }
                var generator = DSRGenerator(seed: seed, contexts: contexts)
                let stats = try generator.write(to: out, bytes: Int64(sizeMB) << 20)
                print("wrote \(out): \(stats.bytes) bytes, \(stats.lines) lines, \(stats.blocks) blocks, \(stats.resources) resources, "
                      + "\(stats.usageRecords) usage records, \(ReportCommand.number(stats.plays)) plays")
            }
        }
    }

    /// `oeuvre report bench` (hidden): times reading DSR files.
    struct Bench: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "bench",
            abstract: "Time reading a DSR report: 'stream' parses and resolves blocks, counting lines; 'aggregate' also sums usage per resource and sales context; 'lines' also builds the usage lines.",
            shouldDisplay: false
        )

        @Argument(help: "The files of one DSR report, in order.") var files: [String]
        @Option(help: "stream | aggregate | lines") var mode: String = "lines"

        func run() async throws {
            try await runReporting {
                guard let readMode = UsageReports.DSRReadMode(rawValue: mode) else {
                    throw OeuvreError(.usage, "--mode must be stream, aggregate or lines")
                }
                var bytes: Int64 = 0
                for f in files {
                    let attrs = try? FileManager.default.attributesOfItem(atPath: f)
                    bytes += (attrs?[.size] as? NSNumber)?.int64Value ?? 0
                }
                let cpu0 = Self.cpuSeconds()
                let start = DispatchTime.now().uptimeNanoseconds
                let (lines, stats, summary) = try UsageReports.readDSRReport(paths: files, mode: readMode)
                let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
                let cpu = Self.cpuSeconds() - cpu0
                let mb = Double(bytes) / 1_048_576
                let records = stats.reduce(0) { $0 + $1.usageRecords }
                print(String(format: "mode %@: %.1f MiB in %.2f s wall = %.1f MiB/s; %.2f s CPU = %.1f MiB/s per CPU second; "
                             + "%d usage records, %d usage lines, %@ plays",
                             mode, mb, seconds, mb / seconds, cpu, mb / cpu, records, summary.lines, ReportCommand.number(summary.plays)))
                withExtendedLifetime(lines) {}
            }
        }

        /// User + system CPU time of this process.
        static func cpuSeconds() -> Double {
            var u = rusage()
            getrusage(RUSAGE_SELF.rawValue, &u)
            return Double(u.ru_utime.tv_sec + u.ru_stime.tv_sec) + Double(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6
        }
    }
}

/// Writes a realistic, seeded DSR flat file: a HEAD, `contexts` SY01 summary records (territory ×
/// commercial model), blocks of one head release with 1–14 tracks (mostly AS02 with inline work data,
/// some AS01 + MW01 medleys), occasional RE02 track releases, SU02 streams per track and context
/// (Zipf-like counts) and SU01 album downloads, then a FOOT whose counts are right. The summary usages
/// are written as fixed-width numbers and patched at the end, so the file is written in one pass.
struct DSRGenerator {
    struct Stats { var bytes: Int64 = 0, lines = 0, blocks = 0, resources = 0, usageRecords = 0, plays: Double = 0 }

    var rng: SplitMix
    let contexts: Int

    init(seed: UInt64, contexts: Int) {
        rng = SplitMix(seed: seed)
        self.contexts = contexts
    }

    static let words = [
        "love", "night", "summer", "rain", "heart", "fire", "dream", "road", "light", "blue", "river", "home", "gold", "time",
        "song", "wild", "moon", "city", "angel", "stone", "dance", "shadow", "ocean", "wind", "silver", "storm", "paradise",
        "forever", "tonight", "yesterday", "morning", "midnight", "echo", "garden", "mirror", "winter", "sugar", "thunder",
        "amour", "nuit", "été", "cœur", "soleil", "chanson", "liberté", "corazón", "noche", "vida", "fuego", "cielo", "mañana",
        "liebe", "sehnsucht", "träume", "nacht", "amore", "notte", "stella", "mare", "tempo", "saudade", "coração", "lua",
        "東京", "夜", "愛", "桜", "ночь", "любовь", "звезда", "καρδιά", "θάλασσα", "سلام", "حب",
    ]
    static let firstNames = ["Anna", "Marc", "Léa", "Jonas", "Sofía", "Kenji", "Amara", "Noah", "Zoë", "Mateo", "Ines", "Olu",
                             "Björn", "Chloé", "Dmitri", "Yuki", "Fatima", "Liam", "Elif", "Rafael"]
    static let lastNames = ["Martin", "Dubois", "García", "Müller", "Rossi", "Tanaka", "Okafor", "Nguyen", "Jensen", "Kowalski",
                            "Silva", "Haddad", "Novak", "O'Brien", "Lindqvist", "Moreau", "Petrov", "Ibrahim", "Costa", "Park"]
    static let versions = ["Radio Edit", "Live", "Remastered 2011", "Acoustic", "Extended Mix", "Instrumental", "Demo"]
    static let territories = ["FR", "BE", "CH", "LU", "DE", "ES", "IT", "NL", "PT", "AT", "SE", "GB", "IE", "DK", "NO", "FI"]
    static let models = ["SubscriptionModel", "AdvertisementSupportedModel"]

    mutating func title(_ out: inout [UInt8]) {
        let n = 1 + rng.int(3)
        for i in 0..<n {
            if i > 0 { out.append(0x20) }
            var w = Self.words[rng.int(Self.words.count)]
            if i == 0, let f = w.first { w = f.uppercased() + w.dropFirst() }
            out.append(contentsOf: w.utf8)
        }
        if rng.int(200) == 0 { out.append(contentsOf: " \\\\| Part II".utf8) }  // an escaped literal |
    }

    mutating func person(_ out: inout [UInt8]) {
        out.append(contentsOf: Self.firstNames[rng.int(Self.firstNames.count)].utf8)
        out.append(0x20)
        out.append(contentsOf: Self.lastNames[rng.int(Self.lastNames.count)].utf8)
    }

    mutating func streams() -> Int {
        // Zipf-like: most tracks are streamed a few times, a few very often.
        let u = max(rng.double(), 1e-9)
        return min(5_000_000, Int(pow(u, -1.3)))
    }

    mutating func write(to path: String, bytes target: Int64) throws -> Stats {
        guard let f = fopen(path, "w+") else { throw OeuvreError(.io, "cannot write \(path): \(String(cString: strerror(errno)))") }
        defer { fclose(f) }
        setvbuf(f, nil, _IOFBF, 1 << 20)
        var stats = Stats()
        var buf: [UInt8] = []
        buf.reserveCapacity(1 << 20)
        func flush() {
            buf.withUnsafeBytes { _ = fwrite($0.baseAddress, 1, $0.count, f) }
            stats.bytes += Int64(buf.count)
            buf.removeAll(keepingCapacity: true)
        }
        func line(_ s: String) {
            buf.append(contentsOf: s.utf8)
            buf.append(0x0A)
            stats.lines += 1
        }
        line("HEAD\tdsrf/1.1.2/6/1.2\tBasicAudioProfile\t1.2\tBENCH-\(rng.seed)\t2025-04-02T09:00:00Z\t1\t1\t2025-03-01\t2025-03-31\t"
             + "PADPIDA0000000001X\tOeuvre Bench Streaming\tPremium\tPADPIDA0000000002X\tExample Society\t")
        line("#SY01.01\tSummaryRecordId\tDistributionChannel\tDistributionChannelDPID\tCommercialModel\tUseType\tTerritory\tServiceDescription\tUsages\tSubscribers\tCurrencyOfReporting\tNetRevenue\tIndirectNetRevenue\tCurrencyOfTransaction\tExchangeRate")
        var usageOffsets: [Int64] = []
        for k in 0..<contexts {
            let t = Self.territories[k % Self.territories.count]
            let m = Self.models[(k / Self.territories.count) % Self.models.count]
            let prefix = "SY01.01\tS\(k + 1)\t\t\t\(m)\tOnDemandStream\t\(t)\tPremium\t"
            usageOffsets.append(stats.bytes + Int64(buf.count) + Int64(prefix.utf8.count))
            line(prefix + String(repeating: "0", count: 15) + "\t\tEUR\t0.00\t\t\t")
        }
        var contextPlays = [Int](repeating: 0, count: contexts)
        var blockNo = 0
        var isrcNo = 0
        var tx = 0
        while stats.bytes + Int64(buf.count) < target {
            blockNo += 1
            stats.blocks += 1
            let b = String(blockNo)
            let tracks = 1 + rng.int(14)
            // RE01
            buf.append(contentsOf: "RE01\t\(b)\tR1\trel-\(blockNo)\t\tCAT-\(blockNo)\t\t".utf8)
            let various = rng.int(10) == 0
            if various { buf.append(contentsOf: "Various Artists".utf8) } else { person(&buf) }
            buf.append(contentsOf: "\t\t".utf8)
            title(&buf)
            buf.append(contentsOf: "\t\t\(tracks == 1 ? "Single" : "Album")\tExample Records\t\t\n".utf8)
            stats.lines += 1
            for t in 1...tracks {
                stats.resources += 1
                isrcNo += 1
                let isrc = "FRZ03" + String(25 + isrcNo / 100_000 % 75) + String(format: "%05d", isrcNo % 100_000)
                let medley = rng.int(20) == 0
                buf.append(contentsOf: (medley ? "AS01.01\t" : "AS02.02\t").utf8)
                buf.append(contentsOf: "\(b)\tA\(t)\ttrk-\(blockNo)-\(t)\t\(isrc)\t".utf8)
                title(&buf)
                if medley {
                    buf.append(contentsOf: " / ".utf8)
                    title(&buf)
                    buf.append(contentsOf: " (Medley)".utf8)
                }
                buf.append(0x09)
                if rng.int(8) == 0 { buf.append(contentsOf: Self.versions[rng.int(Self.versions.count)].utf8) }
                buf.append(0x09)
                person(&buf)
                if rng.int(6) == 0 {
                    buf.append(contentsOf: " feat. ".utf8)
                    person(&buf)
                }
                let seconds = 90 + rng.int(300)
                buf.append(contentsOf: "\t\tPT\(seconds / 60)M\(seconds % 60)S\tSoundRecording\t".utf8)
                if medley {
                    buf.append(0x0A)
                    stats.lines += 1
                    for w in 0..<2 {
                        buf.append(contentsOf: "MW01.01\t\(b)\tw-\(blockNo)-\(t)-\(w)\t\(ISWC.make(number: rng.int(999_999_999)).value)\t".utf8)
                        title(&buf)
                        buf.append(contentsOf: "\t\t".utf8)
                        person(&buf)
                        buf.append(contentsOf: "|".utf8)
                        person(&buf)
                        buf.append(contentsOf: "\t\t\t\t\t\t\t\t\t\n".utf8)
                        stats.lines += 1
                    }
                } else {
                    if rng.int(2) == 0 { buf.append(contentsOf: ISWC.make(number: rng.int(999_999_999)).value.utf8) }
                    buf.append(0x09)
                    let writers = 1 + rng.int(3)
                    var ids: [String] = []
                    for w in 0..<writers {
                        if w > 0 { buf.append(0x7C) }
                        person(&buf)
                        ids.append(rng.int(3) == 0 ? "" : "IPI::" + IPINameNumber.make(sequence: rng.int(999_999_999)).value)
                    }
                    buf.append(0x09)
                    buf.append(contentsOf: ids.joined(separator: "|").utf8)
                    buf.append(contentsOf: "\t\t\tExample Music Publishing\t\t\t\t\t\n".utf8)
                    stats.lines += 1
                }
            }
            // A track release for the first track, now and then.
            let trackRelease = tracks > 1 && rng.int(10) == 0
            if trackRelease {
                buf.append(contentsOf: "RE02\t\(b)\tR2\ttrkrel-\(blockNo)\t\tA1\n".utf8)
                stats.lines += 1
            }
            for t in 1...tracks {
                for k in 0..<contexts where rng.int(contexts) < 3 {
                    let s = streams()
                    tx += 1
                    let ref = trackRelease && t == 1 ? "R2\t" : "\tA\(t)"
                    buf.append(contentsOf: "SU02.01\t\(b)\tS\(k + 1)\tTX\(tx)\t\(ref)\ttrue\t\(s)\t\t\n".utf8)
                    stats.lines += 1
                    stats.usageRecords += 1
                    contextPlays[k] += s
                    stats.plays += Double(s)
                }
            }
            if rng.int(4) == 0 {
                let k = rng.int(contexts)
                let n = 1 + rng.int(5)
                tx += 1
                buf.append(contentsOf: "SU01.01\t\(b)\tS\(k + 1)\tTX\(tx)\tR1\t\ttrue\tfalse\t\(n)\t0\t9.99\t\n".utf8)
                stats.lines += 1
                stats.usageRecords += 1
                contextPlays[k] += n * tracks
                stats.plays += Double(n * tracks)
            }
            if buf.count > 1 << 20 { flush() }
        }
        let total = stats.lines + 1
        line("FOOT\t\(total)\t\(total)\t\(contexts)\t\(stats.blocks)\t\(stats.blocks)")
        flush()
        for (k, offset) in usageOffsets.enumerated() {
            let text = String(format: "%015d", contextPlays[k])
            fseeko(f, off_t(offset), SEEK_SET)
            _ = text.withCString { fwrite($0, 1, 15, f) }
        }
        guard fflush(f) == 0 else { throw OeuvreError(.io, "writing \(path) failed: \(String(cString: strerror(errno)))") }
        return stats
    }
}

/// SplitMix64: a small deterministic generator for synthetic data.
struct SplitMix {
    let seed: UInt64
    private var state: UInt64
    init(seed: UInt64) {
        self.seed = seed
        state = seed
    }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func int(_ n: Int) -> Int { Int(next() % UInt64(n)) }
    mutating func double() -> Double { Double(next() >> 11) / Double(1 << 53) }
}
