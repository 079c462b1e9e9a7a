import ErlangDistribution
import ErlangTerm
import TermSyntax

/// Exceptions, the way IEx shows them: `** (RuntimeError) boom` plus the stacktrace, formatted by the node itself
/// when it has Elixir (`Exception.format/3`, exactly what IEx prints), else by OTP's `erl_error:format_exception/3`,
/// else locally.
enum ExceptionFormatter {
    /// The exception's text, asking `node` to format it through `caller`.
    static func format(
        _ cls: ExceptionClass, reason: Term, stacktrace: Term, on node: String, caller: any RemoteCaller,
        settings: ConsoleSettings
    ) async -> String {
        for (m, f) in formatters(syntax: settings.syntax) {
            if let r = try? await caller.call(
                node: node, module: m, function: f, arguments: [.atom(Atom(cls.rawValue)), reason, stacktrace],
                options: options),
                let text = formatted(r, by: m)
            {
                return text
            }
        }
        // Nothing on the node formatted it: the reason as the node's releases print it.
        return unformatted(cls, reason: reason, settings: await settings.forTarget(node, caller: caller))
    }

    /// The functions that format an exception on the node, in the order to try them (`Mod:fun(Class, Reason,
    /// Stacktrace)`).
    static func formatters(syntax: SourceSyntax) -> [(Atom, Atom)] {
        syntax == .elixir
            ? [("Elixir.Exception", "format"), ("erl_error", "format_exception")]
            : [("erl_error", "format_exception"), ("Elixir.Exception", "format")]
    }

    /// How the formatting calls are made.
    static let options = CallOptions(method: .rex, timeout: .seconds(5), captureOutput: false)

    /// The text of a formatting call's answer, or nil to try the next formatter.
    static func formatted(_ response: CallResponse, by m: Atom) -> String? {
        guard case .value(let v) = response.result, var t = flattenChardata(v) else { return nil }
        while t.hasSuffix("\n") { t.removeLast() }
        if m.name == "erl_error" { t = "** " + t.replacingEvery("\n", with: "\n   ") }
        return t
    }

    /// The exception when no formatter on the node answered, rendered with `settings`' profile (``format`` gives it the
    /// node's).
    static func unformatted(_ cls: ExceptionClass, reason: Term, settings: ConsoleSettings) -> String {
        "** (\(cls.rawValue)) \(settings.render(reason, pretty: false))"
    }
}
