import ClusterDiscovery
import ErlangDistribution
import NIOCore
import NIOPosix

/// One host whose EPMD to ask: `host`, `host:port`, `[IPv6]` or `[IPv6]:port` (a bare IPv6 address, which has more
/// than one colon, is taken whole as the host).
public struct EPMDScanTarget: Sendable, Hashable, CustomStringConvertible {
    /// An IPv4 address, an IPv6 address (without brackets), or a host name.
    public var host: String
    /// The EPMD port; nil for the default (`ERL_EPMD_PORT`, else 4369).
    public var port: Int?

    public init(host: String, port: Int? = nil) { self.host = host; self.port = port }

    /// As it would be written in `--epmd-hosts` (IPv6 in brackets when a port follows).
    public var description: String {
        guard let port else { return host }
        return host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
    }

    /// Whether the host is an IPv4 or IPv6 address literal.
    public var isAddressLiteral: Bool {
        var v4 = in_addr(), v6 = in6_addr()
        return inet_pton(AF_INET, host, &v4) == 1 || inet_pton(AF_INET6, host, &v6) == 1
    }
}

/// How the nodes on a scanned host are named: the host part of `name@host`.
public enum EPMDNodeNameStyle: Sendable, Hashable {
    /// `-sname`: the host part is a short host name (the first label).
    case short
    /// `-name`: the host part is an address or a fully qualified name, as given.
    case long
}

/// What EPMD on one host said: the registered names, or why it could not be asked.
public struct EPMDHostScan: Sendable, Hashable {
    /// One name registered with EPMD, and the node name it forms on that host.
    public struct Entry: Sendable, Hashable {
        /// The alive part, as EPMD lists it.
        public var name: String
        /// The node's distribution port.
        public var port: Int
        /// `name@host`, the host part chosen by ``EPMDScan/nodeHost(for:localHost:style:)``.
        public var node: String
        public init(name: String, port: Int, node: String) { self.name = name; self.port = port; self.node = node }
    }

    public var target: EPMDScanTarget
    /// The entries in EPMD's order, or the failure.
    public var result: Result<[Entry], EPMDScanError>

    public init(target: EPMDScanTarget, result: Result<[Entry], EPMDScanError>) {
        self.target = target; self.result = result
    }

    /// The node names found (none on failure).
    public var nodes: [String] { (try? result.get())?.map(\.node) ?? [] }
}

/// A host list that does not parse, or one host whose EPMD could not be asked. Its codes are
/// ``DistributionError``'s (one set of EPMD codes): ``DistributionError/Code/invalidHost`` for a host list that does
/// not parse, and the EPMD stage's codes (``DistributionError/Code/epmdRefused``,
/// ``DistributionError/Code/epmdTimeout``, ``DistributionError/Code/epmdProtocol``,
/// ``DistributionError/Code/hostNotFound``, ``DistributionError/Code/ioError``) for a host that could not be asked.
public struct EPMDScanError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The distribution client's codes.
    public typealias Code = DistributionError.Code

    public var code: Code
    /// The host as written (`host`, `host:port`, `[::1]:4369`).
    public var host: String
    /// Human-readable detail.
    public var message: String
    /// The distribution client's error behind a failed scan, with its typed facts (nil for a bad host list).
    public var underlying: DistributionError?

    public init(_ code: Code, host: String, _ message: String) {
        self.code = code
        self.host = host
        self.message = message
    }

    /// The EPMD failure for `target`, from the distribution client's error (its code as it is).
    public init(_ error: DistributionError, target: EPMDScanTarget) {
        self.init(error.code, host: target.description, error.message)
        self.underlying = error
    }

    public var description: String { "EPMD scan of \(host) failed (\(code)): \(message)" }
}

/// The pure part of an EPMD host scan (libcluster's `Cluster.Strategy.Epmd` and `LocalEpmd`): parsing a host list
/// and forming node names. No I/O.
public enum EPMDScan {
    /// Parses a comma-separated host list (`host1,host2:4370,[::1]:4369`); spaces around entries are ignored and
    /// repeated entries are kept once. Throws ``EPMDScanError/Code/invalidHost`` on an empty entry, a bad port or
    /// an unclosed bracket.
    public static func parseHosts(_ text: String) throws(EPMDScanError) -> [EPMDScanTarget] {
        var out: [EPMDScanTarget] = []
        for raw in text.split(separator: ",", omittingEmptySubsequences: false) {
            let entry = raw.trimmingScalars(where: \.isBlank)
            let t = try parseHost(entry)
            if !out.contains(t) { out.append(t) }
        }
        return out
    }

    /// Parses one `host`, `host:port`, `[IPv6]` or `[IPv6]:port`.
    public static func parseHost(_ entry: String) throws(EPMDScanError) -> EPMDScanTarget {
        func invalid(_ why: String) -> EPMDScanError { EPMDScanError(.invalidHost, host: entry, why) }
        func port(_ s: Substring) throws(EPMDScanError) -> Int {
            guard let p = Int(s), (1...65535).contains(p) else { throw invalid("bad EPMD port '\(s)'") }
            return p
        }
        guard !entry.isEmpty else { throw invalid("empty host in the host list") }
        guard !entry.contains(where: { $0 == " " || $0 == "@" || $0 == "/" }) else {
            throw invalid("'\(entry)' is not a host or host:port")
        }
        if entry.hasPrefix("[") {
            guard let close = entry.firstIndex(of: "]") else { throw invalid("unclosed [ in '\(entry)'") }
            let host = entry[entry.index(after: entry.startIndex)..<close]
            guard !host.isEmpty else { throw invalid("empty host in '\(entry)'") }
            let after = entry[entry.index(after: close)...]
            if after.isEmpty { return EPMDScanTarget(host: String(host)) }
            guard after.hasPrefix(":") else { throw invalid("text after ] in '\(entry)'") }
            return EPMDScanTarget(host: String(host), port: try port(after.dropFirst()))
        }
        let colons = entry.filter { $0 == ":" }.count
        if colons == 1, let colon = entry.firstIndex(of: ":") {
            let host = entry[..<colon]
            guard !host.isEmpty else { throw invalid("empty host in '\(entry)'") }
            return EPMDScanTarget(host: String(host), port: try port(entry[entry.index(after: colon)...]))
        }
        return EPMDScanTarget(host: entry)  // a name, an IPv4 address, or a bare IPv6 address
    }

    /// The host part of the node names on `target`:
    ///
    /// - `localhost`: `localHost`, our own node's host part, as libcluster's LocalEpmd forms `name@<our host>` (for
    ///   short names that is this machine's short host name, which is what `erl -sname` registers under);
    /// - an address literal: the address (nodes started with `-name app@10.0.1.5`);
    /// - a fully qualified name: as given, or its first label when `style` is `.short`;
    /// - a short name: as given (nodes started with `-sname app@host`).
    ///
    /// `style` nil infers it from the host (a dot or an address: long; otherwise short).
    public static func nodeHost(for target: EPMDScanTarget, localHost: String, style: EPMDNodeNameStyle? = nil)
        -> String
    {
        let host = target.host
        if host.lowercased() == "localhost" { return localHost }
        if target.isAddressLiteral { return host }
        if style == .short, let first = host.split(separator: ".").first { return String(first) }
        return host
    }

    /// `name@host` for each registered name, in EPMD's order.
    public static func entries(
        _ names: [(name: String, port: Int)], on target: EPMDScanTarget, localHost: String,
        style: EPMDNodeNameStyle? = nil
    ) -> [EPMDHostScan.Entry] {
        let host = nodeHost(for: target, localHost: localHost, style: style)
        return names.map { EPMDHostScan.Entry(name: $0.name, port: $0.port, node: "\($0.name)@\(host)") }
    }

    /// This machine's short host name (what `erl -sname` uses).
    public static var localShortHostname: String {
        var buf = [CChar](repeating: 0, count: 256)
        gethostname(&buf, 255)
        let h = String(decoding: buf.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return h.split(separator: ".").first.map(String.init) ?? h
    }
}

/// Asks EPMD on each host for its registered names (NAMES), all hosts concurrently, each bounded by `timeout`.
///
/// ```swift
/// let scanner = EPMDScanner(timeout: .seconds(2))
/// for host in await scanner.scan(try EPMDScan.parseHosts("localhost,10.0.1.5:4369")) {
///     switch host.result {
///     case .success(let entries): print(host.target, entries.map(\.node))
///     case .failure(let e): print(e)       // e.code: .epmdRefused, .epmdTimeout, .epmdProtocol, ...
///     }
/// }
/// ```
public struct EPMDScanner: Sendable {
    /// Per host: the TCP connect, and then the reply.
    public var timeout: Duration
    /// Our own node's host part, used for `localhost` (see ``EPMDScan/nodeHost(for:localHost:style:)``).
    public var localHost: String
    /// How nodes are named; nil infers it per host.
    public var nameStyle: EPMDNodeNameStyle?
    public var group: any EventLoopGroup

    public init(
        timeout: Duration = .seconds(2), localHost: String = EPMDScan.localShortHostname,
        nameStyle: EPMDNodeNameStyle? = nil, group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    ) {
        self.timeout = timeout; self.localHost = localHost; self.nameStyle = nameStyle; self.group = group
    }

    /// Scans every target concurrently; the results are in the targets' order.
    public func scan(_ targets: [EPMDScanTarget]) async -> [EPMDHostScan] {
        await withTaskGroup(of: (Int, EPMDHostScan).self) { group in
            for (i, t) in targets.enumerated() {
                group.addTask { (i, await self.scan(t)) }
            }
            var out = [EPMDHostScan?](repeating: nil, count: targets.count)
            for await (i, r) in group { out[i] = r }
            return out.compactMap { $0 }
        }
    }

    /// Asks one host's EPMD.
    public func scan(_ target: EPMDScanTarget) async -> EPMDHostScan {
        let client = EPMDClient(host: target.host, port: target.port, timeout: timeout, group: group)
        do throws(DistributionError) {
            let names = try await client.names().map { (name: $0.name, port: $0.port) }
            let entries = EPMDScan.entries(names, on: target, localHost: localHost, style: nameStyle)
            return EPMDHostScan(target: target, result: .success(entries))
        } catch {
            return EPMDHostScan(target: target, result: .failure(EPMDScanError(error, target: target)))
        }
    }
}

