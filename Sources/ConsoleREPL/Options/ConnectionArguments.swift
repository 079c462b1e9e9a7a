import TermSyntax

/// The connection options (shared by the REPL and every one-shot command that talks to nodes) as values: what the
/// executable's ArgumentParser definitions parsed, or what its fast path read through ``fastPathOption(_:)``. The one
/// place that checks them together (``validate()``) and turns them into ``StartupOptions`` (``startup``).
public struct ConnectionArguments: Sendable {
    /// What the options set, as the console starts with them (``startup`` adds what `--json` implies).
    public var options = StartupOptions()
    /// `--json`: one JSON document instead of text (and no colours).
    public var json = false
    /// `--verbose`: say which route (``ExecutionRoute``) a one-shot command takes, and why.
    public var verbose = false

    public init() {}

    /// Options that cannot be used together, or values out of range.
    public struct Invalid: Error, Sendable, CustomStringConvertible {
        public var message: String
        public var description: String { message }
    }

    /// Checks the options together (ArgumentParser prints the message; the fast path leaves such a command line to
    /// ArgumentParser).
    public func validate() throws(Invalid) {
        let o = options
        if o.name != nil && o.sname != nil { throw Invalid(message: "--name and --sname cannot be used together.") }
        if o.timeout <= .zero { throw Invalid(message: "--timeout must be positive.") }
        if o.discovery.pollInterval < .milliseconds(100) || o.discovery.pollInterval > .seconds(3600) {
            throw Invalid(message: "--poll-interval must be 0.1 to 3600 seconds.")
        }
        if o.tls.insecure && o.tls.verifyHostname {
            throw Invalid(message: "--tls-insecure and --tls-verify-hostname cannot be used together.")
        }
    }

    /// The start-up options these arguments describe.
    public var startup: StartupOptions {
        var o = options
        if json { o.noColor = true }
        return o
    }

    /// A number of seconds as given (`--timeout`, `--poll-interval`), in whole milliseconds; not a number is zero and
    /// the infinities are clamped, so that ``validate()`` refuses what is out of range instead of a trap.
    public static func duration(seconds: Double) -> Duration {
        if seconds.isNaN { return .zero }
        return .milliseconds(Int64(max(-1e15, min(1e15, seconds * 1000))))
    }

    /// How the fast path sets one option: a flag takes no value; a valued option returns false for a value
    /// ArgumentParser would refuse.
    public enum FastPathOption: Sendable {
        case flag(@Sendable (inout ConnectionArguments) -> Void)
        case value(@Sendable (inout ConnectionArguments, String) -> Bool)
    }

    /// The options a plain command line may use to skip ArgumentParser, by long name (each at most once; repeatable
    /// and discovery options, the read-only policy and the audit log are left to it), or nil for any other name.
    /// Their names are those of the executable's `ConnectionOptions`. A switch rather than an array of entries: no
    /// generic array storage to instantiate at start-up.
    public static func fastPathOption(_ name: String) -> FastPathOption? {
        switch name {
        case "--json": return .flag { $0.json = true }
        case "--no-color": return .flag { $0.options.noColor = true }
        case "--verbose": return .flag { $0.verbose = true }
        case "--tls-insecure": return .flag { $0.options.tls.insecure = true }
        case "--tls-verify-hostname": return .flag { $0.options.tls.verifyHostname = true }
        case "--cookie": return .value { $0.options.cookie = $1; return true }
        case "--cookie-file": return .value { $0.options.cookieFile = $1; return true }
        case "--timeout":
            return .value { a, v in
                guard let d = Double(v), d > 0, d.isFinite else { return false }
                a.options.timeout = duration(seconds: d)
                return true
            }
        case "--name": return .value { $0.options.name = $1; return true }
        case "--sname": return .value { $0.options.sname = $1; return true }
        case "--syntax":
            return .value { a, v in
                guard let s = SourceSyntax(optionValue: v) else { return false }
                a.options.syntax = s
                return true
            }
        case "--connect": return .value { $0.options.connect = [$1]; return true }
        case "--tls-cert": return .value { $0.options.tls.certFile = $1; return true }
        case "--tls-key": return .value { $0.options.tls.keyFile = $1; return true }
        case "--tls-ca": return .value { $0.options.tls.caFile = $1; return true }
        case "--ssl-dist-optfile": return .value { $0.options.tls.sslDistOptfile = $1; return true }
        default: return nil
        }
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
