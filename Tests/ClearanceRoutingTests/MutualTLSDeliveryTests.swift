import ClearanceTestSupport
import ClearanceRouting
import Foundation
import Testing

/// Mutual TLS to HTTP destinations against a real TLS server that requires a client certificate:
/// a small python3 `http.server` behind `ssl.SSLContext` with `CERT_REQUIRED`, on a free loopback
/// port, with CA, server and client certificates made by the `openssl` command in a temp directory.
@Suite(.serialized) struct MutualTLSDeliveryTests {
    /// The test's certificates and the running server; ``stop()`` ends the server and removes the files.
    final class Fixture {
        let dir: String
        /// The server; its standard input is a lifeline: it exits when that closes (also when the test process dies).
        var server: RunningCommand?
        var port = 0

        init() throws {
            dir = FileManager.default.temporaryDirectory.appendingPathComponent("clearance-mtls-\(UUID().uuidString.prefix(8))").path
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        }

        func path(_ name: String) -> String { dir + "/" + name }

        /// Runs `openssl` with `arguments` in the fixture directory.
        func openssl(_ arguments: [String]) throws {
            let ran = try CommandRunner.runBlocking(try Self.tool("openssl"), arguments, in: URL(fileURLWithPath: dir), timeout: 60)
            guard ran.status == 0 else { throw FixtureError("openssl \(arguments.joined(separator: " ")): \(ran.output)") }
        }

        static func tool(_ name: String) throws -> String {
            guard let found = CommandRunner.which(name) else { throw FixtureError("\(name) is not on the PATH") }
            return found
        }

        /// A CA (`<name>.pem`, `<name>.key`).
        func makeCA(_ name: String) throws {
            try openssl(["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", "\(name).key",
                         "-out", "\(name).pem", "-days", "2", "-subj", "/CN=\(name)"])
        }

        /// A leaf certificate (`<name>.pem`, `<name>.key`) issued by `ca` with the given extensions.
        func issue(_ name: String, by ca: String, extensions: String) throws {
            try extensions.write(toFile: path("\(name).ext"), atomically: true, encoding: .utf8)
            try openssl(["req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", "\(name).key",
                         "-out", "\(name).csr", "-subj", "/CN=\(name)"])
            try openssl(["x509", "-req", "-in", "\(name).csr", "-CA", "\(ca).pem", "-CAkey", "\(ca).key", "-CAcreateserial",
                         "-out", "\(name).pem", "-days", "2", "-extfile", "\(name).ext"])
        }

        static let serverScript = #"""
            import http.server, os, signal, ssl, sys, threading
            signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM, signal.SIGINT})
            directory, cert, key, ca = sys.argv[1:5]
            # Ends with its parent: the test holds our stdin open while it runs.
            threading.Thread(target=lambda: (sys.stdin.buffer.read(), os._exit(0)), daemon=True).start()
            class Handler(http.server.BaseHTTPRequestHandler):
                def do_POST(self):
                    body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                    peer = dict(x[0] for x in self.connection.getpeercert()["subject"])
                    name = self.headers.get("X-Message-Guid", "unnamed")
                    with open(os.path.join(directory, name + ".body"), "wb") as f:
                        f.write(body)
                    with open(os.path.join(directory, name + ".client"), "w") as f:
                        f.write(peer.get("commonName", ""))
                    self.send_response(202)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                def log_message(self, *args):
                    pass
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(cert, key)
            context.load_verify_locations(ca)
            context.verify_mode = ssl.CERT_REQUIRED
            server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
            server.socket = context.wrap_socket(server.socket, server_side=True)
            print(server.server_address[1], flush=True)
            server.serve_forever()
            """#

        /// Starts the server (requiring client certificates issued by `clientCA`); waits for its port.
        func start(clientCA: String) throws {
            try Self.serverScript.write(toFile: path("server.py"), atomically: true, encoding: .utf8)
            try FileManager.default.createDirectory(atPath: path("received"), withIntermediateDirectories: true)
            let server = try CommandRunner.start(
                try Self.tool("python3"), [path("server.py"), path("received"), path("server.pem"), path("server.key"), path("\(clientCA).pem")],
                input: .lifeline, errors: .discard)
            self.server = server
            // The first line is the port (bounded wait; a dead server ends the wait at once).
            guard let line = server.waitForOutputBlocking(matching: #"^[0-9]+\n"#, timeout: 60),
                  let port = Int(line.dropLast()) else { throw FixtureError("the TLS test server did not start: \(server.output)") }
            self.port = port
        }

        func stop() {
            server?.stop()
            try? FileManager.default.removeItem(atPath: dir)
        }
    }

    struct FixtureError: Error, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }

    /// CA `ca` issues the server and the client certificate; `other-ca` trusts nothing here.
    func makeFixture() throws -> Fixture {
        let f = try Fixture()
        try f.makeCA("ca")
        try f.makeCA("other-ca")
        try f.issue("server", by: "ca", extensions: "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n")
        try f.issue("client", by: "ca", extensions: "extendedKeyUsage=clientAuth\nkeyUsage=critical,digitalSignature\n")
        try f.issue("stranger", by: "other-ca", extensions: "extendedKeyUsage=clientAuth\nkeyUsage=critical,digitalSignature\n")
        try f.start(clientCA: "ca")
        return f
    }

    func destination(_ f: Fixture, certificate: String?, key: String?, ca: String?) throws(DeliveryError) -> HTTPDestination {
        let http = DestinationConfig.HTTP(
            url: "https://127.0.0.1:\(f.port)/ceb", timeoutSeconds: 3, concurrency: 1,
            clientCertificatePath: certificate.map(f.path), clientKeyPath: key.map(f.path), trustedCAPath: ca.map(f.path))
        return try HTTPDestination(config: DestinationConfig(name: "customs-mtls", transport: .http(http), envelope: .none), http: http)
    }

    func message() -> OutboundMessage {
        let guid = UUID().uuidString
        return OutboundMessage(guid: guid, messageType: "CEB311", bytes: Array("<ceb:CEB311Message guid=\"\(guid)\" version=\"1.0\"/>\n".utf8))
    }

    /// The delivery error, or nil when delivery succeeded; the destination is shut down after.
    func attempt(_ destination: HTTPDestination, _ message: OutboundMessage) async -> DeliveryError? {
        var failure: DeliveryError?
        do {
            try await destination.deliver(message)
        } catch {
            failure = error
        }
        await destination.shutdown()
        return failure
    }

    /// Expects building the destination to fail; shuts it down if it was built after all.
    func expectRefused(_ build: () throws(DeliveryError) -> HTTPDestination, sourceLocation: SourceLocation = #_sourceLocation) async {
        do {
            let built = try build()
            Issue.record("the destination was built", sourceLocation: sourceLocation)
            await built.shutdown()
        } catch {
            #expect(error.isPermanent, sourceLocation: sourceLocation)
            #expect(error.description.contains("customs-mtls") || error.description.contains("plain"), "names the destination: \(error)",
                    sourceLocation: sourceLocation)
        }
    }

    @Test func deliveryWithTheClientCertificateReachesTheServer() async throws {
        let f = try makeFixture()
        defer { f.stop() }
        let sent = message()
        let error = await attempt(try destination(f, certificate: "client.pem", key: "client.key", ca: "ca.pem"), sent)
        #expect(error == nil, "\(error?.description ?? "")")
        let body = FileManager.default.contents(atPath: f.path("received/\(sent.guid).body"))
        #expect(body.map { Array($0) } == sent.bytes, "the server received the body")
        let client = FileManager.default.contents(atPath: f.path("received/\(sent.guid).client")).map { String(decoding: $0, as: UTF8.self) }
        #expect(client == "client", "the server saw the client certificate")
    }

    @Test func withoutAClientCertificateDeliveryFailsClearly() async throws {
        let f = try makeFixture()
        defer { f.stop() }
        let sent = message()
        let error = try #require(await attempt(try destination(f, certificate: nil, key: nil, ca: "ca.pem"), sent))
        #expect(error.description.contains("https://127.0.0.1:\(f.port)/ceb"), "\(error)")
        #expect(error.description.contains("TLS"), "names TLS: \(error)")
        #expect(!FileManager.default.fileExists(atPath: f.path("received/\(sent.guid).body")))
        // A certificate from a CA the server does not trust fails the same way.
        let stranger = try #require(await attempt(try destination(f, certificate: "stranger.pem", key: "stranger.key", ca: "ca.pem"), message()))
        #expect(stranger.description.contains("TLS"), "\(stranger)")
    }

    @Test func anUntrustedServerCertificateFailsClearly() async throws {
        let f = try makeFixture()
        defer { f.stop() }
        let sent = message()
        let error = try #require(await attempt(try destination(f, certificate: "client.pem", key: "client.key", ca: "other-ca.pem"), sent))
        #expect(error.description.contains("TLS"), "\(error)")
        #expect(error.description.lowercased().contains("certificate"), "says the server certificate was refused: \(error)")
        #expect(!FileManager.default.fileExists(atPath: f.path("received/\(sent.guid).body")))
    }

    @Test func incompleteOrUnreadableTLSSettingsAreRefusedUpFront() async throws {
        let f = try Fixture()
        defer { f.stop() }
        try f.makeCA("ca")
        try f.issue("client", by: "ca", extensions: "extendedKeyUsage=clientAuth\n")
        f.port = 1
        await expectRefused { () throws(DeliveryError) in try destination(f, certificate: "client.pem", key: nil, ca: "ca.pem") }
        await expectRefused { () throws(DeliveryError) in try destination(f, certificate: nil, key: "client.key", ca: "ca.pem") }
        await expectRefused { () throws(DeliveryError) in try destination(f, certificate: "client.pem", key: "missing.key", ca: "ca.pem") }
        await expectRefused { () throws(DeliveryError) in try destination(f, certificate: "client.pem", key: "client.key", ca: "missing.pem") }
        let plain = DestinationConfig.HTTP(url: "http://127.0.0.1:1/ceb", clientCertificatePath: f.path("client.pem"), clientKeyPath: f.path("client.key"))
        await expectRefused { () throws(DeliveryError) in
            try HTTPDestination(config: DestinationConfig(name: "plain", transport: .http(plain)), http: plain)
        }
    }
}
