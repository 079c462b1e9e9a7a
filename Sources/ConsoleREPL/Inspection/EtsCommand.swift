import ErlangDistribution
import ErlangTerm
import TermSyntax

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// `ets` (issue 15, operator need 10): the biggest ETS tables across the cluster, metadata only, each node reducing to
/// its own top K; `ets TABLE --node N --peek K` shows at most K objects of one table (recorded by `--audit-log`).
enum EtsCommand {
    static let inspection = NodeInspection(name: "ets", source: EtsSource.text)
    /// Objects a peek shows at most, and bytes of each rendered object.
    static let peekLimit = 100
    static let objectBytes = 2048

    static func run(_ request: InspectionRequest, session: ConsoleSession) async -> CommandOutput {
        if let table = request.positional.first {
            return await peek(table, request, session: session)
        }
        if request.options["--peek"] != nil {
            return .badInput("ets: --peek needs a TABLE and one --node (usage: ets TABLE --node N --peek K)")
        }
        let sort: String, limit: Int
        do throws(ConsoleCommandError) {
            sort = try request.choice("--sort", ["memory", "size"], default: "memory")
            limit = try request.integer("--limit", default: 10, in: 1...1000)
        } catch {
            return .badInput(error.message)
        }
        let nodes = InspectionCommands.nodes(request, session: session)
        guard !nodes.isEmpty else {
            return .badInput("ets: no nodes (connect to one, set a target with use, or give --node/--nodes)")
        }
        let settings = session.settings
        let results = await inspection.run(
            on: nodes, argument: .tuple([.atom("top"), .atom(Atom(sort)), .integer(limit)]), caller: session.node,
            timeout: settings.timeout, profile: session.knownProfiles)
        let (answered, failures) = inspection.partition(results, nodes: nodes, profile: session.knownProfiles) {
            n, t -> (String, [EtsTable], Int)? in
            guard let m = t.mapValue, let rows = m.field("tables")?.listElements else { return nil }
            return (n, rows.prefix(limit).compactMap { EtsTable.parse(node: n, $0) }, m.field("count")?.intValue ?? rows.count)
        }
        let all = answered.flatMap(\.1)
        let counts = Dictionary(uniqueKeysWithValues: answered.map { ($0.0, $0.2) })
        let report = EtsReport(
            sort: sort, limit: limit, tables: EtsAnalysis.merge(all, sort: sort, limit: limit), counts: counts,
            failures: failures)
        return CommandOutput(
            text: EtsView.render(report, width: settings.width), json: EtsView.json(report).encoded,
            status: failures.isEmpty ? CommandOutput.Status.ok : CommandOutput.Status.remoteFailure)
    }

    static func peek(_ table: String, _ request: InspectionRequest, session: ConsoleSession) async -> CommandOutput {
        guard let nodes = request.nodes, nodes.count == 1 else {
            return .badInput("ets: TABLE is read on one node: give --node N (usage: ets TABLE --node N --peek K)")
        }
        if request.options["--sort"] != nil || request.options["--limit"] != nil {
            return .badInput("ets: --sort and --limit list the biggest tables; with a TABLE, use --peek K")
        }
        let k: Int
        do throws(ConsoleCommandError) {
            k = try request.integer("--peek", default: 0, in: 0...peekLimit)
        } catch {
            return .badInput(error.message)
        }
        let name = table.hasPrefix(":") && !table.hasPrefix("::") ? String(table.dropFirst()) : table
        guard !name.isEmpty, name.utf8.count <= 255 else { return .badInput("ets: TABLE is a table name or #Ref<…>") }
        let node = nodes[0]
        let started = ContinuousClock.now
        let results = await inspection.run(
            on: [node], argument: .tuple([.atom("peek"), .binary(Array(name.utf8)), .integer(k), .integer(objectBytes)]),
            caller: session.node, timeout: session.settings.timeout, profile: session.knownProfiles)
        let out = peekOutput(
            results[node], table: name, node: node, limit: k, width: session.settings.width,
            profile: session.knownProfiles(node))
        if k > 0, let audit = session.audit {
            let outcome: String
            switch out.status {
            case CommandOutput.Status.ok: outcome = "ok"
            default: outcome = JSONValue.parse(out.json)?["error"]?["code"]?.stringValue ?? "error"
            }
            audit.write(AuditLog.Entry(
                time: Date(), console: session.node.name, operation: "ets_peek", targets: [node],
                source: session.redactor.redact("ets \(name) --node \(node) --peek \(k)"), outcome: outcome,
                duration: ContinuousClock.now - started))
        }
        return out
    }

    static func peekOutput(
        _ result: Result<Term, NodeInspection.Failure>?, table: String, node: String, limit: Int, width: Int,
        profile: PrinterProfile
    ) -> CommandOutput {
        func failure(_ code: String, _ message: String) -> CommandOutput {
            CommandOutput(
                errorText: "ets: \(message)",
                json: JSONValue.orderedObject([
                    ("command", .string("ets")), ("status", .string("error")), ("node", .string(node)),
                    ("table", .string(table)),
                    ("error", .orderedObject([("code", .string(code)), ("message", .string(message))])),
                ]).encoded,
                status: CommandOutput.Status.remoteFailure)
        }
        switch result {
        case .failure(let f)?:
            return failure(f.code, "\(node): \(f.detail)")
        case nil:
            return failure("bad_reply", "\(node): no result")
        case .success(let t)?:
            if let ok = t.tagged("ok"), ok.count == 3, let row = EtsTable.parse(node: node, ok[0]),
               let objects = ok[1].listElements
            {
                let peek = EtsPeek(
                    node: node, table: row,
                    objects: objects.prefix(limit).compactMap { InspectionText.text($0, limit: objectBytes) },
                    more: ok[2].boolValue ?? false, limit: limit)
                return CommandOutput(text: EtsView.render(peek, width: width), json: EtsView.json(peek).encoded)
            }
            if let e = t.tagged("error"), e.count == 1 {
                if e[0].isAtom("not_found") { return failure("no_such_table", "no table \(table) on \(node)") }
                if let a = e[0].tagged("ambiguous"), let refs = a.first?.listElements {
                    let ids = refs.prefix(10).compactMap(InspectionText.string)
                    return failure("ambiguous", "several unnamed tables are called \(table) on \(node): give one of "
                        + ids.joined(separator: ", "))
                }
                if let p = e[0].tagged("private"), p.count == 2 {
                    let owner = (InspectionText.string(p[0]) ?? "?")
                        + (InspectionText.string(p[1]).map { " (\($0))" } ?? "")
                    return failure("private_table", "\(table) on \(node) is private: only its owner \(owner) can read "
                        + "it, so its objects cannot be shown (ets lists its size and memory)")
                }
            }
            return failure("bad_reply", "ets answered \(InspectionText.clip(termText(t, profile: profile), 200))")
        }
    }
}
