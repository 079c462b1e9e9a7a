import ConsoleREPL
import XCTest

final class ConsoleCommandTests: XCTestCase {
    func testParsesEveryCommand() throws {
        XCTAssertEqual(try ConsoleCommand.parse(""), .empty)
        XCTAssertEqual(try ConsoleCommand.parse("  nodes "), .nodes)
        XCTAssertEqual(try ConsoleCommand.parse("members"), .members)
        XCTAssertEqual(try ConsoleCommand.parse("connect a@h b@h"), .connect(["a@h", "b@h"]))
        XCTAssertEqual(try ConsoleCommand.parse("disconnect a@h,b@h"), .disconnect(["a@h", "b@h"]))
        XCTAssertEqual(try ConsoleCommand.parse("use a@h"), .use("a@h"))
        XCTAssertEqual(try ConsoleCommand.parse("ping a@10.0.0.1"), .ping("a@10.0.0.1"))
        XCTAssertEqual(try ConsoleCommand.parse("call Node.list()"), .call(node: nil, expression: "Node.list()"))
        XCTAssertEqual(
            try ConsoleCommand.parse("call a@h :erlang.memory(:total)"),
            .call(node: "a@h", expression: ":erlang.memory(:total)"))
        XCTAssertEqual(
            try ConsoleCommand.parse("multicall :erlang.node() --nodes a@h,b@h"),
            .multicall(expression: ":erlang.node()", nodes: ["a@h", "b@h"]))
        XCTAssertEqual(try ConsoleCommand.parse("multicall Node.list()"), .multicall(expression: "Node.list()", nodes: nil))
        XCTAssertEqual(try ConsoleCommand.parse("eval a@h 1 + 1"), .eval(node: "a@h", code: "1 + 1"))
        XCTAssertEqual(try ConsoleCommand.parse("eval Enum.sum([1, 2])"), .eval(node: nil, code: "Enum.sum([1, 2])"))
        XCTAssertEqual(try ConsoleCommand.parse("info"), .info(nil))
        XCTAssertEqual(try ConsoleCommand.parse("info a@h"), .info("a@h"))
        XCTAssertEqual(try ConsoleCommand.parse("help call"), .help("call"))
        XCTAssertEqual(try ConsoleCommand.parse("quit"), .quit)
        XCTAssertEqual(try ConsoleCommand.parse("exit"), .quit)
    }

    func testEveryLineThatIsNotACommandIsCodeForTheTarget() throws {
        for code in [
            "Node.list()", "erlang:memory().", "x = 21", "Enum.to_list(1..100)", "h Enum.map", "exit(:normal)",
            "exit :normal", "q", "frobnicate", "fn x ->", "X = 1.", "nodes_seen = 3", "%{a: 1}",
        ] {
            XCTAssertEqual(try ConsoleCommand.parse(code), .eval(node: nil, code: code), code)
        }
    }

    func testEvalOnManyNodesAndGroupedMulticall() throws {
        XCTAssertEqual(try ConsoleCommand.parse("eval --all 1 + 1"), .multicall(expression: "1 + 1", nodes: nil))
        XCTAssertEqual(
            try ConsoleCommand.parse("eval --nodes a@h,b@h Node.self() |> to_string()"),
            .multicall(expression: "Node.self() |> to_string()", nodes: ["a@h", "b@h"]))
        XCTAssertEqual(
            try ConsoleCommand.parse("multicall Enum.sum(1..3) --table"),
            .multicall(expression: "Enum.sum(1..3)", nodes: nil, table: true))
        XCTAssertEqual(
            try ConsoleCommand.parse("multicall x |> y --nodes a@h --table"),
            .multicall(expression: "x |> y", nodes: ["a@h"], table: true))
        // The options may come first too, as in the one-shot command.
        XCTAssertEqual(
            try ConsoleCommand.parse("multicall --table Node.self() |> to_string()"),
            .multicall(expression: "Node.self() |> to_string()", nodes: nil, table: true))
        XCTAssertEqual(
            try ConsoleCommand.parse("multicall --nodes a@h,b@h --table length(Process.list())"),
            .multicall(expression: "length(Process.list())", nodes: ["a@h", "b@h"], table: true))
        XCTAssertThrowsError(try ConsoleCommand.parse("multicall --table --nodes a@h")) { _ in }
        XCTAssertThrowsError(try ConsoleCommand.parse("multicall --nodes bad-name x()")) { _ in }
    }

    func testBadInputGivesOneLineErrors() {
        XCTAssertThrowsError(try ConsoleCommand.parse("use notanode")) { e in
            XCTAssertEqual("\(e)", "\"notanode\" is not a node name (expected name@host)")
        }
        XCTAssertThrowsError(try ConsoleCommand.parse("ping")) { e in XCTAssertEqual("\(e)", "usage: ping NODE") }
        XCTAssertThrowsError(try ConsoleCommand.parse("nodes extra")) { e in
            XCTAssertEqual(
                "\(e)",
                "nodes takes no arguments (a line that starts with a command's name is that command; "
                    + "to evaluate code that starts with nodes, write eval nodes extra)")
        }
        XCTAssertThrowsError(try ConsoleCommand.parse("multicall x() --nodes ")) { _ in }
    }
}
