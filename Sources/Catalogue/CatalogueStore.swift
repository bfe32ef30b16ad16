import Foundation
import GRDB
import OeuvreCore

/// An ISRC → work link: from a CWR REC record (`cwr`), a works-file import (`import`) or a person's
/// review decision (`review`).
public struct ISRCLink: Sendable, Hashable, Codable {
    public enum Source: String, Sendable, Hashable, Codable, CaseIterable {
        case cwr, `import`, review
    }
    public var isrc: String
    public var workId: String
    public var source: Source
    /// 0…1; 1 for links stated by a registration or confirmed by a person.
    public var confidence: Double
    /// ISO 8601 UTC time the link was first recorded, e.g. `2025-03-01T10:15:00Z`.
    public var firstSeen: String

    public init(isrc: String, workId: String, source: Source, confidence: Double, firstSeen: String) {
        self.isrc = isrc
        self.workId = workId
        self.source = source
        self.confidence = confidence
        self.firstSeen = firstSeen
    }
}

/// One row of the audit table.
public struct AuditEntry: Sendable, Hashable, Codable {
    public var id: Int64
    public var at: String
    public var actor: String
    public var importID: Int64?
    /// `import`, `update`, `link`, `unlink`, `add_title`, …
    public var action: String
    /// `work`, `isrc_link`, `import`, …
    public var entity: String
    public var entityID: String
    public var field: String?
    public var oldValue: String?
    public var newValue: String?
    /// Input position that caused the change (`file:line`), when there is one.
    public var origin: String?
}

/// One imported file.
public struct ImportBatch: Sendable, Hashable, Codable {
    public var id: Int64
    public var fileName: String
    public var sha256: String
    public var format: String
    public var sender: String?
    public var importedAt: String
    public var worksAdded: Int
    public var worksUpdated: Int
    public var worksUnchanged: Int
    public var transactions: Int
    public var records: Int
    public var skippedRecords: Int
    public var invalidIdentifiers: Int
    public var warnings: Int
    public var durationMs: Int
}

/// Counts describing a catalogue (`oeuvre catalog stats`). `pairs` gives the JSON keys in order.
public struct CatalogueStats: Sendable, Hashable {
    public var pairs: [(key: String, value: Int)]
    public var changeStamp: String

    public subscript(_ key: String) -> Int? { pairs.first(where: { $0.key == key })?.value }

    public static func == (a: CatalogueStats, b: CatalogueStats) -> Bool {
        a.changeStamp == b.changeStamp && a.pairs.map(\.key) == b.pairs.map(\.key) && a.pairs.map(\.value) == b.pairs.map(\.value)
    }
    public func hash(into hasher: inout Hasher) {
        hasher.combine(changeStamp)
        for p in pairs { hasher.combine(p.key); hasher.combine(p.value) }
    }
}

/// The works catalogue: an SQLite database (GRDB, WAL) holding works, titles, parties, performers,
/// recordings, ISRC links, import batches and an append-only audit of changes.
///
/// Open or create one with `CatalogueStore(path:)` (`":memory:"` for tests). A file that exists and
/// is not an Oeuvre catalogue (another SQLite database, or not a database) is refused with an
/// `OeuvreError` of code `.usage`, without being modified.
///
/// Every write goes through `write(_:)`, which bumps the change counter behind `changeStamp()`.
/// Reads through `dbQueue` directly are fine; writes through `dbQueue` directly must call
/// `CatalogueStore.bumpChangeCounter(_:)` themselves.
public final class CatalogueStore: Sendable {
    /// The database path as given (`:memory:` for an in-memory catalogue).
    public let path: String
    /// The GRDB connection. Prefer `read(_:)` / `write(_:)`.
    public let dbQueue: DatabaseQueue

    /// Opens the catalogue at `path`, creating the file (and its directory) when missing and
    /// migrating its schema to the current version.
    public init(path: String) throws {
        self.path = path
        var config = Configuration()
        config.busyMode = .timeout(10)
        config.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = NORMAL; PRAGMA cache_size = -65536; PRAGMA temp_store = MEMORY")
        }
        if path == ":memory:" {
            dbQueue = try DatabaseQueue(configuration: config)
        } else {
            try Self.checkExistingFile(path)
            let dir = (path as NSString).deletingLastPathComponent
            if !dir.isEmpty && !FileManager.default.fileExists(atPath: dir) {
                try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            }
            config.journalMode = .wal
            do {
                dbQueue = try DatabaseQueue(path: path, configuration: config)
            } catch {
                throw OeuvreError(.database, "cannot open catalogue \(path)", underlying: "\(error)")
            }
        }
        try dbQueue.writeWithoutTransaction { db in
            let appID = try Int32.fetchOne(db, sql: "PRAGMA application_id") ?? 0
            if appID != CatalogueInfo.applicationID {
                let objects = try Int.fetchOne(db, sql: "SELECT count(*) FROM sqlite_master") ?? 0
                guard appID == 0 && objects == 0 else {
                    throw OeuvreError(.usage, "\(path) is not an Oeuvre catalogue (a different SQLite database); refusing to use it")
                }
                try db.execute(sql: "PRAGMA application_id = \(CatalogueInfo.applicationID)")
            }
        }
        let migrator = CatalogueSchema.migrator
        let known = Set(migrator.migrations)
        let applied = try dbQueue.read { db in try migrator.appliedIdentifiers(db) }
        if applied.contains(where: { $0.hasPrefix("catalogue-") && !known.contains($0) }) {
            throw OeuvreError(.usage, "\(path) was written by a newer version of Oeuvre (unknown schema migrations)")
        }
        try migrator.migrate(dbQueue)
        try dbQueue.write { db in
            if try String.fetchOne(db, sql: "SELECT value FROM meta WHERE key = 'catalogue_id'") == nil {
                try db.execute(sql: "INSERT INTO meta (key, value) VALUES ('catalogue_id', ?), ('change_counter', '0'), ('created_at', ?)",
                               arguments: [UUID().uuidString.lowercased(), Self.timestamp()])
            }
        }
    }

    /// Refuses an existing file that is not an empty file or an Oeuvre catalogue, opening it read-only.
    private static func checkExistingFile(_ path: String) throws {
        guard let attrs = try? FileManager.default.attributesOfItem(atPath: path) else { return }
        if (attrs[.type] as? FileAttributeType) == .typeDirectory {
            throw OeuvreError(.usage, "\(path) is a directory, not an Oeuvre catalogue")
        }
        if ((attrs[.size] as? NSNumber)?.intValue ?? 0) == 0 { return }
        var config = Configuration()
        config.readonly = true
        do {
            let probe = try DatabaseQueue(path: path, configuration: config)
            let (appID, objects) = try probe.read { db in
                (try Int32.fetchOne(db, sql: "PRAGMA application_id") ?? 0, try Int.fetchOne(db, sql: "SELECT count(*) FROM sqlite_master") ?? 0)
            }
            try probe.close()
            if appID == CatalogueInfo.applicationID || (appID == 0 && objects == 0) { return }
            throw OeuvreError(.usage, "\(path) is not an Oeuvre catalogue (a different SQLite database); refusing to use it")
        } catch let e as OeuvreError {
            throw e
        } catch {
            throw OeuvreError(.usage, "\(path) is not an Oeuvre catalogue (not an SQLite database); refusing to use it",
                              underlying: "\(error)")
        }
    }

    // MARK: - Access hooks

    /// Runs `body` in a read transaction.
    public func read<T>(_ body: (Database) throws -> T) throws -> T {
        try dbQueue.read(body)
    }

    /// Runs `body` in a write transaction and bumps the change counter (see `changeStamp()`).
    /// An error thrown by `body` rolls everything back.
    public func write<T>(_ body: (Database) throws -> T) throws -> T {
        try dbQueue.write { db in
            let result = try body(db)
            try Self.bumpChangeCounter(db)
            return result
        }
    }

    /// Registers and runs further migrations (for modules that add their own tables, e.g. review).
    /// Use identifiers prefixed with the module name; they run once per database.
    public func migrate(_ register: (inout DatabaseMigrator) -> Void) throws {
        var m = DatabaseMigrator()
        register(&m)
        try m.migrate(dbQueue)
        try write { _ in }
    }

    /// Increments the change counter; call inside any write transaction that bypasses `write(_:)`.
    public static func bumpChangeCounter(_ db: Database) throws {
        try db.execute(sql: "UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'change_counter'")
    }

    /// A value that changes whenever the catalogue's content changes (catalogue id + change counter);
    /// the match index stores it to know when it must be rebuilt.
    public func changeStamp() throws -> String {
        try read { db in try Self.changeStamp(db) }
    }

    static func changeStamp(_ db: Database) throws -> String {
        let id = try String.fetchOne(db, sql: "SELECT value FROM meta WHERE key = 'catalogue_id'") ?? "?"
        let counter = try String.fetchOne(db, sql: "SELECT value FROM meta WHERE key = 'change_counter'") ?? "0"
        return "\(id):\(counter)"
    }

    // MARK: - Works

    public func workCount() throws -> Int {
        try read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM works") ?? 0 }
    }

    /// Every work with all its titles (original, alternates with CWR type, recording titles,
    /// learned titles), parties, performers and recordings, in insertion order.
    ///
    /// Streams each table once, ordered by work, so it costs a few seconds per million works.
    public func allWorks() throws -> [Work] {
        try read { db in try Self.loadWorks(db, filter: nil, arguments: []) }
    }

    /// The same works as `allWorks()`, in the same order, handed to `body` in chunks of `size` works as
    /// they are read (one read transaction: every chunk comes from the same state of the catalogue), so a
    /// caller can process one chunk while the next is read and never holds them all.
    public func forEachWorkChunk(size: Int = 16_384, _ body: ([Work]) throws -> Void) throws {
        try read { db in
            let pks = try Int64.fetchAll(db, sql: "SELECT pk FROM works ORDER BY pk")
            var i = 0
            while i < pks.count {
                let end = min(i + max(1, size), pks.count)
                try body(try Self.loadWorks(db, filter: nil, arguments: [], pks: pks[i]...pks[end - 1]))
                i = end
            }
        }
    }

    /// The works whose `work_id`s are among `ids` (other keys are not looked up: see `work(id:)`), by id, read in one
    /// pass over each table as the index reads them. One `work(id:)` runs a dozen statements, each parsed again: a
    /// review queue of 12k lines spent ≈ 1.4 ms a line in them.
    public func works(ids: some Collection<String>) throws -> [String: Work] {
        guard !ids.isEmpty else { return [:] }
        let list = String(decoding: try JSONSerialization.data(withJSONObject: Array(ids), options: [.withoutEscapingSlashes]), as: UTF8.self)
        return try read { db in
            let works = try Self.loadWorks(db, filter: "work_id IN (SELECT value FROM json_each(?))", arguments: [list])
            return Dictionary(works.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        }
    }

    /// The work whose id (or other key: submitter work #, society work code, XRF id) is `id`.
    public func work(id: String) throws -> Work? {
        try entry(id: id)?.work
    }

    /// The first work (by id) carrying `iswc`; nil for none. An ISWC on several works is a flagged
    /// duplicate; `works(iswc:)` returns all of them.
    public func work(iswc: String) throws -> Work? {
        try works(iswc: iswc).first
    }

    /// All works carrying `iswc` (any spelling: `T-034.524.680-1` or `T0345246801`).
    public func works(iswc: String) throws -> [Work] {
        let key = ISWC.parse(iswc)?.value ?? iswc.trimmingASCIIWhitespace()
        return try read { db in
            try Self.loadWorks(db, filter: "iswc = ?", arguments: [key]).sorted { $0.id < $1.id }
        }
    }

    /// The full stored entry for a work id or key.
    public func entry(id: String) throws -> CatalogueEntry? {
        try read { db in
            guard let pk = try Self.resolve(db, id: id) else { return nil }
            return try Self.loadEntry(db, pk: pk)
        }
    }

    /// Full entries of all works carrying `iswc`.
    public func entries(iswc: String) throws -> [CatalogueEntry] {
        let key = ISWC.parse(iswc)?.value ?? iswc.trimmingASCIIWhitespace()
        return try read { db in
            let pks = try Int64.fetchAll(db, sql: "SELECT pk FROM works WHERE iswc = ? ORDER BY work_id", arguments: [key])
            return try pks.compactMap { try Self.loadEntry(db, pk: $0) }
        }
    }

    /// Resolves a work id or key to the work's row id.
    static func resolve(_ db: Database, id: String) throws -> Int64? {
        if let pk = try Int64.fetchOne(db.cachedStatement(sql: "SELECT pk FROM works WHERE work_id = ?"), arguments: [id]) { return pk }
        let byKey = try db.cachedStatement(sql: "SELECT DISTINCT work_pk FROM work_keys WHERE value = ? LIMIT 2")
        let pks = try Int64.fetchAll(byKey, arguments: [id])
        return pks.count == 1 ? pks[0] : nil
    }

    // MARK: - Links, audit, imports

    /// Every ISRC → work link, in table order (by work id, then ISRC): one sequential scan.
    public func isrcLinks() throws -> [ISRCLink] {
        try read { db in try Self.fetchLinks(db, filter: nil, arguments: []) }
    }

    /// Every link's ISRC, work id and confidence, in (work id, ISRC) order: what the match index needs, read
    /// without the rest of an `ISRCLink` (index build at 1.1M links: 3.2–3.6 s → 2.2 s with the mapping to works).
    public func isrcLinkTriples() throws -> [(isrc: String, workId: String, confidence: Double)] {
        try read { db in
            var out: [(isrc: String, workId: String, confidence: Double)] = []
            out.reserveCapacity(try Int.fetchOne(db, sql: "SELECT count(*) FROM isrc_links") ?? 0)
            let statement = try db.makeStatement(sql: "SELECT isrc, work_id, confidence FROM isrc_links ORDER BY work_id, isrc")
            let cursor = try Row.fetchCursor(statement)
            while let row = try cursor.next() { out.append((row[0], row[1], row[2])) }
            return out
        }
    }

    /// Links of one work (by its work id).
    public func isrcLinks(workId: String) throws -> [ISRCLink] {
        try read { db in try Self.fetchLinks(db, filter: "work_id = ?", arguments: [workId]) }
    }

    static func fetchLinks(_ db: Database, filter: String?, arguments: StatementArguments) throws -> [ISRCLink] {
        let sql = "SELECT isrc, work_id, source, confidence, first_seen FROM isrc_links"
            + (filter.map { " WHERE \($0)" } ?? "") + " ORDER BY work_id, isrc"
        var out: [ISRCLink] = []
        if filter == nil { out.reserveCapacity(try Int.fetchOne(db, sql: "SELECT count(*) FROM isrc_links") ?? 0) }
        // Timestamps repeat (one per import): share one String per distinct value.
        var stamps: [String: String] = [:]
        let cursor = try Row.fetchCursor(db, sql: sql, arguments: arguments)
        while let row = try cursor.next() {
            let seen: String = row[4]
            let stamp = stamps[seen] ?? { stamps[seen] = seen; return seen }()
            out.append(ISRCLink(isrc: row[0], workId: row[1], source: ISRCLink.Source(rawValue: row[2]) ?? .import, confidence: row[3],
                                firstSeen: stamp))
        }
        return out
    }

    /// Records a link decided by a person (source `review`, or as given) and audits it. An existing
    /// link for the same (isrc, work) is upgraded to the new source and confidence.
    public func addISRCLink(isrc: String, workId: String, source: ISRCLink.Source = .review, confidence: Double = 1,
                            actor: String) throws {
        let canonical: String
        do { canonical = try ISRC(isrc).value } catch { throw OeuvreError(.invalidIdentifier, error.description) }
        try write { db in
            guard try Int64.fetchOne(db, sql: "SELECT pk FROM works WHERE work_id = ?", arguments: [workId]) != nil else {
                throw OeuvreError(.invalidInput, "no work with id '\(workId)'")
            }
            let now = Self.timestamp()
            try db.execute(sql: """
                INSERT INTO isrc_links (isrc, work_id, source, confidence, first_seen) VALUES (?, ?, ?, ?, ?)
                ON CONFLICT (work_id, isrc) DO UPDATE SET source = excluded.source, confidence = excluded.confidence
                """, arguments: [canonical, workId, source.rawValue, confidence, now])
            try Self.audit(db, at: now, actor: actor, importID: nil, action: "link", entity: "isrc_link", entityID: workId,
                           field: "isrc", old: nil, new: "\(canonical) (\(source.rawValue), \(confidence))", origin: nil)
        }
    }

    /// Adds a title learned from a review decision (kind `.learned`) unless the work already has it.
    public func addLearnedTitle(workId: String, title: String, actor: String) throws {
        let text = title.trimmingASCIIWhitespace()
        guard !text.isEmpty else { throw OeuvreError(.invalidInput, "empty title") }
        try write { db in
            guard let pk = try Int64.fetchOne(db, sql: "SELECT pk FROM works WHERE work_id = ?", arguments: [workId]) else {
                throw OeuvreError(.invalidInput, "no work with id '\(workId)'")
            }
            let exists = try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM titles WHERE work_pk = ? AND upper(text) = upper(?))",
                                           arguments: [pk, text]) ?? false
            if exists { return }
            let ord = (try Int.fetchOne(db, sql: "SELECT max(ord) FROM titles WHERE work_pk = ?", arguments: [pk]) ?? 0) + 1
            try db.execute(sql: "INSERT INTO titles (work_pk, ord, text, kind) VALUES (?, ?, ?, 'learned')", arguments: [pk, ord, text])
            try Self.audit(db, at: Self.timestamp(), actor: actor, importID: nil, action: "add_title", entity: "work", entityID: workId,
                           field: "titles", old: nil, new: text, origin: nil)
        }
    }

    /// Audit rows about one work id (oldest first).
    public func auditEntries(workId: String) throws -> [AuditEntry] {
        try read { db in
            try Row.fetchAll(db, sql: """
                SELECT id, at, actor, import_id, action, entity, entity_id, field, old_value, new_value, origin
                FROM audit WHERE entity_id = ? AND entity IN ('work', 'isrc_link') ORDER BY id
                """, arguments: [workId]).map(Self.auditEntry)
        }
    }

    /// All audit rows (oldest first).
    public func auditEntries() throws -> [AuditEntry] {
        try read { db in
            try Row.fetchAll(db, sql: "SELECT id, at, actor, import_id, action, entity, entity_id, field, old_value, new_value, origin FROM audit ORDER BY id")
                .map(Self.auditEntry)
        }
    }

    private static func auditEntry(_ r: Row) -> AuditEntry {
        AuditEntry(id: r[0], at: r[1], actor: r[2], importID: r[3], action: r[4], entity: r[5], entityID: r[6], field: r[7],
                   oldValue: r[8], newValue: r[9], origin: r[10])
    }

    static func audit(_ db: Database, at: String, actor: String, importID: Int64?, action: String, entity: String, entityID: String,
                      field: String?, old: String?, new: String?, origin: String?) throws {
        try db.cachedStatement(sql: """
            INSERT INTO audit (at, actor, import_id, action, entity, entity_id, field, old_value, new_value, origin)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """).execute(arguments: [at, actor, importID, action, entity, entityID, field, old, new, origin])
    }

    /// Imported files, oldest first.
    public func importBatches() throws -> [ImportBatch] {
        try read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM imports ORDER BY id").map { r in
                ImportBatch(id: r["id"], fileName: r["file_name"], sha256: r["sha256"], format: r["format"], sender: r["sender"],
                            importedAt: r["imported_at"], worksAdded: r["works_added"], worksUpdated: r["works_updated"],
                            worksUnchanged: r["works_unchanged"], transactions: r["transactions"], records: r["records"],
                            skippedRecords: r["skipped_records"], invalidIdentifiers: r["invalid_identifiers"], warnings: r["warnings"],
                            durationMs: r["duration_ms"])
            }
        }
    }

    // MARK: - Stats

    /// Counts for `oeuvre catalog stats`. Keys (JSON contract, in order): works, works_with_iswc,
    /// works_with_invalid_iswc, titles, alternate_titles, recording_titles, learned_titles, writers,
    /// writers_with_ipi, publishers, performers, recordings, recordings_with_isrc, isrc_links,
    /// conflicting_isrcs, imports, invalid_identifiers, duplicate_iswcs, works_with_duplicate_iswc,
    /// audit_entries.
    public func stats() throws -> CatalogueStats {
        try read { db in
            func count(_ sql: String) throws -> Int { try Int.fetchOne(db, sql: sql) ?? 0 }
            let invalid = try count("""
                SELECT (SELECT count(*) FROM works WHERE iswc IS NOT NULL AND iswc_valid = 0)
                     + (SELECT count(*) FROM parties WHERE ipi_name IS NOT NULL AND ipi_name_valid = 0)
                     + (SELECT count(*) FROM parties WHERE ipi_base IS NOT NULL AND ipi_base_valid = 0)
                     + (SELECT count(*) FROM performers WHERE ipi_name IS NOT NULL AND ipi_name_valid = 0)
                     + (SELECT count(*) FROM performers WHERE ipi_base IS NOT NULL AND ipi_base_valid = 0)
                     + (SELECT count(*) FROM recordings WHERE isrc IS NOT NULL AND isrc_valid = 0)
                     + (SELECT count(*) FROM original_works WHERE iswc IS NOT NULL AND iswc_valid = 0)
                """)
            let titleCounts = try Row.fetchAll(db, sql: "SELECT kind, count(*) FROM titles GROUP BY kind")
            var byKind: [String: Int] = [:]
            for r in titleCounts { byKind[r[0]] = r[1] }
            let partyCounts = try Row.fetchOne(db, sql: """
                SELECT count(*) FILTER (WHERE role = 'writer'),
                       count(*) FILTER (WHERE role = 'writer' AND ipi_name IS NOT NULL AND ipi_name_valid = 1),
                       count(*) FILTER (WHERE role = 'publisher')
                FROM parties
                """)
            let pairs: [(key: String, value: Int)] = [
                ("works", try count("SELECT count(*) FROM works")),
                ("works_with_iswc", try count("SELECT count(*) FROM works WHERE iswc IS NOT NULL AND iswc_valid = 1")),
                ("works_with_invalid_iswc", try count("SELECT count(*) FROM works WHERE iswc IS NOT NULL AND iswc_valid = 0")),
                ("titles", byKind.values.reduce(0, +)),
                ("alternate_titles", byKind["alternate"] ?? 0),
                ("recording_titles", byKind["recording"] ?? 0),
                ("learned_titles", byKind["learned"] ?? 0),
                ("writers", partyCounts?[0] ?? 0),
                ("writers_with_ipi", partyCounts?[1] ?? 0),
                ("publishers", partyCounts?[2] ?? 0),
                ("performers", try count("SELECT count(*) FROM performers")),
                ("recordings", try count("SELECT count(*) FROM recordings")),
                ("recordings_with_isrc", try count("SELECT count(*) FROM recordings WHERE isrc IS NOT NULL AND isrc_valid = 1")),
                ("isrc_links", try count("SELECT count(*) FROM isrc_links")),
                ("conflicting_isrcs", try count("SELECT count(*) FROM (SELECT isrc FROM isrc_links GROUP BY isrc HAVING count(*) > 1)")),
                ("imports", try count("SELECT count(*) FROM imports")),
                ("invalid_identifiers", invalid),
                ("duplicate_iswcs", try count("""
                    SELECT count(*) FROM (SELECT iswc FROM works WHERE iswc IS NOT NULL AND iswc_valid = 1 GROUP BY iswc HAVING count(*) > 1)
                    """)),
                ("works_with_duplicate_iswc", try count("""
                    SELECT coalesce(sum(n), 0) FROM (SELECT count(*) AS n FROM works WHERE iswc IS NOT NULL AND iswc_valid = 1
                    GROUP BY iswc HAVING count(*) > 1)
                    """)),
                ("audit_entries", try count("SELECT count(*) FROM audit")),
            ]
            return CatalogueStats(pairs: pairs, changeStamp: try Self.changeStamp(db))
        }
    }

    /// ISWCs carried by more than one work, with the work ids (at most `limit` ISWCs).
    public func duplicateISWCs(limit: Int = 1000) throws -> [(iswc: String, workIds: [String])] {
        try read { db in
            try Row.fetchAll(db, sql: """
                SELECT iswc, group_concat(work_id, char(31)) FROM works WHERE iswc IS NOT NULL AND iswc_valid = 1
                GROUP BY iswc HAVING count(*) > 1 ORDER BY iswc LIMIT ?
                """, arguments: [limit]).map { r in
                let ids: String = r[1]
                return (iswc: r[0], workIds: ids.split(separator: "\u{1F}").map(String.init).sorted())
            }
        }
    }

    // MARK: - Time

    /// Current UTC time as ISO 8601 (`2025-03-01T10:15:00Z`).
    public static func timestamp(_ date: Date = Date()) -> String {
        var t = time_t(date.timeIntervalSince1970)
        var tm = tm()
        gmtime_r(&t, &tm)
        func two(_ v: Int32) -> String { v < 10 ? "0\(v)" : "\(v)" }
        return "\(tm.tm_year + 1900)-\(two(tm.tm_mon + 1))-\(two(tm.tm_mday))T\(two(tm.tm_hour)):\(two(tm.tm_min)):\(two(tm.tm_sec))Z"
    }
}
