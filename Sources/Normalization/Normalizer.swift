import OeuvreCore

/// Turns any title or name into its comparison form: lower-case ASCII words separated by single
/// spaces, with diacritics removed, non-Latin scripts transliterated (ICU `Any-Latin; Latin-ASCII`),
/// punctuation folded and the connectors `&`, `+`, `and`, `et`, `und`, `y`, `e` unified to `and`.
///
/// Pure-ASCII input never reaches ICU. Non-ASCII input is NFKC case-folded and transliterated
/// word by word through a cache (titles repeat). Not thread-safe: one instance per task.
public final class Normalizer {
    private var transliterator: Transliterator?
    private var cache: [String: String] = [:]
    private let cacheLimit: Int

    /// Maximum number of UTF-8 bytes considered; longer input is cut at a character boundary.
    public static let maxInputBytes = 4096

    public init(cacheLimit: Int = 200_000) {
        self.cacheLimit = cacheLimit
    }

    /// Comparison form of `text` (see the type's documentation).
    public func fold(_ text: String) -> String {
        var bytes = ContiguousArray<UInt8>()
        bytes.reserveCapacity(min(text.utf8.count, Self.maxInputBytes) + 8)
        var isASCII = true
        var count = 0
        for b in text.utf8 {
            if b >= 0x80 { isASCII = false; break }
            count += 1
            if count > Self.maxInputBytes { break }
        }
        if isASCII {
            Self.foldASCII(text.utf8.prefix(Self.maxInputBytes), into: &bytes)
        } else {
            let latin = latinize(text)
            Self.foldASCII(latin.utf8, into: &bytes)
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Latin-script form of `text` (original case folded, punctuation kept): what ICU makes of it.
    /// ASCII input comes back unchanged.
    public func latinize(_ text: String) -> String {
        if text.utf8.allSatisfy({ $0 < 0x80 }) { return text }
        var limited = text
        if text.utf8.count > Self.maxInputBytes {
            limited = String(text.prefix(Self.maxInputBytes / 4))
        }
        let folded = UnicodeFolding.nfkcCasefold(limited)
        var out = ""
        out.reserveCapacity(folded.utf8.count)
        // Transliterate runs of non-ASCII characters separately (cached); keep ASCII runs as they are.
        var run = ""
        var runIsASCII = true
        func flush() {
            guard !run.isEmpty else { return }
            out += runIsASCII ? run : transliterateCached(run)
            run = ""
        }
        for scalarChar in folded {
            let ascii = scalarChar.isASCII
            let isSpace = scalarChar == " "
            if isSpace {
                flush()
                out.append(" ")
                runIsASCII = true
                continue
            }
            if ascii != runIsASCII && !run.isEmpty { flush() }
            runIsASCII = ascii
            run.append(scalarChar)
        }
        flush()
        return out
    }

    private func transliterateCached(_ word: String) -> String {
        if let hit = cache[word] { return hit }
        if transliterator == nil {
            transliterator = try? Transliterator(id: "Any-Latin; Latin-ASCII")
        }
        var result = transliterator?.apply(word) ?? word
        // Fold what Latin-ASCII leaves (e.g. Arabic ʿ, modifier letters): drop remaining non-ASCII.
        if !result.utf8.allSatisfy({ $0 < 0x80 }) {
            result = String(String.UnicodeScalarView(result.unicodeScalars.filter { $0.isASCII }))
        }
        if cache.count >= cacheLimit { cache.removeAll(keepingCapacity: true) }
        cache[word] = result
        return result
    }

    /// Folds ASCII bytes: letters lower-cased, digits kept, apostrophes dropped inside words,
    /// `&`/`+` → `and`, every other byte a separator; connectors unified; single spaces.
    static func foldASCII<S: Sequence>(_ input: S, into out: inout ContiguousArray<UInt8>) where S.Element == UInt8 {
        var wordStart = out.count
        var pendingSpace = false
        @inline(__always) func endWord(_ out: inout ContiguousArray<UInt8>) {
            let len = out.count - wordStart
            if len == 1 || len == 2 || len == 3 {
                let a = out[wordStart]
                let isConnector: Bool
                switch len {
                case 1: isConnector = a == UInt8(ascii: "y") || a == UInt8(ascii: "e")
                case 2: isConnector = a == UInt8(ascii: "e") && out[wordStart + 1] == UInt8(ascii: "t")
                default:
                    isConnector = a == UInt8(ascii: "u") && out[wordStart + 1] == UInt8(ascii: "n")
                        && out[wordStart + 2] == UInt8(ascii: "d")
                }
                if isConnector {
                    out.removeLast(len)
                    out.append(contentsOf: [UInt8(ascii: "a"), UInt8(ascii: "n"), UInt8(ascii: "d")])
                }
            }
        }
        var inWord = false
        for b in input {
            var c = b
            if c >= 65 && c <= 90 { c += 32 }
            let isAlnum = (c >= 97 && c <= 122) || (c >= 48 && c <= 57)
            if isAlnum {
                if !inWord {
                    if pendingSpace && !out.isEmpty { out.append(32) }
                    pendingSpace = false
                    wordStart = out.count
                    inWord = true
                }
                out.append(c)
            } else if c == UInt8(ascii: "'") || c == UInt8(ascii: "`") {
                continue  // "don't" → "dont", "rock'n'roll" → "rocknroll"
            } else if c == UInt8(ascii: "&") || c == UInt8(ascii: "+") {
                if inWord { endWord(&out); inWord = false }
                if !out.isEmpty { out.append(32) }
                out.append(contentsOf: [UInt8(ascii: "a"), UInt8(ascii: "n"), UInt8(ascii: "d")])
                pendingSpace = true
            } else {
                if inWord { endWord(&out); inWord = false }
                pendingSpace = true
            }
        }
        if inWord { endWord(&out) }
    }
}
