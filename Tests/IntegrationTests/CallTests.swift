import ErlangDistribution
import ErlangTerm
import ErlangTestSupport
import XCTest

final class CallTests: XCTestCase {
    func testRexCallWithGoodCookie() async throws {
        let erl = try TestNode.erl()
        defer { erl.stop() }
        let node = makeLocalNode()
        defer { node.shutdown() }
        let r = try await node.rexCall(node: erl.name, module: "erlang", function: "node", arguments: [])
        XCTAssertEqual(r.result, .value(.atom(Atom(erl.name))))
        let r2 = try await node.rexCall(node: erl.name, module: "lists", function: "reverse", arguments: [[1, 2, 3]])
        XCTAssertEqual(r2.result, .value([3, 2, 1]))
        XCTAssertEqual(node.connectionState(of: erl.name), .up)
    }

    func testErpcCallAndExceptionClasses() async throws {
        let erl = try TestNode.erl()
        defer { erl.stop() }
        let node = makeLocalNode()
        defer { node.shutdown() }
        let r = try await node.erpcCall(node: erl.name, module: "erlang", function: "node", arguments: [])
        XCTAssertEqual(r.result, .value(.atom(Atom(erl.name))))

        let err = try await node.erpcCall(node: erl.name, module: "erlang", function: "error", arguments: ["boom"])
        guard case .exception(.error, let reason, let stack) = err.result else { return XCTFail("\(err.result)") }
        XCTAssertEqual(reason, "boom")
        guard case .list(let frames) = stack else { return XCTFail("stack \(stack)") }
        XCTAssertFalse(frames.isEmpty)

        let ex = try await node.erpcCall(node: erl.name, module: "erlang", function: "exit", arguments: ["bye"])
        XCTAssertEqual(ex.result, .exception(.exit, reason: "bye", stacktrace: []))

        let th = try await node.erpcCall(node: erl.name, module: "erlang", function: "throw", arguments: ["ball"])
        XCTAssertEqual(th.result, .exception(.throw, reason: "ball", stacktrace: []))

        let undef = try await node.erpcCall(node: erl.name, module: "nosuch", function: "f", arguments: [])
        guard case .exception(.error, let ur, _) = undef.result else { return XCTFail("\(undef.result)") }
        XCTAssertEqual(ur, "undef")
    }
}

final class LongNameTests: XCTestCase {
    /// `erl -name x@127.0.0.1` and a long-named console node: the handshake, a rex and an erpc call.
    func testLongNames() async throws {
        let erl = try TestNode.erl(longName: true)
        defer { erl.stop() }
        let node = makeLocalNode(longName: true)
        defer { node.shutdown() }
        XCTAssertTrue(node.name.hasSuffix("@127.0.0.1"))
        let r = try await node.rexCall(node: erl.name, module: "erlang", function: "node", arguments: [])
        XCTAssertEqual(r.result, .value(.atom(Atom(erl.name))))
        let e = try await node.erpcCall(node: erl.name, module: "erlang", function: "nodes", arguments: [.atom("hidden")])
        XCTAssertEqual(e.result, .value(.list([.atom(Atom(node.name))])), "we are a hidden node")
        let v = try await node.erpcCall(node: erl.name, module: "erlang", function: "nodes", arguments: [])
        XCTAssertEqual(v.result, .value(.list([])), "hidden: not in nodes()")
    }
}
