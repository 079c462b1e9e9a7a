#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// What beamconsole uses from the ECS task metadata endpoint v4 (`${ECS_CONTAINER_METADATA_URI_V4}/task`):
/// the task's IP (for our own node name), ARN, family/revision, cluster and availability zone (shown in `info`).
/// See <https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-metadata-endpoint-v4-response.html>.
public struct ECSTaskMetadata: Sendable, Hashable, Codable {
    public var cluster: String?
    public var taskARN: String
    public var family: String
    public var revision: String
    public var availabilityZone: String?
    public var launchType: String?
    public var desiredStatus: String?
    public var knownStatus: String?
    /// The task's private IPv4 addresses (awsvpc: one ENI per task), first container's networks first.
    public var ipv4Addresses: [String]
    public var ipv6Addresses: [String]
    public var privateDNSName: String?
    public var containerNames: [String]

    /// The task id (the last component of the ARN).
    public var taskID: String { taskARN.split(separator: "/").last.map(String.init) ?? taskARN }
    /// `family:revision`.
    public var taskDefinition: String { "\(family):\(revision)" }

    /// Limits that protect us from a hostile or broken endpoint.
    public static let maxDocumentBytes = 1 << 20

    /// Parses the `/task` document. Unknown fields are ignored; missing required ones are an error.
    public static func parse(_ data: [UInt8]) throws(ECSMetadataError) -> ECSTaskMetadata {
        guard data.count <= maxDocumentBytes else {
            throw ECSMetadataError(
                .documentTooLarge, "task metadata document is \(data.count) bytes, more than \(maxDocumentBytes)")
        }
        let raw: RawTask
        do {
            raw = try JSONDecoder().decode(RawTask.self, from: Data(data))
        } catch let DecodingError.keyNotFound(key, _) {
            throw ECSMetadataError(.invalidDocument, "task metadata has no \(key.stringValue)")
        } catch let DecodingError.typeMismatch(_, context) {
            let path = context.codingPath.map(\.stringValue).joined(separator: ".")
            throw ECSMetadataError(.invalidDocument, "task metadata field \(path) has the wrong type")
        } catch {
            throw ECSMetadataError(.invalidDocument, "task metadata is not valid JSON")
        }
        var v4: [String] = [], v6: [String] = []
        var dns: String?
        for c in raw.Containers ?? [] {
            for n in c.Networks ?? [] {
                for a in n.IPv4Addresses ?? [] where !v4.contains(a) { v4.append(a) }
                for a in n.IPv6Addresses ?? [] where !v6.contains(a) { v6.append(a) }
                if dns == nil { dns = n.PrivateDNSName }
            }
        }
        return ECSTaskMetadata(
            cluster: raw.Cluster, taskARN: raw.TaskARN, family: raw.Family, revision: raw.Revision,
            availabilityZone: raw.AvailabilityZone, launchType: raw.LaunchType, desiredStatus: raw.DesiredStatus,
            knownStatus: raw.KnownStatus, ipv4Addresses: v4, ipv6Addresses: v6, privateDNSName: dns,
            containerNames: (raw.Containers ?? []).compactMap(\.Name))
    }

    private struct RawTask: Decodable {
        var Cluster: String?
        var TaskARN: String
        var Family: String
        var Revision: String
        var AvailabilityZone: String?
        var LaunchType: String?
        var DesiredStatus: String?
        var KnownStatus: String?
        var Containers: [RawContainer]?
    }
    private struct RawContainer: Decodable {
        var Name: String?
        var Networks: [RawNetwork]?
    }
    private struct RawNetwork: Decodable {
        var IPv4Addresses: [String]?
        var IPv6Addresses: [String]?
        var PrivateDNSName: String?
    }
}

/// The task metadata could not be read or parsed.
///
/// `code` is stable and can be switched on; `message` says what happened and where (the URI, the HTTP status).
public struct ECSMetadataError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A stable error code.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        public let rawValue: String
        public init(_ rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        /// The metadata URI is not an `http://host[:port]/path` URI (ECS only ever gives `http://`).
        public static let invalidURI = Code("invalid_uri")
        /// The metadata host name did not resolve.
        public static let hostNotFound = Code("host_not_found")
        /// Nothing listens at the metadata address (connection refused).
        public static let connectionRefused = Code("connection_refused")
        /// The TCP connect did not complete within the connect timeout.
        public static let connectTimeout = Code("connect_timeout")
        /// The whole request (connect, send, complete response) did not finish within the timeout.
        public static let timeout = Code("timeout")
        /// The endpoint answered with a status other than 200; ``ECSMetadataError/httpStatus`` has it.
        public static let httpStatus = Code("http_status")
        /// The response body is larger than ``ECSTaskMetadata/maxDocumentBytes``.
        public static let documentTooLarge = Code("document_too_large")
        /// The endpoint broke HTTP/1.1, or closed the connection before the response was complete.
        public static let protocolError = Code("protocol_error")
        /// The document is not JSON, or lacks a required field.
        public static let invalidDocument = Code("invalid_document")
        /// Another socket-level failure.
        public static let ioError = Code("io_error")
    }

    public var code: Code
    /// Human-readable detail.
    public var message: String
    /// For ``Code/httpStatus``: the status the endpoint answered.
    public var httpStatus: Int?

    public init(_ code: Code, _ message: String, httpStatus: Int? = nil) {
        self.code = code; self.message = message; self.httpStatus = httpStatus
    }

    public var description: String { message }
}
