import DrillCore
import DrillTesting
import Foundation
import GRDB
import Synchronization
import Testing

@testable import DrillStore

#if canImport(Glibc)
import Glibc
#endif

/// The `drill-bench journal writer` child process: appends numbered items and prints `acked I SEQ` after each
/// append returns. The test kills it with SIGKILL and checks what survived.
final class CrashWriter: Sendable {
    let process: BackgroundProcess
    private let stream = OutputStream()

    /// The child's stdout so far, filled by a reading thread.
    private final class OutputStream: Sendable {
        let data = Mutex(Data())
        let finished = Mutex(false)
    }

    static var executable: String { CommandRunner.productsDirectory.appendingPathComponent("drill-bench").path }

    init(journal: String, from: Int, batch: Int, redo: Int) async throws {
        guard FileManager.default.isExecutableFile(atPath: Self.executable) else {
            throw CrashTestError("drill-bench is not built at \(Self.executable); run `swift build --build-tests`")
        }
        var fds: [Int32] = [0, 0]
        guard pipe(&fds) == 0 else { throw CrashTestError("cannot create a pipe") }
        _ = fcntl(fds[0], F_SETFD, FD_CLOEXEC)
        defer { close(fds[1]) }
        process = try await BackgroundProcess.start(
            Self.executable,
            [
                "journal", "writer", "--journal", journal, "--from", "\(from)", "--batch", "\(batch)", "--redo",
                "\(redo)",
            ],
            stdout: fds[1]
        )
        let handle = FileHandle(fileDescriptor: fds[0], closeOnDealloc: true)
        let stream = self.stream
        DispatchQueue.global().async {
            while true {
                let data = handle.availableData
                if data.isEmpty { break }
                stream.data.withLock { $0.append(data) }
            }
            stream.finished.withLock { $0 = true }
        }
    }

    var text: String { stream.data.withLock { String(decoding: $0, as: UTF8.self) } }

    /// Waits (polling, bounded) until the child has said `ready` and acknowledged at least `acks` items.
    func waitUntilAcked(_ acks: Int, timeout: Duration = .seconds(30)) throws {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            let lines = text.split(separator: "\n")
            if lines.first == "ready" && lines.count > acks { return }
            usleep(1000)
        }
        throw CrashTestError("the writer did not acknowledge \(acks) items in time; it said:\n\(text.suffix(500))")
    }

    /// Kills the child with SIGKILL and waits for its output to end (swift-subprocess reaps it).
    func kill() {
        process.signal(SIGKILL)
        let deadline = ContinuousClock.now + .seconds(10)
        while !stream.finished.withLock({ $0 }) && ContinuousClock.now < deadline { usleep(1000) }
    }

    /// `(item, sequence)` for every `acked` line, and for every `dup` line, complete lines only.
    func acknowledgements() -> (acked: [(Int, Int64)], duplicates: [(Int, Int64)]) {
        var acked: [(Int, Int64)] = []
        var duplicates: [(Int, Int64)] = []
        let all = text
        // A line cut by the kill has no newline; ignore it.
        let complete = all.hasSuffix("\n") ? all : String(all[..<(all.lastIndex(of: "\n") ?? all.startIndex)])
        for line in complete.split(separator: "\n") {
            let parts = line.split(separator: " ")
            guard parts.count == 3, let item = Int(parts[1]), let sequence = Int64(parts[2]) else { continue }
            if parts[0] == "acked" { acked.append((item, sequence)) }
            if parts[0] == "dup" { duplicates.append((item, sequence)) }
        }
        return (acked, duplicates)
    }
}

struct CrashTestError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

@Suite("Crash safety: a writer killed with SIGKILL at random moments", .serialized)
struct CrashSafetyTests {
    /// Checks the journal after a kill: a valid prefix (sequences 1…N without gaps, item I at sequence I + 1,
    /// each payload intact), SQLite's own integrity check, and every acknowledged append present.
    func verify(path: String, acked: [(Int, Int64)]) throws -> Int {
        let queue = try DatabaseQueue(path: path)
        #expect(try queue.read { try String.fetchOne($0, sql: "PRAGMA integrity_check") } == "ok")
        let events = try Journal.openForReading(at: path).eventsNow()
        #expect(events.first?.kind == .runCreated)
        for (index, event) in events.enumerated() {
            #expect(event.sequence == Int64(index + 1))
            guard index > 0 else { continue }
            #expect(event.idempotencyKey == "item-\(index)")
            #expect(event.payload["item"]?.int64Value == Int64(index))
            #expect(event.payload["filler"]?.stringValue?.count == index % 997)
            #expect(event.team == "team-\(index % 5)")
        }
        let lastItem = events.count - 1
        for (item, sequence) in acked {
            #expect(item <= lastItem, "acknowledged item \(item) was lost (journal ends at \(lastItem))")
            #expect(sequence == Int64(item + 1))
        }
        return lastItem
    }

    @Test("Acknowledged appends survive, no row is torn, batches are all-or-nothing, and intents are never doubled")
    func killAndRestart() async throws {
        let directory = try TemporaryDirectory(prefix: "drill-crash")
        defer { directory.remove() }
        let path = directory.url.appendingPathComponent("journal.sqlite").path
        var generator = SystemRandomNumberGenerator()
        var nextItem = 1
        var totalAcked = 0
        for round in 0..<8 {
            let batch = round % 2 == 0 ? 1 : 7
            let redo = min(5, nextItem - 1)
            let writer = try await CrashWriter(journal: path, from: nextItem, batch: batch, redo: redo)
            try writer.waitUntilAcked(redo + 1)
            // Let it run a random while, then kill it mid-stream.
            usleep(UInt32.random(in: 5_000...120_000, using: &generator))
            writer.kill()
            let (acked, duplicates) = writer.acknowledgements()
            #expect(!acked.isEmpty)
            // Every item offered again after the restart was found, not written twice.
            #expect(duplicates.map(\.0) == Array(max(1, nextItem - redo)..<nextItem), "round \(round)")
            for (item, sequence) in duplicates { #expect(sequence == Int64(item + 1)) }
            let lastItem = try verify(path: path, acked: acked)
            if batch > 1 {
                #expect((lastItem - nextItem + 1) % batch == 0, "a batch was partly written (round \(round))")
            }
            totalAcked += acked.count
            nextItem = lastItem + 1
        }
        #expect(totalAcked > 8)
        let keys = try await DatabaseQueue(path: path).read {
            try Int.fetchOne($0, sql: "SELECT count(DISTINCT idempotency_key) = count(idempotency_key) FROM events")
        }
        #expect(keys == 1)
    }

    @Test("This process reads and appends while another process writes the same journal")
    func readerAndWriterWhileAnotherProcessWrites() async throws {
        let directory = try TemporaryDirectory(prefix: "drill-crash")
        defer { directory.remove() }
        let path = directory.url.appendingPathComponent("journal.sqlite").path
        let writer = try await CrashWriter(journal: path, from: 1, batch: 3, redo: 0)
        defer { writer.kill() }
        try writer.waitUntilAcked(1)
        let reader = try Journal.openForReading(at: path)
        let appender = try Journal.open(at: path)
        var seen: Int64 = 0
        var reads = 0
        var mine: [Int64] = []
        let deadline = ContinuousClock.now + .seconds(20)
        while (seen < 300 || mine.count < 50) && ContinuousClock.now < deadline {
            if mine.count < 50 {
                let event = JournalEvent(
                    kind: .response,
                    runID: "crash",
                    wallMillis: 0,
                    exerciseMillis: 0,
                    team: "parent",
                    payload: ["phase": "report"]
                )
                mine.append(try await appender.append(event).sequence ?? -1)
            }
            let new = try reader.eventsNow(after: seen)
            for event in new {
                #expect(event.sequence == seen + 1)
                seen = event.sequence ?? seen
            }
            reads += 1
        }
        #expect(seen >= 300)
        #expect(reads > 1)
        #expect(mine.count == 50)
        let parentEvents = try await reader.events(forTeam: "parent", after: 0)
        #expect(parentEvents.map(\.sequence) == mine.map { Optional($0) })
    }
}
