import ClearanceTestSupport
import CEBModel
import ClearanceRules
import Foundation

/// The Pingtan bonded import of `samples/valid` (order, payment, waybill, inventory that agree),
/// decoded into typed documents for the cross-message tests.
enum CrossMessageFixtures {

    final class Collector: CEBDocumentSink {
        var documents: [CEBDocument] = []
        func messageStarted(_ header: MessageHeader) {}
        func document(_ decode: () -> CEBDocument, context: DocumentContext) { documents.append(decode()) }
        func messageFinished(_ envelope: MessageEnvelope) {}
    }

    static func decode(_ sample: String) -> CEBDocument {
        let bytes = (try? Repository.sample(sample)) ?? []
        let collector = Collector()
        let decoder = CEBDecoder(sink: collector)
        try? decoder.feed(bytes)
        try? decoder.finish()
        guard let first = collector.documents.first else { fatalError("sample \(sample) has no document") }
        return first
    }

    static var order: Order {
        guard case .order(let value) = decode("CEB311-order.xml") else { fatalError("not an order") }
        return value
    }
    static var payment: Payment {
        guard case .payment(let value) = decode("CEB411-payment.xml") else { fatalError("not a payment") }
        return value
    }
    static var waybill: Logistics {
        guard case .logistics(let value) = decode("CEB511-logistics.xml") else { fatalError("not a waybill") }
        return value
    }
    static var inventory: Inventory {
        guard case .inventory(let value) = decode("CEB621-inventory.xml") else { fatalError("not an inventory") }
        return value
    }
}

/// An in-memory history for the rules.
struct FixedHistory: ClearanceHistory {
    var linked: LinkedDocuments
    var cleared: CEBDecimal = .zero
    var phase: DeclarationPhase = .none

    func linkedDocuments(for inventory: InventoryHead) async throws(ClearanceHistoryError) -> LinkedDocuments { linked }
    func linkedExportDocuments(for inventory: ExportInventoryHead) async throws(ClearanceHistoryError) -> LinkedExportDocuments { LinkedExportDocuments() }
    func annualTotal(buyerIdType: String, buyerIdNumber: String, year: Int, excludingDeclarationGuid: String?) async throws(ClearanceHistoryError) -> BuyerAnnualTotal {
        BuyerAnnualTotal(cleared: cleared)
    }
    func declarationPhase(kind: String, businessKey: String, senderCode: String) async throws(ClearanceHistoryError) -> (phase: DeclarationPhase, declarationGuid: String?) { (phase, nil) }
}
