// Map key order and the `Inspect` implementations of common Elixir 1.14 stdlib structs (Range, MapSet, Date, Time,
// NaiveDateTime, DateTime, Regex, URI, Version), ported from Elixir's lib/elixir/lib/inspect.ex and
// lib/elixir/lib/calendar/iso.ex (Elixir: Copyright The Elixir Team, Apache License 2.0).

import ErlangTerm

// MARK: - Term order

/// Erlang's term order as used for map keys (`:maps.to_list/1` of a map of up to 32 keys): exact, so every
/// integer sorts before every float.
enum ElixirTermOrder {
    static func sortedEntries(_ map: TermMap) -> [(key: Term, value: Term)] {
        map.entries.sorted { compare($0.key, $1.key) < 0 }
    }

    /// The order `:maps.to_list/1` gives: term order for up to 32 keys (a flatmap); for more (a hash-array mapped
    /// trie, ordered by OTP's internal hash) the entries' own order, which is the node's when the map was decoded
    /// from its ETF (`term_to_binary/1` walks the trie in the same order).
    ///
    /// With `wireOrder` (OTP 26+, where a flatmap keeps its keys in internal order, atoms by atom index, and
    /// `term_to_binary/1` writes them in that order), the entries' own order at every size.
    static func printOrder(_ map: TermMap, wireOrder: Bool = false) -> [(key: Term, value: Term)] {
        map.count <= 32 && !wireOrder ? sortedEntries(map) : map.entries
    }

    private static func rank(_ t: Term) -> Int {
        switch t {
        case .integer, .bigInteger: return 0
        case .float: return 1
        case .atom: return 2
        case .reference: return 3
        case .localFun, .exportFun: return 4
        case .port: return 5
        case .pid: return 6
        case .tuple: return 7
        case .map: return 8
        case .list(let l) where l.isEmpty: return 9
        case .list, .improperList: return 10
        case .binary, .bitstring: return 11
        }
    }

    private static func cmp<T: Comparable>(_ a: T, _ b: T) -> Int { a < b ? -1 : (a == b ? 0 : 1) }

    private static func compareSeq(_ a: [Term], _ b: [Term]) -> Int {
        for (x, y) in zip(a, b) {
            let c = compare(x, y)
            if c != 0 { return c }
        }
        return cmp(a.count, b.count)
    }

    static func compare(_ a: Term, _ b: Term) -> Int {
        let ra = rank(a)
        let rb = rank(b)
        if ra != rb { return cmp(ra, rb) }
        switch (a, b) {
        case (.integer(let x), .integer(let y)): return cmp(x, y)
        case (_, _) where ra == 0: return cmp(a.bigIntValue!, b.bigIntValue!)
        case (.float(let x), .float(let y)): return cmp(x, y)
        case (.atom(let x), .atom(let y)): return x < y ? -1 : (x == y ? 0 : 1)
        case (.reference(let x), .reference(let y)):
            let c = compare(.atom(x.node), .atom(y.node))
            if c != 0 { return c }
            return compareSeq(x.ids.reversed().map { .integer(Int($0)) }, y.ids.reversed().map { .integer(Int($0)) })
        case (.port(let x), .port(let y)):
            let c = compare(.atom(x.node), .atom(y.node))
            return c != 0 ? c : cmp(x.id, y.id)
        case (.pid(let x), .pid(let y)):
            // OTP 25 orders pids by serial, then number, then node (checked against `Enum.sort/1`).
            if x.serial != y.serial { return cmp(x.serial, y.serial) }
            if x.id != y.id { return cmp(x.id, y.id) }
            let c = compare(.atom(x.node), .atom(y.node))
            return c != 0 ? c : cmp(x.creation, y.creation)
        case (.tuple(let x), .tuple(let y)):
            return x.count != y.count ? cmp(x.count, y.count) : compareSeq(x, y)
        case (.map(let x), .map(let y)):
            if x.count != y.count { return cmp(x.count, y.count) }
            let ex = sortedEntries(x)
            let ey = sortedEntries(y)
            let c = compareSeq(ex.map(\.key), ey.map(\.key))
            return c != 0 ? c : compareSeq(ex.map(\.value), ey.map(\.value))
        case (.list, .list), (.list, .improperList), (.improperList, .list), (.improperList, .improperList):
            return compareLists(a, b)
        case (.binary, _), (.bitstring, _):
            let (xb, xn) = bits(a)
            let (yb, yn) = bits(b)
            for (p, q) in zip(xb, yb) where p != q { return cmp(p, q) }
            return cmp(xn, yn)
        case (.exportFun(let x), .exportFun(let y)):
            let c = compare(.atom(x.module), .atom(y.module))
            if c != 0 { return c }
            let d = compare(.atom(x.function), .atom(y.function))
            return d != 0 ? d : cmp(x.arity, y.arity)
        case (.localFun(let x), .localFun(let y)):
            let c = compare(.atom(x.module), .atom(y.module))
            return c != 0 ? c : cmp(x.index, y.index)
        case (.exportFun, .localFun): return 1
        case (.localFun, .exportFun): return -1
        default: return 0
        }
    }

    private static func bits(_ t: Term) -> ([UInt8], Int) {
        switch t {
        case .binary(let b): return (b, b.count * 8)
        case .bitstring(let b, let n): return (b, (b.count - 1) * 8 + Int(n))
        default: return ([], 0)
        }
    }

    private static func compareLists(_ a: Term, _ b: Term) -> Int {
        func parts(_ t: Term) -> ([Term], Term?) {
            switch t {
            case .list(let l): return (l, nil)
            case .improperList(let l, let tail): return (l, tail)
            default: return ([], t)
            }
        }
        let (xa, ta) = parts(a)
        let (xb, tb) = parts(b)
        for (x, y) in zip(xa, xb) {
            let c = compare(x, y)
            if c != 0 { return c }
        }
        // After the common prefix at most one side is still a non-empty list; compare what is left of each.
        let n = min(xa.count, xb.count)
        let restA: Term = n < xa.count ? .list(Array(xa[n...]), tail: ta ?? .list([])) : (ta ?? .list([]))
        let restB: Term = n < xb.count ? .list(Array(xb[n...]), tail: tb ?? .list([])) : (tb ?? .list([]))
        return compare(restA, restB)
    }
}

// MARK: - Structs

extension Printer {
    private static let rangeKeys: Set<String> = ["__struct__", "first", "last", "step"]
    private static let oldRangeKeys: Set<String> = ["__struct__", "first", "last"]
    private static let uriFields: [Atom] = [
        "scheme", "authority", "userinfo", "host", "port", "path", "query", "fragment",
    ]
    private static let versionFields: [Atom] = ["major", "minor", "patch", "pre", "build"]
    /// Stdlib structs printed by `Inspect.Any`, with their `__info__(:struct)` field order in Elixir 1.14.
    static let stdlibStructs: [Atom: [Atom]] = [
        "Elixir.Task": ["mfa", "owner", "pid", "ref"],
        "Elixir.File.Stat": [
            "size", "type", "access", "atime", "mtime", "ctime", "mode", "links", "major_device", "minor_device",
            "inode", "uid", "gid",
        ],
        "Elixir.IO.Stream": ["device", "raw", "line_or_bytes"],
    ]

    private static func keyNames(_ map: TermMap) -> Set<String>? {
        var names = Set<String>()
        for (k, _) in map.entries {
            guard case .atom(let a) = k else { return nil }
            names.insert(a.name)
        }
        return names
    }

    /// Structs whose `Inspect` implementation returns a plain document (Elixir 1.19's `to_doc_with_opts/2` then
    /// leaves the limit as it was); the others are containers and pass on what their contents left.
    private static let plainDocStructs: Set<String> = [
        "Elixir.Range", "Elixir.Date", "Elixir.Time", "Elixir.NaiveDateTime", "Elixir.DateTime", "Elixir.Regex",
        "Elixir.Version.Requirement",
    ]
    private static let durationFields: [(Atom, Term)] = [
        ("year", 0), ("month", 0), ("week", 0), ("day", 0), ("hour", 0), ("minute", 0), ("second", 0),
        ("microsecond", .tuple([0, 0])),
    ]

    /// The struct printing of `Inspect.Algebra.to_doc/2`, or nil when the map prints as a plain map.
    mutating func structDoc(_ map: TermMap, limit: Int?) -> InspectDoc? {
        guard case .atom(let module)? = map[Atom("__struct__")] else { return nil }
        let doc = structDocByModule(map, module: module, limit: limit)
        if Printer.plainDocStructs.contains(module.name) { outLimit = limit }
        return doc
    }

    private mutating func structDocByModule(_ map: TermMap, module: Atom, limit: Int?) -> InspectDoc? {
        guard let keys = Printer.keyNames(map) else { return nil }
        func has(_ names: [String]) -> Bool { keys == Set(names + ["__struct__"]) }
        switch module.name {
        case "Elixir.Range":
            guard keys == Printer.rangeKeys || keys == Printer.oldRangeKeys,
                let first = map[Atom("first")], let last = map[Atom("last")]
            else { return nil }
            var step = map[Atom("step")]
            if step == nil {
                guard let f = first.bigIntValue, let l = last.bigIntValue else { return nil }
                step = .integer(f <= l ? 1 : -1)
            }
            var parts: [InspectDoc] = [toDoc(first, limit: limit), .text(".."), toDoc(last, limit: limit)]
            let ascendingByOne: Bool = {
                guard step == .integer(1) else { return false }
                return ElixirTermOrder.compareNumbersOrTerms(last, first) >= 0
            }()
            if !ascendingByOne { parts += [.text("//"), toDoc(step!, limit: limit)] }
            return Algebra.concat(parts)
        case "Elixir.MapSet":
            // Elixir 1.14: `%MapSet{map: %{elem => []}, version: 2}`; 1.15+: `%MapSet{map: :sets.set()}`, a version 2
            // set being the same map (map_set.ex v1.15.0:64).
            guard has(profile.mapSetWithoutVersion ? ["map"] : ["map", "version"]),
                case .map(let inner)? = map[Atom("map")]
            else { return nil }
            let elements = ElixirTermOrder.printOrder(inner, wireOrder: profile.smallMapsInWireOrder).map(\.key)
            let saved = forceLists
            forceLists = true
            let list = listDoc(elements, tail: nil, limit: limit)
            forceLists = saved
            return Algebra.concat([.text("MapSet.new("), list, .text(")")])
        case "Elixir.Date":
            guard has(["calendar", "year", "month", "day"]), isISO(map), let d = dateText(map) else { return nil }
            if profile.dateOutOfRangeAsCall, let call = outOfRangeCall("Date", map, ["year", "month", "day"]) {
                return .text(call)
            }
            return .text("~D[" + d + "]")
        case "Elixir.Time":
            guard has(["calendar", "hour", "minute", "second", "microsecond"]), isISO(map), let t = timeText(map)
            else { return nil }
            return .text("~T[" + t + "]")
        case "Elixir.NaiveDateTime":
            guard has(["calendar", "year", "month", "day", "hour", "minute", "second", "microsecond"]), isISO(map),
                let d = dateText(map), let t = timeText(map)
            else { return nil }
            if profile.dateTimeOutOfRangeAsCall,
                let call = outOfRangeCall(
                    "NaiveDateTime", map, ["year", "month", "day", "hour", "minute", "second", "microsecond"])
            {
                return .text(call)
            }
            return .text("~N[" + d + " " + t + "]")
        case "Elixir.DateTime":
            guard
                has([
                    "calendar", "year", "month", "day", "hour", "minute", "second", "microsecond", "time_zone",
                    "zone_abbr", "utc_offset", "std_offset",
                ]), isISO(map), let d = dateText(map), let t = timeText(map),
                let utc = map[Atom("utc_offset")]?.intValue, let std = map[Atom("std_offset")]?.intValue,
                case .binary(let tzBytes)? = map[Atom("time_zone")],
                case .binary(let abbrBytes)? = map[Atom("zone_abbr")]
            else { return nil }
            let tz = String(decoding: tzBytes, as: UTF8.self)
            let abbr = String(decoding: abbrBytes, as: UTF8.self)
            if utc == 0 && std == 0 && tz == "Etc/UTC" {
                // Elixir 1.18+: `#DateTime<…Z>` for a year outside -9999..9999.
                if profile.dateTimeOutOfRangeAsCall, let y = map[Atom("year")]?.intValue, !(-9999...9999).contains(y) {
                    return .text("#DateTime<" + d + " " + t + "Z>")
                }
                return .text("~U[" + d + " " + t + "Z]")
            }
            let total = utc + std
            let sign = total < 0 ? "-" : "+"
            let a = abs(total)
            let offset = sign + pad(a / 3600, 2) + ":" + pad(a % 3600 / 60, 2)
            return .text("#DateTime<" + d + " " + t + offset + " " + abbr + " " + tz + ">")
        case "Elixir.Regex":
            // 1.19 dropped `re_version`; from 1.17 Inspect.Regex reads only `source` and `opts`.
            let withVersion = has(["opts", "re_pattern", "re_version", "source"])
            let withoutVersion = has(["opts", "re_pattern", "source"])
            guard
                withVersion && !profile.regexWithoutVersion || withoutVersion && profile.regexWithoutVersion
                    || (withVersion || withoutVersion) && profile.regexOptionLetters,
                case .binary(let source)? = map[Atom("source")]
            else {
                return nil
            }
            switch map[Atom("opts")] {
            case .binary(let opts)?:
                return regexSigil(source, options: String(decoding: opts, as: UTF8.self))
            case .list(let optList)? where profile.regexOptionLetters:
                if let letters = regexLetters(optList) { return regexSigil(source, options: letters) }
                return Algebra.concat([
                    .text("Regex.compile!("), binaryDoc(source, limit: limit), .text(", "),
                    listDoc(optList, tail: nil, limit: limit), .text(")"),
                ])
            case .list(let optList)?:
                return Algebra.concat([
                    .text("Regex.compile!("), binaryDoc(source, limit: limit), .text(", "),
                    listDoc(optList, tail: nil, limit: limit), .text(")"),
                ])
            default:
                return nil
            }
        case "Elixir.URI":
            guard has(Printer.uriFields.map { $0.name }) else { return nil }
            let fields = Printer.uriFields.filter { $0.name != "authority" || map[Atom("authority")] != .nil }
            return structFieldsDoc(map, name: "URI", fields: fields, limit: limit)
        case "Elixir.Version":
            guard has(Printer.versionFields.map { $0.name }) else { return nil }
            // Inspect.Version leaves out `pre: []` and `build: nil`.
            let fields = Printer.versionFields.filter {
                !($0.name == "pre" && map[Atom("pre")] == .list([]))
                    && !($0.name == "build" && map[Atom("build")] == .nil)
            }
            return structFieldsDoc(map, name: "Version", fields: fields, limit: limit)
        case "Elixir.Version.Requirement":
            guard has(["source", "lexed"]), case .binary(let source)? = map[Atom("source")] else { return nil }
            return Algebra.concat([
                .text("Version.parse_requirement!("),
                text("\"" + String(decoding: source, as: UTF8.self) + "\"", .string),
                .text(")"),
            ])
        case "Elixir.Duration" where profile.durationStruct:
            // `@derive {Inspect, optional: [every field]}`: fields at their default are left out, the rest in
            // defstruct order (duration.ex v1.17.0:95-103).
            guard has(Printer.durationFields.map { $0.0.name }) else { return nil }
            let fields = Printer.durationFields.filter { !Printer.elixirEqual(map[$0.0] ?? .nil, $0.1) }.map(\.0)
            return structFieldsDoc(map, name: "Duration", fields: fields, limit: limit)
        default:
            guard let fields = options.structs[module] ?? Printer.stdlibStructs[module], has(fields.map { $0.name })
            else { return nil }
            return structFieldsDoc(map, name: atomLiteral(module.name), fields: fields, limit: limit)
        }
    }

    /// Elixir's `==`: numbers compare by value (`0 == 0.0`), everything else exactly.
    static func elixirEqual(_ a: Term, _ b: Term) -> Bool {
        switch (a, b) {
        case (.tuple(let x), .tuple(let y)):
            return x.count == y.count && zip(x, y).allSatisfy { elixirEqual($0, $1) }
        case (.float(let x), .float(let y)):
            return x == y
        case (.float, _) where b.bigIntValue != nil, (_, .float) where a.bigIntValue != nil:
            return ElixirTermOrder.compareNumbersOrTerms(a, b) == 0
        default:
            return a == b
        }
    }

    /// `Inspect.Regex` with options as sigil letters.
    private func regexSigil(_ source: [UInt8], options letters: String) -> InspectDoc {
        var normalized: [UInt8] = []
        var i = 0
        while i < source.count {
            if source[i] == 92, i + 1 < source.count, source[i + 1] == 92 {
                normalized += [92, 92]
                i += 2
            } else if source[i] == 92, i + 1 < source.count, source[i + 1] == 47 {
                normalized.append(47)
                i += 2
            } else if profile.regexNormalizesInterpolation, source[i] == 92, i + 2 < source.count,
                source[i + 1] == 35, source[i + 2] == 123
            {
                normalized += [35, 123]
                i += 3
            } else {
                normalized.append(source[i])
                i += 1
            }
        }
        let escaped = ElixirEscape.escape(
            normalized, quote: 47, map: ElixirEscape.regexEscapeMap, invisibles: invisibles
        ).escaped
        return text("~r/" + escaped + "/" + letters, .regex)
    }

    /// `translate_options/2` of Elixir 1.17+'s `Inspect.Regex`: the letters in reverse order of the list, or nil
    /// when an option has no letter.
    private func regexLetters(_ opts: [Term]) -> String? {
        var acc: [Character] = []
        var i = 0
        while i < opts.count {
            if opts[i] == .atom("dotall"), i + 1 < opts.count, opts[i + 1] == .tuple([.atom("newline"), .atom("anycrlf")]) {
                acc.insert("s", at: 0)
                i += 2
                continue
            }
            if opts[i] == .atom("unicode"), i + 1 < opts.count, opts[i + 1] == .atom("ucp") {
                acc.insert("u", at: 0)
                i += 2
                continue
            }
            guard case .atom(let a) = opts[i] else { return nil }
            let letter: Character
            switch a.name {
            case "caseless": letter = "i"
            case "extended": letter = "x"
            case "firstline": letter = "f"
            case "ungreedy": letter = "U"
            case "multiline": letter = "m"
            case "export" where profile.regexExportLetter: letter = "E"
            default: return nil
            }
            acc.insert(letter, at: 0)
            i += 1
        }
        return String(acc)
    }

    /// Elixir 1.17+ (Date) and 1.18+ (NaiveDateTime): an ISO value with a year outside -9999..9999 prints as the
    /// call that builds it, `Date.new!(10000, 1, 1)`; nil for a year in range.
    private func outOfRangeCall(_ name: String, _ map: TermMap, _ fields: [String]) -> String? {
        guard let y = map[Atom("year")]?.intValue, !(-9999...9999).contains(y) else { return nil }
        var args: [String] = []
        for f in fields {
            guard let v = map[Atom(f)] else { return nil }
            if f == "microsecond" {
                // `inspect(microsecond)` with default options.
                args.append(ElixirInspect.inspect(v))
            } else {
                guard let n = v.bigIntValue else { return nil }
                args.append(n.description)
            }
        }
        return name + ".new!(" + args.joined(separator: ", ") + ")"
    }

    private func isISO(_ map: TermMap) -> Bool { map[Atom("calendar")] == .atom("Elixir.Calendar.ISO") }

    private func pad(_ n: Int, _ width: Int) -> String {
        let s = String(n)
        return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
    }

    /// `Calendar.ISO.date_to_string/3` in the `:extended` format.
    private func dateText(_ map: TermMap) -> String? {
        guard let y = map[Atom("year")]?.intValue, let m = map[Atom("month")]?.intValue,
            let d = map[Atom("day")]?.intValue
        else {
            return nil
        }
        let year = y < 0 ? "-" + pad(-y, 4) : pad(y, 4)
        return year + "-" + pad(m, 2) + "-" + pad(d, 2)
    }

    /// `Calendar.ISO.time_to_string/4` in the `:extended` format.
    private func timeText(_ map: TermMap) -> String? {
        guard let h = map[Atom("hour")]?.intValue, let mi = map[Atom("minute")]?.intValue,
            let s = map[Atom("second")]?.intValue,
            case .tuple(let micro)? = map[Atom("microsecond")], micro.count == 2, let us = micro[0].intValue,
            let precision = micro[1].intValue, (0...6).contains(precision)
        else { return nil }
        var text = pad(h, 2) + ":" + pad(mi, 2) + ":" + pad(s, 2)
        if precision > 0 { text += "." + String(pad(us, 6).prefix(precision)) }
        return text
    }
}

extension ElixirTermOrder {
    /// `last >= first` as Elixir evaluates it (term order, numbers by value).
    static func compareNumbersOrTerms(_ a: Term, _ b: Term) -> Int {
        switch (a, b) {
        case (.float(let x), _) where b.bigIntValue != nil:
            let y = Double(b.bigIntValue!)
            return x < y ? -1 : (x == y ? 0 : 1)
        case (_, .float(let y)) where a.bigIntValue != nil:
            let x = Double(a.bigIntValue!)
            return x < y ? -1 : (x == y ? 0 : 1)
        default:
            return compare(a, b)
        }
    }
}
