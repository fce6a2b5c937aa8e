#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A cheap byte scanner that bounds every start tag *before* libxml2 sees it.
///
/// libxml2 2.9 checks for duplicate attributes pairwise: one start tag with 200,000
/// attributes (2.3 MB) costs it more than 30 s, and its own attribute count is only known
/// once that work is done. This scanner walks each chunk first, carrying its state across
/// chunk boundaries, and counts the `=` outside quotes (one per attribute or namespace
/// declaration) and the bytes of the current start tag. It knows just enough XML to not be
/// fooled by markup-like text: quoted attribute values, comments, CDATA sections, processing
/// instructions and end tags. A DOCTYPE is refused on sight (the parser refuses it anyway).
///
/// It reads the document in code units of the width the first bytes announce (UTF-8 and
/// other ASCII-compatible encodings: 1; UTF-16: 2; UCS-4: 4), and refuses a declared
/// encoding in which `<`, `=`, quotes or `>` could be written other than as themselves
/// (UTF-7, ISO-2022, HZ, EBCDIC): the scanner could not see those tags.
///
/// In text (most of a document) it jumps with `memchr`; only tags are walked byte by byte.
struct StartTagScanner {
    /// What the scanner refuses, and how many bytes of the current piece libxml2 may still
    /// see (everything before the offending construct, and its `<`) so that its position
    /// points at the construct.
    struct Refusal {
        var reason: XMLStreamError.Reason
        var safePrefix: Int
    }

    private enum State: UInt8 {
        case text, afterLess, endTag, startTag, quoted, bang, bangDash, comment, cdata, instruction
    }

    let maxAttributes: Int
    let maxStartTagBytes: Int
    /// Bytes per code unit; 0 until the first bytes are seen.
    private(set) var width = 0
    private var bigEndian = false
    /// Bytes of an incomplete code unit at the end of the last piece (UTF-16, UCS-4).
    private var carry: [UInt8] = []
    private var state = State.text
    /// The quote that closes the current attribute value.
    private var quote: UInt8 = 0
    /// Attributes in the current start tag; `-` or `]` run length in comments and CDATA;
    /// whether a `?` was just seen in an instruction.
    private var counter = 0
    /// Code units before the current piece.
    private var consumed = 0
    /// Code-unit offset of the `<` of the current construct.
    private var markupStart = 0
    /// Whether any `<` was seen: the first instruction may be the XML declaration.
    private var sawMarkup = false
    /// The XML declaration's code units (ASCII-projected) while it is being read; nil otherwise.
    private var declaration: [UInt8]?

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
        guard let base = units.baseAddress else { return nil }
        let count = units.count
        var index = 0
        while index < count {
            switch state {
            case .text:
                // The common path stays in this loop: text, `</name>`, and `<name ...>` up to a quote.
                while true {
                    guard let less = Self.find(0x3C, base, index, count) else {
                        index = count
                        break
                    }
                    markupStart = consumed &+ less
                    index = less &+ 1
                    guard index < count, base[index] != UInt8(ascii: "!"), base[index] != UInt8(ascii: "?") else {
                        state = .afterLess
                        break
                    }
                    if base[index] == UInt8(ascii: "/") {
                        guard let greater = Self.find(0x3E, base, index &+ 1, count) else {
                            state = .endTag
                            index = count
                            break
                        }
                        index = greater &+ 1
                        continue
                    }
                    sawMarkup = true
                    counter = 0
                    state = .startTag
                    if let refused = scanStartTag(base, &index, count, carried) { return refused }
                    if state != .text { break }
                }
            case .afterLess:
                switch base[index] {
                case UInt8(ascii: "/"): state = .endTag
                case UInt8(ascii: "!"): state = .bang
                case UInt8(ascii: "?"):
                    state = .instruction
                    counter = 0
                    if !sawMarkup { declaration = [] }
                default:
                    state = .startTag
                    counter = 0
                    sawMarkup = true
                    continue  // the byte is the tag name's first
                }
                sawMarkup = true
                index += 1
            case .endTag:
                // An end tag holds no quotes: its first `>` closes it.
                guard let found = Self.find(0x3E, base, index, count) else {
                    index = count
                    break
                }
                index = found + 1
                state = .text
            case .startTag:
                if let refused = scanStartTag(base, &index, count, carried) { return refused }
            case .quoted:
                guard let found = Self.find(quote, base, index, count) else {
                    index = count
                    break
                }
                index = found + 1
                state = .startTag
            case .bang:
                switch base[index] {
                case UInt8(ascii: "-"): state = .bangDash
                case UInt8(ascii: "["): state = .cdata
                case UInt8(ascii: "D"): return refusal(.doctypeForbidden, carried)
                default: state = .text  // not well-formed; libxml2 says so
                }
                counter = 0
                index += 1
            case .bangDash:
                state = base[index] == UInt8(ascii: "-") ? .comment : .text
                counter = 0
                index += 1
            case .comment, .cdata:
                // Ends at `-->` or `]]>`: a `>` after two or more of the closing character.
                let closing = state == .comment ? UInt8(ascii: "-") : UInt8(ascii: "]")
                while index < count {
                    let byte = base[index]
                    index += 1
                    if byte == closing {
                        counter += 1
                    } else if byte == UInt8(ascii: ">") && counter >= 2 {
                        state = .text
                        break
                    } else {
                        counter = 0
                    }
                }
            case .instruction:
                while index < count {
                    let byte = base[index]
                    index += 1
                    if declaration != nil {
                        if declaration!.count > 1024 { return refusal(.malformed("the XML declaration is longer than 1024 characters"), carried) }
                        declaration!.append(byte)
                    }
                    if byte == UInt8(ascii: ">") && counter == 1 {
                        state = .text
                        if let declaration, let reason = checkDeclaredEncoding(declaration) {
                            self.declaration = nil
                            return Refusal(reason: reason, safePrefix: 0)
                        }
                        declaration = nil
                        break
                    }
                    counter = byte == UInt8(ascii: "?") ? 1 : 0
                }
            }
        }
        if state == .startTag || state == .quoted, (consumed + count - markupStart) * width > maxStartTagBytes {
            return refusal(.startTagLimit(maxStartTagBytes), carried)
        }
        consumed += count
        return nil
    }

    /// Reads a start tag from `index` to its end, a quote, or the end of the piece, counting
    /// attributes; sets ``state`` to `.text` or `.quoted` when it stops on `>` or a quote.
    @inline(__always)
    private mutating func scanStartTag(
        _ base: UnsafePointer<UInt8>, _ index: inout Int, _ count: Int, _ carried: Int
    ) -> Refusal? {
        while index < count {
            if index &+ 8 <= count {
                // Names are most of a tag: eight bytes at a time until one of `>`, `=`, `"`, `'`.
                let word = UInt64(littleEndian: UnsafeRawPointer(base + index).loadUnaligned(as: UInt64.self))
                let hits = Self.matches(word, 0x3E) | Self.matches(word, 0x3D) | Self.matches(word, 0x22) | Self.matches(word, 0x27)
                if hits == 0 {
                    index &+= 8
                    continue
                }
                index &+= hits.trailingZeroBitCount &>> 3
            }
            let byte = base[index]
            index &+= 1
            if byte == UInt8(ascii: ">") {
                if (consumed &+ index &- markupStart) &* width > maxStartTagBytes {
                    return refusal(.startTagLimit(maxStartTagBytes), carried)
                }
                state = .text
                return nil
            } else if byte == UInt8(ascii: "=") {
                counter &+= 1
                if counter > maxAttributes { return refusal(.attributeCountLimit(maxAttributes), carried) }
            } else if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "'") {
                quote = byte
                state = .quoted
                return nil
            }
        }
        return nil
    }

    /// The bytes of `word` equal to `byte` have their high bit set; the lowest one is exact
    /// (the borrow that can mark a byte falsely only runs upwards from a true match).
    @inline(__always)
    private static func matches(_ word: UInt64, _ byte: UInt8) -> UInt64 {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let difference = word ^ (ones &* UInt64(byte))
        return (difference &- ones) & ~difference & (ones &<< 7)
    }

    /// A refusal of the construct whose `<` is at `markupStart`; libxml2 may read up to that `<`.
    /// - Parameter carried: bytes of the piece's first unit that came with the previous piece.
    private func refusal(_ reason: XMLStreamError.Reason, _ carried: Int) -> Refusal {
        Refusal(reason: reason, safePrefix: max(0, (markupStart - consumed + 1) * width - carried))
    }

    /// The index of the first `byte` at or after `index`. Text runs and end tags are short in
    /// CEB messages, so eight bytes at a time look first; `memchr` takes over for long runs.
    @inline(__always)
    private static func find(_ byte: UInt8, _ base: UnsafePointer<UInt8>, _ index: Int, _ count: Int) -> Int? {
        var cursor = index
        let shortEnd = min(count, index &+ 32)
        while cursor &+ 8 <= shortEnd {
            let hits = matches(UInt64(littleEndian: UnsafeRawPointer(base + cursor).loadUnaligned(as: UInt64.self)), byte)
            if hits != 0 { return cursor &+ hits.trailingZeroBitCount &>> 3 }
            cursor &+= 8
        }
        guard cursor < count, let found = memchr(base + cursor, Int32(byte), count &- cursor) else { return nil }
        return base.distance(to: found.assumingMemoryBound(to: UInt8.self))
    }

    /// Refuses a declared encoding the scanner cannot read through, or one that contradicts
    /// the code-unit width of the first bytes (libxml2 could switch to it mid-document).
    private func checkDeclaredEncoding(_ declaration: [UInt8]) -> XMLStreamError.Reason? {
        let text = String(decoding: declaration, as: UTF8.self)
        guard text.hasPrefix("xml"), text.dropFirst(3).first?.isWhitespace == true,
              let key = text.split(separator: "encoding", maxSplits: 1).dropFirst().first else { return nil }
        let rest = key.drop { $0.isWhitespace || $0 == "=" }
        guard let open = rest.first, open == "\"" || open == "'" else { return nil }
        let name = rest.dropFirst().prefix { $0 != open }.uppercased()
        let families: [String] = switch width {
        case 1: Self.asciiCompatible
        case 2: ["UTF-16", "UTF16", "UCS-2", "UCS2", "ISO-10646-UCS-2"]
        default: ["UCS-4", "UCS4", "UTF-32", "UTF32", "ISO-10646-UCS-4"]
        }
        if families.contains(where: { name.hasPrefix($0) }) { return nil }
        return .encoding("encoding \"\(name)\" is not accepted here")
    }

    /// Encodings in which the bytes `<`, `>`, `=`, `"`, `'`, `-`, `!`, `?` only ever stand for
    /// themselves (multi-byte trail bytes are 0x40 or above in GBK, Big5 and Shift_JIS).
    private static let asciiCompatible = [
        "UTF-8", "UTF8", "US-ASCII", "ASCII", "ISO-8859-", "ISO8859-", "ISO_8859-", "LATIN",
        "GB2312", "GBK", "GB18030", "CP936", "BIG5", "WINDOWS-125", "CP125", "EUC-", "SHIFT_JIS", "SJIS",
    ]
}
