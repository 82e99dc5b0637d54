import DrillCore
import DrillEngine
import DrillRun
import DrillTesting
import Synchronization
import Testing

@Suite("Scheduling: triggers and conditions on a virtual exercise clock")
struct SchedulingTests {
    @Test("an `at` inject fires exactly at its time, on every selected host, and is delivered to every team")
    func atTimeFires() async throws {
        var engine = try await EngineHarness()
        try await engine.run(until: 10 * minute - 1)
        #expect(engine.count(.injectIntent) == 0)
        try await engine.run(until: 10 * minute)
        let intent = try #require(engine.first(.injectIntent, inject: "deface"))
        #expect(intent.exerciseMillis == 10 * minute)
        #expect(try intent.payload(as: InjectIntentPayload.self).reason == "schedule")
        #expect(Set(engine.executor.calls.filter { $0.command.hasPrefix("touch") }.map(\.host)) == ["h1", "h2", "h3"])
        #expect(engine.count(.hostActionResult, inject: "deface") == 3)
        #expect(engine.count(.landedCheck, inject: "deface") == 3)
        #expect(engine.count(.delivered, inject: "deface") == 2)
        let delivered = try #require(engine.first(.delivered, inject: "deface", team: "t1"))
        let payload = try delivered.payload(as: DeliveredPayload.self)
        #expect(payload.message == "Team One: the home page is defaced")
        #expect(payload.expects == ResponsePhase.allCases)
        #expect(payload.hosts == ["h1", "h2"])
        #expect(engine.count(.injectFired, inject: "deface") == 1)
    }

    @Test("a three-hour drill runs to ENDEX in virtual time, every inject once, every host cleaned")
    func threeHourDrill() async throws {
        var engine = try await EngineHarness()
        let finished = try await engine.run()
        #expect(finished)
        #expect(engine.ledger.status == .ended)
        #expect(engine.ledger.firedInjects == ["deface", "escalate", "final", "followup"])
        for inject in ["deface", "followup", "final"] { #expect(engine.count(.injectIntent, inject: inject) == 1) }
        // Nobody acknowledged: the escalation fires once per team, each decided for that team.
        #expect(
            Set(
                engine.events.filter { $0.kind == .injectIntent && $0.inject == "escalate" }.compactMap(
                    \.idempotencyKey
                )
            )
                == ["inject:escalate#1>t1", "inject:escalate#1>t2"]
        )
        #expect(engine.ledger.hostsNeedingCleanup.isEmpty)
        #expect(engine.count(.cleanupResult) == 3)
        let endex = try #require(engine.first(.endex))
        #expect(endex.exerciseMillis == 180 * minute)
        #expect(try endex.payload(as: EndexPayload.self).reason == "schedule")
    }

    @Test("an `after` inject fires its delay after the parent actually fired")
    func afterDelay() async throws {
        var engine = try await EngineHarness()
        try await engine.run(until: 40 * minute - 1)
        #expect(engine.count(.injectIntent, inject: "followup") == 0)
        try await engine.run(until: 40 * minute)
        #expect(engine.first(.injectIntent, inject: "followup")?.exerciseMillis == 40 * minute)
    }

    @Test("`unless acknowledged within` fires only for the team that did not acknowledge in time")
    func unlessFiresForSilentTeam() async throws {
        var engine = try await EngineHarness()
        try await engine.run(until: 12 * minute)
        try await engine.respond("t1", "deface", .acknowledge)
        try await engine.run(until: 15 * minute)
        let intent = try #require(engine.first(.injectIntent, inject: "escalate"))
        #expect(intent.exerciseMillis == 15 * minute)
        #expect(try intent.payload(as: InjectIntentPayload.self).reason == "condition")
        #expect(intent.idempotencyKey == "inject:escalate#1>t2")
        #expect(engine.count(.delivered, inject: "escalate", team: "t2") == 1)
        #expect(engine.count(.delivered, inject: "escalate", team: "t1") == 0)
    }

    @Test("`unless acknowledged within` does not fire when every team acknowledged in time")
    func unlessDoesNotFire() async throws {
        var engine = try await EngineHarness()
        try await engine.run(until: 11 * minute)
        try await engine.respond("t1", "deface", .acknowledge)
        try await engine.respond("t2", "deface", .acknowledge)
        try await engine.run()
        #expect(engine.count(.injectIntent, inject: "escalate") == 0)
        #expect(engine.ledger.status == .ended)
    }

    @Test("a response after the window does not prevent the escalation (decided from journaled times)")
    func lateAcknowledgementEscalates() async throws {
        var engine = try await EngineHarness()
        try await engine.run(until: 10 * minute)
        // Acknowledged just after the window closed.
        engine.moveTo(exercise: 15 * minute + 1)
        try await engine.respond("t1", "deface", .acknowledge)
        try await engine.run(until: 16 * minute)
        #expect(engine.count(.delivered, inject: "escalate", team: "t1") == 1)
    }

    @Test("pause stops the exercise clock: nothing fires while paused, and everything keeps its exercise time")
    func pauseResume() async throws {
        var engine = try await EngineHarness()
        try await engine.run(until: 5 * minute)
        let wallAtPause = engine.time.wall
        try await engine.control(.pause)
        engine.wait(wallMillis: 60 * minute)
        try await engine.run(until: 10 * minute)
        #expect(engine.count(.injectIntent) == 0)
        #expect(engine.now == 5 * minute)
        try await engine.control(.resume)
        try await engine.run(until: 10 * minute)
        let intent = try #require(engine.first(.injectIntent, inject: "deface"))
        #expect(intent.exerciseMillis == 10 * minute)
        #expect(intent.wallMillis == wallAtPause + 60 * minute + 5 * minute)
        let states = engine.events.filter { $0.kind == .control }.map { $0.actor?.role }
        #expect(states == [.director, .director])
    }

    @Test("deadlines are frozen while paused")
    func deadlinesFrozen() async throws {
        var engine = try await EngineHarness()
        try await engine.run(until: 12 * minute)
        try await engine.control(.pause)
        engine.wait(wallMillis: 30 * minute)
        try await engine.run(until: 20 * minute)
        #expect(engine.verdicts("deface", "t2", .acknowledge).isEmpty)
        try await engine.control(.resume)
        try await engine.respond("t1", "deface", .acknowledge)
        try await engine.run(until: 16 * minute)
        #expect(engine.verdict(.met, "deface", "t1", .acknowledge) != nil)
        #expect(engine.verdict(.missed, "deface", "t2", .acknowledge)?.exerciseMillis == 15 * minute + 1)
    }

    @Test("extend moves a deadline: a response that would have been late is on time")
    func extendDeadline() async throws {
        var engine = try await EngineHarness()
        try await engine.run(until: 11 * minute)
        try await engine.control(.extend(inject: "deface", phase: .acknowledge, by: .seconds(600), teams: []))
        try await engine.run(until: 20 * minute)
        let receipt = try await engine.respond("t1", "deface", .acknowledge)
        #expect(!receipt.late)
        #expect(receipt.status == .met)
        #expect(receipt.deadlineMillis == 25 * minute)
        try await engine.run(until: 26 * minute)
        #expect(engine.verdict(.met, "deface", "t1", .acknowledge) != nil)
        let missed = try #require(engine.verdict(.missed, "deface", "t2", .acknowledge))
        #expect(try missed.payload(as: PhaseVerdictPayload.self).deadlineMillis == 25 * minute)
    }

    @Test("deadlines: met when done in time, missed when time passes first, a late response is kept and marked late")
    func deadlinesMetLateMissed() async throws {
        var engine = try await EngineHarness()
        try await engine.run(until: 12 * minute)
        let onTime = try await engine.respond("t1", "deface", .acknowledge)
        #expect(!onTime.late)
        try await engine.run(until: 20 * minute)
        let late = try await engine.respond("t2", "deface", .acknowledge)
        #expect(late.late)
        #expect(late.status == .late)
        #expect(engine.verdict(.met, "deface", "t1", .acknowledge) != nil)
        let missed = try #require(engine.verdict(.missed, "deface", "t2", .acknowledge))
        #expect(missed.exerciseMillis == 15 * minute + 1)
        try await engine.run(until: 21 * minute)
        // A phase done after its deadline goes from missed to late: both verdicts are journaled, in order.
        #expect(engine.verdicts("deface", "t2", .acknowledge) == [.missed, .late])
        #expect(engine.status("deface", "t2", .acknowledge) == .late)
    }

    @Test("trigger fires an inject now, and the schedule does not fire it again")
    func triggerNow() async throws {
        var engine = try await EngineHarness()
        try await engine.run(until: 1 * minute)
        try await engine.control(.trigger(inject: "final"))
        try await engine.run(until: 1 * minute)
        let intent = try #require(engine.first(.injectIntent, inject: "final"))
        #expect(intent.exerciseMillis == 1 * minute)
        #expect(try intent.payload(as: InjectIntentPayload.self).reason == "trigger")
        try await engine.run()
        #expect(engine.count(.injectIntent, inject: "final") == 1)
    }

    @Test("triggering an inject that already fired fires it once more, with its own idempotency keys")
    func retrigger() async throws {
        var engine = try await EngineHarness()
        try await engine.run(until: 11 * minute)
        try await engine.control(.trigger(inject: "deface"))
        try await engine.run(until: 12 * minute)
        #expect(engine.count(.injectIntent, inject: "deface") == 2)
        #expect(engine.count(.hostActionStarted, inject: "deface", host: "h1") == 2)
    }

    @Test("abort runs every executed inject's cleanup on every touched host, then ENDEX by the director")
    func abortCleansUp() async throws {
        var engine = try await EngineHarness()
        try await engine.run(until: 11 * minute)
        try await engine.control(.abort)
        let finished = try await engine.run()
        #expect(finished)
        #expect(engine.ledger.status == .aborted)
        #expect(engine.ledger.endexReason == "director")
        #expect(Set(engine.events.filter { $0.kind == .cleanupResult }.compactMap(\.host)) == ["h1", "h2", "h3"])
        #expect(engine.ledger.hostsNeedingCleanup.isEmpty)
        #expect(Set(engine.executor.calls.filter { $0.command.hasPrefix("rm -f") }.map(\.host)) == ["h1", "h2", "h3"])
        #expect(engine.count(.injectIntent, inject: "followup") == 0)
    }

    @Test("a host that cannot be cleaned is tried twice, then reported as not cleaned")
    func cleanupFailure() async throws {
        var engine = try await EngineHarness()
        try await engine.run(until: 11 * minute)
        engine.executor.setUnreachable("h2")
        try await engine.control(.abort)
        try await engine.run()
        #expect(engine.count(.cleanupIntent, host: "h2") == 2)
        #expect(engine.ledger.hostsNeedingCleanup.map(\.host) == ["h2"])
    }

    @Test(
        "resolved_when is polled on each landed host from delivery, stops on a host once it passes, and keeps polling past the deadline with a backoff to 4 × every"
    )
    func resolvedPolling() async throws {
        let executor = InMemoryExecutor()
        let remedied = ManagedSet()
        executor.respond { host, command in
            command.hasPrefix("test ! -e") ? (remedied.contains(host) ? 0 : 1) : 0
        }
        var engine = try await EngineHarness(executor: executor)
        try await engine.run(until: 13 * minute)
        #expect(engine.count(.checkResult, host: "h1") == 3)  // 11, 12, 13
        remedied.insert("h1")
        try await engine.run(until: 20 * minute)
        let h1Checks = engine.events.filter { $0.kind == .checkResult && $0.host == "h1" }
        #expect(h1Checks.count == 4)
        let last = try #require(h1Checks.last).payload(as: CheckResultPayload.self)
        #expect(last.passed)
        #expect(last.evidence.isIntact)
        #expect(last.evidence.command == "test ! -e '/srv/drill'/deface")
        #expect(engine.count(.checkResult, host: "h2") == 10)
        // t1 owns h1 and h2: one fixed host is not enough.
        #expect(engine.status("deface", "t1", .resolve) == .pending)
        remedied.insert("h2")
        try await engine.run(until: 40 * minute)
        #expect(engine.count(.checkResult, host: "h1") == 4)
        #expect(engine.count(.checkResult, host: "h2") == 11)  // 11 … 21
        let met = try #require(engine.verdict(.met, "deface", "t1", .resolve))
        #expect(try met.payload(as: PhaseVerdictPayload.self).doneAtMillis == 21 * minute, "the last host's first pass")
        // t2 (h3) never fixes: polled every minute to its deadline (30m), then at 31, 33, 37 (backing off to 4m).
        let h3 = engine.events.filter { $0.kind == .checkResult && $0.host == "h3" }.map(\.exerciseMillis)
        #expect(h3 == Array(11...30).map { Int64($0) * minute } + [31, 33, 37].map { $0 * minute })
        #expect(engine.verdict(.missed, "deface", "t2", .resolve)?.exerciseMillis == 30 * minute + 1)
    }

    @Test("a failing host is recorded and the drill goes on")
    func hostFailure() async throws {
        let executor = InMemoryExecutor()
        executor.setUnreachable("h2")
        var engine = try await EngineHarness(executor: executor)
        try await engine.run()
        let failure = try #require(engine.events.first { $0.kind == .hostActionResult && $0.host == "h2" })
        #expect(try failure.payload(as: HostActionResultPayload.self).error?.contains("connection refused") == true)
        let results = engine.ledger.hostInjects.filter { $0.key.inject == "deface" }.mapValues {
            $0.results[0]?.succeeded
        }
        #expect(results[RunLedger.HostKey(host: "h1", inject: "deface")] == true)
        #expect(results[RunLedger.HostKey(host: "h2", inject: "deface")] == false)
        #expect(engine.count(.delivered, inject: "deface") == 2)
        #expect(engine.ledger.status == .ended)
        #expect(engine.count(.injectIntent, inject: "final") == 1)
    }

    @Test("scope: a host outside the scenario's scope is never contacted, whatever an order says")
    func scopeNeverViolated() async throws {
        var engine = try await EngineHarness()
        try await engine.run()
        #expect(!engine.executor.contactedHosts.contains("outside"))
        // An order naming an outside host (as a bad selector or template might) still never reaches it.
        let order = FireOrder(
            inject: "deface",
            occurrence: 99,
            reason: .trigger,
            scheduledMillis: 0,
            teams: ["t1"],
            hosts: ["h1", "outside"]
        )
        _ = try await engine.worker.perform(.fire(order))
        _ = try await engine.worker.perform(.cleanup(CleanupOrder(inject: "deface", host: "outside", attempt: 1)))
        _ = try await engine.worker.perform(.check(CheckOrder(inject: "deface", host: "outside", team: "t1")))
        #expect(!engine.executor.contactedHosts.contains("outside"))
        #expect(engine.executor.contactedHosts == ["h1", "h2", "h3"])
    }
}

/// A flag tests flip from outside a @Sendable closure.
final class ManagedFlag: Sendable {
    private let state = Mutex(false)
    var value: Bool { state.withLock { $0 } }
    func set() { state.withLock { $0 = true } }
}

/// A set tests fill from outside a @Sendable closure.
final class ManagedSet: Sendable {
    private let state = Mutex(Set<String>())
    func contains(_ item: String) -> Bool { state.withLock { $0.contains(item) } }
    func insert(_ item: String) { _ = state.withLock { $0.insert(item) } }
    func remove(_ item: String) { _ = state.withLock { $0.remove(item) } }
}
