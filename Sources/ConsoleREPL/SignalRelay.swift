import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Delivers SIGINT and SIGTERM to Swift code reliably. A C handler (run by whichever thread the kernel picks) writes
/// the signal's number to a pipe, and one thread reads the pipe and calls the newest subscriber of that signal.
///
/// (A `DispatchSource` signal source with the signal ignored, as before, loses signals on Linux: with the signal
/// set to `SIG_IGN` and not blocked in every thread, a thread that does not block it can take the signal and
/// discard it before the source sees it. The REPL's Ctrl-C was lost that way now and then, under load.)
///
/// Subscribers stack: a full-screen view subscribes over the REPL and gets the signal until it unsubscribes. When a
/// signal's last subscriber goes, its previous disposition is restored.
final class SignalRelay: @unchecked Sendable {
    static let shared = SignalRelay()

    struct Subscription: Hashable, Sendable {
        fileprivate let id: Int
        fileprivate let signal: Int32
    }

    private struct State {
        var nextID = 0
        var subscribers: [Int32: [(id: Int, action: @Sendable () -> Void)]] = [:]
        var previous: [Int32: sigaction] = [:]
        var readerStarted = false
    }
    private let state = Mutex(State())

    private init() {}

    /// Calls `action` (on the relay's thread) each time `signal` arrives, until ``unsubscribe(_:)``.
    func subscribe(_ signal: Int32, _ action: @escaping @Sendable () -> Void) -> Subscription {
        state.withLock { s in
            if !s.readerStarted {
                s.readerStarted = true
                startReader()
            }
            s.nextID += 1
            if s.subscribers[signal, default: []].isEmpty {
                var new = sigaction()
                new.__sigaction_handler.sa_handler = signalRelayHandler
                sigemptyset(&new.sa_mask)
                new.sa_flags = SA_RESTART
                var old = sigaction()
                sigaction(signal, &new, &old)
                s.previous[signal] = old
            }
            s.subscribers[signal, default: []].append((s.nextID, action))
            return Subscription(id: s.nextID, signal: signal)
        }
    }

    /// Stops a subscription; the signal's previous disposition comes back with its last subscriber.
    func unsubscribe(_ subscription: Subscription) {
        state.withLock { s in
            s.subscribers[subscription.signal]?.removeAll { $0.id == subscription.id }
            if s.subscribers[subscription.signal]?.isEmpty ?? true, var old = s.previous[subscription.signal] {
                sigaction(subscription.signal, &old, nil)
                s.previous[subscription.signal] = nil
            }
        }
    }

    private func startReader() {
        var fds: [Int32] = [-1, -1]
        guard pipe(&fds) == 0 else { return }
        _ = fcntl(fds[1], F_SETFL, fcntl(fds[1], F_GETFL) | O_NONBLOCK)
        _ = fcntl(fds[0], F_SETFD, FD_CLOEXEC)
        _ = fcntl(fds[1], F_SETFD, FD_CLOEXEC)
        signalRelayWriteFD.store(fds[1], ordering: .releasing)
        let readFD = fds[0]
        startDetachedThread(stackSize: 256 << 10) { [self] in
            var byte: UInt8 = 0
            while true {
                let n = read(readFD, &byte, 1)
                if n < 0, errno == EINTR { continue }
                guard n == 1 else { return }
                let action = state.withLock { $0.subscribers[Int32(byte)]?.last?.action }
                action?()
            }
        }
    }
}

/// The pipe's write end, for the C handler (a global: a C function pointer captures nothing).
private let signalRelayWriteFD = Atomic<Int32>(-1)

/// Async-signal-safe: one `write(2)` of the signal's number.
private func signalRelayHandler(_ signal: Int32) {
    let fd = signalRelayWriteFD.load(ordering: .acquiring)
    guard fd >= 0 else { return }
    let saved = errno
    var byte = UInt8(truncatingIfNeeded: signal)
    _ = write(fd, &byte, 1)
    errno = saved
}
