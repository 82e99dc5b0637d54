import Crypto
public import DrillStore
import Synchronization

/// Finds who an access code belongs to.
public protocol PortalCredentialChecking: Sendable {
    /// The identity whose code is `code`, or `nil` when no stored credential matches.
    func identity(forCode code: String) throws -> PortalIdentity?
}

/// Checks codes against the run's credentials table (salted HMAC hashes; ``Journal/verify(code:)``).
///
/// A matched code is remembered by its SHA-256 (never the code itself), so a bearer-token client does not pay
/// one HMAC per stored credential on every request. Misses are not cached; they are rate-limited by the caller.
public final class JournalCredentialChecker: PortalCredentialChecking {
    private let journal: Journal
    private let cache = Mutex([String: PortalIdentity]())

    public init(journal: Journal) { self.journal = journal }

    public func identity(forCode code: String) throws -> PortalIdentity? {
        guard !code.isEmpty, code.utf8.count <= 128 else { return nil }
        let key = SHA256.hash(data: Array(code.utf8)).map { String($0, radix: 16) }.joined()
        if let hit = cache.withLock({ $0[key] }) { return hit }
        guard let stored = try journal.verify(code: code), let role = PortalRole(rawValue: stored.role) else {
            return nil
        }
        let identity = PortalIdentity(role: role, subject: stored.subject)
        cache.withLock { table in
            if table.count > 10_000 { table = [:] }
            table[key] = identity
        }
        return identity
    }
}
