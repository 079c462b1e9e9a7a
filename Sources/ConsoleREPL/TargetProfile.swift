import ClusterDiscovery
import ErlangDistribution
import ErlangTerm
import Synchronization
import TermSyntax

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

extension PrinterProfile {
    /// The profile for a node that answered `erlang:system_info(otp_release)` with `otpRelease` ("25") and
    /// `'Elixir.System':version()` with `elixirVersion` ("1.14.0"; nil on a node without Elixir), each clamped to the
    /// supported range; what is missing or unreadable is the newest release's.
    public static func forTarget(otpRelease: String?, elixirVersion: String?) -> PrinterProfile {
        var p = PrinterProfile.newest
        if let r = otpRelease.flatMap({ Int($0.trimmingScalars(where: \.isBlank)) }) {
            p.otp = min(max(r, supportedOTP.lowerBound), supportedOTP.upperBound)
        }
        if let v = elixirVersion.flatMap(ElixirVersion.init) {
            p.elixir = min(max(v, supportedElixir.lowerBound), supportedElixir.upperBound)
        }
        return p
    }
}

/// The printer profile of each node the console renders terms for, fetched once per node and connection with two
/// bounded, read-only calls (`erlang:system_info(otp_release)`, `'Elixir.System':version()`), and forgotten when the
/// connection it was fetched over goes down (a later connection may reach a node restarted on another release).
public final class PrinterProfileRegistry: @unchecked Sendable {
    private struct Entry {
        var profile: PrinterProfile
        /// When the connection it was fetched over came up (nil when the caller cannot tell).
        var connection: Date?
    }

    private let entries = Mutex<[String: Entry]>([:])

    public init() {}

    /// The longest either call may take.
    static let callTimeout: Duration = .seconds(5)

    /// When the connection to `node` came up, for a caller that keeps connections (nil otherwise, or when down).
    private static func connection(to node: String, caller: any RemoteCaller) -> Date?? {
        guard let cluster = caller as? any ClusterCaller else { return .some(nil) }
        guard let p = cluster.peerSnapshots().first(where: { $0.node == node }), p.state == .up else { return nil }
        return .some(p.since)
    }

    /// The cached profile of `node`, if one was fetched over the connection that is up now.
    public func cached(_ node: String, caller: any RemoteCaller) -> PrinterProfile? {
        guard let current = Self.connection(to: node, caller: caller) else {
            forget(node)
            return nil
        }
        return entries.withLock { entries in
            guard let e = entries[node], e.connection == current else { return nil }
            return e.profile
        }
    }

    /// Records `profile` for `node` (as `info` learns it) over the current connection.
    public func record(_ profile: PrinterProfile, for node: String, caller: any RemoteCaller) {
        guard let current = Self.connection(to: node, caller: caller) else { return }
        entries.withLock { $0[node] = Entry(profile: profile, connection: current) }
    }

    /// Forgets `node` (its connection went down).
    public func forget(_ node: String) { _ = entries.withLock { $0.removeValue(forKey: node) } }

    /// `node`'s profile: the cached one, or fetched now (one call after the other, as a blocking caller needs).
    /// The OTP release comes from the node's handshake flags when they tell it (bit 37: OTP 28, see
    /// ``DistributionFlags/minimumOTPRelease``), without a call; else from `otp_release`. nil when that cannot be read
    /// (the node is not reachable): the caller keeps its default.
    public func profile(for node: String, caller: any RemoteCaller, timeout: Duration) async -> PrinterProfile? {
        if let p = cached(node, caller: caller) { return p }
        let options = CallOptions(timeout: min(timeout, Self.callTimeout), captureOutput: false)
        let releaseText: String
        if let release = caller.peerFlags(of: node)?.minimumOTPRelease {
            releaseText = String(release)
        } else {
            guard
                let otp = try? await caller.call(
                    node: node, module: "erlang", function: "system_info", arguments: [.atom("otp_release")],
                    options: options),
                case .value(let release) = otp.result, let text = release.stringValue
            else { return nil }
            releaseText = text
        }
        var elixir: String?
        if let r = try? await caller.call(
            node: node, module: "Elixir.System", function: "version", arguments: [], options: options),
            case .value(let v) = r.result
        {
            elixir = v.stringValue
        }
        let profile = PrinterProfile.forTarget(otpRelease: releaseText, elixirVersion: elixir)
        record(profile, for: node, caller: caller)
        return profile
    }
}

extension PrinterProfileRegistry {
    /// Fetches the profiles of `nodes` not cached yet, concurrently (for a command over many nodes).
    func prefetch(_ nodes: [String], caller: any ClusterCaller, timeout: Duration) async {
        await withTaskGroup(of: Void.self) { group in
            for n in nodes where cached(n, caller: caller) == nil {
                group.addTask { _ = await self.profile(for: n, caller: caller, timeout: timeout) }
            }
        }
    }
}

extension ConsoleSettings {
    /// The profile `node`'s terms are rendered with where no call is spent to learn it (error messages): the one
    /// cached for the connection that is up, else ``profile``.
    func knownProfile(of node: String, caller: any RemoteCaller) -> PrinterProfile {
        profiles?.cached(node, caller: caller) ?? profile
    }

    /// ``knownProfile(of:caller:)`` of any node, for code that renders the answers of many.
    func knownProfiles(caller: any RemoteCaller) -> @Sendable (String) -> PrinterProfile {
        let settings = self
        return { settings.knownProfile(of: $0, caller: caller) }
    }

    /// These settings with `node`'s own printer profile, when ``profiles`` is set and the node tells it.
    func forTarget(_ node: String, caller: any RemoteCaller) async -> ConsoleSettings {
        guard let profiles else { return self }
        var s = self
        if let p = await profiles.profile(for: node, caller: caller, timeout: timeout) { s.profile = p }
        return s
    }
}

extension Term {
    /// Whether this value may print differently between the supported releases (a list that may be a charlist, a
    /// map of more than one key or a struct, non-ASCII text, `maybe`/`else`, a collection longer than 50): only then
    /// does a one-shot call spend the calls that read the target's profile. Bounded: past 100,000 subterms the
    /// answer is yes.
    var dependsOnPrinterProfile: Bool {
        var budget = 100_000
        var stack: [Term] = [self]
        while let t = stack.popLast() {
            budget -= 1
            if budget < 0 { return true }
            switch t {
            case .atom(let a):
                if a.name == "maybe" || a.name == "else" || a.name.utf8.contains(where: { $0 >= 0x80 }) { return true }
            case .binary(let b):
                if b.contains(where: { $0 >= 0x80 }) { return true }
            case .list(let items), .tuple(let items):
                if items.count > 50 { return true }
                if case .list = t, !items.isEmpty, items.allSatisfy({ $0.intValue != nil }) { return true }
                stack.append(contentsOf: items)
            case .improperList(let items, let tail):
                if items.count > 50 { return true }
                stack.append(contentsOf: items)
                stack.append(tail)
            case .map(let m):
                if m.count > 1 || m[Atom("__struct__")] != nil { return true }
                for (k, v) in m { stack.append(k); stack.append(v) }
            default:
                break
            }
        }
        return false
    }
}
