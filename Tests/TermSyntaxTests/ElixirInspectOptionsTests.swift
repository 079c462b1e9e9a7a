import ErlangTerm
import XCTest

@testable import TermSyntax

// Options, node numbering and the document algebra. Expected strings come from Elixir 1.14.0 / OTP 25 running the
// expression in the comment above each assertion.
final class ElixirInspectOptionsTests: XCTestCase {
    func testSyntaxColors() {
        let colors: [ElixirSyntaxColor: String] = [
            .number: "\u{1B}[33m", .atom: "\u{1B}[36m", .string: "\u{1B}[32m", .list: "\u{1B}[31m",
            .map: "\u{1B}[35m", .tuple: "\u{1B}[34m", .boolean: "\u{1B}[91m", .nil: "\u{1B}[90m",
            .charlist: "\u{1B}[92m", .binary: "\u{1B}[96m", .reset: "\u{1B}[0m",
        ]
        let term: Term = [1, "a", .string("s"), .tuple([true, .nil]), ["k": .charlist("cl")], .binary([255]), 2.5]
        // inspect([1, :a, "s", {true, nil}, %{k: 'cl'}, <<255>>, 2.5], syntax_colors: [number: :yellow,
        //   atom: :cyan, string: :green, list: :red, map: :magenta, tuple: :blue, boolean: :light_red,
        //   nil: :light_black, charlist: :light_green, binary: :light_cyan, reset: :reset])
        XCTAssertEqual(
            ElixirInspect.inspect(term, options: ElixirInspectOptions(syntaxColors: colors)),
            "\u{1B}[31m[\u{1B}[0m\u{1B}[33m1\u{1B}[0m\u{1B}[31m,\u{1B}[0m \u{1B}[36m:a\u{1B}[0m\u{1B}[31m,\u{1B}[0m \u{1B}[32m\"s\"\u{1B}[0m\u{1B}[31m,\u{1B}[0m \u{1B}[34m{\u{1B}[0m\u{1B}[91mtrue\u{1B}[0m\u{1B}[34m,\u{1B}[0m \u{1B}[90mnil\u{1B}[0m\u{1B}[34m}\u{1B}[0m\u{1B}[31m,\u{1B}[0m \u{1B}[35m%{\u{1B}[0m\u{1B}[36mk:\u{1B}[0m \u{1B}[92m'cl'\u{1B}[0m\u{1B}[35m}\u{1B}[0m\u{1B}[31m,\u{1B}[0m \u{1B}[96m<<\u{1B}[0m\u{1B}[33m255\u{1B}[0m\u{1B}[96m>>\u{1B}[0m\u{1B}[31m,\u{1B}[0m \u{1B}[33m2.5\u{1B}[0m\u{1B}[31m]\u{1B}[0m"
        )
        // inspect([1, :a], syntax_colors: [number: :yellow])
        XCTAssertEqual(
            ElixirInspect.inspect([1, "a"], options: ElixirInspectOptions(syntaxColors: [.number: "\u{1B}[33m"])),
            "[\u{1B}[33m1\u{1B}[0m, :a]")
        // Colours take no width: a coloured pretty layout breaks where the plain one does.
        let long: Term = .list((1...40).map { .integer($0) })
        var colored = ElixirInspectOptions.pretty
        colored.syntaxColors = [.number: "\u{1B}[33m"]
        let stripped = ElixirInspect.inspect(long, options: colored)
            .replacingOccurrences(of: "\u{1B}[33m", with: "").replacingOccurrences(of: "\u{1B}[0m", with: "")
        XCTAssertEqual(stripped, ElixirInspect.inspect(long, options: .pretty))
    }

    func testCharlistsOption() {
        // inspect('abc', charlists: :as_lists)
        XCTAssertEqual(
            ElixirInspect.inspect(.charlist("abc"), options: ElixirInspectOptions(charlists: .asLists)), "[97, 98, 99]")
        // inspect([104, 233, 0], charlists: :as_charlists)
        XCTAssertEqual(
            ElixirInspect.inspect(.list([104, 233, 0]), options: ElixirInspectOptions(charlists: .asCharlists)),
            "'hé\\0'")
    }

    func testBaseAndBinariesOptions() {
        let term: Term = [
            255, -255, .int(BigInt(2).power(64)), .string("ab"), Term.bits([0x20], bitCount: 3), .charlist("hi"),
        ]
        // inspect([255, -255, 18446744073709551616, "ab", <<1::size(3)>>, [104, 105]], base: :hex)
        XCTAssertEqual(
            ElixirInspect.inspect(term, options: ElixirInspectOptions(base: .hex)),
            "[0xFF, -0xFF, 0x10000000000000000, <<0x61, 0x62>>, <<0x1::size(3)>>, 'hi']")
        // inspect([5, -5], base: :binary)
        XCTAssertEqual(ElixirInspect.inspect([5, -5], options: ElixirInspectOptions(base: .binary)), "[0b101, -0b101]")
        // inspect(8, base: :octal)
        XCTAssertEqual(ElixirInspect.inspect(8, options: ElixirInspectOptions(base: .octal)), "0o10")
        // inspect(<<104, 105, 255>>, binaries: :as_strings)
        XCTAssertEqual(
            ElixirInspect.inspect(.binary([104, 105, 255]), options: ElixirInspectOptions(binaries: .asStrings)),
            "\"hi\\xFF\"")
        // inspect("hi", binaries: :as_binaries)
        XCTAssertEqual(
            ElixirInspect.inspect(.string("hi"), options: ElixirInspectOptions(binaries: .asBinaries)), "<<104, 105>>")
    }

    func testLimits() {
        // inspect(Enum.to_list(1..60), limit: :infinity)
        XCTAssertEqual(
            ElixirInspect.inspect(.list((1...60).map { .integer($0) }), options: ElixirInspectOptions(limit: nil)),
            "[" + (1...60).map(String.init).joined(separator: ", ") + "]")
        // inspect([1, [2, 3, 4, 5], {6, 7, 8}, %{a: 1, b: 2}, <<1,2,3,4>>], limit: 3)
        let term: Term = [1, [2, 3, 4, 5], .tuple([6, 7, 8]), ["a": 1, "b": 2], .binary([1, 2, 3, 4])]
        XCTAssertEqual(
            ElixirInspect.inspect(term, options: ElixirInspectOptions(limit: 3)), "[1, [2, ...], {...}, ...]")
        // inspect(String.duplicate("ab", 2100), printable_limit: :infinity) |> byte_size
        XCTAssertEqual(
            ElixirInspect.inspect(
                .string(String(repeating: "ab", count: 2100)), options: ElixirInspectOptions(printableLimit: nil)
            ).utf8.count, 4202)
        // inspect("hello world", printable_limit: 5)
        XCTAssertEqual(
            ElixirInspect.inspect(.string("hello world"), options: ElixirInspectOptions(printableLimit: 5)),
            "\"hello\" <> ...")
    }

    func testWidths() {
        let keyword: Term = .list((1...8).map { .tuple([.atom(Atom("key_\($0)")), .integer($0 * 1000)]) })
        // inspect(Enum.map(1..8, &{:"key_#{&1}", &1 * 1000}), pretty: true, width: 40)
        XCTAssertEqual(
            ElixirInspect.inspect(keyword, options: ElixirInspectOptions(pretty: true, width: 40)),
            "[\n  key_1: 1000,\n  key_2: 2000,\n  key_3: 3000,\n  key_4: 4000,\n  key_5: 5000,\n  key_6: 6000,\n  key_7: 7000,\n  key_8: 8000\n]"
        )
        // inspect([1, [2, 3], %{a: 1}], pretty: true, width: 0)
        XCTAssertEqual(
            ElixirInspect.inspect([1, [2, 3], ["a": 1]], options: ElixirInspectOptions(pretty: true, width: 0)),
            "[\n  1,\n  [2,\n   3],\n  %{\n    a: 1\n  }\n]")
    }

    func testNodeNumbers() {
        let remote = Pid(node: "app@host", id: 12, serial: 3, creation: 7)
        // A BEAM prints a remote pid with its own index for the node; we print unknownNodeNumber unless told.
        XCTAssertEqual(ElixirInspect.inspect(.pid(remote)), "#PID<1.12.3>")
        var options = ElixirInspectOptions()
        options.nodeNumbers = ["app@host": 11879]
        XCTAssertEqual(ElixirInspect.inspect(.pid(remote), options: options), "#PID<11879.12.3>")
        options.localNode = "app@host"
        XCTAssertEqual(ElixirInspect.inspect(.pid(remote), options: options), "#PID<0.12.3>")
        let port = ErlangPort(node: "nonode@nohost", id: 9, creation: 3)
        XCTAssertEqual(ElixirInspect.inspect(.port(port)), "#Port<0.9>")
        let ref = Reference(node: "b@h", creation: 1, ids: [1, 2, 3])
        options.nodeNumbers = ["b@h": 5]
        XCTAssertEqual(ElixirInspect.inspect(.reference(ref), options: options), "#Reference<5.3.2.1>")
    }

    func testUserStructs() {
        let user: Term = ["__struct__": "Elixir.MyApp.User", "name": .string("a"), "id": 1]
        XCTAssertEqual(ElixirInspect.inspect(user), "%{__struct__: MyApp.User, id: 1, name: \"a\"}")
        var options = ElixirInspectOptions()
        options.structs = ["Elixir.MyApp.User": ["id", "name"]]
        XCTAssertEqual(ElixirInspect.inspect(user, options: options), "%MyApp.User{id: 1, name: \"a\"}")
        // Keys that do not match the fields: a plain map, as Inspect.Any does.
        options.structs = ["Elixir.MyApp.User": ["id"]]
        XCTAssertEqual(ElixirInspect.inspect(user, options: options), "%{__struct__: MyApp.User, id: 1, name: \"a\"}")
    }

    func testMoreStdlibStructs() {
        let local = { (id: UInt32) in Term.pid(Pid(node: "nonode@nohost", id: id, serial: 0, creation: 0)) }
        // %Task{mfa: {:erlang, :apply, 2}, owner: :c.pid(0,96,0), pid: :c.pid(0,97,0), ref: nil}
        let task: Term = [
            "__struct__": "Elixir.Task", "owner": local(96), "pid": local(97), "ref": .nil,
            "mfa": .tuple(["erlang", "apply", 2]),
        ]
        XCTAssertEqual(
            ElixirInspect.inspect(task),
            "%Task{mfa: {:erlang, :apply, 2}, owner: #PID<0.96.0>, pid: #PID<0.97.0>, ref: nil}")
        // %{__struct__: Version.Requirement, source: "~> 1.2", lexed: []}
        let requirement: Term = ["__struct__": "Elixir.Version.Requirement", "source": .string("~> 1.2"), "lexed": []]
        XCTAssertEqual(ElixirInspect.inspect(requirement), "Version.parse_requirement!(\"~> 1.2\")")
        // %IO.Stream{device: :standard_io, raw: false, line_or_bytes: :line}
        let stream: Term = [
            "__struct__": "Elixir.IO.Stream", "device": "standard_io", "raw": false, "line_or_bytes": "line",
        ]
        XCTAssertEqual(
            ElixirInspect.inspect(stream), "%IO.Stream{device: :standard_io, raw: false, line_or_bytes: :line}")
    }

    /// `elixir -e 'IO.inspect &Kernel.in/2'` prints `#Function<41.3316493/2 in :erl_eval.expr/6>`; the name
    /// (`.expr/6`) comes from the loaded code, not from the wire, so we print up to the module.
    func testLocalFunBestEffort() {
        let fun = LocalFun(
            arity: 2, uniq: Array(repeating: 0, count: 16), index: 41, module: "erl_eval", oldIndex: 41,
            oldUniq: 3_316_493, pid: .pid(Pid(node: "nonode@nohost", id: 1, serial: 0, creation: 0)),
            freeVariables: [], encoded: [112])
        XCTAssertEqual(ElixirInspect.inspect(.localFun(fun)), "#Function<41.3316493/2 in :erl_eval>")
    }

    func testPublicHelpers() {
        XCTAssertEqual(ElixirInspect.inspectAtom("Elixir.MyApp.Stats"), "MyApp.Stats")
        XCTAssertEqual(ElixirInspect.inspectAtom("foo bar"), ":\"foo bar\"")
        XCTAssertEqual(ElixirInspect.inspectFloat(1.0e20), "1.0e20")
    }

    // MARK: Algebra (Inspect.Algebra.format/2 on hand-built documents)

    private func fmt(_ doc: InspectDoc, _ width: Int) -> String { Algebra.format(doc, width: width) }

    func testAlgebraLayouts() {
        typealias A = Algebra
        let t = InspectDoc.text
        // format(group(glue("aaaa", "bbbb")), 5)
        XCTAssertEqual(fmt(A.group(A.glue(t("aaaa"), t("bbbb"))), 5), "aaaa\nbbbb")
        // format(group(concat(["[", nest(concat(["a,", break(), "b,", break(), "c"]), 1), "]"])), 4)
        let brk = InspectDoc.breakable(" ", .strict)
        XCTAssertEqual(
            fmt(A.group(A.concat([t("["), A.nest(A.concat([t("a,"), brk, t("b,"), brk, t("c")]), 1), t("]")])), 4),
            "[a,\n b,\n c]")
        // format(group(concat("x", nest(concat(line(), "y"), :cursor))), 80)
        XCTAssertEqual(fmt(A.group(A.concat(t("x"), .nest(A.concat(.line, t("y")), .cursor, .always))), 80), "x\n y")
        // format(group(concat(["fun(", next_break_fits(group(concat(["[", nest(concat([break(""), "1,", break(),
        //   "2"]), 2), break(""), "]"]))), ")"])), 8)
        let empty = InspectDoc.breakable("", .strict)
        let inner = A.group(A.concat([t("["), A.nest(A.concat([empty, t("1,"), brk, t("2")]), 2), empty, t("]")]))
        XCTAssertEqual(fmt(A.group(A.concat([t("fun("), .fits(inner, .enabled), t(")")])), 8), "fun([\n  1,\n  2\n])")
        // format(group(concat(["a", break(), force_unfit(group(concat(["b", break(), "c"])))])), 80)
        XCTAssertEqual(
            fmt(A.group(A.concat([t("a"), brk, .force(A.group(A.concat([t("b"), brk, t("c")])))])), 80), "a\nb c")
        // format(group(flex_glue(flex_glue("aaa", "bbb"), "ccc")), 7)
        XCTAssertEqual(fmt(A.group(A.flexGlue(A.flexGlue(t("aaa"), t("bbb")), t("ccc"))), 7), "aaa bbb\nccc")
        // format(group(concat(["a", nest(concat([break(), "b"]), 4, :break), break(), "c"])), 2)
        XCTAssertEqual(
            fmt(A.group(A.concat([t("a"), A.nest(A.concat([brk, t("b")]), 4, .onBreak), brk, t("c")])), 2),
            "a\n    b\nc")
        // format(group(concat([group(concat(["aa", break(), "bb"]), :inherit), break(), "cc"])), 3)
        XCTAssertEqual(
            fmt(A.group(A.concat([.group(A.concat([t("aa"), brk, t("bb")]), .inherit), brk, t("cc")])), 3),
            "aa\nbb\ncc")
    }

    /// The decoder's default `maxDepth` is 1,000; the printer recurses once per level, like Elixir's.
    func testNestingAtTheDecoderDepthLimit() {
        var term: Term = 1
        for _ in 0..<1_000 { term = .list([term]) }
        XCTAssertEqual(ElixirInspect.inspect(term, options: ElixirInspectOptions(limit: nil)).utf8.count, 2_001)
        let pretty = ElixirInspect.inspect(term, options: ElixirInspectOptions(pretty: true, limit: nil))
        XCTAssertTrue(pretty.hasPrefix("[\n  [\n    ["))
    }
}
