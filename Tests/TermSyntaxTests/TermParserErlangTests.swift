import ErlangTerm
import TermSyntax
import XCTest

final class TermParserErlangTests: XCTestCase {
    func testAtoms() {
        XCTAssertEqual(erl("ok"), "ok")
        XCTAssertEqual(erl("a@b"), "a@b")
        XCTAssertEqual(erl("a_B9"), "a_B9")
        XCTAssertEqual(erl("'Quoted'"), "Quoted")
        XCTAssertEqual(erl(#"'a\'b'"#), .atom("a'b"))
        XCTAssertEqual(erl(#"'\n\x{1F600}'"#), .atom("\n😀"))
        XCTAssertEqual(erl("''"), .atom(""))
        XCTAssertEqual(erl("'and'"), "and")
        XCTAssertEqual(erl("'Elixir.Foo'"), "Elixir.Foo")
        XCTAssertEqual(erl("true"), "true")
        XCTAssertEqual(erl("maybe"), "maybe")
        XCTAssertEqual(erl("été"), "été")
    }

    func testStringsAndChars() {
        XCTAssertEqual(erl(#""abc""#), .charlist("abc"))
        XCTAssertEqual(erl(#""""#), .list([]))
        XCTAssertEqual(erl(#""a" "b""#), .charlist("ab"))
        XCTAssertEqual(erl("\"a\"\n  \"b\""), .charlist("ab"))
        XCTAssertEqual(erl(#""\z\d\e\s\t\n\"\\""#), .charlist("z\u{7F}\u{1B} \t\n\"\\"))
        XCTAssertEqual(erl(#""\101\x41\x{41}\^a\8""#), .charlist("AAA\u{1}8"))
        XCTAssertEqual(erl("\"é😀\""), .list([.integer(233), .integer(0x1F600)]))
        XCTAssertEqual(erl("$a"), .integer(97))
        XCTAssertEqual(erl("$\\n"), .integer(10))
        XCTAssertEqual(erl("$\\s"), .integer(32))
        XCTAssertEqual(erl("$\\^a"), .integer(1))
        XCTAssertEqual(erl("$\\101"), .integer(65))
        XCTAssertEqual(erl("$\\x{1F600}"), .integer(0x1F600))
        XCTAssertEqual(erl("$ "), .integer(32))
        XCTAssertEqual(erl("-$a"), .integer(-97))
    }

    func testNumbers() {
        XCTAssertEqual(erl("42"), .integer(42))
        XCTAssertEqual(erl("-42"), .integer(-42))
        XCTAssertEqual(erl("- 42"), .integer(-42))
        XCTAssertEqual(erl("+42"), .integer(42))
        XCTAssertEqual(erl("16#FF"), .integer(255))
        XCTAssertEqual(erl("16#ff_ff"), .integer(65535))
        XCTAssertEqual(erl("2#101"), .integer(5))
        XCTAssertEqual(erl("36#zz"), .integer(1295))
        XCTAssertEqual(erl("-16#10"), .integer(-16))
        XCTAssertEqual(erl("1_000"), .integer(1000))
        XCTAssertEqual(
            erl("123456789012345678901234567890"), .int(BigInt("123456789012345678901234567890", radix: 10)!))
        XCTAssertEqual(erl("1.0e10"), .float(1e10))
        XCTAssertEqual(erl("1.5e-3"), .float(0.0015))
        XCTAssertEqual(erl("0.5E1"), .float(5))
        XCTAssertEqual(erl("1_0.0_1"), .float(10.01))
        XCTAssertEqual(erl("-0.0"), .float(-0.0))
    }

    func testContainers() {
        XCTAssertEqual(erl("[]"), .list([]))
        XCTAssertEqual(erl("[1, 2, 3]"), [1, 2, 3])
        XCTAssertEqual(erl("[1|2]"), .improperList([1], tail: 2))
        XCTAssertEqual(erl("[1,2|[3]]"), [1, 2, 3])
        XCTAssertEqual(erl("[a|[]]"), ["a"])
        XCTAssertEqual(erl("{}"), .tuple([]))
        XCTAssertEqual(erl("{ok, 1}"), .tuple(["ok", 1]))
        XCTAssertEqual(erl("#{}"), .map(TermMap()))
        XCTAssertEqual(erl("#{a => 1, <<\"b\">> => [2]}"), .map(TermMap([("a", 1), (.string("b"), [2])])))
        XCTAssertEqual(erl("#{a => 1, a => 2}"), ["a": 2])
        XCTAssertEqual(erl("#{#{} => {}}"), .map(TermMap([(.map(TermMap()), .tuple([]))])))
    }

    func testBinaries() {
        XCTAssertEqual(erl("<<>>"), .binary([]))
        XCTAssertEqual(erl("<< >>"), .binary([]))
        XCTAssertEqual(erl(#"<<"bin">>"#), .string("bin"))
        XCTAssertEqual(erl("<<1,2>>"), .binary([1, 2]))
        XCTAssertEqual(erl(#"<<"é">>"#), .binary([233]))
        XCTAssertEqual(erl(#"<<"é"/utf8>>"#), .string("é"))
        XCTAssertEqual(erl(#"<<"ab"/utf16>>"#), .binary([0, 97, 0, 98]))
        XCTAssertEqual(erl("<<1:3>>"), .bitstring([0x20], bitsInLastByte: 3))
        XCTAssertEqual(erl("<<1:2, 3:6>>"), .binary([67]))
        XCTAssertEqual(erl("<<1:16/little>>"), .binary([1, 0]))
        XCTAssertEqual(erl("<<1.5/float>>"), .binary([63, 248, 0, 0, 0, 0, 0, 0]))
        XCTAssertEqual(erl("<<1.5:32/float>>"), .binary([63, 192, 0, 0]))
        XCTAssertEqual(erl("<<-1>>"), .binary([255]))
        XCTAssertEqual(erl("<<300:2/unit:8>>"), .binary([1, 44]))
        XCTAssertEqual(erl("<<1/signed-integer>>"), .binary([1]))
        XCTAssertEqual(erl(#"<<$a, "b">>"#), .string("ab"))
        XCTAssertEqual(erl(#"<<"a":8>>"#), .string("a"))
        XCTAssertEqual(erl("<<(1)>>"), .binary([1]))
        XCTAssertEqual(erl("<<1/utf8>>"), .binary([1]))
        XCTAssertEqual(erl("<<<<1,2>>/binary, 3>>"), .binary([1, 2, 3]))
    }

    func testFunsDotsAndComments() {
        XCTAssertEqual(erl("fun lists:seq/2"), .exportFun(ExportFun(module: "lists", function: "seq", arity: 2)))
        XCTAssertEqual(erl("{a,b}."), .tuple(["a", "b"]))
        XCTAssertEqual(erl("a. "), "a")
        XCTAssertEqual(erl("1."), 1)
        XCTAssertEqual(erl("<<1,2>>.\n"), .binary([1, 2]))
        XCTAssertEqual(erl("% comment\n[1, % one\n 2]. % done"), [1, 2])
    }

    func testSameTermInBothSyntaxes() {
        let pairs: [(String, String)] = [
            (#"{:ok, %{"a" => [1, 2]}}"#, #"{ok, #{<<"a">> => [1, 2]}}."#),
            ("[a: 1, b: 'x']", "[{a, 1}, {b, \"x\"}]"),
            ("MyApp.Stats", "'Elixir.MyApp.Stats'"),
            ("<<1::3, 255>>", "<<1:3, 255>>"),
            ("[1 | :b]", "[1 | b]"),
            ("&Enum.count/1", "fun 'Elixir.Enum':count/1"),
            ("-0x1F", "-16#1F"),
        ]
        for (e, r) in pairs {
            XCTAssertEqual(ex(e), erl(r), "\(e) vs \(r)")
        }
    }

    func testDepthLimit() {
        let ok = String(repeating: "{", count: 1000) + String(repeating: "}", count: 1000)
        XCTAssertNotNil(erl(ok))
        let deep = String(repeating: "[", count: 20_000) + String(repeating: "]", count: 20_000)
        assertError(deep, .erlang, .tooDeep, line: 1, column: 1001)
        let maps = String(repeating: "#{a => ", count: 2000) + "1" + String(repeating: "}", count: 2000)
        assertError(maps, .erlang, .tooDeep, line: 1, column: 7001)
        let bins = String(repeating: "<<", count: 100) + String(repeating: ">>", count: 100)
        assertError(bins, .erlang, .tooDeep, line: 1, column: 65)
        let parens = "<<" + String(repeating: "(", count: 100_000) + "1" + String(repeating: ")", count: 100_000) + ">>"
        XCTAssertEqual(erl(parens), .binary([1]))
    }
}
