/// Runs an inspection command (see ``InspectionRequest``): each command interprets its own options.
enum InspectionCommands {
    static func run(_ request: InspectionRequest, session: ConsoleSession) async -> CommandOutput {
        switch request.command {
        case "top": return await TopCommand.run(request, session: session)
        case "health": return await HealthCommand.run(request, session: session)
        case "versions": return await VersionsCommand.run(request, session: session)
        case "ets": return await EtsCommand.run(request, session: session)
        case "proc": return await ProcCommand.run(request, session: session)
        default: return .badInput("no inspection command \(request.command)")
        }
    }

    /// The nodes a request covers: `--node`/`--nodes`, else the whole cluster (the target, the connected nodes and
    /// every node discovery lists).
    static func nodes(_ request: InspectionRequest, session: ConsoleSession) -> [String] {
        request.nodes ?? session.clusterNodes()
    }
}
