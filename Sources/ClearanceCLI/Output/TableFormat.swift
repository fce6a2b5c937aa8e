import ArgumentParser

/// How a dataset is printed: one JSON object (the API's body), or CSV (one row per record, header first).
enum TableFormat: String, ExpressibleByArgument, CaseIterable {
    case json
    case csv
}
