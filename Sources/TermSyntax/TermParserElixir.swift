import ErlangTerm

/// Reader of Elixir literal syntax. Lists, tuples and maps are kept on an explicit stack (see ``Frame``); depth is
/// bounded by ``TermScanner/maxDepth``.
struct ElixirTermParser {
    typealias Failure = TermSyntaxError

    var sc: TermScanner
    /// How many binaries enclose the one being read (binaries nest by recursion, so this is bounded separately).
    var binaryNesting = 0
    /// The deepest nesting of binaries inside binaries.
    static let maxBinaryNesting = 32

    init(_ text: String, maxDepth: Int) { sc = TermScanner(text, maxDepth: maxDepth) }

    /// Operator atoms that may follow `:` unquoted, longest first so that the longest match wins.
    static let operatorAtoms: [String] = [
        "..//", "<<>>", "===", "!==", "...", "<<<", ">>>", "<<~", "~>>", "<~>", "<|>", "|||", "&&&", "^^^", "~~~",
        "+++", "---", "%{}", "::", "==", "!=", "<=", ">=", "=~", "&&", "||", "++", "--", "<>", "|>", "<~", "~>",
        "->", "<-", "**", "..", "\\\\", "{}", "+", "-", "*", "/", "<", ">", "!", "^", "=", "|", "@", "&", ".", "%",
    ]

    /// Operator atoms that may be written bare as a keyword key (`+: 1`, `<<>>: 1`, `..//: 1`), longest first. These
    /// are the operators Elixir's tokenizer turns into a keyword identifier when `:` and whitespace follow
    /// (`handle_op/8`, `handle_unary_op/8` and the `.:`, `...:`, `<<>>:`, `%{}:`, `%:`, `&:`, `{}:`, `..//:` clauses of
    /// `elixir_tokenizer.erl`): every operator atom except `::`, whose `::: ` reads as the atom `:::`.
    static let keywordOperators: [String] = operatorAtoms.filter { $0 != "::" }

    // MARK: Whitespace

    /// Skips whitespace (newlines included) and `#` comments.
    mutating func skipSpace() {
        while let c = sc.peek() {
            if c == " " || c == "\t" || c == "\n" || c == "\r" || c == "\u{0C}" || c == "\u{0B}" {
                sc.advance()
            } else if c == "#" {
                while let d = sc.peek(), d != "\n" { _ = d; sc.advance() }
            } else if c == "\\", sc.peek(1) == "\n" {
                sc.advance(2)
            } else {
                return
            }
        }
    }

    // MARK: Document

    mutating func parseDocument() throws(Failure) -> Term {
        skipSpace()
        if sc.atEnd { throw sc.error(.emptyInput, at: sc.pos, expected: ["a term"], message: "expected a term") }
        let t = try parseValue()
        skipSpace()
        if !sc.atEnd {
            throw sc.error(
                .trailingInput, at: sc.pos, expected: ["end of input"], found: sc.foundDescription(at: sc.pos),
                message: "expected end of input")
        }
        return t
    }

    // MARK: Values

    /// An open list, tuple or map while its elements are read. Containers are kept on an explicit stack so that
    /// deep nesting cannot overflow the call stack.
    struct Frame {
        enum Kind { case list, tuple, map }
        var kind: Kind
        var items: [Term] = []
        /// A tuple's trailing keyword pairs, which become its last element.
        var keywordPairs: [Term] = []
        var pairs: [(Term, Term)] = []
        /// A keyword pair has been read: only keyword pairs may follow.
        var keywords = false
        /// List/tuple: the keyword key of the value being read. Map: the key of the value being read (nil while
        /// reading a `key =>`).
        var pendingKey: Term?
        /// A list after `|`: the value being read is the tail.
        var inTail = false
        init(_ kind: Kind) { self.kind = kind }
    }

    /// One term (keyword pairs are handled by the containers).
    mutating func parseValue() throws(Failure) -> Term {
        var stack: [Frame] = []
        next: while true {
            var value: Term
            if let c = sc.peek(), c == "[" || c == "{" || c == "%" {
                switch try open() {
                case .frame(let frame):
                    stack.append(frame)
                    continue next
                case .empty(let t):
                    value = t
                }
            } else {
                value = try parseScalar()
            }
            while var top = stack.popLast() {
                if let closed = try deliver(value, to: &top) {
                    sc.leave()
                    value = closed
                } else {
                    stack.append(top)
                    continue next
                }
            }
            return value
        }
    }

    enum Opened {
        /// The container closed right away.
        case empty(Term)
        /// The container, ready for its first element.
        case frame(Frame)
    }

    /// Reads an opening bracket (and a struct name).
    mutating func open() throws(Failure) -> Opened {
        let start = sc.pos
        try sc.enter(at: start)
        var frame: Frame
        let close: Unicode.Scalar
        switch sc.peek() {
        case "[":
            frame = Frame(.list)
            close = "]"
            sc.advance()
        case "{":
            frame = Frame(.tuple)
            close = "}"
            sc.advance()
        default:
            sc.advance()  // %
            frame = Frame(.map)
            close = "}"
            if TermScanner.isASCIIUpper(sc.peek()) {
                frame.pairs.append((.atom("__struct__"), .atom(try parseAlias())))
            } else if sc.peek() == ":", sc.peek(1) != ":" {
                frame.pairs.append((.atom("__struct__"), .atom(try parseColonAtom())))
            }
            guard sc.consume("{") else { throw sc.expectedError(["\"{\""]) }
        }
        skipSpace()
        if sc.peek() == close {
            sc.advance()
            sc.leave()
            switch frame.kind {
            case .list: return .empty(.list([]))
            case .tuple: return .empty(.tuple([]))
            case .map: return .empty(.map(makeTermMap(frame.pairs)))
            }
        }
        try startElement(&frame)
        return .frame(frame)
    }

    /// At the start of an element: reads a keyword key if there is one.
    mutating func startElement(_ f: inout Frame) throws(Failure) {
        let elementStart = sc.pos
        if let key = try parseKeywordKey() {
            if f.kind == .tuple && !f.keywords && f.items.isEmpty {
                throw sc.error(
                    .unexpectedToken, at: elementStart, expected: ["a term"],
                    found: sc.foundDescription(at: elementStart),
                    message: "a keyword list cannot start a tuple: wrap it in [...]")
            }
            f.keywords = true
            f.pendingKey = .atom(key)
            skipSpace()
        } else {
            if f.keywords { throw keywordNotLast(at: elementStart) }
            f.pendingKey = nil
        }
    }

    /// Gives a finished value to the innermost container. Returns the container's term when it closes, or nil when
    /// it needs another value.
    mutating func deliver(_ value: Term, to f: inout Frame) throws(Failure) -> Term? {
        switch f.kind {
        case .list:
            if f.inTail {
                skipSpace()
                let afterTail = sc.pos
                if sc.consume(",") { skipSpace() }  // Elixir accepts `[h | t,]`
                guard sc.consume("]") else { throw sc.expectedError(["\"]\""], at: afterTail) }
                return Term.list(f.items, tail: value)
            }
            if let k = f.pendingKey {
                f.items.append(.tuple([k, value]))
                f.pendingKey = nil
            } else {
                f.items.append(value)
            }
            skipSpace()
            switch sc.peek() {
            case ",":
                sc.advance()
                skipSpace()
                if sc.consume("]") { return .list(f.items) }
                try startElement(&f)
                return nil
            case "]":
                sc.advance()
                return .list(f.items)
            case "|" where !f.keywords && !sc.looking(at: "||") && !sc.looking(at: "|>"):
                sc.advance()
                skipSpace()
                f.inTail = true
                return nil
            default:
                throw sc.expectedError(f.keywords ? ["\",\"", "\"]\""] : ["\",\"", "\"|\"", "\"]\""])
            }
        case .tuple:
            if let k = f.pendingKey {
                f.keywordPairs.append(.tuple([k, value]))
                f.pendingKey = nil
            } else {
                f.items.append(value)
            }
            skipSpace()
            if sc.consume(",") {
                skipSpace()
                if !sc.consume("}") {
                    try startElement(&f)
                    return nil
                }
            } else if !sc.consume("}") {
                throw sc.expectedError(["\",\"", "\"}\""])
            }
            if !f.keywordPairs.isEmpty { f.items.append(.list(f.keywordPairs)) }
            return .tuple(f.items)
        case .map:
            guard let key = f.pendingKey else {
                // `value` is a key: `=>` and the value follow.
                skipSpace()
                guard sc.consume("=>") else {
                    if sc.peek() == "|" {
                        throw sc.error(
                            .notALiteral, at: sc.pos, found: "\"|\"", message: "a map update is not a literal term")
                    }
                    throw sc.expectedError(["\"=>\""])
                }
                skipSpace()
                f.pendingKey = value
                return nil
            }
            f.pairs.append((key, value))
            f.pendingKey = nil
            skipSpace()
            if sc.consume(",") {
                skipSpace()
                if !sc.consume("}") {
                    try startElement(&f)
                    return nil
                }
            } else if !sc.consume("}") {
                throw sc.expectedError(["\",\"", "\"}\""])
            }
            return .map(makeTermMap(f.pairs))
        }
    }

    /// Any term that is not a list, tuple or map.
    mutating func parseScalar() throws(Failure) -> Term {
        let start = sc.pos
        guard let c = sc.peek() else { throw sc.expectedError(["a term"]) }
        switch c {
        case "<" where sc.peek(1) == "<":
            return try parseBinary()
        case "\"":
            let bytes = try parseStringBytes()
            return .binary(bytes)
        case "'":
            if sc.looking(at: "'''") {
                return try charlist(try parseHeredoc(quote: "'", escapes: true), start: start)
            }
            let bytes = try parseQuoted(close: "'", escapes: true, start: start)
            return try charlist(bytes, start: start)
        case ":":
            if sc.peek(1) == ":" && sc.peek(2) != ":" { break }
            let atom = try parseColonAtom()
            try refuseCall(after: start)
            return .atom(atom)
        case "~":
            return try parseSigil()
        case "?":
            return .integer(try parseCharLiteral())
        case "-", "+":
            return try parseSignedNumber()
        case "&":
            return try parseCapture()
        default:
            if TermScanner.isDigit(c) { return try parseNumber(negative: false) }
            if TermScanner.isASCIIUpper(c) {
                let name = try parseAlias()
                try refuseCall(after: start)
                return .atom(name)
            }
            if c == "_" || (c.properties.isAlphabetic && !TermScanner.isASCIIUpper(c)) {
                return try parseIdentifierValue()
            }
        }
        throw sc.expectedError(["a term"])
    }

    /// After an atom or alias: `.name` starts a remote call or field access, which is not a literal.
    mutating func refuseCall(after start: Int) throws(Failure) {
        if sc.peek() == ".", let n = sc.peek(1), n == "_" || n == "\"" || (n.properties.isAlphabetic) {
            throw sc.error(
                .notALiteral, at: start, found: sc.foundDescription(at: start),
                message: "a call is not a literal term (only literal arguments are accepted)")
        }
        if sc.peek() == "(" {
            throw sc.error(.notALiteral, at: start, message: "a call is not a literal term")
        }
    }

    /// `true`, `false`, `nil`; anything else here is a variable or a local call.
    mutating func parseIdentifierValue() throws(Failure) -> Term {
        let start = sc.pos
        let name = scanIdentifier()
        switch name {
        case "true", "false", "nil":
            return .atom(Atom(name))
        default:
            break
        }
        var probe = sc.pos
        while probe < sc.input.count, sc.input[probe] == " " { probe += 1 }
        if sc.peek() == "(" || (probe > sc.pos && probe < sc.input.count && sc.input[probe] == "(") {
            throw sc.error(
                .notALiteral, at: start, found: "\"\(name)\"",
                message: "a call to \(name) is not a literal term")
        }
        let reserved: Set<String> = [
            "do", "end", "fn", "when", "and", "or", "not", "in", "catch", "rescue", "after",
            "else",
        ]
        if reserved.contains(name) {
            throw sc.error(
                .notALiteral, at: start, found: "\"\(name)\"", message: "\(name) is not a literal term")
        }
        throw sc.error(
            .variable, at: start, found: "\"\(name)\"",
            message: "variable \(name) is not allowed: only literal terms are accepted")
    }

    /// An identifier: a letter or `_`, then letters, digits, `_` and `@`, then an optional `?` or `!`.
    mutating func scanIdentifier() -> String {
        var s = String.UnicodeScalarView()
        while let c = sc.peek(), TermScanner.isWordChar(c) || c == "@" {
            s.append(c)
            sc.advance()
        }
        if let c = sc.peek(), c == "?" || c == "!" {
            s.append(c)
            sc.advance()
        }
        return String(s)
    }

    /// `Foo.Bar` → `Elixir.Foo.Bar`; `Elixir.Foo` stays `Elixir.Foo`. Stops before `.lowercase`.
    mutating func parseAlias() throws(Failure) -> Atom {
        let start = sc.pos
        var parts: [String] = []
        while true {
            var s = String.UnicodeScalarView()
            while let c = sc.peek(), c.isASCII, TermScanner.isWordChar(c) {
                s.append(c)
                sc.advance()
            }
            parts.append(String(s))
            if sc.peek() == ".", TermScanner.isASCIIUpper(sc.peek(1)) {
                sc.advance()
                continue
            }
            break
        }
        if let c = sc.peek(), TermScanner.isWordChar(c) || c == "@" || c == "?" || c == "!" {
            throw sc.error(
                .invalidCharacter, at: sc.pos, found: sc.foundDescription(at: sc.pos),
                message: "invalid character in alias")
        }
        let name = parts[0] == "Elixir" ? parts.joined(separator: ".") : "Elixir." + parts.joined(separator: ".")
        return try sc.makeAtom(name, start: start)
    }

    // MARK: Atoms

    /// `:name`, `:"quoted"`, `:'quoted'` or an operator atom such as `:+`.
    mutating func parseColonAtom() throws(Failure) -> Atom {
        let start = sc.pos
        sc.advance()  // ':'
        guard let c = sc.peek() else { throw sc.expectedError(["an atom name"]) }
        if c == "\"" || c == "'" {
            let bytes = try parseQuoted(close: c, escapes: true, start: start)
            guard let name = String(validating: bytes, as: UTF8.self) else {
                throw sc.error(.invalidEscape, at: start, message: "atom is not valid UTF-8")
            }
            return try sc.makeAtom(name, start: start)
        }
        if c == "_" || c.properties.isAlphabetic {
            let name = scanIdentifier()
            return try sc.makeAtom(name, start: start)
        }
        for op in Self.operatorAtoms where sc.looking(at: op) {
            sc.advance(op.unicodeScalars.count)
            return Atom(op)
        }
        throw sc.expectedError(["an atom name"])
    }

    // MARK: Strings

    /// A `"..."` string or a `"""` heredoc, as UTF-8 bytes.
    mutating func parseStringBytes() throws(Failure) -> [UInt8] {
        let start = sc.pos
        if sc.looking(at: "\"\"\"") { return try parseHeredoc(quote: "\"", escapes: true) }
        return try parseQuoted(close: "\"", escapes: true, start: start)
    }

    /// Reads from the opening delimiter at the cursor to `close`, processing escapes when `escapes` is set (when not,
    /// only `\` before `close` is dropped). `#{` is refused where escapes are processed.
    mutating func parseQuoted(close: Unicode.Scalar, escapes: Bool, start: Int) throws(Failure) -> [UInt8] {
        sc.advance()  // opening delimiter
        var out: [UInt8] = []
        while true {
            guard let c = sc.peek() else {
                throw sc.error(
                    .unexpectedEnd, at: sc.pos, expected: ["\"\(Character(close))\""], found: "end of input",
                    message: "missing terminator \(Character(close)) for the literal starting at "
                        + position(start))
            }
            if c == close {
                sc.advance()
                return out
            }
            if c == "\\" {
                if !escapes {
                    if sc.peek(1) == close {
                        appendUTF8(close, to: &out)
                        sc.advance(2)
                    } else {
                        out.append(0x5C)
                        sc.advance()
                    }
                    continue
                }
                try parseEscape(into: &out, close: close)
                continue
            }
            if c == "#", sc.peek(1) == "{", escapes {
                throw sc.error(
                    .interpolation, at: sc.pos, found: "\"#{\"",
                    message: "string interpolation is not allowed: only literal terms are accepted")
            }
            appendUTF8(c, to: &out)
            sc.advance()
        }
    }

    func position(_ offset: Int) -> String {
        let (l, c) = sc.lineAndColumn(of: offset)
        return "line \(l), column \(c)"
    }

    func appendUTF8(_ c: Unicode.Scalar, to out: inout [UInt8]) {
        if c.value < 0x80 {
            out.append(UInt8(c.value))
        } else {
            out.append(contentsOf: String(c).utf8)
        }
    }

    /// One escape sequence at the cursor (on the backslash).
    mutating func parseEscape(into out: inout [UInt8], close: Unicode.Scalar?) throws(Failure) {
        let start = sc.pos
        sc.advance()  // backslash
        guard let e = sc.peek() else {
            throw sc.error(.unexpectedEnd, at: sc.pos, found: "end of input", message: "unfinished escape sequence")
        }
        sc.advance()
        switch e {
        case "a": out.append(7)
        case "b": out.append(8)
        case "d": out.append(127)
        case "e": out.append(27)
        case "f": out.append(12)
        case "n": out.append(10)
        case "r": out.append(13)
        case "s": out.append(32)
        case "t": out.append(9)
        case "v": out.append(11)
        case "0": out.append(0)
        case "\n": break
        case "x":
            if sc.peek() == "{" {
                appendUTF8(try parseBracedHex(start: start), to: &out)
            } else {
                guard let h1 = TermScanner.hexValue(sc.peek()) else {
                    throw sc.error(
                        .invalidEscape, at: start, found: sc.foundDescription(at: sc.pos),
                        message: "expected hexadecimal digits after \\x")
                }
                sc.advance()
                var v = h1
                if let h2 = TermScanner.hexValue(sc.peek()) {
                    v = v * 16 + h2
                    sc.advance()
                }
                out.append(UInt8(v))
            }
        case "u":
            if sc.peek() == "{" {
                appendUTF8(try parseBracedHex(start: start), to: &out)
            } else {
                var v: UInt32 = 0
                for _ in 0..<4 {
                    guard let h = TermScanner.hexValue(sc.peek()) else {
                        throw sc.error(
                            .invalidEscape, at: start, found: sc.foundDescription(at: sc.pos),
                            message: "expected four hexadecimal digits after \\u")
                    }
                    v = v * 16 + UInt32(h)
                    sc.advance()
                }
                guard let scalar = Unicode.Scalar(v) else {
                    throw sc.error(.invalidEscape, at: start, message: "invalid code point in \\u escape")
                }
                appendUTF8(scalar, to: &out)
            }
        default:
            appendUTF8(e, to: &out)
        }
    }

    /// `{H...}` (1 to 6 hex digits) after `\x` or `\u`.
    mutating func parseBracedHex(start: Int) throws(Failure) -> Unicode.Scalar {
        sc.advance()  // {
        var v: UInt32 = 0
        var n = 0
        while let h = TermScanner.hexValue(sc.peek()) {
            if n == 6 { break }
            v = v * 16 + UInt32(h)
            n += 1
            sc.advance()
        }
        guard n > 0, sc.peek() == "}" else {
            if sc.atEnd { throw sc.expectedError(["\"}\""]) }
            throw sc.error(
                .invalidEscape, at: start, found: sc.foundDescription(at: sc.pos),
                message: "expected 1 to 6 hexadecimal digits and \"}\" in escape")
        }
        sc.advance()
        guard let scalar = Unicode.Scalar(v) else {
            throw sc.error(.invalidEscape, at: start, message: "invalid code point in escape")
        }
        return scalar
    }

    /// A heredoc: three `quote`s, a newline, lines, then a line holding (after indentation) three `quote`s. The
    /// closing line's indentation is removed from every line. Escapes are processed when `escapes` is set.
    mutating func parseHeredoc(quote: Unicode.Scalar, escapes: Bool) throws(Failure) -> [UInt8] {
        let start = sc.pos
        let delimiter = String(repeating: String(Character(quote)), count: 3)
        sc.advance(3)
        while sc.peek() == " " || sc.peek() == "\t" { sc.advance() }
        guard sc.peek() == "\n" || (sc.peek() == "\r" && sc.peek(1) == "\n") else {
            throw sc.expectedError(["a newline after \(delimiter)"])
        }
        sc.advance(sc.peek() == "\r" ? 2 : 1)
        // Find the closing line first to learn the indentation.
        var lines: [(start: Int, end: Int)] = []
        var lineStart = sc.pos
        var indent = 0
        var closeEnd = -1
        var i = sc.pos
        while i <= sc.input.count {
            if i == sc.input.count || sc.input[i] == "\n" {
                var j = lineStart
                while j < i, sc.input[j] == " " || sc.input[j] == "\t" { j += 1 }
                if j + 2 < sc.input.count, sc.input[j] == quote, sc.input[j + 1] == quote, sc.input[j + 2] == quote {
                    indent = j - lineStart
                    closeEnd = j + 3
                    break
                }
                lines.append((lineStart, i))
                if i == sc.input.count { break }
                lineStart = i + 1
            }
            i += 1
        }
        if closeEnd < 0 {
            sc.pos = sc.input.count
            throw sc.error(
                .unexpectedEnd, at: sc.pos, expected: ["\(delimiter)"], found: "end of input",
                message: "missing terminator \(delimiter) for the heredoc starting at " + position(start))
        }
        var text = String.UnicodeScalarView()
        for line in lines {
            var j = line.start
            var k = 0
            while k < indent, j < line.end, sc.input[j] == " " || sc.input[j] == "\t" {
                j += 1
                k += 1
            }
            text.append(contentsOf: sc.input[j..<line.end])
            text.append("\n")
        }
        var out: [UInt8] = []
        if !escapes {
            out = Array(String(text).utf8)
        } else {
            // Escapes over the de-indented text; a problem is reported at the heredoc's start.
            var sub = ElixirTermParser(String(text), maxDepth: 1)
            while let c = sub.sc.peek() {
                if c == "\\" {
                    do {
                        try sub.parseEscape(into: &out, close: nil)
                    } catch {
                        throw sc.error(error.code, at: start, message: error.message + " in the heredoc")
                    }
                } else if c == "#", sub.sc.peek(1) == "{" {
                    throw sc.error(
                        .interpolation, at: start, found: "\"#{\"",
                        message: "string interpolation is not allowed: only literal terms are accepted")
                } else {
                    appendUTF8(c, to: &out)
                    sub.sc.advance()
                }
            }
        }
        sc.pos = closeEnd
        return out
    }

    /// UTF-8 bytes to a charlist.
    func charlist(_ bytes: [UInt8], start: Int) throws(Failure) -> Term {
        guard let s = String(validating: bytes, as: UTF8.self) else {
            throw sc.error(.invalidEscape, at: start, message: "charlist is not valid UTF-8")
        }
        return .charlist(s)
    }

    // MARK: Sigils

    static let sigilPairs: [Unicode.Scalar: Unicode.Scalar] = [
        "(": ")", "[": "]", "{": "}", "<": ">", "\"": "\"", "'": "'", "|": "|", "/": "/",
    ]

    /// `~c`, `~C`, `~s`, `~S`, `~w`, `~W` with any of the eight delimiters (or a heredoc) and modifiers.
    mutating func parseSigil() throws(Failure) -> Term {
        let start = sc.pos
        sc.advance()  // ~
        guard let letter = sc.peek(), letter.isASCII, letter.properties.isAlphabetic else {
            throw sc.expectedError(["a sigil letter"])
        }
        sc.advance()
        guard "cCsSwW".unicodeScalars.contains(letter) else {
            throw sc.error(
                .notALiteral, at: start, found: "\"~\(Character(letter))\"",
                message: "sigil ~\(Character(letter)) is not supported: only ~s, ~S, ~c, ~C, ~w and ~W")
        }
        guard let open = sc.peek(), let close = Self.sigilPairs[open] else {
            throw sc.expectedError(["a sigil delimiter"])
        }
        let escapes = letter.properties.isLowercase
        let bytes: [UInt8]
        if (open == "\"" && sc.looking(at: "\"\"\"")) || (open == "'" && sc.looking(at: "'''")) {
            bytes = try parseHeredoc(quote: open, escapes: escapes)
        } else {
            bytes = try parseQuoted(close: close, escapes: escapes, start: start)
        }
        var modifiers = String.UnicodeScalarView()
        while let m = sc.peek(), m.isASCII, m.properties.isAlphabetic {
            modifiers.append(m)
            sc.advance()
        }
        let mods = String(modifiers)
        switch letter {
        case "s", "S":
            guard mods.isEmpty else { throw badModifiers(mods, start: start) }
            return .binary(bytes)
        case "c", "C":
            guard mods.isEmpty else { throw badModifiers(mods, start: start) }
            return try charlist(bytes, start: start)
        default:
            guard mods.count <= 1, mods.isEmpty || "sac".contains(mods) else { throw badModifiers(mods, start: start) }
            var words: [[UInt8]] = []
            var current: [UInt8] = []
            var inWord = false
            for b in bytes {
                if b == 32 || b == 9 || b == 10 || b == 13 || b == 11 || b == 12 {
                    if inWord { words.append(current); current = []; inWord = false }
                } else {
                    current.append(b)
                    inWord = true
                }
            }
            if inWord { words.append(current) }
            var items: [Term] = []
            items.reserveCapacity(words.count)
            for w in words {
                switch mods {
                case "a":
                    guard let s = String(validating: w, as: UTF8.self) else {
                        throw sc.error(.invalidEscape, at: start, message: "atom is not valid UTF-8")
                    }
                    items.append(.atom(try sc.makeAtom(s, start: start)))
                case "c": items.append(try charlist(w, start: start))
                default: items.append(.binary(w))
                }
            }
            return .list(items)
        }
    }

    func badModifiers(_ mods: String, start: Int) -> TermSyntaxError {
        sc.error(.unexpectedToken, at: start, found: "\"\(mods)\"", message: "unsupported sigil modifiers \(mods)")
    }

    // MARK: Numbers

    /// `?a`, `?\n`: a code point.
    mutating func parseCharLiteral() throws(Failure) -> Int {
        let start = sc.pos
        sc.advance()  // ?
        guard let c = sc.peek() else { throw sc.expectedError(["a character"]) }
        sc.advance()
        if c == "\\" {
            guard let e = sc.peek() else { return 92 }  // `?\` at the end is the backslash itself
            sc.advance()
            switch e {
            case "a": return 7
            case "b": return 8
            case "d": return 127
            case "e": return 27
            case "f": return 12
            case "n": return 10
            case "r": return 13
            case "s": return 32
            case "t": return 9
            case "v": return 11
            case "0": return 0
            case "x", "u":
                throw sc.error(
                    .invalidEscape, at: start, message: "\\\(Character(e)) escapes are not allowed in ?-characters")
            default: return Int(e.value)
            }
        }
        return Int(c.value)
    }

    /// `-1`, `+ 2.5`, `-?a`, `-0x10`.
    mutating func parseSignedNumber() throws(Failure) -> Term {
        let start = sc.pos
        let negative = sc.peek() == "-"
        sc.advance()
        skipSpace()
        if sc.peek() == "?" {
            let v = try parseCharLiteral()
            return .integer(negative ? -v : v)
        }
        guard TermScanner.isDigit(sc.peek()) else {
            if sc.atEnd { throw sc.expectedError(["a number"]) }
            throw sc.error(
                .notALiteral, at: start, expected: ["a number"], found: sc.foundDescription(at: sc.pos),
                message:
                    "an operator expression is not a literal term (expected a number after \(negative ? "-" : "+"))")
        }
        return try parseNumber(negative: negative)
    }

    /// An integer (`1_000`, `0x1F`, `0o17`, `0b101`) or a float (`1.5`, `1.0e-3`).
    mutating func parseNumber(negative: Bool) throws(Failure) -> Term {
        let start = sc.pos
        if sc.peek() == "0", let p = sc.peek(1), p == "x" || p == "o" || p == "b" {
            let base = p == "x" ? 16 : p == "o" ? 8 : 2
            guard TermScanner.digitValue(sc.peek(2), base: base) != nil else {
                sc.advance()
                throw sc.error(
                    .invalidNumber, at: start, found: sc.foundDescription(at: sc.pos),
                    message: "expected digits after 0\(Character(p))")
            }
            sc.advance(2)
            let digits = try sc.scanDigits(base: base, start: start)
            try sc.checkNumberEnd(start: start)
            return sc.makeInteger(digits, base: base, negative: negative)
        }
        let intPart = try sc.scanDigits(base: 10, start: start)
        if sc.peek() == ".", TermScanner.isDigit(sc.peek(1)) {
            sc.advance()
            let frac = try sc.scanDigits(base: 10, start: start)
            var text = (negative ? "-" : "") + intPart + "." + frac
            if let e = sc.peek(), e == "e" || e == "E" {
                var k = 1
                var sign = ""
                if let s = sc.peek(1), s == "-" || s == "+" { sign = String(Character(s)); k = 2 }
                if TermScanner.isDigit(sc.peek(k)) {
                    sc.advance(k)
                    let exp = try sc.scanDigits(base: 10, start: start)
                    text += "e" + sign + exp
                }
            }
            try sc.checkNumberEnd(start: start)
            return try sc.makeFloat(text, start: start)
        }
        try sc.checkNumberEnd(start: start)
        return sc.makeInteger(intPart, base: 10, negative: negative)
    }

    // MARK: Containers

    /// One element of a list, tuple, map or argument list: either a keyword pair (`key: value`) or a term.
    enum Element {
        case value(Term)
        case keyword(Atom, Term)
    }

    /// Reads a keyword key (`key: `, `"key": `, `+: `) if one is at the cursor, else nil without moving.
    mutating func parseKeywordKey() throws(Failure) -> Atom? {
        let start = sc.pos
        guard let c = sc.peek() else { return nil }
        if let op = keywordOperator() { return op }
        if c == "_" || c.properties.isAlphabetic {
            let name = scanIdentifier()
            if sc.peek() == ":" && sc.peek(1) != ":" {
                try requireSpaceAfterKey(name)
                return try sc.makeAtom(name, start: start)
            }
            sc.pos = start
            return nil
        }
        if c == "\"" || c == "'" {
            // Quoted key: look for the closing quote followed by ':' without parsing twice.
            let bytes = try parseQuoted(close: c, escapes: true, start: start)
            if sc.peek() == ":" && sc.peek(1) != ":" {
                guard let name = String(validating: bytes, as: UTF8.self) else {
                    throw sc.error(.invalidEscape, at: start, message: "atom is not valid UTF-8")
                }
                try requireSpaceAfterKey(name)
                return try sc.makeAtom(name, start: start)
            }
            sc.pos = start
            return nil
        }
        return nil
    }

    /// An operator keyword key (`+: `, `%{}: `, `..//: `) at the cursor, consumed up to the space; else nil without
    /// moving. As in Elixir's tokenizer, the `:` must be followed by whitespace: `+:1` or `%:mod{}` is something else.
    mutating func keywordOperator() -> Atom? {
        for op in Self.keywordOperators where sc.looking(at: op) {
            let n = op.unicodeScalars.count
            guard sc.peek(n) == ":", let s = sc.peek(n + 1), s == " " || s == "\t" || s == "\n" || s == "\r" else {
                continue
            }
            sc.advance(n + 1)
            return Atom(op)
        }
        return nil
    }

    mutating func requireSpaceAfterKey(_ name: String) throws(Failure) {
        sc.advance()  // ':'
        guard let n = sc.peek() else { return }
        if n == " " || n == "\t" || n == "\n" || n == "\r" { return }
        throw sc.error(
            .unexpectedToken, at: sc.pos, expected: ["a space"], found: sc.foundDescription(at: sc.pos),
            message: "keyword key \(name): must be followed by a space")
    }

    mutating func parseElement() throws(Failure) -> Element {
        if let key = try parseKeywordKey() {
            skipSpace()
            return .keyword(key, try parseValue())
        }
        return .value(try parseValue())
    }

    func keywordNotLast(at offset: Int) -> TermSyntaxError {
        sc.error(
            .keywordNotLast, at: offset, found: sc.foundDescription(at: offset),
            message: "a keyword list must come last: expected another key: value pair")
    }

    /// Comma-separated elements up to `close`; a trailing run of keyword pairs becomes one keyword-list element.
    /// Used for tuples and call arguments. `trailingComma` allows `,` before `close`.
    mutating func parseSequence(close: Unicode.Scalar, trailingComma: Bool, keywordsFirstAllowed: Bool)
        throws(Failure) -> [Term]
    {
        var items: [Term] = []
        var keywordPairs: [Term] = []
        var keywordStart = -1
        skipSpace()
        if sc.peek() == close {
            sc.advance()
            return []
        }
        while true {
            let elementStart = sc.pos
            switch try parseElement() {
            case .value(let t):
                if keywordStart >= 0 { throw keywordNotLast(at: elementStart) }
                items.append(t)
            case .keyword(let k, let v):
                if keywordStart < 0 {
                    if !keywordsFirstAllowed && items.isEmpty {
                        throw sc.error(
                            .unexpectedToken, at: elementStart, expected: ["a term"],
                            found: sc.foundDescription(at: elementStart),
                            message: "a keyword list cannot start a tuple: wrap it in [...]")
                    }
                    keywordStart = elementStart
                }
                keywordPairs.append(.tuple([.atom(k), v]))
            }
            skipSpace()
            if sc.peek() == "," {
                sc.advance()
                skipSpace()
                if trailingComma && sc.peek() == close {
                    sc.advance()
                    break
                }
                continue
            }
            if sc.peek() == close {
                sc.advance()
                break
            }
            throw sc.expectedError(["\",\"", "\"\(Character(close))\""])
        }
        if keywordStart >= 0 { items.append(.list(keywordPairs)) }
        return items
    }

    // MARK: Binaries

    /// `<<seg, seg::type-size(n)-unit(n)-little, ...>>`.
    mutating func parseBinary() throws(Failure) -> Term {
        let start = sc.pos
        try sc.enter(at: start)
        binaryNesting += 1
        defer {
            sc.leave()
            binaryNesting -= 1
        }
        if binaryNesting > Self.maxBinaryNesting {
            throw sc.error(.tooDeep, at: start, message: "binaries nested deeper than \(Self.maxBinaryNesting) levels")
        }
        sc.advance(2)  // <<
        var w = BitWriter()
        skipSpace()
        if sc.consume(">>") { return w.term }
        while true {
            let segStart = sc.pos
            var seg = try parseSegmentValue()
            skipSpace()
            if sc.peek() == ":" && sc.peek(1) == ":" {
                sc.advance(2)
                skipSpace()
                try parseSegmentSpec(&seg)
                skipSpace()
            }
            if let problem = seg.append(to: &w) {
                throw sc.error(.invalidBinary, at: segStart, message: "invalid binary segment: \(problem)")
            }
            if w.bitCount > TermScanner.maxBinaryBits {
                throw sc.error(.tooLarge, at: segStart, message: "binary too large")
            }
            if sc.peek() == "," {
                sc.advance()
                skipSpace()
                continue
            }
            if sc.consume(">>") { return w.term }
            throw sc.expectedError(["\",\"", "\"::\"", "\">>\""])
        }
    }

    mutating func parseSegmentValue() throws(Failure) -> BinarySegment {
        let start = sc.pos
        switch sc.peek() {
        case "\"":
            let bytes = try parseStringBytes()
            let chars = String(decoding: bytes, as: UTF8.self).unicodeScalars.map { Int($0.value) }
            let valid = String(validating: bytes, as: UTF8.self) != nil
            return BinarySegment(
                value: valid ? .characters(chars, utf8: bytes) : .bits(bytes, bitCount: bytes.count * 8))
        case "[", "{", "%":
            throw sc.error(
                .invalidBinary, at: start, message: "a binary segment must be an integer, a float, a string or a binary"
            )
        default:
            let t = try parseScalar()
            switch t {
            case .integer(let i): return BinarySegment(value: .integer(BigInt(i)))
            case .bigInteger(let b): return BinarySegment(value: .integer(b))
            case .float(let d): return BinarySegment(value: .float(d))
            case .binary(let b): return BinarySegment(value: .bits(b, bitCount: b.count * 8))
            case .bitstring(let b, let n): return BinarySegment(value: .bits(b, bitCount: (b.count - 1) * 8 + Int(n)))
            default:
                throw sc.error(
                    .invalidBinary, at: start,
                    message: "a binary segment must be an integer, a float, a string or a binary")
            }
        }
    }

    /// `type-size(n)-unit(n)-little`, `8`, `size(8)*4`.
    mutating func parseSegmentSpec(_ seg: inout BinarySegment) throws(Failure) {
        var sawElixirString = false
        if case .characters = seg.value { sawElixirString = true }
        while true {
            let start = sc.pos
            if TermScanner.isDigit(sc.peek()) {
                seg.size = try parseSpecInteger()
            } else if let c = sc.peek(), c.properties.isAlphabetic {
                let name = scanIdentifier()
                switch name {
                case "size", "unit":
                    guard sc.consume("(") else { throw sc.expectedError(["\"(\""]) }
                    skipSpace()
                    let n = try parseSpecInteger()
                    skipSpace()
                    guard sc.consume(")") else { throw sc.expectedError(["\")\""]) }
                    if name == "size" {
                        seg.size = n
                    } else {
                        guard let u = Int(exactly: n), u >= 1, u <= 256 else {
                            throw sc.error(.invalidBinary, at: start, message: "unit must be 1...256")
                        }
                        seg.unit = u
                    }
                case "integer": seg.kind = .integer
                case "float": seg.kind = .float
                case "binary", "bytes": seg.kind = .binary
                case "bitstring", "bits": seg.kind = .bitstring
                case "utf8": seg.kind = .utf8
                case "utf16": seg.kind = .utf16
                case "utf32": seg.kind = .utf32
                case "big", "signed", "unsigned": break
                case "little": seg.little = true
                case "native": seg.little = nativeIsLittle
                default:
                    throw sc.error(
                        .invalidBinary, at: start, found: "\"\(name)\"", message: "unknown binary segment type \(name)")
                }
            } else {
                throw sc.expectedError(["a segment type or size"])
            }
            if sc.peek() == "*" {
                sc.advance()
                skipSpace()
                let n = try parseSpecInteger()
                guard let u = Int(exactly: n), u >= 1, u <= 256 else {
                    throw sc.error(.invalidBinary, at: start, message: "unit must be 1...256")
                }
                seg.unit = u
            }
            if sc.peek() == "-" {
                sc.advance()
                skipSpace()
                continue
            }
            break
        }
        // An Elixir string with no type or a binary type is its bytes; with a size or integer type, its characters.
        if sawElixirString, case .characters(_, let utf8?) = seg.value, seg.kind == nil, seg.size == nil {
            seg.value = .bits(utf8, bitCount: utf8.count * 8)
        }
    }

    var nativeIsLittle: Bool { 1.littleEndian == 1 }

    mutating func parseSpecInteger() throws(Failure) -> BigInt {
        let start = sc.pos
        guard TermScanner.isDigit(sc.peek()) else { throw sc.expectedError(["an integer"]) }
        let digits = try sc.scanDigits(base: 10, start: start)
        return BigInt(digits) ?? 0
    }

    // MARK: Captures

    /// `&Mod.fun/arity` or `&:mod.fun/arity`: an export fun.
    mutating func parseCapture() throws(Failure) -> Term {
        let start = sc.pos
        sc.advance()  // &
        let module: Atom
        if sc.peek() == ":" {
            module = try parseColonAtom()
        } else if TermScanner.isASCIIUpper(sc.peek()) {
            module = try parseAlias()
        } else {
            throw sc.error(
                .notALiteral, at: start, found: sc.foundDescription(at: start),
                message: "only captures of the form &Mod.fun/arity are literal terms")
        }
        guard sc.consume(".") else { throw sc.expectedError(["\".\""]) }
        let function = try parseFunctionName()
        guard sc.consume("/") else { throw sc.expectedError(["\"/\""]) }
        let arityStart = sc.pos
        guard TermScanner.isDigit(sc.peek()) else { throw sc.expectedError(["an arity"]) }
        let digits = try sc.scanDigits(base: 10, start: arityStart)
        guard let arity = UInt8(digits) else {
            throw sc.error(.invalidNumber, at: arityStart, message: "arity must be 0...255")
        }
        return .exportFun(ExportFun(module: module, function: function, arity: arity))
    }

    /// A function name after `Mod.`: an identifier, a quoted name or an operator.
    mutating func parseFunctionName() throws(Failure) -> Atom {
        let start = sc.pos
        guard let c = sc.peek() else { throw sc.expectedError(["a function name"]) }
        if c == "\"" || c == "'" {
            let bytes = try parseQuoted(close: c, escapes: true, start: start)
            guard let name = String(validating: bytes, as: UTF8.self) else {
                throw sc.error(.invalidEscape, at: start, message: "function name is not valid UTF-8")
            }
            return try sc.makeAtom(name, start: start)
        }
        if c == "_" || c.properties.isAlphabetic {
            return try sc.makeAtom(scanIdentifier(), start: start)
        }
        for op in Self.operatorAtoms where sc.looking(at: op) {
            sc.advance(op.unicodeScalars.count)
            return Atom(op)
        }
        throw sc.expectedError(["a function name"])
    }
}
