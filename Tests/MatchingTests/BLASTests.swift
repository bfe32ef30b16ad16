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

    /// The dense re-rank's direct dot products equal sgemm's on L2-normalized random vectors (the
    /// index's title vectors are normalized), every length around the 8- and 32-float steps of the loop.
    @Test(arguments: [1, 7, 8, 9, 31, 32, 33, 64, 100, 128, 200])
    func dotProductMatchesSgemm(k: Int) {
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
        var c = [Float](repeating: 0, count: m * n)
        BLAS.gemmABt(m: m, n: n, k: k, a: a, b: b, c: &c)
        a.withUnsafeBufferPointer { pa in
            b.withUnsafeBufferPointer { pb in
                for i in 0..<m {
                    for j in 0..<n {
                        let d = dotProduct(pa.baseAddress! + i * k, pb.baseAddress! + j * k, k)
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
