import DrillCore
import Foundation

/// The environment variables DrillSSH reads. Documented in docs/ssh.md.
public enum SSHEnvironment {
    /// The passphrase of an encrypted private key.
    public static let keyPassphrase = "DRILL_SSH_KEY_PASSPHRASE"
    /// A file whose first line is the passphrase of an encrypted private key (used when ``keyPassphrase`` is unset).
    public static let keyPassphraseFile = "DRILL_SSH_KEY_PASSPHRASE_FILE"
    /// The login password, used when the inventory gives none (`ansible_password`).
    public static let password = "DRILL_SSH_PASSWORD"
    /// The ssh-agent socket, as OpenSSH uses it.
    public static let agentSocket = "SSH_AUTH_SOCK"
}

/// The credentials for one login, resolved before connecting so that bad keys fail fast.
struct LoginCredentials: Sendable {
    /// The private key to try, with its passphrase.
    struct KeyFile: Sendable {
        var path: String
        var info: PrivateKeyInfo
        var passphrase: Secret?
    }

    var user: String
    var agentSocket: String?
    var keyFiles: [KeyFile]
    var password: Secret?

    /// Resolves the credentials of `facts` from the files and `environment`.
    ///
    /// An explicit key file must exist and be usable; default keys (`~/.ssh/id_ed25519`, `~/.ssh/id_ecdsa`) are
    /// used when present.
    ///
    /// - Throws: ``SSHError`` `.unsupportedKey` for an RSA key, `.keyUnreadable` for a missing or unreadable key, or
    ///   an encrypted key with no passphrase.
    static func resolve(
        user: String?,
        privateKeyFile: String?,
        password: Secret?,
        environment: [String: String],
        hostLabel: String
    ) throws(SSHError) -> LoginCredentials {
        let home = environment["HOME"] ?? NSHomeDirectory()
        let login = user ?? environment["USER"] ?? environment["LOGNAME"] ?? currentUserName()
        let passphrase = try passphrase(from: environment)
        var keys: [KeyFile] = []
        if let explicit = privateKeyFile {
            let path = expandTilde(explicit, home: home)
            if let key = try keyFile(at: path, passphrase: passphrase, hostLabel: hostLabel, explicit: true) {
                keys.append(key)
            }
        } else {
            for name in ["id_ed25519", "id_ecdsa"] {
                let path = "\(home)/.ssh/\(name)"
                if let key = try? keyFile(at: path, passphrase: passphrase, hostLabel: hostLabel, explicit: false) {
                    keys.append(key)
                }
            }
        }
        let agent = environment[SSHEnvironment.agentSocket].flatMap { $0.isEmpty ? nil : $0 }
        let secret = password ?? environment[SSHEnvironment.password].flatMap { $0.isEmpty ? nil : Secret($0) }
        return LoginCredentials(user: login, agentSocket: agent, keyFiles: keys, password: secret)
    }

    private static func keyFile(
        at path: String,
        passphrase: Secret?,
        hostLabel: String,
        explicit: Bool
    ) throws(SSHError) -> KeyFile? {
        guard let data = FileManager.default.contents(atPath: path) else {
            if !explicit { return nil }
            throw SSHError(
                code: .keyUnreadable,
                message:
                    "cannot read the private key \(path) (ansible_ssh_private_key_file); check the path and its permissions",
                host: hostLabel
            )
        }
        guard let info = PrivateKeyInfo(parsing: String(decoding: data, as: UTF8.self)) else {
            throw SSHError(
                code: .keyUnreadable,
                message:
                    "\(path) is not a private key in OpenSSH or PEM format; generate one with ssh-keygen -t ed25519",
                host: hostLabel
            )
        }
        if info.isRSA {
            throw SSHError(
                code: .unsupportedKey,
                message:
                    "\(path) is an RSA key. libssh2 1.10 signs RSA only with SHA-1 (ssh-rsa), which OpenSSH 8.8 and later refuse. Use an ed25519 key (ssh-keygen -t ed25519) or ECDSA key instead",
                host: hostLabel
            )
        }
        if info.format == .pkcs8 && info.algorithm == "ssh-ed25519" {
            // Measured: libssh2 1.10 loads such a key but fails to sign with it ("Callback returned error").
            throw SSHError(
                code: .unsupportedKey,
                message:
                    "\(path) is an ed25519 key in PKCS#8 PEM format (as openssl genpkey writes it), which libssh2 1.10 cannot sign with. Use an ed25519 key in OpenSSH format (ssh-keygen -t ed25519) or an ECDSA key",
                host: hostLabel
            )
        }
        if info.encrypted && passphrase == nil {
            throw SSHError(
                code: .keyUnreadable,
                message:
                    "\(path) is encrypted and no passphrase was given; set \(SSHEnvironment.keyPassphrase) or name a file holding it in \(SSHEnvironment.keyPassphraseFile), or load the key into ssh-agent",
                host: hostLabel
            )
        }
        return KeyFile(path: path, info: info, passphrase: info.encrypted ? passphrase : nil)
    }

    private static func passphrase(from environment: [String: String]) throws(SSHError) -> Secret? {
        if let value = environment[SSHEnvironment.keyPassphrase], !value.isEmpty { return Secret(value) }
        guard let file = environment[SSHEnvironment.keyPassphraseFile], !file.isEmpty else { return nil }
        guard let data = FileManager.default.contents(atPath: file) else {
            throw SSHError(
                code: .keyUnreadable,
                message: "cannot read the passphrase file \(file) named by \(SSHEnvironment.keyPassphraseFile)"
            )
        }
        let text = String(decoding: data, as: UTF8.self)
        let firstLine = text.split(separator: "\n", omittingEmptySubsequences: false).first.map(String.init) ?? ""
        return Secret(firstLine.hasSuffix("\r") ? String(firstLine.dropLast()) : firstLine)
    }

    static func expandTilde(_ path: String, home: String) -> String {
        if path == "~" { return home }
        if path.hasPrefix("~/") { return home + path.dropFirst(1) }
        return path
    }

    private static func currentUserName() -> String {
        if let entry = getpwuid(geteuid()), let name = entry.pointee.pw_name { return String(cString: name) }
        return "root"
    }
}
