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
    let pageSize = Int(sysconf(Int32(_SC_PAGESIZE)))
    let size = (stackSize + pageSize - 1) / pageSize * pageSize
    if !startPOSIXThread(stackSize: size, joined: true, body) { body() }
}

/// Starts a POSIX thread running `body` (no Foundation): `joined`, it returns when `body` has run; otherwise the thread
/// is detached and ends with `body`. `stackSize` nil keeps the default. False when no thread could be made (nothing
/// ran). The package's one thread starter (the printers' deep terms, the console's line editor, signal relay and key
/// reads).
package func startPOSIXThread(stackSize: Int?, joined: Bool, _ body: @escaping () -> Void) -> Bool {
    final class Context {
        let body: () -> Void
        init(_ body: @escaping () -> Void) { self.body = body }
    }
    let attributes = UnsafeMutablePointer<pthread_attr_t>.allocate(capacity: 1)
    defer { attributes.deallocate() }
    guard pthread_attr_init(attributes) == 0 else { return false }
    defer { pthread_attr_destroy(attributes) }
    if let stackSize, pthread_attr_setstacksize(attributes, stackSize) != 0 { return false }
    if !joined { pthread_attr_setdetachstate(attributes, Int32(PTHREAD_CREATE_DETACHED)) }
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
        return false
    }
    if joined {
        #if canImport(Darwin)
            pthread_join(thread!, nil)
        #else
            pthread_join(thread, nil)
        #endif
    }
    return true
}
