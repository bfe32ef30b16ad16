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
public final class DelimitedReader {
    public enum Dialect: Sendable { case csv, tsv }

    public let path: String
    public let dialect: Dialect
    /// Header cells as written (BOM removed, trimmed).
    public private(set) var header: [String] = []
    private let source: any ByteSource
    private var buffer = [UInt8](repeating: 0, count: 1 << 20)
    private var pos = 0
    private var end = 0
    private var eof = false
    private var line = 1

    /// Opens `path` (`-` for standard input; `.gz` decompressed) and reads the header row.
    /// The dialect is TSV when the header line contains a tab, CSV otherwise, unless given.
    public init(path: String, dialect: Dialect? = nil) throws(OeuvreError) {
        self.path = path
        let source = try openByteSource(path: path)
        self.source = source
        var first = [UInt8](repeating: 0, count: 1 << 20)
        let n = try source.read(into: &first)
        var start = 0
        if n >= 3 && first[0] == 0xEF && first[1] == 0xBB && first[2] == 0xBF { start = 3 }
        if let dialect {
            self.dialect = dialect
        } else {
            var d = Dialect.csv
            var i = start
            while i < n && first[i] != 0x0A {
                if first[i] == 0x09 { d = .tsv; break }
                i += 1
            }
            self.dialect = d
        }
        buffer = first
        pos = start
        end = n
        eof = n == 0
        guard let h = try next() else {
            throw OeuvreError(.invalidInput, "empty file: a header row is required", at: SourcePosition(file: path, line: 1))
        }
        header = h.cells.map { $0.trimmingASCIIWhitespace() }
    }

    private func fillIfNeeded() throws(OeuvreError) {
        guard pos >= end, !eof else { return }
        let n = try source.read(into: &buffer)
        pos = 0
        end = n
        if n == 0 { eof = true }
    }

    @inline(__always) private func peekByte() throws(OeuvreError) -> UInt8? {
        if pos >= end { try fillIfNeeded() }
        return pos < end ? buffer[pos] : nil
    }

    /// The next record, or nil at the end of the file. Blank lines are skipped.
    public func next() throws(OeuvreError) -> DelimitedRecord? {
        var cells: [String] = []
        var cell: [UInt8] = []
        var startLine = line
        let delimiter: UInt8 = dialect == .tsv ? 0x09 : 0x2C
        var sawAnything = false
        var cellStartColumn = 1

        func finishCell() throws(OeuvreError) {
            guard let s = String(validating: cell, as: UTF8.self) else {
                throw OeuvreError(.invalidInput, "invalid UTF-8",
                                  at: SourcePosition(file: path, line: startLine, column: cells.count + 1,
                                                     field: cells.count < header.count ? header[cells.count] : nil))
            }
            cells.append(s)
            cell.removeAll(keepingCapacity: true)
        }

        while true {
            guard let b = try peekByte() else {
                if !sawAnything { return nil }
                try finishCell()
                return DelimitedRecord(cells: cells, line: startLine)
            }
            pos += 1
            if b == 0x0A {
                line += 1
                if !sawAnything {
                    startLine = line
                    continue  // blank line
                }
                if cell.last == 0x0D { cell.removeLast() }
                try finishCell()
                return DelimitedRecord(cells: cells, line: startLine)
            }
            if b == 0x0D && !sawAnything { continue }
            sawAnything = true
            if b == delimiter {
                try finishCell()
                cellStartColumn += 1
                continue
            }
            if b == 0x22 && dialect == .csv && cell.isEmpty {
                // Quoted cell: read to the closing quote; "" is a literal quote.
                let quoteLine = line
                while true {
                    guard let q = try peekByte() else {
                        throw OeuvreError(.invalidInput, "unterminated quoted cell (opened on line \(quoteLine))",
                                          at: SourcePosition(file: path, line: startLine, column: cells.count + 1,
                                                             field: cells.count < header.count ? header[cells.count] : nil))
                    }
                    pos += 1
                    if q == 0x22 {
                        if try peekByte() == 0x22 {
                            pos += 1
                            cell.append(0x22)
                            continue
                        }
                        break
                    }
                    if q == 0x0A { line += 1 }
                    cell.append(q)
                }
                continue
            }
            cell.append(b)
            // Copy the run of ordinary bytes that follows in one go.
            let quote: UInt8 = dialect == .csv ? 0x22 : delimiter
            var j = pos
            buffer.withUnsafeBufferPointer { buf in
                while j < end {
                    let c = buf[j]
                    if c == delimiter || c == 0x0A || c == 0x0D || c == quote { break }
                    j += 1
                }
                if j > pos { cell.append(contentsOf: buf[pos..<j]) }
            }
            pos = j
        }
    }
}

/// Maps the columns of a delimited file to the fields of a file contract: header names matched
/// case-insensitively (spaces and `-` read as `_`), `--map column=field` renames, unknown columns ignored.
public struct HeaderMapping: Sendable {
    /// Column index of each known field present in the header.
    public private(set) var index: [String: Int] = [:]
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
            if known.contains(name), index[name] == nil { index[name] = i }
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

    /// The cell for `field` in `record`, trimmed; nil when the column is absent or the cell empty.
    public func value(_ field: String, in record: DelimitedRecord) -> String? {
        guard let i = index[field], i < record.cells.count else { return nil }
        let v = record.cells[i].trimmingASCIIWhitespace()
        return v.isEmpty ? nil : v
    }

    /// `|`-separated values of `field`.
    public func values(_ field: String, in record: DelimitedRecord) -> [String] {
        guard let v = value(field, in: record) else { return [] }
        let bar = UInt8(ascii: "|")
        if !v.utf8.contains(bar) { return [v] }
        var text = v
        return text.withUTF8 { bytes in
            var out: [String] = []
            var start = 0
            @inline(__always) func isSpace(_ b: UInt8) -> Bool { b == 32 || b == 9 || b == 10 || b == 13 }
            for i in 0...bytes.count where i == bytes.count || bytes[i] == bar {
                var lo = start
                var hi = i
                while lo < hi && isSpace(bytes[lo]) { lo += 1 }
                while hi > lo && isSpace(bytes[hi - 1]) { hi -= 1 }
                out.append(String(decoding: UnsafeBufferPointer(rebasing: bytes[lo..<hi]), as: UTF8.self))
                start = i + 1
            }
            return out
        }
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
