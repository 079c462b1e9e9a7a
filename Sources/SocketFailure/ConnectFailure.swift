import NIOCore
import NIOPosix

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Why a TCP connect failed, read from NIO's errors.
public enum ConnectFailure: Sendable, Hashable {
    case refused
    case timedOut
    /// The host name did not resolve (NIO's own resolver).
    case unresolved(String)
    case other(String)

    public init(_ error: any Error) {
        if let e = error as? ChannelError, case .connectTimeout = e {
            self = .timedOut
            return
        }
        if let e = error as? IOError {
            self = e.errnoCode == ECONNREFUSED ? .refused : e.errnoCode == ETIMEDOUT ? .timedOut : .other("\(e)")
            return
        }
        if let e = error as? NIOConnectionError {
            for f in e.connectionErrors {
                let c = ConnectFailure(f.error)
                if case .other = c { continue }
                self = c
                return
            }
            if e.connectionErrors.isEmpty, let d = e.dnsAError ?? e.dnsAAAAError {
                self = .unresolved("\(d)")
                return
            }
            if let first = e.connectionErrors.first {
                self = .other("\(first.error)")
                return
            }
        }
        let text = "\(error)"
        if text.contains("refused") || text.contains("ECONNREFUSED") {
            self = .refused
        } else if text.contains("timed out") || text.contains("connectTimeout") {
            self = .timedOut
        } else {
            self = .other(text)
        }
    }
}
