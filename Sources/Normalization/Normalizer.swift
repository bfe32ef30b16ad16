import Foundation
import OeuvreCore

/// Turns any title or name into its comparison form: lower-case ASCII words separated by single
/// spaces, with diacritics removed, non-Latin scripts transliterated (ICU `NFKC; Any-Latin;
/// Latin-ASCII`; Cyrillic in BGN/PCGN without diacritics, `CyrillicRomanizer`; Greek in ELOT 743, `GreekRomanizer`;
/// Hangul in the Revised Romanization,
/// `HangulRomanizer`; Japanese text through MeCab's readings,
/// `JapaneseReader`), punctuation folded and the connectors `&`, `+`, `and`, `et`, `und`, `y`, `e`, `n`
/// (`'n'`) unified to `and`.
///
/// Word rules (docs/NORMALIZATION.md): apostrophes inside a word are dropped ("Don't" → `dont`), an
/// apostrophe after a word of 4+ letters ending in "in" restores the dropped g ("Lovin'" → `loving`),
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
    /// Changes whenever the title parser's qualifier vocabulary or the transform does: what is derived from
    /// normalized titles and kept (a match index) is stale when it differs.
    public static var vocabularyFingerprint: UInt64 {
        var h = QualifierLexicon.shared.fingerprint
        for c in transliteratorID.utf8 { h = QualifierLexicon.hash(h, c) }
        for c in "hangul-rr \(HangulRomanizer.revision) cyrillic \(CyrillicRomanizer.revision) greek \(GreekRomanizer.revision)".utf8 {
            h = QualifierLexicon.hash(h, c)
        }
        for c in "japanese \(JapaneseReader.revision) \(JapaneseReader.identity)".utf8 { h = QualifierLexicon.hash(h, c) }
        return h
    }
    /// Mixed into the run cache's hash of a run read as Japanese (`appendJapanese`).
    static let japaneseHashSeed: UInt64 = 0x4A50_4E5F_4D45_4341
    /// Runs longer than this (bytes) are transliterated but not cached.
    static let maxCachedRunBytes = 96

    private var transliterator: Transliterator?
    private let pool: TransliteratorPool
    private var transliteratorUnavailable = false
    private var japanese: JapaneseReader?
    private var japaneseUnavailable = false
    private var cache = RunCache()
    private let cacheLimit: Int
    private var latinScratch: [UInt8] = []
    private var native: [UInt8] = []
    private var foldScratch: [UInt8] = []

    /// When set, text written in Han characters without kana is read as Japanese too (`JapaneseReader`), not as
    /// Mandarin: the engine's second reading of such a title (`readsHanAsJapanese`, `ProfileBuilder`). Off by default.
    public var hanAsJapanese = false

    /// Number of ICU transliterations performed (cache misses). Stays 0 for ASCII-only input.
    public private(set) var icuCalls = 0
    /// Number of Japanese runs read by `JapaneseReader` (run cache misses).
    public private(set) var japaneseCalls = 0

    /// `cacheLimit`: distinct non-ASCII runs remembered before the cache is cleared.
    /// `pool`: where the ICU transliterator is borrowed from and given back to at `deinit`.
    public init(cacheLimit: Int = 200_000, pool: TransliteratorPool = .shared) {
        self.cacheLimit = max(1, cacheLimit)
        self.pool = pool
    }

    deinit {
        // Back to the pool, with the script transforms it has built (`TransliteratorPool`).
        if let transliterator { pool.giveBack(transliterator, id: Self.transliteratorID) }
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
        // Text with kana is Japanese: its kanji are read by `JapaneseReader`, not as Mandarin (and Han text without kana
        // when `hanAsJapanese` asks for its Japanese reading).
        let whole = UnsafeBufferPointer(rebasing: raw[0..<n])
        let japanese = (Self.hasKana(whole) || hanAsJapanese && Self.hasKanaOrHan(whole)) && japaneseReader() != nil
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
            if japanese, let reader = japaneseReader(), Self.hasKanaOrHan(UnsafeBufferPointer(rebasing: raw[i..<j])) {
                appendJapanese(UnsafeBufferPointer(rebasing: raw[i..<j]), reader: reader, to: &out)
            } else {
                appendRun(raw, i, j, to: &out)
            }
            i = j
        }
    }

    /// The reader, opened on first use; nil when no dictionary can be opened (`JapaneseReader.identity` is then
    /// `none` and every normalizer of the process reads Japanese through ICU alone).
    private func japaneseReader() -> JapaneseReader? {
        if japanese == nil && !japaneseUnavailable {
            japanese = JapaneseReader()
            japaneseUnavailable = japanese == nil
        }
        return japanese
    }

    /// A run of Japanese text: MeCab's words, each reading romanized by ICU (through the run cache: katakana read
    /// the same in any text), a space between words but before those that attach to the previous one.
    private func appendJapanese(_ run: UnsafeBufferPointer<UInt8>, reader: JapaneseReader, to out: inout [UInt8]) {
        // Through the run cache under another hash seed: the same bytes read differently outside Japanese text.
        var h = QualifierLexicon.hashSeed ^ Self.japaneseHashSeed
        for c in run { h = QualifierLexicon.hash(h, c) }
        if cache.appendValue(hash: h, key: run, to: &out) { return }
        let valueStart = out.count
        defer {
            if run.count <= Self.maxCachedRunBytes {
                out.withUnsafeBufferPointer { o in
                    cache.insert(hash: h, key: run, value: UnsafeBufferPointer(rebasing: o[valueStart...]), limit: cacheLimit)
                }
            }
        }
        japaneseCalls += 1
        // MeCab's dictionary is NFC with full-width kana: decomposed (NFD) or half-width text is composed first, as
        // ICU's NFKC did for it before (a ベ written ヘ + U+3099 would otherwise be read as ヘ and a mark).
        var text = String(decoding: run, as: UTF8.self).precomposedStringWithCompatibilityMapping
        let words = text.withUTF8 { reader.words($0) }
        // MeCab gives no words only when it fails: the run is read as it was before, never dropped.
        if words.isEmpty {
            appendRun(run, 0, run.count, to: &out)
            return
        }
        // Words that attach are romanized together with the one before them (a final ッ doubles the next consonant).
        var word = ""
        var started = false
        func flush() {
            guard !word.isEmpty else { return }
            if started { out.append(0x20) }
            started = true
            // A reading can hold Hangul or other scripts MeCab passes through unknown: the ordinary run path.
            word.withUTF8 { appendRun($0, 0, $0.count, to: &out) }
            word = ""
        }
        for w in words {
            if !w.attaches { flush() }
            word += w.reading
        }
        flush()
    }

    /// Whether `text` has a Japanese reading besides its Mandarin one: it holds Han characters but no kana (text with
    /// kana is read as Japanese already) and no Hangul (Korean text with hanja), and a dictionary is open. Kanji alone do
    /// not tell Japanese from Chinese ("千本桜", "花"), so such a title gets both readings (docs/NORMALIZATION.md).
    public func readsHanAsJapanese(_ text: String) -> Bool {
        var copy = text
        let candidate = copy.withUTF8 { raw in
            let n = Self.boundedLength(raw, limit: Self.maxInputBytes)
            let r = UnsafeBufferPointer(rebasing: raw[0..<n])
            return !Self.isASCII(r) && Self.hasKanaOrHan(r) && !Self.hasKana(r) && !Self.hasHangul(r)
        }
        return candidate && japaneseReader() != nil
    }

    /// Whether the text holds Hangul syllables or jamo (U+1100–U+11FF, U+3130–U+318F, U+AC00–U+D7AF).
    static func hasHangul(_ raw: UnsafeBufferPointer<UInt8>) -> Bool {
        var i = 0
        while i + 2 < raw.count {
            let b0 = raw[i]
            if b0 >= 0xE1 && b0 <= 0xED {
                let v = (UInt32(b0 & 0x0F) << 12) | (UInt32(raw[i + 1] & 0x3F) << 6) | UInt32(raw[i + 2] & 0x3F)
                if (0x1100...0x11FF).contains(v) || (0x3130...0x318F).contains(v) || (0xAC00...0xD7AF).contains(v) { return true }
            }
            i += 1
        }
        return false
    }

    /// Whether the text holds hiragana or katakana (U+3040–U+30FF: UTF-8 E3 81 80 – E3 83 BF).
    static func hasKana(_ raw: UnsafeBufferPointer<UInt8>) -> Bool {
        var i = 0
        while i + 2 < raw.count {
            if raw[i] == 0xE3 && raw[i + 1] >= 0x81 && raw[i + 1] <= 0x83 { return true }
            i += 1
        }
        return false
    }

    /// Whether the run holds kana or Han ideographs (the BMP's CJK blocks).
    static func hasKanaOrHan(_ raw: UnsafeBufferPointer<UInt8>) -> Bool {
        var i = 0
        while i + 2 < raw.count {
            let b0 = raw[i]
            if b0 == 0xE3 && raw[i + 1] >= 0x81 && raw[i + 1] <= 0x83 { return true }
            if b0 >= 0xE3 && b0 <= 0xE9 {
                let v = (UInt32(b0 & 0x0F) << 12) | (UInt32(raw[i + 1] & 0x3F) << 6) | UInt32(raw[i + 2] & 0x3F)
                if (0x3400...0x4DBF).contains(v) || (0x4E00...0x9FFF).contains(v) { return true }
            }
            i += 1
        }
        return false
    }

    /// Transliterates the non-ASCII run `raw[start..<end]`. Han ideographs are looked up one by one
    /// (ICU's Han-Latin reads them character by character and puts a space before each one that is
    /// not first), so that CJK titles, written without spaces, still hit the cache. A sequence of Hangul
    /// syllables is romanized as one word by `HangulRomanizer`, Cyrillic letters by `CyrillicRomanizer`, a Greek word by
    /// `GreekRomanizer`, without ICU.
    private func appendRun(_ raw: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int, to out: inout [UInt8]) {
        var segStart = start
        var k = start
        while k < end {
            let b0 = raw[k]
            let len = b0 >= 0xF0 ? 4 : b0 >= 0xE0 ? 3 : b0 >= 0xC0 ? 2 : 1
            guard k + len <= end else { break }
            // Cyrillic, Greek and Hangul are romanized here, not by ICU (`romanizeNative`).
            native.removeAll(keepingCapacity: true)
            if let taken = Self.romanizeNative(raw, at: k, end: end, into: &native) {
                if k > segStart { transliterateSegment(UnsafeBufferPointer(rebasing: raw[segStart..<k]), into: &out) }
                out.append(contentsOf: native)
                k += taken
                segStart = k
                continue
            }
            var isHan = false
            if len == 3 && b0 >= 0xE3 && b0 <= 0xE9 || b0 == 0xEF {
                let v = (UInt32(b0 & 0x0F) << 12) | (UInt32(raw[k + 1] & 0x3F) << 6) | UInt32(raw[k + 2] & 0x3F)
                isHan = (0x3400...0x4DBF).contains(v) || (0x4E00...0x9FFF).contains(v) || (0xF900...0xFAFF).contains(v)
            } else if len == 4 {
                let v = (UInt32(b0 & 0x07) << 18) | (UInt32(raw[k + 1] & 0x3F) << 12) | (UInt32(raw[k + 2] & 0x3F) << 6)
                    | UInt32(raw[k + 3] & 0x3F)
                isHan = (0x20000...0x2FA1F).contains(v)
            }
            if isHan {
                if k > segStart { transliterateSegment(UnsafeBufferPointer(rebasing: raw[segStart..<k]), into: &out) }
                if k > start { out.append(0x20) }
                transliterateSegment(UnsafeBufferPointer(rebasing: raw[k..<(k + len)]), into: &out)
                segStart = k + len
            }
            k += len
        }
        if end > segStart { transliterateSegment(UnsafeBufferPointer(rebasing: raw[segStart..<end]), into: &out) }
    }

    /// Romanizes the Cyrillic letter, Greek word or Hangul word (precomposed syllables, or conjoining jamo as NFD
    /// input has them) that starts at byte `k`, into `out`: BGN/PCGN (`CyrillicRomanizer`), ELOT 743
    /// (`GreekRomanizer`), the Revised Romanization (`HangulRomanizer`), the spellings romanized titles use, where
    /// ICU's readings are ISO 9 stripped of its marks, classical Greek and letter-by-letter Hangul. Returns the bytes
    /// taken, nil when none of these starts there.
    static func romanizeNative(_ raw: UnsafeBufferPointer<UInt8>, at k: Int, end: Int, into out: inout [UInt8]) -> Int? {
        switch raw[k] {
        case 0xD0...0xD3: return CyrillicRomanizer.append(at: k, in: raw, end: end, to: &out)
        case 0xCD...0xCF: return GreekRomanizer.append(at: k, in: raw, end: end, to: &out)
        case 0xE1, 0xEA...0xED:
            var syllables: [UInt32] = []
            var h = k
            while let (syllable, length) = HangulRomanizer.syllable(at: h, in: raw, end: end) {
                syllables.append(syllable)
                h += length
            }
            guard !syllables.isEmpty else { return nil }
            HangulRomanizer.append(syllables, to: &out)
            return h - k
        default: return nil
        }
    }

    private func transliterateSegment(_ run: UnsafeBufferPointer<UInt8>, into out: inout [UInt8]) {
        var h = QualifierLexicon.hashSeed
        for c in run { h = QualifierLexicon.hash(h, c) }
        if cache.appendValue(hash: h, key: run, to: &out) { return }
        if transliterator == nil && !transliteratorUnavailable {
            do {
                transliterator = try pool.take(id: Self.transliteratorID)
            } catch {
                transliteratorUnavailable = true
            }
        }
        let key = String(decoding: run, as: UTF8.self)
        var translated = key
        if let transliterator {
            icuCalls += 1
            translated = transliterator.apply(key)
        }
        let valueStart = out.count
        for scalar in translated.unicodeScalars {
            if scalar.isASCII {
                out.append(UInt8(scalar.value))
            } else if let mapped = Self.asciiPunctuation(scalar) {
                out.append(mapped)
            } else if Self.isLetterOrMark(scalar) {
                continue  // what Latin-ASCII leaves of letters (Arabic ʿ, kana prolonged sound mark): drop
            } else {
                out.append(0x20)  // symbols and other punctuation separate words
            }
        }
        if run.count <= Self.maxCachedRunBytes {
            out.withUnsafeBufferPointer { o in
                cache.insert(hash: h, key: run, value: UnsafeBufferPointer(rebasing: o[valueStart...]), limit: cacheLimit)
            }
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

    @inline(__always) fileprivate static func isElisionVowel(_ c: UInt8) -> Bool {
        switch c | 0x20 {
        case 97, 101, 105, 111, 117, 104: return true  // a e i o u h
        default: return false
        }
    }

    fileprivate static let elisionWords: Set<UInt64> = {
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
        // Worst case 4 output bytes per input byte ("&&&" → " and and and"); a temporary (stack)
        // buffer, then one copy.
        let hasWords = !out.isEmpty
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: input.count * 4 + 9) { tmp in
            guard let base = tmp.baseAddress else { return }
            var f = Folder(out: base, start: 1)
            f.run(input)
            // Position 0 holds the separator from words already in `out`.
            if f.w > 1 {
                base[0] = 0x20
                out.append(contentsOf: UnsafeBufferPointer(start: hasWords ? base : base + 1, count: hasWords ? f.w : f.w - 1))
            }
        }
    }

    /// Whether `p[start..<end]` (lower-case) is an elided French/Italian article or preposition.
    fileprivate static func isElisionWord(_ p: UnsafeMutablePointer<UInt8>, _ start: Int, _ end: Int) -> Bool {
        switch end - start {
        case 1:
            switch p[start] {
            case UInt8(ascii: "d"), UInt8(ascii: "l"), UInt8(ascii: "j"), UInt8(ascii: "t"), UInt8(ascii: "m"),
                 UInt8(ascii: "n"), UInt8(ascii: "s"), UInt8(ascii: "c"):
                return true
            default: return false
            }
        case 2...7:
            var key: UInt64 = 0
            for k in start..<end { key = key << 8 | UInt64(p[k]) }
            return elisionWords.contains(key)
        default:
            return false
        }
    }
}

/// The folding state machine of `Normalizer.fold`, writing into a buffer with enough room.
private struct Folder {
    let p: UnsafeMutablePointer<UInt8>
    let startCount: Int
    var w: Int  // write position
    var wordStart = -1  // position of the current word, -1 outside a word
    var segStart = 0  // start of the current dot-separated segment of the word
    var afterElision = false  // the next word follows "d'", "c'"…: never a connector ("c'è" → "c e")
    var noConnector = false

    init(out: UnsafeMutablePointer<UInt8>, start: Int) {
        p = out
        startCount = start
        w = start
    }

    @inline(__always) mutating func put(_ c: UInt8) {
        p[w] = c
        w += 1
    }

    @inline(__always) mutating func beginWord() {
        if w > startCount { put(0x20) }
        wordStart = w
        segStart = w
        noConnector = afterElision
        afterElision = false
    }

    /// `next`: the byte that ends the word; a single letter before "." is an initial ("Ben E. King").
    /// A connector needs words on both sides: not first ("Y Tu Mamá También"), not last.
    @inline(__always) mutating func endWord(next: UInt8 = 0, last: Bool = false) {
        guard wordStart >= 0 else { return }
        let len = w - wordStart
        if len <= 3 && !noConnector && !last && wordStart > startCount && !(len == 1 && next == UInt8(ascii: ".")) {
            let a = p[wordStart]
            var connector = false
            switch len {
            case 1: connector = a == UInt8(ascii: "y") || a == UInt8(ascii: "e") || a == UInt8(ascii: "n")
            case 2: connector = a == UInt8(ascii: "e") && p[wordStart + 1] == UInt8(ascii: "t")
            default:
                connector = a == UInt8(ascii: "u") && p[wordStart + 1] == UInt8(ascii: "n") && p[wordStart + 2] == UInt8(ascii: "d")
            }
            if connector {
                w = wordStart
                put(UInt8(ascii: "a")); put(UInt8(ascii: "n")); put(UInt8(ascii: "d"))
            }
        }
        wordStart = -1
    }

    @inline(__always) mutating func emitAnd() {
        endWord()
        if w > startCount { put(0x20) }
        put(UInt8(ascii: "a")); put(UInt8(ascii: "n")); put(UInt8(ascii: "d"))
    }

    mutating func run(_ input: UnsafeBufferPointer<UInt8>) {
        let n = input.count
        var i = 0
        while i < n {
            let c = input[i]
            if Normalizer.isAlnum(c) {
                if wordStart < 0 { beginWord() }
                put(Normalizer.lower(c))
                i += 1
                continue
            }
            switch c {
            case UInt8(ascii: "'"), UInt8(ascii: "`"):
                // 'n' between words: "Rock'n'Roll", "Rock 'n' Roll" → "rock and roll".
                if i + 2 < n, input[i + 1] | 0x20 == UInt8(ascii: "n"), input[i + 2] == c,
                   i + 3 == n || !Normalizer.isAlnum(input[i + 3]) || wordStart >= 0 {
                    emitAnd()
                    i += 3
                    continue
                }
                // A dropped g: "Lovin'", "Nothin' but a Heartache" → "loving", "nothing" (a word of 4+ letters
                // ending in "in", the apostrophe ending the word).
                if wordStart >= 0, w - wordStart >= 4, p[w - 2] == UInt8(ascii: "i"), p[w - 1] == UInt8(ascii: "n"),
                   i + 1 == n || !Normalizer.isAlnum(input[i + 1]) {
                    put(UInt8(ascii: "g"))
                    i += 1
                    continue
                }
                if wordStart >= 0, i + 1 < n, Normalizer.isElisionVowel(input[i + 1]),
                   Normalizer.isElisionWord(p, wordStart, w) {
                    noConnector = true  // the elided "n'" of "Ce n'est" is not the connector "n"
                    endWord()
                    afterElision = true
                }
                i += 1  // otherwise dropped: "don't" → "dont"
            case UInt8(ascii: "."):
                if wordStart >= 0, i + 1 < n, Normalizer.isLetter(input[i + 1]) {
                    var j = i + 1
                    while j < n && Normalizer.isLetter(input[j]) { j += 1 }
                    // Acronym: a single letter, a dot, at most two letters ("B.o.B", "R.E.M.", "D.J.").
                    if w - segStart == 1, Normalizer.isLetter(p[segStart]), j - i - 1 <= 2, j == n || !Normalizer.isAlnum(input[j]) {
                        segStart = w
                        i += 1
                        continue
                    }
                }
                endWord(next: c)
                i += 1
            case UInt8(ascii: "$"), UInt8(ascii: "!"):
                if wordStart >= 0, i + 1 < n, Normalizer.isLetter(input[i + 1]) {
                    put(c == UInt8(ascii: "$") ? UInt8(ascii: "s") : UInt8(ascii: "i"))
                } else {
                    endWord()
                }
                i += 1
            case UInt8(ascii: "&"), UInt8(ascii: "+"):
                emitAnd()
                i += 1
            default:
                endWord()
                i += 1
            }
        }
        endWord(last: true)
    }
}

/// Non-ASCII run (UTF-8 bytes) → its Latin ASCII bytes, in flat arenas with an open-addressing
/// index, so that a hit costs a hash and a byte comparison (no String, no allocation). Cleared
/// when `limit` entries are reached.
struct RunCache {
    private var slots: [Int32] = []  // entry index, -1 empty
    private var hashes: [UInt64] = []  // per entry
    private var keyStart: [Int32] = [0]
    private var valueStart: [Int32] = [0]
    private var keys: [UInt8] = []
    private var values: [UInt8] = []

    var count: Int { hashes.count }

    /// Appends the cached value of `key` to `out`; false when `key` is not cached.
    mutating func appendValue(hash h: UInt64, key: UnsafeBufferPointer<UInt8>, to out: inout [UInt8]) -> Bool {
        guard !slots.isEmpty else { return false }
        let mask = slots.count - 1
        var slot = Int(truncatingIfNeeded: h) & mask
        while true {
            let e = Int(slots[slot])
            if e < 0 { return false }
            if hashes[e] == h {
                let ks = Int(keyStart[e]), ke = Int(keyStart[e + 1])
                if ke - ks == key.count {
                    var same = true
                    for k in 0..<key.count where keys[ks + k] != key[k] { same = false; break }
                    if same {
                        out.append(contentsOf: values[Int(valueStart[e])..<Int(valueStart[e + 1])])
                        return true
                    }
                }
            }
            slot = (slot + 1) & mask
        }
    }

    mutating func insert(hash h: UInt64, key: UnsafeBufferPointer<UInt8>, value: UnsafeBufferPointer<UInt8>, limit: Int) {
        if hashes.count >= limit { self = RunCache() }
        if slots.isEmpty || (hashes.count + 1) * 2 > slots.count { grow() }
        let e = hashes.count
        hashes.append(h)
        keys.append(contentsOf: key)
        keyStart.append(Int32(keys.count))
        values.append(contentsOf: value)
        valueStart.append(Int32(values.count))
        place(e)
    }

    private mutating func place(_ e: Int) {
        let mask = slots.count - 1
        var slot = Int(truncatingIfNeeded: hashes[e]) & mask
        while slots[slot] >= 0 { slot = (slot + 1) & mask }
        slots[slot] = Int32(e)
    }

    private mutating func grow() {
        slots = Array(repeating: -1, count: max(1024, slots.count * 2))
        for e in 0..<hashes.count { place(e) }
    }
}
