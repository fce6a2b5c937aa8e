import ClearanceServer
import ClearanceStore
import ClearanceTestSupport
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import NIOPosix
import NIOSSL
import Testing
import XMLSignature

@Suite("Mutual TLS")
struct MutualTLSTests {
    @Test("a registered client certificate authenticates its enterprise; an unregistered one gets 401; keys still work")
    func clientCertificates() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("clearance-mtls-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let ca = try CertificateAuthority.selfSigned(commonName: "Clearance test client CA", key: try PrivateKey.generate(kind: .ecP256))
        func issue(_ name: String) throws -> (cert: Certificate, key: PrivateKey) {
            let key = try PrivateKey.generate(kind: .ecP256)
            return (try ca.issue(commonName: name, publicKey: key.publicKey, keyUsage: [.digitalSignature, .keyEncipherment]), key)
        }
        let server = try issue("127.0.0.1")
        func write(_ name: String, _ text: String) throws -> String {
            let path = dir.appendingPathComponent(name).path
            try text.write(toFile: path, atomically: true, encoding: .utf8)
            return path
        }
        let files = ServerConfiguration.TLSFiles(
            certificatePath: try write("server.crt", server.cert.pemRepresentation),
            keyPath: try write("server.key", try server.key.pemRepresentation()),
            clientCAPath: try write("ca.crt", ca.certificate.pemRepresentation))
        let h = try await Harness.make(configuration: ServerConfiguration(host: "127.0.0.1", port: 0, tls: files))
        try await withCleanup({ await h.close() }) {
            let merchantClient = try issue("merchant client")
            let strangerClient = try issue("unregistered client")
            try await EnterpriseAdmin(store: h.store).registerClientCertificate(
                enterpriseCode: Parties.merchant, der: merchantClient.cert.derBytes, actor: "test")
            let service = try await ClearanceApplication.start(h.environment)
            try await withCleanup({ await service.stop() }) { () async throws in
                func request(_ identity: (cert: Certificate, key: PrivateKey)?, headers: HTTPFields = [:]) async throws -> HTTPResponse.Status {
                    var tls = TLSConfiguration.makeClientConfiguration()
                    tls.trustRoots = .certificates([try NIOSSLCertificate(bytes: Array(ca.certificate.pemRepresentation.utf8), format: .pem)])
                    tls.certificateVerification = .noHostnameVerification
                    if let identity {
                        tls.certificateChain = [.certificate(try NIOSSLCertificate(bytes: Array(identity.cert.pemRepresentation.utf8), format: .pem))]
                        tls.privateKey = .privateKey(try NIOSSLPrivateKey(bytes: Array(try identity.key.pemRepresentation().utf8), format: .pem))
                    }
                    // A read timeout of two minutes, not TestClient's 15 s: a loaded run of the whole suite on two
                    // cores kept the answer away longer than that (twice on 6 Dec), as other server tests allow for.
                    let client = TestClient(host: "127.0.0.1", port: service.port,
                                            configuration: .init(tlsConfiguration: tls, timeout: .seconds(120), serverName: "clearance.test"),
                                            eventLoopGroupProvider: .shared(MultiThreadedEventLoopGroup.singleton))
                    client.connect()
                    return try await withCleanup({ try? await client.shutdown() }) {
                        return try await client.execute(TestClient.Request("/v1/receipts", method: .get, authority: "127.0.0.1", headers: headers)).status
                    }
                }
                #expect(try await request(merchantClient) == .ok)
                #expect(try await request(strangerClient) == .unauthorized)
                #expect(try await request(nil) == .unauthorized)
                #expect(try await request(nil, headers: .key(h.keys[Parties.stranger])) == .ok)
            }
        }
    }
}
