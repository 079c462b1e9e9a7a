import ErlangTerm

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// The hot path of ``BlockingNode``'s calls without `Term` trees: requests are written byte by byte straight into the
/// connection's output buffer, and the headers of the replies (rex: `SEND`/`SEND_SENDER` to our pid, `{Ref, Result}`;
/// erpc: SPAWN_REPLY, and the DOWN whose reason is `{ResultRef, return, Value}`) are read in place, so that only the
/// result itself is decoded. The general path builds a tree for the whole control message
/// and its message, and decodes every reply into one: for `erlang:node()` that was most of a call's instructions.
///
/// The bytes are those ``ControlMessage/encodeFrame()`` writes for the same message (ETF as `term_to_binary` writes
/// it on OTP 25: `SMALL_ATOM_UTF8_EXT`, `NEW_PID_EXT`, `NEWER_REFERENCE_EXT`; `erl_ext_dist.md`), and a test checks
/// them against it. Anything the reader does not recognise goes the general way (``ControlMessage/decode(frame:limits:)``),
/// which also reports the peer's malformed frames: the reader never fails, it only declines.
final class CallCodec {
    /// Our node name as an atom (`SMALL_ATOM_UTF8_EXT`), owned by the codec.
    private let nodeAtom: UnsafeRawBufferPointer
    private let creation: UInt32

    /// nil when our node name is too long for `SMALL_ATOM_UTF8_EXT` (then every call takes the general path).
    init?(node: String, creation: UInt32) {
        let utf8 = Array(node.utf8)
        guard utf8.count <= 255 else { return nil }
        let atom = UnsafeMutableRawBufferPointer.allocate(byteCount: utf8.count + 2, alignment: 1)
        atom[0] = ETFTag.smallAtomUTF8.rawValue
        atom[1] = UInt8(utf8.count)
        for (i, b) in utf8.enumerated() { atom[2 + i] = b }
        nodeAtom = UnsafeRawBufferPointer(atom)
        self.creation = creation
    }

    deinit { nodeAtom.deallocate() }

    // MARK: - Requests

    /// Appends `request` as one frame (``RemoteCall/Request/controlMessage``'s bytes). Returns false (and leaves
    /// `out` as it was) when an atom is too long or an argument cannot be encoded; the general path then reports the
    /// error.
    func append(_ request: RemoteCall.Request, into out: inout [UInt8]) -> Bool {
        switch request.method {
        case .rex:
            return appendRexRequest(
                from: request.from, tag: request.tag, module: request.module, function: request.function,
                arguments: request.arguments, groupLeader: request.groupLeader, into: &out)
        case .erpc:
            return appendErpcRequest(
                requestID: request.tag, from: request.from, groupLeader: request.groupLeader!,
                resultRef: request.resultRef!, module: request.module, function: request.function,
                arguments: request.arguments, into: &out)
        }
    }

    private var pidSize: Int { 13 + nodeAtom.count }
    private func referenceSize(_ r: Reference) -> Int { 7 + nodeAtom.count + 4 * r.ids.count }
    private static func atomSize(_ a: Atom) -> Int? {
        let n = a.name.utf8.count
        return n <= 255 ? 2 + n : nil
    }

    /// REG_SEND to `rex`: `{6, From, '', rex}` + `{'$gen_call', {From, Tag}, {call, M, F, Args, GL | user}}`, as
    /// one frame. Returns false (and leaves `out` as it was) when an atom is too long or an argument cannot be encoded;
    /// the general path then reports the error.
    func appendRexRequest(
        from: Pid, tag: Reference, module: Atom, function: Atom, arguments: [Term], groupLeader: Pid?,
        into out: inout [UInt8]
    ) -> Bool {
        guard let moduleSize = Self.atomSize(module), let functionSize = Self.atomSize(function) else { return false }
        let start = out.count
        let headSize = Self.regSendFrameHead.count + pidSize + Self.emptyAtomAndRex.count + Self.genCallHeader.count
            + pidSize
            + referenceSize(tag) + Self.callHeader.count + moduleSize + functionSize
        out.reserveCapacity(start + headSize + 64 + (groupLeader == nil ? 6 : pidSize))
        append(headSize, to: &out) { w in
            w.bytes(Self.regSendFrameHead)
            pid(from, &w)
            w.bytes(Self.emptyAtomAndRex)
            w.bytes(Self.genCallHeader)
            pid(from, &w)
            reference(tag, &w)
            w.bytes(Self.callHeader)
            Self.atom(module, &w)
            Self.atom(function, &w)
        }
        guard Self.appendList(arguments, &out) else {
            out.removeSubrange(start...)
            return false
        }
        if let groupLeader {
            append(pidSize, to: &out) { w in pid(groupLeader, &w) }
        } else {
            out.append(contentsOf: Self.userAtom)
        }
        out.patchFrameLength(at: start)
        return true
    }

    /// SPAWN_REQUEST of `erpc:execute_call/4` with a monitor: `{29, ReqId, From, GL, {erpc, execute_call, 4},
    /// [monitor]}` + `[ResultRef, M, F, Args]`, as one frame. Returns false as ``appendRexRequest(from:tag:module:function:arguments:groupLeader:into:)`` does.
    func appendErpcRequest(
        requestID: Reference, from: Pid, groupLeader: Pid, resultRef: Reference, module: Atom, function: Atom,
        arguments: [Term], into out: inout [UInt8]
    ) -> Bool {
        guard let moduleSize = Self.atomSize(module), let functionSize = Self.atomSize(function) else { return false }
        let start = out.count
        let headSize = Self.spawnRequestFrameHead.count + referenceSize(requestID) + 2 * pidSize
            + Self.erpcSpawnTail.count + Self.erpcArgumentsHead.count
            + referenceSize(resultRef) + moduleSize + functionSize
        out.reserveCapacity(start + headSize + 64)
        append(headSize, to: &out) { w in
            w.bytes(Self.spawnRequestFrameHead)
            reference(requestID, &w)
            pid(from, &w)
            pid(groupLeader, &w)
            w.bytes(Self.erpcSpawnTail)
            w.bytes(Self.erpcArgumentsHead)
            reference(resultRef, &w)
            Self.atom(module, &w)
            Self.atom(function, &w)
        }
        guard Self.appendList(arguments, &out) else {
            out.removeSubrange(start...)
            return false
        }
        out.append(ETFTag.nil.rawValue)
        out.patchFrameLength(at: start)
        return true
    }

    /// Appends `count` bytes that `body` writes: one copy into the array instead of a capacity and uniqueness check
    /// per byte.
    private func append(_ count: Int, to out: inout [UInt8], _ body: (inout RawWriter) -> Void) {
        withUnsafeTemporaryAllocation(byteCount: count, alignment: 1) { buffer in
            var w = RawWriter(pointer: buffer.baseAddress!)
            body(&w)
            precondition(w.pointer - buffer.baseAddress! == count, "CallCodec wrote a frame part of the wrong size")
            out.append(contentsOf: UnsafeRawBufferPointer(buffer))
        }
    }

    /// `NEW_PID_EXT` of one of our pids.
    private func pid(_ p: Pid, _ w: inout RawWriter) {
        w.u8(ETFTag.newPid.rawValue)
        w.bytes(nodeAtom)
        w.u32(p.id)
        w.u32(p.serial)
        w.u32(p.creation)
    }

    /// `NEWER_REFERENCE_EXT` of one of our references.
    private func reference(_ r: Reference, _ w: inout RawWriter) {
        w.u8(ETFTag.newerReference.rawValue)
        w.u16(UInt16(truncatingIfNeeded: r.ids.count))
        w.bytes(nodeAtom)
        w.u32(r.creation)
        for i in r.ids { w.u32(i) }
    }

    /// `SMALL_ATOM_UTF8_EXT` (the caller checked the length with ``atomSize(_:)``).
    private static func atom(_ a: Atom, _ w: inout RawWriter) {
        var name = a.name
        name.withUTF8 { utf8 in
            w.u8(ETFTag.smallAtomUTF8.rawValue)
            w.u8(UInt8(utf8.count))
            w.bytes(UnsafeRawBufferPointer(utf8))
        }
    }

    private static func appendList(_ terms: [Term], _ out: inout [UInt8]) -> Bool {
        if terms.isEmpty {
            out.append(ETFTag.nil.rawValue)
            return true
        }
        do {
            try ETFEncoder().encode(.list(terms), into: &out, versionByte: false)
            return true
        } catch {
            return false
        }
    }

    // The constant parts of the requests. The names are ETF tags (`erl_ext_dist.md`) and distribution operations.
    private static let version = ETFTag.version.rawValue
    private static let smallTuple = ETFTag.smallTuple.rawValue
    private static let smallInteger = ETFTag.smallInteger.rawValue
    private static let smallAtomUTF8 = ETFTag.smallAtomUTF8.rawValue
    private static let list = ETFTag.list.rawValue
    private static let `nil` = ETFTag.nil.rawValue

    /// The frame's length (patched at the end), pass-through, `131, {6, ` (REG_SEND, up to the sender).
    private static let regSendFrameHead: [UInt8] =
        [0, 0, 0, 0, ControlMessage.passThrough, version, smallTuple, 4, smallInteger, operation(.regSend)]
    /// The frame's length, pass-through, `131, {29, ` (SPAWN_REQUEST, up to the request id).
    private static let spawnRequestFrameHead: [UInt8] =
        [0, 0, 0, 0, ControlMessage.passThrough, version, smallTuple, 6, smallInteger, operation(.spawnRequest)]
    /// `'', rex` (the rest of REG_SEND's control tuple).
    private static let emptyAtomAndRex: [UInt8] = [smallAtomUTF8, 0, smallAtomUTF8, 3] + Array("rex".utf8)
    /// `131, {'$gen_call', {` (up to the caller's pid).
    private static let genCallHeader: [UInt8] =
        [version, smallTuple, 3, smallAtomUTF8, 9] + Array("$gen_call".utf8) + [smallTuple, 2]
    /// `{call, ` (up to the module).
    private static let callHeader: [UInt8] = [smallTuple, 5, smallAtomUTF8, 4] + Array("call".utf8)
    private static let userAtom: [UInt8] = [smallAtomUTF8, 4] + Array("user".utf8)
    /// `{erpc, execute_call, 4}, [monitor]` (the end of SPAWN_REQUEST's control tuple).
    private static let erpcSpawnTail: [UInt8] =
        [smallTuple, 3, smallAtomUTF8, 4] + Array("erpc".utf8) + [smallAtomUTF8, 12] + Array("execute_call".utf8)
        + [smallInteger, 4] + [list, 0, 0, 0, 1, smallAtomUTF8, 7] + Array("monitor".utf8) + [`nil`]
    /// `131, [` of four elements (SPAWN_REQUEST's arguments, up to the result reference).
    private static let erpcArgumentsHead: [UInt8] = [version, list, 0, 0, 0, 4]

    private static func operation(_ op: ControlMessage.Operation) -> UInt8 { UInt8(op.rawValue) }
    private static let opSend = operation(.send)
    private static let opSendSender = operation(.sendSender)
    private static let opSpawnReply = operation(.spawnReply)
    private static let opMonitorPExit = operation(.monitorPExit)
    private static let opPayloadMonitorPExit = operation(.payloadMonitorPExit)

    /// Big-endian stores through a raw pointer; the caller sized the buffer.
    private struct RawWriter {
        var pointer: UnsafeMutableRawPointer

        mutating func u8(_ v: UInt8) {
            pointer.storeBytes(of: v, as: UInt8.self)
            pointer += 1
        }

        mutating func u16(_ v: UInt16) {
            pointer.storeBytes(of: v.bigEndian, toByteOffset: 0, as: UInt16.self)
            pointer += 2
        }

        mutating func u32(_ v: UInt32) {
            pointer.storeBytes(of: v.bigEndian, toByteOffset: 0, as: UInt32.self)
            pointer += 4
        }

        mutating func bytes(_ b: UnsafeRawBufferPointer) {
            guard let base = b.baseAddress else { return }
            pointer.copyMemory(from: base, byteCount: b.count)
            pointer += b.count
        }

        mutating func bytes(_ b: [UInt8]) {
            b.withUnsafeBytes { bytes($0) }
        }
    }

    // MARK: - Replies

    /// The parts of a rex reply that say which call it answers.
    struct RexReply {
        /// The receiving pid's id and serial (the pid is on our node, with our creation).
        var to: (id: UInt32, serial: UInt32)
        /// The tag reference's three words (the reference is ours: our node, our creation, three words).
        var tag: (UInt32, UInt32, UInt32)
        /// Where the result term starts in the payload (it runs to the end).
        var resultOffset: Int

    }

    /// Reads a frame payload as `112, 131 {2, _, To} | {22, _, To}, 131 {Ref, Result}` with `To` one of our pids
    /// and `Ref` one of our three-word references; nil for anything else.
    func rexReply(_ payload: UnsafeRawBufferPointer) -> RexReply? {
        var r = Reader(bytes: payload)
        guard r.take(ControlMessage.passThrough), r.take(.version), r.take(.smallTuple), r.take(3),
            r.take(.smallInteger)
        else { return nil }
        switch r.byte() {
        case Self.opSendSender?: guard r.skipPid() else { return nil }  // SEND_SENDER: the sender
        case Self.opSend?: guard r.skipAtom() else { return nil }  // SEND: the unused atom
        default: return nil
        }
        guard let to = ourPid(&r), r.take(.version), r.take(.smallTuple), r.take(2), let tag = ourReference(&r),
            r.offset < payload.count
        else { return nil }
        return RexReply(to: to, tag: tag, resultOffset: r.offset)
    }

    /// Decodes the result of a reply that ``rexReply(_:)`` read; nil if it is not exactly one well-formed term
    /// (the general path then reports why).
    static func result(of reply: RexReply, in payload: UnsafeRawBufferPointer) -> Term? {
        term(at: reply.resultOffset, in: payload)
    }

    /// What the peer sends an erpc call: SPAWN_REPLY, then the monitor's DOWN with the call's result.
    enum ErpcReply {
        /// SPAWN_REPLY `{31, ReqId, To, Flags, Result}`: `result` (the new pid, or an error atom) starts at
        /// `resultOffset` and runs to the end.
        case spawnReply(to: (id: UInt32, serial: UInt32), request: (UInt32, UInt32, UInt32), resultOffset: Int)
        /// MONITOR_P_EXIT `{21, From, To, Ref, Reason}` or PAYLOAD_MONITOR_P_EXIT `{28, From, To, Ref}` + `Reason`,
        /// with the reason `{ResultRef, return, Value}` (the call returned; exceptions take the general path):
        /// `Value` starts at `valueOffset` and runs to the end.
        case returned(
            to: (id: UInt32, serial: UInt32), monitor: (UInt32, UInt32, UInt32), resultRef: (UInt32, UInt32, UInt32),
            valueOffset: Int)
    }

    /// Reads a frame payload as one of the two ``ErpcReply`` shapes, to our pid with our three-word references; nil
    /// for anything else.
    func erpcReply(_ payload: UnsafeRawBufferPointer) -> ErpcReply? {
        var r = Reader(bytes: payload)
        guard r.take(ControlMessage.passThrough), r.take(.version), r.take(.smallTuple) else { return nil }
        switch (r.byte(), r.byte(), r.byte()) {
        case (5?, Self.smallInteger?, Self.opSpawnReply?):
            guard let request = ourReference(&r), let to = ourPid(&r), r.take(.smallInteger), r.byte() != nil,
                r.offset < payload.count
            else { return nil }
            return .spawnReply(to: to, request: request, resultOffset: r.offset)
        case (let arity?, Self.smallInteger?, let op?)
        where (arity, op) == (5, Self.opMonitorPExit) || (arity, op) == (4, Self.opPayloadMonitorPExit):
            // MONITOR_P_EXIT carries the reason as the tuple's last element, PAYLOAD_MONITOR_P_EXIT as the message.
            guard r.skipPid(), let to = ourPid(&r), let monitor = ourReference(&r),
                op == Self.opMonitorPExit || r.take(.version), r.take(.smallTuple), r.take(3),
                let resultRef = ourReference(&r), r.take(.smallAtomUTF8), r.take(6), r.takeBytes(Self.returnName),
                r.offset < payload.count
            else { return nil }
            return .returned(to: to, monitor: monitor, resultRef: resultRef, valueOffset: r.offset)
        default:
            return nil
        }
    }

    private static let returnName: [UInt8] = Array("return".utf8)

    /// A reply read in place as the event ``RemoteCallMachine`` takes (the general path makes the same one with
    /// ``RemoteCall/Event/init(_:)``): a rex reply, a SPAWN_REPLY, or the DOWN of an erpc call that returned; nil for
    /// anything else, or when the term it carries is not exactly one well-formed term.
    func event(in payload: UnsafeRawBufferPointer) -> RemoteCall.Event? {
        // `112, 131, 104, Arity, 97, Operation`: the operation says which reader to try.
        guard payload.count > 5 else { return nil }
        switch payload[5] {
        case Self.opSend, Self.opSendSender: break
        case Self.opSpawnReply, Self.opMonitorPExit, Self.opPayloadMonitorPExit: return erpcEvent(in: payload)
        default: return nil
        }
        if let reply = rexReply(payload) {
            guard let result = Self.result(of: reply, in: payload) else { return nil }
            return .rexReply(to: Self.recipient(reply.to), tag: Self.reference(reply.tag), result: result)
        }
        return nil
    }

    private func erpcEvent(in payload: UnsafeRawBufferPointer) -> RemoteCall.Event? {
        switch erpcReply(payload) {
        case .spawnReply(let to, let request, let offset)?:
            guard let result = Self.term(at: offset, in: payload) else { return nil }
            return .spawnReply(to: Self.recipient(to), requestID: Self.reference(request), result: result)
        case .returned(let to, let monitor, let resultRef, let offset)?:
            guard let value = Self.term(at: offset, in: payload) else { return nil }
            return .erpcReturned(
                to: Self.recipient(to), requestID: Self.reference(monitor), resultRef: Self.reference(resultRef),
                value: value)
        case nil:
            return nil
        }
    }

    private static func recipient(_ pid: (id: UInt32, serial: UInt32)) -> RemoteCall.Recipient {
        .ours(id: pid.id, serial: pid.serial)
    }

    private static func reference(_ words: (UInt32, UInt32, UInt32)) -> RemoteCall.ReplyReference {
        .ours(words.0, words.1, words.2)
    }

    /// Exactly one well-formed term from `offset` to the end of `payload`, or nil.
    static func term(at offset: Int, in payload: UnsafeRawBufferPointer) -> Term? {
        guard let (term, end) = try? ETFDecoder().decode(payload, at: offset, versionByte: false),
            end == payload.count
        else { return nil }
        return term
    }

    /// `NEW_PID_EXT` of a pid on our node with our creation: its id and serial.
    private func ourPid(_ r: inout Reader) -> (id: UInt32, serial: UInt32)? {
        guard r.take(.newPid), r.takeBytes(nodeAtom), let id = r.u32(), let serial = r.u32(), r.u32() == creation else {
            return nil
        }
        return (id, serial)
    }

    /// `NEWER_REFERENCE_EXT` of a three-word reference on our node with our creation: its words.
    private func ourReference(_ r: inout Reader) -> (UInt32, UInt32, UInt32)? {
        guard r.take(.newerReference), r.u16() == 3, r.takeBytes(nodeAtom), r.u32() == creation,
            let w0 = r.u32(), let w1 = r.u32(), let w2 = r.u32()
        else { return nil }
        return (w0, w1, w2)
    }

    /// A bounds-checked cursor over a payload.
    private struct Reader {
        let bytes: UnsafeRawBufferPointer
        var offset = 0

        mutating func byte() -> UInt8? {
            guard offset < bytes.count else { return nil }
            defer { offset += 1 }
            return bytes[offset]
        }

        mutating func take(_ b: UInt8) -> Bool {
            guard offset < bytes.count, bytes[offset] == b else { return false }
            offset += 1
            return true
        }

        mutating func take(_ tag: ETFTag) -> Bool { take(tag.rawValue) }

        mutating func takeBytes(_ expected: [UInt8]) -> Bool {
            expected.withUnsafeBytes { takeBytes($0) }
        }

        mutating func takeBytes(_ expected: UnsafeRawBufferPointer) -> Bool {
            guard bytes.count - offset >= expected.count,
                memcmp(bytes.baseAddress! + offset, expected.baseAddress!, expected.count) == 0
            else { return false }
            offset += expected.count
            return true
        }

        mutating func u16() -> UInt16? {
            guard bytes.count - offset >= 2 else { return nil }
            defer { offset += 2 }
            return UInt16(bytes[offset]) << 8 | UInt16(bytes[offset + 1])
        }

        mutating func u32() -> UInt32? {
            guard bytes.count - offset >= 4 else { return nil }
            defer { offset += 4 }
            return UInt32(bytes[offset]) << 24 | UInt32(bytes[offset + 1]) << 16 | UInt32(bytes[offset + 2]) << 8
                | UInt32(bytes[offset + 3])
        }

        /// An atom in any of its four encodings.
        mutating func skipAtom() -> Bool {
            let length: Int
            switch byte() {
            case ETFTag.smallAtomUTF8.rawValue?, ETFTag.smallAtom.rawValue?:
                guard let n = byte() else { return false }
                length = Int(n)
            case ETFTag.atomUTF8.rawValue?, ETFTag.atom.rawValue?:
                guard let n = u16() else { return false }
                length = Int(n)
            default: return false
            }
            guard bytes.count - offset >= length else { return false }
            offset += length
            return true
        }

        /// `NEW_PID_EXT` or `PID_EXT`, on any node.
        mutating func skipPid() -> Bool {
            switch byte() {
            case ETFTag.newPid.rawValue?:
                guard skipAtom(), bytes.count - offset >= 12 else { return false }
                offset += 12
            case ETFTag.pid.rawValue?:
                guard skipAtom(), bytes.count - offset >= 9 else { return false }
                offset += 9
            default: return false
            }
            return true
        }
    }
}
