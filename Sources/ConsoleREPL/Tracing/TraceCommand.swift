import ErlangDistribution
import ErlangTerm
import TermSyntax

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// `trace`: bounded call tracing on one node or many (see ``TraceSource`` for what runs on each node). Events stream
/// as they come (`--json`: one object per line); the command ends when every node has stopped and confirmed that
/// nothing of the trace is left, or, for a node that does not confirm, when its time is up.
enum TraceCommand {
    /// Bytes of rendered text per event.
    static let eventCap = 4096
    /// `inspect`'s `limit` for arguments and values.
    static let inspectLimit = 50

    struct NodeState {
        var tracer: Pid?
        var mode = ""
        var matched = 0
        var otp = ""
        var error: (code: String, message: String)?
        var shown = 0
        var dropped = 0
        var reason: String?
        var cleaned: (patterns: Int, flags: Int)?
        var down = false
    }

    static func run(_ request: TraceRequest, session: ConsoleSession, onOutput: (@Sendable (String) -> Void)?)
        async -> CommandOutput
    {
        let settings = session.settings
        let spec: TraceSpec
        do throws(ConsoleCommandError) {
            spec = try TraceSpec.parse(
                request.function, pattern: request.pattern, matchSpec: request.matchSpec, syntax: settings.syntax)
        } catch {
            return .badInput(error.message)
        }
        if spec.isBroad, !request.force {
            return .badInput(
                "trace: \(spec.display(syntax: settings.syntax)) covers a whole module or every module; "
                    + "name a function (Mod.fun or Mod.fun/2), or add --force to trace it anyway (still bounded)")
        }
        let nodes: [String]
        if let listed = request.nodes {
            nodes = listed
        } else if request.all {
            nodes = session.clusterNodes()
        } else if let t = session.target {
            nodes = [t]
        } else {
            return .noTarget()
        }
        guard !nodes.isEmpty else { return .badInput("trace: no nodes to trace") }
        let maxTotal = request.maxTotal(nodes: nodes.count)
        if nodes.count > 1, maxTotal > TraceRequest.defaultMaxTotal, !request.force {
            return .badInput(
                "trace: --max \(maxTotal) over \(nodes.count) nodes is more than \(TraceRequest.defaultMaxTotal) events in all; "
                    + "add --force to allow it")
        }
        let write: @Sendable (String) -> Void = onOutput ?? { _ in }
        let json = settings.json
        let syntax = settings.syntax

        let sink = StreamSink(node: session.node, watching: nodes)
        defer { sink.close() }
        var states: [String: NodeState] = [:]
        var byID: [Int: String] = [:]
        for (i, n) in nodes.enumerated() {
            states[n] = NodeState()
            byID[i + 1] = n  // the ids runEach gives
        }
        // Start on every node (in parallel, each bounded by the timeout).
        let inspection = NodeInspection(name: "trace", source: TraceSource.text)
        let durationMs = Int(request.seconds * 1000)
        let started = await inspection.runEach(
            on: nodes, caller: session.node, timeout: settings.timeout, profile: session.knownProfiles
        ) { id, _ in
            Term.map(TermMap([
                (.atom("id"), .integer(id)), (.atom("sink"), .pid(sink.pid)),
                (.atom("console"), .atom(Atom(session.node.name))), (.atom("mfa"), spec.mfaTerm),
                (.atom("ms"), spec.matchSpec(returns: request.returns)), (.atom("procs"), request.processesTerm()),
                (.atom("count"), .integer(request.count)), (.atom("rate"), .integer(request.rate)),
                (.atom("duration"), .integer(durationMs)),
                (.atom("syntax"), .atom(syntax == .erlang ? "erlang" : "elixir")),
                (.atom("cap"), .integer(eventCap)), (.atom("limit"), .integer(inspectLimit)),
            ]))
        }
        for (n, result) in started {
            switch result {
            case .success(let t):
                if let ok = t.tagged("ok"), ok.count == 1, let m = ok[0].mapValue, case .pid(let tracer)? = m[Atom("tracer")] {
                    states[n]!.tracer = tracer
                    states[n]!.mode = m[Atom("mode")]?.atomValue?.name ?? "?"
                    if case .integer(let k)? = m[Atom("matched")] { states[n]!.matched = k }
                    states[n]!.otp = m[Atom("otp")]?.stringValue ?? "?"
                } else if case .tuple(let e) = t, e.count == 3, e[0].isAtom("error") {
                    states[n]!.error = (e[1].atomValue?.name ?? "error", e[2].stringValue ?? "\(e[2])")
                } else {
                    states[n]!.error = ("bad_reply", "trace answered \(InspectionText.clip(termText(t, profile: session.knownProfiles(n)), 200))")
                }
            case .failure(let f):
                states[n]!.error = (f.code, f.detail)
            }
        }
        let running = nodes.filter { states[$0]!.tracer != nil }
        let what = spec.display(syntax: syntax)
        if let audit = session.audit, !running.isEmpty {
            // A line when the trace starts as well as when it ends: a console killed meanwhile leaves this one.
            var entry = AuditLog.Entry(
                time: Date(), console: session.node.name, operation: "trace_start", targets: running, outcome: "ok",
                duration: .zero)
            entry.mfa = request.function
            entry.source = session.redactor.redact(ConsoleSession.traceDescription(request))
            audit.write(entry)
        }
        // The header: what runs where, and under which limits.
        if json {
            for n in nodes {
                if let e = states[n]!.error {
                    write(JSONValue.orderedObject([
                        ("event", .string("error")), ("node", .string(n)), ("code", .string(e.code)),
                        ("message", .string(e.message)),
                    ]).encoded + "\n")
                } else {
                    let s = states[n]!
                    write(JSONValue.orderedObject([
                        ("event", .string("started")), ("node", .string(n)), ("function", .string(what)),
                        ("mode", .string(s.mode)), ("matched", .integer(s.matched)), ("otp", .string(s.otp)),
                    ]).encoded + "\n")
                }
            }
        } else {
            for n in nodes { if let e = states[n]!.error { write("\(n): not traced: \(e.message) (\(e.code))\n") } }
            if !running.isEmpty {
                let scope = running.count == 1 ? running[0] : "\(running.count) nodes"
                var header = "tracing \(what) on \(scope)"
                if let p = request.pid { header += ", process \(p) only" }
                header += ": at most \(request.count) events per node, \(request.rate)/s per node"
                if running.count > 1 { header += ", \(maxTotal) in all" }
                header += ", for \(DurationText.text(request.seconds)); Ctrl-C stops\n"
                write(header)
                let global = running.filter { states[$0]!.mode == "global" }
                if !global.isEmpty {
                    let otps = Set(global.map { states[$0]!.otp }).sorted().joined(separator: ", ")
                    let names = global.count == running.count ? "" : " (\(global.joined(separator: ", ")))"
                    write("note: OTP \(otps)\(names) has no trace sessions (OTP 27+): tracing there is node-global; "
                        + "another tracer started meanwhile (dbg, a second console) would interfere\n")
                }
            }
        }

        // The stream.
        var total = 0
        var suppressed = 0
        var stopReason: String?
        var stopSent = false
        func stopAll(_ why: String) {
            guard !stopSent else { return }
            stopSent = true
            stopReason = why
            for n in running {
                guard let t = states[n]!.tracer, !states[n]!.down, states[n]!.reason == nil else { continue }
                sink.stop(t, why: why)
            }
        }
        func finished(_ n: String) -> Bool { states[n]!.cleaned != nil || states[n]!.down }
        // Every tracer ends by itself by `seconds`; a node that has not confirmed a few seconds later is reported.
        var deadline = ContinuousClock.now + .milliseconds(durationMs) + .seconds(5)
        stream: while !running.allSatisfy(finished) {
            switch await sink.next(tag: "$beamconsole_trace", until: deadline) {
            case .timeout:
                break stream
            case .cancelled:
                // The task was cancelled (not by our Ctrl-C, which arrives as a message): stop the tracers and go;
                // each node removes its trace when its tracer ends.
                stopAll("interrupted")
                break stream
            case .interrupt:
                stopAll("interrupted")
                deadline = min(deadline, ContinuousClock.now + .seconds(5))
            case .nodeDown(let n):
                guard states[n] != nil else { continue }
                states[n]!.down = true
                if states[n]!.reason == nil { states[n]!.reason = "nodedown" }
                write(json ? JSONValue.orderedObject([("event", .string("nodedown")), ("node", .string(n))]).encoded + "\n"
                    : "\(n): the connection went down; the node removes the trace itself when it sees us gone\n")
            case .message(let id, let body):
                guard let n = byID[id] else { continue }
                if let e = body.tagged("event"), e.count == 1, let ev = TraceEvent(e[0]) {
                    guard total < maxTotal else { suppressed += 1; continue }
                    total += 1
                    states[n]!.shown += 1
                    write(json ? ev.json(node: n) + "\n" : ev.text(node: n, syntax: syntax) + "\n")
                    if total == maxTotal, running.count > 1 { stopAll("max") }
                } else if let d = body.tagged("dropped"), d.count == 1, case .integer(let k) = d[0] {
                    states[n]!.dropped += k
                    write(json
                        ? JSONValue.orderedObject([("event", .string("dropped")), ("node", .string(n)), ("count", .integer(k))]).encoded + "\n"
                        : "\(n): \(k) more \(k == 1 ? "call" : "calls") in that second not shown (over \(request.rate)/s)\n")
                } else if let s = body.tagged("stopped"), s.count == 2 {
                    states[n]!.reason = s[0].atomValue?.name ?? "?"
                    if let stats = s[1].mapValue, case .integer(let k)? = stats[Atom("dropped")] { states[n]!.dropped = k }
                } else if let c = body.tagged("cleaned"), c.count == 1, let r = c[0].mapValue {
                    var p = 0, f = 0
                    if case .integer(let k)? = r[Atom("patterns")] { p = k }
                    if case .integer(let k)? = r[Atom("flags")] { f = k }
                    states[n]!.cleaned = (p, f)
                }
            }
        }
        if stopReason == nil, !running.isEmpty {
            stopReason = running.compactMap { states[$0]!.reason }.first ?? "time"
        }
        return summary(
            request: request, what: what, nodes: nodes, running: running, states: states, total: total,
            suppressed: suppressed, reason: stopReason, json: json)
    }

    static func summary(
        request: TraceRequest, what: String, nodes: [String], running: [String], states: [String: NodeState],
        total: Int, suppressed: Int, reason: String?, json: Bool
    ) -> CommandOutput {
        func reasonText(_ r: String) -> String {
            switch r {
            case "count": return request.count == 1 ? "1 event" : "\(request.count) events"
            case "time": return "time up"
            case "max": return "the cap across nodes"
            case "interrupted": return "Ctrl-C"
            case "nodedown": return "connection lost"
            case "guard_down": return "its guard went away"
            default: return r
            }
        }
        var lines: [String] = []
        var rows: [JSONValue] = []
        var unconfirmed: [String] = []
        for n in nodes {
            let s = states[n]!
            var row: [(String, JSONValue)] = [("node", .string(n))]
            if let e = s.error {
                row += [("status", .string("error")),
                        ("error", .orderedObject([("code", .string(e.code)), ("message", .string(e.message))]))]
                rows.append(.orderedObject(row))
                continue
            }
            row += [("status", .string("ok")), ("mode", .string(s.mode)), ("matched", .integer(s.matched)),
                    ("shown", .integer(s.shown)), ("dropped", .integer(s.dropped)),
                    ("reason", s.reason.map { .string($0) } ?? .null)]
            if let c = s.cleaned {
                row.append(("cleaned", .orderedObject([("patterns_left", .integer(c.patterns)), ("flags_left", .integer(c.flags))])))
                if c.patterns + c.flags > 0 {
                    lines.append("\(n): \(c.patterns) trace patterns and \(c.flags) process flags are still set")
                }
            } else {
                row.append(("cleaned", .null))
                unconfirmed.append(n)
            }
            rows.append(.orderedObject(row))
            let stop = s.reason.map { reasonText($0) } ?? "no answer"
            lines.append("\(n): \(s.shown) shown, \(s.dropped) over the rate; stopped: \(stop)")
        }
        let failed = nodes.filter { states[$0]!.error != nil }
        var text = ""
        if !running.isEmpty {
            text = "trace of \(what) ended"
            if let reason { text += " (\(reasonText(reason)))" }
            text += ": \(total) shown"
            if suppressed > 0 { text += ", \(suppressed) more after the cap" }
            text += "\n" + lines.joined(separator: "\n")
            let confirmed = running.filter { states[$0]!.cleaned.map { $0.patterns + $0.flags == 0 } ?? false }
            if !confirmed.isEmpty {
                text += "\nremoved: nothing of the trace is left on \(confirmed.count == 1 ? confirmed[0] : "\(confirmed.count) nodes")"
            }
            if !unconfirmed.isEmpty {
                text += "\nnot confirmed on \(unconfirmed.joined(separator: ", ")): the node removes the trace when its tracer "
                    + "ends or sees this console gone"
            }
        }
        let status: Int32 = running.isEmpty ? CommandOutput.Status.remoteFailure
            : (failed.isEmpty ? CommandOutput.Status.ok : CommandOutput.Status.remoteFailure)
        let doc = JSONValue.orderedObject([
            ("event", .string("end")),
            ("status", .string(running.isEmpty ? "error" : (failed.isEmpty ? "ok" : "partial"))),
            ("function", .string(what)), ("shown", .integer(total)), ("suppressed", .integer(suppressed)),
            ("reason", reason.map { .string($0) } ?? .null), ("nodes", .array(rows)),
        ]).encoded
        if running.isEmpty {
            return CommandOutput(errorText: "trace: no node could be traced", json: doc, status: status)
        }
        return CommandOutput(text: json ? "" : text, json: doc, status: status)
    }
}

/// One event a node's tracer sent.
struct TraceEvent: Equatable {
    var kind: String
    var micros: Int
    var pid: String
    var name: Atom?
    var mfa: String
    var text: String

    init?(_ t: Term) {
        guard let m = t.mapValue, let kind = m[Atom("kind")]?.atomValue?.name else { return nil }
        self.kind = kind
        if case .integer(let ts)? = m[Atom("ts")] { micros = ts } else { micros = 0 }
        pid = m[Atom("pid")]?.stringValue ?? "?"
        if let a = m[Atom("name")]?.atomValue, a.name != "nil" { name = a }
        mfa = m[Atom("mfa")]?.stringValue ?? ""
        text = m[Atom("text")]?.stringValue ?? ""
    }

    func text(node: String, syntax: SourceSyntax) -> String {
        var who = pid
        if let name {
            who += " " + (syntax == .elixir ? ElixirInspect.inspect(.atom(name)) : ErlangFormat.write(.atom(name)))
        }
        let head = "\(UTCTime.clock(micros: micros)) \(node) \(who)"
        switch kind {
        case "return": return "\(head)  \(mfa) → \(text)"
        case "exception": return "\(head)  \(mfa) \(text)"
        default: return "\(head)  \(text)"
        }
    }

    func json(node: String) -> String {
        JSONValue.orderedObject([
            ("event", .string(kind)), ("node", .string(node)), ("time", .string(UTCTime.iso(micros: micros))),
            ("pid", .string(pid)), ("name", name.map { .string($0.name) } ?? .null), ("mfa", .string(mfa)),
            ("text", .string(text)),
        ]).encoded
    }
}
