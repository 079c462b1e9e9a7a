import ClusterDiscovery
import ErlangDistribution

/// Which transport a one-shot command runs on, and why: the one place that decides it.
///
/// The blocking transport (``BlockingCaller``: one ``BlockingNode`` on the calling thread, no event loop, no Swift
/// concurrency threads, no discovery service) makes a one-shot `call` about twice as fast from process start to exit.
/// Everything it does not do takes the full path (``ConsoleSession`` over a ``LocalNode``), with the same output.
public enum ExecutionRoute: Equatable, Sendable {
    /// One blocking connection on the calling thread.
    case blocking
    /// The full path, for the reason given.
    case full(reason: String)

    /// The route for `command` started with `options` in `environment`. `plan` is asked for last, only when every
    /// other rule allows the blocking transport (when it throws, the full path runs and reports why).
    /// `BEAMCONSOLE_NIO_CALL` in the environment forces the full path (the tests compare the two).
    public static func choose(
        command: ConsoleCommand, options: StartupOptions, environment: [String: String],
        plan makePlan: () throws(DistributionError) -> StartupPlan
    ) -> ExecutionRoute {
        if environment["BEAMCONSOLE_NIO_CALL"] != nil { return .full(reason: "BEAMCONSOLE_NIO_CALL is set") }
        guard case .call(let node, _) = command else {
            return .full(reason: "only call runs on the blocking transport")
        }
        if !options.tls.isEmpty { return .full(reason: "TLS distribution") }
        if options.readOnly { return .full(reason: "--read-only") }
        if options.auditLog != nil { return .full(reason: "--audit-log") }
        if !options.discovery.isEmpty { return .full(reason: "discovery options") }
        if ECSMetadataClient.isConfigured(environment) { return .full(reason: "the ECS task metadata is to be read") }
        let plan: StartupPlan
        do throws(DistributionError) {
            plan = try makePlan()
        } catch {
            return .full(reason: "the start-up plan could not be made")
        }
        guard let target = node ?? plan.target else {
            return .full(reason: "no target given: the local EPMD is asked for one")
        }
        guard plan.connect.isEmpty || plan.connect == [target] else {
            return .full(reason: "it connects to another node than the one it calls")
        }
        return .blocking
    }

    /// The line `--verbose` prints (on standard error).
    public var description: String {
        switch self {
        case .blocking: return "beamconsole: route: blocking (a plain call on one connection, on this thread)"
        case .full(let reason): return "beamconsole: route: full (\(reason))"
        }
    }
}
