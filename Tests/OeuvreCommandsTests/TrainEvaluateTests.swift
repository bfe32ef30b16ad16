import Foundation
import OeuvreTestSupport
import Testing

/// `oeuvre train` / `oeuvre evaluate` in labelled-pairs mode, through the executable.
@Suite struct TrainEvaluateTests {
    static let words = ["love", "night", "river", "golden", "summer", "fire", "blue", "home", "road", "dream", "moon", "star"]

    /// A small catalogue, usage lines and pairs: each line's own work is a positive, two look-alikes are negatives.
    static func fixture(_ dir: String, label: (Int, Int) -> String = { _, l in String(l) }) -> (pairs: String, usage: String, works: String) {
        var works = "work_id,title,performers,duration\n"
        var usage = "line_id\ttitle\tartist\tduration\n"
        var pairs = "line_id\twork_id\tlabel\tsplit\n"
        let n = 40
        for k in 0..<n {
            let title = "\(words[k % 12].capitalized) \(words[(k * 5 + 3) % 12].capitalized) \(k)"
            works += "W\(k),\(title),Artist \(k % 7),\(180 + k)\n"
            let shown = k % 3 == 0 ? title.uppercased() + " (Live)" : title
            usage += "L\(k)\t\(shown)\tArtist \(k % 7)\t\(180 + k + k % 3)\n"
            let split = k % 5 == 0 ? "test" : "train"
            var row = 0
            pairs += "L\(k)\tW\(k)\t\(label(row, 1))\t\(split)\n"; row += 1
            pairs += "L\(k)\tW\((k + 1) % n)\t\(label(row, 0))\t\(split)\n"; row += 1
            pairs += "L\(k)\tW\((k + 12) % n)\t\(label(row, 0))\t\(split)\n"
        }
        return (TestSupport.write(pairs, to: "pairs.tsv", in: dir), TestSupport.write(usage, to: "usage.tsv", in: dir),
                TestSupport.write(works, to: "works.csv", in: dir))
    }

    @Test func trainsAndEvaluates() throws {
        let dir = TestSupport.temporaryDirectory()
        let f = Self.fixture(dir)
        let model = dir + "/models/m.json"
        let t = try CLI.run(["train", "--pairs", f.pairs, "--usage", f.usage, "--works", f.works, "--split-column", "split", "--train", "train",
                             "--out", model])
        #expect(t.status == 0, "\(t.stderr)")
        #expect(FileManager.default.fileExists(atPath: model))
        let json = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: model))) as? [String: Any])
        for key in ["format", "format_version", "feature_names", "weights", "bias", "scaling", "thresholds", "training", "metrics"] {
            #expect(json[key] != nil, "model key \(key)")
        }
        let training = try #require(json["training"] as? [String: Any])
        #expect((training["fingerprint"] as? String)?.hasPrefix("sha256:") == true)

        let e = try CLI.run(["evaluate", "--pairs", f.pairs, "--usage", f.usage, "--works", f.works, "--model", model, "--split", "test", "--json"])
        #expect(e.status == 0, "\(e.stderr)")
        let obj = try #require(try JSONSerialization.jsonObject(with: Data(e.stdout.utf8)) as? [String: Any])
        for key in ["precision", "recall", "f1", "auc", "ece", "pairs"] { #expect(obj[key] != nil, "evaluate key \(key)") }
        #expect(obj["pairs"] as? Int == 24)
        #expect((obj["f1"] as? Double ?? 0) > 0.9)

        // Same inputs, same model bytes.
        let again = dir + "/models/m2.json"
        _ = try CLI.run(["train", "--pairs", f.pairs, "--usage", f.usage, "--works", f.works, "--train", "train", "--out", again])
        #expect(try Data(contentsOf: URL(fileURLWithPath: model)) == Data(contentsOf: URL(fileURLWithPath: again)))
    }

    /// Truth mode: the matcher's candidates labelled by the truth, from one generated set or several fitted together.
    @Test func trainsOnTheMatchersCandidatesFromOneOrSeveralSets() throws {
        let dir = TestSupport.temporaryDirectory()
        var sets: [(truth: String, usage: String, works: String)] = []
        for seed in [1, 2] {
            let out = dir + "/synth\(seed)"
            let g = try CLI.run(["synth", "--works", "120", "--lines", "400", "--seed", String(seed), "--out", out])
            #expect(g.status == 0, "\(g.stderr)")
            sets.append((out + "/truth.tsv", out + "/usage.tsv", out + "/works.csv"))
        }
        func pairs(_ model: String) throws -> Int {
            let json = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: model))) as? [String: Any])
            return try #require((json["training"] as? [String: Any])?["pairs"] as? Int)
        }
        var single: [Int] = []
        for (k, s) in sets.enumerated() {
            let model = dir + "/m\(k).json"
            let r = try CLI.run(["train", "--truth", s.truth, "--usage", s.usage, "--works", s.works, "--l2", "100", "--out", model])
            #expect(r.status == 0, "\(r.stderr)")
            single.append(try pairs(model))
        }
        // Reproducible: the same data trained again after the works file was rewritten (same bytes, new
        // modification time, so a new index stamp) gives a byte-identical model file.
        let works0 = try Data(contentsOf: URL(fileURLWithPath: sets[0].works))
        try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSinceNow: -3600)], ofItemAtPath: sets[0].works)
        #expect(try Data(contentsOf: URL(fileURLWithPath: sets[0].works)) == works0)
        let again = dir + "/m0-again.json"
        let a = try CLI.run(["train", "--truth", sets[0].truth, "--usage", sets[0].usage, "--works", sets[0].works, "--l2", "100", "--out", again])
        #expect(a.status == 0, "\(a.stderr)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: again)) == Data(contentsOf: URL(fileURLWithPath: dir + "/m0.json")))
        let both = dir + "/both.json"
        let r = try CLI.run(["train", "--truth", sets[0].truth, "--usage", sets[0].usage, "--works", sets[0].works,
                             "--truth", sets[1].truth, "--usage", sets[1].usage, "--works", sets[1].works, "--l2", "100", "--out", both])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(try pairs(both) == single[0] + single[1])
        #expect(r.stderr.contains("set 2 of 2"))
        // A set short of its usage or catalogue: a usage error, no model.
        let bad = dir + "/bad.json"
        let u = try CLI.run(["train", "--truth", sets[0].truth, "--truth", sets[1].truth, "--usage", sets[0].usage, "--usage", sets[1].usage,
                             "--works", sets[0].works, "--out", bad])
        #expect(u.status == 2)
        #expect(u.stderr.contains("one --usage and one --works per --truth"))
        #expect(!FileManager.default.fileExists(atPath: bad))
        // Labelled pairs take one works file.
        let f = Self.fixture(dir)
        let p = try CLI.run(["train", "--pairs", f.pairs, "--usage", f.usage, "--works", f.works, "--works", f.works, "--out", bad])
        #expect(p.status == 2)
    }

    @Test func unknownIdsAreBadInput() throws {
        let dir = TestSupport.temporaryDirectory()
        let f = Self.fixture(dir)
        let pairs = TestSupport.write(try String(contentsOfFile: f.pairs, encoding: .utf8) + "L3\tW999\t0\ttrain\n", to: "bad.tsv", in: dir)
        let r = try CLI.run(["train", "--pairs", pairs, "--usage", f.usage, "--works", f.works, "--out", dir + "/m.json"])
        #expect(r.status == 3)
        #expect(r.stderr.contains("bad.tsv:122"))
        #expect(r.stderr.contains("W999"))
        #expect(!FileManager.default.fileExists(atPath: dir + "/m.json"))
        let lines = TestSupport.write("line_id\twork_id\tlabel\nNOPE\tW1\t1\n", to: "bad2.tsv", in: dir)
        let r2 = try CLI.run(["train", "--pairs", lines, "--usage", f.usage, "--works", f.works, "--out", dir + "/m.json"])
        #expect(r2.status == 3)
        #expect(r2.stderr.contains("NOPE"))
    }

    @Test func labelsMustBeZeroOrOne() throws {
        let dir = TestSupport.temporaryDirectory()
        let f = Self.fixture(dir, label: { row, l in row == 2 ? "yes" : String(l) })
        let r = try CLI.run(["train", "--pairs", f.pairs, "--usage", f.usage, "--works", f.works, "--out", dir + "/m.json"])
        #expect(r.status == 3)
        #expect(r.stderr.contains("pairs.tsv:4:3"))
        #expect(r.stderr.contains("label"))
        #expect(!FileManager.default.fileExists(atPath: dir + "/m.json"))
    }

    @Test func aSplitWithoutPositivesIsBadInput() throws {
        let dir = TestSupport.temporaryDirectory()
        let f = Self.fixture(dir, label: { _, _ in "0" })
        let r = try CLI.run(["train", "--pairs", f.pairs, "--usage", f.usage, "--works", f.works, "--train", "train", "--out", dir + "/m.json"])
        #expect(r.status == 3)
        #expect(r.stderr.contains("no positive"))
        #expect(!FileManager.default.fileExists(atPath: dir + "/m.json"))
        let missing = try CLI.run(["train", "--pairs", f.pairs, "--usage", f.usage, "--works", f.works, "--train", "nosuch", "--out", dir + "/m.json"])
        #expect(missing.status == 3)
    }

    @Test func usageErrorsAndForeignModels() throws {
        let dir = TestSupport.temporaryDirectory()
        let f = Self.fixture(dir)
        let r = try CLI.run(["train", "--pairs", f.pairs, "--out", dir + "/m.json"])
        #expect(r.status == 2)
        let none = try CLI.run(["evaluate", "--json"])
        #expect(none.status == 2)
        let model = dir + "/m.json"
        #expect(try CLI.run(["train", "--pairs", f.pairs, "--usage", f.usage, "--works", f.works, "--out", model]).status == 0)
        let text = try String(contentsOfFile: model, encoding: .utf8).replacingOccurrences(of: "\"title_exact\"", with: "\"title_same\"")
        let foreign = TestSupport.write(text, to: "foreign.json", in: dir)
        let e = try CLI.run(["evaluate", "--pairs", f.pairs, "--usage", f.usage, "--works", f.works, "--model", foreign])
        #expect(e.status == 2)
        #expect(e.stderr.contains("title_same"))
    }
}
