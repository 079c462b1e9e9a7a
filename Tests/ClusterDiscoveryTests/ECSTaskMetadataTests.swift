import ClusterDiscovery
import Foundation
import XCTest

final class ECSTaskMetadataTests: XCTestCase {
    static let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Fixtures/ecs-task-metadata-v4.json")

    func testParsesARealShapedDocument() throws {
        let m = try ECSTaskMetadata.parse(Array(try Data(contentsOf: Self.fixture)))
        XCTAssertEqual(m.ipv4Addresses, ["10.0.2.106"])
        XCTAssertEqual(m.taskID, "5f2d6ae0b1c24a3c9d0e8f7a6b5c4d3e")
        XCTAssertEqual(m.taskDefinition, "myapp:42")
        XCTAssertEqual(m.availabilityZone, "eu-west-1b")
        XCTAssertEqual(m.launchType, "FARGATE")
        XCTAssertEqual(m.cluster, "arn:aws:ecs:eu-west-1:111122223333:cluster/production")
        XCTAssertEqual(m.containerNames, ["myapp"])
    }

    func testBadDocumentsGiveClearErrors() {
        XCTAssertThrowsError(try ECSTaskMetadata.parse(Array("not json".utf8))) {
            XCTAssertEqual("\($0)", "task metadata is not valid JSON")
        }
        XCTAssertThrowsError(try ECSTaskMetadata.parse(Array("{\"Family\": \"x\"}".utf8))) {
            XCTAssertEqual("\($0)", "task metadata has no TaskARN")
        }
        XCTAssertThrowsError(try ECSTaskMetadata.parse(Array(repeating: 32, count: (1 << 20) + 1)))
    }
}
