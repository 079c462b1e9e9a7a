import ErlangDistribution
import ErlangTestSupport
import Foundation
import XCTest

extension TestNode {
    /// An `erl` node for these tests (cookie `itcookie` unless given), started and stopped like every other
    /// ``TestNode``. `longName` starts it as `alive@127.0.0.1` (`-name`).
    static func erl(cookie: String = "itcookie", extraArgs: [String] = [], longName: Bool = false) throws -> TestNode {
        try TestNode(kind: .erl, cookie: cookie, extraArgs: extraArgs, longHost: longName ? "127.0.0.1" : nil)
    }
}

func makeLocalNode(cookie: String = "itcookie", tickTime: Duration = .seconds(60), longName: Bool = false) -> LocalNode {
    let host = longName ? "127.0.0.1" : TestNode.shortHost
    let seconds = tickTime.components.seconds
    return LocalNode(configuration: .init(
        name: longName ? .long("bc\(UInt32.random(in: 0...UInt32.max))@\(host)")
            : .short("bc\(UInt32.random(in: 0...UInt32.max))@\(host)"),
        cookie: cookie, tickTime: .seconds(seconds)))
}

/// Asserts that `operation` (typically a connect or a call) fails with `code` at `stage`, and returns the error for
/// further checks (its message, that it does not contain the cookie); nil, after recording a failure, when it
/// succeeded or failed otherwise.
@discardableResult
func assertConnectFails<T>(
    _ operation: () async throws -> T, code: DistributionError.Code,
    stage: DistributionError.Stage, file: StaticString = #filePath, line: UInt = #line
) async -> DistributionError? {
    do {
        let value = try await operation()
        XCTFail("expected \(code) at \(stage), got \(value)", file: file, line: line)
        return nil
    } catch {
        guard let error = error as? DistributionError else {
            XCTFail("expected a DistributionError, got \(error)", file: file, line: line)
            return nil
        }
        XCTAssertEqual(error.stage, stage, "\(error)", file: file, line: line)
        XCTAssertEqual(error.code, code, "\(error)", file: file, line: line)
        return error.stage == stage && error.code == code ? error : nil
    }
}
