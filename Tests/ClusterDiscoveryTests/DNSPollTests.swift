@testable import ClusterDiscovery
import XCTest

/// The DNSPoll model against libcluster's semantics, one poll per line.
final class DNSPollTests: XCTestCase {
    let config = DNSPollConfiguration(query: "myapp.organization.local", basename: "myapp", ownNode: "myapp@10.0.0.1")

    func answer(_ ips: [String]) -> Result<DNSAnswer, DNSError> {
        .success(DNSAnswer(
            name: config.query, type: .a, records: ips.map { DNSRecord(value: $0, ttl: 10) }, servers: ["10.0.0.2:53"],
            latency: .milliseconds(1)))
    }
    var servfail: Result<DNSAnswer, DNSError> {
        .failure(DNSError(code: .serverFailure, name: config.query, type: .a, servers: [], detail: "SERVFAIL"))
    }

    func testFormsNodeNamesAndLeavesOutOurOwn() {
        var s = DNSPollState(configuration: config)
        let r = s.record([answer(["10.0.0.1", "10.0.0.5", "10.0.0.7"])])
        XCTAssertEqual(r.nodes, ["myapp@10.0.0.5", "myapp@10.0.0.7"])
        XCTAssertEqual(r.added, ["myapp@10.0.0.5", "myapp@10.0.0.7"])
        XCTAssertEqual(r.libclusterConnects, ["myapp@10.0.0.5", "myapp@10.0.0.7"])
        XCTAssertEqual(r.warnings, [])
    }

    func testScaleUpAndDown() {
        var s = DNSPollState(configuration: config)
        _ = s.record([answer(["10.0.0.5"])])
        var r = s.record([answer(["10.0.0.5", "10.0.0.6"])])
        XCTAssertEqual(r.added, ["myapp@10.0.0.6"])
        XCTAssertEqual(r.removed, [])
        r = s.record([answer(["10.0.0.6"])])
        XCTAssertEqual(r.removed, ["myapp@10.0.0.5"])
        XCTAssertEqual(r.libclusterDisconnects, ["myapp@10.0.0.5"])
    }

    func testEmptyOrFailedAnswerKeepsLastKnownAndSaysWhatLibclusterWouldDo() {
        var s = DNSPollState(configuration: config)
        _ = s.record([answer(["10.0.0.5", "10.0.0.6"])])
        var r = s.record([servfail])
        XCTAssertEqual(r.nodes, ["myapp@10.0.0.5", "myapp@10.0.0.6"])
        XCTAssertEqual(r.removed, [])
        XCTAssertEqual(r.libclusterDisconnects, ["myapp@10.0.0.5", "myapp@10.0.0.6"])
        guard case .failedAnswer(_, let n)? = r.warnings.first else { return XCTFail("\(r.warnings)") }
        XCTAssertEqual(n, 2)
        XCTAssertTrue(r.warnings[0].description.contains("libcluster DNSPoll would disconnect all 2 DNS-found peers"))
        // The next good answer: libcluster reconnects everything, we see no change.
        r = s.record([answer(["10.0.0.5", "10.0.0.6"])])
        XCTAssertEqual(r.libclusterConnects, ["myapp@10.0.0.5", "myapp@10.0.0.6"])
        XCTAssertEqual(r.added, [])
        r = s.record([answer([])])
        XCTAssertEqual(r.warnings, [.emptyAnswer(wouldDisconnect: 2)])
    }

    func testEightRecordsDuplicatesAndShortNames() {
        var s = DNSPollState(configuration: DNSPollConfiguration(query: "q", basename: "myapp", shortNames: true))
        let r = s.record([answer((1...7).map { "10.0.0.\($0)" } + ["10.0.0.1"])])
        XCTAssertTrue(r.warnings.contains(.eightRecords))
        XCTAssertTrue(r.warnings.contains(.duplicateAddresses(["10.0.0.1"])))
        XCTAssertTrue(r.warnings.contains(.shortNamesUnderDNSPoll))
    }

    func testChurn() {
        var s = DNSPollState(configuration: config)
        _ = s.record([answer(["10.0.0.5", "10.0.0.6"])])
        _ = s.record([answer(["10.0.0.5"])])
        let r = s.record([answer(["10.0.0.5", "10.0.0.6"])])
        XCTAssertEqual(r.warnings, [.churn(["10.0.0.6"])])
    }

    func testNoDataForOneTypeIsNotAFailure() {
        var s = DNSPollState(configuration: config)
        let noAAAA: Result<DNSAnswer, DNSError> = .failure(
            DNSError(code: .noData, name: config.query, type: .aaaa, servers: [], detail: ""))
        let r = s.record([answer(["10.0.0.5"]), noAAAA])
        XCTAssertEqual(r.errors, [])
        XCTAssertEqual(r.nodes, ["myapp@10.0.0.5"])
    }

    func testIPv6Literal() {
        let c = DNSPollConfiguration(query: "q", basename: "myapp", recordTypes: [.aaaa])
        XCTAssertEqual(c.nodeName(for: "fd00::5"), "myapp@fd00::5")
    }
}
