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

    /// Runs `executable` with `arguments`, capturing stdout and stderr, and waits for it (through
    /// ``ChildProcess``, never Foundation's `Process`).
    public static func run(
        _ executable: String,
        _ arguments: [String],
        in directory: String? = nil,
        environment: [String: String] = [:],
        stdin: String? = nil
    ) throws -> CommandOutput {
        var outPipe: [Int32] = [0, 0]
        var errPipe: [Int32] = [0, 0]
        var inPipe: [Int32] = [0, 0]
        guard pipe(&outPipe) == 0, pipe(&errPipe) == 0, pipe(&inPipe) == 0 else {
            throw ChildProcessError("cannot create pipes: \(String(cString: strerror(errno)))")
        }
        // Our ends must not leak into children spawned at the same time by other tests.
        for fd in [outPipe[0], errPipe[0], inPipe[1]] { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        let child: ChildProcess
        do {
            child = try ChildProcess(
                executable,
                arguments,
                directory: directory,
                environment: environment,
                stdin: inPipe[0],
                stdout: outPipe[1],
                stderr: errPipe[1]
            )
        } catch {
            for fd in outPipe + errPipe + inPipe { close(fd) }
            throw error
        }
        close(outPipe[1])
        close(errPipe[1])
        close(inPipe[0])
        let input = FileHandle(fileDescriptor: inPipe[1], closeOnDealloc: true)
        if let stdin { try? input.write(contentsOf: Data(stdin.utf8)) }
        try? input.close()
        // Read both pipes concurrently so a chatty child cannot fill one and block.
        let errHandle = FileHandle(fileDescriptor: errPipe[0], closeOnDealloc: true)
        let outHandle = FileHandle(fileDescriptor: outPipe[0], closeOnDealloc: true)
        let errData = ThreadResult { errHandle.readDataToEndOfFile() }
        let outData = outHandle.readDataToEndOfFile()
        let status = child.wait()
        return CommandOutput(
            status: status,
            stdout: String(decoding: outData, as: UTF8.self),
            stderr: String(decoding: errData.value, as: UTF8.self)
        )
    }
}

/// Runs a closure on its own thread and hands back its value when asked.
final class ThreadResult<Value: Sendable>: @unchecked Sendable {
    // Invariant: `result` is written once by the worker thread before `done` is signalled, and read only after.
    private var result: Value?
    private let done = DispatchSemaphore(value: 0)

    init(_ body: @escaping @Sendable () -> Value) {
        let thread = Thread { [self] in
            result = body()
            done.signal()
        }
        thread.start()
    }

    var value: Value {
        done.wait()
        done.signal()
        return result!
    }
}
