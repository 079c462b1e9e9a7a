import ArgumentParser
import ConsoleREPL

struct DoctorSubcommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "doctor",
        abstract: "Check every connection stage for each node (or each node --dns-query finds), with causes and fixes.")
    @Argument(help: "Nodes (name@host); default: the target and every discovered node.") var nodes: [String] = []
    @OptionGroup var options: ConnectionOptions
    func run() async throws { try await runOneShot(options.oneShot(.doctor(nodes))) }
}
