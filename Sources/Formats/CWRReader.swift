import OeuvreCore

/// Streams a CISAC CWR 2.1/2.2 file (plain or gzip) transaction by transaction.
///
/// Structure is validated as it is read (FORMATS.md §2.2): HDR first; GRH/GRT pairs with group IDs
/// 1, 2, …; transaction sequence #s 0, 1, … per group; record sequence #s 0, 1, … per transaction
/// (an ACK's embedded NWR/REV/EXC continue its numbering); GRT transaction/record counts; TRL group,
/// transaction and record counts; nothing after TRL. Right-trimmed lines are padded; a record whose
/// non-blank content runs past the record length of its CWR version is an error. Any structural or
/// field error throws an `OeuvreError` naming file, line, column and field.
///
/// ISWC, IPI name and IPI base numbers with wrong check digits (and ISRCs with bad syntax) are not
/// errors: the value is kept, flagged invalid on its record, and listed in the transaction's
/// `identifierIssues`. Record types Oeuvre does not keep are counted in `skippedRecords`; AGR groups
/// are validated and counted in `skippedTransactions`.
///
/// Memory is bounded by one transaction (plus the longest line).
public final class CWRReader {
    public let path: String
    /// Display name used in positions (defaults to `path`).
    public let displayPath: String
    public private(set) var header: CWRHeader
    /// Version of the most recent group (the file's version once a group has been read).
    public private(set) var version: CWRVersion
    public private(set) var groupCount = 0
    public private(set) var transactionCount = 0
    /// Physical records read so far (HDR included; blank lines not counted).
    public private(set) var recordCount = 0
    /// Detail records not kept, by record type (whole file so far).
    public private(set) var skippedRecords: [String: Int] = [:]
    /// Transactions of types Oeuvre does not read (AGR), by type.
    public private(set) var skippedTransactions: [String: Int] = [:]
    /// Whether the TRL record has been read and checked.
    public private(set) var finished = false
    /// Lenient mode: missing records (forward gaps in record sequence #s), a record sequence # repeated, GRT/TRL counts that do
    /// not match and a work registration in a group of another registration type (an NWR in a REV group)
    /// are reported in `structuralWarnings` instead of failing the file. Everything else
    /// (order, transaction sequence, truncation, lengths, field formats) is still an error.
    public let lenient: Bool
    /// Structural problems tolerated in lenient mode.
    public private(set) var structuralWarnings: [(position: SourcePosition, message: String)] = []

    private let lines: LineReader
    private var pending: CWRLine?
    private var state = State.afterHeader
    private var groupType = ""
    private var groupID = 0
    private var groupRecords = 0
    private var groupTransactions = 0
    private var lastRecordLine = 0
    // Transaction being assembled.
    private var current: CWRTransaction?
    private var currentSequence = 0
    private var lastRecordSequence = 0
    private var target = Target.none

    private enum State { case afterHeader, inGroup, afterGroup, afterTrailer }
    /// Where detail records go: the transaction's work or its last EXC conflict.
    private enum Target { case none, work, conflict }

    /// Opens `path` and reads its HDR record.
    public init(path: String, displayPath: String? = nil, lenient: Bool = false) throws(OeuvreError) {
        self.path = path
        self.lenient = lenient
        self.displayPath = displayPath ?? path
        lines = try LineReader(path: path)
        header = CWRHeader(senderType: "", senderID: "", senderName: "")
        version = .v21
        guard let first = try readLine() else {
            throw OeuvreError(.invalidInput, "empty file: a CWR file starts with an HDR record",
                              at: SourcePosition(file: self.displayPath, line: 1))
        }
        guard first.type == "HDR" else {
            throw OeuvreError(.invalidInput, "first record is '\(first.type)', expected HDR (not a CWR file?)",
                              at: first.position(1, "Record Type"))
        }
        try parseHeader(first)
    }

    /// Whether the file is a CWR file: its content starts with an `HDR` record (optional UTF-8 BOM), or its name
    /// has a CWR version extension (`CW060001ABC_XYZ.V21`, `.V22`, also gzip-compressed). A file so named whose
    /// first record is damaged or missing is read as CWR and fails on that record ("first record is 'SWR', expected
    /// HDR"), rather than as a works CSV missing its `work_id` and `title` columns.
    public static func looksLikeCWR(path: String) -> Bool {
        if hasCWRFileName(path) { return true }
        guard let source = try? openByteSource(path: path) else { return false }
        var probe = [UInt8](repeating: 0, count: 6)
        guard let n = try? source.read(into: &probe), n >= 3 else { return false }
        var bytes = Array(probe[0..<n])
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes.removeFirst(3) }
        return bytes.starts(with: Array("HDR".utf8))
    }

    /// A name ending in `.V2` and one more character (CWR 2.x), optionally followed by `.gz`, in any case.
    public static func hasCWRFileName(_ path: String) -> Bool {
        var name = Substring(path.split(separator: "/").last ?? "").uppercased()[...]
        if name.hasSuffix(".GZ") { name = name.dropLast(3) }
        guard let dot = name.lastIndex(of: ".") else { return false }
        let ext = name[name.index(after: dot)...]
        return ext.count == 3 && ext.hasPrefix("V2") && ext.last!.isNumber
    }

    // MARK: - Reading records

    private func readLine() throws(OeuvreError) -> CWRLine? {
        if let p = pending {
            pending = nil
            return p
        }
        while true {
            let name = displayPath
            let decoded: CWRLine?? = try lines.nextLine { bytes -> CWRLine? in
                CWRLine(bytes: bytes, line: lines.lineNumber, path: name)
            }
            guard let line = decoded else { return nil }
            guard let record = line else { continue }  // blank line
            if finished {
                throw OeuvreError(.invalidInput, "record '\(record.type)' after the TRL record", at: record.position(1, "Record Type"))
            }
            recordCount += 1
            groupRecords += 1
            lastRecordLine = record.line
            try checkLength(record)
            return record
        }
    }

    /// A structural problem: an error, or a warning in lenient mode.
    private func violation(_ message: String, at position: SourcePosition) throws(OeuvreError) {
        if lenient {
            structuralWarnings.append((position, message))
        } else {
            throw OeuvreError(.invalidInput, message + " (use --lenient to import it with a warning)", at: position)
        }
    }

    private func checkLength(_ r: CWRLine) throws(OeuvreError) {
        guard let max = CWRLine.maxLength(type: r.type, version: version) else { return }
        if r.trimmedLength > max {
            throw OeuvreError(
                .invalidInput,
                "\(r.type) record has \(r.trimmedLength) characters; a CWR \(version.rawValue) \(r.type) record has \(max)",
                at: r.position(max + 1, "record length"))
        }
    }

    // MARK: - Transactions

    /// The next transaction, or nil after the TRL record has been read and checked.
    public func next() throws(OeuvreError) -> CWRTransaction? {
        while true {
            guard let r = try readLine() else {
                if let t = current {
                    // The transaction is complete; the missing GRT/TRL is reported on the next call.
                    current = nil
                    return t
                }
                return try endOfFile()
            }
            switch r.type {
            case "HDR":
                throw OeuvreError(.invalidInput, "second HDR record (only one is allowed, as the first record)", at: r.position(1, "Record Type"))
            case "GRH":
                try startGroup(r)
            case "GRT":
                if let t = current {
                    current = nil
                    unread(r)
                    return t
                }
                try endGroup(r)
            case "TRL":
                if let t = current {
                    current = nil
                    unread(r)
                    return t
                }
                try trailer(r)
            default:
                guard state == .inGroup else {
                    throw OeuvreError(.invalidInput, "\(r.type) record outside a group (expected GRH\(state == .afterTrailer ? "" : " or TRL"))",
                                      at: r.position(1, "Record Type"))
                }
                let transactionSequence = try r.requiredNumber(4, 8, "Transaction Sequence #")
                let recordSequence = try r.requiredNumber(12, 8, "Record Sequence #")
                if recordSequence == 0 && !(groupType == "ACK" && r.type != "ACK" && current != nil) {
                    if let t = current {
                        current = nil
                        unread(r)
                        return t
                    }
                    try startTransaction(r, sequence: transactionSequence)
                } else {
                    try detail(r, transactionSequence: transactionSequence, recordSequence: recordSequence)
                }
            }
        }
    }

    /// Puts a record back; it was counted when first read and is not counted again.
    private func unread(_ r: CWRLine) {
        pending = r
    }

    private func endOfFile() throws(OeuvreError) -> CWRTransaction? {
        switch state {
        case .afterTrailer:
            return nil
        case .inGroup:
            throw OeuvreError(.invalidInput, "file ends inside group \(groupID) without its GRT and the TRL record (truncated file?)",
                              at: SourcePosition(file: displayPath, line: lastRecordLine + 1))
        case .afterHeader, .afterGroup:
            throw OeuvreError(.invalidInput, "file ends without a TRL record (truncated file?)",
                              at: SourcePosition(file: displayPath, line: lastRecordLine + 1))
        }
    }

    private func parseHeader(_ r: CWRLine) throws(OeuvreError) {
        var h = CWRHeader(senderType: r.raw(4, 2).trimmingASCIIWhitespace(), senderID: r.raw(6, 9).trimmingASCIIWhitespace(),
                          senderName: r.text(15, 45) ?? "")
        if h.senderType.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }) && !h.senderType.isEmpty {
            h.senderID = h.senderType + h.senderID  // 11-digit IPI name # spilling into Sender Type
        }
        h.creationDate = r.date(65)
        h.creationTime = r.text(73, 6)
        h.transmissionDate = r.date(79)
        h.characterSet = r.text(87, 15)
        h.declaredVersion = r.text(102, 3)
        h.softwarePackage = r.text(108, 30)
        h.softwareVersion = r.text(138, 30)
        if let v = h.declaredVersion {
            guard v == "2.2" else {
                if v.hasPrefix("3") {
                    throw OeuvreError(.unsupported, "CWR \(v) is not supported (2.1 and 2.2 are)", at: r.position(102, "Version"))
                }
                throw OeuvreError(.invalidInput, "unknown CWR version '\(v)' in HDR", at: r.position(102, "Version"))
            }
            version = .v22
        }
        if h.senderName.isEmpty && h.senderID.isEmpty {
            throw OeuvreError(.invalidInput, "HDR has neither sender ID nor sender name", at: r.position(6, "Sender ID"))
        }
        header = h
    }

    private func startGroup(_ r: CWRLine) throws(OeuvreError) {
        switch state {
        case .inGroup:
            throw OeuvreError(.invalidInput, "GRH before the GRT closing group \(groupID)", at: r.position(1, "Record Type"))
        case .afterTrailer:
            throw OeuvreError(.invalidInput, "GRH after the TRL record", at: r.position(1, "Record Type"))
        case .afterHeader, .afterGroup:
            break
        }
        let type = r.raw(4, 3).trimmingASCIIWhitespace()
        guard Self.transactionTypes.contains(type) else {
            throw OeuvreError(.invalidInput, "unknown transaction type '\(type)' in GRH (expected one of \(Self.transactionTypes.sorted().joined(separator: ", ")))",
                              at: r.position(4, "Transaction Type"))
        }
        let id = try r.requiredNumber(7, 5, "Group ID")
        guard id == groupCount + 1 else {
            throw OeuvreError(.invalidInput, "\(id) is out of sequence (expected \(groupCount + 1))", at: r.position(7, "Group ID"))
        }
        let v = r.raw(12, 5)
        switch v {
        case "02.10": version = .v21
        case "02.20": version = .v22
        case "02.00": version = .v20
        default:
            if v.hasPrefix("03") {
                throw OeuvreError(.unsupported, "CWR version \(v) is not supported (2.1 and 2.2 are)", at: r.position(12, "Version Number"))
            }
            throw OeuvreError(.invalidInput, "unknown CWR version number '\(v.trimmingASCIIWhitespace())' (expected 02.10 or 02.20)",
                              at: r.position(12, "Version Number"))
        }
        if header.declaredVersion == "2.2" && version != .v22 {
            throw OeuvreError(.invalidInput, "GRH version \(v) disagrees with the HDR (CWR 2.2)", at: r.position(12, "Version Number"))
        }
        groupType = type
        groupID = id
        groupCount += 1
        groupRecords = 1
        groupTransactions = 0
        state = .inGroup
    }

    private func endGroup(_ r: CWRLine) throws(OeuvreError) {
        guard state == .inGroup else {
            throw OeuvreError(.invalidInput, "GRT without a GRH", at: r.position(1, "Record Type"))
        }
        let id = try r.requiredNumber(4, 5, "Group ID")
        guard id == groupID else {
            throw OeuvreError(.invalidInput, "\(id) does not match the GRH's group ID \(groupID)", at: r.position(4, "Group ID"))
        }
        let transactions = try r.requiredNumber(9, 8, "Transaction Count")
        if transactions != groupTransactions {
            try violation("says \(transactions) but group \(groupID) has \(groupTransactions) transactions",
                          at: r.position(9, "Transaction Count"))
        }
        let records = try r.requiredNumber(17, 8, "Record Count")
        if records != groupRecords {
            try violation("says \(records) but group \(groupID) has \(groupRecords) records (GRH to GRT inclusive)",
                          at: r.position(17, "Record Count"))
        }
        state = .afterGroup
    }

    private func trailer(_ r: CWRLine) throws(OeuvreError) {
        switch state {
        case .inGroup:
            throw OeuvreError(.invalidInput, "TRL before the GRT closing group \(groupID)", at: r.position(1, "Record Type"))
        case .afterHeader:
            throw OeuvreError(.invalidInput, "TRL without any group (a CWR file has at least one GRH…GRT group)", at: r.position(1, "Record Type"))
        case .afterTrailer:
            throw OeuvreError(.invalidInput, "second TRL record", at: r.position(1, "Record Type"))
        case .afterGroup:
            break
        }
        let groups = try r.requiredNumber(4, 5, "Group Count")
        if groups != groupCount {
            try violation("says \(groups) but the file has \(groupCount) groups", at: r.position(4, "Group Count"))
        }
        let transactions = try r.requiredNumber(9, 8, "Transaction Count")
        if transactions != transactionCount {
            try violation("says \(transactions) but the file has \(transactionCount) transactions",
                          at: r.position(9, "Transaction Count"))
        }
        let records = try r.requiredNumber(17, 8, "Record Count")
        if records != recordCount {
            try violation("says \(records) but the file has \(recordCount) records (HDR to TRL inclusive)",
                          at: r.position(17, "Record Count"))
        }
        state = .afterTrailer
        finished = true
    }

    private func startTransaction(_ r: CWRLine, sequence: Int) throws(OeuvreError) {
        // A work registration of another kind than its group's (an NWR in a REV group, as some senders'
        // files have): every field of it is read the same way, so lenient mode reads it as what it says it
        // is, with a warning; strict mode stops at it, naming the option.
        let mismatchedRegistration = r.type != groupType && Self.workRegistrationTypes.contains(r.type)
            && Self.workRegistrationTypes.contains(groupType)
        if mismatchedRegistration {
            try violation("\(r.type) transaction in a group of type \(groupType)", at: r.position(1, "Record Type"))
        }
        let isHeader = r.type == groupType || mismatchedRegistration
        guard isHeader else {
            if Self.transactionTypes.contains(r.type) {
                throw OeuvreError(.invalidInput, "\(r.type) transaction in a group of type \(groupType)", at: r.position(1, "Record Type"))
            }
            if Self.detailTypes.contains(r.type) {
                throw OeuvreError(.invalidInput, "\(r.type) detail record has record sequence # 0 (expected a \(groupType) transaction header)",
                                  at: r.position(12, "Record Sequence #"))
            }
            throw OeuvreError(.invalidInput, "unknown transaction type '\(r.type)' (group type is \(groupType))", at: r.position(1, "Record Type"))
        }
        guard sequence == groupTransactions else {
            throw OeuvreError(.invalidInput, "\(sequence) is out of order (expected \(groupTransactions))",
                              at: r.position(4, "Transaction Sequence #"))
        }
        groupTransactions += 1
        transactionCount += 1
        currentSequence = sequence
        lastRecordSequence = 0
        if r.type == "AGR" {
            skippedTransactions["AGR", default: 0] += 1
            // Consume the agreement's detail records (validated for sequence only).
            current = nil
            target = .none
            skipping = true
            return
        }
        skipping = false
        guard let kind = CWRTransactionKind(rawValue: r.type) else {
            throw OeuvreError(.internalError, "unhandled transaction type \(r.type)", at: r.position(1, "Record Type"))
        }
        var t = CWRTransaction(kind: kind, version: version, groupID: groupID, sequence: sequence, position: r.position(1, nil),
                               recordCount: 1)
        if kind == .ack {
            t.acknowledgement = try parseAck(r)
            target = .none
        } else {
            t.work = try parseWork(r, kind: kind, issues: &t.identifierIssues)
            target = .work
        }
        current = t
    }

    private var skipping = false

    private func detail(_ r: CWRLine, transactionSequence: Int, recordSequence: Int) throws(OeuvreError) {
        guard current != nil || skipping else {
            throw OeuvreError(.invalidInput, "\(r.type) record before any transaction header in group \(groupID)", at: r.position(1, "Record Type"))
        }
        guard transactionSequence == currentSequence else {
            throw OeuvreError(.invalidInput,
                              "\(transactionSequence) does not match the transaction header's \(currentSequence)",
                              at: r.position(4, "Transaction Sequence #"))
        }
        if recordSequence != lastRecordSequence + 1 {
            let message = "\(recordSequence) is out of order (expected \(lastRecordSequence + 1))"
            if recordSequence > lastRecordSequence + 1 {
                try violation(message + ": record(s) missing", at: r.position(12, "Record Sequence #"))
            } else if recordSequence == lastRecordSequence && recordSequence > 0 {
                // The previous record's number again (a sender's numbering slip): the record is read where it
                // stands, as CWR ties detail records to the records before them by order, not by number.
                try violation(message + ": the previous record's number repeated", at: r.position(12, "Record Sequence #"))
            } else {
                throw OeuvreError(.invalidInput, message, at: r.position(12, "Record Sequence #"))
            }
        }
        lastRecordSequence = recordSequence
        if skipping {
            skippedRecords[r.type, default: 0] += 1
            return
        }
        guard var t = current else { return }
        current = nil
        defer { current = t }
        t.recordCount += 1
        try apply(r, to: &t)
    }

    private func apply(_ r: CWRLine, to t: inout CWRTransaction) throws(OeuvreError) {
        switch r.type {
        case "MSG" where t.kind == .ack:
            t.acknowledgement?.messages.append(try parseMessage(r))
            return
        case "NWR", "REV", "ISW", "EXC":
            guard t.kind == .ack, let kind = CWRTransactionKind(rawValue: r.type) else {
                throw OeuvreError(.invalidInput, "\(r.type) record inside a \(t.kind.rawValue) transaction (record sequence # must be 0 for a new transaction)",
                                  at: r.position(12, "Record Sequence #"))
            }
            let work = try parseWork(r, kind: kind, issues: &t.identifierIssues)
            if kind == .exc {
                t.conflicts.append(work)
                target = .conflict
            } else {
                guard t.work == nil else {
                    throw OeuvreError(.invalidInput, "second \(r.type) work record in one ACK transaction", at: r.position(1, "Record Type"))
                }
                t.work = work
                target = .work
            }
            return
        default:
            break
        }
        guard Self.keptDetailTypes.contains(r.type) else {
            t.skippedRecords[r.type, default: 0] += 1
            skippedRecords[r.type, default: 0] += 1
            return
        }
        var work: CWRWork
        switch target {
        case .work:
            guard let w = t.work else { return }
            work = w
        case .conflict:
            guard let w = t.conflicts.last else { return }
            work = w
        case .none:
            throw OeuvreError(.invalidInput, "\(r.type) record before the work record of the ACK transaction", at: r.position(1, "Record Type"))
        }
        try applyDetail(r, to: &work, issues: &t.identifierIssues)
        switch target {
        case .work: t.work = work
        case .conflict: t.conflicts[t.conflicts.count - 1] = work
        case .none: break
        }
    }

    private func applyDetail(_ r: CWRLine, to w: inout CWRWork, issues: inout [CWRIdentifierIssue]) throws(OeuvreError) {
        switch r.type {
        case "SPU", "OPU":
            w.publishers.append(try parsePublisher(r, issues: &issues))
        case "SWR", "OWR":
            w.writers.append(try parseWriter(r, issues: &issues))
        case "SPT", "OPT":
            let territory = try parseTerritory(r, sharesAt: 35)
            let ip = r.text(20, 9)
            if let i = w.publishers.lastIndex(where: { ip == nil || $0.interestedParty == ip }) ?? w.publishers.indices.last {
                w.publishers[i].territories.append(territory)
            } else {
                throw OeuvreError(.invalidInput, "\(r.type) record without a preceding publisher record", at: r.position(1, "Record Type"))
            }
        case "SWT", "OWT":
            let territory = try parseTerritory(r, sharesAt: 29)
            let ip = r.text(20, 9)
            if let i = w.writers.lastIndex(where: { ip == nil || $0.interestedParty == ip }) ?? w.writers.indices.last {
                w.writers[i].territories.append(territory)
            } else {
                throw OeuvreError(.invalidInput, "\(r.type) record without a preceding writer record", at: r.position(1, "Record Type"))
            }
        case "PWR":
            let publisher = r.text(20, 9)
            let writer = r.text(102, 9)
            let index = writer.flatMap { ip in w.writers.lastIndex(where: { $0.interestedParty == ip }) } ?? w.writers.indices.last
            guard let i = index else {
                throw OeuvreError(.invalidInput, "PWR record without a preceding writer record", at: r.position(1, "Record Type"))
            }
            if let publisher, !w.writers[i].publishers.contains(publisher) { w.writers[i].publishers.append(publisher) }
        case "ALT":
            guard let text = r.text(20, 60) else {
                throw OeuvreError(.invalidInput, "empty alternate title", at: r.position(20, "Alternate Title"))
            }
            w.alternateTitles.append(CWRTitle(text: text, type: r.text(80, 2) ?? "AT", language: r.text(82, 2), record: "ALT"))
        case "NAT":
            guard let text = r.text(20, 640) else {
                throw OeuvreError(.invalidInput, "empty title", at: r.position(20, "Title"))
            }
            w.alternateTitles.append(CWRTitle(text: text, type: r.text(660, 2) ?? "OL", language: r.text(662, 2), record: "NAT"))
        case "PER":
            guard let last = r.text(20, 45) else {
                throw OeuvreError(.invalidInput, "empty performing artist name", at: r.position(20, "Performing Artist Last Name"))
            }
            let name = ipiName(r, 95, issues: &issues)
            let base = ipiBase(r, 106, issues: &issues)
            w.performers.append(CWRPerformer(lastName: last, firstName: r.text(65, 30), ipiName: name.value, ipiNameValid: name.valid,
                                             ipiBase: base.value, ipiBaseValid: base.valid))
        case "REC":
            w.recordings.append(try parseRecording(r, issues: &issues))
        case "ORN":
            w.origins.append(CWROrigin(
                purpose: r.text(20, 3), productionTitle: r.text(23, 60), cdIdentifier: r.text(83, 15), cutNumber: r.nonZero(98, 4),
                library: r.text(102, 60), productionNumber: r.text(188, 12), episodeTitle: r.text(200, 60), episodeNumber: r.text(260, 20),
                year: r.nonZero(280, 4), avSociety: r.text(284, 3), avNumber: r.text(287, 15), vIsan: r.text(302, 26), eidr: r.text(328, 21)))
        case "VER":
            guard let title = r.text(20, 60) else {
                throw OeuvreError(.invalidInput, "empty original work title", at: r.position(20, "Original Work Title"))
            }
            let iswc = iswcField(r, 80, issues: &issues)
            var writers: [CWROriginalWork.Writer] = []
            for (lastAt, firstAt, nameAt, baseAt) in [(93, 138, 228, 239), (252, 297, 327, 338)] {
                guard let last = r.text(lastAt, 45) else { continue }
                let n = ipiName(r, nameAt, issues: &issues)
                let b = ipiBase(r, baseAt, issues: &issues)
                writers.append(.init(lastName: last, firstName: r.text(firstAt, 30), ipiName: n.value, ipiNameValid: n.valid,
                                     ipiBase: b.value, ipiBaseValid: b.valid))
            }
            w.originalWorks.append(CWROriginalWork(title: title, iswc: iswc.value, iswcValid: iswc.valid, language: r.text(91, 2),
                                                   writers: writers, source: r.text(168, 60), submitterWorkNumber: r.text(351, 14)))
        case "XRF":
            guard let org = r.text(20, 3), let id = r.text(23, 14) else {
                throw OeuvreError(.invalidInput, "XRF record without organisation code or identifier", at: r.position(20, "Organisation Code"))
            }
            w.crossReferences.append(CWRCrossReference(organisation: org, identifier: id, type: r.text(37, 1) ?? "W", validity: r.text(38, 1)))
        default:
            break
        }
    }

    // MARK: - Record parsers

    private func parseWork(_ r: CWRLine, kind: CWRTransactionKind, issues: inout [CWRIdentifierIssue]) throws(OeuvreError) -> CWRWork {
        guard let title = r.text(20, 60) else {
            throw OeuvreError(.invalidInput, "empty work title", at: r.position(20, "Work Title"))
        }
        guard let number = r.text(82, 14) else {
            throw OeuvreError(.invalidInput, "empty submitter work #", at: r.position(82, "Submitter Work #"))
        }
        let iswc = iswcField(r, 96, issues: &issues)
        return CWRWork(
            kind: kind, title: title, language: r.text(80, 2), submitterWorkNumber: number, iswc: iswc.value, iswcValid: iswc.valid,
            copyrightDate: r.date(107), distributionCategory: r.text(127, 3), duration: try r.duration(130, "Duration"),
            recorded: r.text(136, 1), textMusicRelationship: r.text(137, 3), compositeType: r.text(140, 3), versionType: r.text(143, 3),
            excerptType: r.text(146, 3), musicArrangement: r.text(149, 3), lyricAdaptation: r.text(152, 3), workType: r.text(195, 2),
            opusNumber: r.text(210, 25), catalogueNumber: r.text(235, 25), position: r.position(1, nil))
    }

    private func parseAck(_ r: CWRLine) throws(OeuvreError) -> CWRAcknowledgement {
        guard let status = r.text(158, 2) else {
            throw OeuvreError(.invalidInput, "empty transaction status", at: r.position(158, "Transaction Status"))
        }
        return CWRAcknowledgement(
            originalGroupID: try r.number(34, 5, "Original Group ID"),
            originalTransactionSequence: try r.number(39, 8, "Original Transaction Sequence #"),
            originalTransactionType: r.text(47, 3), creationTitle: r.text(50, 60), submitterCreationNumber: r.text(110, 20),
            recipientCreationNumber: r.text(130, 20), processingDate: r.date(150), status: status)
    }

    private func parseMessage(_ r: CWRLine) throws(OeuvreError) -> CWRMessage {
        CWRMessage(type: r.text(20, 1), originalRecordSequence: try r.number(21, 8, "Original Record Sequence #"), recordType: r.text(29, 3),
                   level: r.text(32, 1), validationNumber: r.text(33, 3), text: r.text(36, 150) ?? "")
    }

    private func parsePublisher(_ r: CWRLine, issues: inout [CWRIdentifierIssue]) throws(OeuvreError) -> CWRParty {
        let controlled = r.type == "SPU"
        let name = r.text(31, 45)
        let unknown = r.text(76, 1) == "Y"
        if controlled && name == nil {
            throw OeuvreError(.invalidInput, "empty publisher name", at: r.position(31, "Publisher Name"))
        }
        let ipi = ipiName(r, 88, issues: &issues)
        let base = ipiBase(r, 140, issues: &issues)
        return CWRParty(
            role: .publisher, record: r.type, interestedParty: r.text(22, 9), lastName: name ?? "", firstName: nil,
            designation: r.text(77, 2), ipiName: ipi.value, ipiNameValid: ipi.valid, ipiBase: base.value, ipiBaseValid: base.valid,
            controlled: controlled, unknown: unknown || name == nil, prSociety: r.nonZero(113, 3), mrSociety: r.nonZero(121, 3),
            srSociety: r.nonZero(129, 3), prShare: try r.share(116, "PR Ownership Share"), mrShare: try r.share(124, "MR Ownership Share"),
            srShare: try r.share(132, "SR Ownership Share"), chain: try r.number(20, 2, "Publisher Sequence #"), publishers: [],
            territories: [], position: r.position(1, nil))
    }

    private func parseWriter(_ r: CWRLine, issues: inout [CWRIdentifierIssue]) throws(OeuvreError) -> CWRParty {
        let controlled = r.type == "SWR"
        let last = r.text(29, 45)
        let unknown = r.text(104, 1) == "Y"
        if controlled && last == nil {
            throw OeuvreError(.invalidInput, "empty writer last name", at: r.position(29, "Writer Last Name"))
        }
        let ipi = ipiName(r, 116, issues: &issues)
        let base = ipiBase(r, 155, issues: &issues)
        return CWRParty(
            role: .writer, record: r.type, interestedParty: r.text(20, 9), lastName: last ?? "", firstName: r.text(74, 30),
            designation: r.text(105, 2), ipiName: ipi.value, ipiNameValid: ipi.valid, ipiBase: base.value, ipiBaseValid: base.valid,
            controlled: controlled, unknown: unknown || last == nil, prSociety: r.nonZero(127, 3), mrSociety: r.nonZero(135, 3),
            srSociety: r.nonZero(143, 3), prShare: try r.share(130, "PR Ownership Share"), mrShare: try r.share(138, "MR Ownership Share"),
            srShare: try r.share(146, "SR Ownership Share"), chain: nil, publishers: [], territories: [], position: r.position(1, nil))
    }

    private func parseTerritory(_ r: CWRLine, sharesAt s: Int) throws(OeuvreError) -> CWRTerritory {
        let inclusionAt = s + 15
        guard let inclusion = r.text(inclusionAt, 1), inclusion == "I" || inclusion == "E" else {
            throw OeuvreError(.invalidInput, "inclusion/exclusion indicator must be I or E, found '\(r.raw(inclusionAt, 1))'",
                              at: r.position(inclusionAt, "Inclusion/Exclusion Indicator"))
        }
        guard let tis = r.text(inclusionAt + 1, 4) else {
            throw OeuvreError(.invalidInput, "empty TIS territory code", at: r.position(inclusionAt + 1, "TIS Numeric Code"))
        }
        return CWRTerritory(inclusion: inclusion, tis: tis, prCollection: try r.share(s, "PR Collection Share"),
                            mrCollection: try r.share(s + 5, "MR Collection Share"), srCollection: try r.share(s + 10, "SR Collection Share"))
    }

    private func parseRecording(_ r: CWRLine, issues: inout [CWRIdentifierIssue]) throws(OeuvreError) -> CWRRecording {
        var isrc = r.text(250, 12)
        var valid = true
        if let raw = isrc {
            do {
                isrc = try ISRC(raw).value
            } catch {
                valid = false
                issues.append(CWRIdentifierIssue(position: r.position(250, "ISRC"), kind: "ISRC", value: raw, problem: error.problem.description))
            }
        }
        return CWRRecording(
            releaseDate: r.date(20), releaseDuration: try r.duration(88, "Release Duration"), albumTitle: r.text(99, 60),
            albumLabel: r.text(159, 60), catalogNumber: r.text(219, 18), ean: r.nonZero(237, 13), isrc: isrc, isrcValid: valid,
            recordingFormat: r.text(262, 1), recordingTechnique: r.text(263, 1), mediaType: r.text(264, 3),
            recordingTitle: r.text(267, 60), versionTitle: r.text(327, 60), displayArtist: r.text(387, 60), recordLabel: r.text(447, 60),
            isrcValidity: r.text(507, 20), submitterRecordingID: r.text(527, 14))
    }

    // MARK: - Identifiers (kept when invalid)

    private func iswcField(_ r: CWRLine, _ at: Int, issues: inout [CWRIdentifierIssue]) -> (value: String?, valid: Bool) {
        guard let raw = r.text(at, 11) else { return (nil, true) }
        do {
            return (try ISWC(raw).value, true)
        } catch {
            issues.append(CWRIdentifierIssue(position: r.position(at, "ISWC"), kind: "ISWC", value: raw, problem: error.problem.description))
            return (raw, false)
        }
    }

    private func ipiName(_ r: CWRLine, _ at: Int, issues: inout [CWRIdentifierIssue]) -> (value: String?, valid: Bool) {
        guard let raw = r.text(at, 11), raw.utf8.contains(where: { $0 != 48 }) else { return (nil, true) }
        do {
            return (try IPINameNumber(raw).value, true)
        } catch {
            issues.append(CWRIdentifierIssue(position: r.position(at, "IPI Name #"), kind: "IPI name number", value: raw,
                                             problem: error.problem.description))
            return (raw, false)
        }
    }

    private func ipiBase(_ r: CWRLine, _ at: Int, issues: inout [CWRIdentifierIssue]) -> (value: String?, valid: Bool) {
        guard let raw = r.text(at, 13) else { return (nil, true) }
        do {
            return (try IPIBaseNumber(raw).value, true)
        } catch {
            issues.append(CWRIdentifierIssue(position: r.position(at, "IPI Base #"), kind: "IPI base number", value: raw,
                                             problem: error.problem.description))
            return (raw, false)
        }
    }

    // MARK: - Record types

    /// GRH transaction types of CWR 2.x.
    static let transactionTypes: Set<String> = ["NWR", "REV", "ISW", "EXC", "ACK", "AGR"]
    /// Transactions that register a work (read alike; `startTransaction` tolerates one in a group of another such type).
    static let workRegistrationTypes: Set<String> = ["NWR", "REV", "ISW", "EXC"]
    /// Detail records whose content Oeuvre keeps.
    static let keptDetailTypes: Set<String> = [
        "SPU", "OPU", "SPT", "OPT", "SWR", "OWR", "SWT", "OWT", "PWR", "ALT", "NAT", "PER", "REC", "ORN", "VER", "XRF",
    ]
    /// All CWR 2.x detail record types (kept or not).
    static let detailTypes: Set<String> = keptDetailTypes.union([
        "MSG", "NPN", "NWN", "EWT", "NET", "NOW", "NVT", "NPR", "INS", "IND", "COM", "NCT", "ARI", "TER", "IPA", "NPA",
    ])
}

/// One physical CWR record: its characters padded on demand, with its line number. Positions count characters
/// (Unicode scalars), even in UTF-8 NAT/OL titles: an ASCII line (almost every CWR line) keeps its bytes, one per
/// character, and fields are cut from them without decoding; any other line keeps its scalars.
struct CWRLine {
    /// The line's bytes when it is ASCII; empty otherwise.
    private let ascii: [UInt8]
    /// The line's Unicode scalars when it is not ASCII (UTF-8, else ISO-8859-1); empty otherwise.
    private let scalars: [Unicode.Scalar]
    private let isASCII: Bool
    let line: Int
    let path: String
    let type: String
    /// Length without trailing spaces.
    let trimmedLength: Int

    /// Decodes a line; nil for a blank line (or a lone end-of-file marker, 0x1A).
    init?(bytes: UnsafeRawBufferPointer, line: Int, path: String) {
        var n = bytes.count
        while n > 0 && (bytes[n - 1] == 0x20 || bytes[n - 1] == 0x1A || bytes[n - 1] == 0x0D) { n -= 1 }
        var start = 0
        if line == 1 && n >= 3 && bytes[0] == 0xEF && bytes[1] == 0xBB && bytes[2] == 0xBF { start = 3 }
        guard n > start else { return nil }
        let body = UnsafeRawBufferPointer(rebasing: bytes[start..<n])
        self.line = line
        self.path = path
        if body.allSatisfy({ $0 < 0x80 }) {
            ascii = Array(body)
            scalars = []
            isASCII = true
            trimmedLength = ascii.count
            type = String(decoding: ascii.prefix(3), as: UTF8.self)
            return
        }
        var decoded: [Unicode.Scalar] = []
        decoded.reserveCapacity(body.count)
        if let s = String(validating: body.bindMemory(to: UInt8.self), as: UTF8.self) {
            decoded.append(contentsOf: s.unicodeScalars)
        } else {
            for b in body { decoded.append(Unicode.Scalar(b)) }  // ISO-8859-1
        }
        ascii = []
        scalars = decoded
        isASCII = false
        trimmedLength = decoded.count
        type = String(String.UnicodeScalarView(decoded.prefix(3)))
    }

    /// Maximum record length per type and version (FORMATS.md §2.3); nil = not checked.
    static func maxLength(type: String, version: CWRVersion) -> Int? {
        let v22 = version == .v22
        switch type {
        case "HDR": return 167  // 101 in 2.1, but a 2.1 HDR may carry blank 2.2 fields; content past 101 is checked as 2.2.
        case "GRH": return 28
        case "GRT": return 37
        case "TRL": return 24
        case "NWR", "REV", "ISW", "EXC": return 260
        case "ACK": return 159
        case "MSG": return 185
        case "SPU", "OPU": return 183
        case "SPT", "OPT": return 58
        case "SWR", "OWR": return 180
        case "SWT", "OWT": return 52
        case "PWR": return v22 ? 112 : 110
        case "ALT": return 83
        case "NAT": return 663
        case "PER": return 118
        case "REC": return v22 ? 540 : 266
        case "ORN": return v22 ? 348 : 301
        case "VER", "EWT": return 364
        case "XRF": return 38
        default: return nil
        }
    }

    func position(_ column: Int, _ field: String?) -> SourcePosition {
        SourcePosition(file: path, line: line, column: column, field: field.map { "\(type) \($0)" })
    }

    /// Whether character `i` (0-based) is a space.
    @inline(__always) private func isSpace(_ i: Int) -> Bool { isASCII ? ascii[i] == 0x20 : scalars[i] == " " }

    /// Characters `a ..< b` (0-based, within the line) as a string.
    @inline(__always) private func string(_ a: Int, _ b: Int) -> String {
        isASCII ? ascii.withUnsafeBufferPointer { String(decoding: UnsafeBufferPointer(rebasing: $0[a..<b]), as: UTF8.self) }
            : String(String.UnicodeScalarView(scalars[a..<b]))
    }

    /// The field's characters without surrounding spaces (0-based `a ..< b`); nil when blank or past the end.
    @inline(__always) private func trimmed(_ start: Int, _ length: Int) -> (a: Int, b: Int)? {
        let lo = start - 1
        guard lo < trimmedLength else { return nil }
        var a = lo
        var b = min(trimmedLength, lo + length)
        while a < b && isSpace(a) { a += 1 }
        while b > a && isSpace(b - 1) { b -= 1 }
        return a < b ? (a, b) : nil
    }

    /// Characters `start ..< start+length` (1-based), padded with spaces past the end of the line.
    func raw(_ start: Int, _ length: Int) -> String {
        let lo = start - 1, hi = lo + length
        let end = min(max(lo, trimmedLength), hi)
        var s = lo < end ? string(lo, end) : ""
        if end < hi { s += String(repeating: " ", count: hi - end) }
        return s
    }

    /// The field right-trimmed (and left-trimmed), nil when blank.
    func text(_ start: Int, _ length: Int) -> String? {
        guard let (a, b) = trimmed(start, length) else { return nil }
        return string(a, b)
    }

    /// A field that is blank when all zeros (codes, EANs, cut numbers).
    func nonZero(_ start: Int, _ length: Int) -> String? {
        guard let t = text(start, length), t.unicodeScalars.contains(where: { $0 != "0" }) else { return nil }
        return t
    }

    /// A `YYYYMMDD` date; nil when blank or zeros.
    func date(_ start: Int) -> String? { nonZero(start, 8) }

    /// A numeric field; nil when blank; an error when it holds anything but digits (spaces around are tolerated).
    func number(_ start: Int, _ length: Int, _ field: String) throws(OeuvreError) -> Int? {
        if isASCII {
            // Digits read in place (no string); a longer field than an Int holds takes the general path below.
            guard let (a, b) = trimmed(start, length) else { return nil }
            if b - a <= 18 {
                var v = 0
                for i in a..<b {
                    let d = ascii[i] &- 48
                    guard d <= 9 else { throw OeuvreError(.invalidInput, "'\(raw(start, length))' is not a number", at: position(start, field)) }
                    v = v * 10 + Int(d)
                }
                return v
            }
        }
        guard let t = text(start, length) else { return nil }
        guard t.unicodeScalars.allSatisfy({ $0.value >= 48 && $0.value <= 57 }), let v = Int(t) else {
            throw OeuvreError(.invalidInput, "'\(raw(start, length))' is not a number", at: position(start, field))
        }
        return v
    }

    func requiredNumber(_ start: Int, _ length: Int, _ field: String) throws(OeuvreError) -> Int {
        guard let v = try number(start, length, field) else {
            throw OeuvreError(.invalidInput, "missing \(field)", at: position(start, field))
        }
        return v
    }

    /// An N5 share with two implied decimals, in percent (`05000` → 50.0).
    func share(_ start: Int, _ field: String) throws(OeuvreError) -> Double? {
        guard let v = try number(start, 5, field) else { return nil }
        return Double(v) / 100
    }

    /// An `HHMMSS` duration in seconds; nil when blank or zero.
    func duration(_ start: Int, _ field: String) throws(OeuvreError) -> Int? {
        guard let t = text(start, 6) else { return nil }
        do {
            return try DurationParser.seconds(raw(start, 6), cwr: true)
        } catch {
            throw OeuvreError(.invalidInput, "'\(t)' is not an HHMMSS duration", at: position(start, field))
        }
    }
}
