import XMLSignature

/// Signs a ``PaymentDataReport`` in the e-port profile with the service key, as the e-port client
/// does for real-time data: an SM2 key signs SM3-with-SM2 under the signer ID `1234567812345678`
/// and gives the raw 64-byte `r‖s`; an RSA key signs RSA-SHA1 (PKCS#1 v1.5). Both base64.
///
/// `certNo` is the certificate's serial as lower-case hex of its bytes, e.g. `03000000000cde6f`:
/// the spelling the e-port client reports for the genuine e-port certificate in
/// `shared/vectors/eport-sm2` and that `ds:KeyName` carries in the XML messages.
public struct PaymentDataSigner: Sendable {
    /// The service key.
    public let key: PrivateKey
    /// Its certificate (registered with customs for real-time data).
    public let certificate: Certificate

    /// Creates a signer.
    public init(key: PrivateKey, certificate: Certificate) {
        self.key = key
        self.certificate = certificate
    }

    /// The signature algorithm the key's type calls for.
    public var algorithm: SignatureAlgorithm? {
        switch key.kind {
        case .sm2: .sm2SM3
        case .rsa: .rsaSHA1
        default: nil
        }
    }

    /// The `certNo` sent with every answer.
    public var certNo: String { certificate.serialNumberHex }

    /// The base64 `signValue` over the report's signed string.
    public func signValue(_ report: PaymentDataReport) throws(PaymentDataError) -> String {
        guard let algorithm else { throw .unsupportedKey("\(key.kind)") }
        do {
            let signature = try key.sign(Array(report.signedString.utf8), algorithm: algorithm, sm2SignerID: .gmtDefault)
            return Base64.encode(signature)
        } catch {
            throw .signingFailed("\(error)")
        }
    }

    /// The form field value `payExInfoStr`: the report, signed.
    public func payExInfoStr(_ report: PaymentDataReport) throws(PaymentDataError) -> String {
        report.payExInfoStr(certNo: certNo, signValue: try signValue(report))
    }
}
