/// Distribution capability flags exchanged in the handshake (erts `dist.h`, `erl_dist_protocol.md` §"Distribution
/// Flags"). The negotiated set is the bitwise AND of both sides.
///
/// | Flag | Bit | Ours | Why |
/// |---|---|---|---|
/// | published | 0x1 | no | hidden node: we must not appear in `nodes()` nor pull in global/rex chatter |
/// | atomCache | 0x2 | no | obsolete |
/// | extendedReferences | 0x4 | yes | mandatory (OTP 24) |
/// | distMonitor | 0x8 | yes | MONITOR_P / MONITOR_P_EXIT, needed by erpc |
/// | funTags | 0x10 | yes | mandatory (OTP 25) |
/// | distMonitorName | 0x20 | yes | monitors by registered name |
/// | hiddenAtomCache | 0x40 | no | obsolete |
/// | newFunTags | 0x80 | yes | mandatory (OTP 21) |
/// | extendedPidsPorts | 0x100 | yes | mandatory (OTP 24) |
/// | exportPtrTag | 0x200 | yes | mandatory (OTP 25) |
/// | bitBinaries | 0x400 | yes | mandatory (OTP 25) |
/// | newFloats | 0x800 | yes | mandatory (OTP 25) |
/// | unicodeIO | 0x1000 | yes | I/O requests keep their encoding element |
/// | distHdrAtomCache | 0x2000 | no | would require the 131/68 header and an atom cache |
/// | smallAtomTags | 0x4000 | yes | harmless, as ei |
/// | utf8Atoms | 0x10000 | yes | mandatory (OTP 20) |
/// | mapTag | 0x20000 | yes | mandatory (OTP 25) |
/// | bigCreation | 0x40000 | yes | mandatory (OTP 23) |
/// | sendSender | 0x80000 | no | the peer would send op 22; we accept both anyway |
/// | bigSeqtraceLabels | 0x100000 | no | no seq_trace |
/// | exitPayload | 0x400000 | no | optional; we decode both exit forms |
/// | fragments | 0x800000 | no | would require fragment reassembly |
/// | handshake23 | 0x1000000 | yes | mandatory (OTP 25), required for the `'N'` send_name |
/// | unlinkID | 0x2000000 | yes | mandatory (OTP 26) |
/// | mandatory25Digest | 0x4000000 | yes | "all OTP 25 mandatory flags" (bit 26; the doc's `1 bsl 36` is wrong) |
/// | spawn | 1<<32 | yes | SPAWN_REQUEST/SPAWN_REPLY, needed by erpc |
/// | nameMe | 1<<33 | only for a dynamic name | |
/// | v4NC | 1<<34 | yes | mandatory (OTP 26) |
/// | alias | 1<<35 | no | we use plain refs |
/// | altactSig | 1<<37 | no | OTP 28 only |
///
/// Bits 0x8000, 0x200000 and 1<<36 are internal to ERTS and never sent.
public struct DistributionFlags: OptionSet, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: UInt64
    public init(rawValue: UInt64) { self.rawValue = rawValue }

    public static let published = Self(rawValue: 0x1)
    public static let atomCache = Self(rawValue: 0x2)
    public static let extendedReferences = Self(rawValue: 0x4)
    public static let distMonitor = Self(rawValue: 0x8)
    public static let funTags = Self(rawValue: 0x10)
    public static let distMonitorName = Self(rawValue: 0x20)
    public static let hiddenAtomCache = Self(rawValue: 0x40)
    public static let newFunTags = Self(rawValue: 0x80)
    public static let extendedPidsPorts = Self(rawValue: 0x100)
    public static let exportPtrTag = Self(rawValue: 0x200)
    public static let bitBinaries = Self(rawValue: 0x400)
    public static let newFloats = Self(rawValue: 0x800)
    public static let unicodeIO = Self(rawValue: 0x1000)
    public static let distHdrAtomCache = Self(rawValue: 0x2000)
    public static let smallAtomTags = Self(rawValue: 0x4000)
    public static let utf8Atoms = Self(rawValue: 0x10000)
    public static let mapTag = Self(rawValue: 0x20000)
    public static let bigCreation = Self(rawValue: 0x40000)
    public static let sendSender = Self(rawValue: 0x80000)
    public static let bigSeqtraceLabels = Self(rawValue: 0x100000)
    public static let exitPayload = Self(rawValue: 0x400000)
    public static let fragments = Self(rawValue: 0x800000)
    public static let handshake23 = Self(rawValue: 0x1000000)
    public static let unlinkID = Self(rawValue: 0x2000000)
    public static let mandatory25Digest = Self(rawValue: 0x4000000)
    public static let spawn = Self(rawValue: 1 << 32)
    public static let nameMe = Self(rawValue: 1 << 33)
    public static let v4NC = Self(rawValue: 1 << 34)
    public static let alias = Self(rawValue: 1 << 35)
    public static let altactSig = Self(rawValue: 1 << 37)

    /// The oldest OTP release that sends these flags in its handshake: 28 when they have ALTACT_SIG (bit 37), which
    /// OTP 28's dist.h adds to `DFLAG_DIST_DEFAULT` (0x0000002D_07DF7FBD); nil otherwise, since OTP 25, 26 and 27 all
    /// send 0x0000000D_07DF7FBD.
    public var minimumOTPRelease: Int? { contains(.altactSig) ? 28 : nil }

    /// DFLAG_DIST_MANDATORY_25 (= 0x01070F94).
    public static let mandatoryOTP25: Self = [
        .extendedReferences, .funTags, .extendedPidsPorts, .utf8Atoms, .newFunTags, .bigCreation, .newFloats,
        .mapTag, .exportPtrTag, .bitBinaries, .handshake23,
    ]
    /// DFLAG_DIST_MANDATORY_26..28: the OTP 25 set plus V4_NC and UNLINK_ID.
    public static let mandatoryOTP26: Self = mandatoryOTP25.union([.v4NC, .unlinkID])

    /// What a hidden client node advertises by default (0x5_0707_5FBC): every flag OTP 25–28 makes mandatory, the
    /// OTP 25 digest bit, DIST_MONITOR(_NAME) and SPAWN for erpc, UNICODE_IO for the I/O protocol, SMALL_ATOM_TAGS.
    /// Not PUBLISHED.
    public static let defaultHidden: Self = mandatoryOTP26.union([
        .mandatory25Digest, .distMonitor, .distMonitorName, .smallAtomTags, .unicodeIO, .spawn,
    ])

    /// What we need from the peer to speak at all: the OTP 24 baseline (older peers are not supported).
    public static let requiredFromPeer: Self = [
        .extendedReferences, .extendedPidsPorts, .utf8Atoms, .newFunTags, .bigCreation, .handshake23,
    ]

    public var description: String { "0x" + String(rawValue, radix: 16) }
}
