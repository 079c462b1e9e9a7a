/// The initiator side of the version-6 distribution handshake, as a pure state machine
/// (`erl_dist_protocol.md` §"Distribution Handshake"; `dist_util:handshake_we_started/1`).
///
/// It never touches a socket: feed it events (``start()``, ``received(_:)``, ``peerClosed()``, ``timedOut()``) and
/// carry out the returned ``Action``. Payloads are unframed; the caller adds the 2-byte (TCP) or 4-byte (TLS) length.
/// Randomness (our challenge) comes in through the ``Configuration``.
public struct HandshakeStateMachine: Sendable {
    /// Everything the handshake needs from us.
    public struct Configuration: Sendable {
        /// Our full name `alive@host`; with ``dynamicName`` only the host part (the peer picks the alive part).
        public var ourName: String
        /// Ask the peer to name us (DFLAG_NAME_ME, creation 0, host-only name).
        public var dynamicName: Bool
        /// Flags we advertise.
        public var flags: DistributionFlags
        /// Our creation (nonzero); ignored with ``dynamicName``.
        public var creation: UInt32
        /// The cookie bytes. Never logged.
        public var cookie: [UInt8]
        /// The node we dialled; the peer's challenge must carry exactly this name. Nil skips the check.
        public var expectedPeerName: String?
        /// Our challenge for the peer (from a CSPRNG).
        public var ourChallenge: UInt32
        /// The answer to status `alive`: true replaces the peer's old connection from our name.
        public var replaceAliveConnection: Bool

        public init(
            ourName: String, dynamicName: Bool = false, flags: DistributionFlags = .defaultHidden,
            creation: UInt32, cookie: [UInt8], expectedPeerName: String?, ourChallenge: UInt32,
            replaceAliveConnection: Bool = true
        ) {
            self.ourName = ourName; self.dynamicName = dynamicName; self.flags = flags; self.creation = creation
            self.cookie = cookie; self.expectedPeerName = expectedPeerName; self.ourChallenge = ourChallenge
            self.replaceAliveConnection = replaceAliveConnection
        }
    }

    /// What a completed handshake established.
    public struct Result: Hashable, Sendable {
        /// The peer's full node name (from its challenge).
        public var peerName: String
        /// The peer's flags.
        public var peerFlags: DistributionFlags
        /// Our flags AND the peer's.
        public var negotiatedFlags: DistributionFlags
        /// The peer's creation.
        public var peerCreation: UInt32
        /// Our node name (assigned by the peer with a dynamic name).
        public var ourName: String
        /// Our creation (assigned by the peer with a dynamic name).
        public var ourCreation: UInt32
    }

    /// What to do next.
    public enum Action: Hashable, Sendable {
        /// Send this handshake message (unframed).
        case send([UInt8])
        /// Nothing to do; wait for the next message.
        case wait
        /// The handshake is complete: switch to 4-byte framing and go.
        case established(Result)
        /// The handshake failed: close the connection.
        case fail(DistributionError)
    }

    /// Handshake message tags.
    enum Tag: UInt8 {
        case sendNameV6 = 0x4E  // 'N': send_name (v6) and challenge (v6)
        case sendNameV5 = 0x6E  // 'n': legacy v5 send_name / challenge
        case status = 0x73  // 's'
        case challengeReply = 0x72  // 'r'
        case challengeAck = 0x61  // 'a'
    }

    enum State: Sendable {
        case idle
        case sentName
        case awaitingChallenge(ourName: String, ourCreation: UInt32)
        case sentChallengeReply(Result)
        case done
        case failed
    }

    public let configuration: Configuration
    private var state: State = .idle

    public init(configuration: Configuration) { self.configuration = configuration }

    /// The message we are waiting for (nil before ``start()`` and once the handshake ended).
    public var step: DistributionError.HandshakeStep? {
        switch state {
        case .sentName: return .status
        case .awaitingChallenge: return .challenge
        case .sentChallengeReply: return .challengeAck
        case .idle, .done, .failed: return nil
        }
    }

    /// True once the handshake succeeded or failed.
    public var isFinished: Bool {
        switch state {
        case .done, .failed: return true
        default: return false
        }
    }

    /// The connection is up: send our name.
    ///
    /// ```
    /// 'N'(1) Flags:u64 Creation:u32 Nlen:u16 Name
    /// ```
    public mutating func start() -> Action {
        guard case .idle = state else { preconditionFailure("start in \(state)") }
        var flags = configuration.flags
        var creation = configuration.creation
        if configuration.dynamicName {
            flags.insert(.nameMe)
            creation = 0
        } else {
            flags.remove(.nameMe)
        }
        flags.insert(.handshake23)
        let name = Array(configuration.ourName.utf8)
        var out: [UInt8] = [Tag.sendNameV6.rawValue]
        out.appendBE(flags.rawValue)
        out.appendBE(creation)
        out.appendBE(UInt16(truncatingIfNeeded: name.count))
        out.append(contentsOf: name)
        state = .sentName
        return .send(out)
    }

    /// A complete handshake message arrived (length prefix removed).
    public mutating func received(_ message: [UInt8]) -> Action {
        switch state {
        case .idle, .done, .failed:
            return fail(.protocolViolation, "unexpected handshake message after the handshake ended")
        case .sentName:
            return receivedStatus(message)
        case .awaitingChallenge(let ourName, let ourCreation):
            return receivedChallenge(message, ourName: ourName, ourCreation: ourCreation)
        case .sentChallengeReply(let result):
            return receivedAck(message, result: result)
        }
    }

    /// The peer closed the connection.
    public mutating func peerClosed() -> Action {
        switch state {
        case .sentChallengeReply:
            return fail(
                .cookieMismatch,
                "the peer closed the connection right after our challenge reply: the cookie is wrong "
                    + "(the peer logs 'Invalid challenge reply')")
        case .sentName:
            return fail(
                .closedByPeer,
                "the peer closed the connection before sending a status (is it a TLS distribution node, or an OTP "
                    + "release that does not accept our handshake?)")
        case .awaitingChallenge:
            return fail(.closedByPeer, "the peer closed the connection before sending its challenge")
        case .idle:
            return fail(.closedByPeer, "the peer closed the connection")
        case .done, .failed:
            return .wait
        }
    }

    /// A handshake step took too long.
    public mutating func timedOut() -> Action {
        switch state {
        case .done, .failed: return .wait
        case .sentChallengeReply:
            return fail(.handshakeTimeout, "no challenge acknowledgement from the peer in time")
        case .awaitingChallenge:
            return fail(.handshakeTimeout, "no challenge from the peer in time")
        case .sentName, .idle:
            return fail(.handshakeTimeout, "no handshake status from the peer in time")
        }
    }

    // MARK: - Steps

    private mutating func receivedStatus(_ message: [UInt8]) -> Action {
        guard message.first == Tag.status.rawValue else {
            let tag = message.first.map(String.init) ?? "none"
            return fail(.protocolViolation, "expected a status message ('s'), got tag \(tag)")
        }
        let body = Array(message.dropFirst())
        let text = String(decoding: body, as: UTF8.self)
        let ourName = configuration.ourName
        let ourCreation = configuration.creation
        switch text {
        case "ok", "ok_simultaneous":
            if configuration.dynamicName {
                return fail(.protocolViolation, "asked for a dynamic name but the peer answered '\(text)'")
            }
            state = .awaitingChallenge(ourName: ourName, ourCreation: ourCreation)
            return .wait
        case "nok":
            return fail(.nok, "the peer has its own connection attempt to us that wins ('nok'); retry later")
        case "not_allowed":
            return fail(
                .notAllowed,
                "the peer refused the connection ('not_allowed'): it requires flags we lack, or net_kernel:allow/1 "
                    + "excludes our name")
        case "alive":
            if configuration.replaceAliveConnection {
                state = .awaitingChallenge(ourName: ourName, ourCreation: ourCreation)
                return .send(Array("strue".utf8))
            }
            return fail(.alive, "the peer still has a connection from a node named \(ourName)")
        default:
            let prefix = Array("named:".utf8)
            if body.starts(with: prefix) {
                guard configuration.dynamicName else {
                    return fail(.protocolViolation, "the peer assigned a name we did not ask for")
                }
                var r = ByteReader(body, index: prefix.count)
                guard let nlen = r.u16(), let nameBytes = r.bytes(Int(nlen)), let creation = r.u32(),
                    let name = String(validating: nameBytes, as: UTF8.self), name.contains("@")
                else { return fail(.protocolViolation, "malformed 'named:' status") }
                state = .awaitingChallenge(ourName: name, ourCreation: creation)
                return .wait
            }
            return fail(.protocolViolation, "unknown handshake status '\(text.prefix(40))'")
        }
    }

    private mutating func receivedChallenge(_ message: [UInt8], ourName: String, ourCreation: UInt32) -> Action {
        guard let tag = message.first else { return fail(.protocolViolation, "empty challenge message") }
        if tag == Tag.sendNameV5.rawValue {
            return fail(.protocolViolation, "the peer sent a version-5 challenge (OTP 22 or older is not supported)")
        }
        guard tag == Tag.sendNameV6.rawValue else {
            return fail(.protocolViolation, "expected a challenge ('N'), got tag \(tag)")
        }
        var r = ByteReader(message, index: 1)
        guard let rawFlags = r.u64(), let challenge = r.u32(), let creation = r.u32(), let nlen = r.u16(),
            let nameBytes = r.bytes(Int(nlen))
        else { return fail(.protocolViolation, "truncated challenge message") }
        guard let peerName = String(validating: nameBytes, as: UTF8.self) else {
            return fail(.protocolViolation, "the peer's name is not valid UTF-8")
        }
        if let expected = configuration.expectedPeerName, expected != peerName {
            return fail(
                .nameMismatch, "dialled \(expected) but the peer calls itself \(peerName)", actualPeerName: peerName)
        }
        let peerFlags = DistributionFlags(rawValue: rawFlags)
        var effectivePeer = peerFlags
        if peerFlags.contains(.mandatory25Digest) { effectivePeer.formUnion(.mandatoryOTP25) }
        let missing = DistributionFlags.requiredFromPeer.subtracting(effectivePeer)
        if !missing.isEmpty {
            return fail(.missingPeerFlags, "the peer lacks required distribution flags \(missing)")
        }
        var ours = configuration.flags
        ours.remove(.nameMe)
        let result = Result(
            peerName: peerName, peerFlags: peerFlags, negotiatedFlags: ours.intersection(effectivePeer),
            peerCreation: creation, ourName: ourName, ourCreation: ourCreation)
        // 'r'(1) ChallengeA:u32 Digest:16
        var out: [UInt8] = [Tag.challengeReply.rawValue]
        out.appendBE(configuration.ourChallenge)
        out.append(contentsOf: HandshakeDigest.compute(challenge: challenge, cookie: configuration.cookie))
        state = .sentChallengeReply(result)
        return .send(out)
    }

    private mutating func receivedAck(_ message: [UInt8], result: Result) -> Action {
        guard message.count >= 17, message[0] == Tag.challengeAck.rawValue else {
            return fail(.protocolViolation, "expected a challenge acknowledgement ('a' + 16 bytes)")
        }
        let expected = HandshakeDigest.compute(challenge: configuration.ourChallenge, cookie: configuration.cookie)
        guard HandshakeDigest.constantTimeEqual(Array(message[1..<17]), expected) else {
            return fail(.badPeerDigest, "the peer's acknowledgement digest is wrong: it does not know our cookie")
        }
        state = .done
        return .established(result)
    }

    private mutating func fail(
        _ code: DistributionError.Code, _ message: String, actualPeerName: String? = nil
    ) -> Action {
        var e = error(code, message)
        e.actualPeerName = actualPeerName
        state = .failed
        return .fail(e)
    }

    /// A handshake error at the current step.
    private func error(_ code: DistributionError.Code, _ message: String) -> DistributionError {
        DistributionError(
            code, stage: .handshake, node: configuration.expectedPeerName, message, handshakeStep: step,
            expectedPeerName: configuration.expectedPeerName)
    }
}
