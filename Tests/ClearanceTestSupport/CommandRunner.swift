import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Runs executables as child processes, the way the tests run `clearance`, `openssl`, `xmllint`,
/// PostgreSQL and friends — the one child-process runner of the test suite:
///
/// - standard output and error go together into a file (a pipe nobody reads while the child runs
///   would fill and stall it);
/// - bounded in time: a hung child is killed, not waited for;
/// - `posix_spawn` + `waitpid` (Foundation's `Process.waitUntilExit` relies on run loops and dispatch
///   threads that a busy test process may starve);
/// - the child inherits nothing of the test process but its standard descriptors: pipes are
///   close-on-exec and every other descriptor is closed in the child (a server that outlives a
///   test, like the throwaway PostgreSQL, would otherwise keep another child's input pipe open and
///   that child would never see the end of its input).
public enum CommandRunner {
    /// How a child process ended.
    public struct Ran: Sendable {
        /// The exit status, or 128 + the signal's number when a signal ended it (as a shell reports it).
        public var status: Int32
        /// Standard output and standard error, interleaved (standard output only with `errors: .discard`).
        public var outputBytes: [UInt8]
        /// Killed because it ran past its time limit.
        public var timedOut: Bool
        /// The child's own peak resident memory, when measured (`measurePeakMemory`).
        public var peakResidentBytes: Int?

        /// ``outputBytes`` as UTF-8 text.
        public var output: String { String(decoding: outputBytes, as: UTF8.self) }
    }

    /// What the child reads on standard input.
    public enum Input: Sendable {
        /// `/dev/null`.
        case none
        /// These bytes, written from another thread, then end of input.
        case bytes([UInt8])
        /// Whatever `feed` writes to the descriptor it is given (on another thread; the descriptor is closed after).
        /// ``write(_:to:)`` writes a buffer whole.
        case feed(@Sendable (Int32) -> Void)
        /// A pipe held open until ``RunningCommand/closeInput()`` or the end of the handle: a lifeline
        /// for servers that exit when their input ends (also when the test process dies).
        case lifeline
    }

    /// What becomes of standard error.
    public enum Errors: Sendable {
        /// Into the output file with standard output.
        case merge
        /// To `/dev/null`.
        case discard
    }

    /// Runs `executable arguments…` to its end in `directory` (default: the test's) with `environment`
    /// (default: the test's), killing it after `timeout` seconds. `executable` without a slash is
    /// looked up on the PATH.
    public static func run(
        _ executable: String, _ arguments: [String], in directory: URL? = nil, environment: [String: String]? = nil,
        input: Input = .none, errors: Errors = .merge, measurePeakMemory: Bool = false, timeout: Double = 120
    ) async throws -> Ran {
        let child = try start(executable, arguments, in: directory, environment: environment, input: input, errors: errors,
                              measurePeakMemory: measurePeakMemory)
        return await child.wait(timeout: timeout)
    }

    /// ``run(_:_:in:environment:input:errors:measurePeakMemory:timeout:)`` for callers that cannot
    /// `await` (the calling thread blocks, polling the child).
    public static func runBlocking(
        _ executable: String, _ arguments: [String], in directory: URL? = nil, environment: [String: String]? = nil,
        input: Input = .none, errors: Errors = .merge, measurePeakMemory: Bool = false, timeout: Double = 120
    ) throws -> Ran {
        let child = try start(executable, arguments, in: directory, environment: environment, input: input, errors: errors,
                              measurePeakMemory: measurePeakMemory)
        return child.waitBlocking(timeout: timeout)
    }

    /// Starts `executable arguments…` and returns at once: a long-running child (a server, a worker
    /// to kill mid-run) that the caller signals, waits for and reads the output of. Its output goes to
    /// `output` (default: a temporary file, removed with the handle). A child still running when
    /// its handle goes away is killed.
    public static func start(
        _ executable: String, _ arguments: [String], in directory: URL? = nil, environment: [String: String]? = nil,
        input: Input = .none, output: URL? = nil, errors: Errors = .merge, measurePeakMemory: Bool = false
    ) throws -> RunningCommand {
        try RunningCommand(executable: executable, arguments: arguments, directory: directory, environment: environment,
                           input: input, output: output, errors: errors, measurePeakMemory: measurePeakMemory)
    }

    /// The path of `tool` on the PATH, if it is there.
    public static func which(_ tool: String) -> String? {
        if tool.contains("/") { return FileManager.default.isExecutableFile(atPath: tool) ? tool : nil }
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        return path.split(separator: ":").map { "\($0)/\(tool)" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// Writes all of `bytes` to a descriptor (for ``Input/feed(_:)``); false when the reader went away.
    @discardableResult
    public static func write(_ bytes: UnsafeRawBufferPointer, to descriptor: Int32) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let written = Glibc.write(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
            if written < 0 { if errno == EINTR { continue } else { return false } }
            offset += written
        }
        return true
    }

    /// A child that exits before reading all its input must not kill the test process with SIGPIPE
    /// (the writer sees EPIPE instead).
    static let ignoreBrokenPipes: Void = { _ = Glibc.signal(SIGPIPE, SIG_IGN) }()

    /// Why a child could not be started.
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }
}

/// A child process started by ``CommandRunner/start(_:_:in:environment:input:output:errors:measurePeakMemory:)``.
public final class RunningCommand: @unchecked Sendable {
    /// The child's process id.
    public let pid: pid_t
    /// The file its output goes to.
    public let outputFile: URL
    private let ownsOutputFile: Bool
    private let peak: PeakMemory?
    // `exit` and `inputWriter` are only touched with `lock` held.
    private let lock = NSLock()
    private var exit: Int32?
    private var inputWriter: Int32 = -1

    init(
        executable: String, arguments: [String], directory: URL?, environment: [String: String]?,
        input: CommandRunner.Input, output: URL?, errors: CommandRunner.Errors, measurePeakMemory: Bool
    ) throws {
        guard let path = CommandRunner.which(executable) else { throw CommandRunner.Failure(description: "\(executable): not found (PATH)") }
        outputFile = output ?? FileManager.default.temporaryDirectory.appendingPathComponent("clearance-run-\(UUID().uuidString).txt")
        ownsOutputFile = output == nil
        let outputDescriptor = open(outputFile.path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard outputDescriptor >= 0 else { throw CommandRunner.Failure(description: "cannot create \(outputFile.path): errno \(errno)") }
        defer { close(outputDescriptor) }

        var pipeEnds: [Int32] = [-1, -1]
        switch input {
        case .none: break
        case .bytes, .feed, .lifeline:
            _ = CommandRunner.ignoreBrokenPipes
            guard pipe(&pipeEnds) == 0 else { throw CommandRunner.Failure(description: "pipe: errno \(errno)") }
            // Close-on-exec at once: a child another test spawns meanwhile must not inherit the
            // writing end, or this child never sees the end of its input. (`pipe2` is not exported to Swift.)
            for descriptor in pipeEnds { _ = fcntl(descriptor, F_SETFD, FD_CLOEXEC) }
        }

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        if pipeEnds[0] >= 0 {
            posix_spawn_file_actions_adddup2(&actions, pipeEnds[0], 0)
        } else {
            posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        }
        posix_spawn_file_actions_adddup2(&actions, outputDescriptor, 1)
        switch errors {
        case .merge: posix_spawn_file_actions_adddup2(&actions, outputDescriptor, 2)
        case .discard: posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        }
        // Nothing else of the test process (glibc 2.34's `…addclosefrom_np` and 2.29's `…addchdir_np`
        // are not exported to Swift: looked up at run time).
        if let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "posix_spawn_file_actions_addclosefrom_np") {
            typealias CloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32
            _ = unsafeBitCast(symbol, to: CloseFrom.self)(&actions, 3)
        }
        var argv = [path] + arguments
        if let directory {
            typealias ChangeDirectory = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, UnsafePointer<CChar>) -> Int32
            if let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "posix_spawn_file_actions_addchdir_np") {
                _ = directory.path.withCString { unsafeBitCast(symbol, to: ChangeDirectory.self)(&actions, $0) }
            } else {
                argv = ["/bin/sh", "-c", "cd \"$0\" && exec \"$@\"", directory.path] + argv
            }
        }
        let cArguments: [UnsafeMutablePointer<CChar>?] = argv.map { strdup($0) } + [nil]
        defer { cArguments.forEach { free($0) } }
        let cEnvironment: [UnsafeMutablePointer<CChar>?]? = environment.map { $0.map { strdup("\($0.key)=\($0.value)") } + [nil] }
        defer { cEnvironment?.forEach { free($0) } }
        var pid: pid_t = 0
        let spawned: Int32
        if let cEnvironment {
            spawned = posix_spawn(&pid, argv[0], &actions, nil, cArguments, cEnvironment)
        } else {
            spawned = posix_spawn(&pid, argv[0], &actions, nil, cArguments, environ)
        }
        if pipeEnds[0] >= 0 { close(pipeEnds[0]) }
        guard spawned == 0 else {
            if pipeEnds[1] >= 0 { close(pipeEnds[1]) }
            if output == nil { unlink(outputFile.path) }
            throw CommandRunner.Failure(description: "cannot run \(argv[0]): \(String(cString: strerror(spawned)))")
        }
        self.pid = pid
        peak = measurePeakMemory ? PeakMemory(pid: pid, name: (path as NSString).lastPathComponent) : nil
        peak?.start()

        let writer = pipeEnds[1]
        switch input {
        case .none: break
        case .bytes(let bytes):
            Thread { bytes.withUnsafeBytes { _ = CommandRunner.write($0, to: writer) }; close(writer) }.start()
        case .feed(let feed):
            Thread { feed(writer); close(writer) }.start()
        case .lifeline:
            inputWriter = writer
        }
    }

    deinit {
        if exitStatus() == nil {
            Glibc.kill(pid, SIGKILL)
            _ = reap(blocking: true)
        }
        closeInput()
        if ownsOutputFile { try? FileManager.default.removeItem(at: outputFile) }
    }

    /// The output so far.
    public var outputBytes: [UInt8] { (try? Data(contentsOf: outputFile)).map { Array($0) } ?? [] }
    /// The output so far, as text.
    public var output: String { String(decoding: outputBytes, as: UTF8.self) }

    /// Still running (not yet reaped).
    public var isRunning: Bool { exitStatus() == nil }

    /// Sends `signal` (SIGTERM by default) to the child, if it still runs.
    public func signal(_ signal: Int32 = SIGTERM) {
        if isRunning { Glibc.kill(pid, signal) }
    }

    /// Kills the child (`kill -9`), if it still runs.
    public func kill() { signal(SIGKILL) }

    /// Closes the ``CommandRunner/Input/lifeline`` pipe: the child sees the end of its input.
    public func closeInput() {
        lock.withLock {
            if inputWriter >= 0 { close(inputWriter); inputWriter = -1 }
        }
    }

    /// Waits until the child ends, killing it after `timeout` seconds.
    public func wait(timeout: Double = 120) async -> CommandRunner.Ran {
        let deadline = Date().addingTimeInterval(timeout)
        var timedOut = false
        while exitStatus() == nil {
            if Date() >= deadline { timedOut = true; Glibc.kill(pid, SIGKILL); _ = reap(blocking: true); break }
            try? await Task.sleep(nanoseconds: 20_000_000)
        }
        return ran(timedOut: timedOut)
    }

    /// ``wait(timeout:)``, blocking the calling thread.
    public func waitBlocking(timeout: Double = 120) -> CommandRunner.Ran {
        let deadline = Date().addingTimeInterval(timeout)
        var timedOut = false
        while exitStatus() == nil {
            if Date() >= deadline { timedOut = true; Glibc.kill(pid, SIGKILL); _ = reap(blocking: true); break }
            usleep(10_000)
        }
        return ran(timedOut: timedOut)
    }

    /// Ends the child: SIGTERM, then SIGKILL if it is still there after `grace` seconds.
    @discardableResult
    public func stop(grace: Double = 10) -> CommandRunner.Ran {
        closeInput()
        signal(SIGTERM)
        return waitBlocking(timeout: grace)
    }

    /// Waits (bounded) until the output matches the regular expression `pattern`; returns the match,
    /// or nil when the child ended or `timeout` passed first.
    public func waitForOutput(matching pattern: String, timeout: Double = 60) async -> String? {
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            let text = output
            if let range = text.range(of: pattern, options: .regularExpression) { return String(text[range]) }
            if !isRunning || Date() >= deadline { return nil }
            try? await Task.sleep(nanoseconds: 20_000_000)
        }
    }

    /// ``waitForOutput(matching:timeout:)``, blocking the calling thread.
    public func waitForOutputBlocking(matching pattern: String, timeout: Double = 60) -> String? {
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            let text = output
            if let range = text.range(of: pattern, options: .regularExpression) { return String(text[range]) }
            if !isRunning || Date() >= deadline { return nil }
            usleep(20_000)
        }
    }

    private func ran(timedOut: Bool) -> CommandRunner.Ran {
        CommandRunner.Ran(status: exitStatus() ?? -1, outputBytes: outputBytes, timedOut: timedOut, peakResidentBytes: peak?.bytes)
    }

    /// The exit status once the child is reaped (reaping it if it has ended).
    private func exitStatus() -> Int32? {
        if let exit = lock.withLock({ exit }) { return exit }
        // Measuring memory: reap only once the sampler has seen the child gone (a zombie has no memory lines).
        if let peak, !peak.isGone { return nil }
        return reap(blocking: false)
    }

    private func reap(blocking: Bool) -> Int32? {
        lock.withLock {
            if let exit { return exit }
            var status: Int32 = 0
            var result: pid_t
            repeat { result = waitpid(pid, &status, blocking ? 0 : WNOHANG) } while result == -1 && errno == EINTR
            guard result == pid else { return nil }
            let code = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
            exit = code
            return code
        }
    }
}

/// The peak resident memory of a child **after it exec'ed**, polled from `/proc/PID/status`
/// (`VmHWM` of its own address space). `wait4`'s `ru_maxrss` is no use here: `posix_spawn`
/// starts the child in the parent's address space, so it reports the test process's size
/// (190 MB with the whole suite loaded) whenever that is larger than the child's own.
final class PeakMemory: @unchecked Sendable {
    // `peak` and `gone` are only touched with `lock` held.
    private let lock = NSLock()
    private var peak: Int?
    private var gone = false
    private let pid: pid_t
    /// The executable's name as `/proc/PID/status` shows it (15 characters at most).
    private let name: String

    init(pid: pid_t, name: String) {
        self.pid = pid
        self.name = String(name.prefix(15))
    }

    var bytes: Int? { lock.withLock { peak } }
    /// The child has exited (a zombie or reaped): the last reading is in.
    var isGone: Bool { lock.withLock { gone } }

    func start() {
        let thread = Thread { [self] in
            let started = Date()
            while true {
                switch read() {
                case .exited: lock.withLock { gone = true }; return
                case .notYetExeced: break
                case .peak(let kib): lock.withLock { peak = max(peak ?? 0, kib * 1024) }
                }
                // Bounded: a reading that never settles must not keep the child unreaped.
                if Date().timeIntervalSince(started) > 3600 { lock.withLock { gone = true }; return }
                usleep(5_000)
            }
        }
        thread.start()
    }

    private enum Reading { case exited, notYetExeced, peak(Int) }

    private func read() -> Reading {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return .exited }
        var comm = "", hwm: Int?, zombie = false
        for line in text.split(separator: "\n") {
            if line.hasPrefix("Name:") { comm = line.dropFirst(5).trimmingCharacters(in: .whitespaces) }
            if line.hasPrefix("State:") { zombie = line.contains("Z") || line.contains("X") }
            if line.hasPrefix("VmHWM:") { hwm = Int(line.dropFirst(6).trimmingCharacters(in: .whitespaces).split(separator: " ").first ?? "") }
        }
        if zombie || hwm == nil { return comm == name || zombie ? .exited : .notYetExeced }
        return comm == name ? .peak(hwm!) : .notYetExeced
    }
}
