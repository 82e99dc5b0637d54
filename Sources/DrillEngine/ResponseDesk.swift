public import DrillCore

/// Records team responses (acknowledge, report, resolve) in a run's journal: the one path for
/// `drillctl respond` and the portal.
///
/// The journal is the mailbox: the desk appends a ``JournalEvent/Kind/response`` event and the running engine
/// (another process, possibly) reads it on its next poll. The response's exercise time is computed from the
/// journal's own clock anchors (``RunClock``), so every process agrees on it. A response after its
/// deadline is kept and marked late; a response for an inject the team never received is refused.
public struct ResponseDesk: Sendable {
    public let journal: any JournalWriter & JournalReader
    /// The run's scenario, to name unknown teams and injects precisely (optional).
    public let scenario: Scenario?

    public init(journal: any JournalWriter & JournalReader, scenario: Scenario? = nil) {
        self.journal = journal
        self.scenario = scenario
    }

    /// A recorded response.
    public struct Receipt: Sendable, Hashable {
        /// The journaled event (with its sequence).
        public var event: JournalEvent
        /// True when it came after the phase's deadline (it is kept all the same).
        public var late: Bool
        /// The phase's deadline (exercise milliseconds since STARTEX), if it has one.
        public var deadlineMillis: Int64?
        /// True when the team had already done this phase (the first response counts for timing).
        public var repeated: Bool
    }

    /// Why a response was refused.
    public struct Refusal: Error, Sendable, Hashable, CustomStringConvertible {
        public var description: String
        init(_ description: String) { self.description = description }
    }

    /// Records `team`'s `phase` response to `inject` at wall time `wallMillis`.
    ///
    /// - Throws: ``Refusal`` when the team or inject is unknown, the inject was never delivered to the team,
    ///   or the run has not started or is over; a journal error when it cannot be written.
    public func respond(
        team: String,
        inject: String,
        phase: ResponsePhase,
        text: String? = nil,
        actor: JournalEvent.Actor? = nil,
        wallMillis: Int64
    ) async throws -> Receipt {
        let events = try await journal.allEvents()
        return try await respond(
            team: team,
            inject: inject,
            phase: phase,
            text: text,
            actor: actor,
            wallMillis: wallMillis,
            state: RunState.fold(events),
            clock: RunClock(journal: events),
            runID: events.first?.runID
        )
    }

    /// ``respond(team:inject:phase:text:actor:wallMillis:)`` for a caller that keeps the run's state and clock
    /// folded from the journal (the portal tails it): the same checks and the same event, without reading the
    /// whole journal for every response.
    ///
    /// - Throws: ``Refusal`` as the other form; a journal error when it cannot be written.
    public func respond(
        team: String,
        inject: String,
        phase: ResponsePhase,
        text: String? = nil,
        actor: JournalEvent.Actor? = nil,
        wallMillis: Int64,
        state: RunState,
        clock: RunClock,
        runID: String? = nil
    ) async throws -> Receipt {
        if let scenario {
            guard scenario.team(team) != nil else {
                let known = scenario.teams.map(\.id).joined(separator: ", ")
                throw Refusal("refused: there is no team '\(team)' in this drill (teams: \(known))")
            }
            guard scenario.inject(inject) != nil else {
                throw Refusal("refused: there is no inject '\(inject)' in this drill")
            }
        }
        switch state.status {
        case .created: throw Refusal("refused: the drill has not started (no STARTEX yet)")
        case .ended, .aborted:
            throw Refusal("refused: the drill is over (\(state.status.rawValue)); responses are no longer taken")
        case .running, .paused: break
        }
        guard let teamState = state.teamInject(inject, team), teamState.deliveredAtMillis != nil else {
            throw Refusal(
                "refused: inject '\(inject)' was never delivered to team '\(team)'; a team responds only to injects it received"
            )
        }
        let exercise = clock.exerciseMillis(atWallMillis: wallMillis)
        let written = try await journal.append(
            JournalEvent(
                kind: .response,
                runID: state.runID ?? runID ?? "",
                wallMillis: wallMillis,
                exerciseMillis: exercise,
                inject: inject,
                team: team,
                actor: actor ?? JournalEvent.Actor(.team, id: team),
                payload: ResponsePayload(phase: phase, text: text).journalValue
            )
        )
        let deadline = teamState.deadline(phase)
        return Receipt(
            event: written,
            late: deadline.map { exercise > $0 } ?? false,
            deadlineMillis: deadline,
            repeated: teamState.responses[phase] != nil
        )
    }
}
