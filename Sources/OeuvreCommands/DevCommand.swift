import ArgumentParser
import Foundation
import Formats
import Matching
import OeuvreCore

/// `oeuvre dev`: hidden developer tools (retrieval quality and speed on a truth set).
struct DevCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dev",
        abstract: "Developer tools: measure retrieval alone.",
        shouldDisplay: false,
        subcommands: [DevRetrievalCommand.self, DevQueryCommand.self]
    )
}

/// `oeuvre dev retrieval --works W --usage U --truth T`: recall@k of candidate retrieval alone
/// (no scorer), with index build and retrieval timings.
struct DevRetrievalCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "retrieval",
        abstract: "Recall@1/5/10/50 of retrieval alone on a works CSV, a usage file and a truth table.")

    @Option(help: "Works CSV (catalogue).") var works: String
    @Option(help: "Usage TSV/CSV.") var usage: String
    @Option(help: "Truth TSV (line_id, work_id).") var truth: String
    @Option(help: "Hashed vector dimension.") var dim = 128
    @Option(help: "Posting cap.") var cap = 4096
    @Option(help: "Sparse pool size (works).") var pool: Int?
    @Option(help: "Candidates kept per line.") var top = 50
    @Option(help: "Artist weight in the final retrieval score.") var artistWeight: Float?
    @Option(help: "Sparse weight in the final retrieval score.") var sparseWeight: Float?
    @Option(help: "Artist weight in pool selection.") var poolArtistWeight: Float?
    @Option(help: "Artist-only candidates.") var artistOnly: Int?
    @Option(help: "Postings read per title reading.") var budget: Int?
    @Option(help: "Minimum postings read per term.") var minPerTerm: Int?
    @Option(help: "Postings budget when the whole title exists verbatim.") var exactBudget: Int?
    @Option(help: "Postings read for all the artist names of a recording.") var artistBudget: Int?
    @Option(help: "Minimum postings read per artist term.") var artistMinPerTerm: Int?
    @Option(help: "Artist postings budget of the other terms once a name is found verbatim.") var exactArtistBudget: Int?
    @Option(help: "Dense re-rank kernel: dot, gemv or gemm.") var denseKernel: String?
    @Option(help: "Dense kernel .dot: works prefetched ahead.") var prefetch: Int?
    @Option(help: "Threads.") var threads = 2
    @Option(help: "Print this many misses (true work not in the top 50).") var misses = 0
    @Option(help: "Write the index to this file and time loading it back.") var indexFile: String?
    @Option(help: "Use only the first N usage lines.") var limitLines: Int?
    @Flag(help: "Reuse --index-file when it exists (skips reading works; its build options win).") var reuseIndex = false
    @Flag(help: "Print one JSON object.") var json = false

    func run() async throws {
        try await runReporting {
            let t0 = ContinuousClock.now
            var workCount = 0
            var tRead = 0.0, tProfiles = 0.0, tBuild = 0.0, tLoad = 0.0
            var buildStats = MatchIndexBuildStats()
            var index: MatchIndex
            if reuseIndex, let indexFile, FileManager.default.fileExists(atPath: indexFile) {
                index = try MatchIndex.load(path: indexFile)
                tLoad = seconds(t0)
                workCount = index.workCount
            } else {
                let workList = try WorksCSVReader.readAll(path: works)
                workCount = workList.count
                tRead = seconds(t0)
                let t1 = ContinuousClock.now
                let profiles = MatchIndexBuilder.profiles(of: workList, threads: threads)
                tProfiles = seconds(t1)
                let t2 = ContinuousClock.now
                // In title order, as `MatchIndexSource` builds the indexes `oeuvre match` reads.
                index = MatchIndexBuilder.build(profiles: profiles, order: MatchIndexBuilder.orderForLocality(profiles, threads: threads), stamp: "dev",
                                               options: MatchIndexOptions(dim: dim, postingCap: cap, threads: threads), stats: &buildStats)
                tBuild = seconds(t2)
                if let indexFile {
                    try index.write(to: indexFile)
                    let t = ContinuousClock.now
                    index = try MatchIndex.load(path: indexFile)
                    tLoad = seconds(t)
                }
            }
            var lines = try UsageCSVReader.readAll(path: usage)
            if let limitLines, lines.count > limitLines { lines.removeLast(lines.count - limitLines) }
            let truthMap = try TruthFile.read(path: truth)
            var options = RetrievalOptions()
            options.topN = top
            if let pool { options.pool = pool }
            if let artistWeight { options.artistWeight = artistWeight }
            if let sparseWeight { options.sparseWeight = sparseWeight }
            if let poolArtistWeight { options.poolArtistWeight = poolArtistWeight }
            if let artistOnly { options.artistOnly = artistOnly }
            if let budget { options.postingBudget = budget }
            if let minPerTerm { options.minPostingsPerTerm = minPerTerm }
            if let exactBudget { options.exactHitBudget = exactBudget }
            if let artistBudget { options.artistPostingBudget = artistBudget }
            if let artistMinPerTerm { options.minArtistPostingsPerTerm = artistMinPerTerm }
            if let exactArtistBudget { options.exactArtistBudget = exactArtistBudget }
            if let denseKernel {
                guard let k = DenseKernel(rawValue: denseKernel) else {
                    throw OeuvreError(.usage, "--dense-kernel must be one of \(DenseKernel.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                options.denseKernel = k
            }
            if let prefetch { options.prefetchDistance = prefetch }
            let t3 = ContinuousClock.now
            let result = ParallelRetrieval.run(lines: lines, index: index, options: options, threads: threads)
            let tRetrieve = seconds(t3)
            var workOrdinal: [String: Int] = [:]
            for i in 0..<index.workCount { workOrdinal[index.workId(i)] = i }
            let ks = [1, 5, 10, 20, 50]
            var hits = [Int](repeating: 0, count: ks.count)
            var judged = 0
            var missLines: [String] = []
            for (i, line) in lines.enumerated() {
                guard let w = truthMap[line.lineId], !w.isEmpty, let ord = workOrdinal[w] else { continue }
                judged += 1
                let cands = result.candidates[i]
                let rank = cands.firstIndex { Int($0.work) == ord }
                for (j, k) in ks.enumerated() where rank.map({ $0 < k }) ?? false { hits[j] += 1 }
                if rank == nil && missLines.count < misses {
                    let top1 = cands.first.map { index.profile(Int($0.work)).displayTitle } ?? "-"
                    let p = index.profile(ord)
                    missLines.append("\(line.title) | \(line.artist ?? "") => \(p.displayTitle) | \(p.performers.joined(separator: ";"))  [top: \(top1)]")
                }
            }
            let recall = Dictionary(uniqueKeysWithValues: zip(ks.map { "recall@\($0)" }, hits.map { judged > 0 ? Double($0) / Double(judged) : 0 }))
            let s = result.stats
            let object: [String: Any] = [
                "works": workCount, "titles": index.titleCount, "lines": lines.count, "judged": judged,
                "recall": recall,
                "seconds": ["read_works": tRead, "work_profiles": tProfiles, "index_build": tBuild, "index_load": tLoad,
                            "line_profiles": result.profileSeconds, "retrieve_total": tRetrieve,
                            "sparse_cpu": s.sparseSeconds, "dense_cpu": s.denseSeconds, "gemm_cpu": s.gemmSeconds],
                "build_phases": Dictionary(uniqueKeysWithValues: buildStats.seconds),
                "index_bytes": index.byteCount, "postings": index.postingCount, "capped_terms": buildStats.cappedTerms,
                "lines_per_second": Double(lines.count) / max(tRetrieve, 1e-9),
                "retrieval_cpu_us_per_line": (s.sparseSeconds + s.denseSeconds) * 1e6 / Double(max(lines.count, 1)),
                "profile_cpu_us_per_line": result.profileSeconds * 1e6 / Double(max(lines.count, 1)),
                "gemm": ["calls": s.gemmCalls, "gflop": s.gemmFlops / 1e9, "gflops": s.gemmFlops / 1e9 / max(s.gemmSeconds, 1e-9),
                         "kernel": options.denseKernel.rawValue],
                "postings_scanned_per_line": Double(s.postingsScanned) / Double(max(lines.count, 1)),
                "title_scans_reused": s.titleScansReused,
                "blas_kernel": BLAS.coreName,
            ]
            if json {
                let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
                print(String(decoding: data, as: UTF8.self))
            } else {
                print(ks.enumerated().map { String(format: "recall@%d %.4f", $0.element, Double(hits[$0.offset]) / Double(max(judged, 1))) }.joined(separator: "  "))
                print(String(format: "works %d titles %d lines %d judged %d | build %.2fs (profiles %.2fs) index %.1f MB load %.3fs | retrieve %.2fs wall = %.0f lines/s",
                             workCount, index.titleCount, lines.count, judged, tBuild, tProfiles, Double(index.byteCount) / 1e6, tLoad,
                             tRetrieve, Double(lines.count) / max(tRetrieve, 1e-9)))
                let per = 1e6 / Double(max(lines.count, 1))
                print(String(format: "CPU per line: profile %.1f µs, sparse %.1f µs, dense %.1f µs (kernel %@ %.1f µs, %.1f GFLOP/s, OpenBLAS %@); postings read %.0f; title scans reused %d",
                             result.profileSeconds * per, s.sparseSeconds * per, s.denseSeconds * per, options.denseKernel.rawValue, s.gemmSeconds * per,
                             s.gemmFlops / 1e9 / max(s.gemmSeconds, 1e-9), BLAS.coreName, Double(s.postingsScanned) / Double(max(lines.count, 1)), s.titleScansReused))
                for m in missLines { print("miss: \(m)") }
            }
        }
    }

    private func seconds(_ t: ContinuousClock.Instant) -> Double {
        let d = ContinuousClock.now - t
        return Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
    }
}

/// Reads a truth table (`line_id, work_id`; an empty work id means "not in the catalogue").
enum TruthFile {
    static func read(path: String) throws(OeuvreError) -> [String: String] {
        let reader = try DelimitedReader(path: path)
        let m = try HeaderMapping(header: reader.header, path: path, fields: ["line_id", "work_id"], required: ["line_id", "work_id"])
        var out: [String: String] = [:]
        while let r = try reader.next() {
            guard let id = m.value("line_id", in: r) else {
                throw OeuvreError(.invalidInput, "empty line_id", at: m.position("line_id", in: r))
            }
            if out[id] != nil {
                throw OeuvreError(.invalidInput, "line_id '\(id)' appears twice in the truth table", at: m.position("line_id", in: r))
            }
            out[id] = m.value("work_id", in: r) ?? ""
        }
        return out
    }
}

/// `oeuvre dev query --index FILE --title T [--artist A]`: the candidates retrieval gives one recording.
struct DevQueryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "query", abstract: "Show the retrieval candidates of one title/artist.")

    @Option(help: "Index file.") var index: String
    @Option(help: "Title as reported.") var title: String
    @Option(help: "Artist as reported.") var artist: String?
    @Option(help: "Candidates shown.") var top = 20
    @Option(help: "Explain this work id (rank, scores, its titles).") var work: String?

    func run() async throws {
        try await runReporting {
            let idx = try MatchIndex.load(path: index)
            let profile = ProfileBuilder().line(UsageLine(lineId: "q", title: title, artist: artist))
            let query = RetrievalQuery(profile)
            print("query titles \(query.titles) artists \(query.artists)")
            var options = RetrievalOptions()
            options.topN = max(top, 50)
            let r = Retriever(index: idx, options: options)
            let cands = r.retrieve(query)
            for (i, c) in cands.prefix(top).enumerated() {
                let p = idx.profile(Int(c.work))
                print(String(format: "%2d %@ score %.3f dense %.3f sparse %.3f artist %.3f  %@ | %@", i + 1, p.workId, c.score, c.dense, c.sparse, c.artist,
                             p.displayTitle, p.performers.joined(separator: "; ")))
            }
            if let work, let w = idx.ordinal(ofWorkId: work) {
                let p = idx.profile(w)
                let rank = cands.firstIndex { Int($0.work) == w }
                print("\(work): rank \(rank.map { String($0 + 1) } ?? "-") titles \(p.titles) variants \(p.titleVariants) performers \(p.performers)")
                print(idx.explain(work: w, query: query))
            }
            print("postings read \(r.stats.postingsScanned)")
        }
    }
}
