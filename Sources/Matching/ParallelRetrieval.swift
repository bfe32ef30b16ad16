import Foundation
import OeuvreCore

/// Profiles and candidates for many recordings on several threads. Each worker owns its
/// `ProfileBuilder` (ICU) and `Retriever` (scratch); the index is shared read-only.
public enum ParallelRetrieval {
    public struct Result: Sendable {
        public var profiles: [LineProfile]
        public var candidates: [[RetrievedCandidate]]
        public var stats: RetrievalStats
        /// CPU seconds spent building line profiles (all threads).
        public var profileSeconds: Double
    }

    /// Candidates for profiles already built (e.g. by `RecordingGrouper`), in input order.
    public static func run(profiles: [LineProfile], index: MatchIndex, options: RetrievalOptions, threads: Int)
        -> (candidates: [[RetrievedCandidate]], stats: RetrievalStats)
    {
        let n = profiles.count
        let threads = max(1, threads)
        BLAS.setThreads(1)
        let queries = profiles.map(RetrievalQuery.init)
        let order = (0..<n).sorted { (queries[$0].titles.first ?? "", $0) < (queries[$1].titles.first ?? "", $1) }
        let blocks = chunkRanges(n, parts: max(1, n / 256))
        let results = ResultSlots<[[RetrievedCandidate]]>(count: blocks.count)
        let statSlots = ResultSlots<RetrievalStats>(count: threads)
        let counter = AtomicCounter()
        parallelWorkers(threads) { worker in
            let retriever = Retriever(index: index, options: options)
            var batch = RetrievalBatch()
            while true {
                let b = counter.next()
                if b >= blocks.count { break }
                let qs = blocks[b].map { queries[order[$0]] }
                retriever.retrieve(qs, into: &batch)
                results.set(b, (0..<qs.count).map { Array(batch[$0]) })
            }
            statSlots.set(worker, retriever.stats)
        }
        var candidates = [[RetrievedCandidate]](repeating: [], count: n)
        for (b, range) in blocks.enumerated() {
            let r = results[b]
            for (k, i) in range.enumerated() { candidates[order[i]] = r[k] }
        }
        var stats = RetrievalStats()
        for w in 0..<threads { if let s = statSlots.get(w) { stats.add(s) } }
        return (candidates, stats)
    }

    /// Candidates for profiles on the calling thread with a caller-owned `retriever` (its scratch is
    /// reused across calls; its stats are reset). Same candidates as `run(profiles:index:options:threads:)`.
    public static func run(profiles: [LineProfile], retriever: Retriever) -> (candidates: [[RetrievedCandidate]], stats: RetrievalStats) {
        run(queries: profiles.map(RetrievalQuery.init), retriever: retriever)
    }

    /// `run(profiles:retriever:)` for queries already built (`RetrievalQuery(profile)`).
    public static func run(queries: [RetrievalQuery], retriever: Retriever) -> (candidates: [[RetrievedCandidate]], stats: RetrievalStats) {
        let n = queries.count
        retriever.resetStats()
        let order = (0..<n).sorted { (queries[$0].titles.first ?? "", $0) < (queries[$1].titles.first ?? "", $1) }
        var candidates = [[RetrievedCandidate]](repeating: [], count: n)
        var batch = RetrievalBatch()
        for range in chunkRanges(n, parts: max(1, n / 256)) {
            retriever.retrieve(range.map { queries[order[$0]] }, into: &batch)
            for (k, i) in range.enumerated() { candidates[order[i]] = Array(batch[k]) }
        }
        return (candidates, retriever.stats)
    }

    /// Candidates for each line (in input order). Lines are processed in order of their normalized
    /// title so that a dense batch often shares candidates (a report repeats titles).
    public static func run(lines: [UsageLine], index: MatchIndex, options: RetrievalOptions, threads: Int) -> Result {
        let n = lines.count
        let threads = max(1, threads)
        // The dense products are small: OpenBLAS's own threads would only contend with ours.
        BLAS.setThreads(1)
        let profiles = ResultSlots<[LineProfile]>(count: 1)
        let cpu = ResultSlots<Double>(count: threads)
        do {
            let chunks = chunkRanges(n, parts: threads * 4)
            let parts = ResultSlots<[LineProfile]>(count: chunks.count)
            let counter = AtomicCounter()
            parallelWorkers(threads) { w in
                let c0 = threadCPUTime()
                let builder = ProfileBuilder()
                while true {
                    let c = counter.next()
                    if c >= chunks.count { break }
                    parts.set(c, chunks[c].map { builder.line(lines[$0]) })
                }
                cpu.set(w, threadCPUTime() - c0)
            }
            var all: [LineProfile] = []
            all.reserveCapacity(n)
            for c in 0..<chunks.count { all.append(contentsOf: parts[c]) }
            profiles.set(0, all)
        }
        let profileSeconds = (0..<threads).reduce(0.0) { $0 + (cpu.get($1) ?? 0) }
        let all = n > 0 ? profiles[0] : []
        let (candidates, stats) = run(profiles: all, index: index, options: options, threads: threads)
        return Result(profiles: all, candidates: candidates, stats: stats, profileSeconds: profileSeconds)
    }
}
