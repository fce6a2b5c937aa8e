import ClearanceRules

/// One declarative routing rule: when every condition given matches the message, the message
/// goes to ``destinations``. Within a condition any listed value matches.
public struct RoutingRule: Sendable, Hashable {
    /// What a rule matches on. An empty set means "any".
    public struct Match: Sendable, Hashable {
        /// Message type numbers (`CEB621`…).
        public var messageTypes: Set<String> = []
        /// `I` / `E`.
        public var ieFlags: Set<String> = []
        /// Customs district prefixes (`"35"` Fuzhou, `"37"` Xiamen) or full customs codes.
        public var customsDistricts: [String] = []
        /// Port codes.
        public var ports: Set<String> = []
        /// Trade modes (9610, 9710, 9810, 1210, 1239).
        public var tradeModes: Set<String> = []
        /// Country of origin (any of the goods).
        public var originCountries: Set<String> = []
        /// Destination country.
        public var destinationCountries: Set<String> = []
        /// Enterprise codes (any of the message's).
        public var enterprises: Set<String> = []
        /// Whether the message must (true) or must not (false) carry an inspection declaration.
        public var inspection: Bool?
        /// Credit grades: matches when any party of the message has one of them on the credit
        /// list in force (e.g. `dishonest` to send such declarations to inspection as well).
        public var partyGrades: Set<CreditGrade> = []

        /// Creates an empty (match-all) condition set.
        public init() {}

        /// Whether `facts` satisfy every condition.
        public func matches(_ facts: RoutingFacts) -> Bool {
            if !messageTypes.isEmpty, !messageTypes.contains(facts.messageType) { return false }
            if !ieFlags.isEmpty, !(facts.ieFlag.map(ieFlags.contains) ?? false) { return false }
            if !customsDistricts.isEmpty {
                guard let code = facts.customsCode, customsDistricts.contains(where: { code.hasPrefix($0) }) else { return false }
            }
            if !ports.isEmpty, !(facts.portCode.map(ports.contains) ?? false) { return false }
            if !tradeModes.isEmpty, !(facts.tradeMode.map(tradeModes.contains) ?? false) { return false }
            if !originCountries.isEmpty, originCountries.isDisjoint(with: facts.originCountries) { return false }
            if !destinationCountries.isEmpty, !(facts.destinationCountry.map(destinationCountries.contains) ?? false) { return false }
            if !enterprises.isEmpty, enterprises.isDisjoint(with: facts.enterprises) { return false }
            if let inspection, inspection != facts.hasInspection { return false }
            if !partyGrades.isEmpty, partyGrades.isDisjoint(with: facts.partyGrades) { return false }
            return true
        }
    }

    /// Unique name, shown in dry runs.
    public var name: String
    /// Free text for operators.
    public var description: String?
    /// Conditions.
    public var match: Match
    /// Destination names (declared in the table).
    public var destinations: [String]
    /// Stop evaluating later rules when this one matches.
    public var isFinal: Bool
    /// Line of the rule in its file, when loaded from one.
    public var line: Int?

    /// Creates a rule.
    public init(name: String, description: String? = nil, match: Match, destinations: [String], isFinal: Bool = false, line: Int? = nil) {
        self.name = name
        self.description = description
        self.match = match
        self.destinations = destinations
        self.isFinal = isFinal
        self.line = line
    }
}

/// Where a message goes and why.
public struct RoutingDecision: Sendable, Hashable {
    /// Destination names, in first-decided order, without repeats.
    public var destinations: [String]
    /// Names of the rules that matched, in order (the last one may be final).
    public var rules: [String]

    /// Whether no rule sent the message anywhere.
    public var isUnrouted: Bool { destinations.isEmpty }
}
