import ArgumentParser
import ClearanceRouting
import ClearanceStore
import Foundation

/// `clearance receive`: process customs receipts.
struct ReceiveCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "receive",
        abstract: "Process an authority's receipts (files, or spool inbox directories) into shipment statuses.",
        discussion: """
            Receipts (CEB312/412/512/622, export receipts, CEB900, inspection and payment/FX answers) are taken \
            for the authority account named by --from (created with 'clearance enterprise add CODE --role authority \
            --authority customs|inspection|payment-fx|cross-strait'): each must be signed with the certificate \
            registered for it ('clearance enterprise cert register CODE CERT.pem') or it is refused (SIG001/SIG003), \
            and is linked only to a declaration that was routed to a destination of that authority (the routing \
            table's `authority`), its quoted keys agreeing. Matched receipts move the status forward in the customs \
            order of states; unmatched ones are kept and flagged. Files taken \
            from a directory move to its processed/ or failed/ subdirectory. With --watch, directories are \
            polled until SIGINT/SIGTERM (or --duration seconds). Exit code 0 when every receipt was stored, \
            1 when one was refused or unreadable, 2 on usage or store errors.
            """
    )

    @OptionGroup var store: StoreOption

    @Option(help: "The authority account the receipts come from (role authority, with a registered certificate).")
    var from: String

    @Flag(name: .customLong("INSECURE-accept-unverified-receipts"),
          help: "Store receipts that are unsigned, or whose authority has no registered certificate, instead of refusing them. Never in production.")
    var acceptUnverified = false

    @Flag(help: "Keep polling the directories.")
    var watch = false

    @Option(help: "With --watch: stop after this many seconds.")
    var duration: Double?

    @Option(help: "With --watch: poll interval in seconds.")
    var interval: Double = 0.2

    @Flag(help: "Also read the receipt inboxes of the spool destinations of this authority in the routing rules (--rules).")
    var spoolInboxes = false

    @OptionGroup var rules: RulesOption

    @Argument(help: "Receipt files or inbox directories.")
    var paths: [String] = []

    func run() async throws {
        let opened = try await store.openAccess()
        guard let authority = try await opened.enterprise(code: from), authority.role == .authority else {
            OutputBuffer.standardError("clearance: --from \(from) is not an authority account (clearance enterprise add \(from) --role authority --authority …)\n")
            await opened.close()
            throw Exit.usage
        }
        let table = try rules.watcher().current()
        var paths = self.paths
        if spoolInboxes {
            // Only the inboxes of this authority's destinations: each inbox speaks for one authority.
            for config in table.destinations.values where config.authority == authority.authority {
                if case .spool(let spool) = config.transport, let inbox = spool.inbox {
                    try? FileManager.default.createDirectory(atPath: inbox, withIntermediateDirectories: true)
                    paths.append(inbox)
                }
            }
        }
        guard !paths.isEmpty else {
            await opened.close()
            throw ValidationError("give receipt files or directories, or --spool-inboxes")
        }
        if acceptUnverified {
            OutputBuffer.standardError("clearance: WARNING: --INSECURE-accept-unverified-receipts: unsigned receipts are stored as if \(from) sent them\n")
        }
        let intake = MessageIntake(
            store: opened, flow: ClearanceFlow(store: opened, routing: { table }), receipts: ReceiptProcessor(store: opened),
            routing: { table }, options: MessageIntake.Options(acceptUnverifiedReceipts: acceptUnverified))
        let watch = self.watch, interval = self.interval, inputs = paths
        let deadline = duration.map { Date().addingTimeInterval($0) }
        let failed = LockedBox(false)
        await Interruptible.run {
            repeat {
                for path in inputs {
                    var isDirectory: ObjCBool = false
                    guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
                        OutputBuffer.standardError("clearance: \(path): no such file or directory\n")
                        failed.set(true)
                        continue
                    }
                    if isDirectory.boolValue {
                        let inbox = SpoolInbox(directory: path)
                        for file in inbox.pending() {
                            let ok = await Self.handle(file, intake, from: authority)
                            inbox.finish(file, failed: !ok)
                            if !ok { failed.set(true) }
                        }
                    } else if !watch {
                        if await !Self.handle(path, intake, from: authority) { failed.set(true) }
                    }
                }
                if !watch || Task.isCancelled { break }
                if let deadline, Date() >= deadline { break }
                try? await Task.sleep(nanoseconds: UInt64(interval * 1e9))
            } while !Task.isCancelled
        }
        await opened.close()
        if failed.get() { throw Exit.invalid }
    }

    static func handle(_ path: String, _ intake: MessageIntake, from authority: EnterpriseRecord) async -> Bool {
        guard let data = FileManager.default.contents(atPath: path) else {
            print("\(path): cannot read")
            return false
        }
        do {
            let result = try await intake.accept(Array(data), from: authority)
            switch result.verdict {
            case .receipt(let receipts):
                let parts = receipts.receipts.map { "\($0.status)\($0.matched ? "" : " UNMATCHED")\($0.inserted ? "" : " (duplicate)")" }
                print("\(path): \(result.messageType) \(result.guid) signature=\(result.signature) → \(parts.joined(separator: ", "))")
                return true
            case .unreadable(let why):
                print("\(path): \(why)")
            case .forbidden(let refusal), .refused(let refusal):
                print("\(path): \(result.messageType) \(result.guid) refused (signature \(result.signature)): \(refusal)")
            case .flow:
                print("\(path): \(result.messageType) \(result.guid) is not a receipt")
            }
            return false
        } catch {
            print("\(path): \(error)")
            return false
        }
    }
}
