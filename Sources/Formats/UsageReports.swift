import Foundation
import OeuvreCore

/// The kinds of usage input Oeuvre reads.
public enum UsageFileFormat: String, Sendable, Codable {
    /// DDEX DSR flat file (plain or gzip).
    case dsr
    /// Usage lines as TSV with a header row.
    case tsv
    /// Usage lines as CSV (RFC 4180) with a header row.
    case csv
}

/// One unit of input: a DSR report (all its files) or one CSV/TSV usage file.
public struct UsageReportSummary: Sendable, Codable {
    public var format: UsageFileFormat
    public var files: [String]
    /// DSR `MessageId`.
    public var messageId: String?
    public var profile: String?
    public var lines: Int
    public var plays: Double
    public var netRevenue: Double?
    /// Prefix put before this unit's line ids (`label/`) when several units are read together.
    public var lineIdPrefix: String?
    /// Findings about the report as a whole (e.g. usage records pointing at an undefined summary record).
    public var warnings: [ReportWarning]
}

/// Everything read from a set of usage files.
public struct UsageReadResult: Sendable {
    /// Usage lines in input order: for a DSR one per reported resource and sales context, for CSV/TSV one per row.
    public var lines: [UsageLine]
    /// Per input file, in reading order (the files of a DSR report in file-number order).
    public var files: [UsageFileStats]
    public var reports: [UsageReportSummary]

    public var totalPlays: Double { lines.reduce(0) { $0 + $1.plays } }
    /// Every warning, file-level then report-level.
    public var warnings: [ReportWarning] { files.flatMap(\.warnings) + reports.flatMap(\.warnings) }
}

/// Reads usage reports of any supported kind. This is the entry point the matcher and `oeuvre report` use.
///
/// - Format detection is by content: a file whose first record (after `#` comment lines) is `HEAD`
///   is a DSR flat file; otherwise it is a CSV/TSV usage file with a header row (TSV when the header
///   has a TAB). `.gz` files are decompressed (a truncated stream is an error).
/// - DSR files of one report (same `MessageId`, or the same name apart from `xofy`) are read together
///   in file-number order; a missing or duplicated file is an error.
/// - Line ids: CSV/TSV `line_id` (default: row number); DSR: the `DspResourceId`, or
///   `DspResourceId@SummaryRecordId` (`@UseType` when a usage record gives its own use type) when the
///   resource has lines in several sales contexts. When several units (reports, CSV files) are read
///   together, each line id is prefixed with `label/` (the DSR MessageId or the file name) so that ids
///   stay unique.
public enum UsageReports {
    /// Reads every file of `paths` (DSR, CSV or TSV, optionally gzip) into usage lines.
    public static func read(paths: [String], options: UsageReadOptions = UsageReadOptions()) throws(OeuvreError) -> UsageReadResult {
        var result = UsageReadResult(lines: [], files: [], reports: [])
        for unit in try readUnits(paths: paths, options: options, deferDSRLines: false) {
            guard case .lines(var lines) = unit.source else { preconditionFailure("read: every unit is read into lines") }
            if let prefix = unit.summary.lineIdPrefix { for i in lines.indices { lines[i].lineId = prefix + lines[i].lineId } }
            if result.lines.isEmpty {
                result.lines = lines  // no copy of a million lines for the usual single file
            } else {
                result.lines.append(contentsOf: lines)
            }
            result.files.append(contentsOf: unit.files)
            result.reports.append(unit.summary)
        }
        return result
    }

    /// Reads `paths` for matching in parts (`DeferredUsageLines`): a DSR report's lines stay in its compact store, a
    /// CSV/TSV file is streamed (its lines are read again for each part), and `partition` gives the part of each
    /// resource from a chunk of resource lines (a DSR resource's shared fields, a CSV line). Warnings are those of
    /// `read`.
    public static func readDeferred(paths: [String], options: UsageReadOptions = UsageReadOptions(),
                                    partition: ([UsageLine]) -> [UInt8]) throws(OeuvreError) -> DeferredUsageLines {
        try withoutActuallyEscaping(partition) { (partition) throws(OeuvreError) -> DeferredUsageLines in
            DeferredUsageLines(units: try readUnits(paths: paths, options: options, deferDSRLines: true, partition: partition), options: options,
                               partition: partition)
        }
    }

    /// Lines per chunk of a streamed CSV/TSV file (`readDeferred`).
    static let streamChunk = 1 << 16

    /// One streamed pass over a CSV/TSV file: its warnings (as `readDelimited` gives them), stats and each line's part.
    static func streamDelimited(path: String, format: UsageFileFormat, options: UsageReadOptions, partition: ([UsageLine]) -> [UInt8])
        throws(OeuvreError) -> (parts: [UInt8], files: [UsageFileStats], summary: UsageReportSummary)
    {
        let reader = try UsageCSVReader(path: path, renames: options.renames)
        var stats = UsageFileStats(format: reader.dialect == .tsv ? "tsv" : "csv", path: path)
        var checks = UsageStreamChecks(reader: reader, path: path)
        var parts: [UInt8] = []
        var chunk: [UsageLine] = []
        while let line = try reader.next() {
            checks.check(line)
            stats.plays += line.plays
            if let r = line.netRevenue { stats.netRevenue = (stats.netRevenue ?? 0) + r }
            chunk.append(line)
            if chunk.count == streamChunk {
                parts.append(contentsOf: partition(chunk))
                chunk.removeAll(keepingCapacity: true)
            }
        }
        parts.append(contentsOf: partition(chunk))
        stats.physicalLines = reader.lastLine
        stats.usageRecords = parts.count
        stats.lines = parts.count
        stats.warnings = checks.finish(reader: reader)
        let summary = UsageReportSummary(format: stats.format == "tsv" ? .tsv : .csv, files: [path], messageId: nil, profile: nil,
                                         lines: parts.count, plays: stats.plays, netRevenue: stats.netRevenue, lineIdPrefix: nil,
                                         warnings: [])
        return (parts, [stats], summary)
    }

    /// What one unit (a DSR report or a CSV/TSV file) was read into.
    struct ReadUnit {
        enum Source {
            case lines([UsageLine])
            case dsr(DSRReportState, paths: [String])
            /// A CSV/TSV file read again for each part, with the part of each of its lines and the file's size and
            /// modification time when it was first read.
            case stream(path: String, parts: [UInt8], stamp: FileStamp)
        }
        var source: Source
        var files: [UsageFileStats]
        /// `lineIdPrefix` set when several units are read together (not yet applied to the lines).
        var summary: UsageReportSummary
    }

    static func readUnits(paths: [String], options: UsageReadOptions, deferDSRLines: Bool,
                          partition: (([UsageLine]) -> [UInt8])? = nil) throws(OeuvreError) -> [ReadUnit] {
        var units: [Unit] = []
        var dsrGroups: [String: Int] = [:]
        for path in paths { try requireRegularFile(path) }
        for path in paths {
            let probe = try probe(path: path)
            switch probe.format {
            case .dsr:
                let key = probe.reportKey
                if let u = dsrGroups[key] {
                    units[u].dsrFiles.append(probe)
                } else {
                    dsrGroups[key] = units.count
                    units.append(Unit(format: .dsr, dsrFiles: [probe], path: path))
                }
            case .csv, .tsv:
                units.append(Unit(format: probe.format, dsrFiles: [], path: path))
            }
        }
        var result: [ReadUnit] = []
        var labels: Set<String> = []
        for unit in units {
            var source: ReadUnit.Source
            var summary: UsageReportSummary
            var files: [UsageFileStats]
            if unit.format == .dsr {
                let ordered = try order(unit.dsrFiles).map(\.path)
                let state: DSRReportState
                (state, files, summary) = try parseDSRReport(paths: ordered, options: options, retain: true)
                source = deferDSRLines ? .dsr(state, paths: ordered) : .lines(state.store.makeLines(paths: ordered, contexts: state.contextInfos()))
            } else if let partition {
                let stamp = try FileStamp(path: unit.path)
                let parts: [UInt8]
                (parts, files, summary) = try streamDelimited(path: unit.path, format: unit.format, options: options, partition: partition)
                source = .stream(path: unit.path, parts: parts, stamp: stamp)
            } else {
                let lines: [UsageLine]
                (lines, files, summary) = try readDelimited(path: unit.path, format: unit.format, options: options)
                source = .lines(lines)
            }
            if units.count > 1 {
                var label = summary.messageId ?? (unit.path as NSString).lastPathComponent
                if labels.contains(label) {
                    var k = 2
                    while labels.contains("\(label)#\(k)") { k += 1 }
                    label = "\(label)#\(k)"
                }
                labels.insert(label)
                summary.lineIdPrefix = label + "/"
            }
            result.append(ReadUnit(source: source, files: files, summary: summary))
        }
        return result
    }

    /// The number of physical lines in `paths`, estimated without reading them through: each file's first
    /// `sampleBytes` (decompressed) are read and their line breaks counted, and the file's size is divided by the
    /// sample's bytes per line (for gzip, by the sample's compressed bytes per line). A file that ends within its
    /// sample is counted exactly. Used to choose how many parts a report is matched in (`oeuvre match
    /// --partitions auto`); a DSR file's physical lines bound its usage lines from above.
    public static func estimatedLineCount(paths: [String], sampleBytes: Int = 1 << 20) throws(OeuvreError) -> Int {
        for path in paths { try requireRegularFile(path) }
        var total = 0
        var buffer = [UInt8](repeating: 0, count: min(sampleBytes, 1 << 16))
        for path in paths {
            let source = try openByteSource(path: path)
            var sampled = 0, breaks = 0, ended = false, lastByte: UInt8 = 0x0a
            while sampled < sampleBytes {
                let n: Int
                do {
                    n = try source.read(into: &buffer)
                } catch {
                    throw error.placed(atLine: breaks + 1, of: path)
                }
                if n == 0 { ended = true; break }
                for k in 0..<n where buffer[k] == 0x0a { breaks += 1 }
                lastByte = buffer[n - 1]
                sampled += n
            }
            if ended {
                total += breaks + (lastByte == 0x0a ? 0 : 1)
                continue
            }
            let size = ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? NSNumber)?.intValue ?? 0
            // Bytes of the file per line of the sample (a sample of one long line counts as one line).
            let fileBytesSampled = (source as? GzipByteSource)?.compressedBytesConsumed ?? sampled
            let perLine = Double(max(1, fileBytesSampled)) / Double(max(1, breaks))
            total += max(breaks, Int((Double(size) / perLine).rounded(.up)))
        }
        return total
    }

    /// The format of `path`, judged by its content.
    public static func detectFormat(path: String) throws(OeuvreError) -> UsageFileFormat {
        try requireRegularFile(path)
        return try probe(path: path).format
    }

    // MARK: DSR reports

    /// How much of a DSR report to keep (benchmarks measure the stages separately).
    public enum DSRReadMode: String, Sendable {
        /// Parse and resolve blocks; lines are counted per block, not kept. Memory: one block.
        case stream
        /// Also aggregate per resource and sales context (the compact store), without building `UsageLine`s.
        case aggregate
        /// Everything: the `UsageLine` array.
        case lines
    }

    /// Reads the files of one DSR report, given in file order, into usage lines.
    /// With a `mode` other than `.lines` the returned `lines` is empty (the summary still counts them).
    public static func readDSRReport(paths: [String], options: UsageReadOptions = UsageReadOptions(), mode: DSRReadMode = .lines)
        throws(OeuvreError) -> (lines: [UsageLine], files: [UsageFileStats], summary: UsageReportSummary)
    {
        let (state, files, summary) = try parseDSRReport(paths: paths, options: options, retain: mode != .stream)
        let lines = mode == .lines ? state.store.makeLines(paths: paths, contexts: state.contextInfos()) : []
        return (lines, files, summary)
    }

    /// Parses the files of one DSR report into its line store (`retain`: keep resources and lines) without building
    /// `UsageLine`s.
    static func parseDSRReport(paths: [String], options: UsageReadOptions, retain: Bool)
        throws(OeuvreError) -> (state: DSRReportState, files: [UsageFileStats], summary: UsageReportSummary)
    {
        let state = DSRReportState(options: options, retain: retain)
        state.paths = paths
        var bytes = 0
        for p in paths {
            let size = ((try? FileManager.default.attributesOfItem(atPath: p))?[.size] as? NSNumber)?.intValue ?? 0
            bytes += p.hasSuffix(".gz") ? size * 8 : size
        }
        state.store.reserve(forReportBytes: bytes)
        var files: [UsageFileStats] = []
        var totalLines = 0
        var totalSummaries = 0
        var reportWarnings = WarningCollector()
        var lastParser: DSRFileParser?
        for (i, path) in paths.enumerated() {
            let parser = DSRFileParser(path: path, fileIndex: i, state: state)
            let stats = try parser.parse()
            totalLines += parser.linesInFile
            totalSummaries += parser.summariesInFile
            if i > 0, let first = files.first?.header, let h = stats.header {
                if first.messageId != h.messageId || first.senderPartyId != h.senderPartyId {
                    reportWarnings.add(1, "file \(i + 1) of the report has a different MessageId or sender than file 1",
                                       at: SourcePosition(file: path, line: 1))
                }
            }
            files.append(stats)
            lastParser = parser
        }
        // Report-wide totals, declared in the last file's footer.
        if let last = lastParser, let footer = files.last?.footer {
            let path = last.path
            func check(_ declared: Int?, _ actual: Int, _ name: String, _ what: String, cell: Int) throws(OeuvreError) {
                guard let declared, declared != actual else { return }
                let message = "\(footer.recordType) \(name) is \(declared) but the report has \(actual) \(what)"
                let position = SourcePosition(file: path, line: footer.line, column: cell, field: name)
                if options.lenientCounts {
                    reportWarnings.add(100 + cell, message + " (accepted with --lenient)", at: position)
                } else {
                    throw OeuvreError(.invalidInput, message + " (use --lenient to read it with a warning)", at: position)
                }
            }
            if footer.recordType == "FOOT" {
                try check(footer.linesInReport, totalLines, "NumberOfLinesInReport", "lines", cell: 3)
                try check(footer.blocksInReport, state.blocksInReport, "NumberOfBlocksInReport", "blocks", cell: 6)
            } else {
                try check(footer.linesInReport, totalLines, "NumberOfLinesInReport", "lines", cell: 2)
                try check(footer.summaryRecords, totalSummaries, "NumberOfSummaryRecords", "summary records", cell: 3)
            }
        }
        for i in state.summaries.indices where state.summaries[i] == nil && state.summaryReferences[i] > 0 {
            let id = String(decoding: state.summaryIds.key(i), as: UTF8.self)
            reportWarnings.add(1000 + i,
                               "SummaryRecordId '\(id)' is used by \(state.summaryReferences[i]) record(s) but no summary record defines it; their lines have no territory, use type or commercial model",
                               at: state.summaryFirstReference[i])
        }
        let header = files.first?.header
        var revenue: Double?
        for f in files { if let r = f.netRevenue { revenue = (revenue ?? 0) + r } }
        let summary = UsageReportSummary(
            format: .dsr, files: paths, messageId: header?.messageId, profile: header?.profile,
            lines: state.store.lineCount, plays: files.reduce(0) { $0 + $1.plays },
            netRevenue: revenue, lineIdPrefix: nil, warnings: reportWarnings.items)
        return (state, files, summary)
    }

    // MARK: CSV/TSV

    static func readDelimited(path: String, format: UsageFileFormat, options: UsageReadOptions) throws(OeuvreError)
        -> (lines: [UsageLine], files: [UsageFileStats], summary: UsageReportSummary)
    {
        let reader = try UsageCSVReader(path: path, renames: options.renames)
        var stats = UsageFileStats(format: reader.dialect == .tsv ? "tsv" : "csv", path: path)
        let lines = try reader.readRemaining(threads: options.threads)
        var seen = LineIdSet()
        seen.reserve(lines.count)
        var warnings = WarningCollector()
        if let message = reader.mapping.ignoredColumnsMessage(contract: "usage") {
            warnings.add(5, message, at: SourcePosition(file: path, line: 1))
        }
        for k in lines.indices {  // fields read in place (no copy of each line)
            if !seen.insert(lines[k].lineId, index: k, in: lines) {
                warnings.add(1, UsageStreamChecks.duplicateMessage(lines[k].lineId), at: lines[k].position)
            }
            if lines[k].title.isEmpty && lines[k].isrc == nil {
                warnings.add(2, UsageStreamChecks.unmatchableMessage, at: lines[k].position)
            }
            stats.plays += lines[k].plays
            if let r = lines[k].netRevenue { stats.netRevenue = (stats.netRevenue ?? 0) + r }
        }
        UsageStreamChecks.addInvalidIdentifiers(reader.invalidIdentifiers, to: &warnings)
        stats.physicalLines = reader.lastLine
        stats.usageRecords = lines.count
        stats.lines = lines.count
        stats.warnings = warnings.items
        let summary = UsageReportSummary(format: stats.format == "tsv" ? .tsv : .csv, files: [path], messageId: nil, profile: nil,
                                         lines: lines.count, plays: stats.plays, netRevenue: stats.netRevenue, lineIdPrefix: nil,
                                         warnings: [])
        return (lines, [stats], summary)
    }

    /// Line ids seen so far: an open-addressing table of (upper 32 bits of a 64-bit hash, line index + 1)
    /// in one word per slot; ids are compared only when those hash bits are equal (a `Set<String>` compares
    /// strings on every probe and rehashes them as it grows).
    struct LineIdSet {
        private var slots: [UInt64] = []
        private var count = 0

        mutating func reserve(_ n: Int) {
            var size = 64
            while size < 2 * n { size *= 2 }
            guard size > slots.count else { return }
            let old = slots
            slots = [UInt64](repeating: 0, count: size)
            let mask = size - 1
            // The slot's hash bits place it again (they are the table position's source too).
            for v in old where v != 0 {
                var i = Int(truncatingIfNeeded: v >> 32) & mask
                while slots[i] != 0 { i = (i + 1) & mask }
                slots[i] = v
            }
        }

        static func hash(_ s: String) -> UInt64 {
            var h: UInt64 = 0xcbf2_9ce4_8422_2325
            for b in s.utf8 { h = (h ^ UInt64(b)) &* 0x100_0000_01b3 }
            return h ^ (h >> 31)
        }

        /// `hash` of the id with these UTF-8 bytes.
        @inline(__always)
        static func hash(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
            var h: UInt64 = 0xcbf2_9ce4_8422_2325
            for b in bytes { h = (h ^ UInt64(b)) &* 0x100_0000_01b3 }
            return h ^ (h >> 31)
        }

        /// Records `id` as the id of `lines[index]`; false when an earlier line has it.
        mutating func insert(_ id: String, index: Int, in lines: [UsageLine]) -> Bool {
            if 2 * (count + 1) > slots.count { reserve(max(count + 1, slots.count)) }
            let h = Self.hash(id) >> 32
            let mask = slots.count - 1
            var i = Int(truncatingIfNeeded: h) & mask
            while true {
                let v = slots[i]
                if v == 0 { break }
                if v >> 32 == h && lines[Int(v & 0xFFFF_FFFF) - 1].lineId == id { return false }
                i = (i + 1) & mask
            }
            slots[i] = h << 32 | UInt64(index + 1)
            count += 1
            return true
        }
    }

    // MARK: Detection and grouping

    struct Probe {
        var path: String
        var format: UsageFileFormat
        var messageId: String?
        var senderPartyId: String?
        var fileNumber: Int
        var numberOfFiles: Int
        var reportKey: String
    }

    struct Unit {
        var format: UsageFileFormat
        var dsrFiles: [Probe]
        var path: String
    }

    /// `(x, y)` of an `_xofy_` element in a DSR file name.
    static func fileCounter(in name: String) -> (Int, Int)? {
        let parts = name.split(separator: "_")
        for p in parts {
            guard let r = p.range(of: "of") else { continue }
            if let x = Int(p[p.startIndex..<r.lowerBound]), let y = Int(p[r.upperBound...]), x >= 1, y >= 1 { return (x, y) }
        }
        return nil
    }

    static func probe(path: String) throws(OeuvreError) -> Probe {
        let reader = try LineReader(path: path)
        var format: UsageFileFormat?
        var sawComment = false
        var head: DSRHeader?
        var firstLine = true
        let cells = DSRCells()
        var buffer = ByteBuffer(capacity: 256)
        defer { buffer.free() }
        while format == nil {
            let done = try reader.nextLine { (raw: UnsafeRawBufferPointer) throws(OeuvreError) -> Bool in
                var line = raw
                if firstLine, line.count >= 3, line[0] == 0xEF, line[1] == 0xBB, line[2] == 0xBF {
                    line = UnsafeRawBufferPointer(rebasing: line[3...])
                }
                firstLine = false
                if line.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }) { return false }
                if line[0] == 0x23 {
                    sawComment = true
                    return false
                }
                _ = cells.split(line)
                let t = cells.raw(1)
                let name = String(decoding: t, as: UTF8.self)
                if name == "HEAD" {
                    format = .dsr
                    var h = DSRHeader()
                    func text(_ n: Int) -> String? {
                        if cells.isEmpty(n) { return nil }
                        buffer.removeAll()
                        cells.append(n, to: &buffer)
                        return buffer.string(0, buffer.count)
                    }
                    h.messageId = text(5)
                    h.senderPartyId = text(11)
                    h.fileNumber = text(7).flatMap { Int($0) }
                    h.numberOfFiles = text(8).flatMap { Int($0) }
                    head = h
                } else if (sawComment || (path as NSString).lastPathComponent.hasPrefix("DSR_")) && Self.looksLikeRecordType(name) {
                    format = .dsr
                } else {
                    format = line.contains(0x09) ? .tsv : .csv
                }
                return true
            }
            if done == nil { break }
        }
        let name = (path as NSString).lastPathComponent
        let counter = fileCounter(in: name)
        let f = format ?? .csv
        let fileNumber = head?.fileNumber ?? counter?.0 ?? 1
        let numberOfFiles = head?.numberOfFiles ?? counter?.1 ?? 1
        var key = "path:" + path
        if let id = head?.messageId {
            key = "id:\(head?.senderPartyId ?? "")|\(id)"
        } else if let (x, y) = counter {
            key = "name:" + name.replacingOccurrences(of: "_\(x)of\(y)_", with: "_of\(y)_")
        }
        return Probe(path: path, format: f, messageId: head?.messageId, senderPartyId: head?.senderPartyId,
                     fileNumber: fileNumber, numberOfFiles: numberOfFiles, reportKey: key)
    }

    static func looksLikeRecordType(_ s: String) -> Bool {
        let u = Array(s.utf8)
        guard u.count >= 4 else { return false }
        for i in 0..<4 where !((u[i] >= 0x41 && u[i] <= 0x5A) || (u[i] >= 0x30 && u[i] <= 0x39)) { return false }
        if u.count == 4 { return true }
        return u[4] == 0x2E && u.count > 5 && u[5...].allSatisfy { $0 >= 0x30 && $0 <= 0x39 }
    }

    /// Orders the files of one report by file number and checks that none is missing or repeated.
    static func order(_ files: [Probe]) throws(OeuvreError) -> [Probe] {
        let n = files[0].numberOfFiles
        let label = files[0].messageId.map { "report \($0)" } ?? "report \((files[0].path as NSString).lastPathComponent)"
        for f in files where f.numberOfFiles != n {
            throw OeuvreError(.invalidInput, "\(label): NumberOfFiles is \(f.numberOfFiles) here but \(n) in \(files[0].path)",
                              at: SourcePosition(file: f.path, line: 1, column: 8, field: "NumberOfFiles"))
        }
        var byNumber: [Int: Probe] = [:]
        for f in files {
            if let other = byNumber[f.fileNumber] {
                throw OeuvreError(.invalidInput, "\(label): file \(f.fileNumber) of \(n) given twice (also \(other.path))",
                                  at: SourcePosition(file: f.path, line: 1, column: 7, field: "FileNumber"))
            }
            guard f.fileNumber >= 1 && f.fileNumber <= n else {
                throw OeuvreError(.invalidInput, "\(label): FileNumber \(f.fileNumber) is not between 1 and \(n)",
                                  at: SourcePosition(file: f.path, line: 1, column: 7, field: "FileNumber"))
            }
            byNumber[f.fileNumber] = f
        }
        let missing = (1...n).filter { byNumber[$0] == nil }
        if !missing.isEmpty {
            throw OeuvreError(.invalidInput,
                              "\(label) has \(n) files but file(s) \(missing.map(String.init).joined(separator: ", ")) of \(n) were not given",
                              at: SourcePosition(file: files[0].path, line: 1))
        }
        return (1...n).compactMap { byNumber[$0] }
    }
}

/// Writes usage lines in the canonical usage TSV
/// (`line_id isrc title artist duration plays iswc writers territory use_type`).
public enum CanonicalUsageTSV {
    public static let header = ["line_id", "isrc", "title", "artist", "duration", "plays", "iswc", "writers", "territory", "use_type"]

    /// The title as one cell: a separately reported subtitle is appended in parentheses, as DSPs display it.
    public static func displayTitle(_ line: UsageLine) -> String {
        guard let sub = line.subtitle?.trimmingASCIIWhitespace(), !sub.isEmpty else { return line.title }
        if line.title.lowercased().contains(sub.lowercased()) { return line.title }
        return line.title.isEmpty ? sub : "\(line.title) (\(sub))"
    }

    /// A number without a trailing `.0` when it is whole.
    public static func number(_ v: Double) -> String {
        if v == v.rounded() && abs(v) < 1e15 { return String(Int64(v)) }
        return String(v)
    }

    public static func row(_ l: UsageLine) -> String {
        let writers = l.writers.map { $0.replacingOccurrences(of: "|", with: "/") }.joined(separator: "|")
        let cells = [l.lineId, l.isrc ?? "", displayTitle(l), l.artist ?? "", l.duration.map(String.init) ?? "", number(l.plays),
                     l.iswc ?? "", writers, l.territory ?? "", l.useType ?? ""]
        return cells.map(tsvCell).joined(separator: "\t")
    }

    /// Writes `lines` to `path` atomically (nothing is left behind when writing fails).
    public static func write(_ lines: [UsageLine], to path: String) throws(OeuvreError) {
        let out = try AtomicFileWriter(path: path)
        out.write(header.joined(separator: "\t") + "\n")
        var chunk = ""
        chunk.reserveCapacity(1 << 16)
        for l in lines {
            chunk += row(l)
            chunk += "\n"
            if chunk.utf8.count >= 1 << 16 {
                out.write(chunk)
                chunk.removeAll(keepingCapacity: true)
            }
        }
        out.write(chunk)
        try out.commit()
    }
}


/// The warnings a whole CSV/TSV file gets when it is read at once (`UsageReports.read`), for lines read one by one
/// from a stream (`oeuvre match --stdin`): columns not read, repeated line ids, lines with neither a title nor a
/// valid ISRC, invalid ISRCs and ISWCs — each counted, with its first position. A repeated line id is told by a
/// 64-bit hash of the id (8 bytes a line; the whole-file reader compares the ids themselves).
public struct UsageStreamChecks {
    private var warnings = WarningCollector()
    private var seen = Set<UInt64>()

    public init(reader: UsageCSVReader, path: String) {
        if let message = reader.mapping.ignoredColumnsMessage(contract: "usage") {
            warnings.add(5, message, at: SourcePosition(file: path, line: 1))
        }
    }

    public mutating func check(_ line: UsageLine) {
        if !seen.insert(UsageReports.LineIdSet.hash(line.lineId)).inserted {
            warnings.add(1, Self.duplicateMessage(line.lineId), at: line.position)
        }
        if line.title.isEmpty && line.isrc == nil { warnings.add(2, Self.unmatchableMessage, at: line.position) }
    }

    /// Every warning so far, with the reader's invalid identifiers (call once, at the end of the stream).
    public mutating func finish(reader: UsageCSVReader) -> [ReportWarning] {
        Self.addInvalidIdentifiers(reader.invalidIdentifiers, to: &warnings)
        return warnings.items
    }

    static func duplicateMessage(_ id: String) -> String { "duplicate line_id '\(id)'" }
    static let unmatchableMessage = "line with neither a title nor a valid ISRC cannot be matched"

    static func addInvalidIdentifiers(_ list: [(SourcePosition, String)], to warnings: inout WarningCollector) {
        for (position, message) in list {
            let isrc = message.hasPrefix("invalid ISRC")
            warnings.add(isrc ? 3 : 4, (isrc ? "invalid ISRC" : "invalid ISWC") + " not used for matching: \(message)", at: position)
        }
    }
}


/// A file's size and modification time: a file read twice (`DeferredUsageLines`) must not change in between.
struct FileStamp: Equatable {
    var size: UInt64
    var modified: Date

    init(path: String) throws(OeuvreError) {
        do {
            let a = try FileManager.default.attributesOfItem(atPath: path)
            size = (a[.size] as? NSNumber)?.uint64Value ?? 0
            modified = a[.modificationDate] as? Date ?? .distantPast
        } catch {
            throw OeuvreError(.io, "\(path): cannot read its attributes: \(error.localizedDescription)")
        }
    }
}


/// A report read for matching in parts (`UsageReports.readDeferred`, `oeuvre match --partitions`): a DSR report's
/// lines in its compact store (≈ 40 bytes a line instead of a `UsageLine`'s ≈ 600), a CSV/TSV file as a path read
/// again for each part, each with the part of every line. A DSR report's parts are drawn per *resource* (the lines
/// of one recording in its sales contexts, which share every field matching reads). Line indices run over the
/// units in reading order; line ids carry the units' `label/` prefixes as `UsageReports.read` gives them.
public final class DeferredUsageLines {
    let units: [UsageReports.ReadUnit]
    /// Per unit: the part of each of its resources (DSR) or lines (CSV/TSV).
    private let parts: [[UInt8]]
    private let options: UsageReadOptions
    /// Lines in all units.
    public let count: Int

    init(units: [UsageReports.ReadUnit], options: UsageReadOptions = UsageReadOptions(), partition: ([UsageLine]) -> [UInt8]) {
        self.units = units
        self.options = options
        var n = 0
        var parts: [[UInt8]] = []
        for u in units {
            switch u.source {
            case .lines(let l):
                n += l.count
                parts.append(partition(l))
            case .dsr(let state, let paths):
                n += state.store.lineCount
                parts.append(partition(state.store.resourceLines(paths: paths)))
            case .stream(_, let p, _):
                n += p.count
                parts.append(p)
            }
        }
        self.parts = parts
        count = n
    }

    /// Every warning, file-level then report-level (as `UsageReadResult.warnings`).
    public var warnings: [ReportWarning] { units.flatMap(\.files).flatMap(\.warnings) + units.flatMap(\.summary.warnings) }

    /// The part of every line, in line order.
    public func partOfLines() -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(count)
        for (k, u) in units.enumerated() {
            switch u.source {
            case .lines, .stream: out.append(contentsOf: parts[k])
            case .dsr(let state, _):
                let p = parts[k]
                out.append(contentsOf: state.store.resourceOfLines().map { p[Int($0)] })
            }
        }
        return out
    }

    /// The lines of part `part`, in line order, with their line indices.
    public func lines(inPart part: UInt8) throws(OeuvreError) -> (lines: [UsageLine], indices: [Int]) {
        var lines: [UsageLine] = []
        var indices: [Int] = []
        var base = 0
        for (k, u) in units.enumerated() {
            let p = parts[k]
            var chunk: [UsageLine]
            var at: [Int]
            switch u.source {
            case .lines(let l):
                at = l.indices.filter { p[$0] == part }
                chunk = at.map { l[$0] }
            case .dsr(let state, let paths):
                (chunk, at) = state.store.makeLines(paths: paths, contexts: state.contextInfos()) { p[$0] == part }
            case .stream(let path, _, let stamp):
                guard (try? FileStamp(path: path)) == stamp else {
                    throw OeuvreError(.io, "\(path) changed while it was being matched (its size or modification time differs from the first read)")
                }
                let reader = try UsageCSVReader(path: path, renames: options.renames)
                chunk = []
                at = []
                // Only this part's lines are built; the others were checked by the first pass (the same bytes: the
                // stamp and the line count are compared) and are only stepped over.
                var i = 0
                while true {
                    if i < p.count && p[i] == part {
                        guard let line = try reader.next() else { break }
                        chunk.append(line)
                        at.append(i)
                    } else if try !reader.skip() {
                        break
                    }
                    i += 1
                }
                guard i == p.count else {
                    throw OeuvreError(.io, "\(path) changed while it was being matched: \(i) lines now, \(p.count) before")
                }
            }
            if let prefix = u.summary.lineIdPrefix { for i in chunk.indices { chunk[i].lineId = prefix + chunk[i].lineId } }
            if lines.isEmpty {
                lines = chunk  // the usual single unit: no copy of its lines (each copy retains every string)
                indices = base == 0 ? at : at.map { base + $0 }
            } else {
                lines.append(contentsOf: chunk)
                indices.append(contentsOf: at.map { base + $0 })
            }
            base += lineCount(u)
        }
        return (lines, indices)
    }

    private func lineCount(_ u: UsageReports.ReadUnit) -> Int {
        switch u.source {
        case .lines(let l): l.count
        case .dsr(let state, _): state.store.lineCount
        case .stream(_, let p, _): p.count
        }
    }
}
