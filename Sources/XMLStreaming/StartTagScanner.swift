#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A cheap scan that bounds every start tag *before* libxml2 sees it.
///
/// libxml2 2.9 checks for duplicate attributes pairwise: one start tag with 200,000
/// attributes (2.3 MB) costs it more than 30 s, and its own attribute count is only known
/// once that work is done. This scanner reads each chunk first, carrying its state across
/// chunk boundaries, without walking every tag: that cost a tenth of the parse.
///
/// It rests on one rule of XML: a start tag holds no `<` but its first (names cannot, and
/// attribute values may not; at a stray `<` libxml2 stops with an error before reading
/// further attributes). So every start tag, with all its `=` (one per attribute or namespace
/// declaration), lies within a *segment*, from one `<` to the next, and
/// - a segment with at most ``XMLLimits/maxAttributes`` `=` cannot hold a start tag with more;
/// - a segment with no `<`-free run of ``XMLLimits/maxStartTagBytes`` cannot hold a longer one,
///   which aligned windows of half that size, each holding a `<`, prove.
///
/// Finding the `=` is one `memchr` pass (real messages have a handful); each window end
/// costs a short backward search for its last `<`. Only a segment that fails one of the two
/// proofs is read exactly, from its `<` to the first `>` outside quotes, and refused when its
/// start tag breaks a limit. Such a read never depends on what came before the `<` (comment,
/// CDATA, quotes), so a `<` inside a comment or CDATA section is read as if it began a tag:
/// markup-like text there with more `=` than the limit is refused too. DOCTYPEs are left to
/// the parser, which refuses them.
///
/// It reads the document in code units of the width the first bytes announce (UTF-8 and
/// other ASCII-compatible encodings: 1; UTF-16: 2; UCS-4: 4), and refuses a declared
/// encoding in which `<`, `=`, quotes or `>` could be written other than as themselves
/// (UTF-7, ISO-2022, HZ, EBCDIC): the scanner could not see those tags.
struct StartTagScanner {
    /// What the scanner refuses, and how many bytes of the current piece libxml2 may still
    /// see (everything before the offending tag, and its `<`) so that its position points
    /// at the tag.
    struct Refusal {
        var reason: XMLStreamError.Reason
        var safePrefix: Int
    }

    let maxAttributes: Int
    let maxStartTagBytes: Int
    /// Bytes per code unit; 0 until the first bytes are seen.
    private(set) var width = 0
    private var bigEndian = false
    /// The start-tag limit in code units, and the window size that proves it.
    private var maxUnits = 0
    private var window = 1
    /// Bytes of an incomplete code unit at the end of the last piece (UTF-16, UCS-4).
    private var carry: [UInt8] = []
    /// Code units before the current piece.
    private var consumed = 0
    /// Whether the current window (of `window` units, aligned) has held a `<` so far.
    private var windowSawLess = false

    // The current segment.
    /// Code-unit offset of its `<`; -1 before the first.
    private var segmentStart = -1
    /// The `=` in it so far.
    private var segmentEquals = 0
    /// Its first units (at most `maxUnits + 1`), kept across pieces for an exact read.
    private var segmentHead: [UInt8] = []
    /// Whether an exact read found its start tag within limits, or found it is no start tag.
    private var cleared = false
    /// The exact read so far: where it stopped (-1: not begun), the open quote, the `=` outside quotes.
    private var readTo = -1
    private var readQuote: UInt8 = 0
    private var readEquals = 0

    /// The first units of the document while they may still be an incomplete XML declaration.
    private var declaration: [UInt8]? = []

    init(limits: XMLLimits) {
        maxAttributes = limits.maxAttributes
        maxStartTagBytes = limits.maxStartTagBytes
    }

    /// Chooses the code-unit width from the first (up to four) bytes, as XML 1.0 appendix F does.
    /// - Returns: a refusal for EBCDIC, which the scanner cannot read.
    mutating func detectEncoding(_ head: [UInt8]) -> XMLStreamError.Reason? {
        let b = head + [UInt8](repeating: 0xFF, count: max(0, 4 - head.count))
        switch (b[0], b[1], b[2], b[3]) {
        case (0x00, 0x00, 0x00, 0x3C), (0x00, 0x00, 0xFE, 0xFF): (width, bigEndian) = (4, true)
        case (0x3C, 0x00, 0x00, 0x00), (0xFF, 0xFE, 0x00, 0x00): (width, bigEndian) = (4, false)
        case (0xFE, 0xFF, _, _), (0x00, 0x3C, 0x00, 0x3F): (width, bigEndian) = (2, true)
        case (0xFF, 0xFE, _, _), (0x3C, 0x00, 0x3F, 0x00): (width, bigEndian) = (2, false)
        case (0x4C, 0x6F, 0xA7, 0x94): return .encoding("EBCDIC documents are not accepted")
        default: width = 1
        }
        maxUnits = maxStartTagBytes / width
        window = max(1, maxUnits / 2)
        return nil
    }

    /// Scans the next piece of input.
    /// - Returns: nil when libxml2 may see the whole piece.
    mutating func scan(_ piece: UnsafeRawBufferPointer) -> Refusal? {
        precondition(width > 0, "scan before detectEncoding")
        if width == 1 {
            return scanUnits(piece.bindMemory(to: UInt8.self), carried: 0)
        }
        // Wider units are projected to one byte each (ASCII stays, the rest becomes 0x80),
        // so the same scanner reads them. UTF-16 documents are rare; this copy is acceptable.
        let carried = carry.count
        var bytes = carry
        bytes.append(contentsOf: piece)
        let units = bytes.count / width
        carry = Array(bytes[(units * width)...])
        var projected = [UInt8](repeating: 0x80, count: units)
        for index in 0..<units {
            var value: UInt32 = 0
            for byte in 0..<width {
                let shift = bigEndian ? 8 * (width - 1 - byte) : 8 * byte
                value |= UInt32(bytes[index * width + byte]) << shift
            }
            if value < 0x80 { projected[index] = UInt8(value) }
        }
        return projected.withUnsafeBufferPointer { scanUnits($0, carried: carried) }
    }

    /// The scanner proper, over one byte per code unit.
    /// - Parameter carried: bytes of the first unit that came with the previous piece.
    private mutating func scanUnits(_ units: UnsafeBufferPointer<UInt8>, carried: Int) -> Refusal? {
        guard let base = units.baseAddress, !units.isEmpty else { return nil }
        let count = units.count
        if declaration != nil, let refused = checkDeclaration(units) { return refused }
        var position = 0
        while position < count {
            // One aligned window, or the part of it in this piece.
            let windowEnd = min(count, ((consumed + position) / window + 1) * window - consumed)
            var cursor = position
            while cursor < windowEnd, let found = memchr(base + cursor, 0x3D, windowEnd - cursor) {
                let equals = base.distance(to: found.assumingMemoryBound(to: UInt8.self))
                if let less = Self.findLast(0x3C, base, cursor, equals), let refused = beginSegment(at: less, base, carried) {
                    return refused
                }
                segmentEquals += 1
                if segmentEquals > maxAttributes, !cleared, segmentStart >= 0,
                   let refused = read(base, to: equals + 1, carried) { return refused }
                cursor = equals + 1
            }
            if let less = Self.findLast(0x3C, base, cursor, windowEnd), let refused = beginSegment(at: less, base, carried) {
                return refused
            }
            if (consumed + windowEnd) % window == 0 {
                // A whole window without `<`: the segment around it may hold a long start tag.
                if !windowSawLess, !cleared, segmentStart >= 0, let refused = read(base, to: windowEnd, carried) {
                    return refused
                }
                windowSawLess = false
            }
            position = windowEnd
        }
        // A read that has begun goes on with every piece until the tag closes.
        if readTo >= 0, !cleared, let refused = read(base, to: count, carried) { return refused }
        keepSegmentHead(base, count)
        consumed += count
        return nil
    }

    /// A `<` at `index` of the current piece starts a new segment; a read of the one before
    /// finishes first.
    private mutating func beginSegment(at index: Int, _ base: UnsafePointer<UInt8>, _ carried: Int) -> Refusal? {
        if readTo >= 0, !cleared, let refused = read(base, to: index, carried) { return refused }
        segmentStart = consumed + index
        segmentEquals = 0
        segmentHead.removeAll(keepingCapacity: true)
        cleared = false
        readTo = -1
        windowSawLess = true
        return nil
    }

    /// Reads the current segment exactly, from where the last read stopped to `end` (an index
    /// of the current piece), as a start tag: counts `=` outside quotes up to the first `>`.
    private mutating func read(_ base: UnsafePointer<UInt8>, to end: Int, _ carried: Int) -> Refusal? {
        func unit(_ offset: Int) -> UInt8 {
            offset >= consumed ? base[offset - consumed] : segmentHead[offset - segmentStart]
        }
        let stop = min(consumed + end, segmentStart + maxUnits + 1)
        if readTo < 0 {
            guard segmentStart + 1 < consumed + end else { return nil }  // the `<` is all there is yet
            switch unit(segmentStart + 1) {
            case UInt8(ascii: "/"), UInt8(ascii: "!"), UInt8(ascii: "?"):
                cleared = true  // an end tag, comment, CDATA section, DOCTYPE or instruction
                return nil
            default: break
            }
            (readTo, readQuote, readEquals) = (segmentStart + 1, 0, 0)
        }
        while readTo < stop {
            let byte = unit(readTo)
            readTo += 1
            if byte == UInt8(ascii: "<") {
                cleared = true  // a `<` in a start tag: libxml2 refuses the tag there
                break
            } else if readQuote != 0 {
                if byte == readQuote { readQuote = 0 }
            } else if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "'") {
                readQuote = byte
            } else if byte == UInt8(ascii: "=") {
                readEquals += 1
                if readEquals > maxAttributes { return refusal(.attributeCountLimit(maxAttributes), carried) }
            } else if byte == UInt8(ascii: ">") {
                cleared = true
                break
            }
        }
        if (readTo - segmentStart) * width > maxStartTagBytes {
            return refusal(.startTagLimit(maxStartTagBytes), carried)
        }
        return nil
    }

    /// Keeps the first units of the current segment that this piece holds, for a read that
    /// a later piece may call for.
    private mutating func keepSegmentHead(_ base: UnsafePointer<UInt8>, _ count: Int) {
        guard segmentStart >= 0, !cleared, segmentHead.count <= maxUnits else { return }
        let from = max(0, segmentStart - consumed)
        let to = min(count, from + maxUnits + 1 - segmentHead.count)
        segmentHead.append(contentsOf: UnsafeBufferPointer(start: base + from, count: to - from))
    }

    /// A refusal of the current segment's start tag; libxml2 may read up to its `<`.
    /// - Parameter carried: bytes of the piece's first unit that came with the previous piece.
    private func refusal(_ reason: XMLStreamError.Reason, _ carried: Int) -> Refusal {
        Refusal(reason: reason, safePrefix: max(0, (segmentStart - consumed + 1) * width - carried))
    }

    // MARK: The XML declaration

    /// Collects the XML declaration and checks its encoding before libxml2 can switch to it.
    private mutating func checkDeclaration(_ units: UnsafeBufferPointer<UInt8>) -> Refusal? {
        var collected = declaration ?? []
        collected.append(contentsOf: units.prefix(1024 - collected.count))
        var text = collected[...]
        if text.starts(with: [0xEF, 0xBB, 0xBF]) { text = text.dropFirst(3) } else if text.first == 0x80 { text = text.dropFirst() }
        let opening = Array("<?xml".utf8)
        guard text.count > opening.count else {
            // Too short to tell yet, unless it already is something else.
            declaration = text.elementsEqual(opening.prefix(text.count)) ? collected : nil
            return nil
        }
        guard text.starts(with: opening), [0x20, 0x09, 0x0D, 0x0A].contains(text[text.startIndex + 5]) else {
            declaration = nil
            return nil
        }
        guard let end = text.indices.first(where: { text[$0] == UInt8(ascii: "?") && $0 + 1 < text.endIndex && text[$0 + 1] == UInt8(ascii: ">") }) else {
            if collected.count >= 1024 { return Refusal(reason: .malformed("the XML declaration is longer than 1024 characters"), safePrefix: 0) }
            declaration = collected
            return nil
        }
        declaration = nil
        return checkDeclaredEncoding(Array(text[(text.startIndex + 2)..<end])).map { Refusal(reason: $0, safePrefix: 0) }
    }

    /// Refuses a declared encoding the scanner cannot read through, or one that contradicts
    /// the code-unit width of the first bytes (libxml2 could switch to it mid-document).
    private func checkDeclaredEncoding(_ declaration: [UInt8]) -> XMLStreamError.Reason? {
        // Bytes, not `String`: every message's declaration passes here, and splitting a `String`
        // on a `String` cost 1.1 % of the machine in a profile of `clearance submit` with 32 at once.
        let keyword = Array("encoding".utf8)
        guard declaration.count >= keyword.count, let key = (0...(declaration.count - keyword.count)).first(where: {
            declaration[$0..<($0 + keyword.count)].elementsEqual(keyword)
        }) else { return nil }
        let rest = declaration[(key + keyword.count)...].drop { $0 == 0x20 || $0 == 0x09 || $0 == 0x0D || $0 == 0x0A || $0 == UInt8(ascii: "=") }
        guard let open = rest.first, open == UInt8(ascii: "\"") || open == UInt8(ascii: "'") else { return nil }
        let name = rest.dropFirst().prefix { $0 != open }.map { $0 >= 0x61 && $0 <= 0x7A ? $0 - 0x20 : $0 }
        let families: [String] = switch width {
        case 1: Self.asciiCompatible
        case 2: ["UTF-16", "UTF16", "UCS-2", "UCS2", "ISO-10646-UCS-2"]
        default: ["UCS-4", "UCS4", "UTF-32", "UTF32", "ISO-10646-UCS-4"]
        }
        if families.contains(where: { name.starts(with: $0.utf8) }) { return nil }
        return .encoding("encoding \"\(String(decoding: name, as: UTF8.self))\" is not accepted here")
    }

    /// Encodings in which the bytes `<`, `>`, `=`, `"`, `'` only ever stand for themselves
    /// (multi-byte trail bytes are 0x40 or above in GBK, Big5 and Shift_JIS, digits in GB18030).
    private static let asciiCompatible = [
        "UTF-8", "UTF8", "US-ASCII", "ASCII", "ISO-8859-", "ISO8859-", "ISO_8859-", "LATIN",
        "GB2312", "GBK", "GB18030", "CP936", "BIG5", "WINDOWS-125", "CP125", "EUC-", "SHIFT_JIS", "SJIS",
    ]

    // MARK: Searching

    /// The index of the last `byte` in `from..<to`, eight bytes at a time from the end
    /// (the `<` that opens a segment is usually a few bytes back).
    @inline(__always)
    private static func findLast(_ byte: UInt8, _ base: UnsafePointer<UInt8>, _ from: Int, _ to: Int) -> Int? {
        var end = to
        let low: UInt64 = 0x7F7F_7F7F_7F7F_7F7F, pattern = 0x0101_0101_0101_0101 &* UInt64(byte)
        while end - from >= 8 {
            let word = UInt64(littleEndian: UnsafeRawPointer(base + end - 8).loadUnaligned(as: UInt64.self)) ^ pattern
            // High bit set exactly in the bytes that are zero: no carry crosses bytes.
            let hits = ~(((word & low) &+ low) | word | low)
            if hits != 0 { return end - 8 + (63 - hits.leadingZeroBitCount) >> 3 }
            end -= 8
        }
        while end > from {
            end -= 1
            if base[end] == byte { return end }
        }
        return nil
    }
}
