// An Elixir `inspect/2` printer for `Term`, byte-identical to Elixir 1.14 on OTP 25 with default options and with
// `pretty: true`. Ported from Elixir's `Kernel.inspect/2`, `Inspect.Algebra.container_doc/6` and the `Inspect`
// implementations for the built-in types (lib/elixir/lib/inspect.ex; Elixir: Copyright The Elixir Team,
// Apache License 2.0).
//
// Verified against the real Elixir 1.14 by ElixirInspectParityTests (generated corpora, default and pretty layouts).
//
// `ElixirInspectOptions.profile` selects the release imitated (default Elixir 1.14 / OTP 25): ~c"…" charlists and
// version-less MapSet (1.15+), Regex option letters and Duration (1.17+), out-of-range years as calls (Date 1.17+,
// NaiveDateTime/DateTime 1.18+), `\uXXXX` invisibles (1.18+), the shared limit and flex breaks ending at their group
// (1.19), small maps in wire order (OTP 26+), and which atoms need quotes (each release's Unicode data; scripts mixed
// in `_`-separated chunks from 1.18). ElixirInspectReleaseTests checks them against vectors from Elixir's
// own test suites and from the real 1.18.0.
//
// Known gaps:
// - maps with more than 32 keys: OTP iterates them in hash order (HAMT); we keep the entries' order, which is the
//   node's for a map decoded from its ETF, but not for a map built in Swift.
// - remote pids, ports and references: a BEAM prints the node's index in its own atom table; we print
//   `nodeNumbers[node] ?? unknownNodeNumber` (0 for `localNode` and `nonode@nohost`).
// - local funs print as `#Function<index.uniq/arity in Mod>`; Elixir adds `.name/arity` from the fun's name, which
//   the wire form does not carry.
// - structs: Range, MapSet, Date, Time, NaiveDateTime, DateTime (Calendar.ISO only), Regex, URI, Version,
//   Version.Requirement, Task, File.Stat and IO.Stream print as
//   Elixir's own `Inspect` implementations do; other modules print as structs only when listed in
//   `ElixirInspectOptions.structs`, else as plain maps (what a node prints when the module is not loaded). Where
//   Elixir's implementation would raise (wrong keys, a non-ISO calendar) it prints `#Inspect.Error<...>` with a
//   stack trace; we print the plain map.
// - atom quoting uses the release's own identifier tables (generated from each release's lib/elixir/unicode/,
//   ElixirInspect+UnicodeTables.swift) but the Swift standard library's NFC, whose Unicode version may differ from
//   the node's OTP for recently assigned characters.
// - `inspect_fun`, `custom_options` and `structs: false` are not offered.

import ErlangTerm

/// How lists of integers are shown (`:charlists` in `Inspect.Opts`).
public enum ElixirCharlists: Sendable, Hashable {
    /// Printable ASCII lists print as `'abc'`, others as lists (the default).
    case infer
    /// Always as lists of integers.
    case asLists
    /// Always as charlists.
    case asCharlists
}

/// How integers are written (`:base` in `Inspect.Opts`).
public enum ElixirIntegerBase: Int, Sendable, Hashable {
    case binary = 2
    case octal = 8
    case decimal = 10
    case hex = 16
}

/// How binaries are shown (`:binaries` in `Inspect.Opts`).
public enum ElixirBinaries: Sendable, Hashable {
    /// Printable UTF-8 as strings, others as `<<...>>` (the default).
    case infer
    /// Always as `<<...>>`.
    case asBinaries
    /// Always as strings, escaping what is not printable.
    case asStrings
}

/// A syntax colour key of `Inspect.Opts` `:syntax_colors`.
public enum ElixirSyntaxColor: String, Sendable, Hashable, CaseIterable {
    case atom, binary, boolean, charlist, list, map, `nil`, number, regex, string, tuple, reset
}

/// The options of Elixir's `inspect/2` that change the text we produce (`Inspect.Opts`).
public struct ElixirInspectOptions: Sendable {
    /// `pretty:`: lay out in `width` columns; when false everything is on one line.
    public var pretty: Bool = false
    /// `width:`, used when `pretty` is true.
    public var width: Int = 80
    /// `limit:`: the number of items shown per collection (nil for `:infinity`). Up to Elixir 1.18 each item of a
    /// collection is shown with the limit reduced by its position; from 1.19 the limit is shared across the whole
    /// term (see ``PrinterProfile/sharedLimit``). Elixir's default is 50, 100 from 1.19
    /// (``PrinterProfile/defaultInspectLimit``, and ``ElixirInspectOptions/defaults(for:pretty:)``).
    public var limit: Int? = 50
    /// `printable_limit:`: the number of characters of a string or charlist shown (nil for `:infinity`).
    public var printableLimit: Int? = 4096
    /// `charlists:`.
    public var charlists: ElixirCharlists = .infer
    /// `base:` for integers (binaries print as strings only in `.decimal`).
    public var base: ElixirIntegerBase = .decimal
    /// `binaries:`.
    public var binaries: ElixirBinaries = .infer
    /// `syntax_colors:`: ANSI sequences per key (`reset` defaults to `"\u{1B}[0m"`); nil or empty for none.
    public var syntaxColors: [ElixirSyntaxColor: String]? = nil
    /// The name of the node we print for: its pids, ports and references print with node number 0.
    /// `nonode@nohost` is always local.
    public var localNode: Atom? = nil
    /// The number shown first in `#PID<N.…>` for other nodes. A BEAM shows the index of the node's name in its
    /// atom table, which only that node knows; give it here per node when it is known.
    public var nodeNumbers: [Atom: Int] = [:]
    /// The number shown for a remote node that is not in `nodeNumbers`.
    public var unknownNodeNumber: Int = 1
    /// Field order of user struct modules (`MyApp.User` → `[:id, :name]`), as `__info__(:struct)` lists them.
    /// A map whose `__struct__` names one of these and whose keys are exactly these fields prints as
    /// `%MyApp.User{id: 1, name: "a"}`; other structs print as plain maps, as on a node without the module.
    public var structs: [Atom: [Atom]] = [:]
    /// The Elixir (and OTP) release imitated (see ``PrinterProfile``).
    public var profile: PrinterProfile = .elixir114otp25

    public init(
        pretty: Bool = false, width: Int = 80, limit: Int? = 50, printableLimit: Int? = 4096,
        charlists: ElixirCharlists = .infer, base: ElixirIntegerBase = .decimal, binaries: ElixirBinaries = .infer,
        syntaxColors: [ElixirSyntaxColor: String]? = nil
    ) {
        self.pretty = pretty
        self.width = width
        self.limit = limit
        self.printableLimit = printableLimit
        self.charlists = charlists
        self.base = base
        self.binaries = binaries
        self.syntaxColors = syntaxColors
    }

    /// The defaults of `inspect/2`.
    public static let `default` = ElixirInspectOptions()
    /// `pretty: true, width: 80`, as `IO.inspect/2` and IEx use.
    public static let pretty = ElixirInspectOptions(pretty: true)

    /// The defaults of `inspect/2` on the given release (the limit is 100 from Elixir 1.19), plain or `pretty: true`.
    public static func defaults(for profile: PrinterProfile, pretty: Bool = false) -> ElixirInspectOptions {
        var options = ElixirInspectOptions(pretty: pretty, limit: profile.defaultInspectLimit)
        options.profile = profile
        return options
    }
}

/// Elixir 1.14's `inspect/2` for terms received from a node.
public enum ElixirInspect {
    /// The text `Kernel.inspect(term, opts)` returns on Elixir 1.14.
    public static func inspect(_ term: Term, options: ElixirInspectOptions = .default) -> String {
        // Like Elixir's, the printer recurses once per level of nesting. Deep terms (the decoder allows 1,000 levels
        // by default) are printed on a thread whose stack is sized for them.
        let depth = nestingDepth(term)
        if depth <= 64 { return render(term, options) }
        var text = ""
        onLargeStack(max(16 << 20, depth * (64 << 10))) { text = render(term, options) }
        return text
    }

    private static func render(_ term: Term, _ options: ElixirInspectOptions) -> String {
        var printer = Printer(options: options)
        let doc = Algebra.group(printer.toDoc(term, limit: options.limit))
        return Algebra.format(
            doc, width: options.pretty ? options.width : nil, groupOver: options.profile.flexBreakStopsAtGroupEnd)
    }

    /// The nesting depth of a term, computed without recursion.
    static func nestingDepth(_ term: Term) -> Int {
        var maxDepth = 0
        var stack: [(Term, Int)] = [(term, 1)]
        while let (t, d) = stack.popLast() {
            maxDepth = max(maxDepth, d)
            switch t {
            case .tuple(let e), .list(let e): for x in e { stack.append((x, d + 1)) }
            case .improperList(let e, let tail):
                for x in e { stack.append((x, d + 1)) }
                stack.append((tail, d + 1))
            case .map(let m):
                for (k, v) in m.entries {
                    stack.append((k, d + 1))
                    stack.append((v, d + 1))
                }
            default: continue
            }
        }
        return maxDepth
    }

    /// `Macro.inspect_atom(:literal, atom)`: `:ok`, `:"foo bar"`, `MyApp.Stats`, `nil`.
    public static func inspectAtom(_ atom: Atom, profile: PrinterProfile = .elixir114otp25) -> String {
        ElixirAtomText.literal(atom.name, invisibles: profile.escapesInvisibles, identifiers: profile.identifiers)
    }

    /// `Inspect.Float`: the shortest text that reads back as `value` (`1.0e20`, `0.1`, `-0.0`).
    public static func inspectFloat(_ value: Double) -> String { ElixirFloatText.inspect(value) }
}

// MARK: - Printer

struct Printer {
    let options: ElixirInspectOptions
    /// When set, lists are never shown as charlists (MapSet's contents).
    var forceLists = false
    /// The limit left after the last document built (the options `to_doc_with_opts/2` returns, Elixir 1.19+; nil
    /// for `:infinity`). Every builder sets it; only read when the limit is shared.
    var outLimit: Int?
    let profile: PrinterProfile
    let shared: Bool
    let invisibles: Bool
    /// The release's identifier rules, which decide which atoms are quoted.
    let identifiers: ElixirIdentifierData

    init(options: ElixirInspectOptions) {
        self.options = options
        self.profile = options.profile
        self.shared = options.profile.sharedLimit
        self.invisibles = options.profile.escapesInvisibles
        self.identifiers = options.profile.identifiers
        self.outLimit = options.limit
    }

    /// `Inspect.Algebra.color/3`.
    func color(_ doc: InspectDoc, _ key: ElixirSyntaxColor) -> InspectDoc {
        guard let colors = options.syntaxColors, let pre = colors[key] else { return doc }
        let post = colors[.reset] ?? "\u{1B}[0m"
        return .cons(.color(doc, pre), .color(.empty, post))
    }

    func text(_ s: String, _ key: ElixirSyntaxColor) -> InspectDoc { color(.text(s), key) }

    /// `Macro.inspect_atom(:literal, atom)` for the profile's release.
    func atomLiteral(_ name: String) -> String {
        ElixirAtomText.literal(name, invisibles: invisibles, identifiers: identifiers)
    }

    /// `Inspect.Algebra.to_doc/2` with `opts.limit == limit`.
    mutating func toDoc(_ term: Term, limit: Int?) -> InspectDoc {
        // A plain document leaves the limit as it was given; containers, bitstrings and some structs set it.
        outLimit = limit
        switch term {
        case .atom(let a):
            let key: ElixirSyntaxColor =
                a.name == "true" || a.name == "false" ? .boolean : (a.name == "nil" ? .nil : .atom)
            return text(atomLiteral(a.name), key)
        case .integer(let i):
            return text(integerText(i), .number)
        case .bigInteger(let b):
            return text(integerText(b), .number)
        case .float(let d):
            return text(ElixirFloatText.inspect(d), .number)
        case .binary(let bytes):
            return binaryDoc(bytes, limit: limit)
        case .bitstring(let bytes, let bits):
            return bitstringDoc(bytes, lastBits: Int(bits), limit: limit)
        case .tuple(let elements):
            return containerDoc(
                open: text("{", .tuple), elements.map { .term($0) }, tail: nil, close: text("}", .tuple),
                limit: limit, separator: text(",", .tuple), breakMode: .flex
            ) { p, item, l in p.itemDoc(item, l) }
        case .list(let elements):
            return listDoc(elements, tail: nil, limit: limit)
        case .improperList(let elements, let tail):
            return listDoc(elements, tail: tail, limit: limit)
        case .map(let map):
            if let doc = structDoc(map, limit: limit) { return doc }
            return mapDoc(map, limit: limit)
        case .pid(let p):
            return .text("#PID<\(nodeNumber(p.node)).\(p.id).\(p.serial)>")
        case .port(let p):
            return .text("#Port<\(nodeNumber(p.node)).\(p.id)>")
        case .reference(let r):
            return .text(
                "#Reference<\(nodeNumber(r.node))." + r.ids.reversed().map { String($0) }.joined(separator: ".") + ">")
        case .exportFun(let f):
            return .text(
                "&" + atomLiteral(f.module.name) + "."
                    + ElixirAtomText.remoteCall(f.function.name, invisibles: invisibles, identifiers: identifiers) + "/"
                    + String(f.arity))
        case .localFun(let f):
            let uniq: String
            if let u = f.oldUniq.bigIntValue { uniq = u.description } else { uniq = "0" }
            return .text("#Function<\(f.index).\(uniq)/\(f.arity) in \(atomLiteral(f.module.name))>")
        }
    }

    /// `Inspect.Integer.inspect/2`.
    func integerText(_ value: BigInt) -> String {
        let base = options.base
        if base == .decimal { return value.description }
        let digits = String(value.magnitude, radix: base.rawValue, uppercase: true)
        return (value.isNegative ? "-" : "") + basePrefix(base) + digits
    }

    /// `Inspect.Integer.inspect/2` of an `Int` (no big-integer arithmetic).
    func integerText(_ value: Int) -> String {
        let base = options.base
        if base == .decimal { return String(value) }
        let digits = String(value.magnitude, radix: base.rawValue, uppercase: true)
        return (value < 0 ? "-" : "") + basePrefix(base) + digits
    }

    private func basePrefix(_ base: ElixirIntegerBase) -> String {
        base == .hex ? "0x" : (base == .octal ? "0o" : "0b")
    }

    func nodeNumber(_ node: Atom) -> Int {
        if node.name == "nonode@nohost" || node == options.localNode { return 0 }
        return options.nodeNumbers[node] ?? options.unknownNodeNumber
    }

    // MARK: Binaries

    mutating func binaryDoc(_ bytes: [UInt8], limit: Int?) -> InspectDoc {
        outLimit = limit
        let asString: Bool
        switch options.binaries {
        case .asStrings where profile.asStringsIgnoresBase: asString = true
        case _ where options.base != .decimal: asString = false
        case .asStrings: asString = true
        case .asBinaries: asString = false
        case .infer: asString = ElixirEscape.isPrintable(bytes, limit: options.printableLimit)
        }
        if asString {
            let (escaped, truncated) = ElixirEscape.escape(
                bytes, quote: 34, limit: options.printableLimit, invisibles: invisibles)
            return text("\"" + escaped + "\"" + (truncated ? " <> ..." : ""), .string)
        }
        return bitstringDoc(bytes, lastBits: 8, limit: limit)
    }

    /// `inspect_bitstring/2` and `each_bit/3`.
    mutating func bitstringDoc(_ bytes: [UInt8], lastBits: Int, limit: Int?) -> InspectDoc {
        // Elixir 1.19: a bitstring uses up its byte size of the shared limit.
        outLimit = limit.map { max(0, $0 - bytes.count) }
        if bytes.isEmpty {
            outLimit = limit
            return text("<<>>", .binary)
        }
        // Build the flex_glue chain from the end.
        var counter = limit
        var items: [InspectDoc] = []
        var truncated = false
        for (idx, b) in bytes.enumerated() {
            if counter == 0 {
                truncated = true
                break
            }
            let isLast = idx == bytes.count - 1
            if isLast && lastBits != 8 {
                let value = Int(b >> UInt8(8 - lastBits))
                items.append(.cons(text(integerText(value), .number), .text("::size(\(lastBits))")))
            } else {
                items.append(text(integerText(Int(b)), .number))
            }
            if let c = counter { counter = c - 1 }
        }
        var inner: InspectDoc
        if truncated {
            inner = .text("...")
        } else {
            inner = items.removeLast()
        }
        for item in items.reversed() {
            inner = Algebra.flexGlue(.cons(item, .text(",")), inner)
        }
        // Elixir's each_bit for a trailing `<<>>` after the last byte yields :doc_nil; glued with flex_glue it
        // leaves a trailing break. That only happens for binaries whose size is a multiple of 8 reached by the
        // <<h, t::bitstring>> clause with t == <<>>, which the single-byte clause pre-empts, so it never occurs.
        return Algebra.group(
            .cons(.cons(text("<<", .binary), Algebra.nest(inner, 2)), text(">>", .binary)))
    }

    // MARK: Lists

    func isCharlist(_ elements: [Term], tail: Term?) -> Bool {
        // List.ascii_printable?/2 walks at most printable_limit elements.
        var count = options.printableLimit ?? Int.max
        for e in elements {
            if count == 0 { return true }
            guard case .integer(let c) = e, (7...13).contains(c) || c == 27 || (32...126).contains(c) else {
                return false
            }
            if count != Int.max { count -= 1 }
        }
        if tail != nil { return count == 0 }
        return true
    }

    static func isKeyword(_ elements: [Term]) -> Bool {
        for e in elements {
            guard case .tuple(let t) = e, t.count == 2, case .atom(let k) = t[0], !k.name.hasPrefix("Elixir.") else {
                return false
            }
        }
        return true
    }

    mutating func listDoc(_ elements: [Term], tail: Term?, limit: Int?) -> InspectDoc {
        outLimit = limit
        if elements.isEmpty && tail == nil { return text("[]", .list) }
        let useCharlist: Bool
        switch options.charlists {
        case _ where forceLists: useCharlist = false
        case .asLists: useCharlist = false
        case .asCharlists: useCharlist = true
        case .infer: useCharlist = isCharlist(elements, tail: tail)
        }
        if useCharlist && tail == nil {
            var bytes: [UInt8] = []
            for e in elements {
                if case .integer(let c) = e, let u = Unicode.Scalar(UInt32(truncatingIfNeeded: c)) {
                    bytes.append(contentsOf: Array(String(Character(u)).utf8))
                }
            }
            // Elixir 1.15+: `~c"abc"`, escaping `"`; before, `'abc'`.
            let sigil = profile.charlistSigil
            let (escaped, truncated) = ElixirEscape.escape(
                bytes, quote: sigil ? 34 : 39, limit: options.printableLimit, invisibles: invisibles)
            let quoted = sigil ? "~c\"" + escaped + "\"" : "'" + escaped + "'"
            return text(quoted + (truncated ? " ++ ..." : ""), .charlist)
        }
        let open = text("[", .list)
        let close = text("]", .list)
        let sep = text(",", .list)
        if tail == nil && Printer.isKeyword(elements) {
            return containerDoc(
                open: open, elements.map { .term($0) }, tail: nil, close: close, limit: limit, separator: sep,
                breakMode: .strict
            ) { p, item, l in
                guard case .term(.tuple(let t)) = item, case .atom(let k) = t[0] else { return p.itemDoc(item, l) }
                return p.keywordDoc(k, t[1], limit: l)
            }
        }
        return containerDoc(
            open: open, elements.map { .term($0) }, tail: tail, close: close, limit: limit, separator: sep,
            breakMode: .maybe
        ) { p, item, l in p.itemDoc(item, l) }
    }

    /// `Inspect.List.keyword/2`.
    mutating func keywordDoc(_ key: Atom, _ value: Term, limit: Int?) -> InspectDoc {
        .cons(
            text(ElixirAtomText.key(key.name, invisibles: invisibles, identifiers: identifiers), .atom),
            .cons(.text(" "), toDoc(value, limit: limit)))
    }

    // MARK: Maps

    mutating func mapDoc(_ map: TermMap, limit: Int?, name: String = "") -> InspectDoc {
        let entries = ElixirTermOrder.printOrder(map, wireOrder: profile.smallMapsInWireOrder)
        let isKeyword = entries.allSatisfy {
            if case .atom(let a) = $0.key { return !a.name.hasPrefix("Elixir.") }
            return false
        }
        return containerDoc(
            open: text("%" + name + "{", .map), entries.map { .pair($0.key, $0.value) }, tail: nil,
            close: text("}", .map), limit: limit, separator: text(",", .map), breakMode: .strict
        ) { p, item, l in
            guard case .pair(let k, let v) = item else { return p.itemDoc(item, l) }
            if isKeyword, case .atom(let a) = k { return p.keywordDoc(a, v, limit: l) }
            return p.assocDoc(k, v, l)
        }
    }

    /// `Inspect.Map.inspect/4`: `%Name{field: value, ...}` with the fields in the given order.
    mutating func structFieldsDoc(_ map: TermMap, name: String, fields: [Atom], limit: Int?) -> InspectDoc {
        containerDoc(
            open: text("%" + name + "{", .map), fields.map { .field($0) }, tail: nil, close: text("}", .map),
            limit: limit, separator: text(",", .map), breakMode: .strict
        ) { p, item, l in
            guard case .field(let f) = item else { return p.itemDoc(item, l) }
            return p.keywordDoc(f, map[f] ?? .nil, limit: l)
        }
    }

    // MARK: container_doc

    enum Item {
        case term(Term)
        case pair(Term, Term)
        case field(Atom)
        case text(String)
    }

    enum ContainerBreak { case strict, flex, maybe }

    mutating func itemDoc(_ item: Item, _ limit: Int?) -> InspectDoc {
        switch item {
        case .term(let t): return toDoc(t, limit: limit)
        case .text(let s):
            outLimit = limit
            return .text(s)
        case .pair(let k, let v): return assocDoc(k, v, limit)
        case .field(let f):
            outLimit = limit
            return .text(f.name)
        }
    }

    /// `Inspect.Map.to_assoc/3`: from Elixir 1.19 the value gets the limit the key left.
    mutating func assocDoc(_ key: Term, _ value: Term, _ limit: Int?) -> InspectDoc {
        let kd = toDoc(key, limit: limit)
        let vd = toDoc(value, limit: shared ? outLimit : limit)
        return .cons(.cons(kd, text(" => ", .map)), vd)
    }

    /// `Inspect.Algebra.container_doc/6`.
    mutating func containerDoc(
        open: InspectDoc, _ items: [Item], tail: Term?, close: InspectDoc, limit: Int?, separator: InspectDoc,
        breakMode: ContainerBreak, _ fun: (inout Printer, Item, Int?) -> InspectDoc
    ) -> InspectDoc {
        outLimit = limit
        if items.isEmpty && tail == nil { return .cons(open, close) }
        var docs: [InspectDoc] = []
        docs.reserveCapacity(items.count + 1)
        var simple = breakMode == .maybe
        var current = limit
        var index = 0
        while index < items.count {
            // Elixir 1.19's `container_each/5` stops at `limit <= 0`: a shared limit reaches 0 in a nested term and
            // stays there for everything after it.
            if let c = current, shared ? c <= 0 : c == 0 {
                docs.append(.text("..."))
                break
            }
            let isLastWithTail = index == items.count - 1 && tail != nil
            let newLimit = current.map { $0 - 1 }
            if isLastWithTail {
                let left = fun(&self, items[index], newLimit)
                var tailLimit = newLimit
                if shared {
                    // `call_container_fun/3` with what the left side left (unchanged once it is 0 or less).
                    current = outLimit
                    tailLimit = outLimit.map { $0 <= 0 ? $0 : $0 - 1 }
                }
                let right = toDoc(tail!, limit: tailLimit)
                simple = simple && Algebra.isSimple(left) && Algebra.isSimple(right)
                docs.append(Printer.join(left, right, simple, .text(" |")))
                break
            }
            let doc = fun(&self, items[index], newLimit)
            if shared {
                current = outLimit
            } else if !doc.isEmpty {
                current = newLimit
            }
            if simple { simple = Algebra.isSimple(doc) }
            docs.append(doc)
            index += 1
        }
        outLimit = shared ? current : limit
        let flex = simple || breakMode == .flex
        let joined = Algebra.fold(docs) { Printer.join($0, $1, flex, separator) }
        if flex {
            return Algebra.group(.cons(.cons(open, Algebra.nest(joined, 1)), close))
        }
        return Algebra.group(Algebra.glue(Algebra.nest(Algebra.glue(open, "", joined), 2), "", close))
    }

    static func join(_ left: InspectDoc, _ right: InspectDoc, _ flex: Bool, _ sep: InspectDoc) -> InspectDoc {
        if left.isEmpty { return right }
        if right.isEmpty { return left }
        return flex ? Algebra.flexGlue(.cons(left, sep), right) : Algebra.glue(.cons(left, sep), right)
    }
}
