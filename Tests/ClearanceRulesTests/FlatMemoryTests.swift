import CEBModel
import ClearanceRules
import Foundation
import Testing

/// A batch of a million declarations streams through validation in the memory of one.
@Suite struct FlatMemoryTests {
    final class Counter: ValidationObserver {
        var documents = 0
        var issues: [ValidationIssue] = []
        func validated(_ decode: () -> CEBDocument, context: DocumentContext) {
            // Build every typed value too: emission, not just checking, runs in flat memory.
            if case .logistics(let waybill) = decode(), !waybill.head.logisticsNo.isEmpty { documents += 1 }
            if issues.count < 10 { issues += context.issues }
        }
        func messageFinished(_ envelope: MessageEnvelope) { issues += envelope.issues }
    }

    /// Resident set size of this process, in bytes.
    static func residentBytes() -> Int {
        guard let statm = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return 0 }
        let pages = statm.split(separator: " ").dropFirst().first.flatMap { Int($0) } ?? 0
        return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
    }

    @Test func millionWaybillsValidateInFlatMemory() throws {
        let count = 1_000_000
        let head = Array("""
            <?xml version="1.0" encoding="UTF-8"?>
            <ceb:CEB511Message xmlns:ceb="http://www.chinaport.gov.cn/ceb" guid="4CDE1CFD-EDED-46B1-946C-B8022E42FC94" version="1.0">

            """.utf8)
        let document = Array("""
            <ceb:Logistics><ceb:LogisticsHead><ceb:guid>9A6E5B7C-1D2E-4F30-8A9B-0C1D2E3F4A5B</ceb:guid><ceb:appType>1</ceb:appType><ceb:appTime>20261125093000</ceb:appTime><ceb:appStatus>1</ceb:appStatus><ceb:logisticsCode>3501980Z01</ceb:logisticsCode><ceb:logisticsName>平潭海峡物流</ceb:logisticsName><ceb:logisticsNo>PT2026112500001</ceb:logisticsNo><ceb:freight>10.00</ceb:freight><ceb:insuredFee>0</ceb:insuredFee><ceb:currency>142</ceb:currency><ceb:weight>1.2</ceb:weight><ceb:packNo>1</ceb:packNo><ceb:goodsInfo>茶叶</ceb:goodsInfo><ceb:consignee>林小明</ceb:consignee><ceb:consigneeAddress>福建省平潭综合实验区金井湾大道1号</ceb:consigneeAddress><ceb:consigneeTelephone>13800001111</ceb:consigneeTelephone></ceb:LogisticsHead></ceb:Logistics>

            """.utf8)
        let tail = Array("""
            <ceb:BaseTransfer><ceb:copCode>3501980Z01</ceb:copCode><ceb:copName>平潭海峡物流</ceb:copName><ceb:dxpMode>DXP</ceb:dxpMode><ceb:dxpId>DXPENT0000012345</ceb:dxpId></ceb:BaseTransfer>
            </ceb:CEB511Message>
            """.utf8)
        var block: [UInt8] = []
        for _ in 0..<500 { block += document }

        let counter = Counter()
        let validator = MessageValidator(observer: counter)
        try validator.feed(head)
        try validator.feed(block)  // warm up: buffers reach their working size
        let before = Self.residentBytes()
        for _ in 1..<(count / 500) { try validator.feed(block) }
        let after = Self.residentBytes()
        try validator.feed(tail)
        try validator.finish()

        #expect(counter.documents == count)
        #expect(counter.issues.isEmpty, "\(counter.issues.prefix(3))")
        let growth = after - before
        #expect(growth < 16 << 20, "resident memory grew by \(growth >> 20) MiB over \(count) documents")
    }
}
