public import DrillCore
public import DrillRun

/// `GET /api/session`.
struct SessionView: Codable {
    var role: String
    var subject: String
    var runID: String
    /// The token cookie-authenticated JSON posts send as `X-CSRF-Token` (absent for bearer clients).
    var csrfToken: String?
}

/// One response phase of an inject × team, as every view shows it. ``status`` is what
/// ``RunRules/phaseStatus(_:_:now:finished:)`` gives, the same as `ctl status` and the report.
public struct PhaseView: Codable, Sendable, Hashable {
    public var phase: String
    /// `met`, `late`, `missed`, `pending`, `interrupted`, `done`, `notDone`, `notExpected` or `notApplicable`.
    public var status: PhaseStatus
    /// The deadline in exercise milliseconds since STARTEX (extensions included), if the phase has one.
    public var deadlineMillis: Int64?
    /// Milliseconds of exercise time left (negative: overdue), while not done.
    public var remainingMillis: Int64?
    public var done: Bool
    /// When it was done (exercise milliseconds).
    public var doneAtMillis: Int64?
    public var late: Bool
    /// For resolve with a check: the team claimed it but the check has not confirmed it.
    public var claimUnconfirmed: Bool
}

/// Whether the run's engine is alive, from its heartbeat (as `ctl status` reports it).
public struct EngineView: Codable, Sendable, Hashable {
    public var alive: Bool
    /// The exercise time of its last heartbeat, if it ever beat.
    public var lastSeenMillis: Int64?
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
    public var engine: EngineView
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
    public var engine: EngineView
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
        public var status: PhaseStatus
        public var deadlineMillis: Int64?
        public var remainingMillis: Int64?
        /// For resolve with a check: the team claimed it but the check has not confirmed it.
        public var claimUnconfirmed: Bool
    }

    public var runID: String?
    public var status: String
    public var exerciseMillis: Int64
    public var speed: Double
    public var engine: EngineView
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

/// What the portal shows of a run: the ledger the feed keeps folded, and the engine's heartbeat.
public struct PortalSnapshot: Sendable {
    public var ledger: RunLedger
    public var heartbeat: EngineHeartbeat?

    public init(ledger: RunLedger, heartbeat: EngineHeartbeat? = nil) {
        self.ledger = ledger
        self.heartbeat = heartbeat
    }

    /// The exercise time at wall time `wall`.
    public func exerciseMillis(atWall wall: Int64) -> Int64 { ledger.exerciseMillis(atWall: wall) }

    /// The exercise clock's speed factor (1 = real time).
    public var speed: Double { ledger.clock.speed }

    /// The engine's liveness at wall time `wall`.
    public func engine(atWall wall: Int64) -> EngineView {
        let report = RunStatusReport(ledger: ledger, heartbeat: heartbeat, nowWallMillis: wall)
        return EngineView(alive: report.engine.alive, lastSeenMillis: report.engine.lastSeenMillis)
    }

    /// True when `inject` was delivered to `team`.
    public func wasDelivered(_ inject: String, to team: String) -> Bool { ledger.pair(inject, team)?.delivery != nil }

    /// The observations `evaluator` may see: all of their own, and every evaluator's on an inject × team they
    /// have themselves scored (each scores independently until they submit).
    public func observations(
        visibleTo evaluator: String
    ) -> [(key: RunLedger.PairKey, observation: RunLedger.Observation)] {
        var result: [(key: RunLedger.PairKey, observation: RunLedger.Observation)] = []
        for key in ledger.pairs.keys.sorted() {
            let observations = ledger.pairs[key]!.observations
            guard observations[evaluator] != nil else { continue }
            for name in observations.keys.sorted() { result.append((key, observations[name]!)) }
        }
        return result.sorted { $0.observation.sequence < $1.observation.sequence }
    }
}

/// Builds the JSON views (and the numbers the pages show) from a ``PortalSnapshot``, every status through
/// ``RunRules``.
enum PortalViews {
    static func phases(_ state: PortalSnapshot, inject: String, team: String, exerciseNow: Int64) -> [PhaseView] {
        let key = RunLedger.PairKey(inject: inject, team: team)
        guard let facts = RunRules.facts(key, in: state.ledger),
            let outcomes = RunRules.phases(key, in: state.ledger, now: exerciseNow)
        else { return [] }
        let unconfirmed = RunRules.resolution(facts).method == .claimUnconfirmed
        let at = state.ledger.status.isFinished ? state.ledger.coveredExerciseMillis : exerciseNow
        return outcomes.map { outcome in
            PhaseView(
                phase: outcome.phase.rawValue,
                status: outcome.status,
                deadlineMillis: outcome.deadlineMillis,
                remainingMillis: outcome.remainingMillis(at: at),
                done: outcome.status.isDone,
                doneAtMillis: outcome.done?.exerciseMillis,
                late: outcome.status == .late,
                claimUnconfirmed: outcome.phase == .resolve && unconfirmed
            )
        }
    }

    static func title(_ inject: String, _ scenario: Scenario?) -> String { scenario?.inject(inject)?.title ?? inject }

    static func inbox(_ state: PortalSnapshot, team: String, scenario: Scenario?, now: Int64) -> InboxView {
        let exerciseNow = state.exerciseMillis(atWall: now)
        return InboxView(
            runID: state.ledger.runID ?? "",
            team: team,
            status: state.ledger.status.rawValue,
            exerciseMillis: exerciseNow,
            speed: state.speed,
            engine: state.engine(atWall: now),
            items: state.ledger.deliveries(toTeam: team).reversed().compactMap { key -> InboxView.Item? in
                guard let pair = state.ledger.pairs[key], let delivery = pair.delivery else { return nil }
                let reports = pair.responses.filter { $0.phase == .report }
                let deadline = RunRules.facts(key, in: state.ledger).flatMap { RunRules.deadline(.report, $0) }
                return InboxView.Item(
                    inject: key.inject,
                    title: title(key.inject, scenario),
                    message: delivery.message ?? "",
                    severity: delivery.severity,
                    sequence: delivery.sequence,
                    deliveredAtMillis: delivery.at.exerciseMillis,
                    phases: phases(state, inject: key.inject, team: team, exerciseNow: exerciseNow),
                    reports: reports.map { report in
                        InboxView.Report(
                            sequence: report.sequence,
                            text: report.text ?? "",
                            atMillis: report.at.exerciseMillis,
                            late: deadline.map { report.at.exerciseMillis > $0 } ?? false
                        )
                    }
                )
            }
        )
    }

    static func teams(_ state: PortalSnapshot, _ scenario: Scenario?) -> [String] {
        var teams = scenario?.teams.map(\.id) ?? []
        for key in Set(state.ledger.pairs.keys.map(\.team)).sorted() where !teams.contains(key) { teams.append(key) }
        return teams
    }

    static func injects(_ state: PortalSnapshot, _ scenario: Scenario?) -> [String] {
        var injects = scenario?.injects.map(\.id) ?? []
        for key in Set(state.ledger.pairs.keys.map(\.inject)).sorted() where !injects.contains(key) {
            injects.append(key)
        }
        return injects
    }

    static func board(_ state: PortalSnapshot, scenario: Scenario?, now: Int64) -> BoardView {
        let exerciseNow = state.exerciseMillis(atWall: now)
        let teams = teams(state, scenario)
        let injects = injects(state, scenario)
        var cells: [BoardView.Cell] = []
        for inject in injects {
            for team in teams {
                guard let pair = state.ledger.pair(inject, team), let delivery = pair.delivery else { continue }
                cells.append(
                    BoardView.Cell(
                        inject: inject,
                        team: team,
                        deliveredAtMillis: delivery.at.exerciseMillis,
                        phases: phases(state, inject: inject, team: team, exerciseNow: exerciseNow),
                        observations: pair.observationCount
                    )
                )
            }
        }
        return BoardView(
            status: state.ledger.status.rawValue,
            exerciseMillis: exerciseNow,
            engine: state.engine(atWall: now),
            teams: teams,
            injects: injects,
            cells: cells
        )
    }

    static func observations(_ state: PortalSnapshot, evaluator: String) -> ObservationsView {
        ObservationsView(
            observations: state.observations(visibleTo: evaluator).map { key, observation in
                ObservationsView.Observation(
                    sequence: observation.sequence,
                    inject: key.inject,
                    team: key.team,
                    evaluator: observation.evaluator,
                    scores: observation.scores,
                    rating: observation.rating,
                    notes: observation.notes
                )
            }
        )
    }

    /// Every host action's outcome, in journal order of the host and inject.
    static func hostResults(_ state: PortalSnapshot) -> [DirectorView.HostResult] {
        state.ledger.hostInjects.keys.sorted { ($0.inject, $0.host) < ($1.inject, $1.host) }.flatMap { key in
            state.ledger.hostInjects[key]!.results.values.sorted { $0.step < $1.step }.map { result in
                DirectorView.HostResult(
                    inject: key.inject,
                    host: key.host,
                    succeeded: result.succeeded,
                    detail: result.error ?? (result.timedOut ? "timed out" : result.exitStatus.map { "exit \($0)" })
                        ?? "no exit status"
                )
            }
        }
    }

    static func director(_ state: PortalSnapshot, scenario: Scenario?, now: Int64) -> DirectorView {
        let exerciseNow = state.exerciseMillis(atWall: now)
        let ledger = state.ledger
        var next: [DirectorView.Next] = []
        for inject in scenario?.injects ?? [] where ledger.injects[inject.id]?.firstIntent == nil {
            if case .at(let time) = inject.trigger {
                next.append(DirectorView.Next(inject: inject.id, title: inject.title, atMillis: time.journalMillis))
            }
        }
        next.sort { (lhs: DirectorView.Next, rhs: DirectorView.Next) -> Bool in
            lhs.atMillis == rhs.atMillis ? lhs.inject < rhs.inject : lhs.atMillis < rhs.atMillis
        }
        let results = hostResults(state)
        var fired: [DirectorView.Fired] = []
        for inject in ledger.firedInjects {
            let record = ledger.injects[inject]
            fired.append(
                DirectorView.Fired(
                    inject: inject,
                    firedAtMillis: record?.fired?.exerciseMillis,
                    fireCount: record?.fireCount ?? 0,
                    hosts: results.filter { $0.inject == inject }
                )
            )
        }
        fired.sort { (lhs: DirectorView.Fired, rhs: DirectorView.Fired) -> Bool in
            let left: Int64 = lhs.firedAtMillis ?? 0
            let right: Int64 = rhs.firedAtMillis ?? 0
            return left == right ? lhs.inject < rhs.inject : left < right
        }
        var pending: [DirectorView.Pending] = []
        for key in ledger.deliveryOrder.sorted() {
            for phase in phases(state, inject: key.inject, team: key.team, exerciseNow: exerciseNow)
            where phase.status == .pending || phase.status == .missed {
                pending.append(
                    DirectorView.Pending(
                        inject: key.inject,
                        team: key.team,
                        phase: phase.phase,
                        status: phase.status,
                        deadlineMillis: phase.deadlineMillis,
                        remainingMillis: phase.remainingMillis,
                        claimUnconfirmed: phase.claimUnconfirmed
                    )
                )
            }
        }
        return DirectorView(
            runID: ledger.runID,
            status: ledger.status.rawValue,
            exerciseMillis: exerciseNow,
            speed: state.speed,
            engine: state.engine(atWall: now),
            next: next,
            fired: fired,
            pending: pending,
            hostFailures: results.filter { !$0.succeeded }
        )
    }

    static func recorded(_ events: [JournalEvent], state: PortalSnapshot) -> RecordedView {
        let event = events.last!
        var phase: String?
        var late: Bool?
        switch RunEvent(event).body {
        case .response(let response):
            phase = response.phase.rawValue
            var ledger = state.ledger
            if ledger.lastSequence < (event.sequence ?? 0) { ledger.apply(event) }
            if let inject = event.inject, let team = event.team,
                let facts = RunRules.facts(RunLedger.PairKey(inject: inject, team: team), in: ledger)
            {
                late = RunRules.deadline(response.phase, facts).map { event.exerciseMillis > $0 } ?? false
            }
        case .control(let control):
            phase = control.phase?.rawValue
        default:
            break
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
