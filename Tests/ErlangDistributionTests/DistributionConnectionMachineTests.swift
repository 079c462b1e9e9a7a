@testable import ErlangDistribution
import ErlangTerm
import XCTest

/// The composed connection machine, one event → action per line.
final class DistributionConnectionMachineTests: XCTestCase {
    let cookie = Array("rhcookie".utf8)
    let s: UInt64 = 1_000_000_000

    func machine(tls: DistributionTLSConfiguration? = nil, interval: UInt64 = 15) -> DistributionConnectionMachine {
        DistributionConnectionMachine(configuration: .init(
            handshake: .init(
                ourName: "rhB@vm", creation: 0x6b090df4, cookie: cookie, expectedPeerName: "rhA@vm",
                ourChallenge: 0x8809456e),
            connection: .init(tickIntervalNanos: interval * s, tickTimeNanos: 60 * s),
            tls: tls, maxFrameSize: 1 << 20, handshakeStepTimeout: .seconds(7)))
    }

    /// The peer's messages, framed for the plain handshake (2-byte lengths) or TLS (4-byte).
    func framed(_ payload: [UInt8], tls: Bool = false) -> [UInt8] {
        FrameParser.frame(payload, mode: .forHandshake(tls: tls))
    }
    var status: [UInt8] { [0x73] + Array("ok".utf8) }
    var challenge: [UInt8] {
        var m: [UInt8] = [0x4E]
        m.appendBE(UInt64(0x0000000D_07DF7FBD)); m.appendBE(UInt32(2991683115)); m.appendBE(UInt32(7))
        m.appendBE(UInt16(6)); m += Array("rhA@vm".utf8)
        return m
    }
    var ack: [UInt8] { [0x61] + HandshakeDigest.compute(challenge: 0x8809456e, cookie: cookie) }
    var reply: [UInt8] {
        [0x72, 0x88, 0x09, 0x45, 0x6e] + HandshakeDigest.compute(challenge: 2991683115, cookie: cookie)
    }
    var sendName: [UInt8] {
        var m = HandshakeStateMachine(configuration: machine().configuration.handshake)
        guard case .send(let bytes) = m.start() else { preconditionFailure() }
        return bytes
    }

    /// A machine through the handshake, with `extra` arriving in the same read as the acknowledgement.
    func connected(extra: [UInt8] = []) -> DistributionConnectionMachine {
        var m = machine()
        _ = m.channelActive()
        m.bytesReceived(framed(status) + framed(challenge), now: 0)
        _ = m.nextAction(now: 0)
        _ = m.nextAction(now: 0)
        m.bytesReceived(framed(ack) + extra, now: 0)
        _ = m.nextAction(now: 0)
        return m
    }

    func testPlainHandshakeStartsAtOnceAndEstablishes() {
        var m = machine()
        XCTAssertEqual(m.channelActive(), .sendHandshake(framed(sendName), armStepTimer: .seconds(7)))
        m.bytesReceived(framed(status), now: 0)
        XCTAssertEqual(m.nextAction(now: 0), .armStepTimer(.seconds(7)))
        XCTAssertEqual(m.nextAction(now: 0), nil)
        m.bytesReceived(framed(challenge), now: 0)
        XCTAssertEqual(m.nextAction(now: 0), .sendHandshake(framed(reply), armStepTimer: .seconds(7)))
        m.bytesReceived(framed(ack), now: 0)
        guard case .established(let result, let period)? = m.nextAction(now: 0) else { return XCTFail() }
        XCTAssertEqual(result.peerName, "rhA@vm")
        XCTAssertEqual(period, .milliseconds(1000))
        XCTAssertTrue(m.isConnected)
        XCTAssertEqual(m.framingMode, .connected)
    }

    func testTLSWaitsForTLSThenFramesWithFourBytes() {
        var m = machine(tls: DistributionTLSConfiguration())
        XCTAssertEqual(m.framingMode, .tlsHandshake)
        XCTAssertEqual(m.channelActive(), .armStepTimer(.seconds(7)))
        XCTAssertEqual(m.stage, .tls)
        XCTAssertEqual(m.tlsEstablished(), .sendHandshake(framed(sendName, tls: true), armStepTimer: .seconds(7)))
        XCTAssertEqual(m.tlsEstablished(), .none)
        m.bytesReceived(framed(status, tls: true), now: 0)
        XCTAssertEqual(m.nextAction(now: 0), .armStepTimer(.seconds(7)))
    }

    func testTLSStepTimeoutMeansThePeerIsPlain() {
        var m = machine(tls: DistributionTLSConfiguration())
        _ = m.channelActive()
        guard case .failHandshake(let e) = m.stepTimerFired() else { return XCTFail() }
        XCTAssertEqual(e.code, .tlsExpectedButPeerIsPlain)
        XCTAssertEqual(e.stage, .tls)
        XCTAssertTrue(m.isClosed)
    }

    func testTLSCloseWithPlainBytesIsClassified() {
        var m = machine(tls: DistributionTLSConfiguration())
        _ = m.channelActive()
        guard case .failHandshake(let e) = m.peerClosed(tlsFirstBytes: [0x00, 0x03, 0x73, 0x6f]) else {
            return XCTFail()
        }
        XCTAssertEqual(e.code, .tlsExpectedButPeerIsPlain)
    }

    func testTLSAlertWherePlainHandshakeExpected() {
        var m = machine()
        _ = m.channelActive()
        m.bytesReceived([0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x0a], now: 0)
        guard case .failHandshake(let e)? = m.nextAction(now: 0) else { return XCTFail() }
        XCTAssertEqual(e.code, .plainButPeerExpectsTLS)
        XCTAssertEqual(e.stage, .tls)
        XCTAssertEqual(m.nextAction(now: 0), nil)
    }

    func testNoSniffAfterTheFirstHandshakeMessage() {
        var m = machine()
        _ = m.channelActive()
        m.bytesReceived(framed(status), now: 0)
        XCTAssertEqual(m.nextAction(now: 0), .armStepTimer(.seconds(7)))
        m.bytesReceived([0x15, 0x03], now: 0)  // a 5,379-byte message would start like this: over the limit
        guard case .failHandshake(let e)? = m.nextAction(now: 0) else { return XCTFail() }
        XCTAssertEqual(e.code, .frameTooLarge)
    }

    func testStepTimeoutNamesTheStep() {
        var m = machine()
        _ = m.channelActive()
        guard case .failHandshake(let e) = m.stepTimerFired() else { return XCTFail() }
        XCTAssertEqual(e.code, .handshakeTimeout)
        XCTAssertEqual(m.stepTimerFired(), .none)
    }

    func testModeSwitchParsesBytesOfTheSameReadInConnectedMode() throws {
        let me = Pid(node: "rhB@vm", id: 1, serial: 1, creation: 5)
        let send = ControlMessage.send(from: nil, to: me, message: .atom("hi"))
        let frame = try send.encodeFrame()
        var m = machine()
        _ = m.channelActive()
        m.bytesReceived(framed(status) + framed(challenge), now: 0)
        XCTAssertEqual(m.nextAction(now: 0), .armStepTimer(.seconds(7)))
        XCTAssertEqual(m.nextAction(now: 0), .sendHandshake(framed(reply), armStepTimer: .seconds(7)))
        m.bytesReceived(framed(ack) + FrameParser.tick + frame, now: 0)
        guard case .established? = m.nextAction(now: 0) else { return XCTFail() }
        XCTAssertEqual(m.nextAction(now: 0), .deliver(send), "the tick is a tick (we just wrote: no answer)")
        XCTAssertEqual(m.nextAction(now: 0), nil)
    }

    func testTicksAndTickTimeout() {
        var m = connected()
        XCTAssertEqual(m.tickTimerFired(now: 10 * s), .none)
        XCTAssertEqual(m.tickTimerFired(now: 16 * s), .sendTick)
        m.wrote(now: 20 * s)
        XCTAssertEqual(m.tickTimerFired(now: 30 * s), .none)
        guard case .close(let e) = m.tickTimerFired(now: 61 * s) else { return XCTFail() }
        XCTAssertEqual(e.code, .tickTimeout)
        XCTAssertEqual(m.tickTimerFired(now: 62 * s), .none)
    }

    func testReadingKeepsThePeerAlive() {
        var m = connected()
        m.bytesReceived([0, 0], now: 50 * s)  // half a tick: still a sign of life
        XCTAssertEqual(m.nextAction(now: 50 * s), nil)
        XCTAssertEqual(m.tickTimerFired(now: 61 * s), .sendTick)
    }

    func testTickTimerPeriodIsAQuarterOfTheIntervalWithinBounds() {
        XCTAssertEqual(machine(interval: 15).tickTimerPeriod, .seconds(1))
        XCTAssertEqual(machine(interval: 2).tickTimerPeriod, .milliseconds(500))
        XCTAssertEqual(
            DistributionConnectionMachine(configuration: .init(
                handshake: machine().configuration.handshake,
                connection: .init(tickIntervalNanos: 1_000_000, tickTimeNanos: 4_000_000))).tickTimerPeriod,
            .milliseconds(50))
    }

    func testPeerClosed() {
        var handshaking = machine()
        _ = handshaking.channelActive()
        guard case .failHandshake(let e1) = handshaking.peerClosed() else { return XCTFail() }
        XCTAssertEqual(e1.code, .closedByPeer)
        XCTAssertEqual(e1.stage, .handshake)
        var up = connected()
        guard case .close(let e2) = up.peerClosed() else { return XCTFail() }
        XCTAssertEqual(e2.code, .closedByPeer)
        XCTAssertEqual(e2.stage, .connection)
        XCTAssertEqual(up.peerClosed(), .none)
    }

    func testInterceptorTakesDataFrames() throws {
        let me = Pid(node: "rhB@vm", id: 1, serial: 1, creation: 5)
        var m = connected(extra: try ControlMessage.send(from: nil, to: me, message: .atom("x")).encodeFrame())
        XCTAssertEqual(m.nextAction(now: 0, intercept: { _ in true }), .intercepted)
        XCTAssertEqual(m.nextAction(now: 0), nil)
    }

    func testSocketFailuresNameTheStage() {
        struct Boom: Error {}
        var m = machine()
        _ = m.channelActive()
        guard case .failHandshake(let e) = m.socketFailed(Boom()) else { return XCTFail() }
        XCTAssertEqual(e.stage, .handshake)
        var up = connected()
        guard case .close(let e2) = up.socketFailed(Boom()) else { return XCTFail() }
        XCTAssertEqual(e2.stage, .connection)
        var tlsUp = connected()
        XCTAssertNil(tlsUp.tlsFailed(reason: "x", firstBytes: []))
    }
}
