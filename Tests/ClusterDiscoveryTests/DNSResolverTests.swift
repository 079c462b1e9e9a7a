import ClusterDiscovery
import ErlangTestSupport
import XCTest

/// c-ares against a real dnsmasq on loopback.
final class DNSResolverTests: XCTestCase {
    func testAAndAAAARecordsWithTTL() async throws {
        let dns = try DNSServer(records: [
            "myapp.organization.local": ["10.0.1.5", "10.0.2.7", "fd00::5"]
        ], ttl: 10)
        defer { dns.stop() }
        let resolver = DNSResolver(servers: [dns.address], useSearchList: false)
        let a = try await resolver.lookup("myapp.organization.local", type: .a)
        XCTAssertEqual(Set(a.records.map(\.value)), ["10.0.1.5", "10.0.2.7"])
        XCTAssertTrue(a.records.allSatisfy { $0.ttl == 10 }, "\(a.records)")
        XCTAssertEqual(a.servers, [dns.address])
        let aaaa = try await resolver.lookup("myapp.organization.local", type: .aaaa)
        XCTAssertEqual(aaaa.records.map(\.value), ["fd00::5"])
    }

    func testRecordsChangeWhileRunning() async throws {
        let dns = try DNSServer(records: ["myapp.organization.local": ["10.0.1.5"]])
        defer { dns.stop() }
        let resolver = DNSResolver(servers: [dns.address], useSearchList: false)
        var a = try await resolver.lookup("myapp.organization.local", type: .a)
        XCTAssertEqual(a.records.map(\.value), ["10.0.1.5"])
        try dns.setRecords(["myapp.organization.local": ["10.0.1.5", "10.0.3.9"]])
        a = try await resolver.lookup("myapp.organization.local", type: .a)
        XCTAssertEqual(Set(a.records.map(\.value)), ["10.0.1.5", "10.0.3.9"])
    }

    /// 60 A records do not fit a 512-byte UDP answer: dnsmasq sets TC and c-ares asks again over TCP, so every record
    /// comes back (a 50-task service behind a plain Route 53 / dnsmasq name).
    func testTruncatedAnswersAreRetriedOverTCP() async throws {
        let addresses = (1...60).map { "10.0.9.\($0)" }
        let dns = try DNSServer(records: ["big.organization.local": addresses])
        defer { dns.stop() }
        let resolver = DNSResolver(servers: [dns.address], useSearchList: false)
        let a = try await resolver.lookup("big.organization.local", type: .a)
        XCTAssertEqual(Set(a.records.map(\.value)), Set(addresses))
    }

    func testSRVRecords() async throws {
        let dns = try DNSServer(srv: ["_epmd._tcp.myapp.organization.local": [("task1.organization.local", 4369)]])
        defer { dns.stop() }
        let resolver = DNSResolver(servers: [dns.address], useSearchList: false)
        let srv = try await resolver.lookup("_epmd._tcp.myapp.organization.local", type: .srv)
        XCTAssertEqual(srv.records.count, 1)
        XCTAssertEqual(srv.records.first?.value, "task1.organization.local")
        XCTAssertEqual(srv.records.first?.port, 4369)
    }

    func testTypedErrors() async throws {
        let dns = try DNSServer(records: ["myapp.organization.local": ["10.0.1.5"]])
        defer { dns.stop() }
        let resolver = DNSResolver(servers: [dns.address], timeout: .milliseconds(300), tries: 1, useSearchList: false)
        do {
            _ = try await resolver.lookup("nothere.organization.local", type: .a)
            XCTFail("expected NXDOMAIN")
        } catch {
            XCTAssertEqual(error.code, .nxdomain)
            XCTAssertTrue("\(error)".contains("NXDOMAIN"), "\(error)")
        }
        do {
            _ = try await resolver.lookup("myapp.organization.local", type: .aaaa)
            XCTFail("expected no data")
        } catch {
            XCTAssertEqual(error.code, .noData)
        }
        // Nothing listens on this port: UDP gets ICMP port unreachable (refused) or no answer (timeout).
        let silent = DNSResolver(
            servers: ["127.0.0.1:\(try freeUDPPort())"], timeout: .milliseconds(200), tries: 1, useSearchList: false)
        do {
            _ = try await silent.lookup("myapp.organization.local", type: .a)
            XCTFail("expected a failure")
        } catch {
            XCTAssertTrue([.connectionRefused, .timeout].contains(error.code), "\(error)")
        }
    }

    func testTTLParserIsBoundedOnGarbage() {
        // Truncated/garbage messages must not crash the TTL walker.
        for n in 0..<64 {
            var bytes = [UInt8](repeating: 0xC0, count: n)
            if n > 7 { bytes[6] = 0xFF; bytes[7] = 0xFF }
            XCTAssertNoThrow(bytes.withUnsafeBytes { _ = DNSResolver.debugAnswerTTLs($0) })
        }
    }
}
