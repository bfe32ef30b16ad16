import Matching
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

    @Test func reportsAKernel() {
        #expect(!BLAS.coreName.isEmpty)
    }
}
