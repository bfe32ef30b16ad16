import OeuvreCore

/// One CWR record for test fixtures: a record type plus fields placed at exact 1-based positions
/// (FORMATS.md §2.3), so fixtures never depend on hand-counted spaces. The transaction/record
/// sequence prefix (positions 4–19) is filled in by `CWRFileBuilder`.
public struct CWRRecord: Sendable {
    public var type: String
    /// Fields by 1-based start position.
    public var fields: [Int: String]
    /// Total length to pad to (nil: as long as the last field).
    public var length: Int?

    public init(_ type: String, _ fields: [Int: String] = [:], length: Int? = nil) {
        self.type = type
        self.fields = fields
        self.length = length
    }

    /// The record text with `prefix` (sequence numbers) at 4…19 when given.
    public func render(prefix: String? = nil) -> String {
        var chars = Array(type)
        func put(_ start: Int, _ value: String) {
            let v = Array(value)
            let end = start - 1 + v.count
            if chars.count < end { chars += Array(repeating: " ", count: end - chars.count) }
            for (i, c) in v.enumerated() { chars[start - 1 + i] = c }
        }
        if let prefix { put(4, prefix) }
        for (start, value) in fields.sorted(by: { $0.key < $1.key }) { put(start, value) }
        if let length, chars.count < length { chars += Array(repeating: " ", count: length - chars.count) }
        return String(chars)
    }

    /// Zero-padded number of `width` digits.
    public static func n(_ value: Int, _ width: Int) -> String {
        let s = String(value)
        return String(repeating: "0", count: max(0, width - s.count)) + s
    }

    /// A share in percent as CWR N5 (`50` → `05000`).
    public static func share(_ percent: Double) -> String { n(Int((percent * 100).rounded()), 5) }

    // MARK: - Record helpers (positions from FORMATS.md §2.3)

    public static func work(_ type: String = "NWR", title: String, number: String, iswc: String? = nil, language: String? = nil,
                            duration: String = "000000", versionType: String = "ORI") -> CWRRecord {
        var f: [Int: String] = [20: title, 82: number, 107: "00000000", 127: "POP", 130: duration, 136: "Y", 137: "MTX", 143: versionType]
        if let iswc { f[96] = iswc }
        if let language { f[80] = language }
        return CWRRecord(type, f, length: 260)
    }

    public static func publisher(_ type: String = "SPU", chain: Int = 1, ip: String, name: String, role: String = "E",
                                 ipi: String? = nil, base: String? = nil, pr: Double = 0, mr: Double = 0, sr: Double = 0) -> CWRRecord {
        var f: [Int: String] = [20: n(chain, 2), 22: ip, 31: name, 77: role, 113: "052", 116: share(pr), 121: "044", 124: share(mr),
                                129: "044", 132: share(sr)]
        if let ipi { f[88] = ipi }
        if let base { f[140] = base }
        return CWRRecord(type, f, length: 183)
    }

    public static func writer(_ type: String = "SWR", ip: String, last: String, first: String? = nil, role: String = "CA",
                              ipi: String? = nil, base: String? = nil, pr: Double = 0, mr: Double = 0, sr: Double = 0) -> CWRRecord {
        var f: [Int: String] = [20: ip, 29: last, 105: role, 127: "052", 130: share(pr), 135: "044", 138: share(mr), 143: "044",
                                146: share(sr)]
        if let first { f[74] = first }
        if let ipi { f[116] = ipi }
        if let base { f[155] = base }
        return CWRRecord(type, f, length: 180)
    }

    public static func publisherTerritory(_ type: String = "SPT", ip: String, pr: Double = 0, mr: Double = 0, sr: Double = 0,
                                          tis: String = "2136", sequence: Int = 1) -> CWRRecord {
        CWRRecord(type, [20: ip, 35: share(pr), 40: share(mr), 45: share(sr), 50: "I", 51: tis, 55: "N", 56: n(sequence, 3)], length: 58)
    }

    public static func writerTerritory(_ type: String = "SWT", ip: String, pr: Double = 0, mr: Double = 0, sr: Double = 0,
                                       tis: String = "2136", sequence: Int = 1) -> CWRRecord {
        CWRRecord(type, [20: ip, 29: share(pr), 34: share(mr), 39: share(sr), 44: "I", 45: tis, 49: "N", 50: n(sequence, 3)], length: 52)
    }

    public static func publisherForWriter(publisherIP: String, name: String, writerIP: String, chain: Int? = nil) -> CWRRecord {
        var f: [Int: String] = [20: publisherIP, 29: name, 102: writerIP]
        if let chain { f[111] = n(chain, 2) }
        return CWRRecord("PWR", f, length: chain == nil ? 110 : 112)
    }

    public static func alternateTitle(_ title: String, type: String = "AT", language: String? = nil) -> CWRRecord {
        var f: [Int: String] = [20: title, 80: type]
        if let language { f[82] = language }
        return CWRRecord("ALT", f, length: 83)
    }

    public static func performer(last: String, first: String? = nil, ipi: String? = nil) -> CWRRecord {
        var f: [Int: String] = [20: last]
        if let first { f[65] = first }
        if let ipi { f[95] = ipi }
        return CWRRecord("PER", f, length: 118)
    }

    /// A REC record; `title`, `artist`, `label` are CWR 2.2 fields (length 540 when any is given).
    public static func recording(isrc: String? = nil, album: String? = nil, albumLabel: String? = nil, duration: String = "000000",
                                 title: String? = nil, versionTitle: String? = nil, artist: String? = nil, label: String? = nil) -> CWRRecord {
        var f: [Int: String] = [20: "00000000", 88: duration]
        if let album { f[99] = album }
        if let albumLabel { f[159] = albumLabel }
        if let isrc { f[250] = isrc }
        let v22 = title != nil || artist != nil || label != nil || versionTitle != nil
        if let title { f[267] = title }
        if let versionTitle { f[327] = versionTitle }
        if let artist { f[387] = artist }
        if let label { f[447] = label }
        if v22, isrc != nil { f[507] = "Y" }
        return CWRRecord("REC", f, length: v22 ? 540 : 266)
    }

    public static func origin(purpose: String, productionTitle: String, library: String? = nil) -> CWRRecord {
        var f: [Int: String] = [20: purpose, 23: productionTitle]
        if let library { f[102] = library }
        return CWRRecord("ORN", f, length: 301)
    }

    public static func originalWork(title: String, iswc: String? = nil, writerLast: String? = nil) -> CWRRecord {
        var f: [Int: String] = [20: title]
        if let iswc { f[80] = iswc }
        if let writerLast { f[93] = writerLast }
        return CWRRecord("VER", f, length: 364)
    }

    public static func crossReference(organisation: String, identifier: String, type: String = "W", validity: String = "Y") -> CWRRecord {
        CWRRecord("XRF", [20: organisation, 23: identifier, 37: type, 38: validity], length: 38)
    }

    public static func ack(title: String, submitterNumber: String, recipientNumber: String?, status: String = "AS",
                           originalType: String = "NWR") -> CWRRecord {
        var f: [Int: String] = [20: "20250101", 28: "120000", 34: "00001", 39: "00000000", 47: originalType, 50: title, 110: submitterNumber,
                                150: "20250102", 158: status]
        if let recipientNumber { f[130] = recipientNumber }
        return CWRRecord("ACK", f, length: 159)
    }

    public static func message(_ text: String) -> CWRRecord {
        CWRRecord("MSG", [20: "F", 21: "00000000", 29: "NWR", 32: "F", 33: "001", 36: text], length: 185)
    }
}

/// Builds whole CWR files: HDR, groups with sequence-numbered transactions, GRT and TRL with the
/// right counts. Tests break files by editing `lines()` afterwards.
public struct CWRFileBuilder: Sendable {
    /// `2.1` or `2.2`.
    public var version: String
    public var senderType = "PB"
    public var senderID = "012345678"
    public var senderName = "EXAMPLE MUSIC PUBLISHING"
    /// Groups in order: transaction type and transactions (header record first, then details).
    public var groups: [(type: String, transactions: [[CWRRecord]])] = []

    public init(version: String = "2.1") { self.version = version }

    /// Appends a transaction to the last group of `type` (a new group when the last group has another type).
    public mutating func add(_ type: String, _ records: [CWRRecord]) {
        if let last = groups.last, last.type == type {
            groups[groups.count - 1].transactions.append(records)
        } else {
            groups.append((type, [records]))
        }
    }

    /// The file's records, one string per line, without line terminators.
    public func lines() -> [String] {
        let v22 = version == "2.2"
        var header = CWRRecord("HDR", [4: senderType, 6: senderID, 15: senderName, 60: "01.10", 65: "20250301", 73: "101500", 79: "20250301"],
                               length: v22 ? 167 : 101)
        if v22 {
            header.fields[102] = "2.2"
            header.fields[105] = "002"
            header.fields[108] = "OEUVRE TESTS"
            header.fields[138] = "1.0"
        }
        var out = [header.render()]
        var transactions = 0
        for (g, group) in groups.enumerated() {
            let start = out.count
            out.append(CWRRecord("GRH", [4: group.type, 7: CWRRecord.n(g + 1, 5), 12: v22 ? "02.20" : "02.10", 17: "0000000000"],
                                 length: v22 ? 28 : 26).render())
            for (t, records) in group.transactions.enumerated() {
                for (r, record) in records.enumerated() {
                    out.append(record.render(prefix: CWRRecord.n(t, 8) + CWRRecord.n(r, 8)))
                }
            }
            transactions += group.transactions.count
            let count = out.count - start + 1
            out.append(CWRRecord("GRT", [4: CWRRecord.n(g + 1, 5), 9: CWRRecord.n(group.transactions.count, 8), 17: CWRRecord.n(count, 8)])
                .render())
        }
        out.append(CWRRecord("TRL", [4: CWRRecord.n(groups.count, 5), 9: CWRRecord.n(transactions, 8), 17: CWRRecord.n(out.count + 1, 8)])
            .render())
        return out
    }

    /// The file text with CRLF line ends (as in real files).
    public func text() -> String { lines().joined(separator: "\r\n") + "\r\n" }

    /// A small valid file: one NWR with two writers, a publisher chain, alternate titles, performer,
    /// recordings (2.2: with recording titles) and an origin; valid identifiers throughout.
    public static func sample(version: String = "2.1") -> CWRFileBuilder {
        var b = CWRFileBuilder(version: version)
        let v22 = version == "2.2"
        b.add("NWR", [
            .work(title: "SUMMER RAIN", number: "EMP000123", iswc: "T9876543214", language: "EN", duration: "000330"),
            .publisher(ip: "P001", name: "EXAMPLE MUSIC PUBLISHING", ipi: "01234567846", pr: 50, mr: 100, sr: 100),
            .publisherTerritory(ip: "P001", pr: 50, mr: 100, sr: 100),
            .writer(ip: "W001", last: "DOE", first: "JANE", ipi: "98765432174", base: "I-123123123-2", pr: 25),
            .writerTerritory(ip: "W001", pr: 25),
            .publisherForWriter(publisherIP: "P001", name: "EXAMPLE MUSIC PUBLISHING", writerIP: "W001", chain: v22 ? 1 : nil),
            .writer("OWR", ip: "W002", last: "ROE", first: "RICHARD", ipi: "00014107338", pr: 25),
            .alternateTitle("PLUIE D'ETE", type: "TT", language: "FR"),
            .alternateTitle("SUMMERRAIN", type: "RT"),
            .performer(last: "THE EXAMPLES"),
            v22 ? .recording(isrc: "XXA1B2500001", album: "FIRST ALBUM", albumLabel: "EXAMPLE RECORDS", duration: "000330",
                             title: "SUMMER RAIN (RADIO EDIT)", artist: "THE EXAMPLES", label: "EXAMPLE RECORDS")
                : .recording(isrc: "XXA1B2500001", album: "FIRST ALBUM", albumLabel: "EXAMPLE RECORDS", duration: "000330"),
            .origin(purpose: "FIL", productionTitle: "A SUMMER FILM"),
        ])
        b.add("NWR", [
            .work(title: "WINTER SUN", number: "EMP000124", iswc: "T0345246801", duration: "000245"),
            .writer(ip: "W001", last: "DOE", first: "JANE", ipi: "98765432174", pr: 100),
            .performer(last: "SMITH", first: "ANNA", ipi: "00000000199"),
            .recording(isrc: "XXA1B2500002"),
            .originalWork(title: "WINTER SONG", iswc: "T0000000010", writerLast: "OLDMAN"),
        ])
        return b
    }
}
