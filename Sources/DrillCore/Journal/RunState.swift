/// The state of a run, derived from its journal: a pure fold over events.
///
/// `resume`, `ctl status`, `drillctl runs`, the portal and the report all read a run through this one fold, so
/// they agree. Build it with ``fold(_:)`` or keep one and ``apply(_:)`` events as they are tailed; applying the
/// same events in the same order always gives the same state. Events of kinds this version does not know are
/// counted in ``unknownEventCount`` and otherwise ignored.
public struct RunState: Sendable, Equatable {
    /// Where the run is in its life.
    public enum Status: String, Sendable, Hashable, Codable {
        /// Created, STARTEX not reached.
        case created
        /// The exercise clock is running.
        case running
        /// The director paused the exercise clock.
        case paused
        /// The director aborted the run (cleanup may still be in progress or done).
        case aborted
        /// ENDEX was reached.
        case ended

        /// True once the run can no longer fire injects.
        public var isFinished: Bool { self == .aborted || self == .ended }

        /// The status after `event`: STARTEX starts the run, controls pause, resume and abort it, ENDEX ends
        /// it (an aborted run stays aborted). The store keeps its cached status with this same rule.
        public func next(applying event: JournalEvent) -> Status { next(event.kind.known, event) }

        fileprivate func next(_ known: JournalEvent.Kind.Known?, _ event: JournalEvent) -> Status {
            switch known {
            case .startex: return self == .created ? .running : self
            case .endex: return self == .aborted ? .aborted : .ended
            case .control:
                switch event.payload["action"]?.stringValue {
                case "pause": return self == .running ? .paused : self
                case "resume": return self == .paused ? .running : self
                case "abort": return isFinished ? self : .aborted
                default: return self
                }
            default: return self
            }
        }
    }

    /// An inject and a team it reached.
    public struct TeamInject: Sendable, Hashable, Comparable, CustomStringConvertible {
        public var inject: String
        public var team: String
        public init(inject: String, team: String) {
            self.inject = inject
            self.team = team
        }
        public static func < (lhs: TeamInject, rhs: TeamInject) -> Bool {
            (lhs.inject, lhs.team) < (rhs.inject, rhs.team)
        }
        public var description: String { "\(inject)>\(team)" }
    }

    /// A team's first response in one phase.
    public struct PhaseResponse: Sendable, Hashable {
        /// The journal sequence of the response.
        public var sequence: Int64
        /// Exercise milliseconds since STARTEX.
        public var exerciseMillis: Int64
        /// UTC milliseconds.
        public var wallMillis: Int64
        /// True when it came after the phase's deadline (extensions granted before it included).
        public var late: Bool
        /// Who responded (the team itself, a simulator, …).
        public var actor: JournalEvent.Actor?
    }

    /// What happened between one inject and one team.
    public struct TeamInjectState: Sendable, Hashable {
        /// When the message was delivered (exercise milliseconds); response times count from here.
        public var deliveredAtMillis: Int64?
        public var deliveredWallMillis: Int64?
        /// Each phase's deadline, in milliseconds after delivery, as delivered.
        public var deadlines: [ResponsePhase: Int64] = [:]
        /// Extensions granted by the director, per phase, in milliseconds (summed).
        public var extensions: [ResponsePhase: Int64] = [:]
        /// The first response in each phase.
        public var responses: [ResponsePhase: PhaseResponse] = [:]
        /// How many responses were recorded in each phase (reports may be sent several times).
        public var responseCounts: [ResponsePhase: Int] = [:]
        /// Deadline outcomes the engine journaled: true = met, false = missed.
        public var deadlineOutcomes: [ResponsePhase: Bool] = [:]
        /// When a `resolved_when` check first passed on a host of this team (exercise milliseconds).
        public var resolvedByCheckAtMillis: Int64?
        /// How many evaluator observations were recorded.
        public var observationCount = 0

        /// The absolute deadline of `phase` in exercise milliseconds since STARTEX, extensions included; `nil`
        /// when not delivered or the phase has no deadline.
        public func deadline(_ phase: ResponsePhase) -> Int64? {
            guard let delivered = deliveredAtMillis, let relative = deadlines[phase] else { return nil }
            return delivered + relative + (extensions[phase] ?? 0)
        }
    }

    /// What happened to one inject.
    public struct InjectState: Sendable, Hashable {
        /// When the engine first recorded its intent to fire it (exercise milliseconds).
        public var intentAtMillis: Int64?
        /// When it fired (exercise milliseconds), if it did.
        public var firedAtMillis: Int64?
        public var firedWallMillis: Int64?
        /// How many times it was fired (a director's `trigger` may fire it again).
        public var fireCount = 0
        /// Hosts where an action finished, and whether it succeeded.
        public var actionOutcomes: [String: Bool] = [:]
        /// Hosts where its `landed_when` check ran, and whether the event landed.
        public var landed: [String: Bool] = [:]
        /// Extensions granted for every team before delivery (applied at delivery).
        public var pendingExtensions: [ResponsePhase: Int64] = [:]
    }

    /// What happened to one target host.
    public struct HostState: Sendable, Hashable {
        /// Injects whose actions started on the host: each needs cleanup.
        public var touchedBy: Set<String> = []
        /// Injects whose cleanup succeeded on the host.
        public var cleanedFor: Set<String> = []
        /// Injects whose cleanup failed on the host (and did not later succeed).
        public var cleanupFailedFor: Set<String> = []
        /// How many actions failed on the host.
        public var failedActions = 0

        /// Injects still to be cleaned on this host, sorted.
        public var needsCleanup: [String] { touchedBy.subtracting(cleanedFor).sorted() }
    }

    /// An intent with no journaled outcome.
    public struct Intent: Sendable, Hashable {
        public var sequence: Int64
        public var kind: JournalEvent.Kind
        public var inject: String?
        public var host: String?
        public var team: String?
        public var idempotencyKey: String?
        /// For host actions: the action's index.
        public var step: Int64?
    }

    public var runID: String?
    public var scenario: String?
    public var status: Status = .created
    /// The sequence of the last event applied; 0 before any.
    public var lastSequence: Int64 = 0
    /// How many events were applied.
    public var eventCount = 0
    /// Events of kinds this version does not know.
    public var unknownEventCount = 0
    public var createdWallMillis: Int64?
    public var startexWallMillis: Int64?
    public var endexWallMillis: Int64?
    /// The latest exercise time seen, in milliseconds.
    public var lastExerciseMillis: Int64 = 0
    /// The wall time of the last event, UTC milliseconds.
    public var lastWallMillis: Int64?
    /// When the current pause began (UTC milliseconds), while ``status`` is `paused`.
    public var pausedSinceWallMillis: Int64?
    /// Injects by id.
    public var injects: [String: InjectState] = [:]
    /// Inject × team.
    public var teamInjects: [TeamInject: TeamInjectState] = [:]
    /// Hosts by inventory name.
    public var hosts: [String: HostState] = [:]
    /// Intents without outcomes, keyed by the intent's sequence. After a crash these are the actions whose
    /// outcome is unknown; `resume` journals each as ``JournalEvent/Kind/uncertain``.
    public var pendingIntents: [Int64: Intent] = [:]
    /// Intents journaled as uncertain.
    public var uncertainIntents: [Intent] = []

    public init() {}

    /// The state after `events`, in order.
    public static func fold(_ events: some Sequence<JournalEvent>) -> RunState {
        var state = RunState()
        for event in events { state.apply(event) }
        return state
    }

    /// Intents without outcomes, oldest first.
    public var unresolvedIntents: [Intent] { pendingIntents.values.sorted { $0.sequence < $1.sequence } }

    /// Ids of injects that fired, sorted.
    public var firedInjects: [String] { injects.filter { $0.value.fireCount > 0 }.keys.sorted() }

    /// Host → injects still to clean there, for hosts with any, sorted by host.
    public var hostsNeedingCleanup: [(host: String, injects: [String])] {
        hosts.compactMap { host, state in
            let pending = state.needsCleanup
            return pending.isEmpty ? nil : (host, pending)
        }.sorted { $0.host < $1.host }
    }

    /// The state of `inject` × `team`, if that team received or answered it.
    public func teamInject(_ inject: String, _ team: String) -> TeamInjectState? {
        teamInjects[TeamInject(inject: inject, team: team)]
    }

    /// Applies one event.
    public mutating func apply(_ event: JournalEvent) {
        eventCount += 1
        if let sequence = event.sequence { lastSequence = max(lastSequence, sequence) }
        if runID == nil { runID = event.runID }
        if event.exerciseMillis > lastExerciseMillis { lastExerciseMillis = event.exerciseMillis }
        lastWallMillis = event.wallMillis
        let previousStatus = status
        let known = event.kind.known
        status = status.next(known, event)

        switch known {
        case .runCreated:
            scenario = event.payload["scenario"]?.stringValue ?? scenario
            createdWallMillis = event.wallMillis
        case .startex:
            startexWallMillis = startexWallMillis ?? event.wallMillis
        case .injectIntent:
            guard let inject = event.inject else { break }
            injects[inject, default: InjectState()].intentAtMillis =
                injects[inject]?.intentAtMillis ?? event.exerciseMillis
            addPending(event, step: nil)
        case .injectFired:
            guard let inject = event.inject else { break }
            Self.markFired(&injects[inject, default: InjectState()], event)
            resolvePending(.injectIntent, inject: inject, host: nil, step: nil)
        case .hostActionStarted:
            guard let inject = event.inject, let host = event.host else { break }
            hosts[host, default: HostState()].touchedBy.insert(inject)
            addPending(event, step: event.payload["step"]?.int64Value ?? 0)
        case .hostActionResult:
            guard let inject = event.inject, let host = event.host else { break }
            let succeeded = Self.actionSucceeded(event.payload)
            injects[inject, default: InjectState()].actionOutcomes[host] = succeeded
            hosts[host, default: HostState()].touchedBy.insert(inject)
            if !succeeded { hosts[host, default: HostState()].failedActions += 1 }
            resolvePending(.hostActionStarted, inject: inject, host: host, step: event.payload["step"]?.int64Value ?? 0)
        case .landedCheck:
            guard let inject = event.inject, let host = event.host else { break }
            injects[inject, default: InjectState()].landed[host] = event.payload["passed"]?.boolValue ?? false
        case .delivered:
            applyDelivered(event)
        case .response:
            applyResponse(event)
        case .checkResult:
            guard let inject = event.inject, let team = event.team,
                event.payload["passed"]?.boolValue == true
            else { break }
            let key = TeamInject(inject: inject, team: team)
            if teamInjects[key, default: TeamInjectState()].resolvedByCheckAtMillis == nil {
                teamInjects[key, default: TeamInjectState()].resolvedByCheckAtMillis = event.exerciseMillis
            }
        case .deadlineMet, .deadlineMissed:
            guard let inject = event.inject, let team = event.team,
                let phase = event.payload["phase"]?.stringValue.flatMap(ResponsePhase.init(rawValue:))
            else { break }
            teamInjects[TeamInject(inject: inject, team: team), default: TeamInjectState()].deadlineOutcomes[phase] =
                event.kind.known == .deadlineMet
        case .control:
            applyControl(event, previousStatus: previousStatus)
        case .cleanupIntent:
            addPending(event, step: nil)
        case .cleanupResult:
            guard let inject = event.inject, let host = event.host else { break }
            Self.recordCleanup(
                &hosts[host, default: HostState()],
                inject: inject,
                succeeded: event.payload["succeeded"]?.boolValue == true
            )
            resolvePending(.cleanupIntent, inject: inject, host: host, step: nil)
        case .observation:
            guard let inject = event.inject, let team = event.team else { break }
            teamInjects[TeamInject(inject: inject, team: team), default: TeamInjectState()].observationCount += 1
        case .endex:
            endexWallMillis = event.wallMillis
            pausedSinceWallMillis = nil
        case .uncertain:
            guard let sequence = event.payload["intentSequence"]?.int64Value else { break }
            if let intent = pendingIntents.removeValue(forKey: sequence) {
                uncertainIntents.append(intent)
                let key = PendingKey(kind: intent.kind, inject: intent.inject, host: intent.host, step: intent.step)
                if pendingIndex[key] == sequence { pendingIndex.removeValue(forKey: key) }
            }
        default:
            unknownEventCount += 1
        }
    }

    private static func actionSucceeded(_ payload: JournalValue) -> Bool {
        payload["exitStatus"]?.int64Value == 0 && payload["timedOut"]?.boolValue != true
            && (payload["error"] == nil || payload["error"] == .null)
    }

    private mutating func applyDelivered(_ event: JournalEvent) {
        guard let inject = event.inject, let team = event.team else { return }
        let pending = injects[inject]?.pendingExtensions ?? [:]
        Self.deliver(&teamInjects[TeamInject(inject: inject, team: team), default: TeamInjectState()], event, pending)
    }

    // The helpers below take the stored value `inout`, so dictionary entries are changed in place (no copy of
    // their inner collections), which keeps the fold linear and fast.

    private static func deliver(
        _ state: inout TeamInjectState,
        _ event: JournalEvent,
        _ pendingExtensions: [ResponsePhase: Int64]
    ) {
        guard state.deliveredAtMillis == nil else { return }
        state.deliveredAtMillis = event.exerciseMillis
        state.deliveredWallMillis = event.wallMillis
        if let deadlines = event.payload["deadlines"]?.objectValue {
            for (name, value) in deadlines {
                if let phase = ResponsePhase(rawValue: name), let millis = value.int64Value {
                    state.deadlines[phase] = millis
                }
            }
        }
        for (phase, millis) in pendingExtensions { state.extensions[phase, default: 0] += millis }
    }

    private static func markFired(_ state: inout InjectState, _ event: JournalEvent) {
        state.fireCount += 1
        if state.firedAtMillis == nil {
            state.firedAtMillis = event.exerciseMillis
            state.firedWallMillis = event.wallMillis
        }
    }

    private static func recordCleanup(_ state: inout HostState, inject: String, succeeded: Bool) {
        if succeeded {
            state.cleanedFor.insert(inject)
            state.cleanupFailedFor.remove(inject)
        } else if !state.cleanedFor.contains(inject) {
            state.cleanupFailedFor.insert(inject)
        }
    }

    private static func respond(_ state: inout TeamInjectState, _ event: JournalEvent, _ phase: ResponsePhase) {
        state.responseCounts[phase, default: 0] += 1
        guard state.responses[phase] == nil else { return }
        let late = state.deadline(phase).map { event.exerciseMillis > $0 } ?? false
        state.responses[phase] = PhaseResponse(
            sequence: event.sequence ?? 0,
            exerciseMillis: event.exerciseMillis,
            wallMillis: event.wallMillis,
            late: late,
            actor: event.actor
        )
    }

    private mutating func applyResponse(_ event: JournalEvent) {
        guard let inject = event.inject, let team = event.team,
            let phase = event.payload["phase"]?.stringValue.flatMap(ResponsePhase.init(rawValue:))
        else { return }
        Self.respond(&teamInjects[TeamInject(inject: inject, team: team), default: TeamInjectState()], event, phase)
    }

    private mutating func applyControl(_ event: JournalEvent, previousStatus: Status) {
        guard let action = event.payload["action"]?.stringValue.flatMap(ControlPayload.Action.init(rawValue:)) else {
            return
        }
        switch action {
        case .pause:
            if previousStatus == .running { pausedSinceWallMillis = event.wallMillis }
        case .resume, .abort:
            if status != .paused { pausedSinceWallMillis = nil }
        case .trigger, .skip:
            break
        case .extend:
            guard let inject = event.inject,
                let phase = event.payload["phase"]?.stringValue.flatMap(ResponsePhase.init(rawValue:)),
                let millis = event.payload["extensionMillis"]?.int64Value
            else { return }
            if let team = event.team {
                teamInjects[TeamInject(inject: inject, team: team), default: TeamInjectState()].extensions[
                    phase,
                    default: 0
                ] += millis
            } else {
                // Every team that has it now, and every team it reaches later.
                for key in teamInjects.keys where key.inject == inject {
                    teamInjects[key]!.extensions[phase, default: 0] += millis
                }
                injects[inject, default: InjectState()].pendingExtensions[phase, default: 0] += millis
            }
        }
    }

    private mutating func addPending(_ event: JournalEvent, step: Int64?) {
        guard let sequence = event.sequence else { return }
        pendingIntents[sequence] = Intent(
            sequence: sequence,
            kind: event.kind,
            inject: event.inject,
            host: event.host,
            team: event.team,
            idempotencyKey: event.idempotencyKey,
            step: step
        )
        pendingIndex[PendingKey(kind: event.kind, inject: event.inject, host: event.host, step: step)] = sequence
    }

    private mutating func resolvePending(_ kind: JournalEvent.Kind, inject: String?, host: String?, step: Int64?) {
        let key = PendingKey(kind: kind, inject: inject, host: host, step: step)
        if let sequence = pendingIndex.removeValue(forKey: key) {
            pendingIntents.removeValue(forKey: sequence)
        }
    }

    /// Finds the open intent an outcome answers without scanning all intents.
    private struct PendingKey: Hashable, Sendable {
        var kind: JournalEvent.Kind
        var inject: String?
        var host: String?
        var step: Int64?
    }

    private var pendingIndex: [PendingKey: Int64] = [:]
}

extension RunState {
    /// Why a team's response cannot be recorded now, or `nil` when it can. `drillctl respond` and the portal both
    /// ask this before appending a ``JournalEvent/Kind/response``, so they refuse the same things with the same
    /// words. Late responses are allowed (they are marked late); responses after ENDEX or an abort are allowed
    /// too, since a team may report what it did in the last minutes. Refused: a run that has not started, and an
    /// inject the team never received.
    public func refusalOfResponse(inject: String, team: String) -> String? {
        if status == .created {
            return "the drill has not started yet (no STARTEX); nothing can be answered before it does"
        }
        guard teamInjects[TeamInject(inject: inject, team: team)]?.deliveredAtMillis != nil else {
            if injects[inject] == nil {
                return "inject '\(inject)' has not been fired in this run"
            }
            return "team '\(team)' did not receive inject '\(inject)'; a team answers only the injects delivered to it"
        }
        return nil
    }
}
