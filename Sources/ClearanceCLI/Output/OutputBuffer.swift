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

    /// Text as it is (its own line ends, e.g. CSV's CRLF).
    func raw(_ text: String) {
        pending.append(contentsOf: text.utf8)
        if pending.count >= 1 << 16 { flush() }
    }

    func flush() {
        guard !pending.isEmpty else { return }
        pending.withUnsafeBytes { Self.write($0, to: 1) }
        pending.removeAll(keepingCapacity: true)
    }

    deinit { flush() }

    /// Writes all of `bytes` to a file descriptor, retrying short writes.
    static func write(_ bytes: UnsafeRawBufferPointer, to descriptor: Int32) {
        var offset = 0
        while offset < bytes.count {
            let written = Glibc.write(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
            if written < 0 { if errno == EINTR { continue } else { return } }
            offset += written
        }
    }

    /// Writes a string to standard error.
    static func standardError(_ text: String) {
        var copy = text
        copy.withUTF8 { write(UnsafeRawBufferPointer($0), to: 2) }
    }
}
