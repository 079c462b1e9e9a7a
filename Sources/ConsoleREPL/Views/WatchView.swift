import Dispatch
import ClusterDiscovery
import ClusterMembership
import ErlangDistribution
import Foundation
import Synchronization

/// `watch`: a live view of the cluster. On a terminal, a full-screen table refreshed every second — a row per node
/// with its sources, EPMD port, our connection's state and since when, the round trip, how many peers it sees against
/// how many it should, and its last event — over a pane of recent events; `q` (or Ctrl-C) returns. Otherwise (or with
/// `--json`) one JSON object per line: a `snapshot` first, then every event as it happens.
public enum WatchView {
    /// One screen. Pure: the snapshot, the clock and the terminal's size are inputs.
    public static func frame(_ s: DiscoverySnapshot, now: Date, width: Int, height: Int, color: Bool) -> [String] {
        _ = viewLocaleReady
        // Lines are laid out without colour, cut to the width, then painted (escapes have no width).
        var lines: [(String, String?)] = []
        let sources = describeSources(s.configuration)
        lines.append(("beamconsole watch — \(sources) · we are \(s.ownNode) · \(clockTime(now)) · q quits", "1"))

        var table = Table(
            headers: ["NODE", "SOURCES", "EPMD", "STATE", "SINCE", "RTT", "SEES", "LAST EVENT"],
            alignments: [.left, .left, .right, .left, .right, .right, .left, .left])
        var up = 0
        var meshGaps: [String] = []
        for n in s.nodes {
            if n.isUp { up += 1 }
            let sees: String
            if let peers = n.visiblePeers {
                let expected = s.expectedPeers[n.name] ?? 0
                let ok = peers.count >= expected
                if !ok { meshGaps.append("\(n.name) sees \(peers.count) of \(expected)") }
                sees = "\(peers.count)/\(expected)" + (ok ? " ✓" : " ✗")
            } else {
                sees = "-"
            }
            let state = n.connection.map(stateText) ?? "not tried"
            table.append([
                n.name, n.sources.sorted().map(\.rawValue).joined(separator: ","),
                n.epmdPort.map(String.init) ?? "-",
                state,
                n.since.map { formatAge(now.timeIntervalSince($0)).replacingOccurrences(of: " ago", with: "") } ?? "-",
                n.rtt.map(formatDuration) ?? "-", sees, n.lastEvent ?? "",
            ])
        }
        if s.nodes.isEmpty {
            lines.append(("no nodes yet", nil))
        } else {
            let rendered = table.render(maxWidth: width).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            lines.append((rendered[0], "4"))
            for (row, n) in zip(rendered.dropFirst(), s.nodes) {
                lines.append((row, n.isUp ? nil : (n.connection == nil ? "2" : "31")))
            }
        }
        var summary = "\(up) of \(s.nodes.count) up"
        let asked = s.nodes.filter { $0.visiblePeers != nil }.count
        if asked > 0 {
            summary += meshGaps.isEmpty ? " · full mesh" : " · not a full mesh: " + meshGaps.prefix(3).joined(separator: "; ")
            if meshGaps.count > 3 { summary += "; …" }
        }
        if let r = s.reports.last {
            summary += " · DNS poll #\(r.sequence): \(r.answerNodes.count) record\(r.answerNodes.count == 1 ? "" : "s")"
            if !r.warnings.isEmpty { summary += ", \(r.warnings.count) warning\(r.warnings.count == 1 ? "" : "s")" }
        }
        lines.append((summary, meshGaps.isEmpty ? nil : "33"))
        if let r = s.reports.last {
            for w in r.warnings.prefix(3) { lines.append(("! \(w)", "33")) }
        }
        // The event pane gets what is left (at least 3 lines).
        let room = max(3, height - lines.count - 1)
        lines.append((String(repeating: "─", count: min(width, 20)) + " events", "2"))
        for e in s.events.suffix(room) { lines.append((clockTime(e.time) + " " + eventText(e.kind), eventColor(e.kind))) }
        return lines.map { text, code in
            let cut = truncate(text, to: width)
            guard color, let code else { return cut }
            return paint(cut, code, true)
        }
    }

    static func describeSources(_ c: DiscoveryConfiguration) -> String {
        var parts: [String] = []
        if let d = c.dnsPoll { parts.append("DNS \(d.query) every \(formatDuration(d.pollInterval))") }
        if !c.epmdHosts.isEmpty { parts.append("EPMD on \(c.epmdHosts.map(\.description).joined(separator: ","))") }
        if !c.staticNodes.isEmpty { parts.append("\(c.staticNodes.count) static") }
        if c.followPeers { parts.append("peers' lists") }
        return parts.joined(separator: " + ")
    }

    static func eventColor(_ kind: DiscoveryEvent.Kind) -> String? {
        switch kind {
        case .nodeUp: return "32"
        case .nodeDown, .connectFailed: return "31"
        case .dnsWarning: return "33"
        default: return nil
        }
    }

    public static func eventText(_ kind: DiscoveryEvent.Kind) -> String {
        switch kind {
        case .dnsChanged(let seq, let added, let removed):
            let changes = added.map { "+\($0)" } + removed.map { "-\($0)" }
            return "dns poll #\(seq): " + changes.joined(separator: " ")
        case .dnsWarning(let w): return "dns: \(w)"
        case .discovered(let n, let source): return "discovered \(n) (\(source))"
        case .vanished(let n): return "\(n) left every source"
        case .nodeUp(let n): return "nodeup \(n)"
        case .nodeDown(let n, let e): return "nodedown \(n): \(e.code) (\(e.stage)) \(e.message)"
        case .connectFailed(let n, let e): return "cannot connect to \(n): failed at \(e.stage) (\(e.code))"
        case .peersChanged(let n, let sees, let expected): return "\(n) sees \(sees) of \(expected) peers"
        }
    }

    /// One NDJSON line for an event.
    public static func eventJSON(_ e: DiscoveryEvent) -> String {
        var fields: [(String, JSONValue)] = [("time", .string(isoTime(e.time)))]
        switch e.kind {
        case .dnsChanged(let seq, let added, let removed):
            fields += [("event", .string("dns_changed")), ("sequence", .integer(seq)), ("added", .strings(added)), ("removed", .strings(removed))]
        case .dnsWarning(let w):
            fields += [("event", .string("dns_warning")), ("message", .string(w))]
        case .discovered(let n, let source):
            fields += [("event", .string("discovered")), ("node", .string(n)), ("source", .string(source.rawValue))]
        case .vanished(let n):
            fields += [("event", .string("vanished")), ("node", .string(n))]
        case .nodeUp(let n):
            fields += [("event", .string("nodeup")), ("node", .string(n))]
        case .nodeDown(let n, let err):
            fields += [("event", .string("nodedown")), ("node", .string(n)), ("reason", errorJSON(err))]
        case .connectFailed(let n, let err):
            fields += [("event", .string("connect_failed")), ("node", .string(n)), ("error", errorJSON(err))]
        case .peersChanged(let n, let sees, let expected):
            fields += [("event", .string("peers_changed")), ("node", .string(n)), ("sees", .integer(sees)), ("expected", .integer(expected))]
        }
        return JSONValue.orderedObject(fields).encoded
    }

    /// The first NDJSON line: every node as it stands.
    public static func snapshotJSON(_ s: DiscoverySnapshot) -> String {
        let nodes: [JSONValue] = s.nodes.map { n in
            .orderedObject([
                ("node", .string(n.name)),
                ("sources", .strings(n.sources.sorted().map(\.rawValue))),
                ("epmd_port", .optional(n.epmdPort)),
                ("state", n.connection.map { .string(stateName($0)) } ?? .null),
                ("error", {
                    switch n.connection {
                    case .down(let e)?, .failed(let e)?: return errorJSON(e)
                    default: return .null
                    }
                }()),
                ("since", n.since.map { .string(isoTime($0)) } ?? .null),
                ("rtt_ms", n.rtt.map { .number(milliseconds($0).rounded(toPlaces: 3)) } ?? .null),
                ("sees", n.visiblePeers.map { .strings($0) } ?? .null),
                ("expected_peers", .integer(s.expectedPeers[n.name] ?? 0)),
            ])
        }
        return JSONValue.orderedObject([
            ("time", .string(isoTime(s.time))), ("event", .string("snapshot")), ("node", .string(s.ownNode)),
            ("nodes", .array(nodes)),
        ]).encoded
    }
}

/// `watch [SECONDS]`.
enum WatchCommand {
    static func run(session: ConsoleSession, seconds: Double?, onOutput: (@Sendable (String) -> Void)?) async -> CommandOutput {
        let discovery = session.discovery
        let events = discovery.events()
        let ownsLoop = discovery.start()
        defer { if ownsLoop { discovery.stop() } }
        let deadline = seconds.map { ContinuousClock.now + .milliseconds(Int64($0 * 1000)) }
        // Once the first round is done, give back the code pages that only start-up and connecting touched.
        let trim = Task {
            try? await Task.sleep(for: .seconds(1))
            if !Task.isCancelled { ResidentSet.releaseStartupCode() }
        }
        defer { trim.cancel() }
        let fullScreen = !session.settings.json && isatty(0) == 1 && isatty(1) == 1
        if fullScreen {
            await FullScreen.run(session: session, deadline: deadline)
        } else {
            await streamNDJSON(session: session, events: events, deadline: deadline)
        }
        return CommandOutput(json: "")
    }

    /// One line per event until the deadline or cancellation (Ctrl-C).
    static func streamNDJSON(session: ConsoleSession, events: AsyncStream<DiscoveryEvent>, deadline: ContinuousClock.Instant?) async {
        writeOut(WatchView.snapshotJSON(session.discovery.snapshot()) + "\n")
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                for await e in events { writeOut(WatchView.eventJSON(e) + "\n") }
            }
            group.addTask {
                if let deadline {
                    try? await Task.sleep(until: deadline)
                } else {
                    while !Task.isCancelled { try? await Task.sleep(for: .seconds(3600)) }
                }
            }
            await group.next()
            group.cancelAll()
        }
    }
}

/// The full-screen mode: the alternate screen, keys read without echo, a frame a second (and on every event).
enum FullScreen {
    static func run(session: ConsoleSession, deadline: ContinuousClock.Instant?) async {
        let keys = KeyReader()
        keys.start()
        writeOut("\u{1B}[?1049h\u{1B}[?25l")
        // Ctrl-C and SIGTERM end the view and restore the terminal (the one-shot command has no handler of its own).
        let stop = Mutex(false)
        var sources: [any DispatchSourceSignal] = []
        var previous: [Int32: sighandler_t?] = [:]
        for sig in [SIGINT, SIGTERM] {
            previous[sig] = signal(sig, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            source.setEventHandler {
                stop.withLock { $0 = true }
                keys.poke()
            }
            source.resume()
            sources.append(source)
        }
        defer {
            for s in sources { s.cancel() }
            for (sig, handler) in previous { signal(sig, handler) }
            keys.stop()
            writeOut("\u{1B}[?25h\u{1B}[?1049l")
        }
        let events = session.discovery.events()
        let wake = Task {
            for await _ in events { keys.poke() }
        }
        defer { wake.cancel() }
        while !Task.isCancelled, !stop.withLock({ $0 }) {
            if let deadline, ContinuousClock.now >= deadline { break }
            let (cols, rows) = terminalSize()
            let lines = WatchView.frame(
                session.discovery.snapshot(), now: Date(), width: cols, height: rows, color: session.settings.color)
            writeOut("\u{1B}[H" + lines.prefix(rows).map { $0 + "\u{1B}[K" }.joined(separator: "\r\n") + "\u{1B}[J")
            if await keys.waitForKey(timeout: .seconds(1)) == "q" { break }
        }
    }
}

/// Reads single keys from standard input without echo, on its own thread; restores the terminal when stopped.
final class KeyReader: @unchecked Sendable {
    private let state = Mutex<(keys: [Character], waiter: CheckedContinuation<Character?, Never>?, stop: Bool)>(([], nil, false))
    private var saved = termios()
    private var thread: Thread?

    func start() {
        tcgetattr(0, &saved)
        var raw = saved
        raw.c_lflag &= ~tcflag_t(ICANON | ECHO)
        tcsetattr(0, TCSANOW, &raw)
        let t = Thread { [self] in
            var pfd = pollfd(fd: 0, events: Int16(POLLIN), revents: 0)
            while !state.withLock({ $0.stop }) {
                if poll(&pfd, 1, 100) > 0 {
                    var byte: UInt8 = 0
                    if read(0, &byte, 1) == 1 { deliver(Character(UnicodeScalar(byte))) } else { break }
                }
            }
        }
        thread = t
        t.start()
    }

    func stop() {
        state.withLock { $0.stop = true }
        tcsetattr(0, TCSANOW, &saved)
        poke()
    }

    private func deliver(_ c: Character?) {
        let waiter = state.withLock { s -> CheckedContinuation<Character?, Never>? in
            if let w = s.waiter {
                s.waiter = nil
                return w
            }
            if let c { s.keys.append(c) }
            return nil
        }
        waiter?.resume(returning: c)
    }

    /// Wakes a waiter with no key (a redraw).
    func poke() { deliver(nil) }

    /// The next key, or nil after `timeout` or a poke.
    func waitForKey(timeout: Duration) async -> Character? {
        let timer = Task { [weak self] in
            try? await Task.sleep(for: timeout)
            if !Task.isCancelled { self?.poke() }
        }
        defer { timer.cancel() }
        return await withTaskCancellationHandler {
            await withCheckedContinuation { (c: CheckedContinuation<Character?, Never>) in
                let immediate = state.withLock { s -> Character?? in
                    if !s.keys.isEmpty { return .some(s.keys.removeFirst()) }
                    if s.stop { return .some(nil) }
                    s.waiter = c
                    return nil
                }
                if let k = immediate { c.resume(returning: k) }
            }
        } onCancel: {
            self.poke()
        }
    }
}

func terminalSize() -> (columns: Int, rows: Int) {
    var ws = winsize()
    if ioctl(1, UInt(TIOCGWINSZ), &ws) == 0, ws.ws_col > 0, ws.ws_row > 0 { return (Int(ws.ws_col), Int(ws.ws_row)) }
    return (80, 24)
}

func writeOut(_ s: String) { writeAll(1, s) }
