import Foundation
import OeuvreTestSupport
import Testing

/// `oeuvre match` of one CSV/TSV file decides ISRC-linked lines without building usage lines for them
/// (`DirectMatch`); its results, summary, warnings, review queue and errors must be those of the general path
/// (`--general-path`, every line through the pipeline) on mixed input.
@Suite struct DirectMatchTests {
    /// 24 works; W1–W20 with an ISRC of their own (W5 with two), W21/W22 sharing one, W23/W24 without.
    static func works() -> String {
        var s = "work_id,iswc,title,alt_titles,writers,performers,isrcs,duration\n"
        for w in 1...24 {
            var isrcs = w <= 20 ? "USAAA00000\(String(format: "%02d", w))" : w <= 22 ? "USMUL0000001" : ""
            if w == 5 { isrcs += "|USAAA0000099" }
            let title = w == 7 ? "\"Tab\tand, comma\"" : "Song Number \(w)"
            s += "W\(w),,\(title),,Writer \(w),Band \(w % 6),\(isrcs),\(180 + w)\n"
        }
        return s
    }

    static func usage(_ rng: inout SeededGenerator, tsv: Bool, rows: Int) -> String {
        let d = tsv ? "\t" : ","
        func cell(_ s: String) -> String {
            if tsv || !(s.contains(",") || s.contains("\"") || s.contains("\n") || s.contains("\r") || rng.next() % 8 == 0) { return s }
            return "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\""
        }
        var s = ["line_id", "isrc", "title", "artist", "duration", "plays", "iswc"].joined(separator: d) + "\n"
        var ids: [String] = []
        for r in 0..<rows {
            if rng.next() % 20 == 0 { s += "\r\n" }
            let w = Int(rng.next() % 24) + 1
            var id = "L\(r)"
            switch rng.next() % 25 {
            case 0, 1: id = ""
            case 2: id = ids.last ?? "L0"
            case 3: id = tsv ? "id\r\(r)" : "id\t\(r),\"x\"\n"
            case 4: id = String(r + 1)
            default: break
            }
            ids.append(id)
            let isrc: String
            switch rng.next() % 12 {
            case 0, 1: isrc = ""
            case 2: isrc = "USMUL0000001"  // linked to two works
            case 3: isrc = "GBZZZ000000\(w % 10)"  // linked to none
            case 4: isrc = "bad-isrc"
            case 5: isrc = "us-aaa-00-000\(String(format: "%02d", min(w, 20)))"  // linked, not as written canonically
            case 6: isrc = "USAAA0000099"
            default: isrc = "USAAA00000\(String(format: "%02d", min(w, 20)))"
            }
            let plays = ["", "1", "3", "2.5", "0.1", "-0", "1e2", "12", "0.3", "7"][Int(rng.next() % 10)]
            let title = rng.next() % 10 == 0 ? "" : "Song Number \(w)"
            let cells = [id, isrc, title, "Band \(w % 6)", rng.next() % 3 == 0 ? "3:05" : "", plays, rng.next() % 20 == 0 ? "bad" : ""]
            s += cells.map(cell).joined(separator: d) + (rng.next() % 3 == 0 ? "\r\n" : "\n")
        }
        return s
    }

    /// stderr without what depends on time (the summary's seconds, rates, index build).
    static func steady(_ stderr: String) throws -> [String] {
        try stderr.split(separator: "\n").filter { !$0.hasPrefix("building match index") }.map { line in
            guard line.hasPrefix("{") else { return String(line) }
            var obj = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            for k in ["seconds", "lines_per_second", "index_seconds", "index_built", "retrieval_cpu_seconds", "scoring_seconds", "gemm_gflops"] {
                obj[k] = nil
            }
            return String(decoding: try JSONSerialization.data(withJSONObject: obj, options: [.sortedKeys]), as: UTF8.self)
        }
    }

    @Test(arguments: [true, false])
    func agreesWithTheGeneralPathOnMixedInput(tsv: Bool) throws {
        let dir = TestSupport.temporaryDirectory()
        let works = TestSupport.write(Self.works(), to: "works.csv", in: dir)
        var rng = SeededGenerator(seed: tsv ? 7 : 8)
        for k in 0..<4 {
            let usage = TestSupport.write(Self.usage(&rng, tsv: tsv, rows: 40 + Int(rng.next() % 200)), to: "u\(k).\(tsv ? "tsv" : "csv")", in: dir)
            var runs: [(stdout: String, stderr: [String])] = []
            // The direct path, the general path, and the lines matched in 2 + k partitions (`--partitions`).
            for variant in 0..<3 {
                let out = dir + "/r\(k)-\(variant).tsv"
                var args = ["match", usage, "--works", works, "--model", MatchCommandTests.model, "--out", out, "--json-summary",
                            "--top", "3"]
                if variant == 1 { args.append("--general-path") }
                if variant == 2 { args += ["--partitions", String(2 + k)] }
                let r = try CLI.run(args)
                #expect(r.status == 0, "\(r.stderr)")
                runs.append((try String(contentsOfFile: out, encoding: .utf8), try Self.steady(r.stderr)))
            }
            for v in 1..<runs.count {
                #expect(runs[0].stdout == runs[v].stdout, "variant \(v)")
                #expect(runs[0].stderr == runs[v].stderr, "variant \(v)")
            }
            #expect(runs[0].stderr.contains { $0.contains("duplicate line_id") })
        }
    }

    /// Links whose confidence routes to review (or to none) with a review queue: the queue, results and summary.
    @Test func reviewAndNoneLinksAgreeWithTheGeneralPath() throws {
        let dir = TestSupport.temporaryDirectory()
        let works = TestSupport.write(Self.works(), to: "works.csv", in: dir)
        let imported = try CLI.run(["catalog", "import", works, "--db", dir + "/c.db"])
        #expect(imported.status == 0, "\(imported.stderr)")
        var rng = SeededGenerator(seed: 3)
        let usage = TestSupport.write(Self.usage(&rng, tsv: true, rows: 300), to: "u.tsv", in: dir)
        // A model whose thresholds put a stated link (confidence 1) at review, then at none.
        let modelData = try Data(contentsOf: URL(fileURLWithPath: MatchCommandTests.model))
        for (auto, review) in [(1.5, 0.5), (1.5, 1.2)] {
            var model = try #require(try JSONSerialization.jsonObject(with: modelData) as? [String: Any])
            var t = try #require(model["thresholds"] as? [String: Any])
            t["auto"] = auto
            t["review"] = review
            model["thresholds"] = t
            let modelPath = dir + "/model-\(review).json"
            try JSONSerialization.data(withJSONObject: model).write(to: URL(fileURLWithPath: modelPath))
            var got: [(results: String, queue: String, stderr: [String])] = []
            // The direct path, the general path, and the general path in three partitions (`--partitions`).
            for (variant, general) in [(0, false), (1, true), (2, true)] {
                let db = dir + "/c-\(review)-\(variant).db"
                try? FileManager.default.removeItem(atPath: db)
                try FileManager.default.copyItem(atPath: dir + "/c.db", toPath: db)
                let out = dir + "/r-\(variant).tsv", queue = dir + "/q-\(variant).csv"
                var args = ["match", usage, "--db", db, "--model", modelPath, "--out", out, "--review-queue", queue, "--json-summary"]
                if general { args.append("--general-path") }
                if variant == 2 { args += ["--partitions", "3"] }
                let r = try CLI.run(args)
                #expect(r.status == 0, "\(r.stderr)")
                // The queue id is drawn per run.
                let id = r.stderr.firstMatch(of: /review queue (Q[0-9a-f]+)/).map { String($0.1) } ?? "?"
                let q = try String(contentsOfFile: queue, encoding: .utf8).replacingOccurrences(of: id, with: "Q")
                got.append((try String(contentsOfFile: out, encoding: .utf8), q,
                            try Self.steady(r.stderr.replacingOccurrences(of: id, with: "Q").replacingOccurrences(of: queue, with: "QUEUE"))))
            }
            for v in 1..<got.count {
                #expect(got[0].results == got[v].results, "variant \(v)")
                #expect(got[0].queue == got[v].queue, "variant \(v)")
                #expect(got[0].stderr == got[v].stderr, "variant \(v)")
            }
            #expect(got[0].results.contains(review < 1 ? "\treview\tisrc-link" : "\tnone\tisrc-link"))
        }
    }

    @Test func badCellsFailAsOnTheGeneralPath() throws {
        let dir = TestSupport.temporaryDirectory()
        let works = TestSupport.write(Self.works(), to: "works.csv", in: dir)
        let files = [
            "line_id\tisrc\ttitle\tplays\nA\tUSAAA0000001\tT\t1\nB\tUSAAA0000001\tT\tmany\n",
            "line_id\tisrc\ttitle\tduration\nA\tUSAAA0000001\tT\t1\nB\tUSAAA0000002\tT\tlong\n",
            "line_id,isrc,title,net_revenue\nA,USAAA0000001,T,1\n\"B\nC\",USAAA0000001,T,lots\n",
            "line_id\tisrc\ttitle\nA\tUSAAA0000001\tT~\n",
        ]
        for (k, text) in files.enumerated() {
            let path = TestSupport.write(text, to: "bad\(k).\(text.contains("\t") ? "tsv" : "csv")", in: dir)
            if text.hasSuffix("~\n") {
                // Invalid UTF-8 in a linked line.
                let bytes = Array(text.utf8).map { $0 == UInt8(ascii: "~") ? 0xFF : $0 }
                #expect(FileManager.default.createFile(atPath: path, contents: Data(bytes)))
            }
            var runs: [CLI.Result] = []
            for general in [false, true] {
                let out = dir + "/never.tsv"
                var args = ["match", path, "--works", works, "--model", MatchCommandTests.model, "--out", out]
                if general { args.append("--general-path") }
                runs.append(try CLI.run(args))
                #expect(!FileManager.default.fileExists(atPath: out))
            }
            #expect(runs[0].status == 3 && runs[1].status == 3)
            #expect(try Self.steady(runs[0].stderr) == (try Self.steady(runs[1].stderr)))
            #expect(runs[0].stderr.contains("bad\(k)."))
        }
    }
}
