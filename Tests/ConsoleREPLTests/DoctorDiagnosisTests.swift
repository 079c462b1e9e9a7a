import ConsoleREPL
import ErlangDistribution
import Foundation
import XCTest

/// The pure mapping from observations to stages: one expectation per failure, no I/O.
final class DoctorDiagnosisTests: XCTestCase {
    let context = DoctorContext(ownName: "beamconsole_x@10.0.1.7", cookieHash: "0123456789ab")
    let node = "myapp@10.0.1.5"

    func observation(
        dns: DoctorObservation.DNS = .addressLiteral("10.0.1.5"), epmd: DoctorObservation.EPMD? = nil,
        tcp: NetworkProbe.TCPOutcome? = nil, handshake: DoctorObservation.Handshake? = nil,
        ticks: DoctorObservation.Ticks? = nil, hash: DoctorObservation.RemoteCookieHash? = nil
    ) -> DoctorObservation {
        DoctorObservation(
            node: node, host: "10.0.1.5", epmdPort: 4369, dns: dns, epmd: epmd, distTCP: tcp, handshake: handshake,
            ticks: ticks, remoteCookieHash: hash)
    }

    let found = DoctorObservation.EPMD.found(port: 9000, highestVersion: 6, lowestVersion: 6)
    let healthyTicks = DoctorObservation.Ticks(roundTrip: .success(.milliseconds(1)), peerTickTime: 60, stillUp: true)

    func statuses(_ r: DoctorTargetReport) -> [String] { r.stages.map { "\($0.kind.rawValue):\($0.status.rawValue)" } }

    func diagnose(_ o: DoctorObservation) -> DoctorTargetReport { DoctorDiagnosis.diagnose(o, context: context) }

    func testHealthyNodeIsAllOkWithTLSSkippedAndTheSameCookieHash() {
        let r = diagnose(observation(epmd: found, tcp: .open, handshake: .established, ticks: healthyTicks,
                                     hash: .hash("0123456789ab")))
        XCTAssertEqual(statuses(r), [
            "dns:ok", "tcp_epmd:ok", "epmd_name:ok", "tcp_dist:ok", "tls:skipped", "handshake:ok", "challenge:ok",
            "cookie:ok", "ticks:ok",
        ])
        XCTAssertTrue(r.ok)
        XCTAssertEqual(r.peerCookieHash, "0123456789ab")
        XCTAssertTrue(r.stage(.cookie)!.detail.contains("the same as ours"))
        XCTAssertTrue(r.stage(.distTCP)!.detail.contains("inside 9000-9010"))
        XCTAssertEqual(r.stage(.tls)!.detail, "skipped: plain TCP distribution")
        XCTAssertTrue(r.stage(.ticks)!.detail.contains("net_ticktime 60 s"), r.stage(.ticks)!.detail)
    }

    func testEachStageNamesWhereItStopped() {
        // (observation, failing stage, a phrase its fix must contain)
        let cases: [(DoctorObservation, DoctorStageKind, String)] = [
            (observation(dns: .resolved(host: "ip-10-0-1-5", .init(addresses: [], failure: "Name or service not known",
                                                                   notFound: true))),
             .dns, "RELEASE_DISTRIBUTION=name"),
            (observation(dns: .queryFailed(query: "myapp.organization.local", code: "nxdomain", message: "NXDOMAIN",
                                           poll: 1)),
             .dns, "not Service Connect"),
            (observation(dns: .queryEmpty(query: "myapp.organization.local", poll: 2)), .dns, "serviceRegistries"),
            (observation(epmd: .failed(DistributionError(.epmdTimeout, stage: .epmd, "timed out"))),
             .epmdTCP, "allow TCP 4369 between tasks in the security group"),
            (observation(epmd: .failed(DistributionError(.epmdRefused, stage: .epmd, "refused"))),
             .epmdTCP, "allow TCP 4369"),
            (observation(epmd: .notRegistered(names: ["other", "worker"])),
             .epmdName, "RELEASE_NODE's basename is myapp but EPMD on 10.0.1.5 has [other, worker]"),
            (observation(epmd: .found(port: 9000, highestVersion: 5, lowestVersion: 5)), .epmdName, "OTP 23"),
            (observation(epmd: found, tcp: .timedOut), .distTCP, "allow TCP 9000-9010"),
            (observation(epmd: .found(port: 41234, highestVersion: 6, lowestVersion: 6), tcp: .timedOut),
             .distTCP, "inet_dist_listen_min 9000"),
            (observation(epmd: found, tcp: .refused), .distTCP, "restart"),
            (observation(epmd: found, tcp: .open,
                         handshake: .failed(DistributionError(.notAllowed, stage: .handshake, "not_allowed"))),
             .handshake, "net_kernel:allow"),
            (observation(epmd: found, tcp: .open,
                         handshake: .failed(DistributionError(.cookieMismatch, stage: .handshake, "closed"))),
             .cookie, "set the same RELEASE_COOKIE on every task"),
            (observation(epmd: found, tcp: .open, handshake: .failed(DistributionError(
                .nameMismatch, stage: .handshake, "dialled myapp@10.0.1.5 but the peer calls itself myapp@ip-10-0-1-5",
                handshakeStep: .challenge, expectedPeerName: "myapp@10.0.1.5", actualPeerName: "myapp@ip-10-0-1-5"))),
             .challenge, "RELEASE_DISTRIBUTION=name"),
            (observation(epmd: found, tcp: .open, handshake: .established,
                         ticks: .init(roundTrip: .success(.milliseconds(1)), peerTickTime: 8, stillUp: true)),
             .ticks, "net_ticktime"),
            (observation(epmd: found, tcp: .open, handshake: .established,
                         ticks: .init(roundTrip: .failure(DistributionError(.closedByPeer, stage: .connection, "closed")),
                                      peerTickTime: nil, stillUp: false)),
             .ticks, "log"),
        ]
        for (o, kind, fix) in cases {
            let r = diagnose(o)
            XCTAssertFalse(r.ok)
            XCTAssertEqual(r.failure?.kind, kind, "\(o)")
            XCTAssertNotNil(r.failure?.cause, "\(kind)")
            XCTAssertTrue(r.failure?.fix?.contains(fix) == true, "\(kind): \(r.failure?.fix ?? "no fix")")
            // Exactly one failure; everything after it is not reached, everything before it ok or skipped.
            let i = r.stages.firstIndex { $0.status == .failed }!
            XCTAssertEqual(r.stages.count, DoctorStageKind.allCases.count)
            XCTAssertEqual(r.stages.map(\.kind), DoctorStageKind.allCases)
            XCTAssertTrue(r.stages[..<i].allSatisfy { $0.status == .ok || $0.status == .skipped }, "\(statuses(r))")
            XCTAssertTrue(r.stages[(i + 1)...].allSatisfy { $0.status == .notReached }, "\(statuses(r))")
        }
    }

    func testShortVersusLongNamesAndAPlainRename() {
        let short = diagnose(observation(epmd: found, tcp: .open, handshake: .failed(DistributionError(
            .nameMismatch, stage: .handshake, "dialled myapp@10.0.1.5 but the peer calls itself myapp@ip-10-0-1-5",
                handshakeStep: .challenge, expectedPeerName: "myapp@10.0.1.5", actualPeerName: "myapp@ip-10-0-1-5"))))
        XCTAssertTrue(short.failure!.cause!.hasPrefix("short vs long names"), short.failure!.cause!)
        let renamed = diagnose(observation(epmd: found, tcp: .open, handshake: .failed(DistributionError(
            .nameMismatch, stage: .handshake, "dialled myapp@10.0.1.5 but the peer calls itself other@10.0.1.5",
                handshakeStep: .challenge, expectedPeerName: "myapp@10.0.1.5", actualPeerName: "other@10.0.1.5"))))
        XCTAssertTrue(renamed.failure!.fix!.contains("dial other@10.0.1.5"), renamed.failure!.fix!)
    }

    func testNokFromALongNameNodeToOurShortNameIsANameFormMismatch() {
        let nok = DoctorObservation.Handshake.failed(DistributionError(.nok, stage: .handshake, "nok"))
        let short = DoctorDiagnosis.diagnose(
            observation(epmd: found, tcp: .open, handshake: nok),
            context: DoctorContext(ownName: "beamconsole_x@vm", cookieHash: "0123456789ab"))
        XCTAssertEqual(short.failure?.kind, .handshake)
        XCTAssertTrue(short.failure!.fix!.contains("--name"), short.failure!.fix!)
        let long = diagnose(observation(epmd: found, tcp: .open, handshake: nok))
        XCTAssertEqual(long.failure?.fix, "run doctor again")
    }

    func testNoNamesRegisteredSaysTheReleaseIsNotRunning() {
        let r = diagnose(observation(epmd: .notRegistered(names: [])))
        XCTAssertEqual(r.failure?.kind, .epmdName)
        XCTAssertTrue(r.failure!.cause!.contains("no distributed node runs"))
    }

    func testDNSRecordShowsTheQueryAndTTL() {
        let r = diagnose(observation(
            dns: .record(query: "myapp.organization.local", type: "A", address: "10.0.1.5", ttl: 10, poll: 3),
            epmd: found, tcp: .open, handshake: .alreadyConnected, ticks: healthyTicks))
        XCTAssertTrue(r.ok)
        XCTAssertEqual(r.stage(.dns)?.detail, "A record of myapp.organization.local → 10.0.1.5, TTL 10 s (poll #3)")
        XCTAssertEqual(r.stage(.handshake)?.detail, "already connected")
    }

    func testAQueryThatNamedNoNodeIsATargetOfItsOwn() {
        let r = DoctorDiagnosis.queryFailure(
            query: "myapp.organization.local",
            dns: .queryFailed(query: "myapp.organization.local", code: "nxdomain", message: "NXDOMAIN", poll: 1),
            context: context)
        XCTAssertEqual(r.node, "myapp.organization.local")
        XCTAssertEqual(r.failure?.kind, .dns)
        XCTAssertEqual(r.stages.filter { $0.status == .notReached }.count, DoctorStageKind.allCases.count - 1)
    }

    func testOpenPortOutsideTheRangeIsOkWithANote() {
        let r = diagnose(observation(
            epmd: .found(port: 41234, highestVersion: 6, lowestVersion: 6), tcp: .open, handshake: .established,
            ticks: healthyTicks))
        XCTAssertTrue(r.ok)
        XCTAssertTrue(r.stage(.distTCP)!.detail.contains("outside 9000-9010"))
    }

    func testADifferentPeerCookieHashAfterASuccessfulHandshakeIsExplained() {
        let r = diagnose(observation(epmd: found, tcp: .open, handshake: .established, ticks: healthyTicks,
                                     hash: .hash("ffffffffffff")))
        XCTAssertTrue(r.ok)
        XCTAssertTrue(r.stage(.cookie)!.detail.contains("set_cookie"))
    }

    /// The handshake machine's own errors land on the right stage (by code, else by their handshake step).
    func testRealHandshakeErrorsMapToTheirStage() {
        func machine() -> HandshakeStateMachine {
            HandshakeStateMachine(configuration: .init(
                ourName: "bc@h", dynamicName: false, flags: .defaultHidden, creation: 5,
                cookie: Array("c".utf8), expectedPeerName: "a@h", ourChallenge: 1))
        }
        func error(_ a: HandshakeStateMachine.Action) -> DistributionError? {
            if case .fail(let e) = a { return e }
            return nil
        }
        var m = machine()
        _ = m.start()
        XCTAssertEqual(DoctorDiagnosis.stageOfHandshakeError(error(m.peerClosed())!), .handshake)
        m = machine()
        _ = m.start()
        XCTAssertEqual(DoctorDiagnosis.stageOfHandshakeError(error(m.timedOut())!), .handshake)
        m = machine()
        _ = m.start()
        _ = m.received(Array("sok".utf8))
        XCTAssertEqual(DoctorDiagnosis.stageOfHandshakeError(error(m.peerClosed())!), .challenge)
        m = machine()
        _ = m.start()
        _ = m.received(Array("sok".utf8))
        XCTAssertEqual(DoctorDiagnosis.stageOfHandshakeError(error(m.timedOut())!), .challenge)
    }

    func testTextAndJSONNeverContainTheCookieAndCarryEveryStage() throws {
        let cookie = "supersecretcookie"
        let ctx = DoctorContext(ownName: "bc@h", cookieHash: CookieFingerprint.of(cookie))
        let bad = DoctorDiagnosis.diagnose(observation(epmd: found, tcp: .open, handshake: .failed(DistributionError(
            .cookieMismatch, stage: .handshake, "closed"))), context: ctx)
        let report = DoctorReport(local: "bc@h", cookieHash: ctx.cookieHash, targets: [bad])
        XCTAssertFalse(report.ok)
        let text = DoctorView.render(report, color: true)
        XCTAssertTrue(text.contains("\u{1B}[31m✗\u{1B}[0m cookie"), text)
        XCTAssertTrue(text.contains("\u{1B}[32m✓\u{1B}[0m DNS"), text)
        XCTAssertFalse(DoctorView.render(report, color: false).contains("\u{1B}"))
        let json = DoctorView.json(report)
        for out in [text, json] {
            XCTAssertFalse(out.contains(cookie))
            XCTAssertTrue(out.contains(ctx.cookieHash))
        }
        let obj = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        XCTAssertEqual(
            Set(obj.keys),
            ["local", "cookie_hash", "cookie_hash_expression", "dns_query", "ok", "healthy", "cluster", "targets"])
        let target = try XCTUnwrap((obj["targets"] as? [[String: Any]])?.first)
        XCTAssertEqual(target["failed_stage"] as? String, "cookie")
        let stages = try XCTUnwrap(target["stages"] as? [[String: Any]])
        XCTAssertEqual(stages.map { $0["name"] as? String }, DoctorStageKind.allCases.map(\.rawValue))
        XCTAssertEqual(Set(stages[0].keys), ["name", "status", "detail", "cause", "fix"])
        XCTAssertEqual(stages.last?["status"] as? String, "not_reached")
    }

    func testCookieFingerprintIsSHA256OfTheCookieBytes() {
        // printf %s secret | sha256sum → 2bb80d537b1da3e38bd30361aa855686bde0eacd7162fef6a25fe97bf527a25b
        XCTAssertEqual(CookieFingerprint.of("secret"), "2bb80d537b1d")
    }
}
