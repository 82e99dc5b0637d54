public import DrillCore

/// What `ctl status --format json` prints, what the portal's status line and `runs` show: the run's state, whether
/// its engine is alive, and the status of every inject × team × phase, computed by ``RunRules`` from the
/// ledger, the same functions the engine, the portal's board and the report call.
public struct RunStatusReport: Sendable, Hashable, Codable {
    /// The engine's liveness, from its heartbeat.
    public struct Engine: Sendable, Hashable, Codable {
        /// True when the engine beat within the last three seconds.
        public var alive: Bool
        /// The exercise time of its last heartbeat (milliseconds since STARTEX), if it ever beat.
        public var lastSeenMillis: Int64?
        /// The wall time of its last heartbeat (UTC milliseconds).
        public var lastSeenWallMillis: Int64?
    }

    public struct Phase: Sendable, Hashable, Codable {
        public var phase: ResponsePhase
        public var status: PhaseStatus
        public var deadlineMillis: Int64?
        /// When it was done (exercise milliseconds).
        public var doneAtMillis: Int64?
        /// Exercise milliseconds left before the deadline (negative: overdue), while not done.
        public var remainingMillis: Int64?
    }

    public struct Result: Sendable, Hashable, Codable {
        public var inject: String
        public var team: String
        public var phases: [Phase]
        /// How resolution stands (`check`, `claim`, `both`, `claimUnconfirmed`, `none`).
        public var resolution: ResolutionMethod
    }

    public var runID: String
    /// `created`, `running`, `paused`, `aborted` or `ended`.
    public var state: RunStatus
    /// The exercise time now (the covered time, once the run is over).
    public var exerciseMillis: Int64
    public var engine: Engine
    public var results: [Result]

    /// The report of `ledger` at wall time `nowWallMillis`, with the engine's `heartbeat`. Results are in the
    /// scenario's inject then team order when `scenario` is given, else sorted by id.
    public init(ledger: RunLedger, heartbeat: EngineHeartbeat?, nowWallMillis: Int64, scenario: Scenario? = nil) {
        runID = ledger.runID ?? ""
        state = ledger.status
        let now = ledger.exerciseMillis(atWall: nowWallMillis)
        exerciseMillis = now
        let alive = heartbeat.map { $0.isAlive(atWallMillis: nowWallMillis) } ?? false
        engine = Engine(
            alive: alive,
            lastSeenMillis: heartbeat.map { ledger.clock.exerciseMillis(atWallMillis: $0.wallMillis) },
            lastSeenWallMillis: heartbeat?.wallMillis
        )
        results = RunStatusReport.ordered(ledger.deliveryOrder, scenario: scenario).compactMap { key in
            guard let facts = RunRules.facts(key, in: ledger), let phases = RunRules.phases(key, in: ledger, now: now)
            else { return nil }
            return Result(
                inject: key.inject,
                team: key.team,
                phases: phases.map {
                    Phase(
                        phase: $0.phase,
                        status: $0.status,
                        deadlineMillis: $0.deadlineMillis,
                        doneAtMillis: $0.done?.exerciseMillis,
                        remainingMillis: $0.remainingMillis(at: now)
                    )
                },
                resolution: RunRules.resolution(facts).method
            )
        }
    }

    /// `keys` in the scenario's inject then team order (ids it does not know last, sorted).
    public static func ordered(_ keys: [RunLedger.PairKey], scenario: Scenario?) -> [RunLedger.PairKey] {
        guard let scenario else { return keys.sorted() }
        var injectIndex: [String: Int] = [:]
        for (index, inject) in scenario.injects.enumerated() where injectIndex[inject.id] == nil {
            injectIndex[inject.id] = index
        }
        var teamIndex: [String: Int] = [:]
        for (index, team) in scenario.teams.enumerated() where teamIndex[team.id] == nil { teamIndex[team.id] = index }
        return keys.sorted {
            (injectIndex[$0.inject] ?? .max, $0.inject, teamIndex[$0.team] ?? .max, $0.team)
                < (injectIndex[$1.inject] ?? .max, $1.inject, teamIndex[$1.team] ?? .max, $1.team)
        }
    }

    /// The engine line every view shows: nil while it runs (or the run is over), else "engine not running since
    /// T+…".
    public var engineNotice: String? {
        guard state == .running || state == .paused, !engine.alive else { return nil }
        guard let since = engine.lastSeenMillis else { return "engine not running (no heartbeat recorded)" }
        return "engine not running since \(RunStatusText.clock(since))"
    }
}

/// Plain-text views of a run for terminals: `ctl status`, the live view, the end-of-run summary. Pure.
public enum RunStatusText {
    /// `T+00:12:34` for exercise milliseconds.
    public static func clock(_ millis: Int64) -> String {
        let seconds = max(0, millis) / 1000
        func two(_ value: Int64) -> String { value < 10 ? "0\(value)" : "\(value)" }
        return "T+\(two(seconds / 3600)):\(two(seconds / 60 % 60)):\(two(seconds % 60))"
    }

    /// The word every terminal view uses for a phase status.
    public static func word(_ status: PhaseStatus, resolution: ResolutionMethod? = nil) -> String {
        switch status {
        case .met: "met"
        case .late: "LATE"
        case .missed: "MISSED"
        case .pending: resolution == .claimUnconfirmed ? "claimed, NOT confirmed" : "pending"
        case .interrupted: "interrupted"
        case .done: "done"
        case .notDone: "not done"
        case .notExpected: "—"
        case .notApplicable: "not applicable (did not land)"
        }
    }

    /// The run at exercise time `now`: status, clock, the engine's liveness, injects fired, pending responses with
    /// the time left, host failures and hosts still to clean. `plan` adds the next injects.
    public static func status(
        _ ledger: RunLedger,
        now: Int64,
        plan: Plan? = nil,
        report: RunStatusReport? = nil
    ) -> String {
        var lines: [String] = []
        var head = "run \(ledger.runID ?? "?")  \(ledger.status.rawValue)  \(clock(now))"
        if let plan { head += " / \(clock(plan.scenario.duration.journalMillis))" }
        lines.append(head)
        if let notice = report?.engineNotice { lines.append("!! \(notice)") }
        let fired = ledger.firedInjects
        lines.append("fired: \(fired.isEmpty ? "none yet" : fired.joined(separator: ", "))")
        if let plan, !ledger.status.isFinished {
            let upcoming = plan.injects.filter { ledger.injects[$0.id]?.firstIntent == nil }
                .filter { if case .at = $0.trigger { return true } else { return false } }
                .prefix(3)
                .map { "\($0.id) at \(clock($0.time.journalMillis))" }
            if !upcoming.isEmpty { lines.append("next: \(upcoming.joined(separator: ", "))") }
        }
        var pending: [String] = []
        for key in ledger.deliveryOrder.sorted() {
            guard let facts = RunRules.facts(key, in: ledger),
                let phases = RunRules.phases(key, in: ledger, now: now)
            else { continue }
            let resolution = RunRules.resolution(facts).method
            for outcome in phases where outcome.status == .pending || outcome.status == .missed {
                let what: String
                if let deadline = outcome.deadlineMillis {
                    let left = deadline.subtractingSaturating(now)
                    what =
                        left >= 0
                        ? "\(DurationText.format(.milliseconds(left))) left"
                        : "MISSED by \(DurationText.format(.milliseconds(-left)))"
                } else {
                    what = "no deadline"
                }
                let claim =
                    outcome.phase == .resolve && resolution == .claimUnconfirmed ? " (claimed, NOT confirmed)" : ""
                pending.append("  \(key.team) \(key.inject) \(outcome.phase.rawValue): \(what)\(claim)")
                break
            }
        }
        if !pending.isEmpty {
            lines.append("pending responses:")
            lines += pending
        }
        var failures: [String] = []
        for key in ledger.hostInjects.keys.sorted(by: { ($0.inject, $0.host) < ($1.inject, $1.host) }) {
            let hostInject = ledger.hostInjects[key]!
            for result in hostInject.results.values.sorted(by: { $0.step < $1.step }) where !result.succeeded {
                failures.append("  \(key.host): action of \(key.inject) \(result.uncertain ? "uncertain" : "failed")")
            }
            if hostInject.landedCheck == false { failures.append("  \(key.host): \(key.inject) did not land") }
        }
        if !failures.isEmpty {
            lines.append("host failures:")
            lines += failures
        }
        if !ledger.uncertainIntents.isEmpty {
            lines.append("uncertain (outcome unknown, not repeated):")
            lines += ledger.uncertainIntents.map { "  \($0.kind) \($0.inject ?? "") @ \($0.host ?? "")" }
        }
        if !ledger.unreadable.isEmpty {
            lines.append("unreadable journal events (skipped):")
            lines += ledger.unreadable.map { "  #\($0.sequence) \($0.kind): \($0.reason)" }
        }
        if ledger.status.isFinished {
            let unclean = ledger.hostsNeedingCleanup
            if unclean.isEmpty {
                lines.append("cleanup: every touched host is put back")
            } else {
                lines.append("NOT CLEANED:")
                lines += unclean.map { "  \($0.host): \($0.injects.joined(separator: ", "))" }
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// One line for a journal event, for plain (non-terminal) output; nil for events not worth a line.
    public static func line(_ event: JournalEvent) -> String? {
        let typed = RunEvent(event)
        let at = clock(event.exerciseMillis)
        let who = [event.inject, event.team.map { "team \($0)" }, event.host.map { "host \($0)" }]
            .compactMap { $0 }.joined(separator: " ")
        switch typed.body {
        case .startex: return "\(at) STARTEX"
        case .injectIntent(let intent):
            return "\(at) fire \(event.inject ?? "?") (\(intent.reason ?? "schedule"))"
        case .hostActionResult(let result):
            guard !RunRules.actionSucceeded(result) else { return nil }
            return "\(at) HOST FAILURE \(who): \(failureText(result))"
        case .landedCheck(let check):
            return check.passed ? nil : "\(at) NOT LANDED \(who)"
        case .delivered: return "\(at) delivered \(who)"
        case .response(let response):
            return "\(at) \(response.phase.rawValue) \(who) (\(event.actor?.description ?? "?"))"
        case .checkResult(let check):
            return check.passed ? "\(at) resolved (check passed) \(who)" : nil
        case .deadlineMet(let deadline):
            return "\(at) deadline \(deadline.phase.rawValue) met \(who)"
        case .deadlineMissed(let deadline):
            return "\(at) deadline \(deadline.phase.rawValue) MISSED \(who)"
        case .phaseVerdict(let verdict):
            return "\(at) \(verdict.phase.rawValue) \(word(verdict.status)) \(who)"
        case .control(let control):
            return
                "\(at) control \(control.action.rawValue)\(event.inject.map { " " + $0 } ?? "")\(event.team.map { " team " + $0 } ?? "") by \(event.actor?.description ?? "?")"
        case .cleanupResult(let result):
            return "\(at) cleanup \(result.succeeded ? "ok" : "FAILED") \(who)"
        case .uncertain: return "\(at) UNCERTAIN \(who)"
        case .endex(let endex): return "\(at) ENDEX (\(endex.reason ?? ""))"
        case .ratingReconciled(let reconciled):
            return "\(at) rating reconciled \(reconciled.rating) \(who) by \(event.actor?.description ?? "?")"
        case .unreadable(let kind, _, let reason):
            return "\(at) UNREADABLE EVENT #\(event.sequence ?? 0) (\(kind)): \(reason)"
        case .runCreated, .injectFired, .hostActionStarted, .cleanupIntent, .observation, .unknown:
            return nil
        }
    }

    /// Why an action failed, in words: its error, a timeout (and after how long), or its exit status.
    public static func failureText(_ result: HostActionResultPayload) -> String {
        if let error = result.error { return error }
        if result.timedOut {
            return "timed out after \(DurationText.format(.milliseconds(result.runMillis))) and was stopped"
        }
        if let signal = result.exitSignal { return "killed by signal \(signal)" }
        return "exit \(result.exitStatus.map(String.init) ?? "?")"
    }
}
