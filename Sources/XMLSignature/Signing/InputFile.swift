#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A document file read by offset for the second signing pass, with a check that it did not change.
final class InputFile {
    let path: String
    let size: Int
    private let descriptor: Int32
    private let modified: timespec

    init(path: String) throws(SignatureError) {
        self.path = path
        descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw SignatureError(.io("\(path): \(String(cString: strerror(errno)))")) }
        var status = stat()
        guard fstat(descriptor, &status) == 0, (status.st_mode & S_IFMT) == S_IFREG else {
            close(descriptor)
            throw SignatureError(.io("\(path): not a regular file"))
        }
        size = Int(status.st_size)
        modified = status.st_mtim
    }

    deinit {
        close(descriptor)
    }

    /// `count` bytes from `offset` (fewer at the end of the file).
    func read(at offset: Int, count: Int) throws(SignatureError) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: max(0, count))
        var filled = 0
        while filled < bytes.count {
            let got = bytes.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress! + filled, $0.count - filled, off_t(offset + filled)) }
            if got < 0 {
                if errno == EINTR { continue }
                throw SignatureError(.io("\(path): \(String(cString: strerror(errno)))"))
            }
            if got == 0 { break }
            filled += got
        }
        return Array(bytes.prefix(filled))
    }

    /// Copies bytes `[start, end)` into `output` in 1 MB pieces.
    func copy(from start: Int, to end: Int, into output: AtomicFileWriter) throws(SignatureError) {
        var offset = start
        while offset < end {
            let piece = try read(at: offset, count: min(1 << 20, end - offset))
            guard !piece.isEmpty else { throw SignatureError(.inputChanged) }
            try output.append(piece)
            offset += piece.count
        }
    }

    /// Whether size and modification time are still those seen at open.
    func unchanged() throws(SignatureError) -> Bool {
        var status = stat()
        guard stat(path, &status) == 0 else { throw SignatureError(.io("\(path): \(String(cString: strerror(errno)))")) }
        return Int(status.st_size) == size && status.st_mtim.tv_sec == modified.tv_sec && status.st_mtim.tv_nsec == modified.tv_nsec
    }
}
