import Catalogue
import Foundation
import GRDB
import Matching
import OeuvreCore
import OeuvreTestSupport
import Review
import Testing

/// A catalogue with three works and a registered queue of two lines.
struct ReviewFixture {
    let dir: String
    let store: CatalogueStore
    let review: ReviewStore

    init(name: String = #function) throws {
        dir = TestSupport.temporaryDirectory(name)
        let works = TestSupport.write("""
            work_id,iswc,title,writers,performers,isrcs
            W1,T-034.524.680-1,My Way,Claude Francois|Jacques Revaux,Frank Sinatra,
            W2,,Yesterday,John Lennon|Paul McCartney,The Beatles,GBAYE0601498
            W3,,Comme d'habitude,Claude Francois,Claude Francois,
            """, to: "works.csv", in: dir)
        store = try CatalogueStore(path: dir + "/cat.sqlite")
        _ = try store.importFile(works)
        review = try ReviewStore(catalogue: store)
        let items = [
            ReviewItem(lineId: "L1", isrc: "FRZ031400123", title: "Comme d'habitude (Live)", artist: "Michel Sardou", duration: 240, plays: 500,
                       revenue: nil, machineDecision: .review, candidates: [
                        ReviewCandidate(workId: "W1", iswc: nil, title: "My Way", writers: [], performers: [], confidence: 0.6, reason: "title-only", evidence: ""),
                        ReviewCandidate(workId: "W3", iswc: nil, title: "Comme d'habitude", writers: [], performers: [], confidence: 0.5, reason: "title-only", evidence: ""),
                       ]),
            ReviewItem(lineId: "L2", isrc: "GBAYE0601498", title: "Yesterday - Remastered", artist: "The Beatles", duration: 125, plays: 90,
                       revenue: nil, machineDecision: .review, candidates: [
                        ReviewCandidate(workId: "W1", iswc: nil, title: "My Way", writers: [], performers: [], confidence: 0.4, reason: "title-only", evidence: ""),
                       ]),
        ]
        try review.registerQueue(items, queueId: "Q1", modelVersion: "test")
    }

    /// Queue Q2: one line without an ISRC (an upload), L3 "Yesterday (Live)" by Paul McCartney, shown W2.
    func registerUploadQueue() throws {
        try review.registerQueue([
            ReviewItem(lineId: "L3", isrc: nil, title: "Yesterday (Live)", artist: "Paul McCartney", duration: nil, plays: 3, revenue: nil,
                       machineDecision: .review, candidates: [
                        ReviewCandidate(workId: "W2", iswc: nil, title: "Yesterday", writers: [], performers: [], confidence: 0.7,
                                        reason: "title-only", evidence: ""),
                       ]),
        ], queueId: "Q2", modelVersion: "test")
    }

    func queue(_ rows: [String]) -> String {
        TestSupport.write("queue_id,line_id,c1_work_id,c2_work_id,decision,note\n" + rows.joined(separator: "\n") + "\n", to: "queue-\(UUID().uuidString).csv", in: dir)
    }
}

@Suite struct ReviewImportTests {
    @Test func importsDecisionsLinksTitlesAliasesAndPairs() throws {
        let f = try ReviewFixture()
        let s = try f.review.importDecisions(path: f.queue(["Q1,L1,W1,W3,2,cover by Sardou", "Q1,L2,W1,,W2,"]), reviewer: "alice")
        #expect(s.accepted == 2)
        #expect(s.linksAdded == 1)          // L1's ISRC was unlinked
        #expect(s.linksExisting == 1)       // L2's ISRC is already W2's (works CSV isrcs)
        // Michel Sardou is not added to W3: it has a performer (Claude Francois), and a cover's performer added to
        // a work would dilute its performer evidence for every other line.
        #expect(s.aliasesLearned == 0)
        #expect(s.pairs == 4)               // L1: W3 = 1, W1 = 0; L2: W2 = 1, W1 (shown) = 0
        let links = try f.store.isrcLinks().filter { $0.isrc == "FRZ031400123" }
        #expect(links.map(\.workId) == ["W3"])
        let w3 = try #require(try f.store.work(id: "W3"))
        #expect(w3.performers == ["Claude Francois"])
        #expect(try f.review.verifyAudit().firstBad == nil)
    }

    /// A work registered without performers learns the reviewed line's artist (a channel that names its artist
    /// gives the artist), once; a title that one of the work's titles already reaches is not learned, another is.
    @Test func learnsPerformersOfWorksWithoutAndOnlyNewTitles() throws {
        let f = try ReviewFixture()
        let works = TestSupport.write("""
            work_id,iswc,title,writers,performers,isrcs
            W4,,Les feuilles mortes,Jacques Prevert,,
            W5,,Sous le ciel de Paris,Jean Drejac,,
            """, to: "more.csv", in: f.dir)
        _ = try f.store.importFile(works)
        let shown = [ReviewCandidate(workId: "W4", iswc: nil, title: "Les feuilles mortes", writers: [], performers: [], confidence: 0.5,
                                     reason: "title-only", evidence: "")]
        let shown5 = [ReviewCandidate(workId: "W5", iswc: nil, title: "Sous le ciel de Paris", writers: [], performers: [], confidence: 0.5,
                                      reason: "title-only", evidence: "")]
        try f.review.registerQueue([
            ReviewItem(lineId: "L3", isrc: nil, title: "Les feuilles mortes Yves Montand", artist: "Yves Montand - Topic", duration: nil,
                       plays: 3, revenue: nil, machineDecision: .review, candidates: shown),
            ReviewItem(lineId: "L4", isrc: nil, title: "Autumn Leaves", artist: "Nat King Cole", duration: nil,
                       plays: 2, revenue: nil, machineDecision: .review, candidates: shown),
            ReviewItem(lineId: "L5", isrc: nil, title: "Sous le ciel", artist: "Edith Piaf", duration: nil,
                       plays: 1, revenue: nil, machineDecision: .review, candidates: shown5),
            ReviewItem(lineId: "L6", isrc: nil, title: "Les feuiles mortess", artist: "Juliette Greco", duration: nil,
                       plays: 1, revenue: nil, machineDecision: .review, candidates: shown),
        ], queueId: "Q2", modelVersion: "test")
        let s = try f.review.importDecisions(path: f.queue(["Q2,L3,W4,,W4,", "Q2,L4,W4,,W4,", "Q2,L5,W5,,1,", "Q2,L6,W4,,W4,"]),
                                             reviewer: "erin")
        #expect(s.accepted == 4)
        #expect(s.aliasesLearned == 2)      // Yves Montand on W4 (the first line), Edith Piaf on W5
        #expect(try #require(try f.store.work(id: "W4")).performers == ["Yves Montand"])
        #expect(try #require(try f.store.work(id: "W5")).performers == ["Edith Piaf"])
        // "Les feuilles mortes Yves Montand" holds the title (text appended), "Sous le ciel" is inside one of W5's and
        // "Les feuiles mortess" is a misspelling retrieval finds: none is learned; "Autumn Leaves" is.
        #expect(s.titlesLearned == 1)
        let titles = try #require(try f.store.work(id: "W4")).titles.map(\.text)
        #expect(titles.contains("Autumn Leaves"))
        #expect(!titles.contains { $0.contains("Montand") || $0.contains("feuiles") })
        #expect(try #require(try f.store.work(id: "W5")).titles.count == 1)
    }

    /// The training set: labelled pairs with their lines and works, and each line's latest decision as a truth table.
    @Test func trainingSetHoldsPairsAndTheLatestDecisions() throws {
        let f = try ReviewFixture()
        _ = try f.review.importDecisions(path: f.queue(["Q1,L1,W1,W3,W3,", "Q1,L2,W1,,W2,"]), reviewer: "alice")
        _ = try f.review.importDecisions(path: f.queue(["Q1,L2,W1,,none,"]), reviewer: "bob")
        let out = f.dir + "/training"
        let t = try f.review.writeTrainingSet(directory: out)
        #expect(t.lines == 2)
        let truth = try String(contentsOfFile: out + "/truth.tsv", encoding: .utf8)
        #expect(truth == "line_id\twork_id\nL1\tW3\nL2\t\n")
        let pairs = try String(contentsOfFile: out + "/pairs.tsv", encoding: .utf8)
        #expect(pairs.hasPrefix("line_id\twork_id\tlabel\n") && pairs.contains("L1\tW3\t1"))
        #expect(try String(contentsOfFile: out + "/usage.tsv", encoding: .utf8).contains("FRZ031400123"))
    }

    /// The decisions as the matcher remembers them: under the ISRC, the latest one winning.
    @Test func memoryHoldsTheLatestDecisionPerRecording() throws {
        let f = try ReviewFixture()
        #expect(try ReviewStore.memory(of: f.store).isEmpty)
        _ = try f.review.importDecisions(path: f.queue(["Q1,L1,W1,W3,none,", "Q1,L2,W1,,W2,"]), reviewer: "alice")
        _ = try f.review.importDecisions(path: f.queue(["Q1,L1,W1,W3,W3,changed my mind"]), reviewer: "bob")
        let memory = try ReviewStore.memory(of: f.store)
        let builder = ProfileBuilder()
        let l1 = builder.line(UsageLine(lineId: "x", title: "Comme d'habitude (Live)", artist: "Michel Sardou"))
        let byISRC = try #require(memory.decision(isrc: "FRZ031400123", profile: LineProfile(title: "")))
        #expect(byISRC.accepted == "W3" && byISRC.rejected == ["W1"])
        // L1 had an ISRC: its decision is not looked up by title and artist (keys never cross).
        #expect(memory.decision(isrc: nil, profile: l1) == nil)
        let l2 = try #require(memory.decision(isrc: "GB-AYE-06-01498", profile: LineProfile(title: "")))
        #expect(l2.accepted == "W2" && l2.rejected == ["W1"])
        #expect(memory.decision(isrc: "USXXX0000001", profile: builder.line(UsageLine(lineId: "y", title: "My Way", artist: "Frank Sinatra"))) == nil)
        // A catalogue never reviewed is only read: no review tables are created.
        let other = try CatalogueStore(path: f.dir + "/other.sqlite")
        #expect(try ReviewStore.memory(of: other).isEmpty)
        #expect(try other.dbQueue.read { try $0.tableExists("review_log") } == false)
    }

    /// A decision about a line without an ISRC is remembered by its metadata key, made once at import (`review_keys`)
    /// and read back by every match; a key made by other readings is made again, in memory and at the next import.
    @Test func memoryReadsTheKeysMadeAtImport() throws {
        let f = try ReviewFixture()
        try f.registerUploadQueue()
        _ = try f.review.importDecisions(path: f.queue(["Q2,L3,W2,,W2,", "Q1,L1,W1,W3,W3,"]), reviewer: "alice")
        let builder = ProfileBuilder()
        let line = builder.line(UsageLine(lineId: "x", title: "Yesterday (Live)", artist: "Paul McCartney"))
        let key = try #require(ReviewMemory.metadataKey(line))
        let rows = try f.store.dbQueue.read { try Row.fetchAll($0, sql: "SELECT metadata_key, revision FROM review_keys ORDER BY seq") }
        #expect(rows.count == 2)
        #expect(rows.map { $0[0] as String? } == [key, nil])  // L1 has an ISRC: remembered by it alone
        #expect(rows.allSatisfy { ($0[1] as String) == ReviewStore.keyRevision })
        #expect(try ReviewStore.memory(of: f.store).decision(isrc: nil, profile: line)?.accepted == "W2")
        // The stored key is what the memory reads: another key there, and the line is not found by its own.
        try f.store.dbQueue.write { try $0.execute(sql: "UPDATE review_keys SET metadata_key = 'other' WHERE metadata_key IS NOT NULL") }
        #expect(try ReviewStore.memory(of: f.store).decision(isrc: nil, profile: line) == nil)
        // Made by other readings: made again from the line (in memory), and stored again by the next import.
        try f.store.dbQueue.write { try $0.execute(sql: "UPDATE review_keys SET revision = 'older readings'") }
        #expect(try ReviewStore.memory(of: f.store).decision(isrc: nil, profile: line)?.accepted == "W2")
        let s = try f.review.importDecisions(path: f.queue(["Q1,L2,W1,,W2,"]), reviewer: "bob")
        #expect(s.keysRefreshed == 2)
        let refreshed = try f.store.dbQueue.read { try Row.fetchAll($0, sql: "SELECT metadata_key, revision FROM review_keys ORDER BY seq") }
        #expect(refreshed.count == 3 && refreshed.allSatisfy { ($0[1] as String) == ReviewStore.keyRevision })
        #expect(refreshed.first?[0] as String? == key)
    }

    /// `ReviewDecisions` reads by index only the decisions about the recordings asked for (the same decisions the whole
    /// memory holds for them), and reads every decision when the keys cannot be trusted or when fewer decisions than
    /// keys are held.
    @Test func decisionsAreReadByTheReportsKeys() throws {
        let f = try ReviewFixture()
        #expect(try ReviewDecisions(catalogue: f.store).answering() == .none)
        try f.registerUploadQueue()
        _ = try f.review.importDecisions(path: f.queue(["Q1,L1,W1,W3,W3,", "Q1,L2,W1,,W2,", "Q2,L3,W2,,none,"]), reviewer: "alice")
        let keys = try f.store.dbQueue.read { try Row.fetchAll($0, sql: "SELECT isrc, metadata_key FROM review_keys ORDER BY seq") }
        #expect(keys.map { $0[0] as String? } == ["FRZ031400123", "GBAYE0601498", nil])
        let builder = ProfileBuilder()
        let l3 = builder.line(UsageLine(lineId: "x", title: "Yesterday (Live)", artist: "Paul McCartney"))
        let l3Key = try #require(ReviewMemory.metadataKey(l3))
        let none = LineProfile(title: "")

        let source = ReviewDecisions(catalogue: f.store)
        #expect(try source.answering() == .indexed(decisions: 3))
        // One ISRC asked (in the canonical form a match asks with): that decision alone.
        let one = try source.memory(isrcs: [try #require(ReviewMemory.canonicalISRC("gb-aye-06-01498"))], metadataKeys: [])
        #expect(one.count == 1)
        #expect(one.decision(isrc: "GBAYE0601498", profile: none)?.accepted == "W2")
        #expect(one.decision(isrc: "FRZ031400123", profile: none) == nil)
        // A metadata key asked: that decision alone, the same as in the whole memory.
        let byKey = try source.memory(isrcs: [], metadataKeys: [l3Key])
        #expect(byKey.count == 1)
        let whole = try ReviewStore.memory(of: f.store)
        #expect(byKey.decision(isrc: nil, profile: l3) == whole.decision(isrc: nil, profile: l3))
        #expect(byKey.decision(isrc: nil, profile: l3)?.accepted == nil)
        // As many keys asked as decisions held: all of them, read once.
        #expect(try source.memory(isrcs: ["USXXX0000001", "USXXX0000002"], metadataKeys: ["k"]).count == 3)

        // Keys of other readings: every decision is read (keys made again from the lines).
        try f.store.dbQueue.write { try $0.execute(sql: "UPDATE review_keys SET revision = 'older readings' WHERE seq = 1") }
        let stale = ReviewDecisions(catalogue: f.store)
        #expect(try stale.answering() == .all)
        #expect(try stale.memory(isrcs: [], metadataKeys: []).count == 3)
    }

    /// review-v3 fills the canonical ISRCs of the decisions imported before it, from their queue items.
    @Test func reviewV3FillsTheISRCsOfEarlierDecisions() throws {
        let f = try ReviewFixture()
        _ = try f.review.importDecisions(path: f.queue(["Q1,L1,W1,W3,W3,", "Q1,L2,W1,,W2,"]), reviewer: "alice")
        // Back to review-v2: no ISRC column, no v3 indexes, v3 not applied.
        try f.store.dbQueue.write { db in
            try db.execute(sql: """
                DROP INDEX review_keys_isrc; DROP INDEX review_keys_metadata; DROP INDEX review_keys_revision; DROP INDEX review_log_kind;
                ALTER TABLE review_keys DROP COLUMN isrc;
                DELETE FROM grdb_migrations WHERE identifier = 'review-v3';
                """)
        }
        #expect(try ReviewDecisions(catalogue: f.store).answering() == .all)  // read-only: everything, as before v3
        _ = try ReviewStore(catalogue: f.store)  // migrates
        let isrcs = try f.store.dbQueue.read { try String?.fetchAll($0, sql: "SELECT isrc FROM review_keys ORDER BY seq") }
        #expect(isrcs == ["FRZ031400123", "GBAYE0601498"])
        let source = ReviewDecisions(catalogue: f.store)
        #expect(try source.answering() == .indexed(decisions: 2))
        #expect(try source.memory(isrcs: ["FRZ031400123"], metadataKeys: []).decision(isrc: "FRZ031400123", profile: LineProfile(title: ""))?.accepted == "W3")
    }

    /// The evidence's numbers are written as `%+.2f` writes them.
    @Test func evidenceNumbersAreWrittenLikePrintf() {
        var rng = SeededGenerator(seed: 7)
        var values: [Double] = [0, -0.0, 0.005, 0.015, 0.125, -0.125, 1.005, 2.675, 9.995, -9.995, 99.999, 123.456, -0.004, 1e6 + 0.5]
        for _ in 0..<20_000 { values.append(Double.random(in: -50...50, using: &rng)) }
        for _ in 0..<2_000 { values.append(Double(Int.random(in: -20_000...20_000, using: &rng)) / 1000) }
        for x in values { #expect(ReviewQueueBuilder.signedHundredths(x) == String(format: "%+.2f", x), "\(x)") }
    }

    @Test func oneBadWorkIdImportsNothing() throws {
        let f = try ReviewFixture()
        let before = try f.store.changeStamp()
        #expect(throws: OeuvreError.self) {
            try f.review.importDecisions(path: f.queue(["Q1,L1,W1,W3,W3,", "Q1,L2,W1,,NOPE,"]), reviewer: "bob")
        }
        #expect(try f.store.changeStamp() == before)
        #expect(try f.review.verifyAudit().rows == 0)
        #expect(try f.store.isrcLinks().filter { $0.isrc == "FRZ031400123" }.isEmpty)
    }

    @Test func unknownLineAndMalformedDecisionAreListed() throws {
        let f = try ReviewFixture()
        do {
            _ = try f.review.importDecisions(path: f.queue(["Q1,L9,W1,,W1,", "Q1,L1,W1,W3,7,"]), reviewer: "bob")
            Issue.record("expected an error")
        } catch let e as OeuvreError {
            #expect(e.message.contains("unknown line 'L9'"))
            #expect(e.message.contains("unknown work id '7'"))
            #expect(e.message.contains(":2:"))
        }
    }

    @Test func conflictingLinkIsReportedNotOverwritten() throws {
        let f = try ReviewFixture()
        // L2's ISRC belongs to W2; the reviewer picks W1.
        let s = try f.review.importDecisions(path: f.queue(["Q1,L2,W1,,1,"]), reviewer: "carol")
        #expect(s.linkConflicts.count == 1)
        #expect(try f.store.isrcLinks().filter { $0.isrc == "GBAYE0601498" }.map(\.workId) == ["W2"])
    }

    /// A later decision corrects the links an earlier review decision made; registrations' links are never changed.
    @Test func aLaterDecisionReplacesOrRemovesReviewLinks() throws {
        let f = try ReviewFixture()
        func links(_ isrc: String) throws -> [String] { try f.store.isrcLinks().filter { $0.isrc == isrc }.map(\.workId).sorted() }
        _ = try f.review.importDecisions(path: f.queue(["Q1,L1,W1,W3,W3,"]), reviewer: "alice")
        #expect(try links("FRZ031400123") == ["W3"])
        let corrected = try f.review.importDecisions(path: f.queue(["Q1,L1,W1,W3,W1,wrong work before"]), reviewer: "bob")
        #expect(corrected.linksAdded == 1 && corrected.linksRemoved == 1 && corrected.linkConflicts.isEmpty)
        #expect(try links("FRZ031400123") == ["W1"])
        let none = try f.review.importDecisions(path: f.queue(["Q1,L1,W1,W3,none,not in the catalogue"]), reviewer: "carol")
        #expect(none.linksRemoved == 1 && none.linksAdded == 0)
        #expect(try links("FRZ031400123").isEmpty)
        // L2's ISRC is linked by the works file (a registration): a decision of none is a conflict, the link stays.
        let against = try f.review.importDecisions(path: f.queue(["Q1,L2,W1,,none,"]), reviewer: "dan")
        #expect(against.linkConflicts.count == 1 && against.linksRemoved == 0)
        #expect(try links("GBAYE0601498") == ["W2"])
        let kinds = try f.store.dbQueue.read { try String.fetchAll($0, sql: "SELECT kind FROM review_log WHERE kind LIKE 'link-%' ORDER BY seq") }
        #expect(kinds == ["link-add", "link-add", "link-remove", "link-remove", "link-conflict"])
        #expect(try f.review.verifyAudit().firstBad == nil)
    }

    @Test func emptyDecisionIsNotReviewed() throws {
        let f = try ReviewFixture()
        let s = try f.review.importDecisions(path: f.queue(["Q1,L1,W1,W3,,", "Q1,L2,W1,,none,"]), reviewer: "dan")
        #expect(s.skipped == 1)
        #expect(s.rejected == 1)
        #expect(s.accepted == 0)
    }
}

@Suite struct AuditChainTests {
    @Test func reviewLogRefusesUpdatesAndDeletes() throws {
        let f = try ReviewFixture()
        _ = try f.review.importDecisions(path: f.queue(["Q1,L1,W1,W3,W3,"]), reviewer: "alice")
        #expect(throws: (any Error).self) {
            try f.store.dbQueue.write { db in try db.execute(sql: "UPDATE review_log SET actor = 'mallory'") }
        }
        #expect(throws: (any Error).self) {
            try f.store.dbQueue.write { db in try db.execute(sql: "DELETE FROM review_log") }
        }
        #expect(throws: (any Error).self) {
            try f.store.dbQueue.write { db in try db.execute(sql: "DELETE FROM labelled_pairs") }
        }
    }

    @Test func verifyFindsTheFirstEditedRow() throws {
        let f = try ReviewFixture()
        _ = try f.review.importDecisions(path: f.queue(["Q1,L1,W1,W3,W3,", "Q1,L2,W1,,W2,"]), reviewer: "alice")
        let before = try f.review.verifyAudit()
        #expect(before.firstBad == nil)
        #expect(before.rows >= 3)
        try f.store.dbQueue.write { db in
            try db.execute(sql: "DROP TRIGGER review_log_no_update")
            try db.execute(sql: "UPDATE review_log SET work_id = 'W1' WHERE seq = 2")
        }
        #expect(try f.review.verifyAudit().firstBad?.seq == 2)
    }

    @Test func verifyFindsRemovedRows() throws {
        let f = try ReviewFixture()
        _ = try f.review.importDecisions(path: f.queue(["Q1,L1,W1,W3,W3,", "Q1,L2,W1,,W2,"]), reviewer: "alice")
        let rows = try f.review.verifyAudit().rows
        try f.store.dbQueue.writeWithoutTransaction { db in
            try db.execute(sql: "PRAGMA foreign_keys = OFF")
            try db.execute(sql: "DROP TRIGGER review_log_no_delete")
            try db.execute(sql: "DELETE FROM review_log WHERE seq = ?", arguments: [rows])
        }
        #expect(try f.review.verifyAudit().firstBad != nil)
    }
}

@Suite struct LinksExchangeTests {
    @Test func exportsAndImportsWithConflicts() throws {
        let f = try ReviewFixture()
        let out = f.dir + "/links.tsv"
        #expect(try f.review.exportLinks(to: out) == 1)
        let text = try String(contentsOfFile: out, encoding: .utf8)
        #expect(text.hasPrefix("isrc\tiswc\twork_id\tsource\tconfidence\tfirst_seen\n"))
        let theirs = TestSupport.write("""
            isrc\tiswc\twork_id
            GBAYE0601498\t\tW1
            USRC17607839\tT-034.524.680-1\t
            GBAYE0601498\t\tW2
            """, to: "theirs.tsv", in: f.dir)
        let s = try f.review.importLinks(path: theirs, source: "prs", actor: "test")
        #expect(s.added == 1)
        #expect(s.existing == 1)
        #expect(s.conflicts.count == 1)
        let links = try f.store.isrcLinks()
        #expect(links.first(where: { $0.isrc == "USRC17607839" })?.workId == "W1")
        #expect(links.filter { $0.isrc == "GBAYE0601498" }.map(\.workId) == ["W2"])
        #expect(try f.review.verifyAudit().firstBad == nil)
    }

    @Test func unknownWorkImportsNothing() throws {
        let f = try ReviewFixture()
        let theirs = TestSupport.write("isrc,work_id\nUSRC17607839,W1\nUSRC17607840,W99\n", to: "bad.csv", in: f.dir)
        #expect(throws: OeuvreError.self) { try f.review.importLinks(path: theirs, source: "prs", actor: "test") }
        #expect(try f.store.isrcLinks().count == 1)
    }
}

@Suite struct ReviewQueueWriterTests {
    @Test func ordersByPlaysTimesUncertaintyAndWritesCSV() throws {
        let dir = TestSupport.temporaryDirectory()
        func item(_ id: String, plays: Double, conf: Double) -> ReviewItem {
            ReviewItem(lineId: id, isrc: nil, title: "T, \"quoted\"", artist: nil, duration: nil, plays: plays, revenue: nil, machineDecision: .review,
                       candidates: [ReviewCandidate(workId: "W", iswc: nil, title: "x", writers: ["A", "B"], performers: [], confidence: conf,
                                                    reason: "title-only", evidence: "")])
        }
        let ordered = ReviewQueueWriter.ordered([item("a", plays: 100, conf: 0.9), item("b", plays: 50, conf: 0.5), item("c", plays: 1000, conf: 0.995)])
        #expect(ordered.map(\.lineId) == ["b", "a", "c"])  // 25 > 10 > 5
        let path = dir + "/q.csv"
        try ReviewQueueWriter.write(ordered, queueId: "Q", to: path, format: .csv, bom: true)
        let data = try #require(FileManager.default.contents(atPath: path))
        #expect(Array(data.prefix(3)) == [0xEF, 0xBB, 0xBF])
        let text = String(decoding: data.dropFirst(3), as: UTF8.self)
        #expect(text.hasPrefix(ReviewQueueWriter.columns.joined(separator: ",") + "\r\n"))
        #expect(text.contains("\"T, \"\"quoted\"\"\""))
        #expect(text.contains("A|B"))
    }
}
