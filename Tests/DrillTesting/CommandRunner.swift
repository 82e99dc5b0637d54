import DrillLab
import Foundation

/// The outcome of running a program to completion.
public struct CommandOutput: Sendable, Hashable, CustomStringConvertible {
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

/// Runs programs for tests, most often the built `drillctl` binary, through swift-subprocess (``LabProcess``).
/// The wait suspends the test's task; it never blocks a thread.
public enum CommandRunner {
    /// The folder `swift build` put this test bundle in; the package's executables are beside it.
    public static var productsDirectory: URL {
        let bundle = Bundle.main.bundleURL
        // Linux: .build/debug/drillctlPackageTests.xctest (a file); the products folder is its parent.
        for candidate in [bundle, bundle.deletingLastPathComponent()] {
            if FileManager.default.fileExists(atPath: candidate.appendingPathComponent("drillctl").path) {
                return candidate
            }
        }
        return bundle.deletingLastPathComponent()
    }

    /// The path of the built `drillctl` binary.
    public static var drillctlPath: String { productsDirectory.appendingPathComponent("drillctl").path }

    /// The root of the package (the folder with Package.swift), for the example scenarios and inventories.
    public static var packageRoot: URL {
        var url = URL(fileURLWithPath: #filePath)
        while url.path != "/" {
            url.deleteLastPathComponent()
            if FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) {
                return url
            }
        }
        return URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
    }

    /// Runs `drillctl` with `arguments` and waits for it.
    public static func drillctl(
        _ arguments: [String],
        in directory: String? = nil,
        environment: [String: String] = [:],
        stdin: String? = nil
    ) async throws -> CommandOutput {
        try await run(drillctlPath, arguments, in: directory, environment: environment, stdin: stdin)
    }

    /// Runs `executable` with `arguments`, capturing stdout and stderr, and waits for it.
    ///
    /// - Parameters:
    ///   - directory: the working directory (the test process's when nil).
    ///   - environment: variables added to (or replacing) the test process's environment.
    ///   - stdin: text written to the program's standard input (/dev/null when nil).
    public static func run(
        _ executable: String,
        _ arguments: [String],
        in directory: String? = nil,
        environment: [String: String] = [:],
        stdin: String? = nil
    ) async throws -> CommandOutput {
        let output = try await LabProcess.run(
            executable,
            arguments,
            environment: environment,
            workingDirectory: directory,
            input: stdin
        )
        return CommandOutput(status: output.status, stdout: output.stdout, stderr: output.stderr)
    }
}
