import ArgumentParser
import Formats
import Foundation
import Matching
import OeuvreCore

/// `oeuvre report convert|stats`: reads usage reports (DDEX DSR flat files, CSV/TSV usage files).
struct ReportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Read usage reports (DDEX DSR flat files, usage CSV/TSV): convert them to usage lines, show what they hold.",
        discussion: """
            Formats are detected by content: a file whose first record is HEAD is a DSR flat file (plain or .gz; \
            multi-file reports are read together in file order), anything else a CSV/TSV with a header row. \
            Bad input stops with file:line:column, the field and exit code 3; no output file is left behind.
            """,
        subcommands: [Convert.self, Stats.self, GenerateDSR.self, Bench.self]
    )

    struct InputOptions: ParsableArguments {
        @Argument(help: "DSR flat files (.tsv, .tsv.gz) and/or usage CSV/TSV files.") var files: [String]
        @Option(name: .long, help: ArgumentHelp("Rename a CSV/TSV column to a usage field.", valueName: "column=field"))
        var map: [String] = []
        @Flag(help: "Accept FOOT/SRFO count mismatches as warnings instead of errors.") var lenient = false
        @Option(help: "Threads used to normalize titles when grouping recordings (default: all cores).") var threads: Int?

        func read() throws -> UsageReadResult {
            let options = UsageReadOptions(renames: try HeaderMapping.parseRenames(map), lenientCounts: lenient)
            return try UsageReports.read(paths: files, options: options)
        }

        func grouper() -> RecordingGrouper {
            threads.map { RecordingGrouper(threads: $0) } ?? RecordingGrouper()
        }
    }

    // MARK: convert

    struct Convert: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write canonical usage lines (TSV) from usage reports and print a summary.",
            discussion: """
                Columns: line_id isrc title artist duration plays iswc writers territory use_type. One row per usage \
                line: for a DSR, one reported resource in one sales context with its usages summed over the usage \
                records that reference it or its release. The summary goes to stdout (stderr with --out -).
                """
        )

        @OptionGroup var input: InputOptions
        @Option(help: "Output TSV ('-' for standard output).") var out: String

        func run() async throws {
            try await runReporting {
                let result = try input.read()
                let grouping = input.grouper().group(result.lines)
                try CanonicalUsageTSV.write(result.lines, to: out)
                let text = ReportCommand.summary(result, distinct: grouping.groups.count) + (out == "-" ? "" : "\nwrote \(out)")
                if out == "-" { printError(text) } else { print(text) }
            }
        }
    }

    // MARK: stats

    struct Stats: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show what usage reports hold: records, blocks, sales contexts, lines, plays, warnings.")

        @OptionGroup var input: InputOptions
        @Flag(help: "Print one JSON object.") var json = false

        func run() async throws {
            try await runReporting {
                let result = try input.read()
                let grouping = input.grouper().group(result.lines)
                if json {
                    let data = try JSONSerialization.data(withJSONObject: ReportCommand.json(result, distinct: grouping.groups.count),
                                                          options: [.sortedKeys, .withoutEscapingSlashes, .prettyPrinted])
                    print(String(decoding: data, as: UTF8.self))
                } else {
                    print(ReportCommand.describe(result, distinct: grouping.groups.count))
                }
            }
        }
    }

    // MARK: rendering

    static func number(_ v: Double) -> String { CanonicalUsageTSV.number(v) }

    static func summary(_ r: UsageReadResult, distinct: Int) -> String {
        var kinds: [String] = []
        let dsrFiles = r.files.filter { $0.format == "dsr" }.count
        let dsrReports = r.reports.filter { $0.format == .dsr }.count
        if dsrFiles > 0 { kinds.append("\(dsrFiles) DSR in \(dsrReports) report\(dsrReports == 1 ? "" : "s")") }
        for f in ["tsv", "csv"] {
            let n = r.files.filter { $0.format == f }.count
            if n > 0 { kinds.append("\(n) \(f.uppercased())") }
        }
        var lines = [
            "files: \(r.files.count) (\(kinds.joined(separator: ", ")))",
            "usage lines: \(r.lines.count)",
            "distinct recordings: \(distinct)",
            "total plays: \(number(r.totalPlays))",
        ]
        let warnings = r.warnings
        if !warnings.isEmpty {
            lines.append("warnings: \(warnings.reduce(0) { $0 + $1.count })")
            for w in warnings.prefix(20) { lines.append("  " + w.description) }
            if warnings.count > 20 { lines.append("  … \(warnings.count - 20) more kinds (see oeuvre report stats)") }
        }
        return lines.joined(separator: "\n")
    }

    static func describe(_ r: UsageReadResult, distinct: Int) -> String {
        var out: [String] = []
        for f in r.files {
            var head = "\(f.path)  \(f.format)"
            if let h = f.header {
                head += "  \(h.profile ?? "?") \(h.profileVersion ?? "")"
                if let id = h.messageId { head += "  message \(id)" }
                if let n = h.numberOfFiles { head += "  file \(h.fileNumber ?? 1) of \(n)" }
            }
            out.append(head)
            if f.format == "dsr" {
                let records = f.records.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
                out.append("  lines \(f.physicalLines) (\(f.commentLines) comments)  blocks \(f.blocks)  records: \(records)")
                for s in f.summaries {
                    var t = "  summary \(s.id) \(s.recordType): \(s.commercialModel ?? "-") / \(s.useType ?? "-") / \(s.territory ?? "-")"
                    if let u = s.usages { t += "  usages \(number(u))" }
                    if let n = s.netRevenue { t += "  net revenue \(number(n))\(s.currency.map { " " + $0 } ?? "")" }
                    if let rc = s.rightsController { t += "  (\(rc))" }
                    out.append(t)
                }
                if let foot = f.footer {
                    var t = "  \(foot.recordType):"
                    if let v = foot.linesInFile { t += " lines in file \(v)" }
                    if let v = foot.linesInReport { t += ", lines in report \(v)" }
                    if let v = foot.summaryRecords { t += ", summary records \(v)" }
                    if let v = foot.blocksInFile { t += ", blocks in file \(v)" }
                    if let v = foot.blocksInReport { t += ", blocks in report \(v)" }
                    out.append(t)
                }
                if !f.unknownRecords.isEmpty {
                    out.append("  unknown record types (counted, not read): "
                               + f.unknownRecords.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))
                }
            }
            var t = "  usage records \(f.usageRecords)  plays \(number(f.plays))  new usage lines \(f.lines)"
            if let n = f.netRevenue { t += "  net revenue \(number(n))" }
            out.append(t)
            for w in f.warnings { out.append("  " + w.description) }
        }
        for rep in r.reports where !rep.warnings.isEmpty {
            for w in rep.warnings { out.append(w.description) }
        }
        out.append("totals: files \(r.files.count), usage lines \(r.lines.count), distinct recordings \(distinct), "
                   + "total plays \(number(r.totalPlays))")
        return out.joined(separator: "\n")
    }

    static func json(_ r: UsageReadResult, distinct: Int) -> [String: Any] {
        func opt(_ v: Any?) -> Any { v ?? NSNull() }
        func warnings(_ ws: [ReportWarning]) -> [[String: Any]] {
            ws.map { ["message": $0.message, "count": $0.count, "position": opt($0.position?.description)] }
        }
        let files: [[String: Any]] = r.files.map { f in
            var o: [String: Any] = [
                "path": f.path, "format": f.format, "physical_lines": f.physicalLines, "usage_records": f.usageRecords,
                "plays": f.plays, "net_revenue": opt(f.netRevenue), "lines": f.lines, "warnings": warnings(f.warnings),
            ]
            if f.format == "dsr" {
                let h = f.header
                o["profile"] = opt(h?.profile)
                o["profile_version"] = opt(h?.profileVersion)
                o["message_id"] = opt(h?.messageId)
                o["file_number"] = opt(h?.fileNumber)
                o["number_of_files"] = opt(h?.numberOfFiles)
                o["comment_lines"] = f.commentLines
                o["records"] = f.records
                o["unknown_records"] = f.unknownRecords
                o["blocks"] = f.blocks
                o["summary_records"] = f.summaries.map { s -> [String: Any] in
                    ["id": s.id, "record_type": s.recordType, "commercial_model": opt(s.commercialModel), "use_type": opt(s.useType),
                     "territory": opt(s.territory), "service_description": opt(s.serviceDescription), "usages": opt(s.usages),
                     "net_revenue": opt(s.netRevenue), "currency": opt(s.currency), "rights_controller": opt(s.rightsController),
                     "line": s.position.line]
                }
                if let foot = f.footer {
                    o["footer"] = ["record_type": foot.recordType, "lines_in_file": opt(foot.linesInFile),
                                   "lines_in_report": opt(foot.linesInReport), "summary_records": opt(foot.summaryRecords),
                                   "blocks_in_file": opt(foot.blocksInFile), "blocks_in_report": opt(foot.blocksInReport),
                                   "line": foot.line] as [String: Any]
                }
            }
            return o
        }
        let reports: [[String: Any]] = r.reports.map { rep in
            ["format": rep.format.rawValue, "files": rep.files, "message_id": opt(rep.messageId), "profile": opt(rep.profile),
             "lines": rep.lines, "plays": rep.plays, "net_revenue": opt(rep.netRevenue), "line_id_prefix": opt(rep.lineIdPrefix),
             "warnings": warnings(rep.warnings)]
        }
        var revenue: Double?
        for l in r.lines { if let n = l.netRevenue { revenue = (revenue ?? 0) + n } }
        let totals: [String: Any] = [
            "files": r.files.count, "reports": r.reports.count, "lines": r.lines.count, "distinct_recordings": distinct,
            "plays": r.totalPlays, "net_revenue": opt(revenue), "warnings": r.warnings.reduce(0) { $0 + $1.count },
        ]
        return ["files": files, "reports": reports, "totals": totals]
    }
}
