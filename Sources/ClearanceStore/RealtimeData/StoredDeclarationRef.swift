/// Where a stored declaration is and whose it is: enough to find its message and to decide who may
/// act on it, without reading the message.
public struct StoredDeclarationRef: Sendable, Hashable {
    public var messageGuid: String
    public var declarationGuid: String
    public var kind: DeclarationKind
    public var senderCode: String
    public var orderNo: String?
    public var payTransactionId: String?
    public var ebpCode: String?
    public var payCode: String?

    /// Creates a reference.
    public init(
        messageGuid: String, declarationGuid: String, kind: DeclarationKind, senderCode: String, orderNo: String?,
        payTransactionId: String?, ebpCode: String?, payCode: String?
    ) {
        self.messageGuid = messageGuid
        self.declarationGuid = declarationGuid
        self.kind = kind
        self.senderCode = senderCode
        self.orderNo = orderNo
        self.payTransactionId = payTransactionId
        self.ebpCode = ebpCode
        self.payCode = payCode
    }
}
