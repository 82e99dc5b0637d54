import Foundation
import Subprocess
import SystemPackage

/// Runs programs to completion through swift-subprocess, capturing their output: the lab's helpers (`sshd -t`,
/// `ssh-keygen`, `ip`, `tc`, `useradd`, …) and, through `DrillTesting`, every program the tests start.
///
/// swift-subprocess watches each child through its own pidfd on Linux, so one long-lived child (an `sshd -D`,
/// an `ssh-agent -D`, chromium) cannot stall the wait for another, which is what Foundation's `Process` did and
/// why hand-written `posix_spawn` helpers once stood here. The wait suspends the calling task; it never blocks a
/// thread of Swift's cooperative pool.
public enum LabProcess {
    /// What a finished program did.
    public struct Output: Sendable, Hashable, CustomStringConvertible {
        /// The exit status, or 128 + the signal number when a signal ended it.
        public var status: Int32
        public var stdout: String
        public var stderr: String

        public init(status: Int32, stdout: String, stderr: String) {
            self.status = status
            self.stdout = stdout
            self.stderr = stderr
        }

        public var description: String { "exit \(status)\n--- stdout\n\(stdout)\n--- stderr\n\(stderr)" }
    }

    /// The most bytes of stdout and of stderr kept by default (a program that writes more is an error).
    public static let defaultOutputLimit = 32 << 20

    /// Runs `executable` (an absolute path) with `arguments` and waits for it.
    ///
    /// - Parameters:
    ///   - environment: variables added to (or replacing) this process's environment.
    ///   - workingDirectory: the child's working directory (this process's when nil).
    ///   - input: text written to the child's standard input, which is then closed (/dev/null when nil).
    ///   - outputLimit: the most bytes of stdout and of stderr to collect.
    /// - Throws: ``LabError`` (`commandFailed`) when the program cannot be started or writes more than
    ///   `outputLimit`.
    public static func run(
        _ executable: String,
        _ arguments: [String],
        environment: [String: String] = [:],
        workingDirectory: String? = nil,
        input: String? = nil,
        outputLimit: Int = defaultOutputLimit
    ) async throws -> Output {
        let configuration = Self.configuration(executable, arguments, environment, workingDirectory)
        do {
            let result =
                if let input {
                    try await Subprocess.run(
                        configuration,
                        input: .string(input),
                        output: .string(limit: outputLimit),
                        error: .string(limit: outputLimit)
                    )
                } else {
                    try await Subprocess.run(
                        configuration,
                        output: .string(limit: outputLimit),
                        error: .string(limit: outputLimit)
                    )
                }
            return Output(
                status: status(result.terminationStatus),
                stdout: result.standardOutput ?? "",
                stderr: result.standardError ?? ""
            )
        } catch let error as LabError {
            throw error
        } catch {
            throw LabError(.commandFailed, "cannot run \(executable): \(error)")
        }
    }

    /// Runs a program whose output does not matter and that may leave a daemon behind (`sshd` without `-D`
    /// forks its server and exits): stdin, stdout and stderr are /dev/null, so nothing the daemon keeps open
    /// holds this call. Returns the launcher's exit status.
    ///
    /// - Throws: ``LabError`` (`commandFailed`) when the program cannot be started.
    public static func launch(
        _ executable: String,
        _ arguments: [String],
        environment: [String: String] = [:]
    ) async throws -> Int32 {
        let configuration = Self.configuration(executable, arguments, environment, nil)
        do {
            let result = try await Subprocess.run(configuration, output: .discarded, error: .discarded)
            return status(result.terminationStatus)
        } catch {
            throw LabError(.commandFailed, "cannot run \(executable): \(error)")
        }
    }

    static func configuration(
        _ executable: String,
        _ arguments: [String],
        _ environment: [String: String],
        _ workingDirectory: String?
    ) -> Configuration {
        var updates: [Environment.Key: String?] = [:]
        for (key, value) in environment {
            if let name = Environment.Key(rawValue: key) { updates[name] = value }
        }
        return Configuration(
            executable: .path(FilePath(executable)),
            arguments: Arguments(arguments),
            environment: updates.isEmpty ? .inherit : .inherit.updating(updates),
            workingDirectory: workingDirectory.map { FilePath($0) }
        )
    }

    /// The exit code, or 128 + the signal number, as a shell reports it.
    public static func status(_ termination: TerminationStatus) -> Int32 {
        switch termination {
        case .exited(let code): Int32(truncatingIfNeeded: code)
        case .signaled(let signal): 128 + Int32(truncatingIfNeeded: signal)
        }
    }
}
