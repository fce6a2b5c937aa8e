import Foundation
import Hummingbird

/// The language of the ops pages: Chinese or English, each with its text catalogue
/// (`Resources/i18n/zh.json`, `en.json`, compiled in). Chosen per request: `?lang=` (the page's
/// switch, remembered in a cookie), then that cookie, then `Accept-Language`; English otherwise.
public enum OpsLanguage: String, Sendable, CaseIterable {
    case zh
    case en

    /// The cookie that remembers the switch.
    static let cookieName = "clearance_lang"

    /// The other language (the switch's target).
    var other: OpsLanguage { self == .zh ? .en : .zh }

    /// The language a request asks for. The buyer's page (`/track`) is Chinese unless asked otherwise
    /// (its readers are buyers in China); the ops pages follow `Accept-Language`.
    static func of(_ request: Request) -> OpsLanguage {
        if let asked = request.uri.queryParameters.get("lang").flatMap(OpsLanguage.init(rawValue:)) { return asked }
        if let cookie = request.cookies[cookieName].flatMap({ OpsLanguage(rawValue: $0.value) }) { return cookie }
        if request.uri.path.hasPrefix("/track") { return .zh }
        return fromAcceptLanguage(request.headers[.acceptLanguage] ?? "")
    }

    /// The first of `zh…`/`en…` in an `Accept-Language` header, by weight (`zh-CN,zh;q=0.9,en;q=0.8`).
    public static func fromAcceptLanguage(_ header: String) -> OpsLanguage {
        let ranked = header.split(separator: ",").enumerated().compactMap { index, part -> (tag: String, q: Double, index: Int)? in
            let pieces = part.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
            guard let tag = pieces.first?.lowercased(), !tag.isEmpty else { return nil }
            let q = pieces.dropFirst().first { $0.hasPrefix("q=") }.flatMap { Double($0.dropFirst(2)) } ?? 1
            return (tag, q, index)
        }.sorted { $0.q != $1.q ? $0.q > $1.q : $0.index < $1.index }
        for entry in ranked where entry.q > 0 {
            if entry.tag.hasPrefix("zh") { return .zh }
            if entry.tag.hasPrefix("en") { return .en }
        }
        return .en
    }

    /// The language's texts by key.
    var catalogue: [String: String] { Self.catalogues[self] ?? [:] }

    /// The text of `key` (the key itself when missing: a test checks the catalogues are complete).
    func text(_ key: String) -> String { catalogue[key] ?? key }

    private static let catalogues: [OpsLanguage: [String: String]] = {
        var all: [OpsLanguage: [String: String]] = [:]
        for (language, json) in ServerResources.catalogues {
            guard let language = OpsLanguage(rawValue: language),
                  let texts = try? JSONDecoder().decode([String: String].self, from: Data(json.utf8)) else { continue }
            all[language] = texts
        }
        return all
    }()
}
