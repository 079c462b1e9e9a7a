import Synchronization

/// A flag that can be claimed once, from any thread.
private final class Once: Sendable {
    private let done = Atomic<Bool>(false)
    /// True for the first caller only.
    func claim() -> Bool {
        done.compareExchange(expected: false, desired: true, ordering: .acquiringAndReleasing).exchanged
    }
}

/// Runs `operation` in its own task and returns its result, or nil when `deadline` comes first. The operation is
/// cancelled (and abandoned) at the deadline, so a connect attempt that ignores cancellation cannot hold us up.
func untilDeadline<T: Sendable>(
    _ deadline: ContinuousClock.Instant, _ operation: @escaping @Sendable () async -> T
) async -> T? {
    let once = Once()
    return await withCheckedContinuation { (continuation: CheckedContinuation<T?, Never>) in
        let timer = Task {
            try? await Task.sleep(until: deadline, clock: .continuous)
            return Task.isCancelled
        }
        let work = Task {
            let value = await operation()
            if once.claim() {
                timer.cancel()
                continuation.resume(returning: value)
            }
        }
        Task {
            let cancelled = await timer.value
            if !cancelled, once.claim() {
                work.cancel()
                continuation.resume(returning: nil)
            }
        }
    }
}
