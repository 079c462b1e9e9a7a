import ErlangDistribution
import ErlangTerm
import ErlangTestSupport
import XCTest

@testable import ConsoleREPL

/// Ctrl-C reaches the evaluator's owner as `{'$beamconsole_interrupt', RequestId}`, against a real Elixir node: while
/// the line runs it stops it; when it arrives before its line (the REPL's Ctrl-C raced the request on its way), the
/// line is answered as interrupted and never run.
final class EvaluatorInterruptTests: XCTestCase {
    var node: LocalNode!
    var peer: TestNode!

    override func setUpWithError() throws {
        let cookie = randomCookie()
        peer = try TestNode(kind: .elixir, cookie: cookie)
        node = makeConsoleNode(cookie: cookie)
    }

    override func tearDown() {
        node?.shutdown()
        peer?.stop()
    }

    private func startEvaluator() async throws -> Pid {
        let started = await EvalCommand.start(
            node: peer.name, console: node.name, groupLeader: nil, caller: node, settings: ConsoleSettings())
        guard case .success(let handle) = started else { throw TestSupportError("no evaluator: \(started)") }
        return handle.owner
    }

    private func evaluate(_ owner: Pid, _ request: Evaluation.Request) async throws -> Evaluation.Reply? {
        try await Self.evaluate(node, peer.name, owner, request)
    }

    private static func evaluate(_ node: LocalNode, _ target: String, _ owner: Pid, _ request: Evaluation.Request)
        async throws -> Evaluation.Reply?
    {
        let (m, f, a) = Evaluation.evaluate(owner: owner, request)
        let r = try await node.call(node: target, module: m, function: f, arguments: a,
                                    options: CallOptions(timeout: .seconds(15), captureOutput: false))
        guard case .value(let v) = r.result else { return nil }
        return Evaluation.Reply(v)
    }

    func testAnInterruptAheadOfItsLineKeepsTheLineFromRunning() async throws {
        let owner = try await startEvaluator()
        let request = Evaluation.Request(code: ":persistent_term.put(:bc_early_line, :ran)", settings: ConsoleSettings())
        EvalCommand.interrupt(owner, request: request.id, caller: node)
        let reply = try await evaluate(owner, request)
        XCTAssertEqual(reply, .error(text: "** (EXIT) interrupted", kind: "exit"))
        let ran = try await remote(node, peer.name, "persistent_term", "get", [.atom("bc_early_line"), .atom("no")])
        XCTAssertEqual(ran, .atom("no"), "the interrupted line ran")
        // The next line runs as usual, and an interrupt for another line does not touch it.
        let next = Evaluation.Request(code: "1 + 1", settings: ConsoleSettings())
        EvalCommand.interrupt(owner, request: next.id + 1000, caller: node)
        let value = try await evaluate(owner, next)
        guard case .value(let text, _, _, _)? = value else { return XCTFail("\(String(describing: value))") }
        XCTAssertEqual(text, "2")
    }

    func testAnInterruptWhileTheLineRunsStopsIt() async throws {
        let owner = try await startEvaluator()
        let request = Evaluation.Request(code: "Process.sleep(20_000)", settings: ConsoleSettings())
        let start = ContinuousClock.now
        let (console, target) = (node!, peer.name)
        async let reply = Self.evaluate(console, target, owner, request)
        try await Task.sleep(for: .milliseconds(300))
        EvalCommand.interrupt(owner, request: request.id, caller: node)
        let answered = try await reply
        XCTAssertEqual(answered, .error(text: "** (EXIT) interrupted", kind: "exit"))
        XCTAssertLessThan(ContinuousClock.now - start, .seconds(10), "the line was not stopped")
    }
}
