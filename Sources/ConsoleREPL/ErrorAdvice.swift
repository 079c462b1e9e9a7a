import ErlangDistribution

/// The console's advice for a distribution error, in terms of beamconsole's own options. The library's messages
/// say what happened and name no command-line options; the console adds which of its options to change.
public enum ErrorAdvice {
    /// What to change on beamconsole's command line for `error`, if anything (by its code, never its text).
    public static func advice(for error: DistributionError) -> String? {
        switch error.code {
        case .plainButPeerExpectsTLS:
            return "the node runs -proto_dist inet_tls: connect with --tls-cert/--tls-key/--tls-ca or "
                + "--ssl-dist-optfile"
        case .tlsExpectedButPeerIsPlain:
            return "connect without the --tls-* and --ssl-dist-optfile options"
        case .tlsCertificateUntrusted:
            return "give the cluster's CA with --tls-ca, or cacertfile in the optfile"
        case .tlsHostnameMismatch:
            return "leave out --tls-verify-hostname to check only the chain"
        case .tlsCertificateRejected:
            return "pass --tls-cert and --tls-key (or certfile/keyfile in the optfile) with a certificate signed by a "
                + "CA the node trusts"
        case .tlsConfigurationInvalid:
            return "--tls-cert and --tls-key go together and, like --tls-ca, name readable PEM files (certfile, keyfile "
                + "and cacertfile in an --ssl-dist-optfile)"
        default:
            return nil
        }
    }

    /// `error` as the console prints it: its description, then the advice.
    public static func text(_ error: DistributionError) -> String {
        guard let advice = advice(for: error) else { return error.description }
        return "\(error.description); \(advice)"
    }
}

extension DefaultStringInterpolation {
    /// Inside the console, `"\(error)"` for a ``DistributionError`` prints it with the console's advice
    /// (``ErrorAdvice/text(_:)``), so that every place that shows an error to the user gives the same advice.
    mutating func appendInterpolation(_ error: DistributionError) {
        appendLiteral(ErrorAdvice.text(error))
    }
}
