import ArgumentParser
import Catalogue
import Foundation
import Formats
import Matching
import OeuvreCore
import Review

/// Opens an existing catalogue or fails with a usage error naming the path.
func openExistingCatalogue(_ db: String) throws -> CatalogueStore {
    guard FileManager.default.fileExists(atPath: db) else {
        throw OeuvreError(.usage, "no catalogue at \(db) (create one with `oeuvre catalog import FILE --db \(db)`)")
    }
    return try CatalogueStore(path: db)
}

/// `oeuvre review export|import|stats|training-set`.
struct ReviewCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "review",
        abstract: "Review queue: export lines for people to decide, import their decisions.",
        subcommands: [Export.self, Import.self, Stats.self, TrainingSet.self])

    struct Export: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write a review queue (one row per line to review, ordered by plays × (1 − confidence)).")

        @Option(help: "Results file written by `oeuvre match` (TSV).") var results: String
        @Option(parsing: .upToNextOption, help: "The report file(s) that were matched (for line metadata).") var report: [String]
        @Option(help: "Catalogue database.") var db: String
        @Option(help: "Output queue file.") var out: String
        @Option(help: "csv or jsonl.") var format: String = "csv"
        @Option(help: "Model used to explain candidates (features that weighed most).") var model: String = "models/default.json"
        @Flag(help: "Also queue lines the machine decided `none` for.") var includeNone = false
        @Option(help: ArgumentHelp("Also queue this share (0...1) of the auto-matched lines, for a quality check.",
                                   discussion: "The lines are drawn by their line id (the same ones on every export of the same results); ISRC-link and reviewed auto-matches are left out. `oeuvre review stats` then shows how often reviewers agreed with the machine's auto-matches."))
        var sampleAuto: Double = 0
        @Option(help: "Queue at most N lines (the highest priority).") var limit: Int?
        @Flag(help: "Start the CSV with a UTF-8 byte-order mark (for spreadsheets that need it).") var bom = false

        func validate() throws {
            guard ReviewQueueWriter.Format(rawValue: format) != nil else { throw ValidationError("--format must be csv or jsonl") }
            if let limit, limit < 1 { throw ValidationError("--limit must be at least 1") }
            if !(0...1).contains(sampleAuto) { throw ValidationError("--sample-auto must be between 0 and 1") }
            if report.isEmpty { throw ValidationError("give the matched report file(s) with --report") }
        }

        func run() async throws {
            try await runReporting {
                let store = try openExistingCatalogue(db)
                let reviewStore = try ReviewStore(catalogue: store)
                let scoring = FileManager.default.fileExists(atPath: model) ? try ScoringModel.load(path: model) : nil
                let results = try ResultsFile.read(path: self.results)
                let read = try UsageReports.read(paths: report)
                var lines: [String: UsageLine] = [:]
                for l in read.lines { lines[l.lineId] = l }
                let builder = ReviewQueueBuilder(catalogue: store, model: scoring)
                let items = ReviewQueueWriter.ordered(try builder.items(results: results, lines: lines, includeNone: includeNone,
                                                                                 sampleAuto: sampleAuto), limit: limit)
                let queueId = "Q" + String(SHA256.hex(self.results + Date().description).prefix(12))
                try reviewStore.registerQueue(items, queueId: queueId, modelVersion: scoring?.training.fingerprint)
                try ReviewQueueWriter.write(items, queueId: queueId, to: out, format: ReviewQueueWriter.Format(rawValue: format) ?? .csv, bom: bom)
                printError("review queue \(queueId): \(items.count) line(s) written to \(out)")
            }
        }
    }

    struct Import: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Import a filled-in review queue: decisions, ISRC links, learned titles/aliases, labelled pairs (one transaction).")

        @Argument(help: "The filled-in queue (CSV or TSV).") var queue: String
        @Option(help: "Catalogue database.") var db: String
        @Option(help: "Who decided (recorded with every decision).") var reviewer: String
        @Option(help: "Also write the labelled pairs as a training set (pairs.tsv, usage.tsv, works.csv) into this directory.")
        var trainingOut: String?
        @Flag(help: "Print the summary as JSON.") var json = false

        func run() async throws {
            try await runReporting {
                let store = try openExistingCatalogue(db)
                let reviewStore = try ReviewStore(catalogue: store)
                let s = try reviewStore.importDecisions(path: queue, reviewer: reviewer)
                for c in s.linkConflicts { printError("warning: link conflict: \(c) (existing link kept)") }
                if let trainingOut {
                    let t = try reviewStore.writeTrainingSet(directory: trainingOut)
                    printError("training set: \(t.pairs) pairs, \(t.lines) lines, \(t.works) works in \(trainingOut)")
                }
                if json {
                    let data = try JSONEncoder().encode(s)
                    print(String(decoding: data, as: UTF8.self))
                } else {
                    print("rows \(s.rows), not reviewed \(s.skipped), accepted \(s.accepted), none \(s.rejected)")
                    print("links added \(s.linksAdded), already linked \(s.linksExisting), removed \(s.linksRemoved), conflicts \(s.linkConflicts.count)")
                    print("titles learned \(s.titlesLearned), performer aliases learned \(s.aliasesLearned), labelled pairs \(s.pairs)")
                    if s.keysRefreshed > 0 { print("metadata keys of earlier decisions made again \(s.keysRefreshed)") }
                }
            }
        }
    }

    struct Stats: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Reviewed lines, acceptance rate, and how the current model would decide the reviewed lines now.")

        @Option(help: "Catalogue database.") var db: String
        @Option(help: "Model to replay the reviewed lines with.") var model = "models/default.json"
        @Option(help: "Threads.") var threads = 2
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            try await runReporting {
                let store = try openExistingCatalogue(db)
                let reviewStore = try ReviewStore(catalogue: store)
                let reviewed = try reviewStore.reviewedLines()
                var s = ReviewStatistics(reviewed)
                if !reviewed.isEmpty && FileManager.default.fileExists(atPath: model) {
                    // Replay: match the reviewed lines again with the current catalogue, index and model.
                    let scoring = try ScoringModel.load(path: model)
                    let loaded = try MatchIndexSource(catalogue: .database(db), indexPath: nil, threads: threads).load { printError($0) }
                    var options = MatchOptions()
                    options.threads = threads
                    let lines = reviewed.map { UsageLine(lineId: $0.lineId, isrc: $0.isrc, title: $0.title, artist: $0.artist,
                                                         duration: $0.duration, plays: $0.plays) }
                    let (results, groupOfLine, _) = try MatchPipeline(index: loaded.index, model: scoring, options: options).run(lines: lines)
                    s.replay(reviewed: reviewed, results: results, groupOfLine: groupOfLine)
                }
                if json {
                    printJSON(s.json, pretty: true)
                } else {
                    for (k, v) in s.rows { print("\(k.padding(toLength: 40, withPad: " ", startingAt: 0)) \(v)") }
                }
            }
        }
    }

    struct TrainingSet: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "training-set",
            abstract: "Write the labelled pairs learned from reviews as pairs.tsv, usage.tsv and works.csv (for `oeuvre train --pairs`), and each line's latest decision as truth.tsv (for `oeuvre train --truth truth.tsv --usage usage.tsv --db`).")

        @Option(help: "Catalogue database.") var db: String
        @Option(help: "Output directory.") var out: String

        func run() async throws {
            try await runReporting {
                let reviewStore = try ReviewStore(catalogue: try openExistingCatalogue(db))
                let t = try reviewStore.writeTrainingSet(directory: out)
                print("\(t.pairs) labelled pairs, \(t.lines) lines, \(t.works) works written to \(out)")
            }
        }
    }
}

/// `oeuvre audit verify`.
struct AuditCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit", abstract: "Audit trail tools.", subcommands: [Verify.self])

    struct Verify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check the hash chain of the review log (decisions, link changes); exit 1 naming the first bad row.")

        @Option(help: "Catalogue database.") var db: String

        func run() async throws {
            try await runReporting {
                let reviewStore = try ReviewStore(catalogue: try openExistingCatalogue(db))
                let v = try reviewStore.verifyAudit()
                if let bad = v.firstBad {
                    printError("\(db): error: review_log row \(bad.seq): \(bad.reason)")
                    throw ExitCode(1)
                }
                print("audit chain intact: \(v.rows) row(s)")
            }
        }
    }
}

/// `oeuvre links export|import`.
struct LinksCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "links", abstract: "Exchange ISRC → work links with other parties.", subcommands: [Export.self, Import.self])

    struct Export: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Write every ISRC → work link (isrc, iswc, work_id, source, confidence, first_seen).")
        @Option(help: "Catalogue database.") var db: String
        @Option(help: "Output TSV.") var out: String

        func run() async throws {
            try await runReporting {
                let reviewStore = try ReviewStore(catalogue: try openExistingCatalogue(db))
                let n = try reviewStore.exportLinks(to: out)
                printError("\(n) link(s) written to \(out)")
            }
        }
    }

    struct Import: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Import another party's links; conflicts with existing links are reported, never overwritten.")
        @Argument(help: "Links file (TSV/CSV with isrc and work_id and/or iswc).") var file: String
        @Option(help: "Catalogue database.") var db: String
        @Option(help: "Name of the party the links come from (stored as the links' source).") var source: String
        @Flag(help: "Print the summary as JSON.") var json = false

        func validate() throws {
            if source.isEmpty || ["cwr", "import", "review"].contains(source) {
                throw ValidationError("--source must name the other party (not cwr, import or review)")
            }
        }

        func run() async throws {
            try await runReporting {
                let reviewStore = try ReviewStore(catalogue: try openExistingCatalogue(db))
                let s = try reviewStore.importLinks(path: file, source: source, actor: "links-import:\(source)")
                for c in s.conflicts { printError("warning: conflict: \(c)") }
                if json {
                    print(String(decoding: try JSONEncoder().encode(s), as: UTF8.self))
                } else {
                    print("rows \(s.rows), added \(s.added), already present \(s.existing), conflicts \(s.conflicts.count)")
                }
                if !s.conflicts.isEmpty { throw ExitCode(3) }
            }
        }
    }
}

/// Figures for `oeuvre review stats`.
struct ReviewStatistics {
    var reviewed = 0
    var accepted = 0
    var none = 0
    var acceptedTop = 0
    var acceptedOther = 0
    /// machine decision → (lines, reviewer agreed with the machine's top candidate)
    var byMachine: [String: (lines: Int, agreed: Int)] = [:]

    init(_ lines: [ReviewStore.ReviewedLine]) {
        for l in lines {
            reviewed += 1
            let agreed: Bool
            if let d = l.decision {
                accepted += 1
                if d == l.machineTop { acceptedTop += 1 } else { acceptedOther += 1 }
                agreed = d == l.machineTop
            } else {
                none += 1
                agreed = l.machineDecision == "none"
            }
            var e = byMachine[l.machineDecision] ?? (0, 0)
            e.lines += 1
            if agreed { e.agreed += 1 }
            byMachine[l.machineDecision] = e
        }
    }

    /// How the current model decides the reviewed lines: decision × (top candidate = reviewer's choice).
    var replayed: [String: Int] = [:]

    mutating func replay(reviewed: [ReviewStore.ReviewedLine], results: [GroupResult], groupOfLine: [Int32]) {
        for (i, l) in reviewed.enumerated() {
            let r = results[Int(groupOfLine[i])]
            let top = r.candidates.first?.workId
            let key: String
            switch (r.decision, l.decision) {
            case (.auto, let d?) where d == top: key = "auto_correct"
            case (.auto, _): key = "auto_wrong"
            case (.review, let d?) where d == top: key = "review_top1_correct"
            case (.review, _): key = "review_other"
            case (.none, nil): key = "none_correct"
            case (.none, _): key = "none_missed"
            }
            replayed[key, default: 0] += 1
        }
    }

    var acceptanceRate: Double { reviewed == 0 ? 0 : Double(acceptedTop) / Double(reviewed) }

    /// The machine's auto-matches that reviewers checked (`--sample-auto`): the share they confirmed and its 95%
    /// Wilson interval; nil when none were checked.
    var autoPrecision: (value: Double, low: Double, high: Double, lines: Int)? {
        guard let a = byMachine["auto"], a.lines > 0 else { return nil }
        let (low, high) = Self.wilson(successes: a.agreed, trials: a.lines)
        return (Double(a.agreed) / Double(a.lines), low, high, a.lines)
    }

    /// The 95% Wilson score interval of a proportion (sound for small samples and proportions near 1).
    static func wilson(successes: Int, trials: Int, z: Double = 1.959964) -> (Double, Double) {
        guard trials > 0 else { return (0, 1) }
        let n = Double(trials), p = Double(successes) / n, z2 = z * z
        let centre = (p + z2 / (2 * n)) / (1 + z2 / n)
        let half = z * ((p * (1 - p) / n + z2 / (4 * n * n)).squareRoot()) / (1 + z2 / n)
        return (max(0, centre - half), min(1, centre + half))
    }

    var rows: [(String, String)] {
        var r: [(String, String)] = [
            ("reviewed lines", "\(reviewed)"), ("accepted a work", "\(accepted)"), ("decided none", "\(none)"),
            ("accepted the machine's top candidate", "\(acceptedTop)"), ("accepted another work", "\(acceptedOther)"),
            ("acceptance rate (top candidate)", String(format: "%.3f", acceptanceRate)),
        ]
        for (k, v) in byMachine.sorted(by: { $0.key < $1.key }) {
            r.append(("machine said \(k) at export", "\(v.lines) lines, reviewer agreed on \(v.agreed)"))
        }
        if let p = autoPrecision {
            r.append(("auto precision checked by reviewers", String(format: "%.3f (95%% interval %.3f–%.3f, %d lines)", p.value, p.low, p.high, p.lines)))
        }
        for k in ["auto_correct", "auto_wrong", "review_top1_correct", "review_other", "none_correct", "none_missed"] where !replayed.isEmpty {
            r.append(("current model: \(k.replacingOccurrences(of: "_", with: " "))", "\(replayed[k] ?? 0)"))
        }
        return r
    }

    var json: [String: Any] {
        var machine: [String: Any] = [:]
        for (k, v) in byMachine { machine[k] = ["lines": v.lines, "agreed": v.agreed] }
        var out: [String: Any] = ["reviewed": reviewed, "accepted": accepted, "none": none, "accepted_top": acceptedTop,
                                  "accepted_other": acceptedOther, "acceptance_rate": acceptanceRate, "machine": machine,
                                  "current_model": replayed]
        if let p = autoPrecision {
            out["auto_precision_checked"] = ["value": p.value, "low": p.low, "high": p.high, "lines": p.lines]
        }
        return out
    }
}
