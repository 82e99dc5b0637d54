import DrillCore
import Synchronization

/// A journal in memory with the store's contract: sequences from 1, idempotency keys unique, batches atomic.
/// For engine tests that need no SQLite.
public final class InMemoryJournal: JournalWriter, JournalReader, Sendable {
    private struct State {
        var events: [JournalEvent] = []
        var keys: [String: Int] = [:]
    }

    private let state = Mutex(State())

    public init(events: [JournalEvent] = []) {
        state.withLock { state in
            for var event in events {
                event.sequence = Int64(state.events.count + 1)
                if let key = event.idempotencyKey { state.keys[key] = state.events.count }
                state.events.append(event)
            }
        }
    }

    /// Every event, in order (synchronously, for assertions).
    public var snapshot: [JournalEvent] { state.withLock { $0.events } }

    public struct DuplicateKey: Error, CustomStringConvertible {
        public var key: String
        public var description: String { "duplicate idempotency key \(key)" }
    }

    public func append(_ event: JournalEvent) async throws -> JournalEvent {
        try appendSync([event])[0]
    }

    public func append(contentsOf events: [JournalEvent]) async throws -> [JournalEvent] {
        try appendSync(events)
    }

    private func appendSync(_ events: [JournalEvent]) throws -> [JournalEvent] {
        try state.withLock { state in
            var keys = state.keys
            var written: [JournalEvent] = []
            for var event in events {
                event.sequence = Int64(state.events.count + written.count + 1)
                if let key = event.idempotencyKey {
                    guard keys[key] == nil else { throw DuplicateKey(key: key) }
                    keys[key] = state.events.count + written.count
                }
                written.append(event)
            }
            state.events += written
            state.keys = keys
            return written
        }
    }

    public func appendIfAbsent(_ event: JournalEvent) async throws -> JournalAppendOutcome {
        state.withLock { state in
            if let key = event.idempotencyKey, let index = state.keys[key] {
                return .alreadyPresent(state.events[index])
            }
            var event = event
            event.sequence = Int64(state.events.count + 1)
            if let key = event.idempotencyKey { state.keys[key] = state.events.count }
            state.events.append(event)
            return .appended(event)
        }
    }

    public func events(after sequence: Int64, limit: Int?) async throws -> [JournalEvent] {
        state.withLock { state in
            let start = Int(max(0, min(sequence, Int64(state.events.count))))
            let slice = state.events[start...]
            return Array(limit.map { slice.prefix($0) } ?? slice)
        }
    }

    public func events(forTeam team: String, after sequence: Int64) async throws -> [JournalEvent] {
        try await events(after: sequence, limit: nil).filter { $0.team == team }
    }

    public func event(withIdempotencyKey key: String) async throws -> JournalEvent? {
        state.withLock { state in state.keys[key].map { state.events[$0] } }
    }
}
