import COpenSSL
import Foundation

/// Decides whether a signer's certificate is trusted: it chains to a trusted CA, or it is pinned.
///
/// `validate` checks, in this order:
/// 1. the validity window of the certificate contains the evaluation date;
/// 2. key usage: if the extension is present it must include digitalSignature (e-port signing
///    certificates carry it, with nonRepudiation); a nonRepudiation-only certificate is refused.
///    A certificate without the extension passes (RFC 5280: unrestricted) unless
///    `requireKeyUsageExtension` is set;
/// 3. trust: a pinned certificate is trusted by exact DER match; otherwise libcrypto's
///    `X509_verify_cert` must build a chain to one of the anchors at the evaluation date (signatures,
///    CA basic constraints and CA key usage, validity of every certificate in the chain). Anchors need not be
///    self-signed (partial chains are allowed), so an intermediate CA can be trusted directly.
///
/// SM2-signed certificates chain with the GM/T default signer ID (see `Certificate`).
/// Revocation (CRL/OCSP) is not checked.
///
/// `@unchecked Sendable`: the `X509_STORE` is filled in `init` and only read afterwards; libcrypto
/// locks the store internally, and every `validate` uses its own `X509_STORE_CTX`.
public final class TrustStore: @unchecked Sendable {
    private let store: OpaquePointer
    /// The trusted CA certificates (trust anchors).
    public let anchors: [Certificate]
    /// End-entity certificates trusted as they are, by exact DER match.
    public let pinned: Set<Certificate>
    /// When `true`, a certificate without a key usage extension is refused.
    public let requireKeyUsageExtension: Bool

    /// A store trusting `anchors` (CA certificates) and `pinned` end-entity certificates.
    public init(anchors: [Certificate] = [], pinned: [Certificate] = [], requireKeyUsageExtension: Bool = false) throws(CryptoError) {
        OpenSSL.clearErrors()
        guard let store = X509_STORE_new() else { fatalError("X509_STORE_new failed: out of memory") }
        self.store = store
        self.anchors = anchors
        self.pinned = Set(pinned)
        self.requireKeyUsageExtension = requireKeyUsageExtension
        for anchor in anchors where X509_STORE_add_cert(store, anchor.x509) != 1 {
            throw OpenSSL.failure("X509_STORE_add_cert(\(anchor.subject))")
        }
        guard X509_STORE_set_flags(store, UInt(X509_V_FLAG_PARTIAL_CHAIN)) == 1 else {
            throw OpenSSL.failure("X509_STORE_set_flags")
        }
    }

    /// A store from PEM text: every `CERTIFICATE` in `anchorsPEM` is a trusted CA, every one in `pinnedPEM` a pinned certificate.
    public convenience init(anchorsPEM: String, pinnedPEM: String = "", requireKeyUsageExtension: Bool = false) throws(CryptoError) {
        try self.init(
            anchors: Certificate.all(pem: anchorsPEM),
            pinned: Certificate.all(pem: pinnedPEM),
            requireKeyUsageExtension: requireKeyUsageExtension
        )
    }

    deinit {
        X509_STORE_free(store)
    }

    /// Throws unless `certificate` may be trusted as a document signer at `date`.
    ///
    /// - Parameter intermediates: untrusted CA certificates that may help build the chain
    ///   (e.g. extra `ds:X509Certificate` elements).
    /// - Throws: `certificateNotYetValid`, `certificateExpired`, `keyUsageForbidsSigning` or `untrustedCertificate`.
    public func validate(_ certificate: Certificate, intermediates: [Certificate] = [], at date: Date = Date()) throws(CryptoError) {
        if date < certificate.notBefore {
            throw .certificateNotYetValid(subject: certificate.subject, notBefore: certificate.notBefore)
        }
        if date > certificate.notAfter {
            throw .certificateExpired(subject: certificate.subject, notAfter: certificate.notAfter)
        }
        if let usage = certificate.keyUsage {
            guard usage.permitsDocumentSigning else { throw .keyUsageForbidsSigning(subject: certificate.subject) }
        } else if requireKeyUsageExtension {
            throw .keyUsageForbidsSigning(subject: certificate.subject)
        }
        if pinned.contains(certificate) { return }
        try verifyChain(certificate, intermediates: intermediates, at: date)
    }

    private func verifyChain(_ certificate: Certificate, intermediates: [Certificate], at date: Date) throws(CryptoError) {
        OpenSSL.clearErrors()
        guard let context = X509_STORE_CTX_new(), let untrusted = OPENSSL_sk_new_null() else {
            fatalError("X509_STORE_CTX_new failed: out of memory")
        }
        defer {
            X509_STORE_CTX_free(context)
            OPENSSL_sk_free(untrusted)  // the stack does not own the certificates
        }
        for intermediate in intermediates {
            guard OPENSSL_sk_push(untrusted, UnsafeRawPointer(intermediate.x509)) > 0 else {
                fatalError("OPENSSL_sk_push failed: out of memory")
            }
        }
        guard X509_STORE_CTX_init(context, store, certificate.x509, untrusted) == 1 else {
            throw OpenSSL.failure("X509_STORE_CTX_init")
        }
        X509_STORE_CTX_set_time(context, 0, time_t(date.timeIntervalSince1970.rounded(.down)))
        let verified = X509_verify_cert(context)
        OpenSSL.clearErrors()
        guard verified == 1 else {
            let code = X509_STORE_CTX_get_error(context)
            let reason = X509_verify_cert_error_string(Int(code)).map { String(cString: $0) } ?? "error \(code)"
            throw .untrustedCertificate(subject: certificate.subject, reason: reason)
        }
    }
}
