import ArgumentParser
import ConsoleREPL

struct MulticallSubcommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "multicall",
        abstract: "Any expression on many nodes concurrently; identical results grouped, with their nodes.",
        discussion: """
            The nodes: every --connect and --nodes node, and every node --dns-query or --epmd-hosts finds. A plain \
            call with literal arguments (Node.list()) is made as such; anything else is evaluated on each node.
            """)
    @Argument(help: "The expression, e.g. 'Node.list()' or 'Enum.count(Process.list())'.") var expression: String
    @Flag(help: "One row per node instead of groups of identical results.") var table = false
    @OptionGroup var options: ConnectionOptions
    func run() async throws {
        try await runOneShot(options.oneShot(.multicall(expression: expression, nodes: nil, table: table)))
    }
}
