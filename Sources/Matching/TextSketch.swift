/// Precomputed comparison data for one normalized string (lower-case ASCII words, single spaces, as
/// produced by `Normalizer.fold`): its word hashes and its character trigrams, both sorted and unique.
///
/// Built once per profile so that pair features are merges of short sorted arrays (no allocation,
/// no hashing in the hot path). Trigrams are exact for ASCII (three bytes packed into 24 bits) over
/// the text padded with one space on each side, so word boundaries count.
public struct TextSketch: Sendable, Hashable {
    /// The normalized text the sketch was built from.
    public let text: String
    /// Sorted unique FNV-1a hashes of the words.
    public let tokens: [UInt32]
    /// Sorted unique character trigrams (bytes packed big-endian into the low 24 bits).
    public let grams: [UInt32]
    /// FNV-1a hashes of the words in text order (with repeats).
    public let words: [UInt32]

    public init(_ text: String) {
        self.text = text
        var toks: [UInt32] = []
        var grams: [UInt32] = []
        var copy = text
        copy.withUTF8 { bytes in
            var h: UInt32 = 2_166_136_261
            var inWord = false
            for b in bytes {
                if b == 32 {
                    if inWord { toks.append(h) }
                    inWord = false
                    h = 2_166_136_261
                } else {
                    inWord = true
                    h = (h ^ UInt32(b)) &* 16_777_619
                }
            }
            if inWord { toks.append(h) }
            if !bytes.isEmpty {
                grams.reserveCapacity(bytes.count)
                var a: UInt32 = 32, b: UInt32 = UInt32(bytes[0])
                for i in 1...bytes.count {
                    let c: UInt32 = i < bytes.count ? UInt32(bytes[i]) : 32
                    grams.append(a << 16 | b << 8 | c)
                    a = b
                    b = c
                }
            }
        }
        self.words = toks
        self.tokens = Self.sortedUnique(toks)
        Self.sortUnique(&grams)
        self.grams = grams
    }

    public var isEmpty: Bool { tokens.isEmpty }

    /// Hashes of the words that join or decorate names without naming anyone: articles, conjunctions,
    /// prepositions (English, French, Spanish, Italian, Portuguese, German, Dutch) and ensemble words
    /// ("Hal Kemp and His Orchestra", "The Bluetones"). Two names sharing only these share nobody:
    /// name word overlaps (`artist_performer_token_overlap`, the `title+artist` reason) leave them out.
    static let nameFunctionWords: Set<UInt32> = Set(tokenSet([
        "the a an and with his her their of feat featuring ft vs",
        "le la les l un une et avec du des",
        "el los las y con del lo",
        "il i gli e con di",
        "o os as com do da",
        "der die das und mit von",
        "de het en van",
        "orchestra orchestre orquesta orchester orkest band group trio quartet quintet sextet ensemble chorus choir singers",
    ]))

    /// `tokens` without the name function words.
    static func nameTokens(_ tokens: [UInt32]) -> [UInt32] {
        tokens.filter { !nameFunctionWords.contains($0) }
    }

    /// Sorts `values` and removes repeats in place (no second buffer).
    static func sortUnique(_ values: inout [UInt32]) {
        guard values.count > 1 else { return }
        var n = 1
        values.withUnsafeMutableBufferPointer { v in
            // A title's grams and words are a few dozen values: an insertion sort on the buffer beats the standard
            // library's merge sort there (perf: sorting was a third of `TextSketch.init`, itself ≈ 4% of an index build).
            if v.count <= 64 { insertionSort(v) } else { v.sort() }
            for i in 1..<v.count where v[i] != v[n - 1] {
                v[n] = v[i]
                n += 1
            }
        }
        values.removeLast(values.count - n)
    }

    @inline(__always)
    static func insertionSort(_ v: UnsafeMutableBufferPointer<UInt32>) {
        guard let p = v.baseAddress else { return }
        for i in 1..<v.count {
            let x = p[i]
            var j = i
            while j > 0 && p[j - 1] > x {
                p[j] = p[j - 1]
                j -= 1
            }
            p[j] = x
        }
    }

    static func sortedUnique(_ values: [UInt32]) -> [UInt32] {
        var v = values
        sortUnique(&v)
        return v
    }

    /// Sorted unique word hashes of `words` (each a normalized word or phrase; phrases are split on spaces).
    public static func tokenSet<S: Sequence>(_ texts: S) -> [UInt32] where S.Element == String {
        var all: [UInt32] = []
        for t in texts {
            var copy = t
            copy.withUTF8 { bytes in
                var h: UInt32 = 2_166_136_261
                var inWord = false
                for b in bytes {
                    if b == 32 {
                        if inWord { all.append(h) }
                        inWord = false
                        h = 2_166_136_261
                    } else {
                        inWord = true
                        h = (h ^ UInt32(b)) &* 16_777_619
                    }
                }
                if inWord { all.append(h) }
            }
        }
        sortUnique(&all)
        return all
    }
}

/// Similarity measures on sorted unique arrays and normalized strings. All return values in [0, 1].
public enum Similarity {
    /// Size of the intersection of two sorted unique arrays.
    @inline(__always)
    public static func intersection(_ a: [UInt32], _ b: [UInt32]) -> Int {
        var i = 0, j = 0, n = 0
        let na = a.count, nb = b.count
        while i < na && j < nb {
            let x = a[i], y = b[j]
            if x == y { n += 1; i += 1; j += 1 } else if x < y { i += 1 } else { j += 1 }
        }
        return n
    }

    /// Cosine of two binary vectors given as sorted unique index arrays (0 when either is empty).
    @inline(__always)
    public static func cosine(_ a: [UInt32], _ b: [UInt32]) -> Float {
        guard !a.isEmpty && !b.isEmpty else { return 0 }
        return Float(intersection(a, b)) / (Float(a.count) * Float(b.count)).squareRoot()
    }

    /// |A∩B| / |A∪B| (0 when both are empty).
    @inline(__always)
    public static func jaccard(_ a: [UInt32], _ b: [UInt32]) -> Float {
        guard !a.isEmpty || !b.isEmpty else { return 0 }
        let n = intersection(a, b)
        return Float(n) / Float(a.count + b.count - n)
    }

    /// |A∩B| / min(|A|, |B|): 1 when one set contains the other (0 when either is empty).
    @inline(__always)
    public static func overlap(_ a: [UInt32], _ b: [UInt32]) -> Float {
        guard !a.isEmpty && !b.isEmpty else { return 0 }
        return Float(intersection(a, b)) / Float(min(a.count, b.count))
    }

    /// |A∩B| / |A|: the share of A found in B (0 when A is empty).
    @inline(__always)
    public static func containment(_ a: [UInt32], in b: [UInt32]) -> Float {
        guard !a.isEmpty else { return 0 }
        return Float(intersection(a, b)) / Float(a.count)
    }

    /// Longest input (bytes) the edit similarity looks at; longer strings are compared on their prefix.
    public static let maxEditBytes = 96

    /// Reusable state of `editSimilarity`: the DP row and the bit-parallel match table (kept all
    /// zero between calls). One per thread; grown once, no allocation per call.
    public struct EditScratch: Sendable {
        var row = [Int32](repeating: 0, count: Similarity.maxEditBytes + 1)
        var peq = [UInt64](repeating: 0, count: 256)
        public init() {}
    }

    /// 1 − Levenshtein(a, b) / max(|a|, |b|) on UTF-8 bytes (prefixes of `maxEditBytes`).
    public static func editSimilarity(_ a: String, _ b: String, scratch: inout EditScratch) -> Float {
        var a = a, b = b
        return a.withUTF8 { ua in
            b.withUTF8 { ub in
                editSimilarity(UnsafeBufferPointer(rebasing: ua.prefix(maxEditBytes)),
                               UnsafeBufferPointer(rebasing: ub.prefix(maxEditBytes)), scratch: &scratch)
            }
        }
    }

    static func editSimilarity(_ a: UnsafeBufferPointer<UInt8>, _ b: UnsafeBufferPointer<UInt8>, scratch: inout EditScratch) -> Float {
        let n = a.count, m = b.count
        if n == 0 && m == 0 { return 1 }
        if n == 0 || m == 0 { return 0 }
        let d = min(n, m) <= 64 ? myersDistance(a, b, peq: &scratch.peq) : dpDistance(a, b, row: &scratch.row)
        return 1 - Float(d) / Float(max(n, m))
    }

    /// Levenshtein distance by Myers' bit-parallel algorithm (Hyyrö's formulation): the shorter
    /// string (≤ 64 bytes) is the pattern, one 64-bit column step per byte of the other. O(max(n, m)).
    static func myersDistance(_ a: UnsafeBufferPointer<UInt8>, _ b: UnsafeBufferPointer<UInt8>, peq: inout [UInt64]) -> Int {
        let (p, t) = a.count <= b.count ? (a, b) : (b, a)
        let m = p.count
        return peq.withUnsafeMutableBufferPointer { eq in
            for i in 0..<m { eq[Int(p[i])] |= 1 &<< UInt64(i) }
            let top = UInt64(m - 1)
            var pv: UInt64 = m == 64 ? ~0 : (1 &<< UInt64(m)) &- 1
            var mv: UInt64 = 0
            var score = m
            for c in t {
                let e = eq[Int(c)]
                let xv = e | mv
                let xh = (((e & pv) &+ pv) ^ pv) | e
                var ph = mv | ~(xh | pv)
                var mh = pv & xh
                // The last row's horizontal delta (+1, −1 or 0: ph and mh never share a bit) by arithmetic: as two
                // branches on text-dependent bits it mispredicted often.
                score &+= Int(truncatingIfNeeded: (ph &>> top) & 1) &- Int(truncatingIfNeeded: (mh &>> top) & 1)
                ph = (ph &<< 1) | 1
                mh = mh &<< 1
                pv = mh | ~(xv | ph)
                mv = ph & xv
            }
            for i in 0..<m { eq[Int(p[i])] = 0 }
            return score
        }
    }

    /// Levenshtein distance by the two-row dynamic programme (`row` holds ≥ |b| + 1 cells).
    static func dpDistance(_ a: UnsafeBufferPointer<UInt8>, _ b: UnsafeBufferPointer<UInt8>, row: inout [Int32]) -> Int {
        let n = a.count, m = b.count
        if row.count < m + 1 { row = [Int32](repeating: 0, count: m + 1) }
        return row.withUnsafeMutableBufferPointer { row in
            for j in 0...m { row[j] = Int32(j) }
            for i in 1...n {
                var diag = row[0]
                row[0] = Int32(i)
                let ca = a[i - 1]
                for j in 1...m {
                    let up = row[j]
                    let cost: Int32 = ca == b[j - 1] ? 0 : 1
                    row[j] = min(min(up + 1, row[j - 1] + 1), diag + cost)
                    diag = up
                }
            }
            return Int(row[m])
        }
    }

    /// Number of leading words two word sequences share.
    @inline(__always)
    public static func commonPrefixWords(_ a: [UInt32], _ b: [UInt32]) -> Int {
        var n = 0
        let m = min(a.count, b.count)
        while n < m && a[n] == b[n] { n += 1 }
        return n
    }

    /// Best trigram cosine between any name of `a` and any name of `b` (0 when either list is empty).
    @inline(__always)
    public static func bestCosine(_ a: [TextSketch], _ b: [TextSketch]) -> Float {
        var best: Float = 0
        for x in a.indices { for y in b.indices { best = max(best, cosine(a[x].grams, b[y].grams)) } }
        return best
    }
}
