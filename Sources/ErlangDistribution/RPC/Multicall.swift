import ErlangTerm
import NIOCore

extension LocalNode {
    /// Calls the same function on many nodes at once and returns each node's outcome: its ``CallResponse`` (a value,
    /// an exception, `nodedown` or `timeout`, with the output its group leader captured), or the error that kept the
    /// call from being made (a connection that failed, a peer that refused to spawn erpc, cancellation).
    ///
    /// Like `erpc:multicall/5`, one process makes every request before it waits for any reply, and collects the
    /// replies in one loop: no task, caller process, node watch or receive timer per node. It runs on the event loop
    /// of the connections (the first one's, when they are on several), so a request is written as it is made and a
    /// reply resumes the loop at once, without a thread hop per node. The argument list is encoded once for every erpc
    /// node. Each node still has its own group leader pid (output is captured per node), all behind one mailbox and one
    /// I/O server task, which starts only if output arrives. Nodes not connected yet are connected concurrently and called one by one, as
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
            return await withTaskExecutorPreference(taskExecutor(for: loop)) {
                await self.collectMulticall(nodes, module: module, function: function, arguments: arguments,
                                            options: options)
            }
        }
        return await collectMulticall(nodes, module: module, function: function, arguments: arguments, options: options)
    }

    /// Sends every request, then collects every reply: one ``RemoteCallMachine`` for every node, as
    /// `erpc:multicall/5` (OTP `lib/kernel/src/erpc.erl`, `mcall_receive_replies/5`) collects in one process.
    private func collectMulticall(
        _ nodes: [String], module: Atom, function: Atom, arguments: [Term], options: CallOptions
    ) async -> [String: Result<CallResponse, DistributionError>] {
        let (me, mailbox) = spawnProcess()
        // Watch first, then look the connections up again: a connection that goes down after this either is missing
        // below (its request fails as nodedown) or sends us {nodedown, Node}.
        watchNodes(nodes, by: me)
        let peers = self.peers(named: nodes)
        let references = makeReferences(nodes.count + 1)
        let resultRef = references[nodes.count]
        let methods = peers.map { RemoteCall.Method(options.method, negotiated: $0?.handshake.negotiatedFlags) }
        let outputs = nodes.map { _ in OutputCollector(onOutput: options.onOutput) }
        // A group leader per node (output is captured per node), behind one mailbox and one task that starts only if
        // output arrives. No node whose connection is already gone needs one: its request is not sent.
        let needs = nodes.indices.map { i in
            peers[i] == nil ? .none : RemoteCall.GroupLeaderNeed(methods[i], captureOutput: options.captureOutput)
        }
        let groupLeaders = needs.contains { $0 != .none }
            ? startGroupLeaders(nodes: nodes, outputs: outputs, discard: !options.captureOutput) : nil
        // Successful spawn replies go to these sinks without waking us (as erpc's `{reply, error_only}`), registered
        // before any request leaves.
        let erpcRequests = nodes.indices.compactMap { methods[$0] == .erpc ? references[$0] : nil }
        let sinks = erpcRequests.isEmpty ? [] : Array(zip(erpcRequests, addSpawnSinks(erpcRequests)))

        // Every request, one after another; the erpc argument list is encoded once. The context is the node's index.
        var calls = RemoteCallMachine<Int>()
        let now = monotonicNanoseconds()
        var encodedArguments: [UInt8]?
        for (i, n) in nodes.enumerated() {
            let request: RemoteCall.Request
            let gl = needs[i] != .none ? groupLeaders?.pids[i] : nil
            switch methods[i] {
            case .erpc:
                request = .erpc(requestID: references[i], from: me, groupLeader: gl ?? me, resultRef: resultRef,
                                module: module, function: function, arguments: arguments)
            case .rex:
                request = .rex(from: me, tag: references[i], module: module, function: function, arguments: arguments,
                               groupLeader: gl)
            }
            let id = calls.start(request, node: n, capturesOutput: options.captureOutput, timeout: options.timeout,
                                 now: now, context: i)
            guard let peer = peers[i] else {
                calls.requestNotSent(id)
                continue
            }
            do throws(DistributionError) {
                if request.method == .erpc {
                    if encodedArguments == nil {
                        encodedArguments = try ControlMessage.encodeMessage(request.erpcArgumentList)
                    }
                    peer.send(frame: try request.erpcFrame(encodedArguments: encodedArguments!))
                } else {
                    try peer.send(request.controlMessage)
                }
            } catch {
                calls.requestNotSent(id)
            }
        }

        // Every reply, in one loop, until all are in or the deadline passes.
        var outcomes = [RemoteCall.Outcome?](repeating: nil, count: nodes.count)
        await drive(&calls, mailbox: mailbox, spawnSinks: sinks) { _, outcome, i in outcomes[i] = outcome }

        if !erpcRequests.isEmpty { removeSpawnSinks(erpcRequests) }
        if let groupLeaders {
            exitProcesses([me] + groupLeaders.pids)
            groupLeaders.task.cancel()
        } else {
            exitProcess(me)
        }

        var out: [String: Result<CallResponse, DistributionError>] = [:]
        out.reserveCapacity(nodes.count)
        for (i, n) in nodes.enumerated() {
            switch outcomes[i] {
            case .response(let r)?:
                out[n] = .success(CallResponse(result: r, output: outputs[i].text))
            case .failure(let error)?: out[n] = .failure(error)
            case nil: preconditionFailure("multicall of \(n) unfinished after the loop")
            }
        }
        return out
    }
}
