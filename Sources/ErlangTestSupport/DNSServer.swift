import Foundation

/// A real DNS server for tests: dnsmasq, authoritative for one domain, answering from a hosts file the test rewrites
/// while it runs (dnsmasq re-reads it on SIGHUP). By default it listens on 127.0.0.1 at an unprivileged port; given a
/// `commandPrefix` such as `["ip", "netns", "exec", "ns"]` it runs inside that network namespace on `listenAddress`
/// (port 53 unless `port` says otherwise). Started and stopped by PID.
public final class DNSServer: @unchecked Sendable {
    public let port: Int
    public let domain: String
    /// The address dnsmasq listens on.
    public let listenAddress: String
    /// `listenAddress:port`, for `--dns-server` and `DNSResolver(servers:)`.
    public var address: String { "\(listenAddress):\(port)" }
    /// dnsmasq's PID (inside its namespace when started with a `commandPrefix`: `ip netns exec` execs it).
    public var pid: pid_t { process.pid }

    private var process: ChildProcess!
    private let lock = NSLock()
    private let directory: URL
    private var hostsFile: URL { directory.appendingPathComponent("hosts") }

    /// Starts dnsmasq serving `records` (name → addresses) with `ttl`, plus SRV records
    /// (`_service._tcp.name` → [(target, port)]).
    ///
    /// With a `commandPrefix`, dnsmasq runs as `commandPrefix + [dnsmasq, ...]` (the prefix must exec it, so that the
    /// PID is dnsmasq's) and its files go under `directory` when one is given. `logQueries: false` keeps the log small
    /// when many clients poll.
    public init(
        domain: String = "organization.local", records: [String: [String]] = [:], ttl: Int = 10,
        srv: [String: [(String, Int)]] = [:], listenAddress: String = "127.0.0.1", port: Int? = nil,
        commandPrefix: [String] = [], directory: URL? = nil, logQueries: Bool = true
    ) throws {
        self.domain = domain
        self.listenAddress = listenAddress
        self.directory = directory
            ?? FileManager.default.temporaryDirectory.appendingPathComponent("dnsmasq-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: self.directory, withIntermediateDirectories: true)
        self.port = try port ?? (commandPrefix.isEmpty ? freeUDPPort() : 53)
        try Self.writeHosts(records, to: hostsFile)
        guard let dnsmasq = findExecutable("dnsmasq") else {
            throw TestSupportError("dnsmasq not found: install Debian's dnsmasq-base (make test does)")
        }
        var args = [
            "--keep-in-foreground", "--conf-file=/dev/null", "--port=\(self.port)", "--listen-address=\(listenAddress)",
            "--bind-interfaces", "--no-resolv", "--no-hosts", "--no-negcache", "--user=root", "--pid-file",
            "--addn-hosts=\(hostsFile.path)", "--local-ttl=\(ttl)",
            "--local=/\(domain)/", "--log-facility=\(self.directory.appendingPathComponent("log").path)",
        ]
        if logQueries { args.append("--log-queries") }
        for (name, targets) in srv {
            for (target, p) in targets { args.append("--srv-host=\(name),\(target),\(p)") }
        }
        if commandPrefix.isEmpty {
            process = try ChildProcess(executable: dnsmasq, arguments: args)
        } else {
            guard let launcher = findExecutable(commandPrefix[0]) else {
                throw TestSupportError("\(commandPrefix[0]) not found")
            }
            process = try ChildProcess(
                executable: launcher, arguments: Array(commandPrefix.dropFirst()) + [dnsmasq] + args)
        }
        // Wait until it answers: the port is bound (checked from here, or through the process's own view of its
        // network namespace in /proc when it runs in another one).
        let deadline = Date().addingTimeInterval(5)
        while Date() < deadline {
            let bound = commandPrefix.isEmpty
                ? udpPortInUse(self.port) : isListening(pid: process.pid, port: self.port, udp: true)
            if bound { return }
            if !process.isRunning { break }
            Thread.sleep(forTimeInterval: 0.02)
        }
        let log = (try? String(contentsOf: self.directory.appendingPathComponent("log"), encoding: .utf8)) ?? ""
        process.stop()
        throw TestSupportError("dnsmasq did not start on \(address): \(log.suffix(500))")
    }

    /// Replaces every A/AAAA record and makes dnsmasq reload them.
    public func setRecords(_ records: [String: [String]]) throws {
        lock.lock()
        defer { lock.unlock() }
        let before = reloadCount()
        try Self.writeHosts(records, to: hostsFile)
        process.signal(SIGHUP)
        // dnsmasq logs "read <hosts file>" after each reload: wait for it.
        let deadline = Date().addingTimeInterval(5)
        while reloadCount() <= before {
            guard Date() < deadline else { throw TestSupportError("dnsmasq did not reload \(hostsFile.path) in 5 s") }
            Thread.sleep(forTimeInterval: 0.01)
        }
    }

    private func reloadCount() -> Int {
        let log = (try? String(contentsOf: directory.appendingPathComponent("log"), encoding: .utf8)) ?? ""
        return log.components(separatedBy: "read \(hostsFile.path)").count - 1
    }

    /// Stops dnsmasq (by PID) and removes its files.
    public func stop() {
        process?.stop()
        try? FileManager.default.removeItem(at: directory)
    }

    deinit { stop() }

    private static func writeHosts(_ records: [String: [String]], to url: URL) throws {
        var text = ""
        for (name, addresses) in records.sorted(by: { $0.key < $1.key }) {
            for a in addresses { text += "\(a) \(name)\n" }
        }
        try text.write(to: url, atomically: true, encoding: .utf8)
    }
}

/// A failure in the test harness itself (a tool missing, a process that did not start).
public struct TestSupportError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// The full path of an executable found in PATH.
public func findExecutable(_ name: String) -> String? {
    let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
    let dirs: [String] = path.split(separator: ":").map(String.init) + ["/usr/sbin", "/sbin"]
    for dir in dirs {
        let candidate = "\(dir)/\(name)"
        if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
    }
    return nil
}

/// A UDP port on 127.0.0.1 that was free a moment ago.
public func freeUDPPort() throws -> Int {
    try freePort(type: Int32(SOCK_DGRAM.rawValue))
}

/// A TCP port on 127.0.0.1 that was free a moment ago.
public func freeTCPPort() throws -> Int {
    try freePort(type: Int32(SOCK_STREAM.rawValue))
}

private func freePort(type: Int32) throws -> Int {
    let fd = socket(AF_INET, type, 0)
    guard fd >= 0 else { throw TestSupportError("socket() failed") }
    defer { close(fd) }
    var addr = sockaddr_in()
    addr.sin_family = sa_family_t(AF_INET)
    addr.sin_addr.s_addr = inet_addr("127.0.0.1")
    addr.sin_port = 0
    var len = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafePointer(to: &addr) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, len) }
    }
    guard bound == 0 else { throw TestSupportError("bind() failed") }
    _ = withUnsafeMutablePointer(to: &addr) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) }
    }
    return Int(UInt16(bigEndian: addr.sin_port))
}

private func udpPortInUse(_ port: Int) -> Bool {
    let fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
    guard fd >= 0 else { return false }
    defer { close(fd) }
    var addr = sockaddr_in()
    addr.sin_family = sa_family_t(AF_INET)
    addr.sin_addr.s_addr = inet_addr("127.0.0.1")
    addr.sin_port = in_port_t(UInt16(port).bigEndian)
    let r = withUnsafePointer(to: &addr) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    }
    return r != 0
}

/// Whether the network namespace of process `pid` has a socket bound to `port` (TCP: listening; UDP: bound), read
/// from `/proc/<pid>/net/tcp|udp`, which shows the sockets of that process's namespace whichever namespace we are in.
public func isListening(pid: pid_t, port: Int, udp: Bool = false) -> Bool {
    let hexPort = String(format: ":%04X", port)
    for file in udp ? ["udp", "udp6"] : ["tcp", "tcp6"] {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/net/\(file)", encoding: .utf8) else { continue }
        for line in text.split(separator: "\n").dropFirst() {
            let fields = line.split(separator: " ")
            guard fields.count > 3, fields[1].hasSuffix(hexPort) else { continue }
            if udp || fields[3] == "0A" { return true }  // 0A = TCP_LISTEN
        }
    }
    return false
}
