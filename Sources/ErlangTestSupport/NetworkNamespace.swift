import Foundation

/// The `ip` and network-namespace plumbing under ``NetnsCluster``: creating namespaces and veth pairs into the
/// switch's bridge, permanent neighbour entries, running `ip` and commands inside a namespace, deleting namespaces
/// (killing what still runs in them, by PID), and choosing a free subnet.
extension NetnsCluster {
    /// Runs `body` holding the cluster's lock.
    func locked<T>(_ body: () throws -> T) rethrows -> T {
        lock.lock()
        defer { lock.unlock() }
        return try body()
    }

    func addNamespace(_ name: String) throws {
        try ip(["netns", "add", name])
        locked { namespaces.append(name) }
        try ip(["-n", name, "link", "set", "lo", "up"])
    }

    /// Creates `namespace` with `eth0` at `address`/24 (and a MAC address derived from it), its peer `port` plugged
    /// into the switch's bridge. Call ``syncNeighbors()`` once a batch is attached. With `resolver`, a process run in
    /// it by `ip netns exec` sees this run's dnsmasq as its `/etc/resolv.conf` (`/etc/netns/<namespace>/resolv.conf`,
    /// removed with the namespace), as a task sees the VPC's resolver.
    func attach(_ namespace: String, port: String, address: String, resolver: Bool = false) throws {
        try addNamespace(namespace)
        if resolver {
            let dir = URL(fileURLWithPath: Self.namespaceEtc).appendingPathComponent(namespace)
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            try "nameserver \(dnsIP)\noptions timeout:1 attempts:2\n".write(
                to: dir.appendingPathComponent("resolv.conf"), atomically: true, encoding: .utf8)
        }
        try ip(["-n", switchNamespace, "link", "add", port, "type", "veth", "peer", "name", "eth0", "address",
                Self.mac(address), "netns", namespace])
        try ip(["-n", switchNamespace, "link", "set", port, "master", "br0", "up"])
        try ip(["-n", namespace, "addr", "add", "\(address)/24", "dev", "eth0"])
        try ip(["-n", namespace, "link", "set", "eth0", "up"])
        locked { hosts.append((namespace, address)) }
    }

    /// `02:42:` and the IPv4 address's four bytes: a locally administered MAC that ``syncNeighbors()`` can predict.
    static func mac(_ address: String) -> String {
        "02:42:" + address.split(separator: ".").map { String(format: "%02x", Int($0) ?? 0) }.joined(separator: ":")
    }

    /// Gives every namespace a permanent neighbour (ARP) entry for every other one's address. The kernel's ARP table
    /// is shared by all namespaces and holds 1024 learned entries by default (`gc_thresh3`): fifty tasks that all
    /// talk to each other need 2,500, and past the limit the kernel drops packets ("neighbor table overflow"), so
    /// connections time out at random. Permanent entries do not count against that limit, and no ARP is needed.
    func syncNeighbors() throws {
        let (all, done) = locked { (hosts, neighbors) }
        for (namespace, own) in all {
            let missing = all.filter { $0.address != own && !(done[namespace]?.contains($0.address) ?? false) }
            guard !missing.isEmpty else { continue }
            let batch = directory.appendingPathComponent("neigh-\(UUID().uuidString)")
            defer { try? FileManager.default.removeItem(at: batch) }
            try missing.map { "neigh replace \($0.address) lladdr \(Self.mac($0.address)) dev eth0 nud permanent" }
                .joined(separator: "\n").appending("\n").write(to: batch, atomically: true, encoding: .utf8)
            try ip(["-n", namespace, "-batch", batch.path])
            locked { neighbors[namespace, default: []].formUnion(missing.map(\.address)) }
        }
    }

    func ip(_ arguments: [String]) throws {
        let file = directory.appendingPathComponent("ip-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: file) }
        let p = try ChildProcess(executable: ipTool, arguments: arguments, outputPath: file.path)
        guard p.wait(timeout: 10) != nil else {
            p.stop()
            throw TestSupportError("ip \(arguments.joined(separator: " ")) did not finish")
        }
        guard p.exitCode == 0 else {
            let out = (try? String(contentsOf: file, encoding: .utf8)) ?? ""
            throw TestSupportError("ip \(arguments.joined(separator: " ")) failed: \(out)")
        }
    }

    /// Runs a short command in a namespace and throws unless it succeeds.
    func check(in namespace: String, _ command: [String]) throws {
        let r = try run(in: namespace, command, timeout: 10)
        guard r.status == 0 else {
            let what = command.joined(separator: " ")
            throw TestSupportError("\(what) in \(namespace) failed (\(r.status)): \(r.stdout)\(r.stderr)")
        }
    }

    /// Starts a long-running process in a namespace; it is stopped by PID at teardown.
    func spawn(
        in namespace: String, _ command: [String], environment: [String: String]? = nil, outputPath: String
    ) throws -> ChildProcess {
        let p = try ChildProcess(
            executable: ipTool, arguments: ["netns", "exec", namespace] + command, environment: environment,
            outputPath: outputPath)
        locked { processes.append(p) }
        return p
    }

    func tail(_ path: String, bytes: Int = 2000) -> String {
        String(((try? String(contentsOfFile: path, encoding: .utf8)) ?? "(no log)").suffix(bytes))
    }

    static func deleteNamespace(_ name: String, ip: String) {
        // Whatever still runs inside is ours (it is in our namespace): kill it by PID so the namespace goes away.
        let pids = (try? ChildProcess.output(of: ip, ["netns", "pids", name])) ?? ""
        for pid in pids.split(separator: "\n").compactMap({ pid_t($0) }) { kill(pid, SIGKILL) }
        _ = try? ChildProcess.output(of: ip, ["netns", "delete", name])
        try? FileManager.default.removeItem(atPath: namespaceEtc + "/" + name)
    }

    /// Where `ip netns exec` finds a namespace's own `/etc` files.
    static let namespaceEtc = "/etc/netns"

    /// A random 10.<200-250>.<0-255> prefix that no route or address of this host uses.
    static func chooseSubnet() throws -> String {
        let ip = findExecutable("ip") ?? "/usr/sbin/ip"
        let used = ((try? ChildProcess.output(of: ip, ["-4", "route", "show", "table", "all"])) ?? "")
            + ((try? ChildProcess.output(of: ip, ["-4", "addr"])) ?? "")
        for _ in 0..<50 {
            let prefix = "10.\(Int.random(in: 200...250)).\(Int.random(in: 0...255))"
            if !used.contains(prefix + ".") { return prefix }
        }
        throw TestSupportError("no free 10.200-250.x.0/24 subnet")
    }
}
