import ErlangTestSupport
import Foundation
import XCTest

/// The REPL driven through a real pseudo-terminal (tmux) against real Elixir nodes.
final class ConsoleREPLTerminalTests: DemoTerminalTestCase {
    func console(_ extra: String = "") throws -> TmuxTerminal {
        try terminal("--connect \(cluster.nodes[0]) \(extra)")
    }

    func testCallPrintsResultAndRemoteOutputLikeIEx() throws {
        let t = try console()
        defer { t.stop() }
        try t.waitFor { $0.contains(self.shownPrompt(self.cluster.nodes[0])) }
        try t.type("Demo.Stats.hello(\"tty\")")
        try t.press("Enter")
        let screen = try t.waitFor { $0.contains(":ok") }
        XCTAssertTrue(screen.contains("hello, tty, from \(cluster.nodes[0])"), screen)
        let hello = screen.range(of: "hello, tty")!.lowerBound
        XCTAssertLessThan(hello, screen.range(of: ":ok")!.lowerBound, "output before the result")
    }

    func testHistoryPersistsAcrossRestarts() throws {
        var t = try console()
        try t.waitFor { $0.contains(self.shownPrompt(self.cluster.nodes[0])) }
        try t.type(":erlang.node()")
        try t.press("Enter")
        try t.waitFor { $0.contains(":\(self.cluster.nodes[0])") }
        try t.type(" :erlang.system_info(:otp_release)")  // leading space: kept out of history
        try t.press("Enter")
        try t.waitFor { $0.contains("'25'") }
        try t.press("C-d")
        try t.waitFor { $0.contains("[exited 0]") }
        t.stop()

        t = try console()
        defer { t.stop() }
        try t.waitFor { $0.contains(self.shownPrompt(self.cluster.nodes[0])) }
        try t.press("Up")
        let screen = try t.waitFor { $0.contains("> :erlang.node()") }
        XCTAssertTrue(screen.contains("> :erlang.node()"), screen)
        XCTAssertFalse(screen.contains("> :erlang.system_info"), "space-prefixed line must not be recalled")
    }

    func testTabCompletesARemoteModuleName() throws {
        let t = try console()
        defer { t.stop() }
        try t.waitFor { $0.contains(self.shownPrompt(self.cluster.nodes[0])) }
        try t.type("Demo.Ord")
        try t.press("Tab")
        var screen = try t.waitFor { $0.contains("Demo.Orders.") }
        XCTAssertTrue(screen.contains("> Demo.Orders."), screen)
        try t.type("li")
        try t.press("Tab")
        screen = try t.waitFor { $0.contains("Demo.Orders.list(") }
        try t.type(")")
        try t.press("Enter")
        screen = try t.waitFor { $0.contains("coffee beans") }
        XCTAssertTrue(screen.contains("coffee beans"), screen)
    }

    func testCtrlCCancelsALongCallAndThePromptStillWorks() throws {
        let t = try console()
        defer { t.stop() }
        try t.waitFor { $0.contains(self.shownPrompt(self.cluster.nodes[0])) }
        try t.type("Process.sleep(10_000)")
        try t.press("Enter")
        Thread.sleep(forTimeInterval: 0.5)
        let start = Date()
        try t.press("C-c")
        var screen = try t.waitFor(timeout: 5) { $0.contains("cancelled") }
        XCTAssertTrue(screen.contains("cancelled"), screen)
        // Well before the 10 s sleep would end by itself (a loaded machine gets some slack).
        XCTAssertLessThan(Date().timeIntervalSince(start), 5)
        try t.type("1 + 1")  // any expression: evaluated on the node
        try t.press("Enter")
        try t.type(":erlang.node()")
        try t.press("Enter")
        screen = try t.waitFor(timeout: 3) { $0.contains(":\(self.cluster.nodes[0])") }
        XCTAssertTrue(screen.contains(":\(cluster.nodes[0])"), screen)
    }

    func testCtrlCStopsATraceAndTheNodeConfirmsNothingIsLeft() throws {
        let t = try console()
        defer { t.stop() }
        try t.waitFor { $0.contains(self.shownPrompt(self.cluster.nodes[0])) }
        try t.type("trace Demo.Stats.hello/1 --for 60s")
        try t.press("Enter")
        try t.waitFor(timeout: 10) { $0.contains("Ctrl-C stops") }
        try t.press("C-c")
        var screen = try t.waitFor(timeout: 5) { $0.contains("nothing of the trace is left") }
        XCTAssertTrue(screen.contains("ended (Ctrl-C)"), screen)
        try t.type(":erlang.trace_info({Demo.Stats, :hello, 1}, :traced)")
        try t.press("Enter")
        screen = try t.waitFor(timeout: 5) { $0.contains("{:traced, false}") }
        XCTAssertTrue(screen.contains("{:traced, false}"), screen)
    }

    func testNodedownWhileTypingLeavesTheLineIntact() throws {
        let t = try console("--connect \(cluster.nodes[1])")
        defer { t.stop() }
        try t.waitFor { $0.contains(self.shownPrompt(self.cluster.nodes[0])) }
        try t.type("Demo.Stats.in")
        cluster.kill(cluster.nodes[1])
        let screen = try t.waitFor { $0.contains("nodedown \(self.cluster.nodes[1])") }
        XCTAssertTrue(screen.contains("** nodedown \(cluster.nodes[1])"), screen)
        let lines = screen.split(separator: "\n").map(String.init)
        let promptLine = lines.last { $0.hasPrefix("beamconsole(") }
        XCTAssertEqual(promptLine, prompt(cluster.nodes[0]) + "Demo.Stats.in", screen)
        try t.type("fo()")
        try t.press("Enter")
        let after = try t.waitFor { $0.contains("otp_release:") }
        XCTAssertTrue(after.contains("otp_release: \"25\""), after)
    }

    func testBadInputGetsOneLineErrorsAndTheREPLCarriesOn() throws {
        let t = try console()
        defer { t.stop() }
        try t.waitFor { $0.contains(self.shownPrompt(self.cluster.nodes[0])) }
        for line in ["frobnicate", "call Enum.count([1, 2", "]])", "use nosuchnode", "call nosuch@nohost Node.list()",
                     "Demo.Orders.fetch!(99)"] {
            try t.type(line)
            try t.press("Enter")
        }
        try t.type(":erlang.node()")
        try t.press("Enter")
        let screen = try t.waitFor { $0.contains(":\(self.cluster.nodes[0])\n") || $0.hasSuffix(":\(self.cluster.nodes[0])") }
        XCTAssertTrue(screen.contains("undefined function frobnicate/0"), screen)
        XCTAssertTrue(screen.contains("column"), "parse errors name the column: \(screen)")
        XCTAssertTrue(screen.contains("is not a node name"), screen)
        XCTAssertTrue(screen.contains("** (ArgumentError) no order with id 99"), screen)
    }
}
