import ErlangDistribution
import ErlangTerm
import TermSyntax

/// The common runner of the cluster-inspection commands (`top`, `health`, `versions`, `ets`, `proc`): an Erlang fun,
/// as source text, applied on each node to one argument, by one `erl_eval:exprs/2` call that scans, parses and
/// evaluates the source there (see ``Evaluation/bootstrapExpressions(_:)``). Nothing is loaded onto the node, so it
/// works in embedded-mode releases, and only OTP's own functions run. Every reduction happens on the node: each
/// source returns at most a bounded number of rows or a fixed-size summary.
///
/// Fan-out is bounded: at most ``window`` nodes have a call in flight; each node has its own timeout; a node that
/// fails or does not answer in time is reported with the stage and cause while the others are shown.
public struct NodeInspection: Sendable {
    /// The fun's source (`fun(Args) -> … end`), without the final period.
    public let source: String
    /// What the command is called, for messages (`top`).
    public let name: String
    let expressions: Term

    public init(name: String, source: String) {
        self.name = name
        self.source = source
        expressions = Evaluation.bootstrapExpressions(source)
    }

    /// Nodes in flight at once.
    public static let window = 32

    /// Why one node gave no result.
    public struct Failure: Error, Hashable, Sendable, CustomStringConvertible {
        /// `connect` (with the connection's own stage in ``detail``), `timeout`, `nodedown`, `exception`, `bad_reply`.
        public var code: String
        public var detail: String
        public init(code: String, detail: String) { self.code = code; self.detail = detail }
        public var description: String { "\(code): \(detail)" }
    }

    /// The `erl_eval:exprs/2` call that applies the source to `argument`.
    public func call(_ argument: Term) -> (module: Atom, function: Atom, arguments: [Term]) {
        ("erl_eval", "exprs", [expressions, .list([.tuple([.atom("Args"), argument])])])
    }

    /// Runs the source with `argument` on every node of `nodes`, ``window`` at a time; one result per node. A failure
    /// shows the node's answer as the node's release prints it (`profile`).
    public func run(
        on nodes: [String], argument: Term, caller: any ClusterCaller, timeout: Duration,
        profile: (String) -> PrinterProfile
    ) async -> [String: Result<Term, Failure>] {
        var seen = Set<String>()
        let unique = nodes.filter { seen.insert($0).inserted }
        let (m, f, a) = call(argument)
        let options = CallOptions(timeout: timeout, captureOutput: false)
        var out: [String: Result<Term, Failure>] = [:]
        var start = 0
        while start < unique.count {
            let chunk = Array(unique[start..<min(unique.count, start + Self.window)])
            start += chunk.count
            // Connecting is bounded by the same timeout (a node that accepts TCP but never answers the handshake
            // would otherwise hold the command for the connect and handshake timeouts).
            let deadline = ContinuousClock.now + timeout
            let connected = await withTaskGroup(of: (String, Failure?).self) { group in
                for n in chunk {
                    group.addTask {
                        let r = await untilDeadline(deadline) { () async -> Failure? in
                            do throws(DistributionError) {
                                try await caller.ensureConnected(to: n)
                                return nil
                            } catch {
                                return Failure(code: "connect", detail: "\(error.stage) failed (\(error.code)): \(error.message)")
                            }
                        }
                        return (n, r ?? Failure(code: "timeout", detail: "no connection within \(timeout)"))
                    }
                }
                var ok: [String] = []
                for await (n, failure) in group {
                    if let failure { out[n] = .failure(failure) } else { ok.append(n) }
                }
                return ok
            }
            guard !connected.isEmpty else { continue }
            let results = await caller.multicall(nodes: connected, module: m, function: f, arguments: a, options: options)
            for n in connected {
                out[n] = Self.read(results[n], name: name, profile: profile(n))
            }
        }
        return out
    }

    /// Runs the source on every node of `nodes` with an argument of its own (`argument(id, node)`, ids from 1 in the
    /// order of `nodes`): the streaming commands tag what each node's helper sends back with its id.
    public func runEach(
        on nodes: [String], caller: any ClusterCaller, timeout: Duration,
        profile: @escaping @Sendable (String) -> PrinterProfile, argument: (Int, String) -> Term
    ) async -> [String: Result<Term, Failure>] {
        await withTaskGroup(of: (String, Result<Term, Failure>).self) { group in
            for (i, n) in nodes.enumerated() {
                let a = argument(i + 1, n)
                group.addTask {
                    let r = await run(on: [n], argument: a, caller: caller, timeout: timeout, profile: profile)
                    return (n, r[n] ?? .failure(Failure(code: "bad_reply", detail: "no result")))
                }
            }
            var out: [String: Result<Term, Failure>] = [:]
            for await (n, r) in group { out[n] = r }
            return out
        }
    }

    /// The nodes' answers read by `parse`, in the order of `nodes`, and the nodes that failed or answered something
    /// `parse` cannot read (`bad_reply`, with the answer cut to 200 characters).
    public func partition<T>(
        _ results: [String: Result<Term, Failure>], nodes: [String], profile: (String) -> PrinterProfile,
        parse: (String, Term) -> T?
    ) -> (answered: [T], failures: [String: Failure]) {
        var answered: [T] = []
        var failures: [String: Failure] = [:]
        var seen = Set<String>()
        for n in nodes where seen.insert(n).inserted {
            switch results[n] {
            case .success(let t)?:
                if let v = parse(n, t) {
                    answered.append(v)
                } else {
                    let answer = InspectionText.clip(termText(t, profile: profile(n)), 200)
                    failures[n] = Failure(code: "bad_reply", detail: "\(name) answered \(answer)")
                }
            case .failure(let f)?: failures[n] = f
            case nil: failures[n] = Failure(code: "bad_reply", detail: "no result")
            }
        }
        return (answered, failures)
    }

    /// One node's outcome as the fun's value, or a failure.
    static func read(
        _ r: Result<CallResponse, DistributionError>?, name: String, profile: PrinterProfile
    ) -> Result<Term, Failure> {
        switch r {
        case nil:
            return .failure(Failure(code: "bad_reply", detail: "no result"))
        case .failure(let e)?:
            return .failure(Failure(code: "connect", detail: "\(e.stage) failed (\(e.code)): \(e.message)"))
        case .success(let response)?:
            switch response.result {
            case .value(let v):
                guard let value = Evaluation.bootstrapValue(v) else {
                    return .failure(
                        Failure(code: "bad_reply", detail: "\(name) answered \(termText(v, profile: profile))"))
                }
                return .success(value)
            case .exception(let cls, let reason, _):
                return .failure(Failure(
                    code: "exception", detail: "\(name) raised \(cls.rawValue): \(termText(reason, profile: profile))"))
            case .nodedown:
                return .failure(Failure(code: "nodedown", detail: "the connection went down during \(name)"))
            case .timeout:
                return .failure(Failure(code: "timeout", detail: "no answer in time"))
            }
        }
    }
}
