/// Cyrillic letters in the romanization Russian (and Ukrainian, Belarusian) titles and names are written in with
/// Latin letters: BGN/PCGN without diacritics ("Очи чёрные" → `Ochi chernye`, "Щедрик" → `Shchedrik`, "Хочу" →
/// `Khochu`).
///
/// ICU's `Any-Latin; Latin-ASCII` goes through ISO 9 and drops its diacritics: ч, ш and ж came out as `c`, `s`, `z`, я
/// and ю as `a` and `u`, щ as `s` ("Очи чёрные" → `oci cernye`, "Щедрик" → `sedrik`, "Спокойная ночь" → `spokojnaa
/// noc`), so a romanized title ("Ochi Chernye") shared few trigrams with its Cyrillic form; and the hard sign became a
/// word break ("Объятия" → `ob atia`). Choices: ё is `e`, as е (Russian text often writes ё as е, and both must read the
/// same); й and ы are `y`; ь and ъ are dropped; х is `kh`; Ukrainian і ї є ґ are `i yi ye g`, Belarusian ў `u`; Serbian
/// and Macedonian letters take their Latin-alphabet spelling without diacritics (ђ `dj`, ј `j`, љ `lj`, њ `nj`, ћ `c`,
/// џ `dz`, ѓ `gj`, ќ `kj`, ѕ `dz`) — but their ч ш ж read as Russian (`ch sh zh`, where Serbian Latin writes č š ž).
/// Case is kept (the first letter of a digraph carries it: Щ → `Shch`). Other Cyrillic (Old Church Slavonic, the
/// Caucasian and Central Asian letters) is left to ICU.
public enum CyrillicRomanizer {
    /// Changes whenever the romanization does (part of `Normalizer.vocabularyFingerprint`).
    public static let revision = 1

    /// Lower-case romanization of U+0430…U+045F (а…я, then ѐ…џ).
    static let lower: [String] = [
        "a", "b", "v", "g", "d", "e", "zh", "z", "i", "y", "k", "l", "m", "n", "o", "p",  // а б в г д е ж з и й к л м н о п
        "r", "s", "t", "u", "f", "kh", "ts", "ch", "sh", "shch", "", "y", "", "e", "yu", "ya",  // р с т у ф х ц ч ш щ ъ ы ь э ю я
        "e", "e", "dj", "gj", "ye", "dz", "i", "yi", "j", "lj", "nj", "c", "kj", "i", "u", "dz",  // ѐ ё ђ ѓ є ѕ і ї ј љ њ ћ ќ ѝ ў џ
    ]

    /// The romanization of the Cyrillic scalar `v`, or nil for one this table does not cover. `upper` tells whether it
    /// was a capital.
    @inline(__always)
    static func latin(_ v: UInt32) -> (text: String, upper: Bool)? {
        switch v {
        case 0x0430...0x045F: return (lower[Int(v - 0x0430)], false)
        case 0x0410...0x042F: return (lower[Int(v - 0x0410)], true)
        case 0x0400...0x040F: return (lower[Int(v - 0x0400) + 32], true)
        case 0x0490: return ("g", true)  // Ґ
        case 0x0491: return ("g", false)  // ґ
        default: return nil
        }
    }

    /// Appends the romanization of the Cyrillic letter that starts at byte `i` of `raw[..<end]` and returns the bytes
    /// it took, or nil when none starts there. A base letter followed by a combining breve or diaeresis (NFD text) is
    /// read as the composed letter: и + ̆ = й, і + ̈ = ї, е + ̈ = ё, у + ̆ = ў.
    public static func append(at i: Int, in raw: UnsafeBufferPointer<UInt8>, end: Int, to out: inout [UInt8]) -> Int? {
        guard i + 2 <= end, raw[i] >= 0xD0 && raw[i] <= 0xD3, raw[i + 1] & 0xC0 == 0x80 else { return nil }
        var v = (UInt32(raw[i] & 0x1F) << 6) | UInt32(raw[i + 1] & 0x3F)
        var length = 2
        // U+0306 combining breve = CC 86, U+0308 combining diaeresis = CC 88.
        if i + 4 <= end && raw[i + 2] == 0xCC && (raw[i + 3] == 0x86 || raw[i + 3] == 0x88) {
            let breve = raw[i + 3] == 0x86
            let composed: UInt32? = switch (v, breve) {
            case (0x0438, true): 0x0439
            case (0x0418, true): 0x0419
            case (0x0443, true): 0x045E
            case (0x0423, true): 0x040E
            case (0x0456, false): 0x0457
            case (0x0406, false): 0x0407
            case (0x0435, false): 0x0451
            case (0x0415, false): 0x0401
            default: nil
            }
            if let c = composed { v = c; length = 4 }
        }
        guard let (text, upper) = latin(v) else { return nil }
        var first = true
        for b in text.utf8 {
            out.append(upper && first && b >= 0x61 && b <= 0x7A ? b - 0x20 : b)
            first = false
        }
        return length
    }
}
