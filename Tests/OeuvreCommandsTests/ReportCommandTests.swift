import Foundation
import OeuvreTestSupport
import Testing

@Suite struct ReportCommandTests {
    static let example = [
        "HEAD\tdsrf/1.1.2/6/1.2\tBasicAudioProfile\t1.2\tMSG-1\t2025-04-02T09:00:00Z\t1\t1\t2025-03-01\t2025-03-31\tPADPIDA0000000001X\tExample Streaming Ltd\tPremium\tPADPIDA0000000002X\tExample Society\t",
        "SY01.01\tS1\t\t\tSubscriptionModel\tOnDemandStream\tFR\tPremium\t1500\t1000\tEUR\t120.00\t\t\t",
        "RE01\t1\tR1\trel-555\t\tCAT-1\t\tThe Examples\t\tFirst Album\t\tAlbum\tExample Records\t\t",
        "AS02.02\t1\tA1\ttrk-777\tXXA1B2500001\tSummer Rain\tRadio Edit\tThe Examples\t\tPT3M30S\tSoundRecording\tT9876543214\tJane Doe\tIPI::98765432174\t\t\tExample Music Publishing\t\t\t\t\t",
        "SU02\t1\tS1\tTX-1\t\tA1\ttrue\t1200\t\t",
        "RE01\t2\tR1\trel-556\t\t\t\tVarious\t\tParty Mix\t\tSingle\t\t\t",
        "AS01.01\t2\tA1\ttrk-778\tXXA1B2500001\tSummer Rain\tRadio Edit\tThe Examples\t\tPT3M30S\tSoundRecording\t",
        "SU02\t2\tS1\tTX-2\t\tA1\ttrue\t300\t\t",
        "FOOT\t9\t9\t1\t2\t2",
    ].joined(separator: "\n") + "\n"

    @Test func convertWritesCanonicalLinesAndASummary() throws {
        let dir = TestSupport.temporaryDirectory()
        let dsr = TestSupport.write(Self.example, to: "DSR_A.tsv", in: dir)
        let out = dir + "/lines.tsv"
        let r = try CLI.run(["report", "convert", dsr, "--out", out])
        #expect(r.status == 0, "\(r.stderr)")
        let text = try String(contentsOfFile: out, encoding: .utf8)
        let rows = text.split(separator: "\n").map(String.init)
        #expect(rows[0] == "line_id\tisrc\ttitle\tartist\tduration\tplays\tiswc\twriters\tterritory\tuse_type")
        #expect(rows[1] == "trk-777\tXXA1B2500001\tSummer Rain (Radio Edit)\tThe Examples\t210\t1200\tT9876543214\tJane Doe\tFR\tOnDemandStream")
        #expect(rows.count == 3)
        #expect(r.stdout.contains("files: 1"))
        #expect(r.stdout.contains("usage lines: 2"))
        #expect(r.stdout.contains("distinct recordings: 1"))
        #expect(r.stdout.contains("total plays: 1500"))
    }

    @Test func badInputExitsThreeAndLeavesNoOutput() throws {
        let dir = TestSupport.temporaryDirectory()
        let bad = TestSupport.write(Self.example.replacingOccurrences(of: "FOOT\t9", with: "FOOT\t99"), to: "DSR_B.tsv", in: dir)
        let out = dir + "/lines.tsv"
        let r = try CLI.run(["report", "convert", bad, "--out", out])
        #expect(r.status == 3)
        #expect(r.stderr.contains("DSR_B.tsv:9:2: error: NumberOfLinesInFile:"))
        #expect(!FileManager.default.fileExists(atPath: out))
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir).sorted() == ["DSR_B.tsv"])
        let lenient = try CLI.run(["report", "convert", bad, "--out", out, "--lenient"])
        #expect(lenient.status == 0)
        #expect(lenient.stdout.contains("accepted with --lenient"))
    }

    @Test func statsJSON() throws {
        let dir = TestSupport.temporaryDirectory()
        let dsr = TestSupport.write(Self.example + "", to: "DSR_A.tsv", in: dir)
        let csv = TestSupport.write("Track,Performer,Count\nSummer Rain,The Examples,4\n", to: "u.csv", in: dir)
        let r = try CLI.run(["report", "stats", dsr, csv, "--json", "--map", "Track=title", "--map", "Performer=artist", "--map", "Count=plays"])
        #expect(r.status == 0, "\(r.stderr)")
        let obj = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        let totals = try #require(obj["totals"] as? [String: Any])
        #expect(totals["lines"] as? Int == 3)
        #expect(totals["distinct_recordings"] as? Int == 2)  // the CSV line has no ISRC
        #expect(totals["plays"] as? Double == 1504)
        let files = try #require(obj["files"] as? [[String: Any]])
        #expect(files.map { $0["format"] as? String } == ["dsr", "csv"])
        let summaries = try #require(files[0]["summary_records"] as? [[String: Any]])
        #expect(summaries.first?["territory"] as? String == "FR")
        #expect((files[0]["records"] as? [String: Int])?["SU02"] == 2)
        let human = try CLI.run(["report", "stats", dsr])
        #expect(human.stdout.contains("summary S1 SY01: SubscriptionModel / OnDemandStream / FR"))
    }

    @Test func badMapIsAUsageError() throws {
        let dir = TestSupport.temporaryDirectory()
        let csv = TestSupport.write("title\nA\n", to: "u.csv", in: dir)
        let r = try CLI.run(["report", "stats", csv, "--map", "title"])
        #expect(r.status == 2)
    }
}
