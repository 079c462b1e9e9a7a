import ErlangTerm
import XCTest

@testable import ErlangDistribution

/// A multicall's bookkeeping (one process, one ``RemoteCallMachine`` entry per node, as `erpc:multicall/5`): which
/// reply finishes which node, one event → actions per line. The context of each call is its node's index.
final class MulticallMachineTests: XCTestCase {
    typealias Machine = RemoteCallMachine<Int>
    private let us: Atom = "bc@h"
    private let me = Pid(node: "bc@h", id: 1, serial: 1, creation: 5)
    private func ref(_ n: UInt32) -> Reference { Reference(node: us, creation: 5, ids: [n, 0, 0]) }
    private func pid(_ node: Atom, _ id: UInt32) -> Pid { Pid(node: node, id: id, serial: 0, creation: 9) }
    private func down(_ r: Reference, _ reason: Term) -> Term {
        .tuple([.atom("DOWN"), .reference(r), .atom("process"), .pid(pid("a@h", 1)), reason])
    }
    private func erpc(_ id: UInt32, result: Reference) -> RemoteCall.Request {
        .erpc(
            requestID: ref(id), from: me, groupLeader: pid(us, 50 + id), resultRef: result, module: "erlang",
            function: "node", arguments: [])
    }
    private func rex(_ id: UInt32) -> RemoteCall.Request {
        .rex(from: me, tag: ref(id), module: "erlang", function: "node", arguments: [], groupLeader: nil)
    }

    /// Starts one call per node (contexts 0, 1, 2, …), as the multicall does with one deadline for all.
    private func start(
        _ m: inout Machine, _ requests: [(String, RemoteCall.Request)], timeout: Duration? = nil
    ) -> [Machine.CallID] {
        requests.enumerated().map { i, r in
            m.start(r.1, node: r.0, capturesOutput: true, timeout: timeout, now: 1_000, context: i)
        }
    }

    /// A mailbox message in, the actions out.
    private func feed(_ m: inout Machine, _ message: Term) -> [Machine.Action] {
        if let event = RemoteCall.Event(mailbox: message) { m.received(event) }
        return drain(&m)
    }

    private func drain(_ m: inout Machine) -> [Machine.Action] {
        var actions: [Machine.Action] = []
        while let a = m.nextAction() { actions.append(a) }
        return actions
    }

    func testErpcRepliesFinishTheirNode() {
        let result = ref(100)
        var m = Machine()
        let c = start(
            &m, [("a@h", erpc(1, result: result)), ("b@h", erpc(2, result: result)), ("c@h", erpc(3, result: result))])

        XCTAssertEqual(
            feed(&m, .tuple([.atom("spawn_reply"), .reference(ref(1)), .atom("ok"), .pid(pid("a@h", 7))])), [])
        XCTAssertEqual(
            feed(&m, down(ref(2), .tuple([.reference(result), .atom("return"), .atom("b@h")]))),
            [.complete(c[1], .response(.value(.atom("b@h"))), 1)])
        XCTAssertEqual(feed(&m, down(ref(2), .tuple([.reference(result), .atom("return"), .atom("again")]))), [])
        XCTAssertEqual(feed(&m, down(ref(9), .tuple([.reference(result), .atom("return"), .atom("x")]))), [])
        XCTAssertEqual(
            feed(&m, .tuple([.atom("spawn_reply"), .reference(ref(3)), .atom("error"), .atom("badarg")])),
            [.complete(c[2], .failure(RemoteCall.refusedSpawn(node: "c@h", reason: .atom("badarg"))), 2)])
        XCTAssertEqual(
            feed(&m, down(ref(1), .tuple([.reference(result), .atom("throw"), .atom("ball")]))),
            [.complete(c[0], .response(.exception(.throw, reason: "ball", stacktrace: [])), 0)])
        XCTAssertTrue(m.isEmpty)
        // Answered calls are not killed: nothing is left to time out.
        m.timerFired(now: .max)
        XCTAssertEqual(drain(&m), [])
    }

    func testRefusedSpawnNamesTheNode() {
        let e = RemoteCall.refusedSpawn(node: "c@h", reason: .atom("badarg"))
        XCTAssertEqual(e.code, .rpcFailed)
        XCTAssertEqual(e.node, "c@h")
        XCTAssertEqual(e.stage, .rpc)
    }

    func testRexRepliesAndNodedown() {
        var m = Machine()
        let c = start(&m, [("a@h", rex(1)), ("b@h", erpc(2, result: ref(100))), ("c@h", rex(3))])

        XCTAssertEqual(feed(&m, .tuple([.reference(ref(2)), .atom("not for erpc")])), [])
        XCTAssertEqual(
            feed(&m, .tuple([.reference(ref(1)), .integer(42)])), [.complete(c[0], .response(.value(42)), 0)])
        XCTAssertEqual(
            feed(&m, .tuple([.atom("nodedown"), .atom("b@h")])), [.complete(c[1], .response(.nodedown(node: "b@h")), 1)]
        )
        XCTAssertEqual(feed(&m, .tuple([.atom("nodedown"), .atom("b@h")])), [])
        XCTAssertEqual(
            feed(&m, .tuple([.reference(ref(3)), .tuple([.atom("badrpc"), .atom("nodedown")])])),
            [
                .complete(
                    c[2],
                    .response(.exception(.exit, reason: .tuple([.atom("badrpc"), .atom("nodedown")]), stacktrace: [])),
                    2)
            ])
    }

    func testSendFailureTimeoutAndCancellation() {
        var m = Machine()
        let c = start(
            &m,
            [
                ("a@h", erpc(1, result: ref(100))), ("b@h", erpc(2, result: ref(100))),
                ("c@h", erpc(3, result: ref(100))),
            ],
            timeout: .nanoseconds(500))

        m.requestNotSent(c[0])
        XCTAssertEqual(drain(&m), [.complete(c[0], .response(.nodedown(node: "a@h")), 0)])
        m.requestNotSent(c[0])
        XCTAssertEqual(drain(&m), [])
        XCTAssertEqual(
            feed(&m, .tuple([.atom("spawn_reply"), .reference(ref(3)), .atom("ok"), .pid(pid("c@h", 7))])), [])
        m.timerFired(now: 1_499)
        XCTAssertEqual(drain(&m), [], "not due yet")
        m.timerFired(now: 1_500)
        // Timed-out erpc processes are killed (the one whose pid is known).
        XCTAssertEqual(
            drain(&m),
            [
                .complete(c[1], .response(.timeout), 1),
                .kill(pid("c@h", 7), node: "c@h", from: me), .complete(c[2], .response(.timeout), 2),
            ])
        m.timerFired(now: 1_500)
        XCTAssertEqual(drain(&m), [])

        var n = Machine()
        let d = start(&n, [("a@h", rex(1))])
        n.cancelAll()
        XCTAssertEqual(drain(&n), [.complete(d[0], .failure(RemoteCall.cancelled(node: "a@h")), 0)])
        XCTAssertEqual(RemoteCall.cancelled(node: "a@h").code, .closedLocally)
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
