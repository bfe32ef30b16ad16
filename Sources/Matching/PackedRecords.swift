import CBLAS
import Foundation
import OeuvreCore

/// Flat, allocation-free forms of the comparison data of a line (`LineSketch` + the profile fields the
/// features read) and of a work (`WorkSketch` + fields), as runs of UInt32 words.
///
/// The pair features read these instead of the profiles: a work's record is stored in the match index
/// (section `packed`) and read in place from the mapped file, so a candidate costs no decoding, no
/// String and no array allocation. Profiles given as values (pairs mode, tests, review) are packed on
/// the fly by the same encoders, so both paths compute the same features with the same code.
///
/// Record: word 0 = length in words, 1 = version-tag mask, 2 = duration (Int32, -1 unknown), 3 = version tags
/// of the title and the albums (`recordTagMask`), 4 = the line's `title_specificity` (Float bits) or the work's
/// `leadWords`, then one offset (from the record start) per section, then the sections. Section kinds:
/// - sketch list: count, then per item `[text bytes, grams, tokens, words]` counts and the parts present
///   (text as UTF-8 bytes padded to whole words; grams, tokens and words as in `TextSketch`);
/// - word set: count, sorted unique values;
/// - text list: count, then per item its byte count and bytes (padded);
/// - integers: count, values (Int32 bit patterns); dates: count, (year, day number or `noDay`) pairs.
///
/// Texts are compared byte for byte: normalized texts come from the same normalizer on both sides.
enum PackedLayout {
    static let headerWords = 5
    static let noDay = Int32.min
    static let noDuration = UInt32(bitPattern: -1)

    /// Sketch parts written for a list.
    struct Parts: OptionSet {
        let rawValue: Int
        static let text = Parts(rawValue: 1)
        static let grams = Parts(rawValue: 2)
        static let tokens = Parts(rawValue: 4)
        static let words = Parts(rawValue: 8)
        static let all: Parts = [.text, .grams, .tokens, .words]
    }
}

/// Appends one record to a word buffer.
struct PackedWriter {
    var out: [UInt32]
    private var start = 0
    private var sectionIndex = 0
    private var sections = 0

    init(reserving n: Int = 0) {
        out = []
        out.reserveCapacity(n)
    }

    mutating func begin(sections: Int, tagMask: UInt32, duration: Int?, recordTagMask: UInt32, extra: UInt32 = 0) {
        start = out.count
        sectionIndex = 0
        self.sections = sections
        out.append(0)
        out.append(tagMask)
        out.append(duration.map { UInt32(bitPattern: Int32(clamping: $0)) } ?? PackedLayout.noDuration)
        out.append(recordTagMask)
        out.append(extra)
        out.append(contentsOf: repeatElement(0, count: sections))
    }

    mutating func end() {
        precondition(sectionIndex == sections, "packed record: \(sectionIndex) of \(sections) sections written")
        out[start] = UInt32(out.count - start)
    }

    private mutating func nextSection() {
        out[start + PackedLayout.headerWords + sectionIndex] = UInt32(out.count - start)
        sectionIndex += 1
    }

    private mutating func text(_ s: String) {
        var s = s
        s.withUTF8 { u in
            let n = u.count
            out.append(UInt32(n))
            let words = (n + 3) >> 2
            let at = out.count
            out.append(contentsOf: repeatElement(0, count: words))
            guard n > 0 else { return }
            out.withUnsafeMutableBytes { raw in
                UnsafeMutableRawBufferPointer(rebasing: raw[(at * 4)..<(at * 4 + n)]).copyMemory(from: UnsafeRawBufferPointer(u))
            }
        }
    }

    mutating func sketches(_ list: [TextSketch], _ parts: PackedLayout.Parts) {
        nextSection()
        out.append(UInt32(list.count))
        for s in list { sketch(s, parts) }
    }

    private mutating func sketch(_ s: TextSketch, _ parts: PackedLayout.Parts) {
        // Counts first (text bytes are counted by `text`).
        if parts.contains(.text) { text(s.text) } else { out.append(0) }
        out.append(parts.contains(.grams) ? UInt32(s.grams.count) : 0)
        out.append(parts.contains(.tokens) ? UInt32(s.tokens.count) : 0)
        out.append(parts.contains(.words) ? UInt32(s.words.count) : 0)
        if parts.contains(.grams) { out.append(contentsOf: s.grams) }
        if parts.contains(.tokens) { out.append(contentsOf: s.tokens) }
        if parts.contains(.words) { out.append(contentsOf: s.words) }
    }

    mutating func set(_ values: [UInt32]) {
        nextSection()
        out.append(UInt32(values.count))
        out.append(contentsOf: values)
    }

    mutating func texts(_ list: [String]) {
        nextSection()
        out.append(UInt32(list.count))
        for s in list { text(s) }
    }

    mutating func ints(_ list: [Int]) {
        nextSection()
        out.append(UInt32(list.count))
        for v in list { out.append(UInt32(bitPattern: Int32(clamping: v))) }
    }

    mutating func dates(_ list: [ReleaseDate]) {
        nextSection()
        out.append(UInt32(list.count))
        for d in list {
            out.append(UInt32(bitPattern: Int32(clamping: d.year)))
            out.append(UInt32(bitPattern: d.dayNumber.map { Int32(clamping: $0) } ?? PackedLayout.noDay))
        }
    }
}

// MARK: - Views

/// Bytes of a packed text.
typealias PackedText = UnsafeBufferPointer<UInt8>

@inline(__always)
func packedTextEqual(_ a: PackedText, _ b: PackedText) -> Bool {
    a.count == b.count && (a.count == 0 || memcmp(a.baseAddress!, b.baseAddress!, a.count) == 0)
}

/// One packed `TextSketch` (parts not stored are empty).
struct SketchView {
    let text: PackedText
    let grams: UnsafeBufferPointer<UInt32>
    let tokens: UnsafeBufferPointer<UInt32>
    let words: UnsafeBufferPointer<UInt32>
    /// Words the item occupies.
    let size: Int

    @inline(__always)
    init(_ p: UnsafePointer<UInt32>) {
        let nText = Int(p[0])
        let textWords = (nText + 3) >> 2
        text = PackedText(start: UnsafeRawPointer(p + 1).assumingMemoryBound(to: UInt8.self), count: nText)
        let c = p + 1 + textWords
        let nGrams = Int(c[0]), nTokens = Int(c[1]), nWords = Int(c[2])
        grams = UnsafeBufferPointer(start: c + 3, count: nGrams)
        tokens = UnsafeBufferPointer(start: c + 3 + nGrams, count: nTokens)
        words = UnsafeBufferPointer(start: c + 3 + nGrams + nTokens, count: nWords)
        size = 1 + textWords + 3 + nGrams + nTokens + nWords
    }
}

/// A packed list of sketches, iterated in order.
struct SketchList: Sequence {
    let base: UnsafePointer<UInt32>
    @inline(__always) var count: Int { Int(base[0]) }
    @inline(__always) var isEmpty: Bool { base[0] == 0 }
    /// The first item (only when not empty).
    @inline(__always) var first: SketchView { SketchView(base + 1) }

    struct Iterator: IteratorProtocol {
        var p: UnsafePointer<UInt32>
        var left: Int
        @inline(__always)
        mutating func next() -> SketchView? {
            guard left > 0 else { return nil }
            let s = SketchView(p)
            p += s.size
            left -= 1
            return s
        }
    }

    @inline(__always) func makeIterator() -> Iterator { Iterator(p: base + 1, left: count) }
}

/// A packed list of texts.
struct TextList: Sequence {
    let base: UnsafePointer<UInt32>
    @inline(__always) var count: Int { Int(base[0]) }
    @inline(__always) var isEmpty: Bool { base[0] == 0 }

    struct Iterator: IteratorProtocol {
        var p: UnsafePointer<UInt32>
        var left: Int
        @inline(__always)
        mutating func next() -> PackedText? {
            guard left > 0 else { return nil }
            let n = Int(p[0])
            let t = PackedText(start: UnsafeRawPointer(p + 1).assumingMemoryBound(to: UInt8.self), count: n)
            p += 1 + (n + 3) >> 2
            left -= 1
            return t
        }
    }

    @inline(__always) func makeIterator() -> Iterator { Iterator(p: base + 1, left: count) }

    @inline(__always)
    func contains(_ t: PackedText) -> Bool {
        for x in self where packedTextEqual(x, t) { return true }
        return false
    }

    /// The first text, nil when the list is empty.
    @inline(__always) var first: PackedText? { var it = makeIterator(); return it.next() }
}

/// A packed run of counted words (sets, integers, date pairs).
@inline(__always)
func packedWords(_ p: UnsafePointer<UInt32>, stride: Int = 1) -> UnsafeBufferPointer<UInt32> {
    UnsafeBufferPointer(start: p + 1, count: Int(p[0]) * stride)
}

/// What line and work records share: the header (tag mask, duration) and the section offsets after it.
protocol PackedRecordView {
    associatedtype Section: RawRepresentable where Section.RawValue == Int
    var base: UnsafePointer<UInt32> { get }
}

extension PackedRecordView {
    @inline(__always) func at(_ s: Section) -> UnsafePointer<UInt32> { base + Int(base[PackedLayout.headerWords + s.rawValue]) }
    @inline(__always) var tagMask: UInt32 { base[1] }
    @inline(__always) var duration: Int? { base[2] == PackedLayout.noDuration ? nil : Int(Int32(bitPattern: base[2])) }
}

/// A packed line record (see `PackedLayout`).
struct PackedLine: PackedRecordView {
    enum Section: Int, CaseIterable {
        case title, medleyParts, artists, featured, writers, originalArtists, remixers, album
        case versionWords, artistTokens, record, writerIPIs, titleVariants, iswc, isrc, textDurations, releaseDates
        case fieldTokens, digitWords, leadWords, titleReading
    }

    let base: UnsafePointer<UInt32>
    @inline(__always) init(_ base: UnsafePointer<UInt32>) { self.base = base }

    /// The title's sketch (always present, possibly of an empty text).
    @inline(__always) var title: SketchView { SketchList(base: at(.title)).first }
    @inline(__always) var medleyParts: SketchList { SketchList(base: at(.medleyParts)) }
    @inline(__always) var artists: SketchList { SketchList(base: at(.artists)) }
    @inline(__always) var featured: SketchList { SketchList(base: at(.featured)) }
    @inline(__always) var writers: SketchList { SketchList(base: at(.writers)) }
    @inline(__always) var originalArtists: SketchList { SketchList(base: at(.originalArtists)) }
    @inline(__always) var remixers: SketchList { SketchList(base: at(.remixers)) }
    /// Zero or one album sketch.
    @inline(__always) var album: SketchList { SketchList(base: at(.album)) }
    @inline(__always) var versionWords: UnsafeBufferPointer<UInt32> { packedWords(at(.versionWords)) }
    @inline(__always) var artistTokens: UnsafeBufferPointer<UInt32> { packedWords(at(.artistTokens)) }
    @inline(__always) var record: UnsafeBufferPointer<UInt32> { packedWords(at(.record)) }
    @inline(__always) var writerIPIs: TextList { TextList(base: at(.writerIPIs)) }
    @inline(__always) var titleVariants: TextList { TextList(base: at(.titleVariants)) }
    @inline(__always) var iswc: PackedText? { TextList(base: at(.iswc)).first }
    @inline(__always) var isrc: PackedText? { TextList(base: at(.isrc)).first }
    @inline(__always) var textDurations: UnsafeBufferPointer<UInt32> { packedWords(at(.textDurations)) }
    /// (year, day number or `noDay`) pairs, flat.
    @inline(__always) var releaseDates: UnsafeBufferPointer<UInt32> { packedWords(at(.releaseDates), stride: 2) }
    @inline(__always) var recordTagMask: UInt32 { base[3] }
    @inline(__always) var titleSpecificity: Float { Float(bitPattern: base[4]) }
    @inline(__always) var fieldTokens: UnsafeBufferPointer<UInt32> { packedWords(at(.fieldTokens)) }
    @inline(__always) var digitWords: UnsafeBufferPointer<UInt32> { packedWords(at(.digitWords)) }
    /// `LineProfile.leadWords` (0: the whole title).
    @inline(__always) var leadWords: Int { Int(Int32(bitPattern: packedWords(at(.leadWords))[0])) }
    /// Zero or one sketch: `LineProfile.titleReading`.
    @inline(__always) var titleReading: SketchList { SketchList(base: at(.titleReading)) }

    /// Appends the record of `p` to `w.out`.
    static func encode(_ p: LineProfile, into w: inout PackedWriter) {
        let s = p.sketch
        w.begin(sections: Section.allCases.count, tagMask: s.tagMask, duration: p.duration, recordTagMask: s.recordTagMask,
                extra: PairFeatureExtractor.titleSpecificity(p.title).bitPattern)
        w.sketches([s.title], .all)
        w.sketches(s.medleyParts, .all)
        w.sketches(s.artists, .all)
        w.sketches(s.featured, .all)
        w.sketches(s.writers, .all)
        w.sketches(s.originalArtists, .all)
        w.sketches(s.remixers, .all)
        w.sketches(s.album.map { [$0] } ?? [], .all)
        w.set(s.versionWords)
        w.set(s.artistTokens)
        w.set(s.record)
        w.texts(p.writerIPIs)
        w.texts(p.titleVariants)
        w.texts(p.iswc.map { [$0] } ?? [])
        w.texts(p.isrc.map { [$0] } ?? [])
        w.ints(p.textDurations)
        w.dates(p.releaseDates)
        w.set(s.fieldTokens)
        w.set(s.digitWords)
        w.ints([p.leadWords])
        w.sketches(s.titleReading.map { [$0] } ?? [], .all)
        w.end()
    }
}

/// A packed work record (see `PackedLayout`): what the pair features read of a candidate work.
struct PackedWork: PackedRecordView {
    enum Section: Int, CaseIterable {
        case titles, titleVariants, performers, featured, writers, albums, remixers
        case versionWords, performerTokens, record, iswc, writerIPIs, isrcs, textDurations, releaseDates
        case fieldTokens, digitWords
    }

    let base: UnsafePointer<UInt32>
    @inline(__always) init(_ base: UnsafePointer<UInt32>) { self.base = base }

    /// Titles with text, grams, tokens and words.
    @inline(__always) var titles: SketchList { SketchList(base: at(.titles)) }
    @inline(__always) var titleVariants: TextList { TextList(base: at(.titleVariants)) }
    /// Names with grams only (their words are in `performerTokens` / `record`).
    @inline(__always) var performers: SketchList { SketchList(base: at(.performers)) }
    @inline(__always) var featured: SketchList { SketchList(base: at(.featured)) }
    @inline(__always) var writers: SketchList { SketchList(base: at(.writers)) }
    /// Albums with grams and tokens.
    @inline(__always) var albums: SketchList { SketchList(base: at(.albums)) }
    @inline(__always) var remixers: SketchList { SketchList(base: at(.remixers)) }
    @inline(__always) var versionWords: UnsafeBufferPointer<UInt32> { packedWords(at(.versionWords)) }
    @inline(__always) var performerTokens: UnsafeBufferPointer<UInt32> { packedWords(at(.performerTokens)) }
    @inline(__always) var record: UnsafeBufferPointer<UInt32> { packedWords(at(.record)) }
    @inline(__always) var iswc: PackedText? { TextList(base: at(.iswc)).first }
    @inline(__always) var writerIPIs: TextList { TextList(base: at(.writerIPIs)) }
    @inline(__always) var isrcs: TextList { TextList(base: at(.isrcs)) }
    @inline(__always) var textDurations: UnsafeBufferPointer<UInt32> { packedWords(at(.textDurations)) }
    @inline(__always) var releaseDates: UnsafeBufferPointer<UInt32> { packedWords(at(.releaseDates), stride: 2) }
    @inline(__always) var recordTagMask: UInt32 { base[3] }
    @inline(__always) var fieldTokens: UnsafeBufferPointer<UInt32> { packedWords(at(.fieldTokens)) }
    @inline(__always) var digitWords: UnsafeBufferPointer<UInt32> { packedWords(at(.digitWords)) }
    /// `WorkProfile.leadWords` (0: the whole first title).
    @inline(__always) var leadWords: Int { Int(base[4]) }

    /// Asks the CPU to start loading the record's first `bytes` (≈ 660 bytes per work at a million works).
    /// The matcher reads the records of its candidates at random in the mapped index, and the features'
    /// first touches of a record were its most expensive instructions (≈ 25% of `compute`'s samples waiting
    /// on memory): prefetching the next pairs' records overlaps those misses with the current pair's work.
    /// A prefetch is a hint, not a read: it never faults, so hinting past the record's end is harmless.
    @inline(__always) func prefetch(bytes: Int = 768) {
        let raw = UnsafeRawPointer(base)
        var offset = 0
        while offset < bytes {
            oeuvre_prefetch(raw + offset)
            offset += 64
        }
    }

    /// Appends the record of `p` to `w.out` (without its release dates when `releaseDates` is false).
    static func encode(_ p: WorkProfile, into w: inout PackedWriter, releaseDates: Bool = true) {
        let s = p.sketch
        w.begin(sections: Section.allCases.count, tagMask: s.tagMask, duration: p.duration, recordTagMask: s.recordTagMask,
                extra: UInt32(clamping: max(0, p.leadWords)))
        w.sketches(s.titles, .all)
        w.texts(p.titleVariants)
        w.sketches(s.performers, .grams)
        w.sketches(s.featured, .grams)
        w.sketches(s.writers, .grams)
        w.sketches(s.albums, [.grams, .tokens])
        w.sketches(s.remixers, .grams)
        w.set(s.versionWords)
        w.set(s.performerTokens)
        w.set(s.record)
        w.texts(p.iswc.map { [$0] } ?? [])
        w.texts(p.writerIPIs)
        w.texts(p.isrcs)
        w.ints(p.textDurations)
        w.dates(releaseDates ? p.releaseDates : [])
        w.set(s.fieldTokens)
        w.set(s.digitWords)
        w.end()
    }
}

/// Records of many profiles in one buffer, addressed by their word offsets.
struct PackedRecords {
    var words: [UInt32] = []
    var offsets: [Int] = []

    init() {}

    init(lines: [LineProfile]) {
        var w = PackedWriter()
        for p in lines {
            offsets.append(w.out.count)
            PackedLine.encode(p, into: &w)
        }
        words = w.out
    }

    init(works: [WorkProfile]) {
        var w = PackedWriter()
        for p in works {
            offsets.append(w.out.count)
            PackedWork.encode(p, into: &w)
        }
        words = w.out
    }
}

extension SketchList {
    /// Whether an item's text equals `t` byte for byte.
    @inline(__always)
    func containsText(_ t: PackedText) -> Bool {
        for s in self where packedTextEqual(s.text, t) { return true }
        return false
    }
}

// MARK: - Similarity on packed arrays (same formulas as the array versions)

extension Similarity {
    @inline(__always)
    static func intersection(_ a: UnsafeBufferPointer<UInt32>, _ b: UnsafeBufferPointer<UInt32>) -> Int {
        var i = 0, j = 0, n = 0
        let na = a.count, nb = b.count
        guard na > 0 && nb > 0 else { return 0 }
        let pa = a.baseAddress!, pb = b.baseAddress!
        // Disjoint ranges share nothing (common for names and titles that look nothing alike).
        if pa[na - 1] < pb[0] || pb[nb - 1] < pa[0] { return 0 }
        while i < na && j < nb {
            let x = pa[i], y = pb[j]
            if x == y {
                n += 1
                i += 1
                j += 1
            } else if x < y {
                i += 1
            } else {
                j += 1
            }
        }
        return n
    }

    // Each measure from the size `n` of the intersection of sets of `na` and `nb` values (by a merge, or by
    // `LineProbe`: the features use both, so the formulas live here once).
    @inline(__always)
    static func cosine(shared n: Int, _ na: Int, _ nb: Int) -> Float {
        guard na > 0 && nb > 0 else { return 0 }
        return Float(n) / (Float(na) * Float(nb)).squareRoot()
    }

    @inline(__always)
    static func jaccard(shared n: Int, _ na: Int, _ nb: Int) -> Float {
        guard na > 0 || nb > 0 else { return 0 }
        return Float(n) / Float(na + nb - n)
    }

    /// One side empty: no shared value, so both are 0 (jaccard's own guard only spares 0 / 0).
    @inline(__always)
    static func jaccardAndOverlap(shared n: Int, _ na: Int, _ nb: Int) -> (jaccard: Float, overlap: Float) {
        guard na > 0 && nb > 0 else { return (0, 0) }
        return (Float(n) / Float(na + nb - n), Float(n) / Float(min(na, nb)))
    }

    @inline(__always)
    static func overlap(shared n: Int, _ na: Int, _ nb: Int) -> Float {
        guard na > 0 && nb > 0 else { return 0 }
        return Float(n) / Float(min(na, nb))
    }

    /// The share of the `na` values of a set that the other holds.
    @inline(__always)
    static func containment(shared n: Int, _ na: Int) -> Float {
        guard na > 0 else { return 0 }
        return Float(n) / Float(na)
    }

    @inline(__always)
    static func cosine(_ a: UnsafeBufferPointer<UInt32>, _ b: UnsafeBufferPointer<UInt32>) -> Float {
        guard !a.isEmpty && !b.isEmpty else { return 0 }
        return cosine(shared: intersection(a, b), a.count, b.count)
    }

    @inline(__always)
    static func jaccard(_ a: UnsafeBufferPointer<UInt32>, _ b: UnsafeBufferPointer<UInt32>) -> Float {
        jaccard(shared: intersection(a, b), a.count, b.count)
    }

    /// `(jaccard(a, b), overlap(a, b))` from one merge of the two sets.
    @inline(__always)
    static func jaccardAndOverlap(_ a: UnsafeBufferPointer<UInt32>, _ b: UnsafeBufferPointer<UInt32>) -> (jaccard: Float, overlap: Float) {
        guard !a.isEmpty && !b.isEmpty else { return (0, 0) }
        return jaccardAndOverlap(shared: intersection(a, b), a.count, b.count)
    }

    @inline(__always)
    static func overlap(_ a: UnsafeBufferPointer<UInt32>, _ b: UnsafeBufferPointer<UInt32>) -> Float {
        guard !a.isEmpty && !b.isEmpty else { return 0 }
        return overlap(shared: intersection(a, b), a.count, b.count)
    }

    @inline(__always)
    static func containment(_ a: UnsafeBufferPointer<UInt32>, in b: UnsafeBufferPointer<UInt32>) -> Float {
        guard !a.isEmpty else { return 0 }
        return containment(shared: intersection(a, b), a.count)
    }

    /// Whether the shorter word sequence (at least two words) occurs as a contiguous run inside the longer
    /// one, which has more words ("Bobby Vinton Misty Blue" / "Misty Blue").
    @inline(__always)
    static func containsWordRun(_ a: UnsafeBufferPointer<UInt32>, _ b: UnsafeBufferPointer<UInt32>) -> Bool {
        let (short, long) = a.count <= b.count ? (a, b) : (b, a)
        guard short.count >= 2, long.count > short.count else { return false }
        var i = 0
        while i + short.count <= long.count {
            if long[i] == short[0] {
                var k = 1
                while k < short.count && long[i + k] == short[k] { k += 1 }
                if k == short.count { return true }
            }
            i += 1
        }
        return false
    }

    @inline(__always)
    static func commonPrefixWords(_ a: UnsafeBufferPointer<UInt32>, _ b: UnsafeBufferPointer<UInt32>) -> Int {
        var n = 0
        let m = min(a.count, b.count)
        while n < m && a[n] == b[n] { n += 1 }
        return n
    }

    /// Best trigram cosine between any name of `a` and any name of `b` (0 when either list is empty).
    @inline(__always)
    static func bestCosine(_ a: SketchList, _ b: SketchList) -> Float {
        var best: Float = 0
        for x in a { for y in b { best = max(best, cosine(x.grams, y.grams)) } }
        return best
    }
}
