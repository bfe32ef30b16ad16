import Foundation

/// Precision, recall and F1 of the decisions "match when confidence ≥ threshold".
public struct ThresholdMetrics: Sendable, Codable, Hashable {
    public var threshold: Double
    public var precision: Double
    public var recall: Double
    public var f1: Double
    public var truePositives: Int
    public var falsePositives: Int
    public var falseNegatives: Int
    public var trueNegatives: Int

    enum CodingKeys: String, CodingKey {
        case threshold, precision, recall, f1
        case truePositives = "tp", falsePositives = "fp", falseNegatives = "fn", trueNegatives = "tn"
    }
}

/// Quality of scores on labelled pairs.
public struct PairMetrics: Sendable, Codable, Hashable {
    public var pairs: Int
    public var positives: Int
    /// Area under the ROC curve (ties count half).
    public var auc: Double
    /// Mean negative log-likelihood of the labels (natural log, probabilities clipped to [1e-7, 1 − 1e-7]).
    public var logLoss: Double
    /// Expected calibration error over 10 equal-width confidence bins.
    public var ece: Double
    /// At the auto-match threshold.
    public var auto: ThresholdMetrics
    /// At the review threshold.
    public var review: ThresholdMetrics
    /// At the pair-match threshold (best F1 on validation).
    public var match: ThresholdMetrics

    enum CodingKeys: String, CodingKey {
        case pairs, positives, auc, logLoss = "log_loss", ece, auto, review, match
    }
}

/// Metric computations on (confidence, label) arrays.
public enum Metrics {
    public static func auc(_ scores: [Float], _ labels: [UInt8]) -> Double {
        let n = scores.count
        let pos = labels.reduce(0) { $0 + Int($1) }
        let neg = n - pos
        guard pos > 0 && neg > 0 else { return .nan }
        let order = scores.indices.sorted { scores[$0] < scores[$1] }
        var rankSum = 0.0
        var i = 0
        while i < n {
            var j = i
            while j + 1 < n && scores[order[j + 1]] == scores[order[i]] { j += 1 }
            let avgRank = Double(i + j) / 2 + 1
            for k in i...j where labels[order[k]] == 1 { rankSum += avgRank }
            i = j + 1
        }
        return (rankSum - Double(pos) * Double(pos + 1) / 2) / (Double(pos) * Double(neg))
    }

    public static func logLoss(_ probs: [Float], _ labels: [UInt8]) -> Double {
        guard !probs.isEmpty else { return .nan }
        var total = 0.0
        for (i, p) in probs.enumerated() {
            let q = min(max(Double(p), 1e-7), 1 - 1e-7)
            total -= labels[i] == 1 ? log(q) : log(1 - q)
        }
        return total / Double(probs.count)
    }

    public static func ece(_ probs: [Float], _ labels: [UInt8], bins: Int = 10) -> Double {
        guard !probs.isEmpty else { return .nan }
        var count = [Double](repeating: 0, count: bins)
        var conf = [Double](repeating: 0, count: bins)
        var hits = [Double](repeating: 0, count: bins)
        for (i, p) in probs.enumerated() {
            let b = min(bins - 1, max(0, Int(Double(p) * Double(bins))))
            count[b] += 1
            conf[b] += Double(p)
            hits[b] += Double(labels[i])
        }
        var e = 0.0
        for b in 0..<bins where count[b] > 0 {
            e += count[b] / Double(probs.count) * abs(hits[b] / count[b] - conf[b] / count[b])
        }
        return e
    }

    public static func at(_ threshold: Double, _ probs: [Float], _ labels: [UInt8]) -> ThresholdMetrics {
        var tp = 0, fp = 0, fn = 0, tn = 0
        for (i, p) in probs.enumerated() {
            let predicted = Double(p) >= threshold
            switch (predicted, labels[i] == 1) {
            case (true, true): tp += 1
            case (true, false): fp += 1
            case (false, true): fn += 1
            case (false, false): tn += 1
            }
        }
        let precision = tp + fp > 0 ? Double(tp) / Double(tp + fp) : 1
        let recall = tp + fn > 0 ? Double(tp) / Double(tp + fn) : 0
        let f1 = precision + recall > 0 ? 2 * precision * recall / (precision + recall) : 0
        return ThresholdMetrics(threshold: threshold, precision: precision, recall: recall, f1: f1, truePositives: tp,
                                falsePositives: fp, falseNegatives: fn, trueNegatives: tn)
    }

    /// All metrics at the given thresholds.
    public static func evaluate(_ probs: [Float], _ labels: [UInt8], thresholds: Thresholds) -> PairMetrics {
        PairMetrics(pairs: probs.count, positives: labels.reduce(0) { $0 + Int($1) }, auc: auc(probs, labels),
                    logLoss: logLoss(probs, labels), ece: ece(probs, labels), auto: at(thresholds.auto, probs, labels),
                    review: at(thresholds.review, probs, labels), match: at(thresholds.match, probs, labels))
    }

    /// Cut points "confidence ≥ t" from the highest score down: (threshold, tp, fp) per distinct score, where
    /// the threshold sits halfway between this score and the next lower one.
    static func cuts(_ probs: [Float], _ labels: [UInt8]) -> [(threshold: Double, tp: Int, fp: Int)] {
        let order = probs.indices.sorted { probs[$0] > probs[$1] }
        var out: [(Double, Int, Int)] = []
        var tp = 0, fp = 0
        var i = 0
        while i < order.count {
            let s = probs[order[i]]
            while i < order.count && probs[order[i]] == s {
                if labels[order[i]] == 1 { tp += 1 } else { fp += 1 }
                i += 1
            }
            let next = i < order.count ? Double(probs[order[i]]) : 0
            out.append(((Double(s) + next) / 2, tp, fp))
        }
        return out
    }

    /// Thresholds chosen on validation scores: `auto` is the lowest cut whose precision reaches `targetPrecision`
    /// (1 when none does: nothing auto-matches), `review` the highest cut whose recall reaches `targetRecall`
    /// (never above `auto`). `match` is F1*/2 for calibrated confidences (F1* the best F1 over the cuts), else
    /// the cut of best F1 (the highest one on ties).
    public static func chooseThresholds(_ probs: [Float], _ labels: [UInt8], targetPrecision: Double,
                                        targetRecall: Double, calibrated: Bool = true) -> Thresholds {
        let pos = labels.reduce(0) { $0 + Int($1) }
        let all = cuts(probs, labels)
        var auto = 1.0
        for c in all where Double(c.tp) / Double(c.tp + c.fp) >= targetPrecision { auto = c.threshold }
        var review = all.last?.threshold ?? 0
        for c in all where pos > 0 && Double(c.tp) / Double(pos) >= targetRecall {
            review = c.threshold
            break
        }
        var bestF1 = 0.0
        var bestCut = 0.5
        for c in all {
            let precision = Double(c.tp) / Double(c.tp + c.fp)
            let recall = pos > 0 ? Double(c.tp) / Double(pos) : 0
            let f1 = precision + recall > 0 ? 2 * precision * recall / (precision + recall) : 0
            if f1 > bestF1 + 1e-12 { bestF1 = f1; bestCut = c.threshold }
        }
        // For calibrated confidences the F1-optimal threshold is half the best attainable F1 (Lipton, Elkan &
        // Narayanaswamy 2014): far less noisy than the arg-max cut of a small validation set.
        let match = calibrated ? bestF1 / 2 : bestCut
        return Thresholds(auto: auto, review: min(review, auto), match: match)
    }
}
