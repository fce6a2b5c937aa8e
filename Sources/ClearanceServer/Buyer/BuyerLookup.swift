import ClearanceStore
import Foundation
import XMLSignature

/// Finds a buyer's parcel from what the buyer knows: the order number and the last four characters of
/// the ID number or the telephone given with the order (the store keeps both masked, with those four
/// visible). Built so that a wrong code and an unknown order cannot be told apart: the same work is
/// done for both (the trace, the comparison against every candidate without stopping at the first,
/// the same answer), and the answer is never given before ``minimumSeconds`` have passed, which hides
/// what the store took longer to find.
struct BuyerLookup {
    let store: any AccessStore

    /// The least time a lookup takes, found or not.
    static let minimumSeconds = 0.3
    /// Longest order number accepted (a longer one is looked up as given and found nowhere).
    static let maxOrderLength = 64

    /// A found parcel: the row id its link stands for, and its order number.
    struct Found: Sendable {
        var declarationId: Int64
        var orderNo: String
    }

    /// The order number as looked up: trimmed.
    static func normalizedOrder(_ text: String) -> String { text.trimmingCharacters(in: .whitespacesAndNewlines) }

    /// The code as compared: trimmed, upper case (`…123x` and `…123X` match, as the ID hash does).
    static func normalizedCode(_ text: String) -> String { text.trimmingCharacters(in: .whitespacesAndNewlines).uppercased() }

    /// The parcel of `orderNo` when `code` is the last four of its buyer's ID number or telephone.
    func find(orderNo rawOrder: String, code rawCode: String) async throws -> Found? {
        let started = ContinuousClock.now
        let orderNo = Self.normalizedOrder(rawOrder)
        let code = Array(Self.normalizedCode(rawCode).utf8)
        // Malformed input is looked up all the same (and matches nothing): no shortcut to time.
        let lookupKey = orderNo.isEmpty || orderNo.count > Self.maxOrderLength ? "\u{1}" : orderNo
        let timeline = try await store.trace(.orderNo(lookupKey))
        var matched = false
        for candidate in Self.candidates(timeline) {
            // No early exit: every candidate is compared.
            let equal = code.count == 4 && HMACSHA256.constantTimeEqual(candidate, code)
            matched = matched || equal
        }
        let found: Found? = timeline.flatMap { t in
            let owner = t.declarations.first { $0.kind == .order && $0.orderNo == orderNo }
                ?? t.declarations.first { $0.orderNo == orderNo }
            return owner.map { Found(declarationId: $0.id, orderNo: orderNo) }
        }
        let elapsed = ContinuousClock.now - started
        let floor = Duration.milliseconds(Int64(Self.minimumSeconds * 1000))
        if elapsed < floor { try await Task.sleep(for: floor - elapsed) }
        return matched ? found : nil
    }

    /// The last four characters of every masked ID number and telephone of the shipment's order,
    /// payment, waybill and inventory, where the mask keeps four visible (an ID of 18 characters, a
    /// telephone of 7 or more).
    static func candidates(_ timeline: ShipmentTimeline?) -> [[UInt8]] {
        guard let timeline else { return [] }
        var out: [[UInt8]] = []
        for d in timeline.declarations where [.order, .payment, .logistics, .inventory].contains(d.kind) {
            for masked in [d.buyerIdMasked, d.buyerTelephoneMasked] {
                guard let masked else { continue }
                let tail = Array(masked.uppercased().utf8.suffix(4))
                if tail.count == 4, !tail.contains(UInt8(ascii: "*")) { out.append(tail) }
            }
        }
        return out
    }
}
