import Dispatch
import ErlangDistribution
import ErlangTerm
import Synchronization

/// Tab completion: command names, node names, and remote module and function names fetched lazily from the
/// target over RPC (`:code.all_loaded/0`, `Mod.module_info(:exports)`), cached per node.
final class Completer: Sendable {
    let session: ConsoleSession
    private let modules = Mutex<[String: [String]]>([:])
    private let exports = Mutex<[String: [String]]>([:])

    init(session: ConsoleSession) { self.session = session }

    func complete(line: String, cursor: Int) -> LineEditor.Completion? {
        let before = String(decoding: Array(line.utf8.prefix(cursor)), as: UTF8.self)
        let words = before.split(separator: " ", omittingEmptySubsequences: false).map(String.init)
        let word = words.last ?? ""
        let wordLength = word.utf8.count
        if words.count <= 1 {
            // The first word: a command, or the start of a bare call.
            var candidates = ConsoleCommand.names.filter { $0.hasPrefix(word) }
            if word.contains(".") || word.contains(":") || word.first?.isUppercase == true {
                candidates += remoteCandidates(for: word)
            }
            return LineEditor.Completion(wordLength: wordLength, candidates: candidates)
        }
        let command = words[0]
        let nodeCommands: Set<String> = ["connect", "disconnect", "use", "ping", "info"]
        if nodeCommands.contains(command) || (["call", "eval"].contains(command) && words.count == 2 && word.contains("@")) {
            return LineEditor.Completion(wordLength: wordLength, candidates: nodeNames().filter { $0.hasPrefix(word) })
        }
        if command == "help" {
            return LineEditor.Completion(wordLength: wordLength, candidates: ConsoleCommand.names.filter { $0.hasPrefix(word) })
        }
        if word.isEmpty { return nil }
        return LineEditor.Completion(wordLength: wordLength, candidates: remoteCandidates(for: word))
    }

    func nodeNames() -> [String] {
        var names = Set(session.node.peerSnapshots().map(\.node))
        if let t = session.target { names.insert(t) }
        return names.sorted()
    }

    /// `Enum.co` → `Enum.count`, `Enum.concat`…; `:lis` → `:lists`; `lists:se` → `lists:seq`; `My` → `MyApp.Stats`.
    func remoteCandidates(for word: String) -> [String] {
        guard let target = session.target else { return [] }
        if let dot = word.lastIndex(of: "."), word.first?.isUppercase == true || word.hasPrefix(":") {
            // Elixir: Module.fun or :mod.fun — unless the part before the dot is itself a module prefix.
            let modulePart = String(word[..<dot])
            let funPrefix = String(word[word.index(after: dot)...])
            let atom = modulePart.hasPrefix(":") ? String(modulePart.dropFirst()) : "Elixir." + modulePart
            let funs = functions(of: atom, on: target).filter { $0.hasPrefix(funPrefix) }
            if !funs.isEmpty { return funs.map { "\(modulePart).\($0)(" } }
        }
        if let colon = word.firstIndex(of: ":"), colon != word.startIndex {
            // Erlang: mod:fun
            let modulePart = String(word[..<colon])
            let funPrefix = String(word[word.index(after: colon)...])
            return functions(of: modulePart, on: target).filter { $0.hasPrefix(funPrefix) }.map { "\(modulePart):\($0)(" }
        }
        // Module names end with their separator, so that completing one goes on to its functions.
        let all = loadedModules(on: target)
        if word.hasPrefix(":") {
            let p = String(word.dropFirst())
            return all.filter { !$0.hasPrefix("Elixir.") && $0.hasPrefix(p) }.map { ":" + $0 + "." }
        }
        if word.first?.isUppercase == true {
            return all.filter { $0.hasPrefix("Elixir." + word) }.map { String($0.dropFirst(7)) + "." }
        }
        return all.filter { !$0.hasPrefix("Elixir.") && $0.hasPrefix(word) }.map { $0 + ":" }
    }

    func loadedModules(on node: String) -> [String] {
        if let cached = modules.withLock({ $0[node] }) { return cached }
        guard let v = blockingCall(node, "code", "all_loaded", []), case .list(let items) = v else { return [] }
        let names = items.compactMap { $0.tupleElements?.first?.atomName }.sorted()
        modules.withLock { $0[node] = names }
        return names
    }

    func functions(of module: String, on node: String) -> [String] {
        let key = node + " " + module
        if let cached = exports.withLock({ $0[key] }) { return cached }
        guard let v = blockingCall(node, Atom(module), "module_info", [.atom("exports")]), case .list(let items) = v
        else { return [] }
        let names = Set(items.compactMap { $0.tupleElements?.first?.atomName }).filter {
            !$0.hasPrefix("__") && $0 != "module_info"
        }.sorted()
        exports.withLock { $0[key] = names }
        return names
    }

    /// A short rex call from the editor thread (completion is synchronous in libedit).
    private func blockingCall(_ node: String, _ m: Atom, _ f: Atom, _ args: [Term]) -> Term? {
        let box = Mutex<Term?>(nil)
        let done = DispatchSemaphore(value: 0)
        let local = session.node
        Task {
            if let r = try? await local.call(
                node: node, module: m, function: f, arguments: args,
                options: CallOptions(method: .rex, timeout: .seconds(2), captureOutput: false)),
                case .value(let v) = r.result
            {
                box.withLock { $0 = v }
            }
            done.signal()
        }
        _ = done.wait(timeout: .now() + 2.5)
        return box.withLock { $0 }
    }
}
