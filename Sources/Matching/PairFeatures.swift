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
        // Works carrying each title text, counted over `works`.
        var counter = TitleCounter(expected: works.count * 2)
        for w in works { for t in w.titles { counter.add(t.text) } }
        var scores = [Float](repeating: 0, count: pairs.count)
        var bestTitle = [Int](repeating: -1, count: pairs.count)
        for k in pairs.indices {
            let p = pairs[k]
            (scores[k], bestTitle[k]) = PairFeatureExtractor.bestTitle(line: lines[p.line], work: works[p.work])
        }
        // Pairs grouped by line (stable), each group ranked by score.
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
                if bestTitle[k] >= 0 {
                    var it = works[p.work].titles.makeIterator()
                    for _ in 0..<bestTitle[k] { _ = it.next() }
                    if let t = it.next() { c.worksSharingTitle = max(1, counter.count(t.text)) }
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
/// compared on a hash match.
struct TitleCounter {
    private var hashes: [UInt64]
    private var texts: [PackedText?]
    private var counts: [Int32]
    private var used = 0

    init(expected: Int) {
        var c = 64
        while c < expected * 2 { c <<= 1 }
        hashes = [UInt64](repeating: 0, count: c)
        texts = [PackedText?](repeating: nil, count: c)
        counts = [Int32](repeating: 0, count: c)
    }

    @inline(__always)
    private static func hash(_ t: PackedText) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in t { h = (h ^ UInt64(b)) &* 0x0000_0100_0000_01b3 }
        return TermHash.mix(h)
    }

    private func slot(_ t: PackedText, _ h: UInt64) -> Int {
        let mask = hashes.count - 1
        var i = Int(truncatingIfNeeded: h) & mask
        while true {
            if counts[i] == 0 { return i }
            if hashes[i] == h, let x = texts[i], packedTextEqual(x, t) { return i }
            i = (i + 1) & mask
        }
    }

    mutating func add(_ t: PackedText) {
        if (used + 1) * 2 > hashes.count { grow() }
        let h = Self.hash(t)
        let i = slot(t, h)
        if counts[i] == 0 {
            hashes[i] = h
            texts[i] = t
            used += 1
        }
        counts[i] += 1
    }

    func count(_ t: PackedText) -> Int { Int(counts[slot(t, Self.hash(t))]) }

    private mutating func grow() {
        let old = (hashes, texts, counts)
        let c = hashes.count * 2
        hashes = [UInt64](repeating: 0, count: c)
        texts = [PackedText?](repeating: nil, count: c)
        counts = [Int32](repeating: 0, count: c)
        for i in old.0.indices where old.2[i] > 0 {
            let j = slot(old.1[i]!, old.0[i])
            hashes[j] = old.0[i]
            texts[j] = old.1[i]
            counts[j] = old.2[i]
        }
    }
}
