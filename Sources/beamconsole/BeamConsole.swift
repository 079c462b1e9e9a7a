import ArgumentParser

/// The `beamconsole` command: one-shot subcommands over the libraries.
@main
struct BeamConsole: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "beamconsole",
        abstract: "A console for Elixir/Erlang clusters that joins them as a hidden node.",
        discussion: "See beamconsole(1) for every command, option, environment variable and exit code.",
        version: BeamConsoleVersion.string,
        subcommands: [CallCommand.self, TermCommand.self]
    )
}

enum BeamConsoleVersion {
    static let string = "0.1.0-dev"
}

/// Exit codes, documented in beamconsole(1).
enum ExitCodes {
    /// The input (ETF bytes, a term literal, an expression) is invalid.
    static let dataError = ExitCode(65)
}
