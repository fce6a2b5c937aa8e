import ArgumentParser
import ClearanceRouting
import ClearanceStore
import Foundation

/// `clearance trace`: one shipment's timeline.
struct TraceCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "trace",
        abstract: "Find a shipment by orderNo, logisticsNo, invtNo, copNo or guid and print its timeline.",
        discussion: """
            KEY is a bare value (tried as guid, orderNo, logisticsNo, invtNo, then copNo) or FIELD=VALUE \
            (e.g. orderNo=PT2026112500000000). Buyer ID numbers and telephones are shown masked. \
            Exit code 0 when found, 1 when nothing matches, 2 on usage or store errors.
            """
    )

    @Argument(help: "The key: VALUE or FIELD=VALUE with FIELD one of orderNo, logisticsNo, invtNo, copNo, guid.")
    var key: String

    @OptionGroup var store: StoreOption

    @Option(help: "Output format: text or json (one JSON object).")
    var format: OutputFormat = .text

    func run() async throws {
        let candidates = try Self.keys(for: key)
        let found = try await store.reading { opened -> ShipmentTimeline? in
            for candidate in candidates {
                if let timeline = try await opened.trace(candidate) { return timeline }
            }
            return nil
        }
        let output = OutputBuffer()
        defer { output.flush() }
        guard let found else {
            output.line(format == .json ? "{\"found\":false}" : "no shipment matches \(key) in \(store.display)")
            output.flush()
            throw Exit.invalid
        }
        switch format {
        case .text: TimelineText.lines(found).forEach(output.line)
        case .json: output.line(TimelineText.json(found))
        }
    }

    /// The trace keys to try for the argument.
    static func keys(for argument: String) throws -> [TraceKey] {
        if let eq = argument.firstIndex(of: "=") {
            let field = argument[..<eq].lowercased(), value = String(argument[argument.index(after: eq)...])
            guard !value.isEmpty else { throw ValidationError("empty value in \(argument)") }
            switch field {
            case "orderno": return [.orderNo(value)]
            case "logisticsno": return [.logisticsNo(value)]
            case "invtno": return [.invtNo(value)]
            case "copno": return [.copNo(value)]
            case "guid": return [.guid(value)]
            default: throw ValidationError("unknown key field '\(argument[..<eq])' (use orderNo, logisticsNo, invtNo, copNo or guid)")
            }
        }
        guard !argument.isEmpty else { throw ValidationError("empty key") }
        let all: [TraceKey] = [.orderNo(argument), .logisticsNo(argument), .invtNo(argument), .copNo(argument)]
        return UUID(uuidString: argument) != nil ? [.guid(argument)] + all : all + [.guid(argument)]
    }
}

enum TimelineText {
    static let timeFormat: Date.ISO8601FormatStyle = .iso8601

    static func time(_ date: Date) -> String { date.formatted(timeFormat) }

    static func lines(_ t: ShipmentTimeline) -> [String] {
        // The status: customs' phase, or an inspection hold / payment rejection before release.
        var lines = ["shipment \(t.key)", "status \(ShipmentStatus.of(t))"]
        lines.append("declarations (\(t.declarations.count)):")
        for d in t.declarations {
            var numbers: [String] = []
            if let v = d.orderNo { numbers.append("orderNo=\(v)") }
            if let v = d.logisticsNo { numbers.append("logisticsNo=\(v)") }
            if let v = d.invtNo { numbers.append("invtNo=\(v)") }
            if let v = d.copNo { numbers.append("copNo=\(v)") }
            lines.append("  \(d.kind.rawValue) [\(d.status)] \(numbers.joined(separator: " ")) from \(d.senderCode), guid \(d.declarationGuid)")
            var people: [String] = []
            if let v = d.buyerName { people.append("buyer \(v)") }
            if let v = d.buyerIdMasked { people.append("ID \(v)") }
            if let v = d.buyerTelephoneMasked { people.append("tel \(v)") }
            if let v = d.acturalPaid ?? d.goodsValue { people.append("amount \(v)" + (d.currency.map { " (\($0))" } ?? "")) }
            if d.lineCount > 0 { people.append("\(d.lineCount) line(s)") }
            if !people.isEmpty { lines.append("    " + people.joined(separator: ", ")) }
        }
        lines.append("messages (\(t.messages.count)):")
        for m in t.messages {
            lines.append("  \(time(m.receivedAt)) \(m.messageType) \(m.direction.rawValue) from \(m.senderCode), guid \(m.guid), sha256 \(m.sha256.prefix(16))…, signature \(m.signatureVerdict)")
        }
        lines.append("receipts (\(t.receipts.count)):")
        for r in t.receipts {
            lines.append("  \(r.returnTime) \(r.forKind.rawValue) status \(r.returnStatus)" + (r.returnInfo.map { ": \($0)" } ?? ""))
        }
        if !t.deliveries.isEmpty {
            lines.append("deliveries (\(t.deliveries.count)):")
            for o in t.deliveries {
                lines.append("  \(o.messageGuid) → \(o.destination): \(o.status.rawValue), \(o.attempts) attempt(s)" + (o.lastError.map { ", last error: \($0)" } ?? ""))
            }
        }
        lines.append("timeline (\(t.events.count)):")
        for e in t.events {
            var line = "  \(time(e.occurredAt)) \(e.kind.rawValue)"
            if let code = e.code { line += " \(code)" }
            if let guid = e.messageGuid { line += " message \(guid)" }
            if let detail = e.detail { line += ": \(detail)" }
            lines.append(line)
        }
        return lines
    }

    static func json(_ t: ShipmentTimeline) -> String {
        func array(_ items: [String]) -> String { "[" + items.joined(separator: ",") + "]" }
        var root = JSONLine()
        root.add("found", raw: "true")
        root.add("key", t.key.description)
        root.add("status", ShipmentStatus.of(t))
        root.add("declarations", raw: array(t.declarations.map { d in
            var o = JSONLine()
            o.add("kind", d.kind.rawValue)
            o.add("status", d.status)
            o.add("declarationGuid", d.declarationGuid)
            o.add("messageGuid", d.messageGuid)
            o.add("sender", d.senderCode)
            o.add("appType", d.appType)
            o.add("orderNo", d.orderNo)
            o.add("logisticsNo", d.logisticsNo)
            o.add("invtNo", d.invtNo)
            o.add("copNo", d.copNo)
            o.add("ebpCode", d.ebpCode)
            o.add("ebcCode", d.ebcCode)
            o.add("logisticsCode", d.logisticsCode)
            o.add("agentCode", d.agentCode)
            o.add("customsCode", d.customsCode)
            o.add("buyerName", d.buyerName)
            o.add("buyerIdMasked", d.buyerIdMasked)
            o.add("buyerTelephoneMasked", d.buyerTelephoneMasked)
            o.add("goodsValue", d.goodsValue?.description)
            o.add("freight", d.freight?.description)
            o.add("taxTotal", d.taxTotal?.description)
            o.add("acturalPaid", d.acturalPaid?.description)
            o.add("currency", d.currency)
            o.add("lines", d.lineCount)
            return o.line
        }))
        root.add("messages", raw: array(t.messages.map { m in
            var o = JSONLine()
            o.add("guid", m.guid)
            o.add("messageType", m.messageType)
            o.add("direction", m.direction.rawValue)
            o.add("sender", m.senderCode)
            o.add("receivedAt", time(m.receivedAt))
            o.add("sha256", m.sha256)
            o.add("signature", m.signatureVerdict)
            return o.line
        }))
        root.add("receipts", raw: array(t.receipts.map { r in
            var o = JSONLine()
            o.add("messageGuid", r.messageGuid)
            o.add("forKind", r.forKind.rawValue)
            o.add("referenceGuid", r.referenceGuid)
            o.add("returnStatus", r.returnStatus)
            o.add("returnTime", r.returnTime)
            o.add("returnInfo", r.returnInfo)
            return o.line
        }))
        root.add("deliveries", raw: array(t.deliveries.map { d in
            var o = JSONLine()
            o.add("messageGuid", d.messageGuid)
            o.add("destination", d.destination)
            o.add("status", d.status.rawValue)
            o.add("attempts", d.attempts)
            o.add("lastError", d.lastError)
            return o.line
        }))
        root.add("events", raw: array(t.events.map { e in
            var o = JSONLine()
            o.add("kind", e.kind.rawValue)
            o.add("occurredAt", time(e.occurredAt))
            o.add("messageGuid", e.messageGuid)
            o.add("code", e.code)
            o.add("detail", e.detail)
            return o.line
        }))
        return root.line
    }
}
