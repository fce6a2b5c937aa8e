/// The checks made once the document has been read: algorithms against the policy, weak elements,
/// certificate and key name, reference digest, signature value, then trust.
struct SignatureCheck {
    let policy: SignaturePolicy
    let certificates: CertificateCache

    /// - Parameter recompute: digests the document again for a (canonicalization, digest) the pass did not
    ///   compute; `nil` when every allowed candidate was computed.
    func evaluate(
        _ evidence: SignatureEvidence,
        recompute: ((CanonicalizationMethod, DigestAlgorithm) throws(VerificationFailure) -> [UInt8])?
    ) throws(VerificationFailure) -> VerificationResult {
        let signature = evidence.signature
        let position = signature.position
        func failure(_ reason: VerificationFailure.Reason) -> VerificationFailure { VerificationFailure(reason, at: position) }

        guard let algorithm = SignatureAlgorithm(uri: signature.signatureMethodURI), policy.allowedSignatureAlgorithms.contains(algorithm) else {
            throw failure(.signatureAlgorithmNotAllowed(signature.signatureMethodURI))
        }
        guard let digest = DigestAlgorithm(uri: signature.digestMethodURI), policy.allowedDigestAlgorithms.contains(digest) else {
            throw failure(.digestAlgorithmNotAllowed(signature.digestMethodURI))
        }
        var warnings: [VerificationWarning] = []
        func note(_ warning: VerificationWarning) throws(VerificationFailure) {
            if policy.refuses(warning) { throw failure(.weakElementRefused(warning)) }
            warnings.append(warning)
        }
        if digest.isWeak { try note(.weakDigest(digest)) }
        if algorithm.isWeak { try note(.weakSignatureAlgorithm(algorithm)) }

        guard let first = signature.certificates.first else { throw failure(.missingCertificate) }
        let certificate: Certificate
        var intermediates: [Certificate] = []
        do throws(CryptoError) {
            certificate = try certificates.certificate(base64: first)
            for other in signature.certificates.dropFirst() { intermediates.append(try certificates.certificate(base64: other)) }
        } catch {
            throw failure(.invalidCertificate(error.description))
        }
        guard algorithm.accepts(certificate.publicKeyKind) else {
            throw failure(.algorithmDoesNotFitKey(algorithm: algorithm, key: certificate.publicKeyKind))
        }
        if certificate.publicKeyKind.isWeak { try note(.weakKey(certificate.publicKeyKind)) }
        if let keyName = signature.keyName, !Self.serialMatches(keyName: keyName, serial: certificate.serialNumberHex) {
            throw failure(.keyNameMismatch(keyName: keyName, serial: certificate.serialNumberHex))
        }

        let method = signature.referenceCanonicalization
        let actual: [UInt8]
        if let computed = evidence.digests[method]?[digest] {
            actual = computed
        } else if let recompute {
            actual = try recompute(method, digest)
        } else {
            throw failure(.digestAlgorithmNotAllowed(signature.digestMethodURI))
        }
        guard actual == signature.digestValue else { throw failure(.digestMismatch(digest, method)) }

        do throws(CryptoError) {
            try certificate.publicKey.verify(
                signature: signature.signatureValue, over: signature.signedInfoCanonical, algorithm: algorithm, sm2SignerID: policy.sm2SignerID)
        } catch {
            throw failure(.signatureMismatch(error.description))
        }
        do throws(CryptoError) {
            try policy.trustStore.validate(certificate, intermediates: intermediates, at: policy.clock())
        } catch {
            throw failure(.certificateRefused(error))
        }
        return VerificationResult(
            signer: certificate, signatureAlgorithm: algorithm, digestAlgorithm: digest,
            signatureMethodURI: signature.signatureMethodURI, digestMethodURI: signature.digestMethodURI,
            signedInfoCanonicalization: signature.signedInfoCanonicalization, referenceCanonicalization: method,
            keyName: signature.keyName, warnings: warnings)
    }

    /// `ds:KeyName` holds the serial in hex; case, separators (space, `:`), a `0x` prefix and leading
    /// zeros do not matter.
    static func serialMatches(keyName: String, serial: String) -> Bool {
        func normalized(_ text: String) -> String {
            var hex = text.lowercased().filter { $0 != ":" && $0 != " " && !$0.isNewline && $0 != "\t" }
            if hex.hasPrefix("0x") { hex.removeFirst(2) }
            let trimmed = hex.drop { $0 == "0" }
            return trimmed.isEmpty ? "0" : String(trimmed)
        }
        return !keyName.isEmpty && normalized(keyName) == normalized(serial)
    }
}
