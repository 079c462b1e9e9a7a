import ErlangTestSupport
import Foundation
import XCTest

/// `dns`, `watch` and the discovery options of the one-shot commands, against dnsmasq and real long-named nodes.
final class DiscoveryCommandTests: XCTestCase {
    static let binary = TermCommandTests.binary.path

    struct Setup {
        var peer: TestNode
        var dns: DNSServer
        var cookie: String
        var environment: [String: String] {
            var env = ProcessInfo.processInfo.environment
            env["RELEASE_COOKIE"] = cookie
            env["RELEASE_NODE"] = nil
            return env
        }
        var discovery: [String] {
            ["--dns-query", "myapp.\(dns.domain)", "--basename", peer.alive, "--dns-server", dns.address]
        }
        func stop() {
            peer.stop()
            dns.stop()
        }
    }

    func setUpCluster(records: Bool = true) throws -> Setup {
        let cookie = "dcmd\(UInt64.random(in: 0...UInt64.max))"
        let peer = try TestNode(kind: .elixir, cookie: cookie, longHost: "127.0.0.1")
        let dns = try DNSServer(records: records ? ["myapp.organization.local": ["127.0.0.1"]] : [:])
        return Setup(peer: peer, dns: dns, cookie: cookie)
    }

    /// Runs the binary to completion; stdout and stderr together.
    func run(_ s: Setup, _ args: [String], timeout: TimeInterval = 30) throws -> (status: Int32, out: String) {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("dcmd-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: file) }
        let p = try ChildProcess(executable: Self.binary, arguments: args, environment: s.environment, outputPath: file.path)
        guard let status = p.wait(timeout: timeout) else {
            p.stop()
            throw TestSupportError("beamconsole \(args) did not finish")
        }
        return ((status >> 8) & 0xff, (try? String(contentsOf: file, encoding: .utf8)) ?? "")  // raw wait status → exit code
    }

    func testDNSViewShowsRecordsEPMDAndConnection() throws {
        let s = try setUpCluster()
        defer { s.stop() }
        let text = try run(s, ["dns"] + s.discovery)
        XCTAssertEqual(text.status, 0, text.out)
        XCTAssertTrue(text.out.contains("DNS poll #1 of myapp.organization.local (A) via \(s.dns.address)"), text.out)
        let row = try XCTUnwrap(text.out.split(separator: "\n").first { $0.hasPrefix("127.0.0.1") }, text.out)
        XCTAssertTrue(row.contains(s.peer.name) && row.contains("\(s.peer.alive) port \(s.peer.epmdPort!)") && row.hasSuffix("up"), String(row))
        XCTAssertFalse(text.out.contains(s.cookie))

        let json = try run(s, ["dns", "--json"] + s.discovery)
        let doc = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(json.out.utf8)) as? [String: Any], json.out)
        XCTAssertEqual(doc["basename"] as? String, s.peer.alive)
        let poll = try XCTUnwrap((doc["polls"] as? [[String: Any]])?.last)
        let record = try XCTUnwrap((poll["records"] as? [[String: Any]])?.first)
        XCTAssertEqual(record["address"] as? String, "127.0.0.1")
        XCTAssertEqual(record["ttl"] as? Int, 10)
        XCTAssertEqual(record["connection"] as? String, "up")
        XCTAssertEqual(poll["added"] as? [String], [s.peer.name])
    }

    func testDNSViewWarnsAndFailsWhenTheBasenameIsNotRegistered() throws {
        let s = try setUpCluster()
        defer { s.stop() }
        let r = try run(s, ["dns", "--dns-query", "myapp.organization.local", "--basename", "wrongapp", "--dns-server", s.dns.address])
        XCTAssertEqual(r.status, 1, r.out)
        XCTAssertTrue(r.out.contains("\"wrongapp\" is not registered in EPMD (registered: "), r.out)
        XCTAssertTrue(r.out.contains(s.peer.alive), r.out)
    }

    func testDNSNeedsAQueryAndABasename() throws {
        let s = try setUpCluster()
        defer { s.stop() }
        let noQuery = try run(s, ["dns"])
        XCTAssertEqual(noQuery.status, 65, noQuery.out)
        XCTAssertTrue(noQuery.out.contains("--dns-query"), noQuery.out)
        let noBasename = try run(s, ["dns", "--dns-query", "myapp.organization.local"])
        XCTAssertNotEqual(noBasename.status, 0)
        XCTAssertTrue(noBasename.out.contains("--basename"), noBasename.out)
    }

    func testMembersAndMulticallUseDNSDiscovery() throws {
        let s = try setUpCluster()
        defer { s.stop() }
        let members = try run(s, ["members", "--json"] + s.discovery)
        let doc = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(members.out.utf8)) as? [String: Any], members.out)
        XCTAssertEqual(doc["nodes"] as? [String], [s.peer.name], members.out)
        let multi = try run(s, ["multicall", ":erlang.node()"] + s.discovery)
        XCTAssertEqual(multi.status, 0, multi.out)
        XCTAssertTrue(multi.out.contains(":\"\(s.peer.name)\""), multi.out)
    }

    /// `--epmd-hosts localhost` finds every name the local EPMD lists (libcluster's LocalEpmd), as alive@shorthost.
    func testEPMDHostsDiscoversLocalNodes() throws {
        let cookie = "dcmd\(UInt64.random(in: 0...UInt64.max))"
        let peer = try TestNode(kind: .erl, cookie: cookie)
        defer { peer.stop() }
        var env = ProcessInfo.processInfo.environment
        env["RELEASE_COOKIE"] = cookie
        env["RELEASE_NODE"] = nil
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("epmdhosts-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: file) }
        let p = try ChildProcess(
            executable: Self.binary, arguments: ["multicall", ":erlang.node()", "--json", "--epmd-hosts", "localhost"],
            environment: env, outputPath: file.path)
        XCTAssertNotNil(p.wait(timeout: 30))
        let out = (try? String(contentsOf: file, encoding: .utf8)) ?? ""
        let doc = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(out.utf8)) as? [String: Any], out)
        let results = try XCTUnwrap(doc["results"] as? [[String: Any]], out)
        let ours = try XCTUnwrap(results.first { $0["node"] as? String == peer.name }, out)
        XCTAssertEqual(ours["status"] as? String, "ok", out)
    }

    /// `watch --json` streams NDJSON: a snapshot, then events; a record added while it runs shows up within two poll
    /// intervals as dns_changed, discovered and nodeup.
    func testWatchStreamsNDJSONAndSeesANewRecord() throws {
        let s = try setUpCluster(records: false)
        defer { s.stop() }
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("watch-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: file) }
        let p = try ChildProcess(
            executable: Self.binary, arguments: ["watch", "--json", "--duration", "6", "--poll-interval", "0.5"] + s.discovery,
            environment: s.environment, outputPath: file.path)
        defer { p.stop() }
        Thread.sleep(forTimeInterval: 1.5)
        let added = Date()
        try s.dns.setRecords(["myapp.organization.local": ["127.0.0.1"]])
        XCTAssertEqual(p.wait(timeout: 20), 0)
        let lines = ((try? String(contentsOf: file, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
        let objects = lines.compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        XCTAssertEqual(objects.count, lines.count, "every line is a JSON object: \(lines)")
        XCTAssertEqual(objects.first?["event"] as? String, "snapshot")
        func first(_ event: String) -> [String: Any]? { objects.first { $0["event"] as? String == event && ($0["node"] as? String == s.peer.name || $0["added"] != nil) } }
        let changed = try XCTUnwrap(objects.first { $0["event"] as? String == "dns_changed" && ($0["added"] as? [String]) == [s.peer.name] }, "\(lines)")
        XCTAssertNotNil(first("discovered"), "\(lines)")
        let up = try XCTUnwrap(first("nodeup"), "\(lines)")
        let iso = Date.ISO8601FormatStyle(includingFractionalSeconds: true)
        let upTime = try iso.parse(try XCTUnwrap(up["time"] as? String))
        let changedTime = try iso.parse(try XCTUnwrap(changed["time"] as? String))
        XCTAssertLessThanOrEqual(changedTime.timeIntervalSince(added), 1.0 + 0.2, "within two poll intervals")
        XCTAssertLessThanOrEqual(upTime.timeIntervalSince(added), 1.0 + 0.5)
    }

    /// The full-screen view on a terminal: a row per node, the event pane, `q` back to the prompt.
    func testWatchFullScreenAndQReturnsToThePrompt() throws {
        let s = try setUpCluster()
        defer { s.stop() }
        let t = try TmuxTerminal(
            command: ([Self.binary] + s.discovery + ["--poll-interval", "0.5"]).joined(separator: " "),
            environment: ["RELEASE_COOKIE": s.cookie, "XDG_STATE_HOME": NSTemporaryDirectory(), "TERM": "xterm-256color"],
            columns: 150, rows: 30)
        defer { t.stop() }
        try t.waitFor { $0.contains("> ") }
        try t.type("watch")
        try t.press("Enter")
        let screen = try t.waitFor { $0.contains("beamconsole watch") && $0.contains("nodeup \(s.peer.name)") }
        let row = try XCTUnwrap(screen.split(separator: "\n").first { $0.hasPrefix(s.peer.name) }, screen)
        XCTAssertTrue(row.contains("dns") && row.contains(" up ") && row.contains("\(s.peer.epmdPort!)"), String(row))
        XCTAssertTrue(screen.contains("1 of 1 up"), screen)
        try t.type("q")
        let back = try t.waitFor { !$0.contains("beamconsole watch") && $0.contains("> ") }
        XCTAssertFalse(back.contains("events"), back)
    }
}
