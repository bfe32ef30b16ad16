import GRDB
import GRDBSQLite
import OeuvreCore

// The import's hot inserts go through the SQLite C API: GRDB's `StatementArguments` costs several
// allocations per row, and one statement per child row costs a statement start/stop each. Values are
// collected in a reusable buffer (text bytes in one arena, bound with SQLITE_STATIC) and child rows
// are written with multi-row INSERTs. Both types are used only inside one write transaction, on the
// connection they were prepared for.

/// Values for the parameters of one statement execution.
struct Bindings {
    enum Value {
        case null
        case int(Int64)
        case double(Double)
        /// Offset and length in `arena`.
        case text(Int, Int)
    }
    var values: [Value] = []
    var arena: [UInt8] = []

    mutating func add(_ value: String?) {
        guard var v = value else { values.append(.null); return }
        let offset = arena.count
        v.withUTF8 { arena.append(contentsOf: $0) }
        values.append(.text(offset, arena.count - offset))
    }
    mutating func add(_ value: Int?) { values.append(value.map { .int(Int64($0)) } ?? .null) }
    mutating func add(_ value: Int64?) { values.append(value.map { .int($0) } ?? .null) }
    mutating func add(_ value: Bool) { values.append(.int(value ? 1 : 0)) }
    mutating func add(_ value: Double?) { values.append(value.map { .double($0) } ?? .null) }

    mutating func removeAll() {
        values.removeAll(keepingCapacity: true)
        arena.removeAll(keepingCapacity: true)
    }
}

/// A prepared statement run with `Bindings`; finalized in `deinit`.
final class RawStatement {
    private var handle: OpaquePointer?
    private let connection: OpaquePointer
    let sql: String
    /// Values for the next run.
    var bindings = Bindings()

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

    func bind(_ value: String?) { bindings.add(value) }
    func bind(_ value: Int?) { bindings.add(value) }
    func bind(_ value: Int64?) { bindings.add(value) }
    func bind(_ value: Bool) { bindings.add(value) }
    func bind(_ value: Double?) { bindings.add(value) }

    /// Runs the statement with the collected bindings (then clears them); returns the rows changed.
    @discardableResult
    func run() throws -> Int {
        try execute(bindings)
        bindings.removeAll()
        return Int(sqlite3_changes(connection))
    }

    /// Runs the statement with `b`'s values.
    func execute(_ b: Bindings) throws {
        let rc: Int32 = b.arena.withUnsafeBytes { arena in
            let base = arena.baseAddress?.assumingMemoryBound(to: CChar.self)
            for (i, v) in b.values.enumerated() {
                let index = Int32(i + 1)
                switch v {
                case .null: sqlite3_bind_null(handle, index)
                case .int(let x): sqlite3_bind_int64(handle, index, x)
                case .double(let x): sqlite3_bind_double(handle, index, x)
                case .text(let offset, let length):
                    // SQLITE_STATIC (nil): the arena outlives the step below; every run rebinds all values.
                    if let base {
                        sqlite3_bind_text(handle, index, base + offset, Int32(length), nil)
                    } else {
                        sqlite3_bind_text(handle, index, "", 0, nil)
                    }
                }
            }
            let rc = sqlite3_step(handle)
            sqlite3_reset(handle)
            return rc
        }
        guard rc == SQLITE_DONE || rc == SQLITE_ROW else {
            throw OeuvreError(.database, "SQLite error \(rc): \(String(cString: sqlite3_errmsg(connection)))", underlying: sql)
        }
    }

    /// Row id of the last row inserted on the connection.
    var lastInsertRowID: Int64 { sqlite3_last_insert_rowid(connection) }
}

/// Inserts rows into one table with multi-row `INSERT … VALUES (…), (…)` statements.
/// Call the `add` methods for each column of a row in order, then `endRow()`; `flush()` writes what
/// is pending (it must be called before reading the table).
final class BatchInsert {
    private let db: Database
    private let head: String
    private let columnCount: Int
    private let rowsPerStatement: Int
    private var statements: [Int: RawStatement] = [:]
    private var pending = Bindings()
    private var rows = 0

    /// - Parameter verb: `INSERT` or `INSERT OR IGNORE`.
    init(_ db: Database, verb: String = "INSERT", table: String, columns: [String], rowsPerStatement: Int = 64) {
        self.db = db
        head = "\(verb) INTO \(table) (\(columns.joined(separator: ", "))) VALUES "
        columnCount = columns.count
        self.rowsPerStatement = rowsPerStatement
    }

    func add(_ value: String?) { pending.add(value) }
    func add(_ value: Int?) { pending.add(value) }
    func add(_ value: Int64?) { pending.add(value) }
    func add(_ value: Bool) { pending.add(value) }
    func add(_ value: Double?) { pending.add(value) }

    func endRow() throws {
        rows += 1
        if rows == rowsPerStatement { try flush() }
    }

    func flush() throws {
        guard rows > 0 else { return }
        guard pending.values.count == rows * columnCount else {
            throw OeuvreError(.internalError, "batch insert: \(pending.values.count) values for \(rows) rows of \(columnCount) columns")
        }
        let statement: RawStatement
        if let s = statements[rows] {
            statement = s
        } else {
            let row = "(" + Array(repeating: "?", count: columnCount).joined(separator: ", ") + ")"
            statement = try RawStatement(db, head + Array(repeating: row, count: rows).joined(separator: ", "))
            statements[rows] = statement
        }
        try statement.execute(pending)
        pending.removeAll()
        rows = 0
    }
}
