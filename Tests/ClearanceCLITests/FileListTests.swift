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
}
