/// The parties of a declaration that the credit list is checked for. The sender is not one of
/// them: it is whoever transmits (often an agent's system), already judged by the signature gate.
public enum PartyRole: String, Sendable, Hashable, CaseIterable, Comparable {
    /// 电商平台 (`ebpCode`).
    case platform
    /// 电商企业 (`ebcCode`).
    case ecommerce = "e-commerce enterprise"
    /// 物流企业 (`logisticsCode`).
    case logistics
    /// 支付企业 (`payCode`).
    case payment
    /// 申报企业 (`agentCode`).
    case agent

    public static func < (a: PartyRole, b: PartyRole) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }
}

/// One party of a message: its role and enterprise code.
public struct Party: Sendable, Hashable, Comparable {
    public var role: PartyRole
    public var code: String

    public init(role: PartyRole, code: String) {
        self.role = role
        self.code = code
    }

    public static func < (a: Party, b: Party) -> Bool { (a.role, a.code) < (b.role, b.code) }
}
