import ErlangTestSupport
import Foundation
import XCTest

/// The TLS options of the one-shot commands against a real `erl -proto_dist inet_tls` node (mutual TLS, with
/// certificates the test makes).
final class TLSCommandTests: XCTestCase {
    nonisolated(unsafe) static var pki: TestCertificates?
    nonisolated(unsafe) static var node: TestNode?
    static let cookie = "tlsclicookie"

    override class func setUp() {
        pki = try? TestCertificates()
        if let pki {
            node = try? TestNode(kind: .erl, cookie: cookie, longHost: "127.0.0.1", tlsOptfile: pki.nodeOptfile)
        }
    }

    override class func tearDown() {
        node?.stop()
        pki?.remove()
    }

    struct Run {
        var status: Int32
        var out: String
        var err: String
    }

    func run(_ args: [String]) throws -> Run {
        let out = NSTemporaryDirectory() + "tls-cli-\(UInt32.random(in: 0...UInt32.max))"
        defer {
            try? FileManager.default.removeItem(atPath: out + ".out")
            try? FileManager.default.removeItem(atPath: out + ".err")
        }
        let p = Process()
        p.executableURL = TermCommandTests.binary
        p.arguments = args
        var env = ProcessInfo.processInfo.environment
        env["RELEASE_COOKIE"] = Self.cookie
        env["RELEASE_NODE"] = nil
        p.environment = env
        FileManager.default.createFile(atPath: out + ".out", contents: nil)
        FileManager.default.createFile(atPath: out + ".err", contents: nil)
        p.standardInput = FileHandle.nullDevice
        p.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: out + ".out"))
        p.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: out + ".err"))
        try p.run()
        p.waitUntilExit()
        return Run(
            status: p.terminationStatus, out: (try? String(contentsOfFile: out + ".out", encoding: .utf8)) ?? "",
            err: (try? String(contentsOfFile: out + ".err", encoding: .utf8)) ?? "")
    }

    func fixtures() throws -> (TestCertificates, TestNode) {
        (try XCTUnwrap(Self.pki, "openssl could not make certificates"), try XCTUnwrap(Self.node, "no TLS node"))
    }

    func testCallWithCertificateFlags() throws {
        let (pki, node) = try fixtures()
        // The fast path (FastCall) reads these options.
        var r = try run(["call", "--tls-cert", pki.clientCertFile, "--tls-key", pki.clientKeyFile,
                         "--tls-ca", pki.caFile, node.name, ":erlang.node()"])
        XCTAssertEqual(r.status, 0, r.err)
        XCTAssertTrue(r.out.contains(node.name), r.out)
        // ArgumentParser's path, with hostname verification (the certificate names 127.0.0.1).
        r = try run(["call", "--tls-cert=\(pki.clientCertFile)", "--tls-key", pki.clientKeyFile, "--tls-ca",
                     pki.caFile, "--tls-verify-hostname", "--json", "--timeout", "20", "--", node.name,
                     ":erlang.node()"])
        XCTAssertEqual(r.status, 0, r.err)
        XCTAssertTrue(r.out.contains("\"status\":\"ok\"") || r.out.contains("\"status\": \"ok\""), r.out)
    }

    func testCallWithSSLDistOptfile() throws {
        let (pki, node) = try fixtures()
        // The node's own optfile (client options) works for the console too.
        var r = try run(["call", "--ssl-dist-optfile", pki.nodeOptfile, node.name, ":erlang.node()"])
        XCTAssertEqual(r.status, 0, r.err)
        XCTAssertTrue(r.out.contains(node.name), r.out)
        // Client options without a certificate take the server's; options we do not use are noted, not fatal.
        r = try run(["nodes", "--ssl-dist-optfile", pki.clientOptfile, "--connect", node.name])
        XCTAssertEqual(r.status, 0, r.err)
        XCTAssertTrue(r.out.contains(node.name), r.out)
    }

    func testPlainCallToTLSNodeSaysToUseTLS() throws {
        let (_, node) = try fixtures()
        let r = try run(["call", node.name, ":erlang.node()"])
        XCTAssertEqual(r.status, 2, r.out)
        XCTAssertTrue(r.err.contains("-proto_dist inet_tls"), r.err)
        XCTAssertTrue(r.err.contains("--ssl-dist-optfile"), r.err)
        XCTAssertTrue(r.err.contains("plain_but_peer_expects_tls"), r.err)
        XCTAssertFalse(r.err.contains(Self.cookie))
    }

    func testWrongCAAndBadFiles() throws {
        let (pki, node) = try fixtures()
        var r = try run(["call", "--tls-cert", pki.clientCertFile, "--tls-key", pki.clientKeyFile,
                         "--tls-ca", pki.otherCAFile, node.name, ":erlang.node()"])
        XCTAssertEqual(r.status, 2, r.out)
        XCTAssertTrue(r.err.contains("not trusted"), r.err)
        XCTAssertTrue(r.err.contains("tls_certificate_untrusted"), r.err)
        r = try run(["call", "--tls-cert", pki.clientCertFile, "--tls-key", "/nonexistent.key", node.name, "1"])
        XCTAssertEqual(r.status, 2, r.out)
        XCTAssertTrue(r.err.contains("/nonexistent.key"), r.err)
        r = try run(["call", "--tls-insecure", "--tls-verify-hostname", node.name, "1"])
        XCTAssertEqual(r.status, 64, r.err)
    }

    /// doctor names the TLS stage: a plain console against the TLS node fails there with the fix; with the optfile
    /// every stage passes and TLS shows as established.
    func testDoctorNamesTheTLSStage() throws {
        let (pki, node) = try fixtures()
        let plain = try run(["doctor", "--json", node.name])
        XCTAssertEqual(plain.status, 2, plain.out + plain.err)
        let doc = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(plain.out.utf8)) as? [String: Any], plain.out)
        let target = try XCTUnwrap((doc["targets"] as? [[String: Any]])?.first)
        XCTAssertEqual(target["failed_stage"] as? String, "tls", plain.out)
        XCTAssertTrue(plain.out.contains("--ssl-dist-optfile"), plain.out)

        let tls = try run(["doctor", "--ssl-dist-optfile", pki.clientOptfile, node.name])
        XCTAssertEqual(tls.status, 0, tls.out + tls.err)
        XCTAssertTrue(tls.out.contains("TLS established"), tls.out)
    }
}
