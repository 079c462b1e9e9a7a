import ErlangDistribution
import Foundation

/// Real Elixir nodes running the demo application (`Resources/demo/demo.exs`), short-named on this host and
/// clustered LocalEpmd-style, as `make demo` runs them. Each test gets its own names and cookie; every node is
/// stopped by PID.
public final class DemoCluster: @unchecked Sendable {
    public let cookie: String
    public let host: String
    public private(set) var nodes: [String] = []
    private var processes: [String: ChildProcess] = [:]
    public let logDirectory: URL

    public static var repositoryRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }

    /// Starts `count` nodes `demo_<prefix><i>@<host>` and waits until each answers in EPMD and has clustered.
    public init(count: Int, prefix: String = String(UUID().uuidString.prefix(6)).lowercased(), timeout: TimeInterval = 30) throws {
        cookie = "c" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
        host = TestNode.shortHost
        logDirectory = FileManager.default.temporaryDirectory.appendingPathComponent("demo-\(prefix)")
        try FileManager.default.createDirectory(at: logDirectory, withIntermediateDirectories: true)
        let script = Self.script
        for i in 1...count {
            let alive = "demo_\(prefix)\(i)"
            try start(alive: alive, script: script)
        }
        try waitUntilRegistered(timeout: timeout)
    }

    private static var script: String { repositoryRoot.appendingPathComponent("Resources/demo/demo.exs").path }

    private func start(alive: String, script: String) throws {
        let node = "\(alive)@\(host)"
        nodes.append(node)
        processes[node] = try spawn(alive: alive, script: script)
    }

    private func spawn(alive: String, script: String) throws -> ChildProcess {
        let command = try TestNode.commandLine(
            kind: .elixir, name: alive, cookie: cookie, erlFlags: ["+S 1 +A 1"], program: .script(script))
        return try ChildProcess(
            executable: command[0], arguments: Array(command.dropFirst()),
            outputPath: logDirectory.appendingPathComponent("\(alive).log").path)
    }

    /// Starts a node that was stopped (``kill(_:)``) again under the same name, and waits until it is ready: a
    /// target that comes back.
    public func restart(_ node: String, timeout: TimeInterval = 30) throws {
        guard let alive = NodeName(node)?.alive, processes[node] != nil else {
            throw TestSupportError("\(node) is not a node of this cluster")
        }
        processes[node]?.stop()
        // A fresh log, so that "demo ready" is the new node's.
        try? FileManager.default.removeItem(at: logDirectory.appendingPathComponent("\(alive).log"))
        processes[node] = try spawn(alive: alive, script: Self.script)
        try waitUntilRegistered([node], timeout: timeout)
    }

    /// Waits until every node has started its application (the script prints "demo ready") and EPMD lists it; the
    /// demo connects peers that share the `demo_` prefix once a second, so one more second lets them mesh.
    private func waitUntilRegistered(_ which: [String]? = nil, timeout: TimeInterval) throws {
        let deadline = Date().addingTimeInterval(timeout)
        let alives = Set((which ?? nodes).map { NodeName($0)?.alive ?? $0 })
        while Date() < deadline {
            let ready = alives.allSatisfy { alive in
                let log = (try? String(contentsOf: logDirectory.appendingPathComponent("\(alive).log"), encoding: .utf8)) ?? ""
                return log.contains("demo ready: \(alive)@")
            }
            if ready, alives.isSubset(of: Set((TestNode.registeredNames() ?? [:]).keys)) {
                Thread.sleep(forTimeInterval: 1.2)
                return
            }
            Thread.sleep(forTimeInterval: 0.1)
        }
        throw TestSupportError("demo nodes did not register in EPMD within \(timeout) s (logs: \(logDirectory.path))")
    }

    /// Kills one node (SIGKILL, by PID).
    public func kill(_ node: String) { processes[node]?.stop() }

    /// Stops every node.
    public func stop() {
        for p in processes.values { p.stop() }
    }

    deinit { stop() }
}
