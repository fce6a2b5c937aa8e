import CLibPQ
import Foundation

/// One libpq connection. Used only on its ``EngineThread``; all calls block that thread.
///
/// Parameters are sent as ``parameter(_:)`` says (bytes in binary, the rest as text); results come
/// back as text and are parsed by ``SQLRow``, save `bytea` cells, decoded to bytes here.
///
/// Every parameterised statement is prepared once per connection (`PQprepare`) and run with
/// `PQexecPrepared`: the service's single-message path repeats the same dozen statements, and
/// PostgreSQL parses each once. Plans stay custom (`plan_cache_mode = force_custom_plan`): a
/// generic plan is chosen from the statistics of that moment, and a look-up planned while
/// `declarations` was small (a sequential scan: one page is cheaper to read than an index) would
/// stay in use until the next `ANALYZE`, however many rows a bulk load adds meanwhile (measured:
/// with `plan_cache_mode = auto` the life-cycle look-up averaged 4 ms, a scan, instead of 0.2 ms).
/// Bulk chunks switch back to cached plans for their transaction (``PGBulkWriter``): with custom
/// plans every foreign-key check of every copied row is planned again (3× slower ingest).
///
/// Key look-ups (``lookup(_:_:)``) are the exception: planning was 40 % of PostgreSQL's time on
/// the single-message path, and most of it went to re-planning the same half-dozen reads. Outside
/// a transaction they run with `plan_cache_mode = force_generic_plan` and `enable_seqscan = off`,
/// so each is planned once per connection (and again after an `ANALYZE` invalidates the plan), on
/// an index whatever the table's size was then. The switch is one `SET` round trip when the
/// previous statement outside a transaction was of the other kind. A session setting is never
/// changed inside a transaction (a rollback would restore one this connection does not expect):
/// a transaction begun in look-up mode plans afresh by settings local to it, sent with its `BEGIN`
/// in one round trip, which end with it. Measured in `bench_service` (`pg_stat_statements`): the
/// session switched 0.47 times a message when transactions switched it back to custom plans, 0.16
/// with this, 0.003 once the stored answers' statements ran as look-ups too. Transactions made only
/// of key probes and inserts (group commit's, a release's) run the same way as look-ups
/// (``beginWrite(keyProbes:)``): in `bench_flow` their planning took longer than running them.
final class PGConnection: SQLSession {
    let dialect = SQLDialect.postgresql
    private var conn: OpaquePointer?
    /// How the session plans outside transactions (see the type's comment); inside one, custom
    /// plans unless the transaction set otherwise.
    private var planMode = PlanMode.custom
    /// Whether the open transaction was begun for key probes (``beginWrite(keyProbes:)``).
    private var keyProbesTransaction = false
    /// Statement names by SQL text, for this connection's session.
    var queuedOutbox = false
    private var prepared: [String: String] = [:]
    private var preparedCount = 0
    /// Beyond this many distinct statements the cache is dropped (`DEALLOCATE ALL`) and refilled.
    static let preparedCapacity = 512
    /// Connection target for messages (password removed).
    let target: String

    init(conninfo: String, target: String) throws(StoreError) {
        self.target = target
        let handle = PQconnectdb(conninfo)
        guard let handle, PQstatus(handle) == CONNECTION_OK else {
            let message = handle.map { Self.trim(String(cString: PQerrorMessage($0))) } ?? "out of memory"
            PQfinish(handle)
            throw .connectionFailed(engine: .postgresql, target: target, message: message)
        }
        conn = handle
        do {
            try configureSession()
        } catch {
            close()
            throw error
        }
    }

    /// Session settings, after connecting and after a reset. `jit = off`: the store's statements
    /// are short reads and writes, and PostgreSQL compiles a plan whose estimated cost passes
    /// `jit_above_cost` at every execution, cached or not — a look-up's generic plan, estimated
    /// from 5,000,000 rows, took 0.6–1.6 s a call compiling (LLVM) against 5 ms without
    /// (`bench_service.py --stored`, 7 Dec: 10 msg/s).
    private func configureSession() throws(StoreError) {
        guard let conn else { throw .closed }
        // Silence NOTICEs (e.g. "relation already exists, skipping") that libpq prints to stderr.
        PQsetNoticeProcessor(conn, { _, _ in }, nil)
        prepared.removeAll()
        try executeScript("""
            SET client_encoding = 'UTF8';
            SET standard_conforming_strings = on;
            SET application_name = 'clearance';
            SET plan_cache_mode = force_custom_plan;
            SET jit = off;
            """)
        planMode = .custom
    }

    private enum PlanMode { case custom, keyLookup }

    /// Switches the session's planning for the next statement outside a transaction (a `SET` only
    /// when it changes); inside one, the transaction's own settings rule.
    private func usePlans(_ mode: PlanMode) throws(StoreError) {
        guard mode != planMode, let conn, PQtransactionStatus(conn) == PQTRANS_IDLE else { return }
        switch mode {
        case .keyLookup: try send("SET plan_cache_mode = force_generic_plan; SET enable_seqscan = off")
        case .custom: try send("SET plan_cache_mode = force_custom_plan; RESET enable_seqscan")
        }
        planMode = mode
    }

    func close() {
        if let conn { PQfinish(conn) }
        conn = nil
    }

    deinit { close() }

    /// Before handing the connection to a job: reconnects a broken connection and rolls back a
    /// transaction left open by a failed job.
    func ensureUsable() throws(StoreError) {
        guard let conn else { throw .closed }
        if PQstatus(conn) != CONNECTION_OK {
            PQreset(conn)
            guard PQstatus(conn) == CONNECTION_OK else {
                throw .connectionFailed(engine: .postgresql, target: target, message: Self.trim(String(cString: PQerrorMessage(conn))))
            }
            try configureSession()
        }
        if PQtransactionStatus(conn) != PQTRANS_IDLE { rollback() }
    }

    static func trim(_ s: String) -> String { s.trimmingCharacters(in: .whitespacesAndNewlines) }

    /// A parameter as libpq takes it: a `malloc`ed value (the caller frees it), its length and its
    /// format. Bytes go in binary (a `bytea` parameter's binary form is the bytes themselves: no hex
    /// text twice their size to write here and for the server to decode); the rest as text, so
    /// NUMERIC values keep every digit.
    static func parameter(_ value: SQLValue) -> (value: UnsafeMutablePointer<CChar>?, length: Int32, format: Int32) {
        switch value {
        case .null: return (nil, 0, 0)
        case .integer(let n): return (strdup(String(n)), 0, 0)
        case .text(let s): return (strdup(s), 0, 0)
        case .decimal(let d): return (strdup(d.description), 0, 0)
        case .blob(let bytes):
            let copy = malloc(max(bytes.count, 1))!.assumingMemoryBound(to: CChar.self)
            bytes.withUnsafeBytes { if let base = $0.baseAddress { memcpy(copy, base, bytes.count) } }
            return (copy, Int32(bytes.count), 1)
        }
    }

    private func error(_ result: OpaquePointer?, _ sql: String) -> StoreError {
        guard let result else {
            let message = conn.map { Self.trim(String(cString: PQerrorMessage($0))) } ?? "not connected"
            return .statementFailed(engine: .postgresql, message: message, sqlState: nil, code: nil, statement: sql)
        }
        func field(_ code: UInt8) -> String? {
            PQresultErrorField(result, Int32(code)).map { String(cString: $0) }
        }
        var message = field(UInt8(ascii: "M")) ?? Self.trim(String(cString: PQresultErrorMessage(result)))
        if let detail = field(UInt8(ascii: "D")) { message += " (\(detail))" }
        if message.isEmpty { message = String(cString: PQresStatus(PQresultStatus(result))) }
        return .statementFailed(
            engine: .postgresql, message: message, sqlState: field(UInt8(ascii: "C")), code: nil, statement: sql)
    }

    /// Runs a statement, returning its result (caller clears it) or throwing the server error.
    /// A key look-up outside a transaction runs on a cached generic plan; everything else (and a
    /// look-up inside a transaction, where the mode must not change) on a custom one.
    private func run(_ sql: String, _ params: [SQLValue], lookup: Bool = false) throws(StoreError) -> OpaquePointer {
        guard let conn else { throw .closed }
        try usePlans(lookup ? .keyLookup : .custom)
        let parameters = params.map(Self.parameter)
        let values = parameters.map(\.value), lengths = parameters.map(\.length), formats = parameters.map(\.format)
        defer { values.forEach { free($0) } }
        let pointers = values.map { UnsafePointer($0) }
        // Statements without parameters (ANALYZE, SET LOCAL…) are one-offs: sent as they are.
        let name = params.isEmpty ? nil : try statementName(sql, parameterCount: params.count)
        let result = pointers.withUnsafeBufferPointer { buffer in
            if let name { PQexecPrepared(conn, name, Int32(buffer.count), buffer.baseAddress, lengths, formats, 0) }
            else { PQexecParams(conn, sql, Int32(buffer.count), nil, buffer.baseAddress, lengths, formats, 0) }
        }
        guard let result else { throw error(nil, sql) }
        let status = PQresultStatus(result)
        guard status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK else {
            let failure = error(result, sql)
            PQclear(result)
            throw failure
        }
        return result
    }

    /// The name of `sql` prepared on this connection, preparing it on first use. Prepared
    /// statements outlive transactions (a rollback does not drop them), and PostgreSQL replans
    /// them itself after schema changes.
    private func statementName(_ sql: String, parameterCount: Int) throws(StoreError) -> String {
        if let name = prepared[sql] { return name }
        guard let conn else { throw .closed }
        if prepared.count >= Self.preparedCapacity {
            try send("DEALLOCATE ALL")
            prepared.removeAll()
        }
        preparedCount += 1
        let name = "clearance_\(preparedCount)"
        guard let result = PQprepare(conn, name, sql, Int32(parameterCount), nil) else { throw error(nil, sql) }
        defer { PQclear(result) }
        guard PQresultStatus(result) == PGRES_COMMAND_OK else { throw error(result, sql) }
        prepared[sql] = name
        return name
    }

    func query(_ sql: String, _ params: [SQLValue]) throws(StoreError) -> [SQLRow] {
        try rows(of: run(sql, params))
    }

    func lookup(_ sql: String, _ params: [SQLValue]) throws(StoreError) -> [SQLRow] {
        try rows(of: run(sql, params, lookup: true))
    }

    private func rows(of result: OpaquePointer) throws(StoreError) -> [SQLRow] {
        defer { PQclear(result) }
        let rowCount = PQntuples(result)
        let columnCount = PQnfields(result)
        var rows: [SQLRow] = []
        rows.reserveCapacity(Int(rowCount))
        let bytea = (0..<columnCount).map { PQftype(result, $0) == Self.byteaOID }
        for r in 0..<rowCount {
            var values: [SQLValue] = []
            values.reserveCapacity(Int(columnCount))
            for c in 0..<columnCount {
                if PQgetisnull(result, r, c) == 1 {
                    values.append(.null)
                } else if bytea[Int(c)], let bytes = Self.bytea(PQgetvalue(result, r, c), length: PQgetlength(result, r, c)) {
                    values.append(.blob(bytes))
                } else {
                    values.append(.text(String(cString: PQgetvalue(result, r, c))))
                }
            }
            rows.append(SQLRow(values: values))
        }
        return rows
    }

    /// PostgreSQL's type OID for `bytea`.
    private static let byteaOID: Oid = 17

    /// A `bytea` cell's bytes, decoded from its `\x…` hex text in place: a stored message's raw
    /// bytes never become a `String` twice their size. Nil for another spelling (`bytea_output = escape`).
    private static func bytea(_ value: UnsafeMutablePointer<CChar>?, length: Int32) -> [UInt8]? {
        guard let value, length >= 2 else { return nil }
        return value.withMemoryRebound(to: UInt8.self, capacity: Int(length)) { text -> [UInt8]? in
            guard text[0] == UInt8(ascii: "\\"), text[1] == UInt8(ascii: "x") else { return nil }
            return Hex.decode(UnsafeBufferPointer(start: text + 2, count: Int(length) - 2))
        }
    }

    @discardableResult
    func execute(_ sql: String, _ params: [SQLValue]) throws(StoreError) -> Int {
        let result = try run(sql, params)
        defer { PQclear(result) }
        return Int(String(cString: PQcmdTuples(result))) ?? 0
    }

    func executeScript(_ sql: String) throws(StoreError) {
        try usePlans(.custom)
        try send(sql)
    }

    /// Sends a script as it is (`PQexec`), draining every result.
    private func send(_ sql: String) throws(StoreError) {
        guard let conn else { throw .closed }
        // PQexec runs several statements in one implicit transaction unless they manage their own.
        var result = PQexec(conn, sql)
        var failure: StoreError?
        while let current = result {
            let status = PQresultStatus(current)
            if failure == nil && status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK && status != PGRES_EMPTY_QUERY {
                failure = error(current, sql)
            }
            PQclear(current)
            result = PQgetResult(conn)
        }
        if let failure { throw failure }
    }

    /// The transaction plans as asked whatever the session's mode, by settings local to it sent with
    /// its `BEGIN` (none when the session already plans that way).
    func beginWrite(keyProbes: Bool) throws(StoreError) {
        guard conn != nil else { throw .closed }
        keyProbesTransaction = keyProbes
        switch (keyProbes, planMode) {
        case (false, .custom), (true, .keyLookup): try send("BEGIN")
        case (false, .keyLookup): try send("BEGIN; SET LOCAL plan_cache_mode = force_custom_plan; SET LOCAL enable_seqscan TO DEFAULT")
        case (true, .custom): try send("BEGIN; SET LOCAL plan_cache_mode = force_generic_plan; SET LOCAL enable_seqscan = off")
        }
    }
    func commit() throws(StoreError) {
        keyProbesTransaction = false
        try executeScript("COMMIT")
    }
    func rollback() {
        keyProbesTransaction = false
        guard let conn, PQtransactionStatus(conn) != PQTRANS_IDLE else { return }
        _ = try? send("ROLLBACK")
    }

    func writeParts(messageId: Int64, parts: [MessagePart]) throws(StoreError) {
        for part in parts {
            try execute("""
                INSERT INTO message_parts (message_id, part_no, bytes) VALUES ($1::bigint, $2::integer, $3::bytea)
                ON CONFLICT (message_id, part_no) DO UPDATE SET bytes = EXCLUDED.bytes
                """, [.integer(messageId), .integer(Int64(part.index)), .blob(part.bytes)])
        }
    }

    /// Small chunks (group commit's single messages) go as row inserts on cached generic plans:
    /// every row of their multi-row statements finds its message or declaration by a sub-select on
    /// a unique key, and custom plans planned each of those again on every run (1.3 ms for a
    /// statement of 30 lines, more than running it). `SET LOCAL` ends with the transaction, so a
    /// rollback leaves the session as ``planMode`` says. A transaction of key probes plans so already.
    func bulkInsert(_ chunk: PreparedChunk) throws(StoreError) -> IngestReport {
        guard RowInsertWriter.suitsPostgres(chunk) else { return try PGBulkWriter(connection: self).write(chunk) }
        if keyProbesTransaction { return try RowInsertWriter(connection: self).write(chunk) }
        try send("SET LOCAL plan_cache_mode = force_generic_plan; SET LOCAL enable_seqscan = off")
        let report = try RowInsertWriter(connection: self).write(chunk)
        try send("SET LOCAL plan_cache_mode = force_custom_plan; SET LOCAL enable_seqscan TO DEFAULT")
        return report
    }

    // MARK: COPY FROM STDIN

    /// Streams rows to `COPY … FROM STDIN` (text format) in ~1 MiB `PQputCopyData` calls.
    func copyIn(_ sql: String, rowCount: Int, row: (Int, inout PGCopyEncoder) -> Void) throws(StoreError) {
        guard let conn else { throw .closed }
        guard let start = PQexec(conn, sql) else { throw error(nil, sql) }
        let status = PQresultStatus(start)
        guard status == PGRES_COPY_IN else {
            let failure = error(start, sql)
            PQclear(start)
            throw failure
        }
        PQclear(start)
        var encoder = PGCopyEncoder()
        var sendFailure: StoreError?
        for i in 0..<rowCount {
            row(i, &encoder)
            if encoder.buffer.count >= 1 << 20 {
                if let e = send(&encoder, sql) { sendFailure = e; break }
            }
        }
        if sendFailure == nil, !encoder.buffer.isEmpty { sendFailure = send(&encoder, sql) }
        let endOK = PQputCopyEnd(conn, sendFailure == nil ? nil : "client aborted COPY") == 1
        // Drain every result; the first failure wins.
        var failure = sendFailure
        if !endOK && failure == nil { failure = error(nil, sql) }
        while let result = PQgetResult(conn) {
            if failure == nil && PQresultStatus(result) != PGRES_COMMAND_OK { failure = error(result, sql) }
            PQclear(result)
        }
        if let failure { throw failure }
    }

    private func send(_ encoder: inout PGCopyEncoder, _ sql: String) -> StoreError? {
        let ok = encoder.buffer.withUnsafeBufferPointer { buffer in
            buffer.withMemoryRebound(to: CChar.self) { PQputCopyData(conn, $0.baseAddress, Int32($0.count)) }
        }
        encoder.buffer.removeAll(keepingCapacity: true)
        return ok == 1 ? nil : error(nil, sql)
    }
}
