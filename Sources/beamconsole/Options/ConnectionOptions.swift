import ArgumentParser
import ConsoleREPL
import TermSyntax

/// Options shared by the REPL and every one-shot command that talks to nodes: their names and help. What they mean
/// (checks and start-up options) is ``ConnectionArguments``'s, which the fast path (``FastCall``) fills too.
struct ConnectionOptions: ParsableArguments {
    @Option(name: .long, help: "Our long node name (name or name@host; like erl -name).") var name: String?
    @Option(name: .long, help: "Our short node name (name or name@host; like erl -sname).") var sname: String?
    @Option(name: .long, help: "Connect to NODE at start (repeatable); the first is the default target.")
    var connect: [String] = []
    @Option(name: .long, help: "The cookie (other users can see it in ps; prefer RELEASE_COOKIE or --cookie-file).")
    var cookie: String?
    @Option(name: .customLong("cookie-file"), help: "Read the cookie from FILE (must not be group/world readable).")
    var cookieFile: String?
    @Option(name: .long, help: "Syntax of expressions and results: elixir or erlang.") var syntax: SourceSyntax?
    @Flag(name: .customLong("no-color"), help: "No ANSI colours (also NO_COLOR, TERM=dumb).") var noColor = false
    @Flag(name: .long, help: "Print a JSON document instead of text (one-shot commands).") var json = false
    @Flag(name: .long, help: "Say on standard error which route (blocking or full) a one-shot command takes, and why.")
    var verbose = false
    @Option(name: .long, help: "Seconds allowed for each remote call.") var timeout: Double = 30
    @Flag(name: .customLong("read-only"), help: "Allow only introspection calls (see beamconsole(1)); no eval.")
    var readOnly = false
    @Option(name: .customLong("audit-log"), help: "Append one JSON line per remote operation to FILE (created 0600).")
    var auditLog: String?
    @Flag(name: .long, help: "Do not ask before a multicall to more than one node.") var yes = false
    @Option(name: .customLong("dns-query"), help: "Discover nodes as libcluster DNSPoll does: poll this DNS name.")
    var dnsQuery: String?
    @Option(name: .long, help: "DNSPoll's node_basename: nodes are BASENAME@IP (default: RELEASE_NODE's name).")
    var basename: String?
    @Option(name: .customLong("poll-interval"), help: "Seconds between discovery polls (libcluster's polling_interval).")
    var pollInterval: Double = 5
    @Option(name: .customLong("dns-server"), help: "Ask this DNS server (HOST or HOST:PORT) instead of resolv.conf's.")
    var dnsServer: [String] = []
    @Option(name: .customLong("dns-type"), help: "Record types to poll: a (libcluster's), aaaa, or both.")
    var dnsType: DNSTypeOption = .a
    @Option(name: .customLong("epmd-hosts"), help: "Discover every node registered in EPMD on these hosts (comma-separated).")
    var epmdHosts: [String] = []
    @Option(name: .long, parsing: .upToNextOption, help: "These nodes (comma- or space-separated) are cluster members.")
    var nodes: [String] = []
    @Option(name: .customLong("tls-cert"), help: "TLS distribution (-proto_dist inet_tls): our certificate (PEM).")
    var tlsCert: String?
    @Option(name: .customLong("tls-key"), help: "The private key of --tls-cert (PEM, not encrypted).")
    var tlsKey: String?
    @Option(name: .customLong("tls-ca"), help: "TLS: trust nodes whose certificates chain to these CAs (PEM bundle).")
    var tlsCA: String?
    @Flag(name: .customLong("tls-insecure"), help: "TLS without checking the node's certificate (testing only).")
    var tlsInsecure = false
    @Flag(name: .customLong("tls-verify-hostname"), help: "TLS: also check that the certificate names the node's host.")
    var tlsVerifyHostname = false
    @Option(name: .customLong("ssl-dist-optfile"), help: "TLS as an OTP -ssl_dist_optfile FILE says (client options).")
    var sslDistOptfile: String?

    /// The parsed values.
    var arguments: ConnectionArguments {
        var a = ConnectionArguments()
        a.json = json
        a.verbose = verbose
        var o = StartupOptions()
        o.name = name
        o.sname = sname
        o.connect = connect
        o.cookie = cookie
        o.cookieFile = cookieFile
        o.syntax = syntax
        o.noColor = noColor
        o.timeout = ConnectionArguments.duration(seconds: timeout)
        o.readOnly = readOnly
        o.auditLog = auditLog
        o.assumeYes = yes
        o.discovery.dnsQuery = dnsQuery
        o.discovery.basename = basename
        o.discovery.pollInterval = ConnectionArguments.duration(seconds: pollInterval)
        o.discovery.dnsServers = dnsServer
        o.discovery.recordTypes = dnsType.types
        o.discovery.epmdHosts = epmdHosts
        o.discovery.nodes = nodes
        o.tls.certFile = tlsCert
        o.tls.keyFile = tlsKey
        o.tls.caFile = tlsCA
        o.tls.insecure = tlsInsecure
        o.tls.verifyHostname = tlsVerifyHostname
        o.tls.sslDistOptfile = sslDistOptfile
        a.options = o
        return a
    }

    func validate() throws {
        do throws(ConnectionArguments.Invalid) {
            try arguments.validate()
        } catch {
            throw ValidationError(error.message)
        }
    }

    var startup: StartupOptions { arguments.startup }

    /// `command` as a one-shot run with these options.
    func oneShot(_ command: ConsoleCommand) -> OneShot {
        let a = arguments
        return OneShot(command: command, startup: a.startup, json: a.json, verbose: a.verbose)
    }
}

/// Runs `oneShot` on its route; a failure exits with its status.
func runOneShot(_ oneShot: OneShot) async throws {
    try exitOnFailure(await ConsoleApp.runOneShot(oneShot))
}

/// Throws ArgumentParser's exit for a non-zero status.
func exitOnFailure(_ status: Int32) throws {
    if status != 0 { throw ExitCode(status) }
}
