import ErlangTestSupport
import Foundation
import XCTest

/// The prompt follows the target, through a real pseudo-terminal (tmux) against real Elixir nodes: it shows the
/// target as soon as one is chosen, turns to the down state while the user types when the target's node stops, and
/// the next line aimed at it fails at once naming the live nodes, without running anywhere else.
final class TargetPromptTerminalTests: DemoTerminalTestCase {
    func console(_ arguments: String) throws -> TmuxTerminal { try terminal(arguments) }

    /// The last prompt line on the screen, without trailing blanks (tmux drops them): `prompt(label) + typed`
    /// trimmed.
    func promptLine(_ screen: String) -> String? {
        let lines = screen.split(separator: "\n").map(String.init)
        return lines.last { $0.hasPrefix("beamconsole(") || $0.hasPrefix("beamconsole>") }.map(trimmed)
    }

    func trimmed(_ s: String) -> String { String(s.reversed().drop { $0 == " " }.reversed()) }

    func testPromptTurnsDownWhileTypingAndTheNextLineFailsAtOnceNamingTheLiveNodes() throws {
        let (target, other) = (cluster.nodes[0], cluster.nodes[1])
        let t = try console("--connect \(target) --connect \(other)")
        defer { t.stop() }
        try t.waitFor { self.promptLine($0) == self.trimmed(self.prompt(target)) }
        try t.type("Demo.Stats.in")
        cluster.kill(target)
        // No key pressed: the nodedown alone redraws the prompt, with the typed text intact after it.
        var screen = try t.waitFor { self.promptLine($0) == self.prompt("\(target) down") + "Demo.Stats.in" }
        XCTAssertEqual(promptLine(screen), prompt("\(target) down") + "Demo.Stats.in", screen)
        XCTAssertTrue(screen.contains("** nodedown \(target)"), screen)

        try t.type("fo()")
        try t.press("Enter")
        screen = try t.waitFor { $0.contains("nothing sent") }
        // The message wraps at the terminal's width: read it with the rows joined.
        let joined = screen.replacingOccurrences(of: "\n", with: "")
        let message = try XCTUnwrap(joined.range(of: "\(target) is ").map { String(joined[$0.lowerBound...]) }, screen)
        // Down just now: no dial (or, on a slow machine past the quiet period, one quick attempt that EPMD refuses).
        XCTAssertTrue(
            message.hasPrefix("\(target) is down (closed_by_peer")
                || message.hasPrefix("\(target) is unreachable (epmd: name_not_registered"), message)
        XCTAssertTrue(message.contains("nothing sent; live nodes: \(other) (use NODE to switch"), message)
        // Never run on another node: no result, and the target is still the target.
        XCTAssertFalse(screen.contains("otp_release"), screen)
        screen = try t.waitFor { self.promptLine($0) == self.trimmed(self.prompt("\(target) down")) }
        XCTAssertEqual(promptLine(screen), trimmed(prompt("\(target) down")), screen)

        // Switching by hand works, and the prompt says so at once.
        try t.type("use \(other)")
        try t.press("Enter")
        screen = try t.waitFor { self.promptLine($0) == self.trimmed(self.prompt(other)) }
        XCTAssertEqual(promptLine(screen), trimmed(prompt(other)), screen)

        // A line failed, yet quitting at the terminal is a normal end (`make demo` exits 0).
        try t.press("C-d")
        screen = try t.waitFor { $0.contains("[exited ") }
        XCTAssertTrue(screen.contains("[exited 0]"), screen)
    }

    /// A target that comes back works again: discovery's retry reconnects it, the prompt turns back by itself, and
    /// the next line runs on it.
    func testATargetThatComesBackTurnsThePromptBackAndTakesLinesAgain() throws {
        let (target, other) = (cluster.nodes[0], cluster.nodes[1])
        let t = try console("--connect \(target) --nodes \(other) --poll-interval 0.5")
        defer { t.stop() }
        try t.waitFor { self.promptLine($0) == self.trimmed(self.prompt(target)) }
        cluster.kill(target)
        var screen = try t.waitFor { self.promptLine($0) == self.trimmed(self.prompt("\(target) down")) }
        XCTAssertEqual(promptLine(screen), trimmed(prompt("\(target) down")), screen)
        try cluster.restart(target)
        screen = try t.waitFor(timeout: 60) { self.promptLine($0) == self.trimmed(self.prompt(target)) }
        XCTAssertEqual(promptLine(screen), trimmed(prompt(target)), screen)
        try t.type(":erlang.node()")
        try t.press("Enter")
        screen = try t.waitFor { $0.contains("> :erlang.node()\n:\(target)") }
        XCTAssertTrue(screen.contains("> :erlang.node()\n:\(target)"), screen)
    }

    /// The target shows as soon as it is chosen: from `--connect` at the first prompt, from `use` at the next one,
    /// and (with discovery and no target given) when the first discovered node comes up, with no line typed.
    func testThePromptShowsTheTargetAsSoonAsItIsChosen() throws {
        let (a, b) = (cluster.nodes[0], cluster.nodes[1])
        var t = try console("--connect \(a)")
        var screen = try t.waitFor { self.promptLine($0) == self.trimmed(self.prompt(a)) }
        XCTAssertEqual(promptLine(screen), trimmed(prompt(a)), screen)
        try t.type("use \(b)")
        try t.press("Enter")
        screen = try t.waitFor {
            $0.contains("target is now \(b)") && self.promptLine($0) == self.trimmed(self.prompt(b))
        }
        XCTAssertEqual(promptLine(screen), trimmed(prompt(b)), screen)
        t.stop()

        t = try console("--nodes \(a),\(b)")
        defer { t.stop() }
        let either = [a, b].map { trimmed(prompt($0)) }
        screen = try t.waitFor { either.contains(self.promptLine($0) ?? "") }
        XCTAssertTrue(either.contains(promptLine(screen) ?? ""), screen)
    }
}
