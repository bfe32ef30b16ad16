/// A word in a language: its native spelling and the romanization a catalogue registers.
struct SynthWord: Sendable {
    var native: String
    var roman: String
}

/// The parsed vocabulary tables, built once.
struct SynthLexicon: Sendable {
    let nouns: [[SynthWord]]      // [concept][language]
    let adjectives: [[SynthWord]]
    let adverbs: [[SynthWord]]
    let of: [SynthWord]
    let and: [SynthWord]
    let my: [SynthWord]
    let rare: [[String]]          // per Latin language
    let properNames: [String]

    static let shared = SynthLexicon()

    static let placePrefixes = [
        "Port", "Lake", "Mount", "Fort", "San", "Santa", "Saint", "New", "Little", "Old", "North", "South", "West",
        "East", "Villa", "Puerto", "Monte", "Bad", "Porto", "Rio", "Cape", "Glen",
    ]
    static let placeSuffixes = ["ville", "ton", "field", "wood", "burg", "dale", "haven", "brook"]
    /// Generated place names: the named places, then prefix + family name, then family name + suffix.
    static let placeCount = SynthVocabulary.properNames.count + SynthVocabulary.cities.count
        + (placePrefixes.count + placeSuffixes.count) * 6 * 32

    /// Place `k` of 0..<placeCount (`Valencia`, `Port Moreno`, `Schmidtburg`).
    static func place(_ k: Int) -> String {
        var k = k
        if k < SynthVocabulary.properNames.count { return SynthVocabulary.properNames[k] }
        k -= SynthVocabulary.properNames.count
        if k < SynthVocabulary.cities.count { return SynthVocabulary.cities[k] }
        k -= SynthVocabulary.cities.count
        let family = SynthVocabulary.familyNames[(k / 32) % 6]
        let name = family[k % 32 % family.count]
        let affix = k / (32 * 6)
        if affix < placePrefixes.count { return "\(placePrefixes[affix]) \(name)" }
        let plain = name.split(separator: " ").first.map(String.init) ?? name
        return plain + placeSuffixes[(affix - placePrefixes.count) % placeSuffixes.count]
    }

    private init() {
        func parse(_ line: String) -> [SynthWord] {
            let cells = line.split(separator: ";", omittingEmptySubsequences: false).map(String.init)
            precondition(cells.count == SynthLanguage.allCases.count, "vocabulary line with \(cells.count) cells: \(line)")
            return cells.map { cell in
                if let slash = cell.firstIndex(of: "/") {
                    return SynthWord(native: String(cell[..<slash]), roman: String(cell[cell.index(after: slash)...]))
                }
                return SynthWord(native: cell, roman: cell)
            }
        }
        nouns = SynthVocabulary.nouns.map(parse)
        adjectives = SynthVocabulary.adjectives.map(parse)
        adverbs = SynthVocabulary.adverbs.map(parse)
        func split(_ s: String) -> SynthWord {
            if let slash = s.firstIndex(of: "/") {
                return SynthWord(native: String(s[..<slash]), roman: String(s[s.index(after: slash)...]))
            }
            return SynthWord(native: s, roman: s)
        }
        of = SynthVocabulary.connectives.map { split($0.of) }
        and = SynthVocabulary.connectives.map { split($0.and) }
        my = SynthVocabulary.connectives.map { split($0.my) }
        rare = SynthVocabulary.rare
        properNames = SynthVocabulary.properNames
    }
}

/// A title independent of language: a template and the concepts filling its slots, so that the
/// same title can be rendered in any language (translations) or perturbed (near-duplicates).
struct TitleSpec: Sendable, Hashable {
    /// 0 N · 1 A N · 2 N of N · 3 N and N · 4 A N of N · 5 X · 6 N X · 7 my N · 8 P · 9 N in P · 10 R ·
    /// 11 A R · 12 A N, A N · 13 R of N · 14 A A N
    var template: Int
    var noun1: Int
    var noun2: Int
    var adj1: Int
    var adj2: Int
    var adverb: Int
    var proper: Int
    var rare: Int
    var article: Bool
    /// Generator 5: what makes the title specific beyond its template (`Specific`; `.none` for the
    /// core titles, which are all a catalogue of up to 10k works has), and its parameters.
    var specific: Specific = .none
    var specificA: Int32 = 0
    var specificB: Int32 = 0

    /// Ways a title leaves the core vocabulary, as titles of large real catalogues do. The core title
    /// stays the head of the title ("Blue Night" → "Blue Night in Port Moreno"), so these titles are
    /// near namesakes of the core ones, rarely exact ones.
    enum Specific: UInt8, Sendable, Hashable {
        case none
        /// `Blue Night 1987`, `Rain 47` (A = the number).
        case number
        /// `Sweet Dreams, Elena` (A = culture and given name: translations keep the name).
        case vocative
        /// `Ballad of Maria Santos`, `Song for Pablo` (A = culture and given name, B = family name, sign: of / for).
        case person
        /// `Rain in Port Moreno` (A = place).
        case place
        /// `Heartbeat: Blue Night` (A = seed of the second title).
        case compound
        /// `Night Saudade` (A = language, B = word of another language's distinctive words).
        case foreignWord
        /// `Blue Night and the Sea` (A = noun).
        case andNoun
        /// `Elena Vasquez` (A = given, B = family name): a person's name alone.
        case name
    }

    static let latinKinds: [(Specific, Double)] = [
        (.number, 2), (.vocative, 1), (.person, 2), (.place, 1.5), (.compound, 1.5), (.foreignWord, 1), (.andNoun, 1), (.name, 0.6),
    ]
    static let otherKinds: [(Specific, Double)] = [(.number, 1.5), (.compound, 1.5), (.andNoun, 1)]
    static let latinKindsCumulative: [Double] = { var acc = 0.0; return latinKinds.map { acc += $0.1; return acc } }()
    static let otherKindsCumulative: [Double] = { var acc = 0.0; return otherKinds.map { acc += $0.1; return acc } }()

    /// Gives the title a specific part drawn from `rng` (the caller's own stream: the core draws are untouched).
    mutating func makeSpecific(_ rng: inout SynthRandom, _ lang: SynthLanguage) {
        let lex = SynthLexicon.shared
        let kinds = lang.isLatin ? Self.latinKinds : Self.otherKinds
        specific = kinds[rng.weighted(lang.isLatin ? Self.latinKindsCumulative : Self.otherKindsCumulative)].0
        // `Rain in Rosalie` (templates 8, 9) takes no second place.
        if specific == .place && (template == 8 || template == 9) { specific = .number }
        let culture = lang.isLatin ? lang.rawValue : SynthLanguage.en.rawValue
        switch specific {
        case .none: break
        case .number:
            let u = rng.unit()
            specificA = Int32(u < 0.4 ? rng.range(2...20) : u < 0.65 ? rng.range(21...99) : u < 0.8 ? rng.range(100...999) : rng.range(1950...2025))
        case .vocative:
            specificA = Int32(culture << 16 | rng.below(SynthVocabulary.givenNames[culture].count))
        case .person, .name:
            // Names of any Latin-script culture (catalogues mix them), most often the title's own.
            let c = rng.chance(0.7) ? culture : rng.below(6)
            specificA = Int32(c << 16 | rng.below(SynthVocabulary.givenNames[c].count))
            // B: 1 + family name (0 = the given name alone); negative = `for` rather than `of`.
            specificB = rng.chance(0.2) ? 0 : Int32(1 + rng.below(SynthVocabulary.familyNames[c].count))
            if rng.chance(0.4) { specificB = -specificB - 1 }
        case .place:
            specificA = Int32(rng.below(SynthLexicon.placeCount))
        case .compound:
            specificA = Int32(truncatingIfNeeded: rng.next() & 0x7FFF_FFFF)
        case .foreignWord:
            var other = rng.below(6)
            if other == lang.rawValue { other = (other + 1) % 6 }
            specificA = Int32(other)
            specificB = Int32(rng.below(lex.rare[other].count))
        case .andNoun:
            specificA = Int32(rng.below(lex.nouns.count))
        }
    }

    static let templateWeights: [Double] = [6, 16, 12, 6, 8, 3, 6, 5, 3, 5, 3, 7, 5, 7, 6]
    static let cumulativeWeights: [Double] = {
        var acc = 0.0
        return templateWeights.map { acc += $0; return acc }
    }()

    static func random(_ rng: inout SynthRandom) -> TitleSpec {
        let lex = SynthLexicon.shared
        return TitleSpec(
            template: rng.weighted(cumulativeWeights),
            noun1: rng.zipf(lex.nouns.count, s: 0.8), noun2: rng.zipf(lex.nouns.count, s: 0.8),
            adj1: rng.zipf(lex.adjectives.count, s: 0.7), adj2: rng.zipf(lex.adjectives.count, s: 0.7),
            adverb: rng.below(lex.adverbs.count), proper: rng.below(lex.properNames.count), rare: rng.below(1 << 20),
            article: rng.chance(0.5))
    }

    /// A near-duplicate: one slot or the template changed.
    func perturbed(_ rng: inout SynthRandom) -> TitleSpec {
        let lex = SynthLexicon.shared
        var s = self
        switch rng.below(5) {
        case 0: s.noun1 = rng.below(lex.nouns.count)
        case 1: s.adj1 = rng.below(lex.adjectives.count)
        case 2: s.noun2 = rng.below(lex.nouns.count)
        case 3: s.template = [1, 2, 4, 6, 14][rng.below(5)]
        default: s.article.toggle(); s.adverb = rng.below(lex.adverbs.count); if s.template == 0 { s.template = 6 }
        }
        return s
    }
}

/// Renders titles; `native` is the title as written in its language, `roman` its romanization
/// (equal to `native` for Latin-script languages).
enum TitleRenderer {
    static func render(_ s: TitleSpec, _ lang: SynthLanguage) -> (native: String, roman: String) {
        let lex = SynthLexicon.shared
        let l = lang.rawValue
        var template = s.template
        if !lang.isLatin {
            switch template {
            case 8: template = 0
            case 9, 13: template = 2
            case 10, 11: template = 1
            default: break
            }
        }
        if template == 7 && lex.my[l].native.isEmpty { template = 1 }
        let n1 = lex.nouns[s.noun1][l], n2 = lex.nouns[s.noun2 == s.noun1 ? (s.noun2 + 1) % lex.nouns.count : s.noun2][l]
        let a1 = lex.adjectives[s.adj1][l], a2 = lex.adjectives[s.adj2 == s.adj1 ? (s.adj2 + 3) % lex.adjectives.count : s.adj2][l]
        let x = lex.adverbs[s.adverb][l]
        let p = SynthWord(native: lex.properNames[s.proper], roman: lex.properNames[s.proper])
        let rareWord: SynthWord = {
            guard lang.isLatin else { return n1 }
            let list = lex.rare[l]
            return SynthWord(native: list[s.rare % list.count], roman: list[s.rare % list.count])
        }()
        let sep = lang.joinsWords ? "" : " "

        func seq(_ words: [SynthWord]) -> (String, String) {
            (words.map(\.native).joined(separator: sep), words.map(\.roman).joined(separator: " "))
        }
        func adjNoun(_ a: SynthWord, _ n: SynthWord) -> (String, String) {
            switch lang {
            case .fr, .es, .it, .pt, .ar, .he, .th: return seq([n, a])
            default: return seq([a, n])
            }
        }
        func of(_ x: (String, String), _ y: (String, String)) -> (String, String) {
            let c = lex.of[l]
            switch lang {
            case .en: return ("\(x.0) of \(s.article ? "the " : "")\(y.0)", "\(x.1) of \(s.article ? "the " : "")\(y.1)")
            case .ru: return ("\(x.0) \(y.0)", "\(x.1) \(y.1)")
            case .zh, .ja: return ("\(y.0)\(c.native)\(x.0)", "\(y.1) \(c.roman) \(x.1)")
            case .ko: return ("\(y.0)\(c.native) \(x.0)", "\(y.1)\(c.roman) \(x.1)")
            case .hi: return ("\(y.0) \(c.native) \(x.0)", "\(y.1) \(c.roman) \(x.1)")
            case .ar, .he: return ("\(x.0) \(c.native)\(y.0)", "\(x.1) \(c.roman)\(y.1)")
            case .th: return ("\(x.0)\(c.native)\(y.0)", "\(x.1) \(c.roman) \(y.1)")
            default: return ("\(x.0) \(c.native) \(y.0)", "\(x.1) \(c.roman) \(y.1)")
            }
        }
        func and(_ x: (String, String), _ y: (String, String)) -> (String, String) {
            let c = lex.and[l]
            switch lang {
            case .zh, .ja, .th: return ("\(x.0)\(c.native)\(y.0)", "\(x.1) \(c.roman) \(y.1)")
            case .ko: return ("\(x.0)\(c.native) \(y.0)", "\(x.1) \(c.roman) \(y.1)")
            case .ar, .he: return ("\(x.0) \(c.native)\(y.0)", "\(x.1) \(c.roman) \(y.1)")
            default: return ("\(x.0) \(c.native) \(y.0)", "\(x.1) \(c.roman) \(y.1)")
            }
        }
        let w1 = (n1.native, n1.roman), w2 = (n2.native, n2.roman)
        var out: (String, String)
        switch template {
        case 0: out = w1
        case 1: out = adjNoun(a1, n1)
        case 2: out = of(w1, w2)
        case 3: out = and(w1, w2)
        case 4: out = of(adjNoun(a1, n1), w2)
        case 5: out = (x.native, x.roman)
        case 6: out = seq([n1, x])
        case 7:
            let m = lex.my[l]
            out = lang == .zh || lang == .ja ? ("\(m.native)\(n1.native)", "\(m.roman) \(n1.roman)") : seq([m, n1])
        case 8: out = (p.native, p.roman)
        case 9:
            let prep = ["in", "à", "en", "in", "a", "em"][l]
            out = ("\(n1.native) \(prep) \(p.native)", "\(n1.roman) \(prep) \(p.roman)")
        case 10: out = (rareWord.native, rareWord.roman)
        case 11: out = adjNoun(a1, rareWord)
        case 12:
            let first = adjNoun(a1, n1), second = adjNoun(a2, n2)
            out = ("\(first.0), \(second.0)", "\(first.1), \(second.1)")
        case 13: out = of((rareWord.native, rareWord.roman), w1)
        default:
            switch lang {
            case .fr, .es, .it, .pt, .ar, .he, .th: out = seq([n1, a1, a2])
            default: out = seq([a1, a2, n1])
            }
        }
        if s.specific != .none { out = specificTitle(out, s, lang) }
        return (cased(out.0, lang), romanCase(out.1))
    }

    /// The core title `core` (native, roman) with the spec's specific part (generator 5).
    static func specificTitle(_ core: (String, String), _ s: TitleSpec, _ lang: SynthLanguage) -> (String, String) {
        let lex = SynthLexicon.shared
        let l = lang.rawValue
        /// A Latin-script addition (a name, a place): after the title in any script.
        func latin(_ joiner: String, _ word: String) -> (String, String) {
            ("\(core.0)\(joiner)\(word)", "\(core.1)\(joiner)\(word)")
        }
        let forPerson = s.specificB < 0
        func personName() -> String {
            let c = Int(s.specificA >> 16), given = SynthVocabulary.givenNames[c][Int(s.specificA & 0xFFFF)]
            let families = SynthVocabulary.familyNames[c]
            let family = Int(forPerson ? -(s.specificB + 1) : s.specificB)
            return family == 0 ? given : "\(given) \(families[(family - 1) % families.count])"
        }
        switch s.specific {
        case .none:
            return core
        case .number:
            return latin(" ", String(s.specificA))
        case .vocative:
            let names = SynthVocabulary.givenNames[Int(s.specificA >> 16)]
            return latin(", ", names[Int(s.specificA & 0xFFFF) % names.count])
        case .person:
            guard lang.isLatin else { return latin(" ", personName()) }
            let prep = !forPerson ? ["of", "de", "de", "von", "di", "de"][l] : ["for", "pour", "para", "für", "per", "para"][l]
            return latin(" \(prep) ", personName())
        case .place:
            guard lang.isLatin else { return latin(" ", SynthLexicon.place(Int(s.specificA))) }
            return latin(" \(["in", "à", "en", "in", "a", "em"][l]) ", SynthLexicon.place(Int(s.specificA)))
        case .name:
            let name = personName()
            return (name, name)
        case .compound:
            var rng = SynthRandom(seed: UInt64(UInt32(bitPattern: s.specificA)), stream: SynthStream.titleSpecific.rawValue)
            var second = TitleSpec.random(&rng)
            second.template = [0, 1, 5, 6, 7, 10, 11, 0, 1][rng.below(9)]
            let t = render(second, lang)
            return ("\(core.0): \(t.native)", "\(core.1): \(t.roman)")
        case .foreignWord:
            let list = lex.rare[Int(s.specificA) % lex.rare.count]
            return latin(" ", TitleRenderer.capitalizedFirst(list[Int(s.specificB) % list.count]))
        case .andNoun:
            let c = lex.and[l]
            var k = Int(s.specificA) % lex.nouns.count
            if k == s.noun1 { k = (k + 1) % lex.nouns.count }
            let n = lex.nouns[k][l]
            switch lang {
            case .en: return ("\(core.0) and \(s.article ? "the " : "")\(n.native)", "\(core.1) and \(s.article ? "the " : "")\(n.roman)")
            case .zh, .ja, .th: return ("\(core.0)\(c.native)\(n.native)", "\(core.1) \(c.roman) \(n.roman)")
            case .ko: return ("\(core.0)\(c.native) \(n.native)", "\(core.1) \(c.roman) \(n.roman)")
            case .ar, .he: return ("\(core.0) \(c.native)\(n.native)", "\(core.1) \(c.roman) \(n.roman)")
            default: return ("\(core.0) \(c.native) \(n.native)", "\(core.1) \(c.roman) \(n.roman)")
            }
        }
    }

    /// Words kept lower case inside titles, packed into integers (≤ 8 ASCII bytes) for a cheap lookup.
    static func pack<C: Collection>(_ bytes: C) -> UInt64 where C.Element == UInt8 {
        var v: UInt64 = 0
        for b in bytes { v = v << 8 | UInt64(b) }
        return v
    }
    static let minorWords: Set<UInt64> = Set(["of", "the", "and", "in", "a", "an", "to", "for", "on", "at"].map { pack(Array($0.utf8)) })
    static let particles: Set<UInt64> = Set(
        ["no", "to", "de", "wa", "ka", "i", "e", "y", "of", "the", "and", "tis", "kai", "lae", "haeng", "aur", "he", "ve", "ui"]
            .map { pack(Array($0.utf8)) })

    /// Title Case for English, first letter up for the others (German nouns are capitalized in the lexicon).
    static func cased(_ s: String, _ lang: SynthLanguage) -> String {
        switch lang {
        case .en: return titleCase(s, skip: minorWords)
        case .zh, .ja, .ko, .ar, .he, .hi, .th: return s
        default: return capitalizedFirst(s)
        }
    }

    /// Romanization in title case, particles lower case (`Yoru no Kokoro`).
    static func romanCase(_ s: String) -> String { titleCase(s, skip: particles) }

    /// Upper-cases the first letter of every space-separated word except the `skip` words (never the first word).
    static func titleCase(_ s: String, skip: Set<UInt64>) -> String {
        var bytes = Array(s.utf8)
        var i = 0
        var first = true
        var slow = false
        while i < bytes.count {
            var j = i
            while j < bytes.count && bytes[j] != 32 { j += 1 }
            if j > i {
                let keep = !first && j - i <= 8 && skip.contains(pack(bytes[i..<j]))
                if !keep {
                    let b = bytes[i]
                    if b >= 97 && b <= 122 { bytes[i] = b - 32 } else if b >= 0x80 { slow = true }
                }
                first = false
            }
            i = j + 1
        }
        guard slow else { return String(decoding: bytes, as: UTF8.self) }
        // A word starting with a non-ASCII letter (`été`): capitalize with Unicode rules.
        var firstWord = true
        return String(decoding: bytes, as: UTF8.self).split(separator: " ", omittingEmptySubsequences: false).map { w -> String in
            defer { firstWord = false }
            let word = String(w)
            if !firstWord && word.utf8.count <= 8 && skip.contains(pack(Array(word.utf8))) { return word }
            return capitalizedFirst(word)
        }.joined(separator: " ")
    }

    static func capitalizedFirst(_ s: String) -> String {
        guard let b = s.utf8.first else { return s }
        if b >= 97 && b <= 122 {
            var bytes = Array(s.utf8)
            bytes[0] = b - 32
            return String(decoding: bytes, as: UTF8.self)
        }
        if b < 0x80 { return s }
        guard let f = s.first else { return s }
        return f.uppercased() + s.dropFirst()
    }
}
