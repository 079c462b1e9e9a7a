import ErlangTerm

/// A hidden node with one ``BlockingConnection``: remote calls (erpc or rex) with a group leader that captures
/// output, all on the calling thread. It is the thread-free counterpart of ``LocalNode/call(node:module:function:arguments:options:)``
/// for one-shot commands, with the same ``CallResponse`` outcomes (the result mapping, the I/O protocol and the pid and
/// reference layout are shared with ``LocalNode``).
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
    /// Messages that arrived while we waited for something else (a nested call's reply, for example).
    var pending: [ControlMessage] = []
    /// The calls started with ``startCall(module:function:arguments:options:)`` (BlockingNode+Pipeline.swift).
    var pipeline = Pipeline()

    /// Our node name (as the handshake established it).
    public var name: String { connection.handshake.ourName }
    /// The peer's node name.
    public var peerName: String { connection.peerName }

    /// Writes requests and reads rex replies without building terms (nil: our name is too long for it).
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
        let useErpc: Bool
        switch options.method {
        case .rex: useErpc = false
        case .erpc: useErpc = true
        case .automatic: useErpc = connection.handshake.negotiatedFlags.isSuperset(of: [.spawn, .distMonitor])
        }
        return useErpc
            ? try erpcCall(module: module, function: function, arguments: arguments, options: options)
            : rexCall(module: module, function: function, arguments: arguments, options: options)
    }

    /// A call through `rex` (see ``LocalNode/rexCall(node:module:function:arguments:options:)``).
    public func rexCall(module: Atom, function: Atom, arguments: [Term], options: CallOptions = .init()) -> CallResponse {
        let node = peerName
        let me = makePid()
        var output = Output(onOutput: options.onOutput)
        let gl: Pid? = options.captureOutput ? makePid() : nil
        let ref = makeReference()
        do {
            try enqueueRexRequest(
                from: me, tag: ref, module: module, function: function, arguments: arguments, groupLeader: gl)
            try connection.flush()
        } catch {
            return CallResponse(result: .nodedown(node: node), output: output.text)
        }
        func handle(_ message: ControlMessage) -> CallResponse? {
            switch message {
            case .send(_, let to, .tuple(let t)) where to == me && t.count == 2 && t[0] == .reference(ref):
                return CallResponse(result: LocalNode.mapRexResult(t[1]), output: output.text)
            case .send(_, let to, let m) where to == gl:
                serveIO(m, output: &output, discard: false)
                return nil
            default:
                return nil
            }
        }
        let deadline = options.timeout.map { ContinuousClock.now + $0 }
        let codec = self.codec
        while true {
            // Messages for us that arrived during a nested call come first.
            if let m = takePending(for: me, gl) {
                if let r = handle(m) { return r }
                continue
            }
            // The reply itself is read in place (CallCodec); anything else is decoded.
            var result: Term?
            let received: BlockingConnection.Received
            do {
                received = try connection.receive(deadline: deadline) { payload in
                    guard let codec, let reply = codec.rexReply(payload), reply.answers(me, ref),
                        let term = CallCodec.result(of: reply, in: payload)
                    else { return false }
                    result = term
                    return true
                }
            } catch {
                return CallResponse(result: .nodedown(node: node), output: output.text)
            }
            switch received {
            case .intercepted:
                if let result { return CallResponse(result: LocalNode.mapRexResult(result), output: output.text) }
            case .timedOut:
                return CallResponse(result: .timeout, output: output.text)
            case .message(let m):
                if let m = keep(m, for: me, gl), let r = handle(m) { return r }
            }
        }
    }

    /// Buffers rex's `{'$gen_call', {From, Tag}, {call, M, F, A, GL | user}}` (written at the next flush).
    func enqueueRexRequest(
        from: Pid, tag: Reference, module: Atom, function: Atom, arguments: [Term], groupLeader: Pid?
    ) throws(DistributionError) {
        if let codec,
            try connection.enqueueFrame({
                codec.appendRexRequest(
                    from: from, tag: tag, module: module, function: function, arguments: arguments,
                    groupLeader: groupLeader, into: &$0)
            })
        {
            return
        }
        let request: Term = .tuple([
            .atom("$gen_call"), .tuple([.pid(from), .reference(tag)]),
            .tuple([
                .atom("call"), .atom(module), .atom(function), .list(arguments),
                groupLeader.map { .pid($0) } ?? .atom("user"),
            ]),
        ])
        try connection.enqueue(.regSend(from: from, to: "rex", message: request))
    }

    /// Buffers the SPAWN_REQUEST of `erpc:execute_call(ResultRef, M, F, A)` with a monitor (written at the next flush).
    func enqueueErpcRequest(
        requestID: Reference, from: Pid, groupLeader: Pid, resultRef: Reference, module: Atom, function: Atom,
        arguments: [Term]
    ) throws(DistributionError) {
        if let codec,
            try connection.enqueueFrame({
                codec.appendErpcRequest(
                    requestID: requestID, from: from, groupLeader: groupLeader, resultRef: resultRef, module: module,
                    function: function, arguments: arguments, into: &$0)
            })
        {
            return
        }
        try connection.enqueue(
            .spawnRequest(
                requestID: requestID, from: from, groupLeader: groupLeader, module: "erpc", function: "execute_call",
                arity: 4, options: .list([.atom("monitor")]),
                arguments: .list([.reference(resultRef), .atom(module), .atom(function), .list(arguments)])))
    }

    /// A call through erpc (see ``LocalNode/erpcCall(node:module:function:arguments:options:)``): SPAWN_REQUEST of
    /// `erpc:execute_call/4` with a monitor; the result is the process's exit reason.
    public func erpcCall(module: Atom, function: Atom, arguments: [Term], options: CallOptions = .init())
        throws(DistributionError) -> CallResponse
    {
        let node = peerName
        let me = makePid()
        let gl = makePid()
        var output = Output(onOutput: options.onOutput)
        let reqID = makeReference()
        let resRef = makeReference()
        var remotePid: Pid?
        var finished = false
        defer {
            if !finished, let pid = remotePid {
                try? connection.send(.exit2(from: me, to: pid, reason: .atom("kill")))
            }
        }
        do {
            try enqueueErpcRequest(
                requestID: reqID, from: me, groupLeader: gl, resultRef: resRef, module: module, function: function,
                arguments: arguments)
            try connection.flush()
        } catch {
            return CallResponse(result: .nodedown(node: node), output: output.text)
        }
        func handle(_ message: ControlMessage) throws(DistributionError) -> CallResponse? {
            switch message {
            case .spawnReply(let id, _, _, let result) where id == reqID:
                if case .pid(let p) = result {
                    remotePid = p
                } else {
                    finished = true
                    throw DistributionError(.rpcFailed, stage: .rpc, node: node, "the peer refused to spawn erpc: \(result)")
                }
            case .monitorExit(_, _, let ref, let reason) where ref == reqID:
                finished = true
                return CallResponse(result: LocalNode.mapErpcReason(reason, resRef: resRef, node: node), output: output.text)
            case .send(_, let to, let m) where to == gl:
                serveIO(m, output: &output, discard: !options.captureOutput)
            default:
                break
            }
            return nil
        }
        let deadline = options.timeout.map { ContinuousClock.now + $0 }
        let codec = self.codec
        while true {
            // Messages for us that arrived during a nested call come first.
            if let m = takePending(for: me, gl) {
                if let r = try handle(m) { return r }
                continue
            }
            // SPAWN_REPLY and a returning call's DOWN are read in place (CallCodec); anything else is decoded.
            var value: Term?
            let received: BlockingConnection.Received
            do {
                received = try connection.receive(deadline: deadline) { payload in
                    guard let codec, let reply = codec.erpcReply(payload) else { return false }
                    switch reply {
                    case .spawnReply(let to, let request, let offset):
                        guard to.id == me.id, to.serial == me.serial, CallCodec.matches(request, reqID),
                            case .pid(let p)? = CallCodec.term(at: offset, in: payload)
                        else { return false }
                        remotePid = p
                    case .returned(let to, let monitor, let resultRef, let offset):
                        guard to.id == me.id, to.serial == me.serial, CallCodec.matches(monitor, reqID),
                            CallCodec.matches(resultRef, resRef), let v = CallCodec.term(at: offset, in: payload)
                        else { return false }
                        value = v
                    }
                    return true
                }
            } catch {
                finished = true
                return CallResponse(result: .nodedown(node: node), output: output.text)
            }
            switch received {
            case .intercepted:
                if let value {
                    finished = true
                    return CallResponse(result: .value(value), output: output.text)
                }
            case .timedOut:
                return CallResponse(result: .timeout, output: output.text)
            case .message(let m):
                if let m = keep(m, for: me, gl), let r = try handle(m) { return r }
            }
        }
    }

    /// A message that arrived during another call for `me` or `gl`, taken out of ``pending``.
    private func takePending(for me: Pid, _ gl: Pid?) -> ControlMessage? {
        guard !pending.isEmpty,
            let i = pending.firstIndex(where: { m in Self.recipient(m).map { $0 == me || $0 == gl } ?? false })
        else { return nil }
        return pending.remove(at: i)
    }

    /// `m` when it is for `me` or `gl`; a message for another of our processes is set aside in ``pending`` (nil),
    /// one for nobody dropped (nil).
    private func keep(_ m: ControlMessage, for me: Pid, _ gl: Pid?) -> ControlMessage? {
        guard let to = Self.recipient(m) else { return nil }
        if to == me || to == gl { return m }
        pending.append(m)
        return nil
    }

    static func recipient(_ m: ControlMessage) -> Pid? {
        switch m {
        case .send(_, let to, _), .spawnReply(_, let to, _, _), .monitorExit(_, let to, _, _), .exit(_, let to, _),
            .exit2(_, let to, _), .link(_, let to), .unlink(_, let to), .unlinkID(_, _, let to),
            .unlinkIDAck(_, _, let to):
            return to
        default:
            return nil
        }
    }

    /// Our group leader: one `{io_request, From, ReplyAs, Request}` served with ``IOServer``'s rules (a
    /// `put_chars` with M, F, A runs as a nested rex call, as on ``LocalNode``).
    func serveIO(_ message: Term, output: inout Output, discard: Bool) {
        guard case .tuple(let t) = message, t.count == 4, t[0] == .atom("io_request"), case .pid(let from) = t[1] else {
            return
        }
        let reply = handleIO(t[3], output: &output, discard: discard)
        try? connection.send(.send(from: nil, to: from, message: .tuple([.atom("io_reply"), t[2], reply])))
    }

    private func handleIO(_ request: Term, output: inout Output, discard: Bool) -> Term {
        switch IOServer.plan(request) {
        case .reply(let reply):
            return reply
        case .write(let text):
            if !discard { output.append(text) }
            return .ok
        case .evaluate(let m, let f, let a):
            let r = rexCall(module: m, function: f, arguments: a,
                            options: CallOptions(method: .rex, timeout: .seconds(30), captureOutput: false))
            let value: Term? = if case .value(let v) = r.result { v } else { nil }
            let (text, reply) = IOServer.evaluated(value, function: f)
            if let text, !discard { output.append(text) }
            return reply
        case .requests(let requests):
            var last: Term = .ok
            for r in requests {
                last = handleIO(r, output: &output, discard: discard)
                if IOServer.isError(last) { break }
            }
            return last
        }
    }

    /// Captured output, streamed to `onOutput` as it arrives.
    struct Output {
        var text = ""
        let onOutput: (@Sendable (String) -> Void)?
        mutating func append(_ s: String) {
            text += s
            onOutput?(s)
        }
    }
}
