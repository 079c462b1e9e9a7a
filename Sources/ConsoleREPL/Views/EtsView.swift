/// The `ets` views: the cluster's biggest tables, and a peek into one.
public enum EtsView {
    public static func render(_ r: EtsReport, width: Int) -> String {
        _ = viewLocaleReady
        let tables = r.counts.values.reduce(0, +)
        var out = "ets: the \(r.tables.count) biggest by \(r.sort) of \(tables) table\(tables == 1 ? "" : "s") on "
            + "\(r.counts.count) node\(r.counts.count == 1 ? "" : "s")"
            + (r.failures.isEmpty ? "" : " (\(r.failures.count) failed)") + "\n"
        if !r.tables.isEmpty {
            var t = Table(
                headers: ["NODE", "TABLE", "OWNER", "TYPE", "SIZE", "MEMORY", "PROTECTION"],
                alignments: [.left, .left, .left, .left, .right, .right, .left])
            for e in r.tables {
                t.append([e.node, e.named ? e.name : "\(e.name) \(e.id)", e.ownerName ?? e.ownerPid, e.type,
                          String(e.size), HumanUnits.bytes(e.memory), e.protection])
            }
            // Not cut to the terminal: node and table names are what the rows are for (and what scripts grep).
            out += "\n" + t.render()
        }
        out += VersionsView.failuresText(r.failures, title: "failed")
        return out
    }

    public static func json(_ r: EtsReport) -> JSONValue {
        .orderedObject([
            ("command", .string("ets")), ("status", .string(r.failures.isEmpty ? "ok" : "partial")),
            ("sort", .string(r.sort)), ("limit", .integer(r.limit)),
            ("tables", .array(r.tables.map(tableJSON))),
            ("nodes", .array(r.counts.sorted(by: { $0.key < $1.key }).map {
                .orderedObject([("node", .string($0.key)), ("table_count", .integer($0.value))])
            })),
            ("failures", VersionsView.failuresJSON(r.failures)),
        ])
    }

    static func tableJSON(_ e: EtsTable) -> JSONValue {
        .orderedObject([
            ("node", .string(e.node)), ("name", .string(e.name)), ("id", .string(e.id)), ("named", .bool(e.named)),
            ("owner", .orderedObject([("pid", .string(e.ownerPid)), ("name", .optional(e.ownerName))])),
            ("type", .string(e.type)), ("size", .integer(e.size)), ("memory_bytes", .integer(e.memory)),
            ("protection", .string(e.protection)),
        ])
    }

    public static func render(_ p: EtsPeek, width: Int) -> String {
        _ = viewLocaleReady
        let t = p.table
        var out = "\(t.named ? t.name : "\(t.name) \(t.id)") on \(p.node): \(t.type), \(t.protection), \(t.size) object"
            + "\(t.size == 1 ? "" : "s"), \(HumanUnits.bytes(t.memory)), owner \(t.owner)\n"
        if p.limit == 0 {
            out += "(metadata only: --peek K shows up to K objects)\n"
        } else if p.objects.isEmpty {
            out += "(empty)\n"
        } else {
            out += "first \(p.objects.count) (at most \(p.limit), in the table's order; cut on the node):\n"
            for o in p.objects { out += "  " + truncate(o.replacingEvery("\n", with: " "), to: max(20, width * 4 - 2)) + "\n" }
            if p.more { out += "  … more objects not shown\n" }
        }
        return out
    }

    public static func json(_ p: EtsPeek) -> JSONValue {
        .orderedObject([
            ("command", .string("ets")), ("status", .string("ok")), ("node", .string(p.node)),
            ("table", tableJSON(p.table)), ("limit", .integer(p.limit)), ("objects", .strings(p.objects)),
            ("more", .bool(p.more)),
        ])
    }
}
