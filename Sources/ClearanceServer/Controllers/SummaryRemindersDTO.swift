import ClearanceRouting
import Hummingbird

/// The body of `GET /v1/export/summary-reminders`.
struct SummaryRemindersDTO: ResponseEncodable {
    /// The month reminded for (`YYYY-MM`): the one before now, China time.
    var period: String
    /// When its summary is due (`YYYY-MM-DD`).
    var deadline: String
    var reminders: [SummaryReminder]
}
