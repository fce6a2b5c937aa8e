import CEBModel
import ClearanceRouting
import ClearanceTestSupport
import CustomsSimulator
import Foundation
import Testing
import XMLSignature

/// The simulator as the inspection authority and as the payment/FX regulator: signed `InspReturn`
/// and `PayExReturn` answers, their sequences, the configured hold and rejection rates, and dedupe
/// per counterpart.
@Suite struct AuthorityCounterpartTests {

    /// A throwaway signing key for the simulated authorities, and the trust store that verifies it.
    static let authority: (DocumentSigner, TrustStore) = {
        let caKey = try! PrivateKey.generate(kind: .ecP256)
        let ca = try! CertificateAuthority.selfSigned(commonName: "Simulated authority CA", key: caKey)
        let key = try! PrivateKey.generate(kind: .ecP256)
        let cert = try! ca.issue(commonName: "Simulated inspection and payment/FX", publicKey: key.publicKey)
        return (try! DocumentSigner(key: key, certificate: cert), try! TrustStore(anchors: [ca.certificate]))
    }()

    /// The first `<ceb:guid>` (the first document head's guid).
    static func headGuid(_ text: String) -> String {
        guard let start = text.range(of: "<ceb:guid>"), let end = text.range(of: "</ceb:guid>", range: start.upperBound..<text.endIndex)
        else { return "" }
        return String(text[start.upperBound..<end.lowerBound])
    }

    /// Runs a simulator writing its answers to a temporary spool; returns the decoded answers, oldest first.
    func answers(
        _ config: SimulatorConfig = SimulatorConfig(), submit: (CustomsSimulator) throws -> Void
    ) async throws -> [(message: DecodedMessage, verdict: String)] {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("clearance-sim-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var config = config
        config.stepDelaySeconds = 0
        config.receiptsSpool = dir
        config.signer = Self.authority.0
        let simulator = try CustomsSimulator(config: config)
        try submit(simulator)
        #expect(await simulator.waitUntilIdle(timeout: 180))  // a hang guard: it returns as soon as every receipt is out
        await simulator.shutdown()
        let verifier = SignatureVerifier(policy: SignaturePolicy(trustStore: Self.authority.1))
        var result: [(message: DecodedMessage, verdict: String)] = []
        for file in SpoolInbox(directory: dir).pending() {
            let bytes = Array(FileManager.default.contents(atPath: file) ?? Data())
            let message = try DecodedMessage.decode(bytes)
            let verdict: String
            do {
                _ = try verifier.verify(bytes: bytes)
                verdict = "valid"
            } catch {
                verdict = "invalid: \(error)"
            }
            result.append((message, verdict))
        }
        return result.sorted { Self.returnTime($0.message) < Self.returnTime($1.message) }
    }

    static func returnTime(_ message: DecodedMessage) -> String {
        switch message.documents.first {
        case .inspectionReturn(let r): r.returnTime
        case .paymentExchangeReturn(let r): r.returnTime
        default: ""
        }
    }

    static func inspectionReturns(_ all: [(message: DecodedMessage, verdict: String)]) -> [InspectionReturn] {
        all.flatMap(\.message.documents).compactMap { if case .inspectionReturn(let r) = $0 { r } else { nil } }
    }

    static func paymentReturns(_ all: [(message: DecodedMessage, verdict: String)]) -> [PaymentExchangeReturn] {
        all.flatMap(\.message.documents).compactMap { if case .paymentExchangeReturn(let r) = $0 { r } else { nil } }
    }

    @Test func inspectionHoldThenReleaseAboutTheCarryingInventory() async throws {
        let text = SampleShipment.freshGuids(try Repository.sampleText("unsigned/CEB621-inventory-with-inspection.xml"))
        let all = try await answers(SimulatorConfig(inspectionHoldRate: 1)) { simulator in
            #expect(simulator.submit(Array(text.utf8), to: .inspection) == .accepted(guid: FlowGuid.of(text)))
        }
        #expect(all.allSatisfy { $0.verdict == "valid" }, "answers are signed: \(all.map(\.verdict))")
        #expect(all.allSatisfy { $0.message.messageType == "INSPRET" && $0.message.errors.isEmpty })
        let got = Self.inspectionReturns(all)
        #expect(got.map(\.returnStatus) == ["2", "120", "500", "800"])
        for answer in got {
            #expect(answer.guid == Self.headGuid(text), "echoes the inventory head's guid")
            #expect(answer.copNo == "PTQD202611250001")
            #expect(answer.orderNo == "PT202611250001")
            #expect(answer.inspOrgCode == "351600")
            #expect(answer.inspEcpCode == "3516P00018" && answer.inspCbeCode == "3516E00023")
        }
    }

    @Test func inspectionRejectionAndMissingInspectionData() async throws {
        let withInspection = SampleShipment.freshGuids(try Repository.sampleText("unsigned/CEB621-inventory-with-inspection.xml"))
        let rejected = try await answers(SimulatorConfig(inspectionRejectionRate: 1)) { simulator in
            _ = simulator.submit(Array(withInspection.utf8), to: .inspection)
        }
        #expect(Self.inspectionReturns(rejected).map(\.returnStatus) == ["2", "100"])
        #expect(Self.inspectionReturns(rejected).last?.returnInfo.contains("不合格") == true)

        let without = SampleShipment.freshGuids(try Repository.sampleText("unsigned/CEB621-inventory.xml"))
        let refused = try await answers { simulator in _ = simulator.submit(Array(without.utf8), to: .inspection) }
        let got = Self.inspectionReturns(refused)
        #expect(got.map(\.returnStatus) == ["100"])
        #expect(got.first?.returnInfo.contains("InspOrder") == true)
        #expect(got.first?.guid == Self.headGuid(without))
    }

    @Test func paymentDataIsVerifiedOrRejected() async throws {
        let payment = SampleShipment.freshGuids(try Repository.sampleText("CEB411-payment.xml"))
        let verified = try await answers { simulator in _ = simulator.submit(Array(payment.utf8), to: .payment) }
        #expect(verified.allSatisfy { $0.verdict == "valid" && $0.message.messageType == "PAYEXRET" })
        let got = Self.paymentReturns(verified)
        #expect(got.map(\.returnStatus) == ["2", "120"])
        #expect(got.allSatisfy {
            $0.guid == Self.headGuid(payment) && $0.payTransactionId == "HXPAY2026112509351200001" && $0.orderNo == "PT202611250001"
        })

        let rejected = try await answers(SimulatorConfig(paymentRejectionRate: 1)) { simulator in
            _ = simulator.submit(Array(SampleShipment.freshGuids(try Repository.sampleText("CEB411-payment.xml")).utf8), to: .payment)
            _ = simulator.submit(Array(SampleShipment.freshGuids(try Repository.sampleText("PAYEX-payment-exchange-info.xml")).utf8), to: .payment)
            _ = simulator.submit(Array(SampleShipment.freshGuids(try Repository.sampleText("CEB403-payment-receipt.xml")).utf8), to: .payment)
            // Not payment data: the regulator has nothing to answer.
            _ = simulator.submit(Array(SampleShipment.freshGuids(try Repository.sampleText("CEB311-order.xml")).utf8), to: .payment)
        }
        let statuses = Self.paymentReturns(rejected).map(\.returnStatus)
        #expect(statuses.filter { $0 == "100" }.count == 3)
        #expect(statuses.filter { $0 == "2" }.count == 3)
        #expect(Self.paymentReturns(rejected).contains { $0.payTransactionId == "HXR20261126000088" }, "CEB403 payNo echoed")
    }

    @Test func holdRateIsAppliedPerDeclarationAndDeterministic() async throws {
        let texts = try (0..<40).map { _ in SampleShipment.freshGuids(try Repository.sampleText("unsigned/CEB621-inventory-with-inspection.xml")) }
        func held(seed: UInt64) async throws -> Set<String> {
            let all = try await answers(SimulatorConfig(seed: seed, inspectionHoldRate: 0.5)) { simulator in
                for text in texts { _ = simulator.submit(Array(text.utf8), to: .inspection) }
            }
            let got = Self.inspectionReturns(all)
            #expect(got.filter { $0.returnStatus == "800" }.count == 40, "every one is released in the end")
            return Set(got.filter { $0.returnStatus == "500" }.map(\.guid))
        }
        let first = try await held(seed: 7)
        #expect(first.count > 5 && first.count < 35, "about half held: \(first.count)")
        #expect(try await held(seed: 7) == first, "same seed, same decisions")
    }

    @Test func dedupeIsPerCounterpart() async throws {
        let payment = Array(SampleShipment.freshGuids(try Repository.sampleText("CEB411-payment.xml")).utf8)
        let guid = FlowGuid.of(String(decoding: payment, as: UTF8.self))
        let all = try await answers { simulator in
            #expect(simulator.submit(payment, to: .customs) == .accepted(guid: guid))
            #expect(simulator.submit(payment, to: .payment) == .accepted(guid: guid), "customs and the regulator each answer")
            #expect(simulator.submit(payment, to: .payment) == .duplicate(guid: guid))
            #expect(simulator.receivedCounts[guid] == 1)
            #expect(simulator.receivedCounts(at: .payment)[guid] == 2)
            #expect(simulator.arrivalOrder(at: .inspection).isEmpty)
        }
        #expect(all.map(\.message.messageType).sorted() == ["CEB412", "CEB412", "PAYEXRET", "PAYEXRET"])
    }

    @Test func destinationNamesPickTheCounterpart() {
        #expect(Counterpart(destinationName: "inspection") == .inspection)
        #expect(Counterpart(destinationName: "payment-forex") == .payment)
        #expect(Counterpart(destinationName: "customs-pingtan") == .customs)
    }
}

/// The envelope guid of a message text.
enum FlowGuid {
    static func of(_ text: String) -> String {
        guard let r = text.range(of: "guid=\"") else { return "" }
        return String(text[r.upperBound...].prefix(36))
    }
}
