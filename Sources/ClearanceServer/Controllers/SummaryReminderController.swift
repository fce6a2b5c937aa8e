import ClearanceRouting
import ClearanceStore
import Foundation
import Hummingbird

/// `GET /v1/export/summary-reminders[?ebc=CODE]`: per e-commerce enterprise, its export
/// inventories customs cleared that are in no summary application yet, with the month they are
/// reminded for and its deadline (the rows `clearance stats` and the ops overview show,
/// ``SummaryReminder``). Ops and customs authority accounts see every enterprise (or the one asked
/// for); any other caller sees only its own row (none when it has nothing to summarise), and asking
/// for another enterprise's answers 404, as for export data it cannot see.
struct SummaryReminderController {
    let environment: ServiceEnvironment

    func register(on router: Router<EnterpriseContext>) {
        router.get("/v1/export/summary-reminders") { request, context in try await reminders(request, context) }
    }

    private func reminders(_ request: Request, _ context: EnterpriseContext) async throws -> SummaryRemindersDTO {
        let caller = try context.requireEnterprise()
        let seesAll = caller.role == .ops || (caller.role == .authority && caller.authority == .customs)
        let asked = request.uri.queryParameters.get("ebc")
        if let asked {
            guard !asked.isEmpty, asked.count <= 18 else {
                throw HTTPError(.badRequest, message: "ebc (the e-commerce enterprise's code) must be 1 to 18 characters")
            }
            guard seesAll || asked == caller.code else {
                throw HTTPError(.notFound, message: "no export data of \(asked) that you may see")
            }
        }
        let only = asked ?? (seesAll ? nil : caller.code)
        let counts = try await environment.store.exportsToSummarise().filter { only == nil || $0.ebcCode == only }
        let now = Date()
        let month = SummaryPeriod.previous(to: now)
        return SummaryRemindersDTO(period: month.description, deadline: month.deadlineText(),
                                   reminders: SummaryReminder.reminders(counts, now: now))
    }
}
