/// `beamconsole call` (and the REPL's plain command line) read without ArgumentParser, for
/// ``ConsoleApp/runFastPath(_:)``.
///
/// ArgumentParser finds options by reflection and dynamic casts: measured with callgrind, that was about 60% of the
/// instructions of a whole one-shot `call`. A command line made only of `call`, one or two positional arguments and
/// the ``ConnectionOption``s it marks ``ConnectionOption/readByFastPath`` (each at most once, `--opt value` or
/// `--opt=value`; flags without a value) is read here with that table, into the same ``ConnectionArguments`` that the
/// executable's ArgumentParser `ConnectionOptions` fills, which checks and maps them. Anything else (help, `--`, short
/// or unknown options, repeats, values starting with `-`, bad values, options that ``ConnectionArguments/validate()``
/// refuses together) returns nil and goes through ArgumentParser (in the executable), whose messages and exit codes
/// then apply unchanged.
enum FastCall {
    struct Parsed {
        var node: String?
        var expression: String
        var arguments: ConnectionArguments
    }

    /// The REPL's command line (no subcommand), read the same way: `beamconsole --connect NODE` and the options
    /// above, plus `--no-history`.
    struct ParsedREPL {
        var arguments: ConnectionArguments
        var noHistory: Bool
    }

    static func parseREPL(_ args: [String]) -> ParsedREPL? {
        // A first argument that is not an option is a subcommand (or an error ArgumentParser reports).
        if let first = args.first, !first.hasPrefix("--") { return nil }
        guard let parsed = parse(args, positionals: 0...0, extraFlags: ["--no-history"]) else { return nil }
        return ParsedREPL(arguments: parsed.arguments, noHistory: parsed.flags.contains("--no-history"))
    }

    static func parse(_ args: [String]) -> Parsed? {
        guard args.first == "call", let p = parse(Array(args.dropFirst()), positionals: 1...2, extraFlags: []) else {
            return nil
        }
        let node = p.positional.count == 2 ? p.positional[0] : nil
        return Parsed(node: node, expression: p.positional.last!, arguments: p.arguments)
    }

    /// What ``parse(_:positionals:extraFlags:)`` read. A struct, not a tuple: a tuple's type metadata is made at run
    /// time, on the hot path.
    private struct Common {
        var positional: [String]
        var arguments: ConnectionArguments
        var flags: [String]
    }

    /// `extraFlags`: flags of the command itself (not connection options), returned in `flags` when given.
    private static func parse(_ args: [String], positionals: ClosedRange<Int>, extraFlags: [String]) -> Common? {
        var positional: [String] = []
        var arguments = ConnectionArguments()
        // Arrays, not sets: a handful of names, and no hashing or set metadata at start-up.
        var seen: [String] = []
        var i = 0
        while i < args.count {
            let a = args[i]
            i += 1
            guard a.hasPrefix("-") else {
                positional.append(a)
                continue
            }
            if extraFlags.contains(a) {
                guard !seen.contains(a) else { return nil }
                seen.append(a)
                continue
            }
            var key = a
            var inline: String?
            if let eq = a.firstIndex(of: "=") {
                key = String(a[..<eq])
                inline = String(a[a.index(after: eq)...])
            }
            guard let option = ConnectionOption(longName: key), option.readByFastPath, !seen.contains(key) else {
                return nil
            }
            seen.append(key)
            if option.arity == .flag {
                guard inline == nil else { return nil }
                _ = option.apply(nil, to: &arguments)
            } else {
                let value: String
                if let inline {
                    value = inline
                } else {
                    guard i < args.count else { return nil }
                    value = args[i]
                    i += 1
                }
                guard !value.isEmpty, !value.hasPrefix("-"), option.apply(value, to: &arguments) else { return nil }
            }
        }
        guard positionals.contains(positional.count) else { return nil }
        do throws(ConnectionArguments.Invalid) {
            try arguments.validate()
        } catch {
            return nil
        }
        return Common(positional: positional, arguments: arguments, flags: seen.filter { extraFlags.contains($0) })
    }
}
