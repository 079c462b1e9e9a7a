// libFuzzer target: the frame parser (4-byte mode, drip-fed) and control-message decoding of every frame it
// yields, including pass-through, dist-header and fragment forms. The first byte picks the read size and whether the
// parser starts in handshake mode and switches after the first frame. A decoded message must re-encode, and the
// re-encoding must decode to the same message. Built only by scripts/fuzz.sh (BEAMCONSOLE_FUZZ=1).
import ErlangDistribution
import ErlangTerm

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let input = [UInt8](UnsafeRawBufferPointer(start: start, count: count))
    guard let selector = input.first else { return 0 }
    let stream = input.dropFirst()
    var limits = ETFLimits()
    limits.maxBinaryBytes = 1 << 16
    limits.maxInflatedBytes = 1 << 16
    limits.maxTerms = 1 << 14

    // The whole input as one frame payload.
    check(Array(stream), limits: limits)

    var parser = FrameParser(mode: selector & 1 != 0 ? .handshake : .connected, maxFrameSize: 1 << 16)
    var machine = ConnectionStateMachine(configuration: .init(), now: 0)
    let chunk = max(1, Int(selector >> 1))
    var index = stream.startIndex
    var now: UInt64 = 0
    var frames = 0
    while index < stream.endIndex {
        let end = min(stream.endIndex, index + chunk)
        parser.append(stream[index..<end])
        index = end
        while true {
            let before = parser.bufferedByteCount
            let frame: FrameParser.Frame?
            do {
                frame = try parser.next()
            } catch {
                precondition(error.code == .frameTooLarge)
                return 0
            }
            guard let frame else { break }
            precondition(parser.bufferedByteCount < before, "a frame consumed nothing")
            frames += 1
            if parser.mode == .handshake { parser.mode = .connected }
            now += 1
            if case .data(let payload) = frame { check(payload, limits: limits) }
            if case .close(let e) = machine.frameReceived(frame, now: now) {
                precondition(e.code == .protocolViolation && e.stage == .connection)
                return 0
            }
        }
    }
    return 0
}

func check(_ payload: [UInt8], limits: ETFLimits) {
    let message: ControlMessage
    do {
        message = try ControlMessage.decode(frame: payload, limits: limits)
    } catch {
        precondition(error.code == .protocolViolation && error.stage == .connection, "\(error)")
        return
    }
    guard let again = try? message.encodePayload() else { return }
    // Default limits: a compressed term within `limits` can re-encode larger than them.
    guard let back = try? ControlMessage.decode(frame: again) else {
        fatalError("our own encoding of \(message) did not decode")
    }
    precondition(back == message, "round trip changed \(message) into \(back)")
}
