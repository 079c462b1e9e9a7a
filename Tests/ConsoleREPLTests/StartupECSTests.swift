import ClusterDiscovery
import ConsoleREPL
import ErlangDistribution
import XCTest

/// Our host part from the ECS task metadata (pure: the metadata is an input), and the bounded fetch at start.
final class StartupECSTests: XCTestCase {
    static let task = try! ECSTaskMetadata.parse(Array("""
        {"Cluster": "arn:aws:ecs:eu-west-1:111122223333:cluster/production",
         "TaskARN": "arn:aws:ecs:eu-west-1:111122223333:task/production/5f2d6ae0b1c24a3c9d0e8f7a6b5c4d3e",
         "Family": "myapp", "Revision": "42", "AvailabilityZone": "eu-west-1b", "LaunchType": "FARGATE",
         "Containers": [{"Name": "myapp", "Networks": [{"NetworkMode": "awsvpc", "IPv4Addresses": ["10.0.2.106"]}]}]}
        """.utf8))

    private let env = ["RELEASE_COOKIE": "secret", "RELEASE_DISTRIBUTION": "name", "RELEASE_NODE": "myapp@10.0.1.5"]

    private func host(_ ecs: ECSTaskLookup?) -> HostFacts {
        HostFacts(hostname: "ip-10-0-2-106", addressReaching: { _ in "10.9.9.9" }, stdoutIsTerminal: false, ecsTask: ecs)
    }

    private func nodeName(_ plan: StartupPlan) -> String {
        switch plan.name {
        case .long(let n), .short(let n): return n
        case .dynamic(let h): return "@\(h)"
        }
    }

    func testTaskAddressIsOurHostForLongNames() throws {
        let plan = try Startup.plan(StartupOptions(), environment: env, host: host(.success(Self.task)))
        guard case .long(let name) = plan.name else { return XCTFail("\(plan.name)") }
        XCTAssertTrue(name.hasSuffix("@10.0.2.106"), name)
        XCTAssertEqual(plan.ecsTask, Self.task)
        XCTAssertTrue(plan.notes.contains("our host 10.0.2.106 from the ECS task metadata (task 5f2d6ae0b1c24a3c9d0e8f7a6b5c4d3e)"),
                      "\(plan.notes)")

        var named = StartupOptions()
        named.name = "ops"
        XCTAssertEqual(nodeName(try Startup.plan(named, environment: env, host: host(.success(Self.task)))),
                       "ops@10.0.2.106")
    }

    func testExplicitHostAndShortNamesIgnoreTheTaskAddress() throws {
        var explicit = StartupOptions()
        explicit.name = "ops@bastion.internal"
        let p = try Startup.plan(explicit, environment: env, host: host(.success(Self.task)))
        XCTAssertEqual(nodeName(p), "ops@bastion.internal")
        XCTAssertEqual(p.ecsTask, Self.task)  // still shown by info
        XCTAssertFalse(p.notes.contains { $0.contains("from the ECS task metadata") })

        var short = StartupOptions()
        short.sname = "ops"
        XCTAssertEqual(try Startup.plan(short, environment: env, host: host(.success(Self.task))).name,
                       .short("ops@ip-10-0-2-106"))
    }

    func testWithoutECSTheInterfaceAddressIsUsed() throws {
        let p = try Startup.plan(StartupOptions(), environment: env, host: host(nil))
        XCTAssertTrue(nodeName(p).hasSuffix("@10.9.9.9"), nodeName(p))
        XCTAssertNil(p.ecsTask)
        XCTAssertFalse(p.notes.contains { $0.contains("ECS") })
    }

    func testUnreadableMetadataFallsBackWithAWarning() throws {
        let failure = ECSMetadataError(.timeout, "ECS task metadata: GET http://169.254.170.2/v4/x/task did not complete")
        let p = try Startup.plan(StartupOptions(), environment: env, host: host(.failure(failure)))
        XCTAssertTrue(nodeName(p).hasSuffix("@10.9.9.9"), nodeName(p))
        XCTAssertNil(p.ecsTask)
        XCTAssertTrue(p.notes.contains(
            "warning: \(failure.message); using 10.9.9.9 as our host"), "\(p.notes)")
    }

    func testFetchAtStartIsBoundedAndOnlyWhenTheVariableIsSet() async {
        let none = await HostFacts.current(environment: [:])
        XCTAssertNil(none.ecsTask)

        let start = ContinuousClock.now
        let refused = await HostFacts.current(environment: ["ECS_CONTAINER_METADATA_URI_V4": "http://127.0.0.1:1/v4/x"])
        XCTAssertLessThan(ContinuousClock.now - start, .seconds(3))
        guard case .failure(let e)? = refused.ecsTask else { return XCTFail("\(String(describing: refused.ecsTask))") }
        XCTAssertEqual(e.code, .connectionRefused, e.message)

        let https = await HostFacts.current(environment: ["ECS_CONTAINER_METADATA_URI_V4": "https://169.254.170.2/v4/x"])
        guard case .failure(let bad)? = https.ecsTask else { return XCTFail("\(String(describing: https.ecsTask))") }
        XCTAssertEqual(bad.code, .invalidURI)
    }
}
