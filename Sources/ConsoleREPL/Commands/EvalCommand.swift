import ErlangDistribution
import ErlangTerm
import Foundation
import TermSyntax

/// `eval [NODE] CODE`: Elixir through `Code.eval_string/3`; Erlang through `erl_scan`, `erl_parse` and `erl_eval`
/// on the node. Output is captured and errors are shown as IEx would.
enum EvalCommand {
    static func run(
        node n: String?, code: String, caller: any RemoteCaller, settings: ConsoleSettings,
        onOutput: (@Sendable (String) -> Void)?
    ) async -> CommandOutput {
        guard let n else { return .noTarget() }
        switch settings.syntax {
        case .elixir:
            // Code.eval_string(code, [], file: "beamconsole") → {value, binding}
            let opts: Term = .list([.tuple([.atom("file"), .string("beamconsole")])])
            return await CallCommand.perform(
                node: n, module: "Elixir.Code", function: "eval_string", arguments: [.string(code), .list([]), opts],
                what: "eval", caller: caller, settings: settings, onOutput: onOutput,
                unwrap: { t in t.tupleElements.flatMap { $0.count == 2 ? $0[0] : nil } ?? t })
        case .erlang:
            return await erlang(node: n, code: code, caller: caller, settings: settings, onOutput: onOutput)
        }
    }

    /// `erl_scan:string/1` → `erl_parse:parse_exprs/1` → `erl_eval:exprs/2`, each on the node.
    static func erlang(
        node n: String, code: String, caller: any RemoteCaller, settings: ConsoleSettings,
        onOutput: (@Sendable (String) -> Void)?
    ) async -> CommandOutput {
        var source = code.trimmingWhitespace()
        if !source.hasSuffix(".") { source += "." }
        let options = CallOptions(method: .rex, timeout: settings.timeout, captureOutput: false)
        func step(_ m: Atom, _ f: Atom, _ args: [Term]) async throws(DistributionError) -> Term? {
            let r = try await caller.call(node: n, module: m, function: f, arguments: args, options: options)
            if case .value(let v) = r.result { return v }
            return nil
        }
        do throws(DistributionError) {
            guard let scanned = try await step("erl_scan", "string", [.charlist(source)]) else {
                return .badInput("cannot scan the expression")
            }
            guard let tokens = scanned.tagged("ok")?.first else {
                let detail = scanned.tagged("error")?.first.map { settings.render($0, pretty: false) }
                    ?? settings.render(scanned)
                return .badInput("syntax error: \(detail)")
            }
            guard let parsed = try await step("erl_parse", "parse_exprs", [tokens]) else {
                return .badInput("cannot parse the expression")
            }
            guard let exprs = parsed.tagged("ok")?.first else {
                let why = try await describeParseError(parsed, on: n, caller: caller, settings: settings)
                return .badInput(why)
            }
            return await CallCommand.perform(
                node: n, module: "erl_eval", function: "exprs", arguments: [exprs, .list([])], what: "eval",
                caller: caller, settings: settings, onOutput: onOutput,
                unwrap: { t in t.tagged("value")?.first ?? t })
        } catch {
            return .unreachable(error, node: n)
        }
    }

    /// `{error, {Location, Module, Descriptor}}` → "line L: message" via `Module:format_error/1` on the node.
    private static func describeParseError(
        _ parsed: Term, on n: String, caller: any RemoteCaller, settings: ConsoleSettings
    ) async throws(DistributionError) -> String {
        guard let info = parsed.tagged("error")?.first, case .tuple(let t) = info, t.count == 3,
            case .atom(let module) = t[1]
        else { return "syntax error: \(settings.render(parsed, pretty: false))" }
        let r = try await caller.call(
            node: n, module: module, function: "format_error", arguments: [t[2]],
            options: CallOptions(method: .rex, timeout: settings.timeout, captureOutput: false))
        var message = settings.render(t[2], pretty: false)
        if case .value(let v) = r.result, let s = flattenChardata(v) { message = s }
        let location: String
        switch t[0] {
        case .integer(let line): location = "line \(line)"
        case .tuple(let lc) where lc.count == 2:
            location = "line \(settings.render(lc[0])), column \(settings.render(lc[1]))"
        default: location = "at \(settings.render(t[0], pretty: false))"
        }
        return "syntax error at \(location): \(message)"
    }
}
