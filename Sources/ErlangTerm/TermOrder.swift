/// Erlang's term order: number < atom < reference < fun < port < pid < tuple < map < [] < list < bitstring.
///
/// Two flavours, as in erts (`erts_cmp/4`):
/// - **exact** (``Mode/exact``, the default): every integer sorts before every float, so the order agrees with
///   `=:=` and with ``Term``'s `==`. This is the order of the keys of a small map (at most 32 keys), which OTP keeps
///   sorted, and the order of ``Term``'s `Comparable` conformance.
/// - **arithmetic** (``Mode/arithmetic``): integers and floats compare by value (`1 == 1.0`), as Erlang's `<` does.
public enum TermOrder {
    /// How integers and floats compare.
    public enum Mode: Sendable {
        /// Every integer before every float (`=:=`-consistent; map-key order).
        case exact
        /// By value, as Erlang's `<`/`==` (an integer and a float of equal value compare equal).
        case arithmetic
    }
    private static func rank(_ t: Term, _ mode: Mode) -> Int {
        switch t {
        case .integer, .bigInteger: return 0
        case .float: return mode == .exact ? 1 : 0
        case .atom: return 2
        case .reference: return 3
        case .exportFun, .localFun: return 4
        case .port: return 5
        case .pid: return 6
        case .tuple: return 7
        case .map: return 8
        case .list(let l): return l.isEmpty ? 9 : 10
        case .improperList: return 10
        case .binary, .bitstring: return 11
        }
    }

    private static func cmp<T: Comparable>(_ a: T, _ b: T) -> Int { a < b ? -1 : (a == b ? 0 : 1) }

    /// -1, 0 or 1 as `a` sorts before, equal to or after `b`.
    public static func compare(_ a: Term, _ b: Term, mode: Mode = .exact) -> Int {
        let ra = rank(a, mode)
        let rb = rank(b, mode)
        if ra != rb { return ra < rb ? -1 : 1 }
        if ra == 9 { return 0 }  // [] and []
        switch (a, b) {
        case (.integer(let x), .integer(let y)): return cmp(x, y)
        case (.integer, .bigInteger), (.bigInteger, .integer), (.bigInteger, .bigInteger):
            return cmp(a.bigIntValue!, b.bigIntValue!)
        case (.float(let x), .float(let y)): return cmp(x, y)
        case (.float(let x), _): return -compareIntegerToFloat(b, x)
        case (_, .float(let y)): return compareIntegerToFloat(a, y)
        case (.atom(let x), .atom(let y)): return x < y ? -1 : (x == y ? 0 : 1)
        case (.reference(let x), .reference(let y)):
            // Node, creation, then the words from the most significant one (as printed).
            let c = compareNode(x.node, y.node)
            if c != 0 { return c }
            if x.creation != y.creation { return cmp(x.creation, y.creation) }
            let xs = Array(x.ids.reversed())
            let ys = Array(y.ids.reversed())
            if xs.count != ys.count { return cmp(xs.count, ys.count) }
            return xs.lexicographicallyPrecedes(ys) ? -1 : (xs == ys ? 0 : 1)
        case (.port(let x), .port(let y)):
            // Node, creation, number.
            let c = compareNode(x.node, y.node)
            if c != 0 { return c }
            if x.creation != y.creation { return cmp(x.creation, y.creation) }
            return cmp(x.id, y.id)
        case (.pid(let x), .pid(let y)):
            // Serial, number, then node and creation (checked against OTP 25's lists:sort/1).
            if x.serial != y.serial { return cmp(x.serial, y.serial) }
            if x.id != y.id { return cmp(x.id, y.id) }
            let c = compareNode(x.node, y.node)
            return c != 0 ? c : cmp(x.creation, y.creation)
        case (.tuple(let x), .tuple(let y)):
            if x.count != y.count { return cmp(x.count, y.count) }
            for (p, q) in zip(x, y) {
                let c = compare(p, q, mode: mode)
                if c != 0 { return c }
            }
            return 0
        case (.map(let x), .map(let y)):
            if x.count != y.count { return cmp(x.count, y.count) }
            let xe = x.entries.sorted { compare($0.key, $1.key) < 0 }
            let ye = y.entries.sorted { compare($0.key, $1.key) < 0 }
            for (p, q) in zip(xe, ye) {
                let c = compare(p.key, q.key)
                if c != 0 { return c }
            }
            for (p, q) in zip(xe, ye) {
                let c = compare(p.value, q.value, mode: mode)
                if c != 0 { return c }
            }
            return 0
        case (.list, .list), (.list, .improperList), (.improperList, .list), (.improperList, .improperList):
            return compareLists(a, b, mode)
        case (.binary, _), (.bitstring, _):
            return compareBits(a, b)
        case (.exportFun(let x), .exportFun(let y)):
            let c = compare(.atom(x.module), .atom(y.module))
            if c != 0 { return c }
            let c2 = compare(.atom(x.function), .atom(y.function))
            return c2 != 0 ? c2 : cmp(x.arity, y.arity)
        case (.localFun, .exportFun): return -1
        case (.exportFun, .localFun): return 1
        case (.localFun(let x), .localFun(let y)):
            let c = compare(.atom(x.module), .atom(y.module))
            if c != 0 { return c }
            return cmp(x.index, y.index)
        default:
            return 0
        }
    }

    private static func compareNode(_ a: Atom, _ b: Atom) -> Int { a < b ? -1 : (a == b ? 0 : 1) }

    private static func listParts(_ t: Term) -> ([Term], Term) {
        switch t {
        case .list(let l): return (l, .list([]))
        case .improperList(let l, let tail): return (l, tail)
        default: return ([], t)
        }
    }

    private static func compareLists(_ a: Term, _ b: Term, _ mode: Mode) -> Int {
        let (xs, xt) = listParts(a)
        let (ys, yt) = listParts(b)
        let n = min(xs.count, ys.count)
        for i in 0..<n {
            let c = compare(xs[i], ys[i], mode: mode)
            if c != 0 { return c }
        }
        let restA: Term = xs.count > n ? Term.list(Array(xs[n...]), tail: xt) : xt
        let restB: Term = ys.count > n ? Term.list(Array(ys[n...]), tail: yt) : yt
        if xs.count == n && ys.count == n { return compare(xt, yt, mode: mode) }
        return compare(restA, restB, mode: mode)
    }

    private static func bits(_ t: Term) -> [UInt8] {
        switch t {
        case .binary(let b): return b.flatMap { byte in (0..<8).map { (byte >> (7 - $0)) & 1 } }
        case .bitstring(let b, let n):
            var out = b.dropLast().flatMap { byte in (0..<8).map { (byte >> (7 - $0)) & 1 } }
            if let last = b.last { out += (0..<Int(n)).map { (last >> (7 - $0)) & 1 } }
            return out
        default: return []
        }
    }

    private static func compareBits(_ a: Term, _ b: Term) -> Int {
        let x = bits(a)
        let y = bits(b)
        if x == y { return 0 }
        return x.lexicographicallyPrecedes(y) ? -1 : 1
    }
}

extension TermOrder {
    /// An integer (`.integer`/`.bigInteger`) against a float, by value.
    fileprivate static func compareIntegerToFloat(_ i: Term, _ f: Double) -> Int {
        if case .integer(let x) = i, x.magnitude < 1 << 53 { return cmp(Double(x), f) }  // not abs: Int.min traps
        // Large magnitudes: compare exactly through BigInt (f is finite: ETF floats always are).
        guard let big = i.bigIntValue else { return 0 }
        let whole = f.rounded(.down)
        let c = cmp(big, BigInt(whole))
        if c != 0 { return c }
        return whole < f ? -1 : 0
    }
}

extension Term: Comparable {
    /// Erlang's exact term order (``TermOrder/Mode/exact``): consistent with `==`.
    public static func < (lhs: Term, rhs: Term) -> Bool { TermOrder.compare(lhs, rhs) < 0 }
}
