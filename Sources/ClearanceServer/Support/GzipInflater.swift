import CZlib

/// Why a compressed body could not be decoded.
public struct InflateError: Error, Sendable, CustomStringConvertible {
    /// zlib's explanation.
    public var description: String
}

/// Streaming gzip decoder (zlib `inflate`): compressed chunks in, decoded chunks out, so a
/// gzip upload is validated as it arrives without ever being held whole, compressed or not.
///
/// Not thread-safe; one inflater decodes one stream.
final class GzipInflater {
    private var stream = z_stream()
    private var finished = false
    private var outputBuffer = [UInt8](repeating: 0, count: 64 << 10)

    init() throws(InflateError) {
        // 15 + 16: gzip wrapper only.
        let status = inflateInit2_(&stream, 15 + 16, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size))
        guard status == Z_OK else { throw InflateError(description: "inflateInit2 failed (\(status))") }
    }

    deinit { inflateEnd(&stream) }

    /// Whether the end of the gzip stream has been read.
    var isFinished: Bool { finished }

    /// Decodes the next compressed bytes, handing each decoded piece to `sink`.
    func inflate(_ copy: [UInt8], _ sink: ([UInt8]) async throws -> Void) async throws {
        guard !finished else {
            if copy.isEmpty { return }
            throw InflateError(description: "data after the end of the gzip stream")
        }
        guard !copy.isEmpty else { return }
        var offset = 0
        while true {
            var produced: [UInt8] = []
            var status: Int32 = Z_OK
            copy.withUnsafeBufferPointer { inputPointer in
                outputBuffer.withUnsafeMutableBufferPointer { outputPointer in
                    stream.next_in = UnsafeMutablePointer(mutating: inputPointer.baseAddress! + offset)
                    stream.avail_in = UInt32(copy.count - offset)
                    stream.next_out = outputPointer.baseAddress
                    stream.avail_out = UInt32(outputPointer.count)
                    status = CZlib.inflate(&stream, Z_NO_FLUSH)
                    offset = copy.count - Int(stream.avail_in)
                    produced = Array(outputPointer[0..<(outputPointer.count - Int(stream.avail_out))])
                }
            }
            if !produced.isEmpty { try await sink(produced) }
            switch status {
            case Z_STREAM_END:
                finished = true
                if offset < copy.count { throw InflateError(description: "data after the end of the gzip stream") }
                return
            case Z_OK:
                if offset >= copy.count && stream.avail_out != 0 { return }
            case Z_BUF_ERROR:
                if offset >= copy.count { return }
                throw InflateError(description: "gzip stream stalled")
            default:
                let reason = stream.msg.map { String(cString: $0) } ?? "code \(status)"
                throw InflateError(description: "not a valid gzip stream: \(reason)")
            }
        }
    }
}
