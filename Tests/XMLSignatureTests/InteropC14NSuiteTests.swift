import Foundation
import Testing
import XMLSignature

/// Sign/verify interoperability with xmlsec1 (libxml2's C14N) on every document of libxml2's C14N suite
/// without a DOCTYPE — the W3C examples, the merlin document (root `xml:lang="en-ie"`), the xmldsig2ed
/// `xml:base` / `xml:lang` / `xml:space` / `xml:id` cases — plus a root carrying all four `xml:` attributes,
/// which inclusive C14N must carry onto `ds:SignedInfo` (xmlsec1 refuses the signature otherwise).
@Suite(.serialized) struct InteropC14NSuiteTests {
    /// The suite's documents without a DOCTYPE, each once (several modes share inputs), except the one
    /// already signed (`exc-without-comments/test-2`: the signer refuses signed documents by design).
    static let documents: [(name: String, bytes: [UInt8])] = {
        var seen = Set<[UInt8]>()
        return C14NSuite.withoutDoctype.filter { seen.insert($0.document).inserted && !$0.document.text.contains("xmldsig#") }
            .map { ($0.testDescription, $0.document) }
    }()

    /// A root with every `xml:` attribute, one redefined below it.
    static let xmlAttributesDocument = (
        name: "root with xml:base, xml:id, xml:lang, xml:space",
        bytes: Array(#"""
            <r xmlns="urn:r" xml:space="preserve" a="1" xml:lang="zh-CN" xml:id="R1" xml:base="http://example.com/a/"><x xml:lang="en"> 1 </x></r>
            """#.utf8))

    static func template(_ method: CanonicalizationMethod) -> String {
        let transform = method.isExclusive ? #"<Transform Algorithm="\#(method.uri)"/>"# : ""
        return """
            <Signature xmlns="http://www.w3.org/2000/09/xmldsig#"><SignedInfo>\
            <CanonicalizationMethod Algorithm="\(method.uri)"/>\
            <SignatureMethod Algorithm="\(SignatureAlgorithm.rsaSHA256.uri)"/>\
            <Reference URI=""><Transforms><Transform Algorithm="http://www.w3.org/2000/09/xmldsig#enveloped-signature"/>\(transform)</Transforms>\
            <DigestMethod Algorithm="\(DigestAlgorithm.sha256.uri)"/><DigestValue></DigestValue></Reference>\
            </SignedInfo><SignatureValue/><KeyInfo><X509Data><X509Certificate/></X509Data></KeyInfo></Signature>
            """
    }

    static func signer(_ method: CanonicalizationMethod) throws -> DocumentSigner {
        try DocumentSigner(key: PKI.rsa2048.key, certificate: PKI.rsa2048.certificate, canonicalization: method)
    }

    /// Signs with Clearance, verifies with xmlsec1 (and Clearance); records an issue per refusal.
    static func clearanceSignatureVerifiesWithXmlsec(_ document: (name: String, bytes: [UInt8]), method: CanonicalizationMethod, in scratch: ScratchDirectory) throws {
        let signed: [UInt8]
        do { signed = try signer(method).sign(bytes: document.bytes) } catch {
            Issue.record("\(document.name) \(method): not signed: \(error)")
            return
        }
        let ca = try scratch.write("ca.pem", PKI.rsaCA.certificate.pemRepresentation)
        let verified = try xmlsec1(["--verify", "--trusted-pem", ca, scratch.write("signed.xml", signed)])
        #expect(verified.status == 0, "\(document.name) \(method): xmlsec1 refused our signature: \(verified.output)")
        #expect(throws: Never.self, "\(document.name) \(method)") { try PKI.verifier.verify(bytes: signed) }
    }

    /// Signs with xmlsec1 from a template, verifies with Clearance; records an issue per refusal.
    static func xmlsecSignatureVerifiesWithClearance(_ document: (name: String, bytes: [UInt8]), method: CanonicalizationMethod, in scratch: ScratchDirectory) throws {
        // Our signer puts the signature where an enveloped one goes (last child of the root, an empty root
        // opened): swap it for xmlsec1's template.
        let ours = try signer(.inclusive).sign(bytes: document.bytes).text
        let start = ours.range(of: "<ds:Signature ")!.lowerBound, end = ours.range(of: "</ds:Signature>")!.upperBound
        let input = try scratch.write("template.xml", ours.replacingCharacters(in: start..<end, with: template(method)))
        let key = try scratch.write("key.pem", PKI.rsa2048.key.pemRepresentation())
        let cert = try scratch.write("cert.pem", PKI.rsa2048.certificate.pemRepresentation)
        let output = scratch.path("signed.xml")
        let signed = try xmlsec1(["--sign", "--privkey-pem", "\(key),\(cert)", "--output", output, input])
        guard signed.status == 0 else {
            Issue.record("\(document.name) \(method): xmlsec1 --sign failed: \(signed.output)")
            return
        }
        do {
            let result = try PKI.verifier.verify(path: output)
            #expect(result.signedInfoCanonicalization == method && result.referenceCanonicalization == method)
        } catch {
            Issue.record("\(document.name) \(method): xmlsec1's signature refused: \(error)")
        }
    }

    @Test func everySuiteDocumentIsExercised() throws {
        _ = try C14NSuite.directory()
        #expect(Self.documents.count == 15, "\(Self.documents.map(\.name))")
    }

    @Test(arguments: [CanonicalizationMethod.inclusive, .exclusive])
    func clearanceSignaturesVerifyWithXmlsec(method: CanonicalizationMethod) throws {
        let scratch = try ScratchDirectory()
        for document in Self.documents + [Self.xmlAttributesDocument] {
            try Self.clearanceSignatureVerifiesWithXmlsec(document, method: method, in: scratch)
        }
    }

    @Test(arguments: [CanonicalizationMethod.inclusive, .exclusive])
    func xmlsecSignaturesVerifyWithClearance(method: CanonicalizationMethod) throws {
        let scratch = try ScratchDirectory()
        for document in Self.documents + [Self.xmlAttributesDocument] {
            try Self.xmlsecSignatureVerifiesWithClearance(document, method: method, in: scratch)
        }
    }

    /// What the interop hinges on, stated directly: inclusive C14N of `ds:SignedInfo` carries the root's
    /// `xml:` attributes (sorted by name after the namespaces); exclusive C14N does not.
    @Test func signedInfoInheritsTheRootsXMLAttributesOnlyInclusively() throws {
        let document = Self.xmlAttributesDocument.bytes
        let inclusive = try PKI.verifier.signedInfo(of: Self.signer(.inclusive).sign(bytes: document)).text
        #expect(inclusive.hasPrefix(#"""
            <ds:SignedInfo xmlns="urn:r" xmlns:ds="http://www.w3.org/2000/09/xmldsig#" xml:base="http://example.com/a/" xml:id="R1" xml:lang="zh-CN" xml:space="preserve"><ds:CanonicalizationMethod
            """#), "\(inclusive)")
        let exclusive = try PKI.verifier.signedInfo(of: Self.signer(.exclusive).sign(bytes: document)).text
        #expect(exclusive.hasPrefix(#"<ds:SignedInfo xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><"#), "\(exclusive)")
    }
}
