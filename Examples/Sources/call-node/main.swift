// Connects to an Erlang or Elixir node as a hidden node, makes one remote call and prints the result.
//
//   RELEASE_COOKIE=secret call-node app@host [MODULE FUNCTION [ARG...]]
//
// Without MODULE and FUNCTION it calls erlang:node(). Each ARG is an Erlang term (`42`, `foo`, `<<"bin">>`,
// `[1,2]`). The cookie comes from RELEASE_COOKIE, never from the command line (`ps` would show it).
import ErlangDistribution
import ErlangTerm
import Foundation
import TermSyntax

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("call-node: \(message)\n".utf8))
    exit(1)
}

let arguments = Array(CommandLine.arguments.dropFirst())
guard let target = arguments.first, arguments.count == 1 || arguments.count >= 3 else {
    fail("usage: RELEASE_COOKIE=... call-node NODE [MODULE FUNCTION [ARG...]]")
}
guard let targetName = NodeName(target) else {
    fail("\(target) is not a node name (alive@host)")
}
guard let cookie = ProcessInfo.processInfo.environment["RELEASE_COOKIE"], !cookie.isEmpty else {
    fail("set RELEASE_COOKIE to the node's cookie")
}
let module = arguments.count >= 3 ? arguments[1] : "erlang"
let function = arguments.count >= 3 ? arguments[2] : "node"
let callArguments: [Term]
do {
    callArguments = try arguments.dropFirst(3).map { try TermParser.parse($0, syntax: .erlang) }
} catch {
    fail("bad argument: \(error)")
}

// Our own name: on the target's host, short or long as the target's is (short and long names do not mix).
let ourName = "call_node_\(UInt16.random(in: 0...UInt16.max))@\(targetName.host)"
let node = LocalNode(
    configuration: .init(name: targetName.form == .long ? .long(ourName) : .short(ourName), cookie: cookie))
defer { node.shutdown() }

do throws(DistributionError) {
    let response = try await node.call(
        node: target, module: Atom(module), function: Atom(function), arguments: callArguments)
    if !response.output.isEmpty { print(response.output, terminator: "") }
    switch response.result {
    case .value(let term):
        print(ErlangFormat.write(term))
    case .exception(let kind, let reason, _):
        fail("\(module):\(function) raised \(kind): \(ErlangFormat.write(reason))")
    case .nodedown(let name):
        fail("\(name) went down during the call")
    case .timeout:
        fail("no answer from \(target)")
    }
} catch {
    // DistributionError: a stable code and the stage where the connection failed; never the cookie.
    fail("\(error.code) at \(error.stage): \(error.message)")
}
