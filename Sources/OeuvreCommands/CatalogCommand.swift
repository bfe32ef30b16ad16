import ArgumentParser
import Catalogue
import Foundation
import Formats
import OeuvreCore

/// `oeuvre catalog import|stats|show`.
struct CatalogCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "catalog",
        abstract: "Build and inspect the works catalogue (SQLite).",
        subcommands: [Import.self, Stats.self, Show.self])

    struct Import: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Import CWR 2.1/2.2 files or works CSV/TSV files (format detected from content; .gz allowed).",
            discussion: """
                Each file is imported in one transaction: a file with any error imports nothing, the error names \
                file:line:column and the field, and the command stops with exit code 3 (files before it stay imported). \
                A file already imported (same SHA-256) is skipped. Works already in the catalogue are updated and the \
                changes written to the audit table. Invalid ISWC/IPI check digits are kept, flagged and reported as warnings.
                """)

        @Argument(help: "Files to import, in order.") var files: [String]
        @Option(help: "Catalogue database (created when missing).") var db: String
        @Option(name: .customLong("map"), parsing: .singleValue, help: "Rename a CSV column to a works field: column=field (repeatable).")
        var map: [String] = []
        @Option(help: "Warnings printed per file (all are counted).") var maxWarnings = 20
        @Flag(help: "CWR: import files with missing records (record sequence gaps) or wrong GRT/TRL counts, with a warning.")
        var lenient = false
        @Flag(help: "Print one JSON object per file on stdout.") var json = false

        func run() async throws {
            try await runReporting {
                let renames = try HeaderMapping.parseRenames(map)
                for (column, field) in renames where !WorksCSVReader.fields.contains(field.lowercased()) {
                    throw OeuvreError(.usage, "--map \(column)=\(field): unknown field '\(field)' (known: \(WorksCSVReader.fields.joined(separator: ", ")))")
                }
                // A catalogue this command creates and whose first file fails holds nothing: it is removed, so that
                // `match --db` says there is no catalogue instead of matching every line against zero works.
                let created = db != ":memory:" && !FileManager.default.fileExists(atPath: db)
                var imported = 0
                do {
                    let store = try CatalogueStore(path: db)
                    for (i, file) in files.enumerated() {
                        let result: ImportResult
                        do {
                            result = try store.importFile(file, options: ImportOptions(renames: renames, lenient: lenient))
                        } catch {
                            if i > 0 {
                                printError("note: \(i) file(s) before \(file) were imported; \(files.count - i - 1) after it were not read")
                            }
                            throw error
                        }
                        imported += 1
                        report(result)
                    }
                } catch {
                    if created && imported == 0 && FileManager.default.fileExists(atPath: db) && Self.removeCatalogue(db) {
                        printError("note: nothing was imported: the new catalogue \(db) was removed")
                    }
                    throw error
                }
            }
        }

        /// Removes a catalogue file with its SQLite journal files; whether the catalogue file was removed.
        static func removeCatalogue(_ path: String) -> Bool {
            for suffix in ["-wal", "-shm", "-journal"] { unlink(path + suffix) }
            return unlink(path) == 0
        }

        private func report(_ r: ImportResult) {
            for w in r.warnings.prefix(maxWarnings) {
                printError(w.position == nil ? "\(r.path): \(w)" : w.description)
            }
            if r.warningCount > maxWarnings {
                printError("\(r.path): \(r.warningCount - min(maxWarnings, r.warnings.count)) more warning(s) not shown")
            }
            if json {
                var obj: [String: Any] = [
                    "file": r.path, "sha256": r.sha256, "format": r.format, "already_imported": r.alreadyImported,
                ]
                if !r.alreadyImported {
                    obj["batch"] = r.batchID ?? NSNull()
                    obj["works_added"] = r.worksAdded
                    obj["works_updated"] = r.worksUpdated
                    obj["works_unchanged"] = r.worksUnchanged
                    obj["transactions"] = r.transactions
                    obj["records"] = r.records
                    obj["skipped_records"] = r.skippedRecords
                    obj["skipped_transactions"] = r.skippedTransactions
                    obj["invalid_identifiers"] = r.invalidIdentifiers
                    obj["warnings"] = r.warningCount
                    obj["seconds"] = (r.seconds * 1000).rounded() / 1000
                } else {
                    obj["batch"] = r.previousImport?.id ?? NSNull()
                }
                printJSON(obj)
                return
            }
            if r.alreadyImported {
                let when = r.previousImport.map { " (batch \($0.id), \($0.importedAt))" } ?? ""
                print("\(r.path): already imported\(when); nothing to do")
                return
            }
            var line = "\(r.path): \(r.format): \(r.worksAdded) works added, \(r.worksUpdated) updated, \(r.worksUnchanged) unchanged"
            line += " (\(r.transactions) \(r.format.hasPrefix("cwr") ? "transactions, \(r.records) records" : "rows"))"
            if r.invalidIdentifiers > 0 { line += "; \(r.invalidIdentifiers) invalid identifier(s) kept and flagged" }
            let skipped = r.skippedRecords.values.reduce(0, +)
            if skipped > 0 {
                let kinds = r.skippedRecords.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
                line += "; skipped records: \(kinds)"
            }
            if !r.skippedTransactions.isEmpty {
                let kinds = r.skippedTransactions.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
                line += "; transactions not imported as works: \(kinds)"
            }
            if r.warningCount > 0 { line += "; \(r.warningCount) warning(s)" }
            line += String(format: "; %.2f s", r.seconds)
            print(line)
        }
    }

    struct Stats: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print counts for a catalogue.")

        @Option(help: "Catalogue database.") var db: String
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            try await runReporting {
                guard FileManager.default.fileExists(atPath: db) else {
                    throw OeuvreError(.usage, "no catalogue at \(db) (create one with `oeuvre catalog import FILE --db \(db)`)")
                }
                let store = try CatalogueStore(path: db)
                let stats = try store.stats()
                if json {
                    var obj: [String: Any] = ["change_stamp": stats.changeStamp]
                    for (k, v) in stats.pairs { obj[k] = v }
                    printJSON(obj)
                } else {
                    let width = stats.pairs.map(\.key.count).max() ?? 0
                    for (k, v) in stats.pairs {
                        print(k.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + String(v))
                    }
                    for d in try store.duplicateISWCs(limit: 10) {
                        printError("warning: ISWC \(d.iswc) is on \(d.workIds.count) works: \(d.workIds.joined(separator: ", ")) (not merged)")
                    }
                }
            }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show a work with all its titles, parties, recordings, links and changes.",
            discussion: "Exit code 1 when no work has that id or ISWC.")

        @Argument(help: "A work id (or submitter/society work number) or an ISWC.") var key: String
        @Option(help: "Catalogue database.") var db: String
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            try await runReporting {
                guard FileManager.default.fileExists(atPath: db) else {
                    throw OeuvreError(.usage, "no catalogue at \(db)")
                }
                let store = try CatalogueStore(path: db)
                var entries: [CatalogueEntry] = []
                if let e = try store.entry(id: key) {
                    entries = [e]
                } else if let iswc = ISWC.parse(key) {
                    entries = try store.entries(iswc: iswc.value)
                }
                guard !entries.isEmpty else {
                    printError("error: no work with id or ISWC '\(key)' in \(db)")
                    throw ExitCode(1)
                }
                if json {
                    try printShowJSON(store: store, entries: entries)
                } else {
                    for (i, e) in entries.enumerated() {
                        if i > 0 { print("") }
                        try printShowText(store: store, entry: e, sharing: entries.count)
                    }
                }
            }
        }

        private func printShowJSON(store: CatalogueStore, entries: [CatalogueEntry]) throws {
            let encoder = JSONEncoder()
            encoder.keyEncodingStrategy = .convertToSnakeCase
            encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
            var works: [Any] = []
            for e in entries {
                guard var obj = try JSONSerialization.jsonObject(with: encoder.encode(e)) as? [String: Any] else { continue }
                obj["isrc_links"] = try JSONSerialization.jsonObject(with: encoder.encode(store.isrcLinks(workId: e.workID)))
                obj["audit"] = try JSONSerialization.jsonObject(with: encoder.encode(store.auditEntries(workId: e.workID)))
                works.append(obj)
            }
            printJSON(["query": key, "works": works], pretty: true)
        }

        private func printShowText(store: CatalogueStore, entry e: CatalogueEntry, sharing: Int) throws {
            func pct(_ v: Double?) -> String { v.map { String(format: "%.2f%%", $0) } ?? "-" }
            var head = "work \(e.workID)"
            if let i = e.iswc { head += "  ISWC \(i)\(e.iswcValid ? "" : " (INVALID check digit)")" }
            head += "  source \(e.source)"
            if let s = e.status { head += "  status \(s)" }
            print(head)
            if sharing > 1 { print("  note: \(sharing) works carry this ISWC (duplicate, not merged)") }
            print("title: \(e.title)\(e.language.map { " [\($0)]" } ?? "")")
            if let d = e.duration { print("duration: \(d / 60):\(String(format: "%02d", d % 60))") }
            for t in e.titles {
                var line = "  \(t.kind.rawValue) title: \(t.text)"
                if let c = t.cwrType { line += " (\(c))" }
                if let l = t.language { line += " [\(l)]" }
                print(line)
            }
            for p in e.parties {
                var line = "  \(p.role.rawValue): \(p.name.isEmpty ? "(unknown)" : p.name)"
                if let d = p.designation { line += " [\(d)]" }
                if let c = p.chain { line += " chain \(c)" }
                if let ipi = p.ipiName { line += " IPI \(ipi)\(p.ipiNameValid ? "" : " (INVALID)")" }
                if let b = p.ipiBase { line += " base \(b)\(p.ipiBaseValid ? "" : " (INVALID)")" }
                if p.prShare != nil || p.mrShare != nil || p.srShare != nil {
                    line += " PR \(pct(p.prShare)) MR \(pct(p.mrShare)) SR \(pct(p.srShare))"
                }
                if e.source == "cwr" { line += p.controlled ? " controlled" : " not controlled" }
                print(line)
            }
            for p in e.performers {
                print("  performer: \(p.name)\(p.ipiName.map { " IPI \($0)" } ?? "")")
            }
            for r in e.recordings {
                var parts: [String] = []
                if let i = r.isrc { parts.append("ISRC \(i)\(r.isrcValid ? "" : " (INVALID)")") }
                if let t = r.title { parts.append("\"\(t)\"") }
                if let a = r.artist { parts.append("by \(a)") }
                if let rel = r.release { parts.append("on \(rel)") }
                if let l = r.label { parts.append("label \(l)") }
                if let d = r.duration { parts.append("\(d / 60):\(String(format: "%02d", d % 60))") }
                print("  recording: \(parts.isEmpty ? "(no details)" : parts.joined(separator: ", "))")
            }
            for o in e.origins {
                print("  origin: \(o.purpose ?? "?") \(o.productionTitle ?? o.library ?? "")")
            }
            for v in e.originalWorks {
                print("  version of: \(v.title)\(v.iswc.map { " ISWC \($0)" } ?? "")")
            }
            for k in e.keys {
                print("  key: \(k.kind) \(k.scope.isEmpty ? "" : "\(k.scope) ")\(k.value)")
            }
            for l in try store.isrcLinks(workId: e.workID) {
                print("  link: ISRC \(l.isrc) (\(l.source.rawValue), confidence \(l.confidence), first seen \(l.firstSeen))")
            }
            let audit = try store.auditEntries(workId: e.workID)
            for a in audit.suffix(20) {
                print("  change \(a.at) \(a.action) \(a.field ?? "") by \(a.actor)\(a.origin.map { " from \($0)" } ?? "")")
            }
        }
    }
}

func printJSON(_ obj: Any, pretty: Bool = false) {
    var options: JSONSerialization.WritingOptions = [.sortedKeys, .withoutEscapingSlashes]
    if pretty { options.insert(.prettyPrinted) }
    guard let data = try? JSONSerialization.data(withJSONObject: obj, options: options) else { return }
    print(String(decoding: data, as: UTF8.self))
}

/// `oeuvre bench catalog-load --db PATH`: time to load every work and link as the match index
/// build does (`allWorks()`, `isrcLinks()`).
struct BenchCatalogLoadCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "catalog-load",
        abstract: "Seconds to load all works and ISRC links from a catalogue.")

    @Option(help: "Catalogue database.") var db: String

    func run() async throws {
        try await runReporting {
            let store = try CatalogueStore(path: db)
            let clock = ContinuousClock()
            var works: [Work] = []
            let tWorks = try clock.measure { works = try store.allWorks() }
            var links: [ISRCLink] = []
            let tLinks = try clock.measure { links = try store.isrcLinks() }
            let titles = works.reduce(0) { $0 + $1.titles.count }
            func s(_ d: Duration) -> String { String(format: "%.2f s", Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18) }
            print("allWorks: \(works.count) works, \(titles) titles in \(s(tWorks)); isrcLinks: \(links.count) in \(s(tLinks))")
        }
    }
}
