import ClusterDiscovery
import ErlangDistribution

/// `dns`: the latest DNS polls.
enum DNSCommand {
    static func run(session: ConsoleSession) async -> CommandOutput {
        CommandOutput(errorText: "dns: not implemented yet", status: CommandOutput.Status.badInput)
    }
}
