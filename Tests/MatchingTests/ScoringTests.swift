import Foundation
import Matching
import OeuvreCore
import OeuvreTestSupport
import Testing

@Suite struct LogisticRegressionTests {
    /// n rows of 3 features; label ~ Bernoulli(σ(2·x0 − 1·x1 + 0·x2 + 0.5)).
    static func synthetic(_ n: Int, seed: UInt64 = 7) -> (x: [Float], y: [UInt8]) {
        var g = SeededGenerator(seed: seed)
        var x: [Float] = [], y: [UInt8] = []
        for _ in 0..<n {
            let a = Float.random(in: -2...2, using: &g), b = Float.random(in: -2...2, using: &g), c = Float.random(in: 0...5, using: &g)
            x += [a, b, c]
            let p = 1 / (1 + exp(-(2 * Double(a) - Double(b) + 0.5)))
            y.append(Double.random(in: 0..<1, using: &g) < p ? 1 : 0)
        }
        return (x, y)
    }

    static func fit(_ x: [Float], _ y: [UInt8], _ options: LogisticRegression.Options) throws -> LogisticFit {
        try x.withUnsafeBufferPointer { xp in
            try y.withUnsafeBufferPointer { yp in try LogisticRegression.fit(features: xp, columns: 3, labels: yp, options: options) }
        }
    }

    @Test func recoversTrueWeights() throws {
        let (x, y) = Self.synthetic(40_000)
        let fit = try Self.fit(x, y, LogisticRegression.Options(l2: 1e-3, classWeighting: .none))
        #expect(fit.converged)
        let (w, b) = fit.rawWeights()
        #expect(abs(w[0] - 2) < 0.1)
        #expect(abs(w[1] + 1) < 0.1)
        #expect(abs(w[2]) < 0.05)
        #expect(abs(b - 0.5) < 0.15)
    }

    @Test func warmStartConvergesToTheColdFit() throws {
        let (x, y) = Self.synthetic(20_000)
        let exact = try Self.fit(x, y, LogisticRegression.Options(l2: 1, warmStartRows: 0))
        let sampled = try Self.fit(x, y, LogisticRegression.Options(l2: 1, warmStartRows: 2_000))
        #expect(exact.warmStartIterations == 0)
        #expect(sampled.warmStartIterations > 0)
        #expect(sampled.iterations < exact.iterations)
        #expect(sampled.converged)
        for j in 0..<3 { #expect(abs(sampled.weights[j] - exact.weights[j]) < 1e-4) }
        #expect(abs(sampled.bias - exact.bias) < 1e-4)
        #expect(abs(sampled.loss - exact.loss) < 1e-7 * exact.loss)
    }

    @Test func isDeterministic() throws {
        let (x, y) = Self.synthetic(5_000)
        let a = try Self.fit(x, y, LogisticRegression.Options())
        let b = try Self.fit(x, y, LogisticRegression.Options())
        #expect(a.weights == b.weights)
        #expect(a.bias == b.bias)
    }

    @Test func l2ShrinksWeights() throws {
        let (x, y) = Self.synthetic(2_000)
        let weak = try Self.fit(x, y, LogisticRegression.Options(l2: 0.01))
        let strong = try Self.fit(x, y, LogisticRegression.Options(l2: 1_000))
        #expect(abs(strong.weights[0]) < abs(weak.weights[0]) / 2)
    }

    @Test func balancedWeightingRaisesTheRareClass() throws {
        var (x, y) = Self.synthetic(4_000)
        // Keep one positive in ten.
        var keepX: [Float] = [], keepY: [UInt8] = []
        var seen = 0
        for i in y.indices {
            if y[i] == 1 { seen += 1; if seen % 10 != 0 { continue } }
            keepX += x[(i * 3)..<(i * 3 + 3)]
            keepY.append(y[i])
        }
        (x, y) = (keepX, keepY)
        let plain = try Self.fit(x, y, LogisticRegression.Options(classWeighting: .none))
        let balanced = try Self.fit(x, y, LogisticRegression.Options(classWeighting: .balanced))
        #expect(balanced.bias > plain.bias)
    }

    @Test func refusesASingleClass() {
        let x: [Float] = [1, 2, 3, 4, 5, 6]
        let y: [UInt8] = [0, 0]
        #expect(throws: OeuvreError.self) { try Self.fit(x, y, LogisticRegression.Options()) }
    }

    @Test func plattRecoversAScale() {
        var g = SeededGenerator(seed: 3)
        var z: [Double] = [], y: [UInt8] = []
        for _ in 0..<20_000 {
            let m = Double.random(in: -6...6, using: &g)
            z.append(m)
            y.append(Double.random(in: 0..<1, using: &g) < 1 / (1 + exp(-(0.5 * m - 1))) ? 1 : 0)
        }
        let p = LogisticRegression.platt(margins: z, labels: y)
        #expect(p != nil)
        #expect(abs((p?.a ?? 0) - 0.5) < 0.05)
        #expect(abs((p?.b ?? 0) + 1) < 0.1)
    }
}

@Suite struct MetricsTests {
    @Test func auc() {
        #expect(Metrics.auc([0.1, 0.2, 0.8, 0.9], [0, 0, 1, 1]) == 1)
        #expect(Metrics.auc([0.9, 0.8, 0.2, 0.1], [0, 0, 1, 1]) == 0)
        #expect(Metrics.auc([0.5, 0.5, 0.5, 0.5], [0, 1, 0, 1]) == 0.5)
        #expect(Metrics.auc([0.5, 0.5], [1, 1]).isNaN)
    }

    @Test func logLossAndECE() {
        #expect(abs(Metrics.logLoss([0.5, 0.5], [0, 1]) - log(2)) < 1e-9)
        // All in bin [0.9, 1): confidence 0.95, accuracy 0.5.
        #expect(abs(Metrics.ece([0.95, 0.95], [1, 0]) - 0.45) < 1e-6)
        #expect(Metrics.ece([0.05, 0.95], [0, 1]) < 0.051)
    }

    @Test func precisionRecallF1() {
        let m = Metrics.at(0.5, [0.9, 0.6, 0.4, 0.2], [1, 0, 1, 0])
        #expect(m.truePositives == 1 && m.falsePositives == 1 && m.falseNegatives == 1 && m.trueNegatives == 1)
        #expect(m.precision == 0.5 && m.recall == 0.5 && m.f1 == 0.5)
    }

    @Test func thresholdsForTargets() {
        let probs: [Float] = [0.99, 0.95, 0.9, 0.8, 0.7, 0.6, 0.3, 0.2]
        let labels: [UInt8] = [1, 1, 1, 0, 1, 0, 1, 0]
        let t = Metrics.chooseThresholds(probs, labels, targetPrecision: 1, targetRecall: 1, calibrated: false)
        // Precision 1 holds down to 0.9 (cut between 0.9 and 0.8).
        #expect(abs(t.auto - 0.85) < 1e-6)
        // Recall 1 needs the positive at 0.3 (cut between 0.3 and 0.2).
        #expect(abs(t.review - 0.25) < 1e-6)
        #expect(t.review <= t.auto)
        let calibrated = Metrics.chooseThresholds(probs, labels, targetPrecision: 1, targetRecall: 1, calibrated: true)
        #expect(calibrated.match > 0 && calibrated.match <= 0.5)
    }
}

@Suite struct ModelFileTests {
    static func trainedModel() throws -> ScoringModel {
        var g = SeededGenerator(seed: 11)
        let d = FeatureSchema.current.count
        var features: [Float] = [], labels: [UInt8] = [], groups: [UInt64] = []
        for i in 0..<600 {
            let positive = i % 3 == 0
            for j in 0..<d {
                let base: Float = positive ? 0.7 : 0.3
                features.append(j % 2 == 0 ? base + Float.random(in: -0.3...0.3, using: &g) : Float.random(in: 0...1, using: &g))
            }
            labels.append(positive ? 1 : 0)
            groups.append(UInt64(i / 2))
        }
        let set = LabelledFeatures(features: features, columns: d, labels: labels, groups: groups)
        return try Trainer.train(set, validation: nil, options: Trainer.Options(),
                                 provenance: Trainer.Provenance(fingerprint: "sha256:test", inputs: [], selection: "all pairs"))
    }

    @Test func trainsRoundTripsAndScores() throws {
        let model = try Self.trainedModel()
        #expect(model.featureNames == FeatureSchema.current.names)
        #expect(model.metrics.validation.auc > 0.95)
        #expect(model.thresholds.review <= model.thresholds.auto)
        let data = try model.jsonData()
        let again = try ScoringModel.decode(data, path: "m.json")
        #expect(again.weights == model.weights)
        #expect(try again.jsonData() == data)
        // Batch scoring equals the standardized formula.
        let row = (0..<model.featureNames.count).map { Float($0 % 3) / 2 }
        var z = model.bias
        for j in row.indices { z += model.weights[j] * (Double(row[j]) - model.scaling.mean[j]) / model.scaling.std[j] }
        if let c = model.calibration { z = c.a * z + c.b }
        let expected = 1 / (1 + exp(-z))
        #expect(abs(Double(model.scorer.score(row)[0]) - expected) < 1e-4)
    }

    /// `--l2 auto`: the strongest penalty whose held-out log-loss is within one standard error of the paired per-pair
    /// differences from the best.
    @Test(arguments: [(true, 0.1), (false, 1000.0)])
    func l2GridRule(signal: Bool, expected: Double) throws {
        var g = SeededGenerator(seed: 5)
        let d = FeatureSchema.current.count
        var features: [Float] = [], labels: [UInt8] = [], groups: [UInt64] = []
        for i in 0..<1500 {
            let row = (0..<d).map { _ in Float.random(in: 0...1, using: &g) }
            // With signal the label follows the first ten features closely; without, it is a coin toss.
            let z = row.prefix(10).reduce(0, +) - 5
            let positive = signal ? 6 * z + Float.random(in: -0.5...0.5, using: &g) > 0 : Bool.random(using: &g)
            features += row
            labels.append(positive ? 1 : 0)
            groups.append(UInt64(i))
        }
        var options = Trainer.Options()
        options.l2Grid = [1000, 0.1]
        let model = try Trainer.train(LabelledFeatures(features: features, columns: d, labels: labels, groups: groups), validation: nil,
                                      options: options, provenance: Trainer.Provenance(fingerprint: "sha256:test", inputs: [], selection: "all"))
        #expect(model.training.l2 == expected)
        #expect(model.training.validation.contains("paired differences"))
    }

    @Test func refusesOtherFeatureNames() throws {
        var model = try Self.trainedModel()
        model.featureNames[0] = "something_else"
        let data = try model.jsonData()
        do {
            _ = try ScoringModel.decode(data, path: "m.json")
            Issue.record("expected an error")
        } catch {
            #expect(error.code == .model)
            #expect(error.code.exitCode == 2)
            #expect(error.message.contains("something_else"))
        }
        #expect(throws: OeuvreError.self) { try ScoringModel.decode(Data("{}".utf8), path: "m.json") }
    }

    @Test func trainerRejectsBadFeaturesWithTheirPosition() {
        let d = FeatureSchema.current.count
        var features = [Float](repeating: 0.5, count: 4 * d)
        features[2 * d + 1] = .nan
        let set = LabelledFeatures(features: features, columns: d, labels: [1, 0, 1, 0], groups: [1, 2, 3, 4],
                                   positions: (1...4).map { SourcePosition(file: "pairs.tsv", line: $0 + 1) })
        do {
            try set.validate("training pairs")
            Issue.record("expected an error")
        } catch {
            #expect(error.code.exitCode == 3)
            #expect(error.position?.line == 4)
            #expect(error.message.contains(FeatureSchema.current.names[1]))
        }
        let noPositives = LabelledFeatures(features: [Float](repeating: 0, count: 2 * d), columns: d, labels: [0, 0], groups: [1, 2])
        #expect(throws: OeuvreError.self) { try noPositives.validate("split test") }
    }

    @Test func sha256() {
        #expect(SHA256.hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(SHA256.hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(SHA256.hex(String(repeating: "a", count: 1000)) == "41edece42d63e8d9bf515a9ba6932e1c20cbc9f5a5d134645adb5db1b9737ea3")
    }

    /// The shipped model must load with the code's feature schema (retrain it when features change).
    @Test func committedDefaultModelMatchesTheCode() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let path = root.appendingPathComponent("models/default.json").path
        let model = try ScoringModel.load(path: path)
        #expect(model.featureNames == FeatureSchema.current.names)
        #expect(model.schemaVersion == FeatureSchema.current.version)
        #expect(model.thresholds.auto >= model.thresholds.review)
    }
}
