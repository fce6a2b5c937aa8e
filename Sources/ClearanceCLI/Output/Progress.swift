#if canImport(Glibc)
import Glibc
#endif

/// A one-line progress display on standard error, shown only when it is a terminal.
final class Progress {
    private let enabled: Bool
    private let start = Progress.now()
    private var lastDraw = 0.0
    private var drawn = false

    init(enabled: Bool = isatty(2) != 0) { self.enabled = enabled }

    static func now() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }

    /// Seconds since creation.
    var elapsed: Double { Progress.now() - start }

    /// Redraws at most a few times a second.
    func update(bytes: Int, total: Int?, documents: Int, label: String) {
        guard enabled else { return }
        let now = Progress.now()
        guard now - lastDraw > 0.25 else { return }
        lastDraw = now
        let seconds = max(now - start, 0.001)
        var line = "\r\(label): \(Self.megabytes(bytes))"
        if let total, total > 0 {
            line += " / \(Self.megabytes(total)) (\(bytes * 100 / total)%)"
            let rate = Double(bytes) / seconds
            if rate > 0 { line += ", ETA \(Int(Double(total - bytes) / rate))s" }
        }
        line += ", \(documents) documents, \(Int(Double(documents) / seconds))/s   "
        OutputBuffer.standardError(line)
        drawn = true
    }

    /// Clears the line.
    func finish() {
        guard enabled, drawn else { return }
        OutputBuffer.standardError("\r" + String(repeating: " ", count: 100) + "\r")
    }

    static func megabytes(_ bytes: Int) -> String {
        let tenths = bytes * 10 / (1 << 20)
        return "\(tenths / 10).\(tenths % 10) MB"
    }
}
