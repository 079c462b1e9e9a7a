import ErlangTerm
import NIOConcurrencyHelpers
import NIOCore

/// A process mailbox: an unbounded, single-consumer queue of terms, readable with a timeout or as an
/// `AsyncSequence` (which ends when the process exits).
public final class Mailbox: AsyncSequence, Sendable {
    public typealias Element = Term

    /// What a receive produced.
    public enum Receive: Sendable {
        case message(Term)
        case timeout
        case closed
        case cancelled
    }

    private struct Waiter {
        var id: UInt64
        var continuation: UnsafeContinuation<Receive, Never>
    }
    private struct State {
        var queue: [Term] = []
        var head = 0
        var closed = false
        var waiter: Waiter?
        var nextID: UInt64 = 0
        var cancelledIDs: Set<UInt64> = []
        /// Called (outside the lock) when the first message arrives; see ``init(timers:onFirstMessage:)``.
        var onFirstMessage: (@Sendable () -> Void)?
    }
    private let state: NIOLockedValueBox<State>
    /// Receive timeouts go to this scheduler (no task or timer per wait); nil = a sleeping `Task` per wait.
    private let timers: TimeoutScheduler?

    public init() {
        state = NIOLockedValueBox(State())
        timers = nil
    }

    /// A mailbox whose receive timeouts go to `timers`, and which calls `onFirstMessage` once, when the first
    /// message is delivered (used to start a group leader's server only when output arrives).
    init(timers: TimeoutScheduler?, onFirstMessage: (@Sendable () -> Void)? = nil) {
        state = NIOLockedValueBox(State(onFirstMessage: onFirstMessage))
        self.timers = timers
    }

    /// Appends a message; returns false if the mailbox is closed.
    @discardableResult
    public func deliver(_ term: Term) -> Bool {
        let (delivered, resume, hook): (Bool, UnsafeContinuation<Receive, Never>?, (@Sendable () -> Void)?) =
            state.withLockedValue { s in
                if s.closed { return (false, nil, nil) }
                let hook = s.onFirstMessage
                s.onFirstMessage = nil
                if let w = s.waiter {
                    s.waiter = nil
                    return (true, w.continuation, hook)
                }
                s.queue.append(term)
                return (true, nil, hook)
            }
        hook?()
        resume?.resume(returning: .message(term))
        return delivered
    }

    /// Closes the mailbox: queued messages are dropped, a waiting receive gets `.closed`.
    public func close() {
        let w: Waiter? = state.withLockedValue { s in
            s.closed = true
            s.queue.removeAll()
            s.head = 0
            s.onFirstMessage = nil
            defer { s.waiter = nil }
            return s.waiter
        }
        w?.continuation.resume(returning: .closed)
    }

    private func fire(_ id: UInt64, _ result: Receive) {
        let w: Waiter? = state.withLockedValue { s in
            if let w = s.waiter, w.id == id {
                s.waiter = nil
                return w
            }
            if result == .cancelledMarker { s.cancelledIDs.insert(id) }
            return nil
        }
        w?.continuation.resume(returning: result)
    }

    /// Waits for the next message, at most `timeout` (nil = forever).
    public func receive(timeout: Duration? = nil) async -> Receive {
        let id: UInt64 = state.withLockedValue { s in
            s.nextID += 1
            return s.nextID
        }
        let timers = self.timers
        // Either kind of timer; only one is ever set. Both are set and cancelled on this task.
        var task: Task<Void, Never>?
        var token: UInt64?
        defer {
            task?.cancel()
            if let token { timers?.cancel(token) }
        }
        return await withTaskCancellationHandler {
            await withUnsafeContinuation { (c: UnsafeContinuation<Receive, Never>) in
                let immediate: Receive? = state.withLockedValue { s in
                    if s.head < s.queue.count {
                        let t = s.queue[s.head]
                        s.head += 1
                        if s.head == s.queue.count {
                            s.queue.removeAll(keepingCapacity: true)
                            s.head = 0
                        } else if s.head > 1024 && s.head * 2 > s.queue.count {
                            s.queue.removeFirst(s.head)
                            s.head = 0
                        }
                        return .message(t)
                    }
                    if s.closed { return .closed }
                    if s.cancelledIDs.remove(id) != nil { return .cancelled }
                    precondition(s.waiter == nil, "two concurrent receives on one mailbox")
                    s.waiter = Waiter(id: id, continuation: c)
                    return nil
                }
                if let immediate {
                    c.resume(returning: immediate)
                } else if let timeout {
                    if let timers {
                        // Clamped far beyond any real timeout (about 73 years) so the deadline cannot overflow.
                        let nanos = Swift.min(timeout.wholeNanoseconds, 1 << 61)
                        token = timers.schedule(at: .now() + .nanoseconds(nanos)) { [weak self] in
                            self?.fire(id, .timeout)
                        }
                    } else {
                        task = Task { [weak self] in
                            try? await Task.sleep(for: timeout)
                            if !Task.isCancelled { self?.fire(id, .timeout) }
                        }
                    }
                }
            }
        } onCancel: {
            self.fire(id, .cancelledMarker)
        }
    }

    public struct AsyncIterator: AsyncIteratorProtocol {
        let mailbox: Mailbox
        public mutating func next() async -> Term? {
            if case .message(let t) = await mailbox.receive() { return t }
            return nil
        }
    }
    public func makeAsyncIterator() -> AsyncIterator { AsyncIterator(mailbox: self) }
}

extension Mailbox.Receive: Equatable {
    public static func == (a: Self, b: Self) -> Bool {
        switch (a, b) {
        case (.message(let x), .message(let y)): return x == y
        case (.timeout, .timeout), (.closed, .closed), (.cancelled, .cancelled): return true
        default: return false
        }
    }
    static var cancelledMarker: Self { .cancelled }
}
