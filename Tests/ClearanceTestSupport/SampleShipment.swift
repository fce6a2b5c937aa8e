import Foundation

/// One retail import (order, payment, waybill, inventory) made from the Pingtan samples with
/// fresh guids, numbers and buyer, so shipments never collide: what the routing tests feed the
/// flow in-process and the CLI tests hand to `clearance submit`/`ingest`.
public struct SampleShipment: Sendable {
    public var order: [UInt8]
    public var payment: [UInt8]
    public var waybill: [UInt8]
    public var inventory: [UInt8]
    public var orderNo: String
    public var logisticsNo: String
    public var copNo: String
    public var all: [(name: String, bytes: [UInt8])] { [("order", order), ("payment", payment), ("waybill", waybill), ("inventory", inventory)] }
    /// The envelope guids of ``all``, in that order.
    public var guids: [String] { all.map { Self.envelopeGuid($0.bytes) } }

    /// Shipment number `n` (numbers, guids and buyer derived from it); the inventory declared at
    /// `port` when given; `transform` edits each document's text (`kind`: order, payment, waybill, inventory).
    public static func make(_ n: Int, port: String? = nil, transform: ((inout String, String) -> Void)? = nil) -> SampleShipment {
        let number = String(format: "%08d", n % 100_000_000)
        let orderNo = "PT2026" + number                     // 14 characters, as PT202611250001
        let logisticsNo = "LD35012800" + String(format: "%07d", n % 10_000_000)
        let copNo = "PTQD2026" + number
        let buyer = residentID("35012819900307" + String(format: "%03d", n % 1000))
        let replacements: [(String, String)] = [
            ("PTQD202611250001", copNo), ("PT202611250001", orderNo), ("LD350128000112501", logisticsNo),
            ("35162026I000012345", "35162026I" + String(format: "%09d", n % 1_000_000_000)),
            ("B20261125000012345", "B2026" + String(format: "%013d", n)),
            ("HXPAY2026112509351200001", "HXPAY2026" + String(format: "%015d", n)),
            ("350128199003070024", buyer),
        ]
        func make(_ file: String, _ kind: String) -> [UInt8] {
            var text = String(decoding: (try? Repository.sample(file)) ?? [], as: UTF8.self)
            for (from, to) in replacements { text = text.replacingOccurrences(of: from, with: to) }
            text = freshGuids(text)
            if let port, kind == "inventory" { text = text.replacingOccurrences(of: "<ceb:portCode>3516</ceb:portCode>", with: "<ceb:portCode>\(port)</ceb:portCode>") }
            transform?(&text, kind)
            return Array(text.utf8)
        }
        return SampleShipment(
            order: make("CEB311-order.xml", "order"), payment: make("CEB411-payment.xml", "payment"),
            waybill: make("CEB511-logistics.xml", "waybill"), inventory: make("unsigned/CEB621-inventory.xml", "inventory"),
            orderNo: orderNo, logisticsNo: logisticsNo, copNo: copNo)
    }

    /// One CEB621 message holding the inventories of all `shipments` (the first one's envelope), edited by `edit`.
    public static func inventoryBatch(_ shipments: [SampleShipment], edit: (inout String) -> Void = { _ in }) -> String {
        batch(shipments, \.inventory, element: "Inventory", edit: edit)
    }

    /// One message holding the `part` documents (`element`: `Order`, `Payment`, `Logistics`,
    /// `Inventory`) of all `shipments`, in the first one's envelope, edited by `edit`.
    public static func batch(
        _ shipments: [SampleShipment], _ part: KeyPath<SampleShipment, [UInt8]>, element: String, edit: (inout String) -> Void = { _ in }
    ) -> String {
        let texts = shipments.map { String(decoding: $0[keyPath: part], as: UTF8.self) }
        func documents(_ text: String) -> Substring {
            let start = text.range(of: "<ceb:\(element)>")!.lowerBound
            let end = text.range(of: "</ceb:\(element)>", options: .backwards)!.upperBound
            return text[start..<end]
        }
        var first = texts[0]
        let all = texts.map(documents).joined(separator: "\n")
        first.replaceSubrange(first.range(of: String(documents(first)))!, with: all)
        edit(&first)
        return first
    }

    /// A resident ID number: `first17` and its ISO 7064 check character.
    public static func residentID(_ first17: String) -> String {
        let weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
        let sum = zip(first17, weights).reduce(0) { $0 + Int(String($1.0))! * $1.1 }
        return first17 + String(Array("10X98765432")[sum % 11])
    }

    /// `text` with every message and document guid replaced by a new one.
    public static func freshGuids(_ text: String) -> String {
        var out = text
        for pattern in ["guid=\"([0-9A-Fa-f-]{36})\"", "<ceb:guid>([0-9A-Fa-f-]{36})</ceb:guid>"] {
            let regex = try! NSRegularExpression(pattern: pattern)
            let matches = regex.matches(in: out, range: NSRange(out.startIndex..., in: out)).reversed()
            for match in matches {
                let range = Range(match.range(at: 1), in: out)!
                out.replaceSubrange(range, with: UUID().uuidString)
            }
        }
        return out
    }

    /// The guid of a message's envelope (its root's `guid` attribute).
    public static func envelopeGuid(_ bytes: [UInt8]) -> String {
        let text = String(decoding: bytes.prefix(600), as: UTF8.self)
        guard let r = text.range(of: "guid=\"") else { return "" }
        return String(text[r.upperBound...].prefix(36))
    }
}

/// A new scratch directory under the temporary directory, named after `label`.
public func scratchDirectory(_ label: String) -> String {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("clearance-\(label)-\(UUID().uuidString.prefix(8))").path
    try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    return dir
}

/// A seedable generator for shuffles (the same order on every run).
public struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    public init(seed: UInt64) { state = seed &* 0x9E37_79B9_7F4A_7C15 | 1 }
    public mutating func next() -> UInt64 {
        state ^= state << 13
        state ^= state >> 7
        state ^= state << 17
        return state
    }
}
