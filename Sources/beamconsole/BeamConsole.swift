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
    /// `beamconsole call` with plain arguments skips ArgumentParser (see ``FastCall``) and, unless it needs TLS or
    /// the ECS task metadata, runs on one blocking connection (``BlockingCall``); every other command line goes
    /// through ArgumentParser.
    static func main() {
        let arguments = Array(CommandLine.arguments.dropFirst())
        if let repl = FastCall.parseREPL(arguments) {
            runDetached {
                do {
                    try await runREPL(startup: repl.startup, json: repl.json, noHistory: repl.noHistory)
                } catch {
                    BeamConsole.exit(withError: error)
                }
            }
        }
        guard let fast = FastCall.parse(arguments) else {
            runDetached { await BeamConsole.main(nil) }
        }
        // Plain TCP, no ECS metadata to fetch: the whole call on this thread, on one blocking connection.
        // BEAMCONSOLE_NIO_CALL keeps the LocalNode path (the tests compare the two).
        let environment = Startup.processEnvironment()
        if environment["BEAMCONSOLE_NIO_CALL"] == nil, let status = BlockingCall.run(
            node: fast.node, expression: fast.expression, startup: fast.startup, json: fast.json,
            environment: environment)
        {
            Foundation.exit(status)
        }
        runDetached {
            do {
                try await runOneShot(
                    .call(node: fast.node, expression: fast.expression), startup: fast.startup, json: fast.json)
            } catch {
                BeamConsole.exit(withError: error)
            }
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
            ReplCommand.self, CallSubcommand.self, MulticallSubcommand.self, EvalSubcommand.self, NodesCommand.self,
            MembersSubcommand.self, ConnectSubcommand.self, PingSubcommand.self, InfoSubcommand.self,
            DNSSubcommand.self, WatchSubcommand.self, DoctorSubcommand.self, TermCommand.self,
        ],
        defaultSubcommand: ReplCommand.self
    )
}

/// No subcommand: the interactive console (or a script on standard input).
struct ReplCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "repl",
        abstract: "The interactive console (the default), or commands read line by line from standard input.")

    @OptionGroup var options: ConnectionOptions
    @Flag(name: .customLong("no-history"), help: "Do not read or write the history file.") var noHistory = false

    func run() async throws {
        try await runREPL(startup: options.startup, json: options.json, noHistory: noHistory)
    }
}

/// The interactive console (or a script on standard input), for ``ReplCommand`` and the plain command lines
/// ``FastCall/parseREPL(_:)`` reads without ArgumentParser.
func runREPL(startup: StartupOptions, json: Bool, noHistory: Bool) async throws {
    let (session, plan) = try await makeConsoleSession(startup, json: json)
    defer { session.node.shutdown() }
    let repl = REPL(session: session, historyPath: noHistory ? nil : REPL.defaultHistoryPath())
    if repl.isInteractive { for note in plan.notes where !note.hasPrefix("warning") { printError(note) } }
    if !plan.connect.isEmpty {
        let out = await session.run(.connect(plan.connect))
        if !out.text.isEmpty, repl.isInteractive { print(out.text) }
        if !out.errorText.isEmpty { printError(out.errorText) }
    }
    // Discovery runs in the background for the whole session.
    if session.hasDiscoverySources {
        // The first discovered node that comes up becomes the target when none was given.
        if session.target == nil {
            let events = session.discovery.events()
            Task {
                for await e in events {
                    if case .nodeUp(let n) = e.kind {
                        if session.target == nil { session.target = n }
                        break
                    }
                }
            }
        }
        session.discovery.start()
    }
    let status = await repl.run()
    if status != 0 { throw ExitCode(status) }
}

enum BeamConsoleVersion {
    static let string = "0.1.0-dev"
}

/// Exit codes, documented in beamconsole(1).
enum ExitCodes {
    /// The input (ETF bytes, a term literal, an expression) is invalid.
    static let dataError = ExitCode(65)
}
