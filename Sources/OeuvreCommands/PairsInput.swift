import ArgumentParser
import Foundation
import Formats
import Matching
import OeuvreCore

/// `--pairs P --works W` (with the command's `--usage U`): labelled pairs mode of `train` and `evaluate`.
struct PairsSourceOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Labelled pairs file (CSV/TSV: line_id, work_id, label [, split]).", valueName: "file"))
    var pairs: String?

    @Option(name: .customLong("works"), help: ArgumentHelp("Works file the pairs' work_id refer to (works CSV contract; optional album and release_date columns are used). "
                               + "`train --truth`: the catalogue of each --truth set (repeatable).", valueName: "file"))
    var worksFiles: [String] = []

    /// The works file of labelled pairs mode (one).
    var works: String? { worksFiles.count == 1 ? worksFiles[0] : nil }

    @Option(help: ArgumentHelp("Column of the pairs file that names each pair's split.", valueName: "name"))
    var splitColumn = "split"

    @Option(name: .customLong("map-works"), help: ArgumentHelp("Rename a works column: column=field (repeatable).", valueName: "column=field"))
    var mapWorks: [String] = []

    /// Whether any option of this group was given.
    var isUsed: Bool { pairs != nil || !worksFiles.isEmpty }
}

/// Labelled pairs with the profiles of the lines and works they name.
struct PairsDataset {
    var lines: [LineProfile] = []
    var lineIds: [String] = []
    var works: [WorkProfile] = []
    var pairs: [PairFeatureBuilder.Pair] = []
    var labels: [UInt8] = []
    var splits: [String?] = []
    var positions: [SourcePosition] = []
    var hasSplitColumn = false
    var inputs: [ScoringModel.InputFile] = []

    /// Reads the three files; every pair must name a known line and work and carry a 0/1 label.
    static func load(pairsPath: String, usagePath: String, worksPath: String, splitColumn: String,
                     usageRenames: [String: String], worksRenames: [String: String]) throws(OeuvreError) -> PairsDataset {
        var data = PairsDataset()
        let builder = ProfileBuilder()

        // Works (+ optional album and release_date columns, which the works contract does not carry: read as a
        // release of the work).
        let extraFields: Set<String> = ["album", "release_date"]
        let worksReader = try WorksCSVReader(path: worksPath, renames: worksRenames.filter { !extraFields.contains($0.value.lowercased()) })
        let releases = try readReleases(path: worksPath, renames: worksRenames)
        var works: [Work] = []
        var workIndex: [String: Int] = [:]
        while let (w, position) = try worksReader.next() {
            var work = w
            if let r = releases[w.id] { work.recordings.append(Recording(release: r.album, releaseDate: r.date)) }
            if workIndex[w.id] != nil {
                throw OeuvreError(.invalidInput, "work_id '\(w.id)' appears more than once", at: position.at(column: nil, field: "work_id"))
            }
            workIndex[w.id] = works.count
            works.append(work)
        }
        data.works = works.map { builder.work($0) }

        let usage = try UsageCSVReader.readAll(path: usagePath, renames: usageRenames)
        var lineIndex: [String: Int] = [:]
        for (i, l) in usage.enumerated() {
            if let first = lineIndex[l.lineId] {
                throw OeuvreError(.invalidInput, "line_id '\(l.lineId)' appears more than once (first as row \(first + 1))",
                                  at: l.position.map { $0.at(column: nil, field: "line_id") })
            }
            lineIndex[l.lineId] = i
        }
        data.lines = usage.map { builder.line($0) }
        data.lineIds = usage.map(\.lineId)

        let reader = try DelimitedReader(path: pairsPath)
        let mapping = try HeaderMapping(header: reader.header, path: pairsPath, fields: ["line_id", "work_id", "label", splitColumn],
                                        required: ["line_id", "work_id", "label"])
        data.hasSplitColumn = mapping.has(splitColumn)
        while let record = try reader.next() {
            guard let lineId = mapping.value("line_id", in: record) else {
                throw OeuvreError(.invalidInput, "empty line_id", at: mapping.position("line_id", in: record))
            }
            guard let workId = mapping.value("work_id", in: record) else {
                throw OeuvreError(.invalidInput, "empty work_id", at: mapping.position("work_id", in: record))
            }
            guard let li = lineIndex[lineId] else {
                throw OeuvreError(.invalidInput, "line_id '\(lineId)' is not in \(usagePath)", at: mapping.position("line_id", in: record))
            }
            guard let wi = workIndex[workId] else {
                throw OeuvreError(.invalidInput, "work_id '\(workId)' is not in \(worksPath)", at: mapping.position("work_id", in: record))
            }
            let label: UInt8
            switch mapping.value("label", in: record) {
            case "1": label = 1
            case "0": label = 0
            case let other:
                throw OeuvreError(.invalidInput, "label must be 0 or 1, got '\(other ?? "")'", at: mapping.position("label", in: record))
            }
            data.pairs.append(PairFeatureBuilder.Pair(line: li, work: wi))
            data.labels.append(label)
            data.splits.append(mapping.value(splitColumn, in: record))
            data.positions.append(SourcePosition(file: pairsPath, line: record.line))
        }
        guard !data.pairs.isEmpty else {
            throw OeuvreError(.invalidInput, "no pairs in \(pairsPath)", at: SourcePosition(file: pairsPath, line: 1))
        }
        data.inputs = [
            ScoringModel.InputFile(role: "pairs", path: (pairsPath as NSString).lastPathComponent, sha256: try SHA256.hex(fileAt: pairsPath)),
            ScoringModel.InputFile(role: "usage", path: (usagePath as NSString).lastPathComponent, sha256: try SHA256.hex(fileAt: usagePath)),
            ScoringModel.InputFile(role: "works", path: (worksPath as NSString).lastPathComponent, sha256: try SHA256.hex(fileAt: worksPath)),
        ]
        return data
    }

    /// work_id → (album, release date) from the works file's optional `album` and `release_date` columns
    /// (empty when neither column is present; rows with both cells empty are left out).
    static func readReleases(path: String, renames: [String: String]) throws(OeuvreError) -> [String: (album: String?, date: String?)] {
        let reader = try DelimitedReader(path: path)
        let fields = ["work_id", "album", "release_date"]
        let mapping = try HeaderMapping(header: reader.header, path: path, fields: fields, required: ["work_id"],
                                        renames: renames.filter { fields.contains($0.value.lowercased()) })
        guard mapping.has("album") || mapping.has("release_date") else { return [:] }
        var out: [String: (album: String?, date: String?)] = [:]
        while let record = try reader.next() {
            guard let id = mapping.value("work_id", in: record) else { continue }
            let album = mapping.value("album", in: record), date = mapping.value("release_date", in: record)
            if album != nil || date != nil { out[id] = (album, date) }
        }
        return out
    }

    /// Indices of the pairs whose split is in `names` (all pairs when `names` is nil).
    func select(_ names: [String]?, splitColumn: String, option: String) throws(OeuvreError) -> [Int] {
        guard let names else { return Array(pairs.indices) }
        guard hasSplitColumn else {
            throw OeuvreError(.usage, "\(option) \(names.joined(separator: ",")) needs a '\(splitColumn)' column in the pairs file (see --split-column)")
        }
        let wanted = Set(names)
        let rows = pairs.indices.filter { splits[$0].map(wanted.contains) ?? false }
        guard !rows.isEmpty else {
            let known = Set(splits.compactMap { $0 }).sorted()
            throw OeuvreError(.invalidInput, "no pairs in split \(names.joined(separator: ",")) (splits present: \(known.joined(separator: ", ")))")
        }
        return rows
    }

    /// Feature rows with labels for the pairs `rows` (contexts derived from all pairs of the same line).
    func labelledFeatures(rows: [Int]) -> LabelledFeatures {
        let contexts = PairFeatureBuilder.contexts(lines: lines, works: works, pairs: pairs)
        let subset = rows.map { pairs[$0] }
        let features = PairFeatureBuilder.features(lines: lines, works: works, pairs: subset, contexts: rows.map { contexts[$0] })
        var groups: [UInt64] = []
        groups.reserveCapacity(rows.count)
        for r in rows {
            // FNV-1a of the line id: a stable group key (folds do not depend on file order).
            var h: UInt64 = 0xcbf2_9ce4_8422_2325
            for b in lineIds[pairs[r].line].utf8 { h = (h ^ UInt64(b)) &* 0x100_0000_01b3 }
            groups.append(h)
        }
        return LabelledFeatures(features: features, columns: PairFeatureExtractor.count, labels: rows.map { labels[$0] }, groups: groups,
                                positions: rows.map { positions[$0] })
    }

    /// Training-data fingerprint: sha256 over the input digests and the selection.
    func fingerprint(selection: String) -> String {
        var text = inputs.map { "\($0.role) \($0.sha256)" }.joined(separator: "\n")
        text += "\nselection \(selection)\nschema \(FeatureSchema.current.version) \(FeatureSchema.current.names.joined(separator: ","))"
        return "sha256:" + SHA256.hex(text)
    }
}

extension ClassWeighting: ExpressibleByArgument {}
extension Trainer.CalibrationMode: ExpressibleByArgument {}

/// Splits a comma-separated option value into names.
func commaList(_ value: String?) -> [String]? {
    guard let value else { return nil }
    let names = value.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    return names.isEmpty ? nil : names
}

/// Formats a metric for humans.
func fmt(_ x: Double, _ digits: Int = 4) -> String {
    x.isFinite ? String(format: "%.\(digits)f", x) : "n/a"
}
