import ArgumentParser
import Foundation
import Matching

/// `oeuvre bench sgemm`: this machine's single-precision GEMM rate through the same BLAS entry point
/// the matcher uses (hidden; called by bench/run).
extension BenchCommand {
    struct Sgemm: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Measure sgemm GFLOP/s (square peak and the matcher's re-ranking shape) and print the OpenBLAS kernel.")

        @Option(help: "Square matrix size for the peak measurement.") var size: Int = 1024
        @Option(help: "Seconds to spend per shape.") var seconds: Double = 1.5
        @Option(help: "BLAS threads (0 = OpenBLAS default).") var threads: Int = 0
        @Flag(help: "Print JSON.") var json = false

        /// Runs C = A·Bᵀ (m×k times n×k) repeatedly for `seconds`; returns GFLOP/s.
        static func measure(m: Int, n: Int, k: Int, seconds: Double) -> Double {
            var a = [Float](repeating: 0, count: m * k)
            var b = [Float](repeating: 0, count: n * k)
            var c = [Float](repeating: 0, count: m * n)
            var x: UInt32 = 12345
            for i in a.indices { x = x &* 1_664_525 &+ 1_013_904_223; a[i] = Float(x >> 8) / Float(1 << 24) - 0.5 }
            for i in b.indices { x = x &* 1_664_525 &+ 1_013_904_223; b[i] = Float(x >> 8) / Float(1 << 24) - 0.5 }
            let run = {
                a.withUnsafeBufferPointer { pa in
                    b.withUnsafeBufferPointer { pb in
                        c.withUnsafeMutableBufferPointer { pc in
                            BLAS.gemmABt(m: m, n: n, k: k, a: pa.baseAddress!, b: pb.baseAddress!, c: pc.baseAddress!)
                        }
                    }
                }
            }
            run()  // warm-up
            var reps = 0
            let start = Date()
            var elapsed = 0.0
            repeat {
                run()
                reps += 1
                elapsed = Date().timeIntervalSince(start)
            } while elapsed < seconds
            return 2 * Double(m) * Double(n) * Double(k) * Double(reps) / elapsed / 1e9
        }

        func run() async throws {
            if threads > 0 { BLAS.setThreads(threads) }
            let square = Self.measure(m: size, n: size, k: size, seconds: seconds)
            // Re-ranking shape: a batch of 256 query vectors against 50 candidates each, 256-dim hashed n-grams.
            let rerank = Self.measure(m: 256, n: 12_800, k: 256, seconds: seconds)
            if json {
                let obj: [String: Any] = [
                    "core": BLAS.coreName, "threads": BLAS.threads, "square_size": size,
                    "square_gflops": (square * 10).rounded() / 10, "rerank_gflops": (rerank * 10).rounded() / 10,
                    "kernel_warning": BLAS.kernelWarning ?? NSNull(),
                ]
                let data = try JSONSerialization.data(withJSONObject: obj, options: [.sortedKeys])
                print(String(decoding: data, as: UTF8.self))
            } else {
                print("OpenBLAS kernel \(BLAS.coreName), \(BLAS.threads) threads")
                print(String(format: "sgemm %d³: %.1f GFLOP/s", size, square))
                print(String(format: "sgemm 256×12800×256 (re-ranking shape): %.1f GFLOP/s", rerank))
                if let w = BLAS.kernelWarning { print("warning: \(w)") }
            }
        }
    }
}
