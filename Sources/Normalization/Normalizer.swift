import OeuvreCore

/// Turns any title or name into its comparison form: lower-case ASCII words separated by single
/// spaces, with diacritics removed, non-Latin scripts transliterated (ICU `NFKC; Any-Latin;
/// Latin-ASCII`), punctuation folded and the connectors `&`, `+`, `and`, `et`, `und`, `y`, `e`, `n`
/// (`'n'`) unified to `and`.
///
/// Word rules (docs/NORMALIZATION.md): apostrophes inside a word are dropped ("Don't" → `dont`),
/// except after a French/Italian elided article or preposition before a vowel or `h`, which
/// becomes its own word ("Comme d'habitude" → `comme d habitude`, "L'amour" → `l amour`); dots
/// inside an acronym join it ("B.o.B" → `bob`, "R.E.M." → `rem`); `$`/`!` between letters read
/// as `s`/`i` ("Ke$ha", "P!nk"); every other non-alphanumeric byte separates words.
///
/// Pure-ASCII input never reaches ICU. Non-ASCII input is transliterated run by run (a run is a
/// maximal sequence of non-ASCII characters, in practice a word) through a cache, because the
/// same words recur across a report. Input beyond ``maxInputBytes`` UTF-8 bytes is ignored (cut
/// at a character boundary). Not thread-safe (it owns the ICU handle and the cache): one per task.
public final class Normalizer {
    /// Maximum number of UTF-8 bytes considered; longer input is cut at a scalar boundary.
    public static let maxInputBytes = 4096
    /// The ICU transform applied to non-ASCII runs.
    public static let transliteratorID = "NFKC; Any-Latin; Latin-ASCII"
    /// Runs longer than this (bytes) are transliterated but not cached.
    static let maxCachedRunBytes = 96

    private var transliterator: Transliterator?
    private var transliteratorUnavailable = false
    private var cache: [String: [UInt8]] = [:]
    private let cacheLimit: Int
    private var latinScratch: [UInt8] = []
    private var foldScratch: [UInt8] = []

    /// Number of ICU transliterations performed (cache misses). Stays 0 for ASCII-only input.
    public private(set) var icuCalls = 0

    /// `cacheLimit`: distinct non-ASCII runs remembered before the cache is cleared.
    public init(cacheLimit: Int = 200_000) {
        self.cacheLimit = max(1, cacheLimit)
    }

    /// Comparison form of `text` (see the type's documentation).
    public func fold(_ text: String) -> String {
        var copy = text
        return copy.withUTF8 { raw in
            var out = foldScratch
            foldScratch = []
            out.removeAll(keepingCapacity: true)
            if Self.isASCII(raw) {
                Self.fold(UnsafeBufferPointer(rebasing: raw.prefix(Self.maxInputBytes)), into: &out)
            } else {
                var latin = latinScratch
                latinScratch = []
                latin.removeAll(keepingCapacity: true)
                appendLatin(raw, to: &latin)
                latin.withUnsafeBufferPointer { Self.fold($0, into: &out) }
                latinScratch = latin
            }
            let result = Self.string(out)
            foldScratch = out
            return result
        }
    }

    /// Latin-script ASCII form of `text` (case and punctuation kept): what ICU makes of it.
    /// ASCII input comes back unchanged (and uncut); other input is cut at ``maxInputBytes``.
    public func latinize(_ text: String) -> String {
        var copy = text
        return copy.withUTF8 { raw in
            if Self.isASCII(raw) { return text }
            var latin = latinScratch
            latinScratch = []
            latin.removeAll(keepingCapacity: true)
            appendLatin(raw, to: &latin)
            let result = Self.string(latin)
            latinScratch = latin
            return result
        }
    }

    /// Appends the Latin ASCII form of at most ``maxInputBytes`` bytes of `raw` (valid UTF-8).
    func appendLatin(_ raw: UnsafeBufferPointer<UInt8>, to out: inout [UInt8]) {
        let n = Self.boundedLength(raw, limit: Self.maxInputBytes)
        var i = 0
        while i < n {
            let b = raw[i]
            if b < 0x80 {
                out.append(b)
                i += 1
                continue
            }
            var j = i + 1
            while j < n && raw[j] >= 0x80 { j += 1 }
            transliterateRun(UnsafeBufferPointer(rebasing: raw[i..<j]), into: &out)
            i = j
        }
    }

    private func transliterateRun(_ run: UnsafeBufferPointer<UInt8>, into out: inout [UInt8]) {
        let key = String(decoding: run, as: UTF8.self)
        if let hit = cache[key] {
            out.append(contentsOf: hit)
            return
        }
        if transliterator == nil && !transliteratorUnavailable {
            do {
                transliterator = try Transliterator(id: Self.transliteratorID)
            } catch {
                transliteratorUnavailable = true
            }
        }
        var translated = key
        if let transliterator {
            icuCalls += 1
            translated = transliterator.apply(key)
        }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(translated.utf8.count)
        for scalar in translated.unicodeScalars {
            if scalar.isASCII {
                bytes.append(UInt8(scalar.value))
            } else if let mapped = Self.asciiPunctuation(scalar) {
                bytes.append(mapped)
            } else if Self.isLetterOrMark(scalar) {
                continue  // what Latin-ASCII leaves of letters (Arabic ʿ, kana prolonged sound mark): drop
            } else {
                bytes.append(0x20)  // symbols and other punctuation separate words
            }
        }
        out.append(contentsOf: bytes)
        if run.count <= Self.maxCachedRunBytes {
            if cache.count >= cacheLimit { cache.removeAll(keepingCapacity: true) }
            cache[key] = bytes
        }
    }

    private static func isLetterOrMark(_ s: Unicode.Scalar) -> Bool {
        switch s.properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter,
             .nonspacingMark, .spacingMark, .enclosingMark:
            return true
        default:
            return false
        }
    }

    /// CJK brackets and quotes that Latin-ASCII leaves alone.
    private static func asciiPunctuation(_ s: Unicode.Scalar) -> UInt8? {
        switch s.value {
        case 0x3010, 0x3014, 0x3016, 0x3018, 0x301A: return UInt8(ascii: "[")  // 【 〔 〖 〘 〚
        case 0x3011, 0x3015, 0x3017, 0x3019, 0x301B: return UInt8(ascii: "]")
        case 0x300C, 0x300D, 0x300E, 0x300F, 0x3008, 0x3009, 0x300A, 0x300B, 0x301D, 0x301E, 0x301F:
            return UInt8(ascii: "\"")  // 「」『』〈〉《》〝〞〟
        case 0x30FB, 0x00B7, 0x2022: return 0x20  // ・ · •
        default: return nil
        }
    }

    // MARK: - Byte helpers

    /// True when every byte is below 0x80 (checked eight bytes at a time).
    static func isASCII(_ raw: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let base = raw.baseAddress else { return true }
        let n = raw.count
        var i = 0
        let raw8 = UnsafeRawPointer(base)
        while i + 8 <= n {
            if raw8.loadUnaligned(fromByteOffset: i, as: UInt64.self) & 0x8080_8080_8080_8080 != 0 { return false }
            i += 8
        }
        while i < n {
            if base[i] >= 0x80 { return false }
            i += 1
        }
        return true
    }

    /// Largest length ≤ `limit` that does not cut a UTF-8 sequence.
    static func boundedLength(_ raw: UnsafeBufferPointer<UInt8>, limit: Int) -> Int {
        if raw.count <= limit { return raw.count }
        var n = limit
        while n > 0 && raw[n] & 0xC0 == 0x80 { n -= 1 }
        return n
    }

    static func string(_ bytes: [UInt8]) -> String {
        bytes.withUnsafeBufferPointer { String(decoding: $0, as: UTF8.self) }
    }

    @inline(__always) static func isAlnum(_ c: UInt8) -> Bool {
        (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57)
    }

    @inline(__always) static func isLetter(_ c: UInt8) -> Bool {
        (c | 0x20) >= 97 && (c | 0x20) <= 122
    }

    @inline(__always) static func lower(_ c: UInt8) -> UInt8 {
        c >= 65 && c <= 90 ? c | 0x20 : c
    }

    @inline(__always) private static func isElisionVowel(_ c: UInt8) -> Bool {
        switch c | 0x20 {
        case 97, 101, 105, 111, 117, 104: return true  // a e i o u h
        default: return false
        }
    }

    /// Whether `word` (lower-case) is an elided French/Italian article or preposition
    /// (`d'`, `l'`, `qu'`, `dell'`, `un'`…).
    private static func isElisionWord(_ out: [UInt8], from start: Int) -> Bool {
        switch out.count - start {
        case 1:
            switch out[start] {
            case UInt8(ascii: "d"), UInt8(ascii: "l"), UInt8(ascii: "j"), UInt8(ascii: "t"), UInt8(ascii: "m"),
                 UInt8(ascii: "n"), UInt8(ascii: "s"), UInt8(ascii: "c"):
                return true
            default: return false
            }
        case 2...7:
            var key: UInt64 = 0
            for k in start..<out.count { key = key << 8 | UInt64(out[k]) }
            return elisionWords.contains(key)
        default:
            return false
        }
    }

    private static let elisionWords: Set<UInt64> = {
        var s = Set<UInt64>()
        for w in ["qu", "jusqu", "lorsqu", "puisqu", "quoiqu", "presqu", "dell", "all", "nell", "dall", "sull", "coll",
                  "un", "quest", "quell", "sant", "bell", "nessun", "tutt", "senz", "dev"] {
            var key: UInt64 = 0
            for c in w.utf8 { key = key << 8 | UInt64(c) }
            s.insert(key)
        }
        return s
    }()

    /// Folds ASCII bytes into comparison words appended to `out` (see the type's word rules).
    /// Bytes ≥ 0x80 and control characters separate words.
    static func fold(_ input: UnsafeBufferPointer<UInt8>, into out: inout [UInt8]) {
        let n = input.count
        let startCount = out.count
        out.reserveCapacity(startCount + n + 8)
        var wordStart = -1  // index in `out` of the current word, -1 outside a word
        var segStart = 0  // start of the current dot-separated segment of the word
        var afterElision = false  // the next word follows "d'", "c'"…: never a connector ("c'è" → "c e")
        var noConnector = false
        var i = 0

        @inline(__always) func beginWord(_ out: inout [UInt8]) {
            if out.count > startCount { out.append(0x20) }
            wordStart = out.count
            segStart = out.count
            noConnector = afterElision
            afterElision = false
        }
        /// `next`: the byte that ends the word; a single letter before "." is an initial ("Ben E. King").
        /// A connector needs words on both sides: not first ("Y Tu Mamá También"), not last.
        @inline(__always) func endWord(_ out: inout [UInt8], next: UInt8 = 0, last: Bool = false) {
            guard wordStart >= 0 else { return }
            let len = out.count - wordStart
            if len <= 3 && !noConnector && !last && wordStart > startCount && !(len == 1 && next == UInt8(ascii: ".")) {
                let a = out[wordStart]
                var connector = false
                switch len {
                case 1: connector = a == UInt8(ascii: "y") || a == UInt8(ascii: "e") || a == UInt8(ascii: "n")
                case 2: connector = a == UInt8(ascii: "e") && out[wordStart + 1] == UInt8(ascii: "t")
                default:
                    connector = a == UInt8(ascii: "u") && out[wordStart + 1] == UInt8(ascii: "n")
                        && out[wordStart + 2] == UInt8(ascii: "d")
                }
                if connector {
                    out.removeLast(len)
                    out.append(UInt8(ascii: "a")); out.append(UInt8(ascii: "n")); out.append(UInt8(ascii: "d"))
                }
            }
            wordStart = -1
        }
        @inline(__always) func emitAnd(_ out: inout [UInt8]) {
            endWord(&out)
            if out.count > startCount { out.append(0x20) }
            out.append(UInt8(ascii: "a")); out.append(UInt8(ascii: "n")); out.append(UInt8(ascii: "d"))
        }

        while i < n {
            let c = input[i]
            if isAlnum(c) {
                if wordStart < 0 { beginWord(&out) }
                out.append(lower(c))
                i += 1
                continue
            }
            switch c {
            case UInt8(ascii: "'"), UInt8(ascii: "`"):
                // 'n' between words: "Rock'n'Roll", "Rock 'n' Roll" → "rock and roll".
                if i + 2 < n, input[i + 1] | 0x20 == UInt8(ascii: "n"), input[i + 2] == c,
                   i + 3 == n || !isAlnum(input[i + 3]) || wordStart >= 0 {
                    emitAnd(&out)
                    i += 3
                    continue
                }
                if wordStart >= 0, i + 1 < n, isElisionVowel(input[i + 1]) {
                    if isElisionWord(out, from: wordStart) {
                        noConnector = true  // the elided "n'" of "Ce n'est" is not the connector "n"
                        endWord(&out)
                        afterElision = true
                    }
                }
                i += 1  // otherwise dropped: "don't" → "dont"
            case UInt8(ascii: "."):
                if wordStart >= 0, i + 1 < n, isLetter(input[i + 1]) {
                    var j = i + 1
                    while j < n && isLetter(input[j]) { j += 1 }
                    // Acronym: a single letter, a dot, at most two letters ("B.o.B", "R.E.M.", "D.J.").
                    if out.count - segStart == 1, isLetter(out[segStart]), j - i - 1 <= 2, j == n || !isAlnum(input[j]) {
                        segStart = out.count
                        i += 1
                        continue
                    }
                }
                endWord(&out, next: c)
                i += 1
            case UInt8(ascii: "$"), UInt8(ascii: "!"):
                if wordStart >= 0, i + 1 < n, isLetter(input[i + 1]) {
                    out.append(c == UInt8(ascii: "$") ? UInt8(ascii: "s") : UInt8(ascii: "i"))
                } else {
                    endWord(&out)
                }
                i += 1
            case UInt8(ascii: "&"), UInt8(ascii: "+"):
                emitAnd(&out)
                i += 1
            default:
                endWord(&out)
                i += 1
            }
        }
        endWord(&out, last: true)
    }
}
