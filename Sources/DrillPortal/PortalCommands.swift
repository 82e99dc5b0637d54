public import DrillCore
import DrillEngine

/// A director's control request, as the portal and `drillctl ctl` take it.
public struct PortalControlRequest: Sendable, Hashable {
    public var action: ControlPayload.Action
    /// For `trigger` and `extend`: the inject.
    public var inject: String?
    /// For `extend`: the team whose deadline moves (every team reached when `nil`).
    public var team: String?
    /// For `extend`: the phase.
    public var phase: ResponsePhase?
    /// For `extend`: by how much.
    public var extensionDuration: Duration?
    /// Why, in the director's words.
    public var reason: String?

    public init(
        action: ControlPayload.Action,
        inject: String? = nil,
        team: String? = nil,
        phase: ResponsePhase? = nil,
        extension: Duration? = nil,
        reason: String? = nil
    ) {
        self.action = action
        self.inject = inject
        self.team = team
        self.phase = phase
        self.extensionDuration = `extension`
        self.reason = reason
    }
}

/// What the portal does on behalf of its users: record a team's response, an evaluator's observation, a
/// director's control. Each is one journal event; the engine picks responses and controls up from the journal.
///
/// The portal goes through the same code as `drillctl respond` and `drillctl ctl`: ``EngineCommandDesk`` calls
/// the engine's `ResponseDesk` and `Controller`. Tests may pass another conformance.
public protocol PortalCommandHandling: Sendable {
    /// Records `team`'s response in `phase` to `inject`.
    ///
    /// - Throws: ``PortalError`` 404 when the inject was never delivered to the team, 409 when the run is over.
    func respond(
        team: String,
        inject: String,
        phase: ResponsePhase,
        text: String?,
        actor: JournalEvent.Actor
    ) async throws -> JournalEvent

    /// Carries out a director's control.
    ///
    /// - Throws: ``PortalError`` 404 for an unknown inject, 409 when the run's state does not allow it, 422 for
    ///   a request missing what its action needs.
    func control(_ request: PortalControlRequest, actor: JournalEvent.Actor) async throws -> JournalEvent

    /// Records an evaluator's observation.
    func observe(
        inject: String,
        team: String,
        observation: ObservationPayload,
        actor: JournalEvent.Actor
    ) async throws -> JournalEvent
}

/// The portal's command desk: responses go through the engine's ``ResponseDesk`` and controls through its
/// ``Controller`` — the same code as `drillctl respond` and `drillctl ctl` — and observations are appended as
/// ``JournalEvent/Kind/observation`` events.
///
/// Before calling the engine's types it checks the request against the tailed journal, so each refusal gets
/// its HTTP status (404 for an inject the team never received, 409 for a drill that is not running); a refusal
/// that only the engine's check catches (a race with another process) is a 409 with the engine's reason.
public struct EngineCommandDesk: PortalCommandHandling {
    let journal: any JournalWriter & JournalReader
    let feed: PortalFeed
    let runID: String
    let scenario: Scenario?
    let now: @Sendable () -> Int64
    let desk: ResponseDesk
    let controller: Controller

    public init(
        journal: any JournalWriter & JournalReader,
        feed: PortalFeed,
        runID: String,
        scenario: Scenario?,
        now: @escaping @Sendable () -> Int64
    ) {
        self.journal = journal
        self.feed = feed
        self.runID = runID
        self.scenario = scenario
        self.now = now
        self.desk = ResponseDesk(journal: journal, scenario: scenario)
        self.controller = Controller(journal: journal, scenario: scenario)
    }

    /// The current state, after reading what other processes appended since the last poll.
    private func freshState() async throws -> PortalState {
        try await feed.catchUp()
        return feed.snapshot
    }

    public func respond(
        team: String,
        inject: String,
        phase: ResponsePhase,
        text: String?,
        actor: JournalEvent.Actor
    ) async throws -> JournalEvent {
        var state = feed.snapshot
        if !state.wasDelivered(inject, to: team) { state = try await freshState() }
        guard state.wasDelivered(inject, to: team) else {
            throw PortalError.notFound("no inject '\(inject)' was delivered to team '\(team)'")
        }
        switch state.run.status {
        case .created: throw PortalError.conflict("the drill has not started")
        case .ended, .aborted: throw PortalError.conflict("the drill is over; responses are no longer taken")
        case .running, .paused: break
        }
        do {
            // The desk's checks run against the state the feed keeps folded (caught up above when the
            // delivery was not seen yet), so a response does not re-read the whole journal.
            return try await desk.respond(
                team: team,
                inject: inject,
                phase: phase,
                text: text,
                actor: actor,
                wallMillis: now(),
                state: state.run,
                clock: state.clock,
                runID: runID
            ).event
        } catch let refusal as ResponseDesk.Refusal {
            throw PortalError.conflict(refusal.description)
        }
    }

    public func control(_ request: PortalControlRequest, actor: JournalEvent.Actor) async throws -> JournalEvent {
        let state = try await freshState()
        let status = state.run.status
        if status.isFinished {
            throw PortalError.conflict("the drill is \(status.rawValue); it can no longer be controlled")
        }
        let command: Controller.Command
        switch request.action {
        case .pause:
            guard status == .running else { throw PortalError.conflict("the drill is \(status.rawValue), not running") }
            command = .pause
        case .resume:
            guard status == .paused else { throw PortalError.conflict("the drill is \(status.rawValue), not paused") }
            command = .resume
        case .trigger:
            guard let inject = request.inject else { throw PortalError.invalid("'trigger' needs an inject") }
            try checkInject(inject, state: state)
            command = .trigger(inject: inject)
        case .extend:
            guard let inject = request.inject else { throw PortalError.invalid("'extend' needs an inject") }
            try checkInject(inject, state: state)
            guard let phase = request.phase else { throw PortalError.invalid("'extend' needs a phase") }
            guard let duration = request.extensionDuration, duration > .zero else {
                throw PortalError.invalid("'extend' needs a positive duration ('minutes')")
            }
            guard request.team == nil else {
                throw PortalError.invalid("an extension applies to every team the inject reaches; leave out 'team'")
            }
            command = .extend(inject: inject, phase: phase, by: duration)
        case .abort:
            command = .abort
        default:
            throw PortalError.invalid("'\(request.action.rawValue)' is not a director's control")
        }
        do {
            return try await controller.perform(command, actor: actor, reason: request.reason, wallMillis: now())
        } catch let refusal as Controller.Refusal {
            throw PortalError.conflict(refusal.description)
        }
    }

    public func observe(
        inject: String,
        team: String,
        observation: ObservationPayload,
        actor: JournalEvent.Actor
    ) async throws -> JournalEvent {
        var state = feed.snapshot
        if !state.wasDelivered(inject, to: team) { state = try await freshState() }
        guard state.wasDelivered(inject, to: team) else {
            throw PortalError.notFound("no inject '\(inject)' was delivered to team '\(team)'")
        }
        let wall = now()
        return try await journal.append(
            JournalEvent(
                kind: .observation,
                runID: runID,
                wallMillis: wall,
                exerciseMillis: state.exerciseMillis(atWall: wall),
                inject: inject,
                team: team,
                actor: actor,
                payload: observation.journalValue
            )
        )
    }

    private func checkInject(_ inject: String, state: PortalState) throws {
        let known = scenario.map { $0.inject(inject) != nil } ?? (state.run.injects[inject] != nil)
        guard known else { throw PortalError.notFound("the scenario has no inject '\(inject)'") }
    }
}
