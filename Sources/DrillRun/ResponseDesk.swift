public import DrillCore

/// Records team responses (acknowledge, report, resolve) in a run's journal: the one path for `drillctl respond`
/// and the portal.
///
/// The journal is the mailbox: the desk appends a ``JournalEvent/Kind/response`` event and the running engine
/// (another process, possibly) reads it on its next poll. The response's exercise time is computed from the
/// run's own clock (``RunClock``, folded from the journal), so every process agrees on it. What is refused, and
/// the status the response gives its phase, come from ``RunRules``.
public struct ResponseDesk: Sendable {
    public let journal: any JournalWriter & JournalReader
    /// The run's scenario, to name unknown teams and injects precisely (optional).
    public let scenario: Scenario?

    public init(journal: any JournalWriter & JournalReader, scenario: Scenario? = nil) {
        self.journal = journal
        self.scenario = scenario
    }

    /// A recorded response.
    public struct Receipt: Sendable {
        /// The journaled event (with its sequence).
        public var event: JournalEvent
        /// The phase's status once the response is counted (met, late, done; or still pending for a claim the
        /// check has not confirmed).
        public var status: PhaseStatus
        /// The phase's deadline (exercise milliseconds since STARTEX), if it has one.
        public var deadlineMillis: Int64?
        /// True when the team had already responded in this phase (the first response counts for timing).
        public var repeated: Bool
        /// True when it came after the phase's deadline (it is kept all the same).
        public var late: Bool { status == .late || (deadlineMillis.map { event.exerciseMillis > $0 } ?? false) }
    }

    /// Records `team`'s `phase` response to `inject` at wall time `wallMillis`.
    ///
    /// - Throws: ``RunRules/Refusal`` when the team or inject is unknown, the inject was never delivered to the team,
    ///   the text is not acceptable, or the run has not started or is over; a journal error when it cannot be
    ///   written.
    public func respond(
        team: String,
        inject: String,
        phase: ResponsePhase,
        text: String? = nil,
        actor: JournalEvent.Actor? = nil,
        wallMillis: Int64
    ) async throws -> Receipt {
        let ledger = RunLedger(events: try await journal.allEvents(), scenario: scenario)
        return try await respond(
            team: team,
            inject: inject,
            phase: phase,
            text: text,
            actor: actor,
            wallMillis: wallMillis,
            ledger: ledger
        )
    }

    /// ``respond(team:inject:phase:text:actor:wallMillis:)`` for a caller that keeps the run's ledger folded from
    /// the journal (the portal tails it): the same checks and the same event, without reading the whole journal for
    /// every response.
    public func respond(
        team: String,
        inject: String,
        phase: ResponsePhase,
        text: String? = nil,
        actor: JournalEvent.Actor? = nil,
        wallMillis: Int64,
        ledger: RunLedger
    ) async throws -> Receipt {
        if let refusal = RunRules.refusalOfResponse(
            team: team,
            inject: inject,
            phase: phase,
            text: text,
            in: ledger,
            scenario: scenario
        ) {
            throw refusal
        }
        let exercise = ledger.clock.exerciseMillis(atWallMillis: wallMillis)
        let written = try await journal.append(
            JournalEvent(
                .response(ResponsePayload(phase: phase, text: text)),
                runID: ledger.runID ?? "",
                wallMillis: wallMillis,
                exerciseMillis: exercise,
                inject: inject,
                team: team,
                actor: actor ?? JournalEvent.Actor(.team, id: team)
            )
        )
        var after = ledger
        after.apply(written)
        let key = RunLedger.PairKey(inject: inject, team: team)
        let outcome = RunRules.facts(key, in: after).map {
            RunRules.phaseStatus(phase, $0, now: exercise, finished: false)
        }
        return Receipt(
            event: written,
            status: outcome?.status ?? .pending,
            deadlineMillis: outcome?.deadlineMillis,
            repeated: ledger.pair(inject, team)?.firstResponse[phase] != nil
        )
    }
}
