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
        var exceptionText = ""
        if case .exception(let cls, let reason, let stack) = response.result {
            exceptionText = await ExceptionFormatter.format(
                cls, reason: reason, stacktrace: stack, on: n, caller: caller, settings: settings)
        }
        if case .timeout = response.result, Task.isCancelled { return .cancelled(n) }
        return outcome(response, node: n, what: what, settings: settings, unwrap: unwrap, exceptionText: exceptionText)
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
        unwrap: ((Term) -> Term)? = nil, exceptionText: String
    ) -> CommandOutput {
        var fields: [String: JSONValue] = ["node": .string(n), "output": .string(response.output)]
        switch response.result {
        case .value(let raw):
            let v = unwrap?(raw) ?? raw
            let rendered = settings.render(v)
            fields["status"] = .string("ok")
            fields["result"] = .string(settings.render(v, pretty: false))
            fields["value"] = (try? TermJSON.encode(v)).map(JSONValue.raw) ?? .null
            return CommandOutput(text: rendered, json: jsonObject(fields))
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
