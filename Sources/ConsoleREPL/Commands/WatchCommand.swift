import ClusterDiscovery
import ClusterMembership
import Dispatch
import Synchronization

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

/// `watch [SECONDS]`.
enum WatchCommand {
    static func run(session: ConsoleSession, seconds: Double?) async -> CommandOutput {
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
    static func streamNDJSON(
        session: ConsoleSession, events: AsyncStream<DiscoveryEvent>, deadline: ContinuousClock.Instant?
    ) async {
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
        let events = session.discovery.events()
        await loop(deadline: deadline, interval: .seconds(1), wake: { keys in
            Task { for await _ in events { keys.poke() } }
        }) { cols, rows in
            WatchView.frame(
                session.discovery.snapshot(), now: Date(), width: cols, height: rows, color: session.settings.color)
        }
    }

    /// The loop every live view shares (`watch`, `top`): the alternate screen, keys without echo, a frame of
    /// `frame(columns, rows)` every `interval` (and whenever `wake`'s task pokes the key reader), until `q`, Ctrl-C,
    /// SIGTERM or the deadline; the terminal is restored however it ends.
    static func loop(
        deadline: ContinuousClock.Instant?, interval: Duration,
        wake: ((KeyReader) -> Task<Void, Never>)? = nil, frame: (Int, Int) async -> [String]
    ) async {
        let keys = KeyReader()
        keys.start()
        writeOut("\u{1B}[?1049h\u{1B}[?25l")
        // Ctrl-C and SIGTERM end the view and restore the terminal (the one-shot command has no handler of its own;
        // in the REPL, the view's subscription comes before the REPL's own until it ends).
        let stop = Mutex(false)
        let subscriptions = [SIGINT, SIGTERM].map { sig in
            SignalRelay.shared.subscribe(sig) {
                stop.withLock { $0 = true }
                keys.poke()
            }
        }
        defer {
            for s in subscriptions { SignalRelay.shared.unsubscribe(s) }
            keys.stop()
            writeOut("\u{1B}[?25h\u{1B}[?1049l")
        }
        let waker = wake?(keys)
        defer { waker?.cancel() }
        while !Task.isCancelled, !stop.withLock({ $0 }) {
            if let deadline, ContinuousClock.now >= deadline { break }
            let (cols, rows) = terminalSize()
            let lines = await frame(cols, rows)
            writeOut("\u{1B}[H" + lines.prefix(rows).map { $0 + "\u{1B}[K" }.joined(separator: "\r\n") + "\u{1B}[J")
            if stop.withLock({ $0 }) { break }
            if await keys.waitForKey(timeout: interval) == "q" { break }
        }
    }
}

/// Reads single keys from standard input without echo, on its own thread; restores the terminal when stopped.
final class KeyReader: @unchecked Sendable {
    private let state = Mutex<(keys: [Character], waiter: CheckedContinuation<Character?, Never>?, stop: Bool)>(
        ([], nil, false))
    private var saved = termios()

    func start() {
        tcgetattr(0, &saved)
        var raw = saved
        raw.c_lflag &= ~tcflag_t(ICANON | ECHO)
        tcsetattr(0, TCSANOW, &raw)
        startDetachedThread { [self] in
            var pfd = pollfd(fd: 0, events: Int16(POLLIN), revents: 0)
            while !state.withLock({ $0.stop }) {
                if poll(&pfd, 1, 100) > 0 {
                    var byte: UInt8 = 0
                    if read(0, &byte, 1) == 1 { deliver(Character(UnicodeScalar(byte))) } else { break }
                }
            }
        }
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

/// The terminal's size (80×24 when standard output is not a terminal).
func terminalSize() -> (columns: Int, rows: Int) {
    var ws = winsize()
    if ioctl(1, UInt(TIOCGWINSZ), &ws) == 0, ws.ws_col > 0, ws.ws_row > 0 { return (Int(ws.ws_col), Int(ws.ws_row)) }
    return (80, 24)
}

func writeOut(_ s: String) { writeAll(1, s) }
