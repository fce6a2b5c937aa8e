import Foundation

/// The OpenSSL command line as an outside oracle for signatures Clearance makes.
public enum OpenSSLCLI {
    /// Runs `/usr/bin/openssl` with `arguments` (60 s at most).
    public static func run(_ arguments: [String]) async throws -> CommandRunner.Ran {
        try await CommandRunner.run("/usr/bin/openssl", arguments, timeout: 60)
    }

    /// Verifies a real-time payment data answer (`payExInfoStr` as received) signed with SM2 under the
    /// e-port signer ID: the signed string is rebuilt from the received text alone (the head and lists
    /// sliced out as sent, not re-serialised), the raw `r‖s` re-encoded as DER, and `openssl pkeyutl`
    /// checks it with SM3 and `distid:1234567812345678`. Status 0 means verified.
    public static func verifyPaymentData(_ text: String, publicKeyPEM: String) async throws -> CommandRunner.Ran {
        guard let object = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any],
              let sessionID = object["sessionID"] as? String, let serviceTime = object["serviceTime"] as? String,
              let signValue = object["signValue"] as? String, let raw = Data(base64Encoded: signValue),
              let head = slice(text, from: "\"payExchangeInfoHead\":", to: ",\"payExchangeInfoLists\":"),
              let lists = slice(text, from: "\"payExchangeInfoLists\":", to: ",\"serviceTime\":") else {
            throw OpenSSLFilesError("not a payExInfoStr: \(text.prefix(200))")
        }
        let signed = "\"sessionID\":\"\(sessionID)\"||\"payExchangeInfoHead\":\"\(head)\"||\"payExchangeInfoLists\":\"\(lists)\"||\"serviceTime\":\"\(serviceTime)\""
        let files = try OpenSSLFiles(signed: signed, signature: ECDSASignatureDER.fromRaw(Array(raw)), publicKey: publicKeyPEM)
        return try await run(["pkeyutl", "-verify", "-pubin", "-inkey", files.publicKey, "-rawin", "-digest", "sm3",
                              "-pkeyopt", "distid:1234567812345678", "-in", files.data, "-sigfile", files.signature])
    }

    /// The text between `start` and the first `end` after it.
    public static func slice(_ text: String, from start: String, to end: String) -> String? {
        guard let a = text.range(of: start), let b = text.range(of: end, range: a.upperBound..<text.endIndex) else { return nil }
        return String(text[a.upperBound..<b.lowerBound])
    }
}

/// Files for an `openssl` verification in a fresh temporary directory.
public struct OpenSSLFiles {
    public let data: String
    public let signature: String
    public let publicKey: String
    public let certificate: String

    public init(signed: String, signature bytes: [UInt8], publicKey pem: String, certificate: String = "") throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("openssl-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        data = dir.appendingPathComponent("signed.txt").path
        signature = dir.appendingPathComponent("sig.bin").path
        publicKey = dir.appendingPathComponent("pub.pem").path
        self.certificate = dir.appendingPathComponent("cert.pem").path
        try Data(signed.utf8).write(to: URL(fileURLWithPath: data))
        try Data(bytes).write(to: URL(fileURLWithPath: signature))
        try Data(pem.utf8).write(to: URL(fileURLWithPath: publicKey))
        try Data(certificate.utf8).write(to: URL(fileURLWithPath: self.certificate))
    }
}

/// Why the files could not be prepared.
public struct OpenSSLFilesError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// Raw `r‖s` → DER `ECDSA-Sig-Value`, which the OpenSSL command line reads.
public enum ECDSASignatureDER {
    public static func fromRaw(_ raw: [UInt8]) -> [UInt8] {
        let half = raw.count / 2
        let body = integer(Array(raw[..<half])) + integer(Array(raw[half...]))
        return [0x30, UInt8(body.count)] + body
    }

    private static func integer(_ magnitude: [UInt8]) -> [UInt8] {
        var value = Array(magnitude.drop { $0 == 0 })
        if value.isEmpty || value[0] & 0x80 != 0 { value.insert(0, at: 0) }
        return [0x02, UInt8(value.count)] + value
    }
}
