import ErlangTerm

/// The Erlang I/O protocol, server side, for a group leader that captures output (`io_protocol.md`).
///
/// Output goes to `write`; the `{put_chars, Enc, M, F, A}` form is evaluated through `evaluate` (beamconsole does a
/// nested rex call, since it cannot run `io_lib:format` itself). Input requests are answered `eof`.
public struct IOServer: Sendable {
    /// Evaluates `apply(M, F, A)` remotely and returns the resulting chardata, or nil on failure.
    public var evaluate: @Sendable (Atom, Atom, [Term]) async -> Term?
    /// Receives output text, in order.
    public var write: @Sendable (String) -> Void

    public init(evaluate: @escaping @Sendable (Atom, Atom, [Term]) async -> Term?, write: @escaping @Sendable (String) -> Void) {
        self.evaluate = evaluate
        self.write = write
    }

    /// Handles one `{io_request, From, ReplyAs, Request}` message; returns the pid to answer and the reply message
    /// `{io_reply, ReplyAs, Reply}`, or nil if the message is not an I/O request.
    public func handleMessage(_ message: Term) async -> (to: Pid, reply: Term)? {
        guard case .tuple(let t) = message, t.count == 4, t[0] == .atom("io_request"), case .pid(let from) = t[1] else {
            return nil
        }
        let reply = await handle(request: t[3])
        return (from, .tuple([.atom("io_reply"), t[2], reply]))
    }

    /// Handles one request and returns the reply term.
    public func handle(request: Term) async -> Term {
        var serving = Serving(request)
        while true {
            switch serving.next() {
            case .write(let text): write(text)
            case .evaluate(let m, let f, let a): serving.evaluated(await evaluate(m, f, a))
            case .reply(let reply): return reply
            }
        }
    }

    /// One I/O request served step by step, without doing any I/O: ``handle(request:)`` and the blocking group leader
    /// of ``BlockingNode`` run its steps. A `{requests, List}` is handled in order, nested lists included, stopping at
    /// the first `{error, _}`; the answer is the last reply (`ok` for an empty list).
    public struct Serving: Sendable {
        /// What to do next.
        public enum Step: Hashable, Sendable {
            /// Output this text.
            case write(String)
            /// Evaluate `apply(M, F, A)` remotely and report the chardata with ``Serving/evaluated(_:)``.
            case evaluate(Atom, Atom, [Term])
            /// Done: answer with this reply.
            case reply(Term)
        }

        /// The request not yet classified (kept apart from `pending` so that one request allocates nothing).
        private var request: Term?
        /// The requests of `{requests, List}`s still to handle, the next one last.
        private var pending: [Term] = []
        /// The reply so far.
        private var last: Term = .ok
        /// The function of the ``Step/evaluate(_:_:_:)`` being carried out.
        private var evaluating: Atom?
        /// Output of an evaluation, to write next.
        private var output: String?

        /// Starts serving `request` (the `Request` of `{io_request, From, ReplyAs, Request}`).
        public init(_ request: Term) {
            self.request = request
        }

        /// The next step; after ``Step/evaluate(_:_:_:)``, report its result with ``evaluated(_:)`` first.
        public mutating func next() -> Step {
            precondition(evaluating == nil, "the evaluation's result was not reported")
            if let text = output {
                output = nil
                return .write(text)
            }
            while let request = request.take() ?? pending.popLast() {
                switch IOServer.plan(request) {
                case .reply(let reply):
                    last = reply
                    if IOServer.isError(reply) { return finish() }
                case .write(let text):
                    last = .ok
                    return .write(text)
                case .evaluate(let m, let f, let a):
                    evaluating = f
                    return .evaluate(m, f, a)
                case .requests(let requests):
                    last = .ok
                    pending.append(contentsOf: requests.reversed())
                }
            }
            return .reply(last)
        }

        /// Reports what the ``Step/evaluate(_:_:_:)`` gave: the chardata, or nil when the evaluation failed.
        public mutating func evaluated(_ data: Term?) {
            guard let f = evaluating else { preconditionFailure("no evaluation is being carried out") }
            evaluating = nil
            let (text, reply) = IOServer.evaluated(data, function: f)
            last = reply
            output = text
            if IOServer.isError(reply) { pending.removeAll() }
        }

        private mutating func finish() -> Step {
            pending.removeAll()
            return .reply(last)
        }
    }

    /// What one I/O request needs, decided without doing any I/O (``Serving`` runs it over nested request lists).
    public enum Plan: Hashable, Sendable {
        /// Answer with this reply.
        case reply(Term)
        /// Output this text, then answer `ok`.
        case write(String)
        /// Evaluate `apply(M, F, A)` remotely, then finish with ``IOServer/evaluated(_:function:)``.
        case evaluate(Atom, Atom, [Term])
        /// `{requests, List}`: handle each in order, stopping at the first error; the last reply is the answer.
        case requests([Term])
    }

    /// Classifies one request.
    public static func plan(_ request: Term) -> Plan {
        let enotsup: Term = .tuple([.atom("error"), .atom("enotsup")])
        switch request {
        case .tuple(let t) where t.first == .atom("put_chars"):
            // {put_chars, Enc, Chars} | {put_chars, Chars} | {put_chars, Enc, M, F, A} | {put_chars, M, F, A}
            var args = Array(t.dropFirst())
            var latin1 = args.count == 1 || args.count == 3
            if args.count == 2 || args.count == 4, case .atom(let enc) = args[0] {
                latin1 = enc.name == "latin1"
                args.removeFirst()
            }
            if args.count == 1 {
                guard let s = Self.chardataToString(args[0], latin1: latin1) else {
                    return .reply(.tuple([.atom("error"), .atom("put_chars")]))
                }
                return .write(s)
            }
            if args.count == 3, case .atom(let m) = args[0], case .atom(let f) = args[1], case .list(let a) = args[2] {
                return .evaluate(m, f, a)
            }
            return .reply(.tuple([.atom("error"), .atom("request")]))
        case .tuple(let t) where t.first == .atom("get_line") || t.first == .atom("get_chars")
            || t.first == .atom("get_until") || t.first == .atom("get_password"):
            return .reply(.atom("eof"))
        case .atom("get_password"):
            return .reply(.atom("eof"))
        case .tuple(let t) where t.first == .atom("setopts"):
            return .reply(.ok)
        case .atom("getopts"):
            return .reply(.list([
                .tuple([.atom("binary"), .atom("false")]), .tuple([.atom("encoding"), .atom("unicode")]),
            ]))
        case .tuple(let t) where t.first == .atom("get_geometry"):
            return .reply(enotsup)
        case .tuple(let t) where t.count == 2 && t[0] == .atom("requests"):
            guard case .list(let reqs) = t[1] else { return .reply(.tuple([.atom("error"), .atom("request")])) }
            return .requests(reqs)
        default:
            return .reply(.tuple([.atom("error"), .atom("request")]))
        }
    }

    /// The text to output (if any) and the reply, once `apply(M, F, A)` of a ``Plan/evaluate(_:_:_:)`` returned
    /// `data` (nil: the evaluation failed).
    public static func evaluated(_ data: Term?, function f: Atom) -> (text: String?, reply: Term) {
        guard let data, let s = chardataToString(data, latin1: false) else {
            return (nil, .tuple([.atom("error"), .tuple([.atom("error"), .atom(f)])]))
        }
        return (s, .ok)
    }

    /// Whether a reply is `{error, _}`.
    public static func isError(_ reply: Term) -> Bool {
        if case .tuple(let e) = reply, e.first == .atom("error") { return true }
        return false
    }

    /// Flattens chardata (UTF-8 binaries, code-point lists, nested) into a string; with `latin1`, binaries are bytes.
    public static func chardataToString(_ term: Term, latin1: Bool) -> String? {
        var scalars = String.UnicodeScalarView()
        var stack: [Term] = [term]
        while let t = stack.popLast() {
            switch t {
            case .binary(let b):
                if latin1 {
                    scalars.append(contentsOf: b.map { Unicode.Scalar($0) })
                } else {
                    guard let s = String(validating: b, as: UTF8.self) else { return nil }
                    scalars.append(contentsOf: s.unicodeScalars)
                }
            case .integer(let i):
                guard let u = UInt32(exactly: i), let s = Unicode.Scalar(u) else { return nil }
                scalars.append(s)
            case .list(let l):
                stack.append(contentsOf: l.reversed())
            case .improperList(let l, let tail):
                stack.append(tail)
                stack.append(contentsOf: l.reversed())
            default:
                return nil
            }
        }
        return String(scalars)
    }
}
