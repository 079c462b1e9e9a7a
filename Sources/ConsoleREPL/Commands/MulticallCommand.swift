import ErlangDistribution
import TermSyntax

/// `multicall EXPR [--nodes A,B]`: the same call on many nodes concurrently; a table of per-node results.
enum MulticallCommand {
    /// Calls `expression` on `nodes` (the requested ones, else the cluster's).
    static func run(expression: String, nodes: [String], caller: any ClusterCaller, settings: ConsoleSettings)
        async -> CommandOutput
    {
        let call: CallExpression
        do {
            call = try CallCommand.parse(expression, syntax: settings.syntax)
        } catch {
            return .badInput("\(error)")
        }
        guard !nodes.isEmpty else {
            return .badInput("multicall: no nodes (connect to some, or give --nodes or --dns-query)")
        }
        let clock = ContinuousClock()
        let started = clock.now
        let results = await caller.multicall(
            nodes: nodes, module: call.module, function: call.function, arguments: call.arguments,
            options: CallOptions(timeout: settings.timeout, captureOutput: true))
        let elapsed = clock.now - started
        var table = Table(headers: ["node", "result"])
        var rows: [JSONValue] = []
        var failures = 0
        for n in nodes.sorted() {
            var row: [String: JSONValue] = ["node": .string(n)]
            let cell: String
            switch results[n] {
            case .success(let r)?:
                row["output"] = .string(r.output)
                switch r.result {
                case .value(let v):
                    cell = settings.render(v, pretty: false)
                    row["status"] = .string("ok")
                    row["result"] = .string(cell)
                    row["value"] = (try? TermJSON.encode(v)).map(JSONValue.raw) ?? .null
                case .exception(let cls, let reason, _):
                    failures += 1
                    cell = "** (\(cls.rawValue)) \(settings.render(reason, pretty: false))"
                    row["status"] = .string("exception")
                    row["class"] = .string(cls.rawValue)
                    row["reason"] = .string(settings.render(reason, pretty: false))
                case .nodedown:
                    failures += 1
                    cell = "** nodedown"
                    row["status"] = .string("nodedown")
                case .timeout:
                    failures += 1
                    cell = "** timeout"
                    row["status"] = .string("timeout")
                }
            case .failure(let e)?:
                failures += 1
                cell = "** \(e.stage): \(e.code)"
                row["status"] = .string("error")
                row["error"] = errorJSON(e)
            case nil:
                failures += 1
                cell = "** no result"
                row["status"] = .string("error")
            }
            table.append([n, cell])
            rows.append(.object(row))
        }
        let summary = "\(nodes.count - failures)/\(nodes.count) ok in \(formatDuration(elapsed))"
        return CommandOutput(
            text: table.render(maxWidth: settings.width) + summary,
            json: jsonObject([
                "call": .string(call.description), "results": .array(rows),
                "elapsed_ms": .number(milliseconds(elapsed)),
            ]),
            status: failures == 0 ? CommandOutput.Status.ok : CommandOutput.Status.remoteFailure)
    }
}
