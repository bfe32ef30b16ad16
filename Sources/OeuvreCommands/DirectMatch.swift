import Foundation
import Formats
import Matching
import OeuvreCore
import Review

/// `oeuvre match` of one CSV/TSV usage file to TSV results, with the lines an ISRC decides kept out of the
/// general pipeline: the reader hands over, per such line, its ISRC's slot, plays and line id bytes
/// (`UsageReports.readKeyed`, the ISRC looked up once per part where it first appears), and each results row is
/// its line id followed by the row tail formatted once per ISRC. Only the other lines (no ISRC, an ISRC linked to
/// no work or to several, and — when a review queue is written — links whose confidence routes to review)
/// become `UsageLine`s and go through `MatchPipeline.run`.
///
/// Output, summary counts, play sums (added in the same order) and warnings are those of the general path
/// (`MatchCommand.process`), which decides the same lines the same way (`MatchPipeline.directHit`).
struct DirectMatch {
    let pipeline: MatchPipeline
    /// Links routed to review stay with the general path (the review queue needs their `UsageLine`s).
    let keepReviewLinks: Bool
    let threads: Int
    /// The share of fuzzy auto-matches that joins the review queue (`--sample-auto`).
    var sampleAuto = 0.0

    struct Outcome {
        var summary: MatchSummary
        var reviewRows: [(lineId: String, rows: [MatchResultRow])] = []
        var reviewLines: [String: UsageLine] = [:]
    }

    /// Records formatted per chunk (chunks are formatted on `threads` threads and written in order by another).
    static let chunkRecords = 1 << 14

    func run(path: String, options: UsageReadOptions, writer: AtomicFileWriter, warn: ([ReportWarning]) -> Void,
             progress: MatchProgress) throws(OeuvreError) -> Outcome {
        let started = ContinuousClock.now
        let index = pipeline.index
        let thresholds = pipeline.model.thresholds
        func decision(_ confidence: Double) -> Decision {
            confidence >= thresholds.auto ? .auto : confidence >= thresholds.review ? .review : .none
        }
        let lookup = ISRCLinkLookup(index: index)
        let keepReview = keepReviewLinks
        let review = thresholds.review, auto = thresholds.auto
        var read = try UsageReports.readKeyed(path: path, options: options, valueBound: index.linkCount) { key in
            guard let position = lookup.singleLink(key), position <= Int(Int32.max) else { return -1 }
            if keepReview {
                let c = Double(index.link(at: position).confidence)
                if c >= review && c < auto { return -1 }
            }
            return Int32(position)
        }
        warn(read.warnings)
        let parts = read.parts
        let slots = read.slotKeys.count

        // Per ISRC slot: its lines, plays (added in line order, as the general path does) and first record; on
        // another thread at once, its linked work, the link's confidence and the decision.
        var slotLines = [Int](repeating: 0, count: slots)
        var slotPlays = [Double](repeating: 0, count: slots)
        var slotFirst = [Int](repeating: 0, count: slots)
        var slotWork = [Int32](repeating: 0, count: slots)
        var slotConfidence = [Float](repeating: 0, count: slots)
        var slotDecision = [Decision](repeating: .none, count: slots)
        parallelWorkers(threads > 1 ? 2 : 1) { w in
            if w == 1 || threads == 1 {
                for s in 0..<slots {
                    let link = index.link(at: Int(read.slotValues[s]))
                    slotWork[s] = Int32(link.work)
                    slotConfidence[s] = link.confidence
                    slotDecision[s] = decision(Double(link.confidence))
                }
                if threads > 1 { return }
            }
            for part in parts {
                part.records.withUnsafeBufferPointer { records in
                    part.plays.withUnsafeBufferPointer { plays in
                        for i in records.indices where records[i] >= 0 {
                            let s = Int(records[i])
                            if slotLines[s] == 0 {
                                slotPlays[s] = plays[i]
                                slotFirst[s] = part.firstRecord + i
                            } else {
                                slotPlays[s] += plays[i]
                            }
                            slotLines[s] += 1
                        }
                    }
                }
            }
        }
        // The other lines: the general pipeline.
        // The rows need the lines' ids only, the review queue whole lines: the pipeline gets the only reference to the
        // lines and releases them once they are grouped.
        var rest: (results: [GroupResult], groupOfLine: [Int32], summary: MatchSummary) = ([], [], MatchSummary())
        var lines: [UsageLine] = []
        swap(&lines, &read.lines)
        let lineIds = lines.map(\.lineId)
        let reviewLines = keepReviewLinks ? lines : []
        if !lines.isEmpty {
            rest = try pipeline.run(lines: consume lines) { done, total in progress.update(done, total) }
        }
        let recordOfLine = rest.summary.directResults > 0 ? Self.recordOfLine(parts, lines: lineIds.count) : []
        let summary = Self.summary(slotLines: slotLines, slotPlays: slotPlays, slotFirst: slotFirst, slotDecision: slotDecision,
                                   rest: rest, restRecord: { recordOfLine[$0] }, records: read.records, started: started)

        // Row tails: one per ISRC slot (from the index's bytes), and those of the general path's results.
        let (tails, tailRanges) = slotTails(works: slotWork, confidences: slotConfidence, decisions: slotDecision)
        let (restTails, restRowEnds, restFirstRow) = MatchCommand.rowTails(of: rest.results, threads: threads)

        // Rows in file order: chunks of records formatted on `threads` threads while this one writes them in order.
        var chunks: [(part: Int, range: Range<Int>)] = []
        for (p, part) in parts.enumerated() {
            for lo in stride(from: 0, to: part.count, by: Self.chunkRecords) { chunks.append((p, lo..<min(part.count, lo + Self.chunkRecords))) }
        }
        let groupOfLine = rest.groupOfLine
        let formatters = max(1, threads)
        let ready = (0..<chunks.count).map { _ in DispatchSemaphore(value: 0) }
        // Buffers go round between formatters and the writer (fresh ones would cost a page fault per 4 KiB).
        let pool = SinkPool((0..<(formatters + 2)).map { _ in ByteSink(capacity: Self.chunkRecords * 100) })
        defer { pool.freeAll() }
        let next = AtomicCounter()
        var done = [ByteSink?](repeating: nil, count: chunks.count)
        tails.withUnsafeBytes { tails in
            tailRanges.withUnsafeBufferPointer { tailRanges in
                restTails.withUnsafeBytes { restTails in
                    done.withUnsafeMutableBufferPointer { done in
                        parallelWorkers(formatters + 1) { w in
                            if w == 0 {
                                for k in 0..<chunks.count {
                                    ready[k].wait()
                                    if let sink = done[k] {
                                        writer.write(bytes: UnsafeRawBufferPointer(start: sink.base, count: sink.count))
                                        pool.put(sink)
                                    }
                                    done[k] = nil
                                }
                                return
                            }
                            while true {
                                var sink = pool.take()
                                let k = next.next()
                                guard k < chunks.count else {
                                    pool.put(sink)
                                    return
                                }
                                let (p, range) = chunks[k]
                                sink.count = 0
                                Self.format(part: parts[p], range: range, into: &sink, tails: tails, tailRanges: tailRanges, lineIds: lineIds,
                                            groupOfLine: groupOfLine, restTails: restTails, restRowEnds: restRowEnds, restFirstRow: restFirstRow)
                                done[k] = sink
                                ready[k].signal()
                            }
                        }
                    }
                }
            }
        }

        var outcome = Outcome(summary: summary)
        if keepReviewLinks {
            for (i, line) in reviewLines.enumerated() {
                let r = rest.results[Int(groupOfLine[i])]
                guard MatchCommand.queued(r, lineId: line.lineId, sampleAuto: sampleAuto) else { continue }
                outcome.reviewLines[line.lineId] = line
                outcome.reviewRows.append((line.lineId, r.candidates.enumerated().map { k, c in
                    MatchResultRow(lineId: line.lineId, rank: k + 1, workId: c.workId, iswc: c.iswc, workTitle: c.title,
                                   confidence: c.confidence, decision: r.decision, reason: k == 0 ? r.reason : c.reason)
                }))
            }
        }
        MatchCommand.keepUntilExit((read, rest, lineIds, reviewLines))
        return outcome
    }

    /// Global record of each line of the general path.
    static func recordOfLine(_ parts: [KeyedUsagePart], lines: Int) -> [Int] {
        var out = [Int](repeating: 0, count: lines)
        for part in parts {
            for (k, v) in part.records.enumerated() where v < 0 { out[Int(-v) - 1] = part.firstRecord + k }
        }
        return out
    }

    /// The summary `MatchPipeline.run` gives for all the lines at once: results are the ISRC-decided ones in order
    /// of their first line (the slots' and the general path's direct hits merged), then the general path's others.
    static func summary(slotLines: [Int], slotPlays: [Double], slotFirst: [Int], slotDecision: [Decision],
                        rest: (results: [GroupResult], groupOfLine: [Int32], summary: MatchSummary),
                        restRecord: (Int) -> Int, records: Int, started: ContinuousClock.Instant) -> MatchSummary {
        var s = MatchSummary()
        s.lines = records
        s.groups = slotLines.count + rest.results.count
        let fastLines = slotLines.reduce(0, +)
        s.isrcDirect = fastLines + rest.summary.isrcDirect
        s.directResults = slotLines.count + rest.summary.directResults
        s.reviewed = rest.summary.reviewed  // the slots are ISRC-decided
        s.retrieval = rest.summary.retrieval
        s.retrievalSeconds = rest.summary.retrievalSeconds
        s.scoringSeconds = rest.summary.scoringSeconds
        // Per decision (in `Decision.allCases` order), added in result order as `MatchPipeline.run` adds them;
        // moved into the summary's dictionaries at the end (a dictionary update per result costs more).
        var lines = [Int](repeating: 0, count: Decision.allCases.count)
        var plays = [Double](repeating: 0, count: Decision.allCases.count)
        var seen = [Bool](repeating: false, count: Decision.allCases.count)
        let slotOf: [Decision: Int] = Dictionary(uniqueKeysWithValues: Decision.allCases.enumerated().map { ($1, $0) })
        let auto = slotOf[.auto] ?? 0, review = slotOf[.review] ?? 0, none = slotOf[.none] ?? 0
        func add(_ decision: Decision, lines n: Int, plays p: Double, isrcLink: Bool) {
            let d = decision == .auto ? auto : decision == .review ? review : none
            lines[d] += n
            plays[d] += p
            seen[d] = true
            s.plays += p
            if isrcLink { s.isrcLinked += n }
        }
        // Slots are numbered in order of first appearance, as are the general path's direct results.
        let restDirect = rest.summary.directResults
        var a = 0, b = 0
        var restFirst: Int?
        while a < slotLines.count || b < restDirect {
            if b < restDirect && restFirst == nil { restFirst = restRecord(rest.results[b].group.lineIndices[0]) }
            if b >= restDirect || (a < slotLines.count && slotFirst[a] < restFirst ?? Int.max) {
                add(slotDecision[a], lines: slotLines[a], plays: slotPlays[a], isrcLink: true)
                a += 1
            } else {
                // Fields read in place (a GroupResult copy touches its group's ~50 reference-counted fields).
                add(rest.results[b].decision, lines: rest.results[b].group.lineIndices.count, plays: rest.results[b].group.plays,
                    isrcLink: rest.results[b].reason == "isrc-link")
                b += 1
                restFirst = nil
            }
        }
        for k in restDirect..<rest.results.count {
            add(rest.results[k].decision, lines: rest.results[k].group.lineIndices.count, plays: rest.results[k].group.plays,
                isrcLink: rest.results[k].reason == "isrc-link")
        }
        for (k, decision) in Decision.allCases.enumerated() where seen[k] {
            s.linesByDecision[decision] = lines[k]
            s.playsByDecision[decision] = plays[k]
        }
        let d = ContinuousClock.now - started
        s.seconds = Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
        return s
    }

    /// Row tails of the slots (rank 1, the linked work, the link's confidence, `isrc-link`), formatted from the
    /// index's bytes on all threads, in work order (the index keeps works in order: its pages are read in order)
    /// and once per work and confidence: slot `s`'s tail is `tails[ranges[2s]..<ranges[2s + 1]]`.
    func slotTails(works: [Int32], confidences: [Float], decisions: [Decision]) -> (tails: [UInt8], ranges: [Int]) {
        let index = pipeline.index
        let n = works.count
        // Slots by work, then slot (a counting sort).
        var start = [Int32](repeating: 0, count: index.workCount + 1)
        for w in works { start[Int(w) + 1] += 1 }
        for w in 0..<index.workCount { start[w + 1] += start[w] }
        var order = [Int32](repeating: 0, count: n)
        for s in 0..<n {
            let w = Int(works[s])
            order[Int(start[w])] = Int32(s)
            start[w] += 1
        }
        let parts = max(1, threads)
        let cuts = (0..<parts).map { (n * $0 / parts)..<(n * ($0 + 1) / parts) }
        var pieces = [(bytes: [UInt8], ranges: [Int])](repeating: ([], []), count: parts)
        pieces.withUnsafeMutableBufferPointer { pieces in
            parallelWorkers(parts) { w in
                var bytes: [UInt8] = []
                bytes.reserveCapacity(cuts[w].count * 72)
                // Per position in `order`: (start, end) in `bytes`.
                var ranges: [Int] = []
                ranges.reserveCapacity(2 * cuts[w].count)
                var previous = -1
                // The end of a tail is the same for every link of one confidence.
                var endConfidence: Float = .nan
                var endDecision = Decision.none
                var end: [UInt8] = []
                for k in cuts[w] {
                    let s = Int(order[k])
                    if previous >= 0 && works[previous] == works[s] && confidences[previous] == confidences[s] {
                        ranges.append(ranges[ranges.count - 2])
                        ranges.append(ranges[ranges.count - 2])
                        continue
                    }
                    let start = bytes.count
                    let work = index.summaryBytes(Int(works[s]))
                    ResultsTSVBuffer.appendTailHead(to: &bytes, rank: 1, workId: work.workId, iswc: work.iswc, workTitle: work.displayTitle)
                    if end.isEmpty || endConfidence != confidences[s] || endDecision != decisions[s] {
                        endConfidence = confidences[s]
                        endDecision = decisions[s]
                        end = ResultsTSVBuffer.tailEnd(confidence: Double(endConfidence), decision: endDecision, reason: "isrc-link")
                    }
                    bytes.append(contentsOf: end)
                    ranges.append(start)
                    ranges.append(bytes.count)
                    previous = s
                }
                pieces[w] = (bytes, ranges)
            }
        }
        var tails: [UInt8] = []
        tails.reserveCapacity(pieces.reduce(0) { $0 + $1.bytes.count })
        var ranges = [Int](repeating: 0, count: 2 * n)
        for (w, piece) in pieces.enumerated() {
            let base = tails.count
            tails.append(contentsOf: piece.bytes)
            for (j, k) in cuts[w].enumerated() {
                let s = Int(order[k])
                ranges[2 * s] = base + piece.ranges[2 * j]
                ranges[2 * s + 1] = base + piece.ranges[2 * j + 1]
            }
        }
        return (tails, ranges)
    }

    /// The results rows of records `range` of `part`, in order.
    static func format(part: KeyedUsagePart, range: Range<Int>, into out: inout ByteSink, tails: UnsafeRawBufferPointer,
                       tailRanges: UnsafeBufferPointer<Int>, lineIds: [String], groupOfLine: [Int32], restTails: UnsafeRawBufferPointer,
                       restRowEnds: [Int], restFirstRow: [Int]) {
        part.records.withUnsafeBufferPointer { records in
            part.ids.withUnsafeBytes { ids in
                part.idEnds.withUnsafeBufferPointer { idEnds in
                    for i in range {
                        let v = records[i]
                        if v < 0 {
                            let li = Int(-v) - 1
                            let id = tsvCell(lineIds[li])
                            let g = Int(groupOfLine[li])
                            for r in restFirstRow[g]..<restFirstRow[g + 1] {
                                out.append(id)
                                out.append(UnsafeRawBufferPointer(rebasing: restTails[restRowEnds[r]..<restRowEnds[r + 1]]))
                            }
                            continue
                        }
                        let lo = i == 0 ? 0 : idEnds[i - 1], hi = idEnds[i]
                        if lo == hi {
                            // No line id: the row number.
                            withDecimalDigits(part.firstRecord + i + 1) { out.append($0) }
                        } else {
                            let id = UnsafeRawBufferPointer(rebasing: ids[lo..<hi])
                            var plain = true
                            for c in id where c == 9 || c == 10 || c == 13 { plain = false }
                            if plain {
                                out.append(id)
                            } else {
                                out.append(tsvCell(String(decoding: id, as: UTF8.self)))
                            }
                        }
                        let s = Int(v)
                        out.append(UnsafeRawBufferPointer(rebasing: tails[tailRanges[2 * s]..<tailRanges[2 * s + 1]]))
                    }
                }
            }
        }
    }
}

/// Byte buffers shared by formatting threads and the writer: `take` waits until one is free.
final class SinkPool: @unchecked Sendable {
    private var free: [ByteSink]
    private let lock = NSLock()
    private let available: DispatchSemaphore
    init(_ sinks: [ByteSink]) {
        free = sinks
        available = DispatchSemaphore(value: sinks.count)
    }

    func take() -> ByteSink {
        available.wait()
        lock.lock()
        defer { lock.unlock() }
        return free.removeLast()
    }

    func put(_ sink: ByteSink) {
        lock.lock()
        free.append(sink)
        lock.unlock()
        available.signal()
    }

    /// Frees the buffers (all of them must have been put back).
    func freeAll() {
        lock.lock()
        defer { lock.unlock() }
        for s in free { s.free() }
        free = []
    }
}

/// A growable byte buffer for formatting output off the main thread (memcpy appends, no per-row allocation).
struct ByteSink {
    var base: UnsafeMutableRawPointer
    var count = 0
    var capacity: Int

    init(capacity: Int) {
        self.capacity = max(capacity, 64)
        base = .allocate(byteCount: self.capacity, alignment: 16)
    }

    @inline(__always)
    mutating func append(_ bytes: UnsafeRawBufferPointer) {
        let n = bytes.count
        guard n > 0, let src = bytes.baseAddress else { return }
        if count + n > capacity { grow(count + n) }
        (base + count).copyMemory(from: src, byteCount: n)
        count += n
    }

    mutating func append(_ text: String) {
        var t = text
        t.withUTF8 { append(UnsafeRawBufferPointer($0)) }
    }

    private mutating func grow(_ needed: Int) {
        var size = capacity * 2
        while size < needed { size *= 2 }
        let bigger = UnsafeMutableRawPointer.allocate(byteCount: size, alignment: 16)
        bigger.copyMemory(from: base, byteCount: count)
        base.deallocate()
        base = bigger
        capacity = size
    }

    func free() { base.deallocate() }
}
