import ArgumentParser
import Foundation
import Formats
import Matching
import OeuvreCore

/// `oeuvre evaluate`: measures a model.
///
/// Modes (exactly one, checked in `validate()`):
/// - labelled pairs: `--pairs P --usage U --works W --model M [--split test]`: pair precision/recall/F1, AUC, ECE;
/// - (planned, matcher issue) results: `--truth T --results R`: top-1, recall@K, auto precision/share.
struct EvaluateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "evaluate",
        abstract: "Measure a scoring model on labelled pairs.",
        discussion: """
            With --pairs P --usage U --works W --model M: scores every pair (or those of --split) and reports precision, \
            recall and F1 at the model's pair threshold (--threshold to choose another), AUC, log-loss and expected \
            calibration error. --json prints one object with keys pairs, positives, precision, recall, f1, auc, ece, \
            log_loss, threshold and the metrics at the auto, review and match thresholds.
            """)

    @OptionGroup(title: "Labelled pairs") var pairsSource: PairsSourceOptions

    @Option(help: ArgumentHelp("Usage lines the pairs' line_id refer to (usage CSV/TSV contract).", valueName: "file"))
    var usage: String?

    @Option(name: .customLong("map-usage"), help: ArgumentHelp("Rename a usage column: column=field (repeatable).", valueName: "column=field"))
    var mapUsage: [String] = []

    @Option(help: ArgumentHelp("Model file to evaluate.", valueName: "file")) var model: String?

    @Option(help: ArgumentHelp("Comma-separated splits to evaluate on (default: every pair).", valueName: "splits"))
    var split: String?

    @Option(help: ArgumentHelp("Decision threshold: match (the model's best-F1 threshold), auto, review, or a number in [0, 1].",
                               valueName: "threshold"))
    var threshold = "match"

    @Option(help: ArgumentHelp("Write every pair's confidence, decision and features to this TSV file.", valueName: "file"))
    var scores: String?

    @Flag(help: "Print one JSON object.") var json = false

    @Option(help: ArgumentHelp("Truth table (line_id, work_id; empty work id = not in the catalogue) for match results.", valueName: "file"))
    var truth: String?
    @Option(help: ArgumentHelp("Results file written by `oeuvre match` (with --truth).", valueName: "file"))
    var results: String?

    enum Mode {
        case pairs(pairs: String, usage: String, works: String, model: String)
        case truth(truth: String, results: String)
    }

    var mode: Mode? {
        if let t = truth, let r = results { return .truth(truth: t, results: r) }
        if let p = pairsSource.pairs, let u = usage, let w = pairsSource.works, let m = model { return .pairs(pairs: p, usage: u, works: w, model: m) }
        return nil
    }

    func validate() throws {
        if truth != nil || results != nil {
            guard truth != nil, results != nil else { throw ValidationError("truth mode needs --truth and --results together") }
            guard !pairsSource.isUsed, model == nil else { throw ValidationError("--truth/--results cannot be combined with pairs mode options") }
            return
        }
        if pairsSource.isUsed {
            guard pairsSource.pairs != nil, pairsSource.worksFiles.count == 1, usage != nil, model != nil else {
                throw ValidationError("labelled pairs mode needs --pairs, --usage, --works and --model together")
            }
        } else {
            throw ValidationError("give what to evaluate: --truth T --results R, or --pairs P --usage U --works W --model M")
        }
        if !["match", "auto", "review"].contains(threshold) {
            guard let t = Double(threshold), t >= 0, t <= 1 else {
                throw ValidationError("--threshold must be match, auto, review or a number in [0, 1]")
            }
        }
    }

    func run() async throws {
        try await runReporting {
            guard let mode else { throw OeuvreError(.usage, "nothing to evaluate") }
            switch mode {
            case let .pairs(pairsPath, usagePath, worksPath, modelPath):
                try evaluatePairs(pairsPath: pairsPath, usagePath: usagePath, worksPath: worksPath, modelPath: modelPath)
            case let .truth(truthPath, resultsPath):
                try EvaluateTruth.run(truth: truthPath, results: resultsPath, usage: usage, json: json)
            }
        }
    }

    func evaluatePairs(pairsPath: String, usagePath: String, worksPath: String, modelPath: String) throws {
        let model = try ScoringModel.load(path: modelPath)
        let data = try PairsDataset.load(
            pairsPath: pairsPath, usagePath: usagePath, worksPath: worksPath, splitColumn: pairsSource.splitColumn,
            usageRenames: try HeaderMapping.parseRenames(mapUsage), worksRenames: try HeaderMapping.parseRenames(pairsSource.mapWorks))
        let rows = try data.select(commaList(split), splitColumn: pairsSource.splitColumn, option: "--split")
        let set = data.labelledFeatures(rows: rows)
        try set.validate("evaluation pairs\(split.map { " (split \($0))" } ?? "")")
        let probs = model.scorer.score(set.features)
        let metrics = Metrics.evaluate(probs, set.labels, thresholds: model.thresholds)
        let chosen: ThresholdMetrics
        switch threshold {
        case "match": chosen = metrics.match
        case "auto": chosen = metrics.auto
        case "review": chosen = metrics.review
        default: chosen = Metrics.at(Double(threshold) ?? 0.5, probs, set.labels)
        }

        if let scores {
            let writer = try AtomicFileWriter(path: scores)
            writer.write((["line_id", "work_id", "label", "confidence", "decision"] + FeatureSchema.current.names).joined(separator: "\t") + "\n")
            let d = set.columns
            for (k, r) in rows.enumerated() {
                let p = data.pairs[r]
                var cells = [tsvCell(data.lineIds[p.line]), tsvCell(data.works[p.work].workId), String(set.labels[k]),
                             String(format: "%.6f", probs[k]), model.decision(Double(probs[k])).rawValue]
                for j in 0..<d { cells.append(String(format: "%.4g", set.features[k * d + j])) }
                writer.write(cells.joined(separator: "\t") + "\n")
            }
            try writer.commit()
        }

        if json {
            let object: [String: Any] = [
                "pairs": metrics.pairs, "positives": metrics.positives, "precision": chosen.precision, "recall": chosen.recall,
                "f1": chosen.f1, "auc": finite(metrics.auc), "ece": finite(metrics.ece), "log_loss": finite(metrics.logLoss),
                "threshold": chosen.threshold, "threshold_name": ["match", "auto", "review"].contains(threshold) ? threshold : "custom",
                "tp": chosen.truePositives, "fp": chosen.falsePositives, "fn": chosen.falseNegatives, "tn": chosen.trueNegatives,
                "auto": Self.object(metrics.auto), "review": Self.object(metrics.review), "match": Self.object(metrics.match),
                "model": ["path": modelPath, "fingerprint": model.training.fingerprint],
            ]
            let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])
            print(String(decoding: data, as: UTF8.self))
        } else {
            print("\(metrics.pairs) pairs (\(metrics.positives) positive)\(split.map { ", split \($0)" } ?? ""), model \(modelPath)")
            print("AUC \(fmt(metrics.auc)), log-loss \(fmt(metrics.logLoss)), ECE \(fmt(metrics.ece))")
            print("at \(threshold) threshold \(fmt(chosen.threshold)): precision \(fmt(chosen.precision)), recall \(fmt(chosen.recall)), F1 \(fmt(chosen.f1))  (tp \(chosen.truePositives), fp \(chosen.falsePositives), fn \(chosen.falseNegatives), tn \(chosen.trueNegatives))")
            for (name, m) in [("auto", metrics.auto), ("review", metrics.review)] {
                print("at \(name) threshold \(fmt(m.threshold)): precision \(fmt(m.precision)), recall \(fmt(m.recall)), F1 \(fmt(m.f1))")
            }
        }
    }

    static func object(_ m: ThresholdMetrics) -> [String: Any] {
        ["threshold": m.threshold, "precision": m.precision, "recall": m.recall, "f1": m.f1, "tp": m.truePositives, "fp": m.falsePositives,
         "fn": m.falseNegatives, "tn": m.trueNegatives]
    }
}

/// JSON-safe number: NaN/inf become null.
func finite(_ x: Double) -> Any { x.isFinite ? x : NSNull() }
