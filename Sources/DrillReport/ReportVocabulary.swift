import DrillCore

/// The words a report uses for the evaluation's values, in the report's language.
struct ReportVocabulary {
    let language: ReportLanguage
    let evaluation: RunEvaluation
    private let teamNames: [String: String]
    private let injectTitles: [String: String]

    init(language: ReportLanguage, evaluation: RunEvaluation) {
        self.language = language
        self.evaluation = evaluation
        var teamNames: [String: String] = [:]
        for team in evaluation.overview.teams { teamNames[team.id] = team.name }
        var injectTitles: [String: String] = [:]
        for inject in evaluation.injects { injectTitles[inject.id] = inject.title }
        self.teamNames = teamNames
        self.injectTitles = injectTitles
    }

    func t(_ zh: String, _ en: String) -> String { language.t(zh, en) }

    func teamName(_ id: String) -> String { teamNames[id] ?? id }
    func injectTitle(_ id: String) -> String { injectTitles[id] ?? id }

    func phase(_ phase: ResponsePhase) -> String {
        switch phase {
        case .acknowledge: t("确认", "Acknowledge")
        case .report: t("报告", "Report")
        case .resolve: t("处置", "Resolve")
        }
    }

    func status(_ status: PhaseStatus) -> String {
        switch status {
        case .met: t("按时", "met")
        case .late: t("超时", "late")
        case .missed: t("未完成", "missed")
        case .pending: t("进行中", "pending")
        case .interrupted: t("演练结束未到期", "cut off")
        case .done: t("已完成", "done")
        case .notDone: t("未完成（无时限）", "not done")
        case .notExpected: "—"
        case .notApplicable: t("不适用（未落地）", "not applicable (did not land)")
        }
    }

    /// One character per status, for dense tables and the heat map.
    func symbol(_ status: PhaseStatus) -> String {
        switch status {
        case .met, .done: "✓"
        case .late: "!"
        case .missed, .notDone: "✗"
        case .pending: "…"
        case .interrupted: "–"
        case .notExpected: "—"
        case .notApplicable: "∅"
        }
    }

    func resolution(_ method: ResolutionMethod) -> String {
        switch method {
        case .both: t("主机检查确认 + 队伍报告", "host check + team claim")
        case .check: t("主机检查确认", "host check")
        case .claim: t("队伍报告（无检查）", "team claim (no check)")
        case .claimUnconfirmed: t("队伍报告，主机检查未确认", "claimed, NOT confirmed by check")
        case .none: t("未处置", "not resolved")
        }
    }

    /// The resolution column of a delivery: "—" when resolve is not expected, the drill-control failure when it is
    /// not applicable, else how it was established.
    func resolution(of row: TeamInjectResult) -> String {
        switch row.phase(.resolve).status {
        case .notExpected: return "—"
        case .notApplicable:
            return t(
                "不适用：事件未在该队伍任何主机上落地（演练控制问题）",
                "not applicable: it landed on none of the team's hosts (drill control)"
            )
        default: return resolution(row.resolution.method)
        }
    }

    func cleanup(_ status: CleanupStatus) -> String {
        switch status {
        case .cleaned: t("已恢复", "cleaned")
        case .failed: t("恢复失败", "FAILED")
        case .uncertain: t("结果未知", "uncertain")
        case .notRun: t("未执行", "not run")
        case .notNeeded: t("未触及", "untouched")
        }
    }

    func runStatus(_ status: RunStatus) -> String {
        switch status {
        case .created: t("已创建", "created")
        case .running: t("进行中", "running")
        case .paused: t("已暂停", "paused")
        case .aborted: t("已中止", "aborted")
        case .ended: t("已结束", "ended")
        }
    }

    /// A panel's rating as the report shows it: the agreed or reconciled rating, or "unreconciled (S/M)".
    func panelRating(_ panel: Panel) -> String {
        switch panel.ratingState {
        case .none: return "–"
        case .agreed: return panel.agreedRating?.rawValue ?? "–"
        case .reconciled: return (panel.agreedRating?.rawValue ?? "–") + t("（已协调）", " (reconciled)")
        case .unreconciled:
            return t("未协调", "unreconciled") + " (" + panel.splitRatings.map(\.rawValue).joined(separator: "/") + ")"
        }
    }

    func rating(_ rating: HSEEPRating) -> String {
        switch rating {
        case .P: t("P 顺利完成", "P – performed without challenges")
        case .S: t("S 完成但有一些挑战", "S – performed with some challenges")
        case .M: t("M 完成但有重大挑战", "M – performed with major challenges")
        case .U: t("U 未能完成", "U – unable to be performed")
        }
    }

    func findingKind(_ kind: Finding.Kind) -> String {
        switch kind {
        case .strength: t("优势", "Strength")
        case .improvement: t("待改进", "Area for improvement")
        case .note: t("备注", "Note")
        }
    }

    func origin(_ origin: ImprovementItem.Origin) -> String {
        switch origin {
        case .seeded: t("由日志生成", "from the journal")
        case .file: t("改进计划文件", "plan file")
        case .merged: t("日志 + 计划文件", "journal + plan file")
        }
    }

    func injectPhases(_ items: [InjectPhase]) -> String {
        items.map { injectTitle($0.inject) + t("（", " (") + phase($0.phase) + t("）", ")") }
            .joined(separator: t("、", "; "))
    }

    func hostInjects(_ pairs: [HostInject], limit: Int = 12) -> String {
        var parts = pairs.prefix(limit).map { "\($0.host) / \(injectTitle($0.inject))" }
        if pairs.count > limit { parts.append(t("等共 \(pairs.count) 项", "and \(pairs.count - limit) more")) }
        return parts.joined(separator: t("；", "; "))
    }

    /// A journal fact worded as an issue.
    func fact(_ fact: Fact) -> String {
        switch fact {
        case .allDeadlinesMet(let team, let count):
            return t(
                "\(teamName(team)) 全部 \(count) 个响应环节均在时限内完成。",
                "\(teamName(team)) met all \(count) response deadlines."
            )
        case .deadlinesMissed(let team, let missed, let late):
            var parts: [String] = []
            if !missed.isEmpty {
                parts.append(t("未完成 \(missed.count) 项：", "missed \(missed.count): ") + injectPhases(missed))
            }
            if !late.isEmpty {
                parts.append(t("超时 \(late.count) 项：", "late \(late.count): ") + injectPhases(late))
            }
            return teamName(team) + t("：", ": ") + parts.joined(separator: t("；", "; ")) + t("。", ".")
        case .unconfirmedClaims(let team, let injects):
            return t(
                "\(teamName(team)) 报告已处置但主机检查未确认：",
                "\(teamName(team)) claimed resolution that no host check confirmed: "
            ) + injects.map(injectTitle).joined(separator: t("、", ", ")) + t("。", ".")
        case .escalated(let team, let injects):
            return t("\(teamName(team)) 因未及时响应收到升级督办：", "\(teamName(team)) received escalations: ")
                + injects.map(injectTitle).joined(separator: t("、", ", ")) + t("。", ".")
        case .hostsNotCleaned(let pairs):
            return t("\(pairs.count) 个主机 × 注入未恢复：", "\(pairs.count) host × inject pairs were not put back: ")
                + hostInjects(pairs)
        case .injectsNotLanded(let pairs):
            return t(
                "\(pairs.count) 个主机 × 注入的技术事件未生效（动作失败或落地检查未通过）：",
                "\(pairs.count) host × inject pairs did not land (action failed or landed check never passed): "
            ) + hostInjects(pairs)
        case .resolveNotApplicable(let pairs):
            return t(
                "演练控制问题：\(pairs.count) 个注入 × 队伍的技术事件未在该队伍任何主机上落地，处置环节不适用：",
                "Drill-control failure: \(pairs.count) inject × team pairs never landed on any of the team's hosts, so resolve was not applicable: "
            )
                + pairs.prefix(12).map { "\(injectTitle($0.inject)) → \(teamName($0.team))" }.joined(
                    separator: t("；", "; ")
                )
        }
    }

    /// A default recommendation for a seeded improvement-plan row.
    func recommendation(_ fact: Fact) -> String {
        switch fact {
        case .allDeadlinesMet: return ""
        case .deadlinesMissed:
            return t(
                "复盘值班与告警升级流程，明确各环节时限与责任人。",
                "Review the duty roster and alert escalation; name an owner and a time limit for each phase."
            )
        case .unconfirmedClaims:
            return t("处置完成后先自行核验再报告，保留处置证据。", "Verify the fix on the host before reporting it resolved; keep evidence.")
        case .escalated:
            return t("确保告警在规定时间内得到确认。", "Make sure alerts are acknowledged within the time limit.")
        case .hostsNotCleaned:
            return t("演练控制组人工核查并恢复上述主机。", "Exercise control to check and restore these hosts by hand.")
        case .injectsNotLanded:
            return t("演练控制组检查注入脚本与主机连通性。", "Exercise control to check the inject actions and host reachability.")
        case .resolveNotApplicable:
            return t(
                "演练控制组在演练前运行 preflight，确认每台目标主机可达且注入可落地。",
                "Exercise control to run preflight before the drill, so that every target is reachable and every inject can land."
            )
        }
    }

    /// An improvement-plan row's issue text.
    func issue(_ item: ImprovementItem) -> String {
        item.issue ?? item.fact.map(fact) ?? ""
    }

    func planRecommendation(_ item: ImprovementItem) -> String {
        item.recommendation ?? (item.origin == .seeded ? item.fact.map(recommendation) : nil) ?? ""
    }

    /// Who a finding came from.
    func source(_ source: Finding.Source) -> String {
        switch source {
        case .evaluator(let name): t("评估员 ", "evaluator ") + name
        case .journal: t("演练日志", "journal")
        }
    }

    /// The finding's text.
    func findingText(_ finding: Finding) -> String {
        if let text = finding.text { return text }
        if case .journal(let journalFact) = finding.source { return fact(journalFact) }
        return ""
    }
}
