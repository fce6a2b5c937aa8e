/// People's names for customs `returnStatus` codes (see the CEB reference).
enum StatusNames {
    static let names: [String: String] = [
        "1": "saved", "2": "declared", "3": "sent to customs", "4": "sending failed", "100": "returned",
        "120": "accepted", "300": "manual review", "399": "decided", "500": "inspection", "501": "detained",
        "502": "detained", "503": "detained", "599": "detained", "700": "returned to origin", "800": "released",
        "899": "cleared",
    ]

    /// The name of a code, or the code itself when unknown.
    static func name(_ code: String) -> String { names[code] ?? (code.hasPrefix("-") ? "e-port check failed" : code) }
}
