public import DrillCore

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
/// The portal must go through the same code as `drillctl respond` and `drillctl ctl`. Until the engine's
/// response desk and controller are on main, ``JournalCommandDesk`` writes the same events itself; swap in an
/// adapter over the engine's types by passing another conformance to ``PortalServer``.
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

/// The portal's own command desk: validates against the tailed journal and appends the event.
public struct JournalCommandDesk: PortalCommandHandling {
    let writer: any JournalWriter
    let feed: PortalFeed
    let runID: String
    let scenario: Scenario?
    let now: @Sendable () -> Int64

    public init(
        writer: any JournalWriter,
        feed: PortalFeed,
        runID: String,
        scenario: Scenario?,
        now: @escaping @Sendable () -> Int64
    ) {
        self.writer = writer
        self.feed = feed
        self.runID = runID
        self.scenario = scenario
        self.now = now
    }

    /// The current state, after reading what other processes appended since the last poll.
    private func freshState() async throws -> PortalState {
        try await feed.catchUp()
        return feed.snapshot
    }

    private func event(
        _ kind: JournalEvent.Kind,
        state: PortalState,
        inject: String?,
        team: String?,
        actor: JournalEvent.Actor,
        payload: JournalValue
    ) -> JournalEvent {
        let wall = now()
        return JournalEvent(
            kind: kind,
            runID: runID,
            wallMillis: wall,
            exerciseMillis: state.exerciseMillis(atWall: wall),
            inject: inject,
            team: team,
            actor: actor,
            payload: payload
        )
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
        guard state.run.status != .created else {
            throw PortalError.conflict("the drill has not started")
        }
        let payload = ResponsePayload(phase: phase, text: text).journalValue
        return try await writer.append(
            event(.response, state: state, inject: inject, team: team, actor: actor, payload: payload)
        )
    }

    public func control(_ request: PortalControlRequest, actor: JournalEvent.Actor) async throws -> JournalEvent {
        let state = try await freshState()
        let status = state.run.status
        if status.isFinished {
            throw PortalError.conflict("the drill is \(status.rawValue); it can no longer be controlled")
        }
        switch request.action {
        case .pause:
            guard status == .running else { throw PortalError.conflict("the drill is \(status.rawValue), not running") }
        case .resume:
            guard status == .paused else { throw PortalError.conflict("the drill is \(status.rawValue), not paused") }
        case .trigger, .extend:
            guard let inject = request.inject else {
                throw PortalError.invalid("'\(request.action.rawValue)' needs an inject")
            }
            try checkInject(inject, state: state)
            if request.action == .extend {
                guard request.phase != nil else { throw PortalError.invalid("'extend' needs a phase") }
                guard let duration = request.extensionDuration, duration > .zero else {
                    throw PortalError.invalid("'extend' needs a positive duration")
                }
                if let team = request.team {
                    guard state.wasDelivered(inject, to: team) else {
                        throw PortalError.notFound("no inject '\(inject)' was delivered to team '\(team)'")
                    }
                }
            }
        case .abort:
            break
        }
        let payload = ControlPayload(
            action: request.action,
            phase: request.action == .extend ? request.phase : nil,
            extension: request.action == .extend ? request.extensionDuration : nil,
            reason: request.reason
        ).journalValue
        return try await writer.append(
            event(
                .control,
                state: state,
                inject: request.inject,
                team: request.action == .extend ? request.team : nil,
                actor: actor,
                payload: payload
            )
        )
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
        return try await writer.append(
            event(.observation, state: state, inject: inject, team: team, actor: actor, payload: observation.journalValue)
        )
    }

    private func checkInject(_ inject: String, state: PortalState) throws {
        let known = scenario.map { $0.inject(inject) != nil } ?? (state.run.injects[inject] != nil)
        guard known else { throw PortalError.notFound("the scenario has no inject '\(inject)'") }
    }
}
