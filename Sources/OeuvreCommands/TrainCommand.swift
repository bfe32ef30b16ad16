import ArgumentParser
import Foundation
import Formats
import Matching
import OeuvreCore

/// `oeuvre train`: fits the scoring model and writes a model file.
///
/// Modes (exactly one, checked in `validate()`):
/// - labelled pairs: `--pairs P --usage U --works W [--split-column split --train train,valid]`;
/// - truth: `--truth T --usage U --db PATH` (or `--works W`) — candidates from retrieval, labels from the truth; the three
///   options repeated give several sets (paired in order), fitted together.
/// A new mode adds its option group, a case to `Mode` and a branch in `run()`; the model options are shared.
struct TrainCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train the scoring model (logistic regression) and write a model file.",
        discussion: """
            From labelled pairs: --pairs P --usage U --works W. Pairs are line_id, work_id, label (1/0) and optionally a \
            split column; --train picks the splits to fit on (default: all pairs). Thresholds and calibration are chosen on \
            held-out predictions: --valid SPLIT, or else K-fold cross-validation grouped by line (--folds). The auto threshold \
            reaches --target-precision on them, the review threshold --target-recall. The model file is written atomically.
            """)

    @OptionGroup(title: "Labelled pairs") var pairsSource: PairsSourceOptions

    @Option(help: ArgumentHelp("Usage lines the pairs' line_id refer to (usage CSV/TSV contract); with --truth, the usage of each set (repeatable).",
                               valueName: "file"))
    var usage: [String] = []

    @Option(name: .customLong("map-usage"), help: ArgumentHelp("Rename a usage column: column=field (repeatable).", valueName: "column=field"))
    var mapUsage: [String] = []

    @Option(help: ArgumentHelp("Comma-separated splits to train on (default: every pair).", valueName: "splits"))
    var train: String?

    @Option(help: ArgumentHelp("Split to validate on (thresholds, calibration); default: cross-validation over the training pairs.",
                               valueName: "split"))
    var valid: String?

    @Option(help: "Model file to write (JSON).") var out: String

    @Option(help: ArgumentHelp("L2 penalty on the standardized weights, or auto: chosen from 0.1, 1, 10, 100, 1000 by held-out log-loss (one-standard-error rule on paired differences).",
                               valueName: "auto|number"))
    var l2 = "auto"
    @Option(help: "Class weighting: balanced or none.") var classWeight = ClassWeighting.balanced
    @Option(help: "Cross-validation folds when no --valid split is given.") var folds = 5
    @Option(help: "Precision the auto-match threshold must reach on held-out pairs.") var targetPrecision = 0.99
    @Option(help: "Recall the review threshold must reach on held-out pairs.") var targetRecall = 0.99
    @Option(help: "Calibration: auto (Platt when it lowers held-out log-loss), platt or none.") var calibration = Trainer.CalibrationMode.auto
    @Flag(help: "Print the model's metrics as JSON on standard output.") var json = false

    @Option(help: ArgumentHelp("Truth table (line_id, work_id; empty = not in the catalogue): train on the matcher's own candidates. "
                               + "Repeatable: each --truth with the --usage and --db (or --works) given in the same position is one set; "
                               + "the sets' candidates are fitted together.", valueName: "file"))
    var truth: [String] = []
    @Option(help: ArgumentHelp("Catalogue database (truth mode; repeatable, one per --truth).", valueName: "path")) var db: [String] = []
    @Option(help: "Candidates retrieved per recording (truth mode).") var candidates = 50
    @Option(help: "Threads (truth mode).") var threads = 2

    enum Mode {
        case pairs(pairs: String, usage: String, works: String)
        case truth([TruthTraining.Source])
    }

    var mode: Mode? {
        if !truth.isEmpty {
            let catalogues: [MatchIndexSource.Catalogue] = db.isEmpty ? pairsSource.worksFiles.map { .worksCSV($0) } : db.map { .database($0) }
            guard usage.count == truth.count, catalogues.count == truth.count else { return nil }
            return .truth(truth.indices.map { TruthTraining.Source(truth: truth[$0], usage: usage[$0], catalogue: catalogues[$0]) })
        }
        if let p = pairsSource.pairs, usage.count == 1, let w = pairsSource.works { return .pairs(pairs: p, usage: usage[0], works: w) }
        return nil
    }

    func validate() throws {
        if !truth.isEmpty {
            guard !usage.isEmpty else { throw ValidationError("truth mode needs --truth, --usage and --db (or --works)") }
            guard db.isEmpty != pairsSource.worksFiles.isEmpty, pairsSource.pairs == nil else {
                throw ValidationError("truth mode takes --truth --usage and exactly one of --db or --works (no --pairs)")
            }
            let catalogues = db.isEmpty ? pairsSource.worksFiles.count : db.count
            guard usage.count == truth.count, catalogues == truth.count else {
                throw ValidationError("truth mode: give one --usage and one \(db.isEmpty ? "--works" : "--db") per --truth "
                                      + "(\(truth.count) --truth, \(usage.count) --usage, \(catalogues) \(db.isEmpty ? "--works" : "--db"))")
            }
        } else if pairsSource.isUsed {
            guard pairsSource.pairs != nil, pairsSource.worksFiles.count == 1, usage.count == 1 else {
                throw ValidationError("labelled pairs mode needs --pairs, --usage and --works together (one of each)")
            }
        } else {
            throw ValidationError("give the training data: --pairs P --usage U --works W, or --truth T --usage U --db PATH")
        }
        if l2 != "auto" {
            guard let v = Double(l2), v >= 0, v.isFinite else { throw ValidationError("--l2 must be auto or a non-negative number") }
        }
        guard folds >= 2 else { throw ValidationError("--folds must be at least 2") }
        guard targetPrecision > 0, targetPrecision <= 1 else { throw ValidationError("--target-precision must be in (0, 1]") }
        guard targetRecall > 0, targetRecall <= 1 else { throw ValidationError("--target-recall must be in (0, 1]") }
    }

    func run() async throws {
        try await runReporting {
            guard let mode else { throw OeuvreError(.usage, "no training data given") }
            var options = Trainer.Options()
            if let v = Double(l2) { options.regression.l2 = v } else { options.l2Grid = Trainer.Options.defaultL2Grid }
            options.regression.classWeighting = classWeight
            options.folds = folds
            options.targetPrecision = targetPrecision
            options.targetRecall = targetRecall
            options.calibration = calibration

            let model: ScoringModel
            switch mode {
            case let .pairs(pairsPath, usagePath, worksPath):
                let data = try PairsDataset.load(
                    pairsPath: pairsPath, usagePath: usagePath, worksPath: worksPath, splitColumn: pairsSource.splitColumn,
                    usageRenames: try HeaderMapping.parseRenames(mapUsage), worksRenames: try HeaderMapping.parseRenames(pairsSource.mapWorks))
                let trainSplits = commaList(train)
                let trainRows = try data.select(trainSplits, splitColumn: pairsSource.splitColumn, option: "--train")
                var validation: LabelledFeatures?
                var selection = trainSplits.map { "\(pairsSource.splitColumn) in {\($0.joined(separator: ", "))}" } ?? "all pairs"
                if let valid {
                    let rows = try data.select([valid], splitColumn: pairsSource.splitColumn, option: "--valid")
                    if Set(rows).intersection(trainRows).count > 0 {
                        throw OeuvreError(.usage, "--valid \(valid) is also a training split")
                    }
                    validation = data.labelledFeatures(rows: rows)
                    selection += "; validation \(pairsSource.splitColumn) = \(valid)"
                }
                let trainSet = data.labelledFeatures(rows: trainRows)
                let provenance = Trainer.Provenance(fingerprint: data.fingerprint(selection: selection), inputs: data.inputs,
                                                    selection: selection)
                model = try Trainer.train(trainSet, validation: validation, options: options, provenance: provenance)
            case let .truth(sources):
                let set = try TruthTraining.labelledFeatures(sources: sources, usageRenames: try HeaderMapping.parseRenames(mapUsage),
                                                             candidates: candidates, threads: threads)
                model = try Trainer.train(set.features, validation: nil, options: options, provenance: set.provenance)
            }

            let bytes = try model.jsonData()
            let writer = try AtomicFileWriter(path: out)
            bytes.withUnsafeBytes { writer.write(bytes: $0) }
            try writer.commit()

            if json {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
                encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
                print(String(decoding: try encoder.encode(model.metrics), as: UTF8.self))
            } else {
                print(Self.summary(model, path: out))
            }
        }
    }

    static func summary(_ model: ScoringModel, path: String) -> String {
        let v = model.metrics.validation
        let t = model.training
        var lines = [
            "wrote \(path): \(model.featureNames.count) features, trained on \(t.pairs) pairs (\(t.positives) positive), \(t.iterations) Newton iterations\(t.converged ? "" : " (not converged)")",
            "held-out (\(t.validation)): AUC \(fmt(v.auc)), log-loss \(fmt(v.logLoss)), ECE \(fmt(v.ece))\(model.calibration != nil ? " (Platt-calibrated)" : "")",
        ]
        for (name, m) in [("auto", v.auto), ("review", v.review), ("match", v.match)] {
            lines.append("  \(name.padding(toLength: 6, withPad: " ", startingAt: 0)) ≥ \(fmt(m.threshold)): precision \(fmt(m.precision)), recall \(fmt(m.recall)), F1 \(fmt(m.f1))  (tp \(m.truePositives), fp \(m.falsePositives), fn \(m.falseNegatives))")
        }
        return lines.joined(separator: "\n")
    }
}
