@testable import ConsoleREPL
import ErlangDistribution
import Foundation
import XCTest

/// Where the cookie comes from with no flags: `RELEASE_COOKIE`, the release's `releases/COOKIE` (under
/// `RELEASE_ROOT`, else under the root of a release running on this host), then `~/.erlang.cookie`; and one error
/// that lists every place looked at.
final class CookieSourceTests: XCTestCase {
    var dir: URL!

    override func setUpWithError() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("cookie-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("rel/releases"), withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("home"), withIntermediateDirectories: true)
    }

    override func tearDown() { try? FileManager.default.removeItem(at: dir) }

    /// A file with `text` and POSIX `mode`.
    func write(_ path: String, _ text: String, mode: Int) throws {
        let url = dir.appendingPathComponent(path)
        try text.write(to: url, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: url.path)
    }

    var root: String { dir.appendingPathComponent("rel").path }
    var home: String { dir.appendingPathComponent("home").path }

    func testReleaseCookieComesFirst() throws {
        try write("rel/releases/COOKIE", "fromfile", mode: 0o644)
        let r = try CookieSource.resolve(
            explicit: nil, file: nil, environment: ["RELEASE_COOKIE": "fromenv", "RELEASE_ROOT": root], home: home,
            releaseRoots: { XCTFail("not asked when RELEASE_COOKIE is set"); return [] })
        XCTAssertEqual(r.cookie, "fromenv")
        XCTAssertEqual(r.origin, "RELEASE_COOKIE")
    }

    func testTheReleasesCookieFileUnderReleaseRoot() throws {
        // As mix release writes it: mode 0644, read by the release's own start script with cat.
        try write("rel/releases/COOKIE", "RELCOOKIE==\n", mode: 0o644)
        let r = try CookieSource.resolve(
            explicit: nil, file: nil, environment: ["RELEASE_ROOT": root], home: home, releaseRoots: { [] })
        XCTAssertEqual(r.cookie, "RELCOOKIE==")
        XCTAssertEqual(r.origin, "\(root)/releases/COOKIE (RELEASE_ROOT)")
        XCTAssertFalse(r.origin.contains("RELCOOKIE"))
    }

    func testTheReleaseRunningHere() throws {
        try write("rel/releases/COOKIE", "running", mode: 0o644)
        let r = try CookieSource.resolve(
            explicit: nil, file: nil, environment: [:], home: home, releaseRoots: { ["/usr/lib/erlang", self.root] })
        XCTAssertEqual(r.cookie, "running")
        XCTAssertEqual(r.origin, "\(root)/releases/COOKIE (the release running here)")
    }

    func testHomeCookieLastAndStillRefusedWhenOthersCanReadIt() throws {
        try write("home/.erlang.cookie", "homecookie", mode: 0o400)
        let r = try CookieSource.resolve(explicit: nil, file: nil, environment: [:], home: home, releaseRoots: { [] })
        XCTAssertEqual(r.cookie, "homecookie")
        try write("home/.erlang.cookie", "homecookie", mode: 0o644)
        XCTAssertThrowsError(
            try CookieSource.resolve(explicit: nil, file: nil, environment: [:], home: home, releaseRoots: { [] })
        ) { e in XCTAssertTrue("\(e)".contains("accessible by group or others"), "\(e)") }
    }

    func testNoCookieListsWhereItLooked() {
        XCTAssertThrowsError(
            try CookieSource.resolve(
                explicit: nil, file: nil, environment: [:], home: home, releaseRoots: { ["/nonexistent/rel"] })
        ) { e in
            let text = "\(e)"
            XCTAssertEqual((e as? DistributionError)?.code, .cookie)
            for place in ["RELEASE_COOKIE (not set)", "/nonexistent/rel/releases/COOKIE", home + "/.erlang.cookie"] {
                XCTAssertTrue(text.contains(place), text)
            }
        }
        XCTAssertThrowsError(
            try CookieSource.resolve(explicit: nil, file: nil, environment: [:], home: home, releaseRoots: { [] })
        ) { e in XCTAssertTrue("\(e)".contains("no release running here"), "\(e)") }
    }

    func testReleaseRootsFromCommandLines() throws {
        let release = [
            "/app/erts-13.1.5/bin/beam.smp", "--", "-root", "/app", "-bindir", "/app/erts-13.1.5/bin", "-progname",
            "erl", "--", "-home", "/root", "--", "-noshell", "-sname", "myapp",
        ]
        let plainErl = ["/usr/lib/erlang/erts-13.1.5/bin/beam.smp", "--", "-root", "/usr/lib/erlang", "--"]
        let notBeam = ["/bin/sh", "-c", "-root /fake"]
        XCTAssertEqual(
            CookieSource.releaseRoots(commandLines: [notBeam, release, plainErl, release, ["beam.smp", "-root"]]),
            ["/app", "/usr/lib/erlang"])
        // The same read from a /proc-like directory.
        for (pid, argv) in [("12", release), ("7", notBeam), ("30", plainErl)] {
            let d = dir.appendingPathComponent("proc/\(pid)")
            try FileManager.default.createDirectory(at: d, withIntermediateDirectories: true)
            try Data(argv.joined(separator: "\0").utf8 + [0]).write(to: d.appendingPathComponent("cmdline"))
        }
        XCTAssertEqual(CookieSource.runningReleaseRoots(proc: dir.appendingPathComponent("proc").path), ["/app", "/usr/lib/erlang"])
    }
}
