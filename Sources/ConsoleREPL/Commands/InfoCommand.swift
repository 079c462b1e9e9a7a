import ClusterDiscovery
import ErlangDistribution
import ErlangTerm

/// `info [NODE]`: the node's vital signs, collected here and shown by ``InfoView``.
public enum InfoCommand {
    static func run(
        node n: String, caller: any ClusterCaller, settings: ConsoleSettings, ecsTask: ECSTaskMetadata?,
        origins: [String] = []
    ) async -> CommandOutput {
        do throws(DistributionError) {
            let info = try await collect(node: caller, target: n, timeout: settings.timeout)
            settings.profiles?.record(info.printerProfile, for: n, caller: caller)
            return CommandOutput(
                text: InfoView.render(info, width: settings.width, consoleECSTask: ecsTask, origins: origins),
                json: InfoView.json(info, consoleECSTask: ecsTask, origins: origins))
        } catch {
            return .unreachable(error, node: n)
        }
    }

    /// Connects to `target` and makes every ``InfoView/Query`` concurrently (plus an EPMD lookup of its port), all
    /// within `timeout`. Throws when the connection fails, or when a call other than the Elixir version fails or
    /// answers something unexpected (stage `rpc`, the message names the call).
    public static func collect(node: any ClusterCaller, target: String, timeout: Duration)
        async throws(DistributionError) -> NodeInfo
    {
        let deadline = ContinuousClock.now + timeout
        try await node.ensureConnected(to: target)
        let options = CallOptions(timeout: deadline - ContinuousClock.now, captureOutput: false)
        async let epmdPort = node.lookUpPort(of: target, timeout: timeout)
        let answers = await withTaskGroup(of: (InfoView.Query, Result<CallResult, DistributionError>).self) { group in
            for q in InfoView.Query.allCases {
                group.addTask {
                    let c = q.call
                    do throws(DistributionError) {
                        let r = try await node.call(
                            node: target, module: c.module, function: c.function, arguments: c.arguments,
                            options: options)
                        return (q, .success(r.result))
                    } catch {
                        return (q, .failure(error))
                    }
                }
            }
            var out: [InfoView.Query: Result<CallResult, DistributionError>] = [:]
            for await (q, r) in group { out[q] = r }
            return out
        }
        var results: [InfoView.Query: CallResult] = [:]
        for (q, r) in answers {
            switch r {
            case .success(let v): results[q] = v
            case .failure(let e): throw e
            }
        }
        return try InfoView.assemble(node: target, results: results, distPort: await epmdPort)
    }
}
