import ArgumentParser
import ConsoleREPL
import Foundation

/// The process entry point. It is synchronous: a plain `beamconsole call` runs on this thread and exits; everything
/// else runs as a task on the global executor while this thread waits (``runDetached(_:)``).
///
/// Why not an `async` main: Swift's async main ends in `dispatch_main()`, which calls `pthread_exit` on the main
/// thread, and that forced unwind makes libgcc sort every FDE of the executable on first use; in the static release
/// executable, where the unwinder takes the frame-registry path, that was ~400 M instructions (~30 ms) per start.
@main
enum BeamConsoleMain {
    /// `beamconsole call` with plain arguments skips ArgumentParser (see ``FastCall``) and, when ``ExecutionRoute``
    /// picks the blocking transport, runs on this thread; every other command line goes through ArgumentParser.
    static func main() {
        let arguments = Array(CommandLine.arguments.dropFirst())
        if let repl = FastCall.parseREPL(arguments) {
            runDetached {
                let status = await ConsoleApp.runREPL(
                    startup: repl.arguments.startup, json: repl.arguments.json, noHistory: repl.noHistory)
                if status != 0 { Foundation.exit(status) }
            }
        }
        guard let fast = FastCall.parse(arguments) else {
            runDetached { await BeamConsole.main(nil) }
        }
        let oneShot = OneShot(
            command: .call(node: fast.node, expression: fast.expression), startup: fast.arguments.startup,
            json: fast.arguments.json, verbose: fast.arguments.verbose)
        let environment = Startup.processEnvironment()
        if case .blocking(let plan) = ConsoleApp.route(oneShot, environment: environment) {
            Foundation.exit(ConsoleApp.runBlockingOnThisThread(oneShot, plan: plan))
        }
        runDetached {
            let status = await ConsoleApp.runFull(oneShot, environment: environment)
            if status != 0 { Foundation.exit(status) }
        }
    }

    /// Runs `body` as a task on the global executor and exits with status 0 when it returns (the commands exit with
    /// their own status before that when they fail). This thread sleeps meanwhile: nothing in beamconsole uses the
    /// main queue or the main actor.
    static func runDetached(_ body: @escaping @Sendable () async -> Void) -> Never {
        Task {
            await body()
            Foundation.exit(0)
        }
        while true { pause() }
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
            InfoSubcommand.self, DNSSubcommand.self, WatchSubcommand.self, DoctorSubcommand.self, TermCommand.self,
        ],
        defaultSubcommand: ReplCommand.self
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
