import ArgumentParser
import ConsoleREPL

struct HealthSubcommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "health",
        abstract: "Per node: memory by type, limits used, run queue, scheduler use, distribution queues; outliers.",
        discussion: """
            Process, port, atom and ETS counts as a share of their limits (warned at 85%), the run queue, scheduler \
            utilisation over --window seconds (scheduler_wall_time, restored afterwards), and the bytes queued to \
            each peer; nodes that stand out against the median are named. The nodes: --node, else every \
            --connect/--nodes node and every node discovery finds.
            """)
    @Option(help: "Seconds over which scheduler utilisation is measured.") var window: Double = 1
    @Option(help: "Only this node.") var node: String?
    @OptionGroup var options: ConnectionOptions
    func run() async throws {
        var r = InspectionRequest(command: "health", options: ["--window": "\(window)"])
        if let node { r.nodes = [node] }
        try await runOneShot(options.oneShot(.inspect(r)))
    }
}
