import DrillCore
import DrillEngine
import DrillRun
import DrillTesting
import Testing

/// The facts of a run that must not depend on whether the engine was killed and resumed.
func runFacts(_ events: [JournalEvent]) -> [String] {
    let ledger = RunLedger(events: events)
    var facts: [String] = []
    for event in events {
        switch RunEvent(event).body {
        case .injectIntent(let intent):
            facts.append("fire \(event.inject ?? "") \(intent.teams.sorted())")
        case .delivered: facts.append("delivered \(event.inject ?? "")>\(event.team ?? "")")
        case .endex(let endex): facts.append("endex \(endex.reason ?? "")")
        default: break
        }
    }
    for (key, pair) in ledger.pairs {
        for (phase, response) in pair.firstResponse {
            facts.append("response \(key) \(phase.rawValue) at \(response.at.exerciseMillis)")
        }
        for (phase, verdict) in pair.verdicts { facts.append("final \(key) \(phase.rawValue) \(verdict.status)") }
    }
    facts.append("unclean \(ledger.hostsNeedingCleanup.map(\.host))")
    facts.append("status \(ledger.status.rawValue)")
    return facts.sorted()
}

@Suite("Resume: continuing a run from a journal prefix")
struct ResumeTests {
    static let simulator = TeamSimulator(profile: .default, seed: 7)

    @Test("from every cut point: nothing fires twice, intents without outcome are uncertain, facts match")
    func resumeFromPrefixes() async throws {
        var reference = try await EngineHarness(simulator: Self.simulator)
        try await reference.run()
        let full = reference.events
        let expected = runFacts(full)
        #expect(expected.contains("endex schedule"))

        var cuts = Array(stride(from: 3, to: full.count, by: max(1, full.count / 40)))
        // Cut right after a host action intent: its outcome is unknown.
        if let started = full.firstIndex(where: { $0.kind == .hostActionStarted }) { cuts.append(started + 1) }
        for cut in cuts {
            let prefix = Array(full.prefix(cut))
            var resumed = try await EngineHarness(
                simulator: Self.simulator,
                journal: try await prefixJournal(prefix),
                start: false
            )
            resumed.time.setWall((prefix.last?.wallMillis ?? 0) + 7 * minute)  // the outage
            try await resumed.resume(outage: .pause, missed: .fire)
            let finished = try await resumed.run()
            #expect(finished, "cut \(cut)")
            let events = resumed.events
            // No host action ran twice (each intent key once; the in-memory journal refuses duplicates too).
            var started: [String: Int] = [:]
            for event in events where event.kind == .hostActionStarted {
                started["\(event.inject ?? "")@\(event.host ?? "")", default: 0] += 1
            }
            #expect(started.values.allSatisfy { $0 == 1 }, "cut \(cut): \(started)")
            // An intent cut from its outcome is marked uncertain, never repeated.
            let openBefore = RunLedger(events: prefix).unresolvedIntents.filter {
                $0.kind == .hostActionStarted || $0.kind == .cleanupIntent
            }
            #expect(events.filter { $0.kind == .uncertain }.count == openBefore.count, "cut \(cut)")
            // Where an action's outcome is uncertain (cut between intent and outcome), whether the inject landed on
            // that host is unknown too: the resolve verdicts of that inject are left out of the comparison.
            let uncertain = Set(events.filter { $0.kind == .uncertain }.compactMap(\.inject))
            func comparable(_ facts: [String]) -> [String] {
                facts.filter { fact in
                    !uncertain.contains { fact.hasPrefix("final \($0)>") && fact.contains(" resolve ") }
                }
            }
            #expect(comparable(runFacts(events)) == comparable(expected), "cut \(cut)")
        }
    }

    @Test("responses recorded while the engine was down are kept and counted")
    func responsesWhileDown() async throws {
        var engine = try await EngineHarness()
        try await engine.run(until: 11 * minute)
        let prefix = engine.events
        var resumed = try await EngineHarness(journal: try await prefixJournal(prefix), start: false)
        resumed.moveTo(exercise: 12 * minute)
        try await resumed.respond("t1", "deface", .acknowledge)
        resumed.wait(wallMillis: 2 * minute)
        try await resumed.resume(outage: .pause, missed: .fire)
        try await resumed.run()
        #expect(resumed.verdict(.met, "deface", "t1", .acknowledge) != nil)
        #expect(resumed.count(.delivered, inject: "escalate", team: "t1") == 0)
        #expect(resumed.count(.delivered, inject: "escalate", team: "t2") == 1)
    }

    @Test("outage `continue`: injects that fell due while down follow --missed fire (late) or skip (journaled)")
    func missedPolicies() async throws {
        var engine = try await EngineHarness()
        try await engine.run(until: 5 * minute)
        let prefix = engine.events

        var fired = try await EngineHarness(journal: try await prefixJournal(prefix), start: false)
        fired.moveTo(exercise: 30 * minute)
        let due = try await fired.resume(outage: .continue, missed: .fire)
        #expect(due.map(\.inject) == ["deface"])
        try await fired.run(until: 30 * minute)
        let late = try #require(fired.first(.injectIntent, inject: "deface"))
        #expect(try late.payload(as: InjectIntentPayload.self).reason == "late")
        #expect(late.exerciseMillis == 30 * minute)

        var skipped = try await EngineHarness(journal: try await prefixJournal(prefix), start: false)
        skipped.moveTo(exercise: 30 * minute)
        try await skipped.resume(outage: .continue, missed: .skip)
        try await skipped.run()
        #expect(skipped.count(.injectIntent, inject: "deface") == 0)
        #expect(skipped.count(.injectIntent, inject: "followup") == 0)
        #expect(skipped.count(.injectIntent, inject: "final") == 1)
        let skip = try #require(skipped.events.first { $0.kind == .control && $0.inject == "deface" })
        #expect(try skip.payload(as: ControlPayload.self).action == .skip)

        var asked = try await EngineHarness(journal: try await prefixJournal(prefix), start: false)
        asked.moveTo(exercise: 30 * minute)
        try await asked.resume(outage: .continue, missed: .ask, fireWhenAsked: ["deface"])
        try await asked.run(until: 30 * minute)
        #expect(asked.count(.injectIntent, inject: "deface") == 1)
    }

    @Test("outage `pause`: the exercise clock resumes at the last exercise time in the journal (no heartbeat)")
    func outagePause() async throws {
        var engine = try await EngineHarness()
        try await engine.run(until: 5 * minute)
        try await engine.control(.trigger(inject: "final"))
        try await engine.run(until: 5 * minute)
        var resumed = try await EngineHarness(journal: try await prefixJournal(engine.events), start: false)
        resumed.time.setWall(engine.time.wall + 60 * minute)
        let due = try await resumed.resume(outage: .pause, missed: .fire)
        #expect(due.isEmpty)
        #expect(resumed.now == 5 * minute)
        try await resumed.run(until: 10 * minute)
        #expect(
            try resumed.first(.injectIntent, inject: "deface")?.payload(as: InjectIntentPayload.self).reason
                == "schedule"
        )
        #expect(resumed.first(.injectIntent, inject: "deface")?.wallMillis == 1_000_000 + 70 * minute)
    }

    @Test("outage `pause` counts the outage from the last heartbeat, when it is later than the last event")
    func outagePauseFromHeartbeat() async throws {
        var engine = try await EngineHarness()
        try await engine.run(until: 5 * minute)
        // The engine kept beating for 3 more minutes of a quiet drill, then died.
        let beat = EngineHeartbeat(wallMillis: engine.time.wall + 3 * minute, exerciseMillis: 8 * minute)
        var resumed = try await EngineHarness(journal: try await prefixJournal(engine.events), start: false)
        resumed.time.setWall(engine.time.wall + 60 * minute)
        try await resumed.resume(outage: .pause, missed: .fire, heartbeat: beat)
        #expect(resumed.now == 8 * minute)
    }
}

@Suite("Responses and controls")
struct ResponseDeskTests {
    @Test("a response for an inject the team never received is refused with the reason")
    func neverDelivered() async throws {
        var engine = try await EngineHarness()
        try await engine.run(until: 11 * minute)
        await #expect(throws: RunRules.Refusal.self) { try await engine.respond("t1", "final", .acknowledge) }
        do {
            try await engine.respond("t1", "final", .acknowledge)
        } catch {
            #expect("\(error)".contains("inject 'final' was never delivered to team 't1'"))
        }
        do {
            try await engine.respond("nobody", "deface", .acknowledge)
        } catch {
            #expect("\(error)".contains("there is no team 'nobody'"))
        }
        #expect(engine.count(.response) == 0)
    }

    @Test("controls that make no sense now are refused")
    func refusedControls() async throws {
        var engine = try await EngineHarness()
        try await engine.run(until: 1 * minute)
        await #expect(throws: RunRules.Refusal.self) { try await engine.control(.resume) }
        await #expect(throws: RunRules.Refusal.self) { try await engine.control(.trigger(inject: "nope")) }
        try await engine.control(.pause)
        await #expect(throws: RunRules.Refusal.self) { try await engine.control(.pause) }
    }
}

@Suite("Simulated teams")
struct SimulatorTests {
    @Test("the same seed gives the same responses; profiles differ")
    func reproducible() {
        let a = TeamSimulator(profile: .default, seed: 1)
        let b = TeamSimulator(profile: .default, seed: 1)
        #expect(a.responseOffsets(inject: "x", team: "t") == b.responseOffsets(inject: "x", team: "t"))
        let fast = TeamSimulator(profile: .fast, seed: 1).responseOffsets(inject: "x", team: "t")
        #expect(fast.count == 3)
        #expect(fast[.acknowledge]! < fast[.report]! && fast[.report]! < fast[.resolve]!)
        #expect(TeamSimulator(parsing: "sloppy:9")?.seed == 9)
        #expect(TeamSimulator(parsing: "nope") == nil)
    }

    @Test("simulated teams acknowledge, report, and resolve by running the remedy on their hosts")
    func remediate() async throws {
        var engine = try await EngineHarness(simulator: TeamSimulator(profile: .fast, seed: 3))
        try await engine.run()
        for team in ["t1", "t2"] {
            let pair = try #require(engine.ledger.pair("deface", team))
            #expect(Set(pair.firstResponse.keys) == Set(ResponsePhase.allCases))
            #expect(pair.firstResponse[.acknowledge]?.actor?.role == .simulator)
            #expect(pair.verdicts.mapValues(\.status) == [.acknowledge: .met, .report: .met, .resolve: .met])
        }
        let remedies = engine.executor.calls.filter { $0.command.hasPrefix("rm -f") }
        #expect(remedies.count >= 6)  // remedy on 3 hosts + cleanup on 3 hosts
        #expect(engine.count(.injectIntent, inject: "escalate") == 0)
    }
}
