#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif
import ClusterDiscovery
import ErlangDistribution
import ErlangTerm
import TermSyntax

/// `beamconsole call NODE EXPR` on one ``BlockingNode``: the whole command on the main thread, with no event loop,
/// no Swift concurrency threads and no ``LocalNode``. A one-shot call is process start to exit, so what the full path
/// sets up (an event loop thread, the cooperative pool, the discovery service) costs more than the call itself.
///
/// The output is the full path's (``ConsoleSession``'s parse, render, exception and JSON code, the same redaction and
/// exit statuses). ``run(node:expression:startup:json:environment:)`` returns nil, having printed nothing, when the
/// command needs the full path: TLS distribution, ECS task metadata to fetch, `--read-only`, `--audit-log`, discovery
/// options, or a `--connect`/`RELEASE_NODE` node other than the one called.
public enum BlockingCall {
    /// Runs the call and returns the exit status, or nil when the full path must run it instead.
    public static func run(
        node: String?, expression: String, startup: StartupOptions, json: Bool, environment: [String: String]
    ) -> Int32? {
        guard startup.tls.isEmpty, !startup.readOnly, startup.auditLog == nil, startup.discovery.isEmpty,
            !ECSMetadataClient.isConfigured(environment)
        else { return nil }
        let plan: StartupPlan
        do {
            plan = try Startup.plan(startup, environment: environment, host: HostFacts.current())
        } catch {
            printError("beamconsole: \(error)")
            return CommandOutput.Status.connectionFailure
        }
        let target = node ?? plan.target
        guard plan.tls == nil, !plan.settings.readOnly, plan.connect.isEmpty || plan.connect == [target] else {
            return nil
        }
        for note in plan.notes where note.hasPrefix("warning") { printError(note) }
        var settings = plan.settings
        settings.width = terminalColumns()
        if json {
            settings.color = false
            settings.json = true
        }
        let redactor = Redactor(cookie: plan.cookie.cookie)
        let configuration = BlockingConnection.Configuration(name: plan.name, cookie: plan.cookie.cookie)
        var connected: BlockingNode?
        defer { connected?.close() }

        // --connect (or RELEASE_NODE) connects before the command, and reports a failure as `connect` does.
        if let n = plan.connect.first {
            do throws(DistributionError) {
                connected = try BlockingNode.connect(to: n, configuration: configuration)
            } catch {
                let out = redactor.redact(ConsoleSession.connectOutput([(n, error)]))
                if json { print(out.json) } else { printError(out.errorText) }
                return out.status
            }
        }
        let output: (@Sendable (String) -> Void)? = json ? nil : { @Sendable chunk in writeAll(1, redactor.redact(chunk)) }
        let out = redactor.redact(
            call(target: target, expression: expression, settings: settings, connected: &connected,
                 configuration: configuration, onOutput: output))
        if json {
            if !out.json.isEmpty { print(out.json) }
        } else {
            if !out.text.isEmpty { print(out.text) }
            if !out.errorText.isEmpty { printError(out.errorText) }
        }
        return out.status
    }

    /// ``ConsoleSession``'s `call`, step for step, on a blocking connection.
    private static func call(
        target: String?, expression: String, settings: ConsoleSettings, connected: inout BlockingNode?,
        configuration: BlockingConnection.Configuration, onOutput: (@Sendable (String) -> Void)?
    ) -> CommandOutput {
        guard let n = target else { return ConsoleSession.noTarget() }
        let call: CallExpression
        do {
            call = try ConsoleSession.parseCall(expression, syntax: settings.syntax)
        } catch {
            return ConsoleSession.badInput("\(error)")
        }
        let node: BlockingNode
        let response: CallResponse
        do throws(DistributionError) {
            if let c = connected {
                node = c
            } else {
                node = try BlockingNode.connect(to: n, configuration: configuration)
                connected = node
            }
            response = try node.call(
                module: call.module, function: call.function, arguments: call.arguments,
                options: CallOptions(timeout: settings.timeout, onOutput: onOutput))
        } catch {
            return ConsoleSession.callFailed(error, node: n)
        }
        var exceptionText = ""
        if case .exception(let cls, let reason, let stack) = response.result {
            exceptionText = formatException(cls, reason: reason, stacktrace: stack, node: node, settings: settings)
        }
        return ConsoleSession.callOutcome(
            response, node: n, what: call.description, settings: settings, exceptionText: exceptionText)
    }

    /// ``ConsoleSession``'s `formatException`: the node formats it, as IEx would show it.
    private static func formatException(
        _ cls: ExceptionClass, reason: Term, stacktrace: Term, node: BlockingNode, settings: ConsoleSettings
    ) -> String {
        for (m, f) in ConsoleSession.exceptionFormatters(syntax: settings.syntax) {
            if let r = try? node.call(
                module: m, function: f, arguments: [.atom(Atom(cls.rawValue)), reason, stacktrace],
                options: ConsoleSession.exceptionFormatOptions),
                let text = ConsoleSession.formattedException(r, by: m)
            {
                return text
            }
        }
        return ConsoleSession.unformattedException(cls, reason: reason, settings: settings)
    }

    private static func printError(_ s: String) { writeAll(2, s + "\n") }
}

extension Startup {
    /// The process environment, read from `environ` (without Foundation's `ProcessInfo`).
    public static func processEnvironment() -> [String: String] {
        var env: [String: String] = [:]
        guard var p = environ as UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? else { return env }
        while let entry = p.pointee {
            let s = String(cString: entry)
            if let eq = s.firstIndex(of: "=") {
                let key = String(s[..<eq])
                if env[key] == nil { env[key] = String(s[s.index(after: eq)...]) }
            }
            p += 1
        }
        return env
    }
}
