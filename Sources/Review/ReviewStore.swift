import Catalogue
import Foundation
import Formats
import GRDB
import Matching
import Normalization
import OeuvreCore

/// The review loop on top of a catalogue: queue registration, decision import, link exchange,
/// the hash-chained review log and its verification.
public final class ReviewStore {
    public let catalogue: CatalogueStore

    /// Opens the review tables of `catalogue`, creating them on first use.
    public init(catalogue: CatalogueStore) throws {
        self.catalogue = catalogue
        try catalogue.migrate { ReviewSchema.register(&$0) }
    }

    static func timestamp() -> String {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return f.string(from: Date())
    }

    // MARK: - Queue registration

    /// Records the lines of a queue (and the candidates shown) so that an import can check its rows.
    public func registerQueue(_ items: [ReviewItem], queueId: String, modelVersion: String?) throws {
        let now = Self.timestamp()
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        try catalogue.dbQueue.write { db in
            // Prepared once for the whole queue (parsing the statement for each line was half of the registration).
            let insert = try db.makeStatement(sql: """
                INSERT INTO review_queue_items (queue_id, line_id, isrc, title, artist, duration, plays, revenue, machine_decision,
                                                candidates, model_version, exported_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (queue_id, line_id) DO UPDATE SET candidates = excluded.candidates, exported_at = excluded.exported_at
                """)
            for item in items {
                let candidates = String(decoding: try encoder.encode(item.candidates.map(\.workId)), as: UTF8.self)
                try insert.execute(arguments: [queueId, item.lineId, item.isrc, item.title, item.artist, item.duration, item.plays,
                                               item.revenue, item.machineDecision.rawValue, candidates, modelVersion, now])
            }
        }
    }

    // MARK: - Import

    /// What a reviewer decided for one line.
    public struct ParsedDecision: Sendable, Hashable {
        public var queueId: String
        public var lineId: String
        /// The accepted work id, or nil for `none`.
        public var workId: String?
        public var note: String?
        public var position: SourcePosition
    }

    /// Counts of one import.
    public struct ImportSummary: Sendable, Hashable, Codable {
        public var rows = 0
        public var skipped = 0
        public var accepted = 0
        public var rejected = 0
        public var linksAdded = 0
        public var linksExisting = 0
        /// Links from earlier review decisions that a later decision replaced or removed.
        public var linksRemoved = 0
        public var linkConflicts: [String] = []
        public var titlesLearned = 0
        public var aliasesLearned = 0
        public var pairs = 0
        /// Metadata keys of earlier decisions made again (`review_keys`: missing, or made by other readings).
        public var keysRefreshed = 0
    }

    /// Reads and checks every row of a filled-in queue. All problems are collected; any problem
    /// throws one error listing them all (nothing is written).
    public func parseDecisions(path: String) throws -> (decisions: [ParsedDecision], skipped: Int, rows: Int) {
        let reader = try DelimitedReader(path: path)
        let fields = ["queue_id", "line_id", "decision", "note", "c1_work_id", "c2_work_id", "c3_work_id"]
        let mapping = try HeaderMapping(header: reader.header, path: path, fields: fields, required: ["line_id", "decision"])
        var problems: [String] = []
        var decisions: [ParsedDecision] = []
        var skipped = 0
        var rows = 0
        var seen: Set<String> = []
        try catalogue.dbQueue.read { db in
            while let record = try reader.next() {
                rows += 1
                guard let lineId = mapping.value("line_id", in: record) else {
                    problems.append("\(mapping.position("line_id", in: record)): error: line_id: empty line id")
                    continue
                }
                guard let raw = mapping.value("decision", in: record) else {
                    skipped += 1
                    continue
                }
                let queueId = mapping.value("queue_id", in: record)
                // The line must have been exported to a review queue.
                let known: Row?
                if let queueId {
                    let inQueue = try db.cachedStatement(sql: "SELECT queue_id, candidates FROM review_queue_items WHERE queue_id = ? AND line_id = ?")
                    known = try Row.fetchOne(inQueue, arguments: [queueId, lineId])
                } else {
                    let latest = try db.cachedStatement(sql: """
                        SELECT queue_id, candidates FROM review_queue_items WHERE line_id = ? ORDER BY exported_at DESC LIMIT 1
                        """)
                    known = try Row.fetchOne(latest, arguments: [lineId])
                }
                guard let known else {
                    problems.append("\(mapping.position("line_id", in: record)): error: line_id: unknown line '\(lineId)' (not in any exported review queue)")
                    continue
                }
                let key = (known[0] as String) + "\u{1F}" + lineId
                if seen.contains(key) {
                    problems.append("\(mapping.position("line_id", in: record)): error: line_id: line '\(lineId)' appears twice")
                    continue
                }
                seen.insert(key)
                let decided = raw.trimmingASCIIWhitespace()
                var workId: String?
                if decided.lowercased() == "none" {
                    workId = nil
                } else {
                    var candidateId = decided
                    if let n = Int(decided), (1...ReviewQueueWriter.candidatesShown).contains(n) {
                        guard let id = mapping.value("c\(n)_work_id", in: record) else {
                            problems.append("\(mapping.position("decision", in: record)): error: decision: '\(decided)' names candidate \(n), which this row does not have")
                            continue
                        }
                        candidateId = id
                    }
                    let byId = try db.cachedStatement(sql: "SELECT work_id FROM works WHERE work_id = ?")
                    let byISWC = try db.cachedStatement(sql: "SELECT work_id FROM works WHERE iswc = ? LIMIT 2")
                    if let id = try String.fetchOne(byId, arguments: [candidateId]) {
                        workId = id
                    } else if let iswc = ISWC.parse(candidateId),
                              let ids = Optional(try String.fetchAll(byISWC, arguments: [iswc.value])),
                              ids.count == 1 {
                        workId = ids[0]
                    } else {
                        problems.append("\(mapping.position("decision", in: record)): error: decision: unknown work id '\(decided)' (expected a work id, an ISWC of one work, 1-\(ReviewQueueWriter.candidatesShown) or none)")
                        continue
                    }
                }
                decisions.append(ParsedDecision(queueId: known[0], lineId: lineId, workId: workId, note: mapping.value("note", in: record),
                                                position: SourcePosition(file: path, line: record.line)))
            }
        }
        if !problems.isEmpty {
            throw OeuvreError(.invalidInput, "\(problems.count) bad row(s) in \(path); nothing was imported:\n" + problems.joined(separator: "\n"))
        }
        return (decisions, skipped, rows)
    }

    /// Imports a filled-in queue in one transaction: decisions (who, when, file, model version),
    /// ISRC links for accepted lines (an existing link to another work is reported, not
    /// overwritten), learned titles and performer aliases, and labelled pairs.
    public func importDecisions(path: String, reviewer: String) throws -> ImportSummary {
        let (decisions, skipped, rows) = try parseDecisions(path: path)
        var summary = ImportSummary()
        summary.rows = rows
        summary.skipped = skipped
        let builder = ProfileBuilder()
        let now = Self.timestamp()
        let file = (path as NSString).lastPathComponent
        try catalogue.write { db in
            // Keys made by other readings (an upgrade) or never made (decisions imported before review-v2) are made again.
            summary.keysRefreshed = try Self.refreshKeys(db, builder: builder)
            for d in decisions {
                guard let item = try Row.fetchOne(db.cachedStatement(sql: """
                    SELECT isrc, title, artist, candidates, model_version FROM review_queue_items WHERE queue_id = ? AND line_id = ?
                    """), arguments: [d.queueId, d.lineId]) else { continue }
                let isrc: String? = item[0]
                let title: String = item[1]
                let artist: String? = item[2]
                let shown = (try? JSONDecoder().decode([String].self, from: Data((item[3] as String).utf8))) ?? []
                let modelVersion: String? = item[4]
                var payload: [String: String] = ["decision": d.workId ?? "none", "reviewer": reviewer, "source_file": file,
                                                 "queue_id": d.queueId, "title": title]
                if let modelVersion { payload["model_version"] = modelVersion }
                if let note = d.note { payload["note"] = note }
                if let artist { payload["artist"] = artist }
                let seq = try ReviewChain.append(db, at: now, actor: reviewer, kind: "decision", lineId: d.lineId, workId: d.workId,
                                                 isrc: isrc, payload: Self.json(payload))
                try Self.storeKey(db, seq: seq, isrc: isrc, title: title, artist: artist, builder: builder)
                // Labelled pairs: accepted = 1, every other candidate shown = 0.
                var labelled: [(String, Int)] = shown.filter { $0 != d.workId }.map { ($0, 0) }
                if let w = d.workId { labelled.append((w, 1)) }
                for (w, label) in labelled {
                    try db.cachedStatement(sql: "INSERT INTO labelled_pairs (line_id, work_id, label, log_seq) VALUES (?, ?, ?, ?)")
                        .execute(arguments: [d.lineId, w, label, seq])
                    summary.pairs += 1
                }
                if let isrc { try linkDecision(db, isrc: isrc, workId: d.workId, lineId: d.lineId, reviewer: reviewer, at: now, into: &summary) }
                guard let workId = d.workId else { summary.rejected += 1; continue }
                summary.accepted += 1
                guard let pk = try Int64.fetchOne(db.cachedStatement(sql: "SELECT pk FROM works WHERE work_id = ?"), arguments: [workId]) else { continue }
                // Learned title: the reported core title when the work has no title with the same core.
                let lineProfile = builder.line(UsageLine(lineId: d.lineId, title: title, artist: artist))
                let titles = try String.fetchAll(db.cachedStatement(sql: "SELECT text FROM titles WHERE work_pk = ?"), arguments: [pk])
                let cores = Set(titles.map { builder.parser.parse($0).core })
                // Not when one of the work's titles already reaches the reported one: a core title inside the reported
                // core ("Tokyo - Lil Hometown": text appended to the title), the reported core inside one (a truncated
                // title), or a spelling close enough for retrieval to find (trigram cosine ≥ `learnedTitleMaxCosine`: a
                // typo, "Lovin" for "Loving"). Such a title adds no reading the matcher lacks, and a short one makes a
                // namesake of other works; the reviewed recording itself is remembered (`ReviewMemory`).
                let lineGrams = TextSketch(lineProfile.title).grams
                if !lineProfile.title.isEmpty
                    && !cores.contains(where: { Self.containsWords($0, in: lineProfile.title) || Self.containsWords(lineProfile.title, in: $0) })
                    && !cores.contains(where: { Similarity.cosine(TextSketch($0).grams, lineGrams) >= Self.learnedTitleMaxCosine }) {
                    let ord = (try Int.fetchOne(db.cachedStatement(sql: "SELECT max(ord) FROM titles WHERE work_pk = ?"), arguments: [pk]) ?? 0) + 1
                    try db.cachedStatement(sql: "INSERT INTO titles (work_pk, ord, text, kind) VALUES (?, ?, ?, 'learned')")
                        .execute(arguments: [pk, ord, title])
                    try ReviewChain.append(db, at: now, actor: reviewer, kind: "title", lineId: d.lineId, workId: workId, isrc: nil,
                                           payload: Self.json(["title": title]))
                    summary.titlesLearned += 1
                }
                // Performer alias: the reported artist of a work registered without performers. A work that has
                // performers keeps them as registered: a reported artist that is none of them is a cover's performer or an
                // upload channel ("MrSongs1962"), and each one added dilutes the work's performer evidence for every other
                // line (`performer_in_line_record`, `record_token_jaccard`). On the seeds, these aliases and the titles with
                // appended text above turned 8 correct auto-matches into reviews (docs/REVIEW.md). The reviewed recording
                // itself is remembered (`ReviewMemory`). A channel that names its artist ("Bob Dylan - Topic") gives the artist.
                if let artist, !lineProfile.artists.isEmpty,
                   try Int.fetchOne(db.cachedStatement(sql: "SELECT count(*) FROM performers WHERE work_pk = ?"), arguments: [pk]) == 0 {
                    let name = ChannelName.artist(artist).trimmingASCIIWhitespace()
                    try db.cachedStatement(sql: "INSERT INTO performers (work_pk, ord, name) VALUES (?, 0, ?)")
                        .execute(arguments: [pk, name])
                    try ReviewChain.append(db, at: now, actor: reviewer, kind: "alias", lineId: d.lineId, workId: workId, isrc: nil,
                                           payload: Self.json(["performer": name]))
                    summary.aliasesLearned += 1
                }
            }
        }
        return summary
    }

    /// The ISRC links a decision about a line with an ISRC leaves.
    ///
    /// An accepted work is linked. Links the ISRC has from earlier review decisions give way to a later one: a
    /// reviewer correcting a decision, or deciding `none` for a recording accepted before, replaces or removes them
    /// (each change in the review log). Links from registrations and other parties are never changed: a decision
    /// against one is reported as a conflict.
    func linkDecision(_ db: Database, isrc: String, workId: String?, lineId: String, reviewer: String, at now: String,
                      into summary: inout ImportSummary) throws {
        let existing = try Row.fetchAll(db.cachedStatement(sql: "SELECT work_id, source FROM isrc_links WHERE isrc = ? ORDER BY work_id"), arguments: [isrc])
        let fromReview = existing.filter { ($0[1] as String) == "review" }.map { $0[0] as String }
        let fromOthers = existing.filter { ($0[1] as String) != "review" }.map { $0[0] as String }
        if let workId, existing.contains(where: { ($0[0] as String) == workId }) {
            summary.linksExisting += 1
        } else if !fromOthers.isEmpty {
            let decided = workId.map { "reviewer chose \($0)" } ?? "reviewer decided none"
            summary.linkConflicts.append("\(isrc): \(decided), already linked to \(fromOthers.joined(separator: ", "))")
            try ReviewChain.append(db, at: now, actor: reviewer, kind: "link-conflict", lineId: lineId, workId: workId, isrc: isrc,
                                   payload: Self.json(["existing": fromOthers.joined(separator: "|"), "source": "review"]))
        } else if let workId {
            try db.cachedStatement(sql: "INSERT INTO isrc_links (work_id, isrc, source, confidence, first_seen) VALUES (?, ?, 'review', 1.0, ?)")
                .execute(arguments: [workId, isrc, now])
            try ReviewChain.append(db, at: now, actor: reviewer, kind: "link-add", lineId: lineId, workId: workId, isrc: isrc,
                                   payload: Self.json(["source": "review", "confidence": "1"]))
            summary.linksAdded += 1
        }
        // Earlier review links to other works go, unless a registration's link kept the decision from applying.
        guard fromOthers.isEmpty || workId.map({ w in existing.contains { ($0[0] as String) == w } }) == true else { return }
        for old in fromReview where old != workId {
            try db.cachedStatement(sql: "DELETE FROM isrc_links WHERE isrc = ? AND work_id = ? AND source = 'review'")
                .execute(arguments: [isrc, old])
            try ReviewChain.append(db, at: now, actor: reviewer, kind: "link-remove", lineId: lineId, workId: old, isrc: isrc,
                                   payload: Self.json(["source": "review", "replaced_by": workId ?? "none"]))
            summary.linksRemoved += 1
        }
    }

    /// A reported title is learned only when its trigram cosine with each of the work's titles is below this: closer
    /// spellings are found by retrieval already (docs/REVIEW.md: on two generated months, 8 titles learned instead of
    /// 48 with the same month-2 figures; on shs100k, reviewing the train split's lines moves val top-1 by ±0.0005 with
    /// any rule).
    static let learnedTitleMaxCosine: Float = 0.5

    /// Whether the words of `part` occur as a run of whole words in `whole` (normalized texts, words split at spaces).
    static func containsWords(_ part: String, in whole: String) -> Bool {
        guard !part.isEmpty else { return false }
        return (" " + whole + " ").contains(" " + part + " ")
    }

    static func json(_ dict: [String: String]) -> String {
        let data = (try? JSONSerialization.data(withJSONObject: dict, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self)
    }

    // MARK: - Audit

    /// Result of checking the review log's hash chain.
    public struct AuditVerification: Sendable, Hashable {
        public var rows: Int
        /// The first row that does not verify, and why; nil when the chain is intact.
        public var firstBad: (seq: Int64, reason: String)?

        public static func == (a: Self, b: Self) -> Bool { a.rows == b.rows && a.firstBad?.seq == b.firstBad?.seq }
        public func hash(into h: inout Hasher) { h.combine(rows); h.combine(firstBad?.seq) }
    }

    /// Recomputes the chain from the first row; reports the first row whose hash, link to the
    /// previous row or sequence number does not verify.
    public func verifyAudit() throws -> AuditVerification {
        try catalogue.dbQueue.read { db in
            var prev = ReviewChain.genesis
            var expectedSeq: Int64 = 1
            var rows = 0
            let cursor = try Row.fetchCursor(db, sql: "SELECT seq, at, actor, kind, line_id, work_id, isrc, payload, prev_hash, hash FROM review_log ORDER BY seq")
            while let r = try cursor.next() {
                rows += 1
                let seq: Int64 = r[0]
                if seq != expectedSeq {
                    return AuditVerification(rows: rows, firstBad: (seq, "sequence gap: expected \(expectedSeq) (a row was removed)"))
                }
                let stored: String = r[9]
                if (r[8] as String) != prev {
                    return AuditVerification(rows: rows, firstBad: (seq, "prev_hash does not match the previous row's hash"))
                }
                let h = ReviewChain.hash(prev: prev, seq: seq, at: r[1], actor: r[2], kind: r[3], lineId: r[4], workId: r[5], isrc: r[6], payload: r[7])
                if h != stored {
                    return AuditVerification(rows: rows, firstBad: (seq, "content does not match its hash (the row was edited)"))
                }
                prev = stored
                expectedSeq += 1
            }
            if let maxSeq = try Int64.fetchOne(db, sql: "SELECT seq FROM sqlite_sequence WHERE name = 'review_log'"), maxSeq >= expectedSeq {
                return AuditVerification(rows: rows, firstBad: (expectedSeq, "rows from \(expectedSeq) to \(maxSeq) were removed"))
            }
            return AuditVerification(rows: rows, firstBad: nil)
        }
    }

    // MARK: - Links exchange

    public static let linkColumns = ["isrc", "iswc", "work_id", "source", "confidence", "first_seen"]

    /// Writes every ISRC → work link as TSV (`isrc, iswc, work_id, source, confidence, first_seen`).
    public func exportLinks(to path: String) throws -> Int {
        let out = try AtomicFileWriter(path: path)
        out.write(Self.linkColumns.joined(separator: "\t") + "\n")
        var n = 0
        try catalogue.dbQueue.read { db in
            let cursor = try Row.fetchCursor(db, sql: """
                SELECT l.isrc, w.iswc, l.work_id, l.source, l.confidence, l.first_seen
                FROM isrc_links l LEFT JOIN works w ON w.work_id = l.work_id AND w.iswc_valid = 1
                ORDER BY l.isrc, l.work_id
                """)
            while let r = try cursor.next() {
                let cells: [String] = [r[0], (r[1] as String?) ?? "", r[2], r[3], String(r[4] as Double), r[5]]
                out.write(cells.map(tsvCell).joined(separator: "\t") + "\n")
                n += 1
            }
        }
        try out.commit()
        return n
    }

    public struct LinksImportSummary: Sendable, Hashable, Codable {
        public var rows = 0
        public var added = 0
        public var existing = 0
        public var conflicts: [String] = []
    }

    /// Imports another party's link file (`isrc` and `work_id` and/or `iswc`; optional `confidence`,
    /// `first_seen`). Every row is checked first (unknown work, bad ISRC → nothing is written).
    /// A link to a different work than an existing one is a conflict: flagged, reported, logged,
    /// never overwritten.
    public func importLinks(path: String, source: String, actor: String) throws -> LinksImportSummary {
        let reader = try DelimitedReader(path: path)
        let mapping = try HeaderMapping(header: reader.header, path: path, fields: ["isrc", "iswc", "work_id", "confidence", "first_seen"],
                                        required: ["isrc"])
        guard mapping.has("work_id") || mapping.has("iswc") else {
            throw OeuvreError(.invalidInput, "a links file needs a work_id or an iswc column", at: SourcePosition(file: path, line: 1))
        }
        var problems: [String] = []
        var rows: [(isrc: String, workId: String, confidence: Double, line: Int)] = []
        try catalogue.dbQueue.read { db in
            while let record = try reader.next() {
                guard let rawISRC = mapping.value("isrc", in: record), let isrc = ISRC.parse(rawISRC) else {
                    problems.append("\(mapping.position("isrc", in: record)): error: isrc: invalid or empty ISRC")
                    continue
                }
                var workId: String?
                if let id = mapping.value("work_id", in: record) {
                    workId = try String.fetchOne(db.cachedStatement(sql: "SELECT work_id FROM works WHERE work_id = ?"), arguments: [id])
                    if workId == nil {
                        problems.append("\(mapping.position("work_id", in: record)): error: work_id: unknown work id '\(id)'")
                        continue
                    }
                } else if let raw = mapping.value("iswc", in: record) {
                    guard let iswc = ISWC.parse(raw) else {
                        problems.append("\(mapping.position("iswc", in: record)): error: iswc: invalid ISWC '\(raw)'")
                        continue
                    }
                    let ids = try String.fetchAll(db.cachedStatement(sql: "SELECT work_id FROM works WHERE iswc = ? LIMIT 2"), arguments: [iswc.value])
                    guard ids.count == 1 else {
                        problems.append("\(mapping.position("iswc", in: record)): error: iswc: \(ids.isEmpty ? "no work" : "several works") with ISWC \(iswc.value)")
                        continue
                    }
                    workId = ids[0]
                }
                guard let workId else {
                    problems.append("\(SourcePosition(file: path, line: record.line)): error: no work_id or iswc")
                    continue
                }
                var confidence = 1.0
                if let c = mapping.value("confidence", in: record) {
                    guard let v = Double(c), v.isFinite, v >= 0, v <= 1 else {
                        problems.append("\(mapping.position("confidence", in: record)): error: confidence: expected a number in 0…1, got '\(c)'")
                        continue
                    }
                    confidence = v
                }
                rows.append((isrc.value, workId, confidence, record.line))
            }
        }
        if !problems.isEmpty {
            throw OeuvreError(.invalidInput, "\(problems.count) bad row(s) in \(path); nothing was imported:\n" + problems.joined(separator: "\n"))
        }
        var summary = LinksImportSummary()
        summary.rows = rows.count
        let now = Self.timestamp()
        try catalogue.write { db in
            for row in rows {
                let existing = try String.fetchAll(db.cachedStatement(sql: "SELECT work_id FROM isrc_links WHERE isrc = ?"), arguments: [row.isrc])
                if existing.contains(row.workId) {
                    summary.existing += 1
                } else if !existing.isEmpty {
                    summary.conflicts.append("\(path):\(row.line): \(row.isrc) → \(row.workId) from \(source) conflicts with existing link to \(existing.joined(separator: ", "))")
                    try ReviewChain.append(db, at: now, actor: actor, kind: "link-conflict", lineId: nil, workId: row.workId, isrc: row.isrc,
                                           payload: Self.json(["existing": existing.joined(separator: "|"), "source": source]))
                } else {
                    try db.cachedStatement(sql: "INSERT INTO isrc_links (work_id, isrc, source, confidence, first_seen) VALUES (?, ?, ?, ?, ?)")
                        .execute(arguments: [row.workId, row.isrc, source, row.confidence, now])
                    try ReviewChain.append(db, at: now, actor: actor, kind: "link-add", lineId: nil, workId: row.workId, isrc: row.isrc,
                                           payload: Self.json(["source": source, "confidence": String(row.confidence)]))
                    summary.added += 1
                }
            }
        }
        return summary
    }

    // MARK: - Stats and training data

    /// Every reviewer decision as the matcher remembers it (`ReviewMemory`): under the line's ISRC and its normalized
    /// metadata, the accepted work and the candidates shown and not chosen; the latest decision for a key wins.
    /// Reads only: a catalogue without review tables (never reviewed) gives an empty memory and is left as it is.
    ///
    /// A decision about a line with an ISRC is remembered under the ISRC alone. Otherwise its metadata key is read from
    /// `review_keys` (made at import) when the same readings made it (`keyRevision`), else made here from the line's
    /// title and artist (`ProfileBuilder.recordingFields`, which every match ran for every decision before review-v2);
    /// `oeuvre review import` stores the keys made again.
    public static func memory(of catalogue: CatalogueStore, builder: ProfileBuilder = ProfileBuilder()) throws -> ReviewMemory {
        try catalogue.dbQueue.read { db in
            guard try db.tableExists("review_log"), try db.tableExists("review_queue_items") else { return ReviewMemory() }
            let stored = try db.tableExists("review_keys")
            var memory = ReviewMemory()
            let rows = try Row.fetchCursor(db, sql: """
                SELECT l.seq, l.work_id, q.isrc, q.title, q.artist, q.candidates, \(stored ? "k.metadata_key, k.revision" : "NULL, NULL")
                FROM review_log l
                JOIN review_queue_items q ON q.line_id = l.line_id AND q.queue_id = json_extract(l.payload, '$.queue_id')
                \(stored ? "LEFT JOIN review_keys k ON k.seq = l.seq" : "")
                WHERE l.kind = 'decision'
                ORDER BY l.seq
                """)
            let revision = keyRevision
            while let r = try rows.next() {
                let isrc: String? = r[2]
                let key: String?
                if isrc.flatMap(ISRCKey.pack) != nil {
                    key = nil
                } else if (r[7] as String?) == revision {
                    key = r[6]
                } else {
                    key = metadataKey(title: r[3], artist: r[4], builder: builder)
                }
                memory.record(isrc: isrc, metadataKey: key, decision(seq: r[0], accepted: r[1], shown: r[5]))
            }
            return memory
        }
    }

    /// A decision as the memory keeps it; `shown` is the JSON array of the candidates' work ids.
    static func decision(seq: Int64, accepted: String?, shown: String) -> ReviewMemory.Decision {
        let rejected = (try? JSONSerialization.jsonObject(with: Data(shown.utf8))) as? [String] ?? []
        return ReviewMemory.Decision(accepted: accepted, rejected: Set(rejected), sequence: seq)
    }

    /// What `review_keys.revision` holds: the index format and the readings fingerprint, which change whenever the
    /// profiles (and so the metadata keys) made from the same text may change.
    public static let keyRevision = "format \(MatchIndex.formatVersion); readings \(MatchIndex.readingsFingerprint)"

    /// The metadata key of a reviewed line without an ISRC (only the fields the key is made of: a whole line profile
    /// costs ≈ 3× more).
    static func metadataKey(title: String, artist: String?, builder: ProfileBuilder) -> String? {
        let f = builder.recordingFields(UsageLine(lineId: "", title: title, artist: artist))
        return ReviewMemory.metadataKey(title: f.title, tags: f.tags, artists: f.artists)
    }

    /// Stores the keys of decision `seq`: the metadata key of a line without an ISRC, or the canonical ISRC of a line
    /// with one (it is remembered by the ISRC alone).
    static func storeKey(_ db: Database, seq: Int64, isrc: String?, title: String, artist: String?, builder: ProfileBuilder) throws {
        let canonical = isrc.flatMap(ReviewMemory.canonicalISRC)
        let key = canonical == nil ? metadataKey(title: title, artist: artist, builder: builder) : nil
        try db.cachedStatement(sql: "INSERT OR REPLACE INTO review_keys (seq, metadata_key, revision, isrc) VALUES (?, ?, ?, ?)")
            .execute(arguments: [seq, key, keyRevision, canonical])
    }

    /// Makes again the keys of decisions without an ISRC whose key is missing or of another revision; returns how many.
    static func refreshKeys(_ db: Database, builder: ProfileBuilder) throws -> Int {
        let stale = try Row.fetchAll(db.cachedStatement(sql: """
            SELECT l.seq, q.isrc, q.title, q.artist
            FROM review_log l
            JOIN review_queue_items q ON q.line_id = l.line_id AND q.queue_id = json_extract(l.payload, '$.queue_id')
            LEFT JOIN review_keys k ON k.seq = l.seq
            WHERE l.kind = 'decision' AND (k.seq IS NULL OR k.revision != ?)
            """), arguments: [keyRevision])
        for r in stale { try storeKey(db, seq: r[0], isrc: r[1], title: r[2], artist: r[3], builder: builder) }
        return stale.count
    }

    public struct ReviewedLine: Sendable, Hashable {
        public var lineId: String
        public var isrc: String?
        public var title: String
        public var artist: String?
        public var duration: Int?
        public var plays: Double
        public var decision: String?
        public var machineTop: String?
        public var machineDecision: String
    }

    /// The latest decision for every reviewed line with what the machine had proposed.
    public func reviewedLines() throws -> [ReviewedLine] {
        try catalogue.dbQueue.read { db in
            let rows = try Row.fetchAll(db, sql: """
                SELECT l.line_id, l.work_id, q.isrc, q.title, q.artist, q.duration, q.plays, q.candidates, q.machine_decision
                FROM review_log l
                JOIN review_queue_items q ON q.line_id = l.line_id AND q.queue_id = json_extract(l.payload, '$.queue_id')
                WHERE l.kind = 'decision'
                  AND l.seq = (SELECT max(seq) FROM review_log l2 WHERE l2.kind = 'decision' AND l2.line_id = l.line_id)
                ORDER BY l.line_id
                """)
            return rows.map { r in
                let shown = (try? JSONDecoder().decode([String].self, from: Data((r[7] as String).utf8))) ?? []
                return ReviewedLine(lineId: r[0], isrc: r[2], title: r[3], artist: r[4], duration: r[5], plays: r[6], decision: r[1],
                                    machineTop: shown.first, machineDecision: r[8])
            }
        }
    }

    /// Writes the labelled pairs with their lines and works as `pairs.tsv`, `usage.tsv` and
    /// `works.csv` in `directory` — the three files `oeuvre train --pairs --usage --works` reads — and each line's
    /// latest decision as `truth.tsv` (for `oeuvre train --truth truth.tsv --usage usage.tsv --db CATALOGUE`).
    public func writeTrainingSet(directory: String) throws -> (pairs: Int, lines: Int, works: Int) {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let (pairs, lines) = try catalogue.dbQueue.read { db -> ([Row], [Row]) in
            let p = try Row.fetchAll(db, sql: "SELECT line_id, work_id, label FROM labelled_pairs ORDER BY id")
            let l = try Row.fetchAll(db, sql: """
                SELECT q.line_id, q.isrc, q.title, q.artist, q.duration, q.plays FROM review_queue_items q
                WHERE q.line_id IN (SELECT line_id FROM labelled_pairs)
                  AND q.exported_at = (SELECT max(exported_at) FROM review_queue_items q2 WHERE q2.line_id = q.line_id)
                GROUP BY q.line_id ORDER BY q.line_id
                """)
            return (p, l)
        }
        // Latest label per (line, work) wins (a line reviewed twice).
        var latest: [String: (String, String, Int)] = [:]
        var order: [String] = []
        for r in pairs {
            let key = (r[0] as String) + "\u{1F}" + (r[1] as String)
            if latest[key] == nil { order.append(key) }
            latest[key] = (r[0], r[1], r[2])
        }
        let pairsOut = try AtomicFileWriter(path: directory + "/pairs.tsv")
        pairsOut.write("line_id\twork_id\tlabel\n")
        var workIds: Set<String> = []
        for key in order {
            guard let (l, w, label) = latest[key] else { continue }
            pairsOut.write("\(tsvCell(l))\t\(tsvCell(w))\t\(label)\n")
            workIds.insert(w)
        }
        let usageOut = try AtomicFileWriter(path: directory + "/usage.tsv")
        usageOut.write("line_id\tisrc\ttitle\tartist\tduration\tplays\n")
        for r in lines {
            let cells: [String] = [r[0], (r[1] as String?) ?? "", r[2], (r[3] as String?) ?? "", (r[4] as Int?).map(String.init) ?? "",
                                   ReviewQueueWriter.formatNumber(r[5])]
            usageOut.write(cells.map(tsvCell).joined(separator: "\t") + "\n")
        }
        let worksOut = try AtomicFileWriter(path: directory + "/works.csv")
        worksOut.write("work_id,iswc,title,alt_titles,writers,writer_ipis,performers,isrcs,duration\n")
        for id in workIds.sorted() {
            guard let w = try catalogue.work(id: id) else { continue }
            let alts = w.titles.filter { $0.kind != .original }.map(\.text)
            let writers = w.writers
            let cells = [w.id, w.iswc ?? "", w.title, alts.joined(separator: "|"), writers.map(\.name).joined(separator: "|"),
                         writers.contains(where: { $0.ipiName != nil }) ? writers.map { $0.ipiName ?? "" }.joined(separator: "|") : "",
                         w.performers.joined(separator: "|"), "", w.duration.map(String.init) ?? ""]
            worksOut.write(cells.map(csvCell).joined(separator: ",") + "\n")
        }
        // The latest decision per line as a truth table (an empty work id: decided none), for `oeuvre train --truth
        // truth.tsv --usage usage.tsv --db CATALOGUE`: the matcher's own candidates labelled by the reviewers.
        let truthOut = try AtomicFileWriter(path: directory + "/truth.tsv")
        truthOut.write("line_id\twork_id\n")
        let written = Set(lines.map { $0[0] as String })
        for line in try reviewedLines() where written.contains(line.lineId) {
            truthOut.write("\(tsvCell(line.lineId))\t\(tsvCell(line.decision ?? ""))\n")
        }
        try pairsOut.commit()
        try usageOut.commit()
        try worksOut.commit()
        try truthOut.commit()
        return (order.count, lines.count, workIds.count)
    }
}
