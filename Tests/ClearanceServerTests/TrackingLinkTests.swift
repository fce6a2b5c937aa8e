import Foundation
import Testing
@testable import ClearanceServer

/// The buyer page's link tokens and the bounded rate limiter behind its lookups.
@Suite("Tracking links and bounded limits")
struct TrackingLinkTests {
    @Test("a token names its row and only verifies under its own key; any changed character is refused")
    func tokens() {
        let link = TrackingLink(key: Array("tracking-test-secret-0123456789".utf8))
        for id: Int64 in [1, 42, 1 << 40, .max] {
            let token = link.token(for: id)
            #expect(token.count == 32 && !token.contains("=") && !token.contains("/") && !token.contains("+"))
            #expect(link.declarationId(token: token) == id)
        }
        let token = link.token(for: 7)
        #expect(TrackingLink(key: Array("another-secret-0123456789abcdef".utf8)).declarationId(token: token) == nil)
        for index in token.indices {
            var changed = token
            changed.replaceSubrange(index...index, with: token[index] == "A" ? "B" : "A")
            #expect(link.declarationId(token: changed) == nil, "\(changed)")
        }
        for junk in ["", "x", String(repeating: "A", count: 32), String(repeating: "é", count: 16), token + "A", "../../ops"] {
            #expect(link.declarationId(token: junk) == nil)
        }
    }

    @Test("the limiter keeps at most maxKeys buckets, however many keys strangers send, and still limits a busy key")
    func boundedLimiter() {
        let limiter = RateLimiter(ratePerSecond: 0.001, burst: 2, maxKeys: 100)
        let start = ContinuousClock.now
        #expect(limiter.take("busy", now: start) == nil)
        #expect(limiter.take("busy", now: start) == nil)
        for i in 0..<10_000 {
            let now = start + .milliseconds(i)
            _ = limiter.take("stranger-\(i)", now: now)
            if i % 50 == 0 { #expect(limiter.take("busy", now: now) != nil, "a key in use is not forgotten") }
        }
        #expect(limiter.count <= 100)
        let fresh = RateLimiter(ratePerSecond: 0.001, burst: 1, maxKeys: 10)
        #expect(fresh.take("a", now: start) == nil)
        #expect(fresh.take("a", now: start) != nil, "spent")
        for i in 0..<5 { _ = fresh.take("k\(i)", now: start) }
        #expect(fresh.take("a", now: start) != nil, "within the bound nothing is forgotten")
    }
}
