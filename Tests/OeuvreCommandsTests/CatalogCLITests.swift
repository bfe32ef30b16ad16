import Foundation
import OeuvreTestSupport
import Testing

@Suite struct CatalogCLITests {
    @Test func importStatsShowRoundTrip() throws {
        let dir = TestSupport.temporaryDirectory()
        let db = dir + "/cat.sqlite"
        let cwr = TestSupport.write(CWRFileBuilder.sample(version: "2.2").text(), to: "CW250001EMP_052.V22", in: dir)
        let csv = TestSupport.write("work_id,iswc,title,writers\nW1,T-034.524.680-1,Yesterday,Paul McCartney\n", to: "w.csv", in: dir)
        let r = try CLI.run(["catalog", "import", cwr, csv, "--db", db])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("cwr-2.2: 2 works added"))
        #expect(r.stdout.contains("csv: 1 works added"))
        // T0345246801 is now on EMP000124 and W1: a warning, not a merge.
        #expect(r.stderr.contains("warning: ISWC T0345246801 is on 2 works"))

        let again = try CLI.run(["catalog", "import", cwr, "--db", db])
        #expect(again.status == 0)
        #expect(again.stdout.contains("already imported"))

        let stats = try CLI.run(["catalog", "stats", "--db", db, "--json"])
        #expect(stats.status == 0)
        let obj = try #require(try JSONSerialization.jsonObject(with: Data(stats.stdout.utf8)) as? [String: Any])
        for key in ["works", "works_with_iswc", "titles", "alternate_titles", "writers", "writers_with_ipi", "performers", "recordings",
                    "isrc_links", "imports", "invalid_identifiers", "duplicate_iswcs"] {
            #expect(obj[key] is Int, "missing \(key)")
        }
        #expect(obj["works"] as? Int == 3)
        #expect(obj["imports"] as? Int == 2)
        #expect(obj["duplicate_iswcs"] as? Int == 1)

        let show = try CLI.run(["catalog", "show", "EMP000123", "--db", db])
        #expect(show.status == 0)
        #expect(show.stdout.contains("SUMMER RAIN"))
        #expect(show.stdout.contains("ISRC XXA1B2500001"))
        let byISWC = try CLI.run(["catalog", "show", "T-034.524.680-1", "--db", db, "--json"])
        #expect(byISWC.status == 0)
        let shown = try #require(try JSONSerialization.jsonObject(with: Data(byISWC.stdout.utf8)) as? [String: Any])
        let works = try #require(shown["works"] as? [[String: Any]])
        #expect(works.compactMap { $0["work_id"] as? String } == ["EMP000124", "W1"])
        #expect(try CLI.run(["catalog", "show", "nothing", "--db", db]).status == 1)
    }

    @Test func badInputExitsThreeAndImportsNothing() throws {
        let dir = TestSupport.temporaryDirectory()
        let db = dir + "/cat.sqlite"
        var lines = CWRFileBuilder.sample().lines()
        lines.removeLast()
        let cut = TestSupport.write(lines.joined(separator: "\r\n"), to: "cut.V21", in: dir)
        let r = try CLI.run(["catalog", "import", cut, "--db", db])
        #expect(r.status == 3)
        #expect(r.stderr.contains("cut.V21:"))
        #expect(r.stderr.contains("truncated"))
        // The catalogue this import created holds nothing: it is removed, so nothing can be matched against it.
        #expect(r.stderr.contains("nothing was imported: the new catalogue"))
        #expect(!FileManager.default.fileExists(atPath: db))
        #expect(!FileManager.default.fileExists(atPath: db + "-wal"))
        let stats = try CLI.run(["catalog", "stats", "--db", db, "--json"])
        #expect(stats.status != 0)
        #expect(stats.stderr.contains("no catalogue at"))

        // A catalogue that existed before a failed import is kept with what it held.
        let good = TestSupport.write("work_id,title\nW0,Yesterday\n", to: "good.csv", in: dir)
        #expect(try CLI.run(["catalog", "import", good, "--db", db]).status == 0)
        let csv = TestSupport.write("work_id,title,isrcs\nW1,A,USRC17607839\nW2,B,bad-isrc\n", to: "bad.csv", in: dir)
        let r2 = try CLI.run(["catalog", "import", csv, "--db", db])
        #expect(r2.status == 3)
        #expect(r2.stderr.contains("bad.csv:3:3: error: isrcs:"))
        #expect(!r2.stderr.contains("was removed"))
        let after = try CLI.run(["catalog", "stats", "--db", db, "--json"])
        let obj = try #require(try JSONSerialization.jsonObject(with: Data(after.stdout.utf8)) as? [String: Any])
        #expect(obj["works"] as? Int == 1)
    }

    @Test func refusesADatabaseThatIsNotACatalogue() throws {
        let dir = TestSupport.temporaryDirectory()
        let notes = TestSupport.write("not a database\n", to: "notes.sqlite", in: dir)
        let csv = TestSupport.write("work_id,title\nW1,A\n", to: "w.csv", in: dir)
        let r = try CLI.run(["catalog", "import", csv, "--db", notes])
        #expect(r.status == 2)
        #expect(r.stderr.contains("not an Oeuvre catalogue"))
        #expect(try String(contentsOfFile: notes, encoding: .utf8) == "not a database\n")
    }

    @Test func mapRenamesColumns() throws {
        let dir = TestSupport.temporaryDirectory()
        let db = dir + "/cat.sqlite"
        let tsv = TestSupport.write("Code\tSong\nA1\tYesterday\n", to: "w.tsv", in: dir)
        let r = try CLI.run(["catalog", "import", tsv, "--db", db, "--map", "Code=work_id", "--map", "Song=title"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("tsv: 1 works added"))
        let bad = try CLI.run(["catalog", "import", tsv, "--db", db, "--map", "Code=nonsense"])
        #expect(bad.status == 2)
    }
}
