@testable import ErlangDistribution
import ErlangTerm
import XCTest

/// Regression tests for what a hostile peer (Tests/IntegrationTests/HostilePeerTests.swift) and the fuzzers
/// (Fuzz/) found: each names the input that used to misbehave.
final class HostileInputTests: XCTestCase {
    let s: UInt64 = 1_000_000_000

    /// A 65,535-byte handshake message was buffered in full before anything looked at it; no legitimate handshake
    /// message is longer than ``FrameParser/maxHandshakeMessageSize``.
    func testOversizedHandshakeLengthIsRejectedAtOnce() {
        var p = FrameParser(mode: .handshake)
        p.append([0xFF, 0xFF, 0x73])
        XCTAssertThrowsError(try p.next()) {
            XCTAssertEqual(($0 as? DistributionError)?.code, .frameTooLarge)
            XCTAssertEqual(($0 as? DistributionError)?.stage, .handshake)
        }
        var q = FrameParser(mode: .handshake)
        q.append([0x08, 0x00] + [UInt8](repeating: 0x61, count: 2048))
        XCTAssertEqual(try q.next(), .data([UInt8](repeating: 0x61, count: 2048)))
        q.mode = .connected
        q.append([0, 0, 0x10, 0] + [UInt8](repeating: 1, count: 4096))
        XCTAssertEqual(try q.next(), .data([UInt8](repeating: 1, count: 4096)))
    }

    /// A control operation no OTP release defines used to be logged and ignored; erts closes the connection.
    func testUnknownControlOperationClosesTheConnection() throws {
        var m = ConnectionStateMachine(configuration: .init(), now: 0)
        let unknown: [UInt8] = try [112] + Term.tuple([.integer(99), "x"]).etf()
        guard case .close(let e) = m.frameReceived(.data(unknown), now: s) else { return XCTFail() }
        XCTAssertEqual(e.code, .protocolViolation)
        XCTAssertEqual(e.stage, .connection)
        XCTAssertEqual(m.frameReceived(.tick, now: 2 * s), .none)
    }

    /// A flood of ticks used to be answered tick for tick, queueing a write each even when the peer read nothing.
    func testTickFloodIsAnsweredAtMostOncePerSecond() {
        var m = ConnectionStateMachine(configuration: .init(), now: 0)
        var answers = 0
        for i in 0..<100_000 {
            if m.frameReceived(.tick, now: 5 * s + UInt64(i) * 1_000) == .sendTick { answers += 1 }
        }
        XCTAssertEqual(answers, 1)
        XCTAssertEqual(m.frameReceived(.tick, now: 7 * s), .sendTick)
        // A peer ticking at OTP's pace still gets every answer.
        var n = ConnectionStateMachine(configuration: .init(), now: 0)
        for k in 1...8 { XCTAssertEqual(n.frameReceived(.tick, now: UInt64(k) * 15 * s), .sendTick) }
        // Ticking is still liveness: the flood keeps the connection up.
        XCTAssertEqual(m.timerFired(now: 7 * s + 1), .none)
    }
}
