import ArgumentParser
import Foundation
import XMLSignature

/// Where the secret of a `--key` comes from: the passphrase of an encrypted PEM key or the user PIN of a
/// PKCS#11 token (`--key pkcs11:…`). Both spellings name the same options.
///
/// Never from the command line: arguments are visible to every user of the machine (`ps`,
/// `/proc/PID/cmdline`), so the secret is read from a file's first line or from an environment variable.
struct KeySecretOptions: ParsableArguments {
    @Option(name: [.customLong("pin-file"), .customLong("passphrase-file")],
            help: ArgumentHelp("File whose first line is the token PIN or the key passphrase (default: $CLEARANCE_KEY_PIN_FILE).", valueName: "FILE"))
    var file: String?

    @Option(name: [.customLong("pin-env"), .customLong("passphrase-env")],
            help: ArgumentHelp("Environment variable holding the token PIN or the key passphrase (default: CLEARANCE_KEY_PIN when set).", valueName: "VAR"))
    var variable: String?

    func validate() throws {
        if file != nil, variable != nil { throw ValidationError("give --pin-file or --pin-env (--passphrase-file or --passphrase-env), not both") }
    }

    /// The secret's bytes, or `nil` when none is configured.
    func secret() throws -> [UInt8]? {
        let environment = ProcessInfo.processInfo.environment
        if let path = file ?? environment["CLEARANCE_KEY_PIN_FILE"].flatMap({ $0.isEmpty ? nil : $0 }) {
            let text = try String(contentsOfFile: path, encoding: .utf8)
            var line = Array((text.split(separator: "\n", omittingEmptySubsequences: false).first ?? "").utf8)
            if line.last == 0x0D { line.removeLast() }
            return line
        }
        if let variable {
            guard let value = environment[variable] else { throw ValidationError("environment variable \(variable) is not set") }
            return Array(value.utf8)
        }
        return environment["CLEARANCE_KEY_PIN"].map { Array($0.utf8) }
    }

    /// Loads `reference`: a `pkcs11:` URI (the key stays on the token) or a PEM file.
    func loadKey(_ reference: String) throws -> PrivateKey {
        let secret = try secret()
        if reference.hasPrefix("pkcs11:") {
            return try PrivateKey(pkcs11: try PKCS11URI(reference), pin: secret)
        }
        return try PrivateKey(pem: String(contentsOfFile: reference, encoding: .utf8), passphrase: secret)
    }
}
