import ClearanceServer
import ClearanceTestSupport
import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Sends `head` then `bodyPart` over a raw loopback TCP connection, never the rest of the body,
/// and returns what the server answers (bounded by a receive timeout).
func trickle(port: Int, head: String, bodyPart: String, waitSeconds: Int) throws -> String {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    #expect(fd >= 0)
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = in_port_t(UInt16(port).bigEndian)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    let connected = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    }
    #expect(connected == 0)
    var timeout = timeval(tv_sec: waitSeconds, tv_usec: 0)
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    for text in [head, bodyPart] {
        _ = text.withCString { send(fd, $0, strlen($0), 0) }
    }
    var buffer = [UInt8](repeating: 0, count: 4096)
    let n = recv(fd, &buffer, buffer.count, 0)
    return n > 0 ? String(decoding: buffer[0..<n], as: UTF8.self) : ""
}

@Suite("Slow clients")
struct SlowClientTests {
    @Test("a body that trickles past the request timeout gets 408 and nothing is stored")
    func slowBody() async throws {
        let h = try await Harness.make(configuration: ServerConfiguration(host: "127.0.0.1", port: 0, requestTimeoutSeconds: 1))
        try await withCleanup({ await h.close() }) {
            let service = try await ClearanceApplication.start(h.environment)
            try await withCleanup({ await service.stop() }) {
                let key = try #require(h.keys[Parties.platform])
                let port = service.port
                let answer = try await onThread {
                    try trickle(port: port, head: "POST /v1/messages HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer \(key)\r\n"
                                + "Content-Type: application/xml\r\nContent-Length: 5000\r\n\r\n",
                                bodyPart: "<?xml version=\"1.0\"?><ceb:CEB311Message", waitSeconds: 120)
                }
                #expect(answer.hasPrefix("HTTP/1.1 408"), "\(answer)")
                #expect(try await h.store.stats().messageTotal == 0)
            }
        }
    }
}
