// Round trips on one distribution connection: `erlang:node()` called N times sequentially and with K calls in
// flight, through LocalNode's and BlockingNode's rex and erpc paths. Run through scripts/bench-dist.sh, which starts
// the target node and the BEAM anchor (scripts/bench-dist.exs).
//
//   dist-bench NODE COOKIE [SEQ_CALLS] [CONC_CALLS] [CONCURRENCY] [METHODS]
//
// METHODS is a comma list of (default rex,erpc):
//   rex, erpc                 LocalNode (async/await): K tasks on the global executor, each calling in a loop;
//   rex-loop, erpc-loop       the same with the callers on the connection's event loop (withConnectionExecutor);
//   blocking-rex, blocking-erpc   BlockingNode on the main thread, no other thread: sequential calls are
//                             rexCall/erpcCall; K in flight are startCall/nextCompletion, a new call started as each
//                             one finishes (requests started together go out in one write).
// Each call is timed from its start to its reply. Output: one `RESULT` line per row:
//   RESULT <method> <seq|concK> calls=<n> calls_per_s=<x> p50_us=<x> p99_us=<x>
import ErlangDistribution
import ErlangTerm
import NIOConcurrencyHelpers

#if canImport(Glibc)
    import Glibc
#endif

let args = CommandLine.arguments
guard args.count >= 3 else {
    print("usage: dist-bench NODE COOKIE [SEQ_CALLS] [CONC_CALLS] [CONCURRENCY] [METHODS]")
    exit(64)
}
let target = args[1]
let cookie = args[2]
let seqCalls = args.count > 3 ? Int(args[3]) ?? 20_000 : 20_000
let concCalls = args.count > 4 ? Int(args[4]) ?? 100_000 : 100_000
let concurrency = args.count > 5 ? Int(args[5]) ?? 32 : 32
let methods = (args.count > 6 ? args[6] : "rex,erpc").split(separator: ",").map(String.init)

@Sendable func nanos(_ d: Duration) -> Int64 {
    let (s, a) = d.components
    return s * 1_000_000_000 + a / 1_000_000_000
}

@Sendable func percentile(_ sorted: [Int64], _ p: Double) -> Double {
    guard !sorted.isEmpty else { return 0 }
    let i = min(sorted.count - 1, Int((p * Double(sorted.count)).rounded(.up)) - 1)
    return Double(sorted[max(0, i)]) / 1000
}

@Sendable func report(_ method: String, _ row: String, _ lat: [Int64], wall: Duration) {
    let sorted = lat.sorted()
    let secs = Double(nanos(wall)) / 1e9
    let line = "RESULT \(method) \(row) calls=\(lat.count) calls_per_s=\(Int(Double(lat.count) / secs)) "
        + "p50_us=\(percentile(sorted, 0.50)) p99_us=\(percentile(sorted, 0.99))"
    print(line)
    fflush(nil)
}

let local = LocalNode(configuration: .init(name: .random(prefix: "beamconsole", long: false), cookie: cookie))
let expected: Term = .atom(Atom(target))

@Sendable func oneCall(_ options: CallOptions) async -> Bool {
    do {
        let r = try await local.call(node: target, module: "erlang", function: "node", arguments: [], options: options)
        return r.result == .value(expected)
    } catch {
        return false
    }
}

func options(_ method: String) -> CallOptions {
    CallOptions(method: method.hasPrefix("rex") ? .rex : .erpc, timeout: .seconds(30))
}

/// Runs `body` on the global executor, or for a `-loop` method on the connection's event loop.
func placed(_ method: String, _ body: @Sendable () async -> Void) async {
    if method.hasSuffix("-loop") {
        _ = try? await local.withConnectionExecutor(node: target) { await body() }
    } else {
        await body()
    }
}

do {
    // LocalNode rows only (BlockingNode rows make their own connection).
    if methods.contains(where: { !$0.hasPrefix("blocking-") }) { try await local.connect(to: target) }
} catch {
    print("dist-bench: cannot connect to \(target): \(error)")
    exit(2)
}

let clock = ContinuousClock()

/// BlockingNode rows: everything on this thread.
func blockingRows(_ method: String) {
    let erpc = method == "blocking-erpc"
    let node: BlockingNode
    do {
        node = try BlockingNode.connect(
            to: target, configuration: .init(name: .random(prefix: "beamconsole", long: false), cookie: cookie))
    } catch {
        print("dist-bench: cannot connect to \(target): \(error)")
        exit(2)
    }
    defer { node.close() }
    let opts = CallOptions(method: erpc ? .erpc : .rex, timeout: .seconds(30))
    func one() -> Bool {
        let r =
            erpc
            ? (try? node.erpcCall(module: "erlang", function: "node", arguments: [], options: opts))
            : node.rexCall(module: "erlang", function: "node", arguments: [], options: opts)
        return r?.result == .value(expected)
    }
    for _ in 0..<min(2_000, max(100, seqCalls / 10)) {
        guard one() else { print("dist-bench: \(method) call failed"); exit(1) }
    }
    if seqCalls > 0 {
        var lat = [Int64]()
        lat.reserveCapacity(seqCalls)
        let start = clock.now
        for _ in 0..<seqCalls {
            let t0 = clock.now
            guard one() else { print("dist-bench: \(method) call failed"); exit(1) }
            lat.append(nanos(clock.now - t0))
        }
        report(method, "seq", lat, wall: clock.now - start)
    }
    if concCalls > 0 {
        var lat = [Int64]()
        lat.reserveCapacity(concCalls)
        var started = [ContinuousClock.Instant](repeating: clock.now, count: concCalls)
        var first: UInt64?
        var next = 0
        let start = clock.now
        while lat.count < concCalls {
            while next < concCalls, node.callsInFlight < concurrency {
                let now = clock.now
                guard let t = try? node.startCall(module: "erlang", function: "node", arguments: [], options: opts)
                else { print("dist-bench: \(method) startCall failed"); exit(1) }
                if first == nil { first = t.number }
                started[Int(t.number - first!)] = now
                next += 1
            }
            guard let (t, outcome) = node.nextCompletion(), case .success(let r) = outcome, r.result == .value(expected)
            else { print("dist-bench: \(method) pipelined call failed"); exit(1) }
            lat.append(nanos(clock.now - started[Int(t.number - first!)]))
        }
        report(method, "conc\(concurrency)", lat, wall: clock.now - start)
    }
}

for method in methods {
    if method.hasPrefix("blocking-") {
        blockingRows(method)
        continue
    }
    let opts = options(method)
    await placed(method) {
        // Warm-up.
        for _ in 0..<min(2_000, max(100, seqCalls / 10)) {
            guard await oneCall(opts) else { print("dist-bench: \(method) call failed"); exit(1) }
        }

        if seqCalls > 0 {
            var lat = [Int64]()
            lat.reserveCapacity(seqCalls)
            let start = clock.now
            for _ in 0..<seqCalls {
                let t0 = clock.now
                guard await oneCall(opts) else { print("dist-bench: \(method) call failed"); exit(1) }
                lat.append(nanos(clock.now - t0))
            }
            report(method, "seq", lat, wall: clock.now - start)
        }

        if concCalls > 0 {
            let remaining = NIOLockedValueBox(concCalls)
            let start = clock.now
            let lat: [Int64] = await withTaskGroup(of: [Int64].self) { group in
                for _ in 0..<concurrency {
                    group.addTask {
                        var mine = [Int64]()
                        mine.reserveCapacity(concCalls / concurrency + 1)
                        while remaining.withLockedValue({ n -> Bool in
                            guard n > 0 else { return false }
                            n -= 1
                            return true
                        }) {
                            let t0 = ContinuousClock.now
                            guard await oneCall(opts) else { print("dist-bench: \(method) call failed"); exit(1) }
                            mine.append(nanos(ContinuousClock.now - t0))
                        }
                        return mine
                    }
                }
                var all = [Int64]()
                all.reserveCapacity(concCalls)
                for await part in group { all += part }
                return all
            }
            report(method, "conc\(concurrency)", lat, wall: clock.now - start)
        }
    }
}
local.shutdown()
