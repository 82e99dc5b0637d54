import Foundation
import Logging
import Synchronization

/// How host keys are checked against known_hosts (OpenSSH's `StrictHostKeyChecking`).
public enum HostKeyChecking: String, Sendable, Hashable, CaseIterable {
    /// The default: an unknown or changed key is refused.
    case strict
    /// An unknown host's key is recorded in known_hosts and accepted; a changed key is refused.
    case acceptNew = "accept-new"
    /// No check at all. Insecure: anyone on the path can impersonate the host. Every connection logs a warning.
    case off
}

/// Reads known_hosts files and appends accepted keys (the I/O half of host key checking).
///
/// Appends from concurrent connections are serialised by one process-wide lock; the file is re-read on each
/// check so a key recorded by one connection is seen by the next.
struct KnownHostsStore: Sendable {
    private static let appendLock = Mutex(())

    /// What identifies one version of a file: re-parse only when it changed.
    private struct FileStamp: Equatable {
        var device: UInt64
        var inode: UInt64
        var size: Int64
        var seconds: Int
        var nanoseconds: Int
    }

    /// Parsed files by path. With hundreds of hosts sharing one known_hosts, parsing it once per connection would
    /// cost more client CPU than the SSH handshake.
    private static let cache = Mutex<[String: (stamp: FileStamp, hosts: KnownHosts)]>([:])

    /// Loads `path` (from the cache when the file did not change); a missing file is an empty known_hosts.
    static func load(_ path: String) throws(SSHError) -> KnownHosts {
        var info = stat()
        guard stat(path, &info) == 0 else {
            if errno == ENOENT { return KnownHosts(parsing: "", path: path) }
            throw unreadable(path)
        }
        let stamp = FileStamp(
            device: UInt64(info.st_dev),
            inode: UInt64(info.st_ino),
            size: Int64(info.st_size),
            seconds: info.st_mtim.tv_sec,
            nanoseconds: info.st_mtim.tv_nsec
        )
        if let cached = cache.withLock({ $0[path] }), cached.stamp == stamp { return cached.hosts }
        guard let data = FileManager.default.contents(atPath: path) else { throw unreadable(path) }
        let hosts = KnownHosts(parsing: String(decoding: data, as: UTF8.self), path: path)
        cache.withLock { $0[path] = (stamp, hosts) }
        return hosts
    }

    private static func unreadable(_ path: String) -> SSHError {
        SSHError(
            code: .hostKeyUnknown,
            message: "cannot read known_hosts file \(path); check its permissions or pass another --known-hosts"
        )
    }

    /// Checks the key `host` presented against `path` under `mode`. Returns normally when the connection may go on.
    ///
    /// - Throws: ``SSHError`` `.hostKeyUnknown`, `.hostKeyChanged`, `.hostKeyRevoked` or `.knownHostsUnwritable`.
    static func verify(
        hostLabel: String,
        address: String,
        port: Int,
        key: [UInt8],
        mode: HostKeyChecking,
        path: String,
        logger: Logger
    ) throws(SSHError) {
        let keyType = HostKeyBlob.keyType(of: key) ?? "unknown"
        let fingerprint = HostKeyBlob.fingerprint(key)
        if mode == .off {
            logger.warning(
                "HOST KEY CHECKING IS OFF: accepting \(keyType) key \(fingerprint) of \(hostLabel) without checking; anyone on the network path could impersonate this host",
                metadata: ["host": "\(hostLabel)"]
            )
            return
        }
        let hosts = try load(path)
        for note in hosts.notes { logger.debug("\(note)") }
        switch hosts.check(host: address, port: port, keyType: keyType, key: key) {
        case .trusted:
            return
        case .revoked(let line):
            throw SSHError(
                code: .hostKeyRevoked,
                message:
                    "the \(keyType) key \(fingerprint) is marked @revoked in \(path):\(line). Do not connect; ask the host's owner for its new key",
                host: hostLabel
            )
        case .changed(let line, let knownType):
            throw SSHError(
                code: .hostKeyChanged,
                message:
                    "REMOTE HOST IDENTIFICATION HAS CHANGED: \(address) port \(port) presented the \(keyType) key \(fingerprint), but \(path):\(line) records a different \(knownType) key. Someone could be intercepting the connection, or the host was reinstalled. Check the new fingerprint with the host's owner, then remove the old line (ssh-keygen -R '\(KnownHosts.lookupName(host: address, port: port))' -f \(path))",
                host: hostLabel
            )
        case .unknown:
            if mode == .acceptNew {
                try append(
                    line: "\(KnownHosts.lookupName(host: address, port: port)) \(keyType) \(encode(key))",
                    to: path
                )
                logger.info(
                    "recorded new \(keyType) host key \(fingerprint) for \(hostLabel) in \(path)",
                    metadata: ["host": "\(hostLabel)"]
                )
                return
            }
            throw SSHError(
                code: .hostKeyUnknown,
                message:
                    "\(address) port \(port) is not in \(path) (it presented the \(keyType) key \(fingerprint)). Verify the fingerprint, then add the key (ssh-keyscan -p \(port) -t \(keyType) \(address) >> \(path)) or run once with --host-key-checking accept-new",
                host: hostLabel
            )
        }
    }

    private static func encode(_ key: [UInt8]) -> String { Data(key).base64EncodedString() }

    private static func append(line: String, to path: String) throws(SSHError) {
        let result: Result<Void, SSHError> = appendLock.withLock { _ in
            let directory = (path as NSString).deletingLastPathComponent
            if !directory.isEmpty, !FileManager.default.fileExists(atPath: directory) {
                // As OpenSSH does for ~/.ssh on a fresh account: private to the user.
                try? FileManager.default.createDirectory(
                    atPath: directory,
                    withIntermediateDirectories: true,
                    attributes: [.posixPermissions: 0o700]
                )
            }
            let fd = open(path, O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
            guard fd >= 0 else {
                return .failure(
                    SSHError(
                        code: .knownHostsUnwritable,
                        message: "cannot record the new host key in \(path); check the file's permissions",
                        underlying: String(cString: strerror(errno))
                    )
                )
            }
            defer { close(fd) }
            var text = line + "\n"
            // Start on a fresh line if the file does not end with one.
            let size = lseek(fd, 0, SEEK_END)
            if size > 0 {
                var last: UInt8 = 0
                if pread(fd, &last, 1, size - 1) == 1, last != UInt8(ascii: "\n") { text = "\n" + text }
            }
            let written = text.utf8CString.withUnsafeBufferPointer { buffer in
                write(fd, buffer.baseAddress, buffer.count - 1)
            }
            guard written == text.utf8.count else {
                return .failure(
                    SSHError(
                        code: .knownHostsUnwritable,
                        message: "could not write the new host key to \(path)",
                        underlying: String(cString: strerror(errno))
                    )
                )
            }
            return .success(())
        }
        try result.get()
    }
}
