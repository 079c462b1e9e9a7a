import ErlangTerm
import TermSyntax
import XCTest

// Expected strings were produced by Elixir 1.14.0 / OTP 25 with `inspect(value)` and
// `inspect(value, pretty: true, width: 80)`, where `value` is the Elixir expression in the comment above each test.
// The Term built in Swift is the value as it arrives from a node (structs are plain maps).

final class ElixirInspectTests: XCTestCase {
    /// `:ok`
    func test_atomOk() {
        let term: Term = .atom("ok")
        XCTAssertEqual(ElixirInspect.inspect(term), ":ok")
        XCTAssertEqual(ElixirInspect.inspect(term, options: .pretty), ElixirInspect.inspect(term))
    }

    /// `:"foo bar"`
    func test_atomSpace() {
        let term: Term = .atom("foo bar")
        XCTAssertEqual(ElixirInspect.inspect(term), ":\"foo bar\"")
        XCTAssertEqual(ElixirInspect.inspect(term, options: .pretty), ElixirInspect.inspect(term))
    }

    /// `:"with\"quote"`
    func test_atomQuote() {
        let term: Term = .atom("with\"quote")
        XCTAssertEqual(ElixirInspect.inspect(term), ":\"with\\\"quote\"")
        XCTAssertEqual(ElixirInspect.inspect(term, options: .pretty), ElixirInspect.inspect(term))
    }

    /// `:+`
    func test_atomPlus() {
        let term: Term = .atom("+")
        XCTAssertEqual(ElixirInspect.inspect(term), ":+")
        XCTAssertEqual(ElixirInspect.inspect(term, options: .pretty), ElixirInspect.inspect(term))
    }

    /// `:"::"`
    func test_atomColons() {
        let term: Term = .atom("::")
        XCTAssertEqual(ElixirInspect.inspect(term), ":\"::\"")
        XCTAssertEqual(ElixirInspect.inspect(term, options: .pretty), ElixirInspect.inspect(term))
    }

    /// `:&&`
    func test_atomAndAnd() {
        let term: Term = .atom("&&")
        XCTAssertEqual(ElixirInspect.inspect(term), ":&&")
        XCTAssertEqual(ElixirInspect.inspect(term, options: .pretty), ElixirInspect.inspect(term))
    }

    /// `:...`
    func test_atomDots() {
        let term: Term = .atom("...")
        XCTAssertEqual(ElixirInspect.inspect(term), ":...")
        XCTAssertEqual(ElixirInspect.inspect(term, options: .pretty), ElixirInspect.inspect(term))
    }

    /// `nil`
    func test_atomNil() {
        let term: Term = .atom("nil")
        XCTAssertEqual(ElixirInspect.inspect(term), "nil")
        XCTAssertEqual(ElixirInspect.inspect(term, options: .pretty), ElixirInspect.inspect(term))
    }

    /// `true`
    func test_atomTrue() {
        let term: Term = .atom("true")
        XCTAssertEqual(ElixirInspect.inspect(term), "true")
        XCTAssertEqual(ElixirInspect.inspect(term, options: .pretty), ElixirInspect.inspect(term))
    }

    /// `MyApp.Stats`
    func test_atomAlias() {
        let term: Term = .atom("Elixir.MyApp.Stats")
        XCTAssertEqual(ElixirInspect.inspect(term), "MyApp.Stats")
        XCTAssertEqual(ElixirInspect.inspect(term, options: .pretty), ElixirInspect.inspect(term))
    }

    /// `:"Elixir.foo"`
    func test_atomBadAlias() {
        let term: Term = .atom("Elixir.foo")
        XCTAssertEqual(ElixirInspect.inspect(term), ":\"Elixir.foo\"")
        XCTAssertEqual(ElixirInspect.inspect(term, options: .pretty), ElixirInspect.inspect(term))
    }

    /// `:"Elixir"`
    func test_atomElixir() {
        let term: Term = .atom("Elixir")
        XCTAssertEqual(ElixirInspect.inspect(term), "Elixir")
        XCTAssertEqual(ElixirInspect.inspect(term, options: .pretty), ElixirInspect.inspect(term))
    }

    /// `:Foo`
    func test_atomUpper() {
        let term: Term = .atom("Foo")
        XCTAssertEqual(ElixirInspect.inspect(term), ":Foo")
        XCTAssertEqual(ElixirInspect.inspect(term, options: .pretty), ElixirInspect.inspect(term))
    }

    /// `:héllo`
    func test_atomUnicode() {
        let term: Term = .atom("héllo")
        XCTAssertEqual(ElixirInspect.inspect(term), ":héllo")
        XCTAssertEqual(ElixirInspect.inspect(term, options: .pretty), ElixirInspect.inspect(term))
    }

    /// `:Élan`
    func test_atomUnicodeUpper() {
        let term: Term = .atom("Élan")
        XCTAssertEqual(ElixirInspect.inspect(term), ":Élan")
        XCTAssertEqual(ElixirInspect.inspect(term, options: .pretty), ElixirInspect.inspect(term))
    }

    /// `:"Ωmega"`
    func test_atomMixedScript() {
        let term: Term = .atom("Ωmega")
        XCTAssertEqual(ElixirInspect.inspect(term), ":\"Ωmega\"")
        XCTAssertEqual(ElixirInspect.inspect(term, options: .pretty), ElixirInspect.inspect(term))
    }

    /// `:"a\u0301"`
    func test_atomNotNFC() {
        let term: Term = .atom("a\u{301}")
        XCTAssertEqual(ElixirInspect.inspect(term), ":\"á\"")
        XCTAssertEqual(ElixirInspect.inspect(term, options: .pretty), ElixirInspect.inspect(term))
    }

    /// `String.to_atom("\u{2003C}\u{338}")` and with an `a` before: already NFC, so an identifier (Foundation's NFC
    /// composed the pair into U+226E, and the atom was quoted).
    func test_atomSupplementaryAndCombiningMark() {
        XCTAssertEqual(ElixirInspect.inspect(.atom("\u{2003C}\u{338}")), ":\u{2003C}\u{338}")
        XCTAssertEqual(ElixirInspect.inspect(.atom("a\u{2003C}\u{338}")), ":a\u{2003C}\u{338}")
    }

    /// `String.to_atom("\u{CCA}\u{CD5}")`: NFC composes it into U+0CCB.
    func test_atomThatComposes() {
        XCTAssertEqual(ElixirInspect.inspect(.atom("\u{CCA}\u{CD5}")), ":\"\u{CCA}\u{CD5}\"")
    }

    /// `Enum.reduce(1..1000, :x, fn _, acc -> {acc} end)`, with the default limit and with `limit: :infinity`:
    /// deeper than the calling thread's stack is sized for, so printed on a thread of its own.
    func test_deepTuple() {
        let term = (0..<1000).reduce(Term.atom("x")) { t, _ in .tuple([t]) }
        let cut = String(repeating: "{", count: 51) + "..." + String(repeating: "}", count: 51)
        XCTAssertEqual(ElixirInspect.inspect(term), cut)
        XCTAssertEqual(ElixirInspect.inspect(term, options: .pretty), cut)
        XCTAssertEqual(
            ElixirInspect.inspect(term, options: ElixirInspectOptions(limit: nil)),
            String(repeating: "{", count: 1000) + ":x" + String(repeating: "}", count: 1000))
    }

    /// `:foo?`
    func test_atomQuestion() {
        let term: Term = .atom("foo?")
        XCTAssertEqual(ElixirInspect.inspect(term), ":foo?")
        XCTAssertEqual(ElixirInspect.inspect(term, options: .pretty), ElixirInspect.inspect(term))
    }

    /// `:a@b`
    func test_atomAt() {
        let term: Term = .atom("a@b")
        XCTAssertEqual(ElixirInspect.inspect(term), ":a@b")
        XCTAssertEqual(ElixirInspect.inspect(term, options: .pretty), ElixirInspect.inspect(term))
    }

    /// `:"1a"`
    func test_atomDigitFirst() {
        let term: Term = .atom("1a")
        XCTAssertEqual(ElixirInspect.inspect(term), ":\"1a\"")
        XCTAssertEqual(ElixirInspect.inspect(term, options: .pretty), ElixirInspect.inspect(term))
    }

    /// `:""`
    func test_atomEmpty() {
        let term: Term = .atom("")
        XCTAssertEqual(ElixirInspect.inspect(term), ":\"\"")
        XCTAssertEqual(ElixirInspect.inspect(term, options: .pretty), ElixirInspect.inspect(term))
    }

    /// `:%{}`
    func test_atomMapOp() {
        let term: Term = .atom("%{}")
        XCTAssertEqual(ElixirInspect.inspect(term), ":%{}")
        XCTAssertEqual(ElixirInspect.inspect(term, options: .pretty), ElixirInspect.inspect(term))
    }

    /// `:"//"`
    func test_atomSlashSlash() {
        let term: Term = .atom("//")
        XCTAssertEqual(ElixirInspect.inspect(term), ":\"//\"")
        XCTAssertEqual(ElixirInspect.inspect(term, options: .pretty), ElixirInspect.inspect(term))
    }

    /// `:\\`
    func test_atomBackslashes() {
        let term: Term = .atom("\\\\")
        XCTAssertEqual(ElixirInspect.inspect(term), ":\\\\")
        XCTAssertEqual(ElixirInspect.inspect(term, options: .pretty), ElixirInspect.inspect(term))
    }

    /// `:"x\ny"`
    func test_atomNewline() {
        let term: Term = .atom("x\ny")
        XCTAssertEqual(ElixirInspect.inspect(term), ":\"x\\ny\"")
        XCTAssertEqual(ElixirInspect.inspect(term, options: .pretty), ElixirInspect.inspect(term))
    }

    /// `0`
    func test_intZero() {
        let term: Term = .integer(0)
        XCTAssertEqual(ElixirInspect.inspect(term), "0")
        XCTAssertEqual(ElixirInspect.inspect(term, options: .pretty), ElixirInspect.inspect(term))
    }

    /// `-42`
    func test_intNeg() {
        let term: Term = .integer(-42)
        XCTAssertEqual(ElixirInspect.inspect(term), "-42")
        XCTAssertEqual(ElixirInspect.inspect(term, options: .pretty), ElixirInspect.inspect(term))
    }

    /// `18446744073709551616`
    func test_bigInt() {
        let term: Term = .int(BigInt(2).power(64))
        XCTAssertEqual(ElixirInspect.inspect(term), "18446744073709551616")
        XCTAssertEqual(ElixirInspect.inspect(term, options: .pretty), ElixirInspect.inspect(term))
    }

    /// `-1180591620717411303424`
    func test_bigIntNeg() {
        let term: Term = .int(-BigInt(2).power(70))
        XCTAssertEqual(ElixirInspect.inspect(term), "-1180591620717411303424")
        XCTAssertEqual(ElixirInspect.inspect(term, options: .pretty), ElixirInspect.inspect(term))
    }

    /// `1.0e20`
    func test_float1e20() {
        let term: Term = .float(1.0e20)
        XCTAssertEqual(ElixirInspect.inspect(term), "1.0e20")
        XCTAssertEqual(ElixirInspect.inspect(term, options: .pretty), ElixirInspect.inspect(term))
    }

    /// `1.0e-5`
    func test_float1em5() {
        let term: Term = .float(1.0e-5)
        XCTAssertEqual(ElixirInspect.inspect(term), "1.0e-5")
        XCTAssertEqual(ElixirInspect.inspect(term, options: .pretty), ElixirInspect.inspect(term))
    }

    /// `-0.0`
    func test_floatNegZero() {
        let term: Term = .float(-0.0)
        XCTAssertEqual(ElixirInspect.inspect(term), "-0.0")
        XCTAssertEqual(ElixirInspect.inspect(term, options: .pretty), ElixirInspect.inspect(term))
    }

    /// `0.1`
    func test_floatTenth() {
        let term: Term = .float(0.1)
        XCTAssertEqual(ElixirInspect.inspect(term), "0.1")
        XCTAssertEqual(ElixirInspect.inspect(term, options: .pretty), ElixirInspect.inspect(term))
    }

    /// `1.0e16`
    func test_float1e16() {
        let term: Term = .float(1.0e16)
        XCTAssertEqual(ElixirInspect.inspect(term), "1.0e16")
        XCTAssertEqual(ElixirInspect.inspect(term, options: .pretty), ElixirInspect.inspect(term))
    }

    /// `1.0e15`
    func test_float1e15() {
        let term: Term = .float(1.0e15)
        XCTAssertEqual(ElixirInspect.inspect(term), "1000000000000000.0")
        XCTAssertEqual(ElixirInspect.inspect(term, options: .pretty), ElixirInspect.inspect(term))
    }

    /// `9007199254740992.0`
    func test_float2p53() {
        let term: Term = .float(9007199254740992.0)
        XCTAssertEqual(ElixirInspect.inspect(term), "9007199254740992.0")
        XCTAssertEqual(ElixirInspect.inspect(term, options: .pretty), ElixirInspect.inspect(term))
    }

    /// `9007199254740991.5`
    func test_float2p53m1() {
        let term: Term = .float(9007199254740991.5)
        XCTAssertEqual(ElixirInspect.inspect(term), "9007199254740992.0")
        XCTAssertEqual(ElixirInspect.inspect(term, options: .pretty), ElixirInspect.inspect(term))
    }

    /// `123.456`
    func test_floatFrac() {
        let term: Term = .float(123.456)
        XCTAssertEqual(ElixirInspect.inspect(term), "123.456")
        XCTAssertEqual(ElixirInspect.inspect(term, options: .pretty), ElixirInspect.inspect(term))
    }

    /// `1.5e300`
    func test_floatHuge() {
        let term: Term = .float(1.5e300)
        XCTAssertEqual(ElixirInspect.inspect(term), "1.5e300")
        XCTAssertEqual(ElixirInspect.inspect(term, options: .pretty), ElixirInspect.inspect(term))
    }

    /// `5.0e-324`
    func test_floatDenormal() {
        let term: Term = .float(5.0e-324)
        XCTAssertEqual(ElixirInspect.inspect(term), "5.0e-324")
        XCTAssertEqual(ElixirInspect.inspect(term, options: .pretty), ElixirInspect.inspect(term))
    }

    /// `100.0`
    func test_floatHundred() {
        let term: Term = .float(100.0)
        XCTAssertEqual(ElixirInspect.inspect(term), "100.0")
        XCTAssertEqual(ElixirInspect.inspect(term, options: .pretty), ElixirInspect.inspect(term))
    }

    /// `0.0001`
    func test_float1em4() {
        let term: Term = .float(0.0001)
        XCTAssertEqual(ElixirInspect.inspect(term), "0.0001")
        XCTAssertEqual(ElixirInspect.inspect(term, options: .pretty), ElixirInspect.inspect(term))
    }

    /// `1.2345e-4`
    func test_float12345em4() {
        let term: Term = .float(1.2345e-4)
        XCTAssertEqual(ElixirInspect.inspect(term), "1.2345e-4")
        XCTAssertEqual(ElixirInspect.inspect(term, options: .pretty), ElixirInspect.inspect(term))
    }

    /// `1/3`
    func test_floatThird() {
        let term: Term = .float(1.0 / 3.0)
        XCTAssertEqual(ElixirInspect.inspect(term), "0.3333333333333333")
        XCTAssertEqual(ElixirInspect.inspect(term, options: .pretty), ElixirInspect.inspect(term))
    }

    /// `"héllo"`
    func test_stringUnicode() {
        let term: Term = Term.string("héllo")
        XCTAssertEqual(ElixirInspect.inspect(term), "\"héllo\"")
        XCTAssertEqual(ElixirInspect.inspect(term, options: .pretty), ElixirInspect.inspect(term))
    }

    /// `<<255, 0>>`
    func test_binaryNonPrintable() {
        let term: Term = .binary([255, 0])
        XCTAssertEqual(ElixirInspect.inspect(term), "<<255, 0>>")
        XCTAssertEqual(ElixirInspect.inspect(term, options: .pretty), ElixirInspect.inspect(term))
    }

    /// `<<104, 105, 255>>`
    func test_binaryInvalidUTF8() {
        let term: Term = .binary([104, 105, 255])
        XCTAssertEqual(ElixirInspect.inspect(term), "<<104, 105, 255>>")
        XCTAssertEqual(ElixirInspect.inspect(term, options: .pretty), ElixirInspect.inspect(term))
    }

    /// `"a\n\t\e\"\#{x}\\ \a\b\v\f\r\d"`
    func test_stringEscapes() {
        let term: Term = Term.string("a\n\t\u{1B}\"#{x}\\ \u{7}\u{8}\u{B}\u{C}\r\u{7F}")
        XCTAssertEqual(ElixirInspect.inspect(term), "\"a\\n\\t\\e\\\"\\#{x}\\\\ \\a\\b\\v\\f\\r\\d\"")
        XCTAssertEqual(ElixirInspect.inspect(term, options: .pretty), ElixirInspect.inspect(term))
    }

    /// `"\u0000\uFEFF\u00A0"`
    func test_stringNulBom() {
        let term: Term = Term.string("\u{0}\u{FEFF}\u{A0}")
        XCTAssertEqual(ElixirInspect.inspect(term), "<<0, 239, 187, 191, 194, 160>>")
        XCTAssertEqual(ElixirInspect.inspect(term, options: .pretty), ElixirInspect.inspect(term))
    }

    /// `"\u0080"`
    func test_stringC1() {
        let term: Term = Term.string("\u{80}")
        XCTAssertEqual(ElixirInspect.inspect(term), "<<194, 128>>")
        XCTAssertEqual(ElixirInspect.inspect(term, options: .pretty), ElixirInspect.inspect(term))
    }

    /// `""`
    func test_stringEmpty() {
        let term: Term = Term.string("")
        XCTAssertEqual(ElixirInspect.inspect(term), "\"\"")
        XCTAssertEqual(ElixirInspect.inspect(term, options: .pretty), ElixirInspect.inspect(term))
    }

    /// `<<1::size(3)>>`
    func test_bitstring3() {
        let term: Term = Term.bits([0b0010_0000], bitCount: 3)
        XCTAssertEqual(ElixirInspect.inspect(term), "<<1::size(3)>>")
        XCTAssertEqual(ElixirInspect.inspect(term, options: .pretty), ElixirInspect.inspect(term))
    }

    /// `<<1, 2, 3::size(4)>>`
    func test_bitstring20() {
        let term: Term = Term.bits([1, 2, 0x30], bitCount: 20)
        XCTAssertEqual(ElixirInspect.inspect(term), "<<1, 2, 3::size(4)>>")
        XCTAssertEqual(ElixirInspect.inspect(term, options: .pretty), ElixirInspect.inspect(term))
    }

    /// `'abc'`
    func test_charlist() {
        let term: Term = .charlist("abc")
        XCTAssertEqual(ElixirInspect.inspect(term), "'abc'")
        XCTAssertEqual(ElixirInspect.inspect(term, options: .pretty), ElixirInspect.inspect(term))
    }

    /// `'it\'s'`
    func test_charlistQuote() {
        let term: Term = .charlist("it's")
        XCTAssertEqual(ElixirInspect.inspect(term), "'it\\'s'")
        XCTAssertEqual(ElixirInspect.inspect(term, options: .pretty), ElixirInspect.inspect(term))
    }

    /// `[104, 105, 0]`
    func test_charlistNotPrintable() {
        let term: Term = .list([104, 105, 0])
        XCTAssertEqual(ElixirInspect.inspect(term), "[104, 105, 0]")
        XCTAssertEqual(ElixirInspect.inspect(term, options: .pretty), ElixirInspect.inspect(term))
    }

    /// `[7, 27]`
    func test_charlistControl() {
        let term: Term = .list([7, 27])
        XCTAssertEqual(ElixirInspect.inspect(term), "'\\a\\e'")
        XCTAssertEqual(ElixirInspect.inspect(term, options: .pretty), ElixirInspect.inspect(term))
    }

    /// `[233]`
    func test_charlistUnicode() {
        let term: Term = .list([233])
        XCTAssertEqual(ElixirInspect.inspect(term), "[233]")
        XCTAssertEqual(ElixirInspect.inspect(term, options: .pretty), ElixirInspect.inspect(term))
    }

    /// `[1, 2, 3]`
    func test_list() {
        let term: Term = [1, 2, 3]
        XCTAssertEqual(ElixirInspect.inspect(term), "[1, 2, 3]")
        XCTAssertEqual(ElixirInspect.inspect(term, options: .pretty), ElixirInspect.inspect(term))
    }

    /// `[]`
    func test_listEmpty() {
        let term: Term = .list([])
        XCTAssertEqual(ElixirInspect.inspect(term), "[]")
        XCTAssertEqual(ElixirInspect.inspect(term, options: .pretty), ElixirInspect.inspect(term))
    }

    /// `[a: 1, "b c": 2]`
    func test_keyword() {
        let term: Term = .keywordList(["a": 1, "b c": 2])
        XCTAssertEqual(ElixirInspect.inspect(term), "[a: 1, \"b c\": 2]")
        XCTAssertEqual(ElixirInspect.inspect(term, options: .pretty), ElixirInspect.inspect(term))
    }

    /// `[+: 1, "::": 2, ...: 3, Foo: 4, "%{}": 5]`
    func test_keywordOperators() {
        let term: Term = .keywordList(["+": 1, "::": 2, "...": 3, "Foo": 4, "%{}": 5])
        XCTAssertEqual(ElixirInspect.inspect(term), "[+: 1, \"::\": 2, ...: 3, Foo: 4, %{}: 5]")
        XCTAssertEqual(ElixirInspect.inspect(term, options: .pretty), ElixirInspect.inspect(term))
    }

    /// `[{Foo, 3}]`
    func test_keywordAliasKey() {
        let term: Term = .list([.tuple([.atom("Elixir.Foo"), 3])])
        XCTAssertEqual(ElixirInspect.inspect(term), "[{Foo, 3}]")
        XCTAssertEqual(ElixirInspect.inspect(term, options: .pretty), ElixirInspect.inspect(term))
    }

    /// `[1 | 2]`
    func test_improper() {
        let term: Term = .improperList([1], tail: 2)
        XCTAssertEqual(ElixirInspect.inspect(term), "[1 | 2]")
        XCTAssertEqual(ElixirInspect.inspect(term, options: .pretty), ElixirInspect.inspect(term))
    }

    /// `[1, :a, "s" | :t]`
    func test_improperLong() {
        let term: Term = .improperList([1, "a", .string("s")], tail: "t")
        XCTAssertEqual(ElixirInspect.inspect(term), "[1, :a, \"s\" | :t]")
        XCTAssertEqual(ElixirInspect.inspect(term, options: .pretty), ElixirInspect.inspect(term))
    }

    /// `{}`
    func test_tupleEmpty() {
        let term: Term = .tuple([])
        XCTAssertEqual(ElixirInspect.inspect(term), "{}")
        XCTAssertEqual(ElixirInspect.inspect(term, options: .pretty), ElixirInspect.inspect(term))
    }

    /// `{:ok, 1}`
    func test_tuple() {
        let term: Term = .tuple(["ok", 1])
        XCTAssertEqual(ElixirInspect.inspect(term), "{:ok, 1}")
        XCTAssertEqual(ElixirInspect.inspect(term, options: .pretty), ElixirInspect.inspect(term))
    }

    /// `%{b: 1, a: 2}`
    func test_mapAtomKeys() {
        let term: Term = ["b": 1, "a": 2]
        XCTAssertEqual(ElixirInspect.inspect(term), "%{a: 2, b: 1}")
        XCTAssertEqual(ElixirInspect.inspect(term, options: .pretty), ElixirInspect.inspect(term))
    }

    /// `%{1 => 2, :a => 3}`
    func test_mapMixedKeys() {
        let term: Term = [1: 2, "a": 3]
        XCTAssertEqual(ElixirInspect.inspect(term), "%{1 => 2, :a => 3}")
        XCTAssertEqual(ElixirInspect.inspect(term, options: .pretty), ElixirInspect.inspect(term))
    }

    /// `%{"Elixir.Foo": 3}`
    func test_mapAliasKey() {
        let term: Term = ["Elixir.Foo": 3]
        XCTAssertEqual(ElixirInspect.inspect(term), "%{Foo => 3}")
        XCTAssertEqual(ElixirInspect.inspect(term, options: .pretty), ElixirInspect.inspect(term))
    }

    /// `%{}`
    func test_mapEmpty() {
        let term: Term = .map(TermMap())
        XCTAssertEqual(ElixirInspect.inspect(term), "%{}")
        XCTAssertEqual(ElixirInspect.inspect(term, options: .pretty), ElixirInspect.inspect(term))
    }

    /// `%{2 => :a, 1.0 => :b, 1 => :c, "s" => 1, [] => 2, {} => 3, :z => 4}`
    func test_mapKeyOrder() {
        let term: Term = .map(TermMap([(2, "a"), (1.0, "b"), (1, "c"), (.string("s"), 1), (.list([]), 2), (.tuple([]), 3), ("z", 4)]))
        XCTAssertEqual(ElixirInspect.inspect(term), "%{1 => :c, 2 => :a, 1.0 => :b, :z => 4, {} => 3, [] => 2, \"s\" => 1}")
        XCTAssertEqual(ElixirInspect.inspect(term, options: .pretty), ElixirInspect.inspect(term))
    }

    /// `%{__struct__: Foo.Bar, a: 1}`
    func test_structUnknown() {
        let term: Term = ["__struct__": "Elixir.Foo.Bar", "a": 1]
        XCTAssertEqual(ElixirInspect.inspect(term), "%{__struct__: Foo.Bar, a: 1}")
        XCTAssertEqual(ElixirInspect.inspect(term, options: .pretty), ElixirInspect.inspect(term))
    }

    /// `1..3`
    func test_range() {
        let term: Term = ["__struct__": "Elixir.Range", "first": 1, "last": 3, "step": 1]
        XCTAssertEqual(ElixirInspect.inspect(term), "1..3")
        XCTAssertEqual(ElixirInspect.inspect(term, options: .pretty), ElixirInspect.inspect(term))
    }

    /// `3..1//-1`
    func test_rangeDown() {
        let term: Term = ["__struct__": "Elixir.Range", "first": 3, "last": 1, "step": -1]
        XCTAssertEqual(ElixirInspect.inspect(term), "3..1//-1")
        XCTAssertEqual(ElixirInspect.inspect(term, options: .pretty), ElixirInspect.inspect(term))
    }

    /// `1..10//2`
    func test_rangeStep() {
        let term: Term = ["__struct__": "Elixir.Range", "first": 1, "last": 10, "step": 2]
        XCTAssertEqual(ElixirInspect.inspect(term), "1..10//2")
        XCTAssertEqual(ElixirInspect.inspect(term, options: .pretty), ElixirInspect.inspect(term))
    }

    /// `MapSet.new([2, 1, :a])`
    func test_mapSet() {
        let term: Term = ["__struct__": "Elixir.MapSet", "map": [2: .list([]), 1: .list([]), "a": .list([])], "version": 2]
        XCTAssertEqual(ElixirInspect.inspect(term), "MapSet.new([1, 2, :a])")
        XCTAssertEqual(ElixirInspect.inspect(term, options: .pretty), ElixirInspect.inspect(term))
    }

    /// `MapSet.new(['ab'])`
    func test_mapSetCharlist() {
        let term: Term = ["__struct__": "Elixir.MapSet", "map": [.charlist("ab"): .list([])], "version": 2]
        XCTAssertEqual(ElixirInspect.inspect(term), "MapSet.new([[97, 98]])")
        XCTAssertEqual(ElixirInspect.inspect(term, options: .pretty), ElixirInspect.inspect(term))
    }

    /// `~D[2024-01-02]`
    func test_date() {
        let term: Term = ["__struct__": "Elixir.Date", "calendar": "Elixir.Calendar.ISO", "year": 2024, "month": 1, "day": 2]
        XCTAssertEqual(ElixirInspect.inspect(term), "~D[2024-01-02]")
        XCTAssertEqual(ElixirInspect.inspect(term, options: .pretty), ElixirInspect.inspect(term))
    }

    /// `~T[01:02:03.004]`
    func test_time() {
        let term: Term = ["__struct__": "Elixir.Time", "calendar": "Elixir.Calendar.ISO", "hour": 1, "minute": 2, "second": 3, "microsecond": .tuple([4000, 3])]
        XCTAssertEqual(ElixirInspect.inspect(term), "~T[01:02:03.004]")
        XCTAssertEqual(ElixirInspect.inspect(term, options: .pretty), ElixirInspect.inspect(term))
    }

    /// `~N[2024-01-02 03:04:05]`
    func test_naive() {
        let term: Term = ["__struct__": "Elixir.NaiveDateTime", "calendar": "Elixir.Calendar.ISO", "year": 2024, "month": 1, "day": 2, "hour": 3, "minute": 4, "second": 5, "microsecond": .tuple([0, 0])]
        XCTAssertEqual(ElixirInspect.inspect(term), "~N[2024-01-02 03:04:05]")
        XCTAssertEqual(ElixirInspect.inspect(term, options: .pretty), ElixirInspect.inspect(term))
    }

    /// `~U[2024-01-02 03:04:05.123Z]`
    func test_dateTimeUTC() {
        let term: Term = ["__struct__": "Elixir.DateTime", "calendar": "Elixir.Calendar.ISO", "year": 2024, "month": 1, "day": 2, "hour": 3, "minute": 4, "second": 5, "microsecond": .tuple([123000, 3]), "time_zone": .string("Etc/UTC"), "zone_abbr": .string("UTC"), "utc_offset": 0, "std_offset": 0]
        XCTAssertEqual(ElixirInspect.inspect(term), "~U[2024-01-02 03:04:05.123Z]")
        XCTAssertEqual(ElixirInspect.inspect(term, options: .pretty), ElixirInspect.inspect(term))
    }

    /// `%DateTime{year: 2024, month: 1, day: 2, hour: 3, minute: 4, second: 5, microsecond: {0, 0}, time_zone: "Europe/Paris", zone_abbr: "CET", utc_offset: 3600, std_offset: 0}`
    func test_dateTimeZone() {
        let term: Term = ["__struct__": "Elixir.DateTime", "calendar": "Elixir.Calendar.ISO", "year": 2024, "month": 1, "day": 2, "hour": 3, "minute": 4, "second": 5, "microsecond": .tuple([0, 0]), "time_zone": .string("Europe/Paris"), "zone_abbr": .string("CET"), "utc_offset": 3600, "std_offset": 0]
        XCTAssertEqual(ElixirInspect.inspect(term), "#DateTime<2024-01-02 03:04:05+01:00 CET Europe/Paris>")
        XCTAssertEqual(ElixirInspect.inspect(term, options: .pretty), ElixirInspect.inspect(term))
    }

    /// `%{~r/a\/b\n/i | re_pattern: nil}`
    func test_regex() {
        let term: Term = ["__struct__": "Elixir.Regex", "opts": .string("i"), "re_pattern": .nil, "re_version": .nil, "source": .string("a/b\n")]
        XCTAssertEqual(ElixirInspect.inspect(term), "~r/a\\/b\\n/i")
        XCTAssertEqual(ElixirInspect.inspect(term, options: .pretty), ElixirInspect.inspect(term))
    }

    /// `URI.parse("http://x.com/a?b=1")`
    func test_uri() {
        let term: Term = ["__struct__": "Elixir.URI", "scheme": .string("http"), "authority": .string("x.com"), "userinfo": .nil, "host": .string("x.com"), "port": 80, "path": .string("/a"), "query": .string("b=1"), "fragment": .nil]
        XCTAssertEqual(ElixirInspect.inspect(term), "%URI{scheme: \"http\", authority: \"x.com\", userinfo: nil, host: \"x.com\", port: 80, path: \"/a\", query: \"b=1\", fragment: nil}")
        XCTAssertEqual(
            ElixirInspect.inspect(term, options: .pretty),
            "%URI{\n"
            + "  scheme: \"http\",\n"
            + "  authority: \"x.com\",\n"
            + "  userinfo: nil,\n"
            + "  host: \"x.com\",\n"
            + "  port: 80,\n"
            + "  path: \"/a\",\n"
            + "  query: \"b=1\",\n"
            + "  fragment: nil\n"
            + "}"
        )
    }

    /// `Version.parse!("1.2.3-rc.1+build")`
    func test_version() {
        let term: Term = ["__struct__": "Elixir.Version", "major": 1, "minor": 2, "patch": 3, "pre": .list([.string("rc"), 1]), "build": .string("build")]
        XCTAssertEqual(ElixirInspect.inspect(term), "%Version{major: 1, minor: 2, patch: 3, pre: [\"rc\", 1], build: \"build\"}")
        XCTAssertEqual(ElixirInspect.inspect(term, options: .pretty), ElixirInspect.inspect(term))
    }

    /// `Version.parse!("1.2.3")`
    func test_versionPlain() {
        let term: Term = ["__struct__": "Elixir.Version", "major": 1, "minor": 2, "patch": 3, "pre": .list([]), "build": .nil]
        XCTAssertEqual(ElixirInspect.inspect(term), "%Version{major: 1, minor: 2, patch: 3}")
        XCTAssertEqual(ElixirInspect.inspect(term, options: .pretty), ElixirInspect.inspect(term))
    }

    /// `:c.pid(0, 123, 0)`
    func test_pidLocal() {
        let term: Term = .pid(Pid(node: "nonode@nohost", id: 123, serial: 0, creation: 0))
        XCTAssertEqual(ElixirInspect.inspect(term), "#PID<0.123.0>")
        XCTAssertEqual(ElixirInspect.inspect(term, options: .pretty), ElixirInspect.inspect(term))
    }

    /// `:erlang.binary_to_term(<<131, 120, 119, 13, "nonode@nohost", 7::64, 0::32>>)`
    func test_port() {
        let term: Term = .port(ErlangPort(node: "nonode@nohost", id: 7, creation: 0))
        XCTAssertEqual(ElixirInspect.inspect(term), "#Port<0.7>")
        XCTAssertEqual(ElixirInspect.inspect(term, options: .pretty), ElixirInspect.inspect(term))
    }

    /// `:erlang.binary_to_term(<<131, 90, 3::16, 119, 13, "nonode@nohost", 0::32, 3::32, 2::32, 1::32>>)`
    func test_reference() {
        let term: Term = .reference(Reference(node: "nonode@nohost", creation: 0, ids: [3, 2, 1]))
        XCTAssertEqual(ElixirInspect.inspect(term), "#Reference<0.1.2.3>")
        XCTAssertEqual(ElixirInspect.inspect(term, options: .pretty), ElixirInspect.inspect(term))
    }

    /// `&:erlang.abs/1`
    func test_funErlang() {
        let term: Term = .exportFun(ExportFun(module: "erlang", function: "abs", arity: 1))
        XCTAssertEqual(ElixirInspect.inspect(term), "&:erlang.abs/1")
        XCTAssertEqual(ElixirInspect.inspect(term, options: .pretty), ElixirInspect.inspect(term))
    }

    /// `&Enum.map/2`
    func test_funElixir() {
        let term: Term = .exportFun(ExportFun(module: "Elixir.Enum", function: "map", arity: 2))
        XCTAssertEqual(ElixirInspect.inspect(term), "&Enum.map/2")
        XCTAssertEqual(ElixirInspect.inspect(term, options: .pretty), ElixirInspect.inspect(term))
    }

    /// `&:erlang.+/2`
    func test_funOperator() {
        let term: Term = .exportFun(ExportFun(module: "erlang", function: "+", arity: 2))
        XCTAssertEqual(ElixirInspect.inspect(term), "&:erlang.+/2")
        XCTAssertEqual(ElixirInspect.inspect(term, options: .pretty), ElixirInspect.inspect(term))
    }

    /// `&:"foo bar".baz/0`
    func test_funQuoted() {
        let term: Term = .exportFun(ExportFun(module: "foo bar", function: "baz", arity: 0))
        XCTAssertEqual(ElixirInspect.inspect(term), "&:\"foo bar\".baz/0")
        XCTAssertEqual(ElixirInspect.inspect(term, options: .pretty), ElixirInspect.inspect(term))
    }

    /// `:erlang.make_fun(:m, :"a b", 1)`
    func test_funQuotedName() {
        let term: Term = .exportFun(ExportFun(module: "m", function: "a b", arity: 1))
        XCTAssertEqual(ElixirInspect.inspect(term), "&:m.\"a b\"/1")
        XCTAssertEqual(ElixirInspect.inspect(term, options: .pretty), ElixirInspect.inspect(term))
    }

    /// `Enum.to_list(1..60)`
    func test_listLimit() {
        let term: Term = .list((1...60).map { .integer($0) })
        XCTAssertEqual(ElixirInspect.inspect(term), "[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40, 41, 42, 43, 44, 45, 46, 47, 48, 49, 50, ...]")
        XCTAssertEqual(
            ElixirInspect.inspect(term, options: .pretty),
            "[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22,\n"
            + " 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40, 41, 42,\n"
            + " 43, 44, 45, 46, 47, 48, 49, 50, ...]"
        )
    }

    /// `List.to_tuple(Enum.to_list(1..60))`
    func test_tupleLimit() {
        let term: Term = .tuple((1...60).map { .integer($0) })
        XCTAssertEqual(ElixirInspect.inspect(term), "{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40, 41, 42, 43, 44, 45, 46, 47, 48, 49, 50, ...}")
        XCTAssertEqual(
            ElixirInspect.inspect(term, options: .pretty),
            "{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22,\n"
            + " 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40, 41, 42,\n"
            + " 43, 44, 45, 46, 47, 48, 49, 50, ...}"
        )
    }

    /// `Enum.into(0..59, <<>>, fn i -> <<i>> end)`
    func test_binaryLimit() {
        let term: Term = .binary(Array(0...59))
        XCTAssertEqual(ElixirInspect.inspect(term), "<<0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40, 41, 42, 43, 44, 45, 46, 47, 48, 49, ...>>")
        XCTAssertEqual(
            ElixirInspect.inspect(term, options: .pretty),
            "<<0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21,\n"
            + "  22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40,\n"
            + "  41, 42, 43, 44, 45, 46, 47, 48, 49, ...>>"
        )
    }

    /// `[Enum.to_list(1..60), Enum.to_list(1..60)]`
    func test_nestedLimit() {
        let term: Term = .list([.list((1...60).map { .integer($0) }), .list((1...60).map { .integer($0) })])
        XCTAssertEqual(ElixirInspect.inspect(term), "[[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40, 41, 42, 43, 44, 45, 46, 47, 48, 49, ...], [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40, 41, 42, 43, 44, 45, 46, 47, 48, ...]]")
        XCTAssertEqual(
            ElixirInspect.inspect(term, options: .pretty),
            "[\n"
            + "  [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21,\n"
            + "   22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40,\n"
            + "   41, 42, 43, 44, 45, 46, 47, 48, 49, ...],\n"
            + "  [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21,\n"
            + "   22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40,\n"
            + "   41, 42, 43, 44, 45, 46, 47, 48, ...]\n"
            + "]"
        )
    }

    /// `Enum.map(1..55, &{:"k#{&1}", &1})`
    func test_keywordLimit() {
        let term: Term = .list((1...55).map { .tuple([.atom(Atom("k\($0)")), .integer($0)]) })
        // Elixir output is 437 bytes; compare in full via its hash-free pieces.
        let plain = ElixirInspect.inspect(term)
        XCTAssertEqual(plain.utf8.count, 437)
        XCTAssertTrue(plain.hasPrefix("[k1: 1, k2: 2, k3: 3, k4: 4, k5: 5, k6: 6, k7: 7, k8: 8, k9:"))
        XCTAssertTrue(plain.hasSuffix(", k45: 45, k46: 46, k47: 47, k48: 48, k49: 49, k50: 50, ...]"))
        XCTAssertEqual(
            ElixirInspect.inspect(term, options: .pretty),
            "[\n"
            + "  k1: 1,\n"
            + "  k2: 2,\n"
            + "  k3: 3,\n"
            + "  k4: 4,\n"
            + "  k5: 5,\n"
            + "  k6: 6,\n"
            + "  k7: 7,\n"
            + "  k8: 8,\n"
            + "  k9: 9,\n"
            + "  k10: 10,\n"
            + "  k11: 11,\n"
            + "  k12: 12,\n"
            + "  k13: 13,\n"
            + "  k14: 14,\n"
            + "  k15: 15,\n"
            + "  k16: 16,\n"
            + "  k17: 17,\n"
            + "  k18: 18,\n"
            + "  k19: 19,\n"
            + "  k20: 20,\n"
            + "  k21: 21,\n"
            + "  k22: 22,\n"
            + "  k23: 23,\n"
            + "  k24: 24,\n"
            + "  k25: 25,\n"
            + "  k26: 26,\n"
            + "  k27: 27,\n"
            + "  k28: 28,\n"
            + "  k29: 29,\n"
            + "  k30: 30,\n"
            + "  k31: 31,\n"
            + "  k32: 32,\n"
            + "  k33: 33,\n"
            + "  k34: 34,\n"
            + "  k35: 35,\n"
            + "  k36: 36,\n"
            + "  k37: 37,\n"
            + "  k38: 38,\n"
            + "  k39: 39,\n"
            + "  k40: 40,\n"
            + "  k41: 41,\n"
            + "  k42: 42,\n"
            + "  k43: 43,\n"
            + "  k44: 44,\n"
            + "  k45: 45,\n"
            + "  k46: 46,\n"
            + "  k47: 47,\n"
            + "  k48: 48,\n"
            + "  k49: 49,\n"
            + "  k50: 50,\n"
            + "  ...\n"
            + "]"
        )
    }

    /// `String.duplicate("ab", 2100)`
    func test_printableLimit() {
        let term: Term = Term.string(String(repeating: "ab", count: 2100))
        // Elixir output is 4105 bytes; compare in full via its hash-free pieces.
        let plain = ElixirInspect.inspect(term)
        XCTAssertEqual(plain.utf8.count, 4105)
        XCTAssertTrue(plain.hasPrefix("\"abababababababababababababababababababababababababababababa"))
        XCTAssertTrue(plain.hasSuffix("abababababababababababababababababababababababababab\" <> ..."))
        XCTAssertEqual(ElixirInspect.inspect(term, options: .pretty), ElixirInspect.inspect(term))
    }

    /// `String.to_charlist(String.duplicate("a", 4100))`
    func test_charlistPrintableLimit() {
        let term: Term = Term.charlist(String(repeating: "a", count: 4100))
        // Elixir output is 4105 bytes; compare in full via its hash-free pieces.
        let plain = ElixirInspect.inspect(term)
        XCTAssertEqual(plain.utf8.count, 4105)
        XCTAssertTrue(plain.hasPrefix("'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"))
        XCTAssertTrue(plain.hasSuffix("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa' ++ ..."))
        XCTAssertEqual(ElixirInspect.inspect(term, options: .pretty), ElixirInspect.inspect(term))
    }

    /// `Enum.map(1..12, &{:"key_#{&1}", "value number #{&1}"})`
    func test_prettyKeyword() {
        let term: Term = .list((1...12).map { .tuple([.atom(Atom("key_\($0)")), .string("value number \($0)")]) })
        XCTAssertEqual(ElixirInspect.inspect(term), "[key_1: \"value number 1\", key_2: \"value number 2\", key_3: \"value number 3\", key_4: \"value number 4\", key_5: \"value number 5\", key_6: \"value number 6\", key_7: \"value number 7\", key_8: \"value number 8\", key_9: \"value number 9\", key_10: \"value number 10\", key_11: \"value number 11\", key_12: \"value number 12\"]")
        XCTAssertEqual(
            ElixirInspect.inspect(term, options: .pretty),
            "[\n"
            + "  key_1: \"value number 1\",\n"
            + "  key_2: \"value number 2\",\n"
            + "  key_3: \"value number 3\",\n"
            + "  key_4: \"value number 4\",\n"
            + "  key_5: \"value number 5\",\n"
            + "  key_6: \"value number 6\",\n"
            + "  key_7: \"value number 7\",\n"
            + "  key_8: \"value number 8\",\n"
            + "  key_9: \"value number 9\",\n"
            + "  key_10: \"value number 10\",\n"
            + "  key_11: \"value number 11\",\n"
            + "  key_12: \"value number 12\"\n"
            + "]"
        )
    }

    /// `%{users: %{alice: %{age: 30, roles: [:admin, :dev]}, bob: %{age: 25, roles: [:ops]}}, config: %{timeout: 5000, retries: 3, name: "a fairly long service name"}}`
    func test_prettyNestedMap() {
        let term: Term = ["users": ["alice": ["age": 30, "roles": ["admin", "dev"]], "bob": ["age": 25, "roles": ["ops"]]], "config": ["timeout": 5000, "retries": 3, "name": .string("a fairly long service name")]]
        XCTAssertEqual(ElixirInspect.inspect(term), "%{config: %{name: \"a fairly long service name\", retries: 3, timeout: 5000}, users: %{alice: %{age: 30, roles: [:admin, :dev]}, bob: %{age: 25, roles: [:ops]}}}")
        XCTAssertEqual(
            ElixirInspect.inspect(term, options: .pretty),
            "%{\n"
            + "  config: %{name: \"a fairly long service name\", retries: 3, timeout: 5000},\n"
            + "  users: %{\n"
            + "    alice: %{age: 30, roles: [:admin, :dev]},\n"
            + "    bob: %{age: 25, roles: [:ops]}\n"
            + "  }\n"
            + "}"
        )
    }

    /// `String.duplicate("lorem ipsum ", 10)`
    func test_prettyLongString() {
        let term: Term = Term.string(String(repeating: "lorem ipsum ", count: 10))
        XCTAssertEqual(ElixirInspect.inspect(term), "\"lorem ipsum lorem ipsum lorem ipsum lorem ipsum lorem ipsum lorem ipsum lorem ipsum lorem ipsum lorem ipsum lorem ipsum \"")
        XCTAssertEqual(ElixirInspect.inspect(term, options: .pretty), ElixirInspect.inspect(term))
    }

    /// `Enum.map(1..10, &{:item, &1, "label #{&1}"})`
    func test_prettyTuples() {
        let term: Term = .list((1...10).map { .tuple(["item", .integer($0), .string("label \($0)")]) })
        XCTAssertEqual(ElixirInspect.inspect(term), "[{:item, 1, \"label 1\"}, {:item, 2, \"label 2\"}, {:item, 3, \"label 3\"}, {:item, 4, \"label 4\"}, {:item, 5, \"label 5\"}, {:item, 6, \"label 6\"}, {:item, 7, \"label 7\"}, {:item, 8, \"label 8\"}, {:item, 9, \"label 9\"}, {:item, 10, \"label 10\"}]")
        XCTAssertEqual(
            ElixirInspect.inspect(term, options: .pretty),
            "[\n"
            + "  {:item, 1, \"label 1\"},\n"
            + "  {:item, 2, \"label 2\"},\n"
            + "  {:item, 3, \"label 3\"},\n"
            + "  {:item, 4, \"label 4\"},\n"
            + "  {:item, 5, \"label 5\"},\n"
            + "  {:item, 6, \"label 6\"},\n"
            + "  {:item, 7, \"label 7\"},\n"
            + "  {:item, 8, \"label 8\"},\n"
            + "  {:item, 9, \"label 9\"},\n"
            + "  {:item, 10, \"label 10\"}\n"
            + "]"
        )
    }

    /// `[URI.parse("https://user@example.com:8443/a/very/long/path?with=query&and=more#frag")]`
    func test_prettyStruct() {
        let term: Term = .list([["__struct__": "Elixir.URI", "scheme": .string("https"), "authority": .string("user@example.com:8443"), "userinfo": .string("user"), "host": .string("example.com"), "port": 8443, "path": .string("/a/very/long/path"), "query": .string("with=query&and=more"), "fragment": .string("frag")]])
        XCTAssertEqual(ElixirInspect.inspect(term), "[%URI{scheme: \"https\", authority: \"user@example.com:8443\", userinfo: \"user\", host: \"example.com\", port: 8443, path: \"/a/very/long/path\", query: \"with=query&and=more\", fragment: \"frag\"}]")
        XCTAssertEqual(
            ElixirInspect.inspect(term, options: .pretty),
            "[\n"
            + "  %URI{\n"
            + "    scheme: \"https\",\n"
            + "    authority: \"user@example.com:8443\",\n"
            + "    userinfo: \"user\",\n"
            + "    host: \"example.com\",\n"
            + "    port: 8443,\n"
            + "    path: \"/a/very/long/path\",\n"
            + "    query: \"with=query&and=more\",\n"
            + "    fragment: \"frag\"\n"
            + "  }\n"
            + "]"
        )
    }

    /// `Enum.to_list(1..40)`
    func test_prettyInts() {
        let term: Term = .list((1...40).map { .integer($0) })
        XCTAssertEqual(ElixirInspect.inspect(term), "[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40]")
        XCTAssertEqual(
            ElixirInspect.inspect(term, options: .pretty),
            "[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22,\n"
            + " 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40]"
        )
    }

    /// `Enum.into(200..239, <<>>, fn i -> <<i>> end)`
    func test_prettyBinary() {
        let term: Term = .binary(Array(200...239))
        XCTAssertEqual(ElixirInspect.inspect(term), "<<200, 201, 202, 203, 204, 205, 206, 207, 208, 209, 210, 211, 212, 213, 214, 215, 216, 217, 218, 219, 220, 221, 222, 223, 224, 225, 226, 227, 228, 229, 230, 231, 232, 233, 234, 235, 236, 237, 238, 239>>")
        XCTAssertEqual(
            ElixirInspect.inspect(term, options: .pretty),
            "<<200, 201, 202, 203, 204, 205, 206, 207, 208, 209, 210, 211, 212, 213, 214,\n"
            + "  215, 216, 217, 218, 219, 220, 221, 222, 223, 224, 225, 226, 227, 228, 229,\n"
            + "  230, 231, 232, 233, 234, 235, 236, 237, 238, 239>>"
        )
    }

    /// `[String.duplicate("a", 40), String.duplicate("b", 40) | :tail]`
    func test_prettyImproper() {
        let term: Term = .improperList([.string(String(repeating: "a", count: 40)), .string(String(repeating: "b", count: 40))], tail: "tail")
        XCTAssertEqual(ElixirInspect.inspect(term), "[\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\", \"bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb\" | :tail]")
        XCTAssertEqual(
            ElixirInspect.inspect(term, options: .pretty),
            "[\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\",\n"
            + " \"bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb\" | :tail]"
        )
    }

    /// `{:ok, %{id: 1, name: "A rather long name for a record", tags: ["one", "two", "three"], active: true}}`
    func test_prettyOkTuple() {
        let term: Term = .tuple(["ok", ["id": 1, "name": .string("A rather long name for a record"), "tags": .list([.string("one"), .string("two"), .string("three")]), "active": true]])
        XCTAssertEqual(ElixirInspect.inspect(term), "{:ok, %{active: true, id: 1, name: \"A rather long name for a record\", tags: [\"one\", \"two\", \"three\"]}}")
        XCTAssertEqual(
            ElixirInspect.inspect(term, options: .pretty),
            "{:ok,\n"
            + " %{\n"
            + "   active: true,\n"
            + "   id: 1,\n"
            + "   name: \"A rather long name for a record\",\n"
            + "   tags: [\"one\", \"two\", \"three\"]\n"
            + " }}"
        )
    }

    /// `MapSet.new(Enum.to_list(1..30))`
    func test_prettyMapSet() {
        let term: Term = ["__struct__": "Elixir.MapSet", "map": .map(TermMap((1...30).map { (.integer($0), .list([])) })), "version": 2]
        XCTAssertEqual(ElixirInspect.inspect(term), "MapSet.new([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30])")
        XCTAssertEqual(
            ElixirInspect.inspect(term, options: .pretty),
            "MapSet.new([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19,\n"
            + " 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30])"
        )
    }
}
