import ArgumentParser
import Foundation
import Matching
import Normalization

/// `oeuvre doctor`: library versions, the OpenBLAS kernel and a warning on fallback kernels.
struct DoctorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "doctor",
        abstract: "Report library versions and the OpenBLAS kernel; warn when a fallback kernel runs on an AVX2/AVX-512 CPU.")

    func run() async throws {
        print("oeuvre \(OeuvreCommand.version)")
        print("ICU \(UnicodeFolding.icuVersion)")
        // Japanese readings: without the dictionary, kanji in Japanese text are read as Mandarin (docs/NORMALIZATION.md).
        let japanese = JapaneseReader.identity
        print("Japanese readings: \(japanese == "none" ? "none (install mecab-ipadic-utf8: scripts/bootstrap)" : "\(japanese), \(JapaneseReader.dictionaryDirectory ?? "")")")
        print("OpenBLAS \(BLAS.config)")
        print("OpenBLAS kernel \(BLAS.coreName), \(BLAS.threads) thread(s)")
        let f = BLAS.cpuFeatures
        print("CPU AVX2 \(f.avx2 ? "yes" : "no"), AVX-512 \(f.avx512 ? "yes" : "no")")
        print("OPENBLAS_CORETYPE=\(ProcessInfo.processInfo.environment["OPENBLAS_CORETYPE"] ?? "(unset)")")
        if let w = BLAS.kernelWarning { print("warning: \(w)") }
    }
}
