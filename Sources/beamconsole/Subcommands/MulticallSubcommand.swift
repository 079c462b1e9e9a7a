import ArgumentParser
import ConsoleREPL

struct MulticallSubcommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "multicall",
        abstract: "Call on many nodes concurrently; a table of per-node results and errors.",
        discussion: "The nodes: every --connect and --nodes node, and every node --dns-query or --epmd-hosts finds.")
    @Argument(help: "The call, e.g. 'Node.list()'.") var expression: String
    @OptionGroup var options: ConnectionOptions
    func run() async throws {
        try await runOneShot(options.oneShot(.multicall(expression: expression, nodes: nil)))
    }
}
