import ClearanceRouting
import ClearanceStore
import Foundation
import Hummingbird

/// Real-time payment data for customs (announcement 2018 No. 179).
///
/// `POST /v1/realtime/payment-requests` is customs asking for an order's original payment data
/// (JSON `orderNo`, `sessionID`, `serviceTime`): only a customs authority account may call it (403
/// for anyone else). It is acknowledged at once (202, `code` `10000`) and answered later, through the
/// outbox, by posting `payExInfoStr` to the routing table's `realtimeData` destination; when
/// something the answer needs is missing, nothing is sent and the request says why (`RTD…`).
/// `GET /v1/realtime/payment-requests?orderNo=&state=` lists requests (ops and customs).
///
/// `PUT /v1/payments/{payTransactionId}/original` is the platform depositing the raw request to and
/// response from the payment provider (and the payee and goods links customs asks for): only the
/// payment's own parties (its sender, payment company or platform) or ops; anyone else gets 404, as
/// for declarations they cannot see. A deposit answers the order's waiting requests, once.
/// `GET` on the same path shows the deposit. Every view masks the originals.
struct PaymentDataController {
    let environment: ServiceEnvironment

    /// The largest deposit or request body taken.
    static let maxBodyBytes = 1 << 20

    func register(on router: Router<EnterpriseContext>) {
        router.post("/v1/realtime/payment-requests") { request, context in try await ask(request, context) }
        router.get("/v1/realtime/payment-requests") { request, context in try await list(request, context) }
        router.put("/v1/payments/:payTransactionId/original") { request, context in try await deposit(request, context) }
        router.get("/v1/payments/:payTransactionId/original") { _, context in try await show(context) }
    }

    private func ask(_ request: Request, _ context: EnterpriseContext) async throws -> Response {
        let caller = try context.requireEnterprise()
        guard caller.role == .authority, caller.authority == .customs else {
            throw HTTPError(.forbidden, message: "payment data requests are accepted only from a customs authority's account")
        }
        let body: PaymentDataRequestBody = try await decode(request)
        for (name, value, limit) in [("orderNo", body.orderNo, 60), ("sessionID", body.sessionID, 128), ("serviceTime", body.serviceTime, 32)] {
            try Self.requireField(name, value, limit: limit)
        }
        let recorded = try await environment.paymentData.request(
            sessionID: body.sessionID, orderNo: body.orderNo, serviceTime: body.serviceTime, requestedBy: caller.code)
        let ack = PaymentDataAckDTO(
            code: "10000", message: "received; the payment data follows through the outbox", serviceTime: body.serviceTime,
            request: PaymentDataRequestDTO(recorded))
        return try EditedResponse(status: .accepted, response: ack).response(from: request, context: context)
    }

    private func list(_ request: Request, _ context: EnterpriseContext) async throws -> [PaymentDataRequestDTO] {
        let caller = try context.requireEnterprise()
        guard caller.role == .ops || (caller.role == .authority && caller.authority == .customs) else {
            throw HTTPError(.notFound, message: "not found")
        }
        let query = request.uri.queryParameters
        var state: PaymentDataRequest.State?
        if let text = query.get("state") {
            guard let parsed = PaymentDataRequest.State(rawValue: text) else {
                throw HTTPError(.badRequest, message: "state must be one of \(PaymentDataRequest.State.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            state = parsed
        }
        let limit = min(max(Int(query.get("limit") ?? "") ?? 100, 1), 1000)
        return try await environment.paymentData.store.paymentDataRequests(orderNo: query.get("orderNo"), state: state, limit: limit)
            .map(PaymentDataRequestDTO.init)
    }

    private func deposit(_ request: Request, _ context: EnterpriseContext) async throws -> PaymentOriginalDTO {
        let caller = try context.requireEnterprise()
        let payment = try await ownPayment(context, caller)
        let body: PaymentOriginalBody = try await decode(request)
        try Self.requireField("initalRequest", body.initalRequest, limit: 256 << 10)
        try Self.requireField("initalResponse", body.initalResponse, limit: 256 << 10)
        if let verDept = body.verDept, !["1", "2", "3"].contains(verDept) { throw HTTPError(.badRequest, message: "verDept must be 1, 2 or 3") }
        if let payType = body.payType, !["1", "2", "3", "4"].contains(payType) { throw HTTPError(.badRequest, message: "payType must be 1, 2, 3 or 4") }
        var links: [Int: String] = [:]
        for (key, url) in body.itemLinks ?? [:] {
            guard let gnum = Int(key), gnum >= 1 else { throw HTTPError(.badRequest, message: "itemLinks keys are order line numbers (gnum ≥ 1), not \(key)") }
            try Self.requireField("itemLinks[\(key)]", url, limit: 2048)
            links[gnum] = url
        }
        let original = PaymentOriginal(
            payTransactionId: try context.parameters.require("payTransactionId"), orderNo: payment.orderNo ?? "", enterpriseCode: caller.code,
            initalRequest: body.initalRequest, initalResponse: body.initalResponse, verDept: body.verDept, payType: body.payType,
            recpAccount: body.recpAccount, recpCode: body.recpCode, recpName: body.recpName, itemLinks: links)
        let queued = try await environment.paymentData.deposit(original)
        try await environment.store.appendAudit(AuditEntry(
            actor: caller.code, action: "payment.original", target: original.payTransactionId, detail: original.orderNo))
        let stored = try await environment.paymentData.store.paymentOriginal(payTransactionId: original.payTransactionId) ?? original
        return PaymentOriginalDTO(stored, queued: queued)
    }

    private func show(_ context: EnterpriseContext) async throws -> PaymentOriginalDTO {
        let caller = try context.requireEnterprise()
        _ = try await ownPayment(context, caller)
        let id = try context.parameters.require("payTransactionId")
        guard let stored = try await environment.paymentData.store.paymentOriginal(payTransactionId: id) else {
            throw HTTPError(.notFound, message: "nothing is deposited for payment \(id)")
        }
        return PaymentOriginalDTO(stored)
    }

    /// The stored payment named in the path, when `caller` is ops or one of its parties; 404 otherwise.
    private func ownPayment(_ context: EnterpriseContext, _ caller: EnterpriseRecord) async throws -> StoredDeclarationRef {
        let id = try context.parameters.require("payTransactionId")
        guard let payment = try await environment.paymentData.store.payment(payTransactionId: id),
              caller.role == .ops || [payment.senderCode, payment.payCode, payment.ebpCode].contains(caller.code) else {
            throw HTTPError(.notFound, message: "no payment \(id) is stored that you may see")
        }
        return payment
    }

    private func decode<T: Decodable>(_ request: Request) async throws -> T {
        let buffer = try await BodyReader.collect(request, limit: Self.maxBodyBytes, seconds: environment.configuration.requestTimeoutSeconds)
        do {
            return try JSONDecoder().decode(T.self, from: Data(buffer.readableBytesView))
        } catch {
            throw HTTPError(.badRequest, message: "the body must be JSON as openapi.yaml describes: \(Self.reason(error))")
        }
    }

    /// A decoding error in a line (which field, why).
    private static func reason(_ error: any Error) -> String {
        switch error as? DecodingError {
        case .keyNotFound(let key, _): "\(key.stringValue) is missing"
        case .typeMismatch(_, let c), .valueNotFound(_, let c), .dataCorrupted(let c):
            (c.codingPath.map(\.stringValue).joined(separator: ".").isEmpty ? "" : c.codingPath.map(\.stringValue).joined(separator: ".") + ": ") + c.debugDescription
        default: "\(error)"
        }
    }

    /// 400 unless `value` is 1…`limit` characters without control characters (line breaks are taken in the originals).
    private static func requireField(_ name: String, _ value: String, limit: Int) throws {
        guard !value.isEmpty, value.count <= limit else {
            throw HTTPError(.badRequest, message: "\(name) must be 1 to \(limit) characters")
        }
        let allowed: (Unicode.Scalar) -> Bool = { !($0.properties.generalCategory == .control) || $0 == "\n" || $0 == "\r" || $0 == "\t" }
        guard value.unicodeScalars.allSatisfy(allowed), !(limit < 1000 && value.contains(where: \.isNewline)) else {
            throw HTTPError(.badRequest, message: "\(name) holds control characters")
        }
    }
}
