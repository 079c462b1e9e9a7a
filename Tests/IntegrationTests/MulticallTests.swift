import ErlangDistribution
import ErlangTerm
import ErlangTestSupport
import Foundation
import XCTest

/// `LocalNode.multicall` against real nodes: one outcome per node, with its own output; exceptions, nodedown, timeout
/// and connection failures per node, by erpc and by rex.
final class MulticallTests: XCTestCase {
    func testValuesOutputAndExceptionsPerNode() async throws {
        let erls = try (0..<3).map { _ in try TestNode.erl() }
        defer { for e in erls { e.stop() } }
        let node = makeLocalNode()
        defer { node.shutdown() }
        let names = erls.map(\.name)
        // Two connected before the call, one not (it is connected by the multicall itself).
        for n in names.prefix(2) { try await node.connect(to: n) }

        for method in [CallOptions.Method.erpc, .rex] {
            let options = CallOptions(method: method)
            let r = await node.multicall(nodes: names, module: "erlang", function: "node", arguments: [], options: options)
            XCTAssertEqual(Set(r.keys), Set(names))
            for n in names {
                XCTAssertEqual(try r[n]?.get().result, .value(.atom(Atom(n))), "\(method) \(n)")
            }

            // Output goes to each node's own group leader: each response has its node's output once (io:format with
            // arguments is the io_lib M:F:A form, evaluated by a nested call).
            let out = await node.multicall(
                nodes: names, module: "io", function: "format", arguments: [.charlist("a=~p~n"), [42]],
                options: options)
            for n in names {
                let response = try XCTUnwrap(try out[n]?.get(), "\(method) \(n)")
                XCTAssertEqual(response.result, .value("ok"))
                XCTAssertEqual(response.output, "a=42\n")
            }
            let own = await node.multicall(
                nodes: names, module: "io", function: "put_chars", arguments: [.string("from a node\n")],
                options: options)
            for n in names { XCTAssertEqual(try own[n]?.get().output, "from a node\n", "\(method) \(n)") }

            let boom = await node.multicall(nodes: names, module: "erlang", function: "error", arguments: ["boom"],
                                            options: options)
            for n in names {
                guard case .exception(.error, let reason, _)? = try boom[n]?.get().result else {
                    return XCTFail("\(method) \(n): \(String(describing: boom[n]))")
                }
                XCTAssertEqual(reason, "boom")
            }
        }

        // The exact classes through erpc, as erpcCall gives them.
        let thrown = await node.multicall(nodes: names, module: "erlang", function: "throw", arguments: ["ball"],
                                          options: .init(method: .erpc))
        for n in names { XCTAssertEqual(try thrown[n]?.get().result, .exception(.throw, reason: "ball", stacktrace: [])) }
        // Without capture, no output.
        let silent = await node.multicall(
            nodes: names, module: "io", function: "put_chars", arguments: [.string("x\n")],
            options: .init(captureOutput: false))
        for n in names { XCTAssertEqual(try silent[n]?.get().output, "") }
        // A node listed twice is called once.
        let twice = await node.multicall(nodes: [names[0], names[0]], module: "erlang", function: "node", arguments: [])
        XCTAssertEqual(twice.count, 1)
    }

    /// A node that cannot be reached is an error row (its stage named); the others answer.
    func testUnreachableNodeFailsAlone() async throws {
        let erl = try TestNode.erl()
        defer { erl.stop() }
        let node = makeLocalNode()
        defer { node.shutdown() }
        try await node.connect(to: erl.name)
        let missing = "nosuch\(UInt32.random(in: 0...UInt32.max))@\(TestNode.shortHost)"
        let r = await node.multicall(nodes: [erl.name, missing], module: "erlang", function: "node", arguments: [])
        XCTAssertEqual(try r[erl.name]?.get().result, .value(.atom(Atom(erl.name))))
        guard case .failure(let error)? = r[missing] else { return XCTFail("\(String(describing: r[missing]))") }
        XCTAssertEqual(error.node, missing)
        XCTAssertEqual(error.stage, .epmd)
    }

    /// A node that goes down during the call is `nodedown`; one that does not answer in time is `timeout`, and its
    /// erpc process is killed (as erpcCall does).
    func testNodedownAndTimeoutPerNode() async throws {
        let dying = try TestNode.erl()
        let slow = try TestNode.erl()
        defer { dying.stop(); slow.stop() }
        let node = makeLocalNode()
        defer { node.shutdown() }
        for n in [dying.name, slow.name] { try await node.connect(to: n) }

        let killer = Task {
            try await Task.sleep(for: .milliseconds(500))
            dying.stop()
        }
        let r = await node.multicall(
            nodes: [dying.name, slow.name], module: "timer", function: "sleep", arguments: [.atom("infinity")],
            options: .init(method: .erpc, timeout: .seconds(4)))
        _ = try await killer.value
        XCTAssertEqual(try r[dying.name]?.get().result, .nodedown(node: dying.name))
        XCTAssertEqual(try r[slow.name]?.get().result, .timeout)

        // The timed-out call's process is killed: nothing sleeps in timer:sleep/1 on the slow node any more.
        let sleepers = "length([P || P <- processes(), "
            + "process_info(P, current_function) =:= {current_function, {timer, sleep, 1}}])."
        var left: Term = .integer(-1)
        for _ in 0..<50 {
            left = try await LinkMonitorTests.evaluate(sleepers, on: node, peer: slow.name)
            if left == .integer(0) { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        XCTAssertEqual(left, .integer(0))
    }
}
