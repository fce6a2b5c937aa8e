import ClearanceStore
import Foundation
import XMLSignature

/// Delivers the answer to one customs request (an outbox row with a ``OutboxEntry/paymentRequestId``):
/// builds it from what is stored, signs it with the service key, posts `payExInfoStr` as a form to
/// the destination, and records customs' answer code on the request and the order's timeline.
///
/// customs answers JSON `{"code": …, "message": …}`: `10000` is taken. Any other code (e.g. `20004`,
/// the certificate is not registered for real-time data) is a permanent failure: the row is
/// dead-lettered with the code, visible on the ops page and replayable once fixed.
struct PaymentDataPoster: Sendable {
    let desk: PaymentDataDesk
    let signer: PaymentDataSigner?

    /// customs' code for an answer taken.
    static let accepted = "10000"

    func deliver(requestId: Int64, to destination: any Destination, deliveryId: String) async throws(DeliveryError) {
        guard let http = destination as? HTTPDestination else {
            throw DeliveryError("RTD010 payment data is posted over HTTP; destination \(destination.config.name) is not http", permanent: true, code: "RTD010")
        }
        guard let signer else {
            throw DeliveryError(PaymentDataError.noSigningKey.description, permanent: true, code: "RTD004")
        }
        let report: PaymentDataReport
        do {
            report = try await desk.report(requestId: requestId)
        } catch let error as PaymentDataError {
            throw DeliveryError(error.description, permanent: true, code: error.code)
        } catch {
            throw DeliveryError("cannot build payment data for request \(requestId): \(error)")
        }
        let payload: String
        do {
            payload = try signer.payExInfoStr(report)
        } catch {
            throw DeliveryError(error.description, permanent: error.code != "RTD006", code: error.code)
        }
        let answer = try await http.postForm(["payExInfoStr": payload], guid: report.head.guid, deliveryId: deliveryId)
        let parsed = Self.parse(answer)
        let now = Date()
        let accepted = parsed.code == Self.accepted
        do {
            try await desk.store.updatePaymentDataRequest(
                id: requestId, state: accepted ? .answered : .refused, reason: nil, customsCode: parsed.code,
                customsMessage: parsed.message, event: .paymentDataAnswered, eventCode: parsed.code, now: now)
        } catch {
            throw DeliveryError("customs answered \(parsed.code ?? "?") but the answer could not be stored: \(error)")
        }
        guard accepted else {
            throw DeliveryError("customs answered \(parsed.code ?? "no code") \(parsed.message ?? String(answer.prefix(200)))",
                                permanent: true, code: parsed.code)
        }
    }

    /// `code` and `message` of customs' JSON answer (strings or numbers); nil when absent.
    static func parse(_ body: String) -> (code: String?, message: String?) {
        guard let object = try? JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any] else { return (nil, nil) }
        func text(_ key: String) -> String? {
            if let s = object[key] as? String { return s }
            if let n = object[key] as? NSNumber { return n.stringValue }
            return nil
        }
        return (text("code"), text("message") ?? text("msg"))
    }
}
