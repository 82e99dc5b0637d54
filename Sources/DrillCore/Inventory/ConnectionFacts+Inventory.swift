import Foundation

extension Inventory {
    /// How to reach `host` over SSH, from its resolved variables (see ``variables(forHost:)``).
    ///
    /// Reads `ansible_host`, `ansible_port` (a number or a numeric string), `ansible_user`,
    /// `ansible_ssh_private_key_file`, `ansible_password` / `ansible_ssh_pass` (as a ``Secret``), and from
    /// `ansible_ssh_common_args` then `ansible_ssh_extra_args` (split like a shell would): `-J a,b`,
    /// `-o ProxyJump=a,b`, the classic `-o ProxyCommand="ssh -W %h:%p -q user@bastion"`,
    /// `-o UserKnownHostsFile=…` and `-o StrictHostKeyChecking=…`. As with OpenSSH, the first value given
    /// for an option wins. The older spellings `ansible_ssh_host`, `ansible_ssh_port`, `ansible_ssh_user`,
    /// `ansible_private_key_file` and `ansible_ssh_password` are read when the usual one is absent.
    ///
    /// Values that cannot be used (a port that is not a number, a ProxyCommand drillctl cannot follow) are
    /// described in ``ConnectionFacts/problems`` rather than thrown, so a caller can report every host's.
    public func connectionFacts(forHost host: String) -> ConnectionFacts {
        ConnectionFacts(name: host, variables: variables(forHost: host))
    }
}

extension ConnectionFacts {
    /// Reads the connection facts of host `name` from its resolved variables.
    public init(name: String, variables: [String: InventoryValue]) {
        func text(_ keys: String...) -> String? {
            for key in keys {
                guard let value = variables[key] else { continue }
                if case .null = value { continue }
                let rendered = value.renderedText
                if !rendered.isEmpty { return rendered }
            }
            return nil
        }
        self.init(name: name, address: text("ansible_host", "ansible_ssh_host") ?? name)
        if let portText = text("ansible_port", "ansible_ssh_port") {
            if let port = Int(portText.trimmingCharacters(in: .whitespaces)), (1...65535).contains(port) {
                self.port = port
            } else {
                problems.append("ansible_port must be a port number from 1 to 65535; found '\(portText)'")
            }
        }
        user = text("ansible_user", "ansible_ssh_user")
        privateKeyFile = text("ansible_ssh_private_key_file", "ansible_private_key_file")
        password = text("ansible_password", "ansible_ssh_pass", "ansible_ssh_password").map(Secret.init)
        for key in ["ansible_ssh_common_args", "ansible_ssh_extra_args"] {
            guard let arguments = text(key) else { continue }
            apply(sshArguments: arguments, from: key)
        }
    }

    /// Applies the OpenSSH options drillctl understands from an `ansible_ssh_*_args` string.
    mutating func apply(sshArguments: String, from variable: String) {
        let words: [String]
        do {
            words = try ShellWords.split(sshArguments, comments: false).map(\.text)
        } catch {
            problems.append("cannot read \(variable): \(error.message)")
            return
        }
        var index = 0
        var jumpSet = !jumpHosts.isEmpty
        while index < words.count {
            let word = words[index]
            index += 1
            var option: String?
            if word == "-o" || word == "-J" {
                guard index < words.count else {
                    problems.append("\(variable) ends with '\(word)' and no value after it")
                    break
                }
                option = word == "-o" ? words[index] : "ProxyJump=" + words[index]
                index += 1
            } else if word.hasPrefix("-o") {
                option = String(word.dropFirst(2))
            } else if word.hasPrefix("-J") {
                option = "ProxyJump=" + word.dropFirst(2)
            }
            guard let option else { continue }
            let (key, value) = Self.splitOption(option)
            switch key.lowercased() {
            case "proxyjump":
                guard !jumpSet else { continue }
                jumpSet = true
                if value.lowercased() == "none" { continue }
                for hop in value.split(separator: ",") {
                    if let jump = JumpHost(parsing: String(hop)) {
                        jumpHosts.append(jump)
                    } else {
                        problems.append("\(variable): '\(hop)' is not a jump host of the form [user@]host[:port]")
                    }
                }
            case "proxycommand":
                guard !jumpSet else { continue }
                jumpSet = true
                if value.lowercased() == "none" { continue }
                if let jump = Self.bastion(inProxyCommand: value) {
                    jumpHosts.append(jump)
                } else {
                    problems.append(
                        "\(variable): drillctl follows a ProxyCommand only of the form 'ssh -W %h:%p [user@]bastion'; found '\(value)'; use ProxyJump (-J) instead"
                    )
                }
            case "userknownhostsfile":
                if knownHostsFile == nil, let first = value.split(separator: " ").first {
                    knownHostsFile = String(first)
                }
            case "stricthostkeychecking":
                if strictHostKeyChecking == nil { strictHostKeyChecking = value }
            default:
                continue
            }
        }
    }

    /// `Key=Value` or `Key Value`, as ssh's `-o` takes it.
    static func splitOption(_ option: String) -> (String, String) {
        let trimmed = option.trimmingCharacters(in: .whitespaces)
        guard let separator = trimmed.firstIndex(where: { $0 == "=" || $0 == " " || $0 == "\t" }) else {
            return (trimmed, "")
        }
        let key = String(trimmed[..<separator])
        var value = trimmed[trimmed.index(after: separator)...].trimmingCharacters(in: .whitespaces)
        if value.hasPrefix("=") { value = value.dropFirst().trimmingCharacters(in: .whitespaces) }
        return (key, value)
    }

    /// The bastion of a classic `ssh [options] -W %h:%p [user@]bastion` ProxyCommand (also with `-p port`,
    /// `-l user`, `-o Port=` / `-o User=`, or `nc %h %p` as the remote command); nil for anything else.
    static func bastion(inProxyCommand command: String) -> JumpHost? {
        guard let words = try? ShellWords.split(command, comments: false).map(\.text), let program = words.first,
            program == "ssh" || program.hasSuffix("/ssh")
        else { return nil }
        let takesValue = Set("BbcDEeFIiJLlmOopQRSWw")
        var destination: String?
        var rest: [String] = []
        var port: Int?
        var user: String?
        var forwardsStdio = false
        var index = 1
        while index < words.count {
            let word = words[index]
            index += 1
            if destination == nil, word.hasPrefix("-"), word.count >= 2 {
                let flag = word[word.index(after: word.startIndex)]
                guard takesValue.contains(flag) else { continue }
                var value = String(word.dropFirst(2))
                if value.isEmpty {
                    guard index < words.count else { return nil }
                    value = words[index]
                    index += 1
                }
                switch flag {
                case "p": port = Int(value)
                case "l": user = value
                case "W": forwardsStdio = value == "%h:%p"
                case "o":
                    let (key, optionValue) = splitOption(value)
                    if key.lowercased() == "port" { port = Int(optionValue) }
                    if key.lowercased() == "user" { user = optionValue }
                default: break
                }
                continue
            }
            if destination == nil { destination = word } else { rest.append(word) }
        }
        let netcat =
            rest.count >= 3 && ["nc", "netcat", "ncat"].contains(rest[0]) && rest[1] == "%h" && rest[2] == "%p"
        guard let destination, forwardsStdio || netcat, var jump = JumpHost(parsing: destination) else { return nil }
        if jump.user == nil { jump.user = user }
        if let port, jump.port == 22 { jump.port = port }
        return jump
    }
}
