import ClusterDiscovery
import ClusterMembership
import Dispatch
import ErlangDistribution
import ErlangTerm
import Synchronization
import TermSyntax

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The interactive console: libedit line editing, a prompt that shows the target and its state, cluster events
/// printed above the prompt, Ctrl-C that cancels the running command, tab completion of commands, node names and
/// remote modules/functions. With standard input not a terminal it reads commands line by line and exits at EOF
/// with a status that reflects failures.
public final class REPL: @unchecked Sendable {
    public let session: ConsoleSession
    let editor: LineEditor
    let completer: Completer
    private let running = Mutex<Task<CommandOutput, Never>?>(nil)
    /// Whether standard input is a terminal.
    public var isInteractive: Bool { editor.isInteractive }

    public init(session: ConsoleSession, historyPath: String?, interactive: Bool? = nil) {
        self.session = session
        session.keepsState = true
        let completer = Completer(session: session)
        self.completer = completer
        var config = LineEditor.Configuration()
        config.historyPath = historyPath
        // A command's unclosed brackets or strings continue on the next line (`call Foo.bar(` ⏎ `1, 2)`). Code is
        // continued by the REPL loop when the node says it is incomplete (as IEx does), so that `#iex:break` works.
        config.isIncomplete = { text in Self.isCommandLine(text) && Self.hasUnclosedDelimiter(text) }
        config.complete = { line, cursor in completer.complete(line: line, cursor: cursor) }
        let redactor = session.redactor
        config.keepOutOfHistory = { redactor.contains($0) }
        editor = LineEditor(configuration: config, interactive: interactive)
    }

    /// The default history file: `$XDG_STATE_HOME/beamconsole/history` (`~/.local/state/beamconsole/history`).
    public static func defaultHistoryPath(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        let base = environment["XDG_STATE_HOME"].flatMap { $0.isEmpty ? nil : $0 }
            ?? (environment["HOME"] ?? homeDirectory()) + "/.local/state"
        return base + "/beamconsole/history"
    }

    /// Runs until `quit`, Ctrl-D or end of input. Returns the exit status.
    public func run() async -> Int32 {
        let interrupts = installInterruptHandler()
        defer { SignalRelay.shared.unsubscribe(interrupts) }
        let events = Task { [editor, session, weak self] in
            // The prompt follows the target while the user types: redrawn (when it changed) on a nodeup, a nodedown
            // and whatever discovery reports (the target leaving DNS).
            let discovery = Task { [weak self] in
                for await _ in session.discovery.events() { self?.refreshPrompt() }
            }
            defer { discovery.cancel() }
            for await event in session.node.events() {
                switch event {
                case .nodeDown(let n, let error):
                    editor.printAbove(Self.paint("** nodedown \(n): \(error.code) (\(error.stage))", "31", session))
                    self?.refreshPrompt()
                case .nodeUp(let n):
                    if editor.isInteractive { editor.printAbove(Self.paint("nodeup \(n)", "32", session)) }
                    self?.refreshPrompt()
                default:
                    break
                }
            }
        }
        defer { events.cancel() }
        let background = startBackgroundGroupLeader()
        defer { background.cancel() }
        // Notices that come later (a log level change reverting by itself) print above the prompt.
        let editor = self.editor
        let redactor = session.redactor
        let session = self.session
        session.noticeHandler = { text in
            let shown = redactor.redact(text)
            if editor.isEditing { editor.printAbove(Self.paint(shown, "33", session)) } else { editor.printRaw(shown + "\n") }
        }
        defer { session.noticeHandler = nil }
        if editor.isInteractive {
            editor.printAbove("beamconsole — we are \(session.node.name) (hidden). Type help for commands, Ctrl-D to quit.")
        }
        var status: Int32 = 0
        // Code typed so far that is not a complete expression yet (IEx's continuation lines).
        var pending: String?
        while true {
            let input = await readLine(continuing: pending != nil)
            switch input {
            case .endOfInput:
                if editor.isInteractive { print("") }
                if pending != nil {
                    report(CommandOutput(errorText: "incomplete expression at end of input", status: CommandOutput.Status.badInput))
                    status = CommandOutput.Status.badInput
                }
                return status
            case .interrupted:
                pending = nil  // Ctrl-C abandons a continuation, as in IEx
                continue
            case .line(let line):
                let command: ConsoleCommand
                if let code = pending {
                    if line.trimmingWhitespace() == "#iex:break" {
                        pending = nil
                        report(CommandOutput(errorText: "** (TokenMissingError) iex: incomplete expression"))
                        continue
                    }
                    command = .eval(node: nil, code: code + "\n" + line)
                } else {
                    do {
                        command = try ConsoleCommand.parse(line)
                    } catch {
                        report(CommandOutput(errorText: error.message, status: CommandOutput.Status.badInput))
                        status = CommandOutput.Status.badInput
                        continue
                    }
                }
                pending = nil
                if command == .quit { return status }
                if command == .empty { continue }
                if !(await confirm(command)) {
                    report(CommandOutput(errorText: "not run"))
                    continue
                }
                let output = await execute(command)
                if output.needsMoreInput, case .eval(nil, let code) = command {
                    pending = code
                    continue
                }
                report(output)
                if output.status != 0 { status = output.status }
            }
        }
    }

    /// The REPL's group leader on our node (``ConsoleSession/backgroundGroupLeader``): it serves the evaluators' I/O
    /// requests, printing as a running command's output streams, or above the prompt when the output comes later.
    /// The cookie is redacted as everywhere.
    private func startBackgroundGroupLeader() -> Task<Void, Never> {
        let editor = self.editor
        let redactor = session.redactor
        let (pid, task) = session.node.spawnGroupLeader { text in
            let shown = redactor.redact(text)
            if editor.isEditing { editor.printAbove(shown) } else { editor.printRaw(shown) }
        }
        session.backgroundGroupLeader = pid
        return task
    }

    /// Asks before a command acts on more than one node (`multicall`), unless `--yes`. Scripts (no terminal) are
    /// not asked.
    func confirm(_ command: ConsoleCommand) async -> Bool {
        guard editor.isInteractive, !session.settings.assumeYes, case .multicall(let e, let nodes, _) = command else {
            return true
        }
        let targets = session.multicallTargets(nodes)
        guard targets.count > 1 else { return true }
        let list = targets.count <= 4 ? targets.joined(separator: ", ") : "\(targets.prefix(3).joined(separator: ", ")), …"
        let question = "run \(e) on \(targets.count) nodes (\(list))? [y/N] "
        let answer: LineEditor.Input = await withCheckedContinuation { continuation in
            startDetachedThread(stackSize: 1 << 20) { [editor] in
                continuation.resume(returning: editor.readLine(prompt: question, recordHistory: false))
            }
        }
        guard case .line(let text) = answer else { return false }
        return ["y", "yes"].contains(text.trimmingScalars(where: \.isBlank).lowercased())
    }

    /// Runs a command as a cancellable task; Ctrl-C (SIGINT) cancels it.
    func execute(_ command: ConsoleCommand) async -> CommandOutput {
        let editor = self.editor
        let task = Task { [session] in
            await session.run(command, onOutput: { chunk in editor.printRaw(chunk) })
        }
        running.withLock { $0 = task }
        let output = await task.value
        running.withLock { $0 = nil }
        // The terminal has echoed ^C: end that line before the outcome is printed (here, not in the signal handler,
        // so that it cannot land after the next prompt).
        if task.isCancelled { editor.printRaw("\n") }
        return output
    }

    func report(_ output: CommandOutput) {
        if !output.text.isEmpty { editor.printAbove(output.text) }
        if !output.errorText.isEmpty {
            let line = Self.paint(output.errorText, "31", session)
            if editor.isInteractive {
                editor.printAbove(line)
            } else {
                writeAll(2, output.errorText + "\n")
            }
        }
    }

    /// Reads on a dedicated thread (libedit blocks its thread), never on the cooperative pool.
    private func readLine(continuing: Bool) async -> LineEditor.Input {
        let prompt = continuing ? Self.continuationPrompt(for: self.prompt()) : self.prompt()
        return await withCheckedContinuation { continuation in
            startDetachedThread(stackSize: 1 << 20) { [editor] in
                continuation.resume(returning: editor.readLine(prompt: prompt, continuationPrompt: "...> "))
            }
        }
    }

    /// IEx's continuation prompt: `...` padded to the width of the prompt (`...(myapp@10.0.1.5)> `).
    static func continuationPrompt(for prompt: String) -> String {
        guard !prompt.isEmpty else { return "" }
        guard let open = prompt.firstIndex(of: "(") else { return "...> " }
        let width = prompt[..<open].count
        return String(repeating: ".", count: max(3, width)) + prompt[open...]
    }

    /// `beamconsole(myapp@10.0.1.5)> `: the target as ``TargetAvailability`` sees it, red when it is not up
    /// (`… down`), yellow when it is up but discovery no longer lists it. Redrawn while the user types when it changes
    /// (see ``refreshPrompt()``).
    func prompt() -> String {
        guard editor.isInteractive else { return "" }
        guard let t = session.target else { return Self.paintPrompt("beamconsole> ", nil, session) }
        let label = session.targetAvailability(of: t).promptLabel
        return Self.paintPrompt("beamconsole(", (label.text, label.tone.color), session) + ")> "
    }

    static func paintPrompt(_ head: String, _ node: (String, String)?, _ session: ConsoleSession) -> String {
        guard let (label, color) = node else { return head }
        guard session.settings.color else { return head + label }
        // \u{1} brackets invisible characters for libedit's width computation (EL_PROMPT_ESC).
        return head + "\u{1}\u{1B}[\(color)m\u{1}" + label + "\u{1}\u{1B}[0m\u{1}"
    }

    static func paint(_ text: String, _ color: String, _ session: ConsoleSession) -> String {
        session.settings.color ? "\u{1B}[\(color)m\(text)\u{1B}[0m" : text
    }

    /// Ctrl-C (SIGINT) cancels the running command (see ``SignalRelay``: a signal ignored and left to a dispatch
    /// source could be lost). While a line is edited the terminal sends no SIGINT (libedit turns ISIG off).
    private func installInterruptHandler() -> SignalRelay.Subscription {
        SignalRelay.shared.subscribe(SIGINT) { [weak self] in
            self?.running.withLock { $0 }?.cancel()
        }
    }

    /// Whether `text` starts with the name of a command that takes an expression (`call`, `multicall`).
    static func isCommandLine(_ text: String) -> Bool {
        let word = text.trimmingWhitespace().prefix { !$0.isWhitespace }
        return word == "call" || word == "multicall"
    }

    /// Whether `text` has more opening than closing brackets, or an open string (a cheap guard so that plain
    /// mistakes are reported at once instead of waiting for more lines).
    static func hasUnclosedDelimiter(_ text: String) -> Bool {
        var depth = 0
        var quote: Character?
        var escaped = false
        for ch in text {
            if let q = quote {
                if escaped { escaped = false } else if ch == "\\" { escaped = true } else if ch == q { quote = nil }
                continue
            }
            switch ch {
            case "\"", "'": quote = ch
            case "(", "[", "{": depth += 1
            case ")", "]", "}": depth -= 1
            default: break
            }
        }
        return depth > 0 || quote != nil
    }
}

extension LineEditor {
    /// Writes text as it arrives (remote output during a call), without a newline of its own.
    public func printRaw(_ text: String) {
        writeAll(1, text)
    }
}
