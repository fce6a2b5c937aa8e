/// Direction of the goods a message concerns.
public enum TradeFlow: String, Sendable, Equatable {
    case `import` = "I"
    case export = "E"
    /// Messages about both or neither (format receipts, tax bills).
    case none = ""
}

/// What a message is for.
public enum MessageRole: String, Sendable, Equatable {
    /// An enterprise declares something to customs.
    case declaration
    /// Customs (or the e-port) answers.
    case receipt
}

/// One CEB message type: `CEB311` order, `CEB622` inventory receipt…
public struct MessageSpec: Sendable, Equatable {
    /// The message number, e.g. `CEB311`.
    public let number: String
    /// A short English title for reports.
    public let title: String
    /// Root element name, e.g. `CEB311Message`.
    public let root: String
    /// The business document the root repeats.
    public let document: DocumentSpec
    /// Import or export.
    public let flow: TradeFlow
    /// Declaration or receipt.
    public let role: MessageRole
    /// Fields of the head whose values identify the document to people (orderNo, logisticsNo, copNo…), most specific first.
    public let keyFields: [String]
    /// The parts after the documents, in the official order with their cardinality; empty for customs receipts.
    public let envelope: [EnvelopeSlot]
    /// What customs accepts in one message (documents, lines, subscriptions).
    public let customsLimits: CustomsLimits
    /// The editions of the official specification that define the message (`2018+202205`, `202205`);
    /// empty for Clearance-defined messages.
    public let editions: String
    /// Other root names read as this message (an official sample names CEB214's root `CEB214`).
    public let rootAliases: [String]
    /// Elements an official sample carries inside a document although its schema has no place for them
    /// (CEB214 `appSenderId`): read with a warning (`WRN006`) and ignored, not refused.
    public let toleratedElements: [String]

    /// Creates a message spec.
    public init(number: String, title: String, root: String, document: DocumentSpec, flow: TradeFlow, role: MessageRole, keyFields: [String],
                envelope: [EnvelopeSlot] = [], customsLimits: CustomsLimits = .none, editions: String = "", rootAliases: [String] = [],
                toleratedElements: [String] = []) {
        self.number = number
        self.title = title
        self.root = root
        self.document = document
        self.flow = flow
        self.role = role
        self.keyFields = keyFields
        self.envelope = envelope
        self.customsLimits = customsLimits
        self.editions = editions
        self.rootAliases = rootAliases
        self.toleratedElements = toleratedElements
    }

    /// The slot of `part`, or nil when the official schema has no place for it.
    public func slot(_ part: EnvelopePart) -> EnvelopeSlot? { envelope.first { $0.part == part } }

    /// Whether the message must name its sender in `BaseTransfer` (declarations; customs receipts have none:
    /// their sender is the channel they arrive on).
    public var requiresBaseTransfer: Bool { (slot(.baseTransfer)?.minOccurs ?? 0) > 0 }

    /// Whether customs requires a `ds:Signature` (CEB621, CEB623, CEB625, CEB711). Clearance accepts such a
    /// message unsigned and signs it before sending.
    public var requiresSignature: Bool { (slot(.signature)?.minOccurs ?? 0) > 0 }

    /// The parts that must follow a `ds:Signature`: `[.extendMessage]` for export messages, none for
    /// import messages and receipts. A signer puts the signature before the first of them, else last.
    public var partsAfterSignature: [EnvelopePart] {
        guard let index = envelope.firstIndex(where: { $0.part == .signature }) else { return [] }
        return envelope[(index + 1)...].map(\.part)
    }
}
