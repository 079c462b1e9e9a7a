import ErlangDistribution
import ErlangTerm
import TermSyntax

/// `members`: asks every node it can reach which peers it sees (``MembersView`` shows the matrix and findings).
public enum MembersCommand {
    static func run(start: [String], caller: any ClusterCaller, settings: ConsoleSettings) async -> CommandOutput {
        guard !start.isEmpty else {
            return .badInput("members: no nodes (connect to one, set a target with use, or give --dns-query/--nodes)")
        }
        let report = await collect(
            node: caller, start: start, timeout: settings.timeout, profile: settings.knownProfiles(caller: caller))
        return CommandOutput(
            text: MembersView.render(report, width: settings.width), json: MembersView.json(report),
            status: report.findings.isEmpty && report.failures.isEmpty
                ? CommandOutput.Status.ok : CommandOutput.Status.remoteFailure)
    }

    /// Connects (as a hidden node) to each start node, asks it for `erlang:nodes()` and `erlang:nodes(hidden)`,
    /// then does the same with every visible node anyone lists, round by round and concurrently, until no new node
    /// turns up or `timeout` (for the whole collection) runs out. Nodes not asked by then fail with stage `deadline`.
    /// An answer that is not a list of node names is shown as the node's release prints it (`profile`).
    public static func collect(
        node: any ClusterCaller, start: [String], timeout: Duration,
        profile: @escaping @Sendable (String) -> PrinterProfile
    ) async -> MembersReport {
        let deadline = ContinuousClock.now + timeout
        var lists: [String: [String]] = [:]
        var hidden: [String: [String]] = [:]
        var hiddenNodes: [String] = []
        var failures: [String: MembersProbeFailure] = [:]
        var frontier = Array(Set(start)).sorted()
        var seen = Set(frontier)
        while !frontier.isEmpty {
            if ContinuousClock.now >= deadline {
                for n in frontier {
                    failures[n] = MembersProbeFailure(
                        stage: "deadline", code: "timeout", message: "not asked: the \(timeout) time limit ran out")
                }
                break
            }
            let results = await withTaskGroup(of: (String, ProbeResult).self) { group in
                for n in frontier {
                    let p = profile(n)
                    group.addTask {
                        (n, await probe(node: node, target: n, deadline: deadline, timeout: timeout, profile: p))
                    }
                }
                var out: [(String, ProbeResult)] = []
                for await r in group { out.append(r) }
                return out
            }
            var next: Set<String> = []
            for (n, result) in results {
                switch result {
                case .answered(let visible, let hiddenPeers, let isHidden):
                    lists[n] = visible
                    hidden[n] = hiddenPeers.filter { $0 != node.name }
                    if isHidden { hiddenNodes.append(n) }
                    for p in visible where !seen.contains(p) && p != node.name { next.insert(p) }
                case .failed(let f):
                    failures[n] = f
                }
            }
            seen.formUnion(next)
            frontier = next.sorted()
        }
        return MembersReport(
            local: node.name, start: start, lists: lists, hidden: hidden, hiddenNodes: hiddenNodes, failures: failures)
    }

    enum ProbeResult: Sendable {
        case answered(visible: [String], hidden: [String], isHidden: Bool)
        case failed(MembersProbeFailure)
    }

    private static func probe(
        node: any ClusterCaller, target: String, deadline: ContinuousClock.Instant, timeout: Duration,
        profile: PrinterProfile
    ) async -> ProbeResult
    {
        let result = await untilDeadline(deadline) { () async -> ProbeResult in
            do throws(DistributionError) {
                try await node.ensureConnected(to: target)
            } catch {
                return .failed(MembersProbeFailure(error))
            }
            let remaining = deadline - ContinuousClock.now
            let options = CallOptions(timeout: remaining, captureOutput: false)
            async let visible = nodeList(node: node, target: target, arguments: [], options: options, profile: profile)
            async let hiddenList = nodeList(
                node: node, target: target, arguments: [.atom("hidden")], options: options, profile: profile)
            let (v, h) = await (visible, hiddenList)
            switch (v, h) {
            case (.success(let v), .success(let h)):
                let isHidden = node.peerSnapshots().first { $0.node == target }?.peerIsHidden ?? false
                return .answered(visible: v, hidden: h, isHidden: isHidden)
            case (.failure(let f), _), (_, .failure(let f)):
                return .failed(f)
            }
        }
        return result ?? .failed(MembersProbeFailure(
            stage: "deadline", code: "timeout", message: "no answer within the \(timeout) time limit"))
    }

    /// `erlang:nodes(Args...)` on `target`, as node names.
    private static func nodeList(
        node: any ClusterCaller, target: String, arguments: [Term], options: CallOptions, profile: PrinterProfile
    ) async -> Result<[String], MembersProbeFailure>
    {
        let call = "erlang:nodes(\(arguments.compactMap { $0.atomValue?.name }.joined()))"
        let response: CallResponse
        do throws(DistributionError) {
            response = try await node.call(
                node: target, module: "erlang", function: "nodes", arguments: arguments, options: options)
        } catch {
            return .failure(MembersProbeFailure(error))
        }
        switch response.result {
        case .value(let term):
            guard let items = term.listElements else {
                return .failure(MembersProbeFailure(
                    stage: "rpc", code: "bad_reply",
                    message: "\(call) returned a non-list: \(termText(term, profile: profile))"))
            }
            var names: [String] = []
            for item in items {
                guard let a = item.atomValue else {
                    return .failure(MembersProbeFailure(
                        stage: "rpc", code: "bad_reply",
                        message: "\(call) returned a non-atom element: \(termText(item, profile: profile))"))
                }
                names.append(a.name)
            }
            return .success(names.sorted())
        case .exception(let cls, let reason, _):
            return .failure(MembersProbeFailure(
                stage: "rpc", code: "exception",
                message: "\(call) raised \(cls.rawValue): \(termText(reason, profile: profile))"))
        case .nodedown:
            return .failure(MembersProbeFailure(
                stage: "rpc", code: "nodedown", message: "the connection went down during \(call)"))
        case .timeout:
            return .failure(
                MembersProbeFailure(stage: "rpc", code: "timeout", message: "\(call) did not answer in time"))
        }
    }
}
