/// How a team's resolution was established.
public enum ResolutionMethod: String, Sendable, Hashable, Codable {
    /// The `resolved_when` check passed on every host where the inject landed; the team also claimed it.
    case both
    /// The check passed on every such host; the team never claimed it.
    case check
    /// The team claimed it and the inject has no check.
    case claim
    /// The team claimed it but the check did not pass on every such host: not met, in every view.
    case claimUnconfirmed
    /// Neither.
    case none
}

/// The rules of a drill, as pure functions over the ``RunLedger``: whether an action succeeded, whether an inject
/// landed on a host, the deadline of a phase for a team, the status of a phase at a time, why a response or a
/// control is refused. The engine, the portal, the CLI and the report all call these, and nothing else decides
/// these questions, so every view of a run agrees. docs/engine.md and docs/report.md state the same rules in
/// words.
public enum RunRules {
    // MARK: - Actions and landing

    /// True when an action's command ran and exited 0 in time.
    public static func actionSucceeded(_ result: HostActionResultPayload) -> Bool {
        result.exitStatus == 0 && !result.timedOut && result.error == nil
    }

    /// True unless the result says the command never started (older journals do not say: it may have).
    public static func actionStarted(_ result: HostActionResultPayload) -> Bool { result.started ?? true }

    /// True when a firing landed on a host: every one of its actions succeeded there (an inject without actions
    /// lands trivially), and its `landed_when` check, if it has one, passed.
    public static func landed(_ host: RunLedger.HostInject?, firing: RunLedger.Firing?) -> Bool {
        let results = host?.results ?? [:]
        let actionsLanded: Bool
        if let steps = firing?.steps {
            actionsLanded = steps <= 0 || (0..<steps).allSatisfy { results[$0]?.succeeded == true }
        } else if results.isEmpty {
            // An older journal: no step count. Nothing started means a message-only inject.
            actionsLanded = host?.started.isEmpty ?? true
        } else {
            actionsLanded =
                results.values.allSatisfy(\.succeeded) && (host?.started.keys.allSatisfy { results[$0] != nil } ?? true)
        }
        guard actionsLanded else { return false }
        switch firing?.landedCheck {
        case true?: return host?.landedCheck == true
        case false?: return true
        case nil: return host?.landedCheck ?? true
        }
    }

    // MARK: - One inject × one team

    /// Everything the phase rules need about one delivered inject × team, gathered from the ledger once.
    public struct PairFacts: Sendable, Hashable {
        public var key: RunLedger.PairKey
        /// When the inject was delivered to the team.
        public var delivered: Moment
        /// The phases the inject asks of the team.
        public var expects: [ResponsePhase]
        /// Deadlines relative to delivery, as delivered.
        public var relativeDeadlines: [ResponsePhase: Int64]
        /// Extensions in force (for the team, and for every team), per phase.
        public var extensions: [ResponsePhase: Int64]
        /// True when a `resolved_when` check confirms resolution.
        public var resolveByCheck: Bool
        /// True when the inject acts on hosts (actions, or a `landed_when` check).
        public var acts: Bool
        /// The team's hosts the inject reached, sorted.
        public var hosts: [String]
        /// Those of them where it landed, sorted.
        public var landedHosts: [String]
        /// The first passing `resolved_when` poll on each landed host.
        public var firstPass: [String: Moment]
        /// The team's first response in each phase.
        public var firstResponse: [ResponsePhase: Moment]

        public init(
            key: RunLedger.PairKey,
            delivered: Moment,
            expects: [ResponsePhase],
            relativeDeadlines: [ResponsePhase: Int64],
            extensions: [ResponsePhase: Int64] = [:],
            resolveByCheck: Bool,
            acts: Bool,
            hosts: [String],
            landedHosts: [String],
            firstPass: [String: Moment] = [:],
            firstResponse: [ResponsePhase: Moment] = [:]
        ) {
            self.key = key
            self.delivered = delivered
            self.expects = expects
            self.relativeDeadlines = relativeDeadlines
            self.extensions = extensions
            self.resolveByCheck = resolveByCheck
            self.acts = acts
            self.hosts = hosts
            self.landedHosts = landedHosts
            self.firstPass = firstPass
            self.firstResponse = firstResponse
        }

        /// The team's hosts where the inject did not land.
        public var notLandedHosts: [String] {
            let landed = Set(landedHosts)
            return hosts.filter { !landed.contains($0) }
        }
    }

    /// The facts of `key` in `ledger`, or nil when the inject was not delivered to the team.
    public static func facts(_ key: RunLedger.PairKey, in ledger: RunLedger) -> PairFacts? {
        guard let pair = ledger.pairs[key], let delivery = pair.delivery else { return nil }
        let record = ledger.injects[key.inject]
        let planned = ledger.scenario?.inject(key.inject)
        let firing = record?.firings.first { $0.teams.contains(key.team) } ?? record?.firings.first

        // The team's hosts: as delivered; in older journals, the hosts whose events name the team.
        let hosts: [String]
        if let delivered = delivery.hosts {
            hosts = delivered.sorted()
        } else {
            var found = Set<String>()
            for host in (record?.hosts ?? []).union(ledger.hostsOfInject[key.inject] ?? []) {
                let hostInject = ledger.hostInjects[RunLedger.HostKey(host: host, inject: key.inject)]
                let team = hostInject?.team ?? hostInject?.checks.team ?? ledger.hostTeams[host]
                if team == key.team { found.insert(host) }
            }
            hosts = found.sorted()
        }
        var landedHosts: [String] = []
        var firstPass: [String: Moment] = [:]
        for host in hosts {
            let hostInject = ledger.hostInjects[RunLedger.HostKey(host: host, inject: key.inject)]
            guard landed(hostInject, firing: firing) else { continue }
            landedHosts.append(host)
            if let pass = hostInject?.checks.firstPass { firstPass[host] = pass }
        }
        let acts: Bool
        if let steps = firing?.steps {
            acts = steps > 0 || firing?.landedCheck == true
        } else if let planned {
            acts = !planned.actions.isEmpty
        } else {
            acts = hosts.contains { host in
                ledger.hostInjects[RunLedger.HostKey(host: host, inject: key.inject)].map { !$0.started.isEmpty }
                    ?? false
            }
        }
        let checksRan = hosts.contains { host in
            (ledger.hostInjects[RunLedger.HostKey(host: host, inject: key.inject)]?.checks.count ?? 0) > 0
        }
        var extensions = record?.allTeamsExtensions ?? [:]
        for (phase, millis) in pair.teamExtensions {
            extensions[phase] = (extensions[phase] ?? 0).addingSaturating(millis)
        }
        return PairFacts(
            key: key,
            delivered: delivery.at,
            expects: delivery.expects.map { expects in ResponsePhase.allCases.filter(expects.contains) }
                ?? planned?.expectedPhases ?? ResponsePhase.allCases,
            relativeDeadlines: delivery.relativeDeadlines,
            extensions: extensions,
            resolveByCheck: delivery.resolveByCheck ?? planned.map { $0.resolvedWhen != nil } ?? checksRan,
            acts: acts,
            hosts: hosts,
            landedHosts: landedHosts,
            firstPass: firstPass,
            firstResponse: pair.firstResponse.mapValues(\.at)
        )
    }

    /// The deadline of `phase` for the pair, in exercise milliseconds since STARTEX: the delivery time plus the
    /// relative deadline it was delivered with (the severity table, overridden by the inject's own) plus every
    /// extension granted for the team or for every team. Nil for a phase that is not expected or has no deadline.
    public static func deadline(_ phase: ResponsePhase, _ facts: PairFacts) -> Int64? {
        guard facts.expects.contains(phase), let relative = facts.relativeDeadlines[phase] else { return nil }
        return facts.delivered.exerciseMillis.addingSaturating(relative).addingSaturating(facts.extensions[phase] ?? 0)
    }

    /// How the team's resolution stands: with a check, the moment the last landed host first passed (once every
    /// landed host has); otherwise the team's claim.
    public struct Resolution: Sendable, Hashable {
        public var method: ResolutionMethod
        /// The team's first `resolve` response.
        public var claim: Moment?
        /// When the check confirmed resolution on every landed host.
        public var confirmed: Moment?
        /// Landed hosts whose check passed, of all landed hosts.
        public var hostsConfirmed: Int
        public var hostsLanded: Int
        /// True when resolution is not applicable: the inject acts on hosts and landed on none of the team's.
        public var notApplicable: Bool
    }

    /// The pair's resolution (see ``Resolution``).
    public static func resolution(_ facts: PairFacts) -> Resolution {
        let claim = facts.firstResponse[.resolve]
        let notApplicable = (facts.acts || facts.resolveByCheck) && facts.landedHosts.isEmpty
        guard facts.resolveByCheck else {
            return Resolution(
                method: claim == nil ? .none : .claim,
                claim: claim,
                confirmed: nil,
                hostsConfirmed: 0,
                hostsLanded: facts.landedHosts.count,
                notApplicable: notApplicable
            )
        }
        let passes = facts.landedHosts.compactMap { facts.firstPass[$0] }
        var confirmed: Moment?
        if !facts.landedHosts.isEmpty, passes.count == facts.landedHosts.count {
            confirmed = passes.max { $0.exerciseMillis < $1.exerciseMillis }
        }
        let method: ResolutionMethod =
            switch (claim != nil, confirmed != nil) {
            case (true, true): .both
            case (false, true): .check
            case (true, false): .claimUnconfirmed
            case (false, false): .none
            }
        return Resolution(
            method: method,
            claim: claim,
            confirmed: confirmed,
            hostsConfirmed: passes.count,
            hostsLanded: facts.landedHosts.count,
            notApplicable: notApplicable
        )
    }

    /// When `phase` was done, or nil. Acknowledge and report are done at the team's first response in them;
    /// resolve at the check's confirmation (with a check) or the team's claim (without). A later response implies
    /// the earlier phases: a report, or a resolve claim, without an acknowledgement counts as the acknowledgement at
    /// that moment (and a resolve claim as the report). A check that confirms a fix the team never reported does not
    /// count as the team's acknowledgement or report: those phases are about telling exercise control.
    public static func completion(_ phase: ResponsePhase, _ facts: PairFacts) -> Moment? {
        let resolution = resolution(facts)
        var best: Moment? =
            phase == .resolve
            ? (facts.resolveByCheck ? resolution.confirmed : resolution.claim) : facts.firstResponse[phase]
        guard phase != .resolve else { return best }
        for later in ResponsePhase.allCases where later > phase {
            guard let response = facts.firstResponse[later] else { continue }
            if best.map({ response.exerciseMillis < $0.exerciseMillis }) ?? true { best = response }
        }
        return best
    }

    /// A phase's status and the figures every view shows with it.
    public struct PhaseOutcome: Sendable, Hashable {
        public var phase: ResponsePhase
        public var status: PhaseStatus
        /// The deadline (exercise milliseconds since STARTEX), when the phase is expected and has one.
        public var deadlineMillis: Int64?
        /// When the phase was done.
        public var done: Moment?
        /// How late it was done, when late.
        public var lateByMillis: Int64?

        /// Exercise milliseconds left before the deadline at `now` (negative: overdue), while not done.
        public func remainingMillis(at now: Int64) -> Int64? {
            guard done == nil, status == .pending || status == .missed else { return nil }
            return deadlineMillis.map { $0.subtractingSaturating(now) }
        }
    }

    /// The status of `phase` at exercise time `now`:
    /// - not expected → `notExpected`; resolve when the inject landed on none of the team's hosts → `notApplicable`;
    /// - done (see ``completion(_:_:)``) by `now`: `met` at or before the deadline, `late` after it, `done` without
    ///   one;
    /// - not done: `missed` once `now` is past the deadline (or the run finished at it), `interrupted` when the run
    ///   finished before the deadline, `notDone` when the run finished and the phase had no deadline, else
    ///   `pending`.
    ///
    /// - Parameters:
    ///   - now: the exercise time to judge at (the covered time, for a finished run).
    ///   - finished: true once the run ended or was aborted.
    public static func phaseStatus(
        _ phase: ResponsePhase,
        _ facts: PairFacts,
        now: Int64,
        finished: Bool
    ) -> PhaseOutcome {
        guard facts.expects.contains(phase) else {
            return PhaseOutcome(phase: phase, status: .notExpected, deadlineMillis: nil, done: nil, lateByMillis: nil)
        }
        let deadline = deadline(phase, facts)
        if phase == .resolve, resolution(facts).notApplicable {
            return PhaseOutcome(phase: phase, status: .notApplicable, deadlineMillis: nil, done: nil, lateByMillis: nil)
        }
        if let done = completion(phase, facts), done.exerciseMillis <= now || finished {
            guard let deadline else {
                return PhaseOutcome(phase: phase, status: .done, deadlineMillis: nil, done: done, lateByMillis: nil)
            }
            let late = done.exerciseMillis > deadline
            return PhaseOutcome(
                phase: phase,
                status: late ? .late : .met,
                deadlineMillis: deadline,
                done: done,
                lateByMillis: late ? done.exerciseMillis.subtractingSaturating(deadline) : nil
            )
        }
        let status: PhaseStatus
        if let deadline {
            if now > deadline || (finished && now >= deadline) {
                status = .missed
            } else {
                status = finished ? .interrupted : .pending
            }
        } else {
            status = finished ? .notDone : .pending
        }
        return PhaseOutcome(phase: phase, status: status, deadlineMillis: deadline, done: nil, lateByMillis: nil)
    }

    /// Every phase of `key` at the ledger's present: `now` for a running run, the covered time once finished.
    public static func phases(_ key: RunLedger.PairKey, in ledger: RunLedger, now: Int64) -> [PhaseOutcome]? {
        guard let facts = facts(key, in: ledger) else { return nil }
        let finished = ledger.status.isFinished
        let at = finished ? ledger.coveredExerciseMillis : now
        return ResponsePhase.allCases.map { phaseStatus($0, facts, now: at, finished: finished) }
    }

    // MARK: - Escalations

    /// When the window of an escalation (`after: {inject: PARENT, unless: PHASE, within: W}`) closes for one team:
    /// `within` after the parent's delivery when written; otherwise the parent's deadline for that phase, with
    /// every extension granted (so it follows an extended deadline). Nil when neither is known.
    public static func escalationWindowEnd(_ parent: PairFacts, phase: ResponsePhase, within: Duration?) -> Int64? {
        if let within { return parent.delivered.exerciseMillis.addingSaturating(within.journalMillis) }
        guard let relative = parent.relativeDeadlines[phase] else { return nil }
        return parent.delivered.exerciseMillis.addingSaturating(relative).addingSaturating(
            parent.extensions[phase] ?? 0
        )
    }

    /// True when the team had not done `phase` of the parent by `windowEnd`, so the escalation fires for it.
    public static func escalates(_ parent: PairFacts, phase: ResponsePhase, windowEnd: Int64) -> Bool {
        guard let done = completion(phase, parent) else { return true }
        return done.exerciseMillis > windowEnd
    }

    // MARK: - Refusals

    /// Why a response, a control or a rating cannot be recorded: one code and one message, which the CLI maps to
    /// its exit status and the portal to its HTTP status.
    public struct Refusal: Error, Sendable, Hashable, CustomStringConvertible {
        /// What kind of refusal.
        public enum Code: String, Sendable, Hashable, CaseIterable {
            /// A team, an inject or another id that the drill does not have.
            case unknown
            /// The inject was never delivered to the team.
            case notDelivered
            /// The drill has not started yet.
            case notStarted
            /// The drill is over.
            case over
            /// The drill's state does not allow it (pause a paused drill, resume a running one).
            case wrongState
            /// A value outside what is allowed (an empty report, an extension beyond the bound).
            case invalidValue
            /// The caller may not do it.
            case notAllowed
        }

        public var code: Code
        public var message: String

        public init(_ code: Code, _ message: String) {
            self.code = code
            self.message = message
        }

        public var description: String { "refused: \(message)" }

        /// The exit status of a CLI command refused this way.
        public var exitStatus: Int32 { 1 }

        /// The HTTP status of a portal request refused this way.
        public var httpStatus: Int {
            switch code {
            case .unknown, .notDelivered: 404
            case .notStarted, .over, .wrongState: 409
            case .invalidValue: 422
            case .notAllowed: 403
            }
        }
    }

    /// The most characters a team's written report may have (and at least one).
    public static let reportTextLimit = 8000

    /// Why `team`'s `phase` response to `inject` cannot be recorded now, or nil when it can. Late responses are
    /// allowed (they are marked late).
    public static func refusalOfResponse(
        team: String,
        inject: String,
        phase: ResponsePhase,
        text: String?,
        in ledger: RunLedger,
        scenario: Scenario?
    ) -> Refusal? {
        if let scenario {
            guard scenario.team(team) != nil else {
                let known = scenario.teams.map(\.id).joined(separator: ", ")
                return Refusal(.unknown, "there is no team '\(team)' in this drill (teams: \(known))")
            }
            guard scenario.inject(inject) != nil else {
                return Refusal(.unknown, "there is no inject '\(inject)' in this drill")
            }
        }
        if let refusal = refusalOfText(text, required: phase == .report) { return refusal }
        switch ledger.status {
        case .created: return Refusal(.notStarted, "the drill has not started (no STARTEX yet)")
        case .ended, .aborted:
            return Refusal(.over, "the drill is over (\(ledger.status.rawValue)); responses are no longer taken")
        case .running, .paused: break
        }
        guard ledger.pair(inject, team)?.delivery != nil else {
            return Refusal(
                .notDelivered,
                "inject '\(inject)' was never delivered to team '\(team)'; a team responds only to injects it received"
            )
        }
        return nil
    }

    /// Why a team's written text is refused, or nil: a report needs 1 to ``reportTextLimit`` characters (not only
    /// white space); other phases may carry such a text or none.
    public static func refusalOfText(_ text: String?, required: Bool) -> Refusal? {
        guard let text else {
            return required
                ? Refusal(.invalidValue, "a report needs its text (1 to \(reportTextLimit) characters)") : nil
        }
        if text.allSatisfy(\.isWhitespace) {
            return Refusal(.invalidValue, "the text is empty; write 1 to \(reportTextLimit) characters")
        }
        if text.count > reportTextLimit {
            return Refusal(
                .invalidValue,
                "the text has \(text.count) characters; at most \(reportTextLimit) are allowed"
            )
        }
        return nil
    }
}
