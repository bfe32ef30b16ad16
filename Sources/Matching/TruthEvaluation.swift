import OeuvreCore

/// One row of a results file (the results contract), as the evaluator needs it.
public struct ResultRow: Sendable, Hashable {
    public var lineId: String
    /// 1-based candidate rank; 0 for a line without candidates.
    public var rank: Int
    /// Empty for a rank-0 row.
    public var workId: String
    public var confidence: Double?
    public var decision: Decision

    public init(lineId: String, rank: Int, workId: String, confidence: Double? = nil, decision: Decision) {
        self.lineId = lineId
        self.rank = rank
        self.workId = workId
        self.confidence = confidence
        self.decision = decision
    }
}

/// Quality of match results against a truth table (`line_id, work_id`; an empty work id means the
/// line's work is not in the catalogue).
///
/// A line's decision is the decision of its rank-1 row (`none` for a rank-0 row). Shares are over all
/// judged lines; `top1` and `recall_at_k` over lines whose work is in the catalogue; `auto_precision`
/// over auto-matched lines (an auto-match of an out-of-catalogue line is wrong); `wrong_auto_out` is
/// the share of out-of-catalogue lines that were auto-matched. Truth lines missing from the results
/// count as `none` and are reported in `missing_lines`.
public struct TruthMetrics: Sendable, Hashable {
    public var lines = 0.0
    public var inCatalogue = 0.0
    public var outOfCatalogue = 0.0
    public var top1 = Double.nan
    /// k → share of in-catalogue lines whose work is among the first k candidates.
    public var recallAtK: [Int: Double] = [:]
    public var autoPrecision = Double.nan
    public var autoShare = Double.nan
    public var reviewShare = Double.nan
    public var noneShare = Double.nan
    public var wrongAutoOut = Double.nan
    /// Precision of the rank-1 candidate on lines sent to review (how often the reviewer's first suggestion is right).
    public var reviewTop1 = Double.nan
    /// Calibration of the candidates' confidences as pair probabilities ("this work is the line's work"), over
    /// every candidate row of a judged line with a confidence (an out-of-catalogue line's rows are all
    /// negatives; rows past `--top` are not in the results): rows counted, mean log-loss and expected calibration
    /// error over ten equal-width bins (as `oeuvre evaluate --pairs` reports them).
    public var candidateRows = 0.0
    public var candidateLogLoss = Double.nan
    public var candidateECE = Double.nan

    public init() {}

    /// JSON-ready dictionary with the contract's keys (NaN → nil).
    public func dictionary() -> [String: Any?] {
        func v(_ x: Double) -> Double? { x.isNaN ? nil : x }
        var recall: [String: Double] = [:]
        for (k, x) in recallAtK { recall[String(k)] = x }
        return [
            "lines": lines, "in_catalogue": inCatalogue, "out_of_catalogue": outOfCatalogue,
            "top1": v(top1), "recall_at_k": recall, "auto_precision": v(autoPrecision), "auto_share": v(autoShare),
            "review_share": v(reviewShare), "none_share": v(noneShare), "wrong_auto_out": v(wrongAutoOut),
            "review_top1": v(reviewTop1), "candidate_rows": candidateRows, "log_loss": v(candidateLogLoss), "ece": v(candidateECE),
        ]
    }
}

public struct TruthReport: Sendable {
    /// Every line counts once.
    public var byLine: TruthMetrics
    /// Every line counts with its plays (equal to `byLine` when no plays were given).
    public var byPlays: TruthMetrics
    /// Truth lines with no row in the results (counted as `none`).
    public var missingLines: Int
    /// Result lines the truth does not mention (ignored).
    public var unjudgedLines: Int
    /// Example ids of missing lines (at most 5), for the message.
    public var missingExamples: [String]
}

public enum TruthEvaluation {
    public static let defaultKs = [1, 3, 5, 10, 20, 50]

    /// Evaluates `rows` (any order) against `truth`; `plays` weights lines (missing ids weigh 1).
    public static func evaluate(rows: [ResultRow], truth: [String: String], plays: [String: Double]? = nil,
                                ks: [Int] = defaultKs) -> TruthReport {
        // Per line: ranked work ids and the line's decision.
        struct LineResult { var ranked: [(Int, String)] = []; var decision: Decision = .none }
        var results: [String: LineResult] = [:]
        for r in rows {
            var l = results[r.lineId] ?? LineResult()
            if r.rank >= 1 && !r.workId.isEmpty { l.ranked.append((r.rank, r.workId)) }
            if r.rank <= 1 { l.decision = r.rank == 0 ? .none : r.decision }
            results[r.lineId] = l
        }
        for (id, var l) in results {
            l.ranked.sort { $0.0 < $1.0 }
            results[id] = l
        }
        var missing: [String] = []
        var unjudged = 0
        for id in results.keys where truth[id] == nil { unjudged += 1 }

        struct Acc {
            var lines = 0.0, inCat = 0.0, outCat = 0.0, top1 = 0.0
            var recall: [Double]
            var auto = 0.0, autoRight = 0.0, review = 0.0, reviewRight = 0.0, none = 0.0, autoOut = 0.0
        }
        var byLine = Acc(recall: Array(repeating: 0, count: ks.count))
        var byPlays = byLine
        for (id, work) in truth.sorted(by: { $0.key < $1.key }) {
            let l = results[id]
            if l == nil {
                missing.append(id)
            }
            let ranked = l?.ranked.map(\.1) ?? []
            let decision = l?.decision ?? .none
            let w = plays?[id] ?? 1
            func add(_ a: inout Acc, _ weight: Double) {
                a.lines += weight
                let first = ranked.first
                if work.isEmpty {
                    a.outCat += weight
                    if decision == .auto { a.autoOut += weight }
                } else {
                    a.inCat += weight
                    if first == work { a.top1 += weight }
                    for (j, k) in ks.enumerated() where ranked.prefix(k).contains(work) { a.recall[j] += weight }
                }
                switch decision {
                case .auto:
                    a.auto += weight
                    if !work.isEmpty && first == work { a.autoRight += weight }
                case .review:
                    a.review += weight
                    if !work.isEmpty && first == work { a.reviewRight += weight }
                case .none:
                    a.none += weight
                }
            }
            add(&byLine, 1)
            add(&byPlays, w)
        }
        // Calibration over candidate rows (each line once, whatever its plays).
        var probs: [Float] = []
        var labels: [UInt8] = []
        for r in rows where r.rank >= 1 {
            guard let c = r.confidence, let work = truth[r.lineId] else { continue }
            probs.append(Float(c))
            labels.append(!work.isEmpty && work == r.workId ? 1 : 0)
        }
        func metrics(_ a: Acc) -> TruthMetrics {
            func div(_ x: Double, _ y: Double) -> Double { y > 0 ? x / y : .nan }
            var m = TruthMetrics()
            m.lines = a.lines
            m.inCatalogue = a.inCat
            m.outOfCatalogue = a.outCat
            m.top1 = div(a.top1, a.inCat)
            for (j, k) in ks.enumerated() { m.recallAtK[k] = div(a.recall[j], a.inCat) }
            m.autoPrecision = div(a.autoRight, a.auto)
            m.autoShare = div(a.auto, a.lines)
            m.reviewShare = div(a.review, a.lines)
            m.noneShare = div(a.none, a.lines)
            m.wrongAutoOut = div(a.autoOut, a.outCat)
            m.reviewTop1 = div(a.reviewRight, a.review)
            return m
        }
        func withCalibration(_ a: Acc) -> TruthMetrics {
            var m = metrics(a)
            m.candidateRows = Double(probs.count)
            m.candidateLogLoss = Metrics.logLoss(probs, labels)
            m.candidateECE = Metrics.ece(probs, labels)
            return m
        }
        return TruthReport(byLine: withCalibration(byLine), byPlays: withCalibration(byPlays), missingLines: missing.count,
                           unjudgedLines: unjudged, missingExamples: Array(missing.prefix(5)))
    }
}

