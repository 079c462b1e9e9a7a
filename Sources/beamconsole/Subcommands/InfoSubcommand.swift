import ArgumentParser
import ConsoleREPL

struct InfoSubcommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "info",
        abstract: "OTP/Elixir versions, uptime, memory, process/port/atom counts, schedulers, ticktime, ports, apps.")
    @Argument(help: "The node (default: the target).") var node: String?
    @OptionGroup var options: ConnectionOptions
    func run() async throws { try await runOneShot(options.oneShot(.info(node))) }
}
