@testable import ErlangDistribution
import ErlangTerm
import XCTest

final class FramingTests: XCTestCase {
    func testDripFedHandshakeThenConnectedModeInSameRead() throws {
        var p = FrameParser(mode: .handshake)
        // 's' "ok" (2-byte len) followed in the same read by a 4-byte tick and a 4-byte frame.
        let bytes: [UInt8] = [0, 3, 0x73, 0x6F, 0x6B, 0, 0, 0, 0, 0, 0, 0, 2, 9, 8]
        var frames: [FrameParser.Frame] = []
        for (i, b) in bytes.enumerated() {
            p.append([b])
            while let f = try p.next() {
                frames.append(f)
                if i == 4 { p.mode = .connected }
            }
        }
        XCTAssertEqual(frames, [.data([0x73, 0x6F, 0x6B]), .tick, .data([9, 8])])
    }

    func testModeSwitchKeepsBufferedBytes() throws {
        var p = FrameParser(mode: .handshake)
        p.append([0, 1, 0x61, 0, 0, 0, 0, 0, 0, 0, 1, 7])
        XCTAssertEqual(try p.next(), .data([0x61]))
        p.mode = .connected
        XCTAssertEqual(try p.next(), .tick)
        XCTAssertEqual(try p.next(), .data([7]))
        XCTAssertNil(try p.next())
    }

    func testOversizeLengthRejectedBeforeAllocating() {
        var p = FrameParser(mode: .connected, maxFrameSize: 1024)
        p.append([0xFF, 0xFF, 0xFF, 0xFF])
        XCTAssertThrowsError(try p.next()) { XCTAssertEqual(($0 as? DistributionError)?.code, .frameTooLarge) }
    }

    func testFrameEncoding() {
        XCTAssertEqual(FrameParser.frame([1, 2], mode: .handshake), [0, 2, 1, 2])
        XCTAssertEqual(FrameParser.frame([1], mode: .connected), [0, 0, 0, 1, 1])
    }
}

final class EPMDTests: XCTestCase {
    func testRequests() {
        XCTAssertEqual(EPMDMessage.portPlease2Request(alive: "rhA"), [0, 4, 122, 0x72, 0x68, 0x41])
        XCTAssertEqual(EPMDMessage.namesRequest(), [0, 1, 110])
    }

    func testPortReplies() throws {
        let ok: [UInt8] = [0x77, 0, 0x9e, 0x11, 0x4d, 0, 0, 6, 0, 5, 0, 3] + Array("rhA".utf8) + [0, 0]
        XCTAssertEqual(try EPMDMessage.parsePortReply(ok), .found(.init(
            port: 0x9e11, nodeType: 77, protocolID: 0, highestVersion: 6, lowestVersion: 5, name: "rhA", extra: [])))
        XCTAssertEqual(try EPMDMessage.parsePortReply([0x77, 1]), .notFound(result: 1))
        XCTAssertThrowsError(try EPMDMessage.parsePortReply([0x77]))
        XCTAssertThrowsError(try EPMDMessage.parsePortReply([0x78, 0]))
        XCTAssertThrowsError(try EPMDMessage.parsePortReply([0x77, 0, 0x9e]))
    }

    /// A client stops reading once a PORT2_RESP is whole; every proper prefix is incomplete, and what is complete
    /// parses.
    func testPortReplyCompleteness() throws {
        let withExtra: [UInt8] = [0x77, 0, 0x9e, 0x11, 0x4d, 0, 0, 6, 0, 5, 0, 3] + Array("rhA".utf8) + [0, 2, 7, 9]
        let noExtra: [UInt8] = [0x77, 0, 0x9e, 0x11, 0x4d, 0, 0, 6, 0, 5, 0, 3] + Array("rhA".utf8) + [0, 0]
        for reply in [withExtra, noExtra] {
            XCTAssertTrue(EPMDMessage.isCompletePortReply(reply))
            XCTAssertNoThrow(try EPMDMessage.parsePortReply(reply))
            for n in 0..<reply.count { XCTAssertFalse(EPMDMessage.isCompletePortReply(Array(reply[..<n])), "\(n)") }
        }
        XCTAssertEqual(try EPMDMessage.parsePortReply(withExtra), .found(.init(
            port: 0x9e11, nodeType: 77, protocolID: 0, highestVersion: 6, lowestVersion: 5, name: "rhA", extra: [7, 9])))
        // Errors and replies that are not PORT2_RESP are complete at two bytes (the parser says what is wrong).
        XCTAssertTrue(EPMDMessage.isCompletePortReply([0x77, 1]))
        XCTAssertTrue(EPMDMessage.isCompletePortReply([0x78, 0]))
        // A reply that ends after the name (no extra length) is only complete at end of stream.
        XCTAssertFalse(EPMDMessage.isCompletePortReply(Array(noExtra.dropLast(2))))
    }

    func testNamesReply() throws {
        let bytes: [UInt8] = [0, 0, 0x11, 0x11] + Array("name rhA at port 40465\nname b at port 1\ngarbage\n".utf8)
        XCTAssertEqual(try EPMDMessage.parseNamesReply(bytes).map(\.name), ["rhA", "b"])
        XCTAssertEqual(try EPMDMessage.parseNamesReply(bytes).first?.port, 40465)
        XCTAssertThrowsError(try EPMDMessage.parseNamesReply([0, 0]))
    }
}

final class ConnectionMachineTests: XCTestCase {
    let s: UInt64 = 1_000_000_000
    func machine() -> ConnectionStateMachine {
        ConnectionStateMachine(configuration: .init(tickIntervalNanos: 15 * s, tickTimeNanos: 60 * s), now: 0)
    }
    let me = Pid(node: "bc@vm", id: 1, serial: 1, creation: 5)
    let them = Pid(node: "rhA@vm", id: 80, serial: 0, creation: 9)

    func testTicks() {
        var m = machine()
        XCTAssertEqual(m.frameReceived(.tick, now: 1 * s), .sendTick)
        XCTAssertEqual(m.timerFired(now: 10 * s), .none)
        XCTAssertEqual(m.timerFired(now: 16 * s), .sendTick)
        m.wrote(now: 20 * s)
        XCTAssertEqual(m.timerFired(now: 30 * s), .none)
        XCTAssertEqual(m.timerFired(now: 36 * s), .sendTick)
    }

    func testTickTimeout() {
        var m = machine()
        m.bytesRead(now: 5 * s)
        XCTAssertEqual(m.timerFired(now: 64 * s), .sendTick)
        guard case .close(let e) = m.timerFired(now: 65 * s) else { return XCTFail() }
        XCTAssertEqual(e.code, .tickTimeout)
        XCTAssertEqual(e.stage, .connection)
        XCTAssertEqual(m.timerFired(now: 66 * s), .none)
    }

    func testMessagesAndViolations() throws {
        var m = machine()
        let send = ControlMessage.send(from: nil, to: me, message: .tuple(["rex", 1]))
        XCTAssertEqual(m.frameReceived(.data(try send.encodePayload()), now: s), .deliver(send))
        let unknown: [UInt8] = try [112] + Term.tuple([.integer(99), "x"]).etf()
        XCTAssertEqual(try ControlMessage.decode(frame: unknown), .unknown(operation: 99, control: .tuple([99, "x"]), message: nil))
        guard case .close(let e) = m.frameReceived(.data([112, 131, 255]), now: s) else { return XCTFail() }
        XCTAssertEqual(e.code, .protocolViolation)
        XCTAssertEqual(m.peerClosed(), .none)
        var m2 = machine()
        guard case .close(let e2) = m2.peerClosed() else { return XCTFail() }
        XCTAssertEqual(e2.code, .closedByPeer)
    }

    func testControlRoundTrips() throws {
        let ref = Reference(node: "bc@vm", creation: 5, ids: [1, 2, 3])
        let all: [ControlMessage] = [
            .link(from: me, to: them), .send(from: nil, to: them, message: "hi"), .send(from: me, to: them, message: 1),
            .exit(from: me, to: them, reason: "normal"), .regSend(from: me, to: "rex", message: [1]),
            .exit2(from: me, to: them, reason: "kill"), .monitor(from: me, to: .pid(them), ref: ref),
            .monitor(from: me, to: "rex", ref: ref), .demonitor(from: me, to: .pid(them), ref: ref),
            .monitorExit(from: .pid(them), to: me, ref: ref, reason: "noproc"),
            .spawnRequest(requestID: ref, from: me, groupLeader: me, module: "erpc", function: "execute_call", arity: 4,
                          options: ["monitor"], arguments: [1, 2, 3, 4]),
            .spawnReply(requestID: ref, to: me, flags: 2, result: .pid(them)),
            .unlinkID(id: 1, from: me, to: them), .unlinkIDAck(id: 1, from: them, to: me),
        ]
        for msg in all {
            XCTAssertEqual(try ControlMessage.decode(frame: msg.encodePayload()), msg)
        }
        // PAYLOAD forms decode to the same cases.
        let payloadExit = try [112] + Term.tuple([24, .pid(them), .pid(me)]).etf() + Term.atom("boom").etf()
        XCTAssertEqual(try ControlMessage.decode(frame: payloadExit), .exit(from: them, to: me, reason: "boom"))
        let monExit = try [112] + Term.tuple([28, .pid(them), .pid(me), .reference(ref)]).etf() + Term.atom("x").etf()
        XCTAssertEqual(try ControlMessage.decode(frame: monExit), .monitorExit(from: .pid(them), to: me, ref: ref, reason: "x"))
        // Malformed known ops close the connection.
        let bad = try [112] + Term.tuple([2, "", "notapid"]).etf() + Term.atom("x").etf()
        XCTAssertThrowsError(try ControlMessage.decode(frame: bad))
        XCTAssertThrowsError(try ControlMessage.decode(frame: [131, 68, 0]))
    }
}

final class IOServerTests: XCTestCase {
    func testPutCharsForms() async {
        let out = OutputCollector(onOutput: nil)
        let server = IOServer(evaluate: { m, f, a in
            XCTAssertEqual(m, "io_lib"); XCTAssertEqual(f, "format")
            return .list([.charlist("x="), .binary(Array("1".utf8)), .list([10])])
        }, write: { out.append($0) })
        let r1 = await server.handle(request: .tuple(["put_chars", "unicode", .string("hé\n")]))
        XCTAssertEqual(r1, .ok)
        _ = await server.handle(request: .tuple(["put_chars", .charlist("a")]))
        _ = await server.handle(request: .tuple(["put_chars", "unicode", "io_lib", "format", [.charlist("x=~p~n"), [1]]]))
        XCTAssertEqual(out.text, "hé\nax=1\n")
        let eof = await server.handle(request: .tuple(["get_line", "unicode", .string("? ")]))
        XCTAssertEqual(eof, "eof")
        let geo = await server.handle(request: .tuple(["get_geometry", "columns"]))
        XCTAssertEqual(geo, .tuple(["error", "enotsup"]))
        let unknown = await server.handle(request: "what")
        XCTAssertEqual(unknown, .tuple(["error", "request"]))
        let reqs = await server.handle(request: .tuple(["requests", [.tuple(["put_chars", "unicode", .string("z")]), .tuple(["setopts", []])]]))
        XCTAssertEqual(reqs, .ok)
        XCTAssertEqual(out.text, "hé\nax=1\nz")
    }
}
