import ArgumentParser
import ConsoleREPL

struct VersionsSubcommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "versions",
        abstract: "What runs where: OTP, ERTS, Elixir, release and application versions per node, and what differs.",
        discussion: """
            Also modules whose code (md5) differs between nodes and code:modified_modules(). With --env APP, compares \
            the application's environment key by key through hashes computed on the nodes: values are printed only \
            for the keys named with --show. The nodes: every --connect and --nodes node and every discovered node, or \
            --node N. Exit status 1 when a node failed (the others are shown).
            """)
    @Option(help: "Compare this application's environment (hashes only) instead.") var env: String?
    @Option(help: "With --env: print the values of these keys (comma-separated).") var show: String?
    @Option(help: "Only this node.") var node: String?
    @OptionGroup var options: ConnectionOptions
    func run() async throws {
        var opts: [String: String] = [:]
        if let env { opts["--env"] = env }
        if let show { opts["--show"] = show }
        let request = InspectionRequest(command: "versions", options: opts, nodes: node.map { [$0] })
        try await runOneShot(options.oneShot(.inspect(request)))
    }
}
