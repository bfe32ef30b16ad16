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
    public static func contexts(lines: [LineProfile], works: [WorkProfile], pairs: [Pair]) -> [CandidateContext] {
        var titleCount: [String: Int] = [:]
        for w in works { for t in w.titles { titleCount[t, default: 0] += 1 } }
        var isrcWorks: [String: [Int]] = [:]
        for (i, w) in works.enumerated() { for isrc in w.isrcs where !(isrcWorks[isrc]?.contains(i) ?? false) { isrcWorks[isrc, default: []].append(i) } }

        var byLine: [Int: [Int]] = [:]
        for (k, p) in pairs.enumerated() { byLine[p.line, default: []].append(k) }
        var scores = [Float](repeating: 0, count: pairs.count)
        for (k, p) in pairs.enumerated() { scores[k] = PairFeatureExtractor.titleSimilarity(line: lines[p.line], work: works[p.work]) }

        var out = [CandidateContext](repeating: CandidateContext(), count: pairs.count)
        for (_, ks) in byLine {
            let ranked = ks.sorted { scores[$0] != scores[$1] ? scores[$0] > scores[$1] : $0 < $1 }
            for (r, k) in ranked.enumerated() {
                let p = pairs[k]
                let line = lines[p.line], work = works[p.work]
                var c = CandidateContext()
                c.retrievalScore = scores[k]
                c.rank = r + 1
                c.gapToNext = r + 1 < ranked.count ? scores[k] - scores[ranked[r + 1]] : scores[k]
                if let t = PairFeatureExtractor.bestTitleIndex(line: line, work: work) {
                    c.worksSharingTitle = max(1, titleCount[work.titles[t]] ?? 1)
                }
                if let isrc = line.isrc, let linked = isrcWorks[isrc] {
                    c.isrcLinkedHere = linked.contains(p.work)
                    c.isrcLinkedElsewhere = !c.isrcLinkedHere
                }
                out[k] = c
            }
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
        out.withUnsafeMutableBufferPointer { buffer in
            nonisolated(unsafe) let base = buffer.baseAddress!
            DispatchQueue.concurrentPerform(iterations: chunks) { c in
                var extractor = PairFeatureExtractor()
                let lo = n * c / chunks, hi = n * (c + 1) / chunks
                for k in lo..<hi {
                    extractor.compute(line: lines[pairs[k].line], work: works[pairs[k].work], context: contexts[k], into: base + k * d)
                }
            }
        }
        return out
    }
}
