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
    /// What retrieval saw (nil for a work that is a candidate only through the ISRC link).
    public var retrieval: RetrievedCandidate? = nil
    /// Per-feature contributions to the logit in `FeatureSchema.current` order (when requested).
    public var contributions: [Float]? = nil
}

/// The outcome for one distinct recording (a group of identical lines).
public struct GroupResult: Sendable {
    public var group: RecordingGroup
    /// Best first, at most `topK`.
    public var candidates: [ScoredCandidate]
    public var decision: Decision
    /// Reason of the decision (`isrc-link`, `iswc`, `title+artist`, `title-only`, `ambiguous-title`, `no-candidate`,
    /// `reviewed`, `reviewed-none`: see `ReviewMemory`).
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
    /// Groups retrieved and scored per batch (bounds the feature matrix: batch × topN × features floats).
    public var batchGroups = 512
    /// Keep each kept candidate's per-feature contributions (for `--format jsonl`).
    public var contributions = false
    /// Keep each result's normalized profile (`GroupResult.group.profile`). The results writers never read it
    /// (they need the candidates, the decision and the group's lines and plays); without it a run holds ≈ 1 KB
    /// less per distinct recording until its results are written (docs/MATCHING.md, "Memory").
    public var keepProfiles = true
    public var retrieval = RetrievalOptions()
    /// Reviewers' decisions about recordings (`ReviewMemory`): rejected candidates are left out, an accepted work is
    /// auto-matched. Empty by default (training, evaluation and `--works` runs have none).
    public var review = ReviewMemory()
    /// Where each run reads the decisions about its recordings from, instead of `review` (`ReviewDecisionSource`).
    public var reviewSource: (any ReviewDecisionSource)?
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
    /// Lines decided by an ISRC linked to exactly one work, without normalizing or scoring them.
    public var isrcDirect = 0
    /// Results of those lines (one per ISRC): the first `directResults` results of `MatchPipeline.run`.
    public var directResults = 0
    /// Lines decided by reviewers' earlier decisions about their recording (reasons `reviewed`, `reviewed-none`).
    public var reviewed = 0
    public var seconds = 0.0
    /// CPU seconds (all threads) in retrieval and in feature computation + scoring.
    public var retrievalSeconds = 0.0
    public var scoringSeconds = 0.0
    public var retrieval = RetrievalStats()

    public init() {}

    /// Adds the counts of another run (a streamed chunk).
    public mutating func add(_ o: MatchSummary) {
        lines += o.lines
        groups += o.groups
        plays += o.plays
        for (d, n) in o.linesByDecision { linesByDecision[d, default: 0] += n }
        for (d, p) in o.playsByDecision { playsByDecision[d, default: 0] += p }
        isrcLinked += o.isrcLinked
        isrcDirect += o.isrcDirect
        directResults += o.directResults
        reviewed += o.reviewed
        seconds += o.seconds
        retrievalSeconds += o.retrievalSeconds
        scoringSeconds += o.scoringSeconds
        retrieval.add(o.retrieval)
    }
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
        self.options.review = options.review.resolved(in: index)
    }

    var generator: CandidateGenerator { CandidateGenerator(index: index, options: options) }

    /// Matches `lines`: one result per distinct recording plus, for each line, its result.
    ///
    /// Lines whose ISRC the catalogue links to exactly one work are decided first, without
    /// normalization or scoring (one result per ISRC, confidence = the link's: 1 for links stated by a
    /// registration or confirmed in review). The others are grouped into distinct recordings and go
    /// through retrieval, features and scoring in batches of `batchGroups`; `progress(done, total)`
    /// is called after each batch.
    ///
    /// `lines` is consumed: a caller that passes its only reference (`run(lines: consume lines)`) lets the run
    /// release the lines once they are grouped (a group keeps its lines' ids and its first line's ISRC), on a thread of
    /// their own while matching goes on.
    ///
    /// Throws only what `options.reviewSource` throws.
    public func run(lines: consuming [UsageLine], progress: ((Int, Int) -> Void)? = nil) throws(OeuvreError)
        -> (results: [GroupResult], groupOfLine: [Int32], summary: MatchSummary)
    {
        let started = ContinuousClock.now
        let lineCount = lines.count
        var results: [GroupResult] = []
        var resultOfLine = [Int32](repeating: -1, count: lineCount)
        // 1. Direct hits: an ISRC linked to exactly one work (ISRCs looked up by their packed 64-bit key).
        var direct: [UInt64: Int32] = [:]
        let linkLookup = ISRCLinkLookup(index: index)
        let emptyProfile = LineProfile(title: "")
        var restIndex: [Int] = []
        // Per direct result, its plays and number of lines so far (a GroupResult is large: touching one per
        // line would miss the cache; its line lists are filled once below).
        var directPlays: [Double] = []
        var directLines: [Int32] = []
        for i in lines.indices {
            // Fields read in place: copying a whole UsageLine per line costs more than the lookup.
            if let isrc = lines[i].isrc, let key = ISRCKey.pack(isrc) {
                if let r = direct[key] {
                    if r >= 0 {
                        resultOfLine[i] = r
                        directPlays[Int(r)] += lines[i].plays
                        directLines[Int(r)] += 1
                        continue
                    }
                } else if let link = linkLookup.single(key) {
                    let hit = directHit(link: link, isrc: isrc, line: lines[i], index: i, emptyProfile: emptyProfile)
                    let r = Int32(results.count)
                    results.append(hit)
                    directPlays.append(lines[i].plays)
                    directLines.append(1)
                    direct[key] = r
                    resultOfLine[i] = r
                    continue
                } else {
                    direct[key] = -1
                }
            }
            restIndex.append(i)
        }
        // Line lists of the direct results seen on several lines, in line order (a counting sort).
        let directCount = lineCount - restIndex.count
        if directCount > results.count {
            var start = [Int](repeating: 0, count: results.count + 1)
            for r in results.indices { start[r + 1] = start[r] + Int(directLines[r]) }
            var cursor = start
            var order = [Int](repeating: 0, count: directCount)
            var ids = [String](repeating: "", count: directCount)
            for i in lines.indices where resultOfLine[i] >= 0 {
                let r = Int(resultOfLine[i])
                order[cursor[r]] = i
                ids[cursor[r]] = lines[i].lineId
                cursor[r] += 1
            }
            for r in results.indices where directLines[r] > 1 {
                results[r].group.lineIndices = Array(order[start[r]..<start[r + 1]])
                results[r].group.lineIds = Array(ids[start[r]..<start[r + 1]])
            }
        }
        for r in results.indices { results[r].group.plays = directPlays[r] }
        var summary = MatchSummary()
        summary.isrcDirect = directCount
        summary.directResults = results.count
        // 2. Distinct recordings, in batches. The lines are needed no further than the grouping: released there.
        var rest: [UsageLine]
        if directCount == 0 {
            rest = lines  // the same buffer, not a copy
        } else {
            rest = []
            rest.reserveCapacity(restIndex.count)
            for i in restIndex { rest.append(lines[i]) }
        }
        releaseInBackground(consume lines)
        var grouping = RecordingGrouper(threads: options.threads).group(rest)
        releaseInBackground(consume rest)
        let groupCount = grouping.groups.count
        let base = Int32(results.count)
        for (k, i) in restIndex.enumerated() { resultOfLine[i] = base + grouping.groupOfLine[k] }
        // Batches in title order: recordings of one work (versions, other ISRCs) share candidates,
        // so their work profiles are decoded once. Each worker thread takes whole batches (retrieval,
        // features, scoring and decisions with no serial step between them) and owns its profile cache.
        let order = Self.byteOrder(of: grouping.groups.map(\.profile.title))
        // At least four batches per thread when there is enough work (so both threads finish together),
        // at most `batchGroups` recordings per batch (bounds the feature matrix).
        let parts = max((order.count + options.batchGroups - 1) / max(1, options.batchGroups), min(options.threads * 4, order.count / 64))
        let batches = chunkRanges(order.count, parts: parts).filter { !$0.isEmpty }
        let workers = max(1, min(options.threads, batches.count))
        var inner = options
        inner.threads = 1
        if let source = options.reviewSource, try !source.isEmpty() {
            // The decisions about these recordings: by ISRC, or by metadata for those without one (`ReviewMemory.decision`).
            var isrcs: [String] = []
            var keys: [String] = []
            for g in grouping.groups.indices {
                if let isrc = grouping.groups[g].isrc.flatMap(ReviewMemory.canonicalISRC) {
                    isrcs.append(isrc)
                } else if let key = ReviewMemory.metadataKey(grouping.groups[g].profile) {
                    keys.append(key)
                }
            }
            inner.review = try source.memory(isrcs: isrcs, metadataKeys: keys)
        }
        inner.reviewSource = nil
        let worker = MatchPipeline(index: index, model: model, options: inner)
        // Each batch's groups are moved (not copied) into an array of its own: the groups are put in title
        // order by swaps, then popped off the end batch by batch. Copying a RecordingGroup touches the
        // headers of its ~50 reference-counted fields (cold by then) twice.
        // (In descending order, so that popping from the end gives each batch in title order.)
        var sorted: [RecordingGroup] = []
        swap(&sorted, &grouping.groups)
        Self.permute(&sorted, by: order.reversed())
        var moved = [[RecordingGroup]](repeating: [], count: batches.count)
        for b in batches.indices {
            var part: [RecordingGroup] = []
            part.reserveCapacity(batches[b].count)
            for _ in batches[b] { if let g = sorted.popLast() { part.append(g) } }
            moved[b] = part
        }
        sorted = []  // emptied by the pops, but still holding its capacity
        // Each batch's groups are handed to the worker that takes it and released with its batch: after
        // matching, a group lives on in its result only.
        let batchGroups = ResultSlots<[RecordingGroup]>(count: batches.count)
        for b in batches.indices {
            var part: [RecordingGroup] = []
            swap(&part, &moved[b])
            batchGroups.set(b, part)
        }
        moved = []
        let outputs = ResultSlots<BatchOutput>(count: batches.count)
        let counter = AtomicCounter()
        let done = ProgressCounter(total: groupCount, report: progress)
        BLAS.setThreads(1)
        var retrievalOptions = options.retrieval
        retrievalOptions.topN = options.topN
        parallelWorkers(workers) { _ in
            var cache = WorkProfileCache(limit: 0)
            // One retriever per thread for the whole run (its scratch grows once).
            let retriever = Retriever(index: index, options: retrievalOptions)
            while true {
                let b = counter.next()
                if b >= batches.count { break }
                guard let slice = batchGroups.take(b) else { continue }
                outputs.set(b, worker.matchBatch(slice, cache: &cache, retriever: retriever))
                done.add(slice.count)
            }
        }
        // Results are moved, not copied, into group order, each straight to its final slot: a GroupResult holds ~50
        // reference-counted arrays and strings (the group's line and profile), and copying one touches each of their
        // (cold) headers twice, on this serial step. (An array of optionals in group order, then appended, had moved
        // each result twice through fresh memory: at 1M lines ≈ 1 s of one core, most of it the kernel zeroing the
        // new pages.)
        var outs: [BatchOutput] = []
        outs.reserveCapacity(batches.count)
        for b in batches.indices {
            guard let out = outputs.take(b) else { preconditionFailure("match: batch \(b) has no output") }  // counts: `placed`
            summary.retrieval.add(out.stats)
            summary.retrievalSeconds += out.stats.sparseSeconds + out.stats.denseSeconds
            summary.scoringSeconds += out.scoringSeconds
            outs.append(out)
        }
        results = Self.placed(direct: &results, batches: &outs, ranges: batches, order: order)
        summary.lines = lineCount
        summary.groups = results.count
        for k in results.indices {  // fields read in place (a GroupResult is large)
            let n = results[k].group.lineIndices.count
            let decision = results[k].decision
            summary.linesByDecision[decision, default: 0] += n
            summary.playsByDecision[decision, default: 0] += results[k].group.plays
            summary.plays += results[k].group.plays
            if results[k].reason == "isrc-link" { summary.isrcLinked += n }
            if results[k].reason == "reviewed" || results[k].reason == "reviewed-none" { summary.reviewed += n }
        }
        let d = ContinuousClock.now - started
        summary.seconds = Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
        return (results, resultOfLine, summary)
    }

    /// The direct results followed by the batches' results in group order: group `order[ranges[b].lowerBound + k]` is
    /// `batches[b].results[k]`, and lands at `direct.count + group`. Every result is moved once into one array sized
    /// up front (`ranges` must cover `order`, and `order` be a permutation of `0..<order.count`: checked); `direct`
    /// and the batches keep placeholders (`vacated`).
    static func placed(direct: inout [GroupResult], batches: inout [BatchOutput], ranges: [Range<Int>], order: [Int]) -> [GroupResult] {
        let base = direct.count
        let total = base + order.count
        precondition(batches.count == ranges.count && ranges.reduce(0) { $0 + $1.count } == order.count,
                     "placed: the batches do not cover the recordings")
        var seen = [Bool](repeating: false, count: order.count)
        for g in order {
            precondition(g >= 0 && g < order.count && !seen[g], "placed: order is not a permutation")
            seen[g] = true
        }
        for b in batches.indices { precondition(batches[b].results.count == ranges[b].count, "placed: batch \(b) has the wrong count") }
        return [GroupResult](unsafeUninitializedCapacity: total) { buffer, count in
            let p = buffer.baseAddress!
            // A moved-from slot takes `vacated` (empty arrays and strings: nothing to allocate or release), so that the
            // source arrays stay valid and are freed as usual.
            direct.withUnsafeMutableBufferPointer { d in
                guard let s = d.baseAddress else { return }
                for k in 0..<base {
                    (p + k).moveInitialize(from: s + k, count: 1)
                    (s + k).initialize(to: vacated)
                }
            }
            for b in batches.indices {
                let lo = ranges[b].lowerBound
                batches[b].results.withUnsafeMutableBufferPointer { r in
                    guard let s = r.baseAddress else { return }
                    for k in 0..<r.count {
                        (p + base + order[lo + k]).moveInitialize(from: s + k, count: 1)
                        (s + k).initialize(to: vacated)
                    }
                }
            }
            count = total
        }
    }

    /// The indices of `strings` in the order of their UTF-8 bytes, equal strings in index order. For NFC text (the
    /// profiles' titles) this is `String`'s order, which compares canonical orderings at a retain, a release and a
    /// call per comparison: sorting 500k titles that way was a serial second of `run`. Here each comparison reads
    /// the first 8 bytes as one big-endian integer and, when they tie, the rest from one flat copy of the bytes.
    static func byteOrder(of strings: [String]) -> [Int] {
        let n = strings.count
        var starts = [Int](repeating: 0, count: n + 1)
        var prefixes = [UInt64](repeating: 0, count: n)
        var bytes: [UInt8] = []
        bytes.reserveCapacity(strings.reduce(0) { $0 + $1.utf8.count })
        for (i, s) in strings.enumerated() {
            var prefix: UInt64 = 0
            var k = 0
            for b in s.utf8 {
                if k < 8 { prefix |= UInt64(b) << (56 - 8 * k) }
                k += 1
                bytes.append(b)
            }
            prefixes[i] = prefix
            starts[i + 1] = bytes.count
        }
        var order = Array(0..<n)
        bytes.withUnsafeBufferPointer { bytes in
            starts.withUnsafeBufferPointer { starts in
                prefixes.withUnsafeBufferPointer { prefixes in
                    order.withUnsafeMutableBufferPointer { order in
                        order.sort { a, b in
                            if prefixes[a] != prefixes[b] { return prefixes[a] < prefixes[b] }
                            // Equal first 8 bytes (zero-padded: a shorter string's missing bytes sort first).
                            let la = starts[a + 1] - starts[a], lb = starts[b + 1] - starts[b]
                            let common = min(la, lb)
                            if common > 8 {
                                let c = memcmp(bytes.baseAddress! + starts[a] + 8, bytes.baseAddress! + starts[b] + 8, common - 8)
                                if c != 0 { return c < 0 }
                            }
                            return la != lb ? la < lb : a < b
                        }
                    }
                }
            }
        }
        return order
    }

    /// Puts `items[order[i]]` at position `i` for every `i` (`order` must be a permutation of the indices), by
    /// following its cycles: elements are moved in memory, never copied (`swapAt` and `reverse` copy a large
    /// struct through a temporary, with a retain and a release of each of its reference-counted fields).
    static func permute<T>(_ items: inout [T], by order: [Int]) {
        let n = items.count
        // The moves below are only sound for a permutation: checked first (every index once, in range).
        var placed = [Bool](repeating: false, count: n)
        precondition(order.count == n, "permute: order has \(order.count) indices for \(n) items")
        for j in order {
            precondition(j >= 0 && j < n && !placed[j], "permute: order is not a permutation")
            placed[j] = true
        }
        for i in 0..<n { placed[i] = false }
        items.withUnsafeMutableBufferPointer { buffer in
            guard let p = buffer.baseAddress else { return }
            for start in 0..<n where !placed[start] {
                // The cycle start ← order[start] ← order[order[start]] … ← start: each slot takes the element its
                // order names; the first element, taken out, closes the cycle.
                let first = (p + start).move()
                var i = start
                while true {
                    placed[i] = true
                    let j = order[i]
                    if j == start {
                        (p + i).initialize(to: first)
                        break
                    }
                    (p + i).moveInitialize(from: p + j, count: 1)
                    i = j
                }
            }
        }
    }

    /// What a moved-from result slot holds (`placed`).
    static let vacated = GroupResult(group: RecordingGroup(isrc: nil, lineIndices: [], lineIds: [], plays: 0, sharing: releasedBox),
                                     candidates: [], decision: .none, reason: "")

    /// What a result holds in place of its profile when `MatchOptions.keepProfiles` is off.
    static let releasedProfile = LineProfile(title: "")
    /// `releasedProfile`, boxed once and shared by every result that gives its profile up.
    static let releasedBox = ProfileBox(releasedProfile)

    struct BatchOutput {
        var results: [GroupResult]
        var stats: RetrievalStats
        var scoringSeconds: Double
    }

    /// Retrieval, features, scoring and decisions for one batch of distinct recordings, on the
    /// calling thread (`options.threads` is the parallelism of the steps inside).
    func matchBatch(_ slice: [RecordingGroup], cache: inout WorkProfileCache, retriever: Retriever? = nil) -> BatchOutput {
        let generator = self.generator
        let scorer = model.scorer
        let columns = PairFeatureExtractor.count
        // The groups' profiles are read in place (not copied into arrays of their own).
        let reviewed = generator.reviewed(slice)
        let (candidates, linked, retrieved, stats) = generator.retrieve(groups: slice, reviewed: reviewed, retriever: retriever)
        let s0 = ContinuousClock.now
        let (rows, pairs) = slice.withUnsafeBufferPointer { groups in
            generator.features(candidates: candidates, linked: linked, range: 0..<groups.count) {
                PackedLine.encode(groups[$0].profile, into: &$1)
            }
        }
        var scores = [Float](repeating: 0, count: pairs.count)
        rows.withUnsafeBufferPointer { r in scores.withUnsafeMutableBufferPointer { scorer.score(r, rows: pairs.count, into: $0) } }
        // Candidates of a recording that nothing tells apart get the confidence they have on average over
        // the arbitrary order retrieval put them in (`TrueTies`). Pairs are in candidate order per group.
        var tieKeys = [UInt64](repeating: 0, count: pairs.count)
        var p = 0
        for g in 0..<slice.count {
            for c in retrieved[g] {
                tieKeys[p] = c?.evidenceKey ?? 0
                p += 1
            }
        }
        precondition(p == pairs.count, "matchBatch: \(p) retrieved candidates for \(pairs.count) pairs")
        TrueTies.share(confidences: &scores, rows: rows, groupOfPair: { pairs[$0].group }, keys: tieKeys, scorer: scorer)
        // Read-only from here, through a `let`: the lazy map below escapes, and a `var` it captured would be boxed
        // and every read of it (the ranking sort compares thousands of pairs) checked for exclusivity at run time.
        let conf = scores
        var results: [GroupResult] = []
        results.reserveCapacity(slice.count)
        var k = 0
        var order: [Int] = []
        for g in 0..<slice.count {
            let first = k
            while k < pairs.count && pairs[k].group == g { k += 1 }
            // Only the candidates `decide` can look at are materialized (a results row decodes the work's
            // id, ISWC and title): the best max(topK, 2) in its order (confidence, then work id), and the
            // ISRC-linked work wherever it ranks.
            order.removeAll(keepingCapacity: true)
            order.append(contentsOf: first..<k)
            order.sort { a, b in
                conf[a] != conf[b] ? conf[a] > conf[b] : index.workIdPrecedes(pairs[a].work, pairs[b].work)
            }
            let keep = max(options.topK, 2)
            var scored: [ScoredCandidate] = []
            scored.reserveCapacity(keep + 1)
            let accepted = reviewed.isEmpty ? nil : reviewed[g]?.acceptedWork
            for (rank, i) in order.enumerated() {
                let w = pairs[i].work
                guard rank < keep || (linked[g].count == 1 && linked[g][0] == w) || w == accepted else { continue }
                let p = index.summary(w)
                let reason = rows.withUnsafeBufferPointer { Self.reason(row: UnsafeBufferPointer(rebasing: $0[(i * columns)..<((i + 1) * columns)])) }
                var c = ScoredCandidate(work: w, workId: p.workId, iswc: p.iswc, title: p.displayTitle, confidence: Double(conf[i]), reason: reason)
                c.retrieval = retrieved[g][i - first]
                if options.contributions {
                    c.contributions = rows.withUnsafeBufferPointer { scorer.contributions(UnsafeBufferPointer(rebasing: $0[(i * columns)..<((i + 1) * columns)])) }
                }
                scored.append(c)
            }
            // Namesakes: another catalogued work with the same evidence and neither has the line's artist (a
            // tie, never auto), or the runners-up within the margin have a title no better and lack the artist
            // evidence the best one has (settled by the artist). See `contest`.
            var contest = Contest.open
            if let best = order.first, Double(conf[best]) >= model.thresholds.auto, order.count > 1 {
                let floor = conf[best] - Float(options.autoMargin)
                contest = rows.withUnsafeBufferPointer { r in
                    Self.contest(best: UnsafeBufferPointer(rebasing: r[(best * columns)..<((best + 1) * columns)]),
                                 among: order.dropFirst().lazy.map { (UnsafeBufferPointer(rebasing: r[($0 * columns)..<(($0 + 1) * columns)]), conf[$0] > floor) })
                }
            }
            results.append(decide(group: slice[g], profile: slice[g].profile, scored: scored, linked: linked[g], contest: contest,
                                  reviewed: reviewed.isEmpty ? nil : reviewed[g], cache: &cache))
            if !options.keepProfiles { results[results.count - 1].group.shareProfile(Self.releasedBox) }
        }
        let d = ContinuousClock.now - s0
        return BatchOutput(results: results, stats: stats,
                           scoringSeconds: Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18)
    }

    /// The result of a line whose ISRC is linked to exactly one work, by `link`.
    /// `emptyProfile` is `LineProfile(title: "")`, built once per run (its sketch does not depend on the ISRC).
    func directHit(link: (work: Int, confidence: Float), isrc: String, line: UsageLine, index i: Int,
                   emptyProfile: LineProfile) -> GroupResult {
        let p = index.summary(link.work)
        var profile = emptyProfile
        profile.isrc = isrc
        let confidence = Double(link.confidence)
        let t = model.thresholds
        let decision: Decision = confidence >= t.auto ? .auto : confidence >= t.review ? .review : .none
        let group = RecordingGroup(isrc: line.isrc, lineIndices: [i], lineIds: [line.lineId], plays: line.plays,
                                   profile: profile)
        let c = ScoredCandidate(work: link.work, workId: p.workId, iswc: p.iswc, title: p.displayTitle, confidence: confidence, reason: "isrc-link")
        return GroupResult(group: group, candidates: [c], decision: decision, reason: "isrc-link")
    }

    /// Ranks the scored candidates and routes the line.
    func decide(group: RecordingGroup, profile: LineProfile, scored: [ScoredCandidate], linked: [Int]) -> GroupResult {
        var cache = WorkProfileCache(limit: 0)
        return decide(group: group, profile: profile, scored: scored, linked: linked, cache: &cache)
    }

    /// `contest`: how the best candidate stands against the others beyond their confidences
    /// (`contest(best:among:)`): a tie is never auto-matched; settled by the artist, the margin is not needed.
    /// `reviewed`: what a reviewer decided about this recording (its rejected works are no longer among `scored`):
    /// the accepted work is auto-matched (reason `reviewed`) unless a single ISRC link decides; a recording decided
    /// `none` that nothing new sends to review stays `none` (reason `reviewed-none`).
    func decide(group: RecordingGroup, profile: LineProfile, scored: [ScoredCandidate], linked: [Int],
                contest: Contest = .open, reviewed: ReviewMemory.Decision? = nil, cache: inout WorkProfileCache) -> GroupResult {
        var ranked = scored.sorted { $0.confidence != $1.confidence ? $0.confidence > $1.confidence : $0.workId < $1.workId }
        // Reasons only for what is kept (each needs the work's profile).
        for i in ranked.indices.prefix(max(options.topK, 1)) where ranked[i].reason.isEmpty {
            ranked[i].reason = reason(for: ranked[i], profile: profile, linked: linked, cache: &cache)
        }
        guard let top = ranked.first else {
            return GroupResult(group: group, candidates: [], decision: .none, reason: reviewed.map { $0.accepted == nil } == true ? "reviewed-none" : "no-candidate")
        }
        if let accepted = reviewed?.acceptedWork, linked.count != 1, let i = ranked.firstIndex(where: { $0.work == accepted }) {
            var hit = ranked.remove(at: i)
            hit.confidence = max(hit.confidence, 0.999)
            hit.reason = "reviewed"
            ranked.insert(hit, at: 0)
            return GroupResult(group: group, candidates: Array(ranked.prefix(options.topK)), decision: .auto, reason: "reviewed")
        }
        // A confirmed ISRC link is a direct hit; several linked works need a person.
        if !linked.isEmpty {
            if linked.count == 1, let i = ranked.firstIndex(where: { $0.work == linked[0] }) {
                var hit = ranked.remove(at: i)
                hit.confidence = max(hit.confidence, 0.999)
                hit.reason = "isrc-link"
                ranked.insert(hit, at: 0)
                return GroupResult(group: group, candidates: Array(ranked.prefix(options.topK)), decision: .auto, reason: "isrc-link")
            }
            return GroupResult(group: group, candidates: Array(ranked.prefix(options.topK)), decision: .review, reason: "isrc-link")
        }
        let second = ranked.count > 1 ? ranked[1].confidence : 0
        let t = model.thresholds
        var decision: Decision
        var reason = top.reason
        if top.confidence >= t.auto && (top.confidence - second >= options.autoMargin || contest == .settledByArtist) {
            decision = .auto
        } else if top.confidence >= t.review {
            decision = .review
            if top.confidence - second < options.autoMargin && second >= t.review { reason = "ambiguous-title" }
        } else {
            decision = .none
        }
        if decision == .auto && contest == .tie {
            decision = .review
            reason = "ambiguous-title"
        }
        if decision == .none, let reviewed, reviewed.accepted == nil { reason = "reviewed-none" }
        return GroupResult(group: group, candidates: Array(ranked.prefix(options.topK)), decision: decision, reason: reason)
    }

    /// The features that are evidence for one work over another with the same title: everything but the
    /// candidate context (retrieval score, rank, gap — derived from retrieval order, which is arbitrary
    /// among equal titles), the artist comparisons (the tie needs both below the same-name level, see
    /// `reason(row:)`) and the field-mixing and missing-field features that the artist names and the
    /// catalogue's completeness move.
    static let tieEvidence: [Int] = {
        let ignored: Set<Feature> = [
            .artistPerformerSimilarity, .artistPerformerTokenOverlap, .artistWriterSimilarity, .featuredOverlap,
            .originalArtistSimilarity, .recordTokenJaccard, .workTitleInLineRecord, .lineTitleInWorkRecord,
            .artistInWorkRecord, .performerInLineRecord, .lineArtistMissing, .workPerformersMissing,
            .lineWritersMissing, .workWritersMissing, .iswcMissing, .retrievalScore, .retrievalRankInverse,
            .retrievalGap,
        ]
        return Feature.allCases.filter { !ignored.contains($0) }.map(\.rawValue)
    }()

    /// How the best candidate stands against the others, beyond their confidences.
    enum Contest: Sendable, Equatable {
        /// Nothing beyond the confidences: the margin rule decides.
        case open
        /// A title-only best candidate and another title-only candidate are equal (±1e-4) on every
        /// `tieEvidence` feature — the same title similarities, version, duration, album, identifier,
        /// writer and release-date evidence. Two catalogued songs called "Hello Stranger", and a line by a
        /// third performer: nothing in the line says which one it is, and the confidence gap between them
        /// comes only from the order retrieval happened to put them in (shs100k-val: ≈ 15 such lines were
        /// auto-matched, half of them wrongly). Never auto-matched.
        case tie
        /// The best candidate has the line's artist (or its ISWC); every candidate within the margin is
        /// title-only and its title is no better (`titleEvidence`). "Shake It Off" by Taylor Swift, with her
        /// song and Mariah Carey's catalogued: the scorer rates each pair alone (0.9995 and 0.95, both
        /// exact titles), and only the artist separates them — which is what the margin asks for.
        case settledByArtist
    }

    /// The title comparisons a runner-up must not beat for the artist to settle a contest.
    static let titleEvidence: [Int] = [Feature.titleNgramCosine, .titleTokenJaccard, .titleTokenOverlap, .titleEditSimilarity,
                                       .titleExact, .titleFullExact, .titleVariantExact, .titlePrefixRatio].map(\.rawValue)

    /// The contest of the best candidate's feature row against the others' (`within`: the other's confidence
    /// is within the auto margin of the best one's).
    static func contest<S: Sequence<(UnsafeBufferPointer<Float>, Bool)>>(best: UnsafeBufferPointer<Float>, among others: S) -> Contest {
        switch reason(row: best) {
        case "title-only":
            for (other, _) in others where reason(row: other) == "title-only" {
                if tieEvidence.allSatisfy({ abs(best[$0] - other[$0]) <= 1e-4 }) { return .tie }
            }
            return .open
        case "title+artist", "iswc":
            var contested = false
            for (other, within) in others where within {
                guard reason(row: other) == "title-only", titleEvidence.allSatisfy({ other[$0] <= best[$0] + 1e-4 }) else { return .open }
                contested = true
            }
            return contested ? .settledByArtist : .open
        default:
            return .open
        }
    }

    /// The reason of a candidate read off its feature row: the same evidence `reason(for:...)` looks
    /// for (ISRC link, equal ISWC, the line's artist among the work's performers or writers, a shared
    /// writer IPI), without decoding the work again.
    static func reason(row: UnsafeBufferPointer<Float>) -> String {
        @inline(__always) func v(_ f: Feature) -> Float { row[f.rawValue] }
        if v(.isrcLinkedHere) > 0 { return "isrc-link" }
        if v(.iswcEqual) > 0 { return "iswc" }
        let same = PairFeatureExtractor.sameNameCosine
        if v(.artistPerformerSimilarity) >= same || v(.artistWriterSimilarity) >= same || v(.originalArtistSimilarity) >= same
            || v(.artistPerformerTokenOverlap) > 0.5 || v(.writerIPIMatch) > 0 {
            return "title+artist"
        }
        return "title-only"
    }

    func reason(for c: ScoredCandidate, profile: LineProfile, linked: [Int], cache: inout WorkProfileCache) -> String {
        if linked.contains(c.work) { return "isrc-link" }
        let p = cache.profile(c.work, index: index)
        if let iswc = profile.iswc, iswc == p.iswc { return "iswc" }
        let artists = profile.artists + profile.originalArtists
        let named = artists.contains { a in p.performers.contains(a) || p.writers.contains(a) }
        if named || (!profile.writerIPIs.isEmpty && profile.writerIPIs.contains(where: { p.writerIPIs.contains($0) })) {
            return "title+artist"
        }
        if artists.contains(where: { a in p.performers.contains(where: { Self.tokenOverlap(a, $0) > 0.5 }) || p.writers.contains(where: { Self.tokenOverlap(a, $0) > 0.5 }) }) {
            return "title+artist"
        }
        return "title-only"
    }

    /// Shared words / words of the shorter name, without the name function words (`TextSketch.nameFunctionWords`;
    /// distinct words; 0 when either is empty).
    static func tokenOverlap(_ a: String, _ b: String) -> Double {
        Double(Similarity.overlap(TextSketch.nameTokens(TextSketch.tokenSet([a])), TextSketch.nameTokens(TextSketch.tokenSet([b]))))
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
        let r = candidatesWithRetrieval(groups: groups)
        return (r.profiles, r.candidates, r.linked)
    }

    /// `candidates(groups:)` plus, parallel to each group's candidates, what retrieval saw of them (nil
    /// for works that are candidates only through the ISRC link) and the retrieval counters.
    public func candidatesWithRetrieval(groups: [RecordingGroup], retriever: Retriever? = nil)
        -> (profiles: [LineProfile], candidates: [[Int]], linked: [[Int]], retrieval: [[RetrievedCandidate?]], stats: RetrievalStats)
    {
        let r = retrieve(groups: groups, retriever: retriever)
        return (groups.map(\.profile), r.candidates, r.linked, r.retrieval, r.stats)
    }

    /// `candidatesWithRetrieval` without the copy of the groups' profiles.
    func retrieve(groups: [RecordingGroup], retriever: Retriever? = nil)
        -> (candidates: [[Int]], linked: [[Int]], retrieval: [[RetrievedCandidate?]], stats: RetrievalStats)
    {
        let r = retrieve(groups: groups, reviewed: [], retriever: retriever)
        return (r.candidates, r.linked, r.retrieval, r.stats)
    }

    /// The reviewers' decisions about each group's recording (empty when there are none at all).
    func reviewed(_ groups: [RecordingGroup]) -> [ReviewMemory.Decision?] {
        guard !options.review.isEmpty else { return [] }
        return groups.withUnsafeBufferPointer { gs in gs.indices.map { options.review.decision(isrc: gs[$0].isrc, profile: gs[$0].profile) } }
    }

    /// `reviewed`: per group, what a reviewer decided about its recording (or empty): the works the reviewer rejected
    /// are not candidates (an ISRC link still is), and the accepted work is one even when retrieval missed it.
    func retrieve(groups: [RecordingGroup], reviewed: [ReviewMemory.Decision?], retriever: Retriever? = nil)
        -> (candidates: [[Int]], linked: [[Int]], retrieval: [[RetrievedCandidate?]], stats: RetrievalStats)
    {
        var retrievalOptions = options.retrieval
        retrievalOptions.topN = options.topN
        // A recording whose ISRC is linked to exactly one work is a direct hit: it skips retrieval
        // (its only candidate is the linked work). Recordings linked to several works, or to none,
        // are retrieved as usual. Retrieval uses the groups' profiles (merged over their lines).
        // Groups read through a buffer pointer: iterating the array (`map`, `for in`) copies each element.
        let linked: [[Int]] = groups.withUnsafeBufferPointer { gs in
            gs.indices.map { gs[$0].isrc.map { index.works(forISRC: $0) } ?? [] }
        }
        let toRetrieve = groups.indices.filter { linked[$0].count != 1 }
        let (retrieved, stats): ([[RetrievedCandidate]], RetrievalStats)
        if let retriever, retriever.index === index, retriever.options == retrievalOptions {
            let queries = groups.withUnsafeBufferPointer { gs in toRetrieve.map { RetrievalQuery(gs[$0].profile) } }
            (retrieved, stats) = ParallelRetrieval.run(queries: queries, retriever: retriever)
        } else {
            (retrieved, stats) = ParallelRetrieval.run(profiles: toRetrieve.map { groups[$0].profile }, index: index, options: retrievalOptions,
                                                       threads: options.threads)
        }
        var all = linked
        var seen: [[RetrievedCandidate?]] = linked.map { Array(repeating: nil, count: $0.count) }
        for (k, g) in toRetrieve.enumerated() {
            var list = linked[g]
            var info = seen[g]
            let decided = reviewed.isEmpty ? nil : reviewed[g]
            for c in retrieved[k] {
                if let i = list.firstIndex(of: Int(c.work)) {
                    info[i] = c
                } else if decided?.rejectedWorks.contains(Int(c.work)) != true {
                    list.append(Int(c.work))
                    info.append(c)
                }
            }
            let keep = max(options.topN, linked[g].count)
            all[g] = Array(list.prefix(keep))
            seen[g] = Array(info.prefix(keep))
            if let w = decided?.acceptedWork, !all[g].contains(w) {
                all[g].append(w)
                seen[g].append(nil)
            }
        }
        return (all, linked, seen, stats)
    }

    /// Feature rows for the (group, candidate) pairs, with the same candidate context the scorer was
    /// trained with (see `PairFeatureBuilder`), ISRC links taken from the index.
    public func features(profiles: [LineProfile], candidates: [[Int]], linked: [[Int]], range: Range<Int>)
        -> (rows: [Float], pairs: [(group: Int, work: Int)])
    {
        features(candidates: candidates, linked: linked, range: range) { PackedLine.encode(profiles[$0], into: &$1) }
    }

    /// `features(profiles:...)` with each group's line record written by `encodeLine(g, &writer)`, so that the
    /// matcher can pack the profiles where they are (in its recording groups) instead of copying them.
    func features(candidates: [[Int]], linked: [[Int]], range: Range<Int>,
                  encodeLine: (Int, inout PackedWriter) -> Void) -> (rows: [Float], pairs: [(group: Int, work: Int)])
    {
        var workSlot: [Int: Int] = [:]
        var works: [PackedWork] = []
        var pairs: [PairFeatureBuilder.Pair] = []
        var flat: [(group: Int, work: Int)] = []
        var lineWriter = PackedWriter()
        var lineOffsets: [Int] = []
        let expected = range.reduce(0) { $0 + candidates[$1].count }
        workSlot.reserveCapacity(expected)
        works.reserveCapacity(expected)
        pairs.reserveCapacity(expected)
        flat.reserveCapacity(expected)
        // A work's record offset is a miss in a catalogue-sized array (perf: ≈ 28% of this loop's samples on
        // that load): the offsets of the works `ahead` candidates on are prefetched, so the misses overlap.
        let ahead = 16
        var upcoming = range.lazy.flatMap { candidates[$0] }.makeIterator()
        for _ in 0..<ahead { if let w = upcoming.next() { index.prefetchPackedOffset(w) } }
        for g in range {
            let local = lineOffsets.count
            lineOffsets.append(lineWriter.out.count)
            encodeLine(g, &lineWriter)
            for w in candidates[g] {
                if let next = upcoming.next() { index.prefetchPackedOffset(next) }
                let slot: Int
                if let s = workSlot[w] {
                    slot = s
                } else {
                    slot = works.count
                    workSlot[w] = slot
                    works.append(index.packedWork(w))
                }
                pairs.append(PairFeatureBuilder.Pair(line: local, work: slot))
                flat.append((g, w))
            }
        }
        let rows = lineWriter.out.withUnsafeBufferPointer { lb in
            let lines = lineOffsets.map { PackedLine(lb.baseAddress! + $0) }
            let index = self.index
            return PairFeatureBuilder.featuresWithContexts(lines: lines, works: works, pairs: pairs, threads: options.threads,
                                                               tiesShareRank: false, catalogueTitleCounts: { keys in
                var counts: [Int] = []
                index.titleCounts(keys, into: &counts)
                return counts
            }) { k in
                let g = flat[k].group
                guard !linked[g].isEmpty else { return (false, false) }
                let here = linked[g].contains(flat[k].work)
                return (here, !here)
            }
        }
        return (rows, flat)
    }

}

/// Decoded work profiles by ordinal, bounded (cleared when full); `limit` 0 keeps nothing.
public struct WorkProfileCache {
    var items: [Int: WorkProfile] = [:]
    let limit: Int

    public init(limit: Int) { self.limit = limit }

    public mutating func profile(_ w: Int, index: MatchIndex) -> WorkProfile {
        if let p = items[w] { return p }
        let p = index.profile(w)
        guard limit > 0 else { return p }
        if items.count >= limit { items.removeAll(keepingCapacity: true) }
        items[w] = p
        return p
    }
}

/// Counts finished recordings across worker threads and reports progress (serialized by a lock).
final class ProgressCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var done = 0
    private let total: Int
    private let report: ((Int, Int) -> Void)?

    init(total: Int, report: ((Int, Int) -> Void)?) {
        self.total = total
        self.report = report
    }

    func add(_ n: Int) {
        lock.lock()
        defer { lock.unlock() }
        done += n
        report?(done, total)
    }
}
