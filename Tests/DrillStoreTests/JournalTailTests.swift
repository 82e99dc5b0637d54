import DrillCore
import DrillTesting
import Foundation
import Testing

@testable import DrillStore

@Suite("JournalTail: following a journal as it grows")
struct JournalTailTests {
    @Test("Yields existing events, then new ones after each poll; sleeps on the injected clock when caught up")
    func follows() async throws {
        let journal = InMemoryJournal(runID: "run-1")
        for index in 0..<3 { _ = try await journal.append(JournalFixture.event(.response, team: "t\(index)")) }
        let clock = ManualClock()
        var iterator = JournalTail(reader: journal, after: 1, every: .milliseconds(250), clock: clock, pageSize: 2)
            .makeAsyncIterator()
        #expect(try await iterator.next()?.sequence == 2)
        #expect(try await iterator.next()?.sequence == 3)

        let waiting = Task { [iterator] in
            var iterator = iterator
            return try await iterator.next()?.sequence
        }
        while clock.sleeperCount == 0 { await Task.yield() }
        _ = try await journal.append(JournalFixture.event(.endex))
        clock.advance(by: .milliseconds(250))
        #expect(try await waiting.value == 4)
    }

    @Test("Follows a SQLite journal written by another connection, and stops when cancelled")
    func sqliteAndCancellation() async throws {
        let fixture = try JournalFixture()
        defer { fixture.directory.remove() }
        let reader = try Journal.openForReading(at: fixture.path)
        let clock = ManualClock()
        let collected = Task {
            var sequences: [Int64] = []
            for try await event in JournalTail(reader: reader, every: .seconds(1), clock: clock) {
                sequences.append(event.sequence ?? -1)
            }
            return sequences
        }
        while clock.sleeperCount == 0 { await Task.yield() }
        _ = try await fixture.journal.append(contentsOf: [JournalFixture.event(.startex), JournalFixture.event(.endex)])
        clock.advance(by: .seconds(1))
        while clock.sleeperCount == 0 { await Task.yield() }
        collected.cancel()
        #expect(try await collected.value == [1, 2, 3])
    }
}
