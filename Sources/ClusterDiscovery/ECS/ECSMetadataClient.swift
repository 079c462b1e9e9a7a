import NIOCore
import NIOHTTP1
import NIOPosix
import SocketFailure

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Where the task metadata endpoint v4 is: the parts of `ECS_CONTAINER_METADATA_URI_V4`
/// (e.g. `http://169.254.170.2/v4/0123abcd-…`). Pure; parsing never does I/O.
public struct ECSMetadataEndpoint: Sendable, Hashable {
    /// The host to connect to: an IPv4 address, an IPv6 address without brackets, or a name.
    public var host: String
    public var port: Int
    /// The path of the container's metadata, without a trailing `/` (`/v4/0123abcd-…`).
    public var basePath: String

    /// Parses an `http://host[:port][/path]` URI. Anything else (`https://`, no host, a bad port, user info) is
    /// ``ECSMetadataError/Code/invalidURI``: ECS only ever gives `http://`.
    public init(uri: String) throws(ECSMetadataError) {
        func invalid(_ why: String) -> ECSMetadataError {
            ECSMetadataError(.invalidURI, "ECS task metadata URI '\(uri)' \(why)")
        }
        guard let schemeEnd = uri.firstRange(of: "://") else { throw invalid("is not an http:// URI") }
        let scheme = uri[..<schemeEnd.lowerBound].lowercased()
        guard scheme == "http" else {
            throw invalid("has scheme \(scheme); only http:// is supported (ECS gives http://169.254.170.2/v4/...)")
        }
        let rest = uri[schemeEnd.upperBound...]
        let authority = rest.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        var path = String(rest[authority.endIndex...].prefix { $0 != "?" && $0 != "#" })
        guard !authority.contains("@") else { throw invalid("has user info, which the endpoint never has") }
        var host: Substring
        var portText: Substring?
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else { throw invalid("has an unclosed [ in its host") }
            host = authority[authority.index(after: authority.startIndex)..<close]
            let after = authority[authority.index(after: close)...]
            if !after.isEmpty {
                guard after.hasPrefix(":") else { throw invalid("has text after its [IPv6] host") }
                portText = after.dropFirst()
            }
        } else if let colon = authority.firstIndex(of: ":") {
            host = authority[..<colon]
            portText = authority[authority.index(after: colon)...]
        } else {
            host = authority
        }
        guard !host.isEmpty else { throw invalid("has no host") }
        var port = 80
        if let portText {
            guard let p = Int(portText), (1...65535).contains(p) else { throw invalid("has a bad port '\(portText)'") }
            port = p
        }
        while path.hasSuffix("/") { path.removeLast() }
        self.host = String(host)
        self.port = port
        self.basePath = path
    }

    /// The `Host` header: the host (in brackets if IPv6), and the port unless it is 80.
    public var hostHeader: String {
        let h = host.contains(":") ? "[\(host)]" : host
        return port == 80 ? h : "\(h):\(port)"
    }

    /// The path of one resource under the base path (`task` → `/v4/0123abcd-…/task`).
    public func path(_ resource: String) -> String { "\(basePath)/\(resource)" }

    /// `http://host[:port]/path` of one resource, for messages.
    public func url(_ resource: String) -> String { "http://\(hostHeader)\(path(resource))" }
}

/// Reads the ECS task metadata endpoint v4: one bounded HTTP/1.1 GET of `${ECS_CONTAINER_METADATA_URI_V4}/task`.
///
/// Bounded in time (a connect timeout, and an overall timeout for connect, request and whole response) and in size
/// (a body larger than ``ECSTaskMetadata/maxDocumentBytes`` is refused as soon as the excess arrives, not buffered).
/// See <https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-metadata-endpoint-v4.html>.
///
/// ```swift
/// if let client = ECSMetadataClient.fromEnvironment() {
///     let task = try await client.fetchTask()   // throws(ECSMetadataError)
///     print(task.ipv4Addresses.first ?? "-")
/// }
/// ```
public struct ECSMetadataClient: Sendable {
    /// The variable the ECS agent sets in every container (Fargate platform 1.4.0+, EC2 agent 1.39.0+).
    public static let environmentVariable = "ECS_CONTAINER_METADATA_URI_V4"

    /// `ECS_CONTAINER_METADATA_URI_V4` (only `http://` URIs are accepted; others fail in ``fetchTask()``).
    public var uri: String
    /// The whole request: connect, send, and the complete response.
    public var timeout: Duration
    /// The TCP connect alone (never more than ``timeout``).
    public var connectTimeout: Duration
    /// The largest body accepted.
    public var maxBodyBytes: Int
    public var group: any EventLoopGroup

    public init(
        uri: String, timeout: Duration = .seconds(2), connectTimeout: Duration? = nil,
        maxBodyBytes: Int = ECSTaskMetadata.maxDocumentBytes,
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    ) {
        self.uri = uri
        self.timeout = timeout
        self.connectTimeout = connectTimeout ?? timeout
        self.maxBodyBytes = maxBodyBytes
        self.group = group
    }

    /// Whether `environment` names a task metadata endpoint (what ``fromEnvironment(_:timeout:)`` needs), without
    /// making a client: a one-shot call checks this before anything else.
    public static func isConfigured(_ environment: [String: String]) -> Bool {
        guard let uri = environment[environmentVariable] else { return false }
        return uri.contains { $0 != " " && $0 != "\t" }
    }

    /// A client for `ECS_CONTAINER_METADATA_URI_V4`, or nil when it is unset or empty (not running in ECS).
    public static func fromEnvironment(
        _ environment: [String: String] = ProcessInfo.processInfo.environment, timeout: Duration = .seconds(2)
    ) -> ECSMetadataClient? {
        guard let uri = environment[environmentVariable].map { $0.trimmingScalars(where: \.isBlank) }, !uri.isEmpty else {
            return nil
        }
        return ECSMetadataClient(uri: uri, timeout: timeout)
    }

    /// GETs `$URI/task` and parses it.
    public func fetchTask() async throws(ECSMetadataError) -> ECSTaskMetadata {
        let endpoint = try ECSMetadataEndpoint(uri: uri)
        let body = try await get(endpoint, resource: "task")
        do throws(ECSMetadataError) {
            return try ECSTaskMetadata.parse(body)
        } catch {
            throw ECSMetadataError(error.code, "ECS task metadata: GET \(endpoint.url("task")): \(error.message)")
        }
    }

    /// GETs one resource under the endpoint and returns the body of a `200 OK`.
    public func get(_ endpoint: ECSMetadataEndpoint, resource: String) async throws(ECSMetadataError) -> [UInt8] {
        let url = endpoint.url(resource)
        let deadline = NIODeadline.now() + Self.timeAmount(timeout)
        let eventLoop = group.next()
        let promise = eventLoop.makePromise(of: [UInt8].self)
        let collector = ResponseCollector(promise: promise, limit: maxBodyBytes, url: url)
        let channel: any Channel
        do {
            channel = try await ClientBootstrap(group: eventLoop)
                .connectTimeout(Self.timeAmount(min(connectTimeout, timeout)))
                .channelInitializer { ch in
                    ch.eventLoop.makeCompletedFuture {
                        try ch.pipeline.syncOperations.addHTTPClientHandlers()
                        try ch.pipeline.syncOperations.addHandler(collector)
                    }
                }
                .connect(host: endpoint.host, port: endpoint.port).get()
        } catch {
            let failure = Self.connectFailure(error, endpoint: endpoint, url: url)
            eventLoop.execute { collector.abandon(failure) }  // complete the promise exactly once
            throw failure
        }
        let timer = channel.eventLoop.scheduleTask(deadline: deadline) {
            collector.abort(
                ECSMetadataError(.timeout, "ECS task metadata: GET \(url) did not complete within \(timeout)"),
                channel: channel)
        }
        defer { timer.cancel() }
        var headers = HTTPHeaders()
        headers.add(name: "Host", value: endpoint.hostHeader)
        headers.add(name: "Accept", value: "application/json")
        headers.add(name: "User-Agent", value: "beamconsole")
        headers.add(name: "Connection", value: "close")
        let head = HTTPRequestHead(version: .http1_1, method: .GET, uri: endpoint.path(resource), headers: headers)
        channel.write(HTTPClientRequestPart.head(head), promise: nil)
        channel.writeAndFlush(HTTPClientRequestPart.end(nil), promise: nil)
        do {
            return try await promise.futureResult.get()
        } catch let error as ECSMetadataError {
            throw error
        } catch {
            channel.close(promise: nil)
            throw ECSMetadataError(.ioError, "ECS task metadata: GET \(url): \(error)")
        }
    }

    static func timeAmount(_ d: Duration) -> TimeAmount {
        let (s, atto) = d.components
        let (ns, overflow) = s.multipliedReportingOverflow(by: 1_000_000_000)
        return .nanoseconds(overflow ? .max : ns &+ atto / 1_000_000_000)
    }

    /// Names a failed connect: refused, timed out, unresolved, or another socket error.
    static func connectFailure(_ error: any Error, endpoint: ECSMetadataEndpoint, url: String) -> ECSMetadataError {
        let at = "\(endpoint.hostHeader)"
        switch ConnectFailure(error) {
        case .refused:
            return ECSMetadataError(
                .connectionRefused, "ECS task metadata: connection refused by \(at) (GET \(url))")
        case .timedOut:
            return ECSMetadataError(.connectTimeout, "ECS task metadata: TCP connect to \(at) timed out (GET \(url))")
        case .unresolved(let why):
            return ECSMetadataError(.hostNotFound, "ECS task metadata: cannot resolve \(endpoint.host): \(why)")
        case .other(let why):
            return ECSMetadataError(.ioError, "ECS task metadata: connect to \(at) failed: \(why)")
        }
    }

}

/// Collects one HTTP response: fails on a status other than 200, on a declared or actual body larger than the
/// limit (closing the connection at once), and on a connection closed before the end of the response.
/// Every method runs on the channel's event loop.
private final class ResponseCollector: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = HTTPClientResponsePart

    private let promise: EventLoopPromise<[UInt8]>
    private let limit: Int
    private let url: String
    private var body: [UInt8] = []
    private var done = false

    init(promise: EventLoopPromise<[UInt8]>, limit: Int, url: String) {
        self.promise = promise; self.limit = limit; self.url = url
    }

    /// Fails the request (if it is still running) and closes the connection.
    func abort(_ error: ECSMetadataError, channel: any Channel) {
        guard !done else { return }
        done = true
        promise.fail(error)
        channel.close(promise: nil)
    }

    /// Fails the request if it is still running (the connect failed: there is no channel to close).
    func abandon(_ error: ECSMetadataError) {
        guard !done else { return }
        done = true
        promise.fail(error)
    }

    private func fail(_ error: ECSMetadataError, context: ChannelHandlerContext) {
        abort(error, channel: context.channel)
    }

    private func tooLarge(_ what: String) -> ECSMetadataError {
        ECSMetadataError(
            .documentTooLarge, "ECS task metadata: GET \(url): \(what), more than the \(limit) bytes allowed")
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !done else { return }
        switch unwrapInboundIn(data) {
        case .head(let head):
            guard head.status == .ok else {
                let status = head.status
                fail(ECSMetadataError(
                    .httpStatus, "ECS task metadata: GET \(url) answered HTTP \(status.code) \(status.reasonPhrase)",
                    httpStatus: Int(status.code)), context: context)
                return
            }
            if let declared = head.headers.first(name: "content-length").flatMap(Int.init), declared > limit {
                fail(tooLarge("the response declares \(declared) bytes"), context: context)
            }
        case .body(var buffer):
            guard body.count + buffer.readableBytes <= limit else {
                fail(tooLarge("the response body is longer"), context: context)
                return
            }
            body += buffer.readBytes(length: buffer.readableBytes) ?? []
        case .end:
            done = true
            promise.succeed(body)
            context.close(promise: nil)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        fail(ECSMetadataError(
            .protocolError, "ECS task metadata: GET \(url): the connection closed before the response was complete"),
            context: context)
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if error is HTTPParserError {
            fail(ECSMetadataError(.protocolError, "ECS task metadata: GET \(url): bad HTTP response: \(error)"),
                 context: context)
        } else {
            fail(ECSMetadataError(.ioError, "ECS task metadata: GET \(url): \(error)"), context: context)
        }
    }
}
