import Foundation

/// Renders a ``Plan`` for people (a timeline, one block per inject) and for machines (JSON with the same data).
public enum PlanRenderer {
    /// The timeline as text: a header, then each inject in exercise-time order with its wall time (when a
    /// STARTEX is known), trigger, severity, reach per province and deadlines.
    public static func text(_ plan: Plan) -> String {
        let scenario = plan.scenario
        let zone = plan.timeZone
        var lines: [String] = []
        lines.append("\(scenario.title) (\(scenario.id))")
        var header: [String] = []
        if let startex = plan.startex {
            header.append("STARTEX \(WallTime.format(startex, timeZone: zone)) \(scenario.timeZone)")
            if let endex = plan.wallTime(at: scenario.duration) {
                header.append(
                    "ENDEX \(DurationText.exerciseTime(scenario.duration)) (\(WallTime.format(endex, timeZone: zone)))"
                )
            }
        } else {
            header.append("no STARTEX planned (times are exercise times; give --start-at for wall times)")
            header.append("ENDEX \(DurationText.exerciseTime(scenario.duration))")
        }
        lines.append(header.joined(separator: " · "))
        let conditional = plan.injects.filter(\.isConditional).count
        lines.append(
            [
                plural(plan.injects.count, "inject") + (conditional > 0 ? " (\(conditional) conditional)" : ""),
                plural(scenario.teams.count, "team") + " in " + plural(scenario.provinces.count, "province"),
                plural(plan.scopeHosts.count, "host") + " in scope",
            ].joined(separator: " · ")
        )
        for planned in plan.injects {
            lines.append("")
            var title = DurationText.exerciseTime(planned.time)
            if let wall = plan.wallTime(at: planned.time) {
                title += " (\(WallTime.format(wall, timeZone: zone, withDate: false)))"
            }
            title += "  \(planned.id)"
            if planned.inject.title != planned.id { title += " — \(planned.inject.title)" }
            if planned.isConditional { title += "  [conditional]" }
            lines.append(title)
            lines.append(row("trigger", triggerText(planned.trigger)))
            lines.append(row("severity", planned.severity?.rawValue ?? "—"))
            if planned.provinces.isEmpty {
                lines.append(
                    row(
                        "reaches",
                        planned.hosts.isEmpty ? "no team" : "no team; \(plural(planned.hosts.count, "host"))"
                    )
                )
            }
            for province in planned.provinces {
                let teams = planned.teams.filter { $0.province == province.id }
                let teamText = teams.map { "\($0.name) (\($0.hosts.count))" }.joined(separator: ", ")
                lines.append(
                    row(
                        province.id,
                        "\(province.name): \(plural(teams.count, "team")), \(plural(province.hostCount, "host")) — \(teamText)"
                    )
                )
            }
            lines.append(row("deadlines", deadlinesText(planned.deadlines)))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    static func row(_ label: String, _ value: String) -> String {
        let padded = label.count < 11 ? label + String(repeating: " ", count: 11 - label.count) : label + " "
        return "    " + padded + value
    }

    static func plural(_ count: Int, _ word: String) -> String { "\(count) \(word)\(count == 1 ? "" : "s")" }

    /// `at T+00:15:00`, `after 'webshell' + 5m`, `if 'webshell' is not acknowledged within 10m (per team)`.
    public static func triggerText(_ trigger: PlannedTrigger) -> String {
        switch trigger {
        case .at(let time):
            return "at \(DurationText.exerciseTime(time))"
        case .after(let inject, let delay):
            return delay > .zero ? "after '\(inject)' + \(DurationText.format(delay))" : "with '\(inject)'"
        case .unless(let inject, let phase, let within, let delay):
            let then = delay > .zero ? ", then \(DurationText.format(delay)) later" : ""
            return "if '\(inject)' is not \(phase.pastTense) within \(DurationText.format(within)) (per team)\(then)"
        }
    }

    /// `acknowledge 10m · report 30m · resolve 1h30m`, or `none`.
    public static func deadlinesText(_ deadlines: PhaseDeadlines) -> String {
        let parts = ResponsePhase.allCases.compactMap { phase in
            deadlines[phase].map { "\(phase.rawValue) \(DurationText.format($0))" }
        }
        return parts.isEmpty ? "none" : parts.joined(separator: " · ")
    }

    /// The plan as indented JSON (members in the document's order, UTF-8 text unescaped), written in one pass.
    public static func json(_ plan: Plan) -> String {
        (try? JSONStreamEncoder().encode(PlanDocument(plan))) ?? "{}\n"
    }
}

/// The JSON shape of a plan (`drillctl plan --format json`). Durations are whole seconds; times are also given
/// as `T+hh:mm:ss` and, when a STARTEX is known, as ISO 8601 wall times in the drill's time zone.
public struct PlanDocument: Codable, Sendable, Hashable {
    public struct Trigger: Codable, Sendable, Hashable {
        /// `at`, `after` or `unless`.
        public var kind: String
        public var atSeconds: Int64?
        public var inject: String?
        public var delaySeconds: Int64?
        /// `acknowledged`, `reported` or `resolved`.
        public var unless: String?
        public var withinSeconds: Int64?
        public var text: String

        enum CodingKeys: String, CodingKey {
            case kind, inject, unless, text
            case atSeconds = "at_seconds"
            case delaySeconds = "delay_seconds"
            case withinSeconds = "within_seconds"
        }
    }

    public struct Deadlines: Codable, Sendable, Hashable {
        public var acknowledgeSeconds: Int64?
        public var reportSeconds: Int64?
        public var resolveSeconds: Int64?

        enum CodingKeys: String, CodingKey {
            case acknowledgeSeconds = "acknowledge_seconds"
            case reportSeconds = "report_seconds"
            case resolveSeconds = "resolve_seconds"
        }
    }

    public struct Team: Codable, Sendable, Hashable {
        public var id: String
        public var name: String
        public var hostCount: Int
        public var hosts: [String]

        enum CodingKeys: String, CodingKey {
            case id, name, hosts
            case hostCount = "host_count"
        }
    }

    public struct Province: Codable, Sendable, Hashable {
        public var id: String
        public var name: String
        public var hostCount: Int
        public var teams: [Team]

        enum CodingKeys: String, CodingKey {
            case id, name, teams
            case hostCount = "host_count"
        }
    }

    public struct Inject: Codable, Sendable, Hashable {
        public var id: String
        public var title: String
        public var timeSeconds: Int64
        public var time: String
        public var wallTime: String?
        public var severity: String?
        public var conditional: Bool
        public var trigger: Trigger
        public var deadlines: Deadlines
        public var provinces: [Province]
        public var hostCount: Int
        public var objectives: [String]

        enum CodingKeys: String, CodingKey {
            case id, title, time, severity, conditional, trigger, deadlines, provinces, objectives
            case timeSeconds = "time_seconds"
            case wallTime = "wall_time"
            case hostCount = "host_count"
        }
    }

    public var drill: String
    public var title: String
    public var timezone: String
    public var durationSeconds: Int64
    public var startex: String?
    public var endex: String?
    public var scopeHostCount: Int
    public var injects: [Inject]

    enum CodingKeys: String, CodingKey {
        case drill, title, timezone, startex, endex, injects
        case durationSeconds = "duration_seconds"
        case scopeHostCount = "scope_host_count"
    }

    public init(_ plan: Plan) {
        let zone = plan.timeZone
        drill = plan.scenario.id
        title = plan.scenario.title
        timezone = plan.scenario.timeZone
        durationSeconds = plan.scenario.duration.wholeSeconds
        startex = plan.startex.map { WallTime.iso8601($0, timeZone: zone) }
        endex = plan.wallTime(at: plan.scenario.duration).map { WallTime.iso8601($0, timeZone: zone) }
        scopeHostCount = plan.scopeHosts.count
        injects = plan.injects.map { planned in
            let trigger: Trigger
            let text = PlanRenderer.triggerText(planned.trigger)
            switch planned.trigger {
            case .at(let time):
                trigger = Trigger(kind: "at", atSeconds: time.wholeSeconds, text: text)
            case .after(let inject, let delay):
                trigger = Trigger(kind: "after", inject: inject, delaySeconds: delay.wholeSeconds, text: text)
            case .unless(let inject, let phase, let within, let delay):
                trigger = Trigger(
                    kind: "unless",
                    inject: inject,
                    delaySeconds: delay.wholeSeconds,
                    unless: phase.pastTense,
                    withinSeconds: within.wholeSeconds,
                    text: text
                )
            }
            return Inject(
                id: planned.id,
                title: planned.inject.title,
                timeSeconds: planned.time.wholeSeconds,
                time: DurationText.exerciseTime(planned.time),
                wallTime: plan.wallTime(at: planned.time).map { WallTime.iso8601($0, timeZone: zone) },
                severity: planned.severity?.rawValue,
                conditional: planned.isConditional,
                trigger: trigger,
                deadlines: Deadlines(
                    acknowledgeSeconds: planned.deadlines.acknowledge?.wholeSeconds,
                    reportSeconds: planned.deadlines.report?.wholeSeconds,
                    resolveSeconds: planned.deadlines.resolve?.wholeSeconds
                ),
                provinces: planned.provinces.map { province in
                    Province(
                        id: province.id,
                        name: province.name,
                        hostCount: province.hostCount,
                        teams: planned.teams.filter { $0.province == province.id }.map {
                            Team(id: $0.id, name: $0.name, hostCount: $0.hosts.count, hosts: $0.hosts)
                        }
                    )
                },
                hostCount: planned.hosts.count,
                objectives: planned.inject.objectives
            )
        }
    }
}
