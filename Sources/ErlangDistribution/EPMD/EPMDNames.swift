/// Asking an EPMD which names it lists, on the calling thread (no event loop): what a console started in a node's
/// container asks its local EPMD before it has a node of its own.
public enum EPMDNames {
    /// The names `host`'s EPMD (at `port`, else `ERL_EPMD_PORT`, else 4369) lists; the error names the `epmd` stage.
    public static func list(host: String = "127.0.0.1", port: Int? = nil, timeout: Duration = .seconds(1))
        throws(DistributionError) -> [EPMDMessage.NameEntry]
    {
        let address = try HostAddress.resolve(host: host, node: nil)
        let p = port ?? EPMDClient.environmentPort ?? EPMDMessage.defaultPort
        let reply = try EPMDExchange(address: address, host: host, port: p, timeout: timeout)
            .exchange(EPMDMessage.namesRequest(), node: nil)
        do throws(EPMDMessage.ParseError) {
            return try EPMDMessage.parseNamesReply(reply)
        } catch {
            throw DistributionError(
                .epmdProtocol, stage: .epmd, "EPMD at \(host):\(p): \(error.message)",
                epmd: .init(host: host, port: p))
        }
    }
}
