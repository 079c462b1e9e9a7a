import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

/// Runs a task's jobs on a NIO event loop.
@available(macOS 15.0, iOS 18.0, watchOS 11.0, tvOS 18.0, *)
final class EventLoopTaskExecutor: TaskExecutor, @unchecked Sendable {
    let loop: any EventLoop
    init(_ loop: any EventLoop) { self.loop = loop }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        loop.execute { job.runSynchronously(on: self.asUnownedTaskExecutor()) }
    }
}

extension LocalNode {
    /// Runs `body` (and the child tasks it creates) on the event loop of the connection to `node`, connecting first
    /// if needed.
    ///
    /// By default a call's task runs on the global executor: each call hops to the event loop to write, and the reply
    /// hops back to wake the task, so a sequential caller pays two thread wake-ups per call on top of the network.
    /// Inside `body`, sends are written directly and replies resume the caller in the same loop iteration. Everything
    /// in `body` then shares that one thread: keep blocking work out of it.
    @available(macOS 15.0, iOS 18.0, watchOS 11.0, tvOS 18.0, *)
    public func withConnectionExecutor<T: Sendable>(
        node: String, _ body: @Sendable () async throws -> T
    ) async throws -> T {
        let peer = try await connectPeer(node)
        return try await withTaskExecutorPreference(EventLoopTaskExecutor(peer.channel.eventLoop)) { try await body() }
    }
}

extension LocalNode {
    /// Runs `body` (and the child tasks it creates) on the event loop of this node's connections: the loop of a
    /// connected peer, else the group's next one (a node on a group of one thread, as the console's, has just the
    /// one). A multicall in `body` then sends and collects on the thread it already runs on: no hop to the loop
    /// before the first request and none back after the last reply. Everything in `body` shares that one thread:
    /// keep blocking work out of it.
    @available(macOS 15.0, iOS 18.0, watchOS 11.0, tvOS 18.0, *)
    public func withEventLoopExecutor<T: Sendable>(_ body: @Sendable () async -> T) async -> T {
        await withTaskExecutorPreference(taskExecutor(for: anyConnectionLoop() ?? group.next())) { await body() }
    }

    /// The task executor of `loop`, made once per loop: a task that already prefers it does not hop when a multicall
    /// asks for it again.
    @available(macOS 15.0, iOS 18.0, watchOS 11.0, tvOS 18.0, *)
    func taskExecutor(for loop: any EventLoop) -> EventLoopTaskExecutor {
        loopExecutors.withLockedValue { executors in
            let key = ObjectIdentifier(loop)
            if let e = executors[key] as? EventLoopTaskExecutor { return e }
            let e = EventLoopTaskExecutor(loop)
            executors[key] = e
            return e
        }
    }
}

extension LocalNode {
    /// A new event-loop group of `threads` threads, for ``init(configuration:eventLoopGroup:)``. A short-lived
    /// process with one connection (`beamconsole call`) needs one loop, not the shared group's one per core.
    public static func makeEventLoopGroup(threads: Int) -> any EventLoopGroup {
        MultiThreadedEventLoopGroup(numberOfThreads: threads)
    }
}
