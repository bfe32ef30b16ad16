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
        var titleCount: [String: Int] = [:]
        for w in works.indices { for t in works[w].titles { titleCount[t, default: 0] += 1 } }
        // Works carrying each title of each work, resolved once (not per pair).
        let sharing: [[Int]] = works.indices.map { w in works[w].titles.map { titleCount[$0] ?? 1 } }
        var isrcWorks: [String: [Int]] = [:]
        for w in works.indices where linksFromWorks {
            for isrc in works[w].isrcs where !(isrcWorks[isrc]?.contains(w) ?? false) { isrcWorks[isrc, default: []].append(w) }
        }

        var scores = [Float](repeating: 0, count: pairs.count)
        var bestTitle = [Int](repeating: -1, count: pairs.count)
        lines.withUnsafeBufferPointer { lp in
            works.withUnsafeBufferPointer { wp in
                for k in pairs.indices {
                    let p = pairs[k]
                    let l = lp.baseAddress! + p.line, w = wp.baseAddress! + p.work
                    scores[k] = PairFeatureExtractor.titleSimilarity(line: l, work: w)
                    bestTitle[k] = PairFeatureExtractor.bestTitleIndex(line: l, work: w) ?? -1
                }
            }
        }
        // Pairs grouped by line (stable), each group ranked by score.
        let order = pairs.indices.sorted { pairs[$0].line != pairs[$1].line ? pairs[$0].line < pairs[$1].line : $0 < $1 }
        var out = [CandidateContext](repeating: CandidateContext(), count: pairs.count)
        var start = 0
        while start < order.count {
            var end = start
            while end < order.count && pairs[order[end]].line == pairs[order[start]].line { end += 1 }
            let ranked = order[start..<end].sorted { scores[$0] != scores[$1] ? scores[$0] > scores[$1] : $0 < $1 }
            var tieRank = 1
            var nextLower = 0
            for (r, k) in ranked.enumerated() {
                let p = pairs[k]
                if !tiesShareRank || r == 0 || scores[k] != scores[ranked[r - 1]] { tieRank = r + 1 }
                if nextLower <= r {
                    nextLower = r + 1
                    while tiesShareRank && nextLower < ranked.count && scores[ranked[nextLower]] == scores[k] { nextLower += 1 }
                }
                var c = CandidateContext()
                c.retrievalScore = scores[k]
                c.rank = tieRank
                c.gapToNext = nextLower < ranked.count ? scores[k] - scores[ranked[nextLower]] : scores[k]
                if bestTitle[k] >= 0 { c.worksSharingTitle = max(1, sharing[p.work][bestTitle[k]]) }
                if let isrc = lines[p.line].isrc, let linked = isrcWorks[isrc] {
                    c.isrcLinkedHere = linked.contains(p.work)
                    c.isrcLinkedElsewhere = !c.isrcLinkedHere
                }
                out[k] = c
            }
            start = end
        }
        return out
    }

    /// Feature rows (row-major, `FeatureSchema.current.count` columns) for `pairs`, computed on up to
    /// `threads` threads.
    public static func features(lines: [LineProfile], works: [WorkProfile], pairs: [Pair], contexts: [CandidateContext],
                                threads: Int = ProcessInfo.processInfo.activeProcessorCount) -> [Float] {
        let d = PairFeatureExtractor.count
        var out = [Float](repeating: 0, count: pairs.count * d)
        let n = pairs.count
        guard n > 0 else { return out }
        let chunks = max(1, min(threads, n / 1024 + 1))
        lines.withUnsafeBufferPointer { lp in
            works.withUnsafeBufferPointer { wp in
                out.withUnsafeMutableBufferPointer { buffer in
                    // Profiles are read in place through the buffers (no struct copies, no refcount traffic).
                    nonisolated(unsafe) let base = buffer.baseAddress!
                    nonisolated(unsafe) let l = lp, w = wp
                    parallelWorkers(chunks) { c in
                        var extractor = PairFeatureExtractor()
                        let lo = n * c / chunks, hi = n * (c + 1) / chunks
                        for k in lo..<hi {
                            extractor.compute(line: l.baseAddress! + pairs[k].line, work: w.baseAddress! + pairs[k].work, context: contexts[k],
                                             into: base + k * d)
                        }
                    }
                }
            }
        }
        return out
    }
}
