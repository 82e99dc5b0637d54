import DrillCore
import DrillEngine
import DrillTesting
import Synchronization
import Testing

@Suite("landed_when: confirming that an inject took effect on each host")
struct LandedCheckTests {
    /// An executor where the landed check (`test -e …/deface`) fails `failures` times on h3, then passes; on
    /// the other hosts it passes at once. (One host waits, so the harness's shared virtual time moves for it
    /// alone.)
    static func executor(failures: Int) -> InMemoryExecutor {
        let attempts = Mutex([String: Int]())
        return InMemoryExecutor { host, command in
            guard command.contains("test -e"), host == "h3" else { return 0 }
            let attempt = attempts.withLock { table in
                table[host, default: 0] += 1
                return table[host]!
            }
            return attempt > failures ? 0 : 1
        }
    }

    @Test("a check that passes on its third try is polled every 5 s and journaled once, as landed")
    func pollsUntilItPasses() async throws {
        let executor = Self.executor(failures: 2)
        var engine = try await EngineHarness(executor: executor, advancesTimeWhenWaiting: true)
        try await engine.run(until: 12 * 60_000)
        let landedCalls = executor.calls.filter { $0.host == "h3" && $0.command.contains("test -e") }
        #expect(landedCalls.count == 3)
        let landed = engine.journal.events.filter { $0.kind == .landedCheck && $0.host == "h3" }
        #expect(landed.count == 1)
        #expect(try landed.first?.payload(as: CheckResultPayload.self).passed == true)
    }

    @Test("a check that never passes gives up after its timeout (2 min, every 5 s) and is journaled as not landed")
    func givesUpAtTimeout() async throws {
        let executor = Self.executor(failures: .max)
        var engine = try await EngineHarness(executor: executor, advancesTimeWhenWaiting: true)
        try await engine.run(until: 15 * 60_000)
        let landedCalls = executor.calls.filter { $0.host == "h3" && $0.command.contains("test -e") }
        #expect(landedCalls.count == 1 + 120 / 5)
        let landed = engine.journal.events.filter { $0.kind == .landedCheck && $0.host == "h3" }
        #expect(landed.count == 1)
        #expect(try landed.first?.payload(as: CheckResultPayload.self).passed == false)
    }
}
