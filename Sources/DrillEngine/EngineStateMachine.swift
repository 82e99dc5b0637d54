public import DrillCore

/// The engine's decisions: a pure state machine over the plan, the run's ledger and exercise time.
///
/// It does no I/O and reads no clock. Its driver feeds it every journal event (its own and those other
/// processes wrote: responses, controls) with ``journaled(_:)``, the exercise time with ``tick(now:)``, and the
/// end of each piece of work with ``completed(_:)``; it answers with ``EngineAction``s. Every decision comes
/// from the ``RunLedger`` (the one fold every reader shares) through ``RunRules``, plus the time, so the same
/// journal and the same time always give the same actions: that is what makes `resume` safe. The machine keeps
/// only its own in-flight bookkeeping (work started and not yet completed, when each check polls next).
///
/// What it decides:
/// - `at` injects fire at their time; `after` injects `delay` after their parent fired; escalations
///   (`after … unless PHASE within W`) are decided per team: when that team's window closes (`within` after its
///   delivery, or the parent's deadline for PHASE with every extension), `delay` later, the escalation fires for
///   the team if it had not done PHASE by then. Injects that follow an escalation follow it per team too.
/// - A director's `trigger` fires an inject now (once more, if it fired already).
/// - An intent without its `inject_fired` (the engine stopped in the middle) is carried on to completion.
/// - `resolved_when` is polled on each host where the inject landed, from delivery until it passes or ENDEX: at
///   `every`, and after the resolve deadline backing off (doubling) to at most 4 × `every`.
/// - Each phase's verdict is journaled whenever the status the rules give changes to a decided one, and at ENDEX
///   once more for every phase whose final status was not written yet.
/// - Simulated teams respond at the times their ``TeamSimulator`` draws.
/// - At ENDEX, or once aborted: ENDEX is journaled, in-flight work finishes, the final verdicts are journaled,
///   then every host where an action started is cleaned (two attempts per engine run; a resumed engine tries
///   again), then ``EngineAction/finish``.
/// - While paused (the journal says so), nothing new starts on hosts.
public struct EngineStateMachine: Sendable {
    /// How many times one engine run tries cleanup of one inject on one host.
    public static let cleanupAttemptsPerEngine = 2
    /// After the resolve deadline, check polls back off up to this many times `every`.
    public static let checkBackoffLimit: Int64 = 4

    public let plan: Plan
    public let simulator: TeamSimulator?
    /// The run's ledger: the fold of every journal event seen.
    public private(set) var ledger: RunLedger
    /// Injects to fire with reason `late` (they fell due while the engine was down).
    public var lateInjects: Set<String> = []

    private let plannedByID: [String: PlannedInject]
    private let scope: Set<String>
    private let durationMillis: Int64

    private var firesInFlight: Set<String> = []
    private var checksInFlight: Set<CheckOrder> = []
    private var simulationsInFlight: Set<SimulatedResponse> = []
    private var simulatingPairs: [RunLedger.PairKey: Int] = [:]
    private var verdictsInFlight: Set<PhaseKey> = []
    private var endexInFlight = false
    private var cleanupsInFlight: Set<RunLedger.HostKey> = []
    private var cleanupAttemptsHere: [RunLedger.HostKey: Int] = [:]
    private var checkTimes: [CheckOrder: CheckTiming] = [:]
    private var finished = false

    // Incremental per-pair work: a tick looks only at the pairs an event touched since the last tick, and at those
    // whose next moment of interest (a deadline passing, a check or a simulated response falling due) has come.
    private var factsCache: [RunLedger.PairKey: RunRules.PairFacts] = [:]
    private var dirtyPairs: Set<RunLedger.PairKey> = []
    private var attention: [RunLedger.PairKey: Int64] = [:]
    private var pairsOfInject: [String: Set<RunLedger.PairKey>] = [:]

    private struct PhaseKey: Hashable, Sendable {
        var pair: RunLedger.PairKey
        var phase: ResponsePhase
    }

    /// When a check polls next, and the interval it polls at now.
    private struct CheckTiming: Hashable, Sendable {
        var due: Int64
        var interval: Int64
    }

    /// A state machine for `plan`, with simulated teams when `simulator` is given.
    public init(plan: Plan, simulator: TeamSimulator? = nil) {
        self.plan = plan
        self.simulator = simulator
        ledger = RunLedger(scenario: plan.scenario)
        plannedByID = Dictionary(plan.injects.map { ($0.id, $0) }) { first, _ in first }
        scope = Set(plan.scopeHosts)
        durationMillis = plan.scenario.duration.journalMillis
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
        ledger.apply(event)
        guard let inject = event.inject else { return }
        if let team = event.team {
            let key = RunLedger.PairKey(inject: inject, team: team)
            if event.kind == .delivered { pairsOfInject[inject, default: []].insert(key) }
            if event.host == nil {
                invalidate(key)
                return
            }
        }
        // A host's outcome, or an extension for every team, can change every pair of the inject.
        for key in pairsOfInject[inject] ?? [] { invalidate(key) }
    }

    private mutating func invalidate(_ key: RunLedger.PairKey) {
        factsCache[key] = nil
        dirtyPairs.insert(key)
    }

    /// The pair's facts, from the cache while nothing touched the pair.
    private mutating func facts(_ key: RunLedger.PairKey) -> RunRules.PairFacts? {
        if let cached = factsCache[key] { return cached }
        let facts = RunRules.facts(key, in: ledger)
        factsCache[key] = facts
        return facts
    }

    /// Learns that an action's work is over (its journal events were written before this is called).
    public mutating func completed(_ completion: EngineCompletion) {
        switch completion {
        case .fire(let order): firesInFlight.remove(order.intentKey)
        case .check(let order):
            checksInFlight.remove(order)
            dirtyPairs.insert(RunLedger.PairKey(inject: order.inject, team: order.team))
        case .simulate(let response):
            simulationsInFlight.remove(response)
            let key = RunLedger.PairKey(inject: response.inject, team: response.team)
            simulatingPairs[key, default: 1] -= 1
            if simulatingPairs[key] == 0 { simulatingPairs[key] = nil }
            dirtyPairs.insert(key)
        case .verdict(let order):
            let key = RunLedger.PairKey(inject: order.inject, team: order.team)
            verdictsInFlight.remove(PhaseKey(pair: key, phase: order.phase))
            dirtyPairs.insert(key)
        case .endex: endexInFlight = false
        case .cleanup(let order): cleanupsInFlight.remove(RunLedger.HostKey(host: order.host, inject: order.inject))
        }
    }

    // MARK: - Decisions

    /// The fire orders that would be issued at `now` for scheduled, dependent and conditional injects (not
    /// triggers), without changing anything: what a resumed engine shows before continuing.
    public func dueFires(now: Int64) -> [FireOrder] {
        guard !ledger.status.isFinished else { return [] }
        return scheduledFires(now: now).due
    }

    /// What to do at exercise time `now` (milliseconds since STARTEX).
    public mutating func tick(now: Int64) -> [EngineAction] {
        guard !finished else { return [] }
        var actions: [EngineAction] = []
        var wake: Int64? = nil
        func wakeAt(_ time: Int64) { if time > now { wake = min(wake ?? time, time) } }

        if ledger.status.isFinished || now >= durationMillis {
            guard ledger.endex != nil else {
                if !endexInFlight {
                    endexInFlight = true
                    actions.append(.recordEndex(reason: ledger.status == .aborted ? "director" : "schedule"))
                }
                return actions
            }
            // Work already started finishes first: a remedy or an action must not race its cleanup.
            guard firesInFlight.isEmpty, simulationsInFlight.isEmpty, checksInFlight.isEmpty else { return [] }
            var verdicts: [EngineAction] = []
            for key in ledger.deliveryOrder where simulatingPairs[key] == nil {
                guard let facts = facts(key) else { continue }
                verdicts += verdictActions(key, facts, now: ledger.coveredExerciseMillis, final: true, wake: { _ in })
            }
            guard verdicts.isEmpty, verdictsInFlight.isEmpty else { return verdicts }
            return cleanupActions()
        }
        wakeAt(durationMillis)
        guard ledger.status == .running else {
            var verdicts: [EngineAction] = []
            for key in dirtyPairs.sorted() where simulatingPairs[key] == nil {
                guard let facts = facts(key) else { continue }
                verdicts += verdictActions(key, facts, now: now, final: false, wake: { _ in })
            }
            return verdicts
        }

        // Fires: unfinished intents first (a resumed engine), then triggers, then the schedule.
        let unfinished = ledger.injects.values.flatMap { record in record.firings.filter { $0.fired == nil } }
            .sorted { $0.sequence < $1.sequence }
        for firing in unfinished where !firesInFlight.contains(firing.key) {
            guard let inject = firingInject(firing) else { continue }
            let order = FireOrder(
                inject: inject,
                occurrence: firing.occurrence,
                team: firing.team,
                reason: firing.reason.flatMap(FireReason.init(rawValue:)) ?? .schedule,
                scheduledMillis: firing.scheduledMillis ?? firing.intent.exerciseMillis,
                teams: firing.teams,
                hosts: firing.hosts,
                progress: progress(of: firing, inject: inject)
            )
            firesInFlight.insert(firing.key)
            actions.append(.fire(order))
        }
        for control in ledger.controls where control.action == .trigger {
            guard let inject = control.inject, let planned = plannedByID[inject] else { continue }
            let firstIntent = ledger.injects[inject]?.firings.first?.sequence ?? .max
            let occurrence = firstIntent < control.sequence ? Int(control.sequence) : 1
            let order = FireOrder(
                inject: inject,
                occurrence: occurrence,
                reason: .trigger,
                scheduledMillis: now,
                teams: planned.teams.map(\.id),
                hosts: hosts(of: planned, teams: nil)
            )
            guard !hasIntent(order.intentKey, inject), !firesInFlight.contains(order.intentKey) else { continue }
            firesInFlight.insert(order.intentKey)
            actions.append(.fire(order))
        }
        let scheduled = scheduledFires(now: now)
        for order in scheduled.due {
            firesInFlight.insert(order.intentKey)
            actions.append(.fire(order))
        }
        if let next = scheduled.next { wakeAt(next) }

        // Per delivered inject × team, the pairs that need looking at: simulated responses, checks, verdicts.
        var due = dirtyPairs
        for (key, at) in attention where at <= now { due.insert(key) }
        dirtyPairs = []
        for key in due.sorted() {
            guard let planned = plannedByID[key.inject], let facts = facts(key) else { continue }
            var next: Int64?
            func pairWake(_ time: Int64) { if time > now { next = min(next ?? time, time) } }
            if let simulator { actions += simulate(simulator, key: key, facts: facts, now: now, wake: pairWake) }
            actions += checks(planned, key: key, facts: facts, now: now, wake: pairWake)
            if simulatingPairs[key] == nil {
                actions += verdictActions(key, facts, now: now, final: false, wake: pairWake)
            }
            attention[key] = next
        }
        for at in attention.values { wakeAt(at) }
        if let wake { actions.append(.wake(atMillis: wake)) }
        return actions
    }

    // MARK: - Scheduling

    /// True when the inject has an intent with `key`, or its scheduled firing for every team when `key` is a
    /// per-team firing of occurrence 1.
    private func hasIntent(_ key: String, _ inject: String) -> Bool {
        guard let record = ledger.injects[inject] else { return false }
        if record.firing(key) != nil { return true }
        if case .injectIntent(_, 1, _?)? = EventKey(parsing: key) {
            return record.firing(EventKey.injectIntent(inject: inject, occurrence: 1, team: nil).description) != nil
        }
        return false
    }

    private func isPerTeam(_ inject: String) -> Bool {
        guard let planned = plannedByID[inject] else { return false }
        switch planned.trigger {
        case .unless: return true
        case .after(let parent, _): return isPerTeam(parent)
        case .at: return false
        }
    }

    private func scheduledFires(now: Int64) -> (due: [FireOrder], next: Int64?) {
        var due: [FireOrder] = []
        var next: Int64? = nil
        func later(_ at: Int64) { next = min(next ?? at, at) }
        for planned in plan.injects where ledger.injects[planned.id]?.skipped != true {
            let id = planned.id
            var orders: [FireOrder] = []
            switch planned.trigger {
            case .at(let time):
                let at = time.journalMillis
                let order = FireOrder(
                    inject: id,
                    occurrence: 1,
                    reason: .schedule,
                    scheduledMillis: at,
                    teams: planned.teams.map(\.id),
                    hosts: hosts(of: planned, teams: nil)
                )
                guard !hasIntent(order.intentKey, id), !firesInFlight.contains(order.intentKey) else { continue }
                if at > now { later(at) } else { orders.append(order) }
            case .after(let parent, let delay):
                guard let parentRecord = ledger.injects[parent] else { continue }
                if isPerTeam(parent) {
                    for firing in parentRecord.firings {
                        guard let team = firing.team, let fired = firing.fired,
                            planned.teams.contains(where: { $0.id == team })
                        else { continue }
                        let at = fired.exerciseMillis.addingSaturating(delay.journalMillis)
                        let order = FireOrder(
                            inject: id,
                            occurrence: 1,
                            team: team,
                            reason: .schedule,
                            scheduledMillis: at,
                            teams: [team],
                            hosts: hosts(of: planned, teams: [team])
                        )
                        guard !hasIntent(order.intentKey, id), !firesInFlight.contains(order.intentKey) else {
                            continue
                        }
                        if at > now { later(at) } else { orders.append(order) }
                    }
                } else {
                    guard let fired = parentRecord.fired else { continue }
                    let at = fired.exerciseMillis.addingSaturating(delay.journalMillis)
                    let order = FireOrder(
                        inject: id,
                        occurrence: 1,
                        reason: .schedule,
                        scheduledMillis: at,
                        teams: planned.teams.map(\.id),
                        hosts: hosts(of: planned, teams: nil)
                    )
                    guard !hasIntent(order.intentKey, id), !firesInFlight.contains(order.intentKey) else { continue }
                    if at > now { later(at) } else { orders.append(order) }
                }
            case .unless(let parent, let phase, _, let delay):
                var within: Duration?
                if case .after(let after) = planned.inject.trigger { within = after.condition?.within }
                for team in planned.teams.map(\.id) {
                    let parentKey = RunLedger.PairKey(inject: parent, team: team)
                    guard let facts = factsCache[parentKey] ?? RunRules.facts(parentKey, in: ledger),
                        let windowEnd = RunRules.escalationWindowEnd(facts, phase: phase, within: within)
                    else { continue }
                    let order = FireOrder(
                        inject: id,
                        occurrence: 1,
                        team: team,
                        reason: .condition,
                        scheduledMillis: windowEnd.addingSaturating(delay.journalMillis),
                        teams: [team],
                        hosts: hosts(of: planned, teams: [team])
                    )
                    guard !hasIntent(order.intentKey, id), !firesInFlight.contains(order.intentKey) else { continue }
                    if order.scheduledMillis > now {
                        later(order.scheduledMillis)
                    } else if RunRules.escalates(facts, phase: phase, windowEnd: windowEnd) {
                        orders.append(order)
                    }
                }
            }
            for var order in orders {
                if lateInjects.contains(id) { order.reason = .late }
                due.append(order)
            }
        }
        return (due, next)
    }

    /// The in-scope hosts `planned` acts on: all of them, or those of `teams`.
    private func hosts(of planned: PlannedInject, teams: Set<String>?) -> [String] {
        guard let teams else { return planned.hosts.filter(scope.contains) }
        let selected = Set(planned.teams.filter { teams.contains($0.id) }.flatMap(\.hosts))
        return planned.hosts.filter { selected.contains($0) && scope.contains($0) }
    }

    /// What a journaled firing already did on each of its hosts (to carry it on after the engine stopped).
    private func progress(of firing: RunLedger.Firing, inject: String) -> [String: FireOrder.HostProgress] {
        var progress: [String: FireOrder.HostProgress] = [:]
        for host in firing.hosts {
            guard let hostInject = ledger.hostInjects[RunLedger.HostKey(host: host, inject: inject)] else { continue }
            var done = 0
            var stopped = false
            while true {
                let key = EventKey.hostAction(
                    inject: inject,
                    occurrence: firing.occurrence,
                    team: firing.team,
                    step: done,
                    host: host
                ).description
                guard let result = hostInject.resultsByIntent[key] else { break }
                guard result.succeeded else {
                    stopped = true
                    break
                }
                done += 1
            }
            progress[host] = FireOrder.HostProgress(
                stepsDone: done,
                stopped: stopped,
                landedChecked: hostInject.landedCheck != nil
            )
        }
        return progress
    }

    /// The inject a journaled firing belongs to.
    private func firingInject(_ firing: RunLedger.Firing) -> String? {
        if case .injectIntent(let inject, _, _)? = EventKey(parsing: firing.key) { return inject }
        return ledger.injects.first { $0.value.firings.contains(firing) }?.key
    }

    // MARK: - Simulated teams and checks

    private mutating func simulate(
        _ simulator: TeamSimulator,
        key: RunLedger.PairKey,
        facts: RunRules.PairFacts,
        now: Int64,
        wake: (Int64) -> Void
    ) -> [EngineAction] {
        let offsets = simulator.responseOffsets(inject: key.inject, team: key.team)
        let responded = ledger.pairs[key]?.firstResponse ?? [:]
        for phase in facts.expects {
            guard let offset = offsets[phase] else { return [] }  // a missed phase skips the later ones
            guard responded[phase] == nil else { continue }
            let at = facts.delivered.exerciseMillis.addingSaturating(offset)
            let response = SimulatedResponse(
                inject: key.inject,
                team: key.team,
                phase: phase,
                atMillis: at,
                remedyHosts: phase == .resolve ? facts.landedHosts : []
            )
            guard !simulationsInFlight.contains(response) else { return [] }
            guard at <= now else {
                wake(at)
                return []
            }
            simulationsInFlight.insert(response)
            simulatingPairs[key, default: 0] += 1
            return [.simulate(response)]  // phases come in order: one at a time
        }
        return []
    }

    private mutating func checks(
        _ planned: PlannedInject,
        key: RunLedger.PairKey,
        facts: RunRules.PairFacts,
        now: Int64,
        wake: (Int64) -> Void
    ) -> [EngineAction] {
        guard facts.resolveByCheck, facts.expects.contains(.resolve), let check = planned.inject.resolvedWhen else {
            return []
        }
        let every = max(1, check.every.journalMillis)
        let deadline = RunRules.deadline(.resolve, facts)
        var actions: [EngineAction] = []
        for host in facts.landedHosts where facts.firstPass[host] == nil {
            let order = CheckOrder(inject: key.inject, host: host, team: key.team)
            guard !checksInFlight.contains(order) else { continue }
            let timing =
                checkTimes[order]
                ?? CheckTiming(due: facts.delivered.exerciseMillis.addingSaturating(every), interval: every)
            guard timing.due <= now else {
                wake(timing.due)
                continue
            }
            // Past the resolve deadline, back off (doubling) to at most 4 × every, until ENDEX.
            var interval = every
            if let deadline, now > deadline {
                let limit = every.multipliedReportingOverflow(by: Self.checkBackoffLimit).partialValue
                interval = min(min(timing.interval, limit) * 2, limit)
            }
            checkTimes[order] = CheckTiming(due: now.addingSaturating(interval), interval: interval)
            checksInFlight.insert(order)
            actions.append(.check(order))
        }
        return actions
    }

    // MARK: - Verdicts

    /// Verdicts to journal for one pair: every phase whose status the rules give now is decided (or, at ENDEX,
    /// final) and differs from the last verdict journaled. A pending phase asks to be woken just after its deadline.
    private mutating func verdictActions(
        _ key: RunLedger.PairKey,
        _ facts: RunRules.PairFacts,
        now: Int64,
        final: Bool,
        wake: (Int64) -> Void
    ) -> [EngineAction] {
        var actions: [EngineAction] = []
        let pair = ledger.pairs[key]
        for phase in ResponsePhase.allCases {
            let outcome = RunRules.phaseStatus(phase, facts, now: now, finished: final)
            if outcome.status == .pending {
                if let deadline = outcome.deadlineMillis { wake(deadline.addingSaturating(1)) }
                continue
            }
            let worthJournaling: Bool =
                switch outcome.status {
                case .met, .late, .missed, .done, .notApplicable: true
                case .interrupted, .notDone, .notExpected: final
                case .pending: false
                }
            let last = pair?.verdicts[phase]
            guard worthJournaling, last?.status != outcome.status else { continue }
            let phaseKey = PhaseKey(pair: key, phase: phase)
            guard verdictsInFlight.insert(phaseKey).inserted else { continue }
            actions.append(
                .recordVerdict(
                    VerdictOrder(
                        inject: key.inject,
                        team: key.team,
                        phase: phase,
                        status: outcome.status,
                        deadlineMillis: outcome.deadlineMillis,
                        doneAtMillis: outcome.done?.exerciseMillis,
                        number: (last?.count ?? 0) + 1
                    )
                )
            )
        }
        return actions
    }

    // MARK: - Cleanup

    private mutating func cleanupActions() -> [EngineAction] {
        var actions: [EngineAction] = []
        var byHost: [String: [RunLedger.HostKey]] = [:]
        for (key, hostInject) in ledger.hostInjects where hostInject.touched && !hostInject.cleanup.succeeded {
            byHost[key.host, default: []].append(key)
        }
        for host in byHost.keys.sorted() {
            guard !cleanupsInFlight.contains(where: { $0.host == host }) else { continue }
            // Undo in reverse order of firing.
            let ordered = byHost[host]!.sorted {
                (ledger.injects[$0.inject]?.firstIntent?.exerciseMillis ?? 0, $0.inject)
                    > (ledger.injects[$1.inject]?.firstIntent?.exerciseMillis ?? 0, $1.inject)
            }
            for key in ordered {
                let tried = cleanupAttemptsHere[key] ?? 0
                guard tried < Self.cleanupAttemptsPerEngine else { continue }
                let attempts = ledger.hostInjects[key]?.cleanup.attempts ?? 0
                cleanupAttemptsHere[key] = tried + 1
                cleanupsInFlight.insert(key)
                actions.append(.cleanup(CleanupOrder(inject: key.inject, host: host, attempt: attempts + 1)))
                break  // one inject at a time per host, in order
            }
        }
        if actions.isEmpty && cleanupsInFlight.isEmpty && verdictsInFlight.isEmpty {
            finished = true
            return [.finish]
        }
        return actions
    }
}
