import Foundation
import OeuvreCore

// CISAC CWR 2.2 writer: fixed-width records at the positions of FORMATS.md §2.3 (1-based, inclusive),
// sequencing and GRT/TRL counts of §2.2. One file = HDR, one group per transaction type, TRL.
//
// Text goes through `CWRText`: CWR is upper-case ASCII (CIS character sets) except the non-Roman
// records (NAT), whose title is UTF-8 (HDR character set `UTF-8`). The spec sizes fields in
// "characters": a NAT title is padded to 640 Unicode scalars, so positions after it count
// characters, not bytes (as the project's CWR reader slices; cdacos/allegro counts bytes instead).

/// Converts text to what CWR fields may hold.
public enum CWRText {
    /// Upper-case ASCII in the CIS "Titles" (`names == false`) or "Names" character set: Latin
    /// diacritics are removed (`é` → `E`, `ß` → `SS`), typographic quotes and dashes become ASCII,
    /// other characters outside the set are dropped, runs of spaces collapse.
    public static func cis(_ text: String, names: Bool = false) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count)
        let allowed = names ? nameSet : titleSet
        func push(_ b: UInt8) {
            var c = b < 32 ? 32 : b
            if c >= 97 && c <= 122 { c -= 32 }
            if c == 32 {
                if out.isEmpty || out.last == 32 { return }
                out.append(32)
                return
            }
            if allowed[Int(c)] { out.append(c) }
        }
        if text.utf8.allSatisfy({ $0 < 128 }) {
            for b in text.utf8 { push(b) }
        } else {
            for scalar in text.decomposedStringWithCanonicalMapping.unicodeScalars {
                let v = scalar.value
                if v < 128 { push(UInt8(v)); continue }
                if (0x300...0x36F).contains(v) { continue }  // combining marks
                if let r = latinSpecials[v] { for b in r.utf8 { push(b) }; continue }
                if scalar.properties.isWhitespace { push(32) }
            }
        }
        while out.last == 32 { out.removeLast() }
        return String(decoding: out, as: UTF8.self)
    }

    /// True when `text` is already representable unchanged in a CWR title field.
    public static func isCIS(_ text: String) -> Bool {
        text.utf8.allSatisfy { $0 < 128 && titleSet[Int($0)] && !($0 >= 97 && $0 <= 122) }
    }

    private static let latinSpecials: [UInt32: String] = [
        0xDF: "SS", 0xC6: "AE", 0xE6: "AE", 0x152: "OE", 0x153: "OE", 0xD8: "O", 0xF8: "O", 0x141: "L", 0x142: "L",
        0x110: "D", 0x111: "D", 0xD0: "D", 0xF0: "D", 0xDE: "TH", 0xFE: "TH", 0x131: "I", 0x14A: "N", 0x14B: "N",
        0x2018: "'", 0x2019: "'", 0x201A: "'", 0x201B: "'", 0x2032: "'", 0x201C: "\"", 0x201D: "\"", 0x201E: "\"",
        0xAB: "\"", 0xBB: "\"", 0x2010: "-", 0x2011: "-", 0x2012: "-", 0x2013: "-", 0x2014: "-", 0x2015: "-",
        0x2026: "...", 0xA0: " ", 0x00A3: "", 0x20AC: "",
    ]

    /// CIS titles: `! " # $ % & ' ( ) * + , - . / 0-9 : ; < = > ? @ A-Z [ \ ] ^ _ ` { } ~` and space.
    static let titleSet: [Bool] = {
        var s = [Bool](repeating: false, count: 128)
        for b in Array(" !\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`{}~".utf8) { s[Int(b)] = true }
        return s
    }()
    /// CIS names: `! # $ % & ' ( ) + - . / 0-9 ? @ A-Z `` ` and space.
    static let nameSet: [Bool] = {
        var s = [Bool](repeating: false, count: 128)
        for b in Array(" !#$%&'()+-./0123456789?@ABCDEFGHIJKLMNOPQRSTUVWXYZ`".utf8) { s[Int(b)] = true }
        return s
    }()
}

/// One fixed-width record being built: `length` bytes of spaces, fields placed at 1-based positions.
public struct CWRFixedRecord: Sendable {
    /// The record with every field but a UTF-8 one (`utf8(_:_:_:)`) in place, one byte per position.
    public private(set) var bytes: [UInt8]
    private var wide: (start: Int, length: Int, text: [Unicode.Scalar])?

    /// The record as written: `bytes`, with the UTF-8 field spliced in.
    public var encoded: [UInt8] {
        guard let w = wide else { return bytes }
        var out = Array(bytes[0..<(w.start - 1)])
        var text = String.UnicodeScalarView()
        text.append(contentsOf: w.text)
        out.append(contentsOf: String(text).utf8)
        out.append(contentsOf: [UInt8](repeating: 32, count: w.length - w.text.count))
        out.append(contentsOf: bytes[(w.start - 1 + w.length)...])
        return out
    }

    public init(_ type: String, length: Int) {
        bytes = [UInt8](repeating: 32, count: length)
        alpha(1, 3, type)
    }

    /// Left-aligned, blank-filled ASCII; longer text is cut at the field's width.
    public mutating func alpha(_ start: Int, _ length: Int, _ text: String?) {
        guard let text, !text.isEmpty else { return }
        var i = start - 1
        let end = i + length
        for b in text.utf8 where i < end {
            bytes[i] = b < 128 ? b : 63
            i += 1
        }
    }

    /// Title text converted to the CIS title set.
    public mutating func title(_ start: Int, _ length: Int, _ text: String?) {
        guard let text else { return }
        if !cisASCII(start, length, text, CWRText.titleSet) { alpha(start, length, CWRText.cis(text)) }
    }

    /// Name text converted to the CIS name set.
    public mutating func name(_ start: Int, _ length: Int, _ text: String?) {
        guard let text else { return }
        if !cisASCII(start, length, text, CWRText.nameSet) { alpha(start, length, CWRText.cis(text, names: true)) }
    }

    /// Fast path of `CWRText.cis` for ASCII text, written straight into the field; false when the
    /// text is not ASCII (the caller then takes the Unicode path).
    private mutating func cisASCII(_ start: Int, _ length: Int, _ text: String, _ allowed: [Bool]) -> Bool {
        text.utf8.withContiguousStorageIfAvailable { src -> Bool in
            guard !src.contains(where: { $0 >= 128 }) else { return false }
            var i = start - 1
            let end = i + length
            var lastSpace = true
            var written = start - 1
            for b in src where i < end {
                var c = b < 32 ? 32 : b
                if c >= 97 && c <= 122 { c -= 32 }
                if c == 32 {
                    if lastSpace { continue }
                    lastSpace = true
                    bytes[i] = 32
                    i += 1
                    continue
                }
                guard allowed[Int(c)] else { continue }
                bytes[i] = c
                i += 1
                written = i
                lastSpace = false
            }
            // Trailing spaces are blanks anyway; clear a space written after the last character.
            for k in written..<i { bytes[k] = 32 }
            return true
        } ?? false
    }

    /// UTF-8 text padded with spaces to `length` characters (Unicode scalars); cut when longer.
    /// One such field per record.
    public mutating func utf8(_ start: Int, _ length: Int, _ text: String) {
        wide = (start, length, Array(text.unicodeScalars.prefix(length)))
    }

    /// Right-aligned, zero-filled number; nil writes zeros. Values that do not fit are an error.
    public mutating func numeric(_ start: Int, _ length: Int, _ value: Int?) throws(OeuvreError) {
        var v = value ?? 0
        guard v >= 0 else {
            throw OeuvreError(.invalidInput, "value \(v) does not fit the \(length)-digit CWR field at position \(start)")
        }
        for k in stride(from: start - 2 + length, through: start - 1, by: -1) {
            bytes[k] = 48 + UInt8(v % 10)
            v /= 10
        }
        guard v == 0 else {
            throw OeuvreError(.invalidInput, "value \(value ?? 0) does not fit the \(length)-digit CWR field at position \(start)")
        }
    }

    /// `Y`/`N` (nil leaves the field blank).
    public mutating func flag(_ start: Int, _ value: Bool?) {
        guard let value else { return }
        bytes[start - 1] = value ? 89 : 78
    }
}

/// Streams a CWR 2.2 file: `write(_:)` each work, then `finish()`. Transactions of one type form one
/// group; a type may not come back after another type's group (CWR allows each type once per file).
/// Lines end with CRLF. The file appears only when `finish()` succeeds (AtomicFileWriter).
public final class CWRWriter {
    public static let recordLengths: [String: Int] = [
        "HDR": 167, "GRH": 28, "GRT": 24, "TRL": 24, "NWR": 260, "REV": 260, "ISW": 260, "EXC": 260, "SPU": 183,
        "OPU": 183, "SPT": 58, "OPT": 58, "SWR": 180, "OWR": 180, "SWT": 52, "OWT": 52, "PWR": 112, "ALT": 83,
        "NAT": 663, "PER": 118, "REC": 540,
    ]

    private let out: AtomicFileWriter
    private var buffer: [UInt8] = []
    private var groupType: String?
    private var closedTypes: Set<String> = []
    private var groupCount = 0
    private var groupTransactions = 0
    private var groupRecords = 0
    public private(set) var transactionCount = 0
    /// Physical records written so far (HDR included).
    public private(set) var recordCount = 0
    private var recordSequence = 0

    public init(path: String, header: Header) throws(OeuvreError) {
        out = try AtomicFileWriter(path: path)
        buffer.reserveCapacity(1 << 20)
        var r = CWRFixedRecord("HDR", length: 167)
        r.alpha(4, 2, header.senderType)
        try r.numeric(6, 9, header.senderID % 1_000_000_000)
        r.name(15, 45, header.senderName)
        r.alpha(60, 5, "01.10")
        r.alpha(65, 8, header.creationDate)
        r.alpha(73, 6, header.creationTime)
        r.alpha(79, 8, header.transmissionDate ?? header.creationDate)
        r.alpha(87, 15, header.characterSet)
        r.alpha(102, 3, "2.2")
        try r.numeric(105, 3, header.revision)
        r.alpha(108, 30, header.software)
        r.alpha(138, 30, header.softwareVersion)
        emit(r)
    }

    private func emit(_ r: CWRFixedRecord) {
        buffer.append(contentsOf: r.encoded)
        buffer.append(13)
        buffer.append(10)
        recordCount += 1
        if groupType != nil { groupRecords += 1 }
        if buffer.count >= 1 << 20 { flush() }
    }

    private func flush() {
        buffer.withUnsafeBytes { out.write(bytes: $0) }
        buffer.removeAll(keepingCapacity: true)
    }

    private func prefixed(_ type: String, transaction: Int) throws(OeuvreError) -> CWRFixedRecord {
        var r = CWRFixedRecord(type, length: Self.recordLengths[type] ?? 19)
        try r.numeric(4, 8, transaction)
        try r.numeric(12, 8, recordSequence)
        recordSequence += 1
        return r
    }

    private func openGroup(_ type: String) throws(OeuvreError) {
        if let current = groupType {
            if current == type { return }
            try closeGroup()
        }
        guard !closedTypes.contains(type) else {
            throw OeuvreError(.invalidInput, "CWR allows one group per transaction type; \(type) came back after another type")
        }
        groupCount += 1
        groupType = type
        groupTransactions = 0
        groupRecords = 0
        var r = CWRFixedRecord("GRH", length: 28)
        r.alpha(4, 3, type)
        try r.numeric(7, 5, groupCount)
        r.alpha(12, 5, "02.20")
        try r.numeric(17, 10, 0)
        emit(r)
    }

    private func closeGroup() throws(OeuvreError) {
        guard let type = groupType else { return }
        var r = CWRFixedRecord("GRT", length: 24)
        try r.numeric(4, 5, groupCount)
        try r.numeric(9, 8, groupTransactions)
        try r.numeric(17, 8, groupRecords + 1)  // GRH through GRT inclusive
        emit(r)
        closedTypes.insert(type)
        groupType = nil
    }

    /// Writes one work transaction with its detail records in the order CWR 2.2 mandates
    /// (SPU/SPT, SWR/SWT/PWR, ALT, NAT, PER, REC).
    public func write(_ work: Work) throws(OeuvreError) {
        try openGroup(work.transactionType)
        let t = groupTransactions
        recordSequence = 0

        var h = try prefixed(work.transactionType, transaction: t)
        h.title(20, 60, work.title)
        h.alpha(80, 2, work.language)
        h.alpha(82, 14, work.submitterWorkNumber)
        h.alpha(96, 11, work.iswc)
        try h.numeric(107, 8, nil)
        h.alpha(127, 3, work.distributionCategory)
        try h.numeric(130, 6, work.duration.map(Self.hhmmss))
        h.flag(136, work.recorded)
        h.alpha(137, 3, work.textMusicRelationship)
        h.alpha(143, 3, work.versionType)
        h.flag(197, false)
        try h.numeric(198, 3, nil)
        try h.numeric(201, 8, nil)
        h.flag(260, false)
        emit(h)

        let publisherNames = Dictionary(work.publishers.map { ($0.chain, $0) }, uniquingKeysWith: { a, _ in a })
        for p in work.publishers {
            var r = try prefixed(p.controlled ? "SPU" : "OPU", transaction: t)
            try r.numeric(20, 2, p.chain)
            r.alpha(22, 9, p.ipNumber)
            r.name(31, 45, p.name)
            r.alpha(77, 2, p.type)
            r.alpha(88, 11, p.ipiName)
            r.alpha(113, 3, p.prSociety.map { Self.society($0) })
            try r.numeric(116, 5, p.prShare)
            r.alpha(121, 3, p.mrSociety.map { Self.society($0) })
            try r.numeric(124, 5, p.mrShare)
            r.alpha(129, 3, p.srSociety.map { Self.society($0) })
            try r.numeric(132, 5, p.srShare)
            r.flag(138, false)
            r.alpha(140, 13, p.ipiBase)
            emit(r)
            for (k, s) in p.territories.enumerated() {
                var tr = try prefixed(p.controlled ? "SPT" : "OPT", transaction: t)
                tr.alpha(20, 9, p.ipNumber)
                try tr.numeric(35, 5, s.prCollection)
                try tr.numeric(40, 5, s.mrCollection)
                try tr.numeric(45, 5, s.srCollection)
                tr.alpha(50, 1, s.included ? "I" : "E")
                try tr.numeric(51, 4, s.tis)
                tr.flag(55, false)
                try tr.numeric(56, 3, k + 1)
                emit(tr)
            }
        }

        for w in work.writers {
            var r = try prefixed(w.controlled ? "SWR" : "OWR", transaction: t)
            r.alpha(20, 9, w.ipNumber)
            r.name(29, 45, w.lastName)
            r.name(74, 30, w.firstName)
            r.alpha(105, 2, w.designation)
            r.alpha(116, 11, w.ipiName)
            r.alpha(127, 3, w.prSociety.map { Self.society($0) })
            try r.numeric(130, 5, w.prShare)
            r.alpha(135, 3, w.mrSociety.map { Self.society($0) })
            try r.numeric(138, 5, w.mrShare)
            r.alpha(143, 3, w.srSociety.map { Self.society($0) })
            try r.numeric(146, 5, w.srShare)
            r.flag(152, false)
            r.alpha(155, 13, w.ipiBase)
            try r.numeric(168, 12, nil)
            emit(r)
            for (k, s) in w.territories.enumerated() {
                var tr = try prefixed(w.controlled ? "SWT" : "OWT", transaction: t)
                tr.alpha(20, 9, w.ipNumber)
                try tr.numeric(29, 5, s.prCollection)
                try tr.numeric(34, 5, s.mrCollection)
                try tr.numeric(39, 5, s.srCollection)
                tr.alpha(44, 1, s.included ? "I" : "E")
                try tr.numeric(45, 4, s.tis)
                tr.flag(49, false)
                try tr.numeric(50, 3, k + 1)
                emit(tr)
            }
            for chain in w.publisherChains {
                guard let p = publisherNames[chain] else {
                    throw OeuvreError(.invalidInput, "writer \(w.ipNumber) of work \(work.submitterWorkNumber) is linked to unknown publisher chain \(chain)")
                }
                var pr = try prefixed("PWR", transaction: t)
                pr.alpha(20, 9, p.ipNumber)
                pr.name(29, 45, p.name)
                pr.alpha(102, 9, w.ipNumber)
                try pr.numeric(111, 2, chain)
                emit(pr)
            }
        }

        for a in work.alternateTitles {
            var r = try prefixed("ALT", transaction: t)
            r.title(20, 60, a.text)
            r.alpha(80, 2, a.type)
            r.alpha(82, 2, a.language)
            emit(r)
        }
        for a in work.nonRomanTitles {
            var r = try prefixed("NAT", transaction: t)
            r.utf8(20, 640, a.text)
            r.alpha(660, 2, a.type)
            r.alpha(662, 2, a.language)
            emit(r)
        }
        for p in work.performers {
            var r = try prefixed("PER", transaction: t)
            r.name(20, 45, p.lastName)
            r.name(65, 30, p.firstName)
            r.alpha(95, 11, p.ipiName)
            r.alpha(106, 13, p.ipiBase)
            emit(r)
        }
        for rec in work.recordings {
            var r = try prefixed("REC", transaction: t)
            r.alpha(20, 8, rec.releaseDate ?? "00000000")
            try r.numeric(88, 6, rec.releaseDuration.map(Self.hhmmss))
            r.title(99, 60, rec.albumTitle)
            r.name(159, 60, rec.albumLabel)
            r.alpha(219, 18, rec.catalogNumber)
            r.alpha(237, 13, rec.ean)
            r.alpha(250, 12, rec.isrc)
            r.alpha(262, 1, rec.format)
            r.alpha(263, 1, rec.technique)
            r.alpha(264, 3, rec.mediaType)
            r.title(267, 60, rec.recordingTitle)
            r.title(327, 60, rec.versionTitle)
            r.name(387, 60, rec.displayArtist)
            r.name(447, 60, rec.recordLabel)
            if rec.isrc != nil { r.alpha(507, 20, "Y") }
            r.alpha(527, 14, rec.submitterRecordingId)
            emit(r)
        }
        groupTransactions += 1
        transactionCount += 1
    }

    /// Closes the open group, writes TRL and renames the file into place.
    public func finish() throws(OeuvreError) {
        try closeGroup()
        var r = CWRFixedRecord("TRL", length: 24)
        try r.numeric(4, 5, groupCount)
        try r.numeric(9, 8, transactionCount)
        try r.numeric(17, 8, recordCount + 1)  // HDR through TRL inclusive
        emit(r)
        flush()
        try out.commit()
    }

    /// `HHMMSS` as an integer (3:30 → 330), for T fields.
    static func hhmmss(_ seconds: Int) -> Int {
        let s = max(0, min(seconds, 99 * 3600 + 59 * 60 + 59))
        return (s / 3600) * 10000 + (s % 3600 / 60) * 100 + s % 60
    }

    /// Three-digit society code (`52` → `052`).
    static func society(_ code: Int) -> String {
        let s = String(code)
        return String(repeating: "0", count: max(0, 3 - s.count)) + s
    }
}

// The values a CWR transaction is written from (nested: the reader has its own model).
extension CWRWriter {
    /// HDR fields (the record is always written with the 2.2 layout, length 167).
    public struct Header: Sendable {
        /// `PB` publisher, `SO` society, `AA` administrative agency, `WR` writer.
        public var senderType: String
        /// Publisher IPI name number (9 right-most digits are written) or society code.
        public var senderID: Int
        public var senderName: String
        /// `YYYYMMDD`.
        public var creationDate: String
        /// `HHMMSS`.
        public var creationTime: String
        /// `YYYYMMDD`; defaults to the creation date.
        public var transmissionDate: String?
        /// Blank = ASCII; `UTF-8` when NAT records carry non-Roman titles.
        public var characterSet: String
        public var revision: Int
        public var software: String
        public var softwareVersion: String

        public init(
            senderType: String = "PB", senderID: Int, senderName: String, creationDate: String, creationTime: String,
            transmissionDate: String? = nil, characterSet: String = "", revision: Int = 2, software: String = "OEUVRE",
            softwareVersion: String = "0.1"
        ) {
            self.senderType = senderType
            self.senderID = senderID
            self.senderName = senderName
            self.creationDate = creationDate
            self.creationTime = creationTime
            self.transmissionDate = transmissionDate
            self.characterSet = characterSet
            self.revision = revision
            self.software = software
            self.softwareVersion = softwareVersion
        }
    }

    /// Shares are in hundredths of a percent (`5000` = 50.00 %), as CWR stores them.
    public struct TerritoryShare: Sendable, Hashable {
        public var prCollection: Int
        public var mrCollection: Int
        public var srCollection: Int
        public var included: Bool
        /// TIS numeric territory code; 2136 = World.
        public var tis: Int

        public init(prCollection: Int, mrCollection: Int, srCollection: Int, included: Bool = true, tis: Int = 2136) {
            self.prCollection = prCollection
            self.mrCollection = mrCollection
            self.srCollection = srCollection
            self.included = included
            self.tis = tis
        }
    }

    /// An SPU (controlled) or OPU publisher.
    public struct Publisher: Sendable, Hashable {
        /// Publisher sequence number: the chain this publisher belongs to (1-based).
        public var chain: Int
        /// The submitter's key for this party (≤ 9 characters).
        public var ipNumber: String
        public var name: String
        /// `E`, `AM`, `SE`, `PA`, `AQ`, `ES`.
        public var type: String
        public var ipiName: String?
        public var ipiBase: String?
        public var prSociety: Int?
        public var prShare: Int
        public var mrSociety: Int?
        public var mrShare: Int
        public var srSociety: Int?
        public var srShare: Int
        public var controlled: Bool
        public var territories: [TerritoryShare]

        public init(
            chain: Int, ipNumber: String, name: String, type: String = "E", ipiName: String? = nil, ipiBase: String? = nil,
            prSociety: Int? = nil, prShare: Int = 0, mrSociety: Int? = nil, mrShare: Int = 0, srSociety: Int? = nil,
            srShare: Int = 0, controlled: Bool = true, territories: [TerritoryShare] = []
        ) {
            self.chain = chain
            self.ipNumber = ipNumber
            self.name = name
            self.type = type
            self.ipiName = ipiName
            self.ipiBase = ipiBase
            self.prSociety = prSociety
            self.prShare = prShare
            self.mrSociety = mrSociety
            self.mrShare = mrShare
            self.srSociety = srSociety
            self.srShare = srShare
            self.controlled = controlled
            self.territories = territories
        }
    }

    /// An SWR (controlled) or OWR writer with the publishers it is linked to (PWR).
    public struct WriterParty: Sendable, Hashable {
        public var ipNumber: String
        public var lastName: String
        public var firstName: String
        /// `C`, `A`, `CA`, `AR`, `AD`, `SR`, `SA`, `TR`, `PA`.
        public var designation: String
        public var ipiName: String?
        public var ipiBase: String?
        public var prSociety: Int?
        public var prShare: Int
        public var mrSociety: Int?
        public var mrShare: Int
        public var srSociety: Int?
        public var srShare: Int
        public var controlled: Bool
        public var territories: [TerritoryShare]
        /// Chains (publisher sequence numbers) of the original publishers this writer is linked to.
        public var publisherChains: [Int]

        public init(
            ipNumber: String, lastName: String, firstName: String = "", designation: String = "CA", ipiName: String? = nil,
            ipiBase: String? = nil, prSociety: Int? = nil, prShare: Int = 0, mrSociety: Int? = nil, mrShare: Int = 0,
            srSociety: Int? = nil, srShare: Int = 0, controlled: Bool = true, territories: [TerritoryShare] = [],
            publisherChains: [Int] = []
        ) {
            self.ipNumber = ipNumber
            self.lastName = lastName
            self.firstName = firstName
            self.designation = designation
            self.ipiName = ipiName
            self.ipiBase = ipiBase
            self.prSociety = prSociety
            self.prShare = prShare
            self.mrSociety = mrSociety
            self.mrShare = mrShare
            self.srSociety = srSociety
            self.srShare = srShare
            self.controlled = controlled
            self.territories = territories
            self.publisherChains = publisherChains
        }
    }

    /// An ALT (Roman alphabet) or NAT (non-Roman, UTF-8) title.
    public struct Title: Sendable, Hashable {
        public var text: String
        /// CWR title type: `AT`, `TT`, `OL`, `AL`, … (ALT may not carry `OT`; NAT may).
        public var type: String
        /// Two-letter language code (`EN`, `RU`, …); required for `OL`/`AL` and NAT.
        public var language: String?

        public init(_ text: String, type: String, language: String? = nil) {
            self.text = text
            self.type = type
            self.language = language
        }
    }

    /// A PER performing artist.
    public struct Performer: Sendable, Hashable {
        /// Last name, or the full name of a group / single-name artist.
        public var lastName: String
        public var firstName: String
        public var ipiName: String?
        public var ipiBase: String?

        public init(lastName: String, firstName: String = "", ipiName: String? = nil, ipiBase: String? = nil) {
            self.lastName = lastName
            self.firstName = firstName
            self.ipiName = ipiName
            self.ipiBase = ipiBase
        }
    }

    /// A REC recording detail (2.2 layout, length 540).
    public struct Recording: Sendable, Hashable {
        /// `YYYYMMDD`.
        public var releaseDate: String?
        /// Seconds.
        public var releaseDuration: Int?
        public var albumTitle: String?
        public var albumLabel: String?
        public var catalogNumber: String?
        public var ean: String?
        public var isrc: String?
        /// `A` audio, `V` video.
        public var format: String
        /// `A` analogue, `D` digital, `U` unknown.
        public var technique: String
        public var mediaType: String?
        public var recordingTitle: String?
        public var versionTitle: String?
        public var displayArtist: String?
        public var recordLabel: String?
        public var submitterRecordingId: String?

        public init(
            releaseDate: String? = nil, releaseDuration: Int? = nil, albumTitle: String? = nil, albumLabel: String? = nil,
            catalogNumber: String? = nil, ean: String? = nil, isrc: String? = nil, format: String = "A",
            technique: String = "D", mediaType: String? = nil, recordingTitle: String? = nil, versionTitle: String? = nil,
            displayArtist: String? = nil, recordLabel: String? = nil, submitterRecordingId: String? = nil
        ) {
            self.releaseDate = releaseDate
            self.releaseDuration = releaseDuration
            self.albumTitle = albumTitle
            self.albumLabel = albumLabel
            self.catalogNumber = catalogNumber
            self.ean = ean
            self.isrc = isrc
            self.format = format
            self.technique = technique
            self.mediaType = mediaType
            self.recordingTitle = recordingTitle
            self.versionTitle = versionTitle
            self.displayArtist = displayArtist
            self.recordLabel = recordLabel
            self.submitterRecordingId = submitterRecordingId
        }
    }

    /// One work transaction (NWR by default; REV/ISW/EXC use the same layout).
    public struct Work: Sendable, Hashable {
        public var transactionType: String
        public var title: String
        public var language: String?
        public var submitterWorkNumber: String
        public var iswc: String?
        /// `POP`, `SER`, `JAZ`, `UNC`.
        public var distributionCategory: String
        /// Seconds.
        public var duration: Int?
        public var recorded: Bool?
        /// `MUS`, `MTX`, `TXT`, `MTN`.
        public var textMusicRelationship: String?
        /// `ORI` or `MOD`.
        public var versionType: String
        public var publishers: [Publisher]
        public var writers: [WriterParty]
        public var alternateTitles: [Title]
        public var nonRomanTitles: [Title]
        public var performers: [Performer]
        public var recordings: [Recording]

        public init(
            transactionType: String = "NWR", title: String, language: String? = nil, submitterWorkNumber: String,
            iswc: String? = nil, distributionCategory: String = "POP", duration: Int? = nil, recorded: Bool? = nil,
            textMusicRelationship: String? = "MTX", versionType: String = "ORI", publishers: [Publisher] = [],
            writers: [WriterParty] = [], alternateTitles: [Title] = [], nonRomanTitles: [Title] = [],
            performers: [Performer] = [], recordings: [Recording] = []
        ) {
            self.transactionType = transactionType
            self.title = title
            self.language = language
            self.submitterWorkNumber = submitterWorkNumber
            self.iswc = iswc
            self.distributionCategory = distributionCategory
            self.duration = duration
            self.recorded = recorded
            self.textMusicRelationship = textMusicRelationship
            self.versionType = versionType
            self.publishers = publishers
            self.writers = writers
            self.alternateTitles = alternateTitles
            self.nonRomanTitles = nonRomanTitles
            self.performers = performers
            self.recordings = recordings
        }
    }
}
