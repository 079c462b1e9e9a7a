import TermSyntax

/// Starts a thread that runs `body` and ends with it: a detached pthread, as Foundation's `Thread` made, without
/// Foundation (``startPOSIXThread(stackSize:joined:_:)``). `stackSize` nil keeps the default (the stack limit, 8 MiB
/// on Linux). Threads are the console's own (the line editor, the signal relay, key reads): running out of them is
/// not something to recover from.
func startDetachedThread(stackSize: Int? = nil, _ body: @escaping @Sendable () -> Void) {
    precondition(startPOSIXThread(stackSize: stackSize, joined: false, body), "no thread could be started")
}
