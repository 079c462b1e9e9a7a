// libFuzzer target: the initiator handshake fed an arbitrary peer byte stream. The first byte picks the
// configuration (dynamic name, answer to 'alive', whether the peer name is checked) and how the stream is cut into
// reads; the rest is what the peer sends: 2-byte-length handshake frames, then (once established) 4-byte frames.
// Every input must end in success or a typed DistributionError, never a crash or a hang.
// Built only by scripts/fuzz.sh (BEAMCONSOLE_FUZZ=1).
import ErlangDistribution
import ErlangTerm

/// The cookie and our challenge are fixed so that seeds can carry a valid challenge_ack.
let cookie = Array("fuzzcookie".utf8)
let ourChallenge: UInt32 = 0x1234_5678

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let input = [UInt8](UnsafeRawBufferPointer(start: start, count: count))
    guard let selector = input.first else { return 0 }
    let stream = input.dropFirst()
    let dynamic = selector & 1 != 0
    var machine = HandshakeStateMachine(
        configuration: .init(
            ourName: dynamic ? "127.0.0.1" : "fuzz@127.0.0.1", dynamicName: dynamic, creation: 0x0102_0304,
            cookie: cookie, expectedPeerName: selector & 2 != 0 ? nil : "peer@127.0.0.1", ourChallenge: ourChallenge,
            replaceAliveConnection: selector & 4 == 0))
    var parser = FrameParser(mode: .handshake, maxFrameSize: 1 << 16)
    var connection: ConnectionStateMachine?
    var limits = ETFLimits()
    limits.maxBinaryBytes = 1 << 16
    limits.maxInflatedBytes = 1 << 16
    limits.maxTerms = 1 << 14
    guard case .send(let sendName) = machine.start(), sendName.first == 0x4E else { fatalError("start did not send 'N'") }
    let chunk = max(1, Int(selector >> 3))  // 1...31 bytes per read
    var finished = false
    var index = stream.startIndex
    var now: UInt64 = 1_000
    reading: while index < stream.endIndex && !finished {
        let end = min(stream.endIndex, index + chunk)
        parser.append(stream[index..<end])
        index = end
        while true {
            let frame: FrameParser.Frame?
            do {
                frame = try parser.next()
            } catch {
                precondition(error.code == .frameTooLarge, "frame parser threw \(error.code)")
                finished = true
                break reading
            }
            guard let frame else { break }
            now += 1
            if var c = connection {
                let action = c.frameReceived(frame, now: now)
                connection = c
                if case .close(let e) = action {
                    precondition(e.stage == .connection, "connection failure at stage \(e.stage)")
                    finished = true
                    break reading
                }
                continue
            }
            guard case .data(let bytes) = frame else { fatalError("tick in handshake mode") }
            switch machine.received(bytes) {
            case .wait, .send:
                precondition(!machine.isFinished, "finished machine asked to continue")
            case .established(let result):
                precondition(machine.isFinished)
                precondition(!result.peerName.isEmpty || selector & 2 != 0)
                parser.mode = .connected
                connection = ConnectionStateMachine(configuration: .init(), now: now)
            case .fail(let error):
                precondition(error.stage == .handshake, "handshake failure at stage \(error.stage)")
                precondition(machine.isFinished, "failed machine is not finished")
                finished = true
                break reading
            }
        }
    }
    // The stream ends: the peer closes or the step timer fires. Both must be answered without trapping.
    if connection == nil {
        var m2 = machine
        switch m2.timedOut() {
        case .fail(let e): precondition(e.stage == .handshake)
        case .wait: precondition(machine.isFinished)
        default: fatalError("timedOut did not fail")
        }
        switch machine.peerClosed() {
        case .fail(let e): precondition(e.stage == .handshake)
        case .wait: precondition(machine.isFinished)
        default: fatalError("peerClosed did not fail")
        }
    } else if var c = connection {
        _ = c.timerFired(now: now + 1)
        _ = c.peerClosed()
    }
    return 0
}
