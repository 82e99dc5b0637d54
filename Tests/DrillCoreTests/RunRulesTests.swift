import DrillCore
import Testing

/// One test per decided rule (docs/engine.md "The rules"), on hand-built journals and the evaluation that the
/// report, `ctl status` and the portal all compute with.
@Suite("The rules of a drill, one test each")
struct RunRulesTests {
    func evaluate(_ script: EvaluationJournal) -> RunEvaluation {
        RunEvaluator.evaluate(events: script.events, scenario: EvaluationFixtures.scenario())
    }

    func row(_ evaluation: RunEvaluation, _ inject: String, _ team: String) throws -> TeamInjectResult {
        try #require(evaluation.results.first { $0.inject == inject && $0.team == team })
    }

    /// `webshell` to yn-a with two hosts, both landed.
    func webshell(_ script: inout EvaluationJournal, hosts: [String] = ["yn-a-1", "yn-a-2"], exit: [Int32] = [0, 0]) {
        script.fire("webshell", at: 1200, teams: ["yn-a"], hosts: hosts)
        for (host, status) in zip(hosts, exit) { script.action("webshell", "yn-a", host, at: 1200, exit: status) }
        script.deliver("webshell", to: "yn-a", at: 1200, acknowledge: 600, report: 1800, resolve: 3600, severity: "II")
    }

    @Test("resolve with a check: every landed host must pass; the resolve time is the last host's first pass")
    func resolveNeedsEveryLandedHost() throws {
        var script = EvaluationJournal()
        webshell(&script)
        script.check("webshell", "yn-a", "yn-a-1", at: 1500, passed: true)
        script.check("webshell", "yn-a", "yn-a-2", at: 1700, passed: false)
        let partial = evaluate(script)
        #expect(try row(partial, "webshell", "yn-a").phase(.resolve).status == .pending)
        script.check("webshell", "yn-a", "yn-a-2", at: 2100, passed: true)
        script.check("webshell", "yn-a", "yn-a-1", at: 2200, passed: false)  // a regression does not undo the pass
        script.endex(at: 10800)
        let result = try row(evaluate(script), "webshell", "yn-a")
        #expect(result.phase(.resolve).status == .met)
        #expect(result.phase(.resolve).completed?.exerciseMillis == 2_100_000)
        #expect(result.resolution.method == .check)
        #expect(result.resolution.hostsConfirmed == 2 && result.resolution.hostsChecked == 2)
    }

    @Test("a claim the check does not confirm is 'claimed, not confirmed': never met, missed once the deadline passes")
    func claimWithoutFix() throws {
        var script = EvaluationJournal()
        webshell(&script)
        script.respond("webshell", "yn-a", .resolve, at: 1300)
        script.check("webshell", "yn-a", "yn-a-1", at: 1400, passed: false)
        let running = try row(evaluate(script), "webshell", "yn-a")
        #expect(running.resolution.method == .claimUnconfirmed)
        #expect(running.phase(.resolve).status == .pending)
        script.endex(at: 10800)
        let result = try row(evaluate(script), "webshell", "yn-a")
        #expect(result.phase(.resolve).status == .missed)
        #expect(result.phase(.resolve).points == 0)
        #expect(result.resolution.method == .claimUnconfirmed)
    }

    @Test("a real fix after the deadline is late, with late credit")
    func lateFix() throws {
        var script = EvaluationJournal()
        webshell(&script)
        script.check("webshell", "yn-a", "yn-a-1", at: 6000, passed: true)
        script.check("webshell", "yn-a", "yn-a-2", at: 6300, passed: true)
        script.endex(at: 10800)
        let result = try row(evaluate(script), "webshell", "yn-a")
        let resolve = result.phase(.resolve)
        #expect(resolve.status == .late)
        #expect(resolve.lateByMillis == Int64(6_300_000 - 4_800_000))
        // Resolve is worth 30 points × 1.5 (grade II); late keeps half.
        #expect(resolve.maxPoints == 45)
        #expect(resolve.points == 22.5)
    }

    @Test("hosts where the inject did not land are left out of the verdict and listed")
    func notLandedHostsExcluded() throws {
        var script = EvaluationJournal()
        webshell(&script, exit: [0, 1])
        script.check("webshell", "yn-a", "yn-a-1", at: 1500, passed: true)
        script.endex(at: 10800)
        let result = try row(evaluate(script), "webshell", "yn-a")
        #expect(result.phase(.resolve).status == .met)
        #expect(result.resolution.hostsNotLanded == ["yn-a-2"])
        #expect(result.hosts.first { $0.host == "yn-a-2" }?.didLand == false)
    }

    @Test(
        "an inject that landed on none of a team's hosts makes resolve not applicable, flagged as a drill-control failure"
    )
    func landedNowhere() throws {
        var script = EvaluationJournal()
        webshell(&script, exit: [1, 1])
        script.respond("webshell", "yn-a", .acknowledge, at: 1300)
        script.endex(at: 10800)
        let evaluation = evaluate(script)
        let result = try row(evaluation, "webshell", "yn-a")
        #expect(result.phase(.resolve).status == .notApplicable)
        #expect(result.phase(.resolve).points == 0 && result.phase(.resolve).maxPoints == 0)
        #expect(result.phase(.acknowledge).status == .met)
        #expect(evaluation.headline.resolveNotApplicable == 1)
        #expect(
            evaluation.findings.contains {
                $0.source
                    == .journal(fact: .resolveNotApplicable(pairs: [InjectTeam(inject: "webshell", team: "yn-a")]))
            }
        )
        #expect(evaluation.improvementPlan.contains { $0.id == "drill-control" })
    }

    @Test("without resolved_when, resolve is the team's claim")
    func claimResolves() throws {
        var script = EvaluationJournal()
        script.deliver("phish", to: "yn-a", at: 600)
        script.respond("phish", "yn-a", .resolve, at: 2000)
        script.endex(at: 10800)
        let result = try row(evaluate(script), "phish", "yn-a")
        #expect(result.resolution.method == .claim)
        #expect(result.phase(.resolve).status == .met)
    }

    @Test("a message-only inject expects only an acknowledgement: report and resolve have no deadline and no points")
    func messageOnlyExpectsAcknowledge() throws {
        var script = EvaluationJournal()
        script.deliver("notice", to: "yn-a", at: 60)
        script.respond("notice", "yn-a", .acknowledge, at: 120)
        script.endex(at: 10800)
        let result = try row(evaluate(script), "notice", "yn-a")
        #expect(result.phases.map(\.status) == [.met, .notExpected, .notExpected])
        #expect(result.phase(.report).deadlineMillis == nil)
        #expect(result.score.timingMax == 5)  // acknowledge: 10 points × 0.5 (grade IV)
    }

    @Test("'expects' lists the phases: an escalation expecting acknowledge and report has no resolve")
    func explicitExpects() throws {
        var script = EvaluationJournal()
        script.deliver("escalation", to: "yn-b", at: 1800, acknowledge: 300, report: 900, resolve: nil)
        script.endex(at: 10800)
        let result = try row(evaluate(script), "escalation", "yn-b")
        #expect(result.phases.map(\.status) == [.missed, .missed, .notExpected])
    }

    @Test(
        "a later response implies the earlier phases at its moment; a check that confirms a silent fix does not count as a report"
    )
    func laterImpliesEarlier() throws {
        var script = EvaluationJournal()
        script.deliver("phish", to: "yn-a", at: 600)
        script.respond("phish", "yn-a", .resolve, at: 1000)  // a claim, nothing before
        webshell(&script)
        script.check("webshell", "yn-a", "yn-a-1", at: 1300, passed: true)
        script.check("webshell", "yn-a", "yn-a-2", at: 1300, passed: true)
        script.endex(at: 10800)
        let evaluation = evaluate(script)
        let phish = try row(evaluation, "phish", "yn-a")
        #expect(phish.phases.map(\.status) == [.late, .met, .met])
        #expect(phish.phase(.acknowledge).completed?.exerciseMillis == 1_000_000)
        let webshell = try row(evaluation, "webshell", "yn-a")
        #expect(webshell.phases.map(\.status) == [.missed, .missed, .met])
    }

    @Test("extensions: for one team, or for every team the inject reaches")
    func extensionsPerTeam() throws {
        var script = EvaluationJournal()
        script.deliver("phish", to: "yn-a", at: 600)
        script.deliver("phish", to: "yn-b", at: 600)
        script.control(.extend, at: 700, inject: "phish", team: "yn-b", phase: .acknowledge, by: .seconds(600))
        script.respond("phish", "yn-a", .acknowledge, at: 1300)
        script.respond("phish", "yn-b", .acknowledge, at: 1300)
        script.endex(at: 10800)
        let evaluation = evaluate(script)
        #expect(try row(evaluation, "phish", "yn-a").phase(.acknowledge).status == .late)
        #expect(try row(evaluation, "phish", "yn-b").phase(.acknowledge).status == .met)
    }

    @Test(
        "the escalation window follows an extended deadline when it has no 'within'; an explicit 'within' does not move"
    )
    func escalationWindow() throws {
        var script = EvaluationJournal()
        script.deliver("phish", to: "yn-a", at: 600, acknowledge: 300)
        script.control(.extend, at: 700, inject: "phish", team: "yn-a", phase: .acknowledge, by: .seconds(600))
        let ledger = RunLedger(events: script.events)
        let facts = try #require(RunRules.facts(RunLedger.PairKey(inject: "phish", team: "yn-a"), in: ledger))
        #expect(RunRules.escalationWindowEnd(facts, phase: .acknowledge, within: nil) == 1_500_000)
        #expect(RunRules.escalationWindowEnd(facts, phase: .acknowledge, within: .seconds(300)) == 900_000)
    }

    @Test(
        "an even panel that splits is unreconciled until the director or a lead evaluator records the rating, and never counts as the worse one"
    )
    func splitPanel() throws {
        var script = EvaluationJournal()
        script.deliver("phish", to: "yn-a", at: 600)
        script.observe("phish", "yn-a", by: "li", at: 900, rating: "P")
        script.observe("phish", "yn-a", by: "wang", at: 900, rating: "U")
        script.endex(at: 10800)
        let split = evaluate(script)
        let panel = try #require(try row(split, "phish", "yn-a").panel)
        #expect(panel.ratingState == .unreconciled)
        #expect(panel.agreedRating == nil)
        #expect(panel.splitRatings == [.P, .U])
        #expect(
            split.teams.first { $0.team == "yn-a" }?.agreedRating == nil,
            "a split panel is left out of the team's rating"
        )
        #expect(split.headline.unreconciledPanels == 1)

        script.add(
            .ratingReconciled,
            at: 10900,
            inject: "phish",
            team: "yn-a",
            actor: JournalEvent.Actor(.director),
            payload: RatingReconciledPayload(rating: "S", reason: "会商后一致认定").journalValue
        )
        let reconciled = try #require(try row(evaluate(script), "phish", "yn-a").panel)
        #expect(reconciled.ratingState == .reconciled)
        #expect(reconciled.agreedRating == .S)
        #expect(reconciled.reconciliation?.by == "director")
        #expect(reconciled.reconciliation?.reason == "会商后一致认定")
        #expect(reconciled.ratings.map(\.rating) == [.P, .U], "the individual ratings stay")
    }

    @Test("an odd panel, or an even one whose middle ratings agree, has a single median")
    func panelMedian() throws {
        var script = EvaluationJournal()
        script.deliver("phish", to: "yn-a", at: 600)
        for (evaluator, rating) in [("a", "P"), ("b", "U"), ("c", "S")] {
            script.observe("phish", "yn-a", by: evaluator, at: 900, rating: rating)
        }
        script.deliver("phish", to: "yn-b", at: 600)
        for (evaluator, rating) in [("a", "S"), ("b", "S"), ("c", "P"), ("d", "M")] {
            script.observe("phish", "yn-b", by: evaluator, at: 900, rating: rating)
        }
        let evaluation = evaluate(script)
        #expect(try row(evaluation, "phish", "yn-a").panel?.agreedRating == .S)
        #expect(try row(evaluation, "phish", "yn-b").panel?.agreedRating == .S)
        #expect(try row(evaluation, "phish", "yn-b").panel?.ratingState == .agreed)
    }
}
