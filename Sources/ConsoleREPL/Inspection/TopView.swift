import ErlangTerm
import TermSyntax

/// Renders `top`: the merged rows, the outlier nodes, refusals and failures; and its JSON.
enum TopView {
    static func seconds(_ s: Double) -> String { s == s.rounded() ? "\(Int(s)) s" : printfFixed(s, places: 1) + " s" }

    /// `Elixir.MyApp.Worker` → `MyApp.Worker`.
    static func moduleName(_ atom: String) -> String {
        atom.hasPrefix("Elixir.") ? String(atom.dropFirst("Elixir.".count)) : atom
    }

    /// `{M, F, A}` → `M.f/A` for Elixir modules, `m:f/A` for Erlang ones.
    static func mfa(_ t: Term?, profile: PrinterProfile) -> String {
        guard let e = t?.tupleElements, e.count == 3, let m = e[0].atomValue?.name, let f = e[1].atomValue?.name,
            let a = e[2].intValue
        else { return t.map { termText($0, profile: profile) } ?? "" }
        return m.hasPrefix("Elixir.") ? "\(moduleName(m)).\(f)/\(a)" : "\(m):\(f)/\(a)"
    }

    /// The sort figure as shown: bytes, a count, or reductions in the window.
    static func figure(_ v: Int, sort: String) -> String {
        switch sort {
        case "memory", "binary", "heap": return HumanUnits.bytes(v)
        default: return "\(v)"
        }
    }

    static func label(_ sort: String, windowMs: Int) -> String {
        switch sort {
        case "memory": return "MEMORY"
        case "binary": return "BINARY"
        case "heap": return "HEAP"
        case "mqueue": return "MQUEUE"
        default: return "REDS/\(seconds(Double(windowMs) / 1000))"
        }
    }

    static func render(_ s: TopSnapshot, options o: TopCommand.Options, width: Int, color: Bool) -> String {
        _ = viewLocaleReady
        let answered = s.summaries.count
        var out = "top \(o.limit) by \(o.sort) across \(answered) node\(answered == 1 ? "" : "s")"
        if o.sort == "reductions" { out += " (reductions over \(seconds(Double(o.windowMs) / 1000)))" }
        out += "\n"
        // The sort figure, then the queue and the memory unless one of them is the sort figure.
        var headers = ["NODE", "PID", "NAME OR INITIAL CALL", "CURRENT FUNCTION", label(o.sort, windowMs: o.windowMs)]
        if o.sort != "mqueue" { headers.append("MQUEUE") }
        if o.sort != "memory" { headers.append("MEMORY") }
        var table = Table(headers: headers, alignments: [.left, .left, .left, .left] + Array(repeating: .right, count: headers.count - 4))
        for r in s.rows.prefix(o.limit) {
            var row = [r.node, r.pidText, r.name ?? r.initialCall, r.currentFunction, figure(r.value, sort: o.sort)]
            if o.sort != "mqueue" { row.append("\(r.mqueue)") }
            if o.sort != "memory" { row.append(HumanUnits.bytes(r.memory)) }
            table.append(row)
        }
        out += table.render(maxWidth: width)
        let outliers = TopOutliers.find(s.summaries)
        if !outliers.isEmpty {
            out += "\nnodes that stand out (against the median of \(answered) nodes):\n"
            for x in outliers {
                let show = { (v: Int) in x.metric == "memory" || x.metric == "binary" ? HumanUnits.bytes(v) : "\(v)" }
                let what = [
                    "process_count": "processes", "memory": "total memory", "binary": "binary memory",
                    "mqueue": "messages queued",
                ][x.metric] ?? x.metric
                out += "  \(x.node): \(what) \(show(x.value)), "
                    + (x.median == 0 ? "where the median is 0\n" : "\(printfFixed(x.ratio, places: 1))× the median (\(show(x.median)))\n")
            }
        }
        for (node, (count, limit)) in s.refused.sorted(by: { $0.key < $1.key }) {
            out += "\(node): not scanned: \(count) processes, above the \(limit) limit (--force scans anyway)\n"
        }
        for (node, f) in s.failures.sorted(by: { $0.key < $1.key }) {
            out += "\(node): no answer: \(f)\n"
        }
        return out.hasSuffix("\n") ? String(out.dropLast()) : out
    }

    /// `{"sort", "limit", "window_ms", "rows": [{"node", "pid", "name", "initial_call", "current_function", "value",
    /// "mqueue", "memory", "reductions"}], "nodes": {node: {"process_count", "memory", "binary", "mqueue"}},
    /// "outliers": [{"node", "metric", "value", "median", "ratio"}], "refused": {node: {"process_count", "limit"}},
    /// "failures": {node: {"code", "detail"}}}`.
    static func json(_ s: TopSnapshot, options o: TopCommand.Options) -> String {
        let rows: [JSONValue] = s.rows.prefix(o.limit).map { r in
            .object([
                "node": .string(r.node), "pid": .string(r.pidText), "name": .optional(r.name),
                "initial_call": .string(r.initialCall), "current_function": .string(r.currentFunction),
                "value": .integer(r.value), "mqueue": .integer(r.mqueue), "memory": .integer(r.memory),
                "reductions": .integer(r.reductions),
            ])
        }
        let nodes = s.summaries.mapValues { x -> JSONValue in
            .object([
                "process_count": .integer(x.processCount), "memory": .integer(x.memory), "binary": .integer(x.binary),
                "mqueue": .integer(x.mqueue),
            ])
        }
        let outliers: [JSONValue] = TopOutliers.find(s.summaries).map { x in
            .object([
                "node": .string(x.node), "metric": .string(x.metric), "value": .integer(x.value),
                "median": .integer(x.median), "ratio": .number(x.ratio),
            ])
        }
        return jsonObject([
            "sort": .string(o.sort), "limit": .integer(o.limit), "window_ms": .integer(o.windowMs),
            "rows": .array(rows), "nodes": .object(nodes), "outliers": .array(outliers),
            "refused": .object(s.refused.mapValues { .object(["process_count": .integer($0.0), "limit": .integer($0.1)]) }),
            "failures": .object(s.failures.mapValues { .object(["code": .string($0.code), "detail": .string($0.detail)]) }),
        ])
    }
}
