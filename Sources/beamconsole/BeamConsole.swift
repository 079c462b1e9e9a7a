import ArgumentParser

/// The `beamconsole` command: one-shot subcommands over the libraries.
@main
struct BeamConsole: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "beamconsole",
        abstract: "A console for Elixir/Erlang clusters that joins them as a hidden node.",
        discussion: "See beamconsole(1) for every command, option, environment variable and exit code.",
        version: BeamConsoleVersion.string,
        subcommands: [TermCommand.self, CallCommand.self]
    )

    /// `beamconsole call` with plain arguments skips ArgumentParser (see ``CallCommand/fastArguments(_:)``); every
    /// other command line goes through it.
    static func main() async {
        guard let arguments = CallCommand.fastArguments(Array(CommandLine.arguments.dropFirst())) else {
            await main(nil)
            return
        }
        do {
            try await CallCommand.execute(arguments)
        } catch {
            exit(withError: error)
        }
    }
}

enum BeamConsoleVersion {
    static let string = "0.1.0-dev"
}

/// Exit codes, documented in beamconsole(1).
enum ExitCodes {
    /// The input (ETF bytes, a term literal, an expression) is invalid.
    static let dataError = ExitCode(65)
}
