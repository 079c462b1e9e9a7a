import ErlangTerm

/// One call of a pipeline (``BlockingNode/pipelinedCalls(_:window:options:)``): `module:function(arguments...)`.
public struct CallRequest: Hashable, Sendable {
    /// The module to call.
    public var module: Atom
    /// The function to call.
    public var function: Atom
    /// The arguments (`[]` for none).
    public var arguments: [Term]

    /// `module:function(arguments...)`.
    public init(module: Atom, function: Atom, arguments: [Term] = []) {
        self.module = module; self.function = function; self.arguments = arguments
    }
}

// MARK: - Pipelined calls

/// Many calls in flight on one connection, with no threads: ``startCall(module:function:arguments:options:)``
/// sends a request and returns at once; ``nextCompletion(deadline:)`` waits for whichever call finishes next, in any
/// order, and matches the reply to its call by the call's reference (rex's `{Ref, Reply}` tag, erpc's
/// SPAWN_REQUEST id). ``pipelinedCalls(_:window:options:)`` runs a list of calls that way, with at most `window` in
/// flight.
///
/// ```swift
/// let node = try BlockingNode.connect(to: "app@host", configuration: .init(name: .short("me@host"), cookie: cookie))
/// let outcomes = node.pipelinedCalls(keys.map { CallRequest(module: "cache", function: "get", arguments: [$0]) })
/// ```
///
/// Requests started between two waits go out together: ``startCall(module:function:arguments:options:)`` only
/// encodes into the connection's output buffer, and the buffer is written in one system call when the node next
/// waits for the peer (``nextCompletion(deadline:)``, any other call, ``BlockingConnection/flush()``). Replies are
/// read as many per system call as have arrived.
///
/// Each call ends with the outcome ``call(module:function:arguments:options:)`` would have: its ``CallResponse``
/// (value, exception, ``CallResult/timeout`` after ``CallOptions/timeout`` from its start, or
/// ``CallResult/nodedown(node:)`` when the connection is lost), or the ``DistributionError`` it would throw (a
/// refused erpc spawn; a request that cannot be encoded). When the peer dies, every call still in flight ends with
/// ``CallResult/nodedown(node:)``, and so does every call started afterwards.
extension BlockingNode {
    /// Identifies a call started by ``startCall(module:function:arguments:options:)``. A node numbers its calls from 0
    /// in the order they were started.
    public struct CallTicket: Hashable, Comparable, Sendable, CustomStringConvertible {
        /// The call's number on its node.
        public let number: UInt64

        public static func < (lhs: CallTicket, rhs: CallTicket) -> Bool { lhs.number < rhs.number }
        public var description: String { "call #\(number)" }
    }

    /// What one pipelined call came to: the ``CallResponse`` that ``call(module:function:arguments:options:)`` would
    /// return, or the error it would throw.
    public typealias CallOutcome = Result<CallResponse, DistributionError>

    /// The most calls that may be started and not yet returned by ``nextCompletion(deadline:)``; more throw
    /// ``DistributionError/Code/tooManyCallsInFlight``. Each costs a few hundred bytes until it completes.
    public static let maxCallsInFlight = 65_536

    /// Started calls are written once this many bytes of requests are buffered, without waiting for a wait.
    static let outputFlushThreshold = 256 * 1024

    /// The largest `window` ``pipelinedCalls(_:window:options:)`` uses (larger ones are clamped to it).
    public static let maxPipelineWindow = 4_096

    /// Calls started with ``startCall(module:function:arguments:options:)`` and not yet returned by
    /// ``nextCompletion(deadline:)`` (finished or not).
    public var callsInFlight: Int { pipelinedInFlight + completions.count }

    /// Starts `module:function(arguments...)` on the peer and returns without waiting: the reply is collected by
    /// ``nextCompletion(deadline:)``. The request is buffered and written, with every other request started since the
    /// last write, when the node next waits for the peer or ``BlockingConnection/flush()`` is called (or once 256 KiB
    /// of requests are buffered). While a write waits for the socket, replies already arriving are read, so a long
    /// pipeline never stalls with both sides writing.
    ///
    /// erpc or rex as ``CallOptions/method`` says; ``CallOptions/timeout`` counts from now. With
    /// ``CallOptions/captureOutput`` each call has its own group leader, and the call's ``CallResponse/output`` holds
    /// only its own output (``CallOptions/onOutput`` is called while the node waits for the peer).
    ///
    /// A call on a connection that is already lost is not an error here: its outcome is
    /// ``CallResult/nodedown(node:)``, as for any call in flight when the connection goes.
    /// - Throws: ``DistributionError/Code/tooManyCallsInFlight`` when ``callsInFlight`` is ``maxCallsInFlight``.
    @discardableResult
    public func startCall(module: Atom, function: Atom, arguments: [Term], options: CallOptions = .init())
        throws(DistributionError) -> CallTicket
    {
        guard callsInFlight < Self.maxCallsInFlight else {
            throw DistributionError(
                .tooManyCallsInFlight, stage: .rpc, node: peerName,
                "\(Self.maxCallsInFlight) calls are already in flight; collect some with nextCompletion first")
        }
        let method = RemoteCall.Method(options.method, negotiated: connection.handshake.negotiatedFlags)
        let ticket = CallTicket(number: nextTicket)
        nextTicket += 1
        start(method, module: module, function: function, arguments: arguments, options: options, ticket: ticket)
        // Many calls started without a wait: write them now rather than buffer without bound (a failure is every
        // call's nodedown at the next wait).
        if connection.bufferedOutputCount >= Self.outputFlushThreshold { try? connection.flush() }
        return ticket
    }

    /// The next call to finish, of those started with ``startCall(module:function:arguments:options:)``, in whatever
    /// order they finish; nil when no call is in flight or `deadline` passes first (nil: wait until a call finishes;
    /// every call finishes by its own timeout, or when the connection is lost).
    ///
    /// Writes the requests buffered since the last write before it waits. Serves the calls' group leaders while it
    /// waits. Messages for no call in flight (a reply that arrives after its call timed out) are dropped.
    public func nextCompletion(deadline: ContinuousClock.Instant? = nil) -> (ticket: CallTicket, outcome: CallOutcome)? {
        while true {
            if let done = completions.popFirst() { return (done.ticket, done.outcome) }
            if pipelinedInFlight == 0 { return nil }
            if let deadline, deadline <= ContinuousClock.now {
                // Nothing finished in time (unless a call's own timeout passed too); still send what was started.
                if expireDueCalls() { continue }
                try? connection.flush()
                return nil
            }
            step(until: deadline)
        }
    }

    /// Runs `requests` with at most `window` in flight (clamped to 1...``maxPipelineWindow``), starting the next as
    /// each finishes, and returns their outcomes in the order of `requests` (see ``startCall(module:function:arguments:options:)``
    /// and ``nextCompletion(deadline:)``). Replies may come back in any order. When the connection is lost, the calls
    /// in flight and those not started yet all end with ``CallResult/nodedown(node:)``.
    ///
    /// Calls started before with ``startCall(module:function:arguments:options:)`` stay in flight, and their
    /// completions stay for ``nextCompletion(deadline:)``.
    public func pipelinedCalls(_ requests: [CallRequest], window: Int = 32, options: CallOptions = .init())
        -> [CallOutcome]
    {
        let window = min(max(window, 1), Self.maxPipelineWindow)
        var outcomes = [CallOutcome?](repeating: nil, count: requests.count)
        var position: [UInt64: Int] = [:]
        position.reserveCapacity(window)
        var others: [FinishedPipelinedCall] = []
        var next = 0
        var finished = 0
        while finished < requests.count {
            while next < requests.count, position.count < window {
                let r = requests[next]
                do {
                    let t = try startCall(module: r.module, function: r.function, arguments: r.arguments, options: options)
                    position[t.number] = next
                } catch {
                    outcomes[next] = .failure(error)
                    finished += 1
                }
                next += 1
            }
            if position.isEmpty { continue }
            guard let (ticket, outcome) = nextCompletion() else {
                preconditionFailure("nextCompletion returned nil with \(position.count) pipelined calls in flight")
            }
            if let i = position.removeValue(forKey: ticket.number) {
                outcomes[i] = outcome
                finished += 1
            } else {
                others.append(FinishedPipelinedCall(ticket: ticket, outcome: outcome))
            }
        }
        completions.prepend(others)
        return outcomes.map { $0! }
    }
}

/// The pipelined calls of a ``BlockingNode`` that finished, in the order they finished, until
/// ``BlockingNode/nextCompletion(deadline:)`` returns them.
typealias CompletionQueue = FIFOQueue<FinishedPipelinedCall>

/// A pipelined call that finished. (Queues and arrays of concrete structs, not of tuples or of types nested in a
/// generic: the runtime builds the metadata of such an element type from its mangled name the first time, which
/// cost a one-shot call about 300k instructions of demangling and conformance checks.)
struct FinishedPipelinedCall {
    let ticket: BlockingNode.CallTicket
    let outcome: BlockingNode.CallOutcome
}

/// A sequential call that finished while another call waited (the outer call of a nested one, say).
struct FinishedCall {
    let id: RemoteCallID
    let outcome: BlockingNode.CallOutcome
}
