/// A command to run on a target host.
public struct RemoteCommand: Sendable, Hashable {
    /// The shell command line, already rendered and quoted.
    public var command: String
    /// How long the command may run before it is stopped (on the target too).
    public var timeout: Duration
    /// The most bytes of stdout and of stderr to keep; the rest is dropped and the result says so.
    public var outputLimit: Int

    public init(_ command: String, timeout: Duration = .seconds(60), outputLimit: Int = 64 * 1024) {
        self.command = command
        self.timeout = timeout
        self.outputLimit = outputLimit
    }
}

/// What a command did on a target. A non-zero exit status is a result, not an error.
public struct RemoteResult: Sendable, Hashable {
    /// The exit status, when the command exited.
    public var exitStatus: Int32?
    /// The signal that ended the command (`KILL`, `TERM`, …), when it was killed.
    public var exitSignal: String?
    public var stdout: String
    public var stderr: String
    /// True when stdout was longer than the command's output limit and was cut.
    public var stdoutTruncated: Bool
    /// True when stderr was longer than the command's output limit and was cut.
    public var stderrTruncated: Bool
    /// True when the command ran past its timeout and was stopped.
    public var timedOut: Bool
    public var timings: RemoteTimings

    public init(
        exitStatus: Int32?,
        exitSignal: String? = nil,
        stdout: String = "",
        stderr: String = "",
        stdoutTruncated: Bool = false,
        stderrTruncated: Bool = false,
        timedOut: Bool = false,
        timings: RemoteTimings = RemoteTimings()
    ) {
        self.exitStatus = exitStatus
        self.exitSignal = exitSignal
        self.stdout = stdout
        self.stderr = stderr
        self.stdoutTruncated = stdoutTruncated
        self.stderrTruncated = stderrTruncated
        self.timedOut = timedOut
        self.timings = timings
    }

    /// True when the command exited with status 0.
    public var succeeded: Bool { exitStatus == 0 && !timedOut }
}

/// How long each part of reaching a host and running a command took. Zero for parts that were skipped
/// (a reused session needs no connect or auth).
public struct RemoteTimings: Sendable, Hashable {
    public var connect: Duration
    public var authenticate: Duration
    public var run: Duration

    public init(connect: Duration = .zero, authenticate: Duration = .zero, run: Duration = .zero) {
        self.connect = connect
        self.authenticate = authenticate
        self.run = run
    }

    public var total: Duration { connect + authenticate + run }
}

/// Runs commands and uploads files on target hosts. The real one is SSH (`DrillSSH`); the engine's tests may
/// use an in-memory one for scheduling logic.
public protocol RemoteExecutor: Sendable {
    /// Runs `command` on `target`.
    ///
    /// - Returns: the command's result, whatever its exit status.
    /// - Throws: only when the command could not be run or its outcome is unknown (connection, host key,
    ///   authentication or channel failure). The error says which, and what to do.
    func run(_ command: RemoteCommand, on target: ConnectionFacts) async throws -> RemoteResult

    /// Writes `data` to `path` on `target` with permissions `mode`, atomically (a temporary name, then rename).
    func upload(_ data: [UInt8], to path: String, mode: Int32, on target: ConnectionFacts) async throws
}

/// An error from a ``RemoteExecutor`` that can tell whether the command may have started on the target before it
/// failed. The engine records this with a failed action: a host where nothing started needs no cleanup.
public protocol RemoteFailure: Error {
    /// False when the command certainly never started (the connection, the host key or the login was refused);
    /// true when it may have run (the connection broke mid-command, the outcome is unknown).
    var commandMayHaveStarted: Bool { get }
}
