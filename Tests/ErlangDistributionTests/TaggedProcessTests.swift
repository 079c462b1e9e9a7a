import ErlangTerm
import XCTest

@testable import ErlangDistribution

/// A multicall's group leaders: one pid per node behind one mailbox, each pid's messages tagged with its index
/// (`LocalNode.spawnTaggedProcesses`), and their exit under one lock (`LocalNode.exitProcesses`). Local processes
/// only: no peer is involved.
final class TaggedProcessTests: XCTestCase {
    private func makeNode() -> LocalNode {
        LocalNode(configuration: .init(name: .long("tagged@127.0.0.1"), cookie: "cookie"))
    }

    func testEachPidTagsItsMessagesWithItsIndex() async throws {
        let node = makeNode()
        let mailbox = Mailbox()
        let pids = node.spawnTaggedProcesses(3, mailbox: mailbox)
        XCTAssertEqual(Set(pids).count, 3)
        try node.send(.atom("second"), to: pids[2])
        try node.send(.tuple([.atom("io_request"), .atom("x")]), to: pids[0])
        let first = await mailbox.receive()
        XCTAssertEqual(first, .message(.tuple([.integer(2), .atom("second")])))
        let next = await mailbox.receive()
        XCTAssertEqual(next, .message(.tuple([.integer(0), .tuple([.atom("io_request"), .atom("x")])])))
    }

    func testUntaggedProcessesStillGetPlainMessages() async throws {
        let node = makeNode()
        _ = node.spawnTaggedProcesses(2, mailbox: Mailbox())
        let (pid, mailbox) = node.spawnProcess()
        try node.send(.atom("plain"), to: pid)
        let got = await mailbox.receive()
        XCTAssertEqual(got, .message(.atom("plain")))
    }

    func testExitProcessesEndsEveryOneAndClosesTheSharedMailbox() async throws {
        let node = makeNode()
        let mailbox = Mailbox()
        let pids = node.spawnTaggedProcesses(4, mailbox: mailbox)
        let (caller, callerMailbox) = node.spawnProcess()
        node.watchNode("peer@127.0.0.1", by: caller)
        node.exitProcesses([caller] + pids)
        let closed = await mailbox.receive()
        XCTAssertEqual(closed, .closed)
        let callerClosed = await callerMailbox.receive()
        XCTAssertEqual(callerClosed, .closed)
        // Gone from the process table: a message to any of them is dropped, not delivered.
        for p in pids + [caller] {
            try node.send(.atom("late"), to: p)
        }
        // Exiting again is harmless.
        node.exitProcesses(pids)
        node.exitProcess(caller)
    }
}
