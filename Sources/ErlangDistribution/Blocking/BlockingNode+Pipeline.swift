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
    public var callsInFlight: Int { pipeline.calls.count + pipeline.doneCount }

    /// Starts `module:function(arguments...)` on the peer and returns without waiting: the reply is collected by
    /// ``nextCompletion(deadline:)``. The request is buffered and written, with every other request started since the
    /// last write, when the node next waits for the peer or ``BlockingConnection/flush()`` is called (or once 256 KiB
    /// of requests are buffered). While a write waits for the socket, replies already arriving are read, so a long
    /// pipeline never stalls with both sides writing.
    ///
    /// erpc or rex as ``CallOptions/method`` says; ``CallOptions/timeout`` counts from now. With
    /// ``CallOptions/captureOutput`` each call has its own group leader, and the call's ``CallResponse/output`` holds
    /// only its own output (``CallOptions/onOutput`` is called during ``nextCompletion(deadline:)``).
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
        let ticket = CallTicket(number: pipeline.nextTicket)
        pipeline.nextTicket += 1
        let erpc: Bool
        switch options.method {
        case .rex: erpc = false
        case .erpc: erpc = true
        case .automatic: erpc = connection.handshake.negotiatedFlags.isSuperset(of: [.spawn, .distMonitor])
        }
        let caller = pipelineCaller()
        let call = Pipeline.Call(
            ticket: ticket, erpc: erpc, tag: makeReference(),
            deadline: options.timeout.map { BlockingConnection.monotonicNanos() &+ Self.saturatingNanos($0) },
            output: Output(onOutput: options.onOutput))
        do {
            if erpc {
                let gl: Pid
                if options.captureOutput {
                    gl = makePid()
                    call.groupLeader = gl
                } else {
                    gl = pipelineDiscardingGroupLeader()
                }
                let resultRef = makeReference()
                call.resultRef = resultRef
                try enqueueErpcRequest(
                    requestID: call.tag, from: caller, groupLeader: gl, resultRef: resultRef, module: module,
                    function: function, arguments: arguments)
            } else {
                let gl: Pid? = options.captureOutput ? makePid() : nil
                call.groupLeader = gl
                try enqueueRexRequest(
                    from: caller, tag: call.tag, module: module, function: function, arguments: arguments,
                    groupLeader: gl)
            }
        } catch {
            // A lost connection is nodedown, as for every call in flight; a request that cannot be encoded is that
            // call's own error.
            let outcome: CallOutcome =
                connection.isClosed
                ? .success(CallResponse(result: .nodedown(node: peerName), output: ""))
                : .failure(DistributionError(.rpcFailed, stage: .rpc, node: peerName, error.message))
            pipeline.pushDone(ticket, outcome)
            return ticket
        }
        pipeline.insert(call)
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
            if let done = pipeline.popDone() { return done }
            if pipeline.calls.isEmpty { return nil }
            // Messages that a nested or sequential call set aside come first.
            if !pending.isEmpty {
                route(pending.removeFirst())
                continue
            }
            let now = ContinuousClock.now
            let nowNanos = BlockingConnection.monotonicNanos()
            var callDeadline: ContinuousClock.Instant?
            if let earliest = pipeline.earliestDeadline()?.deadline {
                if earliest <= nowNanos {
                    expireCalls(now: nowNanos)
                    continue
                }
                callDeadline = now + .nanoseconds(Int64(clamping: earliest - nowNanos))
            }
            if let deadline, deadline <= now {
                // Nothing finished in time; still send what was started.
                try? connection.flush()
                return nil
            }
            let wait: ContinuousClock.Instant? =
                switch (deadline, callDeadline) {
                case (nil, nil): nil
                case (let d?, nil): d
                case (nil, let c?): c
                case (let d?, let c?): min(d, c)
                }
            do {
                // Replies are read in place (CallCodec); anything else is decoded and routed.
                let received = try connection.receive(deadline: wait) { payload in readInPlace(payload) }
                if case .message(let message) = received { route(message) }
            } catch {
                failAllCalls()
            }
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
        var others: [(CallTicket, CallOutcome)] = []
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
                others.append((ticket, outcome))
            }
        }
        pipeline.requeueDone(others)
        return outcomes.map { $0! }
    }

    // MARK: - Internals

    /// `d` in nanoseconds, 0 if negative, at most 2⁶² (a timeout of centuries is no timeout).
    static func saturatingNanos(_ d: Duration) -> UInt64 {
        let (s, atto) = d.components
        if s < 0 { return 0 }
        if s >= 4_000_000_000 { return 1 << 62 }
        return UInt64(s) * 1_000_000_000 + UInt64(max(0, atto) / 1_000_000_000)
    }

    /// The pid every pipelined request is sent from (replies are told apart by their references).
    private func pipelineCaller() -> Pid {
        if let p = pipeline.caller { return p }
        let p = makePid()
        pipeline.caller = p
        return p
    }

    /// The group leader of pipelined erpc calls that do not capture output: it answers I/O requests and drops the
    /// text, for whichever call they come from.
    private func pipelineDiscardingGroupLeader() -> Pid {
        if let p = pipeline.discardingGroupLeader { return p }
        let p = makePid()
        pipeline.discardingGroupLeader = p
        return p
    }

    /// A rex reply, an erpc SPAWN_REPLY or a returning erpc call's DOWN for a call in flight, read without decoding
    /// the control message (``CallCodec``); false for anything else, which is then decoded and ``route(_:)``d.
    private func readInPlace(_ payload: UnsafeRawBufferPointer) -> Bool {
        guard let codec, let caller = pipeline.caller else { return false }
        if let reply = codec.rexReply(payload) {
            guard let call = pipeline.call(tagKey: reply.tagKey), !call.erpc, reply.answers(caller, call.tag),
                let result = CallCodec.result(of: reply, in: payload)
            else { return false }
            complete(call, .success(CallResponse(result: LocalNode.mapRexResult(result), output: call.output.text)))
            return true
        }
        switch codec.erpcReply(payload) {
        case .spawnReply(let to, let request, let offset)?:
            guard to.id == caller.id, to.serial == caller.serial, let call = pipeline.call(tagKey: CallCodec.key(request)),
                call.erpc, CallCodec.matches(request, call.tag), case .pid(let p)? = CallCodec.term(at: offset, in: payload)
            else { return false }
            call.remotePid = p
            return true
        case .returned(let to, let monitor, let resultRef, let offset)?:
            guard to.id == caller.id, to.serial == caller.serial, let call = pipeline.call(tagKey: CallCodec.key(monitor)),
                call.erpc, CallCodec.matches(monitor, call.tag), let expected = call.resultRef,
                CallCodec.matches(resultRef, expected), let value = CallCodec.term(at: offset, in: payload)
            else { return false }
            complete(call, .success(CallResponse(result: .value(value), output: call.output.text)))
            return true
        case nil:
            return false
        }
    }

    /// Hands one message to the call it belongs to, if any.
    private func route(_ message: ControlMessage) {
        switch message {
        case .send(_, let to, let m):
            if to == pipeline.caller {
                guard case .tuple(let t) = m, t.count == 2, case .reference(let ref) = t[0],
                    let call = pipeline.call(tag: ref), !call.erpc
                else { return }
                complete(call, .success(CallResponse(result: LocalNode.mapRexResult(t[1]), output: call.output.text)))
            } else if let call = pipeline.call(groupLeader: to) {
                // Served with a copy of the call's output: a nested rex call (`{put_chars, M, F, A}`) runs inside.
                var output = call.output
                serveIO(m, output: &output, discard: false)
                call.output = output
            } else if to == pipeline.discardingGroupLeader {
                var output = Output(onOutput: nil)
                serveIO(m, output: &output, discard: true)
            }
        case .spawnReply(let id, _, _, let result):
            guard let call = pipeline.call(tag: id), call.erpc else { return }
            if case .pid(let p) = result {
                call.remotePid = p
            } else {
                complete(
                    call,
                    .failure(
                        DistributionError(.rpcFailed, stage: .rpc, node: peerName, "the peer refused to spawn erpc: \(result)")))
            }
        case .monitorExit(_, _, let ref, let reason):
            guard let call = pipeline.call(tag: ref), call.erpc, let resultRef = call.resultRef else { return }
            let result = LocalNode.mapErpcReason(reason, resRef: resultRef, node: peerName)
            complete(call, .success(CallResponse(result: result, output: call.output.text)))
        default:
            return
        }
    }

    private func complete(_ call: Pipeline.Call, _ outcome: CallOutcome) {
        pipeline.remove(call)
        pipeline.pushDone(call.ticket, outcome)
    }

    /// Ends the calls whose timeout passed; an erpc call's process is killed, as ``erpcCall(module:function:arguments:options:)``
    /// does.
    private func expireCalls(now: UInt64) {
        while let top = pipeline.earliestDeadline(), top.deadline <= now, let call = pipeline.call(tagKey: top.key) {
            if call.erpc, let pid = call.remotePid, let caller = pipeline.caller {
                try? connection.enqueue(.exit2(from: caller, to: pid, reason: .atom("kill")))
            }
            complete(call, .success(CallResponse(result: .timeout, output: call.output.text)))
        }
        try? connection.flush()
    }

    /// The connection is gone: every call in flight is nodedown, in the order they were started.
    private func failAllCalls() {
        for call in pipeline.calls.values.sorted(by: { $0.ticket < $1.ticket }) {
            complete(call, .success(CallResponse(result: .nodedown(node: peerName), output: call.output.text)))
        }
    }
}

/// The bookkeeping of ``BlockingNode``'s calls in flight: each call by its tag (the reference that its replies
/// carry) and by its group leader; the finished ones in order; the deadlines in a min-heap.
struct Pipeline {
    /// One call in flight (a class: the tables share it, and finding it copies nothing).
    final class Call {
        let ticket: BlockingNode.CallTicket
        let erpc: Bool
        /// rex: the `{Pid, Ref}` tag's reference; erpc: the SPAWN_REQUEST id (also the monitor's reference).
        let tag: Reference
        /// ``Pipeline/key(_:)`` of `tag`.
        let key: UInt64
        /// Monotonic nanoseconds (``BlockingConnection/monotonicNanos()``).
        let deadline: UInt64?
        var output: BlockingNode.Output
        /// erpc: the reference `erpc:execute_call/4` puts in its exit reason.
        var resultRef: Reference?
        var groupLeader: Pid?
        /// erpc: the spawned process, once SPAWN_REPLY named it.
        var remotePid: Pid?

        init(
            ticket: BlockingNode.CallTicket, erpc: Bool, tag: Reference, deadline: UInt64?, output: BlockingNode.Output
        ) {
            self.ticket = ticket; self.erpc = erpc; self.tag = tag; self.key = Pipeline.key(tag)
            self.deadline = deadline; self.output = output
        }
    }

    var nextTicket: UInt64 = 0
    var caller: Pid?
    var discardingGroupLeader: Pid?
    /// By ``key(_:)`` of the tag; a lookup checks the whole tag.
    fileprivate(set) var calls: [UInt64: Call] = [:]
    /// By ``key(_:)-(Pid)`` of the group leader; a lookup checks the whole pid.
    private var byGroupLeader: [UInt64: Call] = [:]
    private var done: [(BlockingNode.CallTicket, BlockingNode.CallOutcome)] = []
    private var doneHead = 0
    /// Deadlines of calls in flight; entries of finished calls are dropped when they reach the top, and the heap is
    /// rebuilt when they outnumber the calls in flight.
    fileprivate(set) var deadlines = DeadlineHeap()

    var doneCount: Int { done.count - doneHead }

    /// Our references' first two words: their counter (``ProcessIdentifiers``), unique per reference.
    static func key(_ r: Reference) -> UInt64 {
        r.ids.count >= 2 ? UInt64(r.ids[0]) | UInt64(r.ids[1]) << 32 : UInt64(r.ids.first ?? 0)
    }

    /// Our pids' id and serial: unique per pid.
    static func key(_ p: Pid) -> UInt64 { UInt64(p.id) | UInt64(p.serial) << 32 }

    mutating func insert(_ call: Call) {
        calls[call.key] = call
        if let gl = call.groupLeader { byGroupLeader[Self.key(gl)] = call }
        if let d = call.deadline {
            deadlines.push(.init(deadline: d, key: call.key, number: call.ticket.number))
            if deadlines.count > 2 * calls.count + 64 { deadlines.rebuild(from: calls.values) }
        }
    }

    mutating func remove(_ call: Call) {
        calls[call.key] = nil
        if let gl = call.groupLeader { byGroupLeader[Self.key(gl)] = nil }
    }

    /// The call in flight whose tag is `ref`.
    func call(tag ref: Reference) -> Call? {
        guard let c = calls[Self.key(ref)], c.tag == ref else { return nil }
        return c
    }

    /// The call in flight filed under `key` (``CallCodec/RexReply/tagKey``); the caller checks the whole tag.
    func call(tagKey key: UInt64) -> Call? { calls[key] }

    /// The call in flight whose group leader is `pid`.
    func call(groupLeader pid: Pid) -> Call? {
        guard let c = byGroupLeader[Self.key(pid)], c.groupLeader == pid else { return nil }
        return c
    }

    /// The deadline heap's top entry that is still a call in flight (finished calls' entries are dropped on the way).
    mutating func earliestDeadline() -> DeadlineHeap.Entry? {
        while let top = deadlines.first {
            if let c = calls[top.key], c.ticket.number == top.number { return top }
            deadlines.pop()
        }
        return nil
    }

    mutating func pushDone(_ ticket: BlockingNode.CallTicket, _ outcome: BlockingNode.CallOutcome) {
        done.append((ticket, outcome))
    }

    mutating func popDone() -> (ticket: BlockingNode.CallTicket, outcome: BlockingNode.CallOutcome)? {
        guard doneHead < done.count else { return nil }
        let d = done[doneHead]
        doneHead += 1
        if doneHead == done.count {
            done.removeAll(keepingCapacity: done.capacity <= 4096)
            doneHead = 0
        } else if doneHead >= 1024, doneHead * 2 >= done.count {
            done.removeFirst(doneHead)
            doneHead = 0
        }
        return d
    }

    /// Puts completions back at the front, in order.
    mutating func requeueDone(_ items: [(BlockingNode.CallTicket, BlockingNode.CallOutcome)]) {
        guard !items.isEmpty else { return }
        done = items + done[doneHead...]
        doneHead = 0
    }
}

/// A binary min-heap of call deadlines (monotonic nanoseconds).
struct DeadlineHeap {
    struct Entry {
        var deadline: UInt64
        /// The call's ``Pipeline/key(_:)-(Reference)`` and ticket number.
        var key: UInt64
        var number: UInt64
    }

    private var items: [Entry] = []

    var count: Int { items.count }
    var first: Entry? { items.first }

    mutating func push(_ entry: Entry) {
        items.append(entry)
        var i = items.count - 1
        while i > 0 {
            let parent = (i - 1) / 2
            guard items[i].deadline < items[parent].deadline else { break }
            items.swapAt(i, parent)
            i = parent
        }
    }

    mutating func pop() {
        guard !items.isEmpty else { return }
        let last = items.removeLast()
        guard !items.isEmpty else { return }
        items[0] = last
        var i = 0
        while true {
            let l = 2 * i + 1, r = l + 1
            var m = i
            if l < items.count, items[l].deadline < items[m].deadline { m = l }
            if r < items.count, items[r].deadline < items[m].deadline { m = r }
            if m == i { return }
            items.swapAt(i, m)
            i = m
        }
    }

    mutating func rebuild<S: Sequence>(from calls: S) where S.Element == Pipeline.Call {
        items.removeAll(keepingCapacity: true)
        for c in calls {
            if let d = c.deadline { push(Entry(deadline: d, key: c.key, number: c.ticket.number)) }
        }
    }
}
