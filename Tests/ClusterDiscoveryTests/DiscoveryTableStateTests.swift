import ClusterDiscovery
import XCTest

/// The discovery table over a connection state of its own, as a program without the distribution stack would use it:
/// only ``DiscoveryConnectionState`` and ``DiscoveryFailure`` are needed.
final class DiscoveryTableStateTests: XCTestCase {
    struct Failure: DiscoveryFailure {
        var codeText: String
        var stageText: String
    }

    enum State: DiscoveryConnectionState {
        case dialling
        case open
        case lost(Failure)
        case refused(Failure)

        var phase: DiscoveryConnectionPhase<Failure> {
            switch self {
            case .dialling: return .connecting
            case .open: return .up
            case .lost(let f): return .down(f)
            case .refused(let f): return .failed(f)
            }
        }
    }

    let t0 = Date(timeIntervalSince1970: 1_800_000_000)

    func testATableOverAnotherTransportsStates() {
        var t = DiscoveryTableOf<State>(ownNode: "me@h")
        t.retryBase = .seconds(1)
        let refused = Failure(codeText: "refused", stageText: "tcp")
        XCTAssertEqual(t.setSource(.static, nodes: ["a@h"], now: t0), [.connect("a@h"), .probeEPMD(address: "h")])
        t.applyConnection("a@h", .dialling, now: t0)
        XCTAssertEqual(t.retries(now: t0.addingTimeInterval(5)), [], "an attempt in flight is not retried")
        t.applyConnection("a@h", .refused(refused), now: t0, jitter: 0.5)
        XCTAssertEqual(t.nodes["a@h"]?.lastEvent, "failed at tcp: refused")
        XCTAssertEqual(t.retries(now: t0.addingTimeInterval(1)), [.connect("a@h")])
        t.applyConnection("a@h", .open, now: t0.addingTimeInterval(1))
        XCTAssertTrue(t.nodes["a@h"]?.isUp == true)
        let lost = Failure(codeText: "tick_timeout", stageText: "connection")
        t.applyConnection("a@h", .lost(lost), now: t0.addingTimeInterval(2))
        XCTAssertEqual(t.events.last?.kind, .nodeDown(node: "a@h", reason: lost))
        XCTAssertEqual(t.nodes["a@h"]?.lastDown, lost)
    }
}
