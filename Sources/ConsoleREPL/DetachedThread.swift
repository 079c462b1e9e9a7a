#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Starts a thread that runs `body` and ends with it: a detached pthread, as Foundation's `Thread` made, without
/// Foundation. `stackSize` nil keeps the default (the stack limit, 8 MiB on Linux). Threads are the console's own
/// (the line editor, the signal relay, key reads): running out of them is not something to recover from.
func startDetachedThread(stackSize: Int? = nil, _ body: @escaping @Sendable () -> Void) {
    final class Context {
        let body: @Sendable () -> Void
        init(_ body: @escaping @Sendable () -> Void) { self.body = body }
    }
    let attributes = UnsafeMutablePointer<pthread_attr_t>.allocate(capacity: 1)
    defer { attributes.deallocate() }
    precondition(pthread_attr_init(attributes) == 0, "pthread_attr_init failed")
    defer { pthread_attr_destroy(attributes) }
    pthread_attr_setdetachstate(attributes, Int32(PTHREAD_CREATE_DETACHED))
    if let stackSize { pthread_attr_setstacksize(attributes, stackSize) }
    let context = Unmanaged.passRetained(Context(body))
    #if canImport(Darwin)
        var thread: pthread_t?
    #else
        var thread = pthread_t()
    #endif
    let rc = pthread_create(
        &thread, attributes,
        { raw in
            #if !canImport(Darwin)
                guard let raw else { return nil }
            #endif
            Unmanaged<Context>.fromOpaque(raw).takeRetainedValue().body()
            return nil
        }, context.toOpaque())
    guard rc == 0 else {
        context.release()
        preconditionFailure("pthread_create failed (\(rc))")
    }
}
