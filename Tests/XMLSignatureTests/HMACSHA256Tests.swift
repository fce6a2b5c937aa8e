import Testing
import XMLSignature

@Suite("HMAC-SHA256")
struct HMACSHA256Tests {
    @Test("RFC 4231 test cases 1, 2 and 6 (key longer than the block)")
    func knownAnswers() {
        #expect(HMACSHA256.hex(key: [UInt8](repeating: 0x0b, count: 20), message: Array("Hi There".utf8))
                == "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7")
        #expect(HMACSHA256.hex(key: Array("Jefe".utf8), message: Array("what do ya want for nothing?".utf8))
                == "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
        #expect(HMACSHA256.hex(key: [UInt8](repeating: 0xaa, count: 131),
                               message: Array("Test Using Larger Than Block-Size Key - Hash Key First".utf8))
                == "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54")
    }

    @Test("empty message, constant-time comparison")
    func edges() {
        #expect(HMACSHA256.authenticate(key: Array("k".utf8), message: [UInt8]()).count == 32)
        let a = HMACSHA256.authenticate(key: Array("k".utf8), message: Array("m".utf8))
        var b = a
        #expect(HMACSHA256.constantTimeEqual(a, b))
        b[31] ^= 1
        #expect(!HMACSHA256.constantTimeEqual(a, b))
        #expect(!HMACSHA256.constantTimeEqual(a, Array(a.prefix(31))))
    }
}
