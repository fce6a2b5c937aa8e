import ClearanceTestSupport
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Runs the `clearance` executable built beside the tests, feeding its standard input from a
/// writer on another thread, and reports its exit status, peak resident memory and output.
enum ChildProcess {
    struct Result {
        var status: Int32
        var peakResidentBytes: Int
        var output: String
    }

    struct Failure: Error, CustomStringConvertible { let description: String }

    /// Runs `clearance arguments…`; `feed` writes standard input (the descriptor is closed after).
    static func run(_ arguments: [String], feed: @escaping @Sendable (Int32) -> Void) throws -> Result {
        let executable = try TestBinaries.clearance()
        var input: [Int32] = [0, 0], output: [Int32] = [0, 0]
        // Close-on-exec: a child another test spawns meanwhile (a PostgreSQL server that outlives
        // the run) must not inherit the writing end, or this child never sees the end of its input.
        // (`pipe2` is not exported to Swift: the flag is set right after; the throwaway PostgreSQL
        // server, the long-lived child, also closes every inherited descriptor itself.)
        guard pipe(&input) == 0, pipe(&output) == 0 else { throw Failure(description: "pipe: \(errno)") }
        for descriptor in input + output { _ = fcntl(descriptor, F_SETFD, FD_CLOEXEC) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, input[0], 0)
        posix_spawn_file_actions_adddup2(&actions, output[1], 1)
        for descriptor in input + output { posix_spawn_file_actions_addclose(&actions, descriptor) }
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, executable, &actions, nil, argv, environ)
        close(input[0])
        close(output[1])
        guard spawned == 0 else { throw Failure(description: "posix_spawn \(executable): \(spawned)") }

        let writer = input[1]
        let writing = Thread { feed(writer); close(writer) }
        writing.start()
        let peak = PeakMemory(pid: pid)
        peak.start()
        var collected = [UInt8]()
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(output[0], $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            if count <= 0 { break }
            collected += buffer[0..<count]
        }
        close(output[0])
        var status: Int32 = 0
        var usage = rusage()
        // Poll until the child is a zombie (its /proc entry loses its memory lines), then reap it.
        peak.stopWhenGone()
        while wait4(pid, &status, 0, &usage) < 0 && errno == EINTR {}
        let exit = (status & 0x7f) == 0 ? (status >> 8) & 0xff : -1
        return Result(status: exit, peakResidentBytes: peak.bytes ?? Int(usage.ru_maxrss) * 1024,
                      output: String(decoding: collected, as: UTF8.self))
    }

    /// Writes all of `bytes` to a descriptor.
    static func write(_ bytes: UnsafeRawBufferPointer, to descriptor: Int32) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let written = Glibc.write(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
            if written < 0 { if errno == EINTR { continue } else { return false } }
            offset += written
        }
        return true
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
    private let finished = DispatchSemaphore(value: 0)

    init(pid: pid_t) { self.pid = pid }

    var bytes: Int? { lock.withLock { peak } }

    func start() {
        let thread = Thread { [self] in
            while true {
                switch Self.read(pid) {
                case .exited: lock.withLock { gone = true }; finished.signal(); return
                case .notYetExeced: break
                case .peak(let kib): lock.withLock { peak = max(peak ?? 0, kib * 1024) }
                }
                usleep(5_000)
            }
        }
        thread.start()
    }

    /// Waits (bounded) until the child has exited and the last reading is in.
    func stopWhenGone() {
        _ = finished.wait(timeout: .now() + 30)
    }

    private enum Reading { case exited, notYetExeced, peak(Int) }

    private static func read(_ pid: pid_t) -> Reading {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return .exited }
        var name = "", hwm: Int?, zombie = false
        for line in text.split(separator: "\n") {
            if line.hasPrefix("Name:") { name = line.dropFirst(5).trimmingCharacters(in: .whitespaces) }
            if line.hasPrefix("State:") { zombie = line.contains("Z") || line.contains("X") }
            if line.hasPrefix("VmHWM:") { hwm = Int(line.dropFirst(6).trimmingCharacters(in: .whitespaces).split(separator: " ").first ?? "") }
        }
        if zombie || hwm == nil { return name == "clearance" || zombie ? .exited : .notYetExeced }
        return name == "clearance" ? .peak(hwm!) : .notYetExeced
    }
}
