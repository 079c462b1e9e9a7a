// Seeded random terms aimed at the corners of io_lib's printing: atoms that need quoting, strings on the edge of
// printable, floats of every magnitude, binaries that are or are not UTF-8, and containers big enough to break
// lines. Stands in for ErlangTestSupport's TermGenerator until the codec branch provides it.

import ErlangTerm
import ErlangTestSupport

struct ErlangFormatCorpus {
    var rng: SeededRandom
    static let localNode: Atom = "nonode@nohost"
    static let remoteNodes: [Atom] = ["a@host", "b@other.example", "node3@x"]

    init(seed: UInt64) { rng = SeededRandom(seed: seed) }

    mutating func int(_ range: ClosedRange<Int>) -> Int { Int.random(in: range, using: &rng) }
    mutating func chance(_ percent: Int) -> Bool { int(0...99) < percent }
    mutating func pick<T>(_ items: [T]) -> T { items[int(0...items.count - 1)] }

    static let atomPool: [String] = [
        "ok", "error", "true", "false", "nil", "undefined", "Elixir.MyApp.Stats", "Hello", "foo bar", "",
        "receive", "maybe", "else", "when", "andalso", "a@b", "café", "Café", "ß", "÷x", "x÷", "a×b", "привет",
        "a\nb", "it's", "q\"uote", "back\\slash", "\u{80}", "\u{9F}x", "\u{7F}", "tab\tx", "😀", "ÿ", "aÀ", "_x", "X", "9lives",
        "a9_@Z", "@", "with-dash", "\u{1}", "nonode@nohost", "Elixir.Enum", "ünïcødé", "日本", "x\u{A0}y", "a.b",
    ]

    mutating func word(_ maxLen: Int) -> String {
        let n = int(1...maxLen)
        return String((0..<n).map { _ in pick(Array("abcdefghijklmnopqrstuvwxyz_")) })
    }

    mutating func atom() -> Atom {
        chance(50) ? Atom(pick(Self.atomPool)) : Atom(word(chance(10) ? 40 : 10))
    }

    mutating func integer() -> Term {
        switch int(0...6) {
        case 0: return .integer(int(0...255))
        case 1: return .integer(int(-1000...1000))
        case 2: return .integer(pick([Int(Int32.max), Int(Int32.min), Int(Int32.max) + 1, Int.max, Int.min, 0, -1]))
        case 3: return .integer(Int.random(in: Int.min...Int.max, using: &rng))
        case 4:
            var b = BigInt(Int.random(in: 1...Int.max, using: &rng))
            for _ in 0..<int(1...4) { b = b * BigInt(UInt64.max) + BigInt(Int.random(in: 0...Int.max, using: &rng)) }
            return .int(chance(50) ? b : -b)
        default: return .integer(int(0...99))
        }
    }

    mutating func float() -> Double {
        switch int(0...6) {
        case 0:
            while true {
                let d = Double(bitPattern: rng.next())
                if d.isFinite { return d }
            }
        case 1: return Double(int(-1_000_000...1_000_000)) / pick([1, 10, 100, 1000, 1e6])
        case 2: return pick([0.0, -0.0, 1.0, 0.1, 1e20, 1e21, 1e15, 1e16, 5e-324, 2.2250738585072014e-308,
                            1.7976931348623157e308, 9007199254740992.0, 9007199254740993.0, 123456.0, 0.0001,
                            0.00012, 100.0, 1e5, 1e-5, 3.14159])
        case 3: return Double(sign: chance(50) ? .minus : .plus, exponent: int(-1074...1023),
                              significand: 1.0)
        case 4: return Double(Int.random(in: -(1 << 60)...(1 << 60), using: &rng))
        default: return Double.random(in: -1e6...1e6, using: &rng)
        }
    }

    mutating func chars(_ n: Int) -> [Int] {
        let kind = int(0...6)
        return (0..<n).map { _ in
            switch kind {
            case 0, 1: return int(32...126)
            case 2: return chance(80) ? int(32...126) : pick([10, 13, 9, 11, 8, 12, 27, 160, 200, 255, 34, 92, 39])
            case 3: return chance(70) ? int(32...126) : int(160...255)
            case 4: return chance(60) ? int(0x430...0x44F) : pick([0x1F600, 0x65E5, 0xE9, 32, 0x10FFFF, 0xFFFD])
            case 5: return chance(90) ? int(32...126) : pick([0, 7, 127, 128, 159, 256, 0xD800, 0xFFFE, 0x110000])
            default: return int(0...300)
            }
        }
    }

    mutating func binary() -> Term {
        let n = chance(15) ? int(20...120) : int(0...24)
        switch int(0...4) {
        case 0: return .binary(chars(n).map { UInt8(clamping: $0) })
        case 1:
            let s = String(String.UnicodeScalarView(chars(n).compactMap { Unicode.Scalar(UInt32($0)) }))
            return .binary(Array(s.utf8))
        case 2: return .binary((0..<n).map { _ in UInt8.random(in: 0...255, using: &rng) })
        case 3:
            let bytes = (0..<int(1...6)).map { _ in UInt8.random(in: 0...255, using: &rng) }
            return .bits(bytes, bitCount: int(1...(bytes.count * 8)))
        default: return .binary(Array(word(n + 1).utf8))
        }
    }

    mutating func pid() -> Term {
        let node = chance(60) ? Self.localNode : pick(Self.remoteNodes)
        return .pid(Pid(node: node, id: UInt32(int(0...32767)), serial: UInt32(int(0...8191)),
                        creation: node == Self.localNode ? 0 : UInt32(int(1...5))))
    }

    mutating func port() -> Term {
        let node = chance(60) ? Self.localNode : pick(Self.remoteNodes)
        return .port(ErlangPort(node: node, id: UInt64(int(0...100_000)), creation: node == Self.localNode ? 0 : 2))
    }

    mutating func reference() -> Term {
        if chance(60) {
            return .reference(Reference(node: Self.localNode, creation: 0,
                                        ids: [UInt32(int(0...262_143)), UInt32(truncatingIfNeeded: rng.next()),
                                              UInt32(truncatingIfNeeded: rng.next())]))
        }
        return .reference(Reference(node: pick(Self.remoteNodes), creation: 3,
                                    ids: (0..<int(1...5)).map { _ in UInt32(truncatingIfNeeded: rng.next()) }))
    }

    mutating func leaf() -> Term {
        switch int(0...13) {
        case 0, 1: return .atom(atom())
        case 2, 3: return integer()
        case 4: return .float(float())
        case 5, 6: return binary()
        case 7, 8: return .list(chars(int(0...30)).map { .integer($0) })
        case 9: return pid()
        case 10: return port()
        case 11: return reference()
        case 12: return .exportFun(ExportFun(module: atom(), function: atom(), arity: UInt8(int(0...255))))
        default: return .list([])
        }
    }

    mutating func term(depth: Int = 3) -> Term {
        if depth <= 0 || chance(40) { return leaf() }
        switch int(0...9) {
        case 0, 1:
            let n = chance(10) ? int(10...25) : int(0...6)
            return .list((0..<n).map { _ in term(depth: depth - 1) })
        case 2:
            let n = int(1...5)
            let tail = chance(50) ? leaf() : .tuple([term(depth: depth - 1)])
            if case .list = tail { return .list([]) }
            return .improperList((0..<n).map { _ in term(depth: depth - 1) }, tail: tail)
        case 3, 4:
            var items = (0..<int(0...7)).map { _ in term(depth: depth - 1) }
            if chance(60) { items.insert(.atom(atom()), at: 0) }
            return .tuple(items)
        case 5:
            // A keyword list or a proplist.
            return .list((0..<int(1...12)).map { _ in .tuple([.atom(atom()), term(depth: depth - 2)]) })
        case 6, 7:
            // Maps of more than 32 keys are HAMTs, printed in the node's internal order.
            let big = chance(6)
            let n = big ? int(33...45) : int(0...8)
            var pairs: [(Term, Term)] = []
            for _ in 0..<n {
                let key: Term = chance(60) ? (chance(50) ? .atom(atom()) : integer()) : term(depth: 1)
                pairs.append((key, big ? leaf() : term(depth: depth - 1)))
            }
            return .map(TermMap(pairs))
        case 8:
            // Long flat lists and strings push the line breaking.
            if chance(50) { return .list((0..<int(20...80)).map { _ in integer() }) }
            return .list((0..<int(5...20)).map { _ in binary() })
        default:
            return .tuple([.atom(atom()), .list(chars(int(30...90)).map { .integer($0) }), term(depth: depth - 1)])
        }
    }
}
