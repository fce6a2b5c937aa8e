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
        let html = try render(template, values)
        return Response(
            status: status,
            headers: [.contentType: "text/html; charset=utf-8", .contentSecurityPolicy: "default-src 'self'; style-src 'unsafe-inline'",
                      .xFrameOptions: "DENY"],
            body: .init(byteBuffer: ByteBuffer(string: html)))
    }
}
