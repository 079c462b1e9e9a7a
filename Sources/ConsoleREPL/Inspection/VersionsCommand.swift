import ErlangDistribution
import ErlangTerm

/// `versions` (issue 15, operator need 7): what runs where. Round one asks every node for its OTP, ERTS, Elixir,
/// release and application versions, `code:modified_modules/0`, and one digest per application over its loaded
/// modules' md5s; round two asks for per-module md5s only for the applications whose digest differs, only on the
/// nodes that run them. `versions --env APP` compares the application's environment by hashes computed on the nodes.
enum VersionsCommand {
    /// Applications compared module by module at most (the second round).
    static let moduleRoundLimit = 20

    static let inspection = NodeInspection(name: "versions", source: VersionsSource.text)
    static let envInspection = NodeInspection(name: "versions --env", source: VersionsSource.envText)

    static func run(_ request: InspectionRequest, session: ConsoleSession) async -> CommandOutput {
        let nodes = InspectionCommands.nodes(request, session: session)
        guard !nodes.isEmpty else {
            return .badInput("versions: no nodes (connect to one, set a target with use, or give --node/--nodes)")
        }
        if let app = request.options["--env"] {
            let name = app.hasPrefix(":") ? String(app.dropFirst()) : app
            guard !name.isEmpty, name.utf8.count <= 255 else { return .badInput("versions: --env takes an application name") }
            let show = (request.options["--show"] ?? "").split(separator: ",").map {
                $0.hasPrefix(":") ? String($0.dropFirst()) : String($0)
            }.filter { !$0.isEmpty }
            return await env(app: name, show: show, nodes: nodes, session: session)
        }
        if request.options["--show"] != nil { return .badInput("versions: --show goes with --env APP") }
        let settings = session.settings
        let results = await inspection.run(
            on: nodes, argument: .tuple([.atom("summary"), .map(TermMap())]), caller: session.node,
            timeout: settings.timeout, profile: session.knownProfiles)
        let (answered, failures) = inspection.partition(results, nodes: nodes, profile: session.knownProfiles) {
            NodeVersions.parse(node: $0, $1)
        }
        // Round two: only the applications whose digest differs, only on the nodes running them.
        let differing = VersionsAnalysis.differingDigests(answered)
        let asked = Array(differing.prefix(moduleRoundLimit))
        var perApp: [String: [String: [String: String]]] = [:]
        var moduleFailures: [String: NodeInspection.Failure] = [:]
        var wanted: [String: [String]] = [:]
        for (app, ns) in asked { for n in ns { wanted[n, default: []].append(app) } }
        var byRequest: [[String]: [String]] = [:]
        for (n, apps) in wanted { byRequest[apps, default: []].append(n) }
        for (apps, ns) in byRequest.sorted(by: { $0.key.joined() < $1.key.joined() }) {
            let arg = Term.tuple([.atom("modules"), .list(apps.map { Term.binary(Array($0.utf8)) })])
            let r = await inspection.run(
                on: ns.sorted(), argument: arg, caller: session.node, timeout: settings.timeout,
                profile: session.knownProfiles)
            for n in ns {
                switch r[n] {
                case .success(let t)?:
                    for (app, mods) in NodeVersions.parseModules(t) { perApp[app, default: [:]][n] = mods }
                case .failure(let f)?: moduleFailures[n] = f
                case nil: moduleFailures[n] = .init(code: "bad_reply", detail: "no result")
                }
            }
        }
        let modules = asked.map { VersionsAnalysis.modules(application: $0.application, perApp[$0.application] ?? [:]) }
        let report = VersionsReport(
            nodes: answered, differences: VersionsAnalysis.differences(answered), modules: modules,
            notCompared: differing.dropFirst(moduleRoundLimit).map(\.application), failures: failures,
            moduleFailures: moduleFailures)
        return CommandOutput(
            text: VersionsView.render(report, width: settings.width), json: VersionsView.json(report).encoded,
            status: failures.isEmpty && moduleFailures.isEmpty ? CommandOutput.Status.ok : CommandOutput.Status.remoteFailure)
    }

    static func env(app: String, show: [String], nodes: [String], session: ConsoleSession) async -> CommandOutput {
        let settings = session.settings
        let salt = Int.random(in: 1...Int(Int32.max))
        let arg = Term.tuple([
            .atom("env"), .binary(Array(app.utf8)), .list(show.map { Term.binary(Array($0.utf8)) }), .integer(salt),
        ])
        let results = await envInspection.run(
            on: nodes, argument: arg, caller: session.node, timeout: settings.timeout, profile: session.knownProfiles)
        let (answered, failures) = envInspection.partition(results, nodes: nodes, profile: session.knownProfiles) {
            NodeEnv.parse(node: $0, $1)
        }
        let report = EnvReport(
            application: app, show: show, nodes: answered, keys: EnvAnalysis.compare(answered, show: Set(show)),
            failures: failures)
        return CommandOutput(
            text: VersionsView.render(report, width: settings.width), json: VersionsView.json(report).encoded,
            status: failures.isEmpty ? CommandOutput.Status.ok : CommandOutput.Status.remoteFailure)
    }
}

/// What `versions` shows.
public struct VersionsReport: Sendable {
    public var nodes: [NodeVersions]
    public var differences: [VersionDifference]
    public var modules: [ApplicationModules]
    /// Applications whose digest differs beyond the second round's limit.
    public var notCompared: [String]
    public var failures: [String: NodeInspection.Failure]
    /// Nodes that failed the second round.
    public var moduleFailures: [String: NodeInspection.Failure]
}

/// What `versions --env APP` shows.
public struct EnvReport: Sendable {
    public var application: String
    public var show: [String]
    public var nodes: [NodeEnv]
    public var keys: [EnvKeyComparison]
    public var failures: [String: NodeInspection.Failure]
}
