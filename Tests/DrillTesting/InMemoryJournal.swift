import DrillCore
import Synchronization

/// A journal in memory with the same contract as the SQLite one (sequences from 1, idempotency keys refused
/// twice, all-or-nothing batches, events for another run refused), for engine tests that do not test storage.
/// DrillStoreTests runs the same contract tests against both.
public final class InMemoryJournal: JournalWriter, JournalReader, HeartbeatRecorder, HeartbeatReader, Sendable {
    /// Why an append was refused.
    public enum Refusal: Error, Sendable, Equatable {
        case duplicateIdempotencyKey(String)
        case wrongRun(String)
    }

    private struct State {
        var events: [JournalEvent] = []
        var keys: [String: Int] = [:]
        var heartbeat: EngineHeartbeat?
    }

    public let runID: String
    private let state = Mutex(State())

    public init(runID: String) { self.runID = runID }

    /// Every event so far (synchronously, for assertions).
    public var events: [JournalEvent] { state.withLock { $0.events } }

    public func append(_ event: JournalEvent) async throws -> JournalEvent {
        try await append(contentsOf: [event])[0]
    }

    public func append(contentsOf events: [JournalEvent]) async throws -> [JournalEvent] {
        try state.withLock { state in try Self.insert(events, runID: runID, into: &state) }
    }

    public func appendIfAbsent(_ event: JournalEvent) async throws -> JournalAppendOutcome {
        try state.withLock { state in
            if let key = event.idempotencyKey, let index = state.keys[key] {
                return .alreadyPresent(state.events[index])
            }
            return .appended(try Self.insert([event], runID: runID, into: &state)[0])
        }
    }

    private static func insert(
        _ events: [JournalEvent],
        runID: String,
        into state: inout State
    ) throws
        -> [JournalEvent]
    {
        var seen = Set<String>()
        for event in events {
            guard event.runID == runID else { throw Refusal.wrongRun(event.runID) }
            if let key = event.idempotencyKey {
                guard state.keys[key] == nil, seen.insert(key).inserted else {
                    throw Refusal.duplicateIdempotencyKey(key)
                }
            }
        }
        var written: [JournalEvent] = []
        for event in events {
            var copy = event
            copy.sequence = Int64(state.events.count + 1)
            if let key = event.idempotencyKey { state.keys[key] = state.events.count }
            state.events.append(copy)
            written.append(copy)
        }
        return written
    }

    public func events(after sequence: Int64, limit: Int?) async throws -> [JournalEvent] {
        let all = state.withLock { $0.events }
        let start = Int(max(0, min(sequence, Int64(all.count))))
        let tail = all[start...]
        return Array(limit.map { tail.prefix($0) } ?? tail)
    }

    public func events(forTeam team: String, after sequence: Int64) async throws -> [JournalEvent] {
        state.withLock { $0.events }.filter { $0.team == team && ($0.sequence ?? 0) > sequence }
    }

    public func recordHeartbeat(_ beat: EngineHeartbeat) async throws { state.withLock { $0.heartbeat = beat } }

    public func lastHeartbeat() throws -> EngineHeartbeat? { state.withLock { $0.heartbeat } }

    public func event(withIdempotencyKey key: String) async throws -> JournalEvent? {
        state.withLock { state in state.keys[key].map { state.events[$0] } }
    }
}
