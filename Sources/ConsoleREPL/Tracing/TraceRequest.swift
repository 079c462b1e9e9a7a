import ErlangTerm

/// `trace` as typed: `trace Mod.fun[/arity] [PATTERN] [--match-spec MS] [--node N|--nodes A,B|--all] [--count N]
/// [--rate N] [--for DURATION] [--max N] [--returns] [--pid PID|NAME] [--force]`. The limits are checked here; the
/// function and pattern are read by ``TraceSpec`` in the console's syntax.
public struct TraceRequest: Equatable, Sendable {
    public var function: String
    public var pattern: String?
    public var matchSpec: String?
    /// `--node`/`--nodes`; nil: the target, or every node with ``all``.
    public var nodes: [String]?
    public var all = false
    /// Events per node.
    public var count = TraceRequest.defaultCount
    /// Events per second per node.
    public var rate = TraceRequest.defaultRate
    public var seconds = TraceRequest.defaultSeconds
    /// Events in all (across nodes); nil: ``defaultMax(nodes:)``.
    public var max: Int?
    public var returns = false
    /// Only this process (`<0.123.0>` or a registered name), on one node.
    public var pid: String?
    /// Whole modules, every module, and durations over ``maxSeconds``.
    public var force = false

    public static let defaultCount = 100
    public static let defaultRate = 50
    public static let defaultSeconds = 30.0
    /// The longest trace without `--force`.
    public static let maxSeconds = 300.0
    /// The longest trace with `--force`.
    public static let maxForcedSeconds = 3600.0
    /// The default cap across nodes.
    public static let defaultMaxTotal = 500

    public init(function: String) { self.function = function }

    public static let usage =
        "trace Mod.fun[/arity] [PATTERN] [--match-spec MS] [--node N|--nodes A,B|--all] [--count N] [--rate N] "
        + "[--for DURATION] [--max N] [--returns] [--pid PID|NAME] [--force]"

    /// The cap across nodes: `--max`, else the per-node count times the nodes, at most 500.
    public func maxTotal(nodes: Int) -> Int { max ?? min(count * Swift.max(1, nodes), Self.defaultMaxTotal) }

    /// Parses the words after `trace`.
    public static func parse(_ rest: String) throws(ConsoleCommandError) -> TraceRequest {
        guard let words = CommandWords.split(rest), let first = words.first, !first.hasPrefix("--") else {
            throw ConsoleCommandError("usage: \(usage)")
        }
        var r = TraceRequest(function: first)
        var i = 1
        if i < words.count, !words[i].hasPrefix("--") {
            r.pattern = words[i]
            i += 1
        }
        func value(_ option: String) throws(ConsoleCommandError) -> String {
            guard i + 1 < words.count, !words[i + 1].hasPrefix("--") else {
                throw ConsoleCommandError("trace: \(option) needs a value (usage: \(usage))")
            }
            i += 1
            return words[i]
        }
        func number(_ option: String, _ range: ClosedRange<Int>) throws(ConsoleCommandError) -> Int {
            let text = try value(option)
            let digits = text.hasSuffix("/s") ? String(text.dropLast(2)) : text
            guard let n = Int(digits), range.contains(n) else {
                throw ConsoleCommandError("trace: \(option) takes a whole number from \(range.lowerBound) to \(range.upperBound)")
            }
            return n
        }
        var seconds: Double?
        while i < words.count {
            let w = words[i]
            switch w {
            case "--node", "--nodes":
                let list = try value(w).split(separator: ",").map(String.init)
                guard !list.isEmpty, w == "--nodes" || list.count == 1 else {
                    throw ConsoleCommandError("trace: --node takes one node (--nodes A,B for several)")
                }
                for n in list { try ConsoleCommand.validateNodeName(n) }
                r.nodes = (r.nodes ?? []) + list
            case "--all": r.all = true
            case "--count": r.count = try number(w, 1...10_000)
            case "--rate": r.rate = try number(w, 1...1_000)
            case "--max": r.max = try number(w, 1...10_000)
            case "--for":
                let text = try value(w)
                guard let s = DurationText.seconds(text), s > 0 else {
                    throw ConsoleCommandError("trace: --for takes a duration (30s, 5m, 500ms)")
                }
                seconds = s
            case "--returns": r.returns = true
            case "--force": r.force = true
            case "--pid": r.pid = try value(w)
            case "--match-spec": r.matchSpec = try value(w)
            default:
                throw ConsoleCommandError("trace: unknown option \(w) (usage: \(usage))")
            }
            i += 1
        }
        if let seconds {
            let limit = r.force ? maxForcedSeconds : maxSeconds
            guard seconds <= limit else {
                throw ConsoleCommandError(
                    r.force
                        ? "trace: --for is at most \(DurationText.text(maxForcedSeconds))"
                        : "trace: --for is at most \(DurationText.text(maxSeconds)) (longer needs --force)")
            }
            r.seconds = seconds
        }
        if r.all, r.nodes != nil { throw ConsoleCommandError("trace: give --all or --node/--nodes, not both") }
        if r.pid != nil, r.all || (r.nodes?.count ?? 1) > 1 {
            throw ConsoleCommandError("trace: --pid traces one process, on one node")
        }
        if let p = r.pid {
            let target = try ProcTarget.parse(p)
            guard !(target.isGlobalOrVia) else { throw ConsoleCommandError("trace: --pid takes a pid or a registered name") }
        }
        return r
    }

    /// `procs` for the node: `all`, `{pid, <<"<0.1.0>">>}` or `{name, Atom}`.
    func processesTerm() -> Term {
        guard let pid, let target = try? ProcTarget.parse(pid) else { return .atom("all") }
        switch target {
        case .pid(let text): return .tuple([.atom("pid"), .binary(Array(text.utf8))])
        case .name(let n): return .tuple([.atom("name"), .atom(Atom(n))])
        default: return .atom("all")
        }
    }
}

extension ProcTarget {
    var isGlobalOrVia: Bool {
        switch self {
        case .global, .via: return true
        default: return false
        }
    }
}
