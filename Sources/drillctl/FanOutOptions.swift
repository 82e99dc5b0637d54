import ArgumentParser
import DrillCore
import DrillSSH
import Foundation
import Logging

/// The options `ping` and `exec` share: which inventory and hosts, how many at once, host key policy, output.
struct FanOutOptions: ParsableArguments {
    @Option(
        name: [.customShort("i"), .customLong("inventory")],
        help: "The Ansible inventory (YAML) to read hosts from."
    )
    var inventory: String

    @Option(
        name: [.customShort("l"), .customLong("limit")],
        help: "An Ansible host pattern selecting hosts (group, host, glob, a:b, a:&b, a:!b); default all."
    )
    var limit: String?

    @Option(name: [.customShort("f"), .customLong("forks")], help: "How many hosts to work on at once.")
    var forks: Int = 50

    @Option(
        name: .customLong("known-hosts"),
        help: "The known_hosts file for every host (default: the host's UserKnownHostsFile, else ~/.ssh/known_hosts)."
    )
    var knownHosts: String?

    @Option(
        name: .customLong("host-key-checking"),
        help: "strict (refuse unknown or changed keys), accept-new (record unknown keys) or off (insecure)."
    )
    var hostKeyChecking: HostKeyCheckingArgument = .strict

    @Option(help: "Output format: text or json.")
    var format: OutputFormat = .text

    func validateShared() throws {
        if forks < 1 { throw ValidationError("--forks must be at least 1") }
    }
}

enum HostKeyCheckingArgument: String, ExpressibleByArgument, CaseIterable {
    case strict
    case acceptNew = "accept-new"
    case off

    var policy: HostKeyChecking {
        switch self {
        case .strict: .strict
        case .acceptNew: .acceptNew
        case .off: .off
        }
    }
}

/// One selected host: its connection facts and where it belongs (for the table).
struct FanOutTarget {
    var facts: ConnectionFacts
    var province: String?
    var team: String?
}

extension FanOutOptions {
    /// Reads the inventory and returns the hosts `--limit` selects, in inventory order.
    ///
    /// - Throws: after printing the inventory's problems, or when `--limit` selects nothing.
    func selectTargets() throws -> [FanOutTarget] {
        let inventory = try FanOutInventory.load(path: self.inventory)
        let names = try InventoryCommand.selectHosts(limit, in: inventory) ?? inventory.hostOrder
        guard !names.isEmpty else { throw FanOutFailure("\(self.inventory) has no hosts") }
        return names.map { name in
            let vars = inventory.variables(forHost: name)
            return FanOutTarget(
                facts: inventory.connectionFacts(forHost: name),
                province: vars["drill_province"]?.renderedText,
                team: vars["drill_team"]?.renderedText
            )
        }
    }

    /// The SSH transport for these options; warnings (host key checking off) go to stderr.
    func makeTransport(connectTimeout: Duration) -> SSHTransport {
        var logger = Logger(label: "drillctl", factory: { StreamLogHandler.standardError(label: $0) })
        logger.logLevel = .warning
        return SSHTransport(
            configuration: SSHTransport.Configuration(
                hostKeyChecking: hostKeyChecking.policy,
                knownHostsFile: knownHosts,
                connectTimeout: connectTimeout,
                maxConcurrentOperations: forks
            ),
            logger: logger
        )
    }
}

/// The reason shown for a host that could not be reached: the SSH error without the host prefix (the table
/// already names the host).
@Sendable func describeFanOutError(_ error: any Error) -> String {
    if let ssh = error as? SSHError {
        var text = "\(ssh.code): \(ssh.message)"
        if let underlying = ssh.underlying { text += " (\(underlying))" }
        return text
    }
    return String(describing: error)
}

/// A failure already explained: printed as `Error: MESSAGE`, exit status 1.
struct FanOutFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// Seconds as the tables show them: `0.042s`.
func formatSeconds(_ seconds: Double) -> String {
    String(format: "%.3fs", seconds)
}

/// Writes `text` to stdout at once (unbuffered), for lines streamed while hosts finish.
func writeOut(_ text: String) {
    FileHandle.standardOutput.write(Data(text.utf8))
}

/// Pads `text` to `width` columns (counting characters).
func pad(_ text: String, _ width: Int) -> String {
    text.count >= width ? text : text + String(repeating: " ", count: width - text.count)
}

/// `value` as JSON (sorted keys, pretty, slashes unescaped).
func jsonText<T: Encodable>(_ value: T) throws -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    return String(decoding: try encoder.encode(value), as: UTF8.self)
}

extension Duration {
    /// The duration in seconds as a Double.
    var seconds: Double {
        let parts = components
        return Double(parts.seconds) + Double(parts.attoseconds) / 1e18
    }
}

/// Ends the process with `status` right away, after flushing stdout and stderr, without running `atexit`
/// handlers.
///
/// Why: `SSHTransport.shutdown()` hands the kept sessions to its worker threads to close and returns before they
/// are closed; a normal `exit()` then runs OpenSSL's `atexit` cleanup while a worker is still inside libssh2,
/// which crashed `drillctl exec` with SIGSEGV in about one run in three. Nothing of drillctl's needs `atexit`.
func finishFanOut(status: Int32) -> Never {
    fflush(nil)
    _exit(status)
}
