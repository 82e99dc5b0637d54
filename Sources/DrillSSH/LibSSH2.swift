import CLibSSH2
import Foundation

/// Process-wide libssh2 set-up.
enum LibSSH2 {
    /// `libssh2_init` is global and not thread-safe: it runs exactly once, when this constant is first read
    /// (Swift runs global initialisers once, under a lock).
    ///
    /// > libssh2_init: "Initialize the libssh2 functions. This typically initialize the crypto library. It uses a
    /// > global state, and is not thread safe -- you must make sure this function is not called concurrently."
    ///
    /// It also ignores SIGPIPE for the process: a peer that vanishes must give libssh2 an EPIPE error, not kill
    /// the process (libssh2 1.10 does not pass MSG_NOSIGNAL on every send).
    static let initialised: Bool = {
        signal(SIGPIPE, SIG_IGN)
        return libssh2_init(0) == 0
    }()

    /// The session's last error message and code (never contains secrets: libssh2 does not echo credentials).
    static func lastError(_ session: OpaquePointer?) -> (code: Int32, message: String) {
        guard let session else { return (0, "no session") }
        var message: UnsafeMutablePointer<CChar>?
        var length: Int32 = 0
        let code = libssh2_session_last_error(session, &message, &length, 0)
        return (code, message.map { String(cString: $0) } ?? "libssh2 error \(code)")
    }
}

/// Waits on a non-blocking libssh2 session's socket in the direction libssh2 asks for, until an absolute deadline.
///
/// Every libssh2 call made by DrillSSH goes through ``call(_:_:)`` or ``pointer(_:_:)``: they retry on
/// `LIBSSH2_ERROR_EAGAIN` after `poll()`, stop at the deadline or on cancellation, and turn any other failure into
/// an ``SSHError`` carrying libssh2's own message and the name of the call.
struct SessionWaiter {
    let session: OpaquePointer
    let socket: Int32
    let deadline: Deadline
    let context: JobContext?
    /// What to throw at the deadline.
    var timeoutError: () -> SSHError
    /// Maps a libssh2 failure to an error.
    var failure: (_ function: String, _ code: Int32, _ message: String) -> SSHError

    /// Blocks (on this worker thread) until the socket is ready in the direction libssh2 is waiting for.
    func wait(cap: Int32 = 250) throws(SSHError) {
        if context?.isCancelled == true {
            throw SSHError(code: .cancelled, message: "the caller was cancelled")
        }
        let directions = libssh2_session_block_directions(session)
        var events: Int16 = 0
        if directions & LIBSSH2_SESSION_BLOCK_INBOUND != 0 { events |= Int16(POLLIN) }
        if directions & LIBSSH2_SESSION_BLOCK_OUTBOUND != 0 { events |= Int16(POLLOUT) }
        if events == 0 { events = Int16(POLLIN) }
        let timeout = deadline.millisecondsLeft(cap: cap)
        if timeout == 0 && deadline.hasPassed { throw timeoutError() }
        var descriptor = pollfd(fd: socket, events: events, revents: 0)
        _ = poll(&descriptor, 1, timeout)
    }

    /// Calls `body` until it returns something other than EAGAIN; returns that (>= 0).
    @discardableResult
    func call(_ function: String, _ body: () -> Int32) throws(SSHError) -> Int32 {
        while true {
            let rc = body()
            if rc == LIBSSH2_ERROR_EAGAIN {
                try wait()
                continue
            }
            if rc < 0 {
                let (code, message) = LibSSH2.lastError(session)
                throw failure(function, code == 0 ? rc : code, message)
            }
            return rc
        }
    }

    /// Calls `body` until it returns a pointer or fails with something other than EAGAIN.
    func pointer<T>(_ function: String, _ body: () -> T?) throws(SSHError) -> T {
        while true {
            if let value = body() { return value }
            let code = libssh2_session_last_errno(session)
            if code == LIBSSH2_ERROR_EAGAIN {
                try wait()
                continue
            }
            let (_, message) = LibSSH2.lastError(session)
            throw failure(function, code, message)
        }
    }
}

extension Int32 {
    /// True for libssh2 codes that mean the transport itself broke.
    var isLibSSH2SocketError: Bool {
        [
            LIBSSH2_ERROR_SOCKET_NONE, LIBSSH2_ERROR_SOCKET_SEND, LIBSSH2_ERROR_SOCKET_RECV,
            LIBSSH2_ERROR_SOCKET_DISCONNECT, LIBSSH2_ERROR_SOCKET_TIMEOUT, LIBSSH2_ERROR_BANNER_RECV,
            LIBSSH2_ERROR_BANNER_SEND,
        ].contains(self)
    }
}
