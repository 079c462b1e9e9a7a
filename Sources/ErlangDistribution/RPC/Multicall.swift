import ErlangTerm

/// One multicall's bookkeeping, with no I/O: the request each node was sent, which reply answers which, and each
/// node's outcome.
///
/// Every reply comes to one process, as in `erpc:multicall/5` (OTP `lib/kernel/src/erpc.erl`,
/// `mcall_receive_replies/5`): an erpc DOWN or spawn error is matched by its request reference, a rex reply by its call
/// reference, a `{nodedown, Node}` by the node. The outcomes are the ones ``LocalNode/erpcCall(node:module:function:arguments:options:)``
/// and ``LocalNode/rexCall(node:module:function:arguments:options:)`` give for one node.
struct MulticallState {
    /// How a node was asked.
    enum Request: Hashable, Sendable {
        /// SPAWN_REQUEST of `erpc:execute_call(ResultRef, M, F, A)` with a monitor: the outcome is the DOWN's reason
        /// (or a spawn error).
        case erpc(requestID: Reference)
        /// `{'$gen_call', {Pid, Ref}, {call, M, F, A, GL}}` to rex: the outcome is `{Ref, Result}`.
        case rex(ref: Reference)
    }

    /// How a node's call ended.
    enum Outcome: Hashable, Sendable {
        case response(CallResult)
        case failure(DistributionError)
    }

    struct Entry: Hashable, Sendable {
        var node: String
        var request: Request
        /// The erpc process, from a spawn reply that reached the mailbox (the caller's spawn sinks get the others).
        var remotePid: Pid?
        var outcome: Outcome?
        /// Whether the outcome came from the peer (a reply, a spawn error, nodedown); a timed-out or cancelled erpc
        /// call's process is still running there and should be killed.
        var answered = false
    }

    /// The `ResultRef` of every erpc request (`erpc:execute_call/4` exits with `{ResultRef, return, Value}`…).
    let resultRef: Reference
    private(set) var entries: [Entry] = []
    /// Entries not finished yet.
    private(set) var unfinished = 0
    private var byReference: [Reference: Int] = [:]
    private var byNode: [String: [Int]] = [:]

    init(resultRef: Reference) { self.resultRef = resultRef }

    /// Whether every entry has an outcome.
    var isFinished: Bool { unfinished == 0 }

    /// Adds a node's request; returns its index.
    @discardableResult
    mutating func add(node: String, request: Request) -> Int {
        let i = entries.count
        entries.append(Entry(node: node, request: request))
        switch request {
        case .erpc(let r), .rex(let r): byReference[r] = i
        }
        byNode[node, default: []].append(i)
        unfinished += 1
        return i
    }

    /// A message to the collecting process. Returns the entries it finished (none if it answers nothing pending).
    mutating func received(_ message: Term) -> [Int] {
        guard case .tuple(let t) = message else { return [] }
        switch t.count {
        case 5 where t[0] == .atom("DOWN"):
            // {'DOWN', RequestID, process, Pid, Reason}
            guard case .reference(let r) = t[1], let i = pending(r), case .erpc = entries[i].request else { return [] }
            return finish(i, .response(LocalNode.mapErpcReason(t[4], resRef: resultRef, node: entries[i].node)))
        case 4 where t[0] == .atom("spawn_reply"):
            // {spawn_reply, RequestID, ok | error, Pid | Reason}
            guard case .reference(let r) = t[1], let i = pending(r), case .erpc = entries[i].request else { return [] }
            if case .pid(let p) = t[3] {
                entries[i].remotePid = p
                return []
            }
            return finish(i, .failure(DistributionError(
                .rpcFailed, stage: .rpc, node: entries[i].node, "the peer refused to spawn erpc: \(t[3])")))
        case 2 where t[0] == .atom("nodedown"):
            guard case .atom(let node) = t[1] else { return [] }
            var done: [Int] = []
            for i in byNode[node.name] ?? [] where entries[i].outcome == nil {
                done += finish(i, .response(.nodedown(node: node.name)))
            }
            return done
        case 2:
            // A rex reply: {Ref, Result}.
            guard case .reference(let r) = t[0], let i = pending(r), case .rex = entries[i].request else { return [] }
            return finish(i, .response(LocalNode.mapRexResult(t[1])))
        default:
            return []
        }
    }

    /// The request could not be sent: the connection is gone.
    mutating func sendFailed(_ i: Int) -> [Int] {
        guard entries[i].outcome == nil else { return [] }
        return finish(i, .response(.nodedown(node: entries[i].node)))
    }

    /// The deadline passed: every unfinished entry times out.
    mutating func timedOut() -> [Int] {
        endUnfinished(.response(.timeout))
    }

    /// The caller was cancelled (or the collecting process closed): every unfinished entry fails.
    mutating func cancelled() -> [Int] {
        var done: [Int] = []
        for i in entries.indices where entries[i].outcome == nil {
            done += finish(i, .failure(DistributionError(
                .closedLocally, stage: .rpc, node: entries[i].node, "the call was cancelled")), answered: false)
        }
        return done
    }

    private mutating func endUnfinished(_ outcome: Outcome) -> [Int] {
        var done: [Int] = []
        for i in entries.indices where entries[i].outcome == nil { done += finish(i, outcome, answered: false) }
        return done
    }

    private func pending(_ r: Reference) -> Int? {
        guard let i = byReference[r], entries[i].outcome == nil else { return nil }
        return i
    }

    private mutating func finish(_ i: Int, _ outcome: Outcome, answered: Bool = true) -> [Int] {
        entries[i].outcome = outcome
        entries[i].answered = answered
        unfinished -= 1
        return [i]
    }
}

extension LocalNode {
    /// Calls the same function on many nodes at once and returns each node's outcome: its ``CallResponse`` (a value,
    /// an exception, `nodedown` or `timeout`, with the output its group leader captured), or the error that kept the
    /// call from being made (a connection that failed, a peer that refused to spawn erpc, cancellation).
    ///
    /// Like `erpc:multicall/5`, one process makes every request before it waits for any reply, and collects the
    /// replies in one loop: no task, caller process, node watch or receive timer per node. It runs on the event loop
    /// of the connections (the first one's, when they are on several), so a request is written as it is made and a
    /// reply resumes the loop at once, without a thread hop per node. The argument list is encoded once for every erpc
    /// node. Each node still has its own group leader (output is captured per node; its I/O server task starts only if
    /// output arrives). Nodes not connected yet are connected concurrently and called one by one, as
    /// ``call(node:module:function:arguments:options:)`` does, while the connected ones run.
    public func multicall(nodes: [String], module: Atom, function: Atom, arguments: [Term], options: CallOptions = .init())
        async -> [String: Result<CallResponse, DistributionError>]
    {
        var seen = Set<String>()
        let unique = nodes.filter { seen.insert($0).inserted }
        let known = peers(named: unique)
        let connected = zip(unique, known).compactMap { n, p in p == nil ? nil : n }
        let unconnected = zip(unique, known).compactMap { n, p in p == nil ? n : nil }
        if unconnected.isEmpty {
            return await multicallConnected(connected, module: module, function: function, arguments: arguments,
                                            options: options)
        }
        return await withTaskGroup(of: [String: Result<CallResponse, DistributionError>].self) { group in
            if !connected.isEmpty {
                group.addTask {
                    await self.multicallConnected(connected, module: module, function: function, arguments: arguments,
                                                  options: options)
                }
            }
            for n in unconnected {
                group.addTask {
                    do throws(DistributionError) {
                        return [n: .success(try await self.call(node: n, module: module, function: function,
                                                                arguments: arguments, options: options))]
                    } catch {
                        return [n: .failure(error)]
                    }
                }
            }
            var out: [String: Result<CallResponse, DistributionError>] = [:]
            out.reserveCapacity(unique.count)
            for await part in group { out.merge(part) { $1 } }
            return out
        }
    }

    /// The multicall over nodes that were connected when it started, on their event loop.
    private func multicallConnected(
        _ nodes: [String], module: Atom, function: Atom, arguments: [Term], options: CallOptions
    ) async -> [String: Result<CallResponse, DistributionError>] {
        guard let loop = peers(named: nodes).lazy.compactMap({ $0 }).first?.channel.eventLoop else {
            // Every connection went down since the caller looked.
            return Dictionary(uniqueKeysWithValues: nodes.map {
                ($0, .success(CallResponse(result: .nodedown(node: $0), output: "")))
            })
        }
        if #available(macOS 15.0, iOS 18.0, watchOS 11.0, tvOS 18.0, *) {
            return await withTaskExecutorPreference(EventLoopTaskExecutor(loop)) {
                await self.collectMulticall(nodes, module: module, function: function, arguments: arguments,
                                            options: options)
            }
        }
        return await collectMulticall(nodes, module: module, function: function, arguments: arguments, options: options)
    }

    /// Sends every request, then collects every reply (see ``MulticallState``).
    private func collectMulticall(
        _ nodes: [String], module: Atom, function: Atom, arguments: [Term], options: CallOptions
    ) async -> [String: Result<CallResponse, DistributionError>] {
        let (me, mailbox) = spawnProcess()
        // Watch first, then look the connections up again: a connection that goes down after this either is missing
        // below (its request fails as nodedown) or sends us {nodedown, Node}.
        watchNodes(nodes, by: me)
        let peers = self.peers(named: nodes)
        let references = makeReferences(nodes.count + 1)
        var state = MulticallState(resultRef: references[nodes.count])
        let outputs = nodes.map { _ in OutputCollector(onOutput: options.onOutput) }
        var groupLeaders: [GroupLeader] = []
        groupLeaders.reserveCapacity(nodes.count)
        var erpcRequests: [Reference] = []
        var useErpc: [Bool] = []
        useErpc.reserveCapacity(nodes.count)
        for (i, n) in nodes.enumerated() {
            let erpc: Bool
            switch options.method {
            case .rex: erpc = false
            case .erpc: erpc = true
            case .automatic:
                erpc = peers[i]?.handshake.negotiatedFlags.isSuperset(of: [.spawn, .distMonitor]) ?? true
            }
            useErpc.append(erpc)
            if erpc {
                state.add(node: n, request: .erpc(requestID: references[i]))
                erpcRequests.append(references[i])
            } else {
                state.add(node: n, request: .rex(ref: references[i]))
            }
        }
        // Successful spawn replies go to these sinks without waking us (as erpc's `{reply, error_only}`), registered
        // before any request leaves.
        var sinks = [SpawnSink?](repeating: nil, count: nodes.count)
        if !erpcRequests.isEmpty {
            var registered = addSpawnSinks(erpcRequests).makeIterator()
            for i in nodes.indices where useErpc[i] { sinks[i] = registered.next() }
        }

        // Every request, one after another; the erpc argument list is encoded once.
        var encodedArguments: [UInt8]?
        for (i, n) in nodes.enumerated() {
            guard let peer = peers[i] else {
                _ = state.sendFailed(i)
                continue
            }
            if useErpc[i] {
                let gl = startGroupLeader(node: n, output: outputs[i], discard: !options.captureOutput)
                groupLeaders.append(gl)
                do throws(DistributionError) {
                    if encodedArguments == nil {
                        encodedArguments = try ControlMessage.encodeMessage(
                            .list([.reference(state.resultRef), .atom(module), .atom(function), .list(arguments)]))
                    }
                    let control = ControlMessage.spawnRequest(
                        requestID: references[i], from: me, groupLeader: gl.pid, module: "erpc",
                        function: "execute_call", arity: 4, options: .list([.atom("monitor")]), arguments: .list([])
                    ).terms.control
                    peer.send(frame: try ControlMessage.encodeFrame(control: control, encodedMessage: encodedArguments!))
                } catch {
                    _ = state.sendFailed(i)
                }
            } else {
                let gl = options.captureOutput ? startGroupLeader(node: n, output: outputs[i]) : nil
                if let gl { groupLeaders.append(gl) }
                let request: Term = .tuple([
                    .atom("$gen_call"), .tuple([.pid(me), .reference(references[i])]),
                    .tuple([.atom("call"), .atom(module), .atom(function), .list(arguments),
                            gl.map { .pid($0.pid) } ?? .atom("user")]),
                ])
                do {
                    try peer.send(.regSend(from: me, to: "rex", message: request))
                } catch {
                    _ = state.sendFailed(i)
                }
            }
        }

        // Every reply, in one loop, until all are in or the deadline passes.
        let deadline = options.timeout.map { ContinuousClock.now + $0 }
        collect: while !state.isFinished {
            let remaining = deadline.map { $0 - ContinuousClock.now }
            if let remaining, remaining <= .zero {
                _ = state.timedOut()
                break
            }
            switch await mailbox.receive(timeout: remaining) {
            case .message(let m):
                _ = state.received(m)
            case .timeout:
                _ = state.timedOut()
                break collect
            case .closed, .cancelled:
                _ = state.cancelled()
                break collect
            }
        }

        // An erpc process that did not answer (timeout, cancellation) is killed, as erpcCall does.
        for (i, e) in state.entries.enumerated() where !e.answered && useErpc[i] {
            if let pid = e.remotePid ?? sinks[i]?.pid {
                try? sendControl(.exit2(from: me, to: pid, reason: .atom("kill")), to: e.node)
            }
        }
        if !erpcRequests.isEmpty { removeSpawnSinks(erpcRequests) }
        exitProcess(me)
        for gl in groupLeaders {
            exitProcess(gl.pid)
            gl.task.cancel()
        }

        var out: [String: Result<CallResponse, DistributionError>] = [:]
        out.reserveCapacity(nodes.count)
        for (i, e) in state.entries.enumerated() {
            switch e.outcome {
            case .response(let r)?: out[e.node] = .success(CallResponse(result: r, output: outputs[i].text))
            case .failure(let error)?: out[e.node] = .failure(error)
            case nil: preconditionFailure("multicall entry \(i) unfinished after the loop")
            }
        }
        return out
    }
}
