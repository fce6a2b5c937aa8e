import ClearanceDemo
import ClearanceServer
import ClearanceStore
import ClearanceTestSupport
import Foundation
import Logging
import Testing

func chromiumPath() -> String? {
    ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"].first { FileManager.default.isExecutableFile(atPath: $0) }
}

@Suite("Ops page in a real browser")
struct BrowserTests {
    @Test("the demo runs; headless chromium signs in through the form, lands on the shipment with the released timeline, signs out")
    func demoInChromium() async throws {
        let chromium = try #require(chromiumPath(), "chromium is not installed (scripts/test.sh installs it)")
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("clearance-browser-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        let store = try await openAccessStore(url: "sqlite:" + work.appendingPathComponent("demo.sqlite").path)
        var logger = Logger(label: "clearance.browser-test")
        logger.logLevel = .warning
        let demo = try await DemoRuntime.start(
            store: store, configuration: ServerConfiguration(host: "127.0.0.1", port: 0),
            workDirectory: work, stepDelaySeconds: 0.1, logger: logger)
        try await withCleanup({ await demo.stop(); await store.close() }) {
            // The simulated customs releases the shipment (bounded wait: 60 s).
            var status = ""
            for _ in 0..<240 {
                if let timeline = try await store.trace(.orderNo(DemoRuntime.shipmentKey)),
                   timeline.receipts.contains(where: { $0.returnStatus == "800" }) {
                    status = "released"
                    break
                }
                try await Task.sleep(nanoseconds: 250_000_000)
            }
            #expect(status == "released")
            // The simulated customs asked for the sample order's payment data; the demo platform's deposit answers it.
            let payments = try #require(store as? any PaymentDataStore)
            var answered: PaymentDataRequest?
            for _ in 0..<240 {
                answered = try await payments.paymentDataRequests(orderNo: DemoRuntime.shipmentKey, state: .answered, limit: 1).first
                if answered != nil { break }
                try await Task.sleep(nanoseconds: 250_000_000)
            }
            #expect(answered?.customsCode == "10000", "the demo answers customs' payment data request")
            // The export half: the sample export inventory goes to the simulated customs, which releases it.
            var exportReleased = false
            for _ in 0..<240 {
                if let timeline = try await store.trace(.orderNo(DemoRuntime.exportShipmentKey)),
                   timeline.declarations.contains(where: { $0.kind == .exportInventory }),
                   timeline.receipts.contains(where: { $0.forKind == .exportInventory && $0.returnStatus == "800" }) {
                    exportReleased = true
                    break
                }
                try await Task.sleep(nanoseconds: 250_000_000)
            }
            #expect(exportReleased, "the demo's export inventory is released by the simulated customs")

            // Sign in as a person does: open the form, paste the key, click; the search link is kept as `next`.
            let base = "http://127.0.0.1:\(demo.service.port)"
            let next = "/ops/search?q=\(DemoRuntime.shipmentKey)".addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
            let opsKey = demo.opsKey
            let browser = try await onThread {
                try DevToolsBrowser(chromium: chromium, profile: work.appendingPathComponent("profile"))
            }
            let html = try await onThread { () throws -> String in
                try browser.open("\(base)/ops/login?next=\(next)")
                try browser.evaluate("document.querySelector('input[name=key]').value = '\(opsKey)'; true")
                try browser.evaluate("document.querySelector('#login button').click(); true")
                try browser.waitFor("location.pathname.startsWith('/ops/shipments/') && document.readyState === 'complete'")
                return try browser.html()
            }
            #expect(html.contains("<h1>Shipment \(DemoRuntime.shipmentKey)</h1>"), "\(html.prefix(500))")
            #expect(html.contains("id=\"shipment-status\""))
            #expect(html.contains("800 released"), "the timeline shows the release receipt")
            #expect(html.contains("payment-data-answered"), "the timeline shows customs' answer to the payment data")
            #expect(html.contains("documents-matched"))
            // The traceability picture: the inventory went to the Pingtan channel and came back released.
            let inventoryRow = html.firstMatch(of: /data-kind="inventory" data-destinations="([^"]*)" data-receipts="([^"]*)"/)
            #expect(inventoryRow?.output.1 == "customs-pingtan", "\(String(describing: inventoryRow?.output.0))")
            #expect(inventoryRow.map { $0.output.2.split(separator: " ").contains("800") } == true)
            #expect(html.contains("3501**********0024"))
            #expect(!html.contains("350128199003070024") && !html.contains("13905912345"))
            #expect(!html.contains(opsKey), "the key is in no page")

            // The page shows Chinese (the receipts' returnInfo, e.g. 放行 with 800); the screenshot needs a CJK
            // font to draw it rather than boxes.
            #expect(html.contains("放行"))
            let fonts = try await CommandRunner.run("fc-list", [":lang=zh", "family"], errors: .discard, timeout: 30)
            #expect(fonts.status == 0 && !fonts.output.isEmpty, "no CJK font: install fonts-wqy-microhei (scripts/test.sh does)")

            let artifacts = repositoryRoot.appendingPathComponent(".build/artifacts")
            try FileManager.default.createDirectory(at: artifacts, withIntermediateDirectories: true)
            let screenshot = artifacts.appendingPathComponent("ops-shipment.png")
            try? FileManager.default.removeItem(at: screenshot)
            let png = try await onThread { try browser.screenshot() }
            try png.write(to: screenshot)
            let size = (try? FileManager.default.attributesOfItem(atPath: screenshot.path)[.size] as? Int) ?? 0
            #expect(size > 10_000)
            print("ops page screenshot: \(screenshot.path)")

            // Every page at a phone's 390 × 844 and a laptop's 1280 × 800, in Chinese and English: the page
            // itself never scrolls sideways (wide tables scroll inside their own box); screenshots for people.
            let pages = ["/ops", "/ops/shipments/\(DemoRuntime.shipmentKey)", "/ops/outbox", "/ops/batches", "/ops/holds", "/ops/payment-requests",
                         "/ops/fx-settlement?ebc=91350526MA8U2F0N32&period=2026-10"]
            for (width, height) in [(390, 844), (1280, 800)] {
                for language in ["zh", "en"] {
                    for page in pages {
                        let (overflow, shot) = try await onThread { () throws -> (String, Data) in
                            _ = try browser.call("Emulation.setDeviceMetricsOverride", [
                                "width": width, "height": height, "deviceScaleFactor": 1, "mobile": width < 600])
                            try browser.open("\(base)\(page)\(page.contains("?") ? "&" : "?")lang=\(language)")
                            let overflow = try browser.evaluate(
                                "document.documentElement.scrollWidth > document.documentElement.clientWidth ? "
                                + "'page ' + document.documentElement.scrollWidth + ' > ' + document.documentElement.clientWidth : ''") as? String ?? "?"
                            return (overflow, try browser.screenshot())
                        }
                        #expect(overflow.isEmpty, "\(page) at \(width) px (\(language)) scrolls sideways: \(overflow)")
                        let name = "ops\(page.replacingOccurrences(of: "/ops", with: "").replacingOccurrences(of: "/", with: "-"))-\(language)-\(width).png"
                        try shot.write(to: artifacts.appendingPathComponent(name))
                    }
                }
            }
            let chinese = try await onThread { () throws -> String in
                try browser.open("\(base)/ops?lang=zh")
                return try browser.evaluate("document.querySelector('h1').innerText") as? String ?? ""
            }
            #expect(chinese == "总览")
            try await onThread { _ = try browser.call("Emulation.clearDeviceMetricsOverride") }

            // Sign out with the page's button: the browser's session is over.
            let after = try await onThread { () throws -> String in
                try browser.evaluate("document.querySelector('#logout button').click(); true")
                try browser.waitFor("location.pathname === '/ops/login' && document.readyState === 'complete'")
                try browser.open("\(base)/ops")
                return try browser.evaluate("document.body.innerText") as? String ?? ""
            }
            #expect(after.contains("sign in at"), "\(after.prefix(300))")
        }
    }
}
