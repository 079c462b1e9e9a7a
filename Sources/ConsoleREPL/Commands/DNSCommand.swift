import ClusterDiscovery
import ClusterMembership

/// `dns`.
enum DNSCommand {
    static func run(session: ConsoleSession) async -> CommandOutput {
        guard session.discovery.configuration.dnsPoll != nil else {
            return .badInput(
                "dns: no DNS query; start with --dns-query NAME --basename BASENAME (libcluster DNSPoll's query and "
                    + "node_basename)")
        }
        // A session without a background poll (one-shot) has polled once before the command.
        var snapshot = session.discovery.snapshot()
        if snapshot.reports.isEmpty {
            await session.discovery.pollOnce(waitForConnections: true)
            snapshot = session.discovery.snapshot()
        }
        let report = snapshot.reports.last
        let failed = report.map { $0.answerNodes.isEmpty || !$0.warnings.isEmpty } ?? true
        return CommandOutput(
            text: DNSView.render(snapshot, color: session.settings.color, width: session.settings.width),
            json: DNSView.json(snapshot), status: failed ? CommandOutput.Status.remoteFailure : CommandOutput.Status.ok)
    }
}
