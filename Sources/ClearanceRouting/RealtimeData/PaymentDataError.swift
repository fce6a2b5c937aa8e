import ClearanceStore

/// Why a real-time payment data answer cannot be built or sent. Each case has a stable code
/// (`RTD001`…, listed in `schemas/README.md`) that ops see on the request and the order's timeline.
public enum PaymentDataError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The platform has not deposited the original request to / response from the payment provider.
    case originalsMissing(payTransactionId: String)
    /// No stored order (CEB311) with this orderNo.
    case orderMissing(orderNo: String)
    /// No stored payment (CEB411) for this order.
    case paymentMissing(orderNo: String)
    /// The service has no signing key and certificate (`--key/--cert`).
    case noSigningKey
    /// The key is neither SM2 nor RSA (the e-port profiles).
    case unsupportedKey(String)
    /// libcrypto refused to sign.
    case signingFailed(String)
    /// A field customs requires is empty (payee, goods link…).
    case fieldMissing(String)
    /// The stored order or payment message cannot be read back.
    case unreadable(String)

    /// The stable code.
    public var code: String {
        switch self {
        case .originalsMissing: "RTD001"
        case .orderMissing: "RTD002"
        case .paymentMissing: "RTD003"
        case .noSigningKey: "RTD004"
        case .unsupportedKey: "RTD005"
        case .signingFailed: "RTD006"
        case .fieldMissing: "RTD007"
        case .unreadable: "RTD008"
        }
    }

    public var description: String {
        switch self {
        case .originalsMissing(let id):
            "\(code) the original request to and response from the payment provider are not deposited for payment \(id) (PUT /v1/payments/{payTransactionId}/original or clearance payment original)"
        case .orderMissing(let orderNo): "\(code) no order (CEB311) \(orderNo) is stored"
        case .paymentMissing(let orderNo): "\(code) no payment (CEB411) is stored for order \(orderNo)"
        case .noSigningKey: "\(code) the service has no signing key and certificate (--key/--cert) to sign payment data with"
        case .unsupportedKey(let kind): "\(code) payment data is signed with an SM2 or RSA key (e-port profile), not \(kind)"
        case .signingFailed(let why): "\(code) signing the payment data failed: \(why)"
        case .fieldMissing(let field): "\(code) \(field) is required by customs and not deposited"
        case .unreadable(let why): "\(code) cannot read the stored order or payment: \(why)"
        }
    }
}
