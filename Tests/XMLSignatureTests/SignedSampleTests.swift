import ClearanceTestSupport
import Foundation
import Testing
import XMLSignature

/// The signed samples in `samples/valid/` (messages customs wants signed: CEB621, 623, 625, 711) are
/// their unsigned twins in `samples/unsigned/` signed with the public sample key (`samples/keys/`) by
/// `scripts/sign-samples.sh`: current (RSA signatures are deterministic, so signing again must give
/// the same bytes) and valid for xmlsec1, which did not make them.
@Suite struct SignedSampleTests {
    static let unsigned = Repository.root.appendingPathComponent("samples/unsigned")
    static let valid = Repository.root.appendingPathComponent("samples/valid")
    static let keys = Repository.root.appendingPathComponent("samples/keys")

    static let names: [String] = ((try? FileManager.default.contentsOfDirectory(atPath: unsigned.path)) ?? [])
        .filter { $0.hasSuffix(".xml") }.sorted()

    static func signer() throws -> DocumentSigner {
        let key = try PrivateKey(pem: try String(contentsOf: keys.appendingPathComponent("sample-signer.key.pem"), encoding: .utf8))
        let certificate = try Certificate(pem: try String(contentsOf: keys.appendingPathComponent("sample-signer.cert.pem"), encoding: .utf8))
        return try DocumentSigner(key: key, certificate: certificate, profile: .eport)
    }

    @Test func everyUnsignedSampleHasItsSignedTwin() {
        #expect(Self.names.count >= 6, "samples/unsigned: \(Self.names)")
        for name in Self.names {
            #expect(FileManager.default.fileExists(atPath: Self.valid.appendingPathComponent(name).path),
                    "samples/valid/\(name) is missing: run scripts/sign-samples.sh")
        }
    }

    @Test(arguments: names)
    func signedSampleIsCurrent(name: String) throws {
        let unsigned = Array(try Data(contentsOf: Self.unsigned.appendingPathComponent(name)))
        let committed = Array(try Data(contentsOf: Self.valid.appendingPathComponent(name)))
        #expect(!String(decoding: unsigned, as: UTF8.self).contains("ds:Signature"))
        let signed = try Self.signer().sign(bytes: unsigned)
        #expect(signed == committed, "samples/valid/\(name) is stale: run scripts/sign-samples.sh")
    }

    @Test(arguments: names)
    func xmlsec1VerifiesTheSignedSample(name: String) throws {
        let certificate = Self.keys.appendingPathComponent("sample-signer.cert.pem").path
        let verified = try xmlsec1(["--verify", "--trusted-pem", certificate, Self.valid.appendingPathComponent(name).path])
        #expect(verified.status == 0, "\(verified.output)")
        // A changed value breaks it: the oracle really checks the digest.
        let text = try String(contentsOf: Self.valid.appendingPathComponent(name), encoding: .utf8)
        let tampered = text.replacingOccurrences(of: "<ceb:appStatus>1</ceb:appStatus>", with: "<ceb:appStatus>2</ceb:appStatus>")
        #expect(tampered != text)
        let scratch = try ScratchDirectory()
        let path = try scratch.write(name, Array(tampered.utf8))
        #expect(try xmlsec1(["--verify", "--trusted-pem", certificate, path]).status != 0)
    }
}
