import ClusterDiscovery
import ErlangDistribution

/// The discovery table over the distribution layer's connection states (what ``DiscoveryService`` runs).
public typealias DiscoveryTable = DiscoveryTableOf<PeerConnectionState>
/// One node of a ``DiscoveryTable``.
public typealias DiscoveredNode = DiscoveredNodeOf<PeerConnectionState>
/// One event of a ``DiscoveryTable``.
public typealias DiscoveryEvent = DiscoveryEventOf<PeerConnectionState>

extension PeerConnectionState: DiscoveryConnectionState {
    /// Resolving, EPMD, connecting and handshaking are all an attempt under way.
    public var phase: DiscoveryConnectionPhase<DistributionError> {
        switch self {
        case .resolving, .epmd, .connecting, .handshaking: return .connecting
        case .up: return .up
        case .down(let e): return .down(e)
        case .failed(let e): return .failed(e)
        }
    }
}

extension DistributionError: DiscoveryFailure {
    /// ``DistributionError/code``'s stable text.
    public var codeText: String { code.rawValue }
    /// ``DistributionError/stage`` as text.
    public var stageText: String { "\(stage)" }
}
