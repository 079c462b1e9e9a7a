import ClusterDiscovery
import ErlangDistribution
import ErlangTerm
import NIOCore
import Synchronization

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// What to discover and how often.
public struct DiscoveryConfiguration: Sendable {
    /// libcluster DNSPoll (`query`, `node_basename`, `polling_interval`), if used.
    public var dnsPoll: DNSPollConfiguration?
    public var resolver: DNSResolver
    /// Hosts whose EPMD is asked for every registered name (libcluster Epmd / LocalEpmd).
    public var epmdHosts: [EPMDScanTarget]
    /// Nodes given by name.
    public var staticNodes: [String]
    /// Connect the nodes that peers list (`erlang:nodes()`), as a full mesh would.
    public var followPeers: Bool
    /// How often sources are polled and peers asked (the DNS poll's interval when there is one).
    public var interval: Duration
    /// EPMD's port (`ERL_EPMD_PORT`, else 4369).
    public var epmdPort: Int?
    /// Time allowed for each EPMD question and each `erlang:nodes()` call.
    public var probeTimeout: Duration

    public init(
        dnsPoll: DNSPollConfiguration? = nil, resolver: DNSResolver = DNSResolver(), epmdHosts: [EPMDScanTarget] = [],
        staticNodes: [String] = [], followPeers: Bool = true, interval: Duration? = nil, epmdPort: Int? = nil,
        probeTimeout: Duration = .seconds(2)
    ) {
        self.dnsPoll = dnsPoll
        self.resolver = resolver
        self.epmdHosts = epmdHosts
        self.staticNodes = staticNodes
        self.followPeers = followPeers
        self.interval = interval ?? dnsPoll?.pollInterval ?? .seconds(5)
        self.epmdPort = epmdPort
        self.probeTimeout = probeTimeout
    }

    /// Whether any source is configured.
    public var hasSources: Bool { dnsPoll != nil || !epmdHosts.isEmpty || !staticNodes.isEmpty }
}

/// Everything discovery knows at one moment.
public struct DiscoverySnapshot: Sendable {
    public var time: Date
    public var ownNode: String
    public var configuration: DiscoveryConfiguration
    public var nodes: [DiscoveredNode]
    /// How many peers each node should see: those it lists and the nodes up for us that it does not (see
    /// `DiscoveryTable.expectedPeers(of:)`); never fewer than it sees.
    public var expectedPeers: [String: Int]
    /// The DNS polls, newest last (with the EPMD and connection warnings added).
    public var reports: [DNSPollReport]
    /// The latest EPMD answers per address (DNS addresses and scanned hosts).
    public var epmd: [String: EPMDProbe]
    public var events: [DiscoveryEvent]
}

/// Runs the sources: polls DNS as libcluster DNSPoll does, scans EPMD hosts, asks each connected node for its peers,
/// and connects (as a hidden node) what they find. The decisions are ``DiscoveryTable``'s; this class does the I/O.
public final class DiscoveryService: Sendable {
    public let node: LocalNode
    public let configuration: DiscoveryConfiguration

    private struct State {
        var table: DiscoveryTable
        var poll: DNSPollState?
        var reports: [DNSPollReport] = []
        var published = 0
        var subscribers: [UUID: AsyncStream<DiscoveryEvent>.Continuation] = [:]
        var loop: Task<Void, Never>?
        var listener: Task<Void, Never>?
        var connecting: Set<String> = []
    }
    private let state: Mutex<State>
    /// How many DNS polls are kept for the `dns` view.
    public static let keptReports = 20

    public init(node: LocalNode, configuration: DiscoveryConfiguration) {
        self.node = node
        self.configuration = configuration
        var table = DiscoveryTable(ownNode: node.name)
        table.retryBase = configuration.interval
        var poll = configuration.dnsPoll.map(DNSPollState.init(configuration:))
        poll?.churnWindow = 5
        state = Mutex(State(table: table, poll: poll))
        // Connections that exist already.
        let now = Date()
        state.withLock { s in
            for p in node.peerSnapshots() { s.table.applyConnection(p.node, p.state, now: now) }
        }
    }

    deinit {
        state.withLock { s in
            s.loop?.cancel()
            s.listener?.cancel()
            for c in s.subscribers.values { c.finish() }
        }
    }

    // MARK: - Running

    /// Starts polling in the background, and follows connection changes. The first round starts at once. Returns
    /// false when it was running already.
    @discardableResult
    public func start() -> Bool {
        let (loop, listener) = state.withLock { s -> (Bool, Bool) in (s.loop == nil, s.listener == nil) }
        if listener { startListening() }
        guard loop else { return false }
        let task = Task { [weak self] in
            while !Task.isCancelled {
                guard let self else { return }
                await self.pollOnce(waitForConnections: false)
                try? await Task.sleep(for: self.configuration.interval)
            }
        }
        state.withLock { $0.loop = task }
        return true
    }

    /// Follows `LocalNode.events()` into the table (also done by ``start()``).
    public func startListening() {
        let stream = node.events()
        let task = Task { [weak self] in
            for await event in stream {
                guard let self else { return }
                if case .connectionState(let n, let st) = event {
                    self.mutate { $0.applyConnection(n, st, now: Date(), jitter: Double.random(in: 0...1)) }
                }
            }
        }
        state.withLock { s in
            s.listener?.cancel()
            s.listener = task
        }
    }

    public func stop() {
        state.withLock { s in
            s.loop?.cancel()
            s.loop = nil
            s.listener?.cancel()
            s.listener = nil
        }
    }

    /// One round: every source, EPMD on new addresses, connections, and each connected node's peers. With
    /// `waitForConnections` the connection attempts (and one more round of peers' peers) finish before it returns,
    /// as a one-shot command needs.
    public func pollOnce(waitForConnections: Bool) async {
        let now = Date()
        var actions: [DiscoveryAction] = []
        var dnsAddresses: [String] = []
        var report: DNSPollReport?

        // Static nodes.
        if !configuration.staticNodes.isEmpty {
            actions += mutate { $0.setSource(.static, nodes: configuration.staticNodes + $0.staticExtras, now: now) }
        }
        // DNS.
        if let dns = configuration.dnsPoll {
            let outcomes = await lookup(dns)
            dnsAddresses = outcomes.flatMap { (try? $0.get())?.records.map(\.value) ?? [] }
            var r = state.withLock { s in s.poll!.record(outcomes) }
            r.time = now
            report = r
            let known = r.nodes.map { NodeName($0)?.host ?? $0 }
            actions += mutate { $0.applyDNS(r, addresses: Array(Set(dnsAddresses).union(known)), now: now) }
        }
        // EPMD hosts.
        if !configuration.epmdHosts.isEmpty {
            let targets = configuration.epmdHosts.map { t in
                EPMDScanTarget(host: t.host, port: t.port ?? configuration.epmdPort)
            }
            let scans = await EPMDScanner(timeout: configuration.probeTimeout, group: node.eventLoopGroup).scan(targets)
            actions += mutate { t in
                for scan in scans {
                    switch scan.result {
                    case .success(let entries):
                        t.applyEPMD(address: scan.target.host, .names(entries.map { .init(name: $0.name, port: $0.port) }))
                    case .failure(let e):
                        t.applyEPMD(address: scan.target.host, .failed(code: e.code.rawValue, message: e.message))
                    }
                }
                return t.setSource(.epmd, nodes: scans.flatMap(\.nodes), now: now)
            }
        }
        actions += state.withLock { $0.table.retries(now: now) }
        await perform(actions, wait: waitForConnections)
        syncConnections()

        // The EPMD answers are in: finish the DNS report with what only they and the connections can tell.
        if var r = report, let dns = configuration.dnsPoll {
            let extra = state.withLock { $0.table.recordWarnings(addresses: dnsAddresses, basename: dns.basename) }
            r.warnings += extra
            let previous = state.withLock { s -> [DNSPollWarning] in
                let before = s.reports.last?.warnings ?? []
                s.reports.append(r)
                if s.reports.count > Self.keptReports { s.reports.removeFirst(s.reports.count - Self.keptReports) }
                return before
            }
            mutate { $0.applyDNSWarnings(r.warnings, previous: previous, now: now) }
        }
        await askPeers(wait: waitForConnections)
        syncConnections()
    }

    /// Brings the table's connection states up to date with the node's (events may still be on their way).
    public func syncConnections() {
        let now = Date()
        let peers = node.peerSnapshots()
        mutate { t in for p in peers { t.applyConnection(p.node, p.state, now: p.since < now ? p.since : now, jitter: Double.random(in: 0...1)) } }
    }

    /// Connects what was found, asks EPMD on new addresses.
    private func perform(_ actions: [DiscoveryAction], wait: Bool) async {
        guard !actions.isEmpty else { return }
        await withTaskGroup(of: Void.self) { group in
            for action in Set(actions) {
                switch action {
                case .probeEPMD(let address):
                    // Probes are quick (bounded by probeTimeout) and the report waits for them.
                    group.addTask { await self.probe(address) }
                case .connect(let n):
                    let fresh = state.withLock { $0.connecting.insert(n).inserted }
                    guard fresh else { continue }
                    let attempt = Task {
                        _ = try? await self.node.connect(to: n)
                        _ = self.state.withLock { $0.connecting.remove(n) }
                    }
                    if wait { group.addTask { await attempt.value } }
                }
            }
        }
    }

    private func probe(_ address: String) async {
        let result = await Self.epmdNames(
            EPMDScanTarget(host: address, port: configuration.epmdPort), timeout: configuration.probeTimeout, node: node)
        mutate { $0.applyEPMD(address: address, result) }
    }

    /// Asks every connected node for `erlang:nodes()`, timing the round trip; with `wait`, repeats once for the nodes
    /// that turned up, so a one-shot command sees the whole mesh.
    private func askPeers(wait: Bool) async {
        var asked = Set<String>()
        for _ in 0..<(wait ? 3 : 1) {
            let up = node.peerSnapshots().filter { $0.state == .up && !asked.contains($0.node) }.map(\.node)
            if up.isEmpty { break }
            asked.formUnion(up)
            let timeout = min(configuration.probeTimeout, configuration.interval)
            let results = await withTaskGroup(of: (String, [String]?, Duration).self) { group in
                for n in up {
                    group.addTask {
                        let clock = ContinuousClock()
                        let start = clock.now
                        let r = try? await self.node.call(
                            node: n, module: "erlang", function: "nodes", arguments: [],
                            options: CallOptions(method: .rex, timeout: timeout, captureOutput: false))
                        let rtt = clock.now - start
                        guard case .value(let t)? = r?.result, let list = t.listElements else { return (n, nil, rtt) }
                        return (n, list.compactMap(\.atomName), rtt)
                    }
                }
                var out: [(String, [String]?, Duration)] = []
                for await r in group { out.append(r) }
                return out
            }
            let now = Date()
            let actions = mutate { t -> [DiscoveryAction] in
                var a: [DiscoveryAction] = []
                for (n, list, rtt) in results {
                    if let list {
                        a += t.applyPeers(n, visible: list, rtt: rtt, now: now)
                    } else {
                        t.clearPeers(n)
                    }
                }
                return a
            }
            guard configuration.followPeers else { continue }
            await perform(actions, wait: wait)
        }
    }

    private func lookup(_ dns: DNSPollConfiguration) async -> [Result<DNSAnswer, DNSError>] {
        let resolver = configuration.resolver
        return await withTaskGroup(of: (Int, Result<DNSAnswer, DNSError>).self) { group in
            for (i, type) in dns.recordTypes.enumerated() {
                group.addTask {
                    do throws(DNSError) {
                        return (i, .success(try await resolver.lookup(dns.query, type: type)))
                    } catch {
                        return (i, .failure(error))
                    }
                }
            }
            var out: [(Int, Result<DNSAnswer, DNSError>)] = []
            for await r in group { out.append(r) }
            return out.sorted { $0.0 < $1.0 }.map(\.1)
        }
    }

    /// EPMD's NAMES answer on a host.
    public static func epmdNames(_ host: EPMDScanTarget, timeout: Duration, node: LocalNode) async -> EPMDProbe {
        let client = EPMDClient(host: host.host, port: host.port, timeout: timeout, group: node.eventLoopGroup)
        do throws(DistributionError) {
            return .names(try await client.names().map { .init(name: $0.name, port: $0.port) })
        } catch {
            return .failed(code: error.code.rawValue, message: error.message)
        }
    }

    // MARK: - Reading

    public func snapshot() -> DiscoverySnapshot {
        state.withLock { s in
            let nodes = s.table.sortedNodes
            var expected: [String: Int] = [:]
            for n in nodes { expected[n.name] = s.table.expectedPeers(of: n.name) }
            return DiscoverySnapshot(
                time: Date(), ownNode: node.name, configuration: configuration, nodes: nodes, expectedPeers: expected,
                reports: s.reports, epmd: s.table.epmd, events: s.table.events)
        }
    }

    /// One node as the table has it (nil when no source lists it and we never connected to it), without the
    /// snapshot's per-node work: what the REPL's prompt reads for its target.
    public func discoveredNode(named name: String) -> DiscoveredNode? { state.withLock { $0.table.nodes[name] } }

    /// The nodes in any source (or connected), sorted.
    public var knownNodes: [String] { state.withLock { $0.table.sortedNodes.map(\.name) } }

    /// The nodes some source lists (connected or not; not the ones that are only connected), sorted: the names of
    /// ``snapshot()``'s nodes with a source, without the snapshot's per-node work (its expected peer counts are
    /// quadratic in the cluster's size).
    public var listedNodes: [String] {
        state.withLock { s in s.table.nodes.values.compactMap { $0.sources.isEmpty ? nil : $0.name } }.sorted()
    }

    /// Events from now on (DNS changes, nodeup/nodedown, failures, peers' views).
    public func events() -> AsyncStream<DiscoveryEvent> {
        let (stream, continuation) = AsyncStream<DiscoveryEvent>.makeStream(bufferingPolicy: .bufferingNewest(1000))
        let id = UUID()
        state.withLock { $0.subscribers[id] = continuation }
        continuation.onTermination = { [weak self] _ in _ = self?.state.withLock { $0.subscribers.removeValue(forKey: id) } }
        return stream
    }

    /// Adds nodes to the static source (the REPL's `connect`).
    public func addStatic(_ names: [String]) {
        mutate { $0.staticExtras += names }
    }

    @discardableResult
    private func mutate<R>(_ body: (inout DiscoveryTable) -> R) -> R {
        let r = state.withLock { body(&$0.table) }
        publish()
        return r
    }

    private func publish() {
        let (fresh, subscribers) = state.withLock { s -> ([DiscoveryEvent], [AsyncStream<DiscoveryEvent>.Continuation]) in
            let newCount = s.table.totalEvents - s.published
            s.published = s.table.totalEvents
            guard newCount > 0 else { return ([], []) }
            return (Array(s.table.events.suffix(min(newCount, s.table.events.count))), Array(s.subscribers.values))
        }
        for e in fresh { for c in subscribers { c.yield(e) } }
    }
}

extension Term {
    fileprivate var listElements: [Term]? {
        switch self {
        case .list(let l): return l
        default: return nil
        }
    }
    fileprivate var atomName: String? {
        if case .atom(let a) = self { return a.name }
        return nil
    }
}
