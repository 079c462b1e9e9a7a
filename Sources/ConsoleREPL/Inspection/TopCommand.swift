import ErlangDistribution
import ErlangTerm
import TermSyntax

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// `top [--sort memory|reductions|mqueue|binary|heap] [--limit K] [--interval S] [--window S] [--force] [--once]`:
/// the top K processes across every selected node, merged, with a node column (``TopSource`` on each node), and the
/// nodes that stand out against the cluster's median. On a terminal it refreshes every `--interval` seconds until
/// `q` or Ctrl-C (as `watch` does); without one, with `--json` or `--once`, it prints one snapshot.
enum TopCommand {
    struct Options: Sendable {
        var sort = "memory"
        var limit = 10
        var interval = 2.0
        var windowMs = 1000
        var processLimit = 200_000
        var force = false
    }

    static let sorts = ["memory", "reductions", "mqueue", "binary", "heap"]

    static func options(_ r: InspectionRequest) throws(ConsoleCommandError) -> Options {
        var o = Options()
        o.sort = try r.choice("--sort", sorts, default: "memory")
        o.limit = try r.integer("--limit", default: 10, in: 1...500)
        o.interval = try r.seconds("--interval", default: 2, in: 0.5...3600)
        o.windowMs = Int(try r.seconds("--window", default: 1, in: 0.1...10) * 1000)
        o.force = r.flags.contains("--force")
        return o
    }

    static func run(_ request: InspectionRequest, session: ConsoleSession) async -> CommandOutput {
        let o: Options
        do throws(ConsoleCommandError) { o = try options(request) } catch { return .badInput(error.message) }
        let nodes = InspectionCommands.nodes(request, session: session)
        guard !nodes.isEmpty else { return .badInput("top: no nodes (connect to one, or use --nodes/--dns-query)") }
        let live = !session.settings.json && !request.flags.contains("--once") && isatty(0) == 1 && isatty(1) == 1
        if live {
            await FullScreen.loop(deadline: nil, interval: .milliseconds(Int64(o.interval * 1000))) { cols, rows in
                let snapshot = await collect(nodes, o, session: session)
                let text = TopView.render(snapshot, options: o, width: cols, color: session.settings.color)
                return (text + "\nq quits; refreshing every \(TopView.seconds(o.interval))").split(
                    separator: "\n", omittingEmptySubsequences: false
                ).map(String.init).prefix(rows).map { $0 }
            }
            return CommandOutput(json: "")
        }
        let snapshot = await collect(nodes, o, session: session)
        return CommandOutput(
            text: TopView.render(snapshot, options: o, width: session.settings.width, color: session.settings.color),
            json: TopView.json(snapshot, options: o),
            status: snapshot.failures.isEmpty ? CommandOutput.Status.ok : CommandOutput.Status.remoteFailure)
    }

    /// One refresh on every node.
    static func collect(_ nodes: [String], _ o: Options, session: ConsoleSession) async -> TopSnapshot {
        let argument: Term = .tuple([
            .atom("top"), .atom(Atom(o.sort)), .integer(o.limit), .integer(o.windowMs), .integer(o.processLimit),
            .atom(o.force ? .true : .false),
        ])
        let timeout = min(session.settings.timeout, .seconds(30)) + .milliseconds(o.sort == "reductions" ? o.windowMs : 0)
        let results = await TopSource.inspection.run(
            on: nodes, argument: argument, caller: session.node, timeout: timeout, profile: session.knownProfiles)
        return TopSnapshot.read(results, profile: session.knownProfiles)
    }
}

/// One process row (from a node's answer).
struct TopRow: Hashable, Sendable {
    var node: String
    var pid: Term
    var pidText: String
    var value: Int
    var name: String?
    var initialCall: String
    var currentFunction: String
    var memory: Int
    var mqueue: Int
    var reductions: Int
}

/// A node's totals (for the outlier block).
struct TopSummary: Hashable, Sendable {
    var processCount: Int
    var memory: Int
    var binary: Int
    var mqueue: Int
}

/// Every node's rows merged, the summaries, refusals and failures.
struct TopSnapshot: Sendable {
    var rows: [TopRow]
    var summaries: [String: TopSummary]
    /// Nodes above the process-count limit: (count, limit).
    var refused: [String: (Int, Int)]
    var failures: [String: NodeInspection.Failure]

    static func read(
        _ results: [String: Result<Term, NodeInspection.Failure>], profile: (String) -> PrinterProfile
    ) -> TopSnapshot {
        var s = TopSnapshot(rows: [], summaries: [:], refused: [:], failures: [:])
        for (node, r) in results {
            switch r {
            case .failure(let f): s.failures[node] = f
            case .success(let v):
                if let refused = v.tagged("refused"), refused.count == 2, let c = refused[0].intValue,
                    let l = refused[1].intValue
                {
                    s.refused[node] = (c, l)
                    continue
                }
                guard let ok = v.tagged("ok"), ok.count == 2, let rows = ok[0].listElements, let sum = ok[1].mapValue
                else {
                    s.failures[node] = NodeInspection.Failure(
                        code: "bad_reply", detail: "top answered \(termText(v, profile: profile(node)))")
                    continue
                }
                func int(_ m: TermMap, _ k: String) -> Int { m[.atom(Atom(k))]?.intValue ?? 0 }
                s.summaries[node] = TopSummary(
                    processCount: int(sum, "process_count"), memory: int(sum, "memory"), binary: int(sum, "binary"),
                    mqueue: int(sum, "mqueue"))
                for row in rows.prefix(500) {
                    guard let m = row.mapValue, let pid = m[.atom("pid")] else { continue }
                    let name = m[.atom("name")].flatMap { $0.isAtom("undefined") ? nil : $0.atomValue?.name }
                    s.rows.append(TopRow(
                        node: node, pid: pid,
                        pidText: m[.atom("pid_text")]?.stringValue ?? termText(pid, profile: profile(node)),
                        value: int(m, "value"), name: name.map(TopView.moduleName),
                        initialCall: TopView.mfa(m[.atom("initial_call")], profile: profile(node)),
                        currentFunction: TopView.mfa(m[.atom("current_function")], profile: profile(node)),
                        memory: int(m, "memory"),
                        mqueue: int(m, "mqueue"), reductions: int(m, "reductions")))
                }
            }
        }
        s.rows.sort { ($0.value, $1.node, $1.pidText) > ($1.value, $0.node, $0.pidText) }
        return s
    }
}

/// A node that stands out against the cluster's median for one total.
struct TopOutlier: Hashable, Sendable {
    var node: String
    var metric: String
    var value: Int
    var median: Int
    var ratio: Double
}

enum TopOutliers {
    /// Each node whose total is at least `factor` times the median of all nodes (and above a floor that keeps small
    /// numbers quiet). Needs at least two nodes.
    static func find(_ summaries: [String: TopSummary], factor: Double = 3) -> [TopOutlier] {
        find(summaries, metrics: [
            ("process_count", \.processCount, 1000), ("memory", \.memory, 64 << 20), ("binary", \.binary, 16 << 20),
            ("mqueue", \.mqueue, 1000),
        ], factor: factor)
    }

    /// The same over any per-node record: each metric's name, how to read it, and its floor.
    static func find<S>(_ byNode: [String: S], metrics: [(String, (S) -> Int, Int)], factor: Double = 3) -> [TopOutlier] {
        guard byNode.count >= 2 else { return [] }
        let nodes = byNode.sorted { $0.key < $1.key }
        var out: [TopOutlier] = []
        for (name, get, floor) in metrics {
            let values = nodes.map { get($0.value) }.sorted()
            let median = values[(values.count - 1) / 2]
            for (node, s) in nodes {
                let v = get(s)
                guard v >= floor, Double(v) >= factor * Double(max(median, 1)) else { continue }
                out.append(TopOutlier(node: node, metric: name, value: v, median: median,
                                      ratio: Double(v) / Double(max(median, 1))))
            }
        }
        return out
    }
}
