/// Modern Greek in the ELOT 743 romanization (the Greek standard, adopted by the UN) as common practice writes it, the
/// spelling Greek titles are
/// written in with Latin letters ("Φεγγάρι" → `fengari`, "Καλημέρα" → `kalimera`, "Μπουζούκι" → `bouzouki`).
///
/// ICU's `Any-Latin` romanizes Greek the classical way: φ `ph`, η `e`, β `b`, αυ / ευ `au` / `eu`, μπ / ντ / γκ `mp` /
/// `nt` / `nk` ("Φεγγάρι" → `phengari`, "Καλημέρα" → `kalemera`, "Μπουζούκι" → `mpouzouki`, "Ευχή" → `euche`), which
/// modern romanized titles do not use. Rules, inside one word: β `v`, η `i`, υ `y`, φ `f`, χ `ch`, θ `th`, ψ `ps`, ξ
/// `x`, ω `o`; ου `ou`, αι `ai`, ει `ei`, οι `oi`; αυ / ευ / ηυ `av` / `ev` / `iv` before a vowel or a voiced consonant,
/// `af` / `ef` / `if` before a voiceless one or at the end; γγ `ng`, γκ `g` at the start of a word and `ng` inside,
/// γξ `nx`, γχ `nch`; μπ `b` at the start and `mp` inside, ντ `d` at the start and `nt` inside (as titles write them:
/// "Μπουζούκι" `bouzouki`, "Πέντε" `pente`, "Λάμπει" `lampei`; ELOT's 1982 transcription had `mb` / `nd`). A diaeresis (ϊ, ϋ)
/// keeps the vowels apart; accents are dropped. Case is kept (the first letter of a digraph carries it). Polytonic
/// (Greek Extended) and archaic letters are left to ICU.
public enum GreekRomanizer {
    /// Changes whenever the romanization does (part of `Normalizer.vocabularyFingerprint`).
    public static let revision = 1

    /// A letter of the word: its base (lower case, unaccented), case and diaeresis.
    struct Letter {
        var base: UInt32
        var upper: Bool
        var diaeresis: Bool
    }

    /// The letter for scalar `v` of the Greek and Coptic block, nil for anything else (punctuation, archaic letters).
    static func letter(_ v: UInt32) -> Letter? {
        switch v {
        case 0x03B1...0x03C9: return Letter(base: v == 0x03C2 ? 0x03C3 : v, upper: false, diaeresis: false)  // α…ω (ς = σ)
        case 0x0391...0x03A9 where v != 0x03A2: return Letter(base: v + 0x20, upper: true, diaeresis: false)  // Α…Ω
        case 0x03AC: return Letter(base: 0x03B1, upper: false, diaeresis: false)  // ά
        case 0x03AD: return Letter(base: 0x03B5, upper: false, diaeresis: false)  // έ
        case 0x03AE: return Letter(base: 0x03B7, upper: false, diaeresis: false)  // ή
        case 0x03AF: return Letter(base: 0x03B9, upper: false, diaeresis: false)  // ί
        case 0x03CC: return Letter(base: 0x03BF, upper: false, diaeresis: false)  // ό
        case 0x03CD: return Letter(base: 0x03C5, upper: false, diaeresis: false)  // ύ
        case 0x03CE: return Letter(base: 0x03C9, upper: false, diaeresis: false)  // ώ
        case 0x03CA, 0x0390: return Letter(base: 0x03B9, upper: false, diaeresis: true)  // ϊ ΐ
        case 0x03CB, 0x03B0: return Letter(base: 0x03C5, upper: false, diaeresis: true)  // ϋ ΰ
        case 0x0386: return Letter(base: 0x03B1, upper: true, diaeresis: false)  // Ά
        case 0x0388: return Letter(base: 0x03B5, upper: true, diaeresis: false)  // Έ
        case 0x0389: return Letter(base: 0x03B7, upper: true, diaeresis: false)  // Ή
        case 0x038A: return Letter(base: 0x03B9, upper: true, diaeresis: false)  // Ί
        case 0x038C: return Letter(base: 0x03BF, upper: true, diaeresis: false)  // Ό
        case 0x038E: return Letter(base: 0x03C5, upper: true, diaeresis: false)  // Ύ
        case 0x038F: return Letter(base: 0x03C9, upper: true, diaeresis: false)  // Ώ
        case 0x03AA: return Letter(base: 0x03B9, upper: true, diaeresis: true)  // Ϊ
        case 0x03AB: return Letter(base: 0x03C5, upper: true, diaeresis: true)  // Ϋ
        default: return nil
        }
    }

    /// Reads the Greek word that starts at byte `i` of `raw[..<end]` (letters, and combining acute accents and
    /// diaereses after them, as NFD text has them) and appends its romanization; returns the bytes it took, or nil
    /// when no Greek letter starts there.
    public static func append(at i: Int, in raw: UnsafeBufferPointer<UInt8>, end: Int, to out: inout [UInt8]) -> Int? {
        var letters: [Letter] = []
        var j = i
        while j + 2 <= end, raw[j] >= 0xCC && raw[j] <= 0xCF, raw[j + 1] & 0xC0 == 0x80 {
            let v = (UInt32(raw[j] & 0x1F) << 6) | UInt32(raw[j + 1] & 0x3F)
            if v == 0x0301 || v == 0x0308 {  // combining acute / diaeresis after a letter
                guard !letters.isEmpty else { break }
                if v == 0x0308 { letters[letters.count - 1].diaeresis = true }
                j += 2
                continue
            }
            guard let l = letter(v) else { break }
            letters.append(l)
            j += 2
        }
        guard !letters.isEmpty else { return nil }
        romanize(letters, to: &out)
        return j - i
    }

    static let alpha: UInt32 = 0x03B1, beta: UInt32 = 0x03B2, gamma: UInt32 = 0x03B3, delta: UInt32 = 0x03B4
    static let epsilon: UInt32 = 0x03B5, zeta: UInt32 = 0x03B6, eta: UInt32 = 0x03B7, theta: UInt32 = 0x03B8
    static let iota: UInt32 = 0x03B9, kappa: UInt32 = 0x03BA, lambda: UInt32 = 0x03BB, mu: UInt32 = 0x03BC
    static let nu: UInt32 = 0x03BD, xi: UInt32 = 0x03BE, omicron: UInt32 = 0x03BF, pi: UInt32 = 0x03C0
    static let rho: UInt32 = 0x03C1, sigma: UInt32 = 0x03C3, tau: UInt32 = 0x03C4, upsilon: UInt32 = 0x03C5
    static let phi: UInt32 = 0x03C6, chi: UInt32 = 0x03C7, psi: UInt32 = 0x03C8, omega: UInt32 = 0x03C9

    static func single(_ b: UInt32) -> String {
        switch b {
        case alpha: "a"
        case beta: "v"
        case gamma: "g"
        case delta: "d"
        case epsilon: "e"
        case zeta: "z"
        case eta: "i"
        case theta: "th"
        case iota: "i"
        case kappa: "k"
        case lambda: "l"
        case mu: "m"
        case nu: "n"
        case xi: "x"
        case omicron: "o"
        case pi: "p"
        case rho: "r"
        case sigma: "s"
        case tau: "t"
        case upsilon: "y"
        case phi: "f"
        case chi: "ch"
        case psi: "ps"
        case omega: "o"
        default: ""
        }
    }

    static func isVowel(_ b: UInt32) -> Bool {
        b == alpha || b == epsilon || b == eta || b == iota || b == omicron || b == upsilon || b == omega
    }

    /// Consonants after which αυ / ευ / ηυ read `av` / `ev` / `iv` (voiced), with the vowels.
    static func isVoiced(_ b: UInt32) -> Bool {
        b == beta || b == gamma || b == delta || b == zeta || b == lambda || b == mu || b == nu || b == rho
    }

    static func romanize(_ w: [Letter], to out: inout [UInt8]) {
        var i = 0
        while i < w.count {
            let b = w[i].base
            let next: Letter? = i + 1 < w.count ? w[i + 1] : nil
            var text = single(b)
            var taken = 1
            if let n = next, !n.diaeresis {
                switch (b, n.base) {
                case (omicron, upsilon): text = "ou"; taken = 2
                case (alpha, upsilon), (epsilon, upsilon), (eta, upsilon):
                    let after: UInt32? = i + 2 < w.count ? w[i + 2].base : nil
                    let voiced = after.map { isVowel($0) || isVoiced($0) } ?? false
                    text = single(b) + (voiced ? "v" : "f"); taken = 2
                case (gamma, gamma): text = "ng"; taken = 2
                case (gamma, kappa): text = i == 0 ? "g" : "ng"; taken = 2
                case (gamma, xi): text = "nx"; taken = 2
                case (gamma, chi): text = "nch"; taken = 2
                case (mu, pi): text = i == 0 ? "b" : "mp"; taken = 2
                case (nu, tau): text = i == 0 ? "d" : "nt"; taken = 2
                default: break
                }
            }
            let upper = w[i].upper
            var first = true
            for c in text.utf8 {
                out.append(upper && first ? c - 0x20 : c)
                first = false
            }
            i += taken
        }
    }
}
