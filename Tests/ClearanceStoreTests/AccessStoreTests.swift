import ClearanceTestSupport
import Foundation
import Testing
@testable import ClearanceStore

/// The HTTP service's tables (accounts, keys, batches, answers, audit, receipt feed) on both engines.
@Suite("Access store conformance")
struct AccessStoreTests {
    private func hash(_ c: Character) -> String { String(repeating: c, count: 64) }

    @Test("enterprises and hashed API keys: lookup, revoke, unknown enterprise", arguments: TestEngine.allCases)
    func enterprisesAndKeys(engine: TestEngine) async throws {
        let store = try await makeStore(engine)
        try await withCleanup({ await store.close() }) {
            try await store.upsertEnterprise(EnterpriseRecord(code: "3516980E2K", name: "Agent", role: .merchant, maxBatchBytes: 1024))
            try await store.upsertEnterprise(EnterpriseRecord(code: "3516980E2K", name: "Agent renamed", role: .system, requireSignature: true))
            let stored = try #require(try await store.enterprise(code: "3516980E2K"))
            #expect(stored.name == "Agent renamed" && stored.role == .system && stored.requireSignature && stored.maxBatchBytes == nil)
            #expect(try await store.enterprises().map(\.code) == ["3516980E2K"])

            let key = try await store.createAPIKey(enterpriseCode: "3516980E2K", keyHash: hash("a"), prefix: "clr_aaaaaaaa", now: .now)
            #expect(key.revokedAt == nil)
            #expect(try await store.enterprise(apiKeyHash: hash("a"))?.code == "3516980E2K")
            #expect(try await store.enterprise(apiKeyHash: hash("b")) == nil)
            await #expect(throws: StoreError.self) {
                _ = try await store.createAPIKey(enterpriseCode: "NOPE", keyHash: self.hash("c"), prefix: "clr_cccccccc", now: .now)
            }
            // The same hash cannot be stored twice.
            await #expect(throws: StoreError.self) {
                _ = try await store.createAPIKey(enterpriseCode: "3516980E2K", keyHash: self.hash("a"), prefix: "clr_aaaaaaaa", now: .now)
            }
            #expect(try await store.revokeAPIKey(enterpriseCode: "3516980E2K", prefix: "clr_aaaaaaaa", now: .now) == 1)
            #expect(try await store.revokeAPIKey(enterpriseCode: "3516980E2K", prefix: "clr_aaaaaaaa", now: .now) == 0)
            #expect(try await store.enterprise(apiKeyHash: hash("a")) == nil)
            #expect(try await store.apiKeys(enterpriseCode: "3516980E2K").first?.revokedAt != nil)
            // Mutual TLS: the client certificate's digest names the enterprise.
            var withCert = stored
            withCert.clientCertificateSHA256 = hash("D")
            try await store.upsertEnterprise(withCert)
            #expect(try await store.enterprise(clientCertificateSHA256: hash("d"))?.code == "3516980E2K")
            #expect(try await store.enterprise(clientCertificateSHA256: hash("e")) == nil)
            // Two enterprises cannot share one client certificate.
            await #expect(throws: StoreError.self) {
                try await store.upsertEnterprise(EnterpriseRecord(code: "OTHER", name: "Other", role: .merchant,
                                                                  clientCertificateSHA256: self.hash("d")))
            }
            // A webhook and its signing secret round-trip (every lookup reads them); removal clears both.
            var withHook = try #require(try await store.enterprise(code: "3516980E2K"))
            withHook.webhookURL = "https://merchant.example/hook"
            withHook.webhookSecret = "whsec_" + hash("5")
            try await store.upsertEnterprise(withHook)
            let hooked = try #require(try await store.enterprise(clientCertificateSHA256: hash("d")))
            #expect(hooked.webhookURL == "https://merchant.example/hook" && hooked.webhookSecret == "whsec_" + hash("5"))
            withHook.webhookURL = nil
            withHook.webhookSecret = nil
            try await store.upsertEnterprise(withHook)
            #expect(try await store.enterprise(code: "3516980E2K")?.webhookSecret == nil)
            // Only the hash is stored, never anything else of the key.
            #expect(try await store.count("api_keys", where: "key_hash = $1", [.text(hash("a"))]) == 1)
        }
    }

    @Test("batches, their errors in order, answers kept first-wins, audit log", arguments: TestEngine.allCases)
    func batchesAnswersAudit(engine: TestEngine) async throws {
        let store = try await makeStore(engine)
        try await withCleanup({ await store.close() }) {
            var batch = BatchRecord(id: "batch-0001", enterpriseCode: "M1")
            try await store.saveBatch(batch)
            batch.status = .completed
            batch.documents = 10
            batch.invalidDocuments = 2
            batch.bytes = 12_345
            batch.failure = nil
            try await store.saveBatch(batch)
            let loaded = try #require(try await store.batch(id: "batch-0001"))
            #expect(loaded.status == .completed && loaded.documents == 10 && loaded.invalidDocuments == 2 && loaded.bytes == 12_345)
            #expect(try await store.batches(enterpriseCode: "M2", limit: 10).isEmpty)
            #expect(try await store.batches(enterpriseCode: nil, limit: 10).count == 1)

            let errors = (1...5).map {
                BatchErrorRecord(batchId: "batch-0001", documentIndex: $0, recordKey: "orderNo=O\($0)", line: $0 * 10, column: 3,
                                 code: "RUL00\($0)", severity: "error", field: "orderNo", message: "problem \($0)")
            }
            try await store.addBatchErrors(errors)
            #expect(try await store.batchErrors(batchId: "batch-0001", offset: 0, limit: 10) == errors)
            #expect(try await store.batchErrors(batchId: "batch-0001", offset: 3, limit: 10).map(\.documentIndex) == [4, 5])

            let first = try await store.storeAnswer(StoredAnswer(guid: "G1", enterpriseCode: "S1", httpStatus: 202, body: "{\"a\":1}"))
            let second = try await store.storeAnswer(StoredAnswer(guid: "G1", enterpriseCode: "S1", httpStatus: 422, body: "{\"a\":2}"))
            #expect(first.body == "{\"a\":1}" && second.body == first.body && second.httpStatus == 202)
            #expect(try await store.answer(guid: "G2") == nil)

            let id1 = try await store.appendAudit(AuditEntry(actor: "OPS", action: "reveal", target: "G1"))
            let id2 = try await store.appendAudit(AuditEntry(actor: "OPS", action: "outbox.replay", target: "7", detail: "customs"))
            #expect(id2 > id1)
            #expect(try await store.auditEntries(limit: 10).map(\.action) == ["outbox.replay", "reveal"])
        }
    }

    @Test("receipt feed: cursor order and per-enterprise filter", arguments: TestEngine.allCases)
    func receiptFeed(engine: TestEngine) async throws {
        let store = try await makeStore(engine)
        try await withCleanup({ await store.close() }) {
            let order = MessageRecord(guid: "M-ORDER", messageType: "CEB311", senderCode: "EBP1", direction: .inbound,
                                      receivedAt: .now, rawBytes: Array("<order/>".utf8), signatureVerdict: "unsigned")
            let declaration = DeclarationRecord(kind: .order, messageGuid: "M-ORDER", declarationGuid: "D-1", orderNo: "O-1",
                                                ebpCode: "EBP1", ebcCode: "EBC1")
            _ = try await store.ingest([IngestItem(message: order, declarations: [declaration])])
            let carrier = MessageRecord(guid: "M-RCPT", messageType: "CEB312", senderCode: "customs", direction: .inbound,
                                        receivedAt: .now, rawBytes: Array("<r/>".utf8), signatureVerdict: "unchecked")
            _ = try await store.ingest([IngestItem(message: carrier)])
            _ = try await store.storeReceipts([
                ReceiptRecord(messageGuid: "M-RCPT", forKind: .order, referenceGuid: "D-1", returnStatus: "2", returnTime: "20261125100000000"),
                ReceiptRecord(messageGuid: "M-RCPT", forKind: .order, referenceGuid: "D-1", returnStatus: "120", returnTime: "20261125100100000"),
                ReceiptRecord(messageGuid: "M-RCPT", forKind: .order, referenceGuid: "D-OTHER", returnStatus: "120", returnTime: "20261125100200000"),
            ])
            let all = try await store.receiptFeed(after: 0, enterpriseCode: nil, limit: 10)
            #expect(all.map(\.returnStatus) == ["2", "120", "120"])
            let mine = try await store.receiptFeed(after: 0, enterpriseCode: "EBC1", limit: 10)
            #expect(mine.map(\.referenceGuid) == ["D-1", "D-1"])
            #expect(try await store.receiptFeed(after: mine[0].id, enterpriseCode: "EBC1", limit: 10).map(\.returnStatus) == ["120"])
            #expect(try await store.receiptFeed(after: 0, enterpriseCode: "SOMEONE", limit: 10).isEmpty)
            #expect(try await store.recentMessages(limit: 1).first?.guid == "M-RCPT")
        }
    }

    @Test("buyer page reads: a named store secret is made once and kept, goods lines by number, the order number of a row",
          arguments: TestEngine.allCases)
    func buyerPageReads(engine: TestEngine) async throws {
        let store = try await makeStore(engine)
        try await withCleanup({ await store.close() }) {
            let secret = try await store.storeSecret(named: "tracking_link_key")
            #expect(secret.count == 32)
            #expect(try await store.storeSecret(named: "tracking_link_key") == secret)
            #expect(try await store.storeSecret(named: "another") != secret)
            await #expect(throws: StoreError.self) { _ = try await store.storeSecret(named: "buyer_id_salt") }

            let order = MessageRecord(guid: "M-ORDER", messageType: "CEB311", senderCode: "EBP1", direction: .inbound,
                                      receivedAt: .now, rawBytes: Array("<order/>".utf8), signatureVerdict: "unsigned")
            let lines = [
                DeclarationLineRecord(gnum: 2, itemName: "奶粉", qty: FixedDecimal("2"), country: "601"),
                DeclarationLineRecord(gnum: 1, itemName: "凤梨酥", qty: FixedDecimal("3.5"), unit: "011", country: "143"),
            ]
            let declaration = DeclarationRecord(kind: .order, messageGuid: "M-ORDER", declarationGuid: "D-1", orderNo: "O-1", lines: lines)
            _ = try await store.ingest([IngestItem(message: order, declarations: [declaration])])
            let id = try #require(try await store.trace(.orderNo("O-1"))?.declarations.first?.id)
            let read = try await store.declarationLines(declarationId: id, limit: 10)
            #expect(read.map(\.gnum) == [1, 2])
            #expect(read.map(\.itemName) == ["凤梨酥", "奶粉"] && read.map(\.country) == ["143", "601"])
            #expect(read.first?.qty == FixedDecimal("3.5") && read.first?.unit == "011")
            #expect(try await store.declarationLines(declarationId: id, limit: 1).count == 1)
            #expect(try await store.declarationLines(declarationId: id + 1000, limit: 10).isEmpty)
            #expect(try await store.orderNo(declarationId: id) == "O-1")
            #expect(try await store.orderNo(declarationId: id + 1000) == nil)
        }
    }

    @Test("ops series: a release's declared and released times, receipts with their returnTime, outbox spans, messages per minute",
          arguments: TestEngine.allCases)
    func opsSeries(engine: TestEngine) async throws {
        let store = try await makeStore(engine)
        try await withCleanup({ await store.close() }) {
            let now = Date()
            let inventory = MessageRecord(guid: "M-INV", messageType: "CEB621", senderCode: "AGENT", direction: .inbound,
                                          receivedAt: now.addingTimeInterval(-600), rawBytes: Array("<i/>".utf8), signatureVerdict: "unsigned")
            let declaration = DeclarationRecord(kind: .inventory, messageGuid: "M-INV", declarationGuid: "D-INV", orderNo: "O-9", invtNo: "I-9")
            _ = try await store.ingest([IngestItem(message: inventory, declarations: [declaration])])
            _ = try await store.appendEvent(Event(kind: .routed, occurredAt: now.addingTimeInterval(-300), messageGuid: "M-INV"))
            _ = try await store.enqueueOutbox(messageGuid: "M-INV", destination: "customs", notBefore: now)
            let carrier = MessageRecord(guid: "M-RCPT", messageType: "CEB622", senderCode: "CUSTOMS", direction: .inbound,
                                        receivedAt: now, rawBytes: Array("<r/>".utf8), signatureVerdict: "verified")
            _ = try await store.ingest([IngestItem(message: carrier)])
            _ = try await store.storeReceipts([
                ReceiptRecord(messageGuid: "M-RCPT", forKind: .inventory, referenceGuid: "D-INV", returnStatus: "800",
                              returnTime: "20261125093601000", invtNo: "I-9"),
            ])
            let series = try await store.opsSeries(since: now.addingTimeInterval(-3600), messagesSince: now.addingTimeInterval(-3600), limit: 100)
            #expect(series.releases.count == 1)
            let release = try #require(series.releases.first)
            #expect(release.key == "O-9")
            #expect(abs(release.declaredAt.timeIntervalSince(now.addingTimeInterval(-300))) < 0.01)
            #expect(series.receipts.map(\.returnStatus) == ["800"] && series.receipts.first?.returnTime == "20261125093601000")
            #expect(series.outbox.count == 1 && series.outbox.first?.finishedAt == nil && series.deadBefore == 0)
            #expect(series.messages.map(\.count).reduce(0, +) == 2 && Set(series.messages.map(\.messageType)) == ["CEB621", "CEB622"])
            #expect(!series.truncated)
            // Outside the window nothing is read; a limit of 1 cuts and says so.
            let later = try await store.opsSeries(since: now.addingTimeInterval(60), messagesSince: now.addingTimeInterval(60), limit: 100)
            #expect(later.releases.isEmpty && later.receipts.isEmpty && later.messages.isEmpty && later.outbox.count == 1)
            #expect(try await store.opsSeries(since: now.addingTimeInterval(-3600), messagesSince: now.addingTimeInterval(-3600), limit: 1).truncated)
        }
    }
}
