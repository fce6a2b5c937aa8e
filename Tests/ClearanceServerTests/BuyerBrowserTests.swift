import ClearanceServer
import ClearanceStore
import ClearanceTestSupport
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

extension BrowserTests {
    @Test("the buyer's page in chromium: Chinese, no sideways scroll at 390 and 1280 px, failed lookups alike, a release arrives live, guesses get 429")
    func buyerPageInChromium() async throws {
        let chromium = try #require(chromiumPath(), "chromium is not installed (scripts/test.sh installs it)")
        var configuration = ServerConfiguration(host: "127.0.0.1", port: 0)
        configuration.trackPollSeconds = 0.5
        // Each screenshot below opens a stream; a closed page's stream ends at its next heartbeat.
        configuration.trackStreams = (perAddress: 32, total: 64)
        let h = try await Harness.make(configuration: configuration)
        let profile = FileManager.default.temporaryDirectory.appendingPathComponent("clearance-buyer-browser-\(UUID().uuidString)")
        try await withCleanup({ await h.close() }) {
            try await h.application().test(.router) { client in try await BuyerPageTests.loadShipment(client, h) }
            let service = try await ClearanceApplication.start(h.environment)
            try await withCleanup({ await service.stop() }) {
                let base = "http://127.0.0.1:\(service.port)"
                let browser = try await onThread { try DevToolsBrowser(chromium: chromium, profile: profile) }
                let artifacts = repositoryRoot.appendingPathComponent(".build/artifacts")
                try FileManager.default.createDirectory(at: artifacts, withIntermediateDirectories: true)

                /// Types into the form and submits it as a person does; the page it lands on.
                @Sendable func submit(_ orderNo: String, _ code: String) throws -> String {
                    try browser.open("\(base)/track")
                    try browser.evaluate("document.querySelector('input[name=orderNo]').value = '\(orderNo)'; "
                                         + "document.querySelector('input[name=code]').value = '\(code)'; window.__before = 1; true")
                    try browser.evaluate("document.querySelector('#lookup button').click(); true")
                    try browser.waitFor("window.__before === undefined && document.readyState === 'complete'")
                    return try browser.html()
                }

                // Failed lookups: a wrong code and an unknown order render the same document.
                let (wrong, unknown) = try await onThread { () throws -> (String, String) in
                    (try submit(Parties.orderNo, "9999"), try submit("PT209900000000", "0024"))
                }
                #expect(wrong == unknown)
                #expect(wrong.contains("id=\"notice\"") && wrong.contains("没有找到"))

                // The right code: the parcel, in Chinese by default, declared (not yet released).
                let parcel = try await onThread { () throws -> String in
                    _ = try submit(Parties.orderNo, String(Parties.buyerId.suffix(4)))
                    try browser.waitFor("location.pathname.startsWith('/track/t/')")
                    return try browser.html()
                }
                #expect(parcel.contains("data-step=\"declared\""), "\(parcel.prefix(800))")
                #expect(parcel.contains("台湾凤梨酥礼盒") && parcel.contains("已向海关申报"))
                let link = try await onThread { try browser.evaluate("location.pathname") as? String ?? "" }

                // Every page at a phone's and a laptop's size, in Chinese and English: no sideways scroll; screenshots.
                for (width, height) in [(390, 844), (1280, 800)] {
                    for language in ["zh", "en"] {
                        for (name, page) in [("form", "/track"), ("parcel", link)] {
                            let (overflow, heading, shot) = try await onThread { () throws -> (String, String, Data) in
                                _ = try browser.call("Emulation.setDeviceMetricsOverride", [
                                    "width": width, "height": height, "deviceScaleFactor": 1, "mobile": width < 600])
                                try browser.open("\(base)\(page)?lang=\(language)")
                                let overflow = try browser.evaluate(
                                    "document.documentElement.scrollWidth > document.documentElement.clientWidth ? "
                                    + "'page ' + document.documentElement.scrollWidth + ' > ' + document.documentElement.clientWidth : ''") as? String ?? "?"
                                let heading = try browser.evaluate("document.querySelector('header strong').innerText") as? String ?? ""
                                return (overflow, heading, try browser.screenshot())
                            }
                            #expect(overflow.isEmpty, "\(page) at \(width) px (\(language)) scrolls sideways: \(overflow)")
                            #expect(heading == (language == "zh" ? "清关进度" : "Clearance status"))
                            try shot.write(to: artifacts.appendingPathComponent("track-\(name)-\(language)-\(width).png"))
                        }
                    }
                }

                // With the page open (Chinese, phone size), customs releases the inventory: the page shows it without a reload.
                try await onThread {
                    _ = try browser.call("Emulation.setDeviceMetricsOverride", ["width": 390, "height": 844, "deviceScaleFactor": 1, "mobile": true])
                    try browser.open("\(base)\(link)?lang=zh")
                    try browser.evaluate("window.__notReloaded = true; true")
                    try browser.waitFor("document.querySelector('#parcel').dataset.step === 'declared'")
                }
                try await h.application().test(.router) { client in try await BuyerPageTests.release(client, h) }
                let live = try await onThread { () throws -> (Bool, String) in
                    try browser.waitFor("document.querySelector('#parcel').dataset.step === 'released'")
                    let kept = try browser.evaluate("window.__notReloaded === true") as? Bool ?? false
                    return (kept, try browser.evaluate("document.querySelector('#current').innerText") as? String ?? "")
                }
                #expect(live.0, "the page was updated in place, not reloaded")
                #expect(live.1 == "海关放行")
                let shot = try await onThread { try browser.screenshot() }
                try shot.write(to: artifacts.appendingPathComponent("track-parcel-released-zh-390.png"))

                // Guessing at one order runs into its limit: the browser gets 429 and the page says to wait.
                let limited = try await onThread { () throws -> (Int, String) in
                    for _ in 0..<8 {
                        let page = try submit("PT209900000000", "1234")
                        let status = try browser.evaluate("performance.getEntriesByType('navigation')[0].responseStatus") as? Int ?? 0
                        if status == 429 { return (status, page) }
                    }
                    return (0, "")
                }
                #expect(limited.0 == 429)
                #expect(limited.1.contains("尝试次数过多"))
                try await onThread { _ = try browser.call("Emulation.clearDeviceMetricsOverride") }
            }
        }
    }
}
