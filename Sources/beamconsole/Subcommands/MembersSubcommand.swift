import ArgumentParser
import ConsoleREPL

struct MembersSubcommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "members",
        abstract: "Every node's Node.list as a matrix; flags partial meshes, asymmetric links, unreachable nodes.")
    @OptionGroup var options: ConnectionOptions
    func run() async throws { try await runOneShot(options.oneShot(.members)) }
}
