import Foundation

/// What one run of the built console printed, and its exit status.
struct ConsoleRun {
    var status: Int32
    var out: String
    var err: String
    /// Standard output parsed as a JSON object, if it is one.
    var json: [String: Any]? { (try? JSONSerialization.jsonObject(with: Data(out.utf8))) as? [String: Any] }

    /// Runs the built `beamconsole` with `arguments` and exactly `environment`, standard input empty.
    static func run(_ arguments: [String], environment: [String: String]) throws -> ConsoleRun {
        let p = Process()
        p.executableURL = TermCommandTests.binary
        p.arguments = arguments
        p.environment = environment
        let o = Pipe(), e = Pipe()
        p.standardInput = FileHandle.nullDevice
        p.standardOutput = o
        p.standardError = e
        try p.run()
        let out = o.fileHandleForReading.readDataToEndOfFile()
        let err = e.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return ConsoleRun(status: p.terminationStatus, out: String(decoding: out, as: UTF8.self),
                          err: String(decoding: err, as: UTF8.self))
    }
}
