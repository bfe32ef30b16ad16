import CBLAS
import Foundation

/// The one place Oeuvre calls BLAS. Row-major single-precision products on contiguous buffers.
public enum BLAS {
    /// The OpenBLAS kernel in use (`Prescott`, `SkylakeX`, `Haswell`, …).
    public static var coreName: String {
        guard let p = openblas_get_corename() else { return "unknown" }
        return String(cString: p)
    }

    /// OpenBLAS build configuration string.
    public static var config: String {
        guard let p = openblas_get_config() else { return "unknown" }
        return String(cString: p)
    }

    public static var threads: Int { Int(openblas_get_num_threads()) }

    public static func setThreads(_ n: Int) { openblas_set_num_threads(Int32(n)) }

    /// C (m×n) = alpha · A (m×k) · Bᵀ where B is n×k, all row-major; C = alpha·A·Bᵀ + beta·C.
    public static func gemmABt(
        m: Int, n: Int, k: Int, a: UnsafePointer<Float>, b: UnsafePointer<Float>, c: UnsafeMutablePointer<Float>,
        alpha: Float = 1, beta: Float = 0
    ) {
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, Int32(m), Int32(n), Int32(k), alpha, a, Int32(k), b, Int32(k), beta, c, Int32(n))
    }

    /// y (m) = A (m×n, row-major) · x (n).
    public static func gemv(m: Int, n: Int, a: UnsafePointer<Float>, x: UnsafePointer<Float>, y: UnsafeMutablePointer<Float>, beta: Float = 0) {
        cblas_sgemv(CblasRowMajor, CblasNoTrans, Int32(m), Int32(n), 1, a, Int32(n), x, 1, beta, y, 1)
    }

    /// y (n) = alpha · Aᵀ (A m×n, row-major) · x (m) + beta · y.
    public static func gemvTransposed(m: Int, n: Int, a: UnsafePointer<Float>, x: UnsafePointer<Float>, y: UnsafeMutablePointer<Float>,
                                      alpha: Float = 1, beta: Float = 0) {
        cblas_sgemv(CblasRowMajor, CblasTrans, Int32(m), Int32(n), alpha, a, Int32(n), x, 1, beta, y, 1)
    }

    /// C (n×n, upper triangle, row-major) = alpha · Aᵀ·A + beta · C where A is m×n row-major (symmetric rank-k update).
    /// Only the upper triangle of C is written.
    public static func syrkAtA(m: Int, n: Int, a: UnsafePointer<Float>, c: UnsafeMutablePointer<Float>, alpha: Float = 1, beta: Float = 0) {
        cblas_ssyrk(CblasRowMajor, CblasUpper, CblasTrans, Int32(n), Int32(m), alpha, a, Int32(n), beta, c, Int32(n))
    }

    /// Double precision: C (n×n) = Aᵀ·diag(w)·A is formed by the caller as Aᵀ·B; this computes C = alpha·Aᵀ·B + beta·C
    /// with A (m×n) and B (m×p) row-major.
    public static func dgemmAtB(
        m: Int, n: Int, p: Int, a: UnsafePointer<Double>, b: UnsafePointer<Double>, c: UnsafeMutablePointer<Double>,
        alpha: Double = 1, beta: Double = 0
    ) {
        cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, Int32(n), Int32(p), Int32(m), alpha, a, Int32(n), b, Int32(p), beta, c, Int32(p))
    }

    /// y (m) = A (m×n, row-major, double) · x (n).
    public static func dgemv(m: Int, n: Int, a: UnsafePointer<Double>, x: UnsafePointer<Double>, y: UnsafeMutablePointer<Double>, transpose: Bool = false, beta: Double = 0) {
        cblas_dgemv(CblasRowMajor, transpose ? CblasTrans : CblasNoTrans, Int32(m), Int32(n), 1, a, Int32(n), x, 1, beta, y, 1)
    }

    /// Whether the CPU supports AVX2 / AVX-512 (from /proc/cpuinfo flags on Linux).
    public static var cpuFeatures: (avx2: Bool, avx512: Bool) {
        guard let info = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
              let flagsLine = info.split(separator: "\n").first(where: { $0.hasPrefix("flags") })
        else { return (false, false) }
        let flags = Set(flagsLine.split(separator: " ").map(String.init))
        return (flags.contains("avx2"), flags.contains("avx512f"))
    }

    /// A warning when OpenBLAS runs a generic/old kernel on a CPU that has AVX2 or AVX-512, else nil.
    public static var kernelWarning: String? {
        let core = coreName.lowercased()
        let fallback = ["prescott", "core2", "katmai", "coppermine", "northwood", "banias", "atom", "nehalem", "dunnington", "penryn", "generic"]
        let features = cpuFeatures
        guard fallback.contains(core), features.avx2 || features.avx512 else { return nil }
        let suggestion = features.avx512 ? "SkylakeX" : "Haswell"
        return "OpenBLAS runs its fallback '\(coreName)' kernel although this CPU has \(features.avx512 ? "AVX-512" : "AVX2"); "
            + "set OPENBLAS_CORETYPE=\(suggestion) before starting oeuvre for 3-6x faster BLAS phases (see docs/PLATFORM.md)."
    }
}
