import ArgumentParser
import ConsoleREPL

struct CallSubcommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "call",
        abstract: "Call Mod.fun(literal args) on NODE (default: the target) and print the result as IEx would.",
        discussion: """
            Examples:
              beamconsole call myapp@10.0.1.5 'Node.list()'
              beamconsole call myapp@10.0.1.5 ':erlang.memory(:total)'
              beamconsole call --syntax erlang myapp@10.0.1.5 'erlang:memory(total)'
            """)
    @Argument(help: "[NODE] EXPR") var arguments: [String]
    @OptionGroup var options: ConnectionOptions
    func run() async throws {
        let (node, expression) = try nodeAndBody(arguments)
        try await runOneShot(options.oneShot(.call(node: node, expression: expression)))
    }
}

/// `call [NODE] EXPR` / `eval [NODE] CODE` arguments.
func nodeAndBody(_ args: [String]) throws -> (String?, String) {
    switch args.count {
    case 1: return (nil, args[0])
    case 2: return (args[0], args[1])
    default: throw ValidationError("expected [NODE] EXPRESSION")
    }
}
