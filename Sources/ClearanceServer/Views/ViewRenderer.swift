import Foundation
import Hummingbird
import Mustache

/// Renders the ops pages from the mustache templates bundled in `Resources/templates`.
/// Values are HTML-escaped by the templates (`{{…}}`); no page uses JavaScript.
public struct ViewRenderer: Sendable {
    private let library: MustacheLibrary

    /// Loads every `*.mustache` template of the bundle.
    public init() throws(ServerError) {
        let directory = try Self.resourceDirectory().appendingPathComponent("templates")
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".mustache") }
        } catch {
            throw .resource("cannot list templates in \(directory.path): \(error)")
        }
        var library = MustacheLibrary()
        for name in names {
            do {
                let text = try String(contentsOf: directory.appendingPathComponent(name), encoding: .utf8)
                try library.register(text, named: String(name.dropLast(".mustache".count)))
            } catch {
                throw .resource("template \(name): \(error)")
            }
        }
        self.library = library
    }

    /// The bundled `Resources` directory.
    static func resourceDirectory() throws(ServerError) -> URL {
        guard let url = Bundle.module.url(forResource: "Resources", withExtension: nil) else {
            throw .resource("the ClearanceServer resource bundle has no Resources directory")
        }
        return url
    }

    /// The OpenAPI document shipped with the service.
    public static func openAPIDocument() throws(ServerError) -> String {
        let url = try resourceDirectory().appendingPathComponent("openapi.yaml")
        do {
            return try String(contentsOf: url, encoding: .utf8)
        } catch {
            throw .resource("openapi.yaml: \(error)")
        }
    }

    /// An HTML response rendering `template` with `values`.
    func page(_ template: String, _ values: [String: Any], status: HTTPResponse.Status = .ok) throws -> Response {
        guard let html = library.render(values, withTemplate: template) else {
            throw HTTPError(.internalServerError, message: "no template \(template)")
        }
        return Response(
            status: status,
            headers: [.contentType: "text/html; charset=utf-8", .contentSecurityPolicy: "default-src 'self'; style-src 'unsafe-inline'",
                      .xFrameOptions: "DENY"],
            body: .init(byteBuffer: ByteBuffer(string: html)))
    }
}
