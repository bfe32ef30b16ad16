import OeuvreCore

/// The HEAD record of a DSR file (cells as written; absent cells are nil).
public struct DSRHeader: Sendable, Hashable, Codable {
    public var messageVersion: String?
    public var profile: String?
    public var profileVersion: String?
    public var messageId: String?
    public var createdDateTime: String?
    public var fileNumber: Int?
    public var numberOfFiles: Int?
    public var usageStartDate: String?
    public var usageEndDate: String?
    public var senderPartyId: String?
    public var senderName: String?
    public var serviceDescription: String?
    public var recipientPartyId: String?
    public var recipientName: String?

    public init() {}

    /// Whether the profile is one of the single-record-block variants (`…SRB`).
    public var isSingleRecordBlock: Bool { profile?.uppercased().hasSuffix("SRB") ?? false }
}

/// The FOOT (or SRFO) record of a DSR file: the counts it declares.
public struct DSRFooter: Sendable, Hashable, Codable {
    public var recordType: String
    public var linesInFile: Int?
    public var linesInReport: Int?
    public var summaryRecords: Int?
    public var blocksInFile: Int?
    public var blocksInReport: Int?
    /// Line of the footer record.
    public var line: Int

    public init(recordType: String, line: Int) {
        self.recordType = recordType
        self.line = line
    }
}

/// One summary record (SYnn): a sales context that usage records point at.
public struct DSRSummary: Sendable, Hashable, Codable {
    public var id: String
    public var recordType: String
    public var commercialModel: String?
    public var useType: String?
    public var territory: String?
    public var serviceDescription: String?
    /// Usages the summary declares (SY01/02/06 `Usages`, SY04 `UsagesInReportingPeriod`, SY05/09 `TotalUsages`).
    public var usages: Double?
    /// Net revenue the summary declares (SY05: sum of `AllocatedNetRevenue`).
    public var netRevenue: Double?
    public var currency: String?
    public var rightsController: String?
    public var position: SourcePosition

    public init(id: String, recordType: String, position: SourcePosition) {
        self.id = id
        self.recordType = recordType
        self.position = position
    }
}

/// A non-fatal finding about an input file, counted: the first occurrence's position and how many times.
public struct ReportWarning: Sendable, Hashable, Codable, CustomStringConvertible {
    public var message: String
    public var count: Int
    public var position: SourcePosition?

    public init(message: String, count: Int, position: SourcePosition?) {
        self.message = message
        self.count = count
        self.position = position
    }

    public var description: String {
        var s = position.map { "\($0): warning: " } ?? "warning: "
        s += message
        if count > 1 { s += " (\(count) times)" }
        return s
    }
}

/// What reading one input file found.
public struct UsageFileStats: Sendable, Codable {
    /// `dsr`, `tsv` or `csv`.
    public var format: String
    public var path: String
    public var header: DSRHeader?
    public var footer: DSRFooter?
    /// Physical lines read (for DSR: up to and including the footer).
    public var physicalLines = 0
    /// Records read per record type (base name, e.g. `SU02`); DSR only.
    public var records: [String: Int] = [:]
    /// Records of types the reader does not know, per record type as written; counted, not read.
    public var unknownRecords: [String: Int] = [:]
    public var commentLines = 0
    public var blocks = 0
    public var summaries: [DSRSummary] = []
    /// Usage records (SU/SR/RU rows, or data rows of a CSV/TSV) read.
    public var usageRecords = 0
    /// Plays the file's usage records contributed (after release allocation).
    public var plays: Double = 0
    public var netRevenue: Double?
    /// Usage lines first created while reading this file.
    public var lines = 0
    public var warnings: [ReportWarning] = []

    public init(format: String, path: String) {
        self.format = format
        self.path = path
    }
}

/// Options for reading usage reports.
public struct UsageReadOptions: Sendable {
    /// `--map column=field` renames for CSV/TSV usage files.
    public var renames: [String: String]
    /// Treat FOOT/SRFO count mismatches as warnings instead of errors (a missing footer stays an error).
    public var lenientCounts: Bool
    /// Threads for reading a large plain TSV usage file (cut at line ends into parts read at once).
    public var threads: Int

    public init(renames: [String: String] = [:], lenientCounts: Bool = false, threads: Int = 2) {
        self.renames = renames
        self.lenientCounts = lenientCounts
        self.threads = threads
    }
}

/// Collects warnings by kind so that a condition repeated a million times is reported once with a count.
struct WarningCollector {
    private var index: [Int: Int] = [:]
    private(set) var items: [ReportWarning] = []

    /// Adds one occurrence of the warning identified by `key` (callers compose keys from a kind and a detail index).
    mutating func add(_ key: Int, _ message: @autoclosure () -> String, at position: @autoclosure () -> SourcePosition?) {
        if let i = index[key] {
            items[i].count += 1
            return
        }
        index[key] = items.count
        items.append(ReportWarning(message: message(), count: 1, position: position()))
    }

    /// Adds `count` occurrences at once (`position`: the first one's).
    mutating func add(_ key: Int, _ message: @autoclosure () -> String, at position: @autoclosure () -> SourcePosition?, count: Int) {
        guard count > 0 else { return }
        add(key, message(), at: position())
        if let i = index[key] { items[i].count += count - 1 }
    }
}
