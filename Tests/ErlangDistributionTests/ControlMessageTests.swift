@testable import ErlangDistribution
import ErlangTerm
import XCTest

/// ``ControlMessage`` encoding and decoding.
final class ControlMessageTests: XCTestCase {
    let me = Pid(node: "bc@vm", id: 1, serial: 1, creation: 5)
    let them = Pid(node: "rhA@vm", id: 80, serial: 0, creation: 9)

    func testControlRoundTrips() throws {
        let ref = Reference(node: "bc@vm", creation: 5, ids: [1, 2, 3])
        let all: [ControlMessage] = [
            .link(from: me, to: them), .send(from: nil, to: them, message: "hi"), .send(from: me, to: them, message: 1),
            .exit(from: me, to: them, reason: "normal"), .regSend(from: me, to: "rex", message: [1]),
            .exit2(from: me, to: them, reason: "kill"), .monitor(from: me, to: .pid(them), ref: ref),
            .monitor(from: me, to: "rex", ref: ref), .demonitor(from: me, to: .pid(them), ref: ref),
            .monitorExit(from: .pid(them), to: me, ref: ref, reason: "noproc"),
            .spawnRequest(requestID: ref, from: me, groupLeader: me, module: "erpc", function: "execute_call", arity: 4,
                          options: ["monitor"], arguments: [1, 2, 3, 4]),
            .spawnReply(requestID: ref, to: me, flags: 2, result: .pid(them)),
            .unlinkID(id: 1, from: me, to: them), .unlinkIDAck(id: 1, from: them, to: me),
        ]
        for msg in all {
            XCTAssertEqual(try ControlMessage.decode(frame: msg.encodePayload()), msg)
        }
        // PAYLOAD forms decode to the same cases.
        let payloadExit = try [112] + Term.tuple([24, .pid(them), .pid(me)]).etf() + Term.atom("boom").etf()
        XCTAssertEqual(try ControlMessage.decode(frame: payloadExit), .exit(from: them, to: me, reason: "boom"))
        let monExit = try [112] + Term.tuple([28, .pid(them), .pid(me), .reference(ref)]).etf() + Term.atom("x").etf()
        XCTAssertEqual(try ControlMessage.decode(frame: monExit), .monitorExit(from: .pid(them), to: me, ref: ref, reason: "x"))
        // Malformed known ops close the connection.
        let bad = try [112] + Term.tuple([2, "", "notapid"]).etf() + Term.atom("x").etf()
        XCTAssertThrowsError(try ControlMessage.decode(frame: bad))
        XCTAssertThrowsError(try ControlMessage.decode(frame: [131, 68, 0]))
    }
}
