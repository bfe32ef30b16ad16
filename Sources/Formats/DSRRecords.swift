import Foundation
import OeuvreCore

// DDEX DSR flat-file records: the record types Oeuvre reads, their cell layouts (for error messages
// and padding warnings), and the byte-level cell splitter with DDEX escaping. See FORMATS.md §1.

/// The record types the DSR reader understands, by their 4-character base name. Versioned forms
/// (`AS02.03`) dispatch on the base name; cells are read by position, so newer versions that only
/// append cells read the same way.
public enum DSRRecordKind: Int, Sendable, CaseIterable, Codable {
    case head, foot, srfo
    case sy01, sy02, sy04, sy05, sy06, sy09
    case re01, re02, as01, as02, mw01
    case su01, su02, su03, ru01, ru02, li01
    case sr01, sr02

    /// `HEAD`, `SY01`, …
    public var name: String {
        switch self {
        case .head: "HEAD"
        case .foot: "FOOT"
        case .srfo: "SRFO"
        default: String(describing: self).uppercased()
        }
    }

    /// Whether records of this kind belong to a block (cell 2 is the BlockId).
    var isBlockRecord: Bool {
        switch self {
        case .re01, .re02, .as01, .as02, .mw01, .su01, .su02, .su03, .ru01, .ru02, .li01: true
        default: false
        }
    }

    var isSummary: Bool {
        switch self {
        case .sy01, .sy02, .sy04, .sy05, .sy06, .sy09: true
        default: false
        }
    }

    /// Looks up a base name given as 4 bytes packed big-endian (`"AS02"` → 0x41533032).
    static func from(packed: UInt32) -> DSRRecordKind? {
        switch packed {
        case 0x4845_4144: .head
        case 0x464F_4F54: .foot
        case 0x5352_464F: .srfo
        case 0x5359_3031: .sy01
        case 0x5359_3032: .sy02
        case 0x5359_3034: .sy04
        case 0x5359_3035: .sy05
        case 0x5359_3036: .sy06
        case 0x5359_3039: .sy09
        case 0x5245_3031: .re01
        case 0x5245_3032: .re02
        case 0x4153_3031: .as01
        case 0x4153_3032: .as02
        case 0x4D57_3031: .mw01
        case 0x5355_3031: .su01
        case 0x5355_3032: .su02
        case 0x5355_3033: .su03
        case 0x5255_3031: .ru01
        case 0x5255_3032: .ru02
        case 0x4C49_3031: .li01
        case 0x5352_3031: .sr01
        case 0x5352_3032: .sr02
        default: nil
        }
    }

    /// Cell names (index 0 = cell 1 = RecordType) of the version Oeuvre knows best; their count is
    /// the number of cells a record is expected to carry unless `expectedCells(version:)` knows better.
    public var cellNames: [String] { DSRSchema.cells[rawValue] }

    /// Name of 1-based cell `n` (for error messages).
    public func cellName(_ n: Int) -> String {
        let names = cellNames
        return n >= 1 && n <= names.count ? names[n - 1] : "cell \(n)"
    }

    /// Highest cell the reader looks at (cells beyond the layout that newer versions add and Oeuvre uses).
    var cellsRead: Int {
        switch self {
        case .su02: 11   // UseType, seen in Basic Audio Profile 1.3 files
        case .mw01: 17   // ResourceReference (MW01.03)
        default: cellNames.count
        }
    }

    /// Cells a record of this kind and version should carry (older versions are shorter).
    func expectedCells(version: UInt32) -> Int {
        switch (self, version) {
        case (.sy02, 1): 18       // SY02.01 (UGC 1.0/1.1)
        case (.su03, 1): 9        // SU03.01
        case (.li01, 1): 10       // LI01.01
        case (.ru01, 0): 5        // unversioned RU01 (UGC 1.0 test data)
        default: cellNames.count
        }
    }
}

enum DSRSchema {
    static let work = ["ISWC", "ComposerAuthor", "ComposerAuthorPartyId", "Arranger", "ArrangerPartyId", "MusicPublisher",
                       "MusicPublisherPartyId", "WorkContributor", "WorkContributorPartyId"]
    static let resource = ["RecordType", "BlockId", "ResourceReference", "DspResourceId", "ISRC", "Title", "SubTitle",
                           "DisplayArtistName", "DisplayArtistPartyId", "Duration", "ResourceType"]
    static let single = ["RecordType", "SummaryRecordId", "DspResourceId", "ISRC", "ResourceTitle", "ResourceSubTitle",
                         "ResourceDisplayArtistName", "ResourceDisplayArtistPartyId", "Duration", "ResourceType",
                         "ProprietaryWorkId"] + work + ["DspReleaseId", "ProprietaryReleaseId", "ReleaseCatalogNumber", "ICPN",
                         "ReleaseDisplayArtistName", "ReleaseDisplayArtistPartyId", "ReleaseTitle", "ReleaseSubTitle",
                         "ReleaseType", "ReleaseLabel", "PLine", "ReleaseDataProvider"]

    /// Indexed by `DSRRecordKind.rawValue`. Sources: FORMATS.md §1.5–1.6 (BasicAudioProfile 1.2 and
    /// UgcProfile 1.2 XSDs).
    static let cells: [[String]] = DSRRecordKind.allCases.map { kind in
        switch kind {
        case .head:
            ["RecordType", "MessageVersion", "Profile", "ProfileVersion", "MessageId", "MessageCreatedDateTime", "FileNumber",
             "NumberOfFiles", "UsageStartDate", "UsageEndDate", "SenderPartyId", "SenderName", "ServiceDescription",
             "RecipientPartyId", "RecipientName", "RepresentedRepertoire"]
        case .foot:
            ["RecordType", "NumberOfLinesInFile", "NumberOfLinesInReport", "NumberOfSummaryRecords", "NumberOfBlocksInFile",
             "NumberOfBlocksInReport"]
        case .srfo: ["RecordType", "NumberOfLinesInReport", "NumberOfSummaryRecords"]
        case .sy01:
            ["RecordType", "SummaryRecordId", "DistributionChannel", "DistributionChannelDPID", "CommercialModel", "UseType",
             "Territory", "ServiceDescription", "Usages", "Subscribers", "CurrencyOfReporting", "NetRevenue",
             "IndirectNetRevenue", "CurrencyOfTransaction", "ExchangeRate"]
        case .sy02:
            ["RecordType", "SummaryRecordId", "DistributionChannel", "DistributionChannelDPID", "CommercialModel", "UseType",
             "Territory", "ServiceDescription", "Usages", "Users", "CurrencyOfReporting", "NetRevenue", "RightsController",
             "RightsControllerPartyId", "AllocatedUsages", "AllocatedRevenue", "AllocatedNetRevenue", "RightsType",
             "ContentCategory", "CurrencyOfTransaction", "ExchangeRate", "RightsTypePercentage"]
        case .sy04:
            ["RecordType", "SummaryRecordId", "DistributionChannel", "DistributionChannelDPID", "CommercialModel", "UseType",
             "Territory", "ServiceDescription", "SubscriberType", "Subscribers", "SubPeriodStartDate", "SubPeriodEndDate",
             "UsagesInSubPeriod", "UsagesInReportingPeriod", "CurrencyOfReporting", "CurrencyOfTransaction", "ExchangeRate",
             "ConsumerPaidUnitPrice", "NetRevenue", "MusicUsagePercentage"]
        case .sy05:
            ["RecordType", "SummaryRecordId", "DistributionChannel", "DistributionChannelDPID", "CommercialModel", "UseType",
             "Territory", "ServiceDescription", "RightsController", "RightsControllerPartyId", "RightsType", "TotalUsages",
             "AllocatedUsages", "MusicUsageRatio", "AllocatedNetRevenue", "AllocatedRevenue", "RightsControllerMarketShare",
             "CurrencyOfReporting", "CurrencyOfTransaction", "ExchangeRate", "SubscriberType", "SubPeriodStartDate",
             "SubPeriodEndDate", "ContentCategory", "RightsTypePercentage"]
        case .sy06:
            ["RecordType", "SummaryRecordId", "DistributionChannel", "DistributionChannelDPID", "CommercialModel", "UseType",
             "Territory", "ServiceDescription", "Usages", "Subscribers", "CurrencyOfReporting", "NumberOfReleases",
             "NetRevenue", "IndirectNetRevenue", "PreviewAvailable", "CurrencyOfTransaction", "ExchangeRate", "ViewingHours"]
        case .sy09:
            ["RecordType", "SummaryRecordId", "CommercialModel", "UseType", "Territory", "ServiceDescription", "SubscriberType",
             "RightsController", "RightsControllerPartyId", "RightsType", "TotalUsages", "AllocatedUsages", "NetRevenue",
             "IndirectNetRevenue", "RightsControllerMarketShare", "CurrencyOfReporting", "CurrencyOfTransaction",
             "ExchangeRate", "RightsTypePercentage"]
        case .re01:
            ["RecordType", "BlockId", "ReleaseReference", "DspReleaseId", "ProprietaryReleaseId", "CatalogNumber", "ICPN",
             "DisplayArtistName", "DisplayArtistPartyId", "Title", "SubTitle", "ReleaseType", "Label", "PLine", "DataProvider"]
        case .re02:
            ["RecordType", "BlockId", "ReleaseReference", "DspSubReleaseId", "ProprietarySubReleaseId", "UsedResources"]
        case .as01: resource + ["IsMasterRecording"]
        case .as02: resource + work + ["ProprietaryWorkId", "IsMasterRecording"]
        case .mw01:
            ["RecordType", "BlockId", "DspWorkId", "ISWC", "Title", "SubTitle"] + work.dropFirst()
                + ["DataProvider", "ProprietaryWorkId"]
        case .su01:
            ["RecordType", "BlockId", "SummaryRecordId", "SalesTransactionId", "TransactedRelease", "TransactedResource",
             "IsRoyaltyBearing", "SalesUpgrade", "Usages", "Returns", "PriceConsumerPaidExcSalesTax", "PromotionalActivity"]
        case .su02:
            ["RecordType", "BlockId", "SummaryRecordId", "SalesTransactionId", "TransactedRelease", "TransactedResource",
             "IsRoyaltyBearing", "NumberOfStreams", "PriceConsumerPaidExcSalesTax", "PromotionalActivity"]
        case .su03:
            ["RecordType", "BlockId", "SalesTransactionId", "SummaryRecordId", "DspResourceId", "Usages", "NetRevenue",
             "ValidityPeriodStart", "ValidityPeriodEnd", "ContentCategory", "IsRoyaltyBearing"]
        case .ru01: ["RecordType", "BlockId", "SummaryRecordId", "DspReleaseId", "Usages", "ContentCategory"]
        case .ru02:
            ["RecordType", "BlockId", "SummaryRecordId", "DspReleaseId", "ReleaseTitle", "ReleaseURL", "Usages",
             "ContentCategory"]
        case .li01:
            ["RecordType", "BlockId", "SummaryRecordId", "RightsController", "RightsControllerPartyId",
             "RightsControllerWorkId", "RightSharePercentage", "RightsType", "AllocatedNetRevenue", "AllocatedAmount",
             "AllocatedUsages"]
        case .sr01:
            single + ["NumberOfTransactedResources", "SalesTransactionId", "IsRoyaltyBearing", "SalesUpgrade", "Downloads",
                      "Returns", "PriceConsumerPaidExcSalesTax", "CalculatedPriceConsumerPaidForResourceExcSalesTax",
                      "PromotionalActivity"]
        case .sr02: single + ["SalesTransactionId", "IsRoyaltyBearing", "NumberOfStreams", "PromotionalActivity"]
        }
    }
}

// MARK: - Cells

/// The cells of one DSR line as byte ranges into the line buffer (valid only while the line is).
/// Splitting honours the DDEX escapes so that an escaped TAB does not end a cell.
final class DSRCells {
    @exclusivity(unchecked) private(set) var count = 0
    @exclusivity(unchecked) private var capacity = 64
    @exclusivity(unchecked) private var starts: UnsafeMutablePointer<Int32>
    @exclusivity(unchecked) private var ends: UnsafeMutablePointer<Int32>
    /// Per cell: bit 0 = contains a backslash (needs unescaping). Pipes and control bytes are looked
    /// for only in the cells that are copied (`appendValues`, `hasPipe`).
    @exclusivity(unchecked) private var flags: UnsafeMutablePointer<UInt8>
    @exclusivity(unchecked) private(set) var base = UnsafePointer<UInt8>(bitPattern: 1)!
    @exclusivity(unchecked) private(set) var length = 0
    /// Whether the line has bytes ≥ 0x80 (then it was UTF-8 validated).
    @exclusivity(unchecked) private(set) var hasNonASCII = false

    init() {
        starts = .allocate(capacity: capacity)
        ends = .allocate(capacity: capacity)
        flags = .allocate(capacity: capacity)
    }

    deinit {
        starts.deallocate()
        ends.deallocate()
        flags.deallocate()
    }

    private func grow() {
        let c = capacity * 2
        let s = UnsafeMutablePointer<Int32>.allocate(capacity: c)
        let e = UnsafeMutablePointer<Int32>.allocate(capacity: c)
        let f = UnsafeMutablePointer<UInt8>.allocate(capacity: c)
        s.update(from: starts, count: count)
        e.update(from: ends, count: count)
        f.update(from: flags, count: count)
        starts.deallocate()
        ends.deallocate()
        flags.deallocate()
        starts = s
        ends = e
        flags = f
        capacity = c
    }

    @inline(__always) private func push(_ s: Int, _ e: Int, _ f: UInt8) {
        if count == capacity { grow() }
        starts[count] = Int32(truncatingIfNeeded: s)
        ends[count] = Int32(truncatingIfNeeded: e)
        flags[count] = f
        count += 1
    }

    /// Splits `line` on unescaped TABs. Returns the byte offset of the first invalid UTF-8 sequence,
    /// or nil when the line is valid.
    func split(_ line: UnsafeRawBufferPointer) -> Int? {
        count = 0
        guard let raw = line.baseAddress, line.count > 0 else {
            length = 0
            push(0, 0, 0)
            hasNonASCII = false
            return nil
        }
        let p = UnsafePointer(raw.assumingMemoryBound(to: UInt8.self))
        base = p
        let n = line.count
        length = n
        // A line has at most n + 1 cells: make room once, then work on locals.
        while capacity < n + 1 { grow() }
        let cs = starts
        let ce = ends
        let cf = flags
        var c = 0
        var start = 0
        var flag: UInt8 = 0
        var i = 0
        var high: UInt64 = 0
        // Eight bytes at a time with exact per-byte masks (no false positives): a word without a
        // backslash is split at its TABs from the mask; a word with one goes byte by byte, because
        // an escape can hide a TAB.
        let low7: UInt64 = 0x7F7F_7F7F_7F7F_7F7F
        let highs: UInt64 = 0x8080_8080_8080_8080
        while i < n {
            var stop = n
            if i + 8 <= n {
                let w = UnsafeRawPointer(p + i).loadUnaligned(as: UInt64.self)
                high |= w
                let bs = w ^ 0x5C5C_5C5C_5C5C_5C5C
                if ~(((bs & low7) &+ low7) | bs) & highs == 0 {
                    let t = w ^ 0x0909_0909_0909_0909
                    var tabs = ~(((t & low7) &+ low7) | t) & highs
                    while tabs != 0 {
                        let at = i + (tabs.trailingZeroBitCount >> 3)
                        cs[c] = Int32(truncatingIfNeeded: start)
                        ce[c] = Int32(truncatingIfNeeded: at)
                        cf[c] = flag
                        c += 1
                        start = at + 1
                        flag = 0
                        tabs &= tabs &- 1
                    }
                    i += 8
                    continue
                }
                stop = i + 8
            }
            while i < stop {
                let b = p[i]
                high |= UInt64(b)
                if b == 0x09 {
                    cs[c] = Int32(truncatingIfNeeded: start)
                    ce[c] = Int32(truncatingIfNeeded: i)
                    cf[c] = flag
                    c += 1
                    start = i + 1
                    flag = 0
                } else if b == 0x5C {
                    flag = 1
                    // Same tokenization as `unescape`: \<TAB>, \\|, \\\, \| are units.
                    if i + 1 < n {
                        let d = p[i + 1]
                        if d == 0x09 || d == 0x7C {
                            i += 1
                        } else if d == 0x5C && i + 2 < n && (p[i + 2] == 0x7C || p[i + 2] == 0x5C) {
                            i += 2
                        }
                    }
                }
                i += 1
            }
        }
        cs[c] = Int32(truncatingIfNeeded: start)
        ce[c] = Int32(truncatingIfNeeded: n)
        cf[c] = flag
        count = c + 1
        hasNonASCII = high & highs != 0
        if hasNonASCII { return firstInvalidUTF8(p, n) }
        return nil
    }

    /// 1-based cell containing byte offset `offset`.
    func cellIndex(ofByte offset: Int) -> Int {
        for c in 0..<count where Int(ends[c]) >= offset { return c + 1 }
        return count
    }

    /// Raw bytes of 1-based cell `n` (empty when the record is shorter).
    @inline(__always) func raw(_ n: Int) -> UnsafeBufferPointer<UInt8> {
        guard n >= 1 && n <= count else { return UnsafeBufferPointer(start: base, count: 0) }
        let s = Int(starts[n - 1])
        return UnsafeBufferPointer(start: base + s, count: Int(ends[n - 1]) - s)
    }

    @inline(__always) func flags(_ n: Int) -> UInt8 { n >= 1 && n <= count ? flags[n - 1] : 0 }

    @inline(__always) func isEmpty(_ n: Int) -> Bool { n > count || starts[n - 1] == ends[n - 1] }

    /// Whether any cell from `n` on is non-empty.
    func hasContent(from n: Int) -> Bool {
        var i = n
        while i <= count {
            if starts[i - 1] != ends[i - 1] { return true }
            i += 1
        }
        return false
    }

    /// Whether 1-based cell `n` equals `bytes` (raw comparison).
    @inline(__always) func equals(_ n: Int, _ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        let r = raw(n)
        return bytesEqual(r, bytes)
    }

    /// Whether cell `n` holds an unescaped `|` (several values).
    func hasPipe(_ n: Int) -> Bool {
        let r = raw(n)
        guard let p = r.baseAddress, r.count > 0, memchr(p, 0x7C, r.count) != nil else { return false }
        if flags(n) & 1 == 0 { return true }
        var i = 0
        while i < r.count {
            let b = p[i]
            if b == 0x5C, i + 1 < r.count {
                let c = p[i + 1]
                if c == 0x09 || c == 0x7C { i += 2; continue }
                if c == 0x5C && i + 2 < r.count && (p[i + 2] == 0x7C || p[i + 2] == 0x5C) { i += 3; continue }
            } else if b == 0x7C {
                return true
            }
            i += 1
        }
        return false
    }

    /// Appends cell `n`, unescaped, to `out`. Returns whether an unknown escape was kept literally.
    @discardableResult
    func append(_ n: Int, to out: inout ByteBuffer) -> Bool {
        let r = raw(n)
        if flags(n) & 1 == 0 {
            out.append(r)
            return false
        }
        return DSRCells.unescape(r, into: &out, sanitize: false)
    }

    /// Appends the `|`-separated values of cell `n`, each unescaped, joined by `separator` (bytes
    /// 0x1D–0x1F inside values, used as internal separators, become spaces). Returns the number of
    /// values (0 for an empty cell) and whether an unknown escape was kept.
    @discardableResult
    func appendValues(_ n: Int, to out: inout ByteBuffer, separator: UInt8) -> (count: Int, oddEscape: Bool) {
        let r = raw(n)
        guard let p = r.baseAddress, r.count > 0 else { return (0, false) }
        let escaped = flags(n) & 1 != 0
        if !escaped {
            // No escapes: split at each `|` found with memchr.
            var values = 1
            var start = 0
            let count = r.count
            while start <= count {
                let rest = count - start
                let hit = rest > 0 ? memchr(p + start, 0x7C, rest) : nil
                let end = hit.map { UnsafeRawPointer($0) - UnsafeRawPointer(p) } ?? count
                let from = out.count
                out.append(UnsafeBufferPointer(start: p + start, count: end - start))
                out.sanitizeSeparators(from: from)
                if hit == nil { break }
                out.append(separator)
                values += 1
                start = end + 1
            }
            return (values, false)
        }
        var values = 1
        var odd = false
        var i = 0
        var start = 0
        let count = r.count
        func flush(_ s: Int, _ e: Int) {
            let part = UnsafeBufferPointer(start: p + s, count: e - s)
            if escaped {
                if DSRCells.unescape(part, into: &out, sanitize: true) { odd = true }
            } else {
                let from = out.count
                out.append(part)
                out.sanitizeSeparators(from: from)
            }
        }
        while i < count {
            let b = p[i]
            if b == 0x5C {
                if i + 1 < count {
                    let c = p[i + 1]
                    if c == 0x09 || c == 0x7C { i += 2; continue }
                    if c == 0x5C && i + 2 < count && (p[i + 2] == 0x7C || p[i + 2] == 0x5C) { i += 3; continue }
                }
            } else if b == 0x7C {
                flush(start, i)
                out.append(separator)
                values += 1
                start = i + 1
            }
            i += 1
        }
        flush(start, count)
        return (values, odd)
    }

    /// Decodes the DDEX escapes of `bytes` into `out`: `\`+TAB → TAB, `\\|` → `|`, `\\\` → `\`,
    /// `\|` → `|` (lenient, as the DDEX/Google library writes it); any other backslash is kept
    /// literally and reported through the return value. With `sanitize`, bytes 0x1D–0x1F (used as
    /// internal separators) become spaces.
    static func unescape(_ bytes: UnsafeBufferPointer<UInt8>, into out: inout ByteBuffer, sanitize: Bool) -> Bool {
        guard let p = bytes.baseAddress else { return false }
        let n = bytes.count
        var odd = false
        var i = 0
        while i < n {
            let b = p[i]
            if b == 0x5C {
                let c: UInt8 = i + 1 < n ? p[i + 1] : 0
                if c == 0x09 { out.append(0x09); i += 2; continue }
                if c == 0x7C { out.append(0x7C); i += 2; continue }
                if c == 0x5C && i + 2 < n {
                    let d = p[i + 2]
                    if d == 0x7C { out.append(0x7C); i += 3; continue }
                    if d == 0x5C { out.append(0x5C); i += 3; continue }
                }
                odd = true
                out.append(0x5C)
                i += 1
                continue
            }
            out.append(sanitize && b >= 0x1D && b <= 0x1F ? 0x20 : b)
            i += 1
        }
        return odd
    }
}

/// Whether two byte ranges hold the same bytes.
@inline(__always) func bytesEqual(_ a: UnsafeBufferPointer<UInt8>, _ b: UnsafeBufferPointer<UInt8>) -> Bool {
    guard a.count == b.count else { return false }
    guard a.count > 0, let x = a.baseAddress, let y = b.baseAddress else { return true }
    return memcmp(x, y, a.count) == 0
}

/// Offset of the first invalid UTF-8 sequence in `p[0..<n]`, or nil.
func firstInvalidUTF8(_ p: UnsafePointer<UInt8>, _ n: Int) -> Int? {
    var i = 0
    // ASCII fast path, 32 then 8 bytes at a time.
    while i + 32 <= n {
        let r = UnsafeRawPointer(p + i)
        let w = r.loadUnaligned(as: UInt64.self) | r.loadUnaligned(fromByteOffset: 8, as: UInt64.self)
            | r.loadUnaligned(fromByteOffset: 16, as: UInt64.self) | r.loadUnaligned(fromByteOffset: 24, as: UInt64.self)
        if w & 0x8080_8080_8080_8080 != 0 { break }
        i += 32
    }
    while i < n {
        if i + 8 <= n && UnsafeRawPointer(p + i).loadUnaligned(as: UInt64.self) & 0x8080_8080_8080_8080 == 0 {
            i += 8
            continue
        }
        let b = p[i]
        if b < 0x80 { i += 1; continue }
        var need = 0
        var minValue: UInt32 = 0
        var v: UInt32 = 0
        if b & 0xE0 == 0xC0 { need = 1; v = UInt32(b & 0x1F); minValue = 0x80 }
        else if b & 0xF0 == 0xE0 { need = 2; v = UInt32(b & 0x0F); minValue = 0x800 }
        else if b & 0xF8 == 0xF0 { need = 3; v = UInt32(b & 0x07); minValue = 0x10000 }
        else { return i }
        if i + need >= n { return i }
        for k in 1...need {
            let c = p[i + k]
            if c & 0xC0 != 0x80 { return i }
            v = (v << 6) | UInt32(c & 0x3F)
        }
        if v < minValue || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF) { return i }
        i += need + 1
    }
    return nil
}

// MARK: - Byte buffers and tables

/// A growable byte buffer with stable `Int` offsets (an arena for cell bytes).
struct ByteBuffer {
    private(set) var storage: UnsafeMutablePointer<UInt8>
    private(set) var count = 0
    private(set) var capacity: Int

    init(capacity: Int = 1 << 12) {
        self.capacity = max(capacity, 16)
        storage = .allocate(capacity: self.capacity)
    }

    /// Frees the storage; the buffer must not be used afterwards.
    func free() { storage.deallocate() }

    @inline(__always) mutating func reserve(_ extra: Int) {
        if count + extra <= capacity { return }
        grow(extra)
    }

    @inline(never) private mutating func grow(_ extra: Int) {
        var c = capacity
        while c < count + extra { c *= 2 }
        let s = UnsafeMutablePointer<UInt8>.allocate(capacity: c)
        s.update(from: storage, count: count)
        storage.deallocate()
        storage = s
        capacity = c
    }

    @inline(__always) mutating func append(_ b: UInt8) {
        if count == capacity { grow(1) }
        storage[count] = b
        count += 1
    }

    @inline(__always) mutating func append(_ bytes: UnsafeBufferPointer<UInt8>) {
        guard let src = bytes.baseAddress, bytes.count > 0 else { return }
        reserve(bytes.count)
        (storage + count).update(from: src, count: bytes.count)
        count += bytes.count
    }

    mutating func append(_ s: String) {
        var t = s
        t.withUTF8 { append($0) }
    }

    mutating func removeAll() { count = 0 }

    /// Replaces bytes 0x1D–0x1F (internal separators) from offset `from` on by spaces.
    mutating func sanitizeSeparators(from: Int) {
        var i = from
        // Skip words without a byte below 0x20.
        while i + 8 <= count {
            let w = UnsafeRawPointer(storage + i).loadUnaligned(as: UInt64.self)
            if ~(((w & 0x7F7F_7F7F_7F7F_7F7F) &+ 0x6060_6060_6060_6060) | w) & 0x8080_8080_8080_8080 != 0 { break }
            i += 8
        }
        while i < count {
            if storage[i] >= 0x1D && storage[i] <= 0x1F { storage[i] = 0x20 }
            i += 1
        }
    }

    mutating func truncate(to n: Int) { count = min(count, n) }

    @inline(__always) func bytes(_ start: Int, _ end: Int) -> UnsafeBufferPointer<UInt8> {
        UnsafeBufferPointer(start: storage + start, count: end - start)
    }

    func string(_ start: Int, _ end: Int) -> String {
        String(decoding: bytes(start, end), as: UTF8.self)
    }
}

/// Interns byte strings: maps each distinct key to a dense index (open addressing, keys kept in an
/// arena). Each slot holds 32 bits of the hash next to the index, so a probe touches the key bytes only
/// when the hash fragment matches.
struct ByteKeyTable {
    /// `mask + 1` slots from calloc: a large table costs memory only where it is written.
    private var slots: UnsafeMutablePointer<UInt64>
    private var mask: Int
    private var keys = ByteBuffer(capacity: 1 << 12)
    private var keyStarts: [Int] = [0]
    private(set) var count = 0

    init(capacity: Int = 16) {
        var c = 16
        while c < capacity * 2 { c *= 2 }
        slots = Self.allocateSlots(c)
        mask = c - 1
    }

    private static func allocateSlots(_ n: Int) -> UnsafeMutablePointer<UInt64> {
        guard let raw = calloc(n, MemoryLayout<UInt64>.size) else { fatalError("out of memory allocating \(n) hash slots") }
        return raw.assumingMemoryBound(to: UInt64.self)
    }

    func free() {
        keys.free()
        Foundation.free(slots)
    }

    /// Makes room for `keys` more keys of about `bytes` bytes in total (the key arena is not touched).
    mutating func reserve(keys n: Int, bytes: Int) {
        keyStarts.reserveCapacity(keyStarts.count + n)
        keys.reserve(bytes)
        var c = mask + 1
        while c < n * 2 { c *= 2 }
        if c > mask + 1 { resize(c) }
    }

    @inline(__always) static func hash(_ b: UnsafeBufferPointer<UInt8>) -> UInt64 {
        // FNV-1a over 8-byte words, then a final mix.
        var h: UInt64 = 0xcbf2_9ce4_8422_2325 ^ UInt64(b.count)
        guard let p = b.baseAddress else { return h }
        var i = 0
        let n = b.count
        while i + 8 <= n {
            let w = UnsafeRawPointer(p + i).loadUnaligned(as: UInt64.self)
            h = (h ^ w) &* 0x100_0000_01b3
            h ^= h >> 29
            i += 8
        }
        var tail: UInt64 = 0
        var shift: UInt64 = 0
        while i < n {
            tail |= UInt64(p[i]) << shift
            shift += 8
            i += 1
        }
        h = (h ^ tail) &* 0x100_0000_01b3
        h ^= h >> 32
        h = h &* 0xd6e8_feb8_6659_fd93
        h ^= h >> 32
        return h
    }

    /// The slot tag of a hash: its high 32 bits with the lowest bit set (0 marks an empty slot).
    @inline(__always) private static func tag(_ h: UInt64) -> UInt64 { ((h >> 32) | 1) << 32 }

    /// Home slot of a hash: bits 33… (recoverable from the tag, so growing never rehashes keys).
    @inline(__always) private static func home(_ h: UInt64) -> Int { Int(truncatingIfNeeded: h >> 33) }

    func key(_ index: Int) -> UnsafeBufferPointer<UInt8> { keys.bytes(keyStarts[index], keyStarts[index + 1]) }

    /// Slot of `b`: (slot index, key index or -1 when absent).
    @inline(__always) private func probe(_ b: UnsafeBufferPointer<UInt8>, _ h: UInt64) -> (Int, Int) {
        let t = Self.tag(h)
        var s = Self.home(h) & mask
        while true {
            let v = slots[s]
            if v == 0 { return (s, -1) }
            if v & 0xFFFF_FFFF_0000_0000 == t {
                let idx = Int(v & 0xFFFF_FFFF)
                if bytesEqual(key(idx), b) { return (s, idx) }
            }
            s = (s + 1) & mask
        }
    }

    /// Reads the home slot of `b` and returns it (callers fold the values into a sink): loads issued for several keys
    /// before their `intern`s overlap their cache misses, where the interns one after another would wait on each.
    @inline(__always)
    func touch(_ b: UnsafeBufferPointer<UInt8>) -> UInt64 {
        slots[Self.home(Self.hash(b)) & mask]
    }

    func find(_ b: UnsafeBufferPointer<UInt8>) -> Int? {
        let (_, idx) = probe(b, Self.hash(b))
        return idx >= 0 ? idx : nil
    }

    /// Index of `b`, inserting it when new; `inserted` tells which.
    mutating func intern(_ b: UnsafeBufferPointer<UInt8>) -> (index: Int, inserted: Bool) {
        let h = Self.hash(b)
        let (s, found) = probe(b, h)
        if found >= 0 { return (found, false) }
        let idx = count
        slots[s] = Self.tag(h) | UInt64(idx)
        count += 1
        keys.append(b)
        keyStarts.append(keys.count)
        if count * 2 > mask + 1 { resize((mask + 1) * 2) }
        return (idx, true)
    }

    private mutating func resize(_ c: Int) {
        let fresh = Self.allocateSlots(c)
        let m = c - 1
        for i in 0...mask where slots[i] != 0 {
            let v = slots[i]
            var s = Int(truncatingIfNeeded: v >> 33) & m
            while fresh[s] != 0 { s = (s + 1) & m }
            fresh[s] = v
        }
        Foundation.free(slots)
        slots = fresh
        mask = m
    }

    /// Forgets every key (keeps the allocated capacity when small).
    mutating func removeAll() {
        if mask + 1 > 1 << 12 {
            Foundation.free(slots)
            slots = Self.allocateSlots(16)
            mask = 15
        } else if count > 0 {
            slots.update(repeating: 0, count: mask + 1)
        }
        count = 0
        keyStarts.removeAll(keepingCapacity: true)
        keyStarts.append(0)
        keys.removeAll()
    }
}

// MARK: - Cell value parsing

enum DSRValue {
    /// A decimal number (`1200`, `-3`, `0.5`, `1e3`); nil when malformed.
    static func decimal(_ b: UnsafeBufferPointer<UInt8>) -> Double? {
        guard let p = b.baseAddress, b.count > 0 else { return nil }
        let n = b.count
        var i = 0
        var negative = false
        if p[0] == 0x2D { negative = true; i = 1 } else if p[0] == 0x2B { i = 1 }
        var intPart: UInt64 = 0
        var digits = 0
        while i < n, p[i] >= 0x30 && p[i] <= 0x39, digits < 18 {
            intPart = intPart * 10 + UInt64(p[i] - 0x30)
            i += 1
            digits += 1
        }
        if i == n && digits > 0 {
            let v = Double(intPart)
            return negative ? -v : v
        }
        // Slow path: fractions, exponents, long numbers.
        guard n <= 64, let s = String(validating: b, as: UTF8.self), let v = Double(s), v.isFinite else { return nil }
        // Reject forms Double accepts but DSR does not ("nan", "inf", hex).
        for k in 0..<n {
            let c = p[k]
            if !((c >= 0x30 && c <= 0x39) || c == 0x2E || c == 0x2D || c == 0x2B || c == 0x65 || c == 0x45) { return nil }
        }
        return v
    }

    /// A non-negative integer; nil when malformed.
    static func integer(_ b: UnsafeBufferPointer<UInt8>) -> Int? {
        guard let p = b.baseAddress, b.count > 0, b.count <= 18 else { return nil }
        var v = 0
        for i in 0..<b.count {
            let c = p[i]
            guard c >= 0x30 && c <= 0x39 else { return nil }
            v = v * 10 + Int(c - 0x30)
        }
        return v
    }

    /// Seconds of an ISO 8601 duration (`PT3M30S`, `PT1H2M3.5S`, `PT199S`); nil when malformed.
    /// Handles the common `PT…` forms on bytes and falls back to `DurationParser` for the rest.
    static func durationSeconds(_ b: UnsafeBufferPointer<UInt8>) -> (ok: Bool, seconds: Int?) {
        guard let p = b.baseAddress, b.count > 0 else { return (true, nil) }
        let n = b.count
        if n >= 3 && p[0] == 0x50 && p[1] == 0x54 {
            var total = 0
            var value = 0
            var digits = 0
            var i = 2
            var fast = true
            var parts = 0
            while i < n {
                let c = p[i]
                if c >= 0x30 && c <= 0x39 {
                    value = value * 10 + Int(c - 0x30)
                    digits += 1
                    if digits > 9 { fast = false; break }
                } else if digits > 0 && (c == 0x48 || c == 0x4D || c == 0x53) {
                    total += value * (c == 0x48 ? 3600 : c == 0x4D ? 60 : 1)
                    value = 0
                    digits = 0
                    parts += 1
                } else {
                    fast = false
                    break
                }
                i += 1
            }
            if fast {
                guard digits == 0 && parts > 0 else { return (false, nil) }
                return (true, total)
            }
        }
        guard let s = String(validating: b, as: UTF8.self), let v = try? DurationParser.seconds(s) else { return (false, nil) }
        return (true, v)
    }

    /// Whether `b` is an ISRC in canonical form (`[A-Z]{2}[A-Z0-9]{3}[0-9]{7}`).
    static func isCanonicalISRC(_ b: UnsafeBufferPointer<UInt8>) -> Bool {
        guard b.count == 12, let p = b.baseAddress else { return false }
        for i in 0..<12 {
            let c = p[i]
            let upper = c >= 0x41 && c <= 0x5A
            let digit = c >= 0x30 && c <= 0x39
            if i < 2 { if !upper { return false } } else if i < 5 { if !(upper || digit) { return false } } else if !digit { return false }
        }
        return true
    }

    /// Whether `b` is a valid ISWC in canonical form (`T` + 9 digits + check digit).
    static func isCanonicalISWC(_ b: UnsafeBufferPointer<UInt8>) -> Bool {
        guard b.count == 11, let p = b.baseAddress, p[0] == 0x54 else { return false }
        var sum = 1
        for i in 1...10 {
            let c = p[i]
            guard c >= 0x30 && c <= 0x39 else { return false }
            if i <= 9 { sum += i * Int(c - 0x30) }
        }
        return (10 - sum % 10) % 10 == Int(p[10] - 0x30)
    }

    /// The canonical ISRC when `b` is one (`[A-Z]{2}[A-Z0-9]{3}[0-9]{7}`; lower case, dashes and an
    /// `ISRC` label are accepted through `ISRC.parse`).
    static func isrc(_ b: UnsafeBufferPointer<UInt8>) -> String? {
        if b.count == 12, let p = b.baseAddress {
            var ok = true
            for i in 0..<12 {
                let c = p[i]
                let upper = c >= 0x41 && c <= 0x5A
                let digit = c >= 0x30 && c <= 0x39
                if i < 2 { ok = ok && upper } else if i < 5 { ok = ok && (upper || digit) } else { ok = ok && digit }
            }
            if ok { return String(decoding: b, as: UTF8.self) }
        }
        guard let s = String(validating: b, as: UTF8.self) else { return nil }
        return ISRC.parse(s)?.value
    }
}
