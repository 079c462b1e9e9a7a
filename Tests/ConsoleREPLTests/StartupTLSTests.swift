@testable import ConsoleREPL
import ErlangDistribution
import Foundation
import XCTest

/// How `--tls-*` and `--ssl-dist-optfile` become the LocalNode's TLS configuration.
final class StartupTLSTests: XCTestCase {
    let host = HostFacts(hostname: "box", addressReaching: { _ in "10.0.0.9" }, stdoutIsTerminal: false)

    func plan(_ tls: TLSOptions) throws -> StartupPlan {
        var o = StartupOptions()
        o.cookie = "c"
        o.connect = ["a@10.0.0.1"]
        o.tls = tls
        return try Startup.plan(o, environment: [:], host: host)
    }

    func testNoOptionsIsPlainTCP() throws {
        XCTAssertNil(try plan(TLSOptions()).tls)
    }

    func testFlagsOverTheOptfile() throws {
        let file = NSTemporaryDirectory() + "ssl-dist-\(UInt32.random(in: 0...UInt32.max)).conf"
        defer { try? FileManager.default.removeItem(atPath: file) }
        try """
            %% comment
            [{server, [{certfile, "/s.pem"}, {keyfile, "/s.key"}, {cacertfile, "/ca.pem"}]},
             {client, [{verify, verify_peer}, {ciphers, ["ECDHE-ECDSA-AES256-GCM-SHA384"]}]}].
            """.write(toFile: file, atomically: true, encoding: .utf8)
        var o = TLSOptions()
        o.sslDistOptfile = file
        var p = try plan(o)
        XCTAssertEqual(p.tls, DistributionTLSConfiguration(
            certificateChainFile: "/s.pem", privateKeyFile: "/s.key", trustedCAFile: "/ca.pem"))
        XCTAssertTrue(p.notes.contains { $0.contains("ignored client options: ciphers") }, "\(p.notes)")
        o.caFile = "/other-ca.pem"
        o.verifyHostname = true
        p = try plan(o)
        XCTAssertEqual(p.tls?.trustedCAFile, "/other-ca.pem")
        XCTAssertEqual(p.tls?.peerVerification, .certificateChainAndHostname)
        XCTAssertEqual(p.tls?.certificateChainFile, "/s.pem")
    }

    func testInsecureWarnsAndBadOptfilesFail() throws {
        var o = TLSOptions()
        o.insecure = true
        let p = try plan(o)
        XCTAssertEqual(p.tls?.peerVerification, DistributionTLSConfiguration.PeerVerification.none)
        XCTAssertTrue(p.notes.contains { $0.hasPrefix("warning: --tls-insecure") })
        o.sslDistOptfile = "/nonexistent/ssl_dist.conf"
        XCTAssertThrowsError(try plan(o)) { e in
            XCTAssertEqual((e as? DistributionError)?.code, .tlsConfigurationInvalid)
            XCTAssertEqual((e as? DistributionError)?.stage, .tls)
        }
    }
}
