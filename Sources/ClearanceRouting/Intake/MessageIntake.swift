import CEBModel
import ClearanceIngest
import ClearanceRules
import ClearanceStore
import Foundation

/// The one way a single message enters Clearance, whatever face it came through (`POST
/// /v1/messages`, `clearance submit`, `clearance receive` and spool inboxes): decode, decide who
/// may send it, check its signature against the sender's registered certificate, then hand a
/// declaration to the ``ClearanceFlow`` or a receipt to the ``ReceiptProcessor``.
///
/// Trust rules kept here, once:
/// - a declaration is sent by the enterprise its `BaseTransfer/copCode` names (ops and the local
///   operator may send for others); authorities do not declare;
/// - receipts come only from an authority account, signed with that authority's registered
///   certificate; each receipt must be one that authority gives, dated no later than its arrival
///   (plus ``Options/receiptClockSkew``), and it is linked only to a declaration that was routed
///   to a destination of that authority.
public struct MessageIntake: Sendable {
    /// Policy switches, each safe by default.
    public struct Options: Sendable {
        /// An enterprise with a registered certificate must sign (besides those flagged `requireSignature`).
        public var requireSignatureWhenRegistered: Bool
        /// Store receipts whose signature is missing, or whose authority has no certificate, as
        /// `unsigned`/`unchecked` instead of refusing them. For tests and migrations only.
        public var acceptUnverifiedReceipts: Bool
        /// How far a receipt's `returnTime` may lie after its arrival (clocks drift).
        public var receiptClockSkew: TimeInterval

        /// Creates options.
        public init(requireSignatureWhenRegistered: Bool = true, acceptUnverifiedReceipts: Bool = false, receiptClockSkew: TimeInterval = 300) {
            self.requireSignatureWhenRegistered = requireSignatureWhenRegistered
            self.acceptUnverifiedReceipts = acceptUnverifiedReceipts
            self.receiptClockSkew = receiptClockSkew
        }
    }

    private let store: any AccessStore
    private let flow: ClearanceFlow
    private let receipts: ReceiptProcessor
    private let routing: @Sendable () -> RoutingTable
    public let options: Options

    /// Creates an intake over one store and routing table.
    public init(store: any AccessStore, flow: ClearanceFlow, receipts: ReceiptProcessor,
                routing: @escaping @Sendable () -> RoutingTable, options: Options = Options()) {
        self.store = store
        self.flow = flow
        self.receipts = receipts
        self.routing = routing
        self.options = options
    }

    /// Takes one message.
    /// - Parameter sender: the authenticated account it came from; nil for the local operator
    ///   (`clearance submit`), who may send declarations for any enterprise but no receipt.
    public func accept(_ bytes: [UInt8], from sender: EnterpriseRecord?, receivedAt: Date = Date()) async throws(FlowError) -> IntakeResult {
        let message: DecodedMessage
        do {
            message = try decode(bytes, from: sender)
        } catch {
            return IntakeResult(guid: "", messageType: "", signature: .unchecked, verdict: .unreadable(error.description), message: nil)
        }
        return try await accept(message, from: sender, receivedAt: receivedAt)
    }

    /// Decodes a message from `sender` for `accept(_:from:receivedAt:)`, verifying its
    /// signature in the same parse against the certificate registered for `sender`, the one
    /// it must be signed with (save for ops accounts, which send for others).
    public func decode(_ bytes: [UInt8], from sender: EnterpriseRecord?) throws(FlowError) -> DecodedMessage {
        try DecodedMessage.decode(bytes, verifyingAgainst: sender?.role == .ops ? nil : sender?.certificatePEM)
    }

    /// Takes one message already decoded (a face that looks at its guid first, e.g. for a stored answer).
    public func accept(_ message: DecodedMessage, from sender: EnterpriseRecord?, receivedAt: Date = Date()) async throws(FlowError) -> IntakeResult {
        let (signature, verdict) = message.isReceipt
            ? try await acceptReceipt(message, from: sender, receivedAt: receivedAt)
            : try await acceptDeclaration(message, from: sender, receivedAt: receivedAt)
        return IntakeResult(guid: message.guid, messageType: message.messageType, signature: signature, verdict: verdict, message: message)
    }

    // MARK: Declarations

    private func acceptDeclaration(
        _ message: DecodedMessage, from sender: EnterpriseRecord?, receivedAt: Date
    ) async throws(FlowError) -> (SignatureVerdict, IntakeVerdict) {
        let claimed = message.senderCode ?? ""
        if let sender {
            if sender.role == .authority {
                return (.unchecked, .forbidden(CrossMessageIssue(
                    code: "AUTH002", field: "BaseTransfer/copCode", message: "an authority account sends receipts, not declarations")))
            }
            guard sender.role == .ops || claimed == sender.code else {
                return (.unchecked, .forbidden(CrossMessageIssue(
                    code: "AUTH001", field: "BaseTransfer/copCode",
                    message: "copCode \(claimed.isEmpty ? "(none)" : claimed) is not the authenticated enterprise \(sender.code)")))
            }
        }
        // The authenticated sender's record is at hand; only ops or the operator sending for others needs a look-up.
        let signer: EnterpriseRecord?
        do {
            signer = claimed.isEmpty ? nil : claimed == sender?.code ? sender : try await store.enterprise(code: claimed)
        } catch {
            throw .store(error)
        }
        let gate = InboundSignatureGate(requireWhenRegistered: options.requireSignatureWhenRegistered)
        let decision = gate.check(message, signer: signer, claimedCode: claimed)
        if let refusal = decision.refusal { return (decision.verdict, .refused(refusal)) }
        return (decision.verdict, .flow(try await flow.accept(message, receivedAt: receivedAt, signatureVerdict: decision.verdict)))
    }

    // MARK: Receipts

    private func acceptReceipt(
        _ message: DecodedMessage, from sender: EnterpriseRecord?, receivedAt: Date
    ) async throws(FlowError) -> (SignatureVerdict, IntakeVerdict) {
        guard let sender, sender.role == .authority, let authority = sender.authority else {
            return (.unchecked, .forbidden(CrossMessageIssue(
                code: "RCP001", field: "", message: "receipts are accepted only from an authority's account or inbox")))
        }
        // The authority's certificate is the only one trusted, and it must be there.
        let insecure = options.acceptUnverifiedReceipts
        let gate = InboundSignatureGate(requireWhenRegistered: !insecure)
        let decision = gate.check(
            message, signer: insecure ? sender.signatureOptional : sender.requiringSignature, claimedCode: sender.code)
        if let refusal = decision.refusal { return (decision.verdict, .refused(refusal)) }
        let latest = receivedAt.addingTimeInterval(options.receiptClockSkew)
        for document in message.documents {
            guard let record = DeclarationMapper.receipt(document, messageGuid: message.guid) else { continue }
            guard authority.mayAnswer(record.forKind) else {
                return (decision.verdict, .refused(CrossMessageIssue(
                    code: "RCP002", field: "", message: "\(authority.rawValue) does not answer \(record.forKind) declarations")))
            }
            if let time = ChinaTime.date(cebTime: record.returnTime), time > latest {
                return (decision.verdict, .refused(CrossMessageIssue(
                    code: "RCP003", field: "returnTime",
                    message: "returnTime \(record.returnTime) lies after the receipt's arrival; a receipt cannot come from the future")))
            }
        }
        let destinations = routing().destinations.values.filter { $0.authority == authority }.map(\.name).sorted()
        do {
            return (decision.verdict, .receipt(try await receipts.process(
                message, signatureVerdict: decision.verdict, routedTo: destinations, senderCode: sender.code, receivedAt: receivedAt)))
        } catch {
            return (decision.verdict, .refused(CrossMessageIssue(code: "RCP004", field: "", message: "\(error)")))
        }
    }
}

extension EnterpriseRecord {
    /// The same account with signatures required, whatever its flag says: receipts always need one.
    var requiringSignature: EnterpriseRecord {
        var copy = self
        copy.requireSignature = true
        return copy
    }

    /// The same account with signatures optional (an operator's explicit, insecure import).
    var signatureOptional: EnterpriseRecord {
        var copy = self
        copy.requireSignature = false
        return copy
    }
}
