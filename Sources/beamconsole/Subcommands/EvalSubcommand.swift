import ArgumentParser
import ConsoleREPL

struct EvalSubcommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval",
        abstract: "Evaluate any expression on NODE, rendered by the node as IEx (or the erl shell) would.")
    @Argument(help: "[NODE] CODE") var arguments: [String]
    @OptionGroup var options: ConnectionOptions
    func run() async throws {
        let (node, code) = try nodeAndBody(arguments)
        try await runOneShot(options.oneShot(.eval(node: node, code: code)))
    }
}
