import ConsoleREPL
import Foundation
import XCTest

/// The pure part of `members`: matrix cells and findings, no BEAM.
final class MembersAnalysisTests: XCTestCase {
    let cookieFailure = MembersProbeFailure(stage: "handshake", code: "cookie_mismatch", message: "cookies differ")

    func testFullMeshHasNoFindings() {
        let lists = ["a": ["b", "c"], "b": ["a", "c"], "c": ["a", "b"]]
        XCTAssertEqual(MembersAnalysis.findings(lists: lists, failures: [:]), [])
    }

    func testSingleNodeListsNobody() {
        XCTAssertEqual(MembersAnalysis.findings(lists: ["a": []], failures: [:]), [.listsNobody(node: "a")])
    }

    func testPartialMeshCollectsEveryMissingPair() {
        let lists = ["a": ["b", "c", "d"], "b": ["a", "c"], "c": ["a", "b"], "d": ["a"]]
        let f = MembersAnalysis.findings(lists: lists, failures: [:])
        XCTAssertEqual(f, [.partialMesh(missingPairs: [["b", "d"], ["c", "d"]])])
        XCTAssertEqual(f[0].kind, "partial_mesh")
        XCTAssertEqual(f[0].nodes, ["b", "c", "d"])
        XCTAssertEqual(f[0].description, "partial mesh: 2 pairs of nodes are not connected to each other: b – d, c – d")
    }

    func testAsymmetricLinkIsNotAlsoAPartialMesh() {
        let lists = ["a": ["b"], "b": []]
        let f = MembersAnalysis.findings(lists: lists, failures: [:])
        XCTAssertEqual(f, [.asymmetric(node: "a", peer: "b"), .listsNobody(node: "b")])
        XCTAssertEqual(f[0].description, "asymmetric link: a lists b, but b does not list a")
        // The other direction.
        XCTAssertEqual(
            MembersAnalysis.findings(lists: ["a": ["c"], "b": ["a", "c"], "c": ["b"]], failures: [:]),
            [.asymmetric(node: "b", peer: "a"), .asymmetric(node: "a", peer: "c")])
    }

    func testUnreachableListedNodeNamesWhoListsItAndWhyWeCannotReachIt() {
        let lists = ["a": ["b", "x"], "b": ["a"]]
        let f = MembersAnalysis.findings(lists: lists, failures: ["x": cookieFailure])
        XCTAssertEqual(f, [.unreachable(node: "x", listedBy: ["a"], notListedBy: ["b"], failure: cookieFailure)])
        XCTAssertEqual(
            f[0].description,
            "x is listed by a but cannot be reached from here (not listed by b): handshake failed (cookie_mismatch): "
                + "cookies differ")
    }

    func testUnreachableStartNode() {
        let f = MembersAnalysis.findings(lists: [:], failures: ["s": cookieFailure])
        XCTAssertEqual(f, [.unreachable(node: "s", listedBy: [], notListedBy: [], failure: cookieFailure)])
        XCTAssertTrue(f[0].description.hasPrefix("s cannot be reached from here: "))
    }

    func testHiddenNodesTakeNoPartInTheMeshChecks() {
        // h is hidden: it lists no visible peer and nobody lists it as visible.
        let lists = ["a": ["b"], "b": ["a"], "h": []]
        XCTAssertEqual(MembersAnalysis.findings(lists: lists, failures: [:], hiddenNodes: ["h"]), [])
        XCTAssertEqual(
            MembersAnalysis.findings(lists: lists, failures: [:]),
            [.partialMesh(missingPairs: [["a", "h"], ["b", "h"]]), .listsNobody(node: "h")])
    }

    func testMatrixCells() {
        let lists = ["a": ["b"], "b": []]
        XCTAssertEqual(MembersAnalysis.cell(row: "a", column: "a", lists: lists), .isSelf)
        XCTAssertEqual(MembersAnalysis.cell(row: "a", column: "b", lists: lists), .lists)
        XCTAssertEqual(MembersAnalysis.cell(row: "b", column: "a", lists: lists), .doesNotList)
        XCTAssertEqual(MembersAnalysis.cell(row: "x", column: "a", lists: lists), .unknown)
        XCTAssertEqual(["—", "✓", "·", "✗"], [MembersCell.isSelf, .lists, .doesNotList, .unknown].map(\.symbol))
        XCTAssertEqual(MembersAnalysis.allNodes(lists: ["a": ["b", "c"]], failures: ["d": cookieFailure]),
                       ["a", "b", "c", "d"])
    }

    func testABigClusterGetsAOneCharacterPerCellMatrixThatFitsTheWidth() throws {
        let names = (1...12).map { "app@10.0.0.\($0)" }
        let lists = Dictionary(uniqueKeysWithValues: names.map { n in (n, names.filter { $0 != n }) })
        let report = MembersReport(local: "us@h", start: names, lists: lists)
        let text = MembersView.render(report, width: 50)
        let lines = text.split(separator: "\n").map(String.init)
        XCTAssertEqual(lines[0], "members: 12 nodes seen from app@10.0.0.1 and 11 more (asked 12, 0 failed)")
        // A tens line over a units line numbers the columns; each row is its number, its name whole, 12 cells.
        let units = try XCTUnwrap(lines.firstIndex { $0.contains("123456789012") }, text)
        let column = lines[units].distance(
            from: lines[units].startIndex, to: lines[units].range(of: "123456789012")!.lowerBound)
        XCTAssertEqual(Array(lines[units - 1])[column + 9], "1", text)
        let first = try XCTUnwrap(lines[(units + 1)...].first { $0.contains("app@10.0.0.1 ") }, text)
        XCTAssertTrue(first.hasPrefix(" 1 app@10.0.0.1 "), text)
        XCTAssertEqual(String(Array(first)[column..<(column + 12)]), "—" + String(repeating: "✓", count: 11), text)
        XCTAssertTrue(lines.filter { $0.contains("@") && $0.contains("✓") }.allSatisfy { $0.count <= 50 }, text)
        XCTAssertTrue(text.contains("no findings"), text)
    }

    func testRenderAndJSONOfASyntheticReport() throws {
        let report = MembersReport(
            local: "us@h", start: ["a@h"], lists: ["a@h": ["b@h", "x@h"], "b@h": ["a@h"]],
            hidden: ["a@h": ["rem@h"]], failures: ["x@h": cookieFailure])
        XCTAssertEqual(report.nodes, ["a@h", "b@h", "x@h"])
        let text = MembersView.render(report, width: 100)
        XCTAssertEqual(
            text,
            """
            members: 3 nodes seen from a@h (asked 2, 1 failed)

            #  node  1  2  3  hidden peers
            1  a@h   —  ✓  ✓  rem@h
            2  b@h   ✓  —  ·  -
            3  x@h   ✗  ✗  —  ✗
            ✓ lists the column's node  · does not  ✗ could not ask  — itself

            could not ask:
              x@h  handshake failed (cookie_mismatch): cookies differ

            findings:
              ! x@h is listed by a@h but cannot be reached from here (not listed by b@h): handshake failed \
            (cookie_mismatch): cookies differ

            """)
        let json = MembersView.json(report)
        let obj = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        XCTAssertEqual(Set(obj.keys), ["local", "start", "nodes", "lists", "hidden", "hidden_nodes", "errors", "findings"])
        XCTAssertEqual(obj["nodes"] as? [String], ["a@h", "b@h", "x@h"])
        XCTAssertEqual((obj["lists"] as? [String: [String]])?["a@h"], ["b@h", "x@h"])
        XCTAssertEqual((obj["hidden"] as? [String: [String]])?["a@h"], ["rem@h"])
        let err = try XCTUnwrap((obj["errors"] as? [String: [String: String]])?["x@h"])
        XCTAssertEqual(err, ["stage": "handshake", "code": "cookie_mismatch", "message": "cookies differ"])
        let finding = try XCTUnwrap((obj["findings"] as? [[String: Any]])?.first)
        XCTAssertEqual(finding["kind"] as? String, "unreachable")
        XCTAssertEqual(finding["nodes"] as? [String], ["x@h"])
        XCTAssertEqual(finding["listed_by"] as? [String], ["a@h"])
        XCTAssertEqual((finding["error"] as? [String: String])?["code"], "cookie_mismatch")
        XCTAssertEqual(MembersView.json(report), json, "stable output")
    }
}
