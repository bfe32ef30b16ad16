import Matching
import OeuvreCore
import Testing

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

    @Test func emptyInput() {
        let g = RecordingGrouper().group([])
        #expect(g.groups.isEmpty)
        #expect(g.groupOfLine.isEmpty)
    }
}
