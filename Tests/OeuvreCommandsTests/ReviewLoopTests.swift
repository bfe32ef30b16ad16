import Foundation
import Formats
import OeuvreTestSupport
import Testing

/// End to end on the seeds: match → export the queue → fill decisions → import → match again.
@Suite(.serialized) struct ReviewLoopTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

    struct Setup {
        let dir: String
        let db: String
        let report: String
        let model: String
    }

    static func setup(_ name: String = #function) throws -> Setup {
        let dir = TestSupport.temporaryDirectory(name)
        let db = dir + "/cat.sqlite"
        let seeds = root + "/seeds"
        let report = try #require(try FileManager.default.contentsOfDirectory(atPath: seeds + "/report").first { $0.hasPrefix("DSR_") })
        let imported = try CLI.run(["catalog", "import", seeds + "/catalogue.V22", seeds + "/works.csv", "--db", db])
        #expect(imported.status == 0, "\(imported.stderr)")
        return Setup(dir: dir, db: db, report: seeds + "/report/" + report, model: root + "/models/default.json")
    }

    static func results(_ path: String) throws -> [String: [(rank: Int, work: String, decision: String, reason: String)]] {
        let r = try DelimitedReader(path: path)
        var out: [String: [(Int, String, String, String)]] = [:]
        while let rec = try r.next() {
            out[rec.cells[0], default: []].append((Int(rec.cells[1]) ?? -1, rec.cells[2], rec.cells[6], rec.cells[7]))
        }
        return out
    }

    static func truth() throws -> [String: String] {
        let r = try DelimitedReader(path: root + "/seeds/truth.tsv")
        var t: [String: String] = [:]
        while let rec = try r.next() { t[rec.cells[0]] = rec.cells.count > 1 ? rec.cells[1] : "" }
        return t
    }

    /// Rewrites the queue CSV with a decision per row; `choose` gets (line id, candidate work ids).
    static func fill(queue: String, to path: String, _ choose: (String, [String]) -> String) throws {
        let r = try DelimitedReader(path: queue)
        let h = r.header
        let li = try #require(h.firstIndex(of: "line_id")), di = try #require(h.firstIndex(of: "decision"))
        let ci = ["c1_work_id", "c2_work_id", "c3_work_id"].compactMap { h.firstIndex(of: $0) }
        var text = h.map(csvCell).joined(separator: ",") + "\n"
        while let rec = try r.next() {
            var cells = rec.cells
            cells[di] = choose(cells[li], ci.map { cells[$0] }.filter { !$0.isEmpty })
            text += cells.map(csvCell).joined(separator: ",") + "\n"
        }
        precondition(FileManager.default.createFile(atPath: path, contents: Data(text.utf8)), "cannot write test file")
    }

    /// A DSR report matched in partitions (`--partitions`): the whole report's results, summary and review queue.
    @Test func partitionsGiveTheWholeReportResults() throws {
        let s = try Self.setup()
        var got: [(results: String, queue: String, summary: String)] = []
        for parts in ["1", "4"] {
            let out = s.dir + "/r\(parts).tsv", queue = s.dir + "/q\(parts).csv"
            let r = try CLI.run(["match", s.report, "--db", s.db, "--model", s.model, "--out", out, "--review-queue", queue,
                                 "--partitions", parts])
            #expect(r.status == 0, "\(r.stderr)")
            let id = r.stderr.firstMatch(of: /review queue (Q[0-9a-f]+)/).map { String($0.1) } ?? "?"
            let summary = r.stderr.split(separator: "\n").filter { $0.hasPrefix("  auto") || $0.hasPrefix("  review") || $0.hasPrefix("  none") || $0.hasPrefix("matched") }
                .map { $0.replacing(/in [0-9.]+ s.*/, with: "") }.joined(separator: "\n")
            got.append((try String(contentsOfFile: out, encoding: .utf8),
                        try String(contentsOfFile: queue, encoding: .utf8).replacingOccurrences(of: id, with: "Q"), summary))
        }
        #expect(got[0].results == got[1].results)
        #expect(got[0].queue == got[1].queue)
        #expect(got[0].summary == got[1].summary && got[0].summary.contains("matched 480 line(s)"), "\(got[1].summary)")
        let left = try FileManager.default.contentsOfDirectory(atPath: s.dir).filter { $0.contains(".parts-") }
        #expect(left.isEmpty, "temporary partition files left: \(left)")
    }

    /// Two units read together (a generated DSR report and a usage TSV: line ids prefixed per unit), matched in
    /// five parts: the one-part results.
    @Test func partitionsOfSeveralUnitsGiveTheWholeResults() throws {
        let dir = TestSupport.temporaryDirectory()
        let synth = try CLI.run(["synth", "--works", "300", "--lines", "1500", "--seed", "4", "--out", dir + "/s"])
        #expect(synth.status == 0, "\(synth.stderr)")
        let dsr = try #require(try FileManager.default.contentsOfDirectory(atPath: dir + "/s/report").first { $0.hasPrefix("DSR_") })
        var outputs: [String] = []
        for parts in ["1", "5"] {
            let out = dir + "/r\(parts).tsv"
            let r = try CLI.run(["match", dir + "/s/report/" + dsr, dir + "/s/usage.tsv", "--works", dir + "/s/works.csv",
                                 "--model", Self.root + "/models/default.json", "--out", out, "--quiet", "--partitions", parts])
            #expect(r.status == 0, "\(r.stderr)")
            outputs.append(try String(contentsOfFile: out, encoding: .utf8))
        }
        #expect(outputs[0] == outputs[1])
        #expect(outputs[0].split(separator: "\n").count > 3000)
    }

    @Test func reviewedLinesComeBackRankedFirst() throws {
        let s = try Self.setup()
        let first = try CLI.run(["match", s.report, "--db", s.db, "--model", s.model, "--out", s.dir + "/r1.tsv",
                                 "--review-queue", s.dir + "/queue.csv"])
        #expect(first.status == 0, "\(first.stderr)")
        let truth = try Self.truth()
        var accepted: [String: String] = [:]
        var rejected: [String: [String]] = [:]  // lines decided none: the candidates shown
        try Self.fill(queue: s.dir + "/queue.csv", to: s.dir + "/filled.csv") { line, shown in
            guard let w = truth[line], !w.isEmpty else {
                rejected[line] = shown
                return "none"
            }
            accepted[line] = w
            return w
        }
        #expect(!rejected.isEmpty, "the seeds should route some out-of-catalogue lines to review")
        #expect(!accepted.isEmpty, "the seeds should route some in-catalogue lines to review")
        let imported = try CLI.run(["review", "import", s.dir + "/filled.csv", "--db", s.db, "--reviewer", "tester"])
        #expect(imported.status == 0, "\(imported.stderr)")
        let second = try CLI.run(["match", s.report, "--db", s.db, "--model", s.model, "--out", s.dir + "/r2.tsv"])
        #expect(second.status == 0, "\(second.stderr)")
        let after = try Self.results(s.dir + "/r2.tsv")
        let byReview = after.values.filter { $0.first.map { $0.reason == "reviewed" || $0.reason == "reviewed-none" } == true }.count
        #expect(byReview > 0 && second.stderr.contains("by earlier review decisions: \(byReview) line(s)"), "\(second.stderr)")
        let isrcs = try Self.lineISRCs()
        for (line, work) in accepted {
            let rows = try #require(after[line])
            let top = try #require(rows.first { $0.rank == 1 })
            #expect(top.work == work, "line \(line): expected \(work) first, got \(top.work)")
            if let isrc = isrcs[line], !isrc.isEmpty {
                #expect(top.decision == "auto" && top.reason == "isrc-link", "line \(line) with ISRC \(isrc): \(top.decision) \(top.reason)")
            } else {
                #expect(top.decision == "auto" && top.reason == "reviewed", "line \(line) without ISRC: \(top.decision) \(top.reason)")
            }
        }
        // Lines decided none: the candidates the reviewer rejected are gone, and they do not come back to review
        // unless a candidate the reviewer has not seen reaches the review threshold.
        for (line, shown) in rejected {
            let rows = try #require(after[line])
            #expect(!rows.contains { shown.contains($0.work) }, "line \(line): a rejected candidate is back: \(rows)")
            let top = try #require(rows.first)
            #expect(top.decision == "none" && top.reason == "reviewed-none" || top.decision == "review", "line \(line): \(top)")
        }
        #expect(rejected.keys.contains { after[$0]?.first?.reason == "reviewed-none" })
        // What was learned does not undo what the machine had right: every correct auto-match stays one.
        let before = try Self.results(s.dir + "/r1.tsv")
        for (line, rows) in before {
            guard let top = rows.first, top.decision == "auto", top.work == truth[line] else { continue }
            let now = try #require(after[line]?.first)
            #expect(now.decision == "auto" && now.work == top.work, "line \(line): was auto \(top.work), now \(now)")
        }
        let verify = try CLI.run(["audit", "verify", "--db", s.db])
        #expect(verify.status == 0, "\(verify.stderr)")
    }

    /// `review export --sample-auto`: the review lines and a stable sample of the fuzzy auto-matches; the reviewers'
    /// verdict on the sample shows in `review stats` as the machine's auto decisions they agreed with.
    @Test func exportSamplesAutoMatchesForAQualityCheck() throws {
        let s = try Self.setup()
        let first = try CLI.run(["match", s.report, "--db", s.db, "--model", s.model, "--out", s.dir + "/r1.tsv"])
        #expect(first.status == 0, "\(first.stderr)")
        let results = try Self.results(s.dir + "/r1.tsv")
        func queued(_ fraction: String, _ name: String) throws -> [String] {
            let r = try CLI.run(["review", "export", "--results", s.dir + "/r1.tsv", "--report", s.report, "--db", s.db,
                                 "--model", s.model, "--out", s.dir + "/" + name, "--sample-auto", fraction])
            #expect(r.status == 0, "\(r.stderr)")
            let reader = try DelimitedReader(path: s.dir + "/" + name)
            let li = try #require(reader.header.firstIndex(of: "line_id"))
            var ids: [String] = []
            while let rec = try reader.next() { ids.append(rec.cells[li]) }
            return ids
        }
        let reviewLines = Set(results.filter { $0.value.first?.decision == "review" }.map(\.key))
        let fuzzyAuto = Set(results.filter { $0.value.first.map { $0.decision == "auto" && $0.reason != "isrc-link" } == true }.map(\.key))
        #expect(Set(try queued("0", "q0.csv")) == reviewLines)
        #expect(Set(try queued("1", "q1.csv")) == reviewLines.union(fuzzyAuto))
        let sampled = Set(try queued("0.3", "q3.csv")).subtracting(reviewLines)
        #expect(sampled.isSubset(of: fuzzyAuto) && !sampled.isEmpty && sampled.count < fuzzyAuto.count)
        #expect(Set(try queued("0.3", "q3b.csv")).subtracting(reviewLines) == sampled)  // the same draw
        // `match --review-queue --sample-auto` queues the same lines, on the DSR path and on the direct TSV path.
        for (report, name) in [(s.report, "dsr"), (Self.root + "/seeds/usage.tsv", "tsv")] {
            let m = try CLI.run(["match", report, "--db", s.db, "--model", s.model, "--out", s.dir + "/m-\(name).tsv",
                                 "--review-queue", s.dir + "/mq-\(name).csv", "--sample-auto", "0.3"])
            #expect(m.status == 0, "\(m.stderr)")
            let own = try Self.results(s.dir + "/m-\(name).tsv")
            let expected = Set(own.filter { rows in
                guard let top = rows.value.first else { return false }
                return top.decision == "review" || (top.decision == "auto" && top.reason != "isrc-link" && sampled.contains(rows.key))
            }.map(\.key))
            let reader = try DelimitedReader(path: s.dir + "/mq-\(name).csv")
            let li = try #require(reader.header.firstIndex(of: "line_id"))
            var ids: Set<String> = []
            while let rec = try reader.next() { ids.insert(rec.cells[li]) }
            #expect(ids == expected, "\(name): \(ids.symmetricDifference(expected))")
        }
        // Reviewers confirm the sampled auto-matches from the truth; stats counts their agreement.
        let truth = try Self.truth()
        try Self.fill(queue: s.dir + "/q3b.csv", to: s.dir + "/filled.csv") { line, _ in
            sampled.contains(line) ? (truth[line].flatMap { $0.isEmpty ? nil : $0 } ?? "none") : ""
        }
        let imported = try CLI.run(["review", "import", s.dir + "/filled.csv", "--db", s.db, "--reviewer", "qa"])
        #expect(imported.status == 0, "\(imported.stderr)")
        let agreed = sampled.filter { results[$0]?.first?.work == truth[$0] }.count
        let stats = try CLI.run(["review", "stats", "--db", s.db, "--model", s.model, "--json"])
        #expect(stats.status == 0, "\(stats.stderr)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(stats.stdout.utf8)) as? [String: Any])
        let auto = try #require((json["machine"] as? [String: Any])?["auto"] as? [String: Any])
        #expect(auto["lines"] as? Int == sampled.count && auto["agreed"] as? Int == agreed, "\(auto)")
        let checked = try #require(json["auto_precision_checked"] as? [String: Any])
        let value = try #require(checked["value"] as? Double), low = try #require(checked["low"] as? Double)
        let high = try #require(checked["high"] as? Double)
        #expect(abs(value - Double(agreed) / Double(sampled.count)) < 1e-9 && low <= value && value <= high && high <= 1)
        let bad = try CLI.run(["review", "export", "--results", s.dir + "/r1.tsv", "--report", s.report, "--db", s.db,
                               "--out", s.dir + "/bad.csv", "--sample-auto", "1.5"])
        #expect(bad.status != 0 && bad.stderr.contains("--sample-auto"))
    }

    @Test func queueWithOneBadWorkIdImportsNothing() throws {
        let s = try Self.setup()
        let first = try CLI.run(["match", s.report, "--db", s.db, "--model", s.model, "--out", s.dir + "/r1.tsv",
                                 "--review-queue", s.dir + "/queue.csv"])
        #expect(first.status == 0, "\(first.stderr)")
        var n = 0
        try Self.fill(queue: s.dir + "/queue.csv", to: s.dir + "/bad.csv") { _, candidates in
            n += 1
            return n == 2 ? "NO-SUCH-WORK" : (candidates.first ?? "none")
        }
        let before = try CLI.run(["links", "export", "--db", s.db, "--out", s.dir + "/links-before.tsv"])
        #expect(before.status == 0)
        let imported = try CLI.run(["review", "import", s.dir + "/bad.csv", "--db", s.db, "--reviewer", "tester"])
        #expect(imported.status == 3)
        #expect(imported.stderr.contains("unknown work id 'NO-SUCH-WORK'"))
        let after = try CLI.run(["links", "export", "--db", s.db, "--out", s.dir + "/links-after.tsv"])
        #expect(after.status == 0)
        #expect(FileManager.default.contents(atPath: s.dir + "/links-before.tsv") == FileManager.default.contents(atPath: s.dir + "/links-after.tsv"))
        let stats = try CLI.run(["review", "stats", "--db", s.db, "--json"])
        #expect(stats.stdout.contains("\"reviewed\" : 0") || stats.stdout.contains("\"reviewed\":0"))
    }

    static func lineISRCs() throws -> [String: String] {
        let r = try DelimitedReader(path: root + "/seeds/usage.tsv")
        let i = try #require(r.header.firstIndex(of: "isrc"))
        var out: [String: String] = [:]
        while let rec = try r.next() { out[rec.cells[0]] = rec.cells[i] }
        return out
    }
}
