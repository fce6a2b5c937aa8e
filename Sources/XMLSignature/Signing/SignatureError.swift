import XMLStreaming

/// Why a document could not be signed.
public struct SignatureError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What went wrong.
    public enum Reason: Sendable, Equatable {
        /// The document already holds a `ds:Signature`.
        case alreadySigned
        /// The private key is not the certificate's key.
        case keyDoesNotMatchCertificate
        /// The signature algorithm cannot be used with the key.
        case algorithmDoesNotFitKey(algorithm: SignatureAlgorithm, key: KeyKind)
        /// The profile has no algorithm for this kind of key.
        case profileNotApplicable(profile: SignatureProfile, key: KeyKind)
        /// The document's encoding is not ASCII-compatible (UTF-16, UTF-32): the signature could not be inserted as is.
        case unsupportedEncoding(String)
        /// The closing tag of the root element could not be located in the input.
        case rootEndNotFound
        /// The input changed while it was being signed.
        case inputChanged
        /// The document is not well-formed XML or was refused by the hardened parser.
        case xml(XMLStreamError)
        /// Reading the input or writing the output failed.
        case io(String)
        /// The key or certificate failed in libcrypto.
        case crypto(CryptoError)
    }

    /// What went wrong.
    public let reason: Reason
    /// Where in the document, when known.
    public let position: XMLPosition?

    /// An error.
    public init(_ reason: Reason, at position: XMLPosition? = nil) {
        self.reason = reason
        self.position = position
    }

    /// A sentence a person can act on.
    public var message: String {
        switch reason {
        case .alreadySigned: return "the document already holds a ds:Signature: refusing to sign it again"
        case .keyDoesNotMatchCertificate: return "the private key does not belong to the certificate"
        case .algorithmDoesNotFitKey(let algorithm, let key): return "signature algorithm \(algorithm.uri) cannot be used with a \(key) key"
        case .profileNotApplicable(let profile, let key): return "the \(profile) profile has no signature algorithm for a \(key) key"
        case .unsupportedEncoding(let why): return "unsupported encoding for signing: \(why)"
        case .rootEndNotFound: return "the closing tag of the root element could not be located"
        case .inputChanged: return "the input changed while it was being signed"
        case .xml(let error): return error.description
        case .io(let why): return "I/O error: \(why)"
        case .crypto(let error): return error.description
        }
    }

    public var description: String {
        if let position { return "\(position): \(message)" }
        return message
    }
}
