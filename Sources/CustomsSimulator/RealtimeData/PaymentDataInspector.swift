import Foundation
import XMLSignature

/// The simulated customs' side of real-time payment data: remembers the requests it made and checks
/// each upload as customs would: the documented JSON, a request it made, a registered certificate,
/// and the signature over the `||`-joined signed string rebuilt from the text received.
public final class PaymentDataInspector: @unchecked Sendable {
    /// One request customs made.
    public struct Asked: Sendable, Hashable {
        public var sessionID: String
        public var orderNo: String
        public var serviceTime: String
    }

    /// One upload received, with the verdict given.
    public struct Upload: Sendable, Hashable {
        /// `payExInfoStr` as received.
        public var payExInfoStr: String
        /// The session it answered (nil when unreadable).
        public var sessionID: String?
        public var verdict: PaymentDataVerdict
        /// Why, for a refusal.
        public var detail: String
    }

    private let lock = NSLock()
    private var certificates: [Certificate]
    private var asked: [String: Asked] = [:]
    private var received: [Upload] = []

    /// Creates an inspector that takes signatures under `certificates` only.
    public init(registeredCertificates certificates: [Certificate]) {
        self.certificates = certificates
    }

    /// Registers one more certificate for real-time data (a platform that registers late).
    public func register(_ certificate: Certificate) {
        lock.withLock { certificates.append(certificate) }
    }

    /// Records a new request for `orderNo` and returns it (a fresh sessionID, serviceTime now in ms).
    public func ask(orderNo: String, now: Date = Date()) -> Asked {
        let request = Asked(sessionID: "SIM-" + UUID().uuidString.lowercased(), orderNo: orderNo,
                            serviceTime: String(Int64((now.timeIntervalSince1970 * 1000).rounded())))
        lock.withLock { asked[request.sessionID] = request }
        return request
    }

    /// The requests made, in no order.
    public var requests: [Asked] { lock.withLock { Array(asked.values) } }

    /// The uploads received, in arrival order.
    public var uploads: [Upload] { lock.withLock { received } }

    /// Checks one upload and records it.
    @discardableResult
    public func inspect(_ payExInfoStr: String) -> Upload {
        let (verdict, detail, session) = check(payExInfoStr)
        let upload = Upload(payExInfoStr: payExInfoStr, sessionID: session, verdict: verdict, detail: detail)
        lock.withLock { received.append(upload) }
        return upload
    }

    static let headKeys = ["guid", "initalRequest", "initalResponse", "ebpCode", "payCode", "payTransactionId", "totalAmount",
                           "currency", "verDept", "payType", "tradingTime", "note"]
    static let listKeys = ["orderNo", "goodsInfo", "recpAccount", "recpCode", "recpName"]

    private func check(_ text: String) -> (PaymentDataVerdict, String, String?) {
        guard let object = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] else {
            return (.malformed, "payExInfoStr is not a JSON object", nil)
        }
        guard let sessionID = object["sessionID"] as? String, let serviceTime = object["serviceTime"] as? String,
              let certNo = object["certNo"] as? String, let signValue = object["signValue"] as? String,
              let head = object["payExchangeInfoHead"] as? [String: Any],
              let lists = object["payExchangeInfoLists"] as? [[String: Any]], !lists.isEmpty else {
            return (.malformed, "sessionID, payExchangeInfoHead, payExchangeInfoLists, serviceTime, certNo and signValue are required", nil)
        }
        if let missing = Self.headKeys.first(where: { head[$0] == nil }) {
            return (.malformed, "payExchangeInfoHead has no \(missing)", sessionID)
        }
        for list in lists {
            if let missing = Self.listKeys.first(where: { list[$0] == nil }) {
                return (.malformed, "payExchangeInfoLists has no \(missing)", sessionID)
            }
            guard let goods = list["goodsInfo"] as? [[String: Any]], !goods.isEmpty,
                  goods.allSatisfy({ $0["gname"] is String && $0["itemLink"] is String }) else {
                return (.malformed, "goodsInfo must list gname and itemLink per item", sessionID)
            }
        }
        guard let request = lock.withLock({ asked[sessionID] }), request.serviceTime == serviceTime,
              lists.contains(where: { $0["orderNo"] as? String == request.orderNo }) else {
            return (.unknownSession, "no request \(sessionID) at \(serviceTime) for the orders named", sessionID)
        }
        guard let certificate = lock.withLock({ certificates }).first(where: { $0.serialNumberHex.lowercased() == certNo.lowercased() }) else {
            return (.certificateNotRegistered, "certNo \(certNo) is not registered for real-time data", sessionID)
        }
        guard let headText = JSONValueText.value(of: "payExchangeInfoHead", in: text),
              let listsText = JSONValueText.value(of: "payExchangeInfoLists", in: text) else {
            return (.malformed, "cannot read payExchangeInfoHead and payExchangeInfoLists back from the text", sessionID)
        }
        let signed = "\"sessionID\":\"\(sessionID)\"||\"payExchangeInfoHead\":\"\(headText)\"||\"payExchangeInfoLists\":\"\(listsText)\"||\"serviceTime\":\"\(serviceTime)\""
        let algorithm: SignatureAlgorithm
        switch certificate.publicKeyKind {
        case .sm2: algorithm = .sm2SM3
        case .rsa: algorithm = .rsaSHA1
        default: return (.badSignature, "the registered certificate's key is neither SM2 nor RSA", sessionID)
        }
        do {
            let signature = try Base64.decode(signValue)
            try certificate.publicKey.verify(signature: signature, over: Array(signed.utf8), algorithm: algorithm, sm2SignerID: .gmtDefault)
        } catch {
            return (.badSignature, "signValue does not verify under certificate \(certNo): \(error)", sessionID)
        }
        return (.accepted, "", sessionID)
    }
}
