import DrillCore
import DrillTesting
import Foundation
import GRDB
import Testing

@testable import DrillStore

/// A journal in a fresh temporary folder.
struct JournalFixture {
    let directory: TemporaryDirectory
    let path: String
    let journal: Journal

    init(runID: String = "run-1", durability: Journal.Durability = .full) throws {
        directory = try TemporaryDirectory(prefix: "drill-journal")
        path = directory.url.appendingPathComponent("journal.sqlite").path
        journal = try Journal.create(
            at: path,
            runID: runID,
            created: RunCreatedPayload(scenario: "yunnan-guizhou-2026", speed: 60),
            wallMillis: 1_000,
            durability: durability
        )
    }

    static func event(
        _ kind: JournalEvent.Kind,
        runID: String = "run-1",
        at exercise: Int64 = 0,
        inject: String? = nil,
        team: String? = nil,
        host: String? = nil,
        key: String? = nil,
        payload: JournalValue = .emptyObject
    ) -> JournalEvent {
        JournalEvent(
            kind: kind,
            runID: runID,
            wallMillis: 1_000 + exercise,
            exerciseMillis: exercise,
            inject: inject,
            team: team,
            host: host,
            actor: .engine,
            idempotencyKey: key,
            payload: payload
        )
    }
}

@Suite("Journal on SQLite: appending and reading")
struct JournalStoreTests {
    @Test("A new journal is in WAL mode with synchronous = FULL and starts with run_created")
    func creation() async throws {
        let fixture = try JournalFixture()
        defer { fixture.directory.remove() }
        #expect(try fixture.journal.writerPragma("journal_mode") == "wal")
        #expect(try fixture.journal.writerPragma("synchronous") == "2")
        let events = try await fixture.journal.allEvents()
        #expect(events.count == 1)
        #expect(events[0].kind == .runCreated)
        #expect(events[0].sequence == 1)
        #expect(events[0].runID == "run-1")
        #expect(try events[0].payload(as: RunCreatedPayload.self).scenario == "yunnan-guizhou-2026")
        let summary = try fixture.journal.summary()
        #expect(summary.status == .created)
        #expect(summary.scenario == "yunnan-guizhou-2026")
        #expect(summary.lastSequence == 1)
    }

    @Test("NORMAL durability is available for benchmarks and says so")
    func normalDurability() throws {
        let fixture = try JournalFixture(durability: .normal)
        defer { fixture.directory.remove() }
        #expect(try fixture.journal.writerPragma("synchronous") == "1")
    }

    @Test("Appends return the event with the next sequence, and read back exactly")
    func appendAndRead() async throws {
        let fixture = try JournalFixture()
        defer { fixture.directory.remove() }
        let evidence = CheckEvidence(
            command: "test -e 'a b'",
            exitStatus: 0,
            outputExcerpt: "ok\n中文",
            checkedAtWallMillis: 7
        )
        var offered = JournalFixture.event(
            .checkResult,
            at: 5000,
            inject: "webshell",
            team: "yn-telecom",
            host: "web01.yn",
            payload: CheckResultPayload(passed: true, evidence: evidence).journalValue
        )
        offered.actor = JournalEvent.Actor(.simulator, id: "default")
        let written = try await fixture.journal.append(offered)
        #expect(written.sequence == 2)
        let second = try await fixture.journal.append(JournalFixture.event(.startex))
        #expect(second.sequence == 3)
        let read = try await fixture.journal.events(after: 1, limit: nil)
        #expect(read == [written, second])
        #expect(try read[0].payload(as: CheckResultPayload.self).evidence.isIntact)
        #expect(try await fixture.journal.events(after: 2, limit: nil) == [second])
        #expect(try await fixture.journal.events(after: 0, limit: 1).map(\.sequence) == [1])
        #expect(try await fixture.journal.events(after: 3, limit: nil).isEmpty)
    }

    @Test("A batch is appended in one transaction with consecutive sequences")
    func batch() async throws {
        let fixture = try JournalFixture()
        defer { fixture.directory.remove() }
        let events = (0..<50).map {
            JournalFixture.event(.hostActionResult, at: Int64($0), inject: "i", host: "h\($0)")
        }
        let written = try await fixture.journal.append(contentsOf: events)
        #expect(written.map(\.sequence) == (2...51).map { Int64($0) })
        #expect(try await fixture.journal.append(contentsOf: []).isEmpty)
    }

    @Test("A batch with a duplicate idempotency key writes nothing and says which key")
    func batchIsAtomic() async throws {
        let fixture = try JournalFixture()
        defer { fixture.directory.remove() }
        _ = try await fixture.journal.append(JournalFixture.event(.injectIntent, inject: "a", key: "inject:a#1"))
        let batch = [
            JournalFixture.event(.injectIntent, inject: "b", key: "inject:b#1"),
            JournalFixture.event(.injectIntent, inject: "a", key: "inject:a#1"),
        ]
        let error = await #expect(throws: JournalError.self) { try await fixture.journal.append(contentsOf: batch) }
        #expect(error?.code == .duplicateIdempotencyKey)
        #expect(error?.description.contains("nothing was written") == true)
        #expect(try fixture.journal.lastSequence() == 2)
        #expect(try await fixture.journal.event(withIdempotencyKey: "inject:b#1") == nil)
    }

    @Test("appendIfAbsent records an intent once, also after the journal is closed and reopened")
    func idempotencyAcrossReopen() async throws {
        let fixture = try JournalFixture()
        defer { fixture.directory.remove() }
        let key = EventKey.hostAction(inject: "webshell", occurrence: 1, team: nil, step: 0, host: "web01").description
        let intent = JournalFixture.event(
            .hostActionStarted,
            inject: "webshell",
            host: "web01",
            key: key,
            payload: ["step": 0]
        )
        let first = try await fixture.journal.appendIfAbsent(intent)
        #expect(first.wasAppended)
        #expect(first.event.sequence == 2)
        let again = try await fixture.journal.appendIfAbsent(intent)
        #expect(again == .alreadyPresent(first.event))

        let reopened = try Journal.open(at: fixture.path)
        var later = intent
        later.exerciseMillis = 99_000
        let afterRestart = try await reopened.appendIfAbsent(later)
        #expect(afterRestart == .alreadyPresent(first.event))
        let plain = await #expect(throws: JournalError.self) { try await reopened.append(later) }
        #expect(plain?.code == .duplicateIdempotencyKey)
        #expect(try reopened.lastSequence() == 2)
        // Events without a key are never considered duplicates.
        _ = try await reopened.appendIfAbsent(JournalFixture.event(.response, team: "t"))
        _ = try await reopened.appendIfAbsent(JournalFixture.event(.response, team: "t"))
        #expect(try reopened.lastSequence() == 4)
    }

    @Test("An event for another run is refused")
    func wrongRun() async throws {
        let fixture = try JournalFixture()
        defer { fixture.directory.remove() }
        let error = await #expect(throws: JournalError.self) {
            try await fixture.journal.append(JournalFixture.event(.startex, runID: "other-run"))
        }
        #expect(error?.code == .wrongRun)
        #expect(try fixture.journal.lastSequence() == 1)
    }

    @Test("A team reads only its own events")
    func teamIsolation() async throws {
        let fixture = try JournalFixture()
        defer { fixture.directory.remove() }
        for team in ["yn-telecom", "gz-mobile", "yn-telecom"] {
            _ = try await fixture.journal.append(JournalFixture.event(.delivered, inject: "i-\(team)", team: team))
        }
        _ = try await fixture.journal.append(JournalFixture.event(.injectFired, inject: "i"))
        let mine = try await fixture.journal.events(forTeam: "yn-telecom", after: 0)
        #expect(mine.map(\.sequence) == [2, 4])
        #expect(mine.allSatisfy { $0.team == "yn-telecom" })
        #expect(try await fixture.journal.events(forTeam: "yn-telecom", after: 2).map(\.sequence) == [4])
        #expect(try await fixture.journal.events(forTeam: "nobody", after: 0).isEmpty)
        #expect(try await fixture.journal.events(forInject: "i", after: 0).map(\.sequence) == [5])
    }

    @Test("The run row follows STARTEX, pause, resume and abort, and agrees with the fold")
    func runStatusRow() async throws {
        let fixture = try JournalFixture()
        defer { fixture.directory.remove() }
        let journal = fixture.journal
        _ = try await journal.append(JournalFixture.event(.startex))
        #expect(try journal.summary().status == .running)
        _ = try await journal.append(
            JournalFixture.event(.control, payload: ControlPayload(action: .pause).journalValue)
        )
        #expect(try journal.summary().status == .paused)
        _ = try await journal.append(contentsOf: [
            JournalFixture.event(.control, payload: ControlPayload(action: .resume).journalValue),
            JournalFixture.event(.control, payload: ControlPayload(action: .abort).journalValue),
        ])
        #expect(try journal.summary().status == .aborted)
        _ = try await journal.append(JournalFixture.event(.endex))
        #expect(try journal.summary().status == .aborted)
        #expect(try await journal.ledger().status == .aborted)
    }

    @Test("Stored events cannot be changed or deleted, even with raw SQL")
    func appendOnly() async throws {
        let fixture = try JournalFixture()
        defer { fixture.directory.remove() }
        let queue = try DatabaseQueue(path: fixture.path)
        await #expect(throws: DatabaseError.self) {
            try await queue.write { try $0.execute(sql: "UPDATE events SET kind = 'endex' WHERE sequence = 1") }
        }
        await #expect(throws: DatabaseError.self) {
            try await queue.write { try $0.execute(sql: "DELETE FROM events") }
        }
        #expect(try await fixture.journal.allEvents().map(\.kind) == [.runCreated])
    }

    @Test("A reader opened on the same file sees appends made after it opened (live tail)")
    func liveTailFromSecondConnection() async throws {
        let fixture = try JournalFixture()
        defer { fixture.directory.remove() }
        let reader = try Journal.openForReading(at: fixture.path)
        #expect(try await reader.allEvents().count == 1)
        var seen: Int64 = 1
        for round in 0..<5 {
            _ = try await fixture.journal.append(
                contentsOf: (0..<10).map { _ in JournalFixture.event(.response, team: "t\(round)") }
            )
            let new = try await reader.events(after: seen, limit: nil)
            #expect(new.count == 10)
            #expect(new.first?.sequence == seen + 1)
            seen = new.last?.sequence ?? seen
        }
        // A plain GRDB pool on the same file, as another tool would open it, sees the same rows.
        let pool = try DatabasePool(path: fixture.path)
        let count = try await pool.read { try Int.fetchOne($0, sql: "SELECT count(*) FROM events") }
        #expect(count == 51)
    }

    @Test("Two writers on one file interleave without losing or reusing a sequence")
    func twoWriters() async throws {
        let fixture = try JournalFixture()
        defer { fixture.directory.remove() }
        let second = try Journal.open(at: fixture.path)
        try await withThrowingTaskGroup(of: [Int64].self) { group in
            for (index, writer) in [fixture.journal, second].enumerated() {
                group.addTask {
                    var sequences: [Int64] = []
                    for item in 0..<100 {
                        let event = JournalFixture.event(.response, team: "w\(index)", key: "w\(index)-\(item)")
                        sequences.append(try await writer.append(event).sequence ?? -1)
                    }
                    return sequences
                }
            }
            var all: [Int64] = []
            for try await sequences in group {
                #expect(sequences == sequences.sorted())
                all += sequences
            }
            #expect(all.sorted() == (2...201).map { Int64($0) })
        }
    }

    @Test("Opening: a missing file, a file that is not a journal, and a journal from a newer drillctl")
    func openErrors() throws {
        let directory = try TemporaryDirectory(prefix: "drill-journal")
        defer { directory.remove() }
        let missing = directory.url.appendingPathComponent("none.sqlite").path
        let notFound = #expect(throws: JournalError.self) { try Journal.open(at: missing) }
        #expect(notFound?.code == .notFound)
        #expect(notFound?.description.contains(missing) == true)

        let text = try directory.write("notes.sqlite", "not a database at all, just some text that is long enough")
        let notJournal = #expect(throws: JournalError.self) { try Journal.openForReading(at: text) }
        #expect(notJournal?.code == .notAJournal)

        let fixture = try JournalFixture()
        defer { fixture.directory.remove() }
        let queue = try DatabaseQueue(path: fixture.path)
        try queue.write {
            try $0.execute(sql: "INSERT INTO grdb_migrations (identifier) VALUES ('v99-from-the-future')")
        }
        let tooNew = #expect(throws: JournalError.self) { try Journal.open(at: fixture.path) }
        #expect(tooNew?.code == .schemaTooNew)
        #expect(throws: JournalError.self) {
            try Journal.create(at: fixture.path, runID: "x", created: RunCreatedPayload(scenario: "x"), wallMillis: 0)
        }
    }

    @Test("A stored payload that is not JSON is reported as a corrupt event with its sequence")
    func corruptPayload() async throws {
        let fixture = try JournalFixture()
        defer { fixture.directory.remove() }
        let queue = try DatabaseQueue(path: fixture.path)
        try await queue.write {
            try $0.execute(
                sql: "INSERT INTO events (version, kind, wall_ms, exercise_ms, payload) VALUES (1, 'x', 0, 0, '{oops')"
            )
        }
        let error = await #expect(throws: JournalError.self) { try await fixture.journal.allEvents() }
        #expect(error?.code == .corruptEvent)
        #expect(error?.message.contains("event 2") == true)
    }
}

@Suite("Group commit: concurrent appends share transactions")
struct GroupCommitTests {
    @Test("200 concurrent appends all become durable with distinct sequences, in fewer transactions")
    func concurrentAppends() async throws {
        let fixture = try JournalFixture()
        defer { fixture.directory.remove() }
        let journal = fixture.journal
        let sequences = try await withThrowingTaskGroup(of: Int64.self) { group in
            for host in 0..<200 {
                group.addTask {
                    let event = JournalFixture.event(
                        .hostActionResult,
                        inject: "webshell",
                        host: "web\(host)",
                        key: "result-\(host)",
                        payload: HostActionResultPayload(step: 0, exitStatus: 0, started: true).journalValue
                    )
                    return try await journal.append(event).sequence ?? -1
                }
            }
            var all: [Int64] = []
            for try await sequence in group { all.append(sequence) }
            return all
        }
        #expect(sequences.sorted() == (2...201).map { Int64($0) })
        #expect(try await journal.allEvents().count == 201)
        #expect(journal.groupTransactionCount < 200, "\(journal.groupTransactionCount) transactions for 200 appends")
    }

    @Test("A failing append in a group fails alone; the others in the same group commit")
    func failureIsIsolated() async throws {
        let fixture = try JournalFixture()
        defer { fixture.directory.remove() }
        let journal = fixture.journal
        _ = try await journal.append(JournalFixture.event(.injectIntent, inject: "dup", key: "inject:dup#1"))
        let outcomes = await withTaskGroup(of: (Int, Bool).self) { group in
            for index in 0..<100 {
                group.addTask {
                    let key = index == 50 ? "inject:dup#1" : "k\(index)"
                    let batch = [
                        JournalFixture.event(.response, team: "t\(index)"),
                        JournalFixture.event(.injectIntent, inject: "i\(index)", key: key),
                    ]
                    do {
                        _ = try await journal.append(contentsOf: batch)
                        return (index, true)
                    } catch {
                        return (index, false)
                    }
                }
            }
            var all: [Int: Bool] = [:]
            for await (index, ok) in group { all[index] = ok }
            return all
        }
        #expect(outcomes.filter { !$0.value }.map(\.key) == [50])
        let events = try await journal.allEvents()
        #expect(events.count == 2 + 99 * 2)
        #expect(!events.contains { $0.team == "t50" }, "the failed batch's first event was rolled back too")
        #expect(events.map(\.sequence) == (1...200).map { Int64($0) })
    }

    @Test("Concurrent appendIfAbsent of the same intent writes it once")
    func concurrentIfAbsent() async throws {
        let fixture = try JournalFixture()
        defer { fixture.directory.remove() }
        let journal = fixture.journal
        let appended = try await withThrowingTaskGroup(of: Bool.self) { group in
            for _ in 0..<50 {
                group.addTask {
                    try await journal.appendIfAbsent(
                        JournalFixture.event(
                            .injectIntent,
                            inject: "x",
                            key: EventKey.injectIntent(inject: "x", occurrence: 1, team: nil).description
                        )
                    ).wasAppended
                }
            }
            var count = 0
            for try await wasAppended in group where wasAppended { count += 1 }
            return count
        }
        #expect(appended == 1)
        #expect(try await journal.allEvents().count == 2)
    }
}

@Suite("Resume, as the journal supports it")
struct ResumeSupportTests {
    @Test("Marking unresolved intents uncertain is idempotent: a second resume finds nothing left to mark")
    func markUncertainOnce() async throws {
        let fixture = try JournalFixture()
        defer { fixture.directory.remove() }
        let journal = fixture.journal
        _ = try await journal.append(JournalFixture.event(.startex))
        _ = try await journal.appendIfAbsent(
            JournalFixture.event(
                .injectIntent,
                at: 60_000,
                inject: "webshell",
                key: EventKey.injectIntent(inject: "webshell", occurrence: 1, team: nil).description,
                payload: InjectIntentPayload(hosts: ["web01", "web02"], teams: ["yn"]).journalValue
            )
        )
        for host in ["web01", "web02"] {
            _ = try await journal.appendIfAbsent(
                JournalFixture.event(
                    .hostActionStarted,
                    at: 60_000,
                    inject: "webshell",
                    host: host,
                    key: EventKey.hostAction(inject: "webshell", occurrence: 1, team: nil, step: 0, host: host)
                        .description,
                    payload: HostActionIntentPayload(step: 0, command: "touch x").journalValue
                )
            )
        }
        _ = try await journal.append(
            JournalFixture.event(
                .hostActionResult,
                at: 60_040,
                inject: "webshell",
                host: "web01",
                payload: HostActionResultPayload(step: 0, exitStatus: 0, started: true).journalValue
            )
        )
        // The engine is killed here. Resume, twice.
        for _ in 0..<2 {
            let reopened = try Journal.open(at: fixture.path)
            let state = try await reopened.ledger()
            for intent in state.unresolvedIntents where intent.kind != .injectIntent {
                _ = try await reopened.appendIfAbsent(
                    JournalEvent(
                        kind: .uncertain,
                        runID: reopened.runID,
                        wallMillis: 9_000,
                        exerciseMillis: state.lastExerciseMillis,
                        inject: intent.inject,
                        host: intent.host,
                        actor: .engine,
                        idempotencyKey: EventKey.uncertain(intentSequence: intent.sequence).description,
                        payload: UncertainPayload(
                            intentSequence: intent.sequence,
                            intentKind: intent.kind,
                            reason: "engine restarted"
                        )
                        .journalValue
                    )
                )
            }
        }
        let state = try await journal.ledger()
        #expect(state.uncertainIntents.map(\.host) == ["web02"])
        #expect(state.unresolvedIntents.map(\.kind) == [.injectIntent], "the inject itself is continued, not marked")
        #expect(
            state.hostsNeedingCleanup.first { $0.host == "web02" }?.injects == ["webshell"],
            "an uncertain host is still cleaned"
        )
        #expect(try await journal.allEvents().filter { $0.kind == .uncertain }.count == 1)
    }
}

@Suite("Reading a finished run")
struct ClosedJournalTests {
    @Test("A journal whose writer has closed opens for reading (drillctl runs, report after the run)")
    func readAfterWriterClosed() async throws {
        let directory = try TemporaryDirectory(prefix: "drill-journal")
        defer { directory.remove() }
        let path = directory.url.appendingPathComponent("journal.sqlite").path
        do {
            let journal = try Journal.create(
                at: path,
                runID: "r",
                created: RunCreatedPayload(scenario: "s"),
                wallMillis: 1
            )
            _ = try await journal.append(JournalEvent(kind: .startex, runID: "r", wallMillis: 2, exerciseMillis: 0))
            _ = try await journal.append(JournalEvent(kind: .endex, runID: "r", wallMillis: 3, exerciseMillis: 5))
        }
        let reader = try Journal.openForReading(at: path)
        #expect(try await reader.allEvents().map(\.kind) == [.runCreated, .startex, .endex])
        #expect(try reader.summary().status == .ended)
    }
}

@Suite("Forward compatibility")
struct ForwardCompatibilityTests {
    @Test("An event of a kind this version does not know, with a newer wire version, is stored and read back intact")
    func unknownKindRoundTrip() async throws {
        let fixture = try JournalFixture()
        defer { fixture.directory.remove() }
        let future = JournalEvent(
            kind: "satellite_uplink_lost",
            runID: "run-1",
            wallMillis: 5,
            exerciseMillis: 5,
            inject: "x",
            actor: JournalEvent.Actor("robot", id: "r2"),
            payload: ["newField": [1, 2.5, "three", nil, ["deep": true]]],
            version: 7
        )
        let written = try await fixture.journal.append(future)
        let read = try await fixture.journal.events(after: 1, limit: nil)
        #expect(read == [written])
        #expect(read[0].version == 7)
        #expect(read[0].actor?.role.rawValue == "robot")
        let state = try await fixture.journal.ledger()
        #expect(state.unknownEventCount == 1)
    }
}
