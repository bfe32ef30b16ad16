@testable import Catalogue
import Formats
import Foundation
import GRDB
import OeuvreCore
import OeuvreTestSupport
import Testing

private func file(_ text: String, _ name: String, function: String = #function) -> String {
    TestSupport.write(text, to: name, in: TestSupport.temporaryDirectory(function))
}

private func expectError(_ body: () throws -> Void) -> OeuvreError? {
    do {
        try body()
        return nil
    } catch let e as OeuvreError {
        return e
    } catch {
        Issue.record("unexpected error \(error)")
        return nil
    }
}

@Suite struct CatalogueStoreTests {
    @Test func importsCWRAndServesWorks() throws {
        let store = try CatalogueStore(path: ":memory:")
        let stamp0 = try store.changeStamp()
        let result = try store.importFile(file(CWRFileBuilder.sample(version: "2.2").text(), "a.V22"))
        #expect(result.format == "cwr-2.2")
        #expect(result.worksAdded == 2)
        #expect(result.transactions == 2)
        #expect(result.invalidIdentifiers == 0)
        #expect(try store.changeStamp() != stamp0)
        #expect(try store.workCount() == 2)

        let works = try store.allWorks()
        #expect(works.map(\.id) == ["EMP000123", "EMP000124"])
        let w = works[0]
        #expect(w.iswc == "T9876543214")
        #expect(w.duration == 210)
        #expect(w.titles.map(\.text) == ["SUMMER RAIN", "PLUIE D'ETE", "SUMMERRAIN", "SUMMER RAIN (RADIO EDIT)"])
        #expect(w.titles.map(\.kind) == [.original, .alternate, .alternate, .recording])
        #expect(w.titles[1].cwrType == "TT")
        #expect(w.titles[1].language == "FR")
        #expect(w.writers.map(\.name) == ["JANE DOE", "RICHARD ROE"])
        #expect(w.writers[0].ipiName == "98765432174")
        #expect(w.writers[0].ipiBase == "I-123123123-2")
        #expect(w.writers[0].controlled)
        #expect(!w.writers[1].controlled)
        #expect(w.writers[0].prShare == 25)
        #expect(w.parties.filter { $0.role == .publisher }.map(\.name) == ["EXAMPLE MUSIC PUBLISHING"])
        #expect(w.performers == ["THE EXAMPLES"])
        #expect(w.recordings == [Recording(isrc: "XXA1B2500001", title: "SUMMER RAIN (RADIO EDIT)", artist: "THE EXAMPLES", duration: 210,
                                           label: "EXAMPLE RECORDS", release: "FIRST ALBUM")])
        #expect(try store.work(id: "EMP000124")?.title == "WINTER SUN")
        #expect(try store.work(iswc: "T-034.524.680-1")?.id == "EMP000124")
        #expect(try store.work(id: "nope") == nil)

        let links = try store.isrcLinks()
        #expect(links.map(\.isrc) == ["XXA1B2500001", "XXA1B2500002"])
        #expect(links.allSatisfy { $0.source == .cwr && $0.confidence == 1 })
        #expect(links[0].workId == "EMP000123")

        let entry = try #require(try store.entry(id: "EMP000123"))
        #expect(entry.origins.first?.productionTitle == "A SUMMER FILM")
        #expect(entry.parties[0].territories.count == 1)
        #expect(entry.parties[0].publishers == ["P001"])
        #expect(entry.keys == [CatalogueEntry.Key(kind: "submitter", scope: "012345678", value: "EMP000123")])
        #expect(try store.entry(id: "EMP000124")?.originalWorks.first?.title == "WINTER SONG")

        let stats = try store.stats()
        #expect(stats["works"] == 2)
        #expect(stats["works_with_iswc"] == 2)
        #expect(stats["titles"] == 5)
        #expect(stats["alternate_titles"] == 2)
        #expect(stats["recording_titles"] == 1)
        #expect(stats["writers"] == 3)
        #expect(stats["writers_with_ipi"] == 3)
        #expect(stats["publishers"] == 1)
        #expect(stats["performers"] == 2)
        #expect(stats["recordings"] == 2)
        #expect(stats["recordings_with_isrc"] == 2)
        #expect(stats["isrc_links"] == 2)
        #expect(stats["imports"] == 1)
        #expect(stats["invalid_identifiers"] == 0)
        #expect(stats["duplicate_iswcs"] == 0)
    }

    @Test func reimportingTheSameFileIsANoOp() throws {
        let store = try CatalogueStore(path: ":memory:")
        let path = file(CWRFileBuilder.sample().text(), "a.V21")
        _ = try store.importFile(path)
        let stamp = try store.changeStamp()
        let again = try store.importFile(path)
        #expect(again.alreadyImported)
        #expect(again.previousImport?.sha256 == again.sha256)
        #expect(try store.changeStamp() == stamp)
        #expect(try store.stats()["imports"] == 1)
        // The same content under another name is the same file.
        let copy = file(CWRFileBuilder.sample().text(), "copy.V21")
        #expect(try store.importFile(copy).alreadyImported)
    }

    /// The digest is computed beside the import: a file large enough for it to be ready mid-import is stored with
    /// its real SHA-256, and importing it again gives up with nothing written.
    @Test func digestComputedBesideTheImport() throws {
        var b = CWRFileBuilder(version: "2.2")
        for i in 0..<3_000 {
            b.add("NWR", [.work("NWR", title: "SONG NUMBER \(i)", number: String(format: "EMP%06d", i)),
                          .writer(ip: "W001", last: "DOE", pr: 100)])
        }
        let path = file(b.text(), "big.V22")
        let store = try CatalogueStore(path: ":memory:")
        let first = try store.importFile(path)
        #expect(!first.alreadyImported && first.worksAdded == 3_000)
        let sha = try SHA256.file(path)
        #expect(first.sha256 == sha)
        #expect(try store.importBatches().map(\.sha256) == [sha])
        let stamp = try store.changeStamp()
        let again = try store.importFile(path)
        #expect(again.alreadyImported && again.sha256 == sha)
        #expect(try store.changeStamp() == stamp)
        #expect(try store.stats()["imports"] == 1)
    }

    @Test func revisionUpdatesTheWorkAndWritesAudit() throws {
        let store = try CatalogueStore(path: ":memory:")
        _ = try store.importFile(file(CWRFileBuilder.sample().text(), "a.V21"))
        try store.addLearnedTitle(workId: "EMP000123", title: "Summer Rain Live", actor: "reviewer@society")
        try store.addISRCLink(isrc: "XXA1B2599999", workId: "EMP000123", actor: "reviewer@society")

        var rev = CWRFileBuilder(version: "2.1")
        rev.add("REV", [
            .work("REV", title: "SUMMER RAIN", number: "EMP000123", iswc: "T9876543214", language: "EN", duration: "000345"),
            .writer(ip: "W001", last: "DOE", first: "JANE", ipi: "98765432174", pr: 50),
            .alternateTitle("PLUIE D'ETE", type: "TT", language: "FR"),
            .recording(isrc: "XXA1B2500003"),
        ])
        let stamp = try store.changeStamp()
        let result = try store.importFile(file(rev.text(), "rev.V21"))
        #expect(result.worksUpdated == 1)
        #expect(result.worksAdded == 0)
        #expect(try store.changeStamp() != stamp)

        let w = try #require(try store.work(id: "EMP000123"))
        #expect(w.duration == 225)
        #expect(w.writers.map(\.name) == ["JANE DOE"])
        #expect(w.titles.map(\.text) == ["SUMMER RAIN", "PLUIE D'ETE", "Summer Rain Live"])
        #expect(w.titles.last?.kind == .learned)
        #expect(w.recordings.map(\.isrc) == ["XXA1B2500003"])
        // Registration links follow the recordings; the review link stays.
        let links = try store.isrcLinks(workId: "EMP000123")
        #expect(links.map(\.isrc) == ["XXA1B2500003", "XXA1B2599999"])
        #expect(links.map(\.source) == [.cwr, .review])

        let audit = try store.auditEntries(workId: "EMP000123")
        let fields = Set(audit.filter { $0.action == "update" }.compactMap(\.field))
        #expect(fields.isSuperset(of: ["duration", "parties", "titles", "performers", "recordings", "origins"]))
        #expect(audit.contains { $0.action == "unlink" && $0.oldValue == "XXA1B2500001" })
        #expect(audit.contains { $0.action == "link" && $0.newValue?.hasPrefix("XXA1B2500003") == true })
        #expect(audit.contains { $0.action == "add_title" && $0.actor == "reviewer@society" })
        let duration = try #require(audit.first { $0.field == "duration" })
        #expect(duration.oldValue == "210")
        #expect(duration.newValue == "225")
        #expect(duration.origin?.hasSuffix("rev.V21:3") == true)

        // Importing the same revision content again (new file bytes) changes nothing.
        let again = try store.importFile(file(rev.text() + "\r\n", "rev2.V21"))
        #expect(again.worksUnchanged == 1)
        #expect(again.worksUpdated == 0)
    }

    @Test func auditTableIsAppendOnly() throws {
        let store = try CatalogueStore(path: ":memory:")
        _ = try store.importFile(file(CWRFileBuilder.sample().text(), "a.V21"))
        #expect(throws: (any Error).self) { try store.write { db in try db.execute(sql: "DELETE FROM audit") } }
        #expect(throws: (any Error).self) { try store.write { db in try db.execute(sql: "UPDATE audit SET actor = 'x'") } }
        #expect(try store.auditEntries().count == 1)
    }

    @Test func acknowledgementUsesTheSocietyCodeAndKeepsTheSubmitterKey() throws {
        let store = try CatalogueStore(path: ":memory:")
        var ack = CWRFileBuilder(version: "2.1")
        ack.senderType = "SO"
        ack.senderID = "000000052"
        ack.senderName = "A SOCIETY"
        ack.add("ACK", [
            .ack(title: "SUMMER RAIN", submitterNumber: "EMP000123", recipientNumber: "250310HN"),
            .work(title: "SUMMER RAIN", number: "EMP000123", iswc: "T9876543214"),
            .writer(ip: "W001", last: "DOE", first: "JANE", ipi: "98765432174", pr: 100),
            .recording(isrc: "XXA1B2500001"),
        ])
        ack.add("ACK", [.ack(title: "REJECTED ONE", submitterNumber: "EMP000999", recipientNumber: nil, status: "RJ")])
        let r = try store.importFile(file(ack.text(), "ack.V21"))
        #expect(r.worksAdded == 1)
        #expect(r.skippedTransactions["ACK-without-work"] == 1)
        let e = try #require(try store.entry(id: "250310HN"))
        #expect(e.status == "AS")
        #expect(try store.work(id: "EMP000123")?.id == "250310HN")

        // The publisher's later REV (keyed by its submitter work #) updates the same work.
        var rev = CWRFileBuilder(version: "2.1")
        rev.add("REV", [
            .work("REV", title: "SUMMER RAIN", number: "EMP000123", iswc: "T9876543214"),
            .writer(ip: "W001", last: "DOE", first: "JANE", ipi: "98765432174", pr: 100),
            .performer(last: "THE EXAMPLES"),
            .recording(isrc: "XXA1B2500001"),
        ])
        let r2 = try store.importFile(file(rev.text(), "rev.V21"))
        #expect(r2.worksUpdated == 1)
        #expect(try store.workCount() == 1)
        #expect(try store.work(id: "250310HN")?.performers == ["THE EXAMPLES"])
    }

    @Test func sameSubmitterNumberFromAnotherSenderIsNotMerged() throws {
        let store = try CatalogueStore(path: ":memory:")
        _ = try store.importFile(file(CWRFileBuilder.sample().text(), "a.V21"))
        var other = CWRFileBuilder(version: "2.1")
        other.senderID = "000000199"
        other.add("NWR", [.work(title: "ANOTHER SONG", number: "EMP000123"), .writer(ip: "W1", last: "ELSE", pr: 100)])
        let r = try store.importFile(file(other.text(), "b.V21"))
        #expect(r.worksAdded == 1)
        #expect(r.warnings.contains { $0.kind == .idCollision })
        #expect(try store.work(id: "EMP000123")?.title == "SUMMER RAIN")
        #expect(try store.work(id: "000000199:EMP000123")?.title == "ANOTHER SONG")
    }

    /// Chunks of works come in `allWorks()` order with every child row, whatever the chunk size.
    @Test func workChunksReadLikeAllWorks() throws {
        let store = try CatalogueStore(path: ":memory:")
        _ = try store.importFile(file(CWRFileBuilder.sample(version: "2.2").text(), "a.V22"))
        let csv = "work_id,iswc,title,alt_titles,writers,performers,isrcs\n"
            + (1...7).map { "C\($0),,Song \($0),Alt \($0),Writer \($0),Band \($0),USAAA000000\($0)" }.joined(separator: "\n") + "\n"
        _ = try store.importFile(file(csv, "w.csv"))
        let all = try store.allWorks()
        #expect(all.count == 9)
        for size in [1, 2, 4, 9, 100] {
            var chunks: [[Work]] = []
            try store.forEachWorkChunk(size: size) { chunks.append($0) }
            #expect(chunks.joined().map { $0 } == all, "size \(size)")
            #expect(chunks.count == (all.count + size - 1) / size)
        }
        // An error thrown by the body stops the read and reaches the caller.
        struct Stop: Error {}
        var seen = 0
        #expect(throws: Stop.self) {
            try store.forEachWorkChunk(size: 2) { _ in
                seen += 1
                if seen == 2 { throw Stop() }
            }
        }
        #expect(seen == 2)
    }

    /// `works(ids:)` reads the works a list names at once, each as `allWorks()` reads it; ids it does not hold (other
    /// keys, unknown ids, ids with quotes) are left out.
    @Test func worksByIdsReadLikeAllWorks() throws {
        let store = try CatalogueStore(path: ":memory:")
        _ = try store.importFile(file(CWRFileBuilder.sample(version: "2.2").text(), "a.V22"))
        let csv = "work_id,iswc,title,alt_titles,writers,performers,isrcs\n"
            + (1...7).map { "C\($0),,Song \($0),Alt \($0),Writer \($0),Band \($0),USAAA000000\($0)" }.joined(separator: "\n") + "\n"
            + "\"C\"\"8\"\"\",,Quoted,,,,\n"
        _ = try store.importFile(file(csv, "w.csv"))
        let all = Dictionary(uniqueKeysWithValues: try store.allWorks().map { ($0.id, $0) })
        let asked = ["C2", "C7", "C\"8\"", "C5", "nope", "C2"]
        let read = try store.works(ids: asked)
        #expect(read.keys.sorted() == ["C\"8\"", "C2", "C5", "C7"])
        for (id, work) in read { #expect(work == all[id], "\(id)") }
        #expect(try store.works(ids: [String]()).isEmpty)
    }

    @Test func duplicateISWCsAreFlaggedNotMerged() throws {
        let store = try CatalogueStore(path: ":memory:")
        let csv = "work_id,iswc,title\nW1,T-034.524.680-1,Yesterday\nW2,T0345246801,Yesterday (Remix)\nW3,,Other\n"
        let r = try store.importFile(file(csv, "w.csv"))
        #expect(r.worksAdded == 3)
        #expect(r.warnings.contains { $0.kind == .duplicateISWC && $0.message.contains("W1, W2") })
        let stats = try store.stats()
        #expect(stats["duplicate_iswcs"] == 1)
        #expect(stats["works_with_duplicate_iswc"] == 2)
        #expect(try store.works(iswc: "T0345246801").map(\.id) == ["W1", "W2"])
        #expect(try store.duplicateISWCs().first?.workIds == ["W1", "W2"])
    }

    @Test func columnsOutsideTheWorksContractAreReported() throws {
        let store = try CatalogueStore(path: ":memory:")
        let r = try store.importFile(file("work_id,title,label,performers\nW1,One,Sony,Ann\n", "w.csv"))
        let w = try #require(r.warnings.first { $0.kind == .ignoredColumns })
        #expect(w.message.contains("'label' not read"))
        #expect(w.position?.line == 1)
        #expect(try store.work(id: "W1")?.performers == ["Ann"])
        let clean = try store.importFile(file("work_id,title\nW2,Two\n", "v.csv"))
        #expect(!clean.warnings.contains { $0.kind == .ignoredColumns })
    }

    @Test func invalidIdentifiersAreKeptFlaggedAndCounted() throws {
        let store = try CatalogueStore(path: ":memory:")
        let csv = "work_id,iswc,title,writers,writer_ipis\nW1,T0345246802,Bad ISWC,Ann|Bob,00014107339|00014107338\n"
        let r = try store.importFile(file(csv, "w.csv"))
        #expect(r.invalidIdentifiers == 2)
        #expect(r.warnings.filter { $0.kind == .invalidIdentifier }.count == 2)
        let e = try #require(try store.entry(id: "W1"))
        #expect(e.iswc == "T0345246802")
        #expect(!e.iswcValid)
        #expect(e.parties[0].ipiName == "00014107339")
        #expect(!e.parties[0].ipiNameValid)
        #expect(e.parties[1].ipiNameValid)
        let w = try #require(try store.work(id: "W1"))
        #expect(w.iswc == nil)
        #expect(w.writers[0].ipiValid == false)
        let stats = try store.stats()
        #expect(stats["invalid_identifiers"] == 2)
        #expect(stats["works_with_iswc"] == 0)
        #expect(stats["works_with_invalid_iswc"] == 1)
        #expect(stats["writers_with_ipi"] == 1)

        var b = CWRFileBuilder(version: "2.1")
        b.add("NWR", [.work(title: "X", number: "C1", iswc: "T9876543215"), .writer(ip: "W1", last: "Y", ipi: "98765432175", pr: 100)])
        let r2 = try store.importFile(file(b.text(), "bad.V21"))
        #expect(r2.invalidIdentifiers == 2)
        #expect(r2.warnings.first?.position?.line == 3)
        #expect(try store.stats()["invalid_identifiers"] == 4)
    }

    @Test func csvRowWithAKnownWorkIdUpdatesOnlyItsColumns() throws {
        let store = try CatalogueStore(path: ":memory:")
        _ = try store.importFile(file(CWRFileBuilder.sample().text(), "a.V21"))
        let csv = "work_id,title,duration,isrcs\nEMP000123,Summer Rain,3:40,XXA1B2500001|GB-ABC-25-00001\n"
        let r = try store.importFile(file(csv, "fix.csv"))
        #expect(r.worksUpdated == 1)
        let e = try #require(try store.entry(id: "EMP000123"))
        #expect(e.title == "Summer Rain")
        #expect(e.duration == 220)
        #expect(e.iswc == "T9876543214")  // no iswc column: unchanged
        #expect(e.parties.count == 3)  // no writers column: unchanged
        #expect(e.recordings.map(\.isrc) == ["XXA1B2500001", "GBABC2500001"])
        #expect(e.recordings[0].release == "FIRST ALBUM")  // the CWR recording's details are kept
        let links = try store.isrcLinks(workId: "EMP000123")
        #expect(links.map(\.isrc) == ["GBABC2500001", "XXA1B2500001"])
        #expect(links.map(\.source) == [.import, .cwr])
        let audit = try store.auditEntries(workId: "EMP000123").filter { $0.action == "update" }
        #expect(Set(audit.compactMap(\.field)) == ["title", "duration", "source", "recordings"])
    }

    @Test func aFileWithAnErrorImportsNothing() throws {
        let store = try CatalogueStore(path: ":memory:")
        let csv = "work_id,title,isrcs\nW1,One,USRC17607839\nW2,Two,NOT-AN-ISRC\n"
        let path = file(csv, "bad.csv")
        let error = try #require(expectError { _ = try store.importFile(path) })
        #expect(error.position?.file == path)
        #expect(error.position?.line == 3)
        #expect(error.position?.column == 3)
        #expect(error.position?.field == "isrcs")
        #expect(error.code.exitCode == 3)
        #expect(try store.workCount() == 0)
        #expect(try store.stats()["imports"] == 0)
        #expect(try store.isrcLinks().isEmpty)

        var lines = CWRFileBuilder.sample().lines()
        lines.removeLast()
        let cwr = file(lines.joined(separator: "\n"), "cut.V21")
        #expect(expectError { _ = try store.importFile(cwr) } != nil)
        #expect(try store.workCount() == 0)
        // After the error, a good file imports normally.
        #expect(try store.importFile(file(CWRFileBuilder.sample().text(), "ok.V21")).worksAdded == 2)
    }

    @Test func lenientImportAcceptsMissingRecords() throws {
        let store = try CatalogueStore(path: ":memory:")
        var lines = CWRFileBuilder.sample().lines()
        lines.remove(at: 4)
        let path = file(lines.joined(separator: "\r\n"), "gap.V21")
        #expect(expectError { _ = try store.importFile(path) } != nil)
        let r = try store.importFile(path, options: ImportOptions(lenient: true))
        #expect(r.worksAdded == 2)
        #expect(r.warnings.filter { $0.kind == .structure }.count == 3)
    }

    @Test func csvEdgeCases() throws {
        let store = try CatalogueStore(path: ":memory:")
        let csv = "\u{FEFF}Work ID,ISWC,Song Title,alt_titles,writers,writer_ipis,performers,isrcs,duration,ignored\r\n"
            + "W1,T-034.524.680-1,\"Hello, \"\"World\"\"\",\"Alt One|Alt, Two\",Ann Lee|Bob Ray,00014107338|,Band,USRC17607839|GBAYE0601498,PT3M30S,x\r\n"
            + "\r\n"
            + "W2,,\"Two\nLines\",,,,,,215,\r\n"
        let r = try store.importFile(file(csv, "w.csv"), options: ImportOptions(renames: ["Song Title": "title"]))
        #expect(r.format == "csv")
        #expect(r.worksAdded == 2)
        let w1 = try #require(try store.work(id: "W1"))
        #expect(w1.title == "Hello, \"World\"")
        #expect(w1.titles.filter { $0.kind == .alternate }.map(\.text) == ["Alt One", "Alt, Two"])
        #expect(w1.writers.map(\.name) == ["Ann Lee", "Bob Ray"])
        #expect(w1.writers.map(\.ipiName) == ["00014107338", nil])
        #expect(w1.performers == ["Band"])
        #expect(w1.recordings.map(\.isrc) == ["USRC17607839", "GBAYE0601498"])
        #expect(w1.duration == 210)
        #expect(try store.work(id: "W2")?.title == "Two\nLines")
        #expect(try store.isrcLinks().map(\.source) == [.import, .import])

        let tsv = "work_id\ttitle\tiswc\nT1\tA \"quoted\" title\tT0345246801\n"
        let r2 = try store.importFile(file(tsv, "w.tsv"))
        #expect(r2.format == "tsv")
        #expect(try store.work(id: "T1")?.title == "A \"quoted\" title")

        let missing = try #require(expectError { _ = try store.importFile(file("id,name\n1,x\n", "m.csv")) })
        #expect(missing.description.contains("work_id"))
        let mismatch = try #require(expectError {
            _ = try store.importFile(file("work_id,title,writers,writer_ipis\nW9,T,A|B,00014107338\n", "mm.csv"))
        })
        #expect(mismatch.position?.field == "writer_ipis")
        #expect(try store.work(id: "W9") == nil)
        #expect(throws: OeuvreError.self) {
            _ = try store.importFile(self.zip(), options: ImportOptions())
        }
    }

    private func zip() -> String {
        let dir = TestSupport.temporaryDirectory()
        let path = dir + "/a.zip"
        precondition(FileManager.default.createFile(atPath: path, contents: Data([0x50, 0x4B, 0x03, 0x04, 0, 0, 0, 0])), "cannot write test file")
        return path
    }

    @Test func createsAMissingFileAndRefusesForeignDatabases() throws {
        let dir = TestSupport.temporaryDirectory()
        let path = dir + "/sub/cat.sqlite"
        do {
            let store = try CatalogueStore(path: path)
            _ = try store.importFile(file(CWRFileBuilder.sample().text(), "a.V21"))
            let mode = try store.read { db in try String.fetchOne(db, sql: "PRAGMA journal_mode") }
            #expect(mode == "wal")
            let appID = try store.read { db in try Int32.fetchOne(db, sql: "PRAGMA application_id") }
            #expect(appID == CatalogueInfo.applicationID)
        }
        #expect(try CatalogueStore(path: path).workCount() == 2)

        let foreign = dir + "/other.sqlite"
        do {
            let q = try DatabaseQueue(path: foreign)
            try q.write { db in try db.execute(sql: "CREATE TABLE t (x)") }
            try q.close()
        }
        let before = try Data(contentsOf: URL(fileURLWithPath: foreign))
        let e1 = try #require(expectError { _ = try CatalogueStore(path: foreign) })
        #expect(e1.code.exitCode == 2)
        #expect(e1.description.contains("not an Oeuvre catalogue"))
        #expect(try Data(contentsOf: URL(fileURLWithPath: foreign)) == before)

        let text = TestSupport.write("hello, I am not a database at all, just text\n", to: "notes.txt", in: dir)
        let e2 = try #require(expectError { _ = try CatalogueStore(path: text) })
        #expect(e2.code.exitCode == 2)

        let empty = TestSupport.write("", to: "empty.sqlite", in: dir)
        #expect(try CatalogueStore(path: empty).workCount() == 0)
    }

    @Test func otherModulesCanAddTablesThroughMigrations() throws {
        let dir = TestSupport.temporaryDirectory()
        let path = dir + "/cat.sqlite"
        do {
            let store = try CatalogueStore(path: path)
            let stamp = try store.changeStamp()
            try store.migrate { m in
                m.registerMigration("review-test-v1") { db in
                    try db.execute(sql: "CREATE TABLE decisions (line_id TEXT, work_id TEXT)")
                }
            }
            #expect(try store.changeStamp() != stamp)
            try store.write { db in try db.execute(sql: "INSERT INTO decisions VALUES ('1', 'W1')") }
        }
        // Reopened without those migrations registered: still fine, data still there.
        let store = try CatalogueStore(path: path)
        #expect(try store.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM decisions") } == 1)
    }

    @Test func learnedTitlesAndReviewLinks() throws {
        let store = try CatalogueStore(path: ":memory:")
        _ = try store.importFile(file("work_id,title,isrcs\nW1,Yesterday,USRC17607839\n", "w.csv"))
        try store.addLearnedTitle(workId: "W1", title: "Yesterday (Live at the BBC)", actor: "ann")
        try store.addLearnedTitle(workId: "W1", title: "YESTERDAY", actor: "ann")  // already a title
        try store.addISRCLink(isrc: "US-RC1-76-07839", workId: "W1", confidence: 1, actor: "ann")
        #expect(try store.work(id: "W1")?.titles.map(\.kind) == [.original, .learned])
        let links = try store.isrcLinks()
        #expect(links.count == 1)
        #expect(links[0].source == .review)
        #expect(throws: OeuvreError.self) { try store.addISRCLink(isrc: "USRC17607839", workId: "nope", actor: "ann") }
        #expect(throws: OeuvreError.self) { try store.addISRCLink(isrc: "bad", workId: "W1", actor: "ann") }
    }

    @Test func sameFileWithOtherRenamesIsAnotherImport() throws {
        let store = try CatalogueStore(path: ":memory:")
        let path = file("id,name,Alt\nW1,One,Uno\n", "w.csv")
        let first = try store.importFile(path, options: ImportOptions(renames: ["id": "work_id", "name": "title"]))
        #expect(first.worksAdded == 1)
        #expect(try store.importFile(path, options: ImportOptions(renames: ["name": "title", "id": "work_id"])).alreadyImported)
        let second = try store.importFile(path, options: ImportOptions(renames: ["id": "work_id", "name": "title", "Alt": "alt_titles"]))
        #expect(!second.alreadyImported)
        #expect(second.worksUpdated == 1)
        #expect(try store.work(id: "W1")?.titles.map(\.text) == ["One", "Uno"])
    }

    @Test func upgradesAVersion1Catalogue() throws {
        let dir = TestSupport.temporaryDirectory()
        let path = dir + "/old.sqlite"
        do {
            let q = try DatabaseQueue(path: path)
            try q.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA application_id = \(CatalogueInfo.applicationID)") }
            try CatalogueSchema.migrator.migrate(q, upTo: "catalogue-v1")
            try q.write { db in
                try db.execute(sql: """
                    INSERT INTO imports (file_name, sha256, format, imported_at, works_added, works_updated, works_unchanged, transactions,
                        records, skipped_records, invalid_identifiers, warnings, duration_ms)
                    VALUES ('a.csv', 'abc', 'csv', '2025-01-01T00:00:00Z', 1, 0, 0, 1, 1, 0, 0, 0, 5);
                    INSERT INTO works (work_id, title, source, created_import, updated_import) VALUES ('W1', 'One', 'csv', 1, 1);
                    INSERT INTO titles (work_pk, ord, text, kind) VALUES (1, 0, 'One', 'original');
                    """)
            }
            try q.close()
        }
        let store = try CatalogueStore(path: path)
        let batches = try store.importBatches()
        #expect(batches.map(\.sha256) == ["abc"])
        #expect(try store.work(id: "W1")?.title == "One")
        let columns = try store.read { db in try db.columns(in: "imports").map(\.name) }
        #expect(columns.contains("mapping"))
    }

    @Test func aWorkIdTwiceInOneFileIsInsertedThenUpdated() throws {
        let store = try CatalogueStore(path: ":memory:")
        let csv = "work_id,title,writers,isrcs\nW1,First,Ann,USRC17607839\nW2,Other,Bob,\nW1,Second,Ann|Cy,USRC17607839|GBAYE0601498\n"
        let r = try store.importFile(file(csv, "twice.csv"))
        #expect(r.worksAdded == 2)
        #expect(r.worksUpdated == 1)
        let w = try #require(try store.work(id: "W1"))
        #expect(w.title == "Second")
        #expect(w.writers.map(\.name) == ["Ann", "Cy"])
        #expect(w.titles.count == 1)
        #expect(try store.isrcLinks(workId: "W1").map(\.isrc) == ["GBAYE0601498", "USRC17607839"])
        let audit = try store.auditEntries(workId: "W1")
        #expect(audit.first { $0.field == "title" }?.oldValue == "First")
        #expect(audit.first { $0.field == "title" }?.origin?.hasSuffix("twice.csv:4") == true)
    }
}
