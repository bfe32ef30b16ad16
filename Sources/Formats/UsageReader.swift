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

    /// Rows whose line id was defaulted to the row number (kept by a reader of a later part of a file,
    /// whose row numbers are fixed up once the rows before it are counted).
    private var defaultedRows: [Int] = []
    private let tracksDefaultedRows: Bool

    /// A reader of one part of a file read in parallel, with the columns of `template`.
    private init(part reader: DelimitedReader, template t: UsageCSVReader) {
        self.reader = reader
        mapping = t.mapping
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
        let cells = reader.cells
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
        if let d = trimmed(durationColumn) {
            if let v = Self.digits(d) {
                line.duration = v
            } else {
                do {
                    line.duration = try DurationParser.seconds(String(decoding: d, as: UTF8.self))
                } catch {
                    throw OeuvreError(.invalidInput, error.message, at: position(durationColumn, "duration"))
                }
            }
        }
        if let p = trimmed(playsColumn) {
            if let v = Self.digits(p) {
                line.plays = Double(v)
            } else {
                let s = String(decoding: p, as: UTF8.self)
                guard let v = Double(s), v.isFinite, v >= 0 else {
                    throw OeuvreError(.invalidInput, "plays must be a non-negative number, got '\(s)'", at: position(playsColumn, "plays"))
                }
                line.plays = v
            }
        }
        if let raw = text(iswcColumn) {
            if let iswc = ISWC.parse(raw) {
                line.iswc = iswc.value
            } else {
                invalidIdentifiers.append((position(iswcColumn, "iswc"), "invalid ISWC '\(raw)'"))
            }
        }
        if writersColumn >= 0 { line.writers = values(writersColumn).filter { !$0.isEmpty } }
        if writerIdsColumn >= 0 { line.writerIds = values(writerIdsColumn) }
        line.album = text(albumColumn)
        line.releaseDate = text(releaseDateColumn)
        line.territory = text(territoryColumn)
        line.useType = text(useTypeColumn)
        if let r = text(netRevenueColumn) {
            guard let v = Double(r), v.isFinite else {
                throw OeuvreError(.invalidInput, "net_revenue must be a number, got '\(r)'", at: position(netRevenueColumn, "net_revenue"))
            }
            line.netRevenue = v
        }
        return line
    }

    /// The remaining lines of this reader's file (right after the header), read on up to `threads` threads
    /// when the file is a plain TSV file of at least `minimumBytes`: TSV has no quoting, so the file is cut
    /// at line ends into parts that are read at once. The lines, identifier findings, last line and any
    /// error are those of reading it in one go (the first part's error wins). Otherwise reads serially.
    public func readRemaining(threads: Int, minimumBytes: Int = 8 << 20) throws(OeuvreError) -> [UsageLine] {
        let path = reader.path
        var st = stat()
        let size = stat(path, &st) == 0 ? Int(st.st_size) : 0
        let start = reader.bytesConsumed
        guard threads > 1, dialect == .tsv, reader.isPlainFile, size - start >= minimumBytes else {
            var lines: [UsageLine] = []
            while let l = try next() {
                lines.append(l)
                // Room for the whole file once its line length is known (no regrowth of a million lines).
                if lines.count == 4096 && reader.isPlainFile && size > 0 {
                    lines.reserveCapacity(Int(min(Double(size) / Double(max(1, reader.bytesConsumed)) * 4096 * 1.02, 1e9)))
                }
            }
            return lines
        }
        // Cut points: the byte after the first LF at or after each even share of the file.
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
        let bounds = cuts
        let parts = cuts.count - 1
        reader.limitInput(to: bounds[1])
        let slots = PartSlots(count: parts)
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
                var lines: [UsageLine] = []
                lines.reserveCapacity(Int(Double(bounds[k + 1] - bounds[k]) / 48))
                while let l = try r.next() { lines.append(l) }
                slots.set(k, .success(PartOutput(lines: lines, reader: k == 0 ? nil : UncheckedBox(r))))
            } catch {
                slots.set(k, .failure(error))
            }
        }
        var all: [UsageLine] = []
        for k in 0..<parts {
            let part = try slots.get(k).get()
            if k == 0 {
                all = part.lines
                all.reserveCapacity(all.count * parts + all.count / 8)
                continue
            }
            guard let r = part.reader?.value else { continue }
            let base = all.count
            let rowsBefore = row
            all.append(contentsOf: part.lines)
            for localRow in r.defaultedRows { all[base + localRow - 1].lineId = String(rowsBefore + localRow) }
            row += r.row
            if r.row > 0 { lastLine = r.lastLine }
            invalidIdentifiers.append(contentsOf: r.invalidIdentifiers)
        }
        return all
    }

    /// Runs `body(k)` for k in 0..<count, k = 0 on the calling thread, the others on threads of their own; waits.
    private static func onThreads(_ count: Int, _ body: @escaping @Sendable (Int) -> Void) {
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

    private struct PartOutput: @unchecked Sendable {
        var lines: [UsageLine]
        var reader: UncheckedBox<UsageCSVReader>?
    }

    /// Results of parallel parts, written once each by their thread.
    private final class PartSlots: @unchecked Sendable {
        private let lock = NSLock()
        private var items: [Result<PartOutput, OeuvreError>?]
        init(count: Int) { items = Array(repeating: nil, count: count) }
        func set(_ k: Int, _ v: Result<PartOutput, OeuvreError>) {
            lock.lock()
            items[k] = v
            lock.unlock()
        }
        func get(_ k: Int) -> Result<PartOutput, OeuvreError> {
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
