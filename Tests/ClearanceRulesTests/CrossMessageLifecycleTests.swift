@testable import ClearanceRules
import Testing

/// Life cycle: which appType is accepted in which phase (LIF001…LIF006), duplicates idempotent.
@Suite struct CrossMessageLifecycleTests {
    @Test func newIsAcceptedOnlyWhenNothingLiveExists() {
        #expect(LifecycleRules.decide(appType: "1", phase: .none, sameDocument: false) == .accept)
        #expect(LifecycleRules.decide(appType: "1", phase: .returned, sameDocument: false) == .accept)
        guard case .refuse(let issue) = LifecycleRules.decide(appType: "1", phase: .accepted, sameDocument: false) else {
            Issue.record("expected a refusal"); return
        }
        #expect(issue.code == "LIF001")
    }

    @Test func resendIsADuplicate() {
        #expect(LifecycleRules.decide(appType: "1", phase: .declared, sameDocument: true) == .duplicate)
        #expect(LifecycleRules.decide(appType: "2", phase: .released, sameDocument: true) == .duplicate)
    }

    @Test func modifyAndDeleteNeedALiveUnreleasedDeclaration() {
        func code(_ appType: String, _ phase: DeclarationPhase) -> String? {
            if case .refuse(let issue) = LifecycleRules.decide(appType: appType, phase: phase, sameDocument: false) { return issue.code }
            return nil
        }
        #expect(code("2", .none) == "LIF002")
        #expect(code("3", .none) == "LIF002")
        #expect(code("2", .released) == "LIF003")
        #expect(code("2", .cleared) == "LIF003")
        #expect(code("3", .released) == "LIF004")
        #expect(code("2", .inspection) == "LIF005")
        #expect(code("9", .none) == "LIF006")
        #expect(code("2", .accepted) == nil)
        #expect(code("2", .awaitingDocuments) == nil)
        #expect(code("3", .declared) == nil)
    }

    @Test func phasesFollowTheCustomsStatusCodes() {
        #expect(DeclarationPhase(status: "120") == .accepted)
        #expect(DeclarationPhase(status: "300") == .underReview)
        #expect(DeclarationPhase(status: "500") == .inspection)
        #expect(DeclarationPhase(status: "502") == .inspection)
        #expect(DeclarationPhase(status: "800") == .released)
        #expect(DeclarationPhase(status: "899") == .cleared)
        #expect(DeclarationPhase(status: "100") == .returned)
        #expect(DeclarationPhase(status: "-301010") == .returned)
        #expect(DeclarationPhase(status: "awaiting documents") == .awaitingDocuments)
        #expect(DeclarationPhase(status: "received") == .declared)
    }
}
