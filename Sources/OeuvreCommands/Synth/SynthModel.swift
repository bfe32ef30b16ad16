import Foundation
import OeuvreCore

/// Generation settings; every realism knob is a probability or share that `oeuvre synth` exposes.
struct SynthConfig: Sendable {
    var works = 1000
    var lines = 5000
    var seed: UInt64 = 1
    /// Share of usage lines whose work is not in the catalogue.
    var outOfCatalogue = 0.15
    /// Share of out-of-catalogue works titled like a catalogued work (same or near-same title).
    var hardNegatives = 0.4
    /// Share of works whose title is in a non-Latin script.
    var nonLatin = 0.225
    /// Share of recordings whose ISRC the catalogue already links to the work (originals: twice as likely).
    var linkedShare = 0.25
    var iswcShare = 0.85
    /// Share of works with registered translated titles (TT) / another alternate title (AT).
    var translations = 0.15
    var alternateTitles = 0.08
    /// Share of works performed by one of their writers (singer-songwriters).
    var singerSongwriters = 0.25
    /// Share of usage lines that use a recording other than the original (covers, live, remasters …).
    var versions = 0.6
    /// Share of non-original recordings that are covers by other performers.
    var covers = 0.5
    var featured = 0.12
    /// Share of lines for non-Latin works reported in (varying) Latin transliteration.
    var transliterate = 0.3
    var typos = 0.04
    var truncations = 0.02
    var caseChanges = 0.06
    var stripDiacritics = 0.2
    var missingArtist = 0.03
    var missingISRC = 0.1
    var missingDuration = 0.08
    /// Share of lines whose report carries the composers' names (AS02) / the ISWC.
    var writersInReport = 0.1
    var iswcInReport = 0.01
    /// Share of lines presented as a user-uploaded video: "Artist - Title (Official Video)", "Title by
    /// Artist", … in the title cell, a channel name as the artist.
    var ugc = 0.05
    /// Popularity: rank = n · u^skew (higher = a few works take more of the usage).
    var popularitySkew = 2.5
    /// Plays per line follow P(plays = k) ∝ k^-exponent.
    var playsExponent = 2.0
    var splitCatalogue = false
    var writeCWR = true
    var writeDSR = true
    var territory = "FR"
    var period = "2025-03"
    var service = "Streaming"
    /// Share of works with a specific title (a name, a number, a place, a second phrase, a word of
    /// another language: see `TitleSpec.Specific`); nil = `defaultSpecificTitles(works:)`.
    var specificTitles: Double?

    /// Generator 5: the title space grows with the catalogue. The core templates give a few hundred
    /// thousand titles with a Zipf head, fine for catalogues of up to 10k works (their files are those of
    /// generator 4) but at 1M works only 31% of the titles would be distinct, where a real catalogue has
    /// most titles distinct and hundreds of namesakes only for short generic ones (training-data/README.md,
    /// "Title space"). Above 10k works a share of the works, growing with log(works), gets a specific title.
    static func defaultSpecificTitles(works: Int) -> Double {
        guard works > 10_000 else { return 0 }
        return min(specificTitlesMax, specificTitlesSlope * log(Double(works) / 10_000))
    }
    static let specificTitlesSlope = 0.15
    static let specificTitlesMax = 0.8

    /// Out-of-catalogue works generated so that they take `outOfCatalogue` of the lines.
    var outWorks: Int {
        guard outOfCatalogue > 0 else { return 0 }
        return max(1, Int((Double(works) * outOfCatalogue / max(0.01, 1 - outOfCatalogue)).rounded()))
    }
}

/// Random streams (the `stream` argument of SynthRandom), one per kind of entity.
enum SynthStream: UInt64 {
    case workTitle = 1, work, recording, performer, writer, publisher, block, resource, line, misc, ugc, titleSpecific
}

/// A catalogue or out-of-catalogue work, regenerated on demand from (seed, index).
struct SynthWork: Sendable {
    var index: Int
    var inCatalogue: Bool
    var id: String
    var iswc: String?
    var lang: SynthLanguage
    var spec: TitleSpec
    var title: String
    var roman: String
    /// Registered translated titles (CWR TT).
    var translations: [(lang: SynthLanguage, native: String, roman: String)]
    /// Registered other title (CWR AT).
    var alternate: (native: String, roman: String)?
    var writers: [Int]
    var designations: [String]
    var publisher: Int
    /// Original performer: a pool performer, or (performerId < 0) the first writer.
    var performerId: Int
    var performerName: String
    var performerCulture: SynthLanguage
    var duration: Int
    var year: Int
    var recordingCount: Int
    var instrumental: Bool
}

struct SynthRecording: Sendable {
    enum Kind: Int, Sendable { case original, remaster, live, radioEdit, extended, remix, acoustic, cover, translatedCover, karaoke, instrumental }
    var number: Int          // global recording number: work index · 16 + r
    var r: Int
    var kind: Kind
    var performerName: String
    var performerCulture: SynthLanguage
    var featured: String?
    var titleLang: SynthLanguage
    var titleNative: String
    var titleRoman: String
    var isrc: String
    var duration: Int
    var year: Int
    var venue: String
    var remixer: String
    var linked: Bool
}

/// `n` in decimal, left-padded with zeros to `width`.
func zeroPadded(_ n: Int, _ width: Int) -> String {
    let s = String(n)
    return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
}

struct SynthPerson: Sendable {
    var first: String
    var last: String
    var culture: SynthLanguage
    var display: String { first.isEmpty ? last : (culture == .zh || culture == .ko ? "\(last) \(first)" : "\(first) \(last)") }
}

/// Everything derived from the configuration: pools, permutations, language weights.
struct SynthUniverse: Sendable {
    let config: SynthConfig
    let seed: UInt64
    let langCumulative: [Double]
    let performerStarts: [Int]   // per culture, start of its id range (last element = pool size)
    let writerStarts: [Int]
    let publisherCount: Int
    let inPermutation: Permutation
    let outPermutation: Permutation
    let lex = SynthLexicon.shared
    /// Share of works with a specific title (generator 5).
    let specificTitles: Double

    static let maxRecordings = 16

    init(_ config: SynthConfig) {
        self.config = config
        seed = config.seed
        specificTitles = config.specificTitles ?? SynthConfig.defaultSpecificTitles(works: config.works)
        var weights = SynthLanguage.allCases.map(\.weight)
        let latin = SynthLanguage.allCases.filter(\.isLatin).map(\.weight).reduce(0, +)
        let nonLatin = SynthLanguage.allCases.filter { !$0.isLatin }.map(\.weight).reduce(0, +)
        let target = min(1, max(0, config.nonLatin))
        for l in SynthLanguage.allCases {
            weights[l.rawValue] = l.isLatin ? weights[l.rawValue] / latin * (1 - target) : weights[l.rawValue] / nonLatin * target
        }
        var acc = 0.0
        langCumulative = weights.map { acc += $0; return acc }
        let total = config.works + config.outWorks
        func ranges(_ size: Int) -> [Int] {
            var starts: [Int] = []
            var s = 0
            for l in SynthLanguage.allCases {
                starts.append(s)
                s += max(3, Int(Double(size) * weights[l.rawValue] / acc))
            }
            starts.append(s)
            return starts
        }
        performerStarts = ranges(max(60, total / 3))
        writerStarts = ranges(max(60, total / 2))
        publisherCount = max(5, min(2000, total / 400))
        inPermutation = Permutation(n: config.works, salt: mixHash(config.seed, 101))
        outPermutation = Permutation(n: max(1, config.outWorks), salt: mixHash(config.seed, 102))
    }

    func language(_ rng: inout SynthRandom) -> SynthLanguage {
        SynthLanguage(rawValue: rng.weighted(langCumulative)) ?? .en
    }

    // MARK: identifiers

    static func workId(_ index: Int) -> String {
        let s = String(index + 1)
        return "W" + String(repeating: "0", count: max(0, 7 - s.count)) + s
    }

    func iswc(_ index: Int) -> String {
        // Affine bijection on 0..<10^9 (multiplier coprime to 10).
        let n = (UInt64(index) &* 387_420_489 &+ (seed % 1_000_000_000)) % 1_000_000_000
        return ISWC.make(number: Int(n)).value
    }

    static let base36 = Array("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ".utf8)

    static let isrcCountries: [[String]] = [
        ["US", "GB", "CA", "AU", "IE"], ["FR", "BE", "CH"], ["ES", "MX", "AR", "CO"], ["DE", "AT", "CH"], ["IT"], ["BR", "PT"],
        ["RU"], ["CN", "TW", "HK"], ["JP"], ["KR"], ["GR", "CY"], ["EG", "LB", "AE"], ["IL"], ["IN"], ["TH"],
    ]

    /// A valid, unique ISRC per recording number (bijection onto registrant · year · designation).
    func isrc(_ number: Int, culture: SynthLanguage) -> String {
        let m: UInt64 = 46_656 * 10_000_000  // 36^3 registrants × 10^7
        let v = (mulmod(UInt64(number), 123_456_789_011, m) + seed % m) % m  // multiplier coprime to 2, 3, 5
        var reg = v / 10_000_000
        var rest = v % 10_000_000
        let countries = Self.isrcCountries[culture.rawValue]
        let country = countries[Int(mixHash(seed, UInt64(number) / 1000, 7) % UInt64(countries.count))]
        var bytes = [UInt8](repeating: 48, count: 12)
        for (k, b) in country.utf8.prefix(2).enumerated() { bytes[k] = b }
        for k in stride(from: 4, through: 2, by: -1) { bytes[k] = Self.base36[Int(reg % 36)]; reg /= 36 }
        for k in stride(from: 11, through: 5, by: -1) { bytes[k] = 48 + UInt8(rest % 10); rest /= 10 }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// a·b mod m without overflow.
    func mulmod(_ a: UInt64, _ b: UInt64, _ m: UInt64) -> UInt64 {
        let p = a.multipliedFullWidth(by: b)
        return m.dividingFullWidth((p.high, p.low)).remainder
    }

    static func ipiBase(_ sequence: Int) -> String {
        var digits = Array(String(sequence))
        digits = Array(repeating: "0", count: 9 - digits.count) + digits
        var sum = 2
        for (i, d) in digits.enumerated() { sum += (i + 1) * Int(String(d))! }
        return "I-" + String(digits) + "-" + String((10 - sum % 10) % 10)
    }

    static func ean13(_ payload: UInt64) -> String {
        var digits = Array(String(payload % 1_000_000_000_000))
        digits = Array(repeating: "0", count: 12 - digits.count) + digits
        var sum = 0
        for (i, d) in digits.reversed().enumerated() { sum += Int(String(d))! * (i % 2 == 0 ? 3 : 1) }
        return String(digits) + String((10 - sum % 10) % 10)
    }

    // MARK: people

    func culture(of id: Int, starts: [Int]) -> SynthLanguage {
        var lo = 0, hi = starts.count - 2
        while lo < hi {
            let mid = (lo + hi + 1) / 2
            if starts[mid] <= id { lo = mid } else { hi = mid - 1 }
        }
        return SynthLanguage(rawValue: lo) ?? .en
    }

    func pick(from starts: [Int], culture: SynthLanguage, _ rng: inout SynthRandom) -> Int {
        let s = starts[culture.rawValue], e = starts[culture.rawValue + 1]
        return s + rng.below(max(1, e - s))
    }

    func person(_ id: Int, culture c: SynthLanguage, stream: SynthStream) -> SynthPerson {
        var rng = SynthRandom(seed: seed, stream: stream.rawValue, index: UInt64(id))
        let given = SynthVocabulary.givenNames[c.rawValue], family = SynthVocabulary.familyNames[c.rawValue]
        var first = given[rng.zipf(given.count, s: 0.6)]
        var last = family[rng.zipf(family.count, s: 0.7)]
        if (c == .es || c == .pt) && rng.chance(0.4) { last += " " + family[rng.below(family.count)] }
        if (c == .en || c == .de || c == .fr) && rng.chance(0.15) {
            let initial = Character(UnicodeScalar(65 + rng.below(26))!)
            first += " \(initial)."
        }
        if c == .en && rng.chance(0.08) { last = family[rng.below(family.count)] + "-" + last }
        return SynthPerson(first: first, last: last, culture: c)
    }

    func writer(_ id: Int) -> SynthPerson {
        person(id, culture: culture(of: id, starts: writerStarts), stream: .writer)
    }

    func writerIPI(_ id: Int) -> IPINameNumber {
        IPINameNumber.make(sequence: Int((UInt64(id) &* 7_368_787 &+ 10_000_000) % 500_000_000))
    }

    func writerIPIBase(_ id: Int) -> String {
        Self.ipiBase(Int((UInt64(id) &* 2_750_159 &+ 4_000_000) % 1_000_000_000))
    }

    static let groupSuffixes = ["Band", "Project", "Collective", "Quartet", "Orchestra", "Trio", "Boys", "Girls", "Brothers", "Sisters", "Club", "Ensemble"]

    /// A performer of the pool: a solo artist, a group or a stage name.
    func performer(_ id: Int) -> (name: String, culture: SynthLanguage) {
        let c = culture(of: id, starts: performerStarts)
        var rng = SynthRandom(seed: seed, stream: SynthStream.performer.rawValue, index: UInt64(id))
        let u = rng.unit()
        let enRare = lex.rare[0]
        func cap(_ s: String) -> String { TitleRenderer.capitalizedFirst(s) }
        func plural(_ w: String) -> String {
            if w.hasSuffix("s") { return w }
            if w.hasSuffix("y") && !w.hasSuffix("ey") && !w.hasSuffix("ay") { return String(w.dropLast()) + "ies" }
            if w.hasSuffix("sh") || w.hasSuffix("ch") || w.hasSuffix("x") { return w + "es" }
            return w + "s"
        }
        if u < 0.45 {
            return (person(id, culture: c, stream: .performer).display, c)
        } else if u < 0.8 {
            let noun = lex.nouns[rng.below(lex.nouns.count)][0].roman
            let adj = lex.adjectives[rng.below(lex.adjectives.count)][0].roman
            let rare = enRare[rng.below(enRare.count)]
            if c == .en || rng.chance(0.5) {
                switch rng.below(5) {
                case 0: return ("The \(cap(adj)) \(cap(plural(noun)))", c)
                case 1: return ("\(cap(rare)) \(cap(plural(noun)))", c)
                case 2: return ("\(cap(adj)) \(cap(rare))", c)
                case 3: return ("\(lex.properNames[rng.below(lex.properNames.count)]) and the \(cap(plural(rare)))", c)
                default: return ("The \(cap(plural(rare)))", c)
                }
            }
            let word = lex.nouns[rng.below(lex.nouns.count)][c.rawValue].roman
            return ("\(cap(word)) \(Self.groupSuffixes[rng.below(Self.groupSuffixes.count)])", c)
        } else {
            let p = person(id, culture: c, stream: .performer)
            let rare = cap(enRare[rng.below(enRare.count)])
            switch rng.below(6) {
            case 0: return ("DJ \(rare)", c)
            case 1: return ("Lil \(rare)", c)
            case 2: return ("MC \(p.first.split(separator: " ").first.map(String.init) ?? p.first)", c)
            case 3: return (p.first.split(separator: " ").first.map(String.init) ?? p.first, c)
            case 4: return (rare, c)
            default: return ("Young \(p.last)", c)
            }
        }
    }

    func publisher(_ id: Int) -> (name: String, ipi: IPINameNumber, ipNumber: String, society: Int) {
        var rng = SynthRandom(seed: seed, stream: SynthStream.publisher.rawValue, index: UInt64(id))
        let w = SynthVocabulary.publisherWords
        let suffix = SynthVocabulary.publisherSuffixes[rng.below(SynthVocabulary.publisherSuffixes.count)]
        let name = "\(w[rng.below(w.count)]) \(w[rng.below(w.count)]) \(suffix)"
        let ipi = IPINameNumber.make(sequence: 600_000_000 + id * 37 + 11)
        let societies = [52, 58, 72, 35, 74, 10, 21, 38, 101, 79]
        return (name, ipi, "P" + zeroPadded(id + 1, 6), societies[rng.below(societies.count)])
    }

    static let societiesByCulture: [[Int]] = [
        [52, 10, 21, 8, 101], [58], [72], [35], [74], [58, 52], [52, 58], [52, 10], [38], [52, 10], [58, 52], [58, 52], [52, 10], [52], [52],
    ]

    // MARK: works

    func spec(_ index: Int) -> (TitleSpec, SynthLanguage) {
        var rng = SynthRandom(seed: seed, stream: SynthStream.workTitle.rawValue, index: UInt64(index))
        let lang = language(&rng)
        var spec = TitleSpec.random(&rng)
        if specificTitles > 0 {
            // Its own stream: the core title is the one generator 4 drew for this work.
            var own = SynthRandom(seed: seed, stream: SynthStream.titleSpecific.rawValue, index: UInt64(index))
            if own.chance(specificTitles) { spec.makeSpecific(&own, lang) }
        }
        return (spec, lang)
    }

    func work(_ index: Int) -> SynthWork {
        let inCatalogue = index < config.works
        var rng = SynthRandom(seed: seed, stream: SynthStream.work.rawValue, index: UInt64(index))
        var (spec, lang) = self.spec(index)
        if !inCatalogue, config.works > 0, rng.chance(config.hardNegatives) {
            // A hard negative: the title (or a near copy) of a catalogued work, other writers and performer.
            // Different songs share short generic titles ("Home", "Rain", "Good Times") far more often than
            // long ones, so the twin is the shortest-titled of three catalogued works drawn at random.
            var twin = self.spec(rng.below(config.works))
            var twinLength = TitleRenderer.render(twin.0, twin.1).roman.count
            for _ in 0..<2 {
                let other = self.spec(rng.below(config.works))
                let length = TitleRenderer.render(other.0, other.1).roman.count
                if length < twinLength { (twin, twinLength) = (other, length) }
            }
            spec = rng.chance(0.5) ? twin.0 : twin.0.perturbed(&rng)
            lang = twin.1
        }
        let (title, roman) = TitleRenderer.render(spec, lang)
        var translations: [(SynthLanguage, String, String)] = []
        if rng.chance(config.translations) {
            for _ in 0..<(rng.chance(0.3) ? 2 : 1) {
                var other = language(&rng)
                if other == lang { other = lang == .en ? .fr : .en }
                if translations.contains(where: { $0.0 == other }) { continue }
                let t = TitleRenderer.render(spec, other)
                if t.native != title { translations.append((other, t.native, t.roman)) }
            }
        }
        var alternate: (String, String)?
        if rng.chance(config.alternateTitles) {
            var alt = TitleSpec.random(&rng)
            alt.noun1 = spec.noun1
            let t = TitleRenderer.render(alt, lang)
            if t.native != title { alternate = t }
        }
        let writerCulture = rng.chance(0.85) ? lang : language(&rng)
        let writerCount = [1, 1, 1, 2, 2, 2, 2, 3, 3, 4][rng.below(10)]
        var writers: [Int] = []
        for k in 0..<writerCount {
            let c = k == 0 ? writerCulture : (rng.chance(0.7) ? writerCulture : language(&rng))
            let w = pick(from: writerStarts, culture: c, &rng)
            if !writers.contains(w) { writers.append(w) }
        }
        let instrumental = rng.chance(0.06)
        var designations: [String]
        if instrumental {
            designations = writers.map { _ in "C" }
        } else if writers.count == 1 {
            designations = ["CA"]
        } else if rng.chance(0.5) {
            designations = writers.enumerated().map { $0.offset == 0 ? "C" : ($0.offset == 1 ? "A" : "CA") }
        } else {
            designations = writers.map { _ in "CA" }
        }
        let publisher = rng.below(publisherCount)
        var performerId: Int, performerName: String, performerCulture: SynthLanguage
        if rng.chance(config.singerSongwriters) {
            let p = writer(writers[0])
            performerId = -1 - writers[0]
            performerName = p.display
            performerCulture = p.culture
        } else {
            let c = rng.chance(0.85) ? lang : language(&rng)
            performerId = pick(from: performerStarts, culture: c, &rng)
            (performerName, performerCulture) = performer(performerId)
        }
        let duration = 95 + Int(rng.unit() * 150) + Int(rng.unit() * 120)
        let year = 1955 + Int(pow(rng.unit(), 0.6) * 70)
        var recordingCount = 1 + Int(-log(1 - rng.unit()) * 3.0)
        recordingCount = min(Self.maxRecordings, recordingCount)
        return SynthWork(
            index: index, inCatalogue: inCatalogue, id: inCatalogue ? Self.workId(index) : "",
            iswc: rng.chance(config.iswcShare) ? iswc(index) : nil, lang: lang, spec: spec, title: title, roman: roman,
            translations: translations, alternate: alternate, writers: writers, designations: designations,
            publisher: publisher, performerId: performerId, performerName: performerName, performerCulture: performerCulture,
            duration: duration, year: min(2025, year), recordingCount: recordingCount, instrumental: instrumental)
    }

    static let kindWeights: [(SynthRecording.Kind, Double)] = [
        (.remaster, 12), (.live, 15), (.radioEdit, 7), (.extended, 3), (.remix, 7), (.acoustic, 6), (.karaoke, 6), (.instrumental, 3),
    ]

    func recording(_ w: SynthWork, _ r: Int) -> SynthRecording {
        let number = w.index * Self.maxRecordings + r
        var rng = SynthRandom(seed: seed, stream: SynthStream.recording.rawValue, index: UInt64(number))
        var kind: SynthRecording.Kind = .original
        if r > 0 {
            if rng.chance(config.covers) {
                kind = rng.chance(0.1) ? .translatedCover : .cover
            } else {
                let total = Self.kindWeights.map(\.1).reduce(0, +)
                var u = rng.unit() * total
                kind = .remaster
                for (k, wgt) in Self.kindWeights {
                    if u < wgt { kind = k; break }
                    u -= wgt
                }
            }
        }
        var performerName = w.performerName, culture = w.performerCulture
        var titleLang = w.lang, titleNative = w.title, titleRoman = w.roman
        if kind == .cover || kind == .translatedCover || (kind == .acoustic && rng.chance(0.5)) {
            let c = rng.chance(0.6) ? w.lang : language(&rng)
            var pid = pick(from: performerStarts, culture: c, &rng)
            if pid == w.performerId { pid = (pid + 1) % (performerStarts.last ?? 1) }
            (performerName, culture) = performer(pid)
        }
        if kind == .translatedCover {
            if !w.translations.isEmpty && rng.chance(0.6) {
                let t = w.translations[rng.below(w.translations.count)]
                (titleLang, titleNative, titleRoman) = (t.lang, t.native, t.roman)
            } else {
                var other = language(&rng)
                if other == w.lang { other = w.lang == .en ? .es : .en }
                let t = TitleRenderer.render(w.spec, other)
                (titleLang, titleNative, titleRoman) = (other, t.native, t.roman)
            }
        }
        var featured: String?
        if kind != .karaoke && kind != .instrumental && rng.chance(config.featured) {
            featured = performer(rng.below(performerStarts.last ?? 1)).name
        }
        var duration = w.duration + rng.range(-3...3)
        switch kind {
        case .live: duration += rng.range(8...70)
        case .radioEdit: duration -= rng.range(15...50)
        case .extended: duration += rng.range(60...180)
        case .remix: duration += rng.range(-30...90)
        case .cover, .translatedCover, .acoustic: duration += rng.range(-30...30)
        default: break
        }
        let year: Int
        switch kind {
        case .original: year = w.year
        default: year = min(2025, w.year + 1 + Int(rng.unit() * Double(max(1, 2025 - w.year))))
        }
        let venue = rng.chance(0.7) ? SynthVocabulary.venues[rng.below(SynthVocabulary.venues.count)]
            : SynthVocabulary.cities[rng.below(SynthVocabulary.cities.count)]
        let remixer = kind == .remix ? performer(rng.below(performerStarts.last ?? 1)).name : ""
        let linkP = r == 0 ? min(1, 2 * config.linkedShare) : config.linkedShare
        return SynthRecording(
            number: number, r: r, kind: kind, performerName: performerName, performerCulture: culture, featured: featured,
            titleLang: titleLang, titleNative: titleNative, titleRoman: titleRoman,
            isrc: isrc(number, culture: culture), duration: max(45, duration), year: year,
            venue: venue, remixer: remixer, linked: w.inCatalogue && rng.chance(linkP))
    }

    /// Which recording a usage line plays: the original most often, then the others.
    func pickRecording(_ w: SynthWork, _ rng: inout SynthRandom) -> Int {
        guard w.recordingCount > 1, rng.chance(config.versions) else { return 0 }
        return 1 + rng.zipf(w.recordingCount - 1, s: 0.8)
    }
}
