/// Hangul syllables in the Revised Romanization of Korean (문화관광부 고시 제2000-8호), the spelling Korean
/// titles and names are written in when they are written in Latin letters ("사랑해" → `saranghae`, "아리랑" →
/// `arirang`, "감사합니다" → `gamsahamnida`).
///
/// ICU's `Any-Latin` reads Hangul letter by letter (ISO/TR 11941 style): ㄹ is always `l`, a final keeps its
/// initial's letter, and a syllable ending in a consonant before one starting with a vowel gets a separator, which
/// the normalizer turns into a word break: "음악" became `eum ag`, "좋아" `joh a`, "없어" `eobs eo`, so neither the
/// words nor the trigrams of a romanized title ("Eumak") met them. The Revised Romanization spells what is
/// pronounced within a word: a final moves over to a following vowel (음악 `eumak`), stops before nasals become
/// nasals (국물 `gungmul`, 합니다 `hamnida`), ㄹ is `r` before a vowel and `l` elsewhere, `ll` beside ㄹ or ㄴ
/// (신라 `silla`, 설날 `seollal`), ㄹ after another consonant is read `n` (종로 `jongno`), ㅎ aspirates a
/// neighbouring stop (좋고 `joko`, 축하 `chuka`) and drops before a vowel (좋아 `joa`), ㄷ/ㅌ before 이 are
/// palatalized (같이 `gachi`). Tense consonants are not marked, as in the standard.
///
/// The rules apply inside one run of syllables (a written word): spaces and other characters end it. Input other
/// than precomposed syllables (U+AC00–U+D7A3) is not handled here: the normalizer sends it to ICU.
public enum HangulRomanizer {
    /// Changes whenever the romanization does (part of `Normalizer.vocabularyFingerprint`, so that match indexes
    /// built with another romanization are rebuilt).
    public static let revision = 1

    static let firstSyllable: UInt32 = 0xAC00
    static let lastSyllable: UInt32 = 0xD7A3

    /// Whether `v` is a precomposed Hangul syllable.
    @inline(__always)
    public static func isSyllable(_ v: UInt32) -> Bool { v >= firstSyllable && v <= lastSyllable }

    /// The syllable that starts at byte `i` of the UTF-8 text `raw[..<end]` and the number of bytes it takes: a
    /// precomposed syllable, optionally followed by a conjoining final, or a conjoining initial and vowel with an
    /// optional final (decomposed text, as NFD gives it), composed as NFC would. Nil when no syllable starts there.
    public static func syllable(at i: Int, in raw: UnsafeBufferPointer<UInt8>, end: Int) -> (value: UInt32, length: Int)? {
        @inline(__always) func scalar(_ j: Int) -> UInt32? {
            guard j + 3 <= end, raw[j] & 0xF0 == 0xE0, raw[j + 1] & 0xC0 == 0x80, raw[j + 2] & 0xC0 == 0x80 else { return nil }
            return (UInt32(raw[j] & 0x0F) << 12) | (UInt32(raw[j + 1] & 0x3F) << 6) | UInt32(raw[j + 2] & 0x3F)
        }
        guard let first = scalar(i) else { return nil }
        var value: UInt32
        var length = 3
        if isSyllable(first) {
            value = first
        } else if (0x1100...0x1112).contains(first), let v = scalar(i + 3), (0x1161...0x1175).contains(v) {
            value = firstSyllable + (first - 0x1100) * 588 + (v - 0x1161) * 28
            length = 6
        } else {
            return nil
        }
        if (value - firstSyllable) % 28 == 0, let t = scalar(i + length), (0x11A8...0x11C2).contains(t) {
            value += t - 0x11A7
            length += 3
        }
        return (value, length)
    }

    // Initial consonants, in Unicode's order: ㄱ ㄲ ㄴ ㄷ ㄸ ㄹ ㅁ ㅂ ㅃ ㅅ ㅆ ㅇ ㅈ ㅉ ㅊ ㅋ ㅌ ㅍ ㅎ.
    static let initials = ["g", "kk", "n", "d", "tt", "r", "m", "b", "pp", "s", "ss", "", "j", "jj", "ch", "k", "t", "p", "h"]
    // Vowels: ㅏ ㅐ ㅑ ㅒ ㅓ ㅔ ㅕ ㅖ ㅗ ㅘ ㅙ ㅚ ㅛ ㅜ ㅝ ㅞ ㅟ ㅠ ㅡ ㅢ ㅣ.
    static let vowels = ["a", "ae", "ya", "yae", "eo", "e", "yeo", "ye", "o", "wa", "wae", "oe", "yo", "u", "wo", "we", "wi", "yu",
                         "eu", "ui", "i"]

    /// Finals, in Unicode's order (0 = none): ㄱ ㄲ ㄳ ㄴ ㄵ ㄶ ㄷ ㄹ ㄺ ㄻ ㄼ ㄽ ㄾ ㄿ ㅀ ㅁ ㅂ ㅄ ㅅ ㅆ ㅇ ㅈ ㅊ ㅋ ㅌ ㅍ ㅎ.
    enum Final: Int {
        case none = 0, g, kk, gs, n, nj, nh, d, l, lg, lm, lb, ls, lt, lp, lh, m, b, bs, s, ss, ng, j, ch, k, t, p, h
    }

    // Initial indices used by the rules.
    static let iG = 0, iN = 2, iD = 3, iR = 5, iM = 6, iSilent = 11, iJ = 12, iH = 18
    static let vI = 20

    /// The sound class a final has before a consonant other than ㅇ (the seven representative codas).
    enum Coda { case none, k, n, t, l, m, p, ng }

    static func coda(_ f: Final) -> Coda {
        switch f {
        case .none: .none
        case .g, .kk, .gs, .lg, .k: .k
        case .n, .nj, .nh: .n
        case .d, .s, .ss, .j, .ch, .t, .h: .t
        case .l, .lb, .ls, .lt, .lh: .l
        case .m, .lm: .m
        case .b, .bs, .lp, .p: .p
        case .ng: .ng
        }
    }

    static func spelling(_ c: Coda) -> String {
        switch c {
        case .none: ""
        case .k: "k"
        case .n: "n"
        case .t: "t"
        case .l: "l"
        case .m: "m"
        case .p: "p"
        case .ng: "ng"
        }
    }

    /// Appends the romanization of `syllables` (code points, each a precomposed syllable) as one word.
    public static func append(_ syllables: [UInt32], to out: inout [UInt8]) {
        var previous: Final = .none
        for (i, s) in syllables.enumerated() {
            let x = Int(s - firstSyllable)
            let l = x / 588, v = (x % 588) / 28, f = Final(rawValue: x % 28) ?? .none
            let (coda, onset) = i == 0 ? ("", initials[l]) : boundary(previous, l, v)
            append(coda, to: &out)
            append(onset, to: &out)
            append(vowels[v], to: &out)
            previous = f
        }
        append(spelling(coda(previous)), to: &out)
    }

    /// Romanization of a string of syllables (tests and tools; the normalizer uses `append`).
    public static func romanize(_ text: String) -> String {
        var out: [UInt8] = []
        var word: [UInt32] = []
        for u in text.unicodeScalars {
            if isSyllable(u.value) {
                word.append(u.value)
            } else {
                if !word.isEmpty { append(word, to: &out); word.removeAll() }
                out.append(contentsOf: String(u).utf8)
            }
        }
        if !word.isEmpty { append(word, to: &out) }
        return String(decoding: out, as: UTF8.self)
    }

    @inline(__always)
    static func append(_ s: String, to out: inout [UInt8]) { out.append(contentsOf: s.utf8) }

    /// The spelling of the final `f` and of the next syllable's initial `l` (before vowel `v`) where they meet.
    static func boundary(_ f: Final, _ l: Int, _ v: Int) -> (coda: String, onset: String) {
        let c = coda(f)
        switch l {
        case iSilent:
            // Before a vowel the final is pronounced as the next syllable's initial (liaison).
            switch f {
            case .none: return ("", "")
            case .ng: return ("ng", "")
            case .h: return ("", "")
            case .nh: return ("", "n")
            case .lh: return ("", "r")
            case .gs: return ("k", "s")
            case .nj: return ("n", "j")
            case .lg: return ("l", "g")
            case .lm: return ("l", "m")
            case .lb: return ("l", "b")
            case .ls: return ("l", "s")
            case .lt: return ("l", "t")
            case .lp: return ("l", "p")
            case .bs: return ("p", "s")
            case .d: return ("", v == vI ? "j" : "d")
            case .t: return ("", v == vI ? "ch" : "t")
            case .g: return ("", "g")
            case .kk: return ("", "kk")
            case .n: return ("", "n")
            case .l: return ("", "r")
            case .m: return ("", "m")
            case .b: return ("", "b")
            case .s: return ("", "s")
            case .ss: return ("", "ss")
            case .j: return ("", "j")
            case .ch: return ("", "ch")
            case .k: return ("", "k")
            case .p: return ("", "p")
            }
        case iH:
            // ㅎ aspirates a stop before it.
            switch f {
            case .g, .kk, .gs, .k: return ("", "k")
            case .lg: return ("l", "k")
            case .d, .s, .ss, .t: return ("", v == vI ? "ch" : "t")
            case .j, .ch: return ("", "ch")
            case .b, .bs, .p: return ("", "p")
            case .lb: return ("l", "p")
            case .h: return ("", "h")
            case .nh: return ("n", "h")
            case .lh: return ("l", "h")
            default: return (spelling(c), "h")
            }
        case iR:
            switch c {
            case .none: return ("", "r")
            case .l: return ("l", "l")
            case .n: return ("l", "l")
            case .m: return ("m", "n")
            case .ng: return ("ng", "n")
            case .k: return ("ng", "n")
            case .p: return ("m", "n")
            case .t: return ("n", "n")
            }
        case iN, iM:
            let onset = initials[l]
            switch f {
            case .h, .nh: return ("n", onset)  // 놓는 nonneun, 않는 anneun
            case .lh: return ("l", l == iN ? "l" : onset)
            default: break
            }
            switch c {
            case .k: return ("ng", onset)
            case .p: return ("m", onset)
            case .t: return ("n", onset)
            case .l: return ("l", l == iN ? "l" : onset)
            default: return (spelling(c), onset)
            }
        case iG, iD, iJ:
            // A final ㅎ aspirates the stop after it (좋고 joko, 좋다 jota, 좋지 jochi).
            let aspirated = l == iG ? "k" : l == iD ? "t" : "ch"
            switch f {
            case .h: return ("", aspirated)
            case .nh: return ("n", aspirated)
            case .lh: return ("l", aspirated)
            default: return (spelling(c), initials[l])
            }
        default:
            return (spelling(c), initials[l])
        }
    }
}
