import XMLStreaming

/// Why a signed document was refused. Verification stops at the first reason.
public struct VerificationFailure: Error, Sendable, Equatable, CustomStringConvertible {
    /// What was wrong.
    public enum Reason: Sendable, Equatable {
        /// The document has no `ds:Signature`.
        case missingSignature
        /// The document has more than one `ds:Signature` (a wrapping attempt or a double signature).
        case multipleSignatures
        /// The `ds:Signature` is not a child of the root element; `depth` is its element depth (root = 1).
        case signatureNotChildOfRoot(depth: Int)
        /// Something other than whitespace (and the elements the policy allows there) follows the
        /// `ds:Signature` inside the root.
        case signatureNotLastChild
        /// The signature element exceeds ``SignaturePolicy/maxSignatureBytes``.
        case signatureTooLarge(limit: Int)
        /// The `ds:Signature` element does not have the structure XML-DSig requires.
        case malformedSignature(String)
        /// `ds:SignedInfo` must hold exactly one `ds:Reference`.
        case referenceCount(Int)
        /// The reference does not cover the whole document: its URI is not `""` (`nil`: no URI attribute).
        case referenceURINotEmpty(String?)
        /// The reference lacks the enveloped-signature transform.
        case missingEnvelopedTransform
        /// A transform outside the allowed list (enveloped signature, then optionally one canonicalization).
        case transformNotAllowed(String)
        /// A canonicalization method that is unknown or not allowed by the policy.
        case canonicalizationNotAllowed(String)
        /// A signature method that is unknown or not allowed by the policy.
        case signatureAlgorithmNotAllowed(String)
        /// A digest method that is unknown or not allowed by the policy.
        case digestAlgorithmNotAllowed(String)
        /// A weak element the policy refuses.
        case weakElementRefused(VerificationWarning)
        /// `ds:KeyInfo` carries no `ds:X509Certificate`.
        case missingCertificate
        /// The `ds:X509Certificate` cannot be decoded.
        case invalidCertificate(String)
        /// `ds:KeyName` does not hold the certificate's serial number.
        case keyNameMismatch(keyName: String, serial: String)
        /// The signature method does not fit the certificate's key.
        case algorithmDoesNotFitKey(algorithm: SignatureAlgorithm, key: KeyKind)
        /// The reference digest does not match the document.
        case digestMismatch(DigestAlgorithm, CanonicalizationMethod)
        /// The signature value does not match `ds:SignedInfo` and the certificate's key.
        case signatureMismatch(String)
        /// The certificate is expired, not yet valid, not allowed to sign or does not chain to the trust store.
        case certificateRefused(CryptoError)
        /// The document is not well-formed XML or was refused by the hardened parser.
        case xml(XMLStreamError)
        /// The input could not be read.
        case io(String)
    }

    /// What was wrong.
    public let reason: Reason
    /// Where in the document, when known.
    public let position: XMLPosition?

    /// A failure.
    public init(_ reason: Reason, at position: XMLPosition? = nil) {
        self.reason = reason
        self.position = position
    }

    /// A stable code: `SIG001`…
    public var code: String {
        switch reason {
        case .missingSignature: return "SIG001"
        case .multipleSignatures: return "SIG002"
        case .signatureNotChildOfRoot: return "SIG003"
        case .signatureNotLastChild: return "SIG004"
        case .signatureTooLarge: return "SIG005"
        case .malformedSignature: return "SIG006"
        case .referenceCount: return "SIG007"
        case .referenceURINotEmpty: return "SIG008"
        case .missingEnvelopedTransform: return "SIG009"
        case .transformNotAllowed: return "SIG010"
        case .canonicalizationNotAllowed: return "SIG011"
        case .signatureAlgorithmNotAllowed: return "SIG012"
        case .digestAlgorithmNotAllowed: return "SIG013"
        case .weakElementRefused: return "SIG014"
        case .missingCertificate: return "SIG015"
        case .invalidCertificate: return "SIG016"
        case .keyNameMismatch: return "SIG017"
        case .algorithmDoesNotFitKey: return "SIG018"
        case .digestMismatch: return "SIG019"
        case .signatureMismatch: return "SIG020"
        case .certificateRefused: return "SIG021"
        case .xml(let error): return error.code
        case .io: return "SIG022"
        }
    }

    /// A sentence a person can act on.
    public var message: String {
        switch reason {
        case .missingSignature:
            return "the document is not signed: no ds:Signature element"
        case .multipleSignatures:
            return "the document holds more than one ds:Signature; exactly one enveloped signature is accepted"
        case .signatureNotChildOfRoot(let depth):
            return "the ds:Signature is at element depth \(depth); it must be the last child of the root element (depth 2)"
        case .signatureNotLastChild:
            return "content follows the ds:Signature; it must be the last child of the root element"
        case .signatureTooLarge(let limit):
            return "the ds:Signature element is larger than \(limit) bytes"
        case .malformedSignature(let why):
            return "the ds:Signature is malformed: \(why)"
        case .referenceCount(let count):
            return "ds:SignedInfo holds \(count) ds:Reference elements; exactly one (URI=\"\") is accepted"
        case .referenceURINotEmpty(let uri):
            if let uri { return "the ds:Reference URI is \"\(uri)\"; only URI=\"\" (the whole document) is accepted" }
            return "the ds:Reference has no URI attribute; only URI=\"\" (the whole document) is accepted"
        case .missingEnvelopedTransform:
            return "the ds:Reference lacks the enveloped-signature transform (\(XMLDSig.envelopedTransform))"
        case .transformNotAllowed(let uri):
            return "transform \(uri) is not allowed: only enveloped-signature, optionally followed by one C14N 1.0 or exclusive C14N transform"
        case .canonicalizationNotAllowed(let uri):
            return "canonicalization method \(uri) is not allowed"
        case .signatureAlgorithmNotAllowed(let uri):
            return "signature method \(uri) is not allowed"
        case .digestAlgorithmNotAllowed(let uri):
            return "digest method \(uri) is not allowed"
        case .weakElementRefused(let warning):
            return "refused by policy: \(warning.message)"
        case .missingCertificate:
            return "ds:KeyInfo carries no ds:X509Certificate: the signer cannot be identified"
        case .invalidCertificate(let why):
            return "the ds:X509Certificate cannot be decoded: \(why)"
        case .keyNameMismatch(let keyName, let serial):
            return "ds:KeyName \"\(keyName)\" does not match the certificate serial number \(serial)"
        case .algorithmDoesNotFitKey(let algorithm, let key):
            return "signature method \(algorithm.uri) cannot be used with the certificate's \(key) key"
        case .digestMismatch(let digest, let method):
            return "digest mismatch (\(digest) over \(method) C14N): the document changed after signing; any change, "
                + "including re-indenting or pretty-printing, breaks the digest"
        case .signatureMismatch(let why):
            return "the signature value does not verify with the certificate's key: \(why)"
        case .certificateRefused(let error):
            return error.description
        case .xml(let error):
            return error.message
        case .io(let why):
            return "the input could not be read: \(why)"
        }
    }

    public var description: String {
        if let position { return "\(position): \(code) \(message)" }
        return "\(code) \(message)"
    }
}
