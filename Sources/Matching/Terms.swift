import CBLAS

/// Index terms: deterministic 64-bit hashes of character trigrams and words.
///
/// Hashes are persisted in the match index, so they never use Swift's `Hasher` (seeded per process).
/// A title's terms are the trigrams of `^` + the title with its spaces removed + `$` (so "good bye" and
/// "goodbye", "hyper ballad" and "hyperballad" share almost all of them), one term per word, one per
/// pair of adjacent words, and one for the whole title (spaces removed). Words and trigrams find
/// fuzzy matches; word pairs and the whole title keep long titles made of common words reachable in a
/// large catalogue, where the postings of common words and trigrams are capped.
/// Artist terms are the words of a normalized name.
public enum TermKind: UInt64, Sendable {
    case trigram = 1
    case word = 2
    case artist = 3
    case wordPair = 4
    case whole = 5
    case artistPair = 6
    case artistWhole = 7
}

public enum TermHash {
    /// MurmurHash3's 64-bit finalizer: a bijective mix, so distinct packed trigrams never collide.
    @inline(__always)
    public static func mix(_ value: UInt64) -> UInt64 {
        var x = value
        x ^= x >> 33
        x &*= 0xff51_afd7_ed55_8ccd
        x ^= x >> 33
        x &*= 0xc4ce_b9fe_1a85_ec53
        x ^= x >> 33
        return x == 0 ? 1 : x  // 0 marks an empty slot in the term tables
    }

    @inline(__always)
    static func trigram(_ a: UInt8, _ b: UInt8, _ c: UInt8) -> UInt64 {
        let m = mix(TermKind.trigram.rawValue << 56 | UInt64(a) << 16 | UInt64(b) << 8 | UInt64(c)) & ~wholeBit
        return m == 0 ? 1 : m
    }

    /// FNV-1a over the bytes, then mixed with the kind.
    @inline(__always)
    static func word(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int, to end: Int, kind: TermKind) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for i in start..<end {
            h ^= UInt64(bytes[i])
            h &*= 0x0000_0100_0000_01b3
        }
        let m = mix(h ^ (kind.rawValue &* 0x9e37_79b9_7f4a_7c15))
        // The top bit marks whole-title terms (their postings are never capped).
        return kind == .whole ? m | wholeBit : (m & ~wholeBit == 0 ? 1 : m & ~wholeBit)
    }

    /// The whole-title term of a normalized title's bytes, as `TermExtractor.titleTerms` makes it (its first
    /// `maxTitleBytes` bytes without their spaces, between the start and end marks); 0 for a title with no
    /// such term (no byte but spaces).
    public static func wholeTitle(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        h ^= 1
        h &*= 0x0000_0100_0000_01b3
        var any = false
        for b in bytes.prefix(TermExtractor.maxTitleBytes) where b != 32 {
            any = true
            h ^= UInt64(b)
            h &*= 0x0000_0100_0000_01b3
        }
        guard any else { return 0 }
        h ^= 2
        h &*= 0x0000_0100_0000_01b3
        return mix(h ^ (TermKind.whole.rawValue &* 0x9e37_79b9_7f4a_7c15)) | wholeBit
    }

    /// Set on (and only on) whole-title term hashes.
    public static let wholeBit: UInt64 = 1 << 63

    @inline(__always)
    public static func isWhole(_ term: UInt64) -> Bool { term & wholeBit != 0 }

    /// Public form for tests and tools: the hash of one word of a given kind.
    public static func word(_ text: String, kind: TermKind) -> UInt64 {
        var copy = text
        return copy.withUTF8 { word($0, from: 0, to: $0.count, kind: kind) }
    }
}

/// Extracts terms into caller-owned buffers (no allocation once the buffers have grown).
public struct TermExtractor {
    /// Titles are cut to this many bytes before term extraction (longer "titles" are noise).
    public static let maxTitleBytes = 200

    private var squeezed: [UInt8] = []

    public init() {
        squeezed.reserveCapacity(Self.maxTitleBytes + 2)
    }

    /// Replaces `terms` with the distinct terms of a normalized title (lower-case ASCII words, single
    /// spaces), sorted ascending.
    public mutating func titleTerms(_ title: String, into terms: inout [UInt64]) {
        terms.removeAll(keepingCapacity: true)
        var text = title
        text.withUTF8 { utf8 in
            let n = min(utf8.count, Self.maxTitleBytes)
            squeezed.removeAll(keepingCapacity: true)
            squeezed.append(1)  // ^
            var wordStart = -1
            var previousStart = -1
            func endWord(_ end: Int) {
                terms.append(TermHash.word(utf8, from: wordStart, to: end, kind: .word))
                if previousStart >= 0 { terms.append(TermHash.word(utf8, from: previousStart, to: end, kind: .wordPair)) }
                previousStart = wordStart
                wordStart = -1
            }
            for i in 0..<n {
                let b = utf8[i]
                if b == 32 {
                    if wordStart >= 0 { endWord(i) }
                } else {
                    if wordStart < 0 { wordStart = i }
                    squeezed.append(b)
                }
            }
            if wordStart >= 0 { endWord(n) }
            squeezed.append(2)  // $
        }
        if squeezed.count > 2 {
            for i in 0..<(squeezed.count - 2) {
                terms.append(TermHash.trigram(squeezed[i], squeezed[i + 1], squeezed[i + 2]))
            }
            squeezed.withUnsafeBufferPointer { terms.append(TermHash.word($0, from: 0, to: $0.count, kind: .whole)) }
        }
        Self.sortUnique(&terms)
    }

    /// Replaces `terms` with the artist terms of a normalized name, sorted ascending: its words, its
    /// pairs of adjacent words, and the whole name (spaces removed; flagged like whole titles, so its
    /// postings are never capped and an exact name always finds every work credited to it).
    public static func artistTerms(_ name: String, into terms: inout [UInt64]) {
        terms.removeAll(keepingCapacity: true)
        var text = name
        text.withUTF8 { utf8 in
            let n = min(utf8.count, Self.maxTitleBytes)
            var wordStart = -1
            var previousStart = -1
            var squeezedHash: UInt64 = 0xcbf2_9ce4_8422_2325
            func endWord(_ end: Int) {
                terms.append(TermHash.word(utf8, from: wordStart, to: end, kind: .artist))
                if previousStart >= 0 { terms.append(TermHash.word(utf8, from: previousStart, to: end, kind: .artistPair)) }
                previousStart = wordStart
                wordStart = -1
            }
            for i in 0..<n {
                if utf8[i] == 32 {
                    if wordStart >= 0 { endWord(i) }
                } else {
                    if wordStart < 0 { wordStart = i }
                    squeezedHash ^= UInt64(utf8[i])
                    squeezedHash &*= 0x0000_0100_0000_01b3
                }
            }
            if wordStart >= 0 { endWord(n) }
            if n > 0 { terms.append(TermHash.mix(squeezedHash ^ (TermKind.artistWhole.rawValue &* 0x9e37_79b9_7f4a_7c15)) | TermHash.wholeBit) }
        }
        sortUnique(&terms)
    }

    static func sortUnique(_ terms: inout [UInt64]) {
        guard terms.count > 1 else { return }
        // Titles have a few dozen terms: insertion sort beats the generic sort here.
        terms.withUnsafeMutableBufferPointer { t in
            for i in 1..<t.count {
                let v = t[i]
                var j = i - 1
                while j >= 0 && t[j] > v {
                    t[j + 1] = t[j]
                    j -= 1
                }
                t[j + 1] = v
            }
        }
        var w = 1
        for i in 1..<terms.count where terms[i] != terms[w - 1] {
            terms[w] = terms[i]
            w += 1
        }
        terms.removeLast(terms.count - w)
    }
}

/// Hashed dense vectors: each term lands in one of `dim` buckets with a ± sign taken from its hash,
/// weighted by its IDF; the vector is L2-normalized. The dot product of two such vectors approximates
/// the IDF-weighted cosine of their term sets.
public enum HashedVector {
    /// Title vectors in the index are stored as int8 with one Float scale per title (format 18; bfloat16
    /// before, Float32 before that): each component is `round(v · 127 / max|v|)`, so `v ≈ q · scale` with
    /// `scale = max|v| / 127` and an error ≤ `scale / 2` per component. A quarter of the Float32 bytes: the
    /// dense re-rank waits on the cache misses of the scattered title vectors, not on arithmetic, so bytes
    /// are what it costs. The query side is quantized to int16 (`quantize16`), and the product is exact
    /// integer arithmetic in C (`oeuvre_dot_i8_i16`, SSE2 `pmaddwd`): no conversion instructions in the
    /// loop, and no summation order to make two builds or two batches disagree. `dim` is a multiple of 16.
    ///
    /// Writes the int8 components of `v[0..<dim]` to `out` and returns the scale (0 for a zero vector).
    @discardableResult
    public static func quantize(_ v: UnsafePointer<Float>, dim: Int, into out: UnsafeMutablePointer<Int8>) -> Float {
        quantize(v, dim: dim, to: out)
    }

    /// Inverse of `quantize`: `q[i] · scale`.
    public static func dequantize(_ q: UnsafePointer<Int8>, scale: Float, dim: Int, into out: UnsafeMutablePointer<Float>) {
        for i in 0..<dim { out[i] = Float(q[i]) * scale }
    }

    /// The query side of the dense dot product: `round(v · 32767 / max|v|)` as int16; returns the scale
    /// (`max|v| / 32767`, 0 for a zero vector). The query's own error (≤ 1.5 · 10⁻⁵ of its largest component)
    /// is far below the title side's.
    @discardableResult
    public static func quantize16(_ v: UnsafePointer<Float>, dim: Int, into out: UnsafeMutablePointer<Int16>) -> Float {
        quantize(v, dim: dim, to: out)
    }

    /// `round(v · T.max / max|v|)` (half to even: `rint`, which vectorizes; rounding half away from zero is a
    /// `roundf` call per component) into `out`; returns `max|v| / T.max`, or 0 (and zeros) for a zero vector.
    @inline(__always)
    static func quantize<T: FixedWidthInteger & SignedInteger>(_ v: UnsafePointer<Float>, dim: Int, to out: UnsafeMutablePointer<T>) -> Float {
        var m: Float = 0
        for i in 0..<dim { m = max(m, abs(v[i])) }
        guard m > 0 else {
            out.update(repeating: 0, count: dim)
            return 0
        }
        let top = Float(T.max)
        let k = top / m
        for i in 0..<dim { out[i] = T((v[i] * k).rounded(.toNearestOrEven).clamped(-top, top)) }
        return m / top
    }

    @inline(__always)
    public static func bucket(_ term: UInt64, dim: Int) -> (index: Int, sign: Float) {
        let idx = Int((term >> 8) % UInt64(dim))
        return (idx, term & 1 == 0 ? 1 : -1)
    }

    /// Writes the normalized vector of `terms` (weights from `weight`) into `out[0..<dim]`.
    /// Returns the L2 norm before normalization (0 for an empty term set: the vector stays zero).
    @discardableResult
    public static func fill(
        terms: UnsafeBufferPointer<UInt64>, weights: UnsafeBufferPointer<Float>, dim: Int, out: UnsafeMutablePointer<Float>
    ) -> Float {
        out.update(repeating: 0, count: dim)
        for i in 0..<terms.count {
            let (b, s) = bucket(terms[i], dim: dim)
            out[b] += s * weights[i]
        }
        var sq: Float = 0
        for i in 0..<dim { sq += out[i] * out[i] }
        guard sq > 0 else { return 0 }
        let norm = sq.squareRoot()
        let inv = 1 / norm
        for i in 0..<dim { out[i] *= inv }
        return norm
    }
}

extension Float {
    @inline(__always)
    fileprivate func clamped(_ lo: Float, _ hi: Float) -> Float { Swift.min(Swift.max(self, lo), hi) }
}

/// Σ v[i]·q[i] of an int8 title vector and an int16 query over `n` dimensions (a multiple of 16), exact:
/// the dense re-rank's kernel (`HashedVector.quantize`). Times the two scales it is the cosine.
@inline(__always)
func dotProduct(_ q: UnsafePointer<Int16>, quantized v: UnsafePointer<Int8>, _ n: Int) -> Int32 {
    oeuvre_dot_i8_i16(v, q, n)
}
