import Catalogue
import GRDB
import OeuvreCore

/// Review tables, added to a catalogue through `CatalogueStore.migrate`.
///
/// - `review_queue_items`: every line exported to a review queue with the candidates shown, so an
///   import can check that a row names a known line and knows which candidates were rejected.
/// - `review_log`: decisions and link changes, append-only (triggers refuse UPDATE/DELETE) and
///   hash-chained: each row's `hash` is SHA-256 of the previous row's hash and the row's content,
///   so `oeuvre audit verify` finds any row that was edited, removed or inserted out of band.
/// - `labelled_pairs`: (line, work, label) pairs learned from decisions; `oeuvre review training-set`
///   writes them with their lines and works in the files `oeuvre train --pairs` reads.
/// - `review_keys` (review-v2): per decision, the metadata key of its line when it has no ISRC (`ReviewStore.memory`);
///   since review-v3 also the line's ISRC in canonical form (upper case, no hyphens), so that a match reads only the
///   decisions about the recordings its report holds (`ReviewDecisions`).
/// - `isrc_links` is rebuilt without the catalogue's CHECK on `source`, so links imported from
///   another party keep that party's name as their source.
enum ReviewSchema {
    static func register(_ m: inout DatabaseMigrator) {
        m.registerMigration("review-v1") { db in
            try db.execute(sql: """
                CREATE TABLE review_queue_items (
                    queue_id TEXT NOT NULL,
                    line_id TEXT NOT NULL,
                    isrc TEXT,
                    title TEXT NOT NULL,
                    artist TEXT,
                    duration INTEGER,
                    plays REAL NOT NULL,
                    revenue REAL,
                    machine_decision TEXT NOT NULL,
                    candidates TEXT NOT NULL,
                    model_version TEXT,
                    exported_at TEXT NOT NULL,
                    PRIMARY KEY (queue_id, line_id)
                ) WITHOUT ROWID;
                CREATE INDEX review_queue_items_line ON review_queue_items(line_id);

                CREATE TABLE review_log (
                    seq INTEGER PRIMARY KEY AUTOINCREMENT,
                    at TEXT NOT NULL,
                    actor TEXT NOT NULL,
                    kind TEXT NOT NULL,
                    line_id TEXT,
                    work_id TEXT,
                    isrc TEXT,
                    payload TEXT NOT NULL,
                    prev_hash TEXT NOT NULL,
                    hash TEXT NOT NULL
                );
                CREATE INDEX review_log_line ON review_log(line_id);
                CREATE TRIGGER review_log_no_update BEFORE UPDATE ON review_log
                    BEGIN SELECT RAISE(ABORT, 'review_log is append-only'); END;
                CREATE TRIGGER review_log_no_delete BEFORE DELETE ON review_log
                    BEGIN SELECT RAISE(ABORT, 'review_log is append-only'); END;

                CREATE TABLE labelled_pairs (
                    id INTEGER PRIMARY KEY,
                    line_id TEXT NOT NULL,
                    work_id TEXT NOT NULL,
                    label INTEGER NOT NULL CHECK (label = 0 OR label = 1),
                    log_seq INTEGER NOT NULL REFERENCES review_log(seq)
                );
                CREATE TRIGGER labelled_pairs_no_update BEFORE UPDATE ON labelled_pairs
                    BEGIN SELECT RAISE(ABORT, 'labelled_pairs is append-only'); END;
                CREATE TRIGGER labelled_pairs_no_delete BEFORE DELETE ON labelled_pairs
                    BEGIN SELECT RAISE(ABORT, 'labelled_pairs is append-only'); END;

                CREATE TABLE isrc_links_new (
                    work_id TEXT NOT NULL,
                    isrc TEXT NOT NULL,
                    source TEXT NOT NULL,
                    confidence REAL NOT NULL,
                    first_seen TEXT NOT NULL,
                    import_id INTEGER REFERENCES imports(id),
                    PRIMARY KEY (work_id, isrc)
                ) WITHOUT ROWID;
                INSERT INTO isrc_links_new SELECT work_id, isrc, source, confidence, first_seen, import_id FROM isrc_links;
                DROP TABLE isrc_links;
                ALTER TABLE isrc_links_new RENAME TO isrc_links;
                CREATE INDEX isrc_links_isrc ON isrc_links(isrc);
                """)
        }
        // One row per decision: the metadata key of a line without a (valid) ISRC, NULL for a line with one (remembered by
        // the ISRC alone), made at import so that every match does not normalize every decision again (`ReviewStore.memory`).
        // Derived data, not part of the chain: `revision` says which readings made the key (`ReviewStore.keyRevision`), and
        // rows of another revision, or missing rows, are made again.
        m.registerMigration("review-v2") { db in
            try db.execute(sql: """
                CREATE TABLE review_keys (
                    seq INTEGER PRIMARY KEY REFERENCES review_log(seq),
                    metadata_key TEXT,
                    revision TEXT NOT NULL
                );
                """)
        }
        // The decisions a report's recordings need, found by index: the line's ISRC in canonical form (filled here from
        // the queue items; made by `storeKey` from then on), indexes on both keys, and on what tells whether every
        // decision has a key of the current readings (`ReviewDecisions`: otherwise every decision is read).
        m.registerMigration("review-v3") { db in
            try db.execute(sql: """
                ALTER TABLE review_keys ADD COLUMN isrc TEXT;
                UPDATE review_keys SET isrc = (
                    SELECT CASE WHEN length(upper(replace(q.isrc, '-', ''))) = 12 THEN upper(replace(q.isrc, '-', '')) END
                    FROM review_log l
                    JOIN review_queue_items q ON q.line_id = l.line_id AND q.queue_id = json_extract(l.payload, '$.queue_id')
                    WHERE l.seq = review_keys.seq)
                WHERE metadata_key IS NULL;
                CREATE INDEX review_keys_isrc ON review_keys(isrc) WHERE isrc IS NOT NULL;
                CREATE INDEX review_keys_metadata ON review_keys(metadata_key) WHERE metadata_key IS NOT NULL;
                CREATE INDEX review_keys_revision ON review_keys(revision);
                CREATE INDEX review_log_kind ON review_log(kind);
                """)
        }
    }
}

/// The hash chain over `review_log`.
enum ReviewChain {
    static let genesis = String(repeating: "0", count: 64)

    static func hash(prev: String, seq: Int64, at: String, actor: String, kind: String, lineId: String?, workId: String?,
                     isrc: String?, payload: String) -> String {
        // Fields joined with an unambiguous separator (U+001F) and their lengths.
        let fields = [prev, String(seq), at, actor, kind, lineId ?? "\u{0}", workId ?? "\u{0}", isrc ?? "\u{0}", payload]
        let canonical = fields.map { "\($0.utf8.count):\($0)" }.joined(separator: "\u{1F}")
        return SHA256.hex(canonical)
    }

    /// Appends one row to the chain inside the caller's transaction; returns its sequence number.
    @discardableResult
    static func append(_ db: Database, at: String, actor: String, kind: String, lineId: String?, workId: String?, isrc: String?,
                       payload: String) throws -> Int64 {
        let last = try Row.fetchOne(db.cachedStatement(sql: "SELECT seq, hash FROM review_log ORDER BY seq DESC LIMIT 1"))
        let prev: String = last?[1] ?? genesis
        let seq: Int64 = (last?[0] as Int64? ?? 0) + 1
        let h = hash(prev: prev, seq: seq, at: at, actor: actor, kind: kind, lineId: lineId, workId: workId, isrc: isrc, payload: payload)
        try db.cachedStatement(sql: """
            INSERT INTO review_log (seq, at, actor, kind, line_id, work_id, isrc, payload, prev_hash, hash)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """).execute(arguments: [seq, at, actor, kind, lineId, workId, isrc, payload, prev, h])
        return seq
    }
}
