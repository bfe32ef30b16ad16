import Foundation
import Normalization
import OeuvreCore

/// Identical recordings among usage lines, collapsed into one matching unit.
///
/// A report lists the same recording many times (one line per sales context, per release it appears
/// on, per file). The matcher matches each group once and copies the result to every line of the
/// group (`lineIndices` / `lineIds`).
public struct RecordingGroup: Sendable {
    /// The ISRC of the group's first line, as reported (its other fields live on in `profile`; a whole copy of the
    /// line held ≈ 300 bytes a recording more, for as long as the results).
    public var isrc: String?
    /// Indices of the group's lines in the grouped array, ascending.
    public var lineIndices: [Int]
    /// Line ids of the group's lines, parallel to `lineIndices`.
    public var lineIds: [String]
    /// Plays summed over the group's lines.
    public var plays: Double
    /// The normalized profile to match: the representative's, with writers, writer IPIs, ISWC and
    /// duration merged from every line of the group.
    public var profile: LineProfile {
        get { profileBox.value }
        set {
            if isKnownUniquelyReferenced(&profileBox) { profileBox.value = newValue } else { profileBox = ProfileBox(newValue) }
        }
    }
    /// The profile, held out of line (copy on write): a `LineProfile` is 200 bytes, and groups and their results are
    /// moved into title order, into batches and back into group order; inline, a `GroupResult` was 272 bytes and the
    /// 1M-line bench's results array alone 155 MB of fresh pages.
    private var profileBox: ProfileBox

    public init(isrc: String?, lineIndices: [Int], lineIds: [String], plays: Double, profile: LineProfile) {
        self.isrc = isrc
        self.lineIndices = lineIndices
        self.lineIds = lineIds
        self.plays = plays
        self.profileBox = ProfileBox(profile)
    }

    /// A group whose profile is `box`, shared (no allocation: for placeholders and released profiles).
    init(isrc: String?, lineIndices: [Int], lineIds: [String], plays: Double, sharing box: ProfileBox) {
        self.isrc = isrc
        self.lineIndices = lineIndices
        self.lineIds = lineIds
        self.plays = plays
        self.profileBox = box
    }

    /// Gives up the profile for `box`'s (shared: no allocation), as results do when `MatchOptions.keepProfiles` is off.
    mutating func shareProfile(_ box: ProfileBox) { profileBox = box }
}

/// A `LineProfile` on the heap (`RecordingGroup.profile`). Mutated only through a uniquely referenced box.
final class ProfileBox: @unchecked Sendable {
    var value: LineProfile
    init(_ value: LineProfile) { self.value = value }
}

/// The result of grouping: the groups, in order of first appearance, and each line's group.
public struct RecordingGrouping: Sendable {
    public var groups: [RecordingGroup]
    /// Group index of each input line (`groups[groupOfLine[i]]` holds line `i`).
    public var groupOfLine: [Int32]
}

/// Groups usage lines that report the same recording: same ISRC (or both without one), same
/// normalized core title and version tags, same set of normalized artists, and no conflicting ISWC.
///
/// Cost: one hash per line; normalization (ICU) once per distinct raw metadata tuple
/// (ISRC, title, subtitle, artist, writers, ids, ISWC, duration), spread over `threads` threads,
/// each with its own `ProfileBuilder`. A monthly DSR repeats each recording per sales context, so the
/// normalization work is a fraction of the line count.
public struct RecordingGrouper: Sendable {
    public var threads: Int

    public init(threads: Int = ProcessInfo.processInfo.activeProcessorCount) {
        self.threads = max(1, threads)
    }

    /// The grouping key of a profile (without the ISWC, which is compared separately).
    public static func key(_ p: LineProfile) -> String {
        var k = p.isrc ?? ""
        k += "\u{1}"
        k += p.title
        k += "\u{1}"
        k += p.tags.count < 2 ? (p.tags.first ?? "") : p.tags.sorted().joined(separator: ",")
        k += "\u{1}"
        // The distinct artists in order (a hashed set per profile cost more than the rest of the key).
        if p.artists.count < 2 {
            k += p.artists.first ?? ""
        } else {
            var artists = p.artists.sorted()
            var unique = 1
            for i in 1..<artists.count where artists[i] != artists[unique - 1] {
                artists.swapAt(i, unique)
                unique += 1
            }
            k += artists[..<unique].joined(separator: ",")
        }
        return k
    }

    public func group(_ lines: [UsageLine]) -> RecordingGrouping {
        group(lines, hashesCollide: false)
    }

    /// `hashesCollide` (tests): every raw tuple and key hashes alike, so that only the comparisons tell them apart.
    func group(_ lines: [UsageLine], hashesCollide: Bool) -> RecordingGrouping {
        // The serial steps below read 64-bit hashes computed on every thread beforehand, in tables of their own: Swift
        // dictionaries keyed by the strings hashed them with SipHash after an NFC check, on one thread (at 1M lines
        // ≈ 3.5 s for the raw tuples and ≈ 1.5 s for the keys, with both cores' matching waiting).
        // 1. Distinct raw metadata. Equal hashes are confirmed by comparing the fields; tuples whose strings are
        // canonically equal but differently encoded hash apart and stay apart here, and their (equal) profiles
        // group together in step 3.
        let rawHashes = hashesCollide ? [UInt64](repeating: 0, count: lines.count) : Self.rawHashes(lines, threads: threads)
        let (rawFirstLine, rawOfLine) = Self.distinctRaw(lines, hashes: rawHashes) { _ in true }
        releaseInBackground(rawHashes)
        // 2. Profiles of the distinct tuples and their keys, in parallel.
        var (profiles, keys) = Self.profilesAndKeys(of: lines, at: rawFirstLine, threads: threads)
        let keyHashes = hashesCollide ? [UInt64](repeating: 0, count: keys.count) : Self.hashes(of: keys, threads: threads)
        // 3. Group the profiles, in place: group g's profile is moved to `profiles[g]` (g ≤ r: groups are numbered
        // in order of their first tuple), a tuple that joins a group is merged into it. No profile is copied (a
        // LineProfile holds ~20 reference-counted arrays: copies were a tenth of this serial step). A tuple joins the
        // first group of its key (in creation order) whose ISWC does not conflict with its own.
        var groupOfRaw = [Int32](repeating: -1, count: profiles.count)
        var groupCount = 0
        var firstRawOfGroup: [Int32] = []
        var nextOfSameKey: [Int32] = []
        profiles.withUnsafeMutableBufferPointer { buf in
            var table = HashSlots(count: buf.count)
            for r in buf.indices {
                let h = keyHashes[r]
                var s = table.home(h)
                var head: Int32 = -1
                while true {
                    let g = table.value[s]
                    if g < 0 { break }
                    if table.hash[s] == h && keys[Int(firstRawOfGroup[Int(g)])] == keys[r] {
                        head = g
                        break
                    }
                    s = (s + 1) & table.mask
                }
                var chosen: Int32 = -1
                var last: Int32 = -1
                let iswc = buf[r].iswc
                var g = head
                while g >= 0 {
                    let gi = buf[Int(g)].iswc
                    if gi == nil || iswc == nil || gi == iswc {
                        chosen = g
                        break
                    }
                    last = g
                    g = nextOfSameKey[Int(g)]
                }
                if chosen < 0 {
                    chosen = Int32(groupCount)
                    if groupCount != r { buf.swapAt(groupCount, r) }
                    groupCount += 1
                    firstRawOfGroup.append(Int32(r))
                    nextOfSameKey.append(-1)
                    if head < 0 {
                        table.hash[s] = h
                        table.value[s] = chosen
                    } else {
                        nextOfSameKey[Int(last)] = chosen
                    }
                } else {
                    Self.merge(buf[r], into: &buf[Int(chosen)])
                }
                groupOfRaw[r] = chosen
            }
        }
        releaseInBackground(consume keys)
        profiles.removeLast(profiles.count - groupCount)
        // Reversed (by moves: `reverse()` copies each profile through a temporary), so that each group takes its
        // profile off the end as it is created below.
        MatchPipeline.permute(&profiles, by: Array((0..<groupCount).reversed()))
        // 4. Lines per group (fields read in place: a UsageLine copy retains and releases its dozen strings).
        var groups: [RecordingGroup] = []
        groups.reserveCapacity(groupCount)
        var groupOfLine = [Int32](repeating: 0, count: lines.count)
        for i in lines.indices {
            let g = groupOfRaw[Int(rawOfLine[i])]
            groupOfLine[i] = g
            if Int(g) == groups.count {
                groups.append(RecordingGroup(isrc: lines[i].isrc, lineIndices: [i], lineIds: [lines[i].lineId], plays: lines[i].plays,
                                             profile: profiles.removeLast()))
            } else {
                groups[Int(g)].lineIndices.append(i)
                groups[Int(g)].lineIds.append(lines[i].lineId)
                groups[Int(g)].plays += lines[i].plays
            }
        }
        return RecordingGrouping(groups: groups, groupOfLine: groupOfLine)
    }

    /// The distinct raw metadata tuples (`sameRaw`) of the lines that `include` admits, in order of their first line:
    /// each tuple's first line, and each line's tuple (-1 for lines not admitted). `hashes`: `rawHashes` of the lines.
    static func distinctRaw(_ lines: [UsageLine], hashes: [UInt64], include: (Int) -> Bool) -> (firstLine: [Int], rawOfLine: [Int32]) {
        var firstLine: [Int] = []
        var rawOfLine = [Int32](repeating: -1, count: lines.count)
        lines.withUnsafeBufferPointer { lines in
            var table = HashSlots(count: lines.count)
            for i in lines.indices where include(i) {
                let h = hashes[i]
                var s = table.home(h)
                while true {
                    let r = table.value[s]
                    if r < 0 {
                        let new = Int32(firstLine.count)
                        table.hash[s] = h
                        table.value[s] = new
                        firstLine.append(i)
                        rawOfLine[i] = new
                        break
                    }
                    if table.hash[s] == h && Self.sameRaw(lines[i], lines[firstLine[Int(r)]]) {
                        rawOfLine[i] = r
                        break
                    }
                    s = (s + 1) & table.mask
                }
            }
        }
        return (firstLine, rawOfLine)
    }

    /// Whether two lines have the same raw metadata tuple (the fields a line profile and its group key are made of
    /// here: ISRC, title, subtitle, artist, writers, writer ids, ISWC, duration).
    @inline(__always)
    static func sameRaw(_ a: borrowing UsageLine, _ b: borrowing UsageLine) -> Bool {
        a.title == b.title && a.artist == b.artist && a.isrc == b.isrc && a.subtitle == b.subtitle && a.duration == b.duration
            && a.iswc == b.iswc && a.writers == b.writers && a.writerIds == b.writerIds
    }

    /// A 64-bit hash of each line's raw metadata tuple (the UTF-8 bytes of `sameRaw`'s fields), on `threads` threads.
    static func rawHashes(_ lines: [UsageLine], threads: Int) -> [UInt64] {
        parallelHashes(count: lines.count, threads: threads) { i, h in
            h.add(lines[i].title)
            h.add(lines[i].artist)
            h.add(lines[i].isrc)
            h.add(lines[i].subtitle)
            h.add(lines[i].iswc)
            h.add(UInt64(bitPattern: Int64(lines[i].duration ?? -1)))
            h.add(UInt64(lines[i].writers.count))
            for w in lines[i].writers { h.add(w) }
            h.add(UInt64(lines[i].writerIds.count))
            for w in lines[i].writerIds { h.add(w) }
        }
    }

    /// A 64-bit hash of each string, on `threads` threads, consistent with `String`'s `==` (canonical equivalence):
    /// the UTF-8 bytes of its NFC form (a string that is not ASCII is composed first).
    static func hashes(of strings: [String], threads: Int) -> [UInt64] {
        parallelHashes(count: strings.count, threads: threads) { i, h in
            let s = strings[i]
            h.add(s.utf8.allSatisfy { $0 < 0x80 } ? s : s.precomposedStringWithCanonicalMapping)
        }
    }

    /// `add(i, &hash)` for i in 0..<count, in chunks on `threads` threads: each item's `ByteHash` value.
    private static func parallelHashes(count: Int, threads: Int, _ add: (Int, inout ByteHash) -> Void) -> [UInt64] {
        var out = [UInt64](repeating: 0, count: count)
        out.withUnsafeMutableBufferPointer { out in
            let box = UncheckedSendable(out)
            let ranges = chunkRanges(count, parts: max(1, min(threads, count / 4096 + 1)) * 4)
            parallel(ranges.count, threads: threads) { c in
                for i in ranges[c] {
                    var h = ByteHash()
                    add(i, &h)
                    box.value[i] = h.value
                }
            }
        }
        return out
    }

    /// The partition (0 ..< `count`) of every line, such that no recording group spans two partitions: matching
    /// each partition whole gives every line the result it gets from matching all the lines together (groups,
    /// their merged profiles and their results are the same; `MatchPipeline` results do not depend on which
    /// other recordings share a batch). Lines with an ISRC go by the ISRC's packed key (the key the direct ISRC
    /// hits are shared by; lines of a group have the same ISRC string), the others by their normalized core title
    /// (part of the group key), computed once per distinct raw metadata tuple. Deterministic (FNV-1a).
    public func partitions(of lines: [UsageLine], count: Int) -> [UInt8] {
        precondition((1...256).contains(count), "partitions: 1 to 256")
        var out = [UInt8](repeating: 0, count: lines.count)
        guard count > 1 else { return out }
        @inline(__always) func bucket(_ tag: UInt8, _ bytes: some Sequence<UInt8>) -> UInt8 {
            var h: UInt64 = 0xcbf2_9ce4_8422_2325
            h = (h ^ UInt64(tag)) &* 0x100_0000_01b3
            for b in bytes { h = (h ^ UInt64(b)) &* 0x100_0000_01b3 }
            h ^= h >> 29  // the low bits of FNV-1a mix poorly
            return UInt8(truncatingIfNeeded: h % UInt64(count))
        }
        var untitled = [Bool](repeating: false, count: lines.count)
        for (i, l) in lines.enumerated() {
            if let isrc = l.isrc, !isrc.isEmpty {  // an empty ISRC groups as none (`key`)
                if let key = ISRCKey.pack(isrc) {
                    withUnsafeBytes(of: key.littleEndian) { out[i] = bucket(1, $0) }
                } else {
                    out[i] = bucket(2, isrc.utf8)
                }
                continue
            }
            untitled[i] = true
        }
        let (rawFirstLine, rawOfLine) = Self.distinctRaw(lines, hashes: Self.rawHashes(lines, threads: threads)) { untitled[$0] }
        let titles = Self.profilesAndKeys(of: lines, at: rawFirstLine, threads: threads, keys: false).profiles.map { bucket(3, $0.title.utf8) }
        for i in lines.indices where untitled[i] { out[i] = titles[Int(rawOfLine[i])] }
        return out
    }

    static func merge(_ p: LineProfile, into g: inout LineProfile) {
        for w in p.writers where !g.writers.contains(w) { g.writers.append(w) }
        for i in p.writerIPIs where !g.writerIPIs.contains(i) { g.writerIPIs.append(i) }
        if g.iswc == nil { g.iswc = p.iswc }
        if g.duration == nil { g.duration = p.duration }
        for a in p.originalArtists where !g.originalArtists.contains(a) { g.originalArtists.append(a) }
    }

    /// `LineProfile`s of `lines`, computed on up to `threads` threads (one `ProfileBuilder` each).
    public static func profiles(of lines: [UsageLine], threads: Int) -> [LineProfile] {
        profilesAndKeys(of: lines, threads: threads, keys: false).profiles
    }

    /// `LineProfile`s of `lines` and (when `keys`) their grouping keys (`key`), computed on up to `threads` threads
    /// straight into the arrays returned (no copy of a profile).
    static func profilesAndKeys(of lines: [UsageLine], threads: Int, keys: Bool = true) -> (profiles: [LineProfile], keys: [String]) {
        profilesAndKeys(of: lines, at: Array(lines.indices), threads: threads, keys: keys)
    }

    /// The same for the lines at `positions` (the lines are read in place: a copy of a distinct line each would hold
    /// ≈ 400 bytes a line more while the profiles are built).
    static func profilesAndKeys(of lines: [UsageLine], at positions: [Int], threads: Int, keys: Bool = true)
        -> (profiles: [LineProfile], keys: [String])
    {
        let n = positions.count
        if n == 0 { return ([], []) }
        let workers = max(1, min(threads, n / 256 + 1))
        // Chunks of `chunk` positions, taken in turn by whichever thread is free: halves fixed in advance finished
        // up to 0.3 s apart on 100k distinct lines (titles in other scripts, MeCab and ICU's first use of each
        // transliterator fall unevenly), with the other core idle meanwhile.
        let chunk = 256
        let chunks = (n + chunk - 1) / chunk
        var keyOut: [String] = keys ? [String](repeating: "", count: n) : []
        let profiles = keyOut.withUnsafeMutableBufferPointer { keyBuf in
            let keyBox = UncheckedSendable(keyBuf)
            return [LineProfile](unsafeUninitializedCapacity: n) { buf, initialized in
                let box = UncheckedSendable(buf.baseAddress!)
                let next = AtomicCounter()
                parallelWorkers(workers) { _ in
                    let builder = ProfileBuilder()
                    while true {
                        let c = next.next()
                        if c >= chunks { break }
                        for i in (c * chunk)..<min(n, (c + 1) * chunk) {
                            let p = builder.line(lines[positions[i]])
                            if keys { keyBox.value[i] = key(p) }
                            (box.value + i).initialize(to: p)
                        }
                    }
                }
                initialized = n
            }
        }
        return (profiles, keyOut)
    }
}

/// FNV-1a over UTF-8 bytes, each string closed by a byte no UTF-8 text holds (0xFF; 0xFE for an absent one), so that
/// field boundaries count.
struct ByteHash {
    private(set) var state: UInt64 = 0xcbf2_9ce4_8422_2325

    @inline(__always)
    mutating func add(_ s: String?) {
        guard var s else {
            byte(0xFE)
            return
        }
        s.withUTF8 { for b in $0 { byte(b) } }
        byte(0xFF)
    }

    @inline(__always)
    mutating func add(_ v: UInt64) {
        for k in 0..<8 { byte(UInt8(truncatingIfNeeded: v >> (8 * k))) }
    }

    @inline(__always)
    private mutating func byte(_ b: UInt8) { state = (state ^ UInt64(b)) &* 0x100_0000_01b3 }

    /// The state with its high bits folded down (FNV-1a's low bits mix poorly).
    var value: UInt64 { (state ^ (state >> 29)) &* 0xbf58_476d_1ce4_e5b9 }
}

/// An open-addressing table of 64-bit hashes → Int32 values (-1 = empty) for at most `count` entries, probed by
/// its users (linear probing; they confirm a hash match by comparing what the value stands for).
struct HashSlots {
    var hash: [UInt64]
    var value: [Int32]
    let mask: Int
    private let shift: UInt64

    init(count: Int) {
        var c = 16
        while c < 2 * count { c <<= 1 }
        hash = [UInt64](repeating: 0, count: c)
        value = [Int32](repeating: -1, count: c)
        mask = c - 1
        shift = UInt64(64 - c.trailingZeroBitCount)
    }

    @inline(__always)
    func home(_ h: UInt64) -> Int { Int(truncatingIfNeeded: (h &* 0x9e37_79b9_7f4a_7c15) >> shift) }
}

/// Carries a value the compiler cannot prove sendable into a concurrent section that uses it safely
/// (here: disjoint index ranges of one buffer).
struct UncheckedSendable<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}
