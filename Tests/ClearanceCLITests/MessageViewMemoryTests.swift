import ClearanceTestSupport
import Foundation
import Testing

/// A party to one document of a large batch asks the real `clearance serve` for the message: it
/// gets only its document, and the service's peak memory does not grow with the batch (the view
/// is read from the store a piece at a time, masked and filtered as it streams).
@Suite(.serialized) struct MessageViewMemoryTests {
    /// `VmHWM` (peak resident set) of a process, in kB.
    static func peak(_ pid: Int32) -> Int? {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return nil }
        for line in status.split(separator: "\n") where line.hasPrefix("VmHWM:") {
            return Int(line.dropFirst(6).trimmingCharacters(in: .whitespaces).split(separator: " ").first ?? "")
        }
        return nil
    }

    @Test func aPartyReadsItsOwnDocumentOfALargeBatchInFlatMemory() async throws {
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("clearance-view-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: work) }
        let clearance = try TestBinaries.clearance()
        let store = "sqlite:" + work.appendingPathComponent("store.sqlite").path
        let batch = work.appendingPathComponent("batch.xml").path

        // About 16 MB of orders; the generator spreads them over six e-commerce enterprises.
        let generated = try await CommandRunner.run(
            "/usr/bin/env", ["python3", Repository.root.appendingPathComponent("scripts/generate-batch.py").path,
                             "--type", "CEB311", "--count", "7000", "--out", batch], timeout: 120)
        #expect(generated.status == 0, "\(generated.output)")
        let text = try String(contentsOfFile: batch, encoding: .utf8)
        func first(_ element: String) throws -> String {
            let open = try #require(text.range(of: "<ceb:\(element)>"))
            let close = try #require(text.range(of: "</ceb:\(element)>", range: open.upperBound..<text.endIndex))
            return String(text[open.upperBound..<close.lowerBound])
        }
        let party = try first("ebcCode"), sender = try first("copCode")
        let partyDocuments = text.components(separatedBy: "<ceb:ebcCode>\(party)</ceb:ebcCode>").count - 1
        #expect(party != sender && partyDocuments >= 1 && partyDocuments < 3500, "one enterprise is named in a part of the orders")

        var keys: [String: String] = [:]
        for code in [party, sender, "OPS-VIEW"] {
            let role = code == "OPS-VIEW" ? "ops" : "system"
            _ = try await CommandRunner.run(clearance, ["enterprise", "add", code, "--name", code, "--role", role, "--store", store])
            let created = try await CommandRunner.run(clearance, ["enterprise", "key", "create", code, "--store", store])
            keys[code] = created.output.split(separator: "\n").first { $0.hasPrefix("clr_") }.map(String.init)
        }
        let ingested = try await CommandRunner.run(clearance, ["ingest", "--store", store, "--quiet", "--format", "json", batch], timeout: 300)
        #expect(ingested.status == 0, "\(ingested.output.suffix(2000))")
        let guid = try #require(text.range(of: #"Message guid=""#).map { String(text[$0.upperBound...].prefix(36)) })

        let serve = try CommandRunner.start(clearance, ["serve", "--store", store, "--port", "0"])
        defer { serve.stop() }
        let base = await serve.waitForOutput(matching: #"serving on (http://[0-9.]+:[0-9]+)"#, timeout: 60)
            .map { String($0.dropFirst("serving on ".count)) }
        let url = try #require(base, "clearance serve started: \(serve.output.suffix(2000))")

        // curl reads the answer, as a client of the service would.
        func view(_ key: String?) async throws -> (String, Int) {
            let ran = try await CommandRunner.run("/usr/bin/env", [
                "curl", "-s", "-H", "Authorization: Bearer \(key ?? "")", "-o", work.appendingPathComponent("view.json").path,
                "-w", "%{http_code}", "\(url)/v1/messages/\(guid)"], timeout: 600)
            let body = (try? String(contentsOf: work.appendingPathComponent("view.json"), encoding: .utf8)) ?? ""
            return (body, Int(ran.output.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0)
        }
        // Warm the service up (first request, allocator pools), then measure one view of the batch.
        _ = try await view(keys[party])
        let before = try #require(Self.peak(serve.pid))
        let (body, status) = try await view(keys[party])
        let after = try #require(Self.peak(serve.pid))
        #expect(status == 200)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any])
        let xml = try #require(json["xml"] as? String)
        #expect(xml.components(separatedBy: "<ceb:Order>").count - 1 == partyDocuments)
        let size = text.utf8.count / 1024
        print("message view: batch \(size) kB, service peak \(before) kB → \(after) kB (+\(after - before) kB)")
        // Holding the batch (raw, masked and as JSON) would add three times its size.
        #expect(after - before < size / 2, "peak grew by \(after - before) kB for a \(size) kB batch")
        // The sender sees the whole batch, streamed the same way.
        let (whole, wholeStatus) = try await view(keys[sender])
        #expect(wholeStatus == 200 && whole.components(separatedBy: "<ceb:Order>").count - 1 == 7000)

        // Ops read the whole batch on its page, signed in as a browser is (curl keeps the cookies):
        // the page streams the masked message into its markup too.
        let jar = work.appendingPathComponent("cookies").path, form = work.appendingPathComponent("form.html").path
        _ = try await CommandRunner.run("/usr/bin/env", ["curl", "-s", "-c", jar, "-o", form, "\(url)/ops/login"], timeout: 60)
        let formText = try String(contentsOfFile: form, encoding: .utf8)
        let csrf = try #require(formText.range(of: #"name="csrf" value=""#).map { String(formText[$0.upperBound...].prefix { $0 != "\"" }) })
        let signIn = try await CommandRunner.run("/usr/bin/env", [
            "curl", "-s", "-b", jar, "-c", jar, "-o", "/dev/null", "-w", "%{http_code}",
            "--data", "csrf=\(csrf)&key=\(try #require(keys["OPS-VIEW"]))", "\(url)/ops/login"], timeout: 60)
        #expect(signIn.output.trimmingCharacters(in: .whitespacesAndNewlines) == "303")
        func page() async throws -> (String, Int) {
            let path = work.appendingPathComponent("page.html").path
            let ran = try await CommandRunner.run("/usr/bin/env", [
                "curl", "-s", "-b", jar, "-o", path, "-w", "%{http_code}", "\(url)/ops/messages/\(guid)"], timeout: 600)
            return ((try? String(contentsOfFile: path, encoding: .utf8)) ?? "", Int(ran.output.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0)
        }
        // Measured from before the first page: a page holding the message would raise the peak on its first view.
        let beforePage = try #require(Self.peak(serve.pid))
        _ = try await page()
        let (html, pageStatus) = try await page()
        let afterPage = try #require(Self.peak(serve.pid))
        print("ops message page: batch \(size) kB, service peak \(beforePage) kB → \(afterPage) kB (+\(afterPage - beforePage) kB)")
        #expect(pageStatus == 200)
        #expect(html.components(separatedBy: "&lt;ceb:Order&gt;").count - 1 == 7000, "every order, escaped")
        #expect(html.hasSuffix("</html>\n") || html.hasSuffix("</html>"), "the page's markup closes after the message")
        #expect(afterPage - beforePage < size / 2, "peak grew by \(afterPage - beforePage) kB for a \(size) kB batch")
    }
}
