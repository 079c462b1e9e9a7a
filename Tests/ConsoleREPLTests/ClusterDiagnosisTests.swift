@testable import ClusterDiscovery
import ErlangTerm
import XCTest

@testable import ConsoleREPL

/// `doctor`'s cluster findings from what the console gathered (pure logic; the netns end-to-end tests run the same
/// cases against real clusters).
final class ClusterDiagnosisTests: XCTestCase {
    let query = "myapp.organization.local"

    func node(_ i: Int) -> String { "myapp@10.0.0.\(i)" }

    func dns(_ answers: [[Int]]) -> ClusterDNSFacts {
        var state = DNSPollState(configuration: DNSPollConfiguration(query: query, basename: "myapp"))
        let reports = answers.map { ips in
            state.record([.success(DNSAnswer(
                name: query, type: .a, records: ips.map { DNSRecord(value: "10.0.0.\($0)", ttl: 10) },
                servers: ["10.0.0.2:53"], latency: .milliseconds(1)))])
        }
        return ClusterDNSFacts(query: query, basename: "myapp", reports: reports)
    }

    /// Every node in `nodes` lists every other except the pairs in `cut`.
    func members(_ nodes: [Int], cut: [(Int, Int)] = []) -> MembersReport {
        var lists: [String: [String]] = [:]
        for a in nodes {
            lists[node(a)] = nodes.filter { b in
                b != a && !cut.contains { ($0.0 == a && $0.1 == b) || ($0.0 == b && $0.1 == a) }
            }.map(node)
        }
        return MembersReport(local: "beamconsole_x@10.0.0.3", start: nodes.map(node), lists: lists)
    }

    func facts(_ nodes: [Int], _ change: (inout ClusterNodeFacts) -> Void = { _ in }) -> [String: ClusterNodeFacts] {
        var out: [String: ClusterNodeFacts] = [:]
        for i in nodes {
            var f = ClusterNodeFacts(
                node: node(i), otpRelease: "25", netTicktime: 60, preventOverlappingPartitions: true,
                release: "myapp 0.1.0",
                topologies: [LibclusterTopologyFacts(
                    name: "ecs", strategy: "Cluster.Strategy.DNSPoll", query: query, basename: "myapp",
                    pollingIntervalMs: 5000)])
            change(&f)
            out[node(i)] = f
        }
        return out
    }

    func kinds(_ findings: [ClusterFinding]) -> [String] { findings.map(\.kind.rawValue) }

    func testAHealthyClusterHasNoFinding() {
        let ids = [10, 11, 12, 13]
        let input = ClusterDiagnosis.Input(dns: dns([ids]), members: members(ids), facts: facts(ids))
        XCTAssertEqual(ClusterDiagnosis.findings(input), [])
    }

    func testTenTasksBehindAnAnswerCappedAtEightAreNamed() {
        let ids = Array(10...19)
        let answered = Array(10...17)
        // The two tasks outside the answer connected to the eight by their own polls, not to each other (as with
        // -connect_all false, or while pruning flaps).
        let input = ClusterDiagnosis.Input(
            dns: dns([answered]), members: members(ids, cut: [(18, 19)]), facts: facts(ids),
            probes: [EdgeProbe(from: node(18), to: node(19), outcome: .reachable(port: 9000)),
                     EdgeProbe(from: node(19), to: node(18), outcome: .reachable(port: 9000))])
        let findings = ClusterDiagnosis.findings(input)
        XCTAssertEqual(kinds(findings), ["dns_capped", "partial_mesh", "libcluster_prune_capped"])
        let capped = findings[0]
        XCTAssertEqual(capped.severity, .error)
        XCTAssertEqual(capped.nodes, [node(18), node(19)])
        XCTAssertTrue(capped.message.contains("10 nodes are in the cluster, 2 of them never in an answer"), capped.message)
        let edge = try! XCTUnwrap(findings[1].edges.first)
        XCTAssertEqual([edge.a, edge.b], [node(18), node(19)])
        XCTAssertEqual(edge.causes.first, .notInDNS([node(18), node(19)]))
        XCTAssertFalse(edge.causes.contains(.reachable), "not in DNS explains it: \(edge.causes)")
        XCTAssertEqual(findings[2].nodes, ids.map(node))
        // prune: false removes the prune finding, not the cap.
        var noPrune = input
        noPrune.facts = facts(ids) { $0.topologies[0].prune = false }
        XCTAssertEqual(kinds(ClusterDiagnosis.findings(noPrune)), ["dns_capped", "partial_mesh"])
    }

    func testACutBetweenTwoTasksIsClassifiedByTheirOwnProbes() {
        let ids = [10, 11, 12, 13]
        let input = ClusterDiagnosis.Input(
            dns: dns([ids]), members: members(ids, cut: [(11, 12)]), facts: facts(ids),
            probes: [
                EdgeProbe(from: node(11), to: node(12), outcome: .epmdUnreachable("timeout")),
                EdgeProbe(from: node(12), to: node(11), outcome: .distUnreachable(port: 9000, "econnrefused")),
            ])
        let findings = ClusterDiagnosis.findings(input)
        XCTAssertEqual(kinds(findings), ["partial_mesh"])
        XCTAssertEqual(findings[0].nodes, [node(11), node(12)])
        XCTAssertEqual(findings[0].edges[0].causes, [
            .unreachable(from: node(11), to: node(12), stage: "epmd", detail: "timeout"),
            .unreachable(from: node(12), to: node(11), stage: "dist_port", detail: "port 9000: econnrefused"),
        ])
    }

    func testTheNodeWithAnotherTicktimeIsNamed() {
        let ids = [10, 11, 12]
        let input = ClusterDiagnosis.Input(
            dns: dns([ids]), members: members(ids), facts: facts(ids) { if $0.node == "myapp@10.0.0.12" { $0.netTicktime = 20 } })
        let findings = ClusterDiagnosis.findings(input)
        XCTAssertEqual(kinds(findings), ["net_ticktime_differs"])
        XCTAssertEqual(findings[0].nodes, [node(12)])
        XCTAssertTrue(findings[0].message.contains("20 s: myapp@10.0.0.12"), findings[0].message)
    }

    func testConfigurationFootguns() {
        let ids = [10, 11]
        let input = ClusterDiagnosis.Input(
            dns: dns([ids]), members: members(ids),
            facts: facts(ids) { f in
                if f.node == "myapp@10.0.0.10" {
                    f.topologies[0].setsPollInterval = true
                    f.topologies[0].pollingIntervalMs = nil
                    f.topologies.append(LibclusterTopologyFacts(name: "mcast", strategy: "Cluster.Strategy.Gossip"))
                    f.preventOverlappingPartitions = false
                } else {
                    f.topologies[0].basename = "other"
                    f.topologies[0].queryIsBinary = false
                }
            },
            onECS: true)
        let findings = ClusterDiagnosis.findings(input)
        XCTAssertEqual(kinds(findings), [
            "libcluster_poll_interval", "libcluster_basename_mismatch", "libcluster_query_not_binary",
            "libcluster_gossip", "prevent_overlapping_partitions_differ",
        ])
        XCTAssertEqual(findings[0].nodes, [node(10)])
        XCTAssertTrue(findings[0].consequence!.contains("every 5000 ms"))
        XCTAssertEqual(findings[1].nodes, [node(11)])
        XCTAssertEqual(findings[3].severity, .error, "Gossip on ECS finds nobody")
    }

    func testVersionsSkewAndADeployInProgress() {
        let ids = [10, 11, 12]
        let input = ClusterDiagnosis.Input(
            dns: dns([ids]), members: members(ids, cut: [(10, 12)]),
            facts: facts(ids) { f in
                if f.node == "myapp@10.0.0.10" { f.otpRelease = "24" }
                if f.node == "myapp@10.0.0.12" { f.otpRelease = "28"; f.release = "myapp 0.2.0" }
            })
        let findings = ClusterDiagnosis.findings(input)
        XCTAssertEqual(kinds(findings), ["partial_mesh", "otp_skew", "release_mix"])
        let causes = findings[0].edges[0].causes
        XCTAssertTrue(causes.contains(.otpSkew([node(10): "24", node(12): "28"])), "\(causes)")
        XCTAssertTrue(causes.contains(.differentReleases([node(10): "myapp 0.1.0", node(12): "myapp 0.2.0"])), "\(causes)")
        XCTAssertEqual(findings[1].nodes, [node(10), node(12)])
    }

    func testLibclusterTopologiesAreReadWithTheKeysItReallyUses() {
        let term: Term = .list([
            .tuple([.atom("ecs"), .list([
                .tuple([.atom("strategy"), .atom("Elixir.Cluster.Strategy.DNSPoll")]),
                .tuple([.atom("config"), .list([
                    .tuple([.atom("poll_interval"), .integer(1000)]),
                    .tuple([.atom("query"), .charlist(query)]),
                    .tuple([.atom("node_basename"), .string("myapp")]),
                    .tuple([.atom("prune"), .atom("false")]),
                ])]),
            ])]),
        ])
        let t = LibclusterTopologyFacts.parse(term)
        XCTAssertEqual(t, [LibclusterTopologyFacts(
            name: "ecs", strategy: "Cluster.Strategy.DNSPoll", query: query, queryIsBinary: false, basename: "myapp",
            pollingIntervalMs: nil, setsPollInterval: true, prune: false)])
    }

    func testFactsAreReadFromTheNodesTuple() {
        let t: Term = .tuple([
            .charlist("25"), .integer(60), .atom("undefined"), .atom("undefined"), .charlist("myapp"), .charlist("0.1.0"),
        ])
        let f = DoctorCluster.facts("myapp@10.0.0.1", t)
        XCTAssertEqual(f.otpRelease, "25")
        XCTAssertEqual(f.netTicktime, 60)
        XCTAssertEqual(f.preventOverlappingPartitions, true, "OTP 25's default")
        XCTAssertEqual(f.release, "myapp 0.1.0")
        let old = DoctorCluster.facts("a@h", .tuple([.charlist("24"), .integer(60), .atom("undefined"), .atom("undefined"),
                                                    .atom("false"), .atom("false")]))
        XCTAssertEqual(old.preventOverlappingPartitions, false, "OTP 24's default")
        XCTAssertNil(old.release)
    }
}
