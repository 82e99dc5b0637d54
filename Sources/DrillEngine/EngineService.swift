public import DrillCore
public import ServiceLifecycle
import Synchronization

/// How a run ended, for the exit status of `drillctl run` / `resume`.
public struct EngineOutcome: Sendable {
    /// The run's final ledger.
    public var ledger: RunLedger

    public init(ledger: RunLedger) { self.ledger = ledger }

    /// Hosts that could not be put back, with the injects left on each.
    public var uncleanedHosts: [(host: String, injects: [String])] { ledger.hostsNeedingCleanup }

    /// True when the director aborted the run (or a signal did).
    public var wasAborted: Bool { ledger.status == .aborted }
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
    /// The journal as it was when the engine started (a resumed run's history), read once.
    case history(RunLedger)
    /// A journal event was read after that (the engine's own, or one another process wrote).
    case event(JournalEvent, RunLedger)
    /// The engine woke up at this exercise time.
    case tick(exerciseMillis: Int64, ledger: RunLedger, next: [FireOrder])
}

/// Runs a drill: the async driver of ``EngineStateMachine``, and a swift-service-lifecycle `Service`.
///
/// It owns the time: it reads the injected `Clock` (`ContinuousClock` in production, a manual clock in tests),
/// maps it to wall time and, through the run's ``RunClock`` (from the journal), to exercise time. It tails the
/// journal (every ``pollInterval``, and as soon as work completes), feeds every event to the state machine, and
/// carries out the machine's actions concurrently with an ``EngineWorker``. Controls and responses from other
/// processes arrive through the journal; a pause in the journal stops the exercise clock. While it runs it records
/// a heartbeat every second beside the journal.
///
/// Run it in a `ServiceGroup` (beside the portal): a graceful shutdown (SIGINT, SIGTERM) journals an abort by the
/// director and the engine goes on to clean every touched host before ``run()`` returns. Every piece of work runs
/// in the service's own task group, so nothing outlives it.
public final class EngineService<C: Clock>: Service, Sendable where C.Duration == Duration {
    public let plan: Plan
    public let runID: String
    public let journal: any JournalWriter & JournalReader
    public let heartbeat: (any HeartbeatRecorder)?
    public let clock: C
    public let simulator: TeamSimulator?
    /// How often the journal is read for events written by other processes (real time).
    public let pollInterval: Duration
    /// How often the heartbeat is recorded (real time).
    public let heartbeatInterval: Duration
    public let observer: (@Sendable (EngineObservation) -> Void)?
    /// What ``run()`` does: when to start, and how to resume.
    public let start: Start

    private let origin: C.Instant
    private let wallOrigin: Int64
    private let exerciseClock: Mutex<RunClock>
    private let worker: EngineWorkerFactory
    private let state = Mutex(ServiceState())

    private struct ServiceState {
        var shutdownRequested = false
        var outcome: EngineOutcome?
    }

    /// When ``run()`` starts the drill and how it continues an existing run.
    public struct Start: Sendable {
        /// STARTEX (UTC milliseconds); now when nil.
        public var atWallMillis: Int64?
        /// How to continue a run that already started.
        public var resume: Resume?
        /// The reason journaled with the abort a graceful shutdown causes.
        public var shutdownReason: String

        public init(atWallMillis: Int64? = nil, resume: Resume? = nil, shutdownReason: String = "signal received") {
            self.atWallMillis = atWallMillis
            self.resume = resume
            self.shutdownReason = shutdownReason
        }
    }

    /// - Parameters:
    ///   - wallMillisAtStart: the wall time (UTC milliseconds) that `clock.now` stands for; wall times written
    ///     to the journal are this plus the clock's elapsed time.
    ///   - speed: the exercise clock's speed, until STARTEX says otherwise.
    public init(
        plan: Plan,
        targets: EngineTargets,
        executor: any RemoteExecutor,
        journal: any JournalWriter & JournalReader,
        heartbeat: (any HeartbeatRecorder)? = nil,
        runID: String,
        clock: C,
        wallMillisAtStart: Int64,
        speed: Double = 1,
        simulator: TeamSimulator? = nil,
        limits: EngineLimits = EngineLimits(),
        pollInterval: Duration = .milliseconds(50),
        heartbeatInterval: Duration = .seconds(1),
        start: Start = Start(),
        observer: (@Sendable (EngineObservation) -> Void)? = nil
    ) {
        self.plan = plan
        self.runID = runID
        self.journal = journal
        self.heartbeat = heartbeat
        self.clock = clock
        self.simulator = simulator
        self.pollInterval = pollInterval
        self.heartbeatInterval = heartbeatInterval
        self.start = start
        self.observer = observer
        origin = clock.now
        wallOrigin = wallMillisAtStart
        exerciseClock = Mutex(RunClock(speed: speed))
        // The run's speed is fixed when it is created (STARTEX repeats it), so a wait can be scaled once.
        let scale = RunClock.speedRange.contains(speed) ? speed : 1
        worker = EngineWorkerFactory { now in
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
    public var wallMillis: Int64 { wallOrigin.addingSaturating(origin.duration(to: clock.now).journalMillis) }

    /// The wall and exercise time now.
    public var time: EngineTime {
        let wall = wallMillis
        return EngineTime(
            wallMillis: wall,
            exerciseMillis: exerciseClock.withLock { $0.exerciseMillis(atWallMillis: wall) }
        )
    }

    /// How the last run ended (after ``run()`` returned).
    public var outcome: EngineOutcome? { state.withLock { $0.outcome } }

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

    /// The `Service` entry point: runs the drill as ``start`` says. A graceful shutdown aborts the drill (journaled
    /// as the director's abort with ``Start/shutdownReason``) and the engine goes on to clean up before returning.
    public func run() async throws {
        let outcome = try await withGracefulShutdownHandler {
            try await runDrill(startAtWallMillis: start.atWallMillis, resume: start.resume)
        } onGracefulShutdown: { [self] in
            requestAbort()
        }
        state.withLock { $0.outcome = outcome }
    }

    /// Asks the engine to abort the drill (journaled by its loop as the director's abort), as a graceful shutdown
    /// does.
    public func requestAbort() { state.withLock { $0.shutdownRequested = true } }

    /// Runs the drill to its end: waits for STARTEX (`startAtWallMillis`, or now), executes the plan until
    /// ENDEX or abort, cleans up, and returns the final ledger. With `resume`, continues a run from its journal
    /// (see ``EngineResume/restart(ledger:clock:heartbeat:outage:runID:wallMillis:)``).
    ///
    /// - Throws: when the journal cannot be read or written (the run can be resumed later).
    public func runDrill(startAtWallMillis: Int64? = nil, resume: Resume? = nil) async throws -> EngineOutcome {
        var machine = EngineStateMachine(plan: plan, simulator: simulator)
        var lastSequence: Int64 = 0
        var historyShown = false
        func ingest(_ events: [JournalEvent]) {
            for event in events {
                machine.journaled(event)
                exerciseClock.withLock { $0.apply(RunEvent(event)) }
                lastSequence = max(lastSequence, event.sequence ?? lastSequence)
                if historyShown { observer?(.event(event, machine.ledger)) }
            }
        }
        ingest(try await journal.events(after: 0, limit: nil))
        historyShown = true
        observer?(.history(machine.ledger))
        let worker = worker.make { [self] in self.time }

        if let resume, machine.ledger.status != .created {
            let lastBeat = try (journal as? any HeartbeatReader)?.lastHeartbeat()
            let restart = EngineResume.restart(
                ledger: machine.ledger,
                clock: exerciseClock.withLock { $0 },
                heartbeat: lastBeat,
                outage: resume.outage,
                runID: runID,
                wallMillis: wallMillis
            )
            if !restart.isEmpty { _ = try await journal.append(contentsOf: restart) }
            ingest(try await journal.events(after: lastSequence, limit: nil))
            if machine.ledger.status == .running {
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
        if machine.ledger.status == .created {
            if let startAtWallMillis {
                while wallMillis < startAtWallMillis, !shutdownRequested {
                    let wait = min(Duration.milliseconds(startAtWallMillis - wallMillis), .seconds(1))
                    try await clock.sleep(until: clock.now.advanced(by: wait), tolerance: nil)
                    ingest(try await journal.events(after: lastSequence, limit: nil))
                    if machine.ledger.status.isFinished { break }
                }
            }
            if machine.ledger.status == .created, !shutdownRequested {
                let speed = exerciseClock.withLock { $0.speed }
                _ = try await journal.appendIfAbsent(
                    JournalEvent(
                        .startex(StartexPayload(speed: speed)),
                        runID: runID,
                        wallMillis: wallMillis,
                        exerciseMillis: 0,
                        actor: .engine,
                        key: .startex
                    )
                )
                ingest(try await journal.events(after: lastSequence, limit: nil))
            }
        }

        let inbox = CompletionInbox()
        var lastBeat: C.Instant?
        var abortJournaled = false
        try await withThrowingDiscardingTaskGroup { group in
            while true {
                if shutdownRequested, !abortJournaled, !machine.ledger.status.isFinished {
                    abortJournaled = true
                    let now = time
                    _ = try await journal.append(
                        JournalEvent(
                            .control(ControlPayload(action: .abort, reason: start.shutdownReason)),
                            runID: runID,
                            wallMillis: now.wallMillis,
                            exerciseMillis: now.exerciseMillis,
                            actor: JournalEvent.Actor(.director)
                        )
                    )
                }
                let completions = inbox.take()
                ingest(try await journal.events(after: lastSequence, limit: nil))
                for completion in completions { machine.completed(completion) }
                let now = time.exerciseMillis
                if let heartbeat, lastBeat.map({ $0.duration(to: clock.now) >= heartbeatInterval }) ?? true {
                    lastBeat = clock.now
                    let wall = wallMillis
                    try? await heartbeat.recordHeartbeat(
                        EngineHeartbeat(
                            wallMillis: wall,
                            exerciseMillis: now,
                            pid: EngineIdentity.pid,
                            host: EngineIdentity.host
                        )
                    )
                }
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
                    observer(.tick(exerciseMillis: now, ledger: machine.ledger, next: machine.dueFires(now: .max)))
                }
                // Sleep until the next decision is due, or one poll interval (to see other processes' events
                // and completed work), whichever comes first.
                var sleep = pollInterval
                if let wake, let wall = exerciseClock.withLock({ $0.wallMillis(atExerciseMillis: wake) }) {
                    let until = Duration.milliseconds(Int64(min(max(wall.rounded(.up), -9e18), 9e18)) - wallMillis)
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
        return EngineOutcome(ledger: machine.ledger)
    }

    private var shutdownRequested: Bool { state.withLock { $0.shutdownRequested } }
}

/// Makes the worker once the service's clock reading is available.
private struct EngineWorkerFactory: Sendable {
    let make: @Sendable (@escaping @Sendable () -> EngineTime) -> EngineWorker
    init(_ make: @escaping @Sendable (@escaping @Sendable () -> EngineTime) -> EngineWorker) { self.make = make }
}

/// This engine process, as its heartbeat names it.
enum EngineIdentity {
    static let pid: Int32 = getpid()
    static let host: String = {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count) == 0 else { return "localhost" }
        return String(cString: buffer)
    }()
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

#if canImport(Glibc)
import Glibc
#endif
