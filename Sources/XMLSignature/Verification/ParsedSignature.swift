import XMLStreaming

/// The content of a captured `ds:Signature`, with its structure checked strictly, and the canonical
/// bytes of its `ds:SignedInfo` (what the signature value signs).
struct ParsedSignature {
    let position: XMLPosition?
    let signedInfoCanonicalization: CanonicalizationMethod
    let signatureMethodURI: String
    let referenceCanonicalization: CanonicalizationMethod
    let digestMethodURI: String
    let digestValue: [UInt8]
    let signatureValue: [UInt8]
    let keyName: String?
    /// `ds:X509Certificate` contents (base64), in document order; the first is the signer's.
    let certificates: [String]
    let signedInfoCanonical: [UInt8]

    /// Parses the canonical bytes of a `ds:Signature` element carrying its in-scope namespaces.
    init(captured: [UInt8], position: XMLPosition?, policy: SignaturePolicy) throws(VerificationFailure) {
        self.position = position
        let builder = SignatureTreeBuilder()
        try Self.parse(captured, handler: builder, limits: policy.limits)
        guard let signature = builder.root, signature.isDSig("Signature") else { throw Self.malformed("no ds:Signature element") }
        try Self.requireOnlyElements(signature)
        let parts = signature.children
        guard parts.count >= 2, parts[0].isDSig("SignedInfo"), parts[1].isDSig("SignatureValue") else {
            throw Self.malformed("ds:Signature must hold ds:SignedInfo then ds:SignatureValue")
        }
        var keyInfo: SignatureNode?
        for part in parts.dropFirst(2) {
            guard part.isDSig("KeyInfo"), keyInfo == nil else {
                throw Self.malformed("\(part.displayName) is not accepted in ds:Signature (only one ds:KeyInfo may follow ds:SignatureValue)")
            }
            keyInfo = part
        }

        // SignedInfo: CanonicalizationMethod, SignatureMethod, Reference.
        let signedInfo = parts[0]
        try Self.requireOnlyElements(signedInfo)
        let items = signedInfo.children
        guard items.count >= 2, items[0].isDSig("CanonicalizationMethod"), items[1].isDSig("SignatureMethod") else {
            throw Self.malformed("ds:SignedInfo must hold ds:CanonicalizationMethod, ds:SignatureMethod, then ds:Reference")
        }
        let canonicalizationURI = try Self.algorithm(items[0])
        guard let canonicalization = CanonicalizationMethod(uri: canonicalizationURI),
              policy.allowedCanonicalizations.contains(canonicalization) else {
            throw VerificationFailure(.canonicalizationNotAllowed(canonicalizationURI), at: items[0].position)
        }
        try Self.checkCanonicalizationParameters(items[0], uri: canonicalizationURI)
        signedInfoCanonicalization = canonicalization
        signatureMethodURI = try Self.algorithm(items[1])
        guard items[1].children.isEmpty else {
            throw Self.malformed("ds:SignatureMethod parameters (\(items[1].children[0].displayName)) are not accepted")
        }
        let references = Array(items.dropFirst(2))
        for item in references where !item.isDSig("Reference") {
            throw Self.malformed("\(item.displayName) is not accepted in ds:SignedInfo")
        }
        guard references.count == 1 else { throw VerificationFailure(.referenceCount(references.count), at: signedInfo.position) }

        // Reference: URI="", enveloped-signature transform, DigestMethod, DigestValue.
        let reference = references[0]
        guard let uri = reference.attributes["URI"], uri.isEmpty else {
            throw VerificationFailure(.referenceURINotEmpty(reference.attributes["URI"]), at: reference.position)
        }
        try Self.requireOnlyElements(reference)
        var fields = reference.children[...]
        var transforms: [SignatureNode] = []
        if let first = fields.first, first.isDSig("Transforms") {
            try Self.requireOnlyElements(first)
            transforms = first.children
            fields = fields.dropFirst()
        }
        referenceCanonicalization = try Self.referenceCanonicalization(transforms, policy: policy, at: reference.position)
        guard fields.count == 2, fields[fields.startIndex].isDSig("DigestMethod"), fields[fields.startIndex + 1].isDSig("DigestValue") else {
            throw Self.malformed("ds:Reference must hold ds:Transforms, ds:DigestMethod, then ds:DigestValue")
        }
        digestMethodURI = try Self.algorithm(fields[fields.startIndex])
        digestValue = try Self.base64(fields[fields.startIndex + 1])
        signatureValue = try Self.base64(parts[1])

        // KeyInfo: KeyName and X509Data/X509Certificate; other key information is ignored.
        var keyName: String?
        var certificates: [String] = []
        for item in keyInfo?.children ?? [] {
            if item.isDSig("KeyName") {
                keyName = item.text.trimmingXMLWhitespace
            } else if item.isDSig("X509Data") {
                certificates += item.children.filter { $0.isDSig("X509Certificate") }.map(\.text)
            }
        }
        self.keyName = keyName
        self.certificates = certificates

        let buffer = CanonicalBuffer()
        let canonicalizer = StreamingCanonicalizer(
            method: canonicalization, sink: buffer, apex: (XMLDSig.namespace, "SignedInfo"), inherited: [])
        try Self.parse(captured, handler: canonicalizer, limits: policy.limits)
        canonicalizer.flush()
        signedInfoCanonical = buffer.bytes
    }

    /// The canonicalization the reference is digested with: the transforms must be exactly the
    /// enveloped-signature transform, optionally followed by one C14N transform. `URI=""` excludes
    /// comments, so the method is always the one without comments.
    private static func referenceCanonicalization(
        _ transforms: [SignatureNode], policy: SignaturePolicy, at position: XMLPosition
    ) throws(VerificationFailure) -> CanonicalizationMethod {
        var uris: [String] = []
        for transform in transforms {
            guard transform.isDSig("Transform") else { throw malformed("\(transform.displayName) is not accepted in ds:Transforms") }
            let uri = try algorithm(transform)
            if uri != XMLDSig.envelopedTransform && CanonicalizationMethod(uri: uri) == nil {
                throw VerificationFailure(.transformNotAllowed(uri), at: transform.position)
            }
            uris.append(uri)
        }
        guard uris.contains(XMLDSig.envelopedTransform) else { throw VerificationFailure(.missingEnvelopedTransform, at: position) }
        guard uris[0] == XMLDSig.envelopedTransform else { throw VerificationFailure(.transformNotAllowed(uris[0]), at: transforms[0].position) }
        guard uris.count <= 2 else { throw VerificationFailure(.transformNotAllowed(uris[2]), at: transforms[2].position) }
        guard transforms[0].children.isEmpty else { throw malformed("the enveloped-signature transform takes no parameters") }
        guard uris.count == 2 else { return .inclusive }
        guard let method = CanonicalizationMethod(uri: uris[1]) else {
            throw VerificationFailure(.transformNotAllowed(uris[1]), at: transforms[1].position)
        }
        guard policy.allowedCanonicalizations.contains(method) else {
            throw VerificationFailure(.canonicalizationNotAllowed(uris[1]), at: transforms[1].position)
        }
        try checkCanonicalizationParameters(transforms[1], uri: uris[1])
        return method.withoutComments
    }

    /// Canonicalization takes no parameters, except an exclusive `InclusiveNamespaces` with an empty PrefixList.
    private static func checkCanonicalizationParameters(_ node: SignatureNode, uri: String) throws(VerificationFailure) {
        for child in node.children {
            let emptyPrefixList = child.namespace == XMLDSig.exclusiveNamespace && child.localName == "InclusiveNamespaces"
                && (child.attributes["PrefixList"] ?? "").trimmingXMLWhitespace.isEmpty
            guard emptyPrefixList else {
                throw VerificationFailure(.transformNotAllowed("\(uri) with parameter \(child.displayName)"), at: child.position)
            }
        }
    }

    private static func algorithm(_ node: SignatureNode) throws(VerificationFailure) -> String {
        guard let uri = node.attributes["Algorithm"] else { throw malformed("\(node.displayName) has no Algorithm attribute") }
        return uri
    }

    private static func base64(_ node: SignatureNode) throws(VerificationFailure) -> [UInt8] {
        guard node.children.isEmpty else { throw malformed("\(node.displayName) must hold only base64 text") }
        do { return try Base64.decode(node.text) } catch {
            throw malformed("\(node.displayName) is not valid base64")
        }
    }

    private static func requireOnlyElements(_ node: SignatureNode) throws(VerificationFailure) {
        guard node.textIsBlank else { throw malformed("unexpected text inside \(node.displayName)") }
    }

    private static func malformed(_ why: String) -> VerificationFailure {
        VerificationFailure(.malformedSignature(why))
    }

    private static func parse(_ bytes: [UInt8], handler: any XMLEventHandler, limits: XMLLimits) throws(VerificationFailure) {
        let parser = XMLPushParser(limits: limits, handler: handler)
        do throws(XMLStreamError) {
            try parser.feed(bytes)
            try parser.finish()
        } catch {
            throw VerificationFailure(.xml(error))
        }
    }
}

extension String {
    /// The string without leading and trailing XML whitespace (space, tab, CR, LF).
    var trimmingXMLWhitespace: String {
        let isSpace: (UInt8) -> Bool = { $0 == 0x20 || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D }
        let bytes = Array(utf8)
        guard let first = bytes.firstIndex(where: { !isSpace($0) }), let last = bytes.lastIndex(where: { !isSpace($0) }) else { return "" }
        return String(decoding: bytes[first...last], as: UTF8.self)
    }
}
