@testable import ErlangDistribution
import XCTest

/// ``NodeName``: parsing, parts, forms.
final class NodeNameTests: XCTestCase {
    func testParsesAliveAndHost() throws {
        let n = try XCTUnwrap(NodeName("myapp@10.0.1.5"))
        XCTAssertEqual(n.alive, "myapp")
        XCTAssertEqual(n.host, "10.0.1.5")
        XCTAssertEqual(n.description, "myapp@10.0.1.5")
        XCTAssertEqual(NodeName("a@b@c")?.host, "b@c", "split at the first @, as net_kernel does")
        XCTAssertEqual(NodeName(alive: "a", host: "h"), NodeName("a@h"))
    }

    func testRejectsNamesWithoutBothParts() {
        for bad in ["", "@", "a@", "@h", "noat"] {
            XCTAssertNil(NodeName(bad), bad)
        }
        XCTAssertNil(NodeName(alive: "a@b", host: "h"))
        XCTAssertThrowsError(try NodeName.parse("noat")) { e in
            XCTAssertEqual((e as? DistributionError)?.code, .badNodeName)
            XCTAssertEqual((e as? DistributionError)?.stage, .resolve)
        }
    }

    func testShortAndLongForms() {
        XCTAssertEqual(NodeName("a@vm")?.form, .short)
        XCTAssertEqual(NodeName("a@host.example")?.form, .long)
        XCTAssertEqual(NodeName("a@10.0.1.5")?.form, .long)
        XCTAssertEqual(NodeName("a@::1")?.form, .long)
    }
}

/// ``DialPlan``: each step's outcome → the next step, one per line.
final class DialPlanTests: XCTestCase {
    let node = NodeName("myapp@10.0.1.5")!
    func plan(port: Int? = nil) -> DialPlan { DialPlan(node: node, epmdPort: 4369, port: port) }
    func info(port: Int, version: UInt16 = 6) -> EPMDMessage.PortReply {
        .found(.init(port: port, nodeType: 72, protocolID: 0, highestVersion: version, lowestVersion: 5, name: "myapp",
                     extra: []))
    }

    func testHappyPath() {
        var p = plan()
        XCTAssertEqual(p.step, .resolve(host: "10.0.1.5"))
        XCTAssertEqual(p.handle(.resolved), .lookUpPort(alive: "myapp", host: "10.0.1.5", epmdPort: 4369))
        XCTAssertEqual(p.handle(.portReply(info(port: 9001))), .connect(host: "10.0.1.5", port: 9001))
        XCTAssertEqual(p.distributionPort, 9001)
        XCTAssertEqual(p.handle(.connected), .handshake(port: 9001))
        XCTAssertEqual(p.handle(.established), .done)
        XCTAssertEqual(p.trace.map(\.outcome), [.resolved, .portReply(info(port: 9001)), .connected, .established])
    }

    func testExplicitPortSkipsEPMD() {
        var p = plan(port: 9005)
        XCTAssertEqual(p.handle(.resolved), .connect(host: "10.0.1.5", port: 9005))
    }

    func testOldVersionFailsAtEPMD() {
        var p = plan()
        p.handle(.resolved)
        guard case .failed(let e) = p.handle(.portReply(info(port: 9001, version: 5))) else { return XCTFail() }
        XCTAssertEqual(e.code, .epmdProtocol)
        XCTAssertEqual(e.stage, .epmd)
        XCTAssertEqual(e.epmd?.highestVersion, 5)
    }

    func testUnknownNameAsksForNamesThenFails() {
        var p = plan()
        p.handle(.resolved)
        XCTAssertEqual(p.handle(.portReply(.notFound(result: 1))), .listNames(host: "10.0.1.5", epmdPort: 4369))
        guard case .failed(let e) = p.handle(.namesListed(["other"])) else { return XCTFail() }
        XCTAssertEqual(e.code, .nameNotRegistered)
        XCTAssertEqual(e.registeredNames, ["other"])
        XCTAssertEqual(e.epmd?.host, "10.0.1.5")
        XCTAssertEqual(e.epmd?.port, 4369)
        XCTAssertEqual(e.node, "myapp@10.0.1.5")
    }

    func testConnectFailuresNameTheConnectStage() {
        var p = plan(port: 9001)
        p.handle(.resolved)
        guard case .failed(let e) = p.handle(.connectFailed(.refused)) else { return XCTFail() }
        XCTAssertEqual(e.code, .connectRefused)
        XCTAssertEqual(e.stage, .connect)
        XCTAssertNotNil(e.errno)
    }

    func testAnyStepsFailurePassesThroughWithTheNode() {
        var p = plan()
        guard case .failed(let e) = p.handle(.failed(DistributionError(.hostNotFound, stage: .resolve, "nx"))) else {
            return XCTFail()
        }
        XCTAssertEqual(e.code, .hostNotFound)
        XCTAssertEqual(e.node, "myapp@10.0.1.5")
    }
}

/// ``DistributionError``: equality on code and stage, typed facts.
final class DistributionErrorTests: XCTestCase {
    func testEqualityIgnoresTheMessage() {
        let a = DistributionError(.epmdRefused, stage: .epmd, "one text")
        let b = DistributionError(.epmdRefused, stage: .epmd, "another", epmd: .init(host: "h", port: 1))
        XCTAssertEqual(a, b)
        XCTAssertEqual(Set([a, b]).count, 1)
        XCTAssertNotEqual(a, DistributionError(.epmdRefused, stage: .connect, "one text"))
    }

    func testHandshakeErrorsCarryTheirStepAndNames() {
        var m = HandshakeStateMachine(configuration: .init(
            ourName: "bc@h", creation: 5, cookie: Array("c".utf8), expectedPeerName: "a@h", ourChallenge: 1))
        _ = m.start()
        XCTAssertEqual(m.step, .status)
        _ = m.received(Array("sok".utf8))
        XCTAssertEqual(m.step, .challenge)
        var challenge: [UInt8] = [0x4E]
        challenge.appendBE(UInt64(0x0000000D_07DF7FBD)); challenge.appendBE(UInt32(1)); challenge.appendBE(UInt32(7))
        challenge.appendBE(UInt16(3)); challenge += Array("b@h".utf8)
        guard case .fail(let e) = m.received(challenge) else { return XCTFail() }
        XCTAssertEqual(e.code, .nameMismatch)
        XCTAssertEqual(e.handshakeStep, .challenge)
        XCTAssertEqual(e.expectedPeerName, "a@h")
        XCTAssertEqual(e.actualPeerName, "b@h")
    }

    func testRegisteredNamesLiveInTheEPMDFacts() {
        var e = DistributionError(.nameNotRegistered, stage: .epmd, "x", registeredNames: ["a", "b"])
        XCTAssertEqual(e.epmd?.registeredNames, ["a", "b"])
        e.registeredNames = ["c"]
        XCTAssertEqual(e.registeredNames, ["c"])
        XCTAssertEqual(DistributionError(.ioError, stage: .epmd, "x").registeredNames, [])
    }
}
