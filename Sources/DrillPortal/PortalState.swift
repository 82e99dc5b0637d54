public import DrillCore
public import DrillEngine

/// What the portal shows, derived from the journal: the run's ``RunState`` plus the texts the pages need
/// (messages, reports, observations, host results). A pure fold, like ``RunState``: the same events in the
/// same order give the same state.
public struct PortalState: Sendable {
    /// A delivered message as a team sees it.
    public struct Delivery: Sendable, Hashable {
        public var inject: String
        public var team: String
        public var sequence: Int64
        public var message: String
        public var severity: String?
    }

    /// A team's response as recorded.
    public struct Response: Sendable, Hashable {
        public var sequence: Int64
        public var inject: String
        public var team: String
        public var phase: ResponsePhase
        public var text: String?
        public var exerciseMillis: Int64
        public var wallMillis: Int64
        public var late: Bool
        public var actor: String?
    }

    /// An evaluator's observation as journaled.
    public struct Observation: Sendable, Hashable {
        public var sequence: Int64
        public var inject: String
        public var team: String
        public var evaluator: String
        public var scores: [String: Double]
        public var rating: String?
        public var notes: String?
        public var wallMillis: Int64
    }

    /// A host action's outcome, for the director.
    public struct HostResult: Sendable, Hashable {
        public var sequence: Int64
        public var inject: String
        public var host: String
        public var succeeded: Bool
        public var detail: String
    }

    /// A control as journaled.
    public struct Control: Sendable, Hashable {
        public var sequence: Int64
        public var action: String
        public var inject: String?
        public var actor: String?
        public var exerciseMillis: Int64
        public var wallMillis: Int64
    }

    public private(set) var run = RunState()
    /// Deliveries in journal order.
    public private(set) var deliveries: [Delivery] = []
    /// Responses in journal order.
    public private(set) var responses: [Response] = []
    public private(set) var observations: [Observation] = []
    public private(set) var hostResults: [HostResult] = []
    public private(set) var controls: [Control] = []
    /// The run's exercise clock, built from the journal exactly as the engine, `drillctl respond` and
    /// `drillctl ctl` build it.
    public private(set) var clock = RunClock()
    /// The exercise clock's speed factor (1 = real time).
    public var speed: Double { clock.speed }

    public init() {}

    /// Applies one event (in journal order).
    public mutating func apply(_ event: JournalEvent) {
        run.apply(event)
        clock.apply(event)
        let sequence = event.sequence ?? 0
        switch event.kind {
        case .delivered:
            guard let inject = event.inject, let team = event.team,
                !deliveries.contains(where: { $0.inject == inject && $0.team == team })
            else { break }
            deliveries.append(
                Delivery(
                    inject: inject,
                    team: team,
                    sequence: sequence,
                    message: event.payload["message"]?.stringValue ?? "",
                    severity: event.payload["severity"]?.stringValue
                )
            )
        case .response:
            guard let inject = event.inject, let team = event.team,
                let phase = event.payload["phase"]?.stringValue.flatMap(ResponsePhase.init(rawValue:))
            else { break }
            let deadline = run.teamInject(inject, team)?.deadline(phase)
            responses.append(
                Response(
                    sequence: sequence,
                    inject: inject,
                    team: team,
                    phase: phase,
                    text: event.payload["text"]?.stringValue,
                    exerciseMillis: event.exerciseMillis,
                    wallMillis: event.wallMillis,
                    late: deadline.map { event.exerciseMillis > $0 } ?? false,
                    actor: event.actor?.description
                )
            )
        case .observation:
            guard let inject = event.inject, let team = event.team else { break }
            var scores: [String: Double] = [:]
            for (name, value) in event.payload["scores"]?.objectValue ?? [:] {
                if let number = value.doubleValue { scores[name] = number }
            }
            observations.append(
                Observation(
                    sequence: sequence,
                    inject: inject,
                    team: team,
                    evaluator: event.actor?.id ?? "unknown",
                    scores: scores,
                    rating: event.payload["rating"]?.stringValue,
                    notes: event.payload["notes"]?.stringValue,
                    wallMillis: event.wallMillis
                )
            )
        case .hostActionResult:
            guard let inject = event.inject, let host = event.host else { break }
            let exit = event.payload["exitStatus"]?.int64Value
            let error = event.payload["error"]?.stringValue
            let succeeded =
                exit == 0 && event.payload["timedOut"]?.boolValue != true && error == nil
            hostResults.append(
                HostResult(
                    sequence: sequence,
                    inject: inject,
                    host: host,
                    succeeded: succeeded,
                    detail: error ?? (exit.map { "exit \($0)" } ?? "no exit status")
                )
            )
        case .control:
            controls.append(
                Control(
                    sequence: sequence,
                    action: event.payload["action"]?.stringValue ?? "?",
                    inject: event.inject,
                    actor: event.actor?.description,
                    exerciseMillis: event.exerciseMillis,
                    wallMillis: event.wallMillis
                )
            )
        default:
            break
        }
    }

    /// The exercise time at wall time `wall` (UTC milliseconds), from the journal's exercise clock; it stands
    /// still once the run is over.
    public func exerciseMillis(atWall wall: Int64) -> Int64 {
        if run.status.isFinished { return run.lastExerciseMillis }
        return clock.exerciseMillis(atWallMillis: wall)
    }

    /// The deliveries to `team`, in order.
    public func deliveries(forTeam team: String) -> [Delivery] { deliveries.filter { $0.team == team } }

    /// True when `inject` was delivered to `team`.
    public func wasDelivered(_ inject: String, to team: String) -> Bool {
        run.teamInject(inject, team)?.deliveredAtMillis != nil
    }

    /// The responses of `team`, in order.
    public func responses(ofTeam team: String) -> [Response] { responses.filter { $0.team == team } }

    /// The observations `evaluator` may see: all of their own, and every evaluator's on an inject × team they
    /// have themselves scored (each scores independently until they submit).
    public func observations(visibleTo evaluator: String) -> [Observation] {
        let scored = Set(
            observations.filter { $0.evaluator == evaluator }.map {
                RunState.TeamInject(inject: $0.inject, team: $0.team)
            }
        )
        return observations.filter {
            $0.evaluator == evaluator || scored.contains(RunState.TeamInject(inject: $0.inject, team: $0.team))
        }
    }
}
