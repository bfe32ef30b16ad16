import Foundation
import Formats
import GRDB
import OeuvreCore

/// Options for `CatalogueStore.importFile(_:options:)`.
public struct ImportOptions: Sendable {
    /// `--map column=field` renames for works CSV/TSV files.
    public var renames: [String: String]
    /// Who is recorded in the audit table.
    public var actor: String
    /// How many warnings are kept in the result (all are counted).
    public var maxWarnings: Int
    /// CWR: accept missing records (record sequence gaps) and wrong GRT/TRL counts with a warning.
    public var lenient: Bool

    /// The renames as stored with an import batch: the same file read with other renames is a
    /// different import (`column=field` pairs, sorted, comma-separated; empty without renames).
    public var mappingKey: String {
        renames.map { "\($0.key)=\($0.value)" }.sorted().joined(separator: ",")
    }

    public init(renames: [String: String] = [:], actor: String = "import", maxWarnings: Int = 1000, lenient: Bool = false) {
        self.renames = renames
        self.lenient = lenient
        self.actor = actor
        self.maxWarnings = maxWarnings
    }
}

/// Something worth telling the user about an import that did not stop it.
public struct ImportWarning: Sendable, Hashable, CustomStringConvertible {
    public enum Kind: String, Sendable, Hashable, Codable {
        /// An ISWC/IPI with a wrong check digit (or an ISRC with bad syntax): kept and flagged.
        case invalidIdentifier = "invalid_identifier"
        /// The same valid ISWC on two or more works (never merged).
        case duplicateISWC = "duplicate_iswc"
        /// One ISRC linked to two or more works.
        case conflictingISRC = "conflicting_isrc"
        /// A CWR submitter work # already used as a work id by another sender: stored under `SENDER:NUMBER`.
        case idCollision = "id_collision"
        /// An NWR for a work already in the catalogue, applied as a revision.
        case registrationOfExistingWork = "nwr_for_existing_work"
        /// Transactions not imported as works (EXC conflicts, rejected ACKs without a work, AGR).
        case skipped
        /// A CWR structure problem tolerated by `ImportOptions.lenient` (missing record, wrong count).
        case structure
        /// Columns of a works CSV that are not fields of the works contract (not read).
        case ignoredColumns = "ignored_columns"
    }
    public var kind: Kind
    public var position: SourcePosition?
    public var message: String

    public init(kind: Kind, position: SourcePosition?, message: String) {
        self.kind = kind
        self.position = position
        self.message = message
    }

    /// Compiler-style `file:line:column: warning: message`.
    public var description: String {
        var text = position.map { "\($0): " } ?? ""
        text += "warning: "
        if let f = position?.field { text += "\(f): " }
        return text + message
    }
}

/// What an import did.
public struct ImportResult: Sendable {
    public var path: String
    public var sha256: String
    /// `cwr-2.1`, `cwr-2.2`, `csv` or `tsv`.
    public var format: String
    /// The import batch written (nil when `alreadyImported`).
    public var batchID: Int64?
    /// A file with the same SHA-256 was imported before: nothing was done.
    public var alreadyImported = false
    public var previousImport: ImportBatch?
    public var worksAdded = 0
    public var worksUpdated = 0
    public var worksUnchanged = 0
    /// CWR transactions or CSV rows read.
    public var transactions = 0
    /// CWR physical records or CSV rows read.
    public var records = 0
    /// CWR detail records not kept, by type.
    public var skippedRecords: [String: Int] = [:]
    /// Transactions not imported as works, by reason (`EXC`, `AGR`, `ACK-without-work`).
    public var skippedTransactions: [String: Int] = [:]
    public var invalidIdentifiers = 0
    /// All warnings, counted; only the first `ImportOptions.maxWarnings` are kept in `warnings`.
    public var warningCount = 0
    public var warnings: [ImportWarning] = []
    public var seconds = 0.0

    public init(path: String, sha256: String, format: String) {
        self.path = path
        self.sha256 = sha256
        self.format = format
    }
}

extension CatalogueStore {
    /// Imports a CWR 2.1/2.2 file (recognised by its HDR record) or a works CSV/TSV file (the works
    /// contract), gzip-compressed or not, in one transaction: any error rolls the whole file back and
    /// is thrown as an `OeuvreError` naming file, line, column and field.
    ///
    /// A file whose SHA-256 was already imported (with the same `--map` renames) is not read again
    /// (`alreadyImported`). A work that
    /// exists (same work id, or same CWR key) is updated — a CWR REV/NWR/ACK replaces its content, a CSV
    /// row replaces the fields whose columns the file has — and each changed field is written to the
    /// audit table. Titles learned from reviews and review links are kept across updates. Duplicate
    /// ISWCs and conflicting ISRC links are reported as warnings, never merged.
    public func importFile(_ path: String, options: ImportOptions = ImportOptions()) throws -> ImportResult {
        let started = Date()
        try requireRegularFile(path)  // read twice (the digest beside the import): a pipe would lose data
        _ = try FileByteSource(path: path)  // a clear error for a missing file
        // The file's SHA-256 is computed on a second thread while the import reads it (hashing was ≈ 8% of a CWR
        // import on one thread). The import checks for an earlier import of the same bytes as soon as the digest is
        // there (`ImportSession.checkDigest`, once per record), so a file imported before is given up after about
        // the time its hashing takes, as when the digest came first.
        let digest = BackgroundDigest(path: path)
        func alreadyImported(_ id: Int64, sha: String) throws -> ImportResult {
            var result = ImportResult(path: path, sha256: sha, format: "")
            result.alreadyImported = true
            result.previousImport = try importBatches().first(where: { $0.id == id })
            result.format = result.previousImport?.format ?? ""
            return result
        }
        let kind = try Self.detectFormat(path)
        // Foreign-key checks are off for the import's own transaction: the session writes parents
        // before children by construction, and the per-row parent lookups cost ~5% of a bulk import.
        do {
            return try dbQueue.writeWithoutTransaction { db in
                try db.execute(sql: "PRAGMA foreign_keys = OFF")
                defer { try? db.execute(sql: "PRAGMA foreign_keys = ON") }
                // A first import into an empty catalogue file writes hundreds of MB of new pages: with a
                // rollback journal new pages are written once (nothing to journal), with WAL twice (WAL,
                // then checkpoint). Switch for that transaction when no other connection has the file
                // open (the switch fails otherwise and the import stays in WAL); back to WAL afterwards.
                var switched = false
                if self.path != ":memory:", try Int.fetchOne(db, sql: "SELECT count(*) FROM works") == 0 {
                    switched = (try String.fetchOne(db, sql: "PRAGMA journal_mode = DELETE"))?.lowercased() == "delete"
                }
                defer { if switched { _ = try? String.fetchOne(db, sql: "PRAGMA journal_mode = WAL") } }
                var result: ImportResult?
                try db.inTransaction(.immediate) {
                    let session = try ImportSession(db: db, path: path, digest: digest, options: options)
                    switch kind {
                    case .cwr: try session.importCWR()
                    case .delimited: try session.importCSV()
                    }
                    try session.checkDigest(wait: true)
                    session.result.seconds = Date().timeIntervalSince(started)
                    try session.finish()
                    try Self.bumpChangeCounter(db)
                    result = session.result
                    return .commit
                }
                guard let result else { throw OeuvreError(.internalError, "import of \(path) finished without a result") }
                return result
            }
        } catch let seen as ImportSession.AlreadyImported {
            // Rolled back: nothing of this reading was kept.
            return try alreadyImported(seen.id, sha: seen.sha256)
        } catch {
            // A failure before the digest was checked (a file imported before with `--lenient`, read strictly
            // now) is still a file already imported, as when the digest was computed first.
            if let sha = try? digest.value(), let id = try? read({ db in
                try Int64.fetchOne(db, sql: "SELECT id FROM imports WHERE sha256 = ? AND mapping = ?", arguments: [sha, options.mappingKey])
            }) {
                return try alreadyImported(id, sha: sha)
            }
            throw error
        }
    }

    enum FileKind { case cwr, delimited }

    static func detectFormat(_ path: String) throws -> FileKind {
        let source = try FileByteSource(path: path)
        var probe = [UInt8](repeating: 0, count: 4)
        let n = try source.read(into: &probe)
        if n >= 4 && probe[0] == 0x50 && probe[1] == 0x4B && probe[2] == 0x03 && probe[3] == 0x04 {
            throw OeuvreError(.unsupported, "zip archives are not read directly: unzip the CWR file first",
                              at: SourcePosition(file: path, line: 1))
        }
        return CWRReader.looksLikeCWR(path: path) ? .cwr : .delimited
    }
}

/// One file's import inside one write transaction.
final class ImportSession {
    let db: Database
    let path: String
    let options: ImportOptions
    let now: String
    let importID: Int64
    var result: ImportResult
    /// Whether the catalogue has any alternate keys (skips key lookups for plain CSV catalogues).
    var hasKeys: Bool
    private let insertWork: RawStatement
    private let insertLink: RawStatement
    private let titles: BatchInsert
    private let parties: BatchInsert
    private let performers: BatchInsert
    private let recordings: BatchInsert
    private let links: BatchInsert
    private let findWork: Statement

    /// The file's digest, computed beside the import; checked against earlier imports once it is there.
    private let digest: BackgroundDigest
    private var digestChecked = false

    /// An earlier import holds the same bytes (with the same `--map` renames): thrown to roll this one back.
    struct AlreadyImported: Error {
        let id: Int64
        let sha256: String
    }

    init(db: Database, path: String, digest: BackgroundDigest, options: ImportOptions) throws {
        self.db = db
        self.path = path
        self.options = options
        self.digest = digest
        now = CatalogueStore.timestamp()
        result = ImportResult(path: path, sha256: "", format: "")
        // The row is written first (its id marks this import's works) under a placeholder digest, replaced by
        // `checkDigest` (the placeholder cannot collide: it is not 64 hex digits).
        try db.execute(sql: """
            INSERT INTO imports (file_name, sha256, mapping, format, imported_at, works_added, works_updated, works_unchanged, transactions,
                                 records, skipped_records, invalid_identifiers, warnings, duration_ms)
            VALUES (?, 'pending ' || lower(hex(randomblob(16))), ?, '', ?, 0, 0, 0, 0, 0, 0, 0, 0, 0)
            """, arguments: [path, options.mappingKey, now])
        importID = db.lastInsertedRowID
        // A bulk import touches indexes in random order (ISRCs, ISWCs): give SQLite room (256 MB).
        try db.execute(sql: "PRAGMA cache_size = -262144")
        hasKeys = try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM work_keys)") ?? false
        insertWork = try RawStatement(db, """
            INSERT INTO works (work_id, iswc, iswc_valid, title, language, duration, source, sender, submitter_work_number, status,
                               attributes, created_import, updated_import)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (work_id) DO NOTHING
            """)
        titles = BatchInsert(db, table: "titles", columns: ["work_pk", "ord", "text", "kind", "cwr_type", "language"])
        parties = BatchInsert(db, table: "parties", columns: [
            "work_pk", "ord", "role", "name", "last_name", "first_name", "designation", "interested_party", "ipi_name", "ipi_name_valid",
            "ipi_base", "ipi_base_valid", "controlled", "unknown", "pr_society", "mr_society", "sr_society", "pr_share", "mr_share",
            "sr_share", "chain", "publishers", "territories",
        ], rowsPerStatement: 32)
        performers = BatchInsert(db, table: "performers", columns: ["work_pk", "ord", "name", "ipi_name", "ipi_name_valid", "ipi_base",
                                                                    "ipi_base_valid"])
        recordings = BatchInsert(db, table: "recordings", columns: [
            "work_pk", "ord", "isrc", "isrc_valid", "title", "version_title", "artist", "duration", "label", "release", "release_date",
            "catalog_number", "ean", "media_type", "submitter_recording_id",
        ], rowsPerStatement: 48)
        links = BatchInsert(db, verb: "INSERT OR IGNORE", table: "isrc_links",
                            columns: ["isrc", "work_id", "source", "confidence", "first_seen", "import_id"])
        insertLink = try RawStatement(db, """
            INSERT OR IGNORE INTO isrc_links (isrc, work_id, source, confidence, first_seen, import_id) VALUES (?, ?, ?, 1.0, ?, ?)
            """)
        findWork = try db.makeStatement(sql: "SELECT pk, sender FROM works WHERE work_id = ?")
    }

    func warn(_ kind: ImportWarning.Kind, _ position: SourcePosition?, _ message: String) {
        result.warningCount += 1
        if result.warnings.count < options.maxWarnings {
            result.warnings.append(ImportWarning(kind: kind, position: position, message: message))
        }
    }

    /// Once the digest is there (or, with `wait`, after waiting for it): an earlier import of the same bytes and
    /// renames throws `AlreadyImported`; otherwise the digest goes into this import's row and result. Called once
    /// per record by the import loops (a flag read until the digest is ready) and before `finish`.
    func checkDigest(wait: Bool = false) throws {
        guard !digestChecked, wait || digest.isReady else { return }
        digestChecked = true
        let sha: String
        do {
            sha = try digest.value()
        } catch {
            throw OeuvreError(.io, "\(path): cannot read the file to compute its SHA-256: \(error)")
        }
        if let id = try Int64.fetchOne(db, sql: "SELECT id FROM imports WHERE sha256 = ? AND mapping = ? AND id <> ?",
                                       arguments: [sha, options.mappingKey, importID]) {
            throw AlreadyImported(id: id, sha256: sha)
        }
        try db.execute(sql: "UPDATE imports SET sha256 = ? WHERE id = ?", arguments: [sha, importID])
        result.sha256 = sha
    }

    // MARK: - CWR

    func importCWR() throws {
        let reader = try CWRReader(path: path, lenient: options.lenient)
        let sender = reader.header.senderID.isEmpty ? nil : reader.header.senderID
        while let t = try reader.next() {
            result.transactions += 1
            try checkDigest()
            for issue in t.identifierIssues {
                result.invalidIdentifiers += 1
                warn(.invalidIdentifier, issue.position, "invalid \(issue.kind) '\(issue.value)': \(issue.problem) (kept, flagged invalid)")
            }
            switch t.kind {
            case .nwr, .rev, .isw:
                guard let w = t.work else { continue }
                let entry = CatalogueEntry(cwr: w, workID: w.submitterWorkNumber, sender: sender)
                try upsert(entry, registration: t.kind, position: t.position, present: nil)
            case .exc:
                result.skippedTransactions["EXC", default: 0] += 1
            case .ack:
                try importAck(t, society: sender)
            }
            if !t.conflicts.isEmpty {
                result.skippedTransactions["EXC", default: 0] += t.conflicts.count
            }
        }
        for w in reader.structuralWarnings { warn(.structure, w.position, w.message) }
        result.format = "cwr-\(reader.version.rawValue)"
        result.records = reader.recordCount
        result.skippedRecords = reader.skippedRecords
        for (k, v) in reader.skippedTransactions { result.skippedTransactions[k, default: 0] += v }
        try db.execute(sql: "UPDATE imports SET sender = ? WHERE id = ?", arguments: [sender, importID])
    }

    /// An ACK: the embedded work is stored under the society's work code (recipient creation #) when
    /// there is one, with the ACK status; an ACK without a work creates a minimal work when accepted.
    private func importAck(_ t: CWRTransaction, society: String?) throws {
        guard let ack = t.acknowledgement else { return }
        let scope = society ?? ""
        if let w = t.work {
            var entry = CatalogueEntry(cwr: w, workID: ack.recipientCreationNumber ?? w.submitterWorkNumber, sender: nil)
            entry.status = ack.status
            if let rcn = ack.recipientCreationNumber {
                entry.keys.insert(CatalogueEntry.Key(kind: "society", scope: scope, value: rcn), at: 0)
            }
            entry.attributes["transaction"] = "ACK/\(w.kind.rawValue)"
            if let d = ack.processingDate { entry.attributes["ack_processing_date"] = d }
            try upsert(entry, registration: .ack, position: t.position, present: nil)
            return
        }
        let accepted = ["AS", "AC", "RA"].contains(ack.status)
        guard accepted, let title = ack.creationTitle, let id = ack.recipientCreationNumber ?? ack.submitterCreationNumber else {
            result.skippedTransactions["ACK-without-work", default: 0] += 1
            warn(.skipped, t.position, "ACK (status \(ack.status)) without a work record: nothing to import")
            return
        }
        var entry = CatalogueEntry(workID: id, title: title, source: "cwr")
        entry.status = ack.status
        entry.submitterWorkNumber = ack.submitterCreationNumber
        entry.attributes["transaction"] = "ACK"
        if let rcn = ack.recipientCreationNumber { entry.keys.append(CatalogueEntry.Key(kind: "society", scope: scope, value: rcn)) }
        if let s = ack.submitterCreationNumber { entry.keys.append(CatalogueEntry.Key(kind: "submitter", scope: "", value: s)) }
        try upsert(entry, registration: .ack, position: t.position, present: nil)
    }

    // MARK: - CSV

    /// Reads the CSV on a second thread (parsing is a quarter of the work) while this one writes.
    func importCSV() throws {
        let reader = try WorksCSVReader(path: path, renames: options.renames)
        result.format = reader.dialect == .tsv ? "tsv" : "csv"
        if let message = reader.mapping.ignoredColumnsMessage(contract: "works") {
            warn(.ignoredColumns, SourcePosition(file: path, line: 1), message)
        }
        let present = Set(WorksCSVReader.fields.filter { reader.mapping.has($0) })
        let queue = CSVRowQueue()
        let finished = DispatchSemaphore(value: 0)
        let box = ReaderBox(reader)
        let thread = Thread {
            defer { finished.signal() }
            queue.produce(from: box.take())
        }
        thread.stackSize = 1 << 22
        thread.start()
        defer {
            queue.cancel()
            finished.wait()
        }
        while let chunk = try queue.take() {
            try checkDigest()
            for row in chunk {
                result.transactions += 1
                try upsert(row.entry, registration: nil, position: row.position, present: present)
            }
        }
        result.records = result.transactions
        for (position, message) in queue.invalidIdentifiers {
            result.invalidIdentifiers += 1
            warn(.invalidIdentifier, position, "\(message) (kept, flagged invalid)")
        }
    }

    // MARK: - Upsert

    /// Inserts `incoming` or updates the work it describes.
    /// - Parameters:
    ///   - registration: the CWR transaction kind (nil for CSV).
    ///   - present: for CSV, the contract fields the file has (only those are replaced on update).
    func upsert(_ incoming: CatalogueEntry, registration: CWRTransactionKind?, position: SourcePosition,
                present: Set<String>?) throws {
        var incoming = incoming
        // Fast path while the catalogue has no alternate keys: the insert itself detects an existing work id.
        if !hasKeys, let pk = try insertWorkRow(incoming) {
            try insertChildren(pk, incoming)
            result.worksAdded += 1
            return
        }
        guard let pk = try findExisting(&incoming, position: position) else {
            guard let pk = try insertWorkRow(incoming) else {
                throw OeuvreError(.internalError, "work id '\(incoming.workID)' appeared during its own import", at: position)
            }
            try insertChildren(pk, incoming)
            result.worksAdded += 1
            return
        }
        // Children of works inserted earlier in this file may still be in the batches.
        try flushBatches()
        guard let old = try CatalogueStore.loadEntry(db, pk: pk) else { return }
        if registration == .nwr {
            warn(.registrationOfExistingWork, position, "NWR for work '\(old.workID)' already in the catalogue: applied as a revision")
        }
        let new = present.map { merge(csv: incoming, into: old, present: $0) } ?? merge(cwr: incoming, into: old)
        if new == old {
            result.worksUnchanged += 1
            return
        }
        try update(pk: pk, old: old, new: new, position: position)
        result.worksUpdated += 1
    }

    /// The row id of the work `incoming` describes; may rename `incoming` on a sender collision.
    private func findExisting(_ incoming: inout CatalogueEntry, position: SourcePosition) throws -> Int64? {
        if hasKeys {
            for key in incoming.keys {
                let s = try db.cachedStatement(sql: "SELECT work_pk FROM work_keys WHERE kind = ? AND scope = ? AND value = ?")
                if let pk = try Int64.fetchOne(s, arguments: [key.kind, key.scope, key.value]) {
                    return pk
                }
            }
            for key in incoming.keys where key.kind == "submitter" {
                let s = try db.cachedStatement(sql: """
                    SELECT DISTINCT work_pk FROM work_keys WHERE kind = 'submitter' AND value = ? AND (scope = '' OR ? = '') LIMIT 2
                    """)
                let pks = try Int64.fetchAll(s, arguments: [key.value, key.scope])
                if pks.count == 1 { return pks[0] }
            }
        }
        if let row = try Row.fetchOne(findWork, arguments: [incoming.workID]) {
            let existingSender: String? = row[1]
            if incoming.source == "cwr", let s = incoming.sender, let e = existingSender, !s.isEmpty, !e.isEmpty, s != e {
                let renamed = "\(s):\(incoming.workID)"
                warn(.idCollision, position,
                     "work id '\(incoming.workID)' belongs to a work from sender \(e); this sender's work is stored as '\(renamed)'")
                incoming.workID = renamed
                return try Int64.fetchOne(findWork, arguments: [renamed])
            }
            return row[0]
        }
        if hasKeys && incoming.source != "cwr" {
            let s = try db.cachedStatement(sql: "SELECT DISTINCT work_pk FROM work_keys WHERE value = ? LIMIT 2")
            let pks = try Int64.fetchAll(s, arguments: [incoming.workID])
            if pks.count == 1 { return pks[0] }
        }
        return nil
    }

    private func merge(cwr incoming: CatalogueEntry, into old: CatalogueEntry) -> CatalogueEntry {
        var new = incoming
        new.workID = old.workID
        new.titles += old.titles.filter { $0.kind == .learned && !new.titles.contains($0) }
        var keys = old.keys
        for k in incoming.keys where !keys.contains(k) { keys.append(k) }
        new.keys = keys.sorted { ($0.kind, $0.scope, $0.value) < ($1.kind, $1.scope, $1.value) }
        new.sender = incoming.sender ?? old.sender
        new.status = incoming.status ?? old.status
        new.submitterWorkNumber = incoming.submitterWorkNumber ?? old.submitterWorkNumber
        return new
    }

    private func merge(csv incoming: CatalogueEntry, into old: CatalogueEntry, present: Set<String>) -> CatalogueEntry {
        var new = old
        new.title = incoming.title
        new.source = incoming.source
        if present.contains("iswc") {
            new.iswc = incoming.iswc
            new.iswcValid = incoming.iswcValid
        }
        if present.contains("duration") { new.duration = incoming.duration }
        if present.contains("alt_titles") {
            var titles: [CatalogueEntry.Title] = []
            for t in incoming.titles where t.kind == .alternate {
                titles.append(old.titles.first(where: { $0.kind == .alternate && $0.text == t.text }) ?? t)
            }
            new.titles = titles + old.titles.filter { $0.kind != .alternate }
        }
        if present.contains("writers") {
            var writers: [CatalogueEntry.Party] = []
            for p in incoming.parties where p.role == .writer {
                let same = old.parties.first { o in
                    o.role == .writer && o.name.uppercased() == p.name.uppercased() && (p.ipiName == nil || o.ipiName == p.ipiName)
                }
                writers.append(same ?? p)
            }
            new.parties = writers + old.parties.filter { $0.role != .writer }
        }
        if present.contains("performers") {
            new.performers = incoming.performers.map { p in old.performers.first(where: { $0.name == p.name }) ?? p }
        }
        if present.contains("isrcs") {
            var recordings = old.recordings.filter { $0.isrc == nil }
            for r in incoming.recordings {
                recordings.append(old.recordings.first(where: { $0.isrc == r.isrc }) ?? r)
            }
            new.recordings = recordings
        }
        return new
    }

    // MARK: - Writing rows

    /// Inserts the works row; nil when the work id already exists.
    private func insertWorkRow(_ e: CatalogueEntry) throws -> Int64? {
        let s = insertWork
        s.bind(e.workID)
        s.bind(e.iswc)
        s.bind(e.iswcValid)
        s.bind(e.title)
        s.bind(e.language)
        s.bind(e.duration)
        s.bind(e.source)
        s.bind(e.sender)
        s.bind(e.submitterWorkNumber)
        s.bind(e.status)
        s.bind(e.attributes.isEmpty ? nil : FastJSON.encode(e.attributes))
        s.bind(importID)
        s.bind(importID)
        guard try s.run() == 1 else { return nil }
        return s.lastInsertRowID
    }

    private func insertChildren(_ pk: Int64, _ e: CatalogueEntry) throws {
        try insertTitles(pk, e)
        try insertParties(pk, e)
        try insertPerformers(pk, e)
        try insertRecordings(pk, e)
        try insertOrigins(pk, e)
        try insertKeys(pk, e)
        let source = e.source == "cwr" ? "cwr" : "import"
        for isrc in e.validISRCs {
            pendingLinks.append((isrc, e.workID, source))
        }
        if pendingLinks.count >= 50_000 { try writeLinks() }
    }

    /// New links wait here and are written sorted by ISRC, so that the ISRC index is filled in key
    /// order (each index page touched once per batch) while the table, keyed by work, still receives
    /// only recent works: several times faster than random-order inserts on big imports.
    private var pendingLinks: [(isrc: String, workID: String, source: String)] = []

    private func writeLinks() throws {
        pendingLinks.sort { ($0.isrc, $0.workID) < ($1.isrc, $1.workID) }
        for l in pendingLinks {
            links.add(l.isrc)
            links.add(l.workID)
            links.add(l.source)
            links.add(1.0)
            links.add(now)
            links.add(importID)
            try links.endRow()
        }
        pendingLinks.removeAll(keepingCapacity: true)
        try links.flush()
    }

    /// Writes pending batched rows; required before reading child tables.
    func flushBatches() throws {
        try titles.flush()
        try parties.flush()
        try performers.flush()
        try recordings.flush()
        try writeLinks()
    }

    /// Inserts an ISRC link unless that (isrc, work) pair exists; returns whether it was new.
    @discardableResult
    private func link(_ isrc: String, _ workID: String, _ source: String) throws -> Bool {
        let s = insertLink
        s.bind(isrc)
        s.bind(workID)
        s.bind(source)
        s.bind(now)
        s.bind(importID)
        return try s.run() > 0
    }

    private func insertTitles(_ pk: Int64, _ e: CatalogueEntry) throws {
        let b = titles
        b.add(pk)
        b.add(0)
        b.add(e.title)
        b.add(TitleKind.original.rawValue)
        b.add(nil as String?)
        b.add(e.language)
        try b.endRow()
        for (i, t) in e.titles.enumerated() {
            b.add(pk)
            b.add(i + 1)
            b.add(t.text)
            b.add(t.kind.rawValue)
            b.add(t.cwrType)
            b.add(t.language)
            try b.endRow()
        }
    }

    private func insertParties(_ pk: Int64, _ e: CatalogueEntry) throws {
        let b = parties
        for (i, p) in e.parties.enumerated() {
            b.add(pk)
            b.add(i)
            b.add(p.role.rawValue)
            b.add(p.name)
            b.add(p.lastName)
            b.add(p.firstName)
            b.add(p.designation)
            b.add(p.interestedParty)
            b.add(p.ipiName)
            b.add(p.ipiNameValid)
            b.add(p.ipiBase)
            b.add(p.ipiBaseValid)
            b.add(p.controlled)
            b.add(p.unknown)
            b.add(p.prSociety)
            b.add(p.mrSociety)
            b.add(p.srSociety)
            b.add(p.prShare)
            b.add(p.mrShare)
            b.add(p.srShare)
            b.add(p.chain)
            b.add(p.publishers.isEmpty ? nil : p.publishers.joined(separator: " "))
            b.add(p.territories.isEmpty ? nil : FastJSON.encode(p.territories))
            try b.endRow()
        }
    }

    private func insertPerformers(_ pk: Int64, _ e: CatalogueEntry) throws {
        let b = performers
        for (i, p) in e.performers.enumerated() {
            b.add(pk)
            b.add(i)
            b.add(p.name)
            b.add(p.ipiName)
            b.add(p.ipiNameValid)
            b.add(p.ipiBase)
            b.add(p.ipiBaseValid)
            try b.endRow()
        }
    }

    private func insertRecordings(_ pk: Int64, _ e: CatalogueEntry) throws {
        let b = recordings
        for (i, r) in e.recordings.enumerated() {
            b.add(pk)
            b.add(i)
            b.add(r.isrc)
            b.add(r.isrcValid)
            b.add(r.title)
            b.add(r.versionTitle)
            b.add(r.artist)
            b.add(r.duration)
            b.add(r.label)
            b.add(r.release)
            b.add(r.releaseDate)
            b.add(r.catalogNumber)
            b.add(r.ean)
            b.add(r.mediaType)
            b.add(r.submitterRecordingID)
            try b.endRow()
        }
    }

    private func insertOrigins(_ pk: Int64, _ e: CatalogueEntry) throws {
        for (i, o) in e.origins.enumerated() {
            try db.cachedStatement(sql: "INSERT INTO origins (work_pk, ord, data) VALUES (?, ?, ?)")
                .execute(arguments: [pk, i, encodeJSON(o)])
        }
        for (i, o) in e.originalWorks.enumerated() {
            try db.cachedStatement(sql: "INSERT INTO original_works (work_pk, ord, title, iswc, iswc_valid, data) VALUES (?, ?, ?, ?, ?, ?)")
                .execute(arguments: [pk, i, o.title, o.iswc, o.iswcValid, encodeJSON(o)])
        }
    }

    private func insertKeys(_ pk: Int64, _ e: CatalogueEntry) throws {
        for k in e.keys {
            try db.cachedStatement(sql: "INSERT OR IGNORE INTO work_keys (kind, scope, value, work_pk) VALUES (?, ?, ?, ?)")
                .execute(arguments: [k.kind, k.scope, k.value, pk])
            hasKeys = true
        }
    }

    private func update(pk: Int64, old: CatalogueEntry, new: CatalogueEntry, position: SourcePosition) throws {
        let origin = "\(position.file):\(position.line)"
        func audit(_ field: String, _ before: String?, _ after: String?) throws {
            try CatalogueStore.audit(db, at: now, actor: options.actor, importID: importID, action: "update", entity: "work",
                                     entityID: old.workID, field: field, old: before, new: after, origin: origin)
        }
        func iswcText(_ e: CatalogueEntry) -> String? { e.iswc.map { e.iswcValid ? $0 : "\($0) (invalid)" } }
        let scalars: [(String, String?, String?)] = [
            ("title", old.title, new.title), ("iswc", iswcText(old), iswcText(new)), ("language", old.language, new.language),
            ("duration", old.duration.map(String.init), new.duration.map(String.init)), ("source", old.source, new.source),
            ("sender", old.sender, new.sender), ("submitter_work_number", old.submitterWorkNumber, new.submitterWorkNumber),
            ("status", old.status, new.status),
        ]
        for (field, a, b) in scalars where a != b { try audit(field, a, b) }
        if old.attributes != new.attributes { try audit("attributes", encodeJSON(old.attributes), encodeJSON(new.attributes)) }
        try db.cachedStatement(sql: """
            UPDATE works SET iswc = ?, iswc_valid = ?, title = ?, language = ?, duration = ?, source = ?, sender = ?,
                submitter_work_number = ?, status = ?, attributes = ?, updated_import = ?, revision = revision + 1
            WHERE pk = ?
            """).execute(arguments: [new.iswc, new.iswcValid, new.title, new.language, new.duration, new.source, new.sender,
                                     new.submitterWorkNumber, new.status, new.attributes.isEmpty ? nil : FastJSON.encode(new.attributes),
                                     importID, pk])
        if old.titles != new.titles || old.title != new.title || old.language != new.language {
            if old.titles != new.titles { try audit("titles", encodeJSON(old.titles), encodeJSON(new.titles)) }
            try db.cachedStatement(sql: "DELETE FROM titles WHERE work_pk = ?").execute(arguments: [pk])
            try insertTitles(pk, new)
        }
        if old.parties != new.parties {
            try audit("parties", encodeJSON(old.parties), encodeJSON(new.parties))
            try db.cachedStatement(sql: "DELETE FROM parties WHERE work_pk = ?").execute(arguments: [pk])
            try insertParties(pk, new)
        }
        if old.performers != new.performers {
            try audit("performers", encodeJSON(old.performers), encodeJSON(new.performers))
            try db.cachedStatement(sql: "DELETE FROM performers WHERE work_pk = ?").execute(arguments: [pk])
            try insertPerformers(pk, new)
        }
        if old.recordings != new.recordings {
            try audit("recordings", encodeJSON(old.recordings), encodeJSON(new.recordings))
            try db.cachedStatement(sql: "DELETE FROM recordings WHERE work_pk = ?").execute(arguments: [pk])
            try insertRecordings(pk, new)
        }
        if old.origins != new.origins || old.originalWorks != new.originalWorks {
            if old.origins != new.origins { try audit("origins", encodeJSON(old.origins), encodeJSON(new.origins)) }
            if old.originalWorks != new.originalWorks {
                try audit("original_works", encodeJSON(old.originalWorks), encodeJSON(new.originalWorks))
            }
            try db.cachedStatement(sql: "DELETE FROM origins WHERE work_pk = ?").execute(arguments: [pk])
            try db.cachedStatement(sql: "DELETE FROM original_works WHERE work_pk = ?").execute(arguments: [pk])
            try insertOrigins(pk, new)
        }
        let addedKeys = new.keys.filter { !old.keys.contains($0) }
        if !addedKeys.isEmpty {
            try audit("keys", encodeJSON(old.keys), encodeJSON(new.keys))
            var e = new
            e.keys = addedKeys
            try insertKeys(pk, e)
        }
        // Links stated by registrations/imports follow the recordings; review links are kept.
        let source = new.source == "cwr" ? "cwr" : "import"
        let before = Set(old.validISRCs)
        let after = Set(new.validISRCs)
        for isrc in new.validISRCs where !before.contains(isrc) {
            if try link(isrc, old.workID, source) {
                try CatalogueStore.audit(db, at: now, actor: options.actor, importID: importID, action: "link", entity: "isrc_link",
                                         entityID: old.workID, field: "isrc", old: nil, new: "\(isrc) (\(source))", origin: origin)
            }
        }
        for isrc in old.validISRCs where !after.contains(isrc) {
            try db.cachedStatement(sql: "DELETE FROM isrc_links WHERE isrc = ? AND work_id = ? AND source != 'review'")
                .execute(arguments: [isrc, old.workID])
            if db.changesCount > 0 {
                try CatalogueStore.audit(db, at: now, actor: options.actor, importID: importID, action: "unlink", entity: "isrc_link",
                                         entityID: old.workID, field: "isrc", old: isrc, new: nil, origin: origin)
            }
        }
    }

    // MARK: - Finishing

    func finish() throws {
        try flushBatches()
        // Duplicate ISWCs and conflicting ISRC links touching this import: warned, never merged.
        // First the duplicated values (covering-index scans), then the few of them this import touched.
        let duplicated = try String.fetchAll(db, sql: """
            SELECT iswc FROM works WHERE iswc IS NOT NULL AND iswc_valid = 1 GROUP BY iswc HAVING count(*) > 1 ORDER BY iswc
            """)
        for iswc in duplicated {
            let rows = try Row.fetchAll(db, sql: "SELECT work_id, created_import, updated_import FROM works WHERE iswc = ? ORDER BY work_id",
                                        arguments: [iswc])
            guard rows.contains(where: { ($0[1] as Int64?) == importID || ($0[2] as Int64?) == importID }) else { continue }
            let ids = rows.map { $0[0] as String }
            warn(.duplicateISWC, nil,
                 "ISWC \(iswc) is on \(ids.count) works (\(ids.prefix(5).joined(separator: ", "))\(ids.count > 5 ? ", …" : "")); not merged")
        }
        let shared = try String.fetchAll(db, sql: "SELECT isrc FROM isrc_links GROUP BY isrc HAVING count(*) > 1 ORDER BY isrc")
        for isrc in shared {
            let rows = try Row.fetchAll(db, sql: "SELECT work_id, import_id FROM isrc_links WHERE isrc = ? ORDER BY work_id", arguments: [isrc])
            guard rows.contains(where: { ($0[1] as Int64?) == importID }) else { continue }
            let ids = rows.map { $0[0] as String }
            warn(.conflictingISRC, nil,
                 "ISRC \(isrc) is linked to \(ids.count) works (\(ids.prefix(5).joined(separator: ", "))\(ids.count > 5 ? ", …" : ""))")
        }
        result.batchID = importID
        let skipped = result.skippedRecords.values.reduce(0, +)
        try db.execute(sql: """
            UPDATE imports SET format = ?, works_added = ?, works_updated = ?, works_unchanged = ?, transactions = ?, records = ?,
                skipped_records = ?, invalid_identifiers = ?, warnings = ?, duration_ms = ?
            WHERE id = ?
            """, arguments: [result.format, result.worksAdded, result.worksUpdated, result.worksUnchanged, result.transactions,
                             result.records, skipped, result.invalidIdentifiers, result.warningCount, Int(result.seconds * 1000), importID])
        let summary: [String: Int] = [
            "works_added": result.worksAdded, "works_updated": result.worksUpdated, "works_unchanged": result.worksUnchanged,
            "invalid_identifiers": result.invalidIdentifiers, "warnings": result.warningCount,
        ]
        try CatalogueStore.audit(db, at: now, actor: options.actor, importID: importID, action: "import", entity: "import",
                                 entityID: String(importID), field: "file", old: nil, new: "\(path) sha256:\(result.sha256) \(encodeJSON(summary))",
                                 origin: nil)
    }
}

/// Hands a `WorksCSVReader` to the parsing thread: created on the importing thread (so header errors
/// surface there), then used only by the parser.
private final class ReaderBox: @unchecked Sendable {
    private var reader: WorksCSVReader?
    init(_ reader: WorksCSVReader) { self.reader = reader }
    func take() -> WorksCSVReader? {
        defer { reader = nil }
        return reader
    }
}

/// A bounded queue of parsed CSV rows between the parsing thread and the importing thread.
private final class CSVRowQueue: @unchecked Sendable {
    struct Row {
        var entry: CatalogueEntry
        var position: SourcePosition
    }
    private let condition = NSCondition()
    private var chunks: [[Row]] = []
    private var done = false
    private var cancelled = false
    private var failure: OeuvreError?
    private var issues: [(SourcePosition, String)] = []
    private let maxChunks = 8
    private let chunkSize = 512

    /// Identifier problems found by the reader (complete once `take()` has returned nil).
    var invalidIdentifiers: [(SourcePosition, String)] {
        condition.lock()
        defer { condition.unlock() }
        return issues
    }

    /// Parser side: reads every row, converting to entries, until the end, an error or `cancel()`.
    func produce(from reader: WorksCSVReader?) {
        guard let reader else { return finish(nil) }
        var chunk: [Row] = []
        chunk.reserveCapacity(chunkSize)
        do {
            while let (work, position) = try reader.next() {
                chunk.append(Row(entry: CatalogueEntry(csv: work, invalidISWC: reader.lastInvalidISWC), position: position))
                if chunk.count == chunkSize {
                    guard put(chunk) else { return }
                    chunk.removeAll(keepingCapacity: true)
                }
            }
            if !chunk.isEmpty { guard put(chunk) else { return } }
            condition.lock()
            issues = reader.invalidIdentifiers
            condition.unlock()
            finish(nil)
        } catch {
            finish(error)
        }
    }

    private func put(_ chunk: [Row]) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        while chunks.count >= maxChunks && !cancelled { condition.wait() }
        if cancelled { return false }
        chunks.append(chunk)
        condition.broadcast()
        return true
    }

    private func finish(_ error: OeuvreError?) {
        condition.lock()
        failure = error
        done = true
        condition.broadcast()
        condition.unlock()
    }

    /// Importer side: the next chunk, nil at the end; rethrows the parser's error.
    func take() throws(OeuvreError) -> [Row]? {
        condition.lock()
        defer { condition.unlock() }
        while chunks.isEmpty && !done { condition.wait() }
        if !chunks.isEmpty {
            let c = chunks.removeFirst()
            condition.broadcast()
            return c
        }
        if let failure { throw failure }
        return nil
    }

    /// Stops the parser (after an import error, or at the end).
    func cancel() {
        condition.lock()
        cancelled = true
        condition.broadcast()
        condition.unlock()
    }
}


/// A file's SHA-256 computed on a thread of its own (`CatalogueStore.importFile`).
final class BackgroundDigest: @unchecked Sendable {
    private let condition = NSCondition()
    private var outcome: Result<String, OeuvreError>?

    init(path: String) {
        let thread = Thread { [self] in
            let r: Result<String, OeuvreError>
            do throws(OeuvreError) { r = .success(try SHA256.file(path)) } catch { r = .failure(error) }
            condition.lock()
            outcome = r
            condition.broadcast()
            condition.unlock()
        }
        thread.start()
    }

    /// Whether the digest (or its error) is there (an uncontended lock: read once per record).
    var isReady: Bool {
        condition.lock()
        defer { condition.unlock() }
        return outcome != nil
    }

    /// Waits for the hashing to end.
    func wait() {
        condition.lock()
        while outcome == nil { condition.wait() }
        condition.unlock()
    }

    /// The digest, waiting for it.
    func value() throws(OeuvreError) -> String {
        wait()
        condition.lock()
        defer { condition.unlock() }
        return try outcome!.get()
    }
}
