import Foundation
import OeuvreCore

/// Knobs of candidate retrieval. Defaults are tuned on real cover/version data (see docs/MATCHING.md).
public struct RetrievalOptions: Sendable, Hashable {
    /// Candidates per recording handed to the scorer.
    public var topN = 50
    /// Works kept from the sparse (postings) phase for dense re-ranking.
    public var pool = 100
    /// Extra works reached by the artist alone (no title overlap), e.g. a translated title by the
    /// work's own performer.
    public var artistOnly = 10
    /// Minimum artist similarity for an artist-only candidate.
    public var artistOnlyMin: Float = 0.6
    /// Weight of artist similarity when choosing the sparse pool.
    public var poolArtistWeight: Float = 0.3
    /// Final retrieval score = dense title cosine + artistWeight · artist similarity + sparseWeight · sparse cosine.
    public var artistWeight: Float = 0.2
    public var sparseWeight: Float = 1.0
    /// Postings read per title reading, rarest terms first (sublinear cost at any catalogue size).
    public var postingBudget = 6000
    /// Every term of a reading reads at least this many of its postings (its highest-impact titles).
    public var minPostingsPerTerm = 128
    /// Postings read for all the artist names of a recording, rarest terms first.
    public var artistPostingBudget = 3000
    /// Every artist term reads at least this many of its postings.
    public var minArtistPostingsPerTerm = 32
    /// Most title readings per recording (title, bracket variants, medley parts).
    public var maxQueryTitles = 6
    /// Titles of a pooled work compared densely (original first).
    public var titlesPerWork = 8
    /// A dense batch closes when its gathered candidate block reaches this many title vectors…
    public var maxBlockRows = 2048
    /// …or holds this many recordings.
    public var maxBatch = 32

    public init() {}
}

/// What retrieval looks for: the title readings and the artist names of one recording.
public struct RetrievalQuery: Sendable, Hashable {
    /// Normalized titles; the first is the main title.
    public var titles: [String]
    /// Normalized artist names (display artists, featured, original performers).
    public var artists: [String]

    public init(titles: [String], artists: [String]) {
        self.titles = titles
        self.artists = artists
    }

    public init(_ p: LineProfile) {
        var t: [String] = []
        for s in [p.title] + p.titleVariants + p.medleyParts where !s.isEmpty && !t.contains(s) { t.append(s) }
        var a = p.artists
        for s in p.originalArtists + p.writers where !a.contains(s) { a.append(s) }
        self.init(titles: t, artists: a)
    }
}

/// One candidate work for a recording.
public struct RetrievedCandidate: Sendable, Hashable {
    /// Work ordinal in the index.
    public var work: Int32
    /// The work's title that matched best (title ordinal).
    public var title: Int32
    /// Ranking score: dense + artistWeight·artist + sparseWeight·sparse.
    public var score: Float
    /// Best hashed-vector cosine between a title reading and the work's titles.
    public var dense: Float
    /// IDF cosine over the capped postings (0 when the work came in by artist alone).
    public var sparse: Float
    /// Artist ↔ performer/writer similarity, 0…1.
    public var artist: Float

    public init(work: Int32, title: Int32, score: Float, dense: Float, sparse: Float, artist: Float) {
        self.work = work
        self.title = title
        self.score = score
        self.dense = dense
        self.sparse = sparse
        self.artist = artist
    }
}

/// Candidates of a batch of recordings, flat: `candidates[ranges[i]]` belong to query `i`, best first.
public struct RetrievalBatch: Sendable {
    public var candidates: [RetrievedCandidate] = []
    public var ranges: [Range<Int>] = []
    public init() {}
    public subscript(i: Int) -> ArraySlice<RetrievedCandidate> { candidates[ranges[i]] }
}

/// Counters for benchmarks.
public struct RetrievalStats: Sendable {
    public var queries = 0
    public var postingsScanned = 0
    public var gemmCalls = 0
    public var gemmFlops: Double = 0
    public var gemmSeconds: Double = 0
    /// Thread CPU seconds in the sparse phase (postings, pools, gathering) and the dense phase.
    public var sparseSeconds: Double = 0
    public var denseSeconds: Double = 0
    public init() {}
    public mutating func add(_ o: RetrievalStats) {
        queries += o.queries
        postingsScanned += o.postingsScanned
        gemmCalls += o.gemmCalls
        gemmFlops += o.gemmFlops
        gemmSeconds += o.gemmSeconds
        sparseSeconds += o.sparseSeconds
        denseSeconds += o.denseSeconds
    }
}

/// Candidate retrieval over a `MatchIndex`: IDF-weighted overlap on capped postings picks a bounded
/// pool of works (sublinear: only the postings of the query's terms are read), then the pool is
/// re-ranked densely — the hashed vectors of all pooled titles of a batch of recordings are gathered
/// into one block and scored against the batch's query vectors with one sgemm.
///
/// Owns large scratch buffers (a few bytes per title and work, allocated once) and is not
/// thread-safe: one per task. The hot loops work on raw buffers: no allocation, no exclusivity checks.
public final class Retriever {
    public let index: MatchIndex
    public var options: RetrievalOptions
    public private(set) var stats = RetrievalStats()

    private let dim: Int
    // Per-title and per-work scratch (allocated once, zero between queries).
    private let titleAcc: UnsafeMutablePointer<Float>
    private let touched: UnsafeMutablePointer<UInt32>
    private let artistAcc: UnsafeMutablePointer<Float>
    private let artistTouched: UnsafeMutablePointer<UInt32>
    private var artistTouchedCount = 0
    private let artistStrong: UnsafeMutablePointer<UInt32>
    private var artistStrongCount = 0
    private let poolStamp: UnsafeMutablePointer<UInt32>
    private let poolEntryOfWork: UnsafeMutablePointer<Int32>
    private var stamp: UInt32 = 0
    private let titleSlot: UnsafeMutablePointer<Int32>
    private let select: UnsafeMutablePointer<UInt64>
    private let selectCapacity: Int
    private var extractor = TermExtractor()
    private var terms: [UInt64] = []
    private var weights: [Float] = []
    private var termOrder: [UInt64] = []
    private var newKeys: [UInt64] = []
    private var keepFlags: [Bool] = []
    private var artistTermBuf: [UInt64] = []

    // Batch state (small, reused).
    private var rows: [Float] = []            // query vectors, one row per title reading
    private var rowCount = 0
    private var queryRowStart: [Int] = []
    private var queryEntryStart: [Int] = []
    private var entryWork: [UInt32] = []
    private var entrySparse: [Float] = []
    private var entryArtist: [Float] = []
    private var entrySlotStart: [Int] = []
    private var entrySlots: [Int32] = []
    private var gathered: [UInt32] = []
    private var block: [Float] = []
    private var sims: [Float] = []
    private var scratch: [RetrievedCandidate] = []
    private var rankKeys: [UInt64] = []

    public init(index: MatchIndex, options: RetrievalOptions = RetrievalOptions()) {
        self.index = index
        self.options = options
        dim = index.dim
        let titles = max(1, index.titleCount), works = max(1, index.workCount)
        titleAcc = .allocate(capacity: titles)
        titleAcc.initialize(repeating: 0, count: titles)
        touched = .allocate(capacity: titles)
        artistAcc = .allocate(capacity: works)
        artistAcc.initialize(repeating: 0, count: works)
        artistTouched = .allocate(capacity: works)
        artistStrong = .allocate(capacity: works)
        poolStamp = .allocate(capacity: works)
        poolStamp.initialize(repeating: 0, count: works)
        poolEntryOfWork = .allocate(capacity: works)
        poolEntryOfWork.initialize(repeating: -1, count: works)
        titleSlot = .allocate(capacity: titles)
        titleSlot.initialize(repeating: -1, count: titles)
        selectCapacity = max(titles, works)
        select = .allocate(capacity: selectCapacity)
    }

    deinit {
        titleAcc.deallocate()
        touched.deallocate()
        artistAcc.deallocate()
        artistTouched.deallocate()
        artistStrong.deallocate()
        poolStamp.deallocate()
        poolEntryOfWork.deallocate()
        titleSlot.deallocate()
        select.deallocate()
    }

    public func resetStats() { stats = RetrievalStats() }

    /// Retrieves candidates for every query; `out` is overwritten (its storage is reused).
    public func retrieve(_ queries: [RetrievalQuery], into out: inout RetrievalBatch) {
        out.candidates.removeAll(keepingCapacity: true)
        out.ranges.removeAll(keepingCapacity: true)
        var i = 0
        while i < queries.count {
            beginBatch()
            var n = 0
            // Add recordings until the gathered block is full (at least one per batch).
            while i + n < queries.count && n < options.maxBatch {
                addQuery(queries[i + n])
                n += 1
                if gathered.count >= options.maxBlockRows { break }
            }
            finishBatch(count: n, into: &out)
            i += n
        }
        stats.queries += queries.count
    }

    /// Convenience for tests and tools: candidates of one query.
    public func retrieve(_ query: RetrievalQuery) -> [RetrievedCandidate] {
        var out = RetrievalBatch()
        retrieve([query], into: &out)
        return Array(out[0])
    }

    // MARK: - Sparse phase

    private func beginBatch() {
        rowCount = 0
        queryRowStart.removeAll(keepingCapacity: true)
        queryEntryStart.removeAll(keepingCapacity: true)
        entryWork.removeAll(keepingCapacity: true)
        entrySparse.removeAll(keepingCapacity: true)
        entryArtist.removeAll(keepingCapacity: true)
        entrySlotStart.removeAll(keepingCapacity: true)
        entrySlots.removeAll(keepingCapacity: true)
        gathered.removeAll(keepingCapacity: true)
    }

    private func addQuery(_ q: RetrievalQuery) {
        let t0 = threadCPUTime()
        stamp &+= 1
        if stamp == 0 {  // wrapped: clear the marks
            poolStamp.update(repeating: 0, count: max(1, index.workCount))
            stamp = 1
        }
        queryRowStart.append(rowCount)
        let firstEntry = entryWork.count
        queryEntryStart.append(firstEntry)
        artistPass(q.artists)
        for title in q.titles.prefix(options.maxQueryTitles) {
            titlePass(title)
        }
        artistOnlyCandidates()
        // Artist similarity of every pooled work, then clear the artist accumulator.
        for e in firstEntry..<entryWork.count {
            entryArtist.append(min(1, artistAcc[Int(entryWork[e])]))
        }
        for k in 0..<artistTouchedCount { artistAcc[Int(artistTouched[k])] = 0 }
        artistTouchedCount = 0
        // Gather the pooled works' title vectors into the batch block (each title once per batch).
        let perWork = options.titlesPerWork
        for e in firstEntry..<entryWork.count {
            entrySlotStart.append(entrySlots.count)
            let titles = index.titles(ofWork: Int(entryWork[e]))
            for t in titles.prefix(perWork) {
                var s = titleSlot[t]
                if s < 0 {
                    s = Int32(gathered.count)
                    titleSlot[t] = s
                    gathered.append(UInt32(t))
                }
                entrySlots.append(s)
            }
        }
        stats.sparseSeconds += threadCPUTime() - t0
    }

    private func artistPass(_ names: [String]) {
        let table = index.artistTerms
        let postWork = index.artistPostWork, postWeight = index.artistPostWeight
        let acc = artistAcc, touchedList = artistTouched, strong = artistStrong
        var nTouched = artistTouchedCount
        var nStrong = artistStrongCount
        let strongMin = options.artistOnlyMin
        var scanned = 0
        var remaining = options.artistPostingBudget
        for name in names.prefix(8) where !name.isEmpty {
            TermExtractor.artistTerms(name, into: &artistTermBuf)
            var sq: Float = 0
            termOrder.removeAll(keepingCapacity: true)
            for h in artistTermBuf {
                let s = table.find(h)
                let v = s >= 0 ? table.idf[s] : index.artistIDFMax
                sq += v * v
                if s >= 0 { termOrder.append(UInt64(sortKey(v)) << 32 | UInt64(UInt32(s))) }
            }
            guard sq > 0 else { continue }
            let inv = 1 / sq.squareRoot()
            termOrder.withUnsafeMutableBufferPointer { sortDescending($0, $0.count) }
            for key in termOrder {
                let s = Int(key & 0xffff_ffff)
                let qw = table.idf[s] * inv
                let start = Int(table.start[s])
                let n = min(Int(table.count[s]), max(remaining, options.minArtistPostingsPerTerm))
                remaining -= n
                scanned += n
                for p in start..<(start + n) {
                    let w = Int(postWork[p])
                    let before = acc[w]
                    if before == 0 {
                        touchedList[nTouched] = UInt32(w)
                        nTouched += 1
                    }
                    let after = before + qw * postWeight[p]
                    acc[w] = after
                    // Works crossing the artist-only bar are remembered here, so picking them later
                    // does not scan every touched work.
                    if before < strongMin && after >= strongMin {
                        strong[nStrong] = UInt32(w)
                        nStrong += 1
                    }
                }
            }
        }
        artistTouchedCount = nTouched
        artistStrongCount = nStrong
        stats.postingsScanned += scanned
    }

    private func titlePass(_ title: String) {
        extractor.titleTerms(title, into: &terms)
        let table = index.titleTerms
        let post = index.postings
        let acc = titleAcc, touchedList = touched
        var nTouched = 0
        var scanned = 0
        weights.removeAll(keepingCapacity: true)
        termOrder.removeAll(keepingCapacity: true)
        var sq: Float = 0
        for (k, h) in terms.enumerated() {
            let s = table.find(h)
            let v = s >= 0 ? table.idf[s] : index.titleIDFMax
            weights.append(v)
            sq += v * v
            if s >= 0 { termOrder.append(UInt64(sortKey(v)) << 32 | UInt64(UInt32(s))) }
        }
        // Rarest terms first; common terms only get what is left of the scanning budget (their
        // postings are in impact order, so the titles they matter most to come first).
        termOrder.withUnsafeMutableBufferPointer { sortDescending($0, $0.count) }
        var remaining = options.postingBudget
        let minPerTerm = options.minPostingsPerTerm
        for key in termOrder {
            let s = Int(key & 0xffff_ffff)
            let v = table.idf[s]
            let add = v * v
            let start = Int(table.start[s])
            let n = min(Int(table.count[s]), max(remaining, minPerTerm))
            remaining -= n
            scanned += n
            for p in start..<(start + n) {
                let t = Int(post[p])
                if acc[t] == 0 {
                    touchedList[nTouched] = UInt32(t)
                    nTouched += 1
                }
                acc[t] += add
            }
        }
        stats.postingsScanned += scanned
        // Query vector row for the dense phase.
        let row = rowCount
        rowCount += 1
        if rows.count < rowCount * dim { rows.append(contentsOf: repeatElement(0, count: rowCount * dim - rows.count)) }
        terms.withUnsafeBufferPointer { tb in
            weights.withUnsafeBufferPointer { wb in
                rows.withUnsafeMutableBufferPointer { r in
                    _ = HashedVector.fill(terms: tb, weights: wb, dim: dim, out: r.baseAddress! + row * dim)
                }
            }
        }
        defer { for k in 0..<nTouched { acc[Int(touchedList[k])] = 0 } }
        guard sq > 0, nTouched > 0 else { return }
        let invQ = 1 / sq.squareRoot()
        // Pool: best titles by sparse cosine (+ artist), distinct works, at most `pool`.
        let meta = index.titleMeta
        let artist = artistAcc, sel = select
        let poolArtistWeight = options.poolArtistWeight
        let anyArtist = artistTouchedCount > 0
        for k in 0..<nTouched {
            let t = Int(touchedList[k])
            let norm = Float(bitPattern: meta[2 * t + 1])
            let cos = acc[t] * invQ / max(norm, 1e-6)
            var s = cos
            if anyArtist { s += poolArtistWeight * min(1, artist[Int(meta[2 * t])]) }
            sel[k] = UInt64(sortKey(s)) << 32 | UInt64(t)
            acc[t] = cos  // kept for the pool entry below; cleared by the defer
        }
        let want = min(nTouched, options.pool * 2)
        selectTop(UnsafeMutableBufferPointer(start: sel, count: nTouched), want)
        // Titles → works (best title per work), then the best `pool` new works.
        let queryStart = queryEntryStart.last!
        let firstNew = entryWork.count
        let stampNow = stamp
        newKeys.removeAll(keepingCapacity: true)
        for k in 0..<want {
            let key = sel[k]
            let t = Int(key & 0xffff_ffff)
            let w = Int(meta[2 * t])
            let cos = acc[t]
            if poolStamp[w] == stampNow {
                let e = Int(poolEntryOfWork[w])
                if e >= queryStart && cos > entrySparse[e] { entrySparse[e] = cos }
                if e >= firstNew {
                    let old = newKeys[e - firstNew]
                    if key >> 32 > old >> 32 { newKeys[e - firstNew] = key & 0xffff_ffff_0000_0000 | old & 0xffff_ffff }
                }
                continue
            }
            poolStamp[w] = stampNow
            poolEntryOfWork[w] = Int32(entryWork.count)
            newKeys.append(key & 0xffff_ffff_0000_0000 | UInt64(UInt32.max - UInt32(entryWork.count - firstNew)))
            entryWork.append(UInt32(w))
            entrySparse.append(cos)
        }
        let added = entryWork.count - firstNew
        guard added > options.pool else { return }
        newKeys.withUnsafeMutableBufferPointer { selectTop($0, options.pool) }
        keepFlags.removeAll(keepingCapacity: true)
        keepFlags.append(contentsOf: repeatElement(false, count: added))
        for k in 0..<options.pool { keepFlags[Int(UInt32.max - UInt32(newKeys[k] & 0xffff_ffff))] = true }
        var write = firstNew
        for i in 0..<added {
            let e = firstNew + i
            let w = Int(entryWork[e])
            if keepFlags[i] {
                entryWork[write] = entryWork[e]
                entrySparse[write] = entrySparse[e]
                poolEntryOfWork[w] = Int32(write)
                write += 1
            } else {
                poolStamp[w] = 0
            }
        }
        entryWork.removeLast(entryWork.count - write)
        entrySparse.removeLast(entrySparse.count - write)
    }

    private func artistOnlyCandidates() {
        defer { artistStrongCount = 0 }
        guard options.artistOnly > 0, artistStrongCount > 0 else { return }
        let sel = select
        var n = 0
        for k in 0..<artistStrongCount {
            let w = Int(artistStrong[k])
            guard poolStamp[w] != stamp else { continue }
            sel[n] = UInt64(sortKey(min(1, artistAcc[w]))) << 32 | UInt64(w)
            n += 1
        }
        let want = min(n, options.artistOnly)
        guard want > 0 else { return }
        let buf = UnsafeMutableBufferPointer(start: sel, count: n)
        selectTop(buf, want)
        sortDescending(buf, want)
        for k in 0..<want {
            let w = Int(sel[k] & 0xffff_ffff)
            poolStamp[w] = stamp
            poolEntryOfWork[w] = Int32(entryWork.count)
            entryWork.append(UInt32(w))
            entrySparse.append(0)
        }
    }

    // MARK: - Dense phase

    private func finishBatch(count n: Int, into out: inout RetrievalBatch) {
        let t0 = threadCPUTime()
        let u = gathered.count
        let r = rowCount
        if block.count < u * dim { block = [Float](repeating: 0, count: u * dim) }
        if sims.count < r * u { sims = [Float](repeating: 0, count: r * u) }
        if u > 0 && r > 0 {
            let vbase = index.vectors.baseAddress!
            block.withUnsafeMutableBufferPointer { b in
                for (slot, t) in gathered.enumerated() {
                    (b.baseAddress! + slot * dim).update(from: vbase + Int(t) * dim, count: dim)
                }
            }
            let g0 = threadCPUTime()
            rows.withUnsafeBufferPointer { q in
                block.withUnsafeBufferPointer { b in
                    sims.withUnsafeMutableBufferPointer { c in
                        BLAS.gemmABt(m: r, n: u, k: dim, a: q.baseAddress!, b: b.baseAddress!, c: c.baseAddress!)
                    }
                }
            }
            stats.gemmSeconds += threadCPUTime() - g0
            stats.gemmCalls += 1
            stats.gemmFlops += 2 * Double(r) * Double(u) * Double(dim)
        }
        for t in gathered { titleSlot[Int(t)] = -1 }
        entrySlotStart.append(entrySlots.count)
        queryEntryStart.append(entryWork.count)
        queryRowStart.append(rowCount)

        let artistWeight = options.artistWeight, sparseWeight = options.sparseWeight
        sims.withUnsafeBufferPointer { sims in
            for qi in 0..<n {
                precondition(queryEntryStart[qi + 1] - queryEntryStart[qi] <= 0xffff, "pool too large")
                let rowRange = queryRowStart[qi]..<queryRowStart[qi + 1]
                let entries = queryEntryStart[qi]..<queryEntryStart[qi + 1]
                rankKeys.removeAll(keepingCapacity: true)
                scratch.removeAll(keepingCapacity: true)
                for e in entries {
                    var best: Float = -2
                    var bestSlot = -1
                    for k in entrySlotStart[e]..<entrySlotStart[e + 1] {
                        let slot = Int(entrySlots[k])
                        for row in rowRange {
                            let v = sims[row * u + slot]
                            if v > best { best = v; bestSlot = slot }
                        }
                    }
                    // Rounded to 2⁻¹⁶: sgemm's last bits depend on the block shape, so unrounded scores
                    // (and near-tie order) would depend on which recordings share a batch.
                    let dense = bestSlot >= 0 ? quantize(best) : 0
                    let title = bestSlot >= 0 ? Int32(gathered[bestSlot]) : Int32(index.titles(ofWork: Int(entryWork[e])).first ?? -1)
                    let score = dense + artistWeight * entryArtist[e] + sparseWeight * entrySparse[e]
                    // Equal scores are ordered by a hash of the work ordinal: deterministic, and neutral
                    // (catalogue order can correlate with popularity, which retrieval must not exploit).
                    let tie = UInt64(TermHash.mix(UInt64(entryWork[e])) & 0xffff) << 16
                    rankKeys.append(UInt64(sortKey(score)) << 32 | tie | UInt64(0xffff - UInt32(scratch.count)))
                    scratch.append(RetrievedCandidate(work: Int32(entryWork[e]), title: title, score: score, dense: dense,
                                                      sparse: entrySparse[e], artist: entryArtist[e]))
                }
                let keep = min(rankKeys.count, options.topN)
                rankKeys.withUnsafeMutableBufferPointer { buf in
                    selectTop(buf, keep)
                    sortDescending(buf, keep)
                }
                let base = out.candidates.count
                for k in 0..<keep {
                    out.candidates.append(scratch[Int(0xffff - UInt32(rankKeys[k] & 0xffff))])
                }
                out.ranges.append(base..<out.candidates.count)
            }
        }
        stats.denseSeconds += threadCPUTime() - t0
    }
}

// MARK: - Helpers

@inline(__always)
func quantize(_ x: Float) -> Float { (x * 65536).rounded() / 65536 }

/// Order-preserving map of a Float to UInt32 (larger floats → larger keys).
@inline(__always)
func sortKey(_ f: Float) -> UInt32 {
    let b = f.bitPattern
    return b & 0x8000_0000 != 0 ? ~b : b | 0x8000_0000
}

/// Moves the `k` largest elements to the front (unordered). Quickselect, median of three.
func selectTop(_ a: UnsafeMutableBufferPointer<UInt64>, _ k: Int) {
    guard k > 0, k < a.count else { return }
    var lo = 0, hi = a.count - 1
    let target = k - 1
    while lo < hi {
        let mid = lo + (hi - lo) / 2
        // Median of three as pivot (descending order).
        var x = a[lo], y = a[mid], z = a[hi]
        if x < y { swap(&x, &y) }
        if y < z { swap(&y, &z) }
        if x < y { swap(&x, &y) }
        let pivot = y
        var i = lo, j = hi
        while i <= j {
            while a[i] > pivot { i += 1 }
            while a[j] < pivot { j -= 1 }
            if i <= j {
                a.swapAt(i, j)
                i += 1
                j -= 1
            }
        }
        if target <= j { hi = j } else if target >= i { lo = i } else { return }
    }
}

/// Sorts the first `n` elements descending in place (heapsort: no allocation).
func sortDescending(_ a: UnsafeMutableBufferPointer<UInt64>, _ n: Int) {
    guard n > 1 else { return }
    // Min-heap on the prefix, then repeatedly move the minimum to the end.
    func siftDown(_ start: Int, _ end: Int) {
        var root = start
        while true {
            let child = 2 * root + 1
            if child >= end { return }
            var c = child
            if c + 1 < end && a[c + 1] < a[c] { c += 1 }
            if a[c] < a[root] {
                a.swapAt(c, root)
                root = c
            } else {
                return
            }
        }
    }
    var i = n / 2 - 1
    while i >= 0 { siftDown(i, n); i -= 1 }
    var end = n - 1
    while end > 0 {
        a.swapAt(0, end)
        siftDown(0, end)
        end -= 1
    }
}

/// CPU time of the calling thread in seconds (immune to other processes sharing the cores).
@inline(__always)
public func threadCPUTime() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}

@inline(__always)
func seconds(since t: ContinuousClock.Instant) -> Double {
    let d = ContinuousClock.now - t
    return Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
}
