/// A parser's events written down compactly, to be replayed to an ``XMLEventHandler`` on
/// another thread (see ``XMLEventReplayer``).
///
/// Why: on a large batch the thread that runs libxml2 bounds the wall time. Recording an event
/// is a few sequential stores, much less than collecting a record, so the parsing thread does
/// little beyond libxml2 while the other thread replays the events to the real handler.
///
/// Names are kept as libxml2's interned pointers: they stay valid until the parser that met
/// them is freed, so a tape must be replayed before its parser goes. Text and attribute values
/// are copied in. Records are 8-byte aligned.
public final class XMLEventTape: @unchecked Sendable {
    // Written by one thread, then handed to another through a lock (which orders the memory),
    // never used by two at once.
    enum Kind: UInt32 {
        case start = 1, end, text, comment, processingInstruction
    }

    fileprivate(set) var base: UnsafeMutableRawPointer
    fileprivate(set) var capacity: Int
    /// Bytes recorded.
    public fileprivate(set) var count = 0

    private let initialCapacity: Int

    /// Creates an empty tape.
    public init(capacity: Int = 1 << 20) {
        self.capacity = max(capacity, 64)
        initialCapacity = self.capacity
        base = .allocate(byteCount: self.capacity, alignment: 8)
    }

    deinit { base.deallocate() }

    /// Whether nothing is recorded.
    public var isEmpty: Bool { count == 0 }

    /// Forgets the recorded events, keeping the memory unless it grew past four times the first
    /// capacity (one unusual stretch of input does not pin a large buffer for the rest).
    public func removeAll() {
        count = 0
        if capacity > 4 * initialCapacity {
            base.deallocate()
            capacity = initialCapacity
            base = .allocate(byteCount: capacity, alignment: 8)
        }
    }

    /// Makes room for `bytes` more and returns where they go.
    @inline(__always)
    func reserve(_ bytes: Int) -> UnsafeMutableRawPointer {
        if count + bytes > capacity { grow(count + bytes) }
        let at = base + count
        count += bytes
        return at
    }

    private func grow(_ needed: Int) {
        var newCapacity = capacity * 2
        while newCapacity < needed { newCapacity *= 2 }
        let grown = UnsafeMutableRawPointer.allocate(byteCount: newCapacity, alignment: 8)
        grown.copyMemory(from: base, byteCount: count)
        base.deallocate()
        base = grown
        capacity = newCapacity
    }

    @inline(__always)
    static func padded(_ length: Int) -> Int { (length + 7) & ~7 }

    @inline(__always)
    func header(_ kind: Kind, _ value: UInt32) {
        let at = reserve(8)
        at.storeBytes(of: kind.rawValue, as: UInt32.self)
        at.storeBytes(of: value, toByteOffset: 4, as: UInt32.self)
    }

    @inline(__always)
    func bytes(_ source: UnsafeRawPointer?, _ length: Int) {
        let at = reserve(Self.padded(length))
        if length > 0, let source { at.copyMemory(from: source, byteCount: length) }
    }

    /// `start`: depth, line, column, local name, prefix, URI, namespace and attribute counts, then
    /// each namespace (prefix, URI) and each attribute (local name, prefix, URI, value length, value).
    @inline(__always)
    func recordStart(
        depth: Int, line: Int32, column: Int32,
        _ localName: UnsafePointer<UInt8>?, _ prefix: UnsafePointer<UInt8>?, _ uri: UnsafePointer<UInt8>?,
        _ namespaceCount: Int, _ namespaces: UnsafeMutablePointer<UnsafePointer<UInt8>?>?,
        _ attributeCount: Int, _ attributes: UnsafeMutablePointer<UnsafePointer<UInt8>?>?
    ) {
        let at = reserve(48 + 16 * namespaceCount)
        at.storeBytes(of: Kind.start.rawValue, as: UInt32.self)
        at.storeBytes(of: UInt32(truncatingIfNeeded: depth), toByteOffset: 4, as: UInt32.self)
        at.storeBytes(of: line, toByteOffset: 8, as: Int32.self)
        at.storeBytes(of: column, toByteOffset: 12, as: Int32.self)
        at.storeBytes(of: localName, toByteOffset: 16, as: UnsafePointer<UInt8>?.self)
        at.storeBytes(of: prefix, toByteOffset: 24, as: UnsafePointer<UInt8>?.self)
        at.storeBytes(of: uri, toByteOffset: 32, as: UnsafePointer<UInt8>?.self)
        at.storeBytes(of: UInt32(namespaceCount), toByteOffset: 40, as: UInt32.self)
        at.storeBytes(of: UInt32(attributeCount), toByteOffset: 44, as: UInt32.self)
        for index in 0..<(2 * namespaceCount) {
            at.storeBytes(of: namespaces![index], toByteOffset: 48 + 8 * index, as: UnsafePointer<UInt8>?.self)
        }
        for index in 0..<attributeCount {
            let attribute = attributes! + 5 * index
            let value = attribute[3]!, length = attribute[4]! - value
            let names = reserve(32)
            for name in 0..<3 { names.storeBytes(of: attribute[name], toByteOffset: 8 * name, as: UnsafePointer<UInt8>?.self) }
            names.storeBytes(of: UInt64(length), toByteOffset: 24, as: UInt64.self)
            bytes(value, length)
        }
    }

    @inline(__always)
    func recordEnd(depth: Int) { header(.end, UInt32(truncatingIfNeeded: depth)) }

    @inline(__always)
    func recordText(_ text: UnsafePointer<UInt8>, _ length: Int) {
        header(.text, UInt32(length))
        bytes(text, length)
    }

    func recordComment(_ text: UnsafePointer<UInt8>, _ length: Int) {
        header(.comment, UInt32(length))
        bytes(text, length)
    }

    /// The target and the data, each NUL-terminated, in one run of bytes.
    func recordProcessingInstruction(target: String, data: String) {
        let joined = Array(target.utf8) + [0] + Array(data.utf8) + [0]
        header(.processingInstruction, UInt32(joined.count))
        joined.withUnsafeBytes { bytes($0.baseAddress, $0.count) }
    }
}

extension XMLEventTape {
    /// Swaps the recorded events (and memory) of two tapes: a parser keeps recording into its
    /// tape while the events read so far go elsewhere in `other`.
    public func exchange(with other: XMLEventTape) {
        swap(&base, &other.base)
        swap(&capacity, &other.capacity)
        swap(&count, &other.count)
    }
}
