import ClearanceStore
import ClearanceTestSupport
import Foundation
import Testing

/// `clearance payment original` and `payment requests` with the built executable, on both stores: a
/// request of customs waits for the originals (`RTD001`), the deposit from files queues it once (the
/// output masked), `payment requests` and `trace` show it.
@Suite(.serialized) struct CLIPaymentDataTests {
    static let payTransactionId = "HXPAY2026112509351200001"
    static let orderNo = "PT202611250001"

    @Test(arguments: TestEngine.allCases)
    func depositFromFilesQueuesTheWaitingRequestOnce(_ engine: TestEngine) async throws {
        let store = try freshURL(engine)
        let dir = scratchDirectory("cli-payment")
        let ingested = try await CLI.run(["ingest", "--store", store, "--quiet", "--route",
                                          "samples/valid/CEB411-payment.xml", "samples/valid/CEB311-order.xml"])
        #expect(ingested.status == 0, "\(ingested.output)")
        // customs' request, as the service records it when the originals are missing.
        let opened = try await openStore(url: store)
        let dataStore = try #require(opened as? any PaymentDataStore)
        let (request, _) = try await dataStore.recordPaymentDataRequest(
            sessionID: "S-cli-\(engine)", orderNo: Self.orderNo, serviceTime: "1764034512000", requestedBy: "CUSTOMS", now: Date())
        try await dataStore.updatePaymentDataRequest(
            id: request.id, state: .notSent, reason: "RTD001 not deposited", customsCode: nil, customsMessage: nil,
            event: .paymentDataNotSent, eventCode: "RTD001", now: Date())
        await opened.close()
        let waiting = try await CLI.run(["payment", "requests", "--store", store, "--state", "not-sent"])
        #expect(waiting.output.contains("S-cli-\(engine)") && waiting.output.contains("RTD001"), "\(waiting.output)")

        let requestFile = dir + "/request.txt", responseFile = dir + "/response.json"
        try "POST https://gateway.example/pay cardNo=6222020200112233445&idNo=350128199003070024".write(toFile: requestFile, atomically: true, encoding: .utf8)
        try #"{"result":"SUCCESS"}"#.write(toFile: responseFile, atomically: true, encoding: .utf8)
        let args = ["payment", "original", "--store", store, Self.payTransactionId, "--request", requestFile, "--response", responseFile,
                    "--recp-account", "35050187000700001234", "--recp-name", "平潭海峡跨境电子商务平台有限公司",
                    "--item-link", "1=https://shop.example/item/1", "--item-link", "2=https://shop.example/item/2", "--actor", "desk"]
        let deposited = try await CLI.run(args)
        #expect(deposited.status == 0, "\(deposited.output)")
        #expect(deposited.output.contains("request \(request.id)") && deposited.output.contains("queued"), "\(deposited.output)")
        #expect(!deposited.output.contains("6222020200112233445") && !deposited.output.contains("350128199003070024"), "masked: \(deposited.output)")
        let again = try await CLI.run(args)
        #expect(again.output.contains("(no request of customs was waiting for it)"), "once: \(again.output)")

        let trace = try await CLI.run(["trace", "--store", store, "orderNo=\(Self.orderNo)"]).output
        #expect(trace.contains("payment-data-requested") && trace.contains("payment-data-not-sent") && trace.contains("payment-data-queued"), "\(trace)")
        let listed = try await CLI.run(["payment", "requests", "--store", store, "--order", Self.orderNo]).output
        #expect(listed.contains("queued"), "\(listed)")

        let unknown = try await CLI.run(["payment", "original", "--store", store, "NO-SUCH-PAYMENT", "--request", requestFile, "--response", responseFile])
        #expect(unknown.status == 1 && unknown.output.contains("no payment NO-SUCH-PAYMENT"), "\(unknown.output)")
        let badLink = try await CLI.run(["payment", "original", "--store", store, Self.payTransactionId, "--request", requestFile,
                                         "--response", responseFile, "--item-link", "x"])
        #expect(badLink.status == 2, "\(badLink.output)")
    }
}
