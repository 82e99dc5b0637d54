public import DrillCore

/// The exercise clock of a run as its journal defines it: exercise time as a function of wall time.
///
/// DrillCore's `ExerciseClock<C>` models the same arithmetic over a `Clock`'s instants inside one process; this
/// type is its journal-derived counterpart in UTC milliseconds, so that separate processes agree.
///
/// A pure value: it never reads a clock. Exercise time runs `speed` times as fast as wall time from an
/// *anchor* (a wall instant and the exercise time it maps to) and stands still while paused, so paused spans
/// never count. Every process that reads a run (the engine, `drillctl respond`, `drillctl ctl`, the portal)
/// builds the same clock from the same journal events with ``init(journal:)`` and so agrees on what time it
/// is in the exercise:
///
/// - `startex` anchors exercise time 0 at its wall time, at the speed in its payload;
/// - `control pause` freezes the clock at the event's exercise time;
/// - `control resume` re-anchors it at the event's wall and exercise time (an engine that restarts after an
///   outage writes one too, choosing the exercise time: see ``OutagePolicy``).
public struct RunClock: Sendable, Hashable {
    /// How many exercise milliseconds pass per wall millisecond.
    public var speed: Double
    /// The wall time (UTC milliseconds) of the anchor.
    public private(set) var anchorWallMillis: Int64
    /// The exercise time (milliseconds since STARTEX) at the anchor.
    public private(set) var anchorExerciseMillis: Int64
    /// True while the clock is paused (exercise time stays at ``anchorExerciseMillis``).
    public private(set) var isPaused: Bool
    /// True once STARTEX happened; before, exercise time is 0.
    public private(set) var isStarted: Bool

    /// A clock that has not started (exercise time 0 until ``start(atWallMillis:)``).
    public init(speed: Double = 1) {
        self.speed = speed > 0 ? speed : 1
        anchorWallMillis = 0
        anchorExerciseMillis = 0
        isPaused = false
        isStarted = false
    }

    /// The clock as a run's journal defines it (see the type's discussion).
    public init(journal events: some Sequence<JournalEvent>, defaultSpeed: Double = 1) {
        self.init(speed: defaultSpeed)
        for event in events { apply(event) }
    }

    /// Updates the clock with one journal event; events that do not move the clock are ignored.
    public mutating func apply(_ event: JournalEvent) {
        switch event.kind {
        case .runCreated:
            if let speed = event.payload["speed"]?.doubleValue, speed > 0, !isStarted { self.speed = speed }
        case .startex:
            if let speed = event.payload["speed"]?.doubleValue, speed > 0 { self.speed = speed }
            start(atWallMillis: event.wallMillis, exerciseMillis: event.exerciseMillis)
        case .control:
            switch event.payload["action"]?.stringValue {
            case "pause": pause(atExerciseMillis: event.exerciseMillis)
            case "resume": resume(atWallMillis: event.wallMillis, exerciseMillis: event.exerciseMillis)
            default: break
            }
        default:
            break
        }
    }

    /// Starts the clock (STARTEX) at `wallMillis`.
    public mutating func start(atWallMillis wallMillis: Int64, exerciseMillis: Int64 = 0) {
        isStarted = true
        isPaused = false
        anchorWallMillis = wallMillis
        anchorExerciseMillis = exerciseMillis
    }

    /// Stops exercise time at `exerciseMillis`.
    public mutating func pause(atExerciseMillis exerciseMillis: Int64) {
        guard isStarted else { return }
        anchorExerciseMillis = exerciseMillis
        isPaused = true
    }

    /// Lets exercise time run again from `exerciseMillis` at `wallMillis`.
    public mutating func resume(atWallMillis wallMillis: Int64, exerciseMillis: Int64) {
        guard isStarted else { return }
        anchorWallMillis = wallMillis
        anchorExerciseMillis = exerciseMillis
        isPaused = false
    }

    /// The exercise time at wall time `wallMillis`, in milliseconds since STARTEX (0 before STARTEX).
    public func exerciseMillis(atWallMillis wallMillis: Int64) -> Int64 {
        guard isStarted else { return 0 }
        guard !isPaused else { return anchorExerciseMillis }
        let elapsed = Double(max(0, wallMillis - anchorWallMillis)) * speed
        return anchorExerciseMillis + Int64(elapsed.rounded(.down))
    }

    /// The wall time at which exercise time reaches `exerciseMillis`, or nil while paused or before STARTEX
    /// (it cannot be known). A time already passed maps to a wall time before the anchor.
    public func wallMillis(atExerciseMillis exerciseMillis: Int64) -> Double? {
        guard isStarted, !isPaused else { return nil }
        return Double(anchorWallMillis) + Double(exerciseMillis - anchorExerciseMillis) / speed
    }
}

/// How a restarted engine accounts for the time it was down.
public enum OutagePolicy: String, Sendable, Hashable, CaseIterable {
    /// The exercise clock stood still while the engine was down: it resumes at the last exercise time in the
    /// journal (deadlines do not run out during an outage).
    case pause
    /// The exercise clock kept running: it resumes where it would be had the engine never stopped.
    case `continue`
}
