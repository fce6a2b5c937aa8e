import Foundation

/// The `clearance` executable as an operator runs it from the checkout (relative sample paths work).
public enum CLI {
    /// A setup step that failed, with the command's output.
    public struct Failed: Error, CustomStringConvertible {
        public let description: String
    }

    /// Runs `clearance arguments…` in the checkout, killed after `timeout` seconds.
    public static func run(_ arguments: [String], timeout: Double = 120) async throws -> CommandRunner.Ran {
        try await CommandRunner.run(try TestBinaries.clearance(), arguments, in: Repository.root, timeout: timeout)
    }

    /// An authority account (`kind`: customs, inspection…; nil: a system account) in `store` with a
    /// fresh key and self-signed certificate (made by the OpenSSL command line) registered for it;
    /// returns the `--key`/`--cert` options that make `simulate-customs` (or `sign`) sign as it.
    public static func authority(_ code: String, kind: String?, store: String) async throws -> [String] {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("clearance-authority-\(code)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let key = directory.appendingPathComponent("key.pem").path, cert = directory.appendingPathComponent("cert.pem").path
        let steps: [(String, [String])] = [
            ("/usr/bin/env", ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                              "-keyout", key, "-out", cert, "-subj", "/CN=\(code)", "-days", "2", "-addext", "keyUsage=digitalSignature"]),
            (try TestBinaries.clearance(), ["enterprise", "add", code, "--store", store, "--name", code] + (kind.map { ["--role", "authority", "--authority", $0] } ?? ["--role", "system"])),
            (try TestBinaries.clearance(), ["enterprise", "cert", "register", code, cert, "--store", store]),
        ]
        for (executable, arguments) in steps {
            let ran = try await CommandRunner.run(executable, arguments, in: Repository.root, timeout: 60)
            guard ran.status == 0 else { throw Failed(description: "\(arguments.prefix(3).joined(separator: " ")): \(ran.output)") }
        }
        return ["--key", key, "--cert", cert]
    }
}
