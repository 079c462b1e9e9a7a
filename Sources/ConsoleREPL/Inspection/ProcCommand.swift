import ErlangDistribution
import ErlangTerm
import TermSyntax

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// `proc PID|NAME [--node N] [--no-state]` (issue 15): one process, safely. ``ProcSource`` runs on the node: the
/// sizes first, then the cheap `process_info/2` items, then (for a gen_* process under the thresholds) its state
/// through `sys:get_state/2`, rendered and cut on the node. A name not registered on the target is looked for on
/// every node the target and the console know, in parallel.
enum ProcCommand {
    /// Above this many queued messages the state is not fetched (the system message would wait behind them).
    static let maxQueue = 10_000
    /// Above this total heap (words) the state is not fetched (copying it costs the node as much).
    static let maxHeapWords = 4_000_000
    /// `sys:get_state/2`'s timeout.
    static let stateTimeoutMs = 2_000
    /// Time left to render the state once read.
    static let renderMs = 3_000
    /// The rendered state's cap in bytes, applied on the node.
    static let stateBytes = 16_384
    /// The heap cap (words) of the node-side worker that copies and renders the state: the VM kills it beyond.
    static let workerHeapWords = 16_000_000
    /// Links, monitors and monitored_by: at most this many of each.
    static let listCap = 20

    static let inspection = NodeInspection(name: "proc", source: ProcSource.text)

    static func run(_ request: InspectionRequest, session: ConsoleSession) async -> CommandOutput {
        let started = ContinuousClock.now
        let target: ProcTarget
        do throws(ConsoleCommandError) {
            target = try ProcTarget.parse(request.positional.joined(separator: " "))
        } catch {
            return .badInput(error.message)
        }
        if let nodes = request.nodes, nodes.count != 1 {
            return .badInput("proc looks at one node: --node N")
        }
        let given = request.nodes?.first
        if let given {
            do throws(ConsoleCommandError) { try ConsoleCommand.validateNodeName(given) } catch {
                return .badInput(error.message)
            }
        }
        guard let node = given ?? session.target else { return .noTarget() }
        let settings = session.settings
        let syntax = settings.syntax
        let query = target.display(syntax: syntax, profile: settings.knownProfile(of: node, caller: session.node))
        let wantState = !request.flags.contains("--no-state")
        let infoTimeout = settings.timeout + .milliseconds(stateTimeoutMs + renderMs)

        func argument(_ mode: String, _ t: Term) -> Term {
            .map(TermMap([
                (.atom("mode"), .atom(mode)), (.atom("target"), t), (.atom("state"), .atom(wantState ? "true" : "false")),
                (.atom("syntax"), .atom(syntax == .elixir ? "elixir" : "erlang")),
                (.atom("width"), .integer(min(200, max(40, settings.width)))),
                (.atom("max_queue"), .integer(maxQueue)), (.atom("max_heap"), .integer(maxHeapWords)),
                (.atom("state_timeout"), .integer(stateTimeoutMs)), (.atom("render_ms"), .integer(renderMs)),
                (.atom("state_bytes"), .integer(stateBytes)), (.atom("worker_heap"), .integer(workerHeapWords)),
                (.atom("list_cap"), .integer(listCap)), (.atom("stack_cap"), .integer(32)),
            ]))
        }
        func info(on n: String, _ t: Term) async -> Result<Term, NodeInspection.Failure> {
            let results = await inspection.run(
                on: [n], argument: argument("info", t), caller: session.node, timeout: infoTimeout,
                profile: session.knownProfiles)
            return results[n] ?? .failure(NodeInspection.Failure(code: "bad_reply", detail: "no result"))
        }

        var location = ProcView.Location(node: node, how: given != nil ? "node" : "target")
        var reply = await info(on: node, target.argument)
        // A global/via name or a remote pid living on another node: ask that node, once.
        if case .success(let t) = reply, let e = t.tagged("elsewhere"), e.count == 2, let owner = e[0].atomName,
            owner != node, (try? ConsoleCommand.validateNodeName(owner)) != nil
        {
            location = ProcView.Location(node: owner, how: "owner")
            reply = await info(on: owner, .tuple([.atom("pid"), e[1]]))
        }
        // A name the target does not have: every node it and the console know, in parallel.
        if case .success(let t) = reply, let e = t.tagged("not_found"), e.count == 2, e[0].isAtom("not_registered"),
            given == nil, target.isName
        {
            if case .global = target {
            } else {
                var others = (e[1].listElements ?? []).prefix(200).compactMap(\.atomName)
                others += session.clusterNodes()
                var seen: Set<String> = [location.node]
                others = others.filter { seen.insert($0).inserted }
                let answers = await inspection.run(
                    on: others, argument: argument("whereis", target.argument), caller: session.node,
                    timeout: min(settings.timeout, .seconds(5)), profile: session.knownProfiles)
                var found: [(String, Term)] = []
                for n in others.sorted() {
                    if case .success(let a)? = answers[n], let f = a.tagged("found"), f.count == 1 { found.append((n, f[0])) }
                }
                if let (owner, pid) = found.first {
                    location = ProcView.Location(node: owner, how: "found", registeredOn: found.map(\.0))
                    reply = await info(on: owner, .tuple([.atom("pid"), pid]))
                } else {
                    let asked = others.count
                    let unanswered = others.filter { if case .failure? = answers[$0] { return true }; return false }
                    var message = "no process registered as \(query) on \(node)"
                    message += asked == 0 ? " (no other node known to ask)" : ", nor on the \(asked) other node\(asked == 1 ? "" : "s") asked"
                    if !unanswered.isEmpty {
                        message += " (\(unanswered.count) did not answer: \(unanswered.prefix(5).joined(separator: ", ")))"
                    }
                    return failure("not_registered", message, node: node)
                }
            }
        }

        let where_ = location.node
        switch reply {
        case .failure(let f):
            return failure(
                f.code, "proc: \(where_): \(f.detail)", node: where_,
                status: f.code == "connect" ? CommandOutput.Status.connectionFailure : CommandOutput.Status.remoteFailure)
        case .success(let t):
            if let e = t.tagged("ok"), e.count == 1, let map = e[0].mapValue, let report = ProcReport(map) {
                audit(report, query: query, session: session, duration: ContinuousClock.now - started)
                return await shown(
                    report, location: location, target: target, settings: settings, caller: session.node)
            }
            if let e = t.tagged("not_alive"), let p = e.first?.pidValue {
                return failure(
                    "not_alive", "no process \(ProcView.pid(p, home: where_, syntax: syntax)) on \(where_): it is not alive",
                    node: where_)
            }
            if let e = t.tagged("exited"), let p = e.first?.pidValue {
                return failure(
                    "exited", "the process \(ProcView.pid(p, home: where_, syntax: syntax)) on \(where_) exited while it was being inspected",
                    node: where_)
            }
            if let e = t.tagged("not_found"), let why = e.first?.atomName {
                switch why {
                case "bad_pid":
                    return failure("bad_pid", "\(where_) cannot read \(query) as a pid (erlang:list_to_pid/1 refused it)", node: where_,
                                   status: CommandOutput.Status.badInput)
                case "port": return failure("port", "\(query) on \(where_) is a port, not a process", node: where_)
                case "no_via_module":
                    return failure("no_via_module",
                                   "the via module of \(query) is not loaded on \(where_) (or has no whereis_name/1)",
                                   node: where_)
                default:
                    return failure("not_registered", "no process registered as \(query) on \(where_)", node: where_)
                }
            }
            if let e = t.tagged("elsewhere"), let owner = e.first?.atomName {
                return failure("elsewhere", "\(query) lives on \(owner), which could not be asked", node: where_)
            }
            let answer = truncate(termText(t, profile: session.knownProfiles(where_)), to: 200)
            return failure("bad_reply", "proc: \(where_) answered \(answer)", node: where_)
        }
    }

    /// The report, rendered with the profile of the node the process lives on: fetched (once per connection) when
    /// something the view renders locally prints differently between releases, else the settings' own.
    static func shown(
        _ report: ProcReport, location: ProcView.Location, target: ProcTarget, settings: ConsoleSettings,
        caller: any RemoteCaller
    ) async -> CommandOutput {
        let depends = report.dependsOnPrinterProfile || target.shownTerms.contains { $0.dependsOnPrinterProfile }
        let profile =
            depends
            ? await settings.forTarget(location.node, caller: caller).profile
            : settings.knownProfile(of: location.node, caller: caller)
        let query = target.display(syntax: settings.syntax, profile: profile)
        return CommandOutput(
            text: ProcView.text(report, location: location, query: query, syntax: settings.syntax, profile: profile),
            json: ProcView.json(report, location: location, query: query, profile: profile).encoded)
    }

    /// A one-line failure: text on standard error, `{status: error, node, error: {code, message}}`.
    static func failure(_ code: String, _ message: String, node: String,
                        status: Int32 = CommandOutput.Status.remoteFailure) -> CommandOutput
    {
        CommandOutput(
            errorText: message,
            json: JSONValue.orderedObject([
                ("status", .string("error")), ("node", .string(node)),
                ("error", .orderedObject([("code", .string(code)), ("message", .string(message))])),
            ]).encoded,
            status: status)
    }

    /// `--audit-log`: a line for each state read (the session records calls, multicalls and evals itself).
    static func audit(_ r: ProcReport, query: String, session: ConsoleSession, duration: Duration) {
        guard let log = session.audit else { return }
        let outcome: String
        switch r.state {
        case .notAsked, .notSys, .refusedQueue, .refusedHeap: return
        case .shown: outcome = "ok"
        case .timeout, .renderTimeout: outcome = "timeout"
        case .exited, .tooLarge, .failed: outcome = "error"
        }
        var entry = AuditLog.Entry(
            time: Date(), console: session.node.name, operation: "proc_state", targets: [r.node],
            mfa: "sys:get_state/2", source: session.redactor.redact("proc \(query)"), outcome: outcome,
            duration: duration)
        entry.results = [r.node: outcome]
        log.write(entry)
    }
}
