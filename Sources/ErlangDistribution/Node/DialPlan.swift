/// The steps of dialling a node, as a pure plan: name → resolve the host → EPMD PORT_PLEASE2 → the port (a version
/// below 6 fails; a name EPMD does not know asks NAMES for a better error) → TCP to the distribution port → TLS
/// (when configured) and the handshake.
///
/// The plan decides; the caller does the I/O. Start with ``step``, carry it out, report the outcome with
/// ``handle(_:)``, and repeat until ``Step/done`` or ``Step/failed(_:)``. Every failure comes back as a
/// ``DistributionError`` naming its stage. ``LocalNode``, ``BlockingConnection`` and the console's `doctor` run the
/// same plan; ``trace`` records each step with its outcome for those who report on it.
public struct DialPlan: Sendable {
    /// What to do next.
    public enum Step: Hashable, Sendable {
        /// Resolve the host part (once; EPMD and the distribution port use the same address).
        case resolve(host: String)
        /// Ask EPMD for the node's distribution port (PORT_PLEASE2).
        case lookUpPort(alive: String, host: String, epmdPort: Int)
        /// EPMD does not know the name: ask it for every name it knows (NAMES), to say so in the error.
        case listNames(host: String, epmdPort: Int)
        /// Open a TCP connection to the distribution port.
        case connect(host: String, port: Int)
        /// Run TLS (when configured) and the distribution handshake on the open connection.
        case handshake(port: Int)
        /// Connected.
        case done
        /// The attempt failed.
        case failed(DistributionError)
    }

    /// What carrying out a step gave.
    public enum Outcome: Hashable, Sendable {
        /// The host resolved.
        case resolved
        /// EPMD answered PORT_PLEASE2.
        case portReply(EPMDMessage.PortReply)
        /// NAMES listed these names (empty when it failed too).
        case namesListed([String])
        /// The TCP connection to the distribution port is open.
        case connected
        /// TLS and the handshake succeeded.
        case established
        /// The step failed with this error (resolving, EPMD, TLS, the handshake).
        case failed(DistributionError)
        /// The TCP connect to the distribution port failed.
        case connectFailed(ConnectFailure)
    }

    /// One step and what came of it.
    public struct Record: Hashable, Sendable {
        /// The step that ran.
        public var step: Step
        /// What the driver reported for it.
        public var outcome: Outcome
    }

    /// The node being dialled.
    public let node: NodeName
    /// The EPMD port asked.
    public let epmdPort: Int
    /// The step to carry out now.
    public private(set) var step: Step
    /// Every step carried out so far, with its outcome, in order.
    public private(set) var trace: [Record] = []

    /// A plan for dialling `node`; `port` skips EPMD (as `erl_call -address`).
    public init(node: NodeName, epmdPort: Int, port: Int? = nil) {
        self.node = node
        self.epmdPort = epmdPort
        self.explicitPort = port
        self.step = .resolve(host: node.host)
    }

    private let explicitPort: Int?

    /// Reports the outcome of ``step``; returns the step after it.
    @discardableResult
    public mutating func handle(_ outcome: Outcome) -> Step {
        trace.append(Record(step: step, outcome: outcome))
        step = next(after: step, outcome)
        return step
    }

    /// The distribution port, once known.
    public var distributionPort: Int? {
        switch step {
        case .connect(_, let port), .handshake(let port): return port
        default: return explicitPort
        }
    }

    private func next(after step: Step, _ outcome: Outcome) -> Step {
        let nodeName = node.description
        func failed(_ error: DistributionError) -> Step {
            var e = error
            if e.node == nil { e.node = nodeName }
            return .failed(e)
        }
        switch (step, outcome) {
        case (_, .failed(let error)):
            return failed(error)
        case (.resolve, .resolved):
            if let explicitPort { return .connect(host: node.host, port: explicitPort) }
            return .lookUpPort(alive: node.alive, host: node.host, epmdPort: epmdPort)
        case (.lookUpPort, .portReply(.found(let info))):
            if info.highestVersion < 6 {
                return failed(DistributionError.distributionVersionTooOld(
                    info.highestVersion, host: node.host, node: nodeName))
            }
            return .connect(host: node.host, port: info.port)
        case (.lookUpPort, .portReply(.notFound)):
            return .listNames(host: node.host, epmdPort: epmdPort)
        case (.listNames, .namesListed(let names)):
            return .failed(DistributionError.nameNotRegistered(
                alive: node.alive, host: node.host, port: epmdPort, node: nodeName, names: names))
        case (.connect(let host, let port), .connectFailed(let failure)):
            return failed(DistributionError.distConnect(failure, host: host, port: port, node: nodeName))
        case (.connect(_, let port), .connected):
            return .handshake(port: port)
        case (.handshake, .established):
            return .done
        default:
            preconditionFailure("outcome \(outcome) in step \(step)")
        }
    }
}
