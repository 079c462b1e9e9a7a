import ErlangDistribution
import ErlangTerm

/// What a console command needs from the transport: connect to a node and call a function on it. ``LocalNode`` (the
/// NIO node, many peers) and ``BlockingCaller`` (one ``BlockingNode`` on the calling thread) both satisfy it, so a
/// command is written once whichever transport ``ExecutionRoute`` picks.
public protocol RemoteCaller: Sendable {
    /// Connects to `node` (`alive@host`) unless already connected.
    func ensureConnected(to node: String) async throws(DistributionError)
    /// Calls `module:function(arguments...)` on `node`, connecting first when needed. Failures of the call itself
    /// (exception, nodedown, timeout) are ``CallResult`` cases; this throws when no call could be made.
    func call(node: String, module: Atom, function: Atom, arguments: [Term], options: CallOptions)
        async throws(DistributionError) -> CallResponse
    /// The flags `node` sent in its handshake, if connected (nil when the transport cannot tell).
    func peerFlags(of node: String) -> DistributionFlags?
}

extension RemoteCaller {
    public func peerFlags(of node: String) -> DistributionFlags? { nil }
}

/// A ``RemoteCaller`` that holds many connections at once and can tell about them: what the commands over the whole
/// cluster (`nodes`, `multicall`, `members`, `info`, `disconnect`) need besides calls. Only ``LocalNode`` has it.
public protocol ClusterCaller: RemoteCaller {
    /// Our own node name.
    var name: String { get }
    /// Every peer we know of, connected or not.
    func peerSnapshots() -> [PeerSnapshot]
    /// Closes the connection to `node`.
    func disconnect(_ node: String)
    /// The same call on many nodes concurrently; one result per node.
    func multicall(nodes: [String], module: Atom, function: Atom, arguments: [Term], options: CallOptions)
        async -> [String: Result<CallResponse, DistributionError>]
    /// The distribution port `node`'s EPMD gives, or nil when it cannot tell within `timeout`.
    func lookUpPort(of node: String, timeout: Duration) async -> Int?
}

extension LocalNode: ClusterCaller {
    public func ensureConnected(to node: String) async throws(DistributionError) {
        try await connect(to: node)
    }

    public func lookUpPort(of node: String, timeout: Duration) async -> Int? {
        guard let name = NodeName(node) else { return nil }
        // On the node's own event loop group (not a second, default group), with the whole timeout.
        var client = epmdClient(host: name.host)
        client.timeout = timeout
        guard case .found(let info)? = try? await client.portPlease(alive: name.alive) else { return nil }
        return info.port
    }
}

/// The blocking transport as a ``RemoteCaller``: one ``BlockingNode``, connected on first use, bound to that one
/// peer, used on one thread at a time (the route gives it only `call`, which makes one call after another). A call
/// to another node fails with ``DistributionError/Code/notConnected`` at the `connect` stage: nothing is sent.
public final class BlockingCaller: RemoteCaller, @unchecked Sendable {
    private let configuration: BlockingConnection.Configuration
    private var node: BlockingNode?

    /// A caller that connects with `configuration` when first used.
    public init(configuration: BlockingConnection.Configuration) {
        self.configuration = configuration
    }

    public func ensureConnected(to target: String) async throws(DistributionError) {
        _ = try peer(target)
    }

    public func call(node target: String, module: Atom, function: Atom, arguments: [Term], options: CallOptions)
        async throws(DistributionError) -> CallResponse
    {
        try peer(target).call(module: module, function: function, arguments: arguments, options: options)
    }

    public func peerFlags(of target: String) -> DistributionFlags? {
        guard let node, node.peerName == target else { return nil }
        return node.peerFlags
    }

    /// Closes the connection.
    public func close() {
        node?.close()
        node = nil
    }

    private func peer(_ target: String) throws(DistributionError) -> BlockingNode {
        if let node {
            guard node.peerName == target else {
                throw DistributionError(
                    .notConnected, stage: .connect, node: target,
                    "the blocking transport is connected to \(node.peerName) only")
            }
            return node
        }
        let connected = try BlockingNode.connect(to: target, configuration: configuration)
        node = connected
        return connected
    }
}
