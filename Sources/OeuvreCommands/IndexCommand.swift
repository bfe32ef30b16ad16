import ArgumentParser
import Foundation
import Matching
import OeuvreCore

/// `oeuvre index build|info`: the match index beside the catalogue.
struct IndexCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "index",
        abstract: "Build or inspect the match index (rebuilt automatically by `oeuvre match` when the catalogue changed).",
        subcommands: [IndexBuildCommand.self, IndexInfoCommand.self]
    )
}

struct IndexBuildCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "build", abstract: "Build the match index now, even when it is current.")

    @Option(help: "Catalogue database.") var db: String?
    @Option(help: "Works CSV to use as the catalogue instead of a database.") var works: String?
    @Option(help: "Index file (default: beside the catalogue, PATH.index).") var index: String?
    @Option(help: "Threads.") var threads = 2
    @Option(help: "Hashed vector dimension.") var dim = MatchIndexOptions().dim
    @Option(help: "Longest posting kept per term.") var postingCap = MatchIndexOptions().postingCap
    @Flag(help: "Print one JSON object.") var json = false

    func validate() throws {
        if (db == nil) == (works == nil) { throw ValidationError("give exactly one of --db or --works") }
    }

    func run() async throws {
        try await runReporting {
            let catalogue: MatchIndexSource.Catalogue = db.map { .database($0) } ?? .worksCSV(works ?? "")
            if let db, !FileManager.default.fileExists(atPath: db) { throw OeuvreError(.usage, "no catalogue at \(db)") }
            var source = MatchIndexSource(catalogue: catalogue, indexPath: index, threads: threads)
            source.options.dim = dim
            source.options.postingCap = postingCap
            let loaded = try source.load(force: true)
            try IndexInfoCommand.report(loaded.index, path: loaded.path, seconds: loaded.seconds, stats: loaded.buildStats,
                                        note: loaded.note, json: json)
        }
    }
}

struct IndexInfoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "info", abstract: "Describe an index file (load time, counts, stamp).")

    @Argument(help: "Index file.") var path: String
    @Flag(help: "Print one JSON object.") var json = false

    func run() async throws {
        try await runReporting {
            let t = ContinuousClock.now
            let index = try MatchIndex.load(path: path)
            let d = ContinuousClock.now - t
            try Self.report(index, path: path, seconds: Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18,
                            stats: nil, note: nil, json: json, verb: "loaded")
        }
    }

    static func report(_ index: MatchIndex, path: String?, seconds: Double, stats: MatchIndexBuildStats?, note: String?, json: Bool,
                       verb: String = "built") throws {
        var obj: [String: Any] = [
            "path": path ?? NSNull(), "works": index.workCount, "titles": index.titleCount, "postings": index.postingCount,
            "isrc_links": index.linkCount, "dim": index.dim, "posting_cap": index.postingCap, "bytes": index.byteCount,
            "stamp": index.stamp, "format_version": Int(MatchIndex.formatVersion), "seconds": seconds,
        ]
        if let stats {
            obj["phases"] = Dictionary(stats.seconds, uniquingKeysWith: { a, _ in a })
            obj["distinct_title_terms"] = stats.distinctTitleTerms
            obj["capped_terms"] = stats.cappedTerms
            obj["distinct_artist_terms"] = stats.distinctArtistTerms
        }
        if json {
            let data = try JSONSerialization.data(withJSONObject: obj, options: [.sortedKeys])
            print(String(decoding: data, as: UTF8.self))
        } else {
            print(String(format: "%@ %@ in %.2f s: %d works, %d titles, %d postings, %d ISRC links, %.1f MB (dim %d, posting cap %d)",
                         verb, path ?? "(memory)", seconds, index.workCount, index.titleCount, index.postingCount, index.linkCount,
                         Double(index.byteCount) / 1e6, index.dim, index.postingCap))
            if let stats {
                print("phases: " + stats.seconds.map { String(format: "%@ %.2fs", $0.0, $0.1) }.joined(separator: ", "))
            }
        }
        if let note { printError("note: \(note)") }
    }
}
