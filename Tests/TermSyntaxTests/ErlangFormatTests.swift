// Hand-built terms against io_lib:format/2 of OTP 25. Every expected text was printed by
//   erl -noshell -eval 'io_lib:format(Fmt, [Expr])'
// for the Erlang expression in the comment above the case, with Fmt = ~p, ~w, ~tp, ~tw and ~40p.
// To re-check a case: erl -noshell -eval 'io:put_chars(io_lib:format("~p~n", [Expr])), halt().'
// (~tp needs io:setopts([{encoding, unicode}]) first.) Do not edit the expectations by hand.

import ErlangTerm
import TermSyntax
import XCTest

final class ErlangFormatTests: XCTestCase {
    /// Checks one term in the five formats.
    private func check(
        _ term: Term, p: String, w: String, tp: String, tw: String, p40: String,
        file: StaticString = #filePath, line: UInt = #line
    ) {
        var o40 = ErlangFormatOptions()
        o40.lineLength = 40
        XCTAssertEqual(ErlangFormat.pretty(term), p, "~p", file: file, line: line)
        XCTAssertEqual(ErlangFormat.write(term), w, "~w", file: file, line: line)
        XCTAssertEqual(ErlangFormat.pretty(term, options: .unicode), tp, "~tp", file: file, line: line)
        XCTAssertEqual(ErlangFormat.write(term, options: .unicode), tw, "~tw", file: file, line: line)
        XCTAssertEqual(ErlangFormat.pretty(term, options: o40), p40, "~40p", file: file, line: line)
    }

    func testAtoms() {
        // ok
        check(
            .atom("ok"),
            p: "ok",
            w: "ok",
            tp: "ok",
            tw: "ok",
            p40: "ok"
        )
        // 'Hello'
        check(
            .atom("Hello"),
            p: "'Hello'",
            w: "'Hello'",
            tp: "'Hello'",
            tw: "'Hello'",
            p40: "'Hello'"
        )
        // 'foo bar'
        check(
            .atom("foo bar"),
            p: "'foo bar'",
            w: "'foo bar'",
            tp: "'foo bar'",
            tw: "'foo bar'",
            p40: "'foo bar'"
        )
        // '\n'
        check(
            .atom("\n"),
            p: "'\\n'",
            w: "'\\n'",
            tp: "'\\n'",
            tw: "'\\n'",
            p40: "'\\n'"
        )
        // 'receive'
        check(
            .atom("receive"),
            p: "'receive'",
            w: "'receive'",
            tp: "'receive'",
            tw: "'receive'",
            p40: "'receive'"
        )
        // 'maybe'
        check(
            .atom("maybe"),
            p: "maybe",
            w: "maybe",
            tp: "maybe",
            tw: "maybe",
            p40: "maybe"
        )
        // 'Elixir.MyApp'
        check(
            .atom("Elixir.MyApp"),
            p: "'Elixir.MyApp'",
            w: "'Elixir.MyApp'",
            tp: "'Elixir.MyApp'",
            tw: "'Elixir.MyApp'",
            p40: "'Elixir.MyApp'"
        )
        // ''
        check(
            .atom(""),
            p: "''",
            w: "''",
            tp: "''",
            tw: "''",
            p40: "''"
        )
        // 'it\'s'
        check(
            .atom("it's"),
            p: "'it\\'s'",
            w: "'it\\'s'",
            tp: "'it\\'s'",
            tw: "'it\\'s'",
            p40: "'it\\'s'"
        )
        // 'a@b_C9'
        check(
            .atom("a@b_C9"),
            p: "a@b_C9",
            w: "a@b_C9",
            tp: "a@b_C9",
            tw: "a@b_C9",
            p40: "a@b_C9"
        )
        // '_x'
        check(
            .atom("_x"),
            p: "'_x'",
            w: "'_x'",
            tp: "'_x'",
            tw: "'_x'",
            p40: "'_x'"
        )
        // list_to_atom([99,97,102,233])
        check(
            .atom("caf\u{E9}"),
            p: "café",
            w: "café",
            tp: "café",
            tw: "café",
            p40: "café"
        )
        // list_to_atom([247,120])
        check(
            .atom("\u{F7}x"),
            p: "'÷x'",
            w: "'÷x'",
            tp: "'÷x'",
            tw: "'÷x'",
            p40: "'÷x'"
        )
        // list_to_atom([1087,1088,1080,1074,1077,1090])
        check(
            .atom("привет"),
            p: "'\\x{43F}\\x{440}\\x{438}\\x{432}\\x{435}\\x{442}'",
            w: "'\\x{43F}\\x{440}\\x{438}\\x{432}\\x{435}\\x{442}'",
            tp: "'привет'",
            tw: "'привет'",
            p40: "'\\x{43F}\\x{440}\\x{438}\\x{432}\\x{435}\\x{442}'"
        )
        // list_to_atom([128,0,127,27])
        check(
            .atom("\u{80}\u{0}\u{7F}\u{1B}"),
            p: "'\\200\\000\\d\\e'",
            w: "'\\200\\000\\d\\e'",
            tp: "'\\200\\000\\d\\e'",
            tw: "'\\200\\000\\d\\e'",
            p40: "'\\200\\000\\d\\e'"
        )
        // 'back\\slash"q'
        check(
            .atom("back\\slash\"q"),
            p: "'back\\\\slash\"q'",
            w: "'back\\\\slash\"q'",
            tp: "'back\\\\slash\"q'",
            tw: "'back\\\\slash\"q'",
            p40: "'back\\\\slash\"q'"
        )
    }

    func testIntegers() {
        // 0
        check(
            .integer(0),
            p: "0",
            w: "0",
            tp: "0",
            tw: "0",
            p40: "0"
        )
        // -1
        check(
            .integer(-1),
            p: "-1",
            w: "-1",
            tp: "-1",
            tw: "-1",
            p40: "-1"
        )
        // 123456789
        check(
            .integer(123456789),
            p: "123456789",
            w: "123456789",
            tp: "123456789",
            tw: "123456789",
            p40: "123456789"
        )
        // 1 bsl 64
        check(
            .int(BigInt(1) << 64),
            p: "18446744073709551616",
            w: "18446744073709551616",
            tp: "18446744073709551616",
            tw: "18446744073709551616",
            p40: "18446744073709551616"
        )
        // -(1 bsl 100)
        check(
            .int(-(BigInt(1) << 100)),
            p: "-1267650600228229401496703205376",
            w: "-1267650600228229401496703205376",
            tp: "-1267650600228229401496703205376",
            tw: "-1267650600228229401496703205376",
            p40: "-1267650600228229401496703205376"
        )
        // 9223372036854775807
        check(
            .integer(Int.max),
            p: "9223372036854775807",
            w: "9223372036854775807",
            tp: "9223372036854775807",
            tw: "9223372036854775807",
            p40: "9223372036854775807"
        )
        // -9223372036854775808
        check(
            .integer(Int.min),
            p: "-9223372036854775808",
            w: "-9223372036854775808",
            tp: "-9223372036854775808",
            tw: "-9223372036854775808",
            p40: "-9223372036854775808"
        )
    }

    func testFloats() {
        // 1.0e20
        check(
            .float(1.0e20),
            p: "1.0e20",
            w: "1.0e20",
            tp: "1.0e20",
            tw: "1.0e20",
            p40: "1.0e20"
        )
        // 0.1
        check(
            .float(0.1),
            p: "0.1",
            w: "0.1",
            tp: "0.1",
            tw: "0.1",
            p40: "0.1"
        )
        // -0.0
        check(
            .float(-0.0),
            p: "-0.0",
            w: "-0.0",
            tp: "-0.0",
            tw: "-0.0",
            p40: "-0.0"
        )
        // 1.0
        check(
            .float(1.0),
            p: "1.0",
            w: "1.0",
            tp: "1.0",
            tw: "1.0",
            p40: "1.0"
        )
        // 100.0
        check(
            .float(100.0),
            p: "100.0",
            w: "100.0",
            tp: "100.0",
            tw: "100.0",
            p40: "100.0"
        )
        // 1.0e-5
        check(
            .float(1.0e-5),
            p: "1.0e-5",
            w: "1.0e-5",
            tp: "1.0e-5",
            tw: "1.0e-5",
            p40: "1.0e-5"
        )
        // 0.0001
        check(
            .float(0.0001),
            p: "0.0001",
            w: "0.0001",
            tp: "0.0001",
            tw: "0.0001",
            p40: "0.0001"
        )
        // 0.00012
        check(
            .float(0.00012),
            p: "1.2e-4",
            w: "1.2e-4",
            tp: "1.2e-4",
            tw: "1.2e-4",
            p40: "1.2e-4"
        )
        // 123456.0
        check(
            .float(123456.0),
            p: "123456.0",
            w: "123456.0",
            tp: "123456.0",
            tw: "123456.0",
            p40: "123456.0"
        )
        // 1.0e15
        check(
            .float(1.0e15),
            p: "1.0e15",
            w: "1.0e15",
            tp: "1.0e15",
            tw: "1.0e15",
            p40: "1.0e15"
        )
        // 9007199254740992.0
        check(
            .float(9007199254740992.0),
            p: "9.007199254740992e15",
            w: "9.007199254740992e15",
            tp: "9.007199254740992e15",
            tw: "9.007199254740992e15",
            p40: "9.007199254740992e15"
        )
        // 4.9406564584124654e-324
        check(
            .float(5e-324),
            p: "5.0e-324",
            w: "5.0e-324",
            tp: "5.0e-324",
            tw: "5.0e-324",
            p40: "5.0e-324"
        )
        // 1.7976931348623157e308
        check(
            .float(1.7976931348623157e308),
            p: "1.7976931348623157e308",
            w: "1.7976931348623157e308",
            tp: "1.7976931348623157e308",
            tw: "1.7976931348623157e308",
            p40: "1.7976931348623157e308"
        )
        // 3.14159
        check(
            .float(3.14159),
            p: "3.14159",
            w: "3.14159",
            tp: "3.14159",
            tw: "3.14159",
            p40: "3.14159"
        )
        // -2.5e-10
        check(
            .float(-2.5e-10),
            p: "-2.5e-10",
            w: "-2.5e-10",
            tp: "-2.5e-10",
            tw: "-2.5e-10",
            p40: "-2.5e-10"
        )
        // 1234567.0
        check(
            .float(1234567.0),
            p: "1234567.0",
            w: "1234567.0",
            tp: "1234567.0",
            tw: "1234567.0",
            p40: "1234567.0"
        )
        // 0.3
        check(
            .float(0.3),
            p: "0.3",
            w: "0.3",
            tp: "0.3",
            tw: "0.3",
            p40: "0.3"
        )
        // 1.0e21
        check(
            .float(1e21),
            p: "1.0e21",
            w: "1.0e21",
            tp: "1.0e21",
            tw: "1.0e21",
            p40: "1.0e21"
        )
        // 123.456
        check(
            .float(123.456),
            p: "123.456",
            w: "123.456",
            tp: "123.456",
            tw: "123.456",
            p40: "123.456"
        )
    }

    func testBinaries() {
        // <<"abc">>
        check(
            .string("abc"),
            p: "<<\"abc\">>",
            w: "<<97,98,99>>",
            tp: "<<\"abc\">>",
            tw: "<<97,98,99>>",
            p40: "<<\"abc\">>"
        )
        // <<1,2,3>>
        check(
            .binary([1, 2, 3]),
            p: "<<1,2,3>>",
            w: "<<1,2,3>>",
            tp: "<<1,2,3>>",
            tw: "<<1,2,3>>",
            p40: "<<1,2,3>>"
        )
        // <<>>
        check(
            .binary([]),
            p: "<<>>",
            w: "<<>>",
            tp: "<<>>",
            tw: "<<>>",
            p40: "<<>>"
        )
        // <<"h",195,169,"llo">>
        check(
            .string("h\u{E9}llo"),
            p: "<<\"hÃ©llo\">>",
            w: "<<104,195,169,108,108,111>>",
            tp: "<<\"héllo\"/utf8>>",
            tw: "<<104,195,169,108,108,111>>",
            p40: "<<\"hÃ©llo\">>"
        )
        // <<1:3>>
        check(
            .bits([0b0010_0000], bitCount: 3),
            p: "<<1:3>>",
            w: "<<1:3>>",
            tp: "<<1:3>>",
            tw: "<<1:3>>",
            p40: "<<1:3>>"
        )
        // <<1,2,3:4>>
        check(
            .bits([1, 2, 0x30], bitCount: 20),
            p: "<<1,2,3:4>>",
            w: "<<1,2,3:4>>",
            tp: "<<1,2,3:4>>",
            tw: "<<1,2,3:4>>",
            p40: "<<1,2,3:4>>"
        )
        // <<"a\nb\t\"q\\">>
        check(
            .string("a\nb\t\"q\\"),
            p: "<<\"a\\nb\\t\\\"q\\\\\">>",
            w: "<<97,10,98,9,34,113,92>>",
            tp: "<<\"a\\nb\\t\\\"q\\\\\">>",
            tw: "<<97,10,98,9,34,113,92>>",
            p40: "<<\"a\\nb\\t\\\"q\\\\\">>"
        )
        // <<208,191>>
        check(
            .string("п"),
            p: "<<\"Ð¿\">>",
            w: "<<208,191>>",
            tp: "<<208,191>>",
            tw: "<<208,191>>",
            p40: "<<\"Ð¿\">>"
        )
        // <<233,97>>
        check(
            .binary([233, 97]),
            p: "<<\"éa\">>",
            w: "<<233,97>>",
            tp: "<<\"éa\">>",
            tw: "<<233,97>>",
            p40: "<<\"éa\">>"
        )
        // <<"abc",0>>
        check(
            .binary([97, 98, 99, 0]),
            p: "<<97,98,99,0>>",
            w: "<<97,98,99,0>>",
            tp: "<<97,98,99,0>>",
            tw: "<<97,98,99,0>>",
            p40: "<<97,98,99,0>>"
        )
        // <<240,159,152,128>>
        check(
            .string("😀"),
            p: "<<240,159,152,128>>",
            w: "<<240,159,152,128>>",
            tp: "<<240,159,152,128>>",
            tw: "<<240,159,152,128>>",
            p40: "<<240,159,152,128>>"
        )
    }

    func testStrings() {
        // "abc"
        check(
            .charlist("abc"),
            p: "\"abc\"",
            w: "[97,98,99]",
            tp: "\"abc\"",
            tw: "[97,98,99]",
            p40: "\"abc\""
        )
        // [1087]
        check(
            .charlist("п"),
            p: "[1087]",
            w: "[1087]",
            tp: "[1087]",
            tw: "[1087]",
            p40: "[1087]"
        )
        // "a\nb"
        check(
            .charlist("a\nb"),
            p: "\"a\\nb\"",
            w: "[97,10,98]",
            tp: "\"a\\nb\"",
            tw: "[97,10,98]",
            p40: "\"a\\nb\""
        )
        // []
        check(
            .list([]),
            p: "[]",
            w: "[]",
            tp: "[]",
            tw: "[]",
            p40: "[]"
        )
        // "it's \"q\""
        check(
            .charlist("it's \"q\""),
            p: "\"it's \\\"q\\\"\"",
            w: "[105,116,39,115,32,34,113,34]",
            tp: "\"it's \\\"q\\\"\"",
            tw: "[105,116,39,115,32,34,113,34]",
            p40: "\"it's \\\"q\\\"\""
        )
        // [233]
        check(
            .charlist("\u{E9}"),
            p: "\"é\"",
            w: "[233]",
            tp: "\"é\"",
            tw: "[233]",
            p40: "\"é\""
        )
        // [0,1,2]
        check(
            .list([0, 1, 2]),
            p: "[0,1,2]",
            w: "[0,1,2]",
            tp: "[0,1,2]",
            tw: "[0,1,2]",
            p40: "[0,1,2]"
        )
        // [127]
        check(
            .list([127]),
            p: "[127]",
            w: "[127]",
            tp: "[127]",
            tw: "[127]",
            p40: "[127]"
        )
        // [27,8,11,12,13,9]
        check(
            .charlist("\u{1B}\u{8}\u{B}\u{C}\r\t"),
            p: "\"\\e\\b\\v\\f\\r\\t\"",
            w: "[27,8,11,12,13,9]",
            tp: "\"\\e\\b\\v\\f\\r\\t\"",
            tw: "[27,8,11,12,13,9]",
            p40: "\"\\e\\b\\v\\f\\r\\t\""
        )
        // [128512]
        check(
            .charlist("😀"),
            p: "[128512]",
            w: "[128512]",
            tp: "[128512]",
            tw: "[128512]",
            p40: "[128512]"
        )
        // [97|98]
        check(
            .improperList([97], tail: 98),
            p: "[97|98]",
            w: "[97|98]",
            tp: "[97|98]",
            tw: "[97|98]",
            p40: "[97|98]"
        )
    }

    func testContainers() {
        // [1,2,3]
        check(
            [1, 2, 3],
            p: "[1,2,3]",
            w: "[1,2,3]",
            tp: "[1,2,3]",
            tw: "[1,2,3]",
            p40: "[1,2,3]"
        )
        // [a|b]
        check(
            .improperList(["a"], tail: "b"),
            p: "[a|b]",
            w: "[a|b]",
            tp: "[a|b]",
            tw: "[a|b]",
            p40: "[a|b]"
        )
        // [1,2|3]
        check(
            .improperList([1, 2], tail: 3),
            p: "[1,2|3]",
            w: "[1,2|3]",
            tp: "[1,2|3]",
            tw: "[1,2|3]",
            p40: "[1,2|3]"
        )
        // [[]]
        check(
            .list([.list([])]),
            p: "[[]]",
            w: "[[]]",
            tp: "[[]]",
            tw: "[[]]",
            p40: "[[]]"
        )
        // {}
        check(
            .tuple([]),
            p: "{}",
            w: "{}",
            tp: "{}",
            tw: "{}",
            p40: "{}"
        )
        // {a,1}
        check(
            .tuple(["a", 1]),
            p: "{a,1}",
            w: "{a,1}",
            tp: "{a,1}",
            tw: "{a,1}",
            p40: "{a,1}"
        )
        // {1,2,3}
        check(
            .tuple([1, 2, 3]),
            p: "{1,2,3}",
            w: "{1,2,3}",
            tp: "{1,2,3}",
            tw: "{1,2,3}",
            p40: "{1,2,3}"
        )
        // #{a => 1}
        check(
            ["a": 1],
            p: "#{a => 1}",
            w: "#{a => 1}",
            tp: "#{a => 1}",
            tw: "#{a => 1}",
            p40: "#{a => 1}"
        )
        // #{}
        check(
            .map(TermMap()),
            p: "#{}",
            w: "#{}",
            tp: "#{}",
            tw: "#{}",
            p40: "#{}"
        )
        // #{b => 2, a => 1, 1 => x, 1.0 => y, "s" => [], {t} => <<>>}
        check(
            .map(TermMap([("b", 2), ("a", 1), (1, "x"), (1.0, "y"), (.charlist("s"), []), (.tuple(["t"]), .binary([]))])),
            p: "#{1 => x,1.0 => y,a => 1,b => 2,{t} => <<>>,\"s\" => []}",
            w: "#{1 => x,1.0 => y,a => 1,b => 2,{t} => <<>>,[115] => []}",
            tp: "#{1 => x,1.0 => y,a => 1,b => 2,{t} => <<>>,\"s\" => []}",
            tw: "#{1 => x,1.0 => y,a => 1,b => 2,{t} => <<>>,[115] => []}",
            p40: "#{1 => x,1.0 => y,a => 1,b => 2,\n  {t} => <<>>,\n  \"s\" => []}"
        )
        // list_to_pid("<0.80.0>")
        check(
            .pid(Pid(node: "nonode@nohost", id: 80, serial: 0, creation: 0)),
            p: "<0.80.0>",
            w: "<0.80.0>",
            tp: "<0.80.0>",
            tw: "<0.80.0>",
            p40: "<0.80.0>"
        )
        // list_to_port("#Port<0.7>")
        check(
            .port(ErlangPort(node: "nonode@nohost", id: 7, creation: 0)),
            p: "#Port<0.7>",
            w: "#Port<0.7>",
            tp: "#Port<0.7>",
            tw: "#Port<0.7>",
            p40: "#Port<0.7>"
        )
        // list_to_ref("#Ref<0.1.2.3>")
        check(
            .reference(Reference(node: "nonode@nohost", creation: 0, ids: [3, 2, 1])),
            p: "#Ref<0.1.2.3>",
            w: "#Ref<0.1.2.3>",
            tp: "#Ref<0.1.2.3>",
            tw: "#Ref<0.1.2.3>",
            p40: "#Ref<0.1.2.3>"
        )
        // fun lists:map/2
        check(
            .exportFun(ExportFun(module: "lists", function: "map", arity: 2)),
            p: "fun lists:map/2",
            w: "fun lists:map/2",
            tp: "fun lists:map/2",
            tw: "fun lists:map/2",
            p40: "fun lists:map/2"
        )
        // fun 'Elixir.Foo':'bar baz'/0
        check(
            .exportFun(ExportFun(module: "Elixir.Foo", function: "bar baz", arity: 0)),
            p: "fun 'Elixir.Foo':'bar baz'/0",
            w: "fun 'Elixir.Foo':'bar baz'/0",
            tp: "fun 'Elixir.Foo':'bar baz'/0",
            tw: "fun 'Elixir.Foo':'bar baz'/0",
            p40: "fun 'Elixir.Foo':'bar baz'/0"
        )
        // erlang:make_fun(erlang, 'andalso', 2)
        check(
            .exportFun(ExportFun(module: "erlang", function: "andalso", arity: 2)),
            p: "fun erlang:andalso/2",
            w: "fun erlang:andalso/2",
            tp: "fun erlang:andalso/2",
            tw: "fun erlang:andalso/2",
            p40: "fun erlang:andalso/2"
        )
        // erlang:make_fun(list_to_atom([99,97,102,233]), 'Hello', 1)
        check(
            .exportFun(ExportFun(module: "caf\u{E9}", function: "Hello", arity: 1)),
            p: "fun cafÃ©:'Hello'/1",
            w: "fun cafÃ©:'Hello'/1",
            tp: "fun cafÃ©:'Hello'/1",
            tw: "fun cafÃ©:'Hello'/1",
            p40: "fun cafÃ©:'Hello'/1"
        )
    }

    func testPretty() {
        // lists:seq(1,40)
        check(
            .list((1...40).map { .integer($0) }),
            p: "[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,\n 29,30,31,32,33,34,35,36,37,38,39,40]",
            w: "[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31,32,33,34,35,36,37,38,39,40]",
            tp: "[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,\n 29,30,31,32,33,34,35,36,37,38,39,40]",
            tw: "[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31,32,33,34,35,36,37,38,39,40]",
            p40: "[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,\n 16,17,18,19,20,21,22,23,24,25,26,27,\n 28,29,30,31,32,33,34,35,36,37,38,39,\n 40]"
        )
        // [{list_to_atom("key" ++ integer_to_list(I)), I*1000} || I <- lists:seq(1,12)]
        check(
            .list((1...12).map { .tuple([.atom("key\($0)"), .integer($0 * 1000)]) }),
            p: "[{key1,1000},\n {key2,2000},\n {key3,3000},\n {key4,4000},\n {key5,5000},\n {key6,6000},\n {key7,7000},\n {key8,8000},\n {key9,9000},\n {key10,10000},\n {key11,11000},\n {key12,12000}]",
            w: "[{key1,1000},{key2,2000},{key3,3000},{key4,4000},{key5,5000},{key6,6000},{key7,7000},{key8,8000},{key9,9000},{key10,10000},{key11,11000},{key12,12000}]",
            tp: "[{key1,1000},\n {key2,2000},\n {key3,3000},\n {key4,4000},\n {key5,5000},\n {key6,6000},\n {key7,7000},\n {key8,8000},\n {key9,9000},\n {key10,10000},\n {key11,11000},\n {key12,12000}]",
            tw: "[{key1,1000},{key2,2000},{key3,3000},{key4,4000},{key5,5000},{key6,6000},{key7,7000},{key8,8000},{key9,9000},{key10,10000},{key11,11000},{key12,12000}]",
            p40: "[{key1,1000},\n {key2,2000},\n {key3,3000},\n {key4,4000},\n {key5,5000},\n {key6,6000},\n {key7,7000},\n {key8,8000},\n {key9,9000},\n {key10,10000},\n {key11,11000},\n {key12,12000}]"
        )
        // #{config => #{db => #{host => "localhost", port => 5432, pool => 10, user => "admin", password => "secret"}, cache => #{ttl => 3600, size => 1000}}, name => <<"my_app">>}
        check(
            ["config": ["db": ["host": .charlist("localhost"), "port": 5432, "pool": 10, "user": .charlist("admin"), "password": .charlist("secret")], "cache": ["ttl": 3600, "size": 1000]], "name": .string("my_app")],
            p: "#{config =>\n      #{cache => #{size => 1000,ttl => 3600},\n        db =>\n            #{host => \"localhost\",password => \"secret\",pool => 10,\n              port => 5432,user => \"admin\"}},\n  name => <<\"my_app\">>}",
            w: "#{config => #{cache => #{size => 1000,ttl => 3600},db => #{host => [108,111,99,97,108,104,111,115,116],password => [115,101,99,114,101,116],pool => 10,port => 5432,user => [97,100,109,105,110]}},name => <<109,121,95,97,112,112>>}",
            tp: "#{config =>\n      #{cache => #{size => 1000,ttl => 3600},\n        db =>\n            #{host => \"localhost\",password => \"secret\",pool => 10,\n              port => 5432,user => \"admin\"}},\n  name => <<\"my_app\">>}",
            tw: "#{config => #{cache => #{size => 1000,ttl => 3600},db => #{host => [108,111,99,97,108,104,111,115,116],password => [115,101,99,114,101,116],pool => 10,port => 5432,user => [97,100,109,105,110]}},name => <<109,121,95,97,112,112>>}",
            p40: "#{config =>\n      #{cache =>\n            #{size => 1000,\n              ttl => 3600},\n        db =>\n            #{host => \"localhost\",\n              password => \"secret\",\n              pool => 10,port => 5432,\n              user => \"admin\"}},\n  name => <<\"my_app\">>}"
        )
        // {a,{b,{c,{d,{e,{f,{g,{h,{i,{j,{k,{l,{m,{n,{o,{p,lists:seq(1,20)}}}}}}}}}}}}}}}}
        check(
            "abcdefghijklmnop".reversed().reduce(Term.list((1...20).map { .integer($0) })) { .tuple([.atom(String($1)), $0]) },
            p: "{a,\n {b,\n  {c,\n   {d,\n    {e,\n     {f,\n      {g,\n       {h,\n        {i,\n         {j,\n          {k,\n           {l,\n            {m,\n             {n,\n              {o,\n               {p,\n                [1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,\n                 20]}}}}}}}}}}}}}}}}",
            w: "{a,{b,{c,{d,{e,{f,{g,{h,{i,{j,{k,{l,{m,{n,{o,{p,[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20]}}}}}}}}}}}}}}}}",
            tp: "{a,\n {b,\n  {c,\n   {d,\n    {e,\n     {f,\n      {g,\n       {h,\n        {i,\n         {j,\n          {k,\n           {l,\n            {m,\n             {n,\n              {o,\n               {p,\n                [1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,\n                 20]}}}}}}}}}}}}}}}}",
            tw: "{a,{b,{c,{d,{e,{f,{g,{h,{i,{j,{k,{l,{m,{n,{o,{p,[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20]}}}}}}}}}}}}}}}}",
            p40: "{a,\n {b,\n  {c,\n   {d,\n    {e,\n     {f,\n      {g,\n       {h,\n        {i,\n         {j,\n          {k,\n           {l,\n            {m,\n             {n,\n              {o,\n               {p,\n                [1,2,3,4,5,6,7,8,9,10,\n                 11,12,13,14,15,16,17,\n                 18,19,\n                 20]}}}}}}}}}}}}}}}}"
        )
        // lists:duplicate(100, $a)
        check(
            .charlist(String(repeating: "a", count: 100)),
            p: "\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"",
            w: "[97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97]",
            tp: "\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"",
            tw: "[97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97]",
            p40: "\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\""
        )
        // {state, list_to_pid("<0.80.0>"), [{pending, lists:seq(1,30)}], #{a => "string value that is quite long", b => <<"binary that is also quite long">>}, {timer, list_to_ref("#Ref<0.1.2.3>")}}
        check(
            .tuple(["state", .pid(Pid(node: "nonode@nohost", id: 80, serial: 0, creation: 0)), .list([.tuple(["pending", .list((1...30).map { .integer($0) })])]), ["a": .charlist("string value that is quite long"), "b": .string("binary that is also quite long")], .tuple(["timer", .reference(Reference(node: "nonode@nohost", creation: 0, ids: [3, 2, 1]))])]),
            p: "{state,<0.80.0>,\n       [{pending,[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,\n                  24,25,26,27,28,29,30]}],\n       #{a => \"string value that is quite long\",\n         b => <<\"binary that is also quite long\">>},\n       {timer,#Ref<0.1.2.3>}}",
            w: "{state,<0.80.0>,[{pending,[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30]}],#{a => [115,116,114,105,110,103,32,118,97,108,117,101,32,116,104,97,116,32,105,115,32,113,117,105,116,101,32,108,111,110,103],b => <<98,105,110,97,114,121,32,116,104,97,116,32,105,115,32,97,108,115,111,32,113,117,105,116,101,32,108,111,110,103>>},{timer,#Ref<0.1.2.3>}}",
            tp: "{state,<0.80.0>,\n       [{pending,[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,\n                  24,25,26,27,28,29,30]}],\n       #{a => \"string value that is quite long\",\n         b => <<\"binary that is also quite long\">>},\n       {timer,#Ref<0.1.2.3>}}",
            tw: "{state,<0.80.0>,[{pending,[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30]}],#{a => [115,116,114,105,110,103,32,118,97,108,117,101,32,116,104,97,116,32,105,115,32,113,117,105,116,101,32,108,111,110,103],b => <<98,105,110,97,114,121,32,116,104,97,116,32,105,115,32,97,108,115,111,32,113,117,105,116,101,32,108,111,110,103>>},{timer,#Ref<0.1.2.3>}}",
            p40: "{state,<0.80.0>,\n       [{pending,[1,2,3,4,5,6,7,8,9,\n                  10,11,12,13,14,15,\n                  16,17,18,19,20,21,\n                  22,23,24,25,26,27,\n                  28,29,30]}],\n       #{a =>\n             \"string value that is quite long\",\n         b =>\n             <<\"binary that is also quite long\">>},\n       {timer,#Ref<0.1.2.3>}}"
        )
        // list_to_binary(lists:seq(0,100))
        check(
            .binary(Array(0...100)),
            p: "<<0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,\n  29,30,31,32,33,34,35,36,37,38,39,40,41,42,43,44,45,46,47,48,49,50,51,52,53,\n  54,55,56,57,58,59,60,61,62,63,64,65,66,67,68,69,70,71,72,73,74,75,76,77,78,\n  79,80,81,82,83,84,85,86,87,88,89,90,91,92,93,94,95,96,97,98,99,100>>",
            w: "<<0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31,32,33,34,35,36,37,38,39,40,41,42,43,44,45,46,47,48,49,50,51,52,53,54,55,56,57,58,59,60,61,62,63,64,65,66,67,68,69,70,71,72,73,74,75,76,77,78,79,80,81,82,83,84,85,86,87,88,89,90,91,92,93,94,95,96,97,98,99,100>>",
            tp: "<<0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,\n  29,30,31,32,33,34,35,36,37,38,39,40,41,42,43,44,45,46,47,48,49,50,51,52,53,\n  54,55,56,57,58,59,60,61,62,63,64,65,66,67,68,69,70,71,72,73,74,75,76,77,78,\n  79,80,81,82,83,84,85,86,87,88,89,90,91,92,93,94,95,96,97,98,99,100>>",
            tw: "<<0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31,32,33,34,35,36,37,38,39,40,41,42,43,44,45,46,47,48,49,50,51,52,53,54,55,56,57,58,59,60,61,62,63,64,65,66,67,68,69,70,71,72,73,74,75,76,77,78,79,80,81,82,83,84,85,86,87,88,89,90,91,92,93,94,95,96,97,98,99,100>>",
            p40: "<<0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,\n  15,16,17,18,19,20,21,22,23,24,25,26,\n  27,28,29,30,31,32,33,34,35,36,37,38,\n  39,40,41,42,43,44,45,46,47,48,49,50,\n  51,52,53,54,55,56,57,58,59,60,61,62,\n  63,64,65,66,67,68,69,70,71,72,73,74,\n  75,76,77,78,79,80,81,82,83,84,85,86,\n  87,88,89,90,91,92,93,94,95,96,97,98,\n  99,100>>"
        )
        // list_to_binary(lists:duplicate(100, $a))
        check(
            .string(String(repeating: "a", count: 100)),
            p: "<<\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\">>",
            w: "<<97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97>>",
            tp: "<<\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\">>",
            tw: "<<97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97,97>>",
            p40: "<<\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\">>"
        )
        // {very_long_tag_name_for_a_record_like_tuple, lists:seq(1,30), "x"}
        check(
            .tuple(["very_long_tag_name_for_a_record_like_tuple", .list((1...30).map { .integer($0) }), .charlist("x")]),
            p: "{very_long_tag_name_for_a_record_like_tuple,\n    [1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,\n     28,29,30],\n    \"x\"}",
            w: "{very_long_tag_name_for_a_record_like_tuple,[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30],[120]}",
            tp: "{very_long_tag_name_for_a_record_like_tuple,\n    [1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,\n     28,29,30],\n    \"x\"}",
            tw: "{very_long_tag_name_for_a_record_like_tuple,[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30],[120]}",
            p40: "{very_long_tag_name_for_a_record_like_tuple,\n    [1,2,3,4,5,6,7,8,9,10,11,12,13,14,\n     15,16,17,18,19,20,21,22,23,24,25,\n     26,27,28,29,30],\n    \"x\"}"
        )
        // lists:foldr(fun(X,A) -> [X|A] end, tail_atom, lists:seq(1,30))
        check(
            .improperList((1...30).map { .integer($0) }, tail: "tail_atom"),
            p: "[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,\n 29,30|tail_atom]",
            w: "[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30|tail_atom]",
            tp: "[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,\n 29,30|tail_atom]",
            tw: "[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30|tail_atom]",
            p40: "[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,\n 16,17,18,19,20,21,22,23,24,25,26,27,\n 28,29,30|tail_atom]"
        )
        // #{{a,1} => x, {b,2} => y, c => [1,2,3]}
        check(
            .map(TermMap([(.tuple(["a", 1]), "x"), (.tuple(["b", 2]), "y"), ("c", [1, 2, 3])])),
            p: "#{c => [1,2,3],{a,1} => x,{b,2} => y}",
            w: "#{c => [1,2,3],{a,1} => x,{b,2} => y}",
            tp: "#{c => [1,2,3],{a,1} => x,{b,2} => y}",
            tw: "#{c => [1,2,3],{a,1} => x,{b,2} => y}",
            p40: "#{c => [1,2,3],{a,1} => x,{b,2} => y}"
        )
        // [{K, lists:seq(1,K)} || K <- lists:seq(1,12)]
        check(
            .list((1...12).map { k in .tuple([.integer(k), .list((1...k).map { .integer($0) })]) }),
            p: "[{1,[1]},\n {2,[1,2]},\n {3,[1,2,3]},\n {4,[1,2,3,4]},\n {5,[1,2,3,4,5]},\n {6,[1,2,3,4,5,6]},\n {7,[1,2,3,4,5,6,7]},\n {8,[1,2,3,4,5,6,7,8]},\n {9,[1,2,3,4,5,6,7,8,9]},\n {10,[1,2,3,4,5,6,7,8,9,10]},\n {11,[1,2,3,4,5,6,7,8,9,10,11]},\n {12,[1,2,3,4,5,6,7,8,9,10,11,12]}]",
            w: "[{1,[1]},{2,[1,2]},{3,[1,2,3]},{4,[1,2,3,4]},{5,[1,2,3,4,5]},{6,[1,2,3,4,5,6]},{7,[1,2,3,4,5,6,7]},{8,[1,2,3,4,5,6,7,8]},{9,[1,2,3,4,5,6,7,8,9]},{10,[1,2,3,4,5,6,7,8,9,10]},{11,[1,2,3,4,5,6,7,8,9,10,11]},{12,[1,2,3,4,5,6,7,8,9,10,11,12]}]",
            tp: "[{1,[1]},\n {2,[1,2]},\n {3,[1,2,3]},\n {4,[1,2,3,4]},\n {5,[1,2,3,4,5]},\n {6,[1,2,3,4,5,6]},\n {7,[1,2,3,4,5,6,7]},\n {8,[1,2,3,4,5,6,7,8]},\n {9,[1,2,3,4,5,6,7,8,9]},\n {10,[1,2,3,4,5,6,7,8,9,10]},\n {11,[1,2,3,4,5,6,7,8,9,10,11]},\n {12,[1,2,3,4,5,6,7,8,9,10,11,12]}]",
            tw: "[{1,[1]},{2,[1,2]},{3,[1,2,3]},{4,[1,2,3,4]},{5,[1,2,3,4,5]},{6,[1,2,3,4,5,6]},{7,[1,2,3,4,5,6,7]},{8,[1,2,3,4,5,6,7,8]},{9,[1,2,3,4,5,6,7,8,9]},{10,[1,2,3,4,5,6,7,8,9,10]},{11,[1,2,3,4,5,6,7,8,9,10,11]},{12,[1,2,3,4,5,6,7,8,9,10,11,12]}]",
            p40: "[{1,[1]},\n {2,[1,2]},\n {3,[1,2,3]},\n {4,[1,2,3,4]},\n {5,[1,2,3,4,5]},\n {6,[1,2,3,4,5,6]},\n {7,[1,2,3,4,5,6,7]},\n {8,[1,2,3,4,5,6,7,8]},\n {9,[1,2,3,4,5,6,7,8,9]},\n {10,[1,2,3,4,5,6,7,8,9,10]},\n {11,[1,2,3,4,5,6,7,8,9,10,11]},\n {12,[1,2,3,4,5,6,7,8,9,10,11,12]}]"
        )
        // {ok, [#{id => I, name => list_to_binary("user" ++ integer_to_list(I)), tags => [admin, staff]} || I <- lists:seq(1,4)]}
        check(
            .tuple(["ok", .list((1...4).map { i in ["id": .integer(i), "name": .string("user\(i)"), "tags": ["admin", "staff"]] })]),
            p: "{ok,[#{id => 1,name => <<\"user1\">>,tags => [admin,staff]},\n     #{id => 2,name => <<\"user2\">>,tags => [admin,staff]},\n     #{id => 3,name => <<\"user3\">>,tags => [admin,staff]},\n     #{id => 4,name => <<\"user4\">>,tags => [admin,staff]}]}",
            w: "{ok,[#{id => 1,name => <<117,115,101,114,49>>,tags => [admin,staff]},#{id => 2,name => <<117,115,101,114,50>>,tags => [admin,staff]},#{id => 3,name => <<117,115,101,114,51>>,tags => [admin,staff]},#{id => 4,name => <<117,115,101,114,52>>,tags => [admin,staff]}]}",
            tp: "{ok,[#{id => 1,name => <<\"user1\">>,tags => [admin,staff]},\n     #{id => 2,name => <<\"user2\">>,tags => [admin,staff]},\n     #{id => 3,name => <<\"user3\">>,tags => [admin,staff]},\n     #{id => 4,name => <<\"user4\">>,tags => [admin,staff]}]}",
            tw: "{ok,[#{id => 1,name => <<117,115,101,114,49>>,tags => [admin,staff]},#{id => 2,name => <<117,115,101,114,50>>,tags => [admin,staff]},#{id => 3,name => <<117,115,101,114,51>>,tags => [admin,staff]},#{id => 4,name => <<117,115,101,114,52>>,tags => [admin,staff]}]}",
            p40: "{ok,[#{id => 1,name => <<\"user1\">>,\n       tags => [admin,staff]},\n     #{id => 2,name => <<\"user2\">>,\n       tags => [admin,staff]},\n     #{id => 3,name => <<\"user3\">>,\n       tags => [admin,staff]},\n     #{id => 4,name => <<\"user4\">>,\n       tags => [admin,staff]}]}"
        )
        // {error, {badmatch, [<<"a long binary in an error reason">>, {reason, "text", 12345678901234567890}]}, [{mod, fn, 2, [{file, "src/mod.erl"}, {line, 42}]}]}
        check(
            .tuple(["error", .tuple(["badmatch", .list([.string("a long binary in an error reason"), .tuple(["reason", .charlist("text"), .int(BigInt(UInt64(12_345_678_901_234_567_890)))])])]), .list([.tuple(["mod", "fn", 2, .keywordList(["file": .charlist("src/mod.erl"), "line": 42])])])]),
            p: "{error,{badmatch,[<<\"a long binary in an error reason\">>,\n                  {reason,\"text\",12345678901234567890}]},\n       [{mod,fn,2,[{file,\"src/mod.erl\"},{line,42}]}]}",
            w: "{error,{badmatch,[<<97,32,108,111,110,103,32,98,105,110,97,114,121,32,105,110,32,97,110,32,101,114,114,111,114,32,114,101,97,115,111,110>>,{reason,[116,101,120,116],12345678901234567890}]},[{mod,fn,2,[{file,[115,114,99,47,109,111,100,46,101,114,108]},{line,42}]}]}",
            tp: "{error,{badmatch,[<<\"a long binary in an error reason\">>,\n                  {reason,\"text\",12345678901234567890}]},\n       [{mod,fn,2,[{file,\"src/mod.erl\"},{line,42}]}]}",
            tw: "{error,{badmatch,[<<97,32,108,111,110,103,32,98,105,110,97,114,121,32,105,110,32,97,110,32,101,114,114,111,114,32,114,101,97,115,111,110>>,{reason,[116,101,120,116],12345678901234567890}]},[{mod,fn,2,[{file,[115,114,99,47,109,111,100,46,101,114,108]},{line,42}]}]}",
            p40: "{error,\n    {badmatch,\n        [<<\"a long binary in an error reason\">>,\n         {reason,\"text\",\n             12345678901234567890}]},\n    [{mod,fn,2,\n         [{file,\"src/mod.erl\"},\n          {line,42}]}]}"
        )
        // [lists:duplicate(30, $x), lists:duplicate(30, $y), lists:duplicate(30, $z)]
        check(
            .list(["x", "y", "z"].map { .charlist(String(repeating: $0, count: 30)) }),
            p: "[\"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\",\"yyyyyyyyyyyyyyyyyyyyyyyyyyyyyy\",\n \"zzzzzzzzzzzzzzzzzzzzzzzzzzzzzz\"]",
            w: "[[120,120,120,120,120,120,120,120,120,120,120,120,120,120,120,120,120,120,120,120,120,120,120,120,120,120,120,120,120,120],[121,121,121,121,121,121,121,121,121,121,121,121,121,121,121,121,121,121,121,121,121,121,121,121,121,121,121,121,121,121],[122,122,122,122,122,122,122,122,122,122,122,122,122,122,122,122,122,122,122,122,122,122,122,122,122,122,122,122,122,122]]",
            tp: "[\"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\",\"yyyyyyyyyyyyyyyyyyyyyyyyyyyyyy\",\n \"zzzzzzzzzzzzzzzzzzzzzzzzzzzzzz\"]",
            tw: "[[120,120,120,120,120,120,120,120,120,120,120,120,120,120,120,120,120,120,120,120,120,120,120,120,120,120,120,120,120,120],[121,121,121,121,121,121,121,121,121,121,121,121,121,121,121,121,121,121,121,121,121,121,121,121,121,121,121,121,121,121],[122,122,122,122,122,122,122,122,122,122,122,122,122,122,122,122,122,122,122,122,122,122,122,122,122,122,122,122,122,122]]",
            p40: "[\"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\",\n \"yyyyyyyyyyyyyyyyyyyyyyyyyyyyyy\",\n \"zzzzzzzzzzzzzzzzzzzzzzzzzzzzzz\"]"
        )
        // #{list_to_atom([1087,1088,1080]) => <<208,191,209,128,208,184,208,178,208,181,209,130,32,208,188,208,184,209,128>>, [1087] => "latin1 \351t\351"}
        check(
            .map(TermMap([(.atom("при"), .string("привет мир")), (.charlist("п"), .charlist("latin1 \u{E9}t\u{E9}"))])),
            p: "#{'\\x{43F}\\x{440}\\x{438}' =>\n      <<208,191,209,128,208,184,208,178,208,181,209,130,32,208,188,208,184,209,\n        128>>,\n  [1087] => \"latin1 été\"}",
            w: "#{'\\x{43F}\\x{440}\\x{438}' => <<208,191,209,128,208,184,208,178,208,181,209,130,32,208,188,208,184,209,128>>,[1087] => [108,97,116,105,110,49,32,233,116,233]}",
            tp: "#{'при' =>\n      <<208,191,209,128,208,184,208,178,208,181,209,130,32,208,188,208,184,209,\n        128>>,\n  [1087] => \"latin1 été\"}",
            tw: "#{'при' => <<208,191,209,128,208,184,208,178,208,181,209,130,32,208,188,208,184,209,128>>,[1087] => [108,97,116,105,110,49,32,233,116,233]}",
            p40: "#{'\\x{43F}\\x{440}\\x{438}' =>\n      <<208,191,209,128,208,184,208,\n        178,208,181,209,130,32,208,188,\n        208,184,209,128>>,\n  [1087] => \"latin1 été\"}"
        )
    }
}
