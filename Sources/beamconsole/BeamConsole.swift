import ArgumentParser
import ConsoleREPL

/// The process entry point. It is synchronous: a plain `beamconsole call` runs on this thread and exits; everything
/// else runs as a task on the global executor while this thread waits (`ConsoleApp.runDetached(_:)`).
///
/// Why not an `async` main: Swift's async main ends in `dispatch_main()`, which calls `pthread_exit` on the main
/// thread, and that forced unwind makes libgcc sort every FDE of the executable on first use; in the static release
/// executable, where the unwinder takes the frame-registry path, that was ~400 M instructions (~30 ms) per start.
@main
enum BeamConsoleMain {
    /// A plain `beamconsole call` or REPL command line runs through `ConsoleApp.runFastPath(_:)`
    /// (no ArgumentParser; a blocking `call` on this thread); every other command line goes through ArgumentParser.
    static func main() {
        ConsoleApp.runFastPath(Array(CommandLine.arguments.dropFirst()))
        ConsoleApp.runDetached { await BeamConsole.main(nil) }
    }
}

/// The `beamconsole` command: one-shot subcommands over the libraries.
struct BeamConsole: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "beamconsole",
        abstract: "A console for Elixir/Erlang clusters that joins them as a hidden node.",
        discussion: "See beamconsole(1) for every command, option, environment variable and exit code.",
        version: BeamConsoleVersion.string,
        subcommands: [
            ReplCommand.self, CallSubcommand.self, MulticallSubcommand.self, EvalSubcommand.self,
            NodesSubcommand.self, MembersSubcommand.self, ConnectSubcommand.self, PingSubcommand.self,
            InfoSubcommand.self, DNSSubcommand.self, WatchSubcommand.self, DoctorSubcommand.self, TopSubcommand.self,
            HealthSubcommand.self, VersionsSubcommand.self, EtsSubcommand.self, ProcSubcommand.self, TraceSubcommand.self, LogSubcommand.self,
            TermCommand.self,
        ],
        defaultSubcommand: ReplCommand.self
    )
}

enum BeamConsoleVersion {
    static let string = "0.1.0-dev"
}
