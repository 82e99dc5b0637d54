import Foundation
import Testing

@testable import DrillSSH

/// known_hosts with OpenSSH's meaning, pinned against lines written and checked by OpenSSH's own ssh-keygen.
@Suite("known_hosts parsing and matching")
struct KnownHostsTests {
    static let keyA = "AAAAC3NzaC1lZDI1NTE5AAAAIMPtPRdrxnbscDkNuxkm4MIDuroUilHny+i3FnwN6CGH"
    static let keyB = "AAAAC3NzaC1lZDI1NTE5AAAAIKQWBQnxu/CzJpnvARZOS2lmDorvTj01nmqrmWi30Dd5"
    static var blobA: [UInt8] { [UInt8](Data(base64Encoded: keyA)!) }
    static var blobB: [UInt8] { [UInt8](Data(base64Encoded: keyB)!) }

    @Test("the fingerprint is OpenSSH's SHA256 form (as ssh-keygen -lf prints it)")
    func fingerprint() {
        #expect(HostKeyBlob.fingerprint(Self.blobA) == "SHA256:0B9yhqbVgPcIVKXlZOftkohX1HTeuofcO5JoNrUjrKE")
        #expect(HostKeyBlob.keyType(of: Self.blobA) == "ssh-ed25519")
    }

    @Test("a [host]:port entry matches that port only")
    func bracketedPort() {
        let hosts = KnownHosts(parsing: "[127.0.10.5]:2222 ssh-ed25519 \(Self.keyA)\n", path: "kh")
        #expect(
            hosts.check(host: "127.0.10.5", port: 2222, keyType: "ssh-ed25519", key: Self.blobA) == .trusted(line: 1)
        )
        #expect(hosts.check(host: "127.0.10.5", port: 2223, keyType: "ssh-ed25519", key: Self.blobA) == .unknown)
        #expect(hosts.check(host: "127.0.10.5", port: 22, keyType: "ssh-ed25519", key: Self.blobA) == .unknown)
    }

    @Test("a port-less entry matches port 22 only (OpenSSH semantics, unlike libssh2's own check)")
    func portlessMatchesOnly22() {
        let hosts = KnownHosts(parsing: "127.0.10.5 ssh-ed25519 \(Self.keyA)\n", path: "kh")
        #expect(hosts.check(host: "127.0.10.5", port: 22, keyType: "ssh-ed25519", key: Self.blobA) == .trusted(line: 1))
        #expect(hosts.check(host: "127.0.10.5", port: 2222, keyType: "ssh-ed25519", key: Self.blobA) == .unknown)
    }

    @Test("a hashed entry written by ssh-keygen -H matches its host and port")
    func hashed() {
        let line = "|1|S364D/2xPBsiYzwUTI0qe3QJVfk=|duHl7b+Pr2n+8Z9Ybn68oinyDYA= ssh-ed25519 \(Self.keyA)"
        let hosts = KnownHosts(parsing: "# comment\n\n" + line + "\n", path: "kh")
        #expect(
            hosts.check(host: "127.0.10.5", port: 2222, keyType: "ssh-ed25519", key: Self.blobA) == .trusted(line: 3)
        )
        #expect(hosts.check(host: "127.0.10.6", port: 2222, keyType: "ssh-ed25519", key: Self.blobA) == .unknown)
    }

    @Test("comma lists, wildcards and negation")
    func patterns() {
        let text = """
            web1.example,10.0.0.1 ssh-ed25519 \(Self.keyA)
            *.lab.example,!bad.lab.example ssh-ed25519 \(Self.keyB)
            """
        let hosts = KnownHosts(parsing: text, path: "kh")
        #expect(hosts.check(host: "10.0.0.1", port: 22, keyType: "ssh-ed25519", key: Self.blobA) == .trusted(line: 1))
        #expect(
            hosts.check(host: "WEB1.example", port: 22, keyType: "ssh-ed25519", key: Self.blobA) == .trusted(line: 1)
        )
        #expect(
            hosts.check(host: "a.lab.example", port: 22, keyType: "ssh-ed25519", key: Self.blobB) == .trusted(line: 2)
        )
        #expect(hosts.check(host: "bad.lab.example", port: 22, keyType: "ssh-ed25519", key: Self.blobB) == .unknown)
    }

    @Test("a different key of the same type is a change, reported with the line of the recorded key")
    func changed() {
        let text = "other ssh-ed25519 \(Self.keyB)\n[h]:2222 ssh-ed25519 \(Self.keyA)\n"
        let hosts = KnownHosts(parsing: text, path: "kh")
        #expect(
            hosts.check(host: "h", port: 2222, keyType: "ssh-ed25519", key: Self.blobB)
                == .changed(line: 2, knownType: "ssh-ed25519")
        )
    }

    @Test("@revoked wins over a trusted line; @cert-authority is ignored with a note")
    func markers() {
        let text = """
            [h]:2222 ssh-ed25519 \(Self.keyA)
            @revoked * ssh-ed25519 \(Self.keyA)
            @cert-authority *.example ssh-ed25519 \(Self.keyB)
            garbage
            """
        let hosts = KnownHosts(parsing: text, path: "/etc/kh")
        #expect(hosts.check(host: "h", port: 2222, keyType: "ssh-ed25519", key: Self.blobA) == .revoked(line: 2))
        #expect(hosts.notes.count == 2)
        #expect(hosts.notes[0].hasPrefix("/etc/kh:3: @cert-authority line ignored"))
        #expect(hosts.notes[1].hasPrefix("/etc/kh:4: expected"))
    }

    @Test("host key method preference follows the key types known for the host")
    func hostKeyMethods() {
        let text =
            "[h]:2222 ecdsa-sha2-nistp256 AAAA\n[h]:2222 ssh-ed25519 \(Self.keyA)\nother ssh-ed25519 \(Self.keyB)\n"
        let hosts = KnownHosts(parsing: text, path: "kh")
        #expect(hosts.keyTypes(forHost: "h", port: 2222) == ["ssh-ed25519"])
        #expect(hosts.notes == ["kh:1: the key field is not an SSH public key; line ignored"])
        #expect(HostKeyBlob.hostKeyMethods(for: ["ssh-ed25519"]) == "ssh-ed25519")
        #expect(HostKeyBlob.hostKeyMethods(for: ["ssh-rsa"]) == "rsa-sha2-512,rsa-sha2-256,ssh-rsa")
        #expect(HostKeyBlob.hostKeyMethods(for: []).hasPrefix("ssh-ed25519,ecdsa-sha2-nistp256"))
    }
}
