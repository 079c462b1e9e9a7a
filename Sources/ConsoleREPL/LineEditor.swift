import CEditLine
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// Line editing for the REPL over libedit: history persisted across runs, reverse search (Ctrl-R), tab completion,
/// multi-line input for unfinished expressions, Ctrl-C that cancels the line, and messages printed *above* the
/// prompt from any thread without garbling the line being edited (and the prompt itself redrawn the same way,
/// ``refreshPrompt(_:)``).
///
/// libedit blocks its thread in `el_gets`, so call ``readLine(prompt:continuationPrompt:)`` from a dedicated thread,
/// never from a Swift concurrency task. When standard input is not a terminal, lines are read plainly (no prompt,
/// no echo) so that `printf 'nodes\n' | beamconsole` works.
public final class LineEditor: @unchecked Sendable {
    /// What a completion callback returns: the candidates for the word that ends at the cursor.
    public struct Completion: Sendable {
        /// Byte length of the word being completed (it ends at the cursor).
        public var wordLength: Int
        public var candidates: [String]
        public init(wordLength: Int, candidates: [String]) {
            self.wordLength = wordLength
            self.candidates = candidates
        }
    }

    public struct Configuration: Sendable {
        public var programName = "beamconsole"
        /// Where history is loaded from and saved to; nil keeps no history.
        public var historyPath: String?
        public var historySize = 1_000
        /// Lines starting with a space are not added to history (as in bash's `ignorespace`).
        public var ignoreSpacePrefixed = true
        /// Lines this says to keep out of history (those that contain the cookie).
        public var keepOutOfHistory: (@Sendable (String) -> Bool)?
        /// Called on Tab with the line and the cursor's byte offset.
        public var complete: (@Sendable (_ line: String, _ cursor: Int) -> Completion?)?
        /// Whether the text so far is an unfinished expression, to be continued on the next line.
        public var isIncomplete: (@Sendable (_ text: String) -> Bool)?
        public init() {}
    }

    public enum Input: Equatable, Sendable {
        /// A complete input (possibly several physical lines joined by newlines).
        case line(String)
        /// Ctrl-C: the line was discarded.
        case interrupted
        /// Ctrl-D on an empty line, or end of input.
        case endOfInput
    }

    public let configuration: Configuration
    /// Whether standard input is a terminal (line editing on).
    public let isInteractive: Bool

    private var editLine: OpaquePointer?
    private var history: OpaquePointer?
    private var promptBuffer: [CChar] = [0]
    private let pendingOutput = Mutex<[String]>([])
    private var wakePipe: (read: Int32, write: Int32) = (-1, -1)
    private let interruptFlag = Atomic<Bool>(false)
    private var mbState = mbstate_t()
    private var plainBuffer: [UInt8] = []
    private var plainEOF = false
    private let editing = Atomic<Bool>(false)
    private let outputLock = Mutex<Void>(())
    /// A prompt refresh asked for from another thread (``refreshPrompt(_:)``), carried out on the editor thread.
    private let pendingPromptRefresh = Mutex<(@Sendable (String) -> String?)?>(nil)
    /// Whether the line being edited is the first of its input (not a continuation line).
    private var onFirstLine = false

    public init(configuration: Configuration = Configuration(), interactive: Bool? = nil) {
        self.configuration = configuration
        self.isInteractive = interactive ?? (isatty(0) == 1 && isatty(1) == 1)
        var fds: [Int32] = [-1, -1]
        if pipe(&fds) == 0 {
            wakePipe = (fds[0], fds[1])
            _ = fcntl(fds[0], F_SETFL, fcntl(fds[0], F_GETFL) | O_NONBLOCK)
            _ = fcntl(fds[1], F_SETFL, fcntl(fds[1], F_GETFL) | O_NONBLOCK)
        }
        if isInteractive { setUpEditLine() }
    }

    deinit {
        if let editLine { cel_end(editLine) }
        if let history { cel_history_end(history) }
        if wakePipe.read >= 0 { close(wakePipe.read) }
        if wakePipe.write >= 0 { close(wakePipe.write) }
    }

    private func setUpEditLine() {
        _ = cel_setup_locale()
        guard let el = cel_init_std(configuration.programName) else { return }
        editLine = el
        cel_set_clientdata(el, Unmanaged.passUnretained(self).toOpaque())
        cel_set_editor(el, "emacs")
        cel_set_signal(el, 1)
        cel_set_prompt_esc(el, lineEditorPrompt, 1)
        cel_set_getcfn(el, lineEditorGetc)
        // Ctrl-C discards the line instead of killing the process (ISIG off while editing only).
        cel_setty(el, "-d", "-isig")
        cel_addfn(el, "bc-cancel", "Discard the line", lineEditorCancel)
        cel_bind(el, "^C", "bc-cancel")
        cel_addfn(el, "bc-complete", "Complete the word", lineEditorComplete)
        cel_bind(el, "^I", "bc-complete")
        cel_bind(el, "^R", "em-inc-search-prev")
        // The user's ~/.editrc, as other libedit programs honour it.
        cel_source(el, nil)
        if let h = cel_history_init(Int32(configuration.historySize), 1) {
            history = h
            cel_set_history(el, h)
            if let path = configuration.historyPath { _ = cel_history_load(h, path) }
        }
    }

    /// Reads one complete input. Unfinished expressions (per ``Configuration/isIncomplete``) continue on further
    /// lines with `continuationPrompt`.
    public func readLine(prompt: String, continuationPrompt: String = "...> ", recordHistory: Bool = true) -> Input {
        var text = ""
        var currentPrompt = prompt
        while true {
            let raw: String?
            if isInteractive, editLine != nil {
                onFirstLine = text.isEmpty
                raw = editorLine(prompt: currentPrompt)
                if interruptFlag.exchange(false, ordering: .relaxed) { return .interrupted }
            } else {
                raw = plainLine()
            }
            guard let line = raw else {
                // EOF with an unfinished expression: hand over what we have, the caller reports the error.
                return text.isEmpty ? .endOfInput : .line(text)
            }
            text = text.isEmpty ? line : text + "\n" + line
            if let isIncomplete = configuration.isIncomplete, !text.allSatisfy(\.isWhitespace), isIncomplete(text) {
                currentPrompt = continuationPrompt
                continue
            }
            if isInteractive, recordHistory { addHistory(text) }
            return .line(text)
        }
    }

    /// Adds an entry to history and saves the file (unless it starts with a space or is blank).
    public func addHistory(_ line: String) {
        guard let history, !line.allSatisfy(\.isWhitespace) else { return }
        if configuration.ignoreSpacePrefixed, line.first == " " { return }
        if let keepOut = configuration.keepOutOfHistory, keepOut(line) { return }
        _ = cel_history_enter(history, line)
        if let path = configuration.historyPath {
            ensureParentDirectory(of: path)
            _ = cel_history_save(history, path)
            _ = chmod(path, 0o600)
        }
    }

    /// Redraws the prompt of the line being edited, from any thread, when `makePrompt` gives a new one: it gets the
    /// prompt shown and returns its replacement, or nil to keep it (a question such as a confirmation is not the
    /// caller's to replace). The text typed so far and the cursor stay as they are. Continuation lines keep their
    /// prompt. Asked while no line is being edited, it is carried out when the next one starts (so a change that
    /// lands between computing a prompt and showing it is not lost); `makePrompt` runs on the editor thread.
    public func refreshPrompt(_ makePrompt: @escaping @Sendable (_ shown: String) -> String?) {
        guard isInteractive else { return }
        pendingPromptRefresh.withLock { $0 = makePrompt }
        if editing.load(ordering: .acquiring) {
            var byte: UInt8 = 1
            _ = write(wakePipe.write, &byte, 1)
        }
    }

    /// The prompt a pending ``refreshPrompt(_:)`` gives for the line being edited (nil: keep it). On the editor
    /// thread.
    private func takePromptRefresh() -> String? {
        guard onFirstLine, let makePrompt = pendingPromptRefresh.withLock({ f -> (@Sendable (String) -> String?)? in
            let taken = f
            f = nil
            return taken
        }) else { return nil }
        let shown = String(cString: promptPointer())
        guard let fresh = makePrompt(shown), fresh != shown else { return nil }
        return fresh
    }

    /// Prints `text` above the prompt, from any thread. While a line is being edited, the prompt and the partly typed
    /// line are redrawn below it, intact; otherwise the text is written at once.
    /// Whether a line is being edited right now (a prompt is on screen), rather than a command running.
    public var isEditing: Bool { isInteractive && editing.load(ordering: .acquiring) }

    public func printAbove(_ text: String) {
        let message = text.hasSuffix("\n") ? String(text.dropLast()) : text
        if isInteractive, editing.load(ordering: .acquiring) {
            pendingOutput.withLock { $0.append(message) }
            var byte: UInt8 = 1
            _ = write(wakePipe.write, &byte, 1)
        } else {
            outputLock.withLock { _ in writeAll(1, message + "\n") }
        }
    }

    // MARK: - libedit callbacks (on the editor thread)

    private func editorLine(prompt: String) -> String? {
        guard let el = editLine else { return nil }
        promptBuffer = Array(prompt.utf8CString)
        var count: Int32 = 0
        editing.store(true, ordering: .releasing)
        // A refresh asked for before this line started (its prompt may have been computed before the change).
        if let fresh = takePromptRefresh() { promptBuffer = Array(fresh.utf8CString) }
        let p = cel_gets(el, &count)
        editing.store(false, ordering: .releasing)
        flushPending(redraw: false)
        guard let p, count > 0 else { return interruptFlag.load(ordering: .relaxed) ? "" : nil }
        var s = String(cString: p)
        if s.hasSuffix("\n") { s.removeLast() }
        return s
    }

    fileprivate func promptPointer() -> UnsafePointer<CChar> {
        promptBuffer.withUnsafeBufferPointer { $0.baseAddress! }
    }

    /// One character for libedit: waits on stdin and the wake pipe; prints pending messages above the prompt.
    fileprivate func nextCharacter(_ out: UnsafeMutablePointer<wchar_t>) -> Int32 {
        while true {
            var fds = [pollfd(fd: 0, events: Int16(POLLIN), revents: 0),
                       pollfd(fd: wakePipe.read, events: Int16(POLLIN), revents: 0)]
            let n = poll(&fds, 2, -1)
            if n < 0 {
                if errno == EINTR { continue }
                return -1
            }
            if fds[1].revents & Int16(POLLIN) != 0 {
                var drain = [UInt8](repeating: 0, count: 64)
                while read(wakePipe.read, &drain, drain.count) > 0 {}
                flushPending(redraw: true)
            }
            if fds[0].revents & Int16(POLLIN | POLLHUP | POLLERR) != 0 {
                var byte: UInt8 = 0
                let r = read(0, &byte, 1)
                if r < 0 {
                    if errno == EINTR { continue }
                    return -1
                }
                if r == 0 { return 0 }
                var wc: wchar_t = 0
                var c = CChar(bitPattern: byte)
                let used = mbrtowc(&wc, &c, 1, &mbState)
                if used == -2 { continue }  // incomplete multibyte sequence: read more
                if used == -1 {  // invalid: reset and skip
                    mbState = mbstate_t()
                    continue
                }
                out.pointee = wc
                return 1
            }
        }
    }

    private func flushPending(redraw: Bool) {
        let messages = pendingOutput.withLock { m -> [String] in
            let taken = m
            m.removeAll()
            return taken
        }
        let freshPrompt = redraw ? takePromptRefresh() : nil
        guard !messages.isEmpty || freshPrompt != nil else { return }
        var out = ""
        if redraw, let el = editLine {
            // Move to the first row of the prompt, clear to the end of the screen, print, then redraw.
            var cursor: Int32 = 0, length: Int32 = 0
            let buffer = cel_line(el, &cursor, &length)
            let typed = buffer.map { String(decoding: UnsafeRawBufferPointer(start: $0, count: Int(cursor)), as: UTF8.self) } ?? ""
            let columns = max(terminalColumns(), 1)
            let rowsUp = (displayWidth(stripEscapes(String(cString: promptPointer()))) + displayWidth(typed)) / columns
            out += "\r" + (rowsUp > 0 ? "\u{1B}[\(rowsUp)A" : "") + "\u{1B}[J"
        }
        for m in messages { out += m + "\n" }
        outputLock.withLock { _ in writeAll(1, out) }
        if let freshPrompt { promptBuffer = Array(freshPrompt.utf8CString) }
        if redraw, let el = editLine { cel_refresh(el) }
    }

    fileprivate func cancelLine() -> UInt8 {
        interruptFlag.store(true, ordering: .relaxed)
        writeAll(1, "^C")
        return UInt8(CC_NEWLINE)
    }

    fileprivate func completeWord() -> UInt8 {
        guard let el = editLine, let complete = configuration.complete else { return UInt8(CC_ERROR) }
        var cursor: Int32 = 0, length: Int32 = 0
        guard let buffer = cel_line(el, &cursor, &length) else { return UInt8(CC_ERROR) }
        let line = String(decoding: UnsafeRawBufferPointer(start: buffer, count: Int(length)), as: UTF8.self)
        let prefixBytes = Array(UnsafeRawBufferPointer(start: buffer, count: Int(cursor)))
        guard let completion = complete(line, prefixBytes.count), !completion.candidates.isEmpty else {
            return UInt8(CC_ERROR)
        }
        let word = String(decoding: prefixBytes.suffix(completion.wordLength), as: UTF8.self)
        let common = commonPrefix(completion.candidates)
        if completion.candidates.count == 1 {
            let rest = String(common.dropFirst(word.count))
            _ = cel_insertstr(el, rest + (common.hasSuffix(".") || common.hasSuffix(":") || common.hasSuffix("(") ? "" : " "))
            return UInt8(CC_REFRESH)
        }
        if common.count > word.count {
            _ = cel_insertstr(el, String(common.dropFirst(word.count)))
            return UInt8(CC_REFRESH)
        }
        // Several candidates and nothing more in common: list them below the line, then redraw.
        let listing = formatColumns(completion.candidates.sorted(), width: terminalColumns())
        writeAll(1, "\n" + listing)
        return UInt8(CC_REDISPLAY)
    }

    // MARK: - Plain (non-terminal) input

    private func plainLine() -> String? {
        while true {
            if let nl = plainBuffer.firstIndex(of: 10) {
                let line = Array(plainBuffer[..<nl])
                plainBuffer.removeSubrange(...nl)
                var s = String(decoding: line, as: UTF8.self)
                if s.hasSuffix("\r") { s.removeLast() }
                return s
            }
            if plainEOF {
                if plainBuffer.isEmpty { return nil }
                let s = String(decoding: plainBuffer, as: UTF8.self)
                plainBuffer.removeAll()
                return s
            }
            var chunk = [UInt8](repeating: 0, count: 4096)
            let n = read(0, &chunk, chunk.count)
            if n < 0 {
                if errno == EINTR { continue }
                plainEOF = true
            } else if n == 0 {
                plainEOF = true
            } else {
                plainBuffer.append(contentsOf: chunk[0..<n])
            }
        }
    }
}

// MARK: - C callbacks (libedit calls these on the editor thread; client data carries the editor)

private func editor(_ el: OpaquePointer?) -> LineEditor? {
    guard let el, let data = cel_get_clientdata(el) else { return nil }
    return Unmanaged<LineEditor>.fromOpaque(data).takeUnretainedValue()
}

private let lineEditorPrompt: cel_prompt_fn = { el in
    editor(el)?.promptPointer() ?? UnsafePointer(strdup("> "))
}

private let lineEditorGetc: cel_getc_fn = { el, out in
    guard let out, let e = editor(el) else { return -1 }
    return e.nextCharacter(out)
}

private let lineEditorCancel: cel_key_fn = { el, _ in
    editor(el)?.cancelLine() ?? UInt8(CC_ERROR)
}

private let lineEditorComplete: cel_key_fn = { el, _ in
    editor(el)?.completeWord() ?? UInt8(CC_ERROR)
}

// MARK: - Helpers

/// The terminal's width in columns (80 if unknown).
public func terminalColumns() -> Int {
    var ws = winsize()
    if ioctl(1, UInt(TIOCGWINSZ), &ws) == 0, ws.ws_col > 0 { return Int(ws.ws_col) }
    return 80
}

/// Removes ANSI escape sequences and the prompt's \u{1} markers.
func stripEscapes(_ s: String) -> String {
    var out = ""
    var inEscape = false, inMarker = false
    for u in s.unicodeScalars {
        if u == "\u{1}" {
            inMarker.toggle()
            continue
        }
        if inMarker { continue }
        if inEscape {
            if (0x40...0x7E).contains(u.value) && u != "[" { inEscape = false }
            continue
        }
        if u == "\u{1B}" {
            inEscape = true
            continue
        }
        out.unicodeScalars.append(u)
    }
    return out
}

/// Set once: `wcwidth` needs a multibyte LC_CTYPE to measure anything beyond ASCII.
private let localeForWidths: Bool = cel_setup_locale() != 0

/// Terminal columns used by `s` (wide characters count 2).
func displayWidth(_ s: String) -> Int {
    _ = localeForWidths
    var w = 0
    for u in s.unicodeScalars {
        let cw = cel_wcwidth(u.value)
        w += cw > 0 ? Int(cw) : 0
    }
    return w
}

func commonPrefix(_ strings: [String]) -> String {
    guard var prefix = strings.first else { return "" }
    for s in strings.dropFirst() {
        while !s.hasPrefix(prefix) { prefix.removeLast() }
    }
    return prefix
}

/// Lays out `items` in columns that fit `width`.
func formatColumns(_ items: [String], width: Int) -> String {
    let colWidth = (items.map { displayWidth($0) }.max() ?? 0) + 2
    let perRow = max(1, width / max(colWidth, 1))
    var out = ""
    for (i, item) in items.enumerated() {
        out += item
        if (i + 1) % perRow == 0 || i == items.count - 1 {
            out += "\n"
        } else {
            out += String(repeating: " ", count: colWidth - displayWidth(item))
        }
    }
    return out
}

/// Writes every byte to a file descriptor (retrying short writes and EINTR).
public func writeAll(_ fd: Int32, _ bytes: [UInt8]) {
    bytes.withUnsafeBytes { raw in
        var offset = 0
        while offset < raw.count {
            let n = write(fd, raw.baseAddress! + offset, raw.count - offset)
            if n < 0 {
                if errno == EINTR { continue }
                return
            }
            offset += n
        }
    }
}

/// Writes a string's UTF-8 to a file descriptor.
public func writeAll(_ fd: Int32, _ s: String) { writeAll(fd, Array(s.utf8)) }

func ensureParentDirectory(of path: String) {
    var components = path.split(separator: "/", omittingEmptySubsequences: false).dropLast()
    var current = path.hasPrefix("/") ? "" : "."
    if path.hasPrefix("/") { components = components.dropFirst() }
    for c in components {
        current += "/" + c
        _ = mkdir(current, 0o700)
    }
}
