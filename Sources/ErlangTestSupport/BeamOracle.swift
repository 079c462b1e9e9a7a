import ErlangTerm
import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A long-lived `elixir` process running `scripts/oracle.exs`, used by tests as the reference for encoding,
/// decoding and printing terms.
///
/// One request is one line, `op hex1,hex2,...`, answered by one line with one item per input item: the hex of the
/// result, or `!` and the hex of an error message. Batch many items per call: each call is one round trip.
///
/// ```swift
/// let oracle = try BeamOracle.shared()
/// let printed = try oracle.inspect([.tuple(["ok", 1])])      // [.success("{:ok, 1}")]
/// let bytes = try oracle.batch("roundtrip", [try term.etf()])
/// ```
///
/// Ops (see the script's header): `roundtrip`, `compress`, `inspect`, `inspect_full`, `inspect_pretty`, `fmt_p`,
/// `fmt_w`, `fmt_tp`, `eval`, `echo`. Thread-safe: calls are serialised.
///
/// The process is stopped by its PID in ``stop()``, in deinit, and (for ``shared()``) at exit. If `elixir` is not
/// installed, ``shared()`` and ``init(elixirPath:scriptPath:)`` throw, so tests that use the oracle fail rather than
/// skip.
public final class BeamOracle: @unchecked Sendable {
    /// One item the BEAM could not process; `message` is the formatted Elixir exception.
    public struct Failure: Error, Hashable, Sendable, CustomStringConvertible {
        /// The BEAM's error text.
        public let message: String
        /// Makes a failure.
        public init(message: String) { self.message = message }
        public var description: String { "BEAM failure: \(message)" }
    }

    /// A failure of the oracle itself (not of one item).
    public struct OracleError: Error, CustomStringConvertible, Sendable {
        /// What went wrong.
        public let message: String
        public var description: String { "BeamOracle: \(message)" }
    }

    /// The operating-system process id of the `elixir` process.
    public let pid: Int32

    private let process: Process
    private let input: FileHandle
    private let outputFD: Int32
    private var readBuffer: [UInt8] = []
    private let lock = NSLock()
    private var stopped = false

    // MARK: Shared instance

    private static let sharedLock = NSLock()
    nonisolated(unsafe) private static var sharedInstance: BeamOracle?
    nonisolated(unsafe) private static var sharedError: OracleError?

    /// The oracle for this test process, started on first use and stopped at exit.
    public static func shared() throws -> BeamOracle {
        sharedLock.lock()
        defer { sharedLock.unlock() }
        if let sharedInstance { return sharedInstance }
        if let sharedError { throw sharedError }
        do {
            let oracle = try BeamOracle()
            sharedInstance = oracle
            atexit {
                BeamOracle.sharedLock.lock()
                let oracle = BeamOracle.sharedInstance
                BeamOracle.sharedLock.unlock()
                oracle?.stop()
            }
            return oracle
        } catch let error as OracleError {
            sharedError = error
            throw error
        }
    }

    /// The checked-in script, found relative to this source file (override with `BEAM_ORACLE_SCRIPT`).
    public static var defaultScriptPath: String {
        if let path = ProcessInfo.processInfo.environment["BEAM_ORACLE_SCRIPT"] { return path }
        return URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("scripts/oracle.exs").path
    }

    /// Finds an executable on `PATH` (see ``findExecutable(_:)``).
    public static func findExecutable(_ name: String) -> String? { ErlangTestSupport.findExecutable(name) }

    /// Starts a new oracle process. Prefer ``shared()``; stop private instances with ``stop()``.
    public init(elixirPath: String? = nil, scriptPath: String = BeamOracle.defaultScriptPath) throws {
        guard let elixir = elixirPath ?? BeamOracle.findExecutable("elixir") else {
            throw OracleError(message: "`elixir` is not on PATH; the BEAM oracle tests need Elixir and Erlang/OTP")
        }
        guard FileManager.default.fileExists(atPath: scriptPath) else {
            throw OracleError(message: "oracle script not found at \(scriptPath)")
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: elixir)
        process.arguments = [scriptPath]
        let stdin = Pipe()
        let stdout = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = FileHandle.standardError
        do {
            try process.run()
        } catch {
            throw OracleError(message: "cannot start \(elixir): \(error)")
        }
        self.process = process
        self.pid = process.processIdentifier
        self.input = stdin.fileHandleForWriting
        self.outputFD = stdout.fileHandleForReading.fileDescriptor
        // Keep the read end alive for as long as we are.
        self.outputHandle = stdout.fileHandleForReading
        let banner = try readLine()
        guard banner == "ready" else {
            stop()
            throw OracleError(message: "unexpected banner from oracle: \(banner.prefix(200))")
        }
    }

    private let outputHandle: FileHandle

    deinit { stop() }

    /// Stops the process: closes its stdin, then sends SIGTERM to its PID (and SIGKILL if it lingers).
    public func stop() {
        lock.lock()
        defer { lock.unlock() }
        guard !stopped else { return }
        stopped = true
        try? input.close()
        let deadline = Date().addingTimeInterval(2)
        while process.isRunning && Date() < deadline { usleep(10_000) }
        if process.isRunning {
            kill(pid, SIGTERM)
            let killDeadline = Date().addingTimeInterval(2)
            while process.isRunning && Date() < killDeadline { usleep(10_000) }
            if process.isRunning { kill(pid, SIGKILL) }
        }
    }

    // MARK: Raw protocol

    /// Runs `op` on every item in one round trip. The outer `throws` is for a broken oracle; per-item failures are
    /// `.failure`.
    public func batch(_ op: String, _ items: [[UInt8]]) throws -> [Result<[UInt8], Failure>] {
        lock.lock()
        defer { lock.unlock() }
        guard !stopped else { throw OracleError(message: "oracle stopped") }
        var line: [UInt8] = Array(op.utf8)
        line.append(UInt8(ascii: " "))
        line.reserveCapacity(line.count + items.reduce(0) { $0 + $1.count * 2 + 1 } + 1)
        let digits = Array("0123456789abcdef".utf8)
        for (i, item) in items.enumerated() {
            if i > 0 { line.append(UInt8(ascii: ",")) }
            for b in item {
                line.append(digits[Int(b >> 4)])
                line.append(digits[Int(b & 15)])
            }
        }
        line.append(UInt8(ascii: "\n"))
        do {
            try input.write(contentsOf: Data(line))
        } catch {
            throw OracleError(message: "cannot write to the oracle (did it exit?): \(error)")
        }
        let answer = try readLine()
        if items.isEmpty { return [] }
        let parts = answer.split(separator: ",", omittingEmptySubsequences: false)
        guard parts.count == items.count else {
            throw OracleError(message: "expected \(items.count) answers, got \(parts.count): \(answer.prefix(200))")
        }
        return try parts.map { part in
            if part.first == "!" {
                guard let bytes = BeamOracle.unhex(part.dropFirst()) else {
                    throw OracleError(message: "bad hex in answer")
                }
                return .failure(Failure(message: String(decoding: bytes, as: UTF8.self)))
            }
            guard let bytes = BeamOracle.unhex(part) else { throw OracleError(message: "bad hex in answer") }
            return .success(bytes)
        }
    }

    private func readLine() throws -> String {
        var scanned = 0
        while true {
            if let newline = readBuffer[scanned...].firstIndex(of: UInt8(ascii: "\n")) {
                let line = String(decoding: readBuffer[..<newline], as: UTF8.self)
                readBuffer.removeSubrange(...newline)
                return line
            }
            scanned = readBuffer.count
            var chunk = [UInt8](repeating: 0, count: 1 << 16)
            let n = chunk.withUnsafeMutableBytes { read(outputFD, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else {
                throw OracleError(message: "the oracle process exited (see its stderr above)")
            }
            readBuffer.append(contentsOf: chunk[..<n])
        }
    }

    static func unhex<S: StringProtocol>(_ text: S) -> [UInt8]? {
        let utf8 = Array(text.utf8)
        guard utf8.count % 2 == 0 else { return nil }
        func nibble(_ c: UInt8) -> UInt8? {
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): return c - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): return c - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): return c - UInt8(ascii: "A") + 10
            default: return nil
            }
        }
        var out: [UInt8] = []
        out.reserveCapacity(utf8.count / 2)
        var i = 0
        while i < utf8.count {
            guard let hi = nibble(utf8[i]), let lo = nibble(utf8[i + 1]) else { return nil }
            out.append(hi << 4 | lo)
            i += 2
        }
        return out
    }

    // MARK: Typed conveniences

    /// `term_to_binary(binary_to_term(x), [{minor_version, 2}])` of each of our encodings, decoded with our decoder.
    /// Encoding failures on our side throw.
    public func roundtrip(_ terms: [Term]) throws -> [Result<Term, Failure>] {
        let encoded = try terms.map { try $0.etf() }
        return try batch("roundtrip", encoded).map { result in
            result.flatMap { bytes in
                do { return .success(try Term(etf: bytes)) } catch {
                    return .failure(Failure(message: "our decoder rejected the BEAM's bytes: \(error)"))
                }
            }
        }
    }

    /// The BEAM's `term_to_binary(binary_to_term(x), [{minor_version, 2}])` bytes for each input.
    public func roundtripBytes(_ etf: [[UInt8]]) throws -> [Result<[UInt8], Failure>] {
        try batch("roundtrip", etf)
    }

    /// Runs a printing op (`inspect`, `inspect_full`, `inspect_pretty`, `fmt_p`, `fmt_w`, `fmt_tp`) on each term.
    public func printed(_ op: String, _ terms: [Term]) throws -> [Result<String, Failure>] {
        let encoded = try terms.map { try $0.etf() }
        return try batch(op, encoded).map { $0.map { String(decoding: $0, as: UTF8.self) } }
    }

    /// Elixir `inspect/1` of each term.
    public func inspect(_ terms: [Term]) throws -> [Result<String, Failure>] { try printed("inspect", terms) }
    /// Elixir `inspect(t, pretty: true, width: 80)` of each term.
    public func inspectPretty(_ terms: [Term]) throws -> [Result<String, Failure>] {
        try printed("inspect_pretty", terms)
    }
    /// Erlang `io_lib:format("~p", [T])` of each term.
    public func formatP(_ terms: [Term]) throws -> [Result<String, Failure>] { try printed("fmt_p", terms) }
    /// Erlang `io_lib:format("~w", [T])` of each term.
    public func formatW(_ terms: [Term]) throws -> [Result<String, Failure>] { try printed("fmt_w", terms) }
    /// Erlang `io_lib:format("~tp", [T])` of each term.
    public func formatTP(_ terms: [Term]) throws -> [Result<String, Failure>] { try printed("fmt_tp", terms) }

    /// Evaluates each Elixir expression and returns its value, decoded with our decoder.
    public func eval(_ code: [String]) throws -> [Result<Term, Failure>] {
        try batch("eval", code.map { Array($0.utf8) }).map { result in
            result.flatMap { bytes in
                do { return .success(try Term(etf: bytes)) } catch {
                    return .failure(Failure(message: "our decoder rejected the BEAM's bytes: \(error)"))
                }
            }
        }
    }

    /// Evaluates one Elixir expression; a BEAM failure throws ``Failure``.
    public func eval(_ code: String) throws -> Term {
        try eval([code])[0].get()
    }
}
