import ErlangTerm
import ErlangTestSupport
import Foundation
import TermSyntax
import XCTest

/// Parses Elixir or fails the test.
func ex(_ text: String, file: StaticString = #filePath, line: UInt = #line) -> Term? {
    do {
        return try TermParser.parse(text, syntax: .elixir)
    } catch {
        XCTFail("\(text): \(error)", file: file, line: line)
        return nil
    }
}

/// Parses Erlang or fails the test.
func erl(_ text: String, file: StaticString = #filePath, line: UInt = #line) -> Term? {
    do {
        return try TermParser.parse(text, syntax: .erlang)
    } catch {
        XCTFail("\(text): \(error)", file: file, line: line)
        return nil
    }
}

/// The error for `text`, or a test failure if it parses.
func failure(_ text: String, _ syntax: SourceSyntax, file: StaticString = #filePath, line: UInt = #line)
    -> TermSyntaxError?
{
    do {
        let t = try TermParser.parse(text, syntax: syntax)
        XCTFail("\(text) parsed as \(t)", file: file, line: line)
        return nil
    } catch {
        return error
    }
}

/// Asserts the error code and 1-based position for `text`.
func assertError(
    _ text: String, _ syntax: SourceSyntax, _ code: TermSyntaxError.Code, line l: Int, column c: Int,
    file: StaticString = #filePath, line: UInt = #line
) {
    guard let e = failure(text, syntax, file: file, line: line) else { return }
    XCTAssertEqual(e.code, code, "\(text): \(e)", file: file, line: line)
    XCTAssertEqual(e.line, l, "line of \(text): \(e)", file: file, line: line)
    XCTAssertEqual(e.column, c, "column of \(text): \(e)", file: file, line: line)
}

final class TermParserElixirTests: XCTestCase {
    func testAtoms() {
        XCTAssertEqual(ex(":ok"), .atom("ok"))
        XCTAssertEqual(ex(":\"quoted atom\""), .atom("quoted atom"))
        XCTAssertEqual(ex(#":"with \"escapes\"""#), .atom(#"with "escapes""#))
        XCTAssertEqual(ex(":'single'"), .atom("single"))
        XCTAssertEqual(ex(":foo?"), .atom("foo?"))
        XCTAssertEqual(ex(":foo!"), .atom("foo!"))
        XCTAssertEqual(ex(":foo@bar"), .atom("foo@bar"))
        XCTAssertEqual(ex(":Foo"), .atom("Foo"))
        XCTAssertEqual(ex(":héllo"), .atom("héllo"))
        XCTAssertEqual(ex(":\"\""), .atom(""))
        for op in [
            "+", "-", "&&", "::", "..", "...", "..//", "<<>>", "%{}", "{}", "%", "|>", "<~>", "\\\\", "===",
            "!", "^", "=", "|", "@", "&", ".", "**", "<>", "=~", "->", "<-", "<|>", "^^^", "~~~",
        ] {
            XCTAssertEqual(ex(":" + op), .atom(Atom(op)), op)
        }
        XCTAssertEqual(ex(":\"::\""), .atom("::"))
        XCTAssertEqual(ex("[:+, :-]"), [.atom("+"), .atom("-")])
        XCTAssertEqual(ex("true"), .atom("true"))
        XCTAssertEqual(ex("false"), .atom("false"))
        XCTAssertEqual(ex("nil"), .atom("nil"))
        XCTAssertEqual(ex(":true"), .atom("true"))
    }

    func testAliases() {
        XCTAssertEqual(ex("MyApp.Stats"), .atom("Elixir.MyApp.Stats"))
        XCTAssertEqual(ex("Node"), .atom("Elixir.Node"))
        XCTAssertEqual(ex("Elixir.Foo"), .atom("Elixir.Foo"))
        XCTAssertEqual(ex("Elixir"), .atom("Elixir"))
        XCTAssertEqual(ex("Foo.Elixir"), .atom("Elixir.Foo.Elixir"))
        XCTAssertEqual(ex("[Foo_Bar1]"), [.atom("Elixir.Foo_Bar1")])
    }

    func testStrings() {
        XCTAssertEqual(ex(#""abc""#), .string("abc"))
        XCTAssertEqual(ex(#""""#), .string(""))
        XCTAssertEqual(ex(#""a\nb\t\\\"\e""#), .string("a\nb\t\\\"\u{1B}"))
        XCTAssertEqual(ex(#""\u{1F600}\x41\u00e9""#), .string("😀Aé"))
        XCTAssertEqual(ex(#""\xFF""#), .binary([0xFF]))
        XCTAssertEqual(ex(#""\x{E9}""#), .string("é"))
        XCTAssertEqual(ex(#""\a\b\d\f\v\s\0\r""#), .binary([7, 8, 127, 12, 11, 32, 0, 13]))
        XCTAssertEqual(ex(##""\z\#{x}""##), .string("z#{x}"))
        XCTAssertEqual(ex("\"a\\\nb\""), .string("ab"))
        XCTAssertEqual(ex("\"multi\nline\""), .string("multi\nline"))
        XCTAssertEqual(ex(##""#""##), .string("#"))
        XCTAssertEqual(ex("\"héllo 😀\""), .string("héllo 😀"))
        XCTAssertEqual(ex("\"\"\"\n  ab\n    c\n  \"\"\""), .string("ab\n  c\n"))
        XCTAssertEqual(ex("\"\"\"\nx\\ty\n\"\"\""), .string("x\ty\n"))
    }

    func testCharlistsAndSigils() {
        XCTAssertEqual(ex("'abc'"), .charlist("abc"))
        XCTAssertEqual(ex("''"), .list([]))
        XCTAssertEqual(ex(#"'a\'b\n'"#), .charlist("a'b\n"))
        XCTAssertEqual(ex("'é😀'"), .list([.integer(233), .integer(0x1F600)]))
        XCTAssertEqual(ex(#"~c"abc""#), .charlist("abc"))
        XCTAssertEqual(ex("~c(a\\)b)"), .charlist("a)b"))
        XCTAssertEqual(ex("~c[x]"), .charlist("x"))
        XCTAssertEqual(ex("~c{x}"), .charlist("x"))
        XCTAssertEqual(ex("~c<x>"), .charlist("x"))
        XCTAssertEqual(ex("~c|x|"), .charlist("x"))
        XCTAssertEqual(ex("~c/x/"), .charlist("x"))
        XCTAssertEqual(ex("~c'x'"), .charlist("x"))
        XCTAssertEqual(ex("~s(a\\nb)"), .string("a\nb"))
        XCTAssertEqual(ex("~S(a\\nb)"), .string("a\\nb"))
        XCTAssertEqual(ex("~S(f\\)o)"), .string("f)o"))
        XCTAssertEqual(ex("~C(a\\n)"), .charlist("a\\n"))
        XCTAssertEqual(ex("~w(a  b\n c)"), [.string("a"), .string("b"), .string("c")])
        XCTAssertEqual(ex("~w(a b)a"), [.atom("a"), .atom("b")])
        XCTAssertEqual(ex("~w(a b)c"), [.charlist("a"), .charlist("b")])
        XCTAssertEqual(ex("~w(a b)s"), [.string("a"), .string("b")])
        XCTAssertEqual(ex("~W(a\\nb)"), [.string("a\\nb")])
        XCTAssertEqual(ex("~s\"\"\"\nab\n\"\"\""), .string("ab\n"))
        XCTAssertEqual(ex("~S\"\"\"\n  a\\n\n  \"\"\""), .string("a\\n\n"))
        XCTAssertEqual(ex("\'\'\'\n  ab\n  \'\'\'"), .charlist("ab\n"))
        XCTAssertEqual(ex("~c\'\'\'\nab\n\'\'\'"), .charlist("ab\n"))
    }

    func testIntegers() {
        XCTAssertEqual(ex("0"), .integer(0))
        XCTAssertEqual(ex("42"), .integer(42))
        XCTAssertEqual(ex("1_000"), .integer(1000))
        XCTAssertEqual(ex("0x1F"), .integer(31))
        XCTAssertEqual(ex("0x1_F"), .integer(31))
        XCTAssertEqual(ex("0b101"), .integer(5))
        XCTAssertEqual(ex("0o17"), .integer(15))
        XCTAssertEqual(ex("00012"), .integer(12))
        XCTAssertEqual(ex("?a"), .integer(97))
        XCTAssertEqual(ex("?é"), .integer(233))
        XCTAssertEqual(ex("?\\n"), .integer(10))
        XCTAssertEqual(ex("?\\s"), .integer(32))
        XCTAssertEqual(ex("?\\\\"), .integer(92))
        XCTAssertEqual(ex("? "), .integer(32))
        XCTAssertEqual(ex("-1"), .integer(-1))
        XCTAssertEqual(ex("- 1"), .integer(-1))
        XCTAssertEqual(ex("+1"), .integer(1))
        XCTAssertEqual(ex("-?a"), .integer(-97))
        XCTAssertEqual(ex("-0x10"), .integer(-16))
        XCTAssertEqual(ex("9223372036854775807"), .integer(Int.max))
        XCTAssertEqual(ex("-9223372036854775808"), .integer(Int.min))
        XCTAssertEqual(ex("9223372036854775808"), .bigInteger(BigInt(Int.max) + 1))
        XCTAssertEqual(ex("-9223372036854775809"), .bigInteger(BigInt(Int.min) - 1))
        XCTAssertEqual(
            ex("0xFFFFFFFFFFFFFFFFFFFFFFFF"), .bigInteger(BigInt("FFFFFFFFFFFFFFFFFFFFFFFF", radix: 16)!))
        XCTAssertEqual(ex("123456789012345678901234567890"), .int(BigInt("123456789012345678901234567890", radix: 10)!))
    }

    func testFloats() {
        XCTAssertEqual(ex("1.5"), .float(1.5))
        XCTAssertEqual(ex("1.0e-3"), .float(0.001))
        XCTAssertEqual(ex("1.0E3"), .float(1000))
        XCTAssertEqual(ex("1.0e+3"), .float(1000))
        XCTAssertEqual(ex("1_000.5"), .float(1000.5))
        XCTAssertEqual(ex("1.0e1_0"), .float(1e10))
        XCTAssertEqual(ex("-2.5"), .float(-2.5))
        XCTAssertEqual(ex("-0.0"), .float(-0.0))
        XCTAssertNotEqual(ex("-0.0"), .float(0.0))
        XCTAssertEqual(ex("0.1"), .float(0.1))
    }

    func testLists() {
        XCTAssertEqual(ex("[]"), .list([]))
        XCTAssertEqual(ex("[ ]"), .list([]))
        XCTAssertEqual(ex("[1, 2, 3]"), [1, 2, 3])
        XCTAssertEqual(ex("[1, 2,]"), [1, 2])
        XCTAssertEqual(ex("[\n  1,\n  2\n]"), [1, 2])
        XCTAssertEqual(ex("[1 | 2]"), .improperList([1], tail: 2))
        XCTAssertEqual(ex("[1, 2 | 3]"), .improperList([1, 2], tail: 3))
        XCTAssertEqual(ex("[1, 2 | [3]]"), [1, 2, 3])
        XCTAssertEqual(ex("[1 | []]"), [1])
        XCTAssertEqual(ex("[1 | [2 | 3]]"), .improperList([1, 2], tail: 3))
        XCTAssertEqual(ex("[[], [[]]]"), [.list([]), [.list([])]])
    }

    func testKeywordLists() {
        XCTAssertEqual(ex("[a: 1, b: 2]"), .keywordList(["a": 1, "b": 2]))
        XCTAssertEqual(ex(#"[a: 1, "b c": 2]"#), .keywordList(["a": 1, "b c": 2]))
        XCTAssertEqual(ex("['b': 2]"), .keywordList(["b": 2]))
        XCTAssertEqual(ex("[1, a: 2]"), [1, .tuple(["a", 2])])
        XCTAssertEqual(ex("[1, a: 2,]"), [1, .tuple(["a", 2])])
        XCTAssertEqual(ex("[Foo: 1]"), .keywordList(["Foo": 1]))
        XCTAssertEqual(ex("[a?: 1, do: :x, nil: 2]"), .keywordList(["a?": 1, "do": "x", "nil": 2]))
        XCTAssertEqual(ex("[é: 1]"), .keywordList(["é": 1]))
        XCTAssertEqual(ex("[a:\n1]"), .keywordList(["a": 1]))
        XCTAssertEqual(ex("[a: [b: 1]]"), .keywordList(["a": .keywordList(["b": 1])]))
    }

    func testOperatorKeywordKeys() {
        XCTAssertEqual(ex("[+: 1]"), .keywordList(["+": 1]))
        XCTAssertEqual(ex("%{<>: 1}"), ["<>": 1])
        XCTAssertEqual(ex("[..: 1]"), .keywordList(["..": 1]))
        XCTAssertEqual(ex("[|>: 1]"), .keywordList(["|>": 1]))
        XCTAssertEqual(ex("[{}: 1]"), .keywordList(["{}": 1]))
        XCTAssertEqual(ex("[\\\\: 1]"), .keywordList(["\\\\": 1]))
        for op in LiteralSourceGenerator.operatorSources {
            let key = Term.atom(Atom(op))
            XCTAssertEqual(ex("[\(op): 1]"), [.tuple([key, 1])], op)
            XCTAssertEqual(ex("%{\(op): 1}"), .map(TermMap([(key, 1)])), op)
            XCTAssertEqual(ex("[1, \(op): :\(op), b: 2]"), [1, .tuple([key, key]), .tuple(["b", 2])], op)
            XCTAssertEqual(
                ex("[a: 1, \(op):\n[\(op): 2]]"), [.tuple(["a", 1]), .tuple([key, [.tuple([key, 2])]])], op)
            XCTAssertEqual(ex("%{1 => 2, \(op): 3,}"), .map(TermMap([(1, 2), (key, 3)])), op)
            XCTAssertEqual(ex("{1, \(op): 2}"), .tuple([1, [.tuple([key, 2])]]), op)
            XCTAssertEqual(
                try CallExpression.parse("M.f(1, \(op): 2)", syntax: .elixir).arguments, [1, [.tuple([key, 2])]], op)
            // The `:` must be followed by whitespace, as for `a: 1`.
            XCTAssertNotNil(failure("[\(op):1]", .elixir), op)
            XCTAssertNotNil(failure("[\(op):]", .elixir), op)
            // Keyword pairs come last and cannot start a tuple.
            XCTAssertEqual(failure("[\(op): 1, 2]", .elixir)?.code, .keywordNotLast, op)
            XCTAssertEqual(failure("{\(op): 1}", .elixir)?.code, .unexpectedToken, op)
        }
        XCTAssertEqual(ex("[+:\t1, -:\r\n2]"), .keywordList(["+": 1, "-": 2]))
        XCTAssertEqual(
            ex("%{<<>>: <<>>, %{}: %{}, {}: {}}"), ["<<>>": .binary([]), "%{}": .map(TermMap()), "{}": .tuple([])])
        // Quoted keys, operators among them; `::` is a key only quoted (`::: 1` is the atom `:::` then 1).
        XCTAssertEqual(
            ex(#"["foo bar": 1, "::": 2, "//": 3, "+:": 4, "\\": 5]"#),
            .keywordList(["foo bar": 1, "::": 2, "//": 3, "+:": 4, "\\": 5]))
        XCTAssertEqual(ex(#"%{"foo bar": 1}"#), ["foo bar": 1])
        for text in ["[::: 1]", "[:: 1]", "[//: 1]", "[=>: 1]", "[:+: 1]"] {
            XCTAssertNotNil(failure(text, .elixir), text)
        }
        // What an operator next to `:` meant before still means the same.
        XCTAssertEqual(ex("[1 |:a]"), .improperList([1], tail: "a"))
        XCTAssertEqual(ex("[:| | :..]"), .improperList(["|"], tail: ".."))
        let count = Term.exportFun(ExportFun(module: "Elixir.Enum", function: "count", arity: 1))
        XCTAssertEqual(ex("[- 1, +2, &Enum.count/1]"), [-1, 2, count])
        XCTAssertEqual(ex("[%{}, <<>>, {}]"), [.map(TermMap()), .binary([]), .tuple([])])
        XCTAssertEqual(ex("%:\"Elixir.URI\"{a: 1}"), ["__struct__": "Elixir.URI", "a": 1])
    }

    /// Whatever ``ElixirInspect`` prints for an operator atom (or a near miss) reads back as the same term: as an
    /// atom, a keyword key and a map key.
    func testPrintedOperatorAtomsReadBack() {
        for name in TermGenerator.operatorAtoms {
            let a = Term.atom(Atom(name))
            let terms: [Term] = [
                a, [.tuple([a, 1])], .map(TermMap([(a, 1)])), [.tuple(["a", a]), .tuple([a, a])],
                .tuple([a, [.tuple([a, 1])]]), .map(TermMap([(a, .list([.tuple([a, 1])])), ("b", 2)])), [a, 1],
                .improperList([a], tail: a), .map(TermMap([(a, a), ("x", 1), (1, a)])),
            ]
            for t in terms {
                for options in [ElixirInspectOptions.default, .pretty] {
                    let printed = ElixirInspect.inspect(t, options: options)
                    XCTAssertEqual(ex(printed), t, "\(name.debugDescription): \(printed)")
                }
            }
        }
    }

    func testTuples() {
        XCTAssertEqual(ex("{}"), .tuple([]))
        XCTAssertEqual(ex("{:ok, 1}"), .tuple(["ok", 1]))
        XCTAssertEqual(ex("{1, 2,}"), .tuple([1, 2]))
        XCTAssertEqual(ex("{1, a: 2}"), .tuple([1, .keywordList(["a": 2])]))
        XCTAssertEqual(ex("{{1}}"), .tuple([.tuple([1])]))
    }

    func testMaps() {
        XCTAssertEqual(ex("%{}"), .map(TermMap()))
        XCTAssertEqual(ex(#"%{"a" => 1}"#), .map(TermMap([(.string("a"), 1)])))
        XCTAssertEqual(ex("%{a: 1, b: 2}"), ["a": 1, "b": 2])
        XCTAssertEqual(ex("%{1 => 2, a: 3}"), .map(TermMap([(1, 2), ("a", 3)])))
        XCTAssertEqual(ex("%{:a => 1, b: 2}"), ["a": 1, "b": 2])
        XCTAssertEqual(ex(#"%{"a": 1}"#), ["a": 1])
        XCTAssertEqual(ex("%{a: 1, a: 2}"), ["a": 2])
        XCTAssertEqual(ex("%{[1] => {2}, %{} => []}"), .map(TermMap([([1], .tuple([2])), (.map(TermMap()), [])])))
        XCTAssertEqual(ex("%{a: 1,}"), ["a": 1])
    }

    func testStructs() {
        XCTAssertEqual(ex("%MyApp.S{a: 1}"), ["__struct__": "Elixir.MyApp.S", "a": 1])
        XCTAssertEqual(ex("%URI{}"), ["__struct__": "Elixir.URI"])
    }

    func testBinaries() {
        XCTAssertEqual(ex("<<>>"), .binary([]))
        XCTAssertEqual(ex("<<1, 2, 3>>"), .binary([1, 2, 3]))
        XCTAssertEqual(ex(#"<<"abc">>"#), .string("abc"))
        XCTAssertEqual(ex(#"<<1, "ab", 2::16>>"#), .binary([1, 97, 98, 0, 2]))
        XCTAssertEqual(ex("<<-1>>"), .binary([255]))
        XCTAssertEqual(ex("<<256>>"), .binary([0]))
        XCTAssertEqual(ex("<<1::3>>"), .bitstring([0x20], bitsInLastByte: 3))
        XCTAssertEqual(ex("<<1::size(3)>>"), .bitstring([0x20], bitsInLastByte: 3))
        XCTAssertEqual(ex("<<300::size(2)-unit(8)>>"), .binary([1, 44]))
        XCTAssertEqual(ex("<<1::16-little>>"), .binary([1, 0]))
        XCTAssertEqual(ex("<<1::little-16>>"), .binary([1, 0]))
        XCTAssertEqual(ex("<<1::integer-size(16)-big-unsigned>>"), .binary([0, 1]))
        XCTAssertEqual(ex("<<1.5::float>>"), .binary([63, 248, 0, 0, 0, 0, 0, 0]))
        XCTAssertEqual(ex("<<1.5::float-32>>"), .binary([63, 192, 0, 0]))
        XCTAssertEqual(ex(#"<<"é"::utf8>>"#), .string("é"))
        XCTAssertEqual(ex(#"<<"é"::utf16>>"#), .binary([0, 233]))
        XCTAssertEqual(ex(#"<<"é"::utf32-little>>"#), .binary([233, 0, 0, 0]))
        XCTAssertEqual(ex("<<233::utf8>>"), .string("é"))
        XCTAssertEqual(ex(#"<<"a"::binary, 1>>"#), .binary([97, 1]))
        XCTAssertEqual(ex("<<?a, ?b>>"), .string("ab"))
        XCTAssertEqual(ex("<<1::1, 0::1, 1::6>>"), .binary([0x81]))
        XCTAssertEqual(ex("<<0x1234::size(8)*2>>"), .binary([0x12, 0x34]))
        XCTAssertEqual(ex("<<1::100>>").flatMap { $0.binaryValue?.count }, nil)  // 100 bits: a bitstring
        XCTAssertEqual(ex("<<-1::72>>"), .binary([UInt8](repeating: 255, count: 9)))
        XCTAssertEqual(ex("<<<<1, 2>>::binary, 3>>"), .binary([1, 2, 3]))
        XCTAssertEqual(ex("<<<<1::3>>::bitstring, 0::5>>"), .binary([0x20]))
    }

    func testCapturesAndComments() {
        XCTAssertEqual(
            ex("&Enum.count/1"), .exportFun(ExportFun(module: "Elixir.Enum", function: "count", arity: 1)))
        XCTAssertEqual(
            ex("&:erlang.memory/0"), .exportFun(ExportFun(module: "erlang", function: "memory", arity: 0)))
        XCTAssertEqual(ex("# leading\n[1, # one\n 2] # trailing"), [1, 2])
        XCTAssertEqual(ex("  \t\n :ok \n\n"), "ok")
        XCTAssertEqual(ex("\r\n[1,\r\n2]\r\n"), [1, 2])
    }

    func testNested() {
        XCTAssertEqual(
            ex(#"{:ok, %{"list" => [1, 2.5, :three, "four", 'five'], tuple: {}, bin: <<0>>}}"#),
            .tuple([
                "ok",
                .map(
                    TermMap([
                        (.string("list"), [1, 2.5, "three", .string("four"), .charlist("five")]),
                        ("tuple", .tuple([])), ("bin", .binary([0])),
                    ])),
            ]))
    }

    func testDepthLimit() throws {
        let ok = String(repeating: "[", count: 1000) + String(repeating: "]", count: 1000)
        XCTAssertNotNil(ex(ok))
        let deep = String(repeating: "[", count: 1001) + String(repeating: "]", count: 1001)
        assertError(deep, .elixir, .tooDeep, line: 1, column: 1001)
        let tuples = String(repeating: "{", count: 5000) + String(repeating: "}", count: 5000)
        assertError(tuples, .elixir, .tooDeep, line: 1, column: 1001)
        let shallow = TermParser(syntax: .elixir, maxDepth: 2)
        XCTAssertNoThrow(try shallow.parse("[[1]]"))
        XCTAssertThrowsError(try shallow.parse("[[[1]]]"))
    }

    /// Containers are parsed with an explicit stack, so the deepest accepted input fits a small thread stack.
    func testMaxDepthOnASmallStack() {
        let text = String(repeating: "[%{a: {", count: 333) + "<<1>>" + String(repeating: "}}]", count: 333)
        let erlangText = String(repeating: "[#{a => {", count: 333) + "1" + String(repeating: "}}]", count: 333)
        final class Box: @unchecked Sendable { var elixir: Term?; var erlang: Term? }
        let box = Box()
        let done = expectation(description: "parsed")
        let thread = Thread {
            box.elixir = try? TermParser.parse(text, syntax: .elixir)
            box.erlang = try? TermParser.parse(erlangText, syntax: .erlang)
            done.fulfill()
        }
        thread.stackSize = 256 * 1024
        thread.start()
        wait(for: [done], timeout: 60)
        XCTAssertNotNil(box.elixir)
        XCTAssertNotNil(box.erlang)
    }

    func testLargeInputIsLinear() throws {
        let n = 100_000
        let list = "[" + (0..<n).map(String.init).joined(separator: ", ") + "]"
        let start = ContinuousClock.now
        let t = try TermParser.parse(list, syntax: .elixir)
        XCTAssertEqual(t.listElements?.count, n)
        let mapText = "%{" + (0..<20_000).map { "\($0) => \($0)" }.joined(separator: ", ") + "}"
        XCTAssertEqual(try TermParser.parse(mapText, syntax: .elixir).mapValue?.count, 20_000)
        let bin = "<<" + (0..<100_000).map { String($0 % 256) }.joined(separator: ",") + ">>"
        XCTAssertEqual(try TermParser.parse(bin, syntax: .elixir).binaryValue?.count, 100_000)
        let str = "\"" + String(repeating: "a", count: 500_000) + "\""
        XCTAssertEqual(try TermParser.parse(str, syntax: .elixir).binaryValue?.count, 500_000)
        XCTAssertLessThan(ContinuousClock.now - start, .seconds(20))
    }
}
