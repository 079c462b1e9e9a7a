import ArgumentParser
import ConsoleREPL

struct EtsSubcommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ets",
        abstract: "The biggest ETS tables across the cluster (metadata only); with TABLE --node N --peek K, K objects.",
        discussion: """
            Each node reports its own top tables (name, owner, type, size, memory in bytes, protection) through \
            ets:info/2; the console merges them. A peek reads at most K (up to 100) objects with ets:select/3, each \
            rendered and cut on the node; a private table cannot be read by another process, and the peek says so. \
            --audit-log records every peek. Exit status 1 when a node failed (the others are shown).
            """)
    @Argument(help: "A table (its name, or the #Ref<…> ets lists) to look into, on --node.") var table: String?
    @Option(help: "Order by memory or size.") var sort: String?
    @Option(help: "How many tables (default 10).") var limit: String?
    @Option(help: "With TABLE: show at most this many objects (up to 100).") var peek: String?
    @Option(help: "Only this node (required with TABLE).") var node: String?
    @OptionGroup var options: ConnectionOptions
    func run() async throws {
        var opts: [String: String] = [:]
        if let sort { opts["--sort"] = sort }
        if let limit { opts["--limit"] = limit }
        if let peek { opts["--peek"] = peek }
        let request = InspectionRequest(
            command: "ets", positional: table.map { [$0] } ?? [], options: opts, nodes: node.map { [$0] })
        try await runOneShot(options.oneShot(.inspect(request)))
    }
}
