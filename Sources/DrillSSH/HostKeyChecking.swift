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

    /// Loads `path`; a missing file is an empty known_hosts.
    static func load(_ path: String) throws(SSHError) -> KnownHosts {
        if !FileManager.default.fileExists(atPath: path) {
            return KnownHosts(parsing: "", path: path)
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw SSHError(
                code: .hostKeyUnknown,
                message: "cannot read known_hosts file \(path); check its permissions or pass another --known-hosts"
            )
        }
        return KnownHosts(parsing: String(decoding: data, as: UTF8.self), path: path)
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
            if !directory.isEmpty {
                try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
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
