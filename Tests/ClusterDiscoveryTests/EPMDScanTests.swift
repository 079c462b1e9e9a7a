import ClusterDiscovery
import ClusterMembership
import ErlangTestSupport
import Foundation
import XCTest

final class EPMDScanTests: XCTestCase {
    // MARK: - Pure parts

    func testParsesHostLists() throws {
        XCTAssertEqual(
            try EPMDScan.parseHosts("host1, host2:4370,10.0.1.5,10.0.1.6:4369,[::1],[fd00::5]:4370,::1,app.internal"),
            [
                EPMDScanTarget(host: "host1"), EPMDScanTarget(host: "host2", port: 4370),
                EPMDScanTarget(host: "10.0.1.5"), EPMDScanTarget(host: "10.0.1.6", port: 4369),
                EPMDScanTarget(host: "::1"), EPMDScanTarget(host: "fd00::5", port: 4370),
                EPMDScanTarget(host: "app.internal"),
            ])
        XCTAssertEqual(try EPMDScan.parseHosts("a,a,a:4369"), [EPMDScanTarget(host: "a"), .init(host: "a", port: 4369)])
        XCTAssertEqual(EPMDScanTarget(host: "fd00::5", port: 4370).description, "[fd00::5]:4370")
        XCTAssertEqual(EPMDScanTarget(host: "h", port: 4370).description, "h:4370")
        XCTAssertEqual(EPMDScanTarget(host: "::1").description, "::1")
    }

    func testRejectsMalformedHosts() {
        for bad in ["", "a,,b", "a,", "h:", "h:0", "h:65536", "h:x", ":4369", "[::1", "[]", "[::1]4369", "[::1]:x",
                    "a@h", "h/24"] {
            XCTAssertThrowsError(try EPMDScan.parseHosts(bad), bad) {
                XCTAssertEqual(($0 as? EPMDScanError)?.code, .invalidHost, bad)
            }
        }
    }

    func testAddressLiterals() {
        XCTAssertTrue(EPMDScanTarget(host: "10.0.1.5").isAddressLiteral)
        XCTAssertTrue(EPMDScanTarget(host: "fd00::5").isAddressLiteral)
        XCTAssertFalse(EPMDScanTarget(host: "localhost").isAddressLiteral)
        XCTAssertFalse(EPMDScanTarget(host: "10.0.1").isAddressLiteral)
    }

    func testNodeNamesFollowLibclusterConventions() {
        func host(_ h: String, _ style: EPMDNodeNameStyle? = nil) -> String {
            EPMDScan.nodeHost(for: EPMDScanTarget(host: h), localHost: "laptop", style: style)
        }
        // LocalEpmd: names on this machine take our own host part (the short host name for -sname nodes).
        XCTAssertEqual(host("localhost"), "laptop")
        XCTAssertEqual(host("LOCALHOST", .long), "laptop")
        // Long names on addresses and fully qualified names, as given.
        XCTAssertEqual(host("10.0.1.5"), "10.0.1.5")
        XCTAssertEqual(host("10.0.1.5", .short), "10.0.1.5")
        XCTAssertEqual(host("fd00::5"), "fd00::5")
        XCTAssertEqual(host("app-1.internal"), "app-1.internal")
        // Short names: a short host as given; a qualified one cut to its first label when asked.
        XCTAssertEqual(host("app-1"), "app-1")
        XCTAssertEqual(host("app-1.internal", .short), "app-1")

        let entries = EPMDScan.entries(
            [("myapp", 45001), ("iex_1", 45002)], on: EPMDScanTarget(host: "10.0.1.5", port: 4369), localHost: "laptop")
        XCTAssertEqual(entries, [
            .init(name: "myapp", port: 45001, node: "myapp@10.0.1.5"),
            .init(name: "iex_1", port: 45002, node: "iex_1@10.0.1.5"),
        ])
        XCTAssertEqual(
            EPMDScan.entries([("a", 1)], on: EPMDScanTarget(host: "localhost"), localHost: "laptop").map(\.node),
            ["a@laptop"])
    }

    // MARK: - Against real EPMD

    func testFindsRealNodesAndNamesRefusedHosts() async throws {
        let a = try TestNode(kind: .erl, cookie: "scan\(UInt32.random(in: 0...UInt32.max))")
        defer { a.stop() }
        let b = try TestNode(kind: .erl, cookie: a.cookie)
        defer { b.stop() }
        let closed = try await TestHTTPServer.closedPort()

        let targets = try EPMDScan.parseHosts("localhost,127.0.0.1:\(closed)")
        let results = await EPMDScanner(timeout: .seconds(5)).scan(targets)
        XCTAssertEqual(results.map(\.target), targets)

        let local = try results[0].result.get()
        for n in [a, b] {
            let entry = try XCTUnwrap(local.first { $0.name == n.alive }, "\(local)")
            XCTAssertEqual(entry.node, n.name)  // alive@<short host name>, as -sname registers
            XCTAssertEqual(entry.port, n.epmdPort)
        }
        XCTAssertTrue(results[0].nodes.contains(a.name))

        guard case .failure(let refused) = results[1].result else { return XCTFail("\(results[1])") }
        XCTAssertEqual(refused.code, .epmdRefused)
        XCTAssertEqual(refused.host, "127.0.0.1:\(closed)")
        XCTAssertEqual(results[1].nodes, [])
    }

    func testSilentHostTimesOutAndGarbageIsAProtocolError() async throws {
        let silent = try await TestTCPServer(reply: nil)
        let garbage = try await TestTCPServer(reply: [0x01])
        defer { Task { await silent.stop(); await garbage.stop() } }
        let start = ContinuousClock.now
        let results = await EPMDScanner(timeout: .milliseconds(500)).scan([
            EPMDScanTarget(host: "127.0.0.1", port: silent.port), EPMDScanTarget(host: "127.0.0.1", port: garbage.port),
        ])
        XCTAssertLessThan(ContinuousClock.now - start, .seconds(3))  // concurrently, each bounded
        guard case .failure(let t) = results[0].result else { return XCTFail("\(results[0])") }
        XCTAssertEqual(t.code, .epmdTimeout, t.message)
        guard case .failure(let p) = results[1].result else { return XCTFail("\(results[1])") }
        XCTAssertEqual(p.code, .epmdProtocol, p.message)
    }

    func testUnresolvableHost() async {
        let r = await EPMDScanner(timeout: .seconds(2)).scan(EPMDScanTarget(host: "no-such-host.invalid"))
        guard case .failure(let e) = r.result else { return XCTFail("\(r)") }
        XCTAssertEqual(e.code, .hostNotFound, e.message)
    }
}
