import ErlangTerm
import TermSyntax

/// What `proc` learned about one process (``ProcSource``'s `{ok, Map}`), decoded. Everything in it was bounded on
/// the node; the decoding bounds it again (text and list lengths).
public struct ProcReport: Sendable {
    public struct MFA: Hashable, Sendable {
        public var module: Atom
        public var function: Atom
        public var arity: Int
    }

    public struct Frame: Hashable, Sendable {
        public var mfa: MFA?
        public var file: String?
        public var line: Int?
        /// A frame the node could not read as `{M, F, A, Location}`, as text.
        public var other: String?
    }

    /// A capped list: the first items and how many more there were.
    public struct Capped: Sendable {
        public var items: [Term]
        public var more: Int
        public var count: Int { items.count + more }
    }

    /// What became of the state.
    public enum State: Sendable, Equatable {
        case shown(text: String, truncated: Bool, syntax: String)
        /// `--no-state`.
        case notAsked
        /// Not a gen_* process: it does not answer `sys:get_state/2`.
        case notSys
        case refusedQueue(length: Int, limit: Int)
        case refusedHeap(words: Int, limit: Int)
        case timeout
        /// The process exited before its state was read.
        case exited
        /// The worker that copies and renders it outgrew its heap cap.
        case tooLarge
        case renderTimeout
        case failed(String)
    }

    public var node: String
    public var pid: Pid
    public var registeredName: Atom?
    public var status: String
    public var initialCall: MFA?
    /// proc_lib's `'$initial_call'` (OTP 26+); nil when absent or not available.
    public var procLibInitialCall: MFA?
    /// Whether the node could be asked for it (OTP 26+).
    public var procLibInitialCallAvailable: Bool
    public var currentFunction: MFA?
    public var application: Atom?
    public var behaviour: Atom?
    public var groupLeader: Term
    public var trapExit: Bool
    public var priority: String
    public var messageQueueLength: Int
    public var memory: Int
    public var totalHeapSize: Int
    public var heapSize: Int
    public var stackSize: Int
    public var reductions: Int
    public var wordSize: Int
    public var links: Capped
    public var monitors: Capped
    public var monitoredBy: Capped
    public var stacktrace: [Frame]
    public var state: State
    public var otp: String

    /// Decodes ``ProcSource``'s map.
    init?(_ map: TermMap) {
        func v(_ k: String) -> Term? { map[Atom(k)] }
        func int(_ k: Atom) -> Int { map[k]?.intValue ?? 0 }
        func atom(_ k: Atom) -> Atom? {
            guard let a = map[k]?.atomValue, a.name != "none", a.name != "undefined" else { return nil }
            return a
        }
        func text(_ t: Term?, max: Int = 400) -> String {
            guard let b = t?.binaryValue else { return "" }
            return String(decoding: b.prefix(max), as: UTF8.self)
        }
        func mfa(_ t: Term?) -> MFA? {
            guard let e = t?.tupleElements, e.count == 3, let m = e[0].atomValue, let f = e[1].atomValue,
                let a = e[2].intValue
            else { return nil }
            return MFA(module: m, function: f, arity: a)
        }
        func capped(_ k: Atom) -> Capped {
            guard let e = map[k]?.tupleElements, e.count == 2 else { return Capped(items: [], more: 0) }
            let items = Array((e[0].listElements ?? []).prefix(100))
            return Capped(items: items, more: max(0, e[1].intValue ?? 0))
        }
        guard let pid = v("pid")?.pidValue, let node = v("node")?.atomName else { return nil }
        self.node = node
        self.pid = pid
        registeredName = atom("registered_name")
        status = v("status")?.atomName ?? "unknown"
        initialCall = mfa(v("initial_call"))
        procLibInitialCall = mfa(v("proc_lib_initial_call"))
        procLibInitialCallAvailable = !(v("proc_lib_initial_call")?.isAtom("unsupported") ?? true)
        currentFunction = mfa(v("current_function"))
        application = atom("application")
        behaviour = atom("behaviour")
        groupLeader = v("group_leader") ?? .atom("none")
        trapExit = v("trap_exit")?.boolValue ?? false
        priority = v("priority")?.atomName ?? "normal"
        messageQueueLength = int("message_queue_len")
        memory = int("memory")
        totalHeapSize = int("total_heap_size")
        heapSize = int("heap_size")
        stackSize = int("stack_size")
        reductions = int("reductions")
        wordSize = v("wordsize")?.intValue ?? 8
        links = capped("links")
        monitors = capped("monitors")
        monitoredBy = capped("monitored_by")
        stacktrace = (v("stacktrace")?.listElements ?? []).prefix(64).map { f in
            if let e = f.tupleElements, e.count == 5, let m = e[0].atomValue, let fn = e[1].atomValue,
                let a = e[2].intValue
            {
                return Frame(
                    mfa: MFA(module: m, function: fn, arity: a), file: e[3].binaryValue.map { text(.binary($0)) },
                    line: e[4].intValue, other: nil)
            }
            return Frame(mfa: nil, file: nil, line: nil, other: text(f.tagged("other")?.first))
        }
        otp = text(v("otp"), max: 16)
        let s = v("state") ?? .atom("none")
        if let e = s.tagged("ok"), e.count == 3 {
            state = .shown(
                text: String(decoding: (e[0].binaryValue ?? []).prefix(ProcCommand.stateBytes), as: UTF8.self),
                truncated: e[1].boolValue ?? false, syntax: e[2].atomName ?? "erlang")
        } else if let e = s.tagged("skipped") {
            state = e.first?.isAtom("not_asked") == true ? .notAsked : .notSys
        } else if let e = s.tagged("refused"), e.count == 3 {
            let n = e[1].intValue ?? 0, limit = e[2].intValue ?? 0
            state = e[0].isAtom("queue") ? .refusedQueue(length: n, limit: limit) : .refusedHeap(words: n, limit: limit)
        } else if let e = s.tagged("failed") {
            state = .failed(text(e.first))
        } else {
            switch s.atomName {
            case "timeout": state = .timeout
            case "dead": state = .exited
            case "too_large": state = .tooLarge
            case "render_timeout": state = .renderTimeout
            // The answer as its own OTP release prints it (the report says which).
            default: state = .failed(termText(s, profile: .forTarget(otpRelease: otp, elixirVersion: nil)))
            }
        }
    }
}

extension ProcReport {
    /// Whether what the view renders locally (names, calls, links, monitors, the group leader) may print differently
    /// between the supported releases: only then is the node's profile worth two calls
    /// (``Term/dependsOnPrinterProfile``).
    var dependsOnPrinterProfile: Bool {
        var atoms: [Term] = [registeredName, application].compactMap { $0.map(Term.atom) }
        for m in [initialCall, procLibInitialCall, currentFunction] + stacktrace.map(\.mfa) {
            if let m { atoms += [.atom(m.module), .atom(m.function)] }
        }
        let rendered = atoms + [groupLeader] + links.items + monitors.items + monitoredBy.items
        return rendered.contains { $0.dependsOnPrinterProfile }
    }
}

/// The `proc` view: one process in sections (identity, where, sizes, links and monitors, stacktrace, state), and
/// its JSON. Pure: ``ProcCommand`` makes the calls.
public enum ProcView {
    /// Where the process was found, for the header.
    public struct Location: Sendable {
        /// The node it lives on.
        public var node: String
        /// How: `node` (given with --node), `target`, `found` (looked up on the cluster's nodes), `owner` (a
        /// global/via name or a remote pid that lives on another node).
        public var how: String
        /// Every node the name is registered on, when the cluster was asked.
        public var registeredOn: [String]
        public init(node: String, how: String, registeredOn: [String] = []) {
            self.node = node; self.how = how; self.registeredOn = registeredOn
        }
    }

    // MARK: - Terms

    static func atom(_ a: Atom, syntax: SourceSyntax, profile: PrinterProfile) -> String {
        syntax == .elixir ? ElixirInspect.inspectAtom(a, profile: profile) : termText(.atom(a), profile: profile)
    }

    /// A module as its own syntax names it: `MyApp.Worker` / `:gen_server`, `'Elixir.MyApp.Worker'` / `gen_server`.
    static func module(_ a: Atom, syntax: SourceSyntax, profile: PrinterProfile) -> String {
        atom(a, syntax: syntax, profile: profile)
    }

    static func mfa(_ m: ProcReport.MFA, syntax: SourceSyntax, profile: PrinterProfile) -> String {
        switch syntax {
        case .elixir:
            var f = ElixirInspect.inspectAtom(m.function, profile: profile)
            if f.hasPrefix(":") && !f.hasPrefix(":\"") { f.removeFirst() }
            return "\(module(m.module, syntax: syntax, profile: profile)).\(f)/\(m.arity)"
        case .erlang:
            let function = termText(.atom(m.function), profile: profile)
            return "\(module(m.module, syntax: syntax, profile: profile)):\(function)/\(m.arity)"
        }
    }

    /// A pid as the node it lives on prints it (`<0.12.0>`; `#PID<0.12.0>` in Elixir); a pid on another node with
    /// that node's name in place of the number its owner would print (`<b@host.12.0>`).
    static func pid(_ p: Pid, home: String, syntax: SourceSyntax) -> String {
        let body = p.node.name == home ? "<0.\(p.id).\(p.serial)>" : "<\(p.node.name).\(p.id).\(p.serial)>"
        return syntax == .elixir ? "#PID" + body : body
    }

    static func term(_ t: Term, syntax: SourceSyntax, profile: PrinterProfile, home: String = "") -> String {
        switch t {
        case .pid(let p): return pid(p, home: home, syntax: syntax)
        case .port(let p):
            let body = p.node.name == home ? "<0.\(p.id)>" : "<\(p.node.name).\(p.id)>"
            return "#Port" + body
        default:
            if let other = t.tagged("other")?.first?.binaryValue { return String(decoding: other.prefix(300), as: UTF8.self) }
            let text =
                syntax == .elixir
                ? ElixirInspect.inspect(t, options: .defaults(for: profile)) : termText(t, profile: profile)
            return truncate(text, to: 300)
        }
    }

    /// A monitor: `{process, Pid}`, `{process, {Name, Node}}`, `{port, …}`.
    static func monitor(_ t: Term, syntax: SourceSyntax, profile: PrinterProfile, home: String) -> String {
        guard let e = t.tupleElements, e.count == 2, let kind = e[0].atomName, e[0].atomName != "other" else {
            return term(t, syntax: syntax, profile: profile, home: home)
        }
        if let named = e[1].tupleElements, named.count == 2, let name = named[0].atomValue, let n = named[1].atomName {
            return "\(kind) \(atom(name, syntax: syntax, profile: profile)) on \(n)"
        }
        return "\(kind) \(term(e[1], syntax: syntax, profile: profile, home: home))"
    }

    // MARK: - Text

    public static func text(
        _ r: ProcReport, location: Location, query: String, syntax: SourceSyntax, profile: PrinterProfile
    ) -> String {
        let home = r.node
        func words(_ w: Int) -> String { "\(w) words (\(HumanUnits.bytes(w * r.wordSize)))" }
        var out = "\(query == pidText(r) ? pid(r.pid, home: home, syntax: syntax) : query + " " + pid(r.pid, home: home, syntax: syntax)) on \(r.node)"
        switch location.how {
        case "target": out += " (the target)"
        case "found": out += " (not registered on the target; found by asking the cluster)"
        case "owner": out += " (where it lives)"
        default: break
        }
        out += "\n"
        if location.registeredOn.count > 1 {
            out += "  registered under that name on \(location.registeredOn.count) nodes: "
                + location.registeredOn.joined(separator: ", ") + "\n"
        }
        var identity: [(String, String)] = [("pid", pid(r.pid, home: home, syntax: syntax))]
        func atom(_ a: Atom) -> String { ProcView.atom(a, syntax: syntax, profile: profile) }
        func mfa(_ m: ProcReport.MFA) -> String { ProcView.mfa(m, syntax: syntax, profile: profile) }
        identity.append(("registered name", r.registeredName.map(atom) ?? "(none)"))
        identity.append(("initial call", r.initialCall.map(mfa) ?? "(unknown)"))
        if let p = r.procLibInitialCall {
            identity.append(("proc_lib initial call", mfa(p)))
        }
        identity.append(("behaviour", r.behaviour.map { $0.name } ?? "(none: not a gen_* loop)"))
        identity.append(("application", r.application.map(atom) ?? "(none)"))
        identity.append(("group leader", term(r.groupLeader, syntax: syntax, profile: profile, home: home)))
        out += "identity\n" + keyValueLines(identity, indent: "  ")
        var running: [(String, String)] = [("status", r.status)]
        running.append(("current function", r.currentFunction.map(mfa) ?? "(unknown)"))
        running.append(("trap_exit", r.trapExit ? "true" : "false"))
        running.append(("priority", r.priority))
        out += "running\n" + keyValueLines(running, indent: "  ")
        let sizes: [(String, String)] = [
            ("message queue", "\(r.messageQueueLength)"),
            ("memory", HumanUnits.bytes(r.memory)),
            ("total heap", words(r.totalHeapSize)),
            ("heap", words(r.heapSize)),
            ("stack", words(r.stackSize)),
            ("reductions", "\(r.reductions)"),
        ]
        out += "sizes\n" + keyValueLines(sizes, indent: "  ")
        func list(_ title: String, _ c: ProcReport.Capped, _ f: (Term) -> String) {
            out += "\(title) (\(c.count))\n"
            for t in c.items { out += "  " + f(t) + "\n" }
            if c.more > 0 { out += "  … and \(c.more) more\n" }
        }
        list("links", r.links) { term($0, syntax: syntax, profile: profile, home: home) }
        list("monitors", r.monitors) { monitor($0, syntax: syntax, profile: profile, home: home) }
        list("monitored by", r.monitoredBy) { term($0, syntax: syntax, profile: profile, home: home) }
        out += "stacktrace\n"
        if r.stacktrace.isEmpty { out += "  (empty)\n" }
        for f in r.stacktrace { out += "  " + frame(f, syntax: syntax, profile: profile) + "\n" }
        out += "state\n"
        for line in stateLines(r, syntax: syntax) { out += "  " + line + "\n" }
        return out
    }

    static func pidText(_ r: ProcReport) -> String { "<0.\(r.pid.id).\(r.pid.serial)>" }

    static func frame(_ f: ProcReport.Frame, syntax: SourceSyntax, profile: PrinterProfile) -> String {
        guard let m = f.mfa else { return f.other ?? "?" }
        var s = mfa(m, syntax: syntax, profile: profile)
        if let file = f.file {
            s += syntax == .elixir
                ? " (\(file)\(f.line.map { ":\($0)" } ?? ""))" : " (\(file)\(f.line.map { ", line \($0)" } ?? ""))"
        }
        return s
    }

    /// The state section: the rendered text, or one line saying why there is none.
    static func stateLines(_ r: ProcReport, syntax: SourceSyntax) -> [String] {
        switch r.state {
        case .shown(let text, let truncated, _):
            var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            if truncated { lines.append("… (cut on the node at \(ProcCommand.stateBytes) bytes)") }
            return lines
        case .notAsked: return ["(not fetched: --no-state)"]
        case .notSys:
            return ["(not fetched: the process runs no gen_server/gen_statem/gen_event loop, so it would not answer sys:get_state)"]
        case .refusedQueue(let n, let limit):
            return ["(not fetched: \(n) messages queued, above \(limit); sys:get_state would wait behind them)"]
        case .refusedHeap(let w, let limit):
            return ["(not fetched: total heap \(w) words (\(HumanUnits.bytes(w * r.wordSize))), above \(limit) words; "
                + "copying it would cost the node as much)"]
        case .timeout:
            return ["(no answer to sys:get_state within \(ProcCommand.stateTimeoutMs) ms: the process is busy or blocked; "
                + "the request stays in its mailbox)"]
        case .exited: return ["(the process exited before its state was read)"]
        case .tooLarge:
            return ["(not shown: the state outgrew the \(ProcCommand.workerHeapWords)-word cap of the process that "
                + "copies and renders it on the node)"]
        case .renderTimeout: return ["(not shown: reading and rendering the state took longer than allowed)"]
        case .failed(let why): return ["(could not read the state: \(why))"]
        }
    }

    // MARK: - JSON

    public static func json(_ r: ProcReport, location: Location, query: String, profile: PrinterProfile) -> JSONValue {
        let home = r.node
        func mfa(_ m: ProcReport.MFA?) -> JSONValue {
            guard let m else { return .null }
            return .orderedObject([
                ("module", .string(m.module.name)), ("function", .string(m.function.name)), ("arity", .integer(m.arity)),
            ])
        }
        func ident(_ t: Term) -> JSONValue {
            switch t {
            case .pid, .port: return .string(term(t, syntax: .erlang, profile: profile, home: home))
            default: return .string(term(t, syntax: .erlang, profile: profile, home: home))
            }
        }
        func monitorJSON(_ t: Term) -> JSONValue {
            guard let e = t.tupleElements, e.count == 2, let kind = e[0].atomName, kind != "other" else {
                return .orderedObject([("type", .string("other")), ("text", ident(t))])
            }
            if let named = e[1].tupleElements, named.count == 2, let name = named[0].atomName, let n = named[1].atomName {
                return .orderedObject([("type", .string(kind)), ("name", .string(name)), ("node", .string(n))])
            }
            return .orderedObject([("type", .string(kind)), ("id", ident(e[1]))])
        }
        func capped(_ c: ProcReport.Capped, _ f: (Term) -> JSONValue) -> JSONValue {
            .orderedObject([("count", .integer(c.count)), ("items", .array(c.items.map(f))), ("more", .integer(c.more))])
        }
        var state: [(String, JSONValue)]
        switch r.state {
        case .shown(let text, let truncated, let syntax):
            state = [("status", .string("ok")), ("text", .string(text)), ("truncated", .bool(truncated)),
                     ("syntax", .string(syntax))]
        case .notAsked: state = [("status", .string("skipped")), ("reason", .string("not_asked"))]
        case .notSys: state = [("status", .string("skipped")), ("reason", .string("not_a_gen_process"))]
        case .refusedQueue(let n, let limit):
            state = [("status", .string("refused")), ("reason", .string("message_queue_len")), ("value", .integer(n)),
                     ("limit", .integer(limit))]
        case .refusedHeap(let w, let limit):
            state = [("status", .string("refused")), ("reason", .string("total_heap_size")), ("value", .integer(w)),
                     ("limit", .integer(limit))]
        case .timeout: state = [("status", .string("timeout"))]
        case .exited: state = [("status", .string("exited"))]
        case .tooLarge: state = [("status", .string("too_large"))]
        case .renderTimeout: state = [("status", .string("render_timeout"))]
        case .failed(let why): state = [("status", .string("failed")), ("reason", .string(why))]
        }
        if let message = stateLines(r, syntax: .erlang).first, state.first?.1 != .string("ok") {
            state.append(("message", .string(message)))
        }
        return .orderedObject([
            ("status", .string("ok")),
            ("query", .string(query)),
            ("node", .string(r.node)),
            ("found", .string(location.how)),
            ("registered_on", .strings(location.registeredOn)),
            ("pid", .string(pid(r.pid, home: home, syntax: .erlang))),
            ("registered_name", r.registeredName.map { .string($0.name) } ?? .null),
            ("initial_call", mfa(r.initialCall)),
            ("proc_lib_initial_call", r.procLibInitialCallAvailable ? mfa(r.procLibInitialCall) : .null),
            ("behaviour", r.behaviour.map { .string($0.name) } ?? .null),
            ("application", r.application.map { .string($0.name) } ?? .null),
            ("group_leader", ident(r.groupLeader)),
            ("process_status", .string(r.status)),
            ("current_function", mfa(r.currentFunction)),
            ("trap_exit", .bool(r.trapExit)),
            ("priority", .string(r.priority)),
            ("message_queue_len", .integer(r.messageQueueLength)),
            ("memory_bytes", .integer(r.memory)),
            ("total_heap_size_words", .integer(r.totalHeapSize)),
            ("heap_size_words", .integer(r.heapSize)),
            ("stack_size_words", .integer(r.stackSize)),
            ("reductions", .integer(r.reductions)),
            ("word_size", .integer(r.wordSize)),
            ("links", capped(r.links, ident)),
            ("monitors", capped(r.monitors, monitorJSON)),
            ("monitored_by", capped(r.monitoredBy, ident)),
            ("stacktrace", .array(r.stacktrace.map { f in
                guard let m = f.mfa else { return .orderedObject([("text", .string(f.other ?? "?"))]) }
                return .orderedObject([
                    ("module", .string(m.module.name)), ("function", .string(m.function.name)),
                    ("arity", .integer(m.arity)), ("file", f.file.map(JSONValue.string) ?? .null),
                    ("line", f.line.map(JSONValue.integer) ?? .null),
                ])
            })),
            ("state", .orderedObject(state)),
        ])
    }
}
