import ClusterDiscovery
import TermSyntax

/// The connection options as one table: each case's long name (its raw value, without `--`), how many values it
/// takes (``arity``), whether the fast path reads it (``readByFastPath``), and how its value is read and sets
/// ``ConnectionArguments`` (``apply(_:to:)``). Every column is a switch over the cases: a new option cannot miss one.
///
/// The fast path (``FastCall``) reads command lines with this table alone. The executable's ArgumentParser
/// `ConnectionOptions` cannot be generated from it (its `@Option`/`@Flag` property wrappers are declarations), so it
/// takes each name from here (`.customLong(ConnectionOption.x.name)`) and reads values with the same functions
/// (`Double(_:)` as in ``seconds(_:)``, `SourceSyntax(optionValue:)`, ``dnsTypes(_:)``), and a test
/// (`CLITests.ConnectionOptionTableTests`) parses sample command lines for every entry both ways and compares the
/// resulting ``ConnectionArguments``.
public enum ConnectionOption: String, CaseIterable, Sendable {
    case name
    case sname
    case connect
    case cookie
    case cookieFile = "cookie-file"
    case syntax
    case noColor = "no-color"
    case json
    case verbose
    case timeout
    case maxResultBytes = "max-result-bytes"
    case readOnly = "read-only"
    case allowTrace = "allow-trace"
    case auditLog = "audit-log"
    case yes
    case dnsQuery = "dns-query"
    case basename
    case pollInterval = "poll-interval"
    case dnsServer = "dns-server"
    case dnsType = "dns-type"
    case epmdHosts = "epmd-hosts"
    case nodes
    case tlsCert = "tls-cert"
    case tlsKey = "tls-key"
    case tlsCA = "tls-ca"
    case tlsInsecure = "tls-insecure"
    case tlsVerifyHostname = "tls-verify-hostname"
    case sslDistOptfile = "ssl-dist-optfile"

    /// The long name without `--` (`cookie-file`), as ArgumentParser's `.customLong` takes it.
    public var name: String { rawValue }

    /// How many values an option takes on the command line.
    public enum Arity: Sendable, Hashable {
        /// No value (`--json`).
        case flag
        /// One value (`--cookie C` or `--cookie=C`), at most once.
        case value
        /// One value each time; the option may be repeated and the values add up (`--connect a --connect b`).
        case repeatable
        /// Every value up to the next option (`--nodes a b c`), repeatable.
        case upToNextOption
    }

    /// How many values the option takes.
    public var arity: Arity {
        switch self {
        case .noColor, .json, .verbose, .readOnly, .allowTrace, .yes, .tlsInsecure, .tlsVerifyHostname: return .flag
        case .connect, .dnsServer, .epmdHosts: return .repeatable
        case .nodes: return .upToNextOption
        case .name, .sname, .cookie, .cookieFile, .syntax, .timeout, .maxResultBytes, .auditLog, .dnsQuery, .basename,
            .pollInterval, .dnsType, .tlsCert, .tlsKey, .tlsCA, .sslDistOptfile:
            return .value
        }
    }

    /// Whether the fast path reads the option (each at most once). Repeatable and discovery options, the read-only
    /// policy and the audit log are left to ArgumentParser (they send the command to the full route anyway).
    public var readByFastPath: Bool {
        switch self {
        case .json, .noColor, .verbose, .tlsInsecure, .tlsVerifyHostname, .cookie, .cookieFile, .timeout, .name,
            .sname, .syntax, .connect, .tlsCert, .tlsKey, .tlsCA, .sslDistOptfile, .maxResultBytes:
            return true
        case .readOnly, .allowTrace, .auditLog, .yes, .dnsQuery, .basename, .pollInterval, .dnsServer, .dnsType, .epmdHosts,
            .nodes:
            return false
        }
    }

    /// The option named `--name` (`name` includes the dashes), or nil.
    public init?(longName name: String) {
        guard name.hasPrefix("--") else { return nil }
        self.init(rawValue: String(name.dropFirst(2)))
    }

    /// Sets what the option means on `arguments`: a flag (``Arity/flag``) takes `nil`; any other option takes one
    /// value (a repeatable one adds it). False for a value ArgumentParser would refuse (or a missing or extra value);
    /// the checks across options are ``ConnectionArguments/validate()``'s.
    public func apply(_ value: String?, to arguments: inout ConnectionArguments) -> Bool {
        guard (arity == .flag) == (value == nil) else { return false }
        let v = value ?? ""
        switch self {
        case .name: arguments.name = v
        case .sname: arguments.sname = v
        case .connect: arguments.connect.append(v)
        case .cookie: arguments.cookie = v
        case .cookieFile: arguments.cookieFile = v
        case .syntax:
            guard let s = SourceSyntax(optionValue: v) else { return false }
            arguments.syntax = s
        case .noColor: arguments.noColor = true
        case .json: arguments.json = true
        case .verbose: arguments.verbose = true
        case .timeout:
            guard let s = Self.seconds(v) else { return false }
            arguments.timeout = s
        case .maxResultBytes:
            guard let n = Int(v) else { return false }
            arguments.maxResultBytes = n
        case .readOnly: arguments.readOnly = true
        case .allowTrace: arguments.allowTrace = true
        case .auditLog: arguments.auditLog = v
        case .yes: arguments.yes = true
        case .dnsQuery: arguments.dnsQuery = v
        case .basename: arguments.basename = v
        case .pollInterval:
            guard let s = Self.seconds(v) else { return false }
            arguments.pollInterval = s
        case .dnsServer: arguments.dnsServer.append(v)
        case .dnsType:
            guard let t = Self.dnsTypes(v) else { return false }
            arguments.dnsTypes = t
        case .epmdHosts: arguments.epmdHosts.append(v)
        case .nodes: arguments.nodes.append(v)
        case .tlsCert: arguments.tlsCert = v
        case .tlsKey: arguments.tlsKey = v
        case .tlsCA: arguments.tlsCA = v
        case .tlsInsecure: arguments.tlsInsecure = true
        case .tlsVerifyHostname: arguments.tlsVerifyHostname = true
        case .sslDistOptfile: arguments.sslDistOptfile = v
        }
        return true
    }

    // MARK: - Value parsing, shared with the executable's ArgumentParser types

    /// A number of seconds (`--timeout`, `--poll-interval`): a finite decimal number, as `Double(_:)` reads it (the
    /// range is ``ConnectionArguments/validate()``'s).
    public static func seconds(_ text: String) -> Double? {
        guard let d = Double(text), d.isFinite else { return nil }
        return d
    }

    /// `--dns-type`'s values, in the order ArgumentParser's help lists them.
    public static let dnsTypeValues = ["a", "aaaa", "both"]

    /// `--dns-type`: `a` (libcluster's), `aaaa` or `both`.
    public static func dnsTypes(_ text: String) -> [DNSRecordType]? {
        switch text {
        case "a": return [.a]
        case "aaaa": return [.aaaa]
        case "both": return [.a, .aaaa]
        default: return nil
        }
    }
}
