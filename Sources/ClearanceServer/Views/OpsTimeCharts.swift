import CEBModel
import ClearanceStore
import Foundation

/// The ops overview's time charts, computed from ``OpsSeries``: time from declaration to release
/// (median and 95th percentile per hour over the last day), receipts' lag (the same), outbox depth
/// and dead letters at the end of each hour, messages per minute by type over the last hour.
struct OpsTimeCharts {
    let series: OpsSeries
    let now: Date
    let language: OpsLanguage

    /// The hours of the day charts, the minutes of the messages chart.
    static let hours = 24
    static let minutes = 60

    var dayStart: Date { Self.dayStart(now) }
    var hourStart: Date { Self.hourStart(now) }

    /// The start of the day charts' first slot: the hour 23 hours before the current one.
    static func dayStart(_ now: Date) -> Date {
        Date(timeIntervalSince1970: (now.timeIntervalSince1970 / 3600).rounded(.down) * 3600 - Double(hours - 1) * 3600)
    }

    /// The start of the messages chart's first slot: the minute 59 minutes before the current one.
    static func hourStart(_ now: Date) -> Date {
        Date(timeIntervalSince1970: (now.timeIntervalSince1970 / 60).rounded(.down) * 60 - Double(minutes - 1) * 60)
    }

    /// The hour slot of `date` (0 the oldest), nil outside the day.
    private func hourIndex(_ date: Date) -> Int? {
        let i = Int(((date.timeIntervalSince(dayStart)) / 3600).rounded(.down))
        return (0..<Self.hours).contains(i) ? i : nil
    }

    private var hourLabels: [String] {
        (0..<Self.hours).map { String(OpsPageController.time(dayStart.addingTimeInterval(Double($0) * 3600)).dropFirst(11).prefix(5)) }
    }

    /// The `q` quantile (nearest rank) of `values`; nil when empty.
    static func quantile(_ values: [Double], _ q: Double) -> Double? {
        guard !values.isEmpty else { return nil }
        let sorted = values.sorted()
        let rank = Int((q * Double(sorted.count)).rounded(.up)) - 1
        return sorted[min(sorted.count - 1, max(0, rank))]
    }

    private func percentiles(_ samples: [(at: Date, value: Double)]) -> [SVGLineChart.Series] {
        var byHour = [[Double]](repeating: [], count: Self.hours)
        for sample in samples { if let i = hourIndex(sample.at) { byHour[i].append(sample.value) } }
        return [
            SVGLineChart.Series(name: language.text("median"), color: "#3b6ea5", values: byHour.map { Self.quantile($0, 0.5) }),
            SVGLineChart.Series(name: "p95", color: "#c0392b", values: byHour.map { Self.quantile($0, 0.95) }),
        ]
    }

    /// Minutes from declaration to release, by the hour of release.
    var releaseChart: String {
        SVGLineChart(title: language.text("releaseTime"), labels: hourLabels,
                     series: percentiles(series.releases.map { ($0.releasedAt, max(0, $0.releasedAt.timeIntervalSince($0.declaredAt)) / 60) }),
                     unit: " min", link: "/ops/charts/releases").svg
    }

    /// Seconds from customs' `returnTime` to the receipt's arrival, by the hour of arrival.
    var receiptLagChart: String {
        let samples = series.receipts.compactMap { r -> (at: Date, value: Double)? in
            ChinaTime.date(cebTime: r.returnTime).map { (r.storedAt, max(0, r.storedAt.timeIntervalSince($0))) }
        }
        return SVGLineChart(title: language.text("receiptLag"), labels: hourLabels, series: percentiles(samples), unit: " s",
                            link: "/ops/charts/receipts").svg
    }

    /// Rows waiting in the outbox, and dead letters, at the end of each hour.
    var outboxChart: String {
        let ends = (0..<Self.hours).map { dayStart.addingTimeInterval(Double($0 + 1) * 3600) }.map { min($0, now) }
        let depth = ends.map { end in Double(series.outbox.filter { $0.createdAt <= end && ($0.finishedAt.map { $0 > end } ?? true) }.count) }
        let dead = ends.map { end in Double(series.deadBefore + series.outbox.filter { $0.dead && ($0.finishedAt.map { $0 <= end } ?? false) }.count) }
        return SVGLineChart(title: language.text("outboxOverTime"), labels: hourLabels, series: [
            SVGLineChart.Series(name: language.text("outboxToDeliver"), color: "#3b6ea5", values: depth),
            SVGLineChart.Series(name: language.text("deadLetters"), color: "#c0392b", values: dead),
        ], unit: "", link: "/ops/outbox").svg
    }

    /// Messages received per minute over the last hour, one line per type.
    var messagesChart: String {
        let labels = (0..<Self.minutes).map { String(OpsPageController.time(hourStart.addingTimeInterval(Double($0) * 60)).dropFirst(11).prefix(5)) }
        let types = Array(Set(series.messages.map(\.messageType))).sorted()
        let palette = ["#3b6ea5", "#c0392b", "#2d7a2d", "#8e44ad", "#d68910", "#16a085", "#7f8c8d"]
        let lines = types.enumerated().map { index, type -> SVGLineChart.Series in
            var values = [Double?](repeating: 0, count: Self.minutes)
            for m in series.messages where m.messageType == type {
                let i = Int((m.minute.timeIntervalSince(hourStart) / 60).rounded(.down))
                if (0..<Self.minutes).contains(i) { values[i] = (values[i] ?? 0) + Double(m.count) }
            }
            return SVGLineChart.Series(name: type, color: palette[index % palette.count], values: values)
        }
        return SVGLineChart(title: language.text("messagesPerMinute"), labels: labels, series: lines, unit: "",
                            link: "/ops/charts/messages").svg
    }
}
