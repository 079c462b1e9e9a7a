// The Erlang printer per OTP release (issue 16, audit items M1 and L1). Every expected text is copied from an OTP
// source, named above its assertion; none of it was run here (the only VM here is OTP 25).
//
// - M1, map order: OTP 26.0 (OTP-18414, erlang/otp PR #6151 "Use in-memory atom ordering for map ordering") prints
//   maps of up to 32 keys in their internal order, which is the order `maps:to_list/1` returns and `term_to_binary`
//   writes: on the wire. The vectors are the shell sessions of the OTP 26 release post, erlang/erlang-org
//   `_posts/2023-05-16-otp-26-highlights.md` ("Changed ordering of atom keys", "Improved maps:merge/2"), where OTP 25
//   prints `#{a => 1,b => 2,c => 3}` and OTP 26 `#{c => 3,a => 1,b => 2}` for the same map, whose
//   `maps:to_list/1` is `[{c,3},{a,1},{b,2}]`, and `~kp` sorts again.
// - L1, reserved words: `maybe_expr` has `keywords => ['maybe', 'else']`, `experimental => 25`, `approved => 27` in
//   `erl_features:feature_specs/0` (lib/stdlib/src/erl_features.erl, OTP 28, stored commit 0434fa4e); approved
//   features are enabled at start (`init_features/0` collects `approved()`), so from OTP 27 `erl_scan:reserved_word/1`
//   and therefore `io_lib:quote_atom/2` quote them. In OTP 25 and 26 the feature is experimental and off.

import ErlangTerm
import TermSyntax
import XCTest

final class ErlangFormatProfileTests: XCTestCase {
    private func options(otp: Int) -> ErlangFormatOptions {
        var o = ErlangFormatOptions()
        o.profile = PrinterProfile(elixir: .init(1, 14), otp: otp)
        return o
    }

    /// ETF of a map with these atom keys and small-integer values, in this order (MAP_EXT, SMALL_ATOM_UTF8_EXT,
    /// SMALL_INTEGER_EXT or INTEGER_EXT), as `term_to_binary` of an OTP 26+ node writes it: keys in internal order.
    private func wireMap(_ pairs: [(String, Int)]) throws -> Term {
        var bytes: [UInt8] = [131, 116, 0, 0, 0, UInt8(pairs.count)]
        for (k, v) in pairs {
            bytes += [119, UInt8(k.utf8.count)] + Array(k.utf8)
            if v >= 0, v <= 255 {
                bytes += [97, UInt8(v)]
            } else {
                bytes += [98] + withUnsafeBytes(of: Int32(v).bigEndian, Array.init)
            }
        }
        return try ETFDecoder().decode(bytes)
    }

    func testSmallMapsPrintInWireOrderFromOTP26() throws {
        // OTP 26 post: `AM = #{a => 1, b => 2, c => 3}.` prints `#{c => 3,a => 1,b => 2}` and
        // `maps:to_list(AM)` is `[{c,3},{a,1},{b,2}]` (the wire order); OTP 25 printed `#{a => 1,b => 2,c => 3}`.
        let am = try wireMap([("c", 3), ("a", 1), ("b", 2)])
        XCTAssertEqual(ErlangFormat.pretty(am, options: options(otp: 25)), "#{a => 1,b => 2,c => 3}")
        for otp in 26...28 {
            XCTAssertEqual(ErlangFormat.pretty(am, options: options(otp: otp)), "#{c => 3,a => 1,b => 2}", "OTP \(otp)")
            XCTAssertEqual(ErlangFormat.write(am, options: options(otp: otp)), "#{c => 3,a => 1,b => 2}", "OTP \(otp)")
        }
        // The default options stay OTP 25's.
        XCTAssertEqual(ErlangFormat.write(am), "#{a => 1,b => 2,c => 3}")
        // `io:format("~kp\n", [AM])` sorts: `#{a => 1,b => 2,c => 3}`.
        var k = options(otp: 26)
        k.mapOrder = .termOrder
        XCTAssertEqual(ErlangFormat.pretty(am, options: k), "#{a => 1,b => 2,c => 3}")
        // An explicit order wins over the profile's.
        var explicit25 = options(otp: 28)
        explicit25.mapOrder = .otp25
        XCTAssertEqual(ErlangFormat.pretty(am, options: explicit25), "#{a => 1,b => 2,c => 3}")

        // `maps:merge(#{x => 13, y => 99, z => 100}, #{x => 0, z => -7}).` prints `#{y => 99,x => 0,z => -7}`;
        // `maps:merge(#{x => 1000}, #{y => 2000}).` prints `#{y => 2000,x => 1000}`.
        let merged = try wireMap([("y", 99), ("x", 0), ("z", -7)])
        XCTAssertEqual(ErlangFormat.pretty(merged, options: options(otp: 26)), "#{y => 99,x => 0,z => -7}")
        XCTAssertEqual(ErlangFormat.pretty(merged, options: options(otp: 25)), "#{x => 0,y => 99,z => -7}")
        let merged2 = try wireMap([("y", 2000), ("x", 1000)])
        XCTAssertEqual(ErlangFormat.write(merged2, options: options(otp: 27)), "#{y => 2000,x => 1000}")

        // Nested maps follow the same rule, and the pretty layout is unchanged apart from the order.
        let nested = Term.tuple([.atom("ok"), am])
        XCTAssertEqual(ErlangFormat.pretty(nested, options: options(otp: 26)), "{ok,#{c => 3,a => 1,b => 2}}")
    }

    func testLargeMapsKeepTheirOrderOnEveryRelease() {
        // Maps of more than 32 keys (HAMTs) did not change in OTP 26 (PR #6151 only concerns flatmaps): the
        // OTP 25 vector of ErlangFormatOptionsTests.testLargeMapsPrintInOTPOrder holds for every profile.
        let etfOrder = [33, 12, 23, 29, 30, 39, 26, 31, 11, 37, 9, 32, 34, 25, 28, 6, 38, 13, 40, 20, 15, 14, 2, 7, 1,
                        8, 3, 17, 22, 21, 4, 36, 24, 10, 35, 27, 19, 5, 18, 16]
        let map = Term.map(TermMap(uniqueEntries: etfOrder.map { (key: .integer($0), value: .integer($0 % 7)) }))
        let otp25 = ErlangFormat.pretty(map, options: options(otp: 25))
        XCTAssertTrue(otp25.hasPrefix("#{16 => 2,18 => 4,5 => 5,"))
        for otp in 26...28 { XCTAssertEqual(ErlangFormat.pretty(map, options: options(otp: otp)), otp25) }
        // 32 keys is still a flatmap: wire order from OTP 26.
        let small = Term.map(TermMap(uniqueEntries: (1...32).reversed().map { (key: .integer($0), value: .integer(0)) }))
        XCTAssertTrue(ErlangFormat.write(small, options: options(otp: 26)).hasPrefix("#{32 => 0,31 => 0,"))
        XCTAssertTrue(ErlangFormat.write(small, options: options(otp: 25)).hasPrefix("#{1 => 0,2 => 0,"))
    }

    func testMaybeAndElseAreQuotedFromOTP27() {
        XCTAssertEqual(ErlangFormat.atom("maybe"), "maybe")
        XCTAssertEqual(ErlangFormat.atom("maybe", otp: 26), "maybe")
        XCTAssertEqual(ErlangFormat.atom("else", otp: 26), "else")
        XCTAssertEqual(ErlangFormat.atom("maybe", otp: 27), "'maybe'")
        XCTAssertEqual(ErlangFormat.atom("else", otp: 28), "'else'")
        XCTAssertEqual(ErlangFormat.atom("maybe", unicode: false, otp: 27), "'maybe'")
        // Words that were reserved before are reserved on every release; other atoms are untouched.
        XCTAssertEqual(ErlangFormat.atom("receive", otp: 28), "'receive'")
        XCTAssertEqual(ErlangFormat.atom("maybe_not", otp: 28), "maybe_not")
        let t: Term = .tuple([.atom("maybe"), .list([.atom("else")]), .map(TermMap([(.atom("maybe"), .atom("ok"))]))])
        XCTAssertEqual(ErlangFormat.write(t, options: options(otp: 25)), "{maybe,[else],#{maybe => ok}}")
        XCTAssertEqual(ErlangFormat.write(t, options: options(otp: 27)), "{'maybe',['else'],#{'maybe' => ok}}")
        XCTAssertEqual(ErlangFormat.pretty(t, options: options(otp: 28)), "{'maybe',['else'],#{'maybe' => ok}}")
        XCTAssertEqual(ErlangFormat.pretty(.atom("else"), options: options(otp: 27)), "'else'")
    }
}
