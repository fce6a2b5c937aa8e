import CEBModel
import ClearanceRules

/// The facts about one message that routing rules match on.
public struct RoutingFacts: Sendable, Hashable {
    /// Message type number, e.g. `"CEB621"`.
    public var messageType: String
    /// `I` (import) or `E` (export), when the message says.
    public var ieFlag: String?
    /// Customs code of the declaring customs (4 digits; the first 2 are the district).
    public var customsCode: String?
    /// Port (customs post) code.
    public var portCode: String?
    /// Trade mode, e.g. `"1210"`.
    public var tradeMode: String?
    /// Countries of origin of the goods (lines' `country`, head `country` for imports).
    public var originCountries: Set<String>
    /// Destination country (export `country`).
    public var destinationCountry: String?
    /// Enterprise codes on the message: platform, e-commerce, logistics, payment, agent, sender.
    public var enterprises: Set<String>
    /// Whether the message carries an inspection declaration (`InspOrder`).
    public var hasInspection: Bool
    /// The parties the credit list is checked for (platform, e-commerce enterprise, logistics,
    /// payment, agent), by role.
    public var parties: Set<Party> = []
    /// The credit grades of those parties in force now, filled in by ``CreditScreen`` before
    /// the table routes (unknown parties add none).
    public var partyGrades: Set<CreditGrade> = []
    /// Business keys for reports and shipment ordering.
    public var orderNo: String?
    public var logisticsNo: String?
    public var copNo: String?

    /// Creates facts directly (tests, dry runs of hand-written cases).
    public init(
        messageType: String, ieFlag: String? = nil, customsCode: String? = nil, portCode: String? = nil,
        tradeMode: String? = nil, originCountries: Set<String> = [], destinationCountry: String? = nil,
        enterprises: Set<String> = [], hasInspection: Bool = false, orderNo: String? = nil,
        logisticsNo: String? = nil, copNo: String? = nil
    ) {
        self.messageType = messageType
        self.ieFlag = ieFlag
        self.customsCode = customsCode
        self.portCode = portCode
        self.tradeMode = tradeMode
        self.originCountries = originCountries
        self.destinationCountry = destinationCountry
        self.enterprises = enterprises
        self.hasInspection = hasInspection
        self.orderNo = orderNo
        self.logisticsNo = logisticsNo
        self.copNo = copNo
    }

    /// The facts of a message: its type, its documents and its sender (`BaseTransfer/copCode`).
    public init(messageType: String, documents: [CEBDocument], senderCode: String?) {
        self.init(messageType: messageType)
        if let senderCode, !senderCode.isEmpty { enterprises.insert(senderCode) }
        for document in documents { absorb(document) }
    }

    private mutating func add(_ codes: String?...) {
        for code in codes { if let code, !code.isEmpty { enterprises.insert(code) } }
    }

    private mutating func party(_ role: PartyRole, _ code: String?) {
        if let code, !code.isEmpty { parties.insert(Party(role: role, code: code)) }
    }

    /// Adds one document's facts (for messages read as a stream, one document at a time).
    public mutating func absorb(_ document: CEBDocument) {
        switch document {
        case .order(let o):
            ieFlag = "I"
            orderNo = o.head.orderNo
            add(o.head.ebpCode, o.head.ebcCode, o.head.payCode)
            party(.platform, o.head.ebpCode); party(.ecommerce, o.head.ebcCode); party(.payment, o.head.payCode)
            for line in o.lines where !line.country.isEmpty { originCountries.insert(line.country) }
        case .payment(let p):
            ieFlag = "I"
            orderNo = p.head.orderNo
            add(p.head.ebpCode, p.head.payCode)
            party(.platform, p.head.ebpCode); party(.payment, p.head.payCode)
        case .logistics(let l):
            ieFlag = "I"
            logisticsNo = l.head.logisticsNo
            if !l.head.orderNo.isEmpty { orderNo = l.head.orderNo }
            add(l.head.logisticsCode)
            party(.logistics, l.head.logisticsCode)
        case .inventory(let i):
            let h = i.head
            ieFlag = h.ieFlag
            customsCode = h.customsCode
            portCode = h.portCode
            tradeMode = h.tradeMode
            orderNo = h.orderNo
            logisticsNo = h.logisticsNo
            copNo = h.copNo
            if !h.country.isEmpty { originCountries.insert(h.country) }
            for line in i.lines where !line.country.isEmpty { originCountries.insert(line.country) }
            add(h.ebpCode, h.ebcCode, h.logisticsCode, h.agentCode, h.areaCode)
            party(.platform, h.ebpCode); party(.ecommerce, h.ebcCode); party(.logistics, h.logisticsCode); party(.agent, h.agentCode)
        case .exportInventory(let i):
            let h = i.head
            ieFlag = "E"
            customsCode = h.customsCode
            portCode = h.portCode
            tradeMode = h.tradeMode
            orderNo = h.orderNo
            logisticsNo = h.logisticsNo
            copNo = h.copNo
            destinationCountry = h.country
            add(h.ebpCode, h.ebcCode, h.logisticsCode, h.agentCode, h.ownerCode)
            party(.platform, h.ebpCode); party(.ecommerce, h.ebcCode); party(.logistics, h.logisticsCode); party(.agent, h.agentCode)
        case .exportOrder(let o):
            ieFlag = "E"
            orderNo = o.head.orderNo
            add(o.head.ebpCode, o.head.ebcCode)
            party(.platform, o.head.ebpCode); party(.ecommerce, o.head.ebcCode)
        case .exportLogistics(let l):
            ieFlag = "E"
            logisticsNo = l.logisticsNo
            add(l.logisticsCode)
            party(.logistics, l.logisticsCode)
        case .paymentReceipt(let p):
            ieFlag = "E"
            orderNo = p.orderNo
            add(p.ebpCode, p.ebcCode, p.payCode)
            party(.platform, p.ebpCode); party(.ecommerce, p.ebcCode); party(.payment, p.payCode)
        case .inspectionOrder:
            hasInspection = true
        default:
            break
        }
    }
}
