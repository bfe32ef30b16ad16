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
    public var profile: LineProfile
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
        k += p.tags.sorted().joined(separator: ",")
        k += "\u{1}"
        k += Array(Set(p.artists)).sorted().joined(separator: ",")
        return k
    }

    struct RawKey: Hashable {
        var isrc: String?
        var title: String
        var subtitle: String?
        var artist: String?
        var writers: [String]
        var writerIds: [String]
        var iswc: String?
        var duration: Int?

        init(_ l: UsageLine) {
            isrc = l.isrc
            title = l.title
            subtitle = l.subtitle
            artist = l.artist
            writers = l.writers
            writerIds = l.writerIds
            iswc = l.iswc
            duration = l.duration
        }
    }

    public func group(_ lines: [UsageLine]) -> RecordingGrouping {
        // 1. Distinct raw metadata.
        var rawIndex: [RawKey: Int32] = [:]
        var rawFirstLine: [Int] = []
        var rawOfLine = [Int32](repeating: 0, count: lines.count)
        for (i, l) in lines.enumerated() {
            let key = RawKey(l)
            if let r = rawIndex[key] {
                rawOfLine[i] = r
            } else {
                let r = Int32(rawFirstLine.count)
                rawIndex[key] = r
                rawFirstLine.append(i)
                rawOfLine[i] = r
            }
        }
        rawIndex = [:]
        // 2. Profiles of the distinct tuples and their keys, in parallel.
        var (profiles, keys) = Self.profilesAndKeys(of: lines, at: rawFirstLine, threads: threads)
        // 3. Group the profiles, in place: group g's profile is moved to `profiles[g]` (g ≤ r: groups are numbered
        // in order of their first tuple), a tuple that joins a group is merged into it. No profile is copied (a
        // LineProfile holds ~20 reference-counted arrays: copies were a tenth of this serial step).
        var candidates: [String: [Int32]] = [:]
        candidates.reserveCapacity(profiles.count)
        var groupOfRaw = [Int32](repeating: -1, count: profiles.count)
        var groupCount = 0
        profiles.withUnsafeMutableBufferPointer { buf in
            for r in buf.indices {
                var chosen: Int32 = -1
                let iswc = buf[r].iswc
                if let gs = candidates[keys[r]] {
                    for g in gs {
                        let gi = buf[Int(g)].iswc
                        if gi == nil || iswc == nil || gi == iswc {
                            chosen = g
                            break
                        }
                    }
                }
                if chosen < 0 {
                    chosen = Int32(groupCount)
                    if groupCount != r { buf.swapAt(groupCount, r) }
                    groupCount += 1
                    candidates[keys[r], default: []].append(chosen)
                } else {
                    Self.merge(buf[r], into: &buf[Int(chosen)])
                }
                groupOfRaw[r] = chosen
            }
        }
        profiles.removeLast(profiles.count - groupCount)
        // Reversed, so that each group takes its profile off the end (moved, not copied) as it is created below.
        profiles.reverse()
        candidates = [:]
        keys = []
        // 4. Lines per group.
        var groups: [RecordingGroup] = []
        groups.reserveCapacity(groupCount)
        var groupOfLine = [Int32](repeating: 0, count: lines.count)
        for (i, l) in lines.enumerated() {
            let g = groupOfRaw[Int(rawOfLine[i])]
            groupOfLine[i] = g
            if Int(g) == groups.count {
                groups.append(RecordingGroup(isrc: l.isrc, lineIndices: [i], lineIds: [l.lineId], plays: l.plays,
                                             profile: profiles.removeLast()))
            } else {
                groups[Int(g)].lineIndices.append(i)
                groups[Int(g)].lineIds.append(l.lineId)
                groups[Int(g)].plays += l.plays
            }
        }
        return RecordingGrouping(groups: groups, groupOfLine: groupOfLine)
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
        var rawIndex: [RawKey: Int32] = [:]
        var rawFirstLine: [Int] = []
        var rawOfLine: [Int32] = []
        var untitled: [Int] = []
        for (i, l) in lines.enumerated() {
            if let isrc = l.isrc, !isrc.isEmpty {  // an empty ISRC groups as none (`key`)
                if let key = ISRCKey.pack(isrc) {
                    withUnsafeBytes(of: key.littleEndian) { out[i] = bucket(1, $0) }
                } else {
                    out[i] = bucket(2, isrc.utf8)
                }
                continue
            }
            let key = RawKey(l)
            if let r = rawIndex[key] {
                rawOfLine.append(r)
            } else {
                let r = Int32(rawFirstLine.count)
                rawIndex[key] = r
                rawFirstLine.append(i)
                rawOfLine.append(r)
            }
            untitled.append(i)
        }
        rawIndex = [:]
        let titles = Self.profilesAndKeys(of: lines, at: rawFirstLine, threads: threads, keys: false).profiles.map { bucket(3, $0.title.utf8) }
        for (k, i) in untitled.enumerated() { out[i] = titles[Int(rawOfLine[k])] }
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

/// Carries a value the compiler cannot prove sendable into a concurrent section that uses it safely
/// (here: disjoint index ranges of one buffer).
struct UncheckedSendable<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}
