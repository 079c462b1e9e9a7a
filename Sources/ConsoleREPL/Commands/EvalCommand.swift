import ErlangDistribution
import ErlangTerm
import Synchronization
import TermSyntax

/// The evaluators the console has started, one per node (see ``EvaluatorSource``): the REPL's state on each node.
/// `use` switches between them; a node's state lives as long as its evaluator.
public final class EvaluatorRegistry: Sendable {
    struct Handle: Sendable {
        var owner: Pid
        var info: Evaluation.NodeInfo
    }
    private let handles = Mutex<[String: Handle]>([:])

    public init() {}

    func handle(_ node: String) -> Handle? { handles.withLock { $0[node] } }
    func set(_ node: String, _ handle: Handle?) { handles.withLock { $0[node] = handle } }
    /// What the node's evaluator reported about the node (for `info` and the REPL's continuation rules).
    func info(_ node: String) -> Evaluation.NodeInfo? { handle(node)?.info }
}

/// `eval [NODE] CODE` and every REPL line that is not a command: any expression, evaluated on the node. In the REPL
/// (a ``EvaluatorRegistry`` given) the state persists per node; one-shot, each evaluation starts afresh. Results are
/// rendered by the node itself; errors read as in IEx (or the Erlang shell).
enum EvalCommand {
    static func run(
        node n: String?, code: String, caller: any RemoteCaller, settings: ConsoleSettings,
        evaluators: EvaluatorRegistry?, console: String?, groupLeader: Pid? = nil,
        onOutput: (@Sendable (String) -> Void)?
    ) async -> CommandOutput {
        guard let n else { return .noTarget() }
        var request = Evaluation.Request(code: code, settings: settings)
        if settings.readOnly { request.readOnly = Evaluation.readOnlyAllowlist }
        let options = CallOptions(timeout: settings.timeout, onOutput: onOutput)
        guard let evaluators, let console else {
            let (m, f, a) = Evaluation.bootstrap(Evaluation.once(request, syntax: settings.syntax), readOnly: settings.readOnly)
            return await perform(
                node: n, m, f, a, caller: caller, options: options, settings: settings,
                unwrap: Evaluation.bootstrapValue)
        }
        var note = ""
        for attempt in 0..<2 {
            let handle: EvaluatorRegistry.Handle
            if let h = evaluators.handle(n) {
                handle = h
            } else {
                switch await start(
                    node: n, console: console, groupLeader: groupLeader, caller: caller, settings: settings)
                {
                case .success(let h):
                    handle = h
                    evaluators.set(n, h)
                case .failure(let failure):
                    return failure.output
                }
            }
            // Ctrl-C while the evaluator was starting: the line is not sent.
            if Task.isCancelled { return .cancelled(n) }
            let (m, f, a) = Evaluation.evaluate(owner: handle.owner, request)
            let response: CallResponse
            do throws(DistributionError) {
                response = try await caller.call(node: n, module: m, function: f, arguments: a, options: options)
            } catch {
                if Task.isCancelled {
                    interrupt(handle.owner, request: request.id, caller: caller)
                    return .cancelled(n)
                }
                return CallCommand.failed(error, node: n)
            }
            if Task.isCancelled { interrupt(handle.owner, request: request.id, caller: caller) }
            if attempt == 0, case .exception(.exit, let reason, _) = response.result, Evaluation.ownerIsGone(reason) {
                // The node restarted, or the connection dropped since the last line: its evaluator ended with it.
                evaluators.set(n, nil)
                note = "(the earlier session on \(n) ended with its connection; bindings start afresh)\n"
                continue
            }
            var out = outcome(response, node: n, settings: settings, unwrap: { $0 })
            if !note.isEmpty { out.errorText = note + out.errorText }
            return out
        }
        return CommandOutput(errorText: "the evaluator on \(n) could not be started", status: CommandOutput.Status.remoteFailure)
    }

    /// Ctrl-C: the owner stops the evaluation of `request` and starts a new evaluator from the last state, or, when
    /// the request has not reached it yet, answers it as interrupted without running it. (Killing our caller on the
    /// node does the same, but only once its spawn was confirmed; this covers an early Ctrl-C.)
    static func interrupt(_ owner: Pid, request: Int, caller: any RemoteCaller) {
        try? (caller as? LocalNode)?.send(.tuple([.atom("$beamconsole_interrupt"), .integer(request)]), to: owner)
    }

    /// Starts the node's evaluator (its owner monitors our node).
    static func start(
        node n: String, console: String, groupLeader: Pid?, caller: any RemoteCaller, settings: ConsoleSettings
    ) async -> Result<EvaluatorRegistry.Handle, CommandOutputFailure> {
        let (m, f, a) = Evaluation.bootstrap(
            Evaluation.start(console: console, syntax: settings.syntax, groupLeader: groupLeader),
            readOnly: settings.readOnly)
        let response: CallResponse
        do throws(DistributionError) {
            response = try await caller.call(
                node: n, module: m, function: f, arguments: a,
                options: CallOptions(timeout: settings.timeout, captureOutput: false))
        } catch {
            if Task.isCancelled { return .failure(CommandOutputFailure(.cancelled(n))) }
            return .failure(CommandOutputFailure(CallCommand.failed(error, node: n)))
        }
        if case .value(let v) = response.result, let started = Evaluation.bootstrapValue(v)?.tagged("ok"),
            started.count == 2, let owner = started[0].pidValue, let info = Evaluation.NodeInfo(started[1])
        {
            return .success(EvaluatorRegistry.Handle(owner: owner, info: info))
        }
        var out = outcome(response, node: n, settings: settings, unwrap: { $0 })
        out.errorText = "could not start an evaluator on \(n): " + out.errorText
        out.status = CommandOutput.Status.remoteFailure
        return .failure(CommandOutputFailure(out))
    }

    private static func perform(
        node n: String, _ m: Atom, _ f: Atom, _ a: [Term], caller: any RemoteCaller, options: CallOptions,
        settings: ConsoleSettings, unwrap: (Term) -> Term?
    ) async -> CommandOutput {
        do throws(DistributionError) {
            let response = try await caller.call(node: n, module: m, function: f, arguments: a, options: options)
            return outcome(response, node: n, settings: settings, unwrap: unwrap)
        } catch {
            if Task.isCancelled { return .cancelled(n) }
            return CallCommand.failed(error, node: n)
        }
    }

    /// Reads a call's response as an evaluator reply and renders it. A response that is not a reply (the bootstrap
    /// itself failed) is shown as a call's outcome.
    static func outcome(
        _ response: CallResponse, node n: String, settings: ConsoleSettings, unwrap: (Term) -> Term?
    ) -> CommandOutput {
        guard case .value(let v) = response.result, let inner = unwrap(v), let reply = Evaluation.Reply(inner) else {
            return CallCommand.outcome(
                response, node: n, what: "eval", settings: settings, exceptionText: exceptionText(response, settings))
        }
        return render(reply, node: n, output: response.output)
    }

    /// One reply's `--json` fields.
    static func fields(_ reply: Evaluation.Reply, node n: String, output: String) -> [String: JSONValue] {
        var fields: [String: JSONValue] = ["node": .string(n), "output": .string(output)]
        switch reply {
        case .value(let text, let truncated, let counter, let raw):
            fields["status"] = .string("ok")
            fields["result"] = .string(text)
            fields["counter"] = .integer(counter)
            fields["truncated"] = .bool(truncated)
            switch raw {
            case .value(let t): fields["value"] = (try? TermJSON.encode(t)).map(JSONValue.raw) ?? .null
            case .tooLarge: fields["value_omitted"] = .string("too large to bring over the wire")
            case .none: break
            }
        case .incomplete:
            fields["status"] = .string("incomplete")
        case .error(let text, let kind):
            fields["status"] = .string("exception")
            fields["class"] = .string(kind)
            fields["message"] = .string(text)
        case .refused(let why):
            fields["status"] = .string("refused")
            fields["error"] = .object(["code": .string("read_only"), "message": .string(refusal(why))])
        }
        return fields
    }

    /// One reply as console output: text for people, JSON for scripts.
    static func render(_ reply: Evaluation.Reply, node n: String, output: String) -> CommandOutput {
        let json = jsonObject(fields(reply, node: n, output: output))
        switch reply {
        case .value(let text, let truncated, _, _):
            var shown = text
            if truncated { shown += "\n… (truncated on the node: the result is larger than the console shows)" }
            return CommandOutput(text: shown, json: json)
        case .incomplete:
            var out = CommandOutput(
                errorText: "incomplete expression (an open do/fn, bracket or string; Erlang needs a final .)",
                json: json, status: CommandOutput.Status.badInput)
            out.needsMoreInput = true
            return out
        case .error(let text, _):
            return CommandOutput(errorText: text, json: json, status: CommandOutput.Status.remoteFailure)
        case .refused(let why):
            return CommandOutput(errorText: refusal(why), json: json, status: CommandOutput.Status.refused)
        }
    }

    static func refusal(_ why: String) -> String {
        "refused under --read-only: \(why) (help read-only lists what may run)"
    }

    private static func exceptionText(_ response: CallResponse, _ settings: ConsoleSettings) -> String {
        guard case .exception(let cls, let reason, _) = response.result else { return "" }
        return "** (\(cls.rawValue)) \(settings.render(reason, pretty: false))"
    }
}

/// A ``CommandOutput`` carried as a `Result` failure.
struct CommandOutputFailure: Error {
    var output: CommandOutput
    init(_ output: CommandOutput) { self.output = output }
}
