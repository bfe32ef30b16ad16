import CBLAS
import Foundation
import OeuvreCore
import Normalization

/// The match index: everything retrieval needs about the catalogue, in flat arrays that are
/// memory-mapped from one file (docs/MATCHING.md, "The match index", describes the layout).
///
/// - Titles (every normalized title of every work, grouped by work): the work they belong to, the
///   IDF norm of their term set, and a hashed n-gram vector (`dim` int8 and a Float scale, L2-normalized;
///   see `HashedVector.quantize`).
/// - Title terms (character trigrams and words) → postings of title ordinals, capped: a term whose
///   document frequency exceeds the cap keeps only the titles in which it weighs most (shortest IDF
///   norm). The true document frequency still sets its IDF.
/// - Artist terms (words of performer and writer names) → postings of (work, weight).
/// - ISRC → work links (sorted keys, several works per ISRC allowed).
/// - Work profiles, serialized, decoded on demand for the scorer and the results.
///
/// Immutable after loading; shared read-only by all matching tasks.
public final class MatchIndex: @unchecked Sendable {
    public static let magic: [UInt8] = Array("OEUVIDX1".utf8)
    /// Bump when the layout or the meaning of any array changes: older files are then rebuilt. (20: the works of an
    /// index built from a catalogue are in title order, `MatchIndexBuilder.orderForLocality`; 21: ties broken by hashes
    /// of the work ids, carried in the high half of `workDuration`.)
    public static let formatVersion: UInt32 = 21

    /// A digest of the word tables that shape the work profiles kept in an index (the normalizer's qualifier
    /// vocabulary, spelling variants, number words, articles, benign qualifier words, upload separators, part
    /// designations, name function words). `MatchIndexSource` adds it to the catalogue's stamp, so an index built
    /// before a table changed is rebuilt without a format bump (a change of *code* that alters profiles still
    /// needs one). Session 7 measured readings on indexes built before their tables changed; this closes that.
    public static let readingsFingerprint: String = {
        var parts: [String] = [String(Normalizer.vocabularyFingerprint, radix: 16), "rules \(TitleParser.rulesRevision)"]
        parts.append(SpellingVariants.canonical.map { "\($0.key)=\($0.value)" }.sorted().joined(separator: ","))
        parts.append((NumberWords.units.map { "\($0.key)=\($0.value)" } + NumberWords.tens.map { "\($0.key)=\($0.value)" })
            .sorted().joined(separator: ","))
        parts.append(LeadingArticle.articles.map { String(decoding: $0, as: UTF8.self) }.joined(separator: ","))
        parts.append(ProfileBuilder.benignQualifierWords.sorted().joined(separator: ","))
        parts.append(ProfileBuilder.segmentSeparators.joined(separator: ","))
        parts.append(ProfileBuilder.designationWords.map(String.init).sorted().joined(separator: ","))
        parts.append(TextSketch.nameFunctionWords.sorted().map(String.init).joined(separator: ","))
        return String(SHA256.hex(parts.joined(separator: "\n")).prefix(16))
    }()
    static let headerSize = 4096
    static let maxStampBytes = 1024

    public let workCount: Int
    public let titleCount: Int
    public let dim: Int
    public let stamp: String
    /// Build parameters recorded in the file.
    public let postingCap: Int
    public let artistPostingCap: Int
    /// IDF given to a title term the catalogue does not contain.
    public let titleIDFMax: Float
    public let artistIDFMax: Float
    /// Size of the mapped image in bytes.
    public let byteCount: Int

    let workTitleStart: UnsafeBufferPointer<UInt32>
    let workBlobOffset: UnsafeBufferPointer<UInt64>
    /// Per title, interleaved: work ordinal and the number of titles sharing its exact text (UInt32 each).
    let titleMeta: UnsafeBufferPointer<UInt32>
    /// Per title, `dim` int8 components (`HashedVector.quantize`); a title's vector is `vectorScales[t]` times them.
    let vectors: UnsafeBufferPointer<Int8>
    /// Per title, the scale of its int8 vector.
    let vectorScales: UnsafeBufferPointer<Float>
    let titleTerms: TermTable
    let postings: UnsafeBufferPointer<UInt32>
    /// Parallel to `postings`: the term's IDF divided by the title's IDF norm, in 1/65535 units, so a
    /// query sums cosines directly without looking the title's norm up.
    let postingWeights: UnsafeBufferPointer<UInt16>
    let artistTerms: TermTable
    let artistPostWork: UnsafeBufferPointer<UInt32>
    let artistPostWeight: UnsafeBufferPointer<Float>
    let isrcKeys: UnsafeBufferPointer<UInt64>
    let isrcWork: UnsafeBufferPointer<UInt32>
    /// Confidence of each link (1 for links stated by a registration or confirmed by a person).
    let isrcConfidence: UnsafeBufferPointer<Float>
    let blobs: UnsafeBufferPointer<UInt8>
    /// Seconds per work (0 = unknown), for telling same-titled works apart in retrieval.
    /// Per work: duration in seconds (0: unknown) in the low 16 bits, a hash of the work id in the high 16
    /// (`workTie`: breaks retrieval ties independently of the ordinals, which move as works are added).
    let workDuration: UnsafeBufferPointer<UInt32>
    /// Per work, the word offset of its packed comparison record (`PackedWork`) in `packed`.
    let packedOffset: UnsafeBufferPointer<UInt64>
    let packed: UnsafeBufferPointer<UInt32>

    private let storage: Storage

    /// Owns the bytes: an mmap'ed file, or the anonymous mapping a build wrote the image into.
    final class Storage {
        let base: UnsafeMutableRawPointer
        let count: Int
        init(base: UnsafeMutableRawPointer, count: Int) {
            self.base = base
            self.count = count
        }
        deinit { munmap(base, count) }
    }

    // MARK: - Loading

    /// Maps `path` read-only. Fails with a clear error when the file is not an index, is from another
    /// format version, or is truncated.
    public static func load(path: String) throws(OeuvreError) -> MatchIndex {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw OeuvreError(.io, "cannot open match index \(path): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw OeuvreError(.io, "cannot stat \(path): \(String(cString: strerror(errno)))") }
        let size = Int(st.st_size)
        guard size >= headerSize else { throw damaged(path, "file is \(size) bytes, shorter than its header") }
        guard let p = mmap(nil, size, PROT_READ, MAP_SHARED, fd, 0), p != MAP_FAILED else {
            throw OeuvreError(.io, "cannot map \(path): \(String(cString: strerror(errno)))")
        }
        let storage = Storage(base: p, count: size)
        return try MatchIndex(storage: storage, path: path)
    }

    /// Whether `path` holds an index of the current format built for `stamp` (reads the header only).
    public static func isCurrent(path: String, stamp: String) -> Bool {
        guard let header = readHeader(path: path) else { return false }
        return header.version == formatVersion && header.stamp == stamp
    }

    /// Header fields of the file at `path`, or nil when it is missing or not an index.
    public static func readHeader(path: String) -> (version: UInt32, stamp: String, works: Int, titles: Int)? {
        guard let fh = FileHandle(forReadingAtPath: path) else { return nil }
        defer { try? fh.close() }
        guard let data = try? fh.read(upToCount: headerSize), data.count == headerSize else { return nil }
        return data.withUnsafeBytes { raw -> (UInt32, String, Int, Int)? in
            guard Array(raw[0..<8]) == magic else { return nil }
            let h = Header(raw: raw)
            return (h.version, h.stamp, h.workCount, h.titleCount)
        }
    }

    /// True when this index was built from a different catalogue state (or an older format).
    public func needsRebuild(stamp: String) -> Bool { stamp != self.stamp }

    static func damaged(_ path: String, _ why: String) -> OeuvreError {
        OeuvreError(.invalidInput, "match index \(path) is damaged or not an index (\(why)); rebuild it with `oeuvre index build`")
    }

    init(storage: Storage, path: String) throws(OeuvreError) {
        self.storage = storage
        let raw = UnsafeRawBufferPointer(start: storage.base, count: storage.count)
        guard Array(raw[0..<8]) == Self.magic else { throw Self.damaged(path, "bad magic") }
        let h = Header(raw: raw)
        guard h.version == Self.formatVersion else {
            throw OeuvreError(.invalidInput, "match index \(path) has format version \(h.version), this oeuvre reads \(Self.formatVersion); rebuild it with `oeuvre index build`")
        }
        guard h.fileSize == storage.count else { throw Self.damaged(path, "size \(storage.count) bytes, header says \(h.fileSize)") }
        guard h.dim >= 8, h.dim % 8 == 0 else { throw Self.damaged(path, "vector dimension \(h.dim) is not a multiple of 8") }
        let layout = Layout(workCount: h.workCount, titleCount: h.titleCount, dim: h.dim, termCapacity: h.termCapacity,
                            postingCount: h.postingCount, artistTermCapacity: h.artistTermCapacity,
                            artistPostingCount: h.artistPostingCount, isrcCount: h.isrcCount, blobBytes: h.blobBytes,
                            packedWords: h.packedWords)
        guard layout.totalBytes == storage.count, layout.sections.elementsEqual(h.sections, by: { $0.0 == $1.0 && $0.1 == $1.1 }) else {
            throw Self.damaged(path, "section table does not match the counts")
        }
        workCount = h.workCount
        titleCount = h.titleCount
        dim = h.dim
        stamp = h.stamp
        postingCap = h.postingCap
        artistPostingCap = h.artistPostingCap
        titleIDFMax = h.titleIDFMax
        artistIDFMax = h.artistIDFMax
        byteCount = storage.count
        let base = UnsafeRawPointer(storage.base)
        func buf<T>(_ s: Layout.Section, _: T.Type) -> UnsafeBufferPointer<T> {
            let (off, len) = layout.sections[s.rawValue]
            return UnsafeBufferPointer(start: (base + off).assumingMemoryBound(to: T.self), count: len / MemoryLayout<T>.stride)
        }
        workTitleStart = buf(.workTitleStart, UInt32.self)
        workBlobOffset = buf(.workBlobOffset, UInt64.self)
        titleMeta = buf(.titleMeta, UInt32.self)
        vectors = buf(.vectors, Int8.self)
        vectorScales = buf(.vectorScales, Float.self)
        titleTerms = TermTable(keys: buf(.termKeys, UInt64.self), start: buf(.termStart, UInt32.self),
                               count: buf(.termCount, UInt32.self), idf: buf(.termIDF, Float.self))
        postings = buf(.postings, UInt32.self)
        postingWeights = buf(.postingWeights, UInt16.self)
        artistTerms = TermTable(keys: buf(.artistKeys, UInt64.self), start: buf(.artistStart, UInt32.self),
                                count: buf(.artistCount, UInt32.self), idf: buf(.artistIDF, Float.self))
        artistPostWork = buf(.artistPostWork, UInt32.self)
        artistPostWeight = buf(.artistPostWeight, Float.self)
        isrcKeys = buf(.isrcKeys, UInt64.self)
        isrcWork = buf(.isrcWork, UInt32.self)
        isrcConfidence = buf(.isrcConfidence, Float.self)
        blobs = buf(.blobs, UInt8.self)
        workDuration = buf(.workDuration, UInt32.self)
        packedOffset = buf(.packedOffset, UInt64.self)
        packed = buf(.packed, UInt32.self)
        // Cheap structural checks so a damaged file fails here rather than deep inside retrieval.
        guard workTitleStart.count == workCount + 1, workTitleStart[workCount] == UInt32(titleCount),
              workBlobOffset.count == workCount + 1, workBlobOffset[workCount] == UInt64(blobs.count),
              packedOffset.count == workCount + 1, packedOffset[workCount] == UInt64(packed.count)
        else { throw Self.damaged(path, "work tables inconsistent") }
        // The dense kernel reads whole blocks of 16 int8 components, at most 512 (`oeuvre_dot_i8_i16`'s 32-bit sums).
        guard dim >= 16, dim <= 512, dim % 16 == 0, vectors.count == titleCount * dim, vectorScales.count == titleCount
        else { throw Self.damaged(path, "title vectors inconsistent (dim \(dim))") }
    }

    /// Writes the image atomically (temporary file beside `path`, then rename). A destination that exists and is
    /// not a regular file (a device, a pipe) is refused rather than replaced; a failed sync or close fails the write.
    public func write(to path: String) throws(OeuvreError) {
        let file = try MatchIndexFile(path: path)
        try file.finish(UnsafeRawBufferPointer(start: storage.base, count: storage.count))
    }

    /// The whole image, for `MatchIndexFile.finish` after a build that started writing it (`MatchIndexBuilder.build`'s
    /// `imageReady`).
    public var image: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: storage.base, count: storage.count) }

    // MARK: - Access

    /// How many catalogue titles are each of `keys` (whole-title terms, `TermHash.wholeTitle`; 0 for a key the
    /// catalogue has not), into `counts`. A work's titles are distinct, so this is how many works carry the title
    /// (up to `MatchIndexOptions.wholeTitleCap`). The slots are looked up with their misses overlapped.
    public func titleCounts(_ keys: [UInt64], into counts: inout [Int]) {
        var slots: [Int] = []
        titleTerms.prefetchSlots(of: keys, into: &slots)
        counts.removeAll(keepingCapacity: true)
        for (k, key) in keys.enumerated() {
            let s = slots[k]
            counts.append(key != 0 && s >= 0 ? Int(titleTerms.count[s]) : 0)
        }
    }

    /// Title ordinals of work `w`.
    @inline(__always)
    public func titles(ofWork w: Int) -> Range<Int> { Int(workTitleStart[w])..<Int(workTitleStart[w + 1]) }

    @inline(__always)
    public func work(ofTitle t: Int) -> Int { Int(titleMeta[2 * t]) }

    /// How many indexed titles read exactly like title `t` (itself included): the works sharing it.
    @inline(__always)
    public func sharing(ofTitle t: Int) -> Int { Int(titleMeta[2 * t + 1]) }

    /// The text of title `t` (normalized; a title variant when `t` is one).
    public func titleText(_ t: Int) -> String {
        let w = work(ofTitle: t)
        let p = profile(w)
        let k = t - Int(workTitleStart[w])
        let all = p.titles.filter { !$0.isEmpty } + p.titleVariants.filter { !$0.isEmpty }
        return k < all.count ? all[k] : ""
    }

    /// The hashed vector of title `t` (decoded from int8).
    public func vector(ofTitle t: Int) -> [Float] {
        [Float](unsafeUninitializedCapacity: dim) { buf, n in
            HashedVector.dequantize(vectors.baseAddress! + t * dim, scale: vectorScales[t], dim: dim, into: buf.baseAddress!)
            n = dim
        }
    }

    /// Works linked to `isrc` (canonical 12 characters), in work order.
    public func works(forISRC isrc: String) -> [Int] { links(forISRC: isrc).map(\.work) }

    /// Links of `isrc`: the works and each link's confidence, in work order.
    public func links(forISRC isrc: String) -> [(work: Int, confidence: Float)] {
        guard let key = ISRCKey.pack(isrc) else { return [] }
        return links(forKey: key)
    }

    /// The ISRC link kept at `position` (0 ..< number of links; see `ISRCLinkLookup.singleLink`).
    @inline(__always)
    public func link(at position: Int) -> (work: Int, confidence: Float) { (Int(isrcWork[position]), isrcConfidence[position]) }

    /// Links of the ISRC packed as `key` (`ISRCKey.pack`).
    public func links(forKey key: UInt64) -> [(work: Int, confidence: Float)] {
        var lo = 0, hi = isrcKeys.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if isrcKeys[mid] < key { lo = mid + 1 } else { hi = mid }
        }
        var out: [(work: Int, confidence: Float)] = []
        while lo < isrcKeys.count && isrcKeys[lo] == key {
            out.append((Int(isrcWork[lo]), isrcConfidence[lo]))
            lo += 1
        }
        return out
    }

    /// How many indexed titles read exactly `title` (normalized; spacing ignored): the works sharing it.
    public func titlesSharing(_ title: String) -> Int {
        var ex = TermExtractor()
        var terms: [UInt64] = []
        ex.titleTerms(title, into: &terms)
        for h in terms where TermHash.isWhole(h) {
            let s = titleTerms.find(h)
            return s >= 0 ? Int(titleTerms.count[s]) : 0
        }
        return 0
    }

    /// Number of ISRC → work links.
    public var linkCount: Int { isrcKeys.count }
    public var postingCount: Int { postings.count }

    /// Duration of work `w` in seconds, nil when unknown.
    public func duration(ofWork w: Int) -> Int? { workDuration[w] & 0xffff == 0 ? nil : Int(workDuration[w] & 0xffff) }
    /// The 16-bit hash of work `w`'s id that orders retrieval ties.
    @inline(__always) func workTie(_ w: Int) -> UInt32 { workDuration[w] >> 16 }

    /// Work id of work `w` without decoding the whole profile.
    public func workId(_ w: Int) -> String {
        var reader = BlobReader(blobs: blobs, offset: Int(workBlobOffset[w]))
        return reader.string()
    }

    /// `workId(a) < workId(b)`, without making the two Strings when both ids are ASCII (their stored bytes compared:
    /// byte order is String order there). Ranking a recording's candidates breaks equal confidences by work id, and
    /// equal confidences are common at the floor: two Strings per comparison were ≈ 2% of a match.
    @inline(__always)
    public func workIdPrecedes(_ a: Int, _ b: Int) -> Bool {
        var ra = BlobReader(blobs: blobs, offset: Int(workBlobOffset[a]))
        var rb = BlobReader(blobs: blobs, offset: Int(workBlobOffset[b]))
        return Self.asciiPrecedes(ra.bytes(), rb.bytes()) ?? (workId(a) < workId(b))
    }

    /// Whether ASCII text `x` sorts before ASCII text `y` as Strings do; nil when either holds a non-ASCII byte
    /// (String order is then that of the canonical forms, not of the bytes).
    static func asciiPrecedes(_ x: UnsafeRawBufferPointer, _ y: UnsafeRawBufferPointer) -> Bool? {
        var high: UInt8 = 0
        for b in x { high |= b }
        for b in y { high |= b }
        guard high < 0x80 else { return nil }
        let common = min(x.count, y.count)
        if common > 0, let xa = x.baseAddress, let ya = y.baseAddress {
            let c = memcmp(xa, ya, common)
            if c != 0 { return c < 0 }
        }
        return x.count < y.count
    }

    /// Id, ISWC and display title of work `w`: what a results row needs, without decoding the profile.
    public func summary(_ w: Int) -> (workId: String, iswc: String?, displayTitle: String) {
        var r = BlobReader(blobs: blobs, offset: Int(workBlobOffset[w]))
        let id = r.string()
        let iswc = r.string()
        return (id, iswc.isEmpty ? nil : iswc, r.string())
    }

    /// `summary(w)` as the stored UTF-8 bytes (id, ISWC — empty when none — and display title), without building
    /// Strings; the buffers are valid while the index is.
    public func summaryBytes(_ w: Int) -> (workId: UnsafeRawBufferPointer, iswc: UnsafeRawBufferPointer, displayTitle: UnsafeRawBufferPointer) {
        var r = BlobReader(blobs: blobs, offset: Int(workBlobOffset[w]))
        let id = r.bytes()
        let iswc = r.bytes()
        return (id, iswc, r.bytes())
    }

    /// The comparison record of work `w`, read in place (what the pair features need; no decoding).
    @inline(__always)
    func packedWork(_ w: Int) -> PackedWork { PackedWork(packed.baseAddress! + Int(packedOffset[w])) }

    /// Hints the cache to fetch work `w`'s record offset (`packedWork(w)` reads it).
    @inline(__always)
    func prefetchPackedOffset(_ w: Int) {
        if let base = packedOffset.baseAddress { oeuvre_prefetch(base + w) }
    }

    /// The profile of work `w`, decoded from the index.
    public func profile(_ w: Int) -> WorkProfile {
        var r = BlobReader(blobs: blobs, offset: Int(workBlobOffset[w]))
        let id = r.string()
        let iswc = r.string()
        let display = r.string()
        let titles = r.strings()
        let tags = r.strings()
        let performers = r.strings()
        let writers = r.strings()
        let ipis = r.strings()
        let isrcs = r.strings()
        let duration = r.int32()
        let albums = r.strings()
        let featured = r.strings()
        let versionWords = r.strings()
        let textDurations = r.ints()
        let remixers = r.strings()
        let variants = r.strings()
        let lead = r.int32()
        let readings = r.int32()
        var p = WorkProfile(workId: id, iswc: iswc.isEmpty ? nil : iswc, displayTitle: display, titles: titles, titleTags: tags,
                            performers: performers, writers: writers, writerIPIs: ipis, duration: duration < 0 ? nil : Int(duration),
                            isrcs: isrcs, albums: albums, featured: featured, versionWords: versionWords, textDurations: textDurations,
                            remixers: remixers)
        p.titleVariants = variants
        p.leadWords = Int(max(0, lead))
        if readings > 0 { p.titleReadings = min(titles.count, Int(readings)) }  // (each set rebuilds the sketch)
        return p
    }

    /// Diagnostics for tools: for each query term, its document frequency rank facts and whether
    /// work `w`'s titles appear in its (capped) posting, with position.
    public func explain(work w: Int, query: RetrievalQuery) -> String {
        var lines: [String] = []
        let mine = Set(titles(ofWork: w).map { UInt32($0) })
        var ex = TermExtractor()
        var terms: [UInt64] = []
        for t in query.titles {
            ex.titleTerms(t, into: &terms)
            for h in terms {
                let s = titleTerms.find(h)
                guard s >= 0 else { lines.append("  term \(String(h, radix: 16)) absent"); continue }
                let start = Int(titleTerms.start[s]), n = Int(titleTerms.count[s])
                let pos = (start..<(start + n)).first { mine.contains(postings[$0]) }.map { $0 - start }
                lines.append("  term \(String(h, radix: 16))\(TermHash.isWhole(h) ? " (whole)" : "") idf \(titleTerms.idf[s]) postings \(n) work at \(pos.map(String.init) ?? "-")")
            }
        }
        for name in query.artists {
            TermExtractor.artistTerms(name, into: &terms)
            for h in terms {
                let s = artistTerms.find(h)
                guard s >= 0 else { lines.append("  artist term absent"); continue }
                let start = Int(artistTerms.start[s]), n = Int(artistTerms.count[s])
                let pos = (start..<(start + n)).first { Int(artistPostWork[$0]) == w }.map { $0 - start }
                lines.append("  artist term idf \(artistTerms.idf[s]) postings \(n) work at \(pos.map(String.init) ?? "-")")
            }
        }
        return lines.joined(separator: "\n")
    }

    /// Ordinals of the works with these ids (absent: not in the index). One pass over the stored ids, comparing
    /// a 64-bit hash of their bytes first: ≈ 10 ms at 1M works, no String built but for the hash's hits.
    public func ordinals(ofWorkIds ids: Set<String>) -> [String: Int] {
        guard !ids.isEmpty else { return [:] }
        func fnv(_ b: UnsafeRawBufferPointer) -> UInt64 {
            var h: UInt64 = 0xcbf2_9ce4_8422_2325
            for c in b { h = (h ^ UInt64(c)) &* 0x100_0000_01b3 }
            return h
        }
        var wanted: Set<UInt64> = []
        for var id in ids { id.withUTF8 { _ = wanted.insert(fnv(UnsafeRawBufferPointer($0))) } }
        var found: [String: Int] = [:]
        for w in 0..<workCount {
            let b = summaryBytes(w).workId
            guard wanted.contains(fnv(b)) else { continue }
            let id = String(decoding: b, as: UTF8.self)
            if ids.contains(id), found[id] == nil { found[id] = w }
        }
        return found
    }

    /// Ordinal of the work with id `workId` (linear scan; for tools and tests, not the hot path).
    public func ordinal(ofWorkId workId: String) -> Int? {
        (0..<workCount).first { self.workId($0) == workId }
    }
}

// MARK: - Term tables

/// Open-addressing hash table (linear probing, power-of-two capacity) from term hash to a posting range.
struct TermTable {
    let keys: UnsafeBufferPointer<UInt64>
    let start: UnsafeBufferPointer<UInt32>
    let count: UnsafeBufferPointer<UInt32>
    let idf: UnsafeBufferPointer<Float>

    /// `slots[i] = find(keys[i])` for every key, with the misses overlapped: the table is catalogue-sized, so a
    /// term's slot and then its idf, posting start and count are each a miss to memory. Every key's home slot
    /// is prefetched first, then each slot's other fields as the slots are found (the caller reads them next).
    func prefetchSlots(of keys: [UInt64], into slots: inout [Int]) {
        slots.removeAll(keepingCapacity: true)
        let mask = self.keys.count - 1
        guard mask >= 0, let kb = self.keys.baseAddress, let ib = idf.baseAddress, let sb = start.baseAddress,
              let cb = count.baseAddress else {
            for k in keys { slots.append(find(k)) }
            return
        }
        for k in keys { oeuvre_prefetch(kb + (Int(truncatingIfNeeded: k) & mask)) }
        for k in keys {
            let s = find(k)
            slots.append(s)
            if s >= 0 {
                oeuvre_prefetch(ib + s)
                oeuvre_prefetch(sb + s)
                oeuvre_prefetch(cb + s)
            }
        }
    }

    /// Slot of `key`, or -1 when the term is not in the table.
    @inline(__always)
    func find(_ key: UInt64) -> Int {
        let mask = keys.count - 1
        guard mask >= 0 else { return -1 }
        var i = Int(truncatingIfNeeded: key) & mask
        while true {
            let k = keys[i]
            if k == key { return i }
            if k == 0 { return -1 }
            i = (i + 1) & mask
        }
    }
}

// MARK: - ISRC keys

/// ISRC → link lookups for many lines: a sample of every 8th key (an eighth of the keys' size, mostly in
/// cache) narrows the binary search to one cache line of keys (a plain binary search over a million keys
/// misses the cache at nearly every step).
public struct ISRCLinkLookup: Sendable {
    public let index: MatchIndex
    private let sample: [UInt64]
    /// Every 8th sample (every 64th key: small enough to stay in the cache); narrows the search of `sample` to
    /// one cache line as `sample` narrows that of the keys.
    private let coarse: [UInt64]
    private static let stride = 8

    public init(index: MatchIndex) {
        self.index = index
        let keys = index.isrcKeys
        sample = Swift.stride(from: 0, to: keys.count, by: Self.stride).map { keys[$0] }
        coarse = Swift.stride(from: 0, to: sample.count, by: Self.stride).map { [sample] in sample[$0] }
    }

    /// The link of the ISRC packed as `key` when it is linked to exactly one work; nil when it is linked to
    /// none or to several.
    @inline(__always)
    public func single(_ key: UInt64) -> (work: Int, confidence: Float)? {
        singleLink(key).map { index.link(at: $0) }
    }

    /// First index in `lo..<hi` of sorted `keys` whose key is ≥ `key` (`hi` when none).
    @inline(__always)
    static func lowerBound(_ key: UInt64, in keys: UnsafeBufferPointer<UInt64>, _ lo: Int, _ hi: Int) -> Int {
        var lo = lo, hi = hi
        while lo < hi {
            let mid = (lo + hi) >> 1
            if keys[mid] < key { lo = mid + 1 } else { hi = mid }
        }
        return lo
    }

    /// Where the only link of the ISRC packed as `key` is kept (`MatchIndex.link(at:)`); nil when the ISRC is
    /// linked to no work or to several.
    @inline(__always)
    public func singleLink(_ key: UInt64) -> Int? {
        let keys = index.isrcKeys
        // First coarse sample ≥ key, then first sample ≥ key between the coarse sample before it and this one.
        // Each level narrows the next to the entries after the sample before the hit, up to the hit's own.
        @inline(__always) func below(_ hit: Int, _ count: Int) -> (Int, Int) {
            (hit == 0 ? 0 : (hit - 1) * Self.stride + 1, min(count, hit * Self.stride))
        }
        let c = coarse.withUnsafeBufferPointer { Self.lowerBound(key, in: $0, 0, $0.count) }
        let s = sample.withUnsafeBufferPointer { b in let (l, h) = below(c, b.count); return Self.lowerBound(key, in: b, l, h) }
        // The first key ≥ key lies after the sample before it, at or before this one.
        let (l, h) = below(s, keys.count)
        let lo = Self.lowerBound(key, in: keys, l, h)
        guard lo < keys.count, keys[lo] == key, lo + 1 == keys.count || keys[lo + 1] != key else { return nil }
        return lo
    }
}

// MARK: - Header and layout

struct Header {
    var version: UInt32
    var workCount: Int
    var titleCount: Int
    var dim: Int
    var termCapacity: Int
    var postingCount: Int
    var artistTermCapacity: Int
    var artistPostingCount: Int
    var isrcCount: Int
    var blobBytes: Int
    var packedWords: Int
    var postingCap: Int
    var artistPostingCap: Int
    var titleIDFMax: Float
    var artistIDFMax: Float
    var fileSize: Int
    var sections: [(Int, Int)]
    var stamp: String

    init(version: UInt32, layout: Layout, postingCap: Int, artistPostingCap: Int, titleIDFMax: Float, artistIDFMax: Float, stamp: String) {
        self.version = version
        workCount = layout.workCount
        titleCount = layout.titleCount
        dim = layout.dim
        termCapacity = layout.termCapacity
        postingCount = layout.postingCount
        artistTermCapacity = layout.artistTermCapacity
        artistPostingCount = layout.artistPostingCount
        isrcCount = layout.isrcCount
        blobBytes = layout.blobBytes
        packedWords = layout.packedWords
        self.postingCap = postingCap
        self.artistPostingCap = artistPostingCap
        self.titleIDFMax = titleIDFMax
        self.artistIDFMax = artistIDFMax
        fileSize = layout.totalBytes
        sections = layout.sections
        self.stamp = stamp
    }

    init(raw: UnsafeRawBufferPointer) {
        func u32(_ o: Int) -> UInt32 { raw.loadUnaligned(fromByteOffset: o, as: UInt32.self).littleEndian }
        func u64(_ o: Int) -> Int { Int(truncatingIfNeeded: raw.loadUnaligned(fromByteOffset: o, as: UInt64.self).littleEndian) }
        func f32(_ o: Int) -> Float { Float(bitPattern: u32(o)) }
        version = u32(8)
        workCount = u64(16)
        titleCount = u64(24)
        dim = Int(u32(32))
        termCapacity = u64(40)
        postingCount = u64(48)
        artistTermCapacity = u64(56)
        artistPostingCount = u64(64)
        isrcCount = u64(72)
        blobBytes = u64(80)
        postingCap = Int(u32(88))
        artistPostingCap = Int(u32(92))
        titleIDFMax = f32(96)
        artistIDFMax = f32(100)
        fileSize = u64(104)
        packedWords = u64(504)
        sections = (0..<Layout.Section.allCases.count).map { (u64(112 + $0 * 16), u64(120 + $0 * 16)) }
        let stampLength = min(Int(u32(512)), MatchIndex.maxStampBytes)
        stamp = String(decoding: raw[516..<(516 + stampLength)], as: UTF8.self)
    }

    func write(into raw: UnsafeMutableRawBufferPointer) {
        func u32(_ o: Int, _ v: UInt32) { raw.storeBytes(of: v.littleEndian, toByteOffset: o, as: UInt32.self) }
        func u64(_ o: Int, _ v: Int) { raw.storeBytes(of: UInt64(v).littleEndian, toByteOffset: o, as: UInt64.self) }
        for (i, b) in MatchIndex.magic.enumerated() { raw[i] = b }
        u32(8, version)
        u32(12, UInt32(MatchIndex.headerSize))
        u64(16, workCount)
        u64(24, titleCount)
        u32(32, UInt32(dim))
        u64(40, termCapacity)
        u64(48, postingCount)
        u64(56, artistTermCapacity)
        u64(64, artistPostingCount)
        u64(72, isrcCount)
        u64(80, blobBytes)
        u32(88, UInt32(postingCap))
        u32(92, UInt32(artistPostingCap))
        u32(96, titleIDFMax.bitPattern)
        u32(100, artistIDFMax.bitPattern)
        u64(104, fileSize)
        u64(504, packedWords)
        for (i, s) in sections.enumerated() {
            u64(112 + i * 16, s.0)
            u64(120 + i * 16, s.1)
        }
        let bytes = Array(stamp.utf8.prefix(MatchIndex.maxStampBytes))
        u32(512, UInt32(bytes.count))
        for (i, b) in bytes.enumerated() { raw[516 + i] = b }
    }
}

struct Layout {
    enum Section: Int, CaseIterable {
        case workTitleStart, workBlobOffset, titleMeta, vectors
        case termKeys, termStart, termCount, termIDF, postings, postingWeights
        case artistKeys, artistStart, artistCount, artistIDF, artistPostWork, artistPostWeight
        case isrcKeys, isrcWork, blobs, workDuration, isrcConfidence
        case packedOffset, packed
        case vectorScales
    }

    let workCount, titleCount, dim, termCapacity, postingCount, artistTermCapacity, artistPostingCount, isrcCount, blobBytes: Int
    let packedWords: Int
    /// (offset, byte length) per section, 64-byte aligned.
    private(set) var sections: [(Int, Int)] = []
    private(set) var totalBytes = 0

    init(workCount: Int, titleCount: Int, dim: Int, termCapacity: Int, postingCount: Int, artistTermCapacity: Int,
         artistPostingCount: Int, isrcCount: Int, blobBytes: Int, packedWords: Int) {
        self.workCount = workCount
        self.titleCount = titleCount
        self.dim = dim
        self.termCapacity = termCapacity
        self.postingCount = postingCount
        self.artistTermCapacity = artistTermCapacity
        self.artistPostingCount = artistPostingCount
        self.isrcCount = isrcCount
        self.blobBytes = blobBytes
        self.packedWords = packedWords
        // The header keeps (offset, length) of each section at 112 + 16·i, below the packed word count at 504.
        precondition(112 + Section.allCases.count * 16 <= 504, "match index header: too many sections")
        var offset = MatchIndex.headerSize
        for s in Section.allCases {
            let len = byteLength(s)
            sections.append((offset, len))
            offset += (len + 63) & ~63
        }
        totalBytes = offset
    }

    private func byteLength(_ s: Section) -> Int {
        switch s {
        case .workTitleStart: return (workCount + 1) * 4
        case .workBlobOffset: return (workCount + 1) * 8
        case .titleMeta: return titleCount * 8
        case .vectors: return titleCount * dim
        case .vectorScales: return titleCount * 4
        case .termKeys: return termCapacity * 8
        case .termStart, .termCount, .termIDF: return termCapacity * 4
        case .postings: return postingCount * 4
        case .postingWeights: return postingCount * 2
        case .artistKeys: return artistTermCapacity * 8
        case .artistStart, .artistCount, .artistIDF: return artistTermCapacity * 4
        case .artistPostWork, .artistPostWeight: return artistPostingCount * 4
        case .isrcKeys: return isrcCount * 8
        case .isrcWork, .isrcConfidence: return isrcCount * 4
        case .blobs: return blobBytes
        case .workDuration: return workCount * 4
        case .packedOffset: return (workCount + 1) * 8
        case .packed: return packedWords * 4
        }
    }
}

// MARK: - Profile blobs

/// Encoding of a work profile: strings as (UInt32 length, UTF-8 bytes), lists as (UInt32 count, strings),
/// integers as Int32, duration -1 = unknown. Field order: id, iswc, display title, titles, title tags,
/// performers, writers, writer IPIs, ISRCs, duration, albums, featured, version words, text durations,
/// remixers, title variants, lead words (format 13). A new `WorkProfile` field goes at the end (and bumps the format version).
enum ProfileBlob {
    static func encode(_ p: WorkProfile, into out: inout [UInt8]) {
        func str(_ s: String) {
            let b = s.utf8
            var n = UInt32(b.count).littleEndian
            withUnsafeBytes(of: &n) { out.append(contentsOf: $0) }
            out.append(contentsOf: b)
        }
        func list(_ l: [String]) {
            var n = UInt32(l.count).littleEndian
            withUnsafeBytes(of: &n) { out.append(contentsOf: $0) }
            for s in l { str(s) }
        }
        str(p.workId)
        str(p.iswc ?? "")
        str(p.displayTitle)
        list(p.titles)
        list(p.titleTags)
        list(p.performers)
        list(p.writers)
        list(p.writerIPIs)
        list(p.isrcs)
        func int(_ v: Int) {
            var d = Int32(clamping: v).littleEndian
            withUnsafeBytes(of: &d) { out.append(contentsOf: $0) }
        }
        int(p.duration ?? -1)
        list(p.albums)
        list(p.featured)
        list(p.versionWords)
        var n = UInt32(p.textDurations.count).littleEndian
        withUnsafeBytes(of: &n) { out.append(contentsOf: $0) }
        for d in p.textDurations { int(d) }
        list(p.remixers)
        list(p.titleVariants)
        int(p.leadWords)
        int(p.titleReadings)
    }
}

extension ProfileBlob {
    /// Calls `body` with `p` as `MatchIndex.profile` returns it after encoding (integers clamped, an empty ISWC
    /// absent), so records derived from it agree with the decoded profile. The blob does not keep release dates:
    /// pack it with `releaseDates: false`. In the common case nothing changes and `p` itself is passed, not a copy
    /// (a copy retains and releases its ≈ 50 reference-counted fields).
    static func withDecoded<R>(_ p: WorkProfile, _ body: (WorkProfile) -> R) -> R {
        isDecodedForm(p) && p.isSketched ? body(p) : body(decodedCopy(p))  // a profile without its sketch is sketched here
    }

    /// Whether encoding and decoding `p` loses nothing but the release dates (the sketch is already built).
    private static func isDecodedForm(_ p: WorkProfile) -> Bool {
        func kept(_ v: Int) -> Bool { v >= 0 && v <= Int(Int32.max) }
        return p.iswc != "" && (p.duration.map(kept) ?? true) && p.textDurations.allSatisfy({ Int(Int32(clamping: $0)) == $0 })
    }

    private static func decodedCopy(_ p: WorkProfile) -> WorkProfile {
        var q = WorkProfile(workId: p.workId, iswc: (p.iswc?.isEmpty ?? true) ? nil : p.iswc, displayTitle: p.displayTitle, titles: p.titles,
                            titleTags: p.titleTags, performers: p.performers, writers: p.writers, writerIPIs: p.writerIPIs,
                            duration: p.duration.flatMap { let d = Int(Int32(clamping: $0)); return d < 0 ? nil : d },
                            isrcs: p.isrcs, albums: p.albums, featured: p.featured, versionWords: p.versionWords,
                            textDurations: p.textDurations.map { Int(Int32(clamping: $0)) }, remixers: p.remixers)
        q.titleVariants = p.titleVariants
        q.leadWords = p.leadWords
        if p.titleReadings > 0 { q.titleReadings = p.titleReadings }
        return q
    }
}

struct BlobReader {
    let blobs: UnsafeBufferPointer<UInt8>
    var offset: Int

    mutating func u32() -> Int {
        guard offset + 4 <= blobs.count else { return 0 }
        let v = UnsafeRawBufferPointer(blobs).loadUnaligned(fromByteOffset: offset, as: UInt32.self).littleEndian
        offset += 4
        return Int(v)
    }

    mutating func int32() -> Int32 { Int32(bitPattern: UInt32(truncatingIfNeeded: u32())) }

    mutating func string() -> String {
        let n = u32()
        guard n > 0, offset + n <= blobs.count else { return "" }
        let s = String(decoding: UnsafeBufferPointer(rebasing: blobs[offset..<(offset + n)]), as: UTF8.self)
        offset += n
        return s
    }

    /// The bytes of the next string (what `string()` decodes).
    mutating func bytes() -> UnsafeRawBufferPointer {
        let n = u32()
        guard n > 0, offset + n <= blobs.count else { return UnsafeRawBufferPointer(start: nil, count: 0) }
        let b = UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(blobs)[offset..<(offset + n)])
        offset += n
        return b
    }

    mutating func ints() -> [Int] {
        let n = u32()
        guard n > 0 else { return [] }
        return (0..<n).map { _ in Int(int32()) }
    }

    mutating func strings() -> [String] {
        let n = u32()
        guard n > 0 else { return [] }
        var out: [String] = []
        out.reserveCapacity(n)
        for _ in 0..<n { out.append(string()) }
        return out
    }
}

/// An index file being written: a temporary file beside `path`, renamed over it by `finish` once every byte is on disk.
///
/// A build hands over the parts of its image that are complete while it still fills the title vectors
/// (`MatchIndexBuilder.build`'s `imageReady`, ≈ 2–3 s at 1M works): `start` writes them on a thread of its own and asks
/// the kernel to send them to the disk at once (`sync_file_range`, Linux), so copying 1.3 GB into the page cache and most
/// of the disk's work overlap the vectors instead of following them. Without it the kernel holds dirty pages back until
/// they reach 10% of memory, and the whole file waited for the final `fsync`. `finish` writes what is left, syncs,
/// closes and renames; a failure anywhere removes the temporary file and leaves `path` as it was.
public final class MatchIndexFile: @unchecked Sendable {
    public let path: String
    let temporary: String
    private var fd: Int32 = -1
    private var finished = false
    private let lock = NSLock()
    private var written: [Range<Int>] = []
    private var failure: String?
    private var background: Thread?
    private let backgroundDone = DispatchSemaphore(value: 0)

    public init(path: String) throws(OeuvreError) {
        var st = stat()
        if stat(path, &st) == 0 && (st.st_mode & S_IFMT) != S_IFREG {
            throw OeuvreError(.io, "cannot write the match index to \(path): not a regular file")
        }
        let dir = (path as NSString).deletingLastPathComponent
        self.path = path
        temporary = (dir.isEmpty ? "" : dir + "/") + ".\((path as NSString).lastPathComponent).tmp-\(getpid())"
    }

    deinit {
        // Not finished (the build or the caller failed): nothing is left behind.
        if background != nil { backgroundDone.wait() }
        if fd >= 0 {
            close(fd)
            unlink(temporary)
        }
    }

    /// Creates the temporary file when the first bytes are written (a build killed before leaves nothing behind);
    /// nil, or the error.
    private func openFile() -> String? {
        if fd >= 0 { return nil }
        fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        return fd >= 0 ? nil : "cannot create \(temporary): \(String(cString: strerror(errno)))"
    }

    /// Starts writing `ranges` of `image` on a background thread. `image` must stay mapped and those bytes unchanged
    /// until `finish`.
    public func start(_ image: UnsafeRawBufferPointer, ranges: [Range<Int>]) {
        precondition(background == nil && !finished, "MatchIndexFile.start called twice or after finish")
        if let message = openFile() {
            failure = message
            return
        }
        let box = UncheckedSendable(image)
        let fd = fd
        let thread = Thread { [self] in
            defer { backgroundDone.signal() }
            for r in ranges {
                if let message = Self.write(fd, box.value, r, startWriteBack: true) {
                    lock.withLock { failure = message }
                    return
                }
                lock.withLock { written.append(r) }
            }
        }
        thread.stackSize = 1 << 20
        background = thread
        thread.start()
    }

    /// Writes the bytes of `image` not written yet, syncs and renames over `path`.
    public func finish(_ image: UnsafeRawBufferPointer) throws(OeuvreError) {
        precondition(!finished, "MatchIndexFile.finish called twice")
        finished = true
        if background != nil {
            backgroundDone.wait()
            background = nil
        }
        let (done, failedInBackground) = lock.withLock { (written, failure) }
        var problem = failedInBackground ?? openFile()
        if problem == nil {
            for r in Self.complement(of: done, in: 0..<image.count) {
                if let message = Self.write(fd, image, r, startWriteBack: false) {
                    problem = message
                    break
                }
            }
        }
        // A write error can show only when the data reaches the disk: a failed sync or close fails the write.
        if fd >= 0 {
            if problem == nil && fsync(fd) != 0 { problem = String(cString: strerror(errno)) }
            if close(fd) != 0 && problem == nil { problem = String(cString: strerror(errno)) }
            fd = -1
        }
        if let failure = problem {
            unlink(temporary)
            throw OeuvreError(.io, "writing \(path) failed: \(failure)")
        }
        guard rename(temporary, path) == 0 else {
            let message = String(cString: strerror(errno))
            unlink(temporary)
            throw OeuvreError(.io, "cannot rename temporary file to \(path): \(message)")
        }
    }

    /// The parts of `whole` that none of `ranges` covers, in order.
    public static func complement(of ranges: [Range<Int>], in whole: Range<Int>) -> [Range<Int>] {
        var out: [Range<Int>] = []
        var at = whole.lowerBound
        for r in ranges.sorted(by: { $0.lowerBound < $1.lowerBound }) where !r.isEmpty {
            if r.lowerBound > at { out.append(at..<min(r.lowerBound, whole.upperBound)) }
            at = max(at, r.upperBound)
        }
        if at < whole.upperBound { out.append(at..<whole.upperBound) }
        return out
    }

    /// `pwrite`s `range` of `image` at its own offset in chunks of 64 MiB; nil, or the error.
    private static func write(_ fd: Int32, _ image: UnsafeRawBufferPointer, _ range: Range<Int>, startWriteBack: Bool) -> String? {
        var offset = range.lowerBound
        while offset < range.upperBound {
            let n = pwrite(fd, image.baseAddress! + offset, min(range.upperBound - offset, 1 << 26), off_t(offset))
            if n <= 0 { return n < 0 ? String(cString: strerror(errno)) : "nothing written at byte \(offset)" }
            if startWriteBack, let syncFileRange { _ = syncFileRange(fd, Int64(offset), Int64(n), 2 /* SYNC_FILE_RANGE_WRITE */) }
            offset += n
        }
        return nil
    }

    /// Linux's `sync_file_range` (not in Swift's Glibc module): starts the write-back of a range without waiting for it.
    private static let syncFileRange: (@convention(c) (Int32, Int64, Int64, UInt32) -> Int32)? = {
        dlsym(UnsafeMutableRawPointer(bitPattern: 0), "sync_file_range").map {
            unsafeBitCast($0, to: (@convention(c) (Int32, Int64, Int64, UInt32) -> Int32).self)
        }
    }()
}
