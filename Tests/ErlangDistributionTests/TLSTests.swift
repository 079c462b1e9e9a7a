@testable import ErlangDistribution
import ErlangTerm
import NIOCore
import NIOEmbedded
import XCTest

/// TLS distribution without a socket: handshake framing under TLS, ssl_dist optfiles, failure classification, and
/// the plain handler meeting a TLS alert.
final class TLSTests: XCTestCase {
    // MARK: Framing

    func testHandshakeUnderTLSUsesFourByteLengthsAndHasNoTicks() throws {
        XCTAssertEqual(FrameParser.Mode.forHandshake(tls: true), .tlsHandshake)
        XCTAssertEqual(FrameParser.Mode.forHandshake(tls: false), .handshake)
        XCTAssertEqual(FrameParser.frame([0x73, 0x6F, 0x6B], mode: .tlsHandshake), [0, 0, 0, 3, 0x73, 0x6F, 0x6B])
        var p = FrameParser(mode: .tlsHandshake)
        // [V] OTP 25 over TLS: 00000003 "sok", then a connected-mode tick in the same read.
        p.append([0, 0, 0, 3, 0x73, 0x6F, 0x6B, 0, 0, 0, 0])
        XCTAssertEqual(try p.next(), .data([0x73, 0x6F, 0x6B]))
        p.mode = .connected
        XCTAssertEqual(try p.next(), .tick)
        var q = FrameParser(mode: .tlsHandshake)
        q.append([0, 0, 0, 0])
        XCTAssertEqual(try q.next(), .data([]), "a zero length during the handshake is an empty message, not a tick")
        XCTAssertEqual(Array(q.peek(4)), [])
    }

    // MARK: ssl_dist optfiles

    func testOptfileClientOptionsWithServerCertificateFallback() throws {
        // [{server, [{certfile,"s.pem"},{keyfile,"s.key"},{cacertfile,"ca.pem"}]},
        //  {client, [{verify,verify_peer},{versions,['tlsv1.2']},{secure_renegotiate,true}]}]
        let term: Term = [
            .tuple(["server", [.tuple(["certfile", .charlist("s.pem")]), .tuple(["keyfile", .charlist("s.key")]),
                               .tuple(["cacertfile", .charlist("ca.pem")]), .tuple(["fail_if_no_peer_cert", true])]]),
            .tuple(["client", [.tuple(["verify", "verify_peer"]), .tuple(["versions", ["tlsv1.2"]]),
                               .tuple(["secure_renegotiate", true])]]),
        ]
        let (c, notes) = try DistributionTLSConfiguration.fromSSLDistOptions(term)
        XCTAssertEqual(c, DistributionTLSConfiguration(
            certificateChainFile: "s.pem", privateKeyFile: "s.key", trustedCAFile: "ca.pem",
            peerVerification: .certificateChain))
        XCTAssertTrue(notes.contains { $0.contains("certfile from the server options") }, "\(notes)")
        XCTAssertTrue(
            notes.contains { $0.contains("ignored client options: secure_renegotiate, versions") }, "\(notes)")
    }

    func testOptfileClientOptionsWinAndVerifyNone() throws {
        let term: Term = [
            .tuple(["server", [.tuple(["certfile", .charlist("s.pem")]), .tuple(["keyfile", .charlist("s.key")])]]),
            .tuple(["client", [.tuple(["certfile", .string("c.pem")]), .tuple(["keyfile", .charlist("c.key")]),
                               .tuple(["verify", "verify_none"])]]),
        ]
        let (c, notes) = try DistributionTLSConfiguration.fromSSLDistOptions(term)
        XCTAssertEqual(c.certificateChainFile, "c.pem")
        XCTAssertEqual(c.privateKeyFile, "c.key")
        XCTAssertNil(c.trustedCAFile)
        XCTAssertEqual(c.peerVerification, .none)
        XCTAssertTrue(notes.contains { $0.hasPrefix("warning") }, "\(notes)")
    }

    func testBadOptfilesAreTLSConfigurationErrors() {
        let bad: [Term] = [
            "server",
            [.tuple(["client", "notalist"])],
            [.tuple(["client", [.tuple(["certfile", 42])]])],
            [.tuple(["client", [.tuple(["verify", "sometimes"])]])],
        ]
        for t in bad {
            XCTAssertThrowsError(try DistributionTLSConfiguration.fromSSLDistOptions(t), "\(t)") { e in
                let e = e as! DistributionError
                XCTAssertEqual(e.code, .tlsConfigurationInvalid)
                XCTAssertEqual(e.stage, .tls)
            }
        }
    }

    func testMissingFilesAreConfigurationErrors() {
        let c = DistributionTLSConfiguration(certificateChainFile: "/nonexistent/c.pem", privateKeyFile: "/x.key")
        XCTAssertThrowsError(try c.validate()) { e in
            XCTAssertEqual((e as! DistributionError).code, .tlsConfigurationInvalid)
            XCTAssertTrue("\(e)".contains("/nonexistent/c.pem"), "\(e)")
        }
        XCTAssertThrowsError(try DistributionTLSConfiguration(privateKeyFile: "/x.key").validate())
        XCTAssertNoThrow(try DistributionTLSConfiguration(peerVerification: .none).validate())
    }

    // MARK: Classification

    func testClassification() {
        let config = DistributionTLSConfiguration(trustedCAFile: "ca.pem")
        func code(_ reason: String, _ first: [UInt8] = [0x16, 0x03, 0x03]) -> DistributionError.Code {
            TLSFailure.classify(reason: reason, firstBytes: first, configuration: config).code
        }
        XCTAssertEqual(code("handshakeFailed(sslError([...CERTIFICATE_VERIFY_FAILED...]))"), .tlsCertificateUntrusted)
        XCTAssertEqual(code("NIOSSLExtraError.failedToValidateHostname: Couldn't find x"), .tlsHostnameMismatch)
        XCTAssertEqual(code("...:TLSV1_ALERT_UNKNOWN_CA"), .tlsCertificateRejected)
        XCTAssertEqual(code("...:SSLV3_ALERT_BAD_CERTIFICATE"), .tlsCertificateRejected)
        XCTAssertEqual(code("...:SSLV3_ALERT_HANDSHAKE_FAILURE"), .tlsCertificateRejected, "we sent no certificate")
        let withCert = DistributionTLSConfiguration(certificateChainFile: "c.pem", privateKeyFile: "c.key")
        XCTAssertEqual(
            TLSFailure.classify(reason: "SSLV3_ALERT_HANDSHAKE_FAILURE", firstBytes: [0x15], configuration: withCert)
                .code, .tlsHandshakeFailed)
        XCTAssertEqual(code("...:WRONG_VERSION_NUMBER", [0x00, 0x03, 0x73]), .tlsExpectedButPeerIsPlain)
        XCTAssertEqual(code("handshakeFailed(sslError([EOF during handshake]))", []), .tlsExpectedButPeerIsPlain)
        XCTAssertEqual(code("something else"), .tlsHandshakeFailed)
        XCTAssertTrue(TLSFailure.looksLikeTLSRecord([0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x0A]))
        XCTAssertFalse(TLSFailure.looksLikeTLSRecord([0x00, 0x03, 0x73]))
        let untrusted = TLSFailure.classify(
            reason: "CERTIFICATE_VERIFY_FAILED", firstBytes: [0x16], configuration: config)
        XCTAssertEqual(untrusted.stage, .tls)
        XCTAssertTrue(untrusted.message.contains("not trusted") && untrusted.message.contains("ca.pem"))
    }

    // MARK: The plain handler meets a TLS node

    func testPlainHandshakeAnsweredWithTLSAlertIsAMismatch() throws {
        let channel = EmbeddedChannel()
        let promise = channel.eventLoop.makePromise(of: HandshakeStateMachine.Result.self)
        let machine = DistributionConnectionMachine(configuration: .init(
            handshake: .init(
                ourName: "bc@vm", dynamicName: false, creation: 7, cookie: Array("c".utf8),
                expectedPeerName: "tls1@vm", ourChallenge: 1),
            connection: .init(), maxFrameSize: 1 << 20))
        try channel.pipeline.syncOperations.addHandler(DistributionChannelHandler(
            machine: machine, promise: promise, logger: .init(label: "test")))
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1)).wait()
        let sent = try XCTUnwrap(channel.readOutbound(as: ByteBuffer.self))
        XCTAssertEqual(sent.getInteger(at: 2, as: UInt8.self), 0x4E, "send_name with a 2-byte length")
        // [V] what an OTP 25 inet_tls node answers: alert, unexpected_message.
        try channel.writeInbound(ByteBuffer(bytes: [0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x0A]))
        XCTAssertThrowsError(try promise.futureResult.wait()) { e in
            let e = e as! DistributionError
            XCTAssertEqual(e.code, .plainButPeerExpectsTLS)
            XCTAssertEqual(e.stage, .tls)
            XCTAssertTrue(e.message.contains("-proto_dist inet_tls"))
            XCTAssertFalse(e.message.contains("--"), "library messages name no command-line options: \(e.message)")
        }
        _ = try? channel.finish()
    }
}
