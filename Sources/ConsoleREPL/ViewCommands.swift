import ErlangDistribution

/// `info [NODE]`: the node's vital signs (see ``InfoView``).
enum InfoCommand {
    static func run(session: ConsoleSession, node n: String) async -> CommandOutput {
        do throws(DistributionError) {
            let info = try await InfoView.collect(node: session.node, target: n, timeout: session.settings.timeout)
            let ecs = session.ecsTask
            return CommandOutput(
                text: InfoView.render(info, width: session.settings.width, consoleECSTask: ecs),
                json: InfoView.json(info, consoleECSTask: ecs))
        } catch {
            return CommandOutput(
                errorText: "\(error)", json: jsonObject(["node": .string(n), "error": errorJSON(error)]),
                status: CommandOutput.Status.connectionFailure)
        }
    }
}

/// `members`: every node's `Node.list`, as a matrix with findings (see ``MembersView``).
enum MembersCommand {
    static func run(session: ConsoleSession, start: [String]) async -> CommandOutput {
        let report = await MembersView.collect(node: session.node, start: start, timeout: session.settings.timeout)
        return CommandOutput(
            text: MembersView.render(report, width: session.settings.width), json: MembersView.json(report),
            status: report.findings.isEmpty && report.failures.isEmpty ? CommandOutput.Status.ok : CommandOutput.Status.remoteFailure)
    }
}
