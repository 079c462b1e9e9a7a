import ErlangTerm
import TermSyntax
import XCTest

final class CallExpressionTests: XCTestCase {
    func call(_ text: String, _ syntax: SourceSyntax, file: StaticString = #filePath, line: UInt = #line)
        -> CallExpression?
    {
        do {
            return try CallExpression.parse(text, syntax: syntax)
        } catch {
            XCTFail("\(text): \(error)", file: file, line: line)
            return nil
        }
    }

    func assertCallError(
        _ text: String, _ syntax: SourceSyntax, _ code: TermSyntaxError.Code, line l: Int, column c: Int,
        file: StaticString = #filePath, line: UInt = #line
    ) {
        do {
            let parsed = try CallExpression.parse(text, syntax: syntax)
            XCTFail("\(text) parsed as \(parsed)", file: file, line: line)
        } catch {
            XCTAssertEqual(error.code, code, "\(text): \(error)", file: file, line: line)
            XCTAssertEqual(error.line, l, "line of \(text): \(error)", file: file, line: line)
            XCTAssertEqual(error.column, c, "column of \(text): \(error)", file: file, line: line)
        }
    }

    func testElixirCalls() {
        XCTAssertEqual(
            call(":erlang.memory()", .elixir), CallExpression(module: "erlang", function: "memory", arguments: []))
        XCTAssertEqual(
            call(":erlang.memory(:total)", .elixir),
            CallExpression(module: "erlang", function: "memory", arguments: ["total"]))
        XCTAssertEqual(
            call("Node.list()", .elixir), CallExpression(module: "Elixir.Node", function: "list", arguments: []))
        XCTAssertEqual(
            call("Enum.count([1, 2])", .elixir),
            CallExpression(module: "Elixir.Enum", function: "count", arguments: [[1, 2]]))
        XCTAssertEqual(
            call("MyApp.Stats.info()", .elixir),
            CallExpression(module: "Elixir.MyApp.Stats", function: "info", arguments: []))
        XCTAssertEqual(
            call("Elixir.Node.list()", .elixir),
            CallExpression(module: "Elixir.Node", function: "list", arguments: []))
        XCTAssertEqual(
            call(#"Keyword.get([a: 1], :a, "d")"#, .elixir),
            CallExpression(
                module: "Elixir.Keyword", function: "get", arguments: [.keywordList(["a": 1]), "a", .string("d")]))
        XCTAssertEqual(
            call("Map.new(a: 1, b: 2)", .elixir),
            CallExpression(module: "Elixir.Map", function: "new", arguments: [.keywordList(["a": 1, "b": 2])]))
        XCTAssertEqual(
            call("String.pad_leading(\"x\", 3, fill: ?0)", .elixir)?.arguments,
            [.string("x"), 3, .keywordList(["fill": 48])])
        XCTAssertEqual(
            call(":\"Elixir.Node\".\"list\"()", .elixir),
            CallExpression(module: "Elixir.Node", function: "list", arguments: []))
        XCTAssertEqual(call("  Process.alive?( ) # why\n", .elixir)?.function, "alive?")
        XCTAssertEqual(call("Kernel.is_atom(\n  :a\n)", .elixir)?.arguments, ["a"])
        XCTAssertEqual(call(":lists.seq(1, 3)", .elixir)?.description, "lists:seq/2")
        XCTAssertEqual(call(":erlang.memory()", .elixir)?.arity, 0)
        XCTAssertEqual(
            call("Kernel.+(1, 2)", .elixir), CallExpression(module: "Elixir.Kernel", function: "+", arguments: [1, 2]))
        XCTAssertEqual(call(":erlang.\"=:=\"(1, 1)", .elixir)?.function, "=:=")
    }

    func testErlangCalls() {
        XCTAssertEqual(
            call("erlang:memory()", .erlang), CallExpression(module: "erlang", function: "memory", arguments: []))
        XCTAssertEqual(
            call("lists:seq(1, 3).", .erlang), CallExpression(module: "lists", function: "seq", arguments: [1, 3]))
        XCTAssertEqual(
            call("'Elixir.Node':list()", .erlang),
            CallExpression(module: "Elixir.Node", function: "list", arguments: []))
        XCTAssertEqual(
            call("erlang : memory ( total ) . % comment", .erlang),
            CallExpression(module: "erlang", function: "memory", arguments: ["total"]))
        XCTAssertEqual(
            call(#"io_lib:format("~p", [#{a => <<1>>}])"#, .erlang)?.arguments,
            [.charlist("~p"), [.map(TermMap([("a", .binary([1]))]))]])
    }

    func testErrors() {
        assertCallError("self()", .elixir, .localCall, line: 1, column: 1)
        assertCallError("node()", .elixir, .localCall, line: 1, column: 1)
        assertCallError("self()", .erlang, .localCall, line: 1, column: 1)
        assertCallError("Node.list", .elixir, .notACall, line: 1, column: 10)
        assertCallError("Node.list 1", .elixir, .notACall, line: 1, column: 11)
        assertCallError("Node", .elixir, .notACall, line: 1, column: 5)
        assertCallError(":erlang", .elixir, .notACall, line: 1, column: 8)
        assertCallError("erlang", .erlang, .notACall, line: 1, column: 7)
        assertCallError("Node.", .elixir, .unexpectedEnd, line: 1, column: 6)
        assertCallError("Enum.count([1, 2]", .elixir, .unexpectedEnd, line: 1, column: 18)
        assertCallError("Enum.count(x)", .elixir, .variable, line: 1, column: 12)
        assertCallError("Enum.count([1, y])", .elixir, .variable, line: 1, column: 16)
        assertCallError("Enum.count(Node.list())", .elixir, .notALiteral, line: 1, column: 12)
        assertCallError("Enum.count(:erlang.nodes())", .elixir, .notALiteral, line: 1, column: 12)
        assertCallError("Enum.count(self())", .elixir, .notALiteral, line: 1, column: 12)
        assertCallError("Enum.count([1], )", .elixir, .unexpectedToken, line: 1, column: 17)
        assertCallError("Enum.count([1]) 2", .elixir, .trailingInput, line: 1, column: 17)
        assertCallError("Enum.count(a: 1, 2)", .elixir, .keywordNotLast, line: 1, column: 18)
        assertCallError("mod.fun()", .elixir, .variable, line: 1, column: 1)
        assertCallError("", .elixir, .emptyInput, line: 1, column: 1)
        assertCallError("lists:seq(1, X)", .erlang, .variable, line: 1, column: 14)
        assertCallError("lists:seq(1, length([]))", .erlang, .notALiteral, line: 1, column: 14)
        assertCallError("lists:seq(1, erlang:length([]))", .erlang, .notALiteral, line: 1, column: 14)
        assertCallError("Mod:fun()", .erlang, .variable, line: 1, column: 1)
        assertCallError("lists:seq", .erlang, .notACall, line: 1, column: 10)
        assertCallError("lists:seq(1, 3", .erlang, .unexpectedEnd, line: 1, column: 15)
        assertCallError("lists:seq(1, 3) x", .erlang, .trailingInput, line: 1, column: 17)
        assertCallError("", .erlang, .emptyInput, line: 1, column: 1)
        assertCallError("lists:map(fun(X) -> X end, [])", .erlang, .notALiteral, line: 1, column: 11)
        assertCallError("Enum.map([1], fn x -> x end)", .elixir, .notALiteral, line: 1, column: 15)
        assertCallError("Enum.map([1], &(&1))", .elixir, .notALiteral, line: 1, column: 15)
        XCTAssertTrue(CallExpression.isIncomplete("Enum.count([1,\n", syntax: .elixir))
        XCTAssertTrue(CallExpression.isIncomplete("lists:seq(1,", syntax: .erlang))
        XCTAssertFalse(CallExpression.isIncomplete("self()", syntax: .elixir))
        XCTAssertFalse(CallExpression.isIncomplete("Node.list", syntax: .elixir))
        XCTAssertFalse(CallExpression.isIncomplete("erlang:memory", syntax: .erlang))
        XCTAssertFalse(CallExpression.isIncomplete("lists:seq(1, 2)", syntax: .erlang))
    }

    func testErrorMessageForLocalCall() {
        do {
            _ = try CallExpression.parse("self()", syntax: .elixir)
        } catch {
            XCTAssertTrue(error.description.hasPrefix("qualify the call"), error.description)
            XCTAssertTrue(error.description.contains(":erlang.self()"), error.description)
        }
        do {
            _ = try CallExpression.parse("Enum.count(x)", syntax: .elixir)
        } catch {
            XCTAssertTrue(error.description.contains("column 12"), error.description)
        }
    }
}
