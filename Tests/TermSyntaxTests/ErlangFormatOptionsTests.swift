// ErlangFormatOptions against OTP 25: depth (~P, ~W), printable range (+pc unicode), remote node numbers, map
// order of large maps, local funs, and the small public helpers. Expected texts come from `erl -noshell -eval`; the
// Erlang expression is in the comment above each.

import ErlangTerm
import TermSyntax
import XCTest

final class ErlangFormatOptionsTests: XCTestCase {
    // T1 = {a, [1,2,3,4,5,6], #{k => v, k2 => [1,2]}, <<"binary">>, "string", {x,{y,{z}}}, [a|b],
    //       <<1,2,3,4,5,6,7,8,9>>}
    private let t1: Term = .tuple([
        "a", [1, 2, 3, 4, 5, 6], ["k": "v", "k2": [1, 2]], .string("binary"), .charlist("string"),
        .tuple(["x", .tuple(["y", .tuple(["z"])])]), .improperList(["a"], tail: "b"), .binary(Array(1...9)),
    ])

    func testDepth() {
        // [io_lib:format("~P", [T1, D]) || D <- lists:seq(1,7)] and the same with "~W"
        let pDepth = ["{...}", "{a,...}", "{a,[...],...}", "{a,[1|...],#{...},...}", "{a,[1,2|...],#{k => v,...},<<...>>,...}", "{a,[1,2,3|...],#{k => v,k2 => [1|...]},<<\"bina\"...>>,[...],...}", "{a,[1,2,3,4|...],#{k => v,k2 => [1,2]},<<\"binary\">>,\"string\",{...},...}"]
        let wDepth = ["{...}", "{a,...}", "{a,[...],...}", "{a,[1|...],#{},...}", "{a,[1,2|...],#{k => v,...},<<...>>,...}", "{a,[1,2,3|...],#{k => v,k2 => [1|...],...},<<98,...>>,[...],...}", "{a,[1,2,3,4|...],#{k => v,k2 => [1,2]},<<98,105,...>>,[115|...],{...},...}"]
        for d in 1...7 {
            XCTAssertEqual(ErlangFormat.pretty(t1, options: ErlangFormatOptions(depth: d)), pDepth[d - 1], "~P \(d)")
            XCTAssertEqual(ErlangFormat.write(t1, options: ErlangFormatOptions(depth: d)), wDepth[d - 1], "~W \(d)")
        }
        // io_lib:format("~P", [lists:seq(1,40), 10])
        let seq10 = "[1,2,3,4,5,6,7,8,9|...]"
        XCTAssertEqual(
            ErlangFormat.pretty(.list((1...40).map { .integer($0) }), options: ErlangFormatOptions(depth: 10)), seq10)
        // io_lib:format("~P", [lists:duplicate(40, {abc, "def"}), 20])
        let tuples20 = "[{abc,\"def\"},\n {abc,\"def\"},\n {abc,\"def\"},\n {abc,\"def\"},\n {abc,\"def\"},\n {abc,\"def\"},\n {abc,\"def\"},\n {abc,\"def\"},\n {abc,\"def\"},\n {abc,\"def\"},\n {abc,\"def\"},\n {abc,\"def\"},\n {abc,\"def\"},\n {abc,\"def\"},\n {abc,\"def\"},\n {abc,\"def\"},\n {abc,[...]},\n {abc,...},\n {...}|...]"
        let tuples: Term = .list(Array(repeating: .tuple(["abc", .charlist("def")]), count: 40))
        XCTAssertEqual(ErlangFormat.pretty(tuples, options: ErlangFormatOptions(depth: 20)), tuples20)
    }

    func testPrintableRangeUnicode() {
        var tp = ErlangFormatOptions.unicode
        tp.printableRange = .unicode
        // erl +pc unicode: io_lib:format("~tp", [[1087]])
        XCTAssertEqual(ErlangFormat.pretty(.charlist("п"), options: tp), "\"п\"")
        // erl +pc unicode: io_lib:format("~tp", [<<208,191>>])
        XCTAssertEqual(ErlangFormat.pretty(.string("п"), options: tp), "<<\"п\"/utf8>>")
        // erl +pc unicode: io_lib:format("~tp", [{[1087,1088], <<"ok">>, [1,1087], list_to_atom([1087])}])
        XCTAssertEqual(
            ErlangFormat.pretty(.tuple([.charlist("пр"), .string("ok"), [1, 1087], .atom("п")]), options: tp),
            "{\"пр\",<<\"ok\">>,[1,1087],'п'}")
        // The default range (plain erl): io_lib:format("~tp", [[1087]]) and ~tp of <<208,191>>
        XCTAssertEqual(ErlangFormat.pretty(.charlist("п"), options: .unicode), "[1087]")
        XCTAssertEqual(ErlangFormat.pretty(.string("п"), options: .unicode), "<<208,191>>")
        // ~p ignores the range: io_lib:format("~p", [<<208,191>>]) is <<"Ð¿">>
        var p = ErlangFormatOptions()
        p.printableRange = .unicode
        XCTAssertEqual(ErlangFormat.pretty(.string("п"), options: p), "<<\"\u{D0}\u{BF}\">>")
    }

    func testRemoteNodeNumbers() {
        let remote = Pid(node: "a@host", id: 5, serial: 6, creation: 3)
        let local = Pid(node: "nonode@nohost", id: 80, serial: 0, creation: 0)
        // A fresh erl prints binary_to_term of a pid from a@host as <8614.5.6>: the index of the atom 'a@host'.
        var options = ErlangFormatOptions()
        XCTAssertEqual(ErlangFormat.write(.pid(remote), options: options), "<1.5.6>")
        options.nodeNumbers["a@host"] = 8614
        XCTAssertEqual(ErlangFormat.write(.pid(remote), options: options), "<8614.5.6>")
        XCTAssertEqual(ErlangFormat.write(.pid(local), options: options), "<0.80.0>")
        XCTAssertEqual(
            ErlangFormat.write(.port(ErlangPort(node: "a@host", id: 9, creation: 3)), options: options), "#Port<8614.9>")
        XCTAssertEqual(
            ErlangFormat.write(.reference(Reference(node: "a@host", creation: 1, ids: [1, 2, 3])), options: options),
            "#Ref<8614.3.2.1>")
        options.localNode = "a@host"
        XCTAssertEqual(ErlangFormat.write(.pid(remote), options: options), "<0.5.6>")
        options.defaultRemoteNodeNumber = 7
        XCTAssertEqual(ErlangFormat.write(.pid(local), options: options), "<7.80.0>")
    }

    func testLargeMapsPrintInOTPOrder() {
        // M = maps:from_list([{K, K rem 7} || K <- lists:seq(1,40)]): term_to_binary(M) holds the keys in this order,
        // and io_lib:format("~p", [M]) prints them in reverse.
        let etfOrder = [33, 12, 23, 29, 30, 39, 26, 31, 11, 37, 9, 32, 34, 25, 28, 6, 38, 13, 40, 20, 15, 14, 2, 7, 1,
                        8, 3, 17, 22, 21, 4, 36, 24, 10, 35, 27, 19, 5, 18, 16]
        let map = Term.map(TermMap(uniqueEntries: etfOrder.map { (key: .integer($0), value: .integer($0 % 7)) }))
        XCTAssertEqual(
            ErlangFormat.pretty(map),
            """
            #{16 => 2,18 => 4,5 => 5,19 => 5,27 => 6,35 => 0,10 => 3,24 => 3,36 => 1,
              4 => 4,21 => 0,22 => 1,17 => 3,3 => 3,8 => 1,1 => 1,7 => 0,2 => 2,14 => 0,
              15 => 1,20 => 6,40 => 5,13 => 6,38 => 3,6 => 6,28 => 0,25 => 4,34 => 6,
              32 => 4,9 => 2,37 => 2,11 => 4,31 => 3,26 => 5,39 => 4,30 => 2,29 => 1,
              23 => 2,12 => 5,33 => 5}
            """)
        var sorted = ErlangFormatOptions()
        sorted.mapOrder = .termOrder
        XCTAssertTrue(ErlangFormat.write(map, options: sorted).hasPrefix("#{1 => 1,2 => 2,3 => 3,"))
        var given = ErlangFormatOptions()
        given.mapOrder = .asGiven
        XCTAssertTrue(ErlangFormat.write(map, options: given).hasPrefix("#{33 => 5,12 => 5,"))
        // Small maps sort by term order, integers before floats: io_lib:format("~w", [#{1.0 => a, 2 => b, 0.5 => c}])
        XCTAssertEqual(
            ErlangFormat.write(.map(TermMap([(1.0, "a"), (2, "b"), (0.5, "c")]))), "#{2 => b,0.5 => c,1.0 => a}")
    }

    func testLocalFun() throws {
        // A fun made in module 'Elixir.Foo' (compiled from forms) by f(X) -> fun() -> X end, called as f(42);
        // term_to_binary(F) is these bytes and io_lib:format("~p", [F]) is #Fun<Elixir.Foo.0.124018442>.
        let bytes: [UInt8] = [
            131, 112, 0, 0, 0, 80, 0, 236, 139, 225, 73, 49, 242, 186, 0, 66, 17, 221, 208, 49, 82, 8, 131, 0, 0, 0, 0,
            0, 0, 0, 1, 100, 0, 10, 69, 108, 105, 120, 105, 114, 46, 70, 111, 111, 97, 0, 98, 7, 100, 95, 10, 88, 100,
            0, 13, 110, 111, 110, 111, 100, 101, 64, 110, 111, 104, 111, 115, 116, 0, 0, 0, 9, 0, 0, 0, 0, 0, 0, 0, 0,
            97, 42,
        ]
        let fun = try Term(etf: bytes)
        XCTAssertEqual(ErlangFormat.pretty(fun), "#Fun<Elixir.Foo.0.124018442>")
        XCTAssertEqual(ErlangFormat.write(fun), "#Fun<Elixir.Foo.0.124018442>")
    }

    func testHelpers() {
        XCTAssertEqual(ErlangFormat.atom("ok"), "ok")
        XCTAssertEqual(ErlangFormat.atom("Elixir.Enum"), "'Elixir.Enum'")
        XCTAssertEqual(ErlangFormat.atom("привет"), "'привет'")
        XCTAssertEqual(
            ErlangFormat.atom("привет", unicode: false), "'\\x{43F}\\x{440}\\x{438}\\x{432}\\x{435}\\x{442}'")
        XCTAssertEqual(ErlangFormat.float(1e20), "1.0e20")
        XCTAssertEqual(ErlangFormat.float(-0.0), "-0.0")
        XCTAssertEqual(ErlangFormat.float(0.1), "0.1")
    }

    func testLineLengthZeroNeverBreaks() {
        var options = ErlangFormatOptions()
        options.lineLength = 0
        let long: Term = .list((1...100).map { .integer($0) })
        XCTAssertEqual(ErlangFormat.pretty(long, options: options), ErlangFormat.write(long))
    }
}
