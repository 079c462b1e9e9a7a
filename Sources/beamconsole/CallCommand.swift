import ArgumentParser
import ErlangDistribution
import ErlangTerm
import Foundation
import TermSyntax

/// `beamconsole call NODE 'EXPR'`: one remote call, printed IEx-style.
struct CallCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "call", abstract: "Call a function on a node: beamconsole call app@host 'Node.list()'")

    @Argument(help: "The node, name@host.") var node: String
    @Argument(help: "A call with literal arguments: Node.list(), :erlang.memory(), erlang:memory().") var expression: String
    @Option(help: "The cookie (visible to other users; prefer RELEASE_COOKIE or --cookie-file).") var cookie: String?
    @Option(name: .customLong("cookie-file"), help: "Read the cookie from this file.") var cookieFile: String?
    @Option(help: "Seconds to wait for the result.") var timeout: Double = 30
    @Flag(help: "Print the result as JSON.") var json = false
    @Option(help: "Our long node name (name@host.domain).") var name: String?
    @Option(help: "Our short node name (name@host).") var sname: String?
    @Option(help: "The peer's distribution port (skips EPMD).") var port: Int?

    /// The parsed command line, independent of ArgumentParser (see ``fastArguments(_:)``).
    struct Arguments: Equatable {
        var node: String
        var expression: String
        var cookie: String?
        var cookieFile: String?
        var timeout: Double = 30
        var json = false
        var name: String?
        var sname: String?
        var port: Int?
    }

    func run() async throws {
        try await Self.execute(Arguments(
            node: node, expression: expression, cookie: cookie, cookieFile: cookieFile, timeout: timeout, json: json,
            name: name, sname: sname, port: port))
    }

    /// `call` arguments parsed without ArgumentParser, or nil to let ArgumentParser handle them.
    ///
    /// ArgumentParser finds options by reflection and dynamic casts: in this binary that is about 60% of the
    /// instructions of a whole `beamconsole call` (the protocol-conformance scans dominate). So a command line made
    /// only of the two arguments and the long options above, each at most once, as `--opt value` or `--opt=value`,
    /// with values ArgumentParser would parse the same way, is read here. Anything else (help, `--`, short or unknown
    /// options, repeats, values starting with `-`, unparsable numbers, missing or extra arguments) returns nil, so
    /// ArgumentParser's own parsing and messages apply unchanged.
    static func fastArguments(_ args: [String]) -> Arguments? {
        guard args.first == "call" else { return nil }
        var positional: [String] = []
        var values: [String: String] = [:]
        var json = false
        let valued: Set<String> = ["--cookie", "--cookie-file", "--timeout", "--name", "--sname", "--port"]
        var i = 1
        while i < args.count {
            let a = args[i]
            i += 1
            guard a.hasPrefix("-") else {
                positional.append(a)
                continue
            }
            if a == "--json" {
                if json { return nil }
                json = true
                continue
            }
            let key: String, value: String
            if let eq = a.firstIndex(of: "=") {
                key = String(a[..<eq])
                value = String(a[a.index(after: eq)...])
            } else {
                guard i < args.count else { return nil }
                key = a
                value = args[i]
                i += 1
            }
            guard valued.contains(key), !value.isEmpty, !value.hasPrefix("-"), values[key] == nil else { return nil }
            values[key] = value
        }
        guard positional.count == 2 else { return nil }
        var out = Arguments(node: positional[0], expression: positional[1])
        out.json = json
        out.cookie = values["--cookie"]
        out.cookieFile = values["--cookie-file"]
        out.name = values["--name"]
        out.sname = values["--sname"]
        if let t = values["--timeout"] {
            guard let d = Double(t) else { return nil }
            out.timeout = d
        }
        if let p = values["--port"] {
            guard let n = Int(p) else { return nil }
            out.port = n
        }
        return out
    }

    static func execute(_ arguments: Arguments) async throws {
        let node = arguments.node, expression = arguments.expression, cookie = arguments.cookie
        let cookieFile = arguments.cookieFile, timeout = arguments.timeout, json = arguments.json
        let name = arguments.name, sname = arguments.sname, port = arguments.port
        let resolved: CookieSource.Resolved
        do {
            resolved = try CookieSource.resolve(explicit: cookie, file: cookieFile)
        } catch {
            FileHandle.standardError.write(Data("beamconsole: \(error)\n".utf8))
            throw ExitCode(2)
        }
        if let w = resolved.warning { FileHandle.standardError.write(Data((w + "\n").utf8)) }

        // The syntax follows the expression: `mod:fun(...)` is Erlang, `Mod.fun(...)`/`:mod.fun(...)` is Elixir.
        let call: CallExpression
        let syntax: TermSyntax
        do {
            (call, syntax) = try Self.parse(expression)
        } catch {
            FileHandle.standardError.write(Data("beamconsole: cannot parse the expression: \(error)\n".utf8))
            throw ExitCode(64)
        }

        let longName = name != nil || (sname == nil && (node.split(separator: "@").last?.contains(".") ?? false))
        let ourName: NodeNameSpec
        if let name {
            ourName = .long(name)
        } else if let sname {
            ourName = .short(sname)
        } else {
            ourName = LocalNode.defaultName(long: longName)
        }
        // One connection: a second loop thread would only add start-up time. The process exits with the call.
        let local = LocalNode(configuration: .init(name: ourName, cookie: resolved.cookie),
                              eventLoopGroup: LocalNode.makeEventLoopGroup(threads: 1))
        defer { local.shutdown() }
        var streamOutput: (@Sendable (String) -> Void)? = nil
        if !json { streamOutput = Self.writeStdout }
        let millis = Int64(timeout * 1000)
        let options = CallOptions(timeout: Duration.milliseconds(millis), onOutput: streamOutput)
        let response: CallResponse
        do {
            if let port { try await local.connect(to: node, port: port) }
            response = try await local.call(node: node, module: call.module, function: call.function,
                                            arguments: call.arguments, options: options)
        } catch {
            if json {
                Self.printJSON(["status": "error", "stage": error.stage.rawValue, "code": error.code.rawValue,
                                "message": error.description])
            } else {
                FileHandle.standardError.write(Data("beamconsole: \(error)\n".utf8))
            }
            throw ExitCode(2)
        }
        let render: (Term) -> String = { syntax == .erlang ? ErlangFormat.pretty($0) : ElixirInspect.inspect($0) }
        switch response.result {
        case .value(let v):
            if json {
                Self.printJSON(["status": "ok", "result": render(v), "output": response.output])
            } else {
                print(render(v))
            }
        case .exception(let cls, let reason, let stack):
            let text = Self.formatException(cls, reason: reason, stacktrace: stack, render: render)
            if json {
                Self.printJSON(["status": "exception", "class": cls.rawValue, "reason": render(reason),
                                "output": response.output, "message": text])
            } else {
                FileHandle.standardError.write(Data((text + "\n").utf8))
            }
            throw ExitCode(1)
        case .nodedown(let n):
            if json { Self.printJSON(["status": "nodedown", "node": n, "output": response.output]) }
            else { FileHandle.standardError.write(Data("** (nodedown) connection to \(n) lost during the call\n".utf8)) }
            throw ExitCode(1)
        case .timeout:
            if json { Self.printJSON(["status": "timeout", "output": response.output]) }
            else { FileHandle.standardError.write(Data("** (timeout) no result from \(node) within \(timeout) s\n".utf8)) }
            throw ExitCode(1)
        }
    }

    @Sendable static func writeStdout(_ s: String) {
        FileHandle.standardOutput.write(Data(s.utf8))
    }

    static func parse(_ text: String) throws -> (CallExpression, TermSyntax) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        let erlangFirst: Bool = {
            guard let paren = trimmed.firstIndex(of: "(") else { return false }
            let head = trimmed[..<paren]
            return !head.hasPrefix(":") && head.contains(":") && !head.contains(".")
        }()
        let order: [TermSyntax] = erlangFirst ? [.erlang, .elixir] : [.elixir, .erlang]
        var firstError: (any Error)?
        for s in order {
            do { return (try CallExpression.parse(trimmed, syntax: s), s) } catch { firstError = firstError ?? error }
        }
        throw firstError!
    }

    /// IEx-style: `** (exit) reason`, `** (throw) value`, `** (ErlangError) ...` with stack lines.
    static func formatException(_ cls: ExceptionClass, reason: Term, stacktrace: Term, render: (Term) -> String) -> String {
        var s: String
        switch cls {
        case .error:
            if case .map(let m) = reason, m[.atom("__exception__")] == .atom("true"), case .atom(let mod)? = m[.atom("__struct__")] {
                let name = mod.name.hasPrefix("Elixir.") ? String(mod.name.dropFirst(7)) : mod.name
                let msg = m[.atom("message")].flatMap { $0.stringValue } ?? render(reason)
                s = "** (\(name)) \(msg)"
            } else {
                s = "** (ErlangError) Erlang error: \(render(reason))"
            }
        case .exit: s = "** (exit) \(render(reason))"
        case .throw: s = "** (throw) \(render(reason))"
        }
        if case .list(let frames) = stacktrace {
            for f in frames {
                guard case .tuple(let t) = f, t.count == 4, case .atom(let m) = t[0], case .atom(let fn) = t[1] else { continue }
                let arity: String
                if case .list(let args) = t[2] { arity = "\(args.count)" } else { arity = render(t[2]) }
                var loc = ""
                if case .list(let info) = t[3] {
                    var file: String?, line: Int?
                    for i in info {
                        if case .tuple(let kv) = i, kv.count == 2 {
                            if kv[0] == .atom("file") { file = kv[1].stringValue }
                            if kv[0] == .atom("line") { line = kv[1].intValue }
                        }
                    }
                    if let file { loc = line.map { "\(file):\($0): " } ?? "\(file): " }
                }
                let modName = m.name.hasPrefix("Elixir.") ? String(m.name.dropFirst(7)) : ":" + m.name
                s += "\n    \(loc)\(modName).\(fn.name)/\(arity)"
            }
        }
        return s
    }

    static func printJSON(_ object: [String: String]) {
        let enc = JSONEncoder()
        enc.outputFormatting = [.sortedKeys]
        if let data = try? enc.encode(object) { print(String(decoding: data, as: UTF8.self)) }
    }
}
