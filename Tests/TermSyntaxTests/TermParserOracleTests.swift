import ErlangTerm
import ErlangTestSupport
import Foundation
import TermSyntax
import XCTest

/// The BEAM as the oracle: every source string is parsed by us and evaluated by one `elixir` process
/// (`Code.eval_string` for Elixir; `erl_scan:string` + `erl_parse:parse_term` for Erlang). The VM's answer comes back
/// as ETF and is decoded with the codec, then compared with our term (maps ignore order, floats compare by bits).
final class TermParserOracleTests: XCTestCase {
    nonisolated(unsafe) static var oracle: BeamOracle?

    override class func setUp() {
        super.setUp()
        oracle = try? BeamOracle()
    }

    override class func tearDown() {
        oracle?.stop()  // by PID
        oracle = nil
        super.tearDown()
    }

    func requireOracle() throws -> BeamOracle {
        guard let oracle = Self.oracle else {
            // Same policy as the codec's oracle tests: a missing BEAM is a failure, not a skip.
            return try BeamOracle()
        }
        return oracle
    }

    // MARK: Hand-written cases

    static let elixirValid: [String] = [
        ":ok", ":\"quoted atom\"", #":"with \"escapes\"""#, ":'single'", ":foo?", ":foo!", ":foo@bar", ":Foo", ":héllo",
        ":+", ":-", ":&&", ":\"::\"", ":::", ":..", ":...", ":..//", ":<<>>", ":%{}", ":{}", ":%", ":|>", ":<~>",
        ":\\\\", ":===", ":!", ":^", ":=", ":|", ":@", ":&", ":.", ":**", ":<>", ":=~", ":->", ":<-", ":when",
        ":\"\"", "MyApp.Stats", "Elixir.Foo", "Elixir", "Foo.Elixir", "true", "false", "nil",
        #""abc""#, #""""#, #""a\nb\t\\\"\e""#, #""\u{1F600}\x41\u00e9""#, #""\xFF""#, #""\a\b\d\f\v\s\0\r""#,
        ##""\z\#{x}""##, "\"a\\\nb\"", "\"multi\nline\"", "\"#\"", "\"héllo 😀\"", "\"\"\"\n  ab\n    c\n  \"\"\"",
        "'abc'", "''", #"'a\'b\n'"#, "'é😀'", #"~c"abc""#, "~c(a\\)b)", "~c[x]", "~c{x}", "~c<x>", "~c|x|", "~c/x/",
        "~s(a\\nb)", "~S(a\\nb)", "~S(f\\)o)", "~C(a\\n)", "~w(a  b\n c)", "~w(a b)a", "~w(a b)c", "~W(a\\nb)",
        "0", "42", "1_000", "0x1F", "0x1_F", "0b101", "0o17", "00012", "?a", "?é", "?\\n", "?\\s", "?\\\\", "-1",
        "- 1", "+1", "-?a", "-0x10", "9223372036854775807", "-9223372036854775808", "9223372036854775808",
        "-9223372036854775809", "0xFFFFFFFFFFFFFFFFFFFFFFFF", "123456789012345678901234567890",
        "-" + String(repeating: "9", count: 300),
        "1.5", "1.0e-3", "1.0E3", "1.0e+3", "1_000.5", "1.0e1_0", "-2.5", "-0.0", "0.1", "1.7976931348623157e308",
        "5.0e-324", "2.2250738585072014e-308", "0.30000000000000004",
        "[]", "[ ]", "[1, 2, 3]", "[1, 2,]", "[\n  1,\n  2\n]", "[1 | 2]", "[1, 2 | 3]", "[1, 2 | [3]]", "[1 | []]",
        "[1 | [2 | 3]]", "[[], [[]]]", "[a: 1, b: 2]", #"[a: 1, "b c": 2]"#, "['b': 2]", "[1, a: 2]", "[1, a: 2,]",
        "[Foo: 1]", "[a?: 1, do: :x, nil: 2]", "[é: 1]", "[a: [b: 1]]", "{}", "{:ok, 1}", "{1, 2,}", "{1, a: 2}",
        "{{1}}", "%{}", #"%{"a" => 1}"#, "%{a: 1, b: 2}", "%{1 => 2, a: 3}", "%{:a => 1, b: 2}", #"%{"a": 1}"#,
        "%{a: 1, a: 2}", "%{[1] => {2}, %{} => []}", "%{a: 1,}", "%{1 => 1, 1.0 => 2}",
        "<<>>", "<<1, 2, 3>>", #"<<"abc">>"#, #"<<1, "ab", 2::16>>"#, "<<-1>>", "<<256>>", "<<1::3>>",
        "<<1::size(3)>>", "<<300::size(2)-unit(8)>>", "<<1::16-little>>", "<<1::little-16>>",
        "<<1::integer-size(16)-big-unsigned>>", "<<1.5::float>>", "<<1.5::float-32>>", "<<1.5::32-float-little>>",
        #"<<"é"::utf8>>"#, #"<<"é"::utf16>>"#, #"<<"é"::utf32-little>>"#, "<<233::utf8>>", "<<0x1F600::utf16>>",
        #"<<"a"::binary, 1>>"#, "<<?a, ?b>>", "<<1::1, 0::1, 1::6>>", "<<0x1234::8*2>>", "<<1::100>>",
        "<<-1::72>>", "<< <<1, 2>>::binary, 3>>", "<< <<1::3>>::bitstring, 0::5>>", "<<1::signed-8>>",
        "<<12345678901234567890123::96>>", "<<-2::size(5)>>", "<<0xABC::12-little>>", "<<-3::70-little>>",
        "&Enum.count/1", "&:erlang.memory/0", "# leading\n[1, # one\n 2] # trailing", "  \t\n :ok \n\n",
        #"{:ok, %{"list" => [1, 2.5, :three, "four", 'five'], tuple: {}, bin: <<0>>}}"#,
        "[" + String(repeating: "[", count: 200) + String(repeating: "]", count: 200) + "]",
        "~S\"\"\"\n  a\\n\n  \"\"\"", "\'\'\'\n  ab\n  \'\'\'", "~c\'\'\'\nab\n\'\'\'", "\"\"\"\r\n  x\r\n  \"\"\"",
        "\"\"\"\n\\tx\\\ny\n\"\"\"", "[\n  a: 1,\n  b: \"\"\"\n  two\n  \"\"\"\n]",
        "[+: 1]", "%{<>: 1}", "[..: 1]", "[|>: 1]", "[{}: 1]", "[%{}: 1, <<>>: 2, ..//: 3, ...: 4, \\\\: 5, .: 6]",
        "[&: 1, %: 2, @: 3, !: 4, ^: 5, =: 6, |: 7, ->: 8, <-: 9]", "[1, -: 2, a: 3]", "{1, ===: 2}",
        "%{1 => 2, **: 3}", "[~~~: 1, ^^^: 2, <|>: 3]", "[<<<: 1, <<~: 2, ~>>: 3, >>>: 4, <~>: 5]", "[+:\n1]",
        "[+:\t1]", #"["foo bar": 1, "::": 2, "//": 3, "\\": 4]"#, "[1 |:a]", "[:| | :..]", "[:% | :{}]",
    ]

    static let elixirInvalid: [String] = [
        "[1, 2", "{1, 2", "\"abc", "1e3", "[a: 1, 2]", ":\"a", "0x", "1__0", "1_", "{a: 1}", "[a:1]", "x", "1.0e400",
        "[1 | 2, 3]", "%{a: 1, 1 => 2}", "'\\xFF'", "[1, 2]]", "1 2", "<<1::float-8>>", "%{:a => }",
        ":" + String(repeating: "a", count: 256), "[::: 1]", "[:: 1]", "[+:1]", "[+:]", "[//: 1]", "[=>: 1]",
        "{+: 1}", "[+: 1, 2]", "[:+: 1]",
    ]

    static let erlangValid: [String] = [
        "ok", "a@b", "a_B9", "'Quoted'", #"'a\'b'"#, #"'\n\x{1F600}'"#, "''", "'and'", "'Elixir.Foo'", "true",
        "maybe", "été", #""abc""#, #""""#, #""a" "b""#, "\"a\"\n  \"b\"", #""\z\d\e\s\t\n\"\\""#,
        #""\101\x41\x{41}\^a\8""#, "\"é😀\"", "$a", "$\\n", "$\\s", "$\\^a", "$\\101", "$\\x{1F600}", "$ ", "-$a",
        "42", "-42", "- 42", "+42", "16#FF", "16#ff_ff", "2#101", "36#zz", "36#" + String(repeating: "z", count: 40),
        "-16#10", "1_000", "123456789012345678901234567890", "1.0e10", "1.5e-3", "0.5E1", "1_0.0_1", "-0.0",
        "[]", "[1, 2, 3]", "[1|2]", "[1,2|[3]]", "[a|[]]", "{}", "{ok, 1}", "#{}", #"#{a => 1, <<"b">> => [2]}"#,
        "#{a => 1, a => 2}", "#{#{} => {}}", "<<>>", "<< >>", #"<<"bin">>"#, "<<1,2>>", #"<<"é">>"#,
        #"<<"é"/utf8>>"#, #"<<"ab"/utf16>>"#, "<<1:3>>", "<<1:2, 3:6>>", "<<1:16/little>>", "<<1.5/float>>",
        "<<1.5:32/float>>", "<<-1>>", "<<300:2/unit:8>>", "<<1/signed-integer>>", #"<<$a, "b">>"#, #"<<"a":8>>"#,
        "<<(1)>>", "<<1/utf8>>", "<<1:72/little>>", "<<1:7, 1:9>>", "fun lists:seq/2", "{a,b}.", "a. ", "1.",
        "<<1,2>>.\n", "% comment\n[1, % one\n 2]. % done", "{{{}}}", "[[a|b]|c]", "#{[] => #{}}", "<<0:64>>",
        "'\\^['", "\"\\x{10FFFF}\"", "<<16#FFFFFFFFFFFFFFFF:64>>", "<<-1:65/little-unit:1>>", "<<16#ABC:12/little>>",
        "<<16#1FF:9/little>>", "<<-5:3/little>>",
        #"{ok, #{"a" => [1, 2.5e3, b, 'c', <<1:3, "é"/utf8>>]}, [$z | 16#FF]}."#,
    ]

    static let erlangInvalid: [String] = [
        "[1,2,]", "X", "_", "1e10", "and", "#{a := 1}", "[a|b|c]", "1.0e400", "2#102", "[1, 2", "\"abc", "a b",
        "a.b", "self()", "<<1:8/float>>",
    ]

    // MARK: Comparison

    /// Elixir code that evaluates `source` as Erlang term syntax.
    static func erlangEvaluator(_ source: String) -> String {
        let hex = Array(source.utf8).map { String(format: "%02x", $0) }.joined()
        return """
            src = :unicode.characters_to_list(Base.decode16!("\(hex)", case: :lower))
            {:ok, toks, _} = :erl_scan.string(src)
            toks = case List.last(toks) do
              {:dot, _} -> toks
              _ -> toks ++ [{:dot, 1}]
            end
            {:ok, t} = :erl_parse.parse_term(toks)
            t
            """
    }

    func compare(
        _ sources: [String], syntax: SourceSyntax, expectValid: Bool, file: StaticString = #filePath,
        line: UInt = #line
    ) throws -> Int {
        let oracle = try requireOracle()
        let code = syntax == .elixir ? sources : sources.map(Self.erlangEvaluator)
        let answers = try oracle.eval(code)
        XCTAssertEqual(answers.count, sources.count)
        var compared = 0
        for (source, answer) in zip(sources, answers) {
            let ours = Result { () throws(TermSyntaxError) -> Term in try TermParser.parse(source, syntax: syntax) }
            switch (answer, ours) {
            case (.success(let theirs), .success(let mine)):
                XCTAssertEqual(mine, theirs, "\(syntax) \(source.debugDescription)", file: file, line: line)
                if !expectValid {
                    XCTFail("expected the BEAM to refuse \(source.debugDescription)", file: file, line: line)
                }
            case (.failure(let theirs), .failure):
                if expectValid {
                    XCTFail(
                        "BEAM refused \(source.debugDescription): \(theirs.message.prefix(300))", file: file, line: line
                    )
                }
            case (.success(let theirs), .failure(let mine)):
                XCTFail(
                    "\(syntax) \(source.debugDescription): BEAM gives \(theirs), we fail: \(mine)", file: file,
                    line: line)
            case (.failure(let theirs), .success(let mine)):
                XCTFail(
                    "\(syntax) \(source.debugDescription): we give \(mine), BEAM fails: \(theirs.message.prefix(300))",
                    file: file, line: line)
            }
            compared += 1
        }
        return compared
    }

    func testElixirHandWritten() throws {
        let n = try compare(Self.elixirValid, syntax: .elixir, expectValid: true)
        let m = try compare(Self.elixirInvalid, syntax: .elixir, expectValid: false)
        XCTAssertGreaterThanOrEqual(n + m, 200)
    }

    func testErlangHandWritten() throws {
        let n = try compare(Self.erlangValid, syntax: .erlang, expectValid: true)
        let m = try compare(Self.erlangInvalid, syntax: .erlang, expectValid: false)
        XCTAssertGreaterThanOrEqual(n + m, 100)
    }

    /// How many generated sources per syntax (`TERM_PARSER_ORACLE_COUNT` raises it for a longer soak).
    static var generatedCount: Int {
        ProcessInfo.processInfo.environment["TERM_PARSER_ORACLE_COUNT"].flatMap(Int.init) ?? 300
    }

    func testElixirGenerated() throws {
        var gen = LiteralSourceGenerator(syntax: .elixir, seed: 20_261_127)
        let n = Self.generatedCount
        for start in stride(from: 0, to: n, by: 500) {
            let sources = (start..<min(n, start + 500)).map { _ in gen.term(depth: 4) }
            XCTAssertEqual(try compare(sources, syntax: .elixir, expectValid: true), sources.count)
        }
    }

    func testErlangGenerated() throws {
        var gen = LiteralSourceGenerator(syntax: .erlang, seed: 1_127)
        let n = Self.generatedCount
        for start in stride(from: 0, to: n, by: 500) {
            let sources = (start..<min(n, start + 500)).map { _ in gen.term(depth: 4) }
            XCTAssertEqual(try compare(sources, syntax: .erlang, expectValid: true), sources.count)
        }
    }

    /// Generated sources with one character deleted, inserted or replaced: whatever both sides accept must be equal,
    /// and we must not accept what the BEAM refuses — except Elixir's newline before a `,`, which we allow.
    func testMutatedSourcesAgreeWithTheBEAM() throws {
        let oracle = try requireOracle()
        for syntax in [SourceSyntax.elixir, .erlang] {
            var gen = LiteralSourceGenerator(syntax: syntax, seed: 12_345)
            var rng = SeededRandom(seed: 77)
            let alphabet = Array("[]{}()<>%#:;,.|=>-+_\"'\\~?$ \n0aZé/".unicodeScalars)
            var sources: [String] = []
            for _ in 0..<1500 {
                var m = Array(gen.term(depth: 3).unicodeScalars)
                let i = Int(rng.next() % UInt64(m.count))
                let c = alphabet[Int(rng.next() % UInt64(alphabet.count))]
                switch rng.next() % 3 {
                case 0: m.remove(at: i)
                case 1: m.insert(c, at: i)
                default: m[i] = c
                }
                var s = String.UnicodeScalarView()
                s.append(contentsOf: m)
                sources.append(String(s))
            }
            let code = syntax == .elixir ? sources : sources.map(Self.erlangEvaluator)
            var accepted = 0
            for (source, answer) in zip(sources, try oracle.eval(code)) {
                let ours = Result { () throws(TermSyntaxError) -> Term in try TermParser.parse(source, syntax: syntax) }
                switch (answer, ours) {
                case (.success(let theirs), .success(let mine)):
                    XCTAssertEqual(mine, theirs, "\(syntax) \(source.debugDescription)")
                    accepted += 1
                case (.failure(let theirs), .success(let mine)):
                    let newlineComma =
                        syntax == .elixir && source.range(of: "\n\\s*,", options: .regularExpression) != nil
                    if !newlineComma {
                        let why = theirs.message.prefix(200)
                        XCTFail("\(syntax) \(source.debugDescription): we give \(mine), BEAM fails: \(why)")
                    }
                default:
                    break  // The BEAM evaluates expressions (`1+2`, `a;b`) that are not literals: refusing is right.
                }
            }
            XCTAssertGreaterThan(accepted, 100, "\(syntax): too few mutated sources were valid to be a useful check")
        }
    }

    func testCallArgumentsMatchTheBEAM() throws {
        // The arguments of a parsed call are what the BEAM evaluates for the same argument list.
        let calls = [
            ("Enum.count([1, 2])", "[[1, 2]]"), ("Map.new(a: 1, b: [c: 2])", "[[a: 1, b: [c: 2]]]"),
            (#"String.pad_leading("x", 3, fill: ?0)"#, #"["x", 3, [fill: ?0]]"#),
            (":erlang.memory(:total)", "[:total]"), ("Node.list()", "[]"),
        ]
        let oracle = try requireOracle()
        let answers = try oracle.eval(calls.map(\.1))
        for ((call, args), answer) in zip(calls, answers) {
            let parsed = try CallExpression.parse(call, syntax: .elixir)
            XCTAssertEqual(.list(parsed.arguments), try answer.get(), "\(call) vs \(args)")
        }
    }
}

/// Generates random literal source text from a seed, mixing the notations each syntax allows.
struct LiteralSourceGenerator {
    let syntax: SourceSyntax
    var rng: SeededRandom

    init(syntax: SourceSyntax, seed: UInt64) {
        self.syntax = syntax
        rng = SeededRandom(seed: seed)
    }

    mutating func below(_ n: Int) -> Int { Int(rng.next() % UInt64(n)) }
    mutating func pick<T>(_ items: [T]) -> T { items[below(items.count)] }
    var elixir: Bool { syntax == .elixir }

    mutating func term(depth: Int) -> String {
        let k = depth <= 0 ? below(8) : below(15)
        switch k {
        case 0: return atom()
        case 1: return smallInteger()
        case 2: return bigInteger()
        case 3: return float()
        case 4: return string()
        case 5: return charlist()
        case 6: return character()
        case 7: return simpleBinary()
        case 8: return list(depth: depth)
        case 9: return tuple(depth: depth)
        case 10: return map(depth: depth)
        case 11: return elixir ? keywordList(depth: depth) : list(depth: depth)
        case 12: return improperList(depth: depth)
        case 13: return segmentedBinary()
        default: return elixir ? pick(["true", "false", "nil", "MyApp.Stats", "Elixir.Foo"]) : pick(["true", "'nil'"])
        }
    }

    mutating func separator() -> String {
        pick([", ", ",", ", ", ",\n  ", elixir ? ", # note\n" : ", % note\n", " , "])
    }

    /// Operator atoms as Elixir source writes them bare, after `:` (`:+`) and as keyword keys (`+: 1`): the operators
    /// Elixir's tokenizer reads as a keyword key when `:` and whitespace follow (`handle_op/8`, `handle_unary_op/8`
    /// and its `.:`, `...:`, `<<>>:`, `%{}:`, `%:`, `&:`, `{}:`, `..//:` clauses), which is every operator atom but
    /// `::` (`::: 1` is the atom `:::` followed by 1).
    static let operatorSources: [String] = [
        "+", "-", "*", "/", "**", "<>", "++", "--", "+++", "---", "..", "...", "..//", "<<>>", "%{}", "{}", "%", "&",
        "|>", "|", "||", "|||", "&&", "&&&", "!", "^", "@", "=", "==", "===", "!=", "!==", "=~", "<", ">", "<=", ">=",
        "<-", "->", "\\\\", ".", "<<<", ">>>", "<<~", "~>>", "<~", "~>", "<~>", "<|>", "^^^", "~~~",
    ]
    /// Keys that look like operators but must be quoted.
    static let quotedOperatorKeys = ["\"::\"", "\"//\"", "\"=>\"", "\"not in\"", "\"+:\"", "\"\\\\\""]

    mutating func atom() -> String {
        if elixir {
            if below(5) == 0 { return ":" + pick(Self.operatorSources) }
            return pick([
                ":ok", ":error", ":foo_bar", ":\"a b\"", ":\"with \\\"q\\\"\"", ":'it''s'", ":Foo", ":a?", ":b!",
                ":+", ":&&", ":\"::\"", ":<>", ":héllo", ":\"😀\"", ":x@y", ":\"\\n\"", ":\"//\"", ":\"=>\"",
                ":\"not in\"",
            ]).replacingOccurrences(of: "''", with: "")
        }
        return pick(["ok", "error", "foo_bar", "'a b'", "'with \\'q\\''", "'Foo'", "x@y", "'😀'", "'\\n'", "été"])
    }

    mutating func smallInteger() -> String {
        let v = below(100_000) - 50_000
        switch below(5) {
        case 0 where v >= 1000:
            let s = String(v)
            return String(s.dropLast(3)) + "_" + String(s.suffix(3))
        case 1 where v >= 0: return elixir ? "0x" + String(v, radix: 16, uppercase: true) : "16#" + String(v, radix: 16)
        case 2 where v >= 0: return elixir ? "0b" + String(v, radix: 2) : "2#" + String(v, radix: 2)
        case 3 where v >= 0: return elixir ? "0o" + String(v, radix: 8) : "8#" + String(v, radix: 8)
        default: return String(v)
        }
    }

    mutating func bigInteger() -> String {
        let digits = 15 + below(40)
        var s = String(1 + below(9))
        for _ in 1..<digits { s += String(below(10)) }
        return below(2) == 0 ? s : "-" + s
    }

    mutating func float() -> String {
        var s = String(below(2000)) + "." + String(below(100_000))
        if below(2) == 0 { s += pick(["e", "E"]) + pick(["", "-", "+"]) + String(below(300)) }
        return below(3) == 0 ? "-" + s : s
    }

    mutating func stringBody(quote: Character) -> String {
        var s = ""
        for _ in 0..<below(8) {
            if elixir {
                s += pick([
                    "a", "Z", "é", "😀", " ", "\\n", "\\t", "\\\\", "\\\(quote)", "\\x41", "\\u{1F600}", "\\u00e9",
                    "#", "\\#{", "\\e", "\\s", "\\0", "\\z", "\n", "'\"".contains(quote) ? "~" : "x",
                ])
            } else {
                s += pick([
                    "a", "Z", "é", "😀", " ", "\\n", "\\t", "\\\\", "\\\(quote)", "\\x41", "\\x{1F600}", "\\101",
                    "\\^a", "\\s", "\\e", "\\z", "#", "~",
                ])
            }
        }
        return s
    }

    mutating func string() -> String {
        if elixir { return "\"" + stringBody(quote: "\"") + "\"" }
        let s = "\"" + stringBody(quote: "\"") + "\""
        return below(4) == 0 ? s + " \"" + stringBody(quote: "\"") + "\"" : s
    }

    mutating func charlist() -> String {
        if elixir {
            return below(2) == 0 ? "'" + stringBody(quote: "'") + "'" : "~c\"" + stringBody(quote: "\"") + "\""
        }
        return "[" + (0..<below(4)).map { _ in String(below(1000)) }.joined(separator: ",") + "]"
    }

    mutating func character() -> String {
        let c = pick(["a", "z", "é", "😀", "\\n", "\\s", "\\\\", "0"])
        return (elixir ? "?" : "$") + c
    }

    mutating func simpleBinary() -> String {
        let items = (0..<below(5)).map { _ in String(below(300) - 20) }
        return "<<" + items.joined(separator: ", ") + ">>"
    }

    mutating func segmentedBinary() -> String {
        var segs: [String] = []
        for _ in 0..<(1 + below(4)) {
            let v = below(70_000) - 1000
            if elixir {
                segs.append(
                    pick([
                        "\(v)::16", "\(v)::little-32", "\(v)::size(3)", "\(v)::5", "\"ab\"::binary", "\"é\"::utf16",
                        "233::utf8", "1.5::float-32", "-2.25::float", "\(v)::integer-size(2)-unit(8)", "\"x\"",
                    ]))
            } else {
                segs.append(
                    pick([
                        "\(v):16", "\(v):32/little", "\(v):3", "\(v):5", "\"ab\"", "\"é\"/utf16", "233/utf8",
                        "1.5:32/float", "-2.25/float", "\(v):2/integer-unit:8", "$x",
                    ]))
            }
        }
        return "<<" + segs.joined(separator: elixir ? ", " : ",") + ">>"
    }

    mutating func elements(depth: Int) -> [String] {
        (0..<below(5)).map { _ in term(depth: depth - 1) }
    }

    mutating func list(depth: Int) -> String {
        let items = elements(depth: depth)
        return "[" + items.joined(separator: separator()) + "]"
    }

    mutating func tuple(depth: Int) -> String {
        var items = elements(depth: depth)
        if elixir && !items.isEmpty && below(4) == 0 { items.append("k: " + term(depth: depth - 1)) }
        return "{" + items.joined(separator: separator()) + "}"
    }

    mutating func improperList(depth: Int) -> String {
        var items = elements(depth: depth)
        if items.isEmpty { items = [term(depth: 0)] }
        return "[" + items.joined(separator: separator()) + " | " + term(depth: depth - 1) + "]"
    }

    /// A keyword key (without its `:`): an identifier, a quoted name, or an operator.
    mutating func keywordKey() -> String {
        switch below(3) {
        case 0: return pick(Self.operatorSources)
        case 1: return pick(Self.quotedOperatorKeys)
        default: return pick(["a", "b_c", "d?", "\"e f\"", "Foo", "nil"])
        }
    }

    mutating func keywordList(depth: Int) -> String {
        var items: [String] = []
        for _ in 0..<below(4) { items.append(term(depth: depth - 1)) }
        for _ in 0..<(1 + below(3)) {
            items.append(keywordKey() + ": " + term(depth: depth - 1))
        }
        return "[" + items.joined(separator: separator()) + "]"
    }

    mutating func map(depth: Int) -> String {
        var entries: [String] = []
        for _ in 0..<below(4) { entries.append(term(depth: depth - 1) + " => " + term(depth: depth - 1)) }
        if elixir {
            for _ in 0..<below(3) {
                let key = below(2) == 0 ? pick(["a", "b", "c?"]) : keywordKey()
                entries.append(key + ": " + term(depth: depth - 1))
            }
            return "%{" + entries.joined(separator: separator()) + "}"
        }
        return "#{" + entries.joined(separator: separator()) + "}"
    }
}

/// What the VM prints, read back: random terms are printed by the BEAM (`inspect` for Elixir, `~w` for Erlang) and
/// the printed text must parse to the same term. This is the console's copy-and-paste path.
final class TermParserPrintedByBEAMTests: XCTestCase {
    /// Replaces what has no literal syntax (pids, ports, references, local funs) by atoms. With `asciiFuns`, export
    /// funs get ASCII names: `~w` prints a fun's names as raw UTF-8 bytes, which no reader can take back.
    static func literalOnly(_ t: Term, asciiFuns: Bool) -> Term {
        let f = { (t: Term) in literalOnly(t, asciiFuns: asciiFuns) }
        switch t {
        case .pid, .port, .reference, .localFun: return .atom("replaced")
        case .exportFun(let fun) where asciiFuns:
            let ascii =
                fun.module.name.unicodeScalars.allSatisfy(\.isASCII)
                && fun.function.name.unicodeScalars.allSatisfy(\.isASCII)
            return ascii ? t : .exportFun(ExportFun(module: "lists", function: "seq", arity: fun.arity))
        case .tuple(let e): return .tuple(e.map(f))
        case .list(let e): return .list(e.map(f))
        case .improperList(let e, let tail): return .improperList(e.map(f), tail: f(tail))
        case .map(let m): return .map(TermMap(m.entries.map { (f($0.key), f($0.value)) }))
        default: return t
        }
    }

    func roundTrip(op: String, syntax: SourceSyntax, seed: UInt64, count: Int) throws {
        let oracle = try BeamOracle()
        defer { oracle.stop() }  // by PID
        var gen = TermGenerator(seed: seed)
        let terms = (0..<count).map { _ in Self.literalOnly(gen.next(), asciiFuns: syntax == .erlang) }
        let printed = try oracle.printed(op, terms)
        var checked = 0
        for (term, text) in zip(terms, printed) {
            let source: String
            switch text {
            case .success(let s): source = s
            case .failure(let f):
                XCTFail("BEAM could not print \(term): \(f)")
                continue
            }
            do {
                let parsed = try TermParser.parse(source, syntax: syntax)
                XCTAssertEqual(parsed, term, "\(syntax) \(source.prefix(500))")
                checked += 1
            } catch {
                XCTFail("\(syntax): cannot read back \(source.prefix(500)): \(error)")
            }
        }
        XCTAssertEqual(checked, count)
    }

    /// Every operator atom and near miss (``TermGenerator/operatorAtoms``) as Elixir's `inspect` prints it — alone,
    /// as a keyword key, as a map key — reads back as the same term, and ``ElixirInspect`` prints the same text.
    func testElixirInspectOfOperatorAtomsReadsBack() throws {
        let oracle = try BeamOracle()
        defer { oracle.stop() }  // by PID
        var terms: [Term] = []
        for name in TermGenerator.operatorAtoms {
            let a = Term.atom(Atom(name))
            terms += [
                a, [.tuple([a, 1])], .map(TermMap([(a, 1)])), [.tuple(["a", 1]), .tuple([a, a])],
                .map(TermMap([("a", 1), (a, .list([.tuple([a, 1])]))])), .tuple([a, [.tuple([a, 1])]]), [a, a],
                .map(TermMap([(a, a), (1, 2)])),
            ]
        }
        var checked = 0
        for (term, text) in zip(terms, try oracle.inspect(terms)) {
            let source = try text.get()
            XCTAssertEqual(ElixirInspect.inspect(term), source, "our printer, for \(term)")
            do {
                let parsed = try TermParser.parse(source, syntax: .elixir)
                XCTAssertEqual(parsed, term, source)
                checked += 1
            } catch {
                XCTFail("cannot read back \(source): \(error)")
            }
        }
        XCTAssertEqual(checked, terms.count)
    }

    func testElixirInspectReadsBack() throws {
        try roundTrip(op: "inspect_full", syntax: .elixir, seed: 42, count: TermParserOracleTests.generatedCount)
    }

    func testErlangTildeWReadsBack() throws {
        try roundTrip(op: "fmt_w", syntax: .erlang, seed: 43, count: TermParserOracleTests.generatedCount)
    }
}
