import Foundation

/// Runs async code to completion on the calling thread and no other: a task executor whose jobs that thread runs.
/// The blocking transport's commands are the async commands every transport shares, and ``BlockingCaller`` never
/// really suspends, so a one-shot `call` runs start to finish on the main thread, without starting the cooperative
/// pool's threads.
final class CurrentThreadExecutor: TaskExecutor, @unchecked Sendable {
    private let condition = NSCondition()
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
