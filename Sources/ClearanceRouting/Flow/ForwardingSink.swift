import CEBModel
import ClearanceIngest
import ClearanceRules

/// Adds documents up into routing facts, counts invalid ones, and hands over retail-import
/// inventories a megabyte at a time. Shared by ``BatchForwarder`` and ``HoldReview``, which both read
/// a stored message back as a stream.
final class ForwardingSink: CEBDocumentSink {
    var facts: RoutingFacts
    var errors = 0
    var invalidDocuments = 0
    /// Every document read, valid or not (a message over customs' per-message limit is split by it).
    var documents = 0
    /// 0-based indices of the valid documents that are not retail-import inventories (those are
    /// handed over with their index, to be checked): they may go as they are.
    var passing: [Int] = []
    private var inventories: [(index: Int, inventory: Inventory)] = []
    /// With declaration guids to look for, only the valid documents among them count for the facts,
    /// and ``marked`` gets their 0-based indices (a batch partly held, released by ops).
    private let marking: Set<String>?
    /// See ``init(messageType:senderCode:marking:)``.
    var marked: [Int] = []

    init(messageType: String, senderCode: String, marking: Set<String>? = nil) {
        facts = RoutingFacts(messageType: messageType, documents: [], senderCode: senderCode)
        self.marking = marking
    }

    func takeInventories() -> [(index: Int, inventory: Inventory)] {
        defer { inventories.removeAll(keepingCapacity: true) }
        return inventories
    }

    func messageStarted(_ header: MessageHeader) {}

    func document(_ decode: () -> CEBDocument, context: DocumentContext) {
        let index = documents
        documents += 1
        let count = context.issues.filter { $0.severity == .error }.count
        if count > 0 {
            errors += count
            invalidDocuments += 1
            return
        }
        let document = decode()
        if let marking {
            guard case .declaration(let declaration) = DeclarationMapper.map(document, messageGuid: ""),
                  marking.contains(declaration.declarationGuid) else { return }
            marked.append(index)
        }
        facts.absorb(document)
        if case .inventory(let inventory) = document, InventoryClearanceCheck.applies(to: inventory.head) {
            inventories.append((index, inventory))
        } else {
            passing.append(index)
        }
    }

    func messageFinished(_ envelope: MessageEnvelope) {
        errors += envelope.issues.filter { $0.severity == .error }.count
    }
}
