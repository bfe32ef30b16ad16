import CBLAS
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
    public var artistOnly = 40
    /// Minimum artist similarity for an artist-only candidate.
    public var artistOnlyMin: Float = 0.6
    /// Weight of artist similarity when choosing the sparse pool.
    public var poolArtistWeight: Float = 0.3
    /// Titles below this sparse cosine get no artist/duration lift in pool selection (works of the
    /// recording's artist still come in through `artistOnly`).
    public var boostMinCosine: Float = 0.3
    /// Weight of duration agreement (1 within 5 s, 0 from 60 s apart) in pool selection and ranking.
    public var durationWeight: Float = 0.1
    /// Final retrieval score = dense title cosine + artistWeight · artist similarity + sparseWeight · sparse cosine
    /// + durationWeight · duration agreement.
    public var artistWeight: Float = 0.2
    public var sparseWeight: Float = 1.0
    /// Postings read per title reading, rarest terms first (sublinear cost at any catalogue size).
    public var postingBudget = 3000
    /// Every term of a reading reads at least this many of its postings (its highest-impact titles).
    public var minPostingsPerTerm = 32
    /// When the reading's whole title exists verbatim in the catalogue, the other terms share this
    /// budget (and minimum per term) instead: exact titles are the common case and need no wide search.
    /// Retrieval recall on the 1M-work bench and on shs100k is the same from 800 down to 0 (the minimum per term
    /// reads the close neighbours); 200 reads 12% fewer postings than 800 (docs/MATCHING.md, session 23).
    public var exactHitBudget = 200
    public var exactHitMinPerTerm = 8
    /// Postings read for all the artist names of a recording, rarest terms first.
    public var artistPostingBudget = 3000
    /// Every artist term reads at least this many of its postings.
    public var minArtistPostingsPerTerm = 32
    /// When a name exists verbatim in the catalogue (its whole-name term has postings), the other artist terms
    /// share at most this budget: the name's own works came in full through the whole-name term.
    public var exactArtistBudget = 1000
    /// Most title readings per recording (title, bracket variants, medley parts).
    public var maxQueryTitles = 6
    /// Titles of a pooled work compared densely (original first).
    public var titlesPerWork = 8
    /// A dense batch closes when its gathered candidate block reaches this many title vectors (`.gemm`
    /// only)…
    public var maxBlockRows = 2048
    /// …or holds this many recordings.
    public var maxBatch = 32
    /// How the pooled titles are scored against the query readings (see `DenseKernel`).
    public var denseKernel = DenseKernel.dot
    /// `.dot`: pooled works ahead of the one being scored whose title vectors are prefetched.
    public var prefetchDistance = 6

    public init() {}
}

/// How the dense re-rank computes the cosines between a recording's title readings and its pooled
/// works' titles. All three give the same cosines up to float summation order (scores are then
/// rounded to 2⁻¹⁶, so a near-tie can rarely land on the other side of a rounding step).
public enum DenseKernel: String, Sendable, Hashable, CaseIterable {
    /// Direct dot products against the mapped (int8) title vectors, per recording, only the pairs it
    /// needs (a work's titles are contiguous rows of the index's vector array: nothing is copied). Default:
    /// the fastest at a million works (docs/MATCHING.md, "Figures").
    case dot
    /// One BLAS `sgemv` per pooled work and title reading over the work's titles (decoded to Float).
    case gemv
    /// The pooled titles of a batch of recordings gathered into one block, one `sgemm` for every query
    /// reading of the batch × every gathered title (most products unused: each recording needs its own
    /// titles only).
    case gemm
}

/// What retrieval looks for: the title readings and the artist names of one recording.
public struct RetrievalQuery: Sendable, Hashable {
    /// Normalized titles; the first is the main title.
    public var titles: [String]
    /// Normalized artist names (display artists, featured, original performers).
    public var artists: [String]
    /// Seconds, when the report gives it: breaks ties between works of the same title.
    public var duration: Int?

    public init(titles: [String], artists: [String], duration: Int? = nil) {
        self.titles = titles
        self.artists = artists
        self.duration = duration
    }

    public init(_ p: LineProfile) {
        var t: [String] = []
        for s in [p.title] + p.titleVariants + p.medleyParts where !s.isEmpty && !t.contains(s) { t.append(s) }
        var a = p.artists
        for s in p.originalArtists + p.writers where !a.contains(s) { a.append(s) }
        self.init(titles: t, artists: a, duration: p.duration ?? p.textDurations.first)
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
    /// Duration agreement of the recording with the work, 0…1 (0 when either is unknown).
    public var duration: Float

    public init(work: Int32, title: Int32, score: Float, dense: Float, sparse: Float, artist: Float, duration: Float = 0) {
        self.work = work
        self.title = title
        self.score = score
        self.dense = dense
        self.sparse = sparse
        self.artist = artist
        self.duration = duration
    }

    /// What this candidate's retrieval evidence is, apart from the postings: its dense title cosine, artist
    /// and duration agreement, as one nonzero key. Two candidates of a recording with equal keys (and equal
    /// title similarity) are true ties: their order in the retrieval ranking comes from the sparse channel's
    /// capped postings and the hash of the work id, which say nothing about which of two namesakes the
    /// recording is (see `PairFeatureBuilder.rankedContexts`).
    public var evidenceKey: UInt64 {
        var h = TermHash.mix(UInt64(dense.bitPattern) << 32 | UInt64(artist.bitPattern))
        h = TermHash.mix(h ^ UInt64(duration.bitPattern))
        return h | 1
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
    /// Title readings whose postings were not read again: the same reading as the scan before (`Retriever.titlePass`).
    public var titleScansReused = 0
    /// The dense re-rank's kernel (`DenseKernel`): calls (BLAS calls; recordings for `.dot`), the
    /// floating-point operations it did (2 per multiply-add, products computed and unused included) and
    /// the thread CPU seconds inside it.
    public var gemmCalls = 0
    public var gemmFlops: Double = 0
    public var gemmSeconds: Double = 0
    /// The kernel used (nil before any query).
    public var denseKernel: DenseKernel? = nil
    /// Thread CPU seconds in the sparse phase (postings, pools, gathering) and the dense phase.
    public var sparseSeconds: Double = 0
    public var denseSeconds: Double = 0
    public init() {}
    public mutating func add(_ o: RetrievalStats) {
        queries += o.queries
        postingsScanned += o.postingsScanned
        titleScansReused += o.titleScansReused
        gemmCalls += o.gemmCalls
        gemmFlops += o.gemmFlops
        gemmSeconds += o.gemmSeconds
        sparseSeconds += o.sparseSeconds
        denseSeconds += o.denseSeconds
        denseKernel = denseKernel ?? o.denseKernel
    }
}

/// Candidate retrieval over a `MatchIndex`: IDF-weighted overlap on capped postings picks a bounded
/// pool of works (sublinear: only the postings of the query's terms are read), then the pool is
/// re-ranked densely — each recording's readings against its pooled works' hashed title vectors,
/// read in place from the index (`DenseKernel`).
///
/// Owns large scratch buffers (a few bytes per title and work, allocated once) and is not
/// thread-safe: one per task. The hot loops work on raw buffers: no allocation, no exclusivity checks
/// (the scratch properties are `@exclusivity(unchecked)`: only this object's methods touch them, one
/// call at a time).
public final class Retriever {
    public let index: MatchIndex
    /// Changing them forgets the kept title scan (it was read under the old budgets).
    public var options: RetrievalOptions { didSet { forgetScannedTitle() } }
    @exclusivity(unchecked) public private(set) var stats = RetrievalStats()

    private let dim: Int
    // Per-query accumulators: small hash maps that stay in cache (see `IdMap`); nothing here grows
    // with the catalogue.
    @exclusivity(unchecked) private var titleMap = IdMap<Float>(capacity: 8192, zero: 0)      // title → Σ idf²/norm (+ exact mark)
    @exclusivity(unchecked) private var artistMap = IdMap<Float>(capacity: 4096, zero: 0)     // work → artist similarity
    /// The works of `artistMap` whose similarity reached `artistOnlyMin`, in the order they reached it (the artist-only
    /// step reads these few instead of scanning every work the artist's postings touched).
    @exclusivity(unchecked) private var artistQualified: [UInt32] = []
    @exclusivity(unchecked) private var poolMap = IdMap<Int32>(capacity: 1024, zero: -1)      // work → pool entry (this query)
    @exclusivity(unchecked) private var slotMap = IdMap<Int32>(capacity: 4096, zero: -1)      // title → row of the batch block
    @exclusivity(unchecked) private var select: [UInt64] = []
    @exclusivity(unchecked) private var extractor = TermExtractor()
    @exclusivity(unchecked) private var terms: [UInt64] = []
    @exclusivity(unchecked) private var weights: [Float] = []
    @exclusivity(unchecked) private var termOrder: [UInt64] = []
    @exclusivity(unchecked) private var newKeys: [UInt64] = []
    @exclusivity(unchecked) private var keepFlags: [Bool] = []
    @exclusivity(unchecked) private var artistTermBuf: [UInt64] = []
    @exclusivity(unchecked) private var termSlots: [Int] = []
    /// The title reading whose scan `titleMap` holds (its cosines), with that reading's squared norm and postings
    /// read: the next recording of a batch, in title order, often has the same reading (other performers, other
    /// versions), and then the scan is not repeated (`titlePass`). nil when the map is empty.
    @exclusivity(unchecked) private var scannedTitle: String?
    @exclusivity(unchecked) private var scannedNorm2: Float = 0

    // Batch state (small, reused).
    @exclusivity(unchecked) private var rows: [Float] = []            // query vectors, one row per title reading
    @exclusivity(unchecked) private var rows16: [Int16] = []          // the same quantized for `.dot` (`HashedVector.quantize16`)
    @exclusivity(unchecked) private var rowScales: [Float] = []       // and their scales
    @exclusivity(unchecked) private var rowCount = 0
    @exclusivity(unchecked) private var queryRowStart: [Int] = []
    @exclusivity(unchecked) private var queryEntryStart: [Int] = []
    @exclusivity(unchecked) private var entryWork: [UInt32] = []
    @exclusivity(unchecked) private var entrySparse: [Float] = []
    @exclusivity(unchecked) private var entryArtist: [Float] = []
    @exclusivity(unchecked) private var entryDuration: [Float] = []
    @exclusivity(unchecked) private var queryDuration = 0
    @exclusivity(unchecked) private var entrySlotStart: [Int] = []
    @exclusivity(unchecked) private var entrySlots: [Int32] = []
    @exclusivity(unchecked) private var gathered: [UInt32] = []
    @exclusivity(unchecked) private var block: [Float] = []
    @exclusivity(unchecked) private var sims: [Float] = []
    @exclusivity(unchecked) private var entryBest: [Float] = []         // per entry: best cosine (-2: no title)
    @exclusivity(unchecked) private var entryBestTitle: [Int32] = []    // per entry: the title that reached it
    @exclusivity(unchecked) private var gemvOut: [Float] = []
    @exclusivity(unchecked) private var scratch: [RetrievedCandidate] = []
    @exclusivity(unchecked) private var rankKeys: [UInt64] = []

    /// Added to the accumulator of titles reached through the whole-title term (far above any IDF sum).
    static let exactMark: Float = 1_048_576

    public init(index: MatchIndex, options: RetrievalOptions = RetrievalOptions()) {
        self.index = index
        self.options = options
        dim = index.dim
    }

    deinit {
        titleMap.deallocate()
        artistMap.deallocate()
        poolMap.deallocate()
        slotMap.deallocate()
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
                if options.denseKernel == .gemm && gathered.count >= options.maxBlockRows { break }
            }
            finishBatch(count: n, into: &out)
            i += n
        }
        stats.queries += queries.count
        stats.denseKernel = options.denseKernel
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
        entryDuration.removeAll(keepingCapacity: true)
        entrySlotStart.removeAll(keepingCapacity: true)
        entrySlots.removeAll(keepingCapacity: true)
        gathered.removeAll(keepingCapacity: true)
        slotMap.clear()
    }

    private func addQuery(_ q: RetrievalQuery) {
        let t0 = threadCPUTime()
        queryRowStart.append(rowCount)
        queryDuration = max(0, q.duration ?? 0)
        let firstEntry = entryWork.count
        queryEntryStart.append(firstEntry)
        poolMap.clear()
        artistPass(q.artists)
        for (i, title) in q.titles.prefix(options.maxQueryTitles).enumerated() {
            titlePass(title, pickArtistOnly: i == 0)
        }
        if q.titles.isEmpty {
            forgetScannedTitle()
            artistOnlyCandidates()
        }
        // Artist similarity and duration agreement of every pooled work.
        for e in firstEntry..<entryWork.count {
            let w = entryWork[e]
            entryArtist.append(min(1, artistMap.get(w)))
            entryDuration.append(durationAgreement(Int(w)))
        }
        artistMap.clear()
        guard options.denseKernel == .gemm else {
            stats.sparseSeconds += threadCPUTime() - t0
            return
        }
        // Gather the pooled works' title vectors into the batch block (each title once per batch).
        let perWork = options.titlesPerWork
        var slots = slotMap
        for e in firstEntry..<entryWork.count {
            entrySlotStart.append(entrySlots.count)
            let titles = index.titles(ofWork: Int(entryWork[e]))
            for t in titles.prefix(perWork) {
                let k = slots.slot(UInt32(t))
                if slots.values[k] < 0 {
                    slots.values[k] = Int32(gathered.count)
                    gathered.append(UInt32(t))
                }
                entrySlots.append(slots.values[k])
            }
        }
        slotMap = slots
        stats.sparseSeconds += threadCPUTime() - t0
    }

    private func artistPass(_ names: [String]) {
        let table = index.artistTerms
        let postWork = index.artistPostWork, postWeight = index.artistPostWeight
        var acc = artistMap
        var qualified: [UInt32] = []
        swap(&qualified, &artistQualified)  // moved out, so that clearing it reuses its storage (no copy on write)
        qualified.removeAll(keepingCapacity: true)
        let minArtist = options.artistOnlyMin
        var scanned = 0
        var remaining = options.artistPostingBudget
        for name in names.prefix(8) where !name.isEmpty {
            TermExtractor.artistTerms(name, into: &artistTermBuf)
            var sq: Float = 0
            termOrder.removeAll(keepingCapacity: true)
            table.prefetchSlots(of: artistTermBuf, into: &termSlots)
            for (k, h) in artistTermBuf.enumerated() {
                let s = termSlots[k]
                assert(s == table.find(h))
                let v = s >= 0 ? table.idf[s] : index.artistIDFMax
                sq += v * v
                if s >= 0 { termOrder.append(UInt64(sortKey(v)) << 32 | UInt64(UInt32(s))) }
            }
            guard sq > 0 else { continue }
            let inv = 1 / sq.squareRoot()
            termOrder.withUnsafeMutableBufferPointer { sortDescending($0, $0.count) }
            for (ti, key) in termOrder.enumerated() {
                if ti + 1 < termOrder.count { Self.prefetchRun(Int(table.start[Int(termOrder[ti + 1] & 0xffff_ffff)]), postWork, postWeight) }
                let s = Int(key & 0xffff_ffff)
                let qw = table.idf[s] * inv
                let start = Int(table.start[s])
                let n = TermHash.isWhole(table.keys[s]) ? Int(table.count[s])
                    : min(Int(table.count[s]), max(remaining, options.minArtistPostingsPerTerm))
                remaining -= n
                scanned += n
                // The name exists verbatim: its works came in full through this term, and the other terms (a common
                // first name or surname shared with other artists) only add weak similarities; a third of the
                // budget keeps them (1M works: artist and title postings per recording 4,114 → 2,728, docs/MATCHING.md).
                if n > 0 && TermHash.isWhole(table.keys[s]) { remaining = min(remaining, options.exactArtistBudget) }
                for p in start..<(start + n) {
                    let w = postWork[p]
                    let k = acc.slot(w)
                    let old = acc.values[k]
                    let new = old + qw * postWeight[p]
                    acc.values[k] = new
                    // Weights are ≥ 0 (idf × a name's term weight), so a work crosses the threshold once.
                    if new >= minArtist && old < minArtist { qualified.append(w) }
                }
            }
        }
        artistMap = acc
        artistQualified = qualified
        stats.postingsScanned += scanned
    }

    /// Prefetches the first 256 bytes of a posting run starting at `start` in `ids` and in `weights` (the
    /// hardware prefetcher follows once the run is being read sequentially). A hint: it never faults.
    @inline(__always)
    private static func prefetchRun<W>(_ start: Int, _ ids: UnsafeBufferPointer<UInt32>, _ weights: UnsafeBufferPointer<W>) {
        guard let ib = ids.baseAddress, let wb = weights.baseAddress else { return }
        let i = UnsafeRawPointer(ib + start), w = UnsafeRawPointer(wb + start)
        for line in 0..<4 { oeuvre_prefetch(i + 64 * line) }
        for line in 0..<MemoryLayout<W>.stride { oeuvre_prefetch(w + 64 * line) }  // the same 64 postings
    }

    /// Empties the title map (the state of the last scanned reading).
    private func forgetScannedTitle() {
        if scannedTitle != nil {
            titleMap.clear()
            scannedTitle = nil
        }
    }

    private func titlePass(_ title: String, pickArtistOnly: Bool) {
        // The same reading as the last scan (compared by bytes: the terms are made from the bytes) finds the same
        // titles with the same cosines, kept in `titleMap`, and the same terms and weights: only the scan is skipped.
        if let last = scannedTitle, last.utf8.elementsEqual(title.utf8) {
            stats.titleScansReused += 1
        } else {
            forgetScannedTitle()
            scanTitle(title)
            scannedTitle = title
        }
        poolTitles(pickArtistOnly: pickArtistOnly)
    }

    /// Reads the postings of `title`'s terms into `titleMap` (rarest terms first, within the budgets), then turns
    /// each touched title's sum into its cosine with the reading; `terms` and `weights` hold the reading's terms.
    private func scanTitle(_ title: String) {
        extractor.titleTerms(title, into: &terms)
        let table = index.titleTerms
        let post = index.postings, postWeight = index.postingWeights
        var acc = titleMap
        var scanned = 0
        weights.removeAll(keepingCapacity: true)
        termOrder.removeAll(keepingCapacity: true)
        var sq: Float = 0
        table.prefetchSlots(of: terms, into: &termSlots)
        for (k, h) in terms.enumerated() {
            let s = termSlots[k]
            assert(s == table.find(h))
            let v = s >= 0 ? table.idf[s] : index.titleIDFMax
            weights.append(v)
            sq += v * v
            if s >= 0 { termOrder.append(UInt64(sortKey(v)) << 32 | UInt64(UInt32(s))) }
        }
        // Rarest terms first; common terms only get what is left of the scanning budget (their
        // postings are in impact order, so the titles they matter most to come first).
        termOrder.withUnsafeMutableBufferPointer { sortDescending($0, $0.count) }
        var remaining = options.postingBudget
        var minPerTerm = options.minPostingsPerTerm
        for (ti, key) in termOrder.enumerated() {
            // Each term's postings start at a random place in the mapped arrays: the first lines of the next
            // term's run are prefetched while this one's are accumulated.
            if ti + 1 < termOrder.count { Self.prefetchRun(Int(table.start[Int(termOrder[ti + 1] & 0xffff_ffff)]), post, postWeight) }
            let s = Int(key & 0xffff_ffff)
            let v = table.idf[s]
            let scale = v / 65535
            let start = Int(table.start[s])
            let whole = TermHash.isWhole(table.keys[s])
            let n = whole ? Int(table.count[s]) : min(Int(table.count[s]), max(remaining, minPerTerm))
            remaining -= n
            scanned += n
            if whole && n > 0 {
                // The title exists verbatim: fuzzy neighbours need far less scanning.
                remaining = min(remaining, options.exactHitBudget)
                minPerTerm = min(minPerTerm, options.exactHitMinPerTerm)
            }
            // acc[t] sums idf² / norm(t): times 1/norm(query) it is the cosine. A title sharing the
            // whole-title term is the same title: it is marked so its cosine is taken as 1 below,
            // however few of its other postings the budget reached.
            let mark: Float = whole ? Self.exactMark : 0
            for p in start..<(start + n) {
                let k = acc.slot(post[p])
                acc.values[k] += scale * Float(postWeight[p]) + mark
            }
        }
        stats.postingsScanned += scanned
        scannedNorm2 = sq
        // Cosines replace the sums in the map (the pool selection and the artist-only step read them).
        if sq > 0 {
            let invQ = 1 / sq.squareRoot()
            for k in 0..<acc.count {
                let slot = Int(acc.slots[k])
                let a = acc.values[slot]
                acc.values[slot] = a >= Self.exactMark ? 1 : min(1, a * invQ)
            }
        }
        titleMap = acc
    }

    /// Adds the dense phase's query row of the scanned reading (`terms`, `weights`) and pools the best titles of
    /// `titleMap` (+ artist and duration lifts) as distinct works.
    private func poolTitles(pickArtistOnly: Bool) {
        let acc = titleMap
        let sq = scannedNorm2
        // Query vector row for the dense phase.
        let row = rowCount
        rowCount += 1
        if rows.count < rowCount * dim { rows.append(contentsOf: repeatElement(0, count: rowCount * dim - rows.count)) }
        if rows16.count < rowCount * dim { rows16.append(contentsOf: repeatElement(0, count: rowCount * dim - rows16.count)) }
        if rowScales.count < rowCount { rowScales.append(contentsOf: repeatElement(0, count: rowCount - rowScales.count)) }
        terms.withUnsafeBufferPointer { tb in
            weights.withUnsafeBufferPointer { wb in
                rows.withUnsafeMutableBufferPointer { r in
                    rows16.withUnsafeMutableBufferPointer { r16 in
                        // The reading is quantized to int16 for `.dot`'s integer products, and the Float row is
                        // replaced by its decoded values, so that `.gemv` and `.gemm` multiply the same numbers.
                        let out = r.baseAddress! + row * dim, out16 = r16.baseAddress! + row * dim
                        _ = HashedVector.fill(terms: tb, weights: wb, dim: dim, out: out)
                        let scale = HashedVector.quantize16(out, dim: dim, into: out16)
                        rowScales[row] = scale
                        for i in 0..<dim { out[i] = Float(out16[i]) * scale }
                    }
                }
            }
        }
        let nTouched = acc.count
        guard sq > 0, nTouched > 0 else {
            if pickArtistOnly { artistOnlyCandidates() }
            return
        }
        // Pool: best titles by sparse cosine (+ artist, duration), distinct works, at most `pool`.
        let meta = index.titleMeta
        let artist = artistMap
        let poolArtistWeight = options.poolArtistWeight
        let anyArtist = artist.count > 0
        let withDuration = queryDuration > 0
        let durationWeight = options.durationWeight
        // Artist and duration only lift titles that already look alike (their reads are cache misses).
        let boostMin = options.boostMinCosine
        let boost = anyArtist || withDuration
        if select.count < nTouched { select = [UInt64](repeating: 0, count: max(nTouched, 2 * select.count)) }
        let want = min(nTouched, options.pool * 2)
        select.withUnsafeMutableBufferPointer { selBuf in
            let sel = selBuf.baseAddress!
            // The lifts read title → work and work → duration at random in catalogue-sized arrays (a
            // miss each): cosines first with the title → work entries prefetched, then the durations
            // prefetched, then the lifts, so the misses of many titles overlap instead of queueing.
            let metaBase = meta.baseAddress
            if boost, let metaBase {
                for k in 0..<nTouched {
                    let slot = Int(acc.slots[k])
                    if acc.values[slot] >= boostMin { oeuvre_prefetch(metaBase + 2 * Int(acc.id(at: slot))) }
                }
            }
            if boost && withDuration, let durations = index.workDuration.baseAddress {
                for k in 0..<nTouched {
                    let slot = Int(acc.slots[k])
                    if acc.values[slot] >= boostMin { oeuvre_prefetch(durations + Int(meta[2 * Int(acc.id(at: slot))])) }
                }
            }
            for k in 0..<nTouched {
                let slot = Int(acc.slots[k])
                let t = acc.id(at: slot)
                let cos = acc.values[slot]
                var s = cos
                if boost && cos >= boostMin {
                    let w = meta[2 * Int(t)]
                    if anyArtist { s += poolArtistWeight * min(1, artist.get(w)) }
                    if withDuration { s += durationWeight * durationAgreement(Int(w)) }
                }
                sel[k] = UInt64(sortKey(s)) << 32 | UInt64(t)
            }
            selectTop(UnsafeMutableBufferPointer(start: sel, count: nTouched), want)
            // The selected titles' works are read next: prefetch those the lifts did not touch.
            if let metaBase {
                for k in 0..<want { oeuvre_prefetch(metaBase + 2 * Int(UInt32(truncatingIfNeeded: sel[k]))) }
            }
        }
        // Titles → works (best title per work), then the best `pool` new works.
        let firstNew = entryWork.count
        var pool = poolMap
        newKeys.removeAll(keepingCapacity: true)
        for k in 0..<want {
            let key = select[k]
            let t = UInt32(truncatingIfNeeded: key)
            let w = meta[2 * Int(t)]
            let cos = acc.get(t)
            let ps = pool.slot(w)
            let e = Int(pool.values[ps])
            if e >= 0 {
                if cos > entrySparse[e] { entrySparse[e] = cos }
                if e >= firstNew {
                    let old = newKeys[e - firstNew]
                    if key >> 32 > old >> 32 { newKeys[e - firstNew] = key & 0xffff_ffff_0000_0000 | old & 0xffff_ffff }
                }
                continue
            }
            pool.values[ps] = Int32(entryWork.count)
            newKeys.append(key & 0xffff_ffff_0000_0000 | UInt64(UInt32.max - UInt32(entryWork.count - firstNew)))
            entryWork.append(w)
            entrySparse.append(cos)
        }
        let added = entryWork.count - firstNew
        if added > options.pool {
            newKeys.withUnsafeMutableBufferPointer { selectTop($0, options.pool) }
            keepFlags.removeAll(keepingCapacity: true)
            keepFlags.append(contentsOf: repeatElement(false, count: added))
            for k in 0..<options.pool { keepFlags[Int(UInt32.max - UInt32(newKeys[k] & 0xffff_ffff))] = true }
            var write = firstNew
            for i in 0..<added {
                let e = firstNew + i
                let w = entryWork[e]
                // `find`, not `slot`: these works are in the map, and `slot` may grow the table (moving the values)
                // before it looks — inside `pool.values[pool.slot(w)] = …` the write then went to the old table.
                let ps = pool.find(w)
                if keepFlags[i] {
                    entryWork[write] = w
                    entrySparse[write] = entrySparse[e]
                    pool.values[ps] = Int32(write)
                    write += 1
                } else {
                    pool.values[ps] = -2  // dropped: not pooled, but remembered as seen
                }
            }
            entryWork.removeLast(entryWork.count - write)
            entrySparse.removeLast(entrySparse.count - write)
        }
        poolMap = pool
        // Works of the recording's artist that the title pool missed, while the title map still holds
        // each touched title's cosine (a typo'd title by the right artist).
        if pickArtistOnly { artistOnlyCandidates() }
    }

    /// 1 when the recording and work `w` last within 5 s of each other, falling to 0 at 60 s; 0 when
    /// either duration is unknown.
    @inline(__always)
    private func durationAgreement(_ w: Int) -> Float {
        guard queryDuration > 0 else { return 0 }  // before the read: it is a cache miss
        let d = index.workDuration[w] & 0xffff
        guard d > 0 else { return 0 }
        let diff = Float(abs(Int(d) - queryDuration))
        return diff <= 5 ? 1 : max(0, 1 - (diff - 5) / 55)
    }

    /// Adds up to `artistOnly` works whose artist similarity reached `artistOnlyMin` and that are not
    /// pooled yet, best first by artist similarity plus the best cosine of their titles in the title
    /// map (zero for titles the postings did not reach) plus duration agreement.
    private func artistOnlyCandidates() {
        let artist = artistMap
        let qualified = artistQualified
        guard options.artistOnly > 0, !qualified.isEmpty else { return }
        let titles = titleMap
        var pool = poolMap
        if select.count < qualified.count { select = [UInt64](repeating: 0, count: max(qualified.count, 2 * select.count)) }
        // Each candidate work's title range and duration are a miss in catalogue-sized arrays: they are
        // prefetched `ahead` works before they are read, so the misses overlap.
        let starts = index.workTitleStart.baseAddress, durations = index.workDuration.baseAddress
        let withDuration = queryDuration > 0
        let ahead = 16
        @inline(__always) func prefetch(_ k: Int) {
            guard let starts, let durations else { return }
            let w = Int(qualified[k])
            oeuvre_prefetch(starts + w)
            if withDuration { oeuvre_prefetch(durations + w) }
        }
        for k in 0..<min(ahead, qualified.count) { prefetch(k) }
        var n = 0
        for k in 0..<qualified.count {
            if k + ahead < qualified.count { prefetch(k + ahead) }
            let w = qualified[k]
            let a = min(1, artist.get(w))
            guard pool.get(w) < 0 else { continue }  // absent, or dropped from the title pool
            var title: Float = 0
            for t in index.titles(ofWork: Int(w)).prefix(options.titlesPerWork) { title = max(title, min(1, titles.get(UInt32(t)))) }
            select[n] = UInt64(sortKey(a + title + options.durationWeight * durationAgreement(Int(w)))) << 32 | UInt64(w)
            n += 1
        }
        let want = min(n, options.artistOnly)
        guard want > 0 else { return }
        select.withUnsafeMutableBufferPointer { buf in
            let b = UnsafeMutableBufferPointer(rebasing: buf[0..<n])
            selectTop(b, want)
            sortDescending(b, want)
        }
        for k in 0..<want {
            let w = UInt32(truncatingIfNeeded: select[k])
            let ps = pool.slot(w)  // before `values`: a slot that grows the table moves the values
            pool.values[ps] = Int32(entryWork.count)
            entryWork.append(w)
            entrySparse.append(-1)  // reached by artist alone
        }
        poolMap = pool
    }

    // MARK: - Dense phase

    private func finishBatch(count n: Int, into out: inout RetrievalBatch) {
        let t0 = threadCPUTime()
        queryEntryStart.append(entryWork.count)
        queryRowStart.append(rowCount)
        let entries = entryWork.count
        if entryBest.count < entries {
            entryBest = [Float](repeating: 0, count: max(entries, 2 * entryBest.count))
            entryBestTitle = [Int32](repeating: 0, count: entryBest.count)
        }
        // Best cosine of each pooled work's titles (at most `titlesPerWork`, original first) against the
        // recording's readings; ties go to the first title, then the first reading.
        let k0 = threadCPUTime()
        switch options.denseKernel {
        case .dot: denseByDot(queries: n)
        case .gemv: denseByGemv(queries: n)
        case .gemm: denseByGemm()
        }
        stats.gemmSeconds += threadCPUTime() - k0

        let artistWeight = options.artistWeight, sparseWeight = options.sparseWeight, durationWeight = options.durationWeight
        for qi in 0..<n {
            precondition(queryEntryStart[qi + 1] - queryEntryStart[qi] <= 0xffff, "pool too large")
            rankKeys.removeAll(keepingCapacity: true)
            scratch.removeAll(keepingCapacity: true)
            for e in queryEntryStart[qi]..<queryEntryStart[qi + 1] {
                let best = entryBest[e]
                let found = best > -2
                // Rounded to 2⁻¹⁶: a BLAS kernel's last bits depend on the block shape, so unrounded scores
                // (and near-tie order) would depend on which recordings share a batch.
                let dense = found ? quantize(best) : 0
                let title = found ? entryBestTitle[e] : Int32(index.titles(ofWork: Int(entryWork[e])).first ?? -1)
                // A work reached by its artist alone has no postings overlap: its dense cosine stands in
                // for the sparse one, so the two channels compete on the same scale.
                let sparse = entrySparse[e] < 0 ? dense : entrySparse[e]
                let score = dense + artistWeight * entryArtist[e] + sparseWeight * sparse + durationWeight * entryDuration[e]
                // Equal scores are ordered by a hash of the work id: deterministic, neutral (catalogue order can
                // correlate with popularity, which retrieval must not exploit), and the same however the ordinals move
                // when works are added (they follow title order).
                let tie = UInt64(index.workTie(Int(entryWork[e]))) << 16
                rankKeys.append(UInt64(sortKey(score)) << 32 | tie | UInt64(0xffff - UInt32(scratch.count)))
                scratch.append(RetrievedCandidate(work: Int32(entryWork[e]), title: title, score: score, dense: dense,
                                                  sparse: max(0, entrySparse[e]), artist: entryArtist[e], duration: entryDuration[e]))
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
        stats.denseSeconds += threadCPUTime() - t0
    }

    /// `.dot`: per recording, each pooled work's title vectors (contiguous rows of the mapped array)
    /// against the recording's own readings only. The vectors are scattered over the mapped array (a
    /// DRAM miss per work, the arithmetic is negligible): the titles of the work `prefetchDistance`
    /// entries ahead (`RetrievalOptions.prefetchDistance`) are prefetched while the current one is scored, so the misses overlap.
    private func denseByDot(queries n: Int) {
        let dim = dim, perWork = options.titlesPerWork
        let entries = entryWork.count
        guard let vbase = index.vectors.baseAddress, entries > 0 else {
            for e in 0..<entries { entryBest[e] = -2 }
            return
        }
        let starts = index.workTitleStart
        // Title ranges first (independent loads of the work → title table), kept in the output arrays.
        for e in 0..<entries {
            let w = Int(entryWork[e])
            let t0 = Int(starts[w])
            entryBestTitle[e] = Int32(t0)
            entryBest[e] = Float(bitPattern: UInt32(min(Int(starts[w + 1]) - t0, perWork)))
        }
        let distance = options.prefetchDistance
        let lineBytes = 64
        let scales = index.vectorScales.baseAddress!
        @inline(__always) func prefetch(_ e: Int) {
            let t0 = Int(entryBestTitle[e])
            let first = vbase + t0 * dim
            let count = Int(entryBest[e].bitPattern) * dim
            var o = 0
            while o < count {
                oeuvre_prefetch(first + o)
                o += lineBytes
            }
            oeuvre_prefetch(scales + t0)
        }
        for e in 0..<min(distance, entries) { prefetch(e) }
        var products = 0
        rows16.withUnsafeBufferPointer { q in
            guard let qbase = q.baseAddress else {
                for e in 0..<entries { entryBest[e] = -2 }
                return
            }
            for qi in 0..<n {
                let r0 = queryRowStart[qi], r1 = queryRowStart[qi + 1]
                for e in queryEntryStart[qi]..<queryEntryStart[qi + 1] {
                    if e + distance < entries { prefetch(e + distance) }
                    let t0 = Int(entryBestTitle[e])
                    let t1 = t0 + Int(entryBest[e].bitPattern)
                    var b: Float = -2
                    var bt = -1
                    var t = t0
                    while t < t1 {
                        let v = vbase + t * dim
                        let scale = scales[t]
                        var row = r0
                        while row < r1 {
                            let d = Float(dotProduct(qbase + row * dim, quantized: v, dim)) * (scale * rowScales[row])
                            if d > b { b = d; bt = t }
                            row += 1
                        }
                        t += 1
                    }
                    products += (t1 - t0) * (r1 - r0)
                    entryBest[e] = b
                    entryBestTitle[e] = Int32(bt)
                }
            }
        }
        stats.gemmCalls += n
        stats.gemmFlops += 2 * Double(products) * Double(dim)
    }

    /// `.gemv`: one `sgemv` per pooled work and reading over the work's contiguous title rows.
    private func denseByGemv(queries n: Int) {
        let dim = dim, perWork = options.titlesPerWork
        if gemvOut.count < perWork * max(1, options.maxQueryTitles) { gemvOut = [Float](repeating: 0, count: perWork * max(1, options.maxQueryTitles)) }
        if block.count < perWork * dim { block = [Float](repeating: 0, count: perWork * dim) }
        let starts = index.workTitleStart
        var products = 0, calls = 0
        rows.withUnsafeBufferPointer { q in
            gemvOut.withUnsafeMutableBufferPointer { y in
              block.withUnsafeMutableBufferPointer { a in
                guard let qbase = q.baseAddress, let vbase = index.vectors.baseAddress, let ybase = y.baseAddress, let abase = a.baseAddress else {
                    for e in 0..<entryWork.count { entryBest[e] = -2 }
                    return
                }
                for qi in 0..<n {
                    let r0 = queryRowStart[qi], r1 = queryRowStart[qi + 1]
                    for e in queryEntryStart[qi]..<queryEntryStart[qi + 1] {
                        let w = Int(entryWork[e])
                        let t0 = Int(starts[w])
                        let m = min(Int(starts[w + 1]) - t0, perWork)
                        var b: Float = -2
                        var bt = -1
                        if m > 0 && r1 > r0 {
                            // The work's titles decoded into a contiguous Float block, then one sgemv per reading.
                            for k in 0..<m {
                                HashedVector.dequantize(vbase + (t0 + k) * dim, scale: index.vectorScales[t0 + k], dim: dim, into: abase + k * dim)
                            }
                            for row in r0..<r1 {
                                BLAS.gemv(m: m, n: dim, a: abase, x: qbase + row * dim, y: ybase + (row - r0) * m)
                            }
                            calls += r1 - r0
                            products += m * (r1 - r0)
                            for k in 0..<m {
                                for row in 0..<(r1 - r0) {
                                    let d = ybase[row * m + k]
                                    if d > b { b = d; bt = t0 + k }
                                }
                            }
                        }
                        entryBest[e] = b
                        entryBestTitle[e] = Int32(bt)
                    }
                }
              }
            }
        }
        stats.gemmCalls += calls
        stats.gemmFlops += 2 * Double(products) * Double(dim)
    }

    /// `.gemm`: the batch's gathered block (`addQuery`) times every reading of the batch, one `sgemm`.
    private func denseByGemm() {
        let u = gathered.count
        let r = rowCount
        if block.count < u * dim { block = [Float](repeating: 0, count: u * dim) }
        if sims.count < r * u { sims = [Float](repeating: 0, count: r * u) }
        if u > 0 && r > 0 {
            let vbase = index.vectors.baseAddress!
            block.withUnsafeMutableBufferPointer { b in
                for (slot, t) in gathered.enumerated() {
                    HashedVector.dequantize(vbase + Int(t) * dim, scale: index.vectorScales[Int(t)], dim: dim, into: b.baseAddress! + slot * dim)
                }
            }
            rows.withUnsafeBufferPointer { q in
                block.withUnsafeBufferPointer { b in
                    sims.withUnsafeMutableBufferPointer { c in
                        BLAS.gemmABt(m: r, n: u, k: dim, a: q.baseAddress!, b: b.baseAddress!, c: c.baseAddress!)
                    }
                }
            }
            stats.gemmCalls += 1
            stats.gemmFlops += 2 * Double(r) * Double(u) * Double(dim)
        }
        entrySlotStart.append(entrySlots.count)
        let queries = queryEntryStart.count - 1
        sims.withUnsafeBufferPointer { sims in
            for qi in 0..<queries {
                let rowRange = queryRowStart[qi]..<queryRowStart[qi + 1]
                for e in queryEntryStart[qi]..<queryEntryStart[qi + 1] {
                    var best: Float = -2
                    var bestSlot = -1
                    for k in entrySlotStart[e]..<entrySlotStart[e + 1] {
                        let slot = Int(entrySlots[k])
                        for row in rowRange {
                            let v = sims[row * u + slot]
                            if v > best { best = v; bestSlot = slot }
                        }
                    }
                    entryBest[e] = best
                    entryBestTitle[e] = bestSlot >= 0 ? Int32(gathered[bestSlot]) : -1
                }
            }
        }
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
