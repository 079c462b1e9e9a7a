@testable import ErlangDistribution
import ErlangTerm
import XCTest

/// ``ConnectionStateMachine``: ticks, the tick timeout, messages and violations.
final class ConnectionStateMachineTests: XCTestCase {
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
}
