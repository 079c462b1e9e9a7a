@testable import ErlangDistribution
import ErlangTerm
import XCTest

/// ``CallCodec``, the term-free hot path of ``BlockingNode``'s calls: its requests are byte for byte what
/// ``ControlMessage/encodeFrame()`` writes, and its reply reader accepts exactly the rex replies it should and
/// declines everything else (truncated, foreign, trailing bytes) without failing.
final class CallCodecTests: XCTestCase {
    let ourNode = "bench@localhost"
    let creation: UInt32 = 0x1234_5678
    var ids = ProcessIdentifiers()

    func pid() -> Pid { ids.nextPid(node: Atom(ourNode), creation: creation) }
    func ref() -> Reference { ids.nextReference(node: Atom(ourNode), creation: creation) }
    var codec: CallCodec { CallCodec(node: ourNode, creation: creation)! }

    static let argumentSets: [[Term]] = [
        [], [1], [.binary(Array("x".utf8)), [1, 2, 3], .tuple([.atom("a"), -7]), .list([.atom("é"), 3.5])],
    ]

    func testRexRequestIsWhatControlMessageEncodes() throws {
        for arguments in Self.argumentSets {
            for withGroupLeader in [false, true] {
                let me = pid(), tag = ref()
                let gl: Pid? = withGroupLeader ? pid() : nil
                var out: [UInt8] = [9, 9]  // appended after what is already buffered
                XCTAssertTrue(
                    codec.appendRexRequest(
                        from: me, tag: tag, module: "lists", function: "reverse", arguments: arguments, groupLeader: gl,
                        into: &out))
                let expected = try ControlMessage.regSend(
                    from: me, to: "rex",
                    message: .tuple([
                        .atom("$gen_call"), .tuple([.pid(me), .reference(tag)]),
                        .tuple([
                            .atom("call"), .atom("lists"), .atom("reverse"), .list(arguments),
                            gl.map { .pid($0) } ?? .atom("user"),
                        ]),
                    ])
                ).encodeFrame()
                XCTAssertEqual(out, [9, 9] + expected, "\(arguments) gl: \(withGroupLeader)")
            }
        }
    }

    func testErpcRequestIsWhatControlMessageEncodes() throws {
        for arguments in Self.argumentSets {
            let me = pid(), gl = pid(), id = ref(), result = ref()
            var out: [UInt8] = []
            XCTAssertTrue(
                codec.appendErpcRequest(
                    requestID: id, from: me, groupLeader: gl, resultRef: result, module: "m", function: "fünf",
                    arguments: arguments, into: &out))
            let expected = try ControlMessage.spawnRequest(
                requestID: id, from: me, groupLeader: gl, module: "erpc", function: "execute_call", arity: 4,
                options: .list([.atom("monitor")]),
                arguments: .list([.reference(result), .atom("m"), .atom("fünf"), .list(arguments)])
            ).encodeFrame()
            XCTAssertEqual(out, expected, "\(arguments)")
        }
    }

    /// What the codec cannot write is left to the general path, with the buffer untouched.
    func testDeclinesWhatItCannotWrite() {
        let long = Atom(String(repeating: "a", count: 256))
        let bad: [(Atom, [Term])] = [(long, []), ("m", [.float(.nan)])]
        for (module, arguments) in bad {
            var out: [UInt8] = [1, 2, 3]
            XCTAssertFalse(
                codec.appendRexRequest(
                    from: pid(), tag: ref(), module: module, function: "f", arguments: arguments, groupLeader: nil,
                    into: &out))
            XCTAssertFalse(
                codec.appendErpcRequest(
                    requestID: ref(), from: pid(), groupLeader: pid(), resultRef: ref(), module: module, function: "f",
                    arguments: arguments, into: &out))
            XCTAssertEqual(out, [1, 2, 3])
        }
        XCTAssertNil(CallCodec(node: String(repeating: "n", count: 250) + "@" + String(repeating: "h", count: 10), creation: 4))
    }

    /// A rex reply as the peer frames it: SEND_SENDER (`{22, From, To}`) or SEND (`{2, '', To}`), then `{Ref, Result}`.
    func replyPayload(to: Pid, tag: Reference, result: Term, sender: Bool = true) throws -> [UInt8] {
        let from = Pid(node: "peer@host", id: 77, serial: 0, creation: 9)
        return try ControlMessage.send(from: sender ? from : nil, to: to, message: .tuple([.reference(tag), result]))
            .encodePayload()
    }

    func testReadsRexRepliesInPlace() throws {
        let me = pid(), tag = ref()
        for sender in [true, false] {
            for result: Term in [.atom("peer@host"), [1, 2, 3], .tuple([.atom("badrpc"), .atom("nodedown")]), .binary([])] {
                let payload = try replyPayload(to: me, tag: tag, result: result, sender: sender)
                try payload.withUnsafeBytes { raw in
                    let reply = try XCTUnwrap(codec.rexReply(raw), "\(result)")
                    XCTAssertTrue(CallCodec.matches(reply.tag, tag))
                    XCTAssertFalse(CallCodec.matches(reply.tag, ref()))
                    XCTAssertTrue(reply.to == (me.id, me.serial))
                    XCTAssertEqual(CallCodec.result(of: reply, in: raw), result)
                    // The event the call machine gets is the one the general path makes from the decoded message.
                    let event = try XCTUnwrap(codec.event(in: raw))
                    XCTAssertEqual(
                        event,
                        .rexReply(
                            to: .ours(id: me.id, serial: me.serial), tag: .ours(tag.ids[0], tag.ids[1], tag.ids[2]),
                            result: result))
                    guard case .rexReply(let to, let t, _) = event else { return XCTFail("\(event)") }
                    XCTAssertTrue(to!.matches(me))
                    XCTAssertFalse(to!.matches(pid()))
                    XCTAssertTrue(t.matches(tag))
                    XCTAssertEqual(t.key, RemoteCall.key(tag))
                    let general = try XCTUnwrap(RemoteCall.Event(try ControlMessage.decode(frame: payload)))
                    guard case .rexReply(.pid(me)?, .reference(tag), result) = general else {
                        return XCTFail("\(general)")
                    }
                }
            }
        }
    }

    /// Anything but a rex reply to one of our pids with one of our references is declined (the general path decodes
    /// it); a truncated or over-long reply never yields a result.
    func testDeclinesEverythingElse() throws {
        let me = pid(), tag = ref()
        let foreignPid = Pid(node: "other@host", id: me.id, serial: me.serial, creation: creation)
        let oldCreation = Pid(node: Atom(ourNode), id: me.id, serial: me.serial, creation: creation &+ 1)
        let foreignRef = Reference(node: "other@host", creation: creation, ids: tag.ids)
        let shortRef = Reference(node: Atom(ourNode), creation: creation, ids: [tag.ids[0], tag.ids[1]])
        let declined: [[UInt8]] = [
            try replyPayload(to: foreignPid, tag: tag, result: .atom("x")),
            try replyPayload(to: oldCreation, tag: tag, result: .atom("x")),
            try replyPayload(to: me, tag: foreignRef, result: .atom("x")),
            try replyPayload(to: me, tag: shortRef, result: .atom("x")),
            try ControlMessage.send(from: nil, to: me, message: .tuple([.reference(tag), 1, 2])).encodePayload(),
            try ControlMessage.send(from: nil, to: me, message: .reference(tag)).encodePayload(),
            try ControlMessage.regSend(from: me, to: "rex", message: .tuple([.reference(tag), 1])).encodePayload(),
            try ControlMessage.link(from: me, to: me).encodePayload(),
            [], [112], [131],
        ]
        for payload in declined {
            payload.withUnsafeBytes { XCTAssertNil(codec.rexReply($0), "\(payload)") }
        }
        let good = try replyPayload(to: me, tag: tag, result: .tuple([.atom("ok"), .binary(Array("done".utf8))]))
        for cut in 0..<good.count {
            Array(good[..<cut]).withUnsafeBytes { raw in
                if let reply = codec.rexReply(raw) { XCTAssertNil(CallCodec.result(of: reply, in: raw), "cut at \(cut)") }
            }
        }
        (good + [106]).withUnsafeBytes { raw in
            guard let reply = codec.rexReply(raw) else { return XCTFail("the header is intact") }
            XCTAssertNil(CallCodec.result(of: reply, in: raw), "a byte after the result")
        }
    }

    /// erpc's replies: SPAWN_REPLY, and the DOWN of a call that returned, in both the MONITOR_P_EXIT form (what OTP
    /// 25 sends) and the PAYLOAD_MONITOR_P_EXIT form; exceptions and foreign references are declined.
    func testReadsErpcRepliesInPlace() throws {
        let me = pid(), request = ref(), resultRef = ref()
        let spawned = Pid(node: "peer@host", id: 90, serial: 1, creation: 5)
        let spawnReply = try ControlMessage.spawnReply(requestID: request, to: me, flags: 2, result: .pid(spawned))
            .encodePayload()
        try spawnReply.withUnsafeBytes { raw in
            guard case .spawnReply(let to, let words, let offset)? = codec.erpcReply(raw) else {
                return XCTFail("SPAWN_REPLY not read")
            }
            XCTAssertTrue(to.id == me.id && to.serial == me.serial)
            XCTAssertTrue(CallCodec.matches(words, request))
            XCTAssertEqual(RemoteCall.ReplyReference.ours(words.0, words.1, words.2).key, RemoteCall.key(request))
            XCTAssertEqual(try XCTUnwrap(CallCodec.term(at: offset, in: raw)), .pid(spawned))
            XCTAssertEqual(
                codec.event(in: raw),
                .spawnReply(
                    to: .ours(id: me.id, serial: me.serial),
                    requestID: .ours(request.ids[0], request.ids[1], request.ids[2]),
                    result: .pid(spawned)))
        }
        for value: Term in [.atom("peer@host"), [1, 2], .binary(Array("x".utf8))] {
            let reason: Term = .tuple([.reference(resultRef), .atom("return"), value])
            let forms = [
                try ControlMessage.monitorExit(from: .pid(spawned), to: me, ref: request, reason: reason).encodePayload(),
                try ControlMessage.unknown(
                    operation: 28, control: .tuple([28, .pid(spawned), .pid(me), .reference(request)]), message: reason
                ).encodePayload(),
            ]
            for payload in forms {
                try payload.withUnsafeBytes { raw in
                    guard case .returned(let to, let monitor, let result, let offset)? = codec.erpcReply(raw) else {
                        return XCTFail("DOWN not read: \(payload)")
                    }
                    XCTAssertTrue(to.id == me.id && to.serial == me.serial)
                    XCTAssertTrue(CallCodec.matches(monitor, request))
                    XCTAssertTrue(CallCodec.matches(result, resultRef))
                    XCTAssertFalse(CallCodec.matches(result, request))
                    XCTAssertEqual(try XCTUnwrap(CallCodec.term(at: offset, in: raw)), value)
                    XCTAssertEqual(
                        codec.event(in: raw),
                        .erpcReturned(
                            to: .ours(id: me.id, serial: me.serial),
                            requestID: .ours(request.ids[0], request.ids[1], request.ids[2]),
                            resultRef: .ours(resultRef.ids[0], resultRef.ids[1], resultRef.ids[2]), value: value))
                }
            }
        }
        let declined: [[UInt8]] = [
            // An exception: the general path maps it.
            try ControlMessage.monitorExit(
                from: .pid(spawned), to: me, ref: request,
                reason: .tuple([.reference(resultRef), .atom("error"), .atom("badarg"), []])
            ).encodePayload(),
            // noconnection, and a DOWN for a reference of another node.
            try ControlMessage.monitorExit(from: .pid(spawned), to: me, ref: request, reason: .atom("noconnection"))
                .encodePayload(),
            try ControlMessage.monitorExit(
                from: .pid(spawned), to: me, ref: Reference(node: "other@host", creation: creation, ids: request.ids),
                reason: .tuple([.reference(resultRef), .atom("return"), 1])
            ).encodePayload(),
            try ControlMessage.exit(from: spawned, to: me, reason: .atom("normal")).encodePayload(),
        ]
        for payload in declined {
            payload.withUnsafeBytes { XCTAssertNil(codec.erpcReply($0), "\(payload)") }
            payload.withUnsafeBytes { XCTAssertNil(codec.event(in: $0), "\(payload)") }
        }
        for payload in [spawnReply] + declined {
            for cut in 0..<payload.count {
                Array(payload[..<cut]).withUnsafeBytes { raw in
                    switch codec.erpcReply(raw) {
                    case .spawnReply(_, _, let offset)?, .returned(_, _, _, let offset)?:
                        XCTAssertNil(CallCodec.term(at: offset, in: raw), "cut at \(cut)")
                    case nil: break
                    }
                }
            }
        }
    }

    func testDeadlineHeapPopsInDeadlineOrder() {
        var heap = DeadlineHeap()
        let offsets: [UInt64] = [50, 10, 40, 10, 0, 30, 20, 60, 5]
        for (n, d) in offsets.enumerated() { heap.push(.init(deadline: 1_000 + d, slot: n << 8, ticket: UInt64(n))) }
        var popped: [UInt64] = []
        while let top = heap.first {
            XCTAssertEqual(UInt64(top.slot), top.ticket << 8)
            popped.append(top.deadline - 1_000)
            heap.pop()
        }
        XCTAssertEqual(popped, offsets.sorted())
    }

    func testSaturatingNanos() {
        XCTAssertEqual(RemoteCall.saturatingNanos(.milliseconds(1500)), 1_500_000_000)
        XCTAssertEqual(RemoteCall.saturatingNanos(.nanoseconds(-5)), 0)
        XCTAssertEqual(RemoteCall.saturatingNanos(.seconds(Int64.max)), 1 << 62)
    }
}

// Matching helpers for these tests (the call machine matches replies on the words it filed, not through these).
extension RemoteCall.ReplyReference {
    /// Whether this is `ref`.
    func matches(_ ref: Reference) -> Bool {
        switch self {
        case .reference(let r): return r == ref
        case .ours(let w0, let w1, let w2):
            return ref.ids.count == 3 && ref.ids[0] == w0 && ref.ids[1] == w1 && ref.ids[2] == w2
        }
    }
}

extension RemoteCall.Recipient {
    /// Whether this is `pid`.
    func matches(_ pid: Pid) -> Bool {
        switch self {
        case .pid(let p): return p == pid
        case .ours(let id, let serial): return pid.id == id && pid.serial == serial
        }
    }
}

extension CallCodec {
    /// Whether three reference words read in place are those of `ref`.
    static func matches(_ words: (UInt32, UInt32, UInt32), _ ref: Reference) -> Bool {
        RemoteCall.ReplyReference.ours(words.0, words.1, words.2).matches(ref)
    }
}
