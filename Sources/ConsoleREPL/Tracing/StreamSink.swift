import Glibc
import ErlangDistribution
import ErlangTerm
import Synchronization

/// A process on our node that the nodes' tracers and log relays send to, with Ctrl-C and node-downs delivered into
/// the same mailbox (`'$interrupt'`, `{'$nodedown', Node}`), so that one loop reads everything in order. Ctrl-C
/// belongs to the stream while it runs (over the REPL's own handler).
final class StreamSink: @unchecked Sendable {
    let node: LocalNode
    let pid: Pid
    let mailbox: Mailbox
    private let subscription: SignalRelay.Subscription?
    private let watcher: Task<Void, Never>

    /// With `catchInterrupts` false, Ctrl-C stays with whoever has it (the REPL).
    init(node: LocalNode, watching nodes: [String], catchInterrupts: Bool = true) {
        self.node = node
        (pid, mailbox) = node.spawnProcess()
        let mailbox = self.mailbox
        subscription = catchInterrupts
            ? SignalRelay.shared.subscribe(SIGINT) { _ = mailbox.deliver(.atom("$interrupt")) } : nil
        let watched = Set(nodes)
        let events = node.events()
        watcher = Task {
            for await e in events {
                if case .nodeDown(let n, _) = e, watched.contains(n) {
                    _ = mailbox.deliver(.tuple([.atom("$nodedown"), .atom(Atom(n))]))
                }
            }
        }
    }

    /// Ends the process and gives Ctrl-C back.
    func close() {
        if let subscription { SignalRelay.shared.unsubscribe(subscription) }
        watcher.cancel()
        node.exitProcess(pid)
    }

    /// Tells a node's helper (a tracer, a log relay) to stop: `{'$beamconsole_stop', Why}`; it then cleans up and
    /// reports as when it ends by itself.
    func stop(_ helper: Pid, why: String) {
        try? node.send(.tuple([.atom("$beamconsole_stop"), .atom(Atom(why))]), to: helper)
    }

    /// What the stream loop reads next.
    enum Event {
        /// `{Tag, Id, Body}` from a node's helper.
        case message(id: Int, body: Term)
        /// Ctrl-C.
        case interrupt
        /// The connection to a watched node went down.
        case nodeDown(String)
        /// Nothing before the deadline (or the mailbox closed).
        case timeout
        /// The task was cancelled.
        case cancelled
    }

    /// The next event before `deadline`; messages that are not `{tag, Id, Body}` are skipped.
    func next(tag: String, until deadline: ContinuousClock.Instant) async -> Event {
        while true {
            let left = deadline - ContinuousClock.now
            guard left > .zero else { return .timeout }
            switch await mailbox.receive(timeout: left) {
            case .timeout, .closed: return .timeout
            case .cancelled: return .cancelled
            case .message(let m):
                if m.isAtom("$interrupt") { return .interrupt }
                if case .tuple(let d) = m, d.count == 2, d[0].isAtom("$nodedown"), let n = d[1].atomValue?.name {
                    return .nodeDown(n)
                }
                if let (id, body) = Self.tagged(m, tag) { return .message(id: id, body: body) }
            }
        }
    }

    /// `{Tag, Id, Message}` from a node's helper, read as (id, message).
    private static func tagged(_ t: Term, _ tag: String) -> (Int, Term)? {
        guard case .tuple(let items) = t, items.count == 3, items[0].isAtom(tag), case .integer(let id) = items[1]
        else { return nil }
        return (id, items[2])
    }
}
