// libFuzzer target: the Elixir and Erlang literal parsers and call-expression parsers on arbitrary text (invalid
// UTF-8 is replaced, as String(decoding:) does for text read from a terminal). The first byte picks the syntax and
// the parser. Any input must give a term/call or a TermSyntaxError. Built only by scripts/fuzz.sh (BEAMCONSOLE_FUZZ=1).
import ErlangTerm
import TermSyntax

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    guard count >= 1 else { return 0 }
    let input = UnsafeRawBufferPointer(start: start, count: count)
    let selector = input[0]
    let text = String(decoding: input.dropFirst(), as: UTF8.self)
    let syntax: SourceSyntax = selector & 1 == 0 ? .elixir : .erlang
    switch (selector >> 1) % 3 {
    case 0:
        if let term = try? TermParser.parse(text, syntax: syntax) {
            // What parses must encode: the parser only builds terms the VM can hold.
            _ = try? ETFEncoder().encode(term)
        }
        _ = TermParser.isIncomplete(text, syntax: syntax)
    case 1:
        if let call = try? CallExpression.parse(text, syntax: syntax) {
            _ = call.description
            precondition(call.arity == call.arguments.count)
        }
        _ = CallExpression.isIncomplete(text, syntax: syntax)
    default:
        _ = try? TermParser(syntax: syntax, maxDepth: 8).parse(text)
    }
    return 0
}
