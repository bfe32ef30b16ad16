import Foundation
import OeuvreCore

// DDEX DSR flat-file writer, Basic Audio Profile 1.2, multi-record blocks (FORMATS.md §1):
// HEAD, summary records (SY01.01 / SY02.02), blocks of RE01 + AS01.01/AS02.02 + SU02, FOOT.
//
// Summary records come first in the file but carry the totals of the usage rows that reference
// them, so the body is streamed to a temporary file beside the destination and the final file is
// assembled by `finish()` (HEAD, SY…, body, FOOT) through an AtomicFileWriter.

/// DDEX cell escaping (DSR Part 1 / CDM Part 1 §6.4): `\` → `\\\`, `|` → `\\|`, TAB → `\`+TAB.
/// Line breaks cannot be represented and become spaces.
public enum DSRText {
    public static func escape(_ s: String) -> String {
        if !s.utf8.contains(where: { $0 == 92 || $0 == 124 || $0 == 9 || $0 == 10 || $0 == 13 }) { return s }
        var out = ""
        out.reserveCapacity(s.utf8.count + 8)
        for ch in s.unicodeScalars {
            switch ch {
            case "\\": out += "\\\\\\"
            case "|": out += "\\\\|"
            case "\t": out += "\\\t"
            case "\n", "\r": out += " "
            default: out.unicodeScalars.append(ch)
            }
        }
        return out
    }

    /// A multi-value cell: values escaped, joined by an unescaped `|`.
    public static func multi(_ values: [String]) -> String {
        values.map(escape).joined(separator: "|")
    }

    /// ISO 8601 duration `PT#M#S` (`PT3M30S`); hours when needed.
    public static func duration(_ seconds: Int) -> String {
        let h = seconds / 3600, m = seconds % 3600 / 60, s = seconds % 60
        return h > 0 ? "PT\(h)H\(m)M\(s)S" : "PT\(m)M\(s)S"
    }
}

/// DDEX Party Identifier (`PADPIDA` + 10 digits + check character, ISO 7064 MOD 37,36 as in FORMATS.md §3.6).
public enum DPID {
    private static let alphabet = Array("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ".utf8)

    static func value(_ b: UInt8) -> Int? {
        switch b {
        case 48...57: return Int(b - 48)
        case 65...90: return Int(b - 55)
        default: return nil
        }
    }

    /// True when `id` passes the check.
    public static func isValid(_ id: String) -> Bool {
        var c = 18
        let bytes = Array(id.utf8)
        guard bytes.count == 18 else { return false }
        for b in bytes {
            guard let v = value(b) else { return false }
            c = ((2 * (c == 0 ? 36 : c)) % 37 + v) % 36
        }
        return c == 1
    }

    /// The valid DPID for a 10-digit number.
    public static func make(number: Int) -> String {
        precondition(number >= 0 && number < 10_000_000_000)
        let digits = String(number)
        let base = "PADPIDA" + String(repeating: "0", count: 10 - digits.count) + digits
        for ch in alphabet {
            let candidate = base + String(UnicodeScalar(ch))
            if isValid(candidate) { return candidate }
        }
        return base + "0"  // unreachable: one of the 36 characters always satisfies MOD 37,36
    }
}

/// Streams a DSR flat file. Call `beginBlock`, `resource`, `usage` in block order, then `finish()`.
public final class DSRWriter {
    public let header: Header
    public let path: String
    private var summaries: [Summary]
    private var summaryIndex: [String: Int] = [:]
    private var usages: [Int]
    private var revenue: [Double]
    private let bodyPath: String
    private var body: UnsafeMutablePointer<FILE>?
    private var buffer: [UInt8] = []
    private let columnHeadings: Bool
    public private(set) var blockCount = 0
    /// Lines written to the body so far (blocks only).
    public private(set) var bodyLines = 0
    private var blockResources: [String: Int] = [:]
    private var blockUsageKeys: Set<Int> = []

    /// - Parameters:
    ///   - directory: where the file goes; its name follows the DSR naming convention.
    ///   - columnHeadings: write `#` heading rows naming each record's cells (ignored by readers, counted in FOOT).
    public init(directory: String, header: Header, summaries: [Summary], columnHeadings: Bool = true) throws(OeuvreError) {
        self.header = header
        self.path = (directory as NSString).appendingPathComponent(try header.fileName())
        guard !summaries.isEmpty else { throw OeuvreError(.usage, "a DSR needs at least one summary record") }
        self.summaries = summaries
        for (i, s) in summaries.enumerated() {
            guard summaryIndex[s.id] == nil else { throw OeuvreError(.usage, "duplicate summary record id \(s.id)") }
            summaryIndex[s.id] = i
        }
        usages = Array(repeating: 0, count: summaries.count)
        revenue = Array(repeating: 0, count: summaries.count)
        self.columnHeadings = columnHeadings
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw OeuvreError(.io, "cannot create directory \(directory): \(error)")
        }
        bodyPath = (directory as NSString).appendingPathComponent(".dsr-body-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).tmp")
        guard let f = fopen(bodyPath, "w+") else {
            throw OeuvreError(.io, "cannot write \(bodyPath): \(String(cString: strerror(errno)))")
        }
        body = f
        buffer.reserveCapacity(1 << 20)
    }

    deinit {
        if let body {
            fclose(body)
            unlink(bodyPath)
        }
    }

    private func line(_ cells: [String]) {
        for (i, c) in cells.enumerated() {
            if i > 0 { buffer.append(9) }
            buffer.append(contentsOf: c.utf8)
        }
        buffer.append(10)
        bodyLines += 1
        if buffer.count >= 1 << 20 { flushBody() }
    }

    @inline(__always) private func put(_ s: String) { buffer.append(contentsOf: s.utf8) }
    @inline(__always) private func putEscaped(_ s: String) { buffer.append(contentsOf: DSRText.escape(s).utf8) }
    @inline(__always) private func tab() { buffer.append(9) }
    private func endLine() {
        buffer.append(10)
        bodyLines += 1
        if buffer.count >= 1 << 20 { flushBody() }
    }

    private func flushBody() {
        guard let body else { return }
        buffer.withUnsafeBytes { _ = fwrite($0.baseAddress, 1, $0.count, body) }
        buffer.removeAll(keepingCapacity: true)
    }

    /// Starts a new block (BlockIds run 1, 2, 3 …) with an optional RE01 head release.
    @discardableResult
    public func beginBlock(release: Release? = nil) -> Int {
        blockCount += 1
        blockResources.removeAll(keepingCapacity: true)
        blockUsageKeys.removeAll(keepingCapacity: true)
        if let r = release {
            let e = DSRText.escape
            line(["RE01", String(blockCount), e(r.reference), e(r.dspReleaseId), "", e(r.catalogNumber), e(r.icpn),
                  e(r.displayArtist), "", e(r.title), "", e(r.releaseType), e(r.label), "", ""])
        }
        return blockCount
    }

    /// Writes the block's resource record (AS02.02 with work data, else AS01.01).
    public func resource(_ r: Resource) throws(OeuvreError) {
        guard blockCount > 0 else { throw OeuvreError(.usage, "DSR resource written before any block") }
        guard blockResources[r.reference] == nil else {
            throw OeuvreError(.usage, "resource reference \(r.reference) used twice in block \(blockCount)")
        }
        blockResources[r.reference] = blockResources.count
        let e = DSRText.escape
        let duration = r.duration.map(DSRText.duration) ?? ""
        if r.hasWorkData {
            if !r.composerIds.isEmpty && r.composerIds.count != r.composers.count {
                throw OeuvreError(.usage, "composer ids must be parallel to composer names")
            }
            line(["AS02.02", String(blockCount), e(r.reference), e(r.dspResourceId), e(r.isrc), e(r.title), e(r.subtitle),
                  e(r.displayArtist), "", duration, "SoundRecording", e(r.iswc), DSRText.multi(r.composers),
                  DSRText.multi(r.composerIds), "", "", DSRText.multi(r.publishers), "", "", "", "", ""])
        } else {
            put("AS01.01\t"); put(String(blockCount)); tab()
            for c in [r.reference, r.dspResourceId, r.isrc, r.title, r.subtitle, r.displayArtist] { putEscaped(c); tab() }
            tab(); put(duration); put("\tSoundRecording\t")
            endLine()
        }
    }

    /// An SU02 stream-usage row for a resource of the current block. One row per resource and
    /// summary record (readers sum rows that repeat the pair, so this writer refuses them).
    public func usage(summaryId: String, transactionId: String, resourceReference: String, streams: Int,
                      netRevenue: Double = 0, royaltyBearing: Bool = true) throws(OeuvreError) {
        guard let s = summaryIndex[summaryId] else { throw OeuvreError(.usage, "unknown summary record id \(summaryId)") }
        guard let ordinal = blockResources[resourceReference] else {
            throw OeuvreError(.usage, "usage row for resource \(resourceReference), which block \(blockCount) does not have")
        }
        guard blockUsageKeys.insert(ordinal &* 65_536 &+ s).inserted else {
            throw OeuvreError(.usage, "second usage row for resource \(resourceReference) and summary \(summaryId) in block \(blockCount)")
        }
        guard streams >= 0 else { throw OeuvreError(.usage, "negative stream count") }
        usages[s] += streams
        revenue[s] += netRevenue
        put("SU02\t"); put(String(blockCount)); tab()
        putEscaped(summaryId); tab()
        putEscaped(transactionId); tab(); tab()
        putEscaped(resourceReference); tab()
        put(royaltyBearing ? "true\t" : "false\t")
        put(String(streams)); tab(); tab()
        endLine()
    }

    static let headings: [String] = [
        "#HEAD\tMessageVersion\tProfile\tProfileVersion\tMessageId\tMessageCreatedDateTime\tFileNumber\tNumberOfFiles\tUsageStartDate\tUsageEndDate\tSenderPartyId\tSenderName\tServiceDescription\tRecipientPartyId\tRecipientName\tRepresentedRepertoire",
        "#SY01.01\tSummaryRecordId\tDistributionChannel\tDistributionChannelDPID\tCommercialModel\tUseType\tTerritory\tServiceDescription\tUsages\tSubscribers\tCurrencyOfReporting\tNetRevenue\tIndirectNetRevenue\tCurrencyOfTransaction\tExchangeRate",
        "#SY02.02\tSummaryRecordId\tDistributionChannel\tDistributionChannelDPID\tCommercialModel\tUseType\tTerritory\tServiceDescription\tUsages\tUsers\tCurrencyOfReporting\tNetRevenue\tRightsController\tRightsControllerPartyId\tAllocatedUsages\tAllocatedRevenue\tAllocatedNetRevenue\tRightsType\tContentCategory\tCurrencyOfTransaction\tExchangeRate\tRightsTypePercentage",
        "#RE01\tBlockId\tReleaseReference\tDspReleaseId\tProprietaryReleaseId\tCatalogNumber\tICPN\tDisplayArtistName\tDisplayArtistPartyId\tTitle\tSubTitle\tReleaseType\tLabel\tPLine\tDataProvider",
        "#AS01.01\tBlockId\tResourceReference\tDspResourceId\tISRC\tTitle\tSubTitle\tDisplayArtistName\tDisplayArtistPartyId\tDuration\tResourceType\tIsMasterRecording",
        "#AS02.02\tBlockId\tResourceReference\tDspResourceId\tISRC\tTitle\tSubTitle\tDisplayArtistName\tDisplayArtistPartyId\tDuration\tResourceType\tISWC\tComposerAuthor\tComposerAuthorPartyId\tArranger\tArrangerPartyId\tMusicPublisher\tMusicPublisherPartyId\tWorkContributor\tWorkContributorPartyId\tProprietaryWorkId\tIsMasterRecording",
        "#SU02\tBlockId\tSummaryRecordId\tSalesTransactionId\tTransactedRelease\tTransactedResource\tIsRoyaltyBearing\tNumberOfStreams\tPriceConsumerPaidExcSalesTax\tPromotionalActivity",
        "#FOOT\tNumberOfLinesInFile\tNumberOfLinesInReport\tNumberOfSummaryRecords\tNumberOfBlocksInFile\tNumberOfBlocksInReport",
    ]

    /// Writes HEAD, the summary records with their totals, the body and FOOT; renames into place.
    /// Returns the path of the finished file.
    @discardableResult
    public func finish() throws(OeuvreError) -> String {
        flushBody()
        guard let body else { throw OeuvreError(.usage, "DSR writer already finished") }
        let out = try AtomicFileWriter(path: path)
        let e = DSRText.escape
        var head: [String] = []
        if columnHeadings {
            let kinds = Set(summaries.map(\.kind.rawValue))
            head += Self.headings.filter { h in !h.hasPrefix("#SY") || kinds.contains(where: { h.hasPrefix("#" + $0 + "\t") }) }
        }
        let h = header
        head.append(["HEAD", e(h.messageVersion), e(h.profile), e(h.profileVersion), e(h.messageId), e(h.created), "1", "1",
                     e(h.usageStart), e(h.usageEnd), e(h.senderPartyId), e(h.senderName), e(h.serviceDescription),
                     e(h.recipientPartyId), e(h.recipientName), ""].joined(separator: "\t"))
        for (i, s) in summaries.enumerated() {
            let money = String(format: "%.2f", revenue[i])
            let cells: [String]
            switch s.kind {
            case .sy01:
                cells = ["SY01.01", e(s.id), e(s.distributionChannel), "", e(s.commercialModel), e(s.useType), e(s.territory),
                         e(s.service), String(usages[i]), s.users.map(String.init) ?? "", e(s.currency), money, "", "", ""]
            case .sy02:
                cells = ["SY02.02", e(s.id), e(s.distributionChannel), "", e(s.commercialModel), e(s.useType), e(s.territory),
                         e(s.service), String(usages[i]), s.users.map(String.init) ?? "", e(s.currency), money,
                         e(s.rightsController), e(s.rightsControllerPartyId), String(usages[i]), money, money,
                         e(s.rightsType), e(s.contentCategory), "", "", ""]
            }
            head.append(cells.joined(separator: "\t"))
        }
        out.write(head.joined(separator: "\n") + "\n")
        // Copy the body.
        rewind(body)
        var chunk = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let n = chunk.withUnsafeMutableBytes { fread($0.baseAddress, 1, $0.count, body) }
            if n == 0 { break }
            chunk.withUnsafeBytes { out.write(bytes: UnsafeRawBufferPointer(rebasing: $0[0..<n])) }
        }
        let failed = ferror(body) != 0
        fclose(body)
        self.body = nil
        unlink(bodyPath)
        if failed { throw OeuvreError(.io, "reading back the temporary DSR body failed") }
        let lines = head.count + bodyLines + 1
        out.write(["FOOT", String(lines), String(lines), String(summaries.count), String(blockCount), String(blockCount)]
            .joined(separator: "\t") + "\n")
        try out.commit()
        return path
    }
}

// The values a DSR is written from (nested: the reader has its own model).
extension DSRWriter {
    /// HEAD cells plus what the file name needs.
    public struct Header: Sendable {
        public var messageVersion: String
        public var profile: String
        public var profileVersion: String
        public var messageId: String
        /// RFC 3339 with zone, e.g. `2025-04-02T09:00:00Z`.
        public var created: String
        public var usageStart: String
        public var usageEnd: String
        public var senderPartyId: String
        public var senderName: String
        public var serviceDescription: String
        public var recipientPartyId: String
        public var recipientName: String
        /// File-name period (`2025-03`, `2025-Q1`, `2025-03-01--2025-03-31`).
        public var period: String
        /// File-name territory (ISO 3166-1 alpha-2 or `Worldwide`).
        public var territory: String

        public init(
            messageVersion: String = "dsrf/1.1.2/6/1.2", profile: String = "BasicAudioProfile", profileVersion: String = "1.2",
            messageId: String, created: String, usageStart: String, usageEnd: String, senderPartyId: String,
            senderName: String, serviceDescription: String, recipientPartyId: String, recipientName: String,
            period: String, territory: String
        ) {
            self.messageVersion = messageVersion
            self.profile = profile
            self.profileVersion = profileVersion
            self.messageId = messageId
            self.created = created
            self.usageStart = usageStart
            self.usageEnd = usageEnd
            self.senderPartyId = senderPartyId
            self.senderName = senderName
            self.serviceDescription = serviceDescription
            self.recipientPartyId = recipientPartyId
            self.recipientName = recipientName
            self.period = period
            self.territory = territory
        }

        /// `DSR_<recipient>_<sender>_<service>_<period>_<territory>_1of1_<yyyymmddThhmmss>.tsv`.
        public func fileName() throws(OeuvreError) -> String {
            let parts = [recipientPartyId, senderPartyId, serviceDescription, period, territory]
            for p in parts where p.contains("_") || p.contains(" ") || p.contains("/") {
                throw OeuvreError(.usage, "DSR file-name element '\(p)' may not contain '_', '/' or a space")
            }
            let stamp = created.filter { $0.isNumber || $0 == "T" }.prefix(15)
            guard stamp.count == 15 else {
                throw OeuvreError(.usage, "DSR creation time '\(created)' is not RFC 3339 (yyyy-mm-ddThh:mm:ssZ)")
            }
            return "DSR_" + parts.joined(separator: "_") + "_1of1_" + stamp + ".tsv"
        }
    }

    /// One sales context (summary record). `usages` and `netRevenue` are filled in by the writer.
    public struct Summary: Sendable, Hashable {
        public enum Kind: String, Sendable { case sy01 = "SY01.01", sy02 = "SY02.02" }
        public var kind: Kind
        public var id: String
        public var distributionChannel: String
        public var commercialModel: String
        public var useType: String
        public var territory: String
        public var service: String
        public var currency: String
        /// Subscribers (SY01) / users (SY02).
        public var users: Int?
        public var rightsController: String
        public var rightsControllerPartyId: String
        /// AVS RightsCoverage (`PerformingRight`, `MechanicalRight`).
        public var rightsType: String
        public var contentCategory: String

        public init(
            kind: Kind = .sy02, id: String, distributionChannel: String = "", commercialModel: String,
            useType: String = "OnDemandStream", territory: String, service: String, currency: String = "EUR",
            users: Int? = nil, rightsController: String = "", rightsControllerPartyId: String = "",
            rightsType: String = "PerformingRight", contentCategory: String = "Music"
        ) {
            self.kind = kind
            self.id = id
            self.distributionChannel = distributionChannel
            self.commercialModel = commercialModel
            self.useType = useType
            self.territory = territory
            self.service = service
            self.currency = currency
            self.users = users
            self.rightsController = rightsController
            self.rightsControllerPartyId = rightsControllerPartyId
            self.rightsType = rightsType
            self.contentCategory = contentCategory
        }
    }

    /// RE01 head release.
    public struct Release: Sendable {
        public var reference: String
        public var dspReleaseId: String
        public var catalogNumber: String
        public var icpn: String
        public var displayArtist: String
        public var title: String
        public var releaseType: String
        public var label: String

        public init(
            reference: String = "R1", dspReleaseId: String, catalogNumber: String = "", icpn: String = "",
            displayArtist: String, title: String, releaseType: String = "Album", label: String = ""
        ) {
            self.reference = reference
            self.dspReleaseId = dspReleaseId
            self.catalogNumber = catalogNumber
            self.icpn = icpn
            self.displayArtist = displayArtist
            self.title = title
            self.releaseType = releaseType
            self.label = label
        }
    }

    /// A sound recording: AS02.02 when work data (ISWC or composers) is given, else AS01.01.
    public struct Resource: Sendable {
        public var reference: String
        public var dspResourceId: String
        public var isrc: String
        public var title: String
        public var subtitle: String
        public var displayArtist: String
        /// Seconds.
        public var duration: Int?
        public var iswc: String
        public var composers: [String]
        /// Parallel to `composers` (`IPI::…`), or empty.
        public var composerIds: [String]
        public var publishers: [String]

        public init(
            reference: String, dspResourceId: String, isrc: String = "", title: String, subtitle: String = "",
            displayArtist: String, duration: Int? = nil, iswc: String = "", composers: [String] = [],
            composerIds: [String] = [], publishers: [String] = []
        ) {
            self.reference = reference
            self.dspResourceId = dspResourceId
            self.isrc = isrc
            self.title = title
            self.subtitle = subtitle
            self.displayArtist = displayArtist
            self.duration = duration
            self.iswc = iswc
            self.composers = composers
            self.composerIds = composerIds
            self.publishers = publishers
        }

        var hasWorkData: Bool { !iswc.isEmpty || !composers.isEmpty || !publishers.isEmpty }
    }
}
