import Foundation
import OeuvreCore

/// Decision thresholds on calibrated confidence.
public struct Thresholds: Sendable, Codable, Hashable {
    /// Auto-match at or above (chosen for the target precision of auto-matches).
    public var auto: Double
    /// Send to review at or above (chosen for the target recall); below is `none`.
    public var review: Double
    /// Pair decision threshold with the best F1 on validation (used to report pair precision/recall/F1).
    public var match: Double

    public init(auto: Double, review: Double, match: Double) {
        self.auto = auto
        self.review = review
        self.match = match
    }
}

/// The model file (`models/NAME.json`): a logistic regression over the feature schema, its feature
/// scaling, calibration, thresholds, where its training data came from and how well it did.
public struct ScoringModel: Sendable, Codable {
    public static let format = "oeuvre-scoring-model"
    public static let formatVersion = 1

    public struct Scaling: Sendable, Codable, Hashable {
        public var mean: [Double]
        public var std: [Double]
    }

    /// Platt scaling applied to the linear score: confidence = σ(a · (w·x̂ + bias) + b).
    public struct Calibration: Sendable, Codable, Hashable {
        public var method: String
        public var a: Double
        public var b: Double
    }

    public struct InputFile: Sendable, Codable, Hashable {
        public var role: String
        public var path: String
        public var sha256: String
        public init(role: String, path: String, sha256: String) {
            self.role = role
            self.path = path
            self.sha256 = sha256
        }
    }

    public struct TrainingInfo: Sendable, Codable {
        /// sha256 over the input files' digests and the selection (splits) used.
        public var fingerprint: String
        public var inputs: [InputFile]
        /// Pair selection, e.g. `split in {train, valid}`.
        public var selection: String
        public var pairs: Int
        public var positives: Int
        public var l2: Double
        public var classWeighting: ClassWeighting
        /// How thresholds and calibration were validated: `5-fold cross-validation by line` or `split valid`.
        public var validation: String
        public var targetPrecision: Double
        public var targetRecall: Double
        public var iterations: Int
        public var converged: Bool

        enum CodingKeys: String, CodingKey {
            case fingerprint, inputs, selection, pairs, positives, l2, classWeighting = "class_weighting", validation
            case targetPrecision = "target_precision", targetRecall = "target_recall", iterations, converged
        }
    }

    public struct ModelMetrics: Sendable, Codable {
        /// On held-out predictions (cross-validation folds or the validation split), calibrated.
        public var validation: PairMetrics
        /// On the training pairs (in-sample, final model).
        public var training: PairMetrics
    }

    public var format: String
    public var formatVersion: Int
    public var schemaVersion: Int
    public var featureNames: [String]
    /// Weights on standardized features, in `featureNames` order.
    public var weights: [Double]
    public var bias: Double
    public var scaling: Scaling
    public var calibration: Calibration?
    public var thresholds: Thresholds
    public var training: TrainingInfo
    public var metrics: ModelMetrics

    enum CodingKeys: String, CodingKey {
        case format, formatVersion = "format_version", schemaVersion = "schema_version", featureNames = "feature_names"
        case weights, bias, scaling, calibration, thresholds, training, metrics
    }

    public init(fit: LogisticFit, schema: FeatureSchema, calibration: Calibration?, thresholds: Thresholds, training: TrainingInfo,
                metrics: ModelMetrics) {
        format = Self.format
        formatVersion = Self.formatVersion
        schemaVersion = schema.version
        featureNames = schema.names
        weights = fit.weights
        bias = fit.bias
        scaling = Scaling(mean: fit.mean, std: fit.std)
        self.calibration = calibration
        self.thresholds = thresholds
        self.training = training
        self.metrics = metrics
    }

    /// The model as pretty-printed JSON with sorted keys (byte-identical for identical models).
    public func jsonData() throws(OeuvreError) -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        do {
            var data = try encoder.encode(self)
            data.append(0x0A)
            return data
        } catch {
            throw OeuvreError(.internalError, "cannot encode model: \(error)")
        }
    }

    /// Parses a model file and checks it against `schema` (the code's features by default).
    /// A model whose feature names differ is an error (`.model`, exit 2), never a guess.
    public static func decode(_ data: Data, path: String, schema: FeatureSchema = .current) throws(OeuvreError) -> ScoringModel {
        let model: ScoringModel
        do {
            let decoder = JSONDecoder()
            decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
            model = try decoder.decode(ScoringModel.self, from: data)
        } catch {
            throw OeuvreError(.model, "\(path) is not an Oeuvre model file", underlying: "\(error)")
        }
        guard model.format == format else {
            throw OeuvreError(.model, "\(path): format '\(model.format)' is not '\(format)'")
        }
        guard model.formatVersion <= formatVersion else {
            throw OeuvreError(.model, "\(path): model format version \(model.formatVersion) is newer than this oeuvre reads (\(formatVersion))")
        }
        guard model.featureNames == schema.names else {
            let missing = schema.names.filter { !model.featureNames.contains($0) }
            let extra = model.featureNames.filter { !schema.names.contains($0) }
            var detail = "model schema v\(model.schemaVersion) has \(model.featureNames.count) features, this oeuvre computes v\(schema.version) with \(schema.count)"
            if !missing.isEmpty { detail += "; missing from the model: \(missing.joined(separator: ", "))" }
            if !extra.isEmpty { detail += "; unknown to this oeuvre: \(extra.joined(separator: ", "))" }
            if missing.isEmpty && extra.isEmpty { detail += "; same names in another order" }
            throw OeuvreError(.model, "\(path) was trained on other features than this oeuvre computes (\(detail)); retrain it with `oeuvre train`")
        }
        let d = schema.count
        guard model.weights.count == d, model.scaling.mean.count == d, model.scaling.std.count == d else {
            throw OeuvreError(.model, "\(path): weights/scaling do not have \(d) entries")
        }
        let numbers = model.weights + model.scaling.mean + model.scaling.std + [model.bias, model.thresholds.auto, model.thresholds.review,
                                                                                 model.thresholds.match]
            + (model.calibration.map { [$0.a, $0.b] } ?? [])
        guard numbers.allSatisfy(\.isFinite), model.scaling.std.allSatisfy({ $0 > 0 }) else {
            throw OeuvreError(.model, "\(path): non-finite weight, scaling or threshold")
        }
        return model
    }

    /// Reads and checks a model file.
    public static func load(path: String, schema: FeatureSchema = .current) throws(OeuvreError) -> ScoringModel {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw OeuvreError(.model, "cannot read model file \(path)")
        }
        return try decode(data, path: path, schema: schema)
    }

    /// A scorer with scaling and calibration folded into raw weights.
    public var scorer: Scorer {
        let fit = LogisticFit(weights: weights, bias: bias, mean: scaling.mean, std: scaling.std, iterations: 0, converged: true, loss: 0)
        let (w, b) = fit.rawWeights(calibration: calibration.map { ($0.a, $0.b) })
        return Scorer(weights: w, bias: b, thresholds: thresholds)
    }

    /// The decision for a confidence.
    public func decision(_ confidence: Double) -> Decision {
        confidence >= thresholds.auto ? .auto : confidence >= thresholds.review ? .review : .none
    }
}

/// Batch scoring: confidence = σ(X·w + b) with standardization and calibration folded into `w`, `b`.
public struct Scorer: Sendable {
    public let weights: [Float]
    public let bias: Float
    public let thresholds: Thresholds

    public init(weights: [Float], bias: Float, thresholds: Thresholds) {
        self.weights = weights
        self.bias = bias
        self.thresholds = thresholds
    }

    public var columns: Int { weights.count }

    /// Confidences of `rows` feature rows (row-major, `columns` wide) into `out`: one `sgemv`, then the logistic.
    public func score(_ features: UnsafeBufferPointer<Float>, rows: Int, into out: UnsafeMutableBufferPointer<Float>) {
        precondition(features.count >= rows * columns && out.count >= rows, "score buffers too small")
        guard rows > 0, let x = features.baseAddress, let y = out.baseAddress else { return }
        for i in 0..<rows { y[i] = bias }
        weights.withUnsafeBufferPointer { w in
            BLAS.gemv(m: rows, n: columns, a: x, x: w.baseAddress!, y: y, beta: 1)
        }
        for i in 0..<rows { y[i] = 1 / (1 + expf(-y[i])) }
    }

    public func score(_ features: [Float]) -> [Float] {
        let rows = features.count / max(1, columns)
        var out = [Float](repeating: 0, count: rows)
        features.withUnsafeBufferPointer { f in out.withUnsafeMutableBufferPointer { score(f, rows: rows, into: $0) } }
        return out
    }

    /// Per-feature contributions to the logit of one row, relative to a zero feature vector: wⱼ·xⱼ
    /// (with the model's scaling folded in, so they sum with `bias` to the logit).
    public func contributions(_ row: UnsafeBufferPointer<Float>) -> [Float] {
        (0..<columns).map { weights[$0] * row[$0] }
    }
}
