import ErlangDistribution

/// A cluster-inspection command as typed: `top`, `proc`, `health`, `versions`, `ets` with their options. Parsed
/// generically (words, `--option VALUE`, `--flag`), checked against the command's ``InspectionSpec``, and interpreted
/// by the command itself. The scope is every node of the cluster unless `--node N` or `--nodes A,B` narrows it.
public struct InspectionRequest: Equatable, Sendable {
    public var command: String
    public var positional: [String]
    /// `--sort` → `memory`.
    public var options: [String: String]
    public var flags: Set<String>
    /// `--node N` / `--nodes A,B`; nil: the whole cluster.
    public var nodes: [String]?

    public init(command: String, positional: [String] = [], options: [String: String] = [:], flags: Set<String> = [],
                nodes: [String]? = nil) {
        self.command = command; self.positional = positional; self.options = options; self.flags = flags
        self.nodes = nodes
    }

    /// An integer option within `range`, or `fallback` when absent.
    public func integer(_ option: String, default fallback: Int, in range: ClosedRange<Int>)
        throws(ConsoleCommandError) -> Int
    {
        guard let text = options[option] else { return fallback }
        guard let v = Int(text), range.contains(v) else {
            throw ConsoleCommandError("\(command): \(option) takes a whole number from \(range.lowerBound) to \(range.upperBound)")
        }
        return v
    }

    /// A duration option in seconds (`0.5`, `2`), within `range`, or `fallback` when absent.
    public func seconds(_ option: String, default fallback: Double, in range: ClosedRange<Double>)
        throws(ConsoleCommandError) -> Double
    {
        guard let text = options[option] else { return fallback }
        guard let v = Double(text), v.isFinite, range.contains(v) else {
            throw ConsoleCommandError("\(command): \(option) takes seconds from \(range.lowerBound) to \(range.upperBound)")
        }
        return v
    }

    /// One of `choices`, or `fallback` when absent.
    public func choice(_ option: String, _ choices: [String], default fallback: String) throws(ConsoleCommandError)
        -> String
    {
        guard let v = options[option] else { return fallback }
        guard choices.contains(v) else {
            throw ConsoleCommandError("\(command): \(option) takes one of \(choices.joined(separator: ", "))")
        }
        return v
    }
}

/// What an inspection command accepts.
public struct InspectionSpec: Sendable {
    public var usage: String
    /// Options that take a value (`--sort`), besides `--node` and `--nodes`.
    public var options: Set<String>
    /// Options without a value (`--force`).
    public var flags: Set<String>
    public var positional: ClosedRange<Int>

    /// Every inspection command.
    public static let all: [String: InspectionSpec] = [
        "top": InspectionSpec(
            usage: "top [--sort memory|reductions|mqueue|binary|heap] [--limit K] [--interval S] [--window S] [--force] "
                + "[--node N|--nodes A,B]",
            options: ["--sort", "--limit", "--interval", "--window"], flags: ["--force", "--once"], positional: 0...0),
        "proc": InspectionSpec(
            usage: "proc PID|NAME [--node N] [--no-state]", options: [], flags: ["--no-state"], positional: 1...8),
        "health": InspectionSpec(
            usage: "health [--window S] [--node N|--nodes A,B]", options: ["--window"], flags: [], positional: 0...0),
        "versions": InspectionSpec(
            usage: "versions [--env APP [--show KEY,...]] [--node N|--nodes A,B]", options: ["--env", "--show"],
            flags: [], positional: 0...0),
        "ets": InspectionSpec(
            usage: "ets [--sort memory|size] [--limit K] [--node N|--nodes A,B] | ets TABLE --node N [--peek K]",
            options: ["--sort", "--limit", "--peek"], flags: [], positional: 0...1),
    ]

    /// Parses the words after the command's name.
    public static func parse(_ command: String, _ rest: String) throws(ConsoleCommandError) -> InspectionRequest {
        guard let spec = all[command] else { throw ConsoleCommandError("no inspection command \(command)") }
        var request = InspectionRequest(command: command)
        let words = rest.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        var i = 0
        func value(_ option: String) throws(ConsoleCommandError) -> String {
            guard i + 1 < words.count, !words[i + 1].hasPrefix("--") else {
                throw ConsoleCommandError("\(command): \(option) needs a value (usage: \(spec.usage))")
            }
            i += 1
            return words[i]
        }
        while i < words.count {
            let w = words[i]
            if w == "--node" || w == "--nodes" {
                let list = try value(w).split(separator: ",").map(String.init)
                guard !list.isEmpty, w == "--nodes" || list.count == 1 else {
                    throw ConsoleCommandError("\(command): --node takes one node (--nodes A,B for several)")
                }
                for n in list { try ConsoleCommand.validateNodeName(n) }
                request.nodes = (request.nodes ?? []) + list
            } else if spec.options.contains(w) {
                request.options[w] = try value(w)
            } else if spec.flags.contains(w) {
                request.flags.insert(w)
            } else if w.hasPrefix("--") {
                throw ConsoleCommandError("\(command): unknown option \(w) (usage: \(spec.usage))")
            } else {
                request.positional.append(w)
            }
            i += 1
        }
        guard spec.positional.contains(request.positional.count) else {
            throw ConsoleCommandError("usage: \(spec.usage)")
        }
        return request
    }
}
