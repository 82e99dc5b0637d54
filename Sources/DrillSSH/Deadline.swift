import Foundation

/// An absolute point on the monotonic clock (CLOCK_MONOTONIC), used by the worker threads for `poll()` timeouts.
///
/// Worker code works with absolute deadlines so a loop of many short waits can never exceed the budget.
struct Deadline: Sendable, Comparable {
    let nanoseconds: UInt64

    static func now() -> Deadline {
        var spec = timespec()
        clock_gettime(CLOCK_MONOTONIC, &spec)
        return Deadline(nanoseconds: UInt64(spec.tv_sec) * 1_000_000_000 + UInt64(spec.tv_nsec))
    }

    static func after(_ duration: Duration) -> Deadline {
        let (seconds, attoseconds) = duration.components
        let nanos = max(0, seconds) * 1_000_000_000 + max(0, attoseconds / 1_000_000_000)
        return Deadline(nanoseconds: now().nanoseconds &+ UInt64(clamping: nanos))
    }

    static let distantFuture = Deadline(nanoseconds: UInt64.max / 2)

    /// Milliseconds left, clamped to 0…`cap`.
    func millisecondsLeft(cap: Int32) -> Int32 {
        let current = Deadline.now().nanoseconds
        guard nanoseconds > current else { return 0 }
        let left = (nanoseconds - current + 999_999) / 1_000_000
        return Int32(min(UInt64(cap), left))
    }

    var hasPassed: Bool { Deadline.now() >= self }

    static func < (lhs: Deadline, rhs: Deadline) -> Bool { lhs.nanoseconds < rhs.nanoseconds }

    /// The time since `start`.
    static func elapsed(since start: Deadline) -> Duration {
        let current = now().nanoseconds
        return .nanoseconds(Int64(current >= start.nanoseconds ? current - start.nanoseconds : 0))
    }
}
