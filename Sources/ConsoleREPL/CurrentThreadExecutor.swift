#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Runs async code to completion on the calling thread and no other: a task executor whose jobs that thread runs.
/// The blocking transport's commands are the async commands every transport shares, and ``BlockingCaller`` never
/// really suspends, so a one-shot `call` runs start to finish on the main thread, without starting the cooperative
/// pool's threads.
final class CurrentThreadExecutor: TaskExecutor, @unchecked Sendable {
    /// A pthread mutex and condition rather than Foundation's `NSCondition`: this runs on the one-shot call's hot path,
    /// where NSCondition's metadata and Foundation's code pages cost start-up time and resident memory.
    private let condition = ThreadCondition()
    private var jobs: [UnownedJob] = []
    private var finished = false

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        condition.lock()
        jobs.append(job)
        condition.signal()
        condition.unlock()
    }

    /// Runs `body` to completion on this thread. (Not generic: a generic result box's metadata would be made at run
    /// time, on the one-shot call's hot path; `body` keeps its result itself.)
    static func run(_ body: @escaping @Sendable () async -> Void) {
        let executor = CurrentThreadExecutor()
        Task(executorPreference: executor) {
            await body()
            executor.finish()
        }
        executor.runJobs()
    }

    private func finish() {
        condition.lock()
        finished = true
        condition.signal()
        condition.unlock()
    }

    /// Runs jobs as they come until the task finishes.
    private func runJobs() {
        while true {
            condition.lock()
            while jobs.isEmpty && !finished { condition.wait() }
            if jobs.isEmpty {
                condition.unlock()
                return
            }
            let batch = jobs
            jobs.removeAll()
            condition.unlock()
            for job in batch { job.runSynchronously(on: asUnownedTaskExecutor()) }
        }
    }
}

/// A mutex with one condition variable (pthreads).
final class ThreadCondition: @unchecked Sendable {
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let cond = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)

    init() {
        pthread_mutex_init(mutex, nil)
        pthread_cond_init(cond, nil)
    }

    deinit {
        pthread_cond_destroy(cond)
        pthread_mutex_destroy(mutex)
        cond.deallocate()
        mutex.deallocate()
    }

    func lock() { pthread_mutex_lock(mutex) }
    func unlock() { pthread_mutex_unlock(mutex) }
    /// Wakes one waiter (call with the mutex held).
    func signal() { pthread_cond_signal(cond) }
    /// Waits for ``signal()`` (call with the mutex held; it is held again on return).
    func wait() { pthread_cond_wait(cond, mutex) }
}
