import ClearanceRouting
import Testing

/// The summary month and its deadline: the 15th of the following month, past weekends and configured holidays.
@Suite struct SummaryPeriodTests {
    @Test func readsOnlyYYYYMM() {
        #expect(SummaryPeriod("2026-10")?.description == "2026-10")
        for bad in ["2026-13", "2026-00", "26-10", "2026/10", "2026-1", "", "2026-10-01", "２０２６-10"] {
            #expect(SummaryPeriod(bad) == nil, "\(bad)")
        }
        #expect(SummaryPeriod("2026-10")!.contains(cebDate: "20261031"))
        #expect(!SummaryPeriod("2026-10")!.contains(cebDate: "20261101"))
    }

    @Test func theDeadlineMovesPastWeekendsAndGivenHolidays() {
        // 15 Nov 2026 is a Sunday; 15 Jan 2027 a Friday; 15 Dec 2026 a Tuesday.
        #expect(SummaryPeriod("2026-10")!.deadline() == (2026, 11, 16))
        #expect(SummaryPeriod("2026-12")!.deadline() == (2027, 1, 15))
        #expect(SummaryPeriod("2026-11")!.deadline() == (2026, 12, 15))
        #expect(SummaryPeriod("2026-11")!.deadline(holidays: ["20261215", "20261216"]) == (2026, 12, 17))
        // A holiday on the Friday pushes past the weekend to Monday.
        #expect(SummaryPeriod("2026-12")!.deadline(holidays: ["20270115"]) == (2027, 1, 18))
    }
}
