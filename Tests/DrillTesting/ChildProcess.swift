import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A child process started with `posix_spawn`, for tests.
///
/// Why not Foundation's `Process`: swift-corelibs-foundation reaps every `Process` from one shared thread, and
/// that thread blocks in `waitpid` on any child that closes its inherited descriptors early (`sshd -D`,
/// `ssh-agent -D`, chromium) until that child exits. While a test keeps such a child running, every other
/// `Process.waitUntilExit()` in the test process waits too, and a suite that runs tests in parallel can
/// deadlock. Every test helper that starts a program goes through this type instead.
///
/// Invariant for `@unchecked Sendable`: `pid` is immutable; the exit status is guarded by a lock, and `waitpid`
/// for this pid is only called under that lock.
public final class ChildProcess: @unchecked Sendable {
    /// The child's process id.
    public let pid: pid_t
    private let lock = NSLock()
    private var exitStatus: Int32?

    /// Starts `executable` (an absolute path).
    ///
    /// - Parameters:
    ///   - directory: the child's working directory (this process's when nil).
    ///   - environment: variables added to (or replacing) this process's environment.
    ///   - stdin: a descriptor for the child's standard input (/dev/null when nil).
    ///   - stdout: a descriptor for the child's standard output (/dev/null when nil).
    ///   - stderr: a descriptor for the child's standard error (/dev/null when nil).
    /// - Throws: ``ChildProcessError`` when the program cannot be started.
    public init(
        _ executable: String,
        _ arguments: [String],
        directory: String? = nil,
        environment: [String: String] = [:],
        stdin: Int32? = nil,
        stdout: Int32? = nil,
        stderr: Int32? = nil
    ) throws {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        for (fd, target) in [(stdin, Int32(0)), (stdout, 1), (stderr, 2)] {
            if let fd {
                posix_spawn_file_actions_adddup2(&actions, fd, target)
            } else {
                posix_spawn_file_actions_addopen(&actions, target, "/dev/null", target == 0 ? O_RDONLY : O_WRONLY, 0)
            }
        }
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        // Children start with default signal handling and an empty mask, whatever the test runner set.
        var all = sigset_t()
        sigfillset(&all)
        var none = sigset_t()
        sigemptyset(&none)
        posix_spawnattr_setsigdefault(&attributes, &all)
        posix_spawnattr_setsigmask(&attributes, &none)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))

        let environmentTable = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
        // posix_spawn_file_actions_addchdir_np is not visible to Swift here; coreutils' `env -C` changes folder.
        let program = directory == nil ? executable : "/usr/bin/env"
        let fullArguments = directory.map { ["-C", $0, executable] + arguments } ?? arguments
        let argv = ([program] + fullArguments).map { strdup($0) } + [nil]
        let envp = environmentTable.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            for pointer in argv { free(pointer) }
            for pointer in envp { free(pointer) }
        }
        var pid: pid_t = 0
        let result = posix_spawn(&pid, program, &actions, &attributes, argv, envp)
        guard result == 0 else {
            throw ChildProcessError("cannot start \(executable): \(String(cString: strerror(result)))")
        }
        self.pid = pid
    }

    /// True until the child has exited (and been reaped by ``wait()`` or ``terminationStatus``).
    public var isRunning: Bool { poll() == nil }

    /// The exit status (128 + signal number when a signal ended it), or nil while the child runs.
    public var terminationStatus: Int32? { poll() }

    /// Waits for the child to exit and returns its status (128 + signal number when a signal ended it).
    @discardableResult
    public func wait() -> Int32 {
        lock.lock()
        defer { lock.unlock() }
        if let exitStatus { return exitStatus }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
        let decoded = Self.decode(status)
        exitStatus = decoded
        return decoded
    }

    /// Sends `signal` to the child (nothing happens when it has already been reaped).
    public func signal(_ signal: Int32) {
        lock.lock()
        defer { lock.unlock() }
        if exitStatus == nil { Glibc.kill(pid, signal) }
    }

    /// Kills the child with SIGKILL and reaps it.
    public func kill() {
        signal(SIGKILL)
        wait()
    }

    private func poll() -> Int32? {
        lock.lock()
        defer { lock.unlock() }
        if let exitStatus { return exitStatus }
        var status: Int32 = 0
        guard waitpid(pid, &status, WNOHANG) == pid else { return nil }
        let decoded = Self.decode(status)
        exitStatus = decoded
        return decoded
    }

    private static func decode(_ status: Int32) -> Int32 {
        let signal = status & 0x7f
        return signal == 0 ? (status >> 8) & 0xff : 128 + signal
    }
}

/// A program could not be started.
public struct ChildProcessError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
