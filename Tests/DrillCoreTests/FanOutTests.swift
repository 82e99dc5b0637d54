import DrillCore
import Testing

/// An executor that answers from a table, for the fan-out's scheduling (no network).
private struct TableExecutor: RemoteExecutor {
    struct Unreachable: Error, CustomStringConvertible {
        var description: String { "connection refused" }
    }

    var exitStatus: [String: Int32]
    var probe: ConcurrencyProbe

    func run(_ command: RemoteCommand, on target: ConnectionFacts) async throws -> RemoteResult {
        await probe.enter()
        try? await Task.sleep(for: .milliseconds(5))
        await probe.leave()
        guard let status = exitStatus[target.name] else { throw Unreachable() }
        return RemoteResult(exitStatus: status, stdout: "\(target.name)\n")
    }

    func upload(_ data: [UInt8], to path: String, mode: Int32, on target: ConnectionFacts) async throws {}
}

private actor ConcurrencyProbe {
    private(set) var running = 0
    private(set) var peak = 0
    func enter() {
        running += 1
        peak = max(peak, running)
    }
    func leave() { running -= 1 }
}

@Suite("FanOut: one command on many hosts")
struct FanOutTests {
    @Test("results come back in target order with ok, failed and unreachable counted")
    func outcomes() async {
        let probe = ConcurrencyProbe()
        let executor = TableExecutor(exitStatus: ["a": 0, "b": 2, "d": 0], probe: probe)
        let targets = ["a", "b", "c", "d"].map { ConnectionFacts(name: $0, address: "127.0.10.1") }
        var seen: [String] = []
        let results = await FanOut(executor: executor, forks: 2).run(RemoteCommand("true"), on: targets) {
            seen.append($0.host)
        }
        #expect(results.map(\.host) == ["a", "b", "c", "d"])
        #expect(Set(seen) == ["a", "b", "c", "d"])
        #expect(results.map(\.succeeded) == [true, false, false, true])
        #expect(results[2].unreachableReason == "connection refused")
        #expect(results[1].result?.exitStatus == 2)
        let summary = FanOutSummary(results)
        #expect(summary == FanOutSummary(results))
        #expect(summary.description == "4 hosts: 2 ok, 1 failed, 1 unreachable")
    }

    @Test("never more than --forks hosts at once")
    func forksBoundConcurrency() async {
        let probe = ConcurrencyProbe()
        let names = (1...20).map { "h\($0)" }
        let executor = TableExecutor(exitStatus: Dictionary(uniqueKeysWithValues: names.map { ($0, 0) }), probe: probe)
        let results = await FanOut(executor: executor, forks: 3).run(
            RemoteCommand("true"),
            on: names.map { ConnectionFacts(name: $0, address: "127.0.10.1") }
        )
        #expect(results.count == 20)
        #expect(await probe.peak <= 3)
        #expect(await probe.peak >= 1)
    }
}
