import NIOCore
import NIOSSL

/// Turns what went wrong on a TLS distribution connection into a ``DistributionError`` at the
/// ``DistributionError/Stage/tls`` stage with a code the caller can act on. Pure: it reads the TLS library's reason
/// text and the first bytes the peer sent, nothing else.
enum TLSFailure {
    /// The first bytes of a TLS record from the peer: a content type (20 change_cipher_spec, 21 alert, 22 handshake,
    /// 23 application_data) followed by major version 3.
    static func looksLikeTLSRecord(_ bytes: some Collection<UInt8>) -> Bool {
        guard let first = bytes.first else { return false }
        guard (0x14...0x17).contains(first) else { return false }
        return bytes.count < 2 || bytes.dropFirst().first == 0x03
    }

    /// What a plain-TCP node's answer to our TLS hello looks like: not a TLS record.
    static func peerIsPlain(firstBytes: [UInt8]) -> Bool { !firstBytes.isEmpty && !looksLikeTLSRecord(firstBytes) }

    /// The error for a peer that answered our plain handshake message with a TLS record (usually the alert
    /// `15 03 03 00 02 02 0a`, unexpected_message).
    static func peerExpectsTLS(node: String? = nil) -> DistributionError {
        DistributionError(
            .plainButPeerExpectsTLS, stage: .tls, node: node,
            "the node uses TLS distribution (-proto_dist inet_tls) and answered with a TLS alert; "
                + "connect with a TLS configuration")
    }

    /// The error for a peer that never answered our TLS hello (within `waited`), or closed without a word. A plain
    /// node reads our hello's first two bytes (`16 03`) as a 5,635-byte handshake message and waits for the rest
    /// until its own setup timer closes the connection.
    static func peerSilent(waited: Duration? = nil) -> DistributionError {
        let what = waited.map {
            "did not answer our TLS hello within \(Double($0.wholeNanoseconds / 1_000_000) / 1000) s"
        }
            ?? "closed the connection without answering our TLS hello"
        return DistributionError(
            .tlsExpectedButPeerIsPlain, stage: .tls,
            "the node \(what): it does not use TLS distribution (-proto_dist inet_tls); connect without TLS")
    }

    /// Classifies a failure during the TLS handshake (or a TLS alert right after it).
    /// - Parameters:
    ///   - reason: the TLS library's description of the error.
    ///   - firstBytes: the first bytes the peer sent on the socket (before decryption).
    ///   - configuration: our TLS configuration (for the advice).
    static func classify(
        reason: String, firstBytes: [UInt8], configuration: DistributionTLSConfiguration
    ) -> DistributionError {
        func error(_ code: DistributionError.Code, _ message: String) -> DistributionError {
            DistributionError(code, stage: .tls, message)
        }
        if peerIsPlain(firstBytes: firstBytes) {
            let hex = firstBytes.prefix(4).map { String($0, radix: 16).leftPadded(2) }.joined(separator: " ")
            return error(
                .tlsExpectedButPeerIsPlain,
                "the node answered our TLS hello with non-TLS bytes (\(hex)): it does not use TLS distribution "
                    + "(-proto_dist inet_tls); connect without TLS")
        }
        let r = reason.uppercased()
        if firstBytes.isEmpty && (r.contains("EOF DURING HANDSHAKE") || r.contains("EOFDURINGHANDSHAKE")) {
            return peerSilent()
        }
        if r.contains("CERTIFICATE_VERIFY_FAILED") {
            let ca = configuration.trustedCAFile.map { "the CA in \($0)" }
                ?? "the system's trusted CAs (no CA file given)"
            return error(
                .tlsCertificateUntrusted,
                "the node's certificate is not trusted: it does not chain to \(ca), or it has expired "
                    + "(trust the CA that signed the cluster's certificates)")
        }
        if r.contains("FAILEDTOVALIDATEHOSTNAME") || r.contains("FAILED TO VALIDATE HOSTNAME") {
            return error(
                .tlsHostnameMismatch,
                "the node's certificate is trusted but does not name the host we dialled "
                    + "(hostname verification is on; without it only the chain is checked)")
        }
        let rejections = [
            "ALERT_BAD_CERTIFICATE", "ALERT_UNKNOWN_CA", "ALERT_CERTIFICATE_UNKNOWN", "ALERT_CERTIFICATE_REQUIRED",
            "ALERT_CERTIFICATE_EXPIRED", "ALERT_CERTIFICATE_REVOKED", "ALERT_ACCESS_DENIED",
            "ALERT_UNSUPPORTED_CERTIFICATE", "ALERT_DECRYPT_ERROR",
        ]
        if let alert = rejections.first(where: { r.contains($0) }) {
            let name = alert.dropFirst("ALERT_".count).lowercased()
            return error(
                .tlsCertificateRejected,
                "the node rejected our certificate (TLS alert \(name)): "
                    + (configuration.certificateChainFile == nil
                        ? "it requires a client certificate and we sent none"
                        : "it must be signed by a CA the node trusts (its cacertfile)"))
        }
        if r.contains("ALERT_HANDSHAKE_FAILURE") {
            // OTP answers a missing client certificate (fail_if_no_peer_cert) with handshake_failure under TLS 1.2.
            if configuration.certificateChainFile == nil {
                return error(
                    .tlsCertificateRejected,
                    "the node refused the TLS handshake (alert handshake_failure): it most likely requires a client "
                        + "certificate and we sent none")
            }
            return error(
                .tlsHandshakeFailed,
                "the node refused the TLS handshake (alert handshake_failure): no common TLS version or cipher, "
                    + "or it did not accept our certificate")
        }
        return error(.tlsHandshakeFailed, "TLS handshake failed: \(reason)")
    }

    /// Whether `error` comes from the TLS layer.
    static func isTLSError(_ error: any Error) -> Bool {
        error is NIOSSLError || error is BoringSSLError || error is NIOSSLExtraError
    }
}

extension String {
    fileprivate func leftPadded(_ width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}

/// Remembers the first bytes the peer sent, before the TLS handler decrypts them, so that a failed TLS handshake
/// can tell a plain-TCP peer (which answers with a distribution message, or nothing) from a TLS one.
final class TLSFirstBytesRecorder: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    /// Up to the first 8 bytes received. Read on the channel's event loop.
    private(set) var firstBytes: [UInt8] = []

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if firstBytes.count < 8 {
            let buffer = unwrapInboundIn(data)
            let n = min(8 - firstBytes.count, buffer.readableBytes)
            firstBytes += buffer.getBytes(at: buffer.readerIndex, length: n) ?? []
        }
        context.fireChannelRead(data)
    }
}
