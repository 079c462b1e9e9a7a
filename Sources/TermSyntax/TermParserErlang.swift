import ErlangTerm

/// Reader of Erlang term syntax (what `erl_scan:string/1` + `erl_parse:parse_term/1` accept). Lists, tuples and maps
/// are kept on an explicit stack (see ``Frame``); depth is bounded by ``TermScanner/maxDepth``.
struct ErlangTermParser {
    typealias Failure = TermSyntaxError

    var sc: TermScanner
    /// How many binaries enclose the one being read (binaries nest by recursion, so this is bounded separately).
    var binaryNesting = 0

    init(_ text: String, maxDepth: Int) { sc = TermScanner(text, maxDepth: maxDepth) }

    /// Words that `erl_scan` makes reserved tokens; they cannot be bare atoms.
    static let reservedWords: Set<String> = [
        "after", "and", "andalso", "band", "begin", "bnot", "bor", "bsl", "bsr", "bxor", "case", "catch", "cond",
        "div", "end", "fun", "if", "let", "not", "of", "or", "orelse", "receive", "rem", "try", "when", "xor",
    ]

    // MARK: Whitespace

    /// Skips whitespace and `%` comments.
    mutating func skipSpace() {
        while let c = sc.peek() {
            if c == " " || c == "\t" || c == "\n" || c == "\r" || c == "\u{0C}" || c == "\u{0B}" {
                sc.advance()
            } else if c == "%" {
                while let d = sc.peek(), d != "\n" { _ = d; sc.advance() }
            } else {
                return
            }
        }
    }

    /// Whether the cursor is on the end-of-form `.` (followed by whitespace, `%` or the end).
    func atDot() -> Bool {
        guard sc.peek() == "." else { return false }
        guard let n = sc.peek(1) else { return true }
        return n == " " || n == "\t" || n == "\n" || n == "\r" || n == "%"
    }

    // MARK: Document

    mutating func parseDocument() throws(Failure) -> Term {
        skipSpace()
        if sc.atEnd || atDot() {
            throw sc.error(.emptyInput, at: sc.pos, expected: ["a term"], message: "expected a term")
        }
        let t = try parseValue()
        try parseEnd()
        return t
    }

    /// Optional final `.`, then nothing but whitespace and comments.
    mutating func parseEnd() throws(Failure) {
        skipSpace()
        if atDot() {
            sc.advance()
            skipSpace()
        }
        if !sc.atEnd {
            throw sc.error(
                .trailingInput, at: sc.pos, expected: ["end of input"], found: sc.foundDescription(at: sc.pos),
                message: "expected end of input")
        }
    }

    // MARK: Values

    /// An open list, tuple or map while its elements are read, kept on an explicit stack so that deep nesting cannot
    /// overflow the call stack.
    struct Frame {
        enum Kind { case list, tuple, map }
        var kind: Kind
        var items: [Term] = []
        var pairs: [(Term, Term)] = []
        /// Map: the key of the value being read (nil while reading a key).
        var pendingKey: Term?
        /// A list after `|`: the value being read is the tail.
        var inTail = false
        init(_ kind: Kind) { self.kind = kind }
    }

    /// One term.
    mutating func parseValue() throws(Failure) -> Term {
        var stack: [Frame] = []
        next: while true {
            var value: Term
            let c = sc.peek()
            if c == "[" || c == "{" || (c == "#" && mapBraceFollows()) {
                let start = sc.pos
                try sc.enter(at: start)
                let frame: Frame
                let close: Unicode.Scalar
                switch c {
                case "[": (frame, close) = (Frame(.list), "]")
                case "{": (frame, close) = (Frame(.tuple), "}")
                default:
                    sc.advance()
                    skipSpace()  // `#` and `{` are separate tokens
                    (frame, close) = (Frame(.map), "}")
                }
                sc.advance()
                skipSpace()
                if sc.consume(String(Character(close))) {
                    sc.leave()
                    switch frame.kind {
                    case .list: value = .list([])
                    case .tuple: value = .tuple([])
                    case .map: value = .map(TermMap())
                    }
                } else {
                    stack.append(frame)
                    continue next
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

    /// Whether the `#` at the cursor is followed (after whitespace and comments) by `{`.
    mutating func mapBraceFollows() -> Bool {
        let save = sc.pos
        sc.advance()
        skipSpace()
        let brace = sc.peek() == "{"
        sc.pos = save
        return brace
    }

    /// Gives a finished value to the innermost container. Returns the container's term when it closes, or nil when
    /// it needs another value.
    mutating func deliver(_ value: Term, to f: inout Frame) throws(Failure) -> Term? {
        skipSpace()
        switch f.kind {
        case .list:
            if f.inTail {
                guard sc.consume("]") else { throw sc.expectedError(["\"]\""]) }
                return Term.list(f.items, tail: value)
            }
            f.items.append(value)
            switch sc.peek() {
            case ",":
                sc.advance()
                skipSpace()
                return nil
            case "]":
                sc.advance()
                return .list(f.items)
            case "|" where sc.peek(1) != "|":
                sc.advance()
                skipSpace()
                f.inTail = true
                return nil
            default:
                throw sc.expectedError(["\",\"", "\"|\"", "\"]\""])
            }
        case .tuple:
            f.items.append(value)
            if sc.consume(",") {
                skipSpace()
                return nil
            }
            guard sc.consume("}") else { throw sc.expectedError(["\",\"", "\"}\""]) }
            return .tuple(f.items)
        case .map:
            guard let key = f.pendingKey else {
                guard sc.consume("=>") else {
                    if sc.looking(at: ":=") {
                        throw sc.error(
                            .unexpectedToken, at: sc.pos, expected: ["\"=>\""], found: "\":=\"",
                            message: "expected \"=>\" (\":=\" only updates a map)")
                    }
                    throw sc.expectedError(["\"=>\""])
                }
                skipSpace()
                f.pendingKey = value
                return nil
            }
            f.pairs.append((key, value))
            f.pendingKey = nil
            if sc.consume(",") {
                skipSpace()
                return nil
            }
            guard sc.consume("}") else { throw sc.expectedError(["\",\"", "\"}\""]) }
            return .map(makeTermMap(f.pairs))
        }
    }

    /// Any term that is not a list, tuple or map.
    mutating func parseScalar() throws(Failure) -> Term {
        let start = sc.pos
        guard let c = sc.peek() else { throw sc.expectedError(["a term"]) }
        switch c {
        case "#":
            throw sc.error(
                .notALiteral, at: start, expected: ["\"#{\""], found: sc.foundDescription(at: start + 1),
                message: "records are not literal terms: expected \"#{\"")
        case "<" where sc.peek(1) == "<":
            return try parseBinary()
        case "\"":
            return .list(try parseStrings().map { .integer($0) })
        case "'":
            let atom = try parseQuotedAtom()
            try refuseCall(after: start)
            return .atom(atom)
        case "$":
            return .integer(try parseChar())
        case "-", "+":
            return try parseSignedNumber()
        default:
            if TermScanner.isDigit(c) { return try parseNumber(negative: false) }
            if Self.isAtomStart(c) { return try parseBareAtomValue() }
            if Self.isVariableStart(c) {
                let name = scanName()
                throw sc.error(
                    .variable, at: start, found: "\"\(name)\"",
                    message: "variable \(name) is not allowed: only literal terms are accepted")
            }
        }
        throw sc.expectedError(["a term"])
    }

    static func isAtomStart(_ c: Unicode.Scalar) -> Bool {
        TermScanner.isASCIILower(c) || (c.value >= 0xDF && c.value <= 0xFF && c.value != 0xF7)
    }

    static func isVariableStart(_ c: Unicode.Scalar) -> Bool {
        c == "_" || TermScanner.isASCIIUpper(c) || (c.value >= 0xC0 && c.value <= 0xDE && c.value != 0xD7)
    }

    static func isNameChar(_ c: Unicode.Scalar) -> Bool {
        TermScanner.isASCIILower(c) || TermScanner.isASCIIUpper(c) || TermScanner.isDigit(c) || c == "_" || c == "@"
            || (c.value >= 0xC0 && c.value <= 0xFF && c.value != 0xD7 && c.value != 0xF7)
    }

    /// Letters, digits, `_` and `@`.
    mutating func scanName() -> String {
        var s = String.UnicodeScalarView()
        while let c = sc.peek(), Self.isNameChar(c) {
            s.append(c)
            sc.advance()
        }
        return String(s)
    }

    /// A bare atom; reserved words, local calls and remote calls are refused; `fun m:f/a` is an export fun.
    mutating func parseBareAtomValue() throws(Failure) -> Term {
        let start = sc.pos
        let name = scanName()
        if name == "fun" { return try parseExportFun(start: start) }
        if Self.reservedWords.contains(name) {
            throw sc.error(
                .notALiteral, at: start, found: "\"\(name)\"",
                message: "\(name) is a reserved word: quote it ('\(name)') to make an atom")
        }
        try refuseCall(after: start)
        return .atom(try sc.makeAtom(name, start: start))
    }

    /// After an atom: `(` or `:name(` make a call, which is not a literal.
    mutating func refuseCall(after start: Int) throws(Failure) {
        var probe = sc.pos
        while probe < sc.input.count, sc.input[probe] == " " || sc.input[probe] == "\t" { probe += 1 }
        guard probe < sc.input.count else { return }
        let c = sc.input[probe]
        if c == "(" || (c == ":" && probe + 1 < sc.input.count && sc.input[probe + 1] != "=") {
            throw sc.error(
                .notALiteral, at: start, found: sc.foundDescription(at: start),
                message: "a call is not a literal term (only literal arguments are accepted)")
        }
    }

    /// `fun Module:Function/Arity` (the `fun` keyword already read).
    mutating func parseExportFun(start: Int) throws(Failure) -> Term {
        skipSpace()
        if sc.peek() == "(" {
            throw sc.error(
                .notALiteral, at: start, found: "\"fun\"",
                message: "an anonymous fun is not a literal term: only fun Module:Function/Arity is")
        }
        let module = try parseAtomOnly()
        skipSpace()
        guard sc.consume(":") else { throw sc.expectedError(["\":\""]) }
        skipSpace()
        let function = try parseAtomOnly()
        skipSpace()
        guard sc.consume("/") else { throw sc.expectedError(["\"/\""]) }
        skipSpace()
        let arityStart = sc.pos
        guard TermScanner.isDigit(sc.peek()) else { throw sc.expectedError(["an arity"]) }
        let digits = try sc.scanDigits(base: 10, start: arityStart)
        guard let arity = UInt8(digits) else {
            throw sc.error(.invalidNumber, at: arityStart, message: "arity must be 0...255")
        }
        return .exportFun(ExportFun(module: module, function: function, arity: arity))
    }

    /// A bare or quoted atom and nothing else (for module and function names).
    mutating func parseAtomOnly() throws(Failure) -> Atom {
        let start = sc.pos
        guard let c = sc.peek() else { throw sc.expectedError(["an atom"]) }
        if c == "'" { return try parseQuotedAtom() }
        if Self.isAtomStart(c) {
            let name = scanName()
            if Self.reservedWords.contains(name) {
                throw sc.error(
                    .notALiteral, at: start, found: "\"\(name)\"",
                    message: "\(name) is a reserved word: quote it ('\(name)') to make an atom")
            }
            return try sc.makeAtom(name, start: start)
        }
        if Self.isVariableStart(c) {
            let name = scanName()
            throw sc.error(
                .variable, at: start, found: "\"\(name)\"",
                message: "variable \(name) is not allowed: only literal terms are accepted")
        }
        throw sc.expectedError(["an atom"])
    }

    // MARK: Quoted text

    /// `'...'` as an atom.
    mutating func parseQuotedAtom() throws(Failure) -> Atom {
        let start = sc.pos
        let chars = try parseQuoted(close: "'")
        var s = String.UnicodeScalarView()
        for c in chars {
            guard let u = UInt32(exactly: c), let scalar = Unicode.Scalar(u) else {
                throw sc.error(.invalidEscape, at: start, message: "invalid code point in atom")
            }
            s.append(scalar)
        }
        return try sc.makeAtom(String(s), start: start)
    }

    /// One or more adjacent `"..."` strings, joined, as code points.
    mutating func parseStrings() throws(Failure) -> [Int] {
        var out = try parseQuoted(close: "\"")
        while true {
            let save = sc.pos
            skipSpace()
            if sc.peek() == "\"" {
                out += try parseQuoted(close: "\"")
            } else {
                sc.pos = save
                return out
            }
        }
    }

    /// From the opening quote at the cursor to `close`, escapes processed, as code points.
    mutating func parseQuoted(close: Unicode.Scalar) throws(Failure) -> [Int] {
        let start = sc.pos
        sc.advance()
        var out: [Int] = []
        while true {
            guard let c = sc.peek() else {
                let (l, col) = sc.lineAndColumn(of: start)
                throw sc.error(
                    .unexpectedEnd, at: sc.pos, expected: ["\"\(Character(close))\""], found: "end of input",
                    message:
                        "missing terminator \(Character(close)) for the literal starting at line \(l), column \(col)")
            }
            if c == close {
                sc.advance()
                return out
            }
            if c == "\\" {
                out.append(try parseEscape())
            } else {
                out.append(Int(c.value))
                sc.advance()
            }
        }
    }

    /// One escape at the cursor (on the backslash), as a code point.
    mutating func parseEscape() throws(Failure) -> Int {
        let start = sc.pos
        sc.advance()
        guard let e = sc.peek() else {
            throw sc.error(.unexpectedEnd, at: sc.pos, found: "end of input", message: "unfinished escape sequence")
        }
        sc.advance()
        switch e {
        case "b": return 8
        case "d": return 127
        case "e": return 27
        case "f": return 12
        case "n": return 10
        case "r": return 13
        case "s": return 32
        case "t": return 9
        case "v": return 11
        case "0"..."7":
            var v = Int(e.value - 48)
            for _ in 0..<2 {
                guard let d = sc.peek(), d >= "0" && d <= "7" else { break }
                v = v * 8 + Int(d.value - 48)
                sc.advance()
            }
            return v
        case "x":
            if sc.peek() == "{" {
                sc.advance()
                var v = 0
                var n = 0
                while let h = TermScanner.hexValue(sc.peek()) {
                    v = v * 16 + h
                    n += 1
                    sc.advance()
                    if n > 8 { break }
                }
                guard n > 0, sc.consume("}") else {
                    if sc.atEnd { throw sc.expectedError(["\"}\""]) }
                    throw sc.error(
                        .invalidEscape, at: start, found: sc.foundDescription(at: sc.pos),
                        message: "expected hexadecimal digits and \"}\" in \\x{...}")
                }
                guard v <= 0x10FFFF, Unicode.Scalar(UInt32(v)) != nil else {
                    throw sc.error(.invalidEscape, at: start, message: "invalid code point in escape")
                }
                return v
            }
            guard let h1 = TermScanner.hexValue(sc.peek()), let h2 = TermScanner.hexValue(sc.peek(1)) else {
                if sc.pos + 1 >= sc.input.count { throw sc.expectedError(["hexadecimal digits"], at: sc.input.count) }
                throw sc.error(
                    .invalidEscape, at: start, found: sc.foundDescription(at: sc.pos),
                    message: "expected two hexadecimal digits after \\x")
            }
            sc.advance(2)
            return h1 * 16 + h2
        case "^":
            guard let c = sc.peek() else { throw sc.expectedError(["a control character"]) }
            sc.advance()
            return Int(c.value) & 31
        default:
            return Int(e.value)
        }
    }

    /// `$a`, `$\n`, `$\x{1F600}`.
    mutating func parseChar() throws(Failure) -> Int {
        sc.advance()  // $
        guard let c = sc.peek() else { throw sc.expectedError(["a character"]) }
        if c == "\\" { return try parseEscape() }
        sc.advance()
        return Int(c.value)
    }

    // MARK: Numbers

    mutating func parseSignedNumber() throws(Failure) -> Term {
        let start = sc.pos
        let negative = sc.peek() == "-"
        sc.advance()
        skipSpace()
        if sc.peek() == "$" {
            let v = try parseChar()
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

    /// `123`, `1_000`, `16#FF`, `1.5`, `1.0e-3`.
    mutating func parseNumber(negative: Bool) throws(Failure) -> Term {
        let start = sc.pos
        let intPart = try sc.scanDigits(base: 10, start: start)
        if sc.peek() == "#" {
            guard let base = Int(intPart), base >= 2, base <= 36 else {
                throw sc.error(.invalidNumber, at: start, message: "base must be 2...36")
            }
            sc.advance()
            guard TermScanner.digitValue(sc.peek(), base: base) != nil else {
                if sc.atEnd { throw sc.expectedError(["base-\(base) digits"]) }
                throw sc.error(
                    .invalidNumber, at: sc.pos, found: sc.foundDescription(at: sc.pos),
                    message: "expected base-\(base) digits")
            }
            let digits = try sc.scanDigits(base: base, start: start)
            try sc.checkNumberEnd(start: start)
            return sc.makeInteger(digits, base: base, negative: negative)
        }
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

    /// Comma-separated terms up to `close` (no trailing comma).
    mutating func parseSequence(close: Unicode.Scalar) throws(Failure) -> [Term] {
        skipSpace()
        if sc.peek() == close {
            sc.advance()
            return []
        }
        var items: [Term] = []
        while true {
            items.append(try parseValue())
            skipSpace()
            if sc.peek() == "," {
                sc.advance()
                skipSpace()
                continue
            }
            if sc.peek() == close {
                sc.advance()
                return items
            }
            throw sc.expectedError(["\",\"", "\"\(Character(close))\""])
        }
    }

    // MARK: Binaries

    /// `<<Value:Size/Type-Specifiers, ...>>`.
    mutating func parseBinary() throws(Failure) -> Term {
        let start = sc.pos
        try sc.enter(at: start)
        binaryNesting += 1
        defer {
            sc.leave()
            binaryNesting -= 1
        }
        if binaryNesting > ElixirTermParser.maxBinaryNesting {
            throw sc.error(
                .tooDeep, at: start,
                message: "binaries nested deeper than \(ElixirTermParser.maxBinaryNesting) levels")
        }
        sc.advance(2)
        var w = BitWriter()
        skipSpace()
        if sc.consume(">>") { return w.term }
        while true {
            let segStart = sc.pos
            var seg = try parseSegmentValue()
            skipSpace()
            if sc.peek() == ":" {
                sc.advance()
                skipSpace()
                switch try parseScalar() {
                case .integer(let n): seg.size = BigInt(n)
                case .bigInteger(let n): seg.size = n
                default: throw sc.error(.invalidBinary, at: sc.pos, message: "a segment size must be an integer")
                }
                skipSpace()
            }
            if sc.peek() == "/" {
                sc.advance()
                skipSpace()
                try parseTypeList(&seg)
                skipSpace()
            }
            if seg.kind == nil {
                // Erlang's default type is integer whatever the value (Elixir infers float and binary).
                switch seg.value {
                case .float, .bits: seg.kind = .integer
                default: break
                }
            }
            if let problem = seg.append(to: &w) {
                throw sc.error(.invalidBinary, at: segStart, message: "invalid binary segment: \(problem)")
            }
            if w.bitCount > TermScanner.maxBinaryBits {
                throw sc.error(.tooLarge, at: segStart, message: "binary too large")
            }
            if sc.consume(",") {
                skipSpace()
                continue
            }
            if sc.consume(">>") { return w.term }
            throw sc.expectedError(["\",\"", "\":\"", "\"/\"", "\">>\""])
        }
    }

    mutating func parseSegmentValue() throws(Failure) -> BinarySegment {
        let start = sc.pos
        if sc.peek() == "\"" {
            return BinarySegment(value: .characters(try parseStrings(), utf8: nil))
        }
        if sc.peek() == "(" {
            var parens = 0
            while sc.consume("(") {
                parens += 1
                skipSpace()
            }
            let seg = try parseSegmentValue()
            for _ in 0..<parens {
                skipSpace()
                guard sc.consume(")") else { throw sc.expectedError(["\")\""]) }
            }
            return seg
        }
        if let c = sc.peek(), c == "[" || c == "{" || c == "#" {
            throw sc.error(
                .invalidBinary, at: start, message: "a binary segment must be an integer, a float, a string or a binary"
            )
        }
        let t = try parseScalar()
        switch t {
        case .integer(let i): return BinarySegment(value: .integer(BigInt(i)))
        case .bigInteger(let b): return BinarySegment(value: .integer(b))
        case .float(let d): return BinarySegment(value: .float(d))
        case .binary(let b): return BinarySegment(value: .bits(b, bitCount: b.count * 8))
        case .bitstring(let b, let n): return BinarySegment(value: .bits(b, bitCount: (b.count - 1) * 8 + Int(n)))
        default:
            throw sc.error(
                .invalidBinary, at: start, message: "a binary segment must be an integer, a float, a string or a binary"
            )
        }
    }

    /// `integer-little-unit:8`.
    mutating func parseTypeList(_ seg: inout BinarySegment) throws(Failure) {
        while true {
            let start = sc.pos
            guard let c = sc.peek(), TermScanner.isASCIILower(c) else { throw sc.expectedError(["a segment type"]) }
            let name = scanName()
            switch name {
            case "integer": seg.kind = .integer
            case "float": seg.kind = .float
            case "binary", "bytes": seg.kind = .binary
            case "bitstring", "bits": seg.kind = .bitstring
            case "utf8": seg.kind = .utf8
            case "utf16": seg.kind = .utf16
            case "utf32": seg.kind = .utf32
            case "big", "signed", "unsigned": break
            case "little": seg.little = true
            case "native": seg.little = 1.littleEndian == 1
            case "unit":
                skipSpace()
                guard sc.consume(":") else { throw sc.expectedError(["\":\""]) }
                skipSpace()
                let uStart = sc.pos
                guard TermScanner.isDigit(sc.peek()) else { throw sc.expectedError(["an integer"]) }
                let digits = try sc.scanDigits(base: 10, start: uStart)
                guard let u = Int(digits), u >= 1, u <= 256 else {
                    throw sc.error(.invalidBinary, at: uStart, message: "unit must be 1...256")
                }
                seg.unit = u
            default:
                throw sc.error(
                    .invalidBinary, at: start, found: "\"\(name)\"", message: "unknown binary segment type \(name)")
            }
            skipSpace()
            if sc.consume("-") {
                skipSpace()
                continue
            }
            return
        }
    }
}
