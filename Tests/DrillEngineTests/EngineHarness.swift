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

/// The engine on virtual time over an in-memory journal, with the test scenario (``VirtualEngine`` does the
/// running; this adds the scenario, the desks and lookups the tests read like specifications with).
struct EngineHarness {
    let plan: Plan
    let journal: InMemoryJournal
    let executor: InMemoryExecutor
    var engine: VirtualEngine
    var time: VirtualTime { engine.time }
    var worker: EngineWorker { engine.worker }
    var machine: EngineStateMachine { engine.machine }

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
        // Targets include the out-of-scope host on purpose: scope must still hold.
        var targets = EngineTargets(plan: plan, inventory: inventory)
        targets.hosts["outside"] = EngineTargets.Host(
            facts: inventory.connectionFacts(forHost: "outside"),
            variables: inventory.variables(forHost: "outside")
        )
        engine = VirtualEngine(
            plan: plan,
            targets: targets,
            executor: executor,
            journal: journal,
            runID: "run-1",
            time: VirtualTime(),
            simulator: simulator,
            advancesTimeWhenWaiting: advancesTimeWhenWaiting
        )
        if start && journal.events.isEmpty { try await engine.start() }
        try await engine.ingest()
    }

    var now: Int64 { engine.now }
    var ledger: RunLedger { engine.ledger }
    var events: [JournalEvent] { journal.events }
    var actionsSeen: [EngineAction] { engine.actionsSeen }

    mutating func ingest() async throws { try await engine.ingest() }
    func moveTo(exercise: Int64) { engine.moveTo(exercise: exercise) }
    func wait(wallMillis millis: Int64) { engine.wait(wallMillis: millis) }

    @discardableResult
    mutating func run(until: Int64 = .max) async throws -> Bool { try await engine.run(until: until) }

    @discardableResult
    mutating func resume(
        outage: OutagePolicy,
        missed: MissedPolicy,
        fireWhenAsked: Set<String> = [],
        heartbeat: EngineHeartbeat? = nil
    ) async throws -> [FireOrder] {
        try await engine.resume(outage: outage, missed: missed, fireWhenAsked: fireWhenAsked, heartbeat: heartbeat)
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
