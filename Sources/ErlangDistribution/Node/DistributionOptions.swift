import Logging

/// Everything configurable about our side of distribution connections, shared by ``LocalNode`` and
/// ``BlockingConnection`` (`LocalNode.Configuration` and `BlockingConnection.Configuration` are this type). Times
/// are `Duration`s.
public struct DistributionOptions: Sendable {
    /// Our node name (full `alive@host`), or a dynamic-name request.
    public var name: NodeNameSpec
    /// The cookie. Never logged or printed.
    public var cookie: String
    /// The flags we advertise.
    public var flags: DistributionFlags
    /// EPMD port; nil = `ERL_EPMD_PORT` or 4369.
    public var epmdPort: Int?
    /// TCP connect timeout (EPMD and the dist port); also bounds EPMD's reply.
    public var connectTimeout: Duration
    /// Per-step handshake timeout (OTP's net_setuptime is 7 s).
    public var handshakeStepTimeout: Duration
    /// Declare a peer down after this long without reading anything (net_ticktime, default 60 s).
    public var tickTime: Duration
    /// Send a tick after this long without writing (default tickTime / 4).
    public var tickInterval: Duration?
    /// The largest frame we accept.
    public var maxFrameSize: Int
    /// TLS distribution (`-proto_dist inet_tls`) for every connection; nil = plain TCP. EPMD cannot tell which a
    /// node uses, so this must match the cluster: a mismatch fails at the ``DistributionError/Stage/tls`` stage
    /// with ``DistributionError/Code/tlsExpectedButPeerIsPlain`` or ``DistributionError/Code/plainButPeerExpectsTLS``.
    /// ``BlockingConnection`` does not do TLS and refuses a configuration with it.
    public var tls: DistributionTLSConfiguration?
    /// Our creation (nonzero, ≥ 4); nil picks a random one.
    public var creation: UInt32?
    /// ``BlockingConnection`` only: once connected, how long a read polls the socket before it sleeps in the kernel
    /// (`.zero`: sleep at once). Like the BEAM's scheduler busy-wait: a reply that arrives within the spin skips a
    /// sleep and a wake-up, which on an idle (virtual) CPU costs more than a loopback round trip. The price is up to
    /// this much CPU per wait that ends later.
    public var receiveSpin: Duration
    /// Where connection events are logged (``LocalNode``; the blocking connection logs nothing). Made only when it is
    /// first asked for: creating a `Logger` runs the logging system's factory, which a one-shot blocking call, that
    /// never logs, should not pay for.
    public var logger: Logger {
        get { customLogger ?? Logger(label: "ErlangDistribution") }
        set { customLogger = newValue }
    }
    private var customLogger: Logger?

    /// Options for a node named `name` with `cookie`; the other settings default to a hidden node over plain TCP with
    /// OTP's timing (a 60 s net_ticktime, a 7 s net_setuptime).
    public init(
        name: NodeNameSpec, cookie: String, flags: DistributionFlags = .defaultHidden, epmdPort: Int? = nil,
        connectTimeout: Duration = .seconds(5), handshakeStepTimeout: Duration = .seconds(7),
        tickTime: Duration = .seconds(60), tickInterval: Duration? = nil, maxFrameSize: Int = 128 * 1024 * 1024,
        tls: DistributionTLSConfiguration? = nil, creation: UInt32? = nil, receiveSpin: Duration = .microseconds(60),
        logger: Logger? = nil
    ) {
        self.name = name
        self.cookie = cookie
        self.flags = flags
        self.epmdPort = epmdPort
        self.connectTimeout = connectTimeout
        self.handshakeStepTimeout = handshakeStepTimeout
        self.tickTime = tickTime
        self.tickInterval = tickInterval
        self.maxFrameSize = maxFrameSize
        self.tls = tls
        self.creation = creation
        self.receiveSpin = receiveSpin
        self.customLogger = logger
    }

    /// The EPMD port to ask: ``epmdPort``, else `ERL_EPMD_PORT`, else 4369.
    public var resolvedEPMDPort: Int { epmdPort ?? EPMDClient.environmentPort ?? EPMDMessage.defaultPort }

    /// The connection machine's tick policy: tick after ``tickInterval`` (default a quarter of ``tickTime``) without
    /// writing, give up after ``tickTime`` without reading.
    public var connectionConfiguration: ConnectionStateMachine.Configuration {
        let tickTimeNanos = UInt64(max(1, tickTime.wholeNanoseconds))
        let interval = tickInterval.map { UInt64(max(1, $0.wholeNanoseconds)) } ?? max(1, tickTimeNanos / 4)
        return ConnectionStateMachine.Configuration(tickIntervalNanos: interval, tickTimeNanos: tickTimeNanos)
    }

    /// The handshake for dialling `peer`, with our name (or a dynamic-name request), `creation` and a fresh
    /// challenge.
    public func handshakeConfiguration(dialling peer: NodeName, creation: UInt32, challenge: UInt32)
        -> HandshakeStateMachine.Configuration
    {
        let (ourName, dynamic): (String, Bool) = {
            switch name {
            case .short(let n), .long(let n): return (n, false)
            case .dynamic(let h): return (h, true)
            }
        }()
        return HandshakeStateMachine.Configuration(
            ourName: ourName, dynamicName: dynamic, flags: flags, creation: creation, cookie: Array(cookie.utf8),
            expectedPeerName: peer.description, ourChallenge: challenge)
    }

    /// The whole connection machine for dialling `peer`.
    public func machineConfiguration(dialling peer: NodeName, creation: UInt32, challenge: UInt32)
        -> DistributionConnectionMachine.Configuration
    {
        DistributionConnectionMachine.Configuration(
            handshake: handshakeConfiguration(dialling: peer, creation: creation, challenge: challenge),
            connection: connectionConfiguration, tls: tls, maxFrameSize: maxFrameSize,
            handshakeStepTimeout: handshakeStepTimeout)
    }
}
