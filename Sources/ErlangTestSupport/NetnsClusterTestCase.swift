import Foundation
import XCTest

/// The base of the end-to-end test classes that share one ``NetnsCluster`` per class: the class's `setUp` starts it
/// (``makeCluster()``), its `tearDown` removes it, and a test that calls ``sharedCluster()`` fails with the reason it
/// could not start (these tests need root and never skip).
///
/// ```swift
/// final class MyE2ETests: NetnsClusterTestCase {
///     override class func makeCluster() throws -> NetnsCluster { try NetnsCluster(taskCount: 2, pollingInterval: 1) }
///     func testMembers() throws {
///         let r = try beamconsole(["members", "--json"] + sharedCluster().discoveryArguments(pollInterval: 1))
///         XCTAssertEqual(r.status, 0, r.stderr)
///     }
/// }
/// ```
open class NetnsClusterTestCase: XCTestCase {
    /// The built `beamconsole` the tests run: `BEAMCONSOLE_BIN`, else `.build/debug/beamconsole` of this checkout.
    public static let binary: String =
        ProcessInfo.processInfo.environment["BEAMCONSOLE_BIN"]
        ?? DemoCluster.repositoryRoot.appendingPathComponent(".build/debug/beamconsole").path

    /// Each subclass's cluster, or why it did not start (keyed by the subclass).
    nonisolated(unsafe) private static var clusters: [ObjectIdentifier: Result<NetnsCluster, any Error>] = [:]
    private static let lock = NSLock()

    /// Starts the class's cluster (once per class, before its first test). The default is three tasks polling DNS
    /// every second.
    open class func makeCluster() throws -> NetnsCluster {
        try NetnsCluster(taskCount: 3, pollingInterval: 1)
    }

    override open class func setUp() {
        super.setUp()
        let result = Result { try makeCluster() }
        lock.withLock { clusters[ObjectIdentifier(self)] = result }
    }

    override open class func tearDown() {
        let result = lock.withLock { clusters.removeValue(forKey: ObjectIdentifier(self)) }
        if case .success(let cluster)? = result { cluster.teardown() }
        super.tearDown()
    }

    /// This class's cluster while it runs (nil before `setUp`, after `tearDown`, or when it did not start).
    public class var cluster: NetnsCluster? {
        guard case .success(let c)? = lock.withLock({ clusters[ObjectIdentifier(self)] }) else { return nil }
        return c
    }

    /// Why this class's cluster did not start, if it did not.
    public class var setUpError: (any Error)? {
        guard case .failure(let e)? = lock.withLock({ clusters[ObjectIdentifier(self)] }) else { return nil }
        return e
    }

    /// The shared cluster, or the reason it could not start (which fails the test).
    public func sharedCluster() throws -> NetnsCluster {
        if let e = Self.setUpError { throw e }
        XCTAssertTrue(
            FileManager.default.isExecutableFile(atPath: Self.binary), "build beamconsole first: \(Self.binary)")
        return try XCTUnwrap(Self.cluster)
    }

    /// How long ``beamconsole(_:cookie:timeout:)`` waits by default.
    open class var commandTimeout: TimeInterval { 30 }

    /// Runs `beamconsole args` in the console's namespace with the cluster's cookie (or `cookie`) in RELEASE_COOKIE,
    /// for at most `timeout` seconds (default ``commandTimeout``).
    open func beamconsole(_ args: [String], cookie: String? = nil, timeout: TimeInterval? = nil) throws
        -> NetnsCluster.CommandResult
    {
        let c = try sharedCluster()
        return try c.runInConsole(
            Self.binary, args, environment: ["RELEASE_COOKIE": cookie ?? c.cookie],
            timeout: timeout ?? Self.commandTimeout)
    }
}
