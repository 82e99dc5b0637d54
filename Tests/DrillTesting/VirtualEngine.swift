public import DrillCore
public import DrillEngine
import Synchronization

/// Wall and exercise time for a virtual run: wall time moves only when the test moves it; exercise time follows
/// the run's own clock (folded from its journal).
public final class VirtualTime: Sendable {
    private let state: Mutex<(wall: Int64, clock: RunClock)>

    public init(wall: Int64 = 1_000_000) { state = Mutex((wall, RunClock())) }

    public var wall: Int64 { state.withLock { $0.wall } }
    public var clock: RunClock { state.withLock { $0.clock } }
    /// Moves wall time to `wall` (never backwards).
    public func setWall(_ wall: Int64) { state.withLock { $0.wall = max($0.wall, wall) } }
    public func apply(_ event: JournalEvent) { state.withLock { $0.clock.apply(RunEvent(event)) } }
    /// Forgets the clock (a restarted engine folds it again from the journal).
    public func resetClock() { state.withLock { $0.clock = RunClock() } }
    public var now: EngineTime {
        state.withLock {
            EngineTime(wallMillis: $0.wall, exerciseMillis: $0.clock.exerciseMillis(atWallMillis: $0.wall))
        }
    }
}

/// Runs the engine's state machine and worker inline on virtual time: no clock, no sleeps, no concurrency. A
/// three-hour drill takes milliseconds. Tests drive it with ``run(until:)``, move wall time, and restart it from
/// its journal (``restart(simulator:)``) as `drillctl resume` does after kill -9.
public struct VirtualEngine {
    public let plan: Plan
    public let journal: any JournalWriter & JournalReader
    public let time: VirtualTime
    public let worker: EngineWorker
    public var machine: EngineStateMachine
    public private(set) var lastSequence: Int64 = 0
    public private(set) var actionsSeen: [EngineAction] = []
    let runID: String

    public init(
        plan: Plan,
        targets: EngineTargets,
        executor: any RemoteExecutor,
        journal: any JournalWriter & JournalReader,
        runID: String,
        time: VirtualTime,
        simulator: TeamSimulator? = nil,
        advancesTimeWhenWaiting: Bool = false
    ) {
        self.plan = plan
        self.journal = journal
        self.time = time
        self.runID = runID
        machine = EngineStateMachine(plan: plan, simulator: simulator)
        worker = EngineWorker(
            plan: plan,
            targets: targets,
            executor: executor,
            journal: journal,
            runID: runID,
            now: { time.now },
            // A worker that waits (landed_when polling) moves virtual time forward instead of sleeping.
            waitExercise: advancesTimeWhenWaiting
                ? { @Sendable duration in time.setWall(time.wall + duration.journalMillis) } : nil
        )
    }

    /// Journals `run_created` and STARTEX at the current time (when the journal is empty).
    public func start(speed: Double = 1) async throws {
        guard try await journal.events(after: 0, limit: 1).isEmpty else { return }
        _ = try await journal.append(
            JournalEvent(
                .runCreated(RunCreatedPayload(scenario: plan.scenario.id, speed: speed)),
                runID: runID,
                wallMillis: time.wall,
                exerciseMillis: 0
            )
        )
        try await startex(speed: speed)
    }

    /// Journals STARTEX at the current time.
    public func startex(speed: Double = 1) async throws {
        _ = try await journal.appendIfAbsent(
            JournalEvent(
                .startex(StartexPayload(speed: speed)),
                runID: runID,
                wallMillis: time.wall,
                exerciseMillis: 0,
                key: .startex
            )
        )
    }

    public var now: Int64 { time.now.exerciseMillis }
    public var ledger: RunLedger { machine.ledger }

    /// Feeds the machine every event appended since the last call (its own and other writers').
    public mutating func ingest() async throws {
        for event in try await journal.events(after: lastSequence, limit: nil) {
            machine.journaled(event)
            time.apply(event)
            lastSequence = event.sequence ?? lastSequence
        }
    }

    /// Moves wall time so that exercise time is `exercise` (while the clock runs).
    public func moveTo(exercise: Int64) {
        if let wall = time.clock.wallMillis(atExerciseMillis: exercise) { time.setWall(Int64(wall.rounded(.up))) }
    }

    /// Moves wall time forward by `millis` (exercise time follows unless paused).
    public func wait(wallMillis millis: Int64) { time.setWall(time.wall + millis) }

    /// Runs until exercise time `until` (or the end), performing every action inline. Returns true when the
    /// engine finished (ENDEX journaled and cleanup over).
    @discardableResult
    public mutating func run(until: Int64 = .max) async throws -> Bool {
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

    /// Throws away the machine (as kill -9 does) and builds a new one from the journal.
    public mutating func restart(simulator: TeamSimulator?) async throws {
        machine = EngineStateMachine(plan: plan, simulator: simulator)
        lastSequence = 0
        time.resetClock()
        try await ingest()
    }

    /// Does what a restarted engine does before continuing (uncertain marking, the clock across the outage, the
    /// missed policy), through the same ``EngineResume`` function the service calls, and returns the injects that
    /// fell due while it was down.
    @discardableResult
    public mutating func resume(
        outage: OutagePolicy,
        missed: MissedPolicy,
        fireWhenAsked: Set<String> = [],
        heartbeat: EngineHeartbeat? = nil
    ) async throws -> [FireOrder] {
        try await ingest()
        let restart = EngineResume.restart(
            ledger: machine.ledger,
            clock: time.clock,
            heartbeat: heartbeat,
            outage: outage,
            runID: runID,
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
        let skips = EngineResume.skipEvents(missed: due, fire: fire, runID: runID, time: time.now)
        if !skips.isEmpty { _ = try await journal.append(contentsOf: skips) }
        try await ingest()
        return due
    }
}
