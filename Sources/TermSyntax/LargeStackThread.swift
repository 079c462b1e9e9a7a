#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Runs `body` on a new thread whose stack is `stackSize` bytes and waits for it to finish: how a printer that
/// recurses once per level of nesting prints a deep term. A pthread, joined, rather than Foundation's `Thread` and a
/// semaphore, so that the printers need nothing from Foundation. When no thread can be started, `body` runs on the
/// calling thread.
func onLargeStack(_ stackSize: Int, _ body: @escaping () -> Void) {
    final class Context {
        let body: () -> Void
        init(_ body: @escaping () -> Void) { self.body = body }
    }
    let attributes = UnsafeMutablePointer<pthread_attr_t>.allocate(capacity: 1)
    defer { attributes.deallocate() }
    guard pthread_attr_init(attributes) == 0 else { return body() }
    defer { pthread_attr_destroy(attributes) }
    let pageSize = Int(sysconf(Int32(_SC_PAGESIZE)))
    let size = (stackSize + pageSize - 1) / pageSize * pageSize
    guard pthread_attr_setstacksize(attributes, size) == 0 else { return body() }
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
        return body()
    }
    #if canImport(Darwin)
        pthread_join(thread!, nil)
    #else
        pthread_join(thread, nil)
    #endif
}
