import ClearanceTestSupport
import Foundation
import Testing

/// `clearance partitions` with the built executable: `ingest` makes partitions ahead before each
/// file, a later run has nothing to make, retention keeps what is recent, SQLite says it is not
/// partitioned, bad options are usage errors, a refused `--reattach` says why with exit code 1, and
/// one that attaches names the indexes it dropped.
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
        #expect(created.map { $0["name"] as? String } == ["message_parts_300001", "declaration_lines_300001", "outbox_300001", "events_300001", "declarations_300001", "messages_300001"], "\(json.output)")
        #expect((object["busy"] as? [Any])?.isEmpty == true, "\(json.output)")

        // --reattach is refused, with the reason and exit code 1, for a partition never made or still attached.
        let unknown = try await CLI.run(["partitions", "--store", store, "--reattach", "message_parts_7"])
        #expect(unknown.status == 1 && unknown.output.contains("cannot reattach message_parts_7: invalid input: message_parts_7 is not a partition this store made"),
                "\(unknown.output)")
        let attached = try await CLI.run(["partitions", "--store", store, "--reattach", "declaration_lines_1"])
        #expect(attached.status == 1 && attached.output.contains("declaration_lines_1 is attached"), "\(attached.output)")
        let busyOption = try await CLI.run(["partitions", "--store", store, "--partition-lock-timeout", "0"])
        #expect(busyOption.status == 2 && busyOption.output.contains("--partition-lock-timeout"), "\(busyOption.output)")

        // A partition detached (by hand here, as retention would) gains an index while archived:
        // --reattach attaches it again and names the index it dropped, in text and in JSON.
        let psql = try PostgresTestServer.require().tool("psql")
        func detachWithIndex(_ index: String) async throws {
            let detached = try await CommandRunner.run(psql, ["-v", "ON_ERROR_STOP=1", "-q", "-d", store, "-c", """
                ALTER TABLE declaration_lines DETACH PARTITION declaration_lines_1;
                UPDATE store_partitions SET detached_at = 1 WHERE name = 'declaration_lines_1';
                CREATE INDEX \(index) ON declaration_lines_1 (item_name);
                """])
            try #require(detached.status == 0, "\(detached.output)")
        }
        try await detachWithIndex("declaration_lines_1_by_name")
        let back = try await CLI.run(["partitions", "--store", store, "--reattach", "declaration_lines_1"])
        #expect(back.status == 0 && back.output.contains("reattached declaration_lines_1 [1, 100001)"), "\(back.output)")
        #expect(back.output.contains("dropped index declaration_lines_1_by_name: its parent has no index it belongs to"), "\(back.output)")
        try await detachWithIndex("declaration_lines_1_again")
        let backJSON = try await CLI.run(["partitions", "--store", store, "--reattach", "declaration_lines_1", "--format", "json"])
        let reattached = try #require(try JSONSerialization.jsonObject(with: Data(backJSON.output.utf8)) as? [String: Any], "\(backJSON.output)")
        #expect((reattached["reattached"] as? [String: Any])?["name"] as? String == "declaration_lines_1", "\(backJSON.output)")
        #expect(reattached["droppedIndexes"] as? [String] == ["declaration_lines_1_again"], "\(backJSON.output)")
    }

    @Test func sqliteAndUsage() async throws {
        let store = try freshURL(.sqlite)
        let run = try await CLI.run(["partitions", "--store", store])
        #expect(run.status == 0 && run.output.contains("is not partitioned"), "\(run.output)")
        let bad = try await CLI.run(["partitions", "--store", store, "--retention-days", "0"])
        #expect(bad.status == 2, "\(bad.output)")
        let reattach = try await CLI.run(["partitions", "--store", store, "--reattach", "message_parts_1"])
        #expect(reattach.status == 1 && reattach.output.contains("SQLite is not partitioned"), "\(reattach.output)")
    }
}
