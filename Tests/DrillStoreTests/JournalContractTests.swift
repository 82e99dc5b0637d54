import DrillCore
import DrillTesting
import Foundation
import Testing

@testable import DrillStore

/// The same contract, checked on the SQLite journal and on the in-memory double the engine's tests use, so that
/// the double cannot drift from the real thing.
@Suite("JournalWriter/JournalReader contract: SQLite and in-memory behave alike")
struct JournalContractTests {
    enum Implementation: String, CaseIterable, Sendable {
        case sqlite, memory
    }

    typealias AnyJournal = any JournalWriter & JournalReader

    func make(_ implementation: Implementation) async throws -> (AnyJournal, @Sendable () -> Void) {
        switch implementation {
        case .sqlite:
            let fixture = try JournalFixture()
            return (fixture.journal, { fixture.directory.remove() })
        case .memory:
            let journal = InMemoryJournal(runID: "run-1")
            _ = try await journal.append(
                JournalFixture.event(.runCreated, payload: ["scenario": "yunnan-guizhou-2026"])
            )
            return (journal, {})
        }
    }

    @Test("Sequences, reading after a sequence, limits and team filtering", arguments: Implementation.allCases)
    func reading(implementation: Implementation) async throws {
        let (journal, cleanup) = try await make(implementation)
        defer { cleanup() }
        let first = try await journal.append(JournalFixture.event(.delivered, inject: "i", team: "a"))
        let batch = try await journal.append(contentsOf: [
            JournalFixture.event(.delivered, inject: "i", team: "b"),
            JournalFixture.event(.response, inject: "i", team: "a", payload: ["phase": "acknowledge"]),
        ])
        #expect(first.sequence == 2)
        #expect(batch.map(\.sequence) == [3, 4])
        #expect(try await journal.events(after: 2, limit: nil).map(\.sequence) == [3, 4])
        #expect(try await journal.events(after: 0, limit: 2).map(\.sequence) == [1, 2])
        #expect(try await journal.events(after: 9, limit: nil).isEmpty)
        #expect(try await journal.events(forTeam: "a", after: 0).map(\.sequence) == [2, 4])
        #expect(try await journal.events(forTeam: "a", after: 2).map(\.sequence) == [4])
        let ledger = try await journal.ledger()
        #expect(ledger.pair("i", "a")?.firstResponse[.acknowledge] != nil)
        #expect(ledger.drill == "yunnan-guizhou-2026")
    }

    @Test("Idempotency keys: refused twice by append, found by appendIfAbsent", arguments: Implementation.allCases)
    func idempotency(implementation: Implementation) async throws {
        let (journal, cleanup) = try await make(implementation)
        defer { cleanup() }
        let intent = JournalFixture.event(.injectIntent, inject: "x", key: "inject:x#1")
        let first = try await journal.appendIfAbsent(intent)
        #expect(first.wasAppended)
        #expect(try await journal.appendIfAbsent(intent) == .alreadyPresent(first.event))
        await #expect(throws: (any Error).self) { try await journal.append(intent) }
        await #expect(throws: (any Error).self) {
            try await journal.append(contentsOf: [JournalFixture.event(.startex), intent])
        }
        #expect(try await journal.allEvents().count == 2, "a refused batch writes nothing")
        #expect(try await journal.event(withIdempotencyKey: "inject:x#1") == first.event)
        #expect(try await journal.event(withIdempotencyKey: "nope") == nil)
    }

    @Test("An event for another run is refused", arguments: Implementation.allCases)
    func otherRun(implementation: Implementation) async throws {
        let (journal, cleanup) = try await make(implementation)
        defer { cleanup() }
        await #expect(throws: (any Error).self) {
            try await journal.append(JournalFixture.event(.startex, runID: "zz"))
        }
        #expect(try await journal.allEvents().count == 1)
    }
}
