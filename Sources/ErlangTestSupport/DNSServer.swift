import Foundation

/// A real DNS server for tests: dnsmasq on 127.0.0.1 at an unprivileged port, authoritative for one domain,
/// answering from a hosts file the test rewrites while it runs (dnsmasq re-reads it on SIGHUP).
/// Started and stopped by PID.
public final class DNSServer: @unchecked Sendable {
    public let port: Int
    public let domain: String
    /// `127.0.0.1:port`, for `--dns-server` and `DNSResolver(servers:)`.
    public var address: String { "127.0.0.1:\(port)" }

    private var process: ChildProcess!
    private let directory: URL
    private var hostsFile: URL { directory.appendingPathComponent("hosts") }

    /// Starts dnsmasq serving `records` (name → addresses) with `ttl`, plus SRV records
    /// (`_service._tcp.name` → [(target, port)]).
    public init(
        domain: String = "organization.local", records: [String: [String]] = [:], ttl: Int = 10,
        srv: [String: [(String, Int)]] = [:]
    ) throws {
        self.domain = domain
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("dnsmasq-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        port = try freeUDPPort()
        try Self.writeHosts(records, to: directory.appendingPathComponent("hosts"))
        guard let dnsmasq = findExecutable("dnsmasq") else {
            throw TestSupportError("dnsmasq not found: install Debian's dnsmasq-base (make test does)")
        }
        var args = [
            "--keep-in-foreground", "--conf-file=/dev/null", "--port=\(port)", "--listen-address=127.0.0.1",
            "--bind-interfaces", "--no-resolv", "--no-hosts", "--no-negcache", "--user=root", "--pid-file",
            "--addn-hosts=\(directory.appendingPathComponent("hosts").path)", "--local-ttl=\(ttl)",
            "--local=/\(domain)/", "--log-facility=\(directory.appendingPathComponent("log").path)", "--log-queries",
        ]
        for (name, targets) in srv {
            for (target, p) in targets { args.append("--srv-host=\(name),\(target),\(p)") }
        }
        process = try ChildProcess(executable: dnsmasq, arguments: args)
        // Wait until it answers.
        let deadline = Date().addingTimeInterval(5)
        while Date() < deadline {
            if udpPortInUse(port) { return }
            Thread.sleep(forTimeInterval: 0.02)
        }
        throw TestSupportError("dnsmasq did not start on port \(port)")
    }

    /// Replaces every A/AAAA record and makes dnsmasq reload them.
    public func setRecords(_ records: [String: [String]]) throws {
        let before = reloadCount()
        try Self.writeHosts(records, to: hostsFile)
        process.signal(SIGHUP)
        // dnsmasq logs "read <hosts file>" after each reload: wait for it.
        let deadline = Date().addingTimeInterval(5)
        while reloadCount() <= before, Date() < deadline { Thread.sleep(forTimeInterval: 0.01) }
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
