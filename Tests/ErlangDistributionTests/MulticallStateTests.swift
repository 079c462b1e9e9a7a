@testable import ErlangDistribution
import ErlangTerm
import XCTest

/// `MulticallState`: which reply finishes which node, one event → finished entries per line.
final class MulticallStateTests: XCTestCase {
    private let us: Atom = "bc@h"
    private func ref(_ n: UInt32) -> Reference { Reference(node: us, creation: 5, ids: [n, 0, 0]) }
    private func pid(_ node: Atom, _ id: UInt32) -> Pid { Pid(node: node, id: id, serial: 0, creation: 9) }
    private func down(_ r: Reference, _ reason: Term) -> Term {
        .tuple([.atom("DOWN"), .reference(r), .atom("process"), .pid(pid("a@h", 1)), reason])
    }

    func testErpcRepliesFinishTheirNode() {
        let result = ref(100)
        var s = MulticallState(resultRef: result)
        s.add(node: "a@h", request: .erpc(requestID: ref(1)))
        s.add(node: "b@h", request: .erpc(requestID: ref(2)))
        s.add(node: "c@h", request: .erpc(requestID: ref(3)))

        XCTAssertEqual(s.received(.tuple([.atom("spawn_reply"), .reference(ref(1)), .atom("ok"), .pid(pid("a@h", 7))])), [])
        XCTAssertEqual(s.entries[0].remotePid, pid("a@h", 7))
        XCTAssertEqual(s.received(down(ref(2), .tuple([.reference(result), .atom("return"), .atom("b@h")]))), [1])
        XCTAssertEqual(s.received(down(ref(2), .tuple([.reference(result), .atom("return"), .atom("again")]))), [])
        XCTAssertEqual(s.received(down(ref(9), .tuple([.reference(result), .atom("return"), .atom("x")]))), [])
        XCTAssertEqual(s.received(.tuple([.atom("spawn_reply"), .reference(ref(3)), .atom("error"), .atom("badarg")])), [2])
        XCTAssertEqual(s.received(down(ref(1), .tuple([.reference(result), .atom("throw"), .atom("ball")]))), [0])
        XCTAssertTrue(s.isFinished)

        XCTAssertEqual(s.entries[0].outcome, .response(.exception(.throw, reason: "ball", stacktrace: [])))
        XCTAssertEqual(s.entries[1].outcome, .response(.value(.atom("b@h"))))
        guard case .failure(let e)? = s.entries[2].outcome else { return XCTFail("\(s.entries[2])") }
        XCTAssertEqual(e.code, .rpcFailed)
        XCTAssertEqual(e.node, "c@h")
        XCTAssertTrue(s.entries.allSatisfy(\.answered))
    }

    func testRexRepliesAndNodedown() {
        var s = MulticallState(resultRef: ref(100))
        s.add(node: "a@h", request: .rex(ref: ref(1)))
        s.add(node: "b@h", request: .erpc(requestID: ref(2)))
        s.add(node: "c@h", request: .rex(ref: ref(3)))

        XCTAssertEqual(s.received(.tuple([.reference(ref(2)), .atom("not for erpc")])), [])
        XCTAssertEqual(s.received(.tuple([.reference(ref(1)), .integer(42)])), [0])
        XCTAssertEqual(s.received(.tuple([.atom("nodedown"), .atom("b@h")])), [1])
        XCTAssertEqual(s.received(.tuple([.atom("nodedown"), .atom("b@h")])), [])
        XCTAssertEqual(s.received(.tuple([.reference(ref(3)), .tuple([.atom("badrpc"), .atom("nodedown")])])), [2])

        XCTAssertEqual(s.entries[0].outcome, .response(.value(42)))
        XCTAssertEqual(s.entries[1].outcome, .response(.nodedown(node: "b@h")))
        XCTAssertEqual(s.entries[2].outcome, .response(.exception(.exit, reason: .tuple([.atom("badrpc"), .atom("nodedown")]), stacktrace: [])))
    }

    func testSendFailureTimeoutAndCancellation() {
        var s = MulticallState(resultRef: ref(100))
        s.add(node: "a@h", request: .erpc(requestID: ref(1)))
        s.add(node: "b@h", request: .erpc(requestID: ref(2)))
        s.add(node: "c@h", request: .erpc(requestID: ref(3)))

        XCTAssertEqual(s.sendFailed(0), [0])
        XCTAssertEqual(s.sendFailed(0), [])
        XCTAssertEqual(s.timedOut(), [1, 2])
        XCTAssertEqual(s.timedOut(), [])
        XCTAssertEqual(s.entries.map(\.outcome), [.response(.nodedown(node: "a@h")), .response(.timeout), .response(.timeout)])
        XCTAssertEqual(s.entries.map(\.answered), [true, false, false], "timed-out erpc processes are to be killed")

        var c = MulticallState(resultRef: ref(100))
        c.add(node: "a@h", request: .rex(ref: ref(1)))
        XCTAssertEqual(c.cancelled(), [0])
        guard case .failure(let e)? = c.entries[0].outcome else { return XCTFail("\(c.entries[0])") }
        XCTAssertEqual(e.code, .closedLocally)
        XCTAssertFalse(c.entries[0].answered)
    }

    /// A frame built around an argument list encoded once is byte for byte the one the whole message encodes to.
    func testSharedArgumentsFrameMatchesTheWholeMessage() throws {
        let message = ControlMessage.spawnRequest(
            requestID: ref(1), from: pid(us, 3), groupLeader: pid(us, 4), module: "erpc", function: "execute_call",
            arity: 4, options: .list([.atom("monitor")]),
            arguments: .list([.reference(ref(100)), .atom("erlang"), .atom("node"), .list([.binary([1, 2, 3])])]))
        let (control, arguments) = message.terms
        let shared = try ControlMessage.encodeFrame(
            control: control, encodedMessage: try ControlMessage.encodeMessage(try XCTUnwrap(arguments)))
        XCTAssertEqual(shared, try message.encodeFrame())
    }
}
