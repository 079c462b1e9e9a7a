import ErlangDistribution
import ErlangTerm
import ErlangTestSupport
import Foundation
import XCTest

/// ``BlockingNode``'s pipelined calls (``BlockingNode/startCall(module:function:arguments:options:)``,
/// ``BlockingNode/nextCompletion(deadline:)``, ``BlockingNode/pipelinedCalls(_:window:options:)``) against real `erl`
/// nodes: replies matched to their calls in any order, per-call outcomes when the peer dies, timeouts, output.
final class BlockingPipelineTests: XCTestCase {
    let cookie = "pipecookie"

    func connect(_ erl: TestNode) throws -> BlockingNode {
        try BlockingNode.connect(
            to: erl.name,
            configuration: .init(name: .short("bcp\(UInt32.random(in: 0...UInt32.max))@\(TestNode.shortHost)"), cookie: cookie))
    }

    static let methods: [CallOptions.Method] = [.rex, .erpc]

    func testPipelinedCallsReturnInRequestOrder() throws {
        let erl = try TestNode(kind: .erl, cookie: cookie)
        defer { erl.stop() }
        let node = try connect(erl)
        defer { node.close() }
        for method in Self.methods {
            let requests = (1...300).map { CallRequest(module: "erlang", function: "abs", arguments: [.integer(-$0)]) }
            let outcomes = node.pipelinedCalls(requests, window: 32, options: CallOptions(method: method))
            XCTAssertEqual(outcomes.count, 300)
            for (i, outcome) in outcomes.enumerated() {
                XCTAssertEqual(try outcome.get().result, .value(.integer(i + 1)), "\(method) #\(i)")
            }
            XCTAssertEqual(node.callsInFlight, 0)
        }
        // Every kind of outcome, in one pipeline.
        let mixed = node.pipelinedCalls(
            [
                CallRequest(module: "erlang", function: "error", arguments: ["boom"]),
                CallRequest(module: "lists", function: "reverse", arguments: [[1, 2, 3]]),
                CallRequest(module: "erlang", function: "throw", arguments: ["ball"]),
                CallRequest(module: "no_such_module", function: "f"),
            ], options: CallOptions(method: .erpc))
        guard case .exception(.error, "boom", _) = try mixed[0].get().result else { return XCTFail("\(mixed[0])") }
        XCTAssertEqual(try mixed[1].get().result, .value([3, 2, 1]))
        XCTAssertEqual(try mixed[2].get().result, .exception(.throw, reason: "ball", stacktrace: []))
        guard case .exception(.error, .atom("undef"), _) = try mixed[3].get().result else { return XCTFail("\(mixed[3])") }
        // The same node still makes sequential calls.
        XCTAssertEqual(try node.call(module: "erlang", function: "node", arguments: []).result, .value(.atom(Atom(erl.name))))
    }

    /// Requests and replies far larger than a read (64 KiB) and than the sockets' buffers together: frames split
    /// across reads, replies read while requests are still being written.
    func testLargeRequestsAndRepliesInAPipeline() throws {
        let erl = try TestNode(kind: .erl, cookie: cookie)
        defer { erl.stop() }
        let node = try connect(erl)
        defer { node.close() }
        let blobs = (0..<40).map { i in [UInt8]((0..<300_000).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ i) }) }
        for method in Self.methods {
            let outcomes = node.pipelinedCalls(
                blobs.map { CallRequest(module: "erlang", function: "iolist_to_binary", arguments: [[.binary($0)]]) },
                window: 16, options: CallOptions(method: method))
            for (i, o) in outcomes.enumerated() {
                XCTAssertEqual(try o.get().result, .value(.binary(blobs[i])), "\(method) #\(i)")
            }
        }
    }

    /// A slow call started first finishes last: completions come in the order the replies arrive, each matched to
    /// its own call, and ``BlockingNode/pipelinedCalls(_:window:options:)`` still returns them in request order.
    func testRepliesOutOfOrderAreMatchedToTheirCalls() throws {
        let erl = try TestNode(kind: .erl, cookie: cookie)
        defer { erl.stop() }
        let node = try connect(erl)
        defer { node.close() }
        for method in Self.methods {
            let options = CallOptions(method: method)
            let slow = try node.startCall(module: "timer", function: "sleep", arguments: [1500], options: options)
            let fast = try (1...5).map {
                try node.startCall(module: "erlang", function: "abs", arguments: [.integer(-$0)], options: options)
            }
            XCTAssertEqual(node.callsInFlight, 6)
            var order: [BlockingNode.CallTicket] = []
            var values: [BlockingNode.CallTicket: CallResult] = [:]
            while let (ticket, outcome) = node.nextCompletion() {
                order.append(ticket)
                values[ticket] = try outcome.get().result
            }
            XCTAssertEqual(order.last, slow, "\(method): the slow call finishes last")
            XCTAssertEqual(Set(order), Set(fast + [slow]))
            XCTAssertEqual(values[slow], .value(.atom("ok")))
            for (i, t) in fast.enumerated() { XCTAssertEqual(values[t], .value(.integer(i + 1)), "\(method)") }

            let outcomes = node.pipelinedCalls(
                [CallRequest(module: "timer", function: "sleep", arguments: [1000])]
                    + (1...3).map { CallRequest(module: "erlang", function: "abs", arguments: [.integer(-$0)]) },
                options: options)
            XCTAssertEqual(try outcomes.map { try $0.get().result }, [.value("ok"), .value(1), .value(2), .value(3)])
        }
    }

    /// The node halts in the middle of a pipeline: every call in flight and every call not started yet ends with
    /// nodedown, and nothing hangs. (The window is the ten sleeps and the halt, so no later call is started before
    /// the connection is gone.)
    func testPeerHaltingMidPipelineEndsEveryCallWithNodedown() throws {
        let erl = try TestNode(kind: .erl, cookie: cookie)
        defer { erl.stop() }
        let node = try connect(erl)
        defer { node.close() }
        let requests =
            (0..<10).map { _ in CallRequest(module: "timer", function: "sleep", arguments: [10_000]) }
            + [CallRequest(module: "erlang", function: "halt")]
            + (0..<40).map { _ in CallRequest(module: "erlang", function: "node") }
        let outcomes = node.pipelinedCalls(requests, window: 11, options: CallOptions(method: .rex))
        XCTAssertEqual(outcomes.count, requests.count)
        for (i, outcome) in outcomes.enumerated() {
            XCTAssertEqual(try outcome.get().result, .nodedown(node: erl.name), "#\(i)")
        }
        XCTAssertTrue(node.connection.isClosed)
        XCTAssertEqual(node.callsInFlight, 0)
    }

    /// The node's process is killed while calls are in flight: each of them ends with nodedown; a call started
    /// afterwards does too; then there is nothing left to wait for.
    func testPeerKilledWithCallsInFlight() throws {
        for method in Self.methods {
            let erl = try TestNode(kind: .erl, cookie: cookie)
            defer { erl.stop() }
            let node = try connect(erl)
            defer { node.close() }
            let options = CallOptions(method: method, timeout: nil)
            let tickets = try (0..<12).map { _ in
                try node.startCall(module: "timer", function: "sleep", arguments: [60_000], options: options)
            }
            try node.connection.flush()
            // The calls are running on the node before it dies.
            XCTAssertEqual(try node.call(module: "erlang", function: "node", arguments: []).result, .value(.atom(Atom(erl.name))))
            XCTAssertEqual(kill(erl.pid, SIGKILL), 0)
            var ended: [BlockingNode.CallTicket] = []
            while ended.count < tickets.count, let (ticket, outcome) = node.nextCompletion() {
                XCTAssertEqual(try outcome.get().result, .nodedown(node: erl.name), "\(method) \(ticket)")
                ended.append(ticket)
            }
            XCTAssertEqual(ended, tickets, "\(method): in the order they were started")
            let late = try node.startCall(module: "erlang", function: "node", arguments: [], options: options)
            let (ticket, outcome) = try XCTUnwrap(node.nextCompletion())
            XCTAssertEqual(ticket, late)
            XCTAssertEqual(try outcome.get().result, .nodedown(node: erl.name))
            XCTAssertNil(node.nextCompletion(), "no call in flight")
        }
    }

    /// A peer that breaks the protocol, or goes silent, with calls in flight that have no timeout of their own: each
    /// call ends with nodedown (after a bad frame at once; after a silence at the tick timeout), never a hang.
    func testHostilePeerWithCallsInFlight() throws {
        for scenario: FakePeer.Scenario in [.garbageFrames, .hugeFrameLength, .unknownControlOperation, .silentAfterHandshake] {
            let peer = try FakePeer(scenario: scenario, cookie: cookie)
            defer { peer.stop() }
            let node = try BlockingNode.connect(
                to: peer.name,
                configuration: .init(
                    name: .short("bcp\(UInt32.random(in: 0...UInt32.max))@\(TestNode.shortHost)"), cookie: cookie,
                    tickTime: .seconds(2)),
                port: peer.port)
            defer { node.close() }
            let options = CallOptions(method: .rex, timeout: nil)
            let tickets = try (0..<5).map { _ in
                try node.startCall(module: "erlang", function: "node", arguments: [], options: options)
            }
            var ended: [BlockingNode.CallTicket] = []
            while let (ticket, outcome) = node.nextCompletion() {
                XCTAssertEqual(try outcome.get().result, .nodedown(node: peer.name), "\(scenario)")
                ended.append(ticket)
            }
            XCTAssertEqual(ended, tickets, "\(scenario)")
            XCTAssertTrue(node.connection.isClosed, "\(scenario)")
        }
    }

    /// One call times out in a pipeline; the others finish; its late reply is dropped and the connection goes on.
    func testTimeoutInAPipelineThenTheConnectionStillWorks() throws {
        let erl = try TestNode(kind: .erl, cookie: cookie)
        defer { erl.stop() }
        let node = try connect(erl)
        defer { node.close() }
        for method in Self.methods {
            let slow = try node.startCall(
                module: "timer", function: "sleep", arguments: [800],
                options: CallOptions(method: method, timeout: .milliseconds(100)))
            let fast = try node.startCall(
                module: "erlang", function: "abs", arguments: [-4], options: CallOptions(method: method))
            var results: [BlockingNode.CallTicket: CallResult] = [:]
            while let (t, o) = node.nextCompletion() { results[t] = try o.get().result }
            XCTAssertEqual(results, [slow: .timeout, fast: .value(4)], "\(method)")
            // Past the late reply (a sequential call sets it aside), then a pipeline sees only its own replies.
            XCTAssertEqual(
                node.rexCall(module: "timer", function: "sleep", arguments: [1000]).result, .value(.atom("ok")))
            let outcomes = node.pipelinedCalls(
                (1...20).map { CallRequest(module: "erlang", function: "abs", arguments: [.integer(-$0)]) },
                options: CallOptions(method: method))
            XCTAssertEqual(try outcomes.map { try $0.get().result }, (1...20).map { .value(.integer($0)) })
        }
        // A deadline on the wait itself: nil when nothing finished in time, the call still in flight.
        let t = try node.startCall(module: "timer", function: "sleep", arguments: [500])
        XCTAssertNil(node.nextCompletion(deadline: .now + .milliseconds(50)))
        XCTAssertEqual(node.callsInFlight, 1)
        let (ticket, outcome) = try XCTUnwrap(node.nextCompletion())
        XCTAssertEqual(ticket, t)
        XCTAssertEqual(try outcome.get().result, .value("ok"))
    }

    /// Each pipelined call that captures output has its own group leader: its response holds its own output only.
    func testOutputIsCapturedPerCall() throws {
        let erl = try TestNode(kind: .erl, cookie: cookie)
        defer { erl.stop() }
        let node = try connect(erl)
        defer { node.close() }
        for method in Self.methods {
            let requests = (0..<6).map {
                CallRequest(module: "io", function: "put_chars", arguments: [.string("out\($0) ")])
            }
            let outcomes = node.pipelinedCalls(requests, options: CallOptions(method: method))
            for (i, o) in outcomes.enumerated() {
                let r = try o.get()
                XCTAssertEqual(r.result, .value("ok"))
                XCTAssertEqual(r.output, "out\(i) ", "\(method)")
            }
            let silent = node.pipelinedCalls(requests, options: CallOptions(method: method, captureOutput: false))
            for o in silent { XCTAssertEqual(try o.get().output, "", "\(method)") }
        }
    }

    /// A sequential call in the middle of a pipeline: each gets its own replies.
    func testSequentialCallWhilePipelinedCallsAreInFlight() throws {
        let erl = try TestNode(kind: .erl, cookie: cookie)
        defer { erl.stop() }
        let node = try connect(erl)
        defer { node.close() }
        let tickets = try (1...8).map {
            try node.startCall(module: "erlang", function: "abs", arguments: [.integer(-$0)])
        }
        try node.connection.flush()
        XCTAssertEqual(node.rexCall(module: "timer", function: "sleep", arguments: [200]).result, .value("ok"))
        XCTAssertEqual(try node.erpcCall(module: "erlang", function: "abs", arguments: [-99]).result, .value(99))
        var seen: [BlockingNode.CallTicket: CallResult] = [:]
        while let (t, o) = node.nextCompletion() { seen[t] = try o.get().result }
        XCTAssertEqual(seen.count, 8)
        for (i, t) in tickets.enumerated() { XCTAssertEqual(seen[t], .value(.integer(i + 1))) }
    }

    /// The bounds: the window is clamped, and no more than ``BlockingNode/maxCallsInFlight`` calls wait at once
    /// (they are written as they are started; replies are read while writing, so nothing stalls).
    func testWindowAndInFlightLimits() throws {
        let erl = try TestNode(kind: .erl, cookie: cookie)
        defer { erl.stop() }
        let node = try connect(erl)
        defer { node.close() }
        let requests = (1...50).map { CallRequest(module: "erlang", function: "abs", arguments: [.integer(-$0)]) }
        for window in [0, 1, 1_000_000] {
            let outcomes = node.pipelinedCalls(requests, window: window, options: CallOptions(method: .rex))
            XCTAssertEqual(try outcomes.map { try $0.get().result }, (1...50).map { .value(.integer($0)) }, "window \(window)")
        }
        let options = CallOptions(method: .rex, captureOutput: false)
        for _ in 0..<BlockingNode.maxCallsInFlight {
            try node.startCall(module: "erlang", function: "node", arguments: [], options: options)
        }
        XCTAssertThrowsError(try node.startCall(module: "erlang", function: "node", arguments: [], options: options)) {
            XCTAssertEqual(($0 as? DistributionError)?.code, .tooManyCallsInFlight)
        }
        var finished = 0
        while let (_, outcome) = node.nextCompletion() {
            XCTAssertEqual(try outcome.get().result, .value(.atom(Atom(erl.name))))
            finished += 1
        }
        XCTAssertEqual(finished, BlockingNode.maxCallsInFlight)
    }
}
