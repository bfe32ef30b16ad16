import ArgumentParser
import Catalogue
import Foundation
import Formats
import Matching
import OeuvreCore
import Review

/// `oeuvre match`: ranked candidate works for every line of usage reports.
struct MatchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "match",
        abstract: "Match usage report lines (DSR flat files, usage CSV/TSV) to catalogue works.",
        discussion: """
            Results: TSV with the header line_id, rank, work_id, iswc, work_title, confidence, decision, reason \
            (up to --top rows per line; a line without candidates gets one rank-0 row with decision none), \
            or JSONL (one object per line with its candidates). The summary goes to stderr.
            """
    )

    @Argument(help: "Report files (DSR flat files, plain or .gz; usage CSV/TSV).") var reports: [String] = []
    @Option(help: "Catalogue database.") var db: String?
    @Option(help: "Works CSV to use as the catalogue instead of a database.") var works: String?
    @Option(help: "Scoring model file.") var model = "models/default.json"
    @Option(help: "Results file (default: standard output).") var out: String?
    @Option(help: "tsv or jsonl.") var format = "tsv"
    @Option(help: "Candidates kept per line.") var top = 5
    @Option(help: "Candidates retrieved per recording and scored.") var candidates = 50
    @Option(help: "Worker threads.") var threads = 2
    @Option(help: "Also write a review queue (CSV) of the lines routed to review.") var reviewQueue: String?
    @Option(help: "Match index file (default: beside the catalogue).") var index: String?
    @Flag(help: "Read usage TSV from standard input and stream results to standard output.") var stdin = false
    @Flag(help: "Write the results without a header row.") var noHeader = false
    @Option(parsing: .singleValue, help: "Rename a usage column: column=field (repeatable).") var map: [String] = []

    func validate() throws {
        if (db == nil) == (works == nil) { throw ValidationError("give exactly one of --db or --works") }
        if stdin != reports.isEmpty { throw ValidationError(stdin ? "--stdin reads standard input: give no report files" : "give report files or --stdin") }
        if format != "tsv" && format != "jsonl" { throw ValidationError("--format must be tsv or jsonl") }
        if top < 1 || candidates < 1 || threads < 1 { throw ValidationError("--top, --candidates and --threads must be at least 1") }
        if reviewQueue != nil && db == nil { throw ValidationError("--review-queue needs --db (queues are registered in the catalogue)") }
    }

    func run() async throws {
        try await runReporting {
            if let db, !FileManager.default.fileExists(atPath: db) {
                throw OeuvreError(.usage, "no catalogue at \(db) (create one with `oeuvre catalog import FILE --db \(db)`)")
            }
            let scoring = try ScoringModel.load(path: model)
            let source = MatchIndexSource(catalogue: db.map { .database($0) } ?? .worksCSV(works ?? ""), indexPath: index, threads: threads)
            let loaded = try source.load { printError($0) }
            if let note = loaded.note { printError("note: \(note)") }

            let renames = try HeaderMapping.parseRenames(map)
            let lines: [UsageLine]
            if stdin {
                lines = try UsageCSVReader.readAll(path: "-", renames: renames)
            } else {
                var options = UsageReadOptions()
                options.renames = renames
                lines = try UsageReports.read(paths: reports, options: options).lines
            }
            var options = MatchOptions()
            options.topK = top
            options.topN = max(candidates, top)
            options.threads = threads
            let pipeline = MatchPipeline(index: loaded.index, model: scoring, options: options)
            let (results, groupOfLine, summary) = pipeline.run(lines: lines)

            let outPath = stdin ? "-" : (out ?? "-")
            let writer = try AtomicFileWriter(path: outPath)
            if format == "tsv" {
                if !noHeader { writer.write(ResultsTSV.header + "\n") }
                for (i, line) in lines.enumerated() {
                    let r = results[Int(groupOfLine[i])]
                    if r.candidates.isEmpty {
                        writer.write(ResultsTSV.line(ResultsTSV.Row(lineId: line.lineId, rank: 0, workId: "", iswc: "", workTitle: "",
                                                                    confidence: nil, decision: .none, reason: r.reason)))
                        continue
                    }
                    for (k, c) in r.candidates.enumerated() {
                        writer.write(ResultsTSV.line(ResultsTSV.Row(
                            lineId: line.lineId, rank: k + 1, workId: c.workId, iswc: c.iswc ?? "", workTitle: c.title,
                            confidence: c.confidence, decision: r.decision, reason: k == 0 ? r.reason : c.reason)))
                    }
                }
            } else {
                for (i, line) in lines.enumerated() {
                    let r = results[Int(groupOfLine[i])]
                    let obj: [String: Any] = [
                        "line_id": line.lineId, "decision": r.decision.rawValue, "reason": r.reason,
                        "candidates": r.candidates.enumerated().map { k, c in
                            ["rank": k + 1, "work_id": c.workId, "iswc": c.iswc ?? NSNull(), "work_title": c.title,
                             "confidence": (c.confidence * 10000).rounded() / 10000, "reason": c.reason] as [String: Any]
                        },
                    ]
                    let data = try JSONSerialization.data(withJSONObject: obj, options: [.sortedKeys, .withoutEscapingSlashes])
                    writer.write(String(decoding: data, as: UTF8.self) + "\n")
                }
            }
            try writer.commit()

            if let reviewQueue, let db {
                let store = try CatalogueStore(path: db)
                let reviewStore = try ReviewStore(catalogue: store)
                var rows: [(lineId: String, rows: [MatchResultRow])] = []
                var byId: [String: UsageLine] = [:]
                for (i, line) in lines.enumerated() {
                    let r = results[Int(groupOfLine[i])]
                    guard r.decision == .review else { continue }
                    byId[line.lineId] = line
                    rows.append((line.lineId, r.candidates.enumerated().map { k, c in
                        MatchResultRow(lineId: line.lineId, rank: k + 1, workId: c.workId, iswc: c.iswc, workTitle: c.title,
                                       confidence: c.confidence, decision: r.decision, reason: k == 0 ? r.reason : c.reason)
                    }))
                }
                let builder = ReviewQueueBuilder(catalogue: store, model: scoring)
                let items = ReviewQueueWriter.ordered(try builder.items(results: rows, lines: byId, includeNone: false))
                let queueId = "Q" + String(SHA256.hex(reports.joined(separator: "|") + Date().description).prefix(12))
                try reviewStore.registerQueue(items, queueId: queueId, modelVersion: scoring.training.fingerprint)
                try ReviewQueueWriter.write(items, queueId: queueId, to: reviewQueue, format: .csv, bom: false)
                printError("review queue \(queueId): \(items.count) line(s) written to \(reviewQueue)")
            }
            printError(Self.summaryText(summary, indexNote: loaded.built ? "index built in \(String(format: "%.2f", loaded.seconds)) s" : nil))
        }
    }

    static func summaryText(_ s: MatchSummary, indexNote: String?) -> String {
        var lines: [String] = []
        if let indexNote { lines.append(indexNote) }
        let rate = s.seconds > 0 ? Double(s.groups) / s.seconds : 0
        lines.append(String(format: "matched %d line(s), %d distinct recording(s) in %.2f s (%.0f recordings/s)", s.lines, s.groups, s.seconds, rate))
        for d in Decision.allCases {
            let n = s.linesByDecision[d] ?? 0
            let p = s.playsByDecision[d] ?? 0
            lines.append(String(format: "  %-6@ %8d lines (%5.1f%%)  %12.0f plays (%5.1f%% of plays)", d.rawValue, n,
                                s.lines > 0 ? 100 * Double(n) / Double(s.lines) : 0, p, s.plays > 0 ? 100 * p / s.plays : 0))
        }
        lines.append("  via ISRC link: \(s.isrcLinked) line(s)")
        return lines.joined(separator: "\n")
    }
}
