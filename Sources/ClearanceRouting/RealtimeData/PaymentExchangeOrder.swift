/// One entry of `payExchangeInfoLists`: an order the payment paid for, its goods and the payee.
public struct PaymentExchangeOrder: Sendable, Hashable {
    /// One of the order's goods: its name and the page it was sold on.
    public struct Goods: Sendable, Hashable {
        /// The goods name (CEB311 line `itemName`).
        public var gname: String
        /// The product page's URL on the platform.
        public var itemLink: String

        /// Creates goods.
        public init(gname: String, itemLink: String) {
            self.gname = gname
            self.itemLink = itemLink
        }
    }

    /// CEB311 `orderNo`.
    public var orderNo: String
    /// The order's goods.
    public var goodsInfo: [Goods]
    /// The payee's account.
    public var recpAccount: String
    /// The payee's code (social credit code); empty when none.
    public var recpCode: String
    /// The payee's name.
    public var recpName: String

    /// Creates an entry.
    public init(orderNo: String, goodsInfo: [Goods], recpAccount: String, recpCode: String, recpName: String) {
        self.orderNo = orderNo
        self.goodsInfo = goodsInfo
        self.recpAccount = recpAccount
        self.recpCode = recpCode
        self.recpName = recpName
    }

    /// The JSON object, keys in the documented order.
    public var json: OrderedJSON.Value {
        .object([
            ("orderNo", .string(orderNo)),
            ("goodsInfo", .array(goodsInfo.map { .object([("gname", .string($0.gname)), ("itemLink", .string($0.itemLink))]) })),
            ("recpAccount", .string(recpAccount)), ("recpCode", .string(recpCode)), ("recpName", .string(recpName)),
        ])
    }
}
