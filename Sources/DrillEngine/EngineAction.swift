public import DrillCore

/// Why an inject fires; written in its intent (``InjectIntentPayload/reason``).
public enum FireReason: String, Sendable, Hashable {
    /// Its time came (`at`, or `after` its parent).
    case schedule
    /// The director triggered it (`drillctl ctl trigger`).
    case trigger
    /// An escalation condition (`after … unless … within`) decided it for a team.
    case condition
    /// It fell due while the engine was down and the director chose to fire it late (`resume --missed fire`).
    case late
}

/// Fire one inject: journal the intent, run its actions on its hosts, check it landed, deliver its message.
public struct FireOrder: Sendable, Hashable {
    /// The inject's id.
    public var inject: String
    /// Which firing of the inject this is: 1 for the scheduled one; a director's re-trigger uses the sequence of
    /// its control event, so that the same journal always gives the same numbers.
    public var occurrence: Int
    /// The team this firing was decided for (an escalation, and what follows one), or nil for every team.
    public var team: String?
    public var reason: FireReason
    /// The exercise time it was due, in milliseconds.
    public var scheduledMillis: Int64
    /// The teams its message reaches, in scenario order.
    public var teams: [String]
    /// The hosts its actions run on, in inventory order (already limited to the scenario's scope).
    public var hosts: [String]
    /// For a firing continued after the engine stopped: per host, what the journal shows was already done.
    public var progress: [String: HostProgress]

    /// What a firing already did on one host, from the journal.
    public struct HostProgress: Sendable, Hashable {
        /// How many actions, from the first, ran and succeeded.
        public var stepsDone: Int
        /// True when a step's outcome is unknown or it failed: nothing more runs on the host.
        public var stopped: Bool
        /// True when the `landed_when` verdict was journaled.
        public var landedChecked: Bool

        public init(stepsDone: Int, stopped: Bool, landedChecked: Bool) {
            self.stepsDone = stepsDone
            self.stopped = stopped
            self.landedChecked = landedChecked
        }
    }

    public init(
        inject: String,
        occurrence: Int,
        team: String? = nil,
        reason: FireReason,
        scheduledMillis: Int64,
        teams: [String],
        hosts: [String],
        progress: [String: HostProgress] = [:]
    ) {
        self.inject = inject
        self.occurrence = occurrence
        self.team = team
        self.reason = reason
        self.scheduledMillis = scheduledMillis
        self.teams = teams
        self.hosts = hosts
        self.progress = progress
    }

    /// The idempotency key of its intent.
    public var key: EventKey { .injectIntent(inject: inject, occurrence: occurrence, team: team) }

    /// The key's text.
    public var intentKey: String { key.description }
}

/// Run an inject's `resolved_when` check once on one host of one team.
public struct CheckOrder: Sendable, Hashable {
    public var inject: String
    public var host: String
    public var team: String

    public init(inject: String, host: String, team: String) {
        self.inject = inject
        self.host = host
        self.team = team
    }
}

/// A simulated team's response, due at `atMillis`: for `resolve`, run the inject's remedy on `remedyHosts`
/// first.
public struct SimulatedResponse: Sendable, Hashable {
    public var inject: String
    public var team: String
    public var phase: ResponsePhase
    /// The exercise time the simulated team responds at (the response is journaled with this time).
    public var atMillis: Int64
    /// The team's hosts where the inject landed (for `resolve`: where the remedy runs).
    public var remedyHosts: [String]

    public init(inject: String, team: String, phase: ResponsePhase, atMillis: Int64, remedyHosts: [String]) {
        self.inject = inject
        self.team = team
        self.phase = phase
        self.atMillis = atMillis
        self.remedyHosts = remedyHosts
    }
}

/// A phase verdict to journal: the status ``RunRules/phaseStatus(_:_:now:finished:)`` gives now, when it differs
/// from the last one journaled.
public struct VerdictOrder: Sendable, Hashable {
    public var inject: String
    public var team: String
    public var phase: ResponsePhase
    public var status: PhaseStatus
    public var deadlineMillis: Int64?
    public var doneAtMillis: Int64?
    /// Which verdict on this phase this is (1 for the first), for its idempotency key.
    public var number: Int

    public init(
        inject: String,
        team: String,
        phase: ResponsePhase,
        status: PhaseStatus,
        deadlineMillis: Int64?,
        doneAtMillis: Int64?,
        number: Int
    ) {
        self.inject = inject
        self.team = team
        self.phase = phase
        self.status = status
        self.deadlineMillis = deadlineMillis
        self.doneAtMillis = doneAtMillis
        self.number = number
    }

    /// The idempotency key of the verdict.
    public var key: EventKey { .verdict(inject: inject, team: team, phase: phase, number: number) }
}

/// Put one host back after one inject (`attempt` counts every cleanup attempt in the journal, from 1).
public struct CleanupOrder: Sendable, Hashable {
    public var inject: String
    public var host: String
    public var attempt: Int

    public init(inject: String, host: String, attempt: Int) {
        self.inject = inject
        self.host = host
        self.attempt = attempt
    }
}

/// What the ``EngineStateMachine`` asks its driver to do.
public enum EngineAction: Sendable, Hashable {
    /// Fire an inject (see ``FireOrder``).
    case fire(FireOrder)
    /// Run a `resolved_when` check once.
    case check(CheckOrder)
    /// Respond for a simulated team.
    case simulate(SimulatedResponse)
    /// Journal a phase verdict.
    case recordVerdict(VerdictOrder)
    /// Journal ENDEX (`schedule` or `director`).
    case recordEndex(reason: String)
    /// Run cleanup on a host.
    case cleanup(CleanupOrder)
    /// Nothing is left to do: the run is over and cleanup has finished.
    case finish
    /// Call ``EngineStateMachine/tick(now:)`` again when exercise time reaches this (milliseconds).
    case wake(atMillis: Int64)
}

/// What the driver reports back when an action's work is done (its journal events are already written).
public enum EngineCompletion: Sendable, Hashable {
    case fire(FireOrder)
    case check(CheckOrder)
    case simulate(SimulatedResponse)
    case verdict(VerdictOrder)
    case endex
    case cleanup(CleanupOrder)
}
