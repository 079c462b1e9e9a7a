import ClusterDiscovery
import Foundation
import NIOHTTP1
import XCTest

final class ECSMetadataClientTests: XCTestCase {
    private var servers: [TestHTTPServer] = []

    override func tearDown() async throws {
        for s in servers { await s.stop() }
        servers = []
    }

    private func server(_ behavior: TestHTTPServer.Behavior) async throws -> TestHTTPServer {
        let s = try await TestHTTPServer(behavior)
        servers.append(s)
        return s
    }

    private struct UnexpectedSuccess: Error {}

    /// The error `fetchTask()` throws; a success fails the test.
    private func fetchError(_ client: ECSMetadataClient, file: StaticString = #filePath, line: UInt = #line)
        async throws -> ECSMetadataError
    {
        let result: Result<ECSTaskMetadata, ECSMetadataError>
        do throws(ECSMetadataError) {
            result = .success(try await client.fetchTask())
        } catch {
            result = .failure(error)
        }
        switch result {
        case .failure(let e): return e
        case .success(let t):
            XCTFail("expected a failure, got \(t)", file: file, line: line)
            throw UnexpectedSuccess()
        }
    }

    // MARK: - Against a real HTTP server

    func testFetchesTheTaskDocument() async throws {
        let fixture = Array(try Data(contentsOf: ECSTaskMetadataTests.fixture))
        let s = try await server(.respond(.ok, body: fixture))
        let task = try await ECSMetadataClient(uri: s.uri).fetchTask()
        XCTAssertEqual(task, try ECSTaskMetadata.parse(fixture))
        XCTAssertEqual(task.ipv4Addresses.first, "10.0.2.106")
        let request = try XCTUnwrap(s.state.requests.first)
        XCTAssertEqual(request.method, .GET)
        XCTAssertEqual(request.uri, "/v4/0123abcd-test/task")
        XCTAssertEqual(request.headers.first(name: "host"), "127.0.0.1:\(s.port)")
    }

    func testTrailingSlashInTheURIIsNotDoubled() async throws {
        let fixture = Array(try Data(contentsOf: ECSTaskMetadataTests.fixture))
        let s = try await server(.respond(.ok, body: fixture))
        _ = try await ECSMetadataClient(uri: s.uri + "/").fetchTask()
        XCTAssertEqual(s.state.requests.first?.uri, "/v4/0123abcd-test/task")
    }

    func testNotFoundNamesTheStatus() async throws {
        let s = try await server(.respond(.notFound, body: Array("404 page not found".utf8)))
        let e = try await fetchError(ECSMetadataClient(uri: s.uri))
        XCTAssertEqual(e.code, .httpStatus)
        XCTAssertEqual(e.httpStatus, 404)
        XCTAssertTrue(e.message.contains("HTTP 404 Not Found"), e.message)
        XCTAssertTrue(e.message.contains("/v4/0123abcd-test/task"), e.message)
    }

    func testOversizeStreamedBodyStopsReading() async throws {
        let total = 64 << 20
        let s = try await server(.stream(chunk: 64 << 10, total: total))
        let e = try await fetchError(ECSMetadataClient(uri: s.uri, timeout: .seconds(20)))
        XCTAssertEqual(e.code, .documentTooLarge, e.message)
        // The client closed the connection: the server's writes fail long before the 64 MiB are out (what it could
        // write is what fits in the two sockets' buffers).
        let deadline = Date().addingTimeInterval(10)
        while s.state.streamOutcome == nil, Date() < deadline { try await Task.sleep(for: .milliseconds(20)) }
        XCTAssertEqual(s.state.streamOutcome, false)
        XCTAssertLessThan(s.state.bytesStreamed, 32 << 20)
    }

    func testOversizeDeclaredLengthFailsAtTheHead() async throws {
        let s = try await server(.declareLength(ECSTaskMetadata.maxDocumentBytes + 1))
        let start = ContinuousClock.now
        let e = try await fetchError(ECSMetadataClient(uri: s.uri, timeout: .seconds(10)))
        XCTAssertEqual(e.code, .documentTooLarge, e.message)
        XCTAssertTrue(e.message.contains("declares \(ECSTaskMetadata.maxDocumentBytes + 1) bytes"), e.message)
        XCTAssertLessThan(ContinuousClock.now - start, .seconds(5))
    }

    func testServerThatNeverAnswersTimesOut() async throws {
        let s = try await server(.silent)
        let start = ContinuousClock.now
        let e = try await fetchError(ECSMetadataClient(uri: s.uri, timeout: .milliseconds(500)))
        let elapsed = ContinuousClock.now - start
        XCTAssertEqual(e.code, .timeout, e.message)
        XCTAssertGreaterThanOrEqual(elapsed, .milliseconds(450))
        XCTAssertLessThan(elapsed, .seconds(3))
        XCTAssertEqual(s.state.requests.count, 1)
    }

    func testRefusedPort() async throws {
        let port = try await TestHTTPServer.closedPort()
        let e = try await fetchError(ECSMetadataClient(uri: "http://127.0.0.1:\(port)/v4/x"))
        XCTAssertEqual(e.code, .connectionRefused, e.message)
        XCTAssertTrue(e.message.contains("127.0.0.1:\(port)"), e.message)
    }

    func testBadDocumentIsInvalidDocument() async throws {
        let s = try await server(.respond(.ok, body: Array("{\"Family\": \"x\"}".utf8)))
        let e = try await fetchError(ECSMetadataClient(uri: s.uri))
        XCTAssertEqual(e.code, .invalidDocument)
        XCTAssertEqual(e.message, "ECS task metadata: GET \(s.uri)/task: task metadata has no TaskARN")
    }

    func testNonHTTPURIIsRejectedWithoutConnecting() async throws {
        for uri in ["https://169.254.170.2/v4/abc", "ftp://169.254.170.2/v4/abc", "169.254.170.2/v4/abc"] {
            let e = try await fetchError(ECSMetadataClient(uri: uri))
            XCTAssertEqual(e.code, .invalidURI, uri)
            XCTAssertTrue(e.message.contains(uri), e.message)
        }
        let e = try await fetchError(ECSMetadataClient(uri: "https://169.254.170.2/v4/abc"))
        XCTAssertTrue(e.message.contains("only http:// is supported"), e.message)
    }

    // MARK: - Pure parts

    func testEndpointParsing() throws {
        let e = try ECSMetadataEndpoint(uri: "http://169.254.170.2/v4/0123abcd-4567")
        XCTAssertEqual(e.host, "169.254.170.2")
        XCTAssertEqual(e.port, 80)
        XCTAssertEqual(e.basePath, "/v4/0123abcd-4567")
        XCTAssertEqual(e.path("task"), "/v4/0123abcd-4567/task")
        XCTAssertEqual(e.hostHeader, "169.254.170.2")
        XCTAssertEqual(e.url("task"), "http://169.254.170.2/v4/0123abcd-4567/task")

        let six = try ECSMetadataEndpoint(uri: "HTTP://[fd00:ec2::254]:8080/v4/x/")
        XCTAssertEqual(six.host, "fd00:ec2::254")
        XCTAssertEqual(six.port, 8080)
        XCTAssertEqual(six.basePath, "/v4/x")
        XCTAssertEqual(six.hostHeader, "[fd00:ec2::254]:8080")

        let bare = try ECSMetadataEndpoint(uri: "http://localhost:51678")
        XCTAssertEqual(bare.path("task"), "/task")

        for bad in ["http://", "http://:80/v4", "http://host:0/", "http://host:99999/", "http://host:x/",
                    "http://user@host/", "http://[::1/", "http://[::1]x/", "https://host/"] {
            XCTAssertThrowsError(try ECSMetadataEndpoint(uri: bad), bad) {
                XCTAssertEqual(($0 as? ECSMetadataError)?.code, .invalidURI, bad)
            }
        }
    }

    func testFromEnvironment() {
        XCTAssertNil(ECSMetadataClient.fromEnvironment([:]))
        XCTAssertNil(ECSMetadataClient.fromEnvironment(["ECS_CONTAINER_METADATA_URI_V4": ""]))
        let c = ECSMetadataClient.fromEnvironment(["ECS_CONTAINER_METADATA_URI_V4": "http://169.254.170.2/v4/abc"])
        XCTAssertEqual(c?.uri, "http://169.254.170.2/v4/abc")
        XCTAssertEqual(c?.timeout, .seconds(2))
        XCTAssertEqual(c?.connectTimeout, .seconds(2))
    }

    /// `isConfigured` (the one-shot call's check) agrees with `fromEnvironment` on whether there is an endpoint.
    func testIsConfiguredAgreesWithFromEnvironment() {
        for value in [nil, "", " ", " \t ", "http://169.254.170.2/v4/abc", " http://169.254.170.2/v4/abc "] {
            let env = value.map { ["ECS_CONTAINER_METADATA_URI_V4": $0] } ?? [:]
            XCTAssertEqual(
                ECSMetadataClient.isConfigured(env), ECSMetadataClient.fromEnvironment(env) != nil, String(describing: value))
        }
    }
}
