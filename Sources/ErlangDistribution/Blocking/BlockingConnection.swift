#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

import SocketFailure

/// One distribution connection over plain TCP with blocking I/O on the calling thread: no event loop, no threads, no
/// Foundation. It is what a one-shot command needs (`beamconsole call`: resolve, EPMD, connect, handshake, one call,
/// exit), and it runs the same pure pieces as ``LocalNode``: the ``DialPlan`` (resolve, EPMD, TCP, handshake), the
/// ``DistributionConnectionMachine`` (handshake, framing, ticks), ``ControlMessage``, and the same stage-naming errors.
/// This class only carries out their steps and actions on a blocking socket.
///
/// TLS distribution is not supported here; use ``LocalNode`` for `-proto_dist inet_tls` nodes. A plain connection
/// to a TLS node still fails with ``DistributionError/Code/plainButPeerExpectsTLS``, as on the NIO path.
///
/// Not thread-safe: one thread uses a connection at a time.
public final class BlockingConnection {
    /// Everything configurable (shared with ``LocalNode``; ``DistributionOptions/tls`` must be nil here).
    public typealias Configuration = DistributionOptions

    /// The peer we dialled (`alive@host`).
    public let peerName: String
    /// What the handshake established (the peer's flags, our name and creation).
    public let handshake: HandshakeStateMachine.Result
    private let socket: BlockingSocket
    /// Framing, ticks and the liveness deadline (the handshake is over once a connection exists).
    private var machine: DistributionConnectionMachine
    private var closedError: DistributionError?
    /// Frames ``enqueue(_:)`` encoded and ``flush()`` has not written yet.
    private var outbox: [UInt8] = []
    /// What one read takes from the socket at most; allocated once per connection.
    private let readBuffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 64 * 1024, alignment: 16)

    private init(
        peerName: String, handshake: HandshakeStateMachine.Result, socket: BlockingSocket,
        machine: DistributionConnectionMachine
    ) {
        self.peerName = peerName
        self.handshake = handshake
        self.socket = socket
        self.machine = machine
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

    /// Runs the ``DialPlan`` for `node` with blocking sockets.
    private static func dial(_ node: String, configuration c: Configuration, port explicitPort: Int?)
        throws(DistributionError) -> BlockingConnection
    {
        if c.tls != nil {
            throw DistributionError(
                .tlsConfigurationInvalid, stage: .tls, node: node,
                "TLS distribution is not supported by the blocking connection; use LocalNode")
        }
        var plan = DialPlan(node: try NodeName.parse(node), epmdPort: c.resolvedEPMDPort, port: explicitPort)
        var address: HostAddress?
        var socket: BlockingSocket?
        while true {
            switch plan.step {
            case .resolve(let host):
                do {
                    address = try HostAddress.resolve(host: host, node: node)
                    plan.handle(.resolved)
                } catch {
                    plan.handle(.failed(error))
                }
            case .lookUpPort(let alive, let host, let epmdPort):
                guard let address else { preconditionFailure("EPMD before resolve") }
                let epmd = EPMDExchange(address: address, host: host, port: epmdPort, timeout: c.connectTimeout)
                let epmdNode = plan.node.description
                do {
                    let reply = try epmd.exchange(
                        EPMDMessage.portPlease2Request(alive: alive), node: epmdNode,
                        complete: EPMDMessage.isCompletePortReply)
                    do {
                        plan.handle(.portReply(try EPMDMessage.parsePortReply(reply)))
                    } catch {
                        plan.handle(.failed(.epmdBadReply(error, alive: alive, host: host, port: epmdPort)))
                    }
                } catch {
                    plan.handle(.failed(error))
                }
            case .listNames(let host, let epmdPort):
                guard let address else { preconditionFailure("EPMD before resolve") }
                plan.handle(.namesListed(
                    EPMDExchange(address: address, host: host, port: epmdPort, timeout: c.connectTimeout).names()))
            case .connect(_, let port):
                guard var a = address else { preconditionFailure("connect before resolve") }
                a.port = port
                do {
                    socket = try BlockingSocket.connect(to: a, timeout: c.connectTimeout, noDelay: true)
                    plan.handle(.connected)
                } catch {
                    plan.handle(.connectFailed(error.connectFailure))
                }
            case .handshake:
                guard let socket else { preconditionFailure("handshake before connect") }
                var machine = DistributionConnectionMachine(configuration: c.machineConfiguration(
                    dialling: plan.node, creation: c.creation ?? ProcessIdentifiers.randomCreation(),
                    challenge: UInt32.random(in: 0...UInt32.max)))
                let result: HandshakeStateMachine.Result
                do {
                    result = try runHandshake(&machine, socket: socket)
                } catch {
                    socket.close()
                    plan.handle(.failed(error))
                    continue
                }
                plan.handle(.established)
                // From here on, reads wait inside `recv` (one system call per read; see BlockingSocket.receive).
                socket.setBlocking()
                // At most a second; negative means none.
                socket.spinNanos = min(c.receiveSpin.wholeNanoseconds, 1_000_000_000)
                return BlockingConnection(peerName: node, handshake: result, socket: socket, machine: machine)
            case .failed(let error):
                throw error
            case .done:
                preconditionFailure("dial plan done without a connection")
            }
        }
    }

    /// Runs the handshake to completion: the machine's actions, with its step timer as the deadline of each read.
    /// Bytes that came after the final handshake message stay in the machine for ``receive(deadline:)``.
    private static func runHandshake(_ machine: inout DistributionConnectionMachine, socket: BlockingSocket)
        throws(DistributionError) -> HandshakeStateMachine.Result
    {
        var deadline = ContinuousClock.now
        var action = machine.channelActive()
        while true {
            switch action {
            case .established(let result, _):
                return result
            case .failHandshake(let error), .close(let error):
                throw error
            case .armStepTimer(let timeout):
                deadline = ContinuousClock.now + timeout
            case .sendHandshake(let bytes, let timeout):
                deadline = ContinuousClock.now + timeout
                do {
                    try socket.write(bytes, deadline: deadline)
                } catch {
                    throw error.distributionError(stage: .handshake)
                }
            case .none, .sendTick, .deliver, .intercepted:
                break
            }
            if let next = machine.nextAction(now: monotonicNanoseconds()) {
                action = next
                continue
            }
            let bytes: [UInt8]
            do {
                bytes = try socket.read(deadline: deadline)
            } catch .timedOut {
                action = machine.stepTimerFired()
                continue
            } catch {
                throw error.distributionError(stage: .handshake)
            }
            if bytes.isEmpty {
                action = machine.peerClosed()
                continue
            }
            machine.bytesReceived(bytes, now: monotonicNanoseconds())
            action = .none
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
        let deadline = ContinuousClock.now
            + .seconds(max(1, Int64(machine.configuration.connection.tickTimeNanos / 1_000_000_000)))
        let result: Result<Void, BlockingSocket.Failure> = bytes.withUnsafeBytes { raw in
            Result { () throws(BlockingSocket.Failure) in
                try socket.write(raw, deadline: deadline) { () throws(BlockingSocket.Failure) -> Bool in
                    // The peer writes too (replies to what we wrote before): read it, so that neither side waits for
                    // the other with both buffers full. EOF and errors are left to the next receive.
                    guard self.machine.bufferedByteCount < Self.readAheadWhileWritingLimit else { return false }
                    guard let n = try self.socket.receiveAvailable(into: self.readBuffer) else { return true }
                    if n == 0 { return false }
                    self.machine.bytesReceived(
                        UnsafeRawBufferPointer(rebasing: self.readBuffer[0..<n]), now: monotonicNanoseconds())
                    return true
                }
            }
        }
        do {
            try result.get()
        } catch {
            throw close(error.distributionError(stage: .connection))
        }
        machine.wrote(now: monotonicNanoseconds())
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
        let timerPeriod = machine.tickTimerPeriod
        while true {
            if let action = machine.nextAction(now: monotonicNanoseconds(), intercept: intercept) {
                if let received = try run(action) { return received }
                continue
            }
            // Writing may read ahead (see write(_:)): look at the machine again before waiting for more.
            let buffered = machine.bufferedByteCount
            try flush()
            if machine.bufferedByteCount != buffered { continue }
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
                _ = try run(machine.tickTimerFired(now: monotonicNanoseconds()))
                continue
            } catch {
                throw close(error.distributionError(stage: .connection))
            }
            if count == 0 {
                _ = try run(machine.peerClosed())
                throw close(DistributionError(.closedByPeer, stage: .connection, "the peer closed the connection"))
            }
            machine.bytesReceived(UnsafeRawBufferPointer(rebasing: readBuffer[0..<count]), now: monotonicNanoseconds())
        }
    }

    /// Carries out one action of the established connection; what ``receive(deadline:intercept:)`` returns, if
    /// anything.
    private func run(_ action: DistributionConnectionMachine.Action) throws(DistributionError) -> Received? {
        switch action {
        case .none, .armStepTimer, .sendHandshake, .established:
            return nil
        case .sendTick:
            try write(FrameParser.tick)
            return nil
        case .deliver(let message):
            return .message(message)
        case .intercepted:
            return .intercepted
        case .failHandshake(let error), .close(let error):
            throw close(error)
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
            throw DistributionError(
                .ioError, stage: .epmd, node: node, "EPMD at \(host):\(port): \(e.text)",
                epmd: .init(host: host, port: port))
        } catch {
            throw DistributionError(
                .ioError, stage: .epmd, node: node, "EPMD at \(host):\(port): \(error)",
                epmd: .init(host: host, port: port))
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
