import Foundation

/// A throwaway PKI for TLS distribution tests, made with the `openssl` command in a fresh temporary directory:
/// a CA, a node certificate signed by it (`DNS:localhost`, `IP:127.0.0.1`, server and client use), a client
/// certificate signed by it, and a second, unrelated CA with its own certificate (for "not trusted" cases).
/// Keys are P-256 (quick to make), PEM, unencrypted.
///
/// ```swift
/// let pki = try TestCertificates()
/// defer { pki.remove() }
/// let node = try TestNode(kind: .erl, cookie: c, longHost: "127.0.0.1", tlsOptfile: pki.nodeOptfile)
/// ```
public final class TestCertificates: @unchecked Sendable {
    /// The directory holding every file.
    public let directory: String
    /// The CA certificate (PEM).
    public var caFile: String { directory + "/ca.pem" }
    /// The node's certificate and key (the node uses them as server and as client).
    public var nodeCertFile: String { directory + "/node.pem" }
    public var nodeKeyFile: String { directory + "/node.key" }
    /// A client certificate and key for the console, signed by the CA.
    public var clientCertFile: String { directory + "/client.pem" }
    public var clientKeyFile: String { directory + "/client.key" }
    /// Another CA, which signed nothing the node has.
    public var otherCAFile: String { directory + "/other-ca.pem" }
    /// A certificate and key signed by ``otherCAFile``.
    public var otherCertFile: String { directory + "/other.pem" }
    public var otherKeyFile: String { directory + "/other.key" }
    /// An `-ssl_dist_optfile` for the node: mutual TLS (`verify_peer`, `fail_if_no_peer_cert`) with the CA.
    public var nodeOptfile: String { directory + "/node-ssl-dist.conf" }
    /// An optfile for the console: client options with the client certificate, verify_peer, and options we ignore.
    public var clientOptfile: String { directory + "/client-ssl-dist.conf" }

    /// Makes every file. Throws when `openssl` is missing (`apt-get install openssl`; `make test` installs it).
    public init() throws {
        guard let openssl = findExecutable("openssl") else {
            throw TestSupportError("openssl not found in PATH: install openssl (make test does)")
        }
        directory = NSTemporaryDirectory() + "beamconsole-pki-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let d = directory
        func run(_ args: [String]) throws {
            let log = d + "/openssl.log"
            let p = try ChildProcess(executable: openssl, arguments: args, outputPath: log, workingDirectory: d)
            guard let status = p.wait(timeout: 30) else {
                p.stop()
                throw TestSupportError("openssl \(args.first ?? "") timed out")
            }
            guard status == 0 else {
                let out = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
                throw TestSupportError("openssl \(args.joined(separator: " ")) failed (\(status)): \(out.suffix(400))")
            }
        }
        let ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
        func makeCA(_ name: String, _ cn: String) throws {
            try run(["req", "-x509"] + ec + ["-keyout", "\(name).key", "-out", "\(name).pem", "-days", "3",
                "-subj", "/CN=\(cn)"])
        }
        func makeLeaf(_ name: String, cn: String, ca: String) throws {
            try run(["req"] + ec + ["-keyout", "\(name).key", "-out", "\(name).csr", "-subj", "/CN=\(cn)"])
            try run(["x509", "-req", "-in", "\(name).csr", "-CA", "\(ca).pem", "-CAkey", "\(ca).key",
                "-CAcreateserial", "-out", "\(name).pem", "-days", "3", "-extfile", "leaf.ext"])
        }
        try "subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth,clientAuth\n"
            .write(toFile: d + "/leaf.ext", atomically: true, encoding: .utf8)
        try makeCA("ca", "beamconsole test CA")
        try makeCA("other-ca", "unrelated test CA")
        try makeLeaf("node", cn: "node", ca: "ca")
        try makeLeaf("client", cn: "beamconsole", ca: "ca")
        try makeLeaf("other", cn: "stranger", ca: "other-ca")
        let node = """
            %% The node's TLS distribution options (mutual TLS).
            [{server, [{certfile, "\(nodeCertFile)"}, {keyfile, "\(nodeKeyFile)"}, {cacertfile, "\(caFile)"},
                       {verify, verify_peer}, {fail_if_no_peer_cert, true}]},
             {client, [{certfile, "\(nodeCertFile)"}, {keyfile, "\(nodeKeyFile)"}, {cacertfile, "\(caFile)"},
                       {verify, verify_peer}]}].

            """
        try node.write(toFile: nodeOptfile, atomically: true, encoding: .utf8)
        let client = """
            [{server, [{certfile, "\(clientCertFile)"}, {keyfile, "\(clientKeyFile)"}, {fail_if_no_peer_cert, true}]},
             {client, [{cacertfile, "\(caFile)"}, {verify, verify_peer}, {secure_renegotiate, true},
                       {versions, ['tlsv1.2']}]}].

            """
        try client.write(toFile: clientOptfile, atomically: true, encoding: .utf8)
    }

    /// Deletes the directory.
    public func remove() { try? FileManager.default.removeItem(atPath: directory) }
}
