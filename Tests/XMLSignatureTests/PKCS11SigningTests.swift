import ClearanceTestSupport
import Dispatch
import Foundation
import Testing
import XMLSignature

/// Signing with keys that live on a PKCS#11 token (SoftHSM2, through libp11's OpenSSL engine): the
/// signatures verify with xmlsec1 and with Clearance's verifier, PIN problems are stable errors, and many
/// concurrent signatures through one token complete, bounded by the key's queue.
///
/// Serialized: the suite shares one token store per process, and the wrong-PIN cases must not race the
/// first logins.
@Suite(.serialized) struct PKCS11SigningTests {
    static let cases: [(String, SignatureProfile, String)] = [
        ("rsa", .standard, "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"),
        ("ec", .standard, "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256"),
        ("rsa", .eport, "http://www.w3.org/2000/09/xmldsig#rsa-sha1"),
    ]

    static func tokenKey(_ token: SoftHSMToken, _ name: String, queue: SigningQueue.Limits = .init()) throws -> PrivateKey {
        try PrivateKey(pkcs11: try PKCS11URI(token.uri(name)), pin: Array(token.pin.utf8), queue: queue)
    }

    static func certificate(_ path: String) throws -> Certificate {
        try Certificate(pem: String(contentsOfFile: path, encoding: .utf8))
    }

    @Test(arguments: cases)
    func tokenSignaturesVerifyWithXmlsecAndClearance(name: String, profile: SignatureProfile, method: String) async throws {
        let token = try await SoftHSMToken.shared.value
        let key = try Self.tokenKey(token, name)
        #expect(key.token != nil)
        #expect(key.kind == (name == "rsa" ? .rsa(bits: 2048) : .ecP256))
        let certificatePath = token.certificatePath(name)
        let signer = try DocumentSigner(key: key, certificate: try Self.certificate(certificatePath), profile: profile)
        #expect(signer.signatureAlgorithm.uri == method)
        let scratch = try ScratchDirectory()
        for sample in ["CEB311-order.xml", "CEB411-payment.xml", "unsigned/CEB621-inventory.xml"] {
            let signed = try signer.sign(bytes: try Repository.sample(sample))
            #expect(String(decoding: signed, as: UTF8.self).contains(method))
            let document = try scratch.write("signed-\(name)-\(profile)-\(sample.replacingOccurrences(of: "/", with: "-"))", signed)
            let verified = try xmlsec1(["--verify", "--trusted-pem", certificatePath, document])
            #expect(verified.status == 0, "xmlsec1 refused a token signature (\(name), \(profile), \(sample)): \(verified.output)")
            let policy = SignaturePolicy(trustStore: try TrustStore(anchors: [try Self.certificate(certificatePath)]))
            let result = try SignatureVerifier(policy: policy).verify(bytes: signed)
            #expect(result.signatureAlgorithm.uri == method)
        }
        #expect(key.statistics.snapshot().signatures == 3)
    }

    @Test func wrongPINAndUnknownKeyAreStableErrors() async throws {
        let token = try await SoftHSMToken.shared.value
        let uri = try PKCS11URI(token.uri("rsa", token: token.pinTestLabel))
        #expect(throws: CryptoError.pkcs11WrongPIN) { try PrivateKey(pkcs11: uri, pin: Array("00000000".utf8)) }
        #expect(CryptoError.pkcs11WrongPIN.code == "KEY004")
        #expect(CryptoError.pkcs11WrongPIN.description.contains("KEY004"))
        // The right PIN still works after a wrong one (the engine forgets the refused PIN).
        let key = try PrivateKey(pkcs11: uri, pin: Array(token.pin.utf8))
        _ = try key.sign(Array("bytes".utf8), algorithm: .rsaSHA256)
        let missing = try PKCS11URI(token.uri("no-such-key"))
        do {
            _ = try PrivateKey(pkcs11: missing, pin: Array(token.pin.utf8))
            Issue.record("a key that is not on the token loaded")
        } catch {
            #expect(error.code == "KEY006", "\(error)")
        }
    }

    @Test func pinsAndUnknownAttributesStayOutOfURIs() throws {
        for text in ["pkcs11:token=t;object=k?pin-value=1234", "pkcs11:token=t;object=k?pin-source=file:/tmp/pin",
                     "pkcs11:token=t", "pkcs11:token=t;object=k;type=cert", "pkcs11:token=t;objekt=k", "file:/key.pem"] {
            do {
                _ = try PKCS11URI(text)
                Issue.record("\(text) was accepted")
            } catch {
                #expect(error.code == "KEY001", "\(text): \(error)")
            }
        }
        let uri = try PKCS11URI("pkcs11:token=Clearance%20HSM;id=%01?module-path=/usr/lib/vendor%2Dp11.so")
        #expect(uri.keyReference == "pkcs11:token=Clearance%20HSM;id=%01;type=private")
        #expect(uri.modulePath == "/usr/lib/vendor-p11.so")
    }

    /// Many signatures at once through one token complete and verify; the rate is printed beside a PEM
    /// key's in the same run (SoftHSM does the RSA in software too: the difference is the PKCS#11 path).
    @Test func concurrentSignaturesThroughOneTokenComplete() async throws {
        let token = try await SoftHSMToken.shared.value
        let tokenKey = try Self.tokenKey(token, "rsa")
        let softwareKey = try PrivateKey.generate(kind: .rsa(bits: 2048))
        let message = Array(try Repository.sample("CEB311-order.xml"))
        let count = 400
        func rate(_ key: PrivateKey) -> (perSecond: Double, failures: Int, signatures: [[UInt8]]) {
            let results = ResultBox(count: count)
            let start = DispatchTime.now().uptimeNanoseconds
            DispatchQueue.concurrentPerform(iterations: count) { index in
                results.set(index, try? key.sign(message + Array("\(index)".utf8), algorithm: .rsaSHA256))
            }
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
            let all = results.all()
            return (Double(count) / seconds, all.filter { $0 == nil }.count, all.compactMap { $0 })
        }
        let pem = rate(softwareKey)
        let hsm = rate(tokenKey)
        print("PKCS11SigningTests: \(count) concurrent RSA-2048 signatures on \(ProcessInfo.processInfo.activeProcessorCount) cores: "
              + "PEM key \(Int(pem.perSecond))/s, SoftHSM2 token \(Int(hsm.perSecond))/s (ratio \(String(format: "%.2f", hsm.perSecond / pem.perSecond))); "
              + "token latency mean \(String(format: "%.2f", tokenKey.statistics.snapshot().totalSeconds / Double(count) * 1000)) ms, "
              + "max \(String(format: "%.2f", tokenKey.statistics.snapshot().maximumSeconds * 1000)) ms")
        #expect(pem.failures == 0)
        #expect(hsm.failures == 0)
        #expect(hsm.signatures.count == count)
        for (index, signature) in hsm.signatures.enumerated().prefix(20) {
            try tokenKey.publicKey.verify(signature: signature, over: message + Array("\(index)".utf8), algorithm: .rsaSHA256)
        }
        #expect(tokenKey.statistics.snapshot().signatures == count)
    }

    /// With the token busy and its queue full, the next signature is refused at once (KEY008); a waiting one
    /// gives up after the timeout (KEY009); a waiting one that gets its turn signs.
    @Test func aBusyTokenRefusesOrTimesOutInsteadOfStalling() async throws {
        let token = try await SoftHSMToken.shared.value
        let key = try Self.tokenKey(token, "ec", queue: SigningQueue.Limits(concurrent: 1, waiting: 1, timeoutSeconds: 0.3))
        let queue = try #require(key.queue)
        let holding = DispatchSemaphore(value: 0), release = DispatchSemaphore(value: 0)
        Thread.detachNewThread {
            try? queue.run { () throws(CryptoError) in
                holding.signal()
                release.wait()
            }
        }
        holding.wait()
        let start = Date()
        #expect(throws: CryptoError.signingTimedOut(seconds: 0.3)) { try key.sign(Array("late".utf8), algorithm: .ecdsaSHA256) }
        #expect(Date().timeIntervalSince(start) >= 0.25)

        let waiter = ResultBox(count: 1), waited = DispatchSemaphore(value: 0)
        let patient = try Self.tokenKey(token, "ec", queue: SigningQueue.Limits(concurrent: 1, waiting: 1, timeoutSeconds: 30))
        let patientQueue = try #require(patient.queue)
        let patientHolding = DispatchSemaphore(value: 0), patientRelease = DispatchSemaphore(value: 0)
        Thread.detachNewThread {
            try? patientQueue.run { () throws(CryptoError) in
                patientHolding.signal()
                patientRelease.wait()
            }
        }
        patientHolding.wait()
        Thread.detachNewThread {
            waiter.set(0, try? patient.sign(Array("waits its turn".utf8), algorithm: .ecdsaSHA256))
            waited.signal()
        }
        let deadline = Date().addingTimeInterval(120)
        while patientQueue.waitingNow < 1, Date() < deadline { usleep(1_000) }
        #expect(throws: CryptoError.signingQueueFull(limit: 1)) { try patient.sign(Array("one too many".utf8), algorithm: .ecdsaSHA256) }
        patientRelease.signal()
        release.signal()
        #expect(waited.wait(timeout: .now() + 30) == .success)
        #expect(waiter.all()[0] != nil, "the waiting signature did not complete once the token was free")
        #expect(patient.statistics.snapshot().failures == 1)
        #expect(key.statistics.snapshot().failures == 1)
    }

    /// A token that takes one signature at a time, with a short queue, under a burst from 16 threads: every
    /// signature is either made or refused at once with KEY008 — no thread stays parked in the module.
    @Test func aFullTokenQueueRefusesAtOnce() async throws {
        let token = try await SoftHSMToken.shared.value
        let key = try Self.tokenKey(token, "ec", queue: SigningQueue.Limits(concurrent: 1, waiting: 2, timeoutSeconds: 10))
        let threads = 16, perThread = 8
        let outcomes = ResultBox(count: threads * perThread)
        let errors = ErrorBox()
        let group = DispatchGroup()
        for thread in 0..<threads {
            group.enter()
            Thread.detachNewThread {
                for round in 0..<perThread {
                    let index = thread * perThread + round
                    do throws(CryptoError) {
                        outcomes.set(index, try key.sign(Array("message \(index)".utf8), algorithm: .ecdsaSHA256))
                    } catch {
                        errors.append(error)
                    }
                }
                group.leave()
            }
        }
        #expect(group.wait(timeout: .now() + 60) == .success, "signers still blocked after 60 s")
        let signed = outcomes.all().compactMap { $0 }.count
        let refused = errors.all()
        print("PKCS11SigningTests: \(threads) threads × \(perThread) signatures, 1 at a time in the token and 2 waiting: \(signed) signed, \(refused.count) refused with KEY008")
        #expect(signed >= 1)
        #expect(signed + refused.count == threads * perThread)
        #expect(refused.allSatisfy { $0 == .signingQueueFull(limit: 2) }, "\(refused.prefix(3))")
        #expect(key.statistics.snapshot().failures == refused.count)
        #expect(key.queue?.waitingNow == 0)
    }
}
