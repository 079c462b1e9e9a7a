import ArgumentParser
import ConsoleREPL

struct DoctorSubcommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "doctor",
        abstract: "Check every connection stage for each node, with causes and fixes; with no NODE, also the whole cluster.",
        discussion: """
            With no NODE: the target and every discovered node, stage by stage, then the cluster's findings: DNS \
            (the 8-record cap, churn, empty or failed answers, stale records), membership (partial mesh, asymmetric \
            links, unreachable nodes, each missing link with its cause), versions (OTP skew, a deploy in progress) and \
            configuration read from every node (libcluster poll_interval, prune behind a capped name, node_basename, \
            Gossip, prevent_overlapping_partitions, net_ticktime). Exit status: 0 healthy, 1 findings, 2 a node fails \
            a stage.
            """)
    @Argument(help: "Nodes (name@host); default: the target and every discovered node.") var nodes: [String] = []
    @OptionGroup var options: ConnectionOptions
    func run() async throws { try await runOneShot(options.oneShot(.doctor(nodes))) }
}
