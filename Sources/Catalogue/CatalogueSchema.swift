import GRDB

/// The catalogue's tables, created and upgraded with GRDB's `DatabaseMigrator`.
///
/// Add a migration for every schema change (never edit a shipped one). Other modules add their own
/// tables with `CatalogueStore.migrate(_:)` and their own migration identifiers (prefix them with
/// the module name, e.g. `review-v1`); GRDB ignores identifiers it does not know, so a store opened
/// without them still works. See docs/catalogue.md for the table reference.
enum CatalogueSchema {
    static var migrator: DatabaseMigrator {
        var m = DatabaseMigrator()
        m.registerMigration("catalogue-v1") { db in
            try db.execute(sql: """
                CREATE TABLE meta (key TEXT PRIMARY KEY NOT NULL, value TEXT NOT NULL);

                -- One row per imported file (committed in the same transaction as its data).
                CREATE TABLE imports (
                    id INTEGER PRIMARY KEY,
                    file_name TEXT NOT NULL,
                    sha256 TEXT NOT NULL UNIQUE,
                    format TEXT NOT NULL,
                    sender TEXT,
                    imported_at TEXT NOT NULL,
                    works_added INTEGER NOT NULL,
                    works_updated INTEGER NOT NULL,
                    works_unchanged INTEGER NOT NULL,
                    transactions INTEGER NOT NULL,
                    records INTEGER NOT NULL,
                    skipped_records INTEGER NOT NULL,
                    invalid_identifiers INTEGER NOT NULL,
                    warnings INTEGER NOT NULL,
                    duration_ms INTEGER NOT NULL
                );

                CREATE TABLE works (
                    pk INTEGER PRIMARY KEY,
                    work_id TEXT NOT NULL UNIQUE,
                    iswc TEXT,
                    iswc_valid INTEGER NOT NULL DEFAULT 1,
                    title TEXT NOT NULL,
                    language TEXT,
                    duration INTEGER,
                    source TEXT NOT NULL,
                    sender TEXT,
                    submitter_work_number TEXT,
                    status TEXT,
                    attributes TEXT,
                    created_import INTEGER REFERENCES imports(id),
                    updated_import INTEGER REFERENCES imports(id),
                    revision INTEGER NOT NULL DEFAULT 0
                );
                CREATE INDEX works_iswc ON works(iswc, iswc_valid) WHERE iswc IS NOT NULL;

                CREATE TABLE work_keys (
                    kind TEXT NOT NULL,
                    scope TEXT NOT NULL,
                    value TEXT NOT NULL,
                    work_pk INTEGER NOT NULL REFERENCES works(pk) ON DELETE CASCADE,
                    PRIMARY KEY (kind, scope, value)
                ) WITHOUT ROWID;
                CREATE INDEX work_keys_value ON work_keys(value);
                CREATE INDEX work_keys_work ON work_keys(work_pk);

                -- Every title of a work, the original first (ord 0). kind: original|alternate|recording|learned.
                CREATE TABLE titles (
                    work_pk INTEGER NOT NULL REFERENCES works(pk) ON DELETE CASCADE,
                    ord INTEGER NOT NULL,
                    text TEXT NOT NULL,
                    kind TEXT NOT NULL,
                    cwr_type TEXT,
                    language TEXT,
                    PRIMARY KEY (work_pk, ord)
                ) WITHOUT ROWID;

                CREATE TABLE parties (
                    work_pk INTEGER NOT NULL REFERENCES works(pk) ON DELETE CASCADE,
                    ord INTEGER NOT NULL,
                    role TEXT NOT NULL,
                    name TEXT NOT NULL,
                    last_name TEXT,
                    first_name TEXT,
                    designation TEXT,
                    interested_party TEXT,
                    ipi_name TEXT,
                    ipi_name_valid INTEGER NOT NULL DEFAULT 1,
                    ipi_base TEXT,
                    ipi_base_valid INTEGER NOT NULL DEFAULT 1,
                    controlled INTEGER NOT NULL DEFAULT 0,
                    unknown INTEGER NOT NULL DEFAULT 0,
                    pr_society TEXT, mr_society TEXT, sr_society TEXT,
                    pr_share REAL, mr_share REAL, sr_share REAL,
                    chain INTEGER,
                    publishers TEXT,
                    territories TEXT,
                    PRIMARY KEY (work_pk, ord)
                ) WITHOUT ROWID;

                CREATE TABLE performers (
                    work_pk INTEGER NOT NULL REFERENCES works(pk) ON DELETE CASCADE,
                    ord INTEGER NOT NULL,
                    name TEXT NOT NULL,
                    ipi_name TEXT,
                    ipi_name_valid INTEGER NOT NULL DEFAULT 1,
                    ipi_base TEXT,
                    ipi_base_valid INTEGER NOT NULL DEFAULT 1,
                    PRIMARY KEY (work_pk, ord)
                ) WITHOUT ROWID;

                CREATE TABLE recordings (
                    work_pk INTEGER NOT NULL REFERENCES works(pk) ON DELETE CASCADE,
                    ord INTEGER NOT NULL,
                    isrc TEXT,
                    isrc_valid INTEGER NOT NULL DEFAULT 1,
                    title TEXT,
                    version_title TEXT,
                    artist TEXT,
                    duration INTEGER,
                    label TEXT,
                    release TEXT,
                    release_date TEXT,
                    catalog_number TEXT,
                    ean TEXT,
                    media_type TEXT,
                    submitter_recording_id TEXT,
                    PRIMARY KEY (work_pk, ord)
                ) WITHOUT ROWID;

                -- ISRC → work links. source: cwr (REC record) | import (works CSV) | review (a person's decision).
                -- Keyed by work so that imports append; the ISRC index serves lookups by recording.
                -- (The CHECK avoids `IN (…)`: SQLite builds an ephemeral table for it on every insert.)
                CREATE TABLE isrc_links (
                    work_id TEXT NOT NULL,
                    isrc TEXT NOT NULL,
                    source TEXT NOT NULL CHECK (source = 'cwr' OR source = 'import' OR source = 'review'),
                    confidence REAL NOT NULL,
                    first_seen TEXT NOT NULL,
                    import_id INTEGER REFERENCES imports(id),
                    PRIMARY KEY (work_id, isrc)
                ) WITHOUT ROWID;
                CREATE INDEX isrc_links_isrc ON isrc_links(isrc);

                -- CWR ORN: productions the work was written for.
                CREATE TABLE origins (
                    work_pk INTEGER NOT NULL REFERENCES works(pk) ON DELETE CASCADE,
                    ord INTEGER NOT NULL,
                    data TEXT NOT NULL,
                    PRIMARY KEY (work_pk, ord)
                ) WITHOUT ROWID;

                -- CWR VER: the original work a version is based on.
                CREATE TABLE original_works (
                    work_pk INTEGER NOT NULL REFERENCES works(pk) ON DELETE CASCADE,
                    ord INTEGER NOT NULL,
                    title TEXT NOT NULL,
                    iswc TEXT,
                    iswc_valid INTEGER NOT NULL DEFAULT 1,
                    data TEXT NOT NULL,
                    PRIMARY KEY (work_pk, ord)
                ) WITHOUT ROWID;

                -- Changes, append-only (the triggers refuse UPDATE and DELETE).
                CREATE TABLE audit (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    at TEXT NOT NULL,
                    actor TEXT NOT NULL,
                    import_id INTEGER,
                    action TEXT NOT NULL,
                    entity TEXT NOT NULL,
                    entity_id TEXT NOT NULL,
                    field TEXT,
                    old_value TEXT,
                    new_value TEXT,
                    origin TEXT
                );
                CREATE INDEX audit_entity ON audit(entity, entity_id);
                CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
                    BEGIN SELECT RAISE(ABORT, 'the audit table is append-only'); END;
                CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
                    BEGIN SELECT RAISE(ABORT, 'the audit table is append-only'); END;
                """)
        }
        // The same file imported with other `--map` renames is another import: uniqueness moves from
        // sha256 to (sha256, mapping). SQLite cannot drop a constraint, so the table is rebuilt
        // (GRDB runs migrations with foreign keys off and checks them at the end).
        m.registerMigration("catalogue-v2") { db in
            try db.execute(sql: """
                CREATE TABLE imports_new (
                    id INTEGER PRIMARY KEY,
                    file_name TEXT NOT NULL,
                    sha256 TEXT NOT NULL,
                    mapping TEXT NOT NULL DEFAULT '',
                    format TEXT NOT NULL,
                    sender TEXT,
                    imported_at TEXT NOT NULL,
                    works_added INTEGER NOT NULL,
                    works_updated INTEGER NOT NULL,
                    works_unchanged INTEGER NOT NULL,
                    transactions INTEGER NOT NULL,
                    records INTEGER NOT NULL,
                    skipped_records INTEGER NOT NULL,
                    invalid_identifiers INTEGER NOT NULL,
                    warnings INTEGER NOT NULL,
                    duration_ms INTEGER NOT NULL,
                    UNIQUE (sha256, mapping)
                );
                INSERT INTO imports_new (id, file_name, sha256, mapping, format, sender, imported_at, works_added, works_updated,
                    works_unchanged, transactions, records, skipped_records, invalid_identifiers, warnings, duration_ms)
                SELECT id, file_name, sha256, '', format, sender, imported_at, works_added, works_updated, works_unchanged, transactions,
                    records, skipped_records, invalid_identifiers, warnings, duration_ms FROM imports;
                DROP TABLE imports;
                ALTER TABLE imports_new RENAME TO imports;
                """)
        }
        return m
    }
}
