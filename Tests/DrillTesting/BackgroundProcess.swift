import DrillLab
import Foundation
import Subprocess
import Synchronization
import SystemPackage

#if canImport(Glibc)
import Glibc
#endif

/// A program a test keeps running while it works (`sshd -D`, `ssh-agent -D`, a `drillctl run`, a browser
/// driver), started through swift-subprocess and stopped by its pid.
///
/// swift-subprocess watches the child through its own pidfd, so a long-lived child never delays the wait for any
/// other program (Foundation's `Process` reaped every child from one shared thread, which blocked behind a child
/// that closed its inherited descriptors early). Programs that run to completion go through
/// ``CommandRunner/run(_:_:in:environment:stdin:)`` instead.
///
/// ```swift
/// let agent = try await BackgroundProcess.start("/usr/bin/ssh-agent", ["-D", "-a", socket])
/// defer { agent.signal(SIGKILL) }
/// …
/// await agent.kill()
/// ```
public final class BackgroundProcess: Sendable {
    /// The child's process id.
    public let pid: pid_t
    private let outcome: Task<Int32, Never>
    private let exited: ExitFlag

    /// Set once swift-subprocess has seen the child exit (and reaped it).
    private final class ExitFlag: Sendable {
        private let value = Atomic<Bool>(false)
        func set() { value.store(true, ordering: .sequentiallyConsistent) }
        var isSet: Bool { value.load(ordering: .sequentiallyConsistent) }
    }

    private init(pid: pid_t, outcome: Task<Int32, Never>, exited: ExitFlag) {
        self.pid = pid
        self.outcome = outcome
        self.exited = exited
    }

    /// Starts `executable` (an absolute path) and returns once it runs.
    ///
    /// - Parameters:
    ///   - directory: the child's working directory (this process's when nil).
    ///   - environment: variables added to (or replacing) this process's environment.
    ///   - stdin: a descriptor the child reads as standard input (/dev/null when nil); the caller keeps and closes
    ///     its own copy.
    ///   - stdout: a descriptor for the child's standard output (/dev/null when nil); likewise.
    ///   - stderr: a descriptor for the child's standard error (/dev/null when nil); likewise.
    /// - Throws: ``BackgroundProcessError`` when the program cannot be started.
    public static func start(
        _ executable: String,
        _ arguments: [String],
        directory: String? = nil,
        environment: [String: String] = [:],
        stdin: Int32? = nil,
        stdout: Int32? = nil,
        stderr: Int32? = nil
    ) async throws -> BackgroundProcess {
        var updates: [Environment.Key: String?] = [:]
        for (key, value) in environment {
            if let name = Environment.Key(rawValue: key) { updates[name] = value }
        }
        let configuration = Configuration(
            executable: .path(FilePath(executable)),
            arguments: Arguments(arguments),
            environment: updates.isEmpty ? .inherit : .inherit.updating(updates),
            workingDirectory: directory.map { FilePath($0) }
        )
        // Every stream is a descriptor (ours or /dev/null), so the child holds no pipe of swift-subprocess's and
        // the run ends exactly when the child exits.
        let null = open("/dev/null", O_RDWR | O_CLOEXEC)
        guard null >= 0 else {
            throw BackgroundProcessError("cannot open /dev/null: \(String(cString: strerror(errno)))")
        }
        let input = FileDescriptor(rawValue: stdin ?? null)
        let output = FileDescriptor(rawValue: stdout ?? null)
        let error = FileDescriptor(rawValue: stderr ?? null)
        let (started, startedContinuation) = AsyncStream<Result<pid_t, BackgroundProcessError>>.makeStream()
        let exited = ExitFlag()
        let outcome = Task.detached { () -> Int32 in
            defer { close(null) }
            do {
                let result = try await Subprocess.run(
                    configuration,
                    input: .fileDescriptor(input, closeAfterSpawningProcess: false),
                    output: .fileDescriptor(output, closeAfterSpawningProcess: false),
                    error: .fileDescriptor(error, closeAfterSpawningProcess: false)
                ) { execution in
                    startedContinuation.yield(.success(execution.processIdentifier.value))
                    startedContinuation.finish()
                }
                exited.set()
                return LabProcess.status(result.terminationStatus)
            } catch {
                startedContinuation.yield(.failure(BackgroundProcessError("cannot start \(executable): \(error)")))
                startedContinuation.finish()
                exited.set()
                return -1
            }
        }
        var iterator = started.makeAsyncIterator()
        guard let first = await iterator.next() else {
            throw BackgroundProcessError("cannot start \(executable): it did not start")
        }
        return BackgroundProcess(pid: try first.get(), outcome: outcome, exited: exited)
    }

    /// True until the child has exited.
    public var isRunning: Bool { !exited.isSet }

    /// Waits for the child to exit and returns its status (128 + signal number when a signal ended it).
    @discardableResult
    public func wait() async -> Int32 { await outcome.value }

    /// Waits at most `timeout` for the child to exit; nil when it still runs.
    public func wait(timeout: Duration) async -> Int32? {
        let deadline = ContinuousClock.now + timeout
        while isRunning && ContinuousClock.now < deadline { try? await Task.sleep(for: .milliseconds(20)) }
        return isRunning ? nil : await outcome.value
    }

    /// Sends `signal` to the child (nothing happens once it has exited).
    public func signal(_ signal: Int32) {
        if isRunning { Glibc.kill(pid, signal) }
    }

    /// Kills the child with SIGKILL and waits until it is gone.
    public func kill() async {
        signal(SIGKILL)
        await wait()
    }
}

/// A program could not be started.
public struct BackgroundProcessError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
