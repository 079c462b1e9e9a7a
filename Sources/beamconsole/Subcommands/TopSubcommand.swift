import ArgumentParser
import ConsoleREPL

struct TopSubcommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "top",
        abstract: "The top processes across the cluster (memory, reductions over a window, queue, binary, heap).",
        discussion: """
            One row per process, merged across every selected node, with the node; then the nodes that stand out \
            against the median. On a terminal it refreshes every --interval seconds until q; with --json, without a \
            terminal or with --once, one snapshot. The nodes: --node, else every --connect/--nodes node and every \
            node discovery finds. Only process_info/2 with an explicit item list runs on the nodes; above \
            200000 processes a node is not scanned unless --force.
            """)
    @Option(help: "memory, reductions, mqueue, binary or heap.") var sort: String = "memory"
    @Option(help: "How many processes.") var limit: Int = 10
    @Option(help: "Seconds between refreshes on a terminal.") var interval: Double = 2
    @Option(help: "The window for reductions, in seconds.") var window: Double = 1
    @Flag(help: "Scan nodes above the process-count limit too.") var force = false
    @Flag(help: "One snapshot, even on a terminal.") var once = false
    @Option(help: "Only this node.") var node: String?
    @OptionGroup var options: ConnectionOptions
    func run() async throws {
        var r = InspectionRequest(
            command: "top",
            options: ["--sort": sort, "--limit": "\(limit)", "--interval": "\(interval)", "--window": "\(window)"])
        if force { r.flags.insert("--force") }
        if once { r.flags.insert("--once") }
        if let node { r.nodes = [node] }
        try await runOneShot(options.oneShot(.inspect(r)))
    }
}
