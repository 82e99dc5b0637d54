import Synchronization

/// Limits sign-in attempts per client address: at most `limit` attempts in any `window`; after that the
/// client is told to wait (HTTP 429 with `Retry-After`) until its oldest attempt leaves the window.
///
/// Every attempt counts, successful or not, so a guesser cannot reset the count by signing in with a code it
/// has. Codes carry 128 random bits, so the limit is defence in depth and a brake on log noise.
public final class SignInRateLimiter: Sendable {
    private let limit: Int
    private let windowMillis: Int64
    private let now: @Sendable () -> Int64
    private let state = Mutex([String: [Int64]]())

    public init(limit: Int, window: Duration, now: @escaping @Sendable () -> Int64) {
        self.limit = limit
        self.windowMillis = window.millis
        self.now = now
    }

    /// Records an attempt from `client`. Returns `nil` when it may proceed, or the seconds to wait.
    public func attempt(from client: String) -> Int? {
        let time = now()
        return state.withLock { table in
            if table.count > 10_000 {
                table = table.filter { $0.value.last.map { time - $0 < windowMillis } ?? false }
            }
            var attempts = table[client, default: []].filter { time - $0 < windowMillis }
            if attempts.count >= limit {
                table[client] = attempts
                let wait = windowMillis - (time - attempts[0])
                return max(1, Int((wait + 999) / 1000))
            }
            attempts.append(time)
            table[client] = attempts
            return nil
        }
    }
}
