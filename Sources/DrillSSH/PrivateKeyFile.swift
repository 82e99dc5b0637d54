import Foundation

/// What a private key file is, read without decrypting it: enough to refuse RSA before connecting and to ask
/// for a passphrase only when the key needs one.
struct PrivateKeyInfo: Sendable, Hashable {
    enum Format: String, Sendable {
        case openSSH = "OpenSSH"
        case pem = "PEM"
        case pkcs8 = "PKCS#8"
    }

    /// The key algorithm, when it can be told without the passphrase (`ssh-ed25519`, `ecdsa`, `ssh-rsa`, …).
    var algorithm: String?
    var format: Format
    var encrypted: Bool

    var isRSA: Bool { algorithm == "ssh-rsa" }

    /// Reads the armour and, for OpenSSH keys, the unencrypted public half. Nil when `text` is not a private key.
    init?(parsing text: String) {
        func body(_ label: String) -> [UInt8]? {
            guard let start = text.range(of: "-----BEGIN \(label)-----"),
                let end = text.range(of: "-----END \(label)-----", range: start.upperBound..<text.endIndex)
            else { return nil }
            let lines = text[start.upperBound..<end.lowerBound].split(whereSeparator: \.isNewline)
            // PEM headers (Proc-Type, DEK-Info) contain ':' and are not base64.
            let base64 = lines.filter { !$0.contains(":") }.joined()
            return Data(base64Encoded: base64).map { [UInt8]($0) }
        }
        if let der = body("OPENSSH PRIVATE KEY") {
            format = .openSSH
            var reader = SSHWireReader(der)
            guard reader.readMagic("openssh-key-v1"), let cipher = reader.readString(),
                reader.readString() != nil, reader.readString() != nil, let count = reader.readUInt32(), count >= 1,
                let publicKey = reader.readString()
            else { return nil }
            encrypted = String(decoding: cipher, as: UTF8.self) != "none"
            algorithm = HostKeyBlob.keyType(of: publicKey)
        } else if text.contains("-----BEGIN RSA PRIVATE KEY-----") {
            format = .pem
            algorithm = "ssh-rsa"
            encrypted = text.contains("ENCRYPTED")
        } else if text.contains("-----BEGIN EC PRIVATE KEY-----") {
            format = .pem
            algorithm = "ecdsa"
            encrypted = text.contains("ENCRYPTED")
        } else if text.contains("-----BEGIN DSA PRIVATE KEY-----") {
            format = .pem
            algorithm = "ssh-dss"
            encrypted = text.contains("ENCRYPTED")
        } else if text.contains("-----BEGIN ENCRYPTED PRIVATE KEY-----") {
            format = .pkcs8
            algorithm = nil
            encrypted = true
        } else if let der = body("PRIVATE KEY") {
            format = .pkcs8
            encrypted = false
            // AlgorithmIdentifier OIDs: rsaEncryption 1.2.840.113549.1.1.1, id-ecPublicKey 1.2.840.10045.2.1,
            // id-Ed25519 1.3.101.112.
            if der.containsSequence([0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x01, 0x01]) {
                algorithm = "ssh-rsa"
            } else if der.containsSequence([0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x02, 0x01]) {
                algorithm = "ecdsa"
            } else if der.containsSequence([0x06, 0x03, 0x2B, 0x65, 0x70]) {
                algorithm = "ssh-ed25519"
            } else {
                algorithm = nil
            }
        } else {
            return nil
        }
    }
}

extension [UInt8] {
    fileprivate func containsSequence(_ needle: [UInt8]) -> Bool {
        guard needle.count <= count else { return false }
        for start in 0...(count - needle.count) where self[start..<(start + needle.count)].elementsEqual(needle) {
            return true
        }
        return false
    }
}

/// Reads SSH wire-format fields (RFC 4251 §5) from bytes.
struct SSHWireReader {
    private let bytes: [UInt8]
    private var offset = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    mutating func readMagic(_ magic: String) -> Bool {
        let expected = Array(magic.utf8) + [0]
        guard bytes.count >= offset + expected.count,
            bytes[offset..<(offset + expected.count)].elementsEqual(expected)
        else { return false }
        offset += expected.count
        return true
    }

    mutating func readUInt32() -> UInt32? {
        guard bytes.count >= offset + 4 else { return nil }
        let value = bytes[offset..<(offset + 4)].reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
        offset += 4
        return value
    }

    mutating func readString() -> [UInt8]? {
        guard let length = readUInt32(), bytes.count >= offset + Int(length) else { return nil }
        let value = Array(bytes[offset..<(offset + Int(length))])
        offset += Int(length)
        return value
    }
}
