import Foundation

/// Runs a program to completion with `posix_spawn` and `waitpid`, capturing its output, without Foundation's
/// `Process`.
///
/// Why this exists: swift-corelibs-foundation reaps every `Process` from one shared thread, and that thread
/// blocks in `waitpid` on any child that closes its inherited descriptors early (`sshd -D`, `ssh-agent -D`,
/// even the `ssh` client) until that child exits. While a test keeps such a child running, every other
/// `Process.waitUntilExit()` in the same test process waits too (measured: a `/bin/true` waited 19 s behind a
/// 20 s child), and a test suite that also waits for that test deadlocks. Tests that run the lab's
/// programs (ssh, ssh-keygen, drillctl) can use this instead.
public enum LabProcess {
    /// What a finished program did.
    public struct Output: Sendable, Hashable, CustomStringConvertible {
        /// The exit status, or 128 + the signal number when a signal ended it.
        public var status: Int32
        public var stdout: String
        public var stderr: String

        public var description: String { "exit \(status)\n--- stdout\n\(stdout)\n--- stderr\n\(stderr)" }
    }

    /// Runs `executable` (an absolute path) with `arguments`, stdin from /dev/null, and waits for it.
    ///
    /// - Parameters:
    ///   - environment: variables added to (or replacing) this process's environment.
    /// - Throws: ``LabError`` (`commandFailed`) when the program cannot be started.
    public static func run(
        _ executable: String,
        _ arguments: [String],
        environment: [String: String] = [:]
    ) throws -> Output {
        let merged =
            environment.isEmpty
            ? nil : ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
        let output = try LabSystem.run(executable, arguments, environment: merged)
        return Output(status: output.status, stdout: output.stdout, stderr: output.stderr)
    }
}
