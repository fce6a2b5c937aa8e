import HTTPTypes
import NIOCore
import NIOHTTPTypes

/// Answers `Expect: 100-continue` (RFC 9110 §10.1.1) from inside a route.
///
/// Hummingbird 2 passes such a request to its handler without answering the expectation, so a
/// client (curl sends the expectation for bodies over 1 MiB) waits its own timeout, one second
/// for curl, before sending the body. A handler that has checked the headers (key, size, encoding)
/// sends the interim response itself; the final response follows on the same connection.
enum ContinueResponder {
    /// Writes `100 Continue` on the request's connection.
    static func send(on channel: any Channel) async throws {
        try await channel.writeAndFlush(HTTPResponsePart.head(HTTPResponse(status: .continue)))
    }
}
