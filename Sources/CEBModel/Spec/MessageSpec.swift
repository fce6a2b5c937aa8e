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

    /// Creates a message spec.
    public init(number: String, title: String, root: String, document: DocumentSpec, flow: TradeFlow, role: MessageRole, keyFields: [String]) {
        self.number = number
        self.title = title
        self.root = root
        self.document = document
        self.flow = flow
        self.role = role
        self.keyFields = keyFields
    }
}
