// The Clearance side of `Benchmarks/bench_signature.py`: in-process signing and verification rates.
//
//   SignatureBench sign KEY CERT PROFILE THREADS FILE...   sign each (in memory) with DocumentSigner
//   SignatureBench verify CA THREADS FILE...                verify each (in memory) with SignatureVerifier
//   SignatureBench sign-file KEY CERT PROFILE IN OUT        stream-sign one (large) file
//   SignatureBench verify-file CA PATH                      stream-verify one (large) file
//   SignatureBench profiles COUNT FILE...                   RSA-SHA256 vs SM2-eport sign/verify rates (fresh keys)
//
// Files are loaded before timing. Prints one line: "ops/s <rate> ok <count> seconds <s>".
import Dispatch
import Foundation
import XMLSignature

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("SignatureBench: \(message)\n".utf8))
    exit(2)
}

func load(_ paths: ArraySlice<String>) -> [[UInt8]] {
    paths.map { path in
        guard let data = FileManager.default.contents(atPath: path) else { fail("cannot read \(path)") }
        return [UInt8](data)
    }
}

func now() -> Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }

final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var value = 0
    func add() { lock.lock(); value += 1; lock.unlock() }
    var count: Int { lock.lock(); defer { lock.unlock() }; return value }
}

/// Runs `body` over every index, on one thread or spread over `threads` workers.
func run(_ count: Int, threads: Int, _ body: @Sendable (Int) -> Bool) -> (seconds: Double, ok: Int) {
    let ok = Counter()
    let start = now()
    if threads <= 1 {
        for index in 0..<count where body(index) { ok.add() }
    } else {
        DispatchQueue.concurrentPerform(iterations: threads) { worker in
            for index in stride(from: worker, to: count, by: threads) where body(index) { ok.add() }
        }
    }
    return (now() - start, ok.count)
}

func report(_ count: Int, _ outcome: (seconds: Double, ok: Int)) {
    print(String(format: "ops/s %.1f ok %d seconds %.3f", Double(count) / outcome.seconds, outcome.ok, outcome.seconds))
}

func signer(key: String, cert: String, profile: String) -> DocumentSigner {
    do {
        let key = try PrivateKey(pem: String(contentsOfFile: key, encoding: .utf8))
        let certificate = try Certificate(pem: String(contentsOfFile: cert, encoding: .utf8))
        return try DocumentSigner(key: key, certificate: certificate, profile: profile == "eport" ? .eport : .standard)
    } catch { fail("\(error)") }
}

func verifier(ca: String) -> SignatureVerifier {
    do {
        return SignatureVerifier(policy: SignaturePolicy(trustStore: try TrustStore(anchorsPEM: String(contentsOfFile: ca, encoding: .utf8))))
    } catch { fail("\(error)") }
}

let arguments = CommandLine.arguments
guard arguments.count >= 2 else { fail("usage: see the header of main.swift") }
switch arguments[1] {
case "sign" where arguments.count >= 7:
    let signer = signer(key: arguments[2], cert: arguments[3], profile: arguments[4])
    let documents = load(arguments[6...])
    report(documents.count, run(documents.count, threads: Int(arguments[5]) ?? 1) { index in
        (try? signer.sign(bytes: documents[index])) != nil
    })
case "verify" where arguments.count >= 5:
    let verifier = verifier(ca: arguments[2])
    let documents = load(arguments[4...])
    report(documents.count, run(documents.count, threads: Int(arguments[3]) ?? 1) { index in
        (try? verifier.verify(bytes: documents[index])) != nil
    })
case "sign-file" where arguments.count == 7:
    let signer = signer(key: arguments[2], cert: arguments[3], profile: arguments[4])
    let start = now()
    do { try signer.sign(inputPath: arguments[5], outputPath: arguments[6]) } catch { fail("\(error)") }
    print(String(format: "seconds %.3f", now() - start))
case "verify-file" where arguments.count == 4:
    let verifier = verifier(ca: arguments[2])
    let start = now()
    do { _ = try verifier.verify(path: arguments[3]) } catch { fail("\(error)") }
    print(String(format: "seconds %.3f", now() - start))
case "profiles" where arguments.count >= 4:
    let count = Int(arguments[2]) ?? 200
    let documents = Array(load(arguments[3...]).prefix(count))
    do {
        for (name, kind, profile) in [("rsa-sha256", KeyKind.rsa(bits: 2048), SignatureProfile.standard), ("sm2-eport", .sm2, .eport)] {
            let key = try PrivateKey.generate(kind: kind)
            let ca = try CertificateAuthority.selfSigned(commonName: "Bench CA", key: key)
            let certificate = try ca.issue(commonName: "Bench signer", publicKey: key.publicKey)
            let signer = try DocumentSigner(key: key, certificate: certificate, profile: profile)
            let verifier = SignatureVerifier(policy: SignaturePolicy(trustStore: try TrustStore(anchors: [ca.certificate])))
            let signed = try documents.map { try signer.sign(bytes: $0) }
            let signing = run(documents.count, threads: 1) { (try? signer.sign(bytes: documents[$0])) != nil }
            let verifying = run(signed.count, threads: 1) { (try? verifier.verify(bytes: signed[$0])) != nil }
            print(String(format: "%@ sign/s %.1f verify/s %.1f ok %d/%d", name, Double(documents.count) / signing.seconds,
                         Double(signed.count) / verifying.seconds, signing.ok, verifying.ok))
        }
    } catch { fail("\(error)") }
default:
    fail("usage: see the header of Benchmarks/SignatureBench/main.swift")
}

