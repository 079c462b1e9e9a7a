import ConsoleREPL
import XCTest

final class TableTests: XCTestCase {
    func testAlignsColumns() {
        var t = Table(headers: ["node", "state", "rtt"], alignments: [.left, .left, .right])
        t.append(["a@host", "up", "1.2 ms"])
        t.append(["longer@host", "down", "-"])
        XCTAssertEqual(
            t.render(),
            """
            node         state     rtt
            a@host       up     1.2 ms
            longer@host  down        -

            """)
    }

    func testTruncatesToWidth() {
        var t = Table(headers: ["k", "value"])
        t.append(["x", String(repeating: "v", count: 50)])
        let out = t.render(maxWidth: 20)
        for line in out.split(separator: "\n") { XCTAssertLessThanOrEqual(line.count, 20, String(line)) }
        XCTAssertTrue(out.contains("…"))
    }
}
