import CBLAS

/// The line side of the pair features' set intersections, built once per line and read for each of its candidate
/// works. Every value of the line's sorted sets that the features intersect with a work's is an entry of a small hash
/// table with the bit mask of the sets holding it (`oeuvre_probe_mask` in `Sources/CBLAS/shim.h`); the size of an
/// intersection is then the number of the work's values whose mask has the set's bit. The sizes are exactly those of
/// the merges (`Similarity.intersection`), so the features are the same to the bit.
///
/// Why: the merges of two sorted hash sets were ≈ 10% of a match's samples, most of it mispredicted branches (which
/// side advances is a coin toss for hash values). A look-up compares the 4 entries of a bucket without a branch, and
/// only the work's side is walked.
struct LineProbe {
    /// Which line set a mask bit stands for.
    enum Bit {
        /// The title's trigrams; the next bit, its reading's (`PackedLine.titleReading`).
        static let titleGrams: UInt32 = 0
        /// The artist names' trigrams, one bit each (`maxArtists` of them).
        static let artistGrams: UInt32 = 8
        /// Sets probed with a work's record words in one pass: the line's record words, its artist words, its album's
        /// words, its title's words and its reading's words.
        static let record: UInt32 = 16
        static let artistTokens: UInt32 = 17
        static let albumTokens: UInt32 = 18
        static let titleTokens: UInt32 = 19  // and 20: the reading's
        static let albumGrams: UInt32 = 21
    }
    static let maxArtists = 8
    /// Bits `record ..< record + recordSets`: the sets a work's record words are counted against at once.
    static let recordSets: UInt32 = 5

    /// Buckets of 8 words: 4 values, then their 4 masks.
    private(set) var table: [UInt32] = []
    private(set) var shift: UInt32 = 32
    /// The odd multiplier of the bucket hash (`multipliers`): the first one that fits every value at this size.
    private(set) var multiplier: UInt32 = LineProbe.multipliers[0]
    /// Tried in turn before the table grows (the golden ratio's, then xxHash's primes).
    static let multipliers: [UInt32] = [0x9E37_79B1, 0x85EB_CA6B, 0xC2B2_AE35, 0x27D4_EB2F]
    /// The line's artist names probed (0: more than `maxArtists`, the features merge instead).
    private(set) var artists = 0
    /// Trigram counts of the line's artist names (the cosines' denominators), for the first `artists`.
    private(set) var artistGramCounts: [Int] = []
    /// Buckets of the table built last (it grows past `2 × values` only when a bucket overflows).
    private(set) var buckets = 0
    /// The address of the line this table was built for (see `PairFeatureExtractor.compute`); 0: none.
    var line: UInt = 0

    /// Builds the table for line `l`.
    mutating func build(_ l: PackedLine) {
        line = UInt(bitPattern: l.base)
        assert(l.titleReading.count <= 1, "a line has one title reading at most (bit titleGrams + 1)")
        let names = l.artists
        artists = names.count <= Self.maxArtists ? names.count : 0
        artistGramCounts.removeAll(keepingCapacity: true)
        for a in names.prefix(artists) { artistGramCounts.append(a.grams.count) }
        let withArtists = artists > 0
        place { Self.forEachSet(of: l, artists: withArtists, $0) }
    }

    /// Builds a table of `sets` (value lists, sorted and unique, and their bits): for tests.
    mutating func build(sets: [(values: [UInt32], bit: UInt32)]) {
        line = 0
        artists = 0
        artistGramCounts.removeAll()
        place { body in
            for (values, bit) in sets { guard values.withUnsafeBufferPointer({ body($0, bit) }) else { return false } }
            return true
        }
    }

    /// Places the values of the sets `forEachSet` gives (calling its argument with each set and its bit until that
    /// returns false): half a value per bucket on average; when a bucket would need a fifth entry, the next
    /// multiplier is tried, and the table doubles only when none fits (so crafted values cannot make it huge).
    private mutating func place(_ forEachSet: ((UnsafeBufferPointer<UInt32>, UInt32) -> Bool) -> Bool) {
        var total = 0
        _ = forEachSet { values, _ in total += values.count; return true }
        var buckets = 16
        while buckets < total * 2 { buckets <<= 1 }
        while !Self.multipliers.contains(where: { fill(buckets: buckets, multiplier: $0, forEachSet) }) { buckets <<= 1 }
        self.buckets = buckets
    }

    /// Calls `body` with each set of `l` the table holds and its bit, until it returns false; false then.
    private static func forEachSet(of l: PackedLine, artists: Bool, _ body: (UnsafeBufferPointer<UInt32>, UInt32) -> Bool) -> Bool {
        let title = l.title
        guard body(title.grams, Bit.titleGrams), body(title.tokens, Bit.titleTokens) else { return false }
        for r in l.titleReading {
            guard body(r.grams, Bit.titleGrams + 1), body(r.tokens, Bit.titleTokens + 1) else { return false }
        }
        if artists {
            var k: UInt32 = 0
            for a in l.artists {
                guard body(a.grams, Bit.artistGrams + k) else { return false }
                k += 1
            }
        }
        guard body(l.record, Bit.record), body(l.artistTokens, Bit.artistTokens) else { return false }
        for a in l.album {
            guard body(a.tokens, Bit.albumTokens), body(a.grams, Bit.albumGrams) else { return false }
        }
        return true
    }

    /// Fills a table of `buckets` buckets; false when a bucket would need a fifth entry.
    private mutating func fill(buckets: Int, multiplier: UInt32, _ forEachSet: ((UnsafeBufferPointer<UInt32>, UInt32) -> Bool) -> Bool) -> Bool {
        let words = buckets * 8
        if table.count < words { table = [UInt32](repeating: 0, count: words) }
        shift = UInt32(32 - buckets.trailingZeroBitCount)
        self.multiplier = multiplier
        let shift = self.shift
        return table.withUnsafeMutableBufferPointer { t in
            let p = t.baseAddress!
            p.update(repeating: 0, count: words)
            return forEachSet { values, bit in
                let m: UInt32 = 1 << bit
                for x in values {
                    let b = p + Int((x &* multiplier) >> shift) << 3
                    var placed = false
                    for j in 0..<4 where b[4 + j] != 0 && b[j] == x {
                        b[4 + j] |= m
                        placed = true
                        break
                    }
                    if placed { continue }
                    for j in 0..<4 where b[4 + j] == 0 {
                        b[j] = x
                        b[4 + j] = m
                        placed = true
                        break
                    }
                    if !placed { return false }
                }
                return true
            }
        }
    }

    /// |`v` ∩ the line set of `bit`|.
    @inline(__always)
    func count(_ v: UnsafeBufferPointer<UInt32>, bit: UInt32) -> Int {
        guard let p = v.baseAddress, !v.isEmpty else { return 0 }
        return table.withUnsafeBufferPointer { Int(oeuvre_probe_count($0.baseAddress!, multiplier, shift, p, v.count, bit)) }
    }

    /// `counts[j]` = |`v` ∩ the line set of bit `first + j`| for `j < k` (k ≤ 8).
    @inline(__always)
    func counts(_ v: UnsafeBufferPointer<UInt32>, first: UInt32, k: Int, into counts: UnsafeMutablePointer<Int32>) {
        guard let p = v.baseAddress, !v.isEmpty else {
            counts.update(repeating: 0, count: k)
            return
        }
        table.withUnsafeBufferPointer { oeuvre_probe_counts($0.baseAddress!, multiplier, shift, p, v.count, first, UInt32(k), counts) }
    }
}

extension LineProbe {
    /// `counts(_:first:k:into:)` as a value: lane `j` = |`v` ∩ the line set of bit `first + j`| (k ≤ 8).
    @inline(__always)
    func counts(_ v: UnsafeBufferPointer<UInt32>, first: UInt32, k: Int) -> SIMD8<Int32> {
        var r = SIMD8<Int32>()
        withUnsafeMutableBytes(of: &r) { counts(v, first: first, k: k, into: $0.baseAddress!.assumingMemoryBound(to: Int32.self)) }
        return r
    }

    /// The best trigram cosine between the line's artist names and any name of `names` (`Similarity.bestCosine`);
    /// only when `artists` is the line's name count.
    @inline(__always)
    func bestArtistCosine(_ names: SketchList) -> Float {
        var best: Float = 0
        let k = artists
        for y in names {
            let c = counts(y.grams, first: Bit.artistGrams, k: k)
            for j in 0..<k { best = max(best, Similarity.cosine(shared: Int(c[j]), artistGramCounts[j], y.grams.count)) }
        }
        return best
    }
}
