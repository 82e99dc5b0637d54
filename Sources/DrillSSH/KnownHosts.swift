import Crypto
import Foundation

/// An OpenSSH `known_hosts` file, parsed with OpenSSH's meaning.
///
/// Understands comma-separated host lists, `[host]:port` entries, `*` / `?` wildcards, `!` negation, hashed
/// `|1|salt|hash` entries (HMAC-SHA1 of the host name, as `HashKnownHosts yes` writes them) and the `@revoked`
/// marker. `@cert-authority` lines are skipped (libssh2 1.10 has no certificate support) and reported in
/// ``notes``. A port-less entry matches port 22 only, as in OpenSSH.
///
/// This is pure code: it parses text and answers questions; reading and appending the file is
/// ``KnownHostsStore``'s job.
public struct KnownHosts: Sendable {
    /// One key line of the file.
    public struct Entry: Sendable, Hashable {
        /// The marker before the host patterns, if any.
        public enum Marker: Sendable, Hashable {
            case none
            case revoked
        }

        public var marker: Marker
        /// The host pattern field as written (hashed or not).
        public var patterns: String
        /// The key type (`ssh-ed25519`, `ecdsa-sha2-nistp256`, …).
        public var keyType: String
        /// The public key blob (the base64 field, decoded).
        public var key: [UInt8]
        /// 1-based line number in ``KnownHosts/path``.
        public var line: Int
    }

    /// The file these entries came from (for messages).
    public var path: String
    /// Every key line, in file order.
    public var entries: [Entry]
    /// Lines that were skipped, with the reason (`file:line: …`).
    public var notes: [String]

    /// Parses the text of a known_hosts file. Malformed lines are skipped and described in ``notes``.
    public init(parsing text: String, path: String) {
        self.path = path
        var entries: [Entry] = []
        var notes: [String] = []
        var lineNumber = 0
        for rawLine in text.split(separator: "\n", omittingEmptySubsequences: false) {
            lineNumber += 1
            let line = rawLine.trimmingCharacters(in: .whitespaces.union(CharacterSet(charactersIn: "\r")))
            if line.isEmpty || line.hasPrefix("#") { continue }
            var fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
            var marker = Entry.Marker.none
            if let first = fields.first, first.hasPrefix("@") {
                switch first {
                case "@revoked":
                    marker = .revoked
                case "@cert-authority":
                    notes.append(
                        "\(path):\(lineNumber): @cert-authority line ignored (host certificates are not supported)"
                    )
                    continue
                default:
                    notes.append("\(path):\(lineNumber): unknown marker \(first); line ignored")
                    continue
                }
                fields.removeFirst()
            }
            guard fields.count >= 3, let blob = Data(base64Encoded: fields[2]) else {
                notes.append("\(path):\(lineNumber): expected 'hosts keytype base64-key'; line ignored")
                continue
            }
            let bytes = [UInt8](blob)
            guard let embedded = HostKeyBlob.keyType(of: bytes) else {
                notes.append("\(path):\(lineNumber): the key field is not an SSH public key; line ignored")
                continue
            }
            if embedded != fields[1] {
                notes.append(
                    "\(path):\(lineNumber): key type \(fields[1]) does not match the key (\(embedded)); line ignored"
                )
                continue
            }
            entries.append(
                Entry(marker: marker, patterns: fields[0], keyType: fields[1], key: bytes, line: lineNumber)
            )
        }
        self.entries = entries
        self.notes = notes
    }

    /// The name OpenSSH looks up for `host` on `port`: `host` for port 22, else `[host]:port`.
    public static func lookupName(host: String, port: Int) -> String {
        port == 22 ? host.lowercased() : "[\(host.lowercased())]:\(port)"
    }

    /// The non-revoked entries whose host patterns match `host` on `port`.
    public func entries(forHost host: String, port: Int) -> [Entry] {
        let name = Self.lookupName(host: host, port: port)
        return entries.filter { $0.marker == .none && Self.patterns($0.patterns, match: name) }
    }

    /// The key types known for `host` on `port`, most preferred first, without duplicates.
    public func keyTypes(forHost host: String, port: Int) -> [String] {
        var seen: [String] = []
        for entry in entries(forHost: host, port: port) where !seen.contains(entry.keyType) {
            seen.append(entry.keyType)
        }
        return seen.sorted { HostKeyBlob.preferenceRank($0) < HostKeyBlob.preferenceRank($1) }
    }

    /// What known_hosts says about `key` (of type `keyType`) presented by `host` on `port`.
    public func check(host: String, port: Int, keyType: String, key: [UInt8]) -> HostKeyVerdict {
        if let revoked = entries.first(where: { $0.marker == .revoked && $0.key == key }) {
            return .revoked(line: revoked.line)
        }
        let matching = entries(forHost: host, port: port)
        if let trusted = matching.first(where: { $0.keyType == keyType && $0.key == key }) {
            return .trusted(line: trusted.line)
        }
        if let sameType = matching.first(where: { $0.keyType == keyType }) {
            return .changed(line: sameType.line, knownType: sameType.keyType)
        }
        if let other = matching.first {
            return .changed(line: other.line, knownType: other.keyType)
        }
        return .unknown
    }

    /// True when the comma-separated `list` matches `name` (OpenSSH `match_hostname`): some pattern matches and
    /// no negated (`!`) pattern does.
    static func patterns(_ list: String, match name: String) -> Bool {
        if list.hasPrefix("|1|") {
            return hashedPattern(list, matches: name)
        }
        var matched = false
        for raw in list.split(separator: ",") {
            var pattern = raw.lowercased()
            let negated = pattern.hasPrefix("!")
            if negated { pattern.removeFirst() }
            if glob(Array(pattern.utf8), Array(name.utf8)) {
                if negated { return false }
                matched = true
            }
        }
        return matched
    }

    /// `|1|base64(salt)|base64(HMAC-SHA1(salt, name))`.
    static func hashedPattern(_ field: String, matches name: String) -> Bool {
        let parts = field.split(separator: "|", omittingEmptySubsequences: true)
        guard parts.count == 3, parts[0] == "1", let salt = Data(base64Encoded: String(parts[1])),
            let hash = Data(base64Encoded: String(parts[2]))
        else { return false }
        let mac = HMAC<Insecure.SHA1>.authenticationCode(for: Data(name.utf8), using: SymmetricKey(data: salt))
        return Data(mac) == hash
    }

    /// OpenSSH-style wildcard match: `*` any run, `?` one character.
    static func glob(_ pattern: [UInt8], _ text: [UInt8]) -> Bool {
        var p = 0
        var t = 0
        var star = -1
        var mark = 0
        while t < text.count {
            if p < pattern.count, pattern[p] == UInt8(ascii: "?") || pattern[p] == text[t] {
                p += 1
                t += 1
            } else if p < pattern.count, pattern[p] == UInt8(ascii: "*") {
                star = p
                mark = t
                p += 1
            } else if star >= 0 {
                p = star + 1
                mark += 1
                t = mark
            } else {
                return false
            }
        }
        while p < pattern.count, pattern[p] == UInt8(ascii: "*") { p += 1 }
        return p == pattern.count
    }
}

/// What known_hosts says about a presented host key.
public enum HostKeyVerdict: Sendable, Hashable {
    /// The key is recorded for this host on `line`.
    case trusted(line: Int)
    /// Nothing is recorded for this host.
    case unknown
    /// A different key is recorded for this host on `line` (of type `knownType`).
    case changed(line: Int, knownType: String)
    /// The key is marked `@revoked` on `line`.
    case revoked(line: Int)
}

/// Helpers on SSH public key blobs (RFC 4253 wire format).
public enum HostKeyBlob {
    /// The key type name stored at the start of a public key blob, or nil when the blob is malformed.
    public static func keyType(of blob: [UInt8]) -> String? {
        guard blob.count >= 4 else { return nil }
        let length = Int(blob[0]) << 24 | Int(blob[1]) << 16 | Int(blob[2]) << 8 | Int(blob[3])
        guard length > 0, length <= 64, blob.count >= 4 + length else { return nil }
        return String(decoding: blob[4..<(4 + length)], as: UTF8.self)
    }

    /// The OpenSSH fingerprint of a key: `SHA256:` and the unpadded base64 of the SHA-256 of the blob.
    public static func fingerprint(_ blob: [UInt8]) -> String {
        let digest = Data(SHA256.hash(data: blob)).base64EncodedString()
        return "SHA256:" + digest.replacingOccurrences(of: "=", with: "")
    }

    /// OpenSSH's default host key preference order (lower is preferred).
    static func preferenceRank(_ type: String) -> Int {
        let order = [
            "ssh-ed25519", "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384", "ecdsa-sha2-nistp521", "ssh-rsa", "ssh-dss",
        ]
        return order.firstIndex(of: type) ?? order.count
    }

    /// The libssh2 host key method list (`libssh2_session_method_pref(LIBSSH2_METHOD_HOSTKEY, …)`) that makes the
    /// server present one of `keyTypes`. An `ssh-rsa` key may be signed with rsa-sha2-512/256 too. With no known
    /// types, OpenSSH's own order.
    static func hostKeyMethods(for keyTypes: [String]) -> String {
        let types =
            keyTypes.isEmpty
            ? ["ssh-ed25519", "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384", "ecdsa-sha2-nistp521", "ssh-rsa"]
            : keyTypes
        var methods: [String] = []
        for type in types {
            switch type {
            case "ssh-rsa": methods += ["rsa-sha2-512", "rsa-sha2-256", "ssh-rsa"]
            default: methods.append(type)
            }
        }
        return methods.joined(separator: ",")
    }
}
