import DrillCore
import Testing

@Suite("Evaluation: response phases, deadlines and resolution")
struct EvaluationPhaseTests {
    func evaluate(_ script: EvaluationJournal, scenario: Scenario = EvaluationFixtures.scenario()) -> RunEvaluation {
        RunEvaluator.evaluate(events: script.events, scenario: scenario)
    }

    func row(_ evaluation: RunEvaluation, _ inject: String, _ team: String) throws -> TeamInjectResult {
        try #require(evaluation.results.first { $0.inject == inject && $0.team == team })
    }

    @Test("a phase done by its deadline is met, after it late by how much, never done missed")
    func onTimeLateMissed() throws {
        var script = EvaluationJournal()
        script.fire("phish", at: 600, teams: ["yn-a", "yn-b"])
        script.deliver("phish", to: "yn-a", at: 600, severity: "III")
        script.deliver("phish", to: "yn-b", at: 600, severity: "III")
        script.respond("phish", "yn-a", .acknowledge, at: 660)
        script.respond("phish", "yn-a", .report, at: 1200, text: "初报")
        script.respond("phish", "yn-a", .resolve, at: 2000)
        script.respond("phish", "yn-b", .acknowledge, at: 1000)
        script.endex(at: 10800)
        let evaluation = evaluate(script)

        let a = try row(evaluation, "phish", "yn-a")
        #expect(a.phases.map(\.status) == [.met, .met, .met])
        #expect(a.phase(.acknowledge).elapsedMillis == 60_000)
        #expect(a.phase(.acknowledge).deadlineMillis == 900_000)
        #expect(a.resolution.method == .claim)
        #expect(a.score.timing == 60)
        #expect(a.score.timingMax == 60)
        #expect(a.reports.map(\.text) == ["初报"])

        let b = try row(evaluation, "phish", "yn-b")
        #expect(b.phases.map(\.status) == [.late, .missed, .missed])
        #expect(b.phase(.acknowledge).lateByMillis == 100_000)
        #expect(b.score.timing == 5)
        #expect(b.score.timingMax == 60)

        let teamB = try #require(evaluation.teams.first { $0.team == "yn-b" })
        #expect(teamB.compliance.met == 0 && teamB.compliance.late == 1 && teamB.compliance.missed == 2)
        #expect(teamB.compliance.rate == 0)
        #expect(evaluation.ranking.prefix(2) == ["yn-a", "yn-b"])
        #expect(evaluation.teams.first { $0.team == "yn-a" }?.rank == 1)
        #expect(evaluation.overview.provisional == false)
        #expect(evaluation.overview.generatedAtWallMillis == script.events.last!.wallMillis)
    }

    @Test("while the run goes on, an open phase is pending until its deadline passes, then missed")
    func pendingWhileRunning() throws {
        var script = EvaluationJournal()
        script.deliver("phish", to: "yn-a", at: 600)
        script.respond("phish", "yn-a", .acknowledge, at: 700)
        let early = evaluate(script)
        #expect(early.overview.provisional)
        #expect(try row(early, "phish", "yn-a").phases.map(\.status) == [.met, .pending, .pending])
        #expect(try row(early, "phish", "yn-a").score.timingMax == 10)

        script.control(.trigger, at: 1600, inject: "phish")
        let later = evaluate(script)
        #expect(try row(later, "phish", "yn-a").phases.map(\.status) == [.met, .missed, .pending])
    }

    @Test("a deadline that ENDEX cut off is neither met nor missed and earns no points either way")
    func interruptedByEndex() throws {
        var script = EvaluationJournal()
        script.deliver("phish", to: "yn-a", at: 10000)
        script.endex(at: 10800)
        let result = try row(evaluate(script), "phish", "yn-a")
        #expect(result.phases.map(\.status) == [.missed, .interrupted, .interrupted])
        #expect(result.score.timingMax == 10)
    }

    @Test("a resolve claim the host check does not confirm on every host is shown as such and does not count")
    func claimedButUnconfirmed() throws {
        var script = EvaluationJournal()
        script.fire("webshell", at: 1200, teams: ["gz-a", "yn-a", "yn-b"])
        for (team, hosts) in [("gz-a", ["gz-a-1", "gz-a-2"]), ("yn-a", ["yn-a-1", "yn-a-2"]), ("yn-b", ["yn-b-1"])] {
            for host in hosts { script.action("webshell", team, host, at: 1200) }
            script.deliver("webshell", to: team, at: 1200)
        }
        // gz-a: one host fixed, the other not; claims anyway.
        script.check("webshell", "gz-a", "gz-a-1", at: 1900, passed: true)
        script.check("webshell", "gz-a", "gz-a-2", at: 1900, passed: false)
        script.respond("webshell", "gz-a", .resolve, at: 2000)
        // yn-a: claims, then both hosts pass.
        script.respond("webshell", "yn-a", .resolve, at: 2400)
        script.check("webshell", "yn-a", "yn-a-1", at: 2500, passed: true)
        script.check("webshell", "yn-a", "yn-a-2", at: 2600, passed: true)
        // yn-b: fixed, never claimed.
        script.check("webshell", "yn-b", "yn-b-1", at: 3000, passed: true)
        script.endex(at: 10800)
        let evaluation = evaluate(script)

        let gz = try row(evaluation, "webshell", "gz-a")
        #expect(gz.resolution.method == .claimUnconfirmed)
        #expect(gz.resolution.hostsConfirmed == 1 && gz.resolution.hostsChecked == 2)
        #expect(gz.resolution.claim?.exerciseMillis == 2_000_000)
        #expect(gz.phase(.resolve).status == .missed)

        let ynA = try row(evaluation, "webshell", "yn-a")
        #expect(ynA.resolution.method == .both)
        #expect(ynA.phase(.resolve).completed?.exerciseMillis == 2_600_000)
        #expect(ynA.phase(.resolve).elapsedMillis == 1_400_000)
        #expect(ynA.phase(.resolve).status == .met)

        let ynB = try row(evaluation, "webshell", "yn-b")
        #expect(ynB.resolution.method == .check)
        #expect(ynB.phase(.resolve).status == .met)

        #expect(evaluation.headline.unconfirmedClaims == 1)
        #expect(
            evaluation.findings.contains {
                $0.source == .journal(fact: .unconfirmedClaims(team: "gz-a", injects: ["webshell"]))
            }
        )
        #expect(evaluation.improvementPlan.contains { $0.id == "claims:gz-a" })
    }

    @Test("a paused clock stops deadlines: exercise time excludes the pause, wall time includes it")
    func pausedClock() throws {
        var script = EvaluationJournal()
        script.deliver("phish", to: "yn-a", at: 600)
        script.pause(at: 700, forWallSeconds: 600)
        script.respond("phish", "yn-a", .acknowledge, at: 800)
        script.endex(at: 10800)
        let evaluation = evaluate(script)
        let ack = try row(evaluation, "phish", "yn-a").phase(.acknowledge)
        #expect(ack.status == .met)
        #expect(ack.elapsedMillis == 200_000)
        #expect(ack.elapsedWallMillis == 800_000)
        #expect(evaluation.overview.pauses.count == 1)
        #expect(evaluation.overview.pausedWallMillis == 600_000)
        #expect(evaluation.overview.pauses[0].to != nil)
    }

    @Test("extensions move deadlines: per team, and for every team an inject reaches")
    func extendedDeadline() throws {
        var script = EvaluationJournal()
        script.deliver("phish", to: "yn-a", at: 600)
        script.deliver("phish", to: "yn-b", at: 600)
        script.control(.extend, at: 650, inject: "phish", phase: .acknowledge, by: .seconds(120), reason: "网络故障")
        script.control(.extend, at: 1000, inject: "phish", team: "yn-a", phase: .report, by: .seconds(600))
        script.respond("phish", "yn-a", .report, at: 1800)
        script.respond("phish", "yn-b", .report, at: 1800)
        script.respond("phish", "yn-b", .acknowledge, at: 950)
        script.endex(at: 10800)
        let evaluation = evaluate(script)

        let a = try row(evaluation, "phish", "yn-a")
        #expect(a.phase(.report).status == .met)
        #expect(a.phase(.report).allowedMillis == 1_500_000)
        #expect(a.phase(.report).extensionMillis == 600_000)
        let b = try row(evaluation, "phish", "yn-b")
        #expect(b.phase(.report).status == .late)
        #expect(b.phase(.report).lateByMillis == 300_000)
        #expect(b.phase(.acknowledge).status == .met)
        #expect(b.phase(.acknowledge).allowedMillis == 420_000)
        #expect(evaluation.overview.extensions.count == 2)
        #expect(evaluation.overview.extensions[0].reason == "网络故障")
    }

    @Test("an escalation inject is tied to the delivery that caused it and counted against the team")
    func escalation() throws {
        var script = EvaluationJournal()
        script.fire("webshell", at: 1200, teams: ["yn-a", "yn-b"])
        script.deliver("webshell", to: "yn-a", at: 1200)
        script.deliver("webshell", to: "yn-b", at: 1200)
        script.respond("webshell", "yn-a", .acknowledge, at: 1300)
        script.fire("escalation", at: 1800, teams: ["yn-b"], reason: "condition")
        script.deliver("escalation", to: "yn-b", at: 1800, acknowledge: nil, report: 900, resolve: nil)
        script.respond("escalation", "yn-b", .report, at: 2000)
        script.endex(at: 10800)
        let evaluation = evaluate(script)

        #expect(try row(evaluation, "webshell", "yn-b").escalatedTo == ["escalation"])
        #expect(try row(evaluation, "webshell", "yn-a").escalatedTo == [])
        let escalation = try row(evaluation, "escalation", "yn-b")
        #expect(escalation.escalationOf == "webshell")
        #expect(escalation.severity == .I)
        #expect(escalation.severityWeight == 2)
        // A report without an acknowledgement counts as the acknowledgement at that moment (no deadline: done).
        #expect(escalation.phases.map(\.status) == [.done, .met, .notExpected])
        #expect(escalation.phase(.acknowledge).completed?.exerciseMillis == 2_000_000)
        #expect(escalation.phase(.report).points == 40)
        #expect(escalation.phase(.resolve).maxPoints == 0)
        #expect(evaluation.headline.escalations == 1)
        #expect(evaluation.teams.first { $0.team == "yn-b" }?.escalations == 1)
        let outcome = try #require(evaluation.injects.first { $0.id == "escalation" })
        #expect(outcome.isEscalation && outcome.after == "webshell" && outcome.fireReasons == ["condition"])
        #expect(
            evaluation.findings.contains {
                $0.source == .journal(fact: .escalated(team: "yn-b", injects: ["escalation"]))
            }
        )
    }

    @Test("an aborted run is marked with its reason, and deadlines it cut off are not counted as missed")
    func abortedRun() throws {
        var script = EvaluationJournal()
        script.fire("phish", at: 600, teams: ["yn-a"])
        script.deliver("phish", to: "yn-a", at: 600)
        script.control(.abort, at: 700, reason: "机房停电")
        script.endex(at: 700)
        let evaluation = evaluate(script)
        #expect(evaluation.overview.aborted)
        #expect(evaluation.overview.status == .aborted)
        #expect(evaluation.overview.abortReason == "机房停电")
        #expect(evaluation.overview.abortedAt?.exerciseMillis == 700_000)
        #expect(!evaluation.overview.provisional)
        #expect(
            try row(evaluation, "phish", "yn-a").phases.map(\.status) == [.interrupted, .interrupted, .interrupted]
        )
        #expect(evaluation.headline.compliance.rate == nil)
        #expect(evaluation.injects.first { $0.id == "webshell" }?.fireCount == 0)
    }
}

@Suite("Evaluation: scores, panel, aggregates, hosts and determinism")
struct EvaluationScoringTests {
    @Test("an expert panel: each score, the median as agreed value, the spread, and disagreements flagged")
    func panelDisagreement() throws {
        var script = EvaluationJournal()
        script.deliver("phish", to: "yn-a", at: 600)
        script.respond("phish", "yn-a", .acknowledge, at: 660)
        script.respond("phish", "yn-a", .report, at: 700)
        script.respond("phish", "yn-a", .resolve, at: 800)
        script.observe("phish", "yn-a", by: "e3", at: 900, scores: ["detection": 0], rating: "U")
        script.observe(
            "phish",
            "yn-a",
            by: "e1",
            at: 1000,
            scores: ["detection": 5, "reporting": 4],
            rating: "P",
            notes: "研判迅速"
        )
        script.observe("phish", "yn-a", by: "e2", at: 1000, scores: ["detection": 1, "reporting": 4], rating: "S")
        script.observe(
            "phish",
            "yn-a",
            by: "e3",
            at: 1100,
            scores: ["detection": 3, "reporting": 3],
            rating: "M",
            notes: "报告要素不全"
        )
        script.endex(at: 10800)
        let evaluation = RunEvaluator.evaluate(events: script.events, scenario: EvaluationFixtures.scenario())
        let result = try #require(evaluation.results.first)
        let panel = try #require(result.panel)
        #expect(panel.evaluators == ["e1", "e2", "e3"])
        let detection = try #require(panel.criteria.first { $0.criterion == "detection" })
        #expect(detection.scores.map(\.score) == [5, 1, 3])
        #expect(detection.agreed == 3)
        #expect(detection.spread == 4)
        #expect(detection.disagreement)
        let reporting = try #require(panel.criteria.first { $0.criterion == "reporting" })
        #expect(reporting.agreed == 4 && reporting.spread == 1 && !reporting.disagreement)
        #expect(panel.ratings.map(\.rating) == [.P, .S, .M])
        #expect(panel.agreedRating == .S)
        #expect(panel.ratingSpread == 2 && panel.ratingDisagreement)
        #expect(panel.flagged)
        let rubric = try #require(panel.rubricScore)
        #expect(abs(rubric - (3 * 1 + 4 * 0.5) / 1.5) < 1e-9)
        #expect(abs(result.score.rubric - rubric / 5 * 60) < 1e-9)
        #expect(result.score.rubricMax == 60)
        #expect(evaluation.headline.panelDisagreements == 1)
        #expect(evaluation.findings.contains { $0.kind == .strength && $0.text == "研判迅速" })
        #expect(evaluation.findings.contains { $0.kind == .improvement && $0.text == "报告要素不全" })
    }

    @Test("an evaluator's listed strengths and areas for improvement become findings as written")
    func listedFindings() throws {
        var script = EvaluationJournal()
        script.deliver("phish", to: "yn-a", at: 600)
        script.observe(
            "phish",
            "yn-a",
            by: "e1",
            at: 900,
            strengths: ["协同顺畅"],
            improvements: ["未留存证据", "<script>x</script>"]
        )
        script.endex(at: 10800)
        let evaluation = RunEvaluator.evaluate(events: script.events, scenario: EvaluationFixtures.scenario())
        let fromEvaluator = evaluation.findings.filter { $0.source == .evaluator(id: "e1") }
        #expect(fromEvaluator.map(\.kind) == [.strength, .improvement, .improvement])
        #expect(fromEvaluator.map(\.text) == ["协同顺畅", "未留存证据", "<script>x</script>"])
        #expect(fromEvaluator.allSatisfy { $0.inject == "phish" && $0.team == "yn-a" })
    }

    @Test("per-province medians and p90, and per-objective results")
    func aggregates() throws {
        var script = EvaluationJournal()
        for (team, ack) in [("yn-a", Int64(660)), ("yn-b", 1000), ("gz-a", 700)] {
            script.deliver("phish", to: team, at: 600)
            script.respond("phish", team, .acknowledge, at: ack)
        }
        script.endex(at: 10800)
        let evaluation = RunEvaluator.evaluate(events: script.events, scenario: EvaluationFixtures.scenario())
        let yunnan = try #require(evaluation.provinces.first { $0.province == "yunnan" })
        let ack = try #require(yunnan.phaseTimes.first { $0.phase == .acknowledge })
        #expect(ack.count == 2)
        #expect(ack.medianMillis == 230_000)
        #expect(ack.p90Millis == 400_000)
        #expect(yunnan.compliance.met == 1 && yunnan.compliance.late == 1)
        let detect = try #require(evaluation.objectives.first { $0.objective == "detect" })
        #expect(detect.injects == ["phish", "webshell"])
        #expect(detect.deliveries == 3)
        #expect(detect.teams.map(\.team) == ["yn-a", "yn-b", "gz-a"])
        let contain = try #require(evaluation.objectives.first { $0.objective == "contain" })
        #expect(contain.deliveries == 0)
    }

    @Test("hosts: failed actions, not landed, cleanup failures are listed and seed the improvement plan")
    func hostOutcomes() throws {
        var script = EvaluationJournal()
        script.action("webshell", "yn-a", "yn-a-1", at: 1200)
        script.action("webshell", "yn-a", "yn-a-2", at: 1200, exit: 2)
        script.check("webshell", "yn-a", "yn-a-1", at: 1205, passed: true, landed: true)
        script.deliver("webshell", to: "yn-a", at: 1200)
        script.endex(at: 10800)
        script.cleanup("webshell", "yn-a-1", at: 10800, succeeded: true)
        script.cleanup("webshell", "yn-a-2", at: 10800, succeeded: false)
        let evaluation = RunEvaluator.evaluate(events: script.events, scenario: EvaluationFixtures.scenario())
        #expect(evaluation.hosts.map(\.host) == ["yn-a-1", "yn-a-2"])
        #expect(evaluation.hosts[0].notCleaned == [])
        #expect(evaluation.hosts[1].notCleaned == ["webshell"])
        #expect(evaluation.hosts[1].injects[0].cleanup == .failed)
        #expect(evaluation.hosts[1].injects[0].actions[0].exitStatus == 2)
        #expect(evaluation.headline.notCleaned == 1)
        #expect(evaluation.headline.failedActions == 1)
        #expect(evaluation.improvementPlan.map(\.id).contains("cleanup"))
        #expect(evaluation.improvementPlan.map(\.id).contains("landing"))
        let line = try #require(evaluation.results.first?.hosts.first { $0.host == "yn-a-2" })
        #expect(line.actionsFailed == 1 && line.cleanup == .failed)
        #expect(evaluation.evidence.count == 1)
        #expect(evaluation.evidence[0].intact)
    }

    @Test("evidence whose digest does not match its record is shown as altered")
    func tamperedEvidence() throws {
        var script = EvaluationJournal()
        script.check("webshell", "yn-a", "yn-a-1", at: 1300, passed: true)
        var tampered = script.events[script.events.count - 1]
        guard case .object(var payload) = tampered.payload, case .object(var evidence) = payload["evidence"]! else {
            Issue.record("no evidence")
            return
        }
        evidence["outputExcerpt"] = "edited later"
        payload["evidence"] = .object(evidence)
        tampered.payload = .object(payload)
        script.events[script.events.count - 1] = tampered
        let evaluation = RunEvaluator.evaluate(events: script.events, scenario: EvaluationFixtures.scenario())
        #expect(evaluation.evidence.count == 1)
        #expect(evaluation.evidence[0].digest != nil)
        #expect(!evaluation.evidence[0].intact)
    }

    @Test("the same journal always gives the same evaluation, in whatever order its events arrive")
    func deterministic() throws {
        var script = EvaluationJournal()
        script.fire("phish", at: 600, teams: ["yn-a", "yn-b", "gz-a"])
        for team in ["gz-a", "yn-b", "yn-a"] {
            script.deliver("phish", to: team, at: 600)
            script.respond("phish", team, .acknowledge, at: 700)
            script.observe("phish", team, by: "e2", at: 800, scores: ["detection": 3])
            script.observe("phish", team, by: "e1", at: 800, scores: ["detection": 4])
        }
        script.endex(at: 10800)
        let scenario = EvaluationFixtures.scenario()
        let first = RunEvaluator.evaluate(events: script.events, scenario: scenario)
        let second = RunEvaluator.evaluate(events: script.events.reversed(), scenario: scenario)
        #expect(first == second)
        #expect(first.results.map(\.team) == ["yn-a", "yn-b", "gz-a"])
        #expect(first.results[0].panel?.evaluators == ["e1", "e2"])
    }

    @Test("ties share a rank; teams nothing was scored for come last")
    func ranking() throws {
        var script = EvaluationJournal()
        for team in ["yn-a", "yn-b"] {
            script.deliver("phish", to: team, at: 600, acknowledge: 300, report: nil, resolve: nil)
            script.respond("phish", team, .acknowledge, at: 700)
        }
        script.endex(at: 10800)
        let evaluation = RunEvaluator.evaluate(events: script.events, scenario: EvaluationFixtures.scenario())
        #expect(evaluation.teams.map(\.rank) == [1, 1, 3])
        #expect(evaluation.ranking == ["yn-a", "yn-b", "gz-a"])
        #expect(evaluation.headline.topTeams == ["yn-a", "yn-b"])
    }
}

@Suite("Evaluation: the improvement-plan side file")
struct EvaluationImprovementPlanTests {
    @Test("a file row with a seeded id completes it; drop removes one; new rows are added in file order")
    func merge() throws {
        let file = try ImprovementPlanFile.load(
            text: """
                items:
                  - id: team:yn-b
                    recommendation: 完善值班制度
                    owner: 云南乙安全部
                    due: 2026-07-31
                  - id: cleanup
                    drop: true
                  - issue: 跨省通报渠道不畅
                    owner: 省通信管理局
                """,
            file: "improvement-plan.yaml"
        )
        let seeded = [
            ImprovementItem(id: "team:yn-b", owner: "云南乙", team: "yn-b", origin: .seeded),
            ImprovementItem(id: "cleanup", origin: .seeded),
            ImprovementItem(id: "landing", origin: .seeded),
        ]
        let plan = file.merged(with: seeded)
        #expect(plan.map(\.id) == ["team:yn-b", "landing", "item-3"])
        #expect(plan[0].owner == "云南乙安全部" && plan[0].due == "2026-07-31" && plan[0].origin == .merged)
        #expect(plan[2].issue == "跨省通报渠道不畅" && plan[2].origin == .file)
        #expect(ImprovementPlanFile(keepSeeded: false).merged(with: seeded).isEmpty)
    }

    @Test("a bad side file names every problem with its line and column")
    func errors() throws {
        do {
            _ = try ImprovementPlanFile.load(
                text: """
                    keep_seeded: maybe
                    items:
                      - owner: 某单位
                      - issue: x
                        deadline: tomorrow
                    """,
                file: "plan.yaml"
            )
            Issue.record("expected an error")
        } catch {
            let text = error.description
            #expect(text.contains("plan.yaml:1:14: error: expected true or false for 'keep_seeded'"))
            #expect(text.contains("plan.yaml:3:5: error: an improvement-plan row needs an 'issue'"))
            #expect(text.contains("plan.yaml:5:5"))
            #expect(text.contains("deadline"))
        }
    }
}
