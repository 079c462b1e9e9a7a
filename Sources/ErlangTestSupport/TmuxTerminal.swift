import Foundation

/// A real pseudo-terminal for REPL tests: a private tmux server (its own socket) running one command in a window of
/// a given size. Keys go in with `send-keys`, the screen comes out with `capture-pane`. Stopped by the server's PID.
public final class TmuxTerminal: @unchecked Sendable {
    public let socket: String
    private let tmux: String
    private var serverPID: pid_t = 0

    /// Starts `command` (a shell command line) in a `columns`×`rows` terminal with `environment` added.
    public init(command: String, environment: [String: String] = [:], columns: Int = 100, rows: Int = 30) throws {
        guard let tmux = findExecutable("tmux") else { throw TestSupportError("tmux not found (make test installs it)") }
        self.tmux = tmux
        socket = "bc-test-\(UUID().uuidString.prefix(8))"
        let env = environment.map { "\($0.key)=\(shellQuote($0.value))" }.joined(separator: " ")
        // Keep the window after the command exits so that its last screen can be read.
        try run([
            "new-session", "-d", "-x", "\(columns)", "-y", "\(rows)", "env \(env) \(command); echo \"[exited $?]\"; sleep 60",
        ])
        let pid = try run(["display-message", "-p", "#{pid}"]).trimmingCharacters(in: .whitespacesAndNewlines)
        serverPID = pid_t(pid) ?? 0
    }

    /// Runs a tmux client command (through ``ChildProcess``: no inherited descriptors, so the tmux server it may
    /// start holds none of ours open).
    @discardableResult
    private func run(_ args: [String]) throws -> String {
        var env = ProcessInfo.processInfo.environment
        env["TMUX"] = nil
        return try ChildProcess.output(of: tmux, ["-L", socket, "-f", "/dev/null"] + args, environment: env)
    }

    /// Types `text` literally.
    public func type(_ text: String) throws { try run(["send-keys", "-l", text]) }
    /// Sends tmux key names: `Enter`, `Tab`, `C-c`, `C-d`, `Up`.
    public func press(_ keys: String...) throws { try run(["send-keys"] + keys) }
    /// The visible screen (and `history` lines above it), escapes stripped.
    public func screen(history: Int = 0) throws -> String {
        try run(["capture-pane", "-p"] + (history > 0 ? ["-S", "-\(history)"] : []))
    }

    /// Waits until `predicate(screen)` holds, up to `timeout`; returns the last screen.
    @discardableResult
    public func waitFor(timeout: TimeInterval = 10, _ predicate: (String) -> Bool) throws -> String {
        let deadline = Date().addingTimeInterval(timeout)
        var last = ""
        while Date() < deadline {
            last = try screen(history: 200)
            if predicate(last) { return last }
            Thread.sleep(forTimeInterval: 0.05)
        }
        return last
    }

    /// Kills the tmux server (by PID) and everything in it.
    public func stop() {
        if serverPID > 0 {
            kill(serverPID, SIGKILL)
            serverPID = 0
        }
    }

    deinit { stop() }
}

func shellQuote(_ s: String) -> String { "'" + s.replacingOccurrences(of: "'", with: "'\\''") + "'" }
