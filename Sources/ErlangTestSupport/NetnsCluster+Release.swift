import Foundation

/// A real Elixir release (`mix release`) as one more task of a ``NetnsCluster``: what an `aws ecs execute-command`
/// shell finds in a task, the release on disk (`releases/COOKIE`) and its VM running with `-root` that directory, with
/// no `RELEASE_*` variable in the shell's environment.
///
/// ```swift
/// let built = try NetnsCluster.buildRelease()          // once per test process (mix new, mix release)
/// let release = try cluster.addRelease(from: built)    // a namespace of its own, its EPMD, bin/myapp start
/// let r = try cluster.run(in: release.namespace, [beamconsole, "members", "--json"])
/// ```
extension NetnsCluster {
    /// A release started by ``addRelease(from:basename:inDNS:timeout:)``.
    public struct ReleaseTask: Sendable, CustomStringConvertible {
        /// Its network namespace.
        public let namespace: String
        /// Its address.
        public let ip: String
        /// `basename@ip` (`RELEASE_NODE`, long names).
        public let node: String
        /// The release's directory (its own copy, with this cluster's cookie in `releases/COOKIE`), as its VM's `-root`.
        public let root: String
        /// The VM's PID: `bin/myapp start` execs through the release's `elixir` and `erl` scripts and `erlexec` into
        /// `beam.smp`, which ``addRelease(from:basename:inDNS:timeout:)`` checks (`/proc/PID/exe`).
        public let pid: pid_t
        /// Its EPMD's PID.
        public let epmdPID: pid_t
        /// The release's stdout and stderr.
        public let logPath: String
        let process: ChildProcess
        public var description: String { "\(node) (release at \(root), \(namespace), pid \(pid))" }
    }

    /// The line the generated application prints once it has started (after its runtime configuration is applied).
    static func releaseReadyLine(_ node: String) -> String { "myapp ready: \(node)" }

    /// Builds, once per test process, a real release of a new Mix project `myapp` (`mix new myapp --sup`, then
    /// `MIX_ENV=prod mix release`; no dependencies, so offline) and returns its directory (`_build/prod/rel/myapp`).
    ///
    /// Its `config/runtime.exs` configures libcluster as a release deployed to ECS does, from the environment at boot:
    /// `config :libcluster, topologies: [ecs: [strategy: Cluster.Strategy.DNSPoll, config: [polling_interval:
    /// DNSPOLL_INTERVAL, query: DNSPOLL_QUERY, node_basename: DNSPOLL_BASENAME]]]` (libcluster itself is not a
    /// dependency: the console reads the configuration, not the library). Its application prints
    /// `myapp ready: <node>` when it starts. The project lives in a temporary directory named after this process
    /// (`bce2e-release-<pid>`); those of dead processes are removed.
    public static func buildRelease(timeout: TimeInterval = 180) throws -> String {
        try ReleaseBuildCache.lock.withLock {
            if let built = ReleaseBuildCache.result { return try built.get() }
            let result = Result { try buildReleaseNow(timeout: timeout) }
            ReleaseBuildCache.result = result
            return try result.get()
        }
    }

    private static func buildReleaseNow(timeout: TimeInterval) throws -> String {
        guard let mix = findExecutable("mix") else { throw TestSupportError("mix not found: install Debian's elixir") }
        let tmp = FileManager.default.temporaryDirectory
        // Projects left by test processes that are gone.
        for entry in (try? FileManager.default.contentsOfDirectory(atPath: tmp.path)) ?? []
        where entry.hasPrefix("bce2e-release-") {
            if let owner = pid_t(entry.dropFirst("bce2e-release-".count)), kill(owner, 0) != 0, errno == ESRCH {
                try? FileManager.default.removeItem(at: tmp.appendingPathComponent(entry))
            }
        }
        let dir = tmp.appendingPathComponent("bce2e-release-\(getpid())")
        try? FileManager.default.removeItem(at: dir)
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let log = dir.appendingPathComponent("build.log").path
        let env = [
            "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin", "HOME": dir.path,
            "MIX_HOME": dir.appendingPathComponent(".mix").path, "HEX_OFFLINE": "1", "LANG": "C.UTF-8",
        ]
        func mixRun(_ arguments: [String], in directory: URL, extra: [String: String] = [:]) throws {
            let p = try ChildProcess(
                executable: mix, arguments: arguments, environment: env.merging(extra) { $1 }, outputPath: log,
                workingDirectory: directory.path)
            guard p.wait(timeout: timeout) == 0 else {
                p.stop()
                let out = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
                throw TestSupportError("mix \(arguments.joined(separator: " ")) failed: \(out.suffix(3000))")
            }
        }
        try mixRun(["new", "myapp", "--sup"], in: dir)
        let project = dir.appendingPathComponent("myapp")
        let config = project.appendingPathComponent("config")
        try FileManager.default.createDirectory(at: config, withIntermediateDirectories: true)
        try """
            import Config
            """.appending("\n").write(to: config.appendingPathComponent("config.exs"), atomically: true, encoding: .utf8)
        try """
            import Config

            # As a release deployed to ECS configures libcluster (Cloud Map name, the tasks' basename).
            if query = System.get_env("DNSPOLL_QUERY") do
              config :libcluster,
                topologies: [
                  ecs: [
                    strategy: Cluster.Strategy.DNSPoll,
                    config: [
                      polling_interval: String.to_integer(System.get_env("DNSPOLL_INTERVAL", "5000")),
                      query: query,
                      node_basename: System.get_env("DNSPOLL_BASENAME", "myapp")
                    ]
                  ]
                ]
            end

            """.write(to: config.appendingPathComponent("runtime.exs"), atomically: true, encoding: .utf8)
        try """
            defmodule Myapp.Application do
              @moduledoc false
              use Application

              @impl true
              def start(_type, _args) do
                result = Supervisor.start_link([], strategy: :one_for_one, name: Myapp.Supervisor)
                IO.puts("\(releaseReadyLine("#{node()}"))")
                result
              end
            end

            """.write(
                to: project.appendingPathComponent("lib/myapp/application.ex"), atomically: true, encoding: .utf8)
        try mixRun(["release", "--overwrite"], in: project, extra: ["MIX_ENV": "prod"])
        let rel = project.appendingPathComponent("_build/prod/rel/myapp")
        guard FileManager.default.isExecutableFile(atPath: rel.appendingPathComponent("bin/myapp").path) else {
            throw TestSupportError("mix release made no bin/myapp in \(rel.path)")
        }
        return rel.path
    }

    /// Copies the release built by ``buildRelease(timeout:)`` into this run's directory, writes the cluster's cookie
    /// into the copy's `releases/COOKIE`, and starts it in a namespace of its own (`-r<n>`, with this run's resolver)
    /// with its own EPMD (foreground, stopped by PID), as `bin/myapp start` with `RELEASE_DISTRIBUTION=name`,
    /// `RELEASE_NODE=<basename>@<its IP>`, the distribution pinned to ``distPorts`` and the light emulator flags (but
    /// the default allocators) in `ERL_FLAGS`, the libcluster topology's values in the environment its `runtime.exs` reads, and no
    /// `RELEASE_COOKIE` (so the release reads `releases/COOKIE`). Returns once its application has started; with
    /// `inDNS`, also registers its address and waits until every running task in DNS with the cluster's cookie and
    /// basename has it up (the tasks' DNS polls connect it).
    public func addRelease(
        from built: String, basename: String? = nil, inDNS: Bool = true, timeout: TimeInterval = 60
    ) throws -> ReleaseTask {
        let deadline = Date().addingTimeInterval(timeout)
        let basename = basename ?? self.basename
        // The highest free address of the /24 (tasks count up from .10), and the next free namespace name.
        let (address, n): (String, Int) = try locked {
            let used = Set(hosts.map(\.address))
            guard let last = (200...254).reversed().first(where: { !used.contains("\(subnet).\($0)") }) else {
                throw TestSupportError("no free address for a release in \(subnet).0/24")
            }
            return ("\(subnet).\(last)", namespaces.filter { $0.hasPrefix("\(Self.namespacePrefix)\(runID)-r") }.count + 1)
        }
        let ns = "\(Self.namespacePrefix)\(runID)-r\(n)"
        // As `bin/myapp` and the release's `erl` find it (`pwd -P`), and so as its VM's `-root`.
        let root = directory.appendingPathComponent("release-r\(n)").resolvingSymlinksInPath().path
        let cp = try ChildProcess(executable: "/bin/cp", arguments: ["-a", built, root])
        guard cp.wait(timeout: 60) == 0 else { throw TestSupportError("cannot copy the release \(built) to \(root)") }
        let cookieFile = root + "/releases/COOKIE"
        try? FileManager.default.removeItem(atPath: cookieFile)
        guard FileManager.default.createFile(
            atPath: cookieFile, contents: Data(cookie.utf8), attributes: [.posixPermissions: 0o400])
        else { throw TestSupportError("cannot write \(cookieFile)") }

        try attach(ns, port: "r\(n)", address: address, resolver: true)
        try syncNeighbors()
        let epmdLog = directory.appendingPathComponent("epmd-r\(n).log").path
        let epmd = try spawn(in: ns, ["epmd", "-d", "-port", "4369"], outputPath: epmdLog)
        while !isListening(pid: epmd.pid, port: 4369) {
            guard epmd.isRunning, Date() < deadline else { throw TestSupportError("EPMD did not start in \(ns): \(tail(epmdLog))") }
            Thread.sleep(forTimeInterval: 0.01)
        }

        let node = "\(basename)@\(address)"
        let log = directory.appendingPathComponent("release-r\(n).log").path
        let environment = [
            "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin", "HOME": directory.path,
            "LANG": "C.UTF-8", "RELEASE_DISTRIBUTION": "name", "RELEASE_NODE": node,
            "ERL_FLAGS": [
                "-start_epmd false", "-kernel inet_dist_listen_min \(Self.distPorts.lowerBound)",
                "inet_dist_listen_max \(Self.distPorts.upperBound)",
                // Light, but with the allocators a deployed release has: with `+Mea min`, erlang:memory() is notsup.
                Self.lightErlFlags.replacingOccurrences(of: "+Mea min", with: ""),
            ].joined(separator: " "),
            "DNSPOLL_QUERY": query, "DNSPOLL_BASENAME": basename,
            "DNSPOLL_INTERVAL": String(Int(pollingInterval * 1000)),
        ]
        let process = try spawn(in: ns, [root + "/bin/myapp", "start"], environment: environment, outputPath: log)
        let release = ReleaseTask(
            namespace: ns, ip: address, node: node, root: root, pid: process.pid, epmdPID: epmd.pid, logPath: log,
            process: process)
        while !((try? String(contentsOfFile: log, encoding: .utf8))?.contains(Self.releaseReadyLine(node)) ?? false) {
            guard process.isRunning else { throw TestSupportError("release \(node) exited while starting: \(tail(log))") }
            guard Date() < deadline else { throw TestSupportError("release \(node) not up within \(timeout) s: \(tail(log))") }
            Thread.sleep(forTimeInterval: 0.05)
        }
        // The PID held is the VM itself (every script on the way execs), so stopping it by PID stops the node.
        let exe = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(process.pid)/exe")) ?? "?"
        let argv = Self.commandLine(of: process.pid)
        guard exe.hasSuffix("/beam.smp"), let r = argv.firstIndex(of: "-root"), r + 1 < argv.count,
              URL(fileURLWithPath: argv[r + 1]).resolvingSymlinksInPath().path
                == URL(fileURLWithPath: root).resolvingSymlinksInPath().path
        else {
            throw TestSupportError("pid \(process.pid) of \(node) is \(exe), not the release's beam.smp: \(argv.prefix(8))")
        }

        if inDNS {
            let records = Set(dnsRecords)
            let waiting = tasks.filter {
                isRunning($0) && records.contains($0.ip) && $0.cookie == cookie && $0.basename == self.basename
            }
            try addDNSRecords([address])
            while true {
                let peers = peersFromLogs(waiting)
                let missing = waiting.filter { !(peers[$0.node]?.contains(node) ?? false) }
                if missing.isEmpty { break }
                guard process.isRunning else { throw TestSupportError("release \(node) exited: \(tail(log))") }
                guard Date() < deadline else {
                    throw TestSupportError(
                        "\(missing.map(\.node)) did not connect \(node) within \(timeout) s: \(tail(missing[0].logPath))")
                }
                Thread.sleep(forTimeInterval: 0.1)
            }
        }
        return release
    }

    /// Kills the release's VM (SIGKILL, by PID); its EPMD, namespace and DNS record stay.
    public func stopRelease(_ release: ReleaseTask) {
        release.process.stop()
    }

    /// Whether the release's VM still runs.
    public func isRunning(_ release: ReleaseTask) -> Bool { release.process.isRunning }

    /// A process's command line (`/proc/PID/cmdline`), split at its NULs.
    static func commandLine(of pid: pid_t) -> [String] {
        guard let data = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") else { return [] }
        return data.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
    }
}

/// ``NetnsCluster/buildRelease(timeout:)``'s one build per process.
private enum ReleaseBuildCache {
    static let lock = NSLock()
    nonisolated(unsafe) static var result: Result<String, any Error>?
}
