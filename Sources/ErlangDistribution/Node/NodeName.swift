#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// An Erlang node name, `alive@host` (`erl -sname`/`-name`; OTP's `net_kernel` splits it the same way, at the
/// first `@`).
public struct NodeName: Hashable, Sendable, CustomStringConvertible, LosslessStringConvertible {
    /// Short names (`-sname`, a host without dots) or long names (`-name`, a fully qualified host or an address).
    public enum Form: String, Hashable, Sendable {
        case short
        case long
    }

    /// The part before the `@` (what EPMD registers).
    public let alive: String
    /// The part after the `@`.
    public let host: String

    /// `alive@host`; nil when there is no `@` or either part is empty.
    public init?(_ description: String) {
        guard let at = description.firstIndex(of: "@") else { return nil }
        let alive = description[..<at], host = description[description.index(after: at)...]
        guard !alive.isEmpty, !host.isEmpty else { return nil }
        self.alive = String(alive)
        self.host = String(host)
    }

    /// A name from its parts; nil when either is empty or `alive` contains an `@`.
    public init?(alive: String, host: String) {
        guard !alive.isEmpty, !host.isEmpty, !alive.contains("@") else { return nil }
        self.alive = alive
        self.host = host
    }

    /// Parses `alive@host`, or throws ``DistributionError/Code/badNodeName`` at the
    /// ``DistributionError/Stage/resolve`` stage.
    public static func parse(_ text: String) throws(DistributionError) -> NodeName {
        guard let name = NodeName(text) else { throw DistributionError.badNodeName(text) }
        return name
    }

    /// Long when the host has a dot or a colon (a domain name or an address), short otherwise.
    public var form: Form { host.contains(".") || host.contains(":") ? .long : .short }

    public var description: String { alive + "@" + host }
}

extension NodeNameSpec {
    /// A name for a client node on this host: `<prefix>_<random>@<host>`, short (like `-sname`: the host name up to its
    /// first dot) or long (like `-name`: the host name when it has a dot, else 127.0.0.1).
    public static func random(prefix: String, long: Bool) -> NodeNameSpec {
        var buf = [CChar](repeating: 0, count: 256)
        gethostname(&buf, 255)
        let host = String(decoding: buf.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        let alive = "\(prefix)_\(String(UInt32.random(in: 0...UInt32.max), radix: 36))"
        if long {
            return .long("\(alive)@\(host.contains(".") ? host : "127.0.0.1")")
        }
        return .short("\(alive)@\(host.split(separator: ".").first.map(String.init) ?? host)")
    }
}
