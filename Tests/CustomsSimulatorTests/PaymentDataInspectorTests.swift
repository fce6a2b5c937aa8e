import CEBModel
import ClearanceRouting
import CustomsSimulator
import Foundation
import Testing
import XMLSignature

/// The simulated customs' check of a real-time payment data upload: each fault gets its code, and a
/// signature is checked over the text as received (a re-serialised head would not do).
@Suite struct PaymentDataInspectorTests {
    static func signer(_ kind: KeyKind) throws -> PaymentDataSigner {
        let ca = try CertificateAuthority.selfSigned(commonName: "E-Port Test CA", key: try PrivateKey.generate(kind: .ecP256))
        let key = try PrivateKey.generate(kind: kind)
        return PaymentDataSigner(key: key, certificate: try ca.issue(commonName: "platform", publicKey: key.publicKey))
    }

    static func report(_ asked: PaymentDataInspector.Asked) -> PaymentDataReport {
        PaymentDataReport(
            sessionID: asked.sessionID,
            head: PaymentExchangeInfoHead(
                guid: "9D55BA71-55DE-41F4-8B50-C36C83B3B419", initalRequest: #"{"q":"a \"quoted\" {brace} [x]"}"#,
                initalResponse: "OK", ebpCode: "3516961011", payCode: "312226T001", payTransactionId: "HXPAY1", totalAmount: CEBDecimal("99.50")!,
                currency: "142", verDept: "3", payType: "1", tradingTime: "20261125093512", note: ""),
            lists: [PaymentExchangeOrder(orderNo: asked.orderNo, goodsInfo: [.init(gname: "奶粉", itemLink: "https://shop.example/1")],
                                         recpAccount: "6222020200112233445", recpCode: "91350128MA2Y00000X", recpName: "平潭")],
            serviceTime: asked.serviceTime)
    }

    @Test(arguments: [KeyKind.sm2, .rsa(bits: 2048)])
    func aSignedAnswerToItsOwnRequestIsTaken(_ kind: KeyKind) throws {
        let signer = try Self.signer(kind)
        let inspector = PaymentDataInspector(registeredCertificates: [signer.certificate])
        let asked = inspector.ask(orderNo: "PT202611250001")
        let upload = inspector.inspect(try signer.payExInfoStr(Self.report(asked)))
        #expect(upload.verdict == .accepted, "\(upload.detail)")
        #expect(upload.sessionID == asked.sessionID)
    }

    @Test func eachFaultHasItsCode() throws {
        let signer = try Self.signer(.sm2)
        let inspector = PaymentDataInspector(registeredCertificates: [signer.certificate])
        let asked = inspector.ask(orderNo: "PT202611250001")
        let good = try signer.payExInfoStr(Self.report(asked))

        #expect(inspector.inspect("not json").verdict == .malformed)
        #expect(inspector.inspect(good.replacingOccurrences(of: "\"payTransactionId\"", with: "\"payTransactionID\"")).verdict == .malformed)
        // Another order, or a session customs never opened.
        var other = Self.report(asked)
        other.lists[0].orderNo = "PT999"
        #expect(inspector.inspect(try signer.payExInfoStr(other)).verdict == .unknownSession)
        var stranger = Self.report(asked)
        stranger.sessionID = "S-never"
        #expect(inspector.inspect(try signer.payExInfoStr(stranger)).verdict == .unknownSession)
        // A changed amount breaks the signature; another key's certificate is not registered.
        #expect(inspector.inspect(good.replacingOccurrences(of: "99.50", with: "99.51")).verdict == .badSignature)
        let unregistered = try Self.signer(.sm2)
        #expect(inspector.inspect(try unregistered.payExInfoStr(Self.report(asked))).verdict == .certificateNotRegistered)
        inspector.register(unregistered.certificate)
        #expect(inspector.inspect(try unregistered.payExInfoStr(Self.report(asked))).verdict == .accepted)
        #expect(inspector.uploads.count == 7)
    }
}
