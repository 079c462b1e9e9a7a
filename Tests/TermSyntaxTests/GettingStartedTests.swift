import ErlangTerm
import TermSyntax
import XCTest

/// The code of the ErlangTerm and TermSyntax getting-started articles (`*.docc/GettingStarted.md`), run as written:
/// when one of these fails, fix the article too.
final class GettingStartedTests: XCTestCase {
    func testErlangTermArticle() throws {
        let term: Term = .tuple(["ok", ["count": 3, "names": .list([.string("a"), .string("b")])]])
        let bytes = try term.etf()
        XCTAssertEqual(Array(bytes.prefix(7)), [131, 104, 2, 119, 2, 111, 107])
        let back = try Term(etf: bytes)
        XCTAssertEqual(back, term)

        var limits = ETFLimits()
        limits.maxDepth = 100
        limits.maxBinaryBytes = 1 << 20
        XCTAssertEqual(try ETFDecoder(limits: limits).decode(bytes), term)
        XCTAssertThrowsError(try ETFDecoder(limits: limits).decode(Array(bytes.dropLast()))) { error in
            XCTAssertNotNil((error as? ETFError)?.code)
        }
    }

    func testTermSyntaxArticle() throws {
        let fromElixir = try TermParser.parse(#"%{user_id: 42, roles: [:admin], name: "Ada"}"#, syntax: .elixir)
        let fromErlang = try TermParser.parse(#"#{user_id => 42, roles => [admin], name => <<"Ada">>}"#, syntax: .erlang)
        XCTAssertEqual(fromElixir, fromErlang)
        XCTAssertThrowsError(try TermParser.parse("{ok, [1, 2", syntax: .erlang))
        XCTAssertEqual(ElixirInspect.inspect(fromErlang), #"%{name: "Ada", roles: [:admin], user_id: 42}"#)
        XCTAssertEqual(ErlangFormat.pretty(fromElixir), #"#{name => <<"Ada">>,roles => [admin],user_id => 42}"#)
        XCTAssertEqual(ErlangFormat.write(fromElixir), "#{name => <<65,100,97>>,roles => [admin],user_id => 42}")
    }
}
