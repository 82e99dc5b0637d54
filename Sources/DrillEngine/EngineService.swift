public import DrillCore
import Synchronization

/// How a run ended, for the exit status of `drillctl run` / `resume`.
public struct EngineOutcome: Sendable, Hashable {
    /// The run's final state.
    public var state: RunState
    /// Hosts that could not be put back, with the injects left on each.
    public var uncleanedHosts: [(host: String, injects: [String])] { state.hostsNeedingCleanup }

    public init(state: RunState) { self.state = state }

    /// True when the director aborted the run (or a signal did).
    public var wasAborted: Bool { state.status == .aborted }

    public static func == (lhs: EngineOutcome, rhs: EngineOutcome) -> Bool { lhs.state == rhs.state }
    public func hash(into hasher: inout Hasher) { hasher.combine(state.lastSequence) }
}

/// What a resumed engine does with injects that fell due while it was down.
public enum MissedPolicy: String, Sendable, Hashable, CaseIterable {
    /// Fire them now, marked `late`.
    case fire
    /// Do not fire them; journal each as skipped.
    case skip
    /// Ask the director, inject by inject.
    case ask
}

/// What the engine tells its observer (the live view, the plain log).
public enum EngineObservation: Sendable {
    /// A journal event was read (the engine's own, or one another process wrote).
    case event(JournalEvent, RunState)
    /// The engine woke up at this exercise time.
    case tick(exerciseMillis: Int64, state: RunState, next: [FireOrder])
}

/// Runs a drill: the async driver of ``EngineStateMachine``.
///
/// It owns the time: it reads the injected `Clock` (`ContinuousClock` in production, a manual clock in tests),
/// maps it to wall time and, through the ``RunClock`` built from the journal, to exercise time. It tails the
/// journal (every ``pollInterval``, and as soon as work completes), feeds every event to the state machine, and
/// carries out the machine's actions concurrently with an ``EngineWorker``. Controls and responses from other
/// processes arrive through the journal; a pause in the journal stops the exercise clock.
public final class EngineService<C: Clock>: Sendable where C.Duration == Duration {
    public let plan: Plan
    public let runID: String
    public let journal: any JournalWriter & JournalReader
    public let clock: C
    public let simulator: TeamSimulator?
    /// How often the journal is read for events written by other processes (real time).
    public let pollInterval: Duration
    public let observer: (@Sendable (EngineObservation) -> Void)?

    private let origin: C.Instant
    private let wallOrigin: Int64
    private let exerciseClock: Mutex<RunClock>
    private let makeWorker: @Sendable (@escaping @Sendable () -> EngineTime) -> EngineWorker

    /// - Parameters:
    ///   - wallMillisAtStart: the wall time (UTC milliseconds) that `clock.now` stands for; wall times written
    ///     to the journal are this plus the clock's elapsed time.
    ///   - speed: the exercise clock's speed, until STARTEX says otherwise.
    public init(
        plan: Plan,
        targets: EngineTargets,
        executor: any RemoteExecutor,
        journal: any JournalWriter & JournalReader,
        runID: String,
        clock: C,
        wallMillisAtStart: Int64,
        speed: Double = 1,
        simulator: TeamSimulator? = nil,
        limits: EngineLimits = EngineLimits(),
        pollInterval: Duration = .milliseconds(50),
        observer: (@Sendable (EngineObservation) -> Void)? = nil
    ) {
        self.plan = plan
        self.runID = runID
        self.journal = journal
        self.clock = clock
        self.simulator = simulator
        self.pollInterval = pollInterval
        self.observer = observer
        origin = clock.now
        wallOrigin = wallMillisAtStart
        exerciseClock = Mutex(RunClock(speed: speed))
        // The run's speed is fixed when it is created (STARTEX repeats it), so a wait can be scaled once.
        let scale = speed > 0 ? speed : 1
        makeWorker = { now in
            EngineWorker(
                plan: plan,
                targets: targets,
                executor: executor,
                journal: journal,
                runID: runID,
                limits: limits,
                now: now,
                waitExercise: { duration in
                    try await clock.sleep(until: clock.now.advanced(by: duration / scale), tolerance: nil)
                }
            )
        }
    }

    /// The wall time now, UTC milliseconds.
    public var wallMillis: Int64 { wallOrigin + origin.duration(to: clock.now).engineMillis }

    /// The wall and exercise time now.
    public var time: EngineTime {
        let wall = wallMillis
        return EngineTime(
            wallMillis: wall,
            exerciseMillis: exerciseClock.withLock { $0.exerciseMillis(atWallMillis: wall) }
        )
    }

    /// Settings of a resumed run.
    public struct Resume: Sendable {
        public var outage: OutagePolicy
        public var missed: MissedPolicy
        /// Asked, for ``MissedPolicy/ask``, with the injects that fell due; returns the ids to fire (the rest are
        /// skipped). Also told, for the other policies, what will happen (return value ignored).
        public var decide: @Sendable ([FireOrder], MissedPolicy) async -> Set<String>

        public init(
            outage: OutagePolicy,
            missed: MissedPolicy,
            decide: @escaping @Sendable ([FireOrder], MissedPolicy) async -> Set<String>
        ) {
            self.outage = outage
            self.missed = missed
            self.decide = decide
        }
    }

    /// Runs the drill to its end: waits for STARTEX (`startAtWallMillis`, or now), executes the plan until
    /// ENDEX or abort, cleans up, and returns the final state. With `resume`, continues a run from its journal:
    /// outcomes never journaled are marked uncertain, the clock accounts for the outage, and injects that fell
    /// due follow the missed policy.
    ///
    /// - Throws: when the journal cannot be read or written (the run can be resumed later).
    public func run(startAtWallMillis: Int64? = nil, resume: Resume? = nil) async throws -> EngineOutcome {
        var machine = EngineStateMachine(plan: plan, simulator: simulator)
        var lastSequence: Int64 = 0
        func ingest(_ events: [JournalEvent]) {
            for event in events {
                machine.journaled(event)
                exerciseClock.withLock { $0.apply(event) }
                lastSequence = max(lastSequence, event.sequence ?? lastSequence)
                observer?(.event(event, machine.state))
            }
        }
        ingest(try await journal.events(after: 0, limit: nil))
        let worker = makeWorker { [self] in self.time }

        if let resume, machine.state.status != .created {
            try await prepareResume(resume, state: machine.state)
            ingest(try await journal.events(after: lastSequence, limit: nil))
            if machine.state.status == .running {
                // Injects that fell due while down follow the missed policy.
                let nowMillis = time.exerciseMillis
                let due = EngineResume.missed(machine.dueFires(now: nowMillis), now: nowMillis)
                if !due.isEmpty {
                    var fire = Set(due.map(\.inject))
                    switch resume.missed {
                    case .fire: _ = await resume.decide(due, .fire)
                    case .skip:
                        _ = await resume.decide(due, .skip)
                        fire = []
                    case .ask: fire = await resume.decide(due, .ask)
                    }
                    machine.lateInjects = fire
                    let skips = EngineResume.skipEvents(missed: due, fire: fire, runID: runID, time: time)
                    if !skips.isEmpty { _ = try await journal.append(contentsOf: skips) }
                    ingest(try await journal.events(after: lastSequence, limit: nil))
                }
            }
        }
        if machine.state.status == .created {
            if let startAtWallMillis {
                while wallMillis < startAtWallMillis {
                    let wait = min(Duration.milliseconds(startAtWallMillis - wallMillis), .seconds(1))
                    try await clock.sleep(until: clock.now.advanced(by: wait), tolerance: nil)
                    ingest(try await journal.events(after: lastSequence, limit: nil))
                    if machine.state.status.isFinished { break }
                }
            }
            if machine.state.status == .created {
                let speed = exerciseClock.withLock { $0.speed }
                _ = try await journal.appendIfAbsent(
                    JournalEvent(
                        kind: .startex,
                        runID: runID,
                        wallMillis: wallMillis,
                        exerciseMillis: 0,
                        actor: .engine,
                        idempotencyKey: IdempotencyKey.startex,
                        payload: StartexPayload(speed: speed).journalValue
                    )
                )
                ingest(try await journal.events(after: lastSequence, limit: nil))
            }
        }

        let inbox = CompletionInbox()
        try await withThrowingDiscardingTaskGroup { group in
            while true {
                let completions = inbox.take()
                ingest(try await journal.events(after: lastSequence, limit: nil))
                for completion in completions { machine.completed(completion) }
                let now = time.exerciseMillis
                let actions = machine.tick(now: now)
                var wake: Int64?
                var finished = false
                for action in actions {
                    switch action {
                    case .wake(let at): wake = at
                    case .finish: finished = true
                    default:
                        group.addTask {
                            if let completion = try await worker.perform(action) {
                                inbox.put(completion)
                            }
                        }
                    }
                }
                if finished { break }
                if let observer {
                    observer(.tick(exerciseMillis: now, state: machine.state, next: machine.dueFires(now: .max)))
                }
                // Sleep until the next decision is due, or one poll interval (to see other processes' events
                // and completed work), whichever comes first.
                var sleep = pollInterval
                if let wake, let wall = exerciseClock.withLock({ $0.wallMillis(atExerciseMillis: wake) }) {
                    let until = Duration.milliseconds(Int64(wall.rounded(.up)) - wallMillis)
                    sleep = max(.zero, min(sleep, until))
                }
                if !actions.isEmpty && sleep > .milliseconds(5) && inbox.isEmpty {
                    // Work just started: look again soon, so completions are acted on promptly.
                    sleep = min(sleep, .milliseconds(5))
                }
                try await clock.sleep(until: clock.now.advanced(by: sleep), tolerance: nil)
            }
        }
        ingest(try await journal.events(after: lastSequence, limit: nil))
        return EngineOutcome(state: machine.state)
    }
}

extension EngineService {
    /// Journals what a restart must say before the engine continues (see ``EngineResume``).
    private func prepareResume(_ resume: Resume, state: RunState) async throws {
        let uncertain = EngineResume.uncertainEvents(state: state, runID: runID, wallMillis: wallMillis)
        if !uncertain.isEmpty { _ = try await journal.append(contentsOf: uncertain) }
        let clock = exerciseClock.withLock { $0 }
        if let event = EngineResume.clockEvent(
            state: state,
            clock: clock,
            outage: resume.outage,
            runID: runID,
            wallMillis: wallMillis
        ) {
            _ = try await journal.append(event)
        }
    }
}

/// Completed work waiting for the engine loop. Safe to share: all access goes through the mutex.
final class CompletionInbox: Sendable {
    private let completions = Mutex<[EngineCompletion]>([])

    func put(_ completion: EngineCompletion) { completions.withLock { $0.append(completion) } }

    func take() -> [EngineCompletion] {
        completions.withLock { box in
            let taken = box
            box.removeAll()
            return taken
        }
    }

    var isEmpty: Bool { completions.withLock { $0.isEmpty } }
}
