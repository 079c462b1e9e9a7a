import ErlangDistribution
import ErlangTerm
import ErlangTestSupport
import XCTest

/// A peer that links to and monitors our processes gets the answers an Erlang node would give.
final class LinkMonitorTests: XCTestCase {
    /// Runs Erlang source on the node (erl_scan → erl_parse → erl_eval), returning the value.
    static func evaluate(_ source: String, on node: LocalNode, peer: String, timeout: Duration = .seconds(10)) async throws -> Term {
        let o = CallOptions(method: .rex, timeout: timeout, captureOutput: false)
        let scanned = try await node.call(node: peer, module: "erl_scan", function: "string", arguments: [.charlist(source)], options: o)
        guard case .value(let s) = scanned.result, let tokens = s.tagged("ok")?.first else { throw Failure("scan \(scanned.result)") }
        let parsed = try await node.call(node: peer, module: "erl_parse", function: "parse_exprs", arguments: [tokens], options: o)
        guard case .value(let p) = parsed.result, let exprs = p.tagged("ok")?.first else { throw Failure("parse \(parsed.result)") }
        let r = try await node.call(node: peer, module: "erl_eval", function: "exprs", arguments: [exprs, .list([])], options: o)
        guard case .value(let v) = r.result, let value = v.tagged("value")?.first else { throw Failure("eval \(r.result)") }
        return value
    }

    struct Failure: Error, CustomStringConvertible {
        var description: String
        init(_ d: String) { description = d }
    }

    func testPeerMonitorsAndLinksOurProcesses() async throws {
        let erl = try TestNode.erl()
        defer { erl.stop() }
        let node = makeLocalNode()
        defer { node.shutdown() }
        let (pid, _) = node.spawnProcess()
        XCTAssertTrue(node.register("probe", pid))
        let us = node.name
        let peer = erl.name

        // A monitor by name on a live process: no DOWN until it exits; then DOWN with its exit reason.
        async let watcher = Self.evaluate(
                "Ref = erlang:monitor(process, {probe, '\(us)'}), "
                    + "receive {'DOWN', Ref, process, _, Reason} -> {down, Reason} after 8000 -> timeout end.",
                on: node, peer: peer)
        try await Task.sleep(for: .milliseconds(800))
        node.exitProcess(pid, reason: .atom("bye"))
        let down = try await watcher
        XCTAssertEqual(down, .tuple([.atom("down"), .atom("bye")]))

        // A monitor on a process that does not exist: DOWN with noproc at once.
        let (gone, _) = node.spawnProcess()
        node.exitProcess(gone)
        _ = node.register("gone", gone)
        node.unregister("gone")
        let noproc = try await Self.evaluate(
            "Ref = erlang:monitor(process, {gone, '\(us)'}), "
                + "receive {'DOWN', Ref, process, _, Reason} -> Reason after 5000 -> timeout end.",
            on: node, peer: peer)
        XCTAssertEqual(noproc, .atom("noproc"))

        // A peer process that traps exits links to our process; our exit reaches it as {'EXIT', Pid, Reason}.
        let (linked, mailbox) = node.spawnProcess()
        XCTAssertTrue(node.register("linked", linked))
        async let linker = Self.evaluate(
                "process_flag(trap_exit, true), {linked, '\(us)'} ! {hello, self()}, "
                    + "receive {pid, P} -> true = link(P) end, {linked, '\(us)'} ! linked, "
                    + "receive {'EXIT', _, Why} -> {exit, Why} after 8000 -> timeout end.",
                on: node, peer: peer)
        guard case .message(let hello) = await mailbox.receive(timeout: .seconds(8)),
            let peerPid = hello.tagged("hello")?.first?.pidValue
        else { return XCTFail("no hello from the peer") }
        try node.send(.tuple([.atom("pid"), .pid(linked)]), to: peerPid)
        guard case .message(let ack) = await mailbox.receive(timeout: .seconds(8)), ack == .atom("linked") else {
            return XCTFail("the peer did not link")
        }
        node.exitProcess(linked, reason: .atom("shutdown_now"))
        let exit = try await linker
        XCTAssertEqual(exit, .tuple([.atom("exit"), .atom("shutdown_now")]))
        XCTAssertEqual(node.connectionState(of: erl.name), .up, "the connection survives all of this")
    }
}
