import ClusterDiscovery
import ClusterMembership
import ErlangDistribution

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Whether the console's target can take a line right now, and what the prompt and the refusal say when it cannot.
/// Pure: made from what the node and discovery already know (our connection's state and since when, the sources that
/// stopped listing the target, the other live nodes) with the clock passed in; ``ConsoleSession`` reads those facts
/// and carries out the verdict (``ConsoleSession/unavailableTargetOutput(node:)``).
///
/// "Fails fast" means a line aimed at a target that is not up never waits out an EPMD or TCP connect timeout (5 s;
/// against the address of an ECS task that a rolling deploy stopped, the EPMD connect gets no answer at all) and
/// never runs anywhere else:
///
/// | our connection to the target | verdict |
/// |---|---|
/// | up (even if discovery no longer lists it: it still answers) | ``Verdict/usable`` |
/// | an attempt under way (discovery's retry, an earlier quick reconnect) | ``Verdict/unavailable``: no second dial |
/// | down or failed, and a polled source (DNS, EPMD scan) that listed it no longer does | ``Verdict/unavailable`` |
/// | down or failed less than ``quietPeriod`` ago | ``Verdict/unavailable``: no dial per line right after a nodedown |
/// | down or failed longer ago, or never tried | ``Verdict/reconnect``: one attempt bounded by ``quickReconnect`` |
///
/// So a target that comes back works again: discovery's retries bring its connection up (the prompt turns back at
/// the nodeup), and without discovery the first line after the quiet period reconnects it. A node that answers at
/// all completes EPMD, TCP and the handshake in milliseconds, well within ``quickReconnect``; one that does not costs
/// that line ``quickReconnect`` once, and the lines after it fail at once (the attempt goes on in the background,
/// bounded by the node's own timeouts, and is not started again). `connect NODE` still dials at once, by hand.
public struct TargetAvailability: Sendable, Equatable {
    /// The target (`alive@host`).
    public var target: String
    /// Our connection to it (nil when never tried).
    public var state: PeerConnectionState?
    /// When `state` last changed (the nodedown, the failed attempt).
    public var since: Date?
    /// The polled sources (``NodeSource/dns``, ``NodeSource/epmd``) that listed it and no longer do, when none lists
    /// it now (see ``leftDiscovery(_:)``).
    public var leftDiscovery: [NodeSource]
    /// The visible nodes we are connected to besides the target, sorted: where the line could go instead, by hand.
    public var liveNodes: [String]
    /// The time of the decision.
    public var now: Date
    /// After a nodedown or a failed attempt, how long lines fail without dialling again.
    public var quietPeriod: TimeInterval

    /// Five seconds: discovery's default poll (and retry) interval, libcluster DNSPoll's `polling_interval`.
    public static let defaultQuietPeriod: TimeInterval = 5
    /// How long the one reconnect attempt before a line may take.
    public static let quickReconnect: Duration = .seconds(1)

    public init(
        target: String, state: PeerConnectionState?, since: Date?, leftDiscovery: [NodeSource] = [],
        liveNodes: [String] = [], now: Date, quietPeriod: TimeInterval = TargetAvailability.defaultQuietPeriod
    ) {
        self.target = target
        self.state = state
        self.since = since
        self.leftDiscovery = leftDiscovery
        self.liveNodes = liveNodes
        self.now = now
        self.quietPeriod = quietPeriod
    }

    /// What to do with a line aimed at the target.
    public enum Verdict: Sendable, Equatable {
        /// Connected: send it.
        case usable
        /// Not connected and nothing says it is gone: one reconnect attempt, bounded by ``quickReconnect``, first.
        case reconnect
        /// Not usable now: fail the line at once with ``refusal(noAnswerWithin:)``; nothing is dialled or sent.
        case unavailable
    }

    public var verdict: Verdict {
        switch state {
        case .up?:
            return .usable
        case .resolving?, .epmd?, .connecting?, .handshaking?:
            return .unavailable
        case .down?, .failed?:
            guard leftDiscovery.isEmpty else { return .unavailable }
            return now.timeIntervalSince(since ?? now) >= quietPeriod ? .reconnect : .unavailable
        case nil:
            return leftDiscovery.isEmpty ? .reconnect : .unavailable
        }
    }

    /// The polled sources `node` left, when no polled source lists it now (empty otherwise, and for nodes that only
    /// static sources or peers' lists name: those never stop listing a node).
    public static func leftDiscovery(_ node: DiscoveredNode?) -> [NodeSource] {
        let polled: Set<NodeSource> = [.dns, .epmd]
        guard let node, node.sources.isDisjoint(with: polled) else { return [] }
        return node.leftSources.intersection(polled).sorted()
    }

    // MARK: - What the prompt shows

    /// How the prompt paints the target.
    public enum Tone: Sendable, Equatable {
        /// Up.
        case up
        /// Up, but no polled source lists it any more (a rolling deploy is replacing it).
        case leaving
        /// Not usable.
        case down

        /// The ANSI colour: cyan, yellow, red.
        var color: String {
            switch self {
            case .up: return "36"
            case .leaving: return "33"
            case .down: return "31"
            }
        }
    }

    /// The prompt's label: `myapp@10.0.1.5`, `myapp@10.0.1.5, left dns`, `myapp@10.0.1.5 down`,
    /// `myapp@10.0.1.5 down, left dns`, `… connecting`, `… not connected`. A failed attempt reads `down` too, so the
    /// label does not flicker while discovery retries a lost target (the refused line's message tells them apart).
    public var promptLabel: (text: String, tone: Tone) {
        let left = leftDiscovery.isEmpty ? "" : ", left " + leftDiscovery.map(\.rawValue).joined(separator: " and ")
        switch state {
        case .up?: return (target + left, left.isEmpty ? .up : .leaving)
        case .down?, .failed?: return (target + " down" + left, .down)
        case nil: return (target + " not connected" + left, .down)
        case .some: return (target + " connecting" + left, .down)
        }
    }

    // MARK: - What a refused line says

    /// Why the target cannot take the line, in a sentence: `demo_a@vm is down (closed_by_peer, 2s ago)`.
    public func reason(noAnswerWithin: Duration? = nil) -> String {
        var s = target
        if let noAnswerWithin {
            s += " is unreachable: no answer within \(formatDuration(noAnswerWithin)) (still trying in the background)"
        } else {
            let age = since.map { ", " + formatAge(max(0, now.timeIntervalSince($0))) } ?? ""
            switch state {
            case .down(let e)?: s += " is down (\(e.code)\(age))"
            case .failed(let e)?: s += " is unreachable (\(e.stage): \(e.code)\(age))"
            case nil: s += " is not connected"
            case .up?: s += " is up"
            case let st?: s += " is reconnecting (\(stateName(st)))"
            }
        }
        if !leftDiscovery.isEmpty {
            s += " and " + leftDiscovery.map(\.rawValue).joined(separator: " and ") + " no longer lists it"
        }
        return s
    }

    /// The refused line's output (status 2, nothing sent): the reason, then the live nodes to switch to by hand.
    /// `noAnswerWithin`: the quick reconnect ran out of time.
    public func refusal(noAnswerWithin: Duration? = nil) -> CommandOutput {
        let reason = reason(noAnswerWithin: noAnswerWithin)
        var text = reason + ": nothing sent; "
        if liveNodes.isEmpty {
            text += "no other node is connected (connect NODE, or nodes to see what discovery found)"
        } else {
            text += "live nodes: " + WatchView.nameList(liveNodes) + " (use NODE to switch"
            text += leftDiscovery.isEmpty ? ", connect \(target) to retry now)" : ")"
        }
        var fields: [String: JSONValue] = [
            "node": .string(target), "status": .string("error"),
            "error": errorJSON(
                DistributionError(.notConnected, stage: .connect, node: target, reason + ": nothing sent")),
            "live_nodes": .strings(liveNodes), "left_discovery": .strings(leftDiscovery.map(\.rawValue)),
        ]
        switch state {
        case .down(let e)?, .failed(let e)?: fields["cause"] = errorJSON(e)
        default: break
        }
        return CommandOutput(errorText: text, json: jsonObject(fields), status: CommandOutput.Status.connectionFailure)
    }
}

extension ConsoleSession {
    /// What the node and discovery know about `target` now.
    func targetAvailability(of target: String, now: Date = Date()) -> TargetAvailability {
        let peers = node.peerSnapshots()
        let own = peers.first { $0.node == target }
        let live = peers.filter { $0.node != target && $0.state == .up && $0.peerIsHidden != true }.map(\.node)
        return TargetAvailability(
            target: target, state: own?.state, since: own?.since,
            leftDiscovery: TargetAvailability.leftDiscovery(discovery.discoveredNode(named: target)), liveNodes: live,
            now: now)
    }

    /// Call before sending a line to a node (`call`, `eval`, `info`, a bare call): nil when it may go — `requested`
    /// names another node than the target, or the target is up, or came back within one quick reconnect — else the
    /// output to show instead, at once, naming the live nodes; nothing is sent and the target stays the target.
    /// See ``TargetAvailability`` for when a reconnect is tried.
    public func unavailableTargetOutput(node requested: String?) async -> CommandOutput? {
        guard let target, requested == nil || requested == target else { return nil }
        let availability = targetAvailability(of: target)
        switch availability.verdict {
        case .usable:
            return nil
        case .unavailable:
            return availability.refusal()
        case .reconnect:
            let node = self.node
            let connected = await untilDeadline(.now + TargetAvailability.quickReconnect) { () async -> Bool in
                do {
                    try await node.connect(to: target)
                    return true
                } catch {
                    return false
                }
            }
            if Task.isCancelled { return .cancelled(target) }
            if connected == true { return nil }
            let after = targetAvailability(of: target)
            if after.verdict == .usable { return nil }
            return after.refusal(noAnswerWithin: connected == nil ? TargetAvailability.quickReconnect : nil)
        }
    }
}

extension REPL {
    /// Redraws the prompt of the line being typed when what it shows changed (the target, its state), leaving the
    /// typed text alone; from any thread. Questions and continuation lines keep their prompt.
    func refreshPrompt() {
        editor.refreshPrompt { [weak self] shown in
            guard let self, shown.hasPrefix("beamconsole(") || shown.hasPrefix("beamconsole> ") else { return nil }
            return self.prompt()
        }
    }
}
