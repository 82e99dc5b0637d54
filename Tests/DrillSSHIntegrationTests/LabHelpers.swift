import DrillLab
import DrillTesting
import Foundation

/// Like `LabTesting.withLab`: a lab of `hosts` hosts in a fresh temporary folder, always stopped.
func withLab<T: Sendable>(
    hosts: Int,
    additionalAuthorizedKeys: [String] = [],
    _ body: (RunningLab) async throws -> T
) async throws -> T {
    try await LabTesting.withLab(hosts: hosts, additionalAuthorizedKeys: additionalAuthorizedKeys, body)
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
