/// Runs one command on many hosts at once through a ``RemoteExecutor``, at most `forks` at a time, and reports
/// each host's outcome as soon as it is known (for `drillctl ping` and `drillctl exec`).
///
/// The executor does the I/O; this type only schedules and times. Time comes from the injected clock.
public struct FanOut<C: Clock>: Sendable where C.Duration == Duration {
    /// How commands reach hosts.
    public var executor: any RemoteExecutor
    /// The most hosts worked on at once (`--forks`).
    public var forks: Int
    /// The clock each host's time is measured with.
    public var clock: C
    /// Turns an executor's error into the text reported for an unreachable host.
    public var describe: @Sendable (any Error) -> String

    /// - Parameters:
    ///   - executor: the transport (SSH in drillctl; an in-memory one in tests).
    ///   - forks: the most hosts at once; values below 1 count as 1.
    ///   - clock: measures each host's time.
    ///   - describe: the text reported for an executor's error (default: its description).
    public init(
        executor: any RemoteExecutor,
        forks: Int,
        clock: C,
        describe: @escaping @Sendable (any Error) -> String = { String(describing: $0) }
    ) {
        self.executor = executor
        self.forks = max(1, forks)
        self.clock = clock
        self.describe = describe
    }

    /// Runs `command` on every target and returns one result per target, in the targets' order.
    ///
    /// - Parameters:
    ///   - command: what to run (with its timeout and output limit).
    ///   - targets: the hosts, each at most once.
    ///   - onResult: called once per host, in the order hosts finish, on the calling task (so it may print).
    /// - Returns: the results in the order of `targets`.
    public func run(
        _ command: RemoteCommand,
        on targets: [ConnectionFacts],
        onResult: (FanOutResult) -> Void = { _ in }
    ) async -> [FanOutResult] {
        var results = [FanOutResult?](repeating: nil, count: targets.count)
        let executor = self.executor
        let clock = self.clock
        let describe = self.describe
        await withTaskGroup(of: FanOutResult.self) { group in
            var next = 0
            func startNext() {
                guard next < targets.count else { return }
                let index = next
                let target = targets[index]
                next += 1
                group.addTask {
                    let start = clock.now
                    let outcome: FanOutResult.Outcome
                    do {
                        outcome = .completed(try await executor.run(command, on: target))
                    } catch {
                        outcome = .unreachable(describe(error))
                    }
                    let elapsed = start.duration(to: clock.now)
                    return FanOutResult(
                        index: index,
                        host: target.name,
                        address: target.address,
                        outcome: outcome,
                        elapsed: elapsed
                    )
                }
            }
            for _ in 0..<min(forks, targets.count) { startNext() }
            for await result in group {
                results[result.index] = result
                onResult(result)
                startNext()
            }
        }
        return results.compactMap { $0 }
    }
}

extension FanOut where C == ContinuousClock {
    /// A fan-out timed by the continuous clock.
    public init(
        executor: any RemoteExecutor,
        forks: Int,
        describe: @escaping @Sendable (any Error) -> String = { String(describing: $0) }
    ) {
        self.init(executor: executor, forks: forks, clock: ContinuousClock(), describe: describe)
    }
}

/// One host's outcome in a ``FanOut``.
public struct FanOutResult: Sendable, Hashable {
    /// What happened on the host.
    public enum Outcome: Sendable, Hashable {
        /// The command ran (whatever its exit status).
        case completed(RemoteResult)
        /// The command could not be run: connection, host key, authentication or channel failure. The text is
        /// the executor's error message, which says what to do.
        case unreachable(String)
    }

    /// The host's position in the targets given to ``FanOut/run(_:on:onResult:)``.
    public var index: Int
    /// The inventory name.
    public var host: String
    /// The address connected to.
    public var address: String
    public var outcome: Outcome
    /// Wall time for this host: waiting for a session, connecting, authenticating and running.
    public var elapsed: Duration

    public init(index: Int, host: String, address: String, outcome: Outcome, elapsed: Duration) {
        self.index = index
        self.host = host
        self.address = address
        self.outcome = outcome
        self.elapsed = elapsed
    }

    /// The command's result when it ran.
    public var result: RemoteResult? {
        if case .completed(let result) = outcome { return result }
        return nil
    }

    /// The failure text when the host could not be reached.
    public var unreachableReason: String? {
        if case .unreachable(let reason) = outcome { return reason }
        return nil
    }

    /// True when the command ran and exited with status 0 in time.
    public var succeeded: Bool { result?.succeeded ?? false }

    /// `elapsed` in seconds.
    public var seconds: Double {
        let parts = elapsed.components
        return Double(parts.seconds) + Double(parts.attoseconds) / 1e18
    }
}

/// Counts of a fan-out's outcomes.
public struct FanOutSummary: Sendable, Hashable, CustomStringConvertible {
    /// Hosts where the command exited 0.
    public var ok = 0
    /// Hosts where it ran but exited non-zero, was killed by a signal, or timed out.
    public var failed = 0
    /// Hosts that could not be reached (or logged in to).
    public var unreachable = 0

    public init(_ results: [FanOutResult]) {
        for result in results {
            switch result.outcome {
            case .completed(let remote): if remote.succeeded { ok += 1 } else { failed += 1 }
            case .unreachable: unreachable += 1
            }
        }
    }

    /// All hosts counted.
    public var total: Int { ok + failed + unreachable }

    /// `12 hosts: 10 ok, 1 failed, 1 unreachable`.
    public var description: String {
        "\(total) host\(total == 1 ? "" : "s"): \(ok) ok, \(failed) failed, \(unreachable) unreachable"
    }
}
