import ClusterDiscovery
import ClusterMembership
import ErlangDistribution
import ErlangTerm
import Foundation
import TermSyntax

/// Presentation settings shared by every command.
public struct ConsoleSettings: Sendable {
    public var syntax: SourceSyntax = .elixir
    /// ANSI colours (IEx's defaults) in results and messages.
    public var color = false
    /// Terminal width for pretty printing and tables.
    public var width = 80
    /// Time allowed for one remote call.
    public var timeout: Duration = .seconds(30)
    /// `inspect`'s `limit` for results (IEx shows 50 items per collection; nil shows all).
    public var limit: Int? = 50
    /// Output is JSON (`--json`): streaming views write NDJSON.
    public var json = false
    /// `--read-only`: only ``ReadOnlyPolicy``'s introspection calls; no `eval`.
    public var readOnly = false
    /// `--yes`: no confirmation before acting on more than one node.
    public var assumeYes = false
    public init() {}
}

/// What a command produced: text for people, a JSON document for scripts, and an exit status.
public struct CommandOutput: Sendable {
    /// The human-readable result (printed to standard output).
    public var text: String
    /// Error text (printed to standard error).
    public var errorText: String
    /// The `--json` form.
    public var json: String
    /// 0 success, 1 a remote failure (exception, nodedown, timeout, unreachable node), 65 bad input.
    public var status: Int32

    public init(text: String = "", errorText: String = "", json: String = "{}", status: Int32 = 0) {
        self.text = text; self.errorText = errorText; self.json = json; self.status = status
    }

    /// Exit statuses, documented in beamconsole(1).
    public enum Status {
        public static let ok: Int32 = 0
        public static let remoteFailure: Int32 = 1
        public static let connectionFailure: Int32 = 2
        public static let badInput: Int32 = 65
        /// Refused by `--read-only` (sysexits' EX_NOPERM).
        public static let refused: Int32 = 77
    }
}

/// The console's state and the one implementation of every command, used by the REPL and the one-shot subcommands.
public final class ConsoleSession: @unchecked Sendable {
    public let node: LocalNode
    /// The ECS task the console itself runs in (shown by `info`), when its metadata could be read at start.
    public let ecsTask: ECSTaskMetadata?
    private let lock = NSLock()
    private var _target: String?
    private var _settings: ConsoleSettings
    private var rtts: [String: Duration] = [:]

    /// Discovery: the sources (`--dns-query`, `--epmd-hosts`, `--nodes`) when configured, and always the nodes that
    /// connected nodes list (for `watch`).
    public let discovery: DiscoveryService
    /// Whether any discovery source was configured.
    public var hasDiscoverySources: Bool { discovery.configuration.hasSources }

    /// Where remote operations are recorded (`--audit-log`).
    public let audit: AuditLog?
    /// Keeps the cookie out of everything shown or recorded.
    public let redactor: Redactor

    public init(
        node: LocalNode, target: String?, settings: ConsoleSettings, discovery: DiscoveryConfiguration? = nil,
        ecsTask: ECSTaskMetadata? = nil, audit: AuditLog? = nil
    ) {
        self.node = node
        self.audit = audit
        self.redactor = Redactor(cookie: node.configuration.cookie)
        self.ecsTask = ecsTask
        self.discovery = DiscoveryService(node: node, configuration: discovery ?? DiscoveryConfiguration())
        self._target = target
        self._settings = settings
    }

    /// The default target of `call`, `eval` and `info`.
    public var target: String? {
        get { lock.withLock { _target } }
        set { lock.withLock { _target = newValue } }
    }
    public var settings: ConsoleSettings {
        get { lock.withLock { _settings } }
        set { lock.withLock { _settings = newValue } }
    }

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
        switch command {
        case .empty, .quit:
            return CommandOutput()
        case .help(let topic):
            return help(topic)
        case .nodes:
            return await nodes()
        case .connect(let nodes):
            return await connect(nodes)
        case .disconnect(let nodes):
            for n in nodes { node.disconnect(n) }
            return CommandOutput(
                text: nodes.map { "disconnected \($0)" }.joined(separator: "\n"),
                json: jsonObject(["disconnected": .array(nodes.map(JSONValue.string))]))
        case .use(let n):
            let out = await connect([n])
            if out.status == 0 {
                target = n
                return CommandOutput(text: "target is now \(n)", json: jsonObject(["target": .string(n)]))
            }
            return out
        case .ping(let n):
            return await ping(n)
        case .call(let n, let expression):
            return await call(node: n ?? target, expression: expression, onOutput: onOutput)
        case .multicall(let expression, let nodes):
            return await multicall(expression: expression, nodes: nodes)
        case .eval(let n, let code):
            return await eval(node: n ?? target, code: code, onOutput: onOutput)
        case .info(let n):
            return await info(n ?? target)
        case .members:
            return await members()
        case .dns:
            return await DNSCommand.run(session: self)
        case .watch(let seconds):
            return await WatchCommand.run(session: self, seconds: seconds, onOutput: onOutput)
        case .doctor(let nodes):
            return await DoctorCommand.run(session: self, nodes: nodes)
        }
    }

    // MARK: - Connections

    func connect(_ nodes: [String]) async -> CommandOutput {
        var results: [(String, DistributionError?)] = []
        await withTaskGroup(of: (String, DistributionError?).self) { group in
            for n in nodes {
                group.addTask {
                    do throws(DistributionError) {
                        try await self.node.connect(to: n)
                        return (n, nil)
                    } catch {
                        return (n, error)
                    }
                }
            }
            for await r in group { results.append(r) }
        }
        return Self.connectOutput(results)
    }

    /// What `connect` shows for each node's outcome (nil: connected).
    static func connectOutput(_ outcomes: [(String, DistributionError?)]) -> CommandOutput {
        var lines: [String] = [], errors: [String] = []
        var results: [String: JSONValue] = [:]
        for (n, error) in outcomes {
            if let error {
                errors.append("cannot connect to \(n): \(error)")
                results[n] = errorJSON(error)
            } else {
                lines.append("connected to \(n)")
                results[n] = .object(["state": .string("up")])
            }
        }
        return CommandOutput(
            text: lines.sorted().joined(separator: "\n"), errorText: errors.sorted().joined(separator: "\n"),
            json: jsonObject(["nodes": .object(results)]),
            status: errors.isEmpty ? CommandOutput.Status.ok : CommandOutput.Status.connectionFailure)
    }

    /// A round trip: `erlang:node()` by rex, timed.
    func roundTrip(_ n: String, timeout: Duration) async -> Result<Duration, DistributionError> {
        let clock = ContinuousClock()
        let start = clock.now
        do throws(DistributionError) {
            let r = try await node.call(
                node: n, module: "erlang", function: "node", arguments: [],
                options: CallOptions(method: .rex, timeout: timeout, captureOutput: false))
            guard case .value = r.result else {
                return .failure(DistributionError(.rpcFailed, stage: .rpc, node: n, "no answer to erlang:node()"))
            }
            let rtt = clock.now - start
            lock.withLock { rtts[n] = rtt }
            return .success(rtt)
        } catch {
            return .failure(error)
        }
    }

    func ping(_ n: String) async -> CommandOutput {
        switch await roundTrip(n, timeout: settings.timeout) {
        case .success(let rtt):
            return CommandOutput(
                text: "pong from \(n) in \(formatDuration(rtt))",
                json: jsonObject(["node": .string(n), "result": .string("pong"), "rtt_ms": .number(milliseconds(rtt))]))
        case .failure(let e):
            return CommandOutput(
                errorText: "pang: \(e)",
                json: jsonObject(["node": .string(n), "result": .string("pang"), "error": errorJSON(e)]),
                status: CommandOutput.Status.connectionFailure)
        }
    }

    func nodes() async -> CommandOutput {
        let peers = node.peerSnapshots()
        // Fresh round trips to every connected peer, concurrently.
        var fresh: [String: Duration] = [:]
        await withTaskGroup(of: (String, Duration?).self) { group in
            for p in peers where p.state == .up {
                group.addTask {
                    if case .success(let d) = await self.roundTrip(p.node, timeout: .seconds(2)) { return (p.node, d) }
                    return (p.node, nil)
                }
            }
            for await (n, d) in group { if let d { fresh[n] = d } }
        }
        var table = Table(
            headers: ["node", "state", "type", "since", "rtt"], alignments: [.left, .left, .left, .left, .right])
        var rows: [JSONValue] = []
        let now = Date()
        let iso = ISO8601DateFormatter()
        for p in node.peerSnapshots() {
            let type = p.peerIsHidden.map { $0 ? "hidden" : "normal" } ?? "-"
            let rtt = fresh[p.node]
            let marker = p.node == target ? " *" : ""
            table.append([
                p.node + marker, stateText(p.state), type, formatAge(now.timeIntervalSince(p.since)),
                rtt.map(formatDuration) ?? "-",
            ])
            var row: [String: JSONValue] = [
                "node": .string(p.node), "state": .string(stateName(p.state)), "type": .string(type),
                "since": .string(iso.string(from: p.since)),
                "rtt_ms": rtt.map { .number(milliseconds($0)) } ?? .null, "target": .bool(p.node == target),
            ]
            if case .failed(let e) = p.state { row["error"] = errorJSON(e) }
            if case .down(let e) = p.state { row["error"] = errorJSON(e) }
            rows.append(.object(row))
        }
        let header = "we are \(node.name) (hidden)"
        let text = peers.isEmpty ? "\(header); no connections" : header + "\n" + table.render(maxWidth: settings.width)
        return CommandOutput(
            text: text.hasSuffix("\n") ? String(text.dropLast()) : text,
            json: jsonObject(["self": .string(node.name), "nodes": .array(rows)]))
    }

    // MARK: - Calls

    func parseCall(_ expression: String) throws(TermSyntaxError) -> CallExpression {
        try Self.parseCall(expression, syntax: settings.syntax)
    }

    /// Parses `Mod.fun(args)` in `syntax`, accepting the other syntax's form when it is unambiguous.
    static func parseCall(_ expression: String, syntax: SourceSyntax) throws(TermSyntaxError) -> CallExpression {
        do {
            return try CallExpression.parse(expression, syntax: syntax)
        } catch {
            // `mod:fun(...)` typed under Elixir syntax (or the reverse) is unambiguous enough to accept.
            let other: SourceSyntax = syntax == .elixir ? .erlang : .elixir
            if let call = try? CallExpression.parse(expression, syntax: other) { return call }
            throw error
        }
    }

    func call(node n: String?, expression: String, onOutput: (@Sendable (String) -> Void)?) async -> CommandOutput {
        guard let n else { return noTarget() }
        let call: CallExpression
        do {
            call = try parseCall(expression)
        } catch {
            return badInput("\(error)")
        }
        return await perform(node: n, module: call.module, function: call.function, arguments: call.arguments,
                             what: call.description, onOutput: onOutput)
    }

    /// Runs a call and renders its outcome.
    func perform(
        node n: String, module: Atom, function: Atom, arguments: [Term], what: String,
        onOutput: (@Sendable (String) -> Void)?, unwrap: ((Term) -> Term)? = nil
    ) async -> CommandOutput {
        let response: CallResponse
        do throws(DistributionError) {
            response = try await node.call(
                node: n, module: module, function: function, arguments: arguments,
                options: CallOptions(timeout: settings.timeout, onOutput: onOutput))
        } catch {
            if Task.isCancelled { return cancelled(n) }
            return Self.callFailed(error, node: n)
        }
        var exceptionText: String?
        if case .exception(let cls, let reason, let stack) = response.result {
            exceptionText = await formatException(cls, reason: reason, stacktrace: stack, on: n)
        }
        if case .timeout = response.result, Task.isCancelled { return cancelled(n) }
        return Self.callOutcome(
            response, node: n, what: what, settings: settings, unwrap: unwrap, exceptionText: exceptionText ?? "")
    }

    /// A call that could not be made (no connection).
    static func callFailed(_ error: DistributionError, node n: String) -> CommandOutput {
        CommandOutput(
            errorText: "\(error)",
            json: jsonObject(["node": .string(n), "status": .string("error"), "error": errorJSON(error)]),
            status: CommandOutput.Status.connectionFailure)
    }

    /// Renders a call's outcome; `exceptionText` is the exception as ``formatException(_:reason:stacktrace:on:)``
    /// formatted it (used only for ``CallResult/exception(_:reason:stacktrace:)``).
    static func callOutcome(
        _ response: CallResponse, node n: String, what: String, settings: ConsoleSettings,
        unwrap: ((Term) -> Term)? = nil, exceptionText: String
    ) -> CommandOutput {
        var fields: [String: JSONValue] = ["node": .string(n), "output": .string(response.output)]
        switch response.result {
        case .value(let raw):
            let v = unwrap?(raw) ?? raw
            let rendered = render(v, settings: settings)
            fields["status"] = .string("ok")
            fields["result"] = .string(render(v, pretty: false, settings: settings))
            fields["value"] = (try? TermJSON.encode(v)).map(JSONValue.raw) ?? .null
            return CommandOutput(text: rendered, json: jsonObject(fields))
        case .exception(let cls, let reason, _):
            fields["status"] = .string("exception")
            fields["class"] = .string(cls.rawValue)
            fields["reason"] = .string(render(reason, pretty: false, settings: settings))
            fields["message"] = .string(exceptionText)
            return CommandOutput(
                errorText: exceptionText, json: jsonObject(fields), status: CommandOutput.Status.remoteFailure)
        case .nodedown(let down):
            fields["status"] = .string("nodedown")
            return CommandOutput(
                errorText: "** (nodedown) the connection to \(down) went down during \(what)",
                json: jsonObject(fields), status: CommandOutput.Status.remoteFailure)
        case .timeout:
            fields["status"] = .string("timeout")
            return CommandOutput(
                errorText: "** (timeout) no answer from \(n) within \(formatDuration(settings.timeout)) to \(what)",
                json: jsonObject(fields), status: CommandOutput.Status.remoteFailure)
        }
    }

    func multicall(expression: String, nodes requested: [String]?) async -> CommandOutput {
        let call: CallExpression
        do {
            call = try parseCall(expression)
        } catch {
            return badInput("\(error)")
        }
        let nodes = requested ?? clusterNodes()
        guard !nodes.isEmpty else {
            return badInput("multicall: no nodes (connect to some, or give --nodes or --dns-query)")
        }
        let clock = ContinuousClock()
        let started = clock.now
        let results = await node.multicall(
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
                    cell = render(v, pretty: false)
                    row["status"] = .string("ok")
                    row["result"] = .string(cell)
                    row["value"] = (try? TermJSON.encode(v)).map(JSONValue.raw) ?? .null
                case .exception(let cls, let reason, _):
                    failures += 1
                    cell = "** (\(cls.rawValue)) \(render(reason, pretty: false))"
                    row["status"] = .string("exception")
                    row["class"] = .string(cls.rawValue)
                    row["reason"] = .string(render(reason, pretty: false))
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

    func eval(node n: String?, code: String, onOutput: (@Sendable (String) -> Void)?) async -> CommandOutput {
        guard let n else { return noTarget() }
        switch settings.syntax {
        case .elixir:
            // Code.eval_string(code, [], file: "beamconsole") → {value, binding}
            let opts: Term = .list([.tuple([.atom("file"), .string("beamconsole")])])
            return await perform(
                node: n, module: "Elixir.Code", function: "eval_string", arguments: [.string(code), .list([]), opts],
                what: "eval", onOutput: onOutput,
                unwrap: { t in t.tupleElements.flatMap { $0.count == 2 ? $0[0] : nil } ?? t })
        case .erlang:
            return await evalErlang(node: n, code: code, onOutput: onOutput)
        }
    }

    /// `erl_scan:string/1` → `erl_parse:parse_exprs/1` → `erl_eval:exprs/2`, each on the node.
    func evalErlang(node n: String, code: String, onOutput: (@Sendable (String) -> Void)?) async -> CommandOutput {
        var source = code.trimmingWhitespace()
        if !source.hasSuffix(".") { source += "." }
        let options = CallOptions(method: .rex, timeout: settings.timeout, captureOutput: false)
        func step(_ m: Atom, _ f: Atom, _ args: [Term]) async throws(DistributionError) -> Term? {
            let r = try await node.call(node: n, module: m, function: f, arguments: args, options: options)
            if case .value(let v) = r.result { return v }
            return nil
        }
        do throws(DistributionError) {
            guard let scanned = try await step("erl_scan", "string", [.charlist(source)]) else {
                return badInput("cannot scan the expression")
            }
            guard let tokens = scanned.tagged("ok")?.first else {
                let detail = scanned.tagged("error")?.first.map { render($0, pretty: false) } ?? render(scanned)
                return badInput("syntax error: \(detail)")
            }
            guard let parsed = try await step("erl_parse", "parse_exprs", [tokens]) else {
                return badInput("cannot parse the expression")
            }
            guard let exprs = parsed.tagged("ok")?.first else {
                let why = try await describeParseError(parsed, on: n)
                return badInput(why)
            }
            return await perform(
                node: n, module: "erl_eval", function: "exprs", arguments: [exprs, .list([])], what: "eval",
                onOutput: onOutput,
                unwrap: { t in t.tagged("value")?.first ?? t })
        } catch {
            return CommandOutput(
                errorText: "\(error)", json: jsonObject(["node": .string(n), "error": errorJSON(error)]),
                status: CommandOutput.Status.connectionFailure)
        }
    }

    /// `{error, {Location, Module, Descriptor}}` → "line L: message" via `Module:format_error/1` on the node.
    private func describeParseError(_ parsed: Term, on n: String) async throws(DistributionError) -> String {
        guard let info = parsed.tagged("error")?.first, case .tuple(let t) = info, t.count == 3,
            case .atom(let module) = t[1]
        else { return "syntax error: \(render(parsed, pretty: false))" }
        let r = try await node.call(
            node: n, module: module, function: "format_error", arguments: [t[2]],
            options: CallOptions(method: .rex, timeout: settings.timeout, captureOutput: false))
        var message = render(t[2], pretty: false)
        if case .value(let v) = r.result, let s = flattenChardata(v) { message = s }
        let location: String
        switch t[0] {
        case .integer(let line): location = "line \(line)"
        case .tuple(let lc) where lc.count == 2: location = "line \(render(lc[0])), column \(render(lc[1]))"
        default: location = "at \(render(t[0], pretty: false))"
        }
        return "syntax error at \(location): \(message)"
    }

    func info(_ n: String?) async -> CommandOutput {
        guard let n else { return noTarget() }
        return await InfoCommand.run(session: self, node: n)
    }

    // MARK: - Read-only and audit

    /// The refusal `--read-only` gives `command`, or nil when it is allowed.
    func readOnlyRefusal(_ command: ConsoleCommand) -> CommandOutput? {
        guard settings.readOnly else { return nil }
        let expression: String
        switch command {
        case .call(_, let e), .multicall(let e, _): expression = e
        case .eval:
            return refused("eval runs arbitrary code: not allowed in --read-only mode")
        default:
            return nil
        }
        guard let call = try? parseCall(expression) else { return nil }  // the command reports the syntax error
        if ReadOnlyPolicy.permits(module: call.module, function: call.function, arity: call.arity) { return nil }
        return refused(
            "\(call.description) is not on the --read-only allowlist (introspection only: Node.list, :erlang.memory, "
                + ":erlang.system_info, :erlang.statistics, process and application lists…; help read-only lists them)")
    }

    func refused(_ message: String) -> CommandOutput {
        CommandOutput(
            errorText: "refused: \(message)",
            json: jsonObject(["status": .string("refused"), "error": .object(["code": .string("read_only"), "message": .string(message)])]),
            status: CommandOutput.Status.refused)
    }

    /// One audit line for a remote operation.
    func record(_ command: ConsoleCommand, _ out: CommandOutput, duration: Duration, in audit: AuditLog) {
        var entry = AuditLog.Entry(
            time: Date(), console: node.name, operation: "", targets: [], outcome: "ok", duration: duration)
        let parsed = (try? JSONSerialization.jsonObject(with: Data(out.json.utf8))) as? [String: Any]
        switch command {
        case .call(let n, let e):
            entry.operation = "call"
            entry.targets = (n ?? target).map { [$0] } ?? []
            entry.mfa = (try? parseCall(e)).map { "\($0.module.name):\($0.function.name)/\($0.arity)" } ?? redactor.redact(e)
        case .eval(let n, let code):
            entry.operation = "eval"
            entry.targets = (n ?? target).map { [$0] } ?? []
            entry.source = redactor.redact(code)
        case .multicall(let e, let nodes):
            entry.operation = "multicall"
            entry.mfa = (try? parseCall(e)).map { "\($0.module.name):\($0.function.name)/\($0.arity)" } ?? redactor.redact(e)
            for r in parsed?["results"] as? [[String: Any]] ?? [] {
                if let n = r["node"] as? String { entry.results[n] = r["status"] as? String ?? "?" }
            }
            entry.targets = entry.results.isEmpty ? (nodes ?? []) : entry.results.keys.sorted()
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
                entry.outcome = parsed?["status"] as? String ?? "error"
            }
        }
        audit.write(entry)
    }

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

    func members() async -> CommandOutput {
        let start = clusterNodes()
        guard !start.isEmpty else {
            return badInput("members: no nodes (connect to one, set a target with use, or give --dns-query/--nodes)")
        }
        return await MembersCommand.run(session: self, start: start)
    }

    // MARK: - Exceptions, the way IEx shows them

    /// `** (RuntimeError) boom` plus the stacktrace, formatted by the node itself when it has Elixir
    /// (`Exception.format/3`, exactly what IEx prints), else by OTP's `erl_error:format_exception/3`, else locally.
    func formatException(_ cls: ExceptionClass, reason: Term, stacktrace: Term, on n: String) async -> String {
        for (m, f) in Self.exceptionFormatters(syntax: settings.syntax) {
            if let r = try? await node.call(
                node: n, module: m, function: f, arguments: [.atom(Atom(cls.rawValue)), reason, stacktrace],
                options: Self.exceptionFormatOptions),
                let text = Self.formattedException(r, by: m)
            {
                return text
            }
        }
        return Self.unformattedException(cls, reason: reason, settings: settings)
    }

    /// The functions that format an exception on the node, in the order to try them (`Mod:fun(Class, Reason,
    /// Stacktrace)`).
    static func exceptionFormatters(syntax: SourceSyntax) -> [(Atom, Atom)] {
        syntax == .elixir
            ? [("Elixir.Exception", "format"), ("erl_error", "format_exception")]
            : [("erl_error", "format_exception"), ("Elixir.Exception", "format")]
    }

    /// How the formatting calls are made.
    static let exceptionFormatOptions = CallOptions(method: .rex, timeout: .seconds(5), captureOutput: false)

    /// The text of a formatting call's answer, or nil to try the next formatter.
    static func formattedException(_ response: CallResponse, by m: Atom) -> String? {
        guard case .value(let v) = response.result, var t = flattenChardata(v) else { return nil }
        while t.hasSuffix("\n") { t.removeLast() }
        if m.name == "erl_error" { t = "** " + t.replacingOccurrences(of: "\n", with: "\n   ") }
        return t
    }

    /// The exception when no formatter on the node answered.
    static func unformattedException(_ cls: ExceptionClass, reason: Term, settings: ConsoleSettings) -> String {
        "** (\(cls.rawValue)) \(render(reason, pretty: false, settings: settings))"
    }

    // MARK: - Helpers

    /// Renders a result with the session's printer.
    public func render(_ term: Term, pretty: Bool = true) -> String {
        Self.render(term, pretty: pretty, settings: settings)
    }

    /// Renders a term with `s`'s printer.
    static func render(_ term: Term, pretty: Bool = true, settings s: ConsoleSettings) -> String {
        if !pretty {
            switch s.syntax {
            case .elixir:
                return ElixirInspect.inspect(term, options: ElixirInspectOptions(pretty: false, limit: s.limit))
            case .erlang:
                return ErlangFormat.write(term)
            }
        }
        return TermRenderer.render(
            term, syntax: s.syntax, width: s.width, limit: s.limit, colors: s.color ? ElixirColors.iex : nil)
    }

    func noTarget() -> CommandOutput { Self.noTarget() }

    static func noTarget() -> CommandOutput {
        badInput("no target node: give one (call NODE EXPR), or pick one with use NODE / --connect / RELEASE_NODE")
    }

    func badInput(_ message: String) -> CommandOutput { Self.badInput(message) }

    static func badInput(_ message: String) -> CommandOutput {
        CommandOutput(
            errorText: message,
            json: jsonObject(["status": .string("error"), "error": .object(["code": .string("bad_input"), "message": .string(message)])]),
            status: CommandOutput.Status.badInput)
    }

    func cancelled(_ n: String) -> CommandOutput {
        CommandOutput(errorText: "cancelled", json: jsonObject(["node": .string(n), "status": .string("cancelled")]),
                      status: CommandOutput.Status.remoteFailure)
    }

    func help(_ topic: String?) -> CommandOutput {
        if topic == "read-only" {
            return CommandOutput(
                text: "--read-only allows only these calls (and no eval):\n  "
                    + ReadOnlyPolicy.describe(elixir: settings.syntax == .elixir).joined(separator: "\n  "))
        }
        if let topic {
            guard let usage = ConsoleCommand.usage[topic] else {
                return badInput("no help for \"\(topic)\"; commands: \(ConsoleCommand.names.joined(separator: ", "))")
            }
            return CommandOutput(text: usage)
        }
        let lines = ConsoleCommand.names.compactMap { ConsoleCommand.usage[$0] }
        let tail = """

            A bare call (Node.list(), :erlang.memory(), lists:seq(1, 3)) runs on the target.
            Ctrl-C cancels a running command; Ctrl-D or quit leaves. A line starting with a space is kept out of history.
            """
        return CommandOutput(text: lines.joined(separator: "\n") + tail)
    }
}

// MARK: - Text helpers

/// IEx's default syntax colours.
public enum ElixirColors {
    public static let iex: [ElixirSyntaxColor: String] = {
        var colors: [ElixirSyntaxColor: String] = [:]
        for c in ElixirSyntaxColor.allCases {
            switch c.rawValue {
            case "atom": colors[c] = "\u{1B}[36m"
            case "string", "binary": colors[c] = "\u{1B}[32m"
            case "list", "map", "tuple": colors[c] = "\u{1B}[39m"
            case "number": colors[c] = "\u{1B}[33m"
            case "boolean", "nil": colors[c] = "\u{1B}[35m"
            case "regex": colors[c] = "\u{1B}[31m"
            case "reset": colors[c] = "\u{1B}[0m"
            default: break
            }
        }
        return colors
    }()
}

/// Flattens Erlang chardata (a binary, a charlist, or nested lists of both) to a String.
func flattenChardata(_ t: Term) -> String? { IOServer.chardataToString(t, latin1: false) }

func stateName(_ s: PeerConnectionState) -> String {
    switch s {
    case .resolving: return "resolving"
    case .epmd: return "epmd"
    case .connecting: return "connecting"
    case .handshaking: return "handshaking"
    case .up: return "up"
    case .down: return "down"
    case .failed: return "failed"
    }
}

func stateText(_ s: PeerConnectionState) -> String {
    switch s {
    case .down(let e): return "down (\(e.code))"
    case .failed(let e): return "failed at \(e.stage) (\(e.code))"
    default: return stateName(s)
    }
}

func milliseconds(_ d: Duration) -> Double {
    let c = d.components
    return (Double(c.seconds) * 1000 + Double(c.attoseconds) / 1e15).rounded(toPlaces: 3)
}

extension Double {
    func rounded(toPlaces p: Int) -> Double {
        let m = pow(10.0, Double(p))
        return (self * m).rounded() / m
    }
}

func formatDuration(_ d: Duration) -> String {
    let ms = milliseconds(d)
    if ms < 1 { return fixed(ms * 1000, places: 0) + " µs" }
    if ms < 1000 { return fixed(ms, places: 1) + " ms" }
    return fixed(ms / 1000, places: 1) + " s"
}

/// `v` rounded to `places` decimals (0-6), as `String(format: "%.<places>f")` prints it for the values views show,
/// without Foundation's formatter (`watch` formats a round trip per row on every frame).
func fixed(_ v: Double, places: Int) -> String {
    guard v.isFinite else { return "\(v)" }
    var scale = 1.0
    for _ in 0..<places { scale *= 10 }
    let scaled = (abs(v) * scale).rounded()
    guard scaled < 9e15 else { return String(format: "%.\(places)f", v) }
    let n = Int64(scaled), unit = Int64(scale)
    let sign = v < 0 && n != 0 ? "-" : ""
    guard places > 0 else { return sign + "\(n)" }
    let fraction = String(n % unit)
    return sign + "\(n / unit)." + String(repeating: "0", count: places - fraction.count) + fraction
}

func formatAge(_ seconds: TimeInterval) -> String {
    let s = Int(seconds.rounded(.down))
    if s < 60 { return "\(s)s ago" }
    if s < 3600 { return "\(s / 60)m \(s % 60)s ago" }
    if s < 86400 { return "\(s / 3600)h \(s % 3600 / 60)m ago" }
    return "\(s / 86400)d \(s % 86400 / 3600)h ago"
}

func errorJSON(_ e: DistributionError) -> JSONValue {
    var o: [String: JSONValue] = [
        "stage": .string(e.stage.rawValue), "code": .string(e.code.rawValue), "message": .string(ErrorAdvice.text(e)),
    ]
    if !e.registeredNames.isEmpty { o["registered_names"] = .array(e.registeredNames.map(JSONValue.string)) }
    return .object(o)
}
