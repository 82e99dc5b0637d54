public import DrillCore

/// The director's controls on a run (pause, resume, trigger, extend, abort) and the panel's reconciled ratings:
/// the one path for `drillctl ctl` and the portal.
///
/// A control is a ``JournalEvent/Kind/control`` event with who and when; the running engine reads it from the
/// journal and acts (a pause stops its exercise clock, a trigger fires, an abort cleans up). The event itself is
/// the effect: the ``RunLedger`` and its ``RunClock`` change with it whether or not an engine runs. What is
/// refused comes with a ``RunRules/Refusal`` code, which the CLI maps to its exit status and the portal to its
/// HTTP status.
public struct ControlDesk: Sendable {
    public let journal: any JournalWriter & JournalReader
    /// The run's scenario, to check inject and team ids and bound extensions (optional).
    public let scenario: Scenario?

    public init(journal: any JournalWriter & JournalReader, scenario: Scenario? = nil) {
        self.journal = journal
        self.scenario = scenario
    }

    /// A control.
    public enum Command: Sendable, Hashable {
        case pause
        case resume
        /// Fire the inject now (again, if it fired already).
        case trigger(inject: String)
        /// Move an inject's phase deadline later, for these teams (every team it reaches, now or later, when the
        /// list is empty).
        case extend(inject: String, phase: ResponsePhase, by: Duration, teams: [String])
        case abort
    }

    /// The longest extension a control may grant at once: ten times the drill's duration (a day when the
    /// scenario is not known).
    public func extensionLimit() -> Duration {
        guard let scenario else { return .seconds(86_400) }
        let seconds = scenario.duration.components.seconds
        return .seconds(seconds.multipliedReportingOverflow(by: 10).overflow ? Int64.max / 1000 : seconds * 10)
    }

    /// Journals `command` by `actor` at wall time `wallMillis`. An extension for several teams is one event per
    /// team, written together.
    ///
    /// - Throws: ``RunRules/Refusal`` when the control makes no sense now (pause a paused drill, trigger an unknown
    ///   inject, control a finished drill, an extension out of bounds); a journal error when it cannot be written.
    @discardableResult
    public func perform(
        _ command: Command,
        actor: JournalEvent.Actor = JournalEvent.Actor(.director),
        reason: String? = nil,
        wallMillis: Int64
    ) async throws -> [JournalEvent] {
        let ledger = RunLedger(events: try await journal.allEvents(), scenario: scenario)
        if ledger.status.isFinished {
            throw RunRules.Refusal(.over, "the drill is over (\(ledger.status.rawValue))")
        }
        if let reason, let refusal = RunRules.refusalOfText(reason, required: false) { throw refusal }
        var inject: String?
        var teams: [String?] = [nil]
        let payload: ControlPayload
        switch command {
        case .pause:
            guard ledger.status == .running else {
                throw RunRules.Refusal(
                    .wrongState,
                    "only a running drill can be paused (it is \(ledger.status.rawValue))"
                )
            }
            payload = ControlPayload(action: .pause, reason: reason)
        case .resume:
            guard ledger.status == .paused else {
                throw RunRules.Refusal(
                    .wrongState,
                    "only a paused drill can be resumed (it is \(ledger.status.rawValue))"
                )
            }
            payload = ControlPayload(action: .resume, reason: reason)
        case .trigger(let id):
            try checkInject(id)
            inject = id
            payload = ControlPayload(action: .trigger, reason: reason)
        case .extend(let id, let phase, let duration, let extendedTeams):
            try checkInject(id)
            let limit = extensionLimit()
            guard duration > .zero, duration <= limit else {
                throw RunRules.Refusal(
                    .invalidValue,
                    "an extension must be longer than zero and at most \(DurationText.format(limit)) (ten times the drill's duration)"
                )
            }
            for team in extendedTeams { try checkTeam(team) }
            if let planned = scenario?.inject(id), !planned.expectedPhases.contains(phase) {
                throw RunRules.Refusal(
                    .invalidValue,
                    "inject '\(id)' does not expect a \(phase.rawValue) (expects: \(planned.expectedPhases.map(\.rawValue).joined(separator: ", "))), so that phase has no deadline to extend"
                )
            }
            inject = id
            teams = extendedTeams.isEmpty ? [nil] : Array(Set(extendedTeams)).sorted().map { $0 }
            payload = ControlPayload(action: .extend, phase: phase, extension: duration, reason: reason)
        case .abort:
            payload = ControlPayload(action: .abort, reason: reason)
        }
        let exercise = ledger.clock.exerciseMillis(atWallMillis: wallMillis)
        let events = teams.map { team in
            JournalEvent(
                .control(payload),
                runID: ledger.runID ?? "",
                wallMillis: wallMillis,
                exerciseMillis: exercise,
                inject: inject,
                team: team,
                actor: actor
            )
        }
        return try await journal.append(contentsOf: events)
    }

    /// Records the panel's reconciled HSEEP rating for `inject` × `team`, with why (a lead evaluator's or the
    /// director's decision where the evaluators' ratings split).
    ///
    /// - Throws: ``RunRules/Refusal`` for an unknown inject or team, an inject never delivered to the team, a rating
    ///   that is not P, S, M or U, or a reason that is empty or too long.
    @discardableResult
    public func reconcile(
        inject: String,
        team: String,
        rating: String,
        reason: String,
        actor: JournalEvent.Actor,
        wallMillis: Int64
    ) async throws -> JournalEvent {
        try checkInject(inject)
        try checkTeam(team)
        guard ["P", "S", "M", "U"].contains(rating) else {
            throw RunRules.Refusal(.invalidValue, "'\(rating)' is not an HSEEP rating: write P, S, M or U")
        }
        if let refusal = RunRules.refusalOfText(reason, required: true) { throw refusal }
        let ledger = RunLedger(events: try await journal.allEvents(), scenario: scenario)
        guard ledger.pair(inject, team)?.delivery != nil else {
            throw RunRules.Refusal(
                .notDelivered,
                "inject '\(inject)' was never delivered to team '\(team)'; there is nothing to rate"
            )
        }
        return try await journal.append(
            JournalEvent(
                .ratingReconciled(RatingReconciledPayload(rating: rating, reason: reason)),
                runID: ledger.runID ?? "",
                wallMillis: wallMillis,
                exerciseMillis: ledger.exerciseMillis(atWall: wallMillis),
                inject: inject,
                team: team,
                actor: actor
            )
        )
    }

    private func checkInject(_ id: String) throws {
        guard let scenario else { return }
        guard scenario.inject(id) != nil else {
            let known = scenario.injects.map(\.id).joined(separator: ", ")
            throw RunRules.Refusal(.unknown, "there is no inject '\(id)' in this drill (injects: \(known))")
        }
    }

    private func checkTeam(_ id: String) throws {
        guard let scenario else { return }
        guard scenario.team(id) != nil else {
            let known = scenario.teams.map(\.id).joined(separator: ", ")
            throw RunRules.Refusal(.unknown, "there is no team '\(id)' in this drill (teams: \(known))")
        }
    }
}
