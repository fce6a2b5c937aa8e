import ClearanceTestSupport
import Foundation
import Testing

/// `clearance partitions` with the built executable: `ingest` makes partitions ahead before each
/// file, a later run has nothing to make, retention keeps what is recent, SQLite says it is not
/// partitioned, and bad options are usage errors.
@Suite struct CLIPartitionsTests {
    @Test func postgresql() async throws {
        let store = try freshURL(.postgresql)
        let ingested = try await CLI.run(["ingest", "--store", store, "--quiet", "samples/valid/CEB621-inventory.xml"])
        #expect(ingested.status == 0, "\(ingested.output)")

        // Ingest made two spans ahead of id 0; with ids 1 in use, two spans beyond them need a third.
        let text = try await CLI.run(["partitions", "--store", store, "--retention-days", "1"])
        #expect(text.status == 0, "\(text.output)")
        #expect(text.output.contains("made message_parts_200001 [200001, 300001)"), "\(text.output)")
        #expect(!text.output.contains("detached "), "nothing is past retention:\n\(text.output)")
        #expect(text.output.contains("declaration_lines: 4 attached, 0 detached"), "\(text.output)")
        #expect(text.output.contains("  declaration_lines_1 [1, 100001)"), "\(text.output)")
        let again = try await CLI.run(["partitions", "--store", store])
        #expect(again.status == 0 && !again.output.contains("made "), "\(again.output)")

        let json = try await CLI.run(["partitions", "--store", store, "--format", "json", "--partitions-ahead", "3"])
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.output.utf8)) as? [String: Any], "\(json.output)")
        #expect(object["partitioned"] as? Bool == true)
        let created = try #require(object["created"] as? [[String: Any]])
        #expect(created.map { $0["name"] as? String } == ["message_parts_300001", "declaration_lines_300001"], "\(json.output)")
    }

    @Test func sqliteAndUsage() async throws {
        let store = try freshURL(.sqlite)
        let run = try await CLI.run(["partitions", "--store", store])
        #expect(run.status == 0 && run.output.contains("is not partitioned"), "\(run.output)")
        let bad = try await CLI.run(["partitions", "--store", store, "--retention-days", "0"])
        #expect(bad.status == 2, "\(bad.output)")
    }
}
