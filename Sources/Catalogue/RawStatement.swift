import GRDB
import GRDBSQLite
import OeuvreCore

/// A prepared SQLite statement driven through the C API, for the import's hot inserts (GRDB's
/// `StatementArguments` costs several allocations per row). Owned by one import session, used only
/// inside its write transaction, on the connection it was prepared for; finalized in `deinit`.
final class RawStatement {
    private var handle: OpaquePointer?
    private let connection: OpaquePointer
    let sql: String
    private var index: Int32 = 0

    init(_ db: Database, _ sql: String) throws {
        guard let connection = db.sqliteConnection else {
            throw OeuvreError(.database, "database connection is closed")
        }
        self.connection = connection
        self.sql = sql
        let rc = sqlite3_prepare_v2(connection, sql, -1, &handle, nil)
        guard rc == SQLITE_OK, handle != nil else {
            throw OeuvreError(.database, "cannot prepare statement: \(String(cString: sqlite3_errmsg(connection)))", underlying: sql)
        }
    }

    deinit { sqlite3_finalize(handle) }

    private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

    @inline(__always) private func next() -> Int32 {
        index += 1
        return index
    }

    func bind(_ value: String?) {
        let i = next()
        guard var v = value else { sqlite3_bind_null(handle, i); return }
        v.withUTF8 { buf in
            if let base = buf.baseAddress {
                _ = base.withMemoryRebound(to: CChar.self, capacity: buf.count) {
                    sqlite3_bind_text(handle, i, $0, Int32(buf.count), Self.transient)
                }
            } else {
                _ = sqlite3_bind_text(handle, i, "", 0, Self.transient)
            }
        }
    }

    func bind(_ value: Int?) {
        let i = next()
        if let v = value { sqlite3_bind_int64(handle, i, Int64(v)) } else { sqlite3_bind_null(handle, i) }
    }

    func bind(_ value: Int64?) {
        let i = next()
        if let v = value { sqlite3_bind_int64(handle, i, v) } else { sqlite3_bind_null(handle, i) }
    }

    func bind(_ value: Bool) {
        sqlite3_bind_int64(handle, next(), value ? 1 : 0)
    }

    func bind(_ value: Double?) {
        let i = next()
        if let v = value { sqlite3_bind_double(handle, i, v) } else { sqlite3_bind_null(handle, i) }
    }

    /// Runs the statement with the bound values and resets it; returns the number of rows changed.
    @discardableResult
    func run() throws -> Int {
        defer {
            sqlite3_reset(handle)
            sqlite3_clear_bindings(handle)
            index = 0
        }
        let rc = sqlite3_step(handle)
        guard rc == SQLITE_DONE || rc == SQLITE_ROW else {
            throw OeuvreError(.database, "SQLite error \(rc): \(String(cString: sqlite3_errmsg(connection)))", underlying: sql)
        }
        return Int(sqlite3_changes(connection))
    }

    /// Row id of the last row inserted on the connection.
    var lastInsertRowID: Int64 { sqlite3_last_insert_rowid(connection) }

    /// Runs a query returning one integer column of the first row (nil when no row).
    func queryInt64() throws -> Int64? {
        defer {
            sqlite3_reset(handle)
            sqlite3_clear_bindings(handle)
            index = 0
        }
        let rc = sqlite3_step(handle)
        if rc == SQLITE_ROW { return sqlite3_column_int64(handle, 0) }
        guard rc == SQLITE_DONE else {
            throw OeuvreError(.database, "SQLite error \(rc): \(String(cString: sqlite3_errmsg(connection)))", underlying: sql)
        }
        return nil
    }
}
