import Foundation
import XCTest

@testable import ConsoleREPL

/// The number and clock formatting `watch` does on every frame, without Foundation's formatters.
final class ViewFormattingTests: XCTestCase {
    func testFixedMatchesPrintf() {
        let values: [Double] = [0, 0.04, 0.06, 0.94, 1, 1.26, 9.99, 12.3449, 999.94, 1234.5678, -2.26, 5e-7, 123_456.7]
        for v in values {
            for places in 0...3 {
                let expected = String(format: "%.\(places)f", v)
                // (Exact binary halves such as 1.25 differ: printf rounds them to even, we round them away from 0.)
                XCTAssertEqual(fixed(v, places: places), expected, "\(v) with \(places) places")
            }
        }
        XCTAssertEqual(formatDuration(.microseconds(250)), "250 µs")
        XCTAssertEqual(formatDuration(.microseconds(1_250)), "1.3 ms")
        XCTAssertEqual(formatDuration(.milliseconds(2_500)), "2.5 s")
    }

    func testClockTimeIsLocalHoursMinutesSeconds() {
        let d = Date(timeIntervalSince1970: 1_700_000_000.7)
        let c = Calendar.current.dateComponents([.hour, .minute, .second], from: d)
        XCTAssertEqual(clockTime(d), String(format: "%02d:%02d:%02d", c.hour!, c.minute!, c.second!))
    }
}
