@testable import Matching
import OeuvreCore
import Testing
import OeuvreTestSupport

/// `MatchPipeline.contest`: when two catalogued works carry the same evidence for a line, or only the artist separates them.
@Suite struct NamesakeTieTests {
    /// A feature row of an exact-title, title-only candidate (no artist evidence).
    static func row(_ changes: [Feature: Float] = [:]) -> [Float] {
        var r = [Float](repeating: 0, count: Feature.allCases.count)
        for f: Feature in [.titleNgramCosine, .titleTokenJaccard, .titleTokenOverlap, .titleEditSimilarity, .titleExact,
                           .titleFullExact, .versionWordsNone, .durationMissing, .albumMissing, .iswcMissing] {
            r[f.rawValue] = 1
        }
        r[Feature.titleSpecificity.rawValue] = 0.5
        r[Feature.artistPerformerSimilarity.rawValue] = 0.1
        for (f, v) in changes { r[f.rawValue] = v }
        return r
    }

    static func tie(_ best: [Float], _ others: [[Float]]) -> Bool {
        contest(best, others.map { ($0, true) }) == .tie
    }

    static func contest(_ best: [Float], _ others: [([Float], Bool)]) -> MatchPipeline.Contest {
        best.withUnsafeBufferPointer { b in
            var buffers: [(UnsafeBufferPointer<Float>, Bool)] = []
            var copies: [UnsafeMutableBufferPointer<Float>] = []
            defer { copies.forEach { $0.deallocate() } }
            for (o, within) in others {
                let c = UnsafeMutableBufferPointer<Float>.allocate(capacity: o.count)
                _ = c.initialize(from: o)
                copies.append(c)
                buffers.append((UnsafeBufferPointer(c), within))
            }
            return MatchPipeline.contest(best: b, among: buffers)
        }
    }

    @Test func sameEvidenceButRetrievalContextIsATie() {
        let best = Self.row([.retrievalScore: 0.9, .retrievalRankInverse: 1, .retrievalGap: 0.2])
        let other = Self.row([.retrievalScore: 0.7, .retrievalRankInverse: 0.5, .artistPerformerSimilarity: 0.2,
                              .workPerformersMissing: 1, .recordTokenJaccard: 0.3])
        #expect(Self.tie(best, [Self.row([.titleExact: 0, .titleNgramCosine: 0.4]), other]))
    }

    @Test(arguments: [Feature.durationClose, .titleFullExact, .iswcConflict, .writerIPIMatch, .albumSimilarity,
                      .liveConflict, .releaseYearEqual, .titleVariantExact])
    func differentEvidenceIsNoTie(_ feature: Feature) {
        let best = Self.row()
        let other = Self.row([feature: best[feature.rawValue] == 1 ? 0 : 1])
        #expect(!Self.tie(best, [other]))
    }

    @Test func artistEvidenceOnEitherSideIsNoTie() {
        // The best candidate names the line's artist: the line is not ambiguous.
        #expect(!Self.tie(Self.row([.artistPerformerSimilarity: 0.95]), [Self.row()]))
        // The other one does: it is no title-only namesake (it should have ranked first; not a tie either).
        #expect(!Self.tie(Self.row(), [Self.row([.artistPerformerTokenOverlap: 1])]))
        #expect(!Self.tie(Self.row(), []))
    }

    @Test func oneSharedWordOfTwoNamesIsNoArtistEvidence() {
        // "Frank Black" and "Frank Sinatra", "Nancy Sinatra" and "Frank Sinatra": half the words of the shorter
        // name is a shared given name or family name, not the same performer.
        func reason(_ f: [Feature: Float]) -> String { Self.row(f).withUnsafeBufferPointer { MatchPipeline.reason(row: $0) } }
        #expect(reason([.artistPerformerTokenOverlap: 0.5]) == "title-only")
        #expect(reason([.artistPerformerTokenOverlap: 2.0 / 3]) == "title+artist")
        #expect(reason([.artistPerformerTokenOverlap: 1]) == "title+artist")
        // So two such candidates are namesakes in a tie, not a contest the artist settles.
        let shared = Self.row([.artistPerformerTokenOverlap: 0.5, .retrievalRankInverse: 1])
        #expect(Self.tie(shared, [Self.row([.retrievalRankInverse: 0.5])]))
        #expect(MatchPipeline.tokenOverlap("frank black", "frank sinatra") == 0.5)
    }

    @Test func theArtistSettlesANamesakeContest() {
        let best = Self.row([.artistPerformerSimilarity: 0.97, .retrievalRankInverse: 1])
        let namesake = Self.row([.retrievalRankInverse: 0.5])
        #expect(Self.contest(best, [(namesake, true), (Self.row([.titleExact: 0, .titleNgramCosine: 0.3]), false)]) == .settledByArtist)
        // A runner-up within the margin with a better title, or with the artist too: the margin decides.
        let partial = Self.row([.artistPerformerSimilarity: 0.97, .titleExact: 0, .titleFullExact: 0, .titleNgramCosine: 0.8])
        #expect(Self.contest(partial, [(namesake, true)]) == .open)
        #expect(Self.contest(best, [(namesake, true), (Self.row([.artistPerformerTokenOverlap: 1]), true)]) == .open)
        // Nobody within the margin: nothing to settle.
        #expect(Self.contest(best, [(namesake, false)]) == .open)
    }
}

/// `MatchPipeline.permute` moves the recording groups into title order for the batches.
@Suite struct PermuteTests {
    @Test(arguments: [0, 1, 2, 7, 100, 1000])
    func permuteAppliesTheOrder(n: Int) {
        var g = SeededGenerator(seed: UInt64(n) + 1)
        let items = (0..<n).map { "item \($0) " + String(repeating: "x", count: $0 % 40) }  // heap strings too
        for _ in 0..<5 {
            let order = Array(0..<n).shuffled(using: &g)
            var moved = items
            MatchPipeline.permute(&moved, by: order)
            #expect(moved == order.map { items[$0] })
        }
        var same = items
        MatchPipeline.permute(&same, by: Array(0..<n))
        #expect(same == items)
    }
}

/// `MatchPipeline.placed` moves the direct results and each batch's results (in title order) to their groups' slots.
@Suite struct PlacedTests {
    static func result(_ name: String) -> GroupResult {
        GroupResult(group: RecordingGroup(isrc: name, lineIndices: [name.count], lineIds: [name + " line"], plays: 1,
                                          profile: LineProfile(title: name)),
                    candidates: [], decision: .review, reason: "reason of " + name + String(repeating: "!", count: 30))
    }

    @Test(arguments: [(0, 0), (3, 0), (0, 1), (2, 7), (5, 300)])
    func everyResultLandsInItsGroupsSlot(direct: Int, groups: Int) {
        var g = SeededGenerator(seed: UInt64(direct * 1000 + groups) + 1)
        let order = Array(0..<groups).shuffled(using: &g)
        let ranges = chunkRanges(groups, parts: max(1, groups / 13)).filter { !$0.isEmpty }
        var directResults = (0..<direct).map { Self.result("direct \($0)") }
        var outs = ranges.map { range in
            MatchPipeline.BatchOutput(results: range.map { Self.result("group \(order[$0])") }, stats: RetrievalStats(), scoringSeconds: 0)
        }
        let placed = MatchPipeline.placed(direct: &directResults, batches: &outs, ranges: ranges, order: order)
        #expect(placed.count == direct + groups)
        for (i, r) in placed.enumerated() {
            let name = i < direct ? "direct \(i)" : "group \(i - direct)"
            #expect(r.group.isrc == name && r.group.lineIds == [name + " line"] && r.group.profile.title == name)
            #expect(r.reason == "reason of " + name + String(repeating: "!", count: 30))
        }
        // The sources keep placeholders only.
        #expect(directResults.allSatisfy { $0.group.isrc == nil && $0.reason.isEmpty })
        #expect(outs.allSatisfy { $0.results.allSatisfy { $0.group.isrc == nil && $0.reason.isEmpty } })
    }
}

/// `MatchPipeline.byteOrder` puts the recording groups in title order for the batches: the order of `String`'s `<`
/// on NFC text, equal titles in index order.
@Suite struct ByteOrderTests {
    @Test(arguments: [0, 1, 2, 9, 500, 3000])
    func byteOrderIsStringOrder(n: Int) {
        var g = SeededGenerator(seed: UInt64(n) + 7)
        // Few letters, so that titles share long prefixes (8 bytes and more) and repeat; some non-Latin and
        // combining-free accented letters (NFC), and titles that are prefixes of others.
        let alphabet: [String] = ["a", "b", " ", "é", "ß", "東", "京", "ö", "z", "1"]
        var titles: [String] = []
        for _ in 0..<n {
            if !titles.isEmpty && Int.random(in: 0..<4, using: &g) == 0 {
                let base = titles[Int.random(in: 0..<titles.count, using: &g)]
                titles.append(Bool.random(using: &g) ? base : base + alphabet[Int.random(in: 0..<alphabet.count, using: &g)])
                continue
            }
            let length = Int.random(in: 0..<20, using: &g)
            titles.append((0..<length).map { _ in alphabet[Int.random(in: 0..<alphabet.count, using: &g)] }.joined())
        }
        let expected = titles.indices.sorted { titles[$0] != titles[$1] ? titles[$0] < titles[$1] : $0 < $1 }
        #expect(MatchPipeline.byteOrder(of: titles) == expected)
    }
}

/// `MatchIndex.asciiPrecedes`: the tie-break of equal confidences (work id order) read from the stored bytes.
@Suite struct WorkIdOrderTests {
    @Test func asciiBytesSortAsStrings() {
        var g = SeededGenerator(seed: 41)
        // Short ids over few characters: equal ids, prefixes, case and digits against letters, empty ids.
        let alphabet = Array("aAbZ09-_ .")
        var ids: [String] = [""]
        for _ in 0..<400 {
            if Int.random(in: 0..<4, using: &g) == 0, let base = ids.randomElement(using: &g) {
                ids.append(base + String(alphabet[Int.random(in: 0..<alphabet.count, using: &g)]))
            } else {
                ids.append(String((0..<Int.random(in: 0..<6, using: &g)).map { _ in alphabet[Int.random(in: 0..<alphabet.count, using: &g)] }))
            }
        }
        var checked = 0
        for (i, x) in ids.enumerated() {
            for y in ids[max(0, i - 40)...min(ids.count - 1, i + 40)] {
                let got = Array(x.utf8).withUnsafeBytes { xb in Array(y.utf8).withUnsafeBytes { yb in MatchIndex.asciiPrecedes(xb, yb) } }
                #expect(got == (x < y), "\(x) < \(y)")
                checked += 1
            }
        }
        #expect(checked > 20_000)
    }

    @Test func nonASCIIIdsAreLeftToStrings() {
        // "é" precomposed against "e" + combining acute: equal Strings, different bytes; the bytes must not decide.
        for (x, y) in [("W-\u{E9}", "W-e\u{301}"), ("W-1", "W-\u{E9}"), ("東", "W")] {
            let got = Array(x.utf8).withUnsafeBytes { xb in Array(y.utf8).withUnsafeBytes { yb in MatchIndex.asciiPrecedes(xb, yb) } }
            #expect(got == nil)
        }
    }
}
