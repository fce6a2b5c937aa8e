import Hummingbird

/// Sets the language of the ops pages and the buyer's page (`/track`) on the context
/// (``OpsLanguage/of(_:)``) and the switch's link (this page in the other language); a `?lang=` choice
/// is remembered in a cookie for a year (one per area: `/ops` and `/track`).
struct OpsLanguageMiddleware: RouterMiddleware {
    typealias Context = EnterpriseContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let area = request.uri.path.hasPrefix("/ops") ? "/ops" : request.uri.path.hasPrefix("/track") ? "/track" : nil
        guard let area else { return try await next(request, context) }
        var context = context
        let language = OpsLanguage.of(request)
        context.language = language
        var query = request.uri.queryParameters.filter { $0.key != "lang" }.map { "\($0.key)=\($0.value)" }
        query.append("lang=\(language.other.rawValue)")
        context.languageLink = request.uri.path + "?" + query.joined(separator: "&")
        var response = try await next(request, context)
        if let asked = request.uri.queryParameters.get("lang"), OpsLanguage(rawValue: String(asked)) != nil {
            response.setCookie(Cookie(name: OpsLanguage.cookieName, value: language.rawValue, maxAge: 365 * 86_400, path: area,
                                      secure: false, httpOnly: true, sameSite: .lax))
        }
        return response
    }
}
