import Foundation
import OeuvreCore

/// Feature rows for labelled (line, work) pairs given as indices into profile arrays — pairs mode of
/// `oeuvre train` / `oeuvre evaluate`, where no retrieval ran.
///
/// The candidate context is derived from the pairs of the same line: the retrieval score is the best
/// title trigram cosine, the rank and the gap to the next candidate are taken among that line's pairs,
/// `worksSharingTitle` counts the works (of `works`) carrying the matched title, and ISRC links are
/// the works' `isrcs`.
public enum PairFeatureBuilder {
    public struct Pair: Sendable, Hashable {
        public var line: Int
        public var work: Int
        public init(line: Int, work: Int) {
            self.line = line
            self.work = work
        }
    }

    /// Contexts for `pairs` (see the type's documentation).
    /// `linksFromWorks`: take ISRC links from the works' recordings (the labelled-pairs path); the
    /// matcher passes false and sets them from the index itself.
    /// `tiesShareRank`: pairs with equal title similarity share the best rank and the gap to the next lower
    /// score ("1224" ranking). Labelled pairs come in file order, which must not rank two namesakes apart;
    /// the matcher passes false: its pairs come in retrieval order, whose ranking score also weighs the
    /// artist, so the order among namesakes carries evidence (sharing ranks there cost 0.4 points of top-1
    /// on shs100k-val).
    public static func contexts(lines: [LineProfile], works: [WorkProfile], pairs: [Pair], linksFromWorks: Bool = true,
                                tiesShareRank: Bool = true) -> [CandidateContext] {
        let lp = PackedRecords(lines: lines), wp = PackedRecords(works: works)
        var out = lp.words.withUnsafeBufferPointer { lb in
            wp.words.withUnsafeBufferPointer { wb in
                contexts(lines: lp.offsets.map { PackedLine(lb.baseAddress! + $0) }, works: wp.offsets.map { PackedWork(wb.baseAddress! + $0) },
                         pairs: pairs, tiesShareRank: tiesShareRank)
            }
        }
        guard linksFromWorks else { return out }
        var isrcWorks: [String: [Int]] = [:]
        for w in works.indices {
            for isrc in works[w].isrcs where !(isrcWorks[isrc]?.contains(w) ?? false) { isrcWorks[isrc, default: []].append(w) }
        }
        for k in pairs.indices {
            let p = pairs[k]
            if let isrc = lines[p.line].isrc, let linked = isrcWorks[isrc] {
                out[k].isrcLinkedHere = linked.contains(p.work)
                out[k].isrcLinkedElsewhere = !out[k].isrcLinkedHere
            }
        }
        return out
    }

    /// Contexts of packed records (ISRC links left unset).
    static func contexts(lines: [PackedLine], works: [PackedWork], pairs: [Pair], tiesShareRank: Bool) -> [CandidateContext] {
        var scores = [Float](repeating: 0, count: pairs.count)
        var bestTitle = [Int](repeating: -1, count: pairs.count)
        for k in pairs.indices {
            let p = pairs[k]
            (scores[k], bestTitle[k]) = PairFeatureExtractor.bestTitle(line: lines[p.line], work: works[p.work])
        }
        return contexts(works: works, pairs: pairs, scores: scores, bestTitle: bestTitle, tiesShareRank: tiesShareRank)
    }

    /// Contexts from each pair's best title cosine and the index of that title (ISRC links left unset).
    static func contexts(works: [PackedWork], pairs: [Pair], scores: [Float], bestTitle: [Int], tiesShareRank: Bool) -> [CandidateContext] {
        // Works carrying each title text, counted over `works`.
        var counter = TitleCounter(expected: works.count * 2)
        for w in works { for t in w.titles { counter.add(t.text) } }
        let sharing = pairs.indices.map { k -> Int in
            guard bestTitle[k] >= 0 else { return -1 }
            var it = works[pairs[k].work].titles.makeIterator()
            for _ in 0..<bestTitle[k] { _ = it.next() }
            return it.next().map { counter.count($0.text) } ?? -1
        }
        return rankedContexts(pairs: pairs, scores: scores, sharing: sharing, tiesShareRank: tiesShareRank)
    }

    /// Per pair, how many catalogue works carry its best title (`counts` of the titles' whole-title keys; -1 for
    /// a work without titles). At least 1 for a title the catalogue has (the work itself); a reading of the work
    /// the index has no whole-title term for counts 0, read as 1 by `rankedContexts`.
    static func catalogueSharing(works: [PackedWork], pairs: [Pair], bestTitle: [Int], counts: ([UInt64]) -> [Int]) -> [Int] {
        let found = counts(pairs.indices.map { wholeTitleKey(works[pairs[$0].work], bestTitle[$0]) })
        return pairs.indices.map { bestTitle[$0] >= 0 ? found[$0] : -1 }
    }

    /// The whole-title key (`TermHash.wholeTitle`) of title `title` of `work`; 0 for none.
    @inline(__always)
    static func wholeTitleKey(_ work: PackedWork, _ title: Int) -> UInt64 {
        guard title >= 0 else { return 0 }
        var it = work.titles.makeIterator()
        for _ in 0..<title { _ = it.next() }
        return it.next().map { TermHash.wholeTitle($0.text) } ?? 0
    }

    /// Contexts from each pair's retrieval score and the number of works sharing its best title (-1 when
    /// the work has no title): rank and gap among the pairs of the same line (stable, by score; see
    /// `tiesShareRank` at `contexts`).
    static func rankedContexts(pairs: [Pair], scores: [Float], sharing: [Int], tiesShareRank: Bool) -> [CandidateContext] {
        var sorted = true
        for k in pairs.indices.dropFirst() where pairs[k].line < pairs[k - 1].line { sorted = false; break }
        let order = sorted ? Array(pairs.indices)
            : pairs.indices.sorted { pairs[$0].line != pairs[$1].line ? pairs[$0].line < pairs[$1].line : $0 < $1 }
        var out = [CandidateContext](repeating: CandidateContext(), count: pairs.count)
        var ranked: [Int] = []
        var start = 0
        while start < order.count {
            var end = start
            while end < order.count && pairs[order[end]].line == pairs[order[start]].line { end += 1 }
            ranked.removeAll(keepingCapacity: true)
            ranked.append(contentsOf: order[start..<end])
            ranked.sort { scores[$0] != scores[$1] ? scores[$0] > scores[$1] : $0 < $1 }
            var tieRank = 1
            var nextLower = 0
            for (r, k) in ranked.enumerated() {
                if !tiesShareRank || r == 0 || scores[k] != scores[ranked[r - 1]] { tieRank = r + 1 }
                if nextLower <= r {
                    nextLower = r + 1
                    while tiesShareRank && nextLower < ranked.count && scores[ranked[nextLower]] == scores[k] { nextLower += 1 }
                }
                var c = CandidateContext()
                c.retrievalScore = scores[k]
                c.rank = tieRank
                c.gapToNext = nextLower < ranked.count ? scores[k] - scores[ranked[nextLower]] : scores[k]
                if sharing[k] >= 0 { c.worksSharingTitle = max(1, sharing[k]) }
                out[k] = c
            }
            start = end
        }
        return out
    }

    /// Feature rows of packed records with their contexts derived from the pairs (as `contexts` does), in
    /// one pass: each pair's best title is found while its features are computed (and a work's titles are
    /// counted while its record is in cache), then the context columns are written. `linked(k)`: the ISRC
    /// flags of pair `k`'s context.
    ///
    /// `catalogueTitleCounts`: the matcher's count of the catalogue's works carrying each whole-title key
    /// (`MatchIndex.titleCounts`), so that a pair's features depend on the line and the catalogue only, never on
    /// which other recordings share its batch. Without it (labelled pairs) the works of `works` are counted.
    static func featuresWithContexts(lines: [PackedLine], works: [PackedWork], pairs: [Pair], threads: Int = 1, tiesShareRank: Bool,
                                     catalogueTitleCounts: (([UInt64]) -> [Int])? = nil,
                                     linked: (Int) -> (here: Bool, elsewhere: Bool)) -> [Float] {
        let d = PairFeatureExtractor.count
        let n = pairs.count
        var out = [Float](repeating: 0, count: n * d)
        var scores = [Float](repeating: 0, count: n)
        var bestTitle = [Int](repeating: -1, count: n)
        let flags = (0..<n).map { linked($0) }
        var contexts: [CandidateContext] = []
        out.withUnsafeMutableBufferPointer { buffer in
            nonisolated(unsafe) let base = buffer.baseAddress!
            if threads <= 1 || n < 2048 {
                var extractor = PairFeatureExtractor()
                var counter = TitleCounter(expected: works.count * 2)
                var firstEntry = [Int32](repeating: -1, count: works.count)
                var entries: [Int32] = []
                var sharing = [Int](repeating: -1, count: n)
                var titleKeys = [UInt64](repeating: 0, count: catalogueTitleCounts == nil ? 0 : n)
                func countTitles(_ w: Int) {
                    firstEntry[w] = Int32(entries.count)
                    for t in works[w].titles { entries.append(counter.add(t.text)) }
                }
                // The next pairs' work records are prefetched while one pair is computed (`PackedWork.prefetch`).
                let ahead = 2
                for k in 0..<min(ahead, n) { works[pairs[k].work].prefetch() }
                for k in 0..<n {
                    if k + ahead < n { works[pairs[k + ahead].work].prefetch() }
                    let context = CandidateContext(isrcLinkedHere: flags[k].here, isrcLinkedElsewhere: flags[k].elsewhere)
                    let w = pairs[k].work
                    (scores[k], bestTitle[k]) = extractor.compute(line: lines[pairs[k].line], work: works[w], context: context, into: base + k * d)
                    if catalogueTitleCounts != nil {
                        titleKeys[k] = Self.wholeTitleKey(works[w], bestTitle[k])  // while the record is in cache
                    } else if firstEntry[w] < 0 {
                        countTitles(w)
                    }
                }
                if let catalogueTitleCounts {
                    let found = catalogueTitleCounts(titleKeys)
                    for k in 0..<n { sharing[k] = bestTitle[k] >= 0 ? found[k] : -1 }
                } else {
                    for w in works.indices where firstEntry[w] < 0 { countTitles(w) }
                    for k in 0..<n where bestTitle[k] >= 0 {
                        sharing[k] = Int(counter.counts[Int(entries[Int(firstEntry[pairs[k].work]) + bestTitle[k]])])
                    }
                }
                contexts = Self.rankedContexts(pairs: pairs, scores: scores, sharing: sharing, tiesShareRank: tiesShareRank)
            } else {
                scores.withUnsafeMutableBufferPointer { sb in
                    bestTitle.withUnsafeMutableBufferPointer { bb in
                        nonisolated(unsafe) let s = sb.baseAddress!, b = bb.baseAddress!
                        nonisolated(unsafe) let l = lines, w = works
                        let chunks = max(1, min(threads, n / 1024 + 1))
                        parallelWorkers(chunks) { c in
                            var extractor = PairFeatureExtractor()
                            for k in (n * c / chunks)..<(n * (c + 1) / chunks) {
                                let context = CandidateContext(isrcLinkedHere: flags[k].here, isrcLinkedElsewhere: flags[k].elsewhere)
                                (s[k], b[k]) = extractor.compute(line: l[pairs[k].line], work: w[pairs[k].work], context: context, into: base + k * d)
                            }
                        }
                    }
                }
                if let catalogueTitleCounts {
                    let sharing = Self.catalogueSharing(works: works, pairs: pairs, bestTitle: bestTitle, counts: catalogueTitleCounts)
                    contexts = Self.rankedContexts(pairs: pairs, scores: scores, sharing: sharing, tiesShareRank: tiesShareRank)
                } else {
                    contexts = Self.contexts(works: works, pairs: pairs, scores: scores, bestTitle: bestTitle, tiesShareRank: tiesShareRank)
                }
            }
            for k in pairs.indices { PairFeatureExtractor.writeContext(contexts[k], into: base + k * d) }
        }
        return out
    }

    /// Feature rows (row-major, `FeatureSchema.current.count` columns) for `pairs`, computed on up to
    /// `threads` threads.
    public static func features(lines: [LineProfile], works: [WorkProfile], pairs: [Pair], contexts: [CandidateContext],
                                threads: Int = ProcessInfo.processInfo.activeProcessorCount) -> [Float] {
        let lp = PackedRecords(lines: lines), wp = PackedRecords(works: works)
        return lp.words.withUnsafeBufferPointer { lb in
            wp.words.withUnsafeBufferPointer { wb in
                features(lines: lp.offsets.map { PackedLine(lb.baseAddress! + $0) }, works: wp.offsets.map { PackedWork(wb.baseAddress! + $0) },
                         pairs: pairs, contexts: contexts, threads: threads)
            }
        }
    }

    /// Feature rows of packed records.
    static func features(lines: [PackedLine], works: [PackedWork], pairs: [Pair], contexts: [CandidateContext], threads: Int) -> [Float] {
        let d = PairFeatureExtractor.count
        var out = [Float](repeating: 0, count: pairs.count * d)
        let n = pairs.count
        guard n > 0 else { return out }
        let chunks = max(1, min(threads, n / 1024 + 1))
        out.withUnsafeMutableBufferPointer { buffer in
            nonisolated(unsafe) let base = buffer.baseAddress!
            nonisolated(unsafe) let l = lines, w = works
            parallelWorkers(chunks) { c in
                var extractor = PairFeatureExtractor()
                let lo = n * c / chunks, hi = n * (c + 1) / chunks
                for k in lo..<hi {
                    extractor.compute(line: l[pairs[k].line], work: w[pairs[k].work], context: contexts[k], into: base + k * d)
                }
            }
        }
        return out
    }
}

/// Counts texts (byte for byte) without building Strings: open addressing on a 64-bit hash, texts
/// compared on a hash match. Each distinct text gets an entry id (stable while the table grows).
struct TitleCounter {
    private var table: [Int32]          // entry id + 1; 0 = empty
    private var hashes: [UInt64] = []
    private var texts: [PackedText] = []
    private(set) var counts: [Int32] = []

    init(expected: Int) {
        var c = 64
        while c < expected * 2 { c <<= 1 }
        table = [Int32](repeating: 0, count: c)
    }

    @inline(__always)
    private static func hash(_ t: PackedText) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in t { h = (h ^ UInt64(b)) &* 0x0000_0100_0000_01b3 }
        return TermHash.mix(h)
    }

    /// Counts `t` once more; returns its entry id.
    @discardableResult
    mutating func add(_ t: PackedText) -> Int32 {
        if (counts.count + 1) * 2 > table.count { grow() }
        let h = Self.hash(t)
        let mask = table.count - 1
        var i = Int(truncatingIfNeeded: h) & mask
        while true {
            let e = Int(table[i]) - 1
            if e < 0 {
                let id = Int32(counts.count)
                table[i] = id + 1
                hashes.append(h)
                texts.append(t)
                counts.append(1)
                return id
            }
            if hashes[e] == h && packedTextEqual(texts[e], t) {
                counts[e] += 1
                return Int32(e)
            }
            i = (i + 1) & mask
        }
    }

    /// How many times `t` was added.
    func count(_ t: PackedText) -> Int {
        let h = Self.hash(t)
        let mask = table.count - 1
        var i = Int(truncatingIfNeeded: h) & mask
        while true {
            let e = Int(table[i]) - 1
            if e < 0 { return 0 }
            if hashes[e] == h && packedTextEqual(texts[e], t) { return Int(counts[e]) }
            i = (i + 1) & mask
        }
    }

    private mutating func grow() {
        table = [Int32](repeating: 0, count: table.count * 2)
        let mask = table.count - 1
        for e in hashes.indices {
            var i = Int(truncatingIfNeeded: hashes[e]) & mask
            while table[i] != 0 { i = (i + 1) & mask }
            table[i] = Int32(e + 1)
        }
    }
}
