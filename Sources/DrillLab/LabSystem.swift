import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// The operating-system calls the lab needs: running helper programs, looking at processes in `/proc`,
/// signalling them, and probing ports. Internal; ``Lab`` is the API.
enum LabSystem {
    /// The login name of the effective user (`root` in CI).
    static func currentUserName() -> String {
        if let entry = getpwuid(geteuid()), let name = entry.pointee.pw_name { return String(cString: name) }
        return ProcessInfo.processInfo.environment["USER"] ?? "root"
    }

    struct Output {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// Runs `executable` to completion with stdin from /dev/null, capturing its output.
    ///
    /// Uses `posix_spawn` and `waitpid` on this thread rather than Foundation's `Process`: swift-corelibs-foundation
    /// watches every child from one shared thread, which blocks in `waitpid` on any child that closes its inherited
    /// descriptors early (sshd -D and ssh-agent -D do, at start) until that child exits. A test that keeps such a
    /// child running then stalls every `Process.waitUntilExit()` in the process; the lab must not depend on that.
    static func run(_ executable: String, _ arguments: [String], environment: [String: String]? = nil) throws -> Output
    {
        var outPipe: [Int32] = [-1, -1]
        var errPipe: [Int32] = [-1, -1]
        guard pipe(&outPipe) == 0 else { throw spawnError(executable) }
        guard pipe(&errPipe) == 0 else {
            close(outPipe[0])
            close(outPipe[1])
            throw spawnError(executable)
        }
        // Close-on-exec for our copies (`pipe2` is not visible from Swift here); `dup2` in the child clears it.
        for fd in outPipe + errPipe { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        let pid: pid_t
        do {
            pid = try spawn(executable, arguments, stdout: outPipe[1], stderr: errPipe[1], environment: environment)
        } catch {
            for fd in outPipe + errPipe { close(fd) }
            throw error
        }
        close(outPipe[1])
        close(errPipe[1])
        let errReader = DetachedRead(fd: errPipe[0])
        let outData = readAll(outPipe[0])
        close(outPipe[0])
        let errData = errReader.wait()
        close(errPipe[0])
        return Output(
            status: waitForExit(pid),
            stdout: String(decoding: outData, as: UTF8.self),
            stderr: String(decoding: errData, as: UTF8.self)
        )
    }

    /// Starts `executable` with stdio on /dev/null (it daemonizes itself) and waits for the launcher to exit.
    static func launch(_ executable: String, _ arguments: [String]) throws -> Int32 {
        let pid = try spawn(executable, arguments, stdout: nil, stderr: nil)
        return waitForExit(pid)
    }

    /// `posix_spawn`s `executable` with stdin from /dev/null and stdout/stderr on the given descriptors (or
    /// /dev/null). Our own pipes are close-on-exec (`dup2` clears that on the child's copy), so a child spawned at
    /// the same time by another thread cannot hold them open.
    private static func spawn(
        _ executable: String,
        _ arguments: [String],
        stdout: Int32?,
        stderr: Int32?,
        environment: [String: String]? = nil
    ) throws -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        if let stdout {
            posix_spawn_file_actions_adddup2(&actions, stdout, 1)
        } else {
            posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        }
        if let stderr {
            posix_spawn_file_actions_adddup2(&actions, stderr, 2)
        } else {
            posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        }
        let argv: [UnsafeMutablePointer<CChar>?] = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        var pid: pid_t = 0
        let result: Int32
        if let environment {
            let envp: [UnsafeMutablePointer<CChar>?] = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
            defer { for pointer in envp { free(pointer) } }
            result = posix_spawn(&pid, executable, &actions, nil, argv, envp)
        } else {
            result = posix_spawn(&pid, executable, &actions, nil, argv, environ)
        }
        guard result == 0 else {
            errno = result
            throw spawnError(executable)
        }
        return pid
    }

    private static func spawnError(_ executable: String) -> LabError {
        LabError(.commandFailed, "cannot run \(executable): \(String(cString: strerror(errno)))")
    }

    /// Waits for `pid` and returns its exit status (128 + signal when it was killed).
    private static func waitForExit(_ pid: pid_t) -> Int32 {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 {
            if errno != EINTR { return -1 }
        }
        let signal = status & 0x7f
        return signal == 0 ? (status >> 8) & 0xff : 128 + signal
    }

    /// Reads `fd` until end of file.
    static func readAll(_ fd: Int32) -> Data {
        var data = Data()
        var buffer = [UInt8](repeating: 0, count: 16 * 1024)
        while true {
            let count = read(fd, &buffer, buffer.count)
            if count > 0 {
                data.append(contentsOf: buffer[0..<count])
            } else if count == 0 || errno != EINTR {
                return data
            }
        }
    }

    /// True when a process with `pid` exists (a zombie counts as gone).
    static func isAlive(_ pid: Int32) -> Bool {
        guard pid > 0 else { return false }
        if kill(pid, 0) != 0 && errno != EPERM { return false }
        if let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")")
        {
            let state = stat[stat.index(after: close)...].trimmingCharacters(in: .whitespaces).prefix(1)
            return state != "Z" && state != "X"
        }
        return true
    }

    /// The command line of `pid` with NULs as spaces; sshd rewrites its own (`sshd: /usr/sbin/sshd -f …`).
    static func commandLine(_ pid: Int32) -> String? {
        guard let data = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline"), !data.isEmpty else {
            return nil
        }
        return String(decoding: data.map { $0 == 0 ? 0x20 : $0 }, as: UTF8.self)
    }

    /// The executable of `pid` (`/proc/PID/exe`), when readable.
    static func executable(_ pid: Int32) -> String? {
        try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/exe")
    }

    /// Every live descendant of `pid` (children, grandchildren, …), found through the parent pids in /proc.
    static func descendants(of pid: Int32) -> [Int32] {
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc") else { return [] }
        var children: [Int32: [Int32]] = [:]
        for entry in entries {
            guard let child = Int32(entry),
                let stat = try? String(contentsOfFile: "/proc/\(entry)/stat", encoding: .utf8),
                let close = stat.lastIndex(of: ")")
            else { continue }
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            if fields.count > 1, let parent = Int32(fields[1]) { children[parent, default: []].append(child) }
        }
        var result: [Int32] = []
        var stack = children[pid] ?? []
        while let next = stack.popLast() {
            result.append(next)
            stack.append(contentsOf: children[next] ?? [])
        }
        return result
    }

    /// Sends `signal` to `pid`; a process that is already gone is not an error.
    static func signal(_ pid: Int32, _ signal: Int32) {
        _ = kill(pid, signal)
    }

    /// Waits until `pid` is gone or `timeout` passes; returns true when it is gone.
    static func waitUntilGone(_ pid: Int32, timeout: Duration) -> Bool {
        let deadline = ContinuousClock.now + timeout
        while isAlive(pid) {
            if ContinuousClock.now >= deadline { return false }
            usleep(10_000)
        }
        return true
    }

    /// Whether a TCP listener could bind `port` on every address (what the lab's sshd does); nil when free,
    /// otherwise the reason (`Address already in use`).
    static func portProblem(_ port: Int) -> String? {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return String(cString: strerror(errno)) }
        defer { close(fd) }
        var on: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr = in_addr(s_addr: INADDR_ANY)
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        if result == 0 && listen(fd, 1) == 0 { return nil }
        return String(cString: strerror(errno))
    }

    /// A port that is free right now, chosen by the kernel (bind to port 0), for labs started by tests.
    static func freePort() -> Int? {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr = in_addr(s_addr: INADDR_ANY)
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer -> Bool in
                bind(fd, pointer, length) == 0 && getsockname(fd, pointer, &length) == 0
            }
        }
        return bound ? Int(UInt16(bigEndian: address.sin_port)) : nil
    }
}

/// Reads a pipe to its end on its own thread so that two pipes of one child can be drained at once.
final class DetachedRead: @unchecked Sendable {
    // Safe because `data` is written once by the reader thread before `done` is signalled and read only after.
    private var data = Data()
    private let done = DispatchSemaphore(value: 0)

    init(fd: Int32) {
        Thread.detachNewThread { [self] in
            data = LabSystem.readAll(fd)
            done.signal()
        }
    }

    func wait() -> Data {
        done.wait()
        return data
    }
}
