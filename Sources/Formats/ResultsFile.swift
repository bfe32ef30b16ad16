import OeuvreCore

/// The results contract of `oeuvre match`: TSV with the header
/// `line_id rank work_id iswc work_title confidence decision reason`, up to K rows per usage line
/// (rank 1…K, best first); a line without candidates has one row with rank 0, empty work fields,
/// empty confidence and decision `none`.
public enum ResultsTSV {
    public static let columns = ["line_id", "rank", "work_id", "iswc", "work_title", "confidence", "decision", "reason"]
    public static let header = columns.joined(separator: "\t")

    public struct Row: Sendable, Hashable {
        public var lineId: String
        public var rank: Int
        public var workId: String
        public var iswc: String
        public var workTitle: String
        /// Calibrated confidence in [0, 1]; nil on a rank-0 row.
        public var confidence: Double?
        public var decision: Decision
        public var reason: String

        public init(lineId: String, rank: Int, workId: String, iswc: String, workTitle: String, confidence: Double?,
                    decision: Decision, reason: String) {
            self.lineId = lineId
            self.rank = rank
            self.workId = workId
            self.iswc = iswc
            self.workTitle = workTitle
            self.confidence = confidence
            self.decision = decision
            self.reason = reason
        }
    }

    /// Confidence as written: four decimals (enough to order and threshold; stable across platforms).
    public static func confidenceText(_ c: Double?) -> String {
        guard let c, c.isFinite else { return "" }
        let scaled = (min(max(c, 0), 1) * 10000).rounded()
        let whole = Int(scaled) / 10000, frac = Int(scaled) % 10000
        let f = String(frac)
        return "\(whole)." + String(repeating: "0", count: 4 - f.count) + f
    }

    /// One TSV line (with the trailing newline).
    public static func line(_ r: Row) -> String {
        var s = tsvCell(r.lineId)
        s += "\t"
        s += String(r.rank)
        s += "\t"
        s += tsvCell(r.workId)
        s += "\t"
        s += r.iswc
        s += "\t"
        s += tsvCell(r.workTitle)
        s += "\t"
        s += confidenceText(r.confidence)
        s += "\t"
        s += r.decision.rawValue
        s += "\t"
        s += r.reason
        s += "\n"
        return s
    }
}

/// Results rows built as bytes, for writing millions of them: the part of a row after its line id (the
/// "tail": rank, work, confidence, decision, reason) is formatted once per distinct result and copied after
/// each line id that shares it. Bytes are identical to `ResultsTSV.line`.
public struct ResultsTSVBuffer {
    public private(set) var bytes: [UInt8] = []

    public init(capacity: Int = 1 << 20) { bytes.reserveCapacity(capacity) }

    public var count: Int { bytes.count }

    /// The bytes of `ResultsTSV.line(row)` that follow its line id: from the tab after it to the newline.
    public static func tail(_ row: ResultsTSV.Row) -> [UInt8] {
        var r = row
        r.lineId = ""
        return Array(ResultsTSV.line(r).utf8)
    }

    /// Appends the bytes of `tail(row)` for a row whose work id, ISWC and title are given as UTF-8 bytes,
    /// without building Strings (cells are escaped as `tsvCell` does).
    public static func appendTail(to out: inout [UInt8], rank: Int, workId: UnsafeRawBufferPointer, iswc: UnsafeRawBufferPointer,
                                  workTitle: UnsafeRawBufferPointer, confidence: Double?, decision: Decision, reason: String) {
        appendTailHead(to: &out, rank: rank, workId: workId, iswc: iswc, workTitle: workTitle)
        out.append(contentsOf: tailEnd(confidence: confidence, decision: decision, reason: reason))
    }

    /// The first part of a tail: tab, rank, work id, ISWC and title cells, up to the tab before the confidence.
    @inline(__always)
    public static func appendTailHead(to out: inout [UInt8], rank: Int, workId: UnsafeRawBufferPointer, iswc: UnsafeRawBufferPointer,
                                      workTitle: UnsafeRawBufferPointer) {
        out.append(9)
        if rank >= 0 && rank < 10 { out.append(UInt8(48 + rank)) } else { out.append(contentsOf: String(rank).utf8) }
        out.append(9)
        appendCell(workId, to: &out)
        out.append(9)
        out.append(contentsOf: iswc)
        out.append(9)
        appendCell(workTitle, to: &out)
    }

    /// The rest of a tail (the same for many rows): tab, confidence, decision and reason cells, newline.
    public static func tailEnd(confidence: Double?, decision: Decision, reason: String) -> [UInt8] {
        var out: [UInt8] = []
        appendTailEnd(to: &out, confidence: confidence, decision: decision, reason: reason)
        return out
    }

    /// Appends `tailEnd(confidence:decision:reason:)`.
    @inline(__always)
    public static func appendTailEnd(to out: inout [UInt8], confidence: Double?, decision: Decision, reason: String) {
        out.append(9)
        if let c = confidence, c.isFinite {
            // `ResultsTSV.confidenceText`: four decimals.
            let scaled = Int((min(max(c, 0), 1) * 10000).rounded())
            let frac = scaled % 10000
            out.append(UInt8(48 + scaled / 10000))
            out.append(46)
            out.append(UInt8(48 + frac / 1000))
            out.append(UInt8(48 + frac / 100 % 10))
            out.append(UInt8(48 + frac / 10 % 10))
            out.append(UInt8(48 + frac % 10))
        }
        out.append(9)
        out.append(contentsOf: decision.rawValue.utf8)
        out.append(9)
        out.append(contentsOf: reason.utf8)
        out.append(10)
    }

    /// Appends the bytes of `tail(row)` for the row of a candidate whose work id, ISWC and title are Strings (read in
    /// place, not copied into a Row or a line).
    @inline(__always)
    public static func appendTail(to out: inout [UInt8], rank: Int, workId: String, iswc: String?, workTitle: String, confidence: Double?,
                                  decision: Decision, reason: String) {
        withBytes(workId) { id in
            withBytes(iswc ?? "") { iswc in
                withBytes(workTitle) { title in appendTailHead(to: &out, rank: rank, workId: id, iswc: iswc, workTitle: title) }
            }
        }
        appendTailEnd(to: &out, confidence: confidence, decision: decision, reason: reason)
    }

    @inline(__always)
    private static func withBytes<R>(_ s: String, _ body: (UnsafeRawBufferPointer) -> R) -> R {
        if let r = s.utf8.withContiguousStorageIfAvailable({ body(UnsafeRawBufferPointer($0)) }) { return r }
        return Array(s.utf8).withUnsafeBytes(body)
    }

    /// A cell's bytes as `tsvCell` writes them.
    @inline(__always)
    public static func appendCell(_ cell: UnsafeRawBufferPointer, to out: inout [UInt8]) {
        for c in cell where c == 9 || c == 10 || c == 13 {
            out.append(contentsOf: tsvCell(String(decoding: cell, as: UTF8.self)).utf8)
            return
        }
        out.append(contentsOf: cell)
    }

    /// The line id cell (escaped as `tsvCell` does).
    @inline(__always)
    public mutating func appendLineId(_ lineId: String) {
        var id = lineId
        let plain = id.withUTF8 { b -> Bool in
            for c in b where c == 9 || c == 10 || c == 13 { return false }
            bytes.append(contentsOf: b)
            return true
        }
        if !plain { bytes.append(contentsOf: tsvCell(lineId).utf8) }
    }

    @inline(__always)
    public mutating func append(_ raw: UnsafeRawBufferPointer) {
        bytes.append(contentsOf: raw)
    }

    /// `source[range]` (a tail kept in a larger array).
    @inline(__always)
    public mutating func append(_ source: [UInt8], _ range: Range<Int>) {
        bytes.append(contentsOf: source[range])
    }

    /// One whole row, as `ResultsTSV.line(row)`.
    public mutating func append(_ row: ResultsTSV.Row) {
        appendLineId(row.lineId)
        bytes.append(contentsOf: Self.tail(row))
    }

    public mutating func removeAll() { bytes.removeAll(keepingCapacity: true) }
}

/// Reads a results file written by `oeuvre match` (or anything following the contract).
public final class ResultsTSVReader {
    private let reader: DelimitedReader
    private let mapping: HeaderMapping

    public init(path: String) throws(OeuvreError) {
        reader = try DelimitedReader(path: path, dialect: .tsv)
        mapping = try HeaderMapping(header: reader.header, path: path, fields: ResultsTSV.columns,
                                    required: ["line_id", "rank", "work_id", "decision"])
    }

    public func next() throws(OeuvreError) -> ResultsTSV.Row? {
        guard let record = try reader.next() else { return nil }
        let m = mapping
        guard let lineId = m.value("line_id", in: record) else {
            throw OeuvreError(.invalidInput, "empty line_id", at: m.position("line_id", in: record))
        }
        let rankText = m.value("rank", in: record) ?? ""
        guard let rank = Int(rankText), rank >= 0 else {
            throw OeuvreError(.invalidInput, "rank must be a whole number ≥ 0, got '\(rankText)'", at: m.position("rank", in: record))
        }
        let decisionText = m.value("decision", in: record) ?? ""
        guard let decision = Decision(rawValue: decisionText) else {
            throw OeuvreError(.invalidInput, "decision must be auto, review or none, got '\(decisionText)'",
                              at: m.position("decision", in: record))
        }
        var confidence: Double?
        if let c = m.value("confidence", in: record) {
            guard let v = Double(c), v.isFinite, v >= 0, v <= 1 else {
                throw OeuvreError(.invalidInput, "confidence must be a number in [0, 1], got '\(c)'", at: m.position("confidence", in: record))
            }
            confidence = v
        }
        let workId = m.value("work_id", in: record) ?? ""
        if rank > 0 && workId.isEmpty {
            throw OeuvreError(.invalidInput, "rank \(rank) row without a work_id", at: m.position("work_id", in: record))
        }
        return ResultsTSV.Row(lineId: lineId, rank: rank, workId: workId, iswc: m.value("iswc", in: record) ?? "",
                              workTitle: m.value("work_title", in: record) ?? "", confidence: confidence, decision: decision,
                              reason: m.value("reason", in: record) ?? "")
    }

    public static func readAll(path: String) throws(OeuvreError) -> [ResultsTSV.Row] {
        let r = try ResultsTSVReader(path: path)
        var out: [ResultsTSV.Row] = []
        while let row = try r.next() { out.append(row) }
        return out
    }
}
