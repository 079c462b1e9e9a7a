import ErlangTerm

/// Mints the pids and references of a local node (pure; shared by ``LocalNode`` and ``BlockingNode``).
///
/// Pids follow ei's limits: id < 2¹⁵, 1 ≤ serial < 2¹³. References have three words; the first carries 18
/// significant bits of a counter, the last is random so that references of two runs with the same name differ.
public struct ProcessIdentifiers: Sendable {
    private var nextPidID: UInt32 = 1
    private var nextPidSerial: UInt32 = 1
    private var refCounter: UInt64 = 1
    /// SplitMix64 state for references' third word, seeded once from the system generator: the word only has to
    /// differ between runs (as erts' does), and `UInt32.random` costs a getrandom system call per reference.
    private var refRandom: UInt64 = UInt64.random(in: 0...UInt64.max)

    public init() {}

    private mutating func nextRefWord() -> UInt32 {
        refRandom &+= 0x9E37_79B9_7F4A_7C15
        var z = refRandom
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return UInt32(truncatingIfNeeded: z ^ (z >> 31))
    }

    /// A new pid on `node`.
    public mutating func nextPid(node: Atom, creation: UInt32) -> Pid {
        let pid = Pid(node: node, id: nextPidID, serial: nextPidSerial, creation: creation)
        nextPidID += 1
        if nextPidID >= 1 << 15 {
            nextPidID = 1
            nextPidSerial = nextPidSerial + 1 >= 1 << 13 ? 1 : nextPidSerial + 1
        }
        return pid
    }

    /// A new reference on `node`.
    public mutating func nextReference(node: Atom, creation: UInt32) -> Reference {
        let n = refCounter
        refCounter += 1
        let w0 = UInt32(n & 0x3FFFF)
        let w1 = UInt32((n >> 18) & 0xFFFF_FFFF)
        return Reference(node: node, creation: creation, ids: [w0, w1, nextRefWord()])
    }

    /// A random creation for a new node incarnation (≥ 4: 0-3 are the old 2-bit creations).
    public static func randomCreation() -> UInt32 {
        var creation: UInt32 = 0
        while creation < 4 { creation = UInt32.random(in: 4...UInt32.max) }
        return creation
    }
}
