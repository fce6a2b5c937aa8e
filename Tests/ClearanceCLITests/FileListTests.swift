import ClearanceTestSupport
import Foundation
import Testing

/// `--files-from LIST`: paths read from a list (or standard input) after those given as arguments,
/// for inputs too many for the argument parser (its cost grows with the square of their number).
@Suite struct FileListTests {
    @Test func validateReadsTheListAfterItsArguments() async throws {
        let dir = scratchDirectory("files-from")
        let list = dir + "/list.txt"
        // CRLF line ends and blank lines, as lists made on other systems have.
        try "\(Repository.path("samples/valid/CEB411-payment.xml"))\r\n\n\(Repository.path("samples/valid/CEB511-logistics.xml"))\n"
            .write(toFile: list, atomically: true, encoding: .utf8)
        let ran = try await CLI.run(["validate", Repository.path("samples/valid/CEB311-order.xml"), "--files-from", list])
        #expect(ran.status == 0, "\(ran.output)")
        #expect(ran.output.contains("validated 3 file(s)"), "\(ran.output)")
    }

    @Test(arguments: [
        (["validate"], "give at least one file"),
        (["validate", "--files-from", "/nonexistent/list.txt"], "cannot be read"),
        (["submit", "--store", "sqlite:/nonexistent/x.sqlite", "--files-from", "/dev/null"], "lists no path"),
    ])
    func aMissingOrEmptyListIsAUsageError(arguments: [String], reason: String) async throws {
        let ran = try await CLI.run(arguments)
        #expect(ran.status == 2, "\(ran.output)")
        #expect(ran.output.contains(reason), "\(ran.output)")
    }

    /// The bulk tools read lists too: files signed from one list verify from another.
    @Test func signAndVerifyReadLists() async throws {
        let dir = scratchDirectory("files-from-sign")
        let key = dir + "/key.pem", cert = dir + "/cert.pem", out = dir + "/signed"
        let openssl = try await CommandRunner.run("openssl", [
            "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
            "-keyout", key, "-out", cert, "-subj", "/CN=LIST", "-days", "2", "-addext", "keyUsage=digitalSignature"], timeout: 60)
        #expect(openssl.status == 0, "\(openssl.output)")
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        let names = ["CEB311-order.xml", "CEB411-payment.xml", "CEB511-logistics.xml"]
        try names.map { Repository.path("samples/valid/\($0)") }.joined(separator: "\n")
            .write(toFile: dir + "/unsigned.txt", atomically: true, encoding: .utf8)
        let signed = try await CLI.run(["sign", "--key", key, "--cert", cert, "--out-dir", out, "--files-from", dir + "/unsigned.txt"])
        #expect(signed.status == 0, "\(signed.output)")
        try names.dropFirst().map { out + "/" + $0 }.joined(separator: "\n").write(toFile: dir + "/signed.txt", atomically: true, encoding: .utf8)
        let verified = try await CLI.run(["verify", "--pin", cert, out + "/" + names[0], "--files-from", dir + "/signed.txt"])
        #expect(verified.status == 0, "\(verified.output)")
        #expect(verified.output.contains("verified 3 of 3 file(s)"), "\(verified.output)")
    }
}
