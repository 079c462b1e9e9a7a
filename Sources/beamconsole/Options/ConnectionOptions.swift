import ArgumentParser
import ConsoleREPL
import TermSyntax

/// Options shared by the REPL and every one-shot command that talks to nodes: their help, with their names and value
/// readers taken from the ``ConnectionOption`` table, which the fast path reads alone. What they mean (checks and
/// start-up options) is ``ConnectionArguments``'s.
///
/// ArgumentParser's `@Option`/`@Flag` property wrappers are declarations, so they cannot be generated from that table:
/// each property here names its entry, and `CLITests.ConnectionOptionTableTests` checks that every entry (and no other
/// option) is here, parsed with the same arity and meaning.
struct ConnectionOptions: ParsableArguments {
    /// The name of `option` in the table.
    private static func long(_ option: ConnectionOption) -> NameSpecification { .customLong(option.name) }

    @Option(name: long(.name), help: "Our long node name (name or name@host; like erl -name).") var name: String?
    @Option(name: long(.sname), help: "Our short node name (name or name@host; like erl -sname).") var sname: String?
    @Option(name: long(.connect), help: "Connect to NODE at start (repeatable); the first is the default target.")
    var connect: [String] = []
    @Option(name: long(.cookie),
        help: "The cookie (other users can see it in ps; prefer RELEASE_COOKIE or --cookie-file).")
    var cookie: String?
    @Option(name: long(.cookieFile), help: "Read the cookie from FILE (must not be group/world readable).")
    var cookieFile: String?
    @Option(name: long(.syntax), help: "Syntax of expressions and results: elixir or erlang.") var syntax: SourceSyntax?
    @Flag(name: long(.noColor), help: "No ANSI colours (also NO_COLOR, TERM=dumb).") var noColor = false
    @Flag(name: long(.json), help: "Print a JSON document instead of text (one-shot commands).") var json = false
    @Flag(name: long(.verbose),
        help: "Say on standard error which route (blocking or full) a one-shot command takes, and why.")
    var verbose = false
    @Option(name: long(.timeout), help: "Seconds allowed for each remote call.") var timeout: Double = 30
    @Option(name: long(.maxResultBytes), help: "At most this many bytes of an evaluation's rendered result (on the node).")
    var maxResultBytes = 65_536
    @Flag(name: long(.readOnly), help: "Allow only introspection calls (see beamconsole(1)); no eval.")
    var readOnly = false
    @Flag(name: long(.allowTrace), help: "Allow trace under --read-only (trace sets trace patterns on the nodes).")
    var allowTrace = false
    @Option(name: long(.auditLog), help: "Append one JSON line per remote operation to FILE (created 0600).")
    var auditLog: String?
    @Flag(name: long(.yes), help: "Do not ask before a multicall to more than one node.") var yes = false
    @Option(name: long(.dnsQuery), help: "Discover nodes as libcluster DNSPoll does: poll this DNS name.")
    var dnsQuery: String?
    @Option(name: long(.basename),
        help: "DNSPoll's node_basename: nodes are BASENAME@IP (default: RELEASE_NODE's name).")
    var basename: String?
    @Option(name: long(.pollInterval), help: "Seconds between discovery polls (libcluster's polling_interval).")
    var pollInterval: Double = 5
    @Option(name: long(.dnsServer), help: "Ask this DNS server (HOST or HOST:PORT) instead of resolv.conf's.")
    var dnsServer: [String] = []
    @Option(name: long(.dnsType), help: "Record types to poll: a (libcluster's), aaaa, or both.")
    var dnsType: DNSTypeOption = .a
    @Option(name: long(.epmdHosts), help: "Discover every node registered in EPMD on these hosts (comma-separated).")
    var epmdHosts: [String] = []
    @Option(name: long(.nodes), parsing: .upToNextOption,
        help: "These nodes (comma- or space-separated) are cluster members.")
    var nodes: [String] = []
    @Option(name: long(.tlsCert), help: "TLS distribution (-proto_dist inet_tls): our certificate (PEM).")
    var tlsCert: String?
    @Option(name: long(.tlsKey), help: "The private key of --tls-cert (PEM, not encrypted).")
    var tlsKey: String?
    @Option(name: long(.tlsCA), help: "TLS: trust nodes whose certificates chain to these CAs (PEM bundle).")
    var tlsCA: String?
    @Flag(name: long(.tlsInsecure), help: "TLS without checking the node's certificate (testing only).")
    var tlsInsecure = false
    @Flag(name: long(.tlsVerifyHostname), help: "TLS: also check that the certificate names the node's host.")
    var tlsVerifyHostname = false
    @Option(name: long(.sslDistOptfile), help: "TLS as an OTP -ssl_dist_optfile FILE says (client options).")
    var sslDistOptfile: String?

    /// The parsed values.
    var arguments: ConnectionArguments {
        var a = ConnectionArguments()
        a.name = name
        a.sname = sname
        a.connect = connect
        a.cookie = cookie
        a.cookieFile = cookieFile
        a.syntax = syntax
        a.noColor = noColor
        a.json = json
        a.verbose = verbose
        a.timeout = timeout
        a.maxResultBytes = maxResultBytes
        a.readOnly = readOnly
        a.allowTrace = allowTrace
        a.auditLog = auditLog
        a.yes = yes
        a.dnsQuery = dnsQuery
        a.basename = basename
        a.pollInterval = pollInterval
        a.dnsServer = dnsServer
        a.dnsTypes = dnsType.types
        a.epmdHosts = epmdHosts
        a.nodes = nodes
        a.tlsCert = tlsCert
        a.tlsKey = tlsKey
        a.tlsCA = tlsCA
        a.tlsInsecure = tlsInsecure
        a.tlsVerifyHostname = tlsVerifyHostname
        a.sslDistOptfile = sslDistOptfile
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
