import Foundation
import XCTest

@testable import ConsoleREPL

/// The console does without Foundation (it would bring ICU into the executable); what it does instead of each
/// Foundation call it used is checked here against that call.
final class FoundationEquivalenceTests: XCTestCase {
    func testPrintfFixedIsStringFormat() {
        var values: [Double] = [
            0, -0.0, 0.05, 0.125, 0.25, 0.35, 1.25, 2.5, 99.95, 99.949_999, 1e15, 9e15, 1e300, -1e300,
            .greatestFiniteMagnitude, .leastNonzeroMagnitude, .infinity, -.infinity, .nan,
        ]
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<2_000 {
            values.append(Double(bitPattern: rng.next()))
            values.append(Double.random(in: -1_000...1_000))
        }
        for v in values {
            for places in 0...6 {
                XCTAssertEqual(printfFixed(v, places: places), String(format: "%.\(places)f", v), "\(v), \(places)")
            }
        }
    }

    func testTrimmingIsFoundationTrimming() {
        var samples = [
            "", " ", "\t a b \t", "\n\r\u{85}x\u{2028}\u{2029}\u{0B}\u{0C}", "\u{A0}\u{2003}y\u{3000}\u{200B}",
        ]
        for v in UInt32(0)...0x3100 {
            guard let c = Unicode.Scalar(v) else { continue }
            samples.append("\(c)a\(c)")
            samples.append("\(c)")
        }
        for s in samples {
            XCTAssertEqual(s.trimmingScalars(where: \.isBlank), s.trimmingCharacters(in: .whitespaces))
            XCTAssertEqual(s.trimmingScalars(where: \.isNewline), s.trimmingCharacters(in: .newlines))
            XCTAssertEqual(
                s.trimmingScalars { $0.isBlank || $0.isNewline }, s.trimmingCharacters(in: .whitespacesAndNewlines))
        }
    }

    func testReplacingEveryIsReplacingOccurrences() {
        let cases: [(String, String, String)] = [
            ("Elixir.Cluster.Strategy.DNSPoll", "Elixir.", ""), ("3m 2s ago", " ago", ""),
            ("log level LEVEL", " LEVEL", ""), ("log level", " ", "_"), ("a\nb\r\nc\n", "\n", "\n   "),
            ("aaaa", "aa", "b"), ("", "x", "y"), ("héllo wörld hé", "hé", "HE"),
            ("cookie123 and cookie123", "cookie123", "[cookie redacted]"), ("process_count", "_", " "),
            ("日本語の日本", "日本", "X"),
        ]
        for (text, target, replacement) in cases {
            XCTAssertEqual(
                text.replacingEvery(target, with: replacement),
                text.replacingOccurrences(of: target, with: replacement), "\(text) / \(target)")
        }
        XCTAssertEqual("x".replacingEvery("", with: "y"), "x")
    }

    func testLastRangeIsBackwardsSearch() {
        for text in ["f() --nodes a,b", "f(\" --nodes \") --nodes a", "x --nodes --nodes a", "no nodes", " --nodes "] {
            let ours = text.lastRange(of: " --nodes ")
            let theirs = text.range(of: " --nodes ", options: .backwards)
            XCTAssertEqual(ours.map { text[$0.lowerBound...] }, theirs.map { text[$0.lowerBound...] }, text)
            XCTAssertEqual(ours.map { text[..<$0.upperBound] }, theirs.map { text[..<$0.upperBound] }, text)
        }
    }

    func testIsoSecondsIsISO8601DateFormatter() {
        let formatter = ISO8601DateFormatter()
        var times: [Double] = [0, -0.5, -0.0005, 0.999_999, 0.9995, 0.999_499_99, 1_700_000_000.5, 1_700_000_000.999_7]
        for _ in 0..<5_000 {
            times.append(Double.random(in: -1e10...1e10))
            times.append(Double(Int.random(in: 1_600_000_000...1_900_000_000)) + Double.random(in: 0.999...1))
        }
        for t in times {
            let d = Date(timeIntervalSince1970: t)
            XCTAssertEqual(isoSeconds(d), formatter.string(from: d), "\(t)")
        }
    }

    func testReadFailureTextIsNSErrorDescription() throws {
        let dir = NSTemporaryDirectory() + "beamconsole-read-\(getpid())"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        _ = FileManager.default.createFile(atPath: dir + "/latin1", contents: Data([0x63, 0xE9, 0xFF]))
        for path in [dir + "/missing", dir, dir + "/latin1", dir + "/missing/below"] {
            XCTAssertThrowsError(try String(contentsOfFile: path, encoding: .utf8)) { error in
                XCTAssertEqual(readFailureText(error), (error as NSError).localizedDescription, path)
            }
        }
    }

    func testJSONParseReadsWhatJSONSerializationRead() throws {
        let document = JSONValue.orderedObject([
            ("status", .string("error")), ("n", .integer(3)), ("x", .number(1.5)), ("ok", .bool(true)), ("none", .null),
            ("results", .array([.object(["node": .string("a@h"), "status": .string("ok")]), .string("odd")])),
            ("error", .orderedObject([("code", .string("no_table")), ("message", .string("é \"q\" \n"))])),
        ]).encoded
        let parsed = try XCTUnwrap(JSONValue.parse(document))
        let theirs = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(document.utf8)) as? [String: Any])
        XCTAssertEqual(parsed["status"]?.stringValue, theirs["status"] as? String)
        XCTAssertEqual(parsed["ok"]?.boolValue, theirs["ok"] as? Bool)
        XCTAssertEqual(
            parsed["error"]?["message"]?.stringValue, (theirs["error"] as? [String: Any])?["message"] as? String)
        XCTAssertEqual(parsed["results"]?.arrayValue?.count, 2)
        XCTAssertEqual(parsed["results"]?.arrayValue?.first?["node"]?.stringValue, "a@h")
        XCTAssertNil(parsed["results"]?.arrayValue?.last?["node"])
        XCTAssertNil(parsed["missing"])
        XCTAssertNil(JSONValue.parse("not json"))
        XCTAssertNil(JSONValue.parse(""))
    }

    func testHomeDirectoryIsNSHomeDirectory() {
        XCTAssertEqual(homeDirectory(), NSHomeDirectory())
    }
}
