import Synchronization

/// Counts of what an ``SSHTransport`` did, for tests, benchmarks and `--verbose` output.
public struct SSHTransportStatistics: Sendable, Hashable {
    /// Sessions opened and authenticated (each one login on the target).
    public var logins: Int
    /// Commands and uploads that finished with a result.
    public var commands: Int
    /// Times a kept session turned out dead and was replaced.
    public var reconnects: Int
}

final class TransportCounters: Sendable {
    let logins = Atomic<Int>(0)
    let commands = Atomic<Int>(0)
    let reconnects = Atomic<Int>(0)

    var snapshot: SSHTransportStatistics {
        SSHTransportStatistics(
            logins: logins.load(ordering: .relaxed),
            commands: commands.load(ordering: .relaxed),
            reconnects: reconnects.load(ordering: .relaxed)
        )
    }
}
