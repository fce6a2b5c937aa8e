import CEBModel
import Foundation
import Testing

/// ChinaTime's digit arithmetic checked against Foundation's calendar (an implementation we did not write).
@Suite struct ChinaTimeTests {
    static let formatter: DateFormatter = {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        // China Standard Time, fixed (Asia/Shanghai observed summer time 1986–1991; CEB times never do).
        f.timeZone = TimeZone(secondsFromGMT: 8 * 3600)
        f.dateFormat = "yyyyMMddHHmmssSSS"
        return f
    }()

    @Test func writesAndReadsLikeFoundation() throws {
        var generator = SystemRandomNumberGenerator()
        // 1970–2100, plus the instants around year and leap-day boundaries.
        var instants: [TimeInterval] = [0, 951_753_600, 1_767_196_799.999, 1_767_196_800, 4_102_415_999.5]
        for _ in 0..<2000 { instants.append(Double(UInt64.random(in: 0...4_102_444_800_000, using: &generator)) / 1000) }
        for seconds in instants {
            let date = Date(timeIntervalSince1970: seconds)
            let expected = Self.formatter.string(from: date)
            #expect(ChinaTime.cebTime(date) == expected, "at \(seconds)")
            #expect(ChinaTime.cebTime(date, milliseconds: false) == String(expected.prefix(14)))
            let back = try #require(ChinaTime.date(cebTime: expected))
            #expect(abs(back.timeIntervalSince1970 - (seconds * 1000).rounded() / 1000) < 0.0005, "\(expected)")
        }
    }

    @Test func readsPrefixesAndRefusesOthers() {
        #expect(ChinaTime.date(cebTime: "20261125120000") == Date(timeIntervalSince1970: 1_795_579_200))
        #expect(ChinaTime.date(cebTime: "20180508101112012") == Date(timeIntervalSince1970: 1_525_745_472.012))
        #expect(ChinaTime.date(cebTime: "20261125") == Date(timeIntervalSince1970: 1_795_536_000))
        #expect(ChinaTime.date(cebTime: "20261325120000") == nil)
        #expect(ChinaTime.date(cebTime: "2026-11-25") == nil)
        #expect(ChinaTime.date(cebTime: "202611251200000000") == nil)
    }

    @Test func yearBoundsAndISO() {
        let bounds = ChinaTime.yearBounds(2026)
        #expect(Self.formatter.string(from: bounds.start) == "20260101000000000")
        #expect(Self.formatter.string(from: bounds.end) == "20270101000000000")
        #expect(ChinaTime.isoTime(Date(timeIntervalSince1970: 1_795_579_200)) == "2026-11-25T12:00:00")
        #expect(ChinaTime.year(of: Date(timeIntervalSince1970: 1_767_196_800)) == 2026)
        #expect(ChinaTime.year(of: Date(timeIntervalSince1970: 1_767_196_799)) == 2025)
    }
}
