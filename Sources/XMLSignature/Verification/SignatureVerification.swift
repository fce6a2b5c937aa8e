import XMLStreaming

/// One verification in progress: an ``XMLStreaming/XMLEventHandler`` to give the parser, optionally
/// forwarding every event to another handler (e.g. the CEB decoder) so that **one parse** both
/// verifies and decodes. What the decoder reads is then exactly what was digested: a second copy of the
/// business content, a moved signature or a duplicated element cannot pass unnoticed.
///
/// While the events stream by, the document minus its enveloped `ds:Signature` is canonicalized
/// into digesters (constant memory), and the signature subtree (small) is captured on the side with
/// its in-scope namespaces and `xml:` attributes. The structure is checked as it goes: exactly one `ds:Signature`, the last
/// element child of the root (or followed only by the root children the policy allows there). After the parser has finished, call ``result()``.
///
/// Obtain one from ``SignatureVerifier/verification(forwardingTo:)``. Not thread-safe; one per document.
public final class SignatureVerification: XMLEventHandler {
    private let policy: SignaturePolicy
    private let certificates: CertificateCache
    private let inner: (any XMLEventHandler)?
    let plan: DigestPlan
    private let references: [(method: CanonicalizationMethod, canonicalizer: StreamingCanonicalizer, digests: DigestFanout)]
    private var capture: (canonicalizer: StreamingCanonicalizer, buffer: CanonicalBuffer)?
    private var captured: [UInt8]?
    private var signaturePosition: XMLPosition?
    private var failure: VerificationFailure?
    private var signatureCount = 0
    private var afterSignature = false
    private var depth = 0
    /// The root's `xml:` attributes: inclusive C14N of `ds:SignedInfo` inherits them (the signature is a
    /// child of the root, so the root is its only ancestor besides `ds:Signature`).
    private var rootXMLAttributes: [(localName: [UInt8], value: [UInt8])] = []

    init(policy: SignaturePolicy, plan: DigestPlan, forwardingTo inner: (any XMLEventHandler)?, certificates: CertificateCache) {
        self.policy = policy
        self.certificates = certificates
        self.plan = plan
        self.inner = inner
        // At least one canonicalizer runs, even with nothing to digest: it tracks the namespaces in scope.
        references = (plan.methods.isEmpty ? [.inclusive] : plan.methods).map { method in
            let digests = DigestFanout(plan.digests)
            return (method, StreamingCanonicalizer(method: method, sink: digests), digests)
        }
    }

    private func fail(_ reason: VerificationFailure.Reason, at position: XMLPosition?) {
        if failure == nil { failure = VerificationFailure(reason, at: position) }
    }

    // MARK: Events

    public func startElement(_ element: XMLStartElement) {
        inner?.startElement(element)
        depth = element.depth
        if depth == 1 { rootXMLAttributes = StreamingCanonicalizer.xmlAttributes(of: element) }
        if let capture {
            capture.canonicalizer.startElement(element)
            return
        }
        if element.localName.bytes.elementsEqual(XMLDSig.signatureBytes), element.namespaceURI.bytes.elementsEqual(XMLDSig.namespaceBytes) {
            signatureCount += 1
            if signatureCount > 1 {
                fail(.multipleSignatures, at: element.position)
            } else if element.depth != 2 {
                fail(.signatureNotChildOfRoot(depth: element.depth), at: element.position)
            } else {
                signaturePosition = element.position
                let buffer = CanonicalBuffer(limit: policy.maxSignatureBytes)
                let canonicalizer = StreamingCanonicalizer(
                    method: .inclusiveWithComments, sink: buffer, apex: (XMLDSig.namespace, "Signature"),
                    inherited: references.first?.canonicalizer.inScopeNamespaces ?? [], inheritedXMLAttributes: rootXMLAttributes)
                capture = (canonicalizer, buffer)
                canonicalizer.startElement(element)
                return
            }
        } else if afterSignature && element.depth == 2 && !policy.elementsAllowedAfterSignature.contains(where: { $0.matches(element) }) {
            fail(.signatureNotLastChild, at: element.position)
        }
        for reference in references { reference.canonicalizer.startElement(element) }
    }

    public func endElement(symbol: Int32, depth: Int) {
        inner?.endElement(symbol: symbol, depth: depth)
        self.depth = depth - 1
        if let capture {
            capture.canonicalizer.endElement(symbol: symbol, depth: depth)
            if depth == 2 {
                capture.canonicalizer.flush()
                if capture.buffer.overflowed { fail(.signatureTooLarge(limit: policy.maxSignatureBytes), at: signaturePosition) }
                captured = capture.buffer.bytes
                self.capture = nil
                afterSignature = true
            }
            return
        }
        for reference in references { reference.canonicalizer.endElement(symbol: symbol, depth: depth) }
    }

    public func characters(_ text: UnsafeBufferPointer<UInt8>) {
        inner?.characters(text)
        if let capture {
            capture.canonicalizer.characters(text)
            return
        }
        if afterSignature && depth == 1 && !text.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D }) {
            fail(.signatureNotLastChild, at: nil)
        }
        for reference in references { reference.canonicalizer.characters(text) }
    }

    public func comment(_ text: UnsafeBufferPointer<UInt8>) {
        inner?.comment(text)
        if let capture {
            capture.canonicalizer.comment(text)
            return
        }
        if afterSignature && depth == 1 { fail(.signatureNotLastChild, at: nil) }
        for reference in references { reference.canonicalizer.comment(text) }
    }

    public func processingInstruction(target: String, data: String) {
        inner?.processingInstruction(target: target, data: data)
        if let capture {
            capture.canonicalizer.processingInstruction(target: target, data: data)
            return
        }
        if afterSignature && depth == 1 { fail(.signatureNotLastChild, at: nil) }
        for reference in references { reference.canonicalizer.processingInstruction(target: target, data: data) }
    }

    // MARK: Outcome

    /// The verdict. Call once the parser has finished the document without error.
    ///
    /// - Throws: ``VerificationFailure`` with the first reason the signature is refused.
    public func result() throws(VerificationFailure) -> VerificationResult {
        try SignatureCheck(policy: policy, certificates: certificates).evaluate(evidence(), recompute: nil)
    }

    /// What the parse established: the parsed signature and the candidate digests.
    func evidence() throws(VerificationFailure) -> SignatureEvidence {
        if let failure { throw failure }
        guard let captured else {
            throw VerificationFailure(signatureCount == 0 ? .missingSignature : .malformedSignature("the ds:Signature element is not closed"))
        }
        var digests: [CanonicalizationMethod: [DigestAlgorithm: [UInt8]]] = [:]
        for reference in references {
            reference.canonicalizer.flush()
            digests[reference.method] = reference.digests.finalize()
        }
        let parsed: ParsedSignature
        do throws(VerificationFailure) {
            parsed = try ParsedSignature(captured: captured, position: signaturePosition, policy: policy)
        } catch {
            throw error.position == nil ? VerificationFailure(error.reason, at: signaturePosition) : error
        }
        return SignatureEvidence(signature: parsed, digests: digests)
    }
}

/// The parsed signature and the digests computed in the same pass.
struct SignatureEvidence {
    let signature: ParsedSignature
    let digests: [CanonicalizationMethod: [DigestAlgorithm: [UInt8]]]
}
