import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

/// A browser's sign-in to the ops pages, done as a browser does it: fetch the form (and its
/// double-submit cookie), post the key with the form's token, keep the session cookie.
struct OpsSignIn {
    /// The session token (the `clearance_session` cookie's value).
    let token: String
    /// The `Set-Cookie` line that carried it.
    let setCookie: String

    /// The `Cookie` header of the signed-in browser.
    var cookie: HTTPFields { [.cookie: "clearance_session=\(token)"] }

    /// Signs in with `key`; `headers` are added to the form post (e.g. `X-Forwarded-Proto`).
    static func signIn(_ client: some TestClientProtocol, key: String, next: String? = nil, headers: HTTPFields = [:]) async throws -> OpsSignIn {
        let form = try await client.execute(uri: "/ops/login", method: .get)
        #expect(form.status == .ok)
        let login = try #require(cookieValue("clearance_login", in: form), "the form sets its double-submit cookie")
        #expect(hiddenField("csrf", in: form.text) == login)
        var fields = headers
        fields[.cookie] = "clearance_login=\(login)"
        fields[.contentType] = "application/x-www-form-urlencoded"
        var body = "csrf=\(login)&key=\(key)"
        if let next { body += "&next=" + (next.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? next) }
        let answer = try await client.execute(uri: "/ops/login", method: .post, headers: fields, body: ByteBuffer(string: body))
        #expect(answer.status == .seeOther, "\(answer.text.prefix(300))")
        let line = try #require(answer.headers[values: .setCookie].first { $0.hasPrefix("clearance_session=") })
        return OpsSignIn(token: try #require(cookieValue("clearance_session", in: answer)), setCookie: line)
    }

    /// The CSRF token the signed-in pages put in their forms.
    func csrf(_ client: some TestClientProtocol) async throws -> String {
        let page = try await client.execute(uri: "/ops/batches", method: .get, headers: cookie)
        return try #require(Self.hiddenField("csrf", in: page.text), "the page has a sign-out form with its token")
    }

    /// A form post with the session cookie.
    func post(_ client: some TestClientProtocol, _ uri: String, form: String) async throws -> TestResponse {
        var headers = cookie
        headers[.contentType] = "application/x-www-form-urlencoded"
        return try await client.execute(uri: uri, method: .post, headers: headers, body: ByteBuffer(string: form))
    }

    static func cookieValue(_ name: String, in response: TestResponse) -> String? {
        for line in response.headers[values: .setCookie] where line.hasPrefix(name + "=") {
            return String(line.dropFirst(name.count + 1).prefix { $0 != ";" })
        }
        return nil
    }

    static func hiddenField(_ name: String, in html: String) -> String? {
        guard let range = html.range(of: "name=\"\(name)\" value=\"") else { return nil }
        return String(html[range.upperBound...].prefix { $0 != "\"" })
    }
}
