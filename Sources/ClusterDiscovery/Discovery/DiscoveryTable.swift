#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// What the discovery table reads from a connection state: only whether it is up, in progress, or ended and why.
/// ClusterMembership conforms ErlangDistribution's `PeerConnectionState` (and names the tables that use it
/// `DiscoveryTable`, `DiscoveredNode` and `DiscoveryEvent`); another transport, or a test, can conform its own, so the
/// table's decisions are usable without the distribution stack.
public protocol DiscoveryConnectionState: Hashable, Sendable {
    /// Why a connection went down or could not be opened.
    associatedtype Failure: DiscoveryFailure
    /// Where the connection stands.
    var phase: DiscoveryConnectionPhase<Failure> { get }
}

/// A connection failure as the discovery table reports it.
public protocol DiscoveryFailure: Hashable, Sendable {
    /// A stable code (`tick_timeout`, `epmd_refused`, …).
    var codeText: String { get }
    /// How far the connection got (`epmd`, `handshake`, `connection`, …).
    var stageText: String { get }
}

/// The four things the discovery table distinguishes in a connection state.
public enum DiscoveryConnectionPhase<Failure: DiscoveryFailure>: Hashable, Sendable {
    /// An attempt is under way (resolving, asking EPMD, connecting, handshaking).
    case connecting
    case up
    /// An established connection ended.
    case down(Failure)
    /// An attempt failed.
    case failed(Failure)
}

/// Where the console learned of a node.
public enum NodeSource: String, Sendable, Hashable, CaseIterable, Comparable, CustomStringConvertible {
    /// A DNS poll's answer (libcluster DNSPoll: `basename@IP`).
    case dns
    /// An EPMD host scan (libcluster Epmd / LocalEpmd: every name a host registers).
    case epmd
    /// Given on the command line (`--nodes`, `--connect`, `RELEASE_NODE`) or connected by hand.
    case `static`
    /// Listed by a peer's `erlang:nodes()`.
    case peers

    public var description: String { rawValue }
    public static func < (a: NodeSource, b: NodeSource) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }
}

/// One name that EPMD lists (`erl_epmd:names/1`): the node's alive part and its distribution port.
public struct EPMDRegisteredName: Hashable, Sendable {
    public var name: String
    public var port: Int
    public init(name: String, port: Int) {
        self.name = name
        self.port = port
    }
}

/// What EPMD on an address said when we asked it for its names.
public enum EPMDProbe: Sendable, Hashable {
    case names([EPMDRegisteredName])
    /// EPMD could not be asked: a stable code (`epmd_refused`, `epmd_timeout`, `refused`…) and the cause.
    case failed(code: String, message: String)
}

/// One node as the discovery view sees it. `State` is the connection state the transport reports (ClusterMembership's
/// `DiscoveredNode` is this over ErlangDistribution's `PeerConnectionState`).
public struct DiscoveredNodeOf<State: DiscoveryConnectionState>: Sendable, Hashable {
    public var name: String
    public var sources: Set<NodeSource>
    /// Its distribution port, when EPMD told us.
    public var epmdPort: Int?
    /// Our connection to it (nil until we try).
    public var connection: State?
    /// When `connection` last changed.
    public var since: Date?
    /// The last round trip (`erlang:nodes()`), when up.
    public var rtt: Duration?
    /// The visible peers it reports (`erlang:nodes()`), when we could ask.
    public var visiblePeers: [String]?
    /// The last thing that happened to it, for the watch view.
    public var lastEvent: String?
    public var firstSeen: Date
    /// The sources that listed it and no longer do (a source that lists it again is taken off). A node that left
    /// the DNS answer but is still in another source (given with `--connect`, say) has `dns` here.
    public var leftSources: Set<NodeSource> = []
    /// Why its last established connection went down (nil while up, or if it never was).
    public var lastDown: State.Failure?
    /// Consecutive failed connection attempts (for the retry back-off).
    public var failures = 0
    /// Not before this time do we try connecting again.
    public var retryAt: Date?

    public init(name: String, sources: Set<NodeSource>, firstSeen: Date) {
        self.name = name
        self.sources = sources
        self.firstSeen = firstSeen
    }

    public var isUp: Bool { connection?.phase == .up }
    /// The host part (`a.b.c.d` of `myapp@a.b.c.d`).
    public var host: String { name.split(separator: "@", maxSplits: 1).last.map(String.init) ?? name }
    public var alive: String { name.split(separator: "@", maxSplits: 1).first.map(String.init) ?? name }
}

/// Something discovery noticed, with its time. The watch view's event pane and its NDJSON stream.
public struct DiscoveryEventOf<State: DiscoveryConnectionState>: Sendable, Hashable {
    public enum Kind: Sendable, Hashable {
        /// A DNS poll's answer changed (or its first answer).
        case dnsChanged(sequence: Int, added: [String], removed: [String])
        /// A poll warning (see ``DNSPollWarning``), reported when it first appears.
        case dnsWarning(String)
        /// A node turned up in a source.
        case discovered(node: String, source: NodeSource)
        /// A node left every source (it may still be connected).
        case vanished(node: String)
        case nodeUp(node: String)
        case nodeDown(node: String, reason: State.Failure)
        case connectFailed(node: String, error: State.Failure)
        /// A node's reported peers (`erlang:nodes()`) changed, or were reported for the first time.
        case peersChanged(node: String, PeerListChange)
    }
    public var time: Date
    public var kind: Kind
    public init(time: Date, kind: Kind) {
        self.time = time
        self.kind = kind
    }
}

/// How a node's list of visible peers changed, and how it compares with what the console knows is alive: the
/// ``DiscoveryEventOf/Kind/peersChanged(node:_:)`` event. Nothing here is a guess: `missing` holds only nodes the
/// console itself is connected to (or that answer it), so an empty or partial view of the cluster never makes a
/// node look short of peers.
public struct PeerListChange: Sendable, Hashable {
    /// Whom it lists now, sorted.
    public var sees: [String]
    /// Whether this is its first report (since we connected to it): `added` and `removed` are then empty.
    public var isFirstReport: Bool
    /// Nodes its list gained since its previous report, sorted.
    public var added: [String]
    /// Nodes its list lost since its previous report, sorted.
    public var removed: [String]
    /// Nodes that are up for us (or answer us) and that it does not list: gaps in a full mesh, sorted.
    public var missing: [String]

    public init(
        sees: [String], isFirstReport: Bool, added: [String] = [], removed: [String] = [], missing: [String] = []
    ) {
        self.sees = sees
        self.isFirstReport = isFirstReport
        self.added = added
        self.removed = removed
        self.missing = missing
    }

    /// How many peers it should see: those it sees and those it misses (never fewer than it sees).
    public var expected: Int { sees.count + missing.count }
}

/// What the table asks the service to do.
public enum DiscoveryAction: Sendable, Hashable {
    case connect(String)
    case probeEPMD(address: String)
}

/// The merged view of every source, as a pure value: feed it what the sources found and what happened to the
/// connections; it returns the actions to take (connect new nodes, retry failed ones after a back-off, ask EPMD on
/// new addresses) and keeps the events. `State` is the transport's connection state (ClusterMembership's
/// `DiscoveryTable` is this over ErlangDistribution's `PeerConnectionState`).
public struct DiscoveryTableOf<State: DiscoveryConnectionState>: Sendable {
    public typealias Node = DiscoveredNodeOf<State>
    public typealias Event = DiscoveryEventOf<State>

    public private(set) var nodes: [String: Node] = [:]
    /// Newest last; at most ``maxEvents``.
    public private(set) var events: [Event] = []
    public var maxEvents = 200
    /// Our own node name (never a member).
    public var ownNode: String?
    /// The latest EPMD answer per address.
    public private(set) var epmd: [String: EPMDProbe] = [:]
    /// When each address was last probed.
    private var probedAt: [String: Date] = [:]
    /// Back-off for reconnect attempts: `base · 2^(failures-1)`, at most `maxRetry`.
    public var retryBase: Duration = .seconds(1)
    public var maxRetry: Duration = .seconds(30)
    /// How often an address whose node is not up is asked again.
    public var reprobeInterval: TimeInterval = 5
    /// Nodes added to the static source at run time (the REPL's `connect`).
    public var staticExtras: [String] = []
    /// The current members of each source.
    private var bySource: [NodeSource: Set<String>] = [:]

    public init(ownNode: String? = nil) { self.ownNode = ownNode }

    /// The nodes sorted by name.
    public var sortedNodes: [Node] { nodes.values.sorted { $0.name < $1.name } }

    /// How many peers a node should see: the nodes it lists and the ones it misses (``missingPeers(of:)``), so never
    /// fewer than it sees. Before it is asked, the other nodes that are up for us or answer us.
    public func expectedPeers(of name: String) -> Int {
        (nodes[name]?.visiblePeers?.count ?? 0) + missingPeers(of: name).count
    }

    /// The other nodes that are up for us or answer us and that `name` does not list (ourselves left out), sorted:
    /// what a full mesh says it should see and does not. Only nodes the console can vouch for count, so a node asked
    /// before our other connections are up misses nothing.
    public func missingPeers(of name: String) -> [String] {
        let sees = Set(nodes[name]?.visiblePeers ?? [])
        return nodes.values.filter { n in
            n.name != name && (n.isUp || n.visiblePeers != nil) && !sees.contains(n.name)
        }.map(\.name).sorted()
    }

    // MARK: - Sources

    /// Replaces the members of one source. New nodes are connected (now, or when their back-off ends).
    public mutating func setSource(_ source: NodeSource, nodes names: some Sequence<String>, now: Date) -> [DiscoveryAction] {
        let new = Set(names).subtracting(ownNode.map { [$0] } ?? [])
        let old = bySource[source] ?? []
        bySource[source] = new
        var actions: [DiscoveryAction] = []
        for n in new.subtracting(old).sorted() {
            if nodes[n] == nil {
                nodes[n] = Node(name: n, sources: [source], firstSeen: now)
                record(.discovered(node: n, source: source), now)
            } else {
                nodes[n]!.sources.insert(source)
                nodes[n]!.leftSources.remove(source)
            }
            let e = nodes[n]!
            if !e.isUp && !isConnecting(e) && (e.retryAt.map { $0 <= now } ?? true) { actions.append(.connect(n)) }
            // Its host's EPMD, once, for the distribution port.
            if probedAt[e.host] == nil {
                probedAt[e.host] = now
                actions.append(.probeEPMD(address: e.host))
            }
        }
        for n in old.subtracting(new).sorted() {
            nodes[n]?.sources.remove(source)
            nodes[n]?.leftSources.insert(source)
            if let e = nodes[n], e.sources.isEmpty {
                record(.vanished(node: n), now)
                nodes[n]!.lastEvent = "no source lists it"
            }
        }
        return actions
    }

    /// Adds nodes to a source without removing others (peers' reports accumulate; `static` grows by hand).
    public mutating func addToSource(_ source: NodeSource, nodes names: some Sequence<String>, now: Date) -> [DiscoveryAction] {
        setSource(source, nodes: (bySource[source] ?? []).union(names), now: now)
    }

    /// Records a DNS poll: its nodes become the `dns` source; changes and warnings become events; addresses are
    /// probed on EPMD when first seen and again while their node is not up.
    public mutating func applyDNS(_ report: DNSPollReport, addresses: [String], now: Date) -> [DiscoveryAction] {
        if !report.added.isEmpty || !report.removed.isEmpty {
            record(.dnsChanged(sequence: report.sequence, added: report.added, removed: report.removed), now)
        }
        var actions = setSource(.dns, nodes: report.nodes, now: now)
        for address in Set(addresses).sorted() where shouldProbe(address, now: now) {
            probedAt[address] = now
            actions.append(.probeEPMD(address: address))
        }
        return actions
    }

    private func shouldProbe(_ address: String, now: Date) -> Bool {
        guard let last = probedAt[address] else { return true }
        let up = nodes.values.contains { $0.host == address && $0.isUp }
        return !up && now.timeIntervalSince(last) >= reprobeInterval
    }

    /// Records what EPMD on `address` said when probed (``DiscoveryAction/probeEPMD(address:)``): each registered
    /// name that is a known node (`name@address`) gets its distribution port.
    public mutating func applyEPMD(address: String, _ probe: EPMDProbe) {
        epmd[address] = probe
        if case .names(let entries) = probe {
            for e in entries {
                let n = "\(e.name)@\(address)"
                if nodes[n] != nil { nodes[n]!.epmdPort = e.port }
            }
        }
    }

    // MARK: - Connections

    /// Records a connection state change (from the node's events). `jitter` (0...1, random in production)
    /// spreads retries, so that two attempts that collided (a `nok` race) do not collide again.
    public mutating func applyConnection(_ name: String, _ state: State, now: Date, jitter: Double = 0.5) {
        if nodes[name] == nil {
            // A connection made by hand (`--connect`, connect, call) joins the view as a static node, and stays one:
            // the next round of the static source (`--nodes`) keeps it, so it never "leaves" a source it was not
            // listed by.
            nodes[name] = Node(name: name, sources: [.static], firstSeen: now)
            bySource[.static, default: []].insert(name)
            if !staticExtras.contains(name) { staticExtras.append(name) }
        }
        let before = nodes[name]!.connection
        guard before != state else { return }
        nodes[name]!.connection = state
        nodes[name]!.since = now
        switch state.phase {
        case .up:
            nodes[name]!.lastDown = nil
            nodes[name]!.failures = 0
            nodes[name]!.retryAt = nil
            nodes[name]!.lastEvent = "nodeup"
            record(.nodeUp(node: name), now)
        case .down(let e):
            nodes[name]!.lastDown = e
            nodes[name]!.rtt = nil
            nodes[name]!.visiblePeers = nil
            nodes[name]!.lastEvent = "nodedown: \(e.codeText)"
            scheduleRetry(name, now: now, jitter: jitter)
            record(.nodeDown(node: name, reason: e), now)
        case .failed(let e):
            nodes[name]!.lastEvent = "failed at \(e.stageText): \(e.codeText)"
            scheduleRetry(name, now: now, jitter: jitter)
            record(.connectFailed(node: name, error: e), now)
        case .connecting:
            break
        }
    }

    private mutating func scheduleRetry(_ name: String, now: Date, jitter: Double) {
        nodes[name]!.failures += 1
        let factor = Double(1 << min(nodes[name]!.failures - 1, 16))
        let delay = min(retryBase.seconds * factor, maxRetry.seconds) * (0.5 + min(max(jitter, 0), 1))
        nodes[name]!.retryAt = now.addingTimeInterval(delay)
    }

    private func isConnecting(_ n: Node) -> Bool {
        n.connection?.phase == .connecting
    }

    /// Nodes in some source, not up, not connecting, whose back-off has ended: connect them again.
    public func retries(now: Date) -> [DiscoveryAction] {
        nodes.values.filter { n in
            !n.sources.isEmpty && n.connection != nil && !n.isUp && !isConnecting(n) && (n.retryAt ?? now) <= now
        }.map(\.name).sorted().map(DiscoveryAction.connect)
    }

    /// Records what a node reported as its visible peers (`erlang:nodes()`) and the round trip. Peers we did not
    /// know join the `peers` source and are connected.
    public mutating func applyPeers(_ name: String, visible: [String], rtt: Duration, now: Date) -> [DiscoveryAction] {
        guard nodes[name] != nil else { return [] }
        let before = nodes[name]!.visiblePeers
        nodes[name]!.visiblePeers = visible.sorted()
        nodes[name]!.rtt = rtt
        let unknown = visible.filter { $0 != ownNode && nodes[$0] == nil }
        let actions = unknown.isEmpty ? [] : addToSource(.peers, nodes: unknown, now: now)
        let after = Set(visible)
        if before.map(Set.init) != after {
            let earlier = Set(before ?? [])
            let change = PeerListChange(
                sees: after.sorted(), isFirstReport: before == nil,
                added: before == nil ? [] : after.subtracting(earlier).sorted(),
                removed: earlier.subtracting(after).sorted(), missing: missingPeers(of: name))
            record(.peersChanged(node: name, change), now)
        }
        return actions
    }

    /// Reports the warnings of a DNS poll that the previous poll did not have (each once, while it lasts).
    public mutating func applyDNSWarnings(_ current: [DNSPollWarning], previous: [DNSPollWarning], now: Date) {
        let before = Set(previous.map(\.description))
        for w in current where !before.contains(w.description) { record(.dnsWarning(w.description), now) }
    }

    /// Forgets a node's round trip and peer list after a failed `erlang:nodes()` call.
    public mutating func clearPeers(_ name: String) {
        nodes[name]?.visiblePeers = nil
        nodes[name]?.rtt = nil
    }

    /// Extra warnings about DNS records that only EPMD and the connections can tell: no EPMD on an address, the
    /// basename not registered there, a record whose node went down (stale).
    public func recordWarnings(addresses: [String], basename: String) -> [DNSPollWarning] {
        var out: [DNSPollWarning] = []
        for address in Set(addresses).sorted() {
            switch epmd[address] {
            case .failed(let code, let message)?:
                out.append(.noEPMD(address: address, cause: "\(code): \(message)"))
            case .names(let entries)? where !entries.contains(where: { $0.name == basename }):
                out.append(.basenameNotRegistered(address: address, basename: basename, registered: entries.map(\.name)))
            default:
                break
            }
            let name = "\(basename)@\(address)"
            // Its connection went down and has not come back: the task is gone but DNS still lists it.
            if let n = nodes[name], !n.isUp, let e = n.lastDown {
                out.append(.staleRecord(node: name, reason: e.codeText))
            }
        }
        return out
    }

    /// How many events were ever recorded (``events`` keeps only the newest).
    public private(set) var totalEvents = 0

    private mutating func record(_ kind: Event.Kind, _ now: Date) {
        totalEvents += 1
        events.append(Event(time: now, kind: kind))
        if events.count > maxEvents { events.removeFirst(events.count - maxEvents) }
    }
}

extension Duration {
    /// Seconds as a Double.
    var seconds: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}
