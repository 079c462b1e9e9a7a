import ClusterDiscovery
import ClusterMembership
import ConsoleREPL
import ErlangDistribution
import ErlangTerm
import ErlangTestSupport
import Foundation
import XCTest

#if canImport(Glibc)
    import Glibc
#endif

/// `doctor` against real nodes started here (stopped by PID in teardown), and a fake EPMD registration.
final class DoctorViewTests: XCTestCase {
    private var nodes: [TestNode] = []
    private var consoles: [LocalNode] = []

    override func tearDown() {
        for c in consoles { c.shutdown() }
        consoles = []
        for n in nodes { n.stop() }
        nodes = []
    }

    private func session(cookie: String, epmdPort: Int? = nil) -> ConsoleSession {
        let node = LocalNode(configuration: .init(
            name: .short("bc\(UInt32.random(in: 0...UInt32.max))@\(TestNode.shortHost)"), cookie: cookie,
            epmdPort: epmdPort, connectTimeout: .seconds(3), handshakeStepTimeout: .seconds(3)))
        consoles.append(node)
        return ConsoleSession(node: node, target: nil, settings: ConsoleSettings())
    }

    /// Runs `doctor` and returns its status, text and JSON targets by node.
    private func doctor(_ s: ConsoleSession, _ targets: [String], cookie: String, file: StaticString = #filePath,
                        line: UInt = #line) async throws -> (Int32, String, [String: [String: Any]]) {
        let out = await s.run(.doctor(targets))
        for text in [out.text, out.errorText, out.json] {
            XCTAssertFalse(text.contains(cookie), "the cookie leaked", file: file, line: line)
        }
        let obj = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(out.json.utf8)) as? [String: Any], out.json,
                                file: file, line: line)
        XCTAssertEqual(obj["cookie_hash"] as? String, CookieFingerprint.of(cookie), file: file, line: line)
        var byNode: [String: [String: Any]] = [:]
        for t in obj["targets"] as? [[String: Any]] ?? [] { byNode[t["node"] as! String] = t }
        return (out.status, out.text, byNode)
    }

    private func statuses(_ t: [String: Any]?) -> [String: String] {
        var out: [String: String] = [:]
        for s in t?["stages"] as? [[String: Any]] ?? [] { out[s["name"] as! String] = s["status"] as? String }
        return out
    }

    private func stage(_ t: [String: Any]?, _ name: String) -> [String: Any]? {
        (t?["stages"] as? [[String: Any]])?.first { $0["name"] as? String == name }
    }

    func testHealthyWrongCookieWrongNameAndAClosedRegisteredPort() async throws {
        let cookie = randomCookie(), other = randomCookie()
        let started = startConcurrently([
            { try TestNode(kind: .erl, cookie: cookie) }, { try TestNode(kind: .erl, cookie: other) },
        ])
        for case .success(let n) in started { nodes.append(n) }
        let good = try started[0].get(), bad = try started[1].get()

        // A name registered with EPMD whose port nothing listens on.
        let fakeAlive = "doctorfake\(UInt32.random(in: 0...UInt32.max))"
        let registration = try EPMDRegistration(alive: fakeAlive, port: try freeTCPPort())
        defer { registration.close() }
        let fake = "\(fakeAlive)@\(TestNode.shortHost)"
        let missing = "nosuchnode\(UInt32.random(in: 0...UInt32.max))@\(TestNode.shortHost)"

        let s = session(cookie: cookie)
        let (status, text, t) = try await doctor(s, [good.name, bad.name, missing, fake], cookie: cookie)
        XCTAssertEqual(status, CommandOutput.Status.connectionFailure, text)

        // Healthy: every stage ok (TLS skipped), and the peer's own hash equals ours.
        XCTAssertEqual(statuses(t[good.name]), [
            "dns": "ok", "tcp_epmd": "ok", "epmd_name": "ok", "tcp_dist": "ok", "tls": "skipped", "handshake": "ok",
            "challenge": "ok", "cookie": "ok", "ticks": "ok",
        ], text)
        XCTAssertEqual(t[good.name]?["peer_cookie_hash"] as? String, CookieFingerprint.of(cookie))
        XCTAssertTrue((stage(t[good.name], "ticks")?["detail"] as? String)?.contains("net_ticktime 60 s") == true, text)

        // Another cookie: the handshake gets as far as our challenge reply.
        XCTAssertEqual(t[bad.name]?["failed_stage"] as? String, "cookie", text)
        XCTAssertEqual(statuses(t[bad.name])["challenge"], "ok")
        XCTAssertEqual(statuses(t[bad.name])["ticks"], "not_reached")
        XCTAssertTrue((stage(t[bad.name], "cookie")?["fix"] as? String)?.contains("RELEASE_COOKIE") == true)
        XCTAssertNil(t[bad.name]?["peer_cookie_hash"] as? String)

        // A name EPMD does not know: the names it does know are listed.
        XCTAssertEqual(t[missing]?["failed_stage"] as? String, "epmd_name", text)
        let fix = stage(t[missing], "epmd_name")?["fix"] as? String ?? ""
        XCTAssertTrue(fix.contains(good.alive) && fix.contains(bad.alive), fix)

        // Registered, but nothing listens on the port.
        XCTAssertEqual(t[fake]?["failed_stage"] as? String, "tcp_dist", text)
        XCTAssertTrue((stage(t[fake], "tcp_dist")?["detail"] as? String)?.contains("refused") == true, text)

        XCTAssertTrue(text.contains("✗ cookie"), text)
        XCTAssertTrue(text.contains("cause:") && text.contains("fix:"), text)
    }

    func testNoEPMDFailsAtTCP4369() async throws {
        let cookie = randomCookie()
        let port = try freeTCPPort()
        let s = session(cookie: cookie, epmdPort: port)
        let target = "myapp@127.0.0.1"
        let (status, text, t) = try await doctor(s, [target], cookie: cookie)
        XCTAssertEqual(status, CommandOutput.Status.connectionFailure)
        XCTAssertEqual(t[target]?["failed_stage"] as? String, "tcp_epmd", text)
        XCTAssertEqual(statuses(t[target])["dns"], "ok")
        XCTAssertEqual(statuses(t[target])["epmd_name"], "not_reached")
        XCTAssertTrue(text.contains("127.0.0.1:\(port)"), text)
    }

    func testNoTargetsIsBadInputAndAnUnresolvableHostFailsAtDNS() async throws {
        let cookie = randomCookie()
        let s = session(cookie: cookie)
        let none = await s.run(.doctor([]))
        XCTAssertEqual(none.status, CommandOutput.Status.badInput)
        let (status, text, t) = try await doctor(s, ["myapp@no-such-host.invalid"], cookie: cookie)
        XCTAssertEqual(status, CommandOutput.Status.connectionFailure)
        XCTAssertEqual(t["myapp@no-such-host.invalid"]?["failed_stage"] as? String, "dns", text)
    }

    /// DNSPoll targets: the record that named each node, a record whose EPMD cannot be reached, and a query that does
    /// not exist.
    func testDNSDiscoveredTargetsAndAMissingQuery() async throws {
        let cookie = randomCookie()
        let alive = "doctordns\(UInt32.random(in: 0...UInt32.max))"
        // A long-named node; TestNode waits until EPMD lists it (and fails, never skips, without erl).
        let peer = try TestNode(kind: .erl, alive: alive, cookie: cookie, longHost: "127.0.0.1", startDeadline: 20)
        defer { peer.stop() }
        let dns = try DNSServer(records: ["myapp.organization.local": ["127.0.0.1", "192.0.2.1"]], ttl: 7)
        defer { dns.stop() }

        func longSession(query: String) -> ConsoleSession {
            let node = LocalNode(configuration: .init(
                name: .long("bc\(UInt32.random(in: 0...UInt32.max))@127.0.0.1"), cookie: cookie,
                connectTimeout: .seconds(3), handshakeStepTimeout: .seconds(3)))
            consoles.append(node)
            let discovery = DiscoveryConfiguration(
                dnsPoll: DNSPollConfiguration(query: query, basename: alive),
                resolver: DNSResolver(servers: [dns.address]), followPeers: false)
            return ConsoleSession(node: node, target: nil, settings: ConsoleSettings(), discovery: discovery)
        }

        let s = longSession(query: "myapp.organization.local")
        let (status, text, t) = try await doctor(s, [], cookie: cookie)
        XCTAssertEqual(status, CommandOutput.Status.connectionFailure, text)
        let good = "\(alive)@127.0.0.1", wrong = "\(alive)@192.0.2.1"
        XCTAssertEqual(Set(t.keys), [good, wrong], text)
        XCTAssertEqual(t[good]?["ok"] as? Bool, true, text)
        XCTAssertEqual(t[good]?["query"] as? String, "myapp.organization.local")
        XCTAssertEqual(stage(t[good], "dns")?["detail"] as? String,
                       "A record of myapp.organization.local → 127.0.0.1, TTL 7 s (poll #1)", text)
        XCTAssertEqual(t[good]?["peer_cookie_hash"] as? String, CookieFingerprint.of(cookie))
        // A record whose EPMD cannot be reached (TEST-NET-1) is still diagnosed, from its record on.
        XCTAssertEqual(t[wrong]?["failed_stage"] as? String, "tcp_epmd", text)
        XCTAssertEqual(statuses(t[wrong])["dns"], "ok", text)

        let missing = longSession(query: "nosuch.organization.local")
        let (status2, text2, t2) = try await doctor(missing, [], cookie: cookie)
        XCTAssertEqual(status2, CommandOutput.Status.connectionFailure)
        XCTAssertEqual(t2["nosuch.organization.local"]?["failed_stage"] as? String, "dns", text2)
        XCTAssertTrue(text2.contains("Service Connect"), text2)
    }
}

/// A name registered with the local EPMD (ALIVE2_REQ) for as long as the socket stays open.
final class EPMDRegistration {
    private let fd: Int32

    init(alive: String, port: Int) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw TestSupportError("socket failed") }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        addr.sin_port = UInt16(EPMDClient.environmentPort ?? 4369).bigEndian
        let connected = withUnsafePointer(to: &addr) { p in
            p.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
            }
        }
        guard connected else {
            Glibc.close(fd)
            throw TestSupportError("cannot connect to EPMD")
        }
        // ALIVE2_REQ: 120, PortNo:16, NodeType 77 (normal), Protocol 0 (tcp/ip-v4), Highest:16, Lowest:16,
        // Nlen:16, Name, Elen:16.
        let name = Array(alive.utf8)
        var body: [UInt8] = [120, UInt8(port >> 8), UInt8(port & 0xFF), 77, 0, 0, 6, 0, 6]
        body += [UInt8(name.count >> 8), UInt8(name.count & 0xFF)] + name + [0, 0]
        let request = [UInt8(body.count >> 8), UInt8(body.count & 0xFF)] + body
        guard write(fd, request, request.count) == request.count else {
            Glibc.close(fd)
            throw TestSupportError("cannot write ALIVE2_REQ")
        }
        var reply = [UInt8](repeating: 0, count: 16)
        let n = read(fd, &reply, reply.count)
        // ALIVE2_RESP (121) or ALIVE2_X_RESP (118), then Result 0.
        guard n >= 2, reply[0] == 121 || reply[0] == 118, reply[1] == 0 else {
            Glibc.close(fd)
            throw TestSupportError("EPMD refused the registration")
        }
    }

    func close() { _ = Glibc.close(fd) }
}
