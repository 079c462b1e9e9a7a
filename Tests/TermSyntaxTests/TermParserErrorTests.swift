import ErlangTerm
import ErlangTestSupport
import TermSyntax
import XCTest

final class TermParserErrorTests: XCTestCase {
    func testDescriptionNamesExpectationAndPosition() {
        guard let e = failure("[1, 2 3]", .elixir) else { return }
        XCTAssertEqual(e.code, .unexpectedToken)
        XCTAssertEqual(e.expected, ["\",\"", "\"|\"", "\"]\""])
        XCTAssertEqual(e.message, #"expected ",", "|" or "]""#)
        XCTAssertEqual(e.description, #"expected ",", "|" or "]" at line 1, column 7, found "3""#)
        XCTAssertEqual(e.offset, 6)

        guard let e2 = failure("[a: 1 }", .elixir) else { return }
        XCTAssertEqual(e2.description, #"expected "," or "]" at line 1, column 7, found "}""#)

        guard let e3 = failure("{1,\n 2", .erlang) else { return }
        XCTAssertEqual(e3.code, .unexpectedEnd)
        XCTAssertEqual(e3.description, #"expected "," or "}" at line 2, column 3, found end of input"#)

        guard let e4 = failure("[1, foo]", .elixir) else { return }
        XCTAssertEqual(
            e4.description,
            #"variable foo is not allowed: only literal terms are accepted at line 1, column 5, found "foo""#)

        guard let e5 = failure(String(repeating: "[", count: 1001), .elixir) else { return }
        XCTAssertEqual(e5.description, "nesting deeper than 1000 levels at line 1, column 1001")
    }

    func testElixirErrors() {
        assertError("", .elixir, .emptyInput, line: 1, column: 1)
        assertError("  # only a comment\n", .elixir, .emptyInput, line: 2, column: 1)
        assertError("[1, 2", .elixir, .unexpectedEnd, line: 1, column: 6)
        assertError("[1,\n 2,\n", .elixir, .unexpectedEnd, line: 3, column: 1)
        assertError("{1, 2", .elixir, .unexpectedEnd, line: 1, column: 6)
        assertError("%{:a => ", .elixir, .unexpectedEnd, line: 1, column: 9)
        assertError("%{1 2}", .elixir, .unexpectedToken, line: 1, column: 5)
        assertError("\"abc", .elixir, .unexpectedEnd, line: 1, column: 5)
        assertError("'abc", .elixir, .unexpectedEnd, line: 1, column: 5)
        assertError(":\"abc", .elixir, .unexpectedEnd, line: 1, column: 6)
        assertError("~c(abc", .elixir, .unexpectedEnd, line: 1, column: 7)
        assertError("\"\"\"\nabc\n", .elixir, .unexpectedEnd, line: 3, column: 1)
        assertError("<<1, 2", .elixir, .unexpectedEnd, line: 1, column: 7)
        assertError("[1 | ", .elixir, .unexpectedEnd, line: 1, column: 6)
        assertError("-", .elixir, .unexpectedEnd, line: 1, column: 2)
        assertError("[1 | 2, 3]", .elixir, .unexpectedToken, line: 1, column: 7)
        assertError("[1, 2]]", .elixir, .trailingInput, line: 1, column: 7)
        assertError("1 2", .elixir, .trailingInput, line: 1, column: 3)
        assertError("[1, x]", .elixir, .variable, line: 1, column: 5)
        assertError("{:ok,\n  _ignored}", .elixir, .variable, line: 2, column: 3)
        assertError("[self()]", .elixir, .notALiteral, line: 1, column: 2)
        assertError("[Foo.bar()]", .elixir, .notALiteral, line: 1, column: 2)
        assertError("[:erlang.node()]", .elixir, .notALiteral, line: 1, column: 2)
        assertError("1 + 2", .elixir, .trailingInput, line: 1, column: 3)
        assertError("-:a", .elixir, .notALiteral, line: 1, column: 1)
        assertError("\"a#{1}\"", .elixir, .interpolation, line: 1, column: 3)
        assertError("~s(#{x})", .elixir, .interpolation, line: 1, column: 4)
        assertError("[a: 1, 2]", .elixir, .keywordNotLast, line: 1, column: 8)
        assertError("%{a: 1, 1 => 2}", .elixir, .keywordNotLast, line: 1, column: 9)
        assertError("{a: 1}", .elixir, .unexpectedToken, line: 1, column: 2)
        assertError("[a:1]", .elixir, .unexpectedToken, line: 1, column: 4)
        assertError("1__0", .elixir, .invalidNumber, line: 1, column: 2)
        assertError("1_", .elixir, .invalidNumber, line: 1, column: 2)
        assertError("0x", .elixir, .invalidNumber, line: 1, column: 1)
        assertError("0xG", .elixir, .invalidNumber, line: 1, column: 1)
        assertError("1e3", .elixir, .invalidNumber, line: 1, column: 2)
        assertError("12abc", .elixir, .invalidNumber, line: 1, column: 3)
        assertError("1.0e400", .elixir, .invalidNumber, line: 1, column: 1)
        assertError("\"\\u12\"", .elixir, .invalidEscape, line: 1, column: 2)
        assertError("\"\\u{110000}\"", .elixir, .invalidEscape, line: 1, column: 2)
        assertError("'\\xFF'", .elixir, .invalidEscape, line: 1, column: 1)
        assertError(":" + String(repeating: "a", count: 256), .elixir, .atomTooLong, line: 1, column: 1)
        assertError("~r/abc/", .elixir, .notALiteral, line: 1, column: 1)
        assertError("~s(abc)x", .elixir, .unexpectedToken, line: 1, column: 1)
        assertError("<<1::float-8>>", .elixir, .invalidBinary, line: 1, column: 3)
        assertError("<<1::bogus>>", .elixir, .invalidBinary, line: 1, column: 6)
        assertError("<<[1]>>", .elixir, .invalidBinary, line: 1, column: 3)
        assertError("<<\"ab\"::binary-size(3)>>", .elixir, .invalidBinary, line: 1, column: 3)
        assertError("<<1::size(4294967296)-unit(256)>>", .elixir, .invalidBinary, line: 1, column: 3)
        assertError("<<1::size(16777217)>>", .elixir, .invalidBinary, line: 1, column: 3)
        assertError("<<1:16777217>>", .erlang, .invalidBinary, line: 1, column: 3)
        let big = "<<" + String(repeating: "<<0::16777216>>::bits, ", count: 9) + ">>"
        XCTAssertEqual(failure(big, .elixir)?.code, .tooLarge)
        assertError("%{m | a: 1}", .elixir, .variable, line: 1, column: 3)
        assertError("[1, €]", .elixir, .unexpectedToken, line: 1, column: 5)
        assertError("\u{1F600}", .elixir, .unexpectedToken, line: 1, column: 1)
        assertError("%Foo", .elixir, .unexpectedEnd, line: 1, column: 5)
        assertError("Fooé", .elixir, .invalidCharacter, line: 1, column: 4)
        assertError("[1,\t2,\t\t:\"a\\q\" b]", .elixir, .unexpectedToken, line: 1, column: 16)
        assertError("123" + String(repeating: "4", count: 40_000), .elixir, .tooLarge, line: 1, column: 1)
    }

    func testErlangErrors() {
        assertError("", .erlang, .emptyInput, line: 1, column: 1)
        assertError(".", .erlang, .emptyInput, line: 1, column: 1)
        assertError("[1, 2", .erlang, .unexpectedEnd, line: 1, column: 6)
        assertError("[1, 2.", .erlang, .unexpectedToken, line: 1, column: 6)
        assertError("{ok, \"abc", .erlang, .unexpectedEnd, line: 1, column: 10)
        assertError("'abc", .erlang, .unexpectedEnd, line: 1, column: 5)
        assertError("#{a => 1", .erlang, .unexpectedEnd, line: 1, column: 9)
        assertError("[1,2,]", .erlang, .unexpectedToken, line: 1, column: 6)
        assertError("[a|b|c]", .erlang, .unexpectedToken, line: 1, column: 5)
        assertError("X", .erlang, .variable, line: 1, column: 1)
        assertError("{ok, _}", .erlang, .variable, line: 1, column: 6)
        assertError("[1, Foo]", .erlang, .variable, line: 1, column: 5)
        assertError("and", .erlang, .notALiteral, line: 1, column: 1)
        assertError("[self()]", .erlang, .notALiteral, line: 1, column: 2)
        assertError("[erlang:node()]", .erlang, .notALiteral, line: 1, column: 2)
        assertError("#rec{a = 1}", .erlang, .notALiteral, line: 1, column: 1)
        assertError("#{a := 1}", .erlang, .unexpectedToken, line: 1, column: 5)
        assertError("1e10", .erlang, .invalidNumber, line: 1, column: 2)
        assertError("37#1", .erlang, .invalidNumber, line: 1, column: 1)
        assertError("2#102", .erlang, .invalidNumber, line: 1, column: 5)
        assertError("1.0e400", .erlang, .invalidNumber, line: 1, column: 1)
        assertError("a b", .erlang, .trailingInput, line: 1, column: 3)
        assertError("a. b", .erlang, .trailingInput, line: 1, column: 4)
        assertError("a.b", .erlang, .trailingInput, line: 1, column: 2)
        assertError("<<1:8/float>>", .erlang, .invalidBinary, line: 1, column: 3)
        assertError("<<1/bogus>>", .erlang, .invalidBinary, line: 1, column: 5)
        assertError("<<\"a\"/binary>>", .erlang, .invalidBinary, line: 1, column: 3)
        assertError("'\\x{110000}'", .erlang, .invalidEscape, line: 1, column: 2)
        assertError("'" + String(repeating: "a", count: 256) + "'", .erlang, .atomTooLong, line: 1, column: 1)
        assertError("\n\n  {ok,\n   X}", .erlang, .variable, line: 4, column: 4)
    }

    func testIsIncomplete() {
        let incomplete: [(String, SourceSyntax)] = [
            ("[1, 2", .elixir), ("%{a: [1,\n", .elixir), ("\"abc", .elixir), ("{:ok,", .elixir), ("<<1,", .elixir),
            ("~c(abc", .elixir), ("\"\"\"\nab", .elixir), ("[1 |", .elixir), ("%{1 =>", .elixir), ("'a", .elixir),
            (":\"a", .elixir), ("[a: ", .elixir), ("-", .elixir),
            ("[1, 2", .erlang), ("#{a =>", .erlang), ("\"abc", .erlang), ("{ok, ", .erlang), ("'a", .erlang),
            ("<<1:", .erlang), ("fun lists:", .erlang),
        ]
        for (text, syntax) in incomplete {
            XCTAssertTrue(TermParser.isIncomplete(text, syntax: syntax), "\(syntax) \(text)")
        }
        let notIncomplete: [(String, SourceSyntax)] = [
            ("[1, 2]", .elixir), ("", .elixir), ("[1, 2]]", .elixir), ("[1, x", .elixir), ("{1 2", .elixir),
            ("[1, 2]", .erlang), ("[1, 2.", .erlang), ("X", .erlang), ("[1,,", .erlang), ("", .erlang),
        ]
        for (text, syntax) in notIncomplete {
            XCTAssertFalse(TermParser.isIncomplete(text, syntax: syntax), "\(syntax) \(text)")
        }
    }

    func testNeverCrashesOnPrefixesAndMutations() {
        let samples: [(String, SourceSyntax)] = [
            (#"{:ok, %{"a" => [1, 2.5e3, :b, 'c', <<1::3, "é"::utf8>>], b: ~w(x y)a}, [k: -0x1F | ?z]}"#, .elixir),
            ("\"\"\"\n  heredoc \\n #\n  \"\"\"", .elixir),
            (#"{ok, #{"a" => [1, 2.5e3, b, 'c', <<1:3, "é"/utf8>>]}, [$z | 16#FF]}."#, .erlang),
        ]
        for (text, syntax) in samples {
            let scalars = Array(text.unicodeScalars)
            for end in 0...scalars.count {
                var s = String.UnicodeScalarView()
                s.append(contentsOf: scalars[0..<end])
                _ = try? TermParser.parse(String(s), syntax: syntax)
                _ = TermParser.isIncomplete(String(s), syntax: syntax)
                _ = try? CallExpression.parse("M.f(" + String(s), syntax: syntax)
            }
            var rng = SeededRandom(seed: 7)
            let alphabet = Array("[]{}()<>%#:;,.|=>-+_\"'\\~?$ \n0aZé".unicodeScalars)
            for _ in 0..<2000 {
                var m = scalars
                let i = Int(rng.next() % UInt64(m.count))
                m[i] = alphabet[Int(rng.next() % UInt64(alphabet.count))]
                var s = String.UnicodeScalarView()
                s.append(contentsOf: m)
                _ = try? TermParser.parse(String(s), syntax: syntax)
            }
        }
    }
}
