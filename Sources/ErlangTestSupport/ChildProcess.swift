import Foundation

/// A child process started with a clean signal state.
///
/// Foundation's `Process` passes on the calling thread's signal mask, and the threads that run async tests have most
/// signals blocked: a child started from there never sees SIGHUP or SIGTERM. This uses `posix_spawn` with an empty
/// mask and default dispositions instead. Stopped by PID only.
public final class ChildProcess: @unchecked Sendable {
    public let pid: pid_t
    private var exitStatus: Int32?
    private let lock = NSLock()

    /// Starts `executable` with `arguments`. Output goes to `outputPath` (stdout, and stderr too unless `errorPath`
    /// is given), or is discarded; standard input is `inputPath`, or /dev/null.
    public init(
        executable: String, arguments: [String], environment: [String: String]? = nil, outputPath: String? = nil,
        errorPath: String? = nil, inputPath: String? = nil, workingDirectory: String? = nil
    ) throws {
        var fileActions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&fileActions)
        defer { posix_spawn_file_actions_destroy(&fileActions) }
        let out = outputPath ?? "/dev/null"
        posix_spawn_file_actions_addopen(&fileActions, 0, inputPath ?? "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&fileActions, 1, out, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        if let errorPath {
            posix_spawn_file_actions_addopen(&fileActions, 2, errorPath, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        } else {
            posix_spawn_file_actions_adddup2(&fileActions, 1, 2)
        }
        // Close every other descriptor in the child: a daemon it starts (tmux, epmd) must not hold our pipes open.
        if let closeFrom = Self.addCloseFrom { _ = closeFrom(&fileActions, 3) }

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var empty = sigset_t()
        sigemptyset(&empty)
        var all = sigset_t()
        sigfillset(&all)
        posix_spawnattr_setsigmask(&attributes, &empty)
        posix_spawnattr_setsigdefault(&attributes, &all)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

        // A working directory goes through /bin/sh (posix_spawn_file_actions_addchdir_np is not in Glibc's module).
        var executable = executable, arguments = arguments
        if let workingDirectory {
            arguments = ["-c", "cd \"$0\" && exec \"$@\"", workingDirectory, executable] + arguments
            executable = "/bin/sh"
        }
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        let env = (environment ?? ProcessInfo.processInfo.environment).map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { env.forEach { free($0) } }
        var child: pid_t = 0
        let rc = posix_spawn(&child, executable, &fileActions, &attributes, argv, env)
        guard rc == 0 else { throw TestSupportError("cannot start \(executable): \(String(cString: strerror(rc)))") }
        pid = child
    }

    /// glibc's `posix_spawn_file_actions_addclosefrom_np` (2.34+), looked up at run time: Swift's Glibc module does
    /// not export it.
    private typealias AddCloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32
    private static let addCloseFrom: AddCloseFrom? = {
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "posix_spawn_file_actions_addclosefrom_np")
        else { return nil }
        return unsafeBitCast(symbol, to: AddCloseFrom.self)
    }()

    /// Runs a command to completion (at most `timeout`) and returns its output (stdout and stderr together).
    public static func output(
        of executable: String, _ arguments: [String], environment: [String: String]? = nil, timeout: TimeInterval = 10
    ) throws -> String {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("out-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: file) }
        let p = try ChildProcess(executable: executable, arguments: arguments, environment: environment, outputPath: file.path)
        if p.wait(timeout: timeout) == nil {
            p.stop()
            throw TestSupportError("\(executable) \(arguments.joined(separator: " ")) did not finish in \(timeout) s")
        }
        return (try? String(contentsOf: file, encoding: .utf8)) ?? ""
    }

    /// The exit code (0...255), or 128 + the signal number for a process killed by a signal, as a shell reports it;
    /// nil while it runs.
    public var exitCode: Int32? {
        guard !isRunning else { return nil }
        lock.lock()
        defer { lock.unlock() }
        guard let status = exitStatus else { return nil }
        let signal = status & 0x7f
        return signal == 0 ? (status >> 8) & 0xff : 128 + signal
    }

    /// Whether the process has not exited yet.
    public var isRunning: Bool {
        lock.lock()
        defer { lock.unlock() }
        if exitStatus != nil { return false }
        var status: Int32 = 0
        let r = waitpid(pid, &status, WNOHANG)
        if r == pid {
            exitStatus = status
            return false
        }
        return r == 0
    }

    /// Sends `signal` to the process (by PID).
    public func signal(_ signal: Int32) {
        if isRunning { kill(pid, signal) }
    }

    /// Kills the process (SIGKILL, by PID) and reaps it.
    public func stop() {
        lock.lock()
        defer { lock.unlock() }
        guard exitStatus == nil else { return }
        kill(pid, SIGKILL)
        var status: Int32 = 0
        waitpid(pid, &status, 0)
        exitStatus = status
    }

    /// Waits up to `timeout` for the process to exit; returns its raw wait status, or nil.
    @discardableResult
    public func wait(timeout: TimeInterval) -> Int32? {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if !isRunning { return exitStatus }
            Thread.sleep(forTimeInterval: 0.01)
        }
        return nil
    }

    deinit { stop() }
}
