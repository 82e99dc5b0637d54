/// What happened when an event with an idempotency key was offered to a journal.
public enum JournalAppendOutcome: Sendable, Hashable {
    /// The event was new and is now durable, with its sequence.
    case appended(JournalEvent)
    /// An event with the same idempotency key was already in the journal; it is returned unchanged and nothing
    /// was written.
    case alreadyPresent(JournalEvent)

    /// The event in the journal, whichever case.
    public var event: JournalEvent {
        switch self {
        case .appended(let event), .alreadyPresent(let event): event
        }
    }

    /// True when this call wrote the event.
    public var wasAppended: Bool {
        if case .appended = self { return true }
        return false
    }
}

/// Appends events to a run's journal. The engine writes through this port; `DrillStore.Journal` is the real
/// one (SQLite), and tests may use an in-memory one.
///
/// Contract: when a method returns, the events it reports as written are durable (they survive a crash of the
/// process and, with the SQLite store's default settings, of the machine), have sequences larger than every
/// earlier event, and are visible to readers in other processes.
public protocol JournalWriter: Sendable {
    /// Appends `event` and returns it with its sequence.
    ///
    /// - Throws: when the event could not be made durable (nothing was written), or when its idempotency key is
    ///   already in the journal.
    func append(_ event: JournalEvent) async throws -> JournalEvent

    /// Appends `events` in one transaction: all of them or none. Returns them with their sequences, in order.
    func append(contentsOf events: [JournalEvent]) async throws -> [JournalEvent]

    /// Appends `event` unless an event with the same ``JournalEvent/idempotencyKey`` is already there.
    ///
    /// A resumed engine records every intent with this, so that an intent recorded before a crash is found
    /// instead of recorded (and acted on) again.
    func appendIfAbsent(_ event: JournalEvent) async throws -> JournalAppendOutcome
}

/// Reads a run's journal. Readers may run in another process while the engine writes.
public protocol JournalReader: Sendable {
    /// Events with a sequence greater than `sequence`, in order, at most `limit` of them (all when `nil`).
    /// `events(after: 0)` reads the whole journal; a live view passes the last sequence it has seen.
    func events(after sequence: Int64, limit: Int?) async throws -> [JournalEvent]

    /// The events a team may see (those whose ``JournalEvent/team`` is `team`) after `sequence`, in order.
    func events(forTeam team: String, after sequence: Int64) async throws -> [JournalEvent]

    /// The event with idempotency key `key`, if any.
    func event(withIdempotencyKey key: String) async throws -> JournalEvent?
}

extension JournalReader {
    /// Every event, in order.
    public func allEvents() async throws -> [JournalEvent] { try await events(after: 0, limit: nil) }

    /// The run's ledger: the fold of every event.
    public func ledger(
        scenario: Scenario? = nil,
        options: RunLedger.Options = RunLedger.Options()
    ) async throws
        -> RunLedger
    {
        RunLedger(events: try await allEvents(), scenario: scenario, options: options)
    }
}

/// The running engine's latest sign of life, recorded every second beside the journal (not in it: it is not a
/// fact of the drill). Readers tell "engine not running since T+…" from a stale one, and `resume --outage pause`
/// counts the outage from it.
public struct EngineHeartbeat: Sendable, Hashable, Codable {
    /// UTC milliseconds.
    public var wallMillis: Int64
    /// The exercise time then.
    public var exerciseMillis: Int64
    /// The engine's process id and machine.
    public var pid: Int32?
    public var host: String?

    public init(wallMillis: Int64, exerciseMillis: Int64, pid: Int32? = nil, host: String? = nil) {
        self.wallMillis = wallMillis
        self.exerciseMillis = exerciseMillis
        self.pid = pid
        self.host = host
    }

    /// How long a heartbeat may be old before the engine counts as not running: three missed beats.
    public static let staleAfterMillis: Int64 = 3000

    /// True when the engine beat within ``staleAfterMillis`` of `nowWallMillis`.
    public func isAlive(atWallMillis nowWallMillis: Int64) -> Bool {
        nowWallMillis.subtractingSaturating(wallMillis) <= Self.staleAfterMillis
    }
}

/// Records the engine's heartbeat (the SQLite store keeps one row beside the journal).
public protocol HeartbeatRecorder: Sendable {
    /// Replaces the recorded heartbeat with `beat`.
    func recordHeartbeat(_ beat: EngineHeartbeat) async throws
}

/// Reads the engine's heartbeat.
public protocol HeartbeatReader: Sendable {
    /// The latest heartbeat, or nil when no engine ever beat for this run.
    func lastHeartbeat() throws -> EngineHeartbeat?
}
