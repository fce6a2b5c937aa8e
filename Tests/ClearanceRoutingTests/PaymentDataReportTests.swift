import CEBModel
import ClearanceTestSupport
import ClearanceRouting
import Foundation
import Testing
import XMLSignature

/// The real-time payment data answer (announcement 2018 No. 179): the exact JSON shape and signed
/// string, and signatures checked by the OpenSSL command line (SM2 with the e-port signer ID over
/// SM3, raw r‖s re-encoded as DER; RSA-SHA1), not by our own verifier.
@Suite struct PaymentDataReportTests {
    static let report = PaymentDataReport(
        sessionID: "00-8cf8c9a7-1d6e-4c1f-9d4c-5b8c2b8f0a11",
        head: PaymentExchangeInfoHead(
            guid: "9D55BA71-55DE-41F4-8B50-C36C83B3B419", initalRequest: "https://pay.example/gateway?amount=99.50&sign=\"x\"",
            initalResponse: "{\"result\":\"SUCCESS\",\"tradeNo\":\"HXPAY2026\"}", ebpCode: "3516961011", payCode: "312226T001",
            payTransactionId: "HXPAY202611250935120001", totalAmount: CEBDecimal("99.50")!, currency: "142", verDept: "3", payType: "1",
            tradingTime: "20261125093512", note: ""),
        lists: [PaymentExchangeOrder(
            orderNo: "PT202611250001", goodsInfo: [.init(gname: "婴儿奶粉", itemLink: "https://shop.example/item/1")],
            recpAccount: "6222020200112233445", recpCode: "91350128MA2Y00000X", recpName: "平潭跨境电商有限公司")],
        serviceTime: "1764034512000")

    @Test func signedStringIsTheFourPartsJoinedByDoubleBars() {
        let head = #"{"guid":"9D55BA71-55DE-41F4-8B50-C36C83B3B419","initalRequest":"https://pay.example/gateway?amount=99.50&sign=\"x\"","initalResponse":"{\"result\":\"SUCCESS\",\"tradeNo\":\"HXPAY2026\"}","ebpCode":"3516961011","payCode":"312226T001","payTransactionId":"HXPAY202611250935120001","totalAmount":99.50,"currency":"142","verDept":"3","payType":"1","tradingTime":"20261125093512","note":""}"#
        let lists = #"[{"orderNo":"PT202611250001","goodsInfo":[{"gname":"婴儿奶粉","itemLink":"https://shop.example/item/1"}],"recpAccount":"6222020200112233445","recpCode":"91350128MA2Y00000X","recpName":"平潭跨境电商有限公司"}]"#
        #expect(Self.report.headJSON == head)
        #expect(Self.report.listsJSON == lists)
        #expect(Self.report.signedString
            == #""sessionID":"00-8cf8c9a7-1d6e-4c1f-9d4c-5b8c2b8f0a11"||"payExchangeInfoHead":""# + head
            + #""||"payExchangeInfoLists":""# + lists + #""||"serviceTime":"1764034512000""#)
    }

    @Test func payExInfoStrHasTheDocumentedShape() throws {
        let text = Self.report.payExInfoStr(certNo: "03000000000cde6f", signValue: "c2ln")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        #expect(Set(object.keys) == ["sessionID", "payExchangeInfoHead", "payExchangeInfoLists", "serviceTime", "certNo", "signValue"])
        let keyOrder = ["\"sessionID\"", "\"payExchangeInfoHead\"", "\"payExchangeInfoLists\"", "\"serviceTime\"", "\"certNo\"", "\"signValue\""]
            .map { text.range(of: $0)!.lowerBound }
        #expect(keyOrder == keyOrder.sorted())
        let head = try #require(object["payExchangeInfoHead"] as? [String: Any])
        #expect(Set(head.keys) == ["guid", "initalRequest", "initalResponse", "ebpCode", "payCode", "payTransactionId", "totalAmount",
                                   "currency", "verDept", "payType", "tradingTime", "note"])
        let lists = try #require(object["payExchangeInfoLists"] as? [[String: Any]])
        #expect(Set(lists[0].keys) == ["orderNo", "goodsInfo", "recpAccount", "recpCode", "recpName"])
        let goods = try #require(lists[0]["goodsInfo"] as? [[String: Any]])
        #expect(goods[0]["gname"] as? String == "婴儿奶粉")
        // The head and lists inside payExInfoStr are, as text, exactly what was signed.
        #expect(text.contains("\"payExchangeInfoHead\":" + Self.report.headJSON + ","))
        #expect(text.contains("\"payExchangeInfoLists\":" + Self.report.listsJSON + ","))
    }

    static func signer(_ kind: KeyKind) throws -> PaymentDataSigner {
        let caKey = try PrivateKey.generate(kind: kind)
        let ca = try CertificateAuthority.selfSigned(commonName: "E-Port Test CA", key: caKey)
        let key = try PrivateKey.generate(kind: kind)
        let certificate = try ca.issue(commonName: "platform", publicKey: key.publicKey, serialNumber: [0x03, 0, 0, 0, 0, 0x0c, 0xde, 0x6f])
        return PaymentDataSigner(key: key, certificate: certificate)
    }

    @Test func sm2SignatureVerifiesWithOpenSSLUnderTheEportSignerID() async throws {
        let signer = try Self.signer(.sm2)
        let text = try signer.payExInfoStr(Self.report)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        #expect(object["certNo"] as? String == "03000000000cde6f")
        let raw = try Base64.decode(try #require(object["signValue"] as? String))
        #expect(raw.count == 64, "raw r‖s, not DER")
        let dir = try OpenSSLFiles(signed: Self.report.signedString, signature: ECDSASignatureDER.fromRaw(raw), publicKey: signer.key.publicKey.pemRepresentation,
                                   certificate: signer.certificate.pemRepresentation)
        let ok = try await openssl(["pkeyutl", "-verify", "-pubin", "-inkey", dir.publicKey, "-rawin", "-digest", "sm3",
                                    "-pkeyopt", "distid:1234567812345678", "-in", dir.data, "-sigfile", dir.signature])
        #expect(ok.status == 0, "\(ok.output)")
        #expect(ok.output.contains("Signature Verified Successfully"))
        // Without the e-port ID (OpenSSL's default, empty) it must fail: the ID is really in the signature.
        let noID = try await openssl(["pkeyutl", "-verify", "-pubin", "-inkey", dir.publicKey, "-rawin", "-digest", "sm3",
                                      "-in", dir.data, "-sigfile", dir.signature])
        #expect(noID.status != 0)
        // certNo is the certificate's serial as openssl prints it, lower-cased.
        let serial = try await openssl(["x509", "-in", dir.certificate, "-noout", "-serial"])
        #expect(serial.output.trimmingCharacters(in: .whitespacesAndNewlines).lowercased() == "serial=03000000000cde6f")
    }

    @Test func rsaSHA1SignatureVerifiesWithOpenSSL() async throws {
        let signer = try Self.signer(.rsa(bits: 2048))
        let text = try signer.payExInfoStr(Self.report)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        let raw = try Base64.decode(try #require(object["signValue"] as? String))
        let dir = try OpenSSLFiles(signed: Self.report.signedString, signature: raw, publicKey: signer.key.publicKey.pemRepresentation,
                                   certificate: signer.certificate.pemRepresentation)
        let ok = try await openssl(["dgst", "-sha1", "-verify", dir.publicKey, "-signature", dir.signature, dir.data])
        #expect(ok.status == 0, "\(ok.output)")
        #expect(ok.output.contains("Verified OK"))
        var tampered = Self.report
        tampered.serviceTime = "1764034512001"
        try Data(tampered.signedString.utf8).write(to: URL(fileURLWithPath: dir.data))
        let bad = try await openssl(["dgst", "-sha1", "-verify", dir.publicKey, "-signature", dir.signature, dir.data])
        #expect(bad.status != 0)
    }
}

/// Runs the OpenSSL command line.
func openssl(_ arguments: [String]) async throws -> CommandRunner.Ran {
    try await OpenSSLCLI.run(arguments)
}
