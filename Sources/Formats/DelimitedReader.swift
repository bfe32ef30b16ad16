import Foundation
import OeuvreCore

/// One record of a delimited file: its cells and the line it starts on.
public struct DelimitedRecord: Sendable {
    public var cells: [String]
    public var line: Int
}

/// Reads CSV (RFC 4180: quoted cells with embedded delimiters, quotes and newlines) or TSV
/// (no quoting) with a header row. A UTF-8 BOM is skipped; invalid UTF-8 is an error naming
/// file, line and column.
///
/// Two ways to read: `next()` gives each record's cells as Strings; `advance()` + `cellBytes(_:)`
/// give the raw (validated) bytes of each cell without building Strings, for hot paths that need a
/// few fields of millions of rows. Both follow the same rules: a record ends at an LF outside quotes;
/// CRs before a record's first byte and one CR before its LF are dropped; a line of nothing but CRs
/// is blank and skipped; in CSV a `"` opens a quoted cell only as the first byte of a cell.
public final class DelimitedReader {
    public enum Dialect: Sendable { case csv, tsv }

    public let path: String
    public let dialect: Dialect
    /// Header cells as written (BOM removed, trimmed).
    public private(set) var header: [String] = []
    private let source: any ByteSource
    /// Unread input is `buffer[pos..<end]`; a record read by the fast path lies in it whole.
    private var buffer: UnsafeMutableRawBufferPointer
    private var pos = 0
    private var end = 0
    private var eof = false
    /// Physical line of the byte at `pos`.
    private var line = 1
    /// Bytes of the source before `buffer[0]`.
    private var sourceOffset = 0
    /// Input offset where reading stops (`limitInput`).
    private var limit = Int.max
    /// Cells of a record read by the byte-at-a-time path (quoted CSV cells), copied out of `buffer`.
    private var scratch: UnsafeMutableRawBufferPointer
    private var scratchCount = 0
    /// Cell i of the current record is `recordBase[bounds[2i]..<bounds[2i+1]]`.
    private var recordBase: UnsafeRawPointer
    private var bounds: UnsafeMutablePointer<Int>
    private var boundsCapacity = 64
    private var boundsCount = 0
    /// Line the current record starts on.
    public private(set) var recordLine = 0
    /// Whether the record last read ends the input with no line break.
    private var endedWithoutLineBreak = false

    /// Opens `path` (`-` for standard input; `.gz` decompressed) and reads the header row.
    /// The dialect is TSV when the header line contains a tab, CSV otherwise, unless given.
    public convenience init(path: String, dialect: Dialect? = nil) throws(OeuvreError) {
        try self.init(path: path, dialect: dialect, bufferSize: 1 << 20)
    }

    /// `bufferSize`: initial input buffer (it grows to hold the longest line); small sizes exercise refills in tests.
    init(path: String, dialect: Dialect?, bufferSize: Int) throws(OeuvreError) {
        self.path = path
        let source = try openByteSource(path: path)
        self.source = source
        buffer = .allocate(byteCount: max(bufferSize, 16), alignment: 16)
        scratch = .allocate(byteCount: 256, alignment: 16)
        recordBase = UnsafeRawPointer(buffer.baseAddress!)
        bounds = .allocate(capacity: 64)
        let n: Int
        do {
            n = try source.read(into: buffer)
        } catch {
            buffer.deallocate()
            scratch.deallocate()
            bounds.deallocate()
            throw error
        }
        var start = 0
        if n >= 3 && buffer[0] == 0xEF && buffer[1] == 0xBB && buffer[2] == 0xBF { start = 3 }
        if let dialect {
            self.dialect = dialect
        } else {
            var d = Dialect.csv
            var i = start
            while i < n && buffer[i] != 0x0A {
                if buffer[i] == 0x09 { d = .tsv; break }
                i += 1
            }
            self.dialect = d
        }
        pos = start
        end = n
        eof = n == 0
        guard let h = try next() else {
            throw OeuvreError(.invalidInput, "empty file: a header row is required", at: SourcePosition(file: path, line: 1))
        }
        if endedWithoutLineBreak {
            // Nothing but a header that no line break ends: the file was cut in its first row (or has no records and
            // no final line break, which no writer of these files produces).
            throw OeuvreError(.invalidInput, "the file ends in its header row: no line break and no records (truncated file?)",
                              at: SourcePosition(file: path, line: h.line))
        }
        header = h.cells.map { $0.trimmingASCIIWhitespace() }
    }

    /// A reader of the records that start in a part of a file whose header was read by another reader:
    /// `source` gives the part's bytes (starting at a record start), `firstLine` is the part's first line.
    init(path: String, dialect: Dialect, header: [String], source: any ByteSource, firstLine: Int) {
        self.path = path
        self.dialect = dialect
        self.header = header
        self.source = source
        buffer = .allocate(byteCount: 1 << 20, alignment: 16)
        scratch = .allocate(byteCount: 256, alignment: 16)
        bounds = .allocate(capacity: 64)
        recordBase = UnsafeRawPointer(buffer.baseAddress!)
        line = firstLine
    }

    deinit {
        buffer.deallocate()
        scratch.deallocate()
        bounds.deallocate()
    }

    /// Whether the input is a plain file read from its start (not standard input, not decompressed).
    var isPlainFile: Bool { source is FileByteSource }

    /// Stops reading at byte `offset` of the input (a record start), dropping whatever is buffered beyond it.
    func limitInput(to offset: Int) {
        limit = offset
        if sourceOffset + end > offset { end = max(pos, offset - sourceOffset) }
        if sourceOffset + end >= offset { eof = true }
    }

    /// The next record, or nil at the end of the file. Blank lines are skipped.
    public func next() throws(OeuvreError) -> DelimitedRecord? {
        guard try advance() else { return nil }
        var cells: [String] = []
        cells.reserveCapacity(cellCount)
        for i in 0..<cellCount { cells.append(String(decoding: cellBytes(i), as: UTF8.self)) }
        return DelimitedRecord(cells: cells, line: recordLine)
    }

    /// Bytes of the (decompressed) input consumed so far.
    public var bytesConsumed: Int { sourceOffset + pos }

    /// Number of cells of the record last read by `advance()`.
    public var cellCount: Int { boundsCount / 2 }

    /// The cells of the record last read by `advance()`, as one value (reading many cells through it
    /// avoids a property access on the reader per cell). Valid until the next `advance()` or `next()`.
    public var cells: DelimitedCells { DelimitedCells(base: recordBase, bounds: bounds, count: boundsCount / 2) }

    /// The bytes of cell `i` of the record last read by `advance()` (valid UTF-8, untrimmed). Valid until the
    /// next call to `advance()` or `next()`.
    @inline(__always)
    public func cellBytes(_ i: Int) -> UnsafeRawBufferPointer { cells[i] }

    /// Reads the next record (its cells through `cellBytes`, its line in `recordLine`); false at the end of
    /// the file. Blank lines are skipped.
    public func advance() throws(OeuvreError) -> Bool {
        boundsCount = 0
        let delimiter: UInt8 = dialect == .tsv ? 0x09 : 0x2C
        while true {
            // The whole physical line in the buffer.
            var nl: UnsafeMutableRawPointer?
            while true {
                if pos < end { nl = memchr(buffer.baseAddress! + pos, 0x0A, end - pos) }
                if nl != nil || eof { break }
                try fill()
            }
            if pos >= end && eof { return false }
            let base = UnsafeRawPointer(buffer.baseAddress!)
            let terminated = nl != nil
            let lineEnd = nl.map { UnsafeRawPointer($0) - base } ?? end
            var s = pos
            while s < lineEnd && base.load(fromByteOffset: s, as: UInt8.self) == 0x0D { s += 1 }
            if s == lineEnd {
                // Blank (nothing but CRs).
                if !terminated {
                    pos = end
                    return false
                }
                pos = lineEnd + 1
                line += 1
                continue
            }
            var e = lineEnd
            if terminated && base.load(fromByteOffset: e - 1, as: UInt8.self) == 0x0D { e -= 1 }
            if dialect == .csv && memchr(base + s, 0x22, e - s) != nil {
                // A quote: the cell-by-cell reader (a quoted cell may span lines).
                return try advanceQuoted()
            }
            recordLine = line
            recordBase = base
            var bp = bounds
            var n = 0
            var cap = boundsCapacity
            var c = s
            var i = s
            // Eight bytes at a time: the lowest flagged byte of a SWAR zero-byte test of (word ^ delimiters) is the
            // first delimiter (flags above it may be false).
            let pattern = UInt64(delimiter) &* 0x0101_0101_0101_0101
            while i < e {
                if i + 8 <= e {
                    let w = base.loadUnaligned(fromByteOffset: i, as: UInt64.self).littleEndian ^ pattern
                    let z = (w &- 0x0101_0101_0101_0101) & ~w & 0x8080_8080_8080_8080
                    if z == 0 {
                        i += 8
                        continue
                    }
                    i += z.trailingZeroBitCount >> 3
                } else if base.load(fromByteOffset: i, as: UInt8.self) != delimiter {
                    i += 1
                    continue
                }
                if n + 2 > cap { bp = growBounds(n); cap = boundsCapacity }
                bp[n] = c
                bp[n + 1] = i
                n += 2
                c = i + 1
                i += 1
            }
            if n + 2 > cap { bp = growBounds(n) }
            bp[n] = c
            bp[n + 1] = e
            boundsCount = n + 2
            if !UTF8Validation.isValid(UnsafeRawBufferPointer(start: base + s, count: e - s)) {
                for k in 0..<cellCount where !UTF8Validation.isValid(cellBytes(k)) { throw invalidUTF8(cell: k) }
            }
            if terminated {
                pos = lineEnd + 1
                line += 1
            } else {
                pos = end
                endedWithoutLineBreak = true
                try checkLastRecordComplete()
            }
            return true
        }
    }

    /// The file's last record, which no line break ends: fewer cells than the header means the file was cut in
    /// the middle of it (a truncated download or copy), which must not be read as a record with empty fields
    /// ("W0000049,T5961854971,Star in" is not a work titled "Star in"). A short record that a line break ends is
    /// read as written (some tools omit trailing empty cells).
    private func checkLastRecordComplete() throws(OeuvreError) {
        guard !header.isEmpty, cellCount < header.count else { return }
        throw OeuvreError(.invalidInput,
                          "the file ends in the middle of a record: \(cellCount) of \(header.count) fields and no line break (truncated file?)",
                          at: SourcePosition(file: path, line: recordLine, column: cellCount, field: header[cellCount - 1]))
    }

    /// Doubles the bounds storage, keeping its first `count` entries.
    private func growBounds(_ count: Int) -> UnsafeMutablePointer<Int> {
        let bigger = UnsafeMutablePointer<Int>.allocate(capacity: boundsCapacity * 2)
        bigger.update(from: bounds, count: count)
        bounds.deallocate()
        bounds = bigger
        boundsCapacity *= 2
        return bigger
    }

    private func pushBounds(_ lo: Int, _ hi: Int) {
        if boundsCount + 2 > boundsCapacity { _ = growBounds(boundsCount) }
        bounds[boundsCount] = lo
        bounds[boundsCount + 1] = hi
        boundsCount += 2
    }

    private func invalidUTF8(cell k: Int) -> OeuvreError {
        OeuvreError(.invalidInput, TextEncoding.invalidUTF8Message(cellBytes(k), path: path),
                    at: SourcePosition(file: path, line: recordLine, column: k + 1, field: k < header.count ? header[k] : nil))
    }

    /// Moves the unread bytes to the front of the buffer (growing it when full) and reads more.
    private func fill() throws(OeuvreError) {
        if pos > 0 {
            if end > pos { memmove(buffer.baseAddress!, buffer.baseAddress! + pos, end - pos) }
            end -= pos
            sourceOffset += pos
            pos = 0
        }
        if end == buffer.count {
            let bigger = UnsafeMutableRawBufferPointer.allocate(byteCount: buffer.count * 2, alignment: 16)
            bigger.copyMemory(from: UnsafeRawBufferPointer(rebasing: buffer[0..<end]))
            buffer.deallocate()
            buffer = bigger
        }
        let room = min(buffer.count - end, limit - sourceOffset - end)
        var n = 0
        do {
            n = room <= 0 ? 0 : try source.read(into: UnsafeMutableRawBufferPointer(rebasing: buffer[end..<(end + room)]))
        } catch {
            // A byte-level failure (a truncated or corrupt gzip stream, a read error): the line it stopped in.
            throw error.placed(atLine: line + buffer[pos..<end].reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) }, of: path)
        }
        if n == 0 { eof = true } else { end += n }
    }

    @inline(__always) private func peekByte() throws(OeuvreError) -> UInt8? {
        if pos >= end && !eof { try fill() }
        return pos < end ? buffer[pos] : nil
    }

    @inline(__always) private func appendScratch(_ b: UInt8) {
        if scratchCount == scratch.count { growScratch(scratchCount + 1) }
        scratch[scratchCount] = b
        scratchCount += 1
    }

    private func growScratch(_ needed: Int) {
        var size = scratch.count * 2
        while size < needed { size *= 2 }
        let bigger = UnsafeMutableRawBufferPointer.allocate(byteCount: size, alignment: 16)
        bigger.copyMemory(from: UnsafeRawBufferPointer(rebasing: scratch[0..<scratchCount]))
        scratch.deallocate()
        scratch = bigger
    }

    /// A CSV record with quoted cells, byte by byte from `pos`, its cells copied to `scratch`.
    private func advanceQuoted() throws(OeuvreError) -> Bool {
        scratchCount = 0
        boundsCount = 0
        var cellStart = 0
        var startLine = line
        recordLine = line
        let delimiter: UInt8 = 0x2C
        var sawAnything = false

        func finishCell() throws(OeuvreError) {
            pushBounds(cellStart, scratchCount)
            recordBase = UnsafeRawPointer(scratch.baseAddress!)
            if !UTF8Validation.isValid(UnsafeRawBufferPointer(rebasing: scratch[cellStart..<scratchCount])) {
                recordLine = startLine
                throw invalidUTF8(cell: cellCount - 1)
            }
            cellStart = scratchCount
        }

        while true {
            guard let b = try peekByte() else {
                if !sawAnything { return false }
                try finishCell()
                recordLine = startLine
                endedWithoutLineBreak = true
                try checkLastRecordComplete()
                return true
            }
            pos += 1
            if b == 0x0A {
                line += 1
                if !sawAnything {
                    startLine = line
                    continue  // blank line
                }
                if scratchCount > cellStart && scratch[scratchCount - 1] == 0x0D { scratchCount -= 1 }
                try finishCell()
                recordLine = startLine
                return true
            }
            if b == 0x0D && !sawAnything { continue }
            sawAnything = true
            if b == delimiter {
                try finishCell()
                continue
            }
            if b == 0x22 && scratchCount == cellStart {
                // Quoted cell: read to the closing quote; "" is a literal quote.
                let quoteLine = line
                while true {
                    guard let q = try peekByte() else {
                        throw OeuvreError(.invalidInput, "unterminated quoted cell (opened on line \(quoteLine))",
                                          at: SourcePosition(file: path, line: startLine, column: cellCount + 1,
                                                             field: cellCount < header.count ? header[cellCount] : nil))
                    }
                    pos += 1
                    if q == 0x22 {
                        if try peekByte() == 0x22 {
                            pos += 1
                            appendScratch(0x22)
                            continue
                        }
                        break
                    }
                    if q == 0x0A { line += 1 }
                    appendScratch(q)
                }
                continue
            }
            appendScratch(b)
            // Copy the run of ordinary bytes that follows in one go.
            var j = pos
            while j < end {
                let c = buffer[j]
                if c == delimiter || c == 0x0A || c == 0x0D || c == 0x22 { break }
                j += 1
            }
            if j > pos {
                if scratchCount + (j - pos) > scratch.count { growScratch(scratchCount + j - pos) }
                (scratch.baseAddress! + scratchCount).copyMemory(from: buffer.baseAddress! + pos, byteCount: j - pos)
                scratchCount += j - pos
            }
            pos = j
        }
    }
}

/// Bytes `offset..<offset + length` of a file, read with `pread` (one part of a file read in parallel).
final class FileRangeByteSource: ByteSource {
    private let fd: Int32
    private var offset: Int
    private let endOffset: Int
    let path: String

    init(path: String, offset: Int, length: Int) throws(OeuvreError) {
        self.path = path
        fd = open(path, O_RDONLY)
        guard fd >= 0 else {
            throw OeuvreError(.io, "cannot open file: \(String(cString: strerror(errno)))", at: SourcePosition(file: path, line: 0))
        }
        self.offset = offset
        endOffset = offset + length
    }

    deinit { close(fd) }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws(OeuvreError) -> Int {
        let want = min(buffer.count, endOffset - offset)
        guard want > 0 else { return 0 }
        while true {
            let n = pread(fd, buffer.baseAddress, want, off_t(offset))
            if n >= 0 {
                offset += n
                return n
            }
            if errno == EINTR { continue }
            throw OeuvreError(.io, "read failed: \(String(cString: strerror(errno)))", at: SourcePosition(file: path, line: 0))
        }
    }

    /// Line feeds in `offset..<offset + length` of the file.
    static func countLineFeeds(path: String, offset: Int, length: Int) throws(OeuvreError) -> Int {
        let source = try FileRangeByteSource(path: path, offset: offset, length: length)
        let chunk = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 16)
        defer { chunk.deallocate() }
        var count = 0
        while true {
            let n = try source.read(into: chunk)
            if n == 0 { return count }
            var p = UnsafeRawPointer(chunk.baseAddress!)
            var left = n
            while left > 0, let hit = memchr(p, 0x0A, left) {
                count += 1
                let next = UnsafeRawPointer(hit) + 1
                left -= next - p
                p = next
            }
        }
    }
}

/// The cells of one record of a `DelimitedReader` (raw, validated UTF-8 bytes, untrimmed).
public struct DelimitedCells {
    let base: UnsafeRawPointer
    let bounds: UnsafeMutablePointer<Int>
    public let count: Int

    @inline(__always)
    public subscript(i: Int) -> UnsafeRawBufferPointer {
        let lo = bounds[2 * i], hi = bounds[2 * i + 1]
        return UnsafeRawBufferPointer(start: base + lo, count: hi - lo)
    }
}

/// A record with a non-empty cell beyond the header's columns: that text would be read as no field at all, and it
/// usually means a delimiter inside a field (a tab in a title) that shifted every cell after it into the wrong
/// column. Empty cells there (a trailing delimiter) are harmless.
enum ExtraCells {
    /// The error for the first non-empty cell after the `columns` named by the header, or nil.
    /// `nonBlank(k)`: cell k's text when it holds more than whitespace, else nil.
    static func error(path: String, line: Int, columns: Int, count: Int, nonBlank: (Int) -> String?) -> OeuvreError? {
        guard count > columns else { return nil }
        for k in columns..<count {
            guard let cell = nonBlank(k) else { continue }
            let text = cell.count > 40 ? cell.prefix(40) + "…" : cell
            return OeuvreError(.invalidInput,
                               "the row has \(count) cells but the header names \(columns) columns: cell \(k + 1) holds '\(text)' "
                               + "(a delimiter inside a field shifts the cells after it; quote the field in CSV, remove the tab in TSV)",
                               at: SourcePosition(file: path, line: line, column: k + 1))
        }
        return nil
    }
}

/// UTF-8 well-formedness (Unicode 3.9, table 3-7: no overlongs, surrogates or code points above U+10FFFF),
/// the rule `String(validating:as:)` applies, without building a String.
enum UTF8Validation {
    static func isValid(_ bytes: UnsafeRawBufferPointer) -> Bool {
        guard let p = bytes.baseAddress else { return true }
        let n = bytes.count
        var i = 0
        while i < n {
            if i + 8 <= n {
                if p.loadUnaligned(fromByteOffset: i, as: UInt64.self) & 0x8080_8080_8080_8080 == 0 {
                    i += 8
                    continue
                }
            }
            let b = p.load(fromByteOffset: i, as: UInt8.self)
            if b < 0x80 {
                i += 1
                continue
            }
            @inline(__always) func at(_ k: Int) -> UInt8 { p.load(fromByteOffset: k, as: UInt8.self) }
            @inline(__always) func cont(_ k: Int) -> Bool { at(k) & 0xC0 == 0x80 }
            if b < 0xC2 { return false }
            if b < 0xE0 {
                guard i + 1 < n, cont(i + 1) else { return false }
                i += 2
            } else if b < 0xF0 {
                guard i + 2 < n, cont(i + 2) else { return false }
                let b1 = at(i + 1)
                switch b {
                case 0xE0: guard b1 >= 0xA0 && b1 <= 0xBF else { return false }
                case 0xED: guard b1 >= 0x80 && b1 <= 0x9F else { return false }
                default: guard b1 & 0xC0 == 0x80 else { return false }
                }
                i += 3
            } else if b < 0xF5 {
                guard i + 3 < n, cont(i + 2), cont(i + 3) else { return false }
                let b1 = at(i + 1)
                switch b {
                case 0xF0: guard b1 >= 0x90 && b1 <= 0xBF else { return false }
                case 0xF4: guard b1 >= 0x80 && b1 <= 0x8F else { return false }
                default: guard b1 & 0xC0 == 0x80 else { return false }
                }
                i += 4
            } else {
                return false
            }
        }
        return true
    }
}

/// Maps the columns of a delimited file to the fields of a file contract: header names matched
/// case-insensitively (spaces and `-` read as `_`), `--map column=field` renames, unknown columns ignored
/// (and listed in `ignored`, for the readers to report: a column nobody reads must not vanish unnoticed).
public struct HeaderMapping: Sendable {
    /// Column index of each known field present in the header.
    public private(set) var index: [String: Int] = [:]
    /// Named header columns that no field reads (unknown names, or a field's second column), as written.
    public private(set) var ignored: [String] = []
    public let path: String

    /// - Parameters:
    ///   - renames: `column=field` pairs from `--map` (column as written in the file).
    ///   - fields: the contract's field names.
    ///   - required: fields that must be present.
    public init(header: [String], path: String, fields: [String], required: [String], renames: [String: String] = [:])
        throws(OeuvreError)
    {
        self.path = path
        let lowerRenames = Dictionary(renames.map { (Self.key($0.key), Self.key($0.value)) }, uniquingKeysWith: { a, _ in a })
        let known = Set(fields)
        for (i, raw) in header.enumerated() {
            var name = Self.key(raw)
            if let renamed = lowerRenames[name] { name = renamed }
            if known.contains(name), index[name] == nil {
                index[name] = i
            } else if !raw.trimmingASCIIWhitespace().isEmpty {
                ignored.append(raw.trimmingASCIIWhitespace())
            }
        }
        for (column, field) in lowerRenames where !known.contains(field) {
            throw OeuvreError(.usage, "--map \(column)=\(field): unknown field '\(field)' (known: \(fields.joined(separator: ", ")))")
        }
        let missing = required.filter { index[$0] == nil }
        if !missing.isEmpty {
            throw OeuvreError(.invalidInput,
                              "missing required column(s) \(missing.joined(separator: ", ")); header is: \(header.joined(separator: ", "))",
                              at: SourcePosition(file: path, line: 1))
        }
    }

    static func key(_ s: String) -> String {
        String(s.trimmingASCIIWhitespace().lowercased().map { $0 == " " || $0 == "-" ? "_" : $0 })
    }

    public func has(_ field: String) -> Bool { index[field] != nil }

    /// A warning text for the ignored columns of a file read under `contract` ("works", "usage"), nil when none.
    public func ignoredColumnsMessage(contract: String) -> String? {
        guard !ignored.isEmpty else { return nil }
        return "column(s) \(ignored.map { "'\($0)'" }.joined(separator: ", ")) not read: not fields of the \(contract) contract "
            + "(--map column=field reads a column as a field)"
    }

    /// The cell for `field` in `record`, trimmed; nil when the column is absent or the cell empty.
    public func value(_ field: String, in record: DelimitedRecord) -> String? {
        guard let i = index[field], i < record.cells.count else { return nil }
        let v = record.cells[i].trimmingASCIIWhitespace()
        return v.isEmpty ? nil : v
    }

    /// `|`-separated values of `field`.
    public func values(_ field: String, in record: DelimitedRecord) -> [String] {
        guard let v = value(field, in: record) else { return [] }
        if !v.utf8.contains(UInt8(ascii: "|")) { return [v] }
        var text = v
        return text.withUTF8 { splitMultiValues(UnsafeRawBufferPointer($0)) }
    }

    /// Position of `field` in `record`, for error messages.
    public func position(_ field: String, in record: DelimitedRecord) -> SourcePosition {
        SourcePosition(file: path, line: record.line, column: index[field].map { $0 + 1 }, field: field)
    }

    /// Parses `--map column=field` arguments.
    public static func parseRenames(_ args: [String]) throws(OeuvreError) -> [String: String] {
        var out: [String: String] = [:]
        for a in args {
            let parts = a.split(separator: "=", maxSplits: 1)
            guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else {
                throw OeuvreError(.usage, "--map expects column=field, got '\(a)'")
            }
            out[String(parts[0])] = String(parts[1])
        }
        return out
    }
}

/// The values of a `|`-separated multi-value cell (`a|b|c` in the file contracts), each trimmed of
/// spaces, tabs and line breaks; empty values are kept (their position may matter to the caller).
func splitMultiValues(_ v: UnsafeRawBufferPointer) -> [String] {
    let bar = UInt8(ascii: "|")
    if !v.contains(bar) { return [String(decoding: v, as: UTF8.self)] }
    var out: [String] = []
    var start = 0
    @inline(__always) func isSpace(_ b: UInt8) -> Bool { b == 32 || b == 9 || b == 10 || b == 13 }
    for i in 0...v.count where i == v.count || v[i] == bar {
        var lo = start
        var hi = i
        while lo < hi && isSpace(v[lo]) { lo += 1 }
        while hi > lo && isSpace(v[hi - 1]) { hi -= 1 }
        out.append(String(decoding: UnsafeRawBufferPointer(rebasing: v[lo..<hi]), as: UTF8.self))
        start = i + 1
    }
    return out
}
