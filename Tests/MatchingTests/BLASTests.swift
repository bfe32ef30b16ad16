@testable import Matching
import OeuvreTestSupport
import Testing

@Suite struct BLASTests {
    @Test func gemmMatchesNaiveProduct() {
        let m = 3, n = 4, k = 5
        let a = (0..<(m * k)).map { Float($0 % 7) - 3 }
        let b = (0..<(n * k)).map { Float($0 % 5) - 2 }
        var c = [Float](repeating: 0, count: m * n)
        BLAS.gemmABt(m: m, n: n, k: k, a: a, b: b, c: &c)
        for i in 0..<m {
            for j in 0..<n {
                var s: Float = 0
                for t in 0..<k { s += a[i * k + t] * b[j * k + t] }
                #expect(c[i * n + j] == s)
            }
        }
    }

    /// The dense re-rank's direct dot products (query Float32 × title vectors packed as bfloat16) equal
    /// sgemm's over the same vectors decoded to Float32, on L2-normalized random vectors (the index's
    /// title vectors are normalized), for lengths around the loop's 8- and 16-dimension steps.
    @Test(arguments: [8, 16, 24, 32, 64, 120, 128, 136])
    func packedDotProductMatchesSgemm(k: Int) {
        var rng = SeededGenerator(seed: UInt64(k))
        let m = 5, n = 40
        func normalizedRows(_ count: Int) -> [Float] {
            var v = (0..<(count * k)).map { _ in Float.random(in: -1...1, using: &rng) }
            for r in 0..<count {
                let norm = (0..<k).reduce(Float(0)) { $0 + v[r * k + $1] * v[r * k + $1] }.squareRoot()
                for i in 0..<k { v[r * k + i] /= max(norm, 1e-6) }
            }
            return v
        }
        let a = normalizedRows(m), b = normalizedRows(n)
        var packed = [UInt32](repeating: 0, count: n * k / 2)
        var decoded = [Float](repeating: 0, count: n * k)
        b.withUnsafeBufferPointer { pb in
            packed.withUnsafeMutableBufferPointer { pp in
                decoded.withUnsafeMutableBufferPointer { pd in
                    for j in 0..<n {
                        HashedVector.pack(pb.baseAddress! + j * k, dim: k, into: pp.baseAddress! + j * k / 2)
                        HashedVector.unpack(pp.baseAddress! + j * k / 2, dim: k, into: pd.baseAddress! + j * k)
                    }
                }
            }
        }
        // Packing keeps 8 significant bits: each component within 2⁻⁸ of its value, relatively.
        for (x, y) in zip(b, decoded) { #expect(abs(x - y) <= abs(x) / 256) }
        var c = [Float](repeating: 0, count: m * n)
        BLAS.gemmABt(m: m, n: n, k: k, a: a, b: decoded, c: &c)
        a.withUnsafeBufferPointer { pa in
            packed.withUnsafeBufferPointer { pb in
                for i in 0..<m {
                    for j in 0..<n {
                        let d = dotProduct(pa.baseAddress! + i * k, packed: pb.baseAddress! + j * k / 2, k)
                        #expect(abs(d - c[i * n + j]) <= 1e-5, "row \(i) col \(j): \(d) vs \(c[i * n + j])")
                    }
                }
            }
        }
    }

    @Test func reportsAKernel() {
        #expect(!BLAS.coreName.isEmpty)
    }
}
