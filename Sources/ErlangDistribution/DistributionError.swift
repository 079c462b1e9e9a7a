/// A failure anywhere in the distribution client, naming the stage where it happened.
///
/// `code` is stable and can be switched on; `stage` says how far the connection got. The typed fields
/// (``handshakeStep``, ``expectedPeerName``/``actualPeerName``, ``epmd``, ``errno``) carry the facts a consumer
/// acts on; ``message`` is prose for people and is not meant to be parsed. Two errors are equal when their code and
/// stage are. Descriptions never contain the cookie or any digest made from it, and never name command-line flags:
/// applications add their own advice.
public struct DistributionError: Error, Hashable, Sendable, CustomStringConvertible {
    /// How far a connection attempt (or a live connection) had got.
    public enum Stage: String, Hashable, Sendable, CustomStringConvertible {
        /// Resolving the peer's host name.
        case resolve
        /// Talking to EPMD on the peer's host (TCP connect, PORT_PLEASE2, NAMES).
        case epmd
        /// TCP connect to the peer's distribution port.
        case connect
        /// TLS on the distribution port (`-proto_dist inet_tls`): the TLS handshake and certificate checks, a TLS
        /// console against a plain node and the reverse, and TLS configuration that cannot be loaded.
        case tls
        /// The distribution handshake (status, challenge, cookie check).
        case handshake
        /// An established connection (ticks, control messages, close).
        case connection
        /// A remote call on top of a connection.
        case rpc
        /// The raw value (`resolve`, `epmd`, …), as printed and in the JSON output.
        public var description: String { rawValue }
    }

    /// Which message of the handshake (`erl_dist_protocol.md` §"Distribution Handshake") a handshake failure came
    /// at: what we were waiting for when it went wrong.
    public enum HandshakeStep: String, Hashable, Sendable, CustomStringConvertible {
        /// The peer's status (`ok`, `nok`, `not_allowed`, `alive`, `named:`), after our name.
        case status
        /// The peer's challenge (its name, flags and challenge), after its status.
        case challenge
        /// The peer's challenge acknowledgement, after our challenge reply: the cookie check.
        case challengeAck = "challenge_ack"
        /// The raw value (`status`, `challenge`, `challenge_ack`), as printed and in the JSON output.
        public var description: String { rawValue }
    }

    /// What EPMD on the peer's host said or where it was asked.
    public struct EPMDFacts: Hashable, Sendable {
        /// The host EPMD was asked on.
        public var host: String
        /// The EPMD port.
        public var port: Int?
        /// The names NAMES listed (for ``Code/nameNotRegistered``; nil when not asked).
        public var registeredNames: [String]?
        /// The highest distribution version PORT_PLEASE2 reported (for a node too old to talk to).
        public var highestVersion: Int?

        public init(host: String, port: Int? = nil, registeredNames: [String]? = nil, highestVersion: Int? = nil) {
            self.host = host
            self.port = port
            self.registeredNames = registeredNames
            self.highestVersion = highestVersion
        }
    }

    /// A stable error code.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        public let rawValue: String
        public init(_ rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        /// The node name is not `alive@host` (or otherwise unusable).
        public static let badNodeName = Code("bad_node_name")
        /// The host name did not resolve.
        public static let hostNotFound = Code("host_not_found")
        /// Nothing listens on the EPMD port (connection refused): no Erlang node was ever started there.
        public static let epmdRefused = Code("epmd_refused")
        /// The EPMD TCP connect or reply timed out.
        public static let epmdTimeout = Code("epmd_timeout")
        /// EPMD answered something that is not a valid reply.
        public static let epmdProtocol = Code("epmd_protocol")
        /// EPMD does not know the name; ``DistributionError/registeredNames`` lists the names it does know.
        public static let nameNotRegistered = Code("name_not_registered")
        /// The distribution port refused the TCP connection.
        public static let connectRefused = Code("connect_refused")
        /// The TCP connect to the distribution port timed out.
        public static let connectTimeout = Code("connect_timeout")
        /// Another socket-level failure.
        public static let ioError = Code("io_error")
        /// The peer answered `not_allowed` (missing mandatory flags, or `net_kernel:allow/1`).
        public static let notAllowed = Code("not_allowed")
        /// The peer answered `nok`: it has its own connection attempt to us that wins.
        public static let nok = Code("nok")
        /// The peer answered `alive` and we chose not to replace the old connection.
        public static let alive = Code("alive")
        /// The peer closed the connection right after our challenge reply: the cookies differ.
        public static let cookieMismatch = Code("cookie_mismatch")
        /// The peer's challenge names a different node than the one we dialled.
        public static let nameMismatch = Code("name_mismatch")
        /// The peer's challenge-ack digest is wrong: it does not know our cookie.
        public static let badPeerDigest = Code("bad_peer_digest")
        /// A handshake step took longer than the configured timeout.
        public static let handshakeTimeout = Code("handshake_timeout")
        /// The peer's flags lack something we require.
        public static let missingPeerFlags = Code("missing_peer_flags")
        /// The peer broke the protocol (bad frame, bad message, bad term).
        public static let protocolViolation = Code("protocol_violation")
        /// A frame longer than the configured maximum.
        public static let frameTooLarge = Code("frame_too_large")
        /// Nothing was read from the peer for a whole tick time.
        public static let tickTimeout = Code("tick_timeout")
        /// The peer closed the connection.
        public static let closedByPeer = Code("closed_by_peer")
        /// There is no connection to that node (never made, or already down): nothing was sent.
        public static let notConnected = Code("not_connected")
        /// An entry of an EPMD host list is malformed (empty, bad port, unclosed bracket).
        public static let invalidHost = Code("invalid_host")
        /// We closed the connection (shutdown, cancellation).
        public static let closedLocally = Code("closed_locally")
        /// No cookie could be found or the cookie file is unsafe.
        public static let cookie = Code("cookie")
        /// TLS files (certificate, key, CA bundle, ssl_dist optfile) cannot be read or do not fit together.
        public static let tlsConfigurationInvalid = Code("tls_configuration_invalid")
        /// The TLS handshake failed for a reason no other TLS code names (the message has the TLS library's reason).
        public static let tlsHandshakeFailed = Code("tls_handshake_failed")
        /// The node's certificate does not chain to a trusted CA (or has expired).
        public static let tlsCertificateUntrusted = Code("tls_certificate_untrusted")
        /// The node's certificate does not name the host we dialled (only with hostname verification).
        public static let tlsHostnameMismatch = Code("tls_hostname_mismatch")
        /// The node refused our certificate, or required one and we sent none.
        public static let tlsCertificateRejected = Code("tls_certificate_rejected")
        /// We speak TLS but the node does not: it answered our TLS hello with something else, or not at all.
        public static let tlsExpectedButPeerIsPlain = Code("tls_expected_but_peer_is_plain")
        /// We speak plain TCP but the node uses TLS distribution: it answered our handshake with a TLS alert.
        public static let plainButPeerExpectsTLS = Code("plain_but_peer_expects_tls")
        /// A remote call failed for a reason of its own (bad reply shape, spawn refused).
        public static let rpcFailed = Code("rpc_failed")
        /// ``BlockingNode/startCall(module:function:arguments:options:)`` refused a call: as many calls as
        /// ``BlockingNode/maxCallsInFlight`` are already waiting for their replies.
        public static let tooManyCallsInFlight = Code("too_many_calls_in_flight")
    }

    /// What went wrong, as a stable code to switch on (its raw value is the `code` of the JSON output).
    public var code: Code
    /// Where in the sequence of dialling and talking to a node it went wrong.
    public var stage: Stage
    /// The peer node this is about, if known.
    public var node: String?
    /// Human-readable detail. Never contains the cookie or a digest. Not meant to be parsed: switch on the fields.
    public var message: String
    /// For a handshake failure: the message we were waiting for.
    public var handshakeStep: HandshakeStep?
    /// The node we dialled, when the peer's name matters (``Code/nameMismatch``).
    public var expectedPeerName: String?
    /// The name the peer gave in its challenge (``Code/nameMismatch``).
    public var actualPeerName: String?
    /// For EPMD failures: the host and port asked, and what EPMD said.
    public var epmd: EPMDFacts?
    /// The operating system's error number behind a socket failure, when known.
    public var errno: Int32?

    /// An error with its code, stage and message; the other fields are the facts known for that code (the
    /// factories in `ConnectErrors.swift` fill them for the connection steps).
    public init(
        _ code: Code, stage: Stage, node: String? = nil, _ message: String, registeredNames: [String] = [],
        handshakeStep: HandshakeStep? = nil, expectedPeerName: String? = nil, actualPeerName: String? = nil,
        epmd: EPMDFacts? = nil, errno: Int32? = nil
    ) {
        self.code = code
        self.stage = stage
        self.node = node
        self.message = message
        self.handshakeStep = handshakeStep
        self.expectedPeerName = expectedPeerName
        self.actualPeerName = actualPeerName
        self.epmd = epmd
        self.errno = errno
        if !registeredNames.isEmpty { self.registeredNames = registeredNames }
    }

    /// For ``Code/nameNotRegistered``: the names EPMD does list on that host (``EPMDFacts/registeredNames``).
    public var registeredNames: [String] {
        get { epmd?.registeredNames ?? [] }
        set {
            if epmd == nil { epmd = EPMDFacts(host: "") }
            epmd?.registeredNames = newValue
        }
    }

    /// Errors are equal when their code and stage are (the message and the facts are detail).
    public static func == (a: DistributionError, b: DistributionError) -> Bool {
        a.code == b.code && a.stage == b.stage
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(code)
        hasher.combine(stage)
    }

    public var description: String {
        var s = "\(stage) failed (\(code))"
        if let node { s += " for \(node)" }
        s += ": \(message)"
        return s
    }
}
