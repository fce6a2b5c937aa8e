import Foundation
import Hummingbird
import Mustache

/// Renders the ops pages from the mustache templates of `Resources/templates`, compiled in
/// (``ServerResources``, written by `scripts/embed-defaults.py`) so that the binary needs no file beside it.
/// Values are HTML-escaped by the templates (`{{…}}`). Only the buyer's page uses a script, its own
/// same-origin `/track/live.js` for live updates (the policy allows no other).
public struct ViewRenderer: Sendable {
    private let library: MustacheLibrary

    /// Parses every template.
    public init() throws(ServerError) {
        var library = MustacheLibrary()
        for (name, text) in ServerResources.templates {
            do {
                try library.register(text, named: name)
            } catch {
                throw .resource("template \(name): \(error)")
            }
        }
        self.library = library
    }

    /// The OpenAPI document shipped with the service.
    public static var openAPIDocument: String { ServerResources.openAPI }

    /// The markup of `template` with `values`.
    func render(_ template: String, _ values: [String: Any]) throws -> String {
        guard let html = library.render(values, withTemplate: template) else {
            throw HTTPError(.internalServerError, message: "no template \(template)")
        }
        return html
    }

    /// An HTML response rendering `template` with `values`.
    func page(_ template: String, _ values: [String: Any], status: HTTPResponse.Status = .ok) throws -> Response {
        Response(status: status, headers: Self.headers, body: .init(byteBuffer: ByteBuffer(string: try render(template, values))))
    }

    /// An HTML response rendering `template` with `values`, whose `{{slot}}` is filled by `stream`
    /// piece by piece (escaped as the template would), so a page showing a stored message of
    /// hundreds of megabytes holds one piece of it at a time, not the message and its markup.
    func page(
        _ template: String, _ values: [String: Any], streaming slot: String,
        _ stream: @escaping @Sendable (_ write: ([UInt8]) async throws -> Void) async throws -> Void
    ) throws -> Response {
        // The slot is rendered as a marker no value can contain, and the markup split around it.
        let marker = "clearance-slot-" + UUID().uuidString
        var values = values
        values[slot] = marker
        let html = try render(template, values)
        guard let at = html.range(of: marker) else { throw HTTPError(.internalServerError, message: "template \(template) has no {{\(slot)}}") }
        let (head, tail) = (String(html[..<at.lowerBound]), String(html[at.upperBound...]))
        let body = ResponseBody { writer in
            try await writer.write(ByteBuffer(string: head))
            try await stream { piece in try await writer.write(ByteBuffer(bytes: HTMLText.escaped(piece))) }
            try await writer.write(ByteBuffer(string: tail))
            try await writer.finish(nil)
        }
        return Response(status: .ok, headers: Self.headers, body: body)
    }

    private static let headers: HTTPFields = [
        .contentType: "text/html; charset=utf-8", .contentSecurityPolicy: "default-src 'self'; style-src 'unsafe-inline'", .xFrameOptions: "DENY",
    ]
}
