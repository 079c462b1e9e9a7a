import ConsoleREPL
import XCTest

/// The cookie is replaced wherever it appears, whether the text is ASCII (searched byte by byte) or not (searched as
/// `String.contains` does); short cookies are left alone.
final class RedactorTests: XCTestCase {
    func testRedactsEveryOccurrence() {
        let r = Redactor(cookie: "s3cretcookie")
        XCTAssertEqual(r.redact("{:ok, :s3cretcookie}"), "{:ok, :[cookie redacted]}")
        XCTAssertEqual(r.redact("s3cretcookies3cretcookie"), "[cookie redacted][cookie redacted]")
        XCTAssertEqual(r.redact("s3cretcookie"), "[cookie redacted]")
        XCTAssertEqual(r.redact("héllo s3cretcookie ✓"), "héllo [cookie redacted] ✓")
        XCTAssertTrue(r.contains("x s3cretcookie"))
        XCTAssertTrue(r.contains("é s3cretcookie"))
    }

    func testLeavesOtherTextAlone() {
        let r = Redactor(cookie: "s3cretcookie")
        for s in ["", "s3cret", "s3cretcooki", "S3CRETCOOKIE", "s3cret cookie", "héllo ✓", "s3cretcooki\u{301}e"] {
            XCTAssertEqual(r.redact(s), s)
            XCTAssertFalse(r.contains(s), s)
        }
        let out = CommandOutput(text: "a s3cretcookie", errorText: "none", json: "{\"c\":\"s3cretcookie\"}")
        let red = r.redact(out)
        XCTAssertEqual(red.text, "a [cookie redacted]")
        XCTAssertEqual(red.errorText, "none")
        XCTAssertEqual(red.json, "{\"c\":\"[cookie redacted]\"}")
    }

    func testNonASCIIAndShortCookies() {
        let r = Redactor(cookie: "gâteau-secret")
        XCTAssertEqual(r.redact("a gâteau-secret b"), "a [cookie redacted] b")
        XCTAssertEqual(r.redact("a gateau-secret b"), "a gateau-secret b")
        let short = Redactor(cookie: "abc")
        XCTAssertEqual(short.redact("abc abc"), "abc abc")
    }
}
