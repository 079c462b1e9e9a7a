import ErlangDistribution
import ErlangTerm
import TermSyntax

/// `multicall EXPR [--nodes A,B] [--table]` (and `eval --all`/`--nodes`): any expression on many nodes
/// concurrently. `Mod.fun(literals)` is a plain call on each node; anything else is evaluated there (a fresh state
/// on each). Identical results are grouped (`47 nodes → :ok`), with the nodes of each group; `--table` gives one row
/// per node instead. Values are rendered by the nodes themselves when they hold structs.
enum MulticallCommand {
    /// What one node answered, ready to group.
    struct NodeResult {
        var node: String
        /// The text shown for it (the rendered value, or the error).
        var text: String
        var ok: Bool
        var row: [String: JSONValue]
    }

    static func run(
        expression: String, nodes: [String], table: Bool = false, caller: any ClusterCaller, settings: ConsoleSettings
    ) async -> CommandOutput {
        guard !nodes.isEmpty else {
            return .badInput("multicall: no nodes (connect to some, or give --nodes or --dns-query)")
        }
        let clock = ContinuousClock()
        let started = clock.now
        let results: [NodeResult]
        let what: String
        // `callsTime` is the calls alone, from the first request to the last reply (what `:erpc.multicall` takes);
        // `elapsed` adds reading and rendering the results.
        let callsTime: Duration
        if let call = try? CallCommand.parse(expression, syntax: settings.syntax) {
            what = call.description
            (results, callsTime) = await calls(call, nodes: nodes, caller: caller, settings: settings)
        } else {
            what = expression
            (results, callsTime) = await evaluations(expression, nodes: nodes, caller: caller, settings: settings)
        }
        let elapsed = clock.now - started
        let failures = results.filter { !$0.ok }.count
        let summary = "\(nodes.count - failures)/\(nodes.count) ok in \(formatDuration(callsTime))"
        let groups = group(results)
        let text: String
        if table {
            var t = Table(headers: ["node", "result"])
            for r in results { t.append([r.node, r.text]) }
            text = t.render(maxWidth: settings.width) + summary
        } else {
            text = render(groups, width: settings.width) + summary
        }
        return CommandOutput(
            text: text,
            json: jsonObject([
                "call": .string(what), "results": .array(results.map { .object($0.row) }),
                "groups": .array(
                    groups.map { g in
                        .object([
                            "nodes": .array(g.map { .string($0.node) }), "status": g[0].row["status"] ?? .null,
                            "result": .string(g[0].text),
                        ])
                    }),
                "elapsed_ms": .number(milliseconds(elapsed)), "calls_ms": .number(milliseconds(callsTime)),
            ]),
            status: failures == 0 ? CommandOutput.Status.ok : CommandOutput.Status.remoteFailure)
    }

    /// `Mod.fun(literals)` on every node.
    static func calls(_ call: CallExpression, nodes: [String], caller: any ClusterCaller, settings: ConsoleSettings)
        async -> (results: [NodeResult], calls: Duration)
    {
        let clock = ContinuousClock()
        let started = clock.now
        let responses = await caller.multicall(
            nodes: nodes, module: call.module, function: call.function, arguments: call.arguments,
            options: CallOptions(timeout: settings.timeout, captureOutput: true))
        let callsTime = clock.now - started
        // Each node's result is rendered with its own printer profile, fetched for all of them at once, and only
        // for the nodes whose result prints differently between releases.
        let needed = nodes.filter { n in
            switch responses[n] {
            case .success(let r)?:
                if case .value(let v) = r.result { return v.dependsOnPrinterProfile }
                return true
            default: return false
            }
        }
        await settings.profiles?.prefetch(needed, caller: caller, timeout: settings.timeout)
        let results = await collect(responses, nodes: nodes) { n, response in
            let settings = needed.contains(n) ? await settings.forTarget(n, caller: caller) : settings
            var r = NodeResult(node: n, text: "", ok: false, row: ["node": .string(n)])
            r.row["output"] = .string(response.output)
            guard case .value(let v) = response.result else {
                fail(&r, response.result, settings: settings)
                return r
            }
            var text = settings.render(v, pretty: false)
            if v.needsNodeRendering, settings.syntax == .elixir,
                let shown = await CallCommand.inspectOnNode(v, node: n, caller: caller, settings: settings)
            {
                text = shown
            }
            r.text = text
            r.ok = true
            // One dictionary of the final size (not grown entry by entry: this runs once per node).
            r.row = [
                "node": .string(n), "output": .string(response.output), "status": .string("ok"),
                "result": .string(text), "value": (try? TermJSON.encode(v)).map(JSONValue.raw) ?? .null,
            ]
            return r
        }
        return (results, callsTime)
    }

    /// Any expression, evaluated on every node with a fresh state.
    static func evaluations(_ code: String, nodes: [String], caller: any ClusterCaller, settings: ConsoleSettings)
        async -> (results: [NodeResult], calls: Duration)
    {
        let clock = ContinuousClock()
        let started = clock.now
        var request = Evaluation.Request(code: code, settings: settings)
        request.color = false
        if settings.readOnly { request.readOnly = Evaluation.readOnlyAllowlist }
        let (m, f, a) = Evaluation.bootstrap(Evaluation.once(request, syntax: settings.syntax), readOnly: settings.readOnly)
        let responses = await caller.multicall(
            nodes: nodes, module: m, function: f, arguments: a,
            options: CallOptions(timeout: settings.timeout, captureOutput: true))
        let callsTime = clock.now - started
        let results = await collect(responses, nodes: nodes) { n, response in
            var r = NodeResult(node: n, text: "", ok: false, row: ["node": .string(n)])
            if case .value(let v) = response.result, let inner = Evaluation.bootstrapValue(v),
                let reply = Evaluation.Reply(inner)
            {
                let one = EvalCommand.render(reply, node: n, output: response.output)
                r.ok = one.status == CommandOutput.Status.ok
                r.text = r.ok ? one.text : one.errorText
                r.row = EvalCommand.fields(reply, node: n, output: response.output)
            } else if case .value(let v) = response.result {
                r.text = "** unexpected reply: \(settings.render(v, pretty: false))"
                r.row["status"] = .string("error")
            } else {
                fail(&r, response.result, settings: settings)
            }
            return r
        }
        return (results, callsTime)
    }

    /// One result per node, in node order: `answered` reads a response; a node without one is ``unreached(_:_:)``.
    private static func collect(
        _ responses: [String: Result<CallResponse, DistributionError>], nodes: [String],
        answered: (String, CallResponse) async -> NodeResult
    ) async -> [NodeResult] {
        var out: [NodeResult] = []
        for n in nodes.sorted() {
            var r: NodeResult
            switch responses[n] {
            case .success(let response)?: r = await answered(n, response)
            case .failure(let e)?: r = unreached(n, e)
            case nil: r = unreached(n, nil)
            }
            r.row["node"] = .string(n)
            out.append(r)
        }
        return out
    }

    /// A node that gave no response: its connection's error, or none at all.
    private static func unreached(_ n: String, _ e: DistributionError?) -> NodeResult {
        var r = NodeResult(node: n, text: e.map { "** \($0.stage): \($0.code)" } ?? "** no result", ok: false, row: [:])
        r.row = ["node": .string(n), "status": .string("error")]
        if let e { r.row["error"] = errorJSON(e) }
        return r
    }

    private static func fail(_ r: inout NodeResult, _ result: CallResult, settings: ConsoleSettings) {
        switch result {
        case .value: return
        case .exception(let cls, let reason, _):
            r.text = "** (\(cls.rawValue)) \(settings.render(reason, pretty: false))"
            r.row["status"] = .string("exception")
            r.row["class"] = .string(cls.rawValue)
            r.row["reason"] = .string(settings.render(reason, pretty: false))
        case .nodedown:
            r.text = "** nodedown"
            r.row["status"] = .string("nodedown")
        case .timeout:
            r.text = "** timeout"
            r.row["status"] = .string("timeout")
        }
    }

    /// Results with the same text, largest group first (successes before failures when as large).
    static func group(_ results: [NodeResult]) -> [[NodeResult]] {
        var order: [String] = []
        var byText: [String: [NodeResult]] = [:]
        for r in results {
            let key = (r.ok ? "1" : "0") + r.text
            if byText[key] == nil { order.append(key) }
            byText[key, default: []].append(r)
        }
        return order.map { byText[$0]! }.enumerated().sorted { a, b in
            if a.element.count != b.element.count { return a.element.count > b.element.count }
            if a.element[0].ok != b.element[0].ok { return a.element[0].ok }
            return a.offset < b.offset
        }.map(\.element)
    }

    /// `47 nodes → :ok` and the nodes of the group below it; a value on several lines goes under the header.
    static func render(_ groups: [[NodeResult]], width: Int) -> String {
        var out = ""
        for g in groups {
            let count = g.count == 1 ? "1 node" : "\(g.count) nodes"
            let text = g[0].text
            if text.contains("\n") {
                out += "\(count) →\n" + text.split(separator: "\n", omittingEmptySubsequences: false)
                    .map { "  " + $0 }.joined(separator: "\n") + "\n"
            } else {
                out += "\(count) → \(text)\n"
            }
            out += wrap(g.map(\.node), indent: "    ", width: width)
        }
        return out
    }

    private static func wrap(_ words: [String], indent: String, width: Int) -> String {
        var out = "", line = indent
        for (i, w) in words.enumerated() {
            let piece = w + (i == words.count - 1 ? "" : ",")
            if line.count > indent.count, line.count + 1 + piece.count > width {
                out += line + "\n"
                line = indent
            }
            line += (line.count > indent.count ? " " : "") + piece
        }
        return out + line + "\n"
    }
}
