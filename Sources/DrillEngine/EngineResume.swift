public import DrillCore

/// What a restarted engine journals before it continues a run: pure functions of the journal's state, shared
/// by ``EngineService`` and tests.
public enum EngineResume {
    /// One ``JournalEvent/Kind/uncertain`` event per host action or cleanup whose intent is in the journal
    /// without an outcome: the engine stopped between the two, so nobody knows whether it ran. They are not
    /// repeated (the intent's idempotency key stays taken); cleanup still visits the host.
    public static func uncertainEvents(state: RunState, runID: String, wallMillis: Int64) -> [JournalEvent] {
        state.unresolvedIntents.filter { $0.kind == .hostActionStarted || $0.kind == .cleanupIntent }.map { intent in
            JournalEvent(
                kind: .uncertain,
                runID: runID,
                wallMillis: wallMillis,
                exerciseMillis: state.lastExerciseMillis,
                inject: intent.inject,
                team: intent.team,
                host: intent.host,
                actor: .engine,
                payload: UncertainPayload(
                    intentSequence: intent.sequence,
                    intentKind: intent.kind,
                    reason: "the engine stopped before journaling the outcome; not repeated"
                ).journalValue
            )
        }
    }

    /// The `control resume` (actor engine) that re-anchors a running drill's exercise clock after an outage:
    /// at the last exercise time journaled (``OutagePolicy/pause``) or where the clock would be now
    /// (``OutagePolicy/continue``). Nil when the drill is not running (paused stays paused; created or over
    /// needs no anchor).
    public static func clockEvent(
        state: RunState,
        clock: RunClock,
        outage: OutagePolicy,
        runID: String,
        wallMillis: Int64
    ) -> JournalEvent? {
        guard state.status == .running else { return nil }
        let exercise =
            switch outage {
            case .pause: state.lastExerciseMillis
            case .continue: max(state.lastExerciseMillis, clock.exerciseMillis(atWallMillis: wallMillis))
            }
        return JournalEvent(
            kind: .control,
            runID: runID,
            wallMillis: wallMillis,
            exerciseMillis: exercise,
            actor: .engine,
            payload: ControlPayload(
                action: .resume,
                reason: "engine restarted after an outage (outage: \(outage.rawValue))"
            ).journalValue
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
        missed.filter { !fire.contains($0.inject) }.map { order in
            JournalEvent(
                kind: .control,
                runID: runID,
                wallMillis: time.wallMillis,
                exerciseMillis: time.exerciseMillis,
                inject: order.inject,
                actor: JournalEvent.Actor(.director),
                payload: ControlPayload(action: .skip, reason: "fell due while the engine was down").journalValue
            )
        }
    }
}
