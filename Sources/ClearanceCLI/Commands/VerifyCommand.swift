import ArgumentParser
import ClearanceRouting
import Dispatch
import Foundation
import XMLSignature

/// `clearance verify`: strict verification of enveloped XML signatures on CEB messages.
struct VerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Verify the enveloped XML signature of CEB messages against trusted CAs or pinned certificates.",
        discussion: """
            Strict: exactly one ds:Signature, last child of the root; one Reference URI="" with the \
            enveloped-signature transform; allowed algorithms only; ds:KeyName equal to the certificate serial; \
            the certificate trusted, valid now and allowed to sign. The e-port profiles (eport, eport2022) are accepted, their weak \
            elements (SHA-1, RSA-SHA1, RSA-1024) reported as warnings unless --refuse-weak. Files are verified \
            in parallel and streamed in constant memory. Exit code 0 when every file verifies, 1 when any \
            fails (each with its reason), 2 on usage or I/O errors.
            """
    )

    @Option(parsing: .singleValue, help: "Trusted CA certificates, PEM files (comma-separated or repeated).")
    var trust: [String] = []

    @Option(parsing: .singleValue, help: "Pinned signer certificates, PEM files, trusted as they are (repeatable).")
    var pin: [String] = []

    @Flag(help: "Refuse SHA-1 digests, RSA-SHA1 signatures and RSA keys under 2048 bits instead of warning.")
    var refuseWeak = false

    @Option(help: "Output format: text or json (JSON lines).")
    var format: OutputFormat = .text

    @Argument(help: "Signed CEB XML files; '-' reads standard input.")
    var files: [String] = []

    @OptionGroup var fileList: FileListOption

    func run() throws {
        let verifier: SignatureVerifier
        let files: [String]
        do {
            files = try fileList.paths(after: self.files)
            if trust.isEmpty && pin.isEmpty { throw ValidationError("give --trust CA.pem and/or --pin CERT.pem: nothing is trusted otherwise") }
            let anchors = try trust.flatMap { $0.split(separator: ",").map(String.init) }.flatMap { path in
                try Certificate.all(pem: String(contentsOfFile: path, encoding: .utf8))
            }
            let pinned = try pin.flatMap { path in try Certificate.all(pem: String(contentsOfFile: path, encoding: .utf8)) }
            guard !anchors.isEmpty || !pinned.isEmpty else { throw ValidationError("the trust files hold no certificate") }
            var policy = SignaturePolicy(trustStore: try TrustStore(anchors: anchors, pinned: pinned))
            policy.refusesWeak = refuseWeak
            // Export messages carry `ExtendMessage` after the signature, as the official schema orders it.
            policy.elementsAllowedAfterSignature = [OutboundPreparer.extendMessage]
            verifier = SignatureVerifier(policy: policy)
        } catch {
            FileHandle.standardError.write(Data("clearance verify: \(error)\n".utf8))
            throw Exit.usage
        }
        let outcomes = LockedBox([Result<VerificationResult, VerificationFailure>?](repeating: nil, count: files.count))
        DispatchQueue.concurrentPerform(iterations: files.count) { index in
            let outcome = Result { () throws(VerificationFailure) in try verifier.verify(path: files[index]) }
            outcomes.update { $0[index] = outcome }
        }
        let results = outcomes.get()
        let printer = OutputBuffer()
        var failed = 0, ioErrors = 0
        for (index, file) in files.enumerated() {
            let outcome = results[index] ?? .failure(VerificationFailure(.io("not verified")))
            if case .failure(let failure) = outcome {
                if case .io = failure.reason { ioErrors += 1 } else { failed += 1 }
            }
            switch (format, outcome) {
            case (.text, .success(let result)): printer.line("\(file): OK \(result.summary)")
            case (.text, .failure(let failure)): printer.line("\(file): FAILED \(failure)")
            case (.json, _): printer.line(Self.json(file, outcome))
            }
        }
        let verified = files.count - failed - ioErrors
        switch format {
        case .text:
            printer.line("verified \(verified) of \(files.count) file(s); \(failed) failed" + (ioErrors > 0 ? "; \(ioErrors) unreadable" : ""))
        case .json:
            var line = JSONLine(summaryOfFiles: files.count)
            line.add("verified", verified)
            line.add("failed", failed)
            line.add("unreadable", ioErrors)
            printer.line(line.line)
        }
        printer.flush()
        if ioErrors > 0 { throw Exit.usage }
        if failed > 0 { throw Exit.invalid }
    }

    /// One file's verdict as a JSON line.
    private static func json(_ file: String, _ outcome: Result<VerificationResult, VerificationFailure>) -> String {
        var line = JSONLine()
        line.add("file", file)
        switch outcome {
        case .success(let result):
            line.add("valid", raw: "true")
            line.add("signer", result.signer.subject)
            line.add("serial", result.signer.serialNumberHex)
            line.add("issuer", result.signer.issuer)
            line.add("signatureAlgorithm", result.signatureAlgorithm.uri)
            line.add("digestAlgorithm", result.digestAlgorithm.uri)
            line.add("profile", result.profile.rawValue)
            var warnings = ""
            for warning in result.warnings {
                if !warnings.isEmpty { warnings += "," }
                JSONLine.quote(warning.description, into: &warnings)
            }
            line.add("warnings", raw: "[\(warnings)]")
        case .failure(let failure):
            line.add("valid", raw: "false")
            line.add("code", failure.code)
            line.add("reason", failure.message)
            line.add("line", failure.position?.line)
            line.add("column", failure.position?.column)
        }
        return line.line
    }
}
