@testable import ConsoleREPL
import ErlangDistribution
import XCTest

/// ``ExecutionRoute/choose(command:options:environment:plan:)``: one rule per line.
final class ExecutionRouteTests: XCTestCase {
    private let call = ConsoleCommand.call(node: "a@h", expression: "Node.list()")

    /// The plan for `--connect` (the target is the first).
    private func plan(connect: [String] = []) -> StartupPlan {
        var options = StartupOptions()
        options.cookie = "c"
        options.connect = connect
        let host = HostFacts(hostname: "h", addressReaching: { _ in nil }, stdoutIsTerminal: false)
        return try! Startup.plan(options, environment: [:], host: host)
    }

    private func choose(
        _ command: ConsoleCommand, _ options: StartupOptions = StartupOptions(), environment: [String: String] = [:],
        plan: StartupPlan? = nil
    ) -> ExecutionRoute {
        let p = plan ?? self.plan()
        return ExecutionRoute.choose(command: command, options: options, environment: environment) { p }
    }

    func testAPlainCallIsBlocking() {
        XCTAssertEqual(choose(call), .blocking)
        XCTAssertEqual(choose(call, plan: plan(connect: ["a@h"])), .blocking)
        XCTAssertEqual(
            choose(.call(node: nil, expression: "x()"), plan: plan(connect: ["a@h"])), .blocking)
    }

    func testEverythingElseIsFullWithAReason() {
        var tls = StartupOptions()
        tls.tls.insecure = true
        var readOnly = StartupOptions()
        readOnly.readOnly = true
        var audit = StartupOptions()
        audit.auditLog = "/tmp/x"
        var discovery = StartupOptions()
        discovery.discovery.nodes = ["b@h"]
        XCTAssertEqual(
            choose(call, environment: ["BEAMCONSOLE_NIO_CALL": "1"]), .full(reason: "BEAMCONSOLE_NIO_CALL is set"))
        XCTAssertEqual(choose(.nodes), .full(reason: "only call runs on the blocking transport"))
        XCTAssertEqual(choose(.eval(node: "a@h", code: "1")), .full(reason: "only call runs on the blocking transport"))
        XCTAssertEqual(choose(call, tls), .full(reason: "TLS distribution"))
        XCTAssertEqual(choose(call, readOnly), .full(reason: "--read-only"))
        XCTAssertEqual(choose(call, audit), .full(reason: "--audit-log"))
        XCTAssertEqual(choose(call, discovery), .full(reason: "discovery options"))
        XCTAssertEqual(
            choose(call, environment: ["ECS_CONTAINER_METADATA_URI_V4": "http://169.254.170.2/v4/x"]),
            .full(reason: "the ECS task metadata is to be read"))
        XCTAssertEqual(
            choose(call, plan: plan(connect: ["b@h"])),
            .full(reason: "it connects to another node than the one it calls"))
        XCTAssertEqual(
            ExecutionRoute.choose(command: call, options: StartupOptions(), environment: [:]) {
                () throws(DistributionError) -> StartupPlan in
                throw DistributionError(.cookie, stage: .handshake, "no cookie")
            },
            .full(reason: "the start-up plan could not be made"))
    }

    func testThePlanIsMadeOnlyWhenEveryOtherRuleAllowsBlocking() {
        var made = 0
        _ = ExecutionRoute.choose(command: .nodes, options: StartupOptions(), environment: [:]) {
            made += 1
            return self.plan()
        }
        XCTAssertEqual(made, 0)
    }

    func testVerboseLine() {
        XCTAssertEqual(
            ExecutionRoute.blocking.description,
            "beamconsole: route: blocking (a plain call on one connection, on this thread)")
        XCTAssertEqual(ExecutionRoute.full(reason: "--read-only").description, "beamconsole: route: full (--read-only)")
    }
}
