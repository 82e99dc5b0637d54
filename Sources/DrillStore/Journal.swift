public import DrillCore
import Foundation
internal import GRDB

/// A run's durable journal: an append-only SQLite file (`RUNDIR/journal.sqlite`) in WAL mode.
///
/// Durability: with ``Durability/full`` (the default) an append has been fsynced to the write-ahead log when it
/// returns, so it survives a crash of the process and of the machine. Every append is one SQLite transaction
/// (or one per batch), taken with `BEGIN IMMEDIATE`, so several processes (the engine, `drillctl respond`, the
/// portal) can append to the same journal; SQLite serialises them and sequences only grow. Readers in other
/// processes see every committed event and never block the writer (WAL).
///
/// One `Journal` value opens one connection pool for the life of the run (GRDB `Concurrency.md`, rule 1); it
/// is safe to share between tasks.
public final class Journal: JournalWriter, JournalReader, HeartbeatRecorder, HeartbeatReader, Sendable {
    /// How hard an append works to survive a crash.
    public enum Durability: String, Sendable, CaseIterable {
        /// `synchronous = FULL`: the WAL is fsynced at every commit; a returned append survives power loss.
        case full
        /// `synchronous = NORMAL`: the WAL is fsynced only at checkpoints; a returned append survives a crash
        /// of the process (kill -9) but the last ones may be lost on power loss. For benchmarks and tests.
        case normal
    }

    /// The journal file's path.
    public let path: String
    /// The run this journal belongs to.
    public let runID: String
    private let pool: DatabasePool
    private let committer: GroupCommitter

    private init(path: String, runID: String, pool: DatabasePool) {
        self.path = path
        self.runID = runID
        self.pool = pool
        self.committer = GroupCommitter(pool: pool)
    }

    private static func configuration(readonly: Bool) -> Configuration {
        var configuration = Configuration()
        configuration.readonly = readonly
        // Another process (drillctl respond, the portal) may hold the write lock for a moment.
        configuration.busyMode = .timeout(10)
        return configuration
    }

    /// Opens the pool and sets the writer connection's `synchronous` level. This must happen after the pool is
    /// open: GRDB's `DatabasePool` sets `synchronous = NORMAL` when it enables WAL, after `prepareDatabase` has
    /// run, so a pragma set there is silently overridden. The writer connection lives as long as the pool, and
    /// the setting with it.
    private static func makePool(path: String, readonly: Bool, durability: Durability) throws -> DatabasePool {
        let pool = try DatabasePool(path: path, configuration: configuration(readonly: readonly))
        if !readonly {
            let synchronous = durability == .full ? "FULL" : "NORMAL"
            try pool.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA synchronous = \(synchronous)") }
        }
        return pool
    }

    /// Creates the journal of a new run at `path`, and records ``JournalEvent/Kind/runCreated``.
    ///
    /// - Parameters:
    ///   - path: the file to create (`RUNDIR/journal.sqlite`); it must not exist.
    ///   - runID: the run's id.
    ///   - created: the run's creation payload (scenario name, speed, …).
    ///   - wallMillis: the creation time, UTC milliseconds.
    /// - Throws: ``JournalError`` `.storage` when the file exists already or cannot be created.
    public static func create(
        at path: String,
        runID: String,
        created: RunCreatedPayload,
        wallMillis: Int64,
        durability: Durability = .full
    ) throws -> Journal {
        guard !FileManager.default.fileExists(atPath: path) else {
            throw JournalError(.storage, "cannot create the journal '\(path)': the file exists already")
        }
        do {
            let pool = try makePool(path: path, readonly: false, durability: durability)
            try JournalSchema.migrator.migrate(pool)
            let journal = Journal(path: path, runID: runID, pool: pool)
            try pool.writeWithoutTransaction { db in
                try db.inTransaction(.immediate) {
                    try db.execute(
                        sql: "INSERT INTO run (id, scenario, created_ms, state, updated_ms) VALUES (?, ?, ?, ?, ?)",
                        arguments: [runID, created.scenario, wallMillis, RunStatus.created.rawValue, wallMillis]
                    )
                    _ = try journal.insert(
                        JournalEvent(
                            kind: .runCreated,
                            runID: runID,
                            wallMillis: wallMillis,
                            exerciseMillis: 0,
                            actor: .engine,
                            payload: created.journalValue
                        ),
                        in: db
                    )
                    return .commit
                }
            }
            return journal
        } catch let error as JournalError {
            throw error
        } catch {
            throw JournalError(.storage, "cannot create the journal '\(path)'", cause: error)
        }
    }

    /// Opens an existing journal for appending and reading (the engine on resume, `drillctl respond`, the portal).
    ///
    /// - Throws: ``JournalError`` `.notFound` when there is no file, `.notAJournal` when it is not a journal,
    ///   `.schemaTooNew` when a newer drillctl wrote it.
    public static func open(at path: String, durability: Durability = .full) throws -> Journal {
        try open(path: path, readonly: false, durability: durability)
    }

    /// Opens an existing journal for reading only (`ctl status`, `drillctl runs`, the report). It sees every
    /// event committed by writers in other processes, and never blocks them.
    public static func openForReading(at path: String) throws -> Journal {
        try open(path: path, readonly: true, durability: .full)
    }

    private static func open(path: String, readonly: Bool, durability: Durability) throws -> Journal {
        guard FileManager.default.fileExists(atPath: path) else {
            throw JournalError(.notFound, "no journal at '\(path)': check the run id or folder")
        }
        do {
            let pool = try makePool(path: path, readonly: readonly, durability: durability)
            let runID: String? = try pool.read { db in
                let migrator = JournalSchema.migrator
                let applied = try migrator.appliedIdentifiers(db)
                if !applied.isSubset(of: Set(JournalSchema.migrationIdentifiers)) {
                    throw JournalError(
                        .schemaTooNew,
                        "the journal '\(path)' was written by a newer drillctl (schema \(applied.sorted())); upgrade"
                    )
                }
                guard try db.tableExists("run") else { return nil }
                return try String.fetchOne(db, sql: "SELECT id FROM run LIMIT 1")
            }
            guard let runID else {
                throw JournalError(.notAJournal, "'\(path)' is not a drillctl journal (it has no run)")
            }
            if !readonly { try JournalSchema.migrator.migrate(pool) }
            return Journal(path: path, runID: runID, pool: pool)
        } catch let error as JournalError {
            throw error
        } catch {
            throw JournalError(.notAJournal, "cannot open the journal '\(path)'", cause: error)
        }
    }

    // MARK: - Appending

    /// Appends `event`; concurrent async appends share a transaction (group commit), and each returns only once
    /// its transaction has committed.
    public func append(_ event: JournalEvent) async throws -> JournalEvent {
        try await grouped { db in try self.appendBody([event], in: db)[0] }
    }

    public func append(contentsOf events: [JournalEvent]) async throws -> [JournalEvent] {
        guard !events.isEmpty else { return [] }
        return try await grouped { db in try self.appendBody(events, in: db) }
    }

    public func appendIfAbsent(_ event: JournalEvent) async throws -> JournalAppendOutcome {
        try await grouped { db in try self.appendIfAbsentBody(event, in: db) }
    }

    /// ``append(_:)``, in a transaction of its own, blocking the calling thread until the event is durable (for
    /// command-line tools and benchmarks; async code should use the async form).
    public func appendNow(_ event: JournalEvent) throws -> JournalEvent {
        try ownTransaction { db in try appendBody([event], in: db)[0] }
    }

    /// ``append(contentsOf:)``, in a transaction of its own, blocking the calling thread.
    public func appendNow(contentsOf events: [JournalEvent]) throws -> [JournalEvent] {
        guard !events.isEmpty else { return [] }
        return try ownTransaction { db in try appendBody(events, in: db) }
    }

    /// ``appendIfAbsent(_:)``, in a transaction of its own, blocking the calling thread.
    public func appendIfAbsentNow(_ event: JournalEvent) throws -> JournalAppendOutcome {
        try ownTransaction { db in try appendIfAbsentBody(event, in: db) }
    }

    private func grouped<T: Sendable>(_ work: @escaping @Sendable (Database) throws -> T) async throws -> T {
        do {
            return try await committer.submit(work)
        } catch let error as JournalError {
            throw error
        } catch {
            throw JournalError(.storage, "cannot append to the journal '\(path)'; nothing was written", cause: error)
        }
    }

    private func ownTransaction<T>(_ work: (Database) throws -> T) throws -> T {
        do {
            return try pool.writeWithoutTransaction { db in
                var result: T?
                try db.inTransaction(.immediate) {
                    result = try work(db)
                    return .commit
                }
                return result!
            }
        } catch let error as JournalError {
            throw error
        } catch {
            throw JournalError(.storage, "cannot append to the journal '\(path)'; nothing was written", cause: error)
        }
    }

    /// Inserts `events` in the current transaction and updates the run row. A duplicate idempotency key becomes
    /// a ``JournalError`` naming it.
    private func appendBody(_ events: [JournalEvent], in db: Database) throws -> [JournalEvent] {
        var written: [JournalEvent] = []
        written.reserveCapacity(events.count)
        do {
            for event in events { written.append(try insert(event, in: db)) }
        } catch let error as DatabaseError where error.extendedResultCode == .SQLITE_CONSTRAINT_UNIQUE {
            let keys = events.compactMap(\.idempotencyKey)
            throw JournalError(
                .duplicateIdempotencyKey,
                "the journal already has an event with idempotency key \(keys.count == 1 ? keys[0] : "\(keys)");"
                    + " nothing was written",
                cause: error
            )
        }
        try updateRunStatus(after: written, in: db)
        return written
    }

    private func appendIfAbsentBody(_ event: JournalEvent, in db: Database) throws -> JournalAppendOutcome {
        if let key = event.idempotencyKey,
            let existing = try Row.fetchOne(
                db,
                sql: Self.selectColumns + " WHERE idempotency_key = ?",
                arguments: [key]
            )
        {
            return .alreadyPresent(try decode(existing))
        }
        return .appended(try appendBody([event], in: db)[0])
    }

    private func insert(_ event: JournalEvent, in db: Database) throws -> JournalEvent {
        guard event.runID == runID else {
            throw JournalError(
                .wrongRun,
                "event for run '\(event.runID)' offered to the journal of run '\(runID)'; nothing was written"
            )
        }
        // A cached statement: compiled once per connection, not once per event.
        let statement = try db.cachedStatement(
            sql: """
                INSERT INTO events (version, kind, wall_ms, exercise_ms, inject, team, host, actor, idempotency_key, payload)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """
        )
        try statement.execute(
            arguments: [
                event.version, event.kind.rawValue, event.wallMillis, event.exerciseMillis, event.inject, event.team,
                event.host, event.actor?.description, event.idempotencyKey, event.payload.canonicalJSON,
            ]
        )
        var written = event
        written.sequence = db.lastInsertedRowID
        return written
    }

    private func updateRunStatus(after events: [JournalEvent], in db: Database) throws {
        guard events.contains(where: { $0.kind == .startex || $0.kind == .control || $0.kind == .endex }) else {
            return
        }
        let current = try String.fetchOne(db, sql: "SELECT state FROM run WHERE id = ?", arguments: [runID])
        var status = current.flatMap(RunStatus.init(rawValue:)) ?? .created
        for event in events { status = status.next(applying: event) }
        try db.execute(
            sql: "UPDATE run SET state = ?, updated_ms = ? WHERE id = ?",
            arguments: [status.rawValue, events.last!.wallMillis, runID]
        )
    }

    // MARK: - Reading

    private static let selectColumns = """
        SELECT sequence, version, kind, wall_ms, exercise_ms, inject, team, host, actor, idempotency_key, payload
        FROM events
        """

    private func decode(_ row: Row) throws -> JournalEvent {
        let sequence: Int64 = row[0]
        let payloadText: String = row[10]
        let payload: JournalValue
        do {
            payload = try JournalValue(json: payloadText)
        } catch {
            throw JournalError(.corruptEvent, "event \(sequence) in '\(path)' has an unreadable payload", cause: error)
        }
        let actorText: String? = row[8]
        return JournalEvent(
            kind: JournalEvent.Kind(rawValue: row[2]),
            runID: runID,
            wallMillis: row[3],
            exerciseMillis: row[4],
            inject: row[5],
            team: row[6],
            host: row[7],
            actor: actorText.map(JournalEvent.Actor.init(parsing:)),
            idempotencyKey: row[9],
            payload: payload,
            sequence: sequence,
            version: row[1]
        )
    }

    private func fetch(_ db: Database, _ sql: String, _ arguments: StatementArguments) throws -> [JournalEvent] {
        var events: [JournalEvent] = []
        let rows = try Row.fetchCursor(db, sql: sql, arguments: arguments)
        while let row = try rows.next() { events.append(try decode(row)) }
        return events
    }

    public func events(after sequence: Int64, limit: Int? = nil) async throws -> [JournalEvent] {
        try await pool.read { db in try self.eventsNow(after: sequence, limit: limit, in: db) }
    }

    /// ``events(after:limit:)``, blocking the calling thread.
    public func eventsNow(after sequence: Int64 = 0, limit: Int? = nil) throws -> [JournalEvent] {
        try pool.read { db in try eventsNow(after: sequence, limit: limit, in: db) }
    }

    private func eventsNow(after sequence: Int64, limit: Int?, in db: Database) throws -> [JournalEvent] {
        try fetch(
            db,
            Self.selectColumns + " WHERE sequence > ? ORDER BY sequence LIMIT ?",
            [sequence, limit ?? -1]
        )
    }

    public func events(forTeam team: String, after sequence: Int64 = 0) async throws -> [JournalEvent] {
        try await pool.read { db in
            try self.fetch(
                db,
                Self.selectColumns + " WHERE team = ? AND sequence > ? ORDER BY sequence",
                [team, sequence]
            )
        }
    }

    /// Events about `inject`, in order.
    public func events(forInject inject: String, after sequence: Int64 = 0) async throws -> [JournalEvent] {
        try await pool.read { db in
            try self.fetch(
                db,
                Self.selectColumns + " WHERE inject = ? AND sequence > ? ORDER BY sequence",
                [inject, sequence]
            )
        }
    }

    public func event(withIdempotencyKey key: String) async throws -> JournalEvent? {
        try await pool.read { db in
            try self.fetch(db, Self.selectColumns + " WHERE idempotency_key = ?", [key]).first
        }
    }

    /// ``event(withIdempotencyKey:)`` on the calling thread.
    public func eventNow(withIdempotencyKey key: String) throws -> JournalEvent? {
        try pool.read { db in try self.fetch(db, Self.selectColumns + " WHERE idempotency_key = ?", [key]).first }
    }

    /// How many group-commit transactions async appends have used so far.
    var groupTransactionCount: Int { committer.transactionCount }

    /// The value of `PRAGMA name` on a writer connection (for tests of the durability settings).
    func writerPragma(_ name: String) throws -> String? {
        try pool.writeWithoutTransaction { db in try String.fetchOne(db, sql: "PRAGMA \(name)") }
    }

    /// The sequence of the last event (0 for none).
    public func lastSequence() throws -> Int64 {
        try pool.read { db in try Int64.fetchOne(db, sql: "SELECT max(sequence) FROM events") ?? 0 }
    }

    /// The run's row: what `drillctl runs` shows, read without folding the journal.
    public func summary() throws -> RunSummary {
        try pool.read { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT id, scenario, created_ms, state, updated_ms FROM run")
            else {
                throw JournalError(.notAJournal, "'\(path)' has no run row")
            }
            let state: String = row[3]
            return RunSummary(
                runID: row[0],
                scenario: row[1],
                createdWallMillis: row[2],
                status: RunStatus(rawValue: state) ?? .created,
                updatedWallMillis: row[4],
                lastSequence: try Int64.fetchOne(db, sql: "SELECT max(sequence) FROM events") ?? 0
            )
        }
    }

    // MARK: - Heartbeat

    /// The engine's latest heartbeat, or nil when none was recorded (or the journal predates heartbeats).
    public func lastHeartbeat() throws -> EngineHeartbeat? {
        try pool.read { db in
            guard try db.tableExists("heartbeat"),
                let row = try Row.fetchOne(
                    db,
                    sql: "SELECT wall_ms, exercise_ms, pid, host FROM heartbeat WHERE id = 1"
                )
            else { return nil }
            let pid: Int64? = row[2]
            return EngineHeartbeat(
                wallMillis: row[0],
                exerciseMillis: row[1],
                pid: pid.flatMap { Int32(exactly: $0) },
                host: row[3]
            )
        }
    }

    /// Replaces the recorded heartbeat with `beat` (in the next group-commit transaction, off the cooperative
    /// pool like every append).
    public func recordHeartbeat(_ beat: EngineHeartbeat) async throws {
        try await grouped { db in try Self.writeHeartbeat(beat, in: db) }
    }

    /// ``recordHeartbeat(_:)`` on the calling thread.
    public func recordHeartbeatNow(_ beat: EngineHeartbeat) throws {
        try ownTransaction { db in try Self.writeHeartbeat(beat, in: db) }
    }

    private static func writeHeartbeat(_ beat: EngineHeartbeat, in db: Database) throws {
        try db.execute(
            sql: """
                INSERT INTO heartbeat (id, wall_ms, exercise_ms, pid, host) VALUES (1, ?, ?, ?, ?)
                ON CONFLICT (id) DO UPDATE SET wall_ms = excluded.wall_ms,
                    exercise_ms = excluded.exercise_ms, pid = excluded.pid, host = excluded.host
                """,
            arguments: [beat.wallMillis, beat.exerciseMillis, beat.pid.map { Int64($0) }, beat.host]
        )
    }

    // MARK: - Credentials

    /// Stores the hash of an access code for `role`/`subject` (a team id, an evaluator's name, `director`),
    /// replacing an earlier one. The code itself is never stored.
    public func storeCredential(role: String, subject: String, hash: CredentialHash, wallMillis: Int64) throws {
        try pool.write { db in
            try db.execute(
                sql: """
                    INSERT INTO credentials (role, subject, hash, salt, created_ms) VALUES (?, ?, ?, ?, ?)
                    ON CONFLICT (role, subject) DO UPDATE SET hash = excluded.hash, salt = excluded.salt,
                        created_ms = excluded.created_ms
                    """,
                arguments: [role, subject, hash.hash, hash.salt, wallMillis]
            )
        }
    }

    /// Every stored credential (hashes and salts only).
    public func credentials() throws -> [StoredCredential] {
        try pool.read { db in
            try Row.fetchAll(db, sql: "SELECT role, subject, hash, salt FROM credentials ORDER BY role, subject").map {
                StoredCredential(role: $0[0], subject: $0[1], hash: CredentialHash(hash: $0[2], salt: $0[3]))
            }
        }
    }

    /// The role and subject whose access code is `code`, or `nil` when no stored credential matches. Every
    /// comparison is constant-time.
    public func verify(code: String) throws -> StoredCredential? {
        // Check them all, so the time taken does not tell where in the table a match was.
        var match: StoredCredential?
        for credential in try credentials() where credential.hash.matches(code: code) {
            match = match ?? credential
        }
        return match
    }

    /// True when `code` is the access code stored for `role`/`subject`.
    public func verify(role: String, subject: String, code: String) throws -> Bool {
        let stored = try pool.read { db in
            try Row.fetchOne(
                db,
                sql: "SELECT hash, salt FROM credentials WHERE role = ? AND subject = ?",
                arguments: [role, subject]
            )
        }
        guard let stored else { return false }
        return CredentialHash(hash: stored[0], salt: stored[1]).matches(code: code)
    }
}

/// A run as `drillctl runs` lists it.
public struct RunSummary: Sendable, Hashable {
    public var runID: String
    public var scenario: String
    public var createdWallMillis: Int64
    public var status: RunStatus
    public var updatedWallMillis: Int64
    public var lastSequence: Int64
}
