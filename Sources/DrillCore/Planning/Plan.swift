import Foundation

/// A drill's timeline: every inject with its exercise time, trigger, deadlines and the teams and hosts it
/// reaches. This is what the engine executes and what `drillctl plan` prints.
public struct Plan: Sendable, Hashable {
    /// The scenario planned.
    public var scenario: Scenario
    /// The STARTEX used for wall times: the one given to the planner, else the scenario's; nil if neither.
    public var startex: Date?
    /// Every inventory host in the drill's scope, in inventory order.
    public var scopeHosts: [String]
    /// The injects in exercise-time order (ties: dependency depth, then file order).
    public var injects: [PlannedInject]

    public init(scenario: Scenario, startex: Date?, scopeHosts: [String], injects: [PlannedInject]) {
        self.scenario = scenario
        self.startex = startex
        self.scopeHosts = scopeHosts
        self.injects = injects
    }

    /// The wall time of an exercise time, when a STARTEX is known.
    public func wallTime(at time: Duration) -> Date? {
        startex.map { $0.addingTimeInterval(TimeInterval(time.wholeSeconds)) }
    }

    /// The drill's time zone (UTC if the scenario's is unknown).
    public var timeZone: TimeZone { TimeZone(identifier: scenario.timeZone) ?? TimeZone(identifier: "UTC")! }

    /// The planned inject with `id`.
    public func inject(_ id: String) -> PlannedInject? { injects.first { $0.inject.id == id } }
}

/// One inject as the engine will run it.
public struct PlannedInject: Sendable, Hashable {
    /// The inject as written (actions, checks, cleanup and message are templates, rendered per host/team by
    /// the engine with ``Template``).
    public var inject: Inject
    /// The earliest exercise time it fires: its `at`, or its parent's time + `within` (conditional) + `delay`.
    /// For a dependent inject the engine fires from the parent's real firing time, not from this estimate.
    public var time: Duration
    /// What makes it fire.
    public var trigger: PlannedTrigger
    /// Its severity grade, if any.
    public var severity: SeverityGrade?
    /// Its deadlines per phase, measured from delivery: overrides over the severity grade's defaults.
    public var deadlines: PhaseDeadlines
    /// Its targets after inheritance (an `after` inject without targets takes its parent's).
    public var targets: TargetSelector
    /// The teams it reaches, in scenario order, each with its hosts (selector ∩ team ∩ scope).
    public var teams: [PlannedTeam]
    /// Per-province totals, in scenario order; provinces it does not reach are left out.
    public var provinces: [ProvinceReach]
    /// Every in-scope host it reaches, in inventory order (team hosts, and selected hosts in no team).
    public var hosts: [String]

    public init(
        inject: Inject,
        time: Duration,
        trigger: PlannedTrigger,
        severity: SeverityGrade?,
        deadlines: PhaseDeadlines,
        targets: TargetSelector,
        teams: [PlannedTeam],
        provinces: [ProvinceReach],
        hosts: [String]
    ) {
        self.inject = inject
        self.time = time
        self.trigger = trigger
        self.severity = severity
        self.deadlines = deadlines
        self.targets = targets
        self.teams = teams
        self.provinces = provinces
        self.hosts = hosts
    }

    /// The inject's id.
    public var id: String { inject.id }

    /// True when it fires only for teams that miss a response (an escalation).
    public var isConditional: Bool {
        if case .unless = trigger { return true }
        return false
    }
}

/// What makes a planned inject fire.
public enum PlannedTrigger: Sendable, Hashable {
    /// At this exercise time.
    case at(Duration)
    /// `delay` after inject `inject` fires.
    case after(inject: String, delay: Duration)
    /// For each team that has not reached `phase` for `inject` within `within` of its delivery, `delay` later.
    case unless(inject: String, phase: ResponsePhase, within: Duration, delay: Duration)
}

/// A team an inject reaches, with its hosts the inject touches.
public struct PlannedTeam: Sendable, Hashable {
    public var id: String
    public var name: String
    public var province: String
    /// Target hosts of this team, in inventory order (may be empty for a message-only inject to a team).
    public var hosts: [String]

    public init(id: String, name: String, province: String, hosts: [String]) {
        self.id = id
        self.name = name
        self.province = province
        self.hosts = hosts
    }
}

/// How many teams and hosts an inject reaches in one province.
public struct ProvinceReach: Sendable, Hashable {
    public var id: String
    public var name: String
    /// The ids of the teams reached, in scenario order.
    public var teams: [String]
    /// Target hosts in this province (a host shared by two teams counts once).
    public var hostCount: Int

    public init(id: String, name: String, teams: [String], hostCount: Int) {
        self.id = id
        self.name = name
        self.teams = teams
        self.hostCount = hostCount
    }
}
