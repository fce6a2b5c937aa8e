#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import XMLStreaming

/// Verifies enveloped XML signatures on CEB messages, streaming, in constant memory.
///
/// Strict: exactly one `ds:Signature`, the last child of the root element (or followed only by the
/// root children ``SignaturePolicy/elementsAllowedAfterSignature`` names); one `ds:Reference` with
/// `URI=""` and the enveloped-signature transform (optionally followed by one C14N transform);
/// algorithms from the policy's allow-lists; `ds:KeyName`, when present, equal to the certificate
/// serial; the certificate trusted by the policy's ``TrustStore``. Each refusal is a
/// ``VerificationFailure`` with a precise reason.
///
/// Ways in: ``verify(path:)`` and ``verify(bytes:)`` parse the document themselves;
/// ``verification(forwardingTo:)`` and ``verification(of:forwardingTo:)`` return a handler that
/// verifies *while another handler reads the same events*, so decoding and verifying share one parse.
///
/// Thread-safe: one verifier can serve many threads; each call has its own state.
public final class SignatureVerifier: Sendable {
    /// What is accepted.
    public let policy: SignaturePolicy
    private let certificates = CertificateCache()

    /// A verifier applying `policy`.
    public init(policy: SignaturePolicy) {
        self.policy = policy
    }

    /// A handler that verifies the document whose events it receives, forwarding each event to `inner`.
    ///
    /// Give it to an ``XMLStreaming/XMLPushParser`` (with the inner handler's vocabulary); after
    /// `finish()`, call ``SignatureVerification/result()``. Trust what `inner` decoded only if that succeeds.
    /// Every allowed canonical form and digest is computed, since the signature is only seen at the end.
    public func verification(forwardingTo inner: (any XMLEventHandler)? = nil) -> SignatureVerification {
        SignatureVerification(policy: policy, plan: .full(policy), forwardingTo: inner, certificates: certificates)
    }

    /// A handler that verifies `bytes` while `inner` reads the same events (one parse decodes and
    /// verifies a message held in memory). It digests only the forms the document's last bytes name;
    /// after the parser has finished, ``result(of:bytes:)`` judges it, digesting `bytes` again only
    /// when that hint missed the signature's algorithms.
    public func verification(of bytes: [UInt8], forwardingTo inner: (any XMLEventHandler)?) -> SignatureVerification {
        SignatureVerification(
            policy: policy, plan: .hinted(tail: bytes.suffix(Self.tailLength), policy: policy), forwardingTo: inner, certificates: certificates)
    }

    /// The verdict on `bytes`, whose events `verification` (from ``verification(of:forwardingTo:)``) has read to the end.
    public func result(of verification: SignatureVerification, bytes: [UInt8]) throws(VerificationFailure) -> VerificationResult {
        try SignatureCheck(policy: policy, certificates: certificates).evaluate(verification.evidence()) { (method, digest) throws(VerificationFailure) in
            try self.digest(method: method, algorithm: digest) { (parser) throws(XMLStreamError) in try parser.feed(bytes) }
        }
    }

    /// Verifies a signed document held in memory.
    public func verify(bytes: [UInt8]) throws(VerificationFailure) -> VerificationResult {
        let verification = verification(of: bytes, forwardingTo: nil)
        try Self.run(verification, limits: policy.limits) { (parser) throws(XMLStreamError) in try parser.feed(bytes) }
        return try result(of: verification, bytes: bytes)
    }

    /// Verifies a signed document file (`-` for standard input), streaming it in constant memory.
    public func verify(path: String) throws(VerificationFailure) -> VerificationResult {
        let plan = path == "-" ? DigestPlan.full(policy) : DigestPlan.hinted(tail: try Self.tail(of: path), policy: policy)
        let verification = SignatureVerification(policy: policy, plan: plan, forwardingTo: nil, certificates: certificates)
        try Self.run(verification, limits: policy.limits) { (parser) throws(XMLStreamError) in try Self.stream(path, into: parser) }
        return try SignatureCheck(policy: policy, certificates: certificates).evaluate(verification.evidence()) { (method, digest) throws(VerificationFailure) in
            try self.digest(method: method, algorithm: digest) { (parser) throws(XMLStreamError) in try Self.stream(path, into: parser) }
        }
    }

    /// The canonical bytes of a signed document's `ds:SignedInfo` — exactly what its signature value
    /// signs — after the structural checks. For diagnostics and interoperability checks (e.g. with
    /// `openssl dgst -verify`); it judges neither digest, signature nor trust.
    public func signedInfo(of document: [UInt8]) throws(VerificationFailure) -> [UInt8] {
        let verification = SignatureVerification(policy: policy, plan: DigestPlan(methods: [], digests: []), forwardingTo: nil, certificates: certificates)
        try Self.run(verification, limits: policy.limits) { (parser) throws(XMLStreamError) in try parser.feed(document) }
        return try verification.evidence().signature.signedInfoCanonical
    }

    // MARK: Passes

    /// Bytes read from the end of a file to guess the reference's algorithms (the signature is there).
    static let tailLength = 64 << 10

    /// A second pass digesting one canonical form, for signatures the first pass's plan missed.
    private func digest(
        method: CanonicalizationMethod, algorithm: DigestAlgorithm,
        feed: (XMLPushParser) throws(XMLStreamError) -> Void
    ) throws(VerificationFailure) -> [UInt8] {
        let verification = SignatureVerification(
            policy: policy, plan: DigestPlan(methods: [method], digests: [algorithm]), forwardingTo: nil, certificates: certificates)
        try Self.run(verification, limits: policy.limits, feed: feed)
        guard let digest = try verification.evidence().digests[method]?[algorithm] else {
            throw VerificationFailure(.digestAlgorithmNotAllowed(algorithm.uri))
        }
        return digest
    }

    private static func run(
        _ verification: SignatureVerification, limits: XMLLimits, feed: (XMLPushParser) throws(XMLStreamError) -> Void
    ) throws(VerificationFailure) {
        let parser = XMLPushParser(limits: limits, handler: verification)
        do throws(XMLStreamError) {
            try feed(parser)
            try parser.finish()
        } catch {
            if case .io(let why) = error.reason { throw VerificationFailure(.io(why)) }
            throw VerificationFailure(.xml(error), at: error.position)
        }
    }

    private static func stream(_ path: String, into parser: XMLPushParser) throws(XMLStreamError) {
        let stream = try ByteStream(path: path)
        try stream.forEachChunk { (chunk) throws(XMLStreamError) in try parser.feed(chunk) }
    }

    /// The last ``tailLength`` bytes of a file.
    static func tail(of path: String) throws(VerificationFailure) -> [UInt8] {
        let descriptor = open(path, O_RDONLY)
        guard descriptor >= 0 else { throw VerificationFailure(.io("\(path): \(String(cString: strerror(errno)))")) }
        defer { close(descriptor) }
        let end = lseek(descriptor, 0, SEEK_END)
        guard end >= 0 else { return [] }
        let start = max(0, end - off_t(tailLength))
        var bytes = [UInt8](repeating: 0, count: Int(end - start))
        let count = bytes.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, $0.count, start) }
        return count > 0 ? Array(bytes.prefix(count)) : []
    }
}
