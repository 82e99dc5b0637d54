public import DrillCore

/// `GET /api/session`.
struct SessionView: Codable {
    var role: String
    var subject: String
    var runID: String
    /// The token cookie-authenticated JSON posts send as `X-CSRF-Token` (absent for bearer clients).
    var csrfToken: String?
}

/// One response phase of an inject × team, as every view shows it.
public struct PhaseView: Codable, Sendable, Hashable {
    public var phase: String
    /// The deadline in exercise milliseconds since STARTEX (extensions included), if the phase has one.
    public var deadlineMillis: Int64?
    /// Milliseconds of exercise time left (negative: overdue), while not done.
    public var remainingMillis: Int64?
    public var done: Bool
    /// When it was done (exercise milliseconds).
    public var doneAtMillis: Int64?
    public var late: Bool
}

/// `GET /api/inbox`: what one team has received.
public struct InboxView: Codable, Sendable {
    public struct Item: Codable, Sendable {
        public var inject: String
        public var title: String
        public var message: String
        public var severity: String?
        public var sequence: Int64
        public var deliveredAtMillis: Int64?
        public var phases: [PhaseView]
        public var reports: [Report]
    }

    public struct Report: Codable, Sendable {
        public var sequence: Int64
        public var text: String
        public var atMillis: Int64
        public var late: Bool
    }

    public var runID: String
    public var team: String
    public var status: String
    public var exerciseMillis: Int64
    public var speed: Double
    public var items: [Item]
}

/// `GET /api/board`: every team × inject.
public struct BoardView: Codable, Sendable {
    public struct Cell: Codable, Sendable {
        public var inject: String
        public var team: String
        public var deliveredAtMillis: Int64?
        public var phases: [PhaseView]
        public var observations: Int
    }

    public var status: String
    public var exerciseMillis: Int64
    public var teams: [String]
    public var injects: [String]
    public var cells: [Cell]
}

/// `GET /api/observations`.
public struct ObservationsView: Codable, Sendable {
    public struct Observation: Codable, Sendable {
        public var sequence: Int64
        public var inject: String
        public var team: String
        public var evaluator: String
        public var scores: [String: Double]
        public var rating: String?
        public var notes: String?
    }

    public var observations: [Observation]
}

/// `GET /api/director`.
public struct DirectorView: Codable, Sendable {
    public struct Next: Codable, Sendable {
        public var inject: String
        public var title: String
        public var atMillis: Int64
    }

    public struct HostResult: Codable, Sendable {
        public var inject: String
        public var host: String
        public var succeeded: Bool
        public var detail: String
    }

    public struct Fired: Codable, Sendable {
        public var inject: String
        public var firedAtMillis: Int64?
        public var fireCount: Int
        public var hosts: [HostResult]
    }

    public struct Pending: Codable, Sendable {
        public var inject: String
        public var team: String
        public var phase: String
        public var deadlineMillis: Int64?
        public var remainingMillis: Int64?
    }

    public var runID: String?
    public var status: String
    public var exerciseMillis: Int64
    public var speed: Double
    public var next: [Next]
    public var fired: [Fired]
    public var pending: [Pending]
    public var hostFailures: [HostResult]
}

/// What a successful post recorded.
public struct RecordedView: Codable, Sendable {
    public var sequence: Int64
    public var kind: String
    public var inject: String?
    public var team: String?
    public var phase: String?
    public var exerciseMillis: Int64
    public var late: Bool?
}

/// Builds the JSON views (and the numbers the pages show) from a ``PortalState``.
enum PortalViews {
    static func phases(_ state: PortalState, inject: String, team: String, exerciseNow: Int64) -> [PhaseView] {
        let teamInject = state.run.teamInject(inject, team)
        return ResponsePhase.allCases.map { phase in
            let deadline = teamInject?.deadline(phase)
            let response = teamInject?.responses[phase]
            return PhaseView(
                phase: phase.rawValue,
                deadlineMillis: deadline,
                remainingMillis: response == nil ? deadline.map { $0 - exerciseNow } : nil,
                done: response != nil,
                doneAtMillis: response?.exerciseMillis,
                late: response?.late ?? false
            )
        }
    }

    static func title(_ inject: String, _ scenario: Scenario?) -> String { scenario?.inject(inject)?.title ?? inject }

    static func inbox(_ state: PortalState, team: String, scenario: Scenario?, now: Int64) -> InboxView {
        let exerciseNow = state.exerciseMillis(atWall: now)
        let reports = state.responses(ofTeam: team).filter { $0.phase == .report }
        return InboxView(
            runID: state.run.runID ?? "",
            team: team,
            status: state.run.status.rawValue,
            exerciseMillis: exerciseNow,
            speed: state.speed,
            items: state.deliveries(forTeam: team).reversed().map { delivery in
                InboxView.Item(
                    inject: delivery.inject,
                    title: title(delivery.inject, scenario),
                    message: delivery.message,
                    severity: delivery.severity,
                    sequence: delivery.sequence,
                    deliveredAtMillis: state.run.teamInject(delivery.inject, team)?.deliveredAtMillis,
                    phases: phases(state, inject: delivery.inject, team: team, exerciseNow: exerciseNow),
                    reports: reports.filter { $0.inject == delivery.inject }.map {
                        InboxView.Report(
                            sequence: $0.sequence,
                            text: $0.text ?? "",
                            atMillis: $0.exerciseMillis,
                            late: $0.late
                        )
                    }
                )
            }
        )
    }

    static func teams(_ state: PortalState, _ scenario: Scenario?) -> [String] {
        var teams = scenario?.teams.map(\.id) ?? []
        for key in state.run.teamInjects.keys.map(\.team).sorted() where !teams.contains(key) { teams.append(key) }
        return teams
    }

    static func injects(_ state: PortalState, _ scenario: Scenario?) -> [String] {
        var injects = scenario?.injects.map(\.id) ?? []
        for key in Set(state.run.teamInjects.keys.map(\.inject)).sorted() where !injects.contains(key) {
            injects.append(key)
        }
        return injects
    }

    static func board(_ state: PortalState, scenario: Scenario?, now: Int64) -> BoardView {
        let exerciseNow = state.exerciseMillis(atWall: now)
        let teams = teams(state, scenario)
        let injects = injects(state, scenario)
        var cells: [BoardView.Cell] = []
        for inject in injects {
            for team in teams {
                guard let teamInject = state.run.teamInject(inject, team), teamInject.deliveredAtMillis != nil else {
                    continue
                }
                cells.append(
                    BoardView.Cell(
                        inject: inject,
                        team: team,
                        deliveredAtMillis: teamInject.deliveredAtMillis,
                        phases: phases(state, inject: inject, team: team, exerciseNow: exerciseNow),
                        observations: teamInject.observationCount
                    )
                )
            }
        }
        return BoardView(
            status: state.run.status.rawValue,
            exerciseMillis: exerciseNow,
            teams: teams,
            injects: injects,
            cells: cells
        )
    }

    static func observations(_ state: PortalState, evaluator: String) -> ObservationsView {
        ObservationsView(
            observations: state.observations(visibleTo: evaluator).map {
                ObservationsView.Observation(
                    sequence: $0.sequence,
                    inject: $0.inject,
                    team: $0.team,
                    evaluator: $0.evaluator,
                    scores: $0.scores,
                    rating: $0.rating,
                    notes: $0.notes
                )
            }
        )
    }

    static func director(_ state: PortalState, scenario: Scenario?, now: Int64) -> DirectorView {
        let exerciseNow = state.exerciseMillis(atWall: now)
        var next: [DirectorView.Next] = []
        for inject in scenario?.injects ?? [] where (state.run.injects[inject.id]?.fireCount ?? 0) == 0 {
            if case .at(let time) = inject.trigger {
                next.append(DirectorView.Next(inject: inject.id, title: inject.title, atMillis: time.millis))
            }
        }
        next.sort { (lhs: DirectorView.Next, rhs: DirectorView.Next) -> Bool in
            lhs.atMillis == rhs.atMillis ? lhs.inject < rhs.inject : lhs.atMillis < rhs.atMillis
        }
        let results = state.hostResults.map {
            DirectorView.HostResult(inject: $0.inject, host: $0.host, succeeded: $0.succeeded, detail: $0.detail)
        }
        var fired: [DirectorView.Fired] = []
        for inject in state.run.firedInjects {
            let injectState = state.run.injects[inject]
            let hosts: [DirectorView.HostResult] = results.filter { $0.inject == inject }
            fired.append(
                DirectorView.Fired(
                    inject: inject,
                    firedAtMillis: injectState?.firedAtMillis,
                    fireCount: injectState?.fireCount ?? 0,
                    hosts: hosts
                )
            )
        }
        fired.sort { (lhs: DirectorView.Fired, rhs: DirectorView.Fired) -> Bool in
            let left: Int64 = lhs.firedAtMillis ?? 0
            let right: Int64 = rhs.firedAtMillis ?? 0
            return left == right ? lhs.inject < rhs.inject : left < right
        }
        var pending: [DirectorView.Pending] = []
        for (key, teamInject) in state.run.teamInjects.sorted(by: { $0.key < $1.key })
        where teamInject.deliveredAtMillis != nil {
            for phase in ResponsePhase.allCases where teamInject.responses[phase] == nil {
                let deadline = teamInject.deadline(phase)
                pending.append(
                    DirectorView.Pending(
                        inject: key.inject,
                        team: key.team,
                        phase: phase.rawValue,
                        deadlineMillis: deadline,
                        remainingMillis: deadline.map { $0 - exerciseNow }
                    )
                )
            }
        }
        return DirectorView(
            runID: state.run.runID,
            status: state.run.status.rawValue,
            exerciseMillis: exerciseNow,
            speed: state.speed,
            next: next,
            fired: fired,
            pending: pending,
            hostFailures: results.filter { !$0.succeeded }
        )
    }

    static func recorded(_ event: JournalEvent, state: PortalState) -> RecordedView {
        let phase = event.payload["phase"]?.stringValue
        var late: Bool?
        if event.kind == .response, let inject = event.inject, let team = event.team,
            let phaseValue = phase.flatMap(ResponsePhase.init(rawValue:))
        {
            // The state may not have folded this event yet: compute lateness against the deadline directly.
            late = state.run.teamInject(inject, team)?.deadline(phaseValue).map { event.exerciseMillis > $0 } ?? false
        }
        return RecordedView(
            sequence: event.sequence ?? 0,
            kind: event.kind.rawValue,
            inject: event.inject,
            team: event.team,
            phase: phase,
            exerciseMillis: event.exerciseMillis,
            late: late
        )
    }
}
