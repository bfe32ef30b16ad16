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
    /// A file whose SHA-256 was already imported is not read again (`alreadyImported`). A work that
    /// exists (same work id, or same CWR key) is updated — a CWR REV/NWR/ACK replaces its content, a CSV
    /// row replaces the fields whose columns the file has — and each changed field is written to the
    /// audit table. Titles learned from reviews and review links are kept across updates. Duplicate
    /// ISWCs and conflicting ISRC links are reported as warnings, never merged.
    public func importFile(_ path: String, options: ImportOptions = ImportOptions()) throws -> ImportResult {
        let started = Date()
        _ = try FileByteSource(path: path)  // a clear error for a missing file
        let sha = try SHA256.file(path)
        if let previous = try read({ db in try Row.fetchOne(db, sql: "SELECT id FROM imports WHERE sha256 = ?", arguments: [sha]) }) {
            let id: Int64 = previous[0]
            var result = ImportResult(path: path, sha256: sha, format: "")
            result.alreadyImported = true
            result.previousImport = try importBatches().first(where: { $0.id == id })
            result.format = result.previousImport?.format ?? ""
            return result
        }
        let kind = try Self.detectFormat(path)
        return try write { db in
            let session = try ImportSession(db: db, path: path, sha256: sha, options: options)
            switch kind {
            case .cwr: try session.importCWR()
            case .delimited: try session.importCSV()
            }
            session.result.seconds = Date().timeIntervalSince(started)
            try session.finish()
            return session.result
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
    private let insertTitle: RawStatement
    private let insertParty: RawStatement
    private let insertPerformer: RawStatement
    private let insertRecording: RawStatement
    private let insertLink: RawStatement
    private let findWork: Statement

    init(db: Database, path: String, sha256: String, options: ImportOptions) throws {
        self.db = db
        self.path = path
        self.options = options
        now = CatalogueStore.timestamp()
        result = ImportResult(path: path, sha256: sha256, format: "")
        try db.execute(sql: """
            INSERT INTO imports (file_name, sha256, format, imported_at, works_added, works_updated, works_unchanged, transactions,
                                 records, skipped_records, invalid_identifiers, warnings, duration_ms)
            VALUES (?, ?, '', ?, 0, 0, 0, 0, 0, 0, 0, 0, 0)
            """, arguments: [path, sha256, now])
        importID = db.lastInsertedRowID
        // A bulk import touches indexes in random order (ISRCs, ISWCs): give SQLite room (256 MB).
        try db.execute(sql: "PRAGMA cache_size = -262144")
        hasKeys = try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM work_keys)") ?? false
        insertWork = try RawStatement(db, """
            INSERT INTO works (work_id, iswc, iswc_valid, title, language, duration, source, sender, submitter_work_number, status,
                               attributes, created_import, updated_import)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (work_id) DO NOTHING
            """)
        insertTitle = try RawStatement(db, "INSERT INTO titles (work_pk, ord, text, kind, cwr_type, language) VALUES (?, ?, ?, ?, ?, ?)")
        insertParty = try RawStatement(db, """
            INSERT INTO parties (work_pk, ord, role, name, last_name, first_name, designation, interested_party, ipi_name, ipi_name_valid,
                                 ipi_base, ipi_base_valid, controlled, unknown, pr_society, mr_society, sr_society, pr_share, mr_share,
                                 sr_share, chain, publishers, territories)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        insertPerformer = try RawStatement(db, """
            INSERT INTO performers (work_pk, ord, name, ipi_name, ipi_name_valid, ipi_base, ipi_base_valid) VALUES (?, ?, ?, ?, ?, ?, ?)
            """)
        insertRecording = try RawStatement(db, """
            INSERT INTO recordings (work_pk, ord, isrc, isrc_valid, title, version_title, artist, duration, label, release, release_date,
                                    catalog_number, ean, media_type, submitter_recording_id)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
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

    // MARK: - CWR

    func importCWR() throws {
        let reader = try CWRReader(path: path, lenient: options.lenient)
        let sender = reader.header.senderID.isEmpty ? nil : reader.header.senderID
        while let t = try reader.next() {
            result.transactions += 1
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

    func importCSV() throws {
        let reader = try WorksCSVReader(path: path, renames: options.renames)
        result.format = reader.dialect == .tsv ? "tsv" : "csv"
        let present = Set(WorksCSVReader.fields.filter { reader.mapping.has($0) })
        while let (work, position) = try reader.next() {
            result.transactions += 1
            let entry = CatalogueEntry(csv: work, invalidISWC: reader.lastInvalidISWC)
            try upsert(entry, registration: nil, position: position, present: present)
        }
        result.records = result.transactions
        for (position, message) in reader.invalidIdentifiers {
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
                if let pk = try Int64.fetchOne(db, sql: "SELECT work_pk FROM work_keys WHERE kind = ? AND scope = ? AND value = ?",
                                               arguments: [key.kind, key.scope, key.value]) {
                    return pk
                }
            }
            for key in incoming.keys where key.kind == "submitter" {
                let pks = try Int64.fetchAll(db, sql: """
                    SELECT DISTINCT work_pk FROM work_keys WHERE kind = 'submitter' AND value = ? AND (scope = '' OR ? = '') LIMIT 2
                    """, arguments: [key.value, key.scope])
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
            let pks = try Int64.fetchAll(db, sql: "SELECT DISTINCT work_pk FROM work_keys WHERE value = ? LIMIT 2", arguments: [incoming.workID])
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
        s.bind(e.attributes.isEmpty ? nil : encodeJSON(e.attributes))
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
            try link(isrc, e.workID, source)
        }
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
        let s = insertTitle
        s.bind(pk)
        s.bind(0)
        s.bind(e.title)
        s.bind(TitleKind.original.rawValue)
        s.bind(nil as String?)
        s.bind(e.language)
        try s.run()
        for (i, t) in e.titles.enumerated() {
            s.bind(pk)
            s.bind(i + 1)
            s.bind(t.text)
            s.bind(t.kind.rawValue)
            s.bind(t.cwrType)
            s.bind(t.language)
            try s.run()
        }
    }

    private func insertParties(_ pk: Int64, _ e: CatalogueEntry) throws {
        let s = insertParty
        for (i, p) in e.parties.enumerated() {
            s.bind(pk)
            s.bind(i)
            s.bind(p.role.rawValue)
            s.bind(p.name)
            s.bind(p.lastName)
            s.bind(p.firstName)
            s.bind(p.designation)
            s.bind(p.interestedParty)
            s.bind(p.ipiName)
            s.bind(p.ipiNameValid)
            s.bind(p.ipiBase)
            s.bind(p.ipiBaseValid)
            s.bind(p.controlled)
            s.bind(p.unknown)
            s.bind(p.prSociety)
            s.bind(p.mrSociety)
            s.bind(p.srSociety)
            s.bind(p.prShare)
            s.bind(p.mrShare)
            s.bind(p.srShare)
            s.bind(p.chain)
            s.bind(p.publishers.isEmpty ? nil : p.publishers.joined(separator: " "))
            s.bind(p.territories.isEmpty ? nil : encodeJSON(p.territories))
            try s.run()
        }
    }

    private func insertPerformers(_ pk: Int64, _ e: CatalogueEntry) throws {
        let s = insertPerformer
        for (i, p) in e.performers.enumerated() {
            s.bind(pk)
            s.bind(i)
            s.bind(p.name)
            s.bind(p.ipiName)
            s.bind(p.ipiNameValid)
            s.bind(p.ipiBase)
            s.bind(p.ipiBaseValid)
            try s.run()
        }
    }

    private func insertRecordings(_ pk: Int64, _ e: CatalogueEntry) throws {
        let s = insertRecording
        for (i, r) in e.recordings.enumerated() {
            s.bind(pk)
            s.bind(i)
            s.bind(r.isrc)
            s.bind(r.isrcValid)
            s.bind(r.title)
            s.bind(r.versionTitle)
            s.bind(r.artist)
            s.bind(r.duration)
            s.bind(r.label)
            s.bind(r.release)
            s.bind(r.releaseDate)
            s.bind(r.catalogNumber)
            s.bind(r.ean)
            s.bind(r.mediaType)
            s.bind(r.submitterRecordingID)
            try s.run()
        }
    }

    private func insertOrigins(_ pk: Int64, _ e: CatalogueEntry) throws {
        for (i, o) in e.origins.enumerated() {
            try db.execute(sql: "INSERT INTO origins (work_pk, ord, data) VALUES (?, ?, ?)", arguments: [pk, i, encodeJSON(o)])
        }
        for (i, o) in e.originalWorks.enumerated() {
            try db.execute(sql: "INSERT INTO original_works (work_pk, ord, title, iswc, iswc_valid, data) VALUES (?, ?, ?, ?, ?, ?)",
                           arguments: [pk, i, o.title, o.iswc, o.iswcValid, encodeJSON(o)])
        }
    }

    private func insertKeys(_ pk: Int64, _ e: CatalogueEntry) throws {
        for k in e.keys {
            try db.execute(sql: "INSERT OR IGNORE INTO work_keys (kind, scope, value, work_pk) VALUES (?, ?, ?, ?)",
                           arguments: [k.kind, k.scope, k.value, pk])
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
        try db.execute(sql: """
            UPDATE works SET iswc = ?, iswc_valid = ?, title = ?, language = ?, duration = ?, source = ?, sender = ?,
                submitter_work_number = ?, status = ?, attributes = ?, updated_import = ?, revision = revision + 1
            WHERE pk = ?
            """, arguments: [new.iswc, new.iswcValid, new.title, new.language, new.duration, new.source, new.sender,
                             new.submitterWorkNumber, new.status, new.attributes.isEmpty ? nil : encodeJSON(new.attributes), importID, pk])
        if old.titles != new.titles || old.title != new.title || old.language != new.language {
            if old.titles != new.titles { try audit("titles", encodeJSON(old.titles), encodeJSON(new.titles)) }
            try db.execute(sql: "DELETE FROM titles WHERE work_pk = ?", arguments: [pk])
            try insertTitles(pk, new)
        }
        if old.parties != new.parties {
            try audit("parties", encodeJSON(old.parties), encodeJSON(new.parties))
            try db.execute(sql: "DELETE FROM parties WHERE work_pk = ?", arguments: [pk])
            try insertParties(pk, new)
        }
        if old.performers != new.performers {
            try audit("performers", encodeJSON(old.performers), encodeJSON(new.performers))
            try db.execute(sql: "DELETE FROM performers WHERE work_pk = ?", arguments: [pk])
            try insertPerformers(pk, new)
        }
        if old.recordings != new.recordings {
            try audit("recordings", encodeJSON(old.recordings), encodeJSON(new.recordings))
            try db.execute(sql: "DELETE FROM recordings WHERE work_pk = ?", arguments: [pk])
            try insertRecordings(pk, new)
        }
        if old.origins != new.origins || old.originalWorks != new.originalWorks {
            if old.origins != new.origins { try audit("origins", encodeJSON(old.origins), encodeJSON(new.origins)) }
            if old.originalWorks != new.originalWorks {
                try audit("original_works", encodeJSON(old.originalWorks), encodeJSON(new.originalWorks))
            }
            try db.execute(sql: "DELETE FROM origins WHERE work_pk = ?", arguments: [pk])
            try db.execute(sql: "DELETE FROM original_works WHERE work_pk = ?", arguments: [pk])
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
            try db.execute(sql: "DELETE FROM isrc_links WHERE isrc = ? AND work_id = ? AND source != 'review'", arguments: [isrc, old.workID])
            if db.changesCount > 0 {
                try CatalogueStore.audit(db, at: now, actor: options.actor, importID: importID, action: "unlink", entity: "isrc_link",
                                         entityID: old.workID, field: "isrc", old: isrc, new: nil, origin: origin)
            }
        }
    }

    // MARK: - Finishing

    func finish() throws {
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
