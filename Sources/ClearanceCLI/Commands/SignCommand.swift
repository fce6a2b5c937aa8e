import ArgumentParser
import CEBModel
import ClearanceRouting
import Dispatch
import Foundation
import XMLSignature

/// `clearance sign`: enveloped XML signatures on CEB messages, many files at once on all cores.
struct SignCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sign",
        abstract: "Sign CEB messages with an enveloped XML signature (ds:Signature as the root's last child; before ExtendMessage in export messages).",
        discussion: """
            The original bytes are kept; the signature is inserted before the root's closing tag (before ExtendMessage in export messages, as their official schema orders it) and the output \
            is written atomically. The standard profile signs RSA keys with RSA-SHA256, P-256 keys with \
            ECDSA-SHA256 and SM2 keys with SM2-SM3 (SM3 digest); the eport profile signs as e-port keys do: \
            SM2 keys with sm2-sm3 over a SHA-1 digest, RSA keys with rsa-sha1; the eport2022 profile signs SM2 \
            keys as the 202205 specification does: the e-port's 2022 sm2-sm3 URI over an SM3 digest. --key also takes a PKCS#11 URI \
            (pkcs11:token=…;object=…[?module-path=…]): the key stays on the token. Passphrases and PINs are read from a \
            file or an environment variable, never from the command line. Exit code 0 when every file was \
            signed, 1 when a document was refused (not well-formed, already signed), 2 on usage or I/O errors.
            """
    )

    @Option(help: "Private key: a PEM file (PKCS#8, encrypted PKCS#8 or traditional) or a PKCS#11 URI (pkcs11:token=…;object=…).")
    var key: String

    @Option(help: "Signer certificate, PEM.")
    var cert: String

    @Option(help: "Signature algorithm (default: chosen by the profile from the key type).")
    var algorithm: AlgorithmChoice?

    @Option(help: "Signature profile: standard, eport or eport2022.")
    var profile: ProfileChoice = .standard

    @Option(help: "Canonicalization of SignedInfo: inclusive (as e-port senders) or exclusive.")
    var canonicalization: CanonicalizationChoice = .inclusive

    @OptionGroup var secret: KeySecretOptions

    @Option(name: [.short, .customLong("output")], help: "Output file (exactly one input file).")
    var output: String?

    @Option(help: "Output directory: each FILE is written there under its own name.")
    var outDir: String?

    @Option(help: "Output format: text or json (JSON lines).")
    var format: OutputFormat = .text

    @Flag(help: "Skip the fsync of each output before its rename (faster for large batches; not crash-safe).")
    var noSync = false

    @Argument(help: "CEB XML files to sign.")
    var files: [String] = []

    @OptionGroup var fileList: FileListOption

    /// Usage problems the parser cannot express; reported with exit code 2.
    private func usageProblem(_ files: [String]) -> String? {
        guard (output == nil) != (outDir == nil) else { return "give either -o OUT (with one FILE) or --out-dir DIR" }
        if output != nil, files.count != 1 { return "-o takes exactly one input FILE; use --out-dir for several" }
        if outDir != nil {
            var names = Set<String>()
            for file in files where !names.insert(URL(fileURLWithPath: file).lastPathComponent).inserted {
                return "two input files are named \(URL(fileURLWithPath: file).lastPathComponent): their outputs would collide in --out-dir"
            }
        }
        return nil
    }

    /// Where the signature goes in the file at `path`: before `ExtendMessage` in export messages (their official
    /// order), else last. The message is named by the root element, read from the file's first 4 KiB.
    static func partsAfterSignature(_ path: String) -> [ElementName] {
        guard let handle = FileHandle(forReadingAtPath: path) else { return [] }
        defer { try? handle.close() }
        let head = String(decoding: handle.readData(ofLength: 4096), as: UTF8.self)
        guard let root = head.firstMatch(of: /<(?:[A-Za-z_][\w.-]*:)?([A-Za-z_][\w.-]*Message)[\s>\/]/) else { return [] }
        return OutboundPreparer.partsAfterSignature(of: MessageCatalog.spec(root: String(root.output.1)))
    }

    func run() throws {
        let signer: DocumentSigner
        let files: [String]
        do {
            files = try fileList.paths(after: self.files)
            if let problem = usageProblem(files) { throw ValidationError(problem) }
            signer = try makeSigner()
        } catch {
            FileHandle.standardError.write(Data("clearance sign: \(error)\n".utf8))
            throw Exit.usage
        }
        let jobs = files.map { file in (file, output ?? URL(fileURLWithPath: outDir!).appendingPathComponent(URL(fileURLWithPath: file).lastPathComponent).path) }
        let failed = LockedBox([SignatureError?](repeating: nil, count: jobs.count))
        let start = DispatchTime.now()
        DispatchQueue.concurrentPerform(iterations: jobs.count) { index in
            let (input, output) = jobs[index]
            do throws(SignatureError) {
                try signer.sign(inputPath: input, outputPath: output, before: Self.partsAfterSignature(input), durable: !noSync)
            } catch {
                failed.update { $0[index] = error }
            }
        }
        let failures = failed.get()
        let milliseconds = Int((DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1_000_000)
        let printer = OutputBuffer()
        var refused = 0, ioErrors = 0
        for (index, (input, output)) in jobs.enumerated() {
            let failure = failures[index]
            if let failure {
                if case .io = failure.reason { ioErrors += 1 } else { refused += 1 }
            }
            switch format {
            case .text:
                printer.line(failure.map { "\(input): NOT SIGNED: \($0)" } ?? "\(input): signed -> \(output)")
            case .json:
                var line = JSONLine()
                line.add("file", input)
                line.add("signed", raw: failure == nil ? "true" : "false")
                if failure == nil { line.add("output", output) }
                line.add("error", failure?.message)
                if let position = failure?.position {
                    line.add("line", position.line)
                    line.add("column", position.column)
                }
                printer.line(line.line)
            }
        }
        let signed = jobs.count - refused - ioErrors
        switch format {
        case .text:
            printer.line("signed \(signed) of \(jobs.count) file(s) with \(signer.signatureAlgorithm.uri) (\(signer.digestAlgorithm) digest) in \(milliseconds) ms")
        case .json:
            var line = JSONLine(summaryOfFiles: jobs.count)
            line.add("signed", signed)
            line.add("refused", refused)
            line.add("unreadable", ioErrors)
            line.add("signatureAlgorithm", signer.signatureAlgorithm.uri)
            line.add("digestAlgorithm", signer.digestAlgorithm.uri)
            line.add("milliseconds", milliseconds)
            printer.line(line.line)
        }
        printer.flush()
        if ioErrors > 0 { throw Exit.usage }
        if refused > 0 { throw Exit.invalid }
    }

    private func makeSigner() throws -> DocumentSigner {
        let key = try secret.loadKey(self.key)
        let certificate = try Certificate(pem: String(contentsOfFile: cert, encoding: .utf8))
        return try DocumentSigner(
            key: key, certificate: certificate, profile: profile.profile, algorithm: algorithm?.algorithm,
            canonicalization: canonicalization.method)
    }
}

/// `--algorithm` values.
enum AlgorithmChoice: String, ExpressibleByArgument, CaseIterable {
    case rsaSHA256 = "rsa-sha256", rsaSHA1 = "rsa-sha1", ecdsaSHA256 = "ecdsa-sha256", sm2SM3 = "sm2-sm3"

    var algorithm: SignatureAlgorithm {
        switch self {
        case .rsaSHA256: .rsaSHA256
        case .rsaSHA1: .rsaSHA1
        case .ecdsaSHA256: .ecdsaSHA256
        case .sm2SM3: .sm2SM3
        }
    }
}

/// `--profile` values.
enum ProfileChoice: String, ExpressibleByArgument, CaseIterable {
    case standard, eport, eport2022

    var profile: SignatureProfile {
        switch self {
        case .standard: .standard
        case .eport: .eport
        case .eport2022: .eport2022
        }
    }
}

/// `--canonicalization` values.
enum CanonicalizationChoice: String, ExpressibleByArgument, CaseIterable {
    case inclusive, exclusive

    var method: CanonicalizationMethod { self == .exclusive ? .exclusive : .inclusive }
}
