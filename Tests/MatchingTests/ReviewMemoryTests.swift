import Foundation
import Matching
import OeuvreCore
import Testing

/// `ReviewMemory` in the matcher: rejected candidates are left out, an accepted work is auto-matched (reason
/// `reviewed`), a recording decided `none` stays `none` (reason `reviewed-none`), keyed by ISRC or by metadata.
@Suite struct ReviewMemoryTests {
    static let model: ScoringModel = {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return try! ScoringModel.load(path: root.appendingPathComponent("models/default.json").path)
    }()

    static func run(_ lines: [UsageLine], memory: ReviewMemory) -> [String: GroupResult] {
        let (index, _) = SmallCatalogue.index()
        var options = MatchOptions()
        options.threads = 1
        options.review = memory
        let r = try! MatchPipeline(index: index, model: model, options: options).run(lines: lines)  // no review source: cannot throw
        var out: [String: GroupResult] = [:]
        for g in r.results { for id in g.group.lineIds { out[id] = g } }
        return out
    }

    static func profile(_ title: String, _ artist: String?) -> LineProfile {
        ProfileBuilder().line(UsageLine(lineId: "", title: title, artist: artist))
    }

    /// "Heart" by a third performer: both catalogued "Heart" are candidates and neither can be auto-matched.
    static let cover = UsageLine(lineId: "c", isrc: "FRXXX2400001", title: "Heart", artist: "Les Coeurs")

    @Test func withoutMemoryTheNamesakesAreBothCandidates() throws {
        let r = try #require(Self.run([Self.cover], memory: ReviewMemory())["c"])
        #expect(Set(r.candidates.prefix(2).map(\.workId)) == ["W2", "W3"])
        #expect(r.decision != .auto)
    }

    @Test func rejectedCandidatesAreLeftOutAndNoneIsRemembered() throws {
        var memory = ReviewMemory()
        memory.record(isrc: Self.cover.isrc, profile: Self.profile("Heart", "Les Coeurs"),
                      .init(accepted: nil, rejected: ["W2", "W3"], sequence: 1))
        let r = try #require(Self.run([Self.cover], memory: memory)["c"])
        #expect(!r.candidates.contains { $0.workId == "W2" || $0.workId == "W3" })
        #expect(r.decision == .none)
        #expect(r.reason == "reviewed-none")
    }

    @Test func anAcceptedWorkIsAutoMatchedByISRCOrByMetadata() throws {
        var byISRC = ReviewMemory()
        // Remembered under the ISRC only (another title and artist), and under the metadata only (no ISRC).
        byISRC.record(isrc: Self.cover.isrc, profile: Self.profile("", nil), .init(accepted: "W3", rejected: ["W2"], sequence: 1))
        var byMetadata = ReviewMemory()
        byMetadata.record(isrc: nil, profile: Self.profile("Heart (Live)", "Les Coeurs"), .init(accepted: "W3", rejected: ["W2"], sequence: 1))
        let live = UsageLine(lineId: "l", title: "Heart - Live", artist: "Les Coeurs")
        for (memory, line) in [(byISRC, Self.cover), (byMetadata, live)] {
            let r = try #require(Self.run([line], memory: memory)[line.lineId])
            #expect(r.decision == .auto && r.reason == "reviewed", "\(line.title): \(r.decision) \(r.reason)")
            #expect(r.candidates.first?.workId == "W3")
            #expect(!r.candidates.contains { $0.workId == "W2" })
        }
        // A decision made under an ISRC covers neither a line with another ISRC nor one without, even with the same
        // title and artist (another album's "Intro" is another work): both namesakes stay candidates.
        var reviewed = ReviewMemory()
        reviewed.record(isrc: Self.cover.isrc, profile: Self.profile("Heart", "Les Coeurs"), .init(accepted: "W3", rejected: ["W2"], sequence: 1))
        let otherISRC = UsageLine(lineId: "i", isrc: "FRXXX2400002", title: "Heart", artist: "Les Coeurs")
        let upload = UsageLine(lineId: "u", title: "Heart", artist: "Les Coeurs")
        let r2 = Self.run([otherISRC, upload], memory: reviewed)
        #expect(r2["i"]?.reason != "reviewed" && r2["i"]?.decision != .auto)
        #expect(Set(r2["i"]?.candidates.prefix(2).map(\.workId) ?? []) == ["W2", "W3"])
        #expect(r2["u"]?.reason != "reviewed" && r2["u"]?.decision != .auto)
        #expect(Set(r2["u"]?.candidates.prefix(2).map(\.workId) ?? []) == ["W2", "W3"])
        // Another recording of the same title by someone else is not covered by the decision.
        let other = try #require(Self.run([UsageLine(lineId: "o", title: "Heart", artist: "Somebody Else")], memory: byMetadata)["o"])
        #expect(other.reason != "reviewed" && other.decision != .auto)
    }

    /// With a `reviewSource`, a run asks it for the decisions about its own recordings: the canonical ISRC of a recording
    /// with one (not of a line an ISRC link decides), the metadata key of one without; what it answers decides them.
    @Test func aRunAsksTheSourceForItsRecordingsOnly() throws {
        final class Source: ReviewDecisionSource, @unchecked Sendable {
            var asked: [([String], [String])] = []
            let memory: ReviewMemory
            init(_ memory: ReviewMemory) { self.memory = memory }
            func memory(isrcs: [String], metadataKeys: [String]) throws(OeuvreError) -> ReviewMemory {
                asked.append((isrcs.sorted(), metadataKeys.sorted()))
                return memory
            }
            func isEmpty() throws(OeuvreError) -> Bool { memory.isEmpty }
        }
        var memory = ReviewMemory()
        memory.record(isrc: Self.cover.isrc, profile: Self.profile("", nil), .init(accepted: "W3", rejected: ["W2"], sequence: 1))
        let source = Source(memory)
        let (index, _) = SmallCatalogue.index()
        var options = MatchOptions()
        options.threads = 1
        options.reviewSource = source
        let lines = [
            UsageLine(lineId: "c", isrc: "frxxx-24-00001", title: "Heart", artist: "Les Coeurs"),
            UsageLine(lineId: "u", title: "Heart (Live)", artist: "Les Coeurs"),
            UsageLine(lineId: "y", isrc: "GBAYE6500524", title: "Yesterday", artist: "The Beatles"),  // decided by its link
        ]
        let r = try MatchPipeline(index: index, model: Self.model, options: options).run(lines: lines)
        let key = try #require(ReviewMemory.metadataKey(Self.profile("Heart (Live)", "Les Coeurs")))
        #expect(source.asked.count == 1)
        #expect(source.asked.first?.0 == ["FRXXX2400001"])
        #expect(source.asked.first?.1 == [key])
        let c = try #require(r.results.first { $0.group.lineIds == ["c"] })
        #expect(c.decision == .auto && c.reason == "reviewed" && c.candidates.first?.workId == "W3")
        // A source without decisions is not asked (no keys made).
        let empty = Source(ReviewMemory())
        options.reviewSource = empty
        _ = try MatchPipeline(index: index, model: Self.model, options: options).run(lines: lines)
        #expect(empty.asked.isEmpty)
        // A source that fails fails the run.
        struct Failing: ReviewDecisionSource {
            func memory(isrcs: [String], metadataKeys: [String]) throws(OeuvreError) -> ReviewMemory { throw OeuvreError(.io, "disk I/O error") }
            func isEmpty() throws(OeuvreError) -> Bool { false }
        }
        options.reviewSource = Failing()
        #expect(throws: OeuvreError.self) { try MatchPipeline(index: index, model: Self.model, options: options).run(lines: lines) }
    }

    /// A translated title shares nothing with "Les bourgeois": retrieval misses it, the reviewer's choice makes it a candidate.
    @Test func anAcceptedWorkRetrievalMissesIsACandidate() throws {
        let line = UsageLine(lineId: "b", title: "Die Spießer", artist: "Klaus Hoffmann")
        let before = try #require(Self.run([line], memory: ReviewMemory())["b"])
        #expect(!before.candidates.contains { $0.workId == "W8" })
        var memory = ReviewMemory()
        memory.record(isrc: nil, profile: Self.profile("Die Spießer", "Klaus Hoffmann"), .init(accepted: "W8", rejected: [], sequence: 3))
        let r = try #require(Self.run([line], memory: memory)["b"])
        #expect(r.decision == .auto && r.reason == "reviewed")
        #expect(r.candidates.first?.workId == "W8")
    }

    /// An ISRC linked to two works goes to review; a reviewer's choice between them settles it.
    @Test func aDecisionSettlesAnISRCLinkedToSeveralWorks() throws {
        let line = UsageLine(lineId: "s", isrc: "USAAA0000001", title: "Shared Song", artist: "Someone")
        let before = try #require(Self.run([line], memory: ReviewMemory())["s"])
        #expect(before.decision == .review && before.reason == "isrc-link")
        var memory = ReviewMemory()
        memory.record(isrc: "USAAA0000001", profile: Self.profile("", nil), .init(accepted: "W10", rejected: ["W9"], sequence: 2))
        let after = try #require(Self.run([line], memory: memory)["s"])
        #expect(after.decision == .auto && after.reason == "reviewed")
        #expect(after.candidates.first?.workId == "W10")
    }

    @Test func theLatestDecisionWinsAndUnknownWorksAreIgnored() throws {
        var memory = ReviewMemory()
        let p = Self.profile("Heart", "Les Coeurs")
        memory.record(isrc: Self.cover.isrc, profile: p, .init(accepted: "W2", rejected: ["W3"], sequence: 5))
        memory.record(isrc: Self.cover.isrc, profile: p, .init(accepted: "W3", rejected: ["W2"], sequence: 9))
        memory.record(isrc: Self.cover.isrc, profile: p, .init(accepted: "W2", rejected: ["W3"], sequence: 7))  // older: ignored
        #expect(memory.decision(isrc: Self.cover.isrc, profile: p)?.accepted == "W3")
        #expect(memory.count == 1)  // under the ISRC only
        let r = try #require(Self.run([Self.cover], memory: memory)["c"])
        #expect(r.candidates.first?.workId == "W3" && r.reason == "reviewed")
        // A decision naming a work the catalogue no longer has changes nothing.
        var gone = ReviewMemory()
        gone.record(isrc: Self.cover.isrc, profile: p, .init(accepted: "W99", rejected: [], sequence: 1))
        let g = try #require(Self.run([Self.cover], memory: gone)["c"])
        #expect(g.reason != "reviewed")
        #expect(Set(g.candidates.prefix(2).map(\.workId)) == ["W2", "W3"])
    }

    /// The key's fields without the whole profile are the profile's.
    @Test func recordingFieldsAreTheProfilesFields() {
        let builder = ProfileBuilder()
        let lines = [
            UsageLine(lineId: "1", title: "Yesterday - Remastered 2009", artist: "The Beatles"),
            UsageLine(lineId: "2", title: "Heart (feat. Ana) [Live]", subtitle: "Radio Edit", artist: "Les Coeurs & Ana"),
            UsageLine(lineId: "3", title: "Bob Dylan - Like a Rolling Stone (Official Video)", artist: "BobDylanVEVO"),
            UsageLine(lineId: "4", title: "東京タワー", artist: "Tokyo Band - Topic"),
            UsageLine(lineId: "5", title: "Intro"),
        ]
        for l in lines {
            let p = builder.line(l)
            let f = builder.recordingFields(l)
            #expect(f.title == p.title && f.tags == p.tags && f.artists == p.artists, "\(l.title)")
            #expect(ReviewMemory.metadataKey(title: f.title, tags: f.tags, artists: f.artists) == ReviewMemory.metadataKey(p))
        }
    }

    @Test func metadataKeyIgnoresArtistOrderAndNeedsATitle() {
        let a = Self.profile("Heart", "Les Coeurs feat. Ana")
        var b = a
        b.artists.reverse()
        #expect(a.artists.count == 2)
        #expect(ReviewMemory.metadataKey(a) == ReviewMemory.metadataKey(b))
        #expect(ReviewMemory.metadataKey(Self.profile("", "Les Coeurs")) == nil)
        // Without an artist that names someone, only the ISRC can carry a decision.
        #expect(ReviewMemory.metadataKey(Self.profile("Intro", nil)) == nil)
        #expect(ReviewMemory.metadataKey(Self.profile("Intro", "Various Artists")) == nil)
        #expect(ReviewMemory.metadataKey(Self.profile("Intro", "Unknown")) == nil)
        #expect(ReviewMemory.metadataKey(Self.profile("Intro", "The Roots")) != nil)
        #expect(ReviewMemory.metadataKey(a) != ReviewMemory.metadataKey(Self.profile("Heart (Live)", "Les Coeurs feat. Ana")))
        #expect(ReviewMemory.metadataKey(a) != ReviewMemory.metadataKey(Self.profile("Heart", "Les Coeurs")))
    }
}
