import ArgumentParser
import ConsoleREPL

struct EvalSubcommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval",
        abstract: "Evaluate code on NODE: Elixir via Code.eval_string, Erlang via erl_scan/erl_parse/erl_eval.")
    @Argument(help: "[NODE] CODE") var arguments: [String]
    @OptionGroup var options: ConnectionOptions
    func run() async throws {
        let (node, code) = try nodeAndBody(arguments)
        try await runOneShot(options.oneShot(.eval(node: node, code: code)))
    }
}
