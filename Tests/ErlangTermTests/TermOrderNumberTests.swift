import ErlangTerm
import XCTest

/// Integers against floats in ``TermOrder``: by value in arithmetic mode (exactly, also beyond 2^53), every integer
/// before every float in exact mode. BigIntBeamOracleTests compares random values with the BEAM's `<` and `==`.
final class TermOrderNumberTests: XCTestCase {
    private func arithmetic(_ a: Term, _ b: Term) -> Int { TermOrder.compare(a, b, mode: .arithmetic) }

    func testIntegersAgainstFloatsByValue() {
        XCTAssertEqual(arithmetic(1, 1.0), 0)
        XCTAssertEqual(arithmetic(1.0, 1), 0)
        XCTAssertEqual(arithmetic(1, 1.5), -1)
        XCTAssertEqual(arithmetic(2, 1.5), 1)
        XCTAssertEqual(arithmetic(1.5, 2), -1)
        // Int.min and Int.max are beyond 2^53: compared exactly, and Int.min's magnitude does not trap.
        XCTAssertEqual(arithmetic(.integer(Int.min), .float(-0x1p63)), 0)
        XCTAssertEqual(arithmetic(.float(-0x1p63), .integer(Int.min)), 0)
        XCTAssertEqual(arithmetic(.integer(Int.min + 1), .float(-0x1p63)), 1)
        XCTAssertEqual(arithmetic(.integer(Int.min), .float((-0x1p63).nextDown)), 1)
        XCTAssertEqual(arithmetic(.integer(Int.min), .float((-0x1p63).nextUp)), -1)
        XCTAssertEqual(arithmetic(.integer(Int.max), .float(0x1p63)), -1, "Int.max is 2^63 - 1, below the float")
        // 2^53 + 1 has no double: equal to neither neighbour.
        XCTAssertEqual(arithmetic(.integer(1 << 53 + 1), .float(0x1p53)), 1)
        XCTAssertEqual(arithmetic(.integer(1 << 53 + 1), .float(0x1p53 + 2)), -1)
        // Big integers against large floats.
        let two64 = BigInt(1) << 64
        XCTAssertEqual(arithmetic(.int(two64), .float(0x1p64)), 0)
        XCTAssertEqual(arithmetic(.int(two64 + 1), .float(0x1p64)), 1)
        XCTAssertEqual(arithmetic(.int(-two64 - 1), .float(-0x1p64)), -1)
        XCTAssertEqual(arithmetic(.int(BigInt(1) << 1024), .float(.greatestFiniteMagnitude)), 1)
        XCTAssertEqual(arithmetic(.int(-(BigInt(1) << 1024)), .float(-.greatestFiniteMagnitude)), -1)
        XCTAssertEqual(arithmetic(.int(BigInt(Double.greatestFiniteMagnitude)), .float(.greatestFiniteMagnitude)), 0)
        XCTAssertEqual(arithmetic(.int(two64), .float(0.5)), 1)
        XCTAssertEqual(arithmetic(.int(-two64), .float(-0.5)), -1)
    }

    func testEveryIntegerBeforeEveryFloatInExactMode() {
        XCTAssertEqual(TermOrder.compare(1, 1.0), -1)
        XCTAssertEqual(TermOrder.compare(.integer(Int.min), .float(-0x1p63)), -1)
        XCTAssertEqual(TermOrder.compare(.int(BigInt(1) << 2000), .float(-1e300)), -1)
        XCTAssertEqual(TermOrder.compare(.float(1e300), .int(-(BigInt(1) << 2000))), 1)
    }
}
