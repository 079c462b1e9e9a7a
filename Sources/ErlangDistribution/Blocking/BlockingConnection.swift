#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// One distribution connection over plain TCP with blocking I/O on the calling thread: no event loop, no threads, no
/// Foundation. It is what a one-shot command needs (`beamconsole call`: resolve, EPMD, connect, handshake, one call,
/// exit), and it runs the same pure pieces as ``LocalNode``: ``HandshakeStateMachine``, ``FrameParser``,
/// ``ConnectionStateMachine``, ``ControlMessage``, and the same stage-naming errors.
///
/// TLS distribution is not supported here; use ``LocalNode`` for `-proto_dist inet_tls` nodes. A plain connection
/// to a TLS node still fails with ``DistributionError/Code/plainButPeerExpectsTLS``, as on the NIO path.
///
/// Not thread-safe: one thread uses a connection at a time.
public final class BlockingConnection {
    /// Everything configurable.
    public struct Configuration: Sendable {
        /// Our node name (full `alive@host`), or a dynamic-name request.
        public var name: NodeNameSpec
        /// The cookie. Never logged or printed.
        public var cookie: String
        public var flags: DistributionFlags
        /// EPMD port; nil = `ERL_EPMD_PORT` or 4369.
        public var epmdPort: Int?
        /// TCP connect timeout (EPMD and the dist port); also bounds EPMD's reply.
        public var connectTimeout: Duration
        /// Per-step handshake timeout (OTP's net_setuptime is 7 s).
        public var handshakeStepTimeout: Duration
        /// Declare the peer down after this long without reading anything (net_ticktime, default 60 s).
        public var tickTime: Duration
        /// The largest frame we accept.
        public var maxFrameSize: Int
        /// Our creation (nonzero, ≥ 4).
        public var creation: UInt32
        /// Once connected, how long a read polls the socket before it sleeps in the kernel (`.zero`: sleep at once).
        /// Like the BEAM's scheduler busy-wait: a reply that arrives within the spin skips a sleep and a wake-up,
        /// which on an idle (virtual) CPU costs more than a loopback round trip (measured here: sequential calls to a
        /// local node 11.4k/s without, ~33k/s with 60 µs). The price is up to this much CPU per wait that ends later.
        public var receiveSpin: Duration

        public init(
            name: NodeNameSpec, cookie: String, flags: DistributionFlags = .defaultHidden, epmdPort: Int? = nil,
            connectTimeout: Duration = .seconds(5), handshakeStepTimeout: Duration = .seconds(7),
            tickTime: Duration = .seconds(60), maxFrameSize: Int = 128 * 1024 * 1024,
            creation: UInt32 = ProcessIdentifiers.randomCreation(), receiveSpin: Duration = .microseconds(60)
        ) {
            self.name = name; self.cookie = cookie; self.flags = flags; self.epmdPort = epmdPort
            self.connectTimeout = connectTimeout; self.handshakeStepTimeout = handshakeStepTimeout
            self.tickTime = tickTime; self.maxFrameSize = maxFrameSize; self.creation = creation
            self.receiveSpin = receiveSpin
        }
    }

    /// The peer we dialled (`alive@host`).
    public let peerName: String
    /// What the handshake established (the peer's flags, our name and creation).
    public let handshake: HandshakeStateMachine.Result
    private let socket: BlockingSocket
    private var parser: FrameParser
    private var connection: ConnectionStateMachine
    private var closedError: DistributionError?
    /// Frames ``enqueue(_:)`` encoded and ``flush()`` has not written yet.
    private var outbox: [UInt8] = []
    /// What one read takes from the socket at most; allocated once per connection.
    private let readBuffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 64 * 1024, alignment: 16)

    private init(
        peerName: String, handshake: HandshakeStateMachine.Result, socket: BlockingSocket, parser: FrameParser,
        connection: ConnectionStateMachine
    ) {
        self.peerName = peerName; self.handshake = handshake; self.socket = socket; self.parser = parser
        self.connection = connection
    }

    deinit {
        socket.close()
        readBuffer.deallocate()
    }

    /// Connects to `node` (`alive@host`): resolve, EPMD (unless `port` is given, as `erl_call -address`), TCP, the
    /// version-6 handshake. Every failure names its stage, as ``LocalNode/connect(to:port:)``'s do.
    public static func connect(to node: String, configuration: Configuration, port explicitPort: Int? = nil)
        throws(DistributionError) -> BlockingConnection
    {
        do {
            return try dial(node, configuration: configuration, port: explicitPort)
        } catch {
            var e = error
            if e.node == nil { e.node = node }
            throw e
        }
    }

    private static func dial(_ node: String, configuration c: Configuration, port explicitPort: Int?)
        throws(DistributionError) -> BlockingConnection
    {
        guard let (alive, host) = splitNodeName(node) else { throw DistributionError.badNodeName(node) }
        // Resolved once; EPMD and the distribution port use the same address.
        var address = try HostAddress.resolve(host: host, node: node)
        let distPort: Int
        if let explicitPort {
            distPort = explicitPort
        } else {
            let epmd = EPMDExchange(
                address: address, host: host, port: c.epmdPort ?? EPMDClient.environmentPort ?? EPMDMessage.defaultPort,
                timeout: c.connectTimeout)
            let epmdNode = "\(alive)@\(host)"
            let reply: EPMDMessage.PortReply
            do {
                reply = try EPMDMessage.parsePortReply(
                    try epmd.exchange(
                        EPMDMessage.portPlease2Request(alive: alive), node: epmdNode,
                        complete: EPMDMessage.isCompletePortReply))
            } catch let e as DistributionError {
                throw e
            } catch let e as EPMDMessage.ParseError {
                throw DistributionError(.epmdProtocol, stage: .epmd, node: epmdNode, e.message)
            } catch {
                throw DistributionError(.epmdProtocol, stage: .epmd, node: epmdNode, "\(error)")
            }
            switch reply {
            case .found(let info):
                if info.highestVersion < 6 { throw DistributionError.distributionVersionTooOld(info.highestVersion, node: node) }
                distPort = info.port
            case .notFound:
                let names = epmd.names()
                throw DistributionError.nameNotRegistered(alive: alive, host: host, node: node, names: names)
            }
        }
        address.port = distPort
        let socket: BlockingSocket
        do {
            socket = try BlockingSocket.connect(to: address, timeout: c.connectTimeout, noDelay: true)
        } catch {
            throw DistributionError.distConnect(error.connectFailure, host: host, port: distPort, node: node)
        }
        let (ourName, dynamic): (String, Bool) = {
            switch c.name {
            case .short(let n), .long(let n): return (n, false)
            case .dynamic(let h): return (h, true)
            }
        }()
        var handshake = HandshakeStateMachine(configuration: .init(
            ourName: ourName, dynamicName: dynamic, flags: c.flags, creation: c.creation,
            cookie: Array(c.cookie.utf8), expectedPeerName: node, ourChallenge: UInt32.random(in: 0...UInt32.max)))
        var parser = FrameParser(mode: .handshake, maxFrameSize: c.maxFrameSize)
        let result = try runHandshake(&handshake, parser: &parser, socket: socket, stepTimeout: c.handshakeStepTimeout)
        parser.mode = .connected
        // From here on, reads wait inside `recv` (one system call per read; see BlockingSocket.receive).
        socket.setBlocking()
        let (spinSeconds, spinAtto) = c.receiveSpin.components
        // At most a second (no overflow for huge durations); negative means none.
        socket.spinNanos = spinSeconds < 0 ? 0 : spinSeconds >= 1 ? 1_000_000_000 : spinAtto / 1_000_000_000
        let tickNanos = UInt64(max(1, nanoseconds(c.tickTime)))
        let connection = ConnectionStateMachine(
            configuration: .init(tickIntervalNanos: tickNanos / 4, tickTimeNanos: tickNanos), now: monotonicNanos())
        return BlockingConnection(
            peerName: node, handshake: result, socket: socket, parser: parser, connection: connection)
    }

    /// Runs the handshake to completion: the same events as ``DistributionChannelHandler`` feeds the machine (a
    /// message, the peer's close, a step timeout), and the same check for a TLS node answering a plain handshake.
    private static func runHandshake(
        _ machine: inout HandshakeStateMachine, parser: inout FrameParser, socket: BlockingSocket, stepTimeout: Duration
    ) throws(DistributionError) -> HandshakeStateMachine.Result {
        var action = machine.start()
        var deadline = ContinuousClock.now + stepTimeout
        var receivedMessage = false
        while true {
            switch action {
            case .established(let result):
                return result
            case .fail(let error):
                throw error
            case .send(let payload):
                do {
                    try socket.write(FrameParser.frame(payload, mode: parser.mode), deadline: deadline)
                } catch {
                    throw error.distributionError(stage: .handshake)
                }
            case .wait:
                break
            }
            // The next complete message, reading as needed.
            var next: HandshakeStateMachine.Action?
            while next == nil {
                if let frame = try parser.next() {
                    receivedMessage = true
                    guard case .data(let bytes) = frame else { continue }
                    deadline = ContinuousClock.now + stepTimeout
                    next = machine.received(bytes)
                    break
                }
                let bytes: [UInt8]
                do {
                    bytes = try socket.read(deadline: deadline)
                } catch .timedOut {
                    next = machine.timedOut()
                    break
                } catch {
                    throw error.distributionError(stage: .handshake)
                }
                if bytes.isEmpty {
                    next = machine.peerClosed()
                    break
                }
                parser.append(bytes)
                if !receivedMessage, parser.bufferedByteCount >= 2, TLSFailure.looksLikeTLSRecord(parser.peek(2)) {
                    // No handshake message starts with a 0x15xx length: this is a TLS record (the alert a TLS node
                    // sends).
                    throw TLSFailure.peerExpectsTLS()
                }
            }
            action = next!
        }
    }

    // MARK: - Connected

    /// Sends one control message, with any ``enqueue(_:)``d before it, in one write.
    public func send(_ message: ControlMessage) throws(DistributionError) {
        try enqueue(message)
        try flush()
    }

    /// Encodes `message` into the output buffer without writing it: ``flush()``, ``send(_:)`` and
    /// ``receive(deadline:)`` (before it waits for the peer) write everything buffered in one system call. This is
    /// how many requests go out in one write (``BlockingNode/startCall(module:function:arguments:options:)``).
    public func enqueue(_ message: ControlMessage) throws(DistributionError) {
        if let closedError { throw closedError }
        let mark = outbox.count
        do {
            try message.encodeFrame(into: &outbox)
        } catch {
            outbox.removeSubrange(mark...)
            throw error
        }
    }

    /// Appends one complete frame (length prefix included) that `encode` writes, for the hot paths of
    /// ``BlockingNode`` that write requests without building terms (``CallCodec``). Returns what `encode` returned:
    /// false when it declined and wrote nothing.
    func enqueueFrame(_ encode: (inout [UInt8]) -> Bool) throws(DistributionError) -> Bool {
        if let closedError { throw closedError }
        return encode(&outbox)
    }

    /// The bytes buffered by ``enqueue(_:)`` and not written yet.
    public var bufferedOutputCount: Int { outbox.count }

    /// Writes everything ``enqueue(_:)`` buffered (nothing to do when the buffer is empty).
    public func flush() throws(DistributionError) {
        if let closedError { throw closedError }
        guard !outbox.isEmpty else { return }
        defer { outbox.removeAll(keepingCapacity: outbox.capacity <= 1 << 20) }
        try write(outbox)
    }

    /// The most bytes a write reads ahead from the peer (into the frame parser) while the socket cannot take more.
    static let readAheadWhileWritingLimit = 64 * 1024 * 1024

    private func write(_ bytes: [UInt8]) throws(DistributionError) {
        let deadline = ContinuousClock.now + .seconds(max(1, Int64(connection.configuration.tickTimeNanos / 1_000_000_000)))
        let result: Result<Void, BlockingSocket.Failure> = bytes.withUnsafeBytes { raw in
            Result { () throws(BlockingSocket.Failure) in
                try socket.write(raw, deadline: deadline) { () throws(BlockingSocket.Failure) -> Bool in
                    // The peer writes too (replies to what we wrote before): read it, so that neither side waits for
                    // the other with both buffers full. EOF and errors are left to the next receive.
                    guard self.parser.bufferedByteCount < Self.readAheadWhileWritingLimit else { return false }
                    guard let n = try self.socket.receiveAvailable(into: self.readBuffer) else { return true }
                    if n == 0 { return false }
                    self.connection.bytesRead(now: Self.monotonicNanos())
                    self.parser.append(UnsafeRawBufferPointer(rebasing: self.readBuffer[0..<n]))
                    return true
                }
            }
        }
        do {
            try result.get()
        } catch {
            throw close(error.distributionError(stage: .connection))
        }
        connection.wrote(now: Self.monotonicNanos())
    }

    /// The next control message, or nil when `deadline` passes first (nil deadline: wait as long as the connection
    /// lives). Output that ``enqueue(_:)`` buffered is written before waiting. Ticks are answered and sent as
    /// ``ConnectionStateMachine`` says; a closed connection, a tick timeout or a protocol violation throws (stage
    /// ``DistributionError/Stage/connection``), and every later call throws the same error.
    ///
    /// Each read takes everything the socket has (up to 64 KiB) in one system call, and waits in that same call
    /// (no separate `poll`).
    public func receive(deadline: ContinuousClock.Instant?) throws(DistributionError) -> ControlMessage? {
        switch try receive(deadline: deadline, intercept: { _ in false }) {
        case .message(let m): return m
        case .intercepted, .timedOut: return nil
        }
    }

    /// What ``receive(deadline:intercept:)`` got.
    enum Received {
        case message(ControlMessage)
        /// `intercept` took a frame.
        case intercepted
        /// The deadline passed.
        case timedOut
    }

    /// ``receive(deadline:)`` with a look at each data frame's payload first: when `intercept` returns true it has
    /// handled the frame (``BlockingNode``'s replies, read in place by ``CallCodec``), and nothing is decoded.
    func receive(deadline: ContinuousClock.Instant?, intercept: (UnsafeRawBufferPointer) -> Bool)
        throws(DistributionError) -> Received
    {
        if let closedError { throw closedError }
        let timerPeriod = Duration.nanoseconds(
            Int64(min(1_000_000_000, max(50_000_000, connection.configuration.tickIntervalNanos / 4))))
        while true {
            let frame: FrameParser.Frame?
            do {
                frame = try parser.next()
            } catch {
                throw close(error)
            }
            if let frame {
                if case .data(let payload) = frame, payload.withUnsafeBytes(intercept) {
                    connection.bytesRead(now: Self.monotonicNanos())
                    return .intercepted
                }
                switch connection.frameReceived(frame, now: Self.monotonicNanos()) {
                case .none: continue
                case .sendTick: try write(FrameParser.tick); continue
                case .deliver(let message): return .message(message)
                case .close(let error): throw close(error)
                }
            }
            // Writing may read ahead (see write(_:)): look at the parser again before waiting for more.
            let buffered = parser.bufferedByteCount
            try flush()
            if parser.bufferedByteCount != buffered { continue }
            var wait = timerPeriod
            if let deadline {
                let left = deadline - ContinuousClock.now
                if left <= .zero { return .timedOut }
                wait = min(wait, left)
            }
            let count: Int
            do {
                count = try socket.receive(into: readBuffer, waiting: wait)
            } catch .timedOut {
                switch connection.timerFired(now: Self.monotonicNanos()) {
                case .sendTick: try write(FrameParser.tick)
                case .close(let error): throw close(error)
                case .none, .deliver: break
                }
                continue
            } catch {
                throw close(error.distributionError(stage: .connection))
            }
            if count == 0 {
                if case .close(let error) = connection.peerClosed() { throw close(error) }
                throw close(DistributionError(.closedByPeer, stage: .connection, "the peer closed the connection"))
            }
            connection.bytesRead(now: Self.monotonicNanos())
            parser.append(UnsafeRawBufferPointer(rebasing: readBuffer[0..<count]))
        }
    }

    /// Whether the connection is closed (by the peer, a failure, or ``close()``).
    public var isClosed: Bool { closedError != nil }

    /// Closes the connection; later calls throw ``DistributionError/Code/closedLocally``.
    public func close() {
        _ = close(DistributionError(.closedLocally, stage: .connection, node: peerName, "the connection was closed"))
    }

    private func close(_ error: DistributionError) -> DistributionError {
        var e = error
        if e.node == nil { e.node = peerName }
        if closedError == nil { closedError = e }
        socket.close()
        return closedError!
    }

    // MARK: - Time

    static func monotonicNanos() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
    }

    static func nanoseconds(_ d: Duration) -> Int64 {
        let (s, atto) = d.components
        return s * 1_000_000_000 + atto / 1_000_000_000
    }
}

/// One EPMD request over a blocking socket: connect, send, read the reply until EPMD closes or, when `complete` says
/// so, until the reply is whole.
struct EPMDExchange {
    var address: HostAddress
    var host: String
    var port: Int
    var timeout: Duration

    func exchange(
        _ request: [UInt8], node: String?, complete: ([UInt8]) -> Bool = { _ in false }
    ) throws(DistributionError) -> [UInt8] {
        var a = address
        a.port = port
        let socket: BlockingSocket
        do {
            socket = try BlockingSocket.connect(to: a, timeout: timeout, noDelay: false)
        } catch {
            throw DistributionError.epmdConnect(error.connectFailure, host: host, port: port, node: node)
        }
        defer { socket.close() }
        let deadline = ContinuousClock.now + timeout
        var reply: [UInt8] = []
        do {
            try socket.write(request, deadline: deadline)
            while true {
                let bytes = try socket.read(deadline: deadline)
                if bytes.isEmpty { return reply }
                reply += bytes
                if reply.count > DistributionError.epmdReplyLimit { throw DistributionError.epmdReplyTooLarge }
                if complete(reply) { return reply }
            }
        } catch let e as DistributionError {
            throw e
        } catch BlockingSocket.Failure.timedOut {
            throw DistributionError.epmdNoAnswer(host: host, port: port, node: node)
        } catch let e as BlockingSocket.Failure {
            throw DistributionError(.ioError, stage: .epmd, node: node, "EPMD at \(host):\(port): \(e.text)")
        } catch {
            throw DistributionError(.ioError, stage: .epmd, node: node, "EPMD at \(host):\(port): \(error)")
        }
    }

    /// Every name EPMD lists (empty when NAMES fails too).
    func names() -> [String] {
        guard let reply = try? exchange(EPMDMessage.namesRequest(), node: nil),
            let names = try? EPMDMessage.parseNamesReply(reply)
        else { return [] }
        return names.map(\.name)
    }
}

extension BlockingSocket.Failure {
    var connectFailure: ConnectFailure {
        switch self {
        case .connect(let f): return f
        case .timedOut: return .timedOut
        case .io(let s): return .other(s)
        }
    }

    var text: String {
        switch self {
        case .connect(let f):
            switch f {
            case .refused: return "connection refused"
            case .timedOut: return "timed out"
            case .other(let s), .unresolved(let s): return s
            }
        case .timedOut: return "timed out"
        case .io(let s): return s
        }
    }

    /// A socket failure on an open connection, as the NIO path reports it.
    func distributionError(stage: DistributionError.Stage) -> DistributionError {
        switch self {
        case .timedOut:
            return DistributionError(.ioError, stage: stage, "socket error: the peer did not accept our data in time")
        default:
            return DistributionError(.ioError, stage: stage, "socket error: \(text)")
        }
    }
}
