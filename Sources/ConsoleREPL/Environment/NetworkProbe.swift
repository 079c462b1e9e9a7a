import ErlangDistribution
import NIOCore
import NIOPosix
import SocketFailure

/// Single-purpose network checks for diagnostics (`doctor`): resolve a host, open and close one TCP connection.
/// Neither touches a `LocalNode`'s connections. Console code (doctor), not part of the distribution library.
public enum NetworkProbe {
    /// What `getaddrinfo` made of a host name.
    public struct Resolution: Hashable, Sendable {
        /// Numeric addresses, IPv4 first (as the connection code prefers them), without duplicates.
        public var addresses: [String]
        /// `gai_strerror`'s text when the name did not resolve.
        public var failure: String?
        /// The name does not exist (`EAI_NONAME`, `EAI_NODATA`), as opposed to a resolver failure (`EAI_AGAIN`, …).
        public var notFound: Bool

        public init(addresses: [String], failure: String? = nil, notFound: Bool = false) {
            self.addresses = addresses; self.failure = failure; self.notFound = notFound
        }
    }

    /// Resolves `host` with `getaddrinfo`, as a connection to it would.
    public static func resolve(host: String) -> Resolution {
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_family = AF_UNSPEC
        var result: UnsafeMutablePointer<addrinfo>?
        let rc = getaddrinfo(host, nil, &hints, &result)
        guard rc == 0, let first = result else {
            let why = String(cString: gai_strerror(rc))
            var missing = rc == EAI_NONAME
            #if os(Linux)
                missing = missing || rc == -5  // glibc's EAI_NODATA, which Swift does not import
            #endif
            return Resolution(addresses: [], failure: why, notFound: missing)
        }
        defer { freeaddrinfo(result) }
        var v4: [String] = [], v6: [String] = []
        var p: UnsafeMutablePointer<addrinfo>? = first
        while let cur = p {
            if let sa = cur.pointee.ai_addr {
                var buf = [CChar](repeating: 0, count: Int(NI_MAXHOST))
                if getnameinfo(sa, cur.pointee.ai_addrlen, &buf, socklen_t(buf.count), nil, 0, NI_NUMERICHOST) == 0 {
                    let text = String(decoding: buf.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
                    if cur.pointee.ai_family == AF_INET {
                        if !v4.contains(text) { v4.append(text) }
                    } else if !v6.contains(text) {
                        v6.append(text)
                    }
                }
            }
            p = cur.pointee.ai_next
        }
        return Resolution(addresses: v4 + v6)
    }

    /// Whether `text` is an IPv4 or IPv6 address literal (nothing to resolve).
    public static func isAddressLiteral(_ text: String) -> Bool {
        var v4 = in_addr(), v6 = in6_addr()
        return inet_pton(AF_INET, text, &v4) == 1 || inet_pton(AF_INET6, text, &v6) == 1
    }

    /// How a TCP connection attempt ended.
    public enum TCPOutcome: Hashable, Sendable {
        /// The connection was accepted (and closed again at once).
        case open
        /// Connection refused: the host answered, nothing listens on the port.
        case refused
        /// No answer within the timeout: dropped by a firewall, or the host is gone.
        case timedOut
        /// Any other failure (unreachable network, resolution failure, …).
        case failed(String)

        /// The dial plan's view of it (``DialPlan/Outcome/connectFailed(_:)``): nil when the connection was accepted.
        public var connectFailure: ConnectFailure? {
            switch self {
            case .open: return nil
            case .refused: return .refused
            case .timedOut: return .timedOut
            case .failed(let why): return .other(why)
            }
        }
    }

    /// Opens a TCP connection to `host:port` within `timeout` and closes it at once, sending nothing. `group` is the
    /// event loop group to connect on (doctor passes its node's, so that no second group starts).
    public static func tcpConnect(
        host: String, port: Int, timeout: Duration, group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    ) async -> TCPOutcome {
        let resolution = isAddressLiteral(host) ? Resolution(addresses: [host]) : resolve(host: host)
        guard let first = resolution.addresses.first, let address = try? SocketAddress(ipAddress: first, port: port)
        else {
            return .failed("cannot resolve \(host): \(resolution.failure ?? "no address")")
        }
        do {
            let (seconds, attoseconds) = timeout.components
            let nanoseconds = seconds * 1_000_000_000 + attoseconds / 1_000_000_000
            let channel = try await ClientBootstrap(group: group).connectTimeout(.nanoseconds(nanoseconds))
                .connect(to: address).get()
            try? await channel.close().get()
            return .open
        } catch {
            switch ConnectFailure(error) {
            case .refused: return .refused
            case .timedOut: return .timedOut
            case .other(let s), .unresolved(let s): return .failed(s)
            }
        }
    }
}
