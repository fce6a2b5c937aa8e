import XMLStreaming
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes a file under a temporary name beside the destination, then renames it into place:
/// readers see the old file or the complete new one, never a partial one.
final class AtomicFileWriter {
    private let destination: String
    private let temporary: String
    private var descriptor: Int32
    private var committed = false

    init(path: String) throws(SignatureError) {
        destination = path
        let slash = path.lastIndex(of: "/")
        let directory = slash.map { String(path[..<$0]) } ?? "."
        let name = slash.map { String(path[path.index(after: $0)...]) } ?? path
        temporary = "\(directory.isEmpty ? "/" : directory)/.\(name).\(getpid()).\(UInt32.random(in: 0...UInt32.max)).tmp"
        descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw SignatureError(.io("\(path): \(String(cString: strerror(errno)))")) }
    }

    deinit {
        if !committed {
            if descriptor >= 0 { close(descriptor) }
            unlink(temporary)
        }
    }

    func append(_ bytes: UnsafeRawBufferPointer) throws(SignatureError) {
        var offset = 0
        while offset < bytes.count {
            let written = write(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
            if written < 0 {
                if errno == EINTR { continue }
                throw SignatureError(.io("\(destination): \(String(cString: strerror(errno)))"))
            }
            offset += written
        }
    }

    func append(_ bytes: [UInt8]) throws(SignatureError) {
        try bytes.withRawBytes { raw throws(SignatureError) in try append(raw) }
    }

    /// Flushes to disk (when `durable`) and renames into place.
    func commit(durable: Bool = true) throws(SignatureError) {
        guard !durable || fsync(descriptor) == 0, close(descriptor) == 0 else {
            throw SignatureError(.io("\(destination): \(String(cString: strerror(errno)))"))
        }
        descriptor = -1
        guard rename(temporary, destination) == 0 else {
            throw SignatureError(.io("\(destination): \(String(cString: strerror(errno)))"))
        }
        committed = true
    }
}
