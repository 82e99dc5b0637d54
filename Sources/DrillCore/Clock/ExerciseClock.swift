/// The exercise clock's model: exercise time (since STARTEX, paused time excluded, scaled by the speed factor)
/// as a function of an underlying clock's instants.
///
/// A pure value: every method that needs "now" takes the instant, so the engine's state machine stays
/// deterministic and tests need no sleeps; ``now`` reads the injected clock for convenience. Production uses
/// `ContinuousClock`; tests use a manual clock.
///
/// Between changes (STARTEX, pause, resume, a speed change) exercise time is linear in the underlying time:
/// `exercise = anchorExercise + (instant - anchor) × speed`. Every change re-anchors, so changing the speed never
/// moves exercise time that has already passed.
public struct ExerciseClock<C: Clock>: Sendable where C.Duration == Duration {
    /// The underlying clock.
    public let clock: C
    /// Exercise seconds per underlying second (60 runs an hour in a minute).
    public private(set) var speed: Double
    /// True while paused (and before STARTEX).
    public private(set) var isPaused = true
    /// True once ``start(at:exerciseTime:)`` was called.
    public private(set) var isStarted = false
    private var anchor: C.Instant?
    private var anchorExercise: Duration = .zero

    /// A clock not yet started, at exercise time zero.
    ///
    /// - Precondition: `speed` is finite and greater than zero.
    public init(clock: C, speed: Double = 1) {
        precondition(speed.isFinite && speed > 0, "the exercise clock's speed must be a positive number")
        self.clock = clock
        self.speed = speed
    }

    /// Starts the clock at `instant` (STARTEX), at exercise time `exerciseTime` (zero for a new run; the time
    /// recovered from the journal when resuming).
    public mutating func start(at instant: C.Instant, exerciseTime: Duration = .zero) {
        anchor = instant
        anchorExercise = exerciseTime
        isPaused = false
        isStarted = true
    }

    /// The exercise time at `instant`: zero before STARTEX, frozen while paused.
    public func exerciseTime(at instant: C.Instant) -> Duration {
        guard let anchor, !isPaused else { return anchorExercise }
        let elapsed = anchor.duration(to: instant)
        guard elapsed > .zero else { return anchorExercise }
        return anchorExercise + elapsed * speed
    }

    /// The exercise time now, read from ``clock``.
    public var now: Duration { exerciseTime(at: clock.now) }

    /// Pauses at `instant`: exercise time stops there. Pausing a paused clock changes nothing.
    public mutating func pause(at instant: C.Instant) {
        guard isStarted, !isPaused else { return }
        anchorExercise = exerciseTime(at: instant)
        anchor = instant
        isPaused = true
    }

    /// Resumes at `instant`: exercise time continues from where it was paused. Resuming a running clock, or one
    /// not started, changes nothing.
    public mutating func resume(at instant: C.Instant) {
        guard isStarted, isPaused else { return }
        anchor = instant
        isPaused = false
    }

    /// Changes the speed from `instant` on; exercise time up to `instant` is unchanged.
    ///
    /// - Precondition: `speed` is finite and greater than zero.
    public mutating func setSpeed(_ newSpeed: Double, at instant: C.Instant) {
        precondition(newSpeed.isFinite && newSpeed > 0, "the exercise clock's speed must be a positive number")
        if isStarted && !isPaused {
            anchorExercise = exerciseTime(at: instant)
            anchor = instant
        }
        speed = newSpeed
    }

    /// The underlying instant at which exercise time reaches `target`, for scheduling a wake-up; `nil` while
    /// paused or before STARTEX (nothing is due until the clock runs). A target already passed gives an instant
    /// not later than the current anchor.
    public func instant(reaching target: Duration) -> C.Instant? {
        guard let anchor, !isPaused else { return nil }
        let remaining = target - anchorExercise
        guard remaining > .zero else { return anchor }
        return anchor.advanced(by: remaining / speed)
    }

    /// How a resumed run accounts for the time the engine was down.
    public enum OutageAccounting: String, Sendable, Hashable, CaseIterable {
        /// The exercise clock stood still while the engine was down (the drill continues where it stopped).
        case paused
        /// The exercise clock ran on while the engine was down (deadlines that fell in the gap have passed).
        case ran
    }

    /// The exercise time to resume a run at, from its journal: the last journaled exercise and wall times, the
    /// wall time now, and how the outage is accounted for. Wall times are UTC milliseconds. A wall clock that
    /// went backwards counts as no outage.
    public static func resumedExerciseTime(
        lastExerciseMillis: Int64,
        lastWallMillis: Int64,
        nowWallMillis: Int64,
        speed: Double,
        wasPaused: Bool,
        accounting: OutageAccounting
    ) -> Duration {
        let last = Duration.milliseconds(lastExerciseMillis)
        guard accounting == .ran, !wasPaused, nowWallMillis > lastWallMillis else { return last }
        return last + .milliseconds(nowWallMillis - lastWallMillis) * speed
    }
}
