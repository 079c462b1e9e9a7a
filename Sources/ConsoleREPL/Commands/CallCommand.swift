import ErlangDistribution
import ErlangTerm
import TermSyntax

/// `call [NODE] EXPR`: `Mod.fun(literal args)` on the node, the result rendered as IEx (or the Erlang shell) would.
/// The same code runs over ``LocalNode`` (the REPL and the full one-shot path) and over ``BlockingCaller`` (the
/// one-shot fast path; see ``ExecutionRoute``).
enum CallCommand {
    static func run(
        node: String?, expression: String, caller: any RemoteCaller, settings: ConsoleSettings,
        onOutput: (@Sendable (String) -> Void)?
    ) async -> CommandOutput {
        guard let node else { return .noTarget() }
        let call: CallExpression
        do {
            call = try parse(expression, syntax: settings.syntax)
        } catch {
            return .badInput("\(error)")
        }
        return await perform(
            node: node, module: call.module, function: call.function, arguments: call.arguments,
            what: call.description, caller: caller, settings: settings, onOutput: onOutput)
    }

    /// Parses `Mod.fun(args)` in `syntax`, accepting the other syntax's form when it is unambiguous.
    static func parse(_ expression: String, syntax: SourceSyntax) throws(TermSyntaxError) -> CallExpression {
        do {
            return try CallExpression.parse(expression, syntax: syntax)
        } catch {
            // `mod:fun(...)` typed under Elixir syntax (or the reverse) is unambiguous enough to accept.
            let other: SourceSyntax = syntax == .elixir ? .erlang : .elixir
            if let call = try? CallExpression.parse(expression, syntax: other) { return call }
            throw error
        }
    }

    /// Makes a call and renders its outcome (`what` names it in messages; `unwrap` picks the value out of the
    /// result, as `eval` needs).
    static func perform(
        node n: String, module: Atom, function: Atom, arguments: [Term], what: String, caller: any RemoteCaller,
        settings: ConsoleSettings, onOutput: (@Sendable (String) -> Void)?, unwrap: ((Term) -> Term)? = nil
    ) async -> CommandOutput {
        let response: CallResponse
        do throws(DistributionError) {
            response = try await caller.call(
                node: n, module: module, function: function, arguments: arguments,
                options: CallOptions(timeout: settings.timeout, onOutput: onOutput))
        } catch {
            if Task.isCancelled { return .cancelled(n) }
            return failed(error, node: n)
        }
        var settings = settings
        switch response.result {
        case .value(let v) where v.dependsOnPrinterProfile: settings = await settings.forTarget(n, caller: caller)
        case .exception: settings = await settings.forTarget(n, caller: caller)
        default: break
        }
        var exceptionText = ""
        if case .exception(let cls, let reason, let stack) = response.result {
            exceptionText = await ExceptionFormatter.format(
                cls, reason: reason, stacktrace: stack, on: n, caller: caller, settings: settings)
        }
        if case .timeout = response.result, Task.isCancelled { return .cancelled(n) }
        var shown: String?
        if case .value(let raw) = response.result, settings.syntax == .elixir {
            let v = unwrap?(raw) ?? raw
            if v.needsNodeRendering { shown = await inspectOnNode(v, node: n, caller: caller, settings: settings) }
        }
        return outcome(
            response, node: n, what: what, settings: settings, unwrap: unwrap, exceptionText: exceptionText,
            rendered: shown)
    }

    /// `v` rendered by the node's own `Inspect` protocol (a struct's custom `inspect`, `~D[…]`, `#Money<…>`), as
    /// IEx on that node would print it; nil when the node cannot (no Elixir, or the call failed: the local printer
    /// then stands in).
    static func inspectOnNode(_ v: Term, node n: String, caller: any RemoteCaller, settings: ConsoleSettings) async
        -> String?
    {
        let request = Evaluation.Request(code: "", settings: settings)
        var options: [Term] = [
            .tuple([.atom("pretty"), .atom(.true)]), .tuple([.atom("width"), .integer(request.width)]),
        ]
        if request.color {
            // IEx's defaults: IO.ANSI.syntax_colors/0 (Elixir 1.14), reset to the result's yellow.
            let colors: [(String, Term)] = [
                ("reset", .list([.atom("reset"), .atom("yellow")])), ("atom", .atom("cyan")),
                ("binary", .atom("default_color")), ("boolean", .atom("magenta")), ("charlist", .atom("yellow")),
                ("list", .atom("default_color")), ("map", .atom("default_color")), ("nil", .atom("magenta")),
                ("number", .atom("yellow")), ("string", .atom("green")), ("tuple", .atom("default_color")),
            ]
            options.append(
                .tuple([.atom("syntax_colors"), .list(colors.map { .tuple([.atom(Atom($0.0)), $0.1]) })]))
        }
        let args: [Term] = [v, .list(options)]
        guard
            let r = try? await caller.call(
                node: n, module: "Elixir.Kernel", function: "inspect", arguments: args,
                options: CallOptions(timeout: settings.timeout, captureOutput: false)),
            case .value(let text) = r.result, let s = text.stringValue
        else { return nil }
        return request.color ? "\u{1B}[33m" + s + "\u{1B}[0m" : s
    }

    /// A call that could not be made (no connection).
    static func failed(_ error: DistributionError, node n: String) -> CommandOutput {
        CommandOutput(
            errorText: "\(error)",
            json: jsonObject(["node": .string(n), "status": .string("error"), "error": errorJSON(error)]),
            status: CommandOutput.Status.connectionFailure)
    }

    /// Renders a call's outcome; `exceptionText` is the exception as ``ExceptionFormatter`` formatted it (used only
    /// for ``CallResult/exception(_:reason:stacktrace:)``).
    static func outcome(
        _ response: CallResponse, node n: String, what: String, settings: ConsoleSettings,
        unwrap: ((Term) -> Term)? = nil, exceptionText: String, rendered: String? = nil
    ) -> CommandOutput {
        var fields: [String: JSONValue] = ["node": .string(n), "output": .string(response.output)]
        switch response.result {
        case .value(let raw):
            let v = unwrap?(raw) ?? raw
            let shown = rendered ?? settings.render(v)
            fields["status"] = .string("ok")
            fields["result"] = .string(rendered ?? settings.render(v, pretty: false))
            fields["value"] = (try? TermJSON.encode(v)).map(JSONValue.raw) ?? .null
            return CommandOutput(text: shown, json: jsonObject(fields))
        case .exception(let cls, let reason, _):
            fields["status"] = .string("exception")
            fields["class"] = .string(cls.rawValue)
            fields["reason"] = .string(settings.render(reason, pretty: false))
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
}
