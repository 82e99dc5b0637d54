import DrillCore
import DrillTesting

/// Builds a run's journal by hand, in exercise seconds, for evaluation tests. Wall time follows exercise time
/// from 2026-06-18 09:00:00 +08:00, plus every pause so far (pauses stop the exercise clock, not the wall).
struct EvaluationJournal {
    private var journal = JournalBuilder(runID: "20260618-010000-test", wallStart: 1_781_744_400_000)
    var events: [JournalEvent] {
        get { journal.events }
        set { journal.events = newValue }
    }
    var runID: String { journal.runID }
    var wallStart: Int64 { journal.wallStart }
    var pausedWallMillis: Int64 { journal.pausedWallMillis }

    init(startex: Bool = true) {
        add(.runCreated, at: 0, payload: RunCreatedPayload(scenario: "test", timezone: "Asia/Shanghai").journalValue)
        if startex { add(.startex, at: 0) }
    }

    mutating func add(
        _ kind: JournalEvent.Kind,
        at seconds: Int64,
        inject: String? = nil,
        team: String? = nil,
        host: String? = nil,
        actor: JournalEvent.Actor = .engine,
        payload: JournalValue = .emptyObject
    ) {
        journal.add(kind, at: seconds, inject: inject, team: team, host: host, actor: actor, payload: payload)
    }

    mutating func fire(
        _ inject: String,
        at seconds: Int64,
        teams: [String],
        hosts: [String] = [],
        reason: String = "schedule"
    ) {
        add(
            .injectIntent,
            at: seconds,
            inject: inject,
            payload: InjectIntentPayload(hosts: hosts, teams: teams, reason: reason).journalValue
        )
        add(.injectFired, at: seconds, inject: inject)
    }

    /// Deadlines in seconds after delivery.
    mutating func deliver(
        _ inject: String,
        to team: String,
        at seconds: Int64,
        acknowledge: Int64? = 300,
        report: Int64? = 900,
        resolve: Int64? = 3600,
        severity: String? = nil
    ) {
        var deadlines: [ResponsePhase: Duration] = [:]
        if let acknowledge { deadlines[.acknowledge] = .seconds(acknowledge) }
        if let report { deadlines[.report] = .seconds(report) }
        if let resolve { deadlines[.resolve] = .seconds(resolve) }
        add(
            .delivered,
            at: seconds,
            inject: inject,
            team: team,
            payload: DeliveredPayload(message: "msg", severity: severity, deadlines: deadlines).journalValue
        )
    }

    mutating func respond(
        _ inject: String,
        _ team: String,
        _ phase: ResponsePhase,
        at seconds: Int64,
        text: String? = nil
    ) {
        add(
            .response,
            at: seconds,
            inject: inject,
            team: team,
            actor: JournalEvent.Actor(.team, id: team),
            payload: ResponsePayload(phase: phase, text: text).journalValue
        )
    }

    mutating func action(_ inject: String, _ team: String, _ host: String, at seconds: Int64, exit: Int32 = 0) {
        add(
            .hostActionStarted,
            at: seconds,
            inject: inject,
            team: team,
            host: host,
            payload: HostActionIntentPayload(step: 0, command: "touch x").journalValue
        )
        add(
            .hostActionResult,
            at: seconds,
            inject: inject,
            team: team,
            host: host,
            payload: HostActionResultPayload(step: 0, exitStatus: exit).journalValue
        )
    }

    mutating func check(
        _ inject: String,
        _ team: String,
        _ host: String,
        at seconds: Int64,
        passed: Bool,
        landed: Bool = false
    ) {
        let evidence = CheckEvidence(
            command: "test ! -e /srv/www/.cache.php",
            exitStatus: passed ? 0 : 1,
            outputExcerpt: "",
            checkedAtWallMillis: journal.wallMillis(at: seconds)
        )
        add(
            landed ? .landedCheck : .checkResult,
            at: seconds,
            inject: inject,
            team: team,
            host: host,
            payload: CheckResultPayload(passed: passed, evidence: evidence).journalValue
        )
    }

    mutating func cleanup(_ inject: String, _ host: String, at seconds: Int64, succeeded: Bool) {
        add(.cleanupIntent, at: seconds, inject: inject, host: host)
        add(
            .cleanupResult,
            at: seconds,
            inject: inject,
            host: host,
            payload: CleanupResultPayload(succeeded: succeeded, exitStatus: succeeded ? 0 : 1).journalValue
        )
    }

    mutating func control(
        _ action: ControlPayload.Action,
        at seconds: Int64,
        inject: String? = nil,
        team: String? = nil,
        phase: ResponsePhase? = nil,
        by: Duration? = nil,
        reason: String? = nil
    ) {
        add(
            .control,
            at: seconds,
            inject: inject,
            team: team,
            actor: JournalEvent.Actor(.director, id: "white-cell"),
            payload: ControlPayload(action: action, phase: phase, extension: by, reason: reason).journalValue
        )
    }

    /// Pauses the exercise clock at `seconds` for `wallSeconds` of wall time.
    mutating func pause(at seconds: Int64, forWallSeconds wallSeconds: Int64) {
        control(.pause, at: seconds)
        journal.pause(forWallSeconds: wallSeconds)
        control(.resume, at: seconds)
    }

    mutating func observe(
        _ inject: String,
        _ team: String,
        by evaluator: String,
        at seconds: Int64,
        scores: [String: Double] = [:],
        rating: String? = nil,
        notes: String? = nil,
        strengths: [String]? = nil,
        improvements: [String]? = nil
    ) {
        add(
            .observation,
            at: seconds,
            inject: inject,
            team: team,
            actor: JournalEvent.Actor(.evaluator, id: evaluator),
            payload: ObservationPayload(
                scores: scores,
                rating: rating,
                notes: notes,
                strengths: strengths,
                improvements: improvements
            ).journalValue
        )
    }

    mutating func endex(at seconds: Int64) { add(.endex, at: seconds, payload: ["reason": "schedule"]) }
}

enum EvaluationFixtures {
    /// Two provinces, three teams; injects: `phish` (a tabletop inject: message only, but it expects all three
    /// phases, resolved by the team's claim), `webshell` (with a resolved_when check), `escalation` (fires for
    /// teams that did not acknowledge `webshell` within 10 minutes; expects an acknowledgement and a report), and
    /// `notice` (message only, so by default it expects only an acknowledgement).
    static func scenario(rubric: Bool = true) -> Scenario {
        Scenario(
            id: "test",
            title: "测试演练",
            timeZone: "Asia/Shanghai",
            duration: .seconds(3 * 3600),
            scope: ["all"],
            provinces: [Province(id: "yunnan", name: "云南"), Province(id: "guizhou", name: "贵州")],
            teams: [
                Team(id: "yn-a", name: "云南甲", province: "yunnan"),
                Team(id: "yn-b", name: "云南乙", province: "yunnan"),
                Team(id: "gz-a", name: "贵州甲", province: "guizhou"),
            ],
            objectives: [
                Objective(id: "detect", title: "监测发现"),
                Objective(id: "contain", title: "应急处置"),
            ],
            scoring: Scoring(),
            evaluation: rubric
                ? Evaluation(
                    rubric: [
                        RubricCriterion(id: "detection", title: "发现与研判"),
                        RubricCriterion(id: "reporting", title: "信息报送", weight: 0.5),
                    ],
                    disagreementThreshold: 2
                ) : nil,
            injects: [
                Inject(
                    id: "phish",
                    title: "钓鱼邮件",
                    trigger: .at(.seconds(600)),
                    severity: .III,
                    objectives: ["detect"],
                    expects: ResponsePhase.allCases
                ),
                Inject(
                    id: "webshell",
                    title: "WebShell",
                    trigger: .at(.seconds(1200)),
                    severity: .II,
                    resolvedWhen: Check("test ! -e x", every: .seconds(20)),
                    objectives: ["detect", "contain"]
                ),
                Inject(
                    id: "escalation",
                    title: "督办",
                    trigger: .after(
                        AfterTrigger(
                            inject: "webshell",
                            condition: Condition(unless: .acknowledge, within: .seconds(600))
                        )
                    ),
                    severity: .I,
                    expects: [.acknowledge, .report]
                ),
                Inject(id: "notice", title: "演练开始通知", trigger: .at(.seconds(60)), severity: .IV),
            ]
        )
    }
}
