import ArgumentParser

/// `clearance`: the command-line face of Clearance. Every subcommand is a thin layer over
/// the library modules; none holds business logic.
@main
struct Clearance: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "clearance",
        abstract: "Cross-border e-commerce customs clearance: validate, sign, store, route and trace CEB messages.",
        discussion: "Exit codes: 0 all good, 1 some input invalid, 2 usage or I/O error.",
        subcommands: [ValidateCommand.self, SignCommand.self, VerifyCommand.self]
    )
}

/// Exit codes shared by every subcommand.
enum Exit {
    /// Some input was invalid.
    static let invalid = ExitCode(1)
    /// Usage or I/O error.
    static let usage = ExitCode(2)
}
