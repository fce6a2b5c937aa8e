#if canImport(Glibc)
import Glibc
#endif

/// Buffered writes to standard output, flushed in large blocks.
final class OutputBuffer {
    private var pending: [UInt8] = []

    init() { pending.reserveCapacity(1 << 16) }

    func line(_ text: String) {
        pending.append(contentsOf: text.utf8)
        pending.append(10)
        if pending.count >= 1 << 16 { flush() }
    }

    func flush() {
        guard !pending.isEmpty else { return }
        pending.withUnsafeBytes { _ = fwrite($0.baseAddress, 1, $0.count, stdout) }
        fflush(stdout)
        pending.removeAll(keepingCapacity: true)
    }

    deinit { flush() }
}
