import ClearanceStore

/// Why a summary run stopped. Codes are stable: `SUM001` the period is not `YYYY-MM`, `SUM002` a
/// sum overflows, `SUM003` the summary application could not be written
/// (its XML), `SUM004` the flow did not route it (the inventories are given back), `SUM005` the store failed.
public enum SummaryError: Error, Sendable, CustomStringConvertible {
    case badPeriod(String)
    case overflow(String)
    case unwritable(String)
    case notRouted(copNo: String, why: String)
    case store(StoreError)

    public var code: String {
        switch self {
        case .badPeriod: "SUM001"
        case .overflow: "SUM002"
        case .unwritable: "SUM003"
        case .notRouted: "SUM004"
        case .store: "SUM005"
        }
    }

    public var description: String {
        switch self {
        case .badPeriod(let text): "SUM001 period \"\(text)\" is not YYYY-MM (e.g. 2026-11)"
        case .overflow(let what): "SUM002 \(what) does not fit a 64-bit count of 10⁻⁵ units"
        case .unwritable(let why): "SUM003 cannot write the summary application: \(why)"
        case .notRouted(let copNo, let why): "SUM004 summary application \(copNo) was not routed (\(why)); its inventories are given back"
        case .store(let error): "SUM005 store: \(error)"
        }
    }
}
