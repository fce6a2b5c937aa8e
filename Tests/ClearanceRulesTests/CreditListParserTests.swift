import CEBModel
import ClearanceRules
import Foundation
import Testing

/// The credit list file: what is read, and every reason a file is refused whole.
@Suite struct CreditListParserTests {
    static let header = "code,grade,source,validFrom,validTo"

    func parse(_ lines: [String]) throws(CreditListError) -> [CreditEntry] {
        try CreditListParser.parse(Array(lines.joined(separator: "\r\n").utf8))
    }

    @Test func readsGradesInEnglishAndChineseWithQuotesBOMAndCRLF() throws {
        let text = "\u{FEFF}" + [
            "Code,Grade,Source,valid_from,valid_to",
            "91350100MA2YH3LK7J,失信企业,\"海关总署公告2026年第1号, 附件\",2026-01-01,2026-12-31",
            "3516980E2K,advanced-certified,AEO,,",
            "91350128MA8T4K2Q5P,一般信用,\"list \"\"B\"\"\",20260301,",
            "",
        ].joined(separator: "\r\n")
        let entries = try CreditListParser.parse(Array(text.utf8))
        #expect(entries.map(\.grade) == [.dishonest, .advancedCertified, .generalCredit])
        #expect(entries[0].source == "海关总署公告2026年第1号, 附件")
        #expect(entries[2].source == "list \"B\"")
        #expect(entries[0].validFrom == ChinaTime.date(cebTime: "20260101"))
        #expect(entries[0].validUntil == ChinaTime.date(cebTime: "20270101"), "validTo is inclusive: until 00:00 China time the day after")
        #expect(entries[1].validFrom == nil && entries[1].validUntil == nil)
    }

    @Test func validityIsChinaDates() throws {
        let entry = try #require(try parse([Self.header, "91350100MA2YH3LK7J,dishonest,x,2026-03-01,2026-03-31"]).first)
        // 2026-02-28 23:59 China time is 15:59 UTC: not yet.
        #expect(!entry.applies(at: try #require(ChinaTime.date(cebTime: "20260228235900"))))
        #expect(entry.applies(at: try #require(ChinaTime.date(cebTime: "20260301000000"))))
        #expect(entry.applies(at: try #require(ChinaTime.date(cebTime: "20260331235959"))))
        #expect(!entry.applies(at: try #require(ChinaTime.date(cebTime: "20260401000000"))))
    }

    @Test(arguments: [
        (["91350100MA2YH3LK7J,dishonest,x,,"], "CRD010", 1 as Int?),                                         // no header
        (["code,grade,source,validFrom", "91350100MA2YH3LK7J,dishonest,x,"], "CRD010", 1),                  // missing column
        ([header, "91350100MA2YH3LK7J,dishonest,x,,", "91350100MA2YH3LK7K,dishonest,x,,"], "CRD012", 3),    // check character
        ([header, "3516980E2,dishonest,x,,"], "CRD012", 2),                                                 // 9 characters
        ([header, "3516980E2K,bad,x,,"], "CRD013", 2),
        ([header, "3516980E2K,dishonest,x,2026-02-30,"], "CRD014", 2),
        ([header, "3516980E2K,dishonest,x,2026-03-02,2026-03-01"], "CRD014", 2),
        ([header, "3516980E2K,dishonest,x,,", "3516980E2K,general-credit,y,,"], "CRD015", 3),
        ([header, "3516980E2K,dishonest,x,"], "CRD011", 2),
        ([header, "3516980E2K,dishonest,\"x,,"], "CRD011", 2),
        ([header, "3516980E2K,dishonest,,,"], "CRD011", 2),
    ])
    func refusesTheWholeFileAtTheFirstBadLine(_ lines: [String], _ code: String, _ line: Int?) {
        do {
            _ = try parse(lines)
            Issue.record("expected \(code)")
        } catch {
            #expect(error.code == code)
            #expect(error.line == line)
        }
    }

    @Test func refusesNonUTF8() {
        #expect(throws: CreditListError.self) { try CreditListParser.parse(Array(Self.header.utf8) + [0x0A, 0xB0, 0xA1]) }
    }
}
