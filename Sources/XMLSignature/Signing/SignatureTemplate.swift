import XMLStreaming

/// Writes the `ds:Signature` element a ``DocumentSigner`` inserts, in the e-port layout: `ds:` prefix,
/// no whitespace, `ds:KeyName` with the certificate serial, then the certificate.
struct SignatureTemplate: Sendable {
    /// `ds:SignatureMethod/@Algorithm` and `ds:DigestMethod/@Algorithm`: the profile names them (the 2022
    /// e-port profile has its own URIs for SM2 and SM3).
    let signatureMethodURI: String
    let digestMethodURI: String
    let canonicalization: CanonicalizationMethod
    let keyInfo: String

    init(signatureMethodURI: String, digestMethodURI: String, canonicalization: CanonicalizationMethod, certificate: Certificate) {
        self.signatureMethodURI = signatureMethodURI
        self.digestMethodURI = digestMethodURI
        self.canonicalization = canonicalization
        keyInfo = "<ds:KeyInfo><ds:KeyName>\(certificate.serialNumberHex)</ds:KeyName><ds:X509Data><ds:X509Certificate>"
            + certificate.base64() + "</ds:X509Certificate></ds:X509Data></ds:KeyInfo>"
    }

    /// The canonicalization the document is digested with: exclusive when SignedInfo is exclusive
    /// (then stated as a transform), else inclusive (the default after the enveloped transform).
    var referenceCanonicalization: CanonicalizationMethod { canonicalization.isExclusive ? .exclusive : .inclusive }

    func signedInfo(digestValue: [UInt8]) -> String {
        var transforms = "<ds:Transform Algorithm=\"\(XMLDSig.envelopedTransform)\"></ds:Transform>"
        if canonicalization.isExclusive { transforms += "<ds:Transform Algorithm=\"\(CanonicalizationMethod.exclusive.uri)\"></ds:Transform>" }
        return "<ds:SignedInfo><ds:CanonicalizationMethod Algorithm=\"\(canonicalization.uri)\"></ds:CanonicalizationMethod>"
            + "<ds:SignatureMethod Algorithm=\"\(signatureMethodURI)\"></ds:SignatureMethod>"
            + "<ds:Reference URI=\"\"><ds:Transforms>\(transforms)</ds:Transforms>"
            + "<ds:DigestMethod Algorithm=\"\(digestMethodURI)\"></ds:DigestMethod>"
            + "<ds:DigestValue>\(Base64.encode(digestValue))</ds:DigestValue></ds:Reference></ds:SignedInfo>"
    }

    func signature(signedInfo: String, signatureValue: [UInt8]) -> String {
        "<ds:Signature xmlns:ds=\"\(XMLDSig.namespace)\">" + signedInfo
            + "<ds:SignatureValue>\(Base64.encode(signatureValue))</ds:SignatureValue>" + keyInfo + "</ds:Signature>"
    }

    /// The canonical bytes of `signedInfo` placed as the verifier will see it: inside `ds:Signature`,
    /// a child of a root declaring `rootNamespaces` and carrying `rootXMLAttributes` (inherited by inclusive
    /// C14N). Computed by the same canonicalizer the verifier uses.
    func canonicalSignedInfo(
        _ signedInfo: String, rootNamespaces: [NamespaceBinding], rootXMLAttributes: [(localName: [UInt8], value: [UInt8])]
    ) throws(SignatureError) -> [UInt8] {
        var document: [UInt8] = Array("<_".utf8)
        func attribute(_ name: [UInt8], _ value: [UInt8]) {
            document += [0x20] + name + Array("=\"".utf8)
            for byte in value {
                switch byte {
                case 0x26: document += Array("&amp;".utf8)
                case 0x3C: document += Array("&lt;".utf8)
                case 0x22: document += Array("&quot;".utf8)
                case 0x09: document += Array("&#9;".utf8)
                case 0x0A: document += Array("&#10;".utf8)
                case 0x0D: document += Array("&#13;".utf8)
                default: document.append(byte)
                }
            }
            document.append(0x22)
        }
        for binding in rootNamespaces {
            attribute(Array("xmlns".utf8) + (binding.prefix.isEmpty ? [] : [0x3A] + binding.prefix), binding.uri)
        }
        for xml in rootXMLAttributes { attribute(Array("xml:".utf8) + xml.localName, xml.value) }
        document += Array(">".utf8) + Array(signature(signedInfo: signedInfo, signatureValue: []).utf8) + Array("</_>".utf8)
        let buffer = CanonicalBuffer()
        let canonicalizer = StreamingCanonicalizer(method: canonicalization, sink: buffer, apex: (XMLDSig.namespace, "SignedInfo"), inherited: [])
        let parser = XMLPushParser(handler: canonicalizer)
        do throws(XMLStreamError) {
            try parser.feed(document)
            try parser.finish()
        } catch {
            throw SignatureError(.xml(error))
        }
        canonicalizer.flush()
        return buffer.bytes
    }
}
