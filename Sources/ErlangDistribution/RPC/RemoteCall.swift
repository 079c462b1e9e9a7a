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
    public var result: CallResult
    public var output: String
}

/// How to make a remote call.
public struct CallOptions: Sendable {
    public enum Method: Sendable, Hashable {
        /// erpc when the peer supports SPAWN, else rex.
        case automatic
        case rex
        case erpc
    }
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
        let useErpc: Bool
        switch options.method {
        case .rex: useErpc = false
        case .erpc: useErpc = true
        case .automatic: useErpc = peer.handshake.negotiatedFlags.isSuperset(of: [.spawn, .distMonitor])
        }
        return useErpc
            ? try await erpcCall(node: node, module: module, function: function, arguments: arguments, options: options)
            : try await rexCall(node: node, module: module, function: function, arguments: arguments, options: options)
    }

    /// Calls through `rex`: `{'$gen_call', {Pid, Ref}, {call, M, F, A, GL}}`. rex cannot tell `exit(R)` from
    /// `error(R)` exactly: `{badrpc, {'EXIT', {R, Stack}}}` with a list stack is reported as `error`, any other
    /// `{badrpc, {'EXIT', R}}` as `exit`; a `throw` is indistinguishable from a return value.
    public func rexCall(node: String, module: Atom, function: Atom, arguments: [Term], options: CallOptions = .init())
        async throws(DistributionError) -> CallResponse
    {
        _ = try await connectPeer(node)
        let (me, mailbox) = spawnProcess()
        watchNode(node, by: me)
        let output = OutputCollector(onOutput: options.onOutput)
        let gl = options.captureOutput ? startGroupLeader(node: node, output: output) : nil
        defer {
            exitProcess(me)
            if let gl { exitProcess(gl.pid); gl.task.cancel() }
        }
        let ref = makeReference()
        let glTerm: Term = gl.map { .pid($0.pid) } ?? .atom("user")
        let request: Term = .tuple([
            .atom("$gen_call"), .tuple([.pid(me), .reference(ref)]),
            .tuple([.atom("call"), .atom(module), .atom(function), .list(arguments), glTerm]),
        ])
        do {
            try send(request, toName: "rex", on: node, from: me)
        } catch {
            return CallResponse(result: .nodedown(node: node), output: output.text)
        }
        let deadline = options.timeout.map { ContinuousClock.now + $0 }
        while true {
            let remaining = deadline.map { $0 - ContinuousClock.now }
            if let remaining, remaining <= .zero { return CallResponse(result: .timeout, output: output.text) }
            switch await mailbox.receive(timeout: remaining) {
            case .message(.tuple(let t)) where t.count == 2 && t[0].isReference(ref):
                return CallResponse(result: Self.mapRexResult(t[1]), output: output.text)
            case .message(.tuple(let t)) where t.count == 2 && t[0] == .atom("nodedown"):
                return CallResponse(result: .nodedown(node: node), output: output.text)
            case .message:
                continue
            case .timeout:
                return CallResponse(result: .timeout, output: output.text)
            case .closed, .cancelled:
                throw DistributionError(.closedLocally, stage: .rpc, node: node, "the call was cancelled")
            }
        }
    }

    static func mapRexResult(_ result: Term) -> CallResult {
        guard case .tuple(let t) = result, t.count == 2, t[0] == .atom("badrpc") else { return .value(result) }
        if case .tuple(let e) = t[1], e.count == 2, e[0] == .atom("EXIT") {
            if case .tuple(let rs) = e[1], rs.count == 2, case .list(let frames) = rs[1],
                frames.allSatisfy({ if case .tuple(let f) = $0, f.count == 4 { return true }; return false })
            {
                return .exception(.error, reason: rs[0], stacktrace: rs[1])
            }
            return .exception(.exit, reason: e[1], stacktrace: .list([]))
        }
        return .exception(.exit, reason: result, stacktrace: .list([]))
    }

    /// Calls through erpc: SPAWN_REQUEST of `erpc:execute_call/4` with a monitor; the result comes back as the
    /// process's exit reason, with the exact exception class and stacktrace.
    public func erpcCall(node: String, module: Atom, function: Atom, arguments: [Term], options: CallOptions = .init())
        async throws(DistributionError) -> CallResponse
    {
        _ = try await connectPeer(node)
        let (me, mailbox) = spawnProcess()
        watchNode(node, by: me)
        let output = OutputCollector(onOutput: options.onOutput)
        let gl = startGroupLeader(node: node, output: output, discard: !options.captureOutput)
        var remotePid: Pid?
        var finished = false
        let reqID = makeReference()
        // The spawned pid is recorded without waking this task; only DOWN (or a spawn error) wakes it.
        let spawned = addSpawnSink(reqID)
        defer {
            removeSpawnSink(reqID)
            if !finished, let pid = remotePid ?? spawned.pid {
                try? sendControl(.exit2(from: me, to: pid, reason: .atom("kill")), to: node)
            }
            exitProcess(me)
            exitProcess(gl.pid)
            gl.task.cancel()
        }
        let resRef = makeReference()
        do {
            try sendControl(
                .spawnRequest(
                    requestID: reqID, from: me, groupLeader: gl.pid, module: "erpc", function: "execute_call", arity: 4,
                    options: .list([.atom("monitor")]),
                    arguments: .list([.reference(resRef), .atom(module), .atom(function), .list(arguments)])),
                to: node)
        } catch {
            return CallResponse(result: .nodedown(node: node), output: output.text)
        }
        let deadline = options.timeout.map { ContinuousClock.now + $0 }
        while true {
            let remaining = deadline.map { $0 - ContinuousClock.now }
            if let remaining, remaining <= .zero { return CallResponse(result: .timeout, output: output.text) }
            switch await mailbox.receive(timeout: remaining) {
            case .message(.tuple(let t)) where t.count == 4 && t[0] == .atom("spawn_reply") && t[1].isReference(reqID):
                if case .pid(let p) = t[3] {
                    remotePid = p
                } else {
                    finished = true
                    throw DistributionError(.rpcFailed, stage: .rpc, node: node, "the peer refused to spawn erpc: \(t[3])")
                }
            case .message(.tuple(let t)) where t.count == 5 && t[0] == .atom("DOWN") && t[1].isReference(reqID):
                finished = true
                return CallResponse(result: Self.mapErpcReason(t[4], resRef: resRef, node: node), output: output.text)
            case .message(.tuple(let t)) where t.count == 2 && t[0] == .atom("nodedown"):
                finished = true
                return CallResponse(result: .nodedown(node: node), output: output.text)
            case .message:
                continue
            case .timeout:
                return CallResponse(result: .timeout, output: output.text)
            case .closed, .cancelled:
                throw DistributionError(.closedLocally, stage: .rpc, node: node, "the call was cancelled")
            }
        }
    }

    static func mapErpcReason(_ reason: Term, resRef: Reference, node: String) -> CallResult {
        if reason == .atom("noconnection") { return .nodedown(node: node) }
        guard case .tuple(let t) = reason, t.count >= 3, t[0].isReference(resRef), case .atom(let kind) = t[1] else {
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
        let server = IOServer(
            evaluate: { [weak self] m, f, a in
                guard let self else { return nil }
                let r = try? await self.rexCall(node: node, module: m, function: f, arguments: a,
                                                options: CallOptions(method: .rex, timeout: .seconds(30), captureOutput: false))
                if case .value(let v)? = r?.result { return v }
                return nil
            },
            write: { s in if !discard { output.append(s) } })
        runner.prepare { [weak self] in
            for await message in mailbox {
                guard let (to, reply) = await server.handleMessage(message) else { continue }
                try? self?.send(reply, to: to)
            }
        }
        let (pid, _) = spawnProcess(mailbox: mailbox)
        return GroupLeader(pid: pid, task: runner)
    }
}

extension Term {
    /// Whether this is the reference `ref`; unlike `== .reference(ref)` it boxes nothing (`.reference` is indirect).
    @inline(__always)
    func isReference(_ ref: Reference) -> Bool {
        if case .reference(let r) = self { return r == ref }
        return false
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

/// Thread-safe output accumulator.
final class OutputCollector: Sendable {
    private let box = NIOLockedValueBox("")
    let onOutput: (@Sendable (String) -> Void)?
    init(onOutput: (@Sendable (String) -> Void)?) { self.onOutput = onOutput }
    func append(_ s: String) {
        box.withLockedValue { $0 += s }
        onOutput?(s)
    }
    var text: String { box.withLockedValue { $0 } }
}
