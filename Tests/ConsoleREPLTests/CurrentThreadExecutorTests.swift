@testable import ConsoleREPL
import Foundation
import XCTest

/// The blocking route's executor: async code run to completion on the calling thread.
final class CurrentThreadExecutorTests: XCTestCase {
    private final class Box: @unchecked Sendable {
        var sameThread = false
        var value = 0
    }

    func testRunsOnTheCallingThread() {
        let caller = pthread_self()
        let box = Box()
        CurrentThreadExecutor.run { box.sameThread = pthread_equal(pthread_self(), caller) != 0 }
        XCTAssertTrue(box.sameThread)
    }

    func testWaitsForJobsEnqueuedFromOtherThreads() {
        let caller = pthread_self()
        let box = Box()
        CurrentThreadExecutor.run {
            // A sleep resumes from the timer's thread: the job comes back to this executor.
            try? await Task.sleep(for: .milliseconds(20))
            box.value = await withTaskGroup(of: Int.self) { group in
                for i in 1...3 { group.addTask { i } }
                return await group.reduce(0, +)
            }
            box.sameThread = pthread_equal(pthread_self(), caller) != 0
        }
        XCTAssertEqual(box.value, 6)
        XCTAssertTrue(box.sameThread)
    }
}
