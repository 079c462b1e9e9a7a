import ErlangDistribution
import ErlangTerm
import ErlangTestSupport
import Foundation
import NIOCore
import XCTest

/// TLS distribution against real `erl -proto_dist inet_tls` nodes with certificates the test makes: one CA, a node
/// certificate and a client certificate (mutual TLS, as `verify_peer` + `fail_if_no_peer_cert` nodes require), and an
/// unrelated CA.
final class TLSDistributionTests: XCTestCase {
    nonisolated(unsafe) static var pki: TestCertificates?
    nonisolated(unsafe) static var tlsNode: TestNode?
    static let cookie = "tlscookie"

    override class func setUp() {
        pki = try? TestCertificates()
        if let pki {
            tlsNode = try? TestNode(kind: .erl, alive: "tls\(UInt32.random(in: 0...UInt32.max))", cookie: cookie,
                                    longHost: "127.0.0.1", tlsOptfile: pki.nodeOptfile)
        }
    }

    override class func tearDown() {
        tlsNode?.stop()
        pki?.remove()
    }

    func fixtures() throws -> (TestCertificates, TestNode) {
        let pki = try XCTUnwrap(Self.pki, "openssl could not make the test certificates")
        let node = try XCTUnwrap(Self.tlsNode, "the TLS node did not start")
        return (pki, node)
    }

    func makeNode(
        tls: DistributionTLSConfiguration?, cookie: String = TLSDistributionTests.cookie,
        stepTimeout: Duration = .seconds(7)
    ) -> LocalNode {
        LocalNode(configuration: .init(
            name: .long("bc\(UInt32.random(in: 0...UInt32.max))@127.0.0.1"), cookie: cookie,
            handshakeStepTimeout: stepTimeout, tls: tls))
    }

    func clientTLS(_ pki: TestCertificates, ca: String? = nil) -> DistributionTLSConfiguration {
        DistributionTLSConfiguration(
            certificateChainFile: pki.clientCertFile, privateKeyFile: pki.clientKeyFile,
            trustedCAFile: ca ?? pki.caFile)
    }

    func testVerifiedConnectAndCalls() async throws {
        let (pki, erl) = try fixtures()
        let node = makeNode(tls: clientTLS(pki))
        defer { node.shutdown() }
        XCTAssertTrue(node.usesTLS)
        let r = try await node.rexCall(node: erl.name, module: "erlang", function: "node", arguments: [])
        XCTAssertEqual(r.result, .value(.atom(Atom(erl.name))))
        let e = try await node.erpcCall(node: erl.name, module: "lists", function: "seq", arguments: [1, 2000])
        XCTAssertEqual(e.result, .value(.list((1...2000).map { .integer($0) })), "a frame larger than a TLS record")
        XCTAssertEqual(node.connectionState(of: erl.name), .up)
        // The node sees a TLS connection: its #net_address{} for us says protocol tls.
        let info = try await node.erpcCall(
            node: erl.name, module: "net_kernel", function: "node_info", arguments: [.atom(Atom(node.name)), "address"])
        guard case .value(.tuple(let ok)) = info.result, ok.count == 2, case .tuple(let address) = ok[1],
            address.count == 5
        else { return XCTFail("\(info.result)") }
        XCTAssertEqual(address[3], .atom("tls"), "\(address)")
    }

    func testHostnameVerificationAcceptsTheIPInTheCertificate() async throws {
        let (pki, erl) = try fixtures()
        var tls = clientTLS(pki)
        tls.peerVerification = .certificateChainAndHostname
        let node = makeNode(tls: tls)
        defer { node.shutdown() }
        let r = try await node.rexCall(node: erl.name, module: "erlang", function: "node", arguments: [])
        XCTAssertEqual(r.result, .value(.atom(Atom(erl.name))))
    }

    func testWrongCAIsUntrustedAtTLSStage() async throws {
        let (pki, erl) = try fixtures()
        let node = makeNode(tls: clientTLS(pki, ca: pki.otherCAFile))
        defer { node.shutdown() }
        let error = await assertConnectFails(
            { try await node.connect(to: erl.name) },
            code: .tlsCertificateUntrusted, stage: .tls)
        guard let error else { return }
        XCTAssertTrue(error.message.contains("not trusted"), error.message)
        XCTAssertFalse(error.description.contains(Self.cookie))
        XCTAssertEqual(node.connectionState(of: erl.name), .failed(error))
    }

    func testCertificateTheNodeDoesNotTrustIsRejected() async throws {
        let (pki, erl) = try fixtures()
        let node = makeNode(tls: DistributionTLSConfiguration(
            certificateChainFile: pki.otherCertFile, privateKeyFile: pki.otherKeyFile, trustedCAFile: pki.caFile))
        defer { node.shutdown() }
        await assertConnectFails(
            { try await node.connect(to: erl.name) },
            code: .tlsCertificateRejected, stage: .tls)
        // No client certificate at all: the node requires one.
        let bare = makeNode(tls: DistributionTLSConfiguration(trustedCAFile: pki.caFile))
        defer { bare.shutdown() }
        let bareError = await assertConnectFails(
            { try await bare.connect(to: erl.name) },
            code: .tlsCertificateRejected, stage: .tls)
        if let bareError { XCTAssertTrue(bareError.message.contains("client certificate"), "\(bareError)") }
    }

    func testPlainConsoleAgainstTLSNodeSaysTheNodeUsesTLS() async throws {
        let (_, erl) = try fixtures()
        let node = makeNode(tls: nil)
        defer { node.shutdown() }
        let error = await assertConnectFails(
            { try await node.connect(to: erl.name) },
            code: .plainButPeerExpectsTLS, stage: .tls)
        guard let error else { return }
        XCTAssertTrue(error.message.contains("-proto_dist inet_tls"), error.message)
        XCTAssertFalse(error.message.contains("--"), "library messages name no options: \(error.message)")
    }

    func testTLSConsoleAgainstPlainNodeSaysTheNodeIsPlain() async throws {
        let (pki, _) = try fixtures()
        let plain = try TestNode(kind: .erl, cookie: Self.cookie, longHost: "127.0.0.1")
        defer { plain.stop() }
        let node = makeNode(tls: clientTLS(pki), stepTimeout: .seconds(2))
        defer { node.shutdown() }
        let started = Date()
        let error = await assertConnectFails(
            { try await node.connect(to: plain.name) },
            code: .tlsExpectedButPeerIsPlain, stage: .tls)
        if let error { XCTAssertTrue(error.message.contains("does not use TLS distribution"), error.message) }
        XCTAssertLessThan(Date().timeIntervalSince(started), 6)
    }

    func testWrongCookieOverTLSIsStillACookieError() async throws {
        let (pki, erl) = try fixtures()
        let node = makeNode(tls: clientTLS(pki), cookie: "notthecookie")
        defer { node.shutdown() }
        let error = await assertConnectFails(
            { try await node.connect(to: erl.name) },
            code: .cookieMismatch, stage: .handshake)
        if let error { XCTAssertFalse(error.description.contains("notthecookie")) }
    }

    func testUnreadableFilesFailAtTLSStageBeforeConnecting() async throws {
        let (pki, erl) = try fixtures()
        let node = makeNode(tls: DistributionTLSConfiguration(
            certificateChainFile: pki.clientCertFile, privateKeyFile: pki.directory + "/missing.key"))
        defer { node.shutdown() }
        let error = await assertConnectFails(
            { try await node.connect(to: erl.name) },
            code: .tlsConfigurationInvalid, stage: .tls)
        if let error { XCTAssertTrue(error.message.contains("missing.key"), error.message) }
    }
}
