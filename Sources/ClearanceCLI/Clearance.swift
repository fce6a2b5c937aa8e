import ArgumentParser
#if canImport(Glibc)
import Glibc
#endif

/// `clearance`: the command-line face of Clearance. Every subcommand is a thin layer over
/// the library modules; none holds business logic.
@main
struct Clearance: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "clearance",
        abstract: "Cross-border e-commerce customs clearance: validate, sign, store, route and trace CEB messages.",
        discussion: "Exit codes: 0 all good, 1 some input invalid, 2 usage or I/O error.",
        subcommands: [
            ValidateCommand.self, SignCommand.self, VerifyCommand.self, IngestCommand.self, TraceCommand.self,
            StatsCommand.self, SubmitCommand.self, RouteCommand.self, DeliverCommand.self, OutboxCommand.self,
            ReceiveCommand.self, SimulateCustomsCommand.self, ServeCommand.self, EnterpriseCommand.self, RenderCommand.self, CreditCommand.self, HoldCommand.self,
            PaymentCommand.self, SummarizeCommand.self, RefundDataCommand.self, FXSettlementCommand.self, PartitionsCommand.self,
            ReleaseWaitingCommand.self,
        ]
    )

    /// Parses and runs the command. Usage errors exit with 2, like every other usage or I/O
    /// error of `clearance` (ArgumentParser's own default is 64).
    static func main() async {
        do {
            var command = try parseAsRoot()
            if var command = command as? any AsyncParsableCommand {
                try await command.run()
            } else {
                try command.run()
            }
        } catch {
            if exitCode(for: error) == .validationFailure {
                OutputBuffer.standardError(fullMessage(for: error) + "\n")
                Glibc.exit(Exit.usage.rawValue)
            }
            exit(withError: error)
        }
    }
}

/// Exit codes shared by every subcommand.
enum Exit {
    /// Some input was invalid.
    static let invalid = ExitCode(1)
    /// Usage or I/O error.
    static let usage = ExitCode(2)
}
