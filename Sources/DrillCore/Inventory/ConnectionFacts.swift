import Foundation

/// How to reach one inventory host over SSH, read from its resolved Ansible variables.
///
/// `ansible_host`, `ansible_port`, `ansible_user`, `ansible_ssh_private_key_file`, `ansible_password` (kept as a
/// ``Secret``) and, from `ansible_ssh_common_args` / `ansible_ssh_extra_args`, a `-J`/`ProxyJump` bastion and
/// `-o UserKnownHostsFile=…`.
public struct ConnectionFacts: Sendable, Hashable {
    /// The inventory name of the host.
    public var name: String
    /// The address to connect to (`ansible_host`, else the inventory name).
    public var address: String
    /// The TCP port (`ansible_port`, else 22).
    public var port: Int
    /// The login user (`ansible_user`); nil means the current user.
    public var user: String?
    /// `ansible_ssh_private_key_file`, as written (may start with `~`).
    public var privateKeyFile: String?
    /// `ansible_password` / `ansible_ssh_pass`, never printed.
    public var password: Secret?
    /// Bastions to hop through, in order (from `ProxyJump` or `-J`).
    public var jumpHosts: [JumpHost]
    /// `UserKnownHostsFile` from the SSH arguments, if set.
    public var knownHostsFile: String?
    /// `StrictHostKeyChecking` from the SSH arguments, as written (`yes`, `accept-new`, `no`, …), if set.
    public var strictHostKeyChecking: String?
    /// Variables that could not be used, described for the user (a port that is not a number, a
    /// ProxyCommand drillctl cannot follow). Empty when every fact was read cleanly.
    public var problems: [String] = []

    /// Creates connection facts directly (tests, the lab); inventories use
    /// ``Inventory/connectionFacts(forHost:)``.
    public init(
        name: String,
        address: String,
        port: Int = 22,
        user: String? = nil,
        privateKeyFile: String? = nil,
        password: Secret? = nil,
        jumpHosts: [JumpHost] = [],
        knownHostsFile: String? = nil,
        strictHostKeyChecking: String? = nil
    ) {
        self.name = name
        self.address = address
        self.port = port
        self.user = user
        self.privateKeyFile = privateKeyFile
        self.password = password
        self.jumpHosts = jumpHosts
        self.knownHostsFile = knownHostsFile
        self.strictHostKeyChecking = strictHostKeyChecking
    }
}

/// A bastion in `[user@]host[:port]` form, as OpenSSH's `-J` takes it.
public struct JumpHost: Sendable, Hashable, CustomStringConvertible {
    /// The login user on the bastion; nil means the user of the connection.
    public var user: String?
    /// The bastion's address.
    public var address: String
    /// The bastion's SSH port.
    public var port: Int

    public init(user: String? = nil, address: String, port: Int = 22) {
        self.user = user
        self.address = address
        self.port = port
    }

    /// Parses `[user@]host[:port]` (and `[v6addr]:port`); nil when it is not of that form.
    public init?(parsing text: String) {
        var rest = Substring(text.trimmingCharacters(in: .whitespaces))
        if rest.hasPrefix("ssh://") { rest = rest.dropFirst(6) }
        if let at = rest.lastIndex(of: "@") {
            user = String(rest[..<at])
            rest = rest[rest.index(after: at)...]
        }
        port = 22
        if rest.hasPrefix("["), let close = rest.firstIndex(of: "]") {
            address = String(rest[rest.index(after: rest.startIndex)..<close])
            let after = rest[rest.index(after: close)...]
            if after.hasPrefix(":") {
                guard let value = Int(after.dropFirst()) else { return nil }
                port = value
            }
        } else if let colon = rest.lastIndex(of: ":") {
            address = String(rest[..<colon])
            guard let value = Int(rest[rest.index(after: colon)...]) else { return nil }
            port = value
        } else {
            address = String(rest)
        }
        if address.isEmpty || !(1...65535).contains(port) { return nil }
    }

    public var description: String {
        let userPart = user.map { "\($0)@" } ?? ""
        let hostPart = address.contains(":") ? "[\(address)]" : address
        return port == 22 ? "\(userPart)\(hostPart)" : "\(userPart)\(hostPart):\(port)"
    }
}
