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
            or JSONL (one object per line with its candidates, their retrieval scores and per-feature contributions). \
            Lines whose ISRC the catalogue links to exactly one work are decided at once (reason isrc-link); the rest \
            are grouped into distinct recordings, retrieved, scored and decided. With --db, reviewers' decisions \
            count too: candidates a reviewer rejected for a recording are left out, an accepted work is auto-matched \
            (reason reviewed), a recording decided none stays none (reason reviewed-none). With --stdin, results are \
            written chunk by chunk as the input streams in. The summary goes to stderr, a progress line too on a terminal.
            """
    )

    @Argument(help: "Report files (DSR flat files, plain or .gz; usage CSV/TSV).") var reports: [String] = []
    @Option(help: "Catalogue database.") var db: String?
    @Option(help: "Works CSV to use as the catalogue instead of a database.") var works: String?
    @Option(help: "Scoring model file (default: models/default.json).") var model: String?
    @Option(help: "Results file (default: standard output).") var out: String?
    @Option(help: "tsv or jsonl.") var format = "tsv"
    @Option(help: "Candidates kept per line.") var top = 5
    @Option(help: "Candidates retrieved per recording and scored.") var candidates = 50
    @Option(name: .customLong("auto-margin"),
            help: "An auto-match needs its confidence to lead the next candidate's by this much (0...1).")
    var autoMargin = MatchOptions().autoMargin
    @Option(help: "Worker threads.") var threads = 2
    @Option(help: ArgumentHelp("How pooled titles are re-ranked: dot, gemv or gemm.",
                               discussion: "dot (default): direct dot products against the mapped int8 title vectors, only the pairs each recording needs; gemv: one BLAS sgemv per pooled work and title reading; gemm: every pooled title of a batch decoded into one block and one BLAS sgemm per batch. The same cosines up to float summation order (docs/MATCHING.md)."))
    var denseKernel = "dot"
    @Option(help: "Also write a review queue (CSV) of the lines routed to review.") var reviewQueue: String?
    @Option(help: "With --review-queue: also queue this share (0...1) of the fuzzy auto-matches, drawn by line id, for a quality check.")
    var sampleAuto: Double = 0
    @Option(help: "Match index file (default: beside the catalogue).") var index: String?
    @Flag(help: "Read usage TSV from standard input and stream results to standard output.") var stdin = false
    @Flag(help: "Write the results without a header row.") var noHeader = false
    @Option(help: ArgumentHelp("Match the report in N parts to bound memory (1...256, or auto; same results as one part).",
                               discussion: "Lines are split so that no recording's lines are parted; each part is matched whole and its rows go to a temporary file beside --out, merged back into line order at the end. auto (the default) matches a report whole unless its estimated line count needs more memory than the machine has to spare, and then in as many parts as that needs."))
    var partitions = "auto"
    /// `--partitions auto`'s lines per part (default: from the machine's memory, `defaultLinesPerPart`).
    @Option(help: .hidden) var linesPerPart: Int?
    /// `--partitions auto`'s memory (bytes) instead of the machine's (`availableMemory`).
    @Option(help: .hidden) var memory: UInt64?
    @Option(parsing: .singleValue, help: "Rename a usage column: column=field (repeatable).") var map: [String] = []
    @Flag(help: "Accept FOOT/SRFO count mismatches in DSR files as warnings instead of errors.") var lenient = false
    @Flag(help: "No summary or notes on stderr (errors only).") var quiet = false
    @Flag(help: "Print the summary as one JSON object on stderr.") var jsonSummary = false
    @Flag(help: .hidden) var generalPath = false  // every line through MatchPipeline.run (tests and benchmarks compare)

    func validate() throws {
        if (db == nil) == (works == nil) { throw ValidationError("give exactly one of --db or --works") }
        if stdin != reports.isEmpty { throw ValidationError(stdin ? "--stdin reads standard input: give no report files" : "give report files or --stdin") }
        if format != "tsv" && format != "jsonl" { throw ValidationError("--format must be tsv or jsonl") }
        if top < 1 || candidates < 1 || threads < 1 { throw ValidationError("--top, --candidates and --threads must be at least 1") }
        if !(0...1).contains(autoMargin) { throw ValidationError("--auto-margin must be between 0 and 1") }
        if DenseKernel(rawValue: denseKernel) == nil {
            throw ValidationError("--dense-kernel must be one of \(DenseKernel.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        if reviewQueue != nil && db == nil { throw ValidationError("--review-queue needs --db (queues are registered in the catalogue)") }
        if !(0...1).contains(sampleAuto) { throw ValidationError("--sample-auto must be between 0 and 1") }
        if sampleAuto > 0 && reviewQueue == nil { throw ValidationError("--sample-auto needs --review-queue") }
        if partitions != "auto" {
            guard let n = Int(partitions), (1...256).contains(n) else { throw ValidationError("--partitions must be auto or between 1 and 256") }
            if stdin && n > 1 { throw ValidationError("--partitions splits report files; --stdin is streamed in chunks already") }
        }
        if let linesPerPart, linesPerPart < 1 { throw ValidationError("--lines-per-part must be at least 1") }
    }

    func run() async throws {
        try await runReporting {
            // Report files are read more than once (format, size estimate, parts): a pipe would lose what the first
            // read took. Streams go through --stdin.
            for path in reports { try requireRegularFile(path) }
            if let db, !FileManager.default.fileExists(atPath: db) {
                throw OeuvreError(.usage, "no catalogue at \(db) (create one with `oeuvre catalog import FILE --db \(db)`)")
            }
            let scoring = try ScoringModel.load(path: try Self.modelPath(model))
            let source = MatchIndexSource(catalogue: db.map { .database($0) } ?? .worksCSV(works ?? ""), indexPath: index, threads: threads)
            let loaded = try source.load { msg in if !quiet { printError(msg) } }
            if let note = loaded.note, !quiet { printError("note: \(note)") }
            if loaded.index.workCount == 0 {
                // Not an error (a catalogue can be emptied), but every line will be `none`: said even with --quiet.
                printError("warning: the catalogue \(db ?? works ?? "") has no works: every line will be decided `none`")
            }

            let renames = try HeaderMapping.parseRenames(map)
            var options = MatchOptions()
            options.topK = top
            options.topN = max(candidates, top)
            options.autoMargin = autoMargin
            options.threads = threads
            options.retrieval.denseKernel = DenseKernel(rawValue: denseKernel) ?? .dot
            options.contributions = format == "jsonl"
            options.keepProfiles = false  // the writers read candidates, decisions, lines and plays only
            // Reviewers' decisions about recordings: rejected candidates left out, accepted works auto-matched.
            // Read report by report: those about the recordings each run holds (`ReviewDecisions`).
            if let db { options.reviewSource = ReviewDecisions(catalogue: try CatalogueStore(path: db)) }
            let pipeline = MatchPipeline(index: loaded.index, model: scoring, options: options)
            let progress = MatchProgress(enabled: !quiet && isatty(2) == 1)

            // One CSV/TSV file goes the direct ISRC path (below) when it is matched in one part.
            let direct = try !stdin && format == "tsv" && reports.count == 1 && !generalPath && UsageReports.detectFormat(path: reports[0]) != .dsr
            let partitions = stdin ? 1 : try partitionCount(index: loaded.index, direct: direct) { if !quiet { printError("note: \($0)") } }
            let outPath = stdin ? "-" : (out ?? "-")
            // Results files run to hundreds of megabytes: written past the page cache (`AtomicFileWriter`).
            let writer = try AtomicFileWriter(path: outPath, bypassCache: true)
            if format == "tsv" && !noHeader { writer.write(ResultsTSV.header + "\n") }
            var summary = MatchSummary()
            var reviewRows: [(lineId: String, rows: [MatchResultRow])] = []
            var reviewLines: [String: UsageLine] = [:]
            func process(_ lines: consuming [UsageLine]) throws {
                let lineIds = lines.map(\.lineId)
                let kept = keepsWholeLines ? lines : []
                let (results, resultOfLine, part) = try pipeline.run(lines: consume lines) { done, total in progress.update(done, total) }
                try write(lineIds: lineIds, lines: kept, results: results, resultOfLine: resultOfLine, to: writer, index: loaded.index)
                if !stdin { Self.keepUntilExit((results, lineIds, kept)) }
                summary.add(part)
                if reviewQueue != nil {
                    for (i, line) in kept.enumerated() {
                        let r = results[Int(resultOfLine[i])]
                        guard Self.queued(r, lineId: line.lineId, sampleAuto: sampleAuto) else { continue }
                        reviewLines[line.lineId] = line
                        reviewRows.append((line.lineId, r.candidates.enumerated().map { k, c in
                            MatchResultRow(lineId: line.lineId, rank: k + 1, workId: c.workId, iswc: c.iswc, workTitle: c.title,
                                           confidence: c.confidence, decision: r.decision, reason: k == 0 ? r.reason : c.reason)
                        }))
                    }
                }
            }
            if stdin {
                // Streamed: results of each chunk are written (and flushed) before the next is read.
                let reader = try UsageCSVReader(path: "-", renames: renames)
                // The whole-file reader's warnings, counted over the stream and printed at its end.
                var checks = UsageStreamChecks(reader: reader, path: "-")
                var chunk: [UsageLine] = []
                while let line = try reader.next() {
                    checks.check(line)
                    chunk.append(line)
                    if chunk.count >= Self.streamChunk {
                        try process(chunk)
                        writer.flush()
                        chunk.removeAll(keepingCapacity: true)
                    }
                }
                if !chunk.isEmpty { try process(chunk) }
                if !quiet { for w in checks.finish(reader: reader) { printError("\(w)") } }
            } else if direct, partitions == 1 {
                // One CSV/TSV file: lines an ISRC decides skip the UsageLine/GroupResult machinery (same output).
                var readOptions = UsageReadOptions()
                readOptions.renames = renames
                readOptions.threads = threads
                readOptions.lenientCounts = lenient
                var direct = DirectMatch(pipeline: pipeline, keepReviewLinks: reviewQueue != nil, threads: threads)
                direct.sampleAuto = sampleAuto
                let outcome = try direct.run(path: reports[0], options: readOptions, writer: writer, warn: { warnings in
                    if !quiet { for w in warnings { printError("\(w)") } }
                }, progress: progress)
                summary = outcome.summary
                reviewRows = outcome.reviewRows
                reviewLines = outcome.reviewLines
            } else {
                var readOptions = UsageReadOptions()
                readOptions.renames = renames
                readOptions.threads = threads
                readOptions.lenientCounts = lenient
                if partitions > 1 {
                    let grouper = RecordingGrouper(threads: threads), parts = partitions
                    let deferred = try UsageReports.readDeferred(paths: reports, options: readOptions) { grouper.partitions(of: $0, count: parts) }
                    if !quiet { for w in deferred.warnings { printError("\(w)") } }
                    try matchInPartitions(deferred, count: partitions, pipeline: pipeline, writer: writer, index: loaded.index, progress: progress,
                                          summary: &summary, reviewRows: &reviewRows, reviewLines: &reviewLines)
                    Self.keepUntilExit(deferred)
                } else {
                    var result = try UsageReports.read(paths: reports, options: readOptions)
                    if !quiet { for w in result.warnings { printError("\(w)") } }
                    var lines: [UsageLine] = []
                    swap(&lines, &result.lines)
                    try process(consume lines)
                    Self.keepUntilExit(result)
                }
            }
            progress.finish()
            try writer.commit()

            if let reviewQueue, let db {
                let store = try CatalogueStore(path: db)
                let reviewStore = try ReviewStore(catalogue: store)
                let builder = ReviewQueueBuilder(catalogue: store, model: scoring)
                let items = ReviewQueueWriter.ordered(try builder.items(results: reviewRows, lines: reviewLines, includeNone: false,
                                                                                  sampleAuto: sampleAuto))
                let queueId = "Q" + String(SHA256.hex(reports.joined(separator: "|") + Date().description).prefix(12))
                try reviewStore.registerQueue(items, queueId: queueId, modelVersion: scoring.training.fingerprint)
                try ReviewQueueWriter.write(items, queueId: queueId, to: reviewQueue, format: .csv, bom: false)
                if !quiet { printError("review queue \(queueId): \(items.count) line(s) written to \(reviewQueue)") }
            }
            if jsonSummary {
                printError(Self.summaryJSON(summary, indexBuilt: loaded.built, indexSeconds: loaded.seconds))
            } else if !quiet {
                printError(Self.summaryText(summary, indexNote: loaded.built ? "index built in \(String(format: "%.2f", loaded.seconds)) s" : nil))
            }
        }
    }

    /// Leaves `value` (a million lines, results) to the end of the process: the system takes the memory
    /// back at exit at once, where releasing millions of small allocations one by one costs about as much
    /// as reading them did. Only for values that live until the command ends anyway (not per stream chunk).
    /// Whether a line's result goes to the review queue: routed to review, or an auto-match drawn for the quality
    /// check (`ReviewQueueBuilder.inAutoSample`).
    static func queued(_ r: GroupResult, lineId: String, sampleAuto: Double) -> Bool {
        r.decision == .review || (r.decision == .auto && ReviewQueueBuilder.inAutoSample(lineId: lineId, reason: r.reason, fraction: sampleAuto))
    }

    static func keepUntilExit<T>(_ value: T) {
        _ = Unmanaged.passRetained(KeptUntilExit(value))
    }

    final class KeptUntilExit<T> {
        let value: T
        init(_ value: T) { self.value = value }
    }

    /// `--partitions`: the lines are split by `RecordingGrouper.partitions` (no recording group is parted, so every
    /// line gets the result of a whole-report match), each part is matched whole and its rows written to a
    /// temporary file, and the parts' rows are merged back into line order. A part's matching state (profiles,
    /// groups, results) is freed before the next part, so the peak is the lines plus one part's state. The
    /// temporary files go beside `--out` (its file system holds the results anyway), else to `TMPDIR`.
    func matchInPartitions(_ report: DeferredUsageLines, count: Int, pipeline: MatchPipeline, writer: AtomicFileWriter, index: MatchIndex,
                           progress: MatchProgress, summary: inout MatchSummary,
                           reviewRows: inout [(lineId: String, rows: [MatchResultRow])], reviewLines: inout [String: UsageLine]) throws {
        // The parts were drawn as the report was read (`UsageReports.readDeferred`); a part's lines are built (DSR) or
        // read again (CSV/TSV) when it is matched.
        let partOf = report.partOfLines()
        var lineCounts = [Int](repeating: 0, count: count)
        for p in partOf { lineCounts[Int(p)] += 1 }
        let base: String
        if let out, out != "-", !AtomicFileWriter.isSpecialFile(out) {
            let dir = (out as NSString).deletingLastPathComponent
            base = (dir.isEmpty ? "." : dir) + "/.\((out as NSString).lastPathComponent).parts-\(getpid())"
        } else {
            base = (NSTemporaryDirectory() as NSString).appendingPathComponent("oeuvre-match-parts-\(getpid())")
        }
        do {
            try FileManager.default.createDirectory(atPath: base, withIntermediateDirectories: true)
        } catch {
            throw OeuvreError(.io, "cannot create the directory for the partitions' results \(base): \(error)")
        }
        defer { try? FileManager.default.removeItem(atPath: base) }
        var rowsPerLine = [[UInt32]](repeating: [], count: count)
        var review: [(index: Int, lineId: String, rows: [MatchResultRow], line: UsageLine)] = []
        // Per result: direct or not, its first line, plays and decision, to add the plays up in the whole report's
        // order (direct results by first line, then the recordings by first line), so the sums are the same
        // floating-point numbers.
        var sums: [(direct: Bool, first: Int, plays: Double, decision: Decision)] = []
        var groupsBefore = 0
        for p in 0..<count where lineCounts[p] > 0 {
            let (subset, member) = try report.lines(inPart: UInt8(p))
            precondition(subset.count == lineCounts[p], "part \(p): \(subset.count) lines built for \(lineCounts[p])")
            let partWriter = try AtomicFileWriter(path: base + "/part-\(p)")
            let lineIds = subset.map(\.lineId)
            let kept = keepsWholeLines ? subset : []
            let (results, resultOfLine, part) = try pipeline.run(lines: consume subset) { done, total in
                progress.update(groupsBefore + done, groupsBefore + total)
            }
            try write(lineIds: lineIds, lines: kept, results: results, resultOfLine: resultOfLine, to: partWriter, index: index)
            try partWriter.commit()
            groupsBefore += part.groups - part.directResults
            summary.add(part)
            var firstLine = [Int](repeating: -1, count: results.count)
            for k in resultOfLine.indices.reversed() { firstLine[Int(resultOfLine[k])] = member[k] }
            for (r, result) in results.enumerated() {
                sums.append((r < part.directResults, firstLine[r], result.group.plays, result.decision))
            }
            rowsPerLine[p] = resultOfLine.map { format == "tsv" ? UInt32(max(1, results[Int($0)].candidates.count)) : 1 }
            if reviewQueue != nil {
                for (k, line) in kept.enumerated() {
                    let r = results[Int(resultOfLine[k])]
                    guard Self.queued(r, lineId: line.lineId, sampleAuto: sampleAuto) else { continue }
                    review.append((member[k], line.lineId, r.candidates.enumerated().map { j, c in
                        MatchResultRow(lineId: line.lineId, rank: j + 1, workId: c.workId, iswc: c.iswc, workTitle: c.title,
                                       confidence: c.confidence, decision: r.decision, reason: j == 0 ? r.reason : c.reason)
                    }, line))
                }
            }
        }
        review.sort { $0.index < $1.index }
        reviewRows = review.map { ($0.lineId, $0.rows) }
        for e in review { reviewLines[e.lineId] = e.line }  // in line order: a repeated line id keeps its last line
        sums.sort { $0.direct != $1.direct ? $0.direct : $0.first < $1.first }
        summary.plays = 0
        summary.playsByDecision = [:]
        for s in sums {
            summary.plays += s.plays
            summary.playsByDecision[s.decision, default: 0] += s.plays
        }
        // Merge: line i's rows are the next rowsPerLine rows of its part's file.
        var readers: [RowFileReader?] = []
        for p in 0..<count { readers.append(lineCounts[p] == 0 ? nil : try RowFileReader(path: base + "/part-\(p)")) }
        var cursor = [Int](repeating: 0, count: count)
        for i in 0..<report.count {
            let p = Int(partOf[i])
            try readers[p]!.copyRows(Int(rowsPerLine[p][cursor[p]]), to: writer)
            cursor[p] += 1
        }
        for p in 0..<count where lineCounts[p] > 0 { try readers[p]!.expectEnd() }
    }

    /// The number of parts `--partitions` asks for. With `auto`: the memory a whole-report match would hold, from the
    /// reports' estimated line count (`UsageReports.estimatedLineCount`) and, when the report takes the direct ISRC
    /// path, the share of a sample of its lines that a single ISRC link decides (`linkedShare`), against a third of
    /// the machine's memory (`automaticPartitions`); with a note when that is more than one part. `--lines-per-part`
    /// (hidden, for tests) replaces the memory rule by a line count.
    func partitionCount(index: MatchIndex, direct: Bool, note: (String) -> Void) throws -> Int {
        if let n = Int(partitions) { return n }
        let lines = try UsageReports.estimatedLineCount(paths: reports)
        let parts: Int
        var basis = "", size = ""  // what the count rests on, and the parts' size when it is given
        if let linesPerPart {
            parts = lines > linesPerPart ? min(256, (lines + linesPerPart - 1) / linesPerPart) : 1
            size = " of up to \(linesPerPart) lines"
        } else {
            let share = direct ? try Self.linkedShare(path: reports[0], renames: try HeaderMapping.parseRenames(map), index: index) : 0
            parts = Self.automaticPartitions(estimatedLines: lines, linkedShare: share, memory: memory ?? Self.availableMemory())
            if share > 0 { basis = " (\(Int((share * 100).rounded()))% of a sample decided by ISRC links)" }
        }
        if parts > 1 {
            note("about \(lines) lines in the report\(basis): matched in \(parts) parts\(size) to bound memory (--partitions 1 matches it whole)")
        }
        return parts
    }

    /// Whether the writers need whole lines after matching (JSON lines, the review queue). TSV rows need the lines' ids
    /// only: then the pipeline gets the only reference to the lines and releases them once they are grouped.
    var keepsWholeLines: Bool { format != "tsv" || reviewQueue != nil }

    /// Bytes a whole-report match holds per line besides the index: a line that goes through retrieval and scoring
    /// ≈ 1.7 KB when recordings repeat as in the bench (1M lines, 30% linked: 1.30 GB of anonymous memory at the
    /// peak), ≈ 2 KB when every line is a recording of its own (session 12, docs/MATCHING.md "Memory and very large
    /// reports"); a line a single ISRC link decides on the direct path ≈ 330 bytes (1.2M such lines: 394 MB peak).
    static let bytesPerMatchedLine = 2560.0, bytesPerLinkedLine = 512.0

    /// `--partitions auto`: one part when the lines' memory fits in a third of `memory` (the other two thirds are left
    /// to the index's pages, the page cache and the rest of the machine), else as many parts as it needs (at most 256).
    /// 24 GiB hold ≈ 3.4M matched lines, or ≈ 16M linked ones.
    static func automaticPartitions(estimatedLines: Int, linkedShare: Double, memory: UInt64) -> Int {
        let share = min(1, max(0, linkedShare))
        let need = Double(estimatedLines) * (share * bytesPerLinkedLine + (1 - share) * bytesPerMatchedLine)
        let budget = Double(memory) / 3
        guard need > budget, budget > 0 else { return 1 }
        return min(256, Int((need / budget).rounded(.up)))
    }

    /// The share of the first `sampleLines` lines of a usage CSV/TSV file whose ISRC the index links to exactly one
    /// work (the lines the direct path decides without building them).
    static func linkedShare(path: String, renames: [String: String], index: MatchIndex, sampleLines: Int = 20_000) throws -> Double {
        guard index.linkCount > 0 else { return 0 }
        let reader = try UsageCSVReader(path: path, renames: renames)
        let lookup = ISRCLinkLookup(index: index)
        var seen = 0, linked = 0
        while seen < sampleLines, let line = try reader.next() {
            seen += 1
            if let isrc = line.isrc, let key = ISRCKey.pack(isrc), lookup.singleLink(key) != nil { linked += 1 }
        }
        return seen == 0 ? 0 : Double(linked) / Double(seen)
    }

    /// Physical memory, or the cgroup's memory limit when one is set and lower (a container).
    static func availableMemory() -> UInt64 {
        var memory = ProcessInfo.processInfo.physicalMemory
        if let text = try? String(contentsOfFile: "/sys/fs/cgroup/memory.max", encoding: .utf8),
           let limit = UInt64(text.trimmingCharacters(in: .whitespacesAndNewlines)), limit > 0 {
            memory = min(memory, limit)
        }
        return memory
    }

    /// Lines per streamed chunk with --stdin.
    static let streamChunk = 20_000

    /// The model file: `--model`, else `models/default.json` in the working directory, else the one of
    /// the package the executable was built in (`<repo>/.build/<config>/oeuvre` → `<repo>/models`).
    static func modelPath(_ given: String?) throws(OeuvreError) -> String {
        if let given { return given }
        let exe = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        let candidates = ["models/default.json", exe.appendingPathComponent("../share/oeuvre/models/default.json").path,
                          exe.appendingPathComponent("../../models/default.json").path,
                          exe.appendingPathComponent("../../../models/default.json").path]
        for c in candidates where FileManager.default.fileExists(atPath: c) { return c }
        throw OeuvreError(.usage, "no scoring model: give --model FILE (models/default.json was not found)")
    }

    /// The results rows of the distinct result `results[g]` (`ResultsTSV.Row`s without their line id), read in place (a
    /// GroupResult copy touches its group's ~50 reference-counted fields). What `appendRowTails` writes, as values.
    static func rows(of results: [GroupResult], at g: Int) -> [ResultsTSV.Row] {
        rows(candidates: results[g].candidates, decision: results[g].decision, reason: results[g].reason)
    }

    static func rows(candidates: [ScoredCandidate], decision: Decision, reason: String) -> [ResultsTSV.Row] {
        if candidates.isEmpty {
            return [ResultsTSV.Row(lineId: "", rank: 0, workId: "", iswc: "", workTitle: "", confidence: nil, decision: .none, reason: reason)]
        }
        return candidates.indices.map { k in
            ResultsTSV.Row(lineId: "", rank: k + 1, workId: candidates[k].workId, iswc: candidates[k].iswc ?? "", workTitle: candidates[k].title,
                           confidence: candidates[k].confidence, decision: decision, reason: k == 0 ? reason : candidates[k].reason)
        }
    }

    /// Every result's rows formatted once (`ResultsTSVBuffer.tail`, the row without its line id): result g's rows
    /// are `bytes[rowEnds[r]..<rowEnds[r + 1]]` for r in `firstRow[g]..<firstRow[g + 1]`. Formatted in chunks of
    /// results on `threads` threads and joined in order (this was a serial step after matching: ≈ 1 s per 200k lines).
    static func rowTails(of results: [GroupResult], threads: Int) -> (bytes: [UInt8], rowEnds: [Int], firstRow: [Int]) {
        let workers = max(1, min(threads, results.count / 1024))
        let parts = workers > 1 ? workers * 8 : 1
        let ranges = (0..<parts).map { (results.count * $0 / parts)..<(results.count * ($0 + 1) / parts) }
        var pieces = [(bytes: [UInt8], rowEnds: [Int], rowsPerResult: [Int32])](repeating: ([], [], []), count: parts)
        pieces.withUnsafeMutableBufferPointer { pieces in
            // Chunk k on worker k % workers: each slot is written by one thread only.
            parallelWorkers(workers) { w in
                for k in stride(from: w, to: parts, by: workers) {
                    var bytes: [UInt8] = []
                    var ends: [Int] = []
                    var counts: [Int32] = []
                    counts.reserveCapacity(ranges[k].count)
                    for g in ranges[k] {
                        let before = ends.count
                        appendRowTails(of: results, at: g, to: &bytes, ends: &ends)
                        counts.append(Int32(ends.count - before))
                    }
                    pieces[k] = (bytes, ends, counts)
                }
            }
        }
        if parts == 1 {
            var firstRow = [Int](repeating: 0, count: results.count + 1)
            for (g, n) in pieces[0].rowsPerResult.enumerated() { firstRow[g + 1] = firstRow[g] + Int(n) }
            return (pieces[0].bytes, [0] + pieces[0].rowEnds, firstRow)
        }
        // Joined on the same threads into arrays sized up front: appended on one thread, the join was ≈ 1 s of the 1M-line
        // bench's serial tail (the copies and the kernel zeroing the fresh pages they land on).
        var byteStart = [Int](repeating: 0, count: parts + 1)
        var rowStart = [Int](repeating: 0, count: parts + 1)
        var resultStart = [Int](repeating: 0, count: parts + 1)
        for k in 0..<parts {
            byteStart[k + 1] = byteStart[k] + pieces[k].bytes.count
            rowStart[k + 1] = rowStart[k] + pieces[k].rowEnds.count
            resultStart[k + 1] = resultStart[k] + pieces[k].rowsPerResult.count
        }
        var bytes = [UInt8](unsafeUninitializedCapacity: byteStart[parts]) { _, n in n = byteStart[parts] }
        var rowEnds = [Int](unsafeUninitializedCapacity: rowStart[parts] + 1) { b, n in b[0] = 0; n = rowStart[parts] + 1 }
        var firstRow = [Int](unsafeUninitializedCapacity: resultStart[parts] + 1) { b, n in b[0] = 0; n = resultStart[parts] + 1 }
        bytes.withUnsafeMutableBufferPointer { bytes in
            rowEnds.withUnsafeMutableBufferPointer { rowEnds in
                firstRow.withUnsafeMutableBufferPointer { firstRow in
                    pieces.withUnsafeMutableBufferPointer { pieces in
                        parallelWorkers(workers) { w in
                            for k in stride(from: w, to: parts, by: workers) {
                                var piece: (bytes: [UInt8], rowEnds: [Int], rowsPerResult: [Int32]) = ([], [], [])
                                swap(&piece, &pieces[k])
                                piece.bytes.withUnsafeBytes { src in
                                    if let s = src.baseAddress { memcpy(bytes.baseAddress! + byteStart[k], s, src.count) }
                                }
                                let base = byteStart[k]
                                for (i, end) in piece.rowEnds.enumerated() { rowEnds[rowStart[k] + i + 1] = base + end }
                                var row = rowStart[k]
                                for (i, n) in piece.rowsPerResult.enumerated() {
                                    row += Int(n)
                                    firstRow[resultStart[k] + i + 1] = row
                                }
                            }
                        }
                    }
                }
            }
        }
        return (bytes, rowEnds, firstRow)
    }

    /// The tails (`ResultsTSVBuffer.tail`) of `rows(of: results, at: g)`, appended to `bytes` with each row's end in
    /// `ends`: written from the candidates' strings in place. Making the Rows and a String line per row was ≈ 5 s of CPU
    /// at 1M lines, after the matching, with nothing else to overlap it.
    static func appendRowTails(of results: [GroupResult], at g: Int, to bytes: inout [UInt8], ends: inout [Int]) {
        let decision = results[g].decision
        if results[g].candidates.isEmpty {
            ResultsTSVBuffer.appendTail(to: &bytes, rank: 0, workId: "", iswc: nil, workTitle: "", confidence: nil, decision: .none,
                                        reason: results[g].reason)
            ends.append(bytes.count)
            return
        }
        for k in results[g].candidates.indices {
            ResultsTSVBuffer.appendTail(to: &bytes, rank: k + 1, workId: results[g].candidates[k].workId, iswc: results[g].candidates[k].iswc,
                                        workTitle: results[g].candidates[k].title, confidence: results[g].candidates[k].confidence,
                                        decision: decision, reason: k == 0 ? results[g].reason : results[g].candidates[k].reason)
            ends.append(bytes.count)
        }
    }

    /// TSV results in line order: each distinct result's rows are formatted once (`rowTails`) and
    /// copied after the line id of every line it decides; output goes out in 1 MiB blocks.
    static func writeTSV(lineIds: [String], results: [GroupResult], resultOfLine: [Int32], to writer: AtomicFileWriter, threads: Int) {
        let (tailBytes, rowEnds, firstRow) = rowTails(of: results, threads: threads)
        var out = ResultsTSVBuffer(capacity: (1 << 20) + 4096)
        tailBytes.withUnsafeBytes { tails in
            rowEnds.withUnsafeBufferPointer { ends in
                firstRow.withUnsafeBufferPointer { first in
                    resultOfLine.withUnsafeBufferPointer { resultOf in
                        for i in lineIds.indices {
                            let g = Int(resultOf[i])
                            for r in first[g]..<first[g + 1] {
                                out.appendLineId(lineIds[i])
                                out.append(UnsafeRawBufferPointer(rebasing: tails[ends[r]..<ends[r + 1]]))
                            }
                            if out.count >= 1 << 20 {
                                out.bytes.withUnsafeBytes { writer.write(bytes: $0) }
                                out.removeAll()
                            }
                        }
                    }
                }
            }
        }
        out.bytes.withUnsafeBytes { writer.write(bytes: $0) }
    }

    /// Rows of every line, in order: `lineIds` for TSV; JSON lines read the whole `lines`.
    func write(lineIds: [String], lines: [UsageLine], results: [GroupResult], resultOfLine: [Int32], to writer: AtomicFileWriter,
               index: MatchIndex) throws {
        if format == "tsv" {
            Self.writeTSV(lineIds: lineIds, results: results, resultOfLine: resultOfLine, to: writer, threads: threads)
            return
        }
        let names = FeatureSchema.current.names
        for (i, line) in lines.enumerated() {
            let r = results[Int(resultOfLine[i])]
            do {
                let obj: [String: Any] = [
                    "line_id": line.lineId, "title": line.title, "artist": line.artist ?? NSNull(), "isrc": line.isrc ?? NSNull(),
                    "plays": line.plays, "decision": r.decision.rawValue, "reason": r.reason,
                    "candidates": r.candidates.enumerated().map { k, c in
                        var o: [String: Any] = ["rank": k + 1, "work_id": c.workId, "iswc": c.iswc ?? NSNull(), "work_title": c.title,
                                                "confidence": (c.confidence * 10000).rounded() / 10000, "reason": c.reason]
                        if let rc = c.retrieval {
                            o["retrieval"] = ["score": Double(rc.score), "dense": Double(rc.dense), "sparse": Double(rc.sparse),
                                              "artist": Double(rc.artist), "matched_title": index.titleText(Int(rc.title))] as [String: Any]
                        }
                        if let contributions = c.contributions {
                            var f: [String: Double] = [:]
                            for (j, v) in contributions.enumerated() where j < names.count && v != 0 { f[names[j]] = (Double(v) * 1e4).rounded() / 1e4 }
                            o["contributions"] = f
                        }
                        return o
                    },
                ]
                let data = try JSONSerialization.data(withJSONObject: obj, options: [.sortedKeys, .withoutEscapingSlashes])
                writer.write(String(decoding: data, as: UTF8.self) + "\n")
            }
        }
    }

    static func summaryJSON(_ s: MatchSummary, indexBuilt: Bool, indexSeconds: Double) -> String {
        var obj: [String: Any] = [
            "lines": s.lines, "distinct_recordings": s.groups, "isrc_link_lines": s.isrcLinked, "isrc_direct_lines": s.isrcDirect,
            "reviewed_lines": s.reviewed,
            "plays": s.plays, "seconds": s.seconds, "lines_per_second": s.seconds > 0 ? Double(s.lines) / s.seconds : 0,
            "retrieval_cpu_seconds": s.retrievalSeconds, "scoring_seconds": s.scoringSeconds, "index_built": indexBuilt,
            "index_seconds": indexSeconds, "gemm_gflops": s.retrieval.gemmSeconds > 0 ? s.retrieval.gemmFlops / 1e9 / s.retrieval.gemmSeconds : 0,
            "blas_kernel": BLAS.coreName, "dense_kernel": (s.retrieval.denseKernel ?? .dot).rawValue,
        ]
        for d in Decision.allCases {
            obj["\(d.rawValue)_lines"] = s.linesByDecision[d] ?? 0
            obj["\(d.rawValue)_plays_share"] = s.plays > 0 ? (s.playsByDecision[d] ?? 0) / s.plays : 0
        }
        let data = (try? JSONSerialization.data(withJSONObject: obj, options: [.sortedKeys])) ?? Data()
        return String(decoding: data, as: UTF8.self)
    }

    static func summaryText(_ s: MatchSummary, indexNote: String?) -> String {
        var lines: [String] = []
        if let indexNote { lines.append(indexNote) }
        let rate = s.seconds > 0 ? Double(s.groups) / s.seconds : 0
        lines.append(String(format: "matched %d line(s), %d distinct recording(s) in %.2f s (%.0f recordings/s)", s.lines, s.groups, s.seconds, rate))
        for d in Decision.allCases {
            let n = s.linesByDecision[d] ?? 0
            let p = s.playsByDecision[d] ?? 0
            // The name is padded here: Foundation on Linux ignores a width on `%@`, which left the columns ragged.
            let name = d.rawValue.padding(toLength: 6, withPad: " ", startingAt: 0)
            lines.append(String(format: "  %@ %8d lines (%5.1f%%)  %12.0f plays (%5.1f%% of plays)", name, n,
                                s.lines > 0 ? 100 * Double(n) / Double(s.lines) : 0, p, s.plays > 0 ? 100 * p / s.plays : 0))
        }
        lines.append("  via ISRC link: \(s.isrcLinked) line(s), \(s.isrcDirect) of them decided directly")
        if s.reviewed > 0 { lines.append("  by earlier review decisions: \(s.reviewed) line(s)") }
        if s.retrieval.gemmSeconds > 0 {
            // GFLOP/s of the products the kernel computed (`.dot`: each recording's own pairs only).
            let kernel = s.retrieval.denseKernel ?? .dot
            let via = kernel == .dot ? "direct dot products" : "\(kernel == .gemv ? "sgemv" : "sgemm"), OpenBLAS \(BLAS.coreName)"
            lines.append(String(format: "  dense re-ranking: %.1f GFLOP/s (%.2f s in %@)",
                                s.retrieval.gemmFlops / 1e9 / s.retrieval.gemmSeconds, s.retrieval.gemmSeconds, via))
        }
        return lines.joined(separator: "\n")
    }
}

/// A progress line on a terminal: recordings matched, rate, ETA.
final class MatchProgress: @unchecked Sendable {
    let enabled: Bool
    private var last = ContinuousClock.now
    private let begun = ContinuousClock.now
    private var printed = false

    init(enabled: Bool) { self.enabled = enabled }

    func update(_ done: Int, _ total: Int) {
        guard enabled else { return }
        let now = ContinuousClock.now
        guard now - last > .milliseconds(250) || done == total else { return }
        last = now
        let d = now - begun
        let secs = Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
        let rate = Double(done) / max(secs, 1e-9)
        let eta = rate > 0 ? Double(total - done) / rate : 0
        FileHandle.standardError.write(Data(String(format: "\rmatching: %d/%d recordings, %.0f/s, ETA %.0f s   ", done, total, rate, eta).utf8))
        printed = true
    }

    func finish() {
        guard enabled, printed else { return }
        FileHandle.standardError.write(Data("\r\u{1B}[K".utf8))
    }
}


/// Reads newline-terminated rows of a partition's results file and copies them out (`MatchCommand.matchInPartitions`).
final class RowFileReader {
    let path: String
    private let handle: UnsafeMutablePointer<FILE>
    private var buffer = [UInt8](repeating: 0, count: 1 << 20)
    private var start = 0, end = 0

    init(path: String) throws(OeuvreError) {
        self.path = path
        guard let h = fopen(path, "r") else { throw OeuvreError(.io, "cannot read \(path): \(String(cString: strerror(errno)))") }
        handle = h
    }

    deinit { fclose(handle) }

    /// Refills the buffer after the bytes not yet copied; false at the end of the file.
    private func refill() -> Bool {
        if start > 0 {
            buffer.withUnsafeMutableBytes { b in
                if end > start { memmove(b.baseAddress!, b.baseAddress! + start, end - start) }
            }
            end -= start
            start = 0
        }
        if end == buffer.count { buffer.append(contentsOf: repeatElement(0, count: buffer.count)) }  // a row longer than the buffer
        let n = buffer.withUnsafeMutableBytes { b in fread(b.baseAddress! + end, 1, b.count - end, handle) }
        end += n
        return n > 0
    }

    /// Copies the next `rows` rows (each up to and including its newline) to `writer`.
    func copyRows(_ rows: Int, to writer: AtomicFileWriter) throws(OeuvreError) {
        var left = rows
        while left > 0 {
            var scan = start
            while left > 0 {
                let nl = buffer.withUnsafeBytes { b -> Int in
                    guard let p = memchr(b.baseAddress! + scan, 0x0A, end - scan) else { return -1 }
                    return UnsafeRawPointer(p) - b.baseAddress!
                }
                guard nl >= 0 else { break }
                scan = nl + 1
                left -= 1
            }
            buffer.withUnsafeBytes { b in writer.write(bytes: UnsafeRawBufferPointer(rebasing: b[start..<scan])) }
            start = scan
            if left > 0 && !refill() {
                throw OeuvreError(.io, "\(path): the partition's results end \(left) row(s) early")
            }
        }
    }

    /// Fails unless every row of the file was copied.
    func expectEnd() throws(OeuvreError) {
        if start < end || refill() { throw OeuvreError(.io, "\(path): the partition's results have rows no line took") }
    }
}
