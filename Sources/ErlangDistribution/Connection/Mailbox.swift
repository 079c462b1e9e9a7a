import ErlangTerm
import NIOConcurrencyHelpers

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
        var continuation: CheckedContinuation<Receive, Never>
    }
    private struct State {
        var queue: [Term] = []
        var head = 0
        var closed = false
        var waiter: Waiter?
        var nextID: UInt64 = 0
        var cancelledIDs: Set<UInt64> = []
    }
    private let state = NIOLockedValueBox(State())

    public init() {}

    /// Appends a message; returns false if the mailbox is closed.
    @discardableResult
    public func deliver(_ term: Term) -> Bool {
        let resume: CheckedContinuation<Receive, Never>? = state.withLockedValue { s in
            if s.closed { return nil }
            if let w = s.waiter {
                s.waiter = nil
                return w.continuation
            }
            s.queue.append(term)
            return nil
        }
        resume?.resume(returning: .message(term))
        return true
    }

    /// Closes the mailbox: queued messages are dropped, a waiting receive gets `.closed`.
    public func close() {
        let w: Waiter? = state.withLockedValue { s in
            s.closed = true
            s.queue.removeAll()
            s.head = 0
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
        var timer: Task<Void, Never>?
        defer { timer?.cancel() }
        return await withTaskCancellationHandler {
            await withCheckedContinuation { (c: CheckedContinuation<Receive, Never>) in
                let immediate: Receive? = state.withLockedValue { s in
                    if s.head < s.queue.count {
                        let t = s.queue[s.head]
                        s.head += 1
                        if s.head > 1024 && s.head * 2 > s.queue.count {
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
                    timer = Task { [weak self] in
                        try? await Task.sleep(for: timeout)
                        if !Task.isCancelled { self?.fire(id, .timeout) }
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
