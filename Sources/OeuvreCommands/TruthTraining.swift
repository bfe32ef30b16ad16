import Foundation
import Formats
import Matching
import OeuvreCore

/// Training data from a truth table: the matcher's own retrieval proposes the candidates (so the
/// negatives are the hard ones it will meet), the truth labels them, and the features are exactly
/// those computed at match time (`MatchPipeline.features`).
///
/// Several sets (truth, usage, catalogue) are fitted together: each set's candidates come from its own catalogue's
/// retrieval, its recordings are groups of their own (cross-validation never splits one), and the thresholds rest on
/// the hard negatives of all of them.
enum TruthTraining {
    struct Set {
        var features: LabelledFeatures
        var provenance: Trainer.Provenance
        var lines: Int
        var recall: Double
    }

    /// One training set: a truth table, the usage lines it labels and the catalogue they are matched against.
    struct Source {
        var truth: String
        var usage: String
        var catalogue: MatchIndexSource.Catalogue
    }

    /// The labelled candidates of every source, concatenated (group keys kept apart), with one provenance.
    static func labelledFeatures(sources: [Source], usageRenames: [String: String], candidates: Int, threads: Int) throws -> Set {
        guard sources.count > 1 else {
            return try labelledFeatures(truthPath: sources[0].truth, usagePaths: [sources[0].usage], catalogue: sources[0].catalogue,
                                        usageRenames: usageRenames, candidates: candidates, threads: threads)
        }
        var features: [Float] = []
        var labels: [UInt8] = []
        var groups: [UInt64] = []
        var inputs: [ScoringModel.InputFile] = []
        var lines = 0
        var found = 0.0
        var groupBase: UInt64 = 0
        for (k, source) in sources.enumerated() {
            printError("set \(k + 1) of \(sources.count): \(source.truth)")
            let set = try labelledFeatures(truthPath: source.truth, usagePaths: [source.usage], catalogue: source.catalogue,
                                           usageRenames: usageRenames, candidates: candidates, threads: threads)
            features += set.features.features
            labels += set.features.labels
            let next = (set.features.groups.max() ?? 0) + 1
            groups += set.features.groups.map { $0 + groupBase }
            groupBase += next
            inputs += set.provenance.inputs.map { ScoringModel.InputFile(role: "\($0.role) \(k + 1)", path: $0.path, sha256: $0.sha256) }
            lines += set.lines
            found += set.recall
        }
        let fingerprint = "sha256:" + SHA256.hex(inputs.map { "\($0.role)=\($0.sha256)" }.joined(separator: ";") + ";candidates=\(candidates)")
        let provenance = Trainer.Provenance(fingerprint: fingerprint, inputs: inputs,
                                            selection: "matcher candidates (top \(candidates)) labelled by truth, \(sources.count) sets")
        return Set(features: LabelledFeatures(features: features, columns: PairFeatureExtractor.count, labels: labels, groups: groups),
                   provenance: provenance, lines: lines, recall: found / Double(sources.count))
    }

    static func labelledFeatures(truthPath: String, usagePaths: [String], catalogue: MatchIndexSource.Catalogue,
                                 usageRenames: [String: String], candidates: Int, threads: Int) throws -> Set {
        let truth = try TruthFile.read(path: truthPath)
        var options = UsageReadOptions()
        options.renames = usageRenames
        let lines = try UsageReports.read(paths: usagePaths, options: options).lines
        let source = MatchIndexSource(catalogue: catalogue, indexPath: nil, threads: threads)
        let loaded = try source.load { printError($0) }
        var matchOptions = MatchOptions()
        matchOptions.topN = candidates
        matchOptions.threads = threads
        let grouping = RecordingGrouper(threads: threads).group(lines)
        var labelledGroups: [RecordingGroup] = []
        var groupTruth: [String] = []
        var unknown = 0
        for g in grouping.groups {
            // Every line of a group is the same recording; take the first line that has a truth row.
            guard let id = g.lineIds.first(where: { truth[$0] != nil }), let work = truth[id] else { unknown += 1; continue }
            labelledGroups.append(g)
            groupTruth.append(work)
        }
        if unknown > 0 { printError("note: \(unknown) recording(s) have no truth row and are not used") }
        guard !labelledGroups.isEmpty else {
            throw OeuvreError(.invalidInput, "no usage line of \(usagePaths.joined(separator: ", ")) has a row in \(truthPath)")
        }
        let pipeline = CandidateGenerator(index: loaded.index, options: matchOptions)
        let (profiles, cands, linked) = pipeline.candidates(groups: labelledGroups)
        let (rows, pairs) = pipeline.features(profiles: profiles, candidates: cands, linked: linked, range: 0..<labelledGroups.count)
        var labels = [UInt8](repeating: 0, count: pairs.count)
        var groupsOfPairs = [UInt64](repeating: 0, count: pairs.count)
        var found = 0
        var inCatalogue = 0
        var hit = [Bool](repeating: false, count: labelledGroups.count)
        for (k, p) in pairs.enumerated() {
            if loaded.index.workId(p.work) == groupTruth[p.group] { labels[k] = 1; hit[p.group] = true }
            groupsOfPairs[k] = UInt64(p.group)
        }
        for g in labelledGroups.indices where !groupTruth[g].isEmpty {
            inCatalogue += 1
            if hit[g] { found += 1 }
        }
        let recall = inCatalogue > 0 ? Double(found) / Double(inCatalogue) : 0
        printError(String(format: "truth training: %d recordings (%d in catalogue), %d candidate pairs, %d positive; retrieval recall@%d %.4f",
                          labelledGroups.count, inCatalogue, pairs.count, labels.reduce(0) { $0 + Int($1) }, candidates, recall))
        let set = LabelledFeatures(features: rows, columns: PairFeatureExtractor.count, labels: labels, groups: groupsOfPairs)
        var inputs = [ScoringModel.InputFile(role: "truth", path: (truthPath as NSString).lastPathComponent, sha256: try SHA256.file(truthPath))]
        for u in usagePaths { inputs.append(ScoringModel.InputFile(role: "usage", path: (u as NSString).lastPathComponent, sha256: try SHA256.file(u))) }
        switch catalogue {
        case .worksCSV(let path):
            // The works file's content, not the index stamp (its size and modification time): the same
            // data trained twice gives the same fingerprint, byte for byte the same model file.
            inputs.append(ScoringModel.InputFile(role: "works", path: (path as NSString).lastPathComponent, sha256: try SHA256.file(path)))
            inputs.append(ScoringModel.InputFile(role: "readings", path: "readings:" + MatchIndex.readingsFingerprint,
                                                 sha256: SHA256.hex(MatchIndex.readingsFingerprint)))
        case .database:
            // A catalogue database is identified by its change stamp (catalogue id and change counter).
            inputs.append(ScoringModel.InputFile(role: "catalogue", path: loaded.index.stamp, sha256: SHA256.hex(loaded.index.stamp)))
        }
        let fingerprint = "sha256:" + SHA256.hex(inputs.map { "\($0.role)=\($0.sha256)" }.joined(separator: ";") + ";candidates=\(candidates)")
        let provenance = Trainer.Provenance(fingerprint: fingerprint, inputs: inputs,
                                            selection: "matcher candidates (top \(candidates)) labelled by truth")
        return Set(features: set, provenance: provenance, lines: lines.count, recall: recall)
    }
}
