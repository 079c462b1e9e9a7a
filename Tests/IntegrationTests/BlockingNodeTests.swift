import ErlangDistribution
import ErlangTerm
import ErlangTestSupport
import Foundation
import XCTest

/// ``BlockingNode`` / ``BlockingConnection`` against real `erl` nodes: the same outcomes and stage-naming errors as
/// ``LocalNode``'s, with no event loop.
final class BlockingNodeTests: XCTestCase {
    func configuration(cookie: String = "itcookie", epmdPort: Int? = nil, longName: Bool = false)
        -> BlockingConnection.Configuration
    {
        let host = longName ? "127.0.0.1" : TestNode.shortHost
        let alive = "bcb\(UInt32.random(in: 0...UInt32.max))@\(host)"
        return .init(name: longName ? .long(alive) : .short(alive), cookie: cookie, epmdPort: epmdPort)
    }

    func testErpcAndRexCallsAndExceptionClasses() throws {
        let erl = try TestNode.erl()
        defer { erl.stop() }
        let node = try BlockingNode.connect(to: erl.name, configuration: configuration())
        defer { node.close() }
        XCTAssertEqual(node.peerName, erl.name)
        XCTAssertTrue(node.connection.handshake.negotiatedFlags.isSuperset(of: [.spawn, .distMonitor]))

        let r = try node.call(module: "erlang", function: "node", arguments: [])
        XCTAssertEqual(r.result, .value(.atom(Atom(erl.name))))
        let rex = node.rexCall(module: "lists", function: "reverse", arguments: [[1, 2, 3]])
        XCTAssertEqual(rex.result, .value([3, 2, 1]))

        let err = try node.erpcCall(module: "erlang", function: "error", arguments: ["boom"])
        guard case .exception(.error, let reason, .list(let frames)) = err.result else { return XCTFail("\(err.result)") }
        XCTAssertEqual(reason, "boom")
        XCTAssertFalse(frames.isEmpty)
        XCTAssertEqual(try node.erpcCall(module: "erlang", function: "exit", arguments: ["bye"]).result,
                       .exception(.exit, reason: "bye", stacktrace: []))
        XCTAssertEqual(try node.erpcCall(module: "erlang", function: "throw", arguments: ["ball"]).result,
                       .exception(.throw, reason: "ball", stacktrace: []))
        let hidden = try node.call(module: "erlang", function: "nodes", arguments: [.atom("hidden")])
        XCTAssertEqual(hidden.result, .value(.list([.atom(Atom(node.name))])), "we are a hidden node")
    }

    /// The group leader: output in order, including `io:format` (a nested rex call for `{put_chars, M, F, A}` on
    /// older OTPs), streamed to `onOutput` and collected in the response.
    /// Reads that block at once (`receiveSpin: .zero`) and reads that poll first, with a spin longer than the calls'
    /// replies take and one far longer than a wait (the spin ends at the wait's own timeout), give the same answers,
    /// and a call that outlasts the spin still completes.
    func testReceiveSpinSettingsGiveTheSameResults() throws {
        let erl = try TestNode.erl()
        defer { erl.stop() }
        for spin: Duration in [.zero, .microseconds(60), .seconds(10)] {
            var c = configuration()
            c.receiveSpin = spin
            let node = try BlockingNode.connect(to: erl.name, configuration: c)
            defer { node.close() }
            for i in 0..<50 {
                let r = node.rexCall(module: "erlang", function: "abs", arguments: [.integer(-i)])
                XCTAssertEqual(r.result, .value(.integer(i)), "\(spin)")
            }
            let slow = try node.call(module: "timer", function: "sleep", arguments: [20])
            XCTAssertEqual(slow.result, .value(.atom("ok")), "\(spin)")
        }
    }

    func testOutputIsCapturedAndStreamed() throws {
        let erl = try TestNode.erl()
        defer { erl.stop() }
        let node = try BlockingNode.connect(to: erl.name, configuration: configuration())
        defer { node.close() }
        let chunks = LockedStrings()
        let code = "io:put_chars(\"one \"), io:format(\"~p~n\", [{two, 2}]), done."
        let r = try node.call(
            module: "erl_eval", function: "exprs",
            arguments: [try parsed(code, on: node), .list([])],
            options: CallOptions(onOutput: { chunks.append($0) }))
        // erl_eval:exprs/2 → {value, Value, Bindings}
        guard case .value(.tuple(let t)) = r.result, t.count == 3 else { return XCTFail("\(r.result)") }
        XCTAssertEqual(t[1], .atom("done"))
        XCTAssertEqual(r.output, "one {two,2}\n")
        XCTAssertEqual(chunks.joined, r.output)
        for method in [CallOptions.Method.rex, .erpc] {
            let silent = try node.call(
                module: "io", function: "put_chars", arguments: [.string("x")],
                options: CallOptions(method: method, captureOutput: false))
            XCTAssertEqual(silent.output, "", "\(method)")
        }
    }

    func testTimeoutThenTheConnectionStillWorks() throws {
        let erl = try TestNode.erl()
        defer { erl.stop() }
        let node = try BlockingNode.connect(to: erl.name, configuration: configuration())
        defer { node.close() }
        let slow = try node.call(module: "timer", function: "sleep", arguments: [2000],
                                 options: CallOptions(timeout: .milliseconds(200)))
        XCTAssertEqual(slow.result, .timeout)
        let rexSlow = node.rexCall(module: "timer", function: "sleep", arguments: [2000],
                                   options: CallOptions(timeout: .milliseconds(200)))
        XCTAssertEqual(rexSlow.result, .timeout)
        XCTAssertEqual(try node.call(module: "erlang", function: "node", arguments: []).result,
                       .value(.atom(Atom(erl.name))))
    }

    func testNodeGoingDownDuringACallIsNodedown() throws {
        let erl = try TestNode.erl()
        defer { erl.stop() }
        let node = try BlockingNode.connect(to: erl.name, configuration: configuration())
        defer { node.close() }
        let r = try node.call(module: "erlang", function: "halt", arguments: [])
        XCTAssertEqual(r.result, .nodedown(node: erl.name))
    }

    func testLongNames() throws {
        let erl = try TestNode.erl(longName: true)
        defer { erl.stop() }
        let node = try BlockingNode.connect(to: erl.name, configuration: configuration(longName: true))
        defer { node.close() }
        XCTAssertEqual(try node.call(module: "erlang", function: "node", arguments: []).result,
                       .value(.atom(Atom(erl.name))))
    }

    func testErrorsNameTheirStage() throws {
        let erl = try TestNode.erl()
        defer { erl.stop() }
        func failure(_ node: String, _ c: BlockingConnection.Configuration, port: Int? = nil) -> DistributionError? {
            do {
                _ = try BlockingConnection.connect(to: node, configuration: c, port: port)
                return nil
            } catch {
                return error
            }
        }
        var e = failure(erl.name, configuration(cookie: "wrongcookie"))
        XCTAssertEqual(e?.code, .cookieMismatch)
        XCTAssertEqual(e?.stage, .handshake)
        XCTAssertEqual(e?.node, erl.name)
        XCTAssertFalse(e?.description.contains("wrongcookie") ?? true)

        e = failure("nosuchnode@\(TestNode.shortHost)", configuration())
        XCTAssertEqual(e?.code, .nameNotRegistered)
        XCTAssertEqual(e?.stage, .epmd)
        XCTAssertTrue(e?.registeredNames.contains(erl.alive) ?? false, "\(e?.registeredNames ?? [])")

        e = failure("x@127.0.0.1", configuration(epmdPort: 1))
        XCTAssertEqual(e?.code, .epmdRefused)
        XCTAssertEqual(e?.stage, .epmd)
        e = failure("x@no-such-host.invalid", configuration())
        XCTAssertEqual(e?.code, .hostNotFound)
        XCTAssertEqual(e?.stage, .resolve)
        e = failure("nohost", configuration())
        XCTAssertEqual(e?.code, .badNodeName)
        e = failure("x@127.0.0.1", configuration(), port: 1)
        XCTAssertEqual(e?.code, .connectRefused)
        XCTAssertEqual(e?.stage, .connect)
    }

    /// The same messages as the NIO path for the same failures.
    func testErrorsMatchLocalNode() async throws {
        let erl = try TestNode.erl()
        defer { erl.stop() }
        let local = makeLocalNode(cookie: "wrongcookie")
        defer { local.shutdown() }
        for target in [erl.name, "nosuchnode@\(TestNode.shortHost)", "x@no-such-host.invalid"] {
            var nio: DistributionError?
            do { try await local.connect(to: target) } catch { nio = error }
            var blocking: DistributionError?
            do {
                _ = try BlockingConnection.connect(to: target, configuration: configuration(cookie: "wrongcookie"))
            } catch {
                blocking = error
            }
            XCTAssertEqual(blocking?.code, nio?.code, target)
            XCTAssertEqual(blocking?.stage, nio?.stage, target)
            XCTAssertEqual(blocking?.description, nio?.description, target)
        }
    }

    private func parsed(_ code: String, on node: BlockingNode) throws -> Term {
        let scanned = try node.call(module: "erl_scan", function: "string", arguments: [.charlist(code)])
        guard case .value(.tuple(let s)) = scanned.result, s.count == 3 else { throw TestSupportError("erl_scan:string/1 gave \(scanned)") }
        let exprs = try node.call(module: "erl_parse", function: "parse_exprs", arguments: [s[1]])
        guard case .value(.tuple(let p)) = exprs.result, p.count == 2 else { throw TestSupportError("erl_parse:parse_exprs/1 gave \(exprs)") }
        return p[1]
    }
}

/// Output chunks collected from `onOutput` (which must be Sendable).
final class LockedStrings: @unchecked Sendable {
    private var items: [String] = []
    private let lock = NSLock()
    func append(_ s: String) { lock.withLock { items.append(s) } }
    var joined: String { lock.withLock { items.joined() } }
}
