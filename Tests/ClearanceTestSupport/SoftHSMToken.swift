import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A SoftHSM2 token store in a temporary directory, made with the real tools as an operator would:
/// `softhsm2-util` initialises two tokens, the `openssl` command line makes an RSA-2048 and an EC P-256 key
/// with self-signed certificates, and `softhsm2-util --import` puts the keys (PKCS#8) on the token.
///
/// One per test process (``shared``): SoftHSM reads `SOFTHSM2_CONF` once, when the module is initialised,
/// and Clearance's PKCS#11 engine loads one module per process — so the in-process tests and the child
/// processes of the CLI tests all use this one store. Missing tools are an error (a recorded failure),
/// never a skip: `scripts/test.sh` installs softhsm2 and libengine-pkcs11-openssl.
public final class SoftHSMToken: Sendable {
    /// Why the token could not be made.
    public struct SetupFailed: Error, CustomStringConvertible {
        public let description: String
    }

    /// The directory holding the config, the token store, keys, certificates and the PIN file.
    public let directory: URL
    /// The SoftHSM2 config file (`SOFTHSM2_CONF`).
    public let configPath: String
    /// The SoftHSM2 PKCS#11 module.
    public let modulePath: String
    /// The label of the token holding the `rsa` and `ec` keys.
    public let label = "clearance-test"
    /// The label of a second token with an `rsa` key of its own, for wrong-PIN tests (they never touch the
    /// login state of the first).
    public let pinTestLabel = "clearance-pin-test"
    /// The user PIN of both tokens (test-only; Clearance reads it from ``pinFile``).
    public let pin = "24681357"
    /// A file whose first line is the PIN.
    public let pinFile: String

    /// The process's token store, made on first use.
    public static let shared: Task<SoftHSMToken, any Error> = Task { try await SoftHSMToken() }

    /// Module candidates: Debian's path first.
    static let moduleCandidates = [
        "/usr/lib/softhsm/libsofthsm2.so", "/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so",
        "/usr/lib/aarch64-linux-gnu/softhsm/libsofthsm2.so", "/usr/local/lib/softhsm/libsofthsm2.so",
    ]

    private init() async throws {
        guard let modulePath = Self.moduleCandidates.first(where: { FileManager.default.fileExists(atPath: $0) }) else {
            throw SetupFailed(description: "SoftHSM2 is not installed (no libsofthsm2.so in \(Self.moduleCandidates)): apt-get install softhsm2 (scripts/test.sh does)")
        }
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/softhsm2-util") else {
            throw SetupFailed(description: "softhsm2-util is missing: apt-get install softhsm2 (scripts/test.sh does)")
        }
        self.modulePath = modulePath
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("clearance-softhsm-\(UUID().uuidString)")
        let tokens = directory.appendingPathComponent("tokens")
        try FileManager.default.createDirectory(at: tokens, withIntermediateDirectories: true)
        configPath = directory.appendingPathComponent("softhsm2.conf").path
        try "directories.tokendir = \(tokens.path)\nobjectstore.backend = file\nlog.level = ERROR\n"
            .write(toFile: configPath, atomically: true, encoding: .utf8)
        pinFile = directory.appendingPathComponent("pin.txt").path
        try "\(pin)\n".write(toFile: pinFile, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: pinFile)
        // Before this process's first PKCS#11 call, which is the first thing that reads it.
        setenv("SOFTHSM2_CONF", configPath, 1)

        for (token, keys) in [(label, [("rsa", "01"), ("ec", "02")]), (pinTestLabel, [("rsa", "03")])] {
            try await run("/usr/bin/softhsm2-util", ["--init-token", "--free", "--label", token, "--pin", pin, "--so-pin", "97531864"])
            for (name, id) in keys {
                let key = path("\(token)-\(name).pem")
                let algorithm = name == "rsa" ? ["-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048"] : ["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256"]
                try await run("/usr/bin/env", ["openssl", "genpkey"] + algorithm + ["-out", key])
                try await run("/usr/bin/env", ["openssl", "req", "-x509", "-new", "-key", key, "-out", certificatePath(name, token: token),
                                               "-subj", "/CN=Clearance \(token) \(name)/O=Clearance test", "-days", "3",
                                               "-addext", "keyUsage=critical,digitalSignature"])
                try await run("/usr/bin/softhsm2-util", ["--import", key, "--token", token, "--label", name, "--id", id, "--pin", pin])
                // The private key now lives on the token only, as it would in production.
                try FileManager.default.removeItem(atPath: key)
            }
        }
    }

    /// A file in the fixture's directory.
    public func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    /// The PEM certificate of key `name` (`rsa`, `ec`) on `token` (default: ``label``).
    public func certificatePath(_ name: String, token: String? = nil) -> String { path("\(token ?? label)-\(name)-cert.pem") }

    /// The PKCS#11 URI of key `name` on `token` (default: ``label``), naming the SoftHSM2 module.
    public func uri(_ name: String, token: String? = nil) -> String {
        "pkcs11:token=\(token ?? label);object=\(name);type=private?module-path=\(modulePath)"
    }

    /// This process's environment with `SOFTHSM2_CONF` set, for child processes.
    public var environment: [String: String] {
        var environment = ProcessInfo.processInfo.environment
        environment["SOFTHSM2_CONF"] = configPath
        return environment
    }

    private func run(_ executable: String, _ arguments: [String]) async throws {
        let ran = try await CommandRunner.run(executable, arguments, environment: environment, timeout: 60)
        guard ran.status == 0 else {
            throw SetupFailed(description: "\(([executable] + arguments).joined(separator: " ")) exited \(ran.status): \(ran.output)")
        }
    }
}
