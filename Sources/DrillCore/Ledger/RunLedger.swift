/// Where a run is in its life.
public enum RunStatus: String, Sendable, Hashable, Codable {
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

    /// The status after `body`: STARTEX starts the run, controls pause, resume and abort it, ENDEX ends it (an
    /// aborted run stays aborted). The store keeps its cached status with this same rule.
    public func next(_ body: RunEvent.Body) -> RunStatus {
        switch body {
        case .startex: return self == .created ? .running : self
        case .endex: return self == .aborted ? .aborted : .ended
        case .control(let control):
            switch control.action {
            case .pause: return self == .running ? .paused : self
            case .resume: return self == .paused ? .running : self
            case .abort: return isFinished ? self : .aborted
            default: return self
            }
        default: return self
        }
    }

    /// The status after a wire event (see ``next(_:)``).
    public func next(applying event: JournalEvent) -> RunStatus { next(RunEvent(event).body) }
}

/// A moment of the run on both clocks.
public struct Moment: Sendable, Hashable, Codable {
    /// Milliseconds of exercise time since STARTEX (paused time excluded).
    public var exerciseMillis: Int64
    /// UTC milliseconds since 1970.
    public var wallMillis: Int64

    public init(exerciseMillis: Int64, wallMillis: Int64) {
        self.exerciseMillis = exerciseMillis
        self.wallMillis = wallMillis
    }
}

/// The one record of what happened in a run: a pure fold of its typed journal events.
///
/// Every reader reads a run through this fold: the engine (which adds only its own in-flight bookkeeping), the
/// portal's pages, board and live stream, `ctl status`, `runs`, the demo summary, and the evaluation behind the
/// report. It holds facts only; what they mean (is a phase met, did an inject land) is decided by ``RunRules``,
/// which every reader calls in turn, so every view agrees.
///
/// Build it with ``init(events:scenario:options:)`` or keep one and ``apply(_:)`` events as they are tailed;
/// applying the same events in the same order always gives the same ledger. An event of a kind this version does
/// not know is counted in ``unknownEventCount``; one of a known kind that cannot be read is listed in
/// ``unreadable`` with its sequence. Neither stops the fold, and no value in a journal can make it trap (sums
/// saturate).
public struct RunLedger: Sendable {
    /// What the fold keeps beyond the facts every reader needs.
    public struct Options: Sendable, Hashable {
        /// Keep a short entry per event (``log``), for the report's event log.
        public var keepsLog: Bool
        /// Keep every check's evidence (``evidence``), for the report's evidence appendix.
        public var keepsEvidence: Bool

        public init(keepsLog: Bool = false, keepsEvidence: Bool = false) {
            self.keepsLog = keepsLog
            self.keepsEvidence = keepsEvidence
        }

        /// What the report needs.
        public static let report = Options(keepsLog: true, keepsEvidence: true)
    }

    /// An inject and a team it reached.
    public struct PairKey: Sendable, Hashable, Comparable, CustomStringConvertible {
        public var inject: String
        public var team: String
        public init(inject: String, team: String) {
            self.inject = inject
            self.team = team
        }
        public static func < (lhs: PairKey, rhs: PairKey) -> Bool { (lhs.inject, lhs.team) < (rhs.inject, rhs.team) }
        public var description: String { "\(inject)>\(team)" }
    }

    /// A host and an inject that acted on it.
    public struct HostKey: Sendable, Hashable, Comparable {
        public var host: String
        public var inject: String
        public init(host: String, inject: String) {
            self.host = host
            self.inject = inject
        }
        public static func < (lhs: HostKey, rhs: HostKey) -> Bool { (lhs.host, lhs.inject) < (rhs.host, rhs.inject) }
    }

    /// An inject's message reaching a team.
    public struct Delivery: Sendable, Hashable {
        public var sequence: Int64
        public var at: Moment
        public var message: String?
        public var severity: String?
        /// Deadlines relative to delivery, in exercise milliseconds, as delivered.
        public var relativeDeadlines: [ResponsePhase: Int64]
        /// The phases asked of the team, as delivered (nil in journals that predate it).
        public var expects: [ResponsePhase]?
        /// True when resolution is confirmed by a check, as delivered (nil in journals that predate it).
        public var resolveByCheck: Bool?
        /// The team's hosts the inject acts on, as delivered (nil in journals that predate it).
        public var hosts: [String]?
    }

    /// A team's response.
    public struct Response: Sendable, Hashable {
        public var sequence: Int64
        public var phase: ResponsePhase
        public var at: Moment
        public var actor: JournalEvent.Actor?
        public var text: String?
    }

    /// The engine's latest journaled verdict on a phase.
    public struct Verdict: Sendable, Hashable {
        public var sequence: Int64
        public var status: PhaseStatus
        public var deadlineMillis: Int64?
        public var doneAtMillis: Int64?
        public var at: Moment
        /// How many verdicts on this phase were journaled (this is the last).
        public var count: Int
    }

    /// An evaluator's latest observation of a pair.
    public struct Observation: Sendable, Hashable {
        public var sequence: Int64
        public var at: Moment
        /// The evaluator: the actor's id, else its text.
        public var evaluator: String
        public var scores: [String: Double]
        /// The HSEEP rating as written (`P`, `S`, `M`, `U`), if any.
        public var rating: String?
        public var notes: String?
        public var strengths: [String]
        public var improvements: [String]
    }

    /// A reconciled panel rating.
    public struct Reconciliation: Sendable, Hashable {
        public var sequence: Int64
        public var at: Moment
        public var rating: String
        public var reason: String
        public var actor: JournalEvent.Actor?
    }

    /// What happened between one inject and one team.
    public struct Pair: Sendable, Hashable {
        /// The first delivery (response times count from here).
        public var delivery: Delivery?
        /// How many times it was delivered (a re-trigger delivers again).
        public var deliveryCount = 0
        /// Extensions granted for this team only, per phase (saturating sums).
        public var teamExtensions: [ResponsePhase: Int64] = [:]
        /// Every response, in journal order.
        public var responses: [Response] = []
        /// The first response in each phase.
        public var firstResponse: [ResponsePhase: Response] = [:]
        /// The engine's latest verdict per phase.
        public var verdicts: [ResponsePhase: Verdict] = [:]
        /// Deadline verdicts of journals written before phase verdicts (true = met).
        public var legacyVerdicts: [ResponsePhase: Bool] = [:]
        /// The latest observation of each evaluator.
        public var observations: [String: Observation] = [:]
        /// How many observations were recorded.
        public var observationCount = 0
        /// The latest reconciled rating, if any.
        public var reconciliation: Reconciliation?

        /// How many responses were recorded in `phase`.
        public func responseCount(_ phase: ResponsePhase) -> Int { responses.lazy.filter { $0.phase == phase }.count }
    }

    /// One firing of an inject: its intent and, once finished, its completion.
    public struct Firing: Sendable, Hashable {
        /// The intent's idempotency key.
        public var key: String
        public var sequence: Int64
        public var occurrence: Int
        /// The team an escalation firing was decided for, if it was decided per team.
        public var team: String?
        public var reason: String?
        public var scheduledMillis: Int64?
        public var hosts: [String]
        public var teams: [String]
        /// How many actions run on each host (nil in journals that predate it).
        public var steps: Int?
        /// True when a `landed_when` check decides landing (nil in journals that predate it).
        public var landedCheck: Bool?
        public var intent: Moment
        /// When its `inject_fired` was journaled.
        public var fired: Moment?
    }

    /// What happened to one inject.
    public struct InjectRecord: Sendable, Hashable {
        /// Its firings, in journal order.
        public var firings: [Firing] = []
        /// When it first fired (its first `inject_fired`).
        public var fired: Moment?
        /// How many firings finished.
        public var fireCount = 0
        /// Extensions granted for every team it reaches, per phase (saturating sums).
        public var allTeamsExtensions: [ResponsePhase: Int64] = [:]
        /// True when the director chose not to fire it after an outage.
        public var skipped = false

        /// When its first intent was journaled.
        public var firstIntent: Moment? { firings.first?.intent }
        /// The teams and hosts its firings reach.
        public var teams: Set<String> { Set(firings.flatMap(\.teams)) }
        public var hosts: Set<String> { Set(firings.flatMap(\.hosts)) }
        /// Why it fired, over all firings.
        public var reasons: Set<String> { Set(firings.compactMap(\.reason)) }
        /// The firing with intent key `key`.
        public func firing(_ key: String) -> Firing? { firings.first { $0.key == key } }
    }

    /// An action's outcome on a host.
    public struct ActionResult: Sendable, Hashable {
        public var step: Int
        public var succeeded: Bool
        /// False when the command never started (nothing there needs cleaning up).
        public var started: Bool
        public var exitStatus: Int64?
        public var timedOut: Bool
        public var error: String?
        public var runMillis: Int64?
        public var at: Moment
        /// True when the engine stopped before the outcome was journaled.
        public var uncertain: Bool
    }

    /// The polls of an inject's `resolved_when` check on one host.
    public struct CheckPolls: Sendable, Hashable {
        public var count = 0
        public var first: Moment?
        public var last: Moment?
        public var firstPass: Moment?
        public var lastPassed = false
        /// The team the polls were for.
        public var team: String?
    }

    /// Cleanup of one inject on one host.
    public struct Cleanup: Sendable, Hashable {
        /// Cleanup intents journaled (attempts).
        public var attempts = 0
        public var succeeded = false
        /// True when the last finished attempt failed and none succeeded.
        public var failed = false
        /// True when an attempt's outcome was never journaled.
        public var uncertain = false
        /// The last failure's exit status, error or output, shortened.
        public var detail: String?
        /// The rendered commands of the last attempt.
        public var commands: [String] = []
    }

    /// What one inject did on one host.
    public struct HostInject: Sendable, Hashable {
        /// The team the host's events name.
        public var team: String?
        /// Steps whose intent was journaled, with when.
        public var started: [Int: Moment] = [:]
        /// Steps whose outcome is known (or uncertain).
        public var results: [Int: ActionResult] = [:]
        /// Outcomes by the idempotency key of the action's intent (one per firing and step), so that a firing
        /// continued after a crash knows which of its own steps are done.
        public var resultsByIntent: [String: ActionResult] = [:]
        /// The `landed_when` verdict, if it ran.
        public var landedCheck: Bool?
        public var landedAt: Moment?
        /// The `resolved_when` polls.
        public var checks = CheckPolls()
        public var cleanup = Cleanup()

        /// True when an action may have run on the host: an intent whose outcome is unknown, or a result that
        /// does not say the command never started. Only such hosts need cleanup.
        public var touched: Bool {
            started.keys.contains { step in results[step].map { $0.started || $0.uncertain } ?? true }
                || results.values.contains { $0.started || $0.uncertain }
        }
    }

    /// An intent with no journaled outcome yet.
    public struct Intent: Sendable, Hashable {
        public var sequence: Int64
        public var kind: JournalEvent.Kind
        public var inject: String?
        public var host: String?
        public var team: String?
        public var idempotencyKey: String?
        /// For host actions: the action's index.
        public var step: Int?
    }

    /// A control as journaled.
    public struct Control: Sendable, Hashable {
        public var sequence: Int64
        public var at: Moment
        public var action: ControlPayload.Action
        public var inject: String?
        public var team: String?
        public var phase: ResponsePhase?
        public var extensionMillis: Int64?
        public var actor: JournalEvent.Actor?
        public var reason: String?
    }

    /// An event of a known kind that could not be read (reported with its sequence, then skipped).
    public struct Unreadable: Sendable, Hashable {
        public var sequence: Int64
        public var kind: String
        public var reason: String
    }

    // MARK: - The run

    public let options: Options
    public private(set) var runID: String?
    /// The scenario's `drill` id, from `run_created`.
    public private(set) var drill: String?
    public private(set) var title: String?
    public private(set) var timeZone: String?
    public private(set) var plannedDurationMillis: Int64?
    public private(set) var status: RunStatus = .created
    /// The run's exercise clock, as every process builds it.
    public private(set) var clock = RunClock()
    public private(set) var created: Moment?
    public private(set) var startex: Moment?
    public private(set) var endex: Moment?
    public private(set) var endexReason: String?
    public private(set) var aborted: Moment?
    public private(set) var abortReason: String?
    /// The sequence of the last event applied; 0 before any.
    public private(set) var lastSequence: Int64 = 0
    public private(set) var eventCount = 0
    public private(set) var unknownEventCount = 0
    public private(set) var unreadable: [Unreadable] = []
    /// The latest exercise time seen, in milliseconds.
    public private(set) var lastExerciseMillis: Int64 = 0
    /// The latest wall time seen, UTC milliseconds.
    public private(set) var lastWallMillis: Int64 = 0
    /// When the current pause began (UTC milliseconds), while paused.
    public private(set) var pausedSinceWallMillis: Int64?
    public private(set) var pauses: [Pause] = []
    public private(set) var controls: [Control] = []
    public private(set) var extensions: [DeadlineExtension] = []

    // MARK: - Injects, teams, hosts

    public private(set) var injects: [String: InjectRecord] = [:]
    public private(set) var pairs: [PairKey: Pair] = [:]
    /// Pairs in the order they were first delivered.
    public private(set) var deliveryOrder: [PairKey] = []
    public private(set) var hostInjects: [HostKey: HostInject] = [:]
    /// The hosts each inject's events name (actions, checks, cleanup), by inject.
    public private(set) var hostsOfInject: [String: Set<String>] = [:]
    /// The team each host's events name (the first seen).
    public private(set) var hostTeams: [String: String] = [:]
    /// Intents without outcomes, by sequence. After a crash these are the actions whose outcome is unknown;
    /// `resume` journals each as ``JournalEvent/Kind/uncertain``.
    public private(set) var pendingIntents: [Int64: Intent] = [:]
    /// Intents journaled as uncertain, in order.
    public private(set) var uncertainIntents: [Intent] = []

    // MARK: - Kept on request

    public private(set) var log: [EventLogEntry] = []
    public private(set) var evidence: [EvidenceItem] = []

    /// The scenario the run was created from, when the reader has it: it fills in what journals written before
    /// some payload members existed do not say (the phases an inject expects, whether a check confirms
    /// resolution).
    public let scenario: Scenario?

    public init(scenario: Scenario? = nil, options: Options = Options()) {
        self.scenario = scenario
        self.options = options
    }

    /// The ledger of `events`, in order.
    public init(events: some Sequence<JournalEvent>, scenario: Scenario? = nil, options: Options = Options()) {
        self.init(scenario: scenario, options: options)
        for event in events { apply(event) }
    }

    /// The ledger of typed `events`, in order.
    public init(typed events: some Sequence<RunEvent>, scenario: Scenario? = nil, options: Options = Options()) {
        self.init(scenario: scenario, options: options)
        for event in events { apply(event) }
    }

    // MARK: - Reading

    /// The pair of `inject` and `team`, if the inject reached or concerns the team.
    public func pair(_ inject: String, _ team: String) -> Pair? { pairs[PairKey(inject: inject, team: team)] }

    /// The delivered pairs of `team`, in delivery order.
    public func deliveries(toTeam team: String) -> [PairKey] { deliveryOrder.filter { $0.team == team } }

    /// Ids of injects that fired, sorted.
    public var firedInjects: [String] { injects.filter { $0.value.fireCount > 0 }.keys.sorted() }

    /// Host → injects still to put back there (an action may have run there and no cleanup succeeded), sorted
    /// by host. A host where nothing started is never listed.
    public var hostsNeedingCleanup: [(host: String, injects: [String])] {
        var byHost: [String: [String]] = [:]
        for (key, hostInject) in hostInjects where hostInject.touched && !hostInject.cleanup.succeeded {
            byHost[key.host, default: []].append(key.inject)
        }
        return byHost.keys.sorted().map { ($0, byHost[$0]!.sorted()) }
    }

    /// Intents without outcomes, oldest first.
    public var unresolvedIntents: [Intent] { pendingIntents.values.sorted { $0.sequence < $1.sequence } }

    /// The exercise time the run has covered: ENDEX's, the abort's, or the latest seen.
    public var coveredExerciseMillis: Int64 {
        endex?.exerciseMillis ?? aborted?.exerciseMillis ?? lastExerciseMillis
    }

    /// The exercise time at wall time `wall`: from the run's clock while it runs, standing still once it is over.
    public func exerciseMillis(atWall wall: Int64) -> Int64 {
        status.isFinished ? coveredExerciseMillis : clock.exerciseMillis(atWallMillis: wall)
    }

    // MARK: - Applying

    /// Applies one wire event (decoded once, here).
    public mutating func apply(_ event: JournalEvent) { apply(RunEvent(event)) }

    /// Applies one typed event.
    public mutating func apply(_ event: RunEvent) {
        eventCount += 1
        lastSequence = max(lastSequence, event.sequence)
        if runID == nil { runID = event.runID }
        lastExerciseMillis = max(lastExerciseMillis, event.exerciseMillis)
        lastWallMillis = max(lastWallMillis, event.wallMillis)
        if let host = event.host, let team = event.team, hostTeams[host] == nil { hostTeams[host] = team }
        if let host = event.host, let inject = event.inject { hostsOfInject[inject, default: []].insert(host) }
        let at = Moment(exerciseMillis: event.exerciseMillis, wallMillis: event.wallMillis)
        let previous = status
        status = status.next(event.body)
        clock.apply(event)

        switch event.body {
        case .runCreated(let created):
            drill = created.scenario
            title = created.title
            timeZone = created.timezone
            plannedDurationMillis = created.durationMillis
            self.created = at
        case .startex:
            if startex == nil { startex = at }
        case .injectIntent(let intent):
            applyIntent(event, intent, at)
        case .injectFired(let fired):
            applyFired(event, fired, at)
        case .hostActionStarted(let started):
            guard let inject = event.inject, let host = event.host else { break }
            let key = HostKey(host: host, inject: inject)
            hostInjects[key, default: HostInject()].started[started.step] = at
            if hostInjects[key]?.team == nil { hostInjects[key]?.team = event.team }
            addPending(event, step: started.step)
        case .hostActionResult(let result):
            guard let inject = event.inject, let host = event.host else { break }
            let key = HostKey(host: host, inject: inject)
            let outcome = ActionResult(
                step: result.step,
                succeeded: RunRules.actionSucceeded(result),
                started: RunRules.actionStarted(result),
                exitStatus: result.exitStatus.map(Int64.init),
                timedOut: result.timedOut,
                error: result.error,
                runMillis: result.runMillis,
                at: at,
                uncertain: false
            )
            hostInjects[key, default: HostInject()].results[result.step] = outcome
            if let intentKey = pendingIntentKey(.hostActionStarted, inject: inject, host: host, step: result.step) {
                hostInjects[key]?.resultsByIntent[intentKey] = outcome
            }
            if hostInjects[key]?.team == nil { hostInjects[key]?.team = event.team }
            resolvePending(.hostActionStarted, inject: inject, host: host, step: result.step)
        case .landedCheck(let check):
            guard let inject = event.inject, let host = event.host else { break }
            let key = HostKey(host: host, inject: inject)
            // Landed once is landed: a later failing verdict does not undo it.
            let before = hostInjects[key]?.landedCheck ?? false
            hostInjects[key, default: HostInject()].landedCheck = before || check.passed
            if check.passed || hostInjects[key]?.landedAt == nil { hostInjects[key]?.landedAt = at }
            if options.keepsEvidence { evidence.append(EvidenceItem(event, check, kind: .landed, team: event.team)) }
        case .checkResult(let check):
            guard let inject = event.inject, let host = event.host else { break }
            let key = HostKey(host: host, inject: inject)
            Self.poll(&hostInjects[key, default: HostInject()].checks, passed: check.passed, at: at, team: event.team)
            if options.keepsEvidence {
                evidence.append(EvidenceItem(event, check, kind: .resolved, team: event.team ?? hostTeams[host]))
            }
        case .delivered(let delivered):
            applyDelivered(event, delivered, at)
        case .response(let response):
            guard let inject = event.inject, let team = event.team else { break }
            let record = Response(
                sequence: event.sequence,
                phase: response.phase,
                at: at,
                actor: event.actor,
                text: response.text
            )
            Self.respond(&pairs[PairKey(inject: inject, team: team), default: Pair()], record)
        case .deadlineMet(let deadline), .deadlineMissed(let deadline):
            guard let inject = event.inject, let team = event.team else { break }
            let met: Bool
            if case .deadlineMet = event.body { met = true } else { met = false }
            pairs[PairKey(inject: inject, team: team), default: Pair()].legacyVerdicts[deadline.phase] = met
        case .phaseVerdict(let verdict):
            guard let inject = event.inject, let team = event.team else { break }
            Self.record(&pairs[PairKey(inject: inject, team: team), default: Pair()], verdict, event.sequence, at)
        case .control(let control):
            applyControl(event, control, at, previous: previous)
        case .cleanupIntent(let intent):
            guard let inject = event.inject, let host = event.host else { break }
            let key = HostKey(host: host, inject: inject)
            hostInjects[key, default: HostInject()].cleanup.attempts += 1
            hostInjects[key]?.cleanup.commands = intent.commands
            addPending(event, step: nil)
        case .cleanupResult(let result):
            guard let inject = event.inject, let host = event.host else { break }
            Self.recordCleanup(&hostInjects[HostKey(host: host, inject: inject), default: HostInject()].cleanup, result)
            resolvePending(.cleanupIntent, inject: inject, host: host, step: nil)
        case .observation(let observation):
            guard let inject = event.inject, let team = event.team else { break }
            Self.observe(&pairs[PairKey(inject: inject, team: team), default: Pair()], observation, event, at)
        case .ratingReconciled(let reconciled):
            guard let inject = event.inject, let team = event.team else { break }
            pairs[PairKey(inject: inject, team: team), default: Pair()].reconciliation = Reconciliation(
                sequence: event.sequence,
                at: at,
                rating: reconciled.rating,
                reason: reconciled.reason,
                actor: event.actor
            )
        case .endex(let endex):
            if self.endex == nil {
                self.endex = at
                endexReason = endex.reason
            }
            pausedSinceWallMillis = nil
            if let last = pauses.indices.last, pauses[last].to == nil { pauses[last].to = at }
        case .uncertain(let uncertain):
            applyUncertain(uncertain, event, at)
        case .unknown:
            unknownEventCount += 1
        case .unreadable(let kind, _, let reason):
            unreadable.append(Unreadable(sequence: event.sequence, kind: kind, reason: reason))
        }
        if options.keepsLog { log.append(EventLogEntry(event)) }
    }

    private mutating func applyIntent(_ event: RunEvent, _ intent: InjectIntentPayload, _ at: Moment) {
        guard let inject = event.inject else { return }
        let key = event.idempotencyKey ?? "inject:\(inject)#\(event.sequence)"
        var occurrence = 1
        var team: String?
        if case .injectIntent(_, let n, let t)? = event.key {
            occurrence = n
            team = t
        }
        let firing = Firing(
            key: key,
            sequence: event.sequence,
            occurrence: occurrence,
            team: team,
            reason: intent.reason,
            scheduledMillis: intent.scheduledMillis,
            hosts: intent.hosts,
            teams: intent.teams,
            steps: intent.steps,
            landedCheck: intent.landedCheck,
            intent: at,
            fired: nil
        )
        var record = injects[inject, default: InjectRecord()]
        if !record.firings.contains(where: { $0.key == key }) { record.firings.append(firing) }
        injects[inject] = record
        addPending(event, step: nil)
    }

    private mutating func applyFired(_ event: RunEvent, _ fired: InjectFiredPayload, _ at: Moment) {
        guard let inject = event.inject else { return }
        var record = injects[inject, default: InjectRecord()]
        record.fireCount += 1
        if record.fired == nil { record.fired = at }
        // The firing it completes: by its intent key; in journals that do not say, the oldest unfinished one.
        let index =
            fired.intentKey.flatMap { key in record.firings.firstIndex { $0.key == key } }
            ?? record.firings.firstIndex { $0.fired == nil }
        if let index, record.firings[index].fired == nil {
            record.firings[index].fired = at
            if let sequence = pendingIntentSequence(forFiring: record.firings[index].sequence) {
                removePending(sequence)
            }
        }
        injects[inject] = record
    }

    private mutating func applyDelivered(_ event: RunEvent, _ delivered: DeliveredPayload, _ at: Moment) {
        guard let inject = event.inject, let team = event.team else { return }
        let key = PairKey(inject: inject, team: team)
        var pair = pairs[key, default: Pair()]
        pair.deliveryCount += 1
        if pair.delivery == nil {
            var relative: [ResponsePhase: Int64] = [:]
            for phase in ResponsePhase.allCases {
                if let millis = delivered.deadline(phase) { relative[phase] = millis }
            }
            pair.delivery = Delivery(
                sequence: event.sequence,
                at: at,
                message: delivered.message,
                severity: delivered.severity,
                relativeDeadlines: relative,
                expects: delivered.expects,
                resolveByCheck: delivered.resolveByCheck,
                hosts: delivered.hosts
            )
            deliveryOrder.append(key)
        }
        pairs[key] = pair
    }

    private mutating func applyControl(
        _ event: RunEvent,
        _ control: ControlPayload,
        _ at: Moment,
        previous: RunStatus
    ) {
        controls.append(
            Control(
                sequence: event.sequence,
                at: at,
                action: control.action,
                inject: event.inject,
                team: event.team,
                phase: control.phase,
                extensionMillis: control.extensionMillis,
                actor: event.actor,
                reason: control.reason
            )
        )
        let actor = event.actor?.description
        switch control.action {
        case .pause:
            if previous == .running {
                pausedSinceWallMillis = event.wallMillis
                pauses.append(Pause(from: at, to: nil, actor: actor, reason: control.reason))
            }
        case .resume:
            if previous == .paused {
                pausedSinceWallMillis = nil
                if let last = pauses.indices.last, pauses[last].to == nil { pauses[last].to = at }
            }
        case .abort:
            if !previous.isFinished {
                aborted = at
                abortReason = control.reason
                pausedSinceWallMillis = nil
                if let last = pauses.indices.last, pauses[last].to == nil { pauses[last].to = at }
            }
        case .trigger:
            break
        case .skip:
            if let inject = event.inject { injects[inject, default: InjectRecord()].skipped = true }
        case .extend:
            guard let inject = event.inject, let phase = control.phase, let millis = control.extensionMillis,
                millis > 0
            else { return }
            extensions.append(
                DeadlineExtension(
                    inject: inject,
                    team: event.team,
                    phase: phase,
                    extensionMillis: millis,
                    at: at,
                    actor: actor,
                    reason: control.reason
                )
            )
            if let team = event.team {
                let key = PairKey(inject: inject, team: team)
                pairs[key, default: Pair()].teamExtensions[phase] =
                    (pairs[key]?.teamExtensions[phase] ?? 0).addingSaturating(millis)
            } else {
                injects[inject, default: InjectRecord()].allTeamsExtensions[phase] =
                    (injects[inject]?.allTeamsExtensions[phase] ?? 0).addingSaturating(millis)
            }
        }
    }

    private mutating func applyUncertain(_ uncertain: UncertainPayload, _ event: RunEvent, _ at: Moment) {
        guard let intent = pendingIntents[uncertain.intentSequence] else { return }
        removePending(uncertain.intentSequence)
        uncertainIntents.append(intent)
        guard let host = intent.host, let inject = intent.inject else { return }
        let key = HostKey(host: host, inject: inject)
        if intent.kind == .cleanupIntent {
            hostInjects[key, default: HostInject()].cleanup.uncertain = true
        } else if intent.kind == .hostActionStarted, let step = intent.step {
            let outcome = ActionResult(
                step: step,
                succeeded: false,
                started: true,
                exitStatus: nil,
                timedOut: false,
                error: uncertain.reason,
                runMillis: nil,
                at: at,
                uncertain: true
            )
            if hostInjects[key]?.results[step] == nil {
                hostInjects[key, default: HostInject()].results[step] = outcome
            }
            if let intentKey = intent.idempotencyKey {
                hostInjects[key, default: HostInject()].resultsByIntent[intentKey] = outcome
            }
        }
    }

    // The helpers below take the stored value `inout`, so dictionary entries are changed in place (no copy of
    // their inner collections), which keeps the fold linear and fast.

    private static func poll(_ polls: inout CheckPolls, passed: Bool, at: Moment, team: String?) {
        polls.count += 1
        if polls.first == nil { polls.first = at }
        polls.last = at
        polls.lastPassed = passed
        if passed, polls.firstPass == nil { polls.firstPass = at }
        if polls.team == nil { polls.team = team }
    }

    private static func respond(_ pair: inout Pair, _ response: Response) {
        pair.responses.append(response)
        if pair.firstResponse[response.phase] == nil { pair.firstResponse[response.phase] = response }
    }

    private static func record(_ pair: inout Pair, _ verdict: PhaseVerdictPayload, _ sequence: Int64, _ at: Moment) {
        let count = (pair.verdicts[verdict.phase]?.count ?? 0) + 1
        pair.verdicts[verdict.phase] = Verdict(
            sequence: sequence,
            status: verdict.status,
            deadlineMillis: verdict.deadlineMillis,
            doneAtMillis: verdict.doneAtMillis,
            at: at,
            count: count
        )
    }

    private static func observe(_ pair: inout Pair, _ observation: ObservationPayload, _ event: RunEvent, _ at: Moment)
    {
        let evaluator = event.actor?.id ?? event.actor?.description ?? "evaluator"
        pair.observationCount += 1
        pair.observations[evaluator] = Observation(
            sequence: event.sequence,
            at: at,
            evaluator: evaluator,
            scores: observation.scores,
            rating: observation.rating,
            notes: observation.notes,
            strengths: (observation.strengths ?? []).filter { !$0.isEmpty },
            improvements: (observation.improvements ?? []).filter { !$0.isEmpty }
        )
    }

    private static func recordCleanup(_ cleanup: inout Cleanup, _ result: CleanupResultPayload) {
        if result.succeeded {
            cleanup.succeeded = true
            cleanup.failed = false
            cleanup.detail = nil
        } else if !cleanup.succeeded {
            cleanup.failed = true
            var parts: [String] = []
            if let exit = result.exitStatus { parts.append("exit \(exit)") }
            if let error = result.error { parts.append(error) }
            if !result.outputExcerpt.isEmpty { parts.append(result.outputExcerpt) }
            cleanup.detail = parts.isEmpty ? nil : EventLogEntry.shorten(parts.joined(separator: "; "))
        }
    }

    // MARK: - Open intents

    /// Finds the open intent an outcome answers without scanning all intents.
    private struct PendingKey: Hashable, Sendable {
        var kind: JournalEvent.Kind
        var inject: String?
        var host: String?
        var step: Int?
        var firing: Int64?
    }

    private var pendingIndex: [PendingKey: Int64] = [:]

    private mutating func addPending(_ event: RunEvent, step: Int?) {
        guard event.sequence > 0 else { return }
        let intent = Intent(
            sequence: event.sequence,
            kind: event.body.kind,
            inject: event.inject,
            host: event.host,
            team: event.team,
            idempotencyKey: event.idempotencyKey,
            step: step
        )
        pendingIntents[event.sequence] = intent
        pendingIndex[pendingKey(intent)] = event.sequence
    }

    private func pendingKey(_ intent: Intent) -> PendingKey {
        if intent.kind == .injectIntent {
            return PendingKey(kind: intent.kind, inject: nil, host: nil, step: nil, firing: intent.sequence)
        }
        return PendingKey(kind: intent.kind, inject: intent.inject, host: intent.host, step: intent.step, firing: nil)
    }

    private func pendingIntentSequence(forFiring sequence: Int64) -> Int64? {
        pendingIndex[PendingKey(kind: .injectIntent, inject: nil, host: nil, step: nil, firing: sequence)]
    }

    private func pendingIntentKey(_ kind: JournalEvent.Kind, inject: String?, host: String?, step: Int?) -> String? {
        let key = PendingKey(kind: kind, inject: inject, host: host, step: step, firing: nil)
        return pendingIndex[key].flatMap { pendingIntents[$0]?.idempotencyKey }
    }

    private mutating func resolvePending(_ kind: JournalEvent.Kind, inject: String?, host: String?, step: Int?) {
        let key = PendingKey(kind: kind, inject: inject, host: host, step: step, firing: nil)
        if let sequence = pendingIndex.removeValue(forKey: key) { pendingIntents.removeValue(forKey: sequence) }
    }

    private mutating func removePending(_ sequence: Int64) {
        guard let intent = pendingIntents.removeValue(forKey: sequence) else { return }
        let key = pendingKey(intent)
        if pendingIndex[key] == sequence { pendingIndex.removeValue(forKey: key) }
    }
}

extension RunLedger: Equatable {
    /// Two ledgers are equal when they folded the same facts (the options and the scenario are not compared).
    public static func == (lhs: RunLedger, rhs: RunLedger) -> Bool {
        lhs.runID == rhs.runID && lhs.status == rhs.status && lhs.lastSequence == rhs.lastSequence
            && lhs.eventCount == rhs.eventCount && lhs.injects == rhs.injects && lhs.pairs == rhs.pairs
            && lhs.hostInjects == rhs.hostInjects && lhs.pendingIntents == rhs.pendingIntents
            && lhs.uncertainIntents == rhs.uncertainIntents && lhs.controls == rhs.controls
            && lhs.clock == rhs.clock && lhs.unreadable == rhs.unreadable
    }
}
