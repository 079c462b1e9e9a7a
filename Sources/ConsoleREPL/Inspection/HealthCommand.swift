import ErlangDistribution
import ErlangTerm

/// `health [--window S]`: per node, memory by type, process/port/atom/ETS counts as a share of their limits (warned
/// at 85%), the run queue, scheduler utilisation over the window, and the bytes queued to each peer (``HealthSource``);
/// the nodes that stand out against the median are named.
enum HealthCommand {
    static func run(_ request: InspectionRequest, session: ConsoleSession) async -> CommandOutput {
        let window: Double
        do throws(ConsoleCommandError) { window = try request.seconds("--window", default: 1, in: 0...10) } catch {
            return .badInput(error.message)
        }
        let nodes = InspectionCommands.nodes(request, session: session)
        guard !nodes.isEmpty else { return .badInput("health: no nodes (connect to one, or use --nodes/--dns-query)") }
        let timeout = min(session.settings.timeout, .seconds(30)) + .milliseconds(Int64(window * 1000))
        let results = await HealthSource.inspection.run(
            on: nodes, argument: .tuple([.atom("health"), .integer(Int(window * 1000))]), caller: session.node,
            timeout: timeout, profile: session.knownProfiles)
        let (answered, failures) = HealthSource.inspection.partition(
            results, nodes: nodes.sorted(), profile: session.knownProfiles
        ) { node, v -> NodeHealth? in
            guard let ok = v.tagged("ok"), ok.count == 1, let m = ok[0].mapValue else { return nil }
            return HealthReport.health(node, m)
        }
        let report = HealthReport(nodes: answered, failures: failures)
        return CommandOutput(
            text: HealthView.render(report, width: session.settings.width, color: session.settings.color),
            json: HealthView.json(report),
            status: report.failures.isEmpty && report.warnings.isEmpty
                ? CommandOutput.Status.ok : CommandOutput.Status.remoteFailure)
    }
}

/// One node's health.
struct NodeHealth: Hashable, Sendable {
    struct Limit: Hashable, Sendable {
        var name: String
        var count: Int
        var limit: Int
        var share: Double { limit > 0 ? Double(count) / Double(limit) : 0 }
    }
    var node: String
    var otpRelease: String
    /// `erlang:memory()`: total, processes, binary, ets, atom, code, system…
    var memory: [String: Int]
    var limits: [Limit]
    var runQueue: Int
    var schedulers: Int
    /// 0…1, nil when not measured.
    var utilization: Double?
    /// Bytes queued to each peer.
    var dist: [String: Int]
    var uptimeMs: Int
}

/// Every node's health, the warnings and outliers, and the nodes that failed.
struct HealthReport: Sendable {
    var nodes: [NodeHealth]
    var failures: [String: NodeInspection.Failure]

    /// A count at or above this share of its limit is a warning.
    static let warnShare = 0.85

    static func health(_ node: String, _ m: TermMap) -> NodeHealth? {
        func int(_ k: String) -> Int? { m[Atom(k)]?.intValue }
        var memory: [String: Int] = [:]
        for e in m[Atom("memory")]?.listElements ?? [] {
            if let t = e.tupleElements, t.count == 2, let k = t[0].atomValue?.name, let v = t[1].intValue { memory[k] = v }
        }
        var limits: [NodeHealth.Limit] = []
        for e in m[Atom("limits")]?.listElements ?? [] {
            if let t = e.tupleElements, t.count == 3, let k = t[0].atomValue?.name, let c = t[1].intValue,
                let l = t[2].intValue
            {
                limits.append(.init(name: k, count: c, limit: l))
            }
        }
        var dist: [String: Int] = [:]
        for e in (m[Atom("dist")]?.listElements ?? []).prefix(200) {
            if let t = e.tupleElements, t.count == 2, let n = t[0].atomValue?.name, let q = t[1].intValue { dist[n] = q }
        }
        var util: Double?
        if case .float(let f)? = m[Atom("utilization")] { util = f }
        guard let runQueue = int("run_queue") else { return nil }
        return NodeHealth(
            node: node, otpRelease: m[Atom("otp_release")]?.stringValue ?? "", memory: memory, limits: limits,
            runQueue: runQueue, schedulers: int("schedulers") ?? 0, utilization: util, dist: dist,
            uptimeMs: int("uptime_ms") ?? 0)
    }

    /// Counts at or above ``warnShare`` of their limit.
    var warnings: [(node: String, limit: NodeHealth.Limit)] {
        nodes.flatMap { n in n.limits.filter { $0.limit > 0 && $0.share >= Self.warnShare }.map { (n.node, $0) } }
    }

    /// Nodes whose total memory, binary memory, process count or run queue is at least three times the median.
    var outliers: [TopOutlier] {
        TopOutliers.find(Dictionary(nodes.map { ($0.node, $0) }, uniquingKeysWith: { a, _ in a }), metrics: [
            ("memory", { $0.memory["total"] ?? 0 }, 64 << 20), ("binary", { $0.memory["binary"] ?? 0 }, 16 << 20),
            ("process_count", { n in n.limits.first { $0.name == "processes" }?.count ?? 0 }, 1000),
            ("run_queue", \.runQueue, 10),
        ])
    }
}

enum HealthView {
    static let order = ["total", "processes", "binary", "ets", "code", "atom", "system"]

    static func render(_ r: HealthReport, width: Int, color: Bool) -> String {
        _ = viewLocaleReady
        func paint(_ s: String, _ c: String) -> String { color ? "\u{1B}[\(c)m\(s)\u{1B}[0m" : s }
        var memory = Table(headers: ["NODE", "OTP"] + order.map { $0.uppercased() },
                           alignments: [.left, .left] + order.map { _ in .right })
        var usage = Table(headers: ["NODE", "PROCESSES", "PORTS", "ATOMS", "ETS", "RUNQ", "SCHED", "DIST QUEUED"],
                          alignments: [.left, .right, .right, .right, .right, .right, .right, .right])
        for n in r.nodes {
            memory.append([n.node, n.otpRelease] + order.map { n.memory[$0].map(HumanUnits.bytes) ?? "-" })
            func limit(_ name: String) -> String {
                guard let l = n.limits.first(where: { $0.name == name }) else { return "-" }
                guard l.limit > 0 else { return "\(l.count)" }
                let text = "\(l.count) (\(printfFixed(l.share * 100, places: 0))%)"
                return l.share >= HealthReport.warnShare ? "!" + text : text
            }
            let util = n.utilization.map { printfFixed($0 * 100, places: 0) + "% of \(n.schedulers)" } ?? "-"
            let queued = n.dist.values.reduce(0, +)
            let worst = n.dist.max { $0.value < $1.value }
            let dist = queued == 0 ? "0" : "\(HumanUnits.bytes(queued)) (most to \(worst!.key))"
            usage.append([n.node, limit("processes"), limit("ports"), limit("atoms"), limit("ets"), "\(n.runQueue)", util, dist])
        }
        var out = "memory\n" + memory.render(maxWidth: width) + "\nlimits and load\n" + usage.render(maxWidth: width)
        let warnings = r.warnings
        if !warnings.isEmpty {
            out += "\n"
            for w in warnings {
                out += paint(
                    "\(w.node): \(w.limit.name) at \(printfFixed(w.limit.share * 100, places: 0))% of the limit "
                        + "(\(w.limit.count) of \(w.limit.limit))", "31") + "\n"
            }
        }
        let outliers = r.outliers
        if !outliers.isEmpty {
            out += "\nnodes that stand out (against the median of \(r.nodes.count) nodes):\n"
            for x in outliers {
                let bytes = x.metric == "memory" || x.metric == "binary"
                let show = { (v: Int) in bytes ? HumanUnits.bytes(v) : "\(v)" }
                out += "  \(x.node): \(x.metric.replacingEvery("_", with: " ")) \(show(x.value)), "
                    + (x.median == 0 ? "where the median is 0\n"
                        : "\(printfFixed(x.ratio, places: 1))× the median (\(show(x.median)))\n")
            }
        }
        for (node, f) in r.failures.sorted(by: { $0.key < $1.key }) { out += "\(node): no answer: \(f)\n" }
        return out.hasSuffix("\n") ? String(out.dropLast()) : out
    }

    /// `{"nodes": [{"node", "otp_release", "memory": {type: bytes}, "limits": [{"name", "count", "limit", "share"}],
    /// "run_queue", "schedulers", "utilization", "dist_queued": {peer: bytes}, "uptime_ms"}], "warnings": [{"node",
    /// "limit", "count", "max", "share"}], "outliers": [...], "failures": {node: {"code", "detail"}}}`.
    static func json(_ r: HealthReport) -> String {
        jsonObject([
            "nodes": .array(r.nodes.map { n in
                .object([
                    "node": .string(n.node), "otp_release": .string(n.otpRelease),
                    "memory": .object(n.memory.mapValues(JSONValue.integer)),
                    "limits": .array(n.limits.map { l in
                        .object(["name": .string(l.name), "count": .integer(l.count), "limit": .integer(l.limit),
                                 "share": .number(l.share)])
                    }),
                    "run_queue": .integer(n.runQueue), "schedulers": .integer(n.schedulers),
                    "utilization": n.utilization.map(JSONValue.number) ?? .null,
                    "dist_queued": .object(n.dist.mapValues(JSONValue.integer)), "uptime_ms": .integer(n.uptimeMs),
                ])
            }),
            "warnings": .array(r.warnings.map { w in
                .object(["node": .string(w.node), "limit": .string(w.limit.name), "count": .integer(w.limit.count),
                         "max": .integer(w.limit.limit), "share": .number(w.limit.share)])
            }),
            "outliers": .array(r.outliers.map { x in
                .object(["node": .string(x.node), "metric": .string(x.metric), "value": .integer(x.value),
                         "median": .integer(x.median), "ratio": .number(x.ratio)])
            }),
            "failures": .object(r.failures.mapValues { .object(["code": .string($0.code), "detail": .string($0.detail)]) }),
        ])
    }
}
