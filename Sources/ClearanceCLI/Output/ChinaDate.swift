import CEBModel
import Foundation

/// `yyyy-MM-dd` in China time: how the credit list's validity dates are written and shown.
enum ChinaDate {
    static func text(_ date: Date) -> String {
        let digits = ChinaTime.cebTime(date, milliseconds: false)
        return "\(digits.prefix(4))-\(digits.dropFirst(4).prefix(2))-\(digits.dropFirst(6).prefix(2))"
    }
}
