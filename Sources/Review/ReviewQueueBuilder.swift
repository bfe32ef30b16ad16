import Catalogue
import Foundation
import Formats
import Matching
import OeuvreCore

/// One row of a results file (the results contract).
public struct MatchResultRow: Sendable, Hashable {
    public var lineId: String
    public var rank: Int
    public var workId: String?
    public var iswc: String?
    public var workTitle: String?
    public var confidence: Double
    public var decision: Decision
    public var reason: String

    public init(lineId: String, rank: Int, workId: String?, iswc: String?, workTitle: String?, confidence: Double, decision: Decision,
                reason: String) {
        self.lineId = lineId
        self.rank = rank
        self.workId = workId
        self.iswc = iswc
        self.workTitle = workTitle
        self.confidence = confidence
        self.decision = decision
        self.reason = reason
    }
}

/// Results of `oeuvre match` grouped by line (read with `ResultsTSVReader`, the contract's reader).
public enum ResultsFile {
    /// Rows grouped by line id, in file order; each line's rows sorted by rank.
    public static func read(path: String) throws -> [(lineId: String, rows: [MatchResultRow])] {
        var order: [String] = []
        var byLine: [String: [MatchResultRow]] = [:]
        for r in try ResultsTSVReader.readAll(path: path) {
            let row = MatchResultRow(lineId: r.lineId, rank: r.rank, workId: r.workId.isEmpty ? nil : r.workId,
                                     iswc: r.iswc.isEmpty ? nil : r.iswc, workTitle: r.workTitle.isEmpty ? nil : r.workTitle,
                                     confidence: r.confidence ?? 0, decision: r.decision, reason: r.reason)
            if byLine[r.lineId] == nil { order.append(r.lineId) }
            byLine[r.lineId, default: []].append(row)
        }
        return order.map { id in (id, (byLine[id] ?? []).sorted { $0.rank < $1.rank }) }
    }
}

/// Builds review items from match results, the report lines and the catalogue: the line's
/// metadata, its top candidates with writers and performers, and the features that weighed most.
public struct ReviewQueueBuilder {
    public var catalogue: CatalogueStore
    /// The model whose weights explain the candidates; nil gives no evidence column.
    public var model: ScoringModel?

    public init(catalogue: CatalogueStore, model: ScoringModel?) {
        self.catalogue = catalogue
        self.model = model
    }

    /// Whether an auto-matched line is in the quality-control sample of share `fraction`: decided by its line id alone
    /// (FNV-1a), so the same lines are drawn on every export of the same results. Auto-matches that a person or a
    /// registration made (reasons `isrc-link`, `reviewed`) are never drawn.
    public static func inAutoSample(lineId: String, reason: String, fraction: Double) -> Bool {
        guard fraction > 0, reason != "isrc-link", reason != "reviewed" else { return false }
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in lineId.utf8 { h = (h ^ UInt64(b)) &* 0x100_0000_01b3 }
        return Double(h >> 11) / 9_007_199_254_740_992.0 < fraction
    }

    /// Items for lines whose decision is `review` (and `none` when `includeNone`), and a share `sampleAuto` of the
    /// auto-matched lines (`inAutoSample`: a reviewer's check of the machine's own decisions; `oeuvre review stats`
    /// reports how often the reviewers agreed).
    public func items(results: [(lineId: String, rows: [MatchResultRow])], lines: [String: UsageLine], includeNone: Bool,
                      sampleAuto: Double = 0) throws -> [ReviewItem] {
        let builder = ProfileBuilder()
        var extractor = PairFeatureExtractor()
        var workCache: [String: (Work, WorkProfile)] = [:]
        var items: [ReviewItem] = []
        func queued(_ lineId: String, _ rows: [MatchResultRow]) -> Decision? {
            guard let decision = rows.first?.decision else { return nil }
            guard decision == .review || (includeNone && decision == .none)
                || (decision == .auto && Self.inAutoSample(lineId: lineId, reason: rows.first?.reason ?? "", fraction: sampleAuto)) else { return nil }
            return decision
        }
        // The works shown, read at once (`CatalogueStore.works(ids:)`); one not found so (another key) is looked up alone.
        var shown: Set<String> = []
        for (lineId, rows) in results where queued(lineId, rows) != nil {
            for row in rows.filter({ $0.rank > 0 && $0.workId != nil }).prefix(ReviewQueueWriter.candidatesShown) { shown.insert(row.workId!) }
        }
        let read = try catalogue.works(ids: shown)
        for (lineId, rows) in results {
            guard let decision = queued(lineId, rows) else { continue }
            let line = lines[lineId]
            let profile = line.map { builder.line($0) }
            var candidates: [ReviewCandidate] = []
            let ranked = rows.filter { $0.rank > 0 && $0.workId != nil }
            for (i, row) in ranked.prefix(ReviewQueueWriter.candidatesShown).enumerated() {
                guard let workId = row.workId else { continue }
                if workCache[workId] == nil, let work = try read[workId] ?? catalogue.work(id: workId) {
                    workCache[workId] = (work, builder.work(work))
                }
                let cached = workCache[workId]
                var evidence = ""
                if let model, let profile, let (_, wp) = cached {
                    let next = i + 1 < ranked.count ? ranked[i + 1].confidence : 0
                    let context = CandidateContext(retrievalScore: Float(row.confidence), rank: row.rank, gapToNext: Float(row.confidence - next),
                                                   isrcLinkedHere: row.reason == "isrc-link")
                    var features = [Float](repeating: 0, count: PairFeatureExtractor.count)
                    features.withUnsafeMutableBufferPointer { buf in
                        extractor.compute(line: profile, work: wp, context: context, into: buf.baseAddress!)
                    }
                    evidence = Self.evidence(model: model, features: features)
                }
                candidates.append(ReviewCandidate(
                    workId: workId, iswc: row.iswc ?? cached?.0.iswc, title: row.workTitle ?? cached?.0.title ?? "",
                    writers: cached?.0.writers.map(\.name) ?? [], performers: cached?.0.performers ?? [],
                    confidence: row.confidence, reason: row.reason, evidence: evidence))
            }
            items.append(ReviewItem(lineId: lineId, isrc: line?.isrc, title: line?.title ?? rows.first?.workTitle ?? "",
                                    artist: line?.artist, duration: line?.duration, plays: line?.plays ?? 1, revenue: line?.netRevenue,
                                    machineDecision: decision, candidates: candidates))
        }
        return items
    }

    /// The three features with the largest contribution (weight × standardized value), signed.
    public static func evidence(model: ScoringModel, features: [Float], count: Int = 3) -> String {
        var contributions: [(String, Double)] = []
        for i in 0..<min(model.weights.count, features.count) {
            let std = i < model.scaling.std.count && model.scaling.std[i] > 0 ? model.scaling.std[i] : 1
            let mean = i < model.scaling.mean.count ? model.scaling.mean[i] : 0
            let c = model.weights[i] * (Double(features[i]) - mean) / std
            contributions.append((model.featureNames[i], c))
        }
        return contributions.sorted { abs($0.1) > abs($1.1) }.prefix(count)
            .map { $0.0 + " " + signedHundredths($0.1) }.joined(separator: "; ")
    }

    /// `x` as `%+.2f` writes it ("+5.95", "-0.40"; halves to even), without `String(format:)`: three per candidate shown
    /// were a quarter of building a review queue.
    public static func signedHundredths(_ x: Double) -> String {
        guard x.isFinite else { return x.isNaN ? "nan" : x < 0 ? "-inf" : "+inf" }
        // Rounded as printf rounds the exact binary value: a·100 = hi + lo exactly (lo from a fused multiply-add), and
        // hi − ⌊hi⌋ − ½ is a multiple of hi's ulp, so only an exact tie leaves the decision to lo, then to evenness.
        let a = abs(x)
        let hi = a * 100
        let lo = (-hi).addingProduct(a, 100)
        var hundredths = hi.rounded(.down)
        let d = (hi - hundredths) - 0.5
        if d > 0 || (d == 0 && (lo > 0 || (lo == 0 && hundredths.truncatingRemainder(dividingBy: 2) == 1))) { hundredths += 1 }
        let whole = Int(hundredths / 100)
        let rest = Int(hundredths.truncatingRemainder(dividingBy: 100))
        return (x.sign == .minus ? "-" : "+") + String(whole) + (rest < 10 ? ".0" : ".") + String(rest)
    }
}
