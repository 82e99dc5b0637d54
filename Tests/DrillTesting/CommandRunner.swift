import Foundation

/// The outcome of running a program to completion.
public struct CommandOutput: Sendable, CustomStringConvertible {
    public var status: Int32
    public var stdout: String
    public var stderr: String

    public var description: String { "exit \(status)\n--- stdout\n\(stdout)\n--- stderr\n\(stderr)" }
}

/// Runs programs for end-to-end tests, most often the built `drillctl` binary.
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
    ) throws -> CommandOutput {
        try run(drillctlPath, arguments, in: directory, environment: environment, stdin: stdin)
    }

    /// Runs `executable` with `arguments`, capturing stdout and stderr, and waits for it.
    public static func run(
        _ executable: String,
        _ arguments: [String],
        in directory: String? = nil,
        environment: [String: String] = [:],
        stdin: String? = nil
    ) throws -> CommandOutput {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
        let outPipe = Pipe()
        let errPipe = Pipe()
        let inPipe = Pipe()
        process.standardOutput = outPipe
        process.standardError = errPipe
        process.standardInput = inPipe
        try process.run()
        if let stdin { inPipe.fileHandleForWriting.write(Data(stdin.utf8)) }
        try? inPipe.fileHandleForWriting.close()
        // Read both pipes concurrently so a chatty child cannot fill one and block.
        let group = DispatchGroup()
        nonisolated(unsafe) var errData = Data()
        group.enter()
        DispatchQueue.global().async {
            errData = errPipe.fileHandleForReading.readDataToEndOfFile()
            group.leave()
        }
        let outData = outPipe.fileHandleForReading.readDataToEndOfFile()
        group.wait()
        process.waitUntilExit()
        return CommandOutput(
            status: process.terminationStatus,
            stdout: String(decoding: outData, as: UTF8.self),
            stderr: String(decoding: errData, as: UTF8.self)
        )
    }
}
