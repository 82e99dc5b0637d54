import DrillCore
import DrillEngine
import DrillRun
import DrillTesting
import Foundation
import Testing

/// The decided rules as the engine applies them (docs/engine.md), each in its own test.
@Suite("Engine rules")
struct EngineRuleTests {
    /// The test scenario with an escalation that waits on `deface`'s report deadline (no `within`).
    static let followsDeadline = testScenarioYAML.replacingOccurrences(
        of: "after: { inject: deface, unless: acknowledged, within: 5m }",
        with: "after: { inject: deface, unless: reported }"
    )

    @Test("an escalation without 'within' follows the parent's extended deadline, per team")
    func escalationFollowsExtension() async throws {
        let (plan, inventory) = try EngineHarness.plan(Self.followsDeadline)
        var engine = try await EngineHarness(plan: plan, inventory: inventory)
        try await engine.run(until: 11 * minute)
        // deface's report deadline is 10m after delivery (20m); t1 gets 10 more minutes.
        try await engine.control(.extend(inject: "deface", phase: .report, by: .seconds(600), teams: ["t1"]))
        try await engine.run(until: 25 * minute)
        try await engine.respond("t1", "deface", .report)
        try await engine.run(until: 40 * minute)
        let intents = engine.events.filter { $0.kind == .injectIntent && $0.inject == "escalate" }
        #expect(intents.map(\.idempotencyKey) == ["inject:escalate#1>t2"], "t1 reported within its extended deadline")
        #expect(intents.first?.exerciseMillis == 20 * minute)
        // t1's report is on time, by every view's rule.
        #expect(engine.status("deface", "t1", .report) == .met)
    }

    @Test("an explicit 'within' does not move with an extension")
    func explicitWithinStays() async throws {
        var engine = try await EngineHarness()
        try await engine.run(until: 11 * minute)
        try await engine.control(
            .extend(inject: "deface", phase: .acknowledge, by: .seconds(600), teams: ["t1", "t2"])
        )
        try await engine.run(until: 16 * minute)
        // within: 5m from delivery at 10m: both escalated at 15m although their deadlines moved to 25m.
        let keys = engine.events.filter { $0.kind == .injectIntent && $0.inject == "escalate" }.map(\.idempotencyKey)
        #expect(Set(keys.compactMap { $0 }) == ["inject:escalate#1>t1", "inject:escalate#1>t2"])
    }

    @Test("a message-only inject is delivered with an acknowledge deadline only")
    func messageOnlyDelivery() async throws {
        var engine = try await EngineHarness()
        try await engine.run(until: 11 * minute)
        try await engine.run(until: 16 * minute)
        let escalation = try #require(engine.first(.delivered, inject: "escalate", team: "t1"))
        let payload = try escalation.payload(as: DeliveredPayload.self)
        #expect(payload.expects == [.acknowledge])
        #expect(Set(payload.deadlines.keys) == ["acknowledge"])
        try await engine.run()
        #expect(engine.verdicts("escalate", "t1", .report) == [.notExpected])
    }

    @Test("a host where nothing started (the connection was refused) is untouched: never cleaned, never 'not cleaned'")
    func untouchedHost() async throws {
        let executor = InMemoryExecutor()
        executor.setUnreachable("h3")
        var engine = try await EngineHarness(executor: executor)
        try await engine.run()
        #expect(engine.count(.cleanupIntent, host: "h3") == 0)
        #expect(engine.ledger.hostsNeedingCleanup.isEmpty)
        // t2 owns only h3: the inject landed nowhere for it.
        #expect(engine.verdicts("deface", "t2", .resolve) == [.notApplicable])
        #expect(RunStatusText.status(engine.ledger, now: engine.now).contains("every touched host is put back"))
    }

    @Test("resume retries a cleanup that failed, and journals the outcome")
    func resumeRetriesCleanup() async throws {
        var engine = try await EngineHarness()
        try await engine.run(until: 11 * minute)
        engine.executor.setUnreachable("h2")
        try await engine.control(.abort)
        try await engine.run()
        #expect(engine.ledger.hostsNeedingCleanup.map(\.host) == ["h2"])
        // The host is reachable again (a corrected --known-hosts, say); the director runs `drillctl resume`.
        engine.executor.setUnreachable("h2", false)
        try await engine.engine.restart(simulator: nil)
        try await engine.resume(outage: .pause, missed: .fire)
        let finished = try await engine.run()
        #expect(finished)
        #expect(engine.ledger.hostsNeedingCleanup.isEmpty)
        let results = engine.events.filter { $0.kind == .cleanupResult && $0.host == "h2" }
        #expect(results.count == 3)
        #expect(try results.last?.payload(as: CleanupResultPayload.self).succeeded == true)
    }
}
