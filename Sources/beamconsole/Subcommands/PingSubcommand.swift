import ArgumentParser
import ConsoleREPL

struct PingSubcommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ping", abstract: "Connect to NODE if needed and measure a round trip.")
    @Argument(help: "The node (name@host).") var node: String
    @OptionGroup var options: ConnectionOptions
    func run() async throws { try await runOneShot(options.oneShot(.ping(node))) }
}
