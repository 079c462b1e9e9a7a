import ErlangTestSupport
import Foundation
import XCTest

/// The REPL as an IEx user meets it, through a real pseudo-terminal (tmux) against real Elixir nodes running the
/// demo application: any expression, state that persists per node, the node's own `Inspect`, IEx helpers,
/// continuation lines, Ctrl-C, and nothing left on the node afterwards.
final class ConsoleEvaluatorTerminalTests: DemoTerminalTestCase {
    func console(_ extra: String = "") throws -> TmuxTerminal {
        try terminal("--connect \(cluster.nodes[0]) \(extra)")
    }

    /// Types `line` and Enter, then waits until the screen's text after the last occurrence of the line holds `expected`.
    @discardableResult
    func enter(_ t: TmuxTerminal, _ line: String, expect expected: String, timeout: TimeInterval = 10) throws -> String {
        try t.type(line)
        try t.press("Enter")
        let echoed = "> " + line
        let screen = try t.waitFor(timeout: timeout) { s in
            guard let r = s.range(of: echoed, options: .backwards) else { return false }
            return s[r.upperBound...].contains(expected)
        }
        let after = screen.range(of: echoed, options: .backwards).map { String(screen[$0.upperBound...]) } ?? ""
        XCTAssertTrue(after.contains(expected), "after \(line): expected \(expected) in\n\(screen)")
        return after
    }

    /// A one-shot evaluation on `node` (a separate console process).
    func evalOnce(_ node: String, _ code: String) throws -> String {
        try ChildProcess.output(
            of: Self.binary, ["eval", node, code], environment: ["RELEASE_COOKIE": cluster.cookie, "PATH": "/usr/bin:/bin"]
        ).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    func processCount(_ node: String) throws -> Int {
        // The one-shot evaluation runs in one process of its own on the node: it is counted every time alike.
        Int(try evalOnce(node, "length(Process.list())")) ?? -1
    }

    /// Waits until `node`'s process count is back to `baseline` (processes end asynchronously).
    func waitForProcessCount(_ node: String, _ baseline: Int, timeout: TimeInterval = 10) throws -> Int {
        let deadline = Date().addingTimeInterval(timeout)
        var count = try processCount(node)
        while count != baseline, Date() < deadline {
            Thread.sleep(forTimeInterval: 0.2)
            count = try processCount(node)
        }
        return count
    }

    func testBindingsAliasesAndImportsPersistPerNodeAcrossUse() throws {
        let (a, b) = (cluster.nodes[0], cluster.nodes[1])
        let t = try console()
        defer { t.stop() }
        try t.waitFor { $0.contains(self.shownPrompt(a)) }
        try enter(t, "x = 21", expect: "21")
        try enter(t, "x * 2", expect: "42")
        try enter(t, "alias Demo.Orders, as: O", expect: "Demo.Orders")
        try enter(t, "import Enum, only: [sum: 1]", expect: "Enum")
        try enter(t, "O.list() |> length() |> then(&sum([&1, x]))", expect: "23")
        try enter(t, "Enum.to_list(1..100)", expect: "50, ...]")
        try enter(t, "send(self(), {:ping, x})", expect: "{:ping, 21}")
        try enter(t, "receive do {:ping, n} -> n + 1 after 1000 -> :nothing end", expect: "22")
        try enter(t, "v(2)", expect: "42")
        try enter(t, "use \(b)", expect: "target is now \(b)")
        try t.waitFor { $0.contains(self.shownPrompt(b)) }
        try enter(t, "x", expect: "(CompileError)")  // no x on this node
        try enter(t, "x = :other_node", expect: ":other_node")
        try enter(t, "use \(a)", expect: "target is now \(a)")
        try enter(t, "{x, O.list() |> length()}", expect: "{21, 2}")
        try enter(t, "use \(b)", expect: "target is now \(b)")
        try enter(t, "x", expect: ":other_node")
    }

    func testResultsAreRenderedByTheNodesOwnInspect() throws {
        let t = try console()
        defer { t.stop() }
        try t.waitFor { $0.contains(self.shownPrompt(self.cluster.nodes[0])) }
        try enter(t, "Demo.Money.new(1250, \"EUR\")", expect: "#Money<12.50 EUR>")
        // A plain struct prints with its module's name, as IEx prints it; a call's result too.
        try enter(t, "URI.parse(\"http://h/p\")", expect: "%URI{")
        let called = try enter(t, "call Demo.Money.new(5, \"USD\")", expect: "#Money<0.05 USD>")
        XCTAssertFalse(called.contains("__struct__"), called)
    }

    func testMultiLineBlocksContinueUntilComplete() throws {
        let t = try console()
        defer { t.stop() }
        try t.waitFor { $0.contains(self.shownPrompt(self.cluster.nodes[0])) }
        try t.type("double = fn x ->")
        try t.press("Enter")
        try t.waitFor { $0.contains("...........(") }
        try t.type("  x * 2")
        try t.press("Enter")
        try t.type("end")
        try t.press("Enter")
        try enter(t, "double.(21)", expect: "42")
        try t.type("defmodule Scratch do")
        try t.press("Enter")
        try t.type("  @answer 42")
        try t.press("Enter")
        try t.type("  def answer, do: @answer")
        try t.press("Enter")
        try t.type("end")
        try t.press("Enter")
        try enter(t, "Scratch.answer()", expect: "42")
        // A stuck continuation: #iex:break gets out, and the prompt carries on.
        try t.type("[1, 2,")
        try t.press("Enter")
        try enter(t, "#iex:break", expect: "incomplete expression")
        try enter(t, "for n <- 1..3, do: n * n", expect: "[1, 4, 9]")
    }

    func testIExHelpersWork() throws {
        let t = try console()
        defer { t.stop() }
        try t.waitFor { $0.contains(self.shownPrompt(self.cluster.nodes[0])) }
        try enter(t, "h Enum.map", expect: "def map(enumerable, fun)")
        try enter(t, "exports Demo.Money", expect: "new/2")
        try enter(t, "send(self(), :hello)", expect: ":hello")
        try enter(t, "flush()", expect: ":hello")
        try enter(t, "i 1", expect: "Data type")
    }

    func testOutputPrintedLaterAppearsAboveThePromptAndTheLineStays() throws {
        let t = try console()
        defer { t.stop() }
        try t.waitFor { $0.contains(self.shownPrompt(self.cluster.nodes[0])) }
        try enter(t, "spawn(fn -> Process.sleep(700); IO.puts(\"later!\") end) && :ok", expect: ":ok")
        try t.type("Enum.su")
        let screen = try t.waitFor { $0.contains("\nlater!") }
        let lines = screen.split(separator: "\n").map(String.init)
        XCTAssertTrue(lines.contains("later!"), screen)
        XCTAssertEqual(lines.last { $0.hasPrefix("beamconsole(") }, prompt(cluster.nodes[0]) + "Enum.su", screen)
    }

    func testCtrlCInterruptsALongEvaluationAndKeepsTheBindings() throws {
        let t = try console()
        defer { t.stop() }
        try t.waitFor { $0.contains(self.shownPrompt(self.cluster.nodes[0])) }
        try enter(t, "kept = 7", expect: "7")
        try t.type("Stream.repeatedly(fn -> :spin end) |> Stream.run()")
        try t.press("Enter")
        Thread.sleep(forTimeInterval: 0.5)
        try t.press("C-c")
        let screen = try t.waitFor(timeout: 5) { $0.contains("cancelled") }
        XCTAssertTrue(screen.contains("cancelled"), screen)
        try enter(t, "kept + 1", expect: "8")
    }

    func testNothingIsLeftOnTheNodeAfterQuitOrSIGKILL() throws {
        let node = cluster.nodes[0]
        let baseline = try processCount(node)
        XCTAssertGreaterThan(baseline, 10)

        var t = try console()
        try t.waitFor { $0.contains(self.shownPrompt(node)) }
        try enter(t, "x = 1", expect: "1")
        XCTAssertGreaterThan(try processCount(node), baseline, "the evaluator runs while the console is there")
        try t.type("quit")
        try t.press("Enter")
        try t.waitFor { $0.contains("[exited 0]") }
        t.stop()
        XCTAssertEqual(try waitForProcessCount(node, baseline), baseline, "after quit")

        t = try console()
        defer { t.stop() }
        try t.waitFor { $0.contains(self.shownPrompt(node)) }
        try enter(t, "spawn(fn -> Process.sleep(:infinity) end) && :started", expect: ":started")
        let pid = try String(contentsOfFile: pidFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        XCTAssertEqual(kill(pid_t(pid)!, SIGKILL), 0)
        try t.waitFor { $0.contains("[exited") }
        // The process the evaluation spawned is the user's (as in IEx); the evaluator and its owner are gone.
        XCTAssertEqual(try waitForProcessCount(node, baseline + 1), baseline + 1, "after SIGKILL")
    }

    func testMulticallOfAPipeExpressionIsGrouped() throws {
        let t = try console("--connect \(cluster.nodes[1]) --yes")
        defer { t.stop() }
        try t.waitFor { $0.contains(self.shownPrompt(self.cluster.nodes[0])) }
        let out = try enter(t, "multicall Enum.map(1..3, & &1 * 2) |> Enum.sum()", expect: "2/2 ok")
        XCTAssertTrue(out.contains("2 nodes → 12"), out)
        let names = try enter(t, "eval --all node() |> to_string() |> String.length() |> Kernel.>(0)", expect: "ok in")
        XCTAssertTrue(names.contains("2 nodes → true"), names)
    }
}
