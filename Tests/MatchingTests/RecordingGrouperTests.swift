@testable import Matching
import OeuvreCore
import Testing
import OeuvreTestSupport

@Suite struct RecordingGrouperTests {
    func line(_ id: String, _ title: String, artist: String? = "The Examples", isrc: String? = nil, plays: Double = 1,
              iswc: String? = nil, writers: [String] = [], territory: String? = nil, subtitle: String? = nil) -> UsageLine {
        UsageLine(lineId: id, isrc: isrc, title: title, subtitle: subtitle, artist: artist, plays: plays, iswc: iswc, writers: writers,
                  territory: territory)
    }

    @Test func identicalRecordingsCollapseWithSummedPlays() {
        let lines = [
            line("a@S1", "Summer Rain", isrc: "FRZ032500001", plays: 10, territory: "FR"),
            line("b", "Winter Sun", plays: 4),
            line("a@S2", "Summer Rain", isrc: "FRZ032500001", plays: 5, territory: "BE"),
            line("c", "SUMMER RAIN", isrc: "FRZ032500001", plays: 1, writers: ["Jane Doe"]),
        ]
        let g = RecordingGrouper(threads: 2).group(lines)
        #expect(g.groups.count == 2)
        #expect(g.groups[0].lineIds == ["a@S1", "a@S2", "c"])
        #expect(g.groups[0].lineIndices == [0, 2, 3])
        #expect(g.groups[0].plays == 16)
        #expect(g.groups[0].isrc == "FRZ032500001")  // the first line's (a@S1), as reported
        #expect(g.groups[0].profile.writers == ["jane doe"])
        #expect(g.groupOfLine == [0, 1, 0, 0])
    }

    @Test func versionsISRCsAndISWCsKeepRecordingsApart() {
        let lines = [
            line("1", "Summer Rain"),
            line("2", "Summer Rain (Live)"),
            line("3", "Summer Rain", subtitle: "Live"),
            line("4", "Summer Rain", isrc: "FRZ032500001"),
            line("5", "Summer Rain", iswc: "T9876543214"),
            line("6", "Summer Rain", iswc: "T0345246801"),
            line("7", "Summer Rain", artist: "Someone Else"),
        ]
        let g = RecordingGrouper(threads: 1).group(lines)
        // 1 and 5 merge (no ISWC vs an ISWC); 6 conflicts with 5; 2 and 3 are the same live version.
        #expect(g.groups.map(\.lineIds) == [["1", "5"], ["2", "3"], ["4"], ["6"], ["7"]])
        #expect(g.groups[0].profile.iswc == "T9876543214")
    }

    @Test func artistOrderAndFeaturedCreditsDoNotSplit() {
        let lines = [
            line("1", "Numb (feat. Yo Gotti)", artist: "B.o.B"),
            line("2", "Numb", artist: "B.o.B feat. Yo Gotti"),
        ]
        let g = RecordingGrouper().group(lines)
        #expect(g.groups.count == 1)
    }

    @Test func sameResultOnOneOrManyThreads() {
        var lines: [UsageLine] = []
        for i in 0..<3000 { lines.append(line("\(i)", "Title \(i % 700)", artist: "Artist \(i % 3)", plays: Double(i))) }
        let one = RecordingGrouper(threads: 1).group(lines)
        let four = RecordingGrouper(threads: 4).group(lines)
        #expect(one.groups.count == 2100)
        #expect(one.groups.map(\.lineIds) == four.groups.map(\.lineIds))
        #expect(one.groupOfLine == four.groupOfLine)
        #expect(one.groups.reduce(0) { $0 + $1.plays } == lines.reduce(0) { $0 + $1.plays })
    }

    /// The group key lists the distinct artists sorted and the tags sorted, as the hashed-set formula did.
    @Test func keyListsDistinctArtistsAndTagsSorted() {
        var rng = SeededGenerator(seed: 73)
        let names = ["a", "b", "bob dylan", "the band", "", "zz", "b"]
        for _ in 0..<2000 {
            var p = ProfileBuilder().line(UsageLine(lineId: "1", title: "x"))
            p.artists = (0..<Int.random(in: 0...5, using: &rng)).map { _ in names.randomElement(using: &rng)! }
            p.tags = (0..<Int.random(in: 0...3, using: &rng)).map { _ in ["live", "remix", "edit"].randomElement(using: &rng)! }
            let old = (p.isrc ?? "") + "\u{1}" + p.title + "\u{1}" + p.tags.sorted().joined(separator: ",") + "\u{1}"
                + Array(Set(p.artists)).sorted().joined(separator: ",")
            #expect(RecordingGrouper.key(p) == old, "\(p.artists) \(p.tags)")
        }
    }

    @Test func emptyInput() {
        let g = RecordingGrouper().group([])
        #expect(g.groups.isEmpty)
        #expect(g.groupOfLine.isEmpty)
    }
}

/// The grouper's hash tables against the plain way (Swift dictionaries keyed by the raw fields and the key strings):
/// the same groups, in the same order, with the same lines and merged profiles.
@Suite struct RecordingGrouperTableTests {
    struct RawKey: Hashable {
        var isrc, title, subtitle, artist, iswc: String?
        var writers, writerIds: [String]
        var duration: Int?
        init(_ l: UsageLine) {
            (isrc, title, subtitle, artist, iswc, writers, writerIds, duration) =
                (l.isrc, l.title, l.subtitle, l.artist, l.iswc, l.writers, l.writerIds, l.duration)
        }
    }

    /// Groups (as line index lists, in group order) the way the grouper did with dictionaries.
    static func reference(_ lines: [UsageLine]) -> (groups: [[Int]], groupOfLine: [Int32], profiles: [LineProfile]) {
        var rawIndex: [RawKey: Int] = [:]
        var rawFirst: [Int] = []
        var rawOfLine: [Int] = []
        for l in lines {
            let k = RawKey(l)
            if let r = rawIndex[k] { rawOfLine.append(r) } else {
                rawIndex[k] = rawFirst.count
                rawOfLine.append(rawFirst.count)
                rawFirst.append(rawOfLine.count - 1)
            }
        }
        let builder = ProfileBuilder()
        let rawProfiles = rawFirst.map { builder.line(lines[$0]) }
        var byKey: [String: [Int]] = [:]
        var profiles: [LineProfile] = []
        var groupOfRaw: [Int] = []
        for p in rawProfiles {
            let key = RecordingGrouper.key(p)
            var chosen = -1
            for g in byKey[key] ?? [] where profiles[g].iswc == nil || p.iswc == nil || profiles[g].iswc == p.iswc {
                chosen = g
                break
            }
            if chosen < 0 {
                chosen = profiles.count
                profiles.append(p)
                byKey[key, default: []].append(chosen)
            } else {
                RecordingGrouper.merge(p, into: &profiles[chosen])
            }
            groupOfRaw.append(chosen)
        }
        var groups = [[Int]](repeating: [], count: profiles.count)
        var groupOfLine: [Int32] = []
        for i in lines.indices {
            let g = groupOfRaw[rawOfLine[i]]
            groups[g].append(i)
            groupOfLine.append(Int32(g))
        }
        return (groups, groupOfLine, profiles)
    }

    static func lines(seed: UInt64, count: Int) -> [UsageLine] {
        var g = SeededGenerator(seed: seed)
        func pick<T>(_ xs: [T]) -> T { xs[Int.random(in: 0..<xs.count, using: &g)] }
        // Canonically equal titles in two encodings (composed / decomposed é), nil against empty fields, ISRCs,
        // ISWCs that conflict, writers in other orders, versions that must stay apart.
        let titles = ["Café del Mar", "Cafe\u{301} del Mar", "CAFÉ DEL MAR", "Summer Rain", "Summer Rain (Live)", "Summer Rain - Live",
                      "東京タワー", "Numb (feat. Yo Gotti)", "Numb", ""]
        let artists: [String?] = ["B.o.B", "B.o.B feat. Yo Gotti", "Yo Gotti & B.o.B", nil, "", "Zoé", "Zoe\u{301}"]
        let isrcs: [String?] = [nil, nil, "", "FRZ032500001", "FR-Z03-25-00001", "USRC17607839"]
        let iswcs: [String?] = [nil, nil, "T9876543214", "T0345246801"]
        let writers: [[String]] = [[], [], ["Jane Doe"], ["Jane Doe", "John Roe"], ["John Roe", "Jane Doe"]]
        let durations: [Int?] = [nil, 215, 216]
        return (0..<count).map { i in
            UsageLine(lineId: "L\(i)", isrc: pick(isrcs), title: pick(titles), subtitle: pick([nil, nil, "Live", ""]), artist: pick(artists),
                      duration: pick(durations), plays: Double(i % 7), iswc: pick(iswcs), writers: pick(writers))
        }
    }

    @Test(arguments: [(1 as UInt64, 1), (2, 2), (3, 4)])
    func tablesGroupLikeDictionaries(seed: UInt64, threads: Int) {
        let lines = Self.lines(seed: seed, count: 1500)
        let ref = Self.reference(lines)
        for collide in [false, true] {
            let got = RecordingGrouper(threads: threads).group(lines, hashesCollide: collide)
            #expect(got.groups.map(\.lineIndices) == ref.groups)
            #expect(got.groupOfLine == ref.groupOfLine)
            #expect(got.groups.map { $0.lineIds } == ref.groups.map { $0.map { lines[$0].lineId } })
            #expect(got.groups.map(\.plays) == ref.groups.map { $0.reduce(0) { $0 + lines[$1].plays } })
            #expect(got.groups.map(\.profile.title) == ref.profiles.map(\.title))
            #expect(got.groups.map(\.profile.iswc) == ref.profiles.map(\.iswc))
            #expect(got.groups.map(\.profile.writers) == ref.profiles.map(\.writers))
            #expect(got.groups.map(\.profile.duration) == ref.profiles.map(\.duration))
        }
    }

    @Test func partitionsKeepGroupsWhole() {
        let lines = Self.lines(seed: 9, count: 2000)
        let parts = RecordingGrouper(threads: 2).partitions(of: lines, count: 7)
        let grouping = RecordingGrouper(threads: 2).group(lines)
        for g in grouping.groups {
            #expect(Set(g.lineIndices.map { parts[$0] }).count == 1)
        }
        #expect(Set(parts).count > 1)
    }
}

/// `RecordingGroup.profile` lives in a box shared by copies: a copy's change must not reach the original, and a shared
/// placeholder box must stay as it is.
@Suite struct RecordingGroupProfileTests {
    @Test func profileIsCopiedOnWrite() {
        var a = RecordingGroup(isrc: "USRC17607839", lineIndices: [0], lineIds: ["x"], plays: 1, profile: LineProfile(title: "yesterday"))
        var b = a
        b.profile.title = "let it be"
        b.profile.artists.append("the beatles")
        #expect(a.profile.title == "yesterday" && a.profile.artists.isEmpty)
        #expect(b.profile.title == "let it be" && b.profile.artists == ["the beatles"])
        a.profile.duration = 125  // unique again: changed in place
        #expect(a.profile.duration == 125 && b.profile.duration == nil)
        var c = a
        c.shareProfile(MatchPipeline.releasedBox)
        c.profile.title = "changed"
        #expect(MatchPipeline.releasedBox.value.title.isEmpty && MatchPipeline.vacated.group.profile.title.isEmpty)
        #expect(a.profile.title == "yesterday" && c.profile.title == "changed")
    }
}
