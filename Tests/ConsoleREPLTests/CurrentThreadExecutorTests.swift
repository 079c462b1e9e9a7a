@testable import ConsoleREPL
import Foundation
import XCTest

/// The blocking route's executor: async code run to completion on the calling thread.
final class CurrentThreadExecutorTests: XCTestCase {
    func testRunsOnTheCallingThread() {
        let caller = pthread_self()
        let sameThread = CurrentThreadExecutor.run { pthread_equal(pthread_self(), caller) != 0 }
        XCTAssertTrue(sameThread)
    }

    func testWaitsForJobsEnqueuedFromOtherThreads() {
        let caller = pthread_self()
        let (value, sameThread) = CurrentThreadExecutor.run { () async -> (Int, Bool) in
            // A sleep resumes from the timer's thread: the job comes back to this executor.
            try? await Task.sleep(for: .milliseconds(20))
            let children = await withTaskGroup(of: Int.self) { group in
                for i in 1...3 { group.addTask { i } }
                return await group.reduce(0, +)
            }
            return (children, pthread_equal(pthread_self(), caller) != 0)
        }
        XCTAssertEqual(value, 6)
        XCTAssertTrue(sameThread)
    }
}
