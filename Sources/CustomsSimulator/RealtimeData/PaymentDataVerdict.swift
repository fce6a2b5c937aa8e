/// What the simulated customs answers a real-time payment data upload with: JSON
/// `{"code": …, "message": …, "serviceTime": …}`.
///
/// `10000` (taken) and `20004` (the signing certificate is not registered for real-time data) are
/// the codes the reference names; the others are the simulator's own, for faults the reference
/// gives no code for.
public enum PaymentDataVerdict: String, Sendable, Hashable, CaseIterable {
    /// Taken.
    case accepted = "10000"
    /// `payExInfoStr` is missing, not JSON, or lacks a documented field.
    case malformed = "20001"
    /// No request with this sessionID (and serviceTime) was made for the order(s) it names.
    case unknownSession = "20002"
    /// `signValue` does not verify over the signed string under the registered certificate.
    case badSignature = "20003"
    /// `certNo` is not a certificate registered for real-time data.
    case certificateNotRegistered = "20004"

    /// customs' message for the code.
    public var message: String {
        switch self {
        case .accepted: "上传成功"
        case .malformed: "payExInfoStr 格式错误（模拟）"
        case .unknownSession: "未找到对应的数据调取请求（模拟）"
        case .badSignature: "验签失败（模拟）"
        case .certificateNotRegistered: "证书未备案：该证书未在实时数据中登记"
        }
    }
}
