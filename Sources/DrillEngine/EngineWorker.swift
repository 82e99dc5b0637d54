public import DrillCore

/// Carries out one ``EngineAction`` against the hosts and the journal: the engine's only I/O.
///
/// Every step journals its intent before acting and its outcome after, through `appendIfAbsent` with an
/// idempotency key, so that a resumed engine that repeats an order finds what was already done instead of
/// doing it again: a host action whose intent is in the journal is never run a second time. A host outside the
/// scenario's scope (not in ``EngineTargets``) is never contacted, whatever the order says. A host that fails is
/// a journaled result, never an error: only a journal that cannot be written stops the engine.
public struct EngineWorker: Sendable {
    public let plan: Plan
    public let targets: EngineTargets
    public let executor: any RemoteExecutor
    public let journal: any JournalWriter
    public let runID: String
    public let limits: EngineLimits
    /// The current wall and exercise time.
    public let now: @Sendable () -> EngineTime
    /// Waits for an exercise-time duration (the service sleeps on its injected clock, scaled by the speed). When
    /// nil, checks that must be repeated (`landed_when` until it passes) run once.
    public let waitExercise: (@Sendable (Duration) async throws -> Void)?

    private let plannedByID: [String: PlannedInject]
    private let teamsOfHost: [String: [String]]
    private let scope: Set<String>

    public init(
        plan: Plan,
        targets: EngineTargets,
        executor: any RemoteExecutor,
        journal: any JournalWriter,
        runID: String,
        limits: EngineLimits = EngineLimits(),
        now: @escaping @Sendable () -> EngineTime,
        waitExercise: (@Sendable (Duration) async throws -> Void)? = nil
    ) {
        self.waitExercise = waitExercise
        self.plan = plan
        self.targets = targets
        self.executor = executor
        self.journal = journal
        self.runID = runID
        self.limits = limits
        self.now = now
        plannedByID = Dictionary(plan.injects.map { ($0.id, $0) }) { first, _ in first }
        var teamsOfHost: [String: [String]] = [:]
        for team in plan.scenario.teams {
            for planned in plan.injects {
                for reach in planned.teams where reach.id == team.id {
                    for host in reach.hosts where !(teamsOfHost[host] ?? []).contains(team.id) {
                        teamsOfHost[host, default: []].append(team.id)
                    }
                }
            }
        }
        self.teamsOfHost = teamsOfHost
        scope = Set(plan.scopeHosts)
    }

    /// Does `action` and returns its completion (nil for actions that need no work: wake, finish).
    ///
    /// - Throws: only when the journal cannot be written.
    public func perform(_ action: EngineAction) async throws -> EngineCompletion? {
        switch action {
        case .fire(let order):
            try await fire(order)
            return .fire(order)
        case .check(let order):
            try await check(order)
            return .check(order)
        case .simulate(let response):
            try await simulate(response)
            return .simulate(response)
        case .recordVerdict(let order):
            try await recordVerdict(order)
            return .verdict(order)
        case .recordEndex(let reason):
            _ = try await journal.appendIfAbsent(event(.endex(EndexPayload(reason: reason)), key: .endex))
            return .endex
        case .cleanup(let order):
            try await cleanup(order)
            return .cleanup(order)
        case .finish, .wake:
            return nil
        }
    }

    // MARK: - Firing

    func fire(_ order: FireOrder) async throws {
        guard let planned = plannedByID[order.inject] else { return }
        // Scope is enforced here again: a host the scope does not allow is never contacted.
        let hosts = order.hosts.filter { scope.contains($0) && targets.hosts[$0] != nil }
        let intent = event(
            .injectIntent(
                InjectIntentPayload(
                    scheduledMillis: order.scheduledMillis,
                    hosts: hosts,
                    teams: order.teams,
                    reason: order.reason.rawValue,
                    steps: planned.inject.actions.count,
                    landedCheck: !planned.inject.actions.isEmpty && planned.inject.landedWhen != nil
                )
            ),
            inject: order.inject,
            key: order.key
        )
        _ = try await journal.appendIfAbsent(intent)
        try await forEach(hosts) { host in try await act(planned, order: order, host: host) }
        let reached = Set(hosts)
        let expects = planned.inject.expectedPhases
        for team in order.teams {
            var deadlines: [ResponsePhase: Duration] = [:]
            for phase in expects { deadlines[phase] = planned.deadlines[phase] }
            let message = planned.inject.message.map { text in
                (try? render(text, planned: planned, host: nil, team: team, mode: .text)) ?? text
            }
            let teamHosts = planned.teams.first { $0.id == team }?.hosts.filter(reached.contains) ?? []
            _ = try await journal.appendIfAbsent(
                event(
                    .delivered(
                        DeliveredPayload(
                            message: message,
                            severity: planned.severity?.rawValue,
                            deadlines: deadlines,
                            expects: expects,
                            resolveByCheck: planned.inject.resolvedWhen != nil,
                            hosts: teamHosts
                        )
                    ),
                    inject: order.inject,
                    team: team,
                    key: .delivered(inject: order.inject, occurrence: order.occurrence, team: team)
                )
            )
        }
        _ = try await journal.appendIfAbsent(
            event(
                .injectFired(
                    InjectFiredPayload(
                        intentKey: order.intentKey,
                        occurrence: order.occurrence,
                        hosts: hosts.count,
                        teams: order.teams.count
                    )
                ),
                inject: order.inject,
                key: .injectFired(intent: order.intentKey)
            )
        )
    }

    /// Runs the inject's actions on one host, in order, stopping at the first failure; then its landed check.
    private func act(_ planned: PlannedInject, order: FireOrder, host: String) async throws {
        guard let target = targets.hosts[host], scope.contains(host) else { return }
        let team = teamsOfHost[host]?.first { order.teams.contains($0) } ?? teamsOfHost[host]?.first
        // A firing continued after a crash: the steps the journal shows as done are not run again, and a step
        // whose outcome is unknown (or that failed) stops the host.
        let progress = order.progress[host]
        if progress?.stopped == true { return }
        for (step, action) in planned.inject.actions.enumerated() where step >= (progress?.stepsDone ?? 0) {
            let rendered = Result { try renderAction(action, planned: planned, host: host, team: team) }
            let shown: String
            switch rendered {
            case .success(let action): shown = action.description
            case .failure: shown = action.templateTexts.first ?? ""
            }
            let started = try await journal.appendIfAbsent(
                event(
                    .hostActionStarted(HostActionIntentPayload(step: step, command: shown)),
                    inject: planned.id,
                    team: team,
                    host: host,
                    key: .hostAction(
                        inject: planned.id,
                        occurrence: order.occurrence,
                        team: order.team,
                        step: step,
                        host: host
                    )
                )
            )
            // Already in the journal: done before, or uncertain. Never run an action twice.
            guard started.wasAppended else { return }
            let payload: HostActionResultPayload
            switch rendered {
            case .failure(let error):
                payload = HostActionResultPayload(
                    step: step,
                    exitStatus: nil,
                    error: "cannot render: \(error)",
                    started: false
                )
            case .success(let command):
                payload = await execute(command, step: step, on: target.facts)
            }
            _ = try await journal.append(event(.hostActionResult(payload), inject: planned.id, team: team, host: host))
            guard RunRules.actionSucceeded(payload) else { return }
        }
        guard !planned.inject.actions.isEmpty, let landed = planned.inject.landedWhen, progress?.landedChecked != true
        else { return }
        // Poll until the event shows on the host, every `every`, for at most `timeout` of exercise time; only
        // the final result is journaled (a landed check is a verdict, not a series).
        let timeout = landed.timeout ?? Check.defaultLandedTimeout
        let giveUpAt = now().exerciseMillis.addingSaturating(timeout.journalMillis)
        var result = await runCheck(landed, planned: planned, host: host, team: team, target: target)
        while !result.passed, let waitExercise,
            now().exerciseMillis.addingSaturating(landed.every.journalMillis) <= giveUpAt
        {
            try await waitExercise(landed.every)
            result = await runCheck(landed, planned: planned, host: host, team: team, target: target)
        }
        _ = try await journal.append(event(.landedCheck(result), inject: planned.id, team: team, host: host))
    }

    // MARK: - Checks, responses, deadlines

    func check(_ order: CheckOrder) async throws {
        guard let planned = plannedByID[order.inject], let check = planned.inject.resolvedWhen,
            let target = targets.hosts[order.host], scope.contains(order.host)
        else { return }
        let result = await runCheck(check, planned: planned, host: order.host, team: order.team, target: target)
        _ = try await journal.append(
            event(.checkResult(result), inject: order.inject, team: order.team, host: order.host)
        )
    }

    private func runCheck(
        _ check: Check,
        planned: PlannedInject,
        host: String,
        team: String?,
        target: EngineTargets.Host
    ) async -> CheckResultPayload {
        let command: String
        do {
            command = try render(check.command, planned: planned, host: host, team: team, mode: .shell)
        } catch {
            let evidence = CheckEvidence(
                command: check.command,
                exitStatus: nil,
                outputExcerpt: "cannot render: \(error)",
                checkedAtWallMillis: now().wallMillis
            )
            return CheckResultPayload(passed: false, evidence: evidence)
        }
        let checkedAt = now().wallMillis
        do {
            let result = try await executor.run(
                RemoteCommand(command, timeout: limits.checkTimeout, outputLimit: limits.excerptLimit * 4),
                on: target.facts
            )
            let evidence = CheckEvidence(
                command: command,
                exitStatus: result.exitStatus,
                outputExcerpt: excerpt(result.stdout + result.stderr),
                checkedAtWallMillis: checkedAt
            )
            return CheckResultPayload(passed: result.succeeded, evidence: evidence)
        } catch {
            let evidence = CheckEvidence(
                command: command,
                exitStatus: nil,
                outputExcerpt: excerpt("could not run: \(error)"),
                checkedAtWallMillis: checkedAt
            )
            return CheckResultPayload(passed: false, evidence: evidence)
        }
    }

    func simulate(_ response: SimulatedResponse) async throws {
        guard let planned = plannedByID[response.inject] else { return }
        if response.phase == .resolve {
            // A competent team fixes its hosts: run the remedy on each (outside scope: never).
            try await forEach(response.remedyHosts) { host in
                guard let target = targets.hosts[host], scope.contains(host) else { return }
                for action in planned.inject.remedy {
                    guard let command = try? renderAction(action, planned: planned, host: host, team: response.team)
                    else { break }
                    let result = await execute(command, step: 0, on: target.facts)
                    if !RunRules.actionSucceeded(result) { break }
                }
            }
        }
        let text: String? =
            response.phase == .report
            ? "（模拟）\(planned.inject.title)：已核查并处置，影响范围已确认。(simulated situation report)" : nil
        var event = event(
            .response(ResponsePayload(phase: response.phase, text: text)),
            inject: response.inject,
            team: response.team,
            actor: JournalEvent.Actor(.simulator, id: response.team),
            key: .simulatedResponse(inject: response.inject, team: response.team, phase: response.phase)
        )
        event.exerciseMillis = response.atMillis
        _ = try await journal.appendIfAbsent(event)
    }

    func recordVerdict(_ order: VerdictOrder) async throws {
        _ = try await journal.appendIfAbsent(
            event(
                .phaseVerdict(
                    PhaseVerdictPayload(
                        phase: order.phase,
                        status: order.status,
                        deadlineMillis: order.deadlineMillis,
                        doneAtMillis: order.doneAtMillis
                    )
                ),
                inject: order.inject,
                team: order.team,
                key: order.key
            )
        )
    }

    // MARK: - Cleanup

    func cleanup(_ order: CleanupOrder) async throws {
        let planned = plannedByID[order.inject]
        let team = teamsOfHost[order.host]?.first
        var commands: [RenderedAction] = []
        var renderError: String?
        for action in planned?.inject.cleanup ?? [] {
            do {
                commands.append(try renderAction(action, planned: planned!, host: order.host, team: team))
            } catch {
                renderError = "cannot render: \(error)"
            }
        }
        let intent = try await journal.appendIfAbsent(
            event(
                .cleanupIntent(CleanupIntentPayload(commands: commands.map(\.description))),
                inject: order.inject,
                team: team,
                host: order.host,
                key: .cleanup(inject: order.inject, attempt: order.attempt, host: order.host)
            )
        )
        guard intent.wasAppended else { return }
        let payload: CleanupResultPayload
        if let renderError {
            payload = CleanupResultPayload(succeeded: false, error: renderError)
        } else if let target = targets.hosts[order.host], scope.contains(order.host) {
            if commands.isEmpty {
                payload = CleanupResultPayload(succeeded: true, outputExcerpt: "nothing to clean up")
            } else {
                var output = ""
                var outcome = CleanupResultPayload(succeeded: true)
                for command in commands {
                    var result = await execute(command, step: 0, on: target.facts, timeout: limits.cleanupTimeout)
                    output += result.stdoutExcerpt + result.stderrExcerpt
                    if !RunRules.actionSucceeded(result) {
                        result.error = result.error ?? (result.timedOut ? "timed out" : nil)
                        outcome = CleanupResultPayload(
                            succeeded: false,
                            exitStatus: result.exitStatus,
                            error: result.error ?? "'\(command.description)' failed"
                        )
                        break
                    }
                    outcome.exitStatus = result.exitStatus
                }
                outcome.outputExcerpt = excerpt(output)
                payload = outcome
            }
        } else {
            payload = CleanupResultPayload(
                succeeded: false,
                error: "refused: '\(order.host)' is outside the drill's scope or not in the inventory"
            )
        }
        _ = try await journal.append(event(.cleanupResult(payload), inject: order.inject, team: team, host: order.host))
    }

    // MARK: - Helpers

    /// An action rendered for one host.
    enum RenderedAction: Sendable, CustomStringConvertible {
        case run(String, timeout: Duration?)
        case upload(content: String, destination: String, mode: Int?)

        var description: String {
            switch self {
            case .run(let command, _): command
            case .upload(let content, let destination, let mode):
                "upload \(destination) (\(content.utf8.count) bytes\(mode.map { ", mode " + String($0, radix: 8) } ?? ""))"
            }
        }
    }

    private func renderAction(
        _ action: Action,
        planned: PlannedInject,
        host: String,
        team: String?
    ) throws
        -> RenderedAction
    {
        switch action {
        case .run(let run):
            return .run(
                try render(run.command, planned: planned, host: host, team: team, mode: .shell),
                timeout: run.timeout
            )
        case .upload(let upload):
            guard let content = upload.content else {
                throw EngineError(
                    "the upload's source file '\(upload.source ?? "?")' was not read into the run; create the run again with `drillctl run` so its copy is kept in the run folder"
                )
            }
            return .upload(
                content: try render(content, planned: planned, host: host, team: team, mode: .text),
                destination: try render(upload.destination, planned: planned, host: host, team: team, mode: .text),
                mode: upload.mode
            )
        }
    }

    private func render(
        _ text: String,
        planned: PlannedInject,
        host: String?,
        team: String?,
        mode: Template.Mode
    )
        throws -> String
    {
        var context = TemplateContext(scenario: plan.scenario, inject: planned.inject)
        if let host, let target = targets.hosts[host] {
            context.host = TemplateContext.Host(name: host, variables: target.variables)
        }
        if let team, let model = plan.scenario.team(team) {
            context.team = model
            context.province = plan.scenario.province(model.province)
        }
        return try Template(parsing: text).render(context, mode: mode)
    }

    private func execute(
        _ action: RenderedAction,
        step: Int,
        on target: ConnectionFacts,
        timeout: Duration? = nil
    ) async -> HostActionResultPayload {
        do {
            switch action {
            case .run(let command, let actionTimeout):
                let result = try await executor.run(
                    RemoteCommand(
                        command,
                        timeout: timeout ?? actionTimeout ?? limits.actionTimeout,
                        outputLimit: limits.excerptLimit * 4
                    ),
                    on: target
                )
                return HostActionResultPayload(
                    step: step,
                    exitStatus: result.exitStatus,
                    exitSignal: result.exitSignal,
                    timedOut: result.timedOut,
                    stdoutExcerpt: excerpt(result.stdout),
                    stderrExcerpt: excerpt(result.stderr),
                    connectMillis: result.timings.connect.journalMillis,
                    authenticateMillis: result.timings.authenticate.journalMillis,
                    runMillis: result.timings.run.journalMillis,
                    started: true
                )
            case .upload(let content, let destination, let mode):
                try await executor.upload(Array(content.utf8), to: destination, mode: Int32(mode ?? 0o644), on: target)
                return HostActionResultPayload(step: step, exitStatus: 0, started: true)
            }
        } catch {
            let started = (error as? any RemoteFailure)?.commandMayHaveStarted ?? true
            return HostActionResultPayload(step: step, exitStatus: nil, error: "\(error)", started: started)
        }
    }

    private func excerpt(_ text: String) -> String {
        text.count > limits.excerptLimit ? String(text.prefix(limits.excerptLimit)) + "…" : text
    }

    /// Runs `body` for every element, at most ``EngineLimits/forks`` at once.
    private func forEach(_ items: [String], _ body: @escaping @Sendable (String) async throws -> Void) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            var iterator = items.makeIterator()
            for _ in 0..<limits.forks {
                guard let item = iterator.next() else { break }
                group.addTask { try await body(item) }
            }
            while try await group.next() != nil {
                if let item = iterator.next() { group.addTask { try await body(item) } }
            }
        }
    }

    private func event(
        _ body: RunEvent.Body,
        inject: String? = nil,
        team: String? = nil,
        host: String? = nil,
        actor: JournalEvent.Actor = .engine,
        key: EventKey? = nil
    ) -> JournalEvent {
        let time = now()
        return JournalEvent(
            body,
            runID: runID,
            wallMillis: time.wallMillis,
            exerciseMillis: time.exerciseMillis,
            inject: inject,
            team: team,
            host: host,
            actor: actor,
            key: key
        )
    }
}

/// A problem in the engine's own work (not a host's failure, which is a journaled result).
public struct EngineError: Error, Sendable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
