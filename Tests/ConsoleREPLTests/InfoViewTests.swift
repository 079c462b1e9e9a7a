import ClusterDiscovery
import ConsoleREPL
import ErlangDistribution
import ErlangTerm
import ErlangTestSupport
import Foundation
import XCTest

/// `info` against a real Elixir node and a real plain `erl` node (stopped by PID in teardown).
final class InfoViewTests: XCTestCase {
    private var nodes: [TestNode] = []
    private var console: LocalNode?

    override func tearDown() {
        console?.shutdown()
        for n in nodes { n.stop() }
        nodes = []
    }

    /// Runs `tool args` and returns its stdout.
    private func run(_ tool: String, _ args: [String]) throws -> String {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: try XCTUnwrap(TestNode.which(tool), "\(tool) not in PATH"))
        p.arguments = args
        let pipe = Pipe()
        p.standardOutput = pipe
        p.standardError = FileHandle.nullDevice
        try p.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }

    func testErlAndElixirNodes() async throws {
        let cookie = randomCookie()
        let started = startConcurrently([
            { try TestNode(kind: .erl, cookie: cookie) },
            { try TestNode(kind: .elixir, cookie: cookie) },
        ])
        for case .success(let n) in started { nodes.append(n) }
        let erl = try started[0].get(), ex = try started[1].get()
        let console = makeConsoleNode(cookie: cookie)
        self.console = console

        // The same installation, asked another way.
        let otp = try run("erl", ["-noshell", "-eval", "io:format(\"~s\", [erlang:system_info(otp_release)]), halt()."])
        let erts = try run("erl", ["-noshell", "-eval", "io:format(\"~s\", [erlang:system_info(version)]), halt()."])
        let elixirVersion = try run("elixir", ["-e", "IO.write(System.version())"])
        XCTAssertFalse(otp.isEmpty)

        async let erlInfo = InfoCommand.collect(node: console, target: erl.name, timeout: .seconds(20))
        async let exInfo = InfoCommand.collect(node: console, target: ex.name, timeout: .seconds(20))
        let (e, x) = try await (erlInfo, exInfo)

        for info in [e, x] {
            XCTAssertEqual(info.otpRelease, otp)
            XCTAssertEqual(info.ertsVersion, erts)
            XCTAssertGreaterThan(info.uptimeMilliseconds, 0)
            XCTAssertLessThan(info.uptimeMilliseconds, 600_000)
            XCTAssertGreaterThan(info.totalMemory, 1_000_000)
            XCTAssertEqual(info.memory.first?.type, "total")
            XCTAssertTrue(info.memory.contains { $0.type == "processes" })
            XCTAssertGreaterThan(info.processes.count, 10)
            XCTAssertEqual(info.processes.limit, 262_144)
            XCTAssertGreaterThan(info.ports.limit, 0)
            XCTAssertGreaterThan(info.atoms.count, 1000)
            XCTAssertEqual(info.atoms.limit, 1_048_576)
            XCTAssertGreaterThan(info.schedulersOnline, 0)
            XCTAssertLessThanOrEqual(info.schedulersOnline, info.schedulers)
            XCTAssertEqual(info.netTicktime, 60)
            XCTAssertNil(info.distListenMin)
            XCTAssertNil(info.distListenMax)
            XCTAssertTrue(info.applications.contains { $0.name == "kernel" && !$0.version.isEmpty })
            XCTAssertTrue(info.applications.contains { $0.name == "stdlib" })
        }
        XCTAssertEqual(e.node, erl.name)
        XCTAssertEqual(e.distPort, erl.epmdPort)
        XCTAssertEqual(x.distPort, ex.epmdPort)
        XCTAssertNotNil(e.distPort)
        XCTAssertNil(e.elixirVersion)
        XCTAssertEqual(x.elixirVersion, elixirVersion)
        XCTAssertTrue(x.applications.contains { $0.name == "elixir" && $0.version == elixirVersion })
        XCTAssertFalse(e.applications.contains { $0.name == "elixir" })

        let text = InfoView.render(e, width: 100)
        XCTAssertTrue(text.contains("elixir        -\n"), text)
        XCTAssertTrue(text.contains("otp           \(otp) (erts \(erts))"), text)
        XCTAssertTrue(text.contains(" MB"), text)
        XCTAssertTrue(InfoView.render(x, width: 100).contains("elixir        \(elixirVersion)\n"))

        for (info, json) in [(e, InfoView.json(e)), (x, InfoView.json(x))] {
            let obj = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
            XCTAssertEqual(Set(obj.keys), [
                "node", "otp_release", "erts_version", "elixir_version", "printer_profile", "uptime_ms", "memory", "processes", "ports",
                "atoms", "schedulers", "net_ticktime", "dist", "applications", "console_host",
            ])
            XCTAssertTrue((obj["console_host"] as? [String: Any])?["ecs_task"] is NSNull)
            XCTAssertEqual(obj["otp_release"] as? String, otp)
            XCTAssertEqual((obj["memory"] as? [String: Int])?["total"], info.totalMemory)
            XCTAssertEqual((obj["processes"] as? [String: Int])?["limit"], 262_144)
            XCTAssertEqual((obj["schedulers"] as? [String: Int])?["online"], info.schedulersOnline)
            XCTAssertEqual(obj["net_ticktime"] as? Int, 60)
            let dist = try XCTUnwrap(obj["dist"] as? [String: Any])
            XCTAssertEqual(Set(dist.keys), ["port", "listen_min", "listen_max"])
            XCTAssertEqual(dist["port"] as? Int, info.distPort)
            XCTAssertTrue(dist["listen_min"] is NSNull)
            let apps = try XCTUnwrap(obj["applications"] as? [[String: String]])
            XCTAssertEqual(apps.map { $0["name"]! }, info.applications.map(\.name))
            XCTAssertEqual(Set(apps[0].keys), ["name", "version", "description"])
        }
        let ej = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(InfoView.json(e).utf8)) as? [String: Any])
        XCTAssertTrue(ej["elixir_version"] is NSNull)
        let xj = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(InfoView.json(x).utf8)) as? [String: Any])
        XCTAssertEqual(xj["elixir_version"] as? String, elixirVersion)
        // The printer profile is the node's own: its OTP release and Elixir major.minor (the newest Elixir's without
        // Elixir), in text and JSON.
        let elixirMinor = elixirVersion.split(separator: ".").prefix(2).joined(separator: ".")
        XCTAssertEqual(xj["printer_profile"] as? NSDictionary, ["elixir": elixirMinor, "otp": Int(otp)!])
        XCTAssertEqual(ej["printer_profile"] as? NSDictionary, ["elixir": "1.19", "otp": Int(otp)!])
        XCTAssertTrue(InfoView.render(x, width: 100).contains("printer       Elixir \(elixirMinor), OTP \(otp)\n"))
        XCTAssertTrue(text.contains("printer       Elixir 1.19, OTP \(otp)\n"), text)
    }

    func testListenRangeFromKernelEnvironment() async throws {
        let cookie = randomCookie()
        let n = try TestNode(kind: .erl, cookie: cookie,
                             extraArgs: ["-kernel", "inet_dist_listen_min", "47100", "inet_dist_listen_max", "47199"])
        nodes.append(n)
        let console = makeConsoleNode(cookie: cookie)
        self.console = console
        let info = try await InfoCommand.collect(node: console, target: n.name, timeout: .seconds(20))
        XCTAssertEqual(info.distListenMin, 47100)
        XCTAssertEqual(info.distListenMax, 47199)
        let port = try XCTUnwrap(info.distPort)
        XCTAssertTrue((47100...47199).contains(port), "\(port)")
        XCTAssertTrue(InfoView.render(info, width: 100).contains("(listen range: 47100-47199)"))
    }

    func testConnectionFailureIsThrownWithItsStage() async throws {
        let console = makeConsoleNode(cookie: randomCookie())
        self.console = console
        do {
            _ = try await InfoCommand.collect(
                node: console, target: "nosuch\(UInt32.random(in: 0...UInt32.max))@\(TestNode.shortHost)",
                timeout: .seconds(10))
            XCTFail("expected a failure")
        } catch {
            XCTAssertEqual(error.stage, .epmd)
            XCTAssertEqual(error.code, .nameNotRegistered)
        }
    }

    // MARK: - Pure parts

    func testAssembleRejectsAnUnexpectedAnswerNamingTheCall() {
        var results: [InfoView.Query: CallResult] = [:]
        for q in InfoView.Query.allCases { results[q] = .value(.integer(1)) }
        results[.otpRelease] = .value(.charlist("25"))
        do {
            _ = try InfoView.assemble(node: "a@h", results: results, distPort: nil)
            XCTFail("expected a failure")
        } catch {
            XCTAssertEqual(error.code, .rpcFailed)
            XCTAssertTrue(error.message.hasPrefix("erlang:statistics(wall_clock) returned 1"), error.message)
        }
    }

    func testHumanUnitsInRender() {
        let info = NodeInfo(
            node: "a@h", otpRelease: "25", ertsVersion: "13.1", elixirVersion: nil,
            uptimeMilliseconds: ((2 * 24 + 3) * 60 + 4) * 60_000 + 5_000,
            memory: [.init(type: "total", bytes: 26_528_972), .init(type: "processes", bytes: 512)],
            processes: .init(count: 52, limit: 262_144), ports: .init(count: 5, limit: 65_536),
            atoms: .init(count: 9_000, limit: 1_048_576), schedulersOnline: 2, schedulers: 2, netTicktime: 60,
            distListenMin: nil, distListenMax: nil, distPort: 4370,
            applications: [.init(name: "kernel", description: "ERTS  CXC 138 10", version: "8.5")])
        XCTAssertEqual(
            InfoView.render(info, width: 80),
            """
            node          a@h
            otp           25 (erts 13.1)
            elixir        -
            printer       Elixir 1.19, OTP 25
            uptime        2d 3h 4m
            schedulers    2/2 online
            processes     52 / 262144 (0.0%)
            ports         5 / 65536 (0.0%)
            atoms         9000 / 1048576 (0.9%)
            net ticktime  60 s
            dist port     4370 (listen range: any)
            memory        25.3 MB

            memory      size
            processes  512 B

            application  version  description
            kernel       8.5      ERTS  CXC 138 10

            """)
    }

    func testConsoleECSTaskSection() throws {
        let info = NodeInfo(
            node: "a@h", otpRelease: "25", ertsVersion: "13.1", elixirVersion: nil, uptimeMilliseconds: 1000,
            memory: [.init(type: "total", bytes: 1000)], processes: .init(count: 1, limit: 2),
            ports: .init(count: 1, limit: 2), atoms: .init(count: 1, limit: 2), schedulersOnline: 1, schedulers: 1,
            netTicktime: 60, distListenMin: nil, distListenMax: nil, distPort: nil, applications: [])
        let task = StartupECSTests.task
        let text = InfoView.render(info, width: 80, consoleECSTask: task)
        XCTAssertTrue(text.hasPrefix(InfoView.render(info, width: 80)), text)
        XCTAssertTrue(text.hasSuffix("""

            console host (ECS task)
              task         5f2d6ae0b1c24a3c9d0e8f7a6b5c4d3e
              definition   myapp:42
              cluster      production
              zone         eu-west-1b
              ip           10.0.2.106
              launch type  FARGATE

            """), text)

        let obj = try XCTUnwrap(
            JSONSerialization.jsonObject(with: Data(InfoView.json(info, consoleECSTask: task).utf8)) as? [String: Any])
        let ecs = try XCTUnwrap((obj["console_host"] as? [String: Any])?["ecs_task"] as? [String: Any])
        XCTAssertEqual(ecs["task_id"] as? String, "5f2d6ae0b1c24a3c9d0e8f7a6b5c4d3e")
        XCTAssertEqual(ecs["task_definition"] as? String, "myapp:42")
        XCTAssertEqual(ecs["family"] as? String, "myapp")
        XCTAssertEqual(ecs["revision"] as? String, "42")
        XCTAssertEqual(ecs["cluster"] as? String, "arn:aws:ecs:eu-west-1:111122223333:cluster/production")
        XCTAssertEqual(ecs["availability_zone"] as? String, "eu-west-1b")
        XCTAssertEqual(ecs["launch_type"] as? String, "FARGATE")
        XCTAssertEqual(ecs["ipv4_addresses"] as? [String], ["10.0.2.106"])
        XCTAssertEqual(ecs["ipv6_addresses"] as? [String], [])
        XCTAssertEqual(Set(ecs.keys), [
            "task_arn", "task_id", "task_definition", "family", "revision", "cluster", "availability_zone",
            "launch_type", "ipv4_addresses", "ipv6_addresses",
        ])
    }
}
