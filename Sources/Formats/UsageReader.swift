import Foundation
import OeuvreCore

/// Reads usage lines in the usage contract (`line_id, isrc, title, artist, duration, plays`
/// + optional `iswc, writers, album, territory, use_type, subtitle, net_revenue, writer_ids, release_date`).
///
/// `line_id` defaults to the row number; `plays` defaults to 1. An invalid ISRC or ISWC is kept out of
/// the line (it cannot link) but recorded in `invalidIdentifiers`; a bad number or duration is an error
/// naming file, line, column and field.
public final class UsageCSVReader {
    public static let fields = ["line_id", "isrc", "title", "artist", "duration", "plays", "iswc", "writers", "album",
                                "territory", "use_type", "subtitle", "net_revenue", "writer_ids", "release_date"]
    private let reader: DelimitedReader
    public let mapping: HeaderMapping
    private var row = 0
    public private(set) var invalidIdentifiers: [(SourcePosition, String)] = []
    /// CSV or TSV, as detected from the header row.
    public var dialect: DelimitedReader.Dialect { reader.dialect }
    /// Bytes of the (decompressed) input consumed so far.
    public var bytesConsumed: Int { reader.bytesConsumed }
    /// Line of the last record read.
    public private(set) var lastLine = 1

    /// Column of each field (-1 when absent), resolved once from the header.
    private let lineIdColumn, isrcColumn, titleColumn, artistColumn, durationColumn, playsColumn, iswcColumn, writersColumn,
        albumColumn, territoryColumn, useTypeColumn, subtitleColumn, netRevenueColumn, writerIdsColumn, releaseDateColumn: Int

    /// Columns the header names (a row may not carry text beyond them).
    private let columnCount: Int

    /// Rows whose line id was defaulted to the row number (kept by a reader of a later part of a file,
    /// whose row numbers are fixed up once the rows before it are counted).
    private var defaultedRows: [Int] = []
    private let tracksDefaultedRows: Bool

    /// A reader of one part of a file read in parallel, with the columns of `template`.
    private init(part reader: DelimitedReader, template t: UsageCSVReader) {
        self.reader = reader
        mapping = t.mapping
        columnCount = t.columnCount
        tracksDefaultedRows = true
        lineIdColumn = t.lineIdColumn
        isrcColumn = t.isrcColumn
        titleColumn = t.titleColumn
        artistColumn = t.artistColumn
        durationColumn = t.durationColumn
        playsColumn = t.playsColumn
        iswcColumn = t.iswcColumn
        writersColumn = t.writersColumn
        albumColumn = t.albumColumn
        territoryColumn = t.territoryColumn
        useTypeColumn = t.useTypeColumn
        subtitleColumn = t.subtitleColumn
        netRevenueColumn = t.netRevenueColumn
        writerIdsColumn = t.writerIdsColumn
        releaseDateColumn = t.releaseDateColumn
    }

    public init(path: String, renames: [String: String] = [:]) throws(OeuvreError) {
        reader = try DelimitedReader(path: path)
        columnCount = reader.header.count
        tracksDefaultedRows = false
        let m = try HeaderMapping(header: reader.header, path: path, fields: Self.fields, required: ["title"], renames: renames)
        mapping = m
        func column(_ f: String) -> Int { m.index[f] ?? -1 }
        lineIdColumn = column("line_id")
        isrcColumn = column("isrc")
        titleColumn = column("title")
        artistColumn = column("artist")
        durationColumn = column("duration")
        playsColumn = column("plays")
        iswcColumn = column("iswc")
        writersColumn = column("writers")
        albumColumn = column("album")
        territoryColumn = column("territory")
        useTypeColumn = column("use_type")
        subtitleColumn = column("subtitle")
        netRevenueColumn = column("net_revenue")
        writerIdsColumn = column("writer_ids")
        releaseDateColumn = column("release_date")
    }

    /// The cell in `column`, without leading/trailing ASCII whitespace; nil when the column is absent or the cell empty.
    @inline(__always)
    private static func trimmed(_ cells: DelimitedCells, _ column: Int) -> UnsafeRawBufferPointer? {
        guard column >= 0 && column < cells.count else { return nil }
        let b = cells[column]
        guard let p = b.baseAddress else { return nil }
        @inline(__always) func isSpace(_ c: UInt8) -> Bool { c == 32 || c == 9 || c == 10 || c == 13 }
        var lo = 0, hi = b.count
        while lo < hi && isSpace(b[lo]) { lo += 1 }
        while hi > lo && isSpace(b[hi - 1]) { hi -= 1 }
        return lo == hi ? nil : UnsafeRawBufferPointer(start: p + lo, count: hi - lo)
    }

    @inline(__always)
    private static func text(_ cells: DelimitedCells, _ column: Int) -> String? {
        trimmed(cells, column).map { String(decoding: $0, as: UTF8.self) }
    }

    private func position(_ column: Int, _ field: String) -> SourcePosition {
        SourcePosition(file: reader.path, line: reader.recordLine, column: column + 1, field: field)
    }

    /// A whole number of at most 15 digits (exact as a Double), else nil.
    @inline(__always)
    private static func digits(_ b: UnsafeRawBufferPointer) -> Int? {
        guard b.count <= 15 else { return nil }
        var v = 0
        for c in b {
            guard c >= 48 && c <= 57 else { return nil }
            v = v * 10 + Int(c - 48)
        }
        return v
    }

    /// A canonical ISRC (`CCXXXYYNNNNN`: 2 letters, 3 letters or digits, 7 digits) as written.
    @inline(__always)
    private static func isCanonicalISRC(_ b: UnsafeRawBufferPointer) -> Bool {
        guard b.count == 12 else { return false }
        @inline(__always) func upper(_ c: UInt8) -> Bool { c >= 65 && c <= 90 }
        @inline(__always) func digit(_ c: UInt8) -> Bool { c >= 48 && c <= 57 }
        guard upper(b[0]), upper(b[1]) else { return false }
        for i in 2..<5 where !(upper(b[i]) || digit(b[i])) { return false }
        for i in 5..<12 where !digit(b[i]) { return false }
        return true
    }

    /// `|`-separated values of a cell, each trimmed, empty ones kept.
    private static func values(_ cells: DelimitedCells, _ column: Int) -> [String] {
        guard let v = trimmed(cells, column) else { return [] }
        return splitMultiValues(v)
    }

    public func next() throws(OeuvreError) -> UsageLine? {
        guard try reader.advance() else { return nil }
        row += 1
        lastLine = reader.recordLine
        return try makeLine(reader.cells)
    }

    /// Passes over the next record without building its line (its cells are split, not read); false at the end of the
    /// file. For a file read again whose records `next()` already checked (`DeferredUsageLines.lines(inPart:)`).
    public func skip() throws(OeuvreError) -> Bool {
        guard try reader.advance() else { return false }
        row += 1
        lastLine = reader.recordLine
        return true
    }

    /// The usage line of the record just read (`row` counted).
    private func makeLine(_ cells: DelimitedCells) throws(OeuvreError) -> UsageLine {
        try checkCellCount(cells)
        @inline(__always) func trimmed(_ column: Int) -> UnsafeRawBufferPointer? { Self.trimmed(cells, column) }
        @inline(__always) func text(_ column: Int) -> String? { Self.text(cells, column) }
        @inline(__always) func values(_ column: Int) -> [String] { Self.values(cells, column) }
        let title = text(titleColumn) ?? ""
        var line = UsageLine(lineId: text(lineIdColumn) ?? String(row), title: title)
        if tracksDefaultedRows && trimmed(lineIdColumn) == nil { defaultedRows.append(row) }
        line.position = SourcePosition(file: reader.path, line: reader.recordLine)
        if let raw = trimmed(isrcColumn) {
            if Self.isCanonicalISRC(raw) {
                line.isrc = String(decoding: raw, as: UTF8.self)
            } else {
                let s = String(decoding: raw, as: UTF8.self)
                if let isrc = ISRC.parse(s) {
                    line.isrc = isrc.value
                } else {
                    invalidIdentifiers.append((position(isrcColumn, "isrc"), "invalid ISRC '\(s)'"))
                }
            }
        }
        line.artist = text(artistColumn)
        line.subtitle = text(subtitleColumn)
        line.duration = try duration(cells)
        line.plays = try plays(cells)
        line.iswc = iswc(cells)
        if writersColumn >= 0 { line.writers = values(writersColumn).filter { !$0.isEmpty } }
        if writerIdsColumn >= 0 { line.writerIds = values(writerIdsColumn) }
        line.album = text(albumColumn)
        line.releaseDate = text(releaseDateColumn)
        line.territory = text(territoryColumn)
        line.useType = text(useTypeColumn)
        line.netRevenue = try netRevenue(cells)
        return line
    }

    // The checked cells, shared by `makeLine` and the keyed records of `readKeyedPart` (same errors, same order).

    /// No text beyond the header's columns (`ExtraCells`).
    @inline(__always)
    private func checkCellCount(_ cells: DelimitedCells) throws(OeuvreError) {
        guard cells.count > columnCount else { return }
        if let e = ExtraCells.error(path: reader.path, line: reader.recordLine, columns: columnCount, count: cells.count,
                                      nonBlank: { Self.text(cells, $0) }) {
            throw e
        }
    }

    @inline(__always)
    private func duration(_ cells: DelimitedCells) throws(OeuvreError) -> Int? {
        guard let d = Self.trimmed(cells, durationColumn) else { return nil }
        if let v = Self.digits(d) { return v }
        do {
            return try DurationParser.seconds(String(decoding: d, as: UTF8.self))
        } catch {
            throw OeuvreError(.invalidInput, error.message, at: position(durationColumn, "duration"))
        }
    }

    @inline(__always)
    private func plays(_ cells: DelimitedCells) throws(OeuvreError) -> Double {
        guard let p = Self.trimmed(cells, playsColumn) else { return 1 }
        if let v = Self.digits(p) { return Double(v) }
        let s = String(decoding: p, as: UTF8.self)
        guard let v = Double(s), v.isFinite, v >= 0 else {
            throw OeuvreError(.invalidInput, "plays must be a non-negative number, got '\(s)'", at: position(playsColumn, "plays"))
        }
        return v
    }

    /// The canonical ISWC of the cell; an invalid one is recorded in `invalidIdentifiers`.
    @inline(__always)
    private func iswc(_ cells: DelimitedCells) -> String? {
        guard let raw = Self.text(cells, iswcColumn) else { return nil }
        if let iswc = ISWC.parse(raw) { return iswc.value }
        invalidIdentifiers.append((position(iswcColumn, "iswc"), "invalid ISWC '\(raw)'"))
        return nil
    }

    @inline(__always)
    private func netRevenue(_ cells: DelimitedCells) throws(OeuvreError) -> Double? {
        guard let r = Self.text(cells, netRevenueColumn) else { return nil }
        guard let v = Double(r), v.isFinite else {
            throw OeuvreError(.invalidInput, "net_revenue must be a number, got '\(r)'", at: position(netRevenueColumn, "net_revenue"))
        }
        return v
    }

    /// The remaining records of this reader's part, split as `UsageReports.readKeyed` describes: a record whose ISRC
    /// cell holds a valid ISRC that `accept` takes (a value ≥ 0 for its key; asked once per key) is kept as a few
    /// numbers and its line id bytes, after the same checks `next()` makes; every other record becomes a `UsageLine`.
    func readKeyedPart(accept: (UInt64) -> Int32, estimatedRecords: Int, lineCapacity: Int = 0) throws(OeuvreError) -> KeyedUsagePart {
        var part = KeyedUsagePart()
        part.lines.reserveCapacity(lineCapacity)
        part.records.reserveCapacity(estimatedRecords)
        part.plays.reserveCapacity(estimatedRecords)
        part.idEnds.reserveCapacity(estimatedRecords)
        part.physicalLines.reserveCapacity(estimatedRecords)
        let keepsRevenue = netRevenueColumn >= 0
        part.keepsNetRevenue = keepsRevenue
        // Sized for about one distinct ISRC in four records (no regrowth from a small table), at most 2^18 keys
        // before the first growth (an 8 MB table).
        var table = ISRCKeyTable(capacity: min(max(1024, estimatedRecords / 4), 1 << 18))
        while try reader.advance() {
            row += 1
            let recordLine = reader.recordLine
            lastLine = recordLine
            let cells = reader.cells
            try checkCellCount(cells)
            var slot: Int32 = -1
            var key: UInt64 = 0
            if let raw = Self.trimmed(cells, isrcColumn) {
                if Self.isCanonicalISRC(raw) {
                    key = ISRCKey.packCanonical(raw)
                } else if let isrc = ISRC.parse(String(decoding: raw, as: UTF8.self)) {
                    key = ISRCKey.pack(isrc.value) ?? 0
                }
            }
            // The key's table entry is loaded now and the checked numbers read while it arrives (the table of a
            // part's distinct ISRCs is larger than the cache).
            let hint = key != 0 ? table.touch(key) : 0
            var p = 1.0
            if key != 0 {
                _ = try duration(cells)
                p = try plays(cells)
                // Payload: the slot, or bit 32 for a key `accept` does not take.
                if let v = table.find(key, hint: hint) {
                    if v >> 32 == 0 { slot = Int32(truncatingIfNeeded: v) }
                } else {
                    let s = Int32(part.slotKeys.count)
                    let value = accept(key)
                    part.slotKeys.append(key)
                    part.slotValues.append(value)
                    table.insert(key, value >= 0 ? UInt64(s) : 1 << 32)
                    if value >= 0 { slot = s }
                }
            }
            if slot >= 0 {
                _ = iswc(cells)
                let revenue = try netRevenue(cells)
                if let id = Self.trimmed(cells, lineIdColumn) { part.ids.append(contentsOf: id) }
                part.records.append(slot)
                part.plays.append(p)
                if keepsRevenue { part.netRevenues.append(revenue ?? .nan) }
            } else {
                let line = try makeLine(cells)
                part.lines.append(line)
                part.records.append(-Int32(part.lines.count))
                part.plays.append(line.plays)
                if keepsRevenue { part.netRevenues.append(.nan) }
            }
            part.idEnds.append(part.ids.count)
            part.physicalLines.append(recordLine)
        }
        return part
    }

    /// The remaining lines of this reader's file (right after the header), read on up to `threads` threads
    /// when the file is a plain TSV file of at least `minimumBytes`: TSV has no quoting, so the file is cut
    /// at line ends into parts that are read at once. The lines, identifier findings, last line and any
    /// error are those of reading it in one go (the first part's error wins). Otherwise reads serially.
    public func readRemaining(threads: Int, minimumBytes: Int = 8 << 20) throws(OeuvreError) -> [UsageLine] {
        guard let bounds = try partBounds(threads: threads, minimumBytes: minimumBytes) else {
            let size = reader.isPlainFile ? Self.fileSize(reader.path) : 0
            var lines: [UsageLine] = []
            while let l = try next() {
                lines.append(l)
                // Room for the whole file once its line length is known (no regrowth of a million lines).
                if lines.count == 4096 && size > 0 {
                    lines.reserveCapacity(Int(min(Double(size) / Double(max(1, reader.bytesConsumed)) * 4096 * 1.02, 1e9)))
                }
            }
            return lines
        }
        var parts = try readParts(bounds) { r, bytes, k throws(OeuvreError) in
            var lines: [UsageLine] = []
            lines.reserveCapacity(Self.lineCapacity(part: k, bytes: bytes, bounds: bounds))
            while let l = try r.next() { lines.append(l) }
            return lines
        }
        var all: [UsageLine] = []
        for k in parts.indices {
            // Taken out of `parts`, so that the first part's array is uniquely referenced and the others append in place.
            var lines: [UsageLine] = []
            swap(&lines, &parts[k].0)
            let r = parts[k].1
            if k == 0 {
                all = lines  // room for the other parts' lines already (`lineCapacity`), unless the estimate fell short
                continue
            }
            let base = all.count
            let rowsBefore = absorb(r)
            all.append(contentsOf: lines)
            for localRow in r.defaultedRows { all[base + localRow - 1].lineId = String(rowsBefore + localRow) }
        }
        return all
    }

    /// The remaining records of this reader's file split into keyed records and usage lines (see
    /// `UsageReports.readKeyed`), read in parts on up to `threads` threads as `readRemaining` does. Slots and
    /// line indices in the parts' `records` are global (slots numbered in order of first appearance).
    func readKeyed(threads: Int, minimumBytes: Int = 8 << 20, valueBound: Int, accept: @escaping @Sendable (UInt64) -> Int32)
        throws(OeuvreError) -> (parts: [KeyedUsagePart], lines: [UsageLine], slotKeys: [UInt64], slotValues: [Int32])
    {
        let bounds = try partBounds(threads: threads, minimumBytes: minimumBytes)
        var read: [(KeyedUsagePart, UsageCSVReader)]
        if let bounds {
            read = try readParts(bounds) { r, bytes, k throws(OeuvreError) in
                try r.readKeyedPart(accept: accept, estimatedRecords: bytes / 48, lineCapacity: Self.lineCapacity(part: k, bytes: bytes, bounds: bounds))
            }
        } else {
            let size = reader.isPlainFile ? Self.fileSize(reader.path) : 0
            read = [(try readKeyedPart(accept: accept, estimatedRecords: max(0, size - reader.bytesConsumed) / 64), self)]
        }
        // Global slots: the accepted keys in order of first appearance (a part's slots are in that order), found
        // by their value (distinct per key, below `valueBound`).
        var globalOfValue = [Int32](repeating: -1, count: valueBound)
        var slotKeys: [UInt64] = []
        var slotValues: [Int32] = []
        var lines: [UsageLine] = []
        var recordsBefore = 0
        for k in read.indices {
            let r = read[k].1
            var rowsBefore = 0
            if k > 0 { rowsBefore = absorb(r) }
            var part = read[k].0
            read[k].0 = KeyedUsagePart()  // the part's arrays uniquely referenced (rewritten in place)
            part.firstRecord = recordsBefore
            recordsBefore += part.records.count
            var map = [Int32](repeating: -1, count: part.slotKeys.count)
            for s in part.slotKeys.indices where part.slotValues[s] >= 0 {
                let v = Int(part.slotValues[s])
                precondition(v < valueBound, "readKeyed: accept gave \(v), not below its bound \(valueBound)")
                if globalOfValue[v] < 0 {
                    globalOfValue[v] = Int32(slotKeys.count)
                    slotKeys.append(part.slotKeys[s])
                    slotValues.append(part.slotValues[s])
                }
                map[s] = globalOfValue[v]
            }
            let lineBase = Int32(lines.count)
            map.withUnsafeBufferPointer { m in
                part.records.withUnsafeMutableBufferPointer { rec in
                    for i in rec.indices {
                        let v = rec[i]
                        rec[i] = v >= 0 ? m[Int(v)] : v - lineBase
                    }
                }
            }
            if k == 0 {
                lines = part.lines
            } else {
                lines.append(contentsOf: part.lines)
                for localRow in r.defaultedRows {
                    // The local row's line: its record is a usage line (keyed records keep no id string).
                    let v = part.records[localRow - 1]
                    if v < 0 { lines[Int(-v) - 1].lineId = String(rowsBefore + localRow) }
                }
            }
            part.lines = []
            part.slotKeys = []
            part.slotValues = []
            read[k].0 = part
        }
        return (read.map(\.0), lines, slotKeys, slotValues)
    }

    private static func fileSize(_ path: String) -> Int {
        var st = stat()
        return stat(path, &st) == 0 ? Int(st.st_size) : 0
    }

    /// Where the rest of the file is cut into parts read at once (byte offsets: this reader's position, the cuts,
    /// the file's end), or nil when it is read serially (one thread, not a plain TSV file, or under `minimumBytes`).
    /// A cut is the byte after the first LF at or after each even share of the file.
    /// How many `UsageLine`s part `part` of a file cut at `bounds` reserves room for: the first part for the whole file's
    /// (the other parts' lines are appended to its array), the others for their own; from ≥ 48 bytes a record, at most
    /// 2^23 (the room beyond what is filled is address space, never touched). Without it the parts' arrays grew by
    /// doubling and the first was copied again to take the others: each copy into fresh pages, which the kernel zeroes.
    static func lineCapacity(part: Int, bytes: Int, bounds: [Int]) -> Int {
        let span = part == 0 ? bounds[bounds.count - 1] - bounds[0] : bytes
        return min(max(0, span) / 48, 1 << 23)
    }

    private func partBounds(threads: Int, minimumBytes: Int) throws(OeuvreError) -> [Int]? {
        let path = reader.path
        let start = reader.bytesConsumed
        guard threads > 1, dialect == .tsv, reader.isPlainFile else { return nil }
        let size = Self.fileSize(path)
        guard size - start >= minimumBytes else { return nil }
        var cuts = [start]
        for k in 1..<threads {
            let target = start + (size - start) * k / threads
            guard target > cuts[cuts.count - 1] else { continue }
            let probe = try FileRangeByteSource(path: path, offset: target - 1, length: size - target + 1)
            var chunk = [UInt8](repeating: 0, count: 1 << 16)
            var offset = target - 1
            var cut: Int?
            while cut == nil {
                let n = try probe.read(into: &chunk)
                if n == 0 { break }
                if let i = chunk[0..<n].firstIndex(of: 0x0A) { cut = offset + i + 1 } else { offset += n }
            }
            guard let cut, cut < size, cut > cuts[cuts.count - 1] else { break }
            cuts.append(cut)
        }
        cuts.append(size)
        return cuts
    }

    /// Runs `body(reader, bytes)` on a reader of each part `bounds` cuts the file into (this reader for the first),
    /// all at once on threads of their own. The outputs with their readers, in file order; the error of the first
    /// failing part in file order is thrown.
    private func readParts<P>(_ bounds: [Int], _ body: @escaping @Sendable (UsageCSVReader, Int, Int) throws(OeuvreError) -> P)
        throws(OeuvreError) -> [(P, UsageCSVReader)]
    {
        let path = reader.path
        let parts = bounds.count - 1
        reader.limitInput(to: bounds[1])
        let slots = PartSlots<(P, UsageCSVReader)>(count: parts)
        let first = UncheckedBox(self)
        // Dedicated threads (`concurrentPerform` from the async command's cooperative thread runs serially).
        Self.onThreads(parts) { k in
            do throws(OeuvreError) {
                let r: UsageCSVReader
                if k == 0 {
                    r = first.value
                } else {
                    let lineFeeds = try FileRangeByteSource.countLineFeeds(path: path, offset: 0, length: bounds[k])
                    let source = try FileRangeByteSource(path: path, offset: bounds[k], length: bounds[k + 1] - bounds[k])
                    r = UsageCSVReader(part: DelimitedReader(path: path, dialect: .tsv, header: first.value.reader.header, source: source,
                                                             firstLine: lineFeeds + 1), template: first.value)
                }
                let output = try body(r, bounds[k + 1] - bounds[k], k)
                slots.set(k, .success((output, r)))
            } catch {
                slots.set(k, .failure(error))
            }
        }
        var out: [(P, UsageCSVReader)] = []
        for k in 0..<parts { out.append(try slots.get(k).get()) }
        return out
    }

    /// Takes over the counts of the reader of a later part (rows, last line, identifier findings); returns the
    /// rows read before that part.
    private func absorb(_ r: UsageCSVReader) -> Int {
        let rowsBefore = row
        row += r.row
        if r.row > 0 { lastLine = r.lastLine }
        invalidIdentifiers.append(contentsOf: r.invalidIdentifiers)
        return rowsBefore
    }

    /// Runs `body(k)` for k in 0..<count, k = 0 on the calling thread, the others on threads of their own; waits.
    static func onThreads(_ count: Int, _ body: @escaping @Sendable (Int) -> Void) {
        let done = DispatchSemaphore(value: 0)
        for k in 1..<max(1, count) {
            let thread = Thread {
                body(k)
                done.signal()
            }
            thread.stackSize = 8 << 20
            thread.start()
        }
        body(0)
        for _ in 1..<max(1, count) { done.wait() }
    }

    /// Results of parallel parts, written once each by their thread.
    private final class PartSlots<P>: @unchecked Sendable {
        private let lock = NSLock()
        private var items: [Result<P, OeuvreError>?]
        init(count: Int) { items = Array(repeating: nil, count: count) }
        func set(_ k: Int, _ v: Result<P, OeuvreError>) {
            lock.lock()
            items[k] = v
            lock.unlock()
        }
        func get(_ k: Int) -> Result<P, OeuvreError> {
            lock.lock()
            defer { lock.unlock() }
            return items[k] ?? .failure(OeuvreError(.io, "a part of the file was not read"))
        }
    }

    private final class UncheckedBox<T>: @unchecked Sendable {
        let value: T
        init(_ value: T) { self.value = value }
    }

    public static func readAll(path: String, renames: [String: String] = [:]) throws(OeuvreError) -> [UsageLine] {
        let r = try UsageCSVReader(path: path, renames: renames)
        var out: [UsageLine] = []
        while let l = try r.next() { out.append(l) }
        return out
    }
}
