public import DrillCore
import DrillRun

/// A director's control request, as the portal and `drillctl ctl` take it.
public struct PortalControlRequest: Sendable, Hashable {
    public var action: ControlPayload.Action
    /// For `trigger` and `extend`: the inject.
    public var inject: String?
    /// For `extend`: the teams whose deadline moves (every team reached when empty).
    public var teams: [String]
    /// For `extend`: the phase.
    public var phase: ResponsePhase?
    /// For `extend`: by how much.
    public var extensionDuration: Duration?
    /// Why, in the director's words.
    public var reason: String?

    public init(
        action: ControlPayload.Action,
        inject: String? = nil,
        teams: [String] = [],
        phase: ResponsePhase? = nil,
        extension: Duration? = nil,
        reason: String? = nil
    ) {
        self.action = action
        self.inject = inject
        self.teams = teams
        self.phase = phase
        self.extensionDuration = `extension`
        self.reason = reason
    }
}

/// What the portal does on behalf of its users: record a team's response, an evaluator's observation, a
/// director's control or reconciled rating. Each is a journal event; the engine picks responses and controls up
/// from the journal.
///
/// The portal goes through the same code as `drillctl respond` and `drillctl ctl`: ``RunCommandDesk`` calls
/// DrillRun's `ResponseDesk` and `ControlDesk`. Tests may pass another conformance.
public protocol PortalCommandHandling: Sendable {
    /// Records `team`'s response in `phase` to `inject`.
    ///
    /// - Throws: ``PortalError`` 404 when the inject was never delivered to the team, 409 when the run is over,
    ///   422 for a text that is not acceptable.
    func respond(
        team: String,
        inject: String,
        phase: ResponsePhase,
        text: String?,
        actor: JournalEvent.Actor
    ) async throws -> JournalEvent

    /// Carries out a director's control (an extension for several teams is one event per team; the last is
    /// returned).
    ///
    /// - Throws: ``PortalError`` 404 for an unknown inject or team, 409 when the run's state does not allow it, 422
    ///   for a request missing what its action needs or out of bounds.
    func control(_ request: PortalControlRequest, actor: JournalEvent.Actor) async throws -> [JournalEvent]

    /// Records an evaluator's observation.
    func observe(
        inject: String,
        team: String,
        observation: ObservationPayload,
        actor: JournalEvent.Actor
    ) async throws -> JournalEvent

    /// Records the panel's reconciled rating of `inject` × `team`.
    func reconcile(
        inject: String,
        team: String,
        rating: String,
        reason: String,
        actor: JournalEvent.Actor
    ) async throws -> JournalEvent
}

extension PortalError {
    /// The portal's answer to a refusal by the run's rules: the same code, the status its HTTP mapping gives.
    init(_ refusal: RunRules.Refusal) {
        switch refusal.code {
        case .unknown, .notDelivered: self = .notFound(refusal.message)
        case .notStarted, .over, .wrongState: self = .conflict(refusal.message)
        case .invalidValue: self = .invalid(refusal.message)
        case .notAllowed: self = .notAllowed(refusal.message)
        }
    }
}

/// The portal's command desk: responses go through DrillRun's ``ResponseDesk`` and controls and reconciled
/// ratings through its ``ControlDesk`` (the same code as `drillctl respond` and `drillctl ctl`), and observations
/// are appended as ``JournalEvent/Kind/observation`` events. Every refusal comes from ``RunRules`` and keeps its
/// code, so the HTTP status is the one ``RunRules/Refusal/httpStatus`` names.
public struct RunCommandDesk: PortalCommandHandling {
    let journal: any JournalWriter & JournalReader
    let feed: PortalFeed
    let runID: String
    let scenario: Scenario?
    let now: @Sendable () -> Int64
    let desk: ResponseDesk
    let controls: ControlDesk

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
        self.controls = ControlDesk(journal: journal, scenario: scenario)
    }

    /// The current view, after reading what other processes appended since the last poll.
    private func fresh() async throws -> PortalSnapshot {
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
        if !state.wasDelivered(inject, to: team) { state = try await fresh() }
        do {
            // The desk's checks run against the ledger the feed keeps folded (caught up above when the
            // delivery was not seen yet), so a response does not re-read the whole journal.
            return try await desk.respond(
                team: team,
                inject: inject,
                phase: phase,
                text: text,
                actor: actor,
                wallMillis: now(),
                ledger: state.ledger
            ).event
        } catch let refusal as RunRules.Refusal {
            throw PortalError(refusal)
        }
    }

    public func control(_ request: PortalControlRequest, actor: JournalEvent.Actor) async throws -> [JournalEvent] {
        let command: ControlDesk.Command
        switch request.action {
        case .pause: command = .pause
        case .resume: command = .resume
        case .trigger:
            guard let inject = request.inject else { throw PortalError.invalid("'trigger' needs an inject") }
            command = .trigger(inject: inject)
        case .extend:
            guard let inject = request.inject else { throw PortalError.invalid("'extend' needs an inject") }
            guard let phase = request.phase else { throw PortalError.invalid("'extend' needs a phase") }
            guard let duration = request.extensionDuration, duration > .zero else {
                throw PortalError.invalid("'extend' needs a positive duration ('minutes')")
            }
            command = .extend(inject: inject, phase: phase, by: duration, teams: request.teams)
        case .abort:
            command = .abort
        case .skip:
            throw PortalError.invalid("'\(request.action.rawValue)' is not a director's control")
        }
        do {
            _ = try await fresh()
            return try await controls.perform(command, actor: actor, reason: request.reason, wallMillis: now())
        } catch let refusal as RunRules.Refusal {
            throw PortalError(refusal)
        }
    }

    public func observe(
        inject: String,
        team: String,
        observation: ObservationPayload,
        actor: JournalEvent.Actor
    ) async throws -> JournalEvent {
        var state = feed.snapshot
        if !state.wasDelivered(inject, to: team) { state = try await fresh() }
        guard state.wasDelivered(inject, to: team) else {
            throw PortalError.notFound("no inject '\(inject)' was delivered to team '\(team)'")
        }
        let wall = now()
        return try await journal.append(
            JournalEvent(
                .observation(observation),
                runID: runID,
                wallMillis: wall,
                exerciseMillis: state.exerciseMillis(atWall: wall),
                inject: inject,
                team: team,
                actor: actor
            )
        )
    }

    public func reconcile(
        inject: String,
        team: String,
        rating: String,
        reason: String,
        actor: JournalEvent.Actor
    ) async throws -> JournalEvent {
        do {
            return try await controls.reconcile(
                inject: inject,
                team: team,
                rating: rating,
                reason: reason,
                actor: actor,
                wallMillis: now()
            )
        } catch let refusal as RunRules.Refusal {
            throw PortalError(refusal)
        }
    }
}
