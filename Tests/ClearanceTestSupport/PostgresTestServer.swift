import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Why a throwaway PostgreSQL could not be started. Tests that need it fail with this reason.
public struct PostgresTestServerError: Error, CustomStringConvertible {
    public let description: String
}

/// A throwaway PostgreSQL server for the test process: `initdb` into a temp dir under /tmp,
/// listening only on a unix socket in that dir (random port number in the socket name),
/// started lazily once per process and stopped at exit with `pg_ctl -m immediate`.
///
/// PostgreSQL refuses to run as root, so when the tests run as root (CI) `initdb`/`pg_ctl` run
/// through `runuser -u postgres --` in a directory chowned to `postgres`.
/// Servers left behind by killed test processes are stopped and removed at the next start.
public final class PostgresTestServer: Sendable {
    /// The server's directory (data, log and unix socket).
    public let directory: String
    /// The port number in the socket's name.
    public let port: Int
    let binDir: String
    let runAsPostgres: Bool
    static let user = "clearance"
    static let prefix = "clearance-pgtest-"

    private init(directory: String, port: Int, binDir: String, runAsPostgres: Bool) {
        self.directory = directory
        self.port = port
        self.binDir = binDir
        self.runAsPostgres = runAsPostgres
    }

    /// The shared server (started on first use; Swift static initialisation is lazy and thread-safe).
    static let shared: Result<PostgresTestServer, PostgresTestServerError> = Result { () throws(PostgresTestServerError) in try start() }

    /// The shared server, or the reason it could not start.
    public static func require() throws -> PostgresTestServer { try shared.get() }

    /// libpq URL for a database on this server.
    public func url(database: String) -> String {
        "postgresql://\(Self.user)@/\(database)?host=\(directory)&port=\(port)"
    }

    /// The path of one of the server's client programs (`pg_dump`, `pg_restore`, `psql`).
    public func tool(_ name: String) -> String { binDir + "/" + name }

    /// Creates a fresh, empty database and returns its URL.
    public func createDatabase() throws -> String {
        let name = "t_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(20)
        let created = Self.run(binDir + "/createdb", ["-h", directory, "-p", String(port), "-U", Self.user, String(name)], asPostgres: false)
        guard created.status == 0 else {
            throw PostgresTestServerError(description: "createdb \(name) failed (\(created.status)): \(created.output.suffix(1000))")
        }
        return url(database: String(name))
    }

    // MARK: Start / stop

    private static let running = RunningServer()

    private static func start() throws(PostgresTestServerError) -> PostgresTestServer {
        sweepLeftovers()
        let binDir = try findBinDir()
        let asPostgres = geteuid() == 0
        var template = Array("/tmp/\(prefix)XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else { throw PostgresTestServerError(description: "mkdtemp failed: errno \(errno)") }
        let dir = String(cString: made)
        try? "\(getpid())".write(toFile: dir + "/owner.pid", atomically: true, encoding: .utf8)
        if asPostgres {
            guard let pw = getpwnam("postgres") else {
                throw PostgresTestServerError(description: "running as root but there is no 'postgres' user to run PostgreSQL as")
            }
            guard chown(dir, pw.pointee.pw_uid, pw.pointee.pw_gid) == 0 else {
                throw PostgresTestServerError(description: "chown \(dir) to postgres failed: errno \(errno)")
            }
        }
        let data = dir + "/data"
        let initdb = run(binDir + "/initdb", ["-D", data, "-A", "trust", "-U", user, "-E", "UTF8", "--no-sync"], asPostgres: asPostgres)
        guard initdb.status == 0 else {
            throw PostgresTestServerError(description: "initdb failed (\(initdb.status)): \(initdb.output.suffix(2000))")
        }
        var lastFailure = ""
        for _ in 0..<5 {
            let port = Int.random(in: 20_000...60_000)
            // pg_stat_statements keeps 5,000 statements by default, and every test database's are its own
            // (their ids hold the tables' oids): with the whole suite running, a statement called once
            // was evicted before `FlatLookupTests` read its pages. Room for all of them.
            let options = "-c listen_addresses='' -k \(dir) -p \(port) -c fsync=off -c full_page_writes=off -c max_connections=300"
                + " -c shared_preload_libraries=pg_stat_statements -c pg_stat_statements.max=100000"
            let started = run(binDir + "/pg_ctl", ["-D", data, "-l", dir + "/server.log", "-w", "-t", "60", "-o", options, "start"], asPostgres: asPostgres)
            if started.status == 0 {
                let server = PostgresTestServer(directory: dir, port: port, binDir: binDir, runAsPostgres: asPostgres)
                running.set(server)
                atexit { PostgresTestServer.stopRunning() }
                return server
            }
            let log = (try? String(contentsOfFile: dir + "/server.log", encoding: .utf8)) ?? ""
            lastFailure = "pg_ctl start failed (\(started.status)): \(started.output.suffix(1000)) log: \(log.suffix(2000))"
        }
        throw PostgresTestServerError(description: lastFailure)
    }

    private static func stopRunning() {
        guard let server = running.get() else { return }
        running.set(nil)
        server.stop()
    }

    /// Immediate shutdown (no checkpoint wait) and removal of the directory.
    func stop() {
        _ = Self.run(binDir + "/pg_ctl", ["-D", directory + "/data", "-m", "immediate", "-w", "-t", "20", "stop"], asPostgres: runAsPostgres)
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// Stops and deletes servers whose owning test process is gone.
    private static func sweepLeftovers() {
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: "/tmp") else { return }
        guard let binDir = try? findBinDir() else { return }
        for entry in entries where entry.hasPrefix(prefix) {
            let dir = "/tmp/" + entry
            if let text = try? String(contentsOfFile: dir + "/owner.pid", encoding: .utf8),
               let pid = Int32(text.trimmingCharacters(in: .whitespacesAndNewlines)),
               kill(pid, 0) == 0 || errno == EPERM {
                continue // owner still alive
            }
            if FileManager.default.fileExists(atPath: dir + "/data/postmaster.pid") {
                _ = run(binDir + "/pg_ctl", ["-D", dir + "/data", "-m", "immediate", "-w", "-t", "20", "stop"], asPostgres: geteuid() == 0)
            }
            try? FileManager.default.removeItem(atPath: dir)
        }
    }

    private static func findBinDir() throws(PostgresTestServerError) -> String {
        let fm = FileManager.default
        var candidates: [String] = []
        let path = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":").map(String.init)
        if let pgConfig = path.map({ $0 + "/pg_config" }).first(where: { fm.isExecutableFile(atPath: $0) }) {
            let config = run(pgConfig, ["--bindir"], asPostgres: false)
            if config.status == 0 { candidates.append(config.output.trimmingCharacters(in: .whitespacesAndNewlines)) }
        }
        if let versions = try? fm.contentsOfDirectory(atPath: "/usr/lib/postgresql") {
            candidates += versions.sorted { (Int($0) ?? 0) > (Int($1) ?? 0) }.map { "/usr/lib/postgresql/\($0)/bin" }
        }
        candidates += path
        for dir in candidates where fm.isExecutableFile(atPath: dir + "/initdb") && fm.isExecutableFile(atPath: dir + "/pg_ctl") {
            return dir
        }
        throw PostgresTestServerError(description: "no initdb/pg_ctl found (tried pg_config --bindir, /usr/lib/postgresql/*/bin, PATH)")
    }

    /// Runs a tool to completion (``CommandRunner``: nothing of the test process is inherited — the
    /// server outlives every test and would keep their pipes open).
    private static func run(_ tool: String, _ arguments: [String], asPostgres: Bool) -> (status: Int32, output: String) {
        // `cd /tmp` first: the postgres user may not be able to read the test's working directory.
        let inTmp = ["/bin/sh", "-c", "cd /tmp && exec \"$0\" \"$@\"", tool] + arguments
        let argv = asPostgres ? ["/usr/sbin/runuser", "-u", "postgres", "--"] + inTmp : inTmp
        do {
            let ran = try CommandRunner.runBlocking(argv[0], Array(argv.dropFirst()), timeout: 300)
            return (ran.status, ran.output)
        } catch {
            return (-1, "\(error)")
        }
    }
}

/// The running server, for the exit handler.
private final class RunningServer: @unchecked Sendable {
    // `server` is only touched with `lock` held.
    private let lock = NSLock()
    private var server: PostgresTestServer?

    func get() -> PostgresTestServer? { lock.withLock { server } }
    func set(_ value: PostgresTestServer?) { lock.withLock { server = value } }
}
