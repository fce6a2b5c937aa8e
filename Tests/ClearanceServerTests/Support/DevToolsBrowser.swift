import ClearanceTestSupport
import Foundation

/// Headless chromium driven over the DevTools protocol (a WebSocket on loopback): the browser
/// test types the key into the sign-in form and clicks, as a person does, instead of opening a
/// URL that carries the key. Blocking; use it from ``onThread(_:)``.
final class DevToolsBrowser: @unchecked Sendable {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    private let process: RunningCommand
    private let connection: RawHTTPConnection
    private var lastId = 0

    /// Starts chromium with a fresh profile in `profile` and attaches to its first page.
    init(chromium: String, profile: URL, windowSize: String = "1400,1800") throws {
        process = try CommandRunner.start(chromium, [
            "--headless", "--disable-gpu", "--no-sandbox", "--disable-dev-shm-usage", "--no-first-run",
            "--user-data-dir=\(profile.path)", "--remote-debugging-port=0", "--window-size=\(windowSize)", "about:blank"])
        do {
            // Chromium writes the port it picked into the profile.
            let portFile = profile.appendingPathComponent("DevToolsActivePort")
            var port: Int?
            for _ in 0..<300 where port == nil {
                port = (try? String(contentsOf: portFile, encoding: .utf8))?.split(separator: "\n").first.flatMap { Int($0) }
                if port == nil { Thread.sleep(forTimeInterval: 0.1) }
            }
            guard let port else { throw Failure(description: "chromium wrote no DevToolsActivePort within 30 s") }
            let list = try RawHTTPConnection(port: port)
            list.send("GET /json/list HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\n\r\n")
            let targets = try JSONSerialization.jsonObject(with: Data(try list.readAnswer().body)) as? [[String: Any]] ?? []
            guard let page = targets.first(where: { $0["type"] as? String == "page" }),
                  let url = page["webSocketDebuggerUrl"] as? String, let path = url.range(of: "/devtools/").map({ url[$0.lowerBound...] })
            else { throw Failure(description: "no page target in \(targets)") }
            connection = try RawHTTPConnection(port: port, receiveTimeoutSeconds: 60)
            connection.send("GET \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                            + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
            let head = try connection.readHead()
            guard head.hasPrefix("HTTP/1.1 101") else { throw Failure(description: "WebSocket handshake: \(head)") }
        } catch {
            process.stop()
            throw error
        }
    }

    deinit {
        process.stop()
    }

    /// Calls a DevTools method and returns its result.
    @discardableResult
    func call(_ method: String, _ params: [String: Any] = [:]) throws -> [String: Any] {
        lastId += 1
        let id = lastId
        let message = try JSONSerialization.data(withJSONObject: ["id": id, "method": method, "params": params])
        connection.send(Self.frame(Array(message)))
        while true {
            guard let answer = try JSONSerialization.jsonObject(with: Data(try readMessage())) as? [String: Any],
                  answer["id"] as? Int == id else { continue } // events
            if let error = answer["error"] { throw Failure(description: "\(method): \(error)") }
            return answer["result"] as? [String: Any] ?? [:]
        }
    }

    /// Evaluates JavaScript in the page and returns its value.
    @discardableResult
    func evaluate(_ expression: String) throws -> Any? {
        let result = try call("Runtime.evaluate", ["expression": expression, "returnByValue": true])
        if let exception = result["exceptionDetails"] { throw Failure(description: "\(expression): \(exception)") }
        return (result["result"] as? [String: Any])?["value"]
    }

    /// Opens `url` and waits until the page at its path has loaded.
    func open(_ url: String) throws {
        let path = URL(string: url)?.path ?? "/"
        try call("Page.navigate", ["url": url])
        try waitFor("document.readyState === 'complete' && location.pathname === '\(path)'")
    }

    /// Waits (up to 30 s) until `condition` is true in the page, e.g. after clicking a button.
    func waitFor(_ condition: String) throws {
        for _ in 0..<300 {
            if (try? evaluate(condition)) as? Bool == true { return }
            Thread.sleep(forTimeInterval: 0.1)
        }
        throw Failure(description: "timed out waiting for \(condition)")
    }

    /// The page as HTML.
    func html() throws -> String { try evaluate("document.documentElement.outerHTML") as? String ?? "" }

    /// A PNG of the viewport.
    func screenshot() throws -> Data {
        let result = try call("Page.captureScreenshot", ["format": "png"])
        return Data(base64Encoded: result["data"] as? String ?? "") ?? Data()
    }

    // MARK: WebSocket framing (RFC 6455): client frames are masked, server frames are not.

    private static func frame(_ payload: [UInt8]) -> [UInt8] {
        var out: [UInt8] = [0x81] // FIN, text
        if payload.count < 126 {
            out.append(0x80 | UInt8(payload.count))
        } else if payload.count <= 0xFFFF {
            out += [0x80 | 126, UInt8(payload.count >> 8), UInt8(payload.count & 0xFF)]
        } else {
            out.append(0x80 | 127)
            out += (0..<8).reversed().map { UInt8((UInt64(payload.count) >> (UInt64($0) * 8)) & 0xFF) }
        }
        let mask = (0..<4).map { _ in UInt8.random(in: 0...255) }
        out += mask
        out += payload.enumerated().map { $0.element ^ mask[$0.offset % 4] }
        return out
    }

    private func readMessage() throws -> [UInt8] {
        var message: [UInt8] = []
        while true {
            let head = try connection.read(2)
            var length = Int(head[1] & 0x7F)
            if length == 126 {
                let b = try connection.read(2)
                length = Int(b[0]) << 8 | Int(b[1])
            } else if length == 127 {
                length = try connection.read(8).reduce(0) { $0 << 8 | Int($1) }
            }
            let payload = try connection.read(length)
            switch head[0] & 0x0F {
            case 0x8: throw Failure(description: "chromium closed the DevTools connection")
            case 0x9, 0xA: continue // ping, pong
            default: message += payload
            }
            if head[0] & 0x80 != 0 { return message }
        }
    }
}
