import Foundation

/// Confidences of candidates that retrieval cannot tell apart.
///
/// Two catalogued namesakes ("Because" by The Dave Clark Five and by John McCormack) met by a cover whose
/// artist performs neither have the same title similarity, dense cosine, artist and duration agreement. The
/// candidate context still ranks them 1 and 2 (with a gap of 0 for the first): among equal title scores
/// the matcher keeps the retrieval order, and among equal retrieval evidence that order comes from the
/// sparse channel's capped postings and a hash of the work id. The scorer was trained on candidates
/// ranked the same way, so its confidence for each is calibrated *given* that lottery, and the two came out
/// as far apart as 0.67 and 0.17 on shs100k-val, where the truth is either one.
///
/// The matcher reports instead what each candidate's confidence is on average over the lottery: for a set
/// T of true ties (the same title score and the same `RetrievedCandidate.evidenceKey`), candidate i gets
///
///     mean over j in T of σ(zᵢ − cᵢ + cⱼ)
///
/// where zᵢ is its calibrated logit and cᵢ the logit contribution of its own rank and gap columns. Its
/// other features (a performer's trigrams, the work's duration) still count; the model and its training
/// are unchanged (sharing the rank in training as well was measured and not kept: docs/MATCHING.md).
public enum TrueTies {
    /// The context columns that only the order among true ties sets.
    static let orderColumns = [Feature.retrievalRankInverse.rawValue, Feature.retrievalGap.rawValue]

    /// Rewrites `confidences` of every set of true ties (see the type). `rows`: the pairs' feature rows
    /// (`scorer.columns` wide); `groupOfPair(k)`: the recording of pair `k` (pairs of one recording are
    /// consecutive); `keys[k]`: pair `k`'s evidence key, 0 for a pair retrieval did not propose (an
    /// ISRC-linked work), which is never tied.
    public static func share(confidences conf: inout [Float], rows: [Float], groupOfPair: (Int) -> Int, keys: [UInt64], scorer: Scorer) {
        let n = conf.count, d = scorer.columns
        precondition(keys.count == n && rows.count >= n * d, "TrueTies.share: \(keys.count) keys, \(rows.count) row values for \(n) pairs")
        let titleScore = Feature.retrievalScore.rawValue
        var members: [Int] = []
        var done = [Bool](repeating: false, count: n)
        var start = 0
        while start < n {
            var end = start + 1
            let g = groupOfPair(start)
            while end < n && groupOfPair(end) == g { end += 1 }
            for i in start..<end where keys[i] != 0 && !done[i] {
                members.removeAll(keepingCapacity: true)
                // Pair i itself is a member without reading its row: a row far back in the batch's feature matrix is
                // a cache miss, and reading it for every pair cost ≈ 0.6% of `oeuvre match`.
                for j in i..<end where !done[j] && keys[j] == keys[i] && (j == i || rows[j * d + titleScore] == rows[i * d + titleScore]) {
                    members.append(j)
                }
                done[i] = true
                guard members.count > 1 else { continue }
                let context = members.map { orderLogit(rows, $0, d, scorer) }
                let logits = members.map { logit(rows, $0, d, scorer) }
                for (a, j) in members.enumerated() {
                    done[j] = true
                    let own = logits[a] - context[a]
                    var sum: Float = 0
                    for c in context { sum += 1 / (1 + expf(-(own + c))) }
                    conf[j] = sum / Float(members.count)
                }
            }
            start = end
        }
    }

    /// The calibrated logit of row `k` (what `Scorer.score` applies σ to).
    static func logit(_ rows: [Float], _ k: Int, _ d: Int, _ scorer: Scorer) -> Float {
        var z = scorer.bias
        for c in 0..<d { z += scorer.weights[c] * rows[k * d + c] }
        return z
    }

    /// The logit contribution of row `k`'s rank and gap among the line's candidates.
    static func orderLogit(_ rows: [Float], _ k: Int, _ d: Int, _ scorer: Scorer) -> Float {
        var z: Float = 0
        for c in orderColumns { z += scorer.weights[c] * rows[k * d + c] }
        return z
    }
}
