import ArgumentParser
import ConsoleREPL

struct NodesSubcommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "nodes", abstract: "The console's connections: node, state, type, since, round-trip time.")
    @OptionGroup var options: ConnectionOptions
    func run() async throws { try await runOneShot(options.oneShot(.nodes)) }
}
