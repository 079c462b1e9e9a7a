import ErlangTerm

/// One node's answer to `versions` (``VersionsSource``'s summary).
public struct NodeVersions: Hashable, Sendable {
    public struct Application: Hashable, Sendable {
        public var name: String
        public var vsn: String
        public init(name: String, vsn: String) { self.name = name; self.vsn = vsn }
    }

    public var node: String
    public var otp: String
    public var erts: String
    public var elixir: String?
    public var releaseName: String?
    public var releaseVsn: String?
    /// `init:script_id/0`: the boot script's name and version.
    public var bootScript: String?
    public var applications: [Application]
    public var applicationCount: Int
    /// Per application, a digest of its loaded modules' md5s (hex).
    public var digests: [String: String]
    public var modified: [String]
    public var modifiedCount: Int

    public init(
        node: String, otp: String, erts: String, elixir: String? = nil, releaseName: String? = nil,
        releaseVsn: String? = nil, bootScript: String? = nil, applications: [Application] = [],
        applicationCount: Int? = nil, digests: [String: String] = [:], modified: [String] = [], modifiedCount: Int? = nil
    ) {
        self.node = node; self.otp = otp; self.erts = erts; self.elixir = elixir
        self.releaseName = releaseName; self.releaseVsn = releaseVsn; self.bootScript = bootScript
        self.applications = applications; self.applicationCount = applicationCount ?? applications.count
        self.digests = digests; self.modified = modified; self.modifiedCount = modifiedCount ?? modified.count
    }

    /// `name vsn`, or nil when neither RELEASE_NAME nor RELEASE_VSN is set.
    public var release: String? {
        guard releaseName != nil || releaseVsn != nil else { return nil }
        return [releaseName, releaseVsn].compactMap { $0 }.joined(separator: " ")
    }

    /// Reads the summary map; nil when it is not one.
    public static func parse(node: String, _ term: Term) -> NodeVersions? {
        guard let m = term.mapValue, let otp = m.field("otp").flatMap(InspectionText.string),
              let erts = m.field("erts").flatMap(InspectionText.string)
        else { return nil }
        var v = NodeVersions(node: node, otp: otp, erts: erts)
        v.elixir = m.field("elixir").flatMap(InspectionText.string)
        v.releaseName = m.field("release_name").flatMap(InspectionText.string)
        v.releaseVsn = m.field("release_vsn").flatMap(InspectionText.string)
        if let s = m.field("boot_script")?.tupleElements, s.count == 2 {
            v.bootScript = s.compactMap(InspectionText.string).joined(separator: " ")
        }
        for a in (m.field("apps")?.listElements ?? []).prefix(400) {
            guard let t = a.tupleElements, t.count == 2, let name = InspectionText.string(t[0]),
                  let vsn = InspectionText.string(t[1])
            else { continue }
            v.applications.append(Application(name: name, vsn: vsn))
        }
        v.applicationCount = m.field("app_count")?.intValue ?? v.applications.count
        for d in (m.field("digests")?.listElements ?? []).prefix(400) {
            guard let t = d.tupleElements, t.count == 2, let name = InspectionText.string(t[0]),
                  let md5 = t[1].binaryValue
            else { continue }
            v.digests[name] = InspectionText.hex(md5)
        }
        v.modified = (m.field("modified")?.listElements ?? []).prefix(100).compactMap(InspectionText.string)
        v.modifiedCount = m.field("modified_count")?.intValue ?? v.modified.count
        return v
    }

    /// `[{App, [{Module, MD5}]}]` (the second round) → application → module → md5 (hex).
    public static func parseModules(_ term: Term) -> [String: [String: String]] {
        var out: [String: [String: String]] = [:]
        for a in (term.listElements ?? []).prefix(20) {
            guard let t = a.tupleElements, t.count == 2, let app = InspectionText.string(t[0]) else { continue }
            var mods: [String: String] = [:]
            for m in (t[1].listElements ?? []).prefix(3000) {
                guard let p = m.tupleElements, p.count == 2, let name = InspectionText.string(p[0]),
                      let md5 = p[1].binaryValue
                else { continue }
                mods[name] = InspectionText.hex(md5)
            }
            out[app] = mods
        }
        return out
    }
}

/// Nodes that share one value (nil: the node has no such item).
public struct ValueGroup: Hashable, Sendable {
    public var value: String?
    public var nodes: [String]
    public init(value: String?, nodes: [String]) { self.value = value; self.nodes = nodes }
}

/// An item whose value is not the same on every node: `otp`, `erts`, `elixir`, `release`, or `application` (with
/// its name).
public struct VersionDifference: Hashable, Sendable {
    public var item: String
    public var name: String?
    public var groups: [ValueGroup]
    public init(item: String, name: String? = nil, groups: [ValueGroup]) {
        self.item = item; self.name = name; self.groups = groups
    }
}

/// A module loaded with different code (md5) on different nodes.
public struct ModuleDifference: Hashable, Sendable {
    public var application: String
    public var module: String
    /// Value: the md5 (hex).
    public var groups: [ValueGroup]
}

/// What the second round found for one application whose digest differs.
public struct ApplicationModules: Hashable, Sendable {
    public var application: String
    /// The nodes asked.
    public var nodes: [String]
    public var differing: [ModuleDifference]
    /// Modules loaded on some of the asked nodes only (not compared: in interactive mode modules load on first use).
    public var loadedOnSome: [String]
}

/// The pure comparisons behind `versions`.
public enum VersionsAnalysis {
    /// Groups `values` (one per node) by value: the largest group first, then by value; nodes sorted in each.
    public static func groups(_ values: [(node: String, value: String?)]) -> [ValueGroup] {
        var byValue: [String?: [String]] = [:]
        for (n, v) in values { byValue[v, default: []].append(n) }
        return byValue.map { ValueGroup(value: $0.key, nodes: $0.value.sorted()) }
            .sorted {
                $0.nodes.count != $1.nodes.count
                    ? $0.nodes.count > $1.nodes.count : ($0.value ?? "\u{10FFFF}") < ($1.value ?? "\u{10FFFF}")
            }
    }

    /// Items that are not the same on every node. One node: nothing to compare.
    public static func differences(_ nodes: [NodeVersions]) -> [VersionDifference] {
        guard nodes.count > 1 else { return [] }
        var out: [VersionDifference] = []
        func compare(_ item: String, _ value: (NodeVersions) -> String?) {
            let g = groups(nodes.map { ($0.node, value($0)) })
            if g.count > 1 { out.append(VersionDifference(item: item, groups: g)) }
        }
        compare("otp") { $0.otp }
        compare("erts") { $0.erts }
        compare("elixir") { $0.elixir }
        compare("release") { $0.release }
        let names = Set(nodes.flatMap { $0.applications.map(\.name) }).sorted()
        for app in names {
            let g = groups(nodes.map { n in (n.node, n.applications.first { $0.name == app }?.vsn) })
            if g.count > 1 { out.append(VersionDifference(item: "application", name: app, groups: g)) }
        }
        return out
    }

    /// Applications whose module digest is not the same on every node that runs them, with those nodes: what the
    /// second round asks (and whom). Sorted by name.
    public static func differingDigests(_ nodes: [NodeVersions]) -> [(application: String, nodes: [String])] {
        let names = Set(nodes.flatMap { $0.digests.keys }).sorted()
        var out: [(String, [String])] = []
        for app in names {
            let having = nodes.filter { $0.digests[app] != nil }
            if Set(having.map { $0.digests[app]! }).count > 1 { out.append((app, having.map(\.node).sorted())) }
        }
        return out
    }

    /// Compares one application's modules (node → module → md5) across the nodes that answered.
    public static func modules(application: String, _ perNode: [String: [String: String]]) -> ApplicationModules {
        let nodes = perNode.keys.sorted()
        let all = Set(perNode.values.flatMap { $0.keys }).sorted()
        var differing: [ModuleDifference] = []
        var some: [String] = []
        for m in all {
            let having = nodes.filter { perNode[$0]?[m] != nil }
            if having.count < nodes.count { some.append(m) }
            let g = groups(having.map { ($0, perNode[$0]?[m]) })
            if g.count > 1 { differing.append(ModuleDifference(application: application, module: m, groups: g)) }
        }
        return ApplicationModules(application: application, nodes: nodes, differing: differing, loadedOnSome: some)
    }
}

/// Text helpers for what nodes return (untrusted: decoded leniently and cut).
enum InspectionText {
    /// A binary (lossy UTF-8), a charlist or an atom, cut to 256 characters; nil for `nil`/`undefined`/`false`.
    static func string(_ t: Term) -> String? {
        let s: String?
        switch t {
        case .binary(let b): s = String(decoding: b.prefix(4096), as: UTF8.self)
        case .atom(let a): s = (a.name == "nil" || a.name == "undefined" || a.name == "false") ? nil : a.name
        case .list: s = t.stringValue
        default: s = nil
        }
        return s.map { clip($0, 256) }
    }

    /// A binary as text, cut to `limit` characters.
    static func text(_ t: Term, limit: Int) -> String? {
        guard let b = t.binaryValue else { return string(t) }
        return clip(String(decoding: b.prefix(limit * 4), as: UTF8.self), limit)
    }

    static func clip(_ s: String, _ limit: Int) -> String {
        s.count > limit ? String(s.prefix(limit)) + "…" : s
    }

    static func hex(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef")
        var s = ""
        for b in bytes.prefix(64) { s.append(digits[Int(b >> 4)]); s.append(digits[Int(b & 15)]) }
        return s
    }

    /// `a, b, c` or `a, b and 7 more`.
    static func nodeList(_ nodes: [String], limit: Int = 4) -> String {
        nodes.count <= limit
            ? nodes.joined(separator: ", ")
            : nodes.prefix(limit).joined(separator: ", ") + " and \(nodes.count - limit) more"
    }
}

extension TermMap {
    /// The value under the atom key `name`.
    func field(_ name: String) -> Term? { self[Term.atom(Atom(name))] }
}
