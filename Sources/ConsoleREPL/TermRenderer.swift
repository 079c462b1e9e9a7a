import ErlangTerm
import TermSyntax

/// Renders terms for people, with the term layer's printers.
public enum TermRenderer {
    /// Elixir: `inspect(term, pretty: true, width: width)` (with `limit`/`printable_limit` as given, nil for
    /// `:infinity`). Erlang: `io_lib:format("~p", [Term])` at `width` columns. Both as the releases of `profile`
    /// print them.
    public static func render(
        _ term: Term, syntax: SourceSyntax, width: Int = 80, limit: Int? = 50, printableLimit: Int? = 4096,
        colors: [ElixirSyntaxColor: String]? = nil, profile: PrinterProfile = .elixir114otp25
    ) -> String {
        switch syntax {
        case .elixir:
            var options = ElixirInspectOptions(
                pretty: true, width: width, limit: limit, printableLimit: printableLimit, syntaxColors: colors)
            options.localNode = nil
            options.profile = profile
            return ElixirInspect.inspect(term, options: options)
        case .erlang:
            var options = ErlangFormatOptions()
            options.lineLength = width
            options.profile = profile
            return ErlangFormat.pretty(term, options: options)
        }
    }
}
