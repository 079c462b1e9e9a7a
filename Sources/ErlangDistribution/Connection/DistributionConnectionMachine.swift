/// One distribution connection from the first byte to the close, as a pure state machine: the TLS wait (when asked),
/// the handshake (``HandshakeStateMachine``), and the established connection (``ConnectionStateMachine``), with the
/// one ``FrameParser`` whose mode follows them.
///
/// ```
/// awaitingTLS ─tlsEstablished─▶ handshaking(HandshakeStateMachine) ─established─▶ connected(ConnectionStateMachine)
///      │                                │                                                │
///      └─────────── failure ────────────┴─────────────── failure / close ────────────────┴──▶ closed
/// ```
///
/// It decides everything the shells (`DistributionChannelHandler` on NIO, ``BlockingConnection`` on a blocking
/// socket) used to decide each on its own: when the handshake starts, the framing mode and its switch (bytes that
/// arrive in the same read as the final handshake message are parsed in the connected mode), the check for a TLS
/// alert where a plain handshake message was expected, the handshake step timeout, and the tick timer's period.
/// It never touches a socket or a timer: feed it events and carry out the returned ``Action``s. Time is passed in as
/// monotonic nanoseconds.
public struct DistributionConnectionMachine: Sendable {
    /// Everything the machine needs to know up front.
    public struct Configuration: Sendable {
        /// The handshake (our name, flags, cookie, the name we expect, our challenge).
        public var handshake: HandshakeStateMachine.Configuration
        /// Ticks and the liveness deadline once connected.
        public var connection: ConnectionStateMachine.Configuration
        /// TLS distribution: the handshake starts once TLS is up, and is framed with 4-byte lengths. Failures before
        /// that are classified against this configuration. Nil: plain TCP.
        public var tls: DistributionTLSConfiguration?
        /// The largest frame accepted once connected.
        public var maxFrameSize: Int
        /// How long one handshake step (the TLS handshake, or one handshake message) may take (OTP's net_setuptime).
        public var handshakeStepTimeout: Duration

        /// The handshake's and the established connection's configurations, with the TLS setting, the frame limit
        /// and the handshake step timeout (``DistributionOptions`` builds this for the node types).
        public init(
            handshake: HandshakeStateMachine.Configuration, connection: ConnectionStateMachine.Configuration,
            tls: DistributionTLSConfiguration? = nil, maxFrameSize: Int = 128 * 1024 * 1024,
            handshakeStepTimeout: Duration = .seconds(7)
        ) {
            self.handshake = handshake
            self.connection = connection
            self.tls = tls
            self.maxFrameSize = maxFrameSize
            self.handshakeStepTimeout = handshakeStepTimeout
        }
    }

    /// What the shell does next.
    public enum Action: Hashable, Sendable {
        /// Nothing to do.
        case none
        /// (Re)start the one step timer: fire ``stepTimerFired()`` after this long unless re-armed first.
        case armStepTimer(Duration)
        /// Write these bytes (a framed handshake message), and (re)start the step timer.
        case sendHandshake([UInt8], armStepTimer: Duration)
        /// The handshake completed: stop the step timer, start a repeating timer with this period that calls
        /// ``tickTimerFired(now:)``, and report the result. Frames already buffered follow from ``nextAction(now:)``.
        case established(HandshakeStateMachine.Result, tickTimerPeriod: Duration)
        /// Write a tick (four zero bytes) unless the socket is backed up.
        case sendTick
        /// Hand this message to the node.
        case deliver(ControlMessage)
        /// ``nextAction(now:intercept:)``'s interceptor took a data frame.
        case intercepted
        /// The connection attempt failed before it was established: report the error and close the socket.
        case failHandshake(DistributionError)
        /// An established connection ends with this error: report it and close the socket.
        case close(DistributionError)
    }

    enum State: Sendable {
        case awaitingTLS
        case handshaking(HandshakeStateMachine)
        case connected(ConnectionStateMachine)
        case closed
    }

    public let configuration: Configuration
    private var state: State
    private var parser: FrameParser
    /// Whether the machine has seen the socket come up (``channelActive()``).
    private var started = false
    /// Whether any handshake message arrived (before that, a plain peer's first bytes are checked for a TLS alert).
    private var receivedHandshakeMessage = false

    /// A machine for one connection, before the socket is up: it waits for the TLS handshake (when
    /// ``Configuration/tls`` is set) or starts the distribution handshake at ``channelActive()``.
    public init(configuration: Configuration) {
        self.configuration = configuration
        let tls = configuration.tls != nil
        self.state = tls ? .awaitingTLS : .handshaking(HandshakeStateMachine(configuration: configuration.handshake))
        self.parser = FrameParser(mode: .forHandshake(tls: tls), maxFrameSize: configuration.maxFrameSize)
    }

    /// The period of the timer that feeds ``tickTimerFired(now:)`` once connected: a quarter of the tick interval,
    /// between 50 ms and 1 s (fine enough to tick on time, coarse enough to cost nothing).
    public var tickTimerPeriod: Duration {
        .nanoseconds(Int64(min(1_000_000_000, max(50_000_000, configuration.connection.tickIntervalNanos / 4))))
    }

    /// Whether the handshake completed and the connection is up.
    public var isConnected: Bool {
        if case .connected = state { return true }
        return false
    }

    /// Whether the connection is over (failed, closed by the peer, or closed by a returned action).
    public var isClosed: Bool {
        if case .closed = state { return true }
        return false
    }

    /// The stage a socket failure belongs to right now.
    public var stage: DistributionError.Stage {
        switch state {
        case .awaitingTLS: return .tls
        case .handshaking: return .handshake
        case .connected, .closed: return .connection
        }
    }

    /// The current framing mode (how outgoing frames are framed, too).
    public var framingMode: FrameParser.Mode { parser.mode }

    /// Bytes received but not yet returned as frames.
    public var bufferedByteCount: Int { parser.bufferedByteCount }

    // MARK: - Events

    /// The TCP connection is up. Plain TCP: send our name. TLS: wait for the TLS handshake, for one step at most.
    public mutating func channelActive() -> Action {
        precondition(!started, "channelActive in \(state)")
        started = true
        switch state {
        case .awaitingTLS:
            return .armStepTimer(configuration.handshakeStepTimeout)
        case .handshaking(var handshake):
            let action = handshake.start()
            state = .handshaking(handshake)
            return handshakeAction(action)
        case .connected, .closed:
            preconditionFailure("channelActive in \(state)")
        }
    }

    /// The TLS handshake completed: send our name inside it.
    public mutating func tlsEstablished() -> Action {
        guard case .awaitingTLS = state else { return .none }
        var handshake = HandshakeStateMachine(configuration: configuration.handshake)
        let action = handshake.start()
        state = .handshaking(handshake)
        return handshakeAction(action)
    }

    /// Bytes were read from the socket (decrypted, under TLS). Call ``nextAction(now:)`` until it returns nil.
    public mutating func bytesReceived<S: Sequence>(_ bytes: S, now: UInt64) where S.Element == UInt8 {
        guard !isClosed else { return }
        parser.append(bytes)
        if case .connected(var connection) = state {
            connection.bytesRead(now: now)
            state = .connected(connection)
        }
    }

    /// The next thing to do with the bytes received so far; nil when more bytes are needed.
    public mutating func nextAction(now: UInt64) -> Action? {
        nextAction(now: now, intercept: { _ in false })
    }

    /// ``nextAction(now:)`` with a look at each data frame of the established connection before it is decoded: when
    /// `intercept` returns true it handled the payload, and the action is ``Action/intercepted``.
    public mutating func nextAction(now: UInt64, intercept: (UnsafeRawBufferPointer) -> Bool) -> Action? {
        while true {
            switch state {
            case .awaitingTLS, .closed:
                return nil
            case .handshaking(var handshake):
                if configuration.tls == nil, !receivedHandshakeMessage, parser.bufferedByteCount >= 2,
                    TLSFailure.looksLikeTLSRecord(parser.peek(2))
                {
                    // No handshake message starts with a 0x15xx length: this is a TLS record (the alert a TLS node
                    // sends).
                    state = .closed
                    return .failHandshake(TLSFailure.peerExpectsTLS())
                }
                let frame: FrameParser.Frame?
                do {
                    frame = try parser.next()
                } catch {
                    state = .closed
                    return .failHandshake(error)
                }
                guard case .data(let message)? = frame else { return nil }
                receivedHandshakeMessage = true
                let action = handshake.received(message)
                state = .handshaking(handshake)
                switch handshakeAction(action, now: now) {
                case .none: return .armStepTimer(configuration.handshakeStepTimeout)
                case let other: return other
                }
            case .connected(var connection):
                let frame: FrameParser.Frame?
                do {
                    frame = try parser.next()
                } catch {
                    state = .closed
                    return .close(error)
                }
                guard let frame else { return nil }
                if case .data(let payload) = frame, payload.withUnsafeBytes(intercept) {
                    return .intercepted
                }
                let action = connection.frameReceived(frame, now: now)
                state = .connected(connection)
                switch connectionAction(action) {
                case .none: continue
                case let other: return other
                }
            }
        }
    }

    /// We wrote something (a message or a tick) on the established connection.
    public mutating func wrote(now: UInt64) {
        guard case .connected(var connection) = state else { return }
        connection.wrote(now: now)
        state = .connected(connection)
    }

    /// The step timer fired (armed by ``Action/armStepTimer(_:)`` or ``Action/sendHandshake(_:armStepTimer:)``).
    public mutating func stepTimerFired() -> Action {
        switch state {
        case .awaitingTLS:
            state = .closed
            return .failHandshake(TLSFailure.peerSilent(waited: configuration.handshakeStepTimeout))
        case .handshaking(var handshake):
            let action = handshake.timedOut()
            state = .handshaking(handshake)
            return handshakeAction(action)
        case .connected, .closed:
            return .none
        }
    }

    /// The tick timer fired (started by ``Action/established(_:tickTimerPeriod:)``).
    public mutating func tickTimerFired(now: UInt64) -> Action {
        guard case .connected(var connection) = state else { return .none }
        let action = connection.timerFired(now: now)
        state = .connected(connection)
        return connectionAction(action)
    }

    /// The peer closed the socket. Under TLS before the TLS handshake completed, `tlsFirstBytes` (what the peer sent
    /// before decryption) tells a plain node's answer from a TLS one.
    public mutating func peerClosed(tlsFirstBytes: [UInt8] = []) -> Action {
        switch state {
        case .awaitingTLS:
            state = .closed
            return .failHandshake(tlsFailure(reason: "EOF during handshake", firstBytes: tlsFirstBytes))
        case .handshaking(var handshake):
            let action = handshake.peerClosed()
            state = .handshaking(handshake)
            return handshakeAction(action)
        case .connected(var connection):
            let action = connection.peerClosed()
            state = .closed
            return connectionAction(action)
        case .closed:
            return .none
        }
    }

    /// The TLS layer failed (`reason` is its description) before the distribution connection was established;
    /// nil once established (the failure is then an ordinary ``socketFailed(_:)``).
    public mutating func tlsFailed(reason: String, firstBytes: [UInt8]) -> Action? {
        switch state {
        case .awaitingTLS, .handshaking:
            state = .closed
            return .failHandshake(tlsFailure(reason: reason, firstBytes: firstBytes))
        case .connected:
            return nil
        case .closed:
            return Action.none
        }
    }

    /// A socket failure: a ``DistributionError`` as it is, anything else as ``DistributionError/Code/ioError`` at
    /// the current stage.
    public mutating func socketFailed(_ error: any Error) -> Action {
        let e = error as? DistributionError ?? DistributionError(.ioError, stage: stage, "socket error: \(error)")
        return fail(e)
    }

    /// Ends the connection with `error` (a failure the shell found itself), as the right kind of action.
    public mutating func fail(_ error: DistributionError) -> Action {
        switch state {
        case .awaitingTLS, .handshaking:
            state = .closed
            return .failHandshake(error)
        case .connected:
            state = .closed
            return .close(error)
        case .closed:
            return .none
        }
    }

    // MARK: - Mapping the inner machines' actions

    private mutating func handshakeAction(_ action: HandshakeStateMachine.Action, now: UInt64 = 0) -> Action {
        switch action {
        case .wait:
            return .none
        case .send(let payload):
            return .sendHandshake(
                FrameParser.frame(payload, mode: parser.mode), armStepTimer: configuration.handshakeStepTimeout)
        case .established(let result):
            // Bytes after the final handshake message (already buffered) are parsed in the new mode.
            parser.mode = .connected
            state = .connected(ConnectionStateMachine(configuration: configuration.connection, now: now))
            return .established(result, tickTimerPeriod: tickTimerPeriod)
        case .fail(let error):
            state = .closed
            return .failHandshake(error)
        }
    }

    private mutating func connectionAction(_ action: ConnectionStateMachine.Action) -> Action {
        switch action {
        case .none: return .none
        case .sendTick: return .sendTick
        case .deliver(let message): return .deliver(message)
        case .close(let error):
            state = .closed
            return .close(error)
        }
    }

    private func tlsFailure(reason: String, firstBytes: [UInt8]) -> DistributionError {
        guard let tls = configuration.tls else {
            return DistributionError(.ioError, stage: stage, "TLS failure without TLS: \(reason)")
        }
        return TLSFailure.classify(reason: reason, firstBytes: firstBytes, configuration: tls)
    }
}
