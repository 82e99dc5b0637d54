/// The exercise clock of a run as its journal defines it: exercise time as a function of wall time.
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
        self.speed = Self.speedRange.contains(speed) ? speed : 1
        anchorWallMillis = 0
        anchorExerciseMillis = 0
        isPaused = false
        isStarted = false
    }

    /// The clock as a run's journal defines it (see the type's discussion).
    public init(journal events: some Sequence<JournalEvent>, defaultSpeed: Double = 1) {
        self.init(speed: defaultSpeed)
        for event in events { apply(RunEvent(event)) }
    }

    /// Updates the clock with one journal event; events that do not move the clock are ignored. A speed outside
    /// ``speedRange`` in a journal is ignored too, so no journal can make the clock's arithmetic trap.
    public mutating func apply(_ event: RunEvent) {
        switch event.body {
        case .runCreated(let created):
            if let speed = created.speed, Self.speedRange.contains(speed), !isStarted { self.speed = speed }
        case .startex(let startex):
            if let speed = startex.speed, Self.speedRange.contains(speed) { self.speed = speed }
            start(atWallMillis: event.wallMillis, exerciseMillis: event.exerciseMillis)
        case .control(let control):
            switch control.action {
            case .pause: pause(atExerciseMillis: event.exerciseMillis)
            case .resume: resume(atWallMillis: event.wallMillis, exerciseMillis: event.exerciseMillis)
            default: break
            }
        default:
            break
        }
    }

    /// The speeds a run may have: 1 (real time) to 10,000 exercise seconds per real second.
    public static let speedRange: ClosedRange<Double> = 1...10_000

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
        let elapsed = Double(max(0, wallMillis.subtractingSaturating(anchorWallMillis))) * speed
        guard elapsed < 9.0e18 else { return .max }
        return anchorExerciseMillis.addingSaturating(Int64(elapsed.rounded(.down)))
    }

    /// The wall time at which exercise time reaches `exerciseMillis`, or nil while paused or before STARTEX
    /// (it cannot be known). A time already passed maps to a wall time before the anchor.
    public func wallMillis(atExerciseMillis exerciseMillis: Int64) -> Double? {
        guard isStarted, !isPaused else { return nil }
        return Double(anchorWallMillis) + (Double(exerciseMillis) - Double(anchorExerciseMillis)) / speed
    }
}
