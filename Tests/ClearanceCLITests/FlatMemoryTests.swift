import ClearanceTestSupport
import Foundation
import Testing

/// `clearance validate` streams a batch of a million declarations in the memory of a small one, and
/// `clearance ingest --route` stores and forwards a 300 MB batch in the memory of a small one.
@Suite struct FlatMemoryTests {
    static let head = Array("""
        <?xml version="1.0" encoding="UTF-8"?>
        <ceb:CEB511Message xmlns:ceb="http://www.chinaport.gov.cn/ceb" guid="4CDE1CFD-EDED-46B1-946C-B8022E42FC94" version="1.0">

        """.utf8)
    static let document = Array("""
        <ceb:Logistics><ceb:LogisticsHead><ceb:guid>9A6E5B7C-1D2E-4F30-8A9B-0C1D2E3F4A5B</ceb:guid><ceb:appType>1</ceb:appType><ceb:appTime>20261125093000</ceb:appTime><ceb:appStatus>1</ceb:appStatus><ceb:logisticsCode>3501980Z01</ceb:logisticsCode><ceb:logisticsName>平潭海峡物流</ceb:logisticsName><ceb:logisticsNo>PT2026112500001</ceb:logisticsNo><ceb:orderNo>PTO2026112500001</ceb:orderNo><ceb:freight>10.00</ceb:freight><ceb:insuredFee>0</ceb:insuredFee><ceb:currency>142</ceb:currency><ceb:weight>1.2</ceb:weight><ceb:packNo>1</ceb:packNo><ceb:goodsInfo>茶叶</ceb:goodsInfo><ceb:consignee>林小明</ceb:consignee><ceb:consigneeAddress>福建省平潭综合实验区金井湾大道1号</ceb:consigneeAddress><ceb:consigneeTelephone>13800001111</ceb:consigneeTelephone></ceb:LogisticsHead></ceb:Logistics>

        """.utf8)
    static let tail = Array("""
        <ceb:BaseTransfer><ceb:copCode>3501980Z01</ceb:copCode><ceb:copName>平潭海峡物流</ceb:copName><ceb:dxpMode>DXP</ceb:dxpMode><ceb:dxpId>DXPENT0000012345</ceb:dxpId></ceb:BaseTransfer>
        </ceb:CEB511Message>
        """.utf8)

    /// Validates a generated CEB511 batch of `count` waybills piped through standard input.
    static func validate(count: Int) async throws -> CommandRunner.Ran {
        try await CommandRunner.run(try TestBinaries.clearance(), ["validate", "--format", "json", "-"], input: .feed { descriptor in
            var block: [UInt8] = []
            for _ in 0..<500 { block += document }
            _ = head.withUnsafeBytes { CommandRunner.write($0, to: descriptor) }
            for _ in 0..<(count / 500) {
                guard block.withUnsafeBytes({ CommandRunner.write($0, to: descriptor) }) else { return }
            }
            _ = tail.withUnsafeBytes { CommandRunner.write($0, to: descriptor) }
        }, measurePeakMemory: true, timeout: 900)
    }

    @Test func millionDeclarationsValidateInFlatMemory() async throws {
        let small = try await Self.validate(count: 10_000)
        let large = try await Self.validate(count: 1_000_000)
        #expect(small.status == 0, "\(small.output.suffix(500))")
        #expect(large.status == 0, "\(large.output.suffix(500))")
        #expect(small.output.contains("\"documents\":10000,"))
        #expect(large.output.contains("\"documents\":1000000,"), "\(large.output.suffix(500))")
        #expect(large.output.contains("\"errors\":0,"))
        let smallPeak = try #require(small.peakResidentBytes, "peak memory measured"), largePeak = try #require(large.peakResidentBytes)
        print("[measure] validate peak RSS: 10k \(smallPeak >> 10) KiB, 1M \(largePeak >> 10) KiB")
        // A hundred times the input, the same memory: within 8 MiB of the small run. (The absolute
        // figure of this debug build is not the target; the release benchmark measures that.)
        #expect(largePeak - smallPeak < 8 << 20,
                "peak RSS \(smallPeak >> 20) MiB for 10k, \(largePeak >> 20) MiB for 1M")
    }

    /// `clearance ingest --route` of a generated CEB621 batch of `count` inventories whose orders,
    /// payments and waybills never came: every one waits, each with its own verdict.
    static func ingestAndRoute(count: Int) async throws -> CommandRunner.Ran {
        let dir = scratchDirectory("forward-memory")
        let batch = dir + "/CEB621-\(count).xml"
        let generated = try await CommandRunner.run("python3", [Repository.path("scripts/generate-batch.py"), "--type", "CEB621",
                                                                   "--count", String(count), "--out", batch], timeout: 600)
        try #require(generated.status == 0, "\(generated.output.suffix(500))")
        defer { try? FileManager.default.removeItem(atPath: batch) }
        return try await CommandRunner.run(try TestBinaries.clearance(), [
            "ingest", "--store", "sqlite://\(dir)/store.db", "--route", "--quiet", batch,
        ], measurePeakMemory: true, timeout: 900)
    }

    /// Forwarding reads the stored batch back a piece at a time and keeps no document: a 300 MB
    /// batch (90,000 inventories) is stored and forwarded in little more than the memory of a 34 MB
    /// one, and its answer names the first waiting inventories and counts the rest instead of
    /// listing 90,000 (it once held them all: 915 MB, then one 7 MB line).
    @Test func aThreeHundredMegabyteBatchIsForwardedInFlatMemory() async throws {
        let small = try await Self.ingestAndRoute(count: 10_000)
        let large = try await Self.ingestAndRoute(count: 90_000)
        #expect(small.status == 0, "\(small.output.suffix(500))")
        #expect(large.status == 0, "\(large.output.suffix(500))")
        #expect(large.output.contains("… 89900 more inventories") || large.output.contains("90000 awaiting"), "\(large.output.suffix(800))")
        #expect(large.output.utf8.count < 64 << 10, "the answer is a summary, not one line per waiting inventory")
        let smallPeak = try #require(small.peakResidentBytes, "peak memory measured"), largePeak = try #require(large.peakResidentBytes)
        print("[measure] ingest --route peak RSS: 10k inventories \(smallPeak >> 10) KiB, 90k \(largePeak >> 10) KiB")
        // Nine times the input, a fraction of it more memory. Measured (debug, /tmp): 98 MiB for 10k,
        // 146 MiB for 90k. Forwarding adds 6–8 MiB at either size (plain `ingest` grows from 117 to 132 MiB
        // between 20k and 100k: the store's side, not yet explained); the bound leaves room for that.
        #expect(largePeak - smallPeak < 64 << 20, "peak RSS \(smallPeak >> 20) MiB for 10k, \(largePeak >> 20) MiB for 90k")
        #expect(largePeak < 256 << 20, "a 300 MB batch in \(largePeak >> 20) MiB")
    }
}
