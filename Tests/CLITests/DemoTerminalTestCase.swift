import ErlangTestSupport
import Foundation
import XCTest

/// The base of the REPL's terminal tests: two real Elixir nodes running the demo application, a state directory
/// (history) of the test's own, and the console started in a real pseudo-terminal (tmux) with its PID in
/// ``pidFile`` (the shell `exec`s it), so that a test can kill it.
class DemoTerminalTestCase: XCTestCase {
    static var binary: String { TermCommandTests.binary.path }

    var cluster: DemoCluster!
    var stateDir: URL!
    var pidFile: String { stateDir.appendingPathComponent("console.pid").path }

    override func setUpWithError() throws {
        cluster = try DemoCluster(count: 2)
        stateDir = FileManager.default.temporaryDirectory.appendingPathComponent("bc-state-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: stateDir, withIntermediateDirectories: true)
    }

    override func tearDown() {
        cluster?.stop()
        if let stateDir { try? FileManager.default.removeItem(at: stateDir) }
    }

    /// `beamconsole ARGUMENTS` in a 100×30 terminal (arguments without single quotes).
    func terminal(_ arguments: String) throws -> TmuxTerminal {
        try TmuxTerminal(
            command: "sh -c 'echo $$ > \(pidFile); exec \(Self.binary) \(arguments)'",
            environment: ["RELEASE_COOKIE": cluster.cookie, "XDG_STATE_HOME": stateDir.path, "TERM": "xterm-256color"])
    }

    func prompt(_ label: String) -> String { "beamconsole(\(label))> " }
    /// The prompt as the screen shows it before anything is typed (tmux drops the trailing space).
    func shownPrompt(_ label: String) -> String { "beamconsole(\(label))>" }
}
