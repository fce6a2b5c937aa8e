import ArgumentParser
import ClearanceRouting
import ClearanceStore
import Foundation
import XMLSignature

/// `clearance receive`: process customs receipts.
struct ReceiveCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "receive",
        abstract: "Process customs receipts (files, or spool inbox directories) into shipment statuses.",
        discussion: """
            Receipts (CEB312/412/512/622, export receipts, CEB900…) are parsed, verified when --trust is given, \
            stored, matched to their declaration (guid, copNo, invtNo, payTransactionId, logisticsNo, orderNo) \
            and move its status along the customs codes. Unmatched receipts are kept and flagged. Files taken \
            from a directory move to its processed/ or failed/ subdirectory. With --watch, directories are \
            polled until SIGINT/SIGTERM (or --duration seconds). Exit code 0 when every receipt was stored, \
            1 when one was refused or unreadable, 2 on usage or store errors.
            """
    )

    @OptionGroup var store: StoreOption

    @Option(help: "CA certificates (PEM) receipt signatures must chain to; without it signatures are not checked.")
    var trust: String?

    @Flag(help: "Refuse receipts whose signature is missing or invalid (needs --trust).")
    var requireSignature = false

    @Flag(help: "Keep polling the directories.")
    var watch = false

    @Option(help: "With --watch: stop after this many seconds.")
    var duration: Double?

    @Option(help: "With --watch: poll interval in seconds.")
    var interval: Double = 0.2

    @Flag(help: "Also read the receipt inboxes of the spool destinations in the routing rules (--rules).")
    var spoolInboxes = false

    @OptionGroup var rules: RulesOption

    @Argument(help: "Receipt files or inbox directories.")
    var paths: [String] = []

    func run() async throws {
        var paths = self.paths
        if spoolInboxes {
            for config in try rules.watcher().current().destinations.values {
                if case .spool(let spool) = config.transport, let inbox = spool.inbox {
                    try? FileManager.default.createDirectory(atPath: inbox, withIntermediateDirectories: true)
                    paths.append(inbox)
                }
            }
        }
        guard !paths.isEmpty else { throw ValidationError("give receipt files or directories, or --spool-inboxes") }
        var verifier: SignatureVerifier?
        if let trust {
            do {
                let store = try TrustStore(anchorsPEM: try String(contentsOfFile: trust, encoding: .utf8))
                verifier = SignatureVerifier(policy: SignaturePolicy(trustStore: store))
            } catch {
                OutputBuffer.standardError("clearance: cannot load --trust \(trust): \(error)\n")
                throw Exit.usage
            }
        }
        let opened = try await store.openFlow()
        let processor = ReceiptProcessor(store: opened, verifier: verifier, requireSignature: requireSignature)
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
                            let ok = await Self.handle(file, processor)
                            inbox.finish(file, failed: !ok)
                            if !ok { failed.set(true) }
                        }
                    } else if !watch {
                        if await !Self.handle(path, processor) { failed.set(true) }
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

    static func handle(_ path: String, _ processor: ReceiptProcessor) async -> Bool {
        guard let data = FileManager.default.contents(atPath: path) else {
            print("\(path): cannot read")
            return false
        }
        do {
            let result = try await processor.process(Array(data))
            let parts = result.receipts.map { "\($0.status)\($0.matched ? "" : " UNMATCHED")\($0.inserted ? "" : " (duplicate)")" }
            print("\(path): \(result.messageType) \(result.guid) signature=\(result.signatureVerdict) → \(parts.joined(separator: ", "))")
            return true
        } catch {
            print("\(path): \(error)")
            return false
        }
    }
}
