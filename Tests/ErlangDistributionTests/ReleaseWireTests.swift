// The wire per OTP release (issue 16, audit items L5 and L6, and the term formats of its Q2). Pure unit tests: no
// VM newer than OTP 25 runs here, so every vector is a fact copied from an OTP source, named above its assertion.
//
// - Challenge flags: `DFLAG_DIST_DEFAULT` of erts/emulator/beam/dist.h. OTP 25, 26 and 27 send 0x0000000D_07DF7FBD
//   (the same value as the OTP 25 capture in HandshakeTests.testCapturedRealHandshake); OTP 28's dist.h adds
//   `DFLAG_ALTACT_SIG (0x20 << 32)` (bit 37) to `DFLAG_DIST_HOPEFULLY`, so it sends 0x0000002D_07DF7FBD.
//   `DFLAG_DIST_MANDATORY_26` = V4_NC | UNLINK_ID (OTP 26–28 dist.h); `dist_util:check_dflags/2` (OTP 28
//   lib/kernel/src/dist_util.erl) requires mandatory | required of the peer.
// - erpc: `erpc:execute_call/4` (lib/kernel/src/erpc.erl) exits with `{Ref, error, {erpc, R}}` for an argument error
//   up to OTP 27; OTP 28's `is_arg_error/4` matches only `system_limit`, so a bad M/F/A gives
//   `{Ref, error, badarg, Stack}`; rex (`rpc:execute_call/3`, lib/kernel/src/rpc.erl) then replies
//   `{badrpc, {'EXIT', {badarg, Stack}}}`.
// - Terms: erts/doc/guides/erl_ext_dist.md (OTP 27): NEW_PID_EXT (88) `ID:32 Serial:32 Creation:32`, "In OTP 26 …
//   DFLAG_V4_NC became mandatory": full 32-bit ID and Serial; NEWER_REFERENCE_EXT (90) with up to 5 ID words;
//   V4_PORT_EXT (120) `ID:64 Creation:32`; LOCAL_EXT (121, OTP 26) only from `term_to_binary(T, [local])`, valid only
//   on "the same node instance", never on a distribution connection (`DFLAG_LOCAL_EXT` is internal).

@testable import ErlangDistribution
import ErlangTerm
import XCTest

final class ReleaseWireTests: XCTestCase {
    private let cookie = Array("rhcookie".utf8)

    /// The peer's challenge: 'N' Flags:64 Challenge:32 Creation:32 Nlen:16 Name (dist_util:recv_challenge_new).
    private func challenge(flags: UInt64) -> [UInt8] {
        var m: [UInt8] = [0x4E]
        m.appendBE(flags); m.appendBE(UInt32(2991683115)); m.appendBE(UInt32(7))
        m.appendBE(UInt16(6)); m += Array("rhA@vm".utf8)
        return m
    }

    private func handshake(peerFlags: UInt64) -> HandshakeStateMachine.Result? {
        var m = HandshakeStateMachine(configuration: .init(
            ourName: "rhB@vm", dynamicName: false, creation: 0x6b090df4, cookie: cookie, expectedPeerName: "rhA@vm",
            ourChallenge: 0x8809456e, replaceAliveConnection: true))
        guard case .send(let name) = m.start() else { return nil }
        // send_name advertises 0x5_0707_5FBC: never ALTACT_SIG.
        XCTAssertEqual(Array(name[1...8]), [0, 0, 0, 5, 7, 7, 0x5F, 0xBC])
        XCTAssertEqual(m.received([0x73] + Array("ok".utf8)), .wait)
        let reply = [0x72, 0x88, 0x09, 0x45, 0x6e] + HandshakeDigest.compute(challenge: 2991683115, cookie: cookie)
        XCTAssertEqual(m.received(challenge(flags: peerFlags)), .send(reply))
        guard case .established(let r) = m.received([0x61] + HandshakeDigest.compute(challenge: 0x8809456e, cookie: cookie))
        else {
            XCTFail("no connection with peer flags 0x\(String(peerFlags, radix: 16))")
            return nil
        }
        return r
    }

    func testOTP25To27ChallengeFlags() throws {
        let r = try XCTUnwrap(handshake(peerFlags: 0x0000000D_07DF7FBD))
        XCTAssertEqual(r.peerFlags.rawValue, 0x0000000D_07DF7FBD)
        XCTAssertEqual(r.negotiatedFlags.rawValue, 0x5_0707_5FBC)
        XCTAssertFalse(r.peerFlags.contains(.altactSig))
        XCTAssertNil(r.peerFlags.minimumOTPRelease, "OTP 25, 26 and 27 send the same flags")
        XCTAssertTrue(r.negotiatedFlags.isSuperset(of: .mandatoryOTP26))
    }

    func testOTP28ChallengeFlags() throws {
        let r = try XCTUnwrap(handshake(peerFlags: 0x0000002D_07DF7FBD))
        XCTAssertTrue(r.peerFlags.contains(.altactSig), "bit 37 tells an OTP 28 peer")
        XCTAssertEqual(r.peerFlags.minimumOTPRelease, 28)
        XCTAssertEqual(r.negotiatedFlags.rawValue, 0x5_0707_5FBC)
        XCTAssertFalse(r.negotiatedFlags.contains(.altactSig), "the AND of both sides' flags removes ALTACT_SIG")
        // Everything OTP 26–28 make mandatory (MANDATORY_25 | V4_NC | UNLINK_ID) is in what we advertise.
        XCTAssertEqual(DistributionFlags.mandatoryOTP26.rawValue, 0x01070F94 | 1 << 34 | 0x2000000)
        XCTAssertTrue(DistributionFlags.defaultHidden.isSuperset(of: .mandatoryOTP26))
    }

    // MARK: - erpc and rex results

    private let stack: Term = [.tuple([.atom("m"), .atom("f"), 1, []])]
    private let resultRef = Reference(node: "bc@h", creation: 5, ids: [900, 0, 9])

    func testErpcBadargBeforeAndFromOTP28() {
        // Up to OTP 27: {Ref, error, {erpc, badarg}}: an error without a stacktrace, reason kept as the node gave it.
        XCTAssertEqual(
            RemoteCall.erpcResult(
                .tuple([.reference(resultRef), .atom("error"), .tuple([.atom("erpc"), .atom("badarg")])]),
                resultRef: resultRef, node: "app@h"),
            .exception(.error, reason: .tuple([.atom("erpc"), .atom("badarg")]), stacktrace: []))
        // OTP 28: {Ref, error, badarg, Stack}.
        XCTAssertEqual(
            RemoteCall.erpcResult(
                .tuple([.reference(resultRef), .atom("error"), .atom("badarg"), stack]), resultRef: resultRef,
                node: "app@h"),
            .exception(.error, reason: .atom("badarg"), stacktrace: stack))
    }

    func testRexBadargFromOTP28() {
        XCTAssertEqual(
            RemoteCall.rexResult(
                .tuple([.atom("badrpc"), .tuple([.atom("EXIT"), .tuple([.atom("badarg"), stack])])])),
            .exception(.error, reason: .atom("badarg"), stacktrace: stack))
    }

    // MARK: - Terms OTP 26–28 send

    private let node: [UInt8] = [119, 6] + Array("app@vm".utf8)

    func testNewPidExtWithFull32BitFields() throws {
        let bytes: [UInt8] = [131, 88] + node + [0xFF, 0xFF, 0xFF, 0xFF, 0x80, 0, 0, 1, 0x64, 0xF1, 0x2A, 0x07]
        let t = try Term(etf: bytes)
        XCTAssertEqual(t, .pid(Pid(node: "app@vm", id: 0xFFFF_FFFF, serial: 0x8000_0001, creation: 0x64F1_2A07)))
        XCTAssertEqual(try t.etf(), bytes)
    }

    func testNewerReferenceExtWithFiveWords() throws {
        var bytes: [UInt8] = [131, 90, 0, 5] + node + [0x64, 0xF1, 0x2A, 0x07]
        let words: [UInt32] = [0x0003_FFFF, 0xFFFF_FFFF, 0x1234_5678, 0x9ABC_DEF0, 7]
        for w in words { bytes.appendBE(w) }
        let t = try Term(etf: bytes)
        XCTAssertEqual(t, .reference(Reference(node: "app@vm", creation: 0x64F1_2A07, ids: words)))
        XCTAssertEqual(try t.etf(), bytes)
        // More than 5 words is no reference any release sends.
        var six: [UInt8] = [131, 90, 0, 6] + node + [0, 0, 0, 1]
        for w in words + [8] { six.appendBE(w) }
        XCTAssertThrowsError(try Term(etf: six))
    }

    func testV4PortExt() throws {
        var bytes: [UInt8] = [131, 120] + node
        bytes.appendBE(UInt64(0x0000_0001_0000_0002))
        bytes += [0x64, 0xF1, 0x2A, 0x07]
        let t = try Term(etf: bytes)
        XCTAssertEqual(t, .port(ErlangPort(node: "app@vm", id: 0x0000_0001_0000_0002, creation: 0x64F1_2A07)))
        XCTAssertEqual(try t.etf(), bytes)
    }

    func testLocalExtInsideABinaryIsRefusedWithAClearError() throws {
        // term_to_binary(T, [local]) of an OTP 26+ node: 131, LOCAL_EXT, then node-local data. It can only reach us
        // as the bytes of a binary, which decodes as a binary; decoding those bytes is refused by name.
        let local: [UInt8] = [131, 121, 0x8A, 0x12, 0x00, 0x01, 131, 100, 0, 2, 111, 107]
        let outer: [UInt8] = [131, 109, 0, 0, 0, UInt8(local.count)] + local
        let t = try Term(etf: outer)
        XCTAssertEqual(t, .binary(local))
        XCTAssertThrowsError(try Term(etf: local)) { error in
            let e = error as! ETFError
            XCTAssertTrue(e.message.contains("LOCAL_EXT"), e.message)
            XCTAssertTrue(e.message.contains("node that encoded it"), e.message)
        }
    }
}
