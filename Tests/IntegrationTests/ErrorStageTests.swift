import ErlangDistribution
import ErlangTerm
import ErlangTestSupport
import Foundation
import XCTest

final class ErrorStageTests: XCTestCase {
    func testWrongCookieIsCookieError() async throws {
        let erl = try TestNode.erl()
        defer { erl.stop() }
        let node = makeLocalNode(cookie: "wrongcookie")
        defer { node.shutdown() }
        do {
            _ = try await node.rexCall(node: erl.name, module: "erlang", function: "node", arguments: [])
            XCTFail("expected a cookie error")
        } catch {
            XCTAssertEqual(error.code, .cookieMismatch)
            XCTAssertEqual(error.stage, .handshake)
            XCTAssertFalse(error.description.contains("wrongcookie"))
            XCTAssertEqual(node.connectionState(of: erl.name), .failed(error))
        }
    }

    func testUnknownNodeListsNames() async throws {
        let erl = try TestNode.erl()
        defer { erl.stop() }
        let node = makeLocalNode()
        defer { node.shutdown() }
        do {
            try await node.connect(to: "nosuchnode@\(TestNode.shortHost)")
            XCTFail("expected an error")
        } catch {
            XCTAssertEqual(error.code, .nameNotRegistered)
            XCTAssertEqual(error.stage, .epmd)
            XCTAssertTrue(error.registeredNames.contains(erl.alive), "\(error.registeredNames)")
        }
    }

    func testNothingOnHostIsEPMDError() async throws {
        // An EPMD port nobody listens on stands in for a host without Erlang.
        let node = LocalNode(configuration: .init(name: .short("bc1@\(TestNode.shortHost)"), cookie: "x", epmdPort: 1))
        defer { node.shutdown() }
        do {
            try await node.connect(to: "x@127.0.0.1")
            XCTFail("expected an error")
        } catch {
            XCTAssertEqual(error.code, .epmdRefused)
            XCTAssertEqual(error.stage, .epmd)
        }
        do {
            try await node.connect(to: "x@no-such-host.invalid")
            XCTFail("expected an error")
        } catch {
            XCTAssertEqual(error.code, .hostNotFound)
            XCTAssertEqual(error.stage, .resolve)
        }
    }

    func testExplicitPortSkipsEPMDAndRefusedIsConnectStage() async throws {
        let node = makeLocalNode()
        defer { node.shutdown() }
        do {
            try await node.connect(to: "x@127.0.0.1", port: 1)
            XCTFail("expected an error")
        } catch {
            XCTAssertEqual(error.code, .connectRefused)
            XCTAssertEqual(error.stage, .connect)
        }
    }
}

final class OutputAndLoadTests: XCTestCase {
    func testOutputCapturedInOrderBeforeResult() async throws {
        let erl = try TestNode.erl()
        defer { erl.stop() }
        let node = makeLocalNode()
        defer { node.shutdown() }
        // io:format with arguments (the io_lib M:F:A form), then plain put_chars, then the result.
        let fmt: Term = .charlist("a=~p~n")
        for method in [CallOptions.Method.rex, .erpc] {
            let r1 = try await node.call(node: erl.name, module: "io", function: "format", arguments: [fmt, [42]],
                                         options: .init(method: method))
            XCTAssertEqual(r1.result, .value("ok"))
            XCTAssertEqual(r1.output, "a=42\n")
            let r2 = try await node.call(node: erl.name, module: "io", function: "put_chars", arguments: [.string("héllo\n")],
                                         options: .init(method: method))
            XCTAssertEqual(r2.output, "héllo\n")
        }
        // Several writes in one call, in order: lists:foreach over io:format.
        let expr = "lists:foreach(fun(I) -> io:format(\"~p~n\", [I]) end, [1,2,3]), done."
        let evalR = try await evalErlang(node, erl.name, expr)
        XCTAssertEqual(evalR.result, .value("done"))
        XCTAssertEqual(evalR.output, "1\n2\n3\n")
    }

    func testFiveMegabyteResult() async throws {
        let erl = try TestNode.erl()
        defer { erl.stop() }
        let node = makeLocalNode()
        defer { node.shutdown() }
        let r = try await node.call(node: erl.name, module: "binary", function: "copy", arguments: [.binary([7]), 5_000_000])
        guard case .value(.binary(let b)) = r.result else { return XCTFail("\(r.result)") }
        XCTAssertEqual(b.count, 5_000_000)
    }

    func testSequentialAndConcurrentCalls() async throws {
        let erl = try TestNode.erl()
        defer { erl.stop() }
        let node = makeLocalNode()
        defer { node.shutdown() }
        for i in 0..<10_000 {
            let r = try await node.call(node: erl.name, module: "erlang", function: "abs", arguments: [.integer(-i)],
                                        options: .init(captureOutput: false))
            if r.result != .value(.integer(i)) { return XCTFail("call \(i): \(r.result)") }
        }
        try await withThrowingTaskGroup(of: (Int, CallResult).self) { group in
            for i in 0..<200 {
                group.addTask {
                    (i, try await node.call(node: erl.name, module: "erlang", function: "abs", arguments: [.integer(-i)]).result)
                }
            }
            var n = 0
            for try await (i, r) in group {
                XCTAssertEqual(r, .value(.integer(i)))
                n += 1
            }
            XCTAssertEqual(n, 200)
        }
    }
}

/// Evaluates an Erlang expression on the node (via erl_scan/erl_parse/erl_eval) with output captured.
func evalErlang(_ node: LocalNode, _ peer: String, _ expr: String) async throws -> CallResponse {
    let tokens = try await node.call(node: peer, module: "erl_scan", function: "string", arguments: [.charlist(expr)])
    guard case .value(.tuple(let t)) = tokens.result, t.count == 3 else { throw NSError(domain: "scan", code: 1) }
    let parsed = try await node.call(node: peer, module: "erl_parse", function: "parse_exprs", arguments: [t[1]])
    guard case .value(.tuple(let p)) = parsed.result, p.count == 2, p[0] == "ok" else { throw NSError(domain: "parse", code: 1) }
    let r = try await node.call(node: peer, module: "erl_eval", function: "exprs", arguments: [p[1], []])
    var out = r
    if case .value(.tuple(let v)) = r.result, v.count == 3, v[0] == "value" { out.result = .value(v[1]) }
    return out
}

final class LivenessTests: XCTestCase {
    func testSigkilledPeerGivesNodedownPromptly() async throws {
        let erl = try TestNode.erl()
        let node = makeLocalNode()
        defer { node.shutdown(); erl.stop() }
        try await node.connect(to: erl.name)
        let start = ContinuousClock.now
        async let r = node.call(node: erl.name, module: "timer", function: "sleep", arguments: [60_000],
                                options: .init(timeout: .seconds(50)))
        try await Task.sleep(for: .milliseconds(500))
        erl.signal(SIGKILL)
        let result = try await r
        XCTAssertEqual(result.result, .nodedown(node: erl.name))
        XCTAssertLessThan(ContinuousClock.now - start, .seconds(10))
        guard case .down(let e)? = node.connectionState(of: erl.name) else { return XCTFail() }
        XCTAssertEqual(e.code, .closedByPeer)
    }

    func testShortTicktimePeerStaysConnectedWhenIdle() async throws {
        let erl = try TestNode.erl(extraArgs: ["-kernel", "net_ticktime", "4"])
        defer { erl.stop() }
        let node = makeLocalNode(tickTime: .seconds(4))
        defer { node.shutdown() }
        try await node.connect(to: erl.name)
        try await Task.sleep(for: .seconds(12))
        XCTAssertEqual(node.connectionState(of: erl.name), .up)
        let r = try await node.call(node: erl.name, module: "erlang", function: "node", arguments: [])
        XCTAssertEqual(r.result, .value(.atom(Atom(erl.name))))
    }

    func testStoppedPeerGivesTickTimeout() async throws {
        let erl = try TestNode.erl(extraArgs: ["-kernel", "net_ticktime", "4"])
        defer { erl.stop() }
        let node = makeLocalNode(tickTime: .seconds(4))
        defer { node.shutdown() }
        try await node.connect(to: erl.name)
        let start = ContinuousClock.now
        erl.signal(SIGSTOP)
        var state: PeerConnectionState? = .up
        while ContinuousClock.now - start < .seconds(8) {
            state = node.connectionState(of: erl.name)
            if case .down = state { break }
            try await Task.sleep(for: .milliseconds(200))
        }
        erl.signal(SIGCONT)
        guard case .down(let e)? = state else { return XCTFail("still \(String(describing: state))") }
        XCTAssertEqual(e.code, .tickTimeout)
        XCTAssertLessThan(ContinuousClock.now - start, .seconds(6))
    }
}
