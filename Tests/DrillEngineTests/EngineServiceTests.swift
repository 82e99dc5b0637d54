import DrillCore
import DrillEngine
import DrillRun
import DrillTesting
import Testing

@Suite("EngineService: the async driver on a manual clock")
struct EngineServiceTests {
    @Test("runs a three-hour drill at speed 600 to ENDEX on a manual clock, pausing when the journal says so")
    func serviceRunsToEnd() async throws {
        let (plan, inventory) = try EngineHarness.plan()
        let journal = InMemoryJournal(runID: "run-1")
        _ = try await journal.append(
            JournalEvent(
                .runCreated(RunCreatedPayload(scenario: "test", speed: 600)),
                runID: "run-1",
                wallMillis: 0,
                exerciseMillis: 0
            )
        )
        let executor = InMemoryExecutor()
        let clock = ManualClock()
        let service = EngineService(
            plan: plan,
            targets: EngineTargets(plan: plan, inventory: inventory),
            executor: executor,
            journal: journal,
            heartbeat: journal,
            runID: "run-1",
            clock: clock,
            wallMillisAtStart: 0,
            speed: 600,
            simulator: TeamSimulator(profile: .fast, seed: 1)
        )
        let task = Task { try await service.runDrill() }
        var paused = false
        var steps = 0
        while steps < 200_000 {
            steps += 1
            if task.isCancelled { break }
            // Move the clock only once the engine has gone to sleep on it: virtual time then measures the
            // engine's decisions, not how fast this machine runs them.
            var spins = 0
            while clock.sleeperCount == 0, spins < 10_000 {
                await Task.yield()
                spins += 1
            }
            if journal.events.contains(where: { $0.kind == .endex })
                && journal.events.filter({ $0.kind == .cleanupResult }).count == 3
            {
                clock.advance(by: .milliseconds(50))
                break
            }
            // Pause for 10 real seconds once the first inject has fired.
            if !paused, journal.events.contains(where: { $0.kind == .injectFired }) {
                paused = true
                try await ControlDesk(journal: journal).perform(.pause, wallMillis: service.wallMillis)
                clock.advance(by: .seconds(10))
                for _ in 0..<20 { await Task.yield() }
                try await ControlDesk(journal: journal).perform(.resume, wallMillis: service.wallMillis)
            }
            clock.advance(by: .milliseconds(5))
        }
        let outcome = try await task.value
        #expect(outcome.ledger.status == .ended)
        #expect(outcome.ledger.hostsNeedingCleanup.isEmpty)
        // The engine beat while it ran: its last heartbeat is from the end of the drill.
        let beat = try #require(try journal.lastHeartbeat())
        #expect(beat.exerciseMillis >= 180 * 60_000 - 600 * 1000)
        let intents = journal.events.filter { $0.kind == .injectIntent }
        #expect(Set(intents.compactMap(\.inject)) == ["deface", "followup", "final"])
        // The pause excluded 10 s of wall time from exercise time: ENDEX is at 3 h exercise time.
        let endex = try #require(journal.events.first { $0.kind == .endex })
        #expect(endex.exerciseMillis >= 180 * 60_000)
        #expect(endex.wallMillis >= 18_000 + 10_000)
        let final = try #require(intents.first { $0.inject == "final" })

        #expect(abs(final.exerciseMillis - 120 * 60_000) <= 600 * 10)
    }
}
