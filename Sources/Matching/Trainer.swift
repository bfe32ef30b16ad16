import Foundation
import OeuvreCore

/// Labelled feature rows for training or evaluation.
public struct LabelledFeatures: Sendable {
    /// Row-major, `columns` wide.
    public var features: [Float]
    public var columns: Int
    /// 0 or 1.
    public var labels: [UInt8]
    /// Grouping key per row (the usage line): cross-validation folds never split a group.
    public var groups: [UInt64]
    /// Where each row came from (for error messages); may be empty.
    public var positions: [SourcePosition]

    public init(features: [Float], columns: Int, labels: [UInt8], groups: [UInt64], positions: [SourcePosition] = []) {
        self.features = features
        self.columns = columns
        self.labels = labels
        self.groups = groups
        self.positions = positions
    }

    public var count: Int { labels.count }
    public var positives: Int { labels.reduce(0) { $0 + Int($1) } }

    /// Checks labels and features: every value finite, both classes present. `name` says which set.
    public func validate(_ name: String, schema: FeatureSchema = .current, requireBothClasses: Bool = true) throws(OeuvreError) {
        guard columns > 0, features.count == count * columns, groups.count == count else {
            throw OeuvreError(.internalError, "\(name): feature matrix has the wrong shape")
        }
        for i in 0..<count {
            guard labels[i] <= 1 else {
                throw OeuvreError(.invalidInput, "\(name): label must be 0 or 1", at: position(i))
            }
            for j in 0..<columns where !features[i * columns + j].isFinite {
                let feature = j < schema.count ? schema.names[j] : "column \(j + 1)"
                throw OeuvreError(.invalidInput, "\(name): feature \(feature) is \(features[i * columns + j]) (not a finite number)",
                                  at: position(i))
            }
        }
        guard count > 0 else { throw OeuvreError(.invalidInput, "\(name) has no pairs") }
        if requireBothClasses {
            let pos = positives
            guard pos > 0 else { throw OeuvreError(.invalidInput, "\(name) has no positive pair (label 1): nothing to learn or measure") }
            guard pos < count else { throw OeuvreError(.invalidInput, "\(name) has no negative pair (label 0)") }
        }
    }

    func position(_ i: Int) -> SourcePosition? { i < positions.count ? positions[i] : nil }
}

/// Trains a `ScoringModel`: logistic regression, held-out calibration and thresholds, metrics.
public enum Trainer {
    public enum CalibrationMode: String, Sendable, CaseIterable {
        /// Platt scaling when it lowers the held-out log-loss.
        case auto
        case platt
        case none
    }

    public struct Options: Sendable {
        public var regression = LogisticRegression.Options()
        /// Cross-validation folds (grouped by usage line) when no validation set is given.
        public var folds = 5
        public var targetPrecision = 0.99
        public var targetRecall = 0.99
        public var calibration = CalibrationMode.auto
        /// When set, the L2 penalty is chosen from these values by held-out (Platt-calibrated) log-loss, ties going to
        /// the stronger penalty; `regression.l2` is then ignored.
        public var l2Grid: [Double]?
        /// `--l2 auto`. Up to 1000: on small sets of a few hundred pairs (iTunes-Amazon) the held-out log-loss still
        /// falls past 100 (docs/SCORER.md).
        public static let defaultL2Grid = [0.1, 1, 10, 100, 1000]
        public init() {}
    }

    /// Where the data came from, recorded in the model file.
    public struct Provenance: Sendable {
        public var fingerprint: String
        public var inputs: [ScoringModel.InputFile]
        public var selection: String
        public init(fingerprint: String, inputs: [ScoringModel.InputFile], selection: String) {
            self.fingerprint = fingerprint
            self.inputs = inputs
            self.selection = selection
        }
    }

    /// Fits on `train`. Thresholds and calibration come from `validation` when given (the model is then the
    /// fit on `train` alone), else from out-of-fold predictions of `options.folds`-fold cross-validation
    /// grouped by line (the model is then the fit on all of `train`).
    public static func train(_ train: LabelledFeatures, validation: LabelledFeatures?, options: Options,
                             provenance: Provenance, schema: FeatureSchema = .current) throws(OeuvreError) -> ScoringModel {
        try train.validate("training pairs", schema: schema)
        if let validation { try validation.validate("validation pairs", schema: schema) }

        var options = options
        func heldOutMargins(_ options: Options) throws(OeuvreError) -> (margins: [Double], labels: [UInt8]) {
            if let validation {
                let fit = try fitRows(train, rows: nil, options: options)
                return (margins(fit, validation.features, columns: validation.columns), validation.labels)
            }
            return try crossValidatedMargins(train, options: options)
        }
        var heldOut: (margins: [Double], labels: [UInt8]) = ([], [])
        var l2Text = ""
        if let grid = options.l2Grid, !grid.isEmpty {
            // One-standard-error rule (Hastie et al.), on paired differences: the strongest penalty whose held-out log-loss
            // exceeds the best one's by at most the standard error of their per-pair loss differences. Both are measured on
            // the same pairs, so the paired error is the one that says whether two penalties differ; the standard error of
            // the best loss alone (per-pair losses spread widely) let the strongest penalty of any grid win (docs/SCORER.md).
            // The simpler model transfers better to data unlike the training set.
            var results: [(l2: Double, losses: [Double], loss: Double, heldOut: (margins: [Double], labels: [UInt8]))] = []
            for l2 in grid.sorted() {
                var o = options
                o.regression.l2 = l2
                let m = try heldOutMargins(o)
                let losses = calibratedLosses(m.margins, m.labels)
                results.append((l2, losses, mean(losses), m))
            }
            let best = results.min { $0.loss < $1.loss }!
            let chosen = results.last { r in
                let (difference, se) = meanAndStandardError(zip(r.losses, best.losses).map { $0 - $1 })
                return difference <= se
            }!
            heldOut = chosen.heldOut
            options.regression.l2 = chosen.l2
            let scores = results.map { "\($0.l2): \(String(format: "%.4f", $0.loss))" }
            l2Text = "; L2 chosen by held-out log-loss, one-standard-error rule on paired differences (\(scores.joined(separator: ", ")); best "
                + "\(String(format: "%.4f", best.loss)) at \(best.l2))"
        } else {
            heldOut = try heldOutMargins(options)
        }
        let validationText = (validation.map { "validation split (\($0.count) pairs)" }
            ?? "\(effectiveFolds(train, options.folds))-fold cross-validation grouped by line") + l2Text
        let final = try fitRows(train, rows: nil, options: options)

        // Calibration on held-out margins.
        var calibration: ScoringModel.Calibration?
        if options.calibration != .none, let (a, b) = LogisticRegression.platt(margins: heldOut.margins, labels: heldOut.labels) {
            let plain = Metrics.logLoss(heldOut.margins.map { sigmoid($0) }, heldOut.labels)
            let platt = Metrics.logLoss(heldOut.margins.map { sigmoid(a * $0 + b) }, heldOut.labels)
            if options.calibration == .platt || platt < plain {
                calibration = ScoringModel.Calibration(method: "platt", a: a, b: b)
            }
        }
        let heldOutProbs = heldOut.margins.map { m in calibration.map { sigmoid($0.a * m + $0.b) } ?? sigmoid(m) }
        let thresholds = Metrics.chooseThresholds(heldOutProbs, heldOut.labels, targetPrecision: options.targetPrecision,
                                                  targetRecall: options.targetRecall, calibrated: calibration != nil)
        let validationMetrics = Metrics.evaluate(heldOutProbs, heldOut.labels, thresholds: thresholds)
        let trainProbs = margins(final, train.features, columns: train.columns).map { m in
            calibration.map { sigmoid($0.a * m + $0.b) } ?? sigmoid(m)
        }
        let trainingMetrics = Metrics.evaluate(trainProbs, train.labels, thresholds: thresholds)
        let info = ScoringModel.TrainingInfo(
            fingerprint: provenance.fingerprint, inputs: provenance.inputs, selection: provenance.selection, pairs: train.count,
            positives: train.positives, l2: options.regression.l2, classWeighting: options.regression.classWeighting,
            validation: validationText, targetPrecision: options.targetPrecision, targetRecall: options.targetRecall,
            iterations: final.iterations, converged: final.converged)
        return ScoringModel(fit: final, schema: schema, calibration: calibration, thresholds: thresholds, training: info,
                            metrics: ScoringModel.ModelMetrics(validation: validationMetrics, training: trainingMetrics))
    }

    /// Per-pair log-losses of margins after Platt scaling (plain logistic when Platt does not apply), probabilities
    /// clamped to [1e-7, 1 − 1e-7].
    static func calibratedLosses(_ margins: [Double], _ labels: [UInt8]) -> [Double] {
        let ab = LogisticRegression.platt(margins: margins, labels: labels)
        return margins.indices.map { i in
            let p = Double(sigmoid(ab.map { $0.0 * margins[i] + $0.1 } ?? margins[i]))
            let q = min(max(p, 1e-7), 1 - 1e-7)
            return labels[i] == 1 ? -log(q) : -log(1 - q)
        }
    }

    static func mean(_ values: [Double]) -> Double { values.isEmpty ? 0 : values.reduce(0, +) / Double(values.count) }

    /// Mean and standard error of the mean (population standard deviation / √n).
    static func meanAndStandardError(_ values: [Double]) -> (mean: Double, standardError: Double) {
        let n = Double(max(1, values.count))
        var sum = 0.0, sumSquares = 0.0
        for v in values {
            sum += v
            sumSquares += v * v
        }
        let m = sum / n
        return (m, (max(0, sumSquares / n - m * m) / n).squareRoot())
    }

    static func effectiveFolds(_ set: LabelledFeatures, _ folds: Int) -> Int {
        let groups = Set(set.groups).count
        return max(2, min(folds, groups))
    }

    /// Out-of-fold linear margins (uncalibrated logits) for every row.
    static func crossValidatedMargins(_ set: LabelledFeatures, options: Options) throws(OeuvreError) -> (margins: [Double], labels: [UInt8]) {
        let k = effectiveFolds(set, options.folds)
        guard Set(set.groups).count >= 2 else {
            throw OeuvreError(.invalidInput, "too few lines to cross-validate (need at least 2 distinct lines): give a validation split")
        }
        let fold = set.groups.map { Int(mix($0) % UInt64(k)) }
        var out = [Double](repeating: 0, count: set.count)
        for f in 0..<k {
            let trainRows = (0..<set.count).filter { fold[$0] != f }
            let testRows = (0..<set.count).filter { fold[$0] == f }
            if testRows.isEmpty { continue }
            var pos = 0
            for r in trainRows { pos += Int(set.labels[r]) }
            guard pos > 0 && pos < trainRows.count else {
                throw OeuvreError(.invalidInput,
                                  "cross-validation fold \(f + 1) of \(k) leaves a training part with a single class: give more pairs, fewer folds (--folds) or a validation split")
            }
            let fit = try fitRows(set, rows: trainRows, options: options)
            let (w, b) = fit.rawWeights()
            for r in testRows {
                var s = Double(b)
                for j in 0..<set.columns { s += Double(w[j]) * Double(set.features[r * set.columns + j]) }
                out[r] = s
            }
        }
        return (out, set.labels)
    }

    static func fitRows(_ set: LabelledFeatures, rows: [Int]?, options: Options) throws(OeuvreError) -> LogisticFit {
        try set.features.withUnsafeBufferPointer { (f) throws(OeuvreError) -> LogisticFit in
            try set.labels.withUnsafeBufferPointer { (l) throws(OeuvreError) -> LogisticFit in
                try LogisticRegression.fit(features: f, columns: set.columns, labels: l, rows: rows, options: options.regression)
            }
        }
    }

    /// Linear margins of a fit on raw feature rows (one sgemv).
    static func margins(_ fit: LogisticFit, _ features: [Float], columns: Int) -> [Double] {
        let scorer = Scorer(weights: fit.rawWeights().weights, bias: fit.rawWeights().bias, thresholds: Thresholds(auto: 1, review: 1, match: 1))
        let rows = features.count / columns
        var z = [Float](repeating: scorer.bias, count: rows)
        guard rows > 0 else { return [] }
        features.withUnsafeBufferPointer { x in
            scorer.weights.withUnsafeBufferPointer { w in
                z.withUnsafeMutableBufferPointer { zp in
                    BLAS.gemv(m: rows, n: columns, a: x.baseAddress!, x: w.baseAddress!, y: zp.baseAddress!, beta: 1)
                }
            }
        }
        return z.map(Double.init)
    }

    /// Scores rows with a model: calibrated confidences.
    public static func confidences(_ model: ScoringModel, _ features: [Float]) -> [Float] {
        model.scorer.score(features)
    }

    static func sigmoid(_ z: Double) -> Float { Float(1 / (1 + exp(-z))) }

    /// SplitMix64 finalizer: spreads group keys over folds.
    static func mix(_ x: UInt64) -> UInt64 {
        var z = x &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
