import DrillCore
import Synchronization

/// What identifies a reusable session: the same target, login, key, route and host key policy.
struct SessionKey: Hashable, Sendable, CustomStringConvertible {
    var address: String
    var port: Int
    var user: String
    var privateKeyFile: String?
    var jumpHosts: [JumpHost]
    var knownHostsFile: String
    var hostKeyChecking: HostKeyChecking

    var description: String {
        let route = jumpHosts.isEmpty ? "" : " via \(jumpHosts.map(\.description).joined(separator: ","))"
        return "\(user)@\(address):\(port)\(route)"
    }
}

/// Authenticated sessions kept for reuse, at most `perHostLimit` per ``SessionKey``.
///
/// A caller leases a session (or the right to open one), uses it on one worker thread, and gives it back. Idle
/// sessions older than `idleTimeout` are closed at the next acquire or release; ``shutdown()`` closes them all.
/// Closing does socket I/O, so closed connections are handed to `closer` (a worker thread), never closed here.
final class SessionPool: Sendable {
    enum Lease: Sendable {
        /// An idle authenticated session to reuse.
        case reuse(SSHConnection)
        /// A slot to open a new session in; give it back with ``SessionPool/release(_:connection:reusable:)``.
        case open
    }

    private struct HostState {
        var idle: [SSHConnection] = []
        var live = 0
        var waiters: [(id: UInt64, continuation: CheckedContinuation<Lease, any Error>)] = []
    }

    private struct State {
        var hosts: [SessionKey: HostState] = [:]
        var nextID: UInt64 = 0
        var isShutDown = false
    }

    private let state = Mutex(State())
    private let perHostLimit: Int
    private let idleTimeout: Duration
    private let closer: @Sendable ([SSHConnection]) -> Void

    init(perHostLimit: Int, idleTimeout: Duration, closer: @escaping @Sendable ([SSHConnection]) -> Void) {
        self.perHostLimit = max(1, perHostLimit)
        self.idleTimeout = idleTimeout
        self.closer = closer
    }

    deinit {
        // A transport dropped without shutdown(): close what is still kept (bounded: each close gives up after
        // half a second).
        let idle = state.withLock { state in state.hosts.values.flatMap(\.idle) }
        for connection in idle { connection.close() }
    }

    /// Waits for an idle session or a free slot for `key`.
    ///
    /// - Throws: ``SSHError`` `.shutDown` or `.cancelled`.
    func acquire(_ key: SessionKey) async throws(SSHError) -> Lease {
        var expired: [SSHConnection] = []
        let immediate: Result<Lease, SSHError>? = state.withLock { state in
            expired = sweep(&state)
            if state.isShutDown { return .failure(Self.shutDownError) }
            var host = state.hosts[key, default: HostState()]
            defer { state.hosts[key] = host }
            if let connection = host.idle.popLast() { return .success(.reuse(connection)) }
            if host.live < perHostLimit {
                host.live += 1
                return .success(.open)
            }
            return nil
        }
        if !expired.isEmpty { closer(expired) }
        if let immediate { return try immediate.get() }
        let id = state.withLock { state in
            state.nextID += 1
            return state.nextID
        }
        do {
            return try await withTaskCancellationHandler {
                try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Lease, any Error>) in
                    let outcome: Result<Lease, SSHError>? = state.withLock { state in
                        if state.isShutDown { return .failure(Self.shutDownError) }
                        if Task.isCancelled { return .failure(SSHError(code: .cancelled, message: "cancelled")) }
                        // A slot may have been freed between the first check and now.
                        var host = state.hosts[key, default: HostState()]
                        defer { state.hosts[key] = host }
                        if let connection = host.idle.popLast() { return .success(.reuse(connection)) }
                        if host.live < perHostLimit {
                            host.live += 1
                            return .success(.open)
                        }
                        host.waiters.append((id, continuation))
                        return nil
                    }
                    if let outcome { continuation.resume(with: outcome.mapError { $0 as any Error }) }
                }
            } onCancel: {
                let waiter = state.withLock { state -> CheckedContinuation<Lease, any Error>? in
                    guard var host = state.hosts[key],
                        let index = host.waiters.firstIndex(where: { $0.id == id })
                    else { return nil }
                    let waiter = host.waiters.remove(at: index).continuation
                    state.hosts[key] = host
                    return waiter
                }
                waiter?.resume(throwing: SSHError(code: .cancelled, message: "cancelled while waiting for a session"))
            }
        } catch let error as SSHError {
            throw error
        } catch {
            throw SSHError(code: .cancelled, message: "cancelled while waiting for a session")
        }
    }

    /// Gives a lease back: `connection` (if one was opened or reused) goes back to the idle list when `reusable`,
    /// else it is closed and its slot freed.
    func release(_ key: SessionKey, connection: SSHConnection?, reusable: Bool) {
        var toClose: [SSHConnection] = []
        var handOff: (CheckedContinuation<Lease, any Error>, Lease)?
        state.withLock { state in
            toClose = sweep(&state)
            var host = state.hosts[key, default: HostState()]
            defer {
                if host.live == 0 && host.idle.isEmpty && host.waiters.isEmpty {
                    state.hosts[key] = nil
                } else {
                    state.hosts[key] = host
                }
            }
            if let connection, reusable, !connection.isBroken, !state.isShutDown {
                connection.lastUsed = .now()
                if !host.waiters.isEmpty {
                    handOff = (host.waiters.removeFirst().continuation, .reuse(connection))
                } else {
                    host.idle.append(connection)
                }
                return
            }
            if let connection { toClose.append(connection) }
            if !host.waiters.isEmpty && !state.isShutDown {
                // The slot passes straight to the next waiter.
                handOff = (host.waiters.removeFirst().continuation, .open)
            } else {
                host.live -= 1
            }
        }
        if !toClose.isEmpty { closer(toClose) }
        if let (continuation, lease) = handOff { continuation.resume(returning: lease) }
    }

    /// The number of idle sessions (for tests and diagnostics).
    var idleCount: Int { state.withLock { $0.hosts.values.reduce(0) { $0 + $1.idle.count } } }

    /// Closes every idle session older than the idle timeout now.
    func closeIdle() {
        let expired = state.withLock { sweep(&$0) }
        if !expired.isEmpty { closer(expired) }
    }

    /// Fails every waiter, closes every idle session, and makes later acquires fail. Leased sessions are closed when
    /// they are given back.
    func shutdown() {
        var toClose: [SSHConnection] = []
        var waiters: [CheckedContinuation<Lease, any Error>] = []
        state.withLock { state in
            state.isShutDown = true
            for (key, var host) in state.hosts {
                toClose += host.idle
                host.live -= host.idle.count
                host.idle = []
                waiters += host.waiters.map(\.continuation)
                host.waiters = []
                state.hosts[key] = host
            }
        }
        if !toClose.isEmpty { closer(toClose) }
        for waiter in waiters { waiter.resume(throwing: Self.shutDownError) }
    }

    private static var shutDownError: SSHError {
        SSHError(code: .shutDown, message: "the SSH transport was shut down; no new commands are accepted")
    }

    /// Removes idle sessions past the idle timeout; returns them for closing.
    private func sweep(_ state: inout State) -> [SSHConnection] {
        let cutoff = Deadline.now().nanoseconds
        let limit =
            UInt64(idleTimeout.components.seconds) * 1_000_000_000
            + UInt64(idleTimeout.components.attoseconds / 1_000_000_000)
        var expired: [SSHConnection] = []
        for (key, var host) in state.hosts where !host.idle.isEmpty {
            let before = host.idle.count
            host.idle.removeAll { connection in
                let old = cutoff >= connection.lastUsed.nanoseconds &+ limit
                if old { expired.append(connection) }
                return old
            }
            host.live -= before - host.idle.count
            state.hosts[key] = host
        }
        return expired
    }
}
