import ErlangDistribution
import ErlangTerm
import Foundation
import XCTest

/// A real `erl` node started by a test and always stopped by its PID.
final class ErlangNode: @unchecked Sendable {
    let process: Process
    let name: String  // full name alive@host
    let alive: String
    let cookie: String

    static var erlPath: String? {
        for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":") {
            let p = "\(dir)/erl"
            if FileManager.default.isExecutableFile(atPath: p) { return p }
        }
        return nil
    }

    static var shortHost: String {
        var buf = [CChar](repeating: 0, count: 256)
        gethostname(&buf, 255)
        let h = String(cString: buf)
        return String(h.split(separator: ".").first ?? Substring(h))
    }

    /// Starts `erl -sname <alive> -setcookie <cookie> -noshell [extra]` and waits until EPMD lists it.
    init(alive: String = "it\(UInt32.random(in: 0...UInt32.max))", cookie: String = "itcookie", extraArgs: [String] = [],
         longName: Bool = false) throws {
        guard let erl = Self.erlPath else { throw NSError(domain: "beamconsole.tests", code: 1, userInfo: [NSLocalizedDescriptionKey: "erl not found in PATH: install erlang-nox (make test does)"]) }
        self.alive = alive
        self.cookie = cookie
        let host = longName ? "127.0.0.1" : Self.shortHost
        self.name = "\(alive)@\(host)"
        process = Process()
        process.executableURL = URL(fileURLWithPath: erl)
        process.arguments = [longName ? "-name" : "-sname", name, "-setcookie", cookie, "-noshell", "-noinput"]
            + extraArgs
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        try waitForEPMD(deadline: Date().addingTimeInterval(20))
    }

    private func waitForEPMD(deadline: Date) throws {
        while Date() < deadline {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            p.arguments = ["epmd", "-names"]
            let pipe = Pipe()
            p.standardOutput = pipe
            p.standardError = FileHandle.nullDevice
            try p.run()
            let data = pipe.fileHandleForReading.readDataToEndOfFile()
            p.waitUntilExit()
            if String(decoding: data, as: UTF8.self).contains("name \(alive) at port") { return }
            if !process.isRunning { throw NSError(domain: "erl exited", code: Int(process.terminationStatus)) }
            Thread.sleep(forTimeInterval: 0.1)
        }
        stop()
        throw NSError(domain: "erl did not register with EPMD in time", code: 1)
    }

    var pid: Int32 { process.processIdentifier }

    func signal(_ sig: Int32) { if process.isRunning { kill(pid, sig) } }

    /// Stops the node by PID (SIGCONT first in case a test stopped it).
    func stop() {
        guard process.isRunning else { return }
        kill(pid, SIGCONT)
        kill(pid, SIGKILL)
        process.waitUntilExit()
    }

    deinit { stop() }
}

func makeLocalNode(cookie: String = "itcookie", tickTime: Duration = .seconds(60), longName: Bool = false) -> LocalNode {
    let host = longName ? "127.0.0.1" : ErlangNode.shortHost
    let seconds = tickTime.components.seconds
    return LocalNode(configuration: .init(
        name: longName ? .long("bc\(UInt32.random(in: 0...UInt32.max))@\(host)")
            : .short("bc\(UInt32.random(in: 0...UInt32.max))@\(host)"),
        cookie: cookie, tickTime: .seconds(seconds)))
}
