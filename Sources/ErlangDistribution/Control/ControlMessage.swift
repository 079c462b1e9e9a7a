import ErlangTerm

/// A distribution control message (`erl_dist_protocol.md` §"Protocol between connected nodes"; erts `dist.h`
/// `enum dop`). Trace-token variants (`*_TT`) decode to the plain case with the token dropped; PAYLOAD_* exit forms
/// decode to the same case as the tuple forms.
public enum ControlMessage: Hashable, Sendable {
    /// LINK (1): `{1, From, To}`.
    case link(from: Pid, to: Pid)
    /// SEND (2), SEND_TT (12), SEND_SENDER (22), SEND_SENDER_TT (23). `from` is nil for SEND.
    case send(from: Pid?, to: Pid, message: Term)
    /// EXIT (3), EXIT_TT (13), PAYLOAD_EXIT (24), PAYLOAD_EXIT_TT (25): a linked process died.
    case exit(from: Pid, to: Pid, reason: Term)
    /// UNLINK (4): obsolete, OTP < 26.
    case unlink(from: Pid, to: Pid)
    /// REG_SEND (6), REG_SEND_TT (16): to a registered name.
    case regSend(from: Pid, to: Atom, message: Term)
    /// GROUP_LEADER (7).
    case groupLeader(from: Pid, to: Pid)
    /// EXIT2 (8), EXIT2_TT (18), PAYLOAD_EXIT2 (26), PAYLOAD_EXIT2_TT (27): `exit(To, Reason)`.
    case exit2(from: Pid, to: Pid, reason: Term)
    /// MONITOR_P (19): `to` is a pid or (with DIST_MONITOR_NAME) an atom.
    case monitor(from: Pid, to: Term, ref: Reference)
    /// DEMONITOR_P (20).
    case demonitor(from: Pid, to: Term, ref: Reference)
    /// MONITOR_P_EXIT (21), PAYLOAD_MONITOR_P_EXIT (28): a monitored process died.
    case monitorExit(from: Term, to: Pid, ref: Reference, reason: Term)
    /// SPAWN_REQUEST (29), SPAWN_REQUEST_TT (30): `{29, ReqId, From, GroupLeader, {M, F, Arity}, Opts}` + ArgList.
    case spawnRequest(
        requestID: Reference, from: Pid, groupLeader: Pid, module: Atom, function: Atom, arity: Int, options: Term,
        arguments: Term)
    /// SPAWN_REPLY (31), SPAWN_REPLY_TT (32): `result` is the new pid or an error atom. Flags: 1 link, 2 monitor.
    case spawnReply(requestID: Reference, to: Pid, flags: Int, result: Term)
    /// ALIAS_SEND (33), ALIAS_SEND_TT (34).
    case aliasSend(from: Pid, alias: Reference, message: Term)
    /// UNLINK_ID (35): `id` is an integer in 1..2⁶⁴−1.
    case unlinkID(id: Term, from: Pid, to: Pid)
    /// UNLINK_ID_ACK (36).
    case unlinkIDAck(id: Term, from: Pid, to: Pid)
    /// A well-formed control tuple whose operation we do not handle (logged and ignored).
    case unknown(operation: Int, control: Term, message: Term?)

    /// Operation codes.
    public enum Operation: Int, Sendable {
        case link = 1, send = 2, exit = 3, unlink = 4, regSend = 6, groupLeader = 7, exit2 = 8
        case sendTT = 12, exitTT = 13, regSendTT = 16, exit2TT = 18
        case monitorP = 19, demonitorP = 20, monitorPExit = 21, sendSender = 22, sendSenderTT = 23
        case payloadExit = 24, payloadExitTT = 25, payloadExit2 = 26, payloadExit2TT = 27, payloadMonitorPExit = 28
        case spawnRequest = 29, spawnRequestTT = 30, spawnReply = 31, spawnReplyTT = 32
        case aliasSend = 33, aliasSendTT = 34, unlinkID = 35, unlinkIDAck = 36
    }

    /// The pass-through frame marker.
    public static let passThrough: UInt8 = 112  // 'p'

    // MARK: - Decoding

    /// Decodes a pass-through frame payload: `112, 131 Control [, 131 Message]`. Throws a protocol violation
    /// (stage `.connection`) for anything malformed.
    public static func decode(frame bytes: [UInt8], limits: ETFLimits = .default) throws(DistributionError)
        -> ControlMessage
    {
        guard let first = bytes.first else { throw violation("empty frame") }
        guard first == passThrough else {
            throw violation("frame starts with \(first), expected 112 (pass-through); no dist header was negotiated")
        }
        let decoder = ETFDecoder(limits: limits)
        let control: Term
        var message: Term?
        do {
            let (term, end): (Term, Int) = try bytes.withUnsafeBytes { raw throws(ETFError) in
                try decoder.decode(raw, at: 1, versionByte: true)
            }
            control = term
            if end < bytes.count {
                let (msg, end2): (Term, Int) = try bytes.withUnsafeBytes { raw throws(ETFError) in
                    try decoder.decode(raw, at: end, versionByte: true)
                }
                message = msg
                if end2 != bytes.count { throw violation("\(bytes.count - end2) bytes after the message term") }
            }
        } catch let e as ETFError {
            throw violation("bad term in control message: \(e)")
        } catch let e as DistributionError {
            throw e
        } catch {
            throw violation("\(error)")
        }
        return try parse(control: control, message: message)
    }

    /// Interprets a decoded control tuple and optional message term.
    public static func parse(control: Term, message: Term?) throws(DistributionError) -> ControlMessage {
        guard case .tuple(let t) = control, let opTerm = t.first, case .integer(let op) = opTerm else {
            throw violation("control message is not a tuple starting with an integer")
        }
        func pid(_ i: Int) throws(DistributionError) -> Pid {
            guard i < t.count, case .pid(let p) = t[i] else { throw violation("op \(op): element \(i) is not a pid") }
            return p
        }
        func ref(_ i: Int) throws(DistributionError) -> Reference {
            guard i < t.count, case .reference(let r) = t[i] else {
                throw violation("op \(op): element \(i) is not a reference")
            }
            return r
        }
        func arity(_ n: Int...) throws(DistributionError) {
            guard n.contains(t.count) else { throw violation("op \(op): tuple of arity \(t.count)") }
        }
        func msg() throws(DistributionError) -> Term {
            guard let message else { throw violation("op \(op): the message term is missing") }
            return message
        }
        func noMsg() throws(DistributionError) {
            if message != nil { throw violation("op \(op): unexpected message term") }
        }
        guard let operation = Operation(rawValue: op) else {
            return .unknown(operation: op, control: control, message: message)
        }
        switch operation {
        case .link:
            try arity(3); try noMsg()
            return .link(from: try pid(1), to: try pid(2))
        case .send, .sendTT:
            try arity(operation == .send ? 3 : 4)
            return .send(from: nil, to: try pid(2), message: try msg())
        case .sendSender, .sendSenderTT:
            try arity(operation == .sendSender ? 3 : 4)
            return .send(from: try pid(1), to: try pid(2), message: try msg())
        case .exit, .exitTT:
            try arity(operation == .exit ? 4 : 5); try noMsg()
            return .exit(from: try pid(1), to: try pid(2), reason: t[t.count - 1])
        case .payloadExit, .payloadExitTT:
            try arity(operation == .payloadExit ? 3 : 4)
            return .exit(from: try pid(1), to: try pid(2), reason: try msg())
        case .unlink:
            try arity(3); try noMsg()
            return .unlink(from: try pid(1), to: try pid(2))
        case .regSend, .regSendTT:
            try arity(operation == .regSend ? 4 : 5)
            guard case .atom(let name) = t[3] else { throw violation("REG_SEND: the name is not an atom") }
            return .regSend(from: try pid(1), to: name, message: try msg())
        case .groupLeader:
            try arity(3); try noMsg()
            return .groupLeader(from: try pid(1), to: try pid(2))
        case .exit2, .exit2TT:
            try arity(operation == .exit2 ? 4 : 5); try noMsg()
            return .exit2(from: try pid(1), to: try pid(2), reason: t[t.count - 1])
        case .payloadExit2, .payloadExit2TT:
            try arity(operation == .payloadExit2 ? 3 : 4)
            return .exit2(from: try pid(1), to: try pid(2), reason: try msg())
        case .monitorP:
            try arity(4); try noMsg()
            return .monitor(from: try pid(1), to: t[2], ref: try ref(3))
        case .demonitorP:
            try arity(4); try noMsg()
            return .demonitor(from: try pid(1), to: t[2], ref: try ref(3))
        case .monitorPExit:
            try arity(5); try noMsg()
            return .monitorExit(from: t[1], to: try pid(2), ref: try ref(3), reason: t[4])
        case .payloadMonitorPExit:
            try arity(4)
            return .monitorExit(from: t[1], to: try pid(2), ref: try ref(3), reason: try msg())
        case .spawnRequest, .spawnRequestTT:
            try arity(operation == .spawnRequest ? 6 : 7)
            guard case .tuple(let mfa) = t[4], mfa.count == 3, case .atom(let m) = mfa[0], case .atom(let f) = mfa[1],
                case .integer(let a) = mfa[2]
            else { throw violation("SPAWN_REQUEST: bad {M, F, Arity}") }
            return .spawnRequest(
                requestID: try ref(1), from: try pid(2), groupLeader: try pid(3), module: m, function: f, arity: a,
                options: t[5], arguments: try msg())
        case .spawnReply, .spawnReplyTT:
            try arity(operation == .spawnReply ? 5 : 6); try noMsg()
            guard case .integer(let flags) = t[3] else { throw violation("SPAWN_REPLY: flags are not an integer") }
            return .spawnReply(requestID: try ref(1), to: try pid(2), flags: flags, result: t[4])
        case .aliasSend, .aliasSendTT:
            try arity(operation == .aliasSend ? 3 : 4)
            return .aliasSend(from: try pid(1), alias: try ref(2), message: try msg())
        case .unlinkID:
            try arity(4); try noMsg()
            return .unlinkID(id: t[1], from: try pid(2), to: try pid(3))
        case .unlinkIDAck:
            try arity(4); try noMsg()
            return .unlinkIDAck(id: t[1], from: try pid(2), to: try pid(3))
        }
    }

    // MARK: - Encoding

    /// The control tuple and optional message term, in the non-PAYLOAD forms OTP accepts from any peer.
    public var terms: (control: Term, message: Term?) {
        func op(_ o: Operation) -> Term { .integer(o.rawValue) }
        switch self {
        case .link(let f, let t): return (.tuple([op(.link), .pid(f), .pid(t)]), nil)
        case .send(let f, let t, let m):
            if let f { return (.tuple([op(.sendSender), .pid(f), .pid(t)]), m) }
            return (.tuple([op(.send), .atom(""), .pid(t)]), m)
        case .exit(let f, let t, let r): return (.tuple([op(.exit), .pid(f), .pid(t), r]), nil)
        case .unlink(let f, let t): return (.tuple([op(.unlink), .pid(f), .pid(t)]), nil)
        case .regSend(let f, let name, let m): return (.tuple([op(.regSend), .pid(f), .atom(""), .atom(name)]), m)
        case .groupLeader(let f, let t): return (.tuple([op(.groupLeader), .pid(f), .pid(t)]), nil)
        case .exit2(let f, let t, let r): return (.tuple([op(.exit2), .pid(f), .pid(t), r]), nil)
        case .monitor(let f, let t, let r): return (.tuple([op(.monitorP), .pid(f), t, .reference(r)]), nil)
        case .demonitor(let f, let t, let r): return (.tuple([op(.demonitorP), .pid(f), t, .reference(r)]), nil)
        case .monitorExit(let f, let t, let r, let reason):
            return (.tuple([op(.monitorPExit), f, .pid(t), .reference(r), reason]), nil)
        case .spawnRequest(let id, let f, let gl, let m, let fn, let a, let opts, let args):
            return (
                .tuple([
                    op(.spawnRequest), .reference(id), .pid(f), .pid(gl),
                    .tuple([.atom(m), .atom(fn), .integer(a)]), opts,
                ]), args
            )
        case .spawnReply(let id, let t, let flags, let result):
            return (.tuple([op(.spawnReply), .reference(id), .pid(t), .integer(flags), result]), nil)
        case .aliasSend(let f, let a, let m): return (.tuple([op(.aliasSend), .pid(f), .reference(a)]), m)
        case .unlinkID(let id, let f, let t): return (.tuple([op(.unlinkID), id, .pid(f), .pid(t)]), nil)
        case .unlinkIDAck(let id, let f, let t): return (.tuple([op(.unlinkIDAck), id, .pid(f), .pid(t)]), nil)
        case .unknown(let o, let c, let m): _ = o; return (c, m)
        }
    }

    /// The pass-through payload `112, 131 Control [, 131 Message]` (without the 4-byte length).
    public func encodePayload() throws(DistributionError) -> [UInt8] {
        let (control, message) = terms
        var out: [UInt8] = [Self.passThrough]
        try Self.append(control, to: &out)
        if let message { try Self.append(message, to: &out) }
        return out
    }

    /// The complete frame: `Len:u32` + payload, encoded into one array (no payload copied into a frame).
    public func encodeFrame() throws(DistributionError) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(256)
        try encodeFrame(into: &out)
        return out
    }

    /// Appends the complete frame (`Len:u32` + payload) to `out`, so that many frames can go out in one write. On
    /// failure `out` may hold a partial frame after its original end; the caller truncates it.
    public func encodeFrame(into out: inout [UInt8]) throws(DistributionError) {
        let (control, message) = terms
        let start = out.count
        out.append(0); out.append(0); out.append(0); out.append(0)  // the length, written below
        out.append(Self.passThrough)
        try Self.append(control, to: &out)
        if let message { try Self.append(message, to: &out) }
        out.patchFrameLength(at: start)
    }

    /// A message term encoded once (`131 …`), to be framed with several control tuples by
    /// ``encodeFrame(control:encodedMessage:)``: a multicall sends every node the same argument list.
    public static func encodeMessage(_ message: Term) throws(DistributionError) -> [UInt8] {
        var out: [UInt8] = []
        try append(message, to: &out)
        return out
    }

    /// The complete frame of `control` (a control tuple, see ``terms``) followed by a message already encoded by
    /// ``encodeMessage(_:)``; the same bytes as ``encodeFrame()`` of the message with that control tuple.
    public static func encodeFrame(control: Term, encodedMessage: [UInt8]) throws(DistributionError) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(160 + encodedMessage.count)
        out.append(0); out.append(0); out.append(0); out.append(0)  // the length, written below
        out.append(passThrough)
        try append(control, to: &out)
        out.append(contentsOf: encodedMessage)
        out.patchFrameLength(at: 0)
        return out
    }

    /// Appends `131 Term` to `out`; a term the encoder refuses is a protocol violation of ours.
    private static func append(_ term: Term, to out: inout [UInt8]) throws(DistributionError) {
        do {
            try ETFEncoder().encode(term, into: &out, versionByte: true)
        } catch {
            throw DistributionError(.protocolViolation, stage: .connection, "cannot encode a control message: \(error)")
        }
    }

    private static func violation(_ message: String) -> DistributionError {
        DistributionError(.protocolViolation, stage: .connection, message)
    }
}

extension [UInt8] {
    /// Writes the 4-byte big-endian length of the frame that starts at `start` (its prefix already reserved) and
    /// ends at the end of the array.
    mutating func patchFrameLength(at start: Int) {
        let length = UInt32(truncatingIfNeeded: count - start - 4)
        self[start] = UInt8(truncatingIfNeeded: length >> 24); self[start + 1] = UInt8(truncatingIfNeeded: length >> 16)
        self[start + 2] = UInt8(truncatingIfNeeded: length >> 8); self[start + 3] = UInt8(truncatingIfNeeded: length)
    }
}
