/// A 64 KB output buffer in front of a ``CanonicalSink``, with the C14N escaping rules.
///
/// Bytes are copied with `memcpy` into a fixed buffer and handed to the sink in large pieces,
/// so the canonicalizer's hot path neither allocates nor calls the sink per event.
final class CanonicalWriter {
    private let sink: any CanonicalSink
    private let capacity = 1 << 16
    private let storage: UnsafeMutablePointer<UInt8>
    private var count = 0
    /// Total bytes written, for diagnostics.
    private(set) var total = 0

    init(sink: any CanonicalSink) {
        self.sink = sink
        storage = .allocate(capacity: capacity)
    }

    deinit {
        storage.deallocate()
    }

    /// Hands buffered bytes to the sink.
    func flush() {
        guard count > 0 else { return }
        sink.write(UnsafeRawBufferPointer(start: storage, count: count))
        count = 0
    }

    @inline(__always)
    func byte(_ value: UInt8) {
        if count == capacity { flush() }
        storage[count] = value
        count += 1
        total += 1
    }

    @inline(__always)
    func raw(_ bytes: UnsafeBufferPointer<UInt8>) {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return }
        total += bytes.count
        if count + bytes.count > capacity {
            flush()
            if bytes.count > capacity / 2 {
                sink.write(UnsafeRawBufferPointer(bytes))
                return
            }
        }
        (storage + count).update(from: base, count: bytes.count)
        count += bytes.count
    }

    func raw(_ bytes: [UInt8]) {
        bytes.withUnsafeBufferPointer { raw($0) }
    }

    func raw(_ text: StaticString) {
        raw(UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }

    /// Text node content: `&`, `<`, `>` and CR are escaped.
    func text(_ bytes: UnsafeBufferPointer<UInt8>) {
        escaped(bytes) { byte in
            switch byte {
            case 0x26: "&amp;"
            case 0x3C: "&lt;"
            case 0x3E: "&gt;"
            case 0x0D: "&#xD;"
            default: nil
            }
        }
    }

    /// Attribute value content: `&`, `<`, `"`, TAB, LF and CR are escaped.
    func attributeValue(_ bytes: UnsafeBufferPointer<UInt8>) {
        escaped(bytes) { byte in
            switch byte {
            case 0x26: "&amp;"
            case 0x3C: "&lt;"
            case 0x22: "&quot;"
            case 0x09: "&#x9;"
            case 0x0A: "&#xA;"
            case 0x0D: "&#xD;"
            default: nil
            }
        }
    }

    /// Writes `bytes`, each byte `replacement` names replaced by its text, runs between as they are.
    @inline(__always)
    private func escaped(_ bytes: UnsafeBufferPointer<UInt8>, _ replacement: (UInt8) -> StaticString?) {
        var start = 0
        for index in 0..<bytes.count {
            guard let text = replacement(bytes[index]) else { continue }
            raw(UnsafeBufferPointer(rebasing: bytes[start..<index]))
            raw(text)
            start = index + 1
        }
        raw(UnsafeBufferPointer(rebasing: bytes[start...]))
    }

    func attributeValue(_ bytes: [UInt8]) {
        bytes.withUnsafeBufferPointer { attributeValue($0) }
    }
}
