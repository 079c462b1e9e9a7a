import Foundation

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
            throw ECSMetadataError("task metadata document is \(data.count) bytes, more than \(maxDocumentBytes)")
        }
        let raw: RawTask
        do {
            raw = try JSONDecoder().decode(RawTask.self, from: Data(data))
        } catch let DecodingError.keyNotFound(key, _) {
            throw ECSMetadataError("task metadata has no \(key.stringValue)")
        } catch let DecodingError.typeMismatch(_, context) {
            let path = context.codingPath.map(\.stringValue).joined(separator: ".")
            throw ECSMetadataError("task metadata field \(path) has the wrong type")
        } catch {
            throw ECSMetadataError("task metadata is not valid JSON")
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
public struct ECSMetadataError: Error, Sendable, Hashable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
