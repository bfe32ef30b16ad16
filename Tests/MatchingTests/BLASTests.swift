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

    /// The dense re-rank's direct dot products (int16 query × int8 title vectors, `HashedVector.quantize`):
    /// the C kernel's integer sum equals the plain one, the int8 vectors decode to within half a step of
    /// their values, and the scaled products agree with sgemm over the decoded vectors up to the query's
    /// int16 rounding — on L2-normalized random vectors (the index's title vectors are normalized), for
    /// lengths of one and several 16-dimension blocks.
    @Test(arguments: [16, 32, 64, 128, 144])
    func quantizedDotProductMatchesSgemm(k: Int) {
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
        var q8 = [Int8](repeating: 0, count: n * k)
        var scales = [Float](repeating: 0, count: n)
        var decoded = [Float](repeating: 0, count: n * k)
        var q16 = [Int16](repeating: 0, count: m * k)
        var scales16 = [Float](repeating: 0, count: m)
        b.withUnsafeBufferPointer { pb in
            q8.withUnsafeMutableBufferPointer { pq in
                decoded.withUnsafeMutableBufferPointer { pd in
                    for j in 0..<n {
                        scales[j] = HashedVector.quantize(pb.baseAddress! + j * k, dim: k, into: pq.baseAddress! + j * k)
                        HashedVector.dequantize(pq.baseAddress! + j * k, scale: scales[j], dim: k, into: pd.baseAddress! + j * k)
                    }
                }
            }
        }
        a.withUnsafeBufferPointer { pa in
            q16.withUnsafeMutableBufferPointer { pq in
                for i in 0..<m { scales16[i] = HashedVector.quantize16(pa.baseAddress! + i * k, dim: k, into: pq.baseAddress! + i * k) }
            }
        }
        for j in 0..<n {
            #expect(q8[(j * k)..<((j + 1) * k)].contains { abs(Int($0)) == 127 }, "the largest component takes the whole range")
            for i in 0..<k { #expect(abs(b[j * k + i] - decoded[j * k + i]) <= scales[j] * 0.5001) }
        }
        var c = [Float](repeating: 0, count: m * n)
        BLAS.gemmABt(m: m, n: n, k: k, a: a, b: decoded, c: &c)
        q16.withUnsafeBufferPointer { pa in
            q8.withUnsafeBufferPointer { pb in
                for i in 0..<m {
                    for j in 0..<n {
                        let exact = (0..<k).reduce(Int32(0)) { $0 + Int32(pa[i * k + $1]) * Int32(pb[j * k + $1]) }
                        let sum = dotProduct(pa.baseAddress! + i * k, quantized: pb.baseAddress! + j * k, k)
                        #expect(sum == exact, "row \(i) col \(j)")
                        let d = Float(sum) * scales[j] * scales16[i]
                        #expect(abs(d - c[i * n + j]) <= 3e-4, "row \(i) col \(j): \(d) vs \(c[i * n + j])")
                    }
                }
            }
        }
    }

    /// A zero vector (a title without terms) quantizes to zeros with scale 0 on both sides.
    @Test func zeroVectorQuantizesToZero() {
        let v = [Float](repeating: 0, count: 32)
        var q8 = [Int8](repeating: 1, count: 32)
        var q16 = [Int16](repeating: 1, count: 32)
        #expect(HashedVector.quantize(v, dim: 32, into: &q8) == 0)
        #expect(HashedVector.quantize16(v, dim: 32, into: &q16) == 0)
        #expect(q8.allSatisfy { $0 == 0 } && q16.allSatisfy { $0 == 0 })
    }

    @Test func reportsAKernel() {
        #expect(!BLAS.coreName.isEmpty)
    }
}
