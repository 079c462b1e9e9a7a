import ErlangTerm

/// `log` as typed:
/// - `log level [--node N|--nodes A,B|--all]`: the levels (primary, per module, per handler) on each node;
/// - `log level LEVEL [--module M] [--for DURATION] [--node N|--nodes A,B|--all]`: set, reverting by itself;
/// - `log revert [--node N|--nodes A,B]`: put back what this console set, now;
/// - `log tail [--level L] [--for DURATION] [--limit N] [--rate N] [--node N|--nodes A,B]`: stream log events.
public struct LogRequest: Equatable, Sendable {
    public enum Action: Equatable, Sendable {
        case show
        case set(level: String, module: String?)
        case revert
        case tail(level: String)
    }

    public var action: Action
    public var nodes: [String]?
    public var all = false
    public var seconds: Double
    public var limit = LogRequest.defaultTailLimit
    public var rate = LogRequest.defaultTailRate

    public static let defaultSetSeconds = 300.0
    public static let maxSetSeconds = 86_400.0
    public static let defaultTailSeconds = 600.0
    public static let maxTailSeconds = 3_600.0
    public static let defaultTailLimit = 1_000
    public static let defaultTailRate = 50
    /// Nodes a tail may cover at once.
    public static let maxTailNodes = 5

    /// `logger`'s levels, and the names Elixir also accepts.
    public static let levels = ["emergency", "alert", "critical", "error", "warning", "notice", "info", "debug", "all", "none"]

    public init(action: Action, nodes: [String]? = nil, seconds: Double = LogRequest.defaultSetSeconds) {
        self.action = action; self.nodes = nodes; self.seconds = seconds
    }

    public static let usage =
        "log level [LEVEL [--module M] [--for DURATION]] [--node N|--nodes A,B|--all] | log revert | "
        + "log tail [--level L] [--for DURATION] [--limit N] [--rate N] [--node N|--nodes A,B]"

    /// `debug`, `:debug`, `warn` → `warning`; nil when not a level.
    public static func level(_ typed: String) -> String? {
        var t = typed.trimmingWhitespace().lowercased()
        if t.hasPrefix(":") { t.removeFirst() }
        if t == "warn" { t = "warning" }
        return levels.contains(t) ? t : nil
    }

    public static func parse(_ rest: String) throws(ConsoleCommandError) -> LogRequest {
        let words = rest.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        guard let sub = words.first else { throw ConsoleCommandError("usage: \(usage)") }
        var positional: [String] = []
        var options: [String: String] = [:]
        var nodes: [String]?
        var all = false
        var i = 1
        let valued: Set<String> = ["--module", "--for", "--limit", "--rate", "--level"]
        while i < words.count {
            let w = words[i]
            if w == "--node" || w == "--nodes" {
                guard i + 1 < words.count else { throw ConsoleCommandError("log: \(w) needs a value") }
                i += 1
                let list = words[i].split(separator: ",").map(String.init)
                guard !list.isEmpty, w == "--nodes" || list.count == 1 else {
                    throw ConsoleCommandError("log: --node takes one node (--nodes A,B for several)")
                }
                for n in list { try ConsoleCommand.validateNodeName(n) }
                nodes = (nodes ?? []) + list
            } else if w == "--all" {
                all = true
            } else if valued.contains(w) {
                guard i + 1 < words.count, !words[i + 1].hasPrefix("--") else {
                    throw ConsoleCommandError("log: \(w) needs a value (usage: \(usage))")
                }
                i += 1
                options[w] = words[i]
            } else if w.hasPrefix("--") {
                throw ConsoleCommandError("log: unknown option \(w) (usage: \(usage))")
            } else {
                positional.append(w)
            }
            i += 1
        }
        if all, nodes != nil { throw ConsoleCommandError("log: give --all or --node/--nodes, not both") }
        func allowed(_ names: Set<String>) throws(ConsoleCommandError) {
            for k in options.keys where !names.contains(k) {
                throw ConsoleCommandError("log \(sub): \(k) does not apply (usage: \(usage))")
            }
        }
        func duration(default d: Double, max: Double) throws(ConsoleCommandError) -> Double {
            guard let text = options["--for"] else { return d }
            guard let s = DurationText.seconds(text), s > 0, s <= max else {
                throw ConsoleCommandError("log: --for takes a duration up to \(DurationText.text(max)) (30s, 5m, 1h)")
            }
            return s
        }
        switch sub {
        case "level":
            guard positional.count <= 1 else { throw ConsoleCommandError("usage: \(usage)") }
            guard let typed = positional.first else {
                try allowed([])
                var r = LogRequest(action: .show, nodes: nodes)
                r.all = all
                return r
            }
            try allowed(["--module", "--for"])
            guard let level = level(typed) else {
                throw ConsoleCommandError("log level: \(typed) is not a level (\(levels.joined(separator: ", ")))")
            }
            var module: String?
            if let m = options["--module"] {
                guard let name = ProcTarget.atomName(m) else { throw ConsoleCommandError("log level: \(m) is not a module name") }
                module = name
            }
            var r = LogRequest(action: .set(level: level, module: module), nodes: nodes,
                               seconds: try duration(default: defaultSetSeconds, max: maxSetSeconds))
            r.all = all
            return r
        case "revert":
            guard positional.isEmpty, !all else { throw ConsoleCommandError("usage: log revert [--node N|--nodes A,B]") }
            try allowed([])
            return LogRequest(action: .revert, nodes: nodes)
        case "tail":
            guard positional.isEmpty else { throw ConsoleCommandError("usage: \(usage)") }
            try allowed(["--level", "--for", "--limit", "--rate"])
            var level = "all"
            if let l = options["--level"] {
                guard let v = Self.level(l) else { throw ConsoleCommandError("log tail: \(l) is not a level") }
                level = v
            }
            var r = LogRequest(action: .tail(level: level), nodes: nodes,
                               seconds: try duration(default: defaultTailSeconds, max: maxTailSeconds))
            r.all = all
            if let l = options["--limit"] {
                guard let n = Int(l), (1...100_000).contains(n) else { throw ConsoleCommandError("log tail: --limit takes 1 to 100000") }
                r.limit = n
            }
            if let l = options["--rate"] {
                let digits = l.hasSuffix("/s") ? String(l.dropLast(2)) : l
                guard let n = Int(digits), (1...1_000).contains(n) else { throw ConsoleCommandError("log tail: --rate takes 1 to 1000") }
                r.rate = n
            }
            return r
        default:
            throw ConsoleCommandError("usage: \(usage)")
        }
    }

    /// `log level`, `log level LEVEL`, `log revert`, `log tail`: for messages.
    public var commandName: String {
        switch action {
        case .show: return "log level"
        case .set: return "log level LEVEL"
        case .revert: return "log revert"
        case .tail: return "log tail"
        }
    }

    /// The operation `--audit-log` records: `log_level`, `log_revert`, `log_tail`.
    public var auditOperation: String {
        switch action {
        case .show, .set: return "log_level"
        case .revert: return "log_revert"
        case .tail: return "log_tail"
        }
    }

    /// Whether it changes something on the nodes (refused under `--read-only`).
    public var mutates: Bool { action != .show }
}
