import ErlangDistribution
import ErlangTerm
import TermSyntax

/// `log level`, `log revert` and `log tail` (see ``LogRequest``; what runs on the nodes is ``LogSource``).
enum LogCommand {
    /// Bytes of text per log line.
    static let lineCap = 4096

    static func run(_ request: LogRequest, session: ConsoleSession, onOutput: (@Sendable (String) -> Void)?)
        async -> CommandOutput
    {
        let nodes: [String]
        if let listed = request.nodes {
            nodes = listed
        } else if request.all || request.action == .show {
            nodes = session.clusterNodes()
        } else if request.action == .revert {
            nodes = Array(Set(session.logOverrides.all.map(\.node))).sorted()
        } else if let t = session.target {
            nodes = [t]
        } else {
            return .noTarget()
        }
        switch request.action {
        case .show: return await show(nodes: nodes, session: session)
        case .set(let level, let module):
            return await set(level: level, module: module, request: request, nodes: nodes, session: session, onOutput: onOutput)
        case .revert: return await revert(nodes: nodes, session: session)
        case .tail(let level):
            guard nodes.count <= LogRequest.maxTailNodes else {
                return .badInput("log tail: at most \(LogRequest.maxTailNodes) nodes at once (--node N or --nodes A,B)")
            }
            return await tail(level: level, request: request, nodes: nodes, session: session, onOutput: onOutput)
        }
    }

    static let inspection = NodeInspection(name: "log", source: LogSource.text)

    // MARK: - log level (show)

    struct Levels {
        var node: String
        var primary: String
        var modules: [(String, String)]
        var handlers: [(String, String)]

        init?(node: String, _ t: Term) {
            guard let ok = t.tagged("ok"), ok.count == 1, let m = ok[0].mapValue else { return nil }
            self.init(node: node, map: m)
        }

        init?(node: String, map m: TermMap) {
            guard let p = m[Atom("primary")]?.atomValue?.name else { return nil }
            self.node = node
            primary = p
            func pairs(_ t: Term?) -> [(String, String)] {
                guard case .list(let items)? = t else { return [] }
                return items.compactMap { i in
                    guard case .tuple(let kv) = i, kv.count == 2, let k = kv[0].atomValue, let v = kv[1].atomValue else { return nil }
                    return (k.name, v.name)
                }
            }
            modules = pairs(m[Atom("modules")])
            handlers = pairs(m[Atom("handlers")])
        }
    }

    static func moduleText(_ name: String, syntax: SourceSyntax) -> String {
        syntax == .elixir ? ElixirInspect.inspect(.atom(Atom(name))) : ErlangFormat.write(.atom(Atom(name)))
    }

    static func show(nodes: [String], session: ConsoleSession) async -> CommandOutput {
        let settings = session.settings
        let argument = Term.map(TermMap([(.atom("op"), .atom("show"))]))
        let results = await inspection.run(
            on: nodes, argument: argument, caller: session.node, timeout: settings.timeout, profile: session.knownProfiles)
        let (answered, failures) = inspection.partition(results, nodes: nodes, profile: session.knownProfiles) { n, t in Levels(node: n, t) }
        let overrides = session.logOverrides.all
        let now = wallClockMicros()
        var lines: [String] = []
        var rows: [JSONValue] = []
        for l in answered {
            var line = "\(l.node): primary \(l.primary)"
            if !l.modules.isEmpty {
                line += "; modules " + l.modules.map { "\(moduleText($0.0, syntax: settings.syntax)) \($0.1)" }.joined(separator: ", ")
            }
            let handlers = l.handlers.filter { $0.1 != "all" }
            if !handlers.isEmpty { line += "; handlers " + handlers.map { "\($0.0) \($0.1)" }.joined(separator: ", ") }
            lines.append(line)
            let mine = overrides.filter { $0.node == l.node }
            for o in mine {
                let scope = o.module.map { moduleText($0, syntax: settings.syntax) } ?? "primary"
                lines.append("  set here: \(scope) \(o.level) (was \(o.previous)), reverts in "
                    + "\(DurationText.text(Double(max(0, o.untilMicros - now)) / 1e6)) or when this console exits")
            }
            rows.append(.orderedObject([
                ("node", .string(l.node)), ("status", .string("ok")), ("primary", .string(l.primary)),
                ("modules", .object(Dictionary(l.modules.map { ($0.0, JSONValue.string($0.1)) }, uniquingKeysWith: { a, _ in a }))),
                ("handlers", .object(Dictionary(l.handlers.map { ($0.0, JSONValue.string($0.1)) }, uniquingKeysWith: { a, _ in a }))),
                ("overrides", .array(mine.map(overrideJSON))),
            ]))
        }
        for n in nodes where failures[n] != nil {
            let f = failures[n]!
            lines.append("\(n): \(f.detail) (\(f.code))")
            rows.append(.orderedObject([("node", .string(n)), ("status", .string("error")),
                                        ("error", .orderedObject([("code", .string(f.code)), ("message", .string(f.detail))]))]))
        }
        let status = failures.isEmpty ? CommandOutput.Status.ok : CommandOutput.Status.remoteFailure
        return CommandOutput(
            text: lines.joined(separator: "\n"),
            json: JSONValue.orderedObject([("status", .string(failures.isEmpty ? "ok" : "partial")), ("nodes", .array(rows))]).encoded,
            status: status)
    }

    static func overrideJSON(_ o: LogOverrides.Entry) -> JSONValue {
        .orderedObject([
            ("module", o.module.map { .string($0) } ?? .null), ("level", .string(o.level)),
            ("previous", .string(o.previous)), ("until", .string(UTCTime.iso(micros: o.untilMicros))),
        ])
    }

    // MARK: - log level LEVEL

    static func set(
        level: String, module: String?, request: LogRequest, nodes: [String], session: ConsoleSession,
        onOutput: (@Sendable (String) -> Void)?
    ) async -> CommandOutput {
        let settings = session.settings
        let holds = !session.keepsState  // a one-shot command holds the change until it reverts
        let sink = StreamSink(node: session.node, watching: nodes, catchInterrupts: holds)
        let durationMs = Int(request.seconds * 1000)
        let untilMicros = wallClockMicros() + durationMs * 1000
        var byID: [Int: String] = [:]
        for (i, n) in nodes.enumerated() { byID[i + 1] = n }  // the ids runEach gives
        let results = await inspection.runEach(
            on: nodes, caller: session.node, timeout: settings.timeout, profile: session.knownProfiles
        ) { id, _ in
            Term.map(TermMap([
                (.atom("op"), .atom("set")), (.atom("id"), .integer(id)), (.atom("sink"), .pid(sink.pid)),
                (.atom("console"), .atom(Atom(session.node.name))), (.atom("level"), .atom(Atom(level))),
                (.atom("module"), module.map { .atom(Atom($0)) } ?? .atom("nil")),
                (.atom("duration"), .integer(durationMs)),
            ]))
        }
        let scope = module.map { moduleText($0, syntax: settings.syntax) } ?? "primary level"
        var owners: [String: Pid] = [:]
        var lines: [String] = []
        var rows: [JSONValue] = []
        for n in nodes {
            switch results[n] {
            case .success(let t)?:
                if let ok = t.tagged("ok"), ok.count == 1, let m = ok[0].mapValue, case .pid(let owner)? = m[Atom("owner")] {
                    let previous = m[Atom("previous")]?.atomValue?.name ?? "?"
                    owners[n] = owner
                    session.logOverrides.add(.init(
                        node: n, module: module, level: level, previous: previous, owner: owner, untilMicros: untilMicros))
                    lines.append("\(n): \(scope) \(level) (was \(previous))")
                    rows.append(.orderedObject([("node", .string(n)), ("status", .string("ok")), ("previous", .string(previous))]))
                } else {
                    let (code, message) = errorPair(t, profile: session.knownProfiles(n))
                    lines.append("\(n): not changed: \(message) (\(code))")
                    rows.append(errorRow(n, code, message))
                }
            case .failure(let f)?:
                lines.append("\(n): not changed: \(f.detail) (\(f.code))")
                rows.append(errorRow(n, f.code, f.detail))
            case nil:
                break
            }
        }
        let failed = nodes.count - owners.count
        let status = owners.isEmpty ? CommandOutput.Status.remoteFailure
            : (failed == 0 ? CommandOutput.Status.ok : CommandOutput.Status.remoteFailure)
        let until = UTCTime.clock(micros: untilMicros).prefix(8)
        if owners.isEmpty {
            sink.close()
            return CommandOutput(
                errorText: lines.joined(separator: "\n"),
                json: JSONValue.orderedObject([("status", .string("error")), ("nodes", .array(rows))]).encoded, status: status)
        }
        let json = settings.json
        if !holds {
            // The REPL: the owners revert by themselves; say so when they do.
            lines.append("reverts by itself at \(until) UTC (in \(DurationText.text(request.seconds))), or when this "
                + "console exits; log revert puts it back now")
            let overrides = session.logOverrides
            let notice = session.noticeHandler
            Task {
                defer { sink.close() }
                var left = Set(owners.keys)
                let deadline = ContinuousClock.now + .milliseconds(durationMs) + .seconds(60)
                watch: while !left.isEmpty {
                    switch await sink.next(tag: "$beamconsole_log", until: deadline) {
                    case .message(let id, let body):
                        guard let n = byID[id], let map = revertedMap(body) else { continue }
                        left.remove(n)
                        if let o = owners[n] { overrides.remove(owner: o) }
                        notice?("log: \(n): " + revertedText(map, scope: scope))
                    case .nodeDown(let n):
                        // The owner there reverts when it sees us gone; the other nodes are still watched.
                        guard left.remove(n) != nil else { continue }
                        if let o = owners[n] { overrides.remove(owner: o) }
                        notice?("log: \(n): connection lost; the node reverts by itself when it sees us gone")
                    case .interrupt:
                        continue
                    case .timeout, .cancelled:
                        break watch
                    }
                }
            }
            return CommandOutput(
                text: lines.joined(separator: "\n"),
                json: JSONValue.orderedObject([
                    ("status", .string(failed == 0 ? "ok" : "partial")), ("level", .string(level)),
                    ("module", module.map { .string($0) } ?? .null), ("until", .string(UTCTime.iso(micros: untilMicros))),
                    ("nodes", .array(rows)),
                ]).encoded,
                status: status)
        }
        // One-shot: hold the connection (the change lasts while we are connected) until it reverts, or Ctrl-C.
        defer { sink.close() }
        let write: @Sendable (String) -> Void = onOutput ?? { _ in }
        if !json {
            write(lines.joined(separator: "\n") + "\nholding until \(until) UTC (\(DurationText.text(request.seconds))); "
                + "Ctrl-C reverts now\n")
        }
        var reverted: [String: JSONValue] = [:]
        var done: [String] = []
        var left = Set(owners.keys)
        var deadline = ContinuousClock.now + .milliseconds(durationMs) + .seconds(10)
        hold: while !left.isEmpty {
            switch await sink.next(tag: "$beamconsole_log", until: deadline) {
            case .timeout, .cancelled:
                break hold
            case .interrupt:
                for (_, o) in owners { askToRevert(o, session: session) }
                deadline = min(deadline, ContinuousClock.now + .seconds(5))
            case .nodeDown(let n):
                guard left.remove(n) != nil else { continue }
                done.append("\(n): connection lost; the node reverts by itself when it sees us gone")
            case .message(let id, let body):
                guard let n = byID[id], let map = revertedMap(body) else { continue }
                left.remove(n)
                if let o = owners[n] { session.logOverrides.remove(owner: o) }
                done.append("\(n): " + revertedText(map, scope: scope))
                reverted[n] = .string(map[Atom("outcome")]?.atomValue?.name ?? "changed")
            }
        }
        for n in left { done.append("\(n): no word from the node; it reverts when it sees this console gone") }
        return CommandOutput(
            text: done.joined(separator: "\n"),
            json: JSONValue.orderedObject([
                ("status", .string(failed == 0 ? "ok" : "partial")), ("level", .string(level)),
                ("module", module.map { .string($0) } ?? .null), ("nodes", .array(rows)), ("reverted", .object(reverted)),
            ]).encoded,
            status: status)
    }

    /// `{reverted, Map}`: what an owner sends when it has put the level back (or left it).
    static func revertedMap(_ body: Term) -> TermMap? {
        guard let r = body.tagged("reverted"), r.count == 1 else { return nil }
        return r[0].mapValue
    }

    /// Asks an owner to put its level back now.
    static func askToRevert(_ owner: Pid, session: ConsoleSession) {
        try? session.node.send(.tuple([.atom("$beamconsole_revert"), .atom("asked")]), to: owner)
    }

    static func revertedText(_ map: TermMap, scope: String) -> String {
        let why: String
        switch map[Atom("why")]?.atomValue?.name {
        case "time": why = "time up"
        case "asked": why = "asked"
        case "disconnected": why = "console gone"
        default: why = "?"
        }
        let previous = map[Atom("previous")]?.atomValue?.name ?? "?"
        if map[Atom("outcome")]?.isAtom("reverted") == true {
            return previous == "unset" ? "\(scope) has no level of its own again (\(why))" : "\(scope) back to \(previous) (\(why))"
        }
        let now = map[Atom("now")]?.atomValue?.name ?? "?"
        return "\(scope) left at \(now): someone changed it meanwhile, so it was not put back to \(previous) (\(why))"
    }

    static func errorPair(_ t: Term, profile: PrinterProfile) -> (String, String) {
        if case .tuple(let e) = t, e.count == 3, e[0].isAtom("error") {
            return (e[1].atomValue?.name ?? "error", e[2].stringValue ?? termText(e[2], profile: profile))
        }
        return ("bad_reply", "log answered \(InspectionText.clip(termText(t, profile: profile), 200))")
    }

    static func errorRow(_ n: String, _ code: String, _ message: String) -> JSONValue {
        .orderedObject([("node", .string(n)), ("status", .string("error")),
                        ("error", .orderedObject([("code", .string(code)), ("message", .string(message))]))])
    }

    // MARK: - log revert

    static func revert(nodes: [String], session: ConsoleSession) async -> CommandOutput {
        let entries = session.logOverrides.on(nodes)
        guard !entries.isEmpty else {
            return CommandOutput(text: "nothing to revert: this console has no level change in force",
                                 json: JSONValue.orderedObject([("status", .string("ok")), ("reverted", .array([]))]).encoded)
        }
        // The owners answer their own command's watcher; here we ask and wait until they are gone from the list.
        for e in entries { askToRevert(e.owner, session: session) }
        let deadline = ContinuousClock.now + .seconds(5)
        while ContinuousClock.now < deadline {
            let left = Set(session.logOverrides.all.map(\.owner))
            if entries.allSatisfy({ !left.contains($0.owner) }) { break }
            try? await Task.sleep(for: .milliseconds(20))
        }
        let left = Set(session.logOverrides.all.map(\.owner))
        var lines: [String] = []
        var rows: [JSONValue] = []
        for e in entries {
            let scope = e.module.map { moduleText($0, syntax: session.settings.syntax) } ?? "primary level"
            let ok = !left.contains(e.owner)
            lines.append(ok ? "\(e.node): \(scope) reverted" : "\(e.node): \(scope): no answer yet (it reverts at its time)")
            rows.append(.orderedObject([("node", .string(e.node)), ("reverted", .bool(ok))]))
        }
        return CommandOutput(text: lines.joined(separator: "\n"),
                             json: JSONValue.orderedObject([("status", .string("ok")), ("reverted", .array(rows))]).encoded)
    }

    // MARK: - log tail

    static func tail(
        level: String, request: LogRequest, nodes: [String], session: ConsoleSession,
        onOutput: (@Sendable (String) -> Void)?
    ) async -> CommandOutput {
        let settings = session.settings
        let json = settings.json
        let write: @Sendable (String) -> Void = onOutput ?? { _ in }
        let sink = StreamSink(node: session.node, watching: nodes)
        defer { sink.close() }
        let durationMs = Int(request.seconds * 1000)
        var byID: [Int: String] = [:]
        for (i, n) in nodes.enumerated() { byID[i + 1] = n }  // the ids runEach gives
        var relays: [String: Pid] = [:]
        var errors: [String: (String, String)] = [:]
        var primaries: [String: String] = [:]
        let started = await inspection.runEach(
            on: nodes, caller: session.node, timeout: settings.timeout, profile: session.knownProfiles
        ) { id, _ in
            Term.map(TermMap([
                (.atom("op"), .atom("tail")), (.atom("id"), .integer(id)), (.atom("sink"), .pid(sink.pid)),
                (.atom("console"), .atom(Atom(session.node.name))), (.atom("level"), .atom(Atom(level))),
                (.atom("count"), .integer(request.limit)), (.atom("rate"), .integer(request.rate)),
                (.atom("duration"), .integer(durationMs)), (.atom("cap"), .integer(lineCap)),
            ]))
        }
        for (n, r) in started {
            switch r {
            case .success(let t):
                if let ok = t.tagged("ok"), ok.count == 1, let m = ok[0].mapValue, case .pid(let relay)? = m[Atom("relay")] {
                    relays[n] = relay
                    if let show = m[Atom("show")]?.mapValue, let l = Levels(node: n, map: show) { primaries[n] = l.primary }
                } else {
                    errors[n] = errorPair(t, profile: session.knownProfiles(n))
                }
            case .failure(let f): errors[n] = (f.code, f.detail)
            }
        }
        for n in nodes {
            if let (code, message) = errors[n] {
                write(json
                    ? JSONValue.orderedObject([("event", .string("error")), ("node", .string(n)), ("code", .string(code)),
                                               ("message", .string(message))]).encoded + "\n"
                    : "\(n): no tail: \(message) (\(code))\n")
            }
        }
        let running = nodes.filter { relays[$0] != nil }
        if !json, !running.isEmpty {
            let primary = Set(running.compactMap { primaries[$0] }).sorted().joined(separator: "/")
            write("tailing the log of \(running.count == 1 ? running[0] : "\(running.count) nodes")"
                + (level == "all" ? "" : " at \(level) and above")
                + " (primary level \(primary): events below it are not logged at all; log level changes it): at most "
                + "\(request.limit) lines, \(request.rate)/s per node, for \(DurationText.text(request.seconds)); Ctrl-C stops\n")
        }
        var shown = 0
        var dropped: [String: Int] = [:]
        var reasons: [String: String] = [:]
        var cleaned: [String: Int] = [:]
        var down = Set<String>()
        var stopSent = false
        var deadline = ContinuousClock.now + .milliseconds(durationMs) + .seconds(5)
        func stopAll(_ why: String) {
            guard !stopSent else { return }
            stopSent = true
            for (n, r) in relays where !down.contains(n) && reasons[n] == nil {
                sink.stop(r, why: why)
            }
        }
        stream: while !running.allSatisfy({ cleaned[$0] != nil || down.contains($0) }) {
            switch await sink.next(tag: "$beamconsole_log", until: deadline) {
            case .timeout: break stream
            case .cancelled:
                stopAll("interrupted")
                break stream
            case .interrupt:
                stopAll("interrupted")
                deadline = min(deadline, ContinuousClock.now + .seconds(5))
            case .nodeDown(let n):
                down.insert(n)
                reasons[n] = reasons[n] ?? "nodedown"
            case .message(let id, let body):
                guard let n = byID[id] else { continue }
                if let l = body.tagged("line"), l.count == 1, let map = l[0].mapValue {
                    shown += 1
                    write((json ? lineJSON(map, node: n) : lineText(map, node: n)) + "\n")
                } else if let d = body.tagged("dropped"), d.count == 1, case .integer(let k) = d[0] {
                    dropped[n, default: 0] += k
                    write(json
                        ? JSONValue.orderedObject([("event", .string("dropped")), ("node", .string(n)), ("count", .integer(k))]).encoded + "\n"
                        : "\(n): \(k) more \(k == 1 ? "line" : "lines") in that second not shown (over \(request.rate)/s)\n")
                } else if let s = body.tagged("stopped"), s.count == 2 {
                    reasons[n] = s[0].atomValue?.name ?? "?"
                } else if let c = body.tagged("cleaned"), c.count == 1, let r = c[0].mapValue {
                    if case .integer(let k)? = r[Atom("handlers")] { cleaned[n] = k } else { cleaned[n] = 0 }
                }
            }
        }
        var lines: [String] = []
        var rows: [JSONValue] = []
        for n in nodes {
            if let (code, message) = errors[n] {
                rows.append(errorRow(n, code, message))
                continue
            }
            let reason = reasons[n] ?? "no answer"
            let removed = cleaned[n].map { $0 == 0 ? "handler removed" : "handler still installed" }
                ?? "removal not confirmed (the node removes it when it sees this console gone)"
            lines.append("\(n): stopped (\(reason)); \(removed)")
            rows.append(.orderedObject([
                ("node", .string(n)), ("status", .string("ok")), ("reason", .string(reason)),
                ("dropped", .integer(dropped[n] ?? 0)), ("handler_removed", cleaned[n].map { .bool($0 == 0) } ?? .null),
            ]))
        }
        let status = running.isEmpty || !errors.isEmpty ? CommandOutput.Status.remoteFailure : CommandOutput.Status.ok
        let doc = JSONValue.orderedObject([
            ("event", .string("end")), ("status", .string(running.isEmpty ? "error" : (errors.isEmpty ? "ok" : "partial"))),
            ("shown", .integer(shown)), ("nodes", .array(rows)),
        ]).encoded
        if running.isEmpty { return CommandOutput(errorText: "log tail: no node could be tailed", json: doc, status: status) }
        return CommandOutput(text: json ? "" : "\(shown) lines\n" + lines.joined(separator: "\n"), json: doc, status: status)
    }

    /// `17:21:13.682058 a@host [notice] <0.9.0> text` (the time part of the node's own timestamp).
    static func lineText(_ m: TermMap, node: String) -> String {
        let time = m[Atom("time")]?.stringValue ?? ""
        var clock = time
        if let t = time.firstIndex(of: "T") {
            clock = String(time[time.index(after: t)...].prefix { $0 != "+" && $0 != "Z" && $0 != "-" })
        }
        let level = m[Atom("level")]?.stringValue ?? ""
        let pid = m[Atom("pid")]?.stringValue ?? ""
        let text = m[Atom("text")]?.stringValue ?? ""
        return "\(clock) \(node) [\(level)]\(pid.isEmpty ? "" : " " + pid) \(text)"
    }

    static func lineJSON(_ m: TermMap, node: String) -> String {
        func s(_ k: String) -> JSONValue {
            let v = m[Atom(k)]?.stringValue ?? ""
            return v.isEmpty ? .null : .string(v)
        }
        return JSONValue.orderedObject([
            ("event", .string("log")), ("node", .string(node)), ("time", s("time")), ("level", s("level")),
            ("pid", s("pid")), ("mfa", s("mfa")), ("text", s("text")),
        ]).encoded
    }
}
