public import DrillCore

/// The engine's decisions: a pure state machine over the plan, the journal and exercise time.
///
/// It does no I/O and reads no clock. Its driver feeds it every journal event (its own and those other
/// processes wrote: responses, controls) with ``journaled(_:)``, the exercise time with ``tick(now:)``, and the
/// end of each piece of work with ``completed(_:)``; it answers with ``EngineAction``s. Every decision comes
/// from journaled facts (the ``RunState`` fold) and the time, so the same journal and the same time always
/// give the same actions: that is what makes `resume` safe.
///
/// What it decides:
/// - `at` injects fire at their time; `after` injects `delay` after their parent fired; escalations
///   (`after … unless PHASE within W`) fire, `delay` after the window closes, for the teams that had not done
///   PHASE within W of delivery (judged from journaled responses), and not at all when every team had.
/// - A director's `trigger` fires an inject now (once more, if it fired already).
/// - An intent without its `inject_fired` (the engine stopped in the middle) is carried on to completion.
/// - `resolved_when` is polled per host at its interval from delivery until it passes, the resolve deadline
///   passes, or ENDEX.
/// - Each phase's deadline is journaled met (done in time) or missed (time passed first).
/// - Simulated teams respond at the times their ``TeamSimulator`` draws.
/// - At ENDEX, or once aborted: ENDEX is journaled, in-flight work finishes, then every touched host is
///   cleaned (two attempts at most), then ``EngineAction/finish``.
/// - While paused (the journal says so), nothing new starts.
public struct EngineStateMachine: Sendable {
    /// How many times cleanup of one inject on one host is tried.
    public static let cleanupAttempts = 2

    public let plan: Plan
    public let simulator: TeamSimulator?
    /// The run's state: the fold of every journal event seen.
    public private(set) var state = RunState()
    /// Injects to fire with reason `late` (they fell due while the engine was down).
    public var lateInjects: Set<String> = []

    private let plannedByID: [String: PlannedInject]
    private let teamOfHost: [String: [String]]
    private let scope: Set<String>
    private let durationMillis: Int64

    /// Intent events by idempotency key.
    private var intents: [String: JournalEvent] = [:]
    /// Intent keys whose `inject_fired` was journaled.
    private var firedIntentKeys: Set<String> = []
    /// Teams and hosts reached by each inject, over all its firings.
    private var firedTeams: [String: Set<String>] = [:]
    private var firedHosts: [String: Set<String>] = [:]
    /// Injects with any intent, and the sequence of the first.
    private var firstIntentSequence: [String: Int64] = [:]
    /// Director triggers not yet turned into a fire order: (control sequence, inject).
    private var pendingTriggers: [(sequence: Int64, inject: String)] = []
    /// Injects the director chose to skip on resume.
    private var skipped: Set<String> = []
    /// Checks that passed (inject, host, team).
    private var passedChecks: Set<CheckOrder> = []
    /// When each check runs next (exercise milliseconds).
    private var nextCheck: [CheckOrder: Int64] = [:]
    /// Cleanup attempts journaled, per inject and host.
    private var cleanupAttemptsSeen: [HostInject: Int] = [:]

    private var firesInFlight: Set<String> = []
    private var checksInFlight: Set<CheckOrder> = []
    private var simulationsInFlight: Set<SimulatedResponse> = []
    private var simulatedTeamInjects: [RunState.TeamInject: Int] = [:]
    private var deadlinesInFlight: Set<DeadlineDecision> = []
    private var cleanupsInFlight: Set<CleanupOrder> = []
    private var endexInFlight = false
    private var finished = false

    private struct HostInject: Hashable, Sendable {
        var host: String
        var inject: String
    }

    /// A state machine for `plan`, with simulated teams when `simulator` is given.
    public init(plan: Plan, simulator: TeamSimulator? = nil) {
        self.plan = plan
        self.simulator = simulator
        plannedByID = Dictionary(plan.injects.map { ($0.id, $0) }) { first, _ in first }
        var teamOfHost: [String: [String]] = [:]
        for planned in plan.injects {
            for team in planned.teams {
                for host in team.hosts where !(teamOfHost[host] ?? []).contains(team.id) {
                    teamOfHost[host, default: []].append(team.id)
                }
            }
        }
        self.teamOfHost = teamOfHost
        scope = Set(plan.scopeHosts)
        durationMillis = plan.scenario.duration.engineMillis
    }

    /// True once ENDEX is journaled and cleanup is over.
    public var isFinished: Bool { finished }

    /// The run's planned length, exercise milliseconds.
    public var endexMillis: Int64 { durationMillis }

    // MARK: - Events in

    /// Learns from journal events, in journal order (each exactly once).
    public mutating func journaled(_ events: some Sequence<JournalEvent>) {
        for event in events { journaled(event) }
    }

    /// Learns from one journal event.
    public mutating func journaled(_ event: JournalEvent) {
        state.apply(event)
        switch event.kind {
        case .injectIntent:
            guard let inject = event.inject, let key = event.idempotencyKey else { break }
            intents[key] = event
            if firstIntentSequence[inject] == nil { firstIntentSequence[inject] = event.sequence ?? 0 }
            if let payload = try? event.payload(as: InjectIntentPayload.self) {
                firedTeams[inject, default: []].formUnion(payload.teams)
                firedHosts[inject, default: []].formUnion(payload.hosts)
            }
        case .injectFired:
            if let key = event.payload["intentKey"]?.stringValue { firedIntentKeys.insert(key) }
        case .control:
            switch event.payload["action"]?.stringValue {
            case "trigger":
                if let inject = event.inject, plannedByID[inject] != nil {
                    pendingTriggers.append((event.sequence ?? 0, inject))
                }
            case "skip":
                if let inject = event.inject { skipped.insert(inject) }
            default: break
            }
        case .checkResult:
            if event.payload["passed"]?.boolValue == true, let inject = event.inject, let host = event.host,
                let team = event.team
            {
                passedChecks.insert(CheckOrder(inject: inject, host: host, team: team))
            }
        case .cleanupIntent:
            if let inject = event.inject, let host = event.host {
                cleanupAttemptsSeen[HostInject(host: host, inject: inject), default: 0] += 1
            }
        default:
            break
        }
    }

    /// Learns that an action's work is over (its journal events were written before this is called).
    public mutating func completed(_ completion: EngineCompletion) {
        switch completion {
        case .fire(let order): firesInFlight.remove(order.intentKey)
        case .check(let order): checksInFlight.remove(order)
        case .simulate(let response):
            simulationsInFlight.remove(response)
            let key = RunState.TeamInject(inject: response.inject, team: response.team)
            simulatedTeamInjects[key, default: 1] -= 1
            if simulatedTeamInjects[key] == 0 { simulatedTeamInjects[key] = nil }
        case .deadline(let decision): deadlinesInFlight.remove(decision)
        case .endex: endexInFlight = false
        case .cleanup(let order): cleanupsInFlight.remove(order)
        }
    }

    // MARK: - Decisions

    /// The fire orders that would be issued at `now` for scheduled, dependent and conditional injects (not
    /// triggers), without changing anything: what a resumed engine shows before continuing.
    public func dueFires(now: Int64) -> [FireOrder] {
        guard !state.status.isFinished else { return [] }
        return scheduledFires(now: now).due
    }

    /// What to do at exercise time `now` (milliseconds since STARTEX).
    public mutating func tick(now: Int64) -> [EngineAction] {
        guard !finished else { return [] }
        var actions: [EngineAction] = []
        var wake: Int64? = nil
        func wakeAt(_ time: Int64) { if time > now { wake = min(wake ?? time, time) } }

        let ending = state.status.isFinished || now >= durationMillis
        if ending {
            if state.endexWallMillis == nil {
                if !endexInFlight {
                    endexInFlight = true
                    actions.append(.recordEndex(reason: state.status == .aborted ? "director" : "schedule"))
                }
                return actions
            }
            return actions + cleanupActions()
        }
        wakeAt(durationMillis)
        guard state.status == .running else { return actions }

        // Fires: unfinished intents first (a resumed engine), then triggers, then the schedule.
        for (key, intent) in intents.sorted(by: { ($0.value.sequence ?? 0) < ($1.value.sequence ?? 0) })
        where !firedIntentKeys.contains(key) && !firesInFlight.contains(key) {
            guard let order = Self.order(fromIntent: intent) else { continue }
            firesInFlight.insert(key)
            actions.append(.fire(order))
        }
        for trigger in pendingTriggers {
            guard let planned = plannedByID[trigger.inject] else { continue }
            let firedBefore = (firstIntentSequence[trigger.inject] ?? .max) < trigger.sequence
            let occurrence = firedBefore ? Int(trigger.sequence) : 1
            let key = IdempotencyKey.injectIntent(inject: trigger.inject, occurrence: occurrence)
            guard intents[key] == nil, !firesInFlight.contains(key) else { continue }
            let order = FireOrder(
                inject: trigger.inject,
                occurrence: occurrence,
                reason: .trigger,
                scheduledMillis: now,
                teams: planned.teams.map(\.id),
                hosts: hosts(of: planned, teams: nil)
            )
            firesInFlight.insert(key)
            actions.append(.fire(order))
        }
        pendingTriggers.removeAll { trigger in
            let firedBefore = (firstIntentSequence[trigger.inject] ?? .max) < trigger.sequence
            let key = IdempotencyKey.injectIntent(
                inject: trigger.inject,
                occurrence: firedBefore ? Int(trigger.sequence) : 1
            )
            return intents[key] != nil || firesInFlight.contains(key)
        }
        let scheduled = scheduledFires(now: now)
        for order in scheduled.due {
            firesInFlight.insert(order.intentKey)
            actions.append(.fire(order))
        }
        if let next = scheduled.next { wakeAt(next) }

        // Per delivered inject × team: simulated responses, then checks and deadlines.
        for (key, teamState) in state.teamInjects.sorted(by: { $0.key < $1.key }) {
            guard let delivered = teamState.deliveredAtMillis, let planned = plannedByID[key.inject] else {
                continue
            }
            let teamHosts = hostsOfTeam(key.team, in: planned)
            if let simulator {
                let offsets = simulator.responseOffsets(inject: key.inject, team: key.team)
                for phase in ResponsePhase.allCases {
                    guard let offset = offsets[phase], teamState.responses[phase] == nil else { continue }
                    let at = delivered + offset
                    let response = SimulatedResponse(
                        inject: key.inject,
                        team: key.team,
                        phase: phase,
                        atMillis: at,
                        remedyHosts: phase == .resolve ? teamHosts : []
                    )
                    guard !simulationsInFlight.contains(response) else { continue }
                    if at <= now {
                        simulationsInFlight.insert(response)
                        simulatedTeamInjects[key, default: 0] += 1
                        actions.append(.simulate(response))
                    } else {
                        wakeAt(at)
                    }
                    break  // phases come in order: one at a time
                }
            }
            if let check = planned.inject.resolvedWhen {
                let every = max(1, check.every.engineMillis)
                let resolveDeadline = teamState.deadline(.resolve)
                for host in teamHosts {
                    let order = CheckOrder(inject: key.inject, host: host, team: key.team)
                    guard !passedChecks.contains(order), !checksInFlight.contains(order) else { continue }
                    let due = nextCheck[order] ?? (delivered + every)
                    if let resolveDeadline, due > resolveDeadline { continue }
                    if due <= now {
                        checksInFlight.insert(order)
                        nextCheck[order] = now + every
                        actions.append(.check(order))
                    } else {
                        wakeAt(due)
                    }
                }
            }
            guard simulatedTeamInjects[key] == nil else { continue }
            for phase in ResponsePhase.allCases {
                guard teamState.deadlineOutcomes[phase] == nil, let deadline = teamState.deadline(phase) else {
                    continue
                }
                var done = teamState.responses[phase]?.exerciseMillis
                if phase == .resolve, let byCheck = teamState.resolvedByCheckAtMillis {
                    done = min(done ?? byCheck, byCheck)
                }
                let met: Bool
                if let done, done <= deadline {
                    met = true
                } else if now > deadline {
                    met = false
                } else {
                    wakeAt(deadline + 1)
                    continue
                }
                let decision = DeadlineDecision(
                    inject: key.inject,
                    team: key.team,
                    phase: phase,
                    deadlineMillis: deadline,
                    met: met
                )
                guard deadlinesInFlight.insert(decision).inserted else { continue }
                actions.append(.recordDeadline(decision))
            }
        }
        if let wake { actions.append(.wake(atMillis: wake)) }
        return actions
    }

    // MARK: - Scheduling

    private func scheduledFires(now: Int64) -> (due: [FireOrder], next: Int64?) {
        var due: [FireOrder] = []
        var next: Int64? = nil
        for planned in plan.injects {
            let id = planned.id
            let key = IdempotencyKey.injectIntent(inject: id)
            guard intents[key] == nil, !firesInFlight.contains(key), !skipped.contains(id) else { continue }
            var at: Int64
            var teams = planned.teams.map(\.id)
            var reason = FireReason.schedule
            switch planned.trigger {
            case .at(let time):
                at = time.engineMillis
            case .after(let parent, let delay):
                guard let fired = state.injects[parent]?.firedAtMillis else { continue }
                at = fired + delay.engineMillis
                if let parentTeams = firedTeams[parent], plannedByID[parent]?.isConditional == true {
                    teams = teams.filter(parentTeams.contains)
                }
            case .unless(let parent, let phase, let within, let delay):
                guard state.injects[parent]?.firedAtMillis != nil, let reached = firedTeams[parent],
                    let parentPlan = plannedByID[parent]
                else { continue }
                // The window closes `within` after the last delivery of the parent; every team must have it.
                var windowEnd: Int64 = 0
                var ends: [String: Int64] = [:]
                var allDelivered = true
                for team in parentPlan.teams.map(\.id) where reached.contains(team) {
                    guard let delivered = state.teamInject(parent, team)?.deliveredAtMillis else {
                        allDelivered = false
                        break
                    }
                    ends[team] = delivered + within.engineMillis
                    windowEnd = max(windowEnd, delivered + within.engineMillis)
                }
                guard allDelivered else { continue }
                at = windowEnd + delay.engineMillis
                if at > now {
                    next = min(next ?? at, at)
                    continue
                }
                teams = teams.filter { team in
                    guard let end = ends[team] else { return false }
                    let teamState = state.teamInject(parent, team)
                    var done = teamState?.responses[phase]?.exerciseMillis
                    if phase == .resolve, let byCheck = teamState?.resolvedByCheckAtMillis {
                        done = min(done ?? byCheck, byCheck)
                    }
                    return done.map { $0 > end } ?? true
                }
                reason = .condition
                if teams.isEmpty { continue }  // every team responded in time: it never fires
            }
            if at > now {
                next = min(next ?? at, at)
                continue
            }
            if lateInjects.contains(id) { reason = .late }
            due.append(
                FireOrder(
                    inject: id,
                    occurrence: 1,
                    reason: reason,
                    scheduledMillis: at,
                    teams: teams,
                    hosts: reason == .condition || teams.count < planned.teams.count
                        ? hosts(of: planned, teams: Set(teams)) : hosts(of: planned, teams: nil)
                )
            )
        }
        return (due, next)
    }

    /// The in-scope hosts `planned` acts on: all of them, or those of `teams`.
    private func hosts(of planned: PlannedInject, teams: Set<String>?) -> [String] {
        guard let teams else { return planned.hosts.filter(scope.contains) }
        let selected = Set(planned.teams.filter { teams.contains($0.id) }.flatMap(\.hosts))
        return planned.hosts.filter { selected.contains($0) && scope.contains($0) }
    }

    /// The hosts of `team` that `planned` acted on.
    private func hostsOfTeam(_ team: String, in planned: PlannedInject) -> [String] {
        let acted = firedHosts[planned.id] ?? []
        return (planned.teams.first { $0.id == team }?.hosts ?? []).filter { acted.contains($0) }
    }

    /// The order an intent in the journal stands for (to finish a fire the engine was stopped in).
    static func order(fromIntent intent: JournalEvent) -> FireOrder? {
        guard let inject = intent.inject, let key = intent.idempotencyKey,
            let payload = try? intent.payload(as: InjectIntentPayload.self)
        else { return nil }
        let occurrence = key.split(separator: "#").last.flatMap { Int($0) } ?? 1
        return FireOrder(
            inject: inject,
            occurrence: occurrence,
            reason: payload.reason.flatMap(FireReason.init(rawValue:)) ?? .schedule,
            scheduledMillis: payload.scheduledMillis ?? intent.exerciseMillis,
            teams: payload.teams,
            hosts: payload.hosts
        )
    }

    // MARK: - Cleanup

    private mutating func cleanupActions() -> [EngineAction] {
        // Work already started finishes first: a remedy or an action must not race its cleanup.
        guard firesInFlight.isEmpty, simulationsInFlight.isEmpty, checksInFlight.isEmpty else { return [] }
        var actions: [EngineAction] = []
        for (host, injects) in state.hostsNeedingCleanup {
            // Undo in reverse order of firing.
            let ordered = injects.sorted {
                (state.injects[$0]?.intentAtMillis ?? 0, $0) > (state.injects[$1]?.intentAtMillis ?? 0, $1)
            }
            for inject in ordered {
                let seen = cleanupAttemptsSeen[HostInject(host: host, inject: inject)] ?? 0
                if cleanupsInFlight.contains(where: { $0.host == host && $0.inject == inject }) { break }
                guard seen < Self.cleanupAttempts else { continue }
                let order = CleanupOrder(inject: inject, host: host, attempt: seen + 1)
                cleanupsInFlight.insert(order)
                actions.append(.cleanup(order))
                break  // one inject at a time per host, in order
            }
        }
        if actions.isEmpty && cleanupsInFlight.isEmpty && deadlinesInFlight.isEmpty {
            finished = true
            return [.finish]
        }
        return actions
    }

    /// Teams a host belongs to (for messages rendered per host).
    public func teams(ofHost host: String) -> [String] { teamOfHost[host] ?? [] }
}

extension Duration {
    /// Whole milliseconds.
    var engineMillis: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1000 + attoseconds / 1_000_000_000_000_000
    }
}
