import ErlangTerm

/// A hidden node with one ``BlockingConnection``: remote calls (erpc or rex) with a group leader that captures
/// output, all on the calling thread. It is the thread-free counterpart of ``LocalNode/call(node:module:function:arguments:options:)``
/// for one-shot commands, with the same ``CallResponse`` outcomes: both drive the same `RemoteCallMachine` (method
/// choice, requests, reply matching, result mapping, deadlines, kill on timeout) and share the I/O protocol
/// (``IOServer``) and the pid and reference layout (``ProcessIdentifiers``). Replies are read in place by
/// `CallCodec` when it can, decoded otherwise; either way the machine gets the same event.
///
/// ```swift
/// let node = try BlockingNode.connect(to: "app@host", configuration: .init(name: .short("me@host"), cookie: cookie))
/// let r = try node.call(module: "erlang", function: "node", arguments: [])
/// ```
///
/// Many calls can be in flight at once, still on the one thread: ``startCall(module:function:arguments:options:)``
/// and ``nextCompletion(deadline:)``, or ``pipelinedCalls(_:window:options:)`` (BlockingNode+Pipeline.swift).
///
/// Not thread-safe: one thread uses it at a time. ``CallOptions/onOutput`` is called on that thread.
public final class BlockingNode {
    /// The connection to the peer.
    public let connection: BlockingConnection
    var ids = ProcessIdentifiers()
    // The call state is used from this one thread, and no access to it overlaps another (each is one short
    // mutating call; a nested call runs between them), so it is not checked at run time: the checks cost as much
    // as the table itself on a call's path.

    /// Every call in flight on this node, sequential, nested (a group leader's `put_chars` with M, F, A) and
    /// pipelined: one table, so that whichever call a reply answers, it is filed at once.
    @exclusivity(unchecked) var calls = RemoteCallMachine<CallContext>()
    /// Sequential calls that finished while another call waited (the outer call of a nested one, say).
    @exclusivity(unchecked) var finished: [FinishedCall] = []
    /// Pipelined calls that finished and that ``nextCompletion(deadline:)`` has not returned yet.
    @exclusivity(unchecked) var completions = CompletionQueue()
    /// Calls started with ``startCall(module:function:arguments:options:)`` and still in flight.
    var pipelinedInFlight = 0
    /// The number of the next ``CallTicket``.
    var nextTicket: UInt64 = 0
    /// I/O requests to wait for the one being served (which may run a nested call).
    @exclusivity(unchecked) private var ioRequests: [(RemoteCallMachine<CallContext>.CallID?, Term)] = []
    /// The same instant on both clocks: a call deadline (``monotonicNanoseconds()``) becomes the connection's
    /// `ContinuousClock` deadline without reading the clock again.
    private let clockAnchor = (instant: ContinuousClock.now, nanoseconds: monotonicNanoseconds())
    /// The last deadline converted (a call waits for the peer more than once with the same one).
    private var lastDeadline = (nanoseconds: UInt64.max, instant: ContinuousClock.now)
    private var servingIO = false
    /// The pid every request is sent from (replies are told apart by their references).
    private var caller: Pid?

    /// What a call carries through ``calls``.
    struct CallContext {
        var output: CallOutput
        /// Started with ``startCall(module:function:arguments:options:)``: its ticket (its completion goes to
        /// ``completions``); nil for a sequential call.
        let ticket: CallTicket?
    }

    /// Our node name (as the handshake established it).
    public var name: String { connection.handshake.ourName }
    /// The peer's node name.
    public var peerName: String { connection.peerName }
    /// The flags the peer sent in its handshake (see ``DistributionFlags/minimumOTPRelease``).
    public var peerFlags: DistributionFlags { connection.handshake.peerFlags }

    /// Writes requests and reads replies without building terms (nil: our name is too long for it).
    let codec: CallCodec?

    public init(connection: BlockingConnection) {
        self.connection = connection
        codec = CallCodec(node: connection.handshake.ourName, creation: connection.handshake.ourCreation)
    }

    /// Connects to `node` (see ``BlockingConnection/connect(to:configuration:port:)``).
    public static func connect(to node: String, configuration: BlockingConnection.Configuration, port: Int? = nil)
        throws(DistributionError) -> BlockingNode
    {
        BlockingNode(connection: try BlockingConnection.connect(to: node, configuration: configuration, port: port))
    }

    /// Closes the connection.
    public func close() { connection.close() }

    func makePid() -> Pid {
        ids.nextPid(node: Atom(connection.handshake.ourName), creation: connection.handshake.ourCreation)
    }

    func makeReference() -> Reference {
        ids.nextReference(node: Atom(connection.handshake.ourName), creation: connection.handshake.ourCreation)
    }

    /// Calls `module:function(arguments...)` on the peer, by erpc when the peer supports SPAWN (else rex), as
    /// ``CallOptions/method`` says. Failures during the call are ``CallResult`` cases; this throws only for a
    /// refused erpc spawn, as ``LocalNode`` does.
    public func call(module: Atom, function: Atom, arguments: [Term], options: CallOptions = .init())
        throws(DistributionError) -> CallResponse
    {
        switch RemoteCall.Method(options.method, negotiated: connection.handshake.negotiatedFlags) {
        case .rex: return rexCall(module: module, function: function, arguments: arguments, options: options)
        case .erpc: return try erpcCall(module: module, function: function, arguments: arguments, options: options)
        }
    }

    /// A call through `rex` (see ``LocalNode/rexCall(node:module:function:arguments:options:)``).
    public func rexCall(module: Atom, function: Atom, arguments: [Term], options: CallOptions = .init()) -> CallResponse {
        let id = start(.rex, module: module, function: function, arguments: arguments, options: options)
        switch wait(for: id) {
        case .success(let response): return response
        case .failure: return CallResponse(result: .nodedown(node: peerName), output: "")  // rex fails no other way
        }
    }

    /// A call through erpc (see ``LocalNode/erpcCall(node:module:function:arguments:options:)``): SPAWN_REQUEST of
    /// `erpc:execute_call/4` with a monitor; the result is the process's exit reason.
    public func erpcCall(module: Atom, function: Atom, arguments: [Term], options: CallOptions = .init())
        throws(DistributionError) -> CallResponse
    {
        let id = start(.erpc, module: module, function: function, arguments: arguments, options: options)
        switch wait(for: id) {
        case .success(let response): return response
        case .failure(let error): throw error
        }
    }

    // MARK: - Driving the call machine

    /// Files a call in ``calls`` and buffers its request (written when the node next waits for the peer, or at
    /// ``BlockingConnection/flush()``). A request that cannot be sent ends the call: nodedown when the connection is
    /// gone; for a pipelined call that could not be encoded, that error.
    @discardableResult
    func start(
        _ method: RemoteCall.Method, module: Atom, function: Atom, arguments: [Term], options: CallOptions,
        ticket: CallTicket? = nil
    ) -> RemoteCallMachine<CallContext>.CallID {
        let pipelined = ticket != nil
        let from: Pid
        if let caller { from = caller } else { from = makePid(); caller = from }
        let groupLeader: Pid?
        switch RemoteCall.GroupLeaderNeed(method, captureOutput: options.captureOutput) {
        case .none: groupLeader = nil
        case .capturing: groupLeader = makePid()
        case .discarding: groupLeader = discardingGroupLeader()
        }
        let request: RemoteCall.Request
        switch method {
        case .rex:
            request = .rex(
                from: from, tag: makeReference(), module: module, function: function, arguments: arguments,
                groupLeader: groupLeader)
        case .erpc:
            request = .erpc(
                requestID: makeReference(), from: from, groupLeader: groupLeader!, resultRef: makeReference(),
                module: module, function: function, arguments: arguments)
        }
        let id = calls.start(
            request, node: peerName, capturesOutput: options.captureOutput, timeout: options.timeout,
            now: options.timeout == nil ? 0 : monotonicNanoseconds(),
            context: CallContext(output: CallOutput(onOutput: options.onOutput), ticket: ticket))
        if pipelined { pipelinedInFlight += 1 }
        do {
            try enqueue(request)
        } catch {
            // A lost connection is nodedown, as for every call in flight; a pipelined request that cannot be encoded
            // is that call's own error.
            calls.requestNotSent(
                id,
                error: pipelined && !connection.isClosed
                    ? DistributionError(.rpcFailed, stage: .rpc, node: peerName, error.message) : nil)
            runActions()
        }
        return id
    }

    /// Buffers `request` (``CallCodec`` writes it without building terms when it can).
    private func enqueue(_ request: RemoteCall.Request) throws(DistributionError) {
        if let codec, try connection.enqueueFrame({ codec.append(request, into: &$0) }) { return }
        try connection.enqueue(request.controlMessage)
    }

    /// The group leader of erpc calls that do not capture output: it answers I/O requests and drops the text.
    private func discardingGroupLeader() -> Pid {
        if let p = calls.discardingGroupLeader { return p }
        let p = makePid()
        calls.discardingGroupLeader = p
        return p
    }

    /// Waits until the sequential call `id` ends, serving every call's replies and I/O meanwhile.
    private func wait(for id: RemoteCallMachine<CallContext>.CallID) -> CallOutcome {
        while true {
            if !finished.isEmpty {
                if finished.count == 1, finished[0].id == id { return finished.removeLast().outcome }
                if let i = finished.firstIndex(where: { $0.id == id }) { return finished.remove(at: i).outcome }
            }
            step(until: nil)
        }
    }

    /// One wait for the peer, until the earliest call's deadline or `deadline`: what arrives goes to ``calls`` (a
    /// reply read in place by ``CallCodec``, or decoded), then its actions run. A call whose deadline passed times
    /// out instead; a lost connection is every call's nodedown.
    func step(until deadline: ContinuousClock.Instant?) {
        guard let callDeadline = calls.nextDeadline() else { return receive(until: deadline) }
        let now = monotonicNanoseconds()
        if callDeadline <= now {
            calls.timerFired(now: now)
            runActions()
            return
        }
        if callDeadline != lastDeadline.nanoseconds {
            lastDeadline = (
                callDeadline,
                clockAnchor.instant + .nanoseconds(Int64(clamping: callDeadline &- clockAnchor.nanoseconds))
            )
        }
        if let deadline, deadline < lastDeadline.instant { return receive(until: deadline) }
        receive(until: lastDeadline.instant)
    }

    /// The wait of ``step(until:)``.
    private func receive(until wait: ContinuousClock.Instant?) {
        do {
            let codec = self.codec
            let received = try connection.receive(deadline: wait) { payload in
                guard let codec, let event = codec.event(in: payload) else { return false }
                return calls.received(event)
            }
            switch received {
            case .message(let message):
                if let event = RemoteCall.Event(message) { calls.received(event) }
            case .intercepted:
                break
            case .timedOut:
                calls.timerFired(now: monotonicNanoseconds())
            }
        } catch {
            calls.received(.nodedown(node: peerName))
        }
        runActions()
    }

    /// Times out the calls whose deadline passed; whether there were any.
    func expireDueCalls() -> Bool {
        guard let callDeadline = calls.nextDeadline(), callDeadline <= monotonicNanoseconds() else { return false }
        calls.timerFired(now: monotonicNanoseconds())
        runActions()
        return true
    }

    /// Carries out what ``calls`` decided: completions to their waiters, kills written, I/O served (unless one is
    /// being served: a nested call runs inside it, and the next waits for it).
    private func runActions() {
        var killed = false
        while let action = calls.nextAction() {
            switch consume action {
            case .complete(let id, let outcome, let context):
                let result: CallOutcome =
                    switch outcome {
                    case .response(let r): .success(CallResponse(result: r, output: context.output.text))
                    case .failure(let e): .failure(e)
                    }
                if let ticket = context.ticket {
                    pipelinedInFlight -= 1
                    completions.append(FinishedPipelinedCall(ticket: ticket, outcome: result))
                } else {
                    finished.append(FinishedCall(id: id, outcome: result))
                }
            case .kill(let pid, _, let from):
                try? connection.enqueue(RemoteCall.kill(pid, from: from))
                killed = true
            case .serveIO(let id, _, let message):
                ioRequests.append((id, message))
            }
        }
        if killed { try? connection.flush() }
        guard !servingIO, !ioRequests.isEmpty else { return }
        servingIO = true
        defer { servingIO = false }
        while !ioRequests.isEmpty {
            let (id, message) = ioRequests.removeFirst()
            serveIO(message, for: id)
        }
    }

    // MARK: - Group leaders

    /// One `{io_request, From, ReplyAs, Request}` to a call's group leader, served with ``IOServer``'s rules (a
    /// `put_chars` with M, F, A runs as a nested rex call, as on ``LocalNode``); nil `call`: the output is dropped.
    private func serveIO(_ message: Term, for call: RemoteCallMachine<CallContext>.CallID?) {
        guard case .tuple(let t) = message, t.count == 4, t[0] == .atom("io_request"), case .pid(let from) = t[1] else {
            return
        }
        let reply = handleIO(t[3], for: call)
        try? connection.send(.send(from: nil, to: from, message: .tuple([.atom("io_reply"), t[2], reply])))
    }

    private func handleIO(_ request: Term, for call: RemoteCallMachine<CallContext>.CallID?) -> Term {
        var serving = IOServer.Serving(request)
        while true {
            switch serving.next() {
            case .write(let text):
                write(text, for: call)
            case .evaluate(let m, let f, let a):
                let r = rexCall(module: m, function: f, arguments: a,
                                options: RemoteCall.ioEvaluationOptions)
                let value: Term? = if case .value(let v) = r.result { v } else { nil }
                serving.evaluated(value)
            case .reply(let reply):
                return reply
            }
        }
    }

    /// Adds `text` to the call's output; ``CallOptions/onOutput`` is called outside the table.
    private func write(_ text: String, for call: RemoteCallMachine<CallContext>.CallID?) {
        guard let call else { return }
        let onOutput = calls.withContext(of: call) { c -> (@Sendable (String) -> Void)? in
            c.output.text += text
            return c.output.onOutput
        }
        onOutput??(text)
    }
}
