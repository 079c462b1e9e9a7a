/// The `versions` views: a block per node, then what differs between them; `--env`: a line per key.
public enum VersionsView {
    // MARK: - versions

    public static func render(_ r: VersionsReport, width: Int) -> String {
        _ = viewLocaleReady
        let total = r.nodes.count + r.failures.count
        var out = "versions: \(total) node\(total == 1 ? "" : "s")"
            + (r.failures.isEmpty ? "" : " (\(r.failures.count) failed)") + "\n"
        for n in r.nodes.sorted(by: { $0.node < $1.node }) {
            out += "\n" + n.node + "\n"
            var pairs: [(String, String)] = [
                ("OTP", "\(n.otp) (ERTS \(n.erts))"),
                ("Elixir", n.elixir ?? "—"),
                ("release", n.release ?? "— (RELEASE_NAME/RELEASE_VSN not set)"),
            ]
            if let b = n.bootScript { pairs.append(("boot script", b)) }
            let apps = n.applications.map { "\($0.name) \($0.vsn)" }
            let more = n.applicationCount > apps.count ? ["… \(n.applicationCount - apps.count) more"] : []
            pairs.append(("applications (\(n.applicationCount))", apps.isEmpty ? "none" : "\u{0}"))
            pairs.append(("modified", n.modifiedCount == 0
                ? "none (loaded code matches the files on disk)"
                : InspectionText.nodeList(n.modified, limit: 8)
                    + (n.modifiedCount > n.modified.count ? " (\(n.modifiedCount) in all)" : "")))
            let labelWidth = pairs.map { displayWidth($0.0) }.max() ?? 0
            for (k, v) in pairs {
                let label = "  " + k + String(repeating: " ", count: labelWidth - displayWidth(k)) + "  "
                if v == "\u{0}" {
                    out += wrap(apps + more, first: label, indent: String(repeating: " ", count: displayWidth(label)),
                                width: width)
                } else {
                    out += label + v + "\n"
                }
            }
        }
        if r.nodes.count > 1 {
            out += "\n"
            if r.differences.isEmpty && r.modules.allSatisfy({ $0.differing.isEmpty }) && r.notCompared.isEmpty {
                out += "same on every node: OTP, ERTS, Elixir, release, application versions"
                    + (r.modules.isEmpty ? " and module code\n" : "; module md5s agree where loaded\n")
            } else {
                out += "differences\n"
                var rows: [(String, String)] = []
                for d in r.differences {
                    rows.append((d.name.map { "\(d.item) \($0)" } ?? d.item, groupsText(d.groups, absent: absentText(d))))
                }
                for a in r.modules {
                    for m in a.differing.prefix(50) {
                        let md5 = m.groups.map { ValueGroup(value: $0.value.map { "md5 " + $0.prefix(8) }, nodes: $0.nodes) }
                        rows.append(("module \(m.module) (\(a.application))", groupsText(md5, absent: "not loaded")))
                    }
                    if a.differing.count > 50 { rows.append(("…", "\(a.differing.count - 50) more modules of \(a.application)")) }
                }
                out += keyValueLines(rows, indent: "  ")
                for a in r.modules where a.differing.isEmpty {
                    out += "  \(a.application): module digests differ, but every module loaded on several nodes has the "
                        + "same md5 (\(a.loadedOnSome.count) loaded on some nodes only)\n"
                }
                if !r.notCompared.isEmpty {
                    out += "  not compared module by module (limit \(VersionsCommand.moduleRoundLimit)): "
                        + r.notCompared.joined(separator: ", ") + "\n"
                }
            }
        }
        out += failuresText(r.failures, title: "failed")
        out += failuresText(r.moduleFailures, title: "failed the module comparison")
        return out
    }

    static func absentText(_ d: VersionDifference) -> String {
        switch d.item {
        case "application": return "not running"
        case "elixir": return "no Elixir"
        case "release": return "not set"
        default: return "—"
        }
    }

    /// `1.0.0: a@h, b@h | 2.0.0: c@h`.
    static func groupsText(_ groups: [ValueGroup], absent: String) -> String {
        groups.map { "\($0.value ?? "(\(absent))"): " + InspectionText.nodeList($0.nodes) }.joined(separator: " | ")
    }

    static func failuresText(_ failures: [String: NodeInspection.Failure], title: String) -> String {
        guard !failures.isEmpty else { return "" }
        var out = "\n\(title)\n"
        for (n, f) in failures.sorted(by: { $0.key < $1.key }) { out += "  \(n)  \(f.code): \(f.detail)\n" }
        return out
    }

    /// Items separated by `, `, wrapped at `width`; the first line starts with `first`, the others with `indent`.
    static func wrap(_ items: [String], first: String, indent: String, width: Int) -> String {
        var out = "", line = first
        var lineHasItem = false
        for (i, item) in items.enumerated() {
            let piece = item + (i == items.count - 1 ? "" : ",")
            if lineHasItem && displayWidth(line) + 1 + displayWidth(piece) > width {
                out += line + "\n"
                line = indent
                lineHasItem = false
            }
            line += (lineHasItem ? " " : "") + piece
            lineHasItem = true
        }
        return out + line + "\n"
    }

    public static func json(_ r: VersionsReport) -> JSONValue {
        let nodes: [JSONValue] = r.nodes.sorted(by: { $0.node < $1.node }).map { n in
            .orderedObject([
                ("node", .string(n.node)), ("otp", .string(n.otp)), ("erts", .string(n.erts)),
                ("elixir", .optional(n.elixir)),
                ("release", n.release == nil ? .null : .orderedObject([
                    ("name", .optional(n.releaseName)), ("vsn", .optional(n.releaseVsn)),
                ])),
                ("boot_script", .optional(n.bootScript)),
                ("applications", .array(n.applications.map {
                    .orderedObject([("name", .string($0.name)), ("vsn", .string($0.vsn))])
                })),
                ("application_count", .integer(n.applicationCount)),
                ("modified_modules", .strings(n.modified)),
                ("modified_count", .integer(n.modifiedCount)),
            ])
        }
        func groups(_ g: [ValueGroup]) -> JSONValue {
            .array(g.map { .orderedObject([("value", .optional($0.value)), ("nodes", .strings($0.nodes))]) })
        }
        let differences: [JSONValue] = r.differences.map {
            .orderedObject([("item", .string($0.item)), ("name", .optional($0.name)), ("groups", groups($0.groups))])
        }
        let modules: [JSONValue] = r.modules.map { a in
            .orderedObject([
                ("application", .string(a.application)), ("nodes", .strings(a.nodes)),
                ("differing", .array(a.differing.map {
                    .orderedObject([("module", .string($0.module)), ("groups", groups($0.groups))])
                })),
                ("loaded_on_some_nodes_only", .integer(a.loadedOnSome.count)),
            ])
        }
        return .orderedObject([
            ("command", .string("versions")),
            ("status", .string(r.failures.isEmpty && r.moduleFailures.isEmpty ? "ok" : "partial")),
            ("nodes", .array(nodes)), ("differences", .array(differences)), ("modules", .array(modules)),
            ("not_compared", .strings(r.notCompared)),
            ("failures", failuresJSON(r.failures.merging(r.moduleFailures) { a, _ in a })),
        ])
    }

    static func failuresJSON(_ failures: [String: NodeInspection.Failure]) -> JSONValue {
        .array(failures.sorted(by: { $0.key < $1.key }).map {
            .orderedObject([("node", .string($0.key)), ("code", .string($0.value.code)), ("message", .string($0.value.detail))])
        })
    }

    // MARK: - versions --env

    public static func render(_ r: EnvReport, width: Int) -> String {
        _ = viewLocaleReady
        let loaded = r.nodes.filter(\.loaded).map(\.node).sorted()
        var out = "versions --env \(r.application): \(loaded.count) node\(loaded.count == 1 ? "" : "s") compared"
            + (r.failures.isEmpty ? "" : ", \(r.failures.count) failed")
            + " (values hashed on the nodes; only --show keys are printed)\n"
        let notLoaded = r.nodes.filter { !$0.loaded }.map(\.node).sorted()
        if !notLoaded.isEmpty { out += "not loaded on: " + InspectionText.nodeList(notLoaded, limit: 8) + "\n" }
        if r.keys.isEmpty {
            out += loaded.isEmpty ? "" : "no environment keys\n"
        } else {
            out += "\n" + keyValueLines(r.keys.map { ($0.key, comparisonText($0, nodeCount: loaded.count)) })
            let differing = r.keys.filter { !$0.same }.count
            out += "\n\(differing) of \(r.keys.count) key\(r.keys.count == 1 ? "" : "s") differ\n"
        }
        for n in r.nodes where n.keyCount > n.keys.count {
            out += "\(n.node): \(n.keyCount) keys, the first \(n.keys.count) compared\n"
        }
        let unknown = r.show.filter { s in !r.keys.contains { $0.key == s } }
        if !unknown.isEmpty && !loaded.isEmpty { out += "--show: no key " + unknown.joined(separator: ", ") + "\n" }
        out += failuresText(r.failures, title: "failed")
        return out
    }

    static func comparisonText(_ k: EnvKeyComparison, nodeCount: Int) -> String {
        if k.same {
            let all = nodeCount == 1 ? "set" : "same on all"
            return k.shown ? "\(all): \(k.groups[0].value ?? "?")" : all
        }
        let parts = k.groups.map { g -> String in
            let what = !g.present ? "not set" : (k.shown ? (g.value ?? "?") : nil)
            return (what.map { "\($0) on " } ?? "") + InspectionText.nodeList(g.nodes)
        }
        return "differs (\(k.groups.count) groups): " + parts.joined(separator: " | ")
    }

    public static func json(_ r: EnvReport) -> JSONValue {
        let keys: [JSONValue] = r.keys.map { k in
            var fields: [(String, JSONValue)] = [
                ("key", .string(k.key)), ("same", .bool(k.same)), ("shown", .bool(k.shown)),
            ]
            fields.append(("groups", .array(k.groups.map { g in
                var f: [(String, JSONValue)] = [("nodes", .strings(g.nodes)), ("present", .bool(g.present))]
                if k.shown && g.present { f.append(("value", .optional(g.value))) }
                return .orderedObject(f)
            })))
            return .orderedObject(fields)
        }
        return .orderedObject([
            ("command", .string("versions")), ("application", .string(r.application)),
            ("status", .string(r.failures.isEmpty ? "ok" : "partial")),
            ("nodes", .strings(r.nodes.filter(\.loaded).map(\.node).sorted())),
            ("not_loaded", .strings(r.nodes.filter { !$0.loaded }.map(\.node).sorted())),
            ("keys", .array(keys)),
            ("failures", failuresJSON(r.failures)),
        ])
    }
}
