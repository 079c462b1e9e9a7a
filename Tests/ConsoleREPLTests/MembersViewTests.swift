import ConsoleREPL
import ErlangDistribution
import ErlangTerm
import ErlangTestSupport
import Foundation
import TermSyntax
import XCTest

/// `members` against real `erl` nodes started here (stopped by PID in teardown).
final class MembersViewTests: XCTestCase {
    private var nodes: [TestNode] = []
    private var console: LocalNode?

    override func tearDown() {
        console?.shutdown()
        for n in nodes { n.stop() }
        nodes = []
    }

    /// Starts nodes concurrently (each start takes a second or two).
    private func startAll(_ specs: [(String, [String])]) throws -> [TestNode] {
        let started = startConcurrently(specs.map { spec in { try TestNode(kind: .erl, cookie: spec.0, extraArgs: spec.1) } })
        for case .success(let n) in started { nodes.append(n) }
        return try started.map { try $0.get() }
    }

    func testFullMeshHasNoFindingsAndAHiddenPeerIsShownApart() async throws {
        let cookie = randomCookie()
        let started = try startAll([(cookie, []), (cookie, []), (cookie, []), (cookie, ["-hidden"])])
        let (a, b, c, h) = (started[0], started[1], started[2], started[3])
        let console = makeConsoleNode(cookie: cookie)
        self.console = console
        try await link(console, a, b)
        try await link(console, a, c)
        try await link(console, h, a)
        let meshed = try await eventually(10) {
            let v = try await remote(console, c.name, "erlang", "nodes")
            return v.listElements?.count == 2
        }
        XCTAssertTrue(meshed, "global did not connect b and c")

        let report = await MembersCommand.collect(

            node: console, start: [a.name, h.name], timeout: .seconds(20), profile: { _ in .elixir114otp25 })
        XCTAssertEqual(report.nodes, [a.name, b.name, c.name, h.name].sorted())
        XCTAssertEqual(report.failures, [:])
        XCTAssertEqual(report.findings, [], "\(report.findings)")
        XCTAssertEqual(report.lists[b.name], [a.name, c.name].sorted())
        XCTAssertEqual(report.hidden[a.name], [h.name], "our own connection is left out of the hidden peers")
        XCTAssertEqual(report.hiddenNodes, [h.name])
        XCTAssertEqual(report.lists[h.name], [])
        XCTAssertEqual(report.cell(row: a.name, column: b.name), .lists)
        XCTAssertEqual(report.cell(row: h.name, column: a.name), .doesNotList)

        let text = MembersView.render(report, width: 200)
        XCTAssertTrue(text.contains("no findings"), text)
        XCTAssertTrue(text.contains("\(h.name) (hidden)"), text)

        let obj = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(MembersView.json(report).utf8)) as? [String: Any])
        XCTAssertEqual(Set(obj.keys), ["local", "start", "nodes", "lists", "hidden", "hidden_nodes", "errors", "findings"])
        XCTAssertEqual(obj["local"] as? String, console.name)
        XCTAssertEqual((obj["findings"] as? [Any])?.count, 0)
        XCTAssertEqual((obj["errors"] as? [String: Any])?.count, 0)
        XCTAssertEqual((obj["lists"] as? [String: [String]])?[a.name], [b.name, c.name].sorted())
    }

    func testPartialMeshAndAnUnreachableNodeWithADifferentCookie() async throws {
        let cookie = randomCookie(), other = randomCookie()
        let started = try startAll([
            (cookie, []), (cookie, []), (cookie, []),
            // d joins a only: without connect_all, global does not mesh it with b and c.
            (cookie, ["-connect_all", "false"]),
            // e has another cookie: a can reach it (set_cookie), we cannot.
            (other, ["-connect_all", "false"]),
        ])
        let (a, b, c, d, e) = (started[0], started[1], started[2], started[3], started[4])
        let console = makeConsoleNode(cookie: cookie)
        self.console = console
        try await link(console, a, b)
        try await link(console, a, c)
        _ = try await eventually(10) { try await remote(console, c.name, "erlang", "nodes").listElements?.count == 2 }
        try await link(console, d, a)
        try await remote(console, a.name, "erlang", "set_cookie", [.atom(Atom(e.name)), .atom(Atom(other))])
        try await link(console, a, e)

        let report = await MembersCommand.collect(

            node: console, start: [b.name], timeout: .seconds(20), profile: { _ in .elixir114otp25 })
        XCTAssertEqual(report.nodes, [a.name, b.name, c.name, d.name, e.name].sorted())
        XCTAssertEqual(Set(report.lists.keys), [a.name, b.name, c.name, d.name])
        XCTAssertEqual(report.lists[d.name], [a.name])
        let failure = try XCTUnwrap(report.failures[e.name])
        XCTAssertEqual(failure.stage, "handshake")
        XCTAssertEqual(failure.code, DistributionError.Code.cookieMismatch.rawValue)
        XCTAssertEqual(report.cell(row: e.name, column: a.name), .unknown)

        let missing = [[b.name, d.name].sorted(), [c.name, d.name].sorted()].sorted { $0.lexicographicallyPrecedes($1) }
        XCTAssertEqual(report.findings, [
            .partialMesh(missingPairs: missing),
            .unreachable(
                node: e.name, listedBy: [a.name], notListedBy: [b.name, c.name, d.name].sorted(), failure: failure),
        ])

        let text = MembersView.render(report, width: 200)
        XCTAssertTrue(text.contains("partial mesh: 2 pairs"), text)
        XCTAssertTrue(text.contains("cookie_mismatch"), text)

        let obj = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(MembersView.json(report).utf8)) as? [String: Any])
        let errors = try XCTUnwrap(obj["errors"] as? [String: [String: String]])
        XCTAssertEqual(errors[e.name]?["stage"], "handshake")
        XCTAssertEqual(errors[e.name]?["code"], "cookie_mismatch")
        XCTAssertNotNil(errors[e.name]?["message"])
        let findings = try XCTUnwrap(obj["findings"] as? [[String: Any]])
        XCTAssertEqual(findings.map { $0["kind"] as? String }, ["partial_mesh", "unreachable"])
        XCTAssertEqual(findings[0]["pairs"] as? [[String]], missing)
        XCTAssertEqual(findings[0]["nodes"] as? [String], [b.name, c.name, d.name].sorted())
        XCTAssertEqual(findings[1]["listed_by"] as? [String], [a.name])
        for f in findings { XCTAssertNotNil(f["message"] as? String) }
    }

    func testUnreachableStartNodeAndDeadline() async throws {
        let console = makeConsoleNode(cookie: randomCookie())
        self.console = console
        let ghost = "nosuchnode\(UInt32.random(in: 0...UInt32.max))@\(TestNode.shortHost)"
        let report = await MembersCommand.collect(
            node: console, start: [ghost], timeout: .seconds(10), profile: { _ in .elixir114otp25 })
        XCTAssertEqual(report.failures[ghost]?.code, "name_not_registered")
        XCTAssertEqual(report.failures[ghost]?.stage, "epmd")
        XCTAssertEqual(report.findings.map(\.kind), ["unreachable"])
    }
}
