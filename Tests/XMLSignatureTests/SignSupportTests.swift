import Foundation
import Testing
import XMLSignature
import XMLStreaming

/// Certificates, keys and messages shared by the signing and verification tests.
enum PKI {
    /// A test CA signing with RSA-SHA256.
    static let rsaCA = try! CertificateAuthority.selfSigned(commonName: "Clearance Test RSA CA", key: TestKeys.rsa2048)
    /// A test CA signing with SM2-SM3, like the China E-Port CA.
    static let sm2CA = try! CertificateAuthority.selfSigned(commonName: "Clearance Test SM2 CA", key: PrivateKey.generate(kind: .sm2))
    /// A CA nobody trusts.
    static let strangerCA = try! CertificateAuthority.selfSigned(commonName: "Stranger CA", key: PrivateKey.generate(kind: .ecP256))

    /// A key with its certificate.
    struct Signer: Sendable {
        let key: PrivateKey
        let certificate: Certificate
    }

    static func issue(_ key: PrivateKey, by ca: CertificateAuthority, name: String, serial: [UInt8]? = nil,
                      keyUsage: KeyUsage? = [.digitalSignature, .nonRepudiation],
                      notBefore: Date = Date(timeIntervalSinceNow: -3600), notAfter: Date = Date(timeIntervalSinceNow: 365 * 86400),
                      signatureAlgorithm: SignatureAlgorithm? = nil) -> Signer {
        Signer(key: key, certificate: try! ca.issue(
            commonName: name, publicKey: key.publicKey, notBefore: notBefore, notAfter: notAfter, keyUsage: keyUsage,
            serialNumber: serial, signatureAlgorithm: signatureAlgorithm))
    }

    static let rsa2048 = issue(TestKeys.rsa2048, by: rsaCA, name: "Enterprise RSA-2048", serial: [0x01, 0x23, 0x45, 0x67])
    /// The older e-port profile: RSA-1024, certificate signed sha1WithRSA.
    static let rsa1024 = issue(TestKeys.rsa1024, by: rsaCA, name: "Enterprise RSA-1024", signatureAlgorithm: .rsaSHA1)
    static let p256 = issue(TestKeys.p256, by: rsaCA, name: "Enterprise P-256")
    /// An SM2 signer with the e-port style serial.
    static let sm2 = issue(TestKeys.sm2, by: sm2CA, name: "杨如金 Enterprise SM2", serial: [0x03, 0, 0, 0, 0, 0x0c, 0xde, 0x6f])

    static func signer(_ kind: KeyKind) -> Signer {
        switch kind {
        case .rsa(1024): return rsa1024
        case .rsa: return rsa2048
        case .ecP256: return p256
        default: return sm2
        }
    }

    static let trustStore = try! TrustStore(anchors: [rsaCA.certificate, sm2CA.certificate])

    static func policy(_ configure: (inout SignaturePolicy) -> Void = { _ in }) -> SignaturePolicy {
        var policy = SignaturePolicy(trustStore: trustStore)
        configure(&policy)
        return policy
    }

    static let verifier = SignatureVerifier(policy: policy())
}

/// CEB messages to sign.
enum Messages {
    /// A CEB311 order message, pretty-printed as senders write them.
    static func order(orderNo: String = "ORD-2026-0001", amount: String = "199.00", buyer: String = "张三", items: Int = 2) -> String {
        var goods = ""
        for index in 1...items {
            goods += """
                    <ceb:OrderList>
                      <ceb:gnum>\(index)</ceb:gnum>
                      <ceb:itemNo>SKU-\(index)</ceb:itemNo>
                      <ceb:itemName>奶粉 &amp; 辅食 \(index)</ceb:itemName>
                      <ceb:qty>1</ceb:qty>
                      <ceb:price>\(amount)</ceb:price>
                    </ceb:OrderList>

            """
        }
        return """
            <?xml version="1.0" encoding="UTF-8"?>
            <ceb:CEB311Message xmlns:ceb="http://www.chinaport.gov.cn/ceb" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" guid="4CDE1CFD-EDED-46B1-946C-B8022E42FC94" version="1.0">
              <ceb:Order>
                <ceb:OrderHead>
                  <ceb:guid>4CDE1CFD-EDED-46B1-946C-B8022E42FC94</ceb:guid>
                  <ceb:appType>1</ceb:appType>
                  <ceb:orderNo>\(orderNo)</ceb:orderNo>
                  <ceb:goodsValue>\(amount)</ceb:goodsValue>
                  <ceb:buyerName>\(buyer)</ceb:buyerName>
                  <ceb:note><![CDATA[fragile < handle with care >]]></ceb:note>
                </ceb:OrderHead>
            \(goods)  </ceb:Order>
              <ceb:BaseTransfer>
                <ceb:copCode>1105910159</ceb:copCode>
                <ceb:dxpMode>DXP</ceb:dxpMode>
              </ceb:BaseTransfer>
            </ceb:CEB311Message>

            """
    }

    static func orderBytes(_ text: String = order()) -> [UInt8] { Array(text.utf8) }
}

extension Array where Element == UInt8 {
    /// The text, for string surgery in tests.
    var text: String { String(decoding: self, as: UTF8.self) }
}

extension String {
    var bytes: [UInt8] { Array(utf8) }

    /// Replaces the first occurrence only; records a test issue when absent.
    func replacingFirst(_ target: String, with replacement: String, sourceLocation: SourceLocation = #_sourceLocation) -> String {
        guard let range = range(of: target) else {
            Issue.record("'\(target)' not found", sourceLocation: sourceLocation)
            return self
        }
        return replacingCharacters(in: range, with: replacement)
    }
}

/// Expects verification to fail with `reason` (compared by case through `matches`).
func expectRefusal(
    _ document: [UInt8], verifier: SignatureVerifier = PKI.verifier, sourceLocation: SourceLocation = #_sourceLocation,
    _ matches: (VerificationFailure.Reason) -> Bool
) {
    do {
        let result = try verifier.verify(bytes: document)
        Issue.record("expected a refusal, verified: \(result.summary)", sourceLocation: sourceLocation)
    } catch {
        #expect(matches(error.reason), "unexpected reason: \(error)", sourceLocation: sourceLocation)
        #expect(!error.message.isEmpty, sourceLocation: sourceLocation)
    }
}
