@testable import ConsoleREPL
import ErlangTerm
import XCTest

/// The comparisons and views of `versions` and `ets`, without nodes.
final class VersionsEtsAnalysisTests: XCTestCase {
    func node(_ n: String, otp: String = "26", elixir: String? = "1.16.0", apps: [(String, String)] = [],
              digests: [String: String] = [:]) -> NodeVersions {
        NodeVersions(node: n, otp: otp, erts: "14.2", elixir: elixir,
                     applications: apps.map { .init(name: $0.0, vsn: $0.1) }, digests: digests)
    }

    func testGroupsLargestFirstThenByValueWithAbsentLast() {
        let g = VersionsAnalysis.groups([("c", "2"), ("a", "1"), ("b", "2"), ("d", nil), ("e", "0")])
        XCTAssertEqual(g, [
            ValueGroup(value: "2", nodes: ["b", "c"]), ValueGroup(value: "0", nodes: ["e"]),
            ValueGroup(value: "1", nodes: ["a"]), ValueGroup(value: nil, nodes: ["d"]),
        ])
    }

    func testDifferencesNameTheItemAndTheNodes() {
        let nodes = [
            node("a@h", apps: [("demo", "1.0.0"), ("kernel", "9.2")]),
            node("b@h", apps: [("demo", "1.0.0"), ("kernel", "9.2")]),
            node("c@h", otp: "27", elixir: nil, apps: [("demo", "2.0.0"), ("kernel", "9.2"), ("extra", "0.1")]),
        ]
        let d = VersionsAnalysis.differences(nodes)
        XCTAssertEqual(d.map { $0.item + ($0.name.map { " " + $0 } ?? "") },
                       ["otp", "elixir", "application demo", "application extra"])
        XCTAssertEqual(d[2].groups, [ValueGroup(value: "1.0.0", nodes: ["a@h", "b@h"]),
                                     ValueGroup(value: "2.0.0", nodes: ["c@h"])])
        XCTAssertEqual(d[3].groups, [ValueGroup(value: nil, nodes: ["a@h", "b@h"]), ValueGroup(value: "0.1", nodes: ["c@h"])])
        XCTAssertEqual(VersionsAnalysis.differences([nodes[0]]), [], "one node: nothing to compare")
    }

    func testOnlyApplicationsWhoseDigestDiffersGoToTheSecondRoundWithTheNodesRunningThem() {
        let nodes = [
            node("a@h", digests: ["kernel": "k", "demo": "d1"]),
            node("b@h", digests: ["kernel": "k", "demo": "d2", "only_b": "x"]),
            node("c@h", digests: ["kernel": "k"]),
        ]
        let r = VersionsAnalysis.differingDigests(nodes)
        XCTAssertEqual(r.map(\.application), ["demo"])
        XCTAssertEqual(r.first?.nodes, ["a@h", "b@h"])
    }

    func testModulesComparedWhereLoaded() {
        let m = VersionsAnalysis.modules(application: "demo", [
            "a@h": ["demo_mod": "11", "demo_sup": "22", "lazy": "33"],
            "b@h": ["demo_mod": "99", "demo_sup": "22"],
        ])
        XCTAssertEqual(m.differing.map(\.module), ["demo_mod"])
        XCTAssertEqual(m.differing.first?.groups.count, 2)
        XCTAssertEqual(m.loadedOnSome, ["lazy"], "loaded on one node only: listed, not called a difference")
    }

    func testEnvComparisonCarriesValuesOnlyForShownKeys() {
        let a = NodeEnv(node: "a@h", loaded: true, keys: [
            "pool": .init(hash: "1-1"), "secret": .init(hash: "2-2"), "only_a": .init(hash: "3-3"),
            "shown": .init(hash: "4-4", value: "10"),
        ])
        let b = NodeEnv(node: "b@h", loaded: true, keys: [
            "pool": .init(hash: "1-1"), "secret": .init(hash: "2-9"), "shown": .init(hash: "4-5", value: "20"),
        ])
        let c = NodeEnv(node: "c@h", loaded: false)
        let keys = EnvAnalysis.compare([a, b, c], show: ["shown"])
        XCTAssertEqual(keys.map(\.key), ["only_a", "pool", "secret", "shown"])
        XCTAssertEqual(keys.map(\.same), [false, true, false, false])
        XCTAssertEqual(keys[0].groups.map(\.present), [true, false])
        XCTAssertTrue(keys.filter { !$0.shown }.allSatisfy { $0.groups.allSatisfy { $0.value == nil } })
        XCTAssertEqual(keys[3].groups.compactMap(\.value).sorted(), ["10", "20"])

        let report = EnvReport(application: "demo", show: ["shown", "nope"], nodes: [a, b, c], keys: keys, failures: [:])
        let text = VersionsView.render(report, width: 200)
        XCTAssertTrue(text.contains("not loaded on: c@h"), text)
        XCTAssertTrue(text.contains("pool    same on all\n"), text)
        XCTAssertTrue(text.contains("secret  differs (2 groups): a@h | b@h"), text)
        XCTAssertTrue(text.contains("only_a  differs (2 groups): a@h | not set on b@h"), text)
        XCTAssertTrue(text.contains("shown   differs (2 groups): 10 on a@h | 20 on b@h"), text)
        XCTAssertTrue(text.contains("--show: no key nope"), text)
        XCTAssertFalse(text.contains("2-2") || text.contains("1-1"), "hashes are not shown")
        let json = VersionsView.json(report).encoded
        XCTAssertFalse(json.contains("2-2"), json)
        XCTAssertTrue(json.contains(#"{"key":"shown","same":false,"shown":true,"groups":[{"nodes":["a@h"],"present":true,"value":"10"}"#), json)
    }

    func testParseIsLenientAndBounded() {
        let term = Term.map(TermMap([
            (.atom("otp"), .binary(Array("27".utf8))), (.atom("erts"), .binary(Array("15.0".utf8))),
            (.atom("elixir"), .atom("nil")), (.atom("release_name"), .binary(Array("shop".utf8))),
            (.atom("release_vsn"), .atom("nil")),
            (.atom("apps"), .list([.tuple([.atom("kernel"), .binary(Array("10.0".utf8))]), .atom("junk")])),
            (.atom("digests"), .list([.tuple([.atom("kernel"), .binary([0xab, 0x01])])])),
            (.atom("modified"), .list([.atom("m1")])), (.atom("modified_count"), .integer(7)),
            (.atom("app_count"), .integer(1)),
        ]))
        let v = NodeVersions.parse(node: "a@h", term)
        XCTAssertEqual(v?.otp, "27")
        XCTAssertNil(v?.elixir)
        XCTAssertEqual(v?.release, "shop")
        XCTAssertEqual(v?.applications, [.init(name: "kernel", vsn: "10.0")])
        XCTAssertEqual(v?.digests, ["kernel": "ab01"])
        XCTAssertEqual(v?.modifiedCount, 7)
        XCTAssertNil(NodeVersions.parse(node: "a@h", .atom("ok")))
        let long = InspectionText.string(.binary(Array(repeating: 0x61, count: 10_000)))
        XCTAssertEqual(long?.count, 257, "256 characters and …")
    }

    func testEtsMergeKeepsTheClusterTopK() {
        let tables = [
            EtsTable(node: "a@h", name: "small", size: 10, memory: 1000),
            EtsTable(node: "b@h", name: "big", size: 5, memory: 9000),
            EtsTable(node: "a@h", name: "mid", size: 50, memory: 5000),
            EtsTable(node: "c@h", name: "mid", size: 50, memory: 5000),
        ]
        XCTAssertEqual(EtsAnalysis.merge(tables, sort: "memory", limit: 3).map { "\($0.node) \($0.name)" },
                       ["b@h big", "a@h mid", "c@h mid"])
        XCTAssertEqual(EtsAnalysis.merge(tables, sort: "size", limit: 1).map(\.name), ["mid"])
        let report = EtsReport(sort: "memory", limit: 2, tables: EtsAnalysis.merge(tables, sort: "memory", limit: 2),
                               counts: ["a@h": 30, "b@h": 20], failures: ["c@h": .init(code: "timeout", detail: "no answer in time")])
        let text = EtsView.render(report, width: 120)
        XCTAssertTrue(text.hasPrefix("ets: the 2 biggest by memory of 50 tables on 2 nodes (1 failed)\n"), text)
        XCTAssertTrue(text.contains("failed\n  c@h  timeout: no answer in time"), text)
        XCTAssertTrue(EtsView.json(report).encoded.contains(#""memory_bytes":9000"#))
    }
}
