import CLibXML2

@inline(__always)
private func parser(_ context: UnsafeMutableRawPointer?) -> XMLPushParser {
    Unmanaged<XMLPushParser>.fromOpaque(context!).takeUnretainedValue()
}

/// Calls `body` on the parser without retaining it: the parser owns the libxml2 context,
/// so it is alive for every callback. Used on the per-event paths.
@inline(__always)
private func withParser<R>(_ context: UnsafeMutableRawPointer?, _ body: (XMLPushParser) -> R) -> R {
    Unmanaged<XMLPushParser>.fromOpaque(context!)._withUnsafeGuaranteedRef(body)
}

/// The C trampolines between libxml2 and ``XMLPushParser``. The user-data pointer is the
/// parser itself, unretained: the parser owns the libxml2 context, so it outlives every call.
enum SAXCallbacks {
    static func handler() -> xmlSAXHandler {
        var sax = xmlSAXHandler()
        sax.initialized = UInt32(XML_SAX2_MAGIC)
        sax.startElementNs = { context, localName, prefix, uri, namespaceCount, namespaces, attributeCount, _, attributes in
            withParser(context) { $0.start(localName, prefix, uri, Int(namespaceCount), namespaces, Int(attributeCount), attributes) }
        }
        sax.endElementNs = { context, _, _, _ in
            withParser(context) { $0.end() }
        }
        sax.characters = { context, text, length in
            withParser(context) { $0.text(text, Int(length)) }
        }
        sax.cdataBlock = sax.characters
        sax.comment = { context, text in
            guard let text else { return }
            let parser = parser(context)
            guard parser.failure == nil else { return }
            let length = Int(xmlStrlen(text))
            if let tape = parser.tape { return tape._withUnsafeGuaranteedRef { $0.recordComment(text, length) } }
            parser.handler!.comment(UnsafeBufferPointer(start: text, count: length))
        }
        sax.processingInstruction = { context, target, data in
            let parser = parser(context)
            guard parser.failure == nil else { return }
            let (target, data) = (target.map { String(cString: $0) } ?? "", data.map { String(cString: $0) } ?? "")
            if let tape = parser.tape { return tape._withUnsafeGuaranteedRef { $0.recordProcessingInstruction(target: target, data: data) } }
            parser.handler!.processingInstruction(target: target, data: data)
        }
        sax.internalSubset = { context, _, _, _ in parser(context).fail(.doctypeForbidden) }
        sax.externalSubset = { context, _, _, _ in parser(context).fail(.doctypeForbidden) }
        sax.entityDecl = { context, name, _, _, _, _ in
            parser(context).fail(.entityForbidden(name.map { String(cString: $0) } ?? ""))
        }
        sax.getEntity = { context, name in
            // Only reached for names other than the five predefined entities.
            parser(context).fail(.entityForbidden(name.map { String(cString: $0) } ?? ""))
            return nil
        }
        sax.getParameterEntity = { context, name in
            parser(context).fail(.entityForbidden(name.map { String(cString: $0) } ?? ""))
            return nil
        }
        sax.resolveEntity = { context, _, systemID in
            parser(context).fail(.entityForbidden(systemID.map { String(cString: $0) } ?? "external"))
            return nil
        }
        sax.reference = { context, name in
            parser(context).fail(.entityForbidden(name.map { String(cString: $0) } ?? ""))
        }
        sax.serror = { context, error in
            guard let error else { return }
            parser(context).libxmlError(error.pointee)
        }
        return sax
    }
}

extension XMLPushParser {
    @inline(__always)
    func start(
        _ localName: UnsafePointer<UInt8>?, _ prefix: UnsafePointer<UInt8>?, _ uri: UnsafePointer<UInt8>?,
        _ namespaceCount: Int, _ namespaces: UnsafeMutablePointer<UnsafePointer<UInt8>?>?,
        _ attributeCount: Int, _ attributes: UnsafeMutablePointer<UnsafePointer<UInt8>?>?
    ) {
        guard failure == nil else { return }
        let depth = self.depth + 1
        if depth > limits.maxDepth { return fail(.depthLimit(limits.maxDepth)) }
        if attributeCount > 0, let attributes {
            for index in 0..<attributeCount where attributes[5 * index + 4]! - attributes[5 * index + 3]! > limits.maxAttributeLength {
                return fail(.attributeLengthLimit(limits.maxAttributeLength))
            }
        }
        self.depth = depth
        textLength = 0
        let input = context.pointee.input!.pointee
        if let tape {
            return tape._withUnsafeGuaranteedRef {
                $0.recordStart(depth: depth, line: Int32(truncatingIfNeeded: input.line), column: Int32(truncatingIfNeeded: input.col),
                               localName, prefix, uri, namespaceCount, namespaces, attributeCount, attributes)
            }
        }
        let symbol = symbols.symbol(for: localName)
        symbolStack[depth - 1] = symbol
        handler!.startElement(XMLStartElement(
            symbol: symbol,
            namespaceSymbol: symbols.symbol(for: uri),
            depth: depth,
            position: XMLPosition(line: Int(input.line), column: Int(input.col)),
            localName: XMLRawName(localName),
            prefix: XMLRawName(prefix),
            namespaceURI: XMLRawName(uri),
            namespaces: namespaces,
            namespaceCount: namespaceCount,
            attributes: attributes,
            attributeCount: attributeCount,
            symbols: symbols
        ))
    }

    @inline(__always)
    func end() {
        guard failure == nil, depth > 0 else { return }
        let closing = depth
        depth -= 1
        textLength = 0
        if let tape { return tape._withUnsafeGuaranteedRef { $0.recordEnd(depth: closing) } }
        handler!.endElement(symbol: symbolStack[depth], depth: closing)
    }

    @inline(__always)
    func text(_ text: UnsafePointer<UInt8>?, _ length: Int) {
        guard failure == nil, let text else { return }
        textLength += length
        if textLength > limits.maxTextLength { return fail(.textLimit(limits.maxTextLength)) }
        if let tape { return tape._withUnsafeGuaranteedRef { $0.recordText(text, length) } }
        handler!.characters(UnsafeBufferPointer(start: text, count: length))
    }

    func libxmlError(_ error: xmlError) {
        // Warnings (level 1) are not failures; errors and fatal errors are.
        guard error.level.rawValue >= XML_ERR_ERROR.rawValue else { return }
        var message = error.message.map { String(cString: $0) } ?? "error \(error.code)"
        while message.last?.isWhitespace == true { message.removeLast() }
        let position = XMLPosition(line: Int(error.line), column: Int(error.int2))
        if error.domain == Int32(XML_FROM_I18N.rawValue)
            || error.code == Int32(XML_ERR_INVALID_ENCODING.rawValue)
            || error.code == Int32(XML_ERR_UNSUPPORTED_ENCODING.rawValue)
            || error.code == Int32(XML_ERR_INVALID_CHAR.rawValue) {
            fail(.encoding(message), at: position)
        } else if error.code == Int32(XML_ERR_UNDECLARED_ENTITY.rawValue) || error.code == Int32(XML_WAR_UNDECLARED_ENTITY.rawValue) {
            fail(.entityForbidden(message), at: position)
        } else if error.code == Int32(XML_ERR_DOCUMENT_END.rawValue) || error.code == Int32(XML_ERR_DOCUMENT_EMPTY.rawValue)
                    || error.code == Int32(XML_ERR_TAG_NOT_FINISHED.rawValue) {
            fail(.truncated, at: position)
        } else {
            fail(.malformed(message), at: position)
        }
    }
}
