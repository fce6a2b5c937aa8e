import Foundation
import Testing
import XMLSignature
import XMLStreaming

@Suite struct SignRoundTripTests {
    static let cases: [(KeyKind, SignatureProfile, SignatureAlgorithm?)] = [
        (.rsa(bits: 2048), .standard, nil),
        (.rsa(bits: 2048), .standard, .rsaSHA1),
        (.rsa(bits: 1024), .eport, nil),
        (.rsa(bits: 2048), .eport, nil),
        (.ecP256, .standard, nil),
        (.sm2, .standard, nil),
        (.sm2, .eport, nil),
        (.sm2, .eport2022, nil),
    ]

    @Test(arguments: cases)
    func signThenVerify(kind: KeyKind, profile: SignatureProfile, algorithm: SignatureAlgorithm?) throws {
        let signer = PKI.signer(kind)
        let documentSigner = try DocumentSigner(key: signer.key, certificate: signer.certificate, profile: profile, algorithm: algorithm)
        let expected: (SignatureAlgorithm, DigestAlgorithm) = switch (kind, profile, algorithm) {
        case (.rsa, .standard, .rsaSHA1?): (.rsaSHA1, .sha1)
        case (.rsa, .standard, _): (.rsaSHA256, .sha256)
        case (.ecP256, _, _): (.ecdsaSHA256, .sha256)
        case (.sm2, .standard, _), (.sm2, .eport2022, _): (.sm2SM3, .sm3)
        case (.sm2, .eport, _): (.sm2SM3, .sha1)
        default: (.rsaSHA1, .sha1)
        }
        #expect(documentSigner.signatureAlgorithm == expected.0)
        #expect(documentSigner.digestAlgorithm == expected.1)

        let original = Messages.orderBytes()
        let signed = try documentSigner.sign(bytes: original)
        let result = try PKI.verifier.verify(bytes: signed)
        #expect(result.signatureAlgorithm == expected.0)
        #expect(result.digestAlgorithm == expected.1)
        #expect(result.signer == signer.certificate)
        #expect(result.keyName == signer.certificate.serialNumberHex)
        var warnings: [VerificationWarning] = []
        if expected.1 == .sha1 { warnings.append(.weakDigest(.sha1)) }
        if expected.0 == .rsaSHA1 { warnings.append(.weakSignatureAlgorithm(.rsaSHA1)) }
        if kind == .rsa(bits: 1024) { warnings.append(.weakKey(kind)) }
        #expect(result.warnings == warnings)
        #expect(result.profile == (profile == .eport2022 ? .eport2022 : expected.1 == .sha1 ? .eport : .standard))

        // The original bytes are kept; the signature is the root's last child.
        let text = signed.text
        let start = try #require(text.range(of: "<ds:Signature "))
        let end = try #require(text.range(of: "</ds:Signature>"))
        #expect(String(text[..<start.lowerBound]) + String(text[end.upperBound...]) == original.text)
        #expect(text[end.upperBound...].hasPrefix("</ceb:CEB311Message>"))
        #expect(text.contains("<ds:KeyName>\(signer.certificate.serialNumberHex)</ds:KeyName>"))

        // Tampering with the business content fails on the digest.
        let tampered = text.replacingFirst("<ceb:goodsValue>199.00<", with: "<ceb:goodsValue>1.00<")
        expectRefusal(tampered.bytes) { if case .digestMismatch(expected.1, .inclusive) = $0 { true } else { false } }
    }

    @Test func signsFilesAtomicallyAndVerifiesByPath() throws {
        let scratch = try ScratchDirectory()
        let input = try scratch.write("order.xml", Messages.orderBytes())
        let output = scratch.path("order.signed.xml")
        let signer = try DocumentSigner(key: PKI.rsa2048.key, certificate: PKI.rsa2048.certificate)
        try signer.sign(inputPath: input, outputPath: output)
        #expect(try scratch.read("order.signed.xml") == (try signer.sign(bytes: Messages.orderBytes())))
        let result = try PKI.verifier.verify(path: output)
        #expect(result.signatureAlgorithm == .rsaSHA256)
        // No temporary file is left behind.
        #expect(try FileManager.default.contentsOfDirectory(atPath: scratch.url.path).sorted() == ["order.signed.xml", "order.xml"])
        // Signing in place works too, and a signed file is refused.
        try signer.sign(inputPath: input, outputPath: input)
        _ = try PKI.verifier.verify(path: input)
        do {
            try signer.sign(inputPath: input, outputPath: output)
            Issue.record("signed a signed file")
        } catch {
            #expect(error.reason == .alreadySigned)
            #expect(error.position?.line == 31)
        }
    }

    @Test func refusesToSignASignedDocument() throws {
        let signer = try DocumentSigner(key: PKI.p256.key, certificate: PKI.p256.certificate)
        let signed = try signer.sign(bytes: Messages.orderBytes())
        do {
            _ = try signer.sign(bytes: signed)
            Issue.record("signed twice")
        } catch {
            #expect(error.reason == .alreadySigned)
        }
    }

    @Test(arguments: [
        "<r/>",
        "<r a=\"1\"  />",
        "\u{FEFF}<?xml version=\"1.0\"?>\r\n<p:r xmlns:p=\"urn:p\">\r\n  <p:a>x</p:a>\r\n</p:r  >\r\n<!-- </p:r> after -->\r\n<?pi </x>?>\n",
        "<r xmlns=\"urn:default\"><a xmlns=\"\">1</a><!-- c --></r>",
        "<?xml version=\"1.0\" encoding=\"GBK\"?><r>\u{4E2D}</r>",
    ])
    func signsUnusualDocuments(document: String) throws {
        var bytes = document.bytes
        if document.contains("GBK") { bytes = Array("<?xml version=\"1.0\" encoding=\"GBK\"?><r>".utf8) + [0xD6, 0xD0] + Array("</r>".utf8) }
        for signer in [PKI.rsa2048, PKI.sm2] {
            let signed = try DocumentSigner(key: signer.key, certificate: signer.certificate).sign(bytes: bytes)
            _ = try PKI.verifier.verify(bytes: signed)
            // The canonical business content is unchanged by signing.
            let verifier = SignatureVerifier(policy: PKI.policy())
            #expect(try !verifier.signedInfo(of: signed).isEmpty)
        }
    }

    @Test(arguments: [CanonicalizationMethod.inclusiveWithComments, .exclusive, .exclusiveWithComments])
    func otherCanonicalizations(method: CanonicalizationMethod) throws {
        let signer = try DocumentSigner(key: PKI.rsa2048.key, certificate: PKI.rsa2048.certificate, canonicalization: method)
        let signed = try signer.sign(bytes: Messages.orderBytes())
        let result = try PKI.verifier.verify(bytes: signed)
        #expect(result.signedInfoCanonicalization == method)
        #expect(result.referenceCanonicalization == method.withoutComments)
        // The handler-wrapping mode (no hint: every candidate digest) agrees.
        let verification = PKI.verifier.verification()
        let parser = XMLPushParser(handler: verification)
        try parser.feed(signed)
        try parser.finish()
        #expect(try verification.result().referenceCanonicalization == method.withoutComments)
    }

    @Test func refusesMismatchedKeyAndProfile() throws {
        #expect(throws: SignatureError(.keyDoesNotMatchCertificate)) {
            try DocumentSigner(key: PKI.sm2.key, certificate: PKI.rsa2048.certificate)
        }
        #expect(throws: SignatureError(.profileNotApplicable(profile: .eport, key: .ecP256))) {
            try DocumentSigner(key: PKI.p256.key, certificate: PKI.p256.certificate, profile: .eport)
        }
        #expect(throws: SignatureError(.algorithmDoesNotFitKey(algorithm: .sm2SM3, key: .rsa(bits: 2048)))) {
            try DocumentSigner(key: PKI.rsa2048.key, certificate: PKI.rsa2048.certificate, algorithm: .sm2SM3)
        }
        #expect(throws: SignatureError.self) {
            try DocumentSigner(key: PKI.rsa2048.key, certificate: PKI.rsa2048.certificate).sign(bytes: Array("<a><b></a>".utf8))
        }
        let utf16 = [UInt8]("<r/>".data(using: .utf16)!)
        #expect(throws: SignatureError.self) {
            try DocumentSigner(key: PKI.rsa2048.key, certificate: PKI.rsa2048.certificate).sign(bytes: utf16)
        }
    }

    @Test func oneSignerSignsConcurrently() throws {
        let signer = try DocumentSigner(key: PKI.sm2.key, certificate: PKI.sm2.certificate, profile: .eport)
        let results = LockedResults(count: 16)
        DispatchQueue.concurrentPerform(iterations: 16) { index in
            let document = Messages.orderBytes(Messages.order(orderNo: "ORD-\(index)"))
            results.set(index, Result { try PKI.verifier.verify(bytes: try signer.sign(bytes: document)).signatureAlgorithm })
        }
        for result in results.all { #expect(try result.get() == .sm2SM3) }
    }

    /// One parse verifies and feeds another handler: the decoder sees exactly the verified events.
    @Test func verificationWrapsAnotherHandler() throws {
        let signed = try DocumentSigner(key: PKI.rsa2048.key, certificate: PKI.rsa2048.certificate).sign(bytes: Messages.orderBytes())
        final class ElementCounter: XMLEventHandler {
            var names: [String] = []
            func startElement(_ element: XMLStartElement) { names.append(element.localName.string ?? "") }
            func endElement(symbol: Int32, depth: Int) {}
            func characters(_ text: UnsafeBufferPointer<UInt8>) {}
        }
        let counter = ElementCounter()
        let verification = PKI.verifier.verification(forwardingTo: counter)
        let parser = XMLPushParser(handler: verification)
        for chunk in stride(from: 0, to: signed.count, by: 100) { try parser.feed(Array(signed[chunk..<min(signed.count, chunk + 100)])) }
        try parser.finish()
        #expect(try verification.result().signatureAlgorithm == .rsaSHA256)
        #expect(counter.names.first == "CEB311Message")
        #expect(counter.names.contains("Signature"))
        #expect(counter.names.filter { $0 == "orderNo" }.count == 1)
    }
}

/// Results gathered from concurrent work.
final class LockedResults: @unchecked Sendable {
    private let lock = NSLock()
    private var results: [Result<SignatureAlgorithm, any Error>?]

    init(count: Int) { results = Array(repeating: nil, count: count) }

    func set(_ index: Int, _ result: Result<SignatureAlgorithm, any Error>) {
        lock.lock()
        results[index] = result
        lock.unlock()
    }

    var all: [Result<SignatureAlgorithm, any Error>] { results.map { $0 ?? .failure(CancellationError()) } }
}
