/// The established-connection policy, as a pure state machine: frames in, control messages out, ticks, and the
/// liveness deadline (`erl_dist_protocol.md` §"Distribution Protocol" ticks; `dist_util:con_loop`).
///
/// Time is passed in as monotonic nanoseconds; the caller runs a timer and feeds ``timerFired(now:)``.
public struct ConnectionStateMachine: Sendable {
    public struct Configuration: Hashable, Sendable {
        /// Send a tick when we wrote nothing for this long (default 15 s, OTP's interval).
        public var tickIntervalNanos: UInt64
        /// Declare the peer down when nothing was read for this long (default 60 s, OTP's net_ticktime).
        public var tickTimeNanos: UInt64
        /// Answer the peer's ticks with one of ours (as ei does; hidden peers tick only when ticked), at most one
        /// answer per second.
        public var answerTicks: Bool

        public init(tickIntervalNanos: UInt64 = 15_000_000_000, tickTimeNanos: UInt64 = 60_000_000_000,
                    answerTicks: Bool = true) {
            self.tickIntervalNanos = tickIntervalNanos; self.tickTimeNanos = tickTimeNanos
            self.answerTicks = answerTicks
        }
    }

    public enum Action: Hashable, Sendable {
        /// Nothing to do.
        case none
        /// Write a tick (four zero bytes).
        case sendTick
        /// Hand this message to the node.
        case deliver(ControlMessage)
        /// Close the connection with this error.
        case close(DistributionError)
    }

    public let configuration: Configuration
    /// The shortest time between two answers to the peer's ticks: one second, or the tick interval if shorter.
    private var tickAnswerGap: UInt64 { min(1_000_000_000, configuration.tickIntervalNanos) }
    private var lastRead: UInt64
    private var lastWrite: UInt64
    private var closed = false

    public init(configuration: Configuration, now: UInt64) {
        self.configuration = configuration
        self.lastRead = now
        self.lastWrite = now
    }

    /// A frame arrived (or a read happened that completed one).
    public mutating func frameReceived(_ frame: FrameParser.Frame, now: UInt64) -> Action {
        guard !closed else { return .none }
        lastRead = now
        switch frame {
        case .tick:
            // One answer per `tickAnswerGap` at most: a peer that floods ticks must not make us queue a write per tick
            // (and anything we wrote recently already told the peer we are alive).
            guard configuration.answerTicks, now &- lastWrite >= tickAnswerGap else { return .none }
            lastWrite = now
            return .sendTick
        case .data(let bytes):
            do {
                let message = try ControlMessage.decode(frame: bytes)
                if case .unknown(let op, _, _) = message {
                    // erts closes the connection on an operation it does not know (dist.c, invalid_message); new
                    // operations are only sent to peers that negotiated the flag that introduced them.
                    closed = true
                    return .close(
                        DistributionError(
                            .protocolViolation, stage: .connection,
                            "the peer sent control operation \(op), which no negotiated flag allows"))
                }
                return .deliver(message)
            } catch {
                closed = true
                return .close(error)
            }
        }
    }

    /// Bytes were read that did not complete a frame yet: the peer is alive.
    public mutating func bytesRead(now: UInt64) { lastRead = now }

    /// We wrote something (a message or a tick).
    public mutating func wrote(now: UInt64) { lastWrite = now }

    /// The periodic timer fired.
    public mutating func timerFired(now: UInt64) -> Action {
        guard !closed else { return .none }
        if now &- lastRead >= configuration.tickTimeNanos {
            closed = true
            let seconds = Double(configuration.tickTimeNanos) / 1e9
            return .close(
                DistributionError(
                    .tickTimeout, stage: .connection,
                    "nothing received from the peer for \(seconds) s (tick time); the peer is not responding"))
        }
        if now &- lastWrite >= configuration.tickIntervalNanos {
            lastWrite = now
            return .sendTick
        }
        return .none
    }

    /// The peer closed the socket.
    public mutating func peerClosed() -> Action {
        guard !closed else { return .none }
        closed = true
        return .close(DistributionError(.closedByPeer, stage: .connection, "the peer closed the connection"))
    }
}
