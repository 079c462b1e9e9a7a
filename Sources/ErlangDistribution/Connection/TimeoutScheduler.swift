import NIOConcurrencyHelpers
import NIOCore

/// Receive timeouts for many mailboxes on one event-loop timer.
///
/// A timer per receive (a sleeping `Task`, or a scheduled task and its cancellation, each waking a thread) costs more
/// than a whole call's bookkeeping, and almost every receive is answered long before its deadline. Here a waiter is
/// a dictionary entry; the loop has one timer armed, for the earliest deadline, and it is re-armed only when a new
/// deadline is earlier than the armed one or when it fires. Deadlines fire exactly when they expire, as before.
final class TimeoutScheduler: Sendable {
    private struct Entry {
        var deadline: NIODeadline
        var fire: @Sendable () -> Void
    }
    private struct State {
        var entries: [UInt64: Entry] = [:]
        var nextToken: UInt64 = 0
        var armed: (deadline: NIODeadline, timer: Scheduled<Void>)?
    }
    private let loop: any EventLoop
    private let state = NIOLockedValueBox(State())

    init(loop: any EventLoop) { self.loop = loop }

    /// Calls `fire` (on the loop) at `deadline` unless ``cancel(_:)`` is called first. Returns the token for that.
    func schedule(at deadline: NIODeadline, _ fire: @escaping @Sendable () -> Void) -> UInt64 {
        state.withLockedValue { s in
            s.nextToken += 1
            s.entries[s.nextToken] = Entry(deadline: deadline, fire: fire)
            if s.armed == nil || deadline < s.armed!.deadline { arm(&s, at: deadline) }
            return s.nextToken
        }
    }

    /// Forgets a waiter. The armed timer stays: when it fires it finds nothing due and re-arms for what is left.
    func cancel(_ token: UInt64) {
        _ = state.withLockedValue { $0.entries.removeValue(forKey: token) }
    }

    private func arm(_ s: inout State, at deadline: NIODeadline) {
        s.armed?.timer.cancel()
        let timer: Scheduled<Void> = loop.scheduleTask(deadline: deadline) { [weak self] in
            guard let self else { return }
            self.expire()
        }
        s.armed = (deadline, timer)
    }

    private func expire() {
        let now = NIODeadline.now()
        let due: [@Sendable () -> Void] = state.withLockedValue { s in
            s.armed = nil
            var due: [@Sendable () -> Void] = []
            var next: NIODeadline?
            for (token, e) in s.entries {
                if e.deadline <= now {
                    due.append(e.fire)
                    s.entries[token] = nil
                } else if next == nil || e.deadline < next! {
                    next = e.deadline
                }
            }
            if let next { arm(&s, at: next) }
            return due
        }
        for f in due { f() }
    }
}
