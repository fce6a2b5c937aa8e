import ClearanceTestSupport
import Foundation
import Testing
import XMLSignature

/// Locations and helpers shared by the XMLSignature tests.
enum Fixtures {
    /// `<package root>/../shared`, found from this file's path. CI clones the repo into another folder
    /// with `shared/` beside it, so nothing here may assume `/work`.
    static let sharedDirectory: URL = {
        var directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        while directory.path != "/" {
            if FileManager.default.fileExists(atPath: directory.appendingPathComponent("Package.swift").path) {
                return directory.deletingLastPathComponent().appendingPathComponent("shared")
            }
            directory = directory.deletingLastPathComponent()
        }
        fatalError("no Package.swift above \(#filePath)")
    }()

    /// Reads a file under `shared/`; records a failure (never a skip) when it is missing.
    static func shared(_ relativePath: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> Data {
        let url = sharedDirectory.appendingPathComponent(relativePath)
        guard FileManager.default.fileExists(atPath: url.path) else {
            Issue.record("missing reference file \(url.path): shared/ must sit beside the repository", sourceLocation: sourceLocation)
            throw CocoaError(.fileNoSuchFile)
        }
        return try Data(contentsOf: url)
    }

    static func sharedText(_ relativePath: String) throws -> String {
        String(decoding: try shared(relativePath), as: UTF8.self)
    }
}

/// A scratch directory for files handed to the `openssl` command line.
final class ScratchDirectory {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("xmlsig-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    deinit {
        try? FileManager.default.removeItem(at: url)
    }

    func path(_ name: String) -> String { url.appendingPathComponent(name).path }

    @discardableResult
    func write(_ name: String, _ bytes: some Sequence<UInt8>) throws -> String {
        try Data(bytes).write(to: url.appendingPathComponent(name))
        return path(name)
    }

    @discardableResult
    func write(_ name: String, _ text: String) throws -> String {
        try write(name, Array(text.utf8))
    }

    func read(_ name: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: url.appendingPathComponent(name)))
    }
}

/// Runs the `openssl` command line; returns exit status and combined output.
@discardableResult
func openssl(_ arguments: String...) throws -> (status: Int32, output: String) {
    try openssl(arguments)
}

/// Runs the `openssl` command line with an argument array.
@discardableResult
func openssl(_ arguments: [String]) throws -> (status: Int32, output: String) {
    let ran = try CommandRunner.runBlocking("openssl", arguments, timeout: 120)
    return (ran.status, ran.output)
}

/// An independent (test-side) DER codec for ECDSA-Sig-Value, to cross-check the module's conversion.
enum TestDER {
    static func ecdsaSignature(raw: [UInt8]) -> [UInt8] {
        let half = raw.count / 2
        let body = integer(Array(raw[..<half])) + integer(Array(raw[half...]))
        return [0x30] + length(body.count) + body
    }

    static func raw(ecdsaSignature der: [UInt8], fieldSize: Int = 32) -> [UInt8] {
        var index = 2
        if der[1] & 0x80 != 0 { index += Int(der[1] & 0x7f) }
        var out: [UInt8] = []
        for _ in 0..<2 {
            precondition(der[index] == 0x02)
            let count = Int(der[index + 1])
            var value = Array(der[(index + 2)..<(index + 2 + count)])
            while value.count > fieldSize, value.first == 0 { value.removeFirst() }
            out += [UInt8](repeating: 0, count: fieldSize - value.count) + value
            index += 2 + count
        }
        return out
    }

    private static func integer(_ magnitude: [UInt8]) -> [UInt8] {
        var value = Array(magnitude.drop { $0 == 0 })
        if value.isEmpty || value[0] & 0x80 != 0 { value.insert(0, at: 0) }
        return [0x02] + length(value.count) + value
    }

    private static func length(_ count: Int) -> [UInt8] {
        count < 0x80 ? [UInt8(count)] : [0x81, UInt8(count)]
    }
}

func hex(_ bytes: [UInt8]) -> String {
    bytes.map { String(format: "%02x", $0) }.joined()
}

/// The key kinds exercised everywhere, with the algorithm each signs with.
let signingCases: [(KeyKind, SignatureAlgorithm)] = [
    (.rsa(bits: 1024), .rsaSHA1),
    (.rsa(bits: 2048), .rsaSHA256),
    (.rsa(bits: 2048), .rsaSHA1),
    (.ecP256, .ecdsaSHA256),
    (.sm2, .sm2SM3),
]

/// Keys are generated once per kind and shared by tests (RSA generation is slow).
enum TestKeys {
    static let rsa1024 = try! PrivateKey.generate(kind: .rsa(bits: 1024))
    static let rsa2048 = try! PrivateKey.generate(kind: .rsa(bits: 2048))
    static let p256 = try! PrivateKey.generate(kind: .ecP256)
    static let sm2 = try! PrivateKey.generate(kind: .sm2)

    static func key(_ kind: KeyKind) -> PrivateKey {
        switch kind {
        case .rsa(1024): return rsa1024
        case .rsa: return rsa2048
        case .ecP256: return p256
        default: return sm2
        }
    }
}
