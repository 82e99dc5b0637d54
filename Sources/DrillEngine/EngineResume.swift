public import DrillCore

/// How a restarted engine accounts for the time it was down.
public enum OutagePolicy: String, Sendable, Hashable, CaseIterable {
    /// The exercise clock stood still while the engine was down: it resumes at the engine's last sign of life (its
    /// last heartbeat, or the last exercise time in the journal, whichever is later), so deadlines do not run out
    /// during an outage.
    case pause
    /// The exercise clock kept running: it resumes where it would be had the engine never stopped.
    case `continue`
}

/// What a restarted engine journals before it continues a run: pure functions of the run's ledger, shared by
/// ``EngineService`` and the tests (the same function, not a copy).
public enum EngineResume {
    /// The events a restarted engine appends before it continues: one ``JournalEvent/Kind/uncertain`` per host
    /// action or cleanup whose intent has no outcome, then the `control resume` that re-anchors a running drill's
    /// clock after the outage.
    public static func restart(
        ledger: RunLedger,
        clock: RunClock,
        heartbeat: EngineHeartbeat?,
        outage: OutagePolicy,
        runID: String,
        wallMillis: Int64
    ) -> [JournalEvent] {
        var events = uncertainEvents(ledger: ledger, runID: runID, wallMillis: wallMillis)
        if let event = clockEvent(
            ledger: ledger,
            clock: clock,
            heartbeat: heartbeat,
            outage: outage,
            runID: runID,
            wallMillis: wallMillis
        ) {
            events.append(event)
        }
        return events
    }

    /// One ``JournalEvent/Kind/uncertain`` event per host action or cleanup whose intent is in the journal
    /// without an outcome: the engine stopped between the two, so nobody knows whether it ran. A host action is not
    /// repeated (its idempotency key stays taken); its host counts as touched, so cleanup still visits it, and an
    /// uncertain cleanup is tried again.
    public static func uncertainEvents(ledger: RunLedger, runID: String, wallMillis: Int64) -> [JournalEvent] {
        ledger.unresolvedIntents.filter { $0.kind == .hostActionStarted || $0.kind == .cleanupIntent }.map { intent in
            JournalEvent(
                .uncertain(
                    UncertainPayload(
                        intentSequence: intent.sequence,
                        intentKind: intent.kind,
                        reason: "the engine stopped before journaling the outcome; not repeated"
                    )
                ),
                runID: runID,
                wallMillis: wallMillis,
                exerciseMillis: ledger.lastExerciseMillis,
                inject: intent.inject,
                team: intent.team,
                host: intent.host,
                actor: .engine,
                key: .uncertain(intentSequence: intent.sequence)
            )
        }
    }

    /// The engine's last sign of life in exercise time: the later of the last exercise time journaled and the
    /// exercise time of its last heartbeat.
    public static func lastSignOfLife(ledger: RunLedger, clock: RunClock, heartbeat: EngineHeartbeat?) -> Int64 {
        let beat = heartbeat.map { clock.exerciseMillis(atWallMillis: $0.wallMillis) } ?? 0
        return max(ledger.lastExerciseMillis, beat)
    }

    /// The `control resume` (actor engine) that re-anchors a running drill's exercise clock after an outage: at
    /// the engine's last sign of life (``OutagePolicy/pause``) or where the clock would be now
    /// (``OutagePolicy/continue``). Nil when the drill is not running (paused stays paused; created or over needs
    /// no anchor).
    public static func clockEvent(
        ledger: RunLedger,
        clock: RunClock,
        heartbeat: EngineHeartbeat?,
        outage: OutagePolicy,
        runID: String,
        wallMillis: Int64
    ) -> JournalEvent? {
        guard ledger.status == .running else { return nil }
        let alive = lastSignOfLife(ledger: ledger, clock: clock, heartbeat: heartbeat)
        let exercise =
            switch outage {
            case .pause: alive
            case .continue: max(alive, clock.exerciseMillis(atWallMillis: wallMillis))
            }
        return JournalEvent(
            .control(
                ControlPayload(action: .resume, reason: "engine restarted after an outage (outage: \(outage.rawValue))")
            ),
            runID: runID,
            wallMillis: wallMillis,
            exerciseMillis: exercise,
            actor: .engine
        )
    }

    /// The injects among `due` that fell due while the engine was down (scheduled before `now`).
    public static func missed(_ due: [FireOrder], now: Int64) -> [FireOrder] {
        due.filter { $0.scheduledMillis < now }
    }

    /// `control skip` events (actor director) for the missed injects not in `fire`.
    public static func skipEvents(
        missed: [FireOrder],
        fire: Set<String>,
        runID: String,
        time: EngineTime
    ) -> [JournalEvent] {
        var seen = Set<String>()
        return missed.filter { !fire.contains($0.inject) && seen.insert($0.inject).inserted }.map { order in
            JournalEvent(
                .control(ControlPayload(action: .skip, reason: "fell due while the engine was down")),
                runID: runID,
                wallMillis: time.wallMillis,
                exerciseMillis: time.exerciseMillis,
                inject: order.inject,
                actor: JournalEvent.Actor(.director)
            )
        }
    }
}
