import DrillCore
import DrillTesting

/// A fixed, finished two-province run for golden files and the browser test: every kind of outcome appears
/// (met, late, missed, unconfirmed claim, escalation, pause, extension, panel disagreement, failed cleanup),
/// and a team report carries `<script>` so escaping is tested.
enum SampleRun {
    static let runID = "20260618-010000-sample"
    static let wallStart: Int64 = 1_781_744_400_000  // 2026-06-18 09:00:00 +08:00

    static let scenarioYAML = """
        drill: sample-2026
        title: 云贵两省网络安全应急演练（样例）
        timezone: Asia/Shanghai
        duration: 2h
        startex: 2026-06-18T09:00:00
        scope: [all]
        provinces:
          - { id: yunnan, name: 云南 }
          - { id: guizhou, name: 贵州 }
        teams:
          - { id: yn-telecom, name: 云南电信, province: yunnan, groups: yn_telecom }
          - { id: yn-mobile, name: 云南移动, province: yunnan, groups: yn_mobile }
          - { id: gz-telecom, name: 贵州电信, province: guizhou, groups: gz_telecom }
        objectives:
          - { id: detect, title: 监测发现, description: 及时发现并确认事件 }
          - { id: contain, title: 应急处置, description: 清除威胁并恢复业务 }
        severity_deadlines:
          I: { acknowledge: 5m, report: 15m, resolve: 45m }
          II: { acknowledge: 10m, report: 30m, resolve: 1h }
        scoring:
          points: { acknowledge: 10, report: 20, resolve: 30 }
          late_credit: 50%
        evaluation:
          disagreement_threshold: 2
          rubric:
            - { id: detection, title: 发现与研判 }
            - { id: reporting, title: 信息报送, weight: 0.5 }
        injects:
          - id: webshell
            title: 网站被植入 WebShell
            at: 00:10:00
            severity: II
            objectives: [detect, contain]
            message: 发现疑似 WebShell，请立即排查。
            actions:
              - run: "touch /srv/www/.cache.php"
            resolved_when: { run: "test ! -e /srv/www/.cache.php", every: 20s }
            cleanup:
              - run: "rm -f /srv/www/.cache.php"
          - id: webshell-escalation
            title: 未及时确认，升级督办
            after: { inject: webshell, unless: acknowledged, within: 10m }
            severity: I
            message: 请立即响应。
            expects: [acknowledge, report]
          - id: ddos
            title: DDoS 攻击预警
            at: 00:40:00
            severity: II
            objectives: [detect]
            message: 请启动流量清洗预案。
            expects: [acknowledge, report, resolve]
        """

    static var scenario: Scenario {
        // The YAML above is valid; a failure here is a test bug.
        try! ScenarioLoader.load(text: scenarioYAML, file: "scenario.yaml").scenario
    }

    static var events: [JournalEvent] {
        var b = Builder()
        b.add(
            .runCreated,
            0,
            payload: RunCreatedPayload(
                scenario: "sample-2026",
                durationMillis: 7_200_000,
                speed: 1,
                timezone: "Asia/Shanghai"
            ).journalValue
        )
        b.add(.startex, 0)
        let teams = ["yn-telecom", "yn-mobile", "gz-telecom"]
        let hosts = ["yn-telecom": "web1.yn-telecom", "yn-mobile": "web1.yn-mobile", "gz-telecom": "web1.gz-telecom"]
        // webshell at 10:00.
        b.add(
            .injectIntent,
            600,
            inject: "webshell",
            payload: InjectIntentPayload(
                scheduledMillis: 600_000,
                hosts: teams.map { hosts[$0]! },
                teams: teams,
                reason: "schedule"
            ).journalValue
        )
        b.add(.injectFired, 600, inject: "webshell")
        for team in teams {
            let host = hosts[team]!
            b.add(
                .hostActionStarted,
                600,
                inject: "webshell",
                team: team,
                host: host,
                payload: HostActionIntentPayload(step: 0, command: "touch /srv/www/.cache.php").journalValue
            )
            b.add(
                .hostActionResult,
                601,
                inject: "webshell",
                team: team,
                host: host,
                payload: HostActionResultPayload(step: 0, exitStatus: 0, runMillis: 40).journalValue
            )
            b.check(
                .landedCheck,
                605,
                inject: "webshell",
                team: team,
                host: host,
                command: "test -e /srv/www/.cache.php",
                passed: true
            )
            b.add(
                .delivered,
                606,
                inject: "webshell",
                team: team,
                payload: DeliveredPayload(
                    message: "发现疑似 WebShell，请立即排查。",
                    severity: "II",
                    deadlines: [.acknowledge: .seconds(600), .report: .seconds(1800), .resolve: .seconds(3600)]
                ).journalValue
            )
        }
        // yn-telecom: fast, all met, both check and claim.
        b.respond("webshell", "yn-telecom", .acknowledge, 700)
        b.respond(
            "webshell",
            "yn-telecom",
            .report,
            1300,
            text: "已定位 WebShell 文件 .cache.php，正在清除。<script>alert('x')</script>"
        )
        b.check(
            .checkResult,
            1500,
            inject: "webshell",
            team: "yn-telecom",
            host: "web1.yn-telecom",
            command: "test ! -e /srv/www/.cache.php",
            passed: true
        )
        b.respond("webshell", "yn-telecom", .resolve, 1520)
        // gz-telecom: acknowledges late, claims resolution that the check never confirms.
        b.respond("webshell", "gz-telecom", .acknowledge, 1300)
        b.respond("webshell", "gz-telecom", .report, 2000, text: "已处置 | 待复核 \"完毕\"")
        b.respond("webshell", "gz-telecom", .resolve, 2100)
        b.check(
            .checkResult,
            2120,
            inject: "webshell",
            team: "gz-telecom",
            host: "web1.gz-telecom",
            command: "test ! -e /srv/www/.cache.php",
            passed: false
        )
        // yn-mobile: silent; escalation at 20:06.
        b.add(
            .injectIntent,
            1206,
            inject: "webshell-escalation",
            payload: InjectIntentPayload(teams: ["yn-mobile", "gz-telecom"], reason: "condition").journalValue
        )
        b.add(.injectFired, 1206, inject: "webshell-escalation")
        for team in ["yn-mobile", "gz-telecom"] {
            b.add(
                .delivered,
                1206,
                inject: "webshell-escalation",
                team: team,
                payload: DeliveredPayload(
                    message: "请立即响应。",
                    severity: "I",
                    deadlines: [.acknowledge: .seconds(300), .report: .seconds(900), .resolve: .seconds(2700)]
                ).journalValue
            )
        }
        b.respond("webshell-escalation", "gz-telecom", .acknowledge, 1400)
        b.respond("webshell-escalation", "yn-mobile", .acknowledge, 1700)
        // The director pauses 5 minutes (wall) at 25:00 and extends yn-mobile's report deadline.
        b.control(.pause, 1500, reason: "协调会商")
        b.pause(forWallSeconds: 300)
        b.control(.resume, 1500)
        b.control(
            .extend,
            1600,
            inject: "webshell",
            team: "yn-mobile",
            phase: .report,
            by: .seconds(600),
            reason: "网络故障"
        )
        b.respond("webshell", "yn-mobile", .report, 2900, text: "初报：影响范围待确认。")
        b.check(
            .checkResult,
            3000,
            inject: "webshell",
            team: "yn-mobile",
            host: "web1.yn-mobile",
            command: "test ! -e /srv/www/.cache.php",
            passed: true
        )
        // ddos at 40:00 to everyone, message only.
        b.add(
            .injectIntent,
            2400,
            inject: "ddos",
            payload: InjectIntentPayload(scheduledMillis: 2_400_000, teams: teams, reason: "schedule").journalValue
        )
        b.add(.injectFired, 2400, inject: "ddos")
        for team in teams {
            b.add(
                .delivered,
                2400,
                inject: "ddos",
                team: team,
                payload: DeliveredPayload(
                    message: "请启动流量清洗预案。",
                    severity: "II",
                    deadlines: [.acknowledge: .seconds(600), .report: .seconds(1800), .resolve: .seconds(3600)]
                ).journalValue
            )
        }
        b.respond("ddos", "yn-telecom", .acknowledge, 2500)
        b.respond("ddos", "yn-telecom", .report, 3600, text: "已启动清洗。")
        b.respond("ddos", "yn-mobile", .acknowledge, 2460)
        b.respond("ddos", "gz-telecom", .acknowledge, 2450)
        b.respond("ddos", "gz-telecom", .report, 3000, text: "=SUM(A1:A2) 清洗已生效")
        b.respond("ddos", "gz-telecom", .resolve, 5000)
        // The expert panel.
        b.observe(
            "webshell",
            "yn-telecom",
            "张工",
            4000,
            scores: ["detection": 5, "reporting": 4],
            rating: "P",
            notes: "发现迅速，报告要素齐全。"
        )
        b.observe(
            "webshell",
            "yn-telecom",
            "李工",
            4010,
            scores: ["detection": 4, "reporting": 4],
            rating: "P",
            strengths: ["跨部门协同顺畅"],
            improvements: ["处置过程未留存日志证据"]
        )
        b.observe("webshell", "gz-telecom", "张工", 4020, scores: ["detection": 4, "reporting": 2], rating: "S")
        b.observe(
            "webshell",
            "gz-telecom",
            "李工",
            4030,
            scores: ["detection": 1, "reporting": 2],
            rating: "M",
            notes: "未核实即报告已处置 <b>需改进</b>。"
        )
        // ENDEX at 2h, then cleanup; one host cannot be cleaned.
        b.add(.endex, 7200, payload: EndexPayload(reason: "schedule").journalValue)
        for team in teams {
            let host = hosts[team]!
            b.add(
                .cleanupIntent,
                7200,
                inject: "webshell",
                host: host,
                payload: CleanupIntentPayload(commands: ["rm -f /srv/www/.cache.php"]).journalValue
            )
            b.add(
                .cleanupResult,
                7202,
                inject: "webshell",
                host: host,
                payload: CleanupResultPayload(
                    succeeded: team != "gz-telecom",
                    exitStatus: team == "gz-telecom" ? nil : 0,
                    error: team == "gz-telecom" ? "connection refused" : nil
                ).journalValue
            )
        }
        return b.events
    }

    struct Builder {
        private var journal = JournalBuilder(runID: SampleRun.runID, wallStart: SampleRun.wallStart)
        var events: [JournalEvent] { journal.events }
        var pausedWall: Int64 { journal.pausedWallMillis }

        mutating func pause(forWallSeconds seconds: Int64) { journal.pause(forWallSeconds: seconds) }

        mutating func add(
            _ kind: JournalEvent.Kind,
            _ seconds: Int64,
            inject: String? = nil,
            team: String? = nil,
            host: String? = nil,
            actor: JournalEvent.Actor = .engine,
            payload: JournalValue = .emptyObject
        ) {
            journal.add(kind, at: seconds, inject: inject, team: team, host: host, actor: actor, payload: payload)
        }

        mutating func respond(
            _ inject: String,
            _ team: String,
            _ phase: ResponsePhase,
            _ seconds: Int64,
            text: String? = nil
        ) {
            add(
                .response,
                seconds,
                inject: inject,
                team: team,
                actor: .init(.team, id: team),
                payload: ResponsePayload(phase: phase, text: text).journalValue
            )
        }

        mutating func check(
            _ kind: JournalEvent.Kind,
            _ seconds: Int64,
            inject: String,
            team: String,
            host: String,
            command: String,
            passed: Bool
        ) {
            let evidence = CheckEvidence(
                command: command,
                exitStatus: passed ? 0 : 1,
                outputExcerpt: passed ? "" : "file exists",
                checkedAtWallMillis: journal.wallMillis(at: seconds)
            )
            add(
                kind,
                seconds,
                inject: inject,
                team: team,
                host: host,
                payload: CheckResultPayload(passed: passed, evidence: evidence).journalValue
            )
        }

        mutating func control(
            _ action: ControlPayload.Action,
            _ seconds: Int64,
            inject: String? = nil,
            team: String? = nil,
            phase: ResponsePhase? = nil,
            by: Duration? = nil,
            reason: String? = nil
        ) {
            add(
                .control,
                seconds,
                inject: inject,
                team: team,
                actor: .init(.director, id: "总指挥"),
                payload: ControlPayload(action: action, phase: phase, extension: by, reason: reason).journalValue
            )
        }

        mutating func observe(
            _ inject: String,
            _ team: String,
            _ evaluator: String,
            _ seconds: Int64,
            scores: [String: Double],
            rating: String?,
            notes: String? = nil,
            strengths: [String]? = nil,
            improvements: [String]? = nil
        ) {
            add(
                .observation,
                seconds,
                inject: inject,
                team: team,
                actor: .init(.evaluator, id: evaluator),
                payload: ObservationPayload(
                    scores: scores,
                    rating: rating,
                    notes: notes,
                    strengths: strengths,
                    improvements: improvements
                ).journalValue
            )
        }
    }
}
