import ClearanceTestSupport
import Foundation
import Testing

/// `clearance sign --key pkcs11:…` with the PIN from a file or the environment, as an operator runs it
/// against a SoftHSM2 token; the output verifies with `clearance verify` and with xmlsec1.
@Suite(.serialized) struct PKCS11CLITests {
    static let cases: [(String, String, String)] = [
        ("rsa", "standard", "xmldsig-more#rsa-sha256"),
        ("ec", "standard", "xmldsig-more#ecdsa-sha256"),
        ("rsa", "eport", "xmldsig#rsa-sha1"),
    ]

    static func clearance(_ token: SoftHSMToken, _ arguments: [String], environment extra: [String: String] = [:]) async throws -> CommandRunner.Ran {
        try await CommandRunner.run(try TestBinaries.clearance(), arguments, in: Repository.root,
                                    environment: token.environment.merging(extra) { $1 }, timeout: 120)
    }

    @Test(arguments: cases)
    func signThroughTheTokenVerifyWithClearanceAndXmlsec(name: String, profile: String, method: String) async throws {
        let token = try await SoftHSMToken.shared.value
        let output = token.path("cli-\(name)-\(profile).xml")
        let signed = try await Self.clearance(token, [
            "sign", "--key", token.uri(name), "--cert", token.certificatePath(name), "--pin-file", token.pinFile,
            "--profile", profile, "-o", output, Repository.samplePath("unsigned/CEB621-inventory.xml"),
        ])
        #expect(signed.status == 0, "\(signed.output)")
        #expect(signed.output.contains(method), "\(signed.output)")
        let verified = try await Self.clearance(token, ["verify", "--trust", token.certificatePath(name), output])
        #expect(verified.status == 0, "clearance verify: \(verified.output)")
        let xmlsec = try await CommandRunner.run("/usr/bin/env", ["xmlsec1", "--verify", "--trusted-pem", token.certificatePath(name), output])
        #expect(xmlsec.status == 0, "xmlsec1: \(xmlsec.output)")
    }

    @Test func wrongPINIsKEY004AndNoCrash() async throws {
        let token = try await SoftHSMToken.shared.value
        let ran = try await Self.clearance(token, [
            "sign", "--key", token.uri("rsa", token: token.pinTestLabel), "--cert", token.certificatePath("rsa", token: token.pinTestLabel),
            "--pin-env", "TEST_TOKEN_PIN", "-o", token.path("never.xml"), Repository.samplePath("CEB311-order.xml"),
        ], environment: ["TEST_TOKEN_PIN": "11112222"])
        #expect(ran.status == 2, "\(ran.output)")
        #expect(ran.output.contains("KEY004"), "\(ran.output)")
        #expect(!FileManager.default.fileExists(atPath: token.path("never.xml")))
    }

    /// There is no way to put the PIN on the command line: no `--pin` option, and a `pin-value` in the URI is refused.
    @Test func thePINNeverGoesOnTheCommandLine() async throws {
        let token = try await SoftHSMToken.shared.value
        let option = try await Self.clearance(token, [
            "sign", "--key", token.uri("rsa"), "--cert", token.certificatePath("rsa"), "--pin", token.pin,
            "-o", token.path("never.xml"), Repository.samplePath("CEB311-order.xml"),
        ])
        #expect(option.status != 0)
        let inURI = try await Self.clearance(token, [
            "sign", "--key", "pkcs11:token=\(token.label);object=rsa?pin-value=\(token.pin)", "--cert", token.certificatePath("rsa"),
            "-o", token.path("never.xml"), Repository.samplePath("CEB311-order.xml"),
        ])
        #expect(inURI.status == 2)
        #expect(inURI.output.contains("KEY001"), "\(inURI.output)")
        #expect(!FileManager.default.fileExists(atPath: token.path("never.xml")))
    }
}
