import Foundation
import Formats
import Matching
import OeuvreCore

/// Truth mode of `oeuvre evaluate`: match results against a truth table (`line_id, work_id`).
/// Plays come from `--usage` when given (the results contract carries no plays).
enum EvaluateTruth {
    static func run(truth: String, results: String, usage: String?, json: Bool) throws {
        let truthMap = try TruthFile.read(path: truth)
        let rows = try ResultsTSVReader.readAll(path: results)
        var plays: [String: Double]?
        if let usage {
            var p: [String: Double] = [:]
            let reader = try UsageCSVReader(path: usage)
            while let l = try reader.next() { p[l.lineId, default: 0] += l.plays }
            plays = p
        }
        let report = TruthEvaluation.evaluate(
            rows: rows.map { ResultRow(lineId: $0.lineId, rank: $0.rank, workId: $0.workId, confidence: $0.confidence, decision: $0.decision) },
            truth: truthMap, plays: plays)
        if report.missingLines > 0 {
            printError("warning: \(report.missingLines) truth line(s) have no row in \(results) and count as `none` (e.g. \(report.missingExamples.joined(separator: ", ")))")
        }
        if json {
            var obj = report.byLine.dictionary().mapValues { $0 ?? NSNull() }
            obj["weighted_by_plays"] = report.byPlays.dictionary().mapValues { $0 ?? NSNull() }
            obj["plays_from"] = usage ?? NSNull()
            obj["missing_lines"] = report.missingLines
            obj["unjudged_lines"] = report.unjudgedLines
            let data = try JSONSerialization.data(withJSONObject: obj, options: [.sortedKeys])
            print(String(decoding: data, as: UTF8.self))
            return
        }
        print(render(report.byLine, title: "by line"))
        if plays != nil { print(render(report.byPlays, title: "by plays")) }
        if report.unjudgedLines > 0 { print("\(report.unjudgedLines) result line(s) are not in the truth table (ignored)") }
    }

    static func render(_ m: TruthMetrics, title: String) -> String {
        func pct(_ x: Double) -> String { x.isNaN ? "n/a" : String(format: "%.4f", x) }
        let ks = m.recallAtK.keys.sorted()
        var lines = [
            "\(title): \(fmt(m.lines)) lines (\(fmt(m.inCatalogue)) in catalogue, \(fmt(m.outOfCatalogue)) not)",
            "  top1 \(pct(m.top1))  " + ks.map { "recall@\($0) \(pct(m.recallAtK[$0] ?? .nan))" }.joined(separator: "  "),
            "  auto share \(pct(m.autoShare)) precision \(pct(m.autoPrecision)) | review share \(pct(m.reviewShare)) top1 \(pct(m.reviewTop1)) | none share \(pct(m.noneShare))",
        ]
        if m.outOfCatalogue > 0 { lines.append("  out-of-catalogue lines auto-matched \(pct(m.wrongAutoOut))") }
        if m.candidateRows > 0 {
            lines.append("  candidate confidences (\(fmt(m.candidateRows)) rows): log-loss \(pct(m.candidateLogLoss)) ECE \(pct(m.candidateECE))")
        }
        return lines.joined(separator: "\n")
    }

    private static func fmt(_ x: Double) -> String {
        x == x.rounded() && abs(x) < 1e15 ? String(Int(x)) : String(format: "%.1f", x)
    }
}
