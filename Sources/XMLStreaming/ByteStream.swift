#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads a file or standard input in fixed-size chunks, for feeding a push parser.
public final class ByteStream {
    private let descriptor: Int32
    private let ownsDescriptor: Bool
    private var buffer: [UInt8]
    /// The file's size when known (regular files), for progress reports.
    public let size: Int?
    /// Bytes read so far.
    public private(set) var bytesRead = 0

    /// Opens `path`, or standard input for `-`.
    /// - Throws: ``XMLStreamError`` with reason `.io` when the file cannot be opened.
    public init(path: String, chunkSize: Int = 1 << 20) throws(XMLStreamError) {
        if path == "-" {
            descriptor = 0
            ownsDescriptor = false
        } else {
            descriptor = open(path, O_RDONLY)
            guard descriptor >= 0 else {
                throw XMLStreamError(.io("\(path): \(String(cString: strerror(errno)))"), at: nil)
            }
            ownsDescriptor = true
        }
        var status = stat()
        size = fstat(descriptor, &status) == 0 && (status.st_mode & S_IFMT) == S_IFREG ? Int(status.st_size) : nil
        buffer = [UInt8](repeating: 0, count: chunkSize)
    }

    deinit {
        if ownsDescriptor { close(descriptor) }
    }

    /// Calls `body` with each chunk until the end of the input.
    public func forEachChunk(_ body: (UnsafeRawBufferPointer) throws(XMLStreamError) -> Void) throws(XMLStreamError) {
        while true {
            let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw XMLStreamError(.io(String(cString: strerror(errno))), at: nil)
            }
            if count == 0 { return }
            bytesRead += count
            try buffer.withRawBytes { raw throws(XMLStreamError) in try body(UnsafeRawBufferPointer(rebasing: raw[0..<count])) }
        }
    }
}
