import ClusterDiscovery
import ClusterMembership
import ErlangDistribution
import ErlangTerm
import Synchronization
import TermSyntax

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The console's state (the node, the target, the settings, discovery) and the one way a command runs: the read-only
/// policy first, then the command (each in its own file under `Commands/`), then redaction of the cookie, then the
/// audit log. The REPL and the one-shot subcommands share it.
public final class ConsoleSession: @unchecked Sendable {
    public let node: LocalNode
    /// The ECS task the console itself runs in (shown by `info`), when its metadata could be read at start.
    public let ecsTask: ECSTaskMetadata?
    /// What changes while commands run, behind one lock.
    private struct State {
        var target: String?
        var settings: ConsoleSettings
        var noticeHandler: (@Sendable (String) -> Void)?
        var keepsState = false
        var backgroundGroupLeader: Pid?
        var origins: [String] = []
    }
    private let state: Mutex<State>

    /// Discovery: the sources (`--dns-query`, `--epmd-hosts`, `--nodes`) when configured, and always the nodes that
    /// connected nodes list (for `watch`).
    public let discovery: DiscoveryService
    /// Whether any discovery source was configured.
    public var hasDiscoverySources: Bool { discovery.configuration.hasSources }

    /// Where remote operations are recorded (`--audit-log`).
    public let audit: AuditLog?
    /// Keeps the cookie out of everything shown or recorded.
    public let redactor: Redactor
    /// The REPL's evaluators, one per node: state (bindings, aliases, `self()`) persists per node while the console
    /// is connected to it.
    public let evaluators = EvaluatorRegistry()
    /// The log level changes in force (``LogCommand``).
    public let logOverrides = LogOverrides()
    /// Where notices that come later go (a level change reverting): the REPL prints them above the prompt.
    public var noticeHandler: (@Sendable (String) -> Void)? {
        get { state.withLock { $0.noticeHandler } }
        set { state.withLock { $0.noticeHandler = newValue } }
    }
    /// Where the target, the cookie and the discovery sources came from (`info` shows them; never the cookie).
    public var origins: [String] {
        get { state.withLock { $0.origins } }
        set { state.withLock { $0.origins = newValue } }
    }
    /// The REPL's own group leader on our node: the evaluators use it, so that what their processes print later (a
    /// `spawn` that prints after the line returned) still reaches the console, above the prompt, as in IEx.
    public var backgroundGroupLeader: Pid? {
        get { state.withLock { $0.backgroundGroupLeader } }
        set { state.withLock { $0.backgroundGroupLeader = newValue } }
    }
    /// Whether evaluations keep their state per node (the REPL), rather than each starting afresh (one-shot).
    public var keepsState: Bool {
        get { state.withLock { $0.keepsState } }
        set { state.withLock { $0.keepsState = newValue } }
    }

    public init(
        node: LocalNode, target: String?, settings: ConsoleSettings, discovery: DiscoveryConfiguration? = nil,
        ecsTask: ECSTaskMetadata? = nil, audit: AuditLog? = nil
    ) {
        self.node = node
        self.audit = audit
        self.redactor = Redactor(cookie: node.configuration.cookie)
        self.ecsTask = ecsTask
        self.discovery = DiscoveryService(node: node, configuration: discovery ?? DiscoveryConfiguration())
        var settings = settings
        if settings.profiles == nil { settings.profiles = PrinterProfileRegistry() }
        self.state = Mutex(State(target: target, settings: settings))
    }

    /// The default target of `call`, `eval` and `info`.
    public var target: String? {
        get { state.withLock { $0.target } }
        set { state.withLock { $0.target = newValue } }
    }
    public var settings: ConsoleSettings {
        get { state.withLock { $0.settings } }
        set { state.withLock { $0.settings = newValue } }
    }

    /// The profile each node's terms are rendered with where no call is spent on it (error messages): the one
    /// cached for its connection, else the settings' (``ConsoleSettings/knownProfile(of:caller:)``).
    var knownProfiles: @Sendable (String) -> PrinterProfile { settings.knownProfiles(caller: node) }

    /// Runs one command. `onOutput` receives remote output (`IO.puts`, `io:format`) as it arrives. The read-only
    /// policy applies first; the cookie is redacted from everything that comes back; remote operations are audited.
    public func run(_ command: ConsoleCommand, onOutput: (@Sendable (String) -> Void)? = nil) async -> CommandOutput {
        let redactor = self.redactor
        let output = onOutput.map { f in { @Sendable (chunk: String) in f(redactor.redact(chunk)) } }
        let started = ContinuousClock.now
        var out: CommandOutput
        if let refusal = readOnlyRefusal(command) {
            out = refusal
        } else {
            out = redactor.redact(await execute(command, onOutput: output))
        }
        if let audit { record(command, out, duration: ContinuousClock.now - started, in: audit) }
        return out
    }

    private func execute(_ command: ConsoleCommand, onOutput: (@Sendable (String) -> Void)?) async -> CommandOutput {
        let settings = self.settings
        switch command {
        case .empty, .quit:
            return CommandOutput()
        case .help(let topic):
            return HelpCommand.run(topic: topic, settings: settings)
        case .nodes:
            return await NodesCommand.run(caller: node, target: target, settings: settings)
        case .connect(let nodes):
            return await ConnectCommand.run(nodes: nodes, caller: node)
        case .disconnect(let nodes):
            for n in nodes { settings.profiles?.forget(n) }
            return DisconnectCommand.run(nodes: nodes, caller: node)
        case .use(let n):
            let out = await ConnectCommand.run(nodes: [n], caller: node)
            guard out.status == CommandOutput.Status.ok else { return out }
            target = n
            return CommandOutput(text: "target is now \(n)", json: jsonObject(["target": .string(n)]))
        case .ping(let n):
            return await PingCommand.run(node: n, caller: node, settings: settings)
        case .call(let n, let expression):
            if let unavailable = await unavailableTargetOutput(node: n) { return unavailable }
            return await CallCommand.run(
                node: n ?? target, expression: expression, caller: node, settings: settings, onOutput: onOutput)
        case .multicall(let expression, let nodes, let table):
            let (targets, node) = (multicallTargets(nodes), self.node)
            // On the connections' event loop from start to end: the calls are written and collected where the
            // command already runs (no thread hop to the loop and back inside the timed calls).
            if #available(macOS 15.0, iOS 18.0, watchOS 11.0, tvOS 18.0, *) {
                return await node.withEventLoopExecutor {
                    await MulticallCommand.run(
                        expression: expression, nodes: targets, table: table, caller: node, settings: settings)
                }
            }
            return await MulticallCommand.run(
                expression: expression, nodes: targets, table: table, caller: node, settings: settings)
        case .eval(let n, let code):
            if let unavailable = await unavailableTargetOutput(node: n) { return unavailable }
            return await EvalCommand.run(
                node: n ?? target, code: code, caller: node, settings: settings,
                evaluators: keepsState ? evaluators : nil, console: node.name, groupLeader: backgroundGroupLeader,
                onOutput: onOutput)
        case .info(let n):
            if let unavailable = await unavailableTargetOutput(node: n) { return unavailable }
            guard let n = n ?? target else { return .noTarget() }
            return await InfoCommand.run(
                node: n, caller: node, settings: settings, ecsTask: ecsTask, origins: origins)
        case .members:
            return await MembersCommand.run(start: clusterNodes(), caller: node, settings: settings)
        case .dns:
            return await DNSCommand.run(session: self)
        case .watch(let seconds):
            return await WatchCommand.run(session: self, seconds: seconds)
        case .doctor(let nodes):
            return await DoctorCommand.run(session: self, nodes: nodes)
        case .inspect(let request):
            return await InspectionCommands.run(request, session: self)
        case .trace(let request):
            return await TraceCommand.run(request, session: self, onOutput: onOutput)
        case .log(let request):
            return await LogCommand.run(request, session: self, onOutput: onOutput)
        }
    }

    // MARK: - The nodes a cluster-wide command acts on

    /// The nodes `multicall` would call (for the REPL's confirmation).
    public func multicallTargets(_ requested: [String]?) -> [String] { requested ?? clusterNodes() }

    /// The nodes a command over the whole cluster acts on: the target, every connected node, and every node a
    /// discovery source lists (connected or not, so that failures show).
    func clusterNodes() -> [String] {
        var out = node.peerSnapshots().filter { $0.state == .up && !($0.peerIsHidden ?? false) }.map(\.node)
        var seen = Set(out)
        for n in discovery.listedNodes where seen.insert(n).inserted { out.append(n) }
        if let t = target, !seen.contains(t) { out.insert(t, at: 0) }
        return out
    }

    // MARK: - Read-only and audit

    /// The refusal `--read-only` gives `command`, or nil when it is allowed.
    func readOnlyRefusal(_ command: ConsoleCommand) -> CommandOutput? {
        guard settings.readOnly else { return nil }
        let expression: String
        switch command {
        case .trace:
            if settings.allowTrace { return nil }
            return .refused("trace sets trace patterns on the nodes; under --read-only it needs --allow-trace as well")
        case .log(let r) where r.mutates:
            return .refused("\(r.commandName) changes the nodes' logger configuration; --read-only allows only "
                + "log level without a level")
        case .call(_, let e), .multicall(let e, _, _): expression = e
        default:
            // Code (`eval`, and `multicall` of anything but a plain call) is checked on the node, before it runs,
            // against the same allowlist (``Evaluation/readOnlyAllowlist``).
            return nil
        }
        guard let call = try? parseCall(expression) else { return nil }
        if ReadOnlyPolicy.permits(call) { return nil }
        return .refused(
            "\(call.description) is not on the --read-only allowlist (introspection only: Node.list, :erlang.memory, "
                + ":erlang.system_info, :erlang.statistics, process and application lists…; "
                + "help read-only lists them)")
    }

    /// One audit line for a remote operation.
    func record(_ command: ConsoleCommand, _ out: CommandOutput, duration: Duration, in audit: AuditLog) {
        var entry = AuditLog.Entry(
            time: Date(), console: node.name, operation: "", targets: [], outcome: "ok", duration: duration)
        let parsed = JSONValue.parse(out.json)
        func mfa(_ e: String) -> String {
            (try? parseCall(e)).map { "\($0.module.name):\($0.function.name)/\($0.arity)" } ?? redactor.redact(e)
        }
        switch command {
        case .call(let n, let e):
            entry.operation = "call"
            entry.targets = (n ?? target).map { [$0] } ?? []
            entry.mfa = mfa(e)
        case .eval(let n, let code):
            entry.operation = "eval"
            entry.targets = (n ?? target).map { [$0] } ?? []
            entry.source = redactor.redact(code)
        case .multicall(let e, let nodes, _):
            entry.operation = "multicall"
            entry.mfa = mfa(e)
            for r in parsed?["results"]?.arrayValue ?? [] {
                if let n = r["node"]?.stringValue { entry.results[n] = r["status"]?.stringValue ?? "?" }
            }
            entry.targets = entry.results.isEmpty ? (nodes ?? []) : entry.results.keys.sorted()
        case .trace(let r):
            entry.operation = "trace"
            entry.mfa = r.function
            entry.source = redactor.redact(Self.traceDescription(r))
            for row in parsed?["nodes"]?.arrayValue ?? [] {
                if let n = row["node"]?.stringValue {
                    entry.results[n] = row["reason"]?.stringValue ?? row["status"]?.stringValue ?? "?"
                }
            }
            entry.targets = entry.results.isEmpty ? (r.nodes ?? target.map { [$0] } ?? []) : entry.results.keys.sorted()
        case .log(let r):
            guard r.mutates else { return }
            entry.operation = r.auditOperation
            switch r.action {
            case .set(let level, let module):
                entry.source = "level=\(level)" + (module.map { " module=\($0)" } ?? "") + " for=\(r.seconds)s"
            case .tail(let level): entry.source = "level=\(level) limit=\(r.limit) rate=\(r.rate) for=\(r.seconds)s"
            default: break
            }
            for row in parsed?["nodes"]?.arrayValue ?? [] {
                if let n = row["node"]?.stringValue { entry.results[n] = row["status"]?.stringValue ?? "?" }
            }
            for row in parsed?["reverted"]?.arrayValue ?? [] {
                if let n = row["node"]?.stringValue { entry.results[n] = (row["reverted"]?.boolValue ?? false) ? "reverted" : "pending" }
            }
            entry.targets = entry.results.isEmpty ? (r.nodes ?? target.map { [$0] } ?? []) : entry.results.keys.sorted()
        default:
            return
        }
        switch out.status {
        case CommandOutput.Status.ok: entry.outcome = "ok"
        case CommandOutput.Status.refused: entry.outcome = "refused"
        case CommandOutput.Status.badInput: entry.outcome = "bad_input"
        default:
            if case .multicall = command {
                entry.outcome = "partial"
            } else {
                entry.outcome = parsed?["status"]?.stringValue ?? "error"
            }
        }
        audit.write(entry)
    }

    /// `trace`'s pattern and limits, for the audit log.
    static func traceDescription(_ r: TraceRequest) -> String {
        var parts: [String] = []
        if let p = r.pattern { parts.append("pattern=\(p)") }
        if let m = r.matchSpec { parts.append("match_spec=\(m)") }
        if let p = r.pid { parts.append("pid=\(p)") }
        parts.append("count=\(r.count) rate=\(r.rate) for=\(r.seconds)s")
        if r.returns { parts.append("returns") }
        if r.force { parts.append("force") }
        return parts.joined(separator: " ")
    }

    // MARK: - Helpers for the commands

    func parseCall(_ expression: String) throws(TermSyntaxError) -> CallExpression {
        try CallCommand.parse(expression, syntax: settings.syntax)
    }
}
