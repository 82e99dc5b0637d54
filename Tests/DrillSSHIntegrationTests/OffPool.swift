import DrillLab
import DrillTesting
import Foundation

/// Runs blocking test set-up (starting a lab, ssh-keygen, stopping processes) on its own thread.
///
/// Swift's cooperative pool has 2 threads on these machines. `Lab.start`, `CommandRunner.run` and friends block
/// in `Process.waitUntilExit`; with parallel tests both pool threads ended up blocked there and the whole test
/// process hung. Every blocking call in this target goes through here instead.
func offPool<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        let thread = Thread {
            continuation.resume(with: Result { try body() })
        }
        thread.stackSize = 1 << 20
        thread.start()
    }
}

/// Like `LabTesting.withLab`, with the blocking start and stop off the cooperative pool.
func withLab<T: Sendable>(
    hosts: Int,
    additionalAuthorizedKeys: [String] = [],
    _ body: (RunningLab) async throws -> T
) async throws -> T {
    let folder = try TemporaryDirectory(prefix: "drill-lab")
    defer { folder.remove() }
    let lab = try await offPool {
        try Lab.start(hosts: hosts, in: folder.path + "/lab", additionalAuthorizedKeys: additionalAuthorizedKeys)
    }
    do {
        let result = try await body(lab)
        try await offPool { try lab.stop() }
        return result
    } catch {
        _ = try? await offPool { try lab.stop() }
        throw error
    }
}

extension RunningLab {
    /// ``RunningLab/killServer()`` off the cooperative pool.
    func killServerOffPool() async throws { try await offPool { self.killServer() } }
    /// ``RunningLab/killSessions()`` off the cooperative pool.
    func killSessionsOffPool() async throws { try await offPool { self.killSessions() } }
}

/// Polls `condition` every 20 ms until it holds or `timeout` passes; suspends between polls (never blocks a
/// cooperative thread). For waiting on another process, not for time logic.
@discardableResult
func eventually(timeout: Duration = .seconds(20), _ condition: () -> Bool) async -> Bool {
    let clock = ContinuousClock()
    let deadline = clock.now + timeout
    while !condition() {
        if clock.now >= deadline { return false }
        try? await Task.sleep(for: .milliseconds(20))
    }
    return true
}
