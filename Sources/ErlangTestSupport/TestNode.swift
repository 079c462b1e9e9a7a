import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A real `erl` or `elixir` node started by a test, registered with EPMD before `init` returns, and always stopped
/// by its PID (SIGKILL) — never by name.
///
/// ```swift
/// let a = try TestNode(kind: .erl, cookie: cookie)
/// defer { a.stop() }
/// // a.name == "tn123@host"
/// ```
///
/// Started through ``ChildProcess`` (a clean signal mask), with output in a temporary log file that error messages
/// point at.
public final class TestNode: @unchecked Sendable {
    /// Which runtime to start.
    public enum Kind: Sendable {
        /// `erl -sname N -setcookie C -noshell -noinput`.
        case erl
        /// `elixir --sname N --cookie C --no-halt -e ""`.
        case elixir
    }

    /// The full node name, `alive@shorthost` (or `alive@longHost`).
    public let name: String
    /// The part before `@`.
    public let alive: String
    /// The cookie it was started with.
    public let cookie: String
    /// Where its stdout and stderr go.
    public let logPath: String
    private let child: ChildProcess

    /// The operating-system pid of the runtime.
    public var pid: pid_t { child.pid }

    /// This machine's short host name (what `-sname` uses).
    public static var shortHost: String {
        var buf = [CChar](repeating: 0, count: 256)
        gethostname(&buf, 255)
        let h = String(decoding: buf.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return String(h.split(separator: ".").first ?? Substring(h))
    }

    /// The absolute path of `tool` (``findExecutable(_:)``), or nil.
    public static func which(_ tool: String) -> String? { findExecutable(tool) }

    /// Starts a node and waits (up to `startDeadline` seconds) until EPMD lists it.
    /// - Parameters:
    ///   - extraArgs: passed to `erl` (for `.elixir`, through `--erl "..."`), e.g. `["-hidden"]`,
    ///     `["-connect_all", "false"]`.
    ///   - longHost: start with a long name `alive@longHost` (`-name`, e.g. `127.0.0.1`) instead of `-sname`.
    ///   - tlsOptfile: use TLS distribution: `-proto_dist inet_tls -ssl_dist_optfile FILE` (see
    ///     ``TestCertificates/nodeOptfile``).
    public init(
        kind: Kind, alive: String = "tn\(UInt32.random(in: 0...UInt32.max))", cookie: String,
        extraArgs: [String] = [], longHost: String? = nil, tlsOptfile: String? = nil, startDeadline: TimeInterval = 30
    ) throws {
        let extraArgs = extraArgs + (tlsOptfile.map { ["-proto_dist", "inet_tls", "-ssl_dist_optfile", $0] } ?? [])
        self.alive = alive
        self.cookie = cookie
        self.name = "\(alive)@\(longHost ?? Self.shortHost)"
        self.logPath = NSTemporaryDirectory() + "testnode-\(alive).log"
        let command = try Self.commandLine(
            kind: kind, name: longHost.map { "\(alive)@\($0)" } ?? alive, long: longHost != nil, cookie: cookie,
            erlFlags: extraArgs)
        child = try ChildProcess(executable: command[0], arguments: Array(command.dropFirst()), outputPath: logPath)
        do {
            try waitForEPMD(deadline: Date().addingTimeInterval(startDeadline))
        } catch {
            child.stop()
            throw error
        }
    }

    /// What a node runs once started.
    public enum Program: Sendable, Hashable {
        /// Nothing: the node stays up until stopped (`erl -noshell -noinput`, `elixir --no-halt -e ""`).
        case idle
        /// An Elixir script file, the node kept up after it (`elixir --no-halt FILE`; Elixir only).
        case script(String)
        /// An expression with extra code paths (`-pa DIR -e EXPR` for Elixir, `-pa DIR -eval EXPR` for erl); an
        /// Elixir node halts when the expression returns, so it should block or end with a halt of its own.
        case eval(String, codePaths: [String] = [])
    }

    /// The command line (executable first) that starts a node named `name` (what follows `-sname`, or `-name` when
    /// `long`) with `cookie`, emulator flags `erlFlags`, running `program`. `init` runs it and waits for EPMD;
    /// clusters that start many nodes at once (``DemoCluster``) or inside a network namespace (``NetnsCluster``) run
    /// it themselves and wait in their own way.
    public static func commandLine(
        kind: Kind, name: String, long: Bool = false, cookie: String, erlFlags: [String] = [], program: Program = .idle
    ) throws -> [String] {
        switch kind {
        case .erl:
            guard let erl = which("erl") else { throw TestSupportError("erl not found in PATH") }
            var command = [erl, long ? "-name" : "-sname", name, "-setcookie", cookie, "-noshell", "-noinput"]
                + erlFlags
            switch program {
            case .idle: break
            case .script: throw TestSupportError("an erl node cannot run an Elixir script")
            case .eval(let expression, let paths): command += paths.flatMap { ["-pa", $0] } + ["-eval", expression]
            }
            return command
        case .elixir:
            guard let elixir = which("elixir") else { throw TestSupportError("elixir not found in PATH") }
            var command = [elixir, long ? "--name" : "--sname", name, "--cookie", cookie]
                + (erlFlags.isEmpty ? [] : ["--erl", erlFlags.joined(separator: " ")])
            switch program {
            case .idle: command += ["--no-halt", "-e", ""]
            case .script(let path): command += ["--no-halt", path]
            case .eval(let expression, let paths): command += paths.flatMap { ["-pa", $0] } + ["-e", expression]
            }
            return command
        }
    }

    /// The names EPMD lists on this host with their distribution ports (`epmd -names`), or nil if it could not be
    /// asked. (``ChildProcess/output(of:_:environment:timeout:)`` writes to a file, not a pipe: a node started
    /// concurrently would inherit a pipe's write end and `epmd -names` would never seem to finish.)
    public static func registeredNames() -> [String: Int]? {
        guard let epmd = which("epmd"), let text = try? ChildProcess.output(of: epmd, ["-names"], timeout: 5) else {
            return nil
        }
        var names: [String: Int] = [:]
        for line in text.split(separator: "\n") {
            // name <alive> at port <port>
            let parts = line.split(separator: " ")
            if parts.count == 5, parts[0] == "name", parts[2] == "at", parts[3] == "port", let port = Int(parts[4]) {
                names[String(parts[1])] = port
            }
        }
        return names
    }

    /// The distribution port EPMD lists for this node, or nil.
    public var epmdPort: Int? { Self.registeredNames()?[alive] }

    private func waitForEPMD(deadline: Date) throws {
        while Date() < deadline {
            if epmdPort != nil { return }
            if !child.isRunning {
                let log = (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
                throw TestSupportError("node \(name) exited before registering with EPMD; output: \(log.suffix(500))")
            }
            Thread.sleep(forTimeInterval: 0.1)
        }
        throw TestSupportError("node \(name) did not register with EPMD in time (log: \(logPath))")
    }

    /// Whether the runtime is still running.
    public var isRunning: Bool { child.isRunning }

    /// Sends `signal` to the runtime by PID (e.g. SIGSTOP to make it stop answering, SIGKILL to make it vanish).
    public func signal(_ signal: Int32) { child.signal(signal) }

    /// Stops the node by PID (SIGKILL, which also ends a stopped one) and reaps it.
    public func stop() { child.stop() }

    deinit { child.stop() }
}
