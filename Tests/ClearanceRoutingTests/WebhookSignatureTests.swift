import ClearanceTestSupport
import ClearanceRouting
import Foundation
import Testing

@Suite("Webhook signatures")
struct WebhookSignatureTests {
    let body = Array("<ceb:CEB312Message guid=\"x\">…</ceb:CEB312Message>".utf8)
    let secret = "whsec_0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

    @Test("the header is t=<seconds>,v1=<HMAC-SHA256(secret, \"<t>.<body>\")> and verifies")
    func signAndVerify() throws {
        let now = Date(timeIntervalSince1970: 1_795_000_000)
        let header = WebhookSignature.header(body: body, secret: secret, timestamp: 1_795_000_000)
        // Independent of the helper: the HMAC of the documented payload, by openssl's command line.
        let digest = try CommandRunner.runBlocking("openssl", ["dgst", "-sha256", "-hmac", secret, "-hex"],
                                                   input: .bytes(Array("1795000000.".utf8) + body), errors: .discard, timeout: 60)
        let printed = digest.output
        let hex = try #require(printed.split(separator: " ").last?.trimmingCharacters(in: .whitespacesAndNewlines))
        #expect(header == "t=1795000000,v1=\(hex)")
        try WebhookSignature.verify(header: header, body: body, secret: secret, now: now)
        // A second v1 (during a rotation) and unknown schemes are accepted beside the good one.
        try WebhookSignature.verify(header: "t=1795000000,v0=zz,v1=\(String(repeating: "0", count: 64)),v1=\(hex)",
                                    body: body, secret: secret, now: now)
    }

    @Test("refused: tampered body, wrong secret, old timestamp, missing or malformed header")
    func refusals() {
        let now = Date(timeIntervalSince1970: 1_795_000_000)
        let header = WebhookSignature.header(body: body, secret: secret, timestamp: 1_795_000_000)
        #expect(throws: WebhookSignatureError.signatureMismatch) {
            try WebhookSignature.verify(header: header, body: body + [0x20], secret: secret, now: now)
        }
        #expect(throws: WebhookSignatureError.signatureMismatch) {
            try WebhookSignature.verify(header: header, body: body, secret: secret + "x", now: now)
        }
        #expect(throws: WebhookSignatureError.timestampOutOfTolerance(timestamp: 1_795_000_000, tolerance: 300)) {
            try WebhookSignature.verify(header: header, body: body, secret: secret, now: now.addingTimeInterval(301))
        }
        #expect(throws: WebhookSignatureError.missingHeader) {
            try WebhookSignature.verify(header: nil, body: body, secret: secret, now: now)
        }
        #expect(throws: WebhookSignatureError.malformedHeader("v1=abcd")) {
            try WebhookSignature.verify(header: "v1=abcd", body: body, secret: secret, now: now)
        }
    }

    @Test("secrets are whsec_ and 64 hex characters, different every time")
    func secrets() {
        let a = WebhookSignature.generateSecret(), b = WebhookSignature.generateSecret()
        #expect(a != b)
        #expect(a.count == 70 && a.hasPrefix("whsec_"))
        #expect(a.dropFirst(6).allSatisfy { "0123456789abcdef".contains($0) })
    }
}
