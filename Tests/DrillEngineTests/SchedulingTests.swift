import DrillCore
import DrillEngine
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
        #expect(intent.payload["reason"]?.stringValue == "schedule")
        #expect(Set(engine.executor.calls.filter { $0.command.hasPrefix("touch") }.map(\.host)) == ["h1", "h2", "h3"])
        #expect(engine.count(.hostActionResult, inject: "deface") == 3)
        #expect(engine.count(.landedCheck, inject: "deface") == 3)
        #expect(engine.count(.delivered, inject: "deface") == 2)
        let delivered = try #require(engine.first(.delivered, inject: "deface", team: "t1"))
        #expect(delivered.payload["message"]?.stringValue == "Team One: the home page is defaced")
        #expect(engine.count(.injectFired, inject: "deface") == 1)
    }

    @Test("a three-hour drill runs to ENDEX in virtual time, every inject once, every host cleaned")
    func threeHourDrill() async throws {
        var engine = try await EngineHarness()
        let finished = try await engine.run()
        #expect(finished)
        #expect(engine.state.status == .ended)
        #expect(engine.state.firedInjects == ["deface", "escalate", "final", "followup"])
        for inject in ["deface", "followup", "final"] { #expect(engine.count(.injectIntent, inject: inject) == 1) }
        #expect(engine.state.hostsNeedingCleanup.isEmpty)
        #expect(engine.count(.cleanupResult) == 3)
        let endex = try #require(engine.first(.endex))
        #expect(endex.exerciseMillis == 180 * minute)
        #expect(endex.payload["reason"]?.stringValue == "schedule")
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
        #expect(intent.payload["reason"]?.stringValue == "condition")
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
        #expect(engine.state.status == .ended)
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
        #expect(engine.count(.deadlineMissed) == 0)
        try await engine.control(.resume)
        try await engine.respond("t1", "deface", .acknowledge)
        try await engine.run(until: 16 * minute)
        #expect(engine.deadline(.deadlineMet, "deface", "t1", .acknowledge) != nil)
        #expect(engine.deadline(.deadlineMissed, "deface", "t2", .acknowledge)?.exerciseMillis == 15 * minute + 1)
    }

    @Test("extend moves a deadline: a response that would have been late is on time")
    func extendDeadline() async throws {
        var engine = try await EngineHarness()
        try await engine.run(until: 11 * minute)
        try await engine.control(.extend(inject: "deface", phase: .acknowledge, by: .seconds(600)))
        try await engine.run(until: 20 * minute)
        let receipt = try await engine.respond("t1", "deface", .acknowledge)
        #expect(!receipt.late)
        #expect(receipt.deadlineMillis == 25 * minute)
        try await engine.run(until: 26 * minute)
        #expect(engine.deadline(.deadlineMet, "deface", "t1", .acknowledge) != nil)
        let missed = try #require(engine.deadline(.deadlineMissed, "deface", "t2", .acknowledge))
        #expect(missed.payload["deadlineMillis"]?.int64Value == 25 * minute)
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
        #expect(engine.deadline(.deadlineMet, "deface", "t1", .acknowledge) != nil)
        let missed = try #require(engine.deadline(.deadlineMissed, "deface", "t2", .acknowledge))
        #expect(missed.exerciseMillis == 15 * minute + 1)
        try await engine.ingest()
        #expect(engine.state.teamInject("deface", "t2")?.responses[.acknowledge]?.late == true)
    }

    @Test("trigger fires an inject now, and the schedule does not fire it again")
    func triggerNow() async throws {
        var engine = try await EngineHarness()
        try await engine.run(until: 1 * minute)
        try await engine.control(.trigger(inject: "final"))
        try await engine.run(until: 1 * minute)
        let intent = try #require(engine.first(.injectIntent, inject: "final"))
        #expect(intent.exerciseMillis == 1 * minute)
        #expect(intent.payload["reason"]?.stringValue == "trigger")
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
        #expect(engine.state.status == .aborted)
        #expect(engine.first(.endex)?.payload["reason"]?.stringValue == "director")
        #expect(Set(engine.events.filter { $0.kind == .cleanupResult }.compactMap(\.host)) == ["h1", "h2", "h3"])
        #expect(engine.state.hostsNeedingCleanup.isEmpty)
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
        #expect(engine.state.hostsNeedingCleanup.map(\.host) == ["h2"])
    }

    @Test("resolved_when is polled at its interval from delivery and stops once it passes")
    func resolvedPollingStops() async throws {
        let executor = InMemoryExecutor()
        let remedied = ManagedFlag()
        executor.respond { host, command in
            command.hasPrefix("test ! -e") ? (host == "h1" && remedied.value ? 0 : 1) : 0
        }
        var engine = try await EngineHarness(executor: executor)
        try await engine.run(until: 13 * minute)
        #expect(engine.count(.checkResult, host: "h1") == 3)
        remedied.set()
        try await engine.run(until: 20 * minute)
        let h1Checks = engine.events.filter { $0.kind == .checkResult && $0.host == "h1" }
        #expect(h1Checks.count == 4)
        #expect(h1Checks.last?.payload["passed"]?.boolValue == true)
        let evidence = try #require(h1Checks.last?.payload(as: CheckResultPayload.self).evidence)
        #expect(evidence.isIntact)
        #expect(evidence.command == "test ! -e '/srv/drill'/deface")
        #expect(engine.count(.checkResult, host: "h2") == 10)
        try await engine.run(until: 40 * minute)
        // h1's team t1 resolved by check within 20 minutes: met; t2 polled until its resolve deadline, then missed.
        #expect(engine.count(.checkResult, host: "h1") == 4)
        #expect(engine.count(.checkResult, host: "h2") == 20)
        #expect(engine.deadline(.deadlineMet, "deface", "t1", .resolve) != nil)
        #expect(engine.deadline(.deadlineMissed, "deface", "t2", .resolve)?.exerciseMillis == 30 * minute + 1)
    }

    @Test("a failing host is recorded and the drill goes on")
    func hostFailure() async throws {
        let executor = InMemoryExecutor()
        executor.setUnreachable("h2")
        var engine = try await EngineHarness(executor: executor)
        try await engine.run()
        let failure = try #require(engine.events.first { $0.kind == .hostActionResult && $0.host == "h2" })
        #expect(failure.payload["error"]?.stringValue?.contains("connection refused") == true)
        #expect(engine.state.injects["deface"]?.actionOutcomes == ["h1": true, "h2": false, "h3": true])
        #expect(engine.count(.delivered, inject: "deface") == 2)
        #expect(engine.state.status == .ended)
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
