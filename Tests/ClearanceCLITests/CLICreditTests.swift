import ClearanceTestSupport
import Foundation
import Testing

/// `clearance credit` and `clearance hold` with the built executable, on both stores: a bad line
/// refuses the whole import (exit 1, nothing replaced), a good file replaces the list, a routed
/// ingest naming the dishonest enterprise is held, `hold release` routes it once (then exit 1,
/// CRD003), and `stats` counts the parties the list does not know.
@Suite(.serialized) struct CLICreditTests {
    static let orderGuid = "546768EF-9AE7-5A4F-AF1A-01BCCCB09539"

    func file(_ text: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("credit-\(UUID().uuidString).csv").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test(arguments: TestEngine.allCases)
    func importHoldRelease(_ engine: TestEngine) async throws {
        let store = try freshURL(engine)
        let header = "code,grade,source,validFrom,validTo\n"
        let good = try file(header + "91350100MA2YH3LK7J,失信企业,海关总署公告2026年第7号,2026-01-01,\n3516980E2K,高级认证,AEO,,\n")
        let bad = try file(header + "91350128MA8T4K2Q5P,general-credit,x,,\n91350100MA2YH3LK7K,dishonest,x,,\n")

        let refused = try await CLI.run(["credit", "import", "--store", store, bad])
        #expect(refused.status == 1, "\(refused.output)")
        #expect(refused.output.contains(":3: error CRD012"), "\(refused.output)")
        #expect(try await CLI.run(["credit", "list", "--store", store]).output.contains("(the credit list is empty)"))

        let imported = try await CLI.run(["credit", "import", "--store", store, "--actor", "desk", good])
        #expect(imported.status == 0, "\(imported.output)")
        #expect(imported.output.contains("imported 2 entries"), "\(imported.output)")
        let list = try await CLI.run(["credit", "list", "--store", store]).output
        #expect(list.contains("91350100MA2YH3LK7J\tdishonest\t2026-01-01…"), "\(list)")
        #expect(list.contains("desk"), "\(list)")

        let ingested = try await CLI.run(["ingest", "--store", store, "--quiet", "--route", "samples/valid/CEB311-order.xml"])
        #expect(ingested.output.contains("held"), "\(ingested.output)")
        let held = try await CLI.run(["hold", "list", "--store", store]).output
        #expect(held.contains(Self.orderGuid) && held.contains("CRD001"), "\(held)")

        let released = try await CLI.run(["hold", "release", "--store", store, "--actor", "desk", Self.orderGuid])
        #expect(released.status == 0, "\(released.output)")
        #expect(released.output.contains("routed → inspection, customs-national"), "\(released.output)")
        let again = try await CLI.run(["hold", "release", "--store", store, Self.orderGuid])
        #expect(again.status == 1 && again.output.contains("CRD003"), "\(again.output)")

        let stats = try await CLI.run(["stats", "--store", store]).output
        #expect(stats.contains("credit list: 2 entries; parties unknown to it: 2"), "platform and payment company:\n\(stats)")
    }
}
