import Foundation

/// Computes a run's after-action evaluation from its ledger and its scenario: pure, no I/O, no clock.
///
/// Every verdict comes from ``RunRules`` (docs/report.md has the rules in full), the same functions the engine,
/// the portal and `ctl status` call. In short:
/// - a phase is done at the team's first response in it; a later phase implies the earlier ones; `resolve` with a
///   `resolved_when` check is done when the check has passed on every host of the team where the inject landed
///   (a claim without that is *claimed, unconfirmed*, not met); without a check, the team's claim resolves it;
/// - deadlines are counted from delivery in exercise time (pauses excluded), with every extension granted;
/// - met / late / missed; *pending* while the run goes on; *interrupted* when it ended first; *notExpected* for a
///   phase the inject does not ask; *notApplicable* for resolve when the inject landed nowhere on the team's
///   hosts. Only met, late and missed count toward compliance;
/// - points: a met phase earns its points × the severity weight, a late one `late_credit` of that, a missed one
///   0; the panel's rubric score (0–5, weighted) adds up to `rubric_weight` × the delivery's full timing points.
public enum RunEvaluator {
    /// Evaluates `events` (one run's journal, in order) against `scenario`.
    ///
    /// - Parameters:
    ///   - events: the journal, in sequence order.
    ///   - scenario: the scenario the run was created from (the copy in the run folder).
    ///   - improvementPlan: the run's side file, merged into the plan; nil when there is none.
    ///   - keepEventLog: false to leave ``RunEvaluation/eventLog`` empty (saves memory when not rendering it).
    public static func evaluate(
        events: [JournalEvent],
        scenario: Scenario,
        improvementPlan: ImprovementPlanFile? = nil,
        keepEventLog: Bool = true
    ) -> RunEvaluation {
        let ledger = RunLedger(
            events: ordered(events),
            scenario: scenario,
            options: RunLedger.Options(keepsLog: keepEventLog, keepsEvidence: true)
        )
        return evaluate(ledger: ledger, scenario: scenario, improvementPlan: improvementPlan)
    }

    /// Evaluates a folded ledger (see ``evaluate(events:scenario:improvementPlan:keepEventLog:)``). Keep the
    /// ledger's log and evidence (``RunLedger/Options/report``) to fill the report's appendices.
    public static func evaluate(
        ledger: RunLedger,
        scenario: Scenario,
        improvementPlan: ImprovementPlanFile? = nil
    ) -> RunEvaluation {
        var builder = Builder(scenario: scenario, ledger: ledger)
        return builder.build(improvementPlan: improvementPlan)
    }

    private static func ordered(_ events: [JournalEvent]) -> [JournalEvent] {
        var sorted = true
        var previous: Int64 = .min
        for event in events {
            guard let sequence = event.sequence else { continue }
            if sequence < previous {
                sorted = false
                break
            }
            previous = sequence
        }
        if sorted { return events }
        return events.enumerated().sorted {
            ($0.element.sequence ?? Int64($0.offset), $0.offset) < ($1.element.sequence ?? Int64($1.offset), $1.offset)
        }.map(\.element)
    }
}

private struct Builder {
    let scenario: Scenario
    let ledger: RunLedger
    let scoring: Scoring
    let threshold: Double
    let injectIndex: [String: Int]
    let teamIndex: [String: Int]
    let finished: Bool
    let covered: Int64

    init(scenario: Scenario, ledger: RunLedger) {
        self.scenario = scenario
        self.ledger = ledger
        scoring = scenario.scoring ?? Scoring()
        threshold = scenario.evaluation?.disagreementThreshold ?? 2
        var injectIndex: [String: Int] = [:]
        for (index, inject) in scenario.injects.enumerated() where injectIndex[inject.id] == nil {
            injectIndex[inject.id] = index
        }
        var teamIndex: [String: Int] = [:]
        for (index, team) in scenario.teams.enumerated() where teamIndex[team.id] == nil {
            teamIndex[team.id] = index
        }
        self.injectIndex = injectIndex
        self.teamIndex = teamIndex
        finished = ledger.status.isFinished
        covered = ledger.coveredExerciseMillis
    }

    /// Scenario order, then unknown ids sorted.
    func injectOrder(_ lhs: String, _ rhs: String) -> Bool {
        (injectIndex[lhs] ?? Int.max, lhs) < (injectIndex[rhs] ?? Int.max, rhs)
    }

    func teamOrder(_ lhs: String, _ rhs: String) -> Bool {
        (teamIndex[lhs] ?? Int.max, lhs) < (teamIndex[rhs] ?? Int.max, rhs)
    }

    func province(of team: String) -> String { scenario.team(team)?.province ?? "" }

    mutating func build(improvementPlan: ImprovementPlanFile?) -> RunEvaluation {
        let results = buildResults()
        let teams = buildTeams(results)
        let ranking = teams.sorted {
            ($0.rank, teamIndex[$0.team] ?? .max, $0.team) < ($1.rank, teamIndex[$1.team] ?? .max, $1.team)
        }
        .map(\.team)
        let hosts = buildHosts()
        let injects = buildInjects(results)
        let provinces = buildProvinces(results)
        let objectives = buildObjectives(results)
        let (findings, seeded) = buildFindings(results: results, teams: teams, hosts: hosts)
        let plan = improvementPlan?.merged(with: seeded) ?? seeded
        let overview = buildOverview()
        let headline = buildHeadline(results: results, teams: teams, injects: injects, hosts: hosts)
        return RunEvaluation(
            overview: overview,
            headline: headline,
            injects: injects,
            results: results,
            teams: teams,
            ranking: ranking,
            provinces: provinces,
            objectives: objectives,
            hosts: hosts,
            evidence: ledger.evidence,
            findings: findings,
            improvementPlan: plan,
            eventLog: ledger.log
        )
    }

    // MARK: - Overview

    func buildOverview() -> RunOverview {
        let provinces = scenario.provinces.map { province in
            ProvinceInfo(
                id: province.id,
                name: province.name,
                teams: scenario.teams.filter { $0.province == province.id }.map(\.id)
            )
        }
        var pausedWall: Int64 = 0
        for pause in ledger.pauses {
            let end = pause.to?.wallMillis ?? ledger.lastWallMillis
            pausedWall = pausedWall.addingSaturating(max(0, end.subtractingSaturating(pause.from.wallMillis)))
        }
        let rubric = (scenario.evaluation?.rubric ?? []).map {
            RubricInfo(id: $0.id, title: $0.title, description: $0.description, weight: $0.weight)
        }
        return RunOverview(
            runID: ledger.runID ?? "",
            scenarioID: scenario.id,
            title: scenario.title,
            timeZone: ledger.timeZone ?? scenario.timeZone,
            status: ledger.status,
            provisional: !finished,
            aborted: ledger.status == .aborted,
            abortReason: ledger.abortReason,
            abortedAt: ledger.aborted,
            createdWallMillis: ledger.created?.wallMillis,
            plannedStartexWallMillis: scenario.startex.map { Int64(($0.timeIntervalSince1970 * 1000).rounded()) },
            startex: ledger.startex,
            endex: ledger.endex,
            endexReason: ledger.endexReason,
            plannedDurationMillis: ledger.plannedDurationMillis ?? scenario.duration.journalMillis,
            coveredExerciseMillis: covered,
            generatedAtWallMillis: ledger.lastWallMillis,
            speed: ledger.startex == nil && ledger.created == nil ? nil : ledger.clock.speed,
            pauses: ledger.pauses,
            pausedWallMillis: pausedWall,
            extensions: ledger.extensions,
            provinces: provinces,
            teams: scenario.teams.map { TeamInfo(id: $0.id, name: $0.name, province: $0.province) },
            objectives: scenario.objectives.map {
                ObjectiveInfo(id: $0.id, title: $0.title, description: $0.description)
            },
            eventCount: ledger.eventCount,
            unknownEventCount: ledger.unknownEventCount,
            unreadableEvents: ledger.unreadable.map(\.sequence),
            uncertainCount: ledger.uncertainIntents.count,
            scoring: ScoringInfo(
                points: ResponsePhase.allCases.map { PhaseValue(phase: $0, value: scoring.points[$0] ?? 0) },
                lateCredit: scoring.lateCredit,
                severityWeights: SeverityGrade.allCases.map {
                    GradeValue(grade: $0, value: scoring.severityWeights[$0] ?? 1)
                },
                rubricWeight: scoring.rubricWeight
            ),
            rubric: rubric,
            disagreementThreshold: threshold
        )
    }

    // MARK: - Inject × team

    func buildResults() -> [TeamInjectResult] {
        // Escalations: which conditional inject follows which parent.
        var escalationParent: [String: String] = [:]
        for inject in scenario.injects {
            if case .after(let after) = inject.trigger, after.condition != nil {
                escalationParent[inject.id] = after.inject
            }
        }
        let keys = ledger.pairs.compactMap { $0.value.delivery == nil ? nil : $0.key }.sorted {
            $0.inject == $1.inject ? teamOrder($0.team, $1.team) : injectOrder($0.inject, $1.inject)
        }
        var escalatedTo: [RunLedger.PairKey: [String]] = [:]
        for key in keys {
            if let parent = escalationParent[key.inject] {
                escalatedTo[RunLedger.PairKey(inject: parent, team: key.team), default: []].append(key.inject)
            }
        }
        var results: [TeamInjectResult] = []
        results.reserveCapacity(keys.count)
        for key in keys {
            guard let facts = RunRules.facts(key, in: ledger), let pair = ledger.pairs[key] else { continue }
            var result = evaluatePair(facts: facts, pair: pair)
            result.escalationOf = escalationParent[key.inject]
            result.escalatedTo = (escalatedTo[key] ?? []).sorted(by: injectOrder)
            results.append(result)
        }
        return results
    }

    func evaluatePair(facts: RunRules.PairFacts, pair: RunLedger.Pair) -> TeamInjectResult {
        let key = facts.key
        let inject = scenario.inject(key.inject)
        let delivery = pair.delivery!
        let delivered = delivery.at
        let severity = delivery.severity.flatMap(SeverityGrade.init(rawValue:)) ?? inject?.severity
        let weight = severity.flatMap { scoring.severityWeights[$0] } ?? 1

        let rules = RunRules.resolution(facts)
        let resolution = Resolution(
            method: rules.method,
            claim: rules.claim,
            confirmed: rules.confirmed,
            checkRequired: facts.resolveByCheck,
            hostsConfirmed: rules.hostsConfirmed,
            hostsChecked: rules.hostsLanded,
            hostsNotLanded: facts.notLandedHosts,
            notApplicable: rules.notApplicable
        )

        var phases: [PhaseResult] = []
        var score = Score()
        var fullTiming: Double = 0
        for phase in ResponsePhase.allCases {
            let outcome = RunRules.phaseStatus(phase, facts, now: covered, finished: finished)
            let extensionMillis = facts.expects.contains(phase) ? facts.extensions[phase] ?? 0 : 0
            let allowed = outcome.deadlineMillis.map { $0.subtractingSaturating(delivered.exerciseMillis) }
            let expected = outcome.status != .notExpected && outcome.status != .notApplicable
            let full = expected ? (scoring.points[phase] ?? 0) * weight : 0
            let maxPoints: Double
            let points: Double
            switch outcome.status {
            case .met, .done:
                maxPoints = full
                points = full
            case .late:
                maxPoints = full
                points = full * scoring.lateCredit
            case .missed, .notDone:
                maxPoints = full
                points = 0
            case .pending, .interrupted, .notExpected, .notApplicable:
                maxPoints = 0
                points = 0
            }
            fullTiming += full
            score.timing += points
            score.timingMax += maxPoints
            let completed = outcome.done
            let verdict: PhaseStatus? =
                pair.verdicts[phase]?.status ?? pair.legacyVerdicts[phase].map { $0 ? .met : .missed }
            phases.append(
                PhaseResult(
                    phase: phase,
                    status: outcome.status,
                    deadlineMillis: outcome.deadlineMillis,
                    allowedMillis: allowed,
                    extensionMillis: extensionMillis,
                    completed: completed,
                    elapsedMillis: completed.map { $0.exerciseMillis.subtractingSaturating(delivered.exerciseMillis) },
                    elapsedWallMillis: completed.map { $0.wallMillis.subtractingSaturating(delivered.wallMillis) },
                    lateByMillis: outcome.lateByMillis,
                    responses: pair.responseCount(phase),
                    engineVerdict: verdict,
                    points: points,
                    maxPoints: maxPoints
                )
            )
        }

        let panel = buildPanel(pair)
        if let rubricScore = panel?.rubricScore {
            score.rubricMax = fullTiming * scoring.rubricWeight
            score.rubric = rubricScore / 5 * score.rubricMax
        }

        let reports = pair.responses.compactMap { response -> ReportText? in
            guard let text = response.text, !text.isEmpty else { return nil }
            return ReportText(at: response.at, text: text, actor: response.actor?.description)
        }
        .sorted { $0.at.exerciseMillis < $1.at.exerciseMillis }

        let landed = Set(facts.landedHosts)
        let hostLines = facts.hosts.map { host in
            let info = ledger.hostInjects[RunLedger.HostKey(host: host, inject: key.inject)]
            let actions = info?.results.values.map { $0 } ?? []
            return HostLine(
                host: host,
                actionsSucceeded: actions.filter(\.succeeded).count,
                actionsFailed: actions.filter { !$0.succeeded }.count,
                landed: info?.landedCheck,
                didLand: landed.contains(host),
                resolvedAt: info?.checks.firstPass,
                cleanup: cleanupStatus(info)
            )
        }

        return TeamInjectResult(
            inject: key.inject,
            team: key.team,
            province: province(of: key.team),
            severity: severity,
            severityWeight: weight,
            delivered: delivered,
            phases: phases,
            resolution: resolution,
            escalationOf: nil,
            escalatedTo: [],
            reports: reports,
            hosts: hostLines,
            panel: panel,
            score: score
        )
    }

    func cleanupStatus(_ info: RunLedger.HostInject?) -> CleanupStatus {
        guard let info, info.touched else { return .notNeeded }
        let cleanup = info.cleanup
        if cleanup.succeeded { return .cleaned }
        if cleanup.failed { return .failed }
        if cleanup.uncertain || (cleanup.attempts > 0 && finished) { return .uncertain }
        return .notRun
    }

    // MARK: - Panel

    func buildPanel(_ pair: RunLedger.Pair) -> Panel? {
        let observations = pair.observations
        guard !observations.isEmpty else { return nil }
        let evaluators = observations.keys.sorted()
        let rubric = scenario.evaluation?.rubric ?? []
        var criterionIDs = rubric.map(\.id)
        var extra: Set<String> = []
        for observation in observations.values {
            for criterion in observation.scores.keys where !criterionIDs.contains(criterion) { extra.insert(criterion) }
        }
        criterionIDs += extra.sorted()
        var criteria: [CriterionPanel] = []
        for id in criterionIDs {
            let scores = evaluators.compactMap { evaluator in
                observations[evaluator]!.scores[id].map { EvaluatorScore(evaluator: evaluator, score: $0) }
            }
            guard !scores.isEmpty else { continue }
            let sorted = scores.map(\.score).sorted()
            let spread = sorted.last! - sorted.first!
            let criterion = rubric.first { $0.id == id }
            criteria.append(
                CriterionPanel(
                    criterion: id,
                    title: criterion?.title ?? id,
                    weight: criterion?.weight ?? 1,
                    scores: scores,
                    agreed: Statistics.median(sorted)!,
                    spread: spread,
                    disagreement: spread > threshold
                )
            )
        }
        let ratings = evaluators.compactMap { evaluator in
            observations[evaluator]!.rating.flatMap(HSEEPRating.init(text:)).map {
                EvaluatorRating(evaluator: evaluator, rating: $0)
            }
        }
        let ranks = ratings.map(\.rating.rank)
        let ratingSpread = (ranks.max() ?? 0) - (ranks.min() ?? 0)
        var rubricScore: Double?
        if !criteria.isEmpty {
            let totalWeight = criteria.reduce(0) { $0 + $1.weight }
            rubricScore =
                totalWeight > 0
                ? criteria.reduce(0) { $0 + $1.agreed * $1.weight } / totalWeight
                : criteria.reduce(0) { $0 + $1.agreed } / Double(criteria.count)
        }
        let notes = evaluators.compactMap { evaluator -> EvaluatorNote? in
            let observation = observations[evaluator]!
            guard let text = observation.notes, !text.isEmpty else { return nil }
            return EvaluatorNote(evaluator: evaluator, at: observation.at, text: text)
        }
        let panelRating = PanelRating.decide(
            ratings.map(\.rating),
            reconciled: pair.reconciliation.flatMap { record in
                HSEEPRating(text: record.rating).map {
                    PanelReconciliation(rating: $0, reason: record.reason, by: record.actor?.description, at: record.at)
                }
            }
        )
        return Panel(
            evaluators: evaluators,
            criteria: criteria,
            ratings: ratings,
            agreedRating: panelRating.rating,
            ratingState: panelRating.state,
            splitRatings: panelRating.split,
            reconciliation: panelRating.reconciliation,
            ratingSpread: ratingSpread,
            ratingDisagreement: ratingSpread >= 2,
            rubricScore: rubricScore,
            notes: notes,
            flagged: ratingSpread >= 2 || criteria.contains(where: \.disagreement) || panelRating.state == .unreconciled
        )
    }

    // MARK: - Teams, provinces, objectives

    func buildTeams(_ results: [TeamInjectResult]) -> [TeamResult] {
        var byTeam: [String: [TeamInjectResult]] = [:]
        for result in results { byTeam[result.team, default: []].append(result) }
        var ids = scenario.teams.map(\.id)
        ids += byTeam.keys.filter { teamIndex[$0] == nil }.sorted()
        var teams = ids.map { id in
            let rows = byTeam[id] ?? []
            let agreed = rows.compactMap { $0.panel?.agreedRating }
            return TeamResult(
                team: id,
                name: scenario.team(id)?.name ?? id,
                province: province(of: id),
                rank: 0,
                deliveries: rows.count,
                compliance: Statistics.compliance(rows),
                phaseTimes: Statistics.allPhaseTimes(rows),
                score: rows.reduce(Score()) { $0 + $1.score },
                escalations: rows.filter { $0.escalationOf != nil }.count,
                unconfirmedClaims: rows.filter { $0.resolution.method == .claimUnconfirmed }.count,
                agreedRating: Statistics.medianRating(agreed),
                rubricAverage: Statistics.mean(rows.compactMap { $0.panel?.rubricScore })
            )
        }
        // Competition ranking ("1, 2, 2, 4") by score percentage, then total points; unscored teams last.
        func key(_ team: TeamResult) -> (Double, Double) { (team.score.percent ?? -1, team.score.total) }
        let order = teams.indices.sorted { key(teams[$0]) > key(teams[$1]) }
        for (position, index) in order.enumerated() {
            if position > 0, key(teams[order[position - 1]]) == key(teams[index]) {
                teams[index].rank = teams[order[position - 1]].rank
            } else {
                teams[index].rank = position + 1
            }
        }
        return teams
    }

    func buildProvinces(_ results: [TeamInjectResult]) -> [ProvinceResult] {
        var byProvince: [String: [TeamInjectResult]] = [:]
        for result in results { byProvince[result.province, default: []].append(result) }
        var ids = scenario.provinces.map(\.id)
        ids += byProvince.keys.filter { id in !ids.contains(id) }.sorted()
        return ids.map { id in
            let rows = byProvince[id] ?? []
            return ProvinceResult(
                province: id,
                name: scenario.province(id)?.name ?? id,
                teams: scenario.teams.filter { $0.province == id }.map(\.id),
                deliveries: rows.count,
                compliance: Statistics.compliance(rows),
                phaseTimes: Statistics.allPhaseTimes(rows),
                score: rows.reduce(Score()) { $0 + $1.score }
            )
        }
    }

    func buildObjectives(_ results: [TeamInjectResult]) -> [ObjectiveResult] {
        scenario.objectives.map { objective in
            let injects = scenario.injects.filter { $0.objectives.contains(objective.id) }.map(\.id)
            let set = Set(injects)
            let rows = results.filter { set.contains($0.inject) }
            let ratings = rows.compactMap { $0.panel?.agreedRating }
            var teams: [ObjectiveTeam] = []
            for team in scenario.teams {
                let teamRows = rows.filter { $0.team == team.id }
                guard !teamRows.isEmpty else { continue }
                teams.append(
                    ObjectiveTeam(
                        team: team.id,
                        deliveries: teamRows.count,
                        compliance: Statistics.compliance(teamRows),
                        score: teamRows.reduce(Score()) { $0 + $1.score }
                    )
                )
            }
            return ObjectiveResult(
                objective: objective.id,
                title: objective.title,
                description: objective.description,
                injects: injects,
                deliveries: rows.count,
                compliance: Statistics.compliance(rows),
                phaseTimes: Statistics.allPhaseTimes(rows),
                score: rows.reduce(Score()) { $0 + $1.score },
                rubricAverage: Statistics.mean(rows.compactMap { $0.panel?.rubricScore }),
                agreedRating: Statistics.medianRating(ratings),
                ratingCounts: HSEEPRating.allCases.map { rating in
                    RatingCount(rating: rating, count: ratings.filter { $0 == rating }.count)
                },
                teams: teams
            )
        }
    }

    // MARK: - Injects and hosts

    func buildInjects(_ results: [TeamInjectResult]) -> [InjectOutcome] {
        var teamsByInject: [String: [String]] = [:]
        for result in results { teamsByInject[result.inject, default: []].append(result.team) }
        var ids = scenario.injects.map(\.id)
        ids += ledger.injects.keys.filter { injectIndex[$0] == nil }.sorted()
        var hostStats: [String: (hosts: Int, failed: Int, landed: Int, checked: Int)] = [:]
        for (key, info) in ledger.hostInjects {
            var stats = hostStats[key.inject] ?? (0, 0, 0, 0)
            if !info.results.isEmpty || !info.started.isEmpty { stats.hosts += 1 }
            stats.failed += info.results.values.filter { !$0.succeeded }.count
            if let landed = info.landedCheck {
                stats.checked += 1
                if landed { stats.landed += 1 }
            }
            hostStats[key.inject] = stats
        }
        return ids.map { id in
            let inject = scenario.inject(id)
            let info = ledger.injects[id]
            var scheduled: Int64?
            var after: String?
            var isEscalation = false
            switch inject?.trigger {
            case .at(let time): scheduled = time.journalMillis
            case .after(let trigger):
                after = trigger.inject
                isEscalation = trigger.condition != nil
            case nil: break
            }
            let teams = teamsByInject[id] ?? []
            let stats = hostStats[id] ?? (0, 0, 0, 0)
            return InjectOutcome(
                id: id,
                title: inject?.title ?? id,
                severity: inject?.severity,
                scheduledMillis: scheduled,
                after: after,
                isEscalation: isEscalation,
                objectives: inject?.objectives ?? [],
                fired: info?.fired,
                fireCount: info?.fireCount ?? 0,
                fireReasons: (info?.reasons ?? []).sorted(),
                teams: teams,
                undeliveredTeams: (info?.teams ?? []).subtracting(teams).sorted(by: teamOrder),
                hosts: stats.hosts,
                failedActions: stats.failed,
                landed: stats.landed,
                landedChecked: stats.checked
            )
        }
    }

    func buildHosts() -> [HostOutcome] {
        var byHost: [String: [HostInjectOutcome]] = [:]
        for (key, info) in ledger.hostInjects {
            byHost[key.host, default: []].append(
                HostInjectOutcome(
                    inject: key.inject,
                    actions: info.results.values.sorted { $0.step < $1.step }.map {
                        ActionOutcome(
                            step: $0.step,
                            succeeded: $0.succeeded,
                            exitStatus: $0.exitStatus,
                            timedOut: $0.timedOut,
                            error: $0.error,
                            runMillis: $0.runMillis,
                            at: $0.at,
                            uncertain: $0.uncertain
                        )
                    },
                    landed: info.landedCheck,
                    resolvedAt: info.checks.firstPass,
                    cleanup: cleanupStatus(info),
                    cleanupDetail: info.cleanup.detail
                )
            )
        }
        return byHost.keys.sorted().map { host in
            let injects = byHost[host]!.sorted { injectOrder($0.inject, $1.inject) }
            return HostOutcome(
                host: host,
                team: ledger.hostTeams[host],
                injects: injects,
                notCleaned: injects.filter { [.failed, .uncertain, .notRun].contains($0.cleanup) }.map(\.inject)
            )
        }
    }

    // MARK: - Headline, findings, plan

    func buildHeadline(
        results: [TeamInjectResult],
        teams: [TeamResult],
        injects: [InjectOutcome],
        hosts: [HostOutcome]
    ) -> Headline {
        let best = teams.filter { $0.rank == 1 && $0.score.percent != nil }.map(\.team)
        var notLanded = 0
        for host in hosts {
            for inject in host.injects where inject.landed == false { notLanded += 1 }
        }
        return Headline(
            provinces: scenario.provinces.count,
            teams: scenario.teams.count,
            injectsPlanned: scenario.injects.count,
            injectsFired: injects.filter { $0.fireCount > 0 }.count,
            deliveries: results.count,
            compliance: Statistics.compliance(results),
            phaseTimes: Statistics.allPhaseTimes(results),
            unconfirmedClaims: results.filter { $0.resolution.method == .claimUnconfirmed }.count,
            escalations: results.filter { $0.escalationOf != nil }.count,
            failedActions: injects.reduce(0) { $0 + $1.failedActions },
            notLanded: notLanded,
            resolveNotApplicable: results.filter { $0.resolution.notApplicable }.count,
            unreconciledPanels: results.filter { $0.panel?.ratingState == .unreconciled }.count,
            notCleaned: hosts.reduce(0) { $0 + $1.notCleaned.count },
            panelDisagreements: results.filter { $0.panel?.flagged == true }.count,
            topTeams: best,
            meanScorePercent: Statistics.mean(teams.compactMap(\.score.percent))
        )
    }

    func buildFindings(
        results: [TeamInjectResult],
        teams: [TeamResult],
        hosts: [HostOutcome]
    ) -> ([Finding], [ImprovementItem]) {
        var findings: [Finding] = []
        var plan: [ImprovementItem] = []
        // Evaluator observations, in inject × team order, evaluators sorted.
        for result in results {
            guard let pair = ledger.pairs[RunLedger.PairKey(inject: result.inject, team: result.team)] else { continue }
            for evaluator in pair.observations.keys.sorted() {
                let observation = pair.observations[evaluator]!
                func add(_ kind: Finding.Kind, _ text: String) {
                    findings.append(
                        Finding(
                            kind: kind,
                            source: .evaluator(id: evaluator),
                            inject: result.inject,
                            team: result.team,
                            text: text
                        )
                    )
                }
                for text in observation.strengths { add(.strength, text) }
                for text in observation.improvements { add(.improvement, text) }
                if let notes = observation.notes, !notes.isEmpty {
                    let kind: Finding.Kind
                    if let rating = observation.rating.flatMap(HSEEPRating.init(text:)) {
                        kind = rating <= .S ? .strength : .improvement
                    } else if let mean = Statistics.mean(Array(observation.scores.values)) {
                        kind = mean >= 3 ? .strength : .improvement
                    } else {
                        kind = .note
                    }
                    add(kind, notes)
                }
            }
        }
        // Facts from the journal, per team in scenario order.
        var byTeam: [String: [TeamInjectResult]] = [:]
        for result in results { byTeam[result.team, default: []].append(result) }
        for team in teams {
            let rows = byTeam[team.team] ?? []
            var missed: [InjectPhase] = []
            var late: [InjectPhase] = []
            for row in rows {
                for phase in row.phases {
                    if phase.status == .missed { missed.append(InjectPhase(inject: row.inject, phase: phase.phase)) }
                    if phase.status == .late { late.append(InjectPhase(inject: row.inject, phase: phase.phase)) }
                }
            }
            let decided = team.compliance.met + team.compliance.late + team.compliance.missed
            if decided > 0, missed.isEmpty, late.isEmpty {
                findings.append(
                    Finding(
                        kind: .strength,
                        source: .journal(fact: .allDeadlinesMet(team: team.team, count: decided)),
                        team: team.team
                    )
                )
            }
            let name = scenario.team(team.team)?.name ?? team.team
            if !missed.isEmpty || !late.isEmpty {
                let fact = Fact.deadlinesMissed(team: team.team, missed: missed, late: late)
                findings.append(Finding(kind: .improvement, source: .journal(fact: fact), team: team.team))
                plan.append(
                    ImprovementItem(id: "team:\(team.team)", owner: name, team: team.team, fact: fact, origin: .seeded)
                )
            }
            let unconfirmed = rows.filter { $0.resolution.method == .claimUnconfirmed }.map(\.inject)
            if !unconfirmed.isEmpty {
                let fact = Fact.unconfirmedClaims(team: team.team, injects: unconfirmed)
                findings.append(Finding(kind: .improvement, source: .journal(fact: fact), team: team.team))
                plan.append(
                    ImprovementItem(
                        id: "claims:\(team.team)",
                        owner: name,
                        team: team.team,
                        fact: fact,
                        origin: .seeded
                    )
                )
            }
            let escalated = rows.filter { $0.escalationOf != nil }.map(\.inject)
            if !escalated.isEmpty {
                findings.append(
                    Finding(
                        kind: .improvement,
                        source: .journal(fact: .escalated(team: team.team, injects: escalated)),
                        team: team.team
                    )
                )
            }
        }
        var notCleaned: [HostInject] = []
        var notLanded: [HostInject] = []
        for host in hosts {
            for inject in host.notCleaned { notCleaned.append(HostInject(host: host.host, inject: inject)) }
            for inject in host.injects where inject.landed == false || inject.actions.contains(where: { !$0.succeeded })
            {
                notLanded.append(HostInject(host: host.host, inject: inject.inject))
            }
        }
        if !notCleaned.isEmpty {
            let fact = Fact.hostsNotCleaned(pairs: notCleaned)
            findings.append(Finding(kind: .improvement, source: .journal(fact: fact)))
            plan.append(ImprovementItem(id: "cleanup", fact: fact, origin: .seeded))
        }
        if !notLanded.isEmpty {
            let fact = Fact.injectsNotLanded(pairs: notLanded)
            findings.append(Finding(kind: .improvement, source: .journal(fact: fact)))
            plan.append(ImprovementItem(id: "landing", fact: fact, origin: .seeded))
        }
        let notApplicable = results.filter(\.resolution.notApplicable).map {
            InjectTeam(inject: $0.inject, team: $0.team)
        }
        if !notApplicable.isEmpty {
            let fact = Fact.resolveNotApplicable(pairs: notApplicable)
            findings.append(Finding(kind: .improvement, source: .journal(fact: fact)))
            plan.append(ImprovementItem(id: "drill-control", fact: fact, origin: .seeded))
        }
        return (findings, plan)
    }
}
