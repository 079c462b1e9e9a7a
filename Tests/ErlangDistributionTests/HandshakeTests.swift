@testable import ErlangDistribution
import ErlangTerm
import XCTest

private func hex(_ s: String) -> [UInt8] {
    var out: [UInt8] = []
    var it = s.replacingOccurrences(of: " ", with: "").makeIterator()
    while let a = it.next(), let b = it.next() { out.append(UInt8(String([a, b]), radix: 16)!) }
    return out
}

/// A challenge message from the peer: 'N' Flags:u64 Challenge:u32 Creation:u32 Nlen:u16 Name.
private func challenge(name: String, challenge: UInt32, flags: UInt64 = 0x0000000D_07DF7FBD, creation: UInt32 = 7)
    -> [UInt8]
{
    var m: [UInt8] = [0x4E]
    m.appendBE(flags); m.appendBE(challenge); m.appendBE(creation)
    m.appendBE(UInt16(name.utf8.count)); m += Array(name.utf8)
    return m
}

private func status(_ s: String) -> [UInt8] { [0x73] + Array(s.utf8) }

final class HandshakeTests: XCTestCase {
    let cookie = Array("rhcookie".utf8)
    func machine(dynamic: Bool = false, replaceAlive: Bool = true) -> HandshakeStateMachine {
        HandshakeStateMachine(configuration: .init(
            ourName: dynamic ? "vm" : "rhB@vm", dynamicName: dynamic, creation: 0x6b090df4, cookie: cookie,
            expectedPeerName: "rhA@vm", ourChallenge: 0x8809456e, replaceAliveConnection: replaceAlive))
    }
    var ack: [UInt8] { [0x61] + HandshakeDigest.compute(challenge: 0x8809456e, cookie: cookie) }
    var reply: [UInt8] { [0x72, 0x88, 0x09, 0x45, 0x6e] + HandshakeDigest.compute(challenge: 2991683115, cookie: cookie) }

    func testDigestVectors() {
        XCTAssertEqual(HandshakeDigest.compute(challenge: 0, cookie: Array("c".utf8)), hex("b0fce403c178fa57404c1cc4176547a8"))
        XCTAssertEqual(HandshakeDigest.compute(challenge: 4294967295, cookie: Array("secret".utf8)), hex("5dfd181e69aa587cc812eb333e6536b6"))
        XCTAssertEqual(HandshakeDigest.compute(challenge: 2991683115, cookie: Array("rhcookie".utf8)), hex("2ea8512fed9a7beac31af0481655c164"))
        XCTAssertTrue(HandshakeDigest.constantTimeEqual([1, 2], [1, 2]))
        XCTAssertFalse(HandshakeDigest.constantTimeEqual([1, 2], [1, 3]))
        XCTAssertFalse(HandshakeDigest.constantTimeEqual([1, 2], [1]))
    }

    func testFlagsTable() {
        XCTAssertEqual(DistributionFlags.mandatoryOTP25.rawValue, 0x01070F94)
        XCTAssertEqual(DistributionFlags.defaultHidden.rawValue, 0x5_0707_5FBC)
        XCTAssertFalse(DistributionFlags.defaultHidden.contains(.published))
    }

    func testSendNameLayout() {
        var m = machine()
        XCTAssertEqual(m.start(), .send(hex("4e 0000000507075fbc 6b090df4 0006") + Array("rhB@vm".utf8)))
    }

    func testHappyPathOk() {
        var m = machine()
        _ = m.start()
        XCTAssertEqual(m.received(status("ok")), .wait)
        XCTAssertEqual(m.received(challenge(name: "rhA@vm", challenge: 2991683115)), .send(reply))
        guard case .established(let r) = m.received(ack) else { return XCTFail() }
        XCTAssertEqual(r.peerName, "rhA@vm")
        XCTAssertEqual(r.peerCreation, 7)
        XCTAssertEqual(r.negotiatedFlags.rawValue, 0x5_0707_5FBC & 0x0000000D_07DF7FBD)
        XCTAssertTrue(m.isFinished)
    }

    func testStatuses() {
        func after(_ s: String, replace: Bool = true) -> HandshakeStateMachine.Action {
            var m = machine(replaceAlive: replace); _ = m.start(); return m.received(status(s))
        }
        XCTAssertEqual(after("ok"), .wait)
        XCTAssertEqual(after("ok_simultaneous"), .wait)
        XCTAssertEqual(after("alive"), .send(Array("strue".utf8)))
        XCTAssertEqual(code(after("alive", replace: false)), .alive)
        XCTAssertEqual(code(after("nok")), .nok)
        XCTAssertEqual(code(after("not_allowed")), .notAllowed)
        XCTAssertEqual(code(after("bogus")), .protocolViolation)
        XCTAssertEqual(code(after("named:")), .protocolViolation)  // not requested
    }

    func testDynamicName() {
        var m = machine(dynamic: true)
        guard case .send(let sent) = m.start() else { return XCTFail() }
        XCTAssertEqual(Array(sent[1..<9]), hex("0000000707075fbc"))  // NAME_ME set
        XCTAssertEqual(Array(sent[9..<13]), [0, 0, 0, 0])  // creation 0
        var named = status("named:")
        named.appendBE(UInt16(8)); named += Array("XYZ12@vm".utf8); named.appendBE(UInt32(342124665))
        XCTAssertEqual(m.received(named), .wait)
        _ = m.received(challenge(name: "rhA@vm", challenge: 2991683115))
        guard case .established(let r) = m.received(ack) else { return XCTFail() }
        XCTAssertEqual(r.ourName, "XYZ12@vm")
        XCTAssertEqual(r.ourCreation, 342124665)
        var plain = machine(dynamic: true); _ = plain.start()
        XCTAssertEqual(code(plain.received(status("ok"))), .protocolViolation)
    }

    func testLyingPeerWrongName() {
        var m = machine(); _ = m.start(); _ = m.received(status("ok"))
        XCTAssertEqual(code(m.received(challenge(name: "evil@vm", challenge: 1))), .nameMismatch)
    }

    func testLyingPeerBadDigest() {
        var m = machine(); _ = m.start(); _ = m.received(status("ok"))
        _ = m.received(challenge(name: "rhA@vm", challenge: 1))
        var bad = ack; bad[5] ^= 1
        XCTAssertEqual(code(m.received(bad)), .badPeerDigest)
    }

    func testCloseAfterChallengeReplyIsCookieMismatch() {
        var m = machine(); _ = m.start(); _ = m.received(status("ok"))
        _ = m.received(challenge(name: "rhA@vm", challenge: 1))
        let a = m.peerClosed()
        XCTAssertEqual(code(a), .cookieMismatch)
        if case .fail(let e) = a {
            XCTAssertEqual(e.stage, .handshake)
            XCTAssertFalse(e.description.contains("rhcookie"))
        }
    }

    func testCloseAndTimeoutAtEachStep() {
        var m1 = machine(); _ = m1.start()
        XCTAssertEqual(code(m1.peerClosed()), .closedByPeer)
        var m2 = machine(); _ = m2.start(); _ = m2.received(status("ok"))
        XCTAssertEqual(code(m2.peerClosed()), .closedByPeer)
        var m3 = machine(); _ = m3.start()
        XCTAssertEqual(code(m3.timedOut()), .handshakeTimeout)
    }

    func testMalformedMessages() {
        var m = machine(); _ = m.start(); _ = m.received(status("ok"))
        XCTAssertEqual(code(m.received([0x4E, 0, 0])), .protocolViolation)  // truncated challenge
        var v5 = machine(); _ = v5.start(); _ = v5.received(status("ok"))
        XCTAssertEqual(code(v5.received([0x6E, 0, 5])), .protocolViolation)
        var noFlags = machine(); _ = noFlags.start(); _ = noFlags.received(status("ok"))
        XCTAssertEqual(code(noFlags.received(challenge(name: "rhA@vm", challenge: 1, flags: 0x4))), .missingPeerFlags)
        var wrongTag = machine(); _ = wrongTag.start()
        XCTAssertEqual(code(wrongTag.received([0x61])), .protocolViolation)
    }

    func testCapturedRealHandshake() {
        // rhB dials rhA (OTP 25.2.3), from the notes; the cookie is unknown there, so only parse the challenge.
        let msg = hex("4e 0000000d07df7fbd ad6bf144 6b090dea 0006") + Array("rhA@vm".utf8)
        var m = machine(); _ = m.start(); _ = m.received(status("ok"))
        guard case .send(let r) = m.received(msg) else { return XCTFail() }
        XCTAssertEqual(r.count, 21)
        XCTAssertEqual(Array(r[5...]), HandshakeDigest.compute(challenge: 0xad6bf144, cookie: cookie))
    }
}

func code(_ a: HandshakeStateMachine.Action) -> DistributionError.Code? {
    if case .fail(let e) = a { return e.code }
    return nil
}
