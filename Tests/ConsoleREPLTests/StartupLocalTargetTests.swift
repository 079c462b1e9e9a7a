import ClusterDiscovery
import ConsoleREPL
import ErlangDistribution
import XCTest

/// The target with no flags (pure: the local EPMD's names and the ECS task metadata are inputs): the one name the
/// local EPMD lists, with the host part from the task metadata, from `RELEASE_DISTRIBUTION`, or this host's short
/// name; several names are listed and none is picked.
final class StartupLocalTargetTests: XCTestCase {
    private func host(_ names: [String]?, ecs: ECSTaskLookup? = nil) -> HostFacts {
        HostFacts(
            hostname: "ip-10-0-2-106.eu-west-1.compute.internal", addressReaching: { _ in "10.9.9.9" },
            stdoutIsTerminal: false, ecsTask: ecs, localNodeNames: names)
    }

    private func plan(_ names: [String]?, env: [String: String] = [:], ecs: ECSTaskLookup? = nil) throws -> StartupPlan {
        try Startup.plan(StartupOptions(), environment: ["RELEASE_COOKIE": "c"].merging(env) { $1 }, host: host(names, ecs: ecs))
    }

    func testInAnECSTaskTheOneLocalNodeIsTheTargetAtTheTasksAddress() throws {
        let p = try plan(["myapp"], ecs: .success(StartupECSTests.task))
        XCTAssertEqual(p.target, "myapp@10.0.2.106")
        XCTAssertEqual(p.connect, ["myapp@10.0.2.106"])
        guard case .long(let ours) = p.name else { return XCTFail("a long-named target needs a long name: \(p.name)") }
        XCTAssertTrue(ours.hasSuffix("@10.0.2.106"), ours)
        XCTAssertTrue(
            p.notes.contains(
                "target myapp@10.0.2.106 from the local EPMD (the only name it lists; host part from the ECS task metadata)"),
            "\(p.notes)")
    }

    func testOtherConsolesAreNotTargets() throws {
        XCTAssertEqual(try plan(["beamconsole_1x2y", "myapp"]).target, "myapp@ip-10-0-2-106")
        XCTAssertNil(try plan(["beamconsole_1x2y"]).target)
    }

    func testOutsideECSTheDistributionModeOrAShortName() throws {
        XCTAssertEqual(try plan(["a"]).target, "a@ip-10-0-2-106")
        let long = try plan(["a"], env: ["RELEASE_DISTRIBUTION": "name"])
        XCTAssertEqual(long.target, "a@ip-10-0-2-106.eu-west-1.compute.internal")
        guard case .long = long.name else { return XCTFail("\(long.name)") }
    }

    func testSeveralNamesAreListedAndNoneIsPicked() throws {
        let p = try plan(["web", "worker"])
        XCTAssertNil(p.target)
        XCTAssertEqual(p.connect, [])
        XCTAssertTrue(
            p.notes.contains(
                "the local EPMD lists web, worker: give the target with --connect NAME@HOST (or use NODE at the prompt)"),
            "\(p.notes)")
    }

    func testAGivenTargetWins() throws {
        var o = StartupOptions()
        o.connect = ["x@h"]
        let p = try Startup.plan(o, environment: ["RELEASE_COOKIE": "c"], host: host(["myapp"]))
        XCTAssertEqual(p.target, "x@h")
        XCTAssertEqual(try plan(["myapp"], env: ["RELEASE_NODE": "other@h"]).target, "other@h")
    }

    /// RELEASE_NODE without a host part is completed with this host's name, and marked as guessed (a release's env.sh
    /// may have given it another host part): the start-up connection confirms it, so a plain call takes the full path.
    func testReleaseNodeWithoutHostIsAGuessConfirmedFirst() throws {
        let bare = try plan(nil, env: ["RELEASE_NODE": "myapp", "RELEASE_DISTRIBUTION": "name"])
        XCTAssertEqual(bare.target, "myapp@ip-10-0-2-106.eu-west-1.compute.internal")
        XCTAssertTrue(bare.targetHostGuessed)
        XCTAssertFalse(bare.targetFromLocalEPMD)
        XCTAssertFalse(try plan(nil, env: ["RELEASE_NODE": "myapp@10.0.2.106"]).targetHostGuessed)
        XCTAssertFalse(try plan(["myapp"]).targetHostGuessed, "the local EPMD's name is marked as such")

        let call = OneShot(command: .call(node: nil, expression: "node()"), startup: StartupOptions(), json: false)
        guard case .full = ConsoleApp.route(call, environment: ["RELEASE_COOKIE": "c", "RELEASE_NODE": "myapp"]) else {
            return XCTFail("a guessed host part is confirmed on the full path")
        }
        guard case .blocking = ConsoleApp.route(call, environment: ["RELEASE_COOKIE": "c", "RELEASE_NODE": "myapp@h"])
        else { return XCTFail("a full RELEASE_NODE keeps the blocking route") }
    }
}
