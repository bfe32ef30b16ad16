import Foundation
import OeuvreCore

/// A candidate work for a usage line after scoring.
public struct ScoredCandidate: Sendable, Hashable {
    /// Work ordinal in the index.
    public var work: Int
    public var workId: String
    public var iswc: String?
    public var title: String
    /// Calibrated probability that the line embodies this work.
    public var confidence: Double
    public var reason: String
}

/// The outcome for one distinct recording (a group of identical lines).
public struct GroupResult: Sendable {
    public var group: RecordingGroup
    /// Best first, at most `topK`.
    public var candidates: [ScoredCandidate]
    public var decision: Decision
    /// Reason of the decision (`isrc-link`, `iswc`, `title+artist`, `title-only`, `ambiguous-title`, `no-candidate`).
    public var reason: String
}

/// Options of a match run.
public struct MatchOptions: Sendable {
    /// Candidates handed from retrieval to the scorer.
    public var topN = 50
    /// Candidates kept per line in the results.
    public var topK = 5
    public var threads = 2
    /// An auto-match needs its confidence to exceed the next candidate's by this much.
    public var autoMargin = 0.10
    /// Groups scored per batch (bounds the feature matrix: batch × topN × features floats).
    public var batchGroups = 2048
    public var retrieval = RetrievalOptions()
    public init() {}
}

/// Counters of a match run.
public struct MatchSummary: Sendable {
    public var lines = 0
    public var groups = 0
    public var plays = 0.0
    public var linesByDecision: [Decision: Int] = [:]
    public var playsByDecision: [Decision: Double] = [:]
    public var isrcLinked = 0
    public var seconds = 0.0
}

/// read → group → profile → retrieve → features + score → decide. The index is shared read-only;
/// each worker owns its ICU and scratch state.
public struct MatchPipeline: Sendable {
    public let index: MatchIndex
    public let model: ScoringModel
    public var options: MatchOptions

    public init(index: MatchIndex, model: ScoringModel, options: MatchOptions = MatchOptions()) {
        self.index = index
        self.model = model
        self.options = options
    }

    var generator: CandidateGenerator { CandidateGenerator(index: index, options: options) }

    /// Matches `lines`: one result per distinct recording plus, for each line, its group.
    public func run(lines: [UsageLine]) -> (results: [GroupResult], groupOfLine: [Int32], summary: MatchSummary) {
        let started = ContinuousClock.now
        let grouping = RecordingGrouper(threads: options.threads).group(lines)
        let groups = grouping.groups
        let generator = self.generator
        let (profiles, candidates, linked) = generator.candidates(groups: groups)
        let scorer = model.scorer
        var results: [GroupResult] = []
        results.reserveCapacity(groups.count)
        var start = 0
        while start < groups.count {
            let range = start..<min(groups.count, start + options.batchGroups)
            let (rows, pairs) = generator.features(profiles: profiles, candidates: candidates, linked: linked, range: range)
            var conf = [Float](repeating: 0, count: pairs.count)
            rows.withUnsafeBufferPointer { r in conf.withUnsafeMutableBufferPointer { scorer.score(r, rows: pairs.count, into: $0) } }
            var k = 0
            for g in range {
                var scored: [ScoredCandidate] = []
                while k < pairs.count && pairs[k].group == g {
                    let w = pairs[k].work
                    let p = index.profile(w)
                    scored.append(ScoredCandidate(work: w, workId: p.workId, iswc: p.iswc, title: p.displayTitle,
                                                  confidence: Double(conf[k]), reason: ""))
                    k += 1
                }
                results.append(decide(group: groups[g], profile: profiles[g], scored: scored, linked: linked[g]))
            }
            start = range.upperBound
        }
        var summary = MatchSummary()
        summary.lines = lines.count
        summary.groups = groups.count
        for r in results {
            let n = r.group.lineIndices.count
            summary.linesByDecision[r.decision, default: 0] += n
            summary.playsByDecision[r.decision, default: 0] += r.group.plays
            summary.plays += r.group.plays
            if r.reason == "isrc-link" { summary.isrcLinked += n }
        }
        let d = ContinuousClock.now - started
        summary.seconds = Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
        return (results, grouping.groupOfLine, summary)
    }

    /// Ranks the scored candidates and routes the line.
    func decide(group: RecordingGroup, profile: LineProfile, scored: [ScoredCandidate], linked: [Int]) -> GroupResult {
        var ranked = scored.sorted { $0.confidence != $1.confidence ? $0.confidence > $1.confidence : $0.workId < $1.workId }
        for i in ranked.indices { ranked[i].reason = reason(for: ranked[i], profile: profile, linked: linked) }
        guard let top = ranked.first else {
            return GroupResult(group: group, candidates: [], decision: .none, reason: "no-candidate")
        }
        // A confirmed ISRC link is a direct hit; several linked works need a person.
        if !linked.isEmpty {
            if linked.count == 1, let i = ranked.firstIndex(where: { $0.work == linked[0] }) {
                var hit = ranked.remove(at: i)
                hit.confidence = max(hit.confidence, 0.999)
                ranked.insert(hit, at: 0)
                return GroupResult(group: group, candidates: Array(ranked.prefix(options.topK)), decision: .auto, reason: "isrc-link")
            }
            return GroupResult(group: group, candidates: Array(ranked.prefix(options.topK)), decision: .review, reason: "isrc-link")
        }
        let second = ranked.count > 1 ? ranked[1].confidence : 0
        let t = model.thresholds
        var decision: Decision
        var reason = top.reason
        if top.confidence >= t.auto && top.confidence - second >= options.autoMargin {
            decision = .auto
        } else if top.confidence >= t.review {
            decision = .review
            if top.confidence - second < options.autoMargin && second >= t.review { reason = "ambiguous-title" }
        } else {
            decision = .none
        }
        if decision == .auto && top.confidence - second < options.autoMargin { decision = .review; reason = "ambiguous-title" }
        return GroupResult(group: group, candidates: Array(ranked.prefix(options.topK)), decision: decision, reason: reason)
    }

    func reason(for c: ScoredCandidate, profile: LineProfile, linked: [Int]) -> String {
        if linked.contains(c.work) { return "isrc-link" }
        let p = index.profile(c.work)
        if let iswc = profile.iswc, iswc == p.iswc { return "iswc" }
        let names = Set(p.performers + p.writers)
        let artists = profile.artists + profile.originalArtists
        if artists.contains(where: { names.contains($0) }) || (!profile.writerIPIs.isEmpty && !Set(profile.writerIPIs).isDisjoint(with: p.writerIPIs)) {
            return "title+artist"
        }
        if artists.contains(where: { a in names.contains(where: { n in Self.tokenOverlap(a, n) >= 0.5 }) }) { return "title+artist" }
        return "title-only"
    }

    static func tokenOverlap(_ a: String, _ b: String) -> Double {
        let x = Set(a.split(separator: " ")), y = Set(b.split(separator: " "))
        guard !x.isEmpty, !y.isEmpty else { return 0 }
        return Double(x.intersection(y).count) / Double(min(x.count, y.count))
    }
}

/// Candidates and feature rows for groups of lines: the part of matching that training on a truth
/// table shares with `oeuvre match`, so both see the same candidates and the same features.
public struct CandidateGenerator: Sendable {
    public let index: MatchIndex
    public var options: MatchOptions

    public init(index: MatchIndex, options: MatchOptions) {
        self.index = index
        self.options = options
    }

    /// Candidate work ordinals per group: the ISRC-linked works first, then retrieval's top N.
    public func candidates(groups: [RecordingGroup]) -> (profiles: [LineProfile], candidates: [[Int]], linked: [[Int]]) {
        var retrievalOptions = options.retrieval
        retrievalOptions.topN = options.topN
        // A recording whose ISRC is linked to exactly one work is a direct hit: it skips retrieval
        // (its only candidate is the linked work). Recordings linked to several works, or to none,
        // are retrieved as usual.
        let linked: [[Int]] = groups.map { g in g.representative.isrc.map { index.works(forISRC: $0) } ?? [] }
        let toRetrieve = groups.indices.filter { linked[$0].count != 1 }
        let retrieved = ParallelRetrieval.run(lines: toRetrieve.map { groups[$0].representative }, index: index,
                                              options: retrievalOptions, threads: options.threads)
        var profiles = groups.map(\.profile)
        var all = linked
        for (k, g) in toRetrieve.enumerated() {
            profiles[g] = retrieved.profiles[k]
            var list = linked[g]
            for c in retrieved.candidates[k] where !list.contains(Int(c.work)) { list.append(Int(c.work)) }
            all[g] = Array(list.prefix(max(options.topN, linked[g].count)))
        }
        return (profiles, all, linked)
    }

    /// Feature rows for the (group, candidate) pairs, with the same candidate context the scorer was
    /// trained with (see `PairFeatureBuilder`), ISRC links taken from the index.
    public func features(profiles: [LineProfile], candidates: [[Int]], linked: [[Int]], range: Range<Int>)
        -> (rows: [Float], pairs: [(group: Int, work: Int)])
    {
        var workSlot: [Int: Int] = [:]
        var works: [WorkProfile] = []
        var pairs: [PairFeatureBuilder.Pair] = []
        var flat: [(group: Int, work: Int)] = []
        var lines: [LineProfile] = []
        for g in range {
            let local = lines.count
            lines.append(profiles[g])
            for w in candidates[g] {
                let slot: Int
                if let s = workSlot[w] {
                    slot = s
                } else {
                    slot = works.count
                    workSlot[w] = slot
                    works.append(index.profile(w))
                }
                pairs.append(PairFeatureBuilder.Pair(line: local, work: slot))
                flat.append((g, w))
            }
        }
        var contexts = PairFeatureBuilder.contexts(lines: lines, works: works, pairs: pairs)
        for k in pairs.indices {
            let g = flat[k].group
            if !linked[g].isEmpty {
                contexts[k].isrcLinkedHere = linked[g].contains(flat[k].work)
                contexts[k].isrcLinkedElsewhere = !contexts[k].isrcLinkedHere
            } else {
                contexts[k].isrcLinkedHere = false
                contexts[k].isrcLinkedElsewhere = false
            }
        }
        let rows = PairFeatureBuilder.features(lines: lines, works: works, pairs: pairs, contexts: contexts, threads: options.threads)
        return (rows, flat)
    }

}
