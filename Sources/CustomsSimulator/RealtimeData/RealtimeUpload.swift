import ClearanceRouting
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// The simulated customs' real-time data upload endpoint: an `application/x-www-form-urlencoded` post
/// with the field `payExInfoStr`, answered 200 with JSON `{"code", "message", "serviceTime"}` as
/// customs does (the code says whether it was taken, ``PaymentDataVerdict``).
enum RealtimeUpload {
    /// The path, as on customs' server.
    static let path = "/ceb2grab/grab/realTimeDataUpload"

    /// The answer to one form body.
    static func answer(_ body: String, inspector: PaymentDataInspector?) -> Response {
        let verdict: PaymentDataVerdict
        let detail: String
        if let inspector, let payExInfoStr = field("payExInfoStr", in: body) {
            let upload = inspector.inspect(payExInfoStr)
            (verdict, detail) = (upload.verdict, upload.detail)
        } else {
            (verdict, detail) = (.malformed, inspector == nil ? "this simulator asks for no real-time data" : "no payExInfoStr field")
        }
        let json = OrderedJSON.write(.object([
            ("code", .string(verdict.rawValue)),
            ("message", .string(detail.isEmpty ? verdict.message : verdict.message + ": " + detail)),
            ("serviceTime", .number(String(Int64((Date().timeIntervalSince1970 * 1000).rounded())))),
        ]))
        var headers = HTTPFields()
        headers[.contentType] = "application/json; charset=utf-8"
        return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: json)))
    }

    /// The decoded value of form field `name` (`+` is a space, `%XX` a byte).
    static func field(_ name: String, in body: String) -> String? {
        for pair in body.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard parts.count == 2, decode(parts[0]) == name else { continue }
            return decode(parts[1])
        }
        return nil
    }

    private static func decode(_ text: Substring) -> String? {
        text.replacingOccurrences(of: "+", with: " ").removingPercentEncoding
    }
}
