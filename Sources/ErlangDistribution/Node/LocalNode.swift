import ErlangTerm
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import NIOSSL

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The observable state of our connection to one peer.
public enum PeerConnectionState: Hashable, Sendable, CustomStringConvertible {
    case resolving
    case epmd
    case connecting
    case handshaking
    case up
    /// An established connection ended.
    case down(DistributionError)
    /// A connection attempt failed; the error's ``DistributionError/stage`` says where.
    case failed(DistributionError)

    public var description: String {
        switch self {
        case .resolving: return "resolving"
        case .epmd: return "epmd"
        case .connecting: return "connecting"
        case .handshaking: return "handshaking"
        case .up: return "up"
        case .down(let e): return "down(\(e.code))"
        case .failed(let e): return "failed(\(e.stage), \(e.code))"
        }
    }
}

/// One peer as ``LocalNode/peerSnapshots()`` sees it.
public struct PeerSnapshot: Hashable, Sendable {
    public var node: String
    public var state: PeerConnectionState
    /// When the state last changed.
    public var since: Date
    /// Whether the peer itself is a hidden node (nil when not connected).
    public var peerIsHidden: Bool?
}

/// Something that happened on the local node.
public enum NodeEvent: Hashable, Sendable {
    /// A peer's connection state changed.
    case connectionState(node: String, PeerConnectionState)
    /// A connection came up.
    case nodeUp(String)
    /// An established connection went down.
    case nodeDown(String, DistributionError)
}

/// How we name ourselves.
public enum NodeNameSpec: Hashable, Sendable {
    /// `alive@host` with a short host name (like `erl -sname`).
    case short(String)
    /// `alive@host.domain` or `alive@ip` (like `erl -name`).
    case long(String)
    /// Ask each peer to name us (DFLAG_NAME_ME); `host` is our host part.
    case dynamic(host: String)
}

/// A hidden Erlang node living in this process: pids, refs, mailboxes, registered names, and connections to peers.
public final class LocalNode: Sendable {
    /// Everything configurable (shared with ``BlockingConnection``).
    public typealias Configuration = DistributionOptions

    /// Whether connections use TLS distribution (``DistributionOptions/tls`` is set).
    public var usesTLS: Bool { configuration.tls != nil }

    /// A peer link: one established connection.
    final class Peer: DistributionConnectionDelegate, @unchecked Sendable {
        let name: String
        let channel: any Channel
        let handshake: HandshakeStateMachine.Result
        weak var node: LocalNode?
        /// Frames encoded off the event loop wait here; one loop task writes them all with a single flush.
        private let outbox: NIOLockedValueBox<Outbox>
        private struct Outbox {
            var buffer: ByteBuffer
            var drainScheduled = false
        }
        init(name: String, channel: any Channel, handshake: HandshakeStateMachine.Result, node: LocalNode) {
            self.name = name; self.channel = channel; self.handshake = handshake; self.node = node
            self.outbox = NIOLockedValueBox(Outbox(buffer: channel.allocator.buffer(capacity: 0)))
        }
        func send(_ message: ControlMessage) throws(DistributionError) {
            send(frame: try message.encodeFrame())
        }
        /// Sends an encoded frame (length included).
        func send(frame: [UInt8]) {
            if channel.eventLoop.inEventLoop {
                // On the loop with nothing queued (frames queue only off the loop, and a queue is drained on the loop
                // before anything after it runs there): written at once, without the outbox's lock and buffer swap.
                // A multicall sends every request from the loop this way.
                let idle = outbox.withLockedValue { o in !o.drainScheduled && o.buffer.readableBytes == 0 }
                if idle {
                    var buf = channel.allocator.buffer(capacity: frame.count)
                    buf.writeBytes(frame)
                    channel.writeAndFlush(buf, promise: nil)
                    return
                }
            }
            let schedule = outbox.withLockedValue { o -> Bool in
                o.buffer.writeBytes(frame)
                if o.drainScheduled { return false }
                o.drainScheduled = true
                return true
            }
            guard schedule else { return }  // a drain is pending; it writes this frame too, in order
            if channel.eventLoop.inEventLoop {
                drain()
            } else {
                channel.eventLoop.execute { self.drain() }
            }
        }
        /// Writes everything queued, then flushes once. On the event loop.
        private func drain() {
            let buf = outbox.withLockedValue { o -> ByteBuffer in
                o.drainScheduled = false
                let b = o.buffer
                o.buffer = channel.allocator.buffer(capacity: 0)
                return b
            }
            guard buf.readableBytes > 0 else { return }
            channel.writeAndFlush(buf, promise: nil)
        }
        func connectionReceived(_ message: ControlMessage) { node?.handle(message, from: self) }
        func connectionClosed(_ error: DistributionError) { node?.peerDown(self, error: error) }
    }

    private struct PeerEntry {
        var state: PeerConnectionState
        var peer: Peer?
        var attempt: Task<Peer, any Error>?
        /// When `state` last changed.
        var since = Date()
    }

    private struct IncomingMonitor {
        var peer: String
        var watcher: Pid
        var target: Pid
    }

    /// Local processes by pid, keyed by the pid's id and serial as one integer: hashing a `Pid` hashes its node
    /// name, which every local pid shares. The stored pid is compared on lookup, so a pid of another node (or of an
    /// earlier name or creation) with the same numbers finds nothing, exactly as a `[Pid: Mailbox]` would.
    ///
    /// Each entry also says whether the process ever watched a node (``LocalNode/watchNode(_:by:)``): only then does
    /// its exit look through every node's watchers. A multicall's group leaders (one per node) watch nothing, and
    /// each of their exits looking through N watcher sets made a multicall's cleanup quadratic in N.
    ///
    /// An entry may carry a tag: messages sent to its pid reach the mailbox as `{Tag, Message}`. A multicall's group
    /// leaders (one pid per node) share one tagged mailbox and one server task that way.
    struct ProcessTable {
        private var entries: [UInt64: (pid: Pid, mailbox: Mailbox, watches: Bool, tag: Int?)] = [:]

        @inline(__always)
        private static func key(_ pid: Pid) -> UInt64 { UInt64(pid.id) << 32 | UInt64(pid.serial) }

        subscript(pid: Pid) -> Mailbox? {
            guard let e = entries[Self.key(pid)], e.pid == pid else { return nil }
            return e.mailbox
        }

        /// The mailbox of `pid` and the tag its messages get (nil: none).
        func delivery(_ pid: Pid) -> (mailbox: Mailbox, tag: Int?)? {
            guard let e = entries[Self.key(pid)], e.pid == pid else { return nil }
            return (e.mailbox, e.tag)
        }

        mutating func insert(_ pid: Pid, _ mailbox: Mailbox, tag: Int? = nil) {
            entries[Self.key(pid)] = (pid, mailbox, false, tag)
        }

        /// Records that `pid` watches a node; false if it is not a live local process.
        @discardableResult
        mutating func markWatching(_ pid: Pid) -> Bool {
            let key = Self.key(pid)
            guard entries[key]?.pid == pid else { return false }
            entries[key]!.watches = true
            return true
        }

        mutating func remove(_ pid: Pid) -> (mailbox: Mailbox, watches: Bool)? {
            let key = Self.key(pid)
            guard let e = entries[key], e.pid == pid else { return nil }
            entries[key] = nil
            return (e.mailbox, e.watches)
        }
    }

    private struct State {
        var nodeName: String
        var creation: UInt32
        var ids = ProcessIdentifiers()
        var processes = ProcessTable()
        var registered: [Atom: Pid] = [:]
        var peers: [String: PeerEntry] = [:]
        var monitors: [Reference: IncomingMonitor] = [:]
        var links: Set<[Pid]> = []
        var nodeWatchers: [String: Set<Pid>] = [:]
        var eventSubscribers: [UInt64: AsyncStream<NodeEvent>.Continuation] = [:]
        var nextSubscriber: UInt64 = 0
        /// erpc calls waiting for their SPAWN_REPLY, by request id: a successful reply is recorded here instead of
        /// waking the caller (as erpc's `{reply, error_only}`); only errors reach the mailbox.
        var spawnSinks: [Reference: SpawnSink] = [:]
    }

    /// Where a successful SPAWN_REPLY's pid goes (see `State.spawnSinks`).
    final class SpawnSink: Sendable {
        private let box = NIOLockedValueBox<Pid?>(nil)
        var pid: Pid? { box.withLockedValue { $0 } }
        func set(_ pid: Pid) { box.withLockedValue { $0 = pid } }
    }

    /// Records successful spawn replies for `requestID` in the returned sink until ``removeSpawnSink(_:)``.
    func addSpawnSink(_ requestID: Reference) -> SpawnSink {
        let sink = SpawnSink()
        state.withLockedValue { $0.spawnSinks[requestID] = sink }
        return sink
    }

    func removeSpawnSink(_ requestID: Reference) {
        _ = state.withLockedValue { $0.spawnSinks.removeValue(forKey: requestID) }
    }

    /// ``addSpawnSink(_:)`` for many requests, under one lock.
    func addSpawnSinks(_ requestIDs: [Reference]) -> [SpawnSink] {
        let sinks = requestIDs.map { _ in SpawnSink() }
        state.withLockedValue { s in
            for (id, sink) in zip(requestIDs, sinks) { s.spawnSinks[id] = sink }
        }
        return sinks
    }

    /// ``removeSpawnSink(_:)`` for many requests, under one lock.
    func removeSpawnSinks(_ requestIDs: [Reference]) {
        state.withLockedValue { s in
            for id in requestIDs { s.spawnSinks[id] = nil }
        }
    }

    public let configuration: Configuration
    let group: any EventLoopGroup
    /// The event loops connections run on (for helpers such as ``EPMDClient`` that should share them).
    public var eventLoopGroup: any EventLoopGroup { group }
    /// Every receive timeout of this node's processes.
    let timeouts: TimeoutScheduler
    private let state: NIOLockedValueBox<State>
    /// The TLS client context, made on the first TLS connection and shared by the rest.
    private let tlsContext = NIOLockedValueBox<NIOSSLContext?>(nil)
    /// ``Configuration/logger``, made once.
    let logger: Logger
    /// One task executor per event loop (``taskExecutor(for:)``), by the loop's identity.
    let loopExecutors = NIOLockedValueBox<[ObjectIdentifier: any Sendable]>([:])

    /// The TLS context for ``Configuration/tls`` (made once; loading certificates is not free).
    private func makeTLSContext(_ tls: DistributionTLSConfiguration) throws(DistributionError) -> NIOSSLContext {
        if let c = tlsContext.withLockedValue({ $0 }) { return c }
        let c = try tls.makeContext()
        tlsContext.withLockedValue { $0 = c }
        return c
    }

    /// Makes a node. It does not register with EPMD (a client-only hidden node need not).
    public init(configuration: Configuration, eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton) {
        self.configuration = configuration
        self.logger = configuration.logger
        self.group = eventLoopGroup
        self.timeouts = TimeoutScheduler(loop: eventLoopGroup.next())
        let name: String
        switch configuration.name {
        case .short(let n), .long(let n): name = n
        case .dynamic(let host): name = "nonode@\(host)"
        }
        state = NIOLockedValueBox(
            State(nodeName: name, creation: configuration.creation ?? ProcessIdentifiers.randomCreation()))
    }

    /// Our node name (with a dynamic name: as assigned by the most recent peer).
    public var name: String { state.withLockedValue { $0.nodeName } }
    /// Our creation, used in every pid and reference.
    public var creation: UInt32 { state.withLockedValue { $0.creation } }

    // MARK: - Pids, refs, processes

    /// Mints a new pid (ei limits: id < 2¹⁵, 1 ≤ serial < 2¹³).
    public func makePid() -> Pid {
        state.withLockedValue { s in
            s.ids.nextPid(node: Atom(s.nodeName), creation: s.creation)
        }
    }

    /// Mints a new reference (3 words; the first has 18 significant bits).
    public func makeReference() -> Reference {
        state.withLockedValue { s in
            s.ids.nextReference(node: Atom(s.nodeName), creation: s.creation)
        }
    }

    /// Mints `count` new references under one lock.
    func makeReferences(_ count: Int) -> [Reference] {
        state.withLockedValue { s in
            let node = Atom(s.nodeName)
            return (0..<count).map { _ in s.ids.nextReference(node: node, creation: s.creation) }
        }
    }

    /// Creates a process: a fresh pid and its mailbox.
    public func spawnProcess() -> (pid: Pid, mailbox: Mailbox) {
        spawnProcess(mailbox: Mailbox(timers: timeouts))
    }

    /// Creates a process around `mailbox`.
    func spawnProcess(mailbox: Mailbox) -> (pid: Pid, mailbox: Mailbox) {
        state.withLockedValue { s in
            let pid = s.ids.nextPid(node: Atom(s.nodeName), creation: s.creation)
            s.processes.insert(pid, mailbox)
            return (pid, mailbox)
        }
    }

    /// Creates `count` processes around one `mailbox`, under one lock: the `i`-th one's messages arrive as
    /// `{i, Message}` (see ``ProcessTable``).
    func spawnTaggedProcesses(_ count: Int, mailbox: Mailbox) -> [Pid] {
        state.withLockedValue { s in
            let node = Atom(s.nodeName)
            return (0..<count).map { i in
                let pid = s.ids.nextPid(node: node, creation: s.creation)
                s.processes.insert(pid, mailbox, tag: i)
                return pid
            }
        }
    }

    /// Ends a process: its mailbox closes, its name is unregistered, peers monitoring it get `Reason`, linked peers
    /// get an exit signal.
    public func exitProcess(_ pid: Pid, reason: Term = .atom("normal")) {
        let removed = state.withLockedValue { s in Self.removeProcess(pid, from: &s) }
        signalExit(pid, removed, reason: reason)
    }

    /// ``exitProcess(_:reason:)`` for many processes, under one lock (a multicall's caller and group leaders).
    func exitProcesses(_ pids: [Pid], reason: Term = .atom("normal")) {
        let removed = state.withLockedValue { s in pids.map { Self.removeProcess($0, from: &s) } }
        for (pid, r) in zip(pids, removed) { signalExit(pid, r, reason: reason) }
    }

    private typealias RemovedProcess = (mailbox: Mailbox?, monitors: [(Reference, IncomingMonitor)], links: [[Pid]])

    /// Takes `pid` out of the state: its entry, its names, the monitors of it and its links (returned, to signal).
    private static func removeProcess(_ pid: Pid, from s: inout State) -> RemovedProcess {
        let removed = s.processes.remove(pid)
        if !s.registered.isEmpty {
            for (name, p) in s.registered where p == pid { s.registered[name] = nil }
        }
        var mons: [(Reference, IncomingMonitor)] = []
        if !s.monitors.isEmpty {
            mons = s.monitors.filter { $0.value.target == pid }.map { ($0.key, $0.value) }
            for (r, _) in mons { s.monitors[r] = nil }
        }
        var ls: [[Pid]] = []
        if !s.links.isEmpty {
            ls = s.links.filter { $0[0] == pid }
            for l in ls { s.links.remove(l) }
        }
        // In place, through the values' indices: no copy of a watcher set and no array of keys per exit. A set
        // that becomes empty stays (one per node ever watched), so the next call's watchNode allocates nothing.
        // A process that never watched a node skips this (one not in the table may have: look).
        if removed?.watches ?? true {
            var i = s.nodeWatchers.values.startIndex
            while i != s.nodeWatchers.values.endIndex {
                s.nodeWatchers.values[i].remove(pid)
                s.nodeWatchers.values.formIndex(after: &i)
            }
        }
        return (removed?.mailbox, mons, ls)
    }

    /// Closes a removed process's mailbox and tells its monitors and links that it exited.
    private func signalExit(_ pid: Pid, _ removed: RemovedProcess, reason: Term) {
        removed.mailbox?.close()
        for (ref, m) in removed.monitors {
            try? peer(named: m.peer)?.send(.monitorExit(from: .pid(pid), to: m.watcher, ref: ref, reason: reason))
        }
        for l in removed.links {
            try? peer(named: l[1].node.name)?.send(.exit(from: pid, to: l[1], reason: reason))
        }
    }

    /// Registers `name` for `pid` on this node.
    public func register(_ name: Atom, _ pid: Pid) -> Bool {
        state.withLockedValue { s in
            guard s.registered[name] == nil, s.processes[pid] != nil else { return false }
            s.registered[name] = pid
            return true
        }
    }

    public func unregister(_ name: Atom) { state.withLockedValue { $0.registered[name] = nil } }

    /// The pid registered under `name`.
    public func whereis(_ name: Atom) -> Pid? { state.withLockedValue { $0.registered[name] } }

    /// Delivers `{nodedown, Node}` to `pid` when the connection to `node` goes down.
    public func watchNode(_ node: String, by pid: Pid) {
        state.withLockedValue { s in
            s.processes.markWatching(pid)
            _ = s.nodeWatchers[node, default: []].insert(pid)
        }
    }

    /// ``watchNode(_:by:)`` for many nodes, under one lock.
    func watchNodes(_ nodes: [String], by pid: Pid) {
        state.withLockedValue { s in
            s.processes.markWatching(pid)
            for node in nodes { _ = s.nodeWatchers[node, default: []].insert(pid) }
        }
    }

    public func unwatchNode(_ node: String, by pid: Pid) {
        state.withLockedValue { s in
            s.nodeWatchers[node]?.remove(pid)
            if s.nodeWatchers[node]?.isEmpty == true { s.nodeWatchers[node] = nil }
        }
    }

    // MARK: - Events

    /// A stream of node events (each call gives a new subscriber).
    public func events() -> AsyncStream<NodeEvent> {
        let (stream, continuation) = AsyncStream<NodeEvent>.makeStream(bufferingPolicy: .bufferingNewest(1024))
        let id = state.withLockedValue { s in
            s.nextSubscriber += 1
            s.eventSubscribers[s.nextSubscriber] = continuation
            return s.nextSubscriber
        }
        continuation.onTermination = { [weak self] _ in
            self?.state.withLockedValue { _ = $0.eventSubscribers.removeValue(forKey: id) }
        }
        return stream
    }

    private func emit(_ event: NodeEvent) {
        let subs = state.withLockedValue { Array($0.eventSubscribers.values) }
        for c in subs { c.yield(event) }
    }

    /// The state of our connection to `node` (nil if we never tried).
    public func connectionState(of node: String) -> PeerConnectionState? {
        state.withLockedValue { $0.peers[node]?.state }
    }

    private func setState(_ node: String, _ st: PeerConnectionState) {
        state.withLockedValue { s in
            if s.peers[node]?.state != st { s.peers[node, default: PeerEntry(state: st)].since = Date() }
            s.peers[node, default: PeerEntry(state: st)].state = st
        }
        emit(.connectionState(node: node, st))
    }

    func peer(named node: String) -> Peer? { state.withLockedValue { $0.peers[node]?.peer } }

    /// The event loop of some live connection (nil when there is none).
    func anyConnectionLoop() -> (any EventLoop)? {
        state.withLockedValue { s in s.peers.values.lazy.compactMap(\.peer).first?.channel.eventLoop }
    }

    /// The connections to `nodes` (nil where not connected), under one lock.
    func peers(named nodes: [String]) -> [Peer?] {
        state.withLockedValue { s in nodes.map { s.peers[$0]?.peer } }
    }

    /// Every peer we connected to or tried to, with its state and since when, sorted by name.
    public func peerSnapshots() -> [PeerSnapshot] {
        state.withLockedValue { s in
            s.peers.map { name, entry in
                PeerSnapshot(
                    node: name, state: entry.state, since: entry.since,
                    peerIsHidden: entry.peer.map { !$0.handshake.peerFlags.contains(.published) })
            }
        }.sorted { $0.node < $1.node }
    }

    /// The flags `node` sent in its handshake (what it offers, which dates its release: see
    /// ``DistributionFlags/minimumOTPRelease``), if connected.
    public func peerFlags(of node: String) -> DistributionFlags? { peer(named: node)?.handshake.peerFlags }

    /// The flags negotiated with `node`, if connected.
    public func negotiatedFlags(with node: String) -> DistributionFlags? { peer(named: node)?.handshake.negotiatedFlags }

    // MARK: - Connecting

    /// Connects to `node` (`alive@host`) unless already connected. `port` skips EPMD (as `erl_call -address`).
    @discardableResult
    public func connect(to node: String, port: Int? = nil) async throws(DistributionError) -> String {
        _ = try await connectPeer(node, port: port)
        return node
    }

    func connectPeer(_ node: String, port: Int? = nil) async throws(DistributionError) -> Peer {
        let (peer, attempt): (Peer?, Task<Peer, any Error>?) = state.withLockedValue { s in
            if let p = s.peers[node]?.peer { return (p, nil) }
            if let t = s.peers[node]?.attempt { return (nil, t) }
            let t = Task<Peer, any Error> { try await self.dial(node, port: port) }
            s.peers[node, default: PeerEntry(state: .resolving)].attempt = t
            return (nil, t)
        }
        if let peer { return peer }  // connected: no task per call
        guard let task = attempt else { preconditionFailure("neither a peer nor an attempt") }
        do {
            return try await task.value
        } catch let e as DistributionError {
            throw e
        } catch {
            throw DistributionError(.ioError, stage: .connect, node: node, "\(error)")
        }
    }

    private func dial(_ node: String, port explicitPort: Int?) async throws -> Peer {
        do {
            let peer = try await dialSteps(node, port: explicitPort)
            state.withLockedValue { s in
                s.peers[node] = PeerEntry(state: .up, peer: peer, attempt: nil)
            }
            emit(.connectionState(node: node, .up))
            emit(.nodeUp(node))
            // Install the delegate on the loop; messages that arrived meanwhile are flushed in order.
            try await peer.channel.pipeline.handler(type: DistributionChannelHandler.self).map { h in
                h.setDelegate(peer)
            }.get()
            if !peer.channel.isActive, peer.node != nil {
                // Closed before the delegate was set.
                peerDown(
                    peer,
                    error: DistributionError(
                        .closedByPeer, stage: .connection, node: node, "the peer closed the connection"))
            }
            return peer
        } catch let error as DistributionError {
            var e = error
            if e.node == nil { e.node = node }
            state.withLockedValue { s in s.peers[node] = PeerEntry(state: .failed(e), peer: nil, attempt: nil) }
            emit(.connectionState(node: node, .failed(e)))
            throw e
        }
    }

    /// Runs the ``DialPlan`` for `node`, with NIO doing the I/O of each step.
    private func dialSteps(_ node: String, port explicitPort: Int?) async throws(DistributionError) -> Peer {
        var plan = DialPlan(
            node: try NodeName.parse(node), epmdPort: configuration.resolvedEPMDPort, port: explicitPort)
        var hostAddress: SocketAddress?
        var channel: (any Channel)?
        var handshakePromise: EventLoopPromise<HandshakeStateMachine.Result>?
        while true {
            switch plan.step {
            case .resolve(let host):
                setState(node, .resolving)
                // Resolved once; EPMD and the distribution port use the same address (getaddrinfo is not free).
                do {
                    hostAddress = try Net.resolve(host: host, port: 0, node: node)
                    plan.handle(.resolved)
                } catch {
                    plan.handle(.failed(error))
                }
            case .lookUpPort(let alive, let host, let epmdPort):
                setState(node, .epmd)
                var epmd = epmdClient(host: host, port: epmdPort)
                epmd.resolvedAddress = hostAddress
                do {
                    plan.handle(.portReply(try await epmd.portPlease(alive: alive)))
                } catch {
                    plan.handle(.failed(error))
                }
            case .listNames(let host, let epmdPort):
                var epmd = epmdClient(host: host, port: epmdPort)
                epmd.resolvedAddress = hostAddress
                plan.handle(.namesListed((try? await epmd.names().map(\.name)) ?? []))
            case .connect(let host, let port):
                setState(node, .connecting)
                guard var address = hostAddress else { preconditionFailure("connect before resolve") }
                address.port = port
                do {
                    (channel, handshakePromise) = try await openChannel(to: address, host: host, dialling: plan.node)
                    plan.handle(.connected)
                } catch let e as DistributionError {
                    plan.handle(.failed(e))
                } catch {
                    plan.handle(.connectFailed(Net.classify(error)))
                }
            case .handshake:
                setState(node, .handshaking)
                guard let channel, let handshakePromise else { preconditionFailure("handshake before connect") }
                do {
                    let result = try await handshakePromise.futureResult.get()
                    if case .dynamic = configuration.name {
                        state.withLockedValue { s in s.nodeName = result.ourName; s.creation = result.ourCreation }
                    }
                    logger.debug("connected", metadata: ["peer": "\(node)", "flags": "\(result.negotiatedFlags)"])
                    plan.handle(.established)
                    return Peer(name: node, channel: channel, handshake: result, node: self)
                } catch {
                    channel.close(promise: nil)
                    plan.handle(.failed(
                        error as? DistributionError ?? DistributionError(.ioError, stage: .handshake, "\(error)")))
                }
            case .failed(let error):
                throw error
            case .done:
                preconditionFailure("dial plan done without a peer")
            }
        }
    }

    /// Opens the TCP connection to the distribution port with TLS (when configured) and the
    /// ``DistributionChannelHandler`` in its pipeline; the handshake runs from there and completes the promise.
    private func openChannel(to address: SocketAddress, host: String, dialling peer: NodeName) async throws
        -> (any Channel, EventLoopPromise<HandshakeStateMachine.Result>)
    {
        let machineConfiguration = configuration.machineConfiguration(
            dialling: peer, creation: creation, challenge: UInt32.random(in: 0...UInt32.max))
        let promise = group.next().makePromise(of: HandshakeStateMachine.Result.self)
        let logger = self.logger
        // TLS first on the distribution port, then the handshake inside it (TLSD); the context is made before we
        // dial so that unreadable files fail at the tls stage without a connection.
        let tls: NIOSSLContext?
        do {
            tls = try configuration.tls.map { c throws(DistributionError) in try makeTLSContext(c) }
        } catch {
            promise.fail(error)
            throw error
        }
        // SNI carries the host part when it is a name (OTP sends it too); with hostname verification a node named
        // name@IP is checked against the IP addresses in its certificate.
        let serverName: String? = Net.isIPAddress(host) ? nil : host
        do {
            let channel = try await ClientBootstrap(group: group)
                .connectTimeout(configuration.connectTimeout.timeAmount)
                .channelOption(.socketOption(.tcp_nodelay), value: 1)
                .channelInitializer { ch in
                    ch.eventLoop.makeCompletedFuture {
                        var recorder: TLSFirstBytesRecorder?
                        if let tls {
                            let r = TLSFirstBytesRecorder()
                            try ch.pipeline.syncOperations.addHandler(r)
                            try ch.pipeline.syncOperations.addHandler(
                                NIOSSLClientHandler(context: tls, serverHostname: serverName))
                            recorder = r
                        }
                        try ch.pipeline.syncOperations.addHandler(DistributionChannelHandler(
                            machine: DistributionConnectionMachine(configuration: machineConfiguration),
                            promise: promise, logger: logger, tlsRecorder: recorder))
                    }
                }
                .connect(to: address).get()
            return (channel, promise)
        } catch {
            promise.fail(error)
            throw error
        }
    }

    /// An EPMD client for `host` with this node's EPMD port (unless `port` is given), connect timeout and event loops.
    public func epmdClient(host: String, port: Int? = nil) -> EPMDClient {
        EPMDClient(
            host: host, port: port ?? configuration.resolvedEPMDPort, timeout: configuration.connectTimeout,
            group: group)
    }

    /// Closes the connection to `node`.
    public func disconnect(_ node: String) {
        guard let p = peer(named: node) else { return }
        p.channel.close(promise: nil)
    }

    /// Closes every connection.
    public func shutdown() {
        let peers = state.withLockedValue { s in s.peers.values.compactMap(\.peer) }
        for p in peers { p.channel.close(promise: nil) }
        let subs = state.withLockedValue { s in
            defer { s.eventSubscribers = [:] }
            return Array(s.eventSubscribers.values)
        }
        for c in subs { c.finish() }
    }

    func peerDown(_ peer: Peer, error: DistributionError) {
        var e = error
        e.node = peer.name
        let (watchers, mailboxes, current): ([Pid], ProcessTable, Bool) = state.withLockedValue { s in
            guard s.peers[peer.name]?.peer === peer else { return ([], ProcessTable(), false) }
            s.peers[peer.name] = PeerEntry(state: .down(e), peer: nil, attempt: nil)
            let w = Array(s.nodeWatchers[peer.name] ?? [])
            s.monitors = s.monitors.filter { $0.value.peer != peer.name }
            s.links = s.links.filter { $0[1].node.name != peer.name }
            return (w, s.processes, true)
        }
        peer.node = nil
        guard current else { return }
        for w in watchers { mailboxes[w]?.deliver(.tuple([.atom("nodedown"), .atom(Atom(peer.name))])) }
        emit(.connectionState(node: peer.name, .down(e)))
        emit(.nodeDown(peer.name, e))
    }

    // MARK: - Sending

    /// Sends `message` to a remote pid (SEND). Local pids get it directly.
    public func send(_ message: Term, to pid: Pid) throws(DistributionError) {
        if pid.node.name == name {
            deliver(message, to: pid)
            return
        }
        guard let p = peer(named: pid.node.name) else { throw DistributionError.notConnected(pid.node.name) }
        try p.send(.send(from: nil, to: pid, message: message))
    }

    /// Sends `message` to `name` registered on `node` (REG_SEND), from `from`.
    public func send(_ message: Term, toName name: Atom, on node: String, from: Pid) throws(DistributionError) {
        guard let p = peer(named: node) else { throw DistributionError.notConnected(node) }
        try p.send(.regSend(from: from, to: name, message: message))
    }

    /// Sends a raw control message to `node`.
    public func sendControl(_ message: ControlMessage, to node: String) throws(DistributionError) {
        guard let p = peer(named: node) else { throw DistributionError.notConnected(node) }
        try p.send(message)
    }

    // MARK: - Incoming

    private func mailbox(_ pid: Pid) -> Mailbox? { state.withLockedValue { $0.processes[pid] } }

    /// Delivers a message sent to `pid` (tagged when its entry is: ``ProcessTable``); false if there is no such process.
    @discardableResult
    private func deliver(_ message: Term, to pid: Pid) -> Bool {
        guard let (mailbox, tag) = state.withLockedValue({ $0.processes.delivery(pid) }) else { return false }
        return mailbox.deliver(tag.map { .tuple([.integer($0), message]) } ?? message)
    }

    func handle(_ message: ControlMessage, from peer: Peer) {
        switch message {
        case .send(_, let to, let msg):
            if !deliver(msg, to: to) { logger.debug("message to unknown pid dropped") }
        case .regSend(_, let name, let msg):
            if let pid = whereis(name), let mb = mailbox(pid) {
                mb.deliver(msg)
            } else {
                logger.debug("message to unregistered name dropped", metadata: ["name": "\(name)"])
            }
        case .link(let from, let to):
            if mailbox(to) == nil {
                try? peer.send(.exit(from: to, to: from, reason: .atom("noproc")))
            } else {
                _ = state.withLockedValue { $0.links.insert([to, from]) }
            }
        case .unlink(let from, let to):
            _ = state.withLockedValue { $0.links.remove([to, from]) }
        case .unlinkID(let id, let from, let to):
            _ = state.withLockedValue { $0.links.remove([to, from]) }
            try? peer.send(.unlinkIDAck(id: id, from: to, to: from))
        case .unlinkIDAck:
            break
        case .exit(let from, let to, let reason), .exit2(let from, let to, let reason):
            _ = state.withLockedValue { $0.links.remove([to, from]) }
            mailbox(to)?.deliver(.tuple([.atom("EXIT"), .pid(from), reason]))
        case .monitor(let from, let target, let ref):
            var targetPid: Pid?
            switch target {
            case .pid(let p): targetPid = mailbox(p) != nil ? p : nil
            case .atom(let a): targetPid = whereis(a)
            default: break
            }
            if let t = targetPid {
                state.withLockedValue { $0.monitors[ref] = IncomingMonitor(peer: peer.name, watcher: from, target: t) }
            } else {
                try? peer.send(.monitorExit(from: target, to: from, ref: ref, reason: .atom("noproc")))
            }
        case .demonitor(_, _, let ref):
            _ = state.withLockedValue { $0.monitors.removeValue(forKey: ref) }
        case .monitorExit(let from, let to, let ref, let reason):
            mailbox(to)?.deliver(.tuple([.atom("DOWN"), .reference(ref), .atom("process"), from, reason]))
        case .spawnReply(let id, let to, _, let result):
            if case .pid(let p) = result, let sink = state.withLockedValue({ $0.spawnSinks[id] }) {
                sink.set(p)
                return
            }
            let ok: Bool = { if case .pid = result { return true }; return false }()
            mailbox(to)?.deliver(.tuple([.atom("spawn_reply"), .reference(id), .atom(ok ? "ok" : "error"), result]))
        case .spawnRequest(let id, let from, _, _, _, _, _, _):
            // We run no code: refuse, or the caller would hang.
            try? peer.send(.spawnReply(requestID: id, to: from, flags: 0, result: .atom("notsup")))
        case .groupLeader, .aliasSend:
            logger.debug("ignored control message")
        case .unknown(let op, _, _):
            logger.info("ignored unknown distribution operation", metadata: ["op": "\(op)", "peer": "\(peer.name)"])
        }
    }
}

extension Duration {
    /// The same span as a NIO `TimeAmount`.
    var timeAmount: TimeAmount { .nanoseconds(wholeNanoseconds) }
}
