#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Runs code that recurses once per level of a term on a thread of its own, with a stack sized for the depth, and
/// waits for it (POSIX threads; no Foundation).
enum LargeStack {
    private final class Job {
        let body: () -> Void
        init(_ body: @escaping () -> Void) { self.body = body }
    }

    /// Runs `body` on a new thread whose stack is `stackSize` bytes, and returns when it has finished. If no such
    /// thread can be made, runs it on the calling thread.
    static func run(stackSize: Int, _ body: @escaping () -> Void) {
        var attributes = pthread_attr_t()
        guard pthread_attr_init(&attributes) == 0 else { return body() }
        defer { pthread_attr_destroy(&attributes) }
        guard pthread_attr_setstacksize(&attributes, stackSize) == 0 else { return body() }
        let job = Unmanaged.passRetained(Job(body))
        #if canImport(Darwin)
            var thread: pthread_t?
            let start: @convention(c) (UnsafeMutableRawPointer) -> UnsafeMutableRawPointer? = { raw in
                Unmanaged<Job>.fromOpaque(raw).takeRetainedValue().body()
                return nil
            }
        #else
            var thread = pthread_t()
            let start: @convention(c) (UnsafeMutableRawPointer?) -> UnsafeMutableRawPointer? = { raw in
                Unmanaged<Job>.fromOpaque(raw!).takeRetainedValue().body()
                return nil
            }
        #endif
        guard pthread_create(&thread, &attributes, start, job.toOpaque()) == 0 else {
            job.release()
            return body()
        }
        #if canImport(Darwin)
            pthread_join(thread!, nil)
        #else
            pthread_join(thread, nil)
        #endif
    }
}
