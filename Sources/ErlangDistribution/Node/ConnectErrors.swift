#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

import SocketFailure

/// The errors of the connection steps, shared by the NIO path (``LocalNode``, ``EPMDClient``) and the blocking one
/// (``BlockingConnection``) so that both name the same stage with the same words.
extension DistributionError {
    /// The TCP connect to EPMD failed.
    static func epmdConnect(_ failure: ConnectFailure, host: String, port: Int, node: String?) -> DistributionError {
        let facts = EPMDFacts(host: host, port: port)
        switch failure {
        case .refused:
            return DistributionError(
                .epmdRefused, stage: .epmd, node: node,
                "connection refused by EPMD at \(host):\(port): no Erlang node runs on that host "
                    + "(or EPMD uses another port; see ERL_EPMD_PORT)", epmd: facts, errno: failure.errno)
        case .timedOut:
            return DistributionError(
                .epmdTimeout, stage: .epmd, node: node,
                "TCP connection to EPMD at \(host):\(port) timed out (firewall, or wrong host?)", epmd: facts,
                errno: failure.errno)
        case .other(let s), .unresolved(let s):
            return DistributionError(.ioError, stage: .epmd, node: node, "EPMD at \(host):\(port): \(s)", epmd: facts)
        }
    }

    /// EPMD accepted the connection but sent no complete reply in time.
    static func epmdNoAnswer(host: String, port: Int, node: String?) -> DistributionError {
        DistributionError(
            .epmdTimeout, stage: .epmd, node: node,
            "EPMD on \(host):\(port) accepted the connection but did not answer in time",
            epmd: EPMDFacts(host: host, port: port))
    }

    /// An EPMD reply that does not parse (``EPMDMessage/ParseError``): PORT_PLEASE2's for `alive` on `host`, or NAMES'
    /// when `alive` is nil.
    static func epmdBadReply(_ error: EPMDMessage.ParseError, alive: String?, host: String, port: Int)
        -> DistributionError
    {
        DistributionError(
            .epmdProtocol, stage: .epmd, node: alive.map { "\($0)@\(host)" }, error.message,
            epmd: EPMDFacts(host: host, port: port))
    }

    /// An EPMD reply over 1 MiB.
    static let epmdReplyTooLarge = DistributionError(.epmdProtocol, stage: .epmd, "EPMD reply larger than 1 MiB")

    /// The largest EPMD reply we read.
    static let epmdReplyLimit = 1 << 20

    /// PORT_PLEASE2 found the node, but it speaks an older distribution version.
    static func distributionVersionTooOld(_ version: UInt16, host: String, node: String) -> DistributionError {
        DistributionError(
            .epmdProtocol, stage: .epmd, node: node,
            "the node speaks distribution version \(version) (OTP 22 or older); version 6 is required",
            epmd: EPMDFacts(host: host, highestVersion: Int(version)))
    }

    /// PORT_PLEASE2 did not find `alive`; `names` is what NAMES listed (empty when that failed too).
    static func nameNotRegistered(
        alive: String, host: String, port: Int?, node: String, names: [String]
    ) -> DistributionError {
        let list = names.isEmpty ? "no names are registered" : "registered names: " + names.joined(separator: ", ")
        return DistributionError(
            .nameNotRegistered, stage: .epmd, node: node, "EPMD on \(host) does not know '\(alive)'; \(list)",
            epmd: EPMDFacts(host: host, port: port, registeredNames: names))
    }

    /// Sending to a node we have no connection to.
    static func notConnected(_ node: String) -> DistributionError {
        DistributionError(.notConnected, stage: .connection, node: node, "not connected")
    }

    /// A node name without `alive@host`.
    static func badNodeName(_ node: String) -> DistributionError {
        DistributionError(.badNodeName, stage: .resolve, node: node, "node names have the form name@host")
    }

    /// The TCP connect to the distribution port failed.
    static func distConnect(_ failure: ConnectFailure, host: String, port: Int, node: String) -> DistributionError {
        switch failure {
        case .refused:
            return DistributionError(
                .connectRefused, stage: .connect, node: node,
                "connection refused by \(host):\(port) (the node stopped after registering with EPMD?)",
                errno: failure.errno)
        case .timedOut:
            return DistributionError(
                .connectTimeout, stage: .connect, node: node,
                "TCP connection to \(host):\(port) timed out (a firewall may block the distribution port)",
                errno: failure.errno)
        case .other(let s), .unresolved(let s):
            return DistributionError(.ioError, stage: .connect, node: node, "connecting to \(host):\(port): \(s)")
        }
    }
}


extension ConnectFailure {
    /// The error number this failure stands for, when it is one.
    var errno: Int32? {
        switch self {
        case .refused: return ECONNREFUSED
        case .timedOut: return ETIMEDOUT
        case .unresolved, .other: return nil
        }
    }
}
