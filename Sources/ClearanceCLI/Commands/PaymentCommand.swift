import ArgumentParser
import ClearanceRouting
import ClearanceStore
import Foundation

/// `clearance payment`: real-time payment data for customs (announcement 2018 No. 179) from the
/// command line: deposit a payment's originals from files, list customs' requests.
/// Exit codes: 0 done, 1 no such payment or a bad file, 2 usage or store errors.
struct PaymentCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "payment",
        abstract: "Real-time payment data for customs: deposit a payment's originals, list customs' requests.",
        subcommands: [Original.self, Requests.self]
    )

    struct Original: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Deposit the original request to and response from the payment provider for a stored payment.",
            discussion: """
                As PUT /v1/payments/{payTransactionId}/original: stored with the payment (shown masked), and every \
                request of customs for its order that was waiting for it is queued for the outbox, once. Prints the \
                masked deposit and the requests it queued.
                """)
        @OptionGroup var store: StoreOption
        @OptionGroup var rules: RulesOption
        @Argument(help: "The payment's payTransactionId (CEB411).")
        var payTransactionId: String
        @Option(help: "File holding the raw request sent to the payment provider.")
        var request: String
        @Option(help: "File holding the raw response the payment provider gave.")
        var response: String
        @Option(help: "The payee's account.")
        var recpAccount: String?
        @Option(help: "The payee's code (unified social credit code).")
        var recpCode: String?
        @Option(help: "The payee's name.")
        var recpName: String?
        @Option(help: "Verifying department: 1 UnionPay, 2 NetsUnion, 3 other.")
        var verDept: String?
        @Option(help: "Payment type: 1 app, 2 PC, 3 QR scan, 4 other.")
        var payType: String?
        @Option(name: .customLong("item-link"), help: ArgumentHelp("A product page per order line: GNUM=URL (repeat).", valueName: "GNUM=URL"))
        var itemLinks: [String] = []
        @Option(help: "Who deposits (recorded with the deposit and in the audit log; default: $USER).")
        var actor: String?

        func validate() throws {
            if let verDept, !["1", "2", "3"].contains(verDept) { throw ValidationError("--ver-dept must be 1, 2 or 3") }
            if let payType, !["1", "2", "3", "4"].contains(payType) { throw ValidationError("--pay-type must be 1, 2, 3 or 4") }
        }

        func run() async throws {
            var links: [Int: String] = [:]
            for link in itemLinks {
                let parts = link.split(separator: "=", maxSplits: 1)
                guard parts.count == 2, let gnum = Int(parts[0]), gnum >= 1, !parts[1].isEmpty else {
                    throw ValidationError("--item-link takes GNUM=URL (GNUM ≥ 1), not \(link)")
                }
                links[gnum] = String(parts[1])
            }
            let texts: [String]
            do {
                texts = try [request, response].map { path in
                    let text = try String(contentsOfFile: path, encoding: .utf8)
                    guard !text.isEmpty else { throw ValidationError("\(path) is empty") }
                    return text
                }
            } catch {
                OutputBuffer.standardError("clearance: cannot read the originals: \(error)\n")
                throw Exit.invalid
            }
            let watcher = try rules.watcher()
            let opened = try await store.openFlow()
            let output = OutputBuffer()
            let outcome: ExitCode? = await opened.closing {
                guard let dataStore = opened as? any Store & PaymentDataStore else {
                    OutputBuffer.standardError("clearance: this store keeps no payment data\n")
                    return Exit.usage
                }
                do {
                    guard let payment = try await dataStore.payment(payTransactionId: payTransactionId) else {
                        OutputBuffer.standardError("clearance: no payment \(payTransactionId) is stored (CEB411 first)\n")
                        return Exit.invalid
                    }
                    let who = actor ?? HoldCommand.defaultActor
                    let original = PaymentOriginal(
                        payTransactionId: payTransactionId, orderNo: payment.orderNo ?? "", enterpriseCode: who,
                        initalRequest: texts[0], initalResponse: texts[1], verDept: verDept, payType: payType,
                        recpAccount: recpAccount, recpCode: recpCode, recpName: recpName, itemLinks: links)
                    let desk = PaymentDataDesk(store: dataStore, table: { watcher.current() })
                    let queued = try await desk.deposit(original)
                    if let access = opened as? any AccessStore {
                        try await access.appendAudit(AuditEntry(actor: who, action: "payment.original", target: payTransactionId, detail: original.orderNo))
                    }
                    let shown = original.masked
                    output.line("deposited for payment \(payTransactionId) (order \(shown.orderNo))")
                    output.line("initalRequest: \(shown.initalRequest)")
                    output.line("initalResponse: \(shown.initalResponse)")
                    for request in queued { output.line(PaymentCommand.line(request)) }
                    if queued.isEmpty { output.line("(no request of customs was waiting for it)") }
                    return nil
                } catch {
                    OutputBuffer.standardError("clearance: \(error)\n")
                    return Exit.usage
                }
            }
            output.flush()
            if let outcome { throw outcome }
        }
    }

    struct Requests: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "customs' payment data requests, newest first, with their state and reason.")
        @OptionGroup var store: StoreOption
        @Option(help: "Only this order's requests.")
        var order: String?
        @Option(help: "Only requests in this state: not-sent, queued, answered or refused.")
        var state: String?
        @Option(help: "At most this many requests.")
        var limit = 100

        func run() async throws {
            var wanted: PaymentDataRequest.State?
            if let state {
                guard let parsed = PaymentDataRequest.State(rawValue: state) else {
                    throw ValidationError("--state must be not-sent, queued, answered or refused")
                }
                wanted = parsed
            }
            let output = OutputBuffer()
            try await store.reading { opened in
                guard let dataStore = opened as? any PaymentDataStore else { throw StoreError.invalidInput("this store keeps no payment data") }
                let requests = try await dataStore.paymentDataRequests(orderNo: order, state: wanted, limit: limit)
                for request in requests { output.line(PaymentCommand.line(request)) }
                if requests.isEmpty { output.line("(no requests)") }
            }
            output.flush()
        }
    }

    /// One request on one line: id, session, order, state, then customs' code or the reason.
    static func line(_ r: PaymentDataRequest) -> String {
        let why = r.customsCode.map { "customs \($0)" + (r.customsMessage.map { " \($0)" } ?? "") } ?? r.reason ?? ""
        return "request \(r.id)\tsession \(r.sessionID)\torder \(r.orderNo)\t\(r.state.rawValue)" + (why.isEmpty ? "" : "\t\(why)")
    }
}
