import DrillCore
import DrillLab
import DrillSSH
import DrillTesting
import Foundation
import InMemoryLogging
import Logging

/// Builds transports and credentials for the integration tests. Every test uses its own lab (its own sshd on a
/// free port, answering on 127.0.10.x) from DrillLab, and its own temporary folder for keys.
enum SSHTestSupport {
    /// A transport whose environment holds only what the test gives it (no agent, no HOME keys of the real user),
    /// with its log captured in memory.
    static func transport(
        environment: [String: String] = [:],
        hostKeyChecking: HostKeyChecking = .strict,
        knownHostsFile: String? = nil,
        configure: (inout SSHTransport.Configuration) -> Void = { _ in }
    ) -> (SSHTransport, InMemoryLogHandler) {
        let handler = InMemoryLogHandler()
        var logger = Logger(label: "drill.ssh.test") { _ in handler }
        logger.logLevel = .debug
        var base = ["HOME": "/nonexistent-drill-home", "USER": LabTestUser.name]
        base.merge(environment) { _, new in new }
        var configuration = SSHTransport.Configuration(
            hostKeyChecking: hostKeyChecking,
            knownHostsFile: knownHostsFile,
            connectTimeout: .seconds(10),
            environment: base
        )
        configure(&configuration)
        return (SSHTransport(configuration: configuration, logger: logger), handler)
    }

    /// Every log message, for asserting that no secret leaked.
    static func allLogText(_ handler: InMemoryLogHandler) -> String {
        handler.entries.map { "\($0.message) \($0.metadata)" }.joined(separator: "\n")
    }

    /// Generates a key with ssh-keygen: `type` ed25519 or ecdsa (or rsa, to test the refusal); `pem` for the
    /// old PEM format; `passphrase` to encrypt it. Returns the private key path.
    static func generateKey(
        in folder: TemporaryDirectory,
        name: String,
        type: String,
        pem: Bool = false,
        passphrase: String = ""
    ) async throws -> String {
        let path = folder.path + "/" + name
        var arguments = ["-q", "-t", type, "-N", passphrase, "-C", name, "-f", path]
        if pem { arguments += ["-m", "PEM"] }
        let output = try await CommandRunner.run("/usr/bin/ssh-keygen", arguments)
        guard output.status == 0 else { throw TestFailure("ssh-keygen failed: \(output)") }
        return path
    }

    /// The public key line (`type base64`) of a private key made by ``generateKey(in:name:type:pem:passphrase:)``.
    static func publicKey(of privateKey: String) throws -> String {
        let text = try String(contentsOfFile: privateKey + ".pub", encoding: .utf8)
        return text.split(separator: " ").prefix(2).joined(separator: " ")
    }

    /// Runs `command` with /bin/sh on this machine (the lab's targets are this machine).
    static func local(_ command: String) async throws -> CommandOutput {
        try await CommandRunner.run("/bin/sh", ["-c", command])
    }
}

/// The user lab logins run as: the current user.
enum LabTestUser {
    static var name: String {
        if let entry = getpwuid(geteuid()), let name = entry.pointee.pw_name { return String(cString: name) }
        return "root"
    }
}

struct TestFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

extension SSHError {
    /// For `#expect(throws:)` closures that need the code.
    static func code(of error: any Error) -> SSHError.Code? { (error as? SSHError)?.code }
}
