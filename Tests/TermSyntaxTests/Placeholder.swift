import ErlangTerm
import XCTest

final class TermSyntaxPlaceholderTests: XCTestCase {
    func testMapEqualityIgnoresOrder() {
        let a: Term = ["a": 1, "b": 2]
        let b: Term = ["b": 2, "a": 1]
        XCTAssertEqual(a, b)
        XCTAssertEqual(a.hashValue, b.hashValue)
    }
}
