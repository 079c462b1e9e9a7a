import ArgumentParser
import ConsoleREPL

struct ProcSubcommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "proc",
        abstract: "One process, safely: identity, sizes, links and monitors, stacktrace, and a GenServer's state (bounded).",
        discussion: """
            PROCESS is a pid as the node prints it ('<0.123.0>'), a registered name (MyApp.Worker, :name, name), \
            '{global, Name}' or '{via, Module, Name}'. Without --node: the target; a name the target does not have \
            is looked for on every node the target and the console know. Only cheap process_info/2 items are read. \
            The state of a gen_server/gen_statem/gen_event (sys:get_state/2, 2 s timeout) is read only below 10000 \
            queued messages and 4000000 heap words, and rendered and cut to 16 KB on the node. Exit status: 1 when \
            the process is not alive or the name is not registered.
            """)
    @Argument(help: "The process: '<0.123.0>', a registered name, '{global, Name}' or '{via, Module, Name}'.")
    var process: String
    @Option(help: "The node the process is on (default: the target).") var node: String?
    @Flag(name: .customLong("no-state"), help: "Do not read the process's state.") var noState = false
    @OptionGroup var options: ConnectionOptions

    func run() async throws {
        let request = InspectionRequest(
            command: "proc", positional: [process], flags: noState ? ["--no-state"] : [],
            nodes: node.map { [$0] })
        try await runOneShot(options.oneShot(.inspect(request)))
    }
}
