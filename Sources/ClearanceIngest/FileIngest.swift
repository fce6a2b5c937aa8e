import ClearanceStore
import Foundation
#if canImport(Glibc)
import Glibc
#endif

extension BatchIngestor {
    /// Ingests a file, or standard input for `-`, streaming it in 1 MiB reads.
    ///
    /// The sender (`BaseTransfer/copCode`, written after the documents) is read first from the
    /// last 64 KiB of the file, so chunks can be committed while parsing continues; it is checked
    /// against the parsed envelope at the end. Standard input cannot be read from its end: it is
    /// first copied to a temporary file (disk, not memory), then ingested the same way.
    public static func ingest(
        path: String, store: any Store, options: IngestOptions = IngestOptions(),
        observer: (any IngestObserver)? = nil, onRead: ((_ bytes: Int, _ total: Int?) -> Void)? = nil
    ) async throws(IngestError) -> IngestSummary {
        if path == "-" {
            let spooled = try spoolStandardInput()
            defer { unlink(spooled) }
            return try await ingest(path: spooled, store: store, options: options, observer: observer, onRead: onRead)
        }
        let descriptor = open(path, O_RDONLY)
        guard descriptor >= 0 else { throw .io("\(path): \(String(cString: strerror(errno)))") }
        defer { close(descriptor) }
        var status = stat()
        let size: Int? = fstat(descriptor, &status) == 0 && (status.st_mode & S_IFMT) == S_IFREG ? Int(status.st_size) : nil
        var options = options
        if options.senderCode == nil, let size { options.senderCode = trailingSender(descriptor, size: size) }
        let ingestor = BatchIngestor(store: store, options: options, observer: observer)
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 16)
        defer { buffer.deallocate() }
        var offset = 0
        while true {
            let count = pread(descriptor, buffer.baseAddress, buffer.count, off_t(offset))
            if count < 0 {
                if errno == EINTR { continue }
                throw .io("\(path): \(String(cString: strerror(errno)))")
            }
            if count == 0 { break }
            offset += count
            try await ingestor.feed(UnsafeRawBufferPointer(rebasing: buffer[0..<count]))
            onRead?(offset, size)
        }
        return try await ingestor.finish()
    }

    /// `BaseTransfer/copCode` from the end of the file, or nil when it is not found there.
    static func trailingSender(_ descriptor: Int32, size: Int) -> String? {
        let tail = min(size, 64 << 10)
        var bytes = [UInt8](repeating: 0, count: tail)
        let read = bytes.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, tail, off_t(size - tail)) }
        guard read == tail else { return nil }
        return senderCode(inTail: bytes)
    }

    /// Finds `<…copCode>VALUE</…copCode>` after the last `BaseTransfer` start tag in `bytes`.
    static func senderCode(inTail bytes: [UInt8]) -> String? {
        let transfer = Array("BaseTransfer>".utf8), code = Array("copCode>".utf8)
        func find(_ needle: [UInt8], from: Int, last: Bool) -> Int? {
            guard bytes.count - needle.count >= from else { return nil }
            let range = Array(from...(bytes.count - needle.count))
            for i in (last ? range.reversed() : range) where bytes[i] == needle[0] && Array(bytes[i..<(i + needle.count)]) == needle {
                // A start tag: `<BaseTransfer>` or `<prefix:BaseTransfer>`, not `</…>`.
                var j = i - 1
                while j >= 0, bytes[j] != UInt8(ascii: "<") { j -= 1 }
                if j >= 0, bytes[j + 1] != UInt8(ascii: "/") { return i + needle.count }
            }
            return nil
        }
        guard let afterTransfer = find(transfer, from: 0, last: true),
              let start = find(code, from: afterTransfer, last: false),
              let end = bytes[start...].firstIndex(of: UInt8(ascii: "<")) else { return nil }
        let value = String(decoding: bytes[start..<end], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return value.isEmpty ? nil : value
    }

    /// Copies standard input to a temporary file and returns its path.
    static func spoolStandardInput() throws(IngestError) -> String {
        var template = Array((NSTemporaryDirectory() + "/clearance-stdin-XXXXXX").utf8CString)
        let fd = mkstemp(&template)
        guard fd >= 0 else { throw .io("cannot create a temporary file: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        let path = String(decoding: template.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(0, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                unlink(path)
                throw .io("standard input: \(String(cString: strerror(errno)))")
            }
            if count == 0 { return path }
            var written = 0
            while written < count {
                let n = buffer.withUnsafeBytes { write(fd, $0.baseAddress! + written, count - written) }
                if n < 0 {
                    if errno == EINTR { continue }
                    unlink(path)
                    throw .io("temporary file: \(String(cString: strerror(errno)))")
                }
                written += n
            }
        }
    }
}
