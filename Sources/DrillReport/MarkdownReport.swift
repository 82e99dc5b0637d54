import DrillCore

/// The report in Markdown (GitHub-flavoured tables), for pasting into documents. Scenario and team text is
/// escaped so it can neither break a table nor become markup or HTML.
struct MarkdownReport {
    let evaluation: RunEvaluation
    let language: ReportLanguage
    let format: ReportFormatting
    let words: ReportVocabulary

    init(evaluation: RunEvaluation, language: ReportLanguage) {
        self.evaluation = evaluation
        self.language = language
        self.format = ReportFormatting(language: language, timeZone: evaluation.overview.timeZone)
        self.words = ReportVocabulary(language: language, evaluation: evaluation)
    }

    func t(_ zh: String, _ en: String) -> String { language.t(zh, en) }

    /// Escapes Markdown and HTML specials and folds line breaks.
    static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for character in text {
            switch character {
            case "\\", "`", "*", "_", "[", "]", "|", "#": out += "\\" + String(character)
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "&": out += "&amp;"
            case "\n", "\r", "\r\n": out += " "
            default: out.append(character)
            }
        }
        return out
    }

    func table(_ headers: [String], _ rows: [[String]], into out: inout String) {
        out += "| " + headers.map(Self.escape).joined(separator: " | ") + " |\n"
        out += "|" + String(repeating: " --- |", count: headers.count) + "\n"
        for row in rows { out += "| " + row.map(Self.escape).joined(separator: " | ") + " |\n" }
        out += "\n"
    }

    func render() -> String {
        let o = evaluation.overview
        let h = evaluation.headline
        var out = "# " + Self.escape(o.title) + "\n\n"
        out += "_" + t("网络安全应急演练 · 评估报告", "Cybersecurity emergency drill · After-action report") + "_\n\n"
        if o.aborted {
            out += "> **" + t("本次演练已被中止", "This drill was ABORTED")
            if let at = o.abortedAt { out += " (" + format.exercise(at.exerciseMillis) + ")" }
            if let reason = o.abortReason { out += t("：", ": ") + Self.escape(reason) }
            out += "**\n\n"
        }
        if o.provisional {
            out +=
                "> **" + t("临时报告：演练仍在进行，所有数据都可能变化。", "PROVISIONAL: the drill is still going; every figure may change.")
                + "**\n\n"
        }
        out += "## " + t("演练概况", "Exercise overview") + "\n\n"
        var facts: [(String, String)] = [
            (t("场景", "Scenario"), o.scenarioID), (t("运行", "Run"), o.runID), (t("时区", "Time zone"), format.zoneName),
            (t("开始 (STARTEX)", "STARTEX"), format.wall(o.startex?.wallMillis)),
            (t("结束 (ENDEX)", "ENDEX"), o.endex.map { format.wall($0.wallMillis) } ?? "–"),
            (t("计划时长", "Planned duration"), format.duration(o.plannedDurationMillis)),
            (t("状态", "Status"), words.runStatus(o.status)),
            (t("暂停", "Pauses"), "\(o.pauses.count)"), (t("时限延长", "Deadline extensions"), "\(o.extensions.count)"),
        ]
        facts.append((t("省份", "Provinces"), o.provinces.map(\.name).joined(separator: ", ")))
        facts.append((t("队伍", "Teams"), o.teams.map(\.name).joined(separator: ", ")))
        for (term, value) in facts { out += "- **" + Self.escape(term) + "**: " + Self.escape(value) + "\n" }
        out += "\n"
        if !o.objectives.isEmpty {
            table(
                [t("目标", "Objective"), t("说明", "Description")],
                o.objectives.map { [$0.title, $0.description ?? ""] },
                into: &out
            )
        }

        out += "## " + t("执行摘要", "Executive summary") + "\n\n"
        var headline: [(String, String)] = [
            (t("已触发 / 计划注入", "Injects fired / planned"), "\(h.injectsFired) / \(h.injectsPlanned)"),
            (t("送达", "Deliveries"), "\(h.deliveries)"),
            (
                t("时限达成率", "Deadline compliance"),
                format.percent(h.compliance.rate)
                    + " (\(h.compliance.met) / \(h.compliance.late) / \(h.compliance.missed))"
            ),
        ]
        for times in h.phaseTimes {
            headline.append(
                (
                    words.phase(times.phase) + t(" 用时中位数 / p90", " median / p90"),
                    format.duration(times.medianMillis) + " / " + format.duration(times.p90Millis)
                )
            )
        }
        headline += [
            (t("升级督办", "Escalations"), "\(h.escalations)"),
            (t("报告处置但未经确认", "Claims not confirmed"), "\(h.unconfirmedClaims)"),
            (t("未恢复的主机 × 注入", "Host × inject not put back"), "\(h.notCleaned)"),
            (t("专家评分分歧", "Panel disagreements"), "\(h.panelDisagreements)"),
        ]
        table([t("指标", "Figure"), t("数值", "Value")], headline.map { [$0.0, $0.1] }, into: &out)

        out += "### " + t("队伍排名", "Team ranking") + "\n\n"
        let byID = Dictionary(evaluation.teams.map { ($0.team, $0) }, uniquingKeysWith: { a, _ in a })
        table(
            [t("名次", "Rank"), t("队伍", "Team"), t("时限达成率", "Compliance"), t("总分", "Total"), t("得分率", "Score"), "HSEEP"],
            evaluation.ranking.compactMap { byID[$0] }.map {
                [
                    "\($0.rank)", $0.name, format.percent($0.compliance.rate),
                    format.points($0.score.total) + " / " + format.points($0.score.max),
                    format.percent($0.score.percent), $0.agreedRating?.rawValue ?? "–",
                ]
            },
            into: &out
        )
        out += "### " + t("各省汇总", "Provinces") + "\n\n"
        table(
            [t("省份", "Province"), t("送达", "Deliveries"), t("时限达成率", "Compliance")]
                + ResponsePhase.allCases.map { words.phase($0) + t(" 中位数 / p90", " median / p90") },
            evaluation.provinces.map { province in
                [province.name, "\(province.deliveries)", format.percent(province.compliance.rate)]
                    + province.phaseTimes.map {
                        format.duration($0.medianMillis) + " / " + format.duration($0.p90Millis)
                    }
            },
            into: &out
        )

        out += "## " + t("逐项结果", "Results by inject") + "\n\n"
        table(
            [t("注入", "Inject"), t("队伍", "Team"), t("送达", "Delivered")] + ResponsePhase.allCases.map(words.phase)
                + [t("处置确认方式", "Resolution"), t("得分", "Points")],
            evaluation.results.map { row in
                [
                    words.injectTitle(row.inject), words.teamName(row.team),
                    format.exercise(row.delivered.exerciseMillis),
                ]
                    + row.phases.map { phase in
                        var text = words.status(phase.status)
                        if let elapsed = phase.elapsedMillis { text = format.duration(elapsed) + " " + text }
                        if let late = phase.lateByMillis { text += " +" + format.duration(late) }
                        return text
                    }
                    + [
                        words.resolution(of: row),
                        format.points(row.score.total) + " / " + format.points(row.score.max),
                    ]
            },
            into: &out
        )

        if !evaluation.objectives.isEmpty {
            out += "## " + t("演练目标分析", "Analysis by objective") + "\n\n"
            table(
                [
                    t("目标", "Objective"), t("送达", "Deliveries"), t("时限达成率", "Compliance"), t("得分率", "Score"),
                    t("专家评分均值", "Rubric"), "HSEEP",
                ],
                evaluation.objectives.map {
                    [
                        $0.title, "\($0.deliveries)", format.percent($0.compliance.rate),
                        format.percent($0.score.percent),
                        $0.rubricAverage.map { format.fixed($0, 2) } ?? "–", $0.agreedRating?.rawValue ?? "–",
                    ]
                },
                into: &out
            )
        }

        let flagged = evaluation.results.filter { $0.panel?.flagged == true }
        if !flagged.isEmpty {
            out += "## " + t("专家评分分歧", "Panel disagreements") + "\n\n"
            var rows: [[String]] = []
            for row in flagged {
                for criterion in row.panel!.criteria where criterion.disagreement {
                    rows.append([
                        words.injectTitle(row.inject), words.teamName(row.team), criterion.title,
                        criterion.scores.map { "\($0.evaluator) \(format.fixed($0.score, 1))" }.joined(separator: ", "),
                        format.fixed(criterion.agreed, 1), format.fixed(criterion.spread, 1),
                    ])
                }
                if row.panel!.ratingDisagreement {
                    rows.append([
                        words.injectTitle(row.inject), words.teamName(row.team), "HSEEP",
                        row.panel!.ratings.map { "\($0.evaluator) \($0.rating.rawValue)" }.joined(separator: ", "),
                        words.panelRating(row.panel!), "\(row.panel!.ratingSpread)",
                    ])
                }
            }
            table(
                [
                    t("注入", "Inject"), t("队伍", "Team"), t("评分项", "Criterion"), t("各评估员评分", "Scores"), t("共识", "Agreed"),
                    t("极差", "Spread"),
                ],
                rows,
                into: &out
            )
        }

        out += "## " + t("优势与待改进", "Strengths and areas for improvement") + "\n\n"
        for kind in [Finding.Kind.strength, .improvement, .note] {
            let items = evaluation.findings.filter { $0.kind == kind }
            guard !items.isEmpty else { continue }
            out += "### " + words.findingKind(kind) + "\n\n"
            for finding in items {
                var context: [String] = []
                if case .evaluator = finding.source {
                    if let inject = finding.inject { context.append(words.injectTitle(inject)) }
                    if let team = finding.team { context.append(words.teamName(team)) }
                }
                out += "- "
                if !context.isEmpty { out += "**" + Self.escape(context.joined(separator: " · ")) + "**: " }
                out +=
                    Self.escape(words.findingText(finding)) + " _(" + Self.escape(words.source(finding.source)) + ")_\n"
            }
            out += "\n"
        }

        out += "## " + t("改进计划", "Improvement plan") + "\n\n"
        table(
            [t("编号", "Id"), t("问题", "Issue"), t("改进建议", "Recommendation"), t("责任方", "Owner"), t("完成时限", "Due")],
            evaluation.improvementPlan.map {
                [$0.id, words.issue($0), words.planRecommendation($0), $0.owner ?? "", $0.due ?? ""]
            },
            into: &out
        )

        let notCleaned = evaluation.hosts.filter { !$0.notCleaned.isEmpty }
        if !notCleaned.isEmpty {
            out += "## " + t("未恢复的主机", "Hosts not put back") + "\n\n"
            table(
                [t("主机", "Host"), t("注入", "Injects")],
                notCleaned.map { [$0.host, $0.notCleaned.joined(separator: ", ")] },
                into: &out
            )
        }

        out +=
            "---\n\n_" + t("由 drillctl 根据演练日志生成，生成时间：", "Generated by drillctl from the run's journal at ")
            + format.wall(o.generatedAtWallMillis) + " (" + format.zoneName + ")_\n"
        return out
    }
}
