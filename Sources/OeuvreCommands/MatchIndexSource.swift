import Catalogue
import Foundation
import Formats
import Matching
import OeuvreCore

/// Where the catalogue comes from and where its match index lives.
///
/// The index is a file beside the catalogue (`PATH.index`), rebuilt automatically when the catalogue's
/// change stamp differs from the one recorded in the file. A works CSV is stamped with its size and
/// modification time; when its directory is not writable the index is kept in memory.
struct MatchIndexSource {
    enum Catalogue {
        /// An Oeuvre catalogue database (`--db`): stamped with its change counter.
        case database(String)
        case worksCSV(String)
    }

    var catalogue: Catalogue
    /// Explicit index location (`--index`); default: beside the catalogue.
    var indexPath: String?
    var threads: Int
    var options = MatchIndexOptions()

    struct Loaded {
        var index: MatchIndex
        /// The file the index was mapped from or written to; nil when kept in memory.
        var path: String?
        /// Whether it was (re)built by this call.
        var built: Bool
        var buildStats: MatchIndexBuildStats
        var seconds: Double
        var note: String?
    }

    var defaultIndexPath: String {
        switch catalogue {
        case .database(let p), .worksCSV(let p): return p + ".index"
        }
    }

    /// The catalogue's current change stamp, with the digest of the tables that shape work profiles
    /// (`MatchIndex.readingsFingerprint`): either changing makes the index stale.
    func stamp() throws(OeuvreError) -> String {
        try catalogueStamp() + ";readings:" + MatchIndex.readingsFingerprint
    }

    private func catalogueStamp() throws(OeuvreError) -> String {
        switch catalogue {
        case .database(let path):
            let store = try Self.openStore(path)
            do {
                return "db:" + (try store.changeStamp())
            } catch {
                throw OeuvreError(.database, "cannot read the catalogue \(path): \(error)")
            }
        case .worksCSV(let path):
            var st = stat()
            guard stat(path, &st) == 0 else {
                throw OeuvreError(.io, "cannot read works file \(path): \(String(cString: strerror(errno)))")
            }
            return "works-csv:\(st.st_size):\(st.st_mtim.tv_sec).\(st.st_mtim.tv_nsec)"
        }
    }

    /// Maps the current index, building it first when it is missing, stale or `force` is set.
    func load(force: Bool = false, log: (String) -> Void = { _ in }) throws(OeuvreError) -> Loaded {
        let started = ContinuousClock.now
        let path = indexPath ?? defaultIndexPath
        let stamp = try stamp()
        if !force && MatchIndex.isCurrent(path: path, stamp: stamp) {
            let index = try MatchIndex.load(path: path)
            return Loaded(index: index, path: path, built: false, buildStats: MatchIndexBuildStats(), seconds: elapsed(since: started))
        }
        log(FileManager.default.fileExists(atPath: path) && !force ? "match index \(path) is out of date: rebuilding" : "building match index \(path)")
        // The file is written while the build fills the title vectors (`MatchIndexFile`), then finished.
        var file: MatchIndexFile?
        var fileError: OeuvreError?
        do { file = try MatchIndexFile(path: path) } catch { fileError = error }
        if let fileError, indexPath != nil { throw fileError }  // asked for that file: said before a build of a minute
        var readPhases: [(String, Double)] = []
        let (profiles, order, links) = try readCatalogue(phases: &readPhases)
        var stats = MatchIndexBuildStats()
        var opts = options
        opts.threads = threads
        let index = MatchIndexBuilder.build(profiles: profiles, order: order, links: links, stamp: stamp, options: opts, stats: &stats,
                                            imageReady: file.map { file in { image, ranges in file.start(image, ranges: ranges) } })
        // 1M profiles take ≈ 1 s to free (their arrays and strings, one by one): done while the index is written.
        releaseInBackground(consume profiles)
        stats.seconds.insert(contentsOf: readPhases, at: 0)
        var note: String?
        var writtenPath: String? = path
        let writing = ContinuousClock.now
        do throws(OeuvreError) {
            if let fileError { throw fileError }
            try file?.finish(index.image)
            stats.seconds.append(("write (what is left)", elapsed(since: writing)))
        } catch {
            if indexPath != nil { throw error }
            note = "index kept in memory (\(error.message))"
            writtenPath = nil
        }
        return Loaded(index: index, path: writtenPath, built: true, buildStats: stats, seconds: elapsed(since: started), note: note)
    }

    /// The catalogue's work profiles, the order of their ordinals in the index (`MatchIndexBuilder.orderForLocality`)
    /// and the ISRC links (to those ordinals); appends the seconds spent reading and profiling to `phases`.
    private func readCatalogue(phases: inout [(String, Double)]) throws(OeuvreError) -> ([WorkProfile], [Int32], [ISRCLinkInput]) {
        var t = ContinuousClock.now
        func lap(_ name: String) {
            phases.append((name, elapsed(since: t)))
            t = ContinuousClock.now
        }
        switch catalogue {
        case .database(let path):
            let store = try Self.openStore(path)
            // The works are read in chunks on this thread while the workers profile the chunks already read.
            let profiles: [WorkProfile]
            let links: [(isrc: String, workId: String, confidence: Double)]
            do {
                // The count first: the profiles are then built in place (`expected`).
                let count = try store.workCount()
                profiles = try MatchIndexBuilder.profiles(threads: threads, sketches: false, expected: count) { emit in
                    try store.forEachWorkChunk { emit($0) }
                }
                lap("read catalogue and work profiles")
                // (Read here rather than on the reading thread while the workers finish: the same wall time, as
                // the profiles keep both cores busy to the end; measured at 1M works.)
                links = try store.isrcLinkTriples()
            } catch let e as OeuvreError {
                throw e
            } catch {
                throw OeuvreError(.database, "cannot read the catalogue \(path): \(error)")
            }
            let order = MatchIndexBuilder.orderForLocality(profiles, threads: threads)
            lap("order the works by title")
            var ordinal: [String: Int] = [:]
            ordinal.reserveCapacity(profiles.count)
            for w in order.indices { ordinal[profiles[Int(order[w])].workId] = w }  // in place: no copy of each profile
            let inputs = links.compactMap { l in ordinal[l.workId].map { ISRCLinkInput(isrc: l.isrc, work: $0, confidence: Float(l.confidence)) } }
            lap("read ISRC links")
            return (profiles, order, inputs)
        case .worksCSV(let path):
            // As for a database: the file is read in chunks on this thread while the workers profile them.
            let reader = try WorksCSVReader(path: path)
            var seen = Set<String>()
            let profiles: [WorkProfile]
            do {
                profiles = try MatchIndexBuilder.profiles(threads: threads, sketches: false) { emit in
                    var chunk: [Work] = []
                    chunk.reserveCapacity(Self.csvChunk)
                    while let (w, position) = try reader.next() {
                        guard seen.insert(w.id).inserted else {
                            throw OeuvreError(.invalidInput, "work_id '\(w.id)' appears more than once in \(path)",
                                              at: position.at(column: nil, field: "work_id"))
                        }
                        chunk.append(w)
                        if chunk.count == Self.csvChunk {
                            emit(chunk)
                            chunk.removeAll(keepingCapacity: true)
                        }
                    }
                    if !chunk.isEmpty { emit(chunk) }
                }
            } catch let e as OeuvreError {
                throw e
            } catch {
                throw OeuvreError(.io, "cannot read works file \(path): \(error)")
            }
            lap("read catalogue and work profiles")
            let order = MatchIndexBuilder.orderForLocality(profiles, threads: threads)
            lap("order the works by title")
            return (profiles, order, [])
        }
    }

    /// Works per chunk when a works CSV is read while its profiles are built.
    static let csvChunk = 16_384

    /// Opens an existing catalogue (never creates one: a mistyped --db must not become an empty catalogue).
    static func openStore(_ path: String) throws(OeuvreError) -> CatalogueStore {
        guard FileManager.default.fileExists(atPath: path) else {
            throw OeuvreError(.usage, "no catalogue at \(path): import works first with `oeuvre catalog import FILE --db \(path)`")
        }
        do {
            return try CatalogueStore(path: path)
        } catch let e as OeuvreError {
            throw e
        } catch {
            throw OeuvreError(.database, "cannot open the catalogue \(path): \(error)")
        }
    }

    private func elapsed(since t: ContinuousClock.Instant) -> Double {
        let d = ContinuousClock.now - t
        return Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
    }
}
