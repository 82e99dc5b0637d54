/// The after-action evaluation of one run: every figure the report shows, computed from the journal and the
/// scenario by ``RunEvaluator`` (pure: no I/O, no clock).
///
/// Every collection is in a fixed order (scenario order for provinces, teams, injects and objectives; then ids
/// the scenario does not know, sorted), so the same journal always gives the same evaluation.
public struct RunEvaluation: Sendable, Hashable, Encodable {
    /// What the run was: scenario, dates, provinces, teams, objectives, pauses, extensions.
    public var overview: RunOverview
    /// The headline figures.
    public var headline: Headline
    /// Each inject: when it fired and whom it reached.
    public var injects: [InjectOutcome]
    /// One row per inject × team it was delivered to, in inject then team order.
    public var results: [TeamInjectResult]
    /// Per team, in scenario order (see ``ranking`` for the order by score).
    public var teams: [TeamResult]
    /// Team ids by rank: best first.
    public var ranking: [String]
    /// Per province.
    public var provinces: [ProvinceResult]
    /// Per objective.
    public var objectives: [ObjectiveResult]
    /// Per target host: actions, landing, resolution checks and cleanup.
    public var hosts: [HostOutcome]
    /// Every check run on a host (`landed_when` and `resolved_when`) with its sealed evidence.
    public var evidence: [EvidenceItem]
    /// Strengths and areas for improvement, from evaluator observations and from the journal.
    public var findings: [Finding]
    /// The improvement plan: rows seeded from the journal merged with the run's side file.
    public var improvementPlan: [ImprovementItem]
    /// Every journal event in order, in a short form for the report's appendix. Not part of the JSON
    /// document (the journal itself is the full record).
    public var eventLog: [EventLogEntry]

    enum CodingKeys: String, CodingKey {
        case overview, headline, injects, results, teams, ranking, provinces, objectives, hosts, evidence
        case findings, improvementPlan
    }
}

/// What the run was.
public struct RunOverview: Sendable, Hashable, Codable {
    public var runID: String
    public var scenarioID: String
    public var title: String
    /// IANA time zone the report shows wall times in.
    public var timeZone: String
    public var status: RunStatus
    /// True while the run is still going (not ended, not aborted): every figure may still change.
    public var provisional: Bool
    /// True when the director aborted the run.
    public var aborted: Bool
    /// Why, when the abort control gave a reason.
    public var abortReason: String?
    public var abortedAt: Moment?
    public var createdWallMillis: Int64?
    /// The planned STARTEX from the scenario, UTC milliseconds.
    public var plannedStartexWallMillis: Int64?
    public var startex: Moment?
    public var endex: Moment?
    /// Why ENDEX came (`schedule`, `director`), if said.
    public var endexReason: String?
    public var plannedDurationMillis: Int64
    /// The exercise time the evaluation covers: ENDEX's, the abort's, or the last event's.
    public var coveredExerciseMillis: Int64
    /// The wall time of the last journal event: the report's "generated at" (never the machine's clock).
    public var generatedAtWallMillis: Int64
    /// The clock's speed factor (1 = real time).
    public var speed: Double?
    public var pauses: [Pause]
    /// Wall time spent paused, in milliseconds.
    public var pausedWallMillis: Int64
    public var extensions: [DeadlineExtension]
    public var provinces: [ProvinceInfo]
    public var teams: [TeamInfo]
    public var objectives: [ObjectiveInfo]
    public var eventCount: Int
    /// Events of kinds this drillctl does not know (skipped).
    public var unknownEventCount: Int
    /// Events of known kinds that could not be read (skipped), with their sequences.
    public var unreadableEvents: [Int64]
    /// Intents whose outcome is unknown (the engine stopped between intent and outcome).
    public var uncertainCount: Int
    /// Scoring used (the scenario's, or the defaults).
    public var scoring: ScoringInfo
    /// The rubric (empty when the scenario has none).
    public var rubric: [RubricInfo]
    public var disagreementThreshold: Double
}

/// A pause of the exercise clock.
public struct Pause: Sendable, Hashable, Codable {
    public var from: Moment
    /// When it was resumed; nil while still paused (or the run ended paused).
    public var to: Moment?
    public var actor: String?
    public var reason: String?
}

/// A deadline extension the director granted.
public struct DeadlineExtension: Sendable, Hashable, Codable {
    public var inject: String
    /// The team, or nil for every team the inject reaches.
    public var team: String?
    public var phase: ResponsePhase
    public var extensionMillis: Int64
    public var at: Moment
    public var actor: String?
    public var reason: String?
}

public struct ProvinceInfo: Sendable, Hashable, Codable {
    public var id: String
    public var name: String
    public var teams: [String]
}

public struct TeamInfo: Sendable, Hashable, Codable {
    public var id: String
    public var name: String
    public var province: String
}

public struct ObjectiveInfo: Sendable, Hashable, Codable {
    public var id: String
    public var title: String
    public var description: String?
}

/// The scoring scheme used.
public struct ScoringInfo: Sendable, Hashable, Codable {
    /// Points per phase met on time, in phase order (acknowledge, report, resolve).
    public var points: [PhaseValue]
    public var lateCredit: Double
    /// Weight per severity grade, I to IV.
    public var severityWeights: [GradeValue]
    public var rubricWeight: Double
}

/// A number for one response phase.
public struct PhaseValue: Sendable, Hashable, Codable {
    public var phase: ResponsePhase
    public var value: Double
}

/// A number for one severity grade.
public struct GradeValue: Sendable, Hashable, Codable {
    public var grade: SeverityGrade
    public var value: Double
}

public struct RubricInfo: Sendable, Hashable, Codable {
    public var id: String
    public var title: String
    public var description: String?
    public var weight: Double
}

/// The figures of the executive summary.
public struct Headline: Sendable, Hashable, Codable {
    public var provinces: Int
    public var teams: Int
    public var injectsPlanned: Int
    public var injectsFired: Int
    /// Inject × team deliveries.
    public var deliveries: Int
    public var compliance: Compliance
    /// Median and p90 time from delivery to each phase, over every delivery.
    public var phaseTimes: [PhaseTimes]
    /// Team claims of resolution that no host check confirmed.
    public var unconfirmedClaims: Int
    /// Escalation injects delivered (teams that let a condition lapse).
    public var escalations: Int
    /// Host actions that failed.
    public var failedActions: Int
    /// Hosts where an inject's `landed_when` check never passed.
    public var notLanded: Int
    /// Inject × team pairs whose resolve phase is not applicable (the inject landed on none of the team's
    /// hosts): drill-control failures.
    public var resolveNotApplicable: Int
    /// Inject × team pairs whose panel split and is not reconciled yet.
    public var unreconciledPanels: Int
    /// Host × inject pairs not put back (cleanup failed or never ran).
    public var notCleaned: Int
    /// Inject × team pairs whose expert panel disagreed beyond the threshold.
    public var panelDisagreements: Int
    /// The best team(s) by score (several when tied).
    public var topTeams: [String]
    /// The mean of the teams' score percentages (0…1), nil when nothing was scored yet.
    public var meanScorePercent: Double?
}

/// Deadline compliance over a set of phases that had deadlines and were decided.
public struct Compliance: Sendable, Hashable, Codable {
    public var met: Int = 0
    public var late: Int = 0
    public var missed: Int = 0
    /// Not yet decided (the run is still going).
    public var pending: Int = 0
    /// Cut off by ENDEX or the abort before the deadline came.
    public var interrupted: Int = 0
    /// met / (met + late + missed); nil when nothing was decided.
    public var rate: Double?

    public init() {}

    mutating func add(_ status: PhaseStatus) {
        switch status {
        case .met: met += 1
        case .late: late += 1
        case .missed: missed += 1
        case .pending: pending += 1
        case .interrupted: interrupted += 1
        case .done, .notDone, .notExpected, .notApplicable: break
        }
    }

    mutating func finish() {
        let decided = met + late + missed
        rate = decided == 0 ? nil : Double(met) / Double(decided)
    }
}

/// Response-time statistics for one phase.
public struct PhaseTimes: Sendable, Hashable, Codable {
    public var phase: ResponsePhase
    /// How many deliveries reached the phase.
    public var count: Int
    /// Exercise milliseconds from delivery: median, 90th percentile (nearest rank), fastest, slowest.
    public var medianMillis: Int64?
    public var p90Millis: Int64?
    public var minMillis: Int64?
    public var maxMillis: Int64?
}

/// What happened to one inject.
public struct InjectOutcome: Sendable, Hashable, Codable {
    public var id: String
    public var title: String
    public var severity: SeverityGrade?
    /// Scheduled exercise time (`at:`), when fixed.
    public var scheduledMillis: Int64?
    /// The inject it follows (`after:`), if any.
    public var after: String?
    /// True for a conditional (`unless …`) inject: it reaches only teams that let the condition lapse.
    public var isEscalation: Bool
    public var objectives: [String]
    /// The first time it fired.
    public var fired: Moment?
    public var fireCount: Int
    /// Why it fired (`schedule`, `trigger`, `condition`, `late`).
    public var fireReasons: [String]
    /// Teams it was delivered to.
    public var teams: [String]
    /// Teams it was meant for (intent) but never delivered to.
    public var undeliveredTeams: [String]
    public var hosts: Int
    public var failedActions: Int
    /// Hosts where `landed_when` passed / was checked.
    public var landed: Int
    public var landedChecked: Int
}

/// One response phase of one delivery.
public struct PhaseResult: Sendable, Hashable, Codable {
    public var phase: ResponsePhase
    public var status: PhaseStatus
    /// The deadline in exercise milliseconds since STARTEX, extensions included.
    public var deadlineMillis: Int64?
    /// Time allowed from delivery, extensions included.
    public var allowedMillis: Int64?
    /// Extensions granted (included above).
    public var extensionMillis: Int64
    /// When the phase was done (for resolve: when it was established; see ``TeamInjectResult/resolution``).
    public var completed: Moment?
    /// Exercise time from delivery to completion (pauses excluded).
    public var elapsedMillis: Int64?
    /// Wall time from delivery to completion (pauses included).
    public var elapsedWallMillis: Int64?
    /// How late, when late.
    public var lateByMillis: Int64?
    /// Responses the team sent in this phase.
    public var responses: Int
    /// The engine's last journaled verdict on this phase (older journals: `met` or `missed` from their deadline
    /// events), when it journaled one.
    public var engineVerdict: PhaseStatus?
    public var points: Double
    public var maxPoints: Double
}

/// How a delivery was resolved.
public struct Resolution: Sendable, Hashable, Codable {
    public var method: ResolutionMethod
    /// The team's first resolve claim.
    public var claim: Moment?
    /// When the check had passed on every host (the last host's first pass).
    public var confirmed: Moment?
    /// True when the inject has a `resolved_when` check (or check results were journaled).
    public var checkRequired: Bool
    /// Hosts where the inject landed whose check passed.
    public var hostsConfirmed: Int
    /// Hosts where the inject landed (those the check must confirm).
    public var hostsChecked: Int
    /// The team's hosts where the inject did not land: left out of the verdict.
    public var hostsNotLanded: [String]
    /// True when the inject acts on hosts and landed on none of the team's: resolve is not applicable, and the
    /// report flags it as a drill-control failure.
    public var notApplicable: Bool
}

/// A team's text report (situation report).
public struct ReportText: Sendable, Hashable, Codable {
    public var at: Moment
    public var text: String
    public var actor: String?
}

/// One host's part in a delivery.
public struct HostLine: Sendable, Hashable, Codable {
    public var host: String
    public var actionsSucceeded: Int
    public var actionsFailed: Int
    /// `landed_when` outcome, when checked.
    public var landed: Bool?
    /// True when the inject landed on the host (its actions succeeded and `landed_when`, if any, passed).
    public var didLand: Bool
    /// When `resolved_when` first passed on the host.
    public var resolvedAt: Moment?
    public var cleanup: CleanupStatus
}

/// Whether a host was put back after an inject.
public enum CleanupStatus: String, Sendable, Hashable, Codable {
    case cleaned
    case failed
    /// Cleanup started but its outcome is unknown.
    case uncertain
    /// The host was touched and cleanup has not run (yet).
    case notRun
    /// Nothing ran on the host ("untouched"): no action started there, so nothing needs putting back.
    case notNeeded
}

/// One inject × team: the heart of the evaluation.
public struct TeamInjectResult: Sendable, Hashable, Codable {
    public var inject: String
    public var team: String
    public var province: String
    public var severity: SeverityGrade?
    public var severityWeight: Double
    public var delivered: Moment
    /// acknowledge, report, resolve, in order.
    public var phases: [PhaseResult]
    public var resolution: Resolution
    /// The escalation inject this delivery is, of which parent inject.
    public var escalationOf: String?
    /// Escalation injects this team received because of this delivery.
    public var escalatedTo: [String]
    public var reports: [ReportText]
    public var hosts: [HostLine]
    public var panel: Panel?
    public var score: Score

    /// The phase result for `phase`.
    public func phase(_ phase: ResponsePhase) -> PhaseResult {
        phases.first { $0.phase == phase }!
    }
}

/// Points earned and possible.
public struct Score: Sendable, Hashable, Codable {
    /// Points for responding on time (severity-weighted).
    public var timing: Double = 0
    /// Most timing points possible for the phases decided so far.
    public var timingMax: Double = 0
    /// Points from the panel's rubric scores.
    public var rubric: Double = 0
    /// Most rubric points possible where the panel scored.
    public var rubricMax: Double = 0

    public init() {}

    public var total: Double { timing + rubric }
    public var max: Double { timingMax + rubricMax }
    /// total / max (0…1), nil when nothing could be scored yet.
    public var percent: Double? { max > 0 ? total / max : nil }

    static func + (lhs: Score, rhs: Score) -> Score {
        var sum = Score()
        sum.timing = lhs.timing + rhs.timing
        sum.timingMax = lhs.timingMax + rhs.timingMax
        sum.rubric = lhs.rubric + rhs.rubric
        sum.rubricMax = lhs.rubricMax + rhs.rubricMax
        return sum
    }

    enum CodingKeys: String, CodingKey { case timing, timingMax, rubric, rubricMax, total, max, percent }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(timing, forKey: .timing)
        try container.encode(timingMax, forKey: .timingMax)
        try container.encode(rubric, forKey: .rubric)
        try container.encode(rubricMax, forKey: .rubricMax)
        try container.encode(total, forKey: .total)
        try container.encode(max, forKey: .max)
        try container.encode(percent, forKey: .percent)
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        timing = try container.decode(Double.self, forKey: .timing)
        timingMax = try container.decode(Double.self, forKey: .timingMax)
        rubric = try container.decode(Double.self, forKey: .rubric)
        rubricMax = try container.decode(Double.self, forKey: .rubricMax)
    }
}

/// An HSEEP performance rating.
public enum HSEEPRating: String, Sendable, Hashable, Codable, CaseIterable, Comparable {
    /// Performed without challenges.
    case P
    /// Performed with some challenges.
    case S
    /// Performed with major challenges.
    case M
    /// Unable to be performed.
    case U

    var rank: Int { Self.allCases.firstIndex(of: self)! }
    public static func < (lhs: HSEEPRating, rhs: HSEEPRating) -> Bool { lhs.rank < rhs.rank }
}

/// An expert panel's view of one inject × team.
public struct Panel: Sendable, Hashable, Codable {
    /// Evaluators who scored, sorted.
    public var evaluators: [String]
    public var criteria: [CriterionPanel]
    public var ratings: [EvaluatorRating]
    /// The panel's rating: the median when there is a single one, else the reconciled rating once recorded; nil
    /// while the panel splits unreconciled (see ``ratingState``).
    public var agreedRating: HSEEPRating?
    /// Whether the panel's rating is agreed, split and unreconciled, or reconciled.
    public var ratingState: RatingState
    /// For a split panel: the two middle ratings.
    public var splitRatings: [HSEEPRating]
    /// The reconciled rating, with who recorded it and why.
    public var reconciliation: PanelReconciliation?
    /// Steps between the best and worst rating (P→U is 3).
    public var ratingSpread: Int
    /// True when ratings are two or more steps apart.
    public var ratingDisagreement: Bool
    /// The weighted mean of the agreed criterion scores (0…5), nil when nothing was scored.
    public var rubricScore: Double?
    public var notes: [EvaluatorNote]
    /// True when any criterion or the rating disagreed beyond the threshold.
    public var flagged: Bool
}

/// How a panel's rating stands.
public enum RatingState: String, Sendable, Hashable, Codable {
    /// No evaluator rated.
    case none
    /// The ratings have a single median.
    case agreed
    /// An even panel split: no single median, and nobody has reconciled it yet.
    case unreconciled
    /// A lead evaluator or the director recorded the panel's rating.
    case reconciled
}

/// A reconciled panel rating.
public struct PanelReconciliation: Sendable, Hashable, Codable {
    public var rating: HSEEPRating
    public var reason: String
    /// Who recorded it (`evaluator:ID`, `director`).
    public var by: String?
    public var at: Moment
}

public struct CriterionPanel: Sendable, Hashable, Codable {
    public var criterion: String
    public var title: String
    public var weight: Double
    public var scores: [EvaluatorScore]
    /// The median of the scores.
    public var agreed: Double
    /// max - min.
    public var spread: Double
    /// spread > the scenario's disagreement threshold.
    public var disagreement: Bool
}

public struct EvaluatorScore: Sendable, Hashable, Codable {
    public var evaluator: String
    public var score: Double
}

public struct EvaluatorRating: Sendable, Hashable, Codable {
    public var evaluator: String
    public var rating: HSEEPRating
}

public struct EvaluatorNote: Sendable, Hashable, Codable {
    public var evaluator: String
    public var at: Moment
    public var text: String
}

/// Per team.
public struct TeamResult: Sendable, Hashable, Codable {
    public var team: String
    public var name: String
    public var province: String
    /// 1 = best; tied teams share a rank.
    public var rank: Int
    public var deliveries: Int
    public var compliance: Compliance
    public var phaseTimes: [PhaseTimes]
    public var score: Score
    public var escalations: Int
    public var unconfirmedClaims: Int
    /// The median of the panel's agreed ratings over the team's deliveries.
    public var agreedRating: HSEEPRating?
    /// The mean rubric score (0…5) over scored deliveries.
    public var rubricAverage: Double?
}

/// Per province.
public struct ProvinceResult: Sendable, Hashable, Codable {
    public var province: String
    public var name: String
    public var teams: [String]
    public var deliveries: Int
    public var compliance: Compliance
    public var phaseTimes: [PhaseTimes]
    public var score: Score
}

/// Per objective, across teams.
public struct ObjectiveResult: Sendable, Hashable, Codable {
    public var objective: String
    public var title: String
    public var description: String?
    public var injects: [String]
    public var deliveries: Int
    public var compliance: Compliance
    public var phaseTimes: [PhaseTimes]
    public var score: Score
    public var rubricAverage: Double?
    public var agreedRating: HSEEPRating?
    /// How many deliveries the panel rated P, S, M, U.
    public var ratingCounts: [RatingCount]
    public var teams: [ObjectiveTeam]
}

public struct RatingCount: Sendable, Hashable, Codable {
    public var rating: HSEEPRating
    public var count: Int
}

public struct ObjectiveTeam: Sendable, Hashable, Codable {
    public var team: String
    public var deliveries: Int
    public var compliance: Compliance
    public var score: Score
}

/// A target host across the run.
public struct HostOutcome: Sendable, Hashable, Codable {
    public var host: String
    public var team: String?
    public var injects: [HostInjectOutcome]
    /// Injects whose cleanup did not put this host back (failed, uncertain or never ran), sorted.
    public var notCleaned: [String]
}

public struct HostInjectOutcome: Sendable, Hashable, Codable {
    public var inject: String
    public var actions: [ActionOutcome]
    public var landed: Bool?
    public var resolvedAt: Moment?
    public var cleanup: CleanupStatus
    /// Cleanup's exit status, error or output excerpt, when it ran.
    public var cleanupDetail: String?
}

public struct ActionOutcome: Sendable, Hashable, Codable {
    public var step: Int
    public var succeeded: Bool
    public var exitStatus: Int64?
    public var timedOut: Bool
    public var error: String?
    public var runMillis: Int64?
    public var at: Moment
    /// True when the engine stopped before the outcome was journaled.
    public var uncertain: Bool
}

/// One check on a host, with its evidence.
public struct EvidenceItem: Sendable, Hashable, Codable {
    public enum Kind: String, Sendable, Hashable, Codable { case landed, resolved }
    public var kind: Kind
    public var sequence: Int64
    public var inject: String
    public var team: String?
    public var host: String
    public var at: Moment
    public var passed: Bool
    public var command: String?
    public var exitStatus: Int64?
    public var outputExcerpt: String?
    public var digest: String?
    /// True when the digest matches the evidence as journaled; false when it does not (or is missing).
    public var intact: Bool
}

/// A strength or an area for improvement.
public struct Finding: Sendable, Hashable, Codable {
    public enum Kind: String, Sendable, Hashable, Codable { case strength, improvement, note }
    /// Where it came from: an evaluator's observation, or a fact from the journal (see ``Fact``).
    public enum Source: Sendable, Hashable, Codable {
        case evaluator(id: String)
        case journal(fact: Fact)
    }
    public var kind: Kind
    public var source: Source
    public var inject: String?
    public var team: String?
    /// The evaluator's words, for evaluator findings.
    public var text: String?
}

/// A fact from the journal worth a finding or an improvement-plan row; renderers word it in the report's
/// language.
public enum Fact: Sendable, Hashable, Codable {
    /// The team met every decided deadline (at least `count`).
    case allDeadlinesMet(team: String, count: Int)
    /// The team missed or was late on these deliveries' phases.
    case deadlinesMissed(team: String, missed: [InjectPhase], late: [InjectPhase])
    /// The team claimed these injects resolved but no check confirmed them.
    case unconfirmedClaims(team: String, injects: [String])
    /// The team received escalations.
    case escalated(team: String, injects: [String])
    /// These host × inject pairs were not put back.
    case hostsNotCleaned(pairs: [HostInject])
    /// These host × inject pairs never showed the inject's effect (or their action failed).
    case injectsNotLanded(pairs: [HostInject])
    /// These injects landed on none of these teams' hosts, so the teams had nothing to resolve: a drill-control
    /// failure.
    case resolveNotApplicable(pairs: [InjectTeam])
}

public struct InjectPhase: Sendable, Hashable, Codable {
    public var inject: String
    public var phase: ResponsePhase
}

public struct InjectTeam: Sendable, Hashable, Codable {
    public var inject: String
    public var team: String

    public init(inject: String, team: String) {
        self.inject = inject
        self.team = team
    }
}

public struct HostInject: Sendable, Hashable, Codable {
    public var host: String
    public var inject: String
}

/// One journal event, shortened for the appendix.
public struct EventLogEntry: Sendable, Hashable {
    public var sequence: Int64
    public var kind: String
    public var at: Moment
    public var inject: String?
    public var team: String?
    public var host: String?
    public var actor: String?
    /// The payload's essentials (phase, status, reason, …), as `key=value` text.
    public var detail: String
}
