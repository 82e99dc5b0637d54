import DrillCore

/// Inline SVG charts: the timeline (one lane per team) and response-time bars. Text inside is escaped.
struct ReportCharts {
    let evaluation: RunEvaluation
    let format: ReportFormatting
    let words: ReportVocabulary

    static let phaseColors: [ResponsePhase: String] = [
        .acknowledge: "#4e79a7", .report: "#f28e2b", .resolve: "#59a14f",
    ]

    func statusColor(_ status: PhaseStatus) -> String {
        switch status {
        case .met, .done: "#2e8b57"
        case .late: "#e0a100"
        case .missed, .notDone: "#c62828"
        case .pending: "#8a96a3"
        case .interrupted, .notExpected, .notApplicable: "#c9d1d9"
        }
    }

    private func n(_ value: Double) -> String {
        let rounded = (value * 10).rounded() / 10
        return rounded == rounded.rounded() ? String(Int(rounded)) : String(rounded)
    }

    /// A lane per team; injects' deliveries and each phase marked; deadlines as ticks.
    func timeline() -> String {
        let teams = evaluation.teams
        let labelWidth = 150.0
        let width = 1100.0
        let plot = width - labelWidth - 20
        let laneHeight = teams.count > 40 ? 14.0 : 26.0
        let top = 34.0
        let height = top + Double(max(teams.count, 1)) * laneHeight + 24
        var span = max(evaluation.overview.plannedDurationMillis, evaluation.overview.coveredExerciseMillis)
        for result in evaluation.results {
            for phase in result.phases {
                span = max(span, phase.deadlineMillis ?? 0, phase.completed?.exerciseMillis ?? 0)
            }
        }
        span = max(span, 60_000)
        func x(_ millis: Int64) -> Double { labelWidth + plot * Double(millis) / Double(span) }

        var svg = HTMLWriter(capacity: 64 * 1024 + evaluation.results.count * 600)
        svg.open(
            "svg",
            [
                "class": "chart", "xmlns": "http://www.w3.org/2000/svg", "viewBox": "0 0 \(n(width)) \(n(height))",
                "role": "img", "aria-label": words.t("时间线", "Timeline"), "font-size": "11",
            ]
        )
        // Axis: a tick every 15 minutes (or every hour for long drills).
        let step: Int64 =
            span > 4 * 3_600_000 ? 3_600_000 : span > 3_600_000 ? 1_800_000 : span > 1_200_000 ? 300_000 : 60_000
        var tick: Int64 = 0
        while tick <= span {
            let px = n(x(tick))
            svg.raw(
                "<line x1=\"\(px)\" y1=\"\(n(top - 6))\" x2=\"\(px)\" y2=\"\(n(height - 20))\" stroke=\"#e4e8ec\"/>"
            )
            svg.raw("<text x=\"\(px)\" y=\"\(n(top - 10))\" text-anchor=\"middle\" fill=\"#5b6876\">")
            svg.text(format.clock(tick).dropLast(3).description)
            svg.raw("</text>")
            tick += step
        }
        // ENDEX / abort line.
        let endLine = x(evaluation.overview.coveredExerciseMillis)
        svg.raw(
            "<line x1=\"\(n(endLine))\" y1=\"\(n(top - 6))\" x2=\"\(n(endLine))\" y2=\"\(n(height - 20))\" stroke=\"#1d2733\" stroke-dasharray=\"4 3\"/>"
        )
        svg.raw("<text x=\"\(n(endLine - 4))\" y=\"\(n(height - 6))\" text-anchor=\"end\" fill=\"#1d2733\">")
        svg.text(
            evaluation.overview.aborted
                ? words.t("中止", "abort") : evaluation.overview.provisional ? words.t("当前", "now") : "ENDEX"
        )
        svg.raw("</text>")

        var lane: [String: Int] = [:]
        for (index, team) in teams.enumerated() {
            lane[team.team] = index
            let y = top + Double(index) * laneHeight
            if index % 2 == 1 {
                svg.raw(
                    "<rect x=\"0\" y=\"\(n(y))\" width=\"\(n(width))\" height=\"\(n(laneHeight))\" fill=\"#f6f8fa\"/>"
                )
            }
            svg.raw("<text x=\"4\" y=\"\(n(y + laneHeight * 0.68))\" fill=\"#1d2733\">")
            svg.text(String(team.name.prefix(14)))
            svg.raw("</text>")
        }
        let r = laneHeight > 20 ? 4.5 : 3.0
        for result in evaluation.results {
            guard let index = lane[result.team] else { continue }
            let cy = top + Double(index) * laneHeight + laneHeight / 2
            let start = x(result.delivered.exerciseMillis)
            let resolve = result.phase(.resolve)
            let end = x(
                resolve.completed?.exerciseMillis
                    ?? min(
                        resolve.deadlineMillis ?? result.delivered.exerciseMillis,
                        evaluation.overview.coveredExerciseMillis
                    )
            )
            svg.raw("<g><title>")
            svg.text(words.injectTitle(result.inject) + " · " + words.teamName(result.team))
            svg.raw("</title>")
            svg.raw(
                "<line x1=\"\(n(start))\" y1=\"\(n(cy))\" x2=\"\(n(max(end, start)))\" y2=\"\(n(cy))\" stroke=\"#9aa5b1\" stroke-width=\"1\"/>"
            )
            for phase in result.phases {
                if let deadline = phase.deadlineMillis {
                    let dx = n(x(deadline))
                    svg.raw(
                        "<line x1=\"\(dx)\" y1=\"\(n(cy - r - 2))\" x2=\"\(dx)\" y2=\"\(n(cy + r + 2))\" stroke=\"\(Self.phaseColors[phase.phase]!)\" stroke-width=\"1\" opacity=\"0.7\"/>"
                    )
                }
            }
            svg.raw(
                "<path d=\"M\(n(start)) \(n(cy - r))l\(n(r)) \(n(r))l-\(n(r)) \(n(r))l-\(n(r)) -\(n(r))z\" fill=\"#1d2733\"/>"
            )
            for phase in result.phases {
                guard let completed = phase.completed else { continue }
                let px = x(completed.exerciseMillis)
                let color = statusColor(phase.status)
                switch phase.phase {
                case .acknowledge:
                    svg.raw("<circle cx=\"\(n(px))\" cy=\"\(n(cy))\" r=\"\(n(r))\" fill=\"\(color)\"/>")
                case .report:
                    svg.raw(
                        "<rect x=\"\(n(px - r))\" y=\"\(n(cy - r))\" width=\"\(n(2 * r))\" height=\"\(n(2 * r))\" fill=\"\(color)\"/>"
                    )
                case .resolve:
                    svg.raw("<path d=\"M\(n(px)) \(n(cy - r))l\(n(r)) \(n(2 * r))h-\(n(2 * r))z\" fill=\"\(color)\"/>")
                }
            }
            // A phase missed: a red cross at its deadline.
            for phase in result.phases where phase.status == .missed {
                guard let deadline = phase.deadlineMillis else { continue }
                let px = x(deadline)
                svg.raw(
                    "<path d=\"M\(n(px - r)) \(n(cy - r))l\(n(2 * r)) \(n(2 * r))m0 -\(n(2 * r))l-\(n(2 * r)) \(n(2 * r))\" stroke=\"#c62828\" stroke-width=\"1.5\"/>"
                )
            }
            svg.raw("</g>")
        }
        svg.raw("</svg>")
        return svg.output
    }

    func legend() -> String {
        var html = HTMLWriter(capacity: 512)
        html.raw("<div class=\"legend\">")
        for phase in ResponsePhase.allCases {
            html.raw("<span><i style=\"background:\(Self.phaseColors[phase]!)\"></i>")
            html.text(words.phase(phase))
            html.raw("</span>")
        }
        html.raw("</div>")
        return html.output
    }

    /// Grouped horizontal bars: for each entry, one bar per phase (median; with `p90`, a thin p90 bar behind).
    func bars(_ entries: [(name: String, times: [PhaseTimes])], p90: Bool = false) -> String {
        let labelWidth = 150.0
        let width = 1100.0
        let plot = width - labelWidth - 80
        let bar = 7.0
        let group = bar * 3 + 8
        let top = 22.0
        let height = top + Double(max(entries.count, 1)) * group + 10
        var longest: Int64 = 60_000
        for entry in entries {
            for times in entry.times {
                longest = max(longest, p90 ? (times.p90Millis ?? 0) : (times.medianMillis ?? 0))
            }
        }
        let scale = plot / Double(longest)
        var svg = HTMLWriter(capacity: 1024 + entries.count * 900)
        svg.open(
            "svg",
            [
                "class": "chart", "xmlns": "http://www.w3.org/2000/svg", "viewBox": "0 0 \(n(width)) \(n(height))",
                "role": "img", "aria-label": words.t("响应用时", "Response times"), "font-size": "11",
            ]
        )
        // Grid: five steps.
        for i in 0...5 {
            let value = Int64(Double(longest) * Double(i) / 5)
            let px = labelWidth + Double(value) * scale
            svg.raw(
                "<line x1=\"\(n(px))\" y1=\"\(n(top - 4))\" x2=\"\(n(px))\" y2=\"\(n(height - 6))\" stroke=\"#e4e8ec\"/>"
            )
            svg.raw("<text x=\"\(n(px))\" y=\"\(n(top - 8))\" text-anchor=\"middle\" fill=\"#5b6876\">")
            svg.text(format.duration(value))
            svg.raw("</text>")
        }
        for (index, entry) in entries.enumerated() {
            let y = top + Double(index) * group
            svg.raw("<text x=\"4\" y=\"\(n(y + bar * 2))\" fill=\"#1d2733\">")
            svg.text(String(entry.name.prefix(14)))
            svg.raw("</text>")
            for (p, times) in entry.times.enumerated() {
                let by = y + Double(p) * bar
                let color = Self.phaseColors[times.phase]!
                if p90, let value = times.p90Millis {
                    svg.raw(
                        "<rect x=\"\(n(labelWidth))\" y=\"\(n(by + 1))\" width=\"\(n(Double(value) * scale))\" height=\"\(n(bar - 2))\" fill=\"\(color)\" opacity=\"0.3\"><title>"
                    )
                    svg.text(words.phase(times.phase) + " p90 " + format.duration(value))
                    svg.raw("</title></rect>")
                }
                guard let value = times.medianMillis else { continue }
                let w = Double(value) * scale
                svg.raw(
                    "<rect x=\"\(n(labelWidth))\" y=\"\(n(by + 1))\" width=\"\(n(w))\" height=\"\(n(bar - 2))\" fill=\"\(color)\"><title>"
                )
                svg.text(entry.name + " · " + words.phase(times.phase) + " " + format.duration(value))
                svg.raw("</title></rect>")
                svg.raw(
                    "<text x=\"\(n(labelWidth + w + 3))\" y=\"\(n(by + bar - 1))\" font-size=\"8\" fill=\"#5b6876\">"
                )
                svg.text(format.duration(value))
                svg.raw("</text>")
            }
        }
        svg.raw("</svg>")
        return svg.output
    }
}
