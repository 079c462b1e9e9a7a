import ErlangTerm
import NIOSSL

/// TLS for the distribution connection, as nodes started with `-proto_dist inet_tls` expect
/// (<https://www.erlang.org/doc/apps/ssl/ssl_distribution.html>).
///
/// With TLS configured, a connection is: EPMD as usual (EPMD cannot tell TLS nodes apart), TCP to the distribution
/// port, a TLS handshake, then the distribution handshake *inside* TLS with 4-byte length prefixes
/// (`inet_tls_dist` uses `{packet, 4}` from the start), then frames as usual.
///
/// **Peer verification.** By default the node's certificate chain must lead to ``trustedCAFile`` (or the system's
/// roots when none is given), but the certificate need not name the host we dialled: OTP nodes usually carry
/// certificates issued for a cluster by a private CA, without the task's IP address as a subject alternative name,
/// and in ECS those addresses change with every task. A private CA that only signs the cluster's certificates is the
/// check that matters. ``PeerVerification/certificateChainAndHostname`` adds the hostname check (the node name's host
/// part against the certificate's DNS or IP names, as OTP's own client does with `verify_peer`);
/// ``PeerVerification/none`` accepts any certificate and is only used when asked for.
///
/// Our certificate and key (``certificateChainFile``, ``privateKeyFile``) are presented when the node asks for one:
/// nodes usually run with `{verify, verify_peer}` and `{fail_if_no_peer_cert, true}` (mutual TLS).
public struct DistributionTLSConfiguration: Hashable, Sendable {
    /// How the node's certificate is checked.
    public enum PeerVerification: String, Hashable, Sendable, CustomStringConvertible {
        /// The chain must lead to a trusted CA; the host name is not checked (the default).
        case certificateChain = "chain"
        /// The chain must lead to a trusted CA and the certificate must name the host we dialled (a DNS name, or for
        /// a node named `name@IP`, that IP address).
        case certificateChainAndHostname = "chain+hostname"
        /// No verification at all (`--tls-insecure`, or `{verify, verify_none}` in an optfile).
        case none
        public var description: String { rawValue }
    }

    /// Our certificate chain (PEM; leaf first), presented when the node asks for a client certificate.
    public var certificateChainFile: String?
    /// The private key of our certificate (PEM, unencrypted).
    public var privateKeyFile: String?
    /// The CA certificates (PEM bundle) that the node's certificate must chain to; nil = the system's trust roots.
    public var trustedCAFile: String?
    /// How the node's certificate is checked (default: the chain, not the host name).
    public var peerVerification: PeerVerification

    public init(
        certificateChainFile: String? = nil, privateKeyFile: String? = nil, trustedCAFile: String? = nil,
        peerVerification: PeerVerification = .certificateChain
    ) {
        self.certificateChainFile = certificateChainFile
        self.privateKeyFile = privateKeyFile
        self.trustedCAFile = trustedCAFile
        self.peerVerification = peerVerification
    }

    /// A one-line summary for diagnostics (file names, no secrets).
    public var summary: String {
        var parts = ["verify=\(peerVerification)"]
        parts.append("ca=\(trustedCAFile ?? (peerVerification == .none ? "-" : "system"))")
        if let c = certificateChainFile { parts.append("cert=\(c)") }
        if let k = privateKeyFile { parts.append("key=\(k)") }
        return parts.joined(separator: " ")
    }

    /// Loads the files and checks that they make a usable client context; throws a ``DistributionError/Stage/tls``
    /// error with code ``DistributionError/Code/tlsConfigurationInvalid`` otherwise. Connecting does the same.
    public func validate() throws(DistributionError) {
        _ = try makeContext()
    }

    /// The NIOSSL client context for this configuration.
    func makeContext() throws(DistributionError) -> NIOSSLContext {
        func bad(_ message: String) -> DistributionError {
            DistributionError(.tlsConfigurationInvalid, stage: .tls, message)
        }
        if (certificateChainFile == nil) != (privateKeyFile == nil) {
            throw bad(certificateChainFile == nil
                ? "a private key needs its certificate (certificateChainFile; certfile in an optfile)"
                : "a certificate needs its private key (privateKeyFile; keyfile in an optfile)")
        }
        var tls = TLSConfiguration.makeClientConfiguration()
        // inet_tls_dist defaults to ['tlsv1.2'] (OTP 25); 1.3 is negotiated where the node allows it.
        tls.minimumTLSVersion = .tlsv12
        switch peerVerification {
        case .certificateChain: tls.certificateVerification = .noHostnameVerification
        case .certificateChainAndHostname: tls.certificateVerification = .fullVerification
        case .none:
            tls.certificateVerification = .none
            // Nothing to trust: do not load the system's roots (a minimal image without ca-certificates has none).
            tls.trustRoots = .certificates([])
        }
        if let ca = trustedCAFile {
            let certs: [NIOSSLCertificate]
            do {
                certs = try NIOSSLCertificate.fromPEMFile(ca)
            } catch {
                throw bad("cannot read the CA bundle \(ca): \(Self.describe(error))")
            }
            guard !certs.isEmpty else { throw bad("the CA bundle \(ca) holds no PEM certificate") }
            tls.trustRoots = .certificates(certs)
        }
        if let certFile = certificateChainFile, let keyFile = privateKeyFile {
            do {
                let chain = try NIOSSLCertificate.fromPEMFile(certFile)
                guard !chain.isEmpty else { throw bad("the certificate file \(certFile) holds no PEM certificate") }
                tls.certificateChain = chain.map { .certificate($0) }
            } catch let e as DistributionError {
                throw e
            } catch {
                throw bad("cannot read the certificate \(certFile): \(Self.describe(error))")
            }
            do {
                tls.privateKey = .privateKey(try NIOSSLPrivateKey(file: keyFile, format: .pem))
            } catch {
                throw bad("cannot read the private key \(keyFile) (PEM, not encrypted): \(Self.describe(error))")
            }
        }
        do {
            return try NIOSSLContext(configuration: tls)
        } catch {
            throw bad("cannot make a TLS context (does the key match the certificate?): \(Self.describe(error))")
        }
    }

    static func describe(_ error: any Error) -> String {
        switch error as? NIOSSLError {
        case .noSuchFilesystemObject?: return "no such file"
        case .failedToLoadCertificate?: return "not a PEM certificate"
        case .failedToLoadPrivateKey?: return "not a PEM private key"
        default: return "\(error)"
        }
    }
}

// MARK: - ssl_dist optfiles

extension DistributionTLSConfiguration {
    /// The client configuration an OTP `-ssl_dist_optfile` describes, and notes about what was not used.
    ///
    /// The file holds `[{server, ServerOpts}, {client, ClientOpts}]` (`inet_tls_dist`; SSLG "Specifying TLS
    /// Options"). We are the client, so `ClientOpts` apply; `certfile`, `keyfile` and `cacertfile` missing there are
    /// taken from `ServerOpts`, as a node uses one certificate for both directions. Understood: `certfile`, `keyfile`,
    /// `cacertfile`, `verify` (`verify_peer` → the chain, `verify_none` → none; the host name is checked only when
    /// the caller asks, see the type's documentation, so `{server_name_indication, disable}` changes nothing).
    /// Anything else (ciphers, versions, `fail_if_no_peer_cert`, funs) is ignored with a note.
    ///
    /// - Parameter term: the parsed file (one list term).
    public static func fromSSLDistOptions(_ term: Term) throws(DistributionError) -> (Self, notes: [String]) {
        func bad(_ message: String) -> DistributionError {
            DistributionError(.tlsConfigurationInvalid, stage: .tls, "ssl_dist optfile: \(message)")
        }
        guard case .list(let sections) = term else {
            throw bad("expected a list [{server, [...]}, {client, [...]}]")
        }
        var server: [Term] = [], client: [Term] = []
        var notes: [String] = []
        for s in sections {
            guard case .tuple(let t) = s, t.count == 2, case .atom(let side) = t[0] else {
                throw bad("expected {server, [...]} or {client, [...]} elements")
            }
            let opts: [Term]
            switch t[1] {
            case .list(let l): opts = l
            default: throw bad("the options of \(side.name) must be a list")
            }
            switch side.name {
            case "server": server = opts
            case "client": client = opts
            default: notes.append("ssl_dist optfile: ignored the section \(side.name)")
            }
        }
        func options(_ list: [Term], _ side: String) throws(DistributionError) -> [String: Term] {
            var out: [String: Term] = [:]
            for o in list {
                switch o {
                case .tuple(let t) where t.count == 2:
                    guard case .atom(let key) = t[0] else { throw bad("\(side) option keys must be atoms") }
                    out[key.name] = t[1]
                case .atom(let a):
                    out[a.name] = .atom("true")
                default:
                    throw bad("\(side) options must be {Key, Value} tuples")
                }
            }
            return out
        }
        let c = try options(client, "client"), s = try options(server, "server")
        func path(_ key: String) throws(DistributionError) -> String? {
            if let v = c[key] {
                guard let p = v.stringValue, !p.isEmpty else { throw bad("client \(key) must be a file name string") }
                return p
            }
            guard let v = s[key] else { return nil }
            guard let p = v.stringValue, !p.isEmpty else { throw bad("server \(key) must be a file name string") }
            notes.append("ssl_dist optfile: \(key) from the server options (the client options have none)")
            return p
        }
        var config = DistributionTLSConfiguration(
            certificateChainFile: try path("certfile"), privateKeyFile: try path("keyfile"),
            trustedCAFile: try path("cacertfile"))
        if let v = c["verify"] {
            switch v {
            case .atom("verify_peer"): config.peerVerification = .certificateChain
            case .atom("verify_none"):
                config.peerVerification = .none
                notes.append("warning: the ssl_dist optfile's client options say {verify, verify_none}: "
                    + "the node's certificate is not checked")
            default: throw bad("client verify must be verify_peer or verify_none")
            }
        }
        if let sni = c["server_name_indication"], sni != .atom("disable") {
            notes.append("ssl_dist optfile: ignored server_name_indication other than disable "
                + "(the node name's host part is sent)")
        }
        let used: Set<String> = ["certfile", "keyfile", "cacertfile", "verify", "server_name_indication"]
        let ignored = c.keys.filter { !used.contains($0) }.sorted()
        if !ignored.isEmpty {
            notes.append("ssl_dist optfile: ignored client options: " + ignored.joined(separator: ", "))
        }
        return (config, notes)
    }
}
