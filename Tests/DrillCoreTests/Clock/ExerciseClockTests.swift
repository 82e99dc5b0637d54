import DrillCore
import DrillTesting
import Synchronization
import Testing

@Suite("Exercise clock: speed, pause and resume over an injected clock")
struct ExerciseClockTests {
    typealias Instant = ManualClock.Instant

    func at(_ seconds: Int64) -> Instant { Instant(.seconds(seconds)) }

    @Test("Before STARTEX the exercise time is zero and nothing can be scheduled")
    func beforeStartex() {
        let clock = ExerciseClock(clock: ManualClock())
        #expect(clock.exerciseTime(at: at(100)) == .zero)
        #expect(clock.instant(reaching: .seconds(10)) == nil)
        #expect(!clock.isStarted)
    }

    @Test("At speed 1 exercise time follows the clock from STARTEX")
    func realTime() {
        var clock = ExerciseClock(clock: ManualClock())
        clock.start(at: at(10))
        #expect(clock.exerciseTime(at: at(10)) == .zero)
        #expect(clock.exerciseTime(at: at(70)) == .seconds(60))
        #expect(clock.exerciseTime(at: at(5)) == .zero, "an instant before STARTEX is not negative exercise time")
    }

    @Test("At speed 60 an hour of exercise passes in a minute, and wake-ups are scheduled accordingly")
    func compressed() {
        var clock = ExerciseClock(clock: ManualClock(), speed: 60)
        clock.start(at: at(0))
        #expect(clock.exerciseTime(at: at(60)) == .seconds(3600))
        #expect(clock.instant(reaching: .seconds(900)) == at(15))
        let wake = clock.instant(reaching: .milliseconds(1))?.offset ?? .zero
        #expect(wake > .nanoseconds(16_666) && wake < .nanoseconds(16_667))
    }

    @Test("Pausing freezes exercise time; resuming continues exactly where it stopped")
    func pauseResume() {
        var clock = ExerciseClock(clock: ManualClock())
        clock.start(at: at(0))
        clock.pause(at: at(100))
        #expect(clock.isPaused)
        #expect(clock.exerciseTime(at: at(5000)) == .seconds(100))
        #expect(clock.instant(reaching: .seconds(200)) == nil, "nothing is due while paused")
        clock.pause(at: at(6000))
        clock.resume(at: at(7000))
        #expect(clock.exerciseTime(at: at(7000)) == .seconds(100))
        #expect(clock.exerciseTime(at: at(7050)) == .seconds(150))
        #expect(clock.instant(reaching: .seconds(200)) == at(7100))
        clock.resume(at: at(8000))
        #expect(clock.exerciseTime(at: at(8000)) == .seconds(1100), "resuming a running clock changes nothing")
    }

    @Test("Several pauses add up: exercise time excludes every paused interval")
    func manyPauses() {
        var clock = ExerciseClock(clock: ManualClock(), speed: 2)
        clock.start(at: at(0))
        var paused: Int64 = 0
        for cycle in Int64(0)..<10 {
            let start = cycle * 100
            clock.pause(at: at(start + 60))
            clock.resume(at: at(start + 100))
            paused += 40
        }
        #expect(clock.exerciseTime(at: at(1000)) == .seconds((1000 - paused) * 2))
    }

    @Test("Changing speed keeps the exercise time already passed")
    func speedChange() {
        var clock = ExerciseClock(clock: ManualClock(), speed: 10)
        clock.start(at: at(0))
        clock.setSpeed(1, at: at(6))
        #expect(clock.exerciseTime(at: at(6)) == .seconds(60))
        #expect(clock.exerciseTime(at: at(16)) == .seconds(70))
        clock.pause(at: at(16))
        clock.setSpeed(100, at: at(20))
        clock.resume(at: at(30))
        #expect(clock.exerciseTime(at: at(31)) == .seconds(170))
    }

    @Test("A resumed run starts at the exercise time recovered from its journal")
    func startAtRecoveredTime() {
        var clock = ExerciseClock(clock: ManualClock(), speed: 60)
        clock.start(at: at(500), exerciseTime: .seconds(1800))
        #expect(clock.exerciseTime(at: at(501)) == .seconds(1860))
        #expect(clock.instant(reaching: .seconds(60)) == at(500), "a time already passed is due at once")
    }

    @Test(
        "The outage is accounted for as the director chooses",
        arguments: [
            (ExerciseClock<ManualClock>.OutageAccounting.paused, false, Duration.seconds(600)),
            (.ran, false, .seconds(600 + 120 * 60)),
            (.ran, true, .seconds(600)),
        ]
    )
    func outage(accounting: ExerciseClock<ManualClock>.OutageAccounting, wasPaused: Bool, expected: Duration) {
        let resumed = ExerciseClock<ManualClock>.resumedExerciseTime(
            lastExerciseMillis: 600_000,
            lastWallMillis: 1_000_000,
            nowWallMillis: 1_120_000,
            speed: 60,
            wasPaused: wasPaused,
            accounting: accounting
        )
        #expect(resumed == expected)
    }

    @Test("A wall clock that went backwards counts as no outage")
    func backwardsWallClock() {
        let resumed = ExerciseClock<ManualClock>.resumedExerciseTime(
            lastExerciseMillis: 5000,
            lastWallMillis: 2000,
            nowWallMillis: 1000,
            speed: 1,
            wasPaused: false,
            accounting: .ran
        )
        #expect(resumed == .seconds(5))
    }

    @Test("now reads the injected clock")
    func readsInjectedClock() {
        let manual = ManualClock()
        var clock = ExerciseClock(clock: manual, speed: 60)
        clock.start(at: manual.now)
        manual.advance(by: .seconds(3))
        #expect(clock.now == .seconds(180))
    }
}

@Suite("ManualClock: sleeping without real time")
struct ManualClockTests {
    @Test("Sleepers wake when the clock is advanced past their deadline, in deadline order")
    func wakesInOrder() async throws {
        let clock = ManualClock()
        let order = OrderLog()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for seconds in [30, 10, 20] {
                group.addTask {
                    try await clock.sleep(for: .seconds(seconds))
                    order.append(seconds)
                }
            }
            while clock.sleeperCount < 3 { await Task.yield() }
            clock.advance(by: .seconds(15))
            while order.values.count < 1 { await Task.yield() }
            #expect(order.values == [10])
            #expect(clock.sleeperCount == 2)
            clock.advance(by: .seconds(3 * 3600))
            try await group.waitForAll()
        }
        #expect(Set(order.values) == [10, 20, 30])
        #expect(clock.now == ManualClock.Instant(.seconds(15 + 3 * 3600)))
    }

    @Test("A deadline already passed returns at once; cancellation wakes a sleeper with CancellationError")
    func pastDeadlineAndCancellation() async throws {
        let clock = ManualClock()
        clock.advance(by: .seconds(5))
        try await clock.sleep(until: ManualClock.Instant(.seconds(1)))
        let task = Task { try await clock.sleep(for: .seconds(60)) }
        while clock.sleeperCount < 1 { await Task.yield() }
        task.cancel()
        await #expect(throws: CancellationError.self) { try await task.value }
        #expect(clock.sleeperCount == 0)
    }
}

final class OrderLog: Sendable {
    private let storage = Mutex<[Int]>([])
    func append(_ value: Int) { storage.withLock { $0.append(value) } }
    var values: [Int] { storage.withLock { $0 } }
}
