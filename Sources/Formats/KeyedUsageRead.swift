import Foundation
import OeuvreCore

/// One part of a usage file read by `UsageReports.readKeyed`, its records in file order. Arrays are indexed by
/// the record's position in the part (`i`): a keyed record is `records[i] ≥ 0` (its slot), any other is the usage
/// line `lines[-records[i] - 1]` of the `KeyedUsageRead`.
public struct KeyedUsagePart: Sendable {
    /// Per record: the slot of a keyed record, or `-(line index + 1)`.
    public internal(set) var records: [Int32] = []
    /// Per record: its plays (the line's for a usage line).
    public internal(set) var plays: [Double] = []
    /// Per record, when the file has a net_revenue column: a keyed record's net revenue (NaN when the cell is empty).
    public internal(set) var netRevenues: [Double] = []
    var keepsNetRevenue = false
    /// Per record: the end of its line id in `ids` (a keyed record's id is `ids[idEnds[i - 1]..<idEnds[i]]`; empty
    /// when the line_id cell is, and the id is then the row number `firstRecord + i + 1`). Usage lines add no bytes.
    public internal(set) var idEnds: [Int] = []
    public internal(set) var ids: [UInt8] = []
    /// Per record: the physical line it starts on.
    public internal(set) var physicalLines: [Int] = []
    /// Records in the parts before this one.
    public internal(set) var firstRecord = 0

    // While reading: the part's usage lines and the keys it met (its own slot numbers), emptied once merged.
    var lines: [UsageLine] = []
    var slotKeys: [UInt64] = []
    var slotValues: [Int32] = []

    public var count: Int { records.count }

    /// The line id bytes of keyed record `i` as written (trimmed); empty when the id is the row number.
    @inline(__always)
    public func idRange(_ i: Int) -> Range<Int> { (i == 0 ? 0 : idEnds[i - 1])..<idEnds[i] }
}

/// A usage file read as keyed records and usage lines (`UsageReports.readKeyed`).
public struct KeyedUsageRead: Sendable {
    public var parts: [KeyedUsagePart]
    /// The records that are not keyed, in file order.
    public var lines: [UsageLine]
    /// Per slot (in order of first appearance): the ISRC key and the value `accept` gave it (≥ 0).
    public var slotKeys: [UInt64]
    public var slotValues: [Int32]
    public var file: UsageFileStats
    public var records: Int
    /// The file's warnings, as `UsageReports.read` gives them.
    public var warnings: [ReportWarning] { file.warnings }
}

/// ISRC key → 64-bit payload: open addressing on the key (0, no ISRC's key, marks a free place), key and payload
/// side by side (one cache line per probe).
struct ISRCKeyTable {
    private var entries: [UInt64]
    private var shift: UInt64
    private(set) var count = 0

    init(capacity: Int) {
        var bits: UInt64 = 4
        while (1 << bits) < 2 * capacity { bits += 1 }
        entries = [UInt64](repeating: 0, count: 2 << bits)
        shift = 64 - bits
    }

    @inline(__always)
    private func place(_ key: UInt64) -> Int { Int(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15) >> shift) }

    /// The key at `key`'s first place (loading it early lets the cache miss overlap other work).
    @inline(__always)
    func touch(_ key: UInt64) -> UInt64 {
        entries.withUnsafeBufferPointer { $0[2 * place(key)] }
    }

    /// The payload of `key`, nil when absent. `hint`: `touch(key)`, or 0.
    @inline(__always)
    func find(_ key: UInt64, hint: UInt64 = 0) -> UInt64? {
        entries.withUnsafeBufferPointer { e in
            let mask = e.count / 2 - 1
            var i = place(key)
            // Keeps the early load: a first place holding another key is not compared again.
            if hint != 0 && hint != key && hint == e[2 * i] { i = (i + 1) & mask }
            while true {
                let k = e[2 * i]
                if k == key { return e[2 * i + 1] }
                if k == 0 { return nil }
                i = (i + 1) & mask
            }
        }
    }

    /// Adds `key` (absent) with `payload`. The table grows past 3/4 full: linear probes stay within a cache line
    /// or two, and a smaller table (a part's distinct ISRCs, larger than L2) misses the last-level cache less.
    mutating func insert(_ key: UInt64, _ payload: UInt64) {
        if 8 * (count + 1) > 3 * entries.count { grow() }
        let mask = entries.count / 2 - 1
        var i = place(key)
        while entries[2 * i] != 0 { i = (i + 1) & mask }
        entries[2 * i] = key
        entries[2 * i + 1] = payload
        count += 1
    }

    private mutating func grow() {
        let old = entries
        shift -= 1
        entries = [UInt64](repeating: 0, count: old.count * 2)
        let mask = entries.count / 2 - 1
        for j in stride(from: 0, to: old.count, by: 2) where old[j] != 0 {
            var i = place(old[j])
            while entries[2 * i] != 0 { i = (i + 1) & mask }
            entries[2 * i] = old[j]
            entries[2 * i + 1] = old[j + 1]
        }
    }
}

extension UsageReports {
    /// Reads a CSV/TSV usage file (as `read(paths:)` reads one) keeping most lines as a few numbers: a record whose
    /// ISRC cell holds a valid ISRC (any form `ISRC.parse` takes) whose key (`ISRCKey`) `accept` maps to a value
    /// ≥ 0 becomes a keyed record (slot of its key, plays, line id bytes, physical line) instead of a `UsageLine`;
    /// `accept` is called once per key and part, from the reading threads. Every record passes the same checks,
    /// with the same errors (file:line:column), as with `read`; the warnings (duplicate line ids, lines that
    /// cannot be matched, invalid identifiers) are those `read` gives, in the same order, with the same counts.
    /// A plain TSV file is read on `options.threads` threads as `read` does.
    /// `accept`'s values must differ between keys and lie below `valueBound` (e.g. where the index keeps the link).
    /// `minimumBytes`: the smallest file read in parts (tests make it 0).
    public static func readKeyed(path: String, options: UsageReadOptions = UsageReadOptions(), minimumBytes: Int = 8 << 20,
                                 valueBound: Int, accept: @escaping @Sendable (UInt64) -> Int32) throws(OeuvreError) -> KeyedUsageRead
    {
        try requireRegularFile(path)
        let reader = try UsageCSVReader(path: path, renames: options.renames)
        var stats = UsageFileStats(format: reader.dialect == .tsv ? "tsv" : "csv", path: path)
        let (parts, lines, slotKeys, slotValues) = try reader.readKeyed(threads: options.threads, minimumBytes: minimumBytes,
                                                                        valueBound: valueBound, accept: accept)
        let records = parts.reduce(0) { $0 + $1.count }
        var warnings = WarningCollector()
        if let message = reader.mapping.ignoredColumnsMessage(contract: "usage") {
            warnings.add(5, message, at: SourcePosition(file: path, line: 1))
        }
        let duplicates = duplicateLineIds(parts: parts, lines: lines, threads: options.threads)
        var unmatchable = 0
        var firstUnmatchable: Int?
        for k in lines.indices where lines[k].title.isEmpty && lines[k].isrc == nil {
            unmatchable += 1
            if firstUnmatchable == nil { firstUnmatchable = k }
        }
        // In the order `read` meets them: line by line, a duplicate id before an unmatchable line.
        var found: [(line: Int, add: (inout WarningCollector) -> Void)] = []
        if let first = duplicates.first {
            let (p, i) = locate(first, in: parts)
            let id = String(decoding: lineIdBytes(parts: parts, lines: lines, part: p, record: i), as: UTF8.self)
            let position = SourcePosition(file: path, line: parts[p].physicalLines[i])
            found.append((position.line, { $0.add(1, "duplicate line_id '\(id)'", at: position, count: duplicates.count) }))
        }
        if let k = firstUnmatchable {
            let position = lines[k].position
            found.append((position?.line ?? 0, {
                $0.add(2, "line with neither a title nor a valid ISRC cannot be matched", at: position, count: unmatchable)
            }))
        }
        for f in found.sorted(by: { $0.line < $1.line }) { f.add(&warnings) }
        for (position, message) in reader.invalidIdentifiers {
            warnings.add(message.hasPrefix("invalid ISRC") ? 3 : 4,
                         message.hasPrefix("invalid ISRC") ? "invalid ISRC not used for matching: \(message)" : "invalid ISWC not used for matching: \(message)",
                         at: position)
        }
        for part in parts {
            for p in part.plays { stats.plays += p }
            guard part.keepsNetRevenue else { continue }
            for i in 0..<part.count {
                let v = part.records[i]
                let r = v >= 0 ? (part.netRevenues[i].isNaN ? nil : part.netRevenues[i]) : lines[Int(-v) - 1].netRevenue
                if let r { stats.netRevenue = (stats.netRevenue ?? 0) + r }
            }
        }
        stats.physicalLines = reader.lastLine
        stats.usageRecords = records
        stats.lines = records
        stats.warnings = warnings.items
        return KeyedUsageRead(parts: parts, lines: lines, slotKeys: slotKeys, slotValues: slotValues, file: stats, records: records)
    }

    /// Part and position in it of global record `r`.
    static func locate(_ r: Int, in parts: [KeyedUsagePart]) -> (part: Int, record: Int) {
        var p = parts.count - 1
        while p > 0 && parts[p].firstRecord > r { p -= 1 }
        return (p, r - parts[p].firstRecord)
    }

    /// The line id of record `i` of part `p` as `read` gives it (before any `label/` prefix).
    static func lineIdBytes(parts: [KeyedUsagePart], lines: [UsageLine], part p: Int, record i: Int) -> [UInt8] {
        let v = parts[p].records[i]
        if v < 0 { return Array(lines[Int(-v) - 1].lineId.utf8) }
        let range = parts[p].idRange(i)
        if range.isEmpty { return Array(String(parts[p].firstRecord + i + 1).utf8) }
        return Array(parts[p].ids[range])
    }

    /// The records whose line id an earlier record has: how many, and the first (a global record index). Each
    /// part's ids are hashed at once and spread by hash into `buckets` lists of (upper 32 bits of the hash, record + 1)
    /// words, in record order; the buckets are then checked at once, each with a table small enough for the cache.
    /// Ids are compared only when those hash bits are equal.
    static func duplicateLineIds(parts: [KeyedUsagePart], lines: [UsageLine], threads: Int, buckets given: Int? = nil)
        -> (first: Int?, count: Int)
    {
        let total = parts.reduce(0) { $0 + $1.count }
        guard total > 1 else { return (nil, 0) }
        precondition(total < Int(UInt32.max), "more records than a line id table holds")
        let buckets = given ?? (total >= 1 << 16 ? 256 : 1)  // a power of two
        let spread = SharedSlots<[[UInt64]]>(count: parts.count)
        let box = SendableBox((parts, lines))
        UsageCSVReader.onThreads(parts.count) { p in
            let (parts, lines) = box.value
            let part = parts[p]
            var out = [[UInt64]](repeating: [], count: buckets)
            for b in 0..<buckets { out[b].reserveCapacity(part.count / buckets + part.count / (4 * buckets) + 16) }
            part.records.withUnsafeBufferPointer { records in
                part.idEnds.withUnsafeBufferPointer { idEnds in
                    part.ids.withUnsafeBytes { ids in
                        for i in 0..<records.count {
                            let v = records[i]
                            let h: UInt64
                            let lo = i == 0 ? 0 : idEnds[i - 1], hi = idEnds[i]
                            if v < 0 {
                                h = LineIdSet.hash(lines[Int(-v) - 1].lineId)
                            } else if lo == hi {
                                // The row number stands in for the line id.
                                h = withDecimalDigits(part.firstRecord + i + 1) { LineIdSet.hash($0) }
                            } else {
                                h = LineIdSet.hash(UnsafeRawBufferPointer(rebasing: ids[lo..<hi]))
                            }
                            out[Int(h & UInt64(buckets - 1))].append((h >> 32) << 32 | UInt64(part.firstRecord + i + 1))
                        }
                    }
                }
            }
            spread.set(p, out)
        }
        let lists = SendableBox((0..<parts.count).map { spread.get($0) ?? [] })
        let workers = max(1, min(threads, buckets))
        let found = SharedSlots<(first: Int?, count: Int)>(count: workers)
        UsageCSVReader.onThreads(workers) { w in
            let (parts, lines) = box.value
            var first: Int?
            var dups = 0
            var table: [UInt64] = []
            for b in stride(from: w, to: buckets, by: workers) {
                let n = lists.value.reduce(0) { $0 + ($1.isEmpty ? 0 : $1[b].count) }
                var size = 16
                while size < 2 * n { size *= 2 }
                if table.count != size { table = [UInt64](repeating: 0, count: size) } else { table.withUnsafeMutableBufferPointer { $0.update(repeating: 0) } }
                let mask = size - 1
                for list in lists.value where !list.isEmpty {
                    for e in list[b] {
                        let hi = e >> 32
                        var j = Int(truncatingIfNeeded: hi) & mask
                        var duplicate = false
                        while true {
                            let t = table[j]
                            if t == 0 { break }
                            if t >> 32 == hi {
                                let (q, k) = locate(Int(t & 0xFFFF_FFFF) - 1, in: parts)
                                let (p, i) = locate(Int(e & 0xFFFF_FFFF) - 1, in: parts)
                                if lineIdBytes(parts: parts, lines: lines, part: q, record: k) == lineIdBytes(parts: parts, lines: lines, part: p, record: i) {
                                    duplicate = true
                                    break
                                }
                            }
                            j = (j + 1) & mask
                        }
                        if duplicate {
                            dups += 1
                            let r = Int(e & 0xFFFF_FFFF) - 1
                            first = min(first ?? r, r)
                        } else {
                            table[j] = e
                        }
                    }
                }
            }
            found.set(w, (first, dups))
        }
        var first: Int?
        var count = 0
        for w in 0..<workers {
            guard let f = found.get(w) else { continue }
            count += f.count
            if let x = f.first { first = min(first ?? x, x) }
        }
        return (first, count)
    }
}

/// Values written once each by parallel threads.
final class SharedSlots<T>: @unchecked Sendable {
    private let lock = NSLock()
    private var items: [T?]
    init(count: Int) { items = Array(repeating: nil, count: count) }
    func set(_ k: Int, _ v: T) {
        lock.lock()
        items[k] = v
        lock.unlock()
    }
    func get(_ k: Int) -> T? {
        lock.lock()
        defer { lock.unlock() }
        return items[k]
    }
}

/// A value handed to other threads that only read it.
final class SendableBox<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}

/// The decimal digits of `n` (≥ 0) as bytes on the stack, handed to `body`: the row number that stands in
/// for a missing line id, hashed by the duplicate check and written by the direct match path.
@inline(__always)
public func withDecimalDigits<R>(_ n: Int, _ body: (UnsafeRawBufferPointer) -> R) -> R {
    var buffer = (UInt64(0), UInt64(0), UInt64(0))
    return withUnsafeMutableBytes(of: &buffer) { d in
        var n = n, k = d.count
        repeat {
            k -= 1
            d[k] = UInt8(48 + n % 10)
            n /= 10
        } while n > 0
        return body(UnsafeRawBufferPointer(rebasing: d[k...]))
    }
}
