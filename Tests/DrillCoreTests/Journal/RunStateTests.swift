import DrillCore
import Testing

/// Builds journals by hand, one event a line, with sequences from 1.
struct JournalScript {
    var events: [JournalEvent] = []

    mutating func add(
        _ kind: JournalEvent.Kind,
        at exercise: Int64,
        inject: String? = nil,
        team: String? = nil,
        host: String? = nil,
        actor: JournalEvent.Actor? = .engine,
        key: String? = nil,
        _ payload: JournalValue = .emptyObject
    ) {
        events.append(
            JournalEvent(
                kind: kind,
                runID: "run-1",
                wallMillis: 1_000_000 + exercise,
                exerciseMillis: exercise,
                inject: inject,
                team: team,
                host: host,
                actor: actor,
                idempotencyKey: key,
                payload: payload,
                sequence: Int64(events.count + 1)
            )
        )
    }

    mutating func add(
        _ kind: JournalEvent.Kind,
        at exercise: Int64,
        inject: String? = nil,
        team: String? = nil,
        host: String? = nil,
        actor: JournalEvent.Actor? = .engine,
        payload: some JournalPayload
    ) {
        add(kind, at: exercise, inject: inject, team: team, host: host, actor: actor, payload.journalValue)
    }

    var state: RunState { RunState.fold(events) }
}

@Suite("RunState: the fold shared by resume, ctl status, the portal and the report")
struct RunStateTests {
    @Test("A new run is created; STARTEX runs it; pause and resume; ENDEX ends it")
    func statusLifecycle() {
        var script = JournalScript()
        script.add(.runCreated, at: 0, payload: RunCreatedPayload(scenario: "yunnan-guizhou-2026"))
        #expect(script.state.status == .created)
        #expect(script.state.scenario == "yunnan-guizhou-2026")
        script.add(.startex, at: 0)
        #expect(script.state.status == .running)
        script.add(.control, at: 1000, actor: .init(.director), payload: ControlPayload(action: .pause))
        #expect(script.state.status == .paused)
        #expect(script.state.pausedSinceWallMillis == 1_001_000)
        script.add(.control, at: 1000, actor: .init(.director), payload: ControlPayload(action: .resume))
        #expect(script.state.status == .running)
        #expect(script.state.pausedSinceWallMillis == nil)
        script.add(.endex, at: 5000)
        #expect(script.state.status == .ended)
        #expect(script.state.status.isFinished)
        #expect(script.state.lastSequence == 5)
        #expect(script.state.lastExerciseMillis == 5000)
    }

    @Test("Resume before a pause, and pause before STARTEX, change nothing")
    func ignoredControls() {
        var script = JournalScript()
        script.add(.runCreated, at: 0, payload: RunCreatedPayload(scenario: "s"))
        script.add(.control, at: 0, payload: ControlPayload(action: .pause))
        #expect(script.state.status == .created)
        script.add(.startex, at: 0)
        script.add(.control, at: 0, payload: ControlPayload(action: .resume))
        #expect(script.state.status == .running)
    }

    @Test("An aborted run stays aborted through ENDEX")
    func abortIsFinal() {
        var script = JournalScript()
        script.add(.startex, at: 0)
        script.add(.control, at: 10, actor: .init(.director, id: "zhang"), payload: ControlPayload(action: .abort))
        script.add(.endex, at: 20)
        script.add(.control, at: 30, payload: ControlPayload(action: .resume))
        #expect(script.state.status == .aborted)
    }

    @Test("Responses are timed against deadlines from delivery; the first of each phase counts; late is flagged")
    func responsesAndLateness() {
        var script = JournalScript()
        script.add(.startex, at: 0)
        script.add(.injectIntent, at: 60_000, inject: "webshell", key: IdempotencyKey.injectIntent(inject: "webshell"))
        script.add(.injectFired, at: 60_000, inject: "webshell")
        script.add(
            .delivered,
            at: 60_100,
            inject: "webshell",
            team: "yn-telecom",
            payload: DeliveredPayload(deadlines: [.acknowledge: .seconds(300), .report: .seconds(900)])
        )
        script.add(
            .response,
            at: 120_000,
            inject: "webshell",
            team: "yn-telecom",
            actor: .init(.team, id: "yn-telecom"),
            payload: ResponsePayload(phase: .acknowledge)
        )
        script.add(
            .response,
            at: 130_000,
            inject: "webshell",
            team: "yn-telecom",
            payload: ResponsePayload(phase: .acknowledge)
        )
        script.add(
            .response,
            at: 60_100 + 900_001,
            inject: "webshell",
            team: "yn-telecom",
            payload: ResponsePayload(phase: .report, text: "<script>alert(1)</script>")
        )
        let pair = script.state.teamInject("webshell", "yn-telecom")
        #expect(pair?.deliveredAtMillis == 60_100)
        #expect(pair?.deadline(.acknowledge) == 360_100)
        #expect(pair?.responses[.acknowledge]?.exerciseMillis == 120_000)
        #expect(pair?.responses[.acknowledge]?.late == false)
        #expect(pair?.responses[.acknowledge]?.actor == JournalEvent.Actor(.team, id: "yn-telecom"))
        #expect(pair?.responseCounts[.acknowledge] == 2)
        #expect(pair?.responses[.report]?.late == true)
        #expect(pair?.responses[.resolve] == nil)
        #expect(pair?.deadline(.resolve) == nil)
        #expect(script.state.firedInjects == ["webshell"])
        #expect(script.state.injects["webshell"]?.firedAtMillis == 60_000)
    }

    @Test("A response exactly at the deadline is on time")
    func exactlyAtDeadline() {
        var script = JournalScript()
        script.add(
            .delivered,
            at: 0,
            inject: "i",
            team: "t",
            payload: DeliveredPayload(deadlines: [.acknowledge: .seconds(1)])
        )
        script.add(.response, at: 1000, inject: "i", team: "t", payload: ResponsePayload(phase: .acknowledge))
        #expect(script.state.teamInject("i", "t")?.responses[.acknowledge]?.late == false)
    }

    @Test("Extensions move deadlines: for one team, and for every team including those delivered later")
    func extensions() {
        var script = JournalScript()
        let deadlines = DeliveredPayload(deadlines: [.acknowledge: .seconds(60)])
        script.add(.delivered, at: 0, inject: "i", team: "a", payload: deadlines)
        script.add(
            .control,
            at: 10,
            inject: "i",
            team: "a",
            payload: ControlPayload(action: .extend, phase: .acknowledge, extension: .seconds(30))
        )
        script.add(
            .control,
            at: 20,
            inject: "i",
            payload: ControlPayload(action: .extend, phase: .acknowledge, extension: .seconds(5))
        )
        script.add(.delivered, at: 1000, inject: "i", team: "b", payload: deadlines)
        script.add(.response, at: 90_000, inject: "i", team: "a", payload: ResponsePayload(phase: .acknowledge))
        script.add(.response, at: 65_000, inject: "i", team: "b", payload: ResponsePayload(phase: .acknowledge))
        let state = script.state
        #expect(state.teamInject("i", "a")?.deadline(.acknowledge) == 95_000)
        #expect(state.teamInject("i", "a")?.responses[.acknowledge]?.late == false)
        #expect(state.teamInject("i", "b")?.deadline(.acknowledge) == 66_000)
        #expect(state.teamInject("i", "b")?.responses[.acknowledge]?.late == false)
    }

    @Test("Deadline outcomes, check-confirmed resolution and observations are recorded per inject × team")
    func outcomes() {
        var script = JournalScript()
        script.add(.delivered, at: 0, inject: "i", team: "t", payload: DeliveredPayload())
        script.add(
            .deadlineMet,
            at: 10,
            inject: "i",
            team: "t",
            payload: DeadlinePayload(phase: .acknowledge, deadlineMillis: 60)
        )
        script.add(
            .deadlineMissed,
            at: 10,
            inject: "i",
            team: "t",
            payload: DeadlinePayload(phase: .report, deadlineMillis: 60)
        )
        let evidence = CheckEvidence(command: "test ! -e x", exitStatus: 1, outputExcerpt: "", checkedAtWallMillis: 5)
        script.add(
            .checkResult,
            at: 500,
            inject: "i",
            team: "t",
            host: "h",
            payload: CheckResultPayload(passed: false, evidence: evidence)
        )
        script.add(
            .checkResult,
            at: 700,
            inject: "i",
            team: "t",
            host: "h",
            payload: CheckResultPayload(passed: true, evidence: evidence)
        )
        script.add(
            .checkResult,
            at: 900,
            inject: "i",
            team: "t",
            host: "h",
            payload: CheckResultPayload(passed: true, evidence: evidence)
        )
        script.add(
            .observation,
            at: 950,
            inject: "i",
            team: "t",
            actor: .init(.evaluator, id: "li"),
            payload: ObservationPayload(scores: ["detection": 4])
        )
        let pair = script.state.teamInject("i", "t")
        #expect(pair?.deadlineOutcomes == [.acknowledge: true, .report: false])
        #expect(pair?.resolvedByCheckAtMillis == 700)
        #expect(pair?.observationCount == 1)
    }

    @Test("Hosts touched by actions need cleanup until a cleanup succeeds; failures are counted")
    func hostsAndCleanup() {
        var script = JournalScript()
        for host in ["web01", "web02"] {
            script.add(
                .hostActionStarted,
                at: 0,
                inject: "webshell",
                host: host,
                payload: HostActionIntentPayload(step: 0, command: "x")
            )
        }
        script.add(
            .hostActionResult,
            at: 10,
            inject: "webshell",
            host: "web01",
            payload: HostActionResultPayload(step: 0, exitStatus: 0)
        )
        script.add(
            .hostActionResult,
            at: 10,
            inject: "webshell",
            host: "web02",
            payload: HostActionResultPayload(step: 0, exitStatus: nil, error: "connection refused")
        )
        script.add(
            .cleanupIntent,
            at: 100,
            inject: "webshell",
            host: "web01",
            payload: CleanupIntentPayload(commands: ["rm x"])
        )
        script.add(
            .cleanupResult,
            at: 110,
            inject: "webshell",
            host: "web01",
            payload: CleanupResultPayload(succeeded: true)
        )
        script.add(.cleanupIntent, at: 100, inject: "webshell", host: "web02")
        script.add(
            .cleanupResult,
            at: 110,
            inject: "webshell",
            host: "web02",
            payload: CleanupResultPayload(succeeded: false, error: "unreachable")
        )
        let state = script.state
        #expect(state.injects["webshell"]?.actionOutcomes == ["web01": true, "web02": false])
        #expect(state.hosts["web02"]?.failedActions == 1)
        #expect(state.hostsNeedingCleanup.map(\.host) == ["web02"])
        #expect(state.hosts["web02"]?.cleanupFailedFor == ["webshell"])
        #expect(state.unresolvedIntents.isEmpty)
    }

    @Test("Intents without outcomes are pending; an uncertain event moves them to uncertain")
    func pendingAndUncertain() {
        var script = JournalScript()
        script.add(.injectIntent, at: 0, inject: "a", key: "inject:a#1")
        script.add(.hostActionStarted, at: 0, inject: "a", host: "h1", key: "action:a#1/0@h1", ["step": 0])
        script.add(.hostActionStarted, at: 0, inject: "a", host: "h1", key: "action:a#1/1@h1", ["step": 1])
        script.add(.hostActionResult, at: 5, inject: "a", host: "h1", ["step": 1, "exitStatus": 0])
        script.add(.cleanupIntent, at: 9, inject: "a", host: "h1")
        var state = script.state
        #expect(state.unresolvedIntents.map(\.sequence) == [1, 2, 5])
        #expect(state.unresolvedIntents.map(\.kind) == [.injectIntent, .hostActionStarted, .cleanupIntent])
        #expect(state.unresolvedIntents[1].step == 0)
        #expect(state.unresolvedIntents[1].idempotencyKey == "action:a#1/0@h1")

        script.add(
            .uncertain,
            at: 20,
            inject: "a",
            host: "h1",
            payload: UncertainPayload(intentSequence: 2, intentKind: .hostActionStarted, reason: "engine restarted")
        )
        script.add(.injectFired, at: 20, inject: "a")
        state = script.state
        #expect(state.unresolvedIntents.map(\.sequence) == [5])
        #expect(state.uncertainIntents.map(\.sequence) == [2])
    }

    @Test("Events of unknown kinds are counted and skipped, never fatal")
    func unknownKinds() {
        var script = JournalScript()
        script.add(.startex, at: 0)
        script.add("teleport_hosts", at: 5, inject: "x", ["anything": [1, 2]])
        script.add(.endex, at: 10)
        let state = script.state
        #expect(state.unknownEventCount == 1)
        #expect(state.eventCount == 3)
        #expect(state.status == .ended)
    }

    @Test("A response is refused before STARTEX, for an inject not fired, and for an inject the team never received")
    func responseRefusals() {
        var script = JournalScript()
        script.add(.runCreated, at: 0, payload: RunCreatedPayload(scenario: "s"))
        #expect(script.state.refusalOfResponse(inject: "webshell", team: "yn")?.contains("not started") == true)
        script.add(.startex, at: 0)
        #expect(
            script.state.refusalOfResponse(inject: "webshell", team: "yn")
                == "inject 'webshell' has not been fired in this run"
        )
        script.add(.injectIntent, at: 10, inject: "webshell")
        script.add(.injectFired, at: 10, inject: "webshell")
        script.add(.delivered, at: 10, inject: "webshell", team: "yn", payload: DeliveredPayload())
        #expect(script.state.refusalOfResponse(inject: "webshell", team: "yn") == nil)
        #expect(
            script.state.refusalOfResponse(inject: "webshell", team: "gz")
                == "team 'gz' did not receive inject 'webshell'; a team answers only the injects delivered to it"
        )
        script.add(.endex, at: 99)
        #expect(script.state.refusalOfResponse(inject: "webshell", team: "yn") == nil, "late reports are kept")
    }

    @Test("Folding in one go equals applying events one at a time (a live tail)")
    func incremental() {
        let events = SyntheticJournal.events(runID: "r", teams: 4, injects: 3, hostsPerTeam: 2)
        var live = RunState()
        for event in events { live.apply(event) }
        #expect(live == RunState.fold(events))
        #expect(live.status == .ended)
        #expect(live.teamInjects.count == 12)
        #expect(live.hostsNeedingCleanup.isEmpty)
        #expect(live.unresolvedIntents.map(\.kind) == [])
    }

    @Test("Folding 100,000 events takes well under a second")
    func foldSpeed() {
        let events = SyntheticJournal.events(runID: "r", count: 100_000)
        #expect(events.count == 100_000)
        let clock = ContinuousClock()
        var state = RunState()
        let elapsed = clock.measure { state = RunState.fold(events) }
        #expect(state.eventCount == 100_000)
        // The goal (well under a second) is for release builds, where the benchmark measures it
        // (`drill-bench journal`). Unoptimised debug builds on a loaded CI machine are ~10x slower; the bound
        // there still catches anything worse than linear.
        #if DEBUG
        let bound = Duration.seconds(10)
        #else
        let bound = Duration.seconds(1)
        #endif
        #expect(elapsed < bound, "fold of 100k events took \(elapsed)")
    }
}

@Suite("Journal payloads and evidence")
struct JournalPayloadTests {
    @Test("Typed payloads round-trip through the journal value")
    func payloadRoundTrip() throws {
        let result = HostActionResultPayload(
            step: 2,
            exitStatus: 127,
            stdoutExcerpt: "out",
            stderrExcerpt: "not found",
            runMillis: 12
        )
        let event = JournalEvent(
            kind: .hostActionResult,
            runID: "r",
            wallMillis: 1,
            exerciseMillis: 1,
            payload: result.journalValue
        )
        #expect(try event.payload(as: HostActionResultPayload.self) == result)
        #expect(!result.succeeded)
        let control = ControlPayload(action: .extend, phase: .report, extension: .seconds(600), reason: "holiday")
        #expect(control.journalValue["extensionMillis"] == 600_000)
        #expect(try ControlPayload(journalValue: control.journalValue) == control)
        let delivered = DeliveredPayload(message: "请立即核查", severity: "II", deadlines: [.resolve: .seconds(3600)])
        #expect(delivered.journalValue["deadlines"] == ["resolve": 3_600_000])
    }

    @Test("A payload missing a required member does not decode")
    func missingMember() {
        #expect(throws: (any Error).self) { try ResponsePayload(journalValue: ["text": "no phase"]) }
        #expect(throws: (any Error).self) { try ResponsePayload(journalValue: ["phase": "dance"]) }
    }

    @Test("Check evidence is sealed with the SHA-256 of its canonical text, and tampering shows")
    func evidenceDigest() throws {
        let evidence = CheckEvidence(
            command: "test ! -e /var/www/.cache.php",
            exitStatus: 0,
            outputExcerpt: "",
            checkedAtWallMillis: 1_796_000_000_000
        )
        #expect(
            evidence.canonicalText
                == #"{"checkedAtWallMillis":1796000000000,"command":"test ! -e /var/www/.cache.php","exitStatus":0,"outputExcerpt":""}"#
        )
        let payload = CheckResultPayload(passed: true, evidence: evidence)
        #expect(payload.evidence.digest == SHA256Digest.hex(of: Array(evidence.canonicalText.utf8)))
        #expect(payload.evidence.isIntact)
        let reread = try CheckResultPayload(journalValue: payload.journalValue)
        #expect(reread.evidence.isIntact)
        var tampered = reread.evidence
        tampered.exitStatus = 1
        #expect(!tampered.isIntact)
    }

    @Test("Actors read back from their journal text")
    func actorText() {
        let team = JournalEvent.Actor(.team, id: "yn-telecom")
        #expect(team.description == "team:yn-telecom")
        #expect(JournalEvent.Actor(parsing: "team:yn-telecom") == team)
        #expect(JournalEvent.Actor(parsing: "engine") == .engine)
        #expect(JournalEvent.Actor(parsing: "evaluator:a:b").id == "a:b")
    }

    @Test("Every known kind has a distinct wire name")
    func kindNames() {
        #expect(Set(JournalEvent.Kind.known.map(\.rawValue)).count == JournalEvent.Kind.known.count)
        #expect(JournalEvent.Kind.hostActionResult.rawValue == "host_action_result")
    }
}
