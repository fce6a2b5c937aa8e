import Foundation
import Hummingbird

/// The fields of an HTML form post (`application/x-www-form-urlencoded`), read with a small bound:
/// the ops pages' forms carry a key, a token and a path at most.
enum FormBody {
    /// Largest form body read, in bytes.
    static let limit = 4096

    /// The fields of `request`'s body; the first value of a repeated field wins.
    static func fields(_ request: Request) async throws -> [String: String] {
        var request = request
        let body = try await request.collectBody(upTo: limit)
        return parse(String(buffer: body))
    }

    /// Parses `a=1&b=x+y%21` (`+` is a space, then percent-decoding).
    static func parse(_ form: String) -> [String: String] {
        var fields: [String: String] = [:]
        for pair in form.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard let name = decode(parts[0]), fields[name] == nil else { continue }
            fields[name] = parts.count == 2 ? decode(parts[1]) ?? "" : ""
        }
        return fields
    }

    private static func decode(_ text: Substring) -> String? {
        text.replacingOccurrences(of: "+", with: " ").removingPercentEncoding
    }
}
