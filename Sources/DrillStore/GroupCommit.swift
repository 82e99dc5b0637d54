import Dispatch
internal import GRDB
import Synchronization

/// Group commit: appends that arrive while a transaction is being written wait, and are then written together
/// in the next transaction, so that many concurrent appenders (the engine's per-host tasks) share one fsync.
///
/// A group is first written without savepoints. If a request fails (a duplicate idempotency key, say), that
/// transaction is rolled back and the group is written again with each request in its own SQLite savepoint, so
/// the failing request is rolled back alone and gets its own error, and the others commit. Every
/// caller is resumed only after the shared transaction has committed, so a returned append is exactly as
/// durable as with one transaction per append. A lone appender sees one transaction per append, as before.
///
/// The flush loop runs on its own dispatch queue, never on Swift's cooperative pool, because a commit blocks
/// in fsync.
final class GroupCommitter: Sendable {
    private struct Request: Sendable {
        var run: @Sendable (Database) throws -> Void
        var finish: @Sendable ((any Error)?) -> Void
    }

    private struct State: ~Copyable {
        var pending: [Request] = []
        var flushing = false
        var transactions = 0
    }

    /// How many group transactions were attempted (for tests: fewer than appends means appends were grouped).
    var transactionCount: Int { state.withLock { $0.transactions } }

    private let state = Mutex(State())
    private let queue = DispatchQueue(label: "drillctl.journal.group-commit")
    private let pool: DatabasePool

    init(pool: DatabasePool) { self.pool = pool }

    /// Runs `work` in the next group transaction (in its own savepoint) and returns its result once that
    /// transaction has committed.
    ///
    /// - Throws: what `work` threw (its changes are rolled back, the others' are not), or the commit's error.
    func submit<T: Sendable>(_ work: @escaping @Sendable (Database) throws -> T) async throws -> T {
        let box = ResultBox<T>()
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            let request = Request(
                run: { db in box.set(try work(db)) },
                finish: { error in
                    if let error { continuation.resume(throwing: error) } else { continuation.resume() }
                }
            )
            let startFlushing = state.withLock { state -> Bool in
                state.pending.append(request)
                if state.flushing { return false }
                state.flushing = true
                return true
            }
            if startFlushing { queue.async { self.flushLoop() } }
        }
        return box.take()
    }

    private func flushLoop() {
        while true {
            let group = state.withLock { state -> [Request] in
                let taken = state.pending
                state.pending.removeAll(keepingCapacity: true)
                if taken.isEmpty { state.flushing = false } else { state.transactions += 1 }
                return taken
            }
            if group.isEmpty { return }
            var errors: [(any Error)?] = Array(repeating: nil, count: group.count)
            // First, optimistically: every request in one transaction, no savepoints. Requests almost never
            // fail (a duplicate idempotency key after a resume), and savepoints cost two statements each.
            var someRequestFailed = false
            do {
                try pool.writeWithoutTransaction { db in
                    try db.inTransaction(.immediate) {
                        for request in group {
                            do {
                                try request.run(db)
                            } catch {
                                someRequestFailed = true
                                return .rollback
                            }
                        }
                        return .commit
                    }
                }
            } catch {
                // The transaction could not begin or commit: nothing of this group is durable.
                for index in errors.indices { errors[index] = error }
            }
            if someRequestFailed {
                // Again, each request in its own savepoint, so that only the failing ones are rolled back.
                do {
                    try pool.writeWithoutTransaction { db in
                        try db.inTransaction(.immediate) {
                            for (index, request) in group.enumerated() {
                                do {
                                    try db.inSavepoint {
                                        try request.run(db)
                                        return .commit
                                    }
                                } catch {
                                    errors[index] = error
                                }
                            }
                            return .commit
                        }
                    }
                } catch {
                    for index in errors.indices { errors[index] = errors[index] ?? error }
                }
            }
            for (index, request) in group.enumerated() { request.finish(errors[index]) }
        }
    }
}
/// Carries one request's result from the flush queue to its caller. Written once before the caller's
/// continuation is resumed and read once after, so the lock only guards against misuse.
private final class ResultBox<T: Sendable>: Sendable {
    private let value = Mutex<T?>(nil)
    func set(_ newValue: T) { value.withLock { $0 = newValue } }
    func take() -> T {
        guard let result = value.withLock({ $0.take() }) else {
            preconditionFailure("group commit resumed a caller without a result")
        }
        return result
    }
}
