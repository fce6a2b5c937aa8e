import ClearanceRules
import Foundation

/// The credit list in the store: replaced whole by each import, read by the flow for every
/// declaration, and the messages it put on hold.
///
/// The flow reads the list from the store on every message (no cache), so an import takes effect
/// for the next message in every running process without a restart.
public protocol CreditStore: Sendable {
    /// Replaces the whole list with `entries` and records the import (a `credit_imports` row and
    /// an `audit_log` line `credit.import`), in one transaction: readers see the old list or the
    /// new one, never a mix. Returns the record with its id.
    @discardableResult
    func replaceCreditList(_ entries: [CreditEntry], record: CreditImport) async throws(StoreError) -> CreditImport

    /// The list's entries for these codes (whatever their validity; see ``CreditEntry/applies(at:)``).
    func creditEntries(codes: Set<String>) async throws(StoreError) -> [CreditEntry]

    /// The list in force, by code.
    func creditList(limit: Int) async throws(StoreError) -> [CreditEntry]

    /// Imports, newest first.
    func creditImports(limit: Int) async throws(StoreError) -> [CreditImport]

    /// Ends a hold: moves every declaration of the message that is ``DeclarationStatus/held`` to
    /// `toStatus`, and — only when some moved — appends the events, queues the routes and writes
    /// the audit line, all in one transaction. Returns how many moved (0: the message was not on
    /// hold, e.g. another operator decided first; nothing is written).
    func resolveHold(
        messageGuid: String, toStatus: DeclarationStatus, events: [Event], routes: [OutboxRoute], audit: AuditEntry
    ) async throws(StoreError) -> Int

    /// Messages with declarations held for review, oldest hold first.
    func heldMessages(limit: Int) async throws(StoreError) -> [HeldMessage]
}
