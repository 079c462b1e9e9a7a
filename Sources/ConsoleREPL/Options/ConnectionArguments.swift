import ClusterDiscovery
import TermSyntax

/// The connection options (shared by the REPL and every one-shot command that talks to nodes) as values: what the
/// executable's ArgumentParser definitions parsed, or what its fast path read with the ``ConnectionOption`` table.
/// The one place that checks them together (``validate()``) and turns them into ``StartupOptions`` (``startup``).
public struct ConnectionArguments: Sendable, Equatable {
    public var name: String?
    public var sname: String?
    public var connect: [String] = []
    public var cookie: String?
    public var cookieFile: String?
    public var syntax: SourceSyntax?
    public var noColor = false
    public var json = false
    /// `--verbose`: say which route (``ExecutionRoute``) a one-shot command takes, and why.
    public var verbose = false
    /// Seconds.
    public var timeout: Double = 30
    /// At most this many bytes of an evaluation's rendered result come back from the node.
    public var maxResultBytes = 65_536
    public var readOnly = false
    public var allowTrace = false
    public var auditLog: String?
    public var yes = false
    public var dnsQuery: String?
    public var basename: String?
    /// Seconds.
    public var pollInterval: Double = 5
    public var dnsServer: [String] = []
    public var dnsTypes: [DNSRecordType] = [.a]
    public var epmdHosts: [String] = []
    public var nodes: [String] = []
    public var tlsCert: String?
    public var tlsKey: String?
    public var tlsCA: String?
    public var tlsInsecure = false
    public var tlsVerifyHostname = false
    public var sslDistOptfile: String?

    public init() {}

    /// Options that cannot be used together, or values out of range.
    public struct Invalid: Error, Sendable, CustomStringConvertible {
        public var message: String
        public var description: String { message }
    }

    /// Checks the options together (ArgumentParser prints the message; the fast path leaves such a command line to
    /// ArgumentParser).
    public func validate() throws(Invalid) {
        if name != nil && sname != nil { throw Invalid(message: "--name and --sname cannot be used together.") }
        if !timeout.isFinite || !pollInterval.isFinite {
            // ArgumentParser reads `inf` and `nan` as numbers; the start-up options cannot hold them.
            throw Invalid(message: "--timeout and --poll-interval must be finite numbers of seconds.")
        }
        if timeout <= 0 { throw Invalid(message: "--timeout must be positive.") }
        if maxResultBytes < 256 || maxResultBytes > 64 << 20 {
            throw Invalid(message: "--max-result-bytes must be 256 to 67108864.")
        }
        if pollInterval < 0.1 || pollInterval > 3600 {
            throw Invalid(message: "--poll-interval must be 0.1 to 3600 seconds.")
        }
        if tlsInsecure && tlsVerifyHostname {
            throw Invalid(message: "--tls-insecure and --tls-verify-hostname cannot be used together.")
        }
    }

    /// The start-up options these arguments describe.
    public var startup: StartupOptions {
        var o = StartupOptions()
        o.name = name
        o.sname = sname
        o.connect = connect
        o.cookie = cookie
        o.cookieFile = cookieFile
        o.syntax = syntax
        o.noColor = noColor || json
        // At most 4·10⁹ s (a timeout of centuries is no timeout): its nanoseconds still fit an Int64.
        o.timeout = .milliseconds(Int64(min(timeout, 4e9) * 1000))
        o.readOnly = readOnly
        o.allowTrace = allowTrace
        o.maxResultBytes = maxResultBytes
        o.auditLog = auditLog
        o.assumeYes = yes
        o.discovery.dnsQuery = dnsQuery
        o.discovery.basename = basename
        o.discovery.pollInterval = .milliseconds(Int64(pollInterval * 1000))
        o.discovery.dnsServers = dnsServer
        o.discovery.recordTypes = dnsTypes
        o.discovery.epmdHosts = epmdHosts
        o.discovery.nodes = nodes
        o.tls.certFile = tlsCert
        o.tls.keyFile = tlsKey
        o.tls.caFile = tlsCA
        o.tls.insecure = tlsInsecure
        o.tls.verifyHostname = tlsVerifyHostname
        o.tls.sslDistOptfile = sslDistOptfile
        return o
    }
}

extension SourceSyntax {
    /// `--syntax`'s value: `elixir` (`ex`) or `erlang` (`erl`), in any case.
    public init?(optionValue: String) {
        switch optionValue.lowercased() {
        case "elixir", "ex": self = .elixir
        case "erlang", "erl": self = .erlang
        default: return nil
        }
    }
}
