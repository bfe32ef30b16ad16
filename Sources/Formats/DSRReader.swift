import Foundation
import OeuvreCore

// The DDEX DSR flat-file reader (FORMATS.md §1, §5).
//
// A report is one or more files (`1of2`, `2of2`) read in order through one `DSRReportState`:
// summary records (sales contexts) persist across its files. Each file is streamed line by line;
// records are split into cells on the bytes (no per-cell String on the hot path) and collected per
// block. When a block ends, its usage records are resolved (resource references, release
// allocation to the release's resources, UGC records) and summed per resource and sales context
// into `DSRLineStore`, which keeps one compact entry per resource and per (resource, context).
// Memory is therefore one block plus that per-resource aggregation; `UsageLine` values are only
// built at the end (`DSRLineStore.makeLines`).

/// A range of bytes in a block arena.
struct Span {
    var start: Int32 = 0
    var end: Int32 = 0
    var isEmpty: Bool { start == end }
}

/// Aggregates the usage of a DSR report per resource and per sales context.
///
/// Hot-path classes in this file mark their stored properties `@exclusivity(unchecked)`: they are
/// only touched from one thread and never passed `inout` while another access is open, and the
/// dynamic checks otherwise cost about a fifth of the parse time.
final class DSRLineStore {
    enum Field: Int, CaseIterable { case dspId, fallbackId, isrc, title, subtitle, artist, album, works }
    static let fieldCount = Field.allCases.count

    /// One distinct resource: its fields in the arena and the head of its list of lines.
    struct Resource {
        /// Arena offset of the first field; `ends[f]` is the end of field `f`, relative to `start`.
        var start: Int
        var ends: SIMD8<UInt32>
        var duration: Int32
        var file: Int32
        var line: Int32
        var firstLine: Int32 = -1
        var lineCount: Int32 = 0
    }

    /// One usage line: a resource in a sales context (lines of a resource are chained through `next`).
    struct Line {
        var resource: Int32
        var context: Int32
        var next: Int32 = -1
        var hasRevenue: Bool
        var plays: Double
        var revenue: Double
    }

    /// Whether resources and lines are kept (false: only plays are counted, for streaming benchmarks).
    let retain: Bool
    @exclusivity(unchecked) private var keys = ByteKeyTable(capacity: 1 << 12)
    @exclusivity(unchecked) private(set) var arena = ByteBuffer(capacity: 1 << 16)
    @exclusivity(unchecked) private var resources: [Resource] = []
    @exclusivity(unchecked) private var lines: [Line] = []
    /// Totals when not retaining.
    @exclusivity(unchecked) private(set) var streamedLines = 0

    init(retain: Bool) { self.retain = retain }

    deinit {
        keys.free()
        arena.free()
    }

    var resourceCount: Int { resources.count }

    /// Reserves room for a report of about `bytes` bytes of text (untouched memory costs nothing,
    /// and growing large arrays by copying is avoided).
    func reserve(forReportBytes bytes: Int) {
        guard retain, bytes > 0 else { return }
        resources.reserveCapacity(bytes / 200)
        lines.reserveCapacity(bytes / 60)
        arena.reserve(bytes / 4)
        // A resource takes a few hundred bytes of report (its AS record and usage rows): size the
        // key table for that, so that it rarely has to grow.
        keys.reserve(keys: bytes / 400, bytes: bytes / 16)
    }
    var lineCount: Int { retain ? lines.count : streamedLines }

    /// Index of the resource with `key`; `inserted` when it is new, and then the caller must add it
    /// with `addResource` before interning another key.
    func intern(key: UnsafeBufferPointer<UInt8>) -> (index: Int, inserted: Bool) { keys.intern(key) }
    /// `ByteKeyTable.touch` on the resource keys (a block's keys touched before they are interned).
    func touch(key: UnsafeBufferPointer<UInt8>) -> UInt64 { keys.touch(key) }

    /// Adds the resource just interned: `write` appends its fields to the arena and reports the end of
    /// each (field, arena count). Returns its index.
    func addResource(duration: Int32, file: Int32, line: Int32, write: (inout ByteBuffer, (Field, Int) -> Void) -> Void) -> Int {
        let index = resources.count
        let start = arena.count
        var ends = SIMD8<UInt32>()
        write(&arena) { field, count in ends[field.rawValue] = UInt32(count - start) }
        // Fields not written are empty: make their ends monotone.
        var prev: UInt32 = 0
        for i in 0..<Self.fieldCount {
            if ends[i] < prev { ends[i] = prev }
            prev = ends[i]
        }
        resources.append(Resource(start: start, ends: ends, duration: duration, file: file, line: line))
        return index
    }

    /// Adds usage of `resource` in `context`; returns whether a new line was created.
    @discardableResult
    func addUsage(resource: Int, context: Int32, plays: Double, revenue: Double?) -> Bool {
        if !retain {
            streamedLines += 1
            return true
        }
        var l = resources[resource].firstLine
        var last: Int32 = -1
        while l >= 0 {
            let li = Int(l)
            if lines[li].context == context {
                lines[li].plays += plays
                if let revenue {
                    lines[li].revenue += revenue
                    lines[li].hasRevenue = true
                }
                return false
            }
            last = l
            l = lines[li].next
        }
        let new = Int32(lines.count)
        lines.append(Line(resource: Int32(resource), context: context, hasRevenue: revenue != nil, plays: plays, revenue: revenue ?? 0))
        if last >= 0 { lines[Int(last)].next = new } else { resources[resource].firstLine = new }
        resources[resource].lineCount += 1
        return true
    }

    private func field(_ r: Int, _ f: Field) -> UnsafeBufferPointer<UInt8> {
        let res = resources[r]
        let s = f.rawValue == 0 ? 0 : Int(res.ends[f.rawValue - 1])
        let e = Int(res.ends[f.rawValue])
        return arena.bytes(res.start + s, res.start + e)
    }

    private func string(_ r: Int, _ f: Field) -> String? {
        let b = field(r, f)
        return b.isEmpty ? nil : String(decoding: b, as: UTF8.self)
    }

    /// Decodes the serialized works of resource `r` (see `DSRFileParser.writeWork`).
    private func works(_ r: Int) -> [ReportedWork] {
        let b = field(r, .works)
        guard !b.isEmpty, let base = b.baseAddress else { return [] }
        func text(_ s: Int, _ e: Int) -> String {
            var lo = s
            var hi = e
            while lo < hi && base[lo] == 0x20 { lo += 1 }
            while hi > lo && base[hi - 1] == 0x20 { hi -= 1 }
            return String(decoding: UnsafeBufferPointer(start: base + lo, count: hi - lo), as: UTF8.self)
        }
        func list(_ s: Int, _ e: Int) -> [String] {
            if s == e { return [] }
            var out: [String] = []
            var a = s
            for i in s..<e where base[i] == 0x1D {
                out.append(text(a, i))
                a = i + 1
            }
            out.append(text(a, e))
            return out
        }
        var out: [ReportedWork] = []
        var i = 0
        let n = b.count
        while i < n {
            // title 0x1F iswc 0x1F writers 0x1F ids 0x1F workId 0x1E
            var bounds = [Int](repeating: 0, count: 5)
            var part = 0
            var start = i
            while i < n && base[i] != 0x1E {
                if base[i] == 0x1F && part < 4 {
                    bounds[part] = i
                    part += 1
                }
                i += 1
            }
            let end = i
            i += 1
            guard part == 4 else { continue }
            let title = text(start, bounds[0])
            start = bounds[0] + 1
            let iswc = bounds[1] > start ? text(start, bounds[1]) : nil
            let writers = list(bounds[1] + 1, bounds[2])
            let ids = list(bounds[2] + 1, bounds[3])
            let workId = end > bounds[3] + 1 ? text(bounds[3] + 1, end) : nil
            out.append(ReportedWork(title: title, iswc: iswc, writers: writers, writerIds: ids, workId: workId))
        }
        return out
    }

    /// Builds the usage lines, in order of first appearance. `contextInfo` gives, per context index,
    /// the summary id, territory, use type and commercial model.
    func makeLines(paths: [String], contexts: [DSRContextInfo]) -> [UsageLine] {
        makeLines(paths: paths, contexts: contexts, keepingResource: nil).lines
    }

    /// The resource of every line, in line order.
    func resourceOfLines() -> [Int32] { lines.map(\.resource) }

    /// One line per resource as its lines carry it (line id: the resource's base id; no plays, revenue or
    /// sales context): what the grouping of its lines reads.
    func resourceLines(paths: [String]) -> [UsageLine] {
        resources.indices.map { r in proto(r, paths: paths).line }
    }

    /// The lines of the resources `keep` accepts (all when nil), in line order, with their line indices.
    func makeLines(paths: [String], contexts: [DSRContextInfo], keepingResource keep: ((Int) -> Bool)?) -> (lines: [UsageLine], indices: [Int]) {
        var out: [UsageLine] = []
        var indices: [Int] = []
        if keep == nil { out.reserveCapacity(lines.count) }
        var cached = -1
        var proto = UsageLine(lineId: "", title: "")
        var baseId = ""
        for (k, rec) in lines.enumerated() {
            let r = Int(rec.resource)
            if let keep, !keep(r) { continue }
            if r != cached {
                cached = r
                (proto, baseId) = self.proto(r, paths: paths)
            }
            var line = proto
            let c = contexts[Int(rec.context)]
            if resources[r].lineCount > 1 {
                line.lineId = baseId + "@" + c.summaryId + (c.lineUseType.map { "@" + $0 } ?? "")
            }
            line.plays = rec.plays
            line.netRevenue = rec.hasRevenue ? rec.revenue : nil
            line.territory = c.territory
            line.useType = c.useType
            line.commercialModel = c.commercialModel
            out.append(line)
            if keep != nil { indices.append(k) }
        }
        return (out, keep == nil ? Array(out.indices) : indices)
    }

    /// The fields resource `r` gives each of its lines, and its base line id.
    private func proto(_ r: Int, paths: [String]) -> (line: UsageLine, baseId: String) {
        let works = works(r)
        var writers: [String] = []
        var ids: [String] = []
        var parallel = true
        var iswc: String?
        for w in works {
            if iswc == nil { iswc = w.iswc }
            let paired = w.writerIds.count == w.writers.count
            if !paired && !w.writerIds.isEmpty { parallel = false }
            for (i, name) in w.writers.enumerated() where !name.isEmpty {
                if let k = writers.firstIndex(of: name) {
                    // One id per writer: keep the first, but prefer an IPI name number.
                    if paired, !w.writerIds[i].isEmpty,
                       ids[k].isEmpty || (!ids[k].uppercased().hasPrefix("IPI") && w.writerIds[i].uppercased().hasPrefix("IPI")) {
                        ids[k] = w.writerIds[i]
                    }
                    continue
                }
                writers.append(name)
                ids.append(paired ? w.writerIds[i] : "")
            }
            if !paired { for id in w.writerIds where !id.isEmpty && !ids.contains(id) { ids.append(id) } }
        }
        if !parallel || ids.allSatisfy(\.isEmpty) { ids = ids.filter { !$0.isEmpty } }
        let dsp = string(r, .dspId)
        let baseId = dsp ?? string(r, .fallbackId) ?? "resource\(r + 1)"
        let res = resources[r]
        let d = res.duration
        let line = UsageLine(
            lineId: baseId, isrc: string(r, .isrc), title: string(r, .title) ?? "", subtitle: string(r, .subtitle),
            artist: string(r, .artist), duration: d >= 0 ? Int(d) : nil, plays: 0, iswc: iswc, writers: writers,
            writerIds: ids, album: string(r, .album), dspResourceId: dsp,
            position: SourcePosition(file: paths[Int(res.file)], line: Int(res.line)), works: works)
        return (line, baseId)
    }
}

/// What a context index stands for when lines are built.
struct DSRContextInfo {
    var summaryId: String
    var territory: String?
    var useType: String?
    var commercialModel: String?
    /// The use type given on the usage record itself (SU02 cell 11), which splits a summary's context.
    var lineUseType: String?
}

/// State shared by the files of one DSR report.
final class DSRReportState {
    let options: UsageReadOptions
    let store: DSRLineStore
    @exclusivity(unchecked) var paths: [String] = []
    /// Summary ids (interned) and their records (nil while only referenced).
    @exclusivity(unchecked) var summaryIds = ByteKeyTable()
    @exclusivity(unchecked) var summaries: [DSRSummary?] = []
    /// Parallel to `summaries` (checked per usage record without copying a summary).
    @exclusivity(unchecked) var summaryDefined: [Bool] = []
    @exclusivity(unchecked) var summaryFirstReference: [SourcePosition?] = []
    @exclusivity(unchecked) var summaryReferences: [Int] = []
    @exclusivity(unchecked) var useTypeIds = ByteKeyTable()
    @exclusivity(unchecked) var useTypes: [String] = []
    @exclusivity(unchecked) var contexts: [(summary: Int32, useType: Int32)] = []
    @exclusivity(unchecked) var contextIndex: [Int64: Int32] = [:]
    /// Context of each summary without a line-level use type (the common case), -1 when none yet.
    @exclusivity(unchecked) var contextOfSummary: [Int32] = []
    @exclusivity(unchecked) var blocksInReport = 0

    init(options: UsageReadOptions, retain: Bool) {
        self.options = options
        store = DSRLineStore(retain: retain)
    }

    deinit {
        summaryIds.free()
        useTypeIds.free()
    }

    func summaryIndex(_ b: UnsafeBufferPointer<UInt8>) -> Int {
        let (i, inserted) = summaryIds.intern(b)
        if inserted {
            summaries.append(nil)
            summaryDefined.append(false)
            summaryFirstReference.append(nil)
            summaryReferences.append(0)
        }
        return i
    }

    func context(summary: Int, useType: Int) -> Int32 {
        if useType < 0 {
            if summary < contextOfSummary.count, contextOfSummary[summary] >= 0 { return contextOfSummary[summary] }
            while contextOfSummary.count <= summary { contextOfSummary.append(-1) }
        }
        let key = Int64(summary) << 32 | Int64(UInt32(bitPattern: Int32(useType)))
        if let c = contextIndex[key] { return c }
        let c = Int32(contexts.count)
        contexts.append((Int32(summary), Int32(useType)))
        contextIndex[key] = c
        if useType < 0 { contextOfSummary[summary] = c }
        return c
    }

    func contextInfos() -> [DSRContextInfo] {
        contexts.map { c in
            let id = String(decoding: summaryIds.key(Int(c.summary)), as: UTF8.self)
            let s = summaries[Int(c.summary)]
            let lineUse = c.useType >= 0 ? useTypes[Int(c.useType)] : nil
            return DSRContextInfo(summaryId: id, territory: s?.territory, useType: lineUse ?? s?.useType,
                                  commercialModel: s?.commercialModel, lineUseType: lineUse)
        }
    }
}

/// Reads one DSR file into a `DSRReportState`.
final class DSRFileParser {
    struct Resource {
        var ref = Span(), dspId = Span(), isrc = Span(), title = Span(), subtitle = Span(), artist = Span()
        var iswc = Span(), writers = Span(), writerIds = Span(), workId = Span(), album = Span()
        var hasWork = false
        var duration: Int32 = -1
        var line: Int32 = 0
        var firstAcc: Int32 = -1
        var global: Int32 = -1
    }

    struct Work {
        /// 0: resource index in `target`; 1: `ref` is a ResourceReference; 2: `ref` is a DspResourceId.
        var targetKind: UInt8 = 0
        var target: Int32 = -1
        var ref = Span()
        var workId = Span(), iswc = Span(), title = Span(), writers = Span(), writerIds = Span()
        var line: Int32 = 0
    }

    struct Release {
        var ref = Span()
        var head = false
        var used = Span()
        var title = Span()
        var line: Int32 = 0
    }

    struct Usage {
        /// 0: ResourceReference, 1: ReleaseReference, 2: DspResourceId (SU03), 3: whole block (RU01/RU02).
        var kind: UInt8
        var ref: Span
        var context: Int32
        var plays: Double
        var revenue: Double
        var hasRevenue: Bool
        var line: Int32
        var cell: Int8
        var record: DSRRecordKind
    }

    struct Acc {
        var context: Int32
        var plays: Double = 0
        var ruPlays: Double = 0
        var revenue: Double = 0
        var hasRevenue = false
        var hasSU = false
        var next: Int32 = -1
    }

    let path: String
    let fileIndex: Int32
    let state: DSRReportState
    @exclusivity(unchecked) private(set) var stats: UsageFileStats
    @exclusivity(unchecked) private var warnings = WarningCollector()
    private let cells = DSRCells()
    @exclusivity(unchecked) private var lineNo = 0
    @exclusivity(unchecked) private var kind: DSRRecordKind = .head
    @exclusivity(unchecked) private var version: UInt32 = 0

    @exclusivity(unchecked) private var arena = ByteBuffer(capacity: 1 << 14)
    @exclusivity(unchecked) private var blockId = ByteBuffer(capacity: 64)
    @exclusivity(unchecked) private var inBlock = false
    @exclusivity(unchecked) private var lastNumericBlock: Int?
    @exclusivity(unchecked) private var resources: [Resource] = []
    @exclusivity(unchecked) private var works: [Work] = []
    @exclusivity(unchecked) private var releases: [Release] = []
    @exclusivity(unchecked) private var usages: [Usage] = []
    @exclusivity(unchecked) private var accs: [Acc] = []
    @exclusivity(unchecked) private var refTable = ByteKeyTable()
    @exclusivity(unchecked) private var refTableResource: [Int32] = []
    /// Resource index of each MW01 of the block (resolved at the block's end).
    @exclusivity(unchecked) private var workOf: [Int32] = []
    @exclusivity(unchecked) private var afterUsage = false
    @exclusivity(unchecked) private var lastUsageRef = Span()
    @exclusivity(unchecked) private var lastSummary = ByteBuffer(capacity: 64)
    @exclusivity(unchecked) private var lastSummaryIndex = -1
    @exclusivity(unchecked) private var lastContextKey: (Int, Int) = (-1, -1)
    @exclusivity(unchecked) private var lastContext: Int32 = -1
    @exclusivity(unchecked) private var scratch = ByteBuffer(capacity: 256)

    @exclusivity(unchecked) private var sawHead = false
    @exclusivity(unchecked) private var footerSeen = false
    @exclusivity(unchecked) private var recordCounts = [Int](repeating: 0, count: DSRRecordKind.allCases.count)
    @exclusivity(unchecked) private var fileSummaries = 0
    @exclusivity(unchecked) private var fileBlocks = 0
    @exclusivity(unchecked) private var extraCells = [Bool](repeating: false, count: DSRRecordKind.allCases.count)

    init(path: String, fileIndex: Int, state: DSRReportState) {
        self.path = path
        self.fileIndex = Int32(fileIndex)
        self.state = state
        stats = UsageFileStats(format: "dsr", path: path)
    }

    deinit {
        arena.free()
        blockId.free()
        refTable.free()
        lastSummary.free()
        scratch.free()
    }

    // MARK: Errors and warnings

    private func position(_ cell: Int? = nil, line: Int? = nil) -> SourcePosition {
        SourcePosition(file: path, line: line ?? lineNo, column: cell, field: cell.map { kind.cellName($0) })
    }

    private func error(_ message: String, cell: Int? = nil, line: Int? = nil) -> OeuvreError {
        OeuvreError(.invalidInput, message, at: position(cell, line: line))
    }

    private func warn(_ key: Int, _ message: @autoclosure () -> String, cell: Int? = nil) {
        warnings.add(key, message(), at: position(cell))
    }

    private func text(_ n: Int) -> String {
        scratch.removeAll()
        cells.append(n, to: &scratch)
        return String(decoding: scratch.bytes(0, scratch.count), as: UTF8.self)
    }

    private func optionalText(_ n: Int) -> String? { cells.isEmpty(n) ? nil : text(n) }

    private func copy(_ n: Int) -> Span {
        let s = Int32(arena.count)
        if cells.append(n, to: &arena) { warn(10_000 + n, "unknown escape sequence kept literally (DDEX escapes are \\<TAB>, \\\\|, \\\\\\)", cell: n) }
        return Span(start: s, end: Int32(arena.count))
    }

    /// Copies a text cell without leading/trailing spaces.
    private func copyText(_ n: Int) -> Span {
        var span = copy(n)
        let p = arena.storage
        while span.start < span.end && p[Int(span.start)] == 0x20 { span.start += 1 }
        while span.end > span.start && p[Int(span.end) - 1] == 0x20 { span.end -= 1 }
        return span
    }

    private func copyValues(_ n: Int, separator: UInt8) -> (Span, Int) {
        let s = Int32(arena.count)
        let (count, odd) = cells.appendValues(n, to: &arena, separator: separator)
        if odd { warn(10_000 + n, "unknown escape sequence kept literally (DDEX escapes are \\<TAB>, \\\\|, \\\\\\)", cell: n) }
        return (Span(start: s, end: Int32(arena.count)), count)
    }

    private func spanBytes(_ s: Span) -> UnsafeBufferPointer<UInt8> { arena.bytes(Int(s.start), Int(s.end)) }

    private func decimal(_ n: Int, required: Bool) throws(OeuvreError) -> Double? {
        let b = cells.raw(n)
        if b.isEmpty {
            if required { throw error("\(kind.cellName(n)) is empty; a number is required", cell: n) }
            return nil
        }
        guard let v = DSRValue.decimal(b) else {
            throw error("\(kind.cellName(n)) must be a number, got '\(text(n))'", cell: n)
        }
        return v
    }

    private func count(_ n: Int) throws(OeuvreError) -> Int? {
        let b = cells.raw(n)
        if b.isEmpty { return nil }
        guard let v = DSRValue.integer(b) else {
            throw error("\(kind.cellName(n)) must be a whole number, got '\(text(n))'", cell: n)
        }
        return v
    }

    // MARK: Reading

    /// Reads the whole file. Throws on malformed input; warnings end up in `stats`.
    func parse() throws(OeuvreError) -> UsageFileStats {
        let reader = try LineReader(path: path)
        do {
            while try reader.nextLine({ (line: UnsafeRawBufferPointer) throws(OeuvreError) in try self.record(line) }) != nil {}
        } catch {
            var e = error
            if e.position == nil || e.position?.line == 0 {
                e.position = SourcePosition(file: path, line: lineNo + 1)
            }
            throw e
        }
        try flushBlock()
        guard stats.footer != nil else {
            if !sawHead { throw OeuvreError(.invalidInput, "no HEAD record: not a DSR flat file", at: SourcePosition(file: path, line: max(lineNo, 1))) }
            throw OeuvreError(.invalidInput,
                              "missing FOOT record: the file ends at line \(lineNo) without a footer (truncated file?)",
                              at: SourcePosition(file: path, line: max(lineNo, 1)))
        }
        for k in DSRRecordKind.allCases where recordCounts[k.rawValue] > 0 { stats.records[k.name] = recordCounts[k.rawValue] }
        stats.blocks = fileBlocks
        stats.warnings = warnings.items
        return stats
    }

    private func record(_ raw: UnsafeRawBufferPointer) throws(OeuvreError) {
        lineNo += 1
        var line = raw
        if lineNo == 1, line.count >= 3, line[0] == 0xEF, line[1] == 0xBB, line[2] == 0xBF {
            line = UnsafeRawBufferPointer(rebasing: line[3...])
        }
        if footerSeen {
            // Only blank lines may follow the footer; they are not counted.
            if line.contains(where: { $0 != 0x20 && $0 != 0x09 && $0 != 0x0D }) {
                throw error("record after the footer (\(stats.footer?.recordType ?? "FOOT") must be the last record)")
            }
            return
        }
        stats.physicalLines = lineNo
        if line.isEmpty { return }
        if line[0] == 0x23 {
            stats.commentLines += 1
            return
        }
        if let bad = cells.split(line) {
            let c = cells.cellIndex(ofByte: bad)
            throw OeuvreError(.invalidInput, TextEncoding.invalidUTF8Message(UnsafeRawBufferPointer(cells.raw(c)), path: path),
                              at: SourcePosition(file: path, line: lineNo, column: c))
        }
        let t = cells.raw(1)
        var found: DSRRecordKind?
        version = 0
        if t.count >= 4, let p = t.baseAddress {
            let packed = UInt32(p[0]) << 24 | UInt32(p[1]) << 16 | UInt32(p[2]) << 8 | UInt32(p[3])
            found = DSRRecordKind.from(packed: packed)
            if t.count > 4 {
                // `XXnn.vv`: a dot and 1–3 digits.
                if p[4] == 0x2E, t.count >= 6, t.count <= 8, let v = DSRValue.integer(UnsafeBufferPointer(rebasing: t[5...])) {
                    version = UInt32(v)
                } else {
                    found = nil
                }
            }
        }
        guard let k = found else {
            let name = String(decoding: t, as: UTF8.self)
            if !sawHead {
                throw OeuvreError(.invalidInput, "expected a HEAD record first, found '\(name)'",
                                  at: SourcePosition(file: path, line: lineNo, column: 1, field: "RecordType"))
            }
            stats.unknownRecords[name, default: 0] += 1
            // Summary record types Oeuvre does not read still count as summary records for the footer.
            if t.count >= 4, t[0] == 0x53, t[1] == 0x59, t[2] >= 0x30, t[2] <= 0x39, t[3] >= 0x30, t[3] <= 0x39 { fileSummaries += 1 }
            return
        }
        kind = k
        if !sawHead && k != .head {
            throw error("expected a HEAD record first, found '\(k.name)'", cell: 1)
        }
        recordCounts[k.rawValue] += 1
        let expected = k.expectedCells(version: version)
        if cells.count < expected {
            warn(1000 + k.rawValue,
                 "\(k.name) records with fewer cells than the \(expected) their layout defines (first: \(cells.count)); missing trailing cells read as empty")
        } else if cells.count > expected && !extraCells[k.rawValue] && cells.hasContent(from: max(expected, k.cellsRead) + 1) {
            extraCells[k.rawValue] = true
            warn(2000 + k.rawValue, "\(k.name) records carry more cells than the \(expected) Oeuvre reads; the extra cells are ignored")
        }
        switch k {
        case .head: try head()
        case .foot, .srfo: try footer()
        case .sy01, .sy02, .sy04, .sy05, .sy06, .sy09: try summary()
        case .re01, .re02: try release()
        case .as01, .as02: try resource()
        case .mw01: try musicalWork()
        case .su01, .su02, .su03, .ru01, .ru02: try usage()
        case .li01: try licensor()
        case .sr01, .sr02: try singleRecord()
        }
    }

    private func head() throws(OeuvreError) {
        if sawHead { throw error("a second HEAD record (HEAD must occur once, on the first line)", cell: 1) }
        sawHead = true
        var h = DSRHeader()
        h.messageVersion = optionalText(2)
        h.profile = optionalText(3)
        h.profileVersion = optionalText(4)
        h.messageId = optionalText(5)
        h.createdDateTime = optionalText(6)
        h.fileNumber = try count(7)
        h.numberOfFiles = try count(8)
        h.usageStartDate = optionalText(9)
        h.usageEndDate = optionalText(10)
        h.senderPartyId = optionalText(11)
        h.senderName = optionalText(12)
        h.serviceDescription = optionalText(13)
        h.recipientPartyId = optionalText(14)
        h.recipientName = optionalText(15)
        if let v = h.messageVersion, !v.lowercased().hasPrefix("dsrf/") {
            warn(3, "MessageVersion '\(v)' does not start with 'dsrf/'", cell: 2)
        }
        if let p = h.profile, !DSRProfiles.known.contains(p.lowercased()) {
            warn(4, "unknown profile '\(p)'; records are read by their types", cell: 3)
        }
        if let f = h.fileNumber, let n = h.numberOfFiles, f < 1 || f > n {
            throw error("FileNumber \(f) is not between 1 and NumberOfFiles \(n)", cell: 7)
        }
        stats.header = h
    }

    private func footer() throws(OeuvreError) {
        try flushBlock()
        var f = DSRFooter(recordType: kind.name, line: lineNo)
        if kind == .foot {
            f.linesInFile = try count(2)
            f.linesInReport = try count(3)
            f.summaryRecords = try count(4)
            f.blocksInFile = try count(5)
            f.blocksInReport = try count(6)
            if f.linesInFile == nil { warn(5, "FOOT NumberOfLinesInFile is empty; the line count is not checked", cell: 2) }
            try check(f.linesInFile, lineNo, "NumberOfLinesInFile", "lines in the file", cell: 2)
            try check(f.summaryRecords, fileSummaries, "NumberOfSummaryRecords", "summary records in the file", cell: 4)
            try check(f.blocksInFile, fileBlocks, "NumberOfBlocksInFile", "blocks in the file", cell: 5)
        } else {
            f.linesInReport = try count(2)
            f.summaryRecords = try count(3)
        }
        stats.footer = f
        footerSeen = true
    }

    func check(_ declared: Int?, _ actual: Int, _ name: String, _ what: String, cell: Int) throws(OeuvreError) {
        guard let declared, declared != actual else { return }
        let message = "\(kind.name) \(name) is \(declared) but there are \(actual) \(what)"
        if state.options.lenientCounts {
            warn(6000 + cell, message + " (accepted with --lenient)", cell: cell)
        } else {
            throw error(message + " (use --lenient to read it with a warning)", cell: cell)
        }
    }

    private func summary() throws(OeuvreError) {
        let idCell = 2
        if cells.isEmpty(idCell) { throw error("SummaryRecordId is empty", cell: idCell) }
        fileSummaries += 1
        if fileBlocks > 0 { warn(7, "summary record after the first block (summary records belong at the top)", cell: 1) }
        var s = DSRSummary(id: text(idCell), recordType: kind.name, position: position())
        switch kind {
        case .sy09:
            s.commercialModel = optionalText(3)
            s.useType = optionalText(4)
            s.territory = optionalText(5)
            s.serviceDescription = optionalText(6)
            s.rightsController = optionalText(8)
            s.usages = try decimal(11, required: false)
            s.netRevenue = try decimal(13, required: false)
            s.currency = optionalText(16)
        default:
            s.commercialModel = optionalText(5)
            s.useType = optionalText(6)
            s.territory = optionalText(7)
            s.serviceDescription = optionalText(8)
            switch kind {
            case .sy01, .sy02:
                s.usages = try decimal(9, required: false)
                s.currency = optionalText(11)
                s.netRevenue = try decimal(12, required: false)
                if kind == .sy02 { s.rightsController = optionalText(13) }
            case .sy04:
                s.usages = try decimal(14, required: false)
                s.currency = optionalText(15)
                s.netRevenue = try decimal(19, required: false)
            case .sy05:
                s.rightsController = optionalText(9)
                s.usages = try decimal(12, required: false)
                var total: Double?
                for v in text(15).split(separator: "|") where !v.isEmpty {
                    guard let d = Double(v), d.isFinite else {
                        throw error("AllocatedNetRevenue must be numbers, got '\(v)'", cell: 15)
                    }
                    total = (total ?? 0) + d
                }
                s.netRevenue = total
                s.currency = optionalText(18)
            case .sy06:
                s.usages = try decimal(9, required: false)
                s.currency = optionalText(11)
                s.netRevenue = try decimal(13, required: false)
            default: break
            }
        }
        let i = state.summaryIndex(cells.raw(idCell))
        if let existing = state.summaries[i] {
            if existing.territory != s.territory || existing.useType != s.useType || existing.commercialModel != s.commercialModel {
                warn(8, "summary record '\(s.id)' defined again with a different sales context; the first definition is used", cell: idCell)
            }
        } else {
            state.summaries[i] = s
            state.summaryDefined[i] = true
        }
        stats.summaries.append(s)
    }

    /// Enters the block of the current record (cell 2), flushing the previous one when it changes.
    private func enterBlock() throws(OeuvreError) {
        let b = cells.raw(2)
        if b.isEmpty { throw error("BlockId is empty", cell: 2) }
        if inBlock && bytesEqual(b, blockId.bytes(0, blockId.count)) { return }
        try flushBlock()
        if let v = DSRValue.integer(b) {
            if let prev = lastNumericBlock, v <= prev {
                throw error("BlockId \(v) after block \(prev): the records of a block must be contiguous and BlockIds increasing", cell: 2)
            }
            lastNumericBlock = v
        }
        blockId.removeAll()
        blockId.append(b)
        inBlock = true
        fileBlocks += 1
        state.blocksInReport += 1
    }

    private func release() throws(OeuvreError) {
        try enterBlock()
        if cells.isEmpty(3) { throw error("ReleaseReference is empty", cell: 3) }
        var r = Release()
        r.ref = copy(3)
        r.line = Int32(lineNo)
        if kind == .re01 {
            r.head = true
            r.title = copyText(10)
            if releases.contains(where: \.head) { warn(9, "a second RE01 (head release) in one block", cell: 1) }
        } else {
            let (used, n) = copyValues(6, separator: 0x1F)
            if n == 0 { throw error("UsedResources is empty", cell: 6) }
            r.used = used
        }
        releases.append(r)
    }

    private func resource() throws(OeuvreError) {
        try enterBlock()
        afterUsage = false
        if cells.isEmpty(3) { throw error("ResourceReference is empty", cell: 3) }
        var r = Resource()
        r.line = Int32(lineNo)
        r.ref = copy(3)
        r.dspId = copy(4)
        try readRecording(into: &r, isrc: 5, title: 6, subtitle: 7, artist: 8, duration: 10)
        if kind == .as02 { try readWork(into: &r, iswc: 12, writers: 13, ids: 14, workId: 21) }
        resources.append(r)
    }

    private func readRecording(into r: inout Resource, isrc: Int, title: Int, subtitle: Int, artist: Int, duration: Int) throws(OeuvreError) {
        if !cells.isEmpty(isrc) {
            let raw = cells.raw(isrc)
            var value: String?
            if cells.flags(isrc) & 1 == 0 && DSRValue.isCanonicalISRC(raw) {
                let s = Int32(arena.count)
                arena.append(raw)
                r.isrc = Span(start: s, end: Int32(arena.count))
            } else if !cells.hasPipe(isrc) {
                value = DSRValue.isrc(raw)
            } else {
                for v in text(isrc).split(separator: "|") { if let i = ISRC.parse(String(v)) { value = i.value; break } }
            }
            if let value {
                let s = Int32(arena.count)
                arena.append(value)
                r.isrc = Span(start: s, end: Int32(arena.count))
            } else if r.isrc.isEmpty {
                warn(11, "invalid ISRC '\(text(isrc))' not used for matching", cell: isrc)
            }
        }
        r.title = copyText(title)
        if r.title.isEmpty { warn(12, "\(kind.cellName(title)) is empty", cell: title) }
        r.subtitle = copyText(subtitle)
        r.artist = copyText(artist)
        let (ok, seconds) = DSRValue.durationSeconds(cells.raw(duration))
        guard ok else { throw error("bad ISO 8601 duration '\(text(duration))' (expected PT#H#M#S)", cell: duration) }
        if let seconds, seconds > 0 { r.duration = Int32(clamping: seconds) }
    }

    private func readISWC(_ n: Int) -> Span {
        if cells.isEmpty(n) { return Span() }
        if cells.flags(n) & 1 == 0 && DSRValue.isCanonicalISWC(cells.raw(n)) {
            let s = Int32(arena.count)
            arena.append(cells.raw(n))
            return Span(start: s, end: Int32(arena.count))
        }
        let raw = text(n)
        guard let iswc = ISWC.parse(raw) else {
            warn(13, "invalid ISWC '\(raw)' not used for matching", cell: n)
            return Span()
        }
        let s = Int32(arena.count)
        arena.append(iswc.value)
        return Span(start: s, end: Int32(arena.count))
    }

    private func readWork(into r: inout Resource, iswc: Int, writers: Int, ids: Int, workId: Int) throws(OeuvreError) {
        r.iswc = readISWC(iswc)
        let (w, nw) = copyValues(writers, separator: 0x1D)
        let (i, ni) = copyValues(ids, separator: 0x1D)
        if ni > 0 && ni != nw { warn(14, "\(kind.cellName(ids)) has a different number of values than \(kind.cellName(writers))", cell: ids) }
        r.writers = w
        r.writerIds = i
        r.workId = copy(workId)
        r.hasWork = !r.iswc.isEmpty || nw > 0 || ni > 0 || !r.workId.isEmpty
    }

    private func musicalWork() throws(OeuvreError) {
        try enterBlock()
        var w = Work()
        w.line = Int32(lineNo)
        if cells.count >= 17 && !cells.isEmpty(17) {
            w.targetKind = 1
            w.ref = copy(17)
        } else if afterUsage && !lastUsageRef.isEmpty {
            w.targetKind = 2
            w.ref = lastUsageRef
        } else if !resources.isEmpty {
            w.target = Int32(resources.count - 1)
        } else {
            warn(15, "MW01 record before any resource record of its block; its work data is not attached", cell: 1)
            return
        }
        w.workId = copy(cells.isEmpty(3) ? 16 : 3)
        w.iswc = readISWC(4)
        w.title = copyText(5)
        let (names, nw) = copyValues(7, separator: 0x1D)
        let (ids, ni) = copyValues(8, separator: 0x1D)
        if ni > 0 && ni != nw { warn(14, "\(kind.cellName(8)) has a different number of values than \(kind.cellName(7))", cell: 8) }
        w.writers = names
        w.writerIds = ids
        works.append(w)
    }

    /// Context index for the SummaryRecordId in `cell` and an optional use type cell.
    private func context(_ cell: Int, useType: Int? = nil) throws(OeuvreError) -> Int32 {
        let b = cells.raw(cell)
        if b.isEmpty { throw error("SummaryRecordId is empty", cell: cell) }
        var s: Int
        if lastSummaryIndex >= 0 && bytesEqual(b, lastSummary.bytes(0, lastSummary.count)) {
            s = lastSummaryIndex
        } else {
            s = state.summaryIndex(b)
            lastSummary.removeAll()
            lastSummary.append(b)
            lastSummaryIndex = s
        }
        if !state.summaryDefined[s] {
            if state.summaryFirstReference[s] == nil { state.summaryFirstReference[s] = position(cell) }
            state.summaryReferences[s] += 1
        }
        var u = -1
        if let useType, !cells.isEmpty(useType) {
            let (i, inserted) = state.useTypeIds.intern(cells.raw(useType))
            if inserted { state.useTypes.append(text(useType)) }
            u = i
        }
        if lastContextKey == (s, u) { return lastContext }
        let c = state.context(summary: s, useType: u)
        lastContextKey = (s, u)
        lastContext = c
        return c
    }

    private func usage() throws(OeuvreError) {
        try enterBlock()
        stats.usageRecords += 1
        let line = Int32(lineNo)
        switch kind {
        case .su01, .su02:
            let ctx = try context(3, useType: kind == .su02 && cells.count >= 11 ? 11 : nil)
            let playsCell = kind == .su01 ? 9 : 8
            guard var plays = try decimal(playsCell, required: true) else { return }
            if kind == .su01, let returns = try decimal(10, required: false) { plays -= returns }
            let hasRelease = !cells.isEmpty(5)
            let hasResource = !cells.isEmpty(6)
            if !hasRelease && !hasResource {
                throw error("neither TransactedRelease (cell 5) nor TransactedResource (cell 6) is given", cell: 5)
            }
            if hasRelease && hasResource { warn(16, "both TransactedRelease and TransactedResource given; the resource is used", cell: 5) }
            let cell = hasResource ? 6 : 5
            usages.append(Usage(kind: hasResource ? 0 : 1, ref: copy(cell), context: ctx, plays: plays, revenue: 0,
                                hasRevenue: false, line: line, cell: Int8(cell), record: kind))
            afterUsage = false
        case .su03:
            let ctx = try context(4)
            if cells.isEmpty(5) { throw error("DspResourceId is empty", cell: 5) }
            guard let plays = try decimal(6, required: true) else { return }
            let revenue = try decimal(7, required: false)
            let ref = copy(5)
            usages.append(Usage(kind: 2, ref: ref, context: ctx, plays: plays, revenue: revenue ?? 0, hasRevenue: revenue != nil,
                                line: line, cell: 5, record: kind))
            afterUsage = true
            lastUsageRef = ref
        case .ru01:
            let ctx = try context(3)
            var total = 0.0
            var values = 0
            let raw = text(5)
            if raw.isEmpty { throw error("Usages is empty; a number is required", cell: 5) }
            for v in raw.split(separator: "|", omittingEmptySubsequences: false) {
                guard let d = Double(v), d.isFinite else { throw error("Usages must be numbers separated by |, got '\(v)'", cell: 5) }
                total += d
                values += 1
            }
            let releases = cells.isEmpty(4) ? 0 : text(4).split(separator: "|", omittingEmptySubsequences: false).count
            if releases != values { warn(17, "RU01 DspReleaseId and Usages have different numbers of values", cell: 5) }
            usages.append(Usage(kind: 3, ref: Span(), context: ctx, plays: total, revenue: 0, hasRevenue: false, line: line,
                                cell: 5, record: kind))
        case .ru02:
            let ctx = try context(3)
            guard let plays = try decimal(7, required: true) else { return }
            usages.append(Usage(kind: 3, ref: Span(), context: ctx, plays: plays, revenue: 0, hasRevenue: false, line: line,
                                cell: 7, record: kind))
        default: break
        }
    }

    private func licensor() throws(OeuvreError) {
        try enterBlock()
        _ = try context(3)
        for n in [7, 9, 10, 11] { _ = try decimal(n, required: false) }
    }

    private func singleRecord() throws(OeuvreError) {
        try flushBlock()
        inBlock = false
        stats.usageRecords += 1
        let ctx = try context(2)
        if cells.isEmpty(3) { throw error("DspResourceId is empty", cell: 3) }
        var r = Resource()
        r.line = Int32(lineNo)
        r.dspId = copy(3)
        r.ref = r.dspId
        try readRecording(into: &r, isrc: 4, title: 5, subtitle: 6, artist: 7, duration: 9)
        try readWork(into: &r, iswc: 12, writers: 13, ids: 14, workId: 11)
        r.album = copyText(27)
        var plays: Double
        if kind == .sr01 {
            plays = try decimal(37, required: true) ?? 0
            if let returns = try decimal(38, required: false) { plays -= returns }
        } else {
            plays = try decimal(35, required: true) ?? 0
        }
        resources.append(r)
        usages.append(Usage(kind: 0, ref: r.ref, context: ctx, plays: plays, revenue: 0, hasRevenue: false, line: Int32(lineNo),
                            cell: kind == .sr01 ? 37 : 35, record: kind))
        try flushBlock()
    }

    // MARK: Blocks

    private func findResource(_ ref: Span, byDspId: Bool) -> Int? {
        let key = spanBytes(ref)
        if resources.count <= 16 {
            if byDspId {
                for (i, r) in resources.enumerated() where bytesEqual(spanBytes(r.dspId), key) { return i }
            }
            for (i, r) in resources.enumerated() where bytesEqual(spanBytes(r.ref), key) { return i }
            return nil
        }
        // Large block: index resources by reference and by DspResourceId (prefixed with 0x00); first wins.
        if refTable.count == 0 {
            refTableResource.removeAll(keepingCapacity: true)
            for (i, r) in resources.enumerated() {
                if refTable.intern(spanBytes(r.ref)).inserted { refTableResource.append(Int32(i)) }
                scratch.removeAll()
                scratch.append(0)
                scratch.append(spanBytes(r.dspId))
                if refTable.intern(scratch.bytes(0, scratch.count)).inserted { refTableResource.append(Int32(i)) }
            }
        }
        if byDspId {
            scratch.removeAll()
            scratch.append(0)
            scratch.append(key)
            if let k = refTable.find(scratch.bytes(0, scratch.count)) { return Int(refTableResource[k]) }
        }
        if let k = refTable.find(key) { return Int(refTableResource[k]) }
        return nil
    }

    private func accumulate(_ r: Int, _ u: Usage) {
        var a = resources[r].firstAcc
        var last: Int32 = -1
        while a >= 0 {
            if accs[Int(a)].context == u.context { break }
            last = a
            a = accs[Int(a)].next
        }
        if a < 0 {
            a = Int32(accs.count)
            accs.append(Acc(context: u.context))
            if last >= 0 { accs[Int(last)].next = a } else { resources[r].firstAcc = a }
        }
        let i = Int(a)
        if u.kind == 3 {
            accs[i].ruPlays += u.plays
        } else {
            accs[i].hasSU = true
            accs[i].plays += u.plays
            if u.hasRevenue {
                accs[i].revenue += u.revenue
                accs[i].hasRevenue = true
            }
        }
    }

    private func refText(_ s: Span) -> String { String(decoding: spanBytes(s), as: UTF8.self) }

    /// Resolves the current block's usage records and hands its lines to the store.
    private func flushBlock() throws(OeuvreError) {
        defer {
            arena.removeAll()
            resources.removeAll(keepingCapacity: true)
            works.removeAll(keepingCapacity: true)
            releases.removeAll(keepingCapacity: true)
            usages.removeAll(keepingCapacity: true)
            accs.removeAll(keepingCapacity: true)
            if refTable.count > 0 { refTable.removeAll() }
            afterUsage = false
            lastUsageRef = Span()
            inBlock = false
        }
        guard !resources.isEmpty || !usages.isEmpty else { return }
        let savedKind = kind
        defer { kind = savedKind }
        for u in usages {
            kind = u.record
            switch u.kind {
            case 0, 2:
                guard let r = findResource(u.ref, byDspId: u.kind == 2) else {
                    // A resource reference that names a release is accepted (some senders mix them up).
                    if u.kind == 0, let rel = releases.firstIndex(where: { spanBytesEqual($0.ref, u.ref) }) {
                        try allocate(u, release: rel)
                        continue
                    }
                    throw error("\(kind.cellName(Int(u.cell))) '\(refText(u.ref))' matches no resource record of block \(blockText)",
                                cell: Int(u.cell), line: Int(u.line))
                }
                accumulate(r, u)
            case 1:
                guard let rel = releases.firstIndex(where: { spanBytesEqual($0.ref, u.ref) }) else {
                    throw error("\(kind.cellName(Int(u.cell))) '\(refText(u.ref))' matches no release record of block \(blockText)",
                                cell: Int(u.cell), line: Int(u.line))
                }
                try allocate(u, release: rel)
            default:
                if resources.isEmpty {
                    throw error("\(kind.name) usages but block \(blockText) has no resource record", cell: Int(u.cell), line: Int(u.line))
                }
                for r in resources.indices { accumulate(r, u) }
            }
        }
        // Every sub-release must name resources of the block, used or not.
        for r in releases where !r.head {
            for part in spanBytes(r.used).split(separator: 0x1F, omittingEmptySubsequences: true)
            where !resources.contains(where: { spanBytes($0.ref).elementsEqual(part) }) {
                kind = .re02
                throw error("UsedResources names '\(String(decoding: part, as: UTF8.self))', which matches no resource record of block \(blockText)",
                            cell: 6, line: Int(r.line))
            }
        }
        // Attach works to their resources.
        workOf.removeAll(keepingCapacity: true)
        for _ in works.indices { workOf.append(-1) }
        for (i, w) in works.enumerated() {
            switch w.targetKind {
            case 0: workOf[i] = w.target
            default:
                guard let r = findResource(w.ref, byDspId: w.targetKind == 2) else {
                    kind = .mw01
                    throw error("ResourceReference '\(refText(w.ref))' matches no resource record of block \(blockText)",
                                cell: w.targetKind == 1 ? 17 : nil, line: Int(w.line))
                }
                workOf[i] = Int32(r)
            }
        }
        let headTitle = releases.first(where: \.head)?.title ?? Span()
        let retain = state.store.retain
        if retain {
            // The store's key table is large (a slot per distinct resource of the report): the slots of this block's
            // new resources are read first, all at once, so that `commit` finds them in cache (its interns, one per
            // resource, had each waited on a miss: a quarter of the aggregation's time at 1 GiB).
            var sink: UInt64 = 0
            for r in resources.indices where resources[r].firstAcc >= 0 && resources[r].global < 0 && !resources[r].dspId.isEmpty {
                sink ^= state.store.touch(key: spanBytes(resources[r].dspId))
            }
            touchSink ^= sink
        }
        for r in resources.indices {
            var a = resources[r].firstAcc
            if a < 0 { continue }
            let g = retain ? commit(r, album: resources[r].album.isEmpty ? headTitle : resources[r].album) : -1
            while a >= 0 {
                let acc = accs[Int(a)]
                let plays = acc.hasSU ? acc.plays : acc.ruPlays
                stats.plays += plays
                if acc.hasRevenue { stats.netRevenue = (stats.netRevenue ?? 0) + acc.revenue }
                if state.store.addUsage(resource: g, context: acc.context, plays: plays, revenue: acc.hasRevenue ? acc.revenue : nil) {
                    stats.lines += 1
                }
                a = acc.next
            }
        }
    }

    /// Where `flushBlock` folds the touched slots (the loads must not be optimized away).
    @exclusivity(unchecked) private var touchSink: UInt64 = 0

    private var blockText: String { String(decoding: blockId.bytes(0, blockId.count), as: UTF8.self) }

    private func spanBytesEqual(_ a: Span, _ b: Span) -> Bool {
        let x = spanBytes(a)
        let y = spanBytes(b)
        return bytesEqual(x, y)
    }

    /// Gives a release's usage to every resource of the release (the head release: all of the block).
    private func allocate(_ u: Usage, release rel: Int) throws(OeuvreError) {
        let r = releases[rel]
        if r.head {
            if resources.isEmpty {
                throw error("release '\(refText(r.ref))' of block \(blockText) has no resource records", cell: Int(u.cell), line: Int(u.line))
            }
            for i in resources.indices { accumulate(i, u) }
            return
        }
        let used = spanBytes(r.used)
        for part in used.split(separator: 0x1F, omittingEmptySubsequences: true) {
            var found: Int?
            for (i, res) in resources.enumerated() {
                let b = spanBytes(res.ref)
                if b.count == part.count && b.elementsEqual(part) { found = i; break }
            }
            guard let i = found else {
                kind = .re02
                throw error("UsedResources names '\(String(decoding: part, as: UTF8.self))', which matches no resource record of block \(blockText)",
                            cell: 6, line: Int(r.line))
            }
            accumulate(i, u)
        }
    }

    /// Adds block resource `r` to the store (once per distinct DspResourceId) and returns its index.
    private func commit(_ r: Int, album: Span) -> Int {
        let res = resources[r]
        if res.global >= 0 { return Int(res.global) }
        let store = state.store
        let dsp = spanBytes(res.dspId)
        let key: UnsafeBufferPointer<UInt8>
        if dsp.isEmpty {
            scratch.removeAll()
            scratch.append(0)
            scratch.append(String(fileIndex))
            scratch.append(0)
            scratch.append(blockId.bytes(0, blockId.count))
            scratch.append(0)
            scratch.append(spanBytes(res.ref))
            key = scratch.bytes(0, scratch.count)
        } else {
            // The id's bytes in the block arena (the store copies a new key into its own arena).
            key = dsp
        }
        let (existing, inserted) = store.intern(key: key)
        if !inserted {
            resources[r].global = Int32(existing)
            return existing
        }
        let g = store.addResource(duration: res.duration, file: fileIndex, line: res.line) { out, end in
            out.append(dsp)
            end(.dspId, out.count)
            if dsp.isEmpty {
                out.append("block \(blockText) ")
                out.append(spanBytes(res.ref))
            }
            end(.fallbackId, out.count)
            out.append(spanBytes(res.isrc))
            end(.isrc, out.count)
            out.append(spanBytes(res.title))
            end(.title, out.count)
            out.append(spanBytes(res.subtitle))
            end(.subtitle, out.count)
            out.append(spanBytes(res.artist))
            end(.artist, out.count)
            out.append(spanBytes(album))
            end(.album, out.count)
            if res.hasWork {
                writeWork(&out, title: Span(), iswc: res.iswc, writers: res.writers, ids: res.writerIds, workId: res.workId)
            }
            for (i, w) in works.enumerated() where workOf[i] == Int32(r) {
                writeWork(&out, title: w.title, iswc: w.iswc, writers: w.writers, ids: w.writerIds, workId: w.workId)
            }
            end(.works, out.count)
        }
        resources[r].global = Int32(g)
        return g
    }

    /// Serializes one work: title 0x1F iswc 0x1F writers (0x1D-separated) 0x1F ids 0x1F workId 0x1E.
    private func writeWork(_ out: inout ByteBuffer, title: Span, iswc: Span, writers: Span, ids: Span, workId: Span) {
        let from = out.count
        out.append(spanBytes(title))
        out.sanitizeSeparators(from: from)
        out.append(0x1F)
        out.append(spanBytes(iswc))
        out.append(0x1F)
        out.append(spanBytes(writers))
        out.append(0x1F)
        out.append(spanBytes(ids))
        out.append(0x1F)
        let idFrom = out.count
        out.append(spanBytes(workId))
        out.sanitizeSeparators(from: idFrom)
        out.append(0x1E)
    }

    /// Counts the report reader checks against the last footer.
    var summariesInFile: Int { fileSummaries }
    var blocksInFile: Int { fileBlocks }
    var linesInFile: Int { stats.footer?.line ?? lineNo }
}

enum DSRProfiles {
    static let known: Set<String> = [
        "basicaudioprofile", "basicaudioprofilesrb", "ugcprofile", "audiovisualprofile", "audiovisualprofilesrb",
        "royaltyreportingprofile", "radiobroadcastprofile", "financialreportingtorecordcompaniesprofilesrb",
        "masterlistprofile", "masterlistprofilesrb",
    ]
}
