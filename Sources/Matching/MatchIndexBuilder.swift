import Foundation
import OeuvreCore

/// Parameters of a match index build (recorded in the file where they matter at query time).
public struct MatchIndexOptions: Sendable, Hashable {
    /// Dimension of the hashed title vectors: rounded up to a multiple of 16 (the dense kernel's block) and kept
    /// within 16…512 (`oeuvre_dot_i8_i16` sums int8 × int16 products in 32 bits: at most 512 · 127 · 32767 < 2³¹).
    public var dim = 128
    /// Longest title-term posting kept; longer ones keep the titles in which the term weighs most.
    public var postingCap = 4096
    /// Longest artist-term posting kept (the works whose names the term dominates).
    public var artistPostingCap = 4096
    /// Longest whole-title posting kept (exact titles are exempt from `postingCap` up to this).
    public static let wholeTitleCap = 1 << 17
    /// Titles indexed per work (original first; more are ignored).
    public var maxTitlesPerWork = 64
    /// Threads used to build.
    public var threads = 2

    public init(dim: Int = 128, postingCap: Int = 4096, artistPostingCap: Int = 4096, maxTitlesPerWork: Int = 64, threads: Int = 2) {
        self.dim = dim
        self.postingCap = postingCap
        self.artistPostingCap = artistPostingCap
        self.maxTitlesPerWork = maxTitlesPerWork
        self.threads = threads
    }
}

/// Timings and sizes of the last build, for benchmarks and `oeuvre index build`.
public struct MatchIndexBuildStats: Sendable {
    public var seconds: [(String, Double)] = []
    public var distinctTitleTerms = 0
    public var cappedTerms = 0
    public var distinctArtistTerms = 0
    public init() {}
}

/// An ISRC → work link to index beyond the works' own recordings (from the catalogue's link table).
public struct ISRCLinkInput: Sendable, Hashable {
    public var isrc: String
    /// Work ordinal (position in the profiles).
    public var work: Int
    public var confidence: Float
    public init(isrc: String, work: Int, confidence: Float = 1) {
        self.isrc = isrc
        self.work = work
        self.confidence = confidence
    }
}

public enum MatchIndexBuilder {
    /// Builds an in-memory index from work profiles. `links` adds ISRC → work-ordinal links beyond the
    /// profiles' own ISRCs (e.g. links confirmed in review). Work ordinal `w` is the profile at `order[w]`
    /// (`orderForLocality`), or at position `w` in `profiles` without an order.
    ///
    /// `imageReady(image, ranges)` is called when every byte of the image but the title vectors is final: the byte
    /// `ranges` given will not change, so a file writer can write them while the vectors are filled
    /// (`MatchIndexFile.start`). `image` is the returned index's own memory.
    public static func build(
        profiles: [WorkProfile], order: [Int32]? = nil, links: [ISRCLinkInput] = [], stamp: String,
        options: MatchIndexOptions = MatchIndexOptions(), stats: UnsafeMutablePointer<MatchIndexBuildStats>? = nil,
        imageReady: ((_ image: UnsafeRawBufferPointer, _ ranges: [Range<Int>]) -> Void)? = nil
    ) -> MatchIndex {
        precondition(order.map { $0.count == profiles.count } ?? true, "an order must name every profile")
        // src[w]: the position in `profiles` of work ordinal w.
        let src: [Int] = order.map { $0.map { Int($0) } } ?? Array(profiles.indices)
        var st = MatchIndexBuildStats()
        var clock = ContinuousClock.now
        func lap(_ name: String) {
            let now = ContinuousClock.now
            let d = now - clock
            st.seconds.append((name, Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18))
            clock = now
        }
        let threads = max(1, options.threads)
        let dim = min(512, max(16, (options.dim + 15) / 16 * 16))  // int8 vectors: the kernel's blocks of 16, no overflow
        let workCount = profiles.count

        // 1. Title entries, grouped by work.
        var workTitleStart = [UInt32](repeating: 0, count: workCount + 1)
        var titleCount = 0
        for w in profiles.indices {  // fields read in place (`enumerated()` copies each profile: ≈ 50 retains and releases)
            workTitleStart[w] = UInt32(titleCount)
            titleCount += min(profiles[src[w]].titles.count(where: { !$0.isEmpty }) + profiles[src[w]].titleVariants.count(where: { !$0.isEmpty }),
                              options.maxTitlesPerWork)
        }
        workTitleStart[workCount] = UInt32(titleCount)
        // Ties (equal scores, equal norms) are broken by hashes of the work ids, not of the ordinals: ordinals follow
        // title order and move whenever a work is added before others, and the results must not move with them.
        let workTie: [UInt64] = profiles.withUnsafeBufferPointer { p in src.map { Self.stableHash(p[$0].workId) } }
        var titleTie = [UInt32](repeating: 0, count: titleCount)
        for w in 0..<workCount {
            let t0 = Int(workTitleStart[w])
            for t in t0..<Int(workTitleStart[w + 1]) { titleTie[t] = UInt32(truncatingIfNeeded: TermHash.mix(workTie[w] &+ UInt64(t - t0))) }
        }

        // 2. Terms of every title (parallel over works), as sorted distinct hashes.
        let chunks = chunkRanges(workCount, parts: threads * 4)
        let chunkTerms = ResultSlots<([UInt64], [UInt32])>(count: chunks.count)
        parallel(chunks.count, threads: threads) { c in
            var extractor = TermExtractor()
            var terms: [UInt64] = []
            var all: [UInt64] = []
            var counts: [UInt32] = []
            profiles.withUnsafeBufferPointer { profiles in  // borrowed, not copied (see the profile blobs below)
                for w in chunks[c] {
                    var n = 0
                    for t in [profiles[src[w]].titles, profiles[src[w]].titleVariants].joined() where !t.isEmpty {
                        if n == options.maxTitlesPerWork { break }
                        extractor.titleTerms(t, into: &terms)
                        all.append(contentsOf: terms)
                        counts.append(UInt32(terms.count))
                        n += 1
                    }
                }
            }
            chunkTerms.set(c, (all, counts))
        }
        var termOffsets = [Int](repeating: 0, count: titleCount + 1)
        var occurrences = 0
        do {
            var t = 0
            for c in 0..<chunks.count {
                for n in chunkTerms[c].1 {
                    termOffsets[t] = occurrences
                    occurrences += Int(n)
                    t += 1
                }
            }
            termOffsets[titleCount] = occurrences
        }
        lap("title terms")

        // 3. Term dictionary (open addressing, load ≤ 0.5) and per-occurrence slots.
        var table = GrowableTable(capacity: 1 << 16)
        for c in 0..<chunks.count {
            for h in chunkTerms[c].0 { table.insert(h) }
        }
        var slots = [UInt32](repeating: 0, count: occurrences)
        do {
            // The table is complete: look the slots up in parallel, each chunk into its own range.
            var chunkStart = [Int](repeating: 0, count: chunks.count)
            for c in 1..<max(1, chunks.count) { chunkStart[c] = chunkStart[c - 1] + chunkTerms[c - 1].0.count }
            let finished = table
            slots.withUnsafeMutableBufferPointer { out in
                let out = UncheckedBox(out)
                parallel(chunks.count, threads: threads) { c in
                    guard let (keys, _) = chunkTerms.take(c) else { return }
                    for (k, h) in keys.enumerated() { out.value[chunkStart[c] + k] = UInt32(finished.find(h)) }
                }
            }
        }
        let termCapacity = table.capacity
        var df = [UInt32](repeating: 0, count: termCapacity)
        df.withUnsafeMutableBufferPointer { out in
            let out = UncheckedBox(out)
            forEachSlotRange(termCapacity, threads: threads) { lo, hi in
                let df = out.value
                for s in slots where s >= lo && s < hi { df[Int(s)] += 1 }
            }
        }
        let titleN = Float(max(titleCount, 1))
        var idf = [Float](repeating: 0, count: termCapacity)
        for i in 0..<termCapacity where df[i] > 0 { idf[i] = log(1 + titleN / Float(df[i])) }
        let titleIDFMax = log(1 + titleN)
        var titleNorm = [Float](repeating: 0, count: titleCount)
        titleNorm.withUnsafeMutableBufferPointer { out in
            let out = UncheckedBox(out)
            let titleChunks = chunkRanges(titleCount, parts: threads * 4)
            parallel(titleChunks.count, threads: threads) { c in
                for t in titleChunks[c] {
                    var sq: Float = 0
                    for o in termOffsets[t]..<termOffsets[t + 1] { let v = idf[Int(slots[o])]; sq += v * v }
                    out.value[t] = sq.squareRoot()
                }
            }
        }
        st.distinctTitleTerms = table.count
        lap("term dictionary")

        // 4. Postings: counting sort by term (titles ascending), then caps by impact.
        let cap = max(1, options.postingCap)
        var fullStart = [Int](repeating: 0, count: termCapacity + 1)
        for i in 0..<termCapacity { fullStart[i + 1] = fullStart[i] + Int(df[i]) }
        var full = [UInt32](repeating: 0, count: occurrences)
        full.withUnsafeMutableBufferPointer { out in
            let out = UncheckedBox(out)
            var cursor = fullStart
            cursor.withUnsafeMutableBufferPointer { cursor in
                let cursor = UncheckedBox(cursor)
                forEachSlotRange(termCapacity, threads: threads) { lo, hi in
                    let (full, cursor) = (out.value, cursor.value)
                    for t in 0..<titleCount {
                        for o in termOffsets[t]..<termOffsets[t + 1] where slots[o] >= lo && slots[o] < hi {
                            let s = Int(slots[o])
                            full[cursor[s]] = UInt32(t)
                            cursor[s] += 1
                        }
                    }
                }
            }
        }
        var termStart = [UInt32](repeating: 0, count: termCapacity)
        var termCount = [UInt32](repeating: 0, count: termCapacity)
        var postingCount = 0
        for i in 0..<termCapacity {
            termStart[i] = UInt32(postingCount)
            // Whole-title terms keep every title (up to a hard limit): an exact title is always a candidate,
            // however many works share it, and the artist then tells them apart.
            termCount[i] = UInt32(min(Int(df[i]), TermHash.isWhole(table.keys[i]) ? max(cap, MatchIndexOptions.wholeTitleCap) : cap))
            postingCount += Int(termCount[i])
            if Int(df[i]) > Int(termCount[i]) { st.cappedTerms += 1 }
        }
        lap("postings")

        // 5. Artist terms: words of performer and writer names, per work (extracted in parallel over works).
        let artistChunks = ResultSlots<(keys: [UInt64], work: [UInt32], name: [UInt32], names: Int)>(count: chunks.count)
        parallel(chunks.count, threads: threads) { c in
            var terms: [UInt64] = []
            var keys: [UInt64] = []
            var works: [UInt32] = []
            var names: [UInt32] = []
            var nameCount = 0
            profiles.withUnsafeBufferPointer { profiles in  // borrowed, not copied
                for w in chunks[c] {
                    for list in [profiles[src[w]].performers, profiles[src[w]].writers] {
                        for name in list where !name.isEmpty {
                            TermExtractor.artistTerms(name, into: &terms)
                            keys.append(contentsOf: terms)
                            works.append(contentsOf: repeatElement(UInt32(w), count: terms.count))
                            names.append(contentsOf: repeatElement(UInt32(nameCount), count: terms.count))
                            nameCount += 1
                        }
                    }
                }
            }
            artistChunks.set(c, (keys, works, names, nameCount))
        }
        // Occurrences in work order: slot (term), work, name (global ordinal).
        var artistTable = GrowableTable(capacity: 1 << 12)
        var occSlot: [UInt32] = []
        var occWork: [UInt32] = []
        var occName: [UInt32] = []
        var nameCount = 0
        do {
            let total = (0..<chunks.count).reduce(0) { $0 + artistChunks[$1].keys.count }
            occWork.reserveCapacity(total)
            occName.reserveCapacity(total)
            for c in 0..<chunks.count {
                for h in artistChunks[c].keys { artistTable.insert(h) }
            }
            // Slots looked up in parallel (the table is complete), each chunk into its own range.
            occSlot = [UInt32](repeating: 0, count: total)
            var chunkStart = [Int](repeating: 0, count: chunks.count)
            for c in 1..<max(1, chunks.count) { chunkStart[c] = chunkStart[c - 1] + artistChunks[c - 1].keys.count }
            let finished = artistTable
            occSlot.withUnsafeMutableBufferPointer { out in
                let out = UncheckedBox(out)
                parallel(chunks.count, threads: threads) { c in
                    for (k, h) in artistChunks[c].keys.enumerated() { out.value[chunkStart[c] + k] = UInt32(finished.find(h)) }
                }
            }
            for c in 0..<chunks.count {
                guard let part = artistChunks.take(c) else { continue }
                occWork.append(contentsOf: part.work)
                for n in part.name { occName.append(UInt32(nameCount) + n) }
                nameCount += part.names
            }
        }
        let artistCapacity = artistTable.capacity
        // Document frequency counts works, not names.
        var artistDF = [UInt32](repeating: 0, count: artistCapacity)
        do {
            var lastWork = [UInt32](repeating: UInt32.max, count: artistCapacity)
            artistDF.withUnsafeMutableBufferPointer { df in
                lastWork.withUnsafeMutableBufferPointer { last in
                    let df = UncheckedBox(df)
                    let last = UncheckedBox(last)
                    forEachSlotRange(artistCapacity, threads: threads) { lo, hi in
                        let (df, last) = (df.value, last.value)
                        for o in 0..<occSlot.count where occSlot[o] >= lo && occSlot[o] < hi && last[Int(occSlot[o])] != occWork[o] {
                            last[Int(occSlot[o])] = occWork[o]
                            df[Int(occSlot[o])] += 1
                        }
                    }
                }
            }
        }
        let workN = Float(max(workCount, 1))
        var artistIDF = [Float](repeating: 0, count: artistCapacity)
        for i in 0..<artistCapacity where artistDF[i] > 0 { artistIDF[i] = log(1 + workN / Float(artistDF[i])) }
        let artistIDFMax = log(1 + workN)
        var nameNorm = [Float](repeating: 0, count: nameCount)
        nameNorm.withUnsafeMutableBufferPointer { out in
            // Occurrences are in name order: chunks cut where the name changes sum disjoint names.
            var cuts = chunkRanges(occSlot.count, parts: threads * 4).map(\.lowerBound) + [occSlot.count]
            for k in 1..<(cuts.count - 1) {
                while cuts[k] < occSlot.count && cuts[k] > 0 && occName[cuts[k]] == occName[cuts[k] - 1] { cuts[k] += 1 }
                cuts[k] = max(cuts[k], cuts[k - 1])
            }
            let out = UncheckedBox(out)
            parallel(cuts.count - 1, threads: threads) { c in
                let norm = out.value
                for o in cuts[c]..<cuts[c + 1] {
                    let x = artistIDF[Int(occSlot[o])]
                    norm[Int(occName[o])] += x * x
                }
            }
        }
        for i in 0..<nameCount { nameNorm[i] = nameNorm[i].squareRoot() }
        // Counting sort by slot (stable: works ascending within a slot), one entry per (slot, work) with the
        // best weight idf/norm(name) over the work's names.
        var bucketStart = [Int](repeating: 0, count: artistCapacity + 1)
        for s in occSlot { bucketStart[Int(s) + 1] += 1 }
        for i in 0..<artistCapacity { bucketStart[i + 1] += bucketStart[i] }
        var bucketWork = [UInt32](repeating: 0, count: occSlot.count)
        var bucketWeight = [Float](repeating: 0, count: occSlot.count)
        var uniqueCount = [Int](repeating: 0, count: artistCapacity)
        bucketWork.withUnsafeMutableBufferPointer { bw in
            bucketWeight.withUnsafeMutableBufferPointer { bx in
                uniqueCount.withUnsafeMutableBufferPointer { uc in
                    let boxes = UncheckedBox((bw, bx, uc))
                    forEachSlotRange(artistCapacity, threads: threads) { lo, hi in
                        let (bucketWork, bucketWeight, uniqueCount) = boxes.value
                        for o in 0..<occSlot.count where occSlot[o] >= lo && occSlot[o] < hi {
                            let slot = Int(occSlot[o])
                            let n = nameNorm[Int(occName[o])]
                            let x = n > 0 ? artistIDF[slot] / n : 0
                            let at = bucketStart[slot] + uniqueCount[slot]
                            if uniqueCount[slot] > 0 && bucketWork[at - 1] == occWork[o] {
                                bucketWeight[at - 1] = max(bucketWeight[at - 1], x)
                            } else {
                                bucketWork[at] = occWork[o]
                                bucketWeight[at] = x
                                uniqueCount[slot] += 1
                            }
                        }
                    }
                }
            }
        }
        occSlot = []
        occWork = []
        occName = []
        // Impact order (largest weight first), capped; whole-name terms keep every work.
        var artistStart = [UInt32](repeating: 0, count: artistCapacity)
        var artistCount = [UInt32](repeating: 0, count: artistCapacity)
        var artistPostings = 0
        for slot in 0..<artistCapacity {
            let artistCap = TermHash.isWhole(artistTable.keys[slot]) ? max(options.artistPostingCap, MatchIndexOptions.wholeTitleCap)
                : options.artistPostingCap
            if uniqueCount[slot] > 0 { artistStart[slot] = UInt32(artistPostings) }
            artistCount[slot] = UInt32(min(uniqueCount[slot], artistCap))
            artistPostings += Int(artistCount[slot])
        }
        var artistWork = [UInt32](repeating: 0, count: artistPostings)
        var artistWeight = [Float](repeating: 0, count: artistPostings)
        artistWork.withUnsafeMutableBufferPointer { outWork in
            artistWeight.withUnsafeMutableBufferPointer { outWeight in
                let outW = UncheckedBox(outWork)
                let outX = UncheckedBox(outWeight)
                let slotChunks = chunkRanges(artistCapacity, parts: threads * 8)
                parallel(slotChunks.count, threads: threads) { c in
                    // Sort keys (weight descending, then the work id's tie hash, then the ordinal) made once per entry:
                    // compared as they are, with no lookups in the comparisons. Weights are ≥ 0, so their bit
                    // patterns order as they do.
                    var range: [(UInt64, UInt64)] = []
                    let (outW, outX) = (outW.value, outX.value)
                    for slot in slotChunks[c] where artistCount[slot] > 0 {
                        range.removeAll(keepingCapacity: true)
                        for i in bucketStart[slot]..<(bucketStart[slot] + uniqueCount[slot]) {
                            let (w, tie) = (bucketWork[i], workTie[Int(bucketWork[i])])
                            range.append((UInt64(~bucketWeight[i].bitPattern) << 32 | tie >> 32, (tie & 0xffff_ffff) << 32 | UInt64(w)))
                        }
                        range.sort { $0.0 != $1.0 ? $0.0 < $1.0 : $0.1 < $1.1 }
                        let dst = Int(artistStart[slot])
                        for k in 0..<Int(artistCount[slot]) {
                            outW[dst + k] = UInt32(truncatingIfNeeded: range[k].1)
                            outX[dst + k] = Float(bitPattern: ~UInt32(truncatingIfNeeded: range[k].0 >> 32))
                        }
                    }
                }
            }
        }
        st.distinctArtistTerms = artistTable.count
        lap("artist postings")

        // 6. ISRC links and profile blobs.
        // ISRCs on the works' recordings are stated by a registration (confidence 1); explicit links
        // carry their own. A pair given twice keeps its highest confidence.
        var isrcPairs: [(UInt64, UInt32, Float)] = []
        do {
            // By ISRC, then work; a pair given twice keeps its highest confidence (first).
            let pairOrder: ((UInt64, UInt32, Float), (UInt64, UInt32, Float)) -> Bool = {
                $0.0 != $1.0 ? $0.0 < $1.0 : $0.1 != $1.1 ? $0.1 < $1.1 : $0.2 > $1.2
            }
            let parts = ResultSlots<[(UInt64, UInt32, Float)]>(count: chunks.count + 1)
            parallel(chunks.count + 1, threads: threads) { c in
                var out: [(UInt64, UInt32, Float)] = []
                if c > 0 {  // the links first: the largest part
                    profiles.withUnsafeBufferPointer { profiles in
                        for w in chunks[c - 1] {
                            for i in profiles[src[w]].isrcs { if let k = ISRCKey.pack(i) { out.append((k, UInt32(w), 1)) } }
                        }
                    }
                } else {
                    for l in links where l.work >= 0 && l.work < workCount {
                        if let k = ISRCKey.pack(l.isrc) { out.append((k, UInt32(l.work), min(1, max(0, l.confidence)))) }
                    }
                }
                out.sort(by: pairOrder)
                parts.set(c, out)
            }
            // Sorted parts merged pairwise (equal pairs are equal values: the order is the one sort's).
            var sorted = (0...chunks.count).map { parts.take($0) ?? [] }
            while sorted.count > 1 {
                var next: [[(UInt64, UInt32, Float)]] = []
                var k = 0
                while k + 1 < sorted.count {
                    next.append(Self.merged(sorted[k], sorted[k + 1], by: pairOrder))
                    k += 2
                }
                if k < sorted.count { next.append(sorted[k]) }
                sorted = next
            }
            isrcPairs = sorted.first ?? []
        }
        do {
            var unique: [(UInt64, UInt32, Float)] = []
            unique.reserveCapacity(isrcPairs.count)
            for p in isrcPairs where unique.last.map({ $0.0 != p.0 || $0.1 != p.1 }) ?? true { unique.append(p) }
            isrcPairs = unique
        }
        lap("links")

        // Profile blobs (what `profile(_:)` decodes) and packed comparison records (as the decoded profile
        // reads: what the pair features of a candidate need, read in place at match time), parallel over works.
        var blobOffsets = [UInt64](repeating: 0, count: workCount + 1)
        var packedOffsets = [UInt64](repeating: 0, count: workCount + 1)
        let packChunks = chunkRanges(workCount, parts: threads * 4)
        let packedParts = ResultSlots<(blob: [UInt8], blobAt: [Int], packed: [UInt32], packedAt: [Int])>(count: packChunks.count)
        parallel(packChunks.count, threads: threads) { c in
            var blob: [UInt8] = []
            var blobAt: [Int] = []
            var writer = PackedWriter(reserving: packChunks[c].count * 128)
            var offsets: [Int] = []
            blobAt.reserveCapacity(packChunks[c].count)
            offsets.reserveCapacity(packChunks[c].count)
            // Profiles passed from the buffer, borrowed: passed as `profiles[w]`, each was copied (perf: its copy and
            // destroy witnesses) for the two calls.
            profiles.withUnsafeBufferPointer { profiles in
                for w in packChunks[c] {
                    blobAt.append(blob.count)
                    ProfileBlob.encode(profiles[src[w]], into: &blob)
                    offsets.append(writer.out.count)
                    ProfileBlob.withDecoded(profiles[src[w]]) { PackedWork.encode($0, into: &writer, releaseDates: false) }
                }
            }
            packedParts.set(c, (blob, blobAt, writer.out, offsets))
        }
        var packedWords = 0
        var blobBytes = 0
        for c in 0..<packChunks.count {
            let part = packedParts[c]
            for (k, w) in packChunks[c].enumerated() {
                blobOffsets[w] = UInt64(blobBytes + part.blobAt[k])
                packedOffsets[w] = UInt64(packedWords + part.packedAt[k])
            }
            blobBytes += part.blob.count
            packedWords += part.packed.count
        }
        blobOffsets[workCount] = UInt64(blobBytes)
        packedOffsets[workCount] = UInt64(packedWords)
        lap("profile blobs and packed records")

        // 7. The image.
        let layout = Layout(workCount: workCount, titleCount: titleCount, dim: dim, termCapacity: termCapacity,
                            postingCount: postingCount, artistTermCapacity: artistCapacity, artistPostingCount: artistWork.count,
                            isrcCount: isrcPairs.count, blobBytes: blobBytes, packedWords: packedWords)
        // Fresh anonymous pages are zero: the padding between sections needs no clearing, so images are
        // byte-for-byte reproducible, and no section is written twice.
        guard let mapped = mmap(nil, layout.totalBytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0),
              mapped != MAP_FAILED else {
            preconditionFailure("cannot map \(layout.totalBytes) bytes for the match index: \(String(cString: strerror(errno)))")
        }
        let base = mapped
        // Transparent huge pages where the kernel offers them on request: 512× fewer page faults.
        _ = madvise(base, layout.totalBytes, MADV_HUGEPAGE)
        let header = Header(version: MatchIndex.formatVersion, layout: layout, postingCap: cap, artistPostingCap: options.artistPostingCap,
                            titleIDFMax: titleIDFMax, artistIDFMax: artistIDFMax, stamp: stamp)
        header.write(into: UnsafeMutableRawBufferPointer(start: base, count: MatchIndex.headerSize))
        func section<T>(_ s: Layout.Section, _: T.Type) -> UnsafeMutableBufferPointer<T> {
            let (off, len) = layout.sections[s.rawValue]
            return UnsafeMutableBufferPointer(start: (base + off).bindMemory(to: T.self, capacity: len / MemoryLayout<T>.stride),
                                              count: len / MemoryLayout<T>.stride)
        }
        func copy<T>(_ a: [T], to s: Layout.Section) {
            let dst = section(s, T.self)
            a.withUnsafeBufferPointer { src in _ = dst.initialize(from: src) }
        }
        copy(workTitleStart, to: .workTitleStart)
        copy(blobOffsets, to: .workBlobOffset)
        do {
            let meta = UncheckedBox(section(.titleMeta, UInt32.self))
            let keys = table.keys
            parallel(chunks.count, threads: threads) { c in
                for w in chunks[c] {
                    for t in Int(workTitleStart[w])..<Int(workTitleStart[w + 1]) {
                        meta.value[2 * t] = UInt32(w)
                        var sharing: UInt32 = 1
                        for o in termOffsets[t]..<termOffsets[t + 1] where TermHash.isWhole(keys[Int(slots[o])]) {
                            sharing = df[Int(slots[o])]
                        }
                        meta.value[2 * t + 1] = sharing
                    }
                }
            }
        }
        copy(table.keys, to: .termKeys)
        copy(termStart, to: .termStart)
        copy(termCount, to: .termCount)
        copy(idf, to: .termIDF)
        do {
            // Impact order: within a posting, titles where the term weighs most (smallest IDF norm) come
            // first, so a capped posting keeps them and a query on a scanning budget reads them first.
            let post = section(.postings, UInt32.self).baseAddress!
            let postWeight = section(.postingWeights, UInt16.self).baseAddress!
            let termChunks = chunkRanges(termCapacity, parts: threads * 8)
            parallel(termChunks.count, threads: threads) { c in
                // Equal norms are ordered by a hash of the title's work id (`titleTie`), not the ordinal, so a
                // capped posting neither favours some works nor changes when other works are added.
                var keys: [(UInt64, UInt32)] = []
                for i in termChunks[c] where df[i] > 0 {
                    let src = fullStart[i]..<fullStart[i + 1]
                    let dst = Int(termStart[i])
                    keys.removeAll(keepingCapacity: true)
                    for o in src {
                        let t = full[o]
                        keys.append((UInt64(titleNorm[Int(t)].bitPattern) << 32 | UInt64(titleTie[Int(t)]), t))
                    }
                    keys.sort { $0.0 != $1.0 ? $0.0 < $1.0 : $0.1 < $1.1 }
                    for k in 0..<Int(termCount[i]) {
                        let t = keys[k].1
                        post[dst + k] = t
                        let w = idf[i] / max(titleNorm[Int(t)], 1e-6)
                        postWeight[dst + k] = UInt16(clamping: max(1, Int((min(1, w) * 65535).rounded())))
                    }
                }
            }
        }
        full = []
        copy(artistTable.keys, to: .artistKeys)
        copy(artistStart, to: .artistStart)
        copy(artistCount, to: .artistCount)
        copy(artistIDF, to: .artistIDF)
        copy(artistWork, to: .artistPostWork)
        copy(artistWeight, to: .artistPostWeight)
        copy(isrcPairs.map(\.0), to: .isrcKeys)
        copy(isrcPairs.map(\.1), to: .isrcWork)
        copy(isrcPairs.map(\.2), to: .isrcConfidence)
        // Per work: duration (seconds, 0 unknown) in the low 16 bits, the work id's tie hash in the high 16 (read together).
        copy((0..<workCount).map { w in
            UInt32(UInt16(clamping: max(0, profiles[src[w]].duration ?? 0))) | UInt32(truncatingIfNeeded: workTie[w] & 0xffff) << 16
        }, to: .workDuration)
        copy(packedOffsets, to: .packedOffset)
        do {
            // Each chunk's part copied in place (its offsets are the sums before it), in parallel: ≈ 1 GB, most of it
            // first touches of the fresh map.
            let sections = UncheckedBox((section(.blobs, UInt8.self), section(.packed, UInt32.self)))
            var blobAt = [Int](repeating: 0, count: packChunks.count)
            var packedAt = [Int](repeating: 0, count: packChunks.count)
            for c in 1..<max(1, packChunks.count) {
                blobAt[c] = blobAt[c - 1] + packedParts[c - 1].blob.count
                packedAt[c] = packedAt[c - 1] + packedParts[c - 1].packed.count
            }
            parallel(packChunks.count, threads: threads) { c in
                guard let part = packedParts.take(c) else { return }
                let (blobs, packed) = sections.value
                part.blob.withUnsafeBufferPointer { src in
                    if src.count > 0 { (blobs.baseAddress! + blobAt[c]).update(from: src.baseAddress!, count: src.count) }
                }
                part.packed.withUnsafeBufferPointer { src in
                    if src.count > 0 { (packed.baseAddress! + packedAt[c]).update(from: src.baseAddress!, count: src.count) }
                }
            }
        }
        lap("image")
        if let imageReady {
            let pending = [Layout.Section.vectors, .vectorScales].map { s in
                let (off, len) = layout.sections[s.rawValue]
                return off..<(off + len)
            }
            imageReady(UnsafeRawBufferPointer(start: base, count: layout.totalBytes),
                       MatchIndexFile.complement(of: pending, in: 0..<layout.totalBytes))
        }

        // 8. Hashed title vectors (parallel over titles).
        do {
            let vec = section(.vectors, Int8.self)
            let scales = section(.vectorScales, Float.self)
            let keys = table.keys
            let vbase = vec.baseAddress!
            let sbase = scales.baseAddress!
            let tchunks = chunkRanges(titleCount, parts: threads * 4)
            parallel(tchunks.count, threads: threads) { c in
                var h: [UInt64] = []
                var wts: [Float] = []
                var v = [Float](repeating: 0, count: dim)
                for t in tchunks[c] {
                    h.removeAll(keepingCapacity: true)
                    wts.removeAll(keepingCapacity: true)
                    for o in termOffsets[t]..<termOffsets[t + 1] {
                        let s = Int(slots[o])
                        h.append(keys[s])
                        wts.append(idf[s])
                    }
                    h.withUnsafeBufferPointer { hb in
                        wts.withUnsafeBufferPointer { wb in
                            v.withUnsafeMutableBufferPointer { vb in
                                HashedVector.fill(terms: hb, weights: wb, dim: dim, out: vb.baseAddress!)
                                sbase[t] = HashedVector.quantize(vb.baseAddress!, dim: dim, into: vbase + t * dim)
                            }
                        }
                    }
                }
            }
        }
        lap("vectors")
        stats?.pointee = st
        let storage = MatchIndex.Storage(base: base, count: layout.totalBytes)
        do {
            return try MatchIndex(storage: storage, path: "(memory)")
        } catch {
            preconditionFailure("freshly built index fails its own checks: \(error)")
        }
    }

    /// Two sorted arrays merged into one sorted array (`a`'s element first between equals).
    static func merged<T>(_ a: [T], _ b: [T], by less: (T, T) -> Bool) -> [T] {
        var out: [T] = []
        out.reserveCapacity(a.count + b.count)
        var i = 0
        var j = 0
        while i < a.count && j < b.count {
            if less(b[j], a[i]) {
                out.append(b[j])
                j += 1
            } else {
                out.append(a[i])
                i += 1
            }
        }
        out.append(contentsOf: a[i...])
        out.append(contentsOf: b[j...])
        return out
    }

    /// FNV-1a of `text`'s UTF-8: the same on every run and machine (Swift's `Hasher` is seeded per process).
    static func fnv1a(_ text: String) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in text.utf8 { h = (h ^ UInt64(b)) &* 0x0000_0100_0000_01b3 }
        return h
    }

    /// `fnv1a` mixed: a work id's tie hash.
    static func stableHash(_ text: String) -> UInt64 { TermHash.mix(fnv1a(text)) }

    /// The order of `profiles` by their first (original) normalized title — its first 16 bytes, then hashes of the whole
    /// title and of the work id (deterministic) — as positions in `profiles`: the order work ordinals follow in an index
    /// built with it (`build(profiles:order:)`, `MatchIndexSource`). A recording's candidates are mostly works of the same
    /// or nearly the same title (namesakes, "… 2", "… (Remix)"), and its neighbours in a batch (sorted by title) share
    /// them: in title order their title vectors, packed records and durations, which the dense step and the pair
    /// features read at random from the mapped index, sit on the same pages and often the same cache lines (measured on
    /// 200k bench lines at 1M works, docs/MATCHING.md, session 19). It also makes the index independent of the order the
    /// works were imported in. Exact title order is not needed, only that works whose titles begin alike are adjacent:
    /// comparing the strings themselves, and moving the profiles into the order, took 4–8 s at 1M works.
    public static func orderForLocality(_ profiles: [WorkProfile], threads: Int = 2) -> [Int32] {
        // 32 bytes a key: the title's first 16 bytes big-endian, a hash of the whole title (titles alike beyond 16 bytes
        // are ordered by it, namesakes stay together), a hash of the work id, the position.
        struct Key: Comparable {
            var p0: UInt64, p1: UInt64, title: UInt64, id: UInt32, index: Int32
            static func < (a: Key, b: Key) -> Bool { (a.p0, a.p1, a.title, a.id, a.index) < (b.p0, b.p1, b.title, b.id, b.index) }
        }
        let n = profiles.count
        var keys = [Key](repeating: Key(p0: 0, p1: 0, title: 0, id: 0, index: 0), count: n)
        keys.withUnsafeMutableBufferPointer { out in
            let box = UncheckedBox(out)
            profiles.withUnsafeBufferPointer { profiles in  // borrowed, not copied
                let chunks = chunkRanges(n, parts: max(1, threads) * 4)
                parallel(chunks.count, threads: threads) { c in
                    for i in chunks[c] {
                        let title = profiles[i].titles.first ?? ""
                        var p0: UInt64 = 0, p1: UInt64 = 0
                        var k = 0
                        for b in title.utf8.prefix(16) {
                            if k < 8 { p0 |= UInt64(b) << UInt64(56 - 8 * k) } else { p1 |= UInt64(b) << UInt64(120 - 8 * k) }
                            k += 1
                        }
                        box.value[i] = Key(p0: p0, p1: p1, title: fnv1a(title), id: UInt32(truncatingIfNeeded: fnv1a(profiles[i].workId)),
                                           index: Int32(i))
                    }
                }
            }
        }
        keys.sort()
        return keys.map(\.index)
    }

    /// Profiles of `works` built on `threads` threads (one `ProfileBuilder` each), in order.
    public static func profiles(of works: [Work], threads: Int = 2) -> [WorkProfile] {
        let chunks = chunkRanges(works.count, parts: max(1, threads) * 4)
        let out = ResultSlots<MovableChunk<WorkProfile>>(count: chunks.count)
        parallel(chunks.count, threads: threads) { c in
            let builder = ProfileBuilder()
            let range = chunks[c]
            out.set(c, MovableChunk(count: range.count) { builder.work(works[range.lowerBound + $0]) })
        }
        return MovableChunk.concatenate((0..<chunks.count).compactMap { out.take($0) })
    }

    /// Profiles of the works `produce` emits in chunks, in emission order, built on `threads` threads
    /// while `produce` goes on reading on the calling thread (reading a catalogue is single-threaded:
    /// overlapping it with the profiles hides most of it). At most `queued` chunks wait unprofiled, so
    /// the works are never all in memory at once. An error thrown by `produce` is rethrown once the
    /// workers have finished; the profiles are then discarded.
    ///
    /// `sketches: false` builds the profiles without their comparison data (`ProfileBuilder.work(_:sketch:)`): enough for
    /// `build`, which packs decoded profiles, and nothing else.
    ///
    /// `expected` (the number of works `produce` is about to emit, e.g. the catalogue's count): the profiles are built
    /// straight into the result's storage, each chunk at its place, instead of into chunks moved into one array at the
    /// end — a serial copy into fresh memory (≈ 1.5–2 s of one core at 1M works on this project's VM, where first
    /// touches are dear) and the profiles held twice meanwhile. Works beyond `expected` (the catalogue grew between the
    /// count and the read) take the chunked way and are appended; fewer works than expected give a shorter array.
    public static func profiles(
        threads: Int = 2, queued: Int = 4, sketches: Bool = true, expected: Int? = nil,
        produce: (_ emit: ([Work]) -> Void) throws -> Void
    ) throws -> [WorkProfile] {
        let workers = max(1, threads)
        // Queue items: (first position, works); positions past `capacity` go to chunks.
        let queue = ChunkQueue<(Int, [Work])>(capacity: max(1, queued))
        let out = ResultSlots<MovableChunk<WorkProfile>>(count: 0)
        var failure: (any Error)?
        let capacity = max(0, expected ?? 0)
        var emitted = 0
        var directEnd = 0  // positions before it were built in place (chunks are emitted in order: a prefix)
        var profiles = [WorkProfile](unsafeUninitializedCapacity: capacity) { buffer, initialized in
            let base = UncheckedSendable(buffer.baseAddress)
            parallelWorkers(workers + 1) { w in
                if w == 0 {
                    do {
                        try produce { works in
                            queue.put((emitted, works))
                            emitted += works.count
                            if emitted <= capacity { directEnd = emitted }
                        }
                    } catch {
                        failure = error
                    }
                    queue.finish()
                    return
                }
                let builder = ProfileBuilder()
                while let (i, (first, works)) = queue.take() {
                    if let base = base.value, first + works.count <= capacity {
                        for k in works.indices { (base + first + k).initialize(to: builder.work(works[k], sketch: sketches)) }
                    } else {
                        out.append(i, MovableChunk(count: works.count) { builder.work(works[$0], sketch: sketches) })
                    }
                }
            }
            // Every emitted chunk was profiled (the workers drain the queue, also after an error): the chunks built in
            // place are those before the first that did not fit, whole.
            initialized = directEnd
        }
        if let failure { throw failure }
        if out.count > 0 { profiles.append(contentsOf: MovableChunk.concatenate((0..<out.count).compactMap { out.take($0) })) }
        return profiles
    }
}

/// A bounded first-in first-out hand-off between one producer and several consumers; items are
/// numbered in the order they were put.
final class ChunkQueue<T>: @unchecked Sendable {
    private let condition = NSCondition()
    private var items: [(Int, T)] = []
    private var head = 0
    private var produced = 0
    private var finished = false
    private let capacity: Int

    init(capacity: Int) { self.capacity = capacity }

    /// Waits while `capacity` items are waiting.
    func put(_ item: T) {
        condition.lock()
        while items.count - head >= capacity { condition.wait() }
        items.append((produced, item))
        produced += 1
        condition.broadcast()
        condition.unlock()
    }

    /// No more items: `take` returns nil once the queue is empty.
    func finish() {
        condition.lock()
        finished = true
        condition.broadcast()
        condition.unlock()
    }

    /// The next item and its number; waits for one; nil when finished and empty.
    func take() -> (Int, T)? {
        condition.lock()
        defer { condition.unlock() }
        while head == items.count && !finished { condition.wait() }
        guard head < items.count else { return nil }
        let item = items[head]
        head += 1
        if head > 64 && head * 2 > items.count {
            items.removeFirst(head)
            head = 0
        }
        condition.broadcast()
        return item
    }
}

// MARK: - Helpers

/// Linear-probing table of 64-bit keys (0 = empty) that doubles at load 0.5. Insert everything
/// first, then `find` the final slots.
struct GrowableTable {
    private(set) var keys: [UInt64]
    private(set) var count = 0
    var capacity: Int { keys.count }

    init(capacity: Int) {
        keys = [UInt64](repeating: 0, count: max(16, capacity.nextPowerOfTwo))
    }

    mutating func insert(_ key: UInt64) {
        if (count + 1) * 2 > keys.count { grow() }
        let mask = keys.count - 1
        var i = Int(truncatingIfNeeded: key) & mask
        while true {
            let k = keys[i]
            if k == key { return }
            if k == 0 {
                keys[i] = key
                count += 1
                return
            }
            i = (i + 1) & mask
        }
    }

    /// Slot of a key that was inserted.
    func find(_ key: UInt64) -> Int {
        let mask = keys.count - 1
        var i = Int(truncatingIfNeeded: key) & mask
        while keys[i] != key { i = (i + 1) & mask }
        return i
    }

    private mutating func grow() {
        let old = keys
        keys = [UInt64](repeating: 0, count: old.count * 2)
        let mask = keys.count - 1
        for k in old where k != 0 {
            var i = Int(truncatingIfNeeded: k) & mask
            while keys[i] != 0 { i = (i + 1) & mask }
            keys[i] = k
        }
    }
}

extension Int {
    var nextPowerOfTwo: Int {
        var p = 1
        while p < self { p <<= 1 }
        return p
    }
}

func chunkRanges(_ count: Int, parts: Int) -> [Range<Int>] {
    let p = max(1, min(parts, count))
    return (0..<p).map { (count * $0 / p)..<(count * ($0 + 1) / p) }
}

/// Runs `body(lo, hi)` once per thread with that thread's share of the slots 0..<capacity. A counting sort or a count
/// over the slots of a hash table, run this way, reads every item on every thread and writes only the items of its
/// own slots: no two threads write the same slot, and each slot still sees its items in input order (the serial
/// result, byte for byte). The items are read sequentially; the writes, one cache miss each, are what is shared out.
func forEachSlotRange(_ capacity: Int, threads: Int, _ body: (_ lo: UInt32, _ hi: UInt32) -> Void) {
    let ranges = chunkRanges(capacity, parts: max(1, threads))
    parallel(ranges.count, threads: threads) { c in body(UInt32(ranges[c].lowerBound), UInt32(ranges[c].upperBound)) }
}

/// Runs `body(i)` for i in 0..<count on up to `threads` threads.
func parallel(_ count: Int, threads: Int, _ body: (Int) -> Void) {
    guard count > 0 else { return }
    if threads <= 1 || count == 1 {
        for i in 0..<count { body(i) }
        return
    }
    let next = AtomicCounter()
    parallelWorkers(min(threads, count)) { _ in
        while true {
            let i = next.next()
            if i >= count { break }
            body(i)
        }
    }
}

/// Drops `value` on a background thread: releasing a large structure of many small allocations (a report's
/// lines: strings, arrays) touches each of them once, a cost the caller's thread need not wait for. The caller
/// must hand over its only reference (`releaseInBackground(consume x)`), else this only delays a retain count.
public func releaseInBackground<T>(_ value: consuming T) {
    let box = ReleaseBox(value)
    let sendable = UncheckedSendable(box)
    DispatchQueue.global(qos: .utility).async { sendable.value.value = nil }  // the last reference, dropped here
}

/// Holds a value until `releaseInBackground`'s thread sets it to nil.
private final class ReleaseBox<T> {
    var value: T?
    init(_ value: consuming T) { self.value = value }
}

/// Runs `body(worker)` once on each of `threads` threads (worker = 0..<threads) and waits; the
/// calling thread runs worker 0.
///
/// Dedicated threads, not `DispatchQueue.concurrentPerform`: every `oeuvre` command runs in a Swift
/// concurrency task, and `concurrentPerform` called from the cooperative pool ran the iterations
/// one after another on that thread (measured: `--threads 2` no faster than 1, CPU = wall).
public func parallelWorkers(_ threads: Int, _ body: (Int) -> Void) {
    if threads <= 1 {
        body(0)
        return
    }
    withoutActuallyEscaping(body) { body in
        // The threads get an unretained pointer to the box: none of them may keep the non-escaping
        // closure alive past this scope (each is done with it before it signals).
        let box = UncheckedBox(body)
        let raw = RawPointerBox(Unmanaged.passUnretained(box).toOpaque())
        let done = DispatchSemaphore(value: 0)
        for w in 1..<threads {
            let thread = Thread {
                runWorker(raw, w)
                done.signal()
            }
            thread.stackSize = 16 << 20
            thread.start()
        }
        box.value(0)
        for _ in 1..<threads { done.wait() }
        withExtendedLifetime(box) {}
    }
}

@inline(never)
private func runWorker(_ raw: RawPointerBox, _ w: Int) {
    Unmanaged<UncheckedBox<(Int) -> Void>>.fromOpaque(raw.pointer).takeUnretainedValue().value(w)
}

private struct RawPointerBox: @unchecked Sendable {
    let pointer: UnsafeMutableRawPointer
    init(_ pointer: UnsafeMutableRawPointer) { self.pointer = pointer }
}

final class UncheckedBox<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}

public final class AtomicCounter: @unchecked Sendable {
    private var value = 0
    private let lock = NSLock()
    public init() {}
    public func next() -> Int {
        lock.lock()
        defer { lock.unlock() }
        let v = value
        value += 1
        return v
    }
}

/// Elements built by one thread into memory of their own and handed over without copies: `concatenate` moves the
/// elements of several chunks into one array. A struct with many reference-counted fields (a `WorkProfile` has ≈ 50) is
/// then neither retained nor released on the way; appending 1M profiles to one array and freeing the chunks had cost
/// ≈ 3 s of an index build's serial time (perf: the profiles' copy and destroy witnesses).
final class MovableChunk<T>: @unchecked Sendable {
    private let base: UnsafeMutablePointer<T>
    /// Elements initialized from `base` (0 once moved out).
    private(set) var count = 0

    init(count n: Int, _ make: (Int) -> T) {
        base = .allocate(capacity: max(1, n))
        for i in 0..<n {
            (base + i).initialize(to: make(i))
            count += 1
        }
    }

    deinit {
        base.deinitialize(count: count)
        base.deallocate()
    }

    /// The elements of `chunks` in order, moved (the chunks are left empty).
    static func concatenate(_ chunks: [MovableChunk<T>]) -> [T] {
        let total = chunks.reduce(0) { $0 + $1.count }
        return [T](unsafeUninitializedCapacity: total) { out, initialized in
            initialized = 0
            for c in chunks where c.count > 0 {
                (out.baseAddress! + initialized).moveInitialize(from: c.base, count: c.count)
                initialized += c.count
                c.count = 0
            }
        }
    }
}

/// One result slot per parallel chunk, written by exactly one thread each.
final class ResultSlots<T>: @unchecked Sendable {
    private var items: [T?]
    private let lock = NSLock()
    init(count: Int) { items = Array(repeating: nil, count: count) }
    /// Number of slots.
    var count: Int {
        lock.lock()
        defer { lock.unlock() }
        return items.count
    }
    /// Sets slot `i`, adding empty slots up to it when the count was not known in advance.
    func append(_ i: Int, _ v: T) {
        lock.lock()
        if items.count <= i { items.append(contentsOf: repeatElement(nil, count: i + 1 - items.count)) }
        items[i] = v
        lock.unlock()
    }
    func set(_ i: Int, _ v: T) {
        lock.lock()
        items[i] = v
        lock.unlock()
    }
    func clear(_ i: Int) {
        lock.lock()
        items[i] = nil
        lock.unlock()
    }
    subscript(i: Int) -> T {
        lock.lock()
        defer { lock.unlock() }
        return items[i]!
    }
    func get(_ i: Int) -> T? {
        lock.lock()
        defer { lock.unlock() }
        return items[i]
    }
    /// Moves item `i` out (the slot is left empty): the caller owns it uniquely, so its arrays can be
    /// emptied without copying their elements.
    func take(_ i: Int) -> T? {
        lock.lock()
        defer { lock.unlock() }
        var v: T? = nil
        swap(&v, &items[i])
        return v
    }
}
