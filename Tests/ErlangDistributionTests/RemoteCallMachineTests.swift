import ErlangTerm
import XCTest

@testable import ErlangDistribution

/// ``RemoteCallMachine``, the rex and erpc semantics of every call: one event → actions expectation per line. The
/// context of a call is a string naming it.
final class RemoteCallMachineTests: XCTestCase {
    typealias Machine = RemoteCallMachine<String>
    private let us: Atom = "bc@h"
    private let peer = "app@h"
    private let me = Pid(node: "bc@h", id: 1, serial: 1, creation: 5)
    private let gl = Pid(node: "bc@h", id: 2, serial: 1, creation: 5)
    private let remote = Pid(node: "app@h", id: 77, serial: 0, creation: 9)
    private let resultRef = Reference(node: "bc@h", creation: 5, ids: [900, 0, 9])
    private func ref(_ n: UInt32) -> Reference { Reference(node: us, creation: 5, ids: [n, 0, 7]) }

    private func rex(_ tag: UInt32, groupLeader: Pid? = nil, arguments: [Term] = []) -> RemoteCall.Request {
        .rex(from: me, tag: ref(tag), module: "m", function: "f", arguments: arguments, groupLeader: groupLeader)
    }
    private func erpc(_ id: UInt32, groupLeader: Pid? = nil) -> RemoteCall.Request {
        .erpc(
            requestID: ref(id), from: me, groupLeader: groupLeader ?? gl, resultRef: resultRef, module: "m",
            function: "f", arguments: [1])
    }

    private func start(
        _ m: inout Machine, _ request: RemoteCall.Request, node: String? = nil, capture: Bool = true,
        timeout: Duration? = nil, now: UInt64 = 1_000, _ context: String
    ) -> Machine.CallID {
        m.start(request, node: node ?? peer, capturesOutput: capture, timeout: timeout, now: now, context: context)
    }

    /// An event in, the actions out.
    private func feed(_ m: inout Machine, _ event: RemoteCall.Event) -> [Machine.Action] {
        m.received(event)
        return drain(&m)
    }

    /// A mailbox message in (the NIO node), the actions out.
    private func mail(_ m: inout Machine, _ message: Term) -> [Machine.Action] {
        guard let event = RemoteCall.Event(mailbox: message) else { return drain(&m) }
        return feed(&m, event)
    }

    private func drain(_ m: inout Machine) -> [Machine.Action] {
        var actions: [Machine.Action] = []
        while let a = m.nextAction() { actions.append(a) }
        return actions
    }

    private func rexReply(_ tag: UInt32, _ result: Term, to: Pid? = nil) -> RemoteCall.Event {
        .rexReply(to: to.map { .pid($0) }, tag: .reference(ref(tag)), result: result)
    }
    private func down(_ id: UInt32, _ reason: Term) -> RemoteCall.Event {
        .down(to: .pid(me), requestID: .reference(ref(id)), reason: reason)
    }
    private func spawned(_ id: UInt32, _ result: Term) -> RemoteCall.Event {
        .spawnReply(to: .pid(me), requestID: .reference(ref(id)), result: result)
    }
    private func exitReason(_ kind: String, _ rest: Term...) -> Term {
        .tuple([.reference(resultRef), .atom(Atom(kind))] + rest)
    }
    private let stack: Term = [.tuple([.atom("m"), .atom("f"), 1, []])]

    // MARK: - Method and requests

    func testMethodChoice() {
        let both: DistributionFlags = [.spawn, .distMonitor]
        XCTAssertEqual(RemoteCall.Method(.automatic, negotiated: both), .erpc)
        XCTAssertEqual(RemoteCall.Method(.automatic, negotiated: [.spawn]), .rex)
        XCTAssertEqual(RemoteCall.Method(.automatic, negotiated: []), .rex)
        XCTAssertEqual(RemoteCall.Method(.automatic, negotiated: nil), .erpc)
        XCTAssertEqual(RemoteCall.Method(.rex, negotiated: both), .rex)
        XCTAssertEqual(RemoteCall.Method(.erpc, negotiated: []), .erpc)
    }

    func testGroupLeaderNeed() {
        XCTAssertEqual(RemoteCall.GroupLeaderNeed(.rex, captureOutput: true), .capturing)
        XCTAssertEqual(RemoteCall.GroupLeaderNeed(.rex, captureOutput: false), .none)
        XCTAssertEqual(RemoteCall.GroupLeaderNeed(.erpc, captureOutput: true), .capturing)
        XCTAssertEqual(RemoteCall.GroupLeaderNeed(.erpc, captureOutput: false), .discarding)
        XCTAssertEqual(RemoteCall.ioEvaluationOptions.method, .rex)
        XCTAssertFalse(RemoteCall.ioEvaluationOptions.captureOutput)
    }

    func testErpcFrameAroundEncodedArgumentsIsTheRequestsFrame() throws {
        let request = erpc(2)
        let encoded = try ControlMessage.encodeMessage(request.erpcArgumentList)
        XCTAssertEqual(try request.erpcFrame(encodedArguments: encoded), try request.controlMessage.encodeFrame())
    }

    func testRequests() {
        XCTAssertEqual(
            rex(1, arguments: [3]).controlMessage,
            .regSend(
                from: me, to: "rex",
                message: .tuple([
                    .atom("$gen_call"), .tuple([.pid(me), .reference(ref(1))]),
                    .tuple([.atom("call"), .atom("m"), .atom("f"), [3], .atom("user")]),
                ])))
        XCTAssertEqual(
            rex(1, groupLeader: gl).controlMessage,
            .regSend(
                from: me, to: "rex",
                message: .tuple([
                    .atom("$gen_call"), .tuple([.pid(me), .reference(ref(1))]),
                    .tuple([.atom("call"), .atom("m"), .atom("f"), [], .pid(gl)]),
                ])))
        XCTAssertEqual(
            erpc(2).controlMessage,
            .spawnRequest(
                requestID: ref(2), from: me, groupLeader: gl, module: "erpc", function: "execute_call", arity: 4,
                options: [.atom("monitor")], arguments: [.reference(resultRef), .atom("m"), .atom("f"), [1]]))
        XCTAssertEqual(RemoteCall.kill(remote, from: me), .exit2(from: me, to: remote, reason: .atom("kill")))
    }

    // MARK: - rex

    func testRexReplies() {
        var m = Machine()
        let a = start(&m, rex(1), "a")
        let b = start(&m, rex(2), "b")
        let c = start(&m, rex(3), "c")
        let d = start(&m, rex(4), "d")
        XCTAssertEqual(feed(&m, rexReply(2, 42, to: me)), [.complete(b, .response(.value(42)), "b")])
        XCTAssertEqual(
            feed(
                &m, rexReply(1, .tuple([.atom("badrpc"), .tuple([.atom("EXIT"), .tuple([.atom("badarg"), stack])])]))),
            [.complete(a, .response(.exception(.error, reason: .atom("badarg"), stacktrace: stack)), "a")])
        XCTAssertEqual(
            feed(&m, rexReply(3, .tuple([.atom("badrpc"), .tuple([.atom("EXIT"), .atom("bye")])]))),
            [.complete(c, .response(.exception(.exit, reason: .atom("bye"), stacktrace: [])), "c")])
        XCTAssertEqual(
            mail(&m, .tuple([.reference(ref(4)), .tuple([.atom("badrpc"), .atom("nodedown")])])),
            [
                .complete(
                    d,
                    .response(.exception(.exit, reason: .tuple([.atom("badrpc"), .atom("nodedown")]), stacktrace: [])),
                    "d")
            ])
        XCTAssertTrue(m.isEmpty)
    }

    func testRexReplyToAnotherProcessOrOfAnotherShapeIsIgnored() {
        var m = Machine()
        let a = start(&m, rex(1), "a")
        XCTAssertFalse(m.received(rexReply(1, 42, to: gl)))
        XCTAssertEqual(drain(&m), [])
        XCTAssertFalse(
            m.received(.spawnReply(to: nil, requestID: .reference(ref(1)), result: .pid(remote))), "rex is no erpc")
        XCTAssertFalse(m.received(down(1, exitReason("return", 1))))
        XCTAssertEqual(
            feed(&m, .rexReply(to: .ours(id: me.id, serial: me.serial), tag: .ours(1, 0, 7), result: 5)),
            [.complete(a, .response(.value(5)), "a")])
    }

    // MARK: - erpc

    func testErpcSpawnThenDown() {
        var m = Machine()
        let a = start(&m, erpc(1), "a")
        XCTAssertEqual(feed(&m, spawned(1, .pid(remote))), [])
        XCTAssertEqual(
            feed(&m, down(1, exitReason("return", .atom("ok")))), [.complete(a, .response(.value(.atom("ok"))), "a")])
    }

    func testErpcExitReasons() {
        let cases: [(Term, CallResult)] = [
            (exitReason("return", 7), .value(7)),
            (exitReason("throw", .atom("ball")), .exception(.throw, reason: .atom("ball"), stacktrace: [])),
            (exitReason("exit", .atom("bye")), .exception(.exit, reason: .atom("bye"), stacktrace: [])),
            (exitReason("error", .atom("badarg")), .exception(.error, reason: .atom("badarg"), stacktrace: [])),
            (
                exitReason("error", .atom("badarg"), stack),
                .exception(.error, reason: .atom("badarg"), stacktrace: stack)
            ),
            (.atom("noconnection"), .nodedown(node: "app@h")),
            (.atom("killed"), .exception(.exit, reason: .tuple([.atom("signal"), .atom("killed")]), stacktrace: [])),
            (
                .tuple([.reference(ref(5)), .atom("return"), 7]),
                .exception(
                    .exit, reason: .tuple([.atom("signal"), .tuple([.reference(ref(5)), .atom("return"), 7])]),
                    stacktrace: [])
            ),
            (
                exitReason("return", 1, 2),
                .exception(.exit, reason: .tuple([.atom("signal"), exitReason("return", 1, 2)]), stacktrace: [])
            ),
        ]
        for (reason, expected) in cases {
            var m = Machine()
            let a = start(&m, erpc(1), "a")
            XCTAssertEqual(feed(&m, down(1, reason)), [.complete(a, .response(expected), "a")], "\(reason)")
        }
    }

    func testErpcThroughTheMailbox() {
        var m = Machine()
        let a = start(&m, erpc(1), "a")
        let b = start(&m, erpc(2), "b")
        XCTAssertEqual(mail(&m, .tuple([.atom("spawn_reply"), .reference(ref(1)), .atom("ok"), .pid(remote)])), [])
        XCTAssertEqual(
            mail(&m, .tuple([.atom("spawn_reply"), .reference(ref(2)), .atom("error"), .atom("system_limit")])),
            [.complete(b, .failure(RemoteCall.refusedSpawn(node: peer, reason: .atom("system_limit"))), "b")])
        XCTAssertEqual(
            mail(
                &m,
                .tuple([
                    .atom("DOWN"), .reference(ref(1)), .atom("process"), .pid(remote), exitReason("error", 1, stack),
                ])),
            [.complete(a, .response(.exception(.error, reason: 1, stacktrace: stack)), "a")])
    }

    func testErpcReturnedReadInPlace() {
        var m = Machine()
        let a = start(&m, erpc(1), "a")
        let inPlace = RemoteCall.Event.erpcReturned(
            to: .ours(id: me.id, serial: me.serial), requestID: .ours(1, 0, 7), resultRef: .ours(900, 0, 9), value: 3)
        let otherResult = RemoteCall.Event.erpcReturned(
            to: .ours(id: me.id, serial: me.serial), requestID: .ours(1, 0, 7), resultRef: .ours(900, 0, 8), value: 3)
        XCTAssertFalse(m.received(otherResult), "another result reference: the general path maps it")
        XCTAssertEqual(feed(&m, inPlace), [.complete(a, .response(.value(3)), "a")])
        XCTAssertFalse(m.received(inPlace), "duplicate")
    }

    // MARK: - nodedown, group leaders

    func testNodedownEndsTheCallsOnThatNodeOnly() {
        var m = Machine()
        let a = start(&m, rex(1), node: "a@h", "a")
        let b = start(&m, erpc(2), node: "b@h", "b")
        let c = start(&m, erpc(3), node: "a@h", "c")
        XCTAssertEqual(feed(&m, spawned(3, .pid(remote))), [])
        XCTAssertEqual(
            mail(&m, .tuple([.atom("nodedown"), .atom("a@h")])),
            [
                .complete(a, .response(.nodedown(node: "a@h")), "a"),
                .complete(c, .response(.nodedown(node: "a@h")), "c"),
            ])
        XCTAssertEqual(feed(&m, .nodedown(node: "a@h")), [])
        XCTAssertEqual(m.count, 1)
        XCTAssertEqual(feed(&m, down(2, exitReason("return", 1))), [.complete(b, .response(.value(1)), "b")])
    }

    func testGroupLeaderMessagesAreServed() {
        var m = Machine()
        let other = Pid(node: "bc@h", id: 3, serial: 1, creation: 5)
        let shared = Pid(node: "bc@h", id: 4, serial: 1, creation: 5)
        m.discardingGroupLeader = shared
        let io: Term = .tuple([
            .atom("io_request"), .pid(remote), .reference(ref(99)),
            .tuple([.atom("put_chars"), .atom("unicode"), .binary([104])]),
        ])
        let a = start(&m, rex(1, groupLeader: gl), "a")
        _ = start(&m, erpc(2, groupLeader: other), capture: false, "b")
        XCTAssertEqual(
            feed(&m, RemoteCall.Event(.send(from: nil, to: gl, message: io))!),
            [.serveIO(a, groupLeader: gl, message: io)])
        XCTAssertEqual(feed(&m, .message(to: shared, io)), [.serveIO(nil, groupLeader: shared, message: io)])
        XCTAssertFalse(m.received(.message(to: other, io)), "a group leader whose output nobody captures")
        XCTAssertFalse(m.received(.message(to: me, .atom("hello"))))
        XCTAssertEqual(
            m.withContext(of: a) { c -> String in
                c += "+out"
                return c
            }, "a+out")
        XCTAssertEqual(feed(&m, rexReply(1, 1)), [.complete(a, .response(.value(1)), "a+out")])
        XCTAssertNil(m.withContext(of: a) { $0 })
        XCTAssertFalse(m.received(.message(to: gl, io)), "the call is over")
    }

    // MARK: - Time and cancellation

    func testTimeouts() {
        var m = Machine()
        let a = start(&m, rex(1), timeout: .microseconds(2), now: 1_000, "a")
        let b = start(&m, erpc(2), timeout: .microseconds(1), now: 1_000, "b")
        let c = start(&m, erpc(3), timeout: .microseconds(3), now: 1_000, "c")
        _ = start(&m, rex(4), timeout: nil, "forever")
        XCTAssertEqual(m.nextDeadline(), 2_000)
        XCTAssertEqual(feed(&m, spawned(3, .pid(remote))), [])
        m.timerFired(now: 1_999)
        XCTAssertEqual(drain(&m), [])
        m.timerFired(now: 2_000)
        XCTAssertEqual(
            drain(&m), [.complete(b, .response(.timeout), "b")], "erpc without a known process: nothing to kill")
        XCTAssertEqual(m.nextDeadline(), 3_000)
        m.timerFired(now: 5_000)
        XCTAssertEqual(
            drain(&m),
            [
                .complete(a, .response(.timeout), "a"), .kill(remote, node: peer, from: me),
                .complete(c, .response(.timeout), "c"),
            ])
        XCTAssertNil(m.nextDeadline())
        XCTAssertEqual(m.count, 1)
        XCTAssertFalse(m.received(rexReply(1, 1)), "a reply after the timeout is stale")
        XCTAssertFalse(m.received(down(3, .atom("killed"))))
    }

    func testCancelKillsSpawnedProcesses() {
        var m = Machine()
        let a = start(&m, rex(1), "a")
        let b = start(&m, erpc(2), "b")
        let c = start(&m, erpc(3), "c")
        XCTAssertEqual(feed(&m, spawned(2, .pid(remote))), [])
        m.cancelAll()
        XCTAssertEqual(
            drain(&m),
            [
                .complete(a, .failure(RemoteCall.cancelled(node: peer)), "a"),
                .kill(remote, node: peer, from: me), .complete(b, .failure(RemoteCall.cancelled(node: peer)), "b"),
                .complete(c, .failure(RemoteCall.cancelled(node: peer)), "c"),
            ])
        XCTAssertTrue(m.isEmpty)
    }

    func testRequestNotSent() {
        var m = Machine()
        let a = start(&m, rex(1), "a")
        let b = start(&m, erpc(2), "b")
        let unencodable = DistributionError(.rpcFailed, stage: .rpc, node: peer, "cannot encode")
        m.requestNotSent(a)
        XCTAssertEqual(drain(&m), [.complete(a, .response(.nodedown(node: peer)), "a")])
        m.requestNotSent(b, error: unencodable)
        XCTAssertEqual(drain(&m), [.complete(b, .failure(unencodable), "b")])
        m.requestNotSent(b)
        XCTAssertEqual(drain(&m), [])
    }

    // MARK: - Stale, duplicate and unknown

    func testStaleDuplicateAndUnknownMessagesAreIgnored() {
        var m = Machine()
        let a = start(&m, rex(1), "a")
        XCTAssertFalse(m.received(rexReply(9, 1)))
        XCTAssertFalse(m.received(spawned(9, .pid(remote))))
        XCTAssertFalse(m.received(down(9, .atom("normal"))))
        XCTAssertFalse(m.received(.nodedown(node: "other@h")))
        XCTAssertFalse(m.received(rexReply(1, 1, to: remote)))
        XCTAssertEqual(drain(&m), [])
        XCTAssertEqual(feed(&m, rexReply(1, 1)), [.complete(a, .response(.value(1)), "a")])
        XCTAssertEqual(feed(&m, rexReply(1, 2)), [], "duplicate")
        let reused = start(&m, rex(2), "b")
        XCTAssertEqual(feed(&m, rexReply(1, 3)), [], "a reply to the call whose slot was reused")
        XCTAssertEqual(feed(&m, rexReply(2, 4)), [.complete(reused, .response(.value(4)), "b")])
    }

    func testMailboxAdapter() {
        XCTAssertNil(RemoteCall.Event(mailbox: .atom("hello")))
        XCTAssertNil(RemoteCall.Event(mailbox: .tuple([.atom("EXIT"), .pid(remote), .atom("normal")])))
        XCTAssertNil(RemoteCall.Event(mailbox: .tuple([.atom("spawn_reply"), .atom("x"), .atom("ok"), .pid(remote)])))
        XCTAssertNil(RemoteCall.Event(mailbox: .tuple([.atom("nodedown"), .binary([])])))
        XCTAssertEqual(RemoteCall.Event(mailbox: .tuple([.atom("nodedown"), .atom("a@h")])), .nodedown(node: "a@h"))
        XCTAssertEqual(RemoteCall.Event(mailbox: .tuple([.reference(ref(1)), 5])), rexReply(1, 5))
    }

    func testControlMessageAdapter() {
        XCTAssertEqual(
            RemoteCall.Event(.send(from: remote, to: me, message: .tuple([.reference(ref(1)), 5]))),
            rexReply(1, 5, to: me))
        XCTAssertEqual(RemoteCall.Event(.send(from: nil, to: gl, message: 5)), .message(to: gl, 5))
        XCTAssertEqual(
            RemoteCall.Event(.spawnReply(requestID: ref(2), to: me, flags: 0, result: .pid(remote))),
            spawned(2, .pid(remote)))
        XCTAssertEqual(RemoteCall.Event(.monitorExit(from: .pid(remote), to: me, ref: ref(2), reason: 1)), down(2, 1))
        XCTAssertNil(RemoteCall.Event(.link(from: remote, to: me)))
        XCTAssertNil(RemoteCall.Event(.exit(from: remote, to: me, reason: .atom("kill"))))
        XCTAssertNil(RemoteCall.Event(.regSend(from: remote, to: "rex", message: 1)))
    }

    // MARK: - Many calls

    /// Past eight slots the table files calls by reference and group leader and keeps a deadline heap: the same
    /// answers, in any order, and slots are reused.
    func testManyCallsInAnyOrder() {
        var m = Machine()
        var ids: [Machine.CallID] = []
        for i in 1...100 {
            let request =
                i % 2 == 0
                ? rex(UInt32(i), groupLeader: Pid(node: us, id: UInt32(1000 + i), serial: 1, creation: 5))
                : erpc(UInt32(i))
            ids.append(start(&m, request, timeout: .nanoseconds(Int64(1000 + (i * 37) % 101)), now: 0, "\(i)"))
        }
        XCTAssertEqual(m.count, 100)
        XCTAssertEqual(m.nextDeadline(), 1001, "i = 71: 71 × 37 mod 101 = 1")
        for i in stride(from: 100, through: 51, by: -1) {
            let event =
                i % 2 == 0 ? rexReply(UInt32(i), .integer(i)) : down(UInt32(i), exitReason("return", .integer(i)))
            XCTAssertEqual(feed(&m, event), [.complete(ids[i - 1], .response(.value(.integer(i))), "\(i)")])
        }
        let io: Term = .tuple([.atom("io_request"), .pid(remote), 1, .atom("getopts")])
        XCTAssertEqual(
            feed(&m, .message(to: Pid(node: us, id: 1040, serial: 1, creation: 5), io)),
            [.serveIO(ids[39], groupLeader: Pid(node: us, id: 1040, serial: 1, creation: 5), message: io)])
        XCTAssertFalse(m.received(.message(to: Pid(node: us, id: 1060, serial: 1, creation: 5), io)), "call 60 is over")
        let reused = start(&m, rex(500), timeout: .nanoseconds(1), now: 0, "late")
        XCTAssertEqual(m.nextDeadline(), 1)
        m.timerFired(now: 1)
        XCTAssertEqual(drain(&m), [.complete(reused, .response(.timeout), "late")])
        m.timerFired(now: 10_000)
        let expired = drain(&m)
        XCTAssertEqual(expired.count, 50)
        XCTAssertTrue(m.isEmpty)
        XCTAssertNil(m.nextDeadline())
    }
}
