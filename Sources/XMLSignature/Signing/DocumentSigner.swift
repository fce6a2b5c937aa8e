#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import XMLStreaming

/// Signs CEB messages with an enveloped XML signature, the `ds:Signature` inserted as the last child
/// of the root element, in the layout e-port senders use — or, when the caller names trailing root
/// children (`before:`), right before the run of them that ends the root: the official export schema
/// puts `ds:Signature` before `ceb:ExtendMessage`. The enveloped transform removes only the signature,
/// so where it sits changes nothing in what is digested.
///
/// Signing streams: a first pass digests the canonical document through the SAX core (constant
/// memory, no DOM); a second copies the original bytes unchanged, inserting the signature right
/// before the root's closing tag, into a temporary file renamed into place. Documents that already
/// hold a `ds:Signature` are refused.
///
/// Thread-safe: one signer may sign many documents concurrently (the key is shared read-only).
public final class DocumentSigner: Sendable {
    /// The signing key.
    public let key: PrivateKey
    /// The signer's certificate (its DER goes into `ds:X509Certificate`, its serial into `ds:KeyName`).
    public let certificate: Certificate
    /// The profile, which also names the algorithm URIs written (see ``SignatureProfile/eport2022``).
    public let profile: SignatureProfile
    /// The signature method.
    public let signatureAlgorithm: SignatureAlgorithm
    /// The reference digest method.
    public let digestAlgorithm: DigestAlgorithm
    /// The canonicalization of `ds:SignedInfo` (and of the document, without comments).
    public let canonicalization: CanonicalizationMethod
    /// The SM2 signer ID (e-port: `1234567812345678`).
    public let sm2SignerID: SM2SignerID
    /// Bounds on the input.
    public let limits: XMLLimits
    private let template: SignatureTemplate

    /// A signer.
    ///
    /// - Parameters:
    ///   - profile: picks the algorithms from the key type (see ``SignatureProfile``).
    ///   - algorithm: an explicit signature method, overriding the profile's choice (the reference digest
    ///     then follows the profile: SHA-1 for e-port, the algorithm's own digest otherwise; `eport2022` still
    ///     writes its own URIs for SM2 and SM3). RSA-SHA1 is
    ///     only ever used when asked for, here or through the e-port profile.
    ///   - canonicalization: of `ds:SignedInfo`; inclusive C14N 1.0 by default, as e-port senders do.
    /// - Throws: when the key is not the certificate's or the algorithm does not fit the key.
    public init(
        key: PrivateKey,
        certificate: Certificate,
        profile: SignatureProfile = .standard,
        algorithm: SignatureAlgorithm? = nil,
        canonicalization: CanonicalizationMethod = .inclusive,
        sm2SignerID: SM2SignerID = .gmtDefault,
        limits: XMLLimits = .standard
    ) throws(SignatureError) {
        guard key.publicKey.derRepresentation == certificate.publicKey.derRepresentation else {
            throw SignatureError(.keyDoesNotMatchCertificate)
        }
        let chosen: (signature: SignatureAlgorithm, digest: DigestAlgorithm)
        if let algorithm {
            guard algorithm.accepts(key.kind) else { throw SignatureError(.algorithmDoesNotFitKey(algorithm: algorithm, key: key.kind)) }
            chosen = (algorithm, profile.digest(for: algorithm))
        } else {
            chosen = try profile.algorithms(for: key.kind)
        }
        self.key = key
        self.certificate = certificate
        self.profile = profile
        signatureAlgorithm = chosen.signature
        digestAlgorithm = chosen.digest
        self.canonicalization = canonicalization
        self.sm2SignerID = sm2SignerID
        self.limits = limits
        template = SignatureTemplate(
            signatureMethodURI: profile.signatureMethodURI(for: chosen.signature), digestMethodURI: profile.digestMethodURI(for: chosen.digest),
            canonicalization: canonicalization, certificate: certificate)
    }

    // MARK: In memory

    /// Signs a document held in memory and returns the signed bytes.
    ///
    /// - Parameter trailing: root children the signature goes before when they end the root (in any
    ///   order and number); when the root does not end with them, the signature goes last.
    public func sign(bytes: [UInt8], before trailing: [ElementName] = []) throws(SignatureError) -> [UInt8] {
        try Self.checkEncoding(bytes.prefix(4))
        let scan = SigningScan(method: template.referenceCanonicalization, digest: digestAlgorithm, trailing: trailing)
        let parser = XMLPushParser(limits: limits, handler: scan)
        scan.offset = { [unowned parser] in parser.bytesConsumed }
        do throws(XMLStreamError) {
            try parser.feed(bytes)
            try parser.finish()
        } catch {
            throw SignatureError(.xml(error), at: error.position)
        }
        let (signature, insertion) = try prepare(scan) { (start, end) in Array(bytes[start..<end]) }
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count + signature.count + 64)
        output += bytes[..<insertion.start]
        output += insertion.opening + signature + insertion.closing
        output += bytes[insertion.resume...]
        return output
    }

    // MARK: Files

    /// Signs the document at `inputPath` into `outputPath` (which may be the same file), streaming in
    /// constant memory; the output appears atomically (temporary file renamed into place).
    ///
    /// - Parameter durable: flush the output to disk (`fsync`) before the rename, so that a crash never
    ///   leaves an empty file under the final name. Costs a disk flush per file.
    /// - Parameter trailing: as for ``sign(bytes:before:)``.
    public func sign(inputPath: String, outputPath: String, before trailing: [ElementName] = [], durable: Bool = true) throws(SignatureError) {
        let input = try InputFile(path: inputPath)
        try Self.checkEncoding(input.read(at: 0, count: 4))
        let scan = SigningScan(method: template.referenceCanonicalization, digest: digestAlgorithm, trailing: trailing)
        let parser = XMLPushParser(limits: limits, handler: scan)
        scan.offset = { [unowned parser] in parser.bytesConsumed }
        do throws(XMLStreamError) {
            let stream = try ByteStream(path: inputPath)
            try stream.forEachChunk { (chunk) throws(XMLStreamError) in try parser.feed(chunk) }
            try parser.finish()
        } catch {
            if case .io(let why) = error.reason { throw SignatureError(.io(why)) }
            throw SignatureError(.xml(error), at: error.position)
        }
        let (signature, insertion) = try prepare(scan) { (start, end) throws(SignatureError) in try input.read(at: start, count: end - start) }
        let output = try AtomicFileWriter(path: outputPath)
        try input.copy(from: 0, to: insertion.start, into: output)
        try output.append(insertion.opening + signature + insertion.closing)
        try input.copy(from: insertion.resume, to: input.size, into: output)
        guard try input.unchanged() else { throw SignatureError(.inputChanged) }
        try output.commit(durable: durable)
    }

    // MARK: Shared

    /// Where the signature goes: bytes `[0, start)` are kept, then `opening`, the signature, `closing`,
    /// then bytes from `resume` on. For `<root/>` the empty-element tag is opened and closed around it.
    struct Insertion {
        var start: Int
        var opening: [UInt8] = []
        var closing: [UInt8] = []
        var resume: Int
    }

    /// Builds the signature from the first pass and locates the root's closing tag.
    private func prepare(
        _ scan: SigningScan, read: (Int, Int) throws(SignatureError) -> [UInt8]
    ) throws(SignatureError) -> ([UInt8], Insertion) {
        if let position = scan.existingSignature { throw SignatureError(.alreadySigned, at: position) }
        let digest = scan.finish()
        guard let rootEnd = scan.rootEnd, rootEnd >= 2 else { throw SignatureError(.rootEndNotFound) }
        // The closing tag `</name S?>` holds no other `<`: it starts at the last `<` before its end.
        let windowStart = max(0, rootEnd - (scan.rootName.count + 4096))
        let window = try read(windowStart, rootEnd)
        guard window.count == rootEnd - windowStart, window.last == 0x3E, let lessThan = window.lastIndex(of: 0x3C) else {
            throw SignatureError(.rootEndNotFound)
        }
        var insertion: Insertion
        if let trailing = scan.trailingStart {
            insertion = try Self.startTag(named: trailing.qualifiedName, reportedAt: trailing.offset, read: read)
        } else if window[window.count - 2] == 0x2F {
            // `<root .../>`: write `<root ...>` + signature + `</root>`.
            insertion = Insertion(start: rootEnd - 2, opening: [0x3E], closing: [0x3C, 0x2F] + scan.rootName + [0x3E], resume: rootEnd)
        } else {
            guard lessThan + 1 < window.count, window[lessThan + 1] == 0x2F,
                  window[(lessThan + 2)...].starts(with: scan.rootName) else { throw SignatureError(.rootEndNotFound) }
            insertion = Insertion(start: windowStart + lessThan, resume: windowStart + lessThan)
        }
        let signedInfo = template.signedInfo(digestValue: digest)
        let canonical = try template.canonicalSignedInfo(
            signedInfo, rootNamespaces: scan.rootNamespaces, rootXMLAttributes: scan.rootXMLAttributes)
        let value: [UInt8]
        do throws(CryptoError) {
            value = try key.sign(canonical, algorithm: signatureAlgorithm, sm2SignerID: sm2SignerID)
        } catch {
            throw SignatureError(.crypto(error))
        }
        return (Array(template.signature(signedInfo: signedInfo, signatureValue: value).utf8), insertion)
    }

    /// Where the start tag of `name` begins, given an offset the parser reported while reading it: the last
    /// `<` before that offset (attribute values hold no literal `<`), checked to open `name`.
    private static func startTag(
        named name: [UInt8], reportedAt offset: Int, read: (Int, Int) throws(SignatureError) -> [UInt8]
    ) throws(SignatureError) -> Insertion {
        let windowStart = max(0, offset - (name.count + 64 << 10))
        // One byte past the offset, for the character after the name when the offset is right after it.
        let window = try read(windowStart, offset + 1)
        guard let lessThan = window.prefix(offset - windowStart).lastIndex(of: 0x3C), window[(lessThan + 1)...].starts(with: name),
              lessThan + 1 + name.count < window.count, [0x20, 0x09, 0x0A, 0x0D, 0x3E, 0x2F].contains(window[lessThan + 1 + name.count]) else {
            throw SignatureError(.rootEndNotFound)
        }
        return Insertion(start: windowStart + lessThan, resume: windowStart + lessThan)
    }

    /// The signature is inserted as ASCII: UTF-16 and UTF-32 documents are refused.
    private static func checkEncoding(_ head: some Collection<UInt8>) throws(SignatureError) {
        let bytes = Array(head)
        if bytes.starts(with: [0xFE, 0xFF]) || bytes.starts(with: [0xFF, 0xFE]) || bytes.starts(with: [0x00, 0x3C]) || bytes.starts(with: [0x3C, 0x00])
            || bytes.starts(with: [0x00, 0x00]) {
            throw SignatureError(.unsupportedEncoding("UTF-16 and UTF-32 documents cannot be signed; convert to UTF-8"))
        }
    }
}
