import Crypto
import Synchronization

/// A signed-in browser: who it is, its CSRF token and when it expires.
public struct PortalSession: Sendable, Hashable {
    /// The random session id (the cookie's value): 256 bits, hex.
    public var id: String
    public var identity: PortalIdentity
    /// The per-session token every form and cookie-authenticated JSON post must carry.
    public var csrfToken: String
    /// When the session expires, UTC milliseconds. Each use slides it forward (idle timeout), up to
    /// ``absoluteExpiryMillis``.
    public var expiresMillis: Int64
    /// The hard end of the session, UTC milliseconds.
    public var absoluteExpiryMillis: Int64
}

/// Server-side sessions, kept in memory (a restart signs everyone out, which is the safe failure).
///
/// Ids are 256 random bits from the system's secure generator; an unknown, forged or expired id finds nothing.
public final class SessionStore: Sendable {
    private struct State {
        var sessions: [String: PortalSession] = [:]
    }

    private let state = Mutex(State())
    private let idleTimeoutMillis: Int64
    private let absoluteTimeoutMillis: Int64
    private let now: @Sendable () -> Int64

    /// - Parameters:
    ///   - idleTimeout: a session unused this long expires.
    ///   - absoluteTimeout: a session expires this long after sign-in, used or not.
    ///   - now: the wall clock, UTC milliseconds (tests inject one).
    public init(idleTimeout: Duration, absoluteTimeout: Duration, now: @escaping @Sendable () -> Int64) {
        self.idleTimeoutMillis = idleTimeout.millis
        self.absoluteTimeoutMillis = absoluteTimeout.millis
        self.now = now
    }

    /// Starts a session for `identity`.
    public func create(for identity: PortalIdentity) -> PortalSession {
        let time = now()
        let session = PortalSession(
            id: SecureRandom.hex(bytes: 32),
            identity: identity,
            csrfToken: SecureRandom.hex(bytes: 32),
            expiresMillis: time + idleTimeoutMillis,
            absoluteExpiryMillis: time + absoluteTimeoutMillis
        )
        state.withLock { state in
            // Drop expired sessions now and then so the table does not grow without bound.
            if state.sessions.count % 64 == 0 { state.sessions = state.sessions.filter { $0.value.isLive(at: time) } }
            state.sessions[session.id] = session
        }
        return session
    }

    /// The live session with id `id`, its idle expiry moved forward; `nil` when unknown or expired.
    public func session(id: String) -> PortalSession? {
        guard id.utf8.count == 64 else { return nil }
        let time = now()
        return state.withLock { state in
            guard var session = state.sessions[id] else { return nil }
            guard session.isLive(at: time) else {
                state.sessions[id] = nil
                return nil
            }
            session.expiresMillis = min(time + idleTimeoutMillis, session.absoluteExpiryMillis)
            state.sessions[id] = session
            return session
        }
    }

    /// Ends the session `id`.
    public func remove(id: String) {
        _ = state.withLock { $0.sessions.removeValue(forKey: id) }
    }

    /// How many sessions are stored (expired ones included until swept).
    public var count: Int { state.withLock { $0.sessions.count } }
}

extension PortalSession {
    func isLive(at time: Int64) -> Bool { time < expiresMillis && time < absoluteExpiryMillis }
}

/// Random tokens from the system's secure generator.
enum SecureRandom {
    static func hex(bytes count: Int) -> String {
        var generator = SystemRandomNumberGenerator()
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(count * 2)
        for _ in 0..<count {
            let byte = UInt8.random(in: .min ... .max, using: &generator)
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0xF)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}

/// Compares two strings in time that depends only on their lengths.
func constantTimeEquals(_ lhs: String, _ rhs: String) -> Bool {
    let a = Array(lhs.utf8)
    let b = Array(rhs.utf8)
    guard a.count == b.count else { return false }
    var difference: UInt8 = 0
    for index in 0..<a.count { difference |= a[index] ^ b[index] }
    return difference == 0
}

extension Duration {
    var millis: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1000 + attoseconds / 1_000_000_000_000_000
    }
}
