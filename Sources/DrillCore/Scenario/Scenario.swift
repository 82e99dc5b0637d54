import Foundation

/// A drill scenario: who takes part, which hosts may be touched, and the injects exercise control sends.
///
/// Build one with ``ScenarioLoader`` from YAML; check it against an inventory with ``ScenarioValidator``;
/// turn it into a timeline with ``Planner``. Every type here is a plain value: no I/O, no clock.
public struct Scenario: Sendable, Hashable {
    /// The drill's id (`drill:`), used in run folders and reports.
    public var id: String
    /// The drill's title, shown to everyone (Chinese is the normal case).
    public var title: String
    /// The IANA time zone wall times are shown in (`timezone:`, default `UTC`).
    public var timeZone: String
    /// How long the drill runs, from STARTEX to ENDEX.
    public var duration: Duration
    /// The planned STARTEX, when the scenario names one (`startex:`).
    public var startex: Date?
    /// Host patterns (Ansible patterns) the drill may touch; nothing outside them is ever contacted.
    public var scope: [String]
    public var provinces: [Province]
    public var teams: [Team]
    public var objectives: [Objective]
    /// Default deadlines per severity grade (built-in defaults, overridden phase by phase by the scenario).
    public var severityDeadlines: [SeverityGrade: PhaseDeadlines]
    /// How responses are scored; nil when the scenario does not say (the report then uses its defaults).
    public var scoring: Scoring?
    /// Evaluator rubric and expert-panel settings; nil when the scenario has none.
    public var evaluation: Evaluation?
    /// Scenario variables (`vars:`), visible to templates as `{{ vars.NAME }}` and `{{ NAME }}`.
    public var variables: [String: InventoryValue]
    /// The injects, in file order.
    public var injects: [Inject]

    public init(
        id: String,
        title: String,
        timeZone: String = "UTC",
        duration: Duration,
        startex: Date? = nil,
        scope: [String],
        provinces: [Province],
        teams: [Team],
        objectives: [Objective] = [],
        severityDeadlines: [SeverityGrade: PhaseDeadlines] = SeverityGrade.defaultDeadlines,
        scoring: Scoring? = nil,
        evaluation: Evaluation? = nil,
        variables: [String: InventoryValue] = [:],
        injects: [Inject]
    ) {
        self.id = id
        self.title = title
        self.timeZone = timeZone
        self.duration = duration
        self.startex = startex
        self.scope = scope
        self.provinces = provinces
        self.teams = teams
        self.objectives = objectives
        self.severityDeadlines = severityDeadlines
        self.scoring = scoring
        self.evaluation = evaluation
        self.variables = variables
        self.injects = injects
    }

    /// The province with `id`, if any.
    public func province(_ id: String) -> Province? { provinces.first { $0.id == id } }
    /// The team with `id`, if any.
    public func team(_ id: String) -> Team? { teams.first { $0.id == id } }
    /// The inject with `id`, if any.
    public func inject(_ id: String) -> Inject? { injects.first { $0.id == id } }
}

/// A province (or any region) taking part in the drill.
public struct Province: Sendable, Hashable {
    public var id: String
    /// The display name, such as `云南`.
    public var name: String

    public init(id: String, name: String) {
        self.id = id
        self.name = name
    }
}

/// A participating team (an operator, an ISP, an infrastructure owner) and the hosts it defends.
///
/// A team's hosts are the union of its ``hostPatterns`` and ``groups``. When it names neither, its hosts are
/// the inventory hosts whose `drill_team` variable equals its id.
public struct Team: Sendable, Hashable {
    public var id: String
    /// The display name, such as `云南电信`.
    public var name: String
    /// The id of the province the team belongs to.
    public var province: String
    /// Ansible host patterns (`hosts:`), each selecting hosts the team defends.
    public var hostPatterns: [String]
    /// Inventory groups (`groups:`) whose hosts the team defends.
    public var groups: [String]

    public init(id: String, name: String, province: String, hostPatterns: [String] = [], groups: [String] = []) {
        self.id = id
        self.name = name
        self.province = province
        self.hostPatterns = hostPatterns
        self.groups = groups
    }
}

/// Something the drill sets out to exercise; injects name the objectives they serve and the report scores
/// each one across teams.
public struct Objective: Sendable, Hashable {
    public var id: String
    public var title: String
    public var description: String?

    public init(id: String, title: String, description: String? = nil) {
        self.id = id
        self.title = title
        self.description = description
    }
}

// `ResponsePhase` (acknowledge -> report -> resolve) is defined with the journal's events
// (Journal/JournalEvent.swift); scenarios add the words conditions use.
extension ResponsePhase {
    /// The participle used in conditions: `acknowledged`, `reported`, `resolved`.
    public var pastTense: String {
        switch self {
        case .acknowledge: "acknowledged"
        case .report: "reported"
        case .resolve: "resolved"
        }
    }
}

/// A deadline per response phase, each measured from the moment the inject is delivered to the team.
public struct PhaseDeadlines: Sendable, Hashable {
    public var acknowledge: Duration?
    public var report: Duration?
    public var resolve: Duration?

    public init(acknowledge: Duration? = nil, report: Duration? = nil, resolve: Duration? = nil) {
        self.acknowledge = acknowledge
        self.report = report
        self.resolve = resolve
    }

    /// The deadline of `phase`.
    public subscript(phase: ResponsePhase) -> Duration? {
        get {
            switch phase {
            case .acknowledge: acknowledge
            case .report: report
            case .resolve: resolve
            }
        }
        set {
            switch phase {
            case .acknowledge: acknowledge = newValue
            case .report: report = newValue
            case .resolve: resolve = newValue
            }
        }
    }

    /// These deadlines with every phase `overrides` sets taken from it.
    public func overridden(by overrides: PhaseDeadlines) -> PhaseDeadlines {
        PhaseDeadlines(
            acknowledge: overrides.acknowledge ?? acknowledge,
            report: overrides.report ?? report,
            resolve: overrides.resolve ?? resolve
        )
    }

    /// True when no phase has a deadline.
    public var isEmpty: Bool { acknowledge == nil && report == nil && resolve == nil }
}

/// A severity grade, I (most severe) to IV, as in China's graded emergency response.
public enum SeverityGrade: String, Sendable, Hashable, CaseIterable, Codable, Comparable {
    case I, II, III, IV

    /// Deadlines used when a scenario does not set them: I 5m/15m/1h, II 10m/30m/2h, III 15m/1h/3h,
    /// IV 30m/1h/4h (acknowledge/report/resolve).
    public static let defaultDeadlines: [SeverityGrade: PhaseDeadlines] = [
        .I: PhaseDeadlines(acknowledge: .seconds(300), report: .seconds(900), resolve: .seconds(3600)),
        .II: PhaseDeadlines(acknowledge: .seconds(600), report: .seconds(1800), resolve: .seconds(7200)),
        .III: PhaseDeadlines(acknowledge: .seconds(900), report: .seconds(3600), resolve: .seconds(10800)),
        .IV: PhaseDeadlines(acknowledge: .seconds(1800), report: .seconds(3600), resolve: .seconds(14400)),
    ]

    public static func < (lhs: SeverityGrade, rhs: SeverityGrade) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}

/// How team responses are scored (`scoring:`); the report issue computes the scores.
public struct Scoring: Sendable, Hashable {
    /// Points for meeting each phase's deadline (default 10 / 20 / 30).
    public var points: [ResponsePhase: Double]
    /// The share of a phase's points given for a late response (0…1, default 0.5); a missed phase scores 0.
    public var lateCredit: Double
    /// A multiplier per severity grade (default I 2.0, II 1.5, III 1.0, IV 0.5).
    public var severityWeights: [SeverityGrade: Double]
    /// The weight of evaluator rubric scores in the total (default 1.0).
    public var rubricWeight: Double

    public static let defaultPoints: [ResponsePhase: Double] = [.acknowledge: 10, .report: 20, .resolve: 30]
    public static let defaultSeverityWeights: [SeverityGrade: Double] = [.I: 2, .II: 1.5, .III: 1, .IV: 0.5]

    public init(
        points: [ResponsePhase: Double] = Scoring.defaultPoints,
        lateCredit: Double = 0.5,
        severityWeights: [SeverityGrade: Double] = Scoring.defaultSeverityWeights,
        rubricWeight: Double = 1
    ) {
        self.points = points
        self.lateCredit = lateCredit
        self.severityWeights = severityWeights
        self.rubricWeight = rubricWeight
    }
}

/// Evaluator settings (`evaluation:`): the rubric evaluators score each team's handling of an inject on, and
/// when an expert panel's scores disagree enough to flag.
public struct Evaluation: Sendable, Hashable {
    /// The rubric criteria, each scored 0 (not performed) to 5 (performed well).
    public var rubric: [RubricCriterion]
    /// The largest spread (max - min) between evaluators' scores on one criterion that is not flagged
    /// (default 2).
    public var disagreementThreshold: Double

    public init(rubric: [RubricCriterion], disagreementThreshold: Double = 2) {
        self.rubric = rubric
        self.disagreementThreshold = disagreementThreshold
    }

    /// The rubric's scale: every criterion is scored from 0 to 5.
    public static let scale: ClosedRange<Int> = 0...5
}

/// One rubric criterion, such as `detection` (发现与研判).
public struct RubricCriterion: Sendable, Hashable {
    public var id: String
    public var title: String
    public var description: String?
    /// The criterion's weight among the rubric's criteria (default 1).
    public var weight: Double

    public init(id: String, title: String, description: String? = nil, weight: Double = 1) {
        self.id = id
        self.title = title
        self.description = description
        self.weight = weight
    }
}
