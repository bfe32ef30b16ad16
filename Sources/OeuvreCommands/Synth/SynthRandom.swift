import Foundation

/// SplitMix64 step: used to seed and to hash (seed, stream, index) triples into independent states.
@inline(__always) func splitMix64(_ x: inout UInt64) -> UInt64 {
    x &+= 0x9E37_79B9_7F4A_7C15
    var z = x
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
}

/// Mixes values into one 64-bit hash (order matters).
@inline(__always) func mixHash(_ a: UInt64, _ b: UInt64, _ c: UInt64 = 0) -> UInt64 {
    var s = a ^ 0x6A09_E667_F3BC_C908
    _ = splitMix64(&s)
    s ^= b &* 0xD6E8_FEB8_6659_FD93
    _ = splitMix64(&s)
    s ^= c &* 0xA076_1D64_78BD_642F
    return splitMix64(&s)
}

/// xoshiro256** — the generator's only source of randomness (never the system RNG), so that a
/// seed gives the same files on every run and machine. Each entity (work, recording, block) gets
/// its own stream from `SynthRandom(seed:stream:index:)`, so it can be regenerated on demand.
struct SynthRandom: Sendable {
    private var s0: UInt64, s1: UInt64, s2: UInt64, s3: UInt64

    init(seed: UInt64, stream: UInt64 = 0, index: UInt64 = 0) {
        var x = mixHash(seed, stream, index)
        s0 = splitMix64(&x); s1 = splitMix64(&x); s2 = splitMix64(&x); s3 = splitMix64(&x)
    }

    @inline(__always) mutating func next() -> UInt64 {
        let result = ((s1 &* 5) << 7 | (s1 &* 5) >> 57) &* 9
        let t = s1 << 17
        s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3
        s2 ^= t
        s3 = (s3 << 45) | (s3 >> 19)
        return result
    }

    /// Uniform in [0, 1).
    @inline(__always) mutating func unit() -> Double { Double(next() >> 11) * 0x1.0p-53 }

    /// Uniform in 0..<n (n > 0), Lemire's multiply-shift (bias < 2^-32 for the sizes used here).
    @inline(__always) mutating func below(_ n: Int) -> Int {
        Int((UInt64(UInt32(truncatingIfNeeded: next() >> 32)) &* UInt64(n)) >> 32)
    }

    @inline(__always) mutating func range(_ r: ClosedRange<Int>) -> Int { r.lowerBound + below(r.count) }

    @inline(__always) mutating func chance(_ p: Double) -> Bool { unit() < p }

    @inline(__always) mutating func pick<T>(_ a: [T]) -> T { a[below(a.count)] }

    /// Index drawn from cumulative weights (`cumulative.last` is the total).
    mutating func weighted(_ cumulative: [Double]) -> Int {
        let u = unit() * (cumulative.last ?? 1)
        var lo = 0, hi = cumulative.count - 1
        while lo < hi {
            let mid = (lo + hi) / 2
            if cumulative[mid] > u { hi = mid } else { lo = mid + 1 }
        }
        return lo
    }

    /// Rank in 0..<n with a Zipf-like law P(rank k) ∝ (k+1)^-s (continuous inverse-CDF approximation).
    mutating func zipf(_ n: Int, s: Double) -> Int {
        guard n > 1 else { return 0 }
        let u = unit()
        let x: Double
        if abs(s - 1) < 1e-9 {
            x = pow(Double(n) + 1, u)
        } else {
            let a = 1 - s
            x = pow(u * (pow(Double(n) + 1, a) - 1) + 1, 1 / a)
        }
        return min(n - 1, max(0, Int(x) - 1))
    }
}

/// A bijection of 0..<n (affine map with a multiplier coprime to n): spreads popular ranks over ids.
struct Permutation: Sendable {
    let n: Int, a: Int, b: Int

    init(n: Int, salt: UInt64) {
        self.n = max(1, n)
        var x = salt
        var a = Int(splitMix64(&x) % UInt64(self.n)) | 1
        while gcd(a, self.n) != 1 { a += 1 }
        self.a = a % self.n == 0 ? 1 : a
        self.b = Int(splitMix64(&x) % UInt64(self.n))
    }

    @inline(__always) func apply(_ k: Int) -> Int {
        Int((UInt64(a) &* UInt64(k) &+ UInt64(b)) % UInt64(n))
    }
}

func gcd(_ a: Int, _ b: Int) -> Int {
    var (x, y) = (a, b)
    while y != 0 { (x, y) = (y, x % y) }
    return x
}
