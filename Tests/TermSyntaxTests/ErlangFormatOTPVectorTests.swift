// `io_lib:format` expectations copied from OTP's own test suite, checked against ErlangFormat with the profile of the
// release they come from (issue 16). None of them ran here: the only VM here is OTP 25.
//
// Source: erlang/otp lib/stdlib/test/io_SUITE.erl at commit 3731fd7451cf85b839b2f1008bbbc7bb2dda3a6d, the newest
// version of the file found in the stored erlang/otp index (others there are from 2014-2019): "Copyright Ericsson AB
// 1999-2023", with the `~k`/`~K` map-order tests that came with maps:iterator/2 in OTP 26.0 (erlang/otp PR #6718;
// `maps/1`, `unscan_format_without_maps_order/1`), so the suite as OTP 26 runs it. No version of io_SUITE.erl or
// io_proto_SUITE.erl from OTP 27 or 28 was found there (the io_proto_SUITE.erl found is from 2017, at 44a83c8860bb,
// and has no ~p/~w expectations), so OTP 27 and 28 rest on the OTP 26 expectations (checked on every profile where
// they do not depend on map order) plus ErlangFormatProfileTests (`'maybe'`/`'else'`, erl_features.erl). Line
// numbers are not stable in the index; each vector names its test case in io_SUITE.erl and the character offset of
// the chunk it was read from (read_file offset), which locates it in that commit's file.
//
// The suite's helpers, as defined there: `fmt(F, A)` is `io_lib:format(F, A)` flattened; `p(T, D)` is
// `io_lib_pretty:print(T, 1, 80, D, 60, RecordFun)` and `p(T, Col, Ll, D)` the same with column `Col`, line length
// `Ll` and no records; `pretty(T, D)` (otp_10302) is `io_lib_pretty:print(T, [{column,1}, {line_length,20},
// {depth,D}, {line_max_chars,60}, {encoding,unicode}])`. Depth -1 is unlimited (nil here). None of the vectors below
// has a record tag or a line long enough for `line_max_chars` to matter.

import ErlangTerm
import TermSyntax
import XCTest

final class ErlangFormatOTPVectorTests: XCTestCase {
    /// `~p` (or, with `unicode`, `~tp`) of an OTP `otp` node.
    private func options(
        otp: Int = 26, lineLength: Int = 80, unicode: Bool = false, depth: Int? = nil
    ) -> ErlangFormatOptions {
        var o = ErlangFormatOptions(lineLength: lineLength, unicode: unicode, depth: depth)
        o.profile = PrinterProfile(elixir: .init(1, 14), otp: otp)
        return o
    }

    private func fmtP(_ t: Term, _ change: (inout ErlangFormatOptions) -> Void = { _ in }) -> String {
        var o = options()
        change(&o)
        return ErlangFormat.pretty(t, options: o)
    }

    private func fmtW(_ t: Term, _ change: (inout ErlangFormatOptions) -> Void = { _ in }) -> String {
        var o = options()
        change(&o)
        return ErlangFormat.write(t, options: o)
    }

    private func map(_ pairs: [(Term, Term)]) -> Term { .map(TermMap(pairs)) }

    /// Whether `text` matches the suite's `re_fmt` pattern (Erlang `re`, which reads these like NSRegularExpression).
    private func matches(_ text: String, _ pattern: String) -> Bool {
        text.range(of: "^(?:" + pattern + ")", options: .regularExpression) != nil
    }

    // MARK: maps/1 (read_file offset 80000): map order on OTP 26

    func testMaps() {
        let atomMap1 = map([("a", "b")])
        // "Note that order in which a map is printed is arbitrary" (maps/1): on OTP 26 a small map prints in its
        // internal order, the order it arrives in; both orders of the two keys must match the suite's patterns.
        let atomMap2Orders = [map([("a", "b"), ("c", "d")]), map([("c", "d"), ("a", "b")])]
        let atomMap3Orders = [
            map([("a", "b"), ("c", "d"), ("e", "f")]), map([("e", "f"), ("a", "b"), ("c", "d")]),
            map([("c", "d"), ("e", "f"), ("a", "b")]),
        ]

        // "#{}" = fmt("~w", [#{}]), "#{a => b}" = fmt("~w", [AtomMap1])
        XCTAssertEqual(fmtW(map([])), "#{}")
        XCTAssertEqual(fmtW(atomMap1), "#{a => b}")
        // re_fmt(<<"#\\{(a => b|c => d),[.][.][.]\\}">>, "~W", [AtomMap2, 2])
        for m in atomMap2Orders {
            XCTAssertTrue(matches(fmtW(m) { $0.depth = 2 }, #"#\{(a => b|c => d),[.][.][.]\}"#), fmtW(m))
        }
        for m in atomMap3Orders {
            // re_fmt(<<"#\\{(a => b|c => d|e => f),[.][.][.]\\}">>, "~W", [AtomMap3, 2])
            XCTAssertTrue(matches(fmtW(m) { $0.depth = 2 }, #"#\{(a => b|c => d|e => f),[.][.][.]\}"#))
            // "#{a => b,c => d,e => f}" = fmt("~kw", [AtomMap3])
            XCTAssertEqual(fmtW(m) { $0.mapOrder = .termOrder }, "#{a => b,c => d,e => f}")
            // "#{a => b,c => d,e => f}" = fmt("~kp", [AtomMap3])
            XCTAssertEqual(fmtP(m) { $0.mapOrder = .termOrder }, "#{a => b,c => d,e => f}")
            // re_fmt(<<"#\\{(a => b|c => d|e => f),[.][.][.]\\}">>, "~P", [AtomMap3, 2])
            XCTAssertTrue(matches(fmtP(m) { $0.depth = 2 }, #"#\{(a => b|c => d|e => f),[.][.][.]\}"#))
        }
        // "#{}" = fmt("~p", [#{}]), "#{a => b}" = fmt("~p", [AtomMap1]), "#{...}" = fmt("~P", [AtomMap1, 1])
        XCTAssertEqual(fmtP(map([])), "#{}")
        XCTAssertEqual(fmtP(atomMap1), "#{a => b}")
        XCTAssertEqual(fmtP(atomMap1) { $0.depth = 1 }, "#{...}")
        // re_fmt(<<"#\\{(a => b|c => d),[.][.][.]\\}">>, "~P", [AtomMap2, 2]); with OTP 26 the first key is the
        // first in internal (wire) order.
        XCTAssertEqual(fmtP(atomMap2Orders[0]) { $0.depth = 2 }, "#{a => b,...}")
        XCTAssertEqual(fmtP(atomMap2Orders[1]) { $0.depth = 2 }, "#{c => d,...}")

        // List = [{I, I * I} || I <- lists:seq(1, 64)], Map = maps:from_list(List) (a HAMT: more than 32 keys);
        // "#{...}" = fmt("~P", [Map, 1]), "#{1 => 1,...}" = fmt("~kP", [Map, 2])
        let big = Term.map(
            TermMap(uniqueEntries: (1...64).reversed().map { (key: .integer($0), value: .integer($0 * $0)) }))
        XCTAssertEqual(fmtP(big) { $0.depth = 1 }, "#{...}")
        XCTAssertEqual(fmtP(big) { $0.depth = 2; $0.mapOrder = .termOrder }, "#{1 => 1,...}")

        // FloatIntegerMap = #{-1.0 => a, 0.0 => b, -1 => c, 0 => d}:
        // "#{-1 => c,0 => d,-1.0 => a,0.0 => b}" = fmt("~kp", [FloatIntegerMap]) (integers before floats), and
        // re_fmt(<<"#\\{(-1.0 => a|0.0 => b|-1 => c|0 => d),[.][.][.]\\}">>, "~P", [FloatIntegerMap, 2])
        let floatIntegerMap = map([(.float(-1.0), "a"), (.float(0.0), "b"), (-1, "c"), (0, "d")])
        XCTAssertEqual(fmtP(floatIntegerMap) { $0.mapOrder = .termOrder }, "#{-1 => c,0 => d,-1.0 => a,0.0 => b}")
        XCTAssertTrue(
            matches(fmtP(floatIntegerMap) { $0.depth = 2 }, #"#\{(-1.0 => a|0.0 => b|-1 => c|0 => d),[.][.][.]\}"#))
    }

    // MARK: otp_14175 (offset 80000): maps under ~P

    func testMapsWithDepth() {
        let pOptions: (Int?) -> (inout ErlangFormatOptions) -> Void = { d in { $0.depth = d } }
        // "#{}" = p(#{}, 1), "#{...}" = p(#{a => 1}, 1), "#{#{} => a}" = p(#{#{} => a}, 2)
        XCTAssertEqual(fmtP(map([]), pOptions(1)), "#{}")
        XCTAssertEqual(fmtP(map([("a", 1)]), pOptions(1)), "#{...}")
        XCTAssertEqual(fmtP(map([(map([]), "a")]), pOptions(2)), "#{#{} => a}")
        // mt("#{a => 1,...}", p(#{a => 1, b => 2}, 2)), mt("#{a => 1,b => 2}", p(#{a => 1, b => 2}, -1)) (the suite
        // builds the map where `a` is the older atom, so `a` is first in internal order too)
        let ab = map([("a", 1), ("b", 2)])
        XCTAssertEqual(fmtP(ab, pOptions(2)), "#{a => 1,...}")
        XCTAssertEqual(fmtP(ab, pOptions(nil)), "#{a => 1,b => 2}")
    }

    // MARK: otp_6354 (offset 16000): ~W, partial string binaries, escapes

    func testDepthAndBinaries() {
        // "~W now uses \",...\" when printing tuples": "[a,b|...]" = fmt("~W", [[a,b,c,d,e], 3]),
        // "{a,b,...}" = fmt("~W", [{a,b,c,d,e}, 3])
        XCTAssertEqual(fmtW(["a", "b", "c", "d", "e"]) { $0.depth = 3 }, "[a,b|...]")
        XCTAssertEqual(fmtW(.tuple(["a", "b", "c", "d", "e"])) { $0.depth = 3 }, "{a,b,...}")
        // "Partial" string binaries, p(Bin, 1, 80, D):
        let he3 = Term.binary(Array("he".utf8) + [3])
        XCTAssertEqual(fmtP(he3) { $0.depth = 2 }, "<<\"he\"...>>")
        XCTAssertEqual(fmtP(he3) { $0.depth = 3 }, "<<\"he\"...>>")
        XCTAssertEqual(fmtP(he3) { $0.depth = 4 }, "<<104,101,3>>")
        let threeHe = Term.binary([3] + Array("he".utf8))
        XCTAssertEqual(fmtP(threeHe) { $0.depth = 1 }, "<<...>>")
        XCTAssertEqual(fmtP(threeHe) { $0.depth = 2 }, "<<3,...>>")
        XCTAssertEqual(fmtP(threeHe) { $0.depth = 3 }, "<<3,104,...>>")
        // "\"\\b\\t\\n\\v\\f\\r\\e¨\"" = p([8,9,10,11,12,13,27,168], 1, 10, -1)
        XCTAssertEqual(
            fmtP([8, 9, 10, 11, 12, 13, 27, 168]) { $0.lineLength = 10 }, "\"\\b\\t\\n\\v\\f\\r\\e\u{A8}\"")
        // DEL (127) is special: "[127]" = p("\d", 1, 10, -1), "<<127>>" = p(<<127>>, 1, 10, 100)
        XCTAssertEqual(fmtP([127]) { $0.lineLength = 10 }, "[127]")
        XCTAssertEqual(fmtP(.binary([127])) { $0.lineLength = 10; $0.depth = 100 }, "<<127>>")
        // "<<0,0,0,\n  ...>>" = p(<<0,0,0,0,0>>, 1, 10, 4)
        XCTAssertEqual(fmtP(.binary([0, 0, 0, 0, 0])) { $0.lineLength = 10; $0.depth = 4 }, "<<0,0,0,\n  ...>>")
    }

    // MARK: otp_6230 (offset 0): ~P with binaries

    func testBinariesWithDepth() {
        // "<<\"hejs\"...>>" = fmt("~P", [<<"hejsan">>,2]), "{hej,<<\"hejs\"...>>}" = fmt("~P", [{hej,<<"hejsan">>},4]),
        // "{hej,<<127,104,101,...>>}" = fmt("~P", [{hej,<<127:8,<<"hej">>/binary>>},6]),
        // "<<...>>" = fmt("~P", [<<"hej">>,1])
        XCTAssertEqual(fmtP(.string("hejsan")) { $0.depth = 2 }, "<<\"hejs\"...>>")
        XCTAssertEqual(fmtP(.tuple(["hej", .string("hejsan")])) { $0.depth = 4 }, "{hej,<<\"hejs\"...>>}")
        XCTAssertEqual(
            fmtP(.tuple(["hej", .binary([127] + Array("hej".utf8))])) { $0.depth = 6 }, "{hej,<<127,104,101,...>>}")
        XCTAssertEqual(fmtP(.string("hej")) { $0.depth = 1 }, "<<...>>")
    }

    // MARK: otp_10755 (offset 64000): the `l` and `t` modifiers, Latin-1 and Unicode

    func testLatin1AndUnicodeWithModifiers() {
        // S = "string": "\"string\"" = fmt("~p", [S]), "[115,116,114,105,110,103]" = fmt("~lp", [S]),
        // "[115|...]" = fmt("~lP", [S, 2])
        XCTAssertEqual(fmtP(.charlist("string")), "\"string\"")
        XCTAssertEqual(fmtP(.charlist("string")) { $0.strings = false }, "[115,116,114,105,110,103]")
        XCTAssertEqual(fmtP(.charlist("string")) { $0.strings = false; $0.depth = 2 }, "[115|...]")
        // T = {[255],list_to_atom([255]),[a,b,c]}
        let t = Term.tuple([[255], .atom("\u{FF}"), ["a", "b", "c"]])
        XCTAssertEqual(fmtP(t), "{\"\u{FF}\",\u{FF},[a,b,c]}")  // ~p
        XCTAssertEqual(fmtP(t) { $0.unicode = true }, "{\"\u{FF}\",\u{FF},[a,b,c]}")  // ~tp
        XCTAssertEqual(fmtP(t) { $0.strings = false }, "{[255],\u{FF},[a,b,c]}")  // ~lp
        XCTAssertEqual(fmtP(t) { $0.strings = false; $0.unicode = true }, "{[255],\u{FF},[a,b,c]}")  // ~ltp
        XCTAssertEqual(fmtP(t) { $0.depth = 3 }, "{\"\u{FF}\",\u{FF},...}")  // ~P 3
        XCTAssertEqual(fmtP(t) { $0.depth = 3; $0.strings = false }, "{[255],\u{FF},...}")  // ~lP 3
        // U = {[666],list_to_atom([666]),[a,b,c]}
        let u = Term.tuple([[666], .atom("\u{29A}"), ["a", "b", "c"]])
        XCTAssertEqual(fmtP(u), "{[666],'\\x{29A}',[a,b,c]}")  // ~p
        // ~tp depends on io:printable_range(): unicode -> "{\"ʚ\",'ʚ',[a,b,c]}", latin1 -> "{[666],'ʚ',[a,b,c]}"
        XCTAssertEqual(fmtP(u) { $0.unicode = true; $0.printableRange = .unicode }, "{\"\u{29A}\",'\u{29A}',[a,b,c]}")
        XCTAssertEqual(fmtP(u) { $0.unicode = true; $0.printableRange = .latin1 }, "{[666],'\u{29A}',[a,b,c]}")
        XCTAssertEqual(
            fmtP(u) { $0.unicode = true; $0.printableRange = .unicode; $0.depth = 3 }, "{\"\u{29A}\",'\u{29A}',...}")
        XCTAssertEqual(fmtP(u) { $0.strings = false }, "{[666],'\\x{29A}',[a,b,c]}")  // ~lp
        XCTAssertEqual(fmtP(u) { $0.strings = false; $0.unicode = true }, "{[666],'\u{29A}',[a,b,c]}")  // ~ltp
        XCTAssertEqual(fmtP(u) { $0.depth = 3 }, "{[666],'\\x{29A}',...}")  // ~P 3
        XCTAssertEqual(fmtP(u) { $0.depth = 3; $0.strings = false; $0.unicode = true }, "{[666],'\u{29A}',...}")
    }

    // MARK: otp_10302 (offset 64000): Unicode binaries

    func testUnicodeBinaries() {
        // "<<\"äppl\">>" = fmt("~tp", [<<"äppl">>]) (Latin-1 bytes), "<<\"äppl\"...>>" = fmt("~tP", [<<"äpple">>, 2])
        let latin1 = Term.binary([0xE4] + Array("ppl".utf8))
        XCTAssertEqual(fmtP(latin1) { $0.unicode = true }, "<<\"\u{E4}ppl\">>")
        XCTAssertEqual(
            fmtP(.binary([0xE4] + Array("pple".utf8))) { $0.unicode = true; $0.depth = 2 }, "<<\"\u{E4}ppl\"...>>")
        // "<<0,0,0,0,0,0,1,0>>" = fmt("~p", [<<256:64/unsigned-integer>>]), and the same with ~tp
        let n256: Term = .binary([0, 0, 0, 0, 0, 0, 1, 0])
        XCTAssertEqual(fmtP(n256), "<<0,0,0,0,0,0,1,0>>")
        XCTAssertEqual(fmtP(n256) { $0.unicode = true }, "<<0,0,0,0,0,0,1,0>>")
        // pretty(Term, 2): line length 20, encoding unicode
        let prettyOptions = options(lineLength: 20, unicode: true, depth: 2)
        let pretty: (Term) -> String = { ErlangFormat.pretty($0, options: prettyOptions) }
        XCTAssertEqual(pretty(.string("\u{E4}ppl")), "<<\"\u{E4}ppl\"/utf8>>")
        XCTAssertEqual(pretty(.string("\u{E4}pple")), "<<\"\u{E4}ppl\"/utf8...>>")
        XCTAssertEqual(pretty(.string("apel")), "<<\"apel\">>")
        XCTAssertEqual(pretty(.string("apelsin")), "<<\"apel\"...>>")
    }

    // MARK: otp_14285 (offset 80000): Unicode atoms under ~w and ~tw

    func testUnicodeAtoms() {
        let cyrillic = Atom("кирилли\u{301}ческий атом")
        // "'кирилли́ческий атом'" = fmt("~tw", ['кирилли́ческий атом']), [$',16#10FFFF,$'] = fmt("~tw", ['\x{10FFFF}'])
        XCTAssertEqual(fmtW(.atom(cyrillic)) { $0.unicode = true }, "'кирилли\u{301}ческий атом'")
        XCTAssertEqual(fmtW(.atom("\u{10FFFF}")) { $0.unicode = true }, "'\u{10FFFF}'")
        // latin1_fmt("~w", ['кирилли́ческий атом']), latin1_fmt("~w", ['\x{10FFFF}']): every character of ~w is
        // Latin-1
        for atom in [cyrillic, Atom("\u{10FFFF}")] {
            XCTAssertTrue(fmtW(.atom(atom)).unicodeScalars.allSatisfy { $0.value <= 255 }, fmtW(.atom(atom)))
        }
    }

    // MARK: float_w and format_neg_zero (offset 0): floats

    func testFloats() {
        // float_w: floats at and beyond 2^53 in scientific notation
        let twoTo53 = Double(1 << 53)
        let nums: [Double] = [-(twoTo53 - 1), -twoTo53, -(twoTo53 + 1), twoTo53 - 1, twoTo53, twoTo53 + 1]
        XCTAssertEqual(
            nums.map { fmtW(.float($0)) },
            [
                "-9007199254740991.0", "-9.007199254740992e15", "-9.007199254740992e15", "9007199254740991.0",
                "9.007199254740992e15", "9.007199254740992e15",
            ])
        // format_neg_zero: "-0.0" = io_lib_format:fwrite_g(NegZero)
        XCTAssertEqual(ErlangFormat.float(-0.0), "-0.0")
        XCTAssertEqual(fmtW(.float(-0.0)), "-0.0")
    }

    /// The release-independent vectors above hold for every supported OTP release's profile; those whose output
    /// depends on map order were written for OTP 26+.
    func testReleaseIndependentVectorsOnEveryProfile() {
        let t = Term.tuple([[666], .atom("\u{29A}"), ["a", "b", "c"]])
        for otp in 24...28 {
            XCTAssertEqual(ErlangFormat.pretty(t, options: options(otp: otp)), "{[666],'\\x{29A}',[a,b,c]}")
            let threeHe = Term.binary([3] + Array("he".utf8))
            XCTAssertEqual(ErlangFormat.pretty(threeHe, options: options(otp: otp, depth: 3)), "<<3,104,...>>")
        }
    }
}
