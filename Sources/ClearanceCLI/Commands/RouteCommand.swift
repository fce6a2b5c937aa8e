import ArgumentParser
import ClearanceRouting
import Foundation

/// `clearance route`: a dry run of the routing table.
struct RouteCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "route",
        abstract: "Print where each message would go and which rules decided (dry run; nothing is stored or sent).",
        discussion: """
            Each FILE (a CEB message or a dxp:DxpMsg envelope) is decoded, its routing facts are extracted \
            (type, ieFlag, customs district, port, trade mode, origin countries, enterprises, inspection) and \
            matched against the rules. Exit code 0 when every message is routed, 1 when one is unreadable or \
            matches no rule, 2 when the rules file is invalid (every problem is listed with file:line:column).
            """
    )

    @OptionGroup var rules: RulesOption

    @Option(help: "Output format: text or json (JSON lines).")
    var format: OutputFormat = .text

    @Argument(help: "CEB XML files.")
    var files: [String]

    func run() async throws {
        let table = try rules.watcher().current()
        let output = OutputBuffer()
        defer { output.flush() }
        var failed = false
        for file in files {
            guard let data = FileManager.default.contents(atPath: file) else {
                output.line(format == .json ? Self.errorLine(file, "cannot read") : "\(file): cannot read")
                failed = true
                continue
            }
            let message: DecodedMessage
            do {
                message = try DecodedMessage.decode(Array(data))
            } catch {
                output.line(format == .json ? Self.errorLine(file, error.description) : "\(file): \(error)")
                failed = true
                continue
            }
            let facts = RoutingFacts(messageType: message.messageType, documents: message.documents, senderCode: message.senderCode)
            let decision = table.route(facts)
            if decision.isUnrouted { failed = true }
            switch format {
            case .json:
                var json = JSONLine()
                json.add("file", file)
                json.add("guid", message.guid)
                json.add("messageType", message.messageType)
                json.add("destinations", raw: Self.array(decision.destinations))
                json.add("rules", raw: Self.array(decision.rules))
                json.add("facts", Self.describe(facts))
                output.line(json.line)
            case .text:
                let target = decision.isUnrouted ? "UNROUTED (no rule matched)" : decision.destinations.joined(separator: ", ")
                output.line("\(file): \(message.messageType) \(message.guid) → \(target)")
                output.line("  rules: \(decision.rules.isEmpty ? "—" : decision.rules.joined(separator: " → "))")
                output.line("  facts: \(Self.describe(facts))")
            }
        }
        if format == .text { output.line("rules: \(table.source) (\(table.rules.count) rules, \(table.destinations.count) destinations)") }
        if failed {
            output.flush()
            throw Exit.invalid
        }
    }

    static func errorLine(_ file: String, _ error: String) -> String {
        var json = JSONLine()
        json.add("file", file)
        json.add("error", error)
        return json.line
    }

    static func array(_ values: [String]) -> String {
        var text = "["
        for (i, v) in values.enumerated() {
            if i > 0 { text += "," }
            JSONLine.quote(v, into: &text)
        }
        return text + "]"
    }

    static func describe(_ f: RoutingFacts) -> String {
        var parts: [String] = []
        if let v = f.ieFlag { parts.append("ieFlag=\(v)") }
        if let v = f.customsCode { parts.append("customs=\(v)") }
        if let v = f.portCode { parts.append("port=\(v)") }
        if let v = f.tradeMode { parts.append("tradeMode=\(v)") }
        if !f.originCountries.isEmpty { parts.append("origin=\(f.originCountries.sorted().joined(separator: "/"))") }
        if let v = f.destinationCountry { parts.append("destination=\(v)") }
        if f.hasInspection { parts.append("inspection") }
        if let v = f.orderNo { parts.append("orderNo=\(v)") }
        if let v = f.logisticsNo { parts.append("logisticsNo=\(v)") }
        return parts.joined(separator: " ")
    }
}
