import ErlangTerm
import TermSyntax
import XCTest

@testable import ConsoleREPL

/// The pure parts of the inspection commands: option parsing, reading the nodes' answers, outliers.
final class InspectionTests: XCTestCase {
    func testOptionsAreCheckedAgainstEachCommandsSpec() throws {
        let r = try InspectionSpec.parse("top", "--sort reductions --limit 5 --nodes a@h,b@h --force")
        XCTAssertEqual(r, InspectionRequest(
            command: "top", options: ["--sort": "reductions", "--limit": "5"], flags: ["--force"], nodes: ["a@h", "b@h"]))
        XCTAssertEqual(try TopCommand.options(r).sort, "reductions")
        XCTAssertThrowsError(try InspectionSpec.parse("top", "--sort")) { XCTAssertTrue("\($0)".contains("needs a value")) }
        XCTAssertThrowsError(try InspectionSpec.parse("top", "--peek 3")) { XCTAssertTrue("\($0)".contains("unknown option")) }
        XCTAssertThrowsError(try InspectionSpec.parse("top", "extra")) { XCTAssertTrue("\($0)".contains("usage: top")) }
        XCTAssertThrowsError(try InspectionSpec.parse("health", "--node a@h,b@h")) { XCTAssertTrue("\($0)".contains("one node")) }
        XCTAssertThrowsError(try InspectionSpec.parse("health", "--nodes nohost")) { XCTAssertTrue("\($0)".contains("not a node name")) }
        let bad = try InspectionSpec.parse("top", "--sort size")
        XCTAssertThrowsError(try TopCommand.options(bad)) { XCTAssertTrue("\($0)".contains("memory, reductions")) }
        let huge = try InspectionSpec.parse("top", "--limit 100000")
        XCTAssertThrowsError(try TopCommand.options(huge))
        XCTAssertEqual(try ConsoleCommand.parse("top --limit 3"), .inspect(InspectionRequest(command: "top", options: ["--limit": "3"])))
    }

    func testTopAnswersAreMergedLargestFirstAndRefusalsAndBadRepliesKeptApart() {
        func row(_ pid: String, _ value: Int, name: String?) -> Term {
            .map(TermMap([
                (.atom("pid"), .charlist(pid)), (.atom("pid_text"), .string(pid)), (.atom("value"), .integer(value)),
                (.atom("name"), name.map { .atom(Atom($0)) } ?? .atom("undefined")),
                (.atom("initial_call"), .tuple([.atom("erlang"), .atom("apply"), .integer(2)])),
                (.atom("current_function"), .tuple([.atom("Elixir.MyApp.Worker"), .atom("loop"), .integer(1)])),
                (.atom("memory"), .integer(value)), (.atom("mqueue"), .integer(0)), (.atom("reductions"), .integer(1)),
            ]))
        }
        let summary: Term = .map(TermMap([
            (.atom("process_count"), .integer(50)), (.atom("memory"), .integer(1 << 26)), (.atom("binary"), .integer(1)),
            (.atom("mqueue"), .integer(0)),
        ]))
        let s = TopSnapshot.read([
            "a@h": .success(.tuple([.atom("ok"), .list([row("<0.1.0>", 10, name: "Elixir.MyApp.Cache")]), summary])),
            "b@h": .success(.tuple([.atom("ok"), .list([row("<0.2.0>", 30, name: nil)]), summary])),
            "c@h": .success(.tuple([.atom("refused"), .integer(300_000), .integer(200_000)])),
            "d@h": .success(.atom("maybe")),
            "e@h": .failure(NodeInspection.Failure(code: "timeout", detail: "no answer in time")),
        ], profile: { $0 == "d@h" ? PrinterProfile(elixir: .init(1, 17), otp: 27) : .elixir114otp25 })
        XCTAssertEqual(s.rows.map(\.node), ["b@h", "a@h"])
        XCTAssertEqual(s.rows[1].name, "MyApp.Cache")
        XCTAssertEqual(s.rows[0].currentFunction, "MyApp.Worker.loop/1")
        XCTAssertEqual(s.rows[0].initialCall, "erlang:apply/2")
        XCTAssertEqual(s.refused["c@h"]?.0, 300_000)
        XCTAssertEqual(Set(s.failures.keys), ["d@h", "e@h"])
        // A bad answer is shown as its node's release prints it: `'maybe'` on OTP 27 (bare on OTP 25).
        XCTAssertEqual(s.failures["d@h"]?.detail, "top answered 'maybe'")
        let text = TopView.render(s, options: TopCommand.Options(), width: 200, color: false)
        XCTAssertTrue(text.contains("c@h: not scanned: 300000 processes, above the 200000 limit (--force scans anyway)"), text)
        XCTAssertTrue(text.contains("e@h: no answer: timeout: no answer in time"), text)
    }

    func testOutliersAreNodesAtLeastThreeTimesTheMedianAboveAFloor() {
        func s(_ binary: Int, _ procs: Int = 100) -> TopSummary {
            TopSummary(processCount: procs, memory: 100 << 20, binary: binary, mqueue: 0)
        }
        let found = TopOutliers.find(["a": s(10 << 20), "b": s(11 << 20), "c": s(60 << 20), "d": s(1 << 20, 5000)])
        XCTAssertEqual(found.map { "\($0.node) \($0.metric)" }, ["d process_count", "c binary"])
        XCTAssertEqual(TopOutliers.find(["a": s(100 << 20)]), [], "one node has no median to stand out from")
        XCTAssertEqual(TopOutliers.find(["a": s(1 << 20), "b": s(5 << 20)]), [], "below the floor")
    }
}
