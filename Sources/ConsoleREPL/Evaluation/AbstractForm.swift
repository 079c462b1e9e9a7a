import ErlangTerm

/// Erlang abstract format for the small expressions the console evaluates with `erl_eval:exprs/2` (line 1 throughout).
enum AbstractForm {
    static func atom(_ a: Atom) -> Term { .tuple([.atom("atom"), .integer(1), .atom(a)]) }
    static func int(_ i: Int) -> Term { .tuple([.atom("integer"), .integer(1), .integer(i)]) }
    static func string(_ s: String) -> Term { .tuple([.atom("string"), .integer(1), .charlist(s)]) }
    static func tuple(_ elements: [Term]) -> Term { .tuple([.atom("tuple"), .integer(1), .list(elements)]) }
    static func call(_ m: Atom, _ f: Atom, _ args: [Term]) -> Term {
        .tuple([.atom("call"), .integer(1), .tuple([.atom("remote"), .integer(1), atom(m), atom(f)]), .list(args)])
    }
}
