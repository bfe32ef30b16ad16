import ArgumentParser
import Foundation
import Matching
import OeuvreCore

/// `oeuvre bench-scorer` (hidden; run by bench/scorer): feature computation, fitting and scoring speed on
/// generated pairs.
struct BenchScorerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench-scorer",
        abstract: "Benchmark pair features, logistic-regression fitting and batch scoring on generated pairs.",
        shouldDisplay: false)

    @Option(help: "Labelled pairs to generate.") var pairs = 1_000_000
    @Option(help: "Candidates per line (one true work, the rest look-alikes).") var candidates = 5
    @Option(help: "Threads for feature computation.") var threads = ProcessInfo.processInfo.activeProcessorCount
    @Option(help: "Random seed.") var seed: UInt64 = 42
    @Option(help: "Share of labels flipped (human labels are noisy; separable data only inflates Newton iterations).")
    var labelNoise = 0.02
    @Option(help: "Warm-start row subset of the fit (0: none; see LogisticRegression.Options.warmStartRows).")
    var warmStartRows = LogisticRegression.Options().warmStartRows
    @Flag(help: "Also time a full `train` (5-fold cross-validation + final fit + calibration).") var fullTrain = false

    func run() async throws {
        try await runReporting {
            let d = FeatureSchema.current.count
            var load = [0.0, 0.0, 0.0]
            getloadavg(&load, 3)
            print("OpenBLAS kernel \(BLAS.coreName), \(BLAS.threads) BLAS thread(s); \(d) features; \(pairs) pairs; "
                  + String(format: "%d cores, load average %.1f", ProcessInfo.processInfo.activeProcessorCount, load[0]))
            if let w = BLAS.kernelWarning { print("warning: \(w)") }

            var t0 = Date()
            var c0 = Self.cpuSeconds()
            let data = Self.generate(pairs: pairs, candidates: candidates, seed: seed, labelNoise: labelNoise)
            print(String(format: "generated %d lines × %d candidates over %d works in %.2f s", data.lines.count, candidates,
                         data.works.count, Date().timeIntervalSince(t0)))

            t0 = Date()
            c0 = Self.cpuSeconds()
            let contexts = PairFeatureBuilder.contexts(lines: data.lines, works: data.works, pairs: data.pairs)
            let tContext = Date().timeIntervalSince(t0)
            t0 = Date()
            c0 = Self.cpuSeconds()
            let features = PairFeatureBuilder.features(lines: data.lines, works: data.works, pairs: data.pairs, contexts: contexts,
                                                       threads: threads)
            let tFeatures = Date().timeIntervalSince(t0)
            let cFeatures = Self.cpuSeconds() - c0
            t0 = Date()
            let sample = min(pairs, 200_000)
            _ = PairFeatureBuilder.features(lines: data.lines, works: data.works, pairs: Array(data.pairs[0..<sample]),
                                            contexts: Array(contexts[0..<sample]), threads: 1)
            let tFeatures1 = Date().timeIntervalSince(t0)
            print(String(format: "features: %.0f pairs/s on %d thread(s), %.0f pairs per CPU-second (%.0f pairs/s on 1 thread; contexts %.2f s)",
                         Double(pairs) / tFeatures, threads, Double(pairs) / cFeatures, Double(sample) / tFeatures1, tContext))

            var options = LogisticRegression.Options()
            options.classWeighting = .balanced
            options.warmStartRows = warmStartRows
            t0 = Date()
            c0 = Self.cpuSeconds()
            let fit = try features.withUnsafeBufferPointer { (f) throws(OeuvreError) -> LogisticFit in
                try data.labels.withUnsafeBufferPointer { (l) throws(OeuvreError) -> LogisticFit in
                    try LogisticRegression.fit(features: f, columns: d, labels: l, options: options)
                }
            }
            let tFit = Date().timeIntervalSince(t0)
            let cFit = Self.cpuSeconds() - c0
            print(String(format: "fit: %.2f s wall, %.2f s CPU for %d pairs (%d Newton iterations on all rows after %d on a warm-start subset; %@)",
                         tFit, cFit, pairs, fit.iterations, fit.warmStartIterations, fit.converged ? "converged" : "not converged"))
            let t = fit.timings
            print(String(format: "  fit phases (wall s): setup %.2f, margins+loss %.2f, gradient %.2f, XᵀWX %.2f, solve %.3f",
                         t.setup, t.margins, t.gradient, t.hessian, t.solve))

            let (w, b) = fit.rawWeights()
            let scorer = Scorer(weights: w, bias: b, thresholds: Thresholds(auto: 0.9, review: 0.5, match: 0.5))
            var out = [Float](repeating: 0, count: pairs)
            let rounds = 10
            t0 = Date()
            c0 = Self.cpuSeconds()
            features.withUnsafeBufferPointer { f in
                out.withUnsafeMutableBufferPointer { o in
                    for _ in 0..<rounds { scorer.score(f, rows: pairs, into: o) }
                }
            }
            let tScore = Date().timeIntervalSince(t0) / Double(rounds)
            let cScore = (Self.cpuSeconds() - c0) / Double(rounds)
            var correct = 0
            for i in 0..<pairs where (out[i] >= 0.5) == (data.labels[i] == 1) { correct += 1 }
            print(String(format: "score: %.0f pairs/s, %.0f pairs per CPU-second (one sgemv + logistic per batch of %d; in-sample accuracy %.4f)",
                         Double(pairs) / tScore, Double(pairs) / cScore, pairs, Double(correct) / Double(pairs)))

            if fullTrain {
                let groups = data.pairs.map { UInt64($0.line) }
                let set = LabelledFeatures(features: features, columns: d, labels: data.labels, groups: groups)
                t0 = Date()
                let model = try Trainer.train(set, validation: nil, options: Trainer.Options(),
                                              provenance: Trainer.Provenance(fingerprint: "bench", inputs: [], selection: "generated"))
                print(String(format: "full train (5-fold CV + final fit + calibration + metrics): %.2f s; held-out AUC %.4f",
                             Date().timeIntervalSince(t0), model.metrics.validation.auc))
            }
        }
    }

    /// User + system CPU time of this process (all threads), to read wall times on a shared machine.
    static func cpuSeconds() -> Double {
        var usage = rusage()
        #if os(Linux)
        getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
        #else
        getrusage(RUSAGE_SELF, &usage)
        #endif
        return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
    }

    struct Data {
        var lines: [LineProfile] = []
        var works: [WorkProfile] = []
        var pairs: [PairFeatureBuilder.Pair] = []
        var labels: [UInt8] = []
    }

    /// Profiles built directly in normalized form (no ICU): works with titles, performers, writers and
    /// durations; lines reporting one work each with typos, version tags, covers and missing fields.
    static func generate(pairs: Int, candidates: Int, seed: UInt64, labelNoise: Double) -> Data {
        var rng = SplitMix(state: seed)
        let vocabulary = (0..<3000).map { i -> String in
            let syllables = ["ka", "lo", "mi", "ne", "ra", "su", "to", "vi", "da", "el", "or", "an", "mu", "ze", "pi", "go"]
            var w = ""
            var x = i
            repeat { w += syllables[x % syllables.count]; x /= syllables.count } while x > 0
            return w
        }
        func words(_ n: Int) -> String { (0..<n).map { _ in vocabulary[Int(rng.next() % 3000)] }.joined(separator: " ") }
        let workCount = max(1000, pairs / candidates / 2)
        var data = Data()
        data.works.reserveCapacity(workCount)
        var previous: WorkProfile?
        for k in 0..<(workCount & ~1) {
            // Works come in sibling pairs (k, k^1) sharing their first title word and performer: hard negatives.
            var title = words(1 + Int(rng.next() % 4))
            var performers = [words(2)]
            if k % 2 == 1, let sibling = previous {
                title = String(sibling.titles[0].split(separator: " ")[0]) + " " + words(1 + Int(rng.next() % 2))
                performers = sibling.performers
            }
            var alt: [String] = [title]
            if rng.next() % 8 == 0 { alt.append(words(2)) }
            let work = WorkProfile(workId: "W\(k)", iswc: rng.next() % 2 == 0 ? "T\(100_000_000 + k)0" : nil, displayTitle: title,
                                   titles: alt, performers: performers, writers: [words(2), words(2)],
                                   duration: rng.next() % 4 == 0 ? nil : 150 + Int(rng.next() % 200))
            data.works.append(work)
            previous = work
        }
        let lineCount = pairs / candidates
        data.lines.reserveCapacity(lineCount)
        data.pairs.reserveCapacity(pairs)
        data.labels.reserveCapacity(pairs)
        let tags = [[], [], ["live"], ["remix"], ["karaoke"], ["remaster"]]
        for l in 0..<lineCount {
            let truth = Int(rng.next() % UInt64(data.works.count))
            let w = data.works[truth]
            var title = w.titles[0]
            if rng.next() % 5 == 0, title.count > 3 {
                var chars = Array(title)
                chars.remove(at: Int(rng.next() % UInt64(chars.count)))
                title = String(chars)
            }
            let artist = rng.next() % 3 == 0 ? [words(2)] : w.performers
            let line = LineProfile(title: title, tags: tags[Int(rng.next() % 6)], artists: rng.next() % 10 == 0 ? [] : artist,
                                   duration: w.duration.map { $0 + Int(rng.next() % 7) - 3 })
            data.lines.append(line)
            for c in 0..<candidates {
                // Candidate 1 is the truth's look-alike sibling (same first title word and performer), the rest random.
                let work = c == 0 ? truth : c == 1 ? truth ^ 1 : Int(rng.next() % UInt64(data.works.count))
                data.pairs.append(PairFeatureBuilder.Pair(line: l, work: work))
                let flip = Double(rng.next() % 1_000_000) / 1_000_000 < labelNoise
                data.labels.append((work == truth) != flip ? 1 : 0)
            }
        }
        // Keep exactly `pairs` rows.
        while data.pairs.count < pairs {
            data.pairs.append(data.pairs[data.pairs.count % max(1, data.pairs.count)])
            data.labels.append(data.labels[data.labels.count % max(1, data.labels.count)])
        }
        return data
    }

    struct SplitMix {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }
}
