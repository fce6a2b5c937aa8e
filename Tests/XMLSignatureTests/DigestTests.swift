import Foundation
import Testing
import XMLSignature

@Suite struct DigestTests {
    static let abcVectors: [(DigestAlgorithm, String)] = [
        (.sha1, "a9993e364706816aba3e25717850c26c9cd0d89d"),
        (.sha256, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
        (.sm3, "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"),  // GB/T 32905 example 1
    ]

    @Test(arguments: abcVectors)
    func knownAnswer(algorithm: DigestAlgorithm, expected: String) {
        #expect(hex(algorithm.digest(Array("abc".utf8))) == expected)
        #expect(algorithm.digest(Array("abc".utf8)).count == algorithm.outputLength)
    }

    @Test(arguments: DigestAlgorithm.allCases)
    func incrementalEqualsOneShotAndResetsAfterFinalize(algorithm: DigestAlgorithm) {
        let message = (0..<100_003).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        let digester = Digester(algorithm)
        var offset = 0
        var step = 1
        while offset < message.count {
            let end = min(message.count, offset + step)
            message[offset..<end].withUnsafeBytes { digester.update($0) }
            offset = end
            step = step * 3 + 1
        }
        let incremental = digester.finalize()
        #expect(incremental == algorithm.digest(message))
        // Reset: the next message starts from scratch.
        digester.update("abc".utf8)
        #expect(digester.finalize() == algorithm.digest(Array("abc".utf8)))
        // Non-contiguous sequences are accepted too.
        digester.update(message.lazy.map { $0 })
        #expect(digester.finalize() == incremental)
        // Empty message.
        #expect(digester.finalize() == algorithm.digest([UInt8]()))
    }

    @Test func sm3MatchesOpenSSLCommandLine() throws {
        let scratch = try ScratchDirectory()
        let data = (0..<5000).map { UInt8(truncatingIfNeeded: $0 * 7) }
        let path = try scratch.write("data.bin", data)
        let result = try openssl("dgst", "-sm3", "-r", path)
        #expect(result.status == 0)
        #expect(result.output.hasPrefix(hex(DigestAlgorithm.sm3.digest(data)) + " "))
    }

    @Test func urisRoundTripAndAliases() {
        for algorithm in DigestAlgorithm.allCases {
            #expect(DigestAlgorithm(uri: algorithm.uri) == algorithm)
        }
        #expect(DigestAlgorithm.sha1.uri == "http://www.w3.org/2000/09/xmldsig#sha1")
        #expect(DigestAlgorithm.sha256.uri == "http://www.w3.org/2001/04/xmlenc#sha256")
        #expect(DigestAlgorithm.sm3.uri == "http://www.w3.org/2007/05/xmldsig-more#sm3")
        #expect(DigestAlgorithm(uri: "http://www.chinaport.gov.cn/2022/04/xmldsig#sm3") == .sm3)
        #expect(DigestAlgorithm(uri: "http://www.chinaport.gov.cn/2010/xmldsig#sm3") == nil)
        #expect(DigestAlgorithm(uri: "http://www.w3.org/2001/04/xmldsig-more#sha384") == nil)
        #expect(DigestAlgorithm.sha1.isWeak)
        #expect(!DigestAlgorithm.sha256.isWeak && !DigestAlgorithm.sm3.isWeak)
    }
}

@Suite struct SignatureAlgorithmTests {
    @Test func urisRoundTripAndAliases() {
        for algorithm in SignatureAlgorithm.allCases {
            #expect(SignatureAlgorithm(uri: algorithm.uri) == algorithm)
        }
        #expect(SignatureAlgorithm.rsaSHA256.uri == "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256")
        #expect(SignatureAlgorithm.rsaSHA1.uri == "http://www.w3.org/2000/09/xmldsig#rsa-sha1")
        #expect(SignatureAlgorithm.ecdsaSHA256.uri == "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256")
        #expect(SignatureAlgorithm.sm2SM3.uri == "http://www.w3.org/2000/09/xmldsig#sm2-sm3")
        #expect(SignatureAlgorithm(uri: "http://www.chinaport.gov.cn/2022/04/xmldsig#sm2-sm3") == .sm2SM3)
        #expect(SignatureAlgorithm(uri: "http://www.w3.org/2007/05/xmldsig-more#sm2-sm3") == nil)
        #expect(SignatureAlgorithm(uri: "http://www.w3.org/2000/09/xmldsig#dsa-sha1") == nil)
    }

    @Test func weaknessAndKeyFit() {
        #expect(SignatureAlgorithm.rsaSHA1.isWeak)
        #expect(!SignatureAlgorithm.rsaSHA256.isWeak && !SignatureAlgorithm.sm2SM3.isWeak && !SignatureAlgorithm.ecdsaSHA256.isWeak)
        #expect(SignatureAlgorithm.sm2SM3.digest == .sm3)
        #expect(SignatureAlgorithm.rsaSHA1.accepts(.rsa(bits: 1024)))
        #expect(!SignatureAlgorithm.ecdsaSHA256.accepts(.sm2))
        #expect(!SignatureAlgorithm.sm2SM3.accepts(.ecP256))
        #expect(KeyKind.rsa(bits: 1024).isWeak)
        #expect(!KeyKind.rsa(bits: 2048).isWeak)
        #expect(SignatureAlgorithm.preferred(for: .sm2) == .sm2SM3)
    }
}

@Suite struct Base64Tests {
    @Test func toleratesWhitespaceButNotGarbage() throws {
        #expect(try Base64.decode("AQID\n  BA==\r\n\t") == [1, 2, 3, 4])
        #expect(try Base64.decode("") == [])
        #expect(throws: CryptoError.invalidBase64) { try Base64.decode("AQID*BA==") }
        #expect(throws: CryptoError.invalidBase64) { try Base64.decode("AQIDBA=") }
        #expect(throws: CryptoError.invalidBase64) { try Base64.decode("AQ-D") }
    }

    @Test func wrappedEncodingRoundTrips() throws {
        let bytes = (0..<200).map { UInt8($0) }
        let wrapped = Base64.encode(bytes, lineLength: 76)
        #expect(wrapped.split(separator: "\n").allSatisfy { $0.count <= 76 })
        #expect(wrapped.split(separator: "\n").count == 4)
        #expect(try Base64.decode(wrapped) == bytes)
        #expect(Base64.encode(bytes) == Data(bytes).base64EncodedString())
    }
}
