import ArgumentParser
import DrillCore
import DrillStore
import Foundation

/// `drill-bench journal`: how many durable events per second the journal sustains, and how fast a journal
/// is read and folded. Also hosts the `writer` used by the crash-safety tests.
struct JournalBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "journal",
        abstract: "Measure durable journal appends per second, reading and folding.",
        subcommands: [JournalThroughput.self, JournalCrashWriter.self],
        defaultSubcommand: JournalThroughput.self
    )
}

struct JournalThroughput: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "throughput",
        abstract: "Append generated events singly and in batches, then read and fold them; print the figures."
    )

    @Option(help: "The number of events to append in batches, read and fold.")
    var events = 100_000

    @Option(help: "The number of events to append one transaction each (default: the smaller of --events and 20000).")
    var singleEvents: Int?

    @Option(help: "Events per transaction for batched appends.")
    var batch = 100

    @Option(help: "Concurrent appenders for the group-commit measurement (like the engine's per-host tasks).")
    var concurrency = 200

    @Option(help: "Which durability settings to measure: full, normal, or both.")
    var durability = "both"

    @Option(help: "The folder to write journals in (default: a new temporary folder, removed afterwards).")
    var directory: String?

    func run() async throws {
        let modes: [Journal.Durability] =
            switch durability {
            case "full": [.full]
            case "normal": [.normal]
            default: [.full, .normal]
            }
        let base: URL
        let removeAfterwards = directory == nil
        if let directory {
            base = URL(fileURLWithPath: directory)
        } else {
            base = FileManager.default.temporaryDirectory.appendingPathComponent(
                "drill-bench-journal-\(ProcessInfo.processInfo.globallyUniqueString)"
            )
        }
        try FileManager.default.createDirectory(at: base, withIntermediateDirectories: true)
        defer { if removeAfterwards { try? FileManager.default.removeItem(at: base) } }

        let runID = "bench"
        let generated = SyntheticJournal.events(runID: runID, count: events).dropFirst().map { event -> JournalEvent in
            var copy = event
            copy.sequence = nil
            return copy
        }
        let singles = min(singleEvents ?? min(events, 20_000), generated.count)
        print("journal benchmark: \(generated.count) generated events, \(singles) single appends, batches of \(batch)")
        print("folder: \(base.path)")

        for mode in modes {
            // Single appends: one transaction (and, with FULL, one fsync) per event.
            let singlePath = base.appendingPathComponent("single-\(mode.rawValue).sqlite").path
            let single = try Journal.create(
                at: singlePath,
                runID: runID,
                created: RunCreatedPayload(scenario: "bench"),
                wallMillis: 0,
                durability: mode
            )
            var latencies: [Double] = []
            latencies.reserveCapacity(singles)
            let singleStart = ContinuousClock.now
            for event in generated.prefix(singles) {
                let start = ContinuousClock.now
                _ = try single.appendNow(event)
                latencies.append(seconds(ContinuousClock.now - start))
            }
            let singleSeconds = seconds(ContinuousClock.now - singleStart)
            latencies.sort()
            print(
                "  \(mode.rawValue.uppercased()) single appends: \(singles) events in \(format(singleSeconds)) s = "
                    + "\(Int(Double(singles) / singleSeconds)) events/s; latency p50 \(ms(latencies, 0.5)) ms, "
                    + "p99 \(ms(latencies, 0.99)) ms, max \(ms(latencies, 1.0)) ms"
            )

            // Async single appends, the way the engine calls the port.
            let asyncPath = base.appendingPathComponent("async-\(mode.rawValue).sqlite").path
            let asyncJournal = try Journal.create(
                at: asyncPath,
                runID: runID,
                created: RunCreatedPayload(scenario: "bench"),
                wallMillis: 0,
                durability: mode
            )
            let asyncCount = min(singles, 5000)
            let asyncStart = ContinuousClock.now
            for event in generated.prefix(asyncCount) { _ = try await asyncJournal.append(event) }
            let asyncSeconds = seconds(ContinuousClock.now - asyncStart)
            print(
                "  \(mode.rawValue.uppercased()) async single appends (JournalWriter port): \(asyncCount) events in "
                    + "\(format(asyncSeconds)) s = \(Int(Double(asyncCount) / asyncSeconds)) events/s"
            )

            // Concurrent async single appends: group commit shares a transaction among waiting appenders.
            let groupPath = base.appendingPathComponent("group-\(mode.rawValue).sqlite").path
            let groupJournal = try Journal.create(
                at: groupPath,
                runID: runID,
                created: RunCreatedPayload(scenario: "bench"),
                wallMillis: 0,
                durability: mode
            )
            let lanes = max(1, concurrency)
            let groupEvents = Array(generated)
            let groupStart = ContinuousClock.now
            let groupCPU = cpuSeconds()
            try await withThrowingTaskGroup(of: Void.self) { group in
                for lane in 0..<lanes {
                    group.addTask {
                        var index = lane
                        while index < groupEvents.count {
                            _ = try await groupJournal.append(groupEvents[index])
                            index += lanes
                        }
                    }
                }
                try await group.waitForAll()
            }
            let groupSeconds = seconds(ContinuousClock.now - groupStart)
            print(
                "  \(mode.rawValue.uppercased()) concurrent single appends (\(lanes) appenders, group commit): "
                    + "\(groupEvents.count) events in \(format(groupSeconds)) s = "
                    + "\(Int(Double(groupEvents.count) / groupSeconds)) events/s "
                    + "(CPU \(format((cpuSeconds() - groupCPU) / Double(groupEvents.count) * 1e6)) µs/event)"
            )

            // Batched appends: one transaction per `batch` events.
            let batchPath = base.appendingPathComponent("batch-\(mode.rawValue).sqlite").path
            let batched = try Journal.create(
                at: batchPath,
                runID: runID,
                created: RunCreatedPayload(scenario: "bench"),
                wallMillis: 0,
                durability: mode
            )
            let batchStart = ContinuousClock.now
            let batchCPU = cpuSeconds()
            var index = 0
            while index < generated.count {
                let end = min(index + batch, generated.count)
                _ = try batched.appendNow(contentsOf: Array(generated[index..<end]))
                index = end
            }
            let batchSeconds = seconds(ContinuousClock.now - batchStart)
            let batchCPUPerEvent = (cpuSeconds() - batchCPU) / Double(generated.count) * 1e6
            print(
                "  \(mode.rawValue.uppercased()) batched appends (\(batch)/transaction): \(generated.count) events in "
                    + "\(format(batchSeconds)) s = \(Int(Double(generated.count) / batchSeconds)) events/s "
                    + "(CPU \(format(batchCPUPerEvent)) µs/event)"
            )

            if mode == modes.last {
                let reader = try Journal.openForReading(at: batchPath)
                let readStart = ContinuousClock.now
                let readCPU = cpuSeconds()
                let stored = try reader.eventsNow()
                let readSeconds = seconds(ContinuousClock.now - readStart)
                let readCPUSeconds = cpuSeconds() - readCPU
                // The one fold every reader uses: decode each event once into its typed body, then fold.
                let decodeStart = ContinuousClock.now
                let decodeCPU = cpuSeconds()
                let typed = stored.map(RunEvent.init)
                let decodeSeconds = seconds(ContinuousClock.now - decodeStart)
                let decodeCPUSeconds = cpuSeconds() - decodeCPU
                let foldStart = ContinuousClock.now
                let foldCPU = cpuSeconds()
                let ledger = RunLedger(typed: typed)
                let foldSeconds = seconds(ContinuousClock.now - foldStart)
                let foldCPUSeconds = cpuSeconds() - foldCPU
                print(
                    "  read \(stored.count) events in \(format(readSeconds)) s (CPU \(format(readCPUSeconds)) s); "
                        + "typed decode in \(format(decodeSeconds)) s (CPU \(format(decodeCPUSeconds)) s); "
                        + "ledger fold in \(format(foldSeconds)) s (CPU \(format(foldCPUSeconds)) s); "
                        + "decode + fold \(format(decodeSeconds + foldSeconds)) s "
                        + "(\(ledger.pairs.count) inject×team pairs, \(ledger.hostInjects.count) host×inject, status "
                        + "\(ledger.status.rawValue), \(ledger.unreadable.count) unreadable)"
                )
                let teamStart = ContinuousClock.now
                let teamEvents = try await reader.events(forTeam: "team-7", after: 0)
                print(
                    "  one team's events: \(teamEvents.count) in \(format(seconds(ContinuousClock.now - teamStart))) s"
                )
            }
        }
    }

    /// CPU seconds (user + system) this process has used so far: a figure that, unlike wall time, does not
    /// grow when other work on a shared machine delays this process.
    private func cpuSeconds() -> Double {
        var usage = rusage()
        #if os(Linux)
        getrusage(RUSAGE_SELF.rawValue, &usage)
        #else
        getrusage(RUSAGE_SELF, &usage)
        #endif
        let user = Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6
        let system = Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) / 1e6
        return user + system
    }

    private func seconds(_ duration: Duration) -> Double {
        let (whole, attoseconds) = duration.components
        return Double(whole) + Double(attoseconds) / 1e18
    }

    private func ms(_ sorted: [Double], _ quantile: Double) -> String {
        guard !sorted.isEmpty else { return "-" }
        let index = min(sorted.count - 1, Int((Double(sorted.count) * quantile).rounded(.down)))
        return format(sorted[index] * 1000)
    }

    private func format(_ value: Double) -> String { String(format: "%.3f", value) }
}

/// The crash-safety tests' child process: appends events and says so on stdout after each append returns,
/// until it is killed. `acked I SEQ` means the append of item I returned with sequence SEQ (so it must survive
/// the kill); `dup I SEQ` means item I was offered again and found already in the journal.
struct JournalCrashWriter: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "writer",
        abstract: "Append numbered events to a journal until killed (used by the crash-safety tests).",
        shouldDisplay: false
    )

    @Option(help: "The journal file (created when missing).")
    var journal: String

    @Option(help: "The first item number to write.")
    var from = 1

    @Option(help: "How many items to write.")
    var count = 1_000_000

    @Option(help: "Items per transaction.")
    var batch = 1

    @Option(help: "Offer this many items before --from again, with appendIfAbsent, before writing.")
    var redo = 0

    func run() async throws {
        let store: Journal
        if FileManager.default.fileExists(atPath: journal) {
            store = try Journal.open(at: journal)
        } else {
            store = try Journal.create(
                at: journal,
                runID: "crash",
                created: RunCreatedPayload(scenario: "crash"),
                wallMillis: 0
            )
        }
        say("ready")
        for item in max(1, from - redo)..<from {
            let outcome = try store.appendIfAbsentNow(Self.event(item))
            say("\(outcome.wasAppended ? "acked" : "dup") \(item) \(outcome.event.sequence ?? -1)")
        }
        var item = from
        while item < from + count {
            let items = item..<min(item + batch, from + count)
            if batch == 1 {
                let written = try store.appendNow(Self.event(item))
                say("acked \(item) \(written.sequence ?? -1)")
            } else {
                let written = try store.appendNow(contentsOf: items.map(Self.event))
                say(zip(items, written).map { "acked \($0) \($1.sequence ?? -1)" }.joined(separator: "\n"))
            }
            item = items.upperBound
        }
    }

    /// Item `item`'s event: its payload carries the item number and a filler of varying length, so that a torn
    /// row or a mixed-up payload is detectable.
    static func event(_ item: Int) -> JournalEvent {
        JournalEvent(
            kind: .response,
            runID: "crash",
            wallMillis: Int64(item),
            exerciseMillis: Int64(item),
            inject: "inject-\(item % 7)",
            team: "team-\(item % 5)",
            idempotencyKey: "item-\(item)",
            payload: ["item": .int(Int64(item)), "filler": .string(String(repeating: "x", count: item % 997))]
        )
    }

    private func say(_ line: String) {
        var bytes = Array((line + "\n").utf8)[...]
        while !bytes.isEmpty {
            let written = bytes.withUnsafeBytes { FileHandle.standardOutput.fileDescriptor.writeAll($0) }
            if written <= 0 { return }
            bytes = bytes.dropFirst(written)
        }
    }
}

extension Int32 {
    fileprivate func writeAll(_ buffer: UnsafeRawBufferPointer) -> Int {
        #if canImport(Glibc)
        return Glibc.write(self, buffer.baseAddress, buffer.count)
        #else
        return Darwin.write(self, buffer.baseAddress, buffer.count)
        #endif
    }
}
