import ArgumentParser
import Formats
import Foundation
import Matching
import Normalization

/// `oeuvre bench …`: hidden benchmark modes driven by scripts in bench/ (they print figures; they
/// are not tests).
struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Benchmarks (used by bench/ scripts).",
        shouldDisplay: false,
        subcommands: [BenchNormalizeCommand.self, BenchProfilesCommand.self, Sgemm.self, BenchCatalogLoadCommand.self]
    )
}

/// `oeuvre bench normalize`: title-parsing throughput on one thread over a generated mix of
/// streaming titles — ASCII titles with DSP decorations and non-Latin titles whose words repeat
/// with a Zipf-like distribution, as in real reports (the per-word transliteration cache matters).
struct BenchNormalizeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "normalize",
        abstract: "Titles/s of TitleParser.parse on one thread for the ASCII and the non-Latin share of a generated mix."
    )

    @Option(help: "Number of titles generated.") var count = 1_000_000
    @Option(help: "Seed of the generator.") var seed: UInt64 = 42
    @Option(help: "Share of non-Latin titles (0…1).") var nonLatinShare = 0.2
    @Option(help: "Timed runs per share; the best is reported (the non-Latin share starts with a cold cache each run).")
    var runs = 3
    @Flag(help: "Also split the display-artist credits (CreditSplitter) inside the timed loop.") var credits = false
    @Flag(help: "Print a few generated titles and what the parser made of them, then stop.") var sample = false

    func validate() throws {
        guard count > 0, count <= 50_000_000 else { throw ValidationError("--count must be in 1…50000000") }
        guard (0...1).contains(nonLatinShare) else { throw ValidationError("--non-latin-share must be in 0…1") }
        guard runs >= 1 else { throw ValidationError("--runs must be at least 1") }
    }

    func run() async throws {
        var rng = BenchRandom(seed: seed)
        let nonLatinCount = Int((Double(count) * nonLatinShare).rounded())
        let asciiCount = count - nonLatinCount
        var gen = TitleGenerator()
        let ascii = (0..<asciiCount).map { _ in gen.asciiTitle(&rng) }
        let nonLatin = (0..<nonLatinCount).map { _ in gen.nonLatinTitle(&rng) }

        if sample {
            let parser = TitleParser()
            for t in ascii.prefix(12) + nonLatin.prefix(12) {
                let p = parser.parse(t.title)
                print("\(t.title)  →  \(p.core) \(p.tags) \(p.featured)")
            }
            return
        }

        print("normalize benchmark: \(asciiCount) ASCII + \(nonLatinCount) non-Latin titles (seed \(seed)), one thread, best of \(runs)")
        print("rates per second of thread CPU time (wall-clock rate in brackets; they differ when the machine is busy)")
        print("OpenBLAS kernel: \(BLAS.coreName)")
        if !ascii.isEmpty {
            let r = measure(ascii)
            print(String(format: "ASCII titles:     %10.0f titles/s  (%.2f µs/title) [wall %.0f/s]", r.rate, 1e6 / r.rate, r.wallRate))
        }
        if !nonLatin.isEmpty {
            let r = measure(nonLatin)
            let distinct = Set(nonLatin.flatMap { $0.title.split(separator: " ") }).count
            print(String(format: "non-Latin titles: %10.0f titles/s  (%.2f µs/title) [wall %.0f/s]; cold cache each run: %d ICU transliterations, %d distinct words",
                         r.rate, 1e6 / r.rate, r.wallRate, r.icuCalls, distinct))
        }
        if !ascii.isEmpty && !nonLatin.isEmpty {
            var mixed = ascii
            mixed.append(contentsOf: nonLatin)
            mixed.shuffle(using: &rng)
            let r = measure(mixed)
            print(String(format: "mixed:            %10.0f titles/s  [wall %.0f/s]", r.rate, r.wallRate))
        }
    }

    private func measure(_ titles: [GeneratedTitle]) -> (rate: Double, wallRate: Double, icuCalls: Int) {
        var best = Double.infinity
        var bestWall = Double.infinity
        var icu = 0
        var checksum = 0
        let withCredits = credits  // property-wrapper getters are slow: not inside the timed loop
        for _ in 0..<runs {
            let parser = TitleParser()
            let splitter = CreditSplitter(normalizer: parser.normalizer)
            let clock = ContinuousClock()
            let start = clock.now
            let cpuStart = Self.threadCPUSeconds()
            for t in titles {
                let p = parser.parse(t.title)
                checksum &+= p.core.utf8.count &+ p.tags.count &+ p.featured.count
                if withCredits { checksum &+= splitter.split(t.artist).count }
            }
            let cpu = Self.threadCPUSeconds() - cpuStart
            let elapsed = clock.now - start
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
            best = min(best, cpu)
            bestWall = min(bestWall, seconds)
            icu = parser.normalizer.icuCalls
        }
        if checksum == 42 { print("") }  // keeps the loop's results alive
        return (Double(titles.count) / best, Double(titles.count) / bestWall, icu)
    }

    /// CPU time of the calling thread: the work done on one core, whatever else the machine runs.
    static func threadCPUSeconds() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
    }
}

/// `oeuvre bench profiles REPORT`: `ProfileBuilder.line` on one thread over the distinct lines of a report — the
/// part of a match before retrieval that every distinct recording pays (title junk, parsing, readings, credits).
/// Prints lines/s of thread CPU time and a digest of the profiles, so that two binaries can be compared side by
/// side and shown to build the same profiles.
struct BenchProfilesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "profiles",
        abstract: "Line profiles/s of ProfileBuilder.line on one thread over a report's lines, with a digest of the profiles."
    )

    @Argument(help: "A usage report (CSV/TSV/DSR).") var report: String
    @Option(help: "Profile at most this many lines (the first ones).") var limit = 200_000
    @Option(help: "Timed runs; the best is reported (each with a new builder: cold caches).") var runs = 3
    @Flag(help: "Skip the digest (its reflection of every profile dominates a perf profile of this command).") var noDigest = false

    func validate() throws {
        guard limit > 0 else { throw ValidationError("--limit must be positive") }
        guard runs >= 1 else { throw ValidationError("--runs must be at least 1") }
    }

    func run() async throws {
        let lines = Array(try UsageReports.read(paths: [report]).lines.prefix(limit))
        var best = Double.infinity
        var profiles: [LineProfile] = []
        for _ in 0..<runs {
            let builder = ProfileBuilder()
            profiles.removeAll(keepingCapacity: true)
            profiles.reserveCapacity(lines.count)
            let start = BenchNormalizeCommand.threadCPUSeconds()
            for l in lines { profiles.append(builder.line(l)) }
            best = min(best, BenchNormalizeCommand.threadCPUSeconds() - start)
        }
        // FNV-1a over each profile's description: the same on every run and platform for the same profiles.
        var digest: UInt64 = 0xcbf2_9ce4_8422_2325
        for p in profiles where !noDigest {
            for b in String(reflecting: p).utf8 { digest = (digest ^ UInt64(b)) &* 0x100_0000_01b3 }
        }
        print(String(format: "profiles: %d lines, %.0f lines/s (%.2f µs/line) on one thread, best of %d; digest %016llx",
                     lines.count, Double(lines.count) / best, best / Double(lines.count) * 1e6, runs, digest))
    }
}

struct GeneratedTitle {
    var title: String
    var artist: String
}

/// SplitMix64: deterministic across platforms.
struct BenchRandom: RandomNumberGenerator {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Generates streaming-style titles. Words are drawn Zipf-like (a few very frequent, a long tail).
struct TitleGenerator {
    static let words = """
        love heart night day time life baby girl boy world dream fire rain sun moon star light dark blue red gold \
        home road way street city town river sea ocean sky summer winter spring fall dance party song music sound \
        feel know want need give take make break run fly fall stay go come back away forever never always tonight \
        tomorrow yesterday today morning midnight crazy wild free young old new lost found better best last first \
        little big high low slow fast sweet bitter cold hot soul mind body eyes hands lips kiss touch tears smile \
        angel devil heaven hell paradise thunder lightning storm shadow ghost king queen prince lady man woman \
        friend lover stranger hero rebel rock roll blues soul groove funk disco money diamond ring game play word \
        story letter secret promise lie truth hope faith trust fear pain love me you us together alone lonely \
        happy sad beautiful wonderful dangerous electric magic golden silver broken burning falling rising shining \
        running dancing dreaming waiting missing calling talking walking flying crying singing holding wishing \
        california london paris tokyo berlin memphis texas hollywood broadway harlem brooklyn miami chicago
        """.split(separator: " ").map(String.init)
    static let fillers = ["the", "of", "in", "on", "my", "your", "a", "to", "with", "for", "all", "no", "one", "i", "we"]
    static let first = ["john", "mary", "james", "anna", "david", "maria", "chris", "lisa", "kevin", "sofia", "marc", "lil",
                        "dj", "big", "young", "el", "la", "miss", "mr", "king", "sam", "ella", "max", "leo", "nina"]
    static let last = ["smith", "jones", "brown", "garcia", "martin", "lopez", "lee", "walker", "young", "king", "scott",
                       "green", "baker", "adams", "nelson", "hill", "rivera", "campbell", "mitchell", "roberts", "snake",
                       "gotti", "wayne", "west", "swift", "mars", "lipa", "bieber", "grande", "guetta", "harris"]
    static let venues = ["Wembley Stadium", "the Royal Albert Hall", "Madison Square Garden", "the BBC", "Montreux",
                         "Budokan", "Red Rocks", "the Apollo", "Glastonbury 2019", "Rock in Rio", "the Fillmore"]
    static let films = ["Frozen", "Titanic", "The Lion King", "Top Gun: Maverick", "Encanto", "La La Land", "Barbie",
                        "A Star Is Born", "The Bodyguard", "Dirty Dancing"]

    // Non-Latin syllable inventories; words are 1–3 syllables, drawn from a Zipf-like vocabulary.
    static let scripts: [[String]] = [
        ["ка", "ли", "на", "ро", "ма", "ль", "ой", "не", "ве", "че", "ра", "до", "бе", "се", "зо", "лю", "бо", "вь", "ти", "ша",
         "го", "ре", "мо", "ря", "сне", "жи", "зн", "сча", "стье", "пе", "сня"],
        ["ζω", "ντα", "να", "αγ", "άπη", "κα", "λη", "με", "ρα", "νύ", "χτα", "θά", "λασ", "σα", "ου", "ρα", "νός", "πα", "ιδι"],
        ["爱", "你", "我", "的", "心", "月", "亮", "星", "夜", "梦", "雨", "风", "花", "海", "天", "光", "情", "歌", "春", "秋",
         "告", "白", "气", "球", "稻", "香", "晴", "天", "青", "花", "瓷", "东", "京", "红", "蓮", "華"],
        ["さ", "く", "ら", "な", "み", "だ", "ゆ", "め", "こ", "い", "あ", "お", "そ", "ら", "ほ", "し", "キ", "ミ", "ア", "イ",
         "ド", "ル", "タ", "ワ", "ー", "夜", "空", "星", "恋", "心"],
        ["사", "랑", "해", "봄", "날", "별", "밤", "하", "늘", "눈", "물", "꽃", "너", "나", "우", "리", "다", "시", "안", "녕",
         "소", "년", "단", "강", "남", "스", "타", "일"],
        ["حب", "يب", "ي", "نو", "ر", "عي", "ن", "قل", "ب", "ليل", "يا", "سما", "ء", "بح", "ر"],
        ["שי", "ר", "אה", "בה", "לי", "לה", "של", "ום", "זה", "ב", "ירו", "שלי", "ם"],
        ["तु", "म", "ही", "हो", "प्या", "र", "दि", "ल", "मे", "रे", "स", "प", "ना", "चन्", "ना", "या"],
        ["รัก", "เธอ", "ใจ", "ฉัน", "คืน", "ฟ้า", "ดาว", "ลาว", "ดวง", "เดือน", "ฝน", "ทะเล"],
    ]

    private var vocab: [[String]] = []

    mutating func asciiTitle(_ rng: inout BenchRandom) -> GeneratedTitle {
        func word() -> String {
            let w = Self.words[zipf(Self.words.count, &rng)]
            return w.prefix(1).uppercased() + w.dropFirst()
        }
        func name() -> String {
            let f = Self.first[Int.random(in: 0..<Self.first.count, using: &rng)]
            let l = Self.last[Int.random(in: 0..<Self.last.count, using: &rng)]
            return f.prefix(1).uppercased() + f.dropFirst() + " " + l.prefix(1).uppercased() + l.dropFirst()
        }
        var parts: [String] = []
        for i in 0..<Int.random(in: 1...5, using: &rng) {
            if i > 0 && Int.random(in: 0..<4, using: &rng) == 0 {
                parts.append(Self.fillers[Int.random(in: 0..<Self.fillers.count, using: &rng)])
            }
            parts.append(word())
        }
        var title = parts.joined(separator: " ")
        let artist = Int.random(in: 0..<5, using: &rng) == 0 ? name() + " & " + name() : name()
        let year = 1960 + Int.random(in: 0..<60, using: &rng)
        switch Int.random(in: 0..<100, using: &rng) {
        case 0..<30: break
        case 30..<40: title += " - Remastered \(year)"
        case 40..<45: title += " - \(year) Remaster"
        case 45..<55: title += " (feat. \(name()))"
        case 55..<60: title += " (feat. \(name()) & \(name()))"
        case 60..<64: title += " (Live)"
        case 64..<68: title += " - Live at \(Self.venues[Int.random(in: 0..<Self.venues.count, using: &rng)])"
        case 68..<72: title += " [Radio Edit]"
        case 72..<76: title += " (\(name()) Remix)"
        case 76..<79: title += " (feat. \(name())) [\(name()) Remix]"
        case 79..<81: title += " - From \"\(Self.films[Int.random(in: 0..<Self.films.count, using: &rng)])\""
        case 81..<83: title += " (Acoustic)"
        case 83..<85: title += " (Instrumental)"
        case 85..<87: title += " (Karaoke Version) [In the Style of \(name())]"
        case 87..<89: title += " (with \(name()))"
        case 89..<91: title += " - Single Version"
        case 91..<93: title += " / " + word() + " " + word()
        case 93..<95: title = "(" + word() + " " + word() + ") " + title
        case 95..<97: title += " (" + word() + " " + word() + ")"
        case 97..<98: title += " - Mono / Remastered \(year)"
        default: title += " (Explicit)"
        }
        return GeneratedTitle(title: title, artist: artist)
    }

    mutating func nonLatinTitle(_ rng: inout BenchRandom) -> GeneratedTitle {
        if vocab.isEmpty {
            var r = BenchRandom(seed: 0x5EED)
            vocab = Self.scripts.map { syllables in
                (0..<3000).map { _ in
                    (0..<Int.random(in: 1...3, using: &r)).map { _ in syllables[Int.random(in: 0..<syllables.count, using: &r)] }.joined()
                }
            }
        }
        let s = Int.random(in: 0..<vocab.count, using: &rng)
        let words = vocab[s]
        let joiner = s == 2 || s == 3 || s == 8 ? "" : " "  // Han, kana and Thai run words together
        let n = Int.random(in: 1...4, using: &rng)
        var title = (0..<n).map { _ in words[zipf(words.count, &rng)] }.joined(separator: joiner)
        let artist = (0..<2).map { _ in words[zipf(words.count, &rng)] }.joined(separator: " ")
        switch Int.random(in: 0..<100, using: &rng) {
        case 0..<70: break
        case 70..<80: title += " (Live)"
        case 80..<88: title += " (feat. " + words[zipf(words.count, &rng)] + ")"
        case 88..<94: title += " - Remix"
        default: title += " (Inst.)"
        }
        return GeneratedTitle(title: title, artist: artist)
    }

    /// Index in 0..<n, Zipf-like: P(i) roughly ∝ 1/(i+1).
    private func zipf(_ n: Int, _ rng: inout BenchRandom) -> Int {
        let u = Double.random(in: 0..<1, using: &rng)
        return min(n - 1, Int(exp(u * log(Double(n) + 1))) - 1)
    }
}
