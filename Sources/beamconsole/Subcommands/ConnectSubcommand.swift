import ArgumentParser
import ConsoleREPL

struct ConnectSubcommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "connect", abstract: "Connect to nodes as a hidden node and report each connection.")
    @Argument(help: "Nodes (name@host).") var nodes: [String]
    @OptionGroup var options: ConnectionOptions
    func run() async throws { try await runOneShot(options.oneShot(.connect(nodes))) }
}
