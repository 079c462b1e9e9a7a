// A port of Elixir 1.14's `Inspect.Algebra` document algebra (lib/elixir/lib/inspect/algebra.ex), which decides
// where `inspect(term, pretty: true)` breaks lines. Elixir is Copyright The Elixir Team, Apache License 2.0; the
// layout algorithm (`format/3` and `fits?/4`) is ported clause by clause, with Elixir's recursive work lists
// turned into explicit stacks so that deep documents cannot overflow the Swift stack.
//
// Widths are measured as Elixir measures plain binaries: in UTF-8 bytes (`byte_size/1`), not in characters.

/// A document of the Wadler-style algebra used by Elixir's `inspect/2`.
indirect enum InspectDoc: Sendable {
    /// `:doc_nil`, the empty document.
    case empty
    /// `:doc_line`, a forced line break.
    case line
    /// A plain binary; its width is its UTF-8 byte count.
    case text(String)
    /// `{:doc_cons, left, right}`.
    case cons(InspectDoc, InspectDoc)
    /// `{:doc_nest, doc, indent, mode}`.
    case nest(InspectDoc, NestIndent, NestMode)
    /// `{:doc_break, string, mode}`: `string` when flat, a newline when broken.
    case breakable(String, BreakMode)
    /// `{:doc_group, doc, mode}`.
    case group(InspectDoc, GroupMode)
    /// `{:doc_fits, doc, mode}` (`next_break_fits/2`).
    case fits(InspectDoc, FitsMode)
    /// `{:doc_force, doc}` (`force_unfit/1`).
    case force(InspectDoc)
    /// `{:doc_color, doc, ansi}`; the ANSI sequence is emitted as is and takes no width.
    case color(InspectDoc, String)

    enum NestIndent: Sendable, Equatable { case columns(Int), cursor, reset }
    enum NestMode: Sendable { case always, onBreak }
    enum BreakMode: Sendable { case strict, flex }
    enum GroupMode: Sendable { case own, inherit }
    enum FitsMode: Sendable { case enabled, disabled }

    var isEmpty: Bool {
        if case .empty = self { return true }
        return false
    }
}

/// The document builders of `Inspect.Algebra`, with Elixir's names.
enum Algebra {
    static func concat(_ a: InspectDoc, _ b: InspectDoc) -> InspectDoc { .cons(a, b) }
    static func concat(_ docs: [InspectDoc]) -> InspectDoc { fold(docs, concat) }
    static func nest(_ doc: InspectDoc, _ level: Int, _ mode: InspectDoc.NestMode = .always) -> InspectDoc {
        level == 0 ? doc : .nest(doc, .columns(level), mode)
    }
    static func group(_ doc: InspectDoc) -> InspectDoc { .group(doc, .own) }
    static func glue(_ a: InspectDoc, _ breakString: String, _ b: InspectDoc) -> InspectDoc {
        .cons(a, .cons(.breakable(breakString, .strict), b))
    }
    static func glue(_ a: InspectDoc, _ b: InspectDoc) -> InspectDoc { glue(a, " ", b) }
    static func flexGlue(_ a: InspectDoc, _ breakString: String, _ b: InspectDoc) -> InspectDoc {
        .cons(a, .cons(.breakable(breakString, .flex), b))
    }
    static func flexGlue(_ a: InspectDoc, _ b: InspectDoc) -> InspectDoc { flexGlue(a, " ", b) }
    /// `fold_doc/2`: a right fold.
    static func fold(_ docs: [InspectDoc], _ f: (InspectDoc, InspectDoc) -> InspectDoc) -> InspectDoc {
        guard var acc = docs.last else { return .empty }
        for doc in docs.dropLast().reversed() { acc = f(doc, acc) }
        return acc
    }

    /// Whether a document is made only of text (`simple?/1` in `container_doc/6`).
    static func isSimple(_ doc: InspectDoc) -> Bool {
        var stack = [doc]
        while let d = stack.popLast() {
            switch d {
            case .cons(let a, let b):
                stack.append(b)
                stack.append(a)
            case .color(let x, _): stack.append(x)
            case .text, .empty: continue
            default: return false
            }
        }
        return true
    }

    // MARK: Layout

    private enum Mode { case flat, brk, flatNoBreak, breakNoFlat }
    private struct Entry {
        var indent: Int
        var mode: Mode
        var doc: InspectDoc
        /// Elixir 1.19's `:group_over` marker, pushed after a group's contents (`doc` is then `.empty`).
        var groupOver = false
    }
    private enum FitsItem { case entry(Entry), tail(Bool) }

    /// `Inspect.Algebra.format/2`: lays `doc` out in `width` columns (`nil` for `:infinity`). With `groupOver`
    /// (Elixir 1.19+, algebra.ex v1.19.0 "Fix flex break at group end"), the fit check of a flex break ends at the
    /// end of the enclosing group: when it gets there the rest fits if a break was seen on the way.
    static func format(_ doc: InspectDoc, width: Int?, groupOver: Bool = false) -> String {
        let w = width ?? Int.max
        let infinite = width == nil
        var out = ""
        var k = 0
        var stack: [Entry] = [Entry(indent: 0, mode: .flat, doc: doc)]
        while let e = stack.popLast() {
            if e.groupOver { continue }
            let i = e.indent
            switch e.doc {
            case .empty: continue
            case .line:
                out += indentString(i)
                k = i
            case .cons(let x, let y):
                stack.append(Entry(indent: i, mode: e.mode, doc: y))
                stack.append(Entry(indent: i, mode: e.mode, doc: x))
            case .color(let x, let c):
                out += c
                stack.append(Entry(indent: i, mode: e.mode, doc: x))
            case .text(let s):
                out += s
                k += s.utf8.count
            case .force(let x), .fits(let x, _):
                stack.append(Entry(indent: i, mode: e.mode, doc: x))
            case .breakable(let s, .flex):
                let k2 = k + s.utf8.count
                if infinite || e.mode == .flat || fits(w, k2, true, [], rest: stack) {
                    out += s
                    k = k2
                } else {
                    out += indentString(i)
                    k = i
                }
            case .breakable(let s, .strict):
                if e.mode == .brk {
                    out += indentString(i)
                    k = i
                } else {
                    out += s
                    k += s.utf8.count
                }
            case .nest(let x, let j, let nestMode):
                if nestMode == .always || e.mode == .brk {
                    stack.append(Entry(indent: applyNesting(i, k, j), mode: e.mode, doc: x))
                } else {
                    stack.append(Entry(indent: i, mode: e.mode, doc: x))
                }
            case .group(let x, let gm):
                if e.mode == .brk && gm == .inherit {
                    stack.append(Entry(indent: i, mode: .brk, doc: x))
                } else {
                    if groupOver { stack.append(Entry(indent: i, mode: .flat, doc: .empty, groupOver: true)) }
                    if infinite || fits(w, k, false, [.entry(Entry(indent: i, mode: .flat, doc: x))], rest: []) {
                        stack.append(Entry(indent: i, mode: .flat, doc: x))
                    } else {
                        stack.append(Entry(indent: i, mode: .brk, doc: x))
                    }
                }
            }
        }
        return out
    }

    private static func indentString(_ i: Int) -> String {
        "\n" + String(repeating: " ", count: i)
    }

    private static func applyNesting(_ i: Int, _ k: Int, _ j: InspectDoc.NestIndent) -> Int {
        switch j {
        case .cursor: return k
        case .reset: return 0
        case .columns(let n): return i + n
        }
    }

    /// `fits?/4`. `local` is the work list built here (top at the end); when it runs out, the entries still waiting
    /// in the formatter (`rest`, top at the end) are read without being consumed.
    private static func fits(_ w: Int, _ k0: Int, _ b0: Bool, _ local0: [FitsItem], rest: [Entry]) -> Bool {
        var k = k0
        var b = b0
        var local = local0
        var restIndex = rest.count
        while true {
            if k > w && b { return false }
            let e: Entry
            if let item = local.popLast() {
                switch item {
                case .tail(let saved):
                    b = saved
                    continue
                case .entry(let x): e = x
                }
            } else if restIndex > 0 {
                restIndex -= 1
                e = rest[restIndex]
                // `fits?(_, _, b?, [:group_over | _])`: only the formatter's stack holds the markers.
                if e.groupOver { return b }
            } else {
                return true
            }
            let i = e.indent
            let m = e.mode
            switch e.doc {
            case .fits(let x, .disabled):
                local.append(.entry(Entry(indent: i, mode: .flatNoBreak, doc: x)))
            case .fits(let x, .enabled):
                if m == .flatNoBreak {
                    local.append(.entry(Entry(indent: i, mode: .flatNoBreak, doc: x)))
                } else {
                    local.append(.entry(Entry(indent: i, mode: .breakNoFlat, doc: x)))
                }
            case .force(let x) where m == .breakNoFlat:
                local.append(.entry(Entry(indent: i, mode: .breakNoFlat, doc: x)))
            case .breakable, .line:
                if m == .breakNoFlat || m == .brk { return true }
                if case .breakable(let s, _) = e.doc {
                    k += s.utf8.count
                    b = true
                } else {
                    k = i
                    b = false
                }
            case .group(let x, _):
                local.append(.tail(b))
                local.append(.entry(Entry(indent: i, mode: m == .brk ? .flat : m, doc: x)))
            case .empty:
                continue
            case .color(let x, _):
                local.append(.entry(Entry(indent: i, mode: m, doc: x)))
            case .text(let s):
                k += s.utf8.count
            case .force:
                return false
            case .nest(let x, let j, let nm):
                if nm == .onBreak {
                    local.append(.entry(Entry(indent: i, mode: m, doc: x)))
                } else {
                    local.append(.entry(Entry(indent: applyNesting(i, k, j), mode: m, doc: x)))
                }
            case .cons(let x, let y):
                local.append(.entry(Entry(indent: i, mode: m, doc: y)))
                local.append(.entry(Entry(indent: i, mode: m, doc: x)))
            }
        }
    }
}
