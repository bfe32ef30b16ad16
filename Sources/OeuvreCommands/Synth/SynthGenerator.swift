import Foundation
import Formats
import Matching
import OeuvreCore

/// A buffered text output on top of AtomicFileWriter.
final class TextSink {
    private let out: AtomicFileWriter
    private var buffer: [UInt8] = []

    init(path: String) throws(OeuvreError) {
        out = try AtomicFileWriter(path: path)
        buffer.reserveCapacity(1 << 20)
    }

    func append(_ s: String) {
        buffer.append(contentsOf: s.utf8)
        if buffer.count >= 1 << 20 { flush() }
    }

    func row(_ cells: [String], separator: UInt8) {
        for (i, c) in cells.enumerated() {
            if i > 0 { buffer.append(separator) }
            buffer.append(contentsOf: c.utf8)
        }
        buffer.append(10)
        if buffer.count >= 1 << 20 { flush() }
    }

    private func flush() {
        buffer.withUnsafeBytes { out.write(bytes: $0) }
        buffer.removeAll(keepingCapacity: true)
    }

    func commit() throws(OeuvreError) {
        flush()
        try out.commit()
    }
}

/// A direct-mapped cache of generated works (popular works recur); one per worker thread.
final class WorkCache: @unchecked Sendable {
    private static let size = 1 << 15
    private var keys = [Int](repeating: -1, count: WorkCache.size)
    private var works = [SynthWork?](repeating: nil, count: WorkCache.size)

    func work(_ index: Int, _ u: SynthUniverse) -> SynthWork {
        let slot = index & (Self.size - 1)
        if keys[slot] == index, let w = works[slot] { return w }
        let w = u.work(index)
        keys[slot] = index
        works[slot] = w
        return w
    }
}

/// Result slots written by several threads at distinct indices.
final class Slots<T>: @unchecked Sendable {
    var items: [T?]
    init(_ n: Int) { items = Array(repeating: nil, count: n) }
}

/// What a synth run produced.
public struct SynthSummary: Sendable {
    public var works = 0
    public var worksInCSV = 0
    public var worksInCWR = 0
    public var outOfCatalogueWorks = 0
    public var linkedRecordings = 0
    public var lines = 0
    public var outOfCatalogueLines = 0
    public var linkedLines = 0
    public var distinctRecordings = 0
    public var blocks = 0
    public var plays = 0
    public var files: [String] = []
    public var seconds = 0.0
}

/// Writes a synthetic catalogue and usage report with truth (see `SynthCommand` for the files).
/// Deterministic for a seed; memory is bounded (works and recordings are regenerated from their
/// index, never held), except for one bit per possible recording to count distinct recordings.
struct SynthGenerator: Sendable {
    /// Version of the files written for given settings (bench/run.py `GENERATOR` keys cached data sets by it):
    /// 2 short-titled hard negatives, 3 user uploads, 4 more upload shapes, 5 the title space grows with
    /// the catalogue (specific titles above 10k works; files of up to 10k works are those of version 4).
    static let version = 5
    let config: SynthConfig
    let universe: SynthUniverse
    /// Generation threads; the output does not depend on it.
    let workers: Int

    init(_ config: SynthConfig, threads: Int = 0) {
        self.config = config
        universe = SynthUniverse(config)
        workers = max(1, min(16, threads > 0 ? threads : ProcessInfo.processInfo.activeProcessorCount))
    }

    /// `body(i, worker)` for i in 0..<n, spread over the workers in contiguous ranges; results in order.
    func parallelMap<T>(_ n: Int, _ body: @escaping @Sendable (Int, Int) -> T) -> [T] {
        let slots = Slots<T>(n)
        let w = min(workers, max(1, n))
        parallelWorkers(w) { worker in
            let lo = n * worker / w, hi = n * (worker + 1) / w
            for i in lo..<hi { slots.items[i] = body(i, worker) }
        }
        return slots.items.map { $0! }
    }

    func validate() throws(OeuvreError) {
        guard config.works >= 1 else { throw OeuvreError(.usage, "--works must be at least 1") }
        guard config.works < 9_000_000 else { throw OeuvreError(.usage, "--works must be below 9,000,000") }
        guard config.lines >= 0 else { throw OeuvreError(.usage, "--lines must not be negative") }
        let shares: [(String, Double)] = [
            ("--out-of-catalogue", config.outOfCatalogue), ("--hard-negatives", config.hardNegatives),
            ("--non-latin", config.nonLatin), ("--linked-share", config.linkedShare), ("--iswc-share", config.iswcShare),
            ("--versions", config.versions), ("--covers", config.covers), ("--typos", config.typos),
            ("--truncations", config.truncations), ("--missing-artist", config.missingArtist),
            ("--missing-isrc", config.missingISRC), ("--transliterate", config.transliterate),
            ("--translations", config.translations), ("--writers-in-report", config.writersInReport),
            ("--alternate-titles", config.alternateTitles), ("--singer-songwriters", config.singerSongwriters),
            ("--featured", config.featured), ("--case-changes", config.caseChanges),
            ("--strip-diacritics", config.stripDiacritics), ("--missing-duration", config.missingDuration),
            ("--iswc-in-report", config.iswcInReport), ("--ugc", config.ugc),
            ("--specific-titles", config.specificTitles ?? 0),
        ]
        for (name, v) in shares where !(0...1).contains(v) {
            throw OeuvreError(.usage, "\(name) must be a share between 0 and 1, got \(v)")
        }
        guard config.outOfCatalogue < 1 else { throw OeuvreError(.usage, "--out-of-catalogue must be below 1") }
        guard config.playsExponent > 1.05 else { throw OeuvreError(.usage, "--plays-exponent must be above 1.05") }
        guard config.popularitySkew >= 1 else { throw OeuvreError(.usage, "--popularity-skew must be at least 1") }
        _ = try periodDates()
    }

    /// (usage start, usage end, RFC 3339 creation time) for `--period YYYY-MM`.
    func periodDates() throws(OeuvreError) -> (String, String, String) {
        let parts = config.period.split(separator: "-")
        guard parts.count == 2, let y = Int(parts[0]), let m = Int(parts[1]), (1900...2999).contains(y), (1...12).contains(m) else {
            throw OeuvreError(.usage, "--period must be YYYY-MM, got '\(config.period)'")
        }
        let days = [31, (y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1]
        let mm = String(format: "%02d", m)
        let (ny, nm) = m == 12 ? (y + 1, 1) : (y, m + 1)
        return ("\(y)-\(mm)-01", "\(y)-\(mm)-\(days)", String(format: "%04d-%02d-02T09:00:00Z", ny, nm))
    }

    func run(outDir: String, progress: ((String) -> Void)? = nil) throws(OeuvreError) -> SynthSummary {
        try validate()
        let start = Date()
        do {
            try FileManager.default.createDirectory(atPath: outDir, withIntermediateDirectories: true)
        } catch {
            throw OeuvreError(.io, "cannot create \(outDir): \(error)")
        }
        var summary = SynthSummary()
        try writeCatalogue(outDir: outDir, summary: &summary)
        progress?("catalogue: \(summary.works) works written")
        try writeUsage(outDir: outDir, summary: &summary, progress: progress)
        summary.seconds = Date().timeIntervalSince(start)
        return summary
    }

    // MARK: catalogue

    func writeCatalogue(outDir: String, summary: inout SynthSummary) throws(OeuvreError) {
        let u = universe
        let (_, _, created) = try periodDates()
        let date = created.prefix(10).replacingOccurrences(of: "-", with: "")
        let csvPath = (outDir as NSString).appendingPathComponent("works.csv")
        let cwrPath = (outDir as NSString).appendingPathComponent("catalogue.V22")
        let csv = try TextSink(path: csvPath)
        csv.row(WorksCSVReader.fields, separator: 44)
        let cwr: CWRWriter? = config.writeCWR
            ? try CWRWriter(path: cwrPath, header: CWRWriter.Header(
                senderID: 123_456_785 % 1_000_000_000, senderName: "OEUVRE SYNTHETIC PUBLISHING", creationDate: date,
                creationTime: "090000", characterSet: config.nonLatin > 0 ? "UTF-8" : "", software: "OEUVRE SYNTH",
                softwareVersion: OeuvreCommand.version))
            : nil
        let publishers = (0..<u.publisherCount).map(u.publisher)
        let split = config.splitCatalogue
        let hasCWR = cwr != nil
        var start = 0
        while start < config.works {
            let n = min(4096, config.works - start)
            let base = start
            let chunk = parallelMap(n) { i, _ -> (csv: String?, cwr: CWRWriter.Work?, linked: Int) in
                let index = base + i
                let w = u.work(index)
                var linked: [SynthRecording] = []
                for r in 0..<w.recordingCount {
                    let rec = u.recording(w, r)
                    if rec.linked { linked.append(rec) }
                }
                let toCSV = !split || index % 2 == 0 || !hasCWR
                let toCWR = hasCWR && (!split || index % 2 == 1)
                return (toCSV ? self.csvRow(w, linked).map(csvCell).joined(separator: ",") : nil,
                        toCWR ? self.cwrWork(w, linked, publisher: publishers[w.publisher]) : nil, linked.count)
            }
            for item in chunk {
                summary.works += 1
                summary.linkedRecordings += item.linked
                if let row = item.csv {
                    summary.worksInCSV += 1
                    csv.append(row)
                    csv.append("\n")
                }
                if let work = item.cwr, let cwr {
                    summary.worksInCWR += 1
                    try cwr.write(work)
                }
            }
            start += n
        }
        try csv.commit()
        summary.files.append(csvPath)
        if let cwr {
            try cwr.finish()
            summary.files.append(cwrPath)
        }
    }

    func altTitles(_ w: SynthWork) -> [String] {
        var alts: [String] = []
        func add(_ s: String) { if s != w.title && !alts.contains(s) { alts.append(s) } }
        if !w.lang.isLatin { add(w.roman) }
        for t in w.translations {
            add(t.native)
            if !t.lang.isLatin { add(t.roman) }
        }
        if let a = w.alternate {
            add(a.native)
            if !w.lang.isLatin { add(a.roman) }
        }
        return alts
    }

    func csvRow(_ w: SynthWork, _ linked: [SynthRecording]) -> [String] {
        let u = universe
        return [
            w.id, w.iswc ?? "", w.title, altTitles(w).joined(separator: "|"),
            w.writers.map { u.writer($0).display }.joined(separator: "|"),
            w.writers.map { u.writerIPI($0).value }.joined(separator: "|"),
            w.performerName, linked.map(\.isrc).joined(separator: "|"), String(w.duration),
        ]
    }

    func cwrWork(_ w: SynthWork, _ linked: [SynthRecording],
                 publisher pub: (name: String, ipi: IPINameNumber, ipNumber: String, society: Int)) -> CWRWriter.Work {
        let u = universe
        let publisher = CWRWriter.Publisher(
            chain: 1, ipNumber: pub.ipNumber, name: pub.name, type: "E", ipiName: pub.ipi.value,
            prSociety: pub.society, prShare: 5000, mrSociety: 44, mrShare: 10000, srSociety: 44, srShare: 10000,
            territories: [CWRWriter.TerritoryShare(prCollection: 5000, mrCollection: 10000, srCollection: 10000)])
        var writers: [CWRWriter.WriterParty] = []
        let n = w.writers.count
        for (k, id) in w.writers.enumerated() {
            let p = u.writer(id)
            let share = 5000 / n + (k < 5000 % n ? 1 : 0)
            let societies = SynthUniverse.societiesByCulture[p.culture.rawValue]
            let society = societies[Int(mixHash(u.seed, UInt64(id), 5) % UInt64(societies.count))]
            writers.append(CWRWriter.WriterParty(
                ipNumber: "W" + zeroPadded(id % 100_000_000, 8), lastName: p.last, firstName: p.first,
                designation: w.designations[k], ipiName: u.writerIPI(id).value, ipiBase: u.writerIPIBase(id),
                prSociety: society, prShare: share,
                territories: [CWRWriter.TerritoryShare(prCollection: share, mrCollection: 0, srCollection: 0)], publisherChains: [1]))
        }
        var alternates: [CWRWriter.Title] = []
        var nonRoman: [CWRWriter.Title] = []
        if !w.lang.isLatin { nonRoman.append(CWRWriter.Title(w.title, type: "OL", language: w.lang.code)) }
        for t in w.translations {
            alternates.append(CWRWriter.Title(t.roman, type: "TT", language: t.lang.code))
            if !t.lang.isLatin { nonRoman.append(CWRWriter.Title(t.native, type: "TT", language: t.lang.code)) }
        }
        if let a = w.alternate {
            alternates.append(CWRWriter.Title(a.roman, type: "AT", language: w.lang.code))
            if !w.lang.isLatin { nonRoman.append(CWRWriter.Title(a.native, type: "AL", language: w.lang.code)) }
        }
        var performers: [CWRWriter.Performer] = []
        if w.performerId < 0 {
            let p = u.writer(-1 - w.performerId)
            performers.append(CWRWriter.Performer(lastName: p.last, firstName: p.first, ipiName: u.writerIPI(-1 - w.performerId).value))
        } else {
            performers.append(CWRWriter.Performer(lastName: w.performerName))
        }
        let recordings = linked.map { rec -> CWRWriter.Recording in
            var rng = SynthRandom(seed: u.seed, stream: SynthStream.misc.rawValue, index: UInt64(rec.number))
            let label = SynthVocabulary.labels[rng.below(SynthVocabulary.labels.count)]
            let album = TitleRenderer.render(TitleSpec.random(&rng), rec.titleLang).roman
            var version = ""
            if let d = u.descriptor(w, rec, &rng) { version = d.text }
            return CWRWriter.Recording(
                releaseDate: zeroPadded(rec.year, 4) + zeroPadded(1 + rng.below(12), 2) + zeroPadded(1 + rng.below(28), 2),
                releaseDuration: rec.duration, albumTitle: album, albumLabel: label,
                catalogNumber: "CAT" + String(rec.number % 10_000_000), ean: SynthUniverse.ean13(mixHash(u.seed, UInt64(rec.number), 3)),
                isrc: rec.isrc, mediaType: "CD", recordingTitle: rec.titleRoman, versionTitle: version,
                displayArtist: rec.kind == .karaoke ? SynthVocabulary.karaokeLabels[0] : rec.performerName,
                recordLabel: label, submitterRecordingId: "R" + String(rec.number))
        }
        return CWRWriter.Work(
            title: w.roman, language: w.lang.code, submitterWorkNumber: w.id, iswc: w.iswc, duration: w.duration,
            recorded: true, textMusicRelationship: w.instrumental ? "MUS" : "MTX", publishers: [publisher], writers: writers,
            alternateTitles: alternates, nonRomanTitles: nonRoman, performers: performers, recordings: recordings)
    }

    // MARK: usage

    /// One release (DSR block) before it is written: everything drawn from the block's random stream.
    struct GeneratedBlock {
        struct Track {
            var work: SynthWork
            var recording: SynthRecording
            var view: SynthUsageView
            /// (summary record index, plays) per usage line.
            var rows: [(Int, Int)]
        }
        var tracks: [Track]
        var album: String
        var albumArtist: String
        var releaseType: String
        var label: String
    }

    func generateBlock(_ block: Int, cache: WorkCache) -> GeneratedBlock {
        let u = universe
        var rng = SynthRandom(seed: u.seed, stream: SynthStream.block.rawValue, index: UInt64(block))
        let count = rng.chance(0.45) ? 1 : rng.range(2...12)
        var tracks: [GeneratedBlock.Track] = []
        tracks.reserveCapacity(count)
        for _ in 0..<count {
            let out = config.outWorks > 0 && rng.chance(config.outOfCatalogue)
            let index: Int
            if out {
                let rank = min(config.outWorks - 1, Int(Double(config.outWorks) * pow(rng.unit(), config.popularitySkew)))
                index = config.works + u.outPermutation.apply(rank)
            } else {
                let rank = min(config.works - 1, Int(Double(config.works) * pow(rng.unit(), config.popularitySkew)))
                index = u.inPermutation.apply(rank)
            }
            let w = cache.work(index, u)
            let rec = u.recording(w, u.pickRecording(w, &rng))
            let view = u.present(w, rec, &rng)
            tracks.append(.init(work: w, recording: rec, view: view, rows: []))
        }
        let various = count > 1
        var relRng = SynthRandom(seed: u.seed, stream: SynthStream.misc.rawValue, index: UInt64(block) | (1 << 40))
        let album = TitleRenderer.render(TitleSpec.random(&relRng), tracks[0].recording.titleLang).native
        let label = SynthVocabulary.labels[relRng.below(SynthVocabulary.labels.count)]
        let playsPower = -1 / (config.playsExponent - 1)
        for k in tracks.indices {
            var contexts = [0, 1, 2]
            let n = 1 + (rng.chance(0.35) ? 1 : 0) + (rng.chance(0.1) ? 1 : 0)
            for c in 0..<n {
                let pick = c + rng.below(contexts.count - c)
                contexts.swapAt(c, pick)
                let plays = max(1, min(10_000_000, Int(pow(1 - rng.unit(), playsPower))))
                tracks[k].rows.append((contexts[c], plays))
            }
        }
        return GeneratedBlock(
            tracks: tracks, album: album, albumArtist: various ? "Various Artists" : tracks[0].view.artist,
            releaseType: count == 1 ? "Single" : "Compilation", label: label)
    }

    static let summaries: [(model: String, use: String, service: String, rate: Double)] = [
        ("SubscriptionModel", "OnDemandStream", "Premium", 0.0040),
        ("AdvertisementSupportedModel", "OnDemandStream", "Free", 0.0008),
        ("SubscriptionModel", "NonInteractiveStream", "Radio", 0.0015),
    ]

    func writeUsage(outDir: String, summary: inout SynthSummary, progress: ((String) -> Void)?) throws(OeuvreError) {
        let u = universe
        let (startDate, endDate, created) = try periodDates()
        let usagePath = (outDir as NSString).appendingPathComponent("usage.tsv")
        let truthPath = (outDir as NSString).appendingPathComponent("truth.tsv")
        let usage = try TextSink(path: usagePath)
        let truth = try TextSink(path: truthPath)
        usage.row(["line_id", "isrc", "title", "artist", "duration", "plays", "iswc", "writers", "album"], separator: 9)
        truth.row(["line_id", "work_id"], separator: 9)
        let recipient = DPID.make(number: 2_000_000_000 + Int(config.seed % 1000))
        let sender = DPID.make(number: 1_000_000_000 + Int(config.seed % 1000))
        var dsr: DSRWriter?
        if config.writeDSR {
            let header = DSRWriter.Header(
                messageId: "OEUVRE-SYNTH-\(config.seed)-\(config.period)", created: created, usageStart: startDate,
                usageEnd: endDate, senderPartyId: sender, senderName: "Oeuvre Demo Streaming",
                serviceDescription: config.service, recipientPartyId: recipient, recipientName: "Oeuvre Demo Society",
                period: config.period, territory: config.territory)
            let sy = Self.summaries.enumerated().map { k, s in
                DSRWriter.Summary(
                    id: "S\(k + 1)", commercialModel: s.model, useType: s.use, territory: config.territory, service: s.service,
                    users: 1000 * (k + 1), rightsController: "Oeuvre Demo Society", rightsControllerPartyId: "DPID::" + recipient)
            }
            dsr = try DSRWriter(directory: (outDir as NSString).appendingPathComponent("report"), header: header, summaries: sy)
        }
        let totalWorks = config.works + config.outWorks
        var seen = [UInt64](repeating: 0, count: (totalWorks * SynthUniverse.maxRecordings + 63) / 64)
        var lineNo = 0
        var block = 0
        var nextReport = 1_000_000
        let caches = (0..<workers).map { _ in WorkCache() }
        while lineNo < config.lines {
            // Blocks are generated in parallel (each from its own random stream) and written in order.
            let remaining = config.lines - lineNo
            let count = min(4096, max(workers, remaining / 6 + 8))
            let first = block + 1
            let generated = parallelMap(count) { i, worker in self.generateBlock(first + i, cache: caches[worker]) }
            for g in generated where lineNo < config.lines {
                block += 1
                dsr?.beginBlock(release: DSRWriter.Release(
                    dspReleaseId: "rel-" + String(mixHash(u.seed, UInt64(block), 9) & 0xFFFF_FFFF_FF, radix: 16),
                    catalogNumber: "CAT-\(block)", icpn: SynthUniverse.ean13(mixHash(u.seed, UInt64(block), 13)),
                    displayArtist: g.albumArtist, title: g.album, releaseType: g.releaseType, label: g.label))
                for (k, t) in g.tracks.enumerated() where lineNo < config.lines {
                    let (w, rec, view) = (t.work, t.recording, t.view)
                    let ref = "A\(k + 1)"
                    // A DSP's track id is per release track: the same recording on two releases has two.
                    // Unique by construction: an odd multiplier is a bijection on 40-bit values.
                    let scrambled = (UInt64(block) << 4 | UInt64(k)) &* 0x9E37_79B9_7F4A_7C15 &+ u.seed
                    let dspId = "trk-" + String(scrambled & 0xFF_FFFF_FFFF, radix: 16)
                    try dsr?.resource(DSRWriter.Resource(
                        reference: ref, dspResourceId: dspId, isrc: view.isrc, title: view.title, subtitle: view.subtitle,
                        displayArtist: view.artist, duration: view.duration, iswc: view.iswc, composers: view.writers,
                        composerIds: view.writerIds))
                    let bit = w.index * SynthUniverse.maxRecordings + rec.r
                    if seen[bit >> 6] & (1 << UInt64(bit & 63)) == 0 {
                        seen[bit >> 6] |= 1 << UInt64(bit & 63)
                        summary.distinctRecordings += 1
                    }
                    let written = min(t.rows.count, config.lines - lineNo)
                    for (s, plays) in t.rows.prefix(written) {
                        lineNo += 1
                        // The line id a DSR reader derives: the resource id, plus the summary record when the
                        // resource has lines in several sales contexts; it is also the SalesTransactionId.
                        let lineId = written > 1 ? "\(dspId)@S\(s + 1)" : dspId
                        try dsr?.usage(summaryId: "S\(s + 1)", transactionId: lineId, resourceReference: ref, streams: plays,
                                       netRevenue: Double(plays) * Self.summaries[s].rate)
                        usage.row([
                            lineId, view.isrc, tsvCell(view.fullTitle), tsvCell(view.artist), view.duration.map(String.init) ?? "",
                            String(plays), view.iswc, tsvCell(view.writers.joined(separator: "|")), tsvCell(g.album),
                        ], separator: 9)
                        truth.row([lineId, w.id], separator: 9)
                        summary.lines += 1
                        summary.plays += plays
                        if !w.inCatalogue { summary.outOfCatalogueLines += 1 }
                        if rec.linked && !view.isrc.isEmpty { summary.linkedLines += 1 }
                    }
                }
            }
            if lineNo >= nextReport {
                progress?("usage: \(lineNo) lines")
                while nextReport <= lineNo { nextReport += 1_000_000 }
            }
        }
        summary.blocks = block
        summary.outOfCatalogueWorks = config.outWorks
        try usage.commit()
        try truth.commit()
        summary.files.append(usagePath)
        summary.files.append(truthPath)
        if let dsr {
            summary.files.append(try dsr.finish())
        }
    }
}
