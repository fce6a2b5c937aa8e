import CEBModel
import ClearanceRules
import ClearanceStore
import Foundation
import XMLSignature
import Yams

/// The declarative routing table: destinations and ordered rules, loaded from YAML.
///
/// Rules are evaluated top to bottom; every matching rule adds its destinations, and a rule
/// marked `final` stops the evaluation. The shipped default is `schemas/routing/default-routes.yaml`
/// (format documented there; compiled in as ``RoutingSource/defaults``). String values may use `${VAR}` or `${VAR:-default}` to take
/// deployment settings (URLs, directories) from the environment.
public struct RoutingTable: Sendable {
    /// Format version (1).
    public var version: Int
    /// Clearance's own data-exchange id (`dxp:SenderId`).
    public var senderId: String
    /// Destinations by name.
    public var destinations: [String: DestinationConfig]
    /// Rules in evaluation order.
    public var rules: [RoutingRule]
    /// The file it came from.
    public var source: String
    /// The destination customs' real-time payment data answers are posted to (top-level
    /// `realtimeData:`, an `http` destination: customs' `realTimeDataUpload` endpoint); nil: not configured.
    public var realtimeData: String? = nil

    /// Creates a table directly.
    public init(version: Int = 1, senderId: String, destinations: [String: DestinationConfig], rules: [RoutingRule], source: String = "<memory>") {
        self.version = version
        self.senderId = senderId
        self.destinations = destinations
        self.rules = rules
        self.source = source
    }

    /// Where a message with these facts goes, and which rules decided.
    public func route(_ facts: RoutingFacts) -> RoutingDecision {
        var decision = RoutingDecision(destinations: [], rules: [])
        for rule in rules where rule.match.matches(facts) {
            decision.rules.append(rule.name)
            for destination in rule.destinations where !decision.destinations.contains(destination) {
                decision.destinations.append(destination)
            }
            if rule.isFinal { break }
        }
        return decision
    }

    /// Loads and validates a routing file.
    /// - Throws: ``RoutingTableErrors`` naming file, line and column of every problem.
    public static func load(path: String, environment: [String: String] = ProcessInfo.processInfo.environment) throws(RoutingTableErrors) -> RoutingTable {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw RoutingTableErrors(errors: [RoutingTableError(file: path, message: "cannot read: \(error.localizedDescription)")])
        }
        return try parse(yaml: text, file: path, environment: environment)
    }

    /// Parses and validates routing YAML.
    public static func parse(yaml: String, file: String = "<string>", environment: [String: String] = [:]) throws(RoutingTableErrors) -> RoutingTable {
        var loader = RoutingTableLoader(file: file, environment: environment)
        let root: Node?
        do {
            root = try Yams.compose(yaml: yaml)
        } catch let error as YamlError {
            throw RoutingTableErrors(errors: [loader.yamlError(error)])
        } catch {
            throw RoutingTableErrors(errors: [RoutingTableError(file: file, message: "YAML: \(error)")])
        }
        guard let root else {
            throw RoutingTableErrors(errors: [RoutingTableError(file: file, line: 1, message: "the file is empty")])
        }
        let table = loader.table(root)
        if !loader.errors.isEmpty || table == nil {
            throw RoutingTableErrors(errors: loader.errors.isEmpty
                ? [RoutingTableError(file: file, message: "not a routing table")] : loader.errors)
        }
        return table!
    }
}

/// Turns a YAML node tree into a ``RoutingTable``, collecting every error with its position.
struct RoutingTableLoader {
    let file: String
    let environment: [String: String]
    var errors: [RoutingTableError] = []

    static let knownTradeModes: Set<String> = ["9610", "9710", "9810", "1210", "1239"]

    init(file: String, environment: [String: String]) {
        self.file = file
        self.environment = environment
    }

    mutating func fail(_ node: Node?, _ message: String) {
        errors.append(RoutingTableError(file: file, line: node?.mark?.line, column: node?.mark?.column, message: message))
    }

    func yamlError(_ error: YamlError) -> RoutingTableError {
        switch error {
        case .scanner(_, let problem, let mark, _), .parser(_, let problem, let mark, _):
            return RoutingTableError(file: file, line: mark.line, column: mark.column, message: "YAML: \(problem)")
        default:
            return RoutingTableError(file: file, message: "YAML: \(error)")
        }
    }

    // MARK: Values

    func expand(_ text: String) -> String {
        var output = ""
        var rest = Substring(text)
        while let start = rest.range(of: "${") {
            output += rest[..<start.lowerBound]
            guard let end = rest[start.upperBound...].firstIndex(of: "}") else {
                output += rest[start.lowerBound...]
                return output
            }
            let body = rest[start.upperBound..<end]
            if let sep = body.range(of: ":-") {
                let name = String(body[..<sep.lowerBound])
                let value = environment[name] ?? ""
                output += value.isEmpty ? String(body[sep.upperBound...]) : value
            } else {
                output += environment[String(body)] ?? ""
            }
            rest = rest[rest.index(after: end)...]
        }
        return output + rest
    }

    mutating func string(_ node: Node?, _ what: String) -> String? {
        guard let node else { return nil }
        guard case .scalar(let scalar) = node else {
            fail(node, "\(what) must be a single value")
            return nil
        }
        return expand(scalar.string)
    }

    mutating func strings(_ node: Node?, _ what: String) -> [String] {
        guard let node else { return [] }
        switch node {
        case .scalar(let scalar): return [expand(scalar.string)]
        case .sequence(let sequence):
            return sequence.compactMap { item in string(item, "each \(what)") }
        default:
            fail(node, "\(what) must be a value or a list of values")
            return []
        }
    }

    mutating func bool(_ node: Node?, _ what: String) -> Bool? {
        guard let text = string(node, what) else { return nil }
        switch text.lowercased() {
        case "true", "yes", "on": return true
        case "false", "no", "off": return false
        default:
            fail(node, "\(what) must be true or false, not '\(text)'")
            return nil
        }
    }

    mutating func number(_ node: Node?, _ what: String, minimum: Double) -> Double? {
        guard let text = string(node, what) else { return nil }
        guard let value = Double(text), value >= minimum else {
            fail(node, "\(what) must be a number ≥ \(minimum), not '\(text)'")
            return nil
        }
        return value
    }

    mutating func mapping(_ node: Node?, _ what: String, allowed: Set<String>) -> [(key: String, keyNode: Node, value: Node)]? {
        guard let node else { return nil }
        guard case .mapping(let mapping) = node else {
            fail(node, "\(what) must be a mapping")
            return nil
        }
        var out: [(key: String, keyNode: Node, value: Node)] = []
        var seen: Set<String> = []
        for (key, value) in mapping {
            let name = key.string ?? ""
            if !allowed.isEmpty, !allowed.contains(name) {
                fail(key, "unknown key '\(name)' in \(what) (expected one of: \(allowed.sorted().joined(separator: ", ")))")
                continue
            }
            if !seen.insert(name).inserted { fail(key, "duplicate key '\(name)' in \(what)") }
            out.append((name, key, value))
        }
        return out
    }

    // MARK: Table

    mutating func table(_ root: Node) -> RoutingTable? {
        guard let top = mapping(root, "the routing file", allowed: ["version", "senderId", "destinations", "rules", "realtimeData"]) else { return nil }
        let fields = Dictionary(top.map { ($0.key, $0.value) }, uniquingKeysWith: { a, _ in a })
        var version = 1
        if let v = number(fields["version"], "version", minimum: 1) {
            if v != 1 { fail(fields["version"], "unsupported routing file version \(v) (this build reads version 1)") }
            version = Int(v)
        }
        let senderId = string(fields["senderId"], "senderId") ?? ""
        if fields["senderId"] == nil { fail(root, "missing senderId (Clearance's data-exchange id, dxp:SenderId)") }
        if senderId.count > 16 { fail(fields["senderId"], "senderId is at most 16 characters") }
        var destinations: [String: DestinationConfig] = [:]
        if let list = mapping(fields["destinations"], "destinations", allowed: []) {
            for (name, keyNode, value) in list {
                if let destination = destination(name, keyNode, value) { destinations[name] = destination }
            }
        } else {
            fail(root, "missing destinations")
        }
        var rules: [RoutingRule] = []
        if let node = fields["rules"] {
            guard case .sequence(let sequence) = node else {
                fail(node, "rules must be a list")
                return nil
            }
            var names: Set<String> = []
            for item in sequence {
                guard let rule = rule(item, destinations: destinations) else { continue }
                if !names.insert(rule.name).inserted { fail(item, "duplicate rule name '\(rule.name)'") }
                rules.append(rule)
            }
        } else {
            fail(root, "missing rules")
        }
        var table = RoutingTable(version: version, senderId: senderId, destinations: destinations, rules: rules, source: file)
        if let node = fields["realtimeData"], let name = string(node, "realtimeData") {
            if let config = destinations[name] {
                if case .spool = config.transport { fail(node, "realtimeData '\(name)' must be an http destination (answers are posted as a form)") }
            } else {
                fail(node, "realtimeData names an unknown destination '\(name)'")
            }
            table.realtimeData = name
        }
        return table
    }

    mutating func destination(_ name: String, _ keyNode: Node, _ node: Node) -> DestinationConfig? {
        let what = "destination '\(name)'"
        guard let list = mapping(node, what, allowed: ["http", "spool", "profile", "envelope", "receiverId", "maxAttempts", "maxAgeSeconds", "description", "authority"]) else { return nil }
        let fields = Dictionary(list.map { ($0.key, $0.value) }, uniquingKeysWith: { a, _ in a })
        var transport: DestinationConfig.Transport?
        if fields["http"] != nil, fields["spool"] != nil { fail(node, "\(what) has both http and spool: pick one") }
        if let http = mapping(fields["http"], "\(what) http", allowed: ["url", "timeoutSeconds", "connectTimeoutSeconds", "concurrency", "clientCertificate", "clientKey", "trustedCA"]) {
            let h = Dictionary(http.map { ($0.key, $0.value) }, uniquingKeysWith: { a, _ in a })
            if let url = string(h["url"], "url") {
                if !(url.hasPrefix("http://") || url.hasPrefix("https://")) || URL(string: url)?.host == nil {
                    fail(h["url"], "\(what): url must be an http:// or https:// URL, not '\(url)'")
                }
                var settings = DestinationConfig.HTTP(url: url)
                if let t = number(h["timeoutSeconds"], "timeoutSeconds", minimum: 0.001) { settings.timeoutSeconds = t }
                if let t = number(h["connectTimeoutSeconds"], "connectTimeoutSeconds", minimum: 0.001) { settings.connectTimeoutSeconds = t }
                if let c = number(h["concurrency"], "concurrency", minimum: 1) { settings.concurrency = Int(c) }
                settings.clientCertificatePath = string(h["clientCertificate"], "clientCertificate")
                settings.clientKeyPath = string(h["clientKey"], "clientKey")
                settings.trustedCAPath = string(h["trustedCA"], "trustedCA")
                if (settings.clientCertificatePath == nil) != (settings.clientKeyPath == nil) {
                    fail(fields["http"], "\(what): mutual TLS needs both clientCertificate and clientKey")
                }
                if settings.clientCertificatePath != nil, url.hasPrefix("http://") {
                    fail(h["url"], "\(what): mutual TLS needs an https:// url")
                }
                transport = .http(settings)
            } else {
                fail(fields["http"], "\(what): http needs a url")
            }
        }
        if let spool = mapping(fields["spool"], "\(what) spool", allowed: ["outbox", "inbox"]) {
            let s = Dictionary(spool.map { ($0.key, $0.value) }, uniquingKeysWith: { a, _ in a })
            if let outbox = string(s["outbox"], "outbox"), !outbox.isEmpty {
                transport = .spool(DestinationConfig.Spool(outbox: outbox, inbox: string(s["inbox"], "inbox")))
            } else {
                fail(fields["spool"], "\(what): spool needs an outbox directory")
            }
        }
        guard let transport else {
            if fields["http"] == nil, fields["spool"] == nil { fail(keyNode, "\(what) needs http or spool") }
            return nil
        }
        var config = DestinationConfig(name: name, transport: transport)
        if let profile = string(fields["profile"], "profile") {
            if let p = SignatureProfile(rawValue: profile) { config.profile = p }
            else { fail(fields["profile"], "\(what): unknown signature profile '\(profile)' (standard, eport or eport2022)") }
        }
        if let envelope = string(fields["envelope"], "envelope") {
            if let e = DestinationConfig.Envelope(rawValue: envelope) { config.envelope = e }
            else { fail(fields["envelope"], "\(what): unknown envelope '\(envelope)' (none or dxp)") }
        }
        if let authority = string(fields["authority"], "authority") {
            if let a = AuthorityKind(rawValue: authority) { config.authority = a }
            else {
                fail(fields["authority"], "\(what): unknown authority '\(authority)' (\(AuthorityKind.allCases.map(\.rawValue).joined(separator: ", ")))")
            }
        }
        config.receiverId = string(fields["receiverId"], "receiverId")
        if config.envelope == .dxp, config.receiverId == nil { fail(keyNode, "\(what): a dxp envelope needs a receiverId") }
        if let n = number(fields["maxAttempts"], "maxAttempts", minimum: 1) { config.maxAttempts = Int(n) }
        if let n = number(fields["maxAgeSeconds"], "maxAgeSeconds", minimum: 1) { config.maxAgeSeconds = n }
        return config
    }

    mutating func rule(_ node: Node, destinations: [String: DestinationConfig]) -> RoutingRule? {
        guard let list = mapping(node, "a rule", allowed: ["name", "description", "match", "to", "final"]) else { return nil }
        let fields = Dictionary(list.map { ($0.key, $0.value) }, uniquingKeysWith: { a, _ in a })
        guard let name = string(fields["name"], "name"), !name.isEmpty else {
            fail(node, "every rule needs a name")
            return nil
        }
        var match = RoutingRule.Match()
        if let conditions = mapping(fields["match"], "rule '\(name)' match", allowed: [
            "messageType", "ieFlag", "customsDistrict", "port", "tradeMode", "originCountry", "destinationCountry", "enterprise", "inspection", "partyGrade",
        ]) {
            for (key, _, value) in conditions {
                switch key {
                case "messageType":
                    let types = strings(value, "messageType")
                    for type in types where MessageCatalog.spec(number: type) == nil {
                        fail(value, "rule '\(name)': unknown message type '\(type)'")
                    }
                    match.messageTypes = Set(types)
                case "ieFlag":
                    let flags = strings(value, "ieFlag")
                    for flag in flags where flag != "I" && flag != "E" { fail(value, "rule '\(name)': ieFlag is I or E, not '\(flag)'") }
                    match.ieFlags = Set(flags)
                case "customsDistrict":
                    let codes = strings(value, "customsDistrict")
                    for code in codes where !(2...4).contains(code.count) || !code.allSatisfy(\.isNumber) {
                        fail(value, "rule '\(name)': customsDistrict is 2–4 digits, not '\(code)'")
                    }
                    match.customsDistricts = codes
                case "port": match.ports = Set(strings(value, "port"))
                case "tradeMode":
                    let modes = strings(value, "tradeMode")
                    for mode in modes where !Self.knownTradeModes.contains(mode) {
                        fail(value, "rule '\(name)': unknown trade mode '\(mode)' (expected one of \(Self.knownTradeModes.sorted().joined(separator: ", ")))")
                    }
                    match.tradeModes = Set(modes)
                case "originCountry": match.originCountries = Set(strings(value, "originCountry"))
                case "destinationCountry": match.destinationCountries = Set(strings(value, "destinationCountry"))
                case "enterprise": match.enterprises = Set(strings(value, "enterprise"))
                case "inspection": match.inspection = bool(value, "inspection")
                case "partyGrade":
                    for text in strings(value, "partyGrade") {
                        if let grade = CreditGrade(rawValue: text) { match.partyGrades.insert(grade) }
                        else {
                            fail(value, "rule '\(name)': unknown partyGrade '\(text)' (\(CreditGrade.allCases.map(\.rawValue).joined(separator: ", ")))")
                        }
                    }
                default: break
                }
            }
        }
        let targets = strings(fields["to"], "to")
        if targets.isEmpty { fail(node, "rule '\(name)' routes nowhere: add 'to'") }
        for target in targets where destinations[target] == nil {
            fail(fields["to"], "rule '\(name)' routes to unknown destination '\(target)'")
        }
        let isFinal = bool(fields["final"], "final") ?? false
        return RoutingRule(
            name: name, description: string(fields["description"], "description"), match: match,
            destinations: targets, isFinal: isFinal, line: node.mark?.line)
    }
}
