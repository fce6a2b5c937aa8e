import ClearanceServer
import ClearanceTestSupport
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

/// The ops pages in Chinese and English, times in China Standard Time.
@Suite("Ops pages' language")
struct OpsLanguageTests {
    /// Every `{{t.key}}` of every template is in both catalogues, and the catalogues have the same keys.
    @Test func cataloguesAreCompleteForEveryTemplate() throws {
        let resources = Repository.path("Sources/ClearanceServer/Resources")
        func catalogue(_ language: String) throws -> [String: String] {
            try JSONDecoder().decode([String: String].self, from: Data(contentsOf: URL(fileURLWithPath: "\(resources)/i18n/\(language).json")))
        }
        let zh = try catalogue("zh"), en = try catalogue("en")
        #expect(Set(zh.keys) == Set(en.keys), "keys in one catalogue only: \(Set(zh.keys).symmetricDifference(en.keys).sorted())")
        var used = Set<String>()
        for name in try FileManager.default.contentsOfDirectory(atPath: "\(resources)/templates") where name.hasSuffix(".mustache") {
            let text = try String(contentsOfFile: "\(resources)/templates/\(name)", encoding: .utf8)
            used.formUnion(text.matches(of: /\{\{t\.([A-Za-z0-9]+)\}\}/).map { String($0.output.1) })
        }
        #expect(used.count > 50)
        #expect(used.subtracting(zh.keys).isEmpty, "missing: \(used.subtracting(zh.keys).sorted())")
        // Templates keep no English sentence outside the catalogue: the Chinese page has none of the English texts.
        #expect(zh.values.allSatisfy { !$0.isEmpty } && en.values.allSatisfy { !$0.isEmpty })
    }

    @Test func acceptLanguageIsReadByWeight() {
        #expect(OpsLanguage.fromAcceptLanguage("zh-CN,zh;q=0.9,en;q=0.8") == .zh)
        #expect(OpsLanguage.fromAcceptLanguage("en-US,zh;q=0.5") == .en)
        #expect(OpsLanguage.fromAcceptLanguage("fr;q=1, zh-Hant;q=0.8, en;q=0.7") == .zh)
        #expect(OpsLanguage.fromAcceptLanguage("en;q=0.2, zh-TW;q=0.4") == .zh)
        #expect(OpsLanguage.fromAcceptLanguage("zh;q=0, de") == .en)
        #expect(OpsLanguage.fromAcceptLanguage("") == .en)
    }

    @Test("Accept-Language, the switch and its cookie choose the language; times are China Standard Time")
    func pagesFollowTheChosenLanguage() async throws {
        let h = try await Harness.make()
        try await withCleanup({ await h.close() }) {
            try await h.application().test(.router) { client in
                let ops = try await OpsSignIn.signIn(client, key: h.keys[Parties.ops]!)
                try await client.execute(uri: "/v1/messages", method: .post, headers: .key(h.keys[Parties.platform]),
                                         body: ByteBuffer(bytes: try sample("CEB311-order.xml"))) { #expect($0.status == .accepted) }
                var chinese = ops.cookie
                chinese[.acceptLanguage] = "zh-CN,zh;q=0.9,en;q=0.8"
                try await client.execute(uri: "/ops", method: .get, headers: chinese) { r in
                    #expect(r.status == .ok)
                    for needle in ["<html lang=\"zh\">", "<h1>总览</h1>", "最近报文", "时间为北京时间", ">English</a>", "href=\"/ops?lang=en\""] {
                        #expect(r.text.contains(needle), "\(needle)")
                    }
                    #expect(!r.text.contains("Recent messages"))
                    // Received times are written in China time with the zone, never UTC's `Z`.
                    #expect(r.text.contains(/<td>20[0-9]{2}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2} \+08:00<\/td>/))
                    #expect(!r.text.contains(/<td>20[0-9]{2}-[0-9]{2}-[0-9]{2}T/))
                }
                try await client.execute(uri: "/ops", method: .get, headers: ops.cookie) { r in
                    #expect(r.text.contains("<html lang=\"en\">") && r.text.contains("<h1>Overview</h1>") && r.text.contains(">中文</a>"))
                }
                // The switch: Chinese for an English browser, remembered in a cookie.
                var english = ops.cookie
                english[.acceptLanguage] = "en-US"
                let switched = try await client.execute(uri: "/ops/outbox?status=dead&lang=zh", method: .get, headers: english)
                #expect(switched.text.contains("<h1>发送队列"), "\(switched.text.prefix(400))")
                #expect(switched.text.contains("lang=en\""))
                let setCookie = switched.headers[values: .setCookie].first { $0.hasPrefix("clearance_lang=") }
                #expect(setCookie?.hasPrefix("clearance_lang=zh") == true, "\(switched.headers)")
                english[.cookie] = (english[.cookie] ?? "") + "; clearance_lang=zh"
                try await client.execute(uri: "/ops/batches", method: .get, headers: english) { r in
                    #expect(r.text.contains("<h1>批次</h1>"), "\(r.text.prefix(400))")
                }
                // The sign-in page too.
                try await client.execute(uri: "/ops/login", method: .get, headers: [.acceptLanguage: "zh"]) { r in
                    #expect(r.text.contains("<h1>登录</h1>") && r.text.contains("API 密钥"))
                }
            }
        }
    }
}
