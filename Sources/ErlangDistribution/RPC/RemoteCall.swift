import ErlangTerm
import NIOConcurrencyHelpers

/// The class of an Erlang exception.
public enum ExceptionClass: String, Hashable, Sendable {
    case error
    case exit
    case `throw`
}

/// The typed outcome of a remote call.
public enum CallResult: Hashable, Sendable {
    /// The function returned.
    case value(Term)
    /// The function raised. With rex the class is inferred (see ``LocalNode/rexCall(node:module:function:arguments:options:)``).
    case exception(ExceptionClass, reason: Term, stacktrace: Term)
    /// The connection went down during the call.
    case nodedown(node: String)
    /// No answer within the timeout.
    case timeout
}

/// A remote call's result and the output its group leader captured (in order, all before the result).
public struct CallResponse: Hashable, Sendable {
    /// The call's result: a value, an exception, or why no result came.
    public var result: CallResult
    /// What the call wrote to its group leader, when we were its group leader (``CallOptions/captureOutput``).
    public var output: String
}

/// How to make a remote call.
public struct CallOptions: Sendable {
    public enum Method: Sendable, Hashable {
        /// erpc when the peer supports SPAWN, else rex.
        case automatic
        /// `rpc:call` semantics: a request to the peer's `rex` server.
        case rex
        /// `erpc:call` semantics: a process spawned on the peer (SPAWN_REQUEST), monitored until it ends.
        case erpc
    }
    /// Which protocol carries the call (``Method/automatic``: erpc when the peer supports it).
    public var method: Method
    /// nil = wait forever.
    public var timeout: Duration?
    /// Be the group leader and capture output (else rex uses the peer's `user`, erpc discards it).
    public var captureOutput: Bool
    /// Called with each piece of output as it arrives.
    public var onOutput: (@Sendable (String) -> Void)?

    public init(method: Method = .automatic, timeout: Duration? = .seconds(30), captureOutput: Bool = true,
                onOutput: (@Sendable (String) -> Void)? = nil) {
        self.method = method; self.timeout = timeout; self.captureOutput = captureOutput; self.onOutput = onOutput
    }
}

extension LocalNode {
    /// Calls `module:function(arguments...)` on `node`, choosing erpc or rex per ``CallOptions/method``.
    /// Throws only when the connection cannot be made (or the task is cancelled); failures during the call are
    /// ``CallResult`` cases.
    public func call(node: String, module: Atom, function: Atom, arguments: [Term], options: CallOptions = .init())
        async throws(DistributionError) -> CallResponse
    {
        let peer = try await connectPeer(node)
        let method = RemoteCall.Method(options.method, negotiated: peer.handshake.negotiatedFlags)
        return try await call(method, node: node, module: module, function: function, arguments: arguments,
                              options: options)
    }

    /// Calls through `rex`: `{'$gen_call', {Pid, Ref}, {call, M, F, A, GL}}`. rex cannot tell `exit(R)` from
    /// `error(R)` exactly: `{badrpc, {'EXIT', {R, Stack}}}` with a list stack is reported as `error`, any other
    /// `{badrpc, {'EXIT', R}}` as `exit`; a `throw` is indistinguishable from a return value.
    public func rexCall(node: String, module: Atom, function: Atom, arguments: [Term], options: CallOptions = .init())
        async throws(DistributionError) -> CallResponse
    {
        _ = try await connectPeer(node)
        return try await call(.rex, node: node, module: module, function: function, arguments: arguments,
                              options: options)
    }

    /// Calls through erpc: SPAWN_REQUEST of `erpc:execute_call/4` with a monitor; the result comes back as the
    /// process's exit reason, with the exact exception class and stacktrace.
    public func erpcCall(node: String, module: Atom, function: Atom, arguments: [Term], options: CallOptions = .init())
        async throws(DistributionError) -> CallResponse
    {
        _ = try await connectPeer(node)
        return try await call(.erpc, node: node, module: module, function: function, arguments: arguments,
                              options: options)
    }

    /// One call by `method` on `node`, which the caller has connected: a process of its own (watching `node`), a
    /// group leader, one ``RemoteCallMachine`` entry driven by ``drive(_:mailbox:spawnSinks:_:)``.
    private func call(
        _ method: RemoteCall.Method, node: String, module: Atom, function: Atom, arguments: [Term],
        options: CallOptions
    ) async throws(DistributionError) -> CallResponse {
        let (me, mailbox) = spawnProcess()
        watchNode(node, by: me)
        let output = OutputCollector(onOutput: options.onOutput)
        let need = RemoteCall.GroupLeaderNeed(method, captureOutput: options.captureOutput)
        let gl: GroupLeader? =
            need == .none ? nil : startGroupLeader(node: node, output: output, discard: need == .discarding)
        let tag = makeReference()
        let request: RemoteCall.Request
        // The spawned pid is recorded without waking this task; only DOWN (or a spawn error) wakes it.
        var sinks: [(Reference, SpawnSink)] = []
        switch method {
        case .rex:
            request = .rex(from: me, tag: tag, module: module, function: function, arguments: arguments,
                           groupLeader: gl?.pid)
        case .erpc:
            sinks = [(tag, addSpawnSink(tag))]
            request = .erpc(requestID: tag, from: me, groupLeader: gl!.pid, resultRef: makeReference(), module: module,
                            function: function, arguments: arguments)
        }
        defer {
            if !sinks.isEmpty { removeSpawnSink(tag) }
            exitProcess(me)
            if let gl { exitProcess(gl.pid); gl.task.cancel() }
        }
        var calls = RemoteCallMachine<Void>()
        let id = calls.start(request, node: node, capturesOutput: options.captureOutput, timeout: options.timeout,
                             now: monotonicNanoseconds(), context: ())
        do {
            try sendControl(request.controlMessage, to: node)
        } catch {
            calls.requestNotSent(id)
        }
        var outcome: RemoteCall.Outcome?
        await drive(&calls, mailbox: mailbox, spawnSinks: sinks) { _, o, _ in outcome = o }
        switch outcome {
        case .response(let result)?: return CallResponse(result: result, output: output.text)
        case .failure(let error)?: throw error
        case nil: preconditionFailure("a call ended without an outcome")
        }
    }

    /// Runs `calls` over the caller's `mailbox` until every call completed: the NIO driver of ``RemoteCallMachine``
    /// (a single call and a multicall alike). Kill actions are sent from here; `complete` gets each completion.
    ///
    /// Successful spawn replies go to `spawnSinks` without waking the caller (as erpc's `{reply, error_only}`): they
    /// are handed to the machine only when a timeout or a cancellation needs to know which process to kill.
    func drive<Context>(
        _ calls: inout RemoteCallMachine<Context>, mailbox: Mailbox, spawnSinks: [(Reference, SpawnSink)],
        _ complete: (RemoteCallMachine<Context>.CallID, RemoteCall.Outcome, Context) -> Void
    ) async {
        func spawned() {
            for (id, sink) in spawnSinks {
                guard let pid = sink.pid else { continue }
                calls.received(.spawnReply(to: nil, requestID: .reference(id), result: .pid(pid)))
            }
        }
        while true {
            while let action = calls.nextAction() {
                switch action {
                case .complete(let id, let outcome, let context):
                    complete(id, outcome, context)
                case .kill(let pid, let node, let caller):
                    try? sendControl(RemoteCall.kill(pid, from: caller), to: node)
                case .serveIO:
                    break  // Group leaders are processes of their own here (startGroupLeader).
                }
            }
            if calls.isEmpty { return }
            var timeout: Duration?
            if let deadline = calls.nextDeadline() {
                let now = monotonicNanoseconds()
                if deadline <= now {
                    spawned()
                    calls.timerFired(now: now)
                    continue
                }
                timeout = .nanoseconds(Int64(clamping: deadline - now))
            }
            switch await mailbox.receive(timeout: timeout) {
            case .message(let message):
                if let event = RemoteCall.Event(mailbox: message) { calls.received(event) }
            case .timeout:
                spawned()
                calls.timerFired(now: monotonicNanoseconds())
            case .closed, .cancelled:
                spawned()
                calls.cancelAll()
            }
        }
    }

    // MARK: - Group leader

    struct GroupLeader {
        var pid: Pid
        var task: LazyTask
    }

    /// A group leader process. Its I/O server task starts only when the first message arrives: most calls print
    /// nothing, and a task per call costs more than the rest of the call's bookkeeping.
    func startGroupLeader(node: String, output: OutputCollector, discard: Bool = false) -> GroupLeader {
        let runner = LazyTask()
        let mailbox = Mailbox(timers: nil, onFirstMessage: { runner.start() })
        let server = ioServer(formattingOn: node, write: { s in if !discard { output.append(s) } })
        runner.prepare { [weak self] in
            for await message in mailbox {
                guard let (to, reply) = await server.handleMessage(message) else { continue }
                try? self?.send(reply, to: to)
            }
        }
        let (pid, _) = spawnProcess(mailbox: mailbox)
        return GroupLeader(pid: pid, task: runner)
    }

    /// Group leaders for a multicall, one pid per entry of `outputs` (as ``startGroupLeader(node:output:discard:)``
    /// makes for one call, each pid is the group leader of one node's call only), behind one mailbox and one task
    /// started only when the first message arrives: a process, a mailbox, a task and a server per node cost more than
    /// the rest of a node's share of a multicall. Each node's I/O requests are served in order by a server of its own
    /// (`nodes[i]` is where the `i`-th pid's `put_chars` with `{M, F, A}` is formatted), started at its first request,
    /// so that one node's nested formatting call does not hold up another's, as with a group leader task per node.
    func startGroupLeaders(nodes: [String], outputs: [OutputCollector], discard: Bool) -> (pids: [Pid], task: LazyTask) {
        let runner = LazyTask()
        let mailbox = Mailbox(timers: nil, onFirstMessage: { runner.start() })
        runner.prepare { [weak self] in
            await withTaskGroup(of: Void.self) { group in
                var servers: [Int: AsyncStream<Term>.Continuation] = [:]
                for await tagged in mailbox {
                    // {Index, Message}: the index of the group leader it was sent to (spawnTaggedProcesses).
                    guard case .tuple(let t) = tagged, t.count == 2, case .integer(let i) = t[0], nodes.indices.contains(i)
                    else { continue }
                    if servers[i] == nil {
                        let (stream, continuation) = AsyncStream<Term>.makeStream()
                        servers[i] = continuation
                        let (node, output) = (nodes[i], outputs[i])
                        group.addTask { [weak self] in
                            guard let server = self?.ioServer(
                                formattingOn: node, write: { s in if !discard { output.append(s) } })
                            else { return }
                            for await message in stream {
                                guard let (to, reply) = await server.handleMessage(message) else { continue }
                                try? self?.send(reply, to: to)
                            }
                        }
                    }
                    servers[i]?.yield(t[1])
                }
                for c in servers.values { c.finish() }
            }
        }
        return (spawnTaggedProcesses(nodes.count, mailbox: mailbox), runner)
    }

    /// A long-lived group leader on this node, for remote processes that outlive any one call (a REPL's evaluator
    /// and what it spawns): every I/O request sent to `pid` is served until `task` is cancelled, its text given to
    /// `write`; a `put_chars` with `{M, F, A}` is formatted on the requesting process's node.
    public func spawnGroupLeader(write: @escaping @Sendable (String) -> Void) -> (pid: Pid, task: Task<Void, Never>) {
        let (pid, mailbox) = spawnProcess()
        let task = Task { [weak self] in
            for await message in mailbox {
                // {io_request, From, ReplyAs, Request}
                guard let self, let from = message.tupleElements?.dropFirst().first?.pidValue,
                    let (to, reply) = await self.ioServer(formattingOn: from.node.name, write: write)
                        .handleMessage(message)
                else { continue }
                try? self.send(reply, to: to)
            }
        }
        return (pid, task)
    }

    /// The I/O server of a group leader whose `put_chars` with `{M, F, A}` is formatted on `node` (a nested rex call).
    private func ioServer(formattingOn node: String, write: @escaping @Sendable (String) -> Void) -> IOServer {
        IOServer(
            evaluate: { [weak self] m, f, a in
                guard let self else { return nil }
                let r = try? await self.rexCall(node: node, module: m, function: f, arguments: a,
                                                options: RemoteCall.ioEvaluationOptions)
                if case .value(let v)? = r?.result { return v }
                return nil
            },
            write: write)
    }
}

/// A task that is created on the first ``start()``; ``cancel()`` before that means it never runs.
final class LazyTask: Sendable {
    private struct State {
        var body: (@Sendable () async -> Void)?
        var task: Task<Void, Never>?
        var cancelled = false
    }
    private let state = NIOLockedValueBox(State())

    func prepare(_ body: @escaping @Sendable () async -> Void) {
        state.withLockedValue { $0.body = body }
    }

    func start() {
        state.withLockedValue { s in
            guard !s.cancelled, s.task == nil, let body = s.body else { return }
            s.task = Task { await body() }
            s.body = nil
        }
    }

    func cancel() {
        let t: Task<Void, Never>? = state.withLockedValue { s in
            s.cancelled = true
            s.body = nil
            return s.task
        }
        t?.cancel()
    }
}

/// A call's ``CallOutput`` shared by its group leader's task (which writes) and the caller (which reads the text at
/// the end): the one accumulator behind a lock.
final class OutputCollector: Sendable {
    private let box: NIOLockedValueBox<CallOutput>

    init(onOutput: (@Sendable (String) -> Void)?) { box = NIOLockedValueBox(CallOutput(onOutput: onOutput)) }

    /// Appends `s` and streams it to ``CallOptions/onOutput``.
    func append(_ s: String) {
        let onOutput = box.withLockedValue { o in
            o.text += s
            return o.onOutput
        }
        onOutput?(s)
    }

    var text: String { box.withLockedValue { $0.text } }
}
