import ClearanceRules
import ClearanceTestSupport
import Foundation
import Testing
@testable import ClearanceStore

/// The credit list in the store, on both engines: replaced whole or not at all, each import
/// recorded and audited, validity instants kept to the millisecond.
@Suite("Credit list store")
struct CreditStoreTests {
    func record(_ entries: [CreditEntry], actor: String = "desk") -> CreditImport {
        CreditImport(actor: actor, fileName: "list.csv", fileSHA256: String(repeating: "ab", count: 32), entries: entries.count,
                     grades: Dictionary(grouping: entries, by: \.grade).mapValues(\.count))
    }

    @Test("an import replaces the list atomically; a refused one leaves it as it was", arguments: TestEngine.allCases)
    func replaceAtomically(engine: TestEngine) async throws {
        let store = try #require(try await openStore(url: try freshURL(engine), options: .init(buyerIdSalt: testSalt)) as? SQLStore)
        try await withCleanup({ await store.close() }) {
            let from = Date(timeIntervalSince1970: 1_767_196_800.123)
            // More rows than one multi-row INSERT takes.
            let many = (0..<450).map { CreditEntry(code: String(format: "35169%05dK", $0), grade: .generalCredit, source: "bulk") }
            let first = [CreditEntry(code: "91350100MA2YH3LK7J", grade: .dishonest, source: "公告", validFrom: from, validUntil: nil)] + many
            let saved = try await store.replaceCreditList(first, record: record(first))
            #expect(saved.id > 0)
            #expect(try await store.creditList(limit: 1000).count == 451)
            let found = try await store.creditEntries(codes: ["91350100MA2YH3LK7J", "3701960099"])
            #expect(found == [first[0]], "validity kept to the millisecond; unknown codes absent")

            // A duplicate code refuses the whole replacement: the list and the imports stay as they were.
            let duplicate = [CreditEntry(code: "3516980E2K", grade: .dishonest, source: "a"), CreditEntry(code: "3516980E2K", grade: .generalCredit, source: "b")]
            await #expect(throws: StoreError.self) { try await store.replaceCreditList(duplicate, record: record(duplicate)) }
            #expect(try await store.creditList(limit: 1000).count == 451)
            #expect(try await store.creditImports(limit: 10).count == 1)

            let second = [CreditEntry(code: "3516980E2K", grade: .advancedCertified, source: "AEO")]
            try await store.replaceCreditList(second, record: record(second, actor: "other"))
            #expect(try await store.creditList(limit: 1000) == second)
            let imports = try await store.creditImports(limit: 10)
            #expect(imports.map(\.actor) == ["other", "desk"])
            #expect(imports.last?.grades == [.dishonest: 1, .generalCredit: 450])
            let audit = try await store.auditEntries(limit: 10).filter { $0.action == "credit.import" }
            #expect(audit.count == 2)
            #expect(audit.first?.detail?.contains("1 entries") == true)
            #expect(try await store.stats().creditListEntries == 1)
        }
    }
}
