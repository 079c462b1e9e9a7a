import ErlangTerm

/// A small, fast, seedable random number generator (SplitMix64), so generated terms are reproducible.
public struct SeededRandom: RandomNumberGenerator, Sendable {
    private var state: UInt64
    /// Makes a generator; equal seeds give equal sequences.
    public init(seed: UInt64) { state = seed }
    /// The next 64 random bits.
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Generates random, canonical ``Term`` values for property tests and BEAM round trips.
///
/// Everything generated is something a BEAM can hold and gives back unchanged through
/// `binary_to_term`/`term_to_binary`: unicode atoms (multi-byte, up to 255 characters), integers at every tag
/// boundary, big integers of both signs, floats at the edges (subnormals, ±max, -0.0), binaries and bitstrings,
/// charlists, nested tuples/lists/maps, improper lists, keyword lists, remote pids/ports/references from other node
/// names and export funs. Local funs cannot be made without a BEAM and are not generated. Atoms include Elixir's
/// operator atoms (``operatorAtoms``), also as keyword keys and map keys, where printers and readers have to agree
/// on when `+`, `<<>>` or `..//` may stand bare.
///
/// Maps with at most 32 keys are generated with keys sorted in Erlang's map-key order (see ``ErlangTermOrder``), so
/// their encoding matches what OTP emits byte for byte; larger maps come in random order (OTP emits them in hash
/// order). Map keys are drawn from numbers, atoms, binaries, tuples and lists (some maps have atom keys only, which
/// Elixir prints in keyword form), and never contain `-0.0` (equal to `0.0` as a key before OTP 27).
///
/// ```swift
/// var generator = TermGenerator(seed: 42)
/// let terms = (0..<1000).map { _ in generator.next() }
/// ```
public struct TermGenerator: Sendable {
    /// Knobs for the shape of generated terms.
    public struct Options: Sendable {
        /// Maximum nesting depth of containers.
        public var maxDepth: Int = 4
        /// Maximum elements in a generated tuple, list or map (larger maps still appear with `bigMapChance`).
        public var maxBreadth: Int = 6
        /// The chance (0...1) that a map has 33...40 keys, exercising OTP's hash-map ordering.
        public var bigMapChance: Double = 0.02
        /// Node names used for pids, ports and references.
        public var nodes: [Atom] = ["other@host", "node2@127.0.0.1", "ñode@hôst", "a@b"]
        /// Makes the default options.
        public init() {}
    }

    /// The random source; exposed so callers can draw from the same sequence.
    public var random: SeededRandom
    /// The options in use.
    public var options: Options

    /// Makes a generator; equal seeds give equal terms.
    public init(seed: UInt64, options: Options = Options()) {
        random = SeededRandom(seed: seed)
        self.options = options
    }

    /// The next random term, of any kind.
    public mutating func next() -> Term { term(depth: options.maxDepth) }

    // MARK: Building blocks

    private mutating func chance(_ p: Double) -> Bool { Double.random(in: 0..<1, using: &random) < p }
    private mutating func int(_ range: ClosedRange<Int>) -> Int { Int.random(in: range, using: &random) }
    private mutating func pick<T>(_ items: [T]) -> T { items[int(0...(items.count - 1))] }

    /// A random term with at most `depth` levels of nesting.
    public mutating func term(depth: Int) -> Term {
        let leafKinds = 12
        let kind = depth > 0 ? int(0...(leafKinds + 6)) : int(0...(leafKinds - 1))
        switch kind {
        case 0, 1: return .atom(atom())
        case 2, 3: return integer()
        case 4: return float()
        case 5: return .binary(bytes(maxCount: 40))
        case 6: return bitstring()
        case 7: return charlist()
        case 8: return .pid(pid())
        case 9: return .port(port())
        case 10: return .reference(reference())
        case 11: return .exportFun(exportFun())
        case 12: return .tuple((0..<int(0...options.maxBreadth)).map { _ in term(depth: depth - 1) })
        case 13: return .list((0..<int(0...options.maxBreadth)).map { _ in term(depth: depth - 1) })
        case 14:
            let elements = (0..<int(1...options.maxBreadth)).map { _ in term(depth: depth - 1) }
            var tail = term(depth: 0)
            if case .list = tail { tail = .atom(atom()) }
            return .improperList(elements, tail: tail)
        case 15, 16: return map(depth: depth)
        case 17: return keywordList(depth: depth)
        default: return .tuple([.atom(atom()), term(depth: depth - 1)])
        }
    }

    /// The atoms of Elixir's operators and special forms (`Code.Identifier.unary_op/1` and `binary_op/1`, the
    /// `:not_callable` atoms of `Macro.inspect_atom/2`, and every operator `elixir_tokenizer.erl` reads after `:`),
    /// with near misses that look like one but are not (`=>`, `//`, `:`, `not in`, `<<`). Which of them may be
    /// written bare is for the printer and reader under test to know; the BEAM is the judge.
    public static let operatorAtoms: [String] = [
        "&", "!", "^", "not", "+", "-", "~~~", "@", "<-", "\\\\", "when", "::", "|", "=", "||", "|||", "or", "&&",
        "&&&", "and", "==", "!=", "=~", "===", "!==", "<", "<=", ">=", ">", "|>", "<<<", ">>>", "<~", "~>", "<<~",
        "~>>", "<~>", "<|>", "in", "^^^", "//", "++", "--", "..", "<>", "+++", "---", "*", "/", "**", ".", "%", "%{}",
        "{}", "<<>>", "...", "..//", "->", "=>", ":", ":::", "<<", ">>", "\\", "not in", "%{", "{", "[]", "....",
        "..///", "@@", "!!", "&&&&", "+:", "-:", "..:", "%{}:",
    ]

    /// A keyword key: any atom, often an operator atom.
    public mutating func keywordKey() -> Atom {
        chance(0.3) ? Atom(pick(Self.operatorAtoms)) : atom()
    }

    /// A keyword list: `[{atom, term}, ...]`.
    public mutating func keywordList(depth: Int) -> Term {
        .list((0..<int(1...options.maxBreadth)).map { _ in .tuple([.atom(keywordKey()), term(depth: depth - 1)]) })
    }

    /// A random atom: ASCII, latin1, multi-byte (2/3/4-byte UTF-8), exactly 255 characters, or an operator atom.
    public mutating func atom() -> Atom {
        switch int(0...10) {
        case 0...3:
            return Atom(pick(["ok", "error", "true", "false", "nil", "undefined", "", "Elixir.MyApp.Stats", "a b"]))
        case 4, 5:
            let letters = Array("abcdefghijklmnopqrstuvwxyz_@.0123456789ABCXYZ")
            return Atom(String((0..<int(1...20)).map { _ in pick(letters) }))
        case 6: return Atom(pick(["é", "ñandú", "日本語", "emoji😀", "ÿ", "✓✓", "Ωmega", "a\u{301}"]))
        case 7:
            let scalars: [Character] = ["✓", "é", "😀", "a", "日"]
            return Atom(String((0..<int(1...255)).map { _ in pick(scalars) }))
        case 8:
            let c = pick(["x", "é", "✓", "😀"] as [Character])
            return Atom(String(repeating: String(c), count: 255))
        case 10: return Atom(pick(Self.operatorAtoms))
        default:
            return Atom(String(repeating: "z", count: int(200...255)))
        }
    }

    /// A random integer, often at a tag boundary (255/256, ±2^31, ±2^63, 2^64, 255/256-byte bignums).
    public mutating func integer() -> Term {
        let two = BigInt(2)
        switch int(0...9) {
        case 0: return .integer(int(0...255))
        case 1: return .integer(int(-1_000_000...1_000_000))
        case 2:
            let edges: [Int] = [
                0, 1, -1, 255, 256, -256, Int(Int32.max), Int(Int32.max) + 1, Int(Int32.min), Int(Int32.min) - 1,
                Int.max, Int.min, Int.max - 1, Int.min + 1, 1 << 32, -(1 << 40),
            ]
            return .integer(pick(edges))
        case 3: return .integer(Int(truncatingIfNeeded: random.next()))
        case 4:
            let edges: [BigInt] = [
                two.power(63), -two.power(63) - 1, two.power(64), -two.power(64), two.power(64) - 1, two.power(70),
                -two.power(70), two.power(255 * 8) - 1, -(two.power(255 * 8) - 1), two.power(255 * 8),
                -two.power(255 * 8), two.power(4000) + 12345,
            ]
            return .int(pick(edges))
        case 5, 6:
            // 2 to 6 random words, drawn most significant first.
            var words: [UInt64] = []
            for _ in 0..<int(2...6) { words.insert(random.next(), at: 0) }
            return .int(BigInt(isNegative: chance(0.5), magnitudeWords: words))
        default:
            return .integer(int(-300...300))
        }
    }

    /// A random finite float, often an edge value.
    public mutating func float(allowNegativeZero: Bool = true) -> Term {
        var edges: [Double] = [
            0.0, 1.5, -1.5, Double.leastNonzeroMagnitude, -Double.leastNonzeroMagnitude, Double.greatestFiniteMagnitude, -Double.greatestFiniteMagnitude,
            Double.leastNormalMagnitude, 0.1, 1.0e300, 123_456_789.125, 2.0e-308, 1.0, -1.0,
        ]
        if allowNegativeZero { edges.append(-0.0) }
        if chance(0.5) { return .float(pick(edges)) }
        while true {
            let d = Double(bitPattern: random.next())
            if d.isFinite && (allowNegativeZero || d.bitPattern != (-0.0).bitPattern) { return .float(d) }
        }
    }

    /// Random bytes, at most `maxCount`.
    public mutating func bytes(maxCount: Int) -> [UInt8] {
        (0..<int(0...maxCount)).map { _ in UInt8.random(in: 0...255, using: &random) }
    }

    /// A bitstring (1...7 bits in the last byte) or a binary.
    public mutating func bitstring() -> Term {
        var data = bytes(maxCount: 10)
        if data.isEmpty { data = [UInt8.random(in: 0...255, using: &random)] }
        return Term.bits(data, bitCount: (data.count - 1) * 8 + int(1...8))
    }

    /// A charlist: bytes (STRING_EXT), unicode code points, or a long one past 255 elements.
    public mutating func charlist() -> Term {
        switch int(0...3) {
        case 0: return .list(bytes(maxCount: 30).map { .integer(Int($0)) })
        case 1: return .charlist(pick(["hello", "héllo wörld", "日本", "😀 ok", ""]))
        case 2: return .list((0..<int(250...300)).map { _ in .integer(int(0...255)) })
        default: return .list((0..<int(1...10)).map { _ in .integer(int(0...0x10FFFF)) })
        }
    }

    /// A pid from another node.
    public mutating func pid() -> Pid {
        Pid(
            node: pick(options.nodes), id: chance(0.7) ? UInt32(int(0...32767)) : UInt32.random(in: 0...UInt32.max, using: &random),
            serial: chance(0.7) ? UInt32(int(0...8191)) : UInt32.random(in: 0...UInt32.max, using: &random),
            creation: UInt32.random(in: 0...UInt32.max, using: &random))
    }

    /// A port from another node (sometimes with a 64-bit id).
    public mutating func port() -> ErlangPort {
        ErlangPort(
            node: pick(options.nodes),
            id: chance(0.7) ? UInt64(int(0...100_000)) : UInt64.random(in: 0...(UInt64(1) << 62), using: &random),
            creation: UInt32.random(in: 0...UInt32.max, using: &random))
    }

    /// A reference from another node with 3 words (what OTP makes), sometimes 1...5.
    public mutating func reference() -> Reference {
        let count = chance(0.7) ? 3 : int(1...5)
        return Reference(
            node: pick(options.nodes), creation: UInt32.random(in: 0...UInt32.max, using: &random),
            ids: (0..<count).map { _ in UInt32.random(in: 0...UInt32.max, using: &random) })
    }

    /// `fun M:F/A`.
    public mutating func exportFun() -> ExportFun {
        ExportFun(
            module: pick(["lists", "erlang", "Elixir.Enum", "mod_ü"]), function: pick(["map", "foldl", "f", "run✓"]),
            arity: UInt8(int(0...255)))
    }

    /// A map key: numbers, atoms, binaries, and small tuples/lists of those; never containing -0.0.
    public mutating func mapKey(depth: Int = 1) -> Term {
        switch int(0...(depth > 0 ? 7 : 5)) {
        case 0, 1: return .atom(atom())
        case 2: return integer()
        case 3: return float(allowNegativeZero: false)
        case 4: return .binary(bytes(maxCount: 8))
        case 5: return .integer(int(0...50))
        case 6: return .tuple((0..<int(0...3)).map { _ in mapKey(depth: depth - 1) })
        default: return .list((0..<int(0...3)).map { _ in mapKey(depth: depth - 1) })
        }
    }

    /// A map with unique keys; up to 32 keys sorted in map-key order, sometimes 33...40 keys in random order. A
    /// quarter of the maps have atom keys only.
    public mutating func map(depth: Int) -> Term {
        let big = chance(options.bigMapChance)
        let target = big ? int(33...40) : int(0...options.maxBreadth)
        let atomKeys = chance(0.25)
        var keys = Set<Term>()
        var ordered: [Term] = []
        var attempts = 0
        while ordered.count < target && attempts < target * 10 {
            attempts += 1
            let k = atomKeys ? .atom(keywordKey()) : mapKey()
            if keys.insert(k).inserted { ordered.append(k) }
        }
        if ordered.count <= 32 { ordered.sort { ErlangTermOrder.compare($0, $1, mapKeys: true) < 0 } }
        let entries = ordered.map { (key: $0, value: term(depth: depth - 1)) }
        return .map(TermMap(uniqueEntries: entries))
    }
}

/// Erlang's term order for tests; see ``TermOrder`` in ErlangTerm, which this forwards to.
public enum ErlangTermOrder {
    /// Negative, zero or positive as `a` sorts before, equal to or after `b`; `mapKeys` is the exact order.
    public static func compare(_ a: Term, _ b: Term, mapKeys: Bool = false) -> Int {
        TermOrder.compare(a, b, mode: mapKeys ? .exact : .arithmetic)
    }
}
