import DrillCore
import DrillEngine
import DrillRun
import DrillTesting
import Synchronization
import Testing

/// The test scenario: a three-hour drill, two teams, three hosts in scope and one outside it.
let testScenarioYAML = """
    drill: test
    title: Test drill
    duration: 3h
    scope: [yunnan]
    provinces: [{ id: yunnan, name: Yunnan }]
    teams:
      - { id: t1, name: Team One, province: yunnan, groups: g1 }
      - { id: t2, name: Team Two, province: yunnan, groups: g2 }
    severity_deadlines:
      II: { acknowledge: 5m, report: 10m, resolve: 20m }
    injects:
      - id: deface
        at: 00:10:00
        severity: II
        targets: { province: yunnan }
        message: "{{ team.name }}: the home page is defaced"
        actions:
          - run: "touch {{ host.vars.drill_root }}/deface"
        landed_when: "test -e {{ host.vars.drill_root }}/deface"
        resolved_when: { run: "test ! -e {{ host.vars.drill_root }}/deface", every: 1m }
        remedy:
          - run: "rm -f {{ host.vars.drill_root }}/deface"
        cleanup:
          - run: "rm -f {{ host.vars.drill_root }}/deface"
      - id: followup
        after: { inject: deface, delay: 30m }
        message: "Follow-up questions"
      - id: escalate
        after: { inject: deface, unless: acknowledged, within: 5m }
        severity: II
        message: "You did not acknowledge"
      - id: final
        at: 02:00:00
        targets: { province: yunnan }
        message: "Final inject"
    """

let testInventoryYAML = """
    all:
      vars:
        drill_root: /srv/drill
      children:
        yunnan:
          children:
            g1:
              hosts:
                h1: {}
                h2: {}
            g2:
              hosts:
                h3: {}
        elsewhere:
          hosts:
            outside: {}
    """

/// Wall and exercise time for a virtual run: wall time moves only when the harness moves it.
final class VirtualTime: Sendable {
    private let state = Mutex<(wall: Int64, clock: RunClock)>((1_000_000, RunClock()))
    var wall: Int64 { state.withLock { $0.wall } }
    var clock: RunClock { state.withLock { $0.clock } }
    func setWall(_ wall: Int64) { state.withLock { $0.wall = max($0.wall, wall) } }
    func apply(_ event: JournalEvent) { state.withLock { $0.clock.apply(RunEvent(event)) } }
    var now: EngineTime {
        state.withLock {
            EngineTime(wallMillis: $0.wall, exerciseMillis: $0.clock.exerciseMillis(atWallMillis: $0.wall))
        }
    }
}

/// Runs the engine's state machine and worker inline on virtual time: no clock, no sleeps, no concurrency.
/// A three-hour drill takes milliseconds.
struct EngineHarness {
    let plan: Plan
    let journal: InMemoryJournal
    let executor: InMemoryExecutor
    let time = VirtualTime()
    let worker: EngineWorker
    var machine: EngineStateMachine
    var lastSequence: Int64 = 0
    var actionsSeen: [EngineAction] = []

    static func plan(
        _ scenario: String = testScenarioYAML,
        inventory: String = testInventoryYAML
    ) throws -> (
        Plan, Inventory
    ) {
        let loaded = try ScenarioLoader.load(text: scenario, file: "test.yaml")
        let inventory = try InventoryLoader.load(text: inventory, file: "inventory.yaml")
        let diagnostics = ScenarioValidator.validate(loaded, inventory: inventory)
        #expect(!diagnostics.hasErrors, "\(diagnostics.sorted)")
        return (Planner.plan(loaded.scenario, inventory: inventory), inventory)
    }

    init(
        plan: Plan? = nil,
        inventory: Inventory? = nil,
        simulator: TeamSimulator? = nil,
        journal: InMemoryJournal = InMemoryJournal(runID: "run-1"),
        executor: InMemoryExecutor = InMemoryExecutor(),
        start: Bool = true,
        advancesTimeWhenWaiting: Bool = false
    ) async throws {
        let (defaultPlan, defaultInventory) = try Self.plan()
        let plan = plan ?? defaultPlan
        let inventory = inventory ?? defaultInventory
        self.plan = plan
        self.journal = journal
        self.executor = executor
        machine = EngineStateMachine(plan: plan, simulator: simulator)
        let time = self.time
        // Targets include the out-of-scope host on purpose: scope must still hold.
        var targets = EngineTargets(plan: plan, inventory: inventory)
        targets.hosts["outside"] = EngineTargets.Host(
            facts: inventory.connectionFacts(forHost: "outside"),
            variables: inventory.variables(forHost: "outside")
        )
        worker = EngineWorker(
            plan: plan,
            targets: targets,
            executor: executor,
            journal: journal,
            runID: "run-1",
            now: { time.now },
            // A worker that waits (landed_when polling) moves virtual time forward instead of sleeping.
            waitExercise: advancesTimeWhenWaiting
                ? { @Sendable duration in
                    let millis =
                        Int64(duration.components.seconds) * 1000 + duration.components.attoseconds
                        / 1_000_000_000_000_000
                    time.setWall(time.wall + millis)
                }
                : nil
        )
        if start && journal.events.isEmpty {
            _ = try await journal.append(
                JournalEvent(
                    .runCreated(RunCreatedPayload(scenario: "test", speed: 1)),
                    runID: "run-1",
                    wallMillis: time.wall,
                    exerciseMillis: 0
                )
            )
            _ = try await journal.append(
                JournalEvent(
                    .startex(StartexPayload(speed: 1)),
                    runID: "run-1",
                    wallMillis: time.wall,
                    exerciseMillis: 0,
                    key: .startex
                )
            )
        }
        try await ingest()
    }

    var now: Int64 { time.now.exerciseMillis }
    var ledger: RunLedger { machine.ledger }
    var events: [JournalEvent] { journal.events }

    mutating func ingest() async throws {
        for event in try await journal.events(after: lastSequence, limit: nil) {
            machine.journaled(event)
            time.apply(event)
            lastSequence = event.sequence ?? lastSequence
        }
    }

    /// Moves wall time so that exercise time is `exercise` (while the clock runs).
    func moveTo(exercise: Int64) {
        if let wall = time.clock.wallMillis(atExerciseMillis: exercise) { time.setWall(Int64(wall.rounded(.up))) }
    }

    /// Moves wall time forward by `millis` (exercise time follows unless paused).
    func wait(wallMillis millis: Int64) { time.setWall(time.wall + millis) }

    /// Runs until exercise time `until` (or the end), performing every action inline. Returns true when the
    /// engine finished (ENDEX journaled and cleanup over).
    @discardableResult
    mutating func run(until: Int64 = .max) async throws -> Bool {
        while true {
            try await ingest()
            let actions = machine.tick(now: now)
            actionsSeen += actions
            var wake: Int64?
            var work = false
            for action in actions {
                switch action {
                case .wake(let at): wake = at
                case .finish: return true
                default:
                    work = true
                    if let completion = try await worker.perform(action) {
                        try await ingest()
                        machine.completed(completion)
                    }
                }
            }
            if work { continue }
            if now >= until || time.clock.isPaused { return machine.isFinished }
            guard let target = [wake, until == .max ? nil : until].compactMap({ $0 }).min() else {
                return machine.isFinished
            }
            moveTo(exercise: target)
        }
    }

    /// Does what a restarted engine does before continuing (uncertain marking, the clock across the outage,
    /// the missed policy), through the same ``EngineResume`` function the service calls, and returns the injects
    /// that fell due while it was down.
    @discardableResult
    mutating func resume(
        outage: OutagePolicy,
        missed: MissedPolicy,
        fireWhenAsked: Set<String> = [],
        heartbeat: EngineHeartbeat? = nil
    ) async throws
        -> [FireOrder]
    {
        try await ingest()
        let restart = EngineResume.restart(
            ledger: machine.ledger,
            clock: time.clock,
            heartbeat: heartbeat,
            outage: outage,
            runID: "run-1",
            wallMillis: time.wall
        )
        if !restart.isEmpty { _ = try await journal.append(contentsOf: restart) }
        try await ingest()
        let due = EngineResume.missed(machine.dueFires(now: now), now: now)
        let fire: Set<String> =
            switch missed {
            case .fire: Set(due.map(\.inject))
            case .skip: []
            case .ask: fireWhenAsked
            }
        machine.lateInjects = fire
        let skips = EngineResume.skipEvents(missed: due, fire: fire, runID: "run-1", time: time.now)
        if !skips.isEmpty { _ = try await journal.append(contentsOf: skips) }
        try await ingest()
        return due
    }

    /// Records a team response at the current time through the response desk.
    @discardableResult
    func respond(
        _ team: String,
        _ inject: String,
        _ phase: ResponsePhase,
        text: String? = nil
    ) async throws
        -> ResponseDesk.Receipt
    {
        try await ResponseDesk(journal: journal, scenario: plan.scenario)
            .respond(
                team: team,
                inject: inject,
                phase: phase,
                text: text ?? (phase == .report ? "situation report" : nil),
                wallMillis: time.wall
            )
    }

    func control(_ command: ControlDesk.Command) async throws {
        try await ControlDesk(journal: journal, scenario: plan.scenario).perform(command, wallMillis: time.wall)
    }

    /// The statuses the engine journaled for a phase, in order.
    func verdicts(_ inject: String, _ team: String, _ phase: ResponsePhase) -> [PhaseStatus] {
        events.filter { $0.kind == .phaseVerdict && $0.inject == inject && $0.team == team }.compactMap {
            guard case .phaseVerdict(let verdict) = RunEvent($0).body, verdict.phase == phase else { return nil }
            return verdict.status
        }
    }

    /// The first verdict event with `status` for a phase.
    func verdict(_ status: PhaseStatus, _ inject: String, _ team: String, _ phase: ResponsePhase) -> JournalEvent? {
        events.first {
            guard $0.kind == .phaseVerdict, $0.inject == inject, $0.team == team,
                case .phaseVerdict(let verdict) = RunEvent($0).body
            else { return false }
            return verdict.phase == phase && verdict.status == status
        }
    }

    /// The status the rules give a phase now, from the machine's ledger (what every view shows).
    func status(_ inject: String, _ team: String, _ phase: ResponsePhase) -> PhaseStatus? {
        RunRules.phases(RunLedger.PairKey(inject: inject, team: team), in: machine.ledger, now: now)?
            .first { $0.phase == phase }?.status
    }

    func count(_ kind: JournalEvent.Kind, inject: String? = nil, team: String? = nil, host: String? = nil) -> Int {
        events.filter {
            $0.kind == kind && (inject == nil || $0.inject == inject) && (team == nil || $0.team == team)
                && (host == nil || $0.host == host)
        }.count
    }

    func first(_ kind: JournalEvent.Kind, inject: String? = nil, team: String? = nil) -> JournalEvent? {
        events.first { $0.kind == kind && (inject == nil || $0.inject == inject) && (team == nil || $0.team == team) }
    }
}

let minute: Int64 = 60_000

/// A journal holding `events` (a prefix of another run's journal), as a restarted engine finds it.
func prefixJournal(_ events: [JournalEvent]) async throws -> InMemoryJournal {
    let journal = InMemoryJournal(runID: "run-1")
    if !events.isEmpty { _ = try await journal.append(contentsOf: events) }
    return journal
}
