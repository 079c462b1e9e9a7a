import ErlangDistribution
import ErlangTerm
import ErlangTestSupport
import XCTest

/// A random cookie for one test.
func randomCookie() -> String { "views\(UInt64.random(in: 0...UInt64.max))" }

/// Our hidden console node, with short timeouts.
func makeConsoleNode(cookie: String) -> LocalNode {
    LocalNode(configuration: .init(
        name: .short("bc\(UInt32.random(in: 0...UInt32.max))@\(TestNode.shortHost)"), cookie: cookie,
        connectTimeout: .seconds(3), handshakeStepTimeout: .seconds(3)))
}

/// Calls `module:function(arguments)` on `target` and returns the value, failing the test on anything else.
@discardableResult
func remote(_ node: LocalNode, _ target: String, _ module: Atom, _ function: Atom, _ arguments: [Term] = [],
            file: StaticString = #filePath, line: UInt = #line) async throws -> Term {
    let r = try await node.call(node: target, module: module, function: function, arguments: arguments,
                                options: CallOptions(timeout: .seconds(15), captureOutput: false))
    guard case .value(let v) = r.result else {
        XCTFail("\(module):\(function) on \(target) gave \(r.result)", file: file, line: line)
        throw TestSupportError("\(module):\(function) on \(target) gave \(r.result)")
    }
    return v
}

/// Makes `from` connect to `to` (`net_kernel:connect_node/1`) and checks that it worked.
func link(_ node: LocalNode, _ from: TestNode, _ to: TestNode, file: StaticString = #filePath, line: UInt = #line)
    async throws
{
    let ok = try await remote(node, from.name, "net_kernel", "connect_node", [.atom(Atom(to.name))])
    XCTAssertEqual(ok, .atom("true"), "\(from.name) could not connect to \(to.name)", file: file, line: line)
}

/// Waits until `check` holds or `seconds` pass.
func eventually(_ seconds: Double, _ check: () async throws -> Bool) async rethrows -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
        if try await check() { return true }
        try? await Task.sleep(for: .milliseconds(100))
    }
    return false
}

/// Runs the `makers` concurrently (blocking) and returns their results in order.
func startConcurrently(_ makers: [@Sendable () throws -> TestNode]) -> [Result<TestNode, any Error>] {
    final class Slots: @unchecked Sendable {
        let lock = NSLock()
        var items: [Result<TestNode, any Error>?]
        init(_ n: Int) { items = Array(repeating: nil, count: n) }
    }
    let slots = Slots(makers.count)
    DispatchQueue.concurrentPerform(iterations: makers.count) { i in
        let r = Result { try makers[i]() }
        slots.lock.lock()
        slots.items[i] = r
        slots.lock.unlock()
    }
    return slots.items.map { $0! }
}
