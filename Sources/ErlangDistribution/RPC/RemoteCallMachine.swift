import ErlangTerm

/// The vocabulary of a remote call, rex or erpc, shared by ``RemoteCallMachine`` and its drivers: which method, the
/// request to send, what came back (a normalized ``Event``) and how it ended (``Outcome``).
///
/// The two protocols (OTP `lib/kernel/src/rpc.erl` and `erpc.erl`):
/// - rex: REG_SEND to `rex` of `{'$gen_call', {Caller, Tag}, {call, M, F, A, GroupLeader | user}}`; the answer is
///   `{Tag, Result}` (`{badrpc, Reason}` when the call failed).
/// - erpc: SPAWN_REQUEST of `erpc:execute_call(ResultRef, M, F, A)` with `[monitor]`; SPAWN_REPLY names the process
///   (or why it was not spawned), and the monitor's DOWN carries the outcome as the exit reason
///   `{ResultRef, return | throw | exit | error, Value [, Stacktrace]}`.
enum RemoteCall {
    /// How a call is made.
    enum Method: Hashable, Sendable {
        case rex
        case erpc

        /// The method ``CallOptions/Method`` asks for with a peer that negotiated `flags`: erpc needs SPAWN and
        /// monitors (`DFLAG_SPAWN`, `DFLAG_DIST_MONITOR`). nil flags (the peer is not connected) count as erpc.
        init(_ requested: CallOptions.Method, negotiated flags: DistributionFlags?) {
            switch requested {
            case .rex: self = .rex
            case .erpc: self = .erpc
            case .automatic: self = flags?.isSuperset(of: [.spawn, .distMonitor]) ?? true ? .erpc : .rex
            }
        }
    }

    /// The group leader a call needs: rex without captured output names `user` (no process of ours); erpc always
    /// needs one of our processes as the spawned process's group leader, which then drops the output unless it is
    /// captured.
    enum GroupLeaderNeed: Hashable, Sendable {
        /// None: rex sends `user`.
        case none
        /// One that keeps what is written (``CallOptions/captureOutput``).
        case capturing
        /// One that answers I/O requests and drops the text (erpc without capture).
        case discarding

        init(_ method: Method, captureOutput: Bool) {
            if captureOutput {
                self = .capturing
            } else {
                self = method == .erpc ? .discarding : .none
            }
        }
    }

    /// How a group leader makes the nested call of a `put_chars` with `{M, F, A}` (``IOServer``): rex, 30 s, output not
    /// captured (it is the text being written).
    static let ioEvaluationOptions = CallOptions(method: .rex, timeout: .seconds(30), captureOutput: false)

    /// The request that starts a call: ``rex(from:tag:module:function:arguments:groupLeader:)`` or
    /// ``erpc(requestID:from:groupLeader:resultRef:module:function:arguments:)``. (A struct, not an enum: the drivers
    /// and ``CallCodec`` read its fields without copying them out.)
    struct Request: Hashable, Sendable {
        let method: Method
        /// The caller.
        let from: Pid
        /// rex: the tag's reference; erpc: the SPAWN_REQUEST id (also the monitor's reference).
        let tag: Reference
        /// erpc: the reference `erpc:execute_call/4` puts in its exit reason.
        let resultRef: Reference?
        /// rex: nil for `user`; erpc: always set.
        let groupLeader: Pid?
        let module: Atom
        let function: Atom
        let arguments: [Term]

        /// REG_SEND to `rex`: `{'$gen_call', {From, Tag}, {call, M, F, A, GroupLeader | user}}`.
        static func rex(
            from: Pid, tag: Reference, module: Atom, function: Atom, arguments: [Term], groupLeader: Pid?
        ) -> Request {
            Request(
                method: .rex, from: from, tag: tag, resultRef: nil, groupLeader: groupLeader, module: module,
                function: function, arguments: arguments)
        }

        /// SPAWN_REQUEST `{29, RequestID, From, GroupLeader, {erpc, execute_call, 4}, [monitor]}` with the arguments
        /// `[ResultRef, M, F, A]`.
        static func erpc(
            requestID: Reference, from: Pid, groupLeader: Pid, resultRef: Reference, module: Atom, function: Atom,
            arguments: [Term]
        ) -> Request {
            Request(
                method: .erpc, from: from, tag: requestID, resultRef: resultRef, groupLeader: groupLeader,
                module: module, function: function, arguments: arguments)
        }

        /// The request as a control message (``CallCodec`` writes the same bytes without building it).
        var controlMessage: ControlMessage {
            switch method {
            case .rex:
                return .regSend(
                    from: from, to: "rex",
                    message: .tuple([
                        .atom("$gen_call"), .tuple([.pid(from), .reference(tag)]),
                        .tuple([
                            .atom("call"), .atom(module), .atom(function), .list(arguments),
                            groupLeader.map { .pid($0) } ?? .atom("user"),
                        ]),
                    ]))
            case .erpc:
                return erpcSpawnRequest(arguments: erpcArgumentList)
            }
        }

        /// erpc: the spawned function's argument list `[ResultRef, M, F, A]`.
        var erpcArgumentList: Term {
            .list([.reference(resultRef!), .atom(module), .atom(function), .list(arguments)])
        }

        /// erpc: the SPAWN_REQUEST with `arguments` as its argument list.
        private func erpcSpawnRequest(arguments: Term) -> ControlMessage {
            .spawnRequest(
                requestID: tag, from: from, groupLeader: groupLeader!, module: "erpc", function: "execute_call",
                arity: 4, options: .list([.atom("monitor")]), arguments: arguments)
        }

        /// erpc: the whole frame, around an argument list encoded already (``erpcArgumentList`` through
        /// ``ControlMessage/encodeMessage(_:)``): multicall encodes it once for every node.
        func erpcFrame(encodedArguments: [UInt8]) throws(DistributionError) -> [UInt8] {
            try ControlMessage.encodeFrame(
                control: erpcSpawnRequest(arguments: .list([])).terms.control, encodedMessage: encodedArguments)
        }
    }

    /// How a call ended: a ``CallResult`` (value, exception, nodedown, timeout), or an error that kept it from being
    /// made (a refused erpc spawn, cancellation, a request that could not be encoded).
    enum Outcome: Hashable, Sendable {
        case response(CallResult)
        case failure(DistributionError)
    }

    /// A reference in a reply, as the machine matches it against its calls' references.
    enum ReplyReference: Hashable, Sendable {
        /// A decoded reference.
        case reference(Reference)
        /// The three words of one of our references, read in place by ``CallCodec`` (which checked that the node and
        /// the creation are ours).
        case ours(UInt32, UInt32, UInt32)

        /// The key calls are filed under (``RemoteCallMachine/key(_:)``).
        var key: UInt64 {
            switch self {
            case .reference(let r): return RemoteCall.key(r)
            case .ours(let w0, let w1, _): return UInt64(w0) | UInt64(w1) << 32
            }
        }

    }

    /// The process a reply was sent to.
    enum Recipient: Hashable, Sendable {
        case pid(Pid)
        /// One of our pids, read in place by ``CallCodec`` (node and creation checked): its id and serial.
        case ours(id: UInt32, serial: UInt32)

    }

    /// What reached a caller, normalized from a mailbox term (``init(mailbox:)``, the NIO node) or a control
    /// message (``init(_:)``, the blocking node). `to` is nil when the mailbox already says whose it is.
    enum Event: Hashable, Sendable {
        /// rex's answer `{Tag, Result}`.
        case rexReply(to: Recipient?, tag: ReplyReference, result: Term)
        /// SPAWN_REPLY: `result` is the new process, or why none was spawned.
        case spawnReply(to: Recipient?, requestID: ReplyReference, result: Term)
        /// The erpc process's DOWN (MONITOR_P_EXIT), monitored under the request id.
        case down(to: Recipient?, requestID: ReplyReference, reason: Term)
        /// A DOWN whose reason is `{ResultRef, return, Value}`, read in place (``CallCodec``).
        case erpcReturned(to: Recipient?, requestID: ReplyReference, resultRef: ReplyReference, value: Term)
        /// The connection to `node` went down.
        case nodedown(node: String)
        /// Any other message to one of our processes (an I/O request to a group leader).
        case message(to: Pid, Term)

        /// A message that the NIO node delivered to a caller's mailbox: `{Tag, Result}`, `{spawn_reply, ReqID, ok |
        /// error, PidOrReason}`, `{'DOWN', ReqID, process, Pid, Reason}` or `{nodedown, Node}`; nil for anything else.
        init?(mailbox message: Term) {
            guard case .tuple(let t) = message else { return nil }
            switch t.count {
            case 2:
                if case .reference(let tag) = t[0] {
                    self = .rexReply(to: nil, tag: .reference(tag), result: t[1])
                } else if t[0] == .atom("nodedown"), case .atom(let node) = t[1] {
                    self = .nodedown(node: node.name)
                } else {
                    return nil
                }
            case 4 where t[0] == .atom("spawn_reply"):
                guard case .reference(let id) = t[1] else { return nil }
                self = .spawnReply(to: nil, requestID: .reference(id), result: t[3])
            case 5 where t[0] == .atom("DOWN"):
                guard case .reference(let id) = t[1] else { return nil }
                self = .down(to: nil, requestID: .reference(id), reason: t[4])
            default:
                return nil
            }
        }

        /// A control message that reached the blocking node; nil for one that concerns no call (links, exits, …).
        init?(_ message: ControlMessage) {
            switch message {
            case .send(_, let to, let m):
                if case .tuple(let t) = m, t.count == 2, case .reference(let tag) = t[0] {
                    self = .rexReply(to: .pid(to), tag: .reference(tag), result: t[1])
                } else {
                    self = .message(to: to, m)
                }
            case .spawnReply(let id, let to, _, let result):
                self = .spawnReply(to: .pid(to), requestID: .reference(id), result: result)
            case .monitorExit(_, let to, let ref, let reason):
                self = .down(to: .pid(to), requestID: .reference(ref), reason: reason)
            default:
                return nil
            }
        }
    }

    // MARK: - Results

    /// rex's `Result`. rex cannot tell `exit(R)` from `error(R)` exactly: `{badrpc, {'EXIT', {R, Stack}}}` with a
    /// list of `{M, F, A, Location}` frames is reported as `error`, any other `{badrpc, {'EXIT', R}}` as `exit`; a
    /// `throw` is indistinguishable from a return value.
    static func rexResult(_ result: Term) -> CallResult {
        guard case .tuple(let t) = result, t.count == 2, t[0] == .atom("badrpc") else { return .value(result) }
        if case .tuple(let e) = t[1], e.count == 2, e[0] == .atom("EXIT") {
            if case .tuple(let rs) = e[1], rs.count == 2, case .list(let frames) = rs[1],
                frames.allSatisfy({
                    if case .tuple(let f) = $0, f.count == 4 { return true }
                    return false
                })
            {
                return .exception(.error, reason: rs[0], stacktrace: rs[1])
            }
            return .exception(.exit, reason: e[1], stacktrace: .list([]))
        }
        return .exception(.exit, reason: result, stacktrace: .list([]))
    }

    /// The erpc process's exit reason: `{ResultRef, return, V}`, `{ResultRef, throw | exit | error, R}`,
    /// `{ResultRef, error, R, Stack}`; `noconnection` is nodedown; anything else (the process was killed, …) is the
    /// exit `{signal, Reason}`, as `erpc:call/4` raises it.
    static func erpcResult(_ reason: Term, resultRef: Reference, node: String) -> CallResult {
        if reason == .atom("noconnection") { return .nodedown(node: node) }
        guard case .tuple(let t) = reason, t.count >= 3, t[0].isReference(resultRef), case .atom(let kind) = t[1] else {
            return .exception(.exit, reason: .tuple([.atom("signal"), reason]), stacktrace: .list([]))
        }
        switch (kind.name, t.count) {
        case ("return", 3): return .value(t[2])
        case ("throw", 3): return .exception(.throw, reason: t[2], stacktrace: .list([]))
        case ("exit", 3): return .exception(.exit, reason: t[2], stacktrace: .list([]))
        case ("error", 3): return .exception(.error, reason: t[2], stacktrace: .list([]))
        case ("error", 4): return .exception(.error, reason: t[2], stacktrace: t[3])
        default: return .exception(.exit, reason: .tuple([.atom("signal"), reason]), stacktrace: .list([]))
        }
    }

    /// SPAWN_REPLY said `reason` instead of a pid.
    static func refusedSpawn(node: String, reason: Term) -> DistributionError {
        DistributionError(.rpcFailed, stage: .rpc, node: node, "the peer refused to spawn erpc: \(reason)")
    }

    /// The caller stopped waiting.
    static func cancelled(node: String) -> DistributionError {
        DistributionError(.closedLocally, stage: .rpc, node: node, "the call was cancelled")
    }

    /// The signal that ends an erpc process whose caller stopped waiting (as `erpc:call/5` does on a timeout).
    static func kill(_ pid: Pid, from caller: Pid) -> ControlMessage {
        .exit2(from: caller, to: pid, reason: .atom("kill"))
    }

    // MARK: - Time and keys

    /// `d` in nanoseconds, 0 if negative, at most 2⁶² (a timeout of centuries is no timeout).
    static func saturatingNanos(_ d: Duration) -> UInt64 {
        UInt64(min(d.wholeNanoseconds, 1 << 62))
    }

    /// Our references' first two words: their counter (``ProcessIdentifiers``), unique per reference.
    static func key(_ r: Reference) -> UInt64 {
        r.ids.count >= 2 ? UInt64(r.ids[0]) | UInt64(r.ids[1]) << 32 : UInt64(r.ids.first ?? 0)
    }

    /// Our pids' id and serial: unique per pid.
    static func key(_ p: Pid) -> UInt64 { UInt64(p.id) | UInt64(p.serial) << 32 }
}

/// The calls a caller has in flight, rex or erpc, with no I/O: which reply answers which call, how each ends, when
/// it times out, and what to do about it. Events in (``received(_:)``, ``timerFired(now:)``, ``cancelAll()``,
/// ``requestNotSent(_:error:)``), actions out (``nextAction()``): complete a call, serve its group leader's I/O,
/// kill an erpc process that did not answer.
///
/// One table serves every shape of call: a single call (``LocalNode/call(node:module:function:arguments:options:)``,
/// ``BlockingNode/call(module:function:arguments:options:)``), a multicall (one process sends every request, then
/// collects, as `erpc:multicall/5`), and ``BlockingNode``'s pipeline (thousands in flight, in any order). `Context` is
/// the driver's per-call value (its output, its index), handed back when the call completes.
///
/// Time is monotonic nanoseconds passed in (``monotonicNanoseconds()``). The references and the caller of a call are
/// minted by one node incarnation (``ProcessIdentifiers``: three-word references, the same node and creation as the
/// pid), so a reply is matched on plain integers. A table of up to 8 calls is searched linearly (a single call
/// allocates nothing but its slot); a larger one files calls by reference and group leader and keeps the deadlines
/// in a min-heap. A slot is two entries: a plain summary that every match reads (integers only), and the
/// reference-counted values apart, read when the call ends, so that matching a reply copies none of them (a call
/// costs a few thousand instructions, and this table is on the path of every one).
struct RemoteCallMachine<Context> {
    /// A call in the table (not nested in this generic type, so that its drivers' arrays of it have plain metadata).
    typealias CallID = RemoteCallID

    /// What the driver does next.
    enum Action {
        /// The call ended: hand `outcome` and the call's context to whoever waits for it.
        case complete(CallID, RemoteCall.Outcome, Context)
        /// Answer an I/O request to `groupLeader` (`{io_request, From, ReplyAs, Request}`), the group leader of `call`
        /// (nil: the ``RemoteCallMachine/discardingGroupLeader``, whose output is dropped).
        case serveIO(CallID?, groupLeader: Pid, message: Term)
        /// Send ``RemoteCall/kill(_:from:)`` to `pid` on `node`: its call timed out or was cancelled.
        case kill(Pid, node: String, from: Pid)
    }

    /// The group leader shared by calls that discard their output (``BlockingNode``'s erpc calls without
    /// ``CallOptions/captureOutput``): its I/O requests are served and the text dropped.
    var discardingGroupLeader: Pid?

    // One entry per slot in each.
    private var info: [SlotInfo] = []
    private var values: [SlotValues] = []

    /// The reference-counted values of a slot, read only when a call ends (or a reply names a decoded pid or
    /// reference). A free slot keeps its node and caller until it is reused.
    private struct SlotValues {
        var node: String
        var caller: Pid
        /// erpc: the spawned process, once SPAWN_REPLY named it.
        var remotePid: Pid?
        /// erpc: the reference `erpc:execute_call/4` puts in its exit reason.
        var resultRef: Reference?
        var context: Context?
    }

    /// Free slots of an indexed table (a small one finds them by a linear search).
    private var freeSlots: [Int] = []
    private var nextTicket: UInt64 = 0
    /// Calls in flight.
    private(set) var count = 0
    /// Filing for tables of more than ``linearLimit`` slots.
    private var byTag: [UInt64: Int] = [:]
    private var byGroupLeader: [UInt64: Int] = [:]
    private var deadlines = DeadlineHeap()
    private var actions = FIFOQueue<Action>()
    private var lastTimeout = (duration: Duration.zero, nanoseconds: UInt64(0))

    /// Up to this many slots, calls are found by a linear search.
    static var linearLimit: Int { 8 }

    init() {}

    var isEmpty: Bool { count == 0 }
    private var indexed: Bool { info.count > Self.linearLimit }

    // MARK: - Starting

    /// Files a call whose `request` the driver sends next (``RemoteCall/Request/controlMessage`` or ``CallCodec``);
    /// it times out `timeout` after `now` (nil: never). With `capturesOutput`, I/O to the request's group leader is
    /// this call's output (``Action/serveIO(_:groupLeader:message:)``).
    mutating func start(
        _ request: RemoteCall.Request, node: String, capturesOutput: Bool, timeout: Duration?, now: UInt64,
        context: Context
    ) -> CallID {
        let slot: Int
        if !indexed, let s = info.firstIndex(where: { $0.ticket == .max }) {
            slot = s
        } else if let s = freeSlots.popLast() {
            slot = s
        } else {
            slot = info.count
            info.append(.free)
            values.append(SlotValues(node: node, caller: request.from))
            if info.count == Self.linearLimit + 1 { fileAll() }
        }
        let id = CallID(ticket: nextTicket, slot: slot)
        nextTicket += 1
        var i = SlotInfo.free
        i.ticket = id.ticket
        if let timeout {
            // Converting a Duration divides 128-bit integers; calls usually share their timeout.
            if timeout != lastTimeout.duration { lastTimeout = (timeout, RemoteCall.saturatingNanos(timeout)) }
            i.deadline = now &+ lastTimeout.nanoseconds
        }
        i.callerKey = RemoteCall.key(request.from)
        i.tag = Self.words(request.tag)
        if capturesOutput, let groupLeader = request.groupLeader { i.groupLeader = RemoteCall.key(groupLeader) }
        if request.method == .erpc, let resultRef = request.resultRef {
            i.erpc = true
            i.result = Self.words(resultRef)
        }
        info[slot] = i
        // The node and the caller are usually the slot's last ones: comparing identical strings is cheaper than
        // replacing them.
        if values[slot].node != node { values[slot].node = node }
        if values[slot].caller != request.from { values[slot].caller = request.from }
        if request.method == .erpc { values[slot].resultRef = request.resultRef }
        values[slot].context = context
        count += 1
        if indexed { file(slot) }
        return id
    }

    /// The request was not sent: the connection is gone (nodedown), or `error` (it could not be encoded).
    mutating func requestNotSent(_ id: CallID, error: DistributionError? = nil) {
        guard isInFlight(id) else { return }
        finish(id.slot, error.map { .failure($0) } ?? .response(.nodedown(node: values[id.slot].node)))
    }

    // MARK: - Events

    /// Something reached the caller. Returns whether it concerned a call in flight (a reply to no call, a stale or
    /// duplicate one, is ignored).
    @discardableResult
    mutating func received(_ event: consuming RemoteCall.Event) -> Bool {
        switch consume event {
        case .rexReply(let to, let tag, let result):
            guard let s = slot(tag, erpc: false, to) else { return false }
            finish(s, .response(RemoteCall.rexResult(result)))
        case .spawnReply(let to, let requestID, let result):
            guard let s = slot(requestID, erpc: true, to) else { return false }
            if case .pid(let pid) = result {
                values[s].remotePid = pid
            } else {
                finish(s, .failure(RemoteCall.refusedSpawn(node: values[s].node, reason: result)))
            }
        case .down(let to, let requestID, let reason):
            guard let s = slot(requestID, erpc: true, to), let resultRef = values[s].resultRef else { return false }
            finish(s, .response(RemoteCall.erpcResult(reason, resultRef: resultRef, node: values[s].node)))
        case .erpcReturned(let to, let requestID, let resultRef, let value):
            guard let s = slot(requestID, erpc: true, to), matches(resultRef, info[s].result, caller: s)
            else { return false }
            finish(s, .response(.value(value)))
        case .nodedown(let node):
            let down = liveSlots { values[$0].node == node }
            for s in down { finish(s, .response(.nodedown(node: node))) }
            return !down.isEmpty
        case .message(let to, let message):
            if to == discardingGroupLeader {
                actions.append(.serveIO(nil, groupLeader: to, message: message))
            } else if let s = slot(groupLeader: to) {
                actions.append(.serveIO(CallID(ticket: info[s].ticket, slot: s), groupLeader: to, message: message))
            } else {
                return false
            }
        }
        return true
    }

    /// The earliest deadline of the calls in flight (nil: none has one).
    mutating func nextDeadline() -> UInt64? {
        if indexed {
            while let top = deadlines.first {
                if info[top.slot].ticket == top.ticket { return top.deadline }
                deadlines.pop()
            }
            return nil
        }
        var earliest = UInt64.max
        for i in info where i.deadline < earliest { earliest = i.deadline }
        return earliest == .max ? nil : earliest
    }

    /// Time passed: every call whose deadline is at or before `now` times out, and an erpc process that was spawned
    /// for it is killed.
    mutating func timerFired(now: UInt64) {
        var due: [Int] = []
        if indexed {
            while let top = deadlines.first, top.deadline <= now {
                if info[top.slot].ticket == top.ticket { due.append(top.slot) }
                deadlines.pop()
            }
        } else {
            due = liveSlots { info[$0].deadline <= now }
        }
        for s in due { finish(s, .response(.timeout), kill: true) }
    }

    /// The caller stopped waiting (its task was cancelled, its mailbox closed): every call fails with
    /// ``DistributionError/Code/closedLocally``, and erpc processes are killed.
    mutating func cancelAll() {
        for s in liveSlots({ _ in true }) {
            finish(s, .failure(RemoteCall.cancelled(node: values[s].node)), kill: true)
        }
    }

    /// The next action, in the order the events caused them; nil when there is none.
    mutating func nextAction() -> Action? { actions.popFirst() }

    /// Changes a call's context in place (its output, say); nil when the call is not in flight.
    mutating func withContext<R>(of id: CallID, _ body: (inout Context) -> R) -> R? {
        guard isInFlight(id) else { return nil }
        return body(&values[id.slot].context!)
    }

    /// Whether `id` is in flight.
    func isInFlight(_ id: CallID) -> Bool { id.slot < info.count && info[id.slot].ticket == id.ticket }

    // MARK: - Filing

    private static func words(_ r: Reference) -> (UInt32, UInt32, UInt32) {
        assert(r.ids.count == 3, "a call's references have three words (ProcessIdentifiers)")
        return r.ids.count == 3 ? (r.ids[0], r.ids[1], r.ids[2]) : (.max, .max, .max)
    }

    /// Whether the reply's reference is the one whose words are `words`, minted by the node of the caller in `slot`.
    private func matches(
        _ ref: RemoteCall.ReplyReference, _ words: (UInt32, UInt32, UInt32), caller slot: Int
    ) -> Bool {
        switch ref {
        case .ours(let w0, let w1, let w2):
            return (w0, w1, w2) == words
        case .reference(let r):
            guard r.ids.count == 3, (r.ids[0], r.ids[1], r.ids[2]) == words else { return false }
            return r.creation == values[slot].caller.creation && r.node == values[slot].caller.node
        }
    }

    /// The slot whose summary has `key` at `field`: from `index` in an indexed table, by a linear search otherwise.
    @inline(__always)
    private func slot(filedUnder key: UInt64, in index: [UInt64: Int], _ field: (SlotInfo) -> UInt64) -> Int? {
        indexed ? index[key] : info.firstIndex { field($0) == key }
    }

    /// The slot of the call in flight whose reference is `ref`, made by erpc or rex, whose caller is `to`.
    private func slot(_ ref: RemoteCall.ReplyReference, erpc: Bool, _ to: RemoteCall.Recipient?) -> Int? {
        guard let s = slot(filedUnder: ref.key, in: byTag, { $0.tagKey }) else { return nil }
        let i = info[s]
        guard i.erpc == erpc, matches(ref, i.tag, caller: s) else { return nil }
        switch to {
        case nil: return s
        case .ours(let id, let serial)?: return i.callerKey == UInt64(id) | UInt64(serial) << 32 ? s : nil
        case .pid(let pid)?: return values[s].caller == pid ? s : nil
        }
    }

    private func slot(groupLeader pid: Pid) -> Int? {
        guard let s = slot(filedUnder: RemoteCall.key(pid), in: byGroupLeader, { $0.groupLeader }) else { return nil }
        // Group leaders are minted by the caller's node.
        return pid.creation == values[s].caller.creation && pid.node == values[s].caller.node ? s : nil
    }

    /// The slots of the calls in flight that `include` picks, in the order the calls started.
    private func liveSlots(_ include: (Int) -> Bool) -> [Int] {
        var slots: [Int] = []
        for (s, i) in info.enumerated() where i.ticket != .max && include(s) { slots.append(s) }
        slots.sort { info[$0].ticket < info[$1].ticket }
        return slots
    }

    private mutating func file(_ slot: Int) {
        let i = info[slot]
        byTag[i.tagKey] = slot
        if i.groupLeader != .max { byGroupLeader[i.groupLeader] = slot }
        if i.deadline != .max {
            deadlines.push(.init(deadline: i.deadline, slot: slot, ticket: i.ticket))
            if deadlines.count > 2 * count + 64 { rebuildDeadlines() }
        }
    }

    /// The table outgrew linear search: file every call in flight.
    private mutating func fileAll() {
        for s in info.indices where info[s].ticket != .max { file(s) }
    }

    private mutating func rebuildDeadlines() {
        deadlines.removeAll()
        for (s, i) in info.enumerated() where i.ticket != .max && i.deadline != .max {
            deadlines.push(.init(deadline: i.deadline, slot: s, ticket: i.ticket))
        }
    }

    /// Ends the call in `slot` with `outcome`; with `kill`, first kills its erpc process if one was spawned.
    private mutating func finish(_ slot: Int, _ outcome: consuming RemoteCall.Outcome, kill: Bool = false) {
        let i = info[slot]
        if indexed {
            if byTag[i.tagKey] == slot { byTag[i.tagKey] = nil }
            if i.groupLeader != .max, byGroupLeader[i.groupLeader] == slot { byGroupLeader[i.groupLeader] = nil }
            freeSlots.append(slot)
        }
        info[slot] = .free
        count -= 1
        if i.erpc {
            if kill, let pid = values[slot].remotePid {
                actions.append(.kill(pid, node: values[slot].node, from: values[slot].caller))
            }
            values[slot].remotePid = nil
            values[slot].resultRef = nil
        }
        actions.append(.complete(CallID(ticket: i.ticket, slot: slot), outcome, values[slot].context.take()!))
    }
}

extension RemoteCallMachine.Action: Equatable where Context: Equatable {}

/// The plain summary of one slot of ``RemoteCallMachine``: what a match, a linear search and the deadline heap read.
private struct SlotInfo {
    static let free = SlotInfo()

    /// The call's ticket; `.max` when the slot is free.
    var ticket = UInt64.max
    /// The words of the call's reference (rex: the tag; erpc: the request id, also the monitor's reference).
    var tag: (UInt32, UInt32, UInt32) = (.max, .max, .max)
    /// erpc: the words of the result reference.
    var result: (UInt32, UInt32, UInt32) = (.max, .max, .max)
    var erpc = false
    /// ``RemoteCall/key(_:)-(Pid)`` of the caller, and of the group leader whose output is the call's (`.max`: none).
    var callerKey = UInt64.max
    var groupLeader = UInt64.max
    /// Monotonic nanoseconds; `.max` for none.
    var deadline = UInt64.max

    /// ``RemoteCall/key(_:)-(Reference)`` of the call's reference (`.max` when free: no reference has it).
    var tagKey: UInt64 { ticket == .max ? .max : UInt64(tag.0) | UInt64(tag.1) << 32 }
}

/// A first-in, first-out queue over one array: a pop moves a head index, and the array is compacted only when the
/// queue empties or its dead front outgrows the rest (no shifting per pop, no allocation once it has grown).
struct FIFOQueue<Element> {
    private var items: [Element] = []
    private var head = 0

    var count: Int { items.count - head }
    var isEmpty: Bool { head == items.count }

    mutating func append(_ item: Element) { items.append(item) }

    mutating func popFirst() -> Element? {
        guard head < items.count else { return nil }
        // The usual case, one item: moved out, the storage kept.
        if head == 0, items.count == 1 { return items.removeLast() }
        let item = items[head]
        head += 1
        if head == items.count {
            items.removeAll(keepingCapacity: items.capacity <= 4096)
            head = 0
        } else if head >= 1024, head * 2 >= items.count {
            items.removeFirst(head)
            head = 0
        }
        return item
    }

    /// Puts `front` back before everything queued, in order.
    mutating func prepend(_ front: [Element]) {
        guard !front.isEmpty else { return }
        items = front + items[head...]
        head = 0
    }
}

/// A binary min-heap of call deadlines (monotonic nanoseconds), for ``RemoteCallMachine``.
struct DeadlineHeap {
    struct Entry {
        var deadline: UInt64
        /// The call's slot and ticket (a slot is reused; the ticket tells whether the entry is stale).
        var slot: Int
        var ticket: UInt64
    }

    private var items: [Entry] = []

    var count: Int { items.count }
    var first: Entry? { items.first }

    mutating func removeAll() { items.removeAll(keepingCapacity: true) }

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
            let l = 2 * i + 1
            let r = l + 1
            var m = i
            if l < items.count, items[l].deadline < items[m].deadline { m = l }
            if r < items.count, items[r].deadline < items[m].deadline { m = r }
            if m == i { return }
            items.swapAt(i, m)
            i = m
        }
    }
}

/// What a call's group leader captured, in order, streamed to ``CallOptions/onOutput`` as it arrives: one
/// accumulator for both nodes (``BlockingNode`` keeps it in the call's context; ``LocalNode``'s group leader task and
/// the caller share it behind a lock, ``OutputCollector``).
struct CallOutput {
    var text = ""
    let onOutput: (@Sendable (String) -> Void)?

    init(onOutput: (@Sendable (String) -> Void)?) { self.onOutput = onOutput }
}

extension Term {
    /// Whether this is the reference `ref`; unlike `== .reference(ref)` it boxes nothing (`.reference` is indirect).
    @inline(__always)
    func isReference(_ ref: Reference) -> Bool {
        if case .reference(let r) = self { return r == ref }
        return false
    }
}

/// A call in a ``RemoteCallMachine``: its ticket (calls are numbered from 0 in the order they start) and where it is
/// filed.
struct RemoteCallID: Hashable, Comparable, Sendable, CustomStringConvertible {
    let ticket: UInt64
    fileprivate let slot: Int

    static func < (a: RemoteCallID, b: RemoteCallID) -> Bool { a.ticket < b.ticket }
    var description: String { "call #\(ticket)" }
}
