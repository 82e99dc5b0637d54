import DrillCore
import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// The local practice range: one OpenSSH server of its own (config, host key, pid file and log in the lab
/// folder; never the system service) answering as one target host per loopback address 127.0.10.1 …, plus a
/// client key, a known_hosts file and an Ansible inventory for those hosts.
///
/// ```swift
/// let status = try await Lab.up(LabConfiguration(hostCount: 20, directory: ".drill-lab"))
/// print(status.usage)
/// try await Lab(directory: ".drill-lab").down()
/// ```
public struct Lab: Sendable {
    /// The lab folder's files.
    public var paths: LabPaths

    /// The lab in `directory` (relative paths are taken from the current folder).
    public init(directory: String) {
        paths = LabPaths(directory: directory)
    }

    // MARK: status

    /// Whether the lab's sshd runs, on which port, for which hosts, and which of its files exist.
    public func status() -> LabStatus {
        let files = paths.created.filter { FileManager.default.fileExists(atPath: $0) }
        guard let state = LabState.read(paths) else {
            return LabStatus(paths: paths, state: .absent, port: nil, user: nil, hosts: [], files: files)
        }
        let running = ourServerPid(sshdPath: state.sshdPath).map { LabStatus.State.running(pid: $0) } ?? .stopped
        return LabStatus(
            paths: paths,
            state: running,
            port: state.port,
            user: state.user,
            hosts: state.hosts,
            files: files
        )
    }

    /// The pid in the lab's pid file, when that process is alive and is *our* sshd: its executable is the
    /// lab's sshd and its command line names this lab's config file.
    func ourServerPid(sshdPath: String) -> Int32? {
        guard let text = try? String(contentsOfFile: paths.pidFile, encoding: .utf8),
            let pid = Int32(text.trimmingCharacters(in: .whitespacesAndNewlines)), pid > 1,
            LabSystem.isAlive(pid)
        else { return nil }
        return isOurServer(pid, sshdPath: sshdPath) ? pid : nil
    }

    func isOurServer(_ pid: Int32, sshdPath: String) -> Bool {
        guard let commandLine = LabSystem.commandLine(pid) else { return false }
        let words = commandLine.split(separator: " ").map(String.init)
        guard let flag = words.firstIndex(of: "-f"), flag + 1 < words.count, words[flag + 1] == paths.sshdConfig
        else { return false }
        if let executable = LabSystem.executable(pid) {
            let resolved = URL(fileURLWithPath: sshdPath).resolvingSymlinksInPath().path
            return executable == resolved || executable == sshdPath
        }
        return commandLine.contains(sshdPath)
    }

    // MARK: down

    /// What `down` did.
    public struct DownResult: Sendable, Hashable {
        /// The pids stopped: the sshd listener first, then the lab's sessions.
        public var stopped: [Int32]
        /// The files and folders removed.
        public var removed: [String]
        /// True when there was nothing to stop or remove.
        public var wasAbsent: Bool { stopped.isEmpty && removed.isEmpty }
    }

    /// Stops exactly what `up` started (the sshd whose pid is in the lab's pid file, after checking it is ours,
    /// and the sessions it spawned) and removes every file `up` created. Running it again does nothing.
    ///
    /// - Throws: ``LabError`` when the sshd would not stop even after `SIGKILL`.
    @discardableResult
    public func down() async throws -> DownResult {
        let state = LabState.read(paths)
        var stopped: [Int32] = []
        if let pid = ourServerPid(sshdPath: state?.sshdPath ?? "/usr/sbin/sshd") {
            stopped = try await stopServer(pid)
        }
        return DownResult(stopped: stopped, removed: removeFiles(state: state))
    }

    /// ``down()`` for a caller that cannot suspend (a test's `defer`): the same work, waiting for the sshd to
    /// exit on this thread.
    ///
    /// - Throws: ``LabError`` when the sshd would not stop even after `SIGKILL`.
    @discardableResult
    public func downNow() throws -> DownResult {
        let state = LabState.read(paths)
        var stopped: [Int32] = []
        if let pid = ourServerPid(sshdPath: state?.sshdPath ?? "/usr/sbin/sshd") {
            let sessions = LabSystem.descendants(of: pid)
            LabSystem.signal(pid, SIGTERM)
            for session in sessions { LabSystem.signal(session, SIGKILL) }
            if !LabSystem.waitUntilGoneNow(pid, timeout: .seconds(5)) {
                LabSystem.signal(pid, SIGKILL)
                guard LabSystem.waitUntilGoneNow(pid, timeout: .seconds(5)) else {
                    throw LabError(.startFailed, "the lab's sshd (pid \(pid)) did not stop after SIGKILL")
                }
            }
            stopped = [pid] + sessions
        }
        return DownResult(stopped: stopped, removed: removeFiles(state: state))
    }

    /// Removes the lab's files, only when this folder holds a lab (lab.json) or the pieces of a failed `up`.
    private func removeFiles(state: LabState?) -> [String] {
        var removed: [String] = []
        guard state != nil || FileManager.default.fileExists(atPath: paths.sshdConfig) else { return removed }
        for path in paths.created where FileManager.default.fileExists(atPath: path) {
            try? FileManager.default.removeItem(atPath: path)
            removed.append(path)
        }
        let left = (try? FileManager.default.contentsOfDirectory(atPath: paths.directory)) ?? []
        if left.isEmpty, state?.createdDirectory ?? false {
            try? FileManager.default.removeItem(atPath: paths.directory)
            removed.append(paths.directory)
        }
        return removed
    }

    /// Stops the listener (SIGTERM, then SIGKILL after 5 s) and kills the sessions it started.
    func stopServer(_ pid: Int32) async throws -> [Int32] {
        let sessions = LabSystem.descendants(of: pid)
        LabSystem.signal(pid, SIGTERM)
        for session in sessions { LabSystem.signal(session, SIGKILL) }
        if !(await LabSystem.waitUntilGone(pid, timeout: .seconds(5))) {
            LabSystem.signal(pid, SIGKILL)
            guard await LabSystem.waitUntilGone(pid, timeout: .seconds(5)) else {
                throw LabError(.startFailed, "the lab's sshd (pid \(pid)) did not stop after SIGKILL")
            }
        }
        for session in sessions { _ = await LabSystem.waitUntilGone(session, timeout: .seconds(2)) }
        return [pid] + sessions
    }

    // MARK: up

    /// Starts a practice range as `configuration` says and returns its status (with ``LabStatus/usage``).
    ///
    /// When the same lab (same hosts and port) already runs in the folder, leaves it running and says so
    /// (``LabStatus/wasAlreadyRunning``). A stopped lab's leftovers are cleaned first.
    ///
    /// - Throws: ``LabError``: `sshdMissing` (openssh-server not installed), `sshKeygenMissing`, `portBusy`,
    ///   `alreadyRunning` (a different lab runs in the folder), `badDirectory`, `tooManyHosts`, `startFailed`.
    ///   On failure nothing `up` created is left behind.
    public static func up(_ configuration: LabConfiguration) async throws -> LabStatus {
        let lab = Lab(directory: configuration.directory)
        let paths = lab.paths
        let fileManager = FileManager.default
        guard fileManager.isExecutableFile(atPath: configuration.sshdPath) else {
            throw LabError.sshdMissing(path: configuration.sshdPath)
        }
        // Before sshd is invoked at all (even `sshd -t` needs them): its user and privilege-separation folder.
        try SSHDPrerequisites.prepare(folder: configuration.sshdPrivilegeSeparationFolder)
        guard fileManager.isExecutableFile(atPath: configuration.sshKeygenPath) else {
            throw LabError(
                .sshKeygenMissing,
                "openssh-client is not installed: run `apt-get install openssh-client` (no ssh-keygen at \(configuration.sshKeygenPath))"
            )
        }
        let hostCount = configuration.source.hostOrder.count
        guard hostCount >= 1 else {
            throw LabError(
                .tooManyHosts,
                "the lab needs at least one host; \(configuration.sourceDescription) has none"
            )
        }
        guard hostCount <= LabAddresses.maximumHosts else {
            throw LabError(
                .tooManyHosts,
                "a lab holds at most \(LabAddresses.maximumHosts) hosts (127.0.10.1 … 127.0.255.254); \(hostCount) were asked for"
            )
        }

        let current = lab.status()
        if case .running = current.state {
            let wanted = LabInventory(
                source: configuration.source,
                directory: paths.directory,
                connection: .init(port: 0, user: "", privateKeyFile: "", knownHostsFile: "")
            ).hosts
            if current.hosts == wanted && (configuration.port == nil || configuration.port == current.port) {
                var same = current
                same.wasAlreadyRunning = true
                return same
            }
            throw LabError(
                .alreadyRunning,
                "a different practice range already runs in \(paths.directory) (\(current.hosts.count) hosts, port \(current.port ?? 0), sshd pid \(current.pid ?? 0)): run `drillctl lab down --dir \(paths.directory)` first"
            )
        }
        if current.state == .stopped { try await lab.down() }

        let createdDirectory = try prepareDirectory(paths)
        do {
            return try await start(configuration, paths: paths, createdDirectory: createdDirectory)
        } catch {
            // Leave nothing stale behind: a failed `up` removes what it made.
            if LabState.read(paths) == nil {
                try? LabState(
                    directory: paths.directory,
                    port: 0,
                    user: configuration.user,
                    sshdPath: configuration.sshdPath,
                    hosts: [],
                    createdDirectory: createdDirectory,
                    source: configuration.sourceDescription,
                    startedAt: Date()
                ).write(paths)
            }
            _ = try? await lab.down()
            throw error
        }
    }

    /// Creates the lab folder (0700) or checks an existing one; returns true when it was created.
    private static func prepareDirectory(_ paths: LabPaths) throws -> Bool {
        let fileManager = FileManager.default
        var isDirectory: ObjCBool = false
        if fileManager.fileExists(atPath: paths.directory, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else {
                throw LabError(.badDirectory, "\(paths.directory) exists and is not a folder: choose another --dir")
            }
            var info = stat()
            guard stat(paths.directory, &info) == 0 else {
                throw LabError(.badDirectory, "cannot read \(paths.directory): \(String(cString: strerror(errno)))")
            }
            if info.st_uid != geteuid() {
                throw LabError(
                    .badDirectory,
                    "\(paths.directory) belongs to another user (uid \(info.st_uid)): choose another --dir"
                )
            }
            if info.st_mode & 0o022 != 0 {
                throw LabError(
                    .badDirectory,
                    "\(paths.directory) can be written by other users, so its keys could be replaced: run `chmod go-w \(paths.directory)` or choose another --dir"
                )
            }
            let clash = paths.created.filter { fileManager.fileExists(atPath: $0) }
            if !clash.isEmpty {
                throw LabError(
                    .badDirectory,
                    "\(paths.directory) already holds \(clash.map { URL(fileURLWithPath: $0).lastPathComponent }.joined(separator: ", ")), which no lab created: choose another --dir or remove them"
                )
            }
            return false
        }
        do {
            try fileManager.createDirectory(
                atPath: paths.directory,
                withIntermediateDirectories: true,
                attributes: [.posixPermissions: 0o700]
            )
        } catch {
            throw LabError(.badDirectory, "cannot create \(paths.directory): \(error.localizedDescription)")
        }
        return true
    }

    private static func start(
        _ configuration: LabConfiguration,
        paths: LabPaths,
        createdDirectory: Bool
    ) async throws -> LabStatus {
        let fileManager = FileManager.default
        var port = try choosePort(configuration.port)
        var state = LabState(
            directory: paths.directory,
            port: port,
            user: configuration.user,
            sshdPath: configuration.sshdPath,
            hosts: [],
            createdDirectory: createdDirectory,
            source: configuration.sourceDescription,
            startedAt: Date()
        )
        try state.write(paths)

        try await generateKey(configuration.sshKeygenPath, at: paths.hostKey, comment: "drill-lab-host")
        try await generateKey(configuration.sshKeygenPath, at: paths.clientKey, comment: "drill-lab-client")
        let hostKey = try publicKey(paths.hostKey + ".pub")
        let clientKey = try publicKey(paths.clientKey + ".pub")
        let publicKeys = [clientKey] + configuration.additionalAuthorizedKeys

        try fileManager.createDirectory(
            atPath: paths.authorizedKeys,
            withIntermediateDirectories: false,
            attributes: [.posixPermissions: 0o700]
        )
        var shaped = LabInventory(
            source: configuration.source,
            directory: paths.directory,
            connection: .init(
                port: port,
                user: configuration.user,
                privateKeyFile: paths.clientKey,
                knownHostsFile: paths.knownHosts
            )
        )
        for host in shaped.hosts {
            let root = shaped.rootFolders[host.name] ?? paths.hosts + "/" + LabInventory.safeFolderName(host.name)
            try fileManager.createDirectory(atPath: root + "/www", withIntermediateDirectories: true)
            try write(
                "<!doctype html>\n<title>\(host.name)</title>\n<p>drill lab host \(host.name) (\(host.address))</p>\n",
                to: root + "/www/index.html",
                mode: 0o644
            )
            try write(
                LabServerConfig.authorizedKeys(home: root, publicKeys: publicKeys),
                to: paths.authorizedKeys + "/" + LabInventory.safeFolderName(host.name),
                mode: 0o600
            )
        }
        state.hosts = shaped.hosts
        try state.write(paths)
        try prepareHostFolders(shaped)

        var attempt = 0
        while true {
            attempt += 1
            try writePortFiles(configuration, shaped: shaped, paths: paths, port: port, hostKey: hostKey)
            do {
                let pid = try await launchServer(
                    configuration.sshdPath,
                    paths: paths,
                    port: port,
                    privilegeSeparationFolder: configuration.sshdPrivilegeSeparationFolder
                )
                let lab = Lab(directory: paths.directory)
                var status = lab.status()
                status.state = .running(pid: pid)
                return status
            } catch let error as LabError where error.code == .portBusy && configuration.port == nil && attempt < 5 {
                // Another process took the free port between our probe and sshd's bind: pick another.
                port = try choosePort(nil)
                state.port = port
                try state.write(paths)
                shaped = LabInventory(
                    source: configuration.source,
                    directory: paths.directory,
                    connection: .init(
                        port: port,
                        user: configuration.user,
                        privateKeyFile: paths.clientKey,
                        knownHostsFile: paths.knownHosts
                    )
                )
            }
        }
    }

    /// Creates the parent folders of path variables the lab moved under a host's folder (`log_dir`, …).
    private static func prepareHostFolders(_ shaped: LabInventory) throws {
        for host in shaped.inventory.hostOrder {
            guard let root = shaped.rootFolders[host], let vars = shaped.inventory.hosts[host]?.vars else { continue }
            for (key, value) in vars {
                guard let path = value.stringValue, path.hasPrefix(root + "/fs/"),
                    LabInventory.isRewrittenPath(key: key, value: "/")
                else { continue }
                let folder =
                    key.lowercased().hasSuffix("_file")
                    ? URL(fileURLWithPath: path).deletingLastPathComponent().path : path
                try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            }
        }
    }

    /// Writes the files that name the port: sshd_config, known_hosts, inventory.yaml and README.
    private static func writePortFiles(
        _ configuration: LabConfiguration,
        shaped: LabInventory,
        paths: LabPaths,
        port: Int,
        hostKey: String
    ) throws {
        try write(
            LabServerConfig.sshdConfig(paths: paths, port: port, user: configuration.user, hosts: shaped.hosts),
            to: paths.sshdConfig,
            mode: 0o600
        )
        try write(
            LabServerConfig.knownHosts(hosts: shaped.hosts, port: port, hostKey: hostKey),
            to: paths.knownHosts,
            mode: 0o644
        )
        let header = """
            drillctl practice range: generated by `drillctl lab up` from \(configuration.sourceDescription).
            Every host answers on its own 127.0.x.y address, port \(port); `drillctl lab down --dir \(paths.directory)` removes it.
            """
        try write(shaped.yaml(header: header), to: paths.inventory, mode: 0o644)
        try write(
            LabServerConfig.readme(paths: paths, port: port, user: configuration.user, hosts: shaped.hosts),
            to: paths.readme,
            mode: 0o644
        )
    }

    /// The configured port after checking it is free, or a free port chosen by the kernel.
    private static func choosePort(_ requested: Int?) throws -> Int {
        if let requested {
            guard (1...65535).contains(requested) else {
                throw LabError(.portBusy, "port \(requested) is not a TCP port (1-65535)")
            }
            if let problem = LabSystem.portProblem(requested) {
                throw LabError(
                    .portBusy,
                    "port \(requested) is busy (\(problem)): another program listens on it; choose another with --port"
                )
            }
            return requested
        }
        guard let port = LabSystem.freePort() else {
            throw LabError(.portBusy, "could not find a free TCP port on this machine")
        }
        return port
    }

    /// Starts sshd (it daemonizes) and waits until its pid file names a live sshd of ours.
    static func launchServer(
        _ sshdPath: String,
        paths: LabPaths,
        port: Int,
        privilegeSeparationFolder: String = SSHDPrerequisites.privilegeSeparationFolder
    ) async throws -> Int32 {
        // `-r`: no re-exec per connection. OpenSSH 9.2 otherwise execs itself again for every connection and
        // re-reads its config and host key: measured here, 200 logins cost the lab's sshd 4.1 s of CPU with
        // re-exec and 3.0 s without, and on a one-machine lab that CPU bounds fan-out wall time. Re-exec
        // re-randomises the address space per connection, which matters for an exposed server, not for a
        // loopback-only practice range. An sshd that does not know `-r` runs without it.
        try SSHDPrerequisites.prepare(folder: privilegeSeparationFolder)
        var flags = ["-r"]
        var check = try await LabProcess.run(sshdPath, flags + ["-t", "-f", paths.sshdConfig])
        if check.status != 0 {
            flags = []
            check = try await LabProcess.run(sshdPath, ["-t", "-f", paths.sshdConfig])
        }
        guard check.status == 0 else {
            throw LabError(
                .startFailed,
                "sshd rejected the lab's configuration \(paths.sshdConfig): \(check.stderr.trimmingCharacters(in: .whitespacesAndNewlines))"
            )
        }
        try? FileManager.default.removeItem(atPath: paths.pidFile)
        let logStart = (try? FileManager.default.attributesOfItem(atPath: paths.log)[.size] as? Int) ?? 0
        let status = try await LabProcess.launch(sshdPath, flags + ["-f", paths.sshdConfig, "-E", paths.log])
        let lab = Lab(directory: paths.directory)
        let deadline = ContinuousClock.now + .seconds(10)
        while ContinuousClock.now < deadline {
            if let pid = lab.ourServerPid(sshdPath: sshdPath) { return pid }
            let log = newLog(paths.log, from: logStart)
            if log.contains("Address already in use") {
                throw LabError(
                    .portBusy,
                    "port \(port) is busy: sshd could not listen on it (\(paths.log)); choose another with --port"
                )
            }
            if log.contains("fatal:") || (status != 0 && !log.isEmpty) {
                throw LabError(.startFailed, "the lab's sshd did not start:\n\(log)(log: \(paths.log))")
            }
            try? await Task.sleep(for: .milliseconds(20))
        }
        throw LabError(
            .startFailed,
            "the lab's sshd did not write its pid file \(paths.pidFile) within 10 s; see \(paths.log)"
        )
    }

    private static func newLog(_ path: String, from offset: Int) -> String {
        guard let data = FileManager.default.contents(atPath: path), data.count > offset else { return "" }
        return String(decoding: data[offset...], as: UTF8.self)
    }

    private static func generateKey(_ keygen: String, at path: String, comment: String) async throws {
        let output = try await LabProcess.run(keygen, ["-q", "-t", "ed25519", "-N", "", "-C", comment, "-f", path])
        guard output.status == 0 else {
            throw LabError(
                .commandFailed,
                "ssh-keygen could not create \(path): \(output.stderr.trimmingCharacters(in: .whitespacesAndNewlines))"
            )
        }
    }

    /// The `type base64` part of a `.pub` file (its comment dropped).
    private static func publicKey(_ path: String) throws -> String {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let words = text.split(separator: " ")
        guard words.count >= 2 else { throw LabError(.commandFailed, "\(path) is not an OpenSSH public key") }
        return "\(words[0]) \(words[1])"
    }

    private static func write(_ text: String, to path: String, mode: Int) throws {
        try Data(text.utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
        try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: path)
    }
}
